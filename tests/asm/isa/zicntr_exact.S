// instret counts retired instructions exactly: a read returns the number of
// instructions retired before it, so two back-to-back rdinstret differ by
// 1, and reads around N instructions differ by N + 1 (whatever the code
// looks like: straight line, compressed, taken branches, loops, calls).
// QEMU 7.2 without -icount returns host timestamp-counter ticks for
// instret, so this program runs on vireo only (see the QEMU exclusion list
// in crates/vireo/tests/integration/asm.rs). zicsr.S checks the weaker
// property both must have (at least N).
#include "common.h"

// INSTRET_DELTA n, expected: s1 = instret before, s2 = after; check n
.macro INSTRET_DELTA n, expected
    sub a0, s2, s1
    CHECK a0, \expected, \n
.endm

    TEST_BEGIN

    // back to back
    csrw mcountinhibit, zero        // counting enabled (its reset value is not ours to assume)
    rdinstret s1
    rdinstret s2
    INSTRET_DELTA 1, 1
    // 100 instructions in a straight line
    rdinstret s1
    .rept 100
    addi a0, a0, 1
    .endr
    rdinstret s2
    INSTRET_DELTA 2, 101
    // 300 instructions: longer than any plausible translation block
    rdinstret s1
    .rept 300
    xor a1, a1, a0
    .endr
    rdinstret s2
    INSTRET_DELTA 3, 301
    // compressed instructions count as instructions too
    .option push
    .option rvc
    rdinstret s1
    c.addi a0, 1
    c.addi a0, 1
    c.nop
    c.mv a1, a0
    rdinstret s2
    .option pop
    INSTRET_DELTA 4, 5
    // a loop: 10 iterations of 3 instructions, plus the li
    rdinstret s1
    li a2, 10
1:  addi a0, a0, 1
    addi a2, a2, -1
    bnez a2, 1b
    rdinstret s2
    INSTRET_DELTA 5, 32
    // taken jumps and a call/return
    rdinstret s1
    j 2f
    nop                             // skipped
2:  jal ra, counted_fn              // jal, addi, ret
    rdinstret s2
    INSTRET_DELTA 6, 5
    // the long form and the counter in other CSR instructions
    csrr s1, instret
    csrrs s2, instret, zero
    INSTRET_DELTA 7, 1

    TEST_END

counted_fn:
    addi a0, a0, 1
    ret
