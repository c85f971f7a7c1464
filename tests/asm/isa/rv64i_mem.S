// RV64I loads and stores: LB/LH/LW/LD/LBU/LHU/LWU, SB/SH/SW/SD, with
// positive and negative offsets, sign and zero extension, and narrow stores
// leaving neighbouring bytes alone. Little-endian. All accesses aligned.
#include "common.h"

    TEST_BEGIN

    la s0, data
    // ---- loads from the pattern 0x8f7e6d5c4b3a2918, 0x0102030480c0e0f0 ----
    ld a0, 0(s0)
    CHECK a0, 0x8f7e6d5c4b3a2918, 1
    ld a0, 8(s0)
    CHECK a0, 0x0102030480c0e0f0, 2
    lw a0, 0(s0)
    CHECK a0, 0x4b3a2918, 3
    lw a0, 4(s0)
    CHECK a0, 0xffffffff8f7e6d5c, 4
    lwu a0, 4(s0)
    CHECK a0, 0x8f7e6d5c, 5
    lwu a0, 0(s0)
    CHECK a0, 0x4b3a2918, 6
    lw a0, 8(s0)
    CHECK a0, 0xffffffff80c0e0f0, 7
    lh a0, 0(s0)
    CHECK a0, 0x2918, 8
    lh a0, 6(s0)
    CHECK a0, 0xffffffffffff8f7e, 9
    lhu a0, 6(s0)
    CHECK a0, 0x8f7e, 10
    lh a0, 10(s0)
    CHECK a0, 0xffffffffffff80c0, 11
    lhu a0, 10(s0)
    CHECK a0, 0x80c0, 12
    lb a0, 0(s0)
    CHECK a0, 0x18, 13
    lb a0, 7(s0)
    CHECK a0, 0xffffffffffffff8f, 14
    lbu a0, 7(s0)
    CHECK a0, 0x8f, 15
    lb a0, 6(s0)
    CHECK a0, 0x7e, 16
    lb a0, 8(s0)
    CHECK a0, 0xfffffffffffffff0, 17
    lbu a0, 8(s0)
    CHECK a0, 0xf0, 18
    lb a0, 15(s0)
    CHECK a0, 1, 19

    // negative offsets
    addi s1, s0, 16
    ld a0, -16(s1)
    CHECK a0, 0x8f7e6d5c4b3a2918, 20
    lw a0, -4(s1)
    CHECK a0, 0x01020304, 21
    lhu a0, -6(s1)
    CHECK a0, 0x80c0, 22
    lb a0, -9(s1)
    CHECK a0, 0xffffffffffffff8f, 23
    lbu a0, -1(s1)
    CHECK a0, 0x01, 24
    // largest offsets
    la s1, data + 2048
    ld a0, -2048(s1)
    CHECK a0, 0x8f7e6d5c4b3a2918, 25
    la s1, big - 2047 + 1          // big + 1 - 2047: 2047(s1) = big + 1
    lbu a0, 2047(s1)
    CHECK a0, 0xbb, 26

    // ---- stores ----
    la s0, buf
    li a1, -1
    sd a1, 0(s0)
    sd a1, 8(s0)
    li a1, 0x1122334455667788
    sb a1, 0(s0)
    ld a0, 0(s0)
    CHECK a0, 0xffffffffffffff88, 30
    sb a1, 5(s0)
    ld a0, 0(s0)
    CHECK a0, 0xffff88ffffffff88, 31
    sh a1, 2(s0)
    ld a0, 0(s0)
    CHECK a0, 0xffff88ff7788ff88, 32
    sw a1, 8(s0)
    ld a0, 8(s0)
    CHECK a0, 0xffffffff55667788, 33
    sw a1, 12(s0)
    ld a0, 8(s0)
    CHECK a0, 0x5566778855667788, 34
    sd a1, 0(s0)
    ld a0, 0(s0)
    CHECK a0, 0x1122334455667788, 35
    lwu a0, 4(s0)
    CHECK a0, 0x11223344, 36
    // negative store offsets
    addi s1, s0, 16
    li a1, 0xa5
    sb a1, -16(s1)
    sh a1, -14(s1)
    li a1, 0xdeadbeef
    sw a1, -4(s1)
    ld a0, 0(s0)
    CHECK a0, 0x1122334400a577a5, 37
    ld a0, 8(s0)
    CHECK a0, 0xdeadbeef55667788, 38
    lw a0, -4(s1)
    CHECK a0, 0xffffffffdeadbeef, 39
    // store then load back every size at every aligned position of a dword
    li s2, 0x0f1e2d3c4b5a6978
    sd s2, 0(s0)
    .irp off, 0, 1, 2, 3, 4, 5, 6, 7
    lbu a0, \off(s0)
    srli a1, s2, (8 * \off)
    andi a1, a1, 0xff
    CHECKR a0, a1, 40 + \off
    .endr
    .irp off, 0, 2, 4, 6
    lhu a0, \off(s0)
    srli a1, s2, (8 * \off)
    slli a1, a1, 48
    srli a1, a1, 48
    CHECKR a0, a1, 50 + \off
    .endr
    // store of x0
    sd zero, 0(s0)
    ld a0, 0(s0)
    CHECK a0, 0, 60
    // load into the base register
    la a0, data
    ld a0, 0(a0)
    CHECK a0, 0x8f7e6d5c4b3a2918, 61
    // load into x0 is discarded
    la a0, data
    lw zero, 0(a0)
    CHECK zero, 0, 62

    // ---- signatures ----
    la s0, data
    ld a0, 0(s0)
    SIG a0
    lw a0, 4(s0)
    SIG a0
    lh a0, 10(s0)
    SIG a0
    lb a0, 8(s0)
    SIG a0

    TEST_END

    .data
    .align 4
data:
    .dword 0x8f7e6d5c4b3a2918
    .dword 0x0102030480c0e0f0
    .space 2048
big:
    .byte 0xaa, 0xbb, 0xcc, 0xdd
    .align 4
buf:
    .space 64
