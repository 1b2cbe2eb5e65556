/* 256 x 256 -> 512-bit multiplication and squaring for the Cortex-M0+ (armv6-m, Thumb-1).
 *
 * The core has a single-cycle 32 x 32 -> 32 multiply and nothing wider, and C
 * compilers spill 64-bit accumulators to the stack on its eight low registers.
 * So: the operands are read as sixteen 16-bit digits, and the product is built
 * column by column (product scanning). Each 16 x 16 product fits in 32 bits; a
 * column sums at most 16 of them plus the carry in, which stays below 2^37, held
 * in a register pair (low word, high word), and an accumulation is adds/adcs.
 * Both build two columns at a time, so that each digit of a is loaded once for
 * two products (ldrh a; ldrh b, muls, adds, adcs; ldrh b, muls, adds, adcs:
 * 6 cycles a product); the squaring sums each cross product once and doubles.
 * The columns are written out by assembler macros. No secret-dependent branch.
 *
 *   void p256_mul256(uint32_t r[16], const uint32_t a[8], const uint32_t b[8]);
 *   void p256_sqr256(uint32_t r[16], const uint32_t a[8]);
 */
    .syntax unified
    .thumb
    .text

/* p256_mul256 registers: r0 = a copy of a (bytes 0-31) and b (bytes 32-63) on the stack,
 * r1 = a digit, r2 = a product, r3 = 0, r4:r5 = column k, r6:r7 = column k + 1, r8 = r. */

/* column k += a[i] b[k - i], column k + 1 += a[i] b[k + 1 - i] */
.macro MAC2 i, k
    ldrh r1, [r0, #2*(\i)]
    ldrh r2, [r0, #32+2*((\k)-(\i))]
    muls r2, r1, r2
    adds r4, r4, r2
    adcs r5, r5, r3
    ldrh r2, [r0, #32+2*((\k)+1-(\i))]
    muls r2, r1, r2
    adds r6, r6, r2
    adcs r7, r7, r3
.endm

/* column k += a[i] b[k - i] */
.macro MAC_LO i, k
    ldrh r1, [r0, #2*(\i)]
    ldrh r2, [r0, #32+2*((\k)-(\i))]
    muls r2, r1, r2
    adds r4, r4, r2
    adcs r5, r5, r3
.endm

/* column k + 1 += a[i] b[k + 1 - i] */
.macro MAC_HI i, k
    ldrh r1, [r0, #2*(\i)]
    ldrh r2, [r0, #32+2*((\k)+1-(\i))]
    muls r2, r1, r2
    adds r6, r6, r2
    adcs r7, r7, r3
.endm

.macro MAC2_RANGE k, i, hi
    MAC2 \i, \k
    .if (\i) < (\hi)
    MAC2_RANGE \k, (\i)+1, \hi
    .endif
.endm

/* Digits k and k + 1 of the result; the carry moves to column k + 2 (r4:r5). */
.macro PAIR_END k
    mov r1, r8
    strh r4, [r1, #2*(\k)]
    lsrs r4, r4, #16
    lsls r2, r5, #16
    orrs r4, r4, r2
    adds r6, r6, r4
    adcs r7, r7, r3
    strh r6, [r1, #2*(\k)+2]
    lsrs r4, r6, #16
    lsls r2, r7, #16
    orrs r4, r4, r2
    movs r5, #0
    movs r6, #0
    movs r7, #0
.endm

/* Columns k and k + 1 (k even). Column k takes i in [max(0, k - 15), min(k, 15)],
 * column k + 1 i in [max(0, k - 14), min(k + 1, 15)]: one i belongs to one column only. */
.macro MUL_PAIRS k
    .if (\k) < 15
    MAC2_RANGE \k, 0, \k
    MAC_HI (\k)+1, \k
    .else
    MAC_LO (\k)-15, \k
    .if (\k) < 30
    MAC2_RANGE \k, (\k)-14, 15
    .endif
    .endif
    PAIR_END \k
    .if (\k) < 30
    MUL_PAIRS (\k)+2
    .endif
.endm

/* p256_sqr256 registers: r0 = a, r1 = a digit, r2 = a product, r3 = 0, r4:r5 = the cross
 * products of column k, r6:r7 those of column k + 1, r8 = r, r9 = the carry between pairs. */

/* column k += a[i] a[k - i], column k + 1 += a[i] a[k + 1 - i] */
.macro SQMAC2 i, k
    ldrh r1, [r0, #2*(\i)]
    ldrh r2, [r0, #2*((\k)-(\i))]
    muls r2, r1, r2
    adds r4, r4, r2
    adcs r5, r5, r3
    ldrh r2, [r0, #2*((\k)+1-(\i))]
    muls r2, r1, r2
    adds r6, r6, r2
    adcs r7, r7, r3
.endm

.macro SQMAC_LO i, k
    ldrh r1, [r0, #2*(\i)]
    ldrh r2, [r0, #2*((\k)-(\i))]
    muls r2, r1, r2
    adds r4, r4, r2
    adcs r5, r5, r3
.endm

.macro SQMAC_HI i, k
    ldrh r1, [r0, #2*(\i)]
    ldrh r2, [r0, #2*((\k)+1-(\i))]
    muls r2, r1, r2
    adds r6, r6, r2
    adcs r7, r7, r3
.endm

.macro SQMAC2_RANGE k, i, hi
    SQMAC2 \i, \k
    .if (\i) < (\hi)
    SQMAC2_RANGE \k, (\i)+1, \hi
    .endif
.endm

/* Digits k and k + 1 (k even): 2 (cross products) + a[k/2]^2 + carry, then 2 (cross) + carry. */
.macro SQR_PAIR_END k
    adds r4, r4, r4
    adcs r5, r5, r5
    ldrh r1, [r0, #(\k)]
    muls r1, r1, r1
    adds r4, r4, r1
    adcs r5, r5, r3
    mov r1, r9
    adds r4, r4, r1
    adcs r5, r5, r3
    mov r1, r8
    strh r4, [r1, #2*(\k)]
    lsrs r4, r4, #16
    lsls r2, r5, #16
    orrs r4, r4, r2
    adds r6, r6, r6
    adcs r7, r7, r7
    adds r6, r6, r4
    adcs r7, r7, r3
    strh r6, [r1, #2*(\k)+2]
    lsrs r6, r6, #16
    lsls r2, r7, #16
    orrs r6, r6, r2
    mov r9, r6
    movs r4, #0
    movs r5, #0
    movs r6, #0
    movs r7, #0
.endm

/* Cross products of columns k and k + 1 (k even): column k takes i in [max(0, k - 15),
 * k/2 - 1], column k + 1 i in [max(0, k - 14), k/2] (i < the other index); both from
 * max(0, k - 14) to k/2 - 1, which is empty for k = 0 and k >= 28. */
.macro SQR_PAIRS k
    .if (\k) >= 16 && (\k) <= 28
    SQMAC_LO (\k)-15, \k
    .endif
    .if (\k) >= 2
    .if (\k) < 16
    SQMAC2_RANGE \k, 0, (\k)/2-1
    .else
    .if (\k) <= 26
    SQMAC2_RANGE \k, (\k)-14, (\k)/2-1
    .endif
    .endif
    .endif
    .if (\k) <= 28
    SQMAC_HI (\k)/2, \k
    .endif
    SQR_PAIR_END \k
    .if (\k) < 30
    SQR_PAIRS (\k)+2
    .endif
.endm

    .global p256_mul256
    .type p256_mul256, %function
    .thumb_func
p256_mul256:
    push {r4, r5, r6, r7, lr}
    mov r3, r8
    push {r3}
    sub sp, #64
    mov r8, r0
    mov r0, sp
    ldmia r1!, {r3, r4, r5, r6}
    stmia r0!, {r3, r4, r5, r6}
    ldmia r1!, {r3, r4, r5, r6}
    stmia r0!, {r3, r4, r5, r6}
    ldmia r2!, {r3, r4, r5, r6}
    stmia r0!, {r3, r4, r5, r6}
    ldmia r2!, {r3, r4, r5, r6}
    stmia r0!, {r3, r4, r5, r6}
    mov r0, sp
    movs r3, #0
    movs r4, #0
    movs r5, #0
    movs r6, #0
    movs r7, #0
    MUL_PAIRS 0
    add sp, #64
    pop {r3}
    mov r8, r3
    pop {r4, r5, r6, r7, pc}
    .size p256_mul256, . - p256_mul256

    .global p256_sqr256
    .type p256_sqr256, %function
    .thumb_func
p256_sqr256:
    push {r4, r5, r6, r7, lr}
    mov r2, r8
    mov r3, r9
    push {r2, r3}
    mov r8, r0
    mov r0, r1
    movs r3, #0
    mov r9, r3
    movs r4, #0
    movs r5, #0
    movs r6, #0
    movs r7, #0
    SQR_PAIRS 0
    pop {r2, r3}
    mov r8, r2
    mov r9, r3
    pop {r4, r5, r6, r7, pc}
    .size p256_sqr256, . - p256_sqr256

/* ----------------------------------------------------------------------------------
 * 256-bit additions. The carry chain lives in the C flag across ldr/str (which do
 * not touch it); each word is ldr, ldr, adcs/sbcs, str.
 */

/* uint32_t p256_add8(uint32_t r[8], const uint32_t a[8], const uint32_t b[8]): r = a + b, returns the carry */
    .global p256_add8
    .type p256_add8, %function
    .thumb_func
p256_add8:
    push {r4, lr}
    ldr r3, [r1, #0]
    ldr r4, [r2, #0]
    adds r3, r3, r4
    str r3, [r0, #0]
    .irp o, 4, 8, 12, 16, 20, 24, 28
    ldr r3, [r1, #\o]
    ldr r4, [r2, #\o]
    adcs r3, r3, r4
    str r3, [r0, #\o]
    .endr
    movs r0, #0
    adcs r0, r0, r0
    pop {r4, pc}
    .size p256_add8, . - p256_add8

/* uint32_t p256_sub8(uint32_t r[8], const uint32_t a[8], const uint32_t b[8]): r = a - b, returns the borrow */
    .global p256_sub8
    .type p256_sub8, %function
    .thumb_func
p256_sub8:
    push {r4, lr}
    ldr r3, [r1, #0]
    ldr r4, [r2, #0]
    subs r3, r3, r4
    str r3, [r0, #0]
    .irp o, 4, 8, 12, 16, 20, 24, 28
    ldr r3, [r1, #\o]
    ldr r4, [r2, #\o]
    sbcs r3, r3, r4
    str r3, [r0, #\o]
    .endr
    movs r0, #0
    adcs r0, r0, r0
    movs r1, #1
    eors r0, r0, r1
    pop {r4, pc}
    .size p256_sub8, . - p256_sub8

/* uint32_t p256_add8_masked(uint32_t r[8], const uint32_t a[8], const uint32_t b[8], uint32_t mask):
 * r = a + (b & mask), returns the carry */
    .global p256_add8_masked
    .type p256_add8_masked, %function
    .thumb_func
p256_add8_masked:
    push {r4, r5, lr}
    ldr r4, [r2, #0]
    ands r4, r4, r3
    ldr r5, [r1, #0]
    adds r5, r5, r4
    str r5, [r0, #0]
    .irp o, 4, 8, 12, 16, 20, 24, 28
    ldr r4, [r2, #\o]
    ands r4, r4, r3
    ldr r5, [r1, #\o]
    adcs r5, r5, r4
    str r5, [r0, #\o]
    .endr
    movs r0, #0
    adcs r0, r0, r0
    pop {r4, r5, pc}
    .size p256_add8_masked, . - p256_add8_masked

/* r += p & mask, p = ffffffff 00000001 0 0 0 ffffffff ffffffff ffffffff (words 7..0);
 * r3 = mask, r6 = 0; clobbers r2, r4. */
.macro ADD_P_MASKED
    movs r2, #1
    ands r2, r2, r3
    ldr r4, [r0, #0]
    adds r4, r4, r3
    str r4, [r0, #0]
    ldr r4, [r0, #4]
    adcs r4, r4, r3
    str r4, [r0, #4]
    ldr r4, [r0, #8]
    adcs r4, r4, r3
    str r4, [r0, #8]
    .irp o, 12, 16, 20
    ldr r4, [r0, #\o]
    adcs r4, r4, r6
    str r4, [r0, #\o]
    .endr
    ldr r4, [r0, #24]
    adcs r4, r4, r2
    str r4, [r0, #24]
    ldr r4, [r0, #28]
    adcs r4, r4, r3
    str r4, [r0, #28]
.endm

/* r = r - p if r >= p (r < 2p): subtract p, add it back on a borrow. r0 = r; r6 = 0;
 * clobbers r1-r5. */
.macro SUB_P_IF_GE
    movs r5, #0
    mvns r5, r5
    movs r1, #1
    ldr r4, [r0, #0]
    subs r4, r4, r5
    str r4, [r0, #0]
    ldr r4, [r0, #4]
    sbcs r4, r4, r5
    str r4, [r0, #4]
    ldr r4, [r0, #8]
    sbcs r4, r4, r5
    str r4, [r0, #8]
    .irp o, 12, 16, 20
    ldr r4, [r0, #\o]
    sbcs r4, r4, r6
    str r4, [r0, #\o]
    .endr
    ldr r4, [r0, #24]
    sbcs r4, r4, r1
    str r4, [r0, #24]
    ldr r4, [r0, #28]
    sbcs r4, r4, r5
    str r4, [r0, #28]
.endm

/* void p256_fe_add(uint32_t r[8], const uint32_t a[8], const uint32_t b[8]): r = a + b mod p (a, b < p) */
    .global p256_fe_add
    .type p256_fe_add, %function
    .thumb_func
p256_fe_add:
    push {r4, r5, r6, r7, lr}
    ldr r3, [r1, #0]
    ldr r4, [r2, #0]
    adds r3, r3, r4
    str r3, [r0, #0]
    .irp o, 4, 8, 12, 16, 20, 24, 28
    ldr r3, [r1, #\o]
    ldr r4, [r2, #\o]
    adcs r3, r3, r4
    str r3, [r0, #\o]
    .endr
    movs r7, #0
    adcs r7, r7, r7         /* carry of a + b */
    movs r6, #0
    SUB_P_IF_GE
    movs r3, #0
    adcs r3, r3, r3         /* 1: no borrow */
    orrs r3, r3, r7
    subs r3, r3, #1         /* all ones: a + b < p, add p back */
    ADD_P_MASKED
    pop {r4, r5, r6, r7, pc}
    .size p256_fe_add, . - p256_fe_add

/* void p256_fe_sub(uint32_t r[8], const uint32_t a[8], const uint32_t b[8]): r = a - b mod p (a, b < p) */
    .global p256_fe_sub
    .type p256_fe_sub, %function
    .thumb_func
p256_fe_sub:
    push {r4, r5, r6, lr}
    ldr r3, [r1, #0]
    ldr r4, [r2, #0]
    subs r3, r3, r4
    str r3, [r0, #0]
    .irp o, 4, 8, 12, 16, 20, 24, 28
    ldr r3, [r1, #\o]
    ldr r4, [r2, #\o]
    sbcs r3, r3, r4
    str r3, [r0, #\o]
    .endr
    movs r3, #0
    adcs r3, r3, r3
    subs r3, r3, #1         /* all ones on a borrow */
    movs r6, #0
    ADD_P_MASKED
    pop {r4, r5, r6, pc}
    .size p256_fe_sub, . - p256_fe_sub

/* ----------------------------------------------------------------------------------
 * void p256_reduce(uint32_t r[8], const uint32_t c[16]): r = c mod p (Solinas, FIPS 186-4 D.2.3).
 * Word j of s1 + 2 s2 + 2 s3 + s4 + s5 - d1 - d2 - d3 - d4 in r2 (low) : r3 (signed high),
 * r5 = 0; then two folds of the carry (2^256 = 2^224 - 2^192 - 2^96 + 1 mod p) leave
 * 0 <= r < 2^256, and one conditional subtraction of p.
 */
.macro RADD i
    ldr r4, [r1, #4*(\i)]
    adds r2, r2, r4
    adcs r3, r3, r5
.endm
.macro RSUB i
    ldr r4, [r1, #4*(\i)]
    subs r2, r2, r4
    sbcs r3, r3, r5
.endm
/* store word j, carry the signed high word down */
.macro REND j
    str r2, [r0, #4*(\j)]
    movs r2, r3
    asrs r3, r3, #31
.endm
/* r += F * (2^224 - 2^192 - 2^96 + 1) + (r6 sign-extended to 256 bits ...): adds the signed
 * carry r6 (sign r7) at words 0 and 7, subtracts it at words 3 and 6; r2 = new carry. */
.macro FOLD
    asrs r7, r6, #31
    ldr r2, [r0, #0]
    movs r3, #0
    adds r2, r2, r6
    adcs r3, r3, r7
    REND 0
    .irp w, 1, 2
    ldr r4, [r0, #4*\w]
    adds r2, r2, r4
    adcs r3, r3, r5
    REND \w
    .endr
    ldr r4, [r0, #12]
    adds r2, r2, r4
    adcs r3, r3, r5
    subs r2, r2, r6
    sbcs r3, r3, r7
    REND 3
    .irp w, 4, 5
    ldr r4, [r0, #4*\w]
    adds r2, r2, r4
    adcs r3, r3, r5
    REND \w
    .endr
    ldr r4, [r0, #24]
    adds r2, r2, r4
    adcs r3, r3, r5
    subs r2, r2, r6
    sbcs r3, r3, r7
    REND 6
    ldr r4, [r0, #28]
    adds r2, r2, r4
    adcs r3, r3, r5
    adds r2, r2, r6
    adcs r3, r3, r7
    str r2, [r0, #28]
    movs r6, r3
.endm

    .global p256_reduce
    .type p256_reduce, %function
    .thumb_func
p256_reduce:
    push {r4, r5, r6, r7, lr}
    movs r5, #0
    /* word 0: c0 + c8 + c9 - c11 - c12 - c13 - c14 */
    ldr r2, [r1, #0]
    movs r3, #0
    RADD 8
    RADD 9
    RSUB 11
    RSUB 12
    RSUB 13
    RSUB 14
    REND 0
    /* word 1: c1 + c9 + c10 - c12 - c13 - c14 - c15 */
    RADD 1
    RADD 9
    RADD 10
    RSUB 12
    RSUB 13
    RSUB 14
    RSUB 15
    REND 1
    /* word 2: c2 + c10 + c11 - c13 - c14 - c15 */
    RADD 2
    RADD 10
    RADD 11
    RSUB 13
    RSUB 14
    RSUB 15
    REND 2
    /* word 3: c3 + 2 c11 + 2 c12 + c13 - c15 - c8 - c9 */
    RADD 3
    RADD 11
    RADD 11
    RADD 12
    RADD 12
    RADD 13
    RSUB 15
    RSUB 8
    RSUB 9
    REND 3
    /* word 4: c4 + 2 c12 + 2 c13 + c14 - c9 - c10 */
    RADD 4
    RADD 12
    RADD 12
    RADD 13
    RADD 13
    RADD 14
    RSUB 9
    RSUB 10
    REND 4
    /* word 5: c5 + 2 c13 + 2 c14 + c15 - c10 - c11 */
    RADD 5
    RADD 13
    RADD 13
    RADD 14
    RADD 14
    RADD 15
    RSUB 10
    RSUB 11
    REND 5
    /* word 6: c6 + 3 c14 + 2 c15 + c13 - c8 - c9 */
    RADD 6
    RADD 14
    RADD 14
    RADD 14
    RADD 15
    RADD 15
    RADD 13
    RSUB 8
    RSUB 9
    REND 6
    /* word 7: c7 + 3 c15 + c8 - c10 - c11 - c12 - c13 */
    RADD 7
    RADD 15
    RADD 15
    RADD 15
    RADD 8
    RSUB 10
    RSUB 11
    RSUB 12
    RSUB 13
    str r2, [r0, #28]
    movs r6, r3
    FOLD
    FOLD
    movs r6, #0
    SUB_P_IF_GE
    movs r3, #0
    adcs r3, r3, r3
    subs r3, r3, #1         /* all ones on a borrow: r was < p, add p back */
    ADD_P_MASKED
    pop {r4, r5, r6, r7, pc}
    .size p256_reduce, . - p256_reduce
