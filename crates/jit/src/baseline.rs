//! The baseline tier: a template translator that turns one decoded block
//! into x86-64 machine code directly, instruction by instruction, in a
//! few microseconds — about a thousand times cheaper than a Cranelift
//! region — so that *lukewarm* code (blocks that run tens to thousands of
//! times, most of a Linux boot) leaves the interpreter early.
//!
//! Its code obeys the region contract of the crate (see the crate
//! documentation): same entry signature and registers as Cranelift's
//! `tail` convention (`rdi` = context, `rsi` = the block's guest pc,
//! `rdx` = instructions retired so far in this call; result in `rax`),
//! same exits ([`EXIT_DONE`], [`EXIT_SLOW`]), same TLB fast paths and
//! flagged-page guards, same chaining through the caller's block slots.
//! So baseline blocks and Cranelift regions chain into each other freely.
//! It touches only caller-saved registers and never the stack, so a
//! chain (a `jmp`) from either kind of code to the other keeps the one
//! frame of the trampoline's call.
//!
//! The template for each instruction reads its guest registers from the
//! hart's array and writes the result back at once (no register
//! allocation at all: that is what makes it cheap). Fixed host registers:
//! `rdi` context, `rsi` block pc, `rdx` retired count on entry, `r8` the
//! guest register array; `rax`, `rcx`, `r9`, `r10`, `r11` are scratch.
//!
//! # Tiering
//!
//! Each block counts down its entries in a 16-bit counter of its own (a
//! dense array of the translator, one per block, so that entering a
//! block touches no block slot). When the count reaches zero the block
//! leaves with [`EXIT_HOT`] before doing anything, and the caller asks
//! Cranelift for an optimized region there. When that region arrives,
//! [`Baseline::forward`] turns the block's entry into a jump to it, so
//! that links into the block (below) reach the better code too.
//!
//! # Direct links
//!
//! A branch, `jal` or fall-through whose target lies in the block's own
//! physical page ends in a `jmp rel32` that first points to a resolving
//! stub: the shared chain lookup, which on success also patches the
//! `jmp` (through the writable view) to point straight at the target's
//! code. From then on the transition is six host instructions with no
//! table lookup: the instruction limit check, the target's pc, the
//! statistics count and a direct jump. No table says who links where,
//! because no link needs undoing:
//! - a link joins two blocks of one physical page, entered from outside
//!   the page only through a block slot (dispatcher, chain stub, region
//!   exits); a store into the page drops every slot of the page
//!   (`drop_page` in the hart), so its linked code becomes unreachable
//!   as a whole, and so does all code after a block-cache flush;
//! - same-page targets need no TLB check: the source block was entered
//!   at a pc whose fetch-TLB entry maps this page, and translated code
//!   changes no mapping;
//! - a target whose slot was since reused by another block is still a
//!   valid translation of its guest bytes (the page was not written);
//! - a target later replaced by a Cranelift region forwards to it
//!   ([`Baseline::forward`]);
//! - code memory (baseline, or Cranelift's, which a link may reach) is
//!   only freed together with a block-cache flush.
//!
//! Checking translators (`--engine check`) emit no links.
//!
//! # Code memory and W^X
//!
//! One shared-memory file mapped twice: read+write, where the translator
//! writes, and read+execute, where code runs — no mapping is ever
//! writable and executable, and no `mprotect` per block (a Cranelift
//! region pays one). Blocks are packed one after another; when the
//! memory is full the caller drops every block with its block cache and
//! [`Baseline::reset`]s it.

use crate::{
    is_amo, Code, CTX_ASID_TAG, CTX_EXECUTED, CTX_F, CTX_FP_OP, CTX_FP_STATE, CTX_GEN, CTX_JCACHE,
    CTX_LIMIT, CTX_MSTATUS, CTX_NEXT_PC, CTX_SLOTS, CTX_SLOT_MASK, CTX_STORE_LOG,
    CTX_STORE_LOG_LEN, CTX_TLB_EXEC, CTX_TLB_FILL, CTX_TLB_READ, CTX_TLB_WRITE, CTX_X, EXIT_DONE,
    EXIT_HOT, EXIT_SLOW, JC_CODE, JC_ENTRIES, JC_ENTRY_SIZE, JC_PADDR, MSTATUS_FS, SLOT_CODE,
    SLOT_GEN, SLOT_PADDR, SLOT_SIZE, TLB_ADDEND, TLB_ENTRIES, TLB_ENTRY_SHIFT, TLB_FLAG, TLB_PPAGE,
    TLB_TAG,
};
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::Instant;
use vireo_isa::{Insn, Op};

// Host registers (x86-64 encoding numbers).
const RAX: u8 = 0;
const RCX: u8 = 1;
const RDX: u8 = 2;
const RSP: u8 = 4;
const RSI: u8 = 6;
const RDI: u8 = 7;
const R8: u8 = 8;
const R9: u8 = 9;
const R10: u8 = 10;
const R11: u8 = 11;

/// The context pointer (first argument).
const CTX: u8 = RDI;
/// The block's guest pc (second argument).
const PC: u8 = RSI;
/// Instructions retired before the block (third argument).
const N: u8 = RDX;
/// The guest integer registers.
const X: u8 = R8;

// Condition codes (the low nibble of `jcc`/`setcc`/`cmovcc`).
const CC_B: u8 = 0x2;
const CC_AE: u8 = 0x3;
const CC_E: u8 = 0x4;
const CC_NE: u8 = 0x5;
const CC_A: u8 = 0x7;
const CC_L: u8 = 0xc;
const CC_GE: u8 = 0xd;
const CC_G: u8 = 0xf;

// `/digit` extensions of the group-1 ALU immediates and group-2 shifts.
const ALU_ADD: u8 = 0;
const ALU_OR: u8 = 1;
const ALU_AND: u8 = 4;
const ALU_SUB: u8 = 5;
const ALU_XOR: u8 = 6;
const ALU_CMP: u8 = 7;
const SH_ROL: u8 = 0;
const SH_ROR: u8 = 1;
const SH_SHL: u8 = 4;
const SH_SHR: u8 = 5;
const SH_SAR: u8 = 7;

/// Size of the code memory of one translator.
pub const BASELINE_CODE_SIZE: usize = 64 << 20;
/// Blocks one code memory holds at most (their entry counters): more
/// than 64 MiB of blocks of ~600 bytes on average come to.
const MAX_BLOCKS: usize = 1 << 18;
/// Bytes of a block's entry that [`Baseline::forward`] may overwrite
/// (`mov rax, imm64; jmp rax`): the counter's `mov rax, imm64` and `sub`.
const FORWARD_BYTES: usize = 12;
/// Room a block is started with: more than the largest block takes (64
/// instructions of at most ~200 bytes with their exit stubs, a logged
/// F/D store being the largest); a block that would not fit anyway is
/// refused as [`NoCode::Full`], never written past the end.
const MAX_BLOCK_BYTES: usize = 32 << 10;

/// Whether the baseline translator handles `op` (a block's code stops
/// before the first instruction it does not: the interpreter runs it, and
/// Cranelift may take it once the block is hot): the instructions of
/// Cranelift regions, most with a template of their own, the others
/// through the helper ([`by_helper`]).
pub fn supported(op: Op) -> bool {
    crate::supported(op)
}

/// CSR instructions baseline code runs through [`crate::JitCtx::fp_op`]:
/// those on CSRs whose accesses the helper may run without leaving (it
/// decides at run time, see there): the F/D CSRs, the S-mode trap CSRs,
/// `sstatus`, and reads of `sie`, `sip`, `satp` and `time`. Linux's
/// interrupt masking, trap entry and clock reads are most of them.
pub fn is_baseline_csr(i: &Insn) -> bool {
    use Op::*;
    let csr = i.imm as u64 & 0xfff;
    let writes = matches!(i.op, Csrrw | Csrrwi) || i.rs1 != 0;
    matches!(i.op, Csrrw | Csrrs | Csrrc | Csrrwi | Csrrsi | Csrrci)
        && match csr {
            // fflags, frm, fcsr; sstatus; sscratch, sepc, scause, stval
            0x001..=0x003 | 0x100 | 0x140..=0x143 => true,
            // sie, sip, satp, time
            0x104 | 0x144 | 0x180 | 0xc01 => !writes,
            _ => false,
        }
}

/// System instructions baseline code runs through [`crate::JitCtx::fp_op`]
/// (which refuses, with no effect, what would trap) and then leaves the
/// block: `sfence.vma` through the chain stub (whose fetch-TLB probe sees
/// the flush; never a same-page link, whose target's mapping the fence
/// may have changed), `fence.i` back to the dispatcher (which catches up
/// with code written before the fence). Interpreted, each was a
/// dispatcher round trip and a block run in the interpreter: 110 000 and
/// 43 000 of them in a Debian boot.
pub fn is_baseline_system(i: &Insn) -> bool {
    matches!(i.op, Op::SfenceVma | Op::FenceI)
}

/// Instructions the code calls [`crate::JitCtx::fp_op`] for: F/D
/// arithmetic, and integer operations without memory access, control
/// transfer or trap that have no short x86-64 template (division,
/// high multiplies, bit counts and single-bit operations).
fn by_helper(op: Op) -> bool {
    use Op::*;
    vireo_isa::is_fp_arith(op)
        || matches!(
            op,
            Div | Divu
                | Rem
                | Remu
                | Divw
                | Divuw
                | Remw
                | Remuw
                | Mulh
                | Mulhsu
                | Mulhu
                | Clz
                | Ctz
                | Cpop
                | Clzw
                | Ctzw
                | Cpopw
                | OrcB
                | Bclr
                | Bclri
                | Bext
                | Bexti
                | Binv
                | Binvi
                | Bset
                | Bseti
                | CzeroEqz
                | CzeroNez
        )
}

/// `n` zero counters in zeroed heap memory, which the host maps only as
/// blocks use them (a hart that runs little code does not pay for all).
fn zeroed_counters(n: usize) -> Box<[AtomicU16]> {
    let raw = Box::into_raw(vec![0u16; n].into_boxed_slice());
    // SAFETY: AtomicU16 has the size, alignment and bit validity of u16,
    // so the allocation is a valid [AtomicU16; n] with the same layout,
    // which the new box frees.
    unsafe { Box::from_raw(raw as *mut [AtomicU16]) }
}

/// A tiny x86-64 assembler: just the encodings the templates use.
struct Asm {
    buf: Vec<u8>,
}

impl Asm {
    fn byte(&mut self, b: u8) {
        self.buf.push(b);
    }

    fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    /// A REX prefix when needed: `w` (64-bit operand), `reg` and `rm`
    /// register numbers (their 4th bits), `byte_regs` (8-bit operands of
    /// registers 4-7 need a REX to mean spl/bpl/sil/dil).
    fn rex(&mut self, w: bool, reg: u8, rm: u8, byte_regs: bool) {
        let r = (w as u8) << 3 | (reg >> 3 & 1) << 2 | (rm >> 3 & 1);
        if r != 0 || (byte_regs && (reg >= 4 || rm >= 4)) {
            self.byte(0x40 | r);
        }
    }

    /// ModRM (+SIB, +displacement) for `[base + disp]` with `reg` in the
    /// reg field.
    fn mem(&mut self, reg: u8, base: u8, disp: i32) {
        let (md, small) = if disp == 0 && base & 7 != 5 {
            (0, None)
        } else if let Ok(d) = i8::try_from(disp) {
            (1, Some(d))
        } else {
            (2, None)
        };
        self.byte(md << 6 | (reg & 7) << 3 | (base & 7));
        if base & 7 == 4 {
            // rsp/r12 as a base need a SIB byte (no index).
            self.byte(0x24);
        }
        match (md, small) {
            (1, Some(d)) => self.byte(d as u8),
            (2, _) => self.u32(disp as u32),
            _ => {}
        }
    }

    /// `opcode reg, [base + disp]` (or the reverse direction, per opcode).
    fn op_mem(&mut self, w: bool, opcode: &[u8], reg: u8, base: u8, disp: i32) {
        self.rex(w, reg, base, false);
        self.buf.extend_from_slice(opcode);
        self.mem(reg, base, disp);
    }

    /// `opcode` with a register-direct ModRM (`reg`, `rm`).
    fn op_rr(&mut self, w: bool, opcode: &[u8], reg: u8, rm: u8) {
        self.rex(w, reg, rm, false);
        self.buf.extend_from_slice(opcode);
        self.byte(0xc0 | (reg & 7) << 3 | (rm & 7));
    }

    fn load64(&mut self, dst: u8, base: u8, disp: i32) {
        self.op_mem(true, &[0x8b], dst, base, disp);
    }

    fn store64(&mut self, base: u8, disp: i32, src: u8) {
        self.op_mem(true, &[0x89], src, base, disp);
    }

    /// `op dst, src` for the two-operand ALU opcodes (01 add, 09 or,
    /// 21 and, 29 sub, 31 xor, 39 cmp, 85 test, 89 mov).
    fn alu_rr(&mut self, w: bool, opcode: u8, dst: u8, src: u8) {
        self.op_rr(w, &[opcode], src, dst);
    }

    /// `op dst, [base + disp]` (03 add, 0b or, 23 and, 2b sub, 33 xor,
    /// 3b cmp).
    fn alu_rm(&mut self, opcode: u8, dst: u8, base: u8, disp: i32) {
        self.op_mem(true, &[opcode], dst, base, disp);
    }

    /// Group-1 ALU operation with a sign-extended immediate.
    fn alu_ri(&mut self, w: bool, ext: u8, dst: u8, imm: i32) {
        if let Ok(b) = i8::try_from(imm) {
            self.op_rr(w, &[0x83], ext, dst);
            self.byte(b as u8);
        } else {
            self.op_rr(w, &[0x81], ext, dst);
            self.u32(imm as u32);
        }
    }

    fn mov_ri(&mut self, dst: u8, imm: u64) {
        if imm <= u32::MAX as u64 {
            // mov r32, imm32 (zero-extends)
            self.rex(false, 0, dst, false);
            self.byte(0xb8 + (dst & 7));
            self.u32(imm as u32);
        } else if (imm as i64) >= i32::MIN as i64 && (imm as i64) <= i32::MAX as i64 {
            // mov r/m64, imm32 (sign-extends)
            self.op_rr(true, &[0xc7], 0, dst);
            self.u32(imm as u32);
        } else {
            self.rex(true, 0, dst, false);
            self.byte(0xb8 + (dst & 7));
            self.buf.extend_from_slice(&imm.to_le_bytes());
        }
    }

    /// `opcode reg, [rip + rel32]` addressing buffer offset `target`;
    /// returns the offset of the rel32 (for `patch`, when the target
    /// comes later).
    fn op_rip(&mut self, opcode: u8, reg: u8, target: usize) -> usize {
        self.rex(true, reg, 0, false);
        self.byte(opcode);
        self.byte((reg & 7) << 3 | 0b101);
        let at = self.buf.len();
        self.u32(0);
        self.patch(at, target);
        at
    }

    fn lea(&mut self, dst: u8, base: u8, disp: i32) {
        self.op_mem(true, &[0x8d], dst, base, disp);
    }

    fn shift_ri(&mut self, w: bool, ext: u8, dst: u8, n: u8) {
        self.op_rr(w, &[0xc1], ext, dst);
        self.byte(n);
    }

    /// Shift or rotate `dst` by `cl` (the host masks the count to 5 or 6
    /// bits, as RISC-V does).
    fn shift_cl(&mut self, w: bool, ext: u8, dst: u8) {
        self.op_rr(w, &[0xd3], ext, dst);
    }

    /// `movsxd dst, src32`.
    fn sext32(&mut self, dst: u8, src: u8) {
        self.op_rr(true, &[0x63], dst, src);
    }

    /// `mov dst32, src32` (zero-extends).
    fn zext32(&mut self, dst: u8, src: u8) {
        self.alu_rr(false, 0x89, dst, src);
    }

    /// `jcc rel32` to be patched; returns the offset of the rel32.
    fn jcc(&mut self, cc: u8) -> usize {
        self.byte(0x0f);
        self.byte(0x80 | cc);
        let at = self.buf.len();
        self.u32(0);
        at
    }

    /// `jmp rel32` to be patched; returns the offset of the rel32.
    fn jmp(&mut self) -> usize {
        self.byte(0xe9);
        let at = self.buf.len();
        self.u32(0);
        at
    }

    /// Point the rel32 at `at` to buffer offset `target`.
    fn patch(&mut self, at: usize, target: usize) {
        let rel = target as i64 - (at as i64 + 4);
        self.buf[at..at + 4].copy_from_slice(&(rel as i32).to_le_bytes());
    }

    /// `setcc dst8; movzx dst32, dst8`.
    fn setcc(&mut self, cc: u8, dst: u8) {
        self.rex(false, 0, dst, true);
        self.buf.extend_from_slice(&[0x0f, 0x90 | cc]);
        self.byte(0xc0 | (dst & 7));
        self.rex(false, dst, dst, true);
        self.buf.extend_from_slice(&[0x0f, 0xb6]);
        self.byte(0xc0 | (dst & 7) << 3 | (dst & 7));
    }

    fn ret(&mut self) {
        self.byte(0xc3);
    }
}

/// What a block exit stub does.
#[derive(Clone, Copy)]
enum Stub {
    /// A guard failed before the instruction at byte offset `off`, with
    /// `k` instructions of the block retired: [`EXIT_SLOW`].
    Slow { off: i32, k: u32 },
    /// A taken branch to byte offset `off` after `k` instructions: chain.
    Taken { off: i32, k: u32 },
    /// The resolving stub of the link whose `jmp` has its rel32 at block
    /// offset `at` (see the module documentation).
    Link { at: usize },
    /// A data-TLB miss of the access whose probe starts at block offset
    /// `retry` (`rax` the guest address, nothing else live):
    /// [`crate::JitCtx::tlb_fill`] with `arg`, then the probe again (it
    /// hits now), or [`Stub::Slow`] when the fill fails.
    Fill {
        off: i32,
        k: u32,
        arg: u32,
        retry: usize,
    },
}

/// Translation statistics of the baseline tier.
#[derive(Clone, Copy, Debug, Default)]
pub struct BaselineStats {
    /// Blocks translated.
    pub blocks: u64,
    /// Guest instructions in them.
    pub insns: u64,
    /// Time spent translating, in nanoseconds.
    pub translate_ns: u64,
    /// Bytes of code memory in use.
    pub code_bytes: u64,
    /// Times the code memory was emptied ([`Baseline::reset`]).
    pub resets: u64,
}

/// Why [`Baseline::translate`] produced no code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoCode {
    /// The block's first instruction is not supported.
    Unsupported,
    /// The code memory is full: reset it (after dropping every block).
    Full,
}

/// The double mapping of the code memory.
struct CodeMemory {
    rw: *mut u8,
    rx: *mut u8,
    size: usize,
}

impl CodeMemory {
    fn new(size: usize) -> Result<CodeMemory, String> {
        let name = c"vireo-baseline-code";
        // SAFETY: plain system calls with valid arguments; every result
        // is checked, and the descriptor is closed once both mappings
        // exist (they keep the memory alive).
        unsafe {
            let fd = libc::memfd_create(name.as_ptr(), libc::MFD_CLOEXEC);
            if fd < 0 {
                return Err(format!(
                    "memfd_create for JIT code memory: {}",
                    std::io::Error::last_os_error()
                ));
            }
            let fail = |what: &str| {
                let e = std::io::Error::last_os_error();
                libc::close(fd);
                Err(format!("{what} for JIT code memory: {e}"))
            };
            if libc::ftruncate(fd, size as libc::off_t) != 0 {
                return fail("ftruncate");
            }
            let map = |prot| {
                libc::mmap(
                    std::ptr::null_mut(),
                    size,
                    prot,
                    libc::MAP_SHARED | libc::MAP_NORESERVE,
                    fd,
                    0,
                )
            };
            let rw = map(libc::PROT_READ | libc::PROT_WRITE);
            if rw == libc::MAP_FAILED {
                return fail("mmap (read+write view)");
            }
            let rx = map(libc::PROT_READ | libc::PROT_EXEC);
            if rx == libc::MAP_FAILED {
                libc::munmap(rw, size);
                return fail("mmap (read+execute view)");
            }
            libc::close(fd);
            Ok(CodeMemory {
                rw: rw as *mut u8,
                rx: rx as *mut u8,
                size,
            })
        }
    }
}

impl Drop for CodeMemory {
    fn drop(&mut self) {
        // SAFETY: both are mappings of `size` bytes made by `new`; the
        // owner guarantees no code from here is running or will run.
        unsafe {
            libc::munmap(self.rw as *mut libc::c_void, self.size);
            libc::munmap(self.rx as *mut libc::c_void, self.size);
        }
    }
}

/// The baseline translator of one hart, with its code memory.
pub struct Baseline {
    mem: CodeMemory,
    /// Bytes of code memory used (the shared stubs first).
    used: usize,
    /// Offsets of the shared exit stubs.
    chain: usize,
    link: usize,
    slow: usize,
    hot: usize,
    fill: usize,
    done: usize,
    /// Entry counters of the blocks (see the module documentation), the
    /// first `blocks` in use: atomics, because generated code writes them
    /// through their addresses.
    heat: Box<[AtomicU16]>,
    blocks: usize,
    /// Guest physical address of the block being translated.
    paddr: u64,
    /// Emit the store log (see [`crate::JitCtx::store_log`]).
    log_stores: bool,
    asm: Asm,
    /// The guest register `rax` holds, and the code length when that was
    /// known: valid only while nothing else was emitted since (any other
    /// instruction may change `rax`). A register written from `rax`
    /// (`set`) is read back from `rax` by the next instruction's `get`
    /// instead of from memory: no load, and no store-to-load forwarding
    /// delay on the chain of dependent instructions (every template
    /// writes its result from `rax`, and control only falls through from
    /// one instruction to the next inside a block; taken branches, slow
    /// paths and links leave it, and TLB-fill retries jump back to code
    /// emitted after a load).
    rax_holds: Option<(u8, usize)>,
    stubs: Vec<(usize, Stub)>,
    stats: BaselineStats,
    /// Decoded instructions the code passes to the helper (by address):
    /// boxed so that they stay put, freed with the code memory.
    #[allow(clippy::vec_box)]
    kept: Vec<Box<Insn>>,
}

// SAFETY: the raw pointers are the translator's own mappings; the
// translator is used by one thread at a time (moved with its hart).
unsafe impl Send for Baseline {}

impl Baseline {
    /// A translator with empty code memory; `log_stores` for checking
    /// (see [`crate::JitCtx::store_log`]).
    pub fn new(log_stores: bool) -> Result<Baseline, String> {
        if !cfg!(target_arch = "x86_64") {
            return Err("the baseline translator emits x86-64 code only".into());
        }
        let mut b = Baseline {
            mem: CodeMemory::new(BASELINE_CODE_SIZE)?,
            used: 0,
            chain: 0,
            link: 0,
            slow: 0,
            hot: 0,
            fill: 0,
            done: 0,
            heat: zeroed_counters(MAX_BLOCKS),
            blocks: 0,
            paddr: 0,
            log_stores,
            asm: Asm { buf: Vec::new() },
            rax_holds: None,
            stubs: Vec::new(),
            stats: BaselineStats::default(),
            kept: Vec::new(),
        };
        b.emit_shared_stubs();
        Ok(b)
    }

    /// Statistics so far.
    pub fn stats(&self) -> BaselineStats {
        BaselineStats {
            code_bytes: self.used as u64,
            ..self.stats
        }
    }

    /// Drop every block's code.
    ///
    /// # Safety
    ///
    /// No code of this translator is running, and none will be called
    /// again (the caller made every block slot holding it stale).
    pub unsafe fn reset(&mut self) {
        self.used = 0;
        self.blocks = 0;
        self.kept.clear();
        self.stats.resets += 1;
        self.emit_shared_stubs();
    }

    /// Whether `code` is a block of this translator.
    pub fn owns(&self, code: Code) -> bool {
        let p = code.0.as_ptr() as usize;
        let rx = self.mem.rx as usize;
        (rx..rx + self.used).contains(&p)
    }

    /// Make the block `code` (of this translator, see [`Baseline::owns`])
    /// jump to `to` on entry: its guest code now has a Cranelift region,
    /// and links into the block should reach it. The block's entry
    /// counter is skipped from then on.
    ///
    /// # Safety
    ///
    /// The block is not running (its hart is between blocks); `to` is
    /// code with the region contract, freed only together with a flush
    /// that makes this block unreachable.
    pub unsafe fn forward(&mut self, code: Code, to: Code) {
        if !self.owns(code) {
            return;
        }
        let at = code.0.as_ptr() as usize - self.mem.rx as usize;
        // mov rax, imm64; jmp rax
        let mut jump = [0u8; FORWARD_BYTES];
        jump[..2].copy_from_slice(&[0x48, 0xb8]);
        jump[2..10].copy_from_slice(&(to.0.as_ptr() as u64).to_le_bytes());
        jump[10..].copy_from_slice(&[0xff, 0xe0]);
        // SAFETY: the block's first FORWARD_BYTES bytes (its counter's
        // `mov` and `sub`, see `translate`) lie inside the writable view
        // (at < used); nothing executes them now (see above).
        unsafe { std::ptr::copy_nonoverlapping(jump.as_ptr(), self.mem.rw.add(at), FORWARD_BYTES) };
    }

    /// Copy the assembled bytes into code memory; returns their offset,
    /// or `None` when they do not fit.
    fn commit(&mut self) -> Option<usize> {
        let at = self.used;
        let n = self.asm.buf.len();
        if at + n > self.mem.size {
            return None;
        }
        // SAFETY: [at, at + n) lies inside the read+write view (checked
        // above); the source is a separate heap buffer.
        unsafe { std::ptr::copy_nonoverlapping(self.asm.buf.as_ptr(), self.mem.rw.add(at), n) };
        self.used = (at + n + 15) & !15;
        Some(at)
    }

    /// The exits every block jumps to, at the start of code memory. On
    /// entry: `rcx` the next pc, `rdx` instructions retired by the call.
    fn emit_shared_stubs(&mut self) {
        let a = &mut self.asm;
        a.buf.clear();
        // Leave: store the outputs, return the code in eax.
        let leave = |a: &mut Asm, code: u64| {
            a.store64(CTX, CTX_NEXT_PC, RCX);
            a.store64(CTX, CTX_EXECUTED, N);
            a.mov_ri(RAX, code);
            a.ret();
        };
        let slow = a.buf.len();
        leave(a, EXIT_SLOW);
        let hot = a.buf.len();
        leave(a, EXIT_HOT);
        // Back to the dispatcher (after `fence.i`).
        let done = a.buf.len();
        leave(a, EXIT_DONE);
        // Chain (see the crate documentation): within the limit, through
        // the fetch TLB and a current slot holding code.
        let chain = a.buf.len();
        Self::emit_lookup(a, None, leave);
        // Resolve a link: the chain, which on success also points the
        // link's `jmp` (its rel32, at `r10` in the writable view) at the
        // code found, when that is within reach of a rel32. The link
        // already counted the transition as chained.
        let link = a.buf.len();
        let delta = (self.mem.rx as u64).wrapping_sub(self.mem.rw as u64);
        Self::emit_lookup(a, Some(delta), leave);
        // Fill the data TLB after a miss (see `Stub::Fill`): `rax` the
        // guest address, `ecx` the helper's argument, `r10` where to probe
        // again, `r11` the slow exit. The helper in the host C
        // convention, the block's fixed registers and the three saved
        // around it (seven pushes: the stack pointer, 8 mod 16 at entry,
        // is aligned for the call).
        let fill = a.buf.len();
        a.load64(R9, CTX, CTX_TLB_FILL);
        a.alu_rr(true, 0x85, R9, R9);
        let none = a.jcc(CC_E);
        let saved = [CTX, PC, N, X, RAX, R10, R11];
        for r in saved {
            a.rex(false, 0, r, false);
            a.byte(0x50 + (r & 7));
        }
        a.alu_rr(true, 0x89, RSI, RAX);
        a.alu_rr(false, 0x89, RDX, RCX);
        a.load64(RDI, CTX, CTX_FP_STATE);
        a.op_rr(false, &[0xff], 2, R9); // call r9
        a.alu_rr(true, 0x89, R9, RAX);
        for r in saved.into_iter().rev() {
            a.rex(false, 0, r, false);
            a.byte(0x58 + (r & 7));
        }
        a.alu_rr(true, 0x85, R9, R9);
        let failed = a.jcc(CC_NE);
        a.op_rr(false, &[0xff], 4, R10); // jmp r10
        let here = a.buf.len();
        a.patch(none, here);
        a.patch(failed, here);
        a.op_rr(false, &[0xff], 4, R11); // jmp r11

        // The stubs are a few hundred bytes at the start of an empty
        // memory of megabytes.
        let base = self.commit().expect("stubs fit in empty code memory");
        self.fill = base + fill;
        self.slow = base + slow;
        self.hot = base + hot;
        self.done = base + done;
        self.chain = base + chain;
        self.link = base + link;
    }

    /// The chain lookup of the shared stubs (`rcx` next pc, `rdx`
    /// retired): within the instruction limit, the fetch-TLB entry of the
    /// pc, then its jump-cache entry or else its block slot, current and
    /// holding code (which fills the entry), and a jump there with
    /// `rsi` = pc; otherwise leave with [`EXIT_DONE`]. With
    /// `link` (the read+execute view's distance from the writable one),
    /// the stub resolves a link instead (see the module documentation).
    fn emit_lookup(a: &mut Asm, link: Option<u64>, leave: impl Fn(&mut Asm, u64)) {
        let mut outs = Vec::new();
        a.alu_rm(0x3b, N, CTX, CTX_LIMIT); // cmp rdx, limit
        outs.push(a.jcc(CC_AE));
        a.alu_rr(true, 0x89, RAX, RCX); // mov rax, rcx
        a.shift_ri(true, SH_SHR, RAX, 12); // vpn
        a.alu_rr(true, 0x89, R9, RAX);
        a.alu_ri(false, ALU_AND, R9, (TLB_ENTRIES - 1) as i32);
        a.shift_ri(true, SH_SHL, R9, TLB_ENTRY_SHIFT as u8);
        a.alu_rm(0x03, R9, CTX, CTX_TLB_EXEC); // entry
        a.alu_rm(0x33, RAX, CTX, CTX_ASID_TAG);
        a.alu_rm(0x3b, RAX, R9, TLB_TAG as i32);
        outs.push(a.jcc(CC_NE));
        a.alu_rr(true, 0x89, RAX, RCX);
        a.alu_ri(false, ALU_AND, RAX, 0xfff);
        a.alu_rm(0x0b, RAX, R9, TLB_PPAGE as i32); // physical address
        a.alu_rr(true, 0x89, R9, RAX);
        a.shift_ri(true, SH_SHR, R9, 1);
        a.alu_rr(true, 0x89, R11, RAX);
        a.shift_ri(true, SH_SHR, R11, 13);
        a.alu_rr(true, 0x31, R9, R11); // slot_index
                                       // The jump cache first: rsi = its entry (rsi is set to the pc
                                       // before the jump).
        a.alu_rr(true, 0x89, PC, R9);
        a.alu_ri(false, ALU_AND, PC, (JC_ENTRIES - 1) as i32);
        a.shift_ri(true, SH_SHL, PC, JC_ENTRY_SIZE.trailing_zeros() as u8);
        a.alu_rm(0x03, PC, CTX, CTX_JCACHE);
        a.alu_rm(0x3b, RAX, PC, JC_PADDR as i32);
        let miss = a.jcc(CC_NE);
        a.load64(RAX, PC, JC_CODE as i32);
        let hit = a.jmp();
        // Then the slot, current and with code, which fills the entry.
        let here = a.buf.len();
        a.patch(miss, here);
        a.alu_rm(0x23, R9, CTX, CTX_SLOT_MASK);
        a.shift_ri(true, SH_SHL, R9, SLOT_SIZE.trailing_zeros() as u8);
        a.alu_rm(0x03, R9, CTX, CTX_SLOTS); // the slot
        a.alu_rm(0x3b, RAX, R9, SLOT_PADDR as i32);
        outs.push(a.jcc(CC_NE));
        a.op_mem(false, &[0x8b], R11, R9, SLOT_GEN as i32); // mov r11d, gen
        a.alu_rm(0x3b, R11, CTX, CTX_GEN);
        outs.push(a.jcc(CC_NE));
        a.load64(R11, R9, SLOT_CODE as i32);
        a.alu_rr(true, 0x85, R11, R11);
        outs.push(a.jcc(CC_E));
        a.store64(PC, JC_PADDR as i32, RAX);
        a.store64(PC, JC_CODE as i32, R11);
        a.alu_rr(true, 0x89, RAX, R11);
        let here = a.buf.len();
        a.patch(hit, here);
        match link {
            None => a.op_mem(true, &[0xff], 0, CTX, crate::CTX_CHAINED), // inc chained
            Some(delta) => {
                // r9 = code - (rx address of the rel32 + 4)
                a.alu_rr(true, 0x89, R9, RAX);
                a.alu_rr(true, 0x29, R9, R10);
                a.mov_ri(R11, delta.wrapping_add(4));
                a.alu_rr(true, 0x29, R9, R11);
                // Patch only when it fits in 32 bits (sign-extended).
                a.sext32(R11, R9);
                a.alu_rr(true, 0x39, R11, R9);
                let far = a.jcc(CC_NE);
                a.op_mem(false, &[0x89], R9, R10, 0); // mov [r10], r9d
                let here = a.buf.len();
                a.patch(far, here);
            }
        }
        a.alu_rr(true, 0x89, PC, RCX);
        a.op_rr(false, &[0xff], 4, RAX); // jmp rax
        let out = a.buf.len();
        for at in outs {
            a.patch(at, out);
        }
        if link.is_some() {
            // Not chained after all.
            a.op_mem(true, &[0xff], 1, CTX, crate::CTX_CHAINED); // dec chained
        }
        leave(a, EXIT_DONE);
    }

    /// Translate the block `insns` (one decoded block: consecutive
    /// instructions of one page, branches falling through) at guest
    /// physical address `paddr`; its entries are counted down from `hot`
    /// (see the module documentation).
    pub fn translate(&mut self, insns: &[Insn], hot: u16, paddr: u64) -> Result<Code, NoCode> {
        if insns.first().is_none_or(|i| !self.handles(i)) {
            return Err(NoCode::Unsupported);
        }
        if self.used + MAX_BLOCK_BYTES > self.mem.size || self.blocks == MAX_BLOCKS {
            return Err(NoCode::Full);
        }
        let t0 = Instant::now();
        self.asm.buf.clear();
        self.rax_holds = None;
        self.stubs.clear();
        self.paddr = paddr;
        // Count the entry down; at zero, leave hot before anything ran.
        let counter = &self.heat[self.blocks];
        counter.store(hot.max(1), Ordering::Relaxed);
        self.asm.mov_ri(RAX, counter.as_ptr() as u64);
        self.asm.byte(0x66);
        self.asm.op_mem(false, &[0x83], ALU_SUB, RAX, 0);
        self.asm.byte(1);
        let hot = self.asm.jcc(CC_E);
        debug_assert!(self.asm.buf.len() >= FORWARD_BYTES);
        self.asm.load64(X, CTX, CTX_X);
        let mut off: i32 = 0;
        let mut k: u32 = 0;
        let mut ended = false;
        for i in insns {
            if !self.handles(i) {
                break;
            }
            ended = self.insn(i, off, k);
            off += i.len as i32;
            k += 1;
            if ended {
                break;
            }
        }
        if !ended {
            // Fall through to the instruction after the last one.
            self.exit_chain(off, k);
        }
        // The hot exit: nothing ran, continue at the block start.
        let here = self.asm.buf.len();
        self.asm.patch(hot, here);
        self.asm.alu_rr(true, 0x89, RCX, PC);
        self.jmp_far(self.hot);
        self.rax_holds = None;
        // Exit stubs of the guards, taken branches and links (a taken
        // branch's exit may add a link).
        let mut i = 0;
        while let Some(&(at, stub)) = self.stubs.get(i) {
            i += 1;
            let here = self.asm.buf.len();
            self.asm.patch(at, here);
            match stub {
                Stub::Slow { off, k } => {
                    self.asm.lea(RCX, PC, off);
                    if k > 0 {
                        self.asm.lea(N, N, k as i32);
                    }
                    self.jmp_far(self.slow);
                }
                Stub::Taken { off, k } => self.exit_chain(off, k),
                Stub::Fill { off, k, arg, retry } => self.fill(off, k, arg, retry),
                Stub::Link { at } => {
                    // The link's rel32 in the writable view, once the
                    // block is committed at `used`.
                    let rw = self.mem.rw as u64 + (self.used + at) as u64;
                    self.asm.mov_ri(R10, rw);
                    self.jmp_far(self.link);
                }
            }
        }
        let at = self.commit().ok_or(NoCode::Full)?;
        self.blocks += 1;
        self.stats.blocks += 1;
        self.stats.insns += k as u64;
        self.stats.translate_ns += t0.elapsed().as_nanos() as u64;
        // SAFETY: `at` is inside the read+execute view, which is not null.
        let p = unsafe { self.mem.rx.add(at) };
        if crate::perfmap::enabled() {
            // SAFETY: the block's bytes were just committed at `p`.
            unsafe { crate::perfmap::record(p, self.asm.buf.len(), "bl", paddr) };
        }
        Ok(Code(
            std::ptr::NonNull::new(p).expect("mapping is not null"),
        ))
    }

    /// Whether blocks include `i` ([`supported`], [`is_baseline_csr`],
    /// [`is_baseline_system`]): a checking translator leaves the system
    /// instructions, and also `cbo.zero` (eight logged stores,
    /// too long a template), the AMOs and `sc` (no store log in their
    /// templates) to the interpreter.
    fn handles(&self, i: &Insn) -> bool {
        let op = i.op;
        // (Checking translators leave `time` reads too: the interpreter's
        // rerun would read a later time.)
        let time = i.imm as u64 & 0xfff == 0xc01;
        (supported(op)
            || (is_baseline_csr(i) && !(self.log_stores && time))
            || (is_baseline_system(i) && !self.log_stores))
            && !(self.log_stores && (matches!(op, Op::CboZero | Op::ScW | Op::ScD) || is_amo(op)))
    }

    /// Load guest register `r` into `dst` — or copy it from `rax`, when
    /// `rax` holds it (see `rax_holds`).
    fn get(&mut self, dst: u8, r: u8) {
        let r = r & 31;
        let here = self.asm.buf.len();
        let held = self
            .rax_holds
            .filter(|&(_, at)| at == here)
            .map(|(held, _)| held);
        if r == 0 {
            self.asm.alu_rr(false, 0x31, dst, dst);
        } else if held == Some(r) {
            if dst != RAX {
                self.asm.alu_rr(true, 0x89, dst, RAX);
            }
        } else {
            self.asm.load64(dst, X, 8 * r as i32);
        }
        // `rax` now holds x_r if it was the destination, else what it held.
        let now = if dst == RAX {
            (r != 0).then_some(r)
        } else {
            held
        };
        self.rax_holds = now.map(|h| (h, self.asm.buf.len()));
    }

    /// Store `src` into guest register `r` (x0 is never written).
    fn set(&mut self, r: u8, src: u8) {
        let r = r & 31;
        if r != 0 {
            self.asm.store64(X, 8 * r as i32, src);
            if src == RAX {
                self.rax_holds = Some((r, self.asm.buf.len()));
            }
        }
    }

    /// Leave for byte offset `off` of the block after `k` instructions:
    /// by a link when the target lies in the block's page (see the module
    /// documentation), otherwise through the chain stub.
    fn exit_chain(&mut self, off: i32, k: u32) {
        self.asm.lea(RCX, PC, off);
        self.asm.lea(N, N, k as i32);
        let in_page = (self.paddr & 0xfff) as i64 + off as i64;
        if self.log_stores || !(0..0x1000).contains(&in_page) {
            self.jmp_far(self.chain);
            return;
        }
        let a = &mut self.asm;
        a.alu_rm(0x3b, N, CTX, CTX_LIMIT); // cmp rdx, limit
        let over = a.jcc(CC_AE);
        a.alu_rr(true, 0x89, PC, RCX);
        a.op_mem(true, &[0xff], 0, CTX, crate::CTX_CHAINED); // inc chained
        let link = a.jmp();
        self.stubs.push((link, Stub::Link { at: link }));
        // Over the limit: the chain stub leaves.
        let here = self.asm.buf.len();
        self.asm.patch(over, here);
        self.jmp_far(self.chain);
    }

    /// `jmp` to offset `to` of code memory (a shared stub) from the block
    /// being assembled (it is placed at `used`).
    fn jmp_far(&mut self, to: usize) {
        let j = self.asm.jmp();
        let rel = to as i64 - (self.used + j + 4) as i64;
        self.asm.buf[j..j + 4].copy_from_slice(&(rel as i32).to_le_bytes());
    }

    /// The fill stub of a TLB miss (see [`Stub::Fill`]): the shared fill
    /// stub with the helper's argument, the probe's address and the
    /// instruction's slow exit.
    fn fill(&mut self, off: i32, k: u32, arg: u32, retry: usize) {
        let a = &mut self.asm;
        a.mov_ri(RCX, arg as u64);
        // lea r10, [rip + retry]; lea r11, [rip + slow exit]
        a.op_rip(0x8d, R10, retry);
        let slow = a.op_rip(0x8d, R11, 0);
        self.jmp_far(self.fill);
        self.stubs.push((slow, Stub::Slow { off, k }));
    }

    /// The TLB fast path of an access of `size` bytes at `rax` (the guest
    /// address): leaves `rax` = host address, or takes the slow exit
    /// before instruction `k` (at byte offset `off`) on a page-crossing
    /// access, a miss the fill helper cannot mend (a fault, MMIO; see
    /// [`Stub::Fill`]) or (stores) a flagged page.
    fn tlb(&mut self, write: bool, size: i32, off: i32, k: u32) {
        let retry = self.asm.buf.len();
        let a = &mut self.asm;
        // rcx = the entry: ((vaddr >> 12) & mask) * entry size + array.
        a.alu_rr(true, 0x89, RCX, RAX);
        a.shift_ri(true, SH_SHR, RCX, (12 - TLB_ENTRY_SHIFT) as u8);
        a.alu_ri(
            false,
            ALU_AND,
            RCX,
            ((TLB_ENTRIES - 1) << TLB_ENTRY_SHIFT) as i32,
        );
        let arr = if write { CTX_TLB_WRITE } else { CTX_TLB_READ };
        a.alu_rm(0x03, RCX, CTX, arr);
        // The tag of the page of the last byte (also catches accesses
        // crossing the page end).
        if size > 1 {
            a.lea(R9, RAX, size - 1);
        } else {
            a.alu_rr(true, 0x89, R9, RAX);
        }
        a.shift_ri(true, SH_SHR, R9, 12);
        a.alu_rm(0x33, R9, CTX, CTX_ASID_TAG);
        a.alu_rm(0x3b, R9, RCX, TLB_TAG as i32);
        let miss = a.jcc(CC_NE);
        let arg = size as u32 | (write as u32) << 8;
        self.stubs.push((miss, Stub::Fill { off, k, arg, retry }));
        if write {
            let a = &mut self.asm;
            a.load64(R9, RCX, TLB_FLAG as i32);
            // cmp byte [r9], 0
            a.op_mem(false, &[0x80], ALU_CMP, R9, 0);
            a.byte(0);
            let flagged = a.jcc(CC_NE);
            self.stubs.push((flagged, Stub::Slow { off, k }));
        }
        self.asm.alu_rm(0x03, RAX, RCX, TLB_ADDEND as i32);
    }

    /// Record a store of `size` bytes at host address `rax` in the store
    /// log (checking translators): host address, size, old value.
    fn log_store(&mut self, size: i32) {
        let a = &mut self.asm;
        a.load64(R10, CTX, CTX_STORE_LOG);
        a.load64(R11, CTX, CTX_STORE_LOG_LEN);
        a.shift_ri(true, SH_SHL, R11, 3);
        a.alu_rr(true, 0x01, R10, R11);
        a.store64(R10, 0, RAX);
        a.mov_ri(R11, size as u64);
        a.store64(R10, 8, R11);
        match size {
            1 => a.op_mem(false, &[0x0f, 0xb6], R11, RAX, 0),
            2 => a.op_mem(false, &[0x0f, 0xb7], R11, RAX, 0),
            4 => a.op_mem(false, &[0x8b], R11, RAX, 0),
            _ => a.load64(R11, RAX, 0),
        }
        a.store64(R10, 16, R11);
        // add qword [ctx + len], 3
        a.op_mem(true, &[0x83], ALU_ADD, CTX, CTX_STORE_LOG_LEN);
        a.byte(3);
    }

    /// Instruction `i` (number `k`, at byte offset `off`) by the helper:
    /// `fp_op(fp_state, &insn)` in the host C convention, the block's
    /// fixed registers saved around it; a non-zero result (the
    /// instruction must trap) leaves before it for the interpreter.
    fn helper(&mut self, i: &Insn, off: i32, k: u32) {
        let kept = Box::new(*i);
        let at = &*kept as *const Insn as u64;
        self.kept.push(kept);
        let a = &mut self.asm;
        // push rdi, rsi, rdx, r8; then 8 more bytes: the stack pointer,
        // 8 mod 16 at entry (after the caller's return address), is
        // aligned for the call.
        for r in [CTX, PC, N, X] {
            a.rex(false, 0, r, false);
            a.byte(0x50 + (r & 7));
        }
        a.alu_ri(true, ALU_SUB, RSP, 8);
        a.load64(RAX, CTX, CTX_FP_OP);
        a.load64(RDI, CTX, CTX_FP_STATE);
        a.mov_ri(RSI, at);
        a.op_rr(false, &[0xff], 2, RAX); // call rax
        a.alu_ri(true, ALU_ADD, RSP, 8);
        for r in [X, N, PC, CTX] {
            a.rex(false, 0, r, false);
            a.byte(0x58 + (r & 7));
        }
        a.alu_rr(false, 0x85, RAX, RAX);
        let trap = a.jcc(CC_NE);
        self.stubs.push((trap, Stub::Slow { off, k }));
    }

    /// The host address of the word an AMO, `lr` or `sc` accesses, in
    /// `rax`: the address in rs1, aligned (else the interpreter raises
    /// the fault), through the read or write TLB. Returns the size.
    fn atomic_address(&mut self, i: &Insn, write: bool, off: i32, k: u32) -> i32 {
        let size = vireo_isa::atomic_size(i.op).unwrap_or(8) as i32;
        self.get(RAX, i.rs1);
        let a = &mut self.asm;
        a.alu_rr(true, 0x89, RCX, RAX);
        a.alu_ri(false, ALU_AND, RCX, size - 1);
        let misaligned = a.jcc(CC_NE);
        self.stubs.push((misaligned, Stub::Slow { off, k }));
        self.tlb(write, size, off, k);
        size
    }

    /// An AMO: aligned (else the interpreter raises the fault), through
    /// the write TLB, then `xchg` (always locked) for `amoswap`, `lock
    /// xadd` for `amoadd`, and a `lock cmpxchg` loop for the others (x86
    /// has no locked instruction returning the old value of an and, or,
    /// xor, min or max); rd gets the old value (sign-extended for `.w`).
    fn amo(&mut self, i: &Insn, off: i32, k: u32) {
        use Op::*;
        let size = self.atomic_address(i, true, off, k);
        let w = size == 8;
        match i.op {
            AmoswapW | AmoswapD | AmoaddW | AmoaddD => {
                self.get(R9, i.rs2);
                let a = &mut self.asm;
                if matches!(i.op, AmoaddW | AmoaddD) {
                    a.byte(0xf0); // lock
                    a.op_mem(w, &[0x0f, 0xc1], R9, RAX, 0); // xadd [rax], r9
                } else {
                    a.op_mem(w, &[0x87], R9, RAX, 0); // xchg [rax], r9
                }
            }
            op => {
                self.asm.alu_rr(true, 0x89, R10, RAX);
                self.get(RCX, i.rs2);
                let a = &mut self.asm;
                a.op_mem(w, &[0x8b], RAX, R10, 0); // mov rax, [r10]
                let again = a.buf.len();
                // r9 = op(old = rax, src = rcx)
                a.alu_rr(true, 0x89, R9, RAX);
                let alu = match op {
                    AmoxorW | AmoxorD => Some(0x31),
                    AmoandW | AmoandD => Some(0x21),
                    AmoorW | AmoorD => Some(0x09),
                    _ => None,
                };
                if let Some(opcode) = alu {
                    a.alu_rr(w, opcode, R9, RCX);
                } else {
                    // The old value stays when it is the answer, else
                    // the source: cmp old, src; cmovcc r9 <- rcx.
                    let cc = match op {
                        AmominW | AmominD => CC_G,
                        AmomaxW | AmomaxD => CC_L,
                        AmominuW | AmominuD => CC_A,
                        _ => CC_B,
                    };
                    a.alu_rr(w, 0x39, RAX, RCX); // cmp rax, rcx
                    a.op_rr(w, &[0x0f, 0x40 | cc], R9, RCX);
                }
                a.byte(0xf0); // lock
                a.op_mem(w, &[0x0f, 0xb1], R9, R10, 0); // cmpxchg [r10], r9
                let retry = a.jcc(CC_NE);
                a.patch(retry, again);
                a.alu_rr(true, 0x89, R9, RAX);
            }
        }
        if !w {
            self.asm.sext32(R9, R9);
        }
        self.set(i.rd, R9);
    }

    /// `lr.w`/`lr.d`/`sc.w`/`sc.d`, as Cranelift regions run them (see
    /// [`crate::JitCtx::reservation`]): aligned (else the interpreter
    /// raises the fault), through the TLB; `lr` records the host address
    /// and the value, `sc` drops the reservation and, when it was for
    /// this address, stores by `lock cmpxchg` against the value `lr`
    /// saw; rd = 0 on success, 1 on failure.
    fn reserved(&mut self, i: &Insn, off: i32, k: u32) {
        let lr = matches!(i.op, Op::LrW | Op::LrD);
        let w = self.atomic_address(i, !lr, off, k) == 8;
        let a = &mut self.asm;
        a.load64(R11, CTX, crate::CTX_RESERVATION);
        if lr {
            // An aligned x86-64 load is atomic.
            if w {
                a.load64(R9, RAX, 0);
            } else {
                a.op_mem(true, &[0x63], R9, RAX, 0); // movsxd r9, [rax]
            }
            a.store64(R11, 0, RAX);
            a.store64(R11, 8, R9);
        } else {
            a.alu_rr(true, 0x89, R10, RAX);
            a.load64(RCX, R11, 0);
            // mov qword [r11], 0
            a.op_mem(true, &[0xc7], 0, R11, 0);
            a.u32(0);
            a.mov_ri(R9, 1);
            a.alu_rr(true, 0x3b, RCX, R10);
            let other = a.jcc(CC_NE);
            a.load64(RAX, R11, 8);
            self.get(RCX, i.rs2);
            let a = &mut self.asm;
            a.byte(0xf0); // lock
            a.op_mem(w, &[0x0f, 0xb1], RCX, R10, 0); // cmpxchg [r10], rcx
            a.setcc(CC_NE, R9);
            let here = a.buf.len();
            a.patch(other, here);
        }
        self.set(i.rd, R9);
    }

    /// An F/D load or store. Like Cranelift regions (see
    /// [`crate::JitCtx::mstatus`]), only while the FPU is on and already
    /// Dirty: then a load need not mark it; otherwise the interpreter
    /// runs the instruction (and traps if the FPU is off).
    fn fp_access(&mut self, i: &Insn, off: i32, k: u32) {
        let a = &mut self.asm;
        a.load64(R9, CTX, CTX_MSTATUS);
        a.load64(R9, R9, 0);
        a.alu_ri(false, ALU_AND, R9, MSTATUS_FS as i32);
        a.alu_ri(false, ALU_CMP, R9, MSTATUS_FS as i32);
        let off_state = a.jcc(CC_NE);
        self.stubs.push((off_state, Stub::Slow { off, k }));
        let (size, store) = match i.op {
            Op::Flw => (4, false),
            Op::Fld => (8, false),
            Op::Fsw => (4, true),
            _ => (8, true),
        };
        self.get(RAX, i.rs1);
        if i.imm as i32 != 0 {
            self.asm.alu_ri(true, ALU_ADD, RAX, i.imm as i32);
        }
        self.tlb(store, size, off, k);
        if store {
            if self.log_stores {
                self.log_store(size);
            }
            let a = &mut self.asm;
            a.load64(R10, CTX, CTX_F);
            a.load64(R9, R10, 8 * (i.rs2 & 31) as i32);
            a.op_mem(size == 8, &[0x89], R9, RAX, 0);
        } else {
            let a = &mut self.asm;
            if size == 8 {
                a.load64(R9, RAX, 0);
            } else {
                // NaN-box the single.
                a.op_mem(false, &[0x8b], R9, RAX, 0);
                a.mov_ri(R10, 0xffff_ffff_0000_0000);
                a.alu_rr(true, 0x09, R9, R10);
            }
            a.load64(R10, CTX, CTX_F);
            a.store64(R10, 8 * (i.rd & 31) as i32, R9);
        }
    }

    /// Emit instruction `i` (number `k` of the block, at byte offset
    /// `off`). Returns true when it ends the block (a jump).
    fn insn(&mut self, i: &Insn, off: i32, k: u32) -> bool {
        use Op::*;
        if by_helper(i.op) || is_baseline_csr(i) {
            self.helper(i, off, k);
            return false;
        }
        if is_baseline_system(i) {
            self.helper(i, off, k);
            self.asm.lea(RCX, PC, off + i.len as i32);
            self.asm.lea(N, N, (k + 1) as i32);
            let to = if i.op == Op::SfenceVma {
                self.chain
            } else {
                self.done
            };
            self.jmp_far(to);
            return true;
        }
        let imm = i.imm;
        let imm32 = imm as i32;
        match i.op {
            Lui => {
                self.asm.mov_ri(RAX, imm as u64);
                self.set(i.rd, RAX);
            }
            Auipc => {
                self.asm.mov_ri(RAX, (off as i64).wrapping_add(imm) as u64);
                self.asm.alu_rr(true, 0x01, RAX, PC);
                self.set(i.rd, RAX);
            }
            Jal => {
                self.asm.lea(RAX, PC, off + i.len as i32);
                self.set(i.rd, RAX);
                self.exit_chain(off + imm32, k + 1);
                return true;
            }
            Jalr => {
                self.get(RCX, i.rs1);
                if imm32 != 0 {
                    self.asm.alu_ri(true, ALU_ADD, RCX, imm32);
                }
                self.asm.alu_ri(true, ALU_AND, RCX, -2);
                self.asm.lea(RAX, PC, off + i.len as i32);
                self.set(i.rd, RAX);
                self.asm.lea(N, N, (k + 1) as i32);
                self.jmp_far(self.chain);
                return true;
            }
            Beq | Bne | Blt | Bge | Bltu | Bgeu => {
                self.get(RAX, i.rs1);
                self.get(RCX, i.rs2);
                self.asm.alu_rr(true, 0x39, RAX, RCX);
                let cc = match i.op {
                    Beq => CC_E,
                    Bne => CC_NE,
                    Blt => CC_L,
                    Bge => CC_GE,
                    Bltu => CC_B,
                    _ => CC_AE,
                };
                let j = self.asm.jcc(cc);
                self.stubs.push((
                    j,
                    Stub::Taken {
                        off: off + imm32,
                        k: k + 1,
                    },
                ));
            }
            Lb | Lh | Lw | Ld | Lbu | Lhu | Lwu => {
                let size = match i.op {
                    Lb | Lbu => 1,
                    Lh | Lhu => 2,
                    Lw | Lwu => 4,
                    _ => 8,
                };
                self.get(RAX, i.rs1);
                if imm32 != 0 {
                    self.asm.alu_ri(true, ALU_ADD, RAX, imm32);
                }
                self.tlb(false, size, off, k);
                // The value goes to rax, for the next instruction's `get`.
                let a = &mut self.asm;
                match i.op {
                    Lb => a.op_mem(true, &[0x0f, 0xbe], RAX, RAX, 0),
                    Lbu => a.op_mem(false, &[0x0f, 0xb6], RAX, RAX, 0),
                    Lh => a.op_mem(true, &[0x0f, 0xbf], RAX, RAX, 0),
                    Lhu => a.op_mem(false, &[0x0f, 0xb7], RAX, RAX, 0),
                    Lw => a.op_mem(true, &[0x63], RAX, RAX, 0),
                    Lwu => a.op_mem(false, &[0x8b], RAX, RAX, 0),
                    _ => a.load64(RAX, RAX, 0),
                }
                self.set(i.rd, RAX);
            }
            Sb | Sh | Sw | Sd => {
                let size = match i.op {
                    Sb => 1,
                    Sh => 2,
                    Sw => 4,
                    _ => 8,
                };
                self.get(RAX, i.rs1);
                if imm32 != 0 {
                    self.asm.alu_ri(true, ALU_ADD, RAX, imm32);
                }
                self.tlb(true, size, off, k);
                if self.log_stores {
                    self.log_store(size);
                }
                self.get(R9, i.rs2);
                let a = &mut self.asm;
                match size {
                    1 => {
                        a.rex(false, R9, RAX, true);
                        a.byte(0x88);
                        a.mem(R9, RAX, 0);
                    }
                    2 => {
                        a.byte(0x66);
                        a.op_mem(false, &[0x89], R9, RAX, 0);
                    }
                    4 => a.op_mem(false, &[0x89], R9, RAX, 0),
                    _ => a.store64(RAX, 0, R9),
                }
            }
            CboZero => {
                // Allowed at this privilege? Else the interpreter traps.
                self.asm
                    .op_mem(true, &[0x83], ALU_CMP, CTX, crate::CTX_CBO_ZERO);
                self.asm.byte(0);
                let disallowed = self.asm.jcc(CC_E);
                self.stubs.push((disallowed, Stub::Slow { off, k }));
                // The aligned block: one TLB probe, eight 8-byte stores
                // (not logged: checking translators leave it to the
                // interpreter, see `handles`).
                self.get(RAX, i.rs1);
                self.asm
                    .alu_ri(true, ALU_AND, RAX, -(crate::CBO_BLOCK as i32));
                self.tlb(true, crate::CBO_BLOCK as i32, off, k);
                let a = &mut self.asm;
                a.alu_rr(false, 0x31, R9, R9);
                for j in 0..crate::CBO_BLOCK as i32 / 8 {
                    a.store64(RAX, 8 * j, R9);
                }
            }
            op if is_amo(op) => self.amo(i, off, k),
            LrW | LrD | ScW | ScD => self.reserved(i, off, k),
            Addi | Xori | Ori | Andi | Addiw => {
                self.get(RAX, i.rs1);
                let w = i.op != Addiw;
                let ext = match i.op {
                    Addi | Addiw => ALU_ADD,
                    Xori => ALU_XOR,
                    Ori => ALU_OR,
                    _ => ALU_AND,
                };
                if imm32 != 0 || ext == ALU_AND {
                    self.asm.alu_ri(w, ext, RAX, imm32);
                }
                if !w {
                    self.asm.sext32(RAX, RAX);
                }
                self.set(i.rd, RAX);
            }
            Slti | Sltiu => {
                self.get(RCX, i.rs1);
                self.asm.alu_ri(true, ALU_CMP, RCX, imm32);
                self.asm.setcc(if i.op == Slti { CC_L } else { CC_B }, RAX);
                self.set(i.rd, RAX);
            }
            Slli | Srli | Srai | Rori | Slliw | Srliw | Sraiw | Roriw | SlliUw => {
                self.get(RAX, i.rs1);
                let (w, ext) = match i.op {
                    Slli | SlliUw => (true, SH_SHL),
                    Srli => (true, SH_SHR),
                    Srai => (true, SH_SAR),
                    Rori => (true, SH_ROR),
                    Slliw => (false, SH_SHL),
                    Srliw => (false, SH_SHR),
                    Sraiw => (false, SH_SAR),
                    _ => (false, SH_ROR),
                };
                if i.op == SlliUw {
                    self.asm.zext32(RAX, RAX);
                }
                let n = (imm as u8) & if w { 63 } else { 31 };
                if n != 0 {
                    self.asm.shift_ri(w, ext, RAX, n);
                }
                if !w {
                    self.asm.sext32(RAX, RAX);
                }
                self.set(i.rd, RAX);
            }
            Add | Sub | And | Or | Xor | Addw | Subw | Mul | Mulw => {
                self.get(RAX, i.rs1);
                self.get(RCX, i.rs2);
                let w = !matches!(i.op, Addw | Subw | Mulw);
                match i.op {
                    Add | Addw => self.asm.alu_rr(w, 0x01, RAX, RCX),
                    Sub | Subw => self.asm.alu_rr(w, 0x29, RAX, RCX),
                    And => self.asm.alu_rr(w, 0x21, RAX, RCX),
                    Or => self.asm.alu_rr(w, 0x09, RAX, RCX),
                    Xor => self.asm.alu_rr(w, 0x31, RAX, RCX),
                    // imul rax, rcx
                    _ => self.asm.op_rr(w, &[0x0f, 0xaf], RAX, RCX),
                }
                if !w {
                    self.asm.sext32(RAX, RAX);
                }
                self.set(i.rd, RAX);
            }
            Sll | Srl | Sra | Rol | Ror | Sllw | Srlw | Sraw | Rolw | Rorw => {
                self.get(RAX, i.rs1);
                self.get(RCX, i.rs2);
                let (w, ext) = match i.op {
                    Sll => (true, SH_SHL),
                    Srl => (true, SH_SHR),
                    Sra => (true, SH_SAR),
                    Rol => (true, SH_ROL),
                    Ror => (true, SH_ROR),
                    Sllw => (false, SH_SHL),
                    Srlw => (false, SH_SHR),
                    Sraw => (false, SH_SAR),
                    Rolw => (false, SH_ROL),
                    _ => (false, SH_ROR),
                };
                self.asm.shift_cl(w, ext, RAX);
                if !w {
                    self.asm.sext32(RAX, RAX);
                }
                self.set(i.rd, RAX);
            }
            Slt | Sltu => {
                self.get(RCX, i.rs1);
                self.get(R9, i.rs2);
                self.asm.alu_rr(true, 0x39, RCX, R9);
                self.asm.setcc(if i.op == Slt { CC_L } else { CC_B }, RAX);
                self.set(i.rd, RAX);
            }
            Sh1add | Sh2add | Sh3add | AddUw | Sh1addUw | Sh2addUw | Sh3addUw => {
                self.get(RAX, i.rs1);
                self.get(RCX, i.rs2);
                if matches!(i.op, AddUw | Sh1addUw | Sh2addUw | Sh3addUw) {
                    self.asm.zext32(RAX, RAX);
                }
                let n = match i.op {
                    Sh1add | Sh1addUw => 1,
                    Sh2add | Sh2addUw => 2,
                    Sh3add | Sh3addUw => 3,
                    _ => 0,
                };
                if n != 0 {
                    self.asm.shift_ri(true, SH_SHL, RAX, n);
                }
                self.asm.alu_rr(true, 0x01, RAX, RCX);
                self.set(i.rd, RAX);
            }
            Andn | Orn | Xnor => {
                self.get(RAX, i.rs1);
                self.get(RCX, i.rs2);
                if i.op != Xnor {
                    self.asm.op_rr(true, &[0xf7], 2, RCX); // not rcx
                }
                match i.op {
                    Andn => self.asm.alu_rr(true, 0x21, RAX, RCX),
                    Orn => self.asm.alu_rr(true, 0x09, RAX, RCX),
                    _ => {
                        self.asm.alu_rr(true, 0x31, RAX, RCX);
                        self.asm.op_rr(true, &[0xf7], 2, RAX);
                    }
                }
                self.set(i.rd, RAX);
            }
            Min | Max | Minu | Maxu => {
                self.get(RAX, i.rs1);
                self.get(RCX, i.rs2);
                self.asm.alu_rr(true, 0x39, RAX, RCX);
                // Take rs2 when rs1 is on the wrong side of it.
                let cc = match i.op {
                    Min => CC_G,
                    Max => CC_L,
                    Minu => CC_A,
                    _ => CC_B,
                };
                self.asm.op_rr(true, &[0x0f, 0x40 | cc], RAX, RCX);
                self.set(i.rd, RAX);
            }
            SextB | SextH | ZextH | Rev8 => {
                self.get(RCX, i.rs1);
                match i.op {
                    SextB => self.asm.op_rr(true, &[0x0f, 0xbe], RAX, RCX),
                    SextH => self.asm.op_rr(true, &[0x0f, 0xbf], RAX, RCX),
                    ZextH => self.asm.op_rr(false, &[0x0f, 0xb7], RAX, RCX),
                    _ => {
                        self.asm.alu_rr(true, 0x89, RAX, RCX);
                        self.asm.rex(true, 0, RAX, false);
                        self.asm.buf.extend_from_slice(&[0x0f, 0xc8]); // bswap rax
                    }
                }
                self.set(i.rd, RAX);
            }
            Flw | Fld | Fsw | Fsd => self.fp_access(i, off, k),
            Fence => self.asm.buf.extend_from_slice(&[0x0f, 0xae, 0xf0]), // mfence
            _ => {
                // Not reached (`supported` lists only instructions with a
                // template or the helper); should one be missing, the
                // block ends before it and the interpreter runs it.
                self.exit_chain(off, k);
                return true;
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_memory_is_never_writable_and_executable() {
        let b = Baseline::new(false).expect("x86-64 host");
        let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
        let perms: Vec<&str> = maps
            .lines()
            .filter(|l| l.contains("vireo-baseline-code"))
            .filter_map(|l| l.split_whitespace().nth(1))
            .collect();
        assert!(
            perms.contains(&"rw-s") && perms.contains(&"r-xs"),
            "{perms:?}"
        );
        for p in &perms {
            assert!(!(p.contains('w') && p.contains('x')), "{perms:?}");
        }
        drop(b);
    }

    #[test]
    fn the_largest_block_fits_in_the_room_a_block_is_started_with() {
        // 64 logged F/D stores with 32-bit displacements: fsd fa0, 2047(a0).
        let mut b = Baseline::new(true).expect("x86-64 host");
        let before = b.stats().code_bytes;
        let fsd = vireo_isa::decode(0x7ea5_3fa7);
        assert_eq!(fsd.op, Op::Fsd);
        assert!(b.translate(&[fsd; 64], 0, 0).is_ok());
        let size = (b.stats().code_bytes - before) as usize;
        assert!(size < MAX_BLOCK_BYTES / 2, "{size} bytes");
        // 64 cbo.zero (the longest template without a log).
        let mut b = Baseline::new(false).expect("x86-64 host");
        let before = b.stats().code_bytes;
        let cbo = vireo_isa::decode(0x0045_200f); // cbo.zero (a0)
        assert_eq!(cbo.op, Op::CboZero);
        assert!(b.translate(&[cbo; 64], 0, 0).is_ok());
        let size = (b.stats().code_bytes - before) as usize;
        assert!(size < MAX_BLOCK_BYTES / 2, "{size} bytes");
    }

    #[test]
    fn blocks_starting_with_unsupported_instructions_get_no_code() {
        let mut b = Baseline::new(false).expect("x86-64 host");
        // csrr a0, cycle
        let insn = vireo_isa::decode(0xc000_2573);
        assert_eq!(b.translate(&[insn], 0, 0), Err(NoCode::Unsupported));
        // addi a0, a0, 1
        let insn = vireo_isa::decode(0x0015_0513);
        assert!(b.translate(&[insn], 0, 0).is_ok());
        assert_eq!(b.stats().blocks, 1);
    }
}
