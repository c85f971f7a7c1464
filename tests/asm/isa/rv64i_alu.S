// RV64I register-immediate and register-register arithmetic, LUI/AUIPC,
// the 32-bit (*W) forms with their sign extension, and writes to x0.
// All instructions are uncompressed (.option norvc from TEST_BEGIN).
#include "common.h"

    TEST_BEGIN

    // ---- LUI: 20-bit immediate << 12, sign-extended from bit 31 ----
    lui a0, 0x12345
    CHECK a0, 0x12345000, 1
    lui a0, 0x80000
    CHECK a0, 0xffffffff80000000, 2
    lui a0, 0xfffff
    CHECK a0, 0xfffffffffffff000, 3
    lui a0, 0x7ffff
    CHECK a0, 0x7ffff000, 4
    lui a0, 0
    CHECK a0, 0, 5

    // ---- AUIPC: pc + (imm << 12), sign-extended immediate ----
1:  auipc a0, 0
    la a1, 1b
    CHECKR a0, a1, 10
2:  auipc a0, 1
    la a1, 2b
    sub a0, a0, a1
    CHECK a0, 0x1000, 11
3:  auipc a0, 0xfffff
    la a1, 3b
    sub a0, a0, a1
    CHECK a0, 0xfffffffffffff000, 12
4:  auipc a0, 0x80000
    la a1, 4b
    sub a0, a0, a1
    CHECK a0, 0xffffffff80000000, 13

    // ---- ADDI ----
    li a1, 5
    addi a0, a1, 7
    CHECK a0, 12, 20
    addi a0, a1, -2048
    CHECK a0, -2043, 21
    addi a0, a1, 2047
    CHECK a0, 2052, 22
    li a1, 0x7fffffffffffffff
    addi a0, a1, 1
    CHECK a0, 0x8000000000000000, 23
    li a1, 0
    addi a0, a1, -1
    CHECK a0, -1, 24
    addi a0, a0, 0
    CHECK a0, -1, 25

    // ---- SLTI / SLTIU ----
    li a1, -5
    slti a0, a1, 3
    CHECK a0, 1, 30
    slti a0, a1, -5
    CHECK a0, 0, 31
    slti a0, a1, -6
    CHECK a0, 0, 32
    li a1, 5
    slti a0, a1, -2048
    CHECK a0, 0, 33
    sltiu a0, a1, -1          // imm sign-extends to 2^64-1: 5 < it
    CHECK a0, 1, 34
    sltiu a0, a1, 5
    CHECK a0, 0, 35
    sltiu a0, a1, 6
    CHECK a0, 1, 36
    li a1, -5
    sltiu a0, a1, 3           // huge unsigned value is not < 3
    CHECK a0, 0, 37
    sltiu a0, zero, 1         // seqz
    CHECK a0, 1, 38
    li a1, 0x8000000000000000
    slti a0, a1, 0
    CHECK a0, 1, 39

    // ---- XORI / ORI / ANDI (immediates are sign-extended) ----
    li a1, 0x00ff00ff00ff00ff
    xori a0, a1, -1
    CHECK a0, 0xff00ff00ff00ff00, 40
    xori a0, a1, 0x0f0
    CHECK a0, 0x00ff00ff00ff000f, 41
    ori a0, a1, 0x700
    CHECK a0, 0x00ff00ff00ff07ff, 42
    ori a0, a1, -2048
    CHECK a0, 0xfffffffffffff8ff, 43
    andi a0, a1, 0x7f0
    CHECK a0, 0x0f0, 44
    andi a0, a1, -256
    CHECK a0, 0x00ff00ff00ff0000, 45
    andi a0, a1, 0
    CHECK a0, 0, 46

    // ---- ADD / SUB ----
    li a1, 0x0123456789abcdef
    li a2, 0x1111111111111111
    add a0, a1, a2
    CHECK a0, 0x123456789abcdf00, 50
    sub a0, a1, a2
    CHECK a0, 0xf0123456789abcde, 51
    li a1, 0x7fffffffffffffff
    li a2, 1
    add a0, a1, a2
    CHECK a0, 0x8000000000000000, 52
    li a1, 0x8000000000000000
    sub a0, a1, a2
    CHECK a0, 0x7fffffffffffffff, 53
    sub a0, zero, a2
    CHECK a0, -1, 54
    li a1, -1
    add a0, a1, a1
    CHECK a0, -2, 55

    // ---- SLT / SLTU ----
    li a1, -1
    li a2, 1
    slt a0, a1, a2
    CHECK a0, 1, 60
    slt a0, a2, a1
    CHECK a0, 0, 61
    sltu a0, a1, a2
    CHECK a0, 0, 62
    sltu a0, a2, a1
    CHECK a0, 1, 63
    slt a0, a2, a2
    CHECK a0, 0, 64
    sltu a0, a2, a2
    CHECK a0, 0, 65
    sltu a0, zero, a2          // snez
    CHECK a0, 1, 66
    li a1, 0x8000000000000000
    li a2, 0x7fffffffffffffff
    slt a0, a1, a2
    CHECK a0, 1, 67
    sltu a0, a1, a2
    CHECK a0, 0, 68

    // ---- XOR / OR / AND ----
    li a1, 0xff00ff00f0f0cccc
    li a2, 0x0ff00ff0ff00aaaa
    xor a0, a1, a2
    CHECK a0, 0xf0f0f0f00ff06666, 70
    or a0, a1, a2
    CHECK a0, 0xfff0fff0fff0eeee, 71
    and a0, a1, a2
    CHECK a0, 0x0f000f00f0008888, 72

    // ---- SLL / SRL / SRA (only the low 6 bits of rs2 count) ----
    li a1, 0x8000000000000001
    li a2, 1
    sll a0, a1, a2
    CHECK a0, 2, 80
    srl a0, a1, a2
    CHECK a0, 0x4000000000000000, 81
    sra a0, a1, a2
    CHECK a0, 0xc000000000000000, 82
    li a2, 0x7ffffffffffffffc    // low 6 bits = 60
    sll a0, a1, a2
    CHECK a0, 0x1000000000000000, 83
    srl a0, a1, a2
    CHECK a0, 0x8, 84
    sra a0, a1, a2
    CHECK a0, 0xfffffffffffffff8, 85
    li a2, 64                    // low 6 bits = 0
    sra a0, a1, a2
    CHECK a0, 0x8000000000000001, 86

    // ---- ADDIW / ADDW / SUBW: 32-bit result, sign-extended ----
    li a1, 0x7fffffff
    addiw a0, a1, 1
    CHECK a0, 0xffffffff80000000, 90
    li a1, 0xffffffff00000005     // upper half ignored
    addiw a0, a1, 0               // sext.w
    CHECK a0, 5, 91
    li a1, 0x0000000080000000
    addiw a0, a1, 0
    CHECK a0, 0xffffffff80000000, 92
    addiw a0, zero, -2048
    CHECK a0, -2048, 93
    li a1, 0x100000001
    li a2, 0x1ffffffff
    addw a0, a1, a2
    CHECK a0, 0, 94
    li a1, 0x7fffffff
    li a2, 0x7fffffff
    addw a0, a1, a2
    CHECK a0, 0xfffffffffffffffe, 95
    li a1, 0x123456780000000a
    li a2, 0x0000000100000003
    addw a0, a1, a2
    CHECK a0, 13, 96
    li a1, 0
    li a2, 1
    subw a0, a1, a2
    CHECK a0, -1, 97
    li a1, 0x80000000
    subw a0, a1, a2
    CHECK a0, 0x7fffffff, 98
    li a1, 0xabcdef0000000000
    li a2, 0x1234567800000000
    subw a0, a1, a2
    CHECK a0, 0, 99
    li a1, 0x7fffffff
    li a2, -1
    subw a0, a1, a2
    CHECK a0, 0xffffffff80000000, 100

    // ---- writes to x0 are ignored ----
    li a1, 123
    addi x0, a1, 1
    mv a0, x0
    CHECK a0, 0, 110
    lui x0, 0x12345
    CHECK x0, 0, 111
    auipc x0, 0x1
    CHECK x0, 0, 112
    add x0, a1, a1
    sub x0, a1, zero
    xori x0, a1, -1
    addiw x0, a1, 1
    addw x0, a1, a1
    slli x0, a1, 3
    CHECK x0, 0, 113
    la a2, x0_scratch
    ld x0, 0(a2)
    CHECK x0, 0, 114
    jal x0, 5f                    // plain jump: no link
5:  CHECK x0, 0, 115
    add a0, x0, x0
    CHECK a0, 0, 116
    sd x0, 0(a2)                  // x0 reads as zero as a source
    ld a0, 0(a2)
    CHECK a0, 0, 117

    // ---- NOP (addi x0, x0, 0) changes nothing ----
    li a0, 77
    nop
    CHECK a0, 77, 120

    // ---- signatures ----
    li a1, 0x0123456789abcdef
    li a2, 0xfedcba9876543210
    add a0, a1, a2
    SIG a0
    sub a0, a1, a2
    SIG a0
    addw a0, a1, a2
    SIG a0
    subw a0, a2, a1
    SIG a0
    slt a0, a2, a1
    SIG a0

    TEST_END

    .data
    .align 3
x0_scratch:
    .dword 0x5555aaaa5555aaaa
