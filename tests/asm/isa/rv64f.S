// F extension (single precision), checked against values computed from the
// IEEE 754-2008 / RISC-V F rules with an exact rational model:
//   part A  loads, stores, moves and NaN-boxing (an improperly boxed single
//           input is the canonical NaN; transfers do not look at the box)
//   part B  fadd/fsub/fmul/fdiv in all five static rounding modes, with the
//           fflags each raises (NX, UF after rounding, OF, DZ, NV)
//   part C  fsqrt          part D  fmadd/fmsub/fnmsub/fnmadd
//   part E  fmin/fmax (sNaN/qNaN/signed zeros), fsgnj*, feq/flt/fle, fclass
//   part F  conversions to/from integers, with saturation
//   part G  dynamic rounding (frm) and the rm field overriding frm
//   part H  fcsr/frm/fflags CSR access, accrued flags
//   part I  reserved rounding modes raise illegal-instruction
//   part J  sweeps printed to the UART for the differential test
// Generated check n tests the result, n + 1 the flags.
#include "common.h"
#include "fp.h"

    TEST_BEGIN

    // ---- part A: loads, stores, moves, NaN-boxing ----
    la s0, fdata
    la s1, fbuf
    flw f1, 0(s0)                   // 1.0
    CHECKS f1, 0x3f800000, 1
    fmv.x.d a0, f1                  // the box: upper 32 bits all ones
    CHECK a0, 0xffffffff3f800000, 2
    flw f2, 4(s0)                   // -2.0
    fmv.x.w a0, f2                  // fmv.x.w sign-extends bit 31
    CHECK a0, 0xffffffffc0000000, 3
    fmv.x.w a0, f1
    CHECK a0, 0x3f800000, 4
    fsw f2, 4(s1)
    lwu a0, 4(s1)
    CHECK a0, 0xc0000000, 5
    lw a0, 0(s1)                    // the word before is untouched
    CHECK a0, 0, 6
    addi a1, s1, 16
    fsw f1, -8(a1)
    lwu a0, 8(s1)
    CHECK a0, 0x3f800000, 7
    flw f3, -12(a1)                 // fbuf+4 = -2.0
    CHECKS f3, 0xc0000000, 8
    li a0, 0x123456789abcdef0       // fmv.w.x takes the low word, boxes it
    fmv.w.x f3, a0
    CHECKS f3, 0x9abcdef0, 9
    fsd f1, 16(s1)                  // fsd stores the box too
    ld a0, 16(s1)
    CHECK a0, 0xffffffff3f800000, 10
    li a0, 0x0123456789abcdef       // fmv.x.w of a double: low word
    fmv.d.x f7, a0
    fmv.x.w a0, f7
    CHECK a0, 0xffffffff89abcdef, 11
    fmv.d.x f6, zero                // a single result replaces a double
    fadd.s f6, f1, f1
    CHECKS f6, 0x40000000, 12
    flw f3, 8(s0)                   // sNaN: loads keep the bits, no flags
    CHECKS f3, 0x7f800001, 13
    CHECK_FFLAGS 0, 14
    fsw f3, 12(s1)
    lwu a0, 12(s1)
    CHECK a0, 0x7f800001, 15
    li a0, 0x7fa00000
    fmv.w.x f3, a0                  // fmv.w.x keeps a signalling NaN too
    fmv.x.w a0, f3
    CHECK a0, 0x7fa00000, 16
    CHECK_FFLAGS 0, 17

    // improperly boxed inputs are the canonical NaN for computations
    li a0, 0x000000003f800000
    fmv.d.x f4, a0
    fadd.s f5, f4, f1
    CHECKS f5, 0x7fc00000, 20
    CHECK_FFLAGS 0, 21              // a quiet NaN: no NV
    fclass.s a0, f4
    CHECK a0, 0x200, 22             // quiet NaN
    fmv.x.w a0, f4                  // transfers do not check the box
    CHECK a0, 0x3f800000, 23
    fsw f4, 0(s1)
    lwu a0, 0(s1)
    CHECK a0, 0x3f800000, 24
    fsgnj.s f5, f4, f1
    CHECKS f5, 0x7fc00000, 25
    fsgnjn.s f5, f4, f1
    CHECKS f5, 0xffc00000, 26
    fsgnjx.s f5, f4, f2
    CHECKS f5, 0xffc00000, 27
    fmin.s f5, f4, f1
    CHECKS f5, 0x3f800000, 28
    fmax.s f5, f1, f4
    CHECKS f5, 0x3f800000, 29
    CHECK_FFLAGS 0, 30
    feq.s a0, f4, f4
    CHECK a0, 0, 31
    CHECK_FFLAGS 0, 32
    flt.s a0, f4, f1
    CHECK a0, 0, 33
    CHECK_FFLAGS FF_NV, 34
    fcvt.d.s f5, f4
    CHECKD f5, 0x7ff8000000000000, 35
    CHECK_FFLAGS 0, 36
    fcvt.w.s a0, f4
    CHECK a0, 0x7fffffff, 37
    CHECK_FFLAGS FF_NV, 38
    fmadd.s f5, f1, f1, f4
    CHECKS f5, 0x7fc00000, 39
    CHECK_FFLAGS 0, 40
    fsqrt.s f5, f4
    CHECKS f5, 0x7fc00000, 41
    li a0, 0xfffffffe3f800000       // one zero bit in the box is enough
    fmv.d.x f4, a0
    fadd.s f5, f4, f1
    CHECKS f5, 0x7fc00000, 42
    li a0, 0x7fffffff3f800000
    fmv.d.x f4, a0
    fmul.s f5, f1, f4
    CHECKS f5, 0x7fc00000, 43
    fcvt.s.w f5, zero               // boxed zero
    CHECKS f5, 0, 44
    CHECK_FFLAGS 0, 45

    // ---- part G: dynamic rounding ----
    li a1, 0x3f800000               // 1 + 2^-24: a tie
    fmv.w.x f1, a1
    li a2, 0x33800000
    fmv.w.x f2, a2
    fsrmi RM_RNE
    fadd.s f3, f1, f2
    CHECKS f3, 0x3f800000, 100
    fsrmi RM_RTZ
    fadd.s f3, f1, f2
    CHECKS f3, 0x3f800000, 101
    fsrmi RM_RDN
    fadd.s f3, f1, f2
    CHECKS f3, 0x3f800000, 102
    fsrmi RM_RUP
    fadd.s f3, f1, f2
    CHECKS f3, 0x3f800001, 103
    fsrmi RM_RMM
    fadd.s f3, f1, f2, dyn
    CHECKS f3, 0x3f800001, 104
    CHECK_FFLAGS FF_NX, 105
    fsrmi a0, RM_RUP                // returns the old mode
    CHECK a0, RM_RMM, 106
    fadd.s f3, f1, f2, rne          // the static mode wins
    CHECKS f3, 0x3f800000, 107
    fadd.s f3, f1, f2, rtz
    CHECKS f3, 0x3f800000, 108
    fsrmi RM_RTZ
    fadd.s f3, f1, f2, rup
    CHECKS f3, 0x3f800001, 109
    fadd.s f3, f1, f2, rmm
    CHECKS f3, 0x3f800001, 110
    li a1, 0xbfc00000               // -1.5 to integer under frm
    fmv.w.x f1, a1
    fsrmi RM_RDN
    fcvt.w.s a0, f1
    CHECK a0, -2, 111
    fsrmi RM_RUP
    fcvt.w.s a0, f1
    CHECK a0, -1, 112
    fcvt.l.s a0, f1, rne
    CHECK a0, -2, 113
    CHECK_FFLAGS FF_NX, 114
    fsrmi RM_RTZ
    fcvt.wu.s a0, f1                // -1.5 -> -1: invalid for unsigned
    CHECK a0, 0, 115
    CHECK_FFLAGS FF_NV, 116
    li a1, 0x7fffffff               // int to float under frm
    fsrmi RM_RTZ
    fcvt.s.w f3, a1
    CHECKS f3, 0x4effffff, 117
    fsrmi RM_RNE
    fcvt.s.w f3, a1
    CHECKS f3, 0x4f000000, 118
    li a1, 0x3f800000               // 1 / 3 under frm
    fmv.w.x f1, a1
    li a2, 0x40400000
    fmv.w.x f2, a2
    fsrmi RM_RUP
    fdiv.s f3, f1, f2
    CHECKS f3, 0x3eaaaaab, 119
    fsrmi RM_RDN
    fdiv.s f3, f1, f2
    CHECKS f3, 0x3eaaaaaa, 120
    fsqrt.s f3, f2                  // sqrt(3) rounded down
    CHECKS f3, 0x3fddb3d7, 121
    fsrmi RM_RUP
    fsqrt.s f3, f2
    CHECKS f3, 0x3fddb3d8, 122
    fsrmi RM_RNE
    CHECK_FFLAGS FF_NX, 123

    // ---- part H: fcsr, frm, fflags ----
    csrw fcsr, zero
    li a0, 0x1f
    fsflags a1, a0                  // swap: old flags
    CHECK a1, 0, 200
    frflags a1
    CHECK a1, 0x1f, 201
    frcsr a1
    CHECK a1, 0x1f, 202
    frrm a1
    CHECK a1, 0, 203
    li a0, 0xff                     // frm is 3 bits wide
    fsrm a1, a0
    CHECK a1, 0, 204
    frrm a1
    CHECK a1, 7, 205
    frcsr a1
    CHECK a1, 0xff, 206
    li a0, 0xffffffff               // fcsr bits 31..8 read as zero
    fscsr a1, a0
    CHECK a1, 0xff, 207
    frcsr a1
    CHECK a1, 0xff, 208
    csrr a1, fflags
    CHECK a1, 0x1f, 209
    csrwi fcsr, 0                   // the CSR instructions on fflags
    csrrsi a1, fflags, FF_OF
    CHECK a1, 0, 210
    csrrsi a1, fflags, FF_NX
    CHECK a1, FF_OF, 211
    csrrci a1, fflags, FF_OF
    CHECK a1, FF_OF | FF_NX, 212
    csrr a1, fflags
    CHECK a1, FF_NX, 213
    csrrwi a1, frm, RM_RUP          // frm writes leave fflags alone
    CHECK a1, 0, 214
    csrr a1, fcsr
    CHECK a1, (RM_RUP << 5) | FF_NX, 215
    csrwi fflags, FF_DZ             // and fflags writes leave frm alone
    csrr a1, fcsr
    CHECK a1, (RM_RUP << 5) | FF_DZ, 216
    li a0, 0x80
    csrs fcsr, a0                   // fcsr bit 7 is frm bit 2: 0b011 -> 0b111
    csrr a1, frm
    CHECK a1, 7, 217
    li a0, 0x60
    csrc fcsr, a0
    csrr a1, frm
    CHECK a1, 4, 218                // 0b100 remains (RMM)
    csrrwi a1, fcsr, 0
    CHECK a1, 0x88, 219
    // accrued: flags only ever get set by instructions
    li a1, 0x3f800000
    fmv.w.x f1, a1
    fmv.w.x f2, zero
    fdiv.s f3, f1, f2               // DZ
    li a2, 0x40400000
    fmv.w.x f2, a2
    fdiv.s f3, f1, f2               // NX
    fadd.s f3, f1, f1               // exact: nothing more
    fmin.s f3, f1, f2
    frflags a1
    CHECK a1, FF_DZ | FF_NX, 220
    fsflags zero
    frflags a1
    CHECK a1, 0, 221

    // ---- part I: reserved rounding modes ----
    la t0, rm_trap
    csrw mtvec, t0
    li s8, 0                        // traps taken
    li a1, 0x3f800000
    fmv.w.x f1, a1
    fmv.w.x f2, a1
    fmv.w.x f3, zero
    li TESTNUM, 300
    fsrmi 5
    fadd.s f3, f1, f2               // dynamic with frm = 5
    CHECK s8, 1, 301
    CHECK s7, 2, 302                // illegal instruction
    fsrmi 6
    fmul.s f3, f1, f2
    CHECK s8, 2, 303
    fsrmi 7
    fcvt.w.s a0, f1
    CHECK s8, 3, 304
    fadd.s f3, f1, f2, rtz          // a static mode does not look at frm
    CHECK s8, 3, 305
    CHECKS f3, 0x40000000, 306
    fmin.s f3, f1, f2               // no rounding: no trap
    fsgnj.s f3, f1, f2
    feq.s a0, f1, f2
    CHECK s8, 3, 307
    fsrmi RM_RNE
    .insn r 0x53, 5, 0, f3, f1, f2  // fadd.s with rm = 5
    CHECK s8, 4, 308
    .insn r 0x53, 6, 0, f3, f1, f2  // fadd.s with rm = 6
    CHECK s8, 5, 309
    .insn r 0x53, 4, 0, f3, f1, f2  // fadd.s with rm = RMM: fine
    CHECK s8, 5, 310
    CHECKS f3, 0x40000000, 311
    la t0, unexpected_trap
    csrw mtvec, t0
    csrw fcsr, zero

    // ---- part B: arithmetic (generated) ----
    // ---- add ----
    // 1 + 2
    FOP2S fadd.s, rne, 0x3f800000, 0x40000000, 0x40400000, 0, 1000
    // 1 + 5.96046448e-08
    FOP2S fadd.s, rne, 0x3f800000, 0x33800000, 0x3f800000, FF_NX, 1002
    FOP2S fadd.s, rtz, 0x3f800000, 0x33800000, 0x3f800000, FF_NX, 1004
    FOP2S fadd.s, rdn, 0x3f800000, 0x33800000, 0x3f800000, FF_NX, 1006
    FOP2S fadd.s, rup, 0x3f800000, 0x33800000, 0x3f800001, FF_NX, 1008
    FOP2S fadd.s, rmm, 0x3f800000, 0x33800000, 0x3f800001, FF_NX, 1010
    // -1 + -5.96046448e-08
    FOP2S fadd.s, rne, 0xbf800000, 0xb3800000, 0xbf800000, FF_NX, 1012
    FOP2S fadd.s, rtz, 0xbf800000, 0xb3800000, 0xbf800000, FF_NX, 1014
    FOP2S fadd.s, rdn, 0xbf800000, 0xb3800000, 0xbf800001, FF_NX, 1016
    FOP2S fadd.s, rup, 0xbf800000, 0xb3800000, 0xbf800000, FF_NX, 1018
    FOP2S fadd.s, rmm, 0xbf800000, 0xb3800000, 0xbf800001, FF_NX, 1020
    // 1.00000012 + 5.96046448e-08
    FOP2S fadd.s, rne, 0x3f800001, 0x33800000, 0x3f800002, FF_NX, 1022
    FOP2S fadd.s, rtz, 0x3f800001, 0x33800000, 0x3f800001, FF_NX, 1024
    FOP2S fadd.s, rdn, 0x3f800001, 0x33800000, 0x3f800001, FF_NX, 1026
    FOP2S fadd.s, rup, 0x3f800001, 0x33800000, 0x3f800002, FF_NX, 1028
    FOP2S fadd.s, rmm, 0x3f800001, 0x33800000, 0x3f800002, FF_NX, 1030
    // 1 + 8.94069672e-08
    FOP2S fadd.s, rne, 0x3f800000, 0x33c00000, 0x3f800001, FF_NX, 1032
    FOP2S fadd.s, rtz, 0x3f800000, 0x33c00000, 0x3f800000, FF_NX, 1034
    FOP2S fadd.s, rdn, 0x3f800000, 0x33c00000, 0x3f800000, FF_NX, 1036
    FOP2S fadd.s, rup, 0x3f800000, 0x33c00000, 0x3f800001, FF_NX, 1038
    FOP2S fadd.s, rmm, 0x3f800000, 0x33c00000, 0x3f800001, FF_NX, 1040
    // 1 + 2.98023224e-08
    FOP2S fadd.s, rne, 0x3f800000, 0x33000000, 0x3f800000, FF_NX, 1042
    FOP2S fadd.s, rtz, 0x3f800000, 0x33000000, 0x3f800000, FF_NX, 1044
    FOP2S fadd.s, rdn, 0x3f800000, 0x33000000, 0x3f800000, FF_NX, 1046
    FOP2S fadd.s, rup, 0x3f800000, 0x33000000, 0x3f800001, FF_NX, 1048
    FOP2S fadd.s, rmm, 0x3f800000, 0x33000000, 0x3f800000, FF_NX, 1050
    // 3.40282347e+38 + 1.01412048e+31
    FOP2S fadd.s, rne, 0x7f7fffff, 0x73000000, 0x7f800000, FF_OF|FF_NX, 1052
    FOP2S fadd.s, rtz, 0x7f7fffff, 0x73000000, 0x7f7fffff, FF_NX, 1054
    FOP2S fadd.s, rdn, 0x7f7fffff, 0x73000000, 0x7f7fffff, FF_NX, 1056
    FOP2S fadd.s, rup, 0x7f7fffff, 0x73000000, 0x7f800000, FF_OF|FF_NX, 1058
    FOP2S fadd.s, rmm, 0x7f7fffff, 0x73000000, 0x7f800000, FF_OF|FF_NX, 1060
    // 3.40282347e+38 + 3.40282347e+38
    FOP2S fadd.s, rne, 0x7f7fffff, 0x7f7fffff, 0x7f800000, FF_OF|FF_NX, 1062
    FOP2S fadd.s, rtz, 0x7f7fffff, 0x7f7fffff, 0x7f7fffff, FF_OF|FF_NX, 1064
    FOP2S fadd.s, rdn, 0x7f7fffff, 0x7f7fffff, 0x7f7fffff, FF_OF|FF_NX, 1066
    FOP2S fadd.s, rup, 0x7f7fffff, 0x7f7fffff, 0x7f800000, FF_OF|FF_NX, 1068
    FOP2S fadd.s, rmm, 0x7f7fffff, 0x7f7fffff, 0x7f800000, FF_OF|FF_NX, 1070
    // -3.40282347e+38 + -3.40282347e+38
    FOP2S fadd.s, rne, 0xff7fffff, 0xff7fffff, 0xff800000, FF_OF|FF_NX, 1072
    FOP2S fadd.s, rtz, 0xff7fffff, 0xff7fffff, 0xff7fffff, FF_OF|FF_NX, 1074
    FOP2S fadd.s, rdn, 0xff7fffff, 0xff7fffff, 0xff800000, FF_OF|FF_NX, 1076
    FOP2S fadd.s, rup, 0xff7fffff, 0xff7fffff, 0xff7fffff, FF_OF|FF_NX, 1078
    FOP2S fadd.s, rmm, 0xff7fffff, 0xff7fffff, 0xff800000, FF_OF|FF_NX, 1080
    // inf + -inf
    FOP2S fadd.s, rne, 0x7f800000, 0xff800000, 0x7fc00000, FF_NV, 1082
    // inf + 1
    FOP2S fadd.s, rne, 0x7f800000, 0x3f800000, 0x7f800000, 0, 1084
    // qnan + 1
    FOP2S fadd.s, rne, 0x7fc00000, 0x3f800000, 0x7fc00000, 0, 1086
    // qnan(0x7fc12345) + 1
    FOP2S fadd.s, rne, 0x7fc12345, 0x3f800000, 0x7fc00000, 0, 1088
    // -qnan(0xffc00000) + 1
    FOP2S fadd.s, rne, 0xffc00000, 0x3f800000, 0x7fc00000, 0, 1090
    // 1 + snan(0x7f800001)
    FOP2S fadd.s, rne, 0x3f800000, 0x7f800001, 0x7fc00000, FF_NV, 1092
    // 0 + -0
    FOP2S fadd.s, rne, 0x00000000, 0x80000000, 0x00000000, 0, 1094
    FOP2S fadd.s, rdn, 0x00000000, 0x80000000, 0x80000000, 0, 1096
    // -0 + -0
    FOP2S fadd.s, rne, 0x80000000, 0x80000000, 0x80000000, 0, 1098
    // 1 + -1
    FOP2S fadd.s, rne, 0x3f800000, 0xbf800000, 0x00000000, 0, 1100
    FOP2S fadd.s, rtz, 0x3f800000, 0xbf800000, 0x00000000, 0, 1102
    FOP2S fadd.s, rdn, 0x3f800000, 0xbf800000, 0x80000000, 0, 1104
    FOP2S fadd.s, rup, 0x3f800000, 0xbf800000, 0x00000000, 0, 1106
    FOP2S fadd.s, rmm, 0x3f800000, 0xbf800000, 0x00000000, 0, 1108
    // 1.17549435e-38 + -1.40129846e-45
    FOP2S fadd.s, rne, 0x00800000, 0x80000001, 0x007fffff, 0, 1110
    // 1.40129846e-45 + 1.40129846e-45
    FOP2S fadd.s, rne, 0x00000001, 0x00000001, 0x00000002, 0, 1112
    // ---- sub ----
    // 1 - 2
    FOP2S fsub.s, rne, 0x3f800000, 0x40000000, 0xbf800000, 0, 1114
    // 1 - 5.96046448e-08
    FOP2S fsub.s, rne, 0x3f800000, 0x33800000, 0x3f7fffff, 0, 1116
    // 1 - 2.98023224e-08
    FOP2S fsub.s, rne, 0x3f800000, 0x33000000, 0x3f800000, FF_NX, 1118
    FOP2S fsub.s, rtz, 0x3f800000, 0x33000000, 0x3f7fffff, FF_NX, 1120
    FOP2S fsub.s, rdn, 0x3f800000, 0x33000000, 0x3f7fffff, FF_NX, 1122
    FOP2S fsub.s, rup, 0x3f800000, 0x33000000, 0x3f800000, FF_NX, 1124
    FOP2S fsub.s, rmm, 0x3f800000, 0x33000000, 0x3f800000, FF_NX, 1126
    // inf - inf
    FOP2S fsub.s, rne, 0x7f800000, 0x7f800000, 0x7fc00000, FF_NV, 1128
    // 1 - 1
    FOP2S fsub.s, rne, 0x3f800000, 0x3f800000, 0x00000000, 0, 1130
    FOP2S fsub.s, rtz, 0x3f800000, 0x3f800000, 0x00000000, 0, 1132
    FOP2S fsub.s, rdn, 0x3f800000, 0x3f800000, 0x80000000, 0, 1134
    FOP2S fsub.s, rup, 0x3f800000, 0x3f800000, 0x00000000, 0, 1136
    FOP2S fsub.s, rmm, 0x3f800000, 0x3f800000, 0x00000000, 0, 1138
    // -0 - 0
    FOP2S fsub.s, rne, 0x80000000, 0x00000000, 0x80000000, 0, 1140
    // -3.40282347e+38 - 3.40282347e+38
    FOP2S fsub.s, rne, 0xff7fffff, 0x7f7fffff, 0xff800000, FF_OF|FF_NX, 1142
    FOP2S fsub.s, rtz, 0xff7fffff, 0x7f7fffff, 0xff7fffff, FF_OF|FF_NX, 1144
    FOP2S fsub.s, rdn, 0xff7fffff, 0x7f7fffff, 0xff800000, FF_OF|FF_NX, 1146
    FOP2S fsub.s, rup, 0xff7fffff, 0x7f7fffff, 0xff7fffff, FF_OF|FF_NX, 1148
    FOP2S fsub.s, rmm, 0xff7fffff, 0x7f7fffff, 0xff800000, FF_OF|FF_NX, 1150
    // snan(0x7f800001) - qnan
    FOP2S fsub.s, rne, 0x7f800001, 0x7fc00000, 0x7fc00000, FF_NV, 1152
    // ---- mul ----
    // 3 * 0.100000001
    FOP2S fmul.s, rne, 0x40400000, 0x3dcccccd, 0x3e99999a, FF_NX, 1154
    FOP2S fmul.s, rtz, 0x40400000, 0x3dcccccd, 0x3e999999, FF_NX, 1156
    FOP2S fmul.s, rdn, 0x40400000, 0x3dcccccd, 0x3e999999, FF_NX, 1158
    FOP2S fmul.s, rup, 0x40400000, 0x3dcccccd, 0x3e99999a, FF_NX, 1160
    FOP2S fmul.s, rmm, 0x40400000, 0x3dcccccd, 0x3e99999a, FF_NX, 1162
    // 3.40282347e+38 * 2
    FOP2S fmul.s, rne, 0x7f7fffff, 0x40000000, 0x7f800000, FF_OF|FF_NX, 1164
    FOP2S fmul.s, rtz, 0x7f7fffff, 0x40000000, 0x7f7fffff, FF_OF|FF_NX, 1166
    FOP2S fmul.s, rdn, 0x7f7fffff, 0x40000000, 0x7f7fffff, FF_OF|FF_NX, 1168
    FOP2S fmul.s, rup, 0x7f7fffff, 0x40000000, 0x7f800000, FF_OF|FF_NX, 1170
    FOP2S fmul.s, rmm, 0x7f7fffff, 0x40000000, 0x7f800000, FF_OF|FF_NX, 1172
    // -3.40282347e+38 * 2
    FOP2S fmul.s, rne, 0xff7fffff, 0x40000000, 0xff800000, FF_OF|FF_NX, 1174
    FOP2S fmul.s, rtz, 0xff7fffff, 0x40000000, 0xff7fffff, FF_OF|FF_NX, 1176
    FOP2S fmul.s, rdn, 0xff7fffff, 0x40000000, 0xff800000, FF_OF|FF_NX, 1178
    FOP2S fmul.s, rup, 0xff7fffff, 0x40000000, 0xff7fffff, FF_OF|FF_NX, 1180
    FOP2S fmul.s, rmm, 0xff7fffff, 0x40000000, 0xff800000, FF_OF|FF_NX, 1182
    // 1.40129846e-45 * 0.5
    FOP2S fmul.s, rne, 0x00000001, 0x3f000000, 0x00000000, FF_UF|FF_NX, 1184
    FOP2S fmul.s, rtz, 0x00000001, 0x3f000000, 0x00000000, FF_UF|FF_NX, 1186
    FOP2S fmul.s, rdn, 0x00000001, 0x3f000000, 0x00000000, FF_UF|FF_NX, 1188
    FOP2S fmul.s, rup, 0x00000001, 0x3f000000, 0x00000001, FF_UF|FF_NX, 1190
    FOP2S fmul.s, rmm, 0x00000001, 0x3f000000, 0x00000001, FF_UF|FF_NX, 1192
    // -1.40129846e-45 * 0.5
    FOP2S fmul.s, rne, 0x80000001, 0x3f000000, 0x80000000, FF_UF|FF_NX, 1194
    FOP2S fmul.s, rtz, 0x80000001, 0x3f000000, 0x80000000, FF_UF|FF_NX, 1196
    FOP2S fmul.s, rdn, 0x80000001, 0x3f000000, 0x80000001, FF_UF|FF_NX, 1198
    FOP2S fmul.s, rup, 0x80000001, 0x3f000000, 0x80000000, FF_UF|FF_NX, 1200
    FOP2S fmul.s, rmm, 0x80000001, 0x3f000000, 0x80000001, FF_UF|FF_NX, 1202
    // 1.17549435e-38 * 0.5
    FOP2S fmul.s, rne, 0x00800000, 0x3f000000, 0x00400000, 0, 1204
    // 1.17549435e-38 * 0.99999994
    FOP2S fmul.s, rne, 0x00800000, 0x3f7fffff, 0x00800000, FF_UF|FF_NX, 1206
    FOP2S fmul.s, rtz, 0x00800000, 0x3f7fffff, 0x007fffff, FF_UF|FF_NX, 1208
    FOP2S fmul.s, rdn, 0x00800000, 0x3f7fffff, 0x007fffff, FF_UF|FF_NX, 1210
    FOP2S fmul.s, rup, 0x00800000, 0x3f7fffff, 0x00800000, FF_UF|FF_NX, 1212
    FOP2S fmul.s, rmm, 0x00800000, 0x3f7fffff, 0x00800000, FF_UF|FF_NX, 1214
    // inf * 0
    FOP2S fmul.s, rne, 0x7f800000, 0x00000000, 0x7fc00000, FF_NV, 1216
    // -0 * 1
    FOP2S fmul.s, rne, 0x80000000, 0x3f800000, 0x80000000, 0, 1218
    // -inf * -1
    FOP2S fmul.s, rne, 0xff800000, 0xbf800000, 0x7f800000, 0, 1220
    // snan(0x7f800001) * 1
    FOP2S fmul.s, rne, 0x7f800001, 0x3f800000, 0x7fc00000, FF_NV, 1222
    // 1.84467441e+19 * 1.84467441e+19
    FOP2S fmul.s, rne, 0x5f800000, 0x5f800000, 0x7f800000, FF_OF|FF_NX, 1224
    FOP2S fmul.s, rtz, 0x5f800000, 0x5f800000, 0x7f7fffff, FF_OF|FF_NX, 1226
    // 0.100000001 * 0.100000001
    FOP2S fmul.s, rne, 0x3dcccccd, 0x3dcccccd, 0x3c23d70b, FF_NX, 1228
    FOP2S fmul.s, rtz, 0x3dcccccd, 0x3dcccccd, 0x3c23d70a, FF_NX, 1230
    FOP2S fmul.s, rdn, 0x3dcccccd, 0x3dcccccd, 0x3c23d70a, FF_NX, 1232
    FOP2S fmul.s, rup, 0x3dcccccd, 0x3dcccccd, 0x3c23d70b, FF_NX, 1234
    FOP2S fmul.s, rmm, 0x3dcccccd, 0x3dcccccd, 0x3c23d70b, FF_NX, 1236
    // ---- div ----
    // 1 / 3
    FOP2S fdiv.s, rne, 0x3f800000, 0x40400000, 0x3eaaaaab, FF_NX, 1238
    FOP2S fdiv.s, rtz, 0x3f800000, 0x40400000, 0x3eaaaaaa, FF_NX, 1240
    FOP2S fdiv.s, rdn, 0x3f800000, 0x40400000, 0x3eaaaaaa, FF_NX, 1242
    FOP2S fdiv.s, rup, 0x3f800000, 0x40400000, 0x3eaaaaab, FF_NX, 1244
    FOP2S fdiv.s, rmm, 0x3f800000, 0x40400000, 0x3eaaaaab, FF_NX, 1246
    // -1 / 3
    FOP2S fdiv.s, rne, 0xbf800000, 0x40400000, 0xbeaaaaab, FF_NX, 1248
    FOP2S fdiv.s, rtz, 0xbf800000, 0x40400000, 0xbeaaaaaa, FF_NX, 1250
    FOP2S fdiv.s, rdn, 0xbf800000, 0x40400000, 0xbeaaaaab, FF_NX, 1252
    FOP2S fdiv.s, rup, 0xbf800000, 0x40400000, 0xbeaaaaaa, FF_NX, 1254
    FOP2S fdiv.s, rmm, 0xbf800000, 0x40400000, 0xbeaaaaab, FF_NX, 1256
    // 1 / 0
    FOP2S fdiv.s, rne, 0x3f800000, 0x00000000, 0x7f800000, FF_DZ, 1258
    // -1 / 0
    FOP2S fdiv.s, rne, 0xbf800000, 0x00000000, 0xff800000, FF_DZ, 1260
    // 1 / -0
    FOP2S fdiv.s, rne, 0x3f800000, 0x80000000, 0xff800000, FF_DZ, 1262
    // 0 / 0
    FOP2S fdiv.s, rne, 0x00000000, 0x00000000, 0x7fc00000, FF_NV, 1264
    // inf / inf
    FOP2S fdiv.s, rne, 0x7f800000, 0x7f800000, 0x7fc00000, FF_NV, 1266
    // 1 / inf
    FOP2S fdiv.s, rne, 0x3f800000, 0x7f800000, 0x00000000, 0, 1268
    // -1 / inf
    FOP2S fdiv.s, rne, 0xbf800000, 0x7f800000, 0x80000000, 0, 1270
    // inf / 0
    FOP2S fdiv.s, rne, 0x7f800000, 0x00000000, 0x7f800000, 0, 1272
    // qnan / 0
    FOP2S fdiv.s, rne, 0x7fc00000, 0x00000000, 0x7fc00000, 0, 1274
    // 3.40282347e+38 / 0.5
    FOP2S fdiv.s, rne, 0x7f7fffff, 0x3f000000, 0x7f800000, FF_OF|FF_NX, 1276
    FOP2S fdiv.s, rtz, 0x7f7fffff, 0x3f000000, 0x7f7fffff, FF_OF|FF_NX, 1278
    FOP2S fdiv.s, rdn, 0x7f7fffff, 0x3f000000, 0x7f7fffff, FF_OF|FF_NX, 1280
    FOP2S fdiv.s, rup, 0x7f7fffff, 0x3f000000, 0x7f800000, FF_OF|FF_NX, 1282
    FOP2S fdiv.s, rmm, 0x7f7fffff, 0x3f000000, 0x7f800000, FF_OF|FF_NX, 1284
    // 1.40129846e-45 / 2
    FOP2S fdiv.s, rne, 0x00000001, 0x40000000, 0x00000000, FF_UF|FF_NX, 1286
    FOP2S fdiv.s, rtz, 0x00000001, 0x40000000, 0x00000000, FF_UF|FF_NX, 1288
    FOP2S fdiv.s, rdn, 0x00000001, 0x40000000, 0x00000000, FF_UF|FF_NX, 1290
    FOP2S fdiv.s, rup, 0x00000001, 0x40000000, 0x00000001, FF_UF|FF_NX, 1292
    FOP2S fdiv.s, rmm, 0x00000001, 0x40000000, 0x00000001, FF_UF|FF_NX, 1294
    // 1.17549435e-38 / 3
    FOP2S fdiv.s, rne, 0x00800000, 0x40400000, 0x002aaaab, FF_UF|FF_NX, 1296
    FOP2S fdiv.s, rtz, 0x00800000, 0x40400000, 0x002aaaaa, FF_UF|FF_NX, 1298
    FOP2S fdiv.s, rdn, 0x00800000, 0x40400000, 0x002aaaaa, FF_UF|FF_NX, 1300
    FOP2S fdiv.s, rup, 0x00800000, 0x40400000, 0x002aaaab, FF_UF|FF_NX, 1302
    FOP2S fdiv.s, rmm, 0x00800000, 0x40400000, 0x002aaaab, FF_UF|FF_NX, 1304
    // 10 / 4
    FOP2S fdiv.s, rne, 0x41200000, 0x40800000, 0x40200000, 0, 1306
    // ---- part C: square root (generated) ----
    // sqrt(4)
    FOP1S fsqrt.s, rne, 0x40800000, 0x40000000, 0, 2000
    // sqrt(2)
    FOP1S fsqrt.s, rne, 0x40000000, 0x3fb504f3, FF_NX, 2002
    FOP1S fsqrt.s, rtz, 0x40000000, 0x3fb504f3, FF_NX, 2004
    FOP1S fsqrt.s, rdn, 0x40000000, 0x3fb504f3, FF_NX, 2006
    FOP1S fsqrt.s, rup, 0x40000000, 0x3fb504f4, FF_NX, 2008
    FOP1S fsqrt.s, rmm, 0x40000000, 0x3fb504f3, FF_NX, 2010
    // sqrt(3)
    FOP1S fsqrt.s, rne, 0x40400000, 0x3fddb3d7, FF_NX, 2012
    FOP1S fsqrt.s, rtz, 0x40400000, 0x3fddb3d7, FF_NX, 2014
    FOP1S fsqrt.s, rdn, 0x40400000, 0x3fddb3d7, FF_NX, 2016
    FOP1S fsqrt.s, rup, 0x40400000, 0x3fddb3d8, FF_NX, 2018
    FOP1S fsqrt.s, rmm, 0x40400000, 0x3fddb3d7, FF_NX, 2020
    // sqrt(-1)
    FOP1S fsqrt.s, rne, 0xbf800000, 0x7fc00000, FF_NV, 2022
    // sqrt(-0)
    FOP1S fsqrt.s, rne, 0x80000000, 0x80000000, 0, 2024
    // sqrt(0)
    FOP1S fsqrt.s, rne, 0x00000000, 0x00000000, 0, 2026
    // sqrt(inf)
    FOP1S fsqrt.s, rne, 0x7f800000, 0x7f800000, 0, 2028
    // sqrt(-inf)
    FOP1S fsqrt.s, rne, 0xff800000, 0x7fc00000, FF_NV, 2030
    // sqrt(snan(0x7f800001))
    FOP1S fsqrt.s, rne, 0x7f800001, 0x7fc00000, FF_NV, 2032
    // sqrt(qnan)
    FOP1S fsqrt.s, rne, 0x7fc00000, 0x7fc00000, 0, 2034
    // sqrt(1.40129846e-45)
    FOP1S fsqrt.s, rne, 0x00000001, 0x1a3504f3, FF_NX, 2036
    FOP1S fsqrt.s, rtz, 0x00000001, 0x1a3504f3, FF_NX, 2038
    FOP1S fsqrt.s, rdn, 0x00000001, 0x1a3504f3, FF_NX, 2040
    FOP1S fsqrt.s, rup, 0x00000001, 0x1a3504f4, FF_NX, 2042
    FOP1S fsqrt.s, rmm, 0x00000001, 0x1a3504f3, FF_NX, 2044
    // sqrt(1.00000012)
    FOP1S fsqrt.s, rne, 0x3f800001, 0x3f800000, FF_NX, 2046
    FOP1S fsqrt.s, rtz, 0x3f800001, 0x3f800000, FF_NX, 2048
    FOP1S fsqrt.s, rdn, 0x3f800001, 0x3f800000, FF_NX, 2050
    FOP1S fsqrt.s, rup, 0x3f800001, 0x3f800001, FF_NX, 2052
    FOP1S fsqrt.s, rmm, 0x3f800001, 0x3f800000, FF_NX, 2054
    // ---- part D: fused multiply-add (generated) ----
    // fmadd(2, 3, 1)
    FOP3S fmadd.s, rne, 0x40000000, 0x40400000, 0x3f800000, 0x40e00000, 0, 3000
    // fmadd(1.00024414, 1.00024414, -1)
    FOP3S fmadd.s, rne, 0x3f800800, 0x3f800800, 0xbf800000, 0x3a000400, 0, 3002
    FOP3S fmadd.s, rtz, 0x3f800800, 0x3f800800, 0xbf800000, 0x3a000400, 0, 3004
    FOP3S fmadd.s, rdn, 0x3f800800, 0x3f800800, 0xbf800000, 0x3a000400, 0, 3006
    FOP3S fmadd.s, rup, 0x3f800800, 0x3f800800, 0xbf800000, 0x3a000400, 0, 3008
    FOP3S fmadd.s, rmm, 0x3f800800, 0x3f800800, 0xbf800000, 0x3a000400, 0, 3010
    // fmadd(1, 5.96046448e-08, 1)
    FOP3S fmadd.s, rne, 0x3f800000, 0x33800000, 0x3f800000, 0x3f800000, FF_NX, 3012
    FOP3S fmadd.s, rtz, 0x3f800000, 0x33800000, 0x3f800000, 0x3f800000, FF_NX, 3014
    FOP3S fmadd.s, rdn, 0x3f800000, 0x33800000, 0x3f800000, 0x3f800000, FF_NX, 3016
    FOP3S fmadd.s, rup, 0x3f800000, 0x33800000, 0x3f800000, 0x3f800001, FF_NX, 3018
    FOP3S fmadd.s, rmm, 0x3f800000, 0x33800000, 0x3f800000, 0x3f800001, FF_NX, 3020
    // fmadd(1, 0, 0)
    FOP3S fmadd.s, rne, 0x3f800000, 0x00000000, 0x00000000, 0x00000000, 0, 3022
    FOP3S fmadd.s, rdn, 0x3f800000, 0x00000000, 0x00000000, 0x00000000, 0, 3024
    // fmadd(inf, 0, qnan)
    FOP3S fmadd.s, rne, 0x7f800000, 0x00000000, 0x7fc00000, 0x7fc00000, FF_NV, 3026
    // fmadd(inf, 0, 1)
    FOP3S fmadd.s, rne, 0x7f800000, 0x00000000, 0x3f800000, 0x7fc00000, FF_NV, 3028
    // fmadd(inf, 1, -inf)
    FOP3S fmadd.s, rne, 0x7f800000, 0x3f800000, 0xff800000, 0x7fc00000, FF_NV, 3030
    // fmadd(qnan, 1, 1)
    FOP3S fmadd.s, rne, 0x7fc00000, 0x3f800000, 0x3f800000, 0x7fc00000, 0, 3032
    // fmadd(1, 1, snan(0x7f800001))
    FOP3S fmadd.s, rne, 0x3f800000, 0x3f800000, 0x7f800001, 0x7fc00000, FF_NV, 3034
    // fmadd(3.40282347e+38, 2, -3.40282347e+38)
    FOP3S fmadd.s, rne, 0x7f7fffff, 0x40000000, 0xff7fffff, 0x7f7fffff, 0, 3036
    // fmadd(1.40129846e-45, 0.5, 0)
    FOP3S fmadd.s, rne, 0x00000001, 0x3f000000, 0x00000000, 0x00000000, FF_UF|FF_NX, 3038
    FOP3S fmadd.s, rtz, 0x00000001, 0x3f000000, 0x00000000, 0x00000000, FF_UF|FF_NX, 3040
    FOP3S fmadd.s, rdn, 0x00000001, 0x3f000000, 0x00000000, 0x00000000, FF_UF|FF_NX, 3042
    FOP3S fmadd.s, rup, 0x00000001, 0x3f000000, 0x00000000, 0x00000001, FF_UF|FF_NX, 3044
    FOP3S fmadd.s, rmm, 0x00000001, 0x3f000000, 0x00000000, 0x00000001, FF_UF|FF_NX, 3046
    // fmadd(3.40282347e+38, 3.40282347e+38, inf)
    FOP3S fmadd.s, rne, 0x7f7fffff, 0x7f7fffff, 0x7f800000, 0x7f800000, 0, 3048
    // fmsub(2, 3, 1)
    FOP3S fmsub.s, rne, 0x40000000, 0x40400000, 0x3f800000, 0x40a00000, 0, 3050
    // fmsub(1.00024414, 1.00024414, -1)
    FOP3S fmsub.s, rne, 0x3f800800, 0x3f800800, 0xbf800000, 0x40000800, FF_NX, 3052
    FOP3S fmsub.s, rtz, 0x3f800800, 0x3f800800, 0xbf800000, 0x40000800, FF_NX, 3054
    FOP3S fmsub.s, rdn, 0x3f800800, 0x3f800800, 0xbf800000, 0x40000800, FF_NX, 3056
    FOP3S fmsub.s, rup, 0x3f800800, 0x3f800800, 0xbf800000, 0x40000801, FF_NX, 3058
    FOP3S fmsub.s, rmm, 0x3f800800, 0x3f800800, 0xbf800000, 0x40000800, FF_NX, 3060
    // fmsub(1, 5.96046448e-08, 1)
    FOP3S fmsub.s, rne, 0x3f800000, 0x33800000, 0x3f800000, 0xbf7fffff, 0, 3062
    FOP3S fmsub.s, rtz, 0x3f800000, 0x33800000, 0x3f800000, 0xbf7fffff, 0, 3064
    FOP3S fmsub.s, rdn, 0x3f800000, 0x33800000, 0x3f800000, 0xbf7fffff, 0, 3066
    FOP3S fmsub.s, rup, 0x3f800000, 0x33800000, 0x3f800000, 0xbf7fffff, 0, 3068
    FOP3S fmsub.s, rmm, 0x3f800000, 0x33800000, 0x3f800000, 0xbf7fffff, 0, 3070
    // fmsub(1, 0, 0)
    FOP3S fmsub.s, rne, 0x3f800000, 0x00000000, 0x00000000, 0x00000000, 0, 3072
    FOP3S fmsub.s, rdn, 0x3f800000, 0x00000000, 0x00000000, 0x80000000, 0, 3074
    // fmsub(inf, 0, qnan)
    FOP3S fmsub.s, rne, 0x7f800000, 0x00000000, 0x7fc00000, 0x7fc00000, FF_NV, 3076
    // fmsub(inf, 0, 1)
    FOP3S fmsub.s, rne, 0x7f800000, 0x00000000, 0x3f800000, 0x7fc00000, FF_NV, 3078
    // fmsub(inf, 1, -inf)
    FOP3S fmsub.s, rne, 0x7f800000, 0x3f800000, 0xff800000, 0x7f800000, 0, 3080
    // fmsub(qnan, 1, 1)
    FOP3S fmsub.s, rne, 0x7fc00000, 0x3f800000, 0x3f800000, 0x7fc00000, 0, 3082
    // fmsub(1, 1, snan(0x7f800001))
    FOP3S fmsub.s, rne, 0x3f800000, 0x3f800000, 0x7f800001, 0x7fc00000, FF_NV, 3084
    // fmsub(3.40282347e+38, 2, -3.40282347e+38)
    FOP3S fmsub.s, rne, 0x7f7fffff, 0x40000000, 0xff7fffff, 0x7f800000, FF_OF|FF_NX, 3086
    // fmsub(1.40129846e-45, 0.5, 0)
    FOP3S fmsub.s, rne, 0x00000001, 0x3f000000, 0x00000000, 0x00000000, FF_UF|FF_NX, 3088
    FOP3S fmsub.s, rtz, 0x00000001, 0x3f000000, 0x00000000, 0x00000000, FF_UF|FF_NX, 3090
    FOP3S fmsub.s, rdn, 0x00000001, 0x3f000000, 0x00000000, 0x00000000, FF_UF|FF_NX, 3092
    FOP3S fmsub.s, rup, 0x00000001, 0x3f000000, 0x00000000, 0x00000001, FF_UF|FF_NX, 3094
    FOP3S fmsub.s, rmm, 0x00000001, 0x3f000000, 0x00000000, 0x00000001, FF_UF|FF_NX, 3096
    // fmsub(3.40282347e+38, 3.40282347e+38, inf)
    FOP3S fmsub.s, rne, 0x7f7fffff, 0x7f7fffff, 0x7f800000, 0xff800000, 0, 3098
    // fnmsub(2, 3, 1)
    FOP3S fnmsub.s, rne, 0x40000000, 0x40400000, 0x3f800000, 0xc0a00000, 0, 3100
    // fnmsub(1.00024414, 1.00024414, -1)
    FOP3S fnmsub.s, rne, 0x3f800800, 0x3f800800, 0xbf800000, 0xc0000800, FF_NX, 3102
    FOP3S fnmsub.s, rtz, 0x3f800800, 0x3f800800, 0xbf800000, 0xc0000800, FF_NX, 3104
    FOP3S fnmsub.s, rdn, 0x3f800800, 0x3f800800, 0xbf800000, 0xc0000801, FF_NX, 3106
    FOP3S fnmsub.s, rup, 0x3f800800, 0x3f800800, 0xbf800000, 0xc0000800, FF_NX, 3108
    FOP3S fnmsub.s, rmm, 0x3f800800, 0x3f800800, 0xbf800000, 0xc0000800, FF_NX, 3110
    // fnmsub(1, 5.96046448e-08, 1)
    FOP3S fnmsub.s, rne, 0x3f800000, 0x33800000, 0x3f800000, 0x3f7fffff, 0, 3112
    FOP3S fnmsub.s, rtz, 0x3f800000, 0x33800000, 0x3f800000, 0x3f7fffff, 0, 3114
    FOP3S fnmsub.s, rdn, 0x3f800000, 0x33800000, 0x3f800000, 0x3f7fffff, 0, 3116
    FOP3S fnmsub.s, rup, 0x3f800000, 0x33800000, 0x3f800000, 0x3f7fffff, 0, 3118
    FOP3S fnmsub.s, rmm, 0x3f800000, 0x33800000, 0x3f800000, 0x3f7fffff, 0, 3120
    // fnmsub(1, 0, 0)
    FOP3S fnmsub.s, rne, 0x3f800000, 0x00000000, 0x00000000, 0x00000000, 0, 3122
    FOP3S fnmsub.s, rdn, 0x3f800000, 0x00000000, 0x00000000, 0x80000000, 0, 3124
    // fnmsub(inf, 0, qnan)
    FOP3S fnmsub.s, rne, 0x7f800000, 0x00000000, 0x7fc00000, 0x7fc00000, FF_NV, 3126
    // fnmsub(inf, 0, 1)
    FOP3S fnmsub.s, rne, 0x7f800000, 0x00000000, 0x3f800000, 0x7fc00000, FF_NV, 3128
    // fnmsub(inf, 1, -inf)
    FOP3S fnmsub.s, rne, 0x7f800000, 0x3f800000, 0xff800000, 0xff800000, 0, 3130
    // fnmsub(qnan, 1, 1)
    FOP3S fnmsub.s, rne, 0x7fc00000, 0x3f800000, 0x3f800000, 0x7fc00000, 0, 3132
    // fnmsub(1, 1, snan(0x7f800001))
    FOP3S fnmsub.s, rne, 0x3f800000, 0x3f800000, 0x7f800001, 0x7fc00000, FF_NV, 3134
    // fnmsub(3.40282347e+38, 2, -3.40282347e+38)
    FOP3S fnmsub.s, rne, 0x7f7fffff, 0x40000000, 0xff7fffff, 0xff800000, FF_OF|FF_NX, 3136
    // fnmsub(1.40129846e-45, 0.5, 0)
    FOP3S fnmsub.s, rne, 0x00000001, 0x3f000000, 0x00000000, 0x80000000, FF_UF|FF_NX, 3138
    FOP3S fnmsub.s, rtz, 0x00000001, 0x3f000000, 0x00000000, 0x80000000, FF_UF|FF_NX, 3140
    FOP3S fnmsub.s, rdn, 0x00000001, 0x3f000000, 0x00000000, 0x80000001, FF_UF|FF_NX, 3142
    FOP3S fnmsub.s, rup, 0x00000001, 0x3f000000, 0x00000000, 0x80000000, FF_UF|FF_NX, 3144
    FOP3S fnmsub.s, rmm, 0x00000001, 0x3f000000, 0x00000000, 0x80000001, FF_UF|FF_NX, 3146
    // fnmsub(3.40282347e+38, 3.40282347e+38, inf)
    FOP3S fnmsub.s, rne, 0x7f7fffff, 0x7f7fffff, 0x7f800000, 0x7f800000, 0, 3148
    // fnmadd(2, 3, 1)
    FOP3S fnmadd.s, rne, 0x40000000, 0x40400000, 0x3f800000, 0xc0e00000, 0, 3150
    // fnmadd(1.00024414, 1.00024414, -1)
    FOP3S fnmadd.s, rne, 0x3f800800, 0x3f800800, 0xbf800000, 0xba000400, 0, 3152
    FOP3S fnmadd.s, rtz, 0x3f800800, 0x3f800800, 0xbf800000, 0xba000400, 0, 3154
    FOP3S fnmadd.s, rdn, 0x3f800800, 0x3f800800, 0xbf800000, 0xba000400, 0, 3156
    FOP3S fnmadd.s, rup, 0x3f800800, 0x3f800800, 0xbf800000, 0xba000400, 0, 3158
    FOP3S fnmadd.s, rmm, 0x3f800800, 0x3f800800, 0xbf800000, 0xba000400, 0, 3160
    // fnmadd(1, 5.96046448e-08, 1)
    FOP3S fnmadd.s, rne, 0x3f800000, 0x33800000, 0x3f800000, 0xbf800000, FF_NX, 3162
    FOP3S fnmadd.s, rtz, 0x3f800000, 0x33800000, 0x3f800000, 0xbf800000, FF_NX, 3164
    FOP3S fnmadd.s, rdn, 0x3f800000, 0x33800000, 0x3f800000, 0xbf800001, FF_NX, 3166
    FOP3S fnmadd.s, rup, 0x3f800000, 0x33800000, 0x3f800000, 0xbf800000, FF_NX, 3168
    FOP3S fnmadd.s, rmm, 0x3f800000, 0x33800000, 0x3f800000, 0xbf800001, FF_NX, 3170
    // fnmadd(1, 0, 0)
    FOP3S fnmadd.s, rne, 0x3f800000, 0x00000000, 0x00000000, 0x80000000, 0, 3172
    FOP3S fnmadd.s, rdn, 0x3f800000, 0x00000000, 0x00000000, 0x80000000, 0, 3174
    // fnmadd(inf, 0, qnan)
    FOP3S fnmadd.s, rne, 0x7f800000, 0x00000000, 0x7fc00000, 0x7fc00000, FF_NV, 3176
    // fnmadd(inf, 0, 1)
    FOP3S fnmadd.s, rne, 0x7f800000, 0x00000000, 0x3f800000, 0x7fc00000, FF_NV, 3178
    // fnmadd(inf, 1, -inf)
    FOP3S fnmadd.s, rne, 0x7f800000, 0x3f800000, 0xff800000, 0x7fc00000, FF_NV, 3180
    // fnmadd(qnan, 1, 1)
    FOP3S fnmadd.s, rne, 0x7fc00000, 0x3f800000, 0x3f800000, 0x7fc00000, 0, 3182
    // fnmadd(1, 1, snan(0x7f800001))
    FOP3S fnmadd.s, rne, 0x3f800000, 0x3f800000, 0x7f800001, 0x7fc00000, FF_NV, 3184
    // fnmadd(3.40282347e+38, 2, -3.40282347e+38)
    FOP3S fnmadd.s, rne, 0x7f7fffff, 0x40000000, 0xff7fffff, 0xff7fffff, 0, 3186
    // fnmadd(1.40129846e-45, 0.5, 0)
    FOP3S fnmadd.s, rne, 0x00000001, 0x3f000000, 0x00000000, 0x80000000, FF_UF|FF_NX, 3188
    FOP3S fnmadd.s, rtz, 0x00000001, 0x3f000000, 0x00000000, 0x80000000, FF_UF|FF_NX, 3190
    FOP3S fnmadd.s, rdn, 0x00000001, 0x3f000000, 0x00000000, 0x80000001, FF_UF|FF_NX, 3192
    FOP3S fnmadd.s, rup, 0x00000001, 0x3f000000, 0x00000000, 0x80000000, FF_UF|FF_NX, 3194
    FOP3S fnmadd.s, rmm, 0x00000001, 0x3f000000, 0x00000000, 0x80000001, FF_UF|FF_NX, 3196
    // fnmadd(3.40282347e+38, 3.40282347e+38, inf)
    FOP3S fnmadd.s, rne, 0x7f7fffff, 0x7f7fffff, 0x7f800000, 0xff800000, 0, 3198
    // ---- part E: min/max, sign injection, compares, classes (generated) ----
    // ---- fmin / fmax: NaN operands, signed zeros ----
    FOPNRS fmin.s, 0x3f800000, 0x40000000, 0x3f800000, 0, 4000   // min(1, 2)
    FOPNRS fmax.s, 0x3f800000, 0x40000000, 0x40000000, 0, 4002   // max(1, 2)
    FOPNRS fmin.s, 0x40000000, 0x3f800000, 0x3f800000, 0, 4004   // min(2, 1)
    FOPNRS fmax.s, 0x40000000, 0x3f800000, 0x40000000, 0, 4006   // max(2, 1)
    FOPNRS fmin.s, 0xbf800000, 0x3f800000, 0xbf800000, 0, 4008   // min(-1, 1)
    FOPNRS fmax.s, 0xbf800000, 0x3f800000, 0x3f800000, 0, 4010   // max(-1, 1)
    FOPNRS fmin.s, 0x7fc00000, 0x3f800000, 0x3f800000, 0, 4012   // min(qnan, 1)
    FOPNRS fmax.s, 0x7fc00000, 0x3f800000, 0x3f800000, 0, 4014   // max(qnan, 1)
    FOPNRS fmin.s, 0x3f800000, 0x7fc00000, 0x3f800000, 0, 4016   // min(1, qnan)
    FOPNRS fmax.s, 0x3f800000, 0x7fc00000, 0x3f800000, 0, 4018   // max(1, qnan)
    FOPNRS fmin.s, 0x7f800001, 0x3f800000, 0x3f800000, FF_NV, 4020   // min(snan(0x7f800001), 1)
    FOPNRS fmax.s, 0x7f800001, 0x3f800000, 0x3f800000, FF_NV, 4022   // max(snan(0x7f800001), 1)
    FOPNRS fmin.s, 0x3f800000, 0x7f800001, 0x3f800000, FF_NV, 4024   // min(1, snan(0x7f800001))
    FOPNRS fmax.s, 0x3f800000, 0x7f800001, 0x3f800000, FF_NV, 4026   // max(1, snan(0x7f800001))
    FOPNRS fmin.s, 0x7fc00000, 0x7fc00000, 0x7fc00000, 0, 4028   // min(qnan, qnan)
    FOPNRS fmax.s, 0x7fc00000, 0x7fc00000, 0x7fc00000, 0, 4030   // max(qnan, qnan)
    FOPNRS fmin.s, 0x7f800001, 0x7fc00000, 0x7fc00000, FF_NV, 4032   // min(snan(0x7f800001), qnan)
    FOPNRS fmax.s, 0x7f800001, 0x7fc00000, 0x7fc00000, FF_NV, 4034   // max(snan(0x7f800001), qnan)
    FOPNRS fmin.s, 0x80000000, 0x00000000, 0x80000000, 0, 4036   // min(-0, 0)
    FOPNRS fmax.s, 0x80000000, 0x00000000, 0x00000000, 0, 4038   // max(-0, 0)
    FOPNRS fmin.s, 0x00000000, 0x80000000, 0x80000000, 0, 4040   // min(0, -0)
    FOPNRS fmax.s, 0x00000000, 0x80000000, 0x00000000, 0, 4042   // max(0, -0)
    FOPNRS fmin.s, 0xff800000, 0x7f800000, 0xff800000, 0, 4044   // min(-inf, inf)
    FOPNRS fmax.s, 0xff800000, 0x7f800000, 0x7f800000, 0, 4046   // max(-inf, inf)
    FOPNRS fmin.s, 0x7fc12345, 0x7fc12345, 0x7fc00000, 0, 4048   // min(qnan(0x7fc12345), qnan(0x7fc12345))
    FOPNRS fmax.s, 0x7fc12345, 0x7fc12345, 0x7fc00000, 0, 4050   // max(qnan(0x7fc12345), qnan(0x7fc12345))
    FOPNRS fmin.s, 0x80000001, 0x00000001, 0x80000001, 0, 4052   // min(-1.40129846e-45, 1.40129846e-45)
    FOPNRS fmax.s, 0x80000001, 0x00000001, 0x00000001, 0, 4054   // max(-1.40129846e-45, 1.40129846e-45)
    FOPNRS fmin.s, 0xffc00000, 0xbf800000, 0xbf800000, 0, 4056   // min(-qnan(0xffc00000), -1)
    FOPNRS fmax.s, 0xffc00000, 0xbf800000, 0xbf800000, 0, 4058   // max(-qnan(0xffc00000), -1)
    // ---- sign injection: no canonicalization, no flags ----
    FOPNRS fsgnj.s, 0x3f800000, 0xbf800000, 0xbf800000, 0, 4060   // fsgnj(1, -1)
    FOPNRS fsgnjn.s, 0x3f800000, 0xbf800000, 0x3f800000, 0, 4062   // fsgnjn(1, -1)
    FOPNRS fsgnjx.s, 0x3f800000, 0xbf800000, 0xbf800000, 0, 4064   // fsgnjx(1, -1)
    FOPNRS fsgnj.s, 0xbf800000, 0x3f800000, 0x3f800000, 0, 4066   // fsgnj(-1, 1)
    FOPNRS fsgnjn.s, 0xbf800000, 0x3f800000, 0xbf800000, 0, 4068   // fsgnjn(-1, 1)
    FOPNRS fsgnjx.s, 0xbf800000, 0x3f800000, 0xbf800000, 0, 4070   // fsgnjx(-1, 1)
    FOPNRS fsgnj.s, 0xbf800000, 0xbf800000, 0xbf800000, 0, 4072   // fsgnj(-1, -1)
    FOPNRS fsgnjn.s, 0xbf800000, 0xbf800000, 0x3f800000, 0, 4074   // fsgnjn(-1, -1)
    FOPNRS fsgnjx.s, 0xbf800000, 0xbf800000, 0x3f800000, 0, 4076   // fsgnjx(-1, -1)
    FOPNRS fsgnj.s, 0x3f800000, 0x3f800000, 0x3f800000, 0, 4078   // fsgnj(1, 1)
    FOPNRS fsgnjn.s, 0x3f800000, 0x3f800000, 0xbf800000, 0, 4080   // fsgnjn(1, 1)
    FOPNRS fsgnjx.s, 0x3f800000, 0x3f800000, 0x3f800000, 0, 4082   // fsgnjx(1, 1)
    FOPNRS fsgnj.s, 0x7f800001, 0xbf800000, 0xff800001, 0, 4084   // fsgnj(snan(0x7f800001), -1)
    FOPNRS fsgnjn.s, 0x7f800001, 0xbf800000, 0x7f800001, 0, 4086   // fsgnjn(snan(0x7f800001), -1)
    FOPNRS fsgnjx.s, 0x7f800001, 0xbf800000, 0xff800001, 0, 4088   // fsgnjx(snan(0x7f800001), -1)
    FOPNRS fsgnj.s, 0x7fc12345, 0x80000000, 0xffc12345, 0, 4090   // fsgnj(qnan(0x7fc12345), -0)
    FOPNRS fsgnjn.s, 0x7fc12345, 0x80000000, 0x7fc12345, 0, 4092   // fsgnjn(qnan(0x7fc12345), -0)
    FOPNRS fsgnjx.s, 0x7fc12345, 0x80000000, 0xffc12345, 0, 4094   // fsgnjx(qnan(0x7fc12345), -0)
    FOPNRS fsgnj.s, 0xff800000, 0x00000000, 0x7f800000, 0, 4096   // fsgnj(-inf, 0)
    FOPNRS fsgnjn.s, 0xff800000, 0x00000000, 0xff800000, 0, 4098   // fsgnjn(-inf, 0)
    FOPNRS fsgnjx.s, 0xff800000, 0x00000000, 0xff800000, 0, 4100   // fsgnjx(-inf, 0)
    FOPNRS fsgnj.s, 0x80000000, 0x80000000, 0x80000000, 0, 4102   // fsgnj(-0, -0)
    FOPNRS fsgnjn.s, 0x80000000, 0x80000000, 0x00000000, 0, 4104   // fsgnjn(-0, -0)
    FOPNRS fsgnjx.s, 0x80000000, 0x80000000, 0x00000000, 0, 4106   // fsgnjx(-0, -0)
    // ---- compares: feq is quiet, flt/fle signal on any NaN ----
    FCMPS feq.s, 0x3f800000, 0x3f800000, 1, 0, 4108   // 1 eq 1
    FCMPS flt.s, 0x3f800000, 0x3f800000, 0, 0, 4110   // 1 lt 1
    FCMPS fle.s, 0x3f800000, 0x3f800000, 1, 0, 4112   // 1 le 1
    FCMPS feq.s, 0x3f800000, 0x40000000, 0, 0, 4114   // 1 eq 2
    FCMPS flt.s, 0x3f800000, 0x40000000, 1, 0, 4116   // 1 lt 2
    FCMPS fle.s, 0x3f800000, 0x40000000, 1, 0, 4118   // 1 le 2
    FCMPS feq.s, 0x40000000, 0x3f800000, 0, 0, 4120   // 2 eq 1
    FCMPS flt.s, 0x40000000, 0x3f800000, 0, 0, 4122   // 2 lt 1
    FCMPS fle.s, 0x40000000, 0x3f800000, 0, 0, 4124   // 2 le 1
    FCMPS feq.s, 0x80000000, 0x00000000, 1, 0, 4126   // -0 eq 0
    FCMPS flt.s, 0x80000000, 0x00000000, 0, 0, 4128   // -0 lt 0
    FCMPS fle.s, 0x80000000, 0x00000000, 1, 0, 4130   // -0 le 0
    FCMPS feq.s, 0x00000000, 0x80000000, 1, 0, 4132   // 0 eq -0
    FCMPS flt.s, 0x00000000, 0x80000000, 0, 0, 4134   // 0 lt -0
    FCMPS fle.s, 0x00000000, 0x80000000, 1, 0, 4136   // 0 le -0
    FCMPS feq.s, 0x7fc00000, 0x3f800000, 0, 0, 4138   // qnan eq 1
    FCMPS flt.s, 0x7fc00000, 0x3f800000, 0, FF_NV, 4140   // qnan lt 1
    FCMPS fle.s, 0x7fc00000, 0x3f800000, 0, FF_NV, 4142   // qnan le 1
    FCMPS feq.s, 0x3f800000, 0x7fc00000, 0, 0, 4144   // 1 eq qnan
    FCMPS flt.s, 0x3f800000, 0x7fc00000, 0, FF_NV, 4146   // 1 lt qnan
    FCMPS fle.s, 0x3f800000, 0x7fc00000, 0, FF_NV, 4148   // 1 le qnan
    FCMPS feq.s, 0x7f800001, 0x3f800000, 0, FF_NV, 4150   // snan(0x7f800001) eq 1
    FCMPS flt.s, 0x7f800001, 0x3f800000, 0, FF_NV, 4152   // snan(0x7f800001) lt 1
    FCMPS fle.s, 0x7f800001, 0x3f800000, 0, FF_NV, 4154   // snan(0x7f800001) le 1
    FCMPS feq.s, 0x3f800000, 0x7f800001, 0, FF_NV, 4156   // 1 eq snan(0x7f800001)
    FCMPS flt.s, 0x3f800000, 0x7f800001, 0, FF_NV, 4158   // 1 lt snan(0x7f800001)
    FCMPS fle.s, 0x3f800000, 0x7f800001, 0, FF_NV, 4160   // 1 le snan(0x7f800001)
    FCMPS feq.s, 0x7fc00000, 0x7fc00000, 0, 0, 4162   // qnan eq qnan
    FCMPS flt.s, 0x7fc00000, 0x7fc00000, 0, FF_NV, 4164   // qnan lt qnan
    FCMPS fle.s, 0x7fc00000, 0x7fc00000, 0, FF_NV, 4166   // qnan le qnan
    FCMPS feq.s, 0xff800000, 0x7f800000, 0, 0, 4168   // -inf eq inf
    FCMPS flt.s, 0xff800000, 0x7f800000, 1, 0, 4170   // -inf lt inf
    FCMPS fle.s, 0xff800000, 0x7f800000, 1, 0, 4172   // -inf le inf
    FCMPS feq.s, 0x7f800000, 0x7f800000, 1, 0, 4174   // inf eq inf
    FCMPS flt.s, 0x7f800000, 0x7f800000, 0, 0, 4176   // inf lt inf
    FCMPS fle.s, 0x7f800000, 0x7f800000, 1, 0, 4178   // inf le inf
    FCMPS feq.s, 0x80000001, 0x00000001, 0, 0, 4180   // -1.40129846e-45 eq 1.40129846e-45
    FCMPS flt.s, 0x80000001, 0x00000001, 1, 0, 4182   // -1.40129846e-45 lt 1.40129846e-45
    FCMPS fle.s, 0x80000001, 0x00000001, 1, 0, 4184   // -1.40129846e-45 le 1.40129846e-45
    FCMPS feq.s, 0xbf800000, 0xff7fffff, 0, 0, 4186   // -1 eq -3.40282347e+38
    FCMPS flt.s, 0xbf800000, 0xff7fffff, 0, 0, 4188   // -1 lt -3.40282347e+38
    FCMPS fle.s, 0xbf800000, 0xff7fffff, 0, 0, 4190   // -1 le -3.40282347e+38
    // ---- fclass ----
    FCLASSS 0xff800000, 0x1, 4192   // -inf
    FCLASSS 0xbf800000, 0x2, 4193   // -1
    FCLASSS 0xff7fffff, 0x2, 4194   // -3.40282347e+38
    FCLASSS 0x80000001, 0x4, 4195   // -1.40129846e-45
    FCLASSS 0x807fffff, 0x4, 4196   // -1.17549421e-38
    FCLASSS 0x80000000, 0x8, 4197   // -0
    FCLASSS 0x00000000, 0x10, 4198   // 0
    FCLASSS 0x00000001, 0x20, 4199   // 1.40129846e-45
    FCLASSS 0x007fffff, 0x20, 4200   // 1.17549421e-38
    FCLASSS 0x00800000, 0x40, 4201   // 1.17549435e-38
    FCLASSS 0x3f800000, 0x40, 4202   // 1
    FCLASSS 0x7f7fffff, 0x40, 4203   // 3.40282347e+38
    FCLASSS 0x7f800000, 0x80, 4204   // inf
    FCLASSS 0x7f800001, 0x100, 4205   // snan(0x7f800001)
    FCLASSS 0x7fbfffff, 0x100, 4206   // snan(0x7fbfffff)
    FCLASSS 0x7fc00000, 0x200, 4207   // qnan
    FCLASSS 0x7fc12345, 0x200, 4208   // qnan(0x7fc12345)
    FCLASSS 0xffc00000, 0x200, 4209   // -qnan(0xffc00000)
    FCLASSS 0xff800001, 0x100, 4210   // -snan(0xff800001)
    // ---- part F: conversions (generated) ----
    // ---- float to integer, every rounding mode, saturation ----
    // 1.5 to integer
    FCVTIS fcvt.w.s, rne, 0x3fc00000, 0x2, FF_NX, 5000
    FCVTIS fcvt.w.s, rtz, 0x3fc00000, 0x1, FF_NX, 5002
    FCVTIS fcvt.w.s, rdn, 0x3fc00000, 0x1, FF_NX, 5004
    FCVTIS fcvt.w.s, rup, 0x3fc00000, 0x2, FF_NX, 5006
    FCVTIS fcvt.w.s, rmm, 0x3fc00000, 0x2, FF_NX, 5008
    FCVTIS fcvt.wu.s, rne, 0x3fc00000, 0x2, FF_NX, 5010
    FCVTIS fcvt.wu.s, rtz, 0x3fc00000, 0x1, FF_NX, 5012
    FCVTIS fcvt.wu.s, rdn, 0x3fc00000, 0x1, FF_NX, 5014
    FCVTIS fcvt.wu.s, rup, 0x3fc00000, 0x2, FF_NX, 5016
    FCVTIS fcvt.wu.s, rmm, 0x3fc00000, 0x2, FF_NX, 5018
    FCVTIS fcvt.l.s, rne, 0x3fc00000, 0x2, FF_NX, 5020
    FCVTIS fcvt.l.s, rtz, 0x3fc00000, 0x1, FF_NX, 5022
    FCVTIS fcvt.l.s, rdn, 0x3fc00000, 0x1, FF_NX, 5024
    FCVTIS fcvt.l.s, rup, 0x3fc00000, 0x2, FF_NX, 5026
    FCVTIS fcvt.l.s, rmm, 0x3fc00000, 0x2, FF_NX, 5028
    FCVTIS fcvt.lu.s, rne, 0x3fc00000, 0x2, FF_NX, 5030
    FCVTIS fcvt.lu.s, rtz, 0x3fc00000, 0x1, FF_NX, 5032
    FCVTIS fcvt.lu.s, rdn, 0x3fc00000, 0x1, FF_NX, 5034
    FCVTIS fcvt.lu.s, rup, 0x3fc00000, 0x2, FF_NX, 5036
    FCVTIS fcvt.lu.s, rmm, 0x3fc00000, 0x2, FF_NX, 5038
    // 2.5 to integer
    FCVTIS fcvt.w.s, rne, 0x40200000, 0x2, FF_NX, 5040
    FCVTIS fcvt.w.s, rtz, 0x40200000, 0x2, FF_NX, 5042
    FCVTIS fcvt.w.s, rdn, 0x40200000, 0x2, FF_NX, 5044
    FCVTIS fcvt.w.s, rup, 0x40200000, 0x3, FF_NX, 5046
    FCVTIS fcvt.w.s, rmm, 0x40200000, 0x3, FF_NX, 5048
    FCVTIS fcvt.wu.s, rne, 0x40200000, 0x2, FF_NX, 5050
    FCVTIS fcvt.wu.s, rtz, 0x40200000, 0x2, FF_NX, 5052
    FCVTIS fcvt.wu.s, rdn, 0x40200000, 0x2, FF_NX, 5054
    FCVTIS fcvt.wu.s, rup, 0x40200000, 0x3, FF_NX, 5056
    FCVTIS fcvt.wu.s, rmm, 0x40200000, 0x3, FF_NX, 5058
    FCVTIS fcvt.l.s, rne, 0x40200000, 0x2, FF_NX, 5060
    FCVTIS fcvt.l.s, rtz, 0x40200000, 0x2, FF_NX, 5062
    FCVTIS fcvt.l.s, rdn, 0x40200000, 0x2, FF_NX, 5064
    FCVTIS fcvt.l.s, rup, 0x40200000, 0x3, FF_NX, 5066
    FCVTIS fcvt.l.s, rmm, 0x40200000, 0x3, FF_NX, 5068
    FCVTIS fcvt.lu.s, rne, 0x40200000, 0x2, FF_NX, 5070
    FCVTIS fcvt.lu.s, rtz, 0x40200000, 0x2, FF_NX, 5072
    FCVTIS fcvt.lu.s, rdn, 0x40200000, 0x2, FF_NX, 5074
    FCVTIS fcvt.lu.s, rup, 0x40200000, 0x3, FF_NX, 5076
    FCVTIS fcvt.lu.s, rmm, 0x40200000, 0x3, FF_NX, 5078
    // -1.5 to integer
    FCVTIS fcvt.w.s, rne, 0xbfc00000, 0xfffffffffffffffe, FF_NX, 5080
    FCVTIS fcvt.w.s, rtz, 0xbfc00000, 0xffffffffffffffff, FF_NX, 5082
    FCVTIS fcvt.w.s, rdn, 0xbfc00000, 0xfffffffffffffffe, FF_NX, 5084
    FCVTIS fcvt.w.s, rup, 0xbfc00000, 0xffffffffffffffff, FF_NX, 5086
    FCVTIS fcvt.w.s, rmm, 0xbfc00000, 0xfffffffffffffffe, FF_NX, 5088
    FCVTIS fcvt.wu.s, rne, 0xbfc00000, 0x0, FF_NV, 5090
    FCVTIS fcvt.wu.s, rtz, 0xbfc00000, 0x0, FF_NV, 5092
    FCVTIS fcvt.wu.s, rdn, 0xbfc00000, 0x0, FF_NV, 5094
    FCVTIS fcvt.wu.s, rup, 0xbfc00000, 0x0, FF_NV, 5096
    FCVTIS fcvt.wu.s, rmm, 0xbfc00000, 0x0, FF_NV, 5098
    FCVTIS fcvt.l.s, rne, 0xbfc00000, 0xfffffffffffffffe, FF_NX, 5100
    FCVTIS fcvt.l.s, rtz, 0xbfc00000, 0xffffffffffffffff, FF_NX, 5102
    FCVTIS fcvt.l.s, rdn, 0xbfc00000, 0xfffffffffffffffe, FF_NX, 5104
    FCVTIS fcvt.l.s, rup, 0xbfc00000, 0xffffffffffffffff, FF_NX, 5106
    FCVTIS fcvt.l.s, rmm, 0xbfc00000, 0xfffffffffffffffe, FF_NX, 5108
    FCVTIS fcvt.lu.s, rne, 0xbfc00000, 0x0, FF_NV, 5110
    FCVTIS fcvt.lu.s, rtz, 0xbfc00000, 0x0, FF_NV, 5112
    FCVTIS fcvt.lu.s, rdn, 0xbfc00000, 0x0, FF_NV, 5114
    FCVTIS fcvt.lu.s, rup, 0xbfc00000, 0x0, FF_NV, 5116
    FCVTIS fcvt.lu.s, rmm, 0xbfc00000, 0x0, FF_NV, 5118
    // -2.5 to integer
    FCVTIS fcvt.w.s, rne, 0xc0200000, 0xfffffffffffffffe, FF_NX, 5120
    FCVTIS fcvt.w.s, rtz, 0xc0200000, 0xfffffffffffffffe, FF_NX, 5122
    FCVTIS fcvt.w.s, rdn, 0xc0200000, 0xfffffffffffffffd, FF_NX, 5124
    FCVTIS fcvt.w.s, rup, 0xc0200000, 0xfffffffffffffffe, FF_NX, 5126
    FCVTIS fcvt.w.s, rmm, 0xc0200000, 0xfffffffffffffffd, FF_NX, 5128
    FCVTIS fcvt.wu.s, rne, 0xc0200000, 0x0, FF_NV, 5130
    FCVTIS fcvt.wu.s, rtz, 0xc0200000, 0x0, FF_NV, 5132
    FCVTIS fcvt.wu.s, rdn, 0xc0200000, 0x0, FF_NV, 5134
    FCVTIS fcvt.wu.s, rup, 0xc0200000, 0x0, FF_NV, 5136
    FCVTIS fcvt.wu.s, rmm, 0xc0200000, 0x0, FF_NV, 5138
    FCVTIS fcvt.l.s, rne, 0xc0200000, 0xfffffffffffffffe, FF_NX, 5140
    FCVTIS fcvt.l.s, rtz, 0xc0200000, 0xfffffffffffffffe, FF_NX, 5142
    FCVTIS fcvt.l.s, rdn, 0xc0200000, 0xfffffffffffffffd, FF_NX, 5144
    FCVTIS fcvt.l.s, rup, 0xc0200000, 0xfffffffffffffffe, FF_NX, 5146
    FCVTIS fcvt.l.s, rmm, 0xc0200000, 0xfffffffffffffffd, FF_NX, 5148
    FCVTIS fcvt.lu.s, rne, 0xc0200000, 0x0, FF_NV, 5150
    FCVTIS fcvt.lu.s, rtz, 0xc0200000, 0x0, FF_NV, 5152
    FCVTIS fcvt.lu.s, rdn, 0xc0200000, 0x0, FF_NV, 5154
    FCVTIS fcvt.lu.s, rup, 0xc0200000, 0x0, FF_NV, 5156
    FCVTIS fcvt.lu.s, rmm, 0xc0200000, 0x0, FF_NV, 5158
    // -0.5 to integer
    FCVTIS fcvt.w.s, rne, 0xbf000000, 0x0, FF_NX, 5160
    FCVTIS fcvt.w.s, rtz, 0xbf000000, 0x0, FF_NX, 5162
    FCVTIS fcvt.w.s, rdn, 0xbf000000, 0xffffffffffffffff, FF_NX, 5164
    FCVTIS fcvt.w.s, rup, 0xbf000000, 0x0, FF_NX, 5166
    FCVTIS fcvt.w.s, rmm, 0xbf000000, 0xffffffffffffffff, FF_NX, 5168
    FCVTIS fcvt.wu.s, rne, 0xbf000000, 0x0, FF_NX, 5170
    FCVTIS fcvt.wu.s, rtz, 0xbf000000, 0x0, FF_NX, 5172
    FCVTIS fcvt.wu.s, rdn, 0xbf000000, 0x0, FF_NV, 5174
    FCVTIS fcvt.wu.s, rup, 0xbf000000, 0x0, FF_NX, 5176
    FCVTIS fcvt.wu.s, rmm, 0xbf000000, 0x0, FF_NV, 5178
    FCVTIS fcvt.l.s, rne, 0xbf000000, 0x0, FF_NX, 5180
    FCVTIS fcvt.l.s, rtz, 0xbf000000, 0x0, FF_NX, 5182
    FCVTIS fcvt.l.s, rdn, 0xbf000000, 0xffffffffffffffff, FF_NX, 5184
    FCVTIS fcvt.l.s, rup, 0xbf000000, 0x0, FF_NX, 5186
    FCVTIS fcvt.l.s, rmm, 0xbf000000, 0xffffffffffffffff, FF_NX, 5188
    FCVTIS fcvt.lu.s, rne, 0xbf000000, 0x0, FF_NX, 5190
    FCVTIS fcvt.lu.s, rtz, 0xbf000000, 0x0, FF_NX, 5192
    FCVTIS fcvt.lu.s, rdn, 0xbf000000, 0x0, FF_NV, 5194
    FCVTIS fcvt.lu.s, rup, 0xbf000000, 0x0, FF_NX, 5196
    FCVTIS fcvt.lu.s, rmm, 0xbf000000, 0x0, FF_NV, 5198
    // 0.5 to integer
    FCVTIS fcvt.w.s, rne, 0x3f000000, 0x0, FF_NX, 5200
    FCVTIS fcvt.w.s, rtz, 0x3f000000, 0x0, FF_NX, 5202
    FCVTIS fcvt.w.s, rdn, 0x3f000000, 0x0, FF_NX, 5204
    FCVTIS fcvt.w.s, rup, 0x3f000000, 0x1, FF_NX, 5206
    FCVTIS fcvt.w.s, rmm, 0x3f000000, 0x1, FF_NX, 5208
    FCVTIS fcvt.wu.s, rne, 0x3f000000, 0x0, FF_NX, 5210
    FCVTIS fcvt.wu.s, rtz, 0x3f000000, 0x0, FF_NX, 5212
    FCVTIS fcvt.wu.s, rdn, 0x3f000000, 0x0, FF_NX, 5214
    FCVTIS fcvt.wu.s, rup, 0x3f000000, 0x1, FF_NX, 5216
    FCVTIS fcvt.wu.s, rmm, 0x3f000000, 0x1, FF_NX, 5218
    FCVTIS fcvt.l.s, rne, 0x3f000000, 0x0, FF_NX, 5220
    FCVTIS fcvt.l.s, rtz, 0x3f000000, 0x0, FF_NX, 5222
    FCVTIS fcvt.l.s, rdn, 0x3f000000, 0x0, FF_NX, 5224
    FCVTIS fcvt.l.s, rup, 0x3f000000, 0x1, FF_NX, 5226
    FCVTIS fcvt.l.s, rmm, 0x3f000000, 0x1, FF_NX, 5228
    FCVTIS fcvt.lu.s, rne, 0x3f000000, 0x0, FF_NX, 5230
    FCVTIS fcvt.lu.s, rtz, 0x3f000000, 0x0, FF_NX, 5232
    FCVTIS fcvt.lu.s, rdn, 0x3f000000, 0x0, FF_NX, 5234
    FCVTIS fcvt.lu.s, rup, 0x3f000000, 0x1, FF_NX, 5236
    FCVTIS fcvt.lu.s, rmm, 0x3f000000, 0x1, FF_NX, 5238
    // 3e+09 to integer
    FCVTIS fcvt.w.s, rne, 0x4f32d05e, 0x7fffffff, FF_NV, 5240
    FCVTIS fcvt.w.s, rtz, 0x4f32d05e, 0x7fffffff, FF_NV, 5242
    FCVTIS fcvt.w.s, rdn, 0x4f32d05e, 0x7fffffff, FF_NV, 5244
    FCVTIS fcvt.w.s, rup, 0x4f32d05e, 0x7fffffff, FF_NV, 5246
    FCVTIS fcvt.w.s, rmm, 0x4f32d05e, 0x7fffffff, FF_NV, 5248
    FCVTIS fcvt.wu.s, rne, 0x4f32d05e, 0xffffffffb2d05e00, 0, 5250
    FCVTIS fcvt.wu.s, rtz, 0x4f32d05e, 0xffffffffb2d05e00, 0, 5252
    FCVTIS fcvt.wu.s, rdn, 0x4f32d05e, 0xffffffffb2d05e00, 0, 5254
    FCVTIS fcvt.wu.s, rup, 0x4f32d05e, 0xffffffffb2d05e00, 0, 5256
    FCVTIS fcvt.wu.s, rmm, 0x4f32d05e, 0xffffffffb2d05e00, 0, 5258
    FCVTIS fcvt.l.s, rne, 0x4f32d05e, 0xb2d05e00, 0, 5260
    FCVTIS fcvt.l.s, rtz, 0x4f32d05e, 0xb2d05e00, 0, 5262
    FCVTIS fcvt.l.s, rdn, 0x4f32d05e, 0xb2d05e00, 0, 5264
    FCVTIS fcvt.l.s, rup, 0x4f32d05e, 0xb2d05e00, 0, 5266
    FCVTIS fcvt.l.s, rmm, 0x4f32d05e, 0xb2d05e00, 0, 5268
    FCVTIS fcvt.lu.s, rne, 0x4f32d05e, 0xb2d05e00, 0, 5270
    FCVTIS fcvt.lu.s, rtz, 0x4f32d05e, 0xb2d05e00, 0, 5272
    FCVTIS fcvt.lu.s, rdn, 0x4f32d05e, 0xb2d05e00, 0, 5274
    FCVTIS fcvt.lu.s, rup, 0x4f32d05e, 0xb2d05e00, 0, 5276
    FCVTIS fcvt.lu.s, rmm, 0x4f32d05e, 0xb2d05e00, 0, 5278
    // -3e+09 to integer
    FCVTIS fcvt.w.s, rne, 0xcf32d05e, 0xffffffff80000000, FF_NV, 5280
    FCVTIS fcvt.w.s, rtz, 0xcf32d05e, 0xffffffff80000000, FF_NV, 5282
    FCVTIS fcvt.w.s, rdn, 0xcf32d05e, 0xffffffff80000000, FF_NV, 5284
    FCVTIS fcvt.w.s, rup, 0xcf32d05e, 0xffffffff80000000, FF_NV, 5286
    FCVTIS fcvt.w.s, rmm, 0xcf32d05e, 0xffffffff80000000, FF_NV, 5288
    FCVTIS fcvt.wu.s, rne, 0xcf32d05e, 0x0, FF_NV, 5290
    FCVTIS fcvt.wu.s, rtz, 0xcf32d05e, 0x0, FF_NV, 5292
    FCVTIS fcvt.wu.s, rdn, 0xcf32d05e, 0x0, FF_NV, 5294
    FCVTIS fcvt.wu.s, rup, 0xcf32d05e, 0x0, FF_NV, 5296
    FCVTIS fcvt.wu.s, rmm, 0xcf32d05e, 0x0, FF_NV, 5298
    FCVTIS fcvt.l.s, rne, 0xcf32d05e, 0xffffffff4d2fa200, 0, 5300
    FCVTIS fcvt.l.s, rtz, 0xcf32d05e, 0xffffffff4d2fa200, 0, 5302
    FCVTIS fcvt.l.s, rdn, 0xcf32d05e, 0xffffffff4d2fa200, 0, 5304
    FCVTIS fcvt.l.s, rup, 0xcf32d05e, 0xffffffff4d2fa200, 0, 5306
    FCVTIS fcvt.l.s, rmm, 0xcf32d05e, 0xffffffff4d2fa200, 0, 5308
    FCVTIS fcvt.lu.s, rne, 0xcf32d05e, 0x0, FF_NV, 5310
    FCVTIS fcvt.lu.s, rtz, 0xcf32d05e, 0x0, FF_NV, 5312
    FCVTIS fcvt.lu.s, rdn, 0xcf32d05e, 0x0, FF_NV, 5314
    FCVTIS fcvt.lu.s, rup, 0xcf32d05e, 0x0, FF_NV, 5316
    FCVTIS fcvt.lu.s, rmm, 0xcf32d05e, 0x0, FF_NV, 5318
    // 2.14748365e+09 to integer
    FCVTIS fcvt.w.s, rne, 0x4f000000, 0x7fffffff, FF_NV, 5320
    FCVTIS fcvt.w.s, rtz, 0x4f000000, 0x7fffffff, FF_NV, 5322
    FCVTIS fcvt.w.s, rdn, 0x4f000000, 0x7fffffff, FF_NV, 5324
    FCVTIS fcvt.w.s, rup, 0x4f000000, 0x7fffffff, FF_NV, 5326
    FCVTIS fcvt.w.s, rmm, 0x4f000000, 0x7fffffff, FF_NV, 5328
    FCVTIS fcvt.wu.s, rne, 0x4f000000, 0xffffffff80000000, 0, 5330
    FCVTIS fcvt.wu.s, rtz, 0x4f000000, 0xffffffff80000000, 0, 5332
    FCVTIS fcvt.wu.s, rdn, 0x4f000000, 0xffffffff80000000, 0, 5334
    FCVTIS fcvt.wu.s, rup, 0x4f000000, 0xffffffff80000000, 0, 5336
    FCVTIS fcvt.wu.s, rmm, 0x4f000000, 0xffffffff80000000, 0, 5338
    FCVTIS fcvt.l.s, rne, 0x4f000000, 0x80000000, 0, 5340
    FCVTIS fcvt.l.s, rtz, 0x4f000000, 0x80000000, 0, 5342
    FCVTIS fcvt.l.s, rdn, 0x4f000000, 0x80000000, 0, 5344
    FCVTIS fcvt.l.s, rup, 0x4f000000, 0x80000000, 0, 5346
    FCVTIS fcvt.l.s, rmm, 0x4f000000, 0x80000000, 0, 5348
    FCVTIS fcvt.lu.s, rne, 0x4f000000, 0x80000000, 0, 5350
    FCVTIS fcvt.lu.s, rtz, 0x4f000000, 0x80000000, 0, 5352
    FCVTIS fcvt.lu.s, rdn, 0x4f000000, 0x80000000, 0, 5354
    FCVTIS fcvt.lu.s, rup, 0x4f000000, 0x80000000, 0, 5356
    FCVTIS fcvt.lu.s, rmm, 0x4f000000, 0x80000000, 0, 5358
    // -2.14748365e+09 to integer
    FCVTIS fcvt.w.s, rne, 0xcf000000, 0xffffffff80000000, 0, 5360
    FCVTIS fcvt.w.s, rtz, 0xcf000000, 0xffffffff80000000, 0, 5362
    FCVTIS fcvt.w.s, rdn, 0xcf000000, 0xffffffff80000000, 0, 5364
    FCVTIS fcvt.w.s, rup, 0xcf000000, 0xffffffff80000000, 0, 5366
    FCVTIS fcvt.w.s, rmm, 0xcf000000, 0xffffffff80000000, 0, 5368
    FCVTIS fcvt.wu.s, rne, 0xcf000000, 0x0, FF_NV, 5370
    FCVTIS fcvt.wu.s, rtz, 0xcf000000, 0x0, FF_NV, 5372
    FCVTIS fcvt.wu.s, rdn, 0xcf000000, 0x0, FF_NV, 5374
    FCVTIS fcvt.wu.s, rup, 0xcf000000, 0x0, FF_NV, 5376
    FCVTIS fcvt.wu.s, rmm, 0xcf000000, 0x0, FF_NV, 5378
    FCVTIS fcvt.l.s, rne, 0xcf000000, 0xffffffff80000000, 0, 5380
    FCVTIS fcvt.l.s, rtz, 0xcf000000, 0xffffffff80000000, 0, 5382
    FCVTIS fcvt.l.s, rdn, 0xcf000000, 0xffffffff80000000, 0, 5384
    FCVTIS fcvt.l.s, rup, 0xcf000000, 0xffffffff80000000, 0, 5386
    FCVTIS fcvt.l.s, rmm, 0xcf000000, 0xffffffff80000000, 0, 5388
    FCVTIS fcvt.lu.s, rne, 0xcf000000, 0x0, FF_NV, 5390
    FCVTIS fcvt.lu.s, rtz, 0xcf000000, 0x0, FF_NV, 5392
    FCVTIS fcvt.lu.s, rdn, 0xcf000000, 0x0, FF_NV, 5394
    FCVTIS fcvt.lu.s, rup, 0xcf000000, 0x0, FF_NV, 5396
    FCVTIS fcvt.lu.s, rmm, 0xcf000000, 0x0, FF_NV, 5398
    // 4e+09 to integer
    FCVTIS fcvt.w.s, rne, 0x4f6e6b28, 0x7fffffff, FF_NV, 5400
    FCVTIS fcvt.w.s, rtz, 0x4f6e6b28, 0x7fffffff, FF_NV, 5402
    FCVTIS fcvt.w.s, rdn, 0x4f6e6b28, 0x7fffffff, FF_NV, 5404
    FCVTIS fcvt.w.s, rup, 0x4f6e6b28, 0x7fffffff, FF_NV, 5406
    FCVTIS fcvt.w.s, rmm, 0x4f6e6b28, 0x7fffffff, FF_NV, 5408
    FCVTIS fcvt.wu.s, rne, 0x4f6e6b28, 0xffffffffee6b2800, 0, 5410
    FCVTIS fcvt.wu.s, rtz, 0x4f6e6b28, 0xffffffffee6b2800, 0, 5412
    FCVTIS fcvt.wu.s, rdn, 0x4f6e6b28, 0xffffffffee6b2800, 0, 5414
    FCVTIS fcvt.wu.s, rup, 0x4f6e6b28, 0xffffffffee6b2800, 0, 5416
    FCVTIS fcvt.wu.s, rmm, 0x4f6e6b28, 0xffffffffee6b2800, 0, 5418
    FCVTIS fcvt.l.s, rne, 0x4f6e6b28, 0xee6b2800, 0, 5420
    FCVTIS fcvt.l.s, rtz, 0x4f6e6b28, 0xee6b2800, 0, 5422
    FCVTIS fcvt.l.s, rdn, 0x4f6e6b28, 0xee6b2800, 0, 5424
    FCVTIS fcvt.l.s, rup, 0x4f6e6b28, 0xee6b2800, 0, 5426
    FCVTIS fcvt.l.s, rmm, 0x4f6e6b28, 0xee6b2800, 0, 5428
    FCVTIS fcvt.lu.s, rne, 0x4f6e6b28, 0xee6b2800, 0, 5430
    FCVTIS fcvt.lu.s, rtz, 0x4f6e6b28, 0xee6b2800, 0, 5432
    FCVTIS fcvt.lu.s, rdn, 0x4f6e6b28, 0xee6b2800, 0, 5434
    FCVTIS fcvt.lu.s, rup, 0x4f6e6b28, 0xee6b2800, 0, 5436
    FCVTIS fcvt.lu.s, rmm, 0x4f6e6b28, 0xee6b2800, 0, 5438
    // 9.22337204e+18 to integer
    FCVTIS fcvt.w.s, rne, 0x5f000000, 0x7fffffff, FF_NV, 5440
    FCVTIS fcvt.w.s, rtz, 0x5f000000, 0x7fffffff, FF_NV, 5442
    FCVTIS fcvt.w.s, rdn, 0x5f000000, 0x7fffffff, FF_NV, 5444
    FCVTIS fcvt.w.s, rup, 0x5f000000, 0x7fffffff, FF_NV, 5446
    FCVTIS fcvt.w.s, rmm, 0x5f000000, 0x7fffffff, FF_NV, 5448
    FCVTIS fcvt.wu.s, rne, 0x5f000000, 0xffffffffffffffff, FF_NV, 5450
    FCVTIS fcvt.wu.s, rtz, 0x5f000000, 0xffffffffffffffff, FF_NV, 5452
    FCVTIS fcvt.wu.s, rdn, 0x5f000000, 0xffffffffffffffff, FF_NV, 5454
    FCVTIS fcvt.wu.s, rup, 0x5f000000, 0xffffffffffffffff, FF_NV, 5456
    FCVTIS fcvt.wu.s, rmm, 0x5f000000, 0xffffffffffffffff, FF_NV, 5458
    FCVTIS fcvt.l.s, rne, 0x5f000000, 0x7fffffffffffffff, FF_NV, 5460
    FCVTIS fcvt.l.s, rtz, 0x5f000000, 0x7fffffffffffffff, FF_NV, 5462
    FCVTIS fcvt.l.s, rdn, 0x5f000000, 0x7fffffffffffffff, FF_NV, 5464
    FCVTIS fcvt.l.s, rup, 0x5f000000, 0x7fffffffffffffff, FF_NV, 5466
    FCVTIS fcvt.l.s, rmm, 0x5f000000, 0x7fffffffffffffff, FF_NV, 5468
    FCVTIS fcvt.lu.s, rne, 0x5f000000, 0x8000000000000000, 0, 5470
    FCVTIS fcvt.lu.s, rtz, 0x5f000000, 0x8000000000000000, 0, 5472
    FCVTIS fcvt.lu.s, rdn, 0x5f000000, 0x8000000000000000, 0, 5474
    FCVTIS fcvt.lu.s, rup, 0x5f000000, 0x8000000000000000, 0, 5476
    FCVTIS fcvt.lu.s, rmm, 0x5f000000, 0x8000000000000000, 0, 5478
    // -9.22337204e+18 to integer
    FCVTIS fcvt.w.s, rne, 0xdf000000, 0xffffffff80000000, FF_NV, 5480
    FCVTIS fcvt.w.s, rtz, 0xdf000000, 0xffffffff80000000, FF_NV, 5482
    FCVTIS fcvt.w.s, rdn, 0xdf000000, 0xffffffff80000000, FF_NV, 5484
    FCVTIS fcvt.w.s, rup, 0xdf000000, 0xffffffff80000000, FF_NV, 5486
    FCVTIS fcvt.w.s, rmm, 0xdf000000, 0xffffffff80000000, FF_NV, 5488
    FCVTIS fcvt.wu.s, rne, 0xdf000000, 0x0, FF_NV, 5490
    FCVTIS fcvt.wu.s, rtz, 0xdf000000, 0x0, FF_NV, 5492
    FCVTIS fcvt.wu.s, rdn, 0xdf000000, 0x0, FF_NV, 5494
    FCVTIS fcvt.wu.s, rup, 0xdf000000, 0x0, FF_NV, 5496
    FCVTIS fcvt.wu.s, rmm, 0xdf000000, 0x0, FF_NV, 5498
    FCVTIS fcvt.l.s, rne, 0xdf000000, 0x8000000000000000, 0, 5500
    FCVTIS fcvt.l.s, rtz, 0xdf000000, 0x8000000000000000, 0, 5502
    FCVTIS fcvt.l.s, rdn, 0xdf000000, 0x8000000000000000, 0, 5504
    FCVTIS fcvt.l.s, rup, 0xdf000000, 0x8000000000000000, 0, 5506
    FCVTIS fcvt.l.s, rmm, 0xdf000000, 0x8000000000000000, 0, 5508
    FCVTIS fcvt.lu.s, rne, 0xdf000000, 0x0, FF_NV, 5510
    FCVTIS fcvt.lu.s, rtz, 0xdf000000, 0x0, FF_NV, 5512
    FCVTIS fcvt.lu.s, rdn, 0xdf000000, 0x0, FF_NV, 5514
    FCVTIS fcvt.lu.s, rup, 0xdf000000, 0x0, FF_NV, 5516
    FCVTIS fcvt.lu.s, rmm, 0xdf000000, 0x0, FF_NV, 5518
    // 1.84467441e+19 to integer
    FCVTIS fcvt.w.s, rne, 0x5f800000, 0x7fffffff, FF_NV, 5520
    FCVTIS fcvt.w.s, rtz, 0x5f800000, 0x7fffffff, FF_NV, 5522
    FCVTIS fcvt.w.s, rdn, 0x5f800000, 0x7fffffff, FF_NV, 5524
    FCVTIS fcvt.w.s, rup, 0x5f800000, 0x7fffffff, FF_NV, 5526
    FCVTIS fcvt.w.s, rmm, 0x5f800000, 0x7fffffff, FF_NV, 5528
    FCVTIS fcvt.wu.s, rne, 0x5f800000, 0xffffffffffffffff, FF_NV, 5530
    FCVTIS fcvt.wu.s, rtz, 0x5f800000, 0xffffffffffffffff, FF_NV, 5532
    FCVTIS fcvt.wu.s, rdn, 0x5f800000, 0xffffffffffffffff, FF_NV, 5534
    FCVTIS fcvt.wu.s, rup, 0x5f800000, 0xffffffffffffffff, FF_NV, 5536
    FCVTIS fcvt.wu.s, rmm, 0x5f800000, 0xffffffffffffffff, FF_NV, 5538
    FCVTIS fcvt.l.s, rne, 0x5f800000, 0x7fffffffffffffff, FF_NV, 5540
    FCVTIS fcvt.l.s, rtz, 0x5f800000, 0x7fffffffffffffff, FF_NV, 5542
    FCVTIS fcvt.l.s, rdn, 0x5f800000, 0x7fffffffffffffff, FF_NV, 5544
    FCVTIS fcvt.l.s, rup, 0x5f800000, 0x7fffffffffffffff, FF_NV, 5546
    FCVTIS fcvt.l.s, rmm, 0x5f800000, 0x7fffffffffffffff, FF_NV, 5548
    FCVTIS fcvt.lu.s, rne, 0x5f800000, 0xffffffffffffffff, FF_NV, 5550
    FCVTIS fcvt.lu.s, rtz, 0x5f800000, 0xffffffffffffffff, FF_NV, 5552
    FCVTIS fcvt.lu.s, rdn, 0x5f800000, 0xffffffffffffffff, FF_NV, 5554
    FCVTIS fcvt.lu.s, rup, 0x5f800000, 0xffffffffffffffff, FF_NV, 5556
    FCVTIS fcvt.lu.s, rmm, 0x5f800000, 0xffffffffffffffff, FF_NV, 5558
    // 9.22337149e+18 to integer
    FCVTIS fcvt.w.s, rne, 0x5effffff, 0x7fffffff, FF_NV, 5560
    FCVTIS fcvt.w.s, rtz, 0x5effffff, 0x7fffffff, FF_NV, 5562
    FCVTIS fcvt.w.s, rdn, 0x5effffff, 0x7fffffff, FF_NV, 5564
    FCVTIS fcvt.w.s, rup, 0x5effffff, 0x7fffffff, FF_NV, 5566
    FCVTIS fcvt.w.s, rmm, 0x5effffff, 0x7fffffff, FF_NV, 5568
    FCVTIS fcvt.wu.s, rne, 0x5effffff, 0xffffffffffffffff, FF_NV, 5570
    FCVTIS fcvt.wu.s, rtz, 0x5effffff, 0xffffffffffffffff, FF_NV, 5572
    FCVTIS fcvt.wu.s, rdn, 0x5effffff, 0xffffffffffffffff, FF_NV, 5574
    FCVTIS fcvt.wu.s, rup, 0x5effffff, 0xffffffffffffffff, FF_NV, 5576
    FCVTIS fcvt.wu.s, rmm, 0x5effffff, 0xffffffffffffffff, FF_NV, 5578
    FCVTIS fcvt.l.s, rne, 0x5effffff, 0x7fffff8000000000, 0, 5580
    FCVTIS fcvt.l.s, rtz, 0x5effffff, 0x7fffff8000000000, 0, 5582
    FCVTIS fcvt.l.s, rdn, 0x5effffff, 0x7fffff8000000000, 0, 5584
    FCVTIS fcvt.l.s, rup, 0x5effffff, 0x7fffff8000000000, 0, 5586
    FCVTIS fcvt.l.s, rmm, 0x5effffff, 0x7fffff8000000000, 0, 5588
    FCVTIS fcvt.lu.s, rne, 0x5effffff, 0x7fffff8000000000, 0, 5590
    FCVTIS fcvt.lu.s, rtz, 0x5effffff, 0x7fffff8000000000, 0, 5592
    FCVTIS fcvt.lu.s, rdn, 0x5effffff, 0x7fffff8000000000, 0, 5594
    FCVTIS fcvt.lu.s, rup, 0x5effffff, 0x7fffff8000000000, 0, 5596
    FCVTIS fcvt.lu.s, rmm, 0x5effffff, 0x7fffff8000000000, 0, 5598
    // inf to integer
    FCVTIS fcvt.w.s, rne, 0x7f800000, 0x7fffffff, FF_NV, 5600
    FCVTIS fcvt.w.s, rtz, 0x7f800000, 0x7fffffff, FF_NV, 5602
    FCVTIS fcvt.w.s, rdn, 0x7f800000, 0x7fffffff, FF_NV, 5604
    FCVTIS fcvt.w.s, rup, 0x7f800000, 0x7fffffff, FF_NV, 5606
    FCVTIS fcvt.w.s, rmm, 0x7f800000, 0x7fffffff, FF_NV, 5608
    FCVTIS fcvt.wu.s, rne, 0x7f800000, 0xffffffffffffffff, FF_NV, 5610
    FCVTIS fcvt.wu.s, rtz, 0x7f800000, 0xffffffffffffffff, FF_NV, 5612
    FCVTIS fcvt.wu.s, rdn, 0x7f800000, 0xffffffffffffffff, FF_NV, 5614
    FCVTIS fcvt.wu.s, rup, 0x7f800000, 0xffffffffffffffff, FF_NV, 5616
    FCVTIS fcvt.wu.s, rmm, 0x7f800000, 0xffffffffffffffff, FF_NV, 5618
    FCVTIS fcvt.l.s, rne, 0x7f800000, 0x7fffffffffffffff, FF_NV, 5620
    FCVTIS fcvt.l.s, rtz, 0x7f800000, 0x7fffffffffffffff, FF_NV, 5622
    FCVTIS fcvt.l.s, rdn, 0x7f800000, 0x7fffffffffffffff, FF_NV, 5624
    FCVTIS fcvt.l.s, rup, 0x7f800000, 0x7fffffffffffffff, FF_NV, 5626
    FCVTIS fcvt.l.s, rmm, 0x7f800000, 0x7fffffffffffffff, FF_NV, 5628
    FCVTIS fcvt.lu.s, rne, 0x7f800000, 0xffffffffffffffff, FF_NV, 5630
    FCVTIS fcvt.lu.s, rtz, 0x7f800000, 0xffffffffffffffff, FF_NV, 5632
    FCVTIS fcvt.lu.s, rdn, 0x7f800000, 0xffffffffffffffff, FF_NV, 5634
    FCVTIS fcvt.lu.s, rup, 0x7f800000, 0xffffffffffffffff, FF_NV, 5636
    FCVTIS fcvt.lu.s, rmm, 0x7f800000, 0xffffffffffffffff, FF_NV, 5638
    // -inf to integer
    FCVTIS fcvt.w.s, rne, 0xff800000, 0xffffffff80000000, FF_NV, 5640
    FCVTIS fcvt.w.s, rtz, 0xff800000, 0xffffffff80000000, FF_NV, 5642
    FCVTIS fcvt.w.s, rdn, 0xff800000, 0xffffffff80000000, FF_NV, 5644
    FCVTIS fcvt.w.s, rup, 0xff800000, 0xffffffff80000000, FF_NV, 5646
    FCVTIS fcvt.w.s, rmm, 0xff800000, 0xffffffff80000000, FF_NV, 5648
    FCVTIS fcvt.wu.s, rne, 0xff800000, 0x0, FF_NV, 5650
    FCVTIS fcvt.wu.s, rtz, 0xff800000, 0x0, FF_NV, 5652
    FCVTIS fcvt.wu.s, rdn, 0xff800000, 0x0, FF_NV, 5654
    FCVTIS fcvt.wu.s, rup, 0xff800000, 0x0, FF_NV, 5656
    FCVTIS fcvt.wu.s, rmm, 0xff800000, 0x0, FF_NV, 5658
    FCVTIS fcvt.l.s, rne, 0xff800000, 0x8000000000000000, FF_NV, 5660
    FCVTIS fcvt.l.s, rtz, 0xff800000, 0x8000000000000000, FF_NV, 5662
    FCVTIS fcvt.l.s, rdn, 0xff800000, 0x8000000000000000, FF_NV, 5664
    FCVTIS fcvt.l.s, rup, 0xff800000, 0x8000000000000000, FF_NV, 5666
    FCVTIS fcvt.l.s, rmm, 0xff800000, 0x8000000000000000, FF_NV, 5668
    FCVTIS fcvt.lu.s, rne, 0xff800000, 0x0, FF_NV, 5670
    FCVTIS fcvt.lu.s, rtz, 0xff800000, 0x0, FF_NV, 5672
    FCVTIS fcvt.lu.s, rdn, 0xff800000, 0x0, FF_NV, 5674
    FCVTIS fcvt.lu.s, rup, 0xff800000, 0x0, FF_NV, 5676
    FCVTIS fcvt.lu.s, rmm, 0xff800000, 0x0, FF_NV, 5678
    // qnan to integer
    FCVTIS fcvt.w.s, rne, 0x7fc00000, 0x7fffffff, FF_NV, 5680
    FCVTIS fcvt.w.s, rtz, 0x7fc00000, 0x7fffffff, FF_NV, 5682
    FCVTIS fcvt.w.s, rdn, 0x7fc00000, 0x7fffffff, FF_NV, 5684
    FCVTIS fcvt.w.s, rup, 0x7fc00000, 0x7fffffff, FF_NV, 5686
    FCVTIS fcvt.w.s, rmm, 0x7fc00000, 0x7fffffff, FF_NV, 5688
    FCVTIS fcvt.wu.s, rne, 0x7fc00000, 0xffffffffffffffff, FF_NV, 5690
    FCVTIS fcvt.wu.s, rtz, 0x7fc00000, 0xffffffffffffffff, FF_NV, 5692
    FCVTIS fcvt.wu.s, rdn, 0x7fc00000, 0xffffffffffffffff, FF_NV, 5694
    FCVTIS fcvt.wu.s, rup, 0x7fc00000, 0xffffffffffffffff, FF_NV, 5696
    FCVTIS fcvt.wu.s, rmm, 0x7fc00000, 0xffffffffffffffff, FF_NV, 5698
    FCVTIS fcvt.l.s, rne, 0x7fc00000, 0x7fffffffffffffff, FF_NV, 5700
    FCVTIS fcvt.l.s, rtz, 0x7fc00000, 0x7fffffffffffffff, FF_NV, 5702
    FCVTIS fcvt.l.s, rdn, 0x7fc00000, 0x7fffffffffffffff, FF_NV, 5704
    FCVTIS fcvt.l.s, rup, 0x7fc00000, 0x7fffffffffffffff, FF_NV, 5706
    FCVTIS fcvt.l.s, rmm, 0x7fc00000, 0x7fffffffffffffff, FF_NV, 5708
    FCVTIS fcvt.lu.s, rne, 0x7fc00000, 0xffffffffffffffff, FF_NV, 5710
    FCVTIS fcvt.lu.s, rtz, 0x7fc00000, 0xffffffffffffffff, FF_NV, 5712
    FCVTIS fcvt.lu.s, rdn, 0x7fc00000, 0xffffffffffffffff, FF_NV, 5714
    FCVTIS fcvt.lu.s, rup, 0x7fc00000, 0xffffffffffffffff, FF_NV, 5716
    FCVTIS fcvt.lu.s, rmm, 0x7fc00000, 0xffffffffffffffff, FF_NV, 5718
    // snan(0x7f800001) to integer
    FCVTIS fcvt.w.s, rne, 0x7f800001, 0x7fffffff, FF_NV, 5720
    FCVTIS fcvt.w.s, rtz, 0x7f800001, 0x7fffffff, FF_NV, 5722
    FCVTIS fcvt.w.s, rdn, 0x7f800001, 0x7fffffff, FF_NV, 5724
    FCVTIS fcvt.w.s, rup, 0x7f800001, 0x7fffffff, FF_NV, 5726
    FCVTIS fcvt.w.s, rmm, 0x7f800001, 0x7fffffff, FF_NV, 5728
    FCVTIS fcvt.wu.s, rne, 0x7f800001, 0xffffffffffffffff, FF_NV, 5730
    FCVTIS fcvt.wu.s, rtz, 0x7f800001, 0xffffffffffffffff, FF_NV, 5732
    FCVTIS fcvt.wu.s, rdn, 0x7f800001, 0xffffffffffffffff, FF_NV, 5734
    FCVTIS fcvt.wu.s, rup, 0x7f800001, 0xffffffffffffffff, FF_NV, 5736
    FCVTIS fcvt.wu.s, rmm, 0x7f800001, 0xffffffffffffffff, FF_NV, 5738
    FCVTIS fcvt.l.s, rne, 0x7f800001, 0x7fffffffffffffff, FF_NV, 5740
    FCVTIS fcvt.l.s, rtz, 0x7f800001, 0x7fffffffffffffff, FF_NV, 5742
    FCVTIS fcvt.l.s, rdn, 0x7f800001, 0x7fffffffffffffff, FF_NV, 5744
    FCVTIS fcvt.l.s, rup, 0x7f800001, 0x7fffffffffffffff, FF_NV, 5746
    FCVTIS fcvt.l.s, rmm, 0x7f800001, 0x7fffffffffffffff, FF_NV, 5748
    FCVTIS fcvt.lu.s, rne, 0x7f800001, 0xffffffffffffffff, FF_NV, 5750
    FCVTIS fcvt.lu.s, rtz, 0x7f800001, 0xffffffffffffffff, FF_NV, 5752
    FCVTIS fcvt.lu.s, rdn, 0x7f800001, 0xffffffffffffffff, FF_NV, 5754
    FCVTIS fcvt.lu.s, rup, 0x7f800001, 0xffffffffffffffff, FF_NV, 5756
    FCVTIS fcvt.lu.s, rmm, 0x7f800001, 0xffffffffffffffff, FF_NV, 5758
    // -0 to integer
    FCVTIS fcvt.w.s, rne, 0x80000000, 0x0, 0, 5760
    FCVTIS fcvt.w.s, rtz, 0x80000000, 0x0, 0, 5762
    FCVTIS fcvt.w.s, rdn, 0x80000000, 0x0, 0, 5764
    FCVTIS fcvt.w.s, rup, 0x80000000, 0x0, 0, 5766
    FCVTIS fcvt.w.s, rmm, 0x80000000, 0x0, 0, 5768
    FCVTIS fcvt.wu.s, rne, 0x80000000, 0x0, 0, 5770
    FCVTIS fcvt.wu.s, rtz, 0x80000000, 0x0, 0, 5772
    FCVTIS fcvt.wu.s, rdn, 0x80000000, 0x0, 0, 5774
    FCVTIS fcvt.wu.s, rup, 0x80000000, 0x0, 0, 5776
    FCVTIS fcvt.wu.s, rmm, 0x80000000, 0x0, 0, 5778
    FCVTIS fcvt.l.s, rne, 0x80000000, 0x0, 0, 5780
    FCVTIS fcvt.l.s, rtz, 0x80000000, 0x0, 0, 5782
    FCVTIS fcvt.l.s, rdn, 0x80000000, 0x0, 0, 5784
    FCVTIS fcvt.l.s, rup, 0x80000000, 0x0, 0, 5786
    FCVTIS fcvt.l.s, rmm, 0x80000000, 0x0, 0, 5788
    FCVTIS fcvt.lu.s, rne, 0x80000000, 0x0, 0, 5790
    FCVTIS fcvt.lu.s, rtz, 0x80000000, 0x0, 0, 5792
    FCVTIS fcvt.lu.s, rdn, 0x80000000, 0x0, 0, 5794
    FCVTIS fcvt.lu.s, rup, 0x80000000, 0x0, 0, 5796
    FCVTIS fcvt.lu.s, rmm, 0x80000000, 0x0, 0, 5798
    // 1.40129846e-45 to integer
    FCVTIS fcvt.w.s, rne, 0x00000001, 0x0, FF_NX, 5800
    FCVTIS fcvt.w.s, rtz, 0x00000001, 0x0, FF_NX, 5802
    FCVTIS fcvt.w.s, rdn, 0x00000001, 0x0, FF_NX, 5804
    FCVTIS fcvt.w.s, rup, 0x00000001, 0x1, FF_NX, 5806
    FCVTIS fcvt.w.s, rmm, 0x00000001, 0x0, FF_NX, 5808
    FCVTIS fcvt.wu.s, rne, 0x00000001, 0x0, FF_NX, 5810
    FCVTIS fcvt.wu.s, rtz, 0x00000001, 0x0, FF_NX, 5812
    FCVTIS fcvt.wu.s, rdn, 0x00000001, 0x0, FF_NX, 5814
    FCVTIS fcvt.wu.s, rup, 0x00000001, 0x1, FF_NX, 5816
    FCVTIS fcvt.wu.s, rmm, 0x00000001, 0x0, FF_NX, 5818
    FCVTIS fcvt.l.s, rne, 0x00000001, 0x0, FF_NX, 5820
    FCVTIS fcvt.l.s, rtz, 0x00000001, 0x0, FF_NX, 5822
    FCVTIS fcvt.l.s, rdn, 0x00000001, 0x0, FF_NX, 5824
    FCVTIS fcvt.l.s, rup, 0x00000001, 0x1, FF_NX, 5826
    FCVTIS fcvt.l.s, rmm, 0x00000001, 0x0, FF_NX, 5828
    FCVTIS fcvt.lu.s, rne, 0x00000001, 0x0, FF_NX, 5830
    FCVTIS fcvt.lu.s, rtz, 0x00000001, 0x0, FF_NX, 5832
    FCVTIS fcvt.lu.s, rdn, 0x00000001, 0x0, FF_NX, 5834
    FCVTIS fcvt.lu.s, rup, 0x00000001, 0x1, FF_NX, 5836
    FCVTIS fcvt.lu.s, rmm, 0x00000001, 0x0, FF_NX, 5838
    // -1.40129846e-45 to integer
    FCVTIS fcvt.w.s, rne, 0x80000001, 0x0, FF_NX, 5840
    FCVTIS fcvt.w.s, rtz, 0x80000001, 0x0, FF_NX, 5842
    FCVTIS fcvt.w.s, rdn, 0x80000001, 0xffffffffffffffff, FF_NX, 5844
    FCVTIS fcvt.w.s, rup, 0x80000001, 0x0, FF_NX, 5846
    FCVTIS fcvt.w.s, rmm, 0x80000001, 0x0, FF_NX, 5848
    FCVTIS fcvt.wu.s, rne, 0x80000001, 0x0, FF_NX, 5850
    FCVTIS fcvt.wu.s, rtz, 0x80000001, 0x0, FF_NX, 5852
    FCVTIS fcvt.wu.s, rdn, 0x80000001, 0x0, FF_NV, 5854
    FCVTIS fcvt.wu.s, rup, 0x80000001, 0x0, FF_NX, 5856
    FCVTIS fcvt.wu.s, rmm, 0x80000001, 0x0, FF_NX, 5858
    FCVTIS fcvt.l.s, rne, 0x80000001, 0x0, FF_NX, 5860
    FCVTIS fcvt.l.s, rtz, 0x80000001, 0x0, FF_NX, 5862
    FCVTIS fcvt.l.s, rdn, 0x80000001, 0xffffffffffffffff, FF_NX, 5864
    FCVTIS fcvt.l.s, rup, 0x80000001, 0x0, FF_NX, 5866
    FCVTIS fcvt.l.s, rmm, 0x80000001, 0x0, FF_NX, 5868
    FCVTIS fcvt.lu.s, rne, 0x80000001, 0x0, FF_NX, 5870
    FCVTIS fcvt.lu.s, rtz, 0x80000001, 0x0, FF_NX, 5872
    FCVTIS fcvt.lu.s, rdn, 0x80000001, 0x0, FF_NV, 5874
    FCVTIS fcvt.lu.s, rup, 0x80000001, 0x0, FF_NX, 5876
    FCVTIS fcvt.lu.s, rmm, 0x80000001, 0x0, FF_NX, 5878
    // 2.14748352e+09 to integer
    FCVTIS fcvt.w.s, rne, 0x4effffff, 0x7fffff80, 0, 5880
    FCVTIS fcvt.w.s, rtz, 0x4effffff, 0x7fffff80, 0, 5882
    FCVTIS fcvt.w.s, rdn, 0x4effffff, 0x7fffff80, 0, 5884
    FCVTIS fcvt.w.s, rup, 0x4effffff, 0x7fffff80, 0, 5886
    FCVTIS fcvt.w.s, rmm, 0x4effffff, 0x7fffff80, 0, 5888
    FCVTIS fcvt.wu.s, rne, 0x4effffff, 0x7fffff80, 0, 5890
    FCVTIS fcvt.wu.s, rtz, 0x4effffff, 0x7fffff80, 0, 5892
    FCVTIS fcvt.wu.s, rdn, 0x4effffff, 0x7fffff80, 0, 5894
    FCVTIS fcvt.wu.s, rup, 0x4effffff, 0x7fffff80, 0, 5896
    FCVTIS fcvt.wu.s, rmm, 0x4effffff, 0x7fffff80, 0, 5898
    FCVTIS fcvt.l.s, rne, 0x4effffff, 0x7fffff80, 0, 5900
    FCVTIS fcvt.l.s, rtz, 0x4effffff, 0x7fffff80, 0, 5902
    FCVTIS fcvt.l.s, rdn, 0x4effffff, 0x7fffff80, 0, 5904
    FCVTIS fcvt.l.s, rup, 0x4effffff, 0x7fffff80, 0, 5906
    FCVTIS fcvt.l.s, rmm, 0x4effffff, 0x7fffff80, 0, 5908
    FCVTIS fcvt.lu.s, rne, 0x4effffff, 0x7fffff80, 0, 5910
    FCVTIS fcvt.lu.s, rtz, 0x4effffff, 0x7fffff80, 0, 5912
    FCVTIS fcvt.lu.s, rdn, 0x4effffff, 0x7fffff80, 0, 5914
    FCVTIS fcvt.lu.s, rup, 0x4effffff, 0x7fffff80, 0, 5916
    FCVTIS fcvt.lu.s, rmm, 0x4effffff, 0x7fffff80, 0, 5918
    // ---- integer to float ----
    // 0x7fffffff to single
    FCVTFS fcvt.s.w, rne, 0x7fffffff, 0x4f000000, FF_NX, 5920
    FCVTFS fcvt.s.w, rtz, 0x7fffffff, 0x4effffff, FF_NX, 5922
    FCVTFS fcvt.s.w, rdn, 0x7fffffff, 0x4effffff, FF_NX, 5924
    FCVTFS fcvt.s.w, rup, 0x7fffffff, 0x4f000000, FF_NX, 5926
    FCVTFS fcvt.s.w, rmm, 0x7fffffff, 0x4f000000, FF_NX, 5928
    FCVTFS fcvt.s.wu, rne, 0x7fffffff, 0x4f000000, FF_NX, 5930
    FCVTFS fcvt.s.wu, rtz, 0x7fffffff, 0x4effffff, FF_NX, 5932
    FCVTFS fcvt.s.wu, rdn, 0x7fffffff, 0x4effffff, FF_NX, 5934
    FCVTFS fcvt.s.wu, rup, 0x7fffffff, 0x4f000000, FF_NX, 5936
    FCVTFS fcvt.s.wu, rmm, 0x7fffffff, 0x4f000000, FF_NX, 5938
    FCVTFS fcvt.s.l, rne, 0x7fffffff, 0x4f000000, FF_NX, 5940
    FCVTFS fcvt.s.l, rtz, 0x7fffffff, 0x4effffff, FF_NX, 5942
    FCVTFS fcvt.s.l, rdn, 0x7fffffff, 0x4effffff, FF_NX, 5944
    FCVTFS fcvt.s.l, rup, 0x7fffffff, 0x4f000000, FF_NX, 5946
    FCVTFS fcvt.s.l, rmm, 0x7fffffff, 0x4f000000, FF_NX, 5948
    FCVTFS fcvt.s.lu, rne, 0x7fffffff, 0x4f000000, FF_NX, 5950
    FCVTFS fcvt.s.lu, rtz, 0x7fffffff, 0x4effffff, FF_NX, 5952
    FCVTFS fcvt.s.lu, rdn, 0x7fffffff, 0x4effffff, FF_NX, 5954
    FCVTFS fcvt.s.lu, rup, 0x7fffffff, 0x4f000000, FF_NX, 5956
    FCVTFS fcvt.s.lu, rmm, 0x7fffffff, 0x4f000000, FF_NX, 5958
    // 0xffffffffffffffff to single
    FCVTFS fcvt.s.w, rne, 0xffffffffffffffff, 0xbf800000, 0, 5960
    FCVTFS fcvt.s.w, rtz, 0xffffffffffffffff, 0xbf800000, 0, 5962
    FCVTFS fcvt.s.w, rdn, 0xffffffffffffffff, 0xbf800000, 0, 5964
    FCVTFS fcvt.s.w, rup, 0xffffffffffffffff, 0xbf800000, 0, 5966
    FCVTFS fcvt.s.w, rmm, 0xffffffffffffffff, 0xbf800000, 0, 5968
    FCVTFS fcvt.s.wu, rne, 0xffffffffffffffff, 0x4f800000, FF_NX, 5970
    FCVTFS fcvt.s.wu, rtz, 0xffffffffffffffff, 0x4f7fffff, FF_NX, 5972
    FCVTFS fcvt.s.wu, rdn, 0xffffffffffffffff, 0x4f7fffff, FF_NX, 5974
    FCVTFS fcvt.s.wu, rup, 0xffffffffffffffff, 0x4f800000, FF_NX, 5976
    FCVTFS fcvt.s.wu, rmm, 0xffffffffffffffff, 0x4f800000, FF_NX, 5978
    FCVTFS fcvt.s.l, rne, 0xffffffffffffffff, 0xbf800000, 0, 5980
    FCVTFS fcvt.s.l, rtz, 0xffffffffffffffff, 0xbf800000, 0, 5982
    FCVTFS fcvt.s.l, rdn, 0xffffffffffffffff, 0xbf800000, 0, 5984
    FCVTFS fcvt.s.l, rup, 0xffffffffffffffff, 0xbf800000, 0, 5986
    FCVTFS fcvt.s.l, rmm, 0xffffffffffffffff, 0xbf800000, 0, 5988
    FCVTFS fcvt.s.lu, rne, 0xffffffffffffffff, 0x5f800000, FF_NX, 5990
    FCVTFS fcvt.s.lu, rtz, 0xffffffffffffffff, 0x5f7fffff, FF_NX, 5992
    FCVTFS fcvt.s.lu, rdn, 0xffffffffffffffff, 0x5f7fffff, FF_NX, 5994
    FCVTFS fcvt.s.lu, rup, 0xffffffffffffffff, 0x5f800000, FF_NX, 5996
    FCVTFS fcvt.s.lu, rmm, 0xffffffffffffffff, 0x5f800000, FF_NX, 5998
    // 0x100000001 to single
    FCVTFS fcvt.s.w, rne, 0x100000001, 0x3f800000, 0, 6000
    FCVTFS fcvt.s.w, rtz, 0x100000001, 0x3f800000, 0, 6002
    FCVTFS fcvt.s.w, rdn, 0x100000001, 0x3f800000, 0, 6004
    FCVTFS fcvt.s.w, rup, 0x100000001, 0x3f800000, 0, 6006
    FCVTFS fcvt.s.w, rmm, 0x100000001, 0x3f800000, 0, 6008
    FCVTFS fcvt.s.wu, rne, 0x100000001, 0x3f800000, 0, 6010
    FCVTFS fcvt.s.wu, rtz, 0x100000001, 0x3f800000, 0, 6012
    FCVTFS fcvt.s.wu, rdn, 0x100000001, 0x3f800000, 0, 6014
    FCVTFS fcvt.s.wu, rup, 0x100000001, 0x3f800000, 0, 6016
    FCVTFS fcvt.s.wu, rmm, 0x100000001, 0x3f800000, 0, 6018
    FCVTFS fcvt.s.l, rne, 0x100000001, 0x4f800000, FF_NX, 6020
    FCVTFS fcvt.s.l, rtz, 0x100000001, 0x4f800000, FF_NX, 6022
    FCVTFS fcvt.s.l, rdn, 0x100000001, 0x4f800000, FF_NX, 6024
    FCVTFS fcvt.s.l, rup, 0x100000001, 0x4f800001, FF_NX, 6026
    FCVTFS fcvt.s.l, rmm, 0x100000001, 0x4f800000, FF_NX, 6028
    FCVTFS fcvt.s.lu, rne, 0x100000001, 0x4f800000, FF_NX, 6030
    FCVTFS fcvt.s.lu, rtz, 0x100000001, 0x4f800000, FF_NX, 6032
    FCVTFS fcvt.s.lu, rdn, 0x100000001, 0x4f800000, FF_NX, 6034
    FCVTFS fcvt.s.lu, rup, 0x100000001, 0x4f800001, FF_NX, 6036
    FCVTFS fcvt.s.lu, rmm, 0x100000001, 0x4f800000, FF_NX, 6038
    // 0x8000000000000000 to single
    FCVTFS fcvt.s.w, rne, 0x8000000000000000, 0x00000000, 0, 6040
    FCVTFS fcvt.s.w, rtz, 0x8000000000000000, 0x00000000, 0, 6042
    FCVTFS fcvt.s.w, rdn, 0x8000000000000000, 0x00000000, 0, 6044
    FCVTFS fcvt.s.w, rup, 0x8000000000000000, 0x00000000, 0, 6046
    FCVTFS fcvt.s.w, rmm, 0x8000000000000000, 0x00000000, 0, 6048
    FCVTFS fcvt.s.wu, rne, 0x8000000000000000, 0x00000000, 0, 6050
    FCVTFS fcvt.s.wu, rtz, 0x8000000000000000, 0x00000000, 0, 6052
    FCVTFS fcvt.s.wu, rdn, 0x8000000000000000, 0x00000000, 0, 6054
    FCVTFS fcvt.s.wu, rup, 0x8000000000000000, 0x00000000, 0, 6056
    FCVTFS fcvt.s.wu, rmm, 0x8000000000000000, 0x00000000, 0, 6058
    FCVTFS fcvt.s.l, rne, 0x8000000000000000, 0xdf000000, 0, 6060
    FCVTFS fcvt.s.l, rtz, 0x8000000000000000, 0xdf000000, 0, 6062
    FCVTFS fcvt.s.l, rdn, 0x8000000000000000, 0xdf000000, 0, 6064
    FCVTFS fcvt.s.l, rup, 0x8000000000000000, 0xdf000000, 0, 6066
    FCVTFS fcvt.s.l, rmm, 0x8000000000000000, 0xdf000000, 0, 6068
    FCVTFS fcvt.s.lu, rne, 0x8000000000000000, 0x5f000000, 0, 6070
    FCVTFS fcvt.s.lu, rtz, 0x8000000000000000, 0x5f000000, 0, 6072
    FCVTFS fcvt.s.lu, rdn, 0x8000000000000000, 0x5f000000, 0, 6074
    FCVTFS fcvt.s.lu, rup, 0x8000000000000000, 0x5f000000, 0, 6076
    FCVTFS fcvt.s.lu, rmm, 0x8000000000000000, 0x5f000000, 0, 6078
    // 0x7fffffffffffffff to single
    FCVTFS fcvt.s.w, rne, 0x7fffffffffffffff, 0xbf800000, 0, 6080
    FCVTFS fcvt.s.w, rtz, 0x7fffffffffffffff, 0xbf800000, 0, 6082
    FCVTFS fcvt.s.w, rdn, 0x7fffffffffffffff, 0xbf800000, 0, 6084
    FCVTFS fcvt.s.w, rup, 0x7fffffffffffffff, 0xbf800000, 0, 6086
    FCVTFS fcvt.s.w, rmm, 0x7fffffffffffffff, 0xbf800000, 0, 6088
    FCVTFS fcvt.s.wu, rne, 0x7fffffffffffffff, 0x4f800000, FF_NX, 6090
    FCVTFS fcvt.s.wu, rtz, 0x7fffffffffffffff, 0x4f7fffff, FF_NX, 6092
    FCVTFS fcvt.s.wu, rdn, 0x7fffffffffffffff, 0x4f7fffff, FF_NX, 6094
    FCVTFS fcvt.s.wu, rup, 0x7fffffffffffffff, 0x4f800000, FF_NX, 6096
    FCVTFS fcvt.s.wu, rmm, 0x7fffffffffffffff, 0x4f800000, FF_NX, 6098
    FCVTFS fcvt.s.l, rne, 0x7fffffffffffffff, 0x5f000000, FF_NX, 6100
    FCVTFS fcvt.s.l, rtz, 0x7fffffffffffffff, 0x5effffff, FF_NX, 6102
    FCVTFS fcvt.s.l, rdn, 0x7fffffffffffffff, 0x5effffff, FF_NX, 6104
    FCVTFS fcvt.s.l, rup, 0x7fffffffffffffff, 0x5f000000, FF_NX, 6106
    FCVTFS fcvt.s.l, rmm, 0x7fffffffffffffff, 0x5f000000, FF_NX, 6108
    FCVTFS fcvt.s.lu, rne, 0x7fffffffffffffff, 0x5f000000, FF_NX, 6110
    FCVTFS fcvt.s.lu, rtz, 0x7fffffffffffffff, 0x5effffff, FF_NX, 6112
    FCVTFS fcvt.s.lu, rdn, 0x7fffffffffffffff, 0x5effffff, FF_NX, 6114
    FCVTFS fcvt.s.lu, rup, 0x7fffffffffffffff, 0x5f000000, FF_NX, 6116
    FCVTFS fcvt.s.lu, rmm, 0x7fffffffffffffff, 0x5f000000, FF_NX, 6118
    // 0xffffff to single
    FCVTFS fcvt.s.w, rne, 0xffffff, 0x4b7fffff, 0, 6120
    FCVTFS fcvt.s.w, rtz, 0xffffff, 0x4b7fffff, 0, 6122
    FCVTFS fcvt.s.w, rdn, 0xffffff, 0x4b7fffff, 0, 6124
    FCVTFS fcvt.s.w, rup, 0xffffff, 0x4b7fffff, 0, 6126
    FCVTFS fcvt.s.w, rmm, 0xffffff, 0x4b7fffff, 0, 6128
    FCVTFS fcvt.s.wu, rne, 0xffffff, 0x4b7fffff, 0, 6130
    FCVTFS fcvt.s.wu, rtz, 0xffffff, 0x4b7fffff, 0, 6132
    FCVTFS fcvt.s.wu, rdn, 0xffffff, 0x4b7fffff, 0, 6134
    FCVTFS fcvt.s.wu, rup, 0xffffff, 0x4b7fffff, 0, 6136
    FCVTFS fcvt.s.wu, rmm, 0xffffff, 0x4b7fffff, 0, 6138
    FCVTFS fcvt.s.l, rne, 0xffffff, 0x4b7fffff, 0, 6140
    FCVTFS fcvt.s.l, rtz, 0xffffff, 0x4b7fffff, 0, 6142
    FCVTFS fcvt.s.l, rdn, 0xffffff, 0x4b7fffff, 0, 6144
    FCVTFS fcvt.s.l, rup, 0xffffff, 0x4b7fffff, 0, 6146
    FCVTFS fcvt.s.l, rmm, 0xffffff, 0x4b7fffff, 0, 6148
    FCVTFS fcvt.s.lu, rne, 0xffffff, 0x4b7fffff, 0, 6150
    FCVTFS fcvt.s.lu, rtz, 0xffffff, 0x4b7fffff, 0, 6152
    FCVTFS fcvt.s.lu, rdn, 0xffffff, 0x4b7fffff, 0, 6154
    FCVTFS fcvt.s.lu, rup, 0xffffff, 0x4b7fffff, 0, 6156
    FCVTFS fcvt.s.lu, rmm, 0xffffff, 0x4b7fffff, 0, 6158
    // 0x1000001 to single
    FCVTFS fcvt.s.w, rne, 0x1000001, 0x4b800000, FF_NX, 6160
    FCVTFS fcvt.s.w, rtz, 0x1000001, 0x4b800000, FF_NX, 6162
    FCVTFS fcvt.s.w, rdn, 0x1000001, 0x4b800000, FF_NX, 6164
    FCVTFS fcvt.s.w, rup, 0x1000001, 0x4b800001, FF_NX, 6166
    FCVTFS fcvt.s.w, rmm, 0x1000001, 0x4b800001, FF_NX, 6168
    FCVTFS fcvt.s.wu, rne, 0x1000001, 0x4b800000, FF_NX, 6170
    FCVTFS fcvt.s.wu, rtz, 0x1000001, 0x4b800000, FF_NX, 6172
    FCVTFS fcvt.s.wu, rdn, 0x1000001, 0x4b800000, FF_NX, 6174
    FCVTFS fcvt.s.wu, rup, 0x1000001, 0x4b800001, FF_NX, 6176
    FCVTFS fcvt.s.wu, rmm, 0x1000001, 0x4b800001, FF_NX, 6178
    FCVTFS fcvt.s.l, rne, 0x1000001, 0x4b800000, FF_NX, 6180
    FCVTFS fcvt.s.l, rtz, 0x1000001, 0x4b800000, FF_NX, 6182
    FCVTFS fcvt.s.l, rdn, 0x1000001, 0x4b800000, FF_NX, 6184
    FCVTFS fcvt.s.l, rup, 0x1000001, 0x4b800001, FF_NX, 6186
    FCVTFS fcvt.s.l, rmm, 0x1000001, 0x4b800001, FF_NX, 6188
    FCVTFS fcvt.s.lu, rne, 0x1000001, 0x4b800000, FF_NX, 6190
    FCVTFS fcvt.s.lu, rtz, 0x1000001, 0x4b800000, FF_NX, 6192
    FCVTFS fcvt.s.lu, rdn, 0x1000001, 0x4b800000, FF_NX, 6194
    FCVTFS fcvt.s.lu, rup, 0x1000001, 0x4b800001, FF_NX, 6196
    FCVTFS fcvt.s.lu, rmm, 0x1000001, 0x4b800001, FF_NX, 6198
    // 0x80000001 to single
    FCVTFS fcvt.s.w, rne, 0x80000001, 0xcf000000, FF_NX, 6200
    FCVTFS fcvt.s.w, rtz, 0x80000001, 0xceffffff, FF_NX, 6202
    FCVTFS fcvt.s.w, rdn, 0x80000001, 0xcf000000, FF_NX, 6204
    FCVTFS fcvt.s.w, rup, 0x80000001, 0xceffffff, FF_NX, 6206
    FCVTFS fcvt.s.w, rmm, 0x80000001, 0xcf000000, FF_NX, 6208
    FCVTFS fcvt.s.wu, rne, 0x80000001, 0x4f000000, FF_NX, 6210
    FCVTFS fcvt.s.wu, rtz, 0x80000001, 0x4f000000, FF_NX, 6212
    FCVTFS fcvt.s.wu, rdn, 0x80000001, 0x4f000000, FF_NX, 6214
    FCVTFS fcvt.s.wu, rup, 0x80000001, 0x4f000001, FF_NX, 6216
    FCVTFS fcvt.s.wu, rmm, 0x80000001, 0x4f000000, FF_NX, 6218
    FCVTFS fcvt.s.l, rne, 0x80000001, 0x4f000000, FF_NX, 6220
    FCVTFS fcvt.s.l, rtz, 0x80000001, 0x4f000000, FF_NX, 6222
    FCVTFS fcvt.s.l, rdn, 0x80000001, 0x4f000000, FF_NX, 6224
    FCVTFS fcvt.s.l, rup, 0x80000001, 0x4f000001, FF_NX, 6226
    FCVTFS fcvt.s.l, rmm, 0x80000001, 0x4f000000, FF_NX, 6228
    FCVTFS fcvt.s.lu, rne, 0x80000001, 0x4f000000, FF_NX, 6230
    FCVTFS fcvt.s.lu, rtz, 0x80000001, 0x4f000000, FF_NX, 6232
    FCVTFS fcvt.s.lu, rdn, 0x80000001, 0x4f000000, FF_NX, 6234
    FCVTFS fcvt.s.lu, rup, 0x80000001, 0x4f000001, FF_NX, 6236
    FCVTFS fcvt.s.lu, rmm, 0x80000001, 0x4f000000, FF_NX, 6238
    // 0x3 to single
    FCVTFS fcvt.s.w, rne, 0x3, 0x40400000, 0, 6240
    FCVTFS fcvt.s.w, rtz, 0x3, 0x40400000, 0, 6242
    FCVTFS fcvt.s.w, rdn, 0x3, 0x40400000, 0, 6244
    FCVTFS fcvt.s.w, rup, 0x3, 0x40400000, 0, 6246
    FCVTFS fcvt.s.w, rmm, 0x3, 0x40400000, 0, 6248
    FCVTFS fcvt.s.wu, rne, 0x3, 0x40400000, 0, 6250
    FCVTFS fcvt.s.wu, rtz, 0x3, 0x40400000, 0, 6252
    FCVTFS fcvt.s.wu, rdn, 0x3, 0x40400000, 0, 6254
    FCVTFS fcvt.s.wu, rup, 0x3, 0x40400000, 0, 6256
    FCVTFS fcvt.s.wu, rmm, 0x3, 0x40400000, 0, 6258
    FCVTFS fcvt.s.l, rne, 0x3, 0x40400000, 0, 6260
    FCVTFS fcvt.s.l, rtz, 0x3, 0x40400000, 0, 6262
    FCVTFS fcvt.s.l, rdn, 0x3, 0x40400000, 0, 6264
    FCVTFS fcvt.s.l, rup, 0x3, 0x40400000, 0, 6266
    FCVTFS fcvt.s.l, rmm, 0x3, 0x40400000, 0, 6268
    FCVTFS fcvt.s.lu, rne, 0x3, 0x40400000, 0, 6270
    FCVTFS fcvt.s.lu, rtz, 0x3, 0x40400000, 0, 6272
    FCVTFS fcvt.s.lu, rdn, 0x3, 0x40400000, 0, 6274
    FCVTFS fcvt.s.lu, rup, 0x3, 0x40400000, 0, 6276
    FCVTFS fcvt.s.lu, rmm, 0x3, 0x40400000, 0, 6278
    // 0xffffffff80000000 to single
    FCVTFS fcvt.s.w, rne, 0xffffffff80000000, 0xcf000000, 0, 6280
    FCVTFS fcvt.s.w, rtz, 0xffffffff80000000, 0xcf000000, 0, 6282
    FCVTFS fcvt.s.w, rdn, 0xffffffff80000000, 0xcf000000, 0, 6284
    FCVTFS fcvt.s.w, rup, 0xffffffff80000000, 0xcf000000, 0, 6286
    FCVTFS fcvt.s.w, rmm, 0xffffffff80000000, 0xcf000000, 0, 6288
    FCVTFS fcvt.s.wu, rne, 0xffffffff80000000, 0x4f000000, 0, 6290
    FCVTFS fcvt.s.wu, rtz, 0xffffffff80000000, 0x4f000000, 0, 6292
    FCVTFS fcvt.s.wu, rdn, 0xffffffff80000000, 0x4f000000, 0, 6294
    FCVTFS fcvt.s.wu, rup, 0xffffffff80000000, 0x4f000000, 0, 6296
    FCVTFS fcvt.s.wu, rmm, 0xffffffff80000000, 0x4f000000, 0, 6298
    FCVTFS fcvt.s.l, rne, 0xffffffff80000000, 0xcf000000, 0, 6300
    FCVTFS fcvt.s.l, rtz, 0xffffffff80000000, 0xcf000000, 0, 6302
    FCVTFS fcvt.s.l, rdn, 0xffffffff80000000, 0xcf000000, 0, 6304
    FCVTFS fcvt.s.l, rup, 0xffffffff80000000, 0xcf000000, 0, 6306
    FCVTFS fcvt.s.l, rmm, 0xffffffff80000000, 0xcf000000, 0, 6308
    FCVTFS fcvt.s.lu, rne, 0xffffffff80000000, 0x5f800000, FF_NX, 6310
    FCVTFS fcvt.s.lu, rtz, 0xffffffff80000000, 0x5f7fffff, FF_NX, 6312
    FCVTFS fcvt.s.lu, rdn, 0xffffffff80000000, 0x5f7fffff, FF_NX, 6314
    FCVTFS fcvt.s.lu, rup, 0xffffffff80000000, 0x5f800000, FF_NX, 6316
    FCVTFS fcvt.s.lu, rmm, 0xffffffff80000000, 0x5f800000, FF_NX, 6318
    // 0x0 to single
    FCVTFS fcvt.s.w, rne, 0x0, 0x00000000, 0, 6320
    FCVTFS fcvt.s.w, rtz, 0x0, 0x00000000, 0, 6322
    FCVTFS fcvt.s.w, rdn, 0x0, 0x00000000, 0, 6324
    FCVTFS fcvt.s.w, rup, 0x0, 0x00000000, 0, 6326
    FCVTFS fcvt.s.w, rmm, 0x0, 0x00000000, 0, 6328
    FCVTFS fcvt.s.wu, rne, 0x0, 0x00000000, 0, 6330
    FCVTFS fcvt.s.wu, rtz, 0x0, 0x00000000, 0, 6332
    FCVTFS fcvt.s.wu, rdn, 0x0, 0x00000000, 0, 6334
    FCVTFS fcvt.s.wu, rup, 0x0, 0x00000000, 0, 6336
    FCVTFS fcvt.s.wu, rmm, 0x0, 0x00000000, 0, 6338
    FCVTFS fcvt.s.l, rne, 0x0, 0x00000000, 0, 6340
    FCVTFS fcvt.s.l, rtz, 0x0, 0x00000000, 0, 6342
    FCVTFS fcvt.s.l, rdn, 0x0, 0x00000000, 0, 6344
    FCVTFS fcvt.s.l, rup, 0x0, 0x00000000, 0, 6346
    FCVTFS fcvt.s.l, rmm, 0x0, 0x00000000, 0, 6348
    FCVTFS fcvt.s.lu, rne, 0x0, 0x00000000, 0, 6350
    FCVTFS fcvt.s.lu, rtz, 0x0, 0x00000000, 0, 6352
    FCVTFS fcvt.s.lu, rdn, 0x0, 0x00000000, 0, 6354
    FCVTFS fcvt.s.lu, rup, 0x0, 0x00000000, 0, 6356
    FCVTFS fcvt.s.lu, rmm, 0x0, 0x00000000, 0, 6358
    // 0x1000003 to single
    FCVTFS fcvt.s.w, rne, 0x1000003, 0x4b800002, FF_NX, 6360
    FCVTFS fcvt.s.w, rtz, 0x1000003, 0x4b800001, FF_NX, 6362
    FCVTFS fcvt.s.w, rdn, 0x1000003, 0x4b800001, FF_NX, 6364
    FCVTFS fcvt.s.w, rup, 0x1000003, 0x4b800002, FF_NX, 6366
    FCVTFS fcvt.s.w, rmm, 0x1000003, 0x4b800002, FF_NX, 6368
    FCVTFS fcvt.s.wu, rne, 0x1000003, 0x4b800002, FF_NX, 6370
    FCVTFS fcvt.s.wu, rtz, 0x1000003, 0x4b800001, FF_NX, 6372
    FCVTFS fcvt.s.wu, rdn, 0x1000003, 0x4b800001, FF_NX, 6374
    FCVTFS fcvt.s.wu, rup, 0x1000003, 0x4b800002, FF_NX, 6376
    FCVTFS fcvt.s.wu, rmm, 0x1000003, 0x4b800002, FF_NX, 6378
    FCVTFS fcvt.s.l, rne, 0x1000003, 0x4b800002, FF_NX, 6380
    FCVTFS fcvt.s.l, rtz, 0x1000003, 0x4b800001, FF_NX, 6382
    FCVTFS fcvt.s.l, rdn, 0x1000003, 0x4b800001, FF_NX, 6384
    FCVTFS fcvt.s.l, rup, 0x1000003, 0x4b800002, FF_NX, 6386
    FCVTFS fcvt.s.l, rmm, 0x1000003, 0x4b800002, FF_NX, 6388
    FCVTFS fcvt.s.lu, rne, 0x1000003, 0x4b800002, FF_NX, 6390
    FCVTFS fcvt.s.lu, rtz, 0x1000003, 0x4b800001, FF_NX, 6392
    FCVTFS fcvt.s.lu, rdn, 0x1000003, 0x4b800001, FF_NX, 6394
    FCVTFS fcvt.s.lu, rup, 0x1000003, 0x4b800002, FF_NX, 6396
    FCVTFS fcvt.s.lu, rmm, 0x1000003, 0x4b800002, FF_NX, 6398

    // ---- part J: sweeps for the differential test ----
    csrw fcsr, zero
    PUTS "F sweep\n"
    FOR_EACH_RM SWEEP2, fadd.s, sw_s, sw_s_end, 4, flw, s
    FOR_EACH_RM SWEEP2, fsub.s, sw_s, sw_s_end, 4, flw, s
    FOR_EACH_RM SWEEP2, fmul.s, sw_s, sw_s_end, 4, flw, s
    FOR_EACH_RM SWEEP2, fdiv.s, sw_s, sw_s_end, 4, flw, s
    SWEEP2 fmin.s, sw_s, sw_s_end, 4, flw, s
    SWEEP2 fmax.s, sw_s, sw_s_end, 4, flw, s
    SWEEP2 fsgnj.s, sw_s, sw_s_end, 4, flw, s
    SWEEP2 fsgnjn.s, sw_s, sw_s_end, 4, flw, s
    SWEEP2 fsgnjx.s, sw_s, sw_s_end, 4, flw, s
    SWEEP2 feq.s, sw_s, sw_s_end, 4, flw, x
    SWEEP2 flt.s, sw_s, sw_s_end, 4, flw, x
    SWEEP2 fle.s, sw_s, sw_s_end, 4, flw, x
    FOR_EACH_RM SWEEP1, fsqrt.s, sw_s, sw_u_end, 4, flw, s
    SWEEP1 fclass.s, sw_s, sw_u_end, 4, flw, x
    SWEEP1 fcvt.d.s, sw_s, sw_u_end, 4, flw, d
    FOR_EACH_RM SWEEP1, fcvt.w.s, sw_s, sw_u_end, 4, flw, x
    FOR_EACH_RM SWEEP1, fcvt.wu.s, sw_s, sw_u_end, 4, flw, x
    FOR_EACH_RM SWEEP1, fcvt.l.s, sw_s, sw_u_end, 4, flw, x
    FOR_EACH_RM SWEEP1, fcvt.lu.s, sw_s, sw_u_end, 4, flw, x
    FOR_EACH_RM SWEEPI, fcvt.s.w, sw_i, sw_i_end, s
    FOR_EACH_RM SWEEPI, fcvt.s.wu, sw_i, sw_i_end, s
    FOR_EACH_RM SWEEPI, fcvt.s.l, sw_i, sw_i_end, s
    FOR_EACH_RM SWEEPI, fcvt.s.lu, sw_i, sw_i_end, s
    FOR_EACH_RM SWEEP3, fmadd.s, sw_3, sw_3_end, 4, flw, s
    SWEEP3 fmsub.s, sw_3, sw_3_end, 4, flw, s
    SWEEP3 fnmsub.s, sw_3, sw_3_end, 4, flw, s
    SWEEP3 fnmadd.s, sw_3, sw_3_end, 4, flw, s

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
fdata:
    .word 0x3f800000, 0xc0000000, 0x7f800001, 0
fbuf:
    .space 32
    // sweep operands: zeros, ones, 1.5, 0.1, 3, extremes, subnormals,
    // infinities, NaNs, 2^31
sw_s:
    .word 0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x3fc00000
    .word 0x3dcccccd, 0x40400000, 0x7f7fffff, 0xff7fffff, 0x00800000
    .word 0x00000001, 0x807fffff, 0x7f800000, 0xff800000, 0x7fc00000
    .word 0x7f800001, 0x4f000000, 0xc0200000
sw_s_end:
    // more for the unary operations
    .word 0x3f000000, 0xbf000000, 0x40200000, 0x5f000000, 0xdf000000
    .word 0x5f800000, 0x4f800000, 0xcf000001, 0x3f7fffff, 0x3fffffff
sw_u_end:
sw_3:
    .word 0x00000000, 0x80000000, 0x3f800000, 0xbfc00000, 0x3dcccccd
    .word 0x7f7fffff, 0x00000001, 0x7f800000, 0xff800000, 0x7f800001
sw_3_end:
    .align 3
sw_i:
    .dword 0, 1, -1, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000001
    .dword 0x7fffffffffffffff, 0x8000000000000000, 0x01000001, 0x00ffffff
    .dword 0x0123456789abcdef, -3, 0xffffffff80000001, 0x1000001000000001
sw_i_end:

