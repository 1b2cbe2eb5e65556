/* NIST P-256 (secp256r1) in portable C99 for the firmware's native module.
 *
 * No libc, no allocation, no MicroPython: the bindings (p256_native.c) own the
 * buffers. Numbers cross this interface as 32-byte big-endian strings, points
 * as 64-byte x || y (big-endian, no 0x04 prefix), comb tables as opaque blobs
 * of P256_COMB_BYTES built by p256_comb_table() on the same machine.
 *
 * Secret scalars (p256_ecdh, p256_public_key) run in constant time: no branch
 * and no memory index depends on a secret bit. Verification handles public
 * data only and takes the faster data-dependent paths.
 */
#ifndef P256_H
#define P256_H

#include <stdint.h>

#define P256_COMB_TEETH 7
#define P256_COMB_SPACING 37 /* 7 x 37 = 259 >= 256 bits */
#define P256_COMB_POINTS 64  /* 2^(teeth - 1): the signed comb halves the table */
#define P256_COMB_BYTES (P256_COMB_POINTS * 64)

/* Scratch the caller provides (the MicroPython heap, not the small C stack). */
#define P256_VERIFY_SCRATCH (8 * 64 + 7 * 32)  /* 8 odd multiples of Q, affine, + 7 co-Z factors */
#define P256_ECDH_SCRATCH (16 * 64 + 15 * 32)  /* 16 odd multiples + 15 co-Z factors */
#define P256_COMB_SCRATCH (32 * 96 + 32 * 32 + 13 * 64) /* 32 Jacobian points, 32 products, 13 teeth */

/* Return codes. */
#define P256_OK 0
#define P256_BAD_POINT 1  /* not a point of the curve (or coordinates >= p) */
#define P256_BAD_SCALAR 2 /* scalar not in [1, n - 1] */
#define P256_BAD_SIG 3    /* signature does not verify, or r, s out of range */

/* ECDSA: does sig = r || s (64 bytes) sign digest (32 bytes) under pub? */
int p256_verify(const uint8_t pub[64], const uint8_t digest[32], const uint8_t sig[64], void *scratch);

/* Same with a key whose comb table p256_comb_table() built. */
int p256_verify_comb(const uint8_t *table, const uint8_t digest[32], const uint8_t sig[64]);

/* Validates pub and writes its comb table (P256_COMB_BYTES) into table. */
int p256_comb_table(uint8_t *table, const uint8_t pub[64], void *scratch);

/* x(priv * peer), 32 bytes; validates peer; constant time in priv. */
int p256_ecdh(uint8_t out[32], const uint8_t priv[32], const uint8_t peer[64], void *scratch);

/* priv * G as x || y; constant time in priv. */
int p256_public_key(uint8_t out[64], const uint8_t priv[32]);

#endif
