//! vireo's dynamic binary translator: lukewarm guest blocks get quick
//! x86-64 code from a template translator ([`baseline`]), hot code of
//! guest RISC-V is compiled to optimized host machine code with
//! Cranelift. Both obey the contract below.
//!
//! # The contract
//!
//! This crate knows nothing about the hart. A translated *region* is host
//! code ([`Code`]) built from guest instructions of one physical page that
//! this crate supports, at most [`MAX_REGION_LEN`]: one or more *runs* of
//! consecutive instructions (the caller starts a new run at the targets of
//! direct branches and jumps inside the page, [`Jit::translate_at`]), each
//! ending at a `jal`/`jalr` or where the caller stopped it. Branches and
//! jumps whose targets lie inside the region become host jumps (loops).
//! The caller fills [`JitCtx`] with raw pointers into its own state (the
//! 32 integer registers, the data and fetch TLB arrays for the current
//! privilege — each entry also pointing at its page's RAM flag byte —, its
//! block-cache slots, the f registers, `mstatus` and `fcsr`) and the region's
//! virtual `pc`, and calls [`Jit::enter`]. The code runs and returns one of:
//!
//! - [`EXIT_DONE`] (0): control left a region normally; `next_pc` is the
//!   pc of the next instruction (branch target, fall-through or jump
//!   target) and `executed` the number of instructions retired by the
//!   whole call.
//! - [`EXIT_SLOW`] (1): the code stopped *before* an instruction (its pc
//!   is `next_pc`; `executed` counts those before it) because it needs
//!   the slow path: a TLB miss (baseline code first asks
//!   [`JitCtx::tlb_fill`] to mend it), an access crossing a page end, a store
//!   into a page with a non-zero RAM page-flag byte (code or dirty-tracked
//!   page). Everything before it is committed (registers written back,
//!   stores done); it has not run: the interpreter runs it next and takes
//!   any trap precisely.
//!
//! Translated code never traps: it reads and writes the registers, reads
//! the TLB, flag and slot arrays, and reads and writes guest RAM through
//! TLB hits (whose invariant is that the whole page is RAM the current
//! privilege may access that way), and the hart's LR reservation
//! ([`JitCtx::reservation`]). Its one call back into the host is
//! [`JitCtx::fp_op`], for the F/D arithmetic that does not run inline
//! (inline only where the host FPU gives the same value and raises no new
//! flag; see `Translator::fp_inline` and `Translator::fp_inline_other`).
//! Cranelift regions run a few CSR accesses inline, those that change
//! nothing but the CSR: `fflags`/`frm`/`fcsr` ([`is_fp_csr`]),
//! `sscratch`/`sepc`/`scause`/`stval` ([`is_trap_csr`]), and `sstatus`
//! writes of SIE, SPIE, SPP, FS and in S-mode SUM ([`is_sstatus_csr`]);
//! they end before other CSR and system instructions (the interpreter
//! runs those). AMOs and `lr`/`sc` run as host atomics on guest RAM.
//!
//! The guest `pc` is an input, not a constant of the code: the same physical
//! region reached through two virtual mappings gets correct `auipc`, link
//! and branch-target values.
//!
//! # Chaining
//!
//! A normal end does not return at once: while fewer than `limit`
//! instructions have retired, the code looks up the next pc the way the
//! caller's dispatcher would — the fetch TLB gives its physical address (a
//! hit proves the mapping and execute permission), then the caller's
//! jump cache ([`JC_ENTRIES`]) or else, [`slot_index`], its block-cache
//! slot — and when the jump cache has the address, or the slot is current
//! (same address, same generation `gen`) and holds code (which fills the
//! jump-cache entry), jumps there with a tail call (all
//! regions use Cranelift's `tail` convention, so a chain uses one stack
//! frame). Direct branches, fall-throughs and indirect jumps (`jalr`,
//! returns) chain alike, except that a direct target in the region's own
//! physical page skips the fetch TLB: the region was entered through a
//! fetch-TLB hit for that page (the dispatcher's or a chain's), and
//! translated code changes no mapping, so the target's physical address
//! and slot are known when translating. So the caller bounds a call with `limit` (its
//! interrupt-check interval): interrupts are still taken within a bounded
//! number of instructions. Translated code changes no privilege, mapping
//! or CSR that selects a TLB (`satp`, `sstatus.SUM`/`MXR`), so the TLB and
//! privilege it started with stay the right ones.
//! It never stores into decoded code either (those pages are flagged), so
//! the slots stay current during a call; a store by *another* hart into
//! code this hart is running is seen when the call returns (within
//! `limit` instructions), which RISC-V allows: without a `fence.i` on this
//! hart (which a remote fence delivers as an interrupt) its instruction
//! fetches need not see other harts' stores.
//!
//! # Invalidation
//!
//! A translation is valid as long as the decoded block it came from is: the
//! hart keeps the code in its block-cache slot, and every cache flush
//! (code epoch change after a store into a code page, a full arena) makes
//! the slot stale, so neither the dispatcher nor a chain enters it again.
//! Baseline code also has direct links between blocks of one page, which
//! bypass the slots; they never leave the page, whose blocks are entered
//! from elsewhere only through slots, so they are unreachable once the
//! page's slots are dropped (see [`baseline`]). Code memory is reclaimed
//! only as a whole ([`Jit::reset`], or dropping the [`Jit`]), and only by
//! the owner between calls, when no translated function is on the stack;
//! function pointers from before are dead then.
//!
//! # W^X
//!
//! Code pages come from `cranelift-jit`: they are mapped read+write while
//! the machine code is copied in and switched to read+execute when the
//! module is finalized, so generated code is never writable and executable
//! at the same time.
//!
//! # Threads
//!
//! A [`Jit`] is used by one thread (one per hart): no locking. It compiles
//! either on that thread ([`Jit::new`]) or on a compiler thread of its own
//! ([`Jit::new_background`]): [`Jit::submit`] hands a region over and
//! returns, the caller keeps interpreting, and [`Jit::poll`] returns the
//! code once compiled. The region travels as decoded instructions, so the
//! compiler thread never reads guest memory; the caller checks that the
//! guest bytes are unchanged before it installs the code. The compiler
//! thread owns the code memory: a reset is a message to it, and results
//! of jobs from before a reset are dropped when they arrive.

pub mod baseline;
mod perfmap;

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{
    types, AbiParam, Block, BlockArg, InstBuilder, MemFlagsData, SigRef, Signature, Value,
};
use cranelift_codegen::isa::CallConv;
use cranelift_codegen::settings::{self, Configurable};
use cranelift_codegen::Context;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::Module;
use std::time::Instant;
use vireo_isa::{Insn, Op};

/// Every instruction of the block ran; `next_pc` is where to continue.
pub const EXIT_DONE: u64 = 0;
/// Stopped before instruction `executed`, which needs the interpreter.
pub const EXIT_SLOW: u64 = 1;
/// A baseline block's entry countdown ran out: stopped before its first
/// instruction (`next_pc`), which is hot enough for Cranelift (see
/// [`baseline`]).
pub const EXIT_HOT: u64 = 2;

/// Entries of each TLB array the context points to (direct-mapped, indexed
/// by `vaddr >> 12`); the hart asserts it uses the same number.
pub const TLB_ENTRIES: usize = 2048;
/// Size of one TLB entry:
/// `#[repr(C)] { tag: u64, addend: u64, ppage: u64, flag: u64 }`.
pub const TLB_ENTRY_SIZE: usize = 32;
const TLB_ENTRY_SHIFT: i64 = 5;
/// Packing of a guard's slow-exit constant: byte offset in the high bits,
/// index of the instruction in its segment in the low ones.
const SLOW_OFF_SHIFT: i64 = 20;
const _: () = assert!(MAX_REGION_LEN < 1 << SLOW_OFF_SHIFT);
const _: () = assert!(1 << TLB_ENTRY_SHIFT == TLB_ENTRY_SIZE);
/// Offset of `tag` in a TLB entry.
pub const TLB_TAG: usize = 0;
/// Offset of `addend` (host address minus guest virtual address).
pub const TLB_ADDEND: usize = 8;
/// Offset of `ppage` (guest physical address of the page).
pub const TLB_PPAGE: usize = 16;
/// Offset of `flag`: the host address of the page's flag byte (one byte
/// per RAM page, kept by the caller's memory): a store to a page whose
/// byte is not 0 takes the slow path (code or dirty-tracked page). Read
/// it with single-byte loads only (it is an atomic).
pub const TLB_FLAG: usize = 24;

/// What a translated block reads and writes. Filled by the caller before
/// each call; the pointers must be valid for the duration of the call.
#[repr(C)]
#[derive(Debug)]
pub struct JitCtx {
    /// The 32 integer registers (`x[0]` is read as 0 and never written).
    pub x: *mut u64,
    /// The read array of the data TLB in use ([`TLB_ENTRIES`] entries).
    pub tlb_read: *const u8,
    /// The write array of the data TLB in use.
    pub tlb_write: *const u8,
    /// XORed into `vaddr >> 12` to form the tag compared with entries.
    pub asid_tag: u64,
    /// In: the guest virtual address of the block's first instruction.
    pub pc: u64,
    /// Out: the pc to continue at.
    pub next_pc: u64,
    /// Out: instructions executed (retired) by the call.
    pub executed: u64,
    /// In: at least 1; a jump back inside the region leaves (with
    /// [`EXIT_DONE`]) once this many instructions have retired, so loops
    /// inside translated code give control back.
    pub limit: u64,
    /// Checking translators only ([`Jit::new_checking`]): where each store
    /// records `(host address, size, old value)` before writing, three
    /// words per store, and the number of words used so far. The caller
    /// provides room for `3 * MAX_STORES_PER_INSN * (limit + 128)` words (a
    /// region retires at most its length past the limit, and an
    /// instruction logs at most [`MAX_STORES_PER_INSN`] stores). Unused (may
    /// be null) otherwise.
    pub store_log: *mut u64,
    /// Words of `store_log` used (see there).
    pub store_log_len: u64,
    /// The fetch TLB array for the current privilege (chaining: the
    /// next region is entered only when its pc hits here, which proves
    /// the mapping and execute permission the dispatcher would check).
    pub tlb_exec: *const u8,
    /// The caller's block-cache slots ([`SLOT_SIZE`] bytes each, see
    /// [`slot_index`]); chaining enters a slot's code only when the slot
    /// holds the next pc's physical address and generation `gen`.
    pub slots: *const u8,
    /// `slots` has `slot_mask + 1` entries (a power of two).
    pub slot_mask: u64,
    /// The current generation of the block cache (older slots are stale);
    /// 0 turns chaining off (the caller gives no slot generation 0).
    pub gen: u64,
    /// Out: region-to-region transitions made inside the call (direct
    /// chaining, without returning to the caller).
    pub chained: u64,
    /// The 32 floating-point registers (raw bits, singles NaN-boxed).
    pub f: *mut u64,
    /// The guest's `mstatus`: regions with F/D instructions run only while
    /// its FS field is Dirty (3), so inline FP loads need not set it and
    /// a disabled FPU is the interpreter's business (it traps). `sstatus`
    /// accesses ([`is_sstatus_csr`]) read it and write the bits that need
    /// nothing else updated.
    pub mstatus: *mut u64,
    /// Opaque state passed to `fp_op`.
    pub fp_state: *mut u8,
    /// Executes one F/D arithmetic instruction, or (baseline code) one
    /// CSR instruction of [`baseline::is_baseline_csr`] (the caller runs
    /// only those that change nothing but the CSR and rd; others return 1
    /// without effect), `sfence.vma` or `fence.i`
    /// ([`baseline::is_baseline_system`]), or one integer instruction without memory access,
    /// control transfer or trap (a pointer to its decoded [`Insn`], kept by the translator as
    /// long as the code) on `fp_state`, reading and writing the f and x
    /// registers in memory and the floating-point flags; returns 0, or 1
    /// without any effect when the instruction must trap (FPU off, an
    /// invalid rounding mode). Translated code calls it in the host's C
    /// convention; it must not unwind.
    pub fp_op: Option<FpOpFn>,
    /// The guest's `fcsr`: F/D arithmetic runs inline, on the host FPU,
    /// when rounding is to nearest-even and the inexact flag is already
    /// set (see [`Translator::fp_inline`]); otherwise `fp_op`. Accesses to
    /// `fflags`, `frm` and `fcsr` (regions with them run only while FS is
    /// Dirty, like other F/D instructions) read and write it here.
    pub fcsr: *mut u64,
    /// Non-zero when `cbo.zero` may run at the current privilege (the
    /// envcfg CSRs' CBZE bits allow it); otherwise translated code leaves
    /// before it and the interpreter raises the illegal-instruction trap.
    pub cbo_zero: u64,
    /// The hart's LR reservation, two words: the host address of the
    /// reserved word (0: none) and the value `lr` loaded there. `lr`
    /// sets both; `sc` clears the address and succeeds only when it
    /// matches and memory still holds the value (a compare-and-swap),
    /// as the interpreter does.
    pub reservation: *mut u64,
    /// The hart's `sscratch`, `sepc`, `scause` and `stval`, four adjacent
    /// words in that order, while the hart runs in S- or M-mode; null in
    /// U-mode, where translated code leaves before an access to them and
    /// the interpreter raises the illegal-instruction trap. (A call runs at
    /// one privilege: only traps and `xret`, which leave translated code,
    /// change it.)
    pub trap_csrs: *mut u64,
    /// The caller's jump cache ([`JC_ENTRIES`] entries of [`JC_ENTRY_SIZE`]
    /// bytes, see [`jc_index`]): a small table in front of the block
    /// slots that chaining reads first and fills from the slots.
    pub jcache: *mut u8,
    /// Fills the data TLB after a miss of baseline code (Cranelift
    /// regions leave instead: a call per access doubled their code and
    /// cost 40 % more compile time):
    /// `tlb_fill(fp_state, vaddr, size | write << 8)` walks the page
    /// table for an access of `size` bytes at `vaddr` (a store when
    /// `write`), as the interpreter's slow path would, and returns 0 when
    /// the TLB entry of `vaddr` in the array the context points to now
    /// hits for the whole access (guest RAM, inside one page, allowed),
    /// so the code goes on without leaving; otherwise (a fault, MMIO, a
    /// page-crossing access) non-zero, with no effect the interpreter's
    /// run of the access would not also have (A/D bits), and the code
    /// leaves before the access. Called in the host's C convention; must
    /// not unwind. `None`: misses leave at once (tests).
    pub tlb_fill: Option<TlbFillFn>,
    /// The caller's virtual jump cache ([`VJC_ENTRIES`] entries of
    /// [`VJC_ENTRY_SIZE`] bytes, see [`vjc_index`]): guest virtual pc,
    /// key and code of regions chained to before. A normal end whose pc
    /// and the context's `vjc_key` match an entry enters its code at
    /// once, without the fetch TLB and the jump cache; chaining through
    /// those fills the entry. The caller must change the key whenever a
    /// virtual pc may stop meaning the same code: a change of privilege,
    /// address space or fetch mapping (`satp`, `sfence.vma`, PMP), and
    /// code dropped or flushed from the block cache. Entries start with
    /// an odd pc, which no lookup has.
    pub vjcache: *mut u8,
    /// See `vjcache`; `u64::MAX` when chaining is off (the caller never
    /// fills an entry with it).
    pub vjc_key: u64,
    /// In S-mode: the read and write arrays of the other S-mode data
    /// TLB, the one `sstatus.SUM` flipped selects; null otherwise. A
    /// region that flips SUM (`sstatus` writes, [`is_sstatus_csr`])
    /// swaps these with `tlb_read`/`tlb_write`, so the context always
    /// points at the TLB that `mstatus` selects; with null ones, a write
    /// that changes SUM leaves the region first.
    pub tlb_read_alt: *const u8,
    /// See `tlb_read_alt`.
    pub tlb_write_alt: *const u8,
    /// Not 0 when an interrupt was pending (and enabled in `mie`) at
    /// entry: an `sstatus` write that sets SIE then leaves the region, so
    /// that the interpreter takes it right after the write. Otherwise a
    /// region goes on after setting SIE (Linux's `local_irq_restore`
    /// after each short critical section); an interrupt that arrives
    /// later is taken at the end of the run, as one that arrives while
    /// SIE is set already.
    pub irq_pending: u64,
}

/// See [`JitCtx::tlb_fill`].
pub type TlbFillFn = unsafe extern "C" fn(state: *mut u8, vaddr: u64, arg: u64) -> u64;

/// The rounding state of an F/D instruction at run time (conditions, see
/// `Translator::fp_rounding`).
struct Rounding {
    /// The instruction is legal: rm 0..=4, or rm 7 while `frm` is.
    legal: Value,
    /// It rounds to nearest-even (rm 0, or rm 7 with `frm` 0): the host's
    /// rounding for arithmetic and conversions.
    rne: Value,
    /// NX is set in `fflags`: an inexact result needs no flag update.
    nx: Value,
}

/// See [`JitCtx::fp_op`].
pub type FpOpFn = unsafe extern "C" fn(state: *mut u8, insn: *const Insn) -> u64;

/// Most instructions a region has (so a checking caller can size the
/// store log: a call retires at most `limit + MAX_REGION_LEN`).
pub const MAX_REGION_LEN: u64 = 128;

/// Store-log entries one instruction may make (`cbo.zero`: a 64-byte
/// block as eight 8-byte stores), see [`JitCtx::store_log`].
pub const MAX_STORES_PER_INSN: usize = 8;

/// The block `cbo.zero` clears (Zicboz; the hart reports this size).
pub const CBO_BLOCK: u64 = 64;

const CTX_X: i32 = 0;
const CTX_TLB_READ: i32 = 8;
const CTX_TLB_WRITE: i32 = 16;
const CTX_ASID_TAG: i32 = 24;
const CTX_PC: i32 = 32;
const CTX_NEXT_PC: i32 = 40;
const CTX_EXECUTED: i32 = 48;
const CTX_LIMIT: i32 = 56;
const CTX_STORE_LOG: i32 = 64;
const CTX_STORE_LOG_LEN: i32 = 72;
const CTX_TLB_EXEC: i32 = 80;
const CTX_SLOTS: i32 = 88;
const CTX_SLOT_MASK: i32 = 96;
const CTX_GEN: i32 = 104;
const CTX_CHAINED: i32 = 112;
const CTX_F: i32 = 120;
const CTX_MSTATUS: i32 = 128;
const CTX_FP_STATE: i32 = 136;
const CTX_FP_OP: i32 = 144;
const CTX_FCSR: i32 = 152;
const CTX_CBO_ZERO: i32 = 160;
const CTX_RESERVATION: i32 = 168;
const CTX_TRAP_CSRS: i32 = 176;
pub(crate) const CTX_JCACHE: i32 = 184;
pub(crate) const CTX_TLB_FILL: i32 = 192;
const CTX_VJCACHE: i32 = 200;
const CTX_VJC_KEY: i32 = 208;
const CTX_TLB_READ_ALT: i32 = 216;
const CTX_TLB_WRITE_ALT: i32 = 224;
const CTX_IRQ_PENDING: i32 = 232;

/// Size of one block-cache slot of the caller:
/// `#[repr(C)] { paddr: u64, code: Option<Code>, gen: u32, .. }`.
pub const SLOT_SIZE: usize = 32;
const _: () = assert!(SLOT_SIZE.is_power_of_two());
/// Offset of the slot's physical address.
pub const SLOT_PADDR: usize = 0;
/// Offset of the slot's translation (`Option<Code>`: 0 when none).
pub const SLOT_CODE: usize = 8;
/// Offset of the slot's generation (`u32`).
pub const SLOT_GEN: usize = 16;

/// The block-cache slot of physical address `paddr`, before masking with
/// the number of slots: the caller's cache and translated code both use
/// this.
#[inline(always)]
pub fn slot_index(paddr: u64) -> u64 {
    (paddr >> 1) ^ (paddr >> 13)
}

/// Entries of the caller's jump cache: the physical addresses chaining
/// found code for last, direct-mapped by [`jc_index`] — 64 KiB that stay
/// in the host's near caches, where the block slots (megabytes, touched
/// all over by a boot) mostly miss them. An entry is
/// `#[repr(C)] { paddr: u64, code: Option<Code> }`; translated code enters
/// `code` when `paddr` is the next pc's physical address (after the
/// fetch-TLB check and within the instruction limit, as for a slot), and
/// fills an entry from a current slot. The caller keeps every entry's
/// code valid: it empties entries (`paddr` = [`JC_EMPTY`]) whenever the
/// slots they came from are dropped (a block-cache flush, a written code
/// page), so an entry needs no generation. Chaining off (`gen` 0) never
/// fills it.
pub const JC_ENTRIES: usize = 4096;
/// Size of one jump-cache entry.
pub const JC_ENTRY_SIZE: usize = 16;
const JC_ENTRY_SHIFT: i64 = 4;
const _: () = assert!(1 << JC_ENTRY_SHIFT == JC_ENTRY_SIZE);
/// Offset of the entry's physical address.
pub const JC_PADDR: usize = 0;
/// Offset of the entry's code.
pub const JC_CODE: usize = 8;

/// Entries of the virtual jump cache ([`JitCtx::vjcache`]).
pub const VJC_ENTRIES: usize = 1024;
/// Bytes per virtual jump-cache entry: `{ pc, key, code, unused }`.
pub const VJC_ENTRY_SIZE: usize = 32;
const VJC_ENTRY_SHIFT: i64 = 5;
const _: () = assert!(1 << VJC_ENTRY_SHIFT == VJC_ENTRY_SIZE);
const VJC_PC: i32 = 0;
const VJC_KEY: i32 = 8;
const VJC_CODE: i32 = 16;

/// The virtual jump-cache entry of guest pc `pc`.
pub fn vjc_index(pc: u64) -> usize {
    (((pc >> 1) ^ (pc >> 11)) as usize) & (VJC_ENTRIES - 1)
}
/// The `paddr` of an empty entry (no physical address is this).
pub const JC_EMPTY: u64 = u64::MAX;

/// The jump-cache entry of physical address `paddr`: the low bits of its
/// [`slot_index`], so that the entries of one page lie among the
/// entries of its slots (`slot index & (JC_ENTRIES - 1)`; the slots
/// outnumber the entries).
#[inline(always)]
pub fn jc_index(paddr: u64) -> u64 {
    slot_index(paddr) & (JC_ENTRIES as u64 - 1)
}

const _: () = {
    assert!(std::mem::offset_of!(JitCtx, x) == CTX_X as usize);
    assert!(std::mem::offset_of!(JitCtx, tlb_read) == CTX_TLB_READ as usize);
    assert!(std::mem::offset_of!(JitCtx, tlb_write) == CTX_TLB_WRITE as usize);
    assert!(std::mem::offset_of!(JitCtx, asid_tag) == CTX_ASID_TAG as usize);
    assert!(std::mem::offset_of!(JitCtx, pc) == CTX_PC as usize);
    assert!(std::mem::offset_of!(JitCtx, next_pc) == CTX_NEXT_PC as usize);
    assert!(std::mem::offset_of!(JitCtx, executed) == CTX_EXECUTED as usize);
    assert!(std::mem::offset_of!(JitCtx, limit) == CTX_LIMIT as usize);
    assert!(std::mem::offset_of!(JitCtx, store_log) == CTX_STORE_LOG as usize);
    assert!(std::mem::offset_of!(JitCtx, cbo_zero) == CTX_CBO_ZERO as usize);
    assert!(std::mem::offset_of!(JitCtx, reservation) == CTX_RESERVATION as usize);
    assert!(std::mem::offset_of!(JitCtx, trap_csrs) == CTX_TRAP_CSRS as usize);
    assert!(std::mem::offset_of!(JitCtx, jcache) == CTX_JCACHE as usize);
    assert!(std::mem::offset_of!(JitCtx, tlb_fill) == CTX_TLB_FILL as usize);
    assert!(std::mem::offset_of!(JitCtx, vjcache) == CTX_VJCACHE as usize);
    assert!(std::mem::offset_of!(JitCtx, vjc_key) == CTX_VJC_KEY as usize);
    assert!(std::mem::offset_of!(JitCtx, tlb_read_alt) == CTX_TLB_READ_ALT as usize);
    assert!(std::mem::offset_of!(JitCtx, tlb_write_alt) == CTX_TLB_WRITE_ALT as usize);
    assert!(std::mem::offset_of!(JitCtx, irq_pending) == CTX_IRQ_PENDING as usize);
    assert!(std::mem::offset_of!(JitCtx, store_log_len) == CTX_STORE_LOG_LEN as usize);
    assert!(std::mem::offset_of!(JitCtx, tlb_exec) == CTX_TLB_EXEC as usize);
    assert!(std::mem::offset_of!(JitCtx, slots) == CTX_SLOTS as usize);
    assert!(std::mem::offset_of!(JitCtx, slot_mask) == CTX_SLOT_MASK as usize);
    assert!(std::mem::offset_of!(JitCtx, gen) == CTX_GEN as usize);
    assert!(std::mem::offset_of!(JitCtx, chained) == CTX_CHAINED as usize);
    assert!(std::mem::offset_of!(JitCtx, f) == CTX_F as usize);
    assert!(std::mem::offset_of!(JitCtx, mstatus) == CTX_MSTATUS as usize);
    assert!(std::mem::offset_of!(JitCtx, fp_state) == CTX_FP_STATE as usize);
    assert!(std::mem::offset_of!(JitCtx, fp_op) == CTX_FP_OP as usize);
    assert!(std::mem::offset_of!(JitCtx, fcsr) == CTX_FCSR as usize);
    assert!(std::mem::size_of::<Option<Code>>() == 8);
};

/// A translated region: the address of its host code. It is not a Rust
/// function (regions use Cranelift's `tail` calling convention so that
/// they can jump to each other); [`Jit::enter`] calls it. `Option<Code>`
/// is a nullable pointer (0 = none), which translated code relies on when
/// it reads a slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(transparent)]
pub struct Code(std::ptr::NonNull<u8>);

// SAFETY: a `Code` is the address of immutable machine code; moving the
// address between threads is harmless (calling it is what `enter` guards).
unsafe impl Send for Code {}

/// The entry trampoline: a C-ABI function that calls a region.
type Trampoline = unsafe extern "C" fn(ctx: *mut JitCtx, code: *const u8) -> u64;

/// Whether the translator handles `op` (anything else ends the translated
/// prefix of a block, and the interpreter runs the rest).
pub fn supported(op: Op) -> bool {
    use Op::*;
    matches!(
        op,
        Lui | Auipc
            | Jal
            | Jalr
            | Beq
            | Bne
            | Blt
            | Bge
            | Bltu
            | Bgeu
            | Lb
            | Lh
            | Lw
            | Ld
            | Lbu
            | Lhu
            | Lwu
            | Sb
            | Sh
            | Sw
            | Sd
            | CboZero
            | Addi
            | Slti
            | Sltiu
            | Xori
            | Ori
            | Andi
            | Slli
            | Srli
            | Srai
            | Add
            | Sub
            | Sll
            | Slt
            | Sltu
            | Xor
            | Srl
            | Sra
            | Or
            | And
            | Addiw
            | Slliw
            | Srliw
            | Sraiw
            | Addw
            | Subw
            | Sllw
            | Srlw
            | Sraw
            | Mul
            | Mulh
            | Mulhsu
            | Mulhu
            | Div
            | Divu
            | Rem
            | Remu
            | Mulw
            | Divw
            | Divuw
            | Remw
            | Remuw
            | Sh1add
            | Sh2add
            | Sh3add
            | AddUw
            | Andn
            | Orn
            | Xnor
            | Min
            | Minu
            | Max
            | Maxu
            | SextB
            | SextH
            | ZextH
            | Clz
            | Ctz
            | Cpop
            | Rol
            | Ror
            | Rori
            | Rev8
            | Sh1addUw
            | Sh2addUw
            | Sh3addUw
            | SlliUw
            | Clzw
            | Ctzw
            | Cpopw
            | Rolw
            | Rorw
            | Roriw
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
            | Fence
            | Flw
            | Fld
            | Fsw
            | Fsd
    ) || vireo_isa::atomic_size(op).is_some()
        || vireo_isa::is_fp_arith(op)
}

pub(crate) use vireo_isa::is_amo;

/// F/D instructions, loads and stores included (a region holding one
/// checks the FPU state on entry, and runs only while it is Dirty).
pub fn is_fp(op: Op) -> bool {
    matches!(op, Op::Flw | Op::Fld | Op::Fsw | Op::Fsd) || vireo_isa::is_fp_arith(op)
}

/// A CSR instruction on `fflags`, `frm` or `fcsr`: legal in every
/// privilege mode while the FPU is on, with no effect but on `fcsr` and
/// `mstatus.FS` (already Dirty where regions with F/D instructions run),
/// so Cranelift regions run it inline, as an F/D instruction. (glibc's
/// `floor`, `ceil` and friends save and restore `fflags` around their
/// conversions.)
pub fn is_fp_csr(i: &Insn) -> bool {
    use Op::*;
    matches!(i.op, Csrrw | Csrrs | Csrrc | Csrrwi | Csrrsi | Csrrci)
        && (1..=3).contains(&(i.imm as u64 & 0xfff))
}

/// A CSR instruction on `sscratch`, `sepc`, `scause` or `stval`: plain
/// words with no effect on anything else, legal in S- and M-mode
/// ([`JitCtx::trap_csrs`]). Linux's trap entry and return read and write
/// them on every system call and exception, so Cranelift regions run them
/// inline instead of ending there.
pub fn is_trap_csr(i: &Insn) -> bool {
    use Op::*;
    matches!(i.op, Csrrw | Csrrs | Csrrc | Csrrwi | Csrrsi | Csrrci)
        && (0x140..=0x143).contains(&(i.imm as u64 & 0xfff))
}

/// A CSR instruction on `sstatus` (legal in S- and M-mode) that Cranelift
/// regions take in. They run it inline when the bits it changes need no
/// other update: SIE (setting it only while no interrupt is pending, see
/// [`JitCtx::irq_pending`]), SPIE, SPP, FS in regions without F/D
/// instructions (which checked FS on entry), and in S-mode SUM (the
/// region switches its context to the other S-mode data TLB, see
/// [`JitCtx::tlb_read_alt`]): Linux opens and closes a user-access window
/// (`csrs`/`csrc sstatus, SUM`) around every copy to or from user memory,
/// and restores SIE after every short critical section. Other writes
/// (MXR, SUM outside S-mode, SIE set with an interrupt pending) leave the
/// region before the instruction, and the interpreter runs it.
pub fn is_sstatus_csr(i: &Insn) -> bool {
    use Op::*;
    i.imm as u64 & 0xfff == 0x100
        && matches!(i.op, Csrrw | Csrrs | Csrrc | Csrrwi | Csrrsi | Csrrci)
}

/// The `mstatus` bits `sstatus` shows (the hart checks that these agree
/// with its own masks).
pub const SSTATUS_VISIBLE: u64 = (1 << 1) // SIE
    | (1 << 5) // SPIE
    | (1 << 6) // UBE
    | (1 << 8) // SPP
    | (3 << 9) // VS
    | (3 << 13) // FS
    | (3 << 15) // XS
    | (1 << 18) // SUM
    | (1 << 19) // MXR
    | (3 << 32) // UXL
    | (1 << 63); // SD

/// The `mstatus` bits an `sstatus` write sets.
pub const SSTATUS_WRITABLE: u64 =
    (1 << 1) | (1 << 5) | (1 << 8) | (3 << 13) | (1 << 18) | (1 << 19);

/// Whether Cranelift regions handle `i`: [`supported`] operations and the
/// CSR accesses of [`is_fp_csr`], [`is_trap_csr`] and [`is_sstatus_csr`].
/// The baseline tier handles [`supported`] only.
pub fn supported_insn(i: &Insn) -> bool {
    supported(i.op) || is_fp_csr(i) || is_trap_csr(i) || is_sstatus_csr(i)
}

/// Whether `i` makes its region an F/D region: [`is_fp`] or
/// [`is_fp_csr`].
pub fn is_fp_insn(i: &Insn) -> bool {
    is_fp(i.op) || is_fp_csr(i)
}

/// Whether the host FPU has a fused multiply-add that Cranelift uses
/// (else `fma` would become a library call; those instructions then take
/// the helper).
fn host_has_fma() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        true
    }
}

/// Whether the host rounds floats to an integral value in one instruction
/// (SSE4.1 `roundss`/`roundsd`; else Cranelift would call a library
/// function): `fcvt` to integer in modes other than RTZ is inlined only
/// then.
fn host_has_sse41() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("sse4.1")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        true
    }
}

/// The canonical single-precision NaN (what a single operand that is not
/// NaN-boxed reads as).
const CANONICAL_NAN_S: u32 = 0x7fc0_0000;

/// `mstatus.FS`.
pub(crate) const MSTATUS_FS: i64 = 3 << 13;

/// Direct control transfers (pc-relative targets known at translation).
fn is_direct(op: Op) -> bool {
    use Op::*;
    matches!(op, Jal | Beq | Bne | Blt | Bge | Bltu | Bgeu)
}

/// Translation statistics.
#[derive(Clone, Copy, Debug, Default)]
pub struct JitStats {
    /// Blocks translated.
    pub blocks: u64,
    /// Guest instructions in them.
    pub insns: u64,
    /// Cranelift IR instructions built for them.
    pub ir_insns: u64,
    /// Time spent translating, in nanoseconds (on the compiler thread
    /// when translating in the background).
    pub translate_ns: u64,
    /// Machine code bytes currently held.
    pub code_bytes: u64,
    /// Bytes of code memory mapped for them: each translation is finalized
    /// (made read+execute) on its own, so it takes whole pages.
    pub mapped_bytes: u64,
    /// Times the code memory was dropped ([`Jit::reset`]).
    pub resets: u64,
    /// Translations finished after a reset that asked for them: dropped
    /// unused (background translation only).
    pub discarded: u64,
}

/// A request to translate a region (see [`Jit::translate_at`] for the
/// meaning of the fields).
#[derive(Clone, Debug)]
pub struct Job {
    /// The region's instructions.
    pub insns: Vec<Insn>,
    /// Byte offset in the page of each instruction.
    pub at: Vec<u64>,
    /// Guest physical address of the entry (`insns[0]`).
    pub paddr: u64,
}

/// A finished translation ([`Jit::poll`]).
#[derive(Clone, Copy, Debug)]
pub struct Done {
    /// The job's `paddr`.
    pub paddr: u64,
    /// The code, or `None` when the region could not be translated (its
    /// first instruction is not supported, or Cranelift failed).
    pub code: Option<Code>,
}

/// What one compilation produced, with its costs.
struct Compiled {
    paddr: u64,
    code: Option<Code>,
    insns: u64,
    ir_insns: u64,
    size: u64,
    ns: u64,
    /// The [`Jit::reset`] count when the job was submitted: results of
    /// older code memories are dropped.
    epoch: u64,
}

impl Compiled {
    /// A job that produced no code (yet).
    fn failed(paddr: u64, epoch: u64) -> Compiled {
        Compiled {
            paddr,
            code: None,
            insns: 0,
            ir_insns: 0,
            size: 0,
            ns: 0,
            epoch,
        }
    }
}

/// Cranelift and one code memory: where regions are compiled. It lives in
/// the [`Jit`] (translation on the caller's thread) or on a compiler
/// thread of its own (background translation).
struct Compiler {
    module: Option<JITModule>,
    ctx: Context,
    fctx: FunctionBuilderContext,
    /// Emit the store log (checking translators).
    log_stores: bool,
    /// Decoded instructions that generated code points at: freed with the
    /// code memory. Boxed: their addresses are baked into the code, so
    /// they must not move when the vector grows.
    #[allow(clippy::vec_box)]
    kept_insns: Vec<Box<Insn>>,
}

/// Messages to a compiler thread.
enum Request {
    Translate(Job, u64),
    /// Free the code memory and start a new one (see [`Jit::reset`]).
    Reset,
}

/// Where a [`Jit`] compiles.
enum Backend {
    /// On the caller's thread, during [`Jit::submit`].
    Inline(Box<Compiler>),
    /// On a compiler thread, started at the first job.
    Thread {
        worker: Option<Worker>,
        log_stores: bool,
    },
}

/// A compiler thread and the channels to it.
struct Worker {
    to: std::sync::mpsc::Sender<Request>,
    from: std::sync::mpsc::Receiver<Compiled>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// A translator and its code memory (one per hart, used by one thread;
/// a background translator also has a compiler thread of its own).
pub struct Jit {
    backend: Backend,
    /// The entry trampoline, in a code memory of its own that lives as
    /// long as the `Jit` (resets do not move it).
    enter: Trampoline,
    enter_module: Option<JITModule>,
    stats: JitStats,
    /// Resets so far: tags jobs, so that results for a dropped code
    /// memory are recognised.
    epoch: u64,
    /// Jobs submitted and not yet returned by `poll`.
    in_flight: usize,
    /// Finished jobs not yet returned by `poll`.
    ready: std::collections::VecDeque<Done>,
}

/// The signature of every region: `(ctx, pc, executed so far) -> exit
/// code`, in the `tail` convention (regions leave for the next one with a
/// tail call, so a chain of any length uses one stack frame).
fn region_signature(module: &JITModule) -> Signature {
    let ptr = module.target_config().pointer_type();
    let mut sig = Signature::new(CallConv::Tail);
    sig.params.push(AbiParam::new(ptr));
    sig.params.push(AbiParam::new(types::I64));
    sig.params.push(AbiParam::new(types::I64));
    sig.returns.push(AbiParam::new(types::I64));
    sig
}

/// Build the trampoline of `module`: `extern "C" fn(ctx, code) -> u64`
/// calls region `code` with the pc from `ctx.pc` and nothing executed.
fn build_trampoline(module: &mut JITModule) -> Result<Trampoline, String> {
    let mut ctx = module.make_context();
    let mut fctx = FunctionBuilderContext::new();
    let ptr = module.target_config().pointer_type();
    let mut sig = module.make_signature();
    sig.params.push(AbiParam::new(ptr));
    sig.params.push(AbiParam::new(ptr));
    sig.returns.push(AbiParam::new(types::I64));
    ctx.func.signature = sig.clone();
    {
        let mut b = FunctionBuilder::new(&mut ctx.func, &mut fctx);
        let entry = b.create_block();
        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        let c = b.block_params(entry)[0];
        let code = b.block_params(entry)[1];
        let pc = b.ins().load(types::I64, MemFlagsData::trusted(), c, CTX_PC);
        let zero = b.ins().iconst(types::I64, 0);
        let rsig = b.import_signature(region_signature(module));
        let call = b.ins().call_indirect(rsig, code, &[c, pc, zero]);
        let r = b.inst_results(call)[0];
        b.ins().return_(&[r]);
        b.seal_all_blocks();
        b.finalize(module.target_config());
    }
    let id = module
        .declare_anonymous_function(&sig)
        .map_err(|e| e.to_string())?;
    module
        .define_function(id, &mut ctx)
        .map_err(|e| e.to_string())?;
    module.finalize_definitions().map_err(|e| e.to_string())?;
    let f = module.get_finalized_function(id);
    // SAFETY: `f` is finalized (read+execute) code of a function built
    // with the host's default (C) calling convention and the signature
    // `fn(ptr, ptr) -> i64`.
    Ok(unsafe { std::mem::transmute::<*const u8, Trampoline>(f) })
}

fn new_module() -> Result<JITModule, String> {
    let mut flags = settings::builder();
    // Measured (docs/BENCHMARKS.md, "F/D comparisons, conversions and
    // fflags inline"): "speed" compiles a region in about 1.5 times the
    // time "none" takes, on the compiler thread, and its code runs the CPU
    // suite's programs in 0.93-0.97 of the time; the boot's wall time is
    // the same. The IR verifier is a debugging aid that cost 7% of the
    // boot.
    flags.set("opt_level", "speed").map_err(|e| e.to_string())?;
    flags
        .set("enable_verifier", "false")
        .map_err(|e| e.to_string())?;
    flags
        .set("use_colocated_libcalls", "false")
        .map_err(|e| e.to_string())?;
    flags.set("is_pic", "false").map_err(|e| e.to_string())?;
    // Cranelift's x86-64 tail calls (chaining) rely on frame pointers.
    flags
        .set("preserve_frame_pointers", "true")
        .map_err(|e| e.to_string())?;
    let isa = cranelift_native::builder()
        .map_err(|e| e.to_string())?
        .finish(settings::Flags::new(flags))
        .map_err(|e| e.to_string())?;
    Ok(JITModule::new(JITBuilder::with_isa(
        isa,
        cranelift_module::default_libcall_names(),
    )))
}

impl Compiler {
    fn new(log_stores: bool) -> Result<Compiler, String> {
        let module = new_module()?;
        let ctx = module.make_context();
        Ok(Compiler {
            module: Some(module),
            ctx,
            fctx: FunctionBuilderContext::new(),
            log_stores,
            kept_insns: Vec::new(),
        })
    }

    /// Free all generated code and start over.
    ///
    /// # Safety
    ///
    /// No code compiled before may be running or be called afterwards.
    unsafe fn reset(&mut self) -> Result<(), String> {
        if let Some(m) = self.module.take() {
            // SAFETY: the caller guarantees no function of this module is
            // running or will be called again.
            unsafe { m.free_memory() };
        }
        self.kept_insns.clear();
        self.module = Some(new_module()?);
        Ok(())
    }

    /// Compile `job` (as [`Jit::translate_at`]).
    fn compile(&mut self, job: &Job, epoch: u64) -> Compiled {
        let t0 = Instant::now();
        let mut out = Compiled::failed(job.paddr, epoch);
        let (insns, at, paddr) = (&job.insns[..], &job.at[..], job.paddr);
        if at.len() != insns.len() || at.first().is_some_and(|&a| a != paddr & 0xfff) {
            return out;
        }
        // The supported prefix is the region; the interpreter goes on
        // from the first instruction after it.
        let insns = &insns[..insns
            .iter()
            .position(|i| !supported_insn(i))
            .unwrap_or(insns.len())];
        let insns = &insns[..insns.len().min(MAX_REGION_LEN as usize)];
        if insns.is_empty() {
            return out;
        }
        let Some(module) = self.module.as_mut() else {
            return out;
        };
        module.clear_context(&mut self.ctx);
        let sig = region_signature(module);
        self.ctx.func.signature = sig.clone();
        {
            let mut b = FunctionBuilder::new(&mut self.ctx.func, &mut self.fctx);
            let chain_sig = b.import_signature(sig.clone());
            let mut fp_sig = Signature::new(module.isa().default_call_conv());
            fp_sig.params.push(AbiParam::new(types::I64));
            fp_sig.params.push(AbiParam::new(types::I64));
            fp_sig.returns.push(AbiParam::new(types::I64));
            let fp_sig = b.import_signature(fp_sig);
            let mut t = Translator::new(b, insns, at, paddr);
            t.log_stores = self.log_stores;
            t.fp_sig = Some(fp_sig);
            t.region(insns);
            t.finish_slow();
            t.finish_direct_exits(chain_sig);
            t.finish_exit(chain_sig);
            self.kept_insns.append(&mut t.kept_insns);
            t.b.seal_all_blocks();
            t.b.finalize(module.target_config());
        }
        out.ir_insns = self.ctx.func.dfg.num_insts() as u64;
        let Ok(id) = module.declare_anonymous_function(&sig) else {
            return out;
        };
        if module.define_function(id, &mut self.ctx).is_err() {
            module.clear_context(&mut self.ctx);
            return out;
        }
        out.size = self
            .ctx
            .compiled_code()
            .map_or(0, |c| c.code_info().total_size as u64);
        module.clear_context(&mut self.ctx);
        if module.finalize_definitions().is_err() {
            return out;
        }
        let code = module.get_finalized_function(id);
        if perfmap::enabled() {
            // SAFETY: the function's `out.size` bytes were just finalized.
            unsafe { perfmap::record(code, out.size as usize, "cl", paddr) };
        }
        out.code = std::ptr::NonNull::new(code as *mut u8).map(Code);
        out.insns = insns.len() as u64;
        out.ns = t0.elapsed().as_nanos() as u64;
        out
    }
}

impl Drop for Compiler {
    fn drop(&mut self) {
        if let Some(m) = self.module.take() {
            // SAFETY: the functions compiled here are only valid while
            // their Jit lives (see the crate documentation): the owner
            // stops calling them before dropping it (a compiler thread's
            // compiler is dropped when its Jit is).
            unsafe { m.free_memory() };
        }
    }
}

/// The body of a compiler thread: compile jobs newest first, reset on
/// request, stop when the [`Jit`] hangs up. Newest first: the guest runs
/// the code that became hot last, while older requests may be for code it
/// has left behind (a boot moves from phase to phase), so a queue that
/// builds up delays the code that matters least.
fn compiler_thread(
    mut compiler: Compiler,
    jobs: std::sync::mpsc::Receiver<Request>,
    done: std::sync::mpsc::Sender<Compiled>,
) {
    // Below the vCPUs in the host scheduler: when the cores are busy,
    // the guest goes on in baseline code rather than waiting for its
    // optimizer. (Best effort: an error leaves the default priority.)
    // SAFETY: plain system calls about the calling thread.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t, 10);
    }
    let mut queue: Vec<(Job, u64)> = Vec::new();
    let take = |req, queue: &mut Vec<(Job, u64)>, compiler: &mut Compiler| match req {
        Request::Translate(job, epoch) => queue.push((job, epoch)),
        Request::Reset => {
            // Jobs before the reset are for the dropped code memory.
            queue.clear();
            // SAFETY: the Jit asks for a reset only when none of the code
            // compiled before runs or will be called (see `Jit::reset`);
            // results compiled before this request carry the old epoch and
            // are dropped unused.
            if unsafe { compiler.reset() }.is_err() {
                // No code memory: later jobs fail (return no code).
                compiler.module = None;
            }
        }
    };
    loop {
        if queue.is_empty() {
            // Nothing to do: wait for a request (or the hang-up).
            match jobs.recv() {
                Ok(req) => take(req, &mut queue, &mut compiler),
                Err(_) => return,
            }
        }
        for req in jobs.try_iter() {
            take(req, &mut queue, &mut compiler);
        }
        if let Some((job, epoch)) = queue.pop() {
            if done.send(compiler.compile(&job, epoch)).is_err() {
                return;
            }
        }
    }
}

impl Jit {
    fn with_backend(backend: Backend) -> Result<Jit, String> {
        let mut enter_module = new_module()?;
        let enter = build_trampoline(&mut enter_module)?;
        Ok(Jit {
            backend,
            enter,
            enter_module: Some(enter_module),
            stats: JitStats::default(),
            epoch: 0,
            in_flight: 0,
            ready: std::collections::VecDeque::new(),
        })
    }

    /// A translator for the host this runs on, compiling on the calling
    /// thread ([`Jit::submit`] returns with the job done). Fails when
    /// Cranelift does not support the host.
    pub fn new() -> Result<Jit, String> {
        Jit::with_backend(Backend::Inline(Box::new(Compiler::new(false)?)))
    }

    /// A translator that compiles on a thread of its own, started at the
    /// first job: [`Jit::submit`] returns at once and [`Jit::poll`] hands
    /// out finished translations, so the caller goes on running guest
    /// code (in its interpreter) while a region compiles.
    pub fn new_background() -> Result<Jit, String> {
        // Fail here, not on the compiler thread, when the host is not
        // supported.
        new_module()?;
        Jit::with_backend(Backend::Thread {
            worker: None,
            log_stores: false,
        })
    }

    /// A translator whose code also logs every store's old memory
    /// contents to [`JitCtx::store_log`], so that the caller can undo a
    /// call and replay it in the interpreter (`--engine check`). Compiles
    /// on the calling thread.
    pub fn new_checking() -> Result<Jit, String> {
        Jit::with_backend(Backend::Inline(Box::new(Compiler::new(true)?)))
    }

    /// Whether jobs compile on a thread of their own.
    pub fn is_background(&self) -> bool {
        matches!(self.backend, Backend::Thread { .. })
    }

    /// Run region `code` (and the regions it chains to) on `ctx`; returns
    /// the exit code, with `ctx.next_pc`, `ctx.executed` and `ctx.chained`
    /// filled in.
    ///
    /// # Safety
    ///
    /// `code` came from this `Jit` since its last [`Jit::reset`] and its
    /// block is still valid (see the crate documentation); every pointer
    /// in `ctx` is valid for the whole call as documented on [`JitCtx`],
    /// and nothing else accesses what they point to meanwhile.
    pub unsafe fn enter(&self, ctx: &mut JitCtx, code: Code) -> u64 {
        // SAFETY: the caller's guarantees are those of `Entry::call`.
        unsafe { self.entry().call(ctx, code) }
    }

    /// The entry point, as a value that does not borrow the `Jit` (so the
    /// caller may lend out all of its state to translated code); valid as
    /// long as the `Jit`.
    pub fn entry(&self) -> Entry {
        Entry(self.enter)
    }

    /// Statistics.
    pub fn stats(&self) -> JitStats {
        self.stats
    }

    /// Code memory mapped since the last reset (what bounds the cache).
    pub fn mapped_bytes(&self) -> u64 {
        self.stats.mapped_bytes
    }

    /// Jobs submitted whose results [`Jit::poll`] has not returned yet.
    pub fn in_flight(&self) -> usize {
        self.in_flight + self.ready.len()
    }

    /// Free all generated code and start over. Jobs in flight are
    /// dropped: `poll` does not return them.
    ///
    /// # Safety
    ///
    /// No function returned by [`Jit::translate`] or [`Jit::poll`] before
    /// this call may be running or be called afterwards.
    pub unsafe fn reset(&mut self) -> Result<(), String> {
        self.epoch += 1;
        self.in_flight = 0;
        self.ready.clear();
        match &mut self.backend {
            // SAFETY: the caller's guarantee.
            Backend::Inline(c) => unsafe { c.reset()? },
            Backend::Thread { worker, .. } => {
                if let Some(w) = worker {
                    // The thread frees the memory when it gets here, after
                    // the jobs before; nothing calls that code any more.
                    if w.to.send(Request::Reset).is_err() {
                        return Err("the JIT compiler thread is gone".into());
                    }
                }
            }
        }
        self.stats.code_bytes = 0;
        self.stats.mapped_bytes = 0;
        self.stats.resets += 1;
        Ok(())
    }

    /// Count a finished compilation and queue its result, unless it
    /// belongs to a code memory dropped since.
    fn account(&mut self, c: Compiled) {
        if c.epoch != self.epoch {
            self.stats.discarded += 1;
            return;
        }
        self.in_flight -= 1;
        self.stats.translate_ns += c.ns;
        self.stats.ir_insns += c.ir_insns;
        if c.code.is_some() {
            self.stats.blocks += 1;
            self.stats.insns += c.insns;
            self.stats.code_bytes += c.size;
            self.stats.mapped_bytes += c.size.max(1).div_ceil(4096) * 4096;
        }
        self.ready.push_back(Done {
            paddr: c.paddr,
            code: c.code,
        });
    }

    /// Ask for the translation of a region (as [`Jit::translate_at`]);
    /// its result comes out of [`Jit::poll`]: at once when compiling on
    /// the caller's thread, once compiled otherwise.
    pub fn submit(&mut self, job: Job) {
        self.in_flight += 1;
        let epoch = self.epoch;
        match &mut self.backend {
            Backend::Inline(c) => {
                let done = c.compile(&job, epoch);
                self.account(done);
            }
            Backend::Thread { worker, log_stores } => {
                if worker.is_none() {
                    *worker = Worker::start(*log_stores);
                }
                let paddr = job.paddr;
                let sent = worker
                    .as_ref()
                    .is_some_and(|w| w.to.send(Request::Translate(job, epoch)).is_ok());
                if !sent {
                    // No compiler thread: the job fails like an
                    // untranslatable region.
                    *worker = None;
                    self.account(Compiled::failed(paddr, epoch));
                }
            }
        }
    }

    /// A finished translation, if any (never waits).
    pub fn poll(&mut self) -> Option<Done> {
        if self.ready.is_empty() && self.in_flight > 0 {
            if let Backend::Thread {
                worker: Some(w), ..
            } = &self.backend
            {
                let got: Vec<Compiled> = w.from.try_iter().collect();
                for c in got {
                    self.account(c);
                }
            }
        }
        self.ready.pop_front()
    }

    /// Wait until every job submitted has finished (its result is then
    /// ready for [`Jit::poll`]).
    pub fn wait(&mut self) {
        while self.in_flight > 0 {
            let Backend::Thread {
                worker: Some(w), ..
            } = &self.backend
            else {
                return;
            };
            match w.from.recv() {
                Ok(c) => self.account(c),
                Err(_) => {
                    // The thread is gone: what is in flight never comes.
                    self.in_flight = 0;
                    if let Backend::Thread { worker, .. } = &mut self.backend {
                        *worker = None;
                    }
                }
            }
        }
    }

    /// Translate the block `insns` (consecutive instructions; compressed
    /// ones have `len == 2`) found at guest physical address `paddr` (the
    /// code is only valid there: it chains to targets in the same page by
    /// their physical addresses). Returns `None` when the first instruction is
    /// not supported (nothing to gain) or Cranelift fails.
    pub fn translate(&mut self, insns: &[Insn], paddr: u64) -> Option<Code> {
        let mut at = Vec::with_capacity(insns.len());
        let mut off = paddr & 0xfff;
        for i in insns {
            at.push(off);
            off += i.len as u64;
        }
        self.translate_at(insns, &at, paddr)
    }

    /// Translate a region made of several runs of instructions of one
    /// page: `insns[k]` lies at byte `at[k]` of the page (`at[0]` is the
    /// offset of `paddr`, the entry). Where `at` is not contiguous, a new
    /// run starts; runs are entered by jumps from the others (the caller
    /// follows direct branches inside the page), and a run's fall-through
    /// to code inside the region is a jump too. Otherwise as
    /// [`Jit::translate`]. Waits for the result (and keeps the results of
    /// other jobs for [`Jit::poll`]).
    pub fn translate_at(&mut self, insns: &[Insn], at: &[u64], paddr: u64) -> Option<Code> {
        self.submit(Job {
            insns: insns.to_vec(),
            at: at.to_vec(),
            paddr,
        });
        self.wait();
        // Jobs finish newest first on a compiler thread: find this one
        // (the caller has one job per address in flight).
        let k = self.ready.iter().rposition(|d| d.paddr == paddr)?;
        self.ready.remove(k).and_then(|d| d.code)
    }
}

impl Drop for Jit {
    fn drop(&mut self) {
        // The compiler (thread) goes first, then the trampoline.
        self.backend = Backend::Thread {
            worker: None,
            log_stores: false,
        };
        if let Some(m) = self.enter_module.take() {
            // SAFETY: the trampoline is only called through this Jit (or
            // an `Entry` of it, which must not outlive it).
            unsafe { m.free_memory() };
        }
    }
}

impl Worker {
    fn start(log_stores: bool) -> Option<Worker> {
        let compiler = Compiler::new(log_stores).ok()?;
        let (to, jobs) = std::sync::mpsc::channel();
        let (done, from) = std::sync::mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("vireo-jit".into())
            .spawn(move || compiler_thread(compiler, jobs, done))
            .ok()?;
        Some(Worker {
            to,
            from,
            thread: Some(thread),
        })
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        // Hang up (the thread's `recv` fails), then wait for it: it frees
        // its code memory, which nothing calls any more.
        let (dead, _) = std::sync::mpsc::channel();
        drop(std::mem::replace(&mut self.to, dead));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// See [`Jit::entry`].
#[derive(Clone, Copy)]
pub struct Entry(Trampoline);

impl Entry {
    /// As [`Jit::enter`].
    ///
    /// # Safety
    ///
    /// As [`Jit::enter`]; besides, the `Jit` this came from was not reset
    /// or dropped since.
    pub unsafe fn call(self, ctx: &mut JitCtx, code: Code) -> u64 {
        ctx.chained = 0;
        // SAFETY: the caller's guarantees are the trampoline's and the
        // region's contract.
        unsafe { (self.0)(ctx, code.0.as_ptr()) }
    }
}

/// A TLB hit a segment remembers: the access of `size` bytes at `first`
/// = `base` + `off` lies in one page whose host address is `first` +
/// `addend` (and, for `write`, the page has no flags).
#[derive(Clone, Copy)]
struct Hit {
    write: bool,
    base: Value,
    off: i64,
    size: u64,
    first: Value,
    addend: Value,
}

/// Hits a segment remembers (the most recent ones).
const MAX_HITS: usize = 4;

/// `addi`-derived values a segment remembers (the most recent ones).
const MAX_DERIVED: usize = 8;

/// Append `item` to `list`, keeping the `max` most recent.
fn push_recent<T>(list: &mut Vec<T>, item: T, max: usize) {
    if list.len() == max {
        list.remove(0);
    }
    list.push(item);
}

/// Builds the IR of one region.
struct Translator<'a> {
    b: FunctionBuilder<'a>,
    ctx: Value,
    x_ptr: Value,
    pc0: Value,
    /// The values of x1..x31 known in the current segment: registers
    /// live in the hart's array, and the region reads each one from there
    /// at its first use after a label (a jump target, where control
    /// merges) and keeps it until the next label. No register value lives
    /// across a label or an exit. Measured against keeping the registers
    /// in Cranelift variables for the whole region (loaded on entry,
    /// merged at labels), this cut translation time by a quarter
    /// (register allocation dominates it) and ran loops faster too
    /// (fewer spills).
    regs: [Option<Value>; 32],
    /// Registers written in the current segment and not yet stored
    /// (bit r for x_r): a write is stored back once, where control leaves
    /// the segment — at a jump to a label, at an exit (`spill`), and on
    /// the cold side of each guard that has dirty registers — not at every
    /// write. A register written several times in a segment (a shift
    /// pair, an address computed in steps) is stored once, and stores sit
    /// off the hot path of the guards.
    dirty: u32,
    /// Instructions retired before the current segment started (a
    /// segment is a straight run of instructions between labels).
    n: Variable,
    /// Index of the instruction that starts the current segment.
    seg_start: u64,
    /// The shared exit: block parameters (exit code, next pc, executed).
    exit: Block,
    /// The shared normal end ([`EXIT_DONE`], which chains): block
    /// parameters (next pc, executed).
    done: Block,
    /// The shared slow exit of the guards (see [`Translator::guard`]):
    /// block parameters (packed offset and index, instructions retired
    /// before the guard's segment); `used_slow` once a guard branches there.
    slow: Block,
    used_slow: bool,
    /// Context words known in the current segment (like `regs`): the
    /// data TLB arrays and the ASID tag, which every access needs.
    ctx_known: [Option<Value>; 3],
    /// TLB hits of the current segment that later accesses off the same
    /// base register may reuse (see [`Translator::access_host`]).
    hits: Vec<Hit>,
    /// Values of the current segment that `addi` derived from another
    /// one: (value, root, offset from the root), so that `addi a5, sp,
    /// 16; ld a0, 8(a5)` is seen as an access at 24 off `sp`'s value.
    derived: Vec<(Value, Value, i64)>,
    /// Byte offset of each instruction from the region start (runs after
    /// the first may lie before it).
    offs: Vec<i64>,
    /// The IR block of each instruction that is a jump target inside the
    /// region.
    labels: Vec<Option<Block>>,
    /// Log stores (see [`JitCtx::store_log`]).
    log_stores: bool,
    /// Guest physical address of the region's first instruction.
    paddr: u64,
    /// Exits to direct targets in the region's own page, by byte offset
    /// from the region start: blocks (parameter: instructions executed)
    /// that chain without the fetch TLB (see `finish_direct_exits`).
    direct_exits: Vec<(i64, Block)>,
    /// The f registers' address (loaded on entry of regions with F/D
    /// instructions).
    f_regs: Option<Value>,
    /// The signature of [`JitCtx::fp_op`].
    fp_sig: Option<SigRef>,

    /// Instructions the code points at (see [`JitCtx::fp_op`]); boxed so
    /// that their addresses stay put.
    #[allow(clippy::vec_box)]
    kept_insns: Vec<Box<Insn>>,
}

impl<'a> Translator<'a> {
    fn new(mut b: FunctionBuilder<'a>, insns: &[Insn], at: &[u64], paddr: u64) -> Translator<'a> {
        let entry = b.create_block();
        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        let ctx = b.block_params(entry)[0];
        let pc0 = b.block_params(entry)[1];
        let n0 = b.block_params(entry)[2];
        let f = MemFlagsData::trusted();
        let ld = |b: &mut FunctionBuilder, off: i32| b.ins().load(types::I64, f, ctx, off);
        let x_ptr = ld(&mut b, CTX_X);
        let n = b.declare_var(types::I64);
        b.def_var(n, n0);
        let exit = b.create_block();
        for _ in 0..3 {
            b.append_block_param(exit, types::I64);
        }
        let done = b.create_block();
        for _ in 0..2 {
            b.append_block_param(done, types::I64);
        }
        let slow = b.create_block();
        for _ in 0..2 {
            b.append_block_param(slow, types::I64);
        }
        b.set_cold_block(slow);
        // Byte offsets from the region start, and the instructions some
        // jump of the region lands on, or that start a run (they start
        // new IR blocks).
        let offs: Vec<i64> = at.iter().map(|&a| a as i64 - at[0] as i64).collect();
        let mut labels = vec![None; insns.len()];
        for k in 1..insns.len() {
            if offs[k] != offs[k - 1] + insns[k - 1].len as i64 {
                labels[k] = Some(b.create_block());
            }
        }
        for (k, i) in insns.iter().enumerate() {
            if !supported_insn(i) {
                break;
            }
            if is_direct(i.op) {
                let target = offs[k] + i.imm;
                if let Some(j) = offs.iter().position(|&o| o == target) {
                    if labels[j].is_none() {
                        labels[j] = Some(b.create_block());
                    }
                }
            }
        }
        Translator {
            b,
            ctx,
            x_ptr,
            pc0,
            regs: [None; 32],
            dirty: 0,
            n,
            seg_start: 0,
            exit,
            done,
            slow,
            used_slow: false,
            ctx_known: [None; 3],
            hits: Vec::new(),
            derived: Vec::new(),
            offs,
            labels,
            log_stores: false,
            paddr,
            direct_exits: Vec::new(),
            f_regs: None,
            fp_sig: None,
            kept_insns: Vec::new(),
        }
    }

    fn f_ptr(&self) -> Value {
        self.f_regs
            .expect("f registers loaded on entry of FP regions")
    }

    /// The raw bits of f register `r` (read from the hart's array each
    /// time: the helper may have written it).
    fn f_get(&mut self, r: u8) -> Value {
        let fp = self.f_ptr();
        self.b
            .ins()
            .load(types::I64, MemFlagsData::trusted(), fp, 8 * (r & 31) as i32)
    }

    /// Store the raw bits `v` into f register `r`.
    fn f_set(&mut self, r: u8, v: Value) {
        let fp = self.f_ptr();
        self.b
            .ins()
            .store(MemFlagsData::trusted(), v, fp, 8 * (r & 31) as i32);
    }

    /// Fill the shared exits (registers are already stored, see
    /// [`Translator::regs`]). A normal end ([`EXIT_DONE`], its own block,
    /// so that the chain path tests no exit code) chains (see the crate
    /// documentation): while the instruction limit is not reached, the
    /// next region is looked up the way the caller's dispatcher would —
    /// the fetch TLB for the pc's physical address (which proves mapping
    /// and execute permission), then the block-cache slot of that address
    /// in the current generation — and entered with a tail call. Anything
    /// else stores the outputs and returns the exit code.
    fn finish_exit(&mut self, chain_sig: SigRef) {
        let f = MemFlagsData::trusted();
        let ctx = self.ctx;
        // Other exits store the outputs and return the code.
        let exit = self.exit;
        self.b.switch_to_block(exit);
        let code = self.b.block_params(exit)[0];
        let pc = self.b.block_params(exit)[1];
        let n = self.b.block_params(exit)[2];
        self.b.ins().store(f, pc, ctx, CTX_NEXT_PC);
        self.b.ins().store(f, n, ctx, CTX_EXECUTED);
        self.b.ins().return_(&[code]);
        // Normal ends chain, within the instruction limit.
        let done = self.done;
        self.b.switch_to_block(done);
        let pc = self.b.block_params(done)[0];
        let n = self.b.block_params(done)[1];
        let out = self.b.create_block();
        macro_rules! next_if {
            ($cond:expr) => {{
                let next = self.b.create_block();
                self.b.ins().brif($cond, next, &[], out, &[]);
                self.b.switch_to_block(next);
            }};
        }
        let limit = self.ctx_word(CTX_LIMIT);
        let more = self.b.ins().icmp(IntCC::UnsignedLessThan, n, limit);
        next_if!(more);
        // The virtual jump cache: this pc chained to before, with the
        // same key (privilege, mapping and code unchanged since).
        let vj = self.ctx_word(CTX_VJCACHE);
        let h1 = self.b.ins().ushr_imm_s(pc, 1);
        let h2 = self.b.ins().ushr_imm_s(pc, 11);
        let h = self.b.ins().bxor(h1, h2);
        let vi = self.b.ins().band_imm_s(h, (VJC_ENTRIES - 1) as i64);
        let voff = self.b.ins().ishl_imm_s(vi, VJC_ENTRY_SHIFT);
        let ve = self.b.ins().iadd(vj, voff);
        let vpc = self.b.ins().load(types::I64, f, ve, VJC_PC);
        let vkey = self.b.ins().load(types::I64, f, ve, VJC_KEY);
        let key = self.ctx_word(CTX_VJC_KEY);
        let same_pc = self.b.ins().icmp(IntCC::Equal, vpc, pc);
        let same_key = self.b.ins().icmp(IntCC::Equal, vkey, key);
        let vhit = self.b.ins().band(same_pc, same_key);
        let (hit_block, miss_block) = (self.b.create_block(), self.b.create_block());
        self.b.ins().brif(vhit, hit_block, &[], miss_block, &[]);
        self.b.switch_to_block(hit_block);
        let code = self.b.ins().load(types::I64, f, ve, VJC_CODE);
        self.enter_chained(code, pc, n, chain_sig);
        self.b.switch_to_block(miss_block);
        // The fetch TLB: pc's page mapped and executable.
        let tlb = self.b.ins().load(types::I64, f, ctx, CTX_TLB_EXEC);
        let vpn = self.b.ins().ushr_imm_s(pc, 12);
        let idx = self.b.ins().band_imm_s(vpn, (TLB_ENTRIES - 1) as i64);
        let off = self.b.ins().ishl_imm_s(idx, TLB_ENTRY_SHIFT);
        let e = self.b.ins().iadd(tlb, off);
        let tag = self.b.ins().load(types::I64, f, e, TLB_TAG as i32);
        let asid = self.ctx_word(CTX_ASID_TAG);
        let want = self.b.ins().bxor(vpn, asid);
        let hit = self.b.ins().icmp(IntCC::Equal, tag, want);
        next_if!(hit);
        let ppage = self.b.ins().load(types::I64, f, e, TLB_PPAGE as i32);
        let po = self.b.ins().band_imm_s(pc, 0xfff);
        let pa = self.b.ins().bor(ppage, po);
        let h1 = self.b.ins().ushr_imm_s(pa, 1);
        let h2 = self.b.ins().ushr_imm_s(pa, 13);
        let h = self.b.ins().bxor(h1, h2);
        self.chain_to(pa, h, pc, n, out, chain_sig, Some((ve, key)));
        self.b.switch_to_block(out);
        self.b.ins().store(f, pc, ctx, CTX_NEXT_PC);
        self.b.ins().store(f, n, ctx, CTX_EXECUTED);
        let code = self.iconst(EXIT_DONE);
        self.b.ins().return_(&[code]);
    }

    /// A word of the context, loaded where it is used: context inputs
    /// are not kept in host registers across the region (short live
    /// ranges make register allocation, most of the translation time,
    /// cheaper; the loads hit the L1 cache).
    fn ctx_word(&mut self, off: i32) -> Value {
        self.b
            .ins()
            .load(types::I64, MemFlagsData::trusted(), self.ctx, off)
    }

    fn iconst(&mut self, v: u64) -> Value {
        self.b.ins().iconst(types::I64, v as i64)
    }

    /// The guest pc of the instruction at byte offset `off` of the region.
    fn pc_at(&mut self, off: i64) -> Value {
        if off == 0 {
            self.pc0
        } else {
            self.b.ins().iadd_imm_s(self.pc0, off)
        }
    }

    /// Instructions retired by this call when control is at instruction
    /// `k` (before it runs).
    fn executed_before(&mut self, k: u64) -> Value {
        let n = self.b.use_var(self.n);
        self.b.ins().iadd_imm_s(n, (k - self.seg_start) as i64)
    }

    fn get(&mut self, r: u8) -> Value {
        let r = (r & 31) as usize;
        if r == 0 {
            return self.iconst(0);
        }
        if let Some(v) = self.regs[r] {
            return v;
        }
        let v = self.b.ins().load(
            types::I64,
            MemFlagsData::trusted(),
            self.x_ptr,
            8 * r as i32,
        );
        self.regs[r] = Some(v);
        v
    }

    fn set(&mut self, r: u8, v: Value) {
        let r = (r & 31) as usize;
        if r == 0 {
            return;
        }
        self.regs[r] = Some(v);
        self.dirty |= 1 << r;
    }

    /// Store the dirty registers (see `dirty`) in the current block,
    /// without forgetting that they are dirty: for a side path that
    /// leaves the segment while the segment goes on.
    fn store_dirty(&mut self) {
        let mut d = self.dirty;
        while d != 0 {
            let r = d.trailing_zeros() as usize;
            d &= d - 1;
            let v = self.regs[r].expect("a dirty register has a value");
            self.b
                .ins()
                .store(MemFlagsData::trusted(), v, self.x_ptr, 8 * r as i32);
        }
    }

    /// Store the dirty registers: control leaves the segment here, or
    /// code that reads the hart's array runs next.
    fn spill(&mut self) {
        self.store_dirty();
        self.dirty = 0;
    }

    /// Jump to the shared exit from the current block (after storing the
    /// dirty registers).
    fn exit_with(&mut self, code: u64, next_pc: Value, executed: Value) {
        self.spill();
        if code == EXIT_DONE {
            let done = self.done;
            self.b
                .ins()
                .jump(done, &[BlockArg::Value(next_pc), BlockArg::Value(executed)]);
            return;
        }
        let c = self.iconst(code);
        let exit = self.exit;
        self.b.ins().jump(
            exit,
            &[
                BlockArg::Value(c),
                BlockArg::Value(next_pc),
                BlockArg::Value(executed),
            ],
        );
    }

    /// Continue in a new block when `ok`, otherwise leave with
    /// [`EXIT_SLOW`] before instruction number `k` at byte offset `off`.
    ///
    /// All guards branch to one shared block with two arguments: the
    /// segment's retired count and one constant packing the byte offset
    /// (`off << SLOW_OFF_SHIFT`) with the instruction's index in its
    /// segment; the shared block derives pc and count from them. Two IR
    /// instructions per guard instead of a cold block of six: guards are
    /// most of a region's IR, and IR size is what translation time
    /// follows.
    ///
    /// With dirty registers, the guard branches to a cold block of its
    /// own that stores them and then jumps to the shared one.
    fn guard(&mut self, ok: Value, k: u64, off: i64) {
        let cont = self.b.create_block();
        let packed = (off << SLOW_OFF_SHIFT) | (k - self.seg_start) as i64;
        let slow = self.slow;
        self.used_slow = true;
        if self.dirty == 0 {
            let c = self.b.ins().iconst(types::I64, packed);
            let n = self.b.use_var(self.n);
            self.b.ins().brif(
                ok,
                cont,
                &[],
                slow,
                &[BlockArg::Value(c), BlockArg::Value(n)],
            );
        } else {
            let spill = self.b.create_block();
            self.b.set_cold_block(spill);
            self.b.ins().brif(ok, cont, &[], spill, &[]);
            self.b.switch_to_block(spill);
            self.store_dirty();
            let c = self.b.ins().iconst(types::I64, packed);
            let n = self.b.use_var(self.n);
            self.b
                .ins()
                .jump(slow, &[BlockArg::Value(c), BlockArg::Value(n)]);
        }
        self.b.switch_to_block(cont);
    }

    /// Fill the shared slow exit of the guards, if any used it.
    fn finish_slow(&mut self) {
        if !self.used_slow {
            return;
        }
        // Every path into it stored its dirty registers.
        self.dirty = 0;
        let slow = self.slow;
        self.b.switch_to_block(slow);
        let c = self.b.block_params(slow)[0];
        let n = self.b.block_params(slow)[1];
        let off = self.b.ins().sshr_imm_s(c, SLOW_OFF_SHIFT);
        let pc = self.b.ins().iadd(self.pc0, off);
        let rel = self.b.ins().band_imm_s(c, (1 << SLOW_OFF_SHIFT) - 1);
        let n = self.b.ins().iadd(n, rel);
        self.exit_with(EXIT_SLOW, pc, n);
    }

    /// A context word known in the current segment (see `ctx_known`).
    fn ctx_known(&mut self, slot: usize, off: i32) -> Value {
        if let Some(v) = self.ctx_known[slot] {
            return v;
        }
        let v = self.ctx_word(off);
        self.ctx_known[slot] = Some(v);
        v
    }

    /// Control leaves instruction `k` (retired) for byte offset `target`
    /// of the region (`target_pc` is its guest pc): a jump to the label
    /// when the target is inside the region, else an exit. Backward jumps
    /// check the instruction limit, so loops inside a region end.
    /// Dirty registers are stored first (the current block ends here).
    fn transfer(&mut self, k: u64, target: i64, target_pc: Value) {
        self.spill();
        let after = self.executed_before(k + 1);
        let inside = self.offs.iter().position(|&o| o == target);
        match inside.and_then(|j| self.labels[j].map(|l| (j, l))) {
            Some((j, label)) => {
                self.b.def_var(self.n, after);
                if j as u64 <= k {
                    let limit = self.ctx_word(CTX_LIMIT);
                    let more = self.b.ins().icmp(IntCC::UnsignedLessThan, after, limit);
                    let out = self.b.create_block();
                    self.b.ins().brif(more, label, &[], out, &[]);
                    self.b.switch_to_block(out);
                    self.exit_with(EXIT_DONE, target_pc, after);
                } else {
                    self.b.ins().jump(label, &[]);
                }
            }
            None => self.direct_exit(target, target_pc, after),
        }
    }

    /// Leave for the direct target at byte offset `target` from the region
    /// start (guest pc `target_pc`) with `n` instructions executed: through
    /// the same-page chain when the target lies in the region's page,
    /// otherwise through the shared exit.
    fn direct_exit(&mut self, target: i64, target_pc: Value, n: Value) {
        let in_page = (self.paddr & 0xfff) as i64 + target;
        if !(0..0x1000).contains(&in_page) {
            return self.exit_with(EXIT_DONE, target_pc, n);
        }
        let block = match self.direct_exits.iter().find(|(t, _)| *t == target) {
            Some(&(_, b)) => b,
            None => {
                let b = self.b.create_block();
                self.b.append_block_param(b, types::I64);
                self.direct_exits.push((target, b));
                b
            }
        };
        self.b.ins().jump(block, &[BlockArg::Value(n)]);
    }

    /// Tail-call the code for physical address `pa` (guest pc `pc`, `n`
    /// executed; `h` is its [`slot_index`]) when the jump cache has it, or
    /// else when its block slot holds that address, is current (the
    /// context's generation) and has code — then the jump-cache entry is
    /// filled from the slot; otherwise continue at `out`.
    #[allow(clippy::too_many_arguments)]
    fn chain_to(
        &mut self,
        pa: Value,
        h: Value,
        pc: Value,
        n: Value,
        out: Block,
        chain_sig: SigRef,
        vjc: Option<(Value, Value)>,
    ) {
        let f = MemFlagsData::trusted();
        let jc = self.ctx_word(CTX_JCACHE);
        let ji = self.b.ins().band_imm_s(h, (JC_ENTRIES - 1) as i64);
        let joff = self.b.ins().ishl_imm_s(ji, JC_ENTRY_SHIFT);
        let je = self.b.ins().iadd(jc, joff);
        let jpa = self.b.ins().load(types::I64, f, je, JC_PADDR as i32);
        let cached = self.b.ins().icmp(IntCC::Equal, jpa, pa);
        let (hit, miss, found) = (
            self.b.create_block(),
            self.b.create_block(),
            self.b.create_block(),
        );
        self.b.append_block_param(found, types::I64);
        self.b.ins().brif(cached, hit, &[], miss, &[]);
        self.b.switch_to_block(hit);
        let code = self.b.ins().load(types::I64, f, je, JC_CODE as i32);
        self.b.ins().jump(found, &[BlockArg::Value(code)]);
        // The slot: same address, current, with code.
        self.b.switch_to_block(miss);
        let mask = self.ctx_word(CTX_SLOT_MASK);
        let si = self.b.ins().band(h, mask);
        let soff = self
            .b
            .ins()
            .ishl_imm_s(si, SLOT_SIZE.trailing_zeros() as i64);
        let slots = self.ctx_word(CTX_SLOTS);
        let slot = self.b.ins().iadd(slots, soff);
        let spa = self.b.ins().load(types::I64, f, slot, SLOT_PADDR as i32);
        let same_pa = self.b.ins().icmp(IntCC::Equal, spa, pa);
        let sgen = self.b.ins().uload32(f, slot, SLOT_GEN as i32);
        let gen = self.ctx_word(CTX_GEN);
        let same_gen = self.b.ins().icmp(IntCC::Equal, sgen, gen);
        let current = self.b.ins().band(same_pa, same_gen);
        let next = self.b.create_block();
        self.b.ins().brif(current, next, &[], out, &[]);
        self.b.switch_to_block(next);
        let code = self.b.ins().load(types::I64, f, slot, SLOT_CODE as i32);
        let fill = self.b.create_block();
        self.b.ins().brif(code, fill, &[], out, &[]);
        self.b.switch_to_block(fill);
        self.b.ins().store(f, pa, je, JC_PADDR as i32);
        self.b.ins().store(f, code, je, JC_CODE as i32);
        self.b.ins().jump(found, &[BlockArg::Value(code)]);
        self.b.switch_to_block(found);
        let code = self.b.block_params(found)[0];
        if let Some((ve, key)) = vjc {
            // The virtual jump-cache entry of pc (`ve`), for next time.
            self.b.ins().store(f, pc, ve, VJC_PC);
            self.b.ins().store(f, key, ve, VJC_KEY);
            self.b.ins().store(f, code, ve, VJC_CODE);
        }
        self.enter_chained(code, pc, n, chain_sig);
    }

    /// Count the chain and tail-call `code` with pc `pc`, `n` executed.
    fn enter_chained(&mut self, code: Value, pc: Value, n: Value, chain_sig: SigRef) {
        let f = MemFlagsData::trusted();
        let c = self.ctx_word(CTX_CHAINED);
        let c = self.b.ins().iadd_imm_s(c, 1);
        self.b.ins().store(f, c, self.ctx, CTX_CHAINED);
        let ctx = self.ctx;
        self.b
            .ins()
            .return_call_indirect(chain_sig, code, &[ctx, pc, n]);
    }

    /// Fill the same-page direct exits. The region was entered at a pc
    /// whose fetch-TLB entry maps this physical page (the caller's
    /// dispatcher or a chain checked it), and translated code changes no
    /// mapping, so a target in the same page needs no TLB lookup: its
    /// physical address, hence its block slot, is known now. The chain
    /// goes on as in `finish_exit`: within the instruction limit, to a
    /// current slot holding code.
    fn finish_direct_exits(&mut self, chain_sig: SigRef) {
        // Every path into them stored its dirty registers.
        self.dirty = 0;
        for (target, block) in std::mem::take(&mut self.direct_exits) {
            self.b.switch_to_block(block);
            let n = self.b.block_params(block)[0];
            let pc = self.b.ins().iadd_imm_s(self.pc0, target);
            let tpa = (self.paddr & !0xfff) + ((self.paddr & 0xfff) as i64 + target) as u64;
            let out = self.b.create_block();
            let limit = self.ctx_word(CTX_LIMIT);
            let more = self.b.ins().icmp(IntCC::UnsignedLessThan, n, limit);
            let next = self.b.create_block();
            self.b.ins().brif(more, next, &[], out, &[]);
            self.b.switch_to_block(next);
            let pa = self.iconst(tpa);
            let h = self.iconst(slot_index(tpa));
            self.chain_to(pa, h, pc, n, out, chain_sig, None);
            self.b.switch_to_block(out);
            self.exit_with(EXIT_DONE, pc, n);
        }
    }

    /// Translate the region; every path ends in the exit.
    fn region(&mut self, insns: &[Insn]) {
        if insns.iter().any(is_fp_insn) {
            // The FPU must be on and already Dirty (see JitCtx::mstatus);
            // otherwise the interpreter runs the region's first block.
            let f = MemFlagsData::trusted();
            let mp = self.b.ins().load(types::I64, f, self.ctx, CTX_MSTATUS);
            let ms = self.b.ins().load(types::I64, f, mp, 0);
            let fs = self.b.ins().band_imm_s(ms, MSTATUS_FS);
            let dirty = self.b.ins().icmp_imm_s(IntCC::Equal, fs, MSTATUS_FS);
            self.guard(dirty, 0, 0);
            self.f_regs = Some(self.b.ins().load(types::I64, f, self.ctx, CTX_F));
        }
        // `open`: the current IR block still falls through.
        let mut open = true;
        for (k, i) in insns.iter().enumerate() {
            let off = self.offs[k];
            let k = k as u64;
            if k > 0 && open && off != self.offs[k as usize - 1] + insns[k as usize - 1].len as i64
            {
                // The previous run falls through to code after it.
                let end = self.offs[k as usize - 1] + insns[k as usize - 1].len as i64;
                let pc = self.pc_at(end);
                self.transfer(k - 1, end, pc);
                open = false;
            }
            if let Some(label) = self.labels[k as usize] {
                if open {
                    self.spill();
                    let n = self.executed_before(k);
                    self.b.def_var(self.n, n);
                    self.b.ins().jump(label, &[]);
                }
                self.b.switch_to_block(label);
                // Control merges here: reload registers at their uses
                // (every path in stored them).
                self.regs = [None; 32];
                self.dirty = 0;
                self.ctx_known = [None; 3];
                self.hits.clear();
                self.derived.clear();
                self.seg_start = k;
                open = true;
            }
            if !open {
                // Unreachable (after a jump, before the next label).
                continue;
            }
            if !supported_insn(i) {
                // The interpreter continues here.
                let pc = self.pc_at(off);
                let n = self.executed_before(k);
                self.exit_with(EXIT_DONE, pc, n);
                return;
            }
            open = !self.insn(i, k, off);
        }
        if open {
            let end =
                self.offs.last().copied().unwrap_or(0) + insns.last().map_or(0, |i| i.len as i64);
            let pc = self.pc_at(end);
            self.transfer(insns.len() as u64 - 1, end, pc);
        }
    }

    /// TLB lookup for an access of `size` bytes at `addr`; branches to the
    /// slow exit on a miss or a page-crossing access. Returns the entry's
    /// address.
    fn tlb_lookup(&mut self, write: bool, addr: Value, size: u64, k: u64, off: i64) -> Value {
        let arr = if write {
            self.ctx_known(1, CTX_TLB_WRITE)
        } else {
            self.ctx_known(0, CTX_TLB_READ)
        };
        let asid = self.ctx_known(2, CTX_ASID_TAG);
        // The entry's byte offset: page number times the entry size,
        // modulo the array.
        let shifted = self.b.ins().ushr_imm_s(addr, 12 - TLB_ENTRY_SHIFT);
        let byte_off = self
            .b
            .ins()
            .band_imm_s(shifted, ((TLB_ENTRIES - 1) << TLB_ENTRY_SHIFT) as i64);
        let e = self.b.ins().iadd(arr, byte_off);
        let tag = self
            .b
            .ins()
            .load(types::I64, MemFlagsData::trusted(), e, TLB_TAG as i32);
        // The tag is compared with the page of the access's *last* byte
        // (the entry is the one of its first byte): one comparison checks
        // both the hit and that the access stays inside the page (the
        // interpreter's `(vaddr & 0xfff) + N <= 0x1000`).
        let last = if size > 1 {
            self.b.ins().iadd_imm_s(addr, size as i64 - 1)
        } else {
            addr
        };
        let last = self.b.ins().ushr_imm_s(last, 12);
        let want = self.b.ins().bxor(last, asid);
        let ok = self.b.ins().icmp(IntCC::Equal, tag, want);
        self.guard(ok, k, off);
        e
    }

    /// The value loaded by `i` (an integer or FP load): sign- or
    /// zero-extended to 64 bits.
    fn load(&mut self, i: &Insn, k: u64, off: i64) -> Value {
        let (size, ty, signed) = match i.op {
            Op::Lb => (1, types::I8, true),
            Op::Lbu => (1, types::I8, false),
            Op::Lh => (2, types::I16, true),
            Op::Lhu => (2, types::I16, false),
            Op::Lw => (4, types::I32, true),
            Op::Lwu | Op::Flw => (4, types::I32, false),
            _ => (8, types::I64, false),
        };
        let base = self.get(i.rs1);
        let addr = self.b.ins().iadd_imm_s(base, i.imm);
        let host = self.access_host(false, base, i.imm, addr, size, k, off);
        // Guest memory: possibly unaligned, never traps (TLB hit = RAM).
        let f = MemFlagsData::new().with_notrap();
        let v = if ty == types::I64 {
            self.b.ins().load(types::I64, f, host, 0)
        } else if signed {
            match size {
                1 => self.b.ins().sload8(types::I64, f, host, 0),
                2 => self.b.ins().sload16(types::I64, f, host, 0),
                _ => self.b.ins().sload32(f, host, 0),
            }
        } else {
            match size {
                1 => self.b.ins().uload8(types::I64, f, host, 0),
                2 => self.b.ins().uload16(types::I64, f, host, 0),
                _ => self.b.ins().uload32(f, host, 0),
            }
        };
        v
    }

    /// The host address of a read of `size` bytes at guest `addr`: the
    /// read-TLB fast path.
    fn read_host(&mut self, addr: Value, size: u64, k: u64, off: i64) -> Value {
        let addend = self.addend(false, addr, size, k, off);
        self.b.ins().iadd(addr, addend)
    }

    /// Store `val` (its low bytes) as instruction `i` (an integer or FP
    /// store) does.
    fn store(&mut self, i: &Insn, val: Value, k: u64, off: i64) {
        let size = match i.op {
            Op::Sb => 1,
            Op::Sh => 2,
            Op::Sw | Op::Fsw => 4,
            _ => 8,
        };
        let base = self.get(i.rs1);
        let addr = self.b.ins().iadd_imm_s(base, i.imm);
        let host = self.access_host(true, base, i.imm, addr, size, k, off);
        self.store_host(host, val, size);
    }

    /// The host address of an access of `size` bytes at `addr` = `base` +
    /// `off` (a load's or store's register and immediate).
    ///
    /// When an earlier access of the segment off the same base value hit
    /// the same TLB, the new one most likely lies in the same page: one
    /// comparison checks that (its byte farthest from the earlier access
    /// is in the earlier access's page), and the earlier hit's addend
    /// gives the host address — three host instructions instead of the
    /// TLB lookup's ten and its two loads. Stack frames, structure fields
    /// and unrolled copies make such runs common (`sd ra, 8(sp); sd s0,
    /// 0(sp)`, Linux saving 31 registers on each trap). Otherwise, or when
    /// the check fails (the run crosses a page end), the full lookup runs
    /// (on a cold path in the second case).
    #[allow(clippy::too_many_arguments)]
    fn access_host(
        &mut self,
        write: bool,
        base: Value,
        off_imm: i64,
        addr: Value,
        size: u64,
        k: u64,
        off: i64,
    ) -> Value {
        // Addresses off values `addi` derived count from their root.
        let (base, off_imm) = self.root(base, off_imm);
        // A load may use the hit of a store: a page the guest may write
        // it may read (page tables and PMP have no write-only pages).
        let reuse = self
            .hits
            .iter()
            .rev()
            .find(|h| (h.write || !write) && h.base == base)
            .copied()
            .and_then(|h| {
                let d = off_imm - h.off;
                // The byte to check: the last one when the access starts at
                // or after the earlier one (it cannot lie before that page:
                // offsets are small), the first one when it starts before
                // it and ends within it.
                if d >= 0 {
                    Some((h, size as i64 - 1))
                } else if d + size as i64 <= h.size as i64 {
                    Some((h, 0))
                } else {
                    None
                }
            });
        let Some((h, probe)) = reuse else {
            let addend = self.addend(write, addr, size, k, off);
            let hit = Hit {
                write,
                base,
                off: off_imm,
                size,
                first: addr,
                addend,
            };
            push_recent(&mut self.hits, hit, MAX_HITS);
            return self.b.ins().iadd(addr, addend);
        };
        let at = if probe == 0 {
            addr
        } else {
            self.b.ins().iadd_imm_s(addr, probe)
        };
        let x = self.b.ins().bxor(at, h.first);
        let same = self.b.ins().icmp_imm_s(IntCC::UnsignedLessThan, x, 0x1000);
        let lookup = self.b.create_block();
        self.b.set_cold_block(lookup);
        let merge = self.b.create_block();
        self.b.append_block_param(merge, types::I64);
        self.b
            .ins()
            .brif(same, merge, &[BlockArg::Value(h.addend)], lookup, &[]);
        self.b.switch_to_block(lookup);
        // Context words loaded on this side path do not reach the main
        // one.
        let known = self.ctx_known;
        let addend = self.addend(write, addr, size, k, off);
        self.ctx_known = known;
        self.b.ins().jump(merge, &[BlockArg::Value(addend)]);
        self.b.switch_to_block(merge);
        let addend = self.b.block_params(merge)[0];
        self.b.ins().iadd(addr, addend)
    }

    /// `v + off` as an offset from the value `addi` derived `v` from (see
    /// `derived`), or from `v` itself.
    fn root(&self, v: Value, off: i64) -> (Value, i64) {
        match self.derived.iter().find(|d| d.0 == v) {
            Some(&(_, root, c)) => (root, c + off),
            None => (v, off),
        }
    }

    /// The TLB addend of an access (the full lookup).
    fn addend(&mut self, write: bool, addr: Value, size: u64, k: u64, off: i64) -> Value {
        let e = self.tlb_lookup(write, addr, size, k, off);
        if write {
            let t = MemFlagsData::trusted();
            let flag_at = self.b.ins().load(types::I64, t, e, TLB_FLAG as i32);
            let flag = self.b.ins().uload8(types::I64, t, flag_at, 0);
            let clean = self.b.ins().icmp_imm_s(IntCC::Equal, flag, 0);
            self.guard(clean, k, off);
        }
        self.b
            .ins()
            .load(types::I64, MemFlagsData::trusted(), e, TLB_ADDEND as i32)
    }

    /// The host address of a write of `size` bytes at guest `addr`: the
    /// write-TLB fast path, and a guard for pages with flags (stores into
    /// decoded code or dirty-tracked pages go to the interpreter, which
    /// updates the flags and the code epoch).
    fn write_host(&mut self, addr: Value, size: u64, k: u64, off: i64) -> Value {
        let addend = self.addend(true, addr, size, k, off);
        self.b.ins().iadd(addr, addend)
    }

    /// Store the low `size` bytes of `val` at host address `host` (of
    /// guest RAM), logging the old bytes when checking.
    fn store_host(&mut self, host: Value, val: Value, size: u64) {
        let f = MemFlagsData::new().with_notrap();
        self.log_store(host, size);
        match size {
            1 => {
                self.b.ins().istore8(f, val, host, 0);
            }
            2 => {
                self.b.ins().istore16(f, val, host, 0);
            }
            4 => {
                self.b.ins().istore32(f, val, host, 0);
            }
            _ => {
                self.b.ins().store(f, val, host, 0);
            }
        }
    }

    /// Checking translators: log the `size` bytes at `host` before a
    /// write (see [`JitCtx::store_log`]).
    fn log_store(&mut self, host: Value, size: u64) {
        let f = MemFlagsData::new().with_notrap();
        if self.log_stores {
            let t = MemFlagsData::trusted();
            let old = match size {
                1 => self.b.ins().uload8(types::I64, f, host, 0),
                2 => self.b.ins().uload16(types::I64, f, host, 0),
                4 => self.b.ins().uload32(f, host, 0),
                _ => self.b.ins().load(types::I64, f, host, 0),
            };
            let log = self.b.ins().load(types::I64, t, self.ctx, CTX_STORE_LOG);
            let len = self
                .b
                .ins()
                .load(types::I64, t, self.ctx, CTX_STORE_LOG_LEN);
            let at = self.b.ins().imul_imm_s(len, 8);
            let slot = self.b.ins().iadd(log, at);
            let sz = self.iconst(size);
            self.b.ins().store(t, host, slot, 0);
            self.b.ins().store(t, sz, slot, 8);
            self.b.ins().store(t, old, slot, 16);
            let len = self.b.ins().iadd_imm_s(len, 3);
            self.b.ins().store(t, len, self.ctx, CTX_STORE_LOG_LEN);
        }
    }

    /// An AMO as one host atomic read-modify-write (sequentially
    /// consistent, stronger than any aq/rl): misaligned addresses (the
    /// interpreter raises the fault), TLB misses and flagged pages leave
    /// before it; rd gets the old value (sign-extended for `.w`).
    fn amo(&mut self, i: &Insn, k: u64, off: i64) {
        use cranelift_codegen::ir::AtomicRmwOp as R;
        use Op::*;
        let op = match i.op {
            AmoswapW | AmoswapD => R::Xchg,
            AmoaddW | AmoaddD => R::Add,
            AmoxorW | AmoxorD => R::Xor,
            AmoandW | AmoandD => R::And,
            AmoorW | AmoorD => R::Or,
            AmominW | AmominD => R::Smin,
            AmomaxW | AmomaxD => R::Smax,
            AmominuW | AmominuD => R::Umin,
            _ => R::Umax,
        };
        let (addr, size) = self.atomic_addr(i, k, off);
        let host = self.write_host(addr, size, k, off);
        let src = self.get(i.rs2);
        self.log_store(host, size);
        // Aligned (checked) guest RAM (a TLB hit): no trap.
        let t = MemFlagsData::trusted();
        let old = if size == 4 {
            let src = self.b.ins().ireduce(types::I32, src);
            let old = self.b.ins().atomic_rmw(types::I32, t, op, host, src);
            self.b.ins().sextend(types::I64, old)
        } else {
            self.b.ins().atomic_rmw(types::I64, t, op, host, src)
        };
        self.set(i.rd, old);
    }

    /// The guest address of an AMO, `lr` or `sc` after the alignment
    /// guard (misaligned: the interpreter raises the fault), and the
    /// access size.
    fn atomic_addr(&mut self, i: &Insn, k: u64, off: i64) -> (Value, u64) {
        let size = vireo_isa::atomic_size(i.op).unwrap_or(8);
        let addr = self.get(i.rs1);
        let low = self.b.ins().band_imm_s(addr, size as i64 - 1);
        let aligned = self.b.ins().icmp_imm_s(IntCC::Equal, low, 0);
        self.guard(aligned, k, off);
        (addr, size)
    }

    /// `lr.w`/`lr.d`: an atomic load through the read TLB that records
    /// the reservation (host address and the value, sign-extended for
    /// `.w`, see [`JitCtx::reservation`]).
    fn load_reserved(&mut self, i: &Insn, k: u64, off: i64) {
        let (addr, size) = self.atomic_addr(i, k, off);
        let host = self.read_host(addr, size, k, off);
        let t = MemFlagsData::trusted();
        // Aligned (checked) guest RAM (a TLB hit): no trap.
        let v = if size == 4 {
            let w = self.b.ins().atomic_load(types::I32, t, host);
            self.b.ins().sextend(types::I64, w)
        } else {
            self.b.ins().atomic_load(types::I64, t, host)
        };
        let resv = self.ctx_word(CTX_RESERVATION);
        self.b.ins().store(t, host, resv, 0);
        self.b.ins().store(t, v, resv, 8);
        self.set(i.rd, v);
    }

    /// `sc.w`/`sc.d`: through the write TLB (and the flagged-page guard);
    /// the reservation is dropped, and when it was for this address the
    /// store is a compare-and-swap against the value `lr` saw. rd gets 0
    /// on success, 1 on failure.
    fn store_conditional(&mut self, i: &Insn, k: u64, off: i64) {
        let (addr, size) = self.atomic_addr(i, k, off);
        let host = self.write_host(addr, size, k, off);
        let src = self.get(i.rs2);
        let t = MemFlagsData::trusted();
        let resv = self.ctx_word(CTX_RESERVATION);
        let raddr = self.b.ins().load(types::I64, t, resv, 0);
        let expected = self.b.ins().load(types::I64, t, resv, 8);
        let zero = self.iconst(0);
        self.b.ins().store(t, zero, resv, 0);
        let held = self.b.ins().icmp(IntCC::Equal, raddr, host);
        let try_swap = self.b.create_block();
        let join = self.b.create_block();
        let rd = self.b.append_block_param(join, types::I64);
        let fail = self.iconst(1);
        self.b
            .ins()
            .brif(held, try_swap, &[], join, &[BlockArg::Value(fail)]);
        self.b.switch_to_block(try_swap);
        self.log_store(host, size);
        let swapped = if size == 4 {
            let e = self.b.ins().ireduce(types::I32, expected);
            let v = self.b.ins().ireduce(types::I32, src);
            let old = self.b.ins().atomic_cas(t, host, e, v);
            self.b.ins().icmp(IntCC::Equal, old, e)
        } else {
            let old = self.b.ins().atomic_cas(t, host, expected, src);
            self.b.ins().icmp(IntCC::Equal, old, expected)
        };
        let swapped = self.bool64(swapped);
        let r = self.b.ins().bxor_imm_s(swapped, 1);
        self.b.ins().jump(join, &[BlockArg::Value(r)]);
        self.b.switch_to_block(join);
        self.set(i.rd, rd);
    }

    fn sext32(&mut self, v: Value) -> Value {
        let n = self.b.ins().ireduce(types::I32, v);
        self.b.ins().sextend(types::I64, n)
    }

    fn bool64(&mut self, c: Value) -> Value {
        self.b.ins().uextend(types::I64, c)
    }

    /// RISC-V division and remainder (no traps: zero divisors and signed
    /// overflow give the architectural results), at 64 or 32 bits.
    fn divrem(&mut self, op: Op, a: Value, bv: Value) -> Value {
        use Op::*;
        let word = matches!(op, Divw | Divuw | Remw | Remuw);
        let ty = if word { types::I32 } else { types::I64 };
        let (a, d) = if word {
            (
                self.b.ins().ireduce(types::I32, a),
                self.b.ins().ireduce(types::I32, bv),
            )
        } else {
            (a, bv)
        };
        let zero = self.b.ins().iconst(ty, 0);
        let one = self.b.ins().iconst(ty, 1);
        let is_zero = self.b.ins().icmp(IntCC::Equal, d, zero);
        let signed = matches!(op, Div | Divw | Rem | Remw);
        let mut safe = self.b.ins().select(is_zero, one, d);
        if signed {
            // MIN / -1 overflows: divide by 1 instead (quotient MIN, the
            // architectural result; remainder 0, also architectural).
            let min = if word {
                self.b.ins().iconst(ty, i32::MIN as i64)
            } else {
                self.b.ins().iconst(ty, i64::MIN)
            };
            let a_min = self.b.ins().icmp(IntCC::Equal, a, min);
            let d_m1 = self.b.ins().icmp_imm_s(IntCC::Equal, d, -1);
            let ovf = self.b.ins().band(a_min, d_m1);
            safe = self.b.ins().select(ovf, one, safe);
        }
        let r = match op {
            Div | Divw => self.b.ins().sdiv(a, safe),
            Divu | Divuw => self.b.ins().udiv(a, safe),
            Rem | Remw => self.b.ins().srem(a, safe),
            _ => self.b.ins().urem(a, safe),
        };
        // Division by zero: quotient all ones, remainder the dividend.
        let on_zero = if matches!(op, Div | Divw | Divu | Divuw) {
            self.b.ins().iconst(ty, -1)
        } else {
            a
        };
        let r = self.b.ins().select(is_zero, on_zero, r);
        if word {
            self.b.ins().sextend(types::I64, r)
        } else {
            r
        }
    }

    /// Translate one instruction; returns true when control does not fall
    /// through to the next one (a jump).
    fn insn(&mut self, i: &Insn, k: u64, off: i64) -> bool {
        use Op::*;
        let imm = i.imm;
        let len = i.len as u64;
        macro_rules! rs1 {
            () => {
                self.get(i.rs1)
            };
        }
        macro_rules! rs2 {
            () => {
                self.get(i.rs2)
            };
        }
        macro_rules! bin {
            ($m:ident) => {{
                let a = rs1!();
                let b = rs2!();
                let v = self.b.ins().$m(a, b);
                self.set(i.rd, v);
            }};
        }
        macro_rules! binw {
            ($m:ident) => {{
                let a = rs1!();
                let b = rs2!();
                let v = self.b.ins().$m(a, b);
                let v = self.sext32(v);
                self.set(i.rd, v);
            }};
        }
        macro_rules! imm {
            ($m:ident) => {{
                let a = rs1!();
                let v = self.b.ins().$m(a, imm);
                self.set(i.rd, v);
            }};
        }
        macro_rules! shift {
            ($m:ident, $ty:expr, $mask:expr) => {{
                let a = rs1!();
                let b = rs2!();
                let sh = self.b.ins().band_imm_s(b, $mask);
                let v = if $ty == types::I32 {
                    let a32 = self.b.ins().ireduce(types::I32, a);
                    let r = self.b.ins().$m(a32, sh);
                    self.b.ins().sextend(types::I64, r)
                } else {
                    self.b.ins().$m(a, sh)
                };
                self.set(i.rd, v);
            }};
        }
        macro_rules! shift_imm {
            ($m:ident, $ty:expr, $mask:expr) => {{
                let a = rs1!();
                let v = if $ty == types::I32 {
                    let a32 = self.b.ins().ireduce(types::I32, a);
                    let r = self.b.ins().$m(a32, imm & $mask);
                    self.b.ins().sextend(types::I64, r)
                } else {
                    self.b.ins().$m(a, imm & $mask)
                };
                self.set(i.rd, v);
            }};
        }
        macro_rules! cmp {
            ($cc:expr, $b:expr) => {{
                let a = rs1!();
                let b = $b;
                let c = self.b.ins().icmp($cc, a, b);
                let v = self.bool64(c);
                self.set(i.rd, v);
            }};
        }
        match i.op {
            Lui => {
                let v = self.iconst(imm as u64);
                self.set(i.rd, v);
            }
            Auipc => {
                let pc = self.pc_at(off);
                let v = self.b.ins().iadd_imm_s(pc, imm);
                self.set(i.rd, v);
            }
            Jal => {
                let pc = self.pc_at(off);
                let link = self.b.ins().iadd_imm_s(pc, len as i64);
                let target = self.b.ins().iadd_imm_s(pc, imm);
                self.set(i.rd, link);
                self.transfer(k, off + imm, target);
                return true;
            }
            Jalr => {
                // The target is computed before rd is written (rd may be rs1).
                let a = rs1!();
                let t = self.b.ins().iadd_imm_s(a, imm);
                let t = self.b.ins().band_imm_s(t, !1);
                let pc = self.pc_at(off);
                let link = self.b.ins().iadd_imm_s(pc, len as i64);
                self.set(i.rd, link);
                let n = self.executed_before(k + 1);
                self.exit_with(EXIT_DONE, t, n);
                return true;
            }
            Beq | Bne | Blt | Bge | Bltu | Bgeu => {
                let cc = match i.op {
                    Beq => IntCC::Equal,
                    Bne => IntCC::NotEqual,
                    Blt => IntCC::SignedLessThan,
                    Bge => IntCC::SignedGreaterThanOrEqual,
                    Bltu => IntCC::UnsignedLessThan,
                    _ => IntCC::UnsignedGreaterThanOrEqual,
                };
                let a = rs1!();
                let b = rs2!();
                let c = self.b.ins().icmp(cc, a, b);
                let taken = self.b.create_block();
                let fall = self.b.create_block();
                self.b.ins().brif(c, taken, &[], fall, &[]);
                self.b.switch_to_block(taken);
                let pc = self.pc_at(off);
                let target = self.b.ins().iadd_imm_s(pc, imm);
                // The taken side stores the dirty registers (`transfer`);
                // they stay dirty on the side that goes on.
                let dirty = self.dirty;
                self.transfer(k, off + imm, target);
                self.dirty = dirty;
                // Not taken: the segment goes on.
                self.b.switch_to_block(fall);
            }
            Lb | Lh | Lw | Ld | Lbu | Lhu | Lwu => {
                let v = self.load(i, k, off);
                self.set(i.rd, v);
            }
            Sb | Sh | Sw | Sd => {
                let v = rs2!();
                self.store(i, v, k, off);
            }
            CboZero => {
                // Allowed at this privilege (else the interpreter traps),
                // then the whole aligned block: one TLB probe (an aligned
                // block never crosses a page), eight 8-byte stores.
                let allowed = self.ctx_word(CTX_CBO_ZERO);
                let allowed = self.b.ins().icmp_imm_s(IntCC::NotEqual, allowed, 0);
                self.guard(allowed, k, off);
                let a = rs1!();
                let base = self.b.ins().band_imm_s(a, !(CBO_BLOCK as i64 - 1));
                let host = self.write_host(base, CBO_BLOCK, k, off);
                let zero = self.iconst(0);
                for j in 0..CBO_BLOCK as i64 / 8 {
                    let at = self.b.ins().iadd_imm_s(host, 8 * j);
                    self.store_host(at, zero, 8);
                }
            }
            op if is_amo(op) => self.amo(i, k, off),
            LrW | LrD => self.load_reserved(i, k, off),
            ScW | ScD => self.store_conditional(i, k, off),
            Flw | Fld => {
                let mut v = self.load(i, k, off);
                if i.op == Flw {
                    v = self.b.ins().bor_imm_s(v, 0xffff_ffff_0000_0000u64 as i64);
                }
                self.f_set(i.rd, v);
            }
            Fsw | Fsd => {
                let v = self.f_get(i.rs2);
                self.store(i, v, k, off);
            }
            op if vireo_isa::is_fp_arith(op) => {
                if self.fp_move(i)
                    || ((i.rm == 0 || i.rm == 7) && self.fp_inline(i, k, off))
                    || self.fp_inline_other(i, k, off)
                {
                    return false;
                }
                self.spill();
                self.fp_helper(i, k, off);
            }
            Addi => {
                let a = rs1!();
                let v = self.b.ins().iadd_imm_s(a, imm);
                self.set(i.rd, v);
                // Remember the offset for `access_host`, counted from
                // the root of `a` (a chain of addi stays small: twelve-bit
                // immediates in one segment).
                let (root, c) = self.root(a, imm);
                push_recent(&mut self.derived, (v, root, c), MAX_DERIVED);
            }
            Xori => imm!(bxor_imm_s),
            Ori => imm!(bor_imm_s),
            Andi => imm!(band_imm_s),
            Slti => {
                let a = rs1!();
                let c = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, a, imm);
                let v = self.bool64(c);
                self.set(i.rd, v);
            }
            Sltiu => {
                let a = rs1!();
                let c = self.b.ins().icmp_imm_s(IntCC::UnsignedLessThan, a, imm);
                let v = self.bool64(c);
                self.set(i.rd, v);
            }
            Slli => shift_imm!(ishl_imm_s, types::I64, 63),
            Srli => shift_imm!(ushr_imm_s, types::I64, 63),
            Srai => shift_imm!(sshr_imm_s, types::I64, 63),
            Add => bin!(iadd),
            Sub => bin!(isub),
            Sll => shift!(ishl, types::I64, 63),
            Srl => shift!(ushr, types::I64, 63),
            Sra => shift!(sshr, types::I64, 63),
            Slt => cmp!(IntCC::SignedLessThan, rs2!()),
            Sltu => cmp!(IntCC::UnsignedLessThan, rs2!()),
            Xor => bin!(bxor),
            Or => bin!(bor),
            And => bin!(band),
            Addiw => {
                let a = rs1!();
                let v = self.b.ins().iadd_imm_s(a, imm);
                let v = self.sext32(v);
                self.set(i.rd, v);
            }
            Slliw => shift_imm!(ishl_imm_s, types::I32, 31),
            Srliw => shift_imm!(ushr_imm_s, types::I32, 31),
            Sraiw => shift_imm!(sshr_imm_s, types::I32, 31),
            Addw => binw!(iadd),
            Subw => binw!(isub),
            Sllw => shift!(ishl, types::I32, 31),
            Srlw => shift!(ushr, types::I32, 31),
            Sraw => shift!(sshr, types::I32, 31),
            Mul => bin!(imul),
            Mulh => bin!(smulhi),
            Mulhu => bin!(umulhi),
            Mulhsu => {
                // signed(a) * unsigned(b) high half = umulhi(a, b) minus b
                // when a is negative.
                let a = rs1!();
                let b = rs2!();
                let hi = self.b.ins().umulhi(a, b);
                let sign = self.b.ins().sshr_imm_s(a, 63);
                let corr = self.b.ins().band(sign, b);
                let v = self.b.ins().isub(hi, corr);
                self.set(i.rd, v);
            }
            Mulw => binw!(imul),
            Div | Divu | Rem | Remu | Divw | Divuw | Remw | Remuw => {
                let a = rs1!();
                let b = rs2!();
                let v = self.divrem(i.op, a, b);
                self.set(i.rd, v);
            }
            Sh1add | Sh2add | Sh3add => {
                let a = rs1!();
                let b = rs2!();
                let n = match i.op {
                    Sh1add => 1,
                    Sh2add => 2,
                    _ => 3,
                };
                let s = self.b.ins().ishl_imm_s(a, n);
                let v = self.b.ins().iadd(s, b);
                self.set(i.rd, v);
            }
            AddUw => {
                let a = rs1!();
                let b = rs2!();
                let z = self.b.ins().band_imm_s(a, 0xffff_ffff);
                let v = self.b.ins().iadd(z, b);
                self.set(i.rd, v);
            }
            Andn => bin!(band_not),
            Orn => bin!(bor_not),
            Xnor => bin!(bxor_not),
            Min => bin!(smin),
            Minu => bin!(umin),
            Max => bin!(smax),
            Maxu => bin!(umax),
            SextB | SextH => {
                let a = rs1!();
                let ty = if i.op == SextB { types::I8 } else { types::I16 };
                let n = self.b.ins().ireduce(ty, a);
                let v = self.b.ins().sextend(types::I64, n);
                self.set(i.rd, v);
            }
            ZextH => {
                let a = rs1!();
                let v = self.b.ins().band_imm_s(a, 0xffff);
                self.set(i.rd, v);
            }
            Clz => {
                let a = rs1!();
                let v = self.b.ins().clz(a);
                self.set(i.rd, v);
            }
            Ctz => {
                let a = rs1!();
                let v = self.b.ins().ctz(a);
                self.set(i.rd, v);
            }
            Cpop => {
                let a = rs1!();
                let v = self.b.ins().popcnt(a);
                self.set(i.rd, v);
            }
            Rol | Ror => {
                let a = rs1!();
                let b = rs2!();
                let sh = self.b.ins().band_imm_s(b, 63);
                let v = if i.op == Rol {
                    self.b.ins().rotl(a, sh)
                } else {
                    self.b.ins().rotr(a, sh)
                };
                self.set(i.rd, v);
            }
            Rori => shift_imm!(rotr_imm_s, types::I64, 63),
            Roriw => shift_imm!(rotr_imm_s, types::I32, 31),
            Rolw => shift!(rotl, types::I32, 31),
            Rorw => shift!(rotr, types::I32, 31),
            Sh1addUw | Sh2addUw | Sh3addUw | SlliUw => {
                let a = rs1!();
                let z = self.b.ins().band_imm_s(a, 0xffff_ffff);
                let v = match i.op {
                    Sh1addUw | Sh2addUw | Sh3addUw => {
                        let n = match i.op {
                            Sh1addUw => 1,
                            Sh2addUw => 2,
                            _ => 3,
                        };
                        let b = rs2!();
                        let s = self.b.ins().ishl_imm_s(z, n);
                        self.b.ins().iadd(s, b)
                    }
                    _ => self.b.ins().ishl_imm_s(z, imm & 63),
                };
                self.set(i.rd, v);
            }
            Clzw | Ctzw | Cpopw => {
                let a = rs1!();
                let w = self.b.ins().ireduce(types::I32, a);
                let r = match i.op {
                    Clzw => self.b.ins().clz(w),
                    Ctzw => self.b.ins().ctz(w),
                    _ => self.b.ins().popcnt(w),
                };
                let v = self.b.ins().uextend(types::I64, r);
                self.set(i.rd, v);
            }
            OrcB => {
                // Bit 7 of each byte of t is set when the byte is not
                // zero (its low 7 bits carry into bit 7, or bit 7 is set);
                // no carry leaves a byte. (t >> 7) * 0xff spreads it.
                const LOW7: i64 = 0x7f7f_7f7f_7f7f_7f7f;
                let a = rs1!();
                let lo = self.b.ins().band_imm_s(a, LOW7);
                let t = self.b.ins().iadd_imm_s(lo, LOW7);
                let t = self.b.ins().bor(t, a);
                let t = self.b.ins().band_imm_s(t, 0x8080_8080_8080_8080u64 as i64);
                let t = self.b.ins().ushr_imm_s(t, 7);
                let v = self.b.ins().imul_imm_s(t, 0xff);
                self.set(i.rd, v);
            }
            Bclr | Bclri | Bext | Bexti | Binv | Binvi | Bset | Bseti => {
                let a = rs1!();
                let sh = if matches!(i.op, Bclr | Bext | Binv | Bset) {
                    let b = rs2!();
                    self.b.ins().band_imm_s(b, 63)
                } else {
                    self.iconst((imm & 63) as u64)
                };
                let v = if matches!(i.op, Bext | Bexti) {
                    let t = self.b.ins().ushr(a, sh);
                    self.b.ins().band_imm_s(t, 1)
                } else {
                    let one = self.iconst(1);
                    let bit = self.b.ins().ishl(one, sh);
                    match i.op {
                        Bclr | Bclri => self.b.ins().band_not(a, bit),
                        Binv | Binvi => self.b.ins().bxor(a, bit),
                        _ => self.b.ins().bor(a, bit),
                    }
                };
                self.set(i.rd, v);
            }
            CzeroEqz | CzeroNez => {
                let a = rs1!();
                let b = rs2!();
                let zero = self.iconst(0);
                let cc = if i.op == CzeroEqz {
                    IntCC::Equal
                } else {
                    IntCC::NotEqual
                };
                let c = self.b.ins().icmp_imm_s(cc, b, 0);
                let v = self.b.ins().select(c, zero, a);
                self.set(i.rd, v);
            }
            Rev8 => {
                let a = rs1!();
                let v = self.b.ins().bswap(a);
                self.set(i.rd, v);
            }
            Fence => {
                // The host (x86-64) keeps every order but store -> load
                // (TSO), so only a fence whose predecessor set has W and
                // successor set has R needs a host fence; fence.tso
                // (fm = 8) never orders store -> load. Device I/O never
                // happens in translated code.
                let (fm, pred, succ) = ((imm >> 8) & 0xf, (imm >> 4) & 0xf, imm & 0xf);
                if fm != 8 && pred & 1 != 0 && succ & 2 != 0 {
                    self.b.ins().fence();
                }
            }
            Csrrw | Csrrs | Csrrc | Csrrwi | Csrrsi | Csrrci if is_fp_csr(i) => self.fp_csr(i),
            Csrrw | Csrrs | Csrrc | Csrrwi | Csrrsi | Csrrci if is_trap_csr(i) => {
                self.trap_csr(i, k, off)
            }
            Csrrw | Csrrs | Csrrc | Csrrwi | Csrrsi | Csrrci if is_sstatus_csr(i) => {
                self.sstatus_csr(i, k, off)
            }
            _ => unreachable!("supported_insn() admitted {:?}", i.op),
        }
        false
    }

    /// F/D arithmetic by the interpreter's own code, through the
    /// context's helper: exact rounding and flags. The dirty integer
    /// registers are stored first, so it reads current values; an integer
    /// result is read back.
    ///
    /// The dirty registers stay dirty: the helper may be the cold side of
    /// an inline operation whose fast side stores nothing (`fp_inline`);
    /// callers on the main path `spill` first.
    fn fp_helper(&mut self, i: &Insn, k: u64, off: i64) {
        self.store_dirty();
        let f = MemFlagsData::trusted();
        let state = self.b.ins().load(types::I64, f, self.ctx, CTX_FP_STATE);
        let func = self.b.ins().load(types::I64, f, self.ctx, CTX_FP_OP);
        // The decoded instruction lives as long as the code.
        let kept = Box::new(*i);
        let raw = self.iconst(&*kept as *const Insn as u64);
        self.kept_insns.push(kept);
        let sig = self.fp_sig.expect("signature imported for FP regions");
        let call = self.b.ins().call_indirect(sig, func, &[state, raw]);
        let r = self.b.inst_results(call)[0];
        let ok = self.b.ins().icmp_imm_s(IntCC::Equal, r, 0);
        self.guard(ok, k, off);
        let rd = (i.rd & 31) as usize;
        if vireo_isa::fp_writes_int_rd(i.op) && rd != 0 {
            // The helper wrote it to memory.
            self.regs[rd] = None;
            self.dirty &= !(1 << rd);
        }
    }

    /// Moves and sign injection, which raise no flag and are exact: bit
    /// operations (`fmv.d` is `fsgnj.d` of one register, `fabs.s` is
    /// `fsgnjx.s`). Single-precision operands that are not NaN-boxed read
    /// as the canonical NaN, as in the interpreter. Returns false for the
    /// other F/D operations.
    fn fp_move(&mut self, i: &Insn) -> bool {
        use Op::*;
        let sign = i64::MIN;
        let v = match i.op {
            FsgnjS | FsgnjnS | FsgnjxS => {
                let a = self.f_get(i.rs1);
                let b = self.f_get(i.rs2);
                let a = self.unbox_s(a);
                let b = self.unbox_s(b);
                let bs = self.b.ins().band_imm_s(b, 1 << 31);
                let v = match i.op {
                    FsgnjxS => self.b.ins().bxor(a, bs),
                    _ => {
                        let mag = self.b.ins().band_imm_s(a, 0x7fff_ffff);
                        let s = if i.op == FsgnjnS {
                            self.b.ins().bxor_imm_s(bs, 1 << 31)
                        } else {
                            bs
                        };
                        self.b.ins().bor(mag, s)
                    }
                };
                self.b.ins().bor_imm_s(v, 0xffff_ffff_0000_0000u64 as i64)
            }
            FsgnjD | FsgnjnD | FsgnjxD => {
                let a = self.f_get(i.rs1);
                let b = self.f_get(i.rs2);
                let bs = self.b.ins().band_imm_s(b, sign);
                match i.op {
                    FsgnjxD => self.b.ins().bxor(a, bs),
                    _ => {
                        let mag = self.b.ins().band_imm_s(a, !sign);
                        let s = if i.op == FsgnjnD {
                            self.b.ins().bxor_imm_s(bs, sign)
                        } else {
                            bs
                        };
                        self.b.ins().bor(mag, s)
                    }
                }
            }
            FmvDX => self.get(i.rs1),
            FmvWX => {
                let x = self.get(i.rs1);
                let w = self.b.ins().band_imm_s(x, 0xffff_ffff);
                self.b.ins().bor_imm_s(w, 0xffff_ffff_0000_0000u64 as i64)
            }
            FmvXD | FmvXW => {
                let f = self.f_get(i.rs1);
                let v = if i.op == FmvXW {
                    let w = self.b.ins().ireduce(types::I32, f);
                    self.b.ins().sextend(types::I64, w)
                } else {
                    f
                };
                self.set(i.rd, v);
                return true;
            }
            _ => return false,
        };
        self.f_set(i.rd, v);
        true
    }

    /// A CSR instruction on `sscratch`, `sepc`, `scause` or `stval` (see
    /// [`is_trap_csr`]), as the interpreter runs it: outside U-mode, rd
    /// gets the old value and a write (always for `csrrw[i]`, else when the
    /// source register or immediate field is not 0) replaces, sets or
    /// clears bits (`sepc` keeps bit 0 clear); in U-mode the region leaves
    /// before it.
    fn trap_csr(&mut self, i: &Insn, k: u64, off: i64) {
        let t = MemFlagsData::trusted();
        let csr = i.imm as u64 & 0xfff;
        let base = self.ctx_word(CTX_TRAP_CSRS);
        let allowed = self.b.ins().icmp_imm_s(IntCC::NotEqual, base, 0);
        self.guard(allowed, k, off);
        let at = 8 * (csr - 0x140) as i32;
        let old = self.b.ins().load(types::I64, t, base, at);
        if let Some(mut new) = self.csr_write_value(i, old) {
            if csr == 0x141 {
                new = self.b.ins().band_imm_s(new, !1);
            }
            self.b.ins().store(t, new, base, at);
        }
        self.set(i.rd, old);
    }

    /// The value a CSR instruction writes, from the CSR's `old` value, as
    /// the interpreter computes it: the source (x register or 5-bit
    /// immediate) for `csrrw[i]`, `old` with its bits set for `csrrs[i]`
    /// or cleared for `csrrc[i]`; `None` when it does not write (a set or
    /// clear from x0 or immediate 0).
    fn csr_write_value(&mut self, i: &Insn, old: Value) -> Option<Value> {
        use Op::*;
        let writes = matches!(i.op, Csrrw | Csrrwi) || i.rs1 & 31 != 0;
        if !writes {
            return None;
        }
        let src = if matches!(i.op, Csrrwi | Csrrsi | Csrrci) {
            self.iconst(u64::from(i.rs1 & 31))
        } else {
            self.get(i.rs1)
        };
        Some(match i.op {
            Csrrw | Csrrwi => src,
            Csrrs | Csrrsi => self.b.ins().bor(old, src),
            _ => {
                let keep = self.b.ins().bnot(src);
                self.b.ins().band(old, keep)
            }
        })
    }

    /// A CSR instruction on `sstatus` (see [`is_sstatus_csr`]), as the
    /// interpreter runs it where it can: outside U-mode (else the region
    /// leaves before it), rd gets `mstatus`'s visible bits (SD set when FS
    /// is Dirty); a write (always for `csrrw[i]`, else when the source
    /// register or immediate field is not 0) computes the new `mstatus`
    /// as the hart does and stores it if it changes only bits that need no
    /// other update, or SUM where the context has the other data TLB
    /// (then swapped in), else the region leaves before the instruction.
    fn sstatus_csr(&mut self, i: &Insn, k: u64, off: i64) {
        const SIE: i64 = 1 << 1;
        const SPIE: i64 = 1 << 5;
        const SPP: i64 = 1 << 8;
        const SUM: i64 = 1 << 18;
        const SD: i64 = i64::MIN;
        const XL: i64 = (2 << 32) | (2 << 34); // UXL, SXL: 64 bits
        let t = MemFlagsData::trusted();
        let s_mode = self.ctx_word(CTX_TRAP_CSRS);
        let allowed = self.b.ins().icmp_imm_s(IntCC::NotEqual, s_mode, 0);
        self.guard(allowed, k, off);
        let mp = self.ctx_word(CTX_MSTATUS);
        let old_m = self.b.ins().load(types::I64, t, mp, 0);
        let fs = self.b.ins().band_imm_s(old_m, MSTATUS_FS);
        let fs_dirty = self.b.ins().icmp_imm_s(IntCC::Equal, fs, MSTATUS_FS);
        let sd = self.iconst(SD as u64);
        let zero = self.iconst(0);
        let sd = self.b.ins().select(fs_dirty, sd, zero);
        let visible = self
            .b
            .ins()
            .band_imm_s(old_m, (SSTATUS_VISIBLE & !(SD as u64)) as i64);
        let old_s = self.b.ins().bor(visible, sd);
        if let Some(new_s) = self.csr_write_value(i, old_s) {
            let kept = self
                .b
                .ins()
                .band_imm_s(old_m, !(SSTATUS_WRITABLE as i64) & !SD);
            let written = self.b.ins().band_imm_s(new_s, SSTATUS_WRITABLE as i64);
            let new_m = self.b.ins().bor(kept, written);
            let new_m = self.b.ins().bor_imm_s(new_m, XL);
            // Bits that may change here: SIE (cleared only), SPIE, SPP,
            // and FS unless F/D instructions of this region rely on it.
            let mut free = SIE | SPIE | SPP;
            if self.f_regs.is_none() {
                free |= MSTATUS_FS;
            }
            let changed = self.b.ins().bxor(old_m, new_m);
            let other = self.b.ins().band_imm_s(changed, !(free | SUM));
            let quiet = self.b.ins().icmp_imm_s(IntCC::Equal, other, 0);
            let was_off = self.b.ins().bnot(old_m);
            let set = self.b.ins().band(new_m, was_off);
            let sie_set = self.b.ins().band_imm_s(set, SIE);
            let no_sie = self.b.ins().icmp_imm_s(IntCC::Equal, sie_set, 0);
            // Setting SIE is fine while no interrupt is waiting for it.
            let pending = self.ctx_word(CTX_IRQ_PENDING);
            let quiet_irq = self.b.ins().icmp_imm_s(IntCC::Equal, pending, 0);
            let no_sie = self.b.ins().bor(no_sie, quiet_irq);
            // SUM may flip where the context has the other data TLB.
            let sum_flip = self.b.ins().band_imm_s(changed, SUM);
            let flip = self.b.ins().icmp_imm_s(IntCC::NotEqual, sum_flip, 0);
            let alt_r = self.ctx_word(CTX_TLB_READ_ALT);
            let no_alt = self.b.ins().icmp_imm_s(IntCC::Equal, alt_r, 0);
            let stuck = self.b.ins().band(flip, no_alt);
            let ok = self.b.ins().band(quiet, no_sie);
            let ok = self.b.ins().band_not(ok, stuck);
            self.guard(ok, k, off);
            self.b.ins().store(t, new_m, mp, 0);
            // Swap the data TLBs when SUM flipped (branch-free: sstatus
            // writes are rare next to the accesses around them).
            let cur_r = self.ctx_word(CTX_TLB_READ);
            let cur_w = self.ctx_word(CTX_TLB_WRITE);
            let alt_w = self.ctx_word(CTX_TLB_WRITE_ALT);
            for (slot, a, b) in [
                (CTX_TLB_READ, alt_r, cur_r),
                (CTX_TLB_READ_ALT, cur_r, alt_r),
                (CTX_TLB_WRITE, alt_w, cur_w),
                (CTX_TLB_WRITE_ALT, cur_w, alt_w),
            ] {
                let v = self.b.ins().select(flip, a, b);
                self.b.ins().store(t, v, self.ctx, slot);
            }
            // Accesses after this one look the (maybe other) TLB up again.
            self.ctx_known[0] = None;
            self.ctx_known[1] = None;
            self.hits.clear();
        }
        self.set(i.rd, old_s);
    }

    /// A CSR instruction on `fflags` (1), `frm` (2) or `fcsr` (3), as the
    /// interpreter runs it: rd gets the old value (the field, shifted
    /// down), and a write (always for `csrrw[i]`, else when the source
    /// register or immediate field is not 0) replaces, sets or clears bits
    /// of the field. FS is Dirty already (see [`is_fp_csr`]).
    fn fp_csr(&mut self, i: &Insn) {
        let csr = i.imm as u64 & 0xfff;
        let (at, fcsr) = self.fcsr();
        let old = match csr {
            1 => self.b.ins().band_imm_s(fcsr, 0x1f),
            2 => {
                let f = self.b.ins().ushr_imm_s(fcsr, 5);
                self.b.ins().band_imm_s(f, 7)
            }
            _ => self.b.ins().band_imm_s(fcsr, 0xff),
        };
        if let Some(new) = self.csr_write_value(i, old) {
            let v = match csr {
                1 => {
                    let rest = self.b.ins().band_imm_s(fcsr, !0x1f);
                    let field = self.b.ins().band_imm_s(new, 0x1f);
                    self.b.ins().bor(rest, field)
                }
                2 => {
                    let rest = self.b.ins().band_imm_s(fcsr, 0x1f);
                    let field = self.b.ins().band_imm_s(new, 7);
                    let field = self.b.ins().ishl_imm_s(field, 5);
                    self.b.ins().bor(rest, field)
                }
                _ => self.b.ins().band_imm_s(new, 0xff),
            };
            self.b.ins().store(MemFlagsData::trusted(), v, at, 0);
        }
        self.set(i.rd, old);
    }

    /// A single-precision operand in the low 32 bits (upper bits zero):
    /// the register's low half when it is NaN-boxed, otherwise the
    /// canonical NaN.
    fn unbox_s(&mut self, v: Value) -> Value {
        let boxed = self.is_boxed(v);
        let lo = self.b.ins().band_imm_s(v, 0xffff_ffff);
        let nan = self.iconst(u64::from(CANONICAL_NAN_S));
        self.b.ins().select(boxed, lo, nan)
    }

    /// Whether `v` (an f register) holds a NaN-boxed single.
    fn is_boxed(&mut self, v: Value) -> Value {
        let hi = self.b.ins().ushr_imm_s(v, 32);
        self.b.ins().icmp_imm_s(IntCC::Equal, hi, 0xffff_ffff)
    }

    /// The f register `v` as a host float: an `F64` of its bits, or
    /// (`double` false) an `F32` of its low half.
    fn as_float(&mut self, v: Value, double: bool) -> Value {
        if double {
            self.b.ins().bitcast(types::F64, MemFlagsData::new(), v)
        } else {
            let w = self.b.ins().ireduce(types::I32, v);
            self.b.ins().bitcast(types::F32, MemFlagsData::new(), w)
        }
    }

    /// The rounding state of an instruction with a rounding-mode field,
    /// from its rm and `fcsr`; `None` when the static rm is illegal (the
    /// helper raises the trap).
    fn fp_rounding(&mut self, rm: u8) -> Option<Rounding> {
        let (_, fcsr) = self.fcsr();
        let nx = self.fp_nx(fcsr);
        let (legal, rne) = match rm {
            0..=4 => {
                let legal = self.b.ins().iconst(types::I8, 1);
                let rne = self.b.ins().iconst(types::I8, i64::from(rm == 0));
                (legal, rne)
            }
            7 => {
                let frm = self.b.ins().band_imm_s(fcsr, 0xe0);
                let legal = self
                    .b
                    .ins()
                    .icmp_imm_s(IntCC::UnsignedLessThan, frm, 5 << 5);
                let rne = self.b.ins().icmp_imm_s(IntCC::Equal, frm, 0);
                (legal, rne)
            }
            _ => return None,
        };
        Some(Rounding { legal, rne, nx })
    }

    /// Branch on `ok` to a fast block that `fast` fills (returning the
    /// value for rd) or to the helper; continue after both with rd
    /// written: an f register (`int_rd` false; the fast path stores it)
    /// or an x register (both paths pass its value to the join block).
    fn fp_fast_or_helper(
        &mut self,
        i: &Insn,
        k: u64,
        off: i64,
        ok: Value,
        int_rd: bool,
        fast: impl FnOnce(&mut Self) -> Value,
    ) {
        let fast_b = self.b.create_block();
        let slow_b = self.b.create_block();
        let join = self.b.create_block();
        if int_rd {
            self.b.append_block_param(join, types::I64);
        }
        self.b.ins().brif(ok, fast_b, &[], slow_b, &[]);
        self.b.switch_to_block(fast_b);
        let v = fast(self);
        if int_rd {
            self.b.ins().jump(join, &[BlockArg::Value(v)]);
        } else {
            self.f_set(i.rd, v);
            self.b.ins().jump(join, &[]);
        }
        self.b.switch_to_block(slow_b);
        self.b.set_cold_block(slow_b);
        self.fp_helper(i, k, off);
        if int_rd {
            // The helper wrote rd (x0 stays zero) in the hart's array.
            let v = self.get(i.rd);
            self.b.ins().jump(join, &[BlockArg::Value(v)]);
        } else {
            self.b.ins().jump(join, &[]);
        }
        self.b.switch_to_block(join);
        if int_rd {
            let v = self.b.block_params(join)[0];
            self.set(i.rd, v);
        }
    }

    /// Comparisons and conversions inline where they raise no flag the
    /// host would not (see each case); otherwise the helper. Returns false
    /// (and emits nothing) for operations not covered.
    ///
    /// - `feq`/`flt`/`fle`: both operands ordered (and NaN-boxed), so no
    ///   NV; the host's ordered comparison.
    /// - float to integer (`fcvt.{w,wu,l,lu}.{s,d}`): the value rounded in
    ///   the instruction's mode (RTZ, or RNE/RDN/RUP when the host rounds
    ///   in SSE4.1) lies in the target's range (no NV) and equals the
    ///   operand or NX is set already.
    /// - integer to float (`fcvt.{s,d}.{w,wu,l,lu}`): the integer fits the
    ///   significand (exact, any legal rounding mode), or rounding is RNE
    ///   with NX set (the host converts to nearest-even).
    /// - `fcvt.d.s`: a boxed, non-NaN operand (exact). `fcvt.s.d`: RNE
    ///   with NX set and a normal result, or a zero from a zero (no
    ///   overflow, underflow or NaN).
    fn fp_inline_other(&mut self, i: &Insn, k: u64, off: i64) -> bool {
        use Op::*;
        match i.op {
            FeqS | FltS | FleS | FeqD | FltD | FleD => {
                let double = matches!(i.op, FeqD | FltD | FleD);
                let a = self.f_get(i.rs1);
                let b = self.f_get(i.rs2);
                let x = self.as_float(a, double);
                let y = self.as_float(b, double);
                let mut ok = self.b.ins().fcmp(FloatCC::Ordered, x, y);
                if !double {
                    let ab = self.b.ins().band(a, b);
                    let boxed = self.is_boxed(ab);
                    ok = self.b.ins().band(ok, boxed);
                }
                let cc = match i.op {
                    FeqS | FeqD => FloatCC::Equal,
                    FltS | FltD => FloatCC::LessThan,
                    _ => FloatCC::LessThanOrEqual,
                };
                self.fp_fast_or_helper(i, k, off, ok, true, |s| {
                    let c = s.b.ins().fcmp(cc, x, y);
                    s.bool64(c)
                });
                true
            }
            FcvtWS | FcvtWuS | FcvtLS | FcvtLuS | FcvtWD | FcvtWuD | FcvtLD | FcvtLuD => {
                self.fp_to_int(i, k, off)
            }
            FcvtSW | FcvtSWu | FcvtSL | FcvtSLu | FcvtDW | FcvtDWu | FcvtDL | FcvtDLu => {
                let Some(rnd) = self.fp_rounding(i.rm) else {
                    return false;
                };
                let double = matches!(i.op, FcvtDW | FcvtDWu | FcvtDL | FcvtDLu);
                let signed = matches!(i.op, FcvtSW | FcvtSL | FcvtDW | FcvtDL);
                let word = matches!(i.op, FcvtSW | FcvtSWu | FcvtDW | FcvtDWu);
                let x = self.get(i.rs1);
                let (src, x) = if word {
                    let w = self.b.ins().ireduce(types::I32, x);
                    let e = if signed {
                        self.b.ins().sextend(types::I64, w)
                    } else {
                        self.b.ins().uextend(types::I64, w)
                    };
                    (w, e)
                } else {
                    (x, x)
                };
                // |x| <= 2^p (p: significand bits) converts exactly.
                let p = if double { 53 } else { 24 };
                let exact = if signed {
                    let biased = self.b.ins().iadd_imm_s(x, 1 << p);
                    self.b
                        .ins()
                        .icmp_imm_s(IntCC::UnsignedLessThanOrEqual, biased, 2 << p)
                } else {
                    self.b
                        .ins()
                        .icmp_imm_s(IntCC::UnsignedLessThanOrEqual, x, 1 << p)
                };
                let exact = self.b.ins().band(exact, rnd.legal);
                let rne_nx = self.b.ins().band(rnd.rne, rnd.nx);
                let ok = self.b.ins().bor(exact, rne_nx);
                let fty = if double { types::F64 } else { types::F32 };
                self.fp_fast_or_helper(i, k, off, ok, false, |s| {
                    let f = if signed {
                        s.b.ins().fcvt_from_sint(fty, src)
                    } else {
                        s.b.ins().fcvt_from_uint(fty, src)
                    };
                    s.float_bits(f, double)
                });
                true
            }
            FcvtDS => {
                let Some(rnd) = self.fp_rounding(i.rm) else {
                    return false;
                };
                let a = self.f_get(i.rs1);
                let x = self.as_float(a, false);
                let boxed = self.is_boxed(a);
                let ordered = self.b.ins().fcmp(FloatCC::Ordered, x, x);
                let ok = self.b.ins().band(boxed, ordered);
                let ok = self.b.ins().band(ok, rnd.legal);
                self.fp_fast_or_helper(i, k, off, ok, false, |s| {
                    let d = s.b.ins().fpromote(types::F64, x);
                    s.float_bits(d, true)
                });
                true
            }
            FcvtSD => {
                let Some(rnd) = self.fp_rounding(i.rm) else {
                    return false;
                };
                let a = self.f_get(i.rs1);
                let x = self.as_float(a, true);
                let r = self.b.ins().fdemote(types::F32, x);
                let bits = self.b.ins().bitcast(types::I32, MemFlagsData::new(), r);
                let bits = self.b.ins().uextend(types::I64, bits);
                // A normal result, or r and x both zero.
                let abs = self.b.ins().band_imm_s(bits, 0x7fff_ffff);
                let normal = self.above_normal(abs, false);
                let x2 = self.b.ins().ishl_imm_s(a, 1);
                let zero = self.b.ins().icmp_imm_s(IntCC::Equal, x2, 0);
                let good = self.b.ins().bor(normal, zero);
                let rne_nx = self.b.ins().band(rnd.rne, rnd.nx);
                let ok = self.b.ins().band(good, rne_nx);
                self.fp_fast_or_helper(i, k, off, ok, false, |s| {
                    s.b.ins().bor_imm_s(bits, 0xffff_ffff_0000_0000u64 as i64)
                });
                true
            }
            _ => false,
        }
    }

    /// The raw f-register bits of a host float (singles NaN-boxed).
    fn float_bits(&mut self, f: Value, double: bool) -> Value {
        if double {
            self.b.ins().bitcast(types::I64, MemFlagsData::new(), f)
        } else {
            let w = self.b.ins().bitcast(types::I32, MemFlagsData::new(), f);
            let w = self.b.ins().uextend(types::I64, w);
            self.b.ins().bor_imm_s(w, 0xffff_ffff_0000_0000u64 as i64)
        }
    }

    /// `fcvt` from float to integer (see [`Translator::fp_inline_other`]).
    fn fp_to_int(&mut self, i: &Insn, k: u64, off: i64) -> bool {
        use Op::*;
        // The host rounding that rm (or a dynamic RNE) asks for; RMM and
        // the SSE4.1-only roundings without it take the helper.
        let rounding = match i.rm {
            1 => Some(1),
            0 | 2 | 3 | 7 if host_has_sse41() => Some(i.rm),
            _ => None,
        };
        let Some(rounding) = rounding else {
            return false;
        };
        let Some(rnd) = self.fp_rounding(i.rm) else {
            return false;
        };
        let double = matches!(i.op, FcvtWD | FcvtWuD | FcvtLD | FcvtLuD);
        let signed = matches!(i.op, FcvtWS | FcvtLS | FcvtWD | FcvtLD);
        let word = matches!(i.op, FcvtWS | FcvtWuS | FcvtWD | FcvtWuD);
        let a = self.f_get(i.rs1);
        let x = self.as_float(a, double);
        let r = match rounding {
            1 => self.b.ins().trunc(x),
            2 => self.b.ins().floor(x),
            3 => self.b.ins().ceil(x),
            _ => self.b.ins().nearest(x),
        };
        // The rounded value's range (ordered comparisons: a NaN fails):
        // [lo, hi) with both bounds powers of two, exact in either format.
        let bits = if word { 32 } else { 64 };
        let (lo, hi) = if signed {
            (-(2f64.powi(bits - 1)), 2f64.powi(bits - 1))
        } else {
            (0.0, 2f64.powi(bits))
        };
        let (lo, hi) = if double {
            (self.b.ins().f64const(lo), self.b.ins().f64const(hi))
        } else {
            (
                self.b.ins().f32const(lo as f32),
                self.b.ins().f32const(hi as f32),
            )
        };
        let ge = self.b.ins().fcmp(FloatCC::GreaterThanOrEqual, r, lo);
        let lt = self.b.ins().fcmp(FloatCC::LessThan, r, hi);
        let mut ok = self.b.ins().band(ge, lt);
        if !double {
            let boxed = self.is_boxed(a);
            ok = self.b.ins().band(ok, boxed);
        }
        // Exact, or NX already set (the flag is sticky).
        let exact = self.b.ins().fcmp(FloatCC::Equal, r, x);
        let quiet = self.b.ins().bor(exact, rnd.nx);
        ok = self.b.ins().band(ok, quiet);
        if i.rm == 7 {
            // Dynamic: rounded to nearest-even above, so frm must say so.
            ok = self.b.ins().band(ok, rnd.rne);
        }
        self.fp_fast_or_helper(i, k, off, ok, true, |s| {
            let ty = if word { types::I32 } else { types::I64 };
            let v = if signed {
                s.b.ins().fcvt_to_sint_sat(ty, r)
            } else {
                s.b.ins().fcvt_to_uint_sat(ty, r)
            };
            if word {
                s.b.ins().sextend(types::I64, v)
            } else {
                v
            }
        });
        true
    }

    /// Whether `abs`, the bits of a result's magnitude (a double, or a
    /// single in the low 32 bits), lies strictly between the smallest
    /// normal and infinity: finite, no overflow, no underflow, no NaN.
    fn above_normal(&mut self, abs: Value, double: bool) -> Value {
        let (min_normal, inf) = if double {
            (
                f64::MIN_POSITIVE.to_bits() as i64,
                f64::INFINITY.to_bits() as i64,
            )
        } else {
            (
                f32::MIN_POSITIVE.to_bits() as i64,
                f32::INFINITY.to_bits() as i64,
            )
        };
        let above = self.b.ins().iadd_imm_s(abs, -(min_normal + 1));
        self.b
            .ins()
            .icmp_imm_s(IntCC::UnsignedLessThan, above, inf - (min_normal + 1))
    }

    /// The address of the guest's `fcsr` and its current value.
    fn fcsr(&mut self) -> (Value, Value) {
        let at = self.ctx_word(CTX_FCSR);
        let v = self
            .b
            .ins()
            .load(types::I64, MemFlagsData::trusted(), at, 0);
        (at, v)
    }

    /// NX in `fflags` (bit 0 of `fcsr` value `fcsr`), as a condition.
    fn fp_nx(&mut self, fcsr: Value) -> Value {
        let nx = self.b.ins().band_imm_s(fcsr, 1);
        self.b.ins().icmp_imm_s(IntCC::NotEqual, nx, 0)
    }

    /// F/D add, subtract, multiply, divide, square root and fused
    /// multiply-add on the host FPU, inline, where that gives SoftFloat's
    /// result and no flag but NX (the conditions of the interpreter's
    /// `fpu::execute_fast`, checked on the values): rounding resolves to
    /// nearest-even and NX is already set in `fcsr`; single operands are
    /// NaN-boxed; the result is finite and above the smallest normal in
    /// magnitude (so no overflow, underflow or NaN, whatever the inputs),
    /// or an exact zero (a zero sum; a product or quotient of a zero; the
    /// root of a zero). Anything else runs the helper. Returns false (and
    /// emits nothing) for the other F/D operations.
    fn fp_inline(&mut self, i: &Insn, k: u64, off: i64) -> bool {
        use Op::*;
        let (double, fused) = match i.op {
            FaddD | FsubD | FmulD | FdivD | FsqrtD => (true, false),
            FaddS | FsubS | FmulS | FdivS | FsqrtS => (false, false),
            FmaddD | FmsubD | FnmsubD | FnmaddD if host_has_fma() => (true, true),
            FmaddS | FmsubS | FnmsubS | FnmaddS if host_has_fma() => (false, true),
            _ => return false,
        };
        let (_, fcsr) = self.fcsr();
        // frm (bits 7:5) = RNE when the instruction's rm is dynamic; NX
        // (bit 0) set.
        let mode = if i.rm == 7 {
            let m = self.b.ins().band_imm_s(fcsr, 0xe1);
            self.b.ins().icmp_imm_s(IntCC::Equal, m, 1)
        } else {
            self.fp_nx(fcsr)
        };
        let a = self.f_get(i.rs1);
        let b = self.f_get(i.rs2);
        let c = if fused { self.f_get(i.rs3) } else { a };
        let (fty, ity, sign_bit) = if double {
            (types::F64, types::I64, 63)
        } else {
            (types::F32, types::I32, 31)
        };
        let mut ok = mode;
        if !double {
            // NaN-boxed: the upper 32 bits of every operand all ones.
            let ab = self.b.ins().band(a, b);
            let abc = self.b.ins().band(ab, c);
            let hi = self.b.ins().ushr_imm_s(abc, 32);
            let boxed = self.b.ins().icmp_imm_s(IntCC::Equal, hi, 0xffff_ffff);
            ok = self.b.ins().band(ok, boxed);
        }
        let to_f = |s: &mut Self, v: Value| {
            let v = if double {
                v
            } else {
                s.b.ins().ireduce(types::I32, v)
            };
            s.b.ins().bitcast(fty, MemFlagsData::new(), v)
        };
        let (x, y, z) = (to_f(self, a), to_f(self, b), to_f(self, c));
        let r = match i.op {
            FaddD | FaddS => self.b.ins().fadd(x, y),
            FsubD | FsubS => self.b.ins().fsub(x, y),
            FmulD | FmulS => self.b.ins().fmul(x, y),
            FdivD | FdivS => self.b.ins().fdiv(x, y),
            FsqrtD | FsqrtS => self.b.ins().sqrt(x),
            FmaddD | FmaddS => self.b.ins().fma(x, y, z),
            FmsubD | FmsubS => {
                let nz = self.b.ins().fneg(z);
                self.b.ins().fma(x, y, nz)
            }
            FnmsubD | FnmsubS => {
                let nx = self.b.ins().fneg(x);
                self.b.ins().fma(nx, y, z)
            }
            _ => {
                let nx = self.b.ins().fneg(x);
                let nz = self.b.ins().fneg(z);
                self.b.ins().fma(nx, y, nz)
            }
        };
        let bits = self.b.ins().bitcast(ity, MemFlagsData::new(), r);
        let abs = self.b.ins().band_imm_s(bits, (1i64 << sign_bit) - 1);
        let normal = self.above_normal(abs, double);
        let is_zero = |s: &mut Self, v: Value| {
            // Either sign.
            let shifted = if double {
                s.b.ins().ishl_imm_s(v, 1)
            } else {
                s.b.ins().ishl_imm_s(v, 33)
            };
            s.b.ins().icmp_imm_s(IntCC::Equal, shifted, 0)
        };
        let zero_ok = match i.op {
            FaddD | FaddS | FsubD | FsubS | FsqrtD | FsqrtS => {
                Some(self.b.ins().icmp_imm_s(IntCC::Equal, abs, 0))
            }
            FmulD | FmulS => {
                let rz = self.b.ins().icmp_imm_s(IntCC::Equal, abs, 0);
                let az = is_zero(self, a);
                let bz = is_zero(self, b);
                let either = self.b.ins().bor(az, bz);
                Some(self.b.ins().band(rz, either))
            }
            FdivD | FdivS => {
                let rz = self.b.ins().icmp_imm_s(IntCC::Equal, abs, 0);
                let az = is_zero(self, a);
                Some(self.b.ins().band(rz, az))
            }
            _ => None,
        };
        let good = match zero_ok {
            Some(z) => self.b.ins().bor(normal, z),
            None => normal,
        };
        ok = self.b.ins().band(ok, good);
        let value = if double {
            bits
        } else {
            let w = self.b.ins().uextend(types::I64, bits);
            self.b.ins().bor_imm_s(w, 0xffff_ffff_0000_0000u64 as i64)
        };
        let fast = self.b.create_block();
        let slow = self.b.create_block();
        let join = self.b.create_block();
        self.b.ins().brif(ok, fast, &[], slow, &[]);
        self.b.switch_to_block(fast);
        self.f_set(i.rd, value);
        self.b.ins().jump(join, &[]);
        self.b.switch_to_block(slow);
        self.b.set_cold_block(slow);
        self.fp_helper(i, k, off);
        self.b.ins().jump(join, &[]);
        self.b.switch_to_block(join);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An empty TLB array (every tag `u64::MAX`).
    fn empty_tlb() -> Vec<u64> {
        let mut v = vec![0u64; TLB_ENTRIES * 4];
        for e in v.chunks_mut(4) {
            e[0] = u64::MAX;
        }
        v
    }

    fn ctx(x: &mut [u64; 32], read: &[u64], write: &[u64], pc: u64) -> JitCtx {
        JitCtx {
            x: x.as_mut_ptr(),
            tlb_read: read.as_ptr() as *const u8,
            tlb_write: write.as_ptr() as *const u8,
            asid_tag: 0,
            pc,
            next_pc: 0,
            executed: 0,
            limit: u64::MAX,
            store_log: std::ptr::null_mut(),
            store_log_len: 0,
            // No chaining in these tests (generation 0), but translated
            // code still reads a slot.
            tlb_exec: EMPTY_EXEC.as_ptr() as *const u8,
            slots: NO_SLOTS.as_ptr() as *const u8,
            slot_mask: 0,
            gen: 0,
            chained: 0,
            f: std::ptr::null_mut(),
            mstatus: Box::leak(Box::new(MSTATUS_FS as u64)),
            fp_state: std::ptr::null_mut(),
            fp_op: None,
            // (leaked, like the reservation below)
            fcsr: Box::leak(Box::new(1u64)),
            cbo_zero: 1,
            // (leaked: a test's context lives as long as the test)
            reservation: Box::leak(Box::new([0u64; 2])).as_mut_ptr(),
            trap_csrs: Box::leak(Box::new([0u64; 4])).as_mut_ptr(),
            // An empty jump cache (never filled: no slot is current).
            jcache: Box::leak(vec![[JC_EMPTY, 0u64]; JC_ENTRIES].into_boxed_slice()).as_mut_ptr()
                as *mut u8,
            tlb_fill: None,
            // An empty virtual jump cache (odd pcs).
            vjcache: Box::leak(vec![[1u64, u64::MAX, 0, 0]; VJC_ENTRIES].into_boxed_slice())
                .as_mut_ptr() as *mut u8,
            vjc_key: 0,
            tlb_read_alt: std::ptr::null(),
            tlb_write_alt: std::ptr::null(),
            irq_pending: 0,
        }
    }

    /// One empty block slot (no address, no code, generation 0).
    static NO_SLOTS: [u64; SLOT_SIZE / 8] = [u64::MAX, 0, 0, 0];

    static EMPTY_EXEC: [u64; TLB_ENTRIES * 4] = {
        let mut v = [0u64; TLB_ENTRIES * 4];
        let mut i = 0;
        while i < TLB_ENTRIES {
            v[4 * i] = u64::MAX;
            i += 1;
        }
        v
    };

    fn insns(words: &[u32]) -> Vec<Insn> {
        words.iter().map(|&w| vireo_isa::decode(w)).collect()
    }

    #[test]
    fn alu_block_and_branch_exit() {
        // addi a0, a0, 5; add a1, a0, a0; beq a1, a1, +16
        let mut jit = Jit::new().unwrap();
        let f = jit
            .translate(
                &insns(&[0x0055_0513, 0x00a5_05b3, 0x00b5_8863]),
                0x8000_0000,
            )
            .unwrap();
        let mut x = [0u64; 32];
        x[10] = 1;
        let (r, w) = (empty_tlb(), empty_tlb());
        let mut c = ctx(&mut x, &r, &w, 0x1000);
        // SAFETY: the context points at live arrays of the right sizes.
        let code = unsafe { jit.enter(&mut c, f) };
        assert_eq!(code, EXIT_DONE);
        assert_eq!((c.next_pc, c.executed), (0x1008 + 16, 3));
        assert_eq!((x[10], x[11]), (6, 12));
        assert!(jit.stats().code_bytes > 0);
    }

    #[test]
    fn background_translator_compiles_on_its_thread_and_drops_results_after_a_reset() {
        let mut jit = Jit::new_background().unwrap();
        assert!(jit.is_background());
        let job = |paddr| Job {
            insns: insns(&[0x0055_0513, 0x00a5_05b3, 0x00b5_8863]),
            at: vec![paddr & 0xfff, (paddr & 0xfff) + 4, (paddr & 0xfff) + 8],
            paddr,
        };
        jit.submit(job(0x8000_0000));
        jit.submit(job(0x8000_1000));
        assert_eq!(jit.in_flight(), 2);
        jit.wait();
        let mut got = [jit.poll().unwrap(), jit.poll().unwrap()];
        assert!(jit.poll().is_none());
        // (Newest first when the second job was queued behind the first.)
        got.sort_by_key(|d| d.paddr);
        let [a, b] = got;
        assert_eq!((a.paddr, b.paddr), (0x8000_0000, 0x8000_1000));
        assert_eq!(jit.in_flight(), 0);
        assert_eq!(jit.stats().blocks, 2);
        // The code runs like the inline translator's.
        let mut x = [0u64; 32];
        x[10] = 1;
        let (r, w) = (empty_tlb(), empty_tlb());
        let mut c = ctx(&mut x, &r, &w, 0x1000);
        // SAFETY: the context points at live arrays of the right sizes.
        let code = unsafe { jit.enter(&mut c, a.code.unwrap()) };
        assert_eq!(code, EXIT_DONE);
        assert_eq!((c.next_pc, c.executed), (0x1008 + 16, 3));
        assert_eq!((x[10], x[11]), (6, 12));
        // A job in flight across a reset never comes out: its code is
        // in the dropped memory.
        jit.submit(job(0x8000_2000));
        // SAFETY: nothing runs or will call the code from before.
        unsafe { jit.reset().unwrap() };
        assert_eq!(jit.in_flight(), 0);
        jit.wait();
        assert!(jit.poll().is_none());
        // Jobs after the reset come out as usual.
        assert!(jit
            .translate(&job(0x8000_3000).insns, 0x8000_3000)
            .is_some());
        assert_eq!(jit.stats().resets, 1);
        // Compiled and dropped on arrival, or dropped from the thread's
        // queue by the reset before it started.
        assert!(jit.stats().discarded <= 1);
    }

    #[test]
    fn tlb_miss_stops_before_the_load_with_earlier_work_committed() {
        // addi a0, zero, 7; ld a1, 0(a2); addi a0, zero, 9
        let mut jit = Jit::new().unwrap();
        let f = jit
            .translate(
                &insns(&[0x0070_0513, 0x0006_3583, 0x0090_0513]),
                0x8000_0000,
            )
            .unwrap();
        let mut x = [0u64; 32];
        x[12] = 0x8000_0000;
        let (r, w) = (empty_tlb(), empty_tlb());
        let mut c = ctx(&mut x, &r, &w, 0x2000);
        // SAFETY: as above.
        let code = unsafe { jit.enter(&mut c, f) };
        assert_eq!(code, EXIT_SLOW);
        assert_eq!((c.next_pc, c.executed), (0x2004, 1));
        assert_eq!(x[10], 7);
        assert_eq!(x[11], 0);
    }

    #[test]
    fn hits_load_and_store_and_flagged_pages_stop() {
        // sd a0, 8(a2); ld a1, 8(a2)
        let mut jit = Jit::new().unwrap();
        let f = jit
            .translate(&insns(&[0x00a6_3423, 0x0086_3583]), 0x8000_0000)
            .unwrap();
        let mut page = vec![0u64; 512];
        let vaddr = 0x4000_0000u64;
        let (mut r, mut w) = (empty_tlb(), empty_tlb());
        let idx = ((vaddr >> 12) as usize & (TLB_ENTRIES - 1)) * 4;
        let addend = (page.as_mut_ptr() as u64).wrapping_sub(vaddr);
        let flag = std::sync::atomic::AtomicU8::new(0);
        for t in [&mut r, &mut w] {
            t[idx] = vaddr >> 12;
            t[idx + 1] = addend;
            t[idx + 2] = 0x8000_1000;
            t[idx + 3] = flag.as_ptr() as u64;
        }
        let mut x = [0u64; 32];
        x[10] = 0xdead_beef;
        x[12] = vaddr;
        let mut c = ctx(&mut x, &r, &w, 0);
        // SAFETY: the TLB entry maps vaddr to `page`, 4 KiB long, and its
        // flag byte is `flag`.
        let code = unsafe { jit.enter(&mut c, f) };
        assert_eq!((code, c.executed), (EXIT_DONE, 2));
        assert_eq!(page[1], 0xdead_beef);
        assert_eq!(x[11], 0xdead_beef);
        // The same store to a page with a flag set must leave.
        let mut x = [0u64; 32];
        x[10] = 1;
        x[12] = vaddr;
        flag.store(1, std::sync::atomic::Ordering::Relaxed);
        let mut c = ctx(&mut x, &r, &w, 0);
        // SAFETY: as above.
        let code = unsafe { jit.enter(&mut c, f) };
        assert_eq!((code, c.executed, c.next_pc), (EXIT_SLOW, 0, 0));
        assert_eq!(page[1], 0xdead_beef);
    }

    #[test]
    fn accesses_off_one_base_check_each_page() {
        // ld a1, 0(a2); ld a3, 8(a2); sd a3, 0(a2); sd a1, 8(a2): the
        // second access of each kind reuses the first one's TLB hit when
        // it lies in the same page, and looks its own page up otherwise.
        let mut jit = Jit::new().unwrap();
        let words = [0x0006_3583, 0x0086_3683, 0x00d6_3023, 0x00b6_3423];
        let f = jit.translate(&insns(&words), 0x8000_0000).unwrap();
        let vaddr = 0x4000_0000u64;
        // Two guest pages in unrelated host buffers.
        let mut pages = [vec![0u64; 512], vec![0u64; 512]];
        for (p, page) in pages.iter_mut().enumerate() {
            for (k, v) in page.iter_mut().enumerate() {
                *v = ((p as u64) << 32) | k as u64;
            }
        }
        let flags = [
            std::sync::atomic::AtomicU8::new(0),
            std::sync::atomic::AtomicU8::new(0),
        ];
        let map = |t: &mut Vec<u64>, p: usize, host: u64| {
            let va = vaddr + 0x1000 * p as u64;
            let idx = ((va >> 12) as usize & (TLB_ENTRIES - 1)) * 4;
            t[idx] = va >> 12;
            t[idx + 1] = host.wrapping_sub(va);
            t[idx + 2] = 0x8000_1000 + 0x1000 * p as u64;
            t[idx + 3] = flags[p].as_ptr() as u64;
        };
        let hosts = [pages[0].as_mut_ptr() as u64, pages[1].as_mut_ptr() as u64];
        let (mut r, mut w) = (empty_tlb(), empty_tlb());
        for (p, &host) in hosts.iter().enumerate() {
            map(&mut r, p, host);
            map(&mut w, p, host);
        }
        let run = |a2: u64, r: &[u64], w: &[u64]| {
            let mut x = [0u64; 32];
            x[12] = a2;
            let mut c = ctx(&mut x, r, w, 0);
            // SAFETY: the TLB entries map the two pages to `pages`, 4 KiB
            // each, with flag bytes `flags`.
            let code = unsafe { jit.enter(&mut c, f) };
            (code, c.executed, x[11], x[13])
        };
        // Both accesses inside the first page: swapped words 4 and 5.
        let out = run(vaddr + 32, &r, &w);
        assert_eq!(out, (EXIT_DONE, 4, 4, 5));
        assert_eq!((pages[0][4], pages[0][5]), (5, 4));
        // Straddling the page end: the last word of the first page and the
        // first word of the second, swapped.
        let out = run(vaddr + 0xff8, &r, &w);
        assert_eq!(out, (EXIT_DONE, 4, 511, 1 << 32));
        assert_eq!((pages[0][511], pages[1][0]), (1 << 32, 511));
        // The second page flagged: the second store leaves, the first one
        // is done.
        flags[1].store(1, std::sync::atomic::Ordering::Relaxed);
        let out = run(vaddr + 0xff8, &r, &w);
        assert_eq!(out, (EXIT_SLOW, 3, 1 << 32, 511));
        assert_eq!((pages[0][511], pages[1][0]), (511, 511));
        flags[1].store(0, std::sync::atomic::Ordering::Relaxed);
        // The second page not mapped: the second load leaves.
        let (mut r1, w1) = (empty_tlb(), empty_tlb());
        map(&mut r1, 0, hosts[0]);
        let out = run(vaddr + 0xff8, &r1, &w1);
        assert_eq!(out, (EXIT_SLOW, 1, 511, 0));

        // sd a1, 0(a2); addi a5, a2, 8; ld a3, 0(a5): a load off a value
        // derived from the store's base, 8 bytes after it, may use the
        // store's hit only inside its page.
        let words = [0x00b6_3023, 0x0086_0793, 0x0007_b683];
        let f = jit.translate(&insns(&words), 0x8000_0000).unwrap();
        let run = |a2: u64| {
            let mut x = [0u64; 32];
            x[11] = 77;
            x[12] = a2;
            let mut c = ctx(&mut x, &r, &w, 0);
            // SAFETY: as above.
            let code = unsafe { jit.enter(&mut c, f) };
            (code, c.executed, x[13])
        };
        pages[0][9] = 99;
        assert_eq!(run(vaddr + 64), (EXIT_DONE, 3, 99));
        assert_eq!(pages[0][8], 77);
        pages[1][0] = 55;
        assert_eq!(run(vaddr + 0xff8), (EXIT_DONE, 3, 55));
        assert_eq!(pages[0][511], 77);
        // addi a5, a2, 4 instead: the load crosses the page end and leaves.
        let words = [0x00b6_3023, 0x0046_0793, 0x0007_b683];
        let f = jit.translate(&insns(&words), 0x8000_0000).unwrap();
        let mut x = [0u64; 32];
        x[12] = vaddr + 0xff8;
        let mut c = ctx(&mut x, &r, &w, 0);
        // SAFETY: as above.
        let code = unsafe { jit.enter(&mut c, f) };
        assert_eq!((code, c.executed, x[13]), (EXIT_SLOW, 2, 0));
    }

    /// A TLB array whose one entry maps the page at `vaddr` to host
    /// memory at `host`, with page-flag byte `flag`.
    fn write_tlb(vaddr: u64, host: u64, flag: &u8) -> Vec<u64> {
        let mut t = empty_tlb();
        let idx = ((vaddr >> 12) as usize & (TLB_ENTRIES - 1)) * 4;
        t[idx] = vaddr >> 12;
        t[idx + 1] = host.wrapping_sub(vaddr);
        t[idx + 2] = 0x8000_1000;
        t[idx + 3] = flag as *const u8 as u64;
        t
    }

    #[test]
    fn cbo_zero_clears_its_block_only_where_allowed() {
        // cbo.zero (a2) with a2 inside the second 64-byte block.
        let mut jit = Jit::new().unwrap();
        let f = jit.translate(&insns(&[0x0046_200f]), 0x8000_0000).unwrap();
        let mut page = vec![u64::MAX; 512];
        let vaddr = 0x4000_0000u64;
        let flag = 0u8;
        let (r, w) = (
            empty_tlb(),
            write_tlb(vaddr, page.as_mut_ptr() as u64, &flag),
        );
        let mut x = [0u64; 32];
        x[12] = vaddr + 64 + 13;
        // Not allowed at this privilege: leave before it, memory untouched.
        let mut c = ctx(&mut x, &r, &w, 0);
        c.cbo_zero = 0;
        // SAFETY: the write-TLB entry maps vaddr to `page`, 4 KiB long,
        // and its flag byte is `flag`.
        let code = unsafe { jit.enter(&mut c, f) };
        assert_eq!((code, c.executed), (EXIT_SLOW, 0));
        assert!(page.iter().all(|&v| v == u64::MAX));
        let mut c = ctx(&mut x, &r, &w, 0);
        // SAFETY: as above.
        let code = unsafe { jit.enter(&mut c, f) };
        assert_eq!((code, c.executed), (EXIT_DONE, 1));
        for (k, &v) in page.iter().enumerate() {
            assert_eq!(
                v,
                if (8..16).contains(&k) { 0 } else { u64::MAX },
                "word {k}"
            );
        }
    }

    #[test]
    fn amos_leave_when_misaligned_and_return_the_old_value() {
        // amoadd.w a0, a1, (a2)
        let mut jit = Jit::new().unwrap();
        let f = jit.translate(&insns(&[0x00b6_252f]), 0x8000_0000).unwrap();
        let mut page = vec![0u32; 1024];
        page[2] = 0xffff_fff0;
        let vaddr = 0x4000_0000u64;
        let flag = 0u8;
        let (r, w) = (
            empty_tlb(),
            write_tlb(vaddr, page.as_mut_ptr() as u64, &flag),
        );
        let mut x = [0u64; 32];
        x[11] = 0x20;
        x[12] = vaddr + 8 + 2;
        let mut c = ctx(&mut x, &r, &w, 0);
        // SAFETY: the write-TLB entry maps vaddr to `page`, 4 KiB long,
        // and its flag byte is `flag`.
        let code = unsafe { jit.enter(&mut c, f) };
        assert_eq!((code, c.executed), (EXIT_SLOW, 0));
        assert_eq!((page[2], x[10]), (0xffff_fff0, 0));
        x[12] = vaddr + 8;
        let mut c = ctx(&mut x, &r, &w, 0);
        // SAFETY: as above.
        let code = unsafe { jit.enter(&mut c, f) };
        assert_eq!((code, c.executed), (EXIT_DONE, 1));
        assert_eq!((page[2], x[10]), (0x10, 0xffff_ffff_ffff_fff0));
    }

    #[test]
    fn accesses_crossing_the_page_end_stop() {
        // ld a1, -4(a2) then lw a1, -4(a2), with a2 at the next page's
        // start: the doubleword crosses into it, the word does not.
        let mut jit = Jit::new().unwrap();
        let ld = jit.translate(&insns(&[0xffc6_3583]), 0x8000_0000).unwrap();
        let lw = jit.translate(&insns(&[0xffc6_2583]), 0x8000_0000).unwrap();
        let mut page = vec![0u32; 1024];
        page[1023] = 0x1234_5678;
        let vaddr = 0x4000_0000u64;
        let (mut r, w) = (empty_tlb(), empty_tlb());
        let idx = ((vaddr >> 12) as usize & (TLB_ENTRIES - 1)) * 4;
        r[idx] = vaddr >> 12;
        r[idx + 1] = (page.as_mut_ptr() as u64).wrapping_sub(vaddr);
        for (code, exit, value) in [(ld, EXIT_SLOW, 0), (lw, EXIT_DONE, 0x1234_5678)] {
            let mut x = [0u64; 32];
            x[12] = vaddr + 0x1000;
            let mut c = ctx(&mut x, &r, &w, 0);
            // SAFETY: the TLB entry maps vaddr to `page`, 4 KiB long.
            assert_eq!(unsafe { jit.enter(&mut c, code) }, exit);
            assert_eq!(x[11], value);
        }
    }

    #[test]
    fn same_page_direct_targets_chain_without_the_fetch_tlb() {
        // Region A at 0x80000ff0: addi a0, a0, 1; jal zero, +4 (to
        // 0x80000ff8, same page); region `far`, at the same place: addi;
        // jal zero, +0x24 (to 0x80001018, the next page). Region B at
        // 0x80000ff8: addi a0, a0, 16; jalr zero, 0(ra). The fetch TLB is
        // empty: only the same-page chain can work.
        let mut jit = Jit::new().unwrap();
        let (a_at, b_at) = (0x8000_0ff0u64, 0x8000_0ff8u64);
        let a = jit.translate(&insns(&[0x0015_0513, 0x0040_006f]), a_at);
        let far = jit.translate(&insns(&[0x0015_0513, 0x0240_006f]), a_at);
        let b = jit.translate(&insns(&[0x0105_0513, 0x0000_8067]), b_at);
        let (a, far, b) = (a.unwrap(), far.unwrap(), b.unwrap());
        let mask = 1023u64;
        let mut slots = vec![[u64::MAX, 0, 0, 0]; mask as usize + 1];
        slots[(slot_index(b_at) & mask) as usize] = [b_at, b.0.as_ptr() as u64, 7, 0];
        let (r, w) = (empty_tlb(), empty_tlb());
        for (code, gen, chained, a0, next) in [
            (a, 7, 1, 17, 0x1234),       // chained into B, which returned
            (a, 8, 0, 1, b_at),          // B's slot is stale
            (a, 0, 0, 1, b_at),          // chaining off
            (far, 7, 0, 1, 0x8000_1018), // target in the next page
        ] {
            let mut x = [0u64; 32];
            x[1] = 0x1234;
            let mut c = ctx(&mut x, &r, &w, a_at);
            c.slots = slots.as_ptr() as *const u8;
            c.slot_mask = mask;
            c.gen = gen;
            // SAFETY: the context points at live arrays of the right
            // sizes; the slot holds code of this Jit.
            assert_eq!(unsafe { jit.enter(&mut c, code) }, EXIT_DONE);
            let got = (c.chained, x[10], c.next_pc);
            assert_eq!(got, (chained, a0, next), "generation {gen}");
        }
    }

    #[test]
    fn jalr_targets_chain_through_the_virtual_jump_cache() {
        // Region A: jalr zero, 0(ra), to T = 0x4000_2010 in another page.
        // Region B (at T's physical address): addi a0, a0, 16; jalr zero,
        // 0(t0).
        let mut jit = Jit::new().unwrap();
        let (a_at, t, t_pa) = (0x8000_0ff0u64, 0x4000_2010u64, 0x8000_5010u64);
        let a = jit.translate(&insns(&[0x0000_8067]), a_at).unwrap();
        let b = jit
            .translate(&insns(&[0x0105_0513, 0x0002_8067]), t_pa)
            .unwrap();
        let b_code = b.0.as_ptr() as u64;
        let mask = 1023u64;
        let (r, w) = (empty_tlb(), empty_tlb());
        let run = |vj: &mut Vec<[u64; 4]>, key: u64, exec: &[u64], slots: &[[u64; 4]]| {
            let mut x = [0u64; 32];
            x[1] = t;
            x[5] = 0x1234;
            let mut c = ctx(&mut x, &r, &w, a_at);
            c.slots = slots.as_ptr() as *const u8;
            c.slot_mask = mask;
            c.gen = 7;
            c.tlb_exec = exec.as_ptr() as *const u8;
            c.vjcache = vj.as_mut_ptr() as *mut u8;
            c.vjc_key = key;
            // SAFETY: the context points at live arrays of the right
            // sizes; the slots and cache entries hold code of this Jit.
            assert_eq!(unsafe { jit.enter(&mut c, a) }, EXIT_DONE);
            (c.chained, x[10], c.next_pc)
        };
        let empty_vj = || vec![[1u64, u64::MAX, 0, 0]; VJC_ENTRIES];
        let no_slots = vec![[u64::MAX, 0, 0, 0]; mask as usize + 1];
        // T in the virtual cache: chained without fetch TLB or slots.
        let mut vj = empty_vj();
        vj[vjc_index(t)] = [t, 5, b_code, 0];
        assert_eq!(run(&mut vj, 5, &empty_tlb(), &no_slots), (1, 16, 0x1234));
        // Another key (privilege, mapping or code changed): not used.
        assert_eq!(run(&mut vj, 6, &empty_tlb(), &no_slots), (0, 0, t));
        // Found through the fetch TLB and the slots: the entry is filled.
        let mut exec = empty_tlb();
        let e = ((t >> 12) as usize & (TLB_ENTRIES - 1)) * 4;
        exec[e] = t >> 12;
        exec[e + 2] = t_pa & !0xfff;
        let mut slots = no_slots.clone();
        slots[(slot_index(t_pa) & mask) as usize] = [t_pa, b_code, 7, 0];
        let mut vj = empty_vj();
        assert_eq!(run(&mut vj, 9, &exec, &slots), (1, 16, 0x1234));
        assert_eq!(vj[vjc_index(t)], [t, 9, b_code, 0]);
        // Chaining off (key u64::MAX, generation 0 in the caller): an
        // entry filled with another key is never used.
        assert_eq!(run(&mut vj, u64::MAX, &empty_tlb(), &no_slots), (0, 0, t));
    }

    #[test]
    fn unsupported_first_instruction_is_not_translated() {
        let mut jit = Jit::new().unwrap();
        // csrrs a0, mstatus, zero
        assert!(jit.translate(&insns(&[0x3000_2573]), 0x8000_0000).is_none());
        assert!(jit.translate(&[], 0x8000_0000).is_none());
    }
}
