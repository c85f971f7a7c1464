/* QEMU: skip (QEMU 7.2 without AIA takes the lowest-numbered pending interrupt first, e.g. SSI before MSI and MSI before MEI, instead of the order MEI > MSI > MTI > SEI > SSI > STI) */
/* priority.S: the order in which simultaneously pending interrupts are
 * taken (privileged spec 1.12, 3.1.9: "Multiple simultaneous interrupts
 * destined for M-mode are handled in the following decreasing priority
 * order: MEI, MSI, MTI, SEI, SSI, STI"; the same order for S-mode).
 *
 * UART output: the causes in the order they were taken.
 */
#include "../common.h"
#include "priv.h"

/* make the given interrupts pending (M-mode sources through CLINT/PLIC,
 * S sources through mip) */
.macro PEND_MSI
    li t0, CLINT_MSIP
    li t1, 1
    sw t1, 0(t0)
    POLL_MIP MIP_MSIP, MIP_MSIP
.endm
.macro PEND_MTI
    SET_MTIMECMP zero
    POLL_MIP MIP_MTIP, MIP_MTIP
.endm
.macro PEND_MEI
    li t0, UART0                /* IER.ETBEI: THR-empty interrupt */
    li t1, 2
    sb t1, 1(t0)
    POLL_MIP MIP_MEIP, MIP_MEIP
.endm
.macro PEND_S bits
    li t0, \bits
    csrs mip, t0
.endm

/* TAKE mie_bits, count: enable those interrupts in M with MIE = 1 until
 * `count` have been taken; check n that exactly count were. */
.macro TAKE bits, count, n
    CLEAR_LOG
    li t0, \bits
    csrw mie, t0
    mv a4, s8
    addi a5, a4, \count
    csrs mstatus, MSTATUS_MIE
    WAIT_TRAPS_R a5
    csrc mstatus, MSTATUS_MIE
    csrw mie, zero
    sub a4, s8, a4
    CHECK a4, \count, \n
    jal ra, print_log
.endm

    .section .text.init
    .globl _start
_start:
    .option norvc
    PRIV_INIT
    PMP_ALLOW_ALL
    csrw mie, zero
    csrw mideleg, zero
    csrw medeleg, zero
    li t0, -1
    SET_MTIMECMP t0
    li t0, CLINT_MSIP
    sw zero, 0(t0)
    li t0, (MIP_SSIP | MIP_STIP | MIP_SEIP)
    csrc mip, t0
    /* PLIC: UART source 10, priority 1, enabled for hart 0 M-mode */
    li t0, PLIC_PRIO(UART_IRQ)
    li t1, 1
    sw t1, 0(t0)
    li t0, PLIC_THRESH_M
    sw zero, 0(t0)
    li t0, PLIC_ENABLE_M
    li t1, (1 << UART_IRQ)
    sw t1, 0(t0)

    /* ---- 1-9: all five core-local interrupts to M ---- */
    PEND_MSI
    PEND_MTI
    PEND_S (MIP_SSIP | MIP_STIP | MIP_SEIP)
    TAKE (MIP_MSIP | MIP_MTIP | MIP_SEIP | MIP_SSIP | MIP_STIP), 5, 1
    CHECK_LOG 0, IRQ_MSI, 2
    CHECK_LOG 1, IRQ_MTI, 3
    CHECK_LOG 2, IRQ_SEI, 4
    CHECK_LOG 3, IRQ_SSI, 5
    CHECK_LOG 4, IRQ_STI, 6

    /* ---- 10-29: pairs ---- */
    PEND_MSI
    PEND_MTI
    TAKE (MIP_MSIP | MIP_MTIP), 2, 10
    CHECK_LOG 0, IRQ_MSI, 11
    CHECK_LOG 1, IRQ_MTI, 12
    PEND_MTI
    PEND_S MIP_SEIP
    TAKE (MIP_MTIP | MIP_SEIP), 2, 13
    CHECK_LOG 0, IRQ_MTI, 14
    CHECK_LOG 1, IRQ_SEI, 15
    PEND_S (MIP_SEIP | MIP_SSIP)
    TAKE (MIP_SEIP | MIP_SSIP), 2, 16
    CHECK_LOG 0, IRQ_SEI, 17
    CHECK_LOG 1, IRQ_SSI, 18
    PEND_S (MIP_SSIP | MIP_STIP)
    TAKE (MIP_SSIP | MIP_STIP), 2, 19
    CHECK_LOG 0, IRQ_SSI, 20
    CHECK_LOG 1, IRQ_STI, 21
    PEND_MSI
    PEND_S MIP_SSIP
    TAKE (MIP_MSIP | MIP_SSIP), 2, 22
    CHECK_LOG 0, IRQ_MSI, 23
    CHECK_LOG 1, IRQ_SSI, 24

    /* ---- 30-39: MEI first ---- */
    PEND_MEI
    PEND_MSI
    PEND_MTI
    TAKE (MIP_MEIP | MIP_MSIP | MIP_MTIP), 3, 30
    CHECK_LOG 0, IRQ_MEI, 31
    CHECK_LOG 1, IRQ_MSI, 32
    CHECK_LOG 2, IRQ_MTI, 33
    la t0, claimed
    ld t0, 0(t0)
    CHECK t0, UART_IRQ, 34

    /* ---- 40-49: the same order among interrupts delegated to S ---- */
    CLEAR_LOG
    li t0, (MIP_SSIP | MIP_STIP | MIP_SEIP)
    csrw mideleg, t0
    csrw mie, t0
    csrs mip, t0
    mv a4, s8
    addi a5, a4, 3
    GOTO_S
    csrs sstatus, MSTATUS_SIE
    WAIT_TRAPS_R a5
    csrc sstatus, MSTATUS_SIE
    GOTO_M
    csrw mie, zero
    csrw mideleg, zero
    li t0, (MIP_STIP | MIP_SEIP)     /* the S hook only masks these */
    csrc mip, t0
    sub a4, s8, a4
    CHECK a4, 3, 40
    CHECK_LOG 0, IRQ_SEI, 41
    CHECK_LOG 1, IRQ_SSI, 42
    CHECK_LOG 2, IRQ_STI, 43
    CHECK s7, 1, 44
    jal ra, print_log
    PASS

    .section .text
    IRQ_RUNTIME
    PRIV_RUNTIME m_irq, s_irq
    IRQ_DATA
