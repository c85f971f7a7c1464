// RV64A: LR.W/SC.W/LR.D/SC.D and every AMO in .W and .D form.
//   - LR.W sign-extends the loaded word;
//   - an SC after a matching LR succeeds (rd = 0) eventually: an SC may fail
//     spuriously, so the pair is retried a bounded number of times;
//   - an SC without a reservation (every SC, successful or not,
//     invalidates the reservation) fails with rd = 1 and does not write;
//   - AMO*.W operate on the addressed word only (the other half of the
//     dword is untouched), compare/add using the low 32 bits of rs2 and
//     return the old word sign-extended; AMOMIN/AMOMAX compare signed,
//     AMOMINU/AMOMAXU unsigned.
#include "common.h"

// AMO op, off, rs2, expected rd, expected dword at buf, n:
// buf = 0x800000017ffffff0, then `op rd, rs2, (buf + off)`.
// Check n: rd; check n + 1: the whole dword in memory.
.macro AMO op, off, rs2, rd, mem, n
    la s0, buf
    li a1, 0x800000017ffffff0
    sd a1, 0(s0)
    li a2, \rs2
    addi s1, s0, \off
    \op a0, a2, (s1)
    CHECK a0, \rd, \n
    ld a1, 0(s0)
    CHECK a1, \mem, \n + 1
.endm

    TEST_BEGIN

    // ---- LR/SC ----
    la s0, buf
    li a1, 0x1234567880000001
    sd a1, 0(s0)
    li s2, 100                      // retry budget
1:  li TESTNUM, 1
    addi s2, s2, -1
    bltz s2, fail                   // never succeeded
    lr.w a0, (s0)
    li a2, 0x5555555500000042
    sc.w a3, a2, (s0)
    bnez a3, 1b
    CHECK a0, 0xffffffff80000001, 2 // sign-extended load
    ld a1, 0(s0)
    CHECK a1, 0x1234567800000042, 3 // only the word was written
    // no reservation any more: SC fails with 1 and does not write
    li a2, 0x77
    sc.w a3, a2, (s0)
    CHECK a3, 1, 4
    ld a1, 0(s0)
    CHECK a1, 0x1234567800000042, 5
    // and fails again
    sc.w a3, a2, (s0)
    CHECK a3, 1, 6
    sc.d a3, a2, (s0)
    CHECK a3, 1, 7
    ld a1, 0(s0)
    CHECK a1, 0x1234567800000042, 8

    // LR.D / SC.D
    li s2, 100
2:  li TESTNUM, 10
    addi s2, s2, -1
    bltz s2, fail
    lr.d a0, (s0)
    li a2, 0xfedcba9876543210
    sc.d a3, a2, (s0)
    bnez a3, 2b
    CHECK a0, 0x1234567800000042, 11
    ld a1, 0(s0)
    CHECK a1, 0xfedcba9876543210, 12
    sc.d a3, zero, (s0)
    CHECK a3, 1, 13
    ld a1, 0(s0)
    CHECK a1, 0xfedcba9876543210, 14

    // LR.W on the upper word; the ordering-bit forms
    li s2, 100
3:  li TESTNUM, 20
    addi s2, s2, -1
    bltz s2, fail
    addi s1, s0, 4
    lr.w.aq a0, (s1)
    li a2, 0x7fffffff
    sc.w.rl a3, a2, (s1)
    bnez a3, 3b
    CHECK a0, 0xfffffffffedcba98, 21
    ld a1, 0(s0)
    CHECK a1, 0x7fffffff76543210, 22
    li s2, 100
4:  li TESTNUM, 23
    addi s2, s2, -1
    bltz s2, fail
    lr.d.aqrl a0, (s0)
    addi a0, a0, 1                  // an LR/SC increment
    sc.d.aqrl a3, a0, (s0)
    bnez a3, 4b
    ld a1, 0(s0)
    CHECK a1, 0x7fffffff76543211, 24
    // an SC after a failed SC still has no reservation
    sc.w.aqrl a3, zero, (s0)
    CHECK a3, 1, 25
    // SC with rd = x0 and no reservation: no write
    sc.d zero, zero, (s0)
    ld a1, 0(s0)
    CHECK a1, 0x7fffffff76543211, 26

    // ---- AMOs: specific cases ----
    // signed vs unsigned min/max on -1 (0xffffffff) vs 1
    la s0, buf
    li a1, -1
    sd a1, 0(s0)
    li a2, 1
    amomin.w a0, a2, (s0)
    CHECK a0, -1, 30
    lw a1, 0(s0)
    CHECK a1, -1, 31
    amominu.w a0, a2, (s0)
    CHECK a0, -1, 32
    lw a1, 0(s0)
    CHECK a1, 1, 33
    li a2, -1
    amomax.w a0, a2, (s0)           // max(1, -1) = 1
    CHECK a0, 1, 34
    lw a1, 0(s0)
    CHECK a1, 1, 35
    amomaxu.w a0, a2, (s0)
    CHECK a0, 1, 36
    lw a1, 0(s0)
    CHECK a1, -1, 37
    // .D: the full 64 bits compare
    li a1, 0x8000000000000000
    sd a1, 0(s0)
    li a2, 0x7fffffffffffffff
    amomax.d a0, a2, (s0)
    CHECK a0, 0x8000000000000000, 38
    ld a1, 0(s0)
    CHECK a1, 0x7fffffffffffffff, 39
    li a2, 0x8000000000000000
    amomaxu.d a0, a2, (s0)
    CHECK a0, 0x7fffffffffffffff, 40
    ld a1, 0(s0)
    CHECK a1, 0x8000000000000000, 41
    amominu.d a0, zero, (s0)
    ld a1, 0(s0)
    CHECK a1, 0, 42
    // .W compares only the low word of rs2: 0x1_80000000 is negative
    li a1, 5
    sd a1, 0(s0)
    li a2, 0x0000000180000000
    amomin.w a0, a2, (s0)
    CHECK a0, 5, 43
    ld a1, 0(s0)
    CHECK a1, 0x80000000, 44         // upper word stays 0
    // rd = x0: memory updated, nothing else
    li a2, 3
    amoadd.w zero, a2, (s0)
    ld a1, 0(s0)
    CHECK a1, 0x80000003, 45
    // rd == rs2: swap register and memory
    li a0, 0x1111
    amoswap.d a0, a0, (s0)
    CHECK a0, 0x80000003, 46
    ld a1, 0(s0)
    CHECK a1, 0x1111, 47
    // aq/rl forms
    li a2, 1
    amoadd.d.aq a0, a2, (s0)
    amoadd.d.rl a0, a2, (s0)
    amoadd.d.aqrl a0, a2, (s0)
    amoadd.w.aq a0, a2, (s0)
    amoor.w.rl a0, a2, (s0)
    amoxor.w.aqrl a0, a2, (s0)
    CHECK a0, 0x1115, 48
    ld a1, 0(s0)
    CHECK a1, 0x1114, 49
    // add wraps in 32 bits for .W
    li a1, 0x00000000ffffffff
    sd a1, 0(s0)
    li a2, 1
    amoadd.w a0, a2, (s0)
    CHECK a0, -1, 50
    ld a1, 0(s0)
    CHECK a1, 0, 51
    // amoswap.w returns the old word sign-extended
    li a1, 0x00000000deadbeef
    sd a1, 0(s0)
    amoswap.w a0, zero, (s0)
    CHECK a0, 0xffffffffdeadbeef, 52

    // ---- AMOs: every operation on a fixed memory value ----
    // (the list is printed by `python3 gen/gen_int_tables.py amo`)
    // memory 0x800000017ffffff0: low word 0x7ffffff0 (positive), high word
    // 0x80000001 (negative)
    AMO amoswap.w, 0, 0x11, 0x7ffffff0, 0x8000000100000011, 100
    AMO amoadd.w, 0, 0x11, 0x7ffffff0, 0x8000000180000001, 102
    AMO amoxor.w, 0, 0x11, 0x7ffffff0, 0x800000017fffffe1, 104
    AMO amoand.w, 0, 0x11, 0x7ffffff0, 0x8000000100000010, 106
    AMO amoor.w, 0, 0x11, 0x7ffffff0, 0x800000017ffffff1, 108
    AMO amomin.w, 0, 0x11, 0x7ffffff0, 0x8000000100000011, 110
    AMO amomax.w, 0, 0x11, 0x7ffffff0, 0x800000017ffffff0, 112
    AMO amominu.w, 0, 0x11, 0x7ffffff0, 0x8000000100000011, 114
    AMO amomaxu.w, 0, 0x11, 0x7ffffff0, 0x800000017ffffff0, 116
    AMO amoswap.w, 0, 0xffffffff80000000, 0x7ffffff0, 0x8000000180000000, 118
    AMO amoadd.w, 0, 0xffffffff80000000, 0x7ffffff0, 0x80000001fffffff0, 120
    AMO amoxor.w, 0, 0xffffffff80000000, 0x7ffffff0, 0x80000001fffffff0, 122
    AMO amoand.w, 0, 0xffffffff80000000, 0x7ffffff0, 0x8000000100000000, 124
    AMO amoor.w, 0, 0xffffffff80000000, 0x7ffffff0, 0x80000001fffffff0, 126
    AMO amomin.w, 0, 0xffffffff80000000, 0x7ffffff0, 0x8000000180000000, 128
    AMO amomax.w, 0, 0xffffffff80000000, 0x7ffffff0, 0x800000017ffffff0, 130
    AMO amominu.w, 0, 0xffffffff80000000, 0x7ffffff0, 0x800000017ffffff0, 132
    AMO amomaxu.w, 0, 0xffffffff80000000, 0x7ffffff0, 0x8000000180000000, 134
    AMO amoswap.w, 0, 0x1fffffffe, 0x7ffffff0, 0x80000001fffffffe, 136
    AMO amoadd.w, 0, 0x1fffffffe, 0x7ffffff0, 0x800000017fffffee, 138
    AMO amoxor.w, 0, 0x1fffffffe, 0x7ffffff0, 0x800000018000000e, 140
    AMO amoand.w, 0, 0x1fffffffe, 0x7ffffff0, 0x800000017ffffff0, 142
    AMO amoor.w, 0, 0x1fffffffe, 0x7ffffff0, 0x80000001fffffffe, 144
    AMO amomin.w, 0, 0x1fffffffe, 0x7ffffff0, 0x80000001fffffffe, 146
    AMO amomax.w, 0, 0x1fffffffe, 0x7ffffff0, 0x800000017ffffff0, 148
    AMO amominu.w, 0, 0x1fffffffe, 0x7ffffff0, 0x800000017ffffff0, 150
    AMO amomaxu.w, 0, 0x1fffffffe, 0x7ffffff0, 0x80000001fffffffe, 152
    AMO amoswap.w, 4, 0x11, 0xffffffff80000001, 0x117ffffff0, 154
    AMO amoadd.w, 4, 0x11, 0xffffffff80000001, 0x800000127ffffff0, 156
    AMO amoxor.w, 4, 0x11, 0xffffffff80000001, 0x800000107ffffff0, 158
    AMO amoand.w, 4, 0x11, 0xffffffff80000001, 0x17ffffff0, 160
    AMO amoor.w, 4, 0x11, 0xffffffff80000001, 0x800000117ffffff0, 162
    AMO amomin.w, 4, 0x11, 0xffffffff80000001, 0x800000017ffffff0, 164
    AMO amomax.w, 4, 0x11, 0xffffffff80000001, 0x117ffffff0, 166
    AMO amominu.w, 4, 0x11, 0xffffffff80000001, 0x117ffffff0, 168
    AMO amomaxu.w, 4, 0x11, 0xffffffff80000001, 0x800000017ffffff0, 170
    AMO amoswap.w, 4, 0xffffffff80000000, 0xffffffff80000001, 0x800000007ffffff0, 172
    AMO amoadd.w, 4, 0xffffffff80000000, 0xffffffff80000001, 0x17ffffff0, 174
    AMO amoxor.w, 4, 0xffffffff80000000, 0xffffffff80000001, 0x17ffffff0, 176
    AMO amoand.w, 4, 0xffffffff80000000, 0xffffffff80000001, 0x800000007ffffff0, 178
    AMO amoor.w, 4, 0xffffffff80000000, 0xffffffff80000001, 0x800000017ffffff0, 180
    AMO amomin.w, 4, 0xffffffff80000000, 0xffffffff80000001, 0x800000007ffffff0, 182
    AMO amomax.w, 4, 0xffffffff80000000, 0xffffffff80000001, 0x800000017ffffff0, 184
    AMO amominu.w, 4, 0xffffffff80000000, 0xffffffff80000001, 0x800000007ffffff0, 186
    AMO amomaxu.w, 4, 0xffffffff80000000, 0xffffffff80000001, 0x800000017ffffff0, 188
    AMO amoswap.w, 4, 0x1fffffffe, 0xffffffff80000001, 0xfffffffe7ffffff0, 190
    AMO amoadd.w, 4, 0x1fffffffe, 0xffffffff80000001, 0x7fffffff7ffffff0, 192
    AMO amoxor.w, 4, 0x1fffffffe, 0xffffffff80000001, 0x7fffffff7ffffff0, 194
    AMO amoand.w, 4, 0x1fffffffe, 0xffffffff80000001, 0x800000007ffffff0, 196
    AMO amoor.w, 4, 0x1fffffffe, 0xffffffff80000001, 0xffffffff7ffffff0, 198
    AMO amomin.w, 4, 0x1fffffffe, 0xffffffff80000001, 0x800000017ffffff0, 200
    AMO amomax.w, 4, 0x1fffffffe, 0xffffffff80000001, 0xfffffffe7ffffff0, 202
    AMO amominu.w, 4, 0x1fffffffe, 0xffffffff80000001, 0x800000017ffffff0, 204
    AMO amomaxu.w, 4, 0x1fffffffe, 0xffffffff80000001, 0xfffffffe7ffffff0, 206
    AMO amoswap.d, 0, 0x11, 0x800000017ffffff0, 0x11, 208
    AMO amoadd.d, 0, 0x11, 0x800000017ffffff0, 0x8000000180000001, 210
    AMO amoxor.d, 0, 0x11, 0x800000017ffffff0, 0x800000017fffffe1, 212
    AMO amoand.d, 0, 0x11, 0x800000017ffffff0, 0x10, 214
    AMO amoor.d, 0, 0x11, 0x800000017ffffff0, 0x800000017ffffff1, 216
    AMO amomin.d, 0, 0x11, 0x800000017ffffff0, 0x800000017ffffff0, 218
    AMO amomax.d, 0, 0x11, 0x800000017ffffff0, 0x11, 220
    AMO amominu.d, 0, 0x11, 0x800000017ffffff0, 0x11, 222
    AMO amomaxu.d, 0, 0x11, 0x800000017ffffff0, 0x800000017ffffff0, 224
    AMO amoswap.d, 0, 0xffffffff80000000, 0x800000017ffffff0, 0xffffffff80000000, 226
    AMO amoadd.d, 0, 0xffffffff80000000, 0x800000017ffffff0, 0x80000000fffffff0, 228
    AMO amoxor.d, 0, 0xffffffff80000000, 0x800000017ffffff0, 0x7ffffffefffffff0, 230
    AMO amoand.d, 0, 0xffffffff80000000, 0x800000017ffffff0, 0x8000000100000000, 232
    AMO amoor.d, 0, 0xffffffff80000000, 0x800000017ffffff0, 0xfffffffffffffff0, 234
    AMO amomin.d, 0, 0xffffffff80000000, 0x800000017ffffff0, 0x800000017ffffff0, 236
    AMO amomax.d, 0, 0xffffffff80000000, 0x800000017ffffff0, 0xffffffff80000000, 238
    AMO amominu.d, 0, 0xffffffff80000000, 0x800000017ffffff0, 0x800000017ffffff0, 240
    AMO amomaxu.d, 0, 0xffffffff80000000, 0x800000017ffffff0, 0xffffffff80000000, 242
    AMO amoswap.d, 0, 0x1fffffffe, 0x800000017ffffff0, 0x1fffffffe, 244
    AMO amoadd.d, 0, 0x1fffffffe, 0x800000017ffffff0, 0x800000037fffffee, 246
    AMO amoxor.d, 0, 0x1fffffffe, 0x800000017ffffff0, 0x800000008000000e, 248
    AMO amoand.d, 0, 0x1fffffffe, 0x800000017ffffff0, 0x17ffffff0, 250
    AMO amoor.d, 0, 0x1fffffffe, 0x800000017ffffff0, 0x80000001fffffffe, 252
    AMO amomin.d, 0, 0x1fffffffe, 0x800000017ffffff0, 0x800000017ffffff0, 254
    AMO amomax.d, 0, 0x1fffffffe, 0x800000017ffffff0, 0x1fffffffe, 256
    AMO amominu.d, 0, 0x1fffffffe, 0x800000017ffffff0, 0x1fffffffe, 258
    AMO amomaxu.d, 0, 0x1fffffffe, 0x800000017ffffff0, 0x800000017ffffff0, 260

    // ---- signatures ----
    la s0, buf
    li a1, 0x0123456789abcdef
    sd a1, 0(s0)
    li a2, 0xfedcba9876543210
    amoadd.w a0, a2, (s0)
    SIG a0
    amomaxu.d a0, a2, (s0)
    SIG a0
    addi s1, s0, 4
    amoxor.w a0, a2, (s1)
    SIG a0
    ld a0, 0(s0)
    SIG a0

    TEST_END

    .data
    .align 4
buf:
    .dword 0, 0
