// Zicsr and the unprivileged counters (Zicntr):
//   - csrrw/csrrs/csrrc/csrrwi/csrrsi/csrrci on fcsr (old value returned,
//     rd = x0 and rs1 = x0 / uimm = 0 forms);
//   - cycle, time, instret readable from M-mode and increasing; instret
//     counts at least the instructions retired between two reads;
//   - the counters are read-only: csrw/csrrwi and csrrs/csrrc/csrrsi with
//     bits to set raise illegal-instruction, while csrrs/csrrc with rs1 = x0
//     and csrrsi/csrrci with uimm = 0 only read. (csrrs/csrrc with an rs1
//     other than x0 that holds 0 must trap too; QEMU 7.2 does not, so that
//     case lives in zicsr_rowrite.S.)
// Counter values differ between machines and runs: they are never printed.
#include "common.h"

    TEST_BEGIN

    // ---- read/modify/write on fcsr ----
    li a1, 0x21
    csrrw a0, fcsr, a1
    CHECK a0, 0, 1
    csrrs a0, fcsr, zero            // read only
    CHECK a0, 0x21, 2
    li a1, 0x84
    csrrs a0, fcsr, a1
    CHECK a0, 0x21, 3
    csrr a0, fcsr
    CHECK a0, 0xa5, 4
    li a1, 0x0f
    csrrc a0, fcsr, a1
    CHECK a0, 0xa5, 5
    csrr a0, fcsr
    CHECK a0, 0xa0, 6
    csrrwi a0, fcsr, 0x1f
    CHECK a0, 0xa0, 7
    csrrsi a0, fcsr, 0              // uimm = 0: read only
    CHECK a0, 0x1f, 8
    csrrci a0, fcsr, 0x3
    CHECK a0, 0x1f, 9
    csrrci a0, fcsr, 0
    CHECK a0, 0x1c, 10
    csrrsi a0, fcsr, 0x10
    CHECK a0, 0x1c, 11
    csrrw zero, fcsr, zero          // rd = x0: write only
    csrr a0, fcsr
    CHECK a0, 0, 12
    csrrwi zero, fflags, 0x5
    csrr a0, fcsr
    CHECK a0, 0x5, 13
    // rd == rs1: the old value goes to rd, the write uses the old rs1
    li a0, 0x60
    csrrw a0, fcsr, a0
    CHECK a0, 0x5, 14
    csrr a0, fcsr
    CHECK a0, 0x60, 15
    li a0, 0x01
    csrrs a0, fcsr, a0
    CHECK a0, 0x60, 16
    csrr a0, fcsr
    CHECK a0, 0x61, 17
    csrw fcsr, zero

    // ---- counters ----
    csrw mcountinhibit, zero        // counting enabled (its reset value is not ours to assume)
    rdcycle s0
    rdinstret s1
    rdtime s2
    .rept 100
    addi a0, a0, 1
    .endr
    rdinstret s4
    rdcycle s3
    li TESTNUM, 20
    bgeu s0, s3, fail               // cycle increased
    li TESTNUM, 21
    bgeu s1, s4, fail               // instret increased
    sub a1, s4, s1
    li a2, 100
    li TESTNUM, 22
    bltu a1, a2, fail               // by at least the 100 addi
    // the long forms read the same counters
    csrr a0, instret
    li TESTNUM, 23
    bgeu s4, a0, fail
    csrrs a1, cycle, zero
    li TESTNUM, 24
    bgeu s3, a1, fail
    csrrc a0, instret, zero
    csrrsi a1, time, 0
    csrrci a1, cycle, 0
    // time: never decreases, and eventually increases (10 MHz)
    li s5, 50000000                 // iterations before giving up
    li TESTNUM, 25
1:  rdtime a0
    bltu a0, s2, fail               // decreased
    bne a0, s2, 2f
    addi s5, s5, -1
    bnez s5, 1b
    li TESTNUM, 26
    j fail                          // never increased
2:  rdtime a1
    li TESTNUM, 27
    bltu a1, a0, fail

    // ---- read-only counters: attempted writes trap ----
    la t0, csr_trap
    csrw mtvec, t0
    li s8, 0                        // traps taken
    li s7, 0                        // last mcause
    li TESTNUM, 30
    csrw cycle, a0
    CHECK s8, 1, 31
    CHECK s7, 2, 32                 // illegal instruction
    csrrw a0, instret, zero         // csrrw always writes
    CHECK s8, 2, 33
    li a1, 1
    csrrs a0, time, a1
    CHECK s8, 3, 34
    csrrc a0, cycle, a1
    CHECK s8, 4, 35
    csrrwi a0, instret, 0
    CHECK s8, 5, 36
    csrrsi a0, time, 1
    CHECK s8, 6, 37
    csrrs a0, cycle, zero           // reads do not trap
    csrrci a0, instret, 0
    rdtime a0
    CHECK s8, 6, 38
    la t0, unexpected_trap
    csrw mtvec, t0

    // ---- signatures (fcsr only: counters differ between machines) ----
    csrwi fcsr, 0x7
    csrrsi a0, fcsr, 0x18
    SIG a0
    csrr a0, fcsr
    SIG a0

    TEST_END

    .align 2
csr_trap:
    addi s8, s8, 1
    csrr s7, mcause
    csrr t3, mepc
    addi t3, t3, 4
    csrw mepc, t3
    mret
