// RV64I control transfer: BEQ/BNE/BLT/BGE/BLTU/BGEU (taken and not taken,
// forward and backward, signed vs unsigned), JAL and JALR (link = pc + 4,
// JALR clears bit 0 of the target, rd == rs1), plus ECALL/EBREAK traps
// (mcause 11 / 3, mepc = the instruction) and FENCE / FENCE.TSO / PAUSE.
#include "common.h"

// BR_TAKEN op, a, b, n: the branch must be taken.
.macro BR_TAKEN op, a, b, n
    li TESTNUM, \n
    li a1, \a
    li a2, \b
    \op a1, a2, 1f
    j fail
1:
.endm

// BR_NOT op, a, b, n: the branch must fall through.
.macro BR_NOT op, a, b, n
    li TESTNUM, \n
    li a1, \a
    li a2, \b
    \op a1, a2, fail
.endm

    TEST_BEGIN

    BR_TAKEN beq, 5, 5, 1
    BR_TAKEN beq, -1, -1, 2
    BR_NOT   beq, 5, 6, 3
    BR_NOT   beq, 0x100000000, 0, 4      // all 64 bits compared
    BR_TAKEN bne, 5, 6, 5
    BR_TAKEN bne, 0x100000000, 0, 6
    BR_NOT   bne, 7, 7, 7
    BR_TAKEN blt, -1, 1, 8
    BR_TAKEN blt, 0x8000000000000000, 0x7fffffffffffffff, 9
    BR_NOT   blt, 1, -1, 10
    BR_NOT   blt, 3, 3, 11
    BR_TAKEN bge, 1, -1, 12
    BR_TAKEN bge, 3, 3, 13
    BR_TAKEN bge, -3, -3, 14
    BR_NOT   bge, -1, 1, 15
    BR_TAKEN bltu, 1, -1, 16
    BR_TAKEN bltu, 0x7fffffffffffffff, 0x8000000000000000, 17
    BR_NOT   bltu, -1, 1, 18
    BR_NOT   bltu, 3, 3, 19
    BR_TAKEN bgeu, -1, 1, 20
    BR_TAKEN bgeu, 3, 3, 21
    BR_TAKEN bgeu, 0, 0, 22
    BR_NOT   bgeu, 1, -1, 23
    BR_NOT   bgeu, 0, 1, 24

    // backward branch: count down a loop
    li TESTNUM, 30
    li a0, 10
    li a1, 0
1:  addi a1, a1, 3
    addi a0, a0, -1
    bnez a0, 1b
    CHECK a1, 30, 31
    // branch to itself is not tested (it would hang); branch to next insn
    li TESTNUM, 32
    beq zero, zero, 2f
2:  li a0, 1
    CHECK a0, 1, 33
    // far branches (+/- ~4 KiB)
    li TESTNUM, 34
    beq zero, zero, far_fwd
    j fail
far_back:
    li a0, 2
    j far_done
    .skip 3900
far_fwd:
    li TESTNUM, 35
    bne zero, x0, fail
    bge zero, x0, far_back
    j fail
far_done:
    CHECK a0, 2, 36

    // ---- JAL ----
    la a1, 3f
    jal ra, 4f
3:  j fail
4:  CHECKR ra, a1, 40
    jal a0, 5f
5:  la a1, 5b
    CHECKR a0, a1, 41
    // JAL backward with link in a non-ra register
    li s0, 0
    j 7f
6:  li s0, 99
    jr s1
7:  jal s1, 6b
    CHECK s0, 99, 42

    // ---- JALR ----
    la a0, 8f
    jalr ra, 0(a0)
    j fail
8:  la a1, 8b
    CHECKR a0, a1, 50
    // link = address after the jalr
    la a0, 10f
    jalr t0, a0
9:  j fail
10: la a1, 9b
    CHECKR t0, a1, 51
    // offset, and bit 0 of the sum cleared
    la a0, 11f
    addi a0, a0, -7
    jalr ra, 8(a0)                 // target = (11f + 1) & ~1 = 11f
    j fail
11: la a1, 11b
    addi a0, a0, 8
    addi a0, a0, -1
    CHECKR a0, a1, 52              // (sanity of the arithmetic above)
    la a0, 12f + 2048
    jalr ra, -2048(a0)
    j fail
12: li a0, 1
    CHECK a0, 1, 53
    // rd == rs1: the target uses the old value
    la a0, 14f
    jalr a0, 0(a0)
13: j fail
14: la a1, 13b
    CHECKR a0, a1, 54
    // jalr x0 (plain indirect jump), returning through ra
    jal ra, subr
    CHECK a0, 0x55, 55

    // ---- ECALL / EBREAK trap to mtvec ----
    la t0, trap
    csrw mtvec, t0
    li s0, 0
    li TESTNUM, 60
ecall_here:
    ecall
    CHECK s0, 1, 61                // handler ran once
    CHECK s1, 11, 62               // mcause: environment call from M-mode
    la a1, ecall_here
    CHECKR s2, a1, 63              // mepc = the ecall
ebreak_here:
    ebreak
    CHECK s0, 2, 64
    CHECK s1, 3, 65                // mcause: breakpoint
    la a1, ebreak_here
    CHECKR s2, a1, 66
    la t0, unexpected_trap
    csrw mtvec, t0

    // ---- FENCE variants, FENCE.TSO, PAUSE execute as no-ops ----
    la s0, scratch
    li a0, 42
    sd a0, 0(s0)
    fence
    fence rw, rw
    fence iorw, iorw
    fence r, r
    fence w, w
    fence i, o
    fence.tso
    pause
    ld a0, 0(s0)
    CHECK a0, 42, 70

    // ---- signatures: the link values relative to their labels ----
    jal a0, 15f
15: la a1, 15b
    sub a0, a0, a1
    SIG a0

    TEST_END

subr:
    li a0, 0x55
    jalr x0, 0(ra)
    j fail

    .align 2
trap:
    addi s0, s0, 1
    csrr s1, mcause
    csrr s2, mepc
    addi t0, s2, 4
    csrw mepc, t0
    mret

    .data
    .align 3
scratch:
    .dword 0
