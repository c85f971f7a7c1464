/* QEMU: skip (QEMU 7.2 fails checks 1, 2, 3, 5, 10-13, 20, 40, 42, 50 and 51: it lets MPP hold 2, does not clear MPRV on mret to S/U, lets medeleg[11] be set, raises illegal instruction on an mret to S when no PMP entry is enabled, keeps pmpaddr bits 63:54, reads inhibited counters as 0, and counts host ticks in minstret) */
/* strict.S: requirements of the privileged spec 1.12 that QEMU 7.2 does
 * not meet, kept apart so that the other programs run on QEMU for
 * differential testing. Each group names the section of the spec.
 *
 * UART output: none but failures.
 */
#include "../common.h"
#include "priv.h"

    .section .text.init
    .globl _start
_start:
    .option norvc
    PRIV_INIT
    csrw medeleg, zero
    csrw satp, zero

    /* ---- 1: 3.1.6.1: MPP is WARL and holds only implemented modes:
     * 2 (reserved, the old H) never reads back ---- */
    li t0, MSTATUS_MPP
    csrc mstatus, t0
    li t0, 0x1000
    csrs mstatus, t0
    csrr a2, mstatus
    srli a2, a2, 11
    andi a2, a2, 3
    CHECK_NE a2, 2, 1
    li t0, MSTATUS_MPP
    csrs mstatus, t0

    /* ---- 10-19: no PMP entry enabled: S/U accesses fail (3.7.1),
     * but mret itself is an ordinary mret ---- */
    csrw pmpcfg0, zero
    csrw pmpcfg2, zero
    sfence.vma
    TRAP_BEGIN_M
    la t0, s_first
    csrw mepc, t0
    li t0, (MSTATUS_MPP | MSTATUS_MPIE)
    csrc mstatus, t0
    li t0, MSTATUS_MPP_S
    csrs mstatus, t0
    mret
s_first:
    nop
    TRAP_END
    CHECK s9, CAUSE_FETCH_ACCESS, 10
    la t0, s_first
    CHECK_EQ s11, t0, 11
    CHECK_EQ s10, t0, 12
    CHECK s7, 1, 13
    PMP_ALLOW_ALL

    /* ---- 2: 3.1.6.3: an mret (or sret) to a mode below M clears MPRV */
    li t0, MSTATUS_MPRV
    csrs mstatus, t0            /* satp = 0: harmless in M */
    GOTO_S
    GOTO_M
    csrr a2, mstatus
    li t0, MSTATUS_MPRV
    and a2, a2, t0
    CHECK a2, 0, 2
    li t0, MSTATUS_MPRV
    csrs mstatus, t0
    GOTO_U
    GOTO_M
    csrr a2, mstatus
    li t0, MSTATUS_MPRV
    and a2, a2, t0
    csrc mstatus, t0
    CHECK a2, 0, 5

    /* ---- 3: 3.1.8: medeleg[11] is read-only zero ---- */
    li t0, -1
    csrw medeleg, t0
    csrr a2, medeleg
    csrw medeleg, zero
    srli a2, a2, CAUSE_ECALL_M
    andi a2, a2, 1
    CHECK a2, 0, 3
    /* and so an ecall from M is never delegated */
    li t0, -1
    csrw medeleg, t0
    TRAP_BEGIN
    ecall
    TRAP_END
    csrw medeleg, zero
    CHECK s9, CAUSE_ECALL_M, 4

    /* ---- 20: 3.7.1: pmpaddr holds bits 55:2; bits 63:54 read zero ---- */
    li t0, -1
    csrw pmpaddr1, t0
    csrr a2, pmpaddr1
    csrw pmpaddr1, zero
    srli a2, a2, 54
    CHECK a2, 0, 20

    /* ---- 40-49: 3.1.12: an inhibited counter stops where it was (it
     * is neither cleared nor advanced); checked for the bits that
     * mcountinhibit implements ---- */
    csrr s1, mcycle
    csrr s2, minstret
    TRAP_BEGIN
    li t0, 5                    /* CY, IR */
    csrw CSR_MCOUNTINHIBIT, t0
    TRAP_END
    li t0, -1
    bne s9, t0, 9f              /* no mcountinhibit: behaves as 0 */
    csrr s0, CSR_MCOUNTINHIBIT
    csrr a1, mcycle
    csrr a2, minstret
    li t0, 1000
1:  addi t0, t0, -1
    bnez t0, 1b
    csrr a3, mcycle
    csrr a4, minstret
    csrw CSR_MCOUNTINHIBIT, zero
    andi t0, s0, 1
    beqz t0, 2f
    bltu a1, s1, fail_40
    CHECK_EQ a3, a1, 41
2:  andi t0, s0, 4
    beqz t0, 9f
    bltu a2, s2, fail_42
    CHECK_EQ a4, a2, 43
9:

    /* ---- 50: unprivileged Zicntr: instret counts retired instructions:
     * between two reads, the first read and one nop ---- */
    csrr a1, minstret
    nop
    csrr a2, minstret
    sub a3, a2, a1
    CHECK a3, 2, 50
    csrr a1, instret
    addi t0, zero, 1
    addi t0, t0, 1
    addi t0, t0, 1
    csrr a2, instret
    sub a3, a2, a1
    CHECK a3, 4, 51
    PASS

fail_40:
    li TESTNUM, 40
    j fail
fail_42:
    li TESTNUM, 42
    j fail

    .section .text
    PRIV_RUNTIME
