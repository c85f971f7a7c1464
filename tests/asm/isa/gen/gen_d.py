"""Generates ../rv64d.S: python3 gen_d.py > ../rv64d.S
The expected values come from fpmodel.py."""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fpmodel import *
f=D
ONE=0x3ff0000000000000; TWO=0x4000000000000000; THREE=0x4008000000000000; HALF=0x3fe0000000000000
M1=0xbff0000000000000; ONEP=0x3ff0000000000001; EPS53=0x3ca0000000000000; NEPS53=0xbca0000000000000
EPS54=0x3c90000000000000; EPS75=0x3ca8000000000000; MAX=0x7fefffffffffffff; NMAX=0xffefffffffffffff
MINN=0x0010000000000000; MINS=1; NMINS=0x8000000000000001; INF=0x7ff0000000000000; NINF=0xfff0000000000000
QNAN=0x7ff8000000000000; SNAN=0x7ff0000000000001; QNANP=0x7ff8000000012345; NQNAN=0xfff8000000000000
PZ=0; NZ=0x8000000000000000; TENTH=0x3fb999999999999a; ONEM=0x3fefffffffffffff; FOUR=0x4010000000000000
HULPMAX=0x7c90000000000000
ALL=range(5)
g=G(f,1000)
g.p("    // ---- add ----")
g.op2('add',ONE,TWO,[0])
g.op2('add',ONE,EPS53)
g.op2('add',M1,NEPS53)
g.op2('add',ONEP,EPS53)
g.op2('add',ONE,EPS75)
g.op2('add',ONE,EPS54)
g.op2('add',MAX,HULPMAX)
g.op2('add',MAX,MAX)
g.op2('add',NMAX,NMAX)
g.op2('add',INF,NINF,[0])
g.op2('add',NINF,M1,[0])
g.op2('add',QNAN,ONE,[0])
g.op2('add',QNANP,ONE,[0])
g.op2('add',ONE,SNAN,[0])
g.op2('add',PZ,NZ,[0,2])
g.op2('add',NZ,NZ,[0])
g.op2('add',ONE,M1,ALL)
g.op2('add',MINN,NMINS,[0])
g.op2('add',TENTH,0x3fc999999999999a)   # 0.1 + 0.2
g.p("    // ---- sub ----")
g.op2('sub',ONE,TWO,[0])
g.op2('sub',ONE,EPS54)
g.op2('sub',INF,INF,[0])
g.op2('sub',ONE,ONE,ALL)
g.op2('sub',NZ,PZ,[0])
g.op2('sub',NMAX,MAX,ALL)
g.p("    // ---- mul ----")
g.op2('mul',THREE,TENTH)
g.op2('mul',MAX,TWO)
g.op2('mul',NMAX,TWO)
g.op2('mul',MINS,HALF)
g.op2('mul',NMINS,HALF)
g.op2('mul',MINN,HALF,[0])
g.op2('mul',MINN,ONEM)
g.op2('mul',INF,PZ,[0])
g.op2('mul',NZ,ONE,[0])
g.op2('mul',SNAN,ONE,[0])
g.op2('mul',0x5ff0000000000000,0x5ff0000000000000,[0,1])
g.op2('mul',TENTH,TENTH)
g.p("    // ---- div ----")
g.op2('div',ONE,THREE)
g.op2('div',M1,THREE)
g.op2('div',ONE,PZ,[0])
g.op2('div',ONE,NZ,[0])
g.op2('div',PZ,PZ,[0])
g.op2('div',INF,INF,[0])
g.op2('div',M1,INF,[0])
g.op2('div',INF,NZ,[0])
g.op2('div',MAX,HALF)
g.op2('div',MINS,TWO)
g.op2('div',MINN,THREE)
gen_arith=g.out
g=G(f,2000)
g.sqrt(FOUR,[0])
g.sqrt(TWO)
g.sqrt(THREE)
for a in (M1,NZ,PZ,INF,NINF,SNAN,QNAN):
    g.sqrt(a,[0])
g.sqrt(MINS)
g.sqrt(ONEP)
g.sqrt(MAX)
gen_sqrt=g.out
g=G(f,3000)
for w in ('fmadd','fmsub','fnmsub','fnmadd'):
    g.fma(w,TWO,THREE,ONE)
    g.fma(w,0x3ff0000004000000,0x3ff0000004000000,M1,ALL)   # (1+2^-26)^2 - 1: fused
    g.fma(w,ONE,EPS53,ONE,ALL)
    g.fma(w,ONE,PZ,PZ,[0,2])
    g.fma(w,INF,PZ,QNAN)
    g.fma(w,PZ,NINF,ONE)
    g.fma(w,INF,ONE,NINF)
    g.fma(w,ONE,ONE,SNAN)
    g.fma(w,MAX,TWO,NMAX)
    g.fma(w,MINS,HALF,PZ,ALL)
gen_fma=g.out
g=G(f,4000)
g.p("    // ---- fmin / fmax ----")
for a,b in ((ONE,TWO),(M1,ONE),(QNAN,ONE),(ONE,QNAN),(SNAN,ONE),(ONE,SNAN),(QNAN,QNAN),
            (SNAN,SNAN),(NZ,PZ),(PZ,NZ),(NINF,INF),(QNANP,QNANP),(NMINS,MINS)):
    g.mm('min',a,b); g.mm('max',a,b)
g.p("    // ---- sign injection ----")
for a,b in ((ONE,M1),(M1,ONE),(M1,M1),(SNAN,M1),(QNANP,NZ),(NINF,PZ)):
    for op in ('j','jn','jx'): g.sgn(op,a,b)
g.p("    // ---- compares ----")
for a,b in ((ONE,ONE),(ONE,TWO),(TWO,ONE),(NZ,PZ),(QNAN,ONE),(ONE,QNAN),(SNAN,ONE),(QNAN,QNAN),
            (NINF,INF),(INF,INF),(NMINS,MINS),(ONE,ONEP)):
    for op in ('eq','lt','le'): g.cmp(op,a,b)
g.p("    // ---- fclass ----")
for a in (NINF,M1,NMAX,NMINS,0x800fffffffffffff,NZ,PZ,MINS,0x000fffffffffffff,MINN,ONE,MAX,INF,SNAN,
          0x7ff7ffffffffffff,QNAN,QNANP,NQNAN,0xfff0000000000001):
    g.cls(a)
gen_misc=g.out
g=G(f,5000)
g.p("    // ---- double to integer ----")
for a in (0x3ff8000000000000,0x4004000000000000,0xbff8000000000000,0xc004000000000000,0xbfe0000000000000,
          0x41e65a0bc0000000,0xc1e65a0bc0000000,0x41dfffffffe00000,0xc1e0000000100000,0x41effffffff00000,
          0x41f0000000000000,0x43e0000000000000,0xc3e0000000000000,0x43f0000000000000,0x43dfffffffffffff,
          INF,NINF,QNAN,SNAN,NZ,MINS,NMINS,M1):
    g.toint(a)
g.p("    // ---- integer to double ----")
for i in (0x7fffffff,0xffffffffffffffff,0x8000000000000000,0x7fffffffffffffff,
          0x20000000000001,0x20000000000003,0xffffffff80000001,0x123456789abcdef1,0):
    g.fromint(i)
gen_cvt=g.out
# conversions between formats
out=[]
n=6000
def sd(a,rms=ALL):
    global n
    out.append(f"    // fcvt.s.d({desc(a,D)})")
    for rm in rms:
        r,fl=cvt_fmt(a,D,S,rm)
        out.append(f"    FCVTSD {RMN[rm]}, {a:#018x}, {r:#010x}, {fls(fl)}, {n}"); n+=2
def ds(a):
    global n
    r,fl=cvt_fmt(a,S,D,0)
    out.append(f"    FCVTDS {a:#010x}, {r:#018x}, {fls(fl)}, {n}   // fcvt.d.s({desc(a,S)})"); n+=2
for a in (0x3fd5555555555555,0xbfd5555555555555,MAX,NMAX,MINS,NMINS,0x380ffffff0000000,0x380fffffe0000000,
          0x3ff0000010000000,0x47efffffe0000000,0x47effffff0000000,0x3690000000000000):
    sd(a)
for a in (SNAN,QNANP,NQNAN,NZ,INF,NINF,ONE,MINN,TENTH):
    sd(a,[0])
for a in (0x3dcccccd,0x7f800001,0x7fc12345,0xffc00000,0x00000001,0x807fffff,0x80000000,0xff800000,0x7f7fffff,0x3f800000):
    ds(a)
gen_fcvt=out

print(r'''// Generated by tests/asm/isa/gen/gen_d.py (edit that, not this file).
// D extension (double precision), checked against values computed from the
// IEEE 754-2008 / RISC-V D rules with an exact rational model:
//   part A  fld/fsd, fmv.x.d/fmv.d.x (bit-exact, NaNs untouched)
//   part B  fadd/fsub/fmul/fdiv in all five static rounding modes + fflags
//   part C  fsqrt.d        part D  fmadd/fmsub/fnmsub/fnmadd.d
//   part E  fmin/fmax, fsgnj*, feq/flt/fle, fclass
//   part F  conversions to/from integers, with saturation
//   part K  fcvt.s.d (rounding, overflow, underflow after rounding, NaNs)
//           and fcvt.d.s (exact; NaNs become the canonical NaN)
//   part G  dynamic rounding       part I  reserved rounding modes trap
//   part J  sweeps printed to the UART for the differential test
// Generated check n tests the result, n + 1 the flags.
#include "common.h"
#include "fp.h"

.macro FCVTSD rm, a, r, fl, n
    li a1, \a
    fmv.d.x f1, a1
    fcvt.s.d f3, f1, \rm
    CHECKS f3, \r, \n
    CHECK_FFLAGS \fl, \n + 1
.endm

.macro FCVTDS a, r, fl, n
    li a1, \a
    fmv.w.x f1, a1
    fcvt.d.s f3, f1
    CHECKD f3, \r, \n
    CHECK_FFLAGS \fl, \n + 1
.endm

    TEST_BEGIN

    // ---- part A: loads, stores, moves ----
    la s0, ddata
    la s1, dbuf
    fld f1, 0(s0)
    CHECKD f1, 0x3ff0000000000000, 1
    fld f2, 8(s0)                   // a signalling NaN: kept, no flags
    CHECKD f2, 0x7ff0000000000001, 2
    CHECK_FFLAGS 0, 3
    fsd f2, 8(s1)
    ld a0, 8(s1)
    CHECK a0, 0x7ff0000000000001, 4
    ld a0, 0(s1)
    CHECK a0, 0, 5
    addi a1, s1, 24
    fsd f1, -8(a1)
    ld a0, 16(s1)
    CHECK a0, 0x3ff0000000000000, 6
    fld f3, -16(a1)
    CHECKD f3, 0x7ff0000000000001, 7
    li a0, 0xfff8000000012345       // fmv.d.x / fmv.x.d move all 64 bits
    fmv.d.x f4, a0
    fmv.x.d a1, f4
    CHECK a1, 0xfff8000000012345, 8
    CHECK_FFLAGS 0, 9
    fld f5, 16(s0)                  // a NaN-boxed single loaded as a double
    fadd.s f6, f5, f5               // is a proper single
    CHECKS f6, 0x40000000, 10
    fadd.d f6, f5, f5               // and as a double a quiet NaN
    CHECKD f6, 0x7ff8000000000000, 11
    CHECK_FFLAGS 0, 12
    fmv.d.x f7, zero
    CHECKD f7, 0, 13

    // ---- part G: dynamic rounding ----
    li a1, 0x3ff0000000000000       // 1 + 2^-53: a tie
    fmv.d.x f1, a1
    li a2, 0x3ca0000000000000
    fmv.d.x f2, a2
    fsrmi RM_RNE
    fadd.d f3, f1, f2
    CHECKD f3, 0x3ff0000000000000, 100
    fsrmi RM_RTZ
    fadd.d f3, f1, f2
    CHECKD f3, 0x3ff0000000000000, 101
    fsrmi RM_RDN
    fadd.d f3, f1, f2
    CHECKD f3, 0x3ff0000000000000, 102
    fsrmi RM_RUP
    fadd.d f3, f1, f2
    CHECKD f3, 0x3ff0000000000001, 103
    fsrmi RM_RMM
    fadd.d f3, f1, f2
    CHECKD f3, 0x3ff0000000000001, 104
    fadd.d f3, f1, f2, rne
    CHECKD f3, 0x3ff0000000000000, 105
    CHECK_FFLAGS FF_NX, 106
    li a1, 0x3fd5555555555555       // fcvt.s.d under frm
    fmv.d.x f1, a1
    fsrmi RM_RUP
    fcvt.s.d f3, f1
    CHECKS f3, 0x3eaaaaab, 107
    fsrmi RM_RTZ
    fcvt.s.d f3, f1
    CHECKS f3, 0x3eaaaaaa, 108
    li a1, 0x4004000000000000       // 2.5 to integer under frm
    fmv.d.x f1, a1
    fsrmi RM_RMM
    fcvt.l.d a0, f1
    CHECK a0, 3, 109
    fsrmi RM_RNE
    fcvt.l.d a0, f1
    CHECK a0, 2, 110
    fcvt.d.w f3, zero               // exact conversions need no rounding
    CHECKD f3, 0, 111
    li a1, -7
    fcvt.d.w f3, a1
    CHECKD f3, 0xc01c000000000000, 112
    fcvt.d.wu f3, a1                // 0xfffffff9
    CHECKD f3, 0x41efffffff200000, 113
    li a1, 0x80000000ffffffff       // only the low word counts
    fcvt.d.w f3, a1
    CHECKD f3, 0xbff0000000000000, 114
    CHECK_FFLAGS FF_NX, 115

    // ---- part I: reserved rounding modes ----
    la t0, rm_trap
    csrw mtvec, t0
    li s8, 0
    li a1, 0x3ff0000000000000
    fmv.d.x f1, a1
    fmv.d.x f2, a1
    li TESTNUM, 300
    fsrmi 5
    fadd.d f3, f1, f2
    CHECK s8, 1, 301
    CHECK s7, 2, 302
    fsrmi 7
    fcvt.s.d f3, f1
    CHECK s8, 2, 303
    fsqrt.d f3, f1
    CHECK s8, 3, 304
    fmadd.d f3, f1, f1, f1
    CHECK s8, 4, 305
    fadd.d f3, f1, f2, rup
    CHECK s8, 4, 306
    CHECKD f3, 0x4000000000000000, 307
    fsrmi RM_RNE
    .insn r 0x53, 5, 1, f3, f1, f2  // fadd.d with rm = 5
    CHECK s8, 5, 308
    .insn r4 0x43, 6, 1, f3, f1, f2, f1   // fmadd.d with rm = 6
    CHECK s8, 6, 309
    la t0, unexpected_trap
    csrw mtvec, t0
    csrw fcsr, zero
''')
def sec(title,lines):
    print(f"    // ---- {title} ----")
    print("\n".join(lines))
sec("part B: arithmetic (generated)", gen_arith)
sec("part C: square root (generated)", gen_sqrt)
sec("part D: fused multiply-add (generated)", gen_fma)
sec("part E: min/max, sign injection, compares, classes (generated)", gen_misc)
sec("part F: conversions (generated)", gen_cvt)
sec("part K: conversions between formats (generated)", gen_fcvt)
print(r'''
    // ---- part J: sweeps for the differential test ----
    csrw fcsr, zero
    PUTS "D sweep\n"
    FOR_EACH_RM SWEEP2, fadd.d, sw_d, sw_d_end, 8, fld, d
    FOR_EACH_RM SWEEP2, fsub.d, sw_d, sw_d_end, 8, fld, d
    FOR_EACH_RM SWEEP2, fmul.d, sw_d, sw_d_end, 8, fld, d
    FOR_EACH_RM SWEEP2, fdiv.d, sw_d, sw_d_end, 8, fld, d
    SWEEP2 fmin.d, sw_d, sw_d_end, 8, fld, d
    SWEEP2 fmax.d, sw_d, sw_d_end, 8, fld, d
    SWEEP2 fsgnj.d, sw_d, sw_d_end, 8, fld, d
    SWEEP2 fsgnjn.d, sw_d, sw_d_end, 8, fld, d
    SWEEP2 fsgnjx.d, sw_d, sw_d_end, 8, fld, d
    SWEEP2 feq.d, sw_d, sw_d_end, 8, fld, x
    SWEEP2 flt.d, sw_d, sw_d_end, 8, fld, x
    SWEEP2 fle.d, sw_d, sw_d_end, 8, fld, x
    FOR_EACH_RM SWEEP1, fsqrt.d, sw_d, sw_u_end, 8, fld, d
    SWEEP1 fclass.d, sw_d, sw_u_end, 8, fld, x
    FOR_EACH_RM SWEEP1, fcvt.s.d, sw_d, sw_u_end, 8, fld, s
    FOR_EACH_RM SWEEP1, fcvt.w.d, sw_d, sw_u_end, 8, fld, x
    FOR_EACH_RM SWEEP1, fcvt.wu.d, sw_d, sw_u_end, 8, fld, x
    FOR_EACH_RM SWEEP1, fcvt.l.d, sw_d, sw_u_end, 8, fld, x
    FOR_EACH_RM SWEEP1, fcvt.lu.d, sw_d, sw_u_end, 8, fld, x
    SWEEPI fcvt.d.w, sw_i, sw_i_end, d
    SWEEPI fcvt.d.wu, sw_i, sw_i_end, d
    FOR_EACH_RM SWEEPI, fcvt.d.l, sw_i, sw_i_end, d
    FOR_EACH_RM SWEEPI, fcvt.d.lu, sw_i, sw_i_end, d
    FOR_EACH_RM SWEEP3, fmadd.d, sw_3, sw_3_end, 8, fld, d
    SWEEP3 fmsub.d, sw_3, sw_3_end, 8, fld, d
    SWEEP3 fnmsub.d, sw_3, sw_3_end, 8, fld, d
    SWEEP3 fnmadd.d, sw_3, sw_3_end, 8, fld, d

    TEST_END

    .align 2
rm_trap:
    addi s8, s8, 1
    csrr s7, mcause
    csrr t3, mepc
    addi t3, t3, 4
    csrw mepc, t3
    mret

    .data
    .align 3
ddata:
    .dword 0x3ff0000000000000, 0x7ff0000000000001, 0xffffffff3f800000
dbuf:
    .space 32
sw_d:
    .dword 0x0000000000000000, 0x8000000000000000, 0x3ff0000000000000
    .dword 0xbff0000000000000, 0x3ff8000000000000, 0x3fb999999999999a
    .dword 0x4008000000000000, 0x7fefffffffffffff, 0xffefffffffffffff
    .dword 0x0010000000000000, 0x0000000000000001, 0x800fffffffffffff
    .dword 0x7ff0000000000000, 0xfff0000000000000, 0x7ff8000000000000
    .dword 0x7ff0000000000001, 0x41e0000000000000, 0xc004000000000000
sw_d_end:
    .dword 0x3fe0000000000000, 0xbfe0000000000000, 0x4004000000000000
    .dword 0x43e0000000000000, 0xc3e0000000000000, 0x43f0000000000000
    .dword 0x41dfffffffe00000, 0x380ffffff0000000, 0x47efffffe0000000
    .dword 0x3fefffffffffffff, 0x3690000000000000, 0x7ff8000000012345
sw_u_end:
sw_3:
    .dword 0x0000000000000000, 0x8000000000000000, 0x3ff0000000000000
    .dword 0xbff8000000000000, 0x3fb999999999999a, 0x7fefffffffffffff
    .dword 0x0000000000000001, 0x7ff0000000000000, 0xfff0000000000000
    .dword 0x7ff0000000000001
sw_3_end:
sw_i:
    .dword 0, 1, -1, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000001
    .dword 0x7fffffffffffffff, 0x8000000000000000, 0x20000000000001
    .dword 0x0123456789abcdef, -3, 0xffffffff80000001, 0x1000001000000001
sw_i_end:
''')
