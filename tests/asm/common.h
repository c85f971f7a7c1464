/* Shared macros for vireo's self-checking bare-metal test programs.
 *
 * A test starts at _start in M-mode. It reports through the test device at
 * 0x100000 (QEMU virt's sifive_test): 0x5555 = pass, (n << 16) | 0x3333 =
 * fail with test number n. The number of the check being run is kept in
 * gp (TESTNUM) so a failure says which check failed.
 * Output for differential testing goes to the NS16550A at 0x10000000.
 *
 * The files are run through the C preprocessor (`cpp -undef -nostdinc
 * -x assembler-with-cpp -I tests/asm`), then riscv64-unknown-elf-as and
 * riscv64-unknown-elf-ld -T tests/asm/link.ld; see
 * crates/vireo/tests/integration/asm.rs.
 *
 * Register conventions of the macros below:
 *   gp (x3)            TESTNUM, the number of the current check
 *   t3..t6 (x28..x31)  scratch of CHECK*, PUT*, FAIL_EXIT: tests keep their
 *                      values in other registers
 * Check numbers must lie in 1..0xffff (the device takes n << 16 in 32 bits).
 * QEMU exits with status n & 0xff, which is 0 for n = 256, 512, ...; so
 * FAIL_EXIT also prints "*** FAIL <n>" on the UART, and harnesses treat that
 * line as a failure whatever the exit status.
 */
#define TESTDEV  0x100000
#define UART0    0x10000000
#define TESTNUM  gp

/* mstatus.FS = Initial..Dirty: FP instructions and CSRs are usable. */
#define MSTATUS_FS 0x6000

/* fflags bits */
#define FF_NX 0x01
#define FF_UF 0x02
#define FF_OF 0x04
#define FF_DZ 0x08
#define FF_NV 0x10

/* Rounding modes (frm and the rm field) */
#define RM_RNE 0
#define RM_RTZ 1
#define RM_RDN 2
#define RM_RUP 3
#define RM_RMM 4
#define RM_DYN 7

/* Exit with success. */
.macro PASS
    li t6, TESTDEV
    li t5, 0x5555
    sw t5, 0(t6)
99: j 99b
.endm

/* Exit with failure code in TESTNUM (after printing it on the UART).
 * A TESTNUM of 0 (a failure before the first check) is reported as 0xffff,
 * because QEMU's test device exits with status `code` and 0 means success. */
.macro FAIL_EXIT
    PUTS "*** FAIL "
    PUTHEX TESTNUM
    bnez TESTNUM, 91f
    li TESTNUM, 0xffff
91: li t6, TESTDEV
    slli t5, TESTNUM, 16
    ori t5, t5, 0x333
    li t4, 0x3000
    or t5, t5, t4
    sw t5, 0(t6)
99: j 99b
.endm

/* CHECK reg, expected, n: fail with n unless reg == expected.
 * Uses t5/t6 as scratch; jumps to the label `fail`, which every test
 * defines (usually as `fail: FAIL_EXIT`). */
.macro CHECK reg, expected, n
    li TESTNUM, \n
    li t5, \expected
    bne \reg, t5, fail
.endm

/* CHECKR a, b, n: fail with n unless registers a and b are equal. */
.macro CHECKR reg, reg2, n
    li TESTNUM, \n
    bne \reg, \reg2, fail
.endm

/* CHECKD freg, bits, n: the 64 bits of freg must be `bits`. */
.macro CHECKD freg, bits, n
    fmv.x.d t3, \freg
    CHECK t3, \bits, \n
.endm

/* CHECKS freg, bits32, n: freg must hold the single `bits32`, NaN-boxed
 * (upper 32 bits all ones). */
.macro CHECKS freg, bits32, n
    fmv.x.d t3, \freg
    CHECK t3, (0xffffffff00000000 | (\bits32)), \n
.endm

/* CHECK_FFLAGS bits, n: fflags must be `bits`; clears fflags. */
.macro CHECK_FFLAGS bits, n
    csrrw t3, fflags, zero
    CHECK t3, \bits, \n
.endm

/* UART output (NS16550A: THR at +0, LSR at +5, bit 5 = THR empty). */

/* PUTCR reg: print the low byte of reg (t5 and t6 are clobbered; reg must
 * not be t6). */
.macro PUTCR reg
    li t6, UART0
98: lbu t5, 5(t6)
    andi t5, t5, 0x20
    beqz t5, 98b
    sb \reg, 0(t6)
.endm

/* PUTC 'c': print one character (t4..t6 clobbered). */
.macro PUTC ch
    li t4, \ch
    PUTCR t4
.endm

/* PUTS "text": print a string (t3..t6 clobbered). */
.macro PUTS str
    .pushsection .rodata
97: .asciz "\str"
    .popsection
    la t3, 97b
96: lbu t4, 0(t3)
    beqz t4, 95f
    PUTCR t4
    addi t3, t3, 1
    j 96b
95:
.endm

/* PUTHEXN reg, digits: print the low `digits` hex digits of reg (1..16),
 * no newline (t3..t6 clobbered; reg may be any register). */
.macro PUTHEXN reg, digits
    mv t3, \reg
    .if \digits < 16
    slli t3, t3, 64 - 4 * (\digits)
    .endif
    li t4, \digits
94: li t6, UART0
93: lbu t5, 5(t6)
    andi t5, t5, 0x20
    beqz t5, 93b
    srli t5, t3, 60
    addi t5, t5, -10
    bltz t5, 92f
    addi t5, t5, 'a' - '0' - 10
92: addi t5, t5, '0' + 10
    sb t5, 0(t6)
    slli t3, t3, 4
    addi t4, t4, -1
    bnez t4, 94b
.endm

/* PUTHEX reg: print reg as 16 hex digits and a newline (t3..t6 clobbered;
 * reg may be any register). */
.macro PUTHEX reg
    PUTHEXN \reg, 16
    PUTC '\n'
.endm

/* SIG reg: print a signature value (an architectural result that the
 * differential test compares between vireo and QEMU). */
.macro SIG reg
    PUTHEX \reg
.endm

/* SIGF freg: print the 64 bits of an FP register. */
.macro SIGF freg
    fmv.x.d t3, \freg
    PUTHEX t3
.endm

/* SIG_FFLAGS: print fflags and clear them. */
.macro SIG_FFLAGS
    csrrw t3, fflags, zero
    PUTHEX t3
.endm

/* TRAP_HANDLER: an mtvec target for tests that expect no trap: prints
 * mcause, mepc and mtval, then fails with the current TESTNUM. */
.macro TRAP_HANDLER
    .align 2
unexpected_trap:
    PUTS "*** TRAP mcause mepc mtval\n"
    csrr t3, mcause
    PUTHEX t3
    csrr t3, mepc
    PUTHEX t3
    csrr t3, mtval
    PUTHEX t3
    FAIL_EXIT
.endm

/* TEST_BEGIN: entry point; installs the unexpected-trap handler, enables
 * the FPU (mstatus.FS) and clears fcsr. Expects TEST_END at the end.
 * Sets `.option norvc` so that the assembler does not silently compress the
 * instructions under test; the C extension test turns RVC back on. */
.macro TEST_BEGIN
    .option norvc
    .section .text.init
    .globl _start
_start:
    li TESTNUM, 0
    la t0, unexpected_trap
    csrw mtvec, t0
    li t0, MSTATUS_FS
    csrs mstatus, t0
    csrw fcsr, zero
.endm

/* TEST_END: pass, and define `fail` and the trap handler. */
.macro TEST_END
    PASS
fail:
    FAIL_EXIT
    TRAP_HANDLER
.endm
