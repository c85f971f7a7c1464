// RV64I shifts: SLL/SRL/SRA/SLLI/SRLI/SRAI for every amount 0..63 and
// SLLW/SRLW/SRAW/SLLIW/SRLIW/SRAIW for every amount 0..31.
//
// The register forms are compared against a reference built from single
// steps (x + x for a left shift, a shift by one for right shifts; the
// one-step shifts are themselves checked against constants first), and with
// the upper bits of rs2 set (they must be ignored). The immediate forms are
// unrolled with .rept and compared against the register forms.
#include "common.h"

#define V1 0x8123456789abcdef
#define V2 0x7edcba9876543210

// Register forms, 64-bit: x in s1, n in s0.
.macro REG_SHIFTS x, base
    li s1, \x
    li s0, 0
1:  li TESTNUM, \base
    add TESTNUM, TESTNUM, s0
    ori a1, s0, -64             // same amount, bits 6..63 set
    // SLL reference: double n times
    mv s2, s1
    mv s3, s0
2:  beqz s3, 3f
    add s2, s2, s2
    addi s3, s3, -1
    j 2b
3:  sll a0, s1, s0
    bne a0, s2, fail
    sll a0, s1, a1
    bne a0, s2, fail
    // SRL reference: logical shift by one, n times
    mv s2, s1
    mv s3, s0
2:  beqz s3, 3f
    srli s2, s2, 1
    addi s3, s3, -1
    j 2b
3:  srl a0, s1, s0
    bne a0, s2, fail
    srl a0, s1, a1
    bne a0, s2, fail
    // SRA reference: arithmetic shift by one, n times
    mv s2, s1
    mv s3, s0
2:  beqz s3, 3f
    srai s2, s2, 1
    addi s3, s3, -1
    j 2b
3:  sra a0, s1, s0
    bne a0, s2, fail
    sra a0, s1, a1
    bne a0, s2, fail
    addi s0, s0, 1
    li a2, 64
    blt s0, a2, 1b
.endm

// Register forms, 32-bit: x in s1, n in s0 (0..31).
.macro REG_SHIFTS_W x, base
    li s1, \x
    li s0, 0
1:  li TESTNUM, \base
    add TESTNUM, TESTNUM, s0
    ori a1, s0, -32             // same amount, bits 5..63 set
    // SLLW reference: sign-extended doubling
    addiw s2, s1, 0
    mv s3, s0
2:  beqz s3, 3f
    addw s2, s2, s2
    addi s3, s3, -1
    j 2b
3:  sllw a0, s1, s0
    bne a0, s2, fail
    sllw a0, s1, a1
    bne a0, s2, fail
    // SRLW reference: zero-extend the low word, shift, sign-extend
    slli s2, s1, 32
    srli s2, s2, 32
    mv s3, s0
2:  beqz s3, 3f
    srli s2, s2, 1
    addi s3, s3, -1
    j 2b
3:  addiw s2, s2, 0
    srlw a0, s1, s0
    bne a0, s2, fail
    srlw a0, s1, a1
    bne a0, s2, fail
    // SRAW reference: sign-extend the low word, arithmetic shifts
    addiw s2, s1, 0
    mv s3, s0
2:  beqz s3, 3f
    srai s2, s2, 1
    addi s3, s3, -1
    j 2b
3:  sraw a0, s1, s0
    bne a0, s2, fail
    sraw a0, s1, a1
    bne a0, s2, fail
    addi s0, s0, 1
    li a2, 32
    blt s0, a2, 1b
.endm

// Immediate forms against register forms, every amount.
.macro IMM_SHIFTS x, base
    li s1, \x
    .set shn, 0
    .rept 64
    li TESTNUM, \base + shn
    li a2, shn
    sll a3, s1, a2
    slli a0, s1, shn
    bne a0, a3, fail
    srl a3, s1, a2
    srli a0, s1, shn
    bne a0, a3, fail
    sra a3, s1, a2
    srai a0, s1, shn
    bne a0, a3, fail
    .set shn, shn + 1
    .endr
.endm

.macro IMM_SHIFTS_W x, base
    li s1, \x
    .set shn, 0
    .rept 32
    li TESTNUM, \base + shn
    li a2, shn
    sllw a3, s1, a2
    slliw a0, s1, shn
    bne a0, a3, fail
    srlw a3, s1, a2
    srliw a0, s1, shn
    bne a0, a3, fail
    sraw a3, s1, a2
    sraiw a0, s1, shn
    bne a0, a3, fail
    .set shn, shn + 1
    .endr
.endm

    TEST_BEGIN

    // ---- the one-step references and some constants ----
    li a1, V1
    add a0, a1, a1
    CHECK a0, 0x02468acf13579bde, 1
    srli a0, a1, 1
    CHECK a0, 0x4091a2b3c4d5e6f7, 2
    srai a0, a1, 1
    CHECK a0, 0xc091a2b3c4d5e6f7, 3
    li a1, V2
    srli a0, a1, 1
    CHECK a0, 0x3f6e5d4c3b2a1908, 4
    srai a0, a1, 1
    CHECK a0, 0x3f6e5d4c3b2a1908, 5
    addw a0, a1, a1
    CHECK a0, 0xffffffffeca86420, 6
    li a1, V1
    slli a0, a1, 63
    CHECK a0, 0x8000000000000000, 7
    srli a0, a1, 63
    CHECK a0, 1, 8
    srai a0, a1, 63
    CHECK a0, -1, 9
    slli a0, a1, 0
    CHECK a0, V1, 10
    srai a0, a1, 0
    CHECK a0, V1, 11
    slli a0, a1, 4
    CHECK a0, 0x123456789abcdef0, 12
    srli a0, a1, 4
    CHECK a0, 0x08123456789abcde, 13
    srai a0, a1, 4
    CHECK a0, 0xf8123456789abcde, 14
    srai a0, a1, 32
    CHECK a0, 0xffffffff81234567, 15

    // ---- W forms: constants and sign extension ----
    li a1, 1
    slliw a0, a1, 31
    CHECK a0, 0xffffffff80000000, 20
    li a2, 31
    sllw a0, a1, a2
    CHECK a0, 0xffffffff80000000, 21
    li a1, 0x0000000080000000
    srliw a0, a1, 0
    CHECK a0, 0xffffffff80000000, 22
    srliw a0, a1, 1
    CHECK a0, 0x40000000, 23
    sraiw a0, a1, 1
    CHECK a0, 0xffffffffc0000000, 24
    sraiw a0, a1, 31
    CHECK a0, -1, 25
    srliw a0, a1, 31
    CHECK a0, 1, 26
    li a1, 0x12345678ffffffff     // upper half ignored
    srliw a0, a1, 4
    CHECK a0, 0x0fffffff, 27
    sraiw a0, a1, 4
    CHECK a0, -1, 28
    slliw a0, a1, 4
    CHECK a0, 0xfffffffffffffff0, 29
    li a1, V1
    slliw a0, a1, 8
    CHECK a0, 0xffffffffabcdef00, 30
    srlw a0, a1, zero
    CHECK a0, 0xffffffff89abcdef, 31
    li a2, 33                     // low 5 bits = 1
    srlw a0, a1, a2
    CHECK a0, 0x44d5e6f7, 32
    sraw a0, a1, a2
    CHECK a0, 0xffffffffc4d5e6f7, 33

    // ---- every amount ----
    REG_SHIFTS V1, 1000
    REG_SHIFTS V2, 1100
    REG_SHIFTS_W V1, 1200
    REG_SHIFTS_W V2, 1300
    IMM_SHIFTS V1, 2000
    IMM_SHIFTS V2, 2100
    IMM_SHIFTS_W V1, 2200
    IMM_SHIFTS_W V2, 2300

    // ---- signatures: every shift of V1 by 0..63, folded ----
    li s1, V1
    li s0, 0
    li s2, 0
    li s3, 0
    li s4, 0
    li s5, 0
1:  slli a2, s2, 1              // s2 = 3 * s2 + sll(V1, n)
    add s2, s2, a2
    sll a0, s1, s0
    add s2, s2, a0
    slli a2, s3, 1
    add s3, s3, a2
    srl a0, s1, s0
    add s3, s3, a0
    slli a2, s4, 1
    add s4, s4, a2
    sra a0, s1, s0
    add s4, s4, a0
    slli a2, s5, 1
    add s5, s5, a2
    sraw a0, s1, s0
    add s5, s5, a0
    srlw a0, s1, s0
    xor s5, s5, a0
    sllw a0, s1, s0
    add s5, s5, a0
    addi s0, s0, 1
    li a1, 64
    blt s0, a1, 1b
    SIG s2
    SIG s3
    SIG s4
    SIG s5

    TEST_END
