/* MicroPython bindings of p256.c: the module ``p256_native`` that firmware/crypto/p256.py
 * uses when it is on the board (see that file for the Python-level API).
 *
 *   verify(pub65, digest32, sig64) -> bool    False for any key, digest or signature
 *                                              that is not well formed
 *   comb_table(pub65, out) -> None            fills a bytearray(TABLE_BYTES) with the
 *                                              key's comb table; ValueError if pub65 is
 *                                              not a curve point
 *   verify_table(table, digest32, sig64) -> bool
 *   ecdh(priv32, peer65) -> bytes             x coordinate of priv * peer (32 bytes)
 *   public_key(priv32) -> bytes               65-byte SEC1 point priv * G
 *
 * Private scalars are 32-byte big-endian strings in [1, n - 1] (ValueError otherwise).
 * Scratch memory comes from the MicroPython heap (the board's C stack is small) and is
 * released before returning.
 */
#include "py/dynruntime.h"

#include "p256.h"

/* The buffer behind obj (TypeError if it has none), or NULL if its length is not len. */
static const uint8_t *buffer_of(mp_obj_t obj, size_t len) {
    mp_buffer_info_t info;
    mp_get_buffer_raise(obj, &info, MP_BUFFER_READ);
    return info.len == len ? (const uint8_t *)info.buf : NULL;
}

/* A 65-byte uncompressed SEC1 point's x || y, or NULL. */
static const uint8_t *sec1_xy(mp_obj_t obj) {
    const uint8_t *pub = buffer_of(obj, 65);
    return pub != NULL && pub[0] == 4 ? pub + 1 : NULL;
}

static const uint8_t *private_scalar(mp_obj_t obj) {
    const uint8_t *priv = buffer_of(obj, 32);
    if (priv == NULL) {
        mp_raise_ValueError(MP_ERROR_TEXT("private key must be 32 bytes"));
    }
    return priv;
}

static mp_obj_t verify(mp_obj_t pub_obj, mp_obj_t digest_obj, mp_obj_t sig_obj) {
    const uint8_t *xy = sec1_xy(pub_obj);
    const uint8_t *digest = buffer_of(digest_obj, 32);
    const uint8_t *sig = buffer_of(sig_obj, 64);
    if (xy == NULL || digest == NULL || sig == NULL) {
        return mp_const_false;
    }
    void *scratch = m_malloc(P256_VERIFY_SCRATCH);
    int rc = p256_verify(xy, digest, sig, scratch);
    m_free(scratch);
    return mp_obj_new_bool(rc == P256_OK);
}
static MP_DEFINE_CONST_FUN_OBJ_3(verify_obj, verify);

static mp_obj_t comb_table(mp_obj_t pub_obj, mp_obj_t out_obj) {
    const uint8_t *xy = sec1_xy(pub_obj);
    mp_buffer_info_t out;
    mp_get_buffer_raise(out_obj, &out, MP_BUFFER_WRITE);
    if (out.len != P256_COMB_BYTES || ((uintptr_t)out.buf & 3)) {
        mp_raise_ValueError(MP_ERROR_TEXT("table must be an aligned bytearray(TABLE_BYTES)"));
    }
    if (xy == NULL) {
        mp_raise_ValueError(MP_ERROR_TEXT("public key is not a P-256 point"));
    }
    void *scratch = m_malloc(P256_COMB_SCRATCH);
    int rc = p256_comb_table((uint8_t *)out.buf, xy, scratch);
    m_free(scratch);
    if (rc != P256_OK) {
        mp_raise_ValueError(MP_ERROR_TEXT("public key is not a P-256 point"));
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_2(comb_table_obj, comb_table);

static mp_obj_t verify_table(mp_obj_t table_obj, mp_obj_t digest_obj, mp_obj_t sig_obj) {
    const uint8_t *table = buffer_of(table_obj, P256_COMB_BYTES);
    if (table == NULL || ((uintptr_t)table & 3)) {
        mp_raise_ValueError(MP_ERROR_TEXT("not a comb table"));
    }
    const uint8_t *digest = buffer_of(digest_obj, 32);
    const uint8_t *sig = buffer_of(sig_obj, 64);
    if (digest == NULL || sig == NULL) {
        return mp_const_false;
    }
    return mp_obj_new_bool(p256_verify_comb(table, digest, sig) == P256_OK);
}
static MP_DEFINE_CONST_FUN_OBJ_3(verify_table_obj, verify_table);

static mp_obj_t ecdh(mp_obj_t priv_obj, mp_obj_t peer_obj) {
    const uint8_t *priv = private_scalar(priv_obj);
    const uint8_t *xy = sec1_xy(peer_obj);
    if (xy == NULL) {
        mp_raise_ValueError(MP_ERROR_TEXT("peer key is not a P-256 point"));
    }
    uint8_t out[32];
    void *scratch = m_malloc(P256_ECDH_SCRATCH);
    int rc = p256_ecdh(out, priv, xy, scratch);
    m_free(scratch);
    if (rc == P256_BAD_POINT) {
        mp_raise_ValueError(MP_ERROR_TEXT("peer key is not a P-256 point"));
    }
    if (rc != P256_OK) {
        mp_raise_ValueError(MP_ERROR_TEXT("private key out of range"));
    }
    return mp_obj_new_bytes(out, 32);
}
static MP_DEFINE_CONST_FUN_OBJ_2(ecdh_obj, ecdh);

static mp_obj_t public_key(mp_obj_t priv_obj) {
    const uint8_t *priv = private_scalar(priv_obj);
    uint8_t out[65];
    out[0] = 4;
    if (p256_public_key(out + 1, priv) != P256_OK) {
        mp_raise_ValueError(MP_ERROR_TEXT("private key out of range"));
    }
    return mp_obj_new_bytes(out, 65);
}
static MP_DEFINE_CONST_FUN_OBJ_1(public_key_obj, public_key);

mp_obj_t mpy_init(mp_obj_fun_bc_t *self, size_t n_args, size_t n_kw, mp_obj_t *args) {
    MP_DYNRUNTIME_INIT_ENTRY

    mp_store_global(MP_QSTR_verify, MP_OBJ_FROM_PTR(&verify_obj));
    mp_store_global(MP_QSTR_comb_table, MP_OBJ_FROM_PTR(&comb_table_obj));
    mp_store_global(MP_QSTR_verify_table, MP_OBJ_FROM_PTR(&verify_table_obj));
    mp_store_global(MP_QSTR_ecdh, MP_OBJ_FROM_PTR(&ecdh_obj));
    mp_store_global(MP_QSTR_public_key, MP_OBJ_FROM_PTR(&public_key_obj));
    mp_store_global(MP_QSTR_TABLE_BYTES, MP_OBJ_NEW_SMALL_INT(P256_COMB_BYTES));

    MP_DYNRUNTIME_INIT_EXIT
}
