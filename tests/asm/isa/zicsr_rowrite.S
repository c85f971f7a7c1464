// Zicsr: csrrs/csrrc with rs1 other than x0 always attempt a write, even
// when the register holds 0 ("the instruction will still attempt to write
// the unmodified value back to the CSR"), so on a read-only CSR (cycle,
// time, instret) they raise illegal-instruction. Only rs1 = x0 (and
// uimm = 0 for the immediate forms) makes them pure reads.
// QEMU 7.2 decides by the value instead of the register number and does not
// trap here, so this program runs on vireo only (see the QEMU exclusion
// list in crates/vireo/tests/integration/asm.rs).
#include "common.h"

    TEST_BEGIN

    la t0, csr_trap
    csrw mtvec, t0
    li s8, 0                        // traps taken
    li s7, 0                        // last mcause
    li s6, 0                        // last mepc
    li a1, 0
    li TESTNUM, 1
t_time:
    csrrs a0, time, a1
    CHECK s8, 1, 2
    CHECK s7, 2, 3                  // illegal instruction
    la a2, t_time
    CHECKR s6, a2, 4
    csrrc a0, cycle, a1
    CHECK s8, 2, 5
    csrrs a0, instret, a1
    CHECK s8, 3, 6
    csrrc zero, time, a1            // rd = x0 does not matter either
    CHECK s8, 4, 7
    // the pure reads do not trap
    csrrs a0, time, zero
    csrrc a0, cycle, zero
    csrrsi a0, instret, 0
    csrrci a0, time, 0
    CHECK s8, 4, 8
    la t0, unexpected_trap
    csrw mtvec, t0

    TEST_END

    .align 2
csr_trap:
    addi s8, s8, 1
    csrr s7, mcause
    csrr s6, mepc
    addi t3, s6, 4
    csrw mepc, t3
    mret
