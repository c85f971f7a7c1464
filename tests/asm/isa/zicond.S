// Zicond: czero.eqz rd, rs1, rs2 (rd = rs2 == 0 ? 0 : rs1) and
// czero.nez rd, rs1, rs2 (rd = rs2 != 0 ? 0 : rs1).
// Debian's binutils 2.40 does not know Zicond, so the instructions are
// encoded with .insn (OP opcode 0x33, funct7 0000111, funct3 101 / 111).
// QEMU 7.2 does not implement Zicond: this program runs on vireo only
// (see the QEMU exclusion list in crates/vireo/tests/integration/asm.rs).
#include "common.h"

.macro CZERO_EQZ rd, rs1, rs2
    .insn r 0x33, 5, 7, \rd, \rs1, \rs2
.endm
.macro CZERO_NEZ rd, rs1, rs2
    .insn r 0x33, 7, 7, \rd, \rs1, \rs2
.endm

    TEST_BEGIN

    li a1, 0x0123456789abcdef
    li a2, 1
    CZERO_EQZ a0, a1, a2
    CHECK a0, 0x0123456789abcdef, 1
    CZERO_NEZ a0, a1, a2
    CHECK a0, 0, 2
    li a2, 0
    CZERO_EQZ a0, a1, a2
    CHECK a0, 0, 3
    CZERO_NEZ a0, a1, a2
    CHECK a0, 0x0123456789abcdef, 4
    // every bit of the condition counts, including the top one
    li a2, 0x8000000000000000
    CZERO_EQZ a0, a1, a2
    CHECK a0, 0x0123456789abcdef, 5
    CZERO_NEZ a0, a1, a2
    CHECK a0, 0, 6
    li a2, 0x100000000              // low word zero: still nonzero
    CZERO_EQZ a0, a1, a2
    CHECK a0, 0x0123456789abcdef, 7
    CZERO_NEZ a0, a1, a2
    CHECK a0, 0, 8
    // x0 as condition: always zero
    CZERO_EQZ a0, a1, zero
    CHECK a0, 0, 9
    CZERO_NEZ a0, a1, zero
    CHECK a0, 0x0123456789abcdef, 10
    // x0 as value: always 0
    li a2, 5
    CZERO_EQZ a0, zero, a2
    CHECK a0, 0, 11
    // rd == rs1 and rd == rs2
    li a0, 77
    li a2, 0
    CZERO_NEZ a0, a0, a2
    CHECK a0, 77, 12
    CZERO_EQZ a0, a0, a2
    CHECK a0, 0, 13
    li a0, 9
    CZERO_EQZ a0, a1, a0            // condition = old a0 (9): keep a1
    CHECK a0, 0x0123456789abcdef, 14
    // writes to x0 are ignored
    CZERO_NEZ zero, a1, zero
    CHECK zero, 0, 15
    // the idiom: a0 = c ? x : y  ==  czero.eqz(x, c) | czero.nez(y, c)
    li a3, 111                      // x
    li a4, 222                      // y
    li a2, 1                        // c
    CZERO_EQZ a5, a3, a2
    CZERO_NEZ a6, a4, a2
    or a0, a5, a6
    CHECK a0, 111, 16
    li a2, 0
    CZERO_EQZ a5, a3, a2
    CZERO_NEZ a6, a4, a2
    or a0, a5, a6
    CHECK a0, 222, 17

    // ---- signatures ----
    li a1, -1
    li a2, 2
    CZERO_EQZ a0, a1, a2
    SIG a0
    CZERO_NEZ a0, a1, a2
    SIG a0

    TEST_END
