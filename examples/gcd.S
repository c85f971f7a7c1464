// GCD by repeated subtraction (an exercise from a virtualization course):
// gcd(0x18, 0x21) = gcd(24, 33) = 3 ends up in t3.
//
// The program below is the course's, unchanged. Two things are added around
// it so that it runs on a bare machine (vireo, or QEMU's virt board with
// -bios none): the `_start` entry symbol the linker script expects, and,
// after `done`, a terminator that writes 0x5555 ("pass") to the test/power
// device at 0x100000 so the machine stops instead of running into whatever
// memory follows. The terminator leaves t3 alone; the test harness checks
// t3 = 3 with `vireo run --dump-regs`.
// Built like the test programs: cpp, riscv64-unknown-elf-as,
// riscv64-unknown-elf-ld -T tests/asm/link.ld.

    .section .text.init
    .globl _start
_start:
__start:  addi t1, zero, 0x18
          addi t2, zero, 0x21
cycle:    beq t1, t2, done
          slt t0, t1, t2
          bne t0, zero, if_less
          nop
          sub t1, t1, t2
          j cycle
          nop
if_less:  sub t2, t2, t1
          j cycle
done:     add t3, t1, zero

// terminator: pass through the test device, then wait
          lui t4, 0x100           // t4 = 0x100000, the test device
          lui t5, 0x5             // t5 = 0x5000
          addi t5, t5, 0x555      // t5 = 0x5555, "pass"
          sw t5, 0(t4)
halt:     j halt
