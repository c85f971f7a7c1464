/* QEMU: skip (QEMU's virt machine has no HTIF and this program reports only through tohost; it passes on qemu-system-riscv64 -M spike -bios none) */
/* htif.S: a program that reports through the HTIF tohost/fromhost pair
 * instead of the test device: a `tohost` symbol in section .tohost,
 * 8-byte aligned, `fromhost` right after it. Writing 1 to tohost means
 * pass; (n << 1) | 1 means failure of check n. Traps are failures.
 */
#include "../common.h"

    .section .text.init
    .globl _start
_start:
    .option norvc
    li TESTNUM, 1
    la t0, trap
    csrw mtvec, t0

    /* 1-2: the pair is where the convention puts it */
    la a1, tohost
    andi t0, a1, 7
    CHECK t0, 0, 1
    la a2, fromhost
    sub t0, a2, a1
    CHECK t0, 8, 2
    /* 3-4: nothing was posted yet */
    ld t0, 0(a1)
    CHECK t0, 0, 3
    ld t0, 0(a2)
    CHECK t0, 0, 4
    /* 5: running on hart 0 */
    csrr t0, mhartid
    CHECK t0, 0, 5
    /* 6: ordinary memory next to it still works */
    la a3, scratch
    li t1, 0x1122334455667788
    sd t1, 0(a3)
    ld t0, 0(a3)
    CHECKR t0, t1, 6

    li t0, 1
    sd t0, 0(a1)
1:  wfi
    j 1b

trap:
    li TESTNUM, 0x7ff
fail:
    la t0, tohost
    slli t1, TESTNUM, 1
    ori t1, t1, 1
    sd t1, 0(t0)
1:  wfi
    j 1b

    .section .tohost, "aw", @progbits
    .balign 8
    .globl tohost
    .type tohost, @object
    .size tohost, 8
tohost:
    .dword 0
    .globl fromhost
    .type fromhost, @object
    .size fromhost, 8
fromhost:
    .dword 0

    .section .data
scratch:
    .dword 0
