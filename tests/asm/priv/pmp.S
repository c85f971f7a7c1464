/* pmp.S: physical memory protection (privileged spec 1.12, 3.7): TOR,
 * NA4 and NAPOT regions, R/W/X per region for S and U, no match = fail
 * for S/U and success for M, the lowest-numbered matching entry wins,
 * M-mode bound only by locked entries, locked entries (and the base of a
 * locked TOR entry) cannot be rewritten, MPRV accesses checked with the
 * MPP privilege, pmpcfg1/3 do not exist on RV64, pmpaddr granularity.
 *
 * Regions (all in .data, page aligned):
 *   0  NA4   page_a + 0x100            R
 *   1  NAPOT page_b (4 KiB)            RW
 *   2  OFF   page_c                     (TOR base)
 *   3  TOR   page_c .. page_c + 8 KiB  RX
 *   4  NAPOT page_a (4 KiB)            RW   (under entry 0)
 *   5  NAPOT page_b (4 KiB)            RWX  (under entry 1)
 *   13 NAPOT test device (4 KiB)       RW
 *   14 NAPOT UART (4 KiB)              RW
 *   15 NAPOT 0x80000000 (2 MiB)        RWX  (code, data, stacks)
 * RAM at 0x84000000 matches no entry.
 *
 * UART output: the causes of the access faults.
 */
#include "../common.h"
#include "priv.h"

#define OUTSIDE 0x84000000

/* pmpcfg byte for entry i */
#define CFG(i, v) ((v) << (8 * (i)))

.macro CHECK_FAULT cause, va, prv, n
    CHECK s9, \cause, \n
    CHECK_EQ s10, \va, (\n + 1)
    CHECK s7, \prv, (\n + 2)
.endm

/* NAPOT address for a naturally aligned region: reg = (base | (size/2 - 1)) >> 2 */
.macro NAPOT reg, base, size
    la \reg, \base
    li t0, ((\size / 2) - 1)
    or \reg, \reg, t0
    srli \reg, \reg, 2
.endm

    .section .text.init
    .globl _start
_start:
    .option norvc
    PRIV_INIT
    csrw medeleg, zero
    csrw satp, zero

    /* ---- 1-9: pmpcfg1 / pmpcfg3 do not exist on RV64 ---- */
    TRAP_BEGIN
    csrr t0, pmpcfg1
    TRAP_END
    CHECK s9, CAUSE_ILLEGAL, 1
    TRAP_BEGIN
    csrw pmpcfg3, zero
    TRAP_END
    CHECK s9, CAUSE_ILLEGAL, 2

    /* ---- 10-19: granularity ---- */
    csrw pmpcfg0, zero
    csrw pmpcfg2, zero
    li t0, -1
    csrw pmpaddr0, t0
    csrr s0, pmpaddr0           /* s0: writable address bits (A = OFF) */
    CHECK_NE s0, 0, 10
    mv t0, s0                   /* s1 = G = ctz(s0) */
    li s1, 0
1:  andi t1, t0, 1
    bnez t1, 2f
    srli t0, t0, 1
    addi s1, s1, 1
    j 1b
2:  csrw pmpaddr0, zero
    csrr t0, pmpaddr0
    CHECK t0, 0, 11
    li t0, -1
    csrw pmpaddr0, t0
    li t0, PMP_NAPOT            /* NAPOT: bits G-2..0 read as ones */
    csrw pmpcfg0, t0
    csrr a2, pmpaddr0
    mv a3, s0
    li t0, 2
    blt s1, t0, 3f
    addi t0, s1, -1
    li t1, 1
    sll t1, t1, t0
    addi t1, t1, -1
    or a3, a3, t1
3:  CHECK_EQ a2, a3, 12
    csrw pmpcfg0, zero
    csrr a2, pmpaddr0           /* and as zeros again when OFF */
    CHECK_EQ a2, s0, 13
    csrw pmpaddr0, zero

    /* ---- 20-29: no entry enabled: M works (that S cannot even fetch
     * then is checked in strict.S) ---- */
    li a4, OUTSIDE
    TRAP_BEGIN
    ld a2, 0(a4)
    sd a2, 0(a4)
    TRAP_END
    CHECK_NOTRAP 20

    /* ---- program the regions ---- */
    la t0, page_a
    addi t0, t0, 0x100
    srli t0, t0, 2
    csrw pmpaddr0, t0
    NAPOT t2, page_b, 4096
    csrw pmpaddr1, t2
    csrw pmpaddr5, t2
    la t0, page_c
    srli t0, t0, 2
    csrw pmpaddr2, t0
    la t0, page_c_end
    srli t0, t0, 2
    csrw pmpaddr3, t0
    NAPOT t2, page_a, 4096
    csrw pmpaddr4, t2
    li t2, 0x80000000
    li t0, ((0x200000 / 2) - 1)
    or t2, t2, t0
    srli t2, t2, 2
    csrw pmpaddr15, t2
    li t2, ((0x100000 | 0x7ff) >> 2)       /* test device, 4 KiB */
    csrw pmpaddr13, t2
    li t2, ((0x10000000 | 0x7ff) >> 2)     /* UART, 4 KiB */
    csrw pmpaddr14, t2
    li s2, (CFG(1, PMP_NAPOT | PMP_R | PMP_W) | CFG(3, PMP_TOR | PMP_R | PMP_X) | CFG(4, PMP_NAPOT | PMP_R | PMP_W) | CFG(5, PMP_NAPOT | PMP_R | PMP_W | PMP_X))
    bnez s1, 1f                 /* NA4 only exists when G = 0 */
    ori s2, s2, (PMP_NA4 | PMP_R)
1:  csrw pmpcfg0, s2
    li t0, (CFG(5, PMP_NAPOT | PMP_R | PMP_W) | CFG(6, PMP_NAPOT | PMP_R | PMP_W) | CFG(7, PMP_NAPOT | PMP_R | PMP_W | PMP_X))
    csrw pmpcfg2, t0
    sfence.vma
    csrr a2, pmpcfg0
    CHECK_EQ a2, s2, 30
    csrr a2, pmpcfg2
    CHECK_EQ a2, t0, 31

    /* ---- 40-59: S-mode ---- */
    GOTO_S
    la a4, page_a
    addi a4, a4, 0x100
    TRAP_BEGIN
    lw a2, 0(a4)                /* NA4 R (or entry 4 RW if G > 0) */
    TRAP_END
    CHECK_NOTRAP 40
    CHECK a2, 0x0a0a0a0a, 41
    beqz s1, 1f                 /* G > 0: no NA4, skip its checks */
    j 2f
1:  TRAP_BEGIN
    sw a2, 0(a4)                /* NA4 beats entry 4 */
    TRAP_END
    CHECK_FAULT CAUSE_STORE_ACCESS, a4, 1, 42
    PRINT_HEX s9
    TRAP_BEGIN
    sw a2, 4(a4)                /* the next word: entry 4, RW */
    lw a2, -4(a4)
    TRAP_END
    CHECK_NOTRAP 46
2:  /* page_b: NAPOT RW, not X (entry 1 beats entry 5) */
    la a4, page_b
    TRAP_BEGIN
    ld a2, 8(a4)
    sd a2, 16(a4)
    TRAP_END
    CHECK_NOTRAP 47
    li a0, 0
    TRAP_BEGIN
    jalr ra, a4
    TRAP_END
    CHECK_FAULT CAUSE_FETCH_ACCESS, a4, 1, 48
    CHECK_EQ s11, a4, 51
    CHECK a0, 0, 52
    PRINT_HEX s9
    /* page_c: TOR RX */
    la a4, page_c
    li a0, 0
    TRAP_BEGIN
    jalr ra, a4
    ld a2, 8(a4)
    TRAP_END
    CHECK_NOTRAP 53
    CHECK a0, 0x77, 54
    li t0, 8192 - 8
    add a4, a4, t0              /* last dword of the TOR range */
    TRAP_BEGIN
    sd a2, 0(a4)
    TRAP_END
    CHECK_FAULT CAUSE_STORE_ACCESS, a4, 1, 55
    TRAP_BEGIN
    sd a2, 8(a4)                /* just above: entry 15, RWX */
    TRAP_END
    CHECK_NOTRAP 58
    la a4, page_c               /* just below: page_b_pad, entry 15 */
    TRAP_BEGIN
    sd a2, -8(a4)
    TRAP_END
    CHECK_NOTRAP 59
    /* outside every region */
    li a4, OUTSIDE
    TRAP_BEGIN
    ld a2, 0(a4)
    TRAP_END
    CHECK_FAULT CAUSE_LOAD_ACCESS, a4, 1, 60
    PRINT_HEX s9
    TRAP_BEGIN
    sd a2, 8(a4)
    TRAP_END
    addi t0, a4, 8
    CHECK_FAULT CAUSE_STORE_ACCESS, t0, 1, 63
    PRINT_HEX s9
    TRAP_BEGIN
    jalr ra, a4
    TRAP_END
    CHECK_FAULT CAUSE_FETCH_ACCESS, a4, 1, 66
    GOTO_M

    /* ---- 70-79: U-mode, same rules ---- */
    GOTO_U
    li a4, OUTSIDE
    TRAP_BEGIN
    lw a2, 4(a4)
    TRAP_END
    mv a5, s9
    mv a6, s10
    mv a3, s7
    la a4, page_b
    TRAP_BEGIN
    ld a2, 0(a4)
    TRAP_END
    mv s0, s9
    TRAP_BEGIN
    jalr ra, a4
    TRAP_END
    GOTO_M
    CHECK a5, CAUSE_LOAD_ACCESS, 70
    CHECK a6, (OUTSIDE + 4), 71
    CHECK a3, 0, 72
    CHECK s0, -1, 73
    CHECK_FAULT CAUSE_FETCH_ACCESS, a4, 0, 74

    /* ---- 80-89: M is not restricted by unlocked entries ---- */
    li a4, OUTSIDE
    la a5, page_a
    addi a5, a5, 0x100
    la a6, page_b
    li a0, 0
    TRAP_BEGIN
    ld a2, 0(a4)
    sd a2, 0(a4)
    lw a2, 0(a5)
    sw a2, 0(a5)                /* NA4 R-only */
    jalr ra, a6                 /* page_b, not X */
    TRAP_END
    CHECK_NOTRAP 80
    CHECK a0, 0x66, 81
    /* ...but MPRV makes its loads/stores obey them as MPP */
    li t0, (MSTATUS_MPP)
    csrc mstatus, t0
    li t0, (MSTATUS_MPRV | MSTATUS_MPP_S)
    TRAP_BEGIN
    csrs mstatus, t0
    ld a2, 0(a4)
    TRAP_END
    li t0, MSTATUS_MPRV
    csrc mstatus, t0
    CHECK s9, CAUSE_LOAD_ACCESS, 82
    CHECK_EQ s10, a4, 83
    CHECK s7, 3, 84

    /* ---- 90-119: locked entries ---- */
    /* entry 6: page_d, NAPOT, R, locked. Binds M too. */
    NAPOT t2, page_d, 4096
    csrw pmpaddr6, t2
    mv s3, t2
    li t0, CFG(6, PMP_L | PMP_NAPOT | PMP_R)
    or s2, s2, t0
    csrw pmpcfg0, s2
    sfence.vma
    la a4, page_d
    TRAP_BEGIN
    ld a2, 0(a4)
    TRAP_END
    CHECK_NOTRAP 90
    CHECK a2, 0x0d0d0d0d0d0d0d0d, 91
    TRAP_BEGIN
    sd a2, 8(a4)
    TRAP_END
    addi t2, a4, 8
    CHECK_FAULT CAUSE_STORE_ACCESS, t2, 3, 92
    PRINT_HEX s9
    TRAP_BEGIN
    jalr ra, a4
    TRAP_END
    CHECK_FAULT CAUSE_FETCH_ACCESS, a4, 3, 95
    /* its pmpaddr and cfg byte ignore writes; the other bytes do not */
    csrw pmpaddr6, zero
    csrr a2, pmpaddr6
    CHECK_EQ a2, s3, 98
    li t0, CFG(6, 0xff)
    not t0, t0
    and a3, s2, t0              /* entry 6 cleared ... */
    li t0, CFG(6, PMP_NAPOT | PMP_R | PMP_W | PMP_X)
    or a3, a3, t0               /* ... and made RWX, unlocked */
    li t0, CFG(5, 0xff)
    not t0, t0
    and a3, a3, t0              /* entry 5 turned off */
    csrw pmpcfg0, a3
    csrr a2, pmpcfg0
    li t0, CFG(5, 0xff)
    not t0, t0
    and t1, s2, t0
    CHECK_EQ a2, t1, 99         /* entry 5 changed, entry 6 did not */
    csrw pmpcfg0, s2
    /* a locked TOR entry also locks the pmpaddr below it: entry 8 TOR
     * (locked, RWX) over page_e with entry 7 as its base */
    la t0, page_e
    srli t0, t0, 2
    csrw pmpaddr7, t0
    la t0, page_e_end
    srli t0, t0, 2
    csrw pmpaddr8, t0
    csrr s3, pmpaddr7
    li t0, (CFG(0, PMP_L | PMP_TOR | PMP_R | PMP_W | PMP_X) | CFG(5, PMP_NAPOT | PMP_R | PMP_W) | CFG(6, PMP_NAPOT | PMP_R | PMP_W) | CFG(7, PMP_NAPOT | PMP_R | PMP_W | PMP_X))
    csrw pmpcfg2, t0
    sfence.vma
    csrw pmpaddr7, zero
    csrr a2, pmpaddr7
    CHECK_EQ a2, s3, 100
    la a4, page_e
    TRAP_BEGIN
    sd a2, 0(a4)                /* RWX locked: M may store */
    TRAP_END
    CHECK_NOTRAP 101
    PASS

    .section .text
    PRIV_RUNTIME

    .section .data
    .balign 4096
page_a:
    .fill 1024, 4, 0x0a0a0a0a
page_b:                         /* li a0, 0x66; ret */
    addi a0, zero, 0x66
    jalr zero, 0(ra)
    .space 4088
page_b_pad:
    .space 4096
page_c:                         /* li a0, 0x77; ret */
    addi a0, zero, 0x77
    jalr zero, 0(ra)
    .space 8184
page_c_end:
    .space 4096
page_d:
    .rept 512
    .dword 0x0d0d0d0d0d0d0d0d
    .endr
page_e:
    .space 4096
page_e_end:
