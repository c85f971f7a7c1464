/* CPUS: 4
 * Atomics across harts on separate host threads: every hart adds to two
 * shared counters ITER times, one with amoadd.d and one with an LR/SC
 * loop, plus amoor.w/amoswap.d traffic on a third word. Hart 0 waits for
 * all harts, then checks both counters equal NHARTS * ITER exactly — a
 * lost update in either mechanism makes them differ. */
#include "../common.h"

#define NHARTS 4
#define ITER   20000

    .section .text.init
    .globl _start
_start:
    /* per-hart stack not needed; a0 = hartid */
    la   s0, counter_amo
    la   s1, counter_lrsc
    la   s2, bits
    li   s3, ITER
    li   t0, 1
    sll  s4, t0, a0          /* this hart's bit */
1:  li   t1, 1
    amoadd.d zero, t1, (s0)
2:  lr.d t2, (s1)
    addi t2, t2, 1
    sc.d t3, t2, (s1)
    bnez t3, 2b
    amoor.w zero, s4, (s2)
    addi s3, s3, -1
    bnez s3, 1b
    la   t0, done
    li   t1, 1
    amoadd.d zero, t1, (t0)
    bnez a0, park
    /* hart 0: wait for everybody */
    la   t0, done
3:  ld   t1, 0(t0)
    li   t2, NHARTS
    bne  t1, t2, 3b
    fence rw, rw
    ld   t1, 0(s0)
    CHECK t1, NHARTS*ITER, 1
    ld   t1, 0(s1)
    CHECK t1, NHARTS*ITER, 2
    lw   t1, 0(s2)
    CHECK t1, (1 << NHARTS) - 1, 3
    PASS
park:
    wfi
    j park
fail:
    FAIL_EXIT

    .data
    .align 3
counter_amo:  .dword 0
    .align 6
counter_lrsc: .dword 0
    .align 6
bits:         .dword 0
    .align 6
done:         .dword 0
