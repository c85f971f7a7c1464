/* A bare-metal integer loop for measuring interpreter speed (MIPS).
 * 50 million iterations of a 10-instruction body (a mix of ALU ops, a
 * load, a store and a branch) = about 500 million instructions, then exit
 * through the test device. The result is also checked so the loop cannot
 * be optimized away by anyone. */
    .section .text.init
    .globl _start
_start:
    li   t0, 50000000      /* iterations */
    li   t1, 0             /* accumulator */
    li   t2, 0x12345
    la   t3, scratch
1:  add  t1, t1, t2
    xor  t2, t2, t1
    slli t4, t1, 3
    srli t5, t2, 5
    sd   t4, 0(t3)
    ld   t6, 0(t3)
    add  t1, t1, t6
    sub  t2, t2, t5
    addi t0, t0, -1
    bnez t0, 1b
    li   t0, 0x100000
    li   t1, 0x5555
    sw   t1, 0(t0)
2:  j 2b
    .data
    .align 3
scratch: .dword 0
