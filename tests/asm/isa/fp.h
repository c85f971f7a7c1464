/* Helper macros for the F and D tests (included after common.h).
 *
 * Each macro loads its operands with fmv.w.x / fmv.d.x (which set no
 * flags), runs one instruction, then checks the result (check n) and the
 * accrued exception flags (check n + 1; CHECK_FFLAGS clears them again).
 * Operands in a1..a3 / f1..f3, result in f3 or a0.
 */

/* ---- single precision ---- */
.macro FOP2S op, rm, a, b, r, fl, n
    li a1, \a
    fmv.w.x f1, a1
    li a2, \b
    fmv.w.x f2, a2
    \op f3, f1, f2, \rm
    CHECKS f3, \r, \n
    CHECK_FFLAGS \fl, \n + 1
.endm

.macro FOP1S op, rm, a, r, fl, n
    li a1, \a
    fmv.w.x f1, a1
    \op f3, f1, \rm
    CHECKS f3, \r, \n
    CHECK_FFLAGS \fl, \n + 1
.endm

.macro FOP3S op, rm, a, b, c, r, fl, n
    li a1, \a
    fmv.w.x f1, a1
    li a2, \b
    fmv.w.x f2, a2
    li a3, \c
    fmv.w.x f4, a3
    \op f3, f1, f2, f4, \rm
    CHECKS f3, \r, \n
    CHECK_FFLAGS \fl, \n + 1
.endm

/* an operation without a rounding mode (fmin/fmax/fsgnj*) */
.macro FOPNRS op, a, b, r, fl, n
    li a1, \a
    fmv.w.x f1, a1
    li a2, \b
    fmv.w.x f2, a2
    \op f3, f1, f2
    CHECKS f3, \r, \n
    CHECK_FFLAGS \fl, \n + 1
.endm

.macro FCMPS op, a, b, r, fl, n
    li a1, \a
    fmv.w.x f1, a1
    li a2, \b
    fmv.w.x f2, a2
    \op a0, f1, f2
    CHECK a0, \r, \n
    CHECK_FFLAGS \fl, \n + 1
.endm

.macro FCLASSS a, r, n
    li a1, \a
    fmv.w.x f1, a1
    fclass.s a0, f1
    CHECK a0, \r, \n
.endm

/* float to integer: result in a0 */
.macro FCVTIS op, rm, a, r, fl, n
    li a1, \a
    fmv.w.x f1, a1
    \op a0, f1, \rm
    CHECK a0, \r, \n
    CHECK_FFLAGS \fl, \n + 1
.endm

/* integer to float */
.macro FCVTFS op, rm, i, r, fl, n
    li a1, \i
    \op f3, a1, \rm
    CHECKS f3, \r, \n
    CHECK_FFLAGS \fl, \n + 1
.endm

/* ---- double precision ---- */
.macro FOP2D op, rm, a, b, r, fl, n
    li a1, \a
    fmv.d.x f1, a1
    li a2, \b
    fmv.d.x f2, a2
    \op f3, f1, f2, \rm
    CHECKD f3, \r, \n
    CHECK_FFLAGS \fl, \n + 1
.endm

.macro FOP1D op, rm, a, r, fl, n
    li a1, \a
    fmv.d.x f1, a1
    \op f3, f1, \rm
    CHECKD f3, \r, \n
    CHECK_FFLAGS \fl, \n + 1
.endm

.macro FOP3D op, rm, a, b, c, r, fl, n
    li a1, \a
    fmv.d.x f1, a1
    li a2, \b
    fmv.d.x f2, a2
    li a3, \c
    fmv.d.x f4, a3
    \op f3, f1, f2, f4, \rm
    CHECKD f3, \r, \n
    CHECK_FFLAGS \fl, \n + 1
.endm

.macro FOPNRD op, a, b, r, fl, n
    li a1, \a
    fmv.d.x f1, a1
    li a2, \b
    fmv.d.x f2, a2
    \op f3, f1, f2
    CHECKD f3, \r, \n
    CHECK_FFLAGS \fl, \n + 1
.endm

.macro FCMPD op, a, b, r, fl, n
    li a1, \a
    fmv.d.x f1, a1
    li a2, \b
    fmv.d.x f2, a2
    \op a0, f1, f2
    CHECK a0, \r, \n
    CHECK_FFLAGS \fl, \n + 1
.endm

.macro FCLASSD a, r, n
    li a1, \a
    fmv.d.x f1, a1
    fclass.d a0, f1
    CHECK a0, \r, \n
.endm

.macro FCVTID op, rm, a, r, fl, n
    li a1, \a
    fmv.d.x f1, a1
    \op a0, f1, \rm
    CHECK a0, \r, \n
    CHECK_FFLAGS \fl, \n + 1
.endm

.macro FCVTFD op, rm, i, r, fl, n
    li a1, \i
    \op f3, a1, \rm
    CHECKD f3, \r, \n
    CHECK_FFLAGS \fl, \n + 1
.endm

/* integer to double without a rounding mode (fcvt.d.w/wu are exact) */
.macro FCVTFDX op, i, r, fl, n
    li a1, \i
    \op f3, a1
    CHECKD f3, \r, \n
    CHECK_FFLAGS \fl, \n + 1
.endm

/* ---- sweeps for the differential test ----
 * The expected values of a sweep are not in the program: the sweeps print
 * every result and the flags it raised ("<result> <fflags>" per line) so
 * that the harness compares them between vireo and QEMU.
 * kind: s = single result in f3, d = double result in f3, x = integer
 * result in a0. Operands come from a table [tab, tabend) of esz-byte
 * elements loaded with `ld`. The dynamic rounding mode (frm) applies. */
.macro SWEEP_PRINT kind
    .ifc \kind, s
    fmv.x.w a0, f3
    PUTHEXN a0, 8
    .endif
    .ifc \kind, d
    fmv.x.d a0, f3
    PUTHEXN a0, 16
    .endif
    .ifc \kind, x
    PUTHEXN a0, 16
    .endif
    PUTC ' '
    csrrw a1, fflags, zero
    PUTHEXN a1, 2
    PUTC '\n'
.endm

/* op on every element */
.macro SWEEP1 op, tab, tabend, esz, ld, kind
    la s2, \tab
81: \ld f1, 0(s2)
    .ifc \kind, x
    \op a0, f1
    .else
    \op f3, f1
    .endif
    SWEEP_PRINT \kind
    addi s2, s2, \esz
    la a2, \tabend
    bltu s2, a2, 81b
.endm

/* op on every ordered pair */
.macro SWEEP2 op, tab, tabend, esz, ld, kind
    la s2, \tab
81: la s3, \tab
82: \ld f1, 0(s2)
    \ld f2, 0(s3)
    .ifc \kind, x
    \op a0, f1, f2
    .else
    \op f3, f1, f2
    .endif
    SWEEP_PRINT \kind
    addi s3, s3, \esz
    la a2, \tabend
    bltu s3, a2, 82b
    addi s2, s2, \esz
    bltu s2, a2, 81b
.endm

/* op on every ordered triple (fused multiply-add family) */
.macro SWEEP3 op, tab, tabend, esz, ld, kind
    la s2, \tab
81: la s3, \tab
82: la s4, \tab
83: \ld f1, 0(s2)
    \ld f2, 0(s3)
    \ld f4, 0(s4)
    \op f3, f1, f2, f4
    SWEEP_PRINT \kind
    la a2, \tabend
    addi s4, s4, \esz
    bltu s4, a2, 83b
    addi s3, s3, \esz
    bltu s3, a2, 82b
    addi s2, s2, \esz
    bltu s2, a2, 81b
.endm

/* integer to float: op f3, a1 for every dword of the table */
.macro SWEEPI op, tab, tabend, kind
    la s2, \tab
81: ld a1, 0(s2)
    \op f3, a1
    SWEEP_PRINT \kind
    addi s2, s2, 8
    la a2, \tabend
    bltu s2, a2, 81b
.endm

/* FOR_EACH_RM: run the macro `m` with its arguments under every valid
 * dynamic rounding mode (frm = 0..4), then restore frm = RNE. */
.macro FOR_EACH_RM m, args:vararg
    li s5, 0
80: csrw frm, s5
    \m \args
    addi s5, s5, 1
    li a0, 5
    blt s5, a0, 80b
    csrw frm, zero
.endm
