//! A RISC-V RV64GC hart: architectural state, CSRs, traps and interrupts,
//! the MMU (Sv39/48/57, TLB, PMP) and the interpreter.
//!
//! The hart executes guest code in basic blocks: a block is a run of
//! decoded instructions from one physical page that ends at the first
//! control-transfer or system instruction. Blocks are decoded once and kept
//! in a cache keyed by physical address; the cache is dropped when the
//! guest executes `fence.i` or when any store hits a page that blocks were
//! decoded from (see `vireo_memory::GuestRam::note_store`). Interrupts are
//! taken between blocks.
//!
//! The hart never blocks by itself: [`Hart::run`] returns an [`Exit`] and
//! the caller (the machine) decides what to do — sleep on `wfi`, service an
//! SBI call, stop.

pub mod csr;
mod exec;
pub mod fpu;
pub mod mmu;
pub mod state;
pub mod trap;

use csr::{mstatus, Csrs};
use mmu::{Mmu, TLB_ENTRIES};
use std::sync::Arc;
use trap::{cause, Access, Priv, Trap};
use vireo_isa::{Insn, Op};
use vireo_jit::baseline::{Baseline, NoCode};
use vireo_memory::{
    Bus, Clock, GuestRam, HartSignals, MIP_MTIP, MIP_STIP, REQ_FLUSH_TLB, REQ_SSIP,
};

pub use trap::Priv as Privilege;

/// Why [`Hart::run`] returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// The instruction budget is used up.
    Budget,
    /// The hart executed `wfi` and no interrupt is pending: the caller
    /// should call [`Hart::wait_for_interrupt`].
    Wfi,
    /// S-mode executed `ecall` and the SBI is implemented by the host
    /// (`HartConfig::host_sbi`): the caller services it through
    /// [`Hart::x`] and then calls [`Hart::finish_sbi_call`].
    SbiCall,
    /// Someone called `HartSignals::request_exit`.
    ExitRequested,
    /// Engine `Check`: translated code and the interpreter disagreed;
    /// [`Hart::divergence`] says how. The hart's state is the
    /// interpreter's.
    Diverged,
}

/// How a hart executes guest code.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    /// Interpret every instruction (the reference engine).
    Interp,
    /// Interpret, and translate blocks that ran [`JIT_THRESHOLD`] times to
    /// host code with `vireo-jit`; translated blocks run instead. The
    /// default.
    #[default]
    Jit,
    /// The JIT's translations checked in lockstep: every translated region
    /// runs, its effects are recorded and undone, the interpreter runs
    /// the same instructions, and the first difference (registers, pc,
    /// memory written) stops the hart with both states (slow: a tool for
    /// finding translator bugs).
    Check,
}

impl Engine {
    /// The translator this engine uses, if any; `background`: compiling
    /// on a thread of its own (engine `Jit` only).
    fn translator(self, background: bool) -> Option<Box<vireo_jit::Jit>> {
        match self {
            Engine::Jit if background => vireo_jit::Jit::new_background().ok().map(Box::new),
            Engine::Jit => vireo_jit::Jit::new().ok().map(Box::new),
            Engine::Check => vireo_jit::Jit::new_checking().ok().map(Box::new),
            Engine::Interp => None,
        }
    }
}

impl Engine {
    /// The baseline translator this engine uses, if any (`threshold` 0:
    /// none).
    fn baseline(self, threshold: u32) -> Option<Box<Baseline>> {
        if threshold == 0 {
            return None;
        }
        match self {
            Engine::Jit => Baseline::new(false).ok().map(Box::new),
            Engine::Check => Baseline::new(true).ok().map(Box::new),
            Engine::Interp => None,
        }
    }
}

impl std::str::FromStr for Engine {
    type Err = String;
    fn from_str(s: &str) -> Result<Engine, String> {
        match s {
            "interp" => Ok(Engine::Interp),
            "jit" => Ok(Engine::Jit),
            "check" => Ok(Engine::Check),
            _ => Err(format!(
                "unknown engine `{s}` (expected interp, jit or check)"
            )),
        }
    }
}

impl std::fmt::Display for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Engine::Interp => "interp",
            Engine::Jit => "jit",
            Engine::Check => "check",
        })
    }
}

/// Interpreted runs of a decoded block, within one window of
/// 2^`HEAT_WINDOW_SHIFT` instructions, after which the JIT engine
/// translates it. A translation costs about as much as interpreting some
/// 100 000 instructions (about 500 microseconds in Cranelift), so a block
/// must run thousands of times to pay it back: on a Linux boot, 2048
/// boots in 3.2 s against 3.35 s for 1024 and 512 (2 boots each,
/// 2026-12-06, with the window; before it, 4096 and 8192 gained nothing
/// over 2048 either).
pub const JIT_THRESHOLD: u32 = 2048;
/// Interpreted runs of a decoded block after which it gets baseline code
/// (see [`HartConfig::jit_baseline`]).
pub const BASELINE_THRESHOLD: u32 = 16;
/// Entries after which a baseline block asks for a Cranelift region (see
/// [`HartConfig::jit_hot`]): baseline code runs lukewarm code well enough
/// that Cranelift is only worth its compile time on code much hotter
/// than the interpreter needs. Debian boot, 5 interleaved pairs
/// (2026-12-07): 30 000 entries instead of 2048 took 0.65 of the CPU time
/// (a third of the Cranelift compiles) in the same wall time; bzip2 0.99,
/// lua 0.90 of the time (3 pairs each).
pub const JIT_HOT: u32 = 32768;
/// Most instructions in one translated region.
const MAX_REGION_INSNS: usize = vireo_jit::MAX_REGION_LEN as usize;
/// Code memory (mapped, page-granular) held before the JIT drops all of it
/// at the next translation (together with the block cache).
const JIT_CODE_LIMIT: u64 = 64 << 20;

// The JIT addresses TLB entries and arrays by these numbers.
const _: () = {
    assert!(vireo_jit::TLB_ENTRIES == TLB_ENTRIES);
    assert!(std::mem::size_of::<mmu::TlbEntry>() == vireo_jit::TLB_ENTRY_SIZE);
    assert!(std::mem::offset_of!(mmu::TlbEntry, tag) == vireo_jit::TLB_TAG);
    assert!(std::mem::offset_of!(mmu::TlbEntry, addend) == vireo_jit::TLB_ADDEND);
    assert!(std::mem::offset_of!(mmu::TlbEntry, ppage) == vireo_jit::TLB_PPAGE);
    assert!(std::mem::offset_of!(mmu::TlbEntry, flag) == vireo_jit::TLB_FLAG);
};

/// Static configuration of a hart.
#[derive(Clone, Debug)]
pub struct HartConfig {
    /// `ecall` from S-mode exits to the host (vireo is the firmware)
    /// instead of trapping to M-mode.
    pub host_sbi: bool,
    /// Print every executed instruction to stderr.
    pub trace: bool,
    /// The execution engine.
    pub engine: Engine,
    /// Runs after which the JIT engine translates a block (default
    /// [`JIT_THRESHOLD`], at most 65535; tests lower it to exercise
    /// translated code on short programs).
    pub jit_threshold: u32,
    /// Engine `Jit`: compile on a thread of the hart's own while the hart
    /// goes on interpreting (the default), instead of stopping the guest
    /// for each translation. Tests turn it off to know when code becomes
    /// translated.
    pub jit_background: bool,
    /// Interpreted runs after which the JIT engine gives a block baseline
    /// code (`vireo_jit::baseline`, x86-64 hosts); 0 turns the baseline
    /// tier off (blocks go from the interpreter straight to Cranelift).
    pub jit_baseline: u32,
    /// Entries of a baseline block after which it asks for a Cranelift
    /// region (default [`JIT_HOT`], at most 65535).
    pub jit_hot: u32,
}

impl Default for HartConfig {
    fn default() -> HartConfig {
        HartConfig {
            host_sbi: false,
            trace: false,
            engine: Engine::default(),
            jit_threshold: JIT_THRESHOLD,
            jit_background: true,
            jit_baseline: BASELINE_THRESHOLD,
            jit_hot: JIT_HOT,
        }
    }
}

const MAX_BLOCK_INSNS: usize = 64;
/// Slots of the block cache (direct-mapped by physical address) and
/// decoded instructions it holds before a flush. A slot conflict or a
/// flush also drops a block's baseline code (it is built again after 16
/// more runs), so both are sized for a Linux boot's 60 K blocks: 256 Ki
/// slots (8 MiB, zeroed lazily) and 2 Mi instructions (48 MiB, touched as
/// used) took a boot from 229 K decodes and 5 flushes to 90 K and none,
/// and 0.85 of the time (6 interleaved pairs; bzip2 0.99, 5 pairs).
const BLOCK_SLOTS: usize = 1 << 18;
const BLOCK_ARENA: usize = 1 << 21;
/// A block is translated when it runs `--jit-threshold` times in the
/// interpreter within one window of 2^HEAT_WINDOW_SHIFT retired
/// instructions (counts start over in each window): code that is merely
/// lukewarm over a long run (a boot) is not worth its translation time.
const HEAT_WINDOW_SHIFT: u32 = 22;
/// A block is also translated once it has run `LIFETIME_FACTOR` times the
/// threshold in the interpreter in all (at most 65535 runs): code that
/// runs steadily but never densely enough for one window (a large loop
/// body of many blocks) still pays back its translation over a long run.
/// 8 (16 Ki runs by default): lame's run 0.94 of the time, boot unchanged
/// (A/B, 5-6 interleaved pairs each, 2026-12-06).
const LIFETIME_FACTOR: u32 = 8;
/// Instructions between re-reads of the clock for timer interrupts (and
/// the most translated code runs in one call): about 10 µs of guest time
/// at the JIT's speed, far below a Linux tick. 8192 instead of 2048:
/// boot 0.91 of the time (14 interleaved pairs, 2026-12-07) — fewer
/// returns to the dispatcher and clock reads.
const TIMER_POLL_INTERVAL: i64 = 8192;

/// A block-cache slot. `#[repr(C)]`: translated code reads `paddr`,
/// `code` and `gen` to chain to the next region (see `vireo_jit`).
#[derive(Clone, Copy)]
#[repr(C)]
struct BlockSlot {
    paddr: u64,
    /// The block's translation. Only called while the slot is current
    /// (`gen` matches): a flush makes it stale, and code memory is freed
    /// only together with a flush.
    code: Option<vireo_jit::Code>,
    gen: u32,
    start: u32,
    /// Instructions (at most `MAX_BLOCK_INSNS`).
    len: u16,
    /// Without code: runs of the block in the interpreter (JIT engine;
    /// saturates at the threshold) within the instruction window `window`
    /// (see `HEAT_WINDOW_SHIFT`). Baseline code counts its entries in a
    /// counter of its own (see `vireo_jit::baseline`).
    heat: u16,
    window: u16,
    /// Runs of the block in the interpreter since it was decoded
    /// (saturating; see `LIFETIME_FACTOR`).
    total: u16,
}

const _: () = {
    assert!(std::mem::size_of::<BlockSlot>() == vireo_jit::SLOT_SIZE);
    assert!(std::mem::offset_of!(BlockSlot, paddr) == vireo_jit::SLOT_PADDR);
    assert!(std::mem::offset_of!(BlockSlot, code) == vireo_jit::SLOT_CODE);
    assert!(std::mem::offset_of!(BlockSlot, gen) == vireo_jit::SLOT_GEN);
};

/// [`vireo_jit::JitCtx::fp_op`] of the hart: one F/D arithmetic instruction
/// (or, for baseline code, one integer instruction of its helper set, a
/// CSR instruction, `sfence.vma` or `fence.i`) by the interpreter's code.
///
/// # Safety
///
/// `hart` is the `fp_state` that `run_block_jit` put in the context: the
/// running hart, not otherwise accessed while translated code runs;
/// `insn` points at a live decoded instruction.
unsafe extern "C" fn jit_fp_op(hart: *mut u8, insn: *const Insn) -> u64 {
    // SAFETY: see above; the hart outlives the call, and translated code
    // passes an instruction its translator keeps alive with the code.
    let (h, insn) = unsafe { (&mut *(hart as *mut Hart), &*insn) };
    let r = if vireo_isa::is_fp_arith(insn.op) {
        h.exec_fp(insn)
    } else if vireo_jit::baseline::is_baseline_csr(insn) {
        return h.jit_csr(insn) as u64;
    } else {
        // An integer operation of the baseline tier's helper set (no
        // memory access, no control transfer, no trap, no use of the pc),
        // or `sfence.vma` / `fence.i` (`is_baseline_system`): a trap
        // (`sfence.vma` from U-mode, or with TVM) is raised before any
        // effect, so the refusal leaves nothing done.
        h.execute(insn, 0).map(|_| ())
    };
    match r {
        Ok(()) => 0,
        Err(_) => 1,
    }
}

impl Hart {
    /// A CSR instruction of baseline code (`is_baseline_csr`), through
    /// `fp_op`: runs it and returns false when it changes nothing but the
    /// CSR and rd — translated code then goes on with the same mapping,
    /// TLBs, privilege and counters — otherwise returns true without any
    /// effect, and the interpreter runs it next (and takes any trap). Of
    /// `sstatus` writes, those changing only SIE, SPIE, SPP and FS run
    /// here (setting SIE only while no interrupt is due; baseline code
    /// checks FS at each F/D instruction).
    fn jit_csr(&mut self, i: &Insn) -> bool {
        let csr = (i.imm as u64 & 0xfff) as u16;
        let (src, write_always) = self.csr_source(i);
        if csr == csr::addr::SSTATUS && (write_always || i.rs1 != 0) {
            let Ok(old) = self.csr_read(csr, i.raw) else {
                return true;
            };
            let new = exec::csr_written(i.op, old, src);
            let changed = (old ^ new) & mstatus::S_WRITABLE;
            let free = mstatus::SIE | mstatus::SPIE | mstatus::SPP | mstatus::FS;
            if changed & !free != 0 {
                return true;
            }
            if new & !old & mstatus::SIE != 0 {
                // Enabling interrupts: only while none is due. Otherwise
                // the interpreter runs it and the run loop takes the
                // interrupt right after; run here, a loop that enables
                // and masks interrupts in translated code (Linux's idle
                // loop around `wfi`) could keep it pending forever, as
                // the loop only looks at a poll, which may fall where
                // interrupts are masked again.
                let saved = (self.csr.mstatus, self.x[(i.rd & 31) as usize]);
                if self.exec_csr(i).is_err() {
                    return true;
                }
                if self.pending_interrupt().is_some() {
                    (self.csr.mstatus, self.x[(i.rd & 31) as usize]) = saved;
                    return true;
                }
                return false;
            }
        }
        self.exec_csr(i).is_err()
    }
}

/// [`vireo_jit::JitCtx::tlb_fill`]: the slow path's page walk for an
/// access translated code missed in the data TLB (`arg`: size in the low
/// byte, 1 << 8 for a store). 0 when the data TLB entry now hits for the
/// whole access; otherwise 1, and the access's fault (or MMIO, or its
/// crossing of the page end) is the interpreter's, which runs it next.
///
/// # Safety
///
/// As [`jit_fp_op`]: `hart` is the running hart of `run_block_jit`.
unsafe extern "C" fn jit_tlb_fill(hart: *mut u8, vaddr: u64, arg: u64) -> u64 {
    // SAFETY: see above; the hart outlives the call.
    let h = unsafe { &mut *(hart as *mut Hart) };
    let (size, write) = (arg & 0xff, arg >> 8 != 0);
    if (vaddr & 0xfff) + size > 0x1000 {
        return 1;
    }
    // A region may have flipped `sstatus.SUM` in S-mode, switching its
    // context to the other S-mode data TLB in step (see
    // `vireo_jit::JitCtx::tlb_read_alt`): follow it.
    h.update_data_mode();
    if matches!((h.jit_data_idx, h.data_idx), (1, 3) | (3, 1)) && h.prv == Priv::S {
        h.jit_data_idx = h.data_idx;
    }
    if h.data_idx != h.jit_data_idx {
        return 1;
    }
    let access = if write { Access::Store } else { Access::Load };
    // A fault is dropped here: the interpreter runs the access again and
    // raises it (a walk that fails changes nothing).
    if h.translate(vaddr, access).is_err() {
        return 1;
    }
    let idx = ((vaddr >> 12) as usize) & (TLB_ENTRIES - 1);
    let t = &h.mmu.tlbs[h.data_idx];
    let e = if write { &t.write[idx] } else { &t.read[idx] };
    (e.tag != h.mmu.tag(vaddr)) as u64
}

/// Decode the instruction at byte `off` of the 4 KiB guest page at host
/// address `page`; `None` when it does not fit in the page (it straddles
/// the page end, or `off` is past it).
///
/// # Safety
///
/// `page..page + 4096` is readable (a guest RAM page).
#[inline]
unsafe fn decode_at(page: *const u8, off: u64) -> Option<Insn> {
    if off + 2 > 0x1000 {
        return None;
    }
    // SAFETY: the caller's page, and off + 2 <= 4096.
    let lo = unsafe { (page.add(off as usize) as *const u16).read_unaligned() };
    let raw = if lo & 3 == 3 {
        if off + 4 > 0x1000 {
            return None;
        }
        // SAFETY: as above, off + 4 <= 4096.
        unsafe { (page.add(off as usize) as *const u32).read_unaligned() }
    } else {
        lo as u32
    };
    Some(vireo_isa::decode(raw))
}

/// The state translated code may change (engine `Check` saves and compares
/// it).
struct CheckPoint {
    x: [u64; 32],
    f: [u64; 32],
    fcsr: u64,
    /// sscratch, sepc, scause, stval.
    trap_csrs: [u64; 4],
    mstatus: u64,
    pc: u64,
    reservation: [u64; 2],
}

impl CheckPoint {
    fn of(h: &Hart) -> CheckPoint {
        CheckPoint {
            x: h.x,
            f: h.f,
            fcsr: h.csr.fcsr,
            trap_csrs: [h.csr.sscratch, h.csr.sepc, h.csr.scause, h.csr.stval],
            mstatus: h.csr.mstatus,
            pc: h.pc,
            reservation: h.reservation,
        }
    }

    fn restore(&self, h: &mut Hart) {
        h.x = self.x;
        h.f = self.f;
        h.csr.fcsr = self.fcsr;
        [h.csr.sscratch, h.csr.sepc, h.csr.scause, h.csr.stval] = self.trap_csrs;
        h.csr.mstatus = self.mstatus;
        h.pc = self.pc;
        h.reservation = self.reservation;
    }
}

/// All zero bytes, so that the slot table can start as zeroed memory that
/// the host maps lazily (see `zeroed_slots`): generation 0 is never
/// current, and no code means nothing to chain to.
const EMPTY_SLOT: BlockSlot = BlockSlot {
    paddr: 0,
    gen: 0,
    start: 0,
    len: 0,
    heat: 0,
    window: 0,
    total: 0,
    code: None,
};

/// A jump-cache entry (see `vireo_jit::JC_ENTRIES`): `code` is valid
/// while `paddr` is not `JC_EMPTY`.
#[derive(Clone, Copy)]
#[repr(C)]
struct JcEntry {
    paddr: u64,
    code: Option<vireo_jit::Code>,
}

const EMPTY_JC: JcEntry = JcEntry {
    paddr: vireo_jit::JC_EMPTY,
    code: None,
};

/// A virtual jump-cache entry (see `vireo_jit::JitCtx::vjcache`),
/// written only by translated code: `{ pc, key, code, unused }`.
type VjcEntry = [u64; 4];

/// An entry no lookup matches (odd pc).
const EMPTY_VJC: VjcEntry = [1, u64::MAX, 0, 0];

const _: () = assert!(std::mem::size_of::<VjcEntry>() == vireo_jit::VJC_ENTRY_SIZE);

const _: () = {
    assert!(std::mem::size_of::<JcEntry>() == vireo_jit::JC_ENTRY_SIZE);
    assert!(std::mem::offset_of!(JcEntry, paddr) == vireo_jit::JC_PADDR);
    assert!(std::mem::offset_of!(JcEntry, code) == vireo_jit::JC_CODE);
    // A page's entries are found through its slots (`drop_page`).
    assert!(vireo_jit::JC_ENTRIES <= BLOCK_SLOTS);
};

/// `n` values of `T` in zeroed heap memory from the global allocator
/// (large tables: built in place, never on a stack, and mapped by the host
/// only as they are touched). Aborts like `Vec` when memory runs out.
///
/// # Safety
///
/// All-zero bytes must be a valid `T`, and `n * size_of::<T>()` non-zero;
/// the caller owns the memory (as a `Vec` of capacity `n`, or a `Box`
/// when `n` is 1).
pub(crate) unsafe fn alloc_zeroed<T>(n: usize) -> *mut T {
    let layout = std::alloc::Layout::array::<T>(n).expect("table size fits in memory");
    // SAFETY: non-zero size by the caller's contract.
    let p = unsafe { std::alloc::alloc_zeroed(layout) } as *mut T;
    if p.is_null() {
        std::alloc::handle_alloc_error(layout);
    }
    p
}

/// Alignment of the block-slot table: a transparent huge page.
const SLOT_TABLE_ALIGN: usize = 2 << 20;

/// The block cache's slots: `BLOCK_SLOTS` of them in zeroed memory (the
/// table is 8 MiB, and a hart that runs little code, an idle clone,
/// should not pay for all of it: the memory is mapped, not written).
///
/// The mapping is 2 MiB-aligned and advised for transparent huge pages:
/// slot lookups land anywhere in it, and in 4 KiB pages each first store
/// into a page that lookups had mapped (to the shared zero page) cost a
/// fault and a TLB-shootdown interrupt to the CPU of the JIT's compiler
/// thread (2048 of them, 1.2 % of a Debian boot's vCPU time), besides
/// host TLB misses on lookups.
///
/// Invariant: `ptr` is a private anonymous mapping of
/// `len * size_of::<BlockSlot>()` bytes, owned by this value.
struct SlotTable {
    ptr: std::ptr::NonNull<BlockSlot>,
    len: usize,
}

// SAFETY: the table owns its mapping (like a `Box<[BlockSlot]>`), and
// `BlockSlot` is plain data.
unsafe impl Send for SlotTable {}

impl SlotTable {
    fn new(len: usize) -> SlotTable {
        let bytes = len * std::mem::size_of::<BlockSlot>();
        assert!(bytes > 0 && bytes.is_multiple_of(SLOT_TABLE_ALIGN));
        // Map one alignment unit more, then trim to an aligned span.
        let span = bytes + SLOT_TABLE_ALIGN;
        // SAFETY: a new private anonymous mapping; no existing memory is
        // affected.
        let raw = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                span,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if raw == libc::MAP_FAILED {
            let layout = std::alloc::Layout::from_size_align(bytes, SLOT_TABLE_ALIGN)
                .expect("the slot table's size fits in memory");
            std::alloc::handle_alloc_error(layout);
        }
        let head = (SLOT_TABLE_ALIGN - raw as usize % SLOT_TABLE_ALIGN) % SLOT_TABLE_ALIGN;
        let start = raw as usize + head;
        // SAFETY: [raw, raw + head) and [start + bytes, raw + span) are
        // the parts of the mapping just made outside the aligned span,
        // which nothing uses; then the span's backing is only advised
        // (without THP support the advice fails and ordinary pages stay).
        unsafe {
            if head > 0 {
                libc::munmap(raw, head);
            }
            if span - head - bytes > 0 {
                libc::munmap((start + bytes) as *mut libc::c_void, span - head - bytes);
            }
            libc::madvise(start as *mut libc::c_void, bytes, libc::MADV_HUGEPAGE);
        }
        let ptr = std::ptr::NonNull::new(start as *mut BlockSlot).expect("mmap is not null");
        SlotTable { ptr, len }
    }
}

impl std::ops::Deref for SlotTable {
    type Target = [BlockSlot];
    fn deref(&self) -> &[BlockSlot] {
        // SAFETY: the invariant; all-zero bytes are a valid BlockSlot
        // (integers, and `None` for the nullable code pointer), so the
        // zeroed mapping holds `len` initialized slots.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }
}

impl std::ops::DerefMut for SlotTable {
    fn deref_mut(&mut self) -> &mut [BlockSlot] {
        // SAFETY: as in `deref`; `&mut self` makes the borrow unique.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }
}

impl Drop for SlotTable {
    fn drop(&mut self) {
        // SAFETY: the invariant: this value's own mapping, unmapped once.
        unsafe {
            libc::munmap(
                self.ptr.as_ptr() as *mut libc::c_void,
                self.len * std::mem::size_of::<BlockSlot>(),
            )
        };
    }
}

/// The guest bytes a region was translated from: the span of its runs in
/// its page.
struct Source {
    /// Page offset of `bytes` (the region's runs may start before its
    /// entry).
    from: u16,
    bytes: Box<[u8]>,
}

impl Source {
    /// Whether the page at host address `host_page` (4 KiB of RAM) still
    /// holds these bytes.
    fn still_in(&self, host_page: *const u8) -> bool {
        let from = self.from as usize;
        if from + self.bytes.len() > 0x1000 {
            return false;
        }
        // SAFETY: host_page is the host address of a 4 KiB RAM page; the
        // range is checked to lie inside it.
        let now = unsafe { std::slice::from_raw_parts(host_page.add(from), self.bytes.len()) };
        *now == *self.bytes
    }
}

/// A translated region kept across decode-cache flushes: its code and the
/// guest bytes it was translated from. A block decoded at the same physical
/// address reuses the code only when the bytes in memory are still these.
struct Translation {
    code: vireo_jit::Code,
    source: Source,
}

/// Hasher for physical addresses (keys of the translation map): one
/// multiply, high and low halves mixed so every bucket bit depends on the
/// page and offset bits.
#[derive(Default)]
struct PaddrHasher(u64);

impl std::hash::Hasher for PaddrHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(self.0 ^ b as u64);
        }
    }
    fn write_u64(&mut self, v: u64) {
        let h = (self.0 ^ v).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        self.0 = h ^ (h >> 29);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

type TranslationMap =
    std::collections::HashMap<u64, Translation, std::hash::BuildHasherDefault<PaddrHasher>>;
type PendingMap =
    std::collections::HashMap<u64, Source, std::hash::BuildHasherDefault<PaddrHasher>>;

/// Decoded basic blocks, keyed by physical address.
struct BlockCache {
    slots: SlotTable,
    /// The jump cache translated code chains through before the slots
    /// (see `vireo_jit::JC_ENTRIES`), filled by translated code from
    /// current slots. Every entry was filled from a current slot whose
    /// index is listed in `page_slots` under the entry's page, and
    /// `slot index & (JC_ENTRIES - 1)` is the entry's index: so emptying
    /// it with the slots (a flush) and per page (`drop_page`) keeps every
    /// entry's code valid.
    jcache: Box<[JcEntry]>,
    /// The virtual jump cache (see `vireo_jit::JitCtx::vjcache`) and the
    /// count of events that invalidate it on the block side (code
    /// dropped, flushed or replaced); the key also counts the MMU's
    /// fetch-mapping changes (`Mmu::fetch_epoch`).
    vjcache: Box<[VjcEntry]>,
    vjc_epoch: u64,
    insns: Vec<Insn>,
    gen: u32,
    /// The RAM code epoch the cache content is valid for.
    epoch: u64,
    /// Statistics.
    decoded: u64,
    flushes: u64,
    /// Blocks run by translated code (even partly) and by the interpreter.
    jit_runs: u64,
    interp_runs: u64,
    /// Instructions retired by translated code.
    jit_insns: u64,
    /// Translated-region entries chained in translated code, entries by
    /// the dispatcher's fast path, and exits from translated code to the
    /// interpreter mid-region.
    chained: u64,
    fast_dispatch: u64,
    slow_exits: u64,
    /// Translated regions by physical address (JIT engine). Decode-cache
    /// flushes (`fence.i`, stores into code pages, a full arena) do not
    /// drop them: re-decoded blocks find their code here again, after a
    /// byte comparison with guest memory. Emptied with the code memory.
    translations: TranslationMap,
    /// Translations found again after a flush.
    relinked: u64,
    /// Regions submitted to the translator and not installed yet, by
    /// entry address: the guest bytes they were built from, compared with
    /// memory again when the code arrives.
    pending: PendingMap,
    /// The slots blocks of each page (by page address) were decoded
    /// into, so that a write into one code page drops only that page's
    /// blocks. Entries may be stale (the slot was reused since): checked
    /// when used. Emptied with the cache.
    page_slots: PageSlots,
    /// Pages whose blocks were dropped one by one (not by a flush).
    page_drops: u64,
    /// Scratch list of written code pages (see `sync_code`).
    written_pages: Vec<u64>,
}

type PageSlots =
    std::collections::HashMap<u64, Vec<u32>, std::hash::BuildHasherDefault<PaddrHasher>>;

impl BlockCache {
    fn new() -> BlockCache {
        BlockCache {
            slots: SlotTable::new(BLOCK_SLOTS),
            jcache: vec![EMPTY_JC; vireo_jit::JC_ENTRIES].into_boxed_slice(),
            vjcache: vec![EMPTY_VJC; vireo_jit::VJC_ENTRIES].into_boxed_slice(),
            vjc_epoch: 0,
            insns: Vec::with_capacity(BLOCK_ARENA),
            gen: 1,
            epoch: 0,
            decoded: 0,
            flushes: 0,
            jit_runs: 0,
            interp_runs: 0,
            jit_insns: 0,
            chained: 0,
            fast_dispatch: 0,
            slow_exits: 0,
            translations: TranslationMap::default(),
            relinked: 0,
            pending: PendingMap::default(),
            page_slots: PageSlots::default(),
            page_drops: 0,
            written_pages: Vec::new(),
        }
    }

    /// Drop the blocks decoded from the page at `page` (a page address).
    fn drop_page(&mut self, page: u64) {
        let Some(list) = self.page_slots.remove(&page) else {
            return;
        };
        self.vjc_epoch += 1;
        for s in list {
            // (Also for stale list entries: the slot may hold another
            // block now, while the jump cache still has this page's.)
            let e = &mut self.jcache[s as usize & (vireo_jit::JC_ENTRIES - 1)];
            if e.paddr & !0xfff == page {
                *e = EMPTY_JC;
            }
            let slot = &mut self.slots[s as usize];
            if slot.paddr & !0xfff == page {
                *slot = EMPTY_SLOT;
            }
        }
        self.page_drops += 1;
    }

    /// Forget every translation (and those on their way): the code
    /// memory is about to go.
    fn drop_translations(&mut self) {
        self.translations.clear();
        self.pending.clear();
    }

    fn flush(&mut self) {
        self.vjc_epoch += 1;
        self.gen = self.gen.wrapping_add(1);
        if self.gen == 0 {
            self.slots.fill(EMPTY_SLOT);
            self.gen = 1;
        }
        self.jcache.fill(EMPTY_JC);
        self.insns.clear();
        self.page_slots.clear();
        self.flushes += 1;
    }

    #[inline(always)]
    fn slot_index(paddr: u64) -> usize {
        vireo_jit::slot_index(paddr) as usize & (BLOCK_SLOTS - 1)
    }
}

/// Execution statistics of a hart.
#[derive(Clone, Copy, Debug, Default)]
pub struct HartStats {
    /// Instructions retired.
    pub instret: u64,
    /// Blocks decoded.
    pub blocks_decoded: u64,
    /// Decode-cache flushes.
    pub cache_flushes: u64,
    /// Code pages whose decoded blocks were dropped one by one (after a
    /// write into them), without a flush.
    pub code_pages_dropped: u64,
    /// TLB misses (slow-path translations).
    pub tlb_misses: u64,
    /// Traps taken (exceptions and interrupts).
    pub traps: u64,
    /// JIT: blocks translated.
    pub jit_blocks_translated: u64,
    /// JIT: guest instructions in the translated regions.
    pub jit_insns_translated: u64,
    /// JIT: time spent translating, in nanoseconds.
    pub jit_translate_ns: u64,
    /// JIT: machine code bytes currently held.
    pub jit_code_bytes: u64,
    /// JIT: times all generated code was dropped to bound its size.
    pub jit_code_resets: u64,
    /// Block runs that entered translated code.
    pub jit_block_runs: u64,
    /// Block runs done entirely by the interpreter.
    pub interp_block_runs: u64,
    /// Instructions retired by translated code.
    pub jit_insns: u64,
    /// Translated regions entered straight from the previous one by a
    /// jump in translated code (direct chaining; no dispatcher).
    pub jit_chained: u64,
    /// Translated regions entered by the dispatcher's fast path right
    /// after the previous one returned (no interrupt or timer checks).
    pub jit_fast_dispatch: u64,
    /// Exits from translated code to the interpreter in mid-region (an
    /// instruction needing the slow path: TLB miss, MMIO, trap, store to
    /// a code page).
    pub jit_slow_exits: u64,
    /// Translations reused for blocks decoded again after a decode-cache
    /// flush (the guest bytes were unchanged).
    pub jit_relinked: u64,
    /// Baseline tier: blocks translated, their instructions, the time it
    /// took (ns), code bytes in use and code-memory resets.
    pub baseline_blocks: u64,
    pub baseline_insns: u64,
    pub baseline_translate_ns: u64,
    pub baseline_code_bytes: u64,
    pub baseline_resets: u64,
}

impl std::fmt::Display for HartStats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let pct = |n: u64, of: u64| {
            if of == 0 {
                0.0
            } else {
                100.0 * n as f64 / of as f64
            }
        };
        let runs = self.jit_block_runs + self.interp_block_runs;
        writeln!(
            f,
            "{} instructions ({:.1}% in translated code), {} traps, {} TLB misses ({:.2} per 1000 instructions)",
            self.instret,
            pct(self.jit_insns, self.instret),
            self.traps,
            self.tlb_misses,
            self.tlb_misses as f64 * 1000.0 / self.instret.max(1) as f64,
        )?;
        writeln!(
            f,
            "  dispatch: {} block runs, {} entered translated code ({:.1}%), {} chained in translated code, {} by the fast dispatcher, {} slow-path exits",
            runs + self.jit_chained,
            self.jit_block_runs + self.jit_chained,
            pct(self.jit_block_runs + self.jit_chained, runs + self.jit_chained),
            self.jit_chained,
            self.jit_fast_dispatch,
            self.jit_slow_exits,
        )?;
        write!(
            f,
            "  caches: {} blocks decoded, {} decode-cache flushes, {} written code pages dropped; {} translations of {:.1} instructions on average in {:.1} ms ({} us each), {} reused after flushes, {} KiB of code, {} code-cache resets",
            self.blocks_decoded,
            self.cache_flushes,
            self.code_pages_dropped,
            self.jit_blocks_translated,
            self.jit_insns_translated as f64 / self.jit_blocks_translated.max(1) as f64,
            self.jit_translate_ns as f64 / 1e6,
            self.jit_translate_ns / self.jit_blocks_translated.max(1) / 1000,
            self.jit_relinked,
            self.jit_code_bytes / 1024,
            self.jit_code_resets,
        )?;
        if self.baseline_blocks > 0 {
            write!(
                f,
                "\n  baseline: {} blocks of {:.1} instructions on average in {:.1} ms ({:.1} us each), {} KiB of code, {} code-memory resets",
                self.baseline_blocks,
                self.baseline_insns as f64 / self.baseline_blocks as f64,
                self.baseline_translate_ns as f64 / 1e6,
                self.baseline_translate_ns as f64 / self.baseline_blocks as f64 / 1000.0,
                self.baseline_code_bytes / 1024,
                self.baseline_resets,
            )?;
        }
        Ok(())
    }
}

/// A RISC-V hart. `#[repr(C)]` with the register files first so that
/// translated code can address them at fixed offsets.
#[repr(C)]
pub struct Hart {
    /// Integer registers; `x[0]` is always 0.
    pub x: [u64; 32],
    /// Floating-point registers (raw bits, singles NaN-boxed).
    pub f: [u64; 32],
    /// Program counter.
    pub pc: u64,
    /// Current privilege level.
    pub prv: Priv,
    /// Index of the TLB used by loads and stores (MPRV-aware).
    data_idx: usize,
    /// The data TLB (`data_idx`) of the translated code running now:
    /// the one its context points at. `jit_tlb_fill` fills only that one
    /// (translated code changes nothing that selects another; if it ever
    /// did, a fill that cannot make its probe hit must fail, not loop).
    jit_data_idx: usize,
    /// Instructions retired.
    pub instret: u64,
    /// Control and status registers.
    pub csr: Csrs,
    /// MTIP/STIP as last derived from the clock.
    timer_bits: u64,
    /// Instructions until the next clock poll.
    timer_countdown: i64,
    /// LR reservation: the host address of the reserved word (0: none)
    /// and the value LR loaded. Translated code reads and writes it too
    /// (`JitCtx::reservation`), hence host addresses and plain words.
    reservation: [u64; 2],
    /// Hart id (`mhartid`).
    pub id: u64,
    /// The hart's MMU.
    pub mmu: Box<Mmu>,
    blocks: BlockCache,
    bus: Arc<Bus>,
    ram: Arc<GuestRam>,
    /// The wires from the platform.
    pub signals: Arc<HartSignals>,
    clock: Arc<Clock>,
    config: HartConfig,
    /// Set by instructions that must end the run loop (wfi, SBI ecall).
    pending_exit: Option<Exit>,
    traps: u64,
    /// Traps taken by cause: exceptions at their cause code, interrupts
    /// at 32 + cause code.
    trap_counts: [u64; 64],
    /// The translator (engine `Jit` only; `None` also when the host is not
    /// supported, and then the hart interprets).
    jit: Option<Box<vireo_jit::Jit>>,
    /// The baseline translator (engines `Jit` and `Check` on x86-64 hosts,
    /// unless `jit_baseline` is 0).
    baseline: Option<Box<Baseline>>,
    /// Translated code chains to the next region (see `vireo_jit`); off
    /// only to measure what chaining gains (`VIREO_JIT_NO_CHAIN=1`).
    jit_chaining: bool,
    /// Engine `Check`: the store log of the region being checked, and the
    /// report of the first divergence.
    check_log: Vec<u64>,
    divergence: Option<String>,
    /// Tests of engine `Check`: flip bit 0 of this register after each
    /// translated region, as a translator bug would.
    #[cfg(test)]
    corrupt_translated_x: Option<usize>,
}

impl Hart {
    /// A hart in its reset state: M-mode, `pc` = 0.
    pub fn new(
        id: u64,
        bus: Arc<Bus>,
        signals: Arc<HartSignals>,
        clock: Arc<Clock>,
        config: HartConfig,
    ) -> Box<Hart> {
        let ram = bus.ram().clone();
        let jit = config.engine.translator(config.jit_background);
        let baseline = config.engine.baseline(config.jit_baseline);
        Box::new(Hart {
            x: [0; 32],
            f: [0; 32],
            pc: 0,
            prv: Priv::M,
            data_idx: mmu::priv_index(Priv::M),
            jit_data_idx: usize::MAX,
            instret: 0,
            csr: Csrs::new(),
            timer_bits: 0,
            timer_countdown: 0,
            reservation: [0; 2],
            id,
            mmu: Mmu::new(),
            blocks: BlockCache::new(),
            bus,
            ram,
            signals,
            clock,
            config,
            pending_exit: None,
            traps: 0,
            trap_counts: [0; 64],
            jit,
            baseline,
            jit_chaining: std::env::var_os("VIREO_JIT_NO_CHAIN").is_none(),
            check_log: Vec::new(),
            divergence: None,
            #[cfg(test)]
            corrupt_translated_x: None,
        })
    }

    /// Switch the execution engine. Dropping to the interpreter frees all
    /// translations; switching to the JIT starts with none (blocks are
    /// translated once hot). A host Cranelift does not support leaves the
    /// hart interpreting.
    pub fn set_engine(&mut self, engine: Engine) {
        if engine == self.config.engine {
            return;
        }
        self.config.engine = engine;
        // Slots may hold pointers into the old translator's code: make
        // them all stale before it goes.
        self.blocks.flush();
        self.blocks.drop_translations();
        self.jit = engine.translator(self.config.jit_background);
        self.baseline = engine.baseline(self.config.jit_baseline);
    }

    /// The execution engine in use.
    pub fn engine(&self) -> Engine {
        self.config.engine
    }

    /// The physical address space this hart accesses.
    pub fn bus(&self) -> &Arc<Bus> {
        &self.bus
    }

    /// Statistics.
    pub fn stats(&self) -> HartStats {
        let j = self.jit.as_ref().map(|j| j.stats()).unwrap_or_default();
        let b = self
            .baseline
            .as_ref()
            .map(|b| b.stats())
            .unwrap_or_default();
        HartStats {
            instret: self.instret,
            blocks_decoded: self.blocks.decoded,
            cache_flushes: self.blocks.flushes,
            code_pages_dropped: self.blocks.page_drops,
            tlb_misses: self.mmu.misses,
            traps: self.traps,
            jit_blocks_translated: j.blocks,
            jit_insns_translated: j.insns,
            jit_translate_ns: j.translate_ns,
            jit_code_bytes: j.code_bytes,
            jit_code_resets: j.resets,
            jit_block_runs: self.blocks.jit_runs,
            interp_block_runs: self.blocks.interp_runs,
            jit_insns: self.blocks.jit_insns,
            jit_chained: self.blocks.chained,
            jit_fast_dispatch: self.blocks.fast_dispatch,
            jit_slow_exits: self.blocks.slow_exits,
            jit_relinked: self.blocks.relinked,
            baseline_blocks: b.blocks,
            baseline_insns: b.insns,
            baseline_translate_ns: b.translate_ns,
            baseline_code_bytes: b.code_bytes,
            baseline_resets: b.resets,
        }
    }

    /// Traps taken so far by cause, non-zero ones only: `(interrupt,
    /// cause code, count)`.
    pub fn trap_counts(&self) -> Vec<(bool, u64, u64)> {
        self.trap_counts
            .iter()
            .enumerate()
            .filter(|(_, &n)| n != 0)
            .map(|(i, &n)| (i >= 32, (i & 31) as u64, n))
            .collect()
    }

    /// Change privilege level (also used by the machine to start a kernel
    /// in S-mode).
    pub fn set_priv(&mut self, p: Priv) {
        self.prv = p;
        self.update_data_mode();
    }

    // ---- interrupts ----------------------------------------------------

    /// Re-derive MTIP and STIP from the clock.
    pub(crate) fn refresh_timer(&mut self) {
        let now = self.clock.now();
        let mut bits = 0;
        if now >= self.signals.mtimecmp() {
            bits |= MIP_MTIP;
        }
        if self.csr.menvcfg & csr::envcfg::STCE != 0 && now >= self.csr.stimecmp {
            bits |= MIP_STIP;
        }
        self.timer_bits = bits;
        self.timer_countdown = TIMER_POLL_INTERVAL;
    }

    /// The interrupt to take now, if any (cause without the interrupt bit).
    fn pending_interrupt(&mut self) -> Option<u64> {
        let pending = self.mip() & self.csr.mie;
        if pending == 0 {
            return None;
        }
        let m_enabled = self.prv < Priv::M || self.csr.mstatus & mstatus::MIE != 0;
        let s_enabled =
            self.prv < Priv::S || (self.prv == Priv::S && self.csr.mstatus & mstatus::SIE != 0);
        // The pending bits this hart would take now, at its privilege
        // and with its global enables.
        let takeable = |pending: u64, deleg: u64| {
            (if m_enabled { pending & !deleg } else { 0 })
                | (if s_enabled { pending & deleg } else { 0 })
        };
        let mut pending = pending;
        let t = takeable(pending, self.csr.mideleg);
        if t == 0 {
            // Masked (a kernel running with interrupts off): no need to
            // read the clock for a timer bit that could not be taken.
            return None;
        }
        if t & (MIP_MTIP | MIP_STIP) != 0 {
            // The compare registers may have moved since the last poll.
            self.refresh_timer();
            pending = self.mip() & self.csr.mie;
            if takeable(pending, self.csr.mideleg) == 0 {
                return None;
            }
        }
        let m_pending = pending & !self.csr.mideleg;
        let s_pending = pending & self.csr.mideleg;
        let pick = |bits: u64| -> Option<u64> {
            [
                cause::IRQ_M_EXT,
                cause::IRQ_M_SOFT,
                cause::IRQ_M_TIMER,
                cause::IRQ_S_EXT,
                cause::IRQ_S_SOFT,
                cause::IRQ_S_TIMER,
            ]
            .into_iter()
            .find(|&c| bits & (1 << c) != 0)
        };
        if m_enabled && m_pending != 0 {
            return pick(m_pending);
        }
        if s_enabled && s_pending != 0 {
            return pick(s_pending);
        }
        None
    }

    /// Serve requests other harts posted (IPIs, remote fences).
    pub fn serve_requests(&mut self) {
        let r = self.signals.take_requests();
        if r == 0 {
            return;
        }
        if r & REQ_SSIP != 0 {
            self.csr.mip |= vireo_memory::MIP_SSIP;
        }
        if r & REQ_FLUSH_TLB != 0 {
            self.mmu.flush_all();
        }
        // REQ_FENCE_I needs nothing: instruction caches are coherent
        // eagerly (see `Op::FenceI` in exec.rs); taking the request is
        // what the remote fence asks for.
    }

    /// Sleep (for `wfi`) until an interrupt is pending — enabled in `mie`,
    /// whatever the global enables — or an exit is requested.
    pub fn wait_for_interrupt(&mut self) {
        loop {
            self.refresh_timer();
            self.serve_requests();
            if self.mip() & self.csr.mie != 0 || self.signals.exit_requested() {
                return;
            }
            let mut deadline = self.signals.mtimecmp();
            if self.csr.menvcfg & csr::envcfg::STCE != 0 {
                deadline = deadline.min(self.csr.stimecmp);
            }
            let wait = self
                .clock
                .until(deadline)
                .min(std::time::Duration::from_millis(50));
            self.signals.sleep(wait);
        }
    }

    // ---- traps ----------------------------------------------------------

    /// Take a trap at `pc` (the address of the faulting instruction, or of
    /// the next instruction to run for interrupts).
    pub(crate) fn take_trap(&mut self, cause_code: u64, tval: u64, interrupt: bool, pc: u64) {
        self.traps += 1;
        self.trap_counts[(cause_code as usize & 31) | if interrupt { 32 } else { 0 }] += 1;
        self.reservation[0] = 0;
        let bit = 1u64 << (cause_code & 63);
        let deleg = if interrupt {
            self.csr.mideleg
        } else {
            self.csr.medeleg
        };
        let full_cause = cause_code | if interrupt { cause::INTERRUPT } else { 0 };
        if self.prv <= Priv::S && deleg & bit != 0 {
            self.csr.scause = full_cause;
            self.csr.sepc = pc;
            self.csr.stval = tval;
            let mut s = self.csr.mstatus;
            s = if s & mstatus::SIE != 0 {
                s | mstatus::SPIE
            } else {
                s & !mstatus::SPIE
            };
            s = if self.prv == Priv::S {
                s | mstatus::SPP
            } else {
                s & !mstatus::SPP
            };
            s &= !mstatus::SIE;
            self.csr.mstatus = s;
            let base = self.csr.stvec & !3;
            self.pc = if interrupt && self.csr.stvec & 3 == 1 {
                base + 4 * cause_code
            } else {
                base
            };
            self.set_priv(Priv::S);
        } else {
            self.csr.mcause = full_cause;
            self.csr.mepc = pc;
            self.csr.mtval = tval;
            let mut s = self.csr.mstatus;
            s = if s & mstatus::MIE != 0 {
                s | mstatus::MPIE
            } else {
                s & !mstatus::MPIE
            };
            s = (s & !mstatus::MPP) | ((self.prv as u64) << mstatus::MPP_SHIFT);
            s &= !mstatus::MIE;
            self.csr.mstatus = s;
            let base = self.csr.mtvec & !3;
            self.pc = if interrupt && self.csr.mtvec & 3 == 1 {
                base + 4 * cause_code
            } else {
                base
            };
            self.set_priv(Priv::M);
        }
    }

    /// Complete an SBI call the host serviced: advance past the `ecall`.
    pub fn finish_sbi_call(&mut self) {
        self.pc = self.pc.wrapping_add(4);
    }

    // ---- the run loop ---------------------------------------------------

    /// Execute up to about `budget` instructions (blocks are not split, so
    /// a few more may run). Returns why it stopped.
    pub fn run(&mut self, budget: u64) -> Exit {
        // Traps count toward the budget too: a guest that traps forever
        // (a trap vector pointing at an illegal instruction) retires
        // nothing, and must still give control back.
        let target = (self.instret + self.traps).saturating_add(budget);
        // Set when translated code ran to the end of a region: the next
        // region may follow at once, without the checks below, until the
        // timer countdown runs out (so interrupts, requests and code
        // invalidations by other harts are still seen within a bounded
        // number of instructions). Translated code never changes the
        // privilege or the code epoch of this hart, and enables
        // interrupts (baseline code setting `sstatus.SIE`, `jit_csr`)
        // only while none is pending, so nothing it did can make an
        // interrupt due at once.
        let mut chained = false;
        loop {
            if self.instret + self.traps >= target {
                return Exit::Budget;
            }
            if chained && self.timer_countdown > 0 && self.ram.code_epoch() == self.blocks.epoch {
                if let Ok(Some((start, len, slot))) = self.fetch_block() {
                    self.blocks.fast_dispatch += 1;
                    chained = self.run_block_jit(start, len, slot, target);
                    if let Some(e) = self.pending_exit.take() {
                        return e;
                    }
                    continue;
                }
                // A fetch fault or a page-straddling instruction: the
                // ordinary path below handles it.
            }
            chained = false;
            if self.timer_countdown <= 0 {
                self.refresh_timer();
                self.serve_requests();
                if self.jit.as_ref().is_some_and(|j| j.in_flight() > 0) {
                    self.install_translations();
                }
                if self.signals.exit_requested() {
                    return Exit::ExitRequested;
                }
            }
            if let Some(irq) = self.pending_interrupt() {
                let pc = self.pc;
                self.take_trap(irq, 0, true, pc);
            }
            if self.ram.code_epoch() != self.blocks.epoch {
                self.sync_code();
            }
            if self.config.trace {
                self.step_traced();
            } else {
                match self.fetch_block() {
                    Ok(Some((start, len, slot))) => {
                        if self.jit.is_some() {
                            chained = self.run_block_jit(start, len, slot, target);
                        } else {
                            self.blocks.interp_runs += 1;
                            self.run_block(start, len);
                        }
                    }
                    Ok(None) => self.step_slow(),
                    Err(t) => {
                        let pc = self.pc;
                        self.take_trap(t.cause, t.tval, false, pc);
                    }
                }
            }
            if let Some(e) = self.pending_exit.take() {
                return e;
            }
        }
    }

    /// Catch up with writes into code pages (the RAM code epoch moved):
    /// drop the blocks of the pages written since the epoch the cache is
    /// valid for, or everything when RAM no longer remembers them all.
    /// Translations stay (see `BlockCache::translations`): a block decoded
    /// again at the same address reuses its code when its bytes are
    /// unchanged (a write elsewhere in the page).
    fn sync_code(&mut self) {
        let mut pages = std::mem::take(&mut self.blocks.written_pages);
        pages.clear();
        match self.ram.code_writes_since(self.blocks.epoch, &mut pages) {
            Some(now) => {
                for &p in &pages {
                    self.blocks.drop_page(p);
                }
                self.blocks.epoch = now;
            }
            None => {
                // Read the epoch first: writes after it are seen later.
                let now = self.ram.code_epoch();
                self.blocks.flush();
                self.blocks.epoch = now;
            }
        }
        self.blocks.written_pages = pages;
    }

    /// Find or decode the block at `pc`: (arena start, length, slot index).
    /// `None` when the first instruction straddles a page boundary (it is
    /// executed by `step_slow`).
    fn fetch_block(&mut self) -> Result<Option<(u32, u32, usize)>, Trap> {
        let pc = self.pc;
        let idx = ((pc >> 12) as usize) & (TLB_ENTRIES - 1);
        let tlb_i = mmu::priv_index(self.prv);
        let e = self.mmu.tlbs[tlb_i].exec[idx];
        let (paddr, host_page) = if e.tag == self.mmu.tag(pc) {
            (e.ppage | (pc & 0xfff), e.addend.wrapping_add(pc & !0xfff))
        } else {
            let paddr = self.translate(pc, Access::Fetch)?;
            match self.ram.host_ptr(paddr & !0xfff, 0x1000) {
                Some(h) => (paddr, h as u64),
                None => return Err(Trap::new(cause::INSN_ACCESS, pc)),
            }
        };
        let slot_i = BlockCache::slot_index(paddr);
        let slot = self.blocks.slots[slot_i];
        if slot.paddr == paddr && slot.gen == self.blocks.gen {
            return Ok(Some((slot.start, slot.len as u32, slot_i)));
        }
        // Decode a new block from the page.
        if self.blocks.insns.len() + MAX_BLOCK_INSNS > BLOCK_ARENA {
            self.blocks.flush();
        }
        // Mark the page before reading it: a store that does not see the
        // mark has written before the mark was set, so the bytes read
        // below include it; one that sees it bumps the code epoch, and the
        // run loop drops this block before running it again.
        self.ram.mark_code_page(paddr);
        let start = self.blocks.insns.len();
        let mut off = paddr & 0xfff;
        while self.blocks.insns.len() - start < MAX_BLOCK_INSNS {
            // SAFETY: host_page is the host address of a 4 KiB RAM page
            // (from the TLB or host_ptr above).
            let Some(insn) = (unsafe { decode_at(host_page as *const u8, off) }) else {
                break;
            };
            self.blocks.insns.push(insn);
            off += insn.len as u64;
            if exec::ends_block(insn.op) {
                break;
            }
        }
        let len = (self.blocks.insns.len() - start) as u32;
        if len == 0 {
            return Ok(None);
        }
        self.blocks.decoded += 1;
        let code = self
            .blocks
            .translations
            .get(&paddr)
            .and_then(|t| t.source.still_in(host_page as *const u8).then_some(t.code));
        if code.is_some() {
            self.blocks.relinked += 1;
        }
        self.blocks
            .page_slots
            .entry(paddr & !0xfff)
            .or_default()
            .push(slot_i as u32);
        self.blocks.slots[slot_i] = BlockSlot {
            paddr,
            gen: self.blocks.gen,
            start: start as u32,
            len: len as u16,
            heat: 0,
            window: 0,
            total: 0,
            code,
        };
        Ok(Some((start as u32, len, slot_i)))
    }

    /// Run the block in `slot` (current, from `fetch_block`) with the JIT
    /// engine: its translation when it has one, otherwise the interpreter,
    /// translating the block once it is hot. Returns true when translated
    /// code ran to a normal end (the caller may go straight on to the next
    /// translation); `target` is the run's instruction budget end.
    fn run_block_jit(&mut self, start: u32, len: u32, slot: usize, target: u64) -> bool {
        let s = self.blocks.slots[slot];
        let Some(code) = s.code else {
            self.blocks.interp_runs += 1;
            let threshold = self.config.jit_threshold.clamp(1, u16::MAX as u32) as u16;
            let window = (self.instret >> HEAT_WINDOW_SHIFT) as u16;
            // Saturates at the threshold (at most u16::MAX): translated
            // once, when the count first reaches it.
            let hits = if s.window == window { s.heat } else { 0 };
            let now = hits.saturating_add(1).min(threshold);
            let lifetime = (threshold as u32 * LIFETIME_FACTOR).min(u16::MAX as u32) as u16;
            let total = s.total.saturating_add(1).min(lifetime);
            if (now == threshold && hits < threshold) || (total == lifetime && s.total < lifetime) {
                self.translate_block(slot);
            }
            let baseline = self.baseline.is_some()
                && total as u32 == self.config.jit_baseline
                && (s.total as u32) < self.config.jit_baseline;
            let paddr = s.paddr;
            let s = &mut self.blocks.slots[slot];
            s.heat = now;
            s.window = window;
            s.total = total;
            self.run_block(start, len);
            if baseline {
                self.translate_baseline(slot, paddr);
            }
            return false;
        };
        self.blocks.jit_runs += 1;
        // Loops inside the translation stop at the budget end or at the
        // next clock poll, whichever is first.
        let checking = self.config.engine == Engine::Check;
        let limit = if checking {
            // One pass through one region: no loops, no chaining.
            1
        } else {
            target
                .saturating_sub(self.instret + self.traps)
                .min(self.timer_countdown.max(1) as u64)
                .max(1)
        };
        if checking {
            // Room for the most stores every instruction of a region may log.
            self.check_log.clear();
            self.check_log.resize(
                3 * vireo_jit::MAX_STORES_PER_INSN * (vireo_jit::MAX_REGION_LEN as usize + 1),
                0,
            );
        }
        let before = checking.then(|| CheckPoint::of(self));
        self.jit_data_idx = self.data_idx;
        let tlb = &self.mmu.tlbs[self.data_idx];
        let fetch_tlb = &self.mmu.tlbs[mmu::priv_index(self.prv)];
        // In S-mode, the data TLB a flip of sstatus.SUM selects.
        let alt_tlb = (self.prv == Priv::S).then(|| {
            let sum = self.csr.mstatus & mstatus::SUM != 0;
            &self.mmu.tlbs[mmu::data_index(Priv::S, !sum)]
        });
        let irq_bits = self.mip() & self.csr.mie;
        let mut ctx = vireo_jit::JitCtx {
            x: self.x.as_mut_ptr(),
            tlb_read: tlb.read.as_ptr() as *const u8,
            tlb_write: tlb.write.as_ptr() as *const u8,
            asid_tag: self.mmu.asid_tag,
            pc: self.pc,
            next_pc: 0,
            executed: 0,
            limit,
            store_log: if checking {
                self.check_log.as_mut_ptr()
            } else {
                std::ptr::null_mut()
            },
            store_log_len: 0,
            tlb_exec: fetch_tlb.exec.as_ptr() as *const u8,
            slots: self.blocks.slots.as_ptr() as *const u8,
            slot_mask: (BLOCK_SLOTS - 1) as u64,
            // No slot has generation 0: no chaining.
            gen: if self.jit_chaining && !checking {
                self.blocks.gen as u64
            } else {
                0
            },
            chained: 0,
            f: self.f.as_mut_ptr(),
            mstatus: &mut self.csr.mstatus,
            fp_state: std::ptr::null_mut(),
            fp_op: Some(jit_fp_op),
            fcsr: &mut self.csr.fcsr,
            cbo_zero: self.cbo_allowed(csr::envcfg::CBZE) as u64,
            reservation: self.reservation.as_mut_ptr(),
            trap_csrs: if self.prv == Priv::U {
                std::ptr::null_mut()
            } else {
                // sscratch, sepc, scause, stval: adjacent in the `repr(C)`
                // CSR struct (asserted in csr.rs); the pointer is derived from
                // the whole struct, so it may reach all four.
                std::ptr::addr_of_mut!(self.csr)
                    .cast::<u8>()
                    .wrapping_add(std::mem::offset_of!(Csrs, sscratch))
                    .cast::<u64>()
            },
            jcache: self.blocks.jcache.as_mut_ptr() as *mut u8,
            tlb_fill: Some(jit_tlb_fill),
            vjcache: self.blocks.vjcache.as_mut_ptr() as *mut u8,
            // Privilege in the low two bits, the count of invalidating
            // events above (the top bit clear: never `u64::MAX`).
            vjc_key: if self.jit_chaining && !checking {
                (self.mmu.fetch_epoch.wrapping_add(self.blocks.vjc_epoch) & (u64::MAX >> 3)) << 2
                    | self.prv as u64
            } else {
                u64::MAX
            },
            tlb_read_alt: alt_tlb.map_or(std::ptr::null(), |t| t.read.as_ptr() as *const u8),
            tlb_write_alt: alt_tlb.map_or(std::ptr::null(), |t| t.write.as_ptr() as *const u8),
            irq_pending: (irq_bits != 0) as u64,
        };
        // Last, so that no other borrow of the hart is used while the
        // helper holds it (the pointers above are only used by translated
        // code, which does not run while the helper does).
        ctx.fp_state = self as *mut Hart as *mut u8;
        let Some(entry) = self.jit.as_ref().map(|j| j.entry()) else {
            return false;
        };
        // SAFETY: `code` is the translation of the region starting at the
        // block now in `slot` (the slot is current: same generation as the
        // cache, and code memory is only freed together with a flush,
        // which makes every older slot stale; the region lies in the same
        // physical page, so any store into it would have flushed too).
        // Chained regions are found through current slots the same way.
        // The context points at this hart's registers, its current data
        // and fetch TLBs, its block slots and the RAM page flags, all
        // alive and not otherwise accessed by this thread during the call
        // (the F/D helper is handed the hart itself, see `jit_fp_op`); the
        // code follows the contract in vireo_jit (no traps).
        let r = unsafe { entry.call(&mut ctx, code) };
        // Translated code may have flipped sstatus.SUM (and switched its
        // data TLB with it).
        self.update_data_mode();
        self.blocks.chained += ctx.chained;
        self.x[0] = 0;
        self.blocks.jit_insns += ctx.executed;
        if r == vireo_jit::EXIT_HOT {
            // A baseline block ran out of its count before running: it
            // is hot, ask Cranelift for a region there and go on (its
            // baseline code runs until the region arrives).
            self.pc = ctx.next_pc;
            self.retire(ctx.executed as i64);
            if let Ok(Some((_, _, slot))) = self.fetch_block() {
                // A block entered by a link may have a region in its slot
                // already (see vireo_jit::baseline).
                let baseline = self.baseline.as_ref();
                let has_region = self.blocks.slots[slot]
                    .code
                    .is_some_and(|c| !baseline.is_some_and(|b| b.owns(c)));
                if !has_region {
                    self.translate_block(slot);
                }
            }
            return !checking;
        }
        #[cfg(test)]
        if let Some(r) = self.corrupt_translated_x {
            self.x[r] ^= 1;
        }
        if let Some(before) = before {
            // The interpreter redoes the region (and retires it).
            if let Err(report) = self.check_region(&before, &ctx) {
                self.divergence = Some(report);
                self.pending_exit = Some(Exit::Diverged);
                return false;
            }
            if r == vireo_jit::EXIT_DONE {
                return false;
            }
        } else {
            self.pc = ctx.next_pc;
            // No CSR reads in translated code: retiring after the fact
            // gives the counters the interpreter would show.
            self.retire(ctx.executed as i64);
            if r == vireo_jit::EXIT_DONE {
                return true;
            }
        }
        self.blocks.slow_exits += 1;
        // Stopped before the instruction at `pc`, which needs the slow
        // path: the interpreter runs it (and the rest of its block),
        // taking any trap precisely. Running it here, not through the
        // dispatcher, guarantees progress: a translation starting at that
        // instruction would stop before it again.
        match self.fetch_block() {
            Ok(Some((start, len, _))) => {
                self.blocks.interp_runs += 1;
                self.run_block(start, len);
            }
            Ok(None) => self.step_slow(),
            Err(t) => {
                let pc = self.pc;
                self.take_trap(t.cause, t.tval, false, pc);
            }
        }
        false
    }

    /// Engine `Check`, after translated code ran one region from the
    /// state `before`: record what it did, undo it (memory from the store
    /// log, then registers), run the same number of instructions in the
    /// interpreter, and compare. Returns the report of the first
    /// difference; either way the hart is left in the interpreter's state.
    /// (Stores the interpreter makes and the translation did not are not
    /// seen here; they show up as a later difference.)
    fn check_region(&mut self, before: &CheckPoint, ctx: &vireo_jit::JitCtx) -> Result<(), String> {
        let jit = CheckPoint::of(self);
        let mut log = std::mem::take(&mut self.check_log);
        log.truncate(ctx.store_log_len as usize);
        // (host address, size, value the translation left)
        let mut written = Vec::with_capacity(log.len() / 3);
        for e in log.chunks_exact(3) {
            // SAFETY: translated code logged the host address of a store
            // it made through a TLB hit: inside guest RAM, `e[1]` bytes.
            written.push((e[0], e[1], unsafe {
                vireo_memory::read_sized(e[0] as *const u8, e[1])
            }));
        }
        for e in log.chunks_exact(3).rev() {
            // SAFETY: as above; restores the bytes the store replaced.
            unsafe { vireo_memory::write_sized(e[0] as *mut u8, e[1], e[2]) };
        }
        // The buffer is reused for the next region.
        self.check_log = log;
        before.restore(self);
        for _ in 0..ctx.executed {
            self.step_slow();
        }
        let interp = CheckPoint::of(self);
        let mut diffs = Vec::new();
        if interp.pc != ctx.next_pc {
            diffs.push(format!(
                "pc: translated {:#x}, interpreter {:#x}",
                ctx.next_pc, interp.pc
            ));
        }
        for r in 1..32 {
            if jit.x[r] != interp.x[r] {
                diffs.push(format!(
                    "x{r}: translated {:#x}, interpreter {:#x}",
                    jit.x[r], interp.x[r]
                ));
            }
        }
        for r in 0..32 {
            if jit.f[r] != interp.f[r] {
                diffs.push(format!(
                    "f{r}: translated {:#x}, interpreter {:#x}",
                    jit.f[r], interp.f[r]
                ));
            }
        }
        // (the value only matters while the address is set)
        let resv = |c: &CheckPoint| (c.reservation[0] != 0).then_some(c.reservation);
        if resv(&jit) != resv(&interp) {
            diffs.push(format!(
                "LR reservation (host address, value): translated {:x?}, interpreter {:x?}",
                resv(&jit),
                resv(&interp)
            ));
        }
        for (k, name) in ["sscratch", "sepc", "scause", "stval"].iter().enumerate() {
            if jit.trap_csrs[k] != interp.trap_csrs[k] {
                diffs.push(format!(
                    "{name}: translated {:#x}, interpreter {:#x}",
                    jit.trap_csrs[k], interp.trap_csrs[k]
                ));
            }
        }
        if jit.mstatus != interp.mstatus {
            diffs.push(format!(
                "mstatus: translated {:#x}, interpreter {:#x}",
                jit.mstatus, interp.mstatus
            ));
        }
        if jit.fcsr != interp.fcsr {
            diffs.push(format!(
                "fcsr: translated {:#x}, interpreter {:#x}",
                jit.fcsr, interp.fcsr
            ));
        }
        let host0 = self
            .ram
            .host_ptr(self.ram.base(), 1)
            .map_or(0, |p| p as u64);
        for &(host, size, value) in &written {
            // SAFETY: as above.
            let now = unsafe { vireo_memory::read_sized(host as *const u8, size) };
            if now != value {
                diffs.push(format!(
                    "{size}-byte store at {:#x}: translated {value:#x}, interpreter {now:#x}",
                    self.ram.base() + host.wrapping_sub(host0)
                ));
            }
        }
        if diffs.is_empty() {
            return Ok(());
        }
        Err(format!(
            "--engine check: translated code diverged from the interpreter in the region at pc {:#x} ({} instructions ran, privilege {:?}):\n  {}",
            before.pc,
            ctx.executed,
            self.prv,
            diffs.join("\n  ")
        ))
    }

    /// Engine `Check`: the report of the divergence that stopped the hart
    /// ([`Exit::Diverged`]).
    pub fn divergence(&self) -> Option<&str> {
        self.divergence.as_deref()
    }

    /// Translate the region starting at the block in `slot` and keep the
    /// code in the slot. A region is made of runs of instructions the JIT
    /// supports, within the block's physical page, at most
    /// [`MAX_REGION_INSNS`] in all: the first from the block start through
    /// conditional branches (their fall-through) up to the first jump
    /// (`jal`, `jalr`); then, breadth first, a run from each target of a
    /// direct branch or `jal` that lies in the page (F/D instructions end
    /// these). Branches and jumps whose targets lie inside the region
    /// become jumps in the host code (loops, and the hot paths of a
    /// function without chaining between regions).
    fn translate_block(&mut self, slot: usize) {
        let Some(jit) = self.jit.as_mut() else {
            return;
        };
        if jit.mapped_bytes() > JIT_CODE_LIMIT {
            // Bound the code cache: drop every translation with the block
            // cache. We are between blocks in `run`, so no translated
            // code is on the stack, and the flush makes every slot holding
            // an old function pointer stale.
            self.blocks.flush();
            self.blocks.drop_translations();
            // SAFETY: see above: nothing runs or will call the old code.
            if unsafe { jit.reset() }.is_err() {
                self.jit = None;
            }
            return;
        }
        let paddr = self.blocks.slots[slot].paddr;
        if self.blocks.pending.contains_key(&paddr) {
            return;
        }
        let Some(host_page) = self.ram.host_ptr(paddr & !0xfff, 0x1000) else {
            return;
        };
        let mut region = Vec::with_capacity(MAX_REGION_INSNS);
        let mut at: Vec<u64> = Vec::with_capacity(MAX_REGION_INSNS);
        // Runs of instructions: the first from the block start; each
        // direct branch or jump to elsewhere in the page starts another
        // (breadth first), so that hot paths through the page become jumps
        // inside one translation instead of chains between several. A run
        // ends at a jump, an unsupported instruction, the page end or code
        // already taken.
        let mut taken = [0u64; 32]; // one bit per 2-byte offset of the page
        let mut queue = [0u16; MAX_REGION_INSNS + 1];
        let (mut head, mut tail) = (0, 1);
        queue[0] = (paddr & 0xfff) as u16;
        while head < tail && region.len() < MAX_REGION_INSNS {
            let mut off = queue[head] as u64;
            head += 1;
            while region.len() < MAX_REGION_INSNS && off + 2 <= 0x1000 {
                let bit = (off / 2) as usize;
                if taken[bit / 64] & (1 << (bit % 64)) != 0 {
                    break;
                }
                // SAFETY: host_page is the host address of a 4 KiB RAM page
                // (host_ptr checked it).
                let Some(insn) = (unsafe { decode_at(host_page, off) }) else {
                    break;
                };
                // F/D instructions only in the first run: a region with
                // any runs only while the FPU is dirty (see vireo_jit), and
                // a followed path must not keep the entry from running.
                if !vireo_jit::supported_insn(&insn) || (head > 1 && vireo_jit::is_fp_insn(&insn)) {
                    break;
                }
                taken[bit / 64] |= 1 << (bit % 64);
                region.push(insn);
                at.push(off);
                if matches!(
                    insn.op,
                    Op::Jal | Op::Beq | Op::Bne | Op::Blt | Op::Bge | Op::Bltu | Op::Bgeu
                ) {
                    let target = off as i64 + insn.imm;
                    if (0..0x1000).contains(&target) && tail < queue.len() {
                        queue[tail] = target as u16;
                        tail += 1;
                    }
                }
                off += insn.len as u64;
                if matches!(insn.op, Op::Jal | Op::Jalr) {
                    break;
                }
            }
        }
        // The bytes it comes from: the span of its runs.
        let from = at.iter().copied().min().unwrap_or(0) as usize;
        let end = region
            .iter()
            .zip(&at)
            .map(|(i, &a)| a as usize + i.len as usize)
            .max()
            .unwrap_or(from);
        // SAFETY: host_page is a 4 KiB RAM page and from <= end <= 4096
        // (the loop above never reads past the page).
        let bytes = unsafe { std::slice::from_raw_parts(host_page.add(from), end - from) };
        self.blocks.pending.insert(
            paddr,
            Source {
                from: from as u16,
                bytes: bytes.into(),
            },
        );
        jit.submit(vireo_jit::Job {
            insns: region,
            at,
            paddr,
        });
        self.install_translations();
    }

    /// Give the block in `slot` baseline code, if the slot still holds the
    /// block at `paddr` without code (the block just ran in the
    /// interpreter, which may have changed the cache). We are between
    /// blocks in `run`: no translated code is on the stack, so a full
    /// code memory can be emptied here, with the block cache that points
    /// into it.
    fn translate_baseline(&mut self, slot: usize, paddr: u64) {
        let Some(b) = self.baseline.as_mut() else {
            return;
        };
        let s = self.blocks.slots[slot];
        if s.paddr != paddr || s.gen != self.blocks.gen || s.code.is_some() {
            return;
        }
        let insns = &self.blocks.insns[s.start as usize..s.start as usize + s.len as usize];
        let hot = self.config.jit_hot.clamp(1, u16::MAX as u32) as u16;
        match b.translate(insns, hot, paddr) {
            Ok(code) => self.blocks.slots[slot].code = Some(code),
            Err(NoCode::Unsupported) => {}
            Err(NoCode::Full) => {
                self.blocks.flush();
                // SAFETY: see above; the flush made every slot holding
                // baseline code stale.
                unsafe { b.reset() };
            }
        }
    }

    /// Wait for the translations in flight on the JIT's compiler thread
    /// and install them (tests use it to know when code is translated).
    pub fn wait_for_translations(&mut self) {
        if let Some(j) = self.jit.as_mut() {
            j.wait();
        }
        self.install_translations();
    }

    /// Take the translations the JIT finished: each goes into the
    /// translation map, and into its block's slot when the slot still
    /// holds the block, provided the guest bytes it was built from are
    /// still in memory (a store may have changed them while it compiled;
    /// the code-page machinery drops the slot then, but the translation
    /// must not come back with it).
    fn install_translations(&mut self) {
        let Some(jit) = self.jit.as_mut() else {
            return;
        };
        while let Some(done) = jit.poll() {
            let Some(source) = self.blocks.pending.remove(&done.paddr) else {
                continue;
            };
            let Some(code) = done.code else {
                continue;
            };
            let paddr = done.paddr;
            let Some(host_page) = self.ram.host_ptr(paddr & !0xfff, 0x1000) else {
                continue;
            };
            if !source.still_in(host_page) {
                continue;
            }
            let i = BlockCache::slot_index(paddr);
            let s = &mut self.blocks.slots[i];
            if s.paddr == paddr && s.gen == self.blocks.gen {
                if let (Some(old), Some(b)) = (s.code, self.baseline.as_mut()) {
                    // SAFETY: we are between blocks in `run` (no
                    // translated code runs); the region is freed only
                    // with a flush (`translate_block`), which makes the
                    // baseline block unreachable.
                    unsafe { b.forward(old, code) };
                }
                s.code = Some(code);
                // Chains found the old code by virtual pc too: the new
                // one is better.
                self.blocks.vjc_epoch += 1;
                let e = &mut self.blocks.jcache[vireo_jit::jc_index(paddr) as usize];
                if e.paddr == paddr {
                    e.code = Some(code);
                }
            }
            self.blocks
                .translations
                .insert(paddr, Translation { code, source });
        }
    }

    fn run_block(&mut self, start: u32, len: u32) {
        let mut pc = self.pc;
        let mut done = 0i64;
        debug_assert!((start + len) as usize <= self.blocks.insns.len());
        // The arena never reallocates: it is created with BLOCK_ARENA
        // capacity and flushed before it would exceed it, and `clear`
        // keeps the allocation. So this pointer stays valid while the block
        // runs, even if an instruction (fence.i, always last) flushes.
        let insns = self.blocks.insns.as_ptr();
        for i in start..start + len {
            // SAFETY: i < start + len <= insns.len() <= capacity (see above);
            // Insn is Copy, so reading a slot that a flush logically
            // dropped still reads initialized memory.
            let insn = unsafe { &*insns.add(i as usize) };
            if i + 1 == start + len && done > 0 {
                // The last instruction of a block may read the counters:
                // everything before it must have retired.
                self.retire(done);
                done = 0;
            }
            match self.execute(insn, pc) {
                Ok(next) => {
                    done += 1;
                    if next != pc.wrapping_add(insn.len as u64) {
                        // A taken conditional branch: blocks go on past
                        // branches (their fall-through), and end here.
                        self.pc = next;
                        self.retire(done);
                        return;
                    }
                    pc = next;
                }
                Err(t) => {
                    self.pc = pc;
                    self.retire(done);
                    self.take_trap(t.cause, t.tval, false, pc);
                    return;
                }
            }
        }
        self.pc = pc;
        self.retire(done);
    }

    #[inline(always)]
    fn retire(&mut self, n: i64) {
        self.instret += n as u64;
        if self.csr.mcountinhibit != 0 {
            // Inhibited counters keep their value: move their offsets back.
            if self.csr.mcountinhibit & 4 != 0 {
                self.csr.instret_offset = self.csr.instret_offset.wrapping_sub(n as u64);
            }
            if self.csr.mcountinhibit & 1 != 0 {
                self.csr.cycle_offset = self.csr.cycle_offset.wrapping_sub(n as u64);
            }
        }
        self.timer_countdown -= n;
    }

    /// Fetch one instruction through the slow path (handles instructions
    /// that straddle pages, with precise faults on the second half).
    fn fetch_slow(&mut self, pc: u64) -> Result<Insn, Trap> {
        let lo = self.fetch_u16(pc, pc)?;
        if lo & 3 != 3 {
            return Ok(vireo_isa::decode_compressed(lo));
        }
        let hi = self.fetch_u16(pc.wrapping_add(2), pc.wrapping_add(2))?;
        Ok(vireo_isa::decode(lo as u32 | (hi as u32) << 16))
    }

    fn fetch_u16(&mut self, vaddr: u64, tval: u64) -> Result<u16, Trap> {
        let paddr = self
            .translate(vaddr, Access::Fetch)
            .map_err(|t| Trap::new(t.cause, tval))?;
        match self.ram.host_ptr(paddr, 2) {
            // SAFETY: host_ptr checked the 2 bytes are inside RAM.
            Some(p) => Ok(unsafe { (p as *const u16).read_unaligned() }),
            None => Err(Trap::new(cause::INSN_ACCESS, tval)),
        }
    }

    fn step_slow(&mut self) {
        let pc = self.pc;
        let r = self.fetch_slow(pc).and_then(|insn| self.execute(&insn, pc));
        match r {
            Ok(next) => {
                self.pc = next;
                self.retire(1);
            }
            Err(t) => self.take_trap(t.cause, t.tval, false, pc),
        }
    }

    fn step_traced(&mut self) {
        let pc = self.pc;
        let prv = self.prv;
        let insn = match self.fetch_slow(pc) {
            Ok(i) => i,
            Err(t) => {
                eprintln!(
                    "{:016x} [{:?}] fetch fault cause={} tval={:#x}",
                    pc, prv, t.cause, t.tval
                );
                self.take_trap(t.cause, t.tval, false, pc);
                return;
            }
        };
        let before = self.x;
        match self.execute(&insn, pc) {
            Ok(next) => {
                let mut line = format!("{:016x} [{:?}] {} {}", pc, prv, raw_hex(&insn), insn);
                for (r, (now, was)) in self.x.iter().zip(before.iter()).enumerate().skip(1) {
                    if now != was {
                        line.push_str(&format!("  x{r}={now:#x}"));
                    }
                }
                eprintln!("{line}");
                self.pc = next;
                self.retire(1);
            }
            Err(t) => {
                eprintln!(
                    "{:016x} [{:?}] {} {}  trap cause={} tval={:#x}",
                    pc,
                    prv,
                    raw_hex(&insn),
                    insn,
                    t.cause,
                    t.tval
                );
                self.take_trap(t.cause, t.tval, false, pc);
            }
        }
    }

    /// Write the register file in the `--dump-regs` format.
    pub fn dump_regs(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        writeln!(out, "pc 0x{:016x}", self.pc)?;
        for (i, v) in self.x.iter().enumerate() {
            writeln!(out, "x{} 0x{:016x}", i, v)?;
        }
        for (i, v) in self.f.iter().enumerate() {
            writeln!(out, "f{} 0x{:016x}", i, v)?;
        }
        Ok(())
    }
}

impl Hart {
    /// Give S and U modes access to all of physical memory through PMP
    /// entry 0 (what firmware does before entering the kernel).
    pub fn open_pmp(&mut self) {
        self.csr.pmpaddr[0] = (1 << 54) - 1;
        self.csr.pmpcfg[0] = 0x1f; // NAPOT, R, W, X
        self.pmp_changed();
    }

    /// Set the supervisor timer compare value (the SBI TIME extension uses
    /// this; with Sstc the guest writes `stimecmp` itself).
    pub fn set_stimecmp(&mut self, v: u64) {
        self.csr.stimecmp = v;
        self.refresh_timer();
    }
}

/// The instruction bits as printed by `--trace`: 4 hex digits for a
/// compressed instruction, 8 otherwise.
fn raw_hex(insn: &Insn) -> String {
    if insn.len == 2 {
        format!("    {:04x}", insn.raw)
    } else {
        format!("{:08x}", insn.raw)
    }
}

#[cfg(test)]
mod jit_tests;

#[cfg(test)]
mod tests {
    use super::*;

    fn hart_with_code(words: &[u32]) -> Box<Hart> {
        let ram = Arc::new(GuestRam::new(0x8000_0000, 1 << 20).unwrap());
        for (i, w) in words.iter().enumerate() {
            ram.write_bytes(0x8000_0000 + 4 * i as u64, &w.to_le_bytes())
                .unwrap();
        }
        let bus = Arc::new(Bus::new(ram));
        let mut h = Hart::new(
            0,
            bus,
            Arc::new(HartSignals::new()),
            Arc::new(Clock::new()),
            HartConfig::default(),
        );
        h.pc = 0x8000_0000;
        h
    }

    #[test]
    fn executes_a_simple_loop() {
        // li t0, 10; li t1, 0; loop: addi t1, t1, 3; addi t0, t0, -1; bnez t0, loop; wfi
        let code = [
            0x00a0_0293,
            0x0000_0313,
            0x0033_0313,
            0xfff2_8293,
            0xfe02_9ce3,
            0x1050_0073,
        ];
        let mut h = hart_with_code(&code);
        h.csr.mie = 0;
        let exit = h.run(1000);
        assert_eq!(exit, Exit::Wfi);
        assert_eq!(h.x[6], 30);
        assert_eq!(h.x[5], 0);
        assert_eq!(h.instret, 2 + 30 + 1);
    }

    #[test]
    fn illegal_instruction_traps_with_bits_in_mtval() {
        let mut h = hart_with_code(&[0xffff_ffff]);
        h.csr.mtvec = 0x8000_0100;
        h.run(1);
        assert_eq!(h.csr.mcause, cause::ILLEGAL_INSN);
        assert_eq!(h.csr.mtval, 0xffff_ffff);
        assert_eq!(h.csr.mepc, 0x8000_0000);
        assert_eq!(h.pc, 0x8000_0100);
    }

    #[test]
    fn host_write_into_decoded_code_invalidates_it() {
        // A block `addi a0, zero, 1; wfi` is decoded and run, then its
        // first word is overwritten from the host side (as device DMA
        // would) with `addi a0, zero, 2`: the next run must see it.
        let addi_a0_1 = 0x0010_0513u32;
        let addi_a0_2 = 0x0020_0513u32;
        let mut h = hart_with_code(&[0x1050_0073]);
        // Decode a block at 0x80000100 that sets a0 = 1, then wfi.
        h.bus()
            .ram()
            .write_bytes(0x8000_0100, &addi_a0_1.to_le_bytes())
            .unwrap();
        h.bus()
            .ram()
            .write_bytes(0x8000_0104, &0x1050_0073u32.to_le_bytes())
            .unwrap();
        h.pc = 0x8000_0100;
        assert_eq!(h.run(10), Exit::Wfi);
        assert_eq!(h.x[10], 1);
        // Overwrite the code from the host side (like DMA) and run again.
        h.bus()
            .ram()
            .write_bytes(0x8000_0100, &addi_a0_2.to_le_bytes())
            .unwrap();
        h.pc = 0x8000_0100;
        assert_eq!(h.run(10), Exit::Wfi);
        assert_eq!(h.x[10], 2, "a store into decoded code must invalidate it");
    }

    #[test]
    fn a_write_into_one_code_page_drops_only_that_pages_blocks() {
        // Page A (0x80001000) sets a0 = 1, page B (0x80002000) a1 = 7;
        // both end in wfi.
        let addi = |rd: u32, v: u32| (v << 20) | (rd << 7) | 0x13;
        let wfi = 0x1050_0073u32;
        let mut h = hart_with_code(&[wfi]);
        h.csr.mie = 0;
        let ram = h.bus().ram().clone();
        let put = |at: u64, words: &[u32]| {
            for (i, w) in words.iter().enumerate() {
                ram.write_bytes(at + 4 * i as u64, &w.to_le_bytes())
                    .unwrap();
            }
        };
        put(0x8000_1000, &[addi(10, 1), wfi]);
        put(0x8000_2000, &[addi(11, 7), wfi]);
        for pc in [0x8000_1000, 0x8000_2000] {
            h.pc = pc;
            assert_eq!(h.run(10), Exit::Wfi);
        }
        let before = h.stats();
        // Rewrite page A only.
        put(0x8000_1000, &[addi(10, 2)]);
        for pc in [0x8000_1000, 0x8000_2000] {
            h.pc = pc;
            assert_eq!(h.run(10), Exit::Wfi);
        }
        assert_eq!((h.x[10], h.x[11]), (2, 7));
        let after = h.stats();
        assert_eq!(after.cache_flushes, before.cache_flushes, "no flush");
        assert_eq!(after.code_pages_dropped, before.code_pages_dropped + 1);
        assert_eq!(
            after.blocks_decoded,
            before.blocks_decoded + 1,
            "page B's block stayed cached; page A's was decoded again"
        );
        // More writes than RAM remembers page by page: everything goes.
        for i in 0..=vireo_memory::CODE_LOG_LEN as u64 {
            ram.mark_code_page(0x8000_4000);
            ram.note_store(0x8000_4000 + i);
        }
        put(0x8000_1000, &[addi(10, 3)]);
        h.pc = 0x8000_1000;
        assert_eq!(h.run(10), Exit::Wfi);
        assert_eq!(h.x[10], 3);
        assert_eq!(h.stats().cache_flushes, after.cache_flushes + 1);
    }

    #[test]
    fn random_code_never_panics() {
        // Pseudo-random instruction streams, with traps vectoring back into
        // the same random code: the hart must stay well-behaved.
        let mut s = 0x9e37_79b9_7f4a_7c15u64;
        for round in 0..200 {
            let words: Vec<u32> = (0..1024)
                .map(|_| {
                    s ^= s << 13;
                    s ^= s >> 7;
                    s ^= s << 17;
                    s as u32
                })
                .collect();
            let mut h = hart_with_code(&words);
            h.csr.mtvec = 0x8000_0000 + ((round * 64) & 0xffc);
            h.csr.mstatus |= 1 << 13;
            for r in 1..32 {
                h.x[r] = s.rotate_left(r as u32);
            }
            h.x[2] = 0x8000_8000;
            let _ = h.run(5_000);
        }
    }
}
