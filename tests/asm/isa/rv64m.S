// RV64M: MUL, MULH, MULHSU, MULHU, MULW, DIV, DIVU, REM, REMU, DIVW, DIVUW,
// REMW, REMUW.
//   - division by zero: quotient all ones, remainder = dividend
//     (for the W forms: the sign-extended low word of the dividend);
//   - signed overflow MIN / -1: quotient MIN, remainder 0;
//   - division rounds toward zero, the remainder has the dividend's sign;
//   - W forms use the low 32 bits of the operands and sign-extend the result.
// Part 1 checks the special cases one by one; part 2 runs a table of
// operand pairs with the expected results of all 13 instructions (computed
// from the definitions above); part 3 prints a sweep for differential
// testing.
#include "common.h"

#define MIN64 0x8000000000000000
#define MAX64 0x7fffffffffffffff

    TEST_BEGIN

    // ---- part 1: special cases ----
    // multiplication
    li a1, 6
    li a2, -7
    mul a0, a1, a2
    CHECK a0, -42, 1
    mulh a0, a1, a2                // -42 >> 64 (arithmetic) = -1
    CHECK a0, -1, 2
    mulhu a0, a1, a2               // 6 * (2^64 - 7) >> 64 = 5
    CHECK a0, 5, 3
    mulhsu a0, a1, a2              // same as mulhu: rs1 positive
    CHECK a0, 5, 4
    mulhsu a0, a2, a1              // -7 * 6 >> 64 = -1
    CHECK a0, -1, 5
    li a1, MIN64
    mul a0, a1, a1                 // 2^126 mod 2^64 = 0
    CHECK a0, 0, 6
    mulh a0, a1, a1                // (-2^63)^2 >> 64 = 2^62
    CHECK a0, 0x4000000000000000, 7
    mulhu a0, a1, a1
    CHECK a0, 0x4000000000000000, 8
    mulhsu a0, a1, a1              // -2^63 * 2^63 >> 64 = -2^62
    CHECK a0, 0xc000000000000000, 9
    li a1, -1
    mulhu a0, a1, a1               // (2^64-1)^2 >> 64 = 2^64 - 2
    CHECK a0, -2, 10
    mulh a0, a1, a1                // 1 >> 64 = 0
    CHECK a0, 0, 11
    mulhsu a0, a1, a1              // -1 * (2^64-1) >> 64 = -1
    CHECK a0, -1, 12
    li a1, 0x0000000100000003
    li a2, 0x00000002ffffffff
    mulw a0, a1, a2                // 3 * 0xffffffff = 0x2fffffffd -> low word 0xfffffffd
    CHECK a0, -3, 13
    li a1, 0x10000
    mulw a0, a1, a1                // 2^32 -> low word 0
    CHECK a0, 0, 14
    li a1, 0x10001
    li a2, 0x8000
    mulw a0, a1, a2                // 0x80008000 -> sign-extended
    CHECK a0, 0xffffffff80008000, 15
    // rd overlapping the sources
    li a1, 12
    mul a1, a1, a1
    CHECK a1, 144, 16

    // division by zero
    li a1, 1234
    div a0, a1, zero
    CHECK a0, -1, 20
    divu a0, a1, zero
    CHECK a0, -1, 21
    rem a0, a1, zero
    CHECK a0, 1234, 22
    remu a0, a1, zero
    CHECK a0, 1234, 23
    li a1, -1234
    rem a0, a1, zero
    CHECK a0, -1234, 24
    remu a0, a1, zero
    CHECK a0, -1234, 25
    li a1, 0x1234567880000001
    divw a0, a1, zero
    CHECK a0, -1, 26
    divuw a0, a1, zero
    CHECK a0, -1, 27
    remw a0, a1, zero              // dividend's low word, sign-extended
    CHECK a0, 0xffffffff80000001, 28
    remuw a0, a1, zero
    CHECK a0, 0xffffffff80000001, 29
    li a2, 0x100000000             // low word zero: a W division by zero
    divw a0, a1, a2
    CHECK a0, -1, 30
    remuw a0, a1, a2
    CHECK a0, 0xffffffff80000001, 31

    // signed overflow
    li a1, MIN64
    li a2, -1
    div a0, a1, a2
    CHECK a0, MIN64, 35
    rem a0, a1, a2
    CHECK a0, 0, 36
    divu a0, a1, a2                // unsigned: 2^63 / (2^64-1) = 0
    CHECK a0, 0, 37
    remu a0, a1, a2
    CHECK a0, MIN64, 38
    li a1, 0x0000000080000000
    divw a0, a1, a2
    CHECK a0, 0xffffffff80000000, 39
    remw a0, a1, a2
    CHECK a0, 0, 40
    divuw a0, a1, a2               // 0x80000000 / 0xffffffff = 0
    CHECK a0, 0, 41
    remuw a0, a1, a2
    CHECK a0, 0xffffffff80000000, 42

    // rounding toward zero, remainder sign
    li a1, -7
    li a2, 2
    div a0, a1, a2
    CHECK a0, -3, 45
    rem a0, a1, a2
    CHECK a0, -1, 46
    li a1, 7
    li a2, -2
    div a0, a1, a2
    CHECK a0, -3, 47
    rem a0, a1, a2
    CHECK a0, 1, 48
    divw a0, a1, a2
    CHECK a0, -3, 49
    remw a0, a1, a2
    CHECK a0, 1, 50
    divuw a0, a1, a2               // 7 / 0xfffffffe = 0
    CHECK a0, 0, 51
    remuw a0, a1, a2
    CHECK a0, 7, 52
    li a1, 0x00000005fffffff9      // low word -7 (0xfffffff9)
    li a2, 0xffffffff00000004      // low word 4
    divuw a0, a1, a2               // 4294967289 / 4 = 0x3ffffffe
    CHECK a0, 0x3ffffffe, 53
    remuw a0, a1, a2
    CHECK a0, 1, 54
    divw a0, a1, a2                // -7 / 4 = -1
    CHECK a0, -1, 55
    remw a0, a1, a2
    CHECK a0, -3, 56

    // ---- part 2: the table, 13 results per operand pair ----
    // check number = 1000 + 16 * row + instruction index
    la s0, m_table
    la s1, m_table_end
    li s2, 1000
1:  ld a1, 0(s0)
    ld a2, 8(s0)
    addi s3, s0, 16
    mv TESTNUM, s2
    mul a0, a1, a2
    ld a3, 0(s3)
    bne a0, a3, fail
    addi TESTNUM, TESTNUM, 1
    mulh a0, a1, a2
    ld a3, 8(s3)
    bne a0, a3, fail
    addi TESTNUM, TESTNUM, 1
    mulhsu a0, a1, a2
    ld a3, 16(s3)
    bne a0, a3, fail
    addi TESTNUM, TESTNUM, 1
    mulhu a0, a1, a2
    ld a3, 24(s3)
    bne a0, a3, fail
    addi TESTNUM, TESTNUM, 1
    mulw a0, a1, a2
    ld a3, 32(s3)
    bne a0, a3, fail
    addi TESTNUM, TESTNUM, 1
    div a0, a1, a2
    ld a3, 40(s3)
    bne a0, a3, fail
    addi TESTNUM, TESTNUM, 1
    divu a0, a1, a2
    ld a3, 48(s3)
    bne a0, a3, fail
    addi TESTNUM, TESTNUM, 1
    rem a0, a1, a2
    ld a3, 56(s3)
    bne a0, a3, fail
    addi TESTNUM, TESTNUM, 1
    remu a0, a1, a2
    ld a3, 64(s3)
    bne a0, a3, fail
    addi TESTNUM, TESTNUM, 1
    divw a0, a1, a2
    ld a3, 72(s3)
    bne a0, a3, fail
    addi TESTNUM, TESTNUM, 1
    divuw a0, a1, a2
    ld a3, 80(s3)
    bne a0, a3, fail
    addi TESTNUM, TESTNUM, 1
    remw a0, a1, a2
    ld a3, 88(s3)
    bne a0, a3, fail
    addi TESTNUM, TESTNUM, 1
    remuw a0, a1, a2
    ld a3, 96(s3)
    bne a0, a3, fail
    addi s0, s0, 15 * 8
    addi s2, s2, 16
    bltu s0, s1, 1b
    // the loop must have run over every row
    li TESTNUM, 999
    bne s0, s1, fail

    // ---- part 3: sweep of all pairs of sweep values, all 13 results ----
    la s0, sweep
    la s4, sweep_end
2:  la s1, sweep
3:  ld a1, 0(s0)
    ld a2, 0(s1)
    mul a0, a1, a2
    SIG a0
    mulh a0, a1, a2
    SIG a0
    mulhsu a0, a1, a2
    SIG a0
    mulhu a0, a1, a2
    SIG a0
    mulw a0, a1, a2
    SIG a0
    div a0, a1, a2
    SIG a0
    divu a0, a1, a2
    SIG a0
    rem a0, a1, a2
    SIG a0
    remu a0, a1, a2
    SIG a0
    divw a0, a1, a2
    SIG a0
    divuw a0, a1, a2
    SIG a0
    remw a0, a1, a2
    SIG a0
    remuw a0, a1, a2
    SIG a0
    addi s1, s1, 8
    bltu s1, s4, 3b
    addi s0, s0, 8
    bltu s0, s4, 2b

    TEST_END

    .data
    .align 3
sweep:
    .dword 0, 1, -1, 3, -3, MIN64, MAX64, 0x80000000, 0xffffffff7fffffff
    .dword 0x0123456789abcdef, 0xfedcba9876543210
sweep_end:

    // a, b, then mul mulh mulhsu mulhu mulw div divu rem remu divw divuw
    // remw remuw of (a, b); printed by `python3 gen/gen_int_tables.py m`
m_table:
    .dword 0x0123456789abcdef, 0xfedcba9876543210
    .dword 0x2236d88fe5618cf0, 0xfffeb49923cc0953, 0x0121fa00ad77d742, 0x0121fa00ad77d742
    .dword 0xffffffffe5618cf0, 0x0000000000000000, 0x0000000000000000, 0x0123456789abcdef
    .dword 0x0123456789abcdef, 0xffffffffffffffff, 0x0000000000000001, 0xffffffffffffffff
    .dword 0x0000000013579bdf
    .dword 0x0000000000000007, 0x0000000000000003
    .dword 0x0000000000000015, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000
    .dword 0x0000000000000015, 0x0000000000000002, 0x0000000000000002, 0x0000000000000001
    .dword 0x0000000000000001, 0x0000000000000002, 0x0000000000000002, 0x0000000000000001
    .dword 0x0000000000000001
    .dword 0xfffffffffffffff9, 0x0000000000000003
    .dword 0xffffffffffffffeb, 0xffffffffffffffff, 0xffffffffffffffff, 0x0000000000000002
    .dword 0xffffffffffffffeb, 0xfffffffffffffffe, 0x5555555555555553, 0xffffffffffffffff
    .dword 0x0000000000000000, 0xfffffffffffffffe, 0x0000000055555553, 0xffffffffffffffff
    .dword 0x0000000000000000
    .dword 0x0000000000000007, 0xfffffffffffffffd
    .dword 0xffffffffffffffeb, 0xffffffffffffffff, 0x0000000000000006, 0x0000000000000006
    .dword 0xffffffffffffffeb, 0xfffffffffffffffe, 0x0000000000000000, 0x0000000000000001
    .dword 0x0000000000000007, 0xfffffffffffffffe, 0x0000000000000000, 0x0000000000000001
    .dword 0x0000000000000007
    .dword 0xfffffffffffffff9, 0xfffffffffffffffd
    .dword 0x0000000000000015, 0x0000000000000000, 0xfffffffffffffff9, 0xfffffffffffffff6
    .dword 0x0000000000000015, 0x0000000000000002, 0x0000000000000000, 0xffffffffffffffff
    .dword 0xfffffffffffffff9, 0x0000000000000002, 0x0000000000000000, 0xffffffffffffffff
    .dword 0xfffffffffffffff9
    .dword 0x8000000000000000, 0xffffffffffffffff
    .dword 0x8000000000000000, 0x0000000000000000, 0x8000000000000000, 0x7fffffffffffffff
    .dword 0x0000000000000000, 0x8000000000000000, 0x0000000000000000, 0x0000000000000000
    .dword 0x8000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000
    .dword 0x0000000000000000
    .dword 0x8000000000000000, 0x0000000000000001
    .dword 0x8000000000000000, 0xffffffffffffffff, 0xffffffffffffffff, 0x0000000000000000
    .dword 0x0000000000000000, 0x8000000000000000, 0x8000000000000000, 0x0000000000000000
    .dword 0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000
    .dword 0x0000000000000000
    .dword 0x0000000000003039, 0x0000000000000000
    .dword 0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000
    .dword 0x0000000000000000, 0xffffffffffffffff, 0xffffffffffffffff, 0x0000000000003039
    .dword 0x0000000000003039, 0xffffffffffffffff, 0xffffffffffffffff, 0x0000000000003039
    .dword 0x0000000000003039
    .dword 0xffffffffffffcfc7, 0x0000000000000000
    .dword 0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000
    .dword 0x0000000000000000, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffcfc7
    .dword 0xffffffffffffcfc7, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffcfc7
    .dword 0xffffffffffffcfc7
    .dword 0x0000000000000000, 0x0000000000000000
    .dword 0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000
    .dword 0x0000000000000000, 0xffffffffffffffff, 0xffffffffffffffff, 0x0000000000000000
    .dword 0x0000000000000000, 0xffffffffffffffff, 0xffffffffffffffff, 0x0000000000000000
    .dword 0x0000000000000000
    .dword 0xffffffffffffffff, 0xffffffffffffffff
    .dword 0x0000000000000001, 0x0000000000000000, 0xffffffffffffffff, 0xfffffffffffffffe
    .dword 0x0000000000000001, 0x0000000000000001, 0x0000000000000001, 0x0000000000000000
    .dword 0x0000000000000000, 0x0000000000000001, 0x0000000000000001, 0x0000000000000000
    .dword 0x0000000000000000
    .dword 0xffffffff80000000, 0xffffffffffffffff
    .dword 0x0000000080000000, 0x0000000000000000, 0xffffffff80000000, 0xffffffff7fffffff
    .dword 0xffffffff80000000, 0x0000000080000000, 0x0000000000000000, 0x0000000000000000
    .dword 0xffffffff80000000, 0xffffffff80000000, 0x0000000000000000, 0x0000000000000000
    .dword 0xffffffff80000000
    .dword 0x7fffffffffffffff, 0x7fffffffffffffff
    .dword 0x0000000000000001, 0x3fffffffffffffff, 0x3fffffffffffffff, 0x3fffffffffffffff
    .dword 0x0000000000000001, 0x0000000000000001, 0x0000000000000001, 0x0000000000000000
    .dword 0x0000000000000000, 0x0000000000000001, 0x0000000000000001, 0x0000000000000000
    .dword 0x0000000000000000
    .dword 0x8000000000000000, 0x8000000000000000
    .dword 0x0000000000000000, 0x4000000000000000, 0xc000000000000000, 0x4000000000000000
    .dword 0x0000000000000000, 0x0000000000000001, 0x0000000000000001, 0x0000000000000000
    .dword 0x0000000000000000, 0xffffffffffffffff, 0xffffffffffffffff, 0x0000000000000000
    .dword 0x0000000000000000
    .dword 0x00000005fffffff9, 0x0000000100000002
    .dword 0x00000004fffffff2, 0x0000000000000006, 0x0000000000000006, 0x0000000000000006
    .dword 0xfffffffffffffff2, 0x0000000000000005, 0x0000000000000005, 0x00000000ffffffef
    .dword 0x00000000ffffffef, 0xfffffffffffffffd, 0x000000007ffffffc, 0xffffffffffffffff
    .dword 0x0000000000000001
    .dword 0xffffffff80000000, 0x12345678ffffffff
    .dword 0x8000000080000000, 0xfffffffff6e5d4c3, 0xfffffffff6e5d4c3, 0x12345678f6e5d4c2
    .dword 0xffffffff80000000, 0x0000000000000000, 0x000000000000000e, 0xffffffff80000000
    .dword 0x012345618000000e, 0xffffffff80000000, 0x0000000000000000, 0x0000000000000000
    .dword 0xffffffff80000000
    .dword 0x0000000080000000, 0x0000000000000000
    .dword 0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000
    .dword 0x0000000000000000, 0xffffffffffffffff, 0xffffffffffffffff, 0x0000000080000000
    .dword 0x0000000080000000, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffff80000000
    .dword 0xffffffff80000000
    .dword 0xffffffffffffffff, 0x0000000000000002
    .dword 0xfffffffffffffffe, 0xffffffffffffffff, 0xffffffffffffffff, 0x0000000000000001
    .dword 0xfffffffffffffffe, 0x0000000000000000, 0x7fffffffffffffff, 0xffffffffffffffff
    .dword 0x0000000000000001, 0x0000000000000000, 0x000000007fffffff, 0xffffffffffffffff
    .dword 0x0000000000000001
    .dword 0x0000000123456789, 0x0000000000001000
    .dword 0x0000123456789000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000
    .dword 0x0000000056789000, 0x0000000000123456, 0x0000000000123456, 0x0000000000000789
    .dword 0x0000000000000789, 0x0000000000023456, 0x0000000000023456, 0x0000000000000789
    .dword 0x0000000000000789
m_table_end:
