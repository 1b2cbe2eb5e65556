/* NIST P-256 (secp256r1): field, scalar and point arithmetic; ECDSA verify, ECDH, key generation.
 *
 * Representation: 8 x 32-bit limbs, little-endian, always fully reduced.
 * Field products: a 512-bit product, then the Solinas reduction that p's shape
 * allows (FIPS 186-4 D.2.3): signed sums of the product's words, two folds of
 * the small carry, one conditional subtraction. On armv6m (Cortex-M0+: a
 * 32 x 32 -> 32 multiply only, eight low registers) the products, the
 * reduction and the field additions are Thumb-1 assembly (p256_armv6m.S):
 * 16-bit digits, product scanning, 7 cycles per 16 x 16 product; elsewhere
 * (x64 for the tests) the same steps in C with 64-bit products. No branch and
 * no secret-dependent memory index anywhere in the field arithmetic.
 *
 * Scalars mod n (verification only, public): binary extended Euclid for s^-1
 * and Montgomery products for u1, u2.
 *
 * Points:
 * - Jacobian coordinates with the a = -3 doubling (3M + 5S) and mixed
 *   Jacobian + affine additions (8M + 3S) for ECDH and verification;
 * - Renes-Costello-Batina complete projective formulas (2016, a = -3) for the
 *   key generation comb: no exceptional case, so no secret-dependent branch.
 * Scalar multiplications:
 * - k * G: signed comb, 7 teeth spaced 37 bits, 64 precomputed affine points
 *   (p256_gtable.h, 4 KiB): 36 doublings and 37 additions.
 * - k * Q (ECDH): regular signed window of 5 bits (52 odd digits, all
 *   non-zero), 16 odd multiples of Q in affine (co-Z additions, one
 *   inversion); table reads scan every entry. The recoding makes every
 *   addition but the last one exception-free; the last one computes the
 *   doubling too and selects by mask.
 * - u1 G + u2 Q (verify): one chain of ~256 doublings with Q's width-5 NAF
 *   and G's comb columns added in its last 37 steps; with a key's own comb
 *   table (p256_comb_table) the chain is 36 doublings long.
 */
#include "p256.h"
#include "p256_gtable.h"

typedef uint32_t fe[8];

typedef struct {
    fe x, y, z;
} jac_t; /* Jacobian (x / z^2, y / z^3), or projective (x / z, y / z) in the comb */

typedef struct {
    fe x, y;
} aff_t;

static const fe P = {0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0, 0, 0, 1, 0xFFFFFFFF};
static const fe N = {0xFC632551, 0xF3B9CAC2, 0xA7179E84, 0xBCE6FAAD, 0xFFFFFFFF, 0xFFFFFFFF, 0, 0xFFFFFFFF};
static const fe ZERO = {0};
static const fe B = {0x27D2604B, 0x3BCE3C3E, 0xCC53B0F6, 0x651D06B0, 0x769886BC, 0xB3EBBD55, 0xAA3A93E7, 0x5AC635D8};

/* ------------------------------------------------------------------ limbs */

static void cpy(fe r, const fe a) {
    for (int i = 0; i < 8; i++) {
        r[i] = a[i];
    }
}

static void set_word(fe r, uint32_t w) {
    r[0] = w;
    for (int i = 1; i < 8; i++) {
        r[i] = 0;
    }
}

/* All ones if a == 0, else 0; no branch. */
static uint32_t zero_mask(const fe a) {
    uint32_t acc = 0;
    for (int i = 0; i < 8; i++) {
        acc |= a[i];
    }
    return ((acc | (0u - acc)) >> 31) - 1u;
}

static int is_zero(const fe a) {
    return zero_mask(a) != 0;
}

/* r = mask ? a : r (mask all ones or zero). */
static void cmov(fe r, const fe a, uint32_t mask) {
    for (int i = 0; i < 8; i++) {
        r[i] ^= (r[i] ^ a[i]) & mask;
    }
}

#if defined(__ARM_ARCH_6M__)
/* Thumb-1 assembly (p256_armv6m.S): the carry chains stay in the C flag. */
uint32_t p256_add8(uint32_t r[8], const uint32_t a[8], const uint32_t b[8]);
uint32_t p256_sub8(uint32_t r[8], const uint32_t a[8], const uint32_t b[8]);
uint32_t p256_add8_masked(uint32_t r[8], const uint32_t a[8], const uint32_t b[8], uint32_t mask);
#define add8 p256_add8
#define sub8 p256_sub8
#define add8_masked p256_add8_masked
#else
static uint32_t add8(fe r, const fe a, const fe b) {
    uint64_t c = 0;
    for (int i = 0; i < 8; i++) {
        c += (uint64_t)a[i] + b[i];
        r[i] = (uint32_t)c;
        c >>= 32;
    }
    return (uint32_t)c;
}

/* r = a - b; returns the borrow (0 or 1). */
static uint32_t sub8(fe r, const fe a, const fe b) {
    int64_t c = 0;
    for (int i = 0; i < 8; i++) {
        c += (int64_t)a[i] - b[i];
        r[i] = (uint32_t)c;
        c >>= 32;
    }
    return (uint32_t)c & 1;
}

/* r = a + (b & mask); returns the carry. */
static uint32_t add8_masked(fe r, const fe a, const fe b, uint32_t mask) {
    uint64_t c = 0;
    for (int i = 0; i < 8; i++) {
        c += (uint64_t)a[i] + (b[i] & mask);
        r[i] = (uint32_t)c;
        c >>= 32;
    }
    return (uint32_t)c;
}

#endif

/* a < b */
static int lt8(const fe a, const fe b) {
    fe t;
    return sub8(t, a, b);
}

/* r = a - b mod m (a, b < m). */
static void mod_sub(fe r, const fe a, const fe b, const fe m) {
    uint32_t borrow = sub8(r, a, b);
    add8_masked(r, r, m, 0u - borrow);
}

/* r = a / 2 mod m (m odd, a < m). */
static void mod_half(fe r, const fe a, const fe m) {
    uint32_t top = add8_masked(r, a, m, 0u - (a[0] & 1));
    for (int i = 0; i < 7; i++) {
        r[i] = (r[i] >> 1) | (r[i + 1] << 31);
    }
    r[7] = (r[7] >> 1) | (top << 31);
}

static void rshift1(fe r) {
    for (int i = 0; i < 7; i++) {
        r[i] = (r[i] >> 1) | (r[i + 1] << 31);
    }
    r[7] >>= 1;
}

/* r = a^-1 mod m for public a (0 < a < m, m odd prime): binary extended
 * Euclid, variable time (a quarter of a Fermat inversion here). */
static void inv_vartime(fe r, const fe a, const fe m) {
    fe u, v, x1, x2;
    cpy(u, a);
    cpy(v, m);
    set_word(x1, 1);
    set_word(x2, 0);
    for (;;) {
        if (u[0] == 1 && (u[1] | u[2] | u[3] | u[4] | u[5] | u[6] | u[7]) == 0) {
            cpy(r, x1);
            return;
        }
        if (v[0] == 1 && (v[1] | v[2] | v[3] | v[4] | v[5] | v[6] | v[7]) == 0) {
            cpy(r, x2);
            return;
        }
        while (!(u[0] & 1)) {
            rshift1(u);
            mod_half(x1, x1, m);
        }
        while (!(v[0] & 1)) {
            rshift1(v);
            mod_half(x2, x2, m);
        }
        if (!lt8(u, v)) {
            sub8(u, u, v);
            mod_sub(x1, x1, x2, m);
        } else {
            sub8(v, v, u);
            mod_sub(x2, x2, x1, m);
        }
    }
}

/* ------------------------------------------------------------ products */

#if defined(__ARM_ARCH_6M__)
/* Thumb-1 assembly (p256_armv6m.S): 16-bit digits, product scanning. */
void p256_mul256(uint32_t r[16], const uint32_t a[8], const uint32_t b[8]);
void p256_sqr256(uint32_t r[16], const uint32_t a[8]);
#define mul256 p256_mul256
#define sqr256 p256_sqr256
#else
/* r = a * b, 512 bits. */
static void mul256(uint32_t r[16], const fe a, const fe b) {
    for (int i = 0; i < 8; i++) {
        r[i] = 0;
    }
    for (int i = 0; i < 8; i++) {
        uint64_t c = 0;
        uint32_t ai = a[i];
        for (int j = 0; j < 8; j++) {
            c += (uint64_t)ai * b[j] + r[i + j];
            r[i + j] = (uint32_t)c;
            c >>= 32;
        }
        r[i + 8] = (uint32_t)c;
    }
}

/* r = a^2, 512 bits: the 28 cross products once, doubled, plus the 8 squares. */
static void sqr256(uint32_t r[16], const fe a) {
    for (int i = 0; i < 16; i++) {
        r[i] = 0;
    }
    for (int i = 0; i < 7; i++) {
        uint64_t c = 0;
        uint32_t ai = a[i];
        for (int j = i + 1; j < 8; j++) {
            c += (uint64_t)ai * a[j] + r[i + j];
            r[i + j] = (uint32_t)c;
            c >>= 32;
        }
        r[i + 8] = (uint32_t)c;
    }
    for (int i = 15; i > 0; i--) {
        r[i] = (r[i] << 1) | (r[i - 1] >> 31);
    }
    r[0] <<= 1;
    uint64_t c = 0;
    for (int i = 0; i < 8; i++) {
        uint64_t sq = (uint64_t)a[i] * a[i];
        c += (uint64_t)r[2 * i] + (uint32_t)sq;
        r[2 * i] = (uint32_t)c;
        c >>= 32;
        c += (uint64_t)r[2 * i + 1] + (uint32_t)(sq >> 32);
        r[2 * i + 1] = (uint32_t)c;
        c >>= 32;
    }
}
#endif

/* ---------------------------------------------------------- field mod p */

#if defined(__ARM_ARCH_6M__)
void p256_reduce(uint32_t r[8], const uint32_t c[16]);
void p256_fe_add(uint32_t r[8], const uint32_t a[8], const uint32_t b[8]);
void p256_fe_sub(uint32_t r[8], const uint32_t a[8], const uint32_t b[8]);
#define reduce p256_reduce
#define fe_add p256_fe_add
#define fe_sub p256_fe_sub
#else
/* r + carry * 2^256 -> r + carry * (2^224 - 2^192 - 2^96 + 1); returns the new carry. */
static int32_t fold(fe r, int32_t carry) {
    int64_t c = (int64_t)r[0] + carry;
    r[0] = (uint32_t)c;
    c >>= 32;
    c += r[1];
    r[1] = (uint32_t)c;
    c >>= 32;
    c += r[2];
    r[2] = (uint32_t)c;
    c >>= 32;
    c += (int64_t)r[3] - carry;
    r[3] = (uint32_t)c;
    c >>= 32;
    c += r[4];
    r[4] = (uint32_t)c;
    c >>= 32;
    c += r[5];
    r[5] = (uint32_t)c;
    c >>= 32;
    c += (int64_t)r[6] - carry;
    r[6] = (uint32_t)c;
    c >>= 32;
    c += (int64_t)r[7] + carry;
    r[7] = (uint32_t)c;
    c >>= 32;
    return (int32_t)c;
}

/* r = c mod p for a 512-bit c (Solinas: p = 2^256 - 2^224 + 2^192 + 2^96 - 1). */
static void reduce(fe r, const uint32_t c[16]) {
    int64_t t;
    /* word j of s1 + 2 s2 + 2 s3 + s4 + s5 - d1 - d2 - d3 - d4 (FIPS 186-4 D.2.3) */
    t = (int64_t)c[0] + c[8] + c[9] - c[11] - c[12] - c[13] - c[14];
    r[0] = (uint32_t)t;
    t >>= 32;
    t += (int64_t)c[1] + c[9] + c[10] - c[12] - c[13] - c[14] - c[15];
    r[1] = (uint32_t)t;
    t >>= 32;
    t += (int64_t)c[2] + c[10] + c[11] - c[13] - c[14] - c[15];
    r[2] = (uint32_t)t;
    t >>= 32;
    t += (int64_t)c[3] + 2 * (int64_t)c[11] + 2 * (int64_t)c[12] + c[13] - c[15] - c[8] - c[9];
    r[3] = (uint32_t)t;
    t >>= 32;
    t += (int64_t)c[4] + 2 * (int64_t)c[12] + 2 * (int64_t)c[13] + c[14] - c[9] - c[10];
    r[4] = (uint32_t)t;
    t >>= 32;
    t += (int64_t)c[5] + 2 * (int64_t)c[13] + 2 * (int64_t)c[14] + c[15] - c[10] - c[11];
    r[5] = (uint32_t)t;
    t >>= 32;
    t += (int64_t)c[6] + 3 * (int64_t)c[14] + 2 * (int64_t)c[15] + c[13] - c[8] - c[9];
    r[6] = (uint32_t)t;
    t >>= 32;
    t += (int64_t)c[7] + 3 * (int64_t)c[15] + c[8] - c[10] - c[11] - c[12] - c[13];
    r[7] = (uint32_t)t;
    t >>= 32;
    /* |carry| <= 7: two folds leave 0 <= r < 2^256 < 2p, then one conditional subtraction. */
    fold(r, fold(r, (int32_t)t));
    fe s;
    uint32_t borrow = sub8(s, r, P);
    cmov(r, s, borrow - 1u);
}

static void fe_add(fe r, const fe a, const fe b) {
    fe t;
    uint32_t carry = add8(r, a, b);
    uint32_t borrow = sub8(t, r, P);
    cmov(r, t, 0u - (carry | (borrow ^ 1)));
}

static void fe_sub(fe r, const fe a, const fe b) {
    mod_sub(r, a, b, P);
}
#endif

static void fe_mul(fe r, const fe a, const fe b) {
    uint32_t t[16];
    mul256(t, a, b);
    reduce(r, t);
}

static void fe_sqr(fe r, const fe a) {
    uint32_t t[16];
    sqr256(t, a);
    reduce(r, t);
}

/* r = mask ? -a : a (a != 0 or the result is p: callers negate non-zero y only). */
static void fe_cneg(fe r, const fe a, uint32_t mask) {
    fe t;
    fe_sub(t, ZERO, a);
    cpy(r, a);
    cmov(r, t, mask);
}

static void fe_sqr_n(fe r, const fe a, int n) {
    fe_sqr(r, a);
    while (--n > 0) {
        fe_sqr(r, r);
    }
}

/* r = a^(p - 2) = a^-1 (a != 0), constant time: 255 squarings, 12 multiplications. */
static void fe_inv(fe r, const fe a) {
    fe x2, x3, x6, x12, x15, x30, x32, t;
    fe_sqr(x2, a);
    fe_mul(x2, x2, a);
    fe_sqr(x3, x2);
    fe_mul(x3, x3, a);
    fe_sqr_n(x6, x3, 3);
    fe_mul(x6, x6, x3);
    fe_sqr_n(x12, x6, 6);
    fe_mul(x12, x12, x6);
    fe_sqr_n(x15, x12, 3);
    fe_mul(x15, x15, x3);
    fe_sqr_n(x30, x15, 15);
    fe_mul(x30, x30, x15);
    fe_sqr_n(x32, x30, 2);
    fe_mul(x32, x32, x2);
    /* p - 2 = ffffffff 00000001 00000000 00000000 00000000 ffffffff ffffffff fffffffd */
    fe_sqr_n(t, x32, 32);
    fe_mul(t, t, a);
    fe_sqr_n(t, t, 128);
    fe_mul(t, t, x32);
    fe_sqr_n(t, t, 32);
    fe_mul(t, t, x32);
    fe_sqr_n(t, t, 30);
    fe_mul(t, t, x30);
    fe_sqr_n(t, t, 2);
    fe_mul(r, t, a);
}

/* -------------------------------------------------------------- bytes */

static void from_bytes(fe r, const uint8_t *b) {
    for (int i = 0; i < 8; i++) {
        const uint8_t *w = b + 28 - 4 * i;
        r[i] = ((uint32_t)w[0] << 24) | ((uint32_t)w[1] << 16) | ((uint32_t)w[2] << 8) | w[3];
    }
}

static void to_bytes(uint8_t *b, const fe a) {
    for (int i = 0; i < 8; i++) {
        uint8_t *w = b + 28 - 4 * i;
        w[0] = (uint8_t)(a[i] >> 24);
        w[1] = (uint8_t)(a[i] >> 16);
        w[2] = (uint8_t)(a[i] >> 8);
        w[3] = (uint8_t)a[i];
    }
}

/* x || y -> affine point; 0 unless both coordinates are < p and y^2 = x^3 - 3x + b. */
static int point_from_bytes(aff_t *q, const uint8_t *b) {
    from_bytes(q->x, b);
    from_bytes(q->y, b + 32);
    if (!lt8(q->x, P) || !lt8(q->y, P)) {
        return 0;
    }
    fe l, r;
    fe_sqr(l, q->y);
    fe_sqr(r, q->x);
    fe_mul(r, r, q->x);
    fe_sub(r, r, q->x);
    fe_sub(r, r, q->x);
    fe_sub(r, r, q->x);
    fe_add(r, r, B);
    fe_sub(l, l, r);
    return is_zero(l);
}

/* 1 if 0 < k < n */
static int scalar_in_range(const fe k) {
    return !is_zero(k) && lt8(k, N);
}

/* ------------------------------------------------- Jacobian, a = -3 */

/* r = 2 p (r may be p); infinity (z = 0) stays infinity. */
static void jac_dbl(jac_t *r, const jac_t *p) {
    fe delta, gamma, beta, alpha, t;
    fe_sqr(delta, p->z);
    fe_sqr(gamma, p->y);
    fe_mul(beta, p->x, gamma);
    fe_sub(t, p->x, delta);
    fe_add(alpha, p->x, delta);
    fe_mul(alpha, alpha, t);
    fe_add(t, alpha, alpha);
    fe_add(alpha, alpha, t); /* 3 (x - z^2)(x + z^2) */
    fe_add(t, p->y, p->z);
    fe_sqr(t, t);
    fe_sub(t, t, gamma);
    fe_sub(r->z, t, delta); /* 2 y z */
    fe_add(beta, beta, beta);
    fe_add(beta, beta, beta); /* 4 beta */
    fe_sqr(t, alpha);
    fe_sub(t, t, beta);
    fe_sub(r->x, t, beta);
    fe_sub(beta, beta, r->x);
    fe_mul(beta, beta, alpha);
    fe_sqr(gamma, gamma);
    fe_add(gamma, gamma, gamma);
    fe_add(gamma, gamma, gamma);
    fe_add(gamma, gamma, gamma);
    fe_sub(r->y, beta, gamma);
}

/* The differences that decide p + (x2, y2): h = x2 z^2 - x, s = y2 z^3 - y. */
static void madd_diffs(fe h, fe s, const jac_t *p, const aff_t *q) {
    fe zz;
    fe_sqr(zz, p->z);
    fe_mul(h, q->x, zz);
    fe_sub(h, h, p->x);
    fe_mul(zz, zz, p->z);
    fe_mul(s, zz, q->y);
    fe_sub(s, s, p->y);
}

/* r = p + q from madd_diffs (p not infinity, p != +-q); r may be p. */
static void madd_finish(jac_t *r, const jac_t *p, const fe h, const fe s) {
    fe hh, hhh, v, t;
    fe_sqr(hh, h);
    fe_mul(hhh, hh, h);
    fe_mul(v, p->x, hh);
    fe_mul(r->z, p->z, h);
    fe_sqr(t, s);
    fe_sub(t, t, hhh);
    fe_sub(t, t, v);
    fe_sub(t, t, v); /* x3 */
    fe_sub(v, v, t);
    fe_mul(v, v, s);
    fe_mul(hhh, hhh, p->y);
    fe_sub(r->y, v, hhh);
    cpy(r->x, t);
}

static void jac_set_aff(jac_t *r, const aff_t *q) {
    cpy(r->x, q->x);
    cpy(r->y, q->y);
    set_word(r->z, 1);
}

/* r += q, every case (public data: branches). */
static void jac_add_aff_vartime(jac_t *r, const aff_t *q) {
    if (is_zero(r->z)) {
        jac_set_aff(r, q);
        return;
    }
    fe h, s;
    madd_diffs(h, s, r, q);
    if (is_zero(h)) {
        if (is_zero(s)) {
            jac_dbl(r, r);
        } else {
            set_word(r->z, 0);
        }
        return;
    }
    madd_finish(r, r, h, s);
}

/* [(x, y, z)] with every z != 0 -> affine, one inversion; prefix: n scratch field elements. */
static void batch_to_affine(aff_t *out, const jac_t *in, int n, fe *prefix) {
    fe acc, zi, zi2;
    set_word(acc, 1);
    for (int i = 0; i < n; i++) {
        cpy(prefix[i], acc);
        fe_mul(acc, acc, in[i].z);
    }
    inv_vartime(acc, acc, P);
    for (int i = n - 1; i >= 0; i--) {
        fe_mul(zi, acc, prefix[i]);
        fe_mul(acc, acc, in[i].z);
        fe_sqr(zi2, zi);
        fe_mul(out[i].x, in[i].x, zi2);
        fe_mul(zi2, zi2, zi);
        fe_mul(out[i].y, in[i].y, zi2);
    }
}

/* tab[i] = (2 i + 1) q, i < count, affine; q public of order n. Co-Z additions
 * (Meloni): T = 2q shares q's z, each R + T returns T on the sum's z too, and
 * one inversion of the last z gives every z^-1 back through the factors d. */
static void odd_multiples(aff_t *tab, int count, const aff_t *q, fe *ds) {
    fe yy, b, a, xt, yt, x, y, z, c, e;
    fe_sqr(yy, q->y);
    fe_mul(b, q->x, yy);
    fe_sqr(a, q->x);
    set_word(c, 1);
    fe_sub(a, a, c);
    fe_add(c, a, a);
    fe_add(a, a, c); /* 3 (x^2 - 1) */
    fe_sqr(xt, a);
    fe_add(c, b, b);
    fe_add(c, c, c);
    fe_add(x, c, c); /* 8 b */
    fe_sub(xt, xt, x);
    cpy(x, c); /* 4 b */
    fe_sqr(y, yy);
    fe_add(y, y, y);
    fe_add(y, y, y);
    fe_add(y, y, y); /* 8 y^4 */
    fe_sub(yt, x, xt);
    fe_mul(yt, yt, a);
    fe_sub(yt, yt, y);
    fe_add(z, q->y, q->y);
    cpy(tab[0].x, x); /* q on z = 2y, kept as Jacobian in tab until the end */
    cpy(tab[0].y, y);
    for (int i = 1; i < count; i++) {
        fe_sub(ds[i - 1], x, xt);
        fe_sqr(a, ds[i - 1]);
        fe_mul(b, xt, a);
        fe_mul(c, x, a);
        fe_sub(e, y, yt);
        fe_sub(a, c, b);
        fe_mul(yt, yt, a);
        cpy(xt, b);
        fe_sqr(x, e);
        fe_sub(x, x, b);
        fe_sub(x, x, c);
        fe_sub(a, b, x);
        fe_mul(y, e, a);
        fe_sub(y, y, yt);
        cpy(tab[i].x, x);
        cpy(tab[i].y, y);
        fe_mul(z, z, ds[i - 1]);
    }
    inv_vartime(z, z, P);
    for (int i = count - 1; i > 0; i--) {
        if (i < count - 1) {
            fe_mul(z, z, ds[i]);
        }
        fe_sqr(a, z);
        fe_mul(tab[i].x, tab[i].x, a);
        fe_mul(a, a, z);
        fe_mul(tab[i].y, tab[i].y, a);
    }
    cpy(tab[0].x, q->x);
    cpy(tab[0].y, q->y);
}

/* x(p) == r mod n for Jacobian p != infinity: r z^2 == x, or (r + n) z^2 == x when r + n < p. */
static int x_matches(const jac_t *p, const fe r) {
    fe zz, t;
    fe_sqr(zz, p->z);
    fe_mul(t, r, zz);
    fe_sub(t, t, p->x);
    if (is_zero(t)) {
        return 1;
    }
    fe rn;
    if (add8(rn, r, N) || !lt8(rn, P)) {
        return 0;
    }
    fe_mul(t, rn, zz);
    fe_sub(t, t, p->x);
    return is_zero(t);
}

/* ------------------------------------------------------------ scalars */

/* -n^-1 mod 2^256 and 2^512 mod n, for Montgomery products mod n. */
static const fe N_NEG_INV = {0xEE00BC4F, 0xCCD1C8AA, 0x7D74D2E4, 0x48C94408,
                             0xC588C6F6, 0x50FE77EC, 0xA9D6281C, 0x60D06633};
static const fe R2_MOD_N = {0xBE79EEA2, 0x83244C95, 0x49BD6FA6, 0x4699799C,
                            0x2B6BEC59, 0x2845B239, 0xF3D95620, 0x66E12D94};

/* r = a b 2^-256 mod n (a, b < n): three 512-bit products (REDC with a full-width m). */
static void mont_mul_n(fe r, const fe a, const fe b) {
    uint32_t t[16], m[16], mn[16];
    fe low, c;
    mul256(t, a, b);
    mul256(m, t, N_NEG_INV); /* m = t (-n^-1) mod 2^256: its low half */
    mul256(mn, m, N);
    uint32_t carry = add8(low, t, mn); /* low half is 0: only its carry matters */
    uint32_t top = add8(r, t + 8, mn + 8);
    set_word(c, carry);
    top |= add8(r, r, c);
    uint32_t borrow = sub8(c, r, N); /* (t + m n) / 2^256 < 2n */
    cmov(r, c, 0u - (top | (borrow ^ 1)));
}

/* Width-5 NAF of k (public, k < n): out[0..256], returns the highest non-zero position. */
static int wnaf5(int8_t out[257], const fe k_in) {
    fe k;
    cpy(k, k_in);
    int top = -1;
    for (int i = 0; i < 257; i++) {
        int d = 0;
        if (k[0] & 1) {
            d = (int)(k[0] & 31);
            if (d > 16) {
                d -= 32;
            }
            fe t;
            set_word(t, (uint32_t)(d > 0 ? d : -d));
            if (d > 0) {
                sub8(k, k, t);
            } else {
                add8(k, k, t); /* k + 15 < 2^256 since k < n */
            }
            top = i;
        }
        out[i] = (int8_t)d;
        rshift1(k);
    }
    return top;
}

/* Signed comb recoding of 0 < k < n: b (259 bits) with k' = sum (2 b_i - 1) 2^i, where
 * k' = k if k is odd, else n - k (returned mask all ones: the result is to be negated).
 * No branch on k. */
static uint32_t comb_recode(uint32_t b[9], const fe k) {
    fe t;
    uint32_t neg = (k[0] & 1) - 1u;
    sub8(t, N, k);
    cpy(b, k);
    cmov(b, t, neg);
    rshift1(b); /* (k' - 1) / 2 */
    b[8] = 1u << (258 - 256);
    return neg;
}

/* Teeth of column j: bits j + 37 m of b, m = 0..6. */
static uint32_t comb_column(const uint32_t b[9], int j) {
    uint32_t c = 0;
    for (int m = 0; m < P256_COMB_TEETH; m++) {
        int pos = j + P256_COMB_SPACING * m;
        c |= ((b[pos >> 5] >> (pos & 31)) & 1) << m;
    }
    return c;
}

/* The affine point of column value c (public) in a comb table of 64 x (x[8], y[8]) words. */
static void comb_point_vartime(aff_t *out, const uint32_t *table, uint32_t c, uint32_t neg) {
    uint32_t top = c >> (P256_COMB_TEETH - 1);
    const uint32_t *e = table + 16 * ((top ? c : ~c) & (P256_COMB_POINTS - 1));
    cpy(out->x, e);
    if ((top ^ 1) ^ (neg & 1)) {
        fe_sub(out->y, ZERO, e + 8);
    } else {
        cpy(out->y, e + 8);
    }
}

/* ---------------------------------------------------------- verification */

static int sig_scalars(fe u1, fe u2, fe r, const uint8_t digest[32], const uint8_t sig[64]) {
    fe s, e, w;
    from_bytes(r, sig);
    from_bytes(s, sig + 32);
    if (!scalar_in_range(r) || !scalar_in_range(s)) {
        return 0;
    }
    from_bytes(e, digest);
    if (!lt8(e, N)) {
        sub8(e, e, N);
    }
    inv_vartime(w, s, N);
    mont_mul_n(w, w, R2_MOD_N); /* w 2^256: the next products come out plain */
    mont_mul_n(u1, e, w);
    mont_mul_n(u2, r, w);
    return 1;
}

int p256_verify(const uint8_t pub[64], const uint8_t digest[32], const uint8_t sig[64], void *scratch) {
    aff_t q, pt;
    fe r, u1, u2;
    if (!point_from_bytes(&q, pub)) {
        return P256_BAD_POINT;
    }
    if (!sig_scalars(u1, u2, r, digest, sig)) {
        return P256_BAD_SIG;
    }
    aff_t *tab = (aff_t *)scratch;
    odd_multiples(tab, 8, &q, (fe *)(tab + 8));
    int8_t naf[257];
    int top = wnaf5(naf, u2);
    int use_g = !is_zero(u1);
    uint32_t gb[9], gneg = 0;
    if (use_g) {
        gneg = comb_recode(gb, u1);
    }
    if (top < P256_COMB_SPACING - 1) {
        top = P256_COMB_SPACING - 1;
    }
    jac_t acc;
    set_word(acc.x, 0);
    set_word(acc.y, 1);
    set_word(acc.z, 0);
    for (int i = top; i >= 0; i--) {
        if (!is_zero(acc.z)) {
            jac_dbl(&acc, &acc);
        }
        int d = naf[i];
        if (d) {
            const aff_t *e = &tab[(d > 0 ? d : -d) >> 1];
            if (d > 0) {
                jac_add_aff_vartime(&acc, e);
            } else {
                cpy(pt.x, e->x);
                fe_sub(pt.y, ZERO, e->y);
                jac_add_aff_vartime(&acc, &pt);
            }
        }
        if (use_g && i < P256_COMB_SPACING) {
            comb_point_vartime(&pt, P256_G_COMB, comb_column(gb, i), gneg);
            jac_add_aff_vartime(&acc, &pt);
        }
    }
    if (is_zero(acc.z)) {
        return P256_BAD_SIG;
    }
    return x_matches(&acc, r) ? P256_OK : P256_BAD_SIG;
}

int p256_verify_comb(const uint8_t *table, const uint8_t digest[32], const uint8_t sig[64]) {
    fe r, u1, u2;
    if (!sig_scalars(u1, u2, r, digest, sig)) {
        return P256_BAD_SIG;
    }
    uint32_t qb[9], gb[9], gneg = 0;
    uint32_t qneg = comb_recode(qb, u2);
    int use_g = !is_zero(u1);
    if (use_g) {
        gneg = comb_recode(gb, u1);
    }
    jac_t acc;
    aff_t pt;
    set_word(acc.x, 0);
    set_word(acc.y, 1);
    set_word(acc.z, 0);
    for (int j = P256_COMB_SPACING - 1; j >= 0; j--) {
        if (!is_zero(acc.z)) {
            jac_dbl(&acc, &acc);
        }
        comb_point_vartime(&pt, (const uint32_t *)table, comb_column(qb, j), qneg);
        jac_add_aff_vartime(&acc, &pt);
        if (use_g) {
            comb_point_vartime(&pt, P256_G_COMB, comb_column(gb, j), gneg);
            jac_add_aff_vartime(&acc, &pt);
        }
    }
    if (is_zero(acc.z)) {
        return P256_BAD_SIG;
    }
    return x_matches(&acc, r) ? P256_OK : P256_BAD_SIG;
}

/* Comb table of q: entry m (0..63) = T6 + sum_{i<6} (2 m_i - 1) Ti with Ti = 2^(37 i) q,
 * built generation by generation (entry m + 2^i = entry m + 2 Ti), each one batch-inverted. */
int p256_comb_table(uint8_t *table_bytes, const uint8_t pub[64], void *scratch) {
    aff_t q;
    if (!point_from_bytes(&q, pub)) {
        return P256_BAD_POINT;
    }
    aff_t *table = (aff_t *)table_bytes;
    jac_t *jac = (jac_t *)scratch;                 /* 32 points */
    fe *prefix = (fe *)(jac + 32);                 /* 32 elements */
    aff_t *teeth = (aff_t *)(prefix + 32);         /* T0, 2 T0, ..., T5, 2 T5, T6 */
    jac_set_aff(&jac[0], &q);
    for (int i = 0; i < P256_COMB_TEETH; i++) {
        if (i) {
            cpy(jac[2 * i].x, jac[2 * i - 1].x);
            cpy(jac[2 * i].y, jac[2 * i - 1].y);
            cpy(jac[2 * i].z, jac[2 * i - 1].z);
            for (int k = 1; k < P256_COMB_SPACING; k++) {
                jac_dbl(&jac[2 * i], &jac[2 * i]);
            }
        }
        if (i < P256_COMB_TEETH - 1) {
            jac_dbl(&jac[2 * i + 1], &jac[2 * i]);
        }
    }
    batch_to_affine(teeth, jac, 2 * P256_COMB_TEETH - 1, prefix);
    jac_set_aff(&jac[0], &teeth[2 * (P256_COMB_TEETH - 1)]);
    for (int i = 0; i < P256_COMB_TEETH - 1; i++) {
        aff_t t;
        cpy(t.x, teeth[2 * i].x);
        fe_sub(t.y, ZERO, teeth[2 * i].y);
        jac_add_aff_vartime(&jac[0], &t);
    }
    batch_to_affine(table, jac, 1, prefix);
    for (int i = 0; i < P256_COMB_TEETH - 1; i++) {
        int count = 1 << i;
        for (int m = 0; m < count; m++) {
            jac_set_aff(&jac[m], &table[m]);
            jac_add_aff_vartime(&jac[m], &teeth[2 * i + 1]);
        }
        batch_to_affine(table + count, jac, count, prefix);
    }
    return P256_OK;
}

/* --------------------------------------------------------------- ECDH */

/* out = tab[idx] read in constant time (every entry touched). */
static void lookup_ct(aff_t *out, const aff_t *tab, int count, uint32_t idx) {
    set_word(out->x, 0);
    set_word(out->y, 0);
    for (int i = 0; i < count; i++) {
        uint32_t diff = (uint32_t)i ^ idx;
        uint32_t mask = ((diff | (0u - diff)) >> 31) - 1u;
        for (int w = 0; w < 8; w++) {
            out->x[w] |= tab[i].x[w] & mask;
            out->y[w] |= tab[i].y[w] & mask;
        }
    }
}

/* Signed digit d (odd, |d| < 32) -> tab index (|d| - 1) / 2 and sign mask; no branch. */
static void digit_point(aff_t *out, const aff_t *tab, int32_t d) {
    uint32_t sign = (uint32_t)(d >> 31);
    uint32_t mag = ((uint32_t)d ^ sign) - sign;
    lookup_ct(out, tab, 16, (mag - 1) >> 1);
    fe_cneg(out->y, out->y, sign);
}

int p256_ecdh(uint8_t out[32], const uint8_t priv[32], const uint8_t peer[64], void *scratch) {
    aff_t q, pt;
    fe k, t;
    if (!point_from_bytes(&q, peer)) {
        return P256_BAD_POINT;
    }
    from_bytes(k, priv);
    if (!scalar_in_range(k)) {
        return P256_BAD_SCALAR;
    }
    aff_t *tab = (aff_t *)scratch;
    odd_multiples(tab, 16, &q, (fe *)(tab + 16));
    /* k odd (x(k Q) = x((n - k) Q)), then 52 odd digits in -31..31: k = sum d_i 32^i. */
    sub8(t, N, k);
    cmov(k, t, (k[0] & 1) - 1u);
    int8_t digits[52];
    for (int i = 0; i < 51; i++) {
        int32_t d = (int32_t)(k[0] & 63) - 32;
        uint32_t sign = (uint32_t)(d >> 31);
        set_word(t, ((uint32_t)d ^ sign) - sign);
        fe s;
        sub8(s, k, t);
        add8(k, k, t);
        cmov(k, s, ~sign); /* k - d */
        for (int sh = 0; sh < 5; sh++) {
            rshift1(k);
        }
        digits[i] = (int8_t)d;
    }
    digits[51] = (int8_t)k[0];
    jac_t acc, dbl;
    fe h, s;
    digit_point(&pt, tab, digits[51]);
    jac_set_aff(&acc, &pt);
    for (int i = 50; i >= 0; i--) {
        for (int sh = 0; sh < 5; sh++) {
            jac_dbl(&acc, &acc);
        }
        digit_point(&pt, tab, digits[i]);
        madd_diffs(h, s, &acc, &pt);
        if (i) {
            madd_finish(&acc, &acc, h, s);
        } else {
            /* k = n - 2|d0| makes the last addition a doubling: compute both, keep one. */
            uint32_t same = zero_mask(h) & zero_mask(s);
            jac_dbl(&dbl, &acc);
            madd_finish(&acc, &acc, h, s);
            cmov(acc.x, dbl.x, same);
            cmov(acc.y, dbl.y, same);
            cmov(acc.z, dbl.z, same);
        }
    }
    fe_inv(t, acc.z);
    fe_sqr(t, t);
    fe_mul(t, acc.x, t);
    to_bytes(out, t);
    return P256_OK;
}

/* ------------------------------------------------------ key generation */

/* r = p + q, Renes-Costello-Batina complete mixed addition (a = -3), projective; r may be p. */
static void rcb_madd(jac_t *r, const jac_t *p, const aff_t *q) {
    fe t0, t1, t2, t3, t4, x3, y3, z3;
    fe_mul(t0, p->x, q->x);
    fe_mul(t1, p->y, q->y);
    fe_add(t3, q->x, q->y);
    fe_add(t4, p->x, p->y);
    fe_mul(t3, t3, t4);
    fe_add(t4, t0, t1);
    fe_sub(t3, t3, t4);
    fe_mul(t4, q->y, p->z);
    fe_add(t4, t4, p->y);
    fe_mul(y3, q->x, p->z);
    fe_add(y3, y3, p->x);
    fe_mul(z3, B, p->z);
    fe_sub(x3, y3, z3);
    fe_add(z3, x3, x3);
    fe_add(x3, x3, z3);
    fe_sub(z3, t1, x3);
    fe_add(x3, t1, x3);
    fe_mul(y3, B, y3);
    fe_add(t1, p->z, p->z);
    fe_add(t2, t1, p->z);
    fe_sub(y3, y3, t2);
    fe_sub(y3, y3, t0);
    fe_add(t1, y3, y3);
    fe_add(y3, t1, y3);
    fe_add(t1, t0, t0);
    fe_add(t0, t1, t0);
    fe_sub(t0, t0, t2);
    fe_mul(t1, t4, y3);
    fe_mul(t2, t0, y3);
    fe_mul(y3, x3, z3);
    fe_add(r->y, y3, t2);
    fe_mul(x3, t3, x3);
    fe_sub(r->x, x3, t1);
    fe_mul(z3, t4, z3);
    fe_mul(t1, t3, t0);
    fe_add(r->z, z3, t1);
}

/* r = 2 p, Renes-Costello-Batina complete doubling (a = -3), projective; r may be p. */
static void rcb_dbl(jac_t *r, const jac_t *p) {
    fe t0, t1, t2, t3, x3, y3, z3;
    fe_sqr(t0, p->x);
    fe_sqr(t1, p->y);
    fe_sqr(t2, p->z);
    fe_mul(t3, p->x, p->y);
    fe_add(t3, t3, t3);
    fe_mul(z3, p->x, p->z);
    fe_add(z3, z3, z3);
    fe_mul(y3, B, t2);
    fe_sub(y3, y3, z3);
    fe_add(x3, y3, y3);
    fe_add(y3, x3, y3);
    fe_sub(x3, t1, y3);
    fe_add(y3, t1, y3);
    fe_mul(y3, x3, y3);
    fe_mul(x3, x3, t3);
    fe_add(t3, t2, t2);
    fe_add(t2, t2, t3);
    fe_mul(z3, B, z3);
    fe_sub(z3, z3, t2);
    fe_sub(z3, z3, t0);
    fe_add(t3, z3, z3);
    fe_add(z3, z3, t3);
    fe_add(t3, t0, t0);
    fe_add(t0, t3, t0);
    fe_sub(t0, t0, t2);
    fe_mul(t0, t0, z3);
    fe_add(y3, y3, t0);
    fe_mul(t0, p->y, p->z);
    fe_add(t0, t0, t0);
    fe_mul(z3, t0, z3);
    fe_sub(r->x, x3, z3);
    fe_add(z3, t0, t0);
    fe_add(z3, z3, z3);
    fe_mul(r->z, z3, t1);
    cpy(r->y, y3);
}

/* The G comb entry of column value c, read in constant time, negated by mask. */
static void g_comb_point_ct(aff_t *out, uint32_t c, uint32_t neg) {
    uint32_t top = c >> (P256_COMB_TEETH - 1);
    uint32_t flip = top - 1u; /* all ones when the top tooth is -1: entry of ~c, negated */
    uint32_t idx = (c ^ flip) & (P256_COMB_POINTS - 1);
    lookup_ct(out, (const aff_t *)P256_G_COMB, P256_COMB_POINTS, idx);
    fe_cneg(out->y, out->y, flip ^ neg);
}

int p256_public_key(uint8_t out[64], const uint8_t priv[32]) {
    fe k, zi;
    from_bytes(k, priv);
    if (!scalar_in_range(k)) {
        return P256_BAD_SCALAR;
    }
    uint32_t b[9];
    uint32_t neg = comb_recode(b, k);
    jac_t acc;
    aff_t pt;
    set_word(acc.x, 0);
    set_word(acc.y, 1);
    set_word(acc.z, 0);
    for (int j = P256_COMB_SPACING - 1; j >= 0; j--) {
        if (j < P256_COMB_SPACING - 1) {
            rcb_dbl(&acc, &acc);
        }
        g_comb_point_ct(&pt, comb_column(b, j), neg);
        rcb_madd(&acc, &acc, &pt);
    }
    fe_inv(zi, acc.z);
    fe_mul(acc.x, acc.x, zi);
    fe_mul(acc.y, acc.y, zi);
    to_bytes(out, acc.x);
    to_bytes(out + 32, acc.y);
    return P256_OK;
}
