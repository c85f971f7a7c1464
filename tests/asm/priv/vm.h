/* vm.h: the body of vm_sv39.S, vm_sv48.S and vm_sv57.S (privileged spec
 * 1.12, 4.3-4.5 and 4.1.11 satp). The including file defines LEVELS
 * (3, 4 or 5) and includes ../common.h and priv.h first.
 *
 * Physical layout: code and data from 0x80000000; page tables and test
 * pages in .data (4 KiB aligned).
 *
 * Virtual layout (table A; "T2" is the table whose entries map 1 GiB,
 * "T1" 2 MiB, "T0" 4 KiB; for Sv48/Sv57 the root and a level-3 table
 * lead to T2 through entry 0):
 *   T2[0]  -> T1
 *   T2[1]  1 GiB alias of 0x80000000, RW               (VA 0x4000_0000)
 *   T2[2]  1 GiB identity of 0x80000000, RWX, S        (code, tables)
 *   T2[3]  1 GiB leaf with PPN[0] != 0 (misaligned)    (VA 0xc000_0000)
 *   T2[4]  1 GiB alias of 0x80000000, RWX, U           (VA 0x1_0000_0000)
 *   T1[0]  -> T0
 *   T1[1]  2 MiB alias of 0x80000000, RW               (VA 0x20_0000)
 *   T1[2]  2 MiB leaf with PPN[0] != 0 (misaligned)    (VA 0x40_0000)
 *   T1[4]  2 MiB alias of 0x80000000, RW, A = D = 0    (VA 0x80_0000)
 *   T1[128] 2 MiB identity of the UART                 (VA 0x1000_0000)
 *   T0[i]  4 KiB pages at VA i * 0x1000, see below; T0[256] maps the
 *          test device (VA 0x10_0000) so S can report directly.
 * Sv48 adds a 512 GiB leaf (root[1], VA 1 << 39, PA 0) and a misaligned
 * one (root[2]); Sv57 adds a 256 TiB leaf (root[1], VA 1 << 48, PA 0), a
 * misaligned one (root[2]) and a 512 GiB leaf in the level-3 table.
 */

#define VA_BITS (12 + 9 * LEVELS)
#define SATP_MODE_VAL ((8 + LEVELS - 3) << 60)
#define U_ALIAS 0x80000000      /* U alias VA - PA for the code gigapage */

/* T0 slots */
#define P_RO      1     /* data_page R */
#define P_RW      2     /* data_page RW */
#define P_XO      3     /* data_page X only */
#define P_URW     4     /* data_page U RW */
#define P_INVAL   5     /* V = 0 */
#define P_WO      6     /* W without R: reserved */
#define P_AD_LD   7     /* data2_page RW, A = D = 0: loaded */
#define P_AD_ST   8     /* data2_page RW, A = D = 0: stored */
#define P_D_ST    9     /* data2_page RW, A = 1, D = 0: stored */
#define P_X       10    /* xpage X, A = 0 */
#define P_RNX     11    /* xpage R, not X */
#define P_UX      12    /* xpage U X */
#define P_REMAP   13    /* data_page, then data2_page */
#define P_STR     14    /* straddle_page X; slot 15 invalid */
#define P_STR2    16    /* straddle_page X; slot 17 page2 X */
#define P_PTR0    18    /* V = 1, R = W = X = 0 at the last level */
#define P_RSVD    19    /* reserved bits 60:54 set */
#define P_UXO     20    /* data_page U X only */
#define VA(slot)  ((slot) * 0x1000)

#define F_RWX (PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)
#define F_RW  (PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
#define F_R   (PTE_V | PTE_R | PTE_A)
#define F_X   (PTE_V | PTE_X | PTE_A)

/* build the pointer chain root -> ... -> T2 (tables given by labels) */
.macro CHAIN root, l3, l2
#if LEVELS >= 4
    la t2, \root
    la t3, \l2
#if LEVELS == 5
    la t3, \l3
    SET_PTE t2, 0, t3, PTE_V
    la t2, \l3
    la t3, \l2
#endif
    SET_PTE t2, 0, t3, PTE_V
#endif
.endm

/* Check that the last trap had this cause, tval = register va, and was
 * taken from S. Checks n..n+2. */
.macro CHECK_FAULT cause, va, n
    CHECK s9, \cause, \n
    CHECK_EQ s10, \va, (\n + 1)
    CHECK s7, 1, (\n + 2)
.endm

/* va = VA(slot) + off in register reg */
.macro LI_VA reg, slot, off
    li \reg, (VA(\slot) + \off)
.endm

/* Run in U at the U alias of the following code. */
.macro GOTO_U_ALIAS
    li t0, (MSTATUS_MPP | MSTATUS_MPIE)
    csrc mstatus, t0
    la t0, 84f
    li t1, U_ALIAS
    add t0, t0, t1
    csrw mepc, t0
    mret
84:
.endm

.macro VM_BODY
    .section .text.init
    .globl _start
_start:
    .option norvc
    PRIV_INIT
    PMP_ALLOW_ALL
    csrw medeleg, zero
    csrw mideleg, zero
    csrw mie, zero

    /* ---- 1-9: satp ---- */
    li a1, SATP_MODE_VAL
    csrw satp, a1
    csrr a2, satp
    CHECK_EQ a2, a1, 1          /* this mode is supported */
    li t0, (5 << 60)            /* reserved mode: the write is ignored */
    csrw satp, t0
    csrr a2, satp
    CHECK_EQ a2, a1, 2
    li t0, 0xffff               /* ASIDLEN: ones from bit 0 up */
    slli t0, t0, 44
    or t0, t0, a1
    csrw satp, t0
    csrr a2, satp
    srli a2, a2, 44
    li t0, 0xffff
    and s5, a2, t0              /* s5: the largest ASID */
    addi t0, s5, 1
    and t0, t0, s5
    CHECK t0, 0, 3
    csrw satp, zero
    csrr a2, satp
    CHECK a2, 0, 4

    /* ---- build table A ---- */
    CHAIN ptA_root, ptA_l3, ptA_l2
    la s2, ptA_l2
#if LEVELS == 3
    la s2, ptA_root
#endif
    la s1, ptA_l1
    la s0, ptA_l0
    SET_PTE s2, 0, s1, PTE_V
    li a1, 0x80000000
    SET_PTE s2, 1, a1, F_RW
    SET_PTE s2, 2, a1, F_RWX
    li a2, 0x80200000
    SET_PTE s2, 3, a2, F_RW
    SET_PTE s2, 4, a1, (F_RWX | PTE_U)
    SET_PTE s1, 0, s0, PTE_V
    SET_PTE s1, 1, a1, F_RW
    li a2, 0x80001000
    SET_PTE s1, 2, a2, F_RW
    SET_PTE s1, 4, a1, (PTE_V | PTE_R | PTE_W)
    li a2, 0x10000000
    SET_PTE s1, 128, a2, F_RW
    li a2, 0x100000
    SET_PTE s0, 256, a2, F_RW
    la a2, data_page
    la a3, data2_page
    la a4, xpage
    SET_PTE s0, P_RO, a2, F_R
    SET_PTE s0, P_RW, a2, F_RW
    SET_PTE s0, P_XO, a2, F_X
    SET_PTE s0, P_URW, a2, (F_RW | PTE_U)
    SET_PTE s0, P_INVAL, a2, (F_RW & ~PTE_V)
    SET_PTE s0, P_WO, a2, (PTE_V | PTE_W | PTE_A | PTE_D)
    SET_PTE s0, P_AD_LD, a3, (PTE_V | PTE_R | PTE_W)
    SET_PTE s0, P_AD_ST, a3, (PTE_V | PTE_R | PTE_W)
    SET_PTE s0, P_D_ST, a3, (PTE_V | PTE_R | PTE_W | PTE_A)
    SET_PTE s0, P_X, a4, (PTE_V | PTE_X)
    SET_PTE s0, P_RNX, a4, F_R
    SET_PTE s0, P_UX, a4, (F_X | PTE_U)
    SET_PTE s0, P_REMAP, a2, F_RW
    la a5, straddle_page
    SET_PTE s0, P_STR, a5, F_X
    SET_PTE s0, P_STR2, a5, F_X
    la a6, page2
    SET_PTE s0, (P_STR2 + 1), a6, F_X
    SET_PTE s0, P_PTR0, a2, PTE_V
    SET_PTE s0, P_RSVD, a2, F_RW
    GET_PTE t2, s0, P_RSVD
    li t3, 1
    slli t3, t3, 54             /* reserved bit 54 */
    or t2, t2, t3
    SET_PTE_RAW s0, P_RSVD, t2
    SET_PTE s0, P_UXO, a2, (F_X | PTE_U)
#if LEVELS >= 4
    la t2, ptA_root
    li a2, 0
    SET_PTE t2, 1, a2, F_RW     /* 512 GiB (Sv48) / 256 TiB (Sv57) leaf */
#if LEVELS == 4
    li a2, 0x40000000           /* misaligned 512 GiB leaf */
#else
    li a2, 0x8000000000         /* misaligned 256 TiB leaf */
#endif
    SET_PTE t2, 2, a2, F_RW
#endif
#if LEVELS == 5
    la t2, ptA_l3
    li a2, 0
    SET_PTE t2, 1, a2, F_RW     /* 512 GiB leaf at VA 1 << 39 */
#endif

    /* ---- table B (ASID test): same code/UART/device mappings, slot
     * P_REMAP maps data2_page ---- */
    CHAIN ptB_root, ptB_l3, ptB_l2
    la t2, ptB_l2
#if LEVELS == 3
    la t2, ptB_root
#endif
    la t3, ptB_l1
    la a4, ptB_l0
    SET_PTE t2, 0, t3, PTE_V
    li a1, 0x80000000
    SET_PTE t2, 2, a1, F_RWX
    SET_PTE t3, 0, a4, PTE_V
    li a2, 0x10000000
    SET_PTE t3, 128, a2, F_RW
    li a2, 0x100000
    SET_PTE a4, 256, a2, F_RW
    la a3, data2_page
    SET_PTE a4, P_REMAP, a3, F_RW

    /* satp values: s3 = A with ASID 1, s4 = B with ASID 2 (ASIDs are
     * masked to the implemented width) */
    la t0, ptA_root
    srli t0, t0, 12
    li t1, SATP_MODE_VAL
    or s3, t0, t1
    la t0, ptB_root
    srli t0, t0, 12
    or s4, t0, t1
    andi t0, s5, 1
    slli t0, t0, 44
    or s3, s3, t0
    andi t0, s5, 2
    slli t0, t0, 44
    or s4, s4, t0
    csrw satp, s3
    sfence.vma
    GOTO_S

    /* ---- 10-39: leaves at every level, aliases ---- */
    la a1, data_page            /* identity */
    ld a2, 0(a1)
    CHECK a2, 0x1111111111111111, 10
    li t0, 0x80000000
    sub a3, a1, t0              /* a3: offset of data_page in RAM */
    li t0, 0x40000000           /* 1 GiB alias */
    add t0, t0, a3
    ld a2, 0(t0)
    CHECK a2, 0x1111111111111111, 11
    li t0, 0x200000             /* 2 MiB alias */
    add t0, t0, a3
    ld a2, 0(t0)
    CHECK a2, 0x1111111111111111, 12
    LI_VA t0, P_RW, 0           /* 4 KiB */
    ld a2, 0(t0)
    CHECK a2, 0x1111111111111111, 13
    /* a store through one alias is seen through the others */
    li a4, 0x1234
    LI_VA t0, P_RW, 8
    sd a4, 0(t0)
    li t0, 0x40000008
    add t0, t0, a3
    ld a2, 0(t0)
    CHECK_EQ a2, a4, 14
    ld a2, 8(a1)
    CHECK_EQ a2, a4, 15
#if LEVELS >= 4
    li t0, (1 << 39)            /* Sv48: 512 GiB leaf, Sv57: in level 3 */
    add t0, t0, a1
    ld a2, 0(t0)
    CHECK a2, 0x1111111111111111, 16
#endif
#if LEVELS == 5
    li t0, (1 << 48)            /* 256 TiB leaf */
    add t0, t0, a1
    ld a2, 0(t0)
    CHECK a2, 0x1111111111111111, 17
#endif
    /* misaligned superpages */
    li a4, 0x400000
    TRAP_BEGIN
    ld a2, 0(a4)
    TRAP_END
    CHECK_FAULT CAUSE_LOAD_PAGE, a4, 20
    li a4, 0xc0000000
    TRAP_BEGIN
    sd a2, 0(a4)
    TRAP_END
    CHECK_FAULT CAUSE_STORE_PAGE, a4, 23
#if LEVELS >= 4
#if LEVELS == 4
    li a4, (2 << 39)
#else
    li a4, (2 << 48)
#endif
    TRAP_BEGIN
    ld a2, 0(a4)
    TRAP_END
    CHECK_FAULT CAUSE_LOAD_PAGE, a4, 26
#endif
    PRINT_HEX s9

    /* ---- 40-79: R/W/X permissions, invalid PTEs ---- */
    LI_VA a4, P_RO, 16
    TRAP_BEGIN
    ld a2, 0(a4)                /* R: load ok */
    TRAP_END
    CHECK_NOTRAP 40
    TRAP_BEGIN
    sd a2, 0(a4)
    TRAP_END
    CHECK_FAULT CAUSE_STORE_PAGE, a4, 41
    PRINT_HEX s9
    TRAP_BEGIN
st_ro_amo:
    amoadd.d a2, a2, (a4)       /* an AMO needs W */
    TRAP_END
    CHECK_FAULT CAUSE_STORE_PAGE, a4, 44
    LI_VA a4, P_XO, 24
    TRAP_BEGIN
    ld a2, 0(a4)                /* X only: no load */
    TRAP_END
    CHECK_FAULT CAUSE_LOAD_PAGE, a4, 47
    PRINT_HEX s9
    li t0, MSTATUS_MXR
    csrs sstatus, t0
    TRAP_BEGIN
    ld a2, 0(a4)                /* MXR: X makes it readable */
    TRAP_END
    li t0, MSTATUS_MXR
    csrc sstatus, t0
    CHECK_NOTRAP 50
    CHECK a2, 0, 51
    TRAP_BEGIN
    sd a2, 0(a4)
    TRAP_END
    CHECK_FAULT CAUSE_STORE_PAGE, a4, 52
    LI_VA a4, P_INVAL, 0
    TRAP_BEGIN
    lw a2, 0(a4)
    TRAP_END
    CHECK_FAULT CAUSE_LOAD_PAGE, a4, 55
    TRAP_BEGIN
    sw a2, 0(a4)
    TRAP_END
    CHECK_FAULT CAUSE_STORE_PAGE, a4, 58
    TRAP_BEGIN
    jalr ra, a4
    TRAP_END
    CHECK_FAULT CAUSE_FETCH_PAGE, a4, 61
    CHECK_EQ s11, a4, 64        /* epc = the target */
    PRINT_HEX s9
    LI_VA a4, P_WO, 0
    TRAP_BEGIN
    lw a2, 0(a4)
    TRAP_END
    CHECK_FAULT CAUSE_LOAD_PAGE, a4, 65
    TRAP_BEGIN
    sw a2, 0(a4)
    TRAP_END
    CHECK_FAULT CAUSE_STORE_PAGE, a4, 68
    LI_VA a4, P_PTR0, 0
    TRAP_BEGIN
    lw a2, 0(a4)
    TRAP_END
    CHECK_FAULT CAUSE_LOAD_PAGE, a4, 71
    /* execute: X page runs, R page does not */
    LI_VA a4, P_X, 0
    li a0, 0
    TRAP_BEGIN
    jalr ra, a4
    TRAP_END
    CHECK_NOTRAP 74
    CHECK a0, 0x55, 75
    LI_VA a4, P_RNX, 0
    TRAP_BEGIN
xfault:
    jalr ra, a4
    TRAP_END
    CHECK_FAULT CAUSE_FETCH_PAGE, a4, 76
    CHECK_EQ s11, a4, 79
    PRINT_HEX s9

    /* ---- 80-99: U pages from S: SUM; never executable by S ---- */
    LI_VA a4, P_URW, 0
    TRAP_BEGIN
    ld a2, 0(a4)
    TRAP_END
    CHECK_FAULT CAUSE_LOAD_PAGE, a4, 80
    TRAP_BEGIN
    sd a2, 0(a4)
    TRAP_END
    CHECK_FAULT CAUSE_STORE_PAGE, a4, 83
    li t0, MSTATUS_SUM
    csrs sstatus, t0
    TRAP_BEGIN
    ld a2, 0(a4)
    sd a2, 32(a4)
    TRAP_END
    CHECK_NOTRAP 86
    CHECK a2, 0x1111111111111111, 87
    LI_VA a4, P_UX, 0
    TRAP_BEGIN
    jalr ra, a4
    TRAP_END
    CHECK_FAULT CAUSE_FETCH_PAGE, a4, 88
    /* SUM does not give S access to U pages readable only by MXR...
     * but MXR with SUM does: U X-only page, S load */
    LI_VA a4, P_UXO, 0
    TRAP_BEGIN
    ld a2, 0(a4)
    TRAP_END
    CHECK_FAULT CAUSE_LOAD_PAGE, a4, 91
    PRINT_HEX s9
    li t0, MSTATUS_MXR
    csrs sstatus, t0
    TRAP_BEGIN
    ld a2, 0(a4)
    TRAP_END
    li t0, (MSTATUS_MXR | MSTATUS_SUM)
    csrc sstatus, t0
    CHECK_NOTRAP 94
    /* a user page reached with SUM set faults again once SUM alone is
     * cleared (no stale translation survives) */
    LI_VA a4, P_URW, 0
    li t0, MSTATUS_SUM
    csrs sstatus, t0
    TRAP_BEGIN
    ld a2, 0(a4)
    TRAP_END
    CHECK_NOTRAP 95
    csrc sstatus, t0
    TRAP_BEGIN
    ld a2, 0(a4)
    TRAP_END
    CHECK_FAULT CAUSE_LOAD_PAGE, a4, 96
    CHECK a2, 0x1111111111111111, 99

    /* ---- 100-119: non-canonical addresses ---- */
    li a4, (1 << (VA_BITS - 1))     /* sign bit set, upper bits clear */
    TRAP_BEGIN
    ld a2, 0(a4)
    TRAP_END
    CHECK_FAULT CAUSE_LOAD_PAGE, a4, 100
    li a4, (1 << VA_BITS)           /* a bit above the VA */
    TRAP_BEGIN
    sb a2, 0(a4)
    TRAP_END
    CHECK_FAULT CAUSE_STORE_PAGE, a4, 103
    li a4, 0x8000000000000000       /* non-canonical alias of data */
    or a4, a4, a1
    TRAP_BEGIN
    ld a2, 0(a4)
    TRAP_END
    CHECK_FAULT CAUSE_LOAD_PAGE, a4, 106
    la a4, 1f
    li t0, (1 << VA_BITS)
    or a4, a4, t0
    TRAP_BEGIN
    jalr ra, a4
    TRAP_END
1:  CHECK_FAULT CAUSE_FETCH_PAGE, a4, 109
    /* canonical, upper half: not mapped */
    li a4, -4096
    TRAP_BEGIN
    ld a2, 0(a4)
    TRAP_END
    CHECK_FAULT CAUSE_LOAD_PAGE, a4, 112
    PRINT_HEX s9

    /* ---- 120-139: A and D bits set by the hart (like QEMU; a hart
     * that raises page faults instead is allowed by the spec but not
     * what vireo does) ---- */
    LI_VA a4, P_AD_LD, 0
    TRAP_BEGIN
    ld a2, 0(a4)
    TRAP_END
    CHECK_NOTRAP 120
    CHECK a2, 0x2222222222222222, 121
    GET_PTE a5, s0, P_AD_LD
    andi t0, a5, (PTE_A | PTE_D)
    CHECK t0, PTE_A, 122
    PRINT_HEX a5
    LI_VA a4, P_AD_ST, 0
    TRAP_BEGIN
    ld a2, 0(a4)                /* A first, then D with the TLB warm */
    TRAP_END
    GET_PTE a5, s0, P_AD_ST
    andi t0, a5, (PTE_A | PTE_D)
    CHECK t0, PTE_A, 123
    TRAP_BEGIN
    sd a2, 8(a4)
    TRAP_END
    CHECK_NOTRAP 124
    GET_PTE a5, s0, P_AD_ST
    andi t0, a5, (PTE_A | PTE_D)
    CHECK t0, (PTE_A | PTE_D), 125
    LI_VA a4, P_D_ST, 0
    TRAP_BEGIN
    amoor.d a2, zero, (a4)      /* an AMO is a write */
    TRAP_END
    CHECK_NOTRAP 126
    GET_PTE a5, s0, P_D_ST
    andi t0, a5, (PTE_A | PTE_D)
    CHECK t0, (PTE_A | PTE_D), 127
    PRINT_HEX a5
    /* instruction fetch sets A */
    GET_PTE a5, s0, P_X
    andi t0, a5, (PTE_A | PTE_D)
    CHECK t0, PTE_A, 128        /* from check 74 */
    /* a 2 MiB page */
    li a4, 0x800000
    add a4, a4, a3
    TRAP_BEGIN
    ld a2, 0(a4)
    TRAP_END
    CHECK_NOTRAP 129
    GET_PTE a5, s1, 4
    andi t0, a5, (PTE_A | PTE_D)
    CHECK t0, PTE_A, 130
    TRAP_BEGIN
    sd a2, 0(a4)
    TRAP_END
    GET_PTE a5, s1, 4
    andi t0, a5, (PTE_A | PTE_D)
    CHECK t0, (PTE_A | PTE_D), 131
    /* a faulting access sets neither (store to the R page) */
    GET_PTE a5, s0, P_RO
    andi t0, a5, PTE_D
    CHECK t0, 0, 132
    LI_VA a4, P_RSVD, 0
    TRAP_BEGIN
    ld a2, 0(a4)
    TRAP_END
    CHECK_FAULT CAUSE_LOAD_PAGE, a4, 133

    /* ---- 140-159: instruction fetch across a page boundary ---- */
    LI_VA a4, P_STR, 0xffe
    TRAP_BEGIN
    jalr ra, a4
    TRAP_END
    CHECK s9, CAUSE_FETCH_PAGE, 140
    CHECK_EQ s11, a4, 141           /* epc: the instruction */
    LI_VA t0, (P_STR + 1), 0
    CHECK_EQ s10, t0, 142           /* tval: the missing page */
    PRINT_HEX s9
    PRINT_HEX s10
    PRINT_HEX s11
    LI_VA a4, P_STR2, 0xffe         /* both halves mapped */
    li a0, 41
    TRAP_BEGIN
    jalr ra, a4
    TRAP_END
    CHECK_NOTRAP 143
    CHECK a0, 42, 144

    /* ---- 160-199: sfence.vma after changing a PTE, ASIDs ---- */
    LI_VA a4, P_REMAP, 0
    ld a2, 0(a4)
    CHECK a2, 0x1111111111111111, 160
    la a5, data2_page
    SET_PTE s0, P_REMAP, a5, F_RW
    sfence.vma a4, zero             /* this address, all ASIDs */
    ld a2, 0(a4)
    CHECK a2, 0x2222222222222222, 161
    la a5, data_page
    SET_PTE s0, P_REMAP, a5, F_RW
    sfence.vma                      /* everything */
    ld a2, 0(a4)
    CHECK a2, 0x1111111111111111, 162
    /* by ASID (s3 holds ASID 1 if implemented, else 0) */
    srli a6, s3, 44
    li t0, 0xffff
    and a6, a6, t0
    la a5, data2_page
    SET_PTE s0, P_REMAP, a5, F_RW
    sfence.vma zero, a6
    ld a2, 0(a4)
    CHECK a2, 0x2222222222222222, 163
    la a5, data_page
    SET_PTE s0, P_REMAP, a5, F_RW
    sfence.vma a4, a6
    ld a2, 0(a4)
    CHECK a2, 0x1111111111111111, 164
    /* two address spaces with different ASIDs: no fence is needed to
     * switch between them (needs 2 ASID bits) */
    li t0, 3
    and t0, s5, t0
    li t1, 3
    bne t0, t1, 1f
    csrw satp, s4
    ld a2, 0(a4)
    CHECK a2, 0x2222222222222222, 165
    csrw satp, s3
    ld a2, 0(a4)
    CHECK a2, 0x1111111111111111, 166
    csrw satp, s4
    ld a2, 0(a4)
    CHECK a2, 0x2222222222222222, 167
    csrw satp, s3
1:
    /* changing only table B and fencing only ASID 2 */
    beqz s5, 2f
    csrw satp, s4
    ld a2, 0(a4)
    la a5, data_page
    la t2, ptB_l0
    SET_PTE t2, P_REMAP, a5, F_RW
    srli a6, s4, 44
    li t0, 0xffff
    and a6, a6, t0
    sfence.vma zero, a6
    ld a2, 0(a4)
    CHECK a2, 0x1111111111111111, 168
    csrw satp, s3
2:

    /* ---- 180-199: the same faults delegated to S: scause, stval and
     * sepc ---- */
    GOTO_M
    li t0, ((1 << CAUSE_FETCH_PAGE) | (1 << CAUSE_LOAD_PAGE) | (1 << CAUSE_STORE_PAGE))
    csrw medeleg, t0
    csrw mcause, zero
    GOTO_S
    LI_VA a4, P_STR, 0xffe
    TRAP_BEGIN
    jalr ra, a4
    TRAP_END
    CHECK s9, CAUSE_FETCH_PAGE, 180
    CHECK_EQ s11, a4, 181
    LI_VA t0, (P_STR + 1), 0
    CHECK_EQ s10, t0, 182
    CHECK s7, 1, 183                /* SPP = S */
    csrr t0, scause
    CHECK t0, CAUSE_FETCH_PAGE, 184
    LI_VA a4, P_RO, 0x10
    TRAP_BEGIN
    sw a2, 0(a4)
    TRAP_END
    CHECK s9, CAUSE_STORE_PAGE, 185
    CHECK_EQ s10, a4, 186
    csrr t0, stval
    CHECK_EQ t0, a4, 187
    li a4, (1 << VA_BITS)
    TRAP_BEGIN
    lw a2, 0(a4)
    TRAP_END
    CHECK s9, CAUSE_LOAD_PAGE, 188
    CHECK_EQ s10, a4, 189
    GOTO_M
    csrr t0, mcause                 /* M saw only the GOTO_M ecall */
    CHECK t0, CAUSE_ECALL_S, 190
    csrw medeleg, zero

    /* ---- 200-239: U mode ---- */
    GOTO_U_ALIAS
    LI_VA a4, P_URW, 0
    TRAP_BEGIN
    ld a2, 0(a4)                    /* U page: fine */
    sd a2, 40(a4)
    TRAP_END
    mv a5, s9
    mv a6, a2
    LI_VA a4, P_RW, 0
    TRAP_BEGIN
    ld a2, 0(a4)                    /* S page: fault */
    TRAP_END
    mv s0, s9
    mv s1, s10
    mv s2, s7
    TRAP_BEGIN
    sd a2, 0(a4)
    TRAP_END
    mv s3, s9
    mv s4, s10
    LI_VA a4, P_UX, 0
    li a0, 0
    TRAP_BEGIN
    jalr ra, a4                     /* U X page: runs */
    TRAP_END
    mv s5, s9
    mv a1, a0
    LI_VA a4, P_X, 0
    TRAP_BEGIN
    jalr ra, a4                     /* S X page: fault */
    TRAP_END
    GOTO_M
    CHECK a5, -1, 200
    CHECK a6, 0x1111111111111111, 201
    CHECK s0, CAUSE_LOAD_PAGE, 202
    LI_VA t0, P_RW, 0
    CHECK_EQ s1, t0, 203
    CHECK s2, 0, 204
    CHECK s3, CAUSE_STORE_PAGE, 205
    CHECK_EQ s4, t0, 206
    CHECK s5, -1, 207
    CHECK a1, 0x55, 208
    CHECK s9, CAUSE_FETCH_PAGE, 209
    CHECK_EQ s10, a4, 210
    CHECK s7, 0, 211
    PRINT_HEX s9
    PASS

    .section .text
    PRIV_RUNTIME

    .section .data
    .balign 4096
ptA_root: .space 4096
ptA_l3:   .space 4096
ptA_l2:   .space 4096
ptA_l1:   .space 4096
ptA_l0:   .space 4096
ptB_root: .space 4096
ptB_l3:   .space 4096
ptB_l2:   .space 4096
ptB_l1:   .space 4096
ptB_l0:   .space 4096
data_page:
    .dword 0x1111111111111111
    .space 4088
data2_page:
    .dword 0x2222222222222222
    .space 4088
xpage:                          /* li a0, 0x55; ret */
    addi a0, zero, 0x55
    jalr zero, 0(ra)
    .space 4088
straddle_page:                  /* last 2 bytes: low half of addi a0,a0,1 */
    .space 4094
    .half 0x0513
filler_page:
    .space 4096
page2:                          /* high half, then c.jr ra */
    .half 0x0015
    .half 0x8082
    .space 4092
.endm
