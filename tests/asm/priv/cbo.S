/* QEMU: skip (QEMU 7.2 does not implement Zicbom/Zicboz: cbo.* are illegal there) */
/* cbo.S: privilege gating of the cache-block operations (CMO 1.0,
 * menvcfg/senvcfg in privileged spec 1.12, 3.1.18 and 4.1.10):
 * menvcfg.CBZE/CBCFE/CBIE enable cbo.zero, cbo.clean/flush and
 * cbo.inval below M; senvcfg's copies of them additionally gate U. A
 * disabled operation raises illegal instruction (mtval = its bits); M
 * is never gated. The instructions are written with .insn so that the
 * program assembles without the extensions in -march.
 *
 * UART output: the causes of the gated operations.
 */
#include "../common.h"
#include "priv.h"

#define ENVCFG_CBIE_FLUSH 0x10
#define ENVCFG_CBIE_INVAL 0x30
#define ENVCFG_CBCFE      0x40
#define ENVCFG_CBZE       0x80
#define ENVCFG_ALL        (ENVCFG_CBIE_INVAL | ENVCFG_CBCFE | ENVCFG_CBZE)

#define CBO_INVAL(rs) .insn i 0x0f, 2, x0, rs, 0
#define CBO_CLEAN(rs) .insn i 0x0f, 2, x0, rs, 1
#define CBO_FLUSH(rs) .insn i 0x0f, 2, x0, rs, 2
#define CBO_ZERO(rs)  .insn i 0x0f, 2, x0, rs, 4

/* try the four operations on the block at a1; causes (-1 = none) in
 * a2 (zero), a3 (clean), a4 (flush), a5 (inval) */
.macro TRY_CBO
    TRAP_BEGIN
    CBO_ZERO(a1)
    TRAP_END
    mv a2, s9
    TRAP_BEGIN
    CBO_CLEAN(a1)
    TRAP_END
    mv a3, s9
    TRAP_BEGIN
    CBO_FLUSH(a1)
    TRAP_END
    mv a4, s9
    TRAP_BEGIN
    CBO_INVAL(a1)
    TRAP_END
    mv a5, s9
.endm

.macro EXPECT_CBO zero, clean, flush, inval, n
    CHECK a2, \zero, \n
    CHECK a3, \clean, (\n + 1)
    CHECK a4, \flush, (\n + 2)
    CHECK a5, \inval, (\n + 3)
.endm

/* refill the test block with the pattern */
.macro FILL
    li t0, 0x5a5a5a5a5a5a5a5a
    sd t0, 0(a1)
    sd t0, 8(a1)
    sd t0, 56(a1)
.endm

    .section .text.init
    .globl _start
_start:
    .option norvc
    PRIV_INIT
    PMP_ALLOW_ALL
    csrw medeleg, zero
    la a1, block

    /* ---- 1-9: M is never gated ---- */
    csrw CSR_MENVCFG, zero
    FILL
    TRY_CBO
    EXPECT_CBO -1, -1, -1, -1, 1
    ld t0, 8(a1)
    CHECK t0, 0, 5              /* cbo.zero zeroed the block */

    /* ---- 10-29: S with menvcfg = 0: all illegal ---- */
    GOTO_S
    TRAP_BEGIN
zero_s:
    CBO_ZERO(a1)
    TRAP_END
    mv a6, s10
    TRY_CBO
    GOTO_M
    EXPECT_CBO CAUSE_ILLEGAL, CAUSE_ILLEGAL, CAUSE_ILLEGAL, CAUSE_ILLEGAL, 10
    la t0, zero_s
    lwu t0, 0(t0)
    CHECK_EQ a6, t0, 14         /* mtval = the instruction */
    PRINT_HEX a2
    /* the enables are writable (and 10, reserved for CBIE, is not) */
    li t0, ENVCFG_ALL
    csrw CSR_MENVCFG, t0
    csrr a2, CSR_MENVCFG
    andi a2, a2, ENVCFG_ALL
    CHECK a2, ENVCFG_ALL, 15
    csrc CSR_MENVCFG, t0
    li t0, 0x20
    csrs CSR_MENVCFG, t0
    csrr a2, CSR_MENVCFG
    andi a2, a2, 0x30
    CHECK_NE a2, 0x20, 16
    csrw CSR_MENVCFG, zero
    /* each enable on its own */
    li t0, ENVCFG_CBZE
    csrw CSR_MENVCFG, t0
    FILL
    GOTO_S
    TRY_CBO
    GOTO_M
    EXPECT_CBO -1, CAUSE_ILLEGAL, CAUSE_ILLEGAL, CAUSE_ILLEGAL, 17
    ld t0, 56(a1)
    CHECK t0, 0, 21
    li t0, ENVCFG_CBCFE
    csrw CSR_MENVCFG, t0
    GOTO_S
    TRY_CBO
    GOTO_M
    EXPECT_CBO CAUSE_ILLEGAL, -1, -1, CAUSE_ILLEGAL, 22
    li t0, ENVCFG_CBIE_FLUSH
    csrw CSR_MENVCFG, t0
    FILL
    GOTO_S
    TRY_CBO
    GOTO_M
    EXPECT_CBO CAUSE_ILLEGAL, CAUSE_ILLEGAL, CAUSE_ILLEGAL, -1, 26
    ld t0, 0(a1)                /* inval performed as a flush: kept */
    CHECK t0, 0x5a5a5a5a5a5a5a5a, 30
    li t0, ENVCFG_CBIE_INVAL
    csrw CSR_MENVCFG, t0
    GOTO_S
    TRY_CBO
    GOTO_M
    EXPECT_CBO CAUSE_ILLEGAL, CAUSE_ILLEGAL, CAUSE_ILLEGAL, -1, 31

    /* ---- 40-59: U needs senvcfg as well ---- */
    li t0, ENVCFG_ALL
    csrw CSR_MENVCFG, t0
    csrw CSR_SENVCFG, zero
    GOTO_U
    TRY_CBO
    GOTO_M
    EXPECT_CBO CAUSE_ILLEGAL, CAUSE_ILLEGAL, CAUSE_ILLEGAL, CAUSE_ILLEGAL, 40
    PRINT_HEX a2
    GOTO_S                      /* S may write senvcfg */
    li t0, ENVCFG_ALL
    csrw CSR_SENVCFG, t0
    csrr a6, CSR_SENVCFG
    GOTO_M
    andi a6, a6, ENVCFG_ALL
    CHECK a6, ENVCFG_ALL, 44
    FILL
    GOTO_U
    TRY_CBO
    GOTO_M
    EXPECT_CBO -1, -1, -1, -1, 45
    ld t0, 8(a1)
    CHECK t0, 0, 49
    /* senvcfg set, menvcfg clear: still illegal in U */
    csrw CSR_MENVCFG, zero
    GOTO_U
    TRY_CBO
    GOTO_M
    EXPECT_CBO CAUSE_ILLEGAL, CAUSE_ILLEGAL, CAUSE_ILLEGAL, CAUSE_ILLEGAL, 50
    /* senvcfg is an S CSR: not accessible from U */
    GOTO_U
    TRAP_BEGIN
    csrr t0, CSR_SENVCFG
    TRAP_END
    mv a2, s9
    GOTO_M
    CHECK a2, CAUSE_ILLEGAL, 54
    /* menvcfg is an M CSR */
    GOTO_S
    TRAP_BEGIN
    csrr t0, CSR_MENVCFG
    TRAP_END
    mv a2, s9
    GOTO_M
    CHECK a2, CAUSE_ILLEGAL, 55
    PASS

    .section .text
    PRIV_RUNTIME

    .section .data
    .balign 64
block:
    .space 64
