/* interrupts.S: core-local interrupts (privileged spec 1.12, 3.1.9,
 * 3.3.3, 4.1.3; Sstc 1.0): CLINT machine software and timer interrupts,
 * supervisor software/timer/external interrupts raised through mip by M
 * and through stimecmp (Sstc), delegation with mideleg, the global enable
 * rules, several pending at once (all taken once each; their order is
 * checked in priority.S, which QEMU 7.2 fails), M-level before S-level,
 * WFI, and a machine external interrupt through the PLIC (UART
 * transmitter-empty interrupt, source 10).
 *
 * UART output: the causes of the interrupts taken.
 */
#include "../common.h"
#include "priv.h"

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
    li t0, -1
    csrw mcounteren, t0
    CLEAR_LOG

    /* ---- 1-9: machine software interrupt (CLINT msip) ---- */
    MARK
    li t0, CLINT_MSIP
    li t1, 1
    sw t1, 0(t0)
    POLL_MIP MIP_MSIP, MIP_MSIP
    CHECK a2, MIP_MSIP, 1
    CHECK_COUNT 0, 2            /* pending but disabled: not taken */
    csrs mie, MIP_MSIP
    SPIN
    CHECK_COUNT 0, 3            /* mstatus.MIE = 0 in M: not taken */
    csrs mstatus, MSTATUS_MIE
    WAIT_TRAPS 1
    csrc mstatus, MSTATUS_MIE
    CHECK_COUNT 1, 4
    CHECK s9, IRQ_MSI, 5
    CHECK s7, 3, 6
    CHECK s10, 0, 7             /* mtval = 0 for interrupts */
    LAST_MSTATUS a3
    andi t0, a3, MSTATUS_MIE
    CHECK t0, 0, 8
    csrr a2, mip
    andi a2, a2, MIP_MSIP
    CHECK a2, 0, 9              /* the hook cleared msip */
    PRINT_HEX s9
    csrw mie, zero

    /* ---- 10-19: machine timer interrupt (CLINT mtimecmp) ---- */
    csrr a2, mip
    andi a2, a2, MIP_MTIP
    CHECK a2, 0, 10             /* mtimecmp = -1: not pending */
    SET_MTIMECMP zero
    POLL_MIP MIP_MTIP, MIP_MTIP
    CHECK a2, MIP_MTIP, 11      /* mtime >= 0 */
    li t0, -1
    SET_MTIMECMP t0
    POLL_MIP MIP_MTIP, 0
    CHECK a2, 0, 12
    li t0, MIP_MTIP             /* read-only in mip */
    csrs mip, t0
    csrr a2, mip
    and a2, a2, t0
    CHECK a2, 0, 13
    li t0, CLINT_MTIME
    ld t1, 0(t0)
    li t0, 200000               /* 20 ms */
    add t1, t1, t0
    SET_MTIMECMP t1
    li t0, MIP_MTIP
    csrs mie, t0
    MARK
    csrs mstatus, MSTATUS_MIE
    WAIT_TRAPS 1
    csrc mstatus, MSTATUS_MIE
    CHECK_COUNT 1, 15
    CHECK s9, IRQ_MTI, 16
    la t0, irq_mtime
    ld t0, 0(t0)
    bltu t0, t1, fail_17        /* not taken before mtimecmp */
    PRINT_HEX s9
    csrw mie, zero

    /* ---- 20-39: supervisor software interrupt, M or S ---- */
    /* not delegated: taken in M */
    csrs mip, MIP_SSIP
    csrs mie, MIP_SSIP
    MARK
    csrs mstatus, MSTATUS_MIE
    WAIT_TRAPS 1
    csrc mstatus, MSTATUS_MIE
    CHECK_COUNT 1, 20
    CHECK s9, IRQ_SSI, 21
    CHECK s7, 3, 22
    PRINT_HEX s9
    /* delegated: never taken in M, even with SIE = 1 and MIE = 1 */
    csrw mideleg, MIP_SSIP
    csrs mip, MIP_SSIP
    MARK
    csrs mstatus, (MSTATUS_SIE | MSTATUS_MIE)
    SPIN
    csrc mstatus, (MSTATUS_SIE | MSTATUS_MIE)
    CHECK_COUNT 0, 23
    /* in S with SIE = 0: not taken */
    GOTO_S
    SPIN
    sub a4, s8, s5
    csrs sstatus, MSTATUS_SIE   /* now it is */
    WAIT_TRAPS 1
    csrc sstatus, MSTATUS_SIE
    sub a5, s8, s5
    GOTO_M
    CHECK a4, 0, 24
    CHECK a5, 1, 25
    CHECK s9, IRQ_SSI, 26
    CHECK s7, 1, 27             /* SPP = S */
    csrr t0, scause
    CHECK t0, IRQ_SSI, 28
    csrr t0, mip
    andi t0, t0, MIP_SSIP
    CHECK t0, 0, 29             /* cleared by the S hook through sip */
    PRINT_HEX s9
    /* in U: taken whatever SIE is */
    csrs mip, MIP_SSIP
    MARK
    GOTO_U
    WAIT_TRAPS 1
    sub a5, s8, s5
    GOTO_M
    CHECK a5, 1, 30
    CHECK s9, IRQ_SSI, 31
    CHECK s7, 0, 32
    /* not delegated, pending in S with MIE = 0: taken into M */
    csrw mideleg, zero
    csrs mip, MIP_SSIP
    MARK
    GOTO_S
    WAIT_TRAPS 1
    sub a5, s8, s5
    GOTO_M
    CHECK a5, 1, 33
    CHECK s9, IRQ_SSI, 34
    CHECK s7, 1, 35             /* MPP = S */
    csrw mie, zero

    /* ---- 40-49: supervisor timer interrupt through mip.STIP ---- */
    li s0, MIP_STIP
    csrs mie, s0
    csrs mip, s0                /* writable by M (menvcfg.STCE = 0) */
    csrr a2, mip
    and a2, a2, s0
    CHECK_EQ a2, s0, 40
    MARK
    csrs mstatus, MSTATUS_MIE
    WAIT_TRAPS 1
    csrc mstatus, MSTATUS_MIE
    CHECK_COUNT 1, 41
    CHECK s9, IRQ_STI, 42
    PRINT_HEX s9
    /* delegated: taken in S (the S hook masks it in sie) */
    csrw mideleg, s0
    csrs mip, s0
    MARK
    GOTO_S
    csrs sstatus, MSTATUS_SIE
    WAIT_TRAPS 1
    csrc sstatus, MSTATUS_SIE
    sub a5, s8, s5
    csrr a4, sie
    GOTO_M
    csrc mip, s0
    CHECK a5, 1, 43
    CHECK s9, IRQ_STI, 44
    CHECK s7, 1, 45
    and a4, a4, s0
    CHECK a4, 0, 46
    csrw mie, zero
    csrw mideleg, zero
    /* SEIP written by M: a supervisor external interrupt */
    li s0, MIP_SEIP
    csrs mip, s0
    csrs mie, s0
    MARK
    csrs mstatus, MSTATUS_MIE
    WAIT_TRAPS 1
    csrc mstatus, MSTATUS_MIE
    CHECK_COUNT 1, 47
    CHECK s9, IRQ_SEI, 48
    PRINT_HEX s9
    csrw mie, zero

    /* ---- 50-69: Sstc: stimecmp drives STIP when menvcfg.STCE = 1 ---- */
    li t0, -1
    csrw CSR_STIMECMP, t0
    li s0, 0x8000000000000000   /* STCE */
    csrs CSR_MENVCFG, s0
    csrr a2, CSR_MENVCFG
    and a2, a2, s0
    CHECK_EQ a2, s0, 50
    li a3, 1
    la t0, sstc_on
    sd a3, 0(t0)
    csrr a2, mip
    andi a2, a2, MIP_STIP
    CHECK a2, 0, 51
    csrw CSR_STIMECMP, zero
    POLL_MIP MIP_STIP, MIP_STIP
    CHECK a2, MIP_STIP, 52
    li t0, MIP_STIP             /* read-only while STCE = 1 */
    csrc mip, t0
    csrr a2, mip
    andi a2, a2, MIP_STIP
    CHECK a2, MIP_STIP, 53
    li t0, -1
    csrw CSR_STIMECMP, t0
    POLL_MIP MIP_STIP, 0
    CHECK a2, 0, 54
    /* S programs its own timer */
    li t0, MIP_STIP
    csrw mideleg, t0
    csrw mie, t0
    li t0, 2                    /* mcounteren.TM */
    csrs mcounteren, t0
    GOTO_S
    TRAP_BEGIN
    rdtime t1
    li t0, 200000               /* 20 ms */
    add t1, t1, t0
    csrw CSR_STIMECMP, t1
    TRAP_END
    mv a4, s9
    MARK
    csrs sstatus, MSTATUS_SIE
    WAIT_TRAPS 1
    csrc sstatus, MSTATUS_SIE
    sub a5, s8, s5
    GOTO_M
    la t0, irq_mtime
    ld a3, 0(t0)
    CHECK a4, -1, 55
    CHECK a5, 1, 56
    CHECK s9, IRQ_STI, 57
    CHECK s7, 1, 58
    bltu a3, t1, fail_59        /* not taken before stimecmp */
    csrr a2, mip
    andi a2, a2, MIP_STIP
    CHECK a2, 0, 60             /* the S hook wrote stimecmp = -1 */
    PRINT_HEX s9
    /* S access to stimecmp needs mcounteren.TM and menvcfg.STCE */
    li t0, 2
    csrc mcounteren, t0
    GOTO_S
    TRAP_BEGIN
    csrr t0, CSR_STIMECMP
    TRAP_END
    mv a4, s9
    GOTO_M
    CHECK a4, CAUSE_ILLEGAL, 61
    li t0, 2
    csrs mcounteren, t0
    csrc CSR_MENVCFG, s0
    GOTO_S
    TRAP_BEGIN
    csrr t0, CSR_STIMECMP
    TRAP_END
    mv a4, s9
    GOTO_M
    CHECK a4, CAUSE_ILLEGAL, 62
    la t0, sstc_on
    sd zero, 0(t0)
    csrw mie, zero
    csrw mideleg, zero
    li t0, MIP_STIP
    csrc mip, t0                /* writable again with STCE = 0 */
    csrr a2, mip
    andi a2, a2, MIP_STIP
    CHECK a2, 0, 63

    /* ---- 70-89: several pending at once (their order is checked in
     * priority.S) ---- */
    /* MSI, MTI, SEI, SSI, STI all pending, all to M: each taken once */
    CLEAR_LOG
    li t0, CLINT_MSIP
    li t1, 1
    sw t1, 0(t0)
    SET_MTIMECMP zero
    li t0, (MIP_SSIP | MIP_STIP | MIP_SEIP)
    csrs mip, t0
    POLL_MIP (MIP_MSIP | MIP_MTIP), (MIP_MSIP | MIP_MTIP)
    li t0, (MIP_MSIP | MIP_MTIP | MIP_SEIP | MIP_SSIP | MIP_STIP)
    csrw mie, t0
    mv a4, s8
    csrs mstatus, MSTATUS_MIE
    addi a5, a4, 5
    WAIT_TRAPS_R a5
    csrc mstatus, MSTATUS_MIE
    sub a4, s8, a4
    CHECK a4, 5, 70
    jal ra, log_mask
    CHECK a0, 0x2aa, 71         /* causes 1, 3, 5, 7, 9 */
    /* an interrupt to M goes before one to S, whatever their order:
     * in S with STI (to M) and SSI (delegated to S) pending, STI first */
    CLEAR_LOG
    csrw mideleg, MIP_SSIP
    li t0, (MIP_SSIP | MIP_STIP)
    csrw mie, t0
    csrs mip, t0
    mv a4, s8
    GOTO_S
    csrs sstatus, MSTATUS_SIE
    addi a5, a4, 2
    WAIT_TRAPS_R a5
    csrc sstatus, MSTATUS_SIE
    GOTO_M
    sub a4, s8, a4
    CHECK a4, 2, 76
    CHECK_LOG 0, IRQ_STI, 77
    CHECK_LOG 1, IRQ_SSI, 78
    jal ra, print_log
    csrw mie, zero
    csrw mideleg, zero

    /* ---- 90-99: M interrupts below M ignore mstatus.MIE ---- */
    li t0, CLINT_MSIP
    li t1, 1
    sw t1, 0(t0)
    csrw mie, MIP_MSIP
    mv a4, s8
    addi a5, a4, 1
    GOTO_S                      /* MIE = 0 */
    WAIT_TRAPS_R a5
    GOTO_M
    sub a5, s8, a4
    CHECK a5, 1, 90
    CHECK s9, IRQ_MSI, 91
    CHECK s7, 1, 92
    li t0, CLINT_MSIP
    li t1, 1
    sw t1, 0(t0)
    mv a4, s8
    GOTO_U
    addi a5, a4, 1
    WAIT_TRAPS_R a5
    GOTO_M
    sub a5, s8, a4
    CHECK a5, 1, 93
    CHECK s9, IRQ_MSI, 94
    CHECK s7, 0, 95
    csrw mie, zero

    /* ---- 100-119: WFI completes when an enabled interrupt is pending,
     * even with global interrupts disabled ---- */
    li t0, CLINT_MSIP
    li t1, 1
    sw t1, 0(t0)
    csrw mie, MIP_MSIP
    mv a4, s8
    wfi
    CHECK_EQ s8, a4, 100        /* no trap: MIE = 0 */
    li t0, CLINT_MSIP
    sw zero, 0(t0)
    /* wait for the timer with wfi (wfi may also return early) */
    li t0, CLINT_MTIME
    ld t1, 0(t0)
    li t0, 20000
    add t1, t1, t0
    SET_MTIMECMP t1
    li t0, MIP_MTIP
    csrw mie, t0
1:  wfi
    csrr a2, mip
    andi a2, a2, MIP_MTIP
    beqz a2, 1b
    CHECK_EQ s8, a4, 101
    li t0, CLINT_MTIME
    ld t0, 0(t0)
    bltu t0, t1, fail_102
    li t0, -1
    SET_MTIMECMP t0
    /* in S (TW = 0), a delegated S interrupt with SIE = 0 */
    csrw mideleg, MIP_SSIP
    csrw mie, MIP_SSIP
    csrs mip, MIP_SSIP
    GOTO_S
    wfi
    mv a5, s8
    GOTO_M
    CHECK_EQ a5, a4, 103
    csrc mip, MIP_SSIP
    csrw mie, zero
    csrw mideleg, zero

    /* ---- 120-129: mip write rules ---- */
    li t0, (MIP_SSIP | MIP_STIP | MIP_SEIP)
    csrs mip, t0
    csrr a2, mip
    and a2, a2, t0
    CHECK_EQ a2, t0, 120
    csrc mip, t0
    csrr a2, mip
    and a2, a2, t0
    CHECK a2, 0, 121
    li t0, (MIP_MSIP | MIP_MTIP | MIP_MEIP)
    csrs mip, t0
    csrr a2, mip
    and a2, a2, t0
    CHECK a2, 0, 122

    /* ---- 200-219: machine external interrupt through the PLIC ---- */
    li t0, PLIC_PRIO(UART_IRQ)
    li t1, 1
    sw t1, 0(t0)
    li t0, PLIC_THRESH_M
    sw zero, 0(t0)
    li t0, PLIC_ENABLE_M
    li t1, (1 << UART_IRQ)
    sw t1, 0(t0)
    li t0, UART0                /* IER.ETBEI: THR-empty interrupt */
    li t1, 2
    sb t1, 1(t0)
    POLL_MIP MIP_MEIP, MIP_MEIP
    CHECK a2, MIP_MEIP, 200
    /* MEI and MSI together */
    CLEAR_LOG
    li t0, CLINT_MSIP
    li t1, 1
    sw t1, 0(t0)
    POLL_MIP MIP_MSIP, MIP_MSIP
    li t0, (MIP_MEIP | MIP_MSIP)
    csrw mie, t0
    mv a4, s8
    csrs mstatus, MSTATUS_MIE
    addi a5, a4, 2
    WAIT_TRAPS_R a5
    csrc mstatus, MSTATUS_MIE
    csrw mie, zero
    sub a4, s8, a4
    CHECK a4, 2, 201
    jal ra, log_mask
    CHECK a0, 0x808, 202        /* causes 3 and 11 */
    la t0, claimed
    ld t0, 0(t0)
    CHECK t0, UART_IRQ, 204
    csrr a2, mip
    li t0, MIP_MEIP
    and a2, a2, t0
    CHECK a2, 0, 205
    PASS

fail_17:
    li TESTNUM, 17
    j fail
fail_59:
    li TESTNUM, 59
    j fail
fail_102:
    li TESTNUM, 102
    j fail

    .section .text
    IRQ_RUNTIME
    PRIV_RUNTIME m_irq, s_irq

    IRQ_DATA
