// Zicboz / Zicbom (and the Zicbop prefetch hints):
//   - cbo.zero zeroes the whole 64-byte aligned block that contains the
//     address in rs1 (also when rs1 points into the middle of the block),
//     and nothing outside it (block size 64, as QEMU's and vireo's virt
//     machines advertise in the device tree);
//   - cbo.clean, cbo.flush and cbo.inval execute without faulting in
//     M-mode; clean and flush keep the data (memory is the only copy);
//   - prefetch.i/r/w are hints (ori x0 encodings): no effect.
#include "common.h"

    TEST_BEGIN

    // fill three blocks with a pattern
    la s0, blocks
    li a1, 0xa5a5a5a5a5a5a5a5
    li a2, 24                       // 24 dwords = 192 bytes
    mv a3, s0
1:  sd a1, 0(a3)
    addi a3, a3, 8
    addi a2, a2, -1
    bnez a2, 1b

    // ---- cbo.zero on an address inside the middle block ----
    addi a0, s0, 64 + 40
    cbo.zero (a0)
    li s1, 0                        // dword index
2:  slli a3, s1, 3
    add a3, a3, s0
    ld a4, 0(a3)
    li TESTNUM, 100
    add TESTNUM, TESTNUM, s1        // check 100 + index
    li a5, 8
    bltu s1, a5, 3f                 // first block: pattern
    li a5, 16
    bltu s1, a5, 4f                 // middle block: zero
3:  bne a4, a1, fail
    j 5f
4:  bnez a4, fail
5:  addi s1, s1, 1
    li a5, 24
    bltu s1, a5, 2b

    // ---- cbo.zero on the aligned address of the last block ----
    addi a0, s0, 128
    cbo.zero (a0)
    ld a4, 128(s0)
    CHECK a4, 0, 130
    ld a4, 184(s0)
    CHECK a4, 0, 131
    ld a4, 56(s0)
    CHECK a4, 0xa5a5a5a5a5a5a5a5, 132

    // ---- cbo.clean / cbo.flush keep data; cbo.inval does not fault ----
    li a1, 0x0123456789abcdef
    sd a1, 8(s0)
    cbo.clean (s0)
    ld a4, 8(s0)
    CHECK a4, 0x0123456789abcdef, 140
    addi a0, s0, 13                 // any address within the block
    cbo.flush (a0)
    ld a4, 8(s0)
    CHECK a4, 0x0123456789abcdef, 141
    addi a0, s0, 64
    cbo.inval (a0)
    li TESTNUM, 142                 // reached: no trap

    // ---- prefetch hints ----
    li a0, 5
    prefetch.i 0(s0)
    prefetch.r 64(s0)
    prefetch.w -32(s0)
    CHECK a0, 5, 150

    // ---- signature ----
    ld a0, 0(s0)
    SIG a0
    ld a0, 64(s0)
    SIG a0

    TEST_END

    .data
    .balign 64
blocks:
    .space 192
