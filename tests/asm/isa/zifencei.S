// Zifencei: self-modifying code. A store over an instruction followed by
// fence.i makes the next fetch of that address see the new instruction:
//   - a called function, first run many times (hot), then patched;
//   - the instruction right after the fence.i;
//   - a 2-byte compressed instruction patched with a halfword store;
//   - a 4-byte instruction written as two halfwords;
//   - a loop body patched between two runs of the loop.
// (Without fence.i the result is unspecified, so that is not tested.)
#include "common.h"

    TEST_BEGIN

    // ---- a hot function, patched ----
    li s0, 50
    li s1, 0
1:  call smc_fn
    add s1, s1, a0
    addi s0, s0, -1
    bnez s0, 1b
    CHECK s1, 50, 1
    la a1, smc_fn
    la a2, tmpl_li2
    lw a3, 0(a2)
    sw a3, 0(a1)
    fence.i
    call smc_fn
    CHECK a0, 2, 2
    li s0, 50                       // and it stays patched
    li s1, 0
2:  call smc_fn
    add s1, s1, a0
    addi s0, s0, -1
    bnez s0, 2b
    CHECK s1, 100, 3

    // ---- the instruction right after the fence.i ----
    la a1, patch_site
    la a2, tmpl_li42
    lw a3, 0(a2)
    sw a3, 0(a1)
    fence.i
patch_site:
    li a0, 7                        // becomes li a0, 42
    CHECK a0, 42, 4

    // ---- a compressed instruction, patched with sh ----
    la a1, patch_c
    la a2, tmpl_cli9
    lhu a3, 0(a2)
    sh a3, 0(a1)
    fence.i
    .option push
    .option rvc
patch_c:
    c.li a0, 5                      // becomes c.li a0, 9
    c.nop
    .option pop
    CHECK a0, 9, 5

    // ---- a 4-byte instruction written in two halves ----
    la a1, patch_halves
    la a2, tmpl_addi_big
    lhu a3, 0(a2)
    lhu a4, 2(a2)
    sh a4, 2(a1)                    // upper half first
    sh a3, 0(a1)
    fence.i
    li a0, 1
patch_halves:
    addi a0, a0, 1                  // becomes addi a0, a0, 1000
    CHECK a0, 1001, 6

    // ---- a loop body, patched between runs ----
    li s2, 0
    call run_loop                   // 1000 x (addi s2, s2, 1)
    CHECK s2, 1000, 7
    la a1, loop_body
    la a2, tmpl_addi3
    lw a3, 0(a2)
    sw a3, 0(a1)
    fence.i
    li s2, 0
    call run_loop                   // 1000 x (addi s2, s2, 3)
    CHECK s2, 3000, 8
    // and back again
    la a1, loop_body
    la a2, tmpl_addi1
    lw a3, 0(a2)
    sw a3, 0(a1)
    fence.i
    li s2, 0
    call run_loop
    CHECK s2, 1000, 9

    // ---- signatures ----
    call smc_fn
    SIG a0
    SIG s2

    TEST_END

smc_fn:
    li a0, 1
    ret

run_loop:
    li s3, 1000
1:
loop_body:
    addi s2, s2, 1
    addi s3, s3, -1
    bnez s3, 1b
    ret

    .data
    .align 2
    // instruction templates (assembled here, copied over code)
tmpl_li2:
    li a0, 2
tmpl_li42:
    li a0, 42
tmpl_addi_big:
    addi a0, a0, 1000
tmpl_addi3:
    addi s2, s2, 3
tmpl_addi1:
    addi s2, s2, 1
    .option push
    .option rvc
tmpl_cli9:
    c.li a0, 9
    .option pop
