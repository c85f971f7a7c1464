/* QEMU: skip (QEMU 7.2 reports misaligned AMOs as load-address-misaligned (cause 4) and AMO access faults as load access faults (cause 5) instead of the store/AMO causes 6 and 7, and does not check the alignment of an SC that fails) */
/* amo.S: exceptions of AMOs and SC (privileged spec 1.12 table 3.6: AMOs
 * raise the store/AMO causes; unprivileged spec, A extension: LR/SC/AMO
 * addresses must be naturally aligned or an exception is raised). A
 * trapping AMO or SC leaves memory and rd unchanged.
 *
 * UART output: mcause and mtval of each trap.
 */
#include "../common.h"
#include "priv.h"

/* AMO_MIS insn, offset, n: `insn a0, a3, (a4)` at amo_buf+offset must
 * raise store/AMO misaligned with mtval = address, leave a0 alone.
 * Checks n..n+3. */
.macro AMO_MIS insn, offset, n
    addi a4, a2, \offset
    li a0, 0x5a5a
    TRAP_BEGIN
77: \insn a0, a3, (a4)
    TRAP_END
    CHECK s9, CAUSE_MISALIGNED_STORE, \n
    CHECK_EQ s10, a4, (\n + 1)
    la t0, 77b
    CHECK_EQ s11, t0, (\n + 2)
    CHECK a0, 0x5a5a, (\n + 3)
    PRINT_HEX s9
.endm

    .section .text.init
    .globl _start
_start:
    .option norvc
    PRIV_INIT
    PMP_ALLOW_ALL

    la a2, amo_buf
    li t0, 0x1111111111111111
    sd t0, 0(a2)
    sd t0, 8(a2)
    sd t0, 16(a2)
    li a3, 0x0f0f

    /* ---- 1-99: misaligned AMOs, every operation, both widths ---- */
    AMO_MIS amoswap.w, 2, 1
    AMO_MIS amoadd.w, 1, 5
    AMO_MIS amoxor.w, 3, 9
    AMO_MIS amoand.w, 6, 13
    AMO_MIS amoor.w, 10, 17
    AMO_MIS amomin.w, 2, 21
    AMO_MIS amomax.w, 2, 25
    AMO_MIS amominu.w, 2, 29
    AMO_MIS amomaxu.w, 2, 33
    AMO_MIS amoswap.d, 4, 37
    AMO_MIS amoadd.d, 1, 41
    AMO_MIS amoxor.d, 2, 45
    AMO_MIS amoand.d, 3, 49
    AMO_MIS amoor.d, 5, 53
    AMO_MIS amomin.d, 6, 57
    AMO_MIS amomax.d, 7, 61
    AMO_MIS amominu.d, 4, 65
    AMO_MIS amomaxu.d, 12, 69
    /* a 4-byte aligned, not 8-byte aligned .d is misaligned too */
    AMO_MIS amoadd.d, 4, 73

    /* ---- 100-119: misaligned SC, with and without a reservation ---- */
    AMO_MIS sc.w, 2, 100
    AMO_MIS sc.d, 4, 104
    /* a reservation on the aligned word does not make it succeed */
    lr.d t0, (a2)
    AMO_MIS sc.d, 1, 108
    lr.w t0, (a2)
    AMO_MIS sc.w, 1, 112

    /* memory was not modified by any of them */
    ld t0, 0(a2)
    CHECK t0, 0x1111111111111111, 116
    ld t0, 8(a2)
    CHECK t0, 0x1111111111111111, 117
    ld t0, 16(a2)
    CHECK t0, 0x1111111111111111, 118

    /* ---- 120-139: AMO access faults are store/AMO access faults ---- */
    li a2, 0x800
    addi a4, a2, 0
    TRAP_BEGIN
amo_acc_w:
    amoadd.w a0, a3, (a4)
    TRAP_END
    CHECK s9, CAUSE_STORE_ACCESS, 120
    CHECK s10, 0x800, 121
    la t0, amo_acc_w
    CHECK_EQ s11, t0, 122
    PRINT_HEX s9
    PRINT_HEX s10
    addi a4, a2, 8
    TRAP_BEGIN
amo_acc_d:
    amoswap.d a0, a3, (a4)
    TRAP_END
    CHECK s9, CAUSE_STORE_ACCESS, 123
    CHECK s10, 0x808, 124
    la t0, amo_acc_d
    CHECK_EQ s11, t0, 125
    PRINT_HEX s9
    PRINT_HEX s10
    /* a load-reserved is a load: load access fault */
    TRAP_BEGIN
lr_acc:
    lr.d a0, (a4)
    TRAP_END
    CHECK s9, CAUSE_LOAD_ACCESS, 126
    CHECK s10, 0x808, 127
    PRINT_HEX s9
    PRINT_HEX s10

    /* ---- 140-149: the same from U-mode ---- */
    la a2, amo_buf
    GOTO_U
    addi a4, a2, 2
    TRAP_BEGIN
amo_u:
    amoor.w a0, a3, (a4)
    TRAP_END
    GOTO_M
    CHECK s9, CAUSE_MISALIGNED_STORE, 140
    CHECK s7, 0, 141
    addi t0, a2, 2
    CHECK_EQ s10, t0, 142
    la t0, amo_u
    CHECK_EQ s11, t0, 143

    /* ---- 150-159: aligned AMOs still work (sanity of the above) ---- */
    la a2, amo_buf
    li a3, 0x22
    amoadd.w a0, a3, (a2)
    CHECK a0, 0x11111111, 150
    lw t0, 0(a2)
    CHECK t0, 0x11111133, 151
    addi a4, a2, 8
    amoswap.d a0, a3, (a4)
    CHECK a0, 0x1111111111111111, 152
    ld t0, 8(a2)
    CHECK t0, 0x22, 153
    PASS

    .section .text
    PRIV_RUNTIME

    .section .data
    .balign 16
amo_buf:
    .dword 0, 0, 0, 0
