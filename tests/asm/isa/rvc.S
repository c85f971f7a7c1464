// C extension (RV64C): every compressed instruction at least once, written
// with explicit c.* mnemonics. The checks themselves are assembled without
// RVC (CCHECK), so a broken compressed instruction cannot hide in the
// checking code. Also: 32-bit instructions at odd halfword addresses and
// one straddling a 4 KiB page boundary, c.jalr linking pc + 2, and c.ebreak
// trapping with mepc at the 2-byte instruction.
#include "common.h"

.macro CCHECK reg, expected, n
    .option push
    .option norvc
    CHECK \reg, \expected, \n
    .option pop
.endm

.macro CCHECKR reg, reg2, n
    .option push
    .option norvc
    CHECKR \reg, \reg2, \n
    .option pop
.endm

// 32-bit li/la/addi for computing references
.macro NORVC insn:vararg
    .option push
    .option norvc
    \insn
    .option pop
.endm

    TEST_BEGIN
    .option rvc

    NORVC la sp, stack_top
    NORVC mv s11, sp                // s11: sp at the start

    // ---- c.addi4spn: rd' = sp + nzuimm ----
    c.addi4spn a0, sp, 16
    NORVC addi a1, s11, 16
    CCHECKR a0, a1, 1
    c.addi4spn s1, sp, 1020
    NORVC addi a1, s11, 1020
    CCHECKR s1, a1, 2
    c.addi4spn a5, sp, 4
    NORVC addi a1, s11, 4
    CCHECKR a5, a1, 3

    // ---- c.addi16sp ----
    c.addi16sp sp, -512
    NORVC addi a1, s11, -512
    CCHECKR sp, a1, 4
    c.addi16sp sp, 496
    c.addi16sp sp, 16
    CCHECKR sp, s11, 5

    // ---- c.li, c.lui ----
    c.li a0, -32
    CCHECK a0, -32, 10
    c.li a0, 31
    CCHECK a0, 31, 11
    c.li s0, 0
    CCHECK s0, 0, 12
    c.li t2, 7                      // any register, not just x8..x15
    CCHECK t2, 7, 13
    c.lui a0, 1
    CCHECK a0, 0x1000, 14
    c.lui a0, 31
    CCHECK a0, 0x1f000, 15
    c.lui a0, 0xfffff               // nzimm = -1: sign-extended
    CCHECK a0, 0xfffffffffffff000, 16
    c.lui s7, 0xfffe0               // nzimm = -32
    CCHECK s7, 0xfffffffffffe0000, 17

    // ---- c.addi, c.nop, c.addiw ----
    NORVC li a0, 100
    c.addi a0, -32
    CCHECK a0, 68, 20
    c.addi a0, 31
    CCHECK a0, 99, 21
    c.nop
    CCHECK a0, 99, 22
    NORVC li a0, 0x7fffffff
    c.addiw a0, 1
    CCHECK a0, 0xffffffff80000000, 23
    NORVC li a0, 0x1ffffffff
    c.addiw a0, 0                   // sext.w
    CCHECK a0, -1, 24
    NORVC li t0, 0x80000000
    c.addiw t0, -1
    CCHECK t0, 0x7fffffff, 25

    // ---- c.slli, c.srli, c.srai, c.andi (6-bit shift amounts) ----
    NORVC li a0, 0x8000000000000001
    c.slli a0, 63
    CCHECK a0, 0x8000000000000000, 30
    NORVC li t1, 0x00000000ffffffff
    c.slli t1, 32
    CCHECK t1, 0xffffffff00000000, 31
    c.slli t1, 1
    CCHECK t1, 0xfffffffe00000000, 32
    NORVC li s0, 0x8000000000000000
    c.srli s0, 63
    CCHECK s0, 1, 33
    NORVC li s0, 0x8000000000000000
    c.srli s0, 32
    CCHECK s0, 0x80000000, 34
    NORVC li a4, 0x8000000000000000
    c.srai a4, 40
    CCHECK a4, 0xffffffffff800000, 35
    c.srai a4, 1
    CCHECK a4, 0xffffffffffc00000, 36
    NORVC li a3, 0x123456789abcdeff
    c.andi a3, -32
    CCHECK a3, 0x123456789abcdee0, 37
    c.andi a3, 31
    CCHECK a3, 0, 38
    NORVC li a3, 0x55
    c.andi a3, -1
    CCHECK a3, 0x55, 39

    // ---- c.mv, c.add ----
    NORVC li a1, 0x0123456789abcdef
    c.mv t0, a1
    CCHECKR t0, a1, 40
    c.add t0, a1
    CCHECK t0, 0x02468acf13579bde, 41
    NORVC li s9, 5
    c.mv s10, s9
    CCHECK s10, 5, 42

    // ---- c.sub, c.xor, c.or, c.and, c.subw, c.addw (x8..x15) ----
    NORVC li s0, 0xff00ff00f0f0cccc
    NORVC li s1, 0x0ff00ff0ff00aaaa
    NORVC mv a0, s0
    c.sub a0, s1
    CCHECK a0, 0xef10ef0ff1f02222, 50
    NORVC mv a0, s0
    c.xor a0, s1
    CCHECK a0, 0xf0f0f0f00ff06666, 51
    NORVC mv a0, s0
    c.or a0, s1
    CCHECK a0, 0xfff0fff0fff0eeee, 52
    NORVC mv a0, s0
    c.and a0, s1
    CCHECK a0, 0x0f000f00f0008888, 53
    NORVC li a2, 0x7fffffff
    NORVC li a3, 1
    c.addw a2, a3
    CCHECK a2, 0xffffffff80000000, 54
    NORVC li a2, 0x100000000
    c.subw a2, a3                   // 0 - 1 in 32 bits
    CCHECK a2, -1, 55
    NORVC li a2, 0x80000000
    c.subw a2, a3
    CCHECK a2, 0x7fffffff, 56

    // ---- loads and stores, register-based ----
    NORVC la s0, cdata
    c.lw a0, 0(s0)
    CCHECK a0, 0xffffffff89abcdef, 60      // sign-extended
    c.lw a1, 4(s0)
    CCHECK a1, 0x01234567, 61
    c.ld a2, 0(s0)
    CCHECK a2, 0x0123456789abcdef, 62
    c.lw a3, 124(s0)
    CCHECK a3, 0x7c7c7c7c, 63
    c.ld a4, 248(s0)
    CCHECK a4, 0xf8f8f8f8f8f8f8f8, 64
    c.fld fa0, 8(s0)
    NORVC fmv.x.d a5, fa0
    CCHECK a5, 0x400921fb54442d18, 65
    NORVC la s1, cbuf
    c.sw a0, 0(s1)
    c.sw a1, 4(s1)
    NORVC ld a5, 0(s1)
    CCHECK a5, 0x0123456789abcdef, 66
    c.sd a2, 8(s1)
    NORVC ld a5, 8(s1)
    CCHECK a5, 0x0123456789abcdef, 67
    c.fsd fa0, 248(s1)
    NORVC ld a5, 248(s1)
    CCHECK a5, 0x400921fb54442d18, 68
    c.sw a0, 124(s1)
    NORVC lwu a5, 124(s1)
    CCHECK a5, 0x89abcdef, 69

    // ---- loads and stores, sp-based ----
    NORVC li a1, 0x1122334455667788
    NORVC sd a1, 8(sp)
    NORVC li a1, 0x80000001
    NORVC sw a1, 4(sp)
    NORVC li a1, 0x400921fb54442d18
    NORVC sd a1, 16(sp)
    NORVC li a1, 0x5555666677778888
    NORVC sd a1, 504(sp)
    NORVC li a1, 0xfefefefe
    NORVC sw a1, 252(sp)
    c.ldsp a0, 8(sp)
    CCHECK a0, 0x1122334455667788, 70
    c.lwsp t0, 4(sp)
    CCHECK t0, 0xffffffff80000001, 71
    c.ldsp s5, 504(sp)
    CCHECK s5, 0x5555666677778888, 72
    c.lwsp s6, 252(sp)
    CCHECK s6, 0xfffffffffefefefe, 73
    c.fldsp ft5, 16(sp)
    NORVC fmv.x.d a5, ft5
    CCHECK a5, 0x400921fb54442d18, 74
    NORVC li t4, 0
    c.sdsp a0, 32(sp)
    NORVC ld a5, 32(sp)
    CCHECK a5, 0x1122334455667788, 75
    c.swsp t0, 40(sp)
    NORVC ld a5, 40(sp)
    CCHECK a5, 0x80000001, 76          // upper word of the dword was zero
    c.sdsp s5, 496(sp)
    NORVC ld a5, 496(sp)
    CCHECK a5, 0x5555666677778888, 77
    c.swsp s6, 248(sp)
    NORVC lwu a5, 248(sp)
    CCHECK a5, 0xfefefefe, 78
    c.fsdsp ft5, 504(sp)
    NORVC ld a5, 504(sp)
    CCHECK a5, 0x400921fb54442d18, 79

    // ---- control transfer ----
    NORVC li TESTNUM, 80
    c.j 1f
    NORVC j fail
2:  NORVC li TESTNUM, 82
    c.j 3f
1:  NORVC li TESTNUM, 81
    c.j 2b                          // backward
3:  NORVC li a0, 0
    NORVC li TESTNUM, 83
    c.beqz a0, 4f
    NORVC j fail
4:  NORVC li a0, 1
    NORVC li TESTNUM, 84
    c.beqz a0, fail_near
    c.bnez a0, 5f
    NORVC j fail
5:  NORVC li TESTNUM, 85
    NORVC li s1, 0
    c.bnez s1, fail_near
    NORVC li TESTNUM, 86             // backward c.bnez loop
    NORVC li a2, 5
    NORVC li a3, 0
6:  c.addi a3, 2
    c.addi a2, -1
    c.bnez a2, 6b
    CCHECK a3, 10, 87
    // c.jr
    NORVC la a4, 7f
    NORVC li TESTNUM, 88
    c.jr a4
    NORVC j fail
7:  // c.jalr: ra = address of the next instruction = pc + 2
    NORVC la a4, 9f
    NORVC li TESTNUM, 89
    c.jalr a4
8:  NORVC j fail
9:  NORVC la a1, 8b
    CCHECKR ra, a1, 90
    // c.jalr through ra itself: the target is the old ra
    NORVC la ra, 10f
    c.jalr ra
11: NORVC j fail
10: NORVC la a1, 11b
    CCHECKR ra, a1, 91
    NORVC j 12f
fail_near:
    NORVC j fail
12:

    // ---- c.ebreak ----
    NORVC la t0, ctrap
    NORVC csrw mtvec, t0
    NORVC li s8, 0
    NORVC li TESTNUM, 95
cbrk:
    c.ebreak
    CCHECK s8, 1, 96
    CCHECK s7, 3, 97                // breakpoint
    NORVC la a1, cbrk
    CCHECKR s6, a1, 98              // mepc: the c.ebreak
    NORVC la t0, unexpected_trap
    NORVC csrw mtvec, t0

    // ---- 32-bit instructions at odd halfwords, across a page ----
    c.nop                           // now at pc % 4 == 2 (or 0)
    NORVC li a0, 3
    c.nop
    NORVC addi a0, a0, 4
    CCHECK a0, 7, 100
    NORVC li TESTNUM, 101
    NORVC li a1, 0
    NORVC j straddle
back_from_page:
    CCHECK a1, 0x7f9, 102

    // ---- signatures ----
    NORVC li a0, 0x0123456789abcdef
    c.srai a0, 7
    SIG a0
    c.slli a0, 13
    SIG a0
    c.addiw a0, -1
    SIG a0

    TEST_END

    .align 2
ctrap:
    NORVC addi s8, s8, 1
    NORVC csrr s7, mcause
    NORVC csrr s6, mepc
    NORVC lhu t3, 0(s6)              // length of the trapping instruction
    NORVC andi t3, t3, 3
    NORVC li t4, 3
    NORVC addi s6, s6, 2
    NORVC bne t3, t4, 1f
    NORVC addi s6, s6, 2
1:  NORVC csrw mepc, s6
    NORVC addi s6, s6, -2            // report mepc as it was (2-byte insn)
    NORVC mret

    // a 32-bit instruction at offset 4094 of a page: its halves are on
    // two pages
    .balign 4096
    .skip 4092
straddle:
    c.li a1, 1                      // bytes 4092..4093
    NORVC addi a1, a1, 0x7f8        // bytes 4094..4097
    NORVC j back_from_page

    .data
    .align 3
cdata:
    .dword 0x0123456789abcdef
    .dword 0x400921fb54442d18       // pi
    .fill 108, 1, 0
    .word 0x7c7c7c7c                // offset 124
    .fill 120, 1, 0
    .dword 0xf8f8f8f8f8f8f8f8       // offset 248
    .align 3
cbuf:
    .space 256
    .align 4
stack:
    .space 2048
stack_top:
    .space 1024
