/* modes.S: privilege modes and mstatus (privileged spec 1.12, 3.1.1,
 * 3.1.6, 3.1.8, 3.3, 4.1.1-4.1.3): mret/sret transitions, CSR access by
 * privilege, mstatus WARL fields and the sstatus view, interrupt-enable
 * stacking on traps and xRET, TVM/TW/TSR, MPRV with MPP/SUM/MXR,
 * medeleg, the sie/sip views masked by mideleg, FS/SD, identity CSRs.
 *
 * UART output: the causes of the traps (and whether WFI trapped).
 */
#include "../common.h"
#include "priv.h"

/* trap of cause c from privilege p (checks n, n+1) */
.macro CHECK_CP cause, prv, n
    CHECK s9, \cause, \n
    CHECK s7, \prv, (\n + 1)
.endm

/* FIELD reg, csr, mask, shift: reg = (csr & mask) >> shift */
.macro FIELD reg, csr, mask, shift
    csrr \reg, \csr
    li t0, \mask
    and \reg, \reg, t0
    srli \reg, \reg, \shift
.endm

    .section .text.init
    .globl _start
_start:
    .option norvc
    PRIV_INIT
    PMP_ALLOW_ALL
    csrw medeleg, zero
    csrw mideleg, zero
    csrw mie, zero
    csrw satp, zero

    /* ---- 1-9: identity CSRs ---- */
    csrr a1, misa
    beqz a1, 1f                 /* misa may be 0: not implemented */
    srli t0, a1, 62
    CHECK t0, 2, 1              /* MXL = 64 */
    srli t0, a1, 8              /* I */
    andi t0, t0, 1
    CHECK t0, 1, 2
    srli t0, a1, 18             /* S */
    andi t0, t0, 1
    CHECK t0, 1, 3
    srli t0, a1, 20             /* U */
    andi t0, t0, 1
    CHECK t0, 1, 4
1:  TRAP_BEGIN
    csrr t0, mvendorid
    csrr t0, marchid
    csrr t0, mimpid
    csrr a2, mhartid
    TRAP_END
    CHECK_NOTRAP 5
    CHECK a2, 0, 6

    /* ---- 10-39: mstatus WARL fields and the sstatus view ---- */
    /* (MPP never reading back 2 is checked in strict.S) */
    li a1, MSTATUS_MPP
    csrc mstatus, a1
    li t0, MSTATUS_MPP_S
    csrs mstatus, t0
    FIELD a2, mstatus, MSTATUS_MPP, 11
    CHECK a2, 1, 11
    csrc mstatus, a1
    FIELD a2, mstatus, MSTATUS_MPP, 11
    CHECK a2, 0, 12
    csrs mstatus, a1
    FIELD a2, mstatus, MSTATUS_MPP, 11
    CHECK a2, 3, 13
    li t0, MSTATUS_SPP
    csrs mstatus, t0
    FIELD a2, mstatus, MSTATUS_SPP, 8
    CHECK a2, 1, 14
    FIELD a2, sstatus, MSTATUS_SPP, 8
    CHECK a2, 1, 15
    csrc sstatus, t0
    FIELD a2, mstatus, MSTATUS_SPP, 8
    CHECK a2, 0, 16
    /* SIE, SPIE, SUM, MXR written through sstatus appear in mstatus */
    li a1, (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SUM | MSTATUS_MXR)
    csrs sstatus, a1
    csrr a2, mstatus
    and a2, a2, a1
    CHECK_EQ a2, a1, 17
    csrc mstatus, a1
    csrr a2, sstatus
    and a2, a2, a1
    CHECK a2, 0, 18
    /* M-only fields are invisible in sstatus and not writable through it */
    li a1, (MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_MPRV | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR)
    li t0, (MSTATUS_MPIE | MSTATUS_MPP)
    csrs mstatus, t0
    csrr a2, sstatus
    and a2, a2, a1
    CHECK a2, 0, 19
    csrr a3, mstatus
    csrs sstatus, a1            /* no effect on those fields */
    csrr a2, mstatus
    CHECK_EQ a2, a3, 20
    li t0, (MSTATUS_MPIE | MSTATUS_MPP)
    csrc mstatus, t0
    csrr a3, mstatus
    csrc sstatus, a1
    csrr a2, mstatus
    CHECK_EQ a2, a3, 21

    /* ---- 40-69: MIE/MPIE/MPP stacking on a trap into M and mret ---- */
    csrs mstatus, MSTATUS_MIE   /* mie = 0: no interrupt can be taken */
    TRAP_BEGIN
    ecall
    TRAP_END
    CHECK_CP CAUSE_ECALL_M, 3, 40
    LAST_MSTATUS a2             /* inside the trap */
    andi t0, a2, MSTATUS_MIE
    CHECK t0, 0, 42
    andi t0, a2, MSTATUS_MPIE
    CHECK t0, MSTATUS_MPIE, 43
    FIELD a2, mstatus, MSTATUS_MIE, 3   /* after mret */
    CHECK a2, 1, 44
    FIELD a2, mstatus, MSTATUS_MPIE, 7
    CHECK a2, 1, 45
    FIELD a2, mstatus, MSTATUS_MPP, 11  /* least-privileged mode: U */
    CHECK a2, 0, 46
    csrc mstatus, MSTATUS_MIE
    TRAP_BEGIN
    ecall
    TRAP_END
    LAST_MSTATUS a2
    andi t0, a2, MSTATUS_MPIE
    CHECK t0, 0, 47
    FIELD a2, mstatus, MSTATUS_MIE, 3
    CHECK a2, 0, 48
    FIELD a2, mstatus, MSTATUS_MPIE, 7
    CHECK a2, 1, 49
    /* trap from S: MPP = S, SIE/SPIE untouched by an M trap */
    csrs mstatus, MSTATUS_SIE
    GOTO_S
    TRAP_BEGIN
    ecall
    TRAP_END
    GOTO_M
    CHECK_CP CAUSE_ECALL_S, 1, 50
    csrr a2, mstatus
    andi t0, a2, MSTATUS_SIE
    CHECK t0, MSTATUS_SIE, 52
    csrc mstatus, MSTATUS_SIE
    PRINT_HEX s9
    /* (mret to S clearing MPRV is checked in strict.S) */

    /* ---- 70-99: CSR access by privilege, xRET legality ---- */
    GOTO_S
    TRAP_BEGIN
    csrr t0, mstatus
    TRAP_END
    mv a2, s9
    mv a3, s7
    TRAP_BEGIN
    csrw mscratch, zero
    TRAP_END
    mv a4, s9
    TRAP_BEGIN
    csrr t0, mhartid
    TRAP_END
    mv a5, s9
    TRAP_BEGIN
    csrr t0, sstatus            /* S CSRs are fine */
    csrr t0, sscratch
    csrr t0, stvec
    csrr t0, satp
    TRAP_END
    mv a6, s9
    TRAP_BEGIN
s_mret:
    mret
    TRAP_END
    GOTO_M
    CHECK a2, CAUSE_ILLEGAL, 70
    CHECK a3, 1, 71
    CHECK a4, CAUSE_ILLEGAL, 72
    CHECK a5, CAUSE_ILLEGAL, 73
    CHECK a6, -1, 74
    CHECK_CP CAUSE_ILLEGAL, 1, 75
    la t0, s_mret
    CHECK_EQ s11, t0, 77
    lwu t0, 0(t0)
    CHECK_EQ s10, t0, 78
    PRINT_HEX s9
    GOTO_U
    TRAP_BEGIN
    csrr t0, sstatus
    TRAP_END
    mv a2, s9
    mv a3, s7
    TRAP_BEGIN
    csrw sscratch, zero
    TRAP_END
    mv a4, s9
    TRAP_BEGIN
    sret
    TRAP_END
    mv a5, s9
    TRAP_BEGIN
    mret
    TRAP_END
    mv a6, s9
    GOTO_M
    CHECK a2, CAUSE_ILLEGAL, 80
    CHECK a3, 0, 81
    CHECK a4, CAUSE_ILLEGAL, 82
    CHECK a5, CAUSE_ILLEGAL, 83
    CHECK a6, CAUSE_ILLEGAL, 84

    /* sret from S with SPP = 0 enters U; with SPP = 1 stays in S */
    GOTO_S
    li t0, MSTATUS_SPP
    csrc sstatus, t0
    la t0, 1f
    csrw sepc, t0
    sret
1:  TRAP_BEGIN
    csrr t0, sstatus
    TRAP_END
    mv a2, s9
    mv a3, s7
    GOTO_M
    CHECK a2, CAUSE_ILLEGAL, 85
    CHECK a3, 0, 86
    GOTO_S
    li t0, MSTATUS_SPP
    csrs sstatus, t0
    la t0, 1f
    csrw sepc, t0
    sret
1:  TRAP_BEGIN
    csrr t0, sstatus
    TRAP_END
    mv a2, s9
    TRAP_BEGIN
    ecall
    TRAP_END
    mv a3, s9
    GOTO_M
    CHECK a2, -1, 87
    CHECK a3, CAUSE_ECALL_S, 88
    /* sret executed in M is legal and goes to SPP */
    li t0, MSTATUS_SPP
    csrs mstatus, t0
    la t0, 1f
    csrw sepc, t0
    sret
1:  TRAP_BEGIN
    ecall
    TRAP_END
    mv a2, s9
    GOTO_M
    CHECK a2, CAUSE_ECALL_S, 89

    /* ---- 100-129: TVM, TW, TSR ---- */
    li t0, MSTATUS_TVM
    csrs mstatus, t0
    TRAP_BEGIN
    csrr t0, satp               /* M is not affected */
    csrw satp, zero
    sfence.vma
    TRAP_END
    CHECK_NOTRAP 100
    GOTO_S
    TRAP_BEGIN
tvm_r:
    csrr t0, satp
    TRAP_END
    mv a2, s9
    mv a3, s11
    TRAP_BEGIN
    csrw satp, zero
    TRAP_END
    mv a4, s9
    TRAP_BEGIN
tvm_f:
    sfence.vma
    TRAP_END
    GOTO_M
    CHECK a2, CAUSE_ILLEGAL, 101
    la t0, tvm_r
    CHECK_EQ a3, t0, 102
    CHECK a4, CAUSE_ILLEGAL, 103
    CHECK s9, CAUSE_ILLEGAL, 104
    la t0, tvm_f
    CHECK_EQ s11, t0, 105
    lwu t0, 0(t0)
    CHECK_EQ s10, t0, 106
    PRINT_HEX s9
    li t0, MSTATUS_TVM
    csrc mstatus, t0
    GOTO_S
    TRAP_BEGIN
    csrr t0, satp
    csrw satp, zero
    sfence.vma
    TRAP_END
    GOTO_M
    CHECK_NOTRAP 107

    /* TW = 1: WFI in S either traps (illegal, epc/tval) or completes.
     * No interrupt is enabled, so it can complete only by being a NOP
     * or by timing out into the trap. */
    li t0, MSTATUS_TW
    csrs mstatus, t0
    GOTO_S
    TRAP_BEGIN
tw_wfi:
    wfi
    TRAP_END
    GOTO_M
    li t0, -1
    beq s9, t0, 1f
    CHECK_CP CAUSE_ILLEGAL, 1, 108
    la t0, tw_wfi
    CHECK_EQ s11, t0, 110
    lwu t0, 0(t0)
    CHECK_EQ s10, t0, 111
1:  PRINT_HEX s9
    /* wfi in M is never affected by TW: make it complete through a
     * pending, locally enabled interrupt (global MIE = 0) */
    li t0, MIP_SSIP
    csrs mie, t0
    csrs mip, t0
    TRAP_BEGIN
    wfi
    TRAP_END
    CHECK_NOTRAP 112
    csrc mip, t0
    csrc mie, t0
    li t0, MSTATUS_TW
    csrc mstatus, t0
    /* WFI in U (TW = 0) likewise traps or completes */
    GOTO_U
    TRAP_BEGIN
u_wfi:
    wfi
    TRAP_END
    GOTO_M
    li t0, -1
    beq s9, t0, 1f
    CHECK_CP CAUSE_ILLEGAL, 0, 113
    la t0, u_wfi
    CHECK_EQ s11, t0, 115
1:  PRINT_HEX s9

    /* TSR = 1: sret in S is illegal; in M it is not affected */
    li t0, MSTATUS_TSR
    csrs mstatus, t0
    GOTO_S
    la t0, 1f
    csrw sepc, t0
    li t0, MSTATUS_SPP
    csrs sstatus, t0
    TRAP_BEGIN
tsr_sret:
    sret
    TRAP_END
1:  GOTO_M
    CHECK_CP CAUSE_ILLEGAL, 1, 116
    la t0, tsr_sret
    CHECK_EQ s11, t0, 118
    lwu t0, 0(t0)
    CHECK_EQ s10, t0, 119
    PRINT_HEX s9
    li t0, MSTATUS_SPP
    csrs mstatus, t0
    la t0, 1f
    csrw sepc, t0
    TRAP_BEGIN
    sret                        /* from M: goes to S at 1f */
    TRAP_END
    j fail
1:  TRAP_BEGIN
    ecall
    TRAP_END
    mv a2, s9
    GOTO_M
    CHECK a2, CAUSE_ECALL_S, 120
    li t0, MSTATUS_TSR
    csrc mstatus, t0
    GOTO_S
    la t0, 1f
    csrw sepc, t0
    li t0, MSTATUS_SPP
    csrs sstatus, t0
    TRAP_BEGIN
    sret
    TRAP_END
    j fail
1:  mv a2, s9
    GOTO_M
    CHECK a2, -1, 121

    /* ---- 130-169: MPRV with MPP, SUM, MXR under Sv39 ---- */
    /* root table: identity gigapage 0x80000000 (RWX, S), and aliases of
     * the same gigapage at 0x1_4000_0000 (RW, S), 0x1_8000_0000 (X only,
     * S), 0x1_c000_0000 (RW, U). 0x2_0000_0000 is unmapped. */
    la s0, pt_root
    li a1, 0x80000000
    SET_PTE s0, 2, a1, (PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)
    SET_PTE s0, 5, a1, (PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
    SET_PTE s0, 6, a1, (PTE_V | PTE_X | PTE_A | PTE_D)
    SET_PTE s0, 7, a1, (PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D)
    srli t0, s0, 12
    li t1, SATP_SV39
    or t0, t0, t1
    csrw satp, t0
    sfence.vma
    /* offset of mprv_data in the gigapage */
    la a1, mprv_data
    li t0, 0x80000000
    sub a1, a1, t0
    li t0, 0x140000000
    add a2, a1, t0              /* a2: RW S alias */
    li t0, 0x180000000
    add a3, a1, t0              /* a3: X-only alias */
    li t0, 0x1c0000000
    add a4, a1, t0              /* a4: U alias */
    /* M is not translated while MPRV = 0 */
    TRAP_BEGIN
    ld t0, 0(a2)
    TRAP_END
    CHECK s9, CAUSE_LOAD_ACCESS, 130
    CHECK_EQ s10, a2, 131
    /* MPRV = 1, MPP = S: loads and stores are translated as S */
    li s1, (MSTATUS_MPRV | MSTATUS_MPP)
    li t0, MSTATUS_MPP
    csrc mstatus, t0
    li t0, (MSTATUS_MPRV | MSTATUS_MPP_S)
    TRAP_BEGIN
    csrs mstatus, t0
    ld a5, 0(a2)
    li t0, 0x5555aaaa
    sd t0, 8(a2)
    csrc mstatus, s1
    TRAP_END
    CHECK_NOTRAP 132
    li t0, 0x0123456789abcdef
    CHECK_EQ a5, t0, 133
    la t0, mprv_data
    ld t0, 8(t0)
    CHECK t0, 0x5555aaaa, 134
    /* instruction fetch is not affected by MPRV: executing here at all
     * (physical addresses) with MPRV = 1 proves it; also MPP = M means
     * no translation */
    li t0, (MSTATUS_MPRV | MSTATUS_MPP_M)
    csrs mstatus, t0
    TRAP_BEGIN
    ld t0, 0(a2)
    TRAP_END
    csrc mstatus, s1
    CHECK s9, CAUSE_LOAD_ACCESS, 135
    /* MPP = U: the page is not a U page -> load page fault */
    li t0, MSTATUS_MPRV
    TRAP_BEGIN
    csrs mstatus, t0
    ld a5, 0(a2)
    TRAP_END
    csrc mstatus, s1
    CHECK s9, CAUSE_LOAD_PAGE, 136
    CHECK_EQ s10, a2, 137
    CHECK s7, 3, 138            /* the trap was taken from M */
    PRINT_HEX s9
    /* MPP = U, store to a U page works */
    li t0, MSTATUS_MPRV
    li a5, 0x77
    TRAP_BEGIN
    csrs mstatus, t0
    sd a5, 16(a4)
    csrc mstatus, s1
    TRAP_END
    CHECK_NOTRAP 139
    la t0, mprv_data
    ld t0, 16(t0)
    CHECK t0, 0x77, 140
    /* MPP = S, U page: fault unless SUM */
    li t0, (MSTATUS_MPRV | MSTATUS_MPP_S)
    TRAP_BEGIN
    csrs mstatus, t0
    ld a5, 0(a4)
    TRAP_END
    csrc mstatus, s1
    CHECK s9, CAUSE_LOAD_PAGE, 141
    CHECK_EQ s10, a4, 142
    li t0, (MSTATUS_MPRV | MSTATUS_MPP_S | MSTATUS_SUM)
    TRAP_BEGIN
    csrs mstatus, t0
    ld a5, 0(a4)
    csrc mstatus, s1
    TRAP_END
    li t0, MSTATUS_SUM
    csrc mstatus, t0
    CHECK_NOTRAP 143
    li t0, 0x0123456789abcdef
    CHECK_EQ a5, t0, 144
    /* MPP = S, X-only page: fault unless MXR */
    li t0, (MSTATUS_MPRV | MSTATUS_MPP_S)
    TRAP_BEGIN
    csrs mstatus, t0
    ld a5, 0(a3)
    TRAP_END
    csrc mstatus, s1
    CHECK s9, CAUSE_LOAD_PAGE, 145
    CHECK_EQ s10, a3, 146
    li t0, (MSTATUS_MPRV | MSTATUS_MPP_S | MSTATUS_MXR)
    TRAP_BEGIN
    csrs mstatus, t0
    ld a5, 0(a3)
    csrc mstatus, s1
    TRAP_END
    CHECK_NOTRAP 147
    li t0, 0x0123456789abcdef
    CHECK_EQ a5, t0, 148
    /* MXR does not make stores to X-only pages possible */
    li t0, (MSTATUS_MPRV | MSTATUS_MPP_S | MSTATUS_MXR)
    TRAP_BEGIN
    csrs mstatus, t0
    sd a5, 0(a3)
    TRAP_END
    csrc mstatus, s1
    li t0, MSTATUS_MXR
    csrc mstatus, t0
    CHECK s9, CAUSE_STORE_PAGE, 149
    CHECK_EQ s10, a3, 150
    PRINT_HEX s9
    csrw satp, zero
    sfence.vma

    /* ---- 170-209: medeleg ---- */
    /* (medeleg[11] being read-only zero is checked in strict.S) */
    /* ecall from U delegated to S */
    li t0, (1 << CAUSE_ECALL_U)
    csrw medeleg, t0
    csrr a5, medeleg
    CHECK_EQ a5, t0, 171
    csrw mcause, zero
    GOTO_U
    TRAP_BEGIN
u_ecall:
    ecall
    TRAP_END
    GOTO_M                      /* passes through s_trap */
    CHECK_CP CAUSE_ECALL_U, 0, 172  /* s7 = SPP */
    la t0, u_ecall
    CHECK_EQ s11, t0, 174
    CHECK s10, 0, 175
    csrr t0, mcause
    CHECK t0, CAUSE_ECALL_S, 176    /* M saw only the GOTO_M pass-on */
    csrr t0, scause             /* the pass-on ecall went through S */
    CHECK t0, CAUSE_ECALL_U, 177
    PRINT_HEX s9
    /* SIE/SPIE/SPP stacking on a trap into S and sret */
    li t0, (1 << CAUSE_BREAKPOINT)
    csrw medeleg, t0
    GOTO_S
    csrs sstatus, MSTATUS_SIE
    TRAP_BEGIN
s_brk:
    ebreak
    TRAP_END
    LAST_SSTATUS a2
    csrr a3, sstatus
    GOTO_M
    CHECK_CP CAUSE_BREAKPOINT, 1, 179
    la t0, s_brk
    CHECK_EQ s11, t0, 181
    andi t0, a2, MSTATUS_SIE
    CHECK t0, 0, 182
    andi t0, a2, MSTATUS_SPIE
    CHECK t0, MSTATUS_SPIE, 183
    andi t0, a2, MSTATUS_SPP
    CHECK t0, MSTATUS_SPP, 184
    andi t0, a3, MSTATUS_SIE    /* after sret: SIE = old SPIE = 1 */
    CHECK t0, MSTATUS_SIE, 185
    andi t0, a3, MSTATUS_SPIE
    CHECK t0, MSTATUS_SPIE, 186
    andi t0, a3, MSTATUS_SPP    /* SPP = U after sret */
    CHECK t0, 0, 187
    csrc mstatus, MSTATUS_SIE
    /* a breakpoint in M is not delegated (traps never go down) */
    TRAP_BEGIN
    ebreak
    TRAP_END
    CHECK_CP CAUSE_BREAKPOINT, 3, 188
    /* ...and one in U goes to S with SPP = 0, SIE = 0 -> SPIE = 0 */
    GOTO_U
    TRAP_BEGIN
    ebreak
    TRAP_END
    LAST_SSTATUS a2
    GOTO_M
    CHECK_CP CAUSE_BREAKPOINT, 0, 190
    andi t0, a2, MSTATUS_SPIE
    CHECK t0, 0, 192
    /* page faults delegated to S (satp still holds the Sv39 table) */
    li t0, ((1 << CAUSE_FETCH_PAGE) | (1 << CAUSE_LOAD_PAGE) | (1 << CAUSE_STORE_PAGE))
    csrw medeleg, t0
    li a5, 0x200000000          /* unmapped */
    csrw mcause, zero
    srli t0, s0, 12
    li t1, SATP_SV39
    or t0, t0, t1
    csrw satp, t0
    sfence.vma
    GOTO_S
    TRAP_BEGIN
s_lpf:
    lw t0, 4(a5)
    TRAP_END
    mv a2, s9
    mv a3, s10
    mv a4, s11
    TRAP_BEGIN
s_spf:
    sh t0, 6(a5)
    TRAP_END
    mv a6, s9
    mv s0, s10
    TRAP_BEGIN
    jalr ra, a5
    TRAP_END
    GOTO_M
    CHECK a2, CAUSE_LOAD_PAGE, 193
    addi t0, a5, 4
    CHECK_EQ a3, t0, 194
    la t0, s_lpf
    CHECK_EQ a4, t0, 195
    CHECK a6, CAUSE_STORE_PAGE, 196
    addi t0, a5, 6
    CHECK_EQ s0, t0, 197
    CHECK_CP CAUSE_FETCH_PAGE, 1, 198
    CHECK_EQ s10, a5, 200
    CHECK_EQ s11, a5, 201
    csrr t0, mcause
    CHECK t0, CAUSE_ECALL_S, 202
    PRINT_HEX s9
    /* illegal instruction delegated: M still takes its own */
    li t0, (1 << CAUSE_ILLEGAL)
    csrw medeleg, t0
    TRAP_BEGIN
    csrr t0, 0x107
    TRAP_END
    CHECK_CP CAUSE_ILLEGAL, 3, 203
    csrw medeleg, zero
    csrw satp, zero
    sfence.vma

    /* ---- 210-239: sie / sip are mip / mie masked by mideleg ---- */
    csrw mideleg, zero
    csrw mie, zero
    li t0, -1
    csrw sie, t0
    csrr a2, sie
    CHECK a2, 0, 210
    csrr a2, mie
    CHECK a2, 0, 211
    li a1, (MIP_SSIP | MIP_STIP | MIP_SEIP)
    csrw mideleg, a1
    csrr a2, mideleg
    and a2, a2, a1
    CHECK_EQ a2, a1, 212
    li t0, -1
    csrw sie, t0
    csrr a2, sie
    CHECK_EQ a2, a1, 213        /* only the delegated bits */
    csrr a2, mie
    and t0, a2, a1
    CHECK_EQ t0, a1, 214
    li t0, (MIP_MSIP | MIP_MTIP | MIP_MEIP)
    and t0, a2, t0
    CHECK t0, 0, 215            /* M bits not written through sie */
    csrc sie, MIP_SSIP
    csrr a2, mie
    andi t0, a2, MIP_SSIP
    CHECK t0, 0, 216
    csrw mie, zero
    csrr a2, sie
    CHECK a2, 0, 217
    /* sip.SSIP follows mip.SSIP when delegated */
    csrs mip, MIP_SSIP
    csrr a2, sip
    andi t0, a2, MIP_SSIP
    CHECK t0, MIP_SSIP, 218
    csrc sip, MIP_SSIP
    csrr a2, mip
    andi t0, a2, MIP_SSIP
    CHECK t0, 0, 219
    /* not delegated: sip.SSIP reads 0 while mip.SSIP = 1, and writes to
     * it are ignored */
    csrw mideleg, zero
    csrs mip, MIP_SSIP
    csrr a2, sip
    CHECK a2, 0, 220
    csrc sip, MIP_SSIP
    csrr a2, mip
    andi t0, a2, MIP_SSIP
    CHECK t0, MIP_SSIP, 221
    csrc mip, MIP_SSIP
    /* sip.STIP is read-only in sip (written by M in mip) */
    csrw mideleg, a1
    li t0, MIP_STIP
    csrs sip, t0
    csrr a2, mip
    and t0, a2, t0
    CHECK t0, 0, 222
    csrw mideleg, zero

    /* ---- 240-259: FS and SD ---- */
    li a1, 0x6000               /* FS */
    csrc mstatus, a1
    TRAP_BEGIN
fs_off:
    fadd.d f1, f2, f3
    TRAP_END
    CHECK s9, CAUSE_ILLEGAL, 240
    la t0, fs_off
    lwu t0, 0(t0)
    CHECK_EQ s10, t0, 241
    TRAP_BEGIN
    csrr t0, fcsr
    TRAP_END
    CHECK s9, CAUSE_ILLEGAL, 242
    csrr a2, mstatus
    srli a3, a2, 63             /* SD */
    srli a2, a2, 13
    andi a2, a2, 3
    CHECK a2, 0, 243
    csrr t0, mstatus
    li t1, 0x1e000              /* XS | FS */
    and t0, t0, t1
    li t1, 0x600                /* VS */
    csrr t2, mstatus
    and t2, t2, t1
    or t0, t0, t2
    bnez t0, 1f
    CHECK a3, 0, 244            /* nothing dirty: SD = 0 */
1:  li t0, 0x2000               /* FS = Initial */
    csrs mstatus, t0
    TRAP_BEGIN
    fmv.d.x f1, zero
    TRAP_END
    CHECK_NOTRAP 245
    csrr a2, mstatus
    srli a3, a2, 63
    srli a2, a2, 13
    andi a2, a2, 3
    CHECK a2, 3, 246            /* Dirty */
    CHECK a3, 1, 247
    PASS

    .section .text
    PRIV_RUNTIME

    .section .data
    .balign 4096
pt_root:
    .space 4096
mprv_data:
    .dword 0x0123456789abcdef, 0, 0, 0
