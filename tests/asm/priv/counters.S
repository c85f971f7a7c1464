/* counters.S: counters and their gating (privileged spec 1.12, 3.1.10-
 * 3.1.13, 4.1.5; unprivileged Zicntr): mcycle and minstret count and
 * are writable, the user views cycle/time/instret agree with them and
 * with the CLINT's mtime, mcounteren gates S and U, scounteren gates U,
 * and the user counters are read-only.
 *
 * UART output: the causes of the gated accesses.
 */
#include "../common.h"
#include "priv.h"

/* in the current (S or U) mode, try reading the three counters; leave
 * the causes (-1 = no trap) in a2 (cycle), a3 (time), a4 (instret) */
.macro TRY_COUNTERS
    TRAP_BEGIN
    rdcycle t0
    TRAP_END
    mv a2, s9
    TRAP_BEGIN
    rdtime t0
    TRAP_END
    mv a3, s9
    TRAP_BEGIN
    rdinstret t0
    TRAP_END
    mv a4, s9
.endm

/* expect for bit b of mask register m: a trap (illegal) if clear, no
 * trap if set; reg holds the cause */
.macro EXPECT_GATE reg, m, b, n
    srli t0, \m, \b
    andi t0, t0, 1
    bnez t0, 71f
    CHECK \reg, CAUSE_ILLEGAL, \n
    j 72f
71: CHECK \reg, -1, \n
72:
.endm

    .section .text.init
    .globl _start
_start:
    .option norvc
    PRIV_INIT
    PMP_ALLOW_ALL
    csrw medeleg, zero

    /* ---- 1-19: counting ---- */
    csrr a1, mcycle
    li t0, 100
1:  addi t0, t0, -1
    bnez t0, 1b
    csrr a2, mcycle
    bgeu a1, a2, fail_1         /* mcycle went up */
    csrr a1, minstret
    nop
    nop
    nop
    nop
    nop
    nop
    nop
    nop
    nop
    nop
    csrr a2, minstret
    sub a3, a2, a1
    li t0, 11                   /* 10 nops and the first csrr retired */
    bltu a3, t0, fail_2
    /* the user views follow the machine counters */
    csrr a1, mcycle
    rdcycle a2
    csrr a3, mcycle
    bltu a2, a1, fail_3
    bltu a3, a2, fail_3
    csrr a1, minstret
    rdinstret a2
    csrr a3, minstret
    bltu a2, a1, fail_4
    bltu a3, a2, fail_4
    /* mcycle and minstret are writable: read back the written value
     * plus what counted since (no real counter gets near 2^62) */
    li a1, 0x4000000000000000
    li t1, 0x10000000000        /* 2^40: slack for a slow, loaded host */
    add t1, t1, a1
    csrw mcycle, a1
    csrr a2, mcycle
    bltu a2, a1, fail_5
    bgeu a2, t1, fail_5
    csrw minstret, a1
    csrr a2, minstret
    bltu a2, a1, fail_6
    bgeu a2, t1, fail_6
    /* time agrees with the CLINT's mtime */
    li a0, CLINT_MTIME
    ld a1, 0(a0)
    rdtime a2
    ld a3, 0(a0)
    bltu a2, a1, fail_7
    bltu a3, a2, fail_7
    /* and advances (10 MHz: 1 ms spin) */
    li t0, 10000
    add a4, a2, t0
1:  rdtime a3
    bltu a3, a4, 1b
    /* the user counters cannot be written, also not from M */
    li t1, 1
    TRAP_BEGIN
    csrw time, t1
    TRAP_END
    CHECK s9, CAUSE_ILLEGAL, 8
    TRAP_BEGIN
    csrs instret, t1
    TRAP_END
    CHECK s9, CAUSE_ILLEGAL, 9
    TRAP_BEGIN
    csrw hpmcounter3, t1
    TRAP_END
    CHECK s9, CAUSE_ILLEGAL, 10
    /* mhpmcounter3 and mhpmevent3 exist (possibly read-only zero; the
     * spec says all 29 should be implemented, QEMU 7.2 has 16) */
    TRAP_BEGIN
    csrr t0, mhpmcounter3
    csrr t0, mhpmevent3
    TRAP_END
    CHECK_NOTRAP 11

    /* ---- 20-39: mcounteren gates S ---- */
    csrw mcounteren, zero
    csrw scounteren, zero
    GOTO_S
    TRAP_BEGIN
s_cycle:
    rdcycle t0
    TRAP_END
    mv a5, s10
    TRY_COUNTERS
    TRAP_BEGIN
    csrr t0, hpmcounter3
    TRAP_END
    mv a6, s9
    GOTO_M
    CHECK a2, CAUSE_ILLEGAL, 20
    CHECK a3, CAUSE_ILLEGAL, 21
    CHECK a4, CAUSE_ILLEGAL, 22
    CHECK a6, CAUSE_ILLEGAL, 23
    la t0, s_cycle
    lwu t0, 0(t0)
    CHECK_EQ a5, t0, 24         /* mtval = the instruction */
    PRINT_HEX a2
    /* enabled (as far as mcounteren holds the bits) */
    li t0, 7
    csrw mcounteren, t0
    csrr s0, mcounteren
    PRINT_HEX s0
    li a0, CLINT_MTIME
    ld s1, 0(a0)
    GOTO_S
    TRY_COUNTERS
    li t0, -1
    bne a3, t0, 1f
    rdtime s2
1:  GOTO_M
    li a0, CLINT_MTIME
    ld s3, 0(a0)
    EXPECT_GATE a2, s0, 0, 25
    EXPECT_GATE a3, s0, 1, 26
    EXPECT_GATE a4, s0, 2, 27
    li t0, -1
    bne a3, t0, 1f
    bltu s2, s1, fail_28        /* S time between two M mtime reads */
    bltu s3, s2, fail_28
1:
    /* scounteren is for U only: still fine in S with scounteren = 0 */
    li t0, 2
    csrs mcounteren, t0
    csrr s0, mcounteren
    andi t0, s0, 2
    beqz t0, 1f
    GOTO_S
    TRAP_BEGIN
    rdtime t0
    TRAP_END
    mv a2, s9
    GOTO_M
    CHECK a2, -1, 29
1:

    /* ---- 40-59: U needs both mcounteren and scounteren ---- */
    li t0, 7
    csrw mcounteren, t0
    csrw scounteren, zero
    GOTO_U
    TRY_COUNTERS
    GOTO_M
    CHECK a2, CAUSE_ILLEGAL, 40
    CHECK a3, CAUSE_ILLEGAL, 41
    CHECK a4, CAUSE_ILLEGAL, 42
    PRINT_HEX a2
    li t0, 7
    csrw scounteren, t0
    csrr s1, scounteren
    and s0, s0, s1              /* bits set in both */
    PRINT_HEX s1
    GOTO_U
    TRY_COUNTERS
    GOTO_M
    EXPECT_GATE a2, s0, 0, 43
    EXPECT_GATE a3, s0, 1, 44
    EXPECT_GATE a4, s0, 2, 45
    csrw mcounteren, zero
    GOTO_U
    TRY_COUNTERS
    GOTO_M
    CHECK a2, CAUSE_ILLEGAL, 46
    CHECK a3, CAUSE_ILLEGAL, 47
    CHECK a4, CAUSE_ILLEGAL, 48
    /* scounteren is an S CSR: S may write it, U may not touch it */
    GOTO_S
    TRAP_BEGIN
    csrw scounteren, zero
    TRAP_END
    mv a2, s9
    GOTO_M
    CHECK a2, -1, 49
    GOTO_U
    TRAP_BEGIN
    csrr t0, scounteren
    TRAP_END
    mv a2, s9
    GOTO_M
    CHECK a2, CAUSE_ILLEGAL, 50
    TRAP_BEGIN
    csrr t0, mcounteren         /* M only */
    TRAP_END
    CHECK_NOTRAP 51
    GOTO_S
    TRAP_BEGIN
    csrr t0, mcounteren
    TRAP_END
    mv a2, s9
    GOTO_M
    CHECK a2, CAUSE_ILLEGAL, 52
    PASS

fail_1:
    li TESTNUM, 1
    j fail
fail_2:
    li TESTNUM, 2
    j fail
fail_3:
    li TESTNUM, 3
    j fail
fail_4:
    li TESTNUM, 4
    j fail
fail_5:
    li TESTNUM, 5
    j fail
fail_6:
    li TESTNUM, 6
    j fail
fail_7:
    li TESTNUM, 7
    j fail
fail_28:
    li TESTNUM, 28
    j fail

    .section .text
    PRIV_RUNTIME
