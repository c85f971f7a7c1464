/* Shared definitions for the privileged-architecture test programs.
 *
 * Written against the RISC-V Privileged Architecture 1.12 (20211203).
 *
 * Register conventions used by every program in this folder:
 *   gp   TESTNUM, the number of the check being run (see ../common.h)
 *   s6   resume address of an expected synchronous trap; 0 = none expected.
 *        TRAP_BEGIN sets it, the trap handler consumes it (sets xepc to it
 *        and clears it), TRAP_END clears it when no trap happened.
 *   s7   privilege the last recorded trap came from (xPP of the handler)
 *   s8   number of traps and interrupts recorded
 *   s9   cause of the last recorded trap (-1 after TRAP_BEGIN)
 *   s10  tval of the last recorded trap
 *   s11  epc of the last recorded trap
 * Test code keeps its own values out of s6..s11, t3..t6 (scratch of the
 * ../common.h macros) and a7 (mode switches). The trap handlers preserve
 * every other register.
 *
 * A synchronous trap that was not expected (s6 == 0), or an interrupt
 * without a hook, prints "*** TRAP" with its cause, epc and tval on the
 * UART and fails with the current TESTNUM.
 */

/* ---- CSR numbers the assembler may not know by name ---- */
#define CSR_MENVCFG      0x30a
#define CSR_MCOUNTINHIBIT 0x320
#define CSR_STIMECMP     0x14d
#define CSR_SENVCFG      0x10a

/* ---- mstatus ---- */
#define MSTATUS_SIE   0x2
#define MSTATUS_MIE   0x8
#define MSTATUS_SPIE  0x20
#define MSTATUS_MPIE  0x80
#define MSTATUS_SPP   0x100
#define MSTATUS_MPP   0x1800
#define MSTATUS_MPP_S 0x800
#define MSTATUS_MPP_M 0x1800
#define MSTATUS_MPRV  0x20000
#define MSTATUS_SUM   0x40000
#define MSTATUS_MXR   0x80000
#define MSTATUS_TVM   0x100000
#define MSTATUS_TW    0x200000
#define MSTATUS_TSR   0x400000

/* ---- mip / mie bits ---- */
#define MIP_SSIP 0x2
#define MIP_MSIP 0x8
#define MIP_STIP 0x20
#define MIP_MTIP 0x80
#define MIP_SEIP 0x200
#define MIP_MEIP 0x800

/* ---- exception causes ---- */
#define CAUSE_MISALIGNED_FETCH 0
#define CAUSE_FETCH_ACCESS     1
#define CAUSE_ILLEGAL          2
#define CAUSE_BREAKPOINT       3
#define CAUSE_MISALIGNED_LOAD  4
#define CAUSE_LOAD_ACCESS      5
#define CAUSE_MISALIGNED_STORE 6
#define CAUSE_STORE_ACCESS     7
#define CAUSE_ECALL_U          8
#define CAUSE_ECALL_S          9
#define CAUSE_ECALL_M          11
#define CAUSE_FETCH_PAGE       12
#define CAUSE_LOAD_PAGE        13
#define CAUSE_STORE_PAGE       15

/* ---- interrupt causes (mcause with the interrupt bit) ---- */
#define INTR        0x8000000000000000
#define IRQ_SSI     0x8000000000000001
#define IRQ_MSI     0x8000000000000003
#define IRQ_STI     0x8000000000000005
#define IRQ_MTI     0x8000000000000007
#define IRQ_SEI     0x8000000000000009
#define IRQ_MEI     0x800000000000000b

/* ---- page-table entry bits ---- */
#define PTE_V 0x01
#define PTE_R 0x02
#define PTE_W 0x04
#define PTE_X 0x08
#define PTE_U 0x10
#define PTE_G 0x20
#define PTE_A 0x40
#define PTE_D 0x80

#define SATP_SV39 (8 << 60)
#define SATP_SV48 (9 << 60)
#define SATP_SV57 (10 << 60)

/* ---- PMP ---- */
#define PMP_R     0x01
#define PMP_W     0x02
#define PMP_X     0x04
#define PMP_TOR   0x08
#define PMP_NA4   0x10
#define PMP_NAPOT 0x18
#define PMP_L     0x80

/* ---- CLINT (QEMU virt) ---- */
#define CLINT_MSIP     0x2000000
#define CLINT_MTIMECMP 0x2004000
#define CLINT_MTIME    0x200bff8

/* a7 values the M-mode handler gives a meaning to on ecall from S/U */
#define ECALL_TO_M   0x4d4f4445
#define ECALL_FAIL   0x4641494c

/* ------------------------------------------------------------------ */

/* Start-up common to every program: trap vector, scratch areas, a
 * non-zero TESTNUM so that a failure before the first check still
 * reports a failure. */
.macro PRIV_INIT
    li TESTNUM, 1
    la t0, m_trap
    csrw mtvec, t0
    la t0, m_save
    csrw mscratch, t0
    la t0, s_trap
    csrw stvec, t0
    la t0, s_save
    csrw sscratch, t0
    li s6, 0
    li s7, 0
    li s8, 0
    li s9, 0
    li s10, 0
    li s11, 0
    li a7, 0
.endm

/* Let S and U access all memory: pmpaddr0 covers everything (NAPOT),
 * RWX. The spec makes S/U accesses that match no PMP entry fail when
 * any entry is implemented, so programs that drop below M need this. */
.macro PMP_ALLOW_ALL
    li t0, -1
    csrw pmpaddr0, t0
    li t0, (PMP_NAPOT | PMP_R | PMP_W | PMP_X)
    csrw pmpcfg0, t0
    sfence.vma
.endm

/* The instruction(s) between TRAP_BEGIN and TRAP_END are expected to
 * trap (or may trap); the handler resumes at TRAP_END. s9 is -1 when no
 * trap was taken. */
.macro TRAP_BEGIN
    li s9, -1
    li s10, -1
    li s11, -1
    la s6, 88f
.endm
.macro TRAP_END
88: li s6, 0
.endm

/* TRAP_BEGIN_M: like TRAP_BEGIN, but the M-mode handler resumes at
 * TRAP_END in M-mode whatever mode trapped (for code in S/U that cannot
 * go on, e.g. when it cannot fetch at all). */
.macro TRAP_BEGIN_M
    TRAP_BEGIN
    ori s6, s6, 1
.endm

/* CHECK_EQ a, b, n: fail with n unless registers a and b are equal. */
.macro CHECK_EQ a, b, n
    li TESTNUM, \n
    bne \a, \b, fail
.endm

/* CHECK_NE reg, value, n: fail with n if reg == value. */
.macro CHECK_NE reg, value, n
    li TESTNUM, \n
    li t5, \value
    beq \reg, t5, fail
.endm

/* CHECK_TRAP cause, n: the last trap had this cause. */
.macro CHECK_TRAP cause, n
    CHECK s9, \cause, \n
.endm

/* CHECK_NOTRAP n: no trap was taken since TRAP_BEGIN. */
.macro CHECK_NOTRAP n
    CHECK s9, -1, \n
.endm

/* Drop from M to S or U at the next instruction (identity-mapped code).
 * MPIE is cleared first, so mstatus.MIE is 0 below M and again 0 after
 * GOTO_M (M interrupts are still taken below M whatever MIE is). */
.macro GOTO_MODE mpp
    li t0, (MSTATUS_MPP | MSTATUS_MPIE)
    csrc mstatus, t0
    li t0, (\mpp << 11)
    csrs mstatus, t0
    la t0, 85f
    csrw mepc, t0
    mret
85:
.endm
#define GOTO_S GOTO_MODE 1
#define GOTO_U GOTO_MODE 0

/* Go back to M from S or U, continuing at the next instruction. The
 * continuation address is an absolute (physical) address, so this also
 * works from code executing at an alias virtual address. */
.macro GOTO_M
    ld s6, 86f
    li a7, ECALL_TO_M
    ecall
    .balign 8
86: .dword 87f
87: li a7, 0
.endm

/* LAST_MSTATUS reg / LAST_SSTATUS reg: mstatus (sstatus) as it was on
 * entry to the last trap taken into M (S). */
.macro LAST_MSTATUS reg
    la \reg, m_save
    ld \reg, 48(\reg)
.endm
.macro LAST_SSTATUS reg
    la \reg, s_save
    ld \reg, 48(\reg)
.endm

/* Print a register as 16 hex digits and a newline on the UART (M-mode or
 * identity mapping only). Clobbers a0, ra, t0-t3. */
.macro PRINT_HEX reg
    mv a0, \reg
    jal ra, print_hex
.endm


/* ------------------------------------------------------------------ */
/* Code and data every program needs. Invoke once, in .text:
 *   PRIV_RUNTIME [m_irq_hook], [s_irq_hook]
 * A hook is called (jal ra) for every interrupt taken into that mode,
 * with the cause in a0; it may use t0-t3, a0 and ra. Without a hook an
 * interrupt fails the test. Interrupts are recorded in s7..s11 like
 * exceptions, but the handler returns to the interrupted instruction. */
.macro PRIV_RUNTIME m_irq_hook, s_irq_hook
    .balign 4
m_trap:
    csrrw sp, mscratch, sp
    sd t0, 0(sp)
    sd t1, 8(sp)
    sd t2, 16(sp)
    sd t3, 24(sp)
    sd a0, 32(sp)
    sd ra, 40(sp)
    csrr t0, mstatus
    sd t0, 48(sp)
    csrr t0, mcause
    bltz t0, 30f
    /* ecall from S or U asking for a mode change or reporting failure */
    addi t1, t0, -CAUSE_ECALL_U
    li t2, 1
    bgtu t1, t2, 20f
    li t1, ECALL_FAIL
    beq a7, t1, 41f
    li t1, ECALL_TO_M
    bne a7, t1, 20f
    li t1, MSTATUS_MPP
    csrs mstatus, t1
    csrw mepc, s6
    li s6, 0
    j 50f
20: /* synchronous exception: record and resume */
    beqz s6, 40f
    csrr s9, mcause
    csrr s10, mtval
    csrr s11, mepc
    csrr s7, mstatus
    srli s7, s7, 11
    andi s7, s7, 3
    addi s8, s8, 1
    andi t1, s6, 1              /* bit 0 set: resume in M */
    beqz t1, 21f
    li t1, MSTATUS_MPP
    csrs mstatus, t1
    andi s6, s6, -2
21: csrw mepc, s6
    li s6, 0
    j 50f
30: /* interrupt */
    csrr s9, mcause
    csrr s10, mtval
    csrr s11, mepc
    csrr s7, mstatus
    srli s7, s7, 11
    andi s7, s7, 3
    addi s8, s8, 1
.ifnb \m_irq_hook
    mv a0, s9
    jal ra, \m_irq_hook
    j 50f
.else
    j 40f
.endif
40: /* unexpected trap into M: report it and fail */
    PUTS "*** TRAP mcause mepc mtval\n"
    csrr a0, mcause
    jal ra, print_hex
    csrr a0, mepc
    jal ra, print_hex
    csrr a0, mtval
    jal ra, print_hex
    j fail
41: /* unexpected trap into S, passed on by s_trap */
    PUTS "*** TRAP scause sepc stval\n"
    mv a0, s9
    jal ra, print_hex
    mv a0, s11
    jal ra, print_hex
    mv a0, s10
    jal ra, print_hex
    j fail
50:
    ld t0, 0(sp)
    ld t1, 8(sp)
    ld t2, 16(sp)
    ld t3, 24(sp)
    ld a0, 32(sp)
    ld ra, 40(sp)
    csrrw sp, mscratch, sp
    mret

    /* S-mode handler: same recording and resumption as m_trap. An
     * unexpected trap is passed on to M (ecall with a7 = ECALL_FAIL). */
    .balign 4
s_trap:
    csrrw sp, sscratch, sp
    sd t0, 0(sp)
    sd t1, 8(sp)
    sd t2, 16(sp)
    sd t3, 24(sp)
    sd a0, 32(sp)
    sd ra, 40(sp)
    csrr t0, sstatus
    sd t0, 48(sp)
    csrr t0, scause
    bltz t0, 65f
    /* GOTO_M from U with ecall-from-U delegated: pass it on to M */
    li t1, CAUSE_ECALL_U
    bne t0, t1, 62f
    li t1, ECALL_TO_M
    bne a7, t1, 62f
    ld t0, 0(sp)
    ld t1, 8(sp)
    csrrw sp, sscratch, sp
    ecall
62:
    beqz s6, 60f
    csrr s9, scause
    csrr s10, stval
    csrr s11, sepc
    csrr s7, sstatus
    srli s7, s7, 8
    andi s7, s7, 1
    addi s8, s8, 1
    csrw sepc, s6
    li s6, 0
    j 70f
65: /* interrupt */
    csrr s9, scause
    csrr s10, stval
    csrr s11, sepc
    csrr s7, sstatus
    srli s7, s7, 8
    andi s7, s7, 1
    addi s8, s8, 1
.ifnb \s_irq_hook
    mv a0, s9
    jal ra, \s_irq_hook
    j 70f
.endif
60:
    csrr s9, scause
    csrr s10, stval
    csrr s11, sepc
    li a7, ECALL_FAIL
    ecall
70:
    ld t0, 0(sp)
    ld t1, 8(sp)
    ld t2, 16(sp)
    ld t3, 24(sp)
    ld a0, 32(sp)
    ld ra, 40(sp)
    csrrw sp, sscratch, sp
    sret

print_char: /* a0 = character. Clobbers t0, t1. */
    li t0, UART0
71: lbu t1, 5(t0)
    andi t1, t1, 0x20
    beqz t1, 71b
    sb a0, 0(t0)
    ret

print_hex: /* a0 = value: 16 hex digits and a newline. Clobbers t0-t3. */
    li t0, UART0
    li t1, 60
72: srl t2, a0, t1
    andi t2, t2, 15
    addi t2, t2, 0x30
    li t3, 0x3a
    blt t2, t3, 73f
    addi t2, t2, 39
73: lbu t3, 5(t0)
    andi t3, t3, 0x20
    beqz t3, 73b
    sb t2, 0(t0)
    addi t1, t1, -4
    bgez t1, 72b
74: lbu t3, 5(t0)
    andi t3, t3, 0x20
    beqz t3, 74b
    li t2, 10
    sb t2, 0(t0)
    ret

fail:
    FAIL_EXIT

    .pushsection .data
    .balign 64
m_save: .space 64
s_save: .space 64
    .popsection
.endm

/* SET_PTE tbl, idx, pa, flags: store at tbl[idx] a PTE pointing at the
 * physical address in register pa (leaf or next-level table) with the
 * given flags (< 0x800). tbl and pa are registers; clobbers t0, t1. */
.macro SET_PTE tbl, idx, pa, flags
    srli t0, \pa, 12
    slli t0, t0, 10
    ori t0, t0, \flags
    li t1, ((\idx) * 8)
    add t1, t1, \tbl
    sd t0, 0(t1)
.endm

/* SET_PTE_RAW tbl, idx, value: store the register value at tbl[idx]. */
.macro SET_PTE_RAW tbl, idx, val
    li t1, ((\idx) * 8)
    add t1, t1, \tbl
    sd \val, 0(t1)
.endm

/* GET_PTE reg, tbl, idx: load tbl[idx]. */
.macro GET_PTE reg, tbl, idx
    li t1, ((\idx) * 8)
    add t1, t1, \tbl
    ld \reg, 0(t1)
.endm

/* ------------------------------------------------------------------ */
/* Interrupt test support (interrupts.S, priority.S). */
#define PLIC_PRIO(n)   (0x0c000000 + 4 * (n))
#define PLIC_ENABLE_M  0x0c002000       /* context 0: hart 0, M-mode */
#define PLIC_THRESH_M  0x0c200000
#define PLIC_CLAIM_M   0x0c200004
#define UART_IRQ       10

/* MARK: remember the trap count (in s5) for WAIT_TRAPS and CHECK_COUNT. */
.macro MARK
    mv s5, s8
.endm

/* Spin until n traps/interrupts have been recorded since MARK, or 5 s of
 * mtime have passed (a generous bound: the timer of a loaded host may
 * fire late). Uses a0, a1, a2. */
.macro WAIT_TRAPS n
    li a0, CLINT_MTIME
    ld a1, 0(a0)
    li a2, 50000000
    add a1, a1, a2
77: sub a2, s8, s5
    addi a2, a2, -(\n)
    bgez a2, 78f
    ld a2, 0(a0)
    bltu a2, a1, 77b
78:
.endm

/* CHECK_COUNT k, n: exactly k traps/interrupts since MARK. */
.macro CHECK_COUNT k, n
    sub t0, s8, s5
    CHECK t0, \k, \n
.endm

/* The same with the target count in a register (not a0-a2). */
.macro WAIT_TRAPS_R reg
    li a0, CLINT_MTIME
    ld a1, 0(a0)
    li a2, 50000000
    add a1, a1, a2
79: bge s8, \reg, 80f
    ld a2, 0(a0)
    bltu a2, a1, 79b
80:
.endm

/* A short spin (no interrupt expected): about 1 ms of mtime. */
.macro SPIN
    li a0, CLINT_MTIME
    ld a1, 0(a0)
    li a2, 10000
    add a1, a1, a2
76: ld a2, 0(a0)
    bltu a2, a1, 76b
.endm

/* Poll mip until (mip & mask) == want, 5 s at most. */
.macro POLL_MIP mask, want
    li a0, CLINT_MTIME
    ld a1, 0(a0)
    li a2, 50000000
    add a1, a1, a2
75: csrr a2, mip
    li a3, \mask
    and a2, a2, a3
    li a3, \want
    beq a2, a3, 74f
    ld a2, 0(a0)
    bltu a2, a1, 75b
74:
.endm

.macro SET_MTIMECMP reg
    li t0, CLINT_MTIMECMP
    sd \reg, 0(t0)
.endm

/* CHECK_LOG i, cause, n: the i-th logged interrupt had this cause */
.macro CHECK_LOG i, cause, n
    la t0, irq_log
    ld t0, (\i * 8)(t0)
    CHECK t0, \cause, \n
.endm

.macro CLEAR_LOG
    la t0, irq_n
    sd zero, 0(t0)
    la t0, irq_log
    sd zero, 0(t0)
    sd zero, 8(t0)
    sd zero, 16(t0)
    sd zero, 24(t0)
    sd zero, 32(t0)
    sd zero, 40(t0)
.endm


/* IRQ_RUNTIME: code for the interrupt tests, in .text. m_irq and s_irq
 * are the hooks for PRIV_RUNTIME: they append the cause to irq_log and
 * clear the source of the interrupt. */
.macro IRQ_RUNTIME
/* print the logged causes */
print_log:
    mv s1, ra
    la s0, irq_log
    la t0, irq_n
    ld s2, 0(t0)
1:  beqz s2, 2f
    ld a0, 0(s0)
    jal ra, print_hex
    addi s0, s0, 8
    addi s2, s2, -1
    j 1b
2:  mv ra, s1
    ret

/* a0 = OR of 1 << (cause & 63) over the logged causes; uses t0-t2 */
log_mask:
    li a0, 0
    la t0, irq_n
    ld t1, 0(t0)
    la t0, irq_log
1:  beqz t1, 2f
    ld t2, 0(t0)
    andi t2, t2, 63
    li t3, 1
    sll t2, t3, t2
    or a0, a0, t2
    addi t0, t0, 8
    addi t1, t1, -1
    j 1b
2:  ret

/* append a0 to irq_log (at most 6 entries) and note mtime in irq_mtime;
 * uses t0-t2 */
log_cause:
    li t0, CLINT_MTIME
    ld t1, 0(t0)
    la t0, irq_mtime
    sd t1, 0(t0)
    la t0, irq_n
    ld t1, 0(t0)
    li t2, 6
    bgeu t1, t2, 1f
    addi t2, t1, 1
    sd t2, 0(t0)
    la t0, irq_log
    slli t1, t1, 3
    add t0, t0, t1
    sd a0, 0(t0)
1:  ret

/* interrupts taken into M: log and clear the source */
m_irq:
    mv t3, ra
    jal ra, log_cause
    mv ra, t3
    li t0, IRQ_MSI
    bne a0, t0, 1f
    li t0, CLINT_MSIP
    sw zero, 0(t0)
    ret
1:  li t0, IRQ_MTI
    bne a0, t0, 1f
    li t0, CLINT_MTIMECMP
    li t1, -1
    sd t1, 0(t0)
    ret
1:  li t0, IRQ_SSI
    bne a0, t0, 1f
    csrc mip, MIP_SSIP
    ret
1:  li t0, IRQ_STI
    bne a0, t0, 1f
    li t0, MIP_STIP
    csrc mip, t0
    ret
1:  li t0, IRQ_SEI
    bne a0, t0, 1f
    li t0, MIP_SEIP
    csrc mip, t0
    ret
1:  li t0, IRQ_MEI
    bne a0, t0, 1f
    li t0, UART0
    sb zero, 1(t0)              /* IER = 0 */
    li t0, PLIC_CLAIM_M
    lw t1, 0(t0)
    la t2, claimed
    sd t1, 0(t2)
    sw t1, 0(t0)                /* complete */
    ret
1:  j fail

/* interrupts taken into S */
s_irq:
    mv t3, ra
    jal ra, log_cause
    mv ra, t3
    li t0, IRQ_SSI
    bne a0, t0, 1f
    csrc sip, MIP_SSIP
    ret
1:  li t0, IRQ_STI
    bne a0, t0, 1f
    la t0, sstc_on
    ld t0, 0(t0)
    beqz t0, 2f
    li t0, -1
    csrw CSR_STIMECMP, t0
    ret
2:  li t0, MIP_STIP             /* cannot clear mip.STIP from S */
    csrc sie, t0
    ret
1:  li t0, IRQ_SEI
    bne a0, t0, 1f
    li t0, MIP_SEIP             /* nor mip.SEIP: mask it */
    csrc sie, t0
    ret
1:  li a7, ECALL_FAIL
    ecall

.endm

.macro IRQ_DATA
    .pushsection .data
    .balign 8
irq_n:    .dword 0
irq_log:  .dword 0, 0, 0, 0, 0, 0
sstc_on:  .dword 0
claimed:  .dword 0
irq_mtime: .dword 0
    .popsection
.endm
