/* exceptions.S: every synchronous exception cause, with mcause, mepc and
 * mtval (privileged spec 1.12, 3.1.15-3.1.16; tval contents as required
 * by Sstvala: faulting address for misaligned/access faults, the
 * instruction bits for illegal instructions).
 *
 * UART output: for each architecturally defined trap, mcause and mtval.
 */
#include "../common.h"
#include "priv.h"

/* Expect a trap with the given cause at label `at`, from privilege `prv`.
 * Checks n (cause), n+1 (epc), n+2 (privilege). */
.macro CHECK_AT cause, at, prv, n
    CHECK s9, \cause, \n
    la t0, \at
    CHECK_EQ s11, t0, (\n + 1)
    CHECK s7, \prv, (\n + 2)
.endm

/* Print the cause and tval of the last trap. */
.macro PRINT_TRAP
    PRINT_HEX s9
    PRINT_HEX s10
.endm

    .section .text.init
    .globl _start
_start:
    .option norvc
    PRIV_INIT
    PMP_ALLOW_ALL

    /* ---- 1-9: hart identity ---- */
    csrr t0, mhartid
    CHECK_EQ t0, a0, 1
    CHECK t0, 0, 2

    /* ---- 10-29: instruction address misaligned cannot happen with C ---- */
    /* A jump to a 2-byte aligned target executes it. */
    TRAP_BEGIN
    li a0, 0
    la t0, half_target
    jalr ra, t0
    TRAP_END
    CHECK_NOTRAP 10
    CHECK a0, 1, 11
    /* jalr clears bit 0 of the target: target+1 runs the target. */
    TRAP_BEGIN
    li a0, 0
    la t0, half_target
    addi t0, t0, 1
    jalr ra, t0
    TRAP_END
    CHECK_NOTRAP 12
    CHECK a0, 1, 13
    /* A taken branch to a 2-byte aligned target. */
    TRAP_BEGIN
    li a0, 0
    jal ra, branch_to_half
    TRAP_END
    CHECK_NOTRAP 14
    CHECK a0, 2, 15
    /* If misa.C can be cleared, a jump to a 2-byte aligned address must
     * then raise instruction-address-misaligned with mtval = target and
     * mepc = the jump. Otherwise C is not writable and this is skipped. */
    li a1, 0x4          /* misa.C */
    .balign 4
    csrc misa, a1
    csrr t0, misa
    and t0, t0, a1
    bnez t0, 1f         /* C still set: not writable, skip */
    TRAP_BEGIN
    la t1, half_target
jalr_misaligned:
    jalr ra, t1
    TRAP_END
    csrs misa, a1
    CHECK_AT CAUSE_MISALIGNED_FETCH, jalr_misaligned, 3, 16
    la t1, half_target
    CHECK_EQ s10, t1, 19
    csrr t0, misa
    and t0, t0, a1
    CHECK_EQ t0, a1, 20
1:

    /* ---- 30-49: instruction access fault ---- */
    TRAP_BEGIN
    li t0, 0
    jalr ra, t0
    TRAP_END
    CHECK s9, CAUSE_FETCH_ACCESS, 30
    CHECK s11, 0, 31
    CHECK s10, 0, 32
    PRINT_TRAP
    TRAP_BEGIN
    li t0, 0x800
    jalr ra, t0
    TRAP_END
    CHECK s9, CAUSE_FETCH_ACCESS, 33
    CHECK s11, 0x800, 34
    CHECK s10, 0x800, 35
    PRINT_TRAP
    /* beyond the end of RAM (128 MiB at 0x80000000 in these tests) and
     * far beyond any device */
    TRAP_BEGIN
    li t0, 0x40000000000
    jalr ra, t0
    TRAP_END
    CHECK s9, CAUSE_FETCH_ACCESS, 36
    CHECK s11, 0x40000000000, 37
    CHECK s10, 0x40000000000, 38
    PRINT_TRAP

    /* ---- 50-99: illegal instruction, mtval = instruction bits ---- */
    /* reserved LOAD funct3=7 in RV64 */
    TRAP_BEGIN
ill32:
    .word 0x00007283
    TRAP_END
    CHECK_AT CAUSE_ILLEGAL, ill32, 3, 50
    CHECK s10, 0x00007283, 53
    PRINT_TRAP
    /* all-zero word: the defined illegal instruction; mtval 0 */
    TRAP_BEGIN
ill_zero:
    .word 0
    TRAP_END
    CHECK_AT CAUSE_ILLEGAL, ill_zero, 3, 54
    CHECK s10, 0, 57
    /* reserved OP encoding (funct7 = 0x7f) */
    TRAP_BEGIN
ill_op:
    .word 0xfe0002b3
    TRAP_END
    CHECK_AT CAUSE_ILLEGAL, ill_op, 3, 58
    CHECK s10, 0xfe0002b3, 61
    PRINT_TRAP
    /* 16-bit: c.addi4spn with nzuimm = 0 is reserved; mtval holds only
     * the 16 instruction bits, zero-extended. The halfword after it is
     * a c.nop-sized filler so that TRAP_END stays 4-byte aligned. */
    TRAP_BEGIN
ill16:
    .half 0x0004
    .half 0x0001
    TRAP_END
    CHECK_AT CAUSE_ILLEGAL, ill16, 3, 62
    CHECK s10, 0x0004, 65
    PRINT_TRAP
    /* 16-bit: c.lui with nzimm = 0 is reserved */
    TRAP_BEGIN
ill16b:
    .half 0x6281
    .half 0x0001
    TRAP_END
    CHECK_AT CAUSE_ILLEGAL, ill16b, 3, 66
    CHECK s10, 0x6281, 69
    PRINT_TRAP
    /* access to a CSR that does not exist */
    TRAP_BEGIN
ill_csr:
    csrr t0, 0x107
    TRAP_END
    CHECK_AT CAUSE_ILLEGAL, ill_csr, 3, 70
    la t0, ill_csr
    lwu t0, 0(t0)
    CHECK_EQ s10, t0, 73
    PRINT_TRAP
    TRAP_BEGIN
ill_csr2:
    csrw 0x3f0, zero
    TRAP_END
    CHECK_AT CAUSE_ILLEGAL, ill_csr2, 3, 74
    la t0, ill_csr2
    lwu t0, 0(t0)
    CHECK_EQ s10, t0, 77
    PRINT_TRAP
    /* write to read-only CSRs */
    TRAP_BEGIN
ro_mvendorid:
    csrw mvendorid, zero
    TRAP_END
    CHECK_AT CAUSE_ILLEGAL, ro_mvendorid, 3, 78
    la t0, ro_mvendorid
    lwu t0, 0(t0)
    CHECK_EQ s10, t0, 81
    PRINT_TRAP
    TRAP_BEGIN
ro_mhartid:
    csrrwi t0, mhartid, 1
    TRAP_END
    CHECK_AT CAUSE_ILLEGAL, ro_mhartid, 3, 82
    la t0, ro_mhartid
    lwu t0, 0(t0)
    CHECK_EQ s10, t0, 85
    li t1, 1
    TRAP_BEGIN
ro_cycle:
    csrrs t0, cycle, t1     /* t1 != 0: a write */
    TRAP_END
    CHECK_AT CAUSE_ILLEGAL, ro_cycle, 3, 86
    la t0, ro_cycle
    lwu t0, 0(t0)
    CHECK_EQ s10, t0, 89
    /* reads of read-only CSRs, and set/clear with x0 / uimm 0, do not
     * write and must not trap */
    TRAP_BEGIN
    csrr t0, mvendorid
    csrr t0, marchid
    csrr t0, mimpid
    csrrs t0, mhartid, zero
    csrrci t0, cycle, 0
    csrrsi t0, time, 0
    TRAP_END
    CHECK_NOTRAP 90
    /* mret / sret are legal in M; wfi too (no wait needed when tested
     * elsewhere). An mret from S is tested in modes.S. */

    /* ---- 100-109: breakpoint ---- */
    TRAP_BEGIN
brk32:
    ebreak
    TRAP_END
    CHECK_AT CAUSE_BREAKPOINT, brk32, 3, 100
    /* mtval is either 0 or the address of the ebreak */
    beqz s10, 1f
    la t0, brk32
    CHECK_EQ s10, t0, 103
1:  PRINT_HEX s9
    TRAP_BEGIN
brk16:
    .option push
    .option rvc
    c.ebreak
    c.nop
    .option pop
    TRAP_END
    CHECK_AT CAUSE_BREAKPOINT, brk16, 3, 104
    beqz s10, 1f
    la t0, brk16
    CHECK_EQ s10, t0, 107
1:  PRINT_HEX s9

    /* ---- 110-149: misaligned loads and stores: either performed
     * correctly or a misaligned trap with mtval = address ---- */
    la a1, mis_data
    /* lh at offset 1: bytes 1,2 = 0x22,0x33 -> 0x3322 */
    TRAP_BEGIN
    li a0, 0
    lh a0, 1(a1)
    TRAP_END
    li t0, -1
    beq s9, t0, 1f
    CHECK s9, CAUSE_MISALIGNED_LOAD, 110
    addi t0, a1, 1
    CHECK_EQ s10, t0, 111
    j 2f
1:  CHECK a0, 0x3322, 112
2:
    /* lw at offset 2 */
    TRAP_BEGIN
    li a0, 0
    lw a0, 2(a1)
    TRAP_END
    li t0, -1
    beq s9, t0, 1f
    CHECK s9, CAUSE_MISALIGNED_LOAD, 113
    addi t0, a1, 2
    CHECK_EQ s10, t0, 114
    j 2f
1:  CHECK a0, 0x66554433, 115
2:
    /* lw at offset 5: sign extension of 0x99887766 */
    TRAP_BEGIN
    li a0, 0
    lw a0, 5(a1)
    TRAP_END
    li t0, -1
    beq s9, t0, 1f
    CHECK s9, CAUSE_MISALIGNED_LOAD, 116
    addi t0, a1, 5
    CHECK_EQ s10, t0, 117
    j 2f
1:  CHECK a0, 0xffffffff99887766, 118
2:
    /* ld at offset 3 */
    TRAP_BEGIN
    li a0, 0
    ld a0, 3(a1)
    TRAP_END
    li t0, -1
    beq s9, t0, 1f
    CHECK s9, CAUSE_MISALIGNED_LOAD, 119
    addi t0, a1, 3
    CHECK_EQ s10, t0, 120
    j 2f
1:  CHECK a0, 0xbbaa998877665544, 121
2:
    /* sw at offset 1 of mis_buf: performed, or trapped with memory
     * unchanged */
    la a2, mis_buf
    sd zero, 0(a2)
    sd zero, 8(a2)
    li a3, 0x12345678
    TRAP_BEGIN
    sw a3, 1(a2)
    TRAP_END
    ld a0, 0(a2)
    li t0, -1
    beq s9, t0, 1f
    CHECK s9, CAUSE_MISALIGNED_STORE, 122
    addi t0, a2, 1
    CHECK_EQ s10, t0, 123
    CHECK a0, 0, 124
    j 2f
1:  CHECK a0, 0x1234567800, 125
2:
    /* sd at offset 6: straddles the dword */
    li a3, 0x0102030405060708
    TRAP_BEGIN
    sd a3, 6(a2)
    TRAP_END
    ld a0, 8(a2)
    li t0, -1
    beq s9, t0, 1f
    CHECK s9, CAUSE_MISALIGNED_STORE, 126
    addi t0, a2, 6
    CHECK_EQ s10, t0, 127
    CHECK a0, 0, 128
    j 2f
1:  CHECK a0, 0x010203040506, 129
    ld a0, 0(a2)
    srli a0, a0, 48
    CHECK a0, 0x0708, 130
2:

    /* ---- 150-179: misaligned LR must trap (load address misaligned);
     * misaligned AMOs and SC are in amo.S ---- */
    la a2, amo_buf
    li t0, 0x1111111111111111
    sd t0, 0(a2)
    sd t0, 8(a2)
    li a3, 1
    addi a4, a2, 1
    TRAP_BEGIN
lr_w:
    lr.w a0, (a4)
    TRAP_END
    CHECK_AT CAUSE_MISALIGNED_LOAD, lr_w, 3, 158
    CHECK_EQ s10, a4, 161
    PRINT_TRAP
    addi a4, a2, 4
    TRAP_BEGIN
lr_d:
    lr.d a0, (a4)
    TRAP_END
    CHECK_AT CAUSE_MISALIGNED_LOAD, lr_d, 3, 162
    CHECK_EQ s10, a4, 165
    PRINT_TRAP
    addi a4, a2, 2
    TRAP_BEGIN
lr_w2:
    lr.w a0, (a4)
    TRAP_END
    CHECK_AT CAUSE_MISALIGNED_LOAD, lr_w2, 3, 166
    CHECK_EQ s10, a4, 169
    /* memory untouched */
    ld t0, 0(a2)
    CHECK t0, 0x1111111111111111, 170
    ld t0, 8(a2)
    CHECK t0, 0x1111111111111111, 171

    /* ---- 180-209: load/store/AMO access faults ---- */
    li a4, 0x800
    TRAP_BEGIN
ld_fault:
    ld a0, 0(a4)
    TRAP_END
    CHECK_AT CAUSE_LOAD_ACCESS, ld_fault, 3, 180
    CHECK s10, 0x800, 183
    PRINT_TRAP
    TRAP_BEGIN
lb_fault:
    lbu a0, 3(a4)
    TRAP_END
    CHECK_AT CAUSE_LOAD_ACCESS, lb_fault, 3, 184
    CHECK s10, 0x803, 187
    PRINT_TRAP
    TRAP_BEGIN
sd_fault:
    sd a0, 8(a4)
    TRAP_END
    CHECK_AT CAUSE_STORE_ACCESS, sd_fault, 3, 188
    CHECK s10, 0x808, 191
    PRINT_TRAP
    /* AMO access faults: see amo.S */
    TRAP_BEGIN
lr_fault:
    lr.w a0, (a4)
    TRAP_END
    CHECK_AT CAUSE_LOAD_ACCESS, lr_fault, 3, 196
    CHECK s10, 0x800, 199
    PRINT_TRAP
    li a4, 0x40000000000
    TRAP_BEGIN
ld_fault_hi:
    lw a0, 16(a4)
    TRAP_END
    CHECK_AT CAUSE_LOAD_ACCESS, ld_fault_hi, 3, 200
    CHECK s10, 0x40000000010, 203
    TRAP_BEGIN
sb_fault_hi:
    sb a0, -1(a4)
    TRAP_END
    CHECK_AT CAUSE_STORE_ACCESS, sb_fault_hi, 3, 204
    CHECK s10, 0x3ffffffffff, 207

    /* ---- 210-239: environment calls ---- */
    TRAP_BEGIN
ecall_m:
    ecall
    TRAP_END
    CHECK_AT CAUSE_ECALL_M, ecall_m, 3, 210
    CHECK s10, 0, 213
    PRINT_TRAP
    GOTO_S
    TRAP_BEGIN
ecall_s:
    ecall
    TRAP_END
    GOTO_M
    CHECK_AT CAUSE_ECALL_S, ecall_s, 1, 214
    CHECK s10, 0, 217
    PRINT_TRAP
    GOTO_U
    TRAP_BEGIN
ecall_u:
    ecall
    TRAP_END
    GOTO_M
    CHECK_AT CAUSE_ECALL_U, ecall_u, 0, 218
    CHECK s10, 0, 221
    PRINT_TRAP
    /* GOTO_M really returned to M: an M-only CSR is accessible */
    TRAP_BEGIN
    csrr t0, mscratch
    TRAP_END
    CHECK_NOTRAP 222
    /* breakpoint and an access fault from U: cause does not depend on
     * the privilege, mepc still exact */
    GOTO_U
    TRAP_BEGIN
brk_u:
    ebreak
    TRAP_END
    mv a5, s9
    mv a6, s11
    mv a3, s7
    li a4, 0x800
    TRAP_BEGIN
ld_fault_u:
    ld a0, 0(a4)
    TRAP_END
    GOTO_M
    CHECK a5, CAUSE_BREAKPOINT, 223
    la t0, brk_u
    CHECK_EQ a6, t0, 224
    CHECK a3, 0, 225
    CHECK_AT CAUSE_LOAD_ACCESS, ld_fault_u, 0, 226
    CHECK s10, 0x800, 229
    PRINT_TRAP
    PASS

/* ---- helpers ---- */
    .balign 4
    .option push
    .option rvc
    c.nop
half_target:           /* 2 mod 4 */
    li a0, 1
    ret
branch_to_half:
    beq zero, zero, 1f
    c.nop
    .balign 4
    c.nop
1:  li a0, 2
    ret
    .option pop

    .section .text
    PRIV_RUNTIME

    .section .data
    .balign 16
mis_data:
    .byte 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88
    .byte 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00
mis_buf:
    .dword 0, 0
amo_buf:
    .dword 0, 0
