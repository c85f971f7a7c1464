//! Address translation: Sv39/Sv48/Sv57 page walks, the software TLB, and
//! physical memory protection (PMP).
//!
//! The TLB caches, per privilege level the access is made at (U, S, M, and
//! S with `mstatus.SUM` set for data accesses) and per access kind (read,
//! write, fetch), the host address of guest RAM
//! pages. A hit costs one compare: the tag is `vaddr >> 12` XOR the
//! current ASID shifted to bit 52. With 11 ASID bits a tag never reaches
//! bit 63, so `u64::MAX` is free to mean "empty" (this is why vireo
//! implements 11 of the 16 possible ASID bits — `satp.ASID` is WARL).
//!
//! An entry is only created when the whole 4 KiB page is RAM and one PMP
//! decision covers it, and for writes only once the PTE's D bit is set, so
//! a hit never needs a permission check. Everything else (MMIO, partial PMP
//! regions, A/D updates, faults) takes the slow path every time.

use crate::csr::{mstatus, ASID_BITS};
use crate::trap::{Access, Priv, Trap};
use crate::Hart;
use std::sync::atomic::{AtomicU64, Ordering};

/// Entries of each direct-mapped TLB array (one array per access kind and
/// privilege). 2048 instead of 512: bzip2 (megabytes of sort arrays) 0.92
/// of the time, TLB misses 4.4 M → 2.4 M; boot and zstd unchanged
/// (interleaved pairs, 2026-12-07).
pub const TLB_ENTRIES: usize = 2048;
/// Tag of an empty TLB entry.
pub const TLB_EMPTY: u64 = u64::MAX;

/// One TLB entry: host address = guest virtual address + `addend`.
#[derive(Clone, Copy, Debug)]
#[repr(C)]
pub struct TlbEntry {
    /// `vaddr >> 12 ^ asid << 52`, or [`TLB_EMPTY`].
    pub tag: u64,
    /// Host pointer of the page minus its virtual address (wrapping).
    pub addend: u64,
    /// Guest physical address of the page.
    pub ppage: u64,
    /// Host address of the page's RAM flag byte
    /// ([`vireo_memory::GuestRam::page_flag_addr`]): translated stores
    /// read it to see whether the page needs the slow path.
    pub flag: u64,
}

pub(crate) const EMPTY_ENTRY: TlbEntry = TlbEntry {
    tag: TLB_EMPTY,
    addend: 0,
    ppage: 0,
    flag: 0,
};

/// Superpage ranges tracked for address-specific fences.
const MAX_SUPERPAGES: usize = 16;

/// Largest gap (in 4 KiB pages: 128 MiB) between superpages recorded as
/// one range (see `Mmu::note_superpage`).
const SUPERPAGE_BRIDGE: u64 = 1 << 15;

/// The range covering page ranges `a` and `b` (`(first, count)`), when
/// the gap between them is at most `SUPERPAGE_BRIDGE` pages.
fn near(a: (u64, u64), b: (u64, u64)) -> Option<(u64, u64)> {
    let (lo, hi) = (a.0.min(b.0), (a.0 + a.1).max(b.0 + b.1));
    // The span exceeds both lengths by the gap between them (or is
    // shorter when they overlap).
    (hi - lo <= a.1 + b.1 + SUPERPAGE_BRIDGE).then_some((lo, hi - lo))
}

/// The TLB arrays for one privilege level.
#[repr(C)]
pub struct Tlb {
    /// Entries valid for loads.
    pub read: [TlbEntry; TLB_ENTRIES],
    /// Entries valid for stores (PTE writable and dirty).
    pub write: [TlbEntry; TLB_ENTRIES],
    /// Entries valid for instruction fetch.
    pub exec: [TlbEntry; TLB_ENTRIES],
}

impl Tlb {
    fn flush(&mut self) {
        self.read.fill(EMPTY_ENTRY);
        self.write.fill(EMPTY_ENTRY);
        self.exec.fill(EMPTY_ENTRY);
    }
}

/// The MMU's cached state.
#[repr(C)]
pub struct Mmu {
    /// TLBs indexed by [`priv_index`] (fetches) and [`data_index`] (loads
    /// and stores): S-mode data accesses with `mstatus.SUM` set have their
    /// own arrays, so that the kernel's toggling of SUM around every user
    /// copy switches arrays instead of flushing them.
    pub tlbs: [Tlb; 4],
    /// `asid << 52`, XORed into tags.
    pub asid_tag: u64,
    /// Counts the changes that may make a virtual pc mean other code:
    /// fences, address-space switches, PMP writes (see
    /// `vireo_jit::JitCtx::vjcache`).
    pub fetch_epoch: u64,
    /// The superpages that cached entries came from, as ranges of
    /// virtual page numbers `(first, count)` (any ASID): an
    /// address-specific fence for an address inside one drops everything,
    /// since the superpage's entries sit at many TLB indices. Other
    /// address-specific fences drop one entry per array (the Linux kernel
    /// maps itself with superpages but fences single pages of vmalloc
    /// and user memory).
    superpages: [(u64, u64); MAX_SUPERPAGES],
    /// Entries of `superpages` in use; `MAX_SUPERPAGES + 1` when more were
    /// cached than it holds (then every address-specific fence flushes
    /// everything).
    n_superpages: usize,
    /// Decoded PMP ranges.
    pmp: [PmpEntry; 16],
    /// Number of PMP entries with A != OFF.
    pmp_active: usize,
    /// TLB statistics.
    pub misses: u64,
}

/// Index of the TLB used for accesses at privilege `p`.
#[inline(always)]
pub fn priv_index(p: Priv) -> usize {
    match p {
        Priv::U => 0,
        Priv::S => 1,
        Priv::M => 2,
    }
}

/// Index of the TLB used for loads and stores at privilege `p` with
/// `mstatus.SUM` = `sum` (S-mode may then reach user pages).
#[inline(always)]
pub fn data_index(p: Priv, sum: bool) -> usize {
    if p == Priv::S && sum {
        3
    } else {
        priv_index(p)
    }
}

/// One decoded PMP entry.
#[derive(Clone, Copy, Debug, Default)]
pub struct PmpEntry {
    /// The configuration byte.
    pub cfg: u8,
    /// First byte covered.
    pub lo: u64,
    /// One past the last byte covered (saturating; `u64::MAX` = to the end).
    pub hi: u64,
}

impl PmpEntry {
    /// Read permission.
    pub const R: u8 = 1;
    /// Write permission.
    pub const W: u8 = 2;
    /// Execute permission.
    pub const X: u8 = 4;
    /// Locked (applies to M-mode too; not writable).
    pub const L: u8 = 0x80;
}

impl Mmu {
    /// An empty MMU.
    pub fn new() -> Box<Mmu> {
        // Built in zeroed heap memory, never on the stack: the TLBs take
        // 768 KiB (a thread's stack may be 2 MiB).
        // SAFETY: all-zero bytes are a valid Mmu (integers and arrays of
        // integers only: no references, no enums, no non-null pointers):
        // asid tag 0, no superpages, PMP entries off; the TLBs are then
        // emptied by `flush_all`. Mmu is not zero-sized; one value's
        // layout is what `Box` frees.
        let mut m = unsafe { Box::from_raw(crate::alloc_zeroed::<Mmu>(1)) };
        m.flush_all();
        m
    }

    /// Drop every cached translation.
    pub fn flush_all(&mut self) {
        self.fetch_epoch += 1;
        for t in self.tlbs.iter_mut() {
            t.flush();
        }
        self.n_superpages = 0;
    }

    /// Drop translations of the page holding `vaddr` (all ASIDs).
    pub fn flush_page(&mut self, vaddr: u64) {
        self.fetch_epoch += 1;
        let vpn = vaddr >> 12;
        if self.n_superpages > MAX_SUPERPAGES
            || self.superpages[..self.n_superpages]
                .iter()
                .any(|&(first, n)| vpn.wrapping_sub(first) < n)
        {
            self.flush_all();
            return;
        }
        let idx = (vpn as usize) & (TLB_ENTRIES - 1);
        let mask = (1u64 << 52) - 1;
        for t in self.tlbs.iter_mut() {
            for arr in [&mut t.read, &mut t.write, &mut t.exec] {
                let e = &mut arr[idx];
                if e.tag != TLB_EMPTY && e.tag & mask == vpn & mask {
                    *e = EMPTY_ENTRY;
                }
            }
        }
    }

    /// Record that entries of the superpage (of `level`) holding `vaddr`
    /// may be cached. A superpage within `SUPERPAGE_BRIDGE` of a recorded
    /// range widens it (over the gap, which only makes fences there
    /// flush more): the kernel's linear map is hundreds of megapages,
    /// walked in any order, which as separate ranges would overflow the
    /// table within a few walks and turn every single-page fence into a
    /// full flush (a Debian boot did over a thousand full flushes that
    /// way, each emptying 768 KiB of TLB and refilling it after).
    fn note_superpage(&mut self, vaddr: u64, level: u32) {
        let n = 1u64 << (9 * level);
        // Page numbers are below 2^52: no sum here overflows.
        let first = (vaddr >> 12) & !(n - 1);
        let used = self.n_superpages.min(MAX_SUPERPAGES);
        let widened = (0..used).find_map(|i| near(self.superpages[i], (first, n)).map(|w| (i, w)));
        let Some((mut i, w)) = widened else {
            if self.n_superpages < MAX_SUPERPAGES {
                self.superpages[self.n_superpages] = (first, n);
            }
            self.n_superpages = (self.n_superpages + 1).min(MAX_SUPERPAGES + 1);
            return;
        };
        self.superpages[i] = w;
        // The widened range may now reach others: fold them in (only
        // while the table is complete, so that no range is lost).
        if self.n_superpages > MAX_SUPERPAGES {
            return;
        }
        while let Some((j, w)) = (0..self.n_superpages)
            .filter(|&j| j != i)
            .find_map(|j| near(self.superpages[j], self.superpages[i]).map(|w| (j, w)))
        {
            self.superpages[i] = w;
            // Remove range j: the last one moves into its slot.
            self.n_superpages -= 1;
            self.superpages[j] = self.superpages[self.n_superpages];
            if i == self.n_superpages {
                i = j;
            }
        }
    }

    /// Switch to a new current ASID.
    pub fn set_asid(&mut self, asid: u64) {
        self.fetch_epoch += 1;
        self.asid_tag = (asid & ((1 << ASID_BITS) - 1)) << 52;
    }

    /// The tag for `vaddr` under the current ASID.
    #[inline(always)]
    pub fn tag(&self, vaddr: u64) -> u64 {
        (vaddr >> 12) ^ self.asid_tag
    }

    fn set_pmp(&mut self, cfg: &[u8; 16], addr: &[u64; 16]) {
        self.fetch_epoch += 1;
        self.pmp_active = 0;
        for i in 0..16 {
            let c = cfg[i];
            let a = (c >> 3) & 3;
            let (lo, hi) = match a {
                1 => {
                    let lo = if i == 0 { 0 } else { addr[i - 1] << 2 };
                    (lo, addr[i] << 2)
                }
                2 => (addr[i] << 2, (addr[i] << 2) + 4),
                3 => {
                    let t = addr[i].trailing_ones() as u64;
                    if t >= 54 {
                        (0, u64::MAX)
                    } else {
                        let size = 1u64 << (t + 3);
                        let lo = (addr[i] & !((1u64 << t) - 1)) << 2;
                        (lo, lo.saturating_add(size))
                    }
                }
                _ => (0, 0),
            };
            if a != 0 {
                self.pmp_active += 1;
            }
            self.pmp[i] = PmpEntry { cfg: c, lo, hi };
        }
    }

    /// Whether `[paddr, paddr+len)` may be accessed for `access` at
    /// effective privilege `p`.
    pub fn pmp_allows(&self, paddr: u64, len: u64, access: Access, p: Priv) -> bool {
        if self.pmp_active == 0 {
            // No entry configured: only M-mode may access memory (the
            // privileged spec; firmware programs PMP before dropping
            // privilege, and vireo's built-in firmware does too).
            return p == Priv::M;
        }
        let end = paddr.saturating_add(len);
        for e in self.pmp.iter() {
            if (e.cfg >> 3) & 3 == 0 {
                continue;
            }
            let overlaps = paddr < e.hi && e.lo < end;
            if !overlaps {
                continue;
            }
            let covers = e.lo <= paddr && end <= e.hi;
            if !covers {
                return false;
            }
            if p == Priv::M && e.cfg & PmpEntry::L == 0 {
                return true;
            }
            let need = match access {
                Access::Load => PmpEntry::R,
                Access::Store => PmpEntry::W,
                Access::Fetch => PmpEntry::X,
            };
            return e.cfg & need != 0;
        }
        p == Priv::M
    }
}

/// Result of a translation: the physical address and whether the page may
/// be cached in the TLB for this access kind.
struct Walk {
    paddr: u64,
    /// Levels above a 4 KiB page of the leaf (0: 4 KiB page, 1: 2 MiB
    /// megapage, ...).
    level: u32,
}

impl Hart {
    /// Re-derive the decoded PMP table after a CSR write.
    pub(crate) fn pmp_changed(&mut self) {
        let (cfg, addr) = (self.csr.pmpcfg, self.csr.pmpaddr);
        self.mmu.set_pmp(&cfg, &addr);
        self.mmu.flush_all();
    }

    /// The privilege data accesses are made at (MPRV).
    #[inline(always)]
    pub(crate) fn data_priv(&self) -> Priv {
        if self.prv == Priv::M && self.csr.mstatus & mstatus::MPRV != 0 {
            Priv::from_bits(self.csr.mstatus >> mstatus::MPP_SHIFT).unwrap_or(Priv::U)
        } else {
            self.prv
        }
    }

    /// Recompute the TLB index used for loads and stores.
    pub(crate) fn update_data_mode(&mut self) {
        self.data_idx = data_index(self.data_priv(), self.csr.mstatus & mstatus::SUM != 0);
    }

    /// Translate `vaddr` for `access` (slow path: walks, checks PMP, fills
    /// the TLB when allowed). Returns the physical address.
    pub(crate) fn translate(&mut self, vaddr: u64, access: Access) -> Result<u64, Trap> {
        self.mmu.misses += 1;
        let p = if access == Access::Fetch {
            self.prv
        } else {
            self.data_priv()
        };
        let mode = self.csr.satp >> 60;
        let walk = if p == Priv::M || mode == 0 {
            Walk {
                paddr: vaddr,
                level: 0,
            }
        } else {
            self.walk(vaddr, access, p, mode)?
        };
        let paddr = walk.paddr;
        if paddr >> 56 != 0 || !self.mmu.pmp_allows(paddr, 1, access, p) {
            return Err(Trap::new(access.access_fault(), vaddr));
        }
        // Cache the page when it is RAM and PMP treats it uniformly.
        let ppage = paddr & !0xfff;
        if let (Some(host), Some(flag)) = (
            self.ram.host_ptr(ppage, 0x1000),
            self.ram.page_flag_addr(ppage),
        ) {
            if self.mmu.pmp_allows(ppage, 0x1000, access, p) {
                let tag = self.mmu.tag(vaddr);
                let idx = ((vaddr >> 12) as usize) & (TLB_ENTRIES - 1);
                let entry = TlbEntry {
                    tag,
                    addend: (host as u64).wrapping_sub(vaddr & !0xfff),
                    ppage,
                    flag: flag as u64,
                };
                let t = &mut self.mmu.tlbs[if access == Access::Fetch {
                    priv_index(p)
                } else {
                    self.data_idx
                }];
                match access {
                    Access::Load => t.read[idx] = entry,
                    Access::Store => t.write[idx] = entry,
                    Access::Fetch => t.exec[idx] = entry,
                }
                if walk.level > 0 {
                    self.mmu.note_superpage(vaddr, walk.level);
                }
            }
        }
        Ok(paddr)
    }

    /// Walk the page table for `vaddr` (Sv39 = mode 8, Sv48 = 9, Sv57 = 10).
    fn walk(&mut self, vaddr: u64, access: Access, p: Priv, mode: u64) -> Result<Walk, Trap> {
        loop {
            if let Some(w) = self.walk_once(vaddr, access, p, mode)? {
                return Ok(w);
            }
            // Another hart changed the PTE under our A/D update: walk again
            // (a loop, not recursion, so a hostile guest cannot grow the
            // host stack).
            std::hint::spin_loop();
        }
    }

    /// One walk attempt; `Ok(None)` when the A/D update raced with another
    /// hart's write to the PTE.
    fn walk_once(
        &mut self,
        vaddr: u64,
        access: Access,
        p: Priv,
        mode: u64,
    ) -> Result<Option<Walk>, Trap> {
        let fault = Trap::new(access.page_fault(), vaddr);
        let levels: u32 = match mode {
            8 => 3,
            9 => 4,
            _ => 5,
        };
        let va_bits = 12 + 9 * levels;
        // The address must be sign-extended from its top implemented bit.
        let shift = 64 - va_bits;
        if (((vaddr << shift) as i64) >> shift) as u64 != vaddr {
            return Err(fault);
        }
        let sum = self.csr.mstatus & mstatus::SUM != 0;
        let mxr = self.csr.mstatus & mstatus::MXR != 0;
        let mut table = (self.csr.satp & ((1 << 44) - 1)) << 12;
        let mut level = levels as i32 - 1;
        loop {
            let vpn = (vaddr >> (12 + 9 * level as u32)) & 0x1ff;
            let pte_addr = table + vpn * 8;
            if !self.mmu.pmp_allows(pte_addr, 8, Access::Load, Priv::S) {
                return Err(Trap::new(access.access_fault(), vaddr));
            }
            let Some(pte_ptr) = self.ram.host_ptr(pte_addr, 8) else {
                return Err(Trap::new(access.access_fault(), vaddr));
            };
            // SAFETY: `pte_ptr` points to 8 bytes inside guest RAM and PTEs
            // are 8-byte aligned (table is page-aligned, vpn*8), so the
            // atomic view is valid; other harts may update A/D concurrently.
            let pte_atomic = unsafe { AtomicU64::from_ptr(pte_ptr as *mut u64) };
            let pte = pte_atomic.load(Ordering::Acquire);
            let v = pte & 1 != 0;
            let r = pte & 2 != 0;
            let w = pte & 4 != 0;
            let x = pte & 8 != 0;
            let u = pte & 16 != 0;
            if !v || (!r && w) || pte >> 54 != 0 {
                return Err(fault);
            }
            let ppn = (pte >> 10) & ((1 << 44) - 1);
            if !r && !x {
                // Pointer to the next level.
                if level == 0 {
                    return Err(fault);
                }
                level -= 1;
                table = ppn << 12;
                continue;
            }
            // Leaf: permission checks.
            match p {
                Priv::U if !u => return Err(fault),
                Priv::S if u && (access == Access::Fetch || !sum) => return Err(fault),
                _ => {}
            }
            let ok = match access {
                Access::Fetch => x,
                Access::Load => r || (mxr && x),
                Access::Store => w,
            };
            if !ok {
                return Err(fault);
            }
            // Superpages must be aligned.
            let low_mask = (1u64 << (9 * level as u32)) - 1;
            if ppn & low_mask != 0 {
                return Err(fault);
            }
            // Hardware A/D update.
            let need = if access == Access::Store {
                0x40 | 0x80
            } else {
                0x40
            };
            if pte & need != need {
                if !self.mmu.pmp_allows(pte_addr, 8, Access::Store, Priv::S) {
                    return Err(Trap::new(access.access_fault(), vaddr));
                }
                if pte_atomic
                    .compare_exchange(pte, pte | need, Ordering::AcqRel, Ordering::Acquire)
                    .is_err()
                {
                    return Ok(None);
                }
                self.ram.note_store(pte_addr);
            }
            let page_off_mask = (1u64 << (12 + 9 * level as u32)) - 1;
            let paddr = ((ppn << 12) & !page_off_mask) | (vaddr & page_off_mask);
            return Ok(Some(Walk {
                paddr,
                level: level as u32,
            }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cached translation of virtual page `vpn` (ASID 0).
    fn cached(m: &mut Mmu, tlb: usize, vpn: u64) {
        m.tlbs[tlb].read[(vpn as usize) & (TLB_ENTRIES - 1)] = TlbEntry {
            tag: vpn,
            addend: 0,
            ppage: 0x8000_0000,
            flag: 0,
        };
    }

    fn is_cached(m: &Mmu, tlb: usize, vpn: u64) -> bool {
        m.tlbs[tlb].read[(vpn as usize) & (TLB_ENTRIES - 1)].tag == vpn
    }

    #[test]
    fn adjacent_superpages_share_one_range_and_page_fences_stay_narrow() {
        let mut m = Mmu::new();
        // A linear map of 512 MiB in megapages, walked in a scattered
        // order (Sv39 upper half: page numbers near u64::MAX >> 12).
        let base = 0xffff_ffd8_0000_0000u64;
        for k in (0..256u64).map(|k| (k * 97) % 256) {
            m.note_superpage(base + (k << 21) + 0x1234, 1);
        }
        // And a user megapage (a huge page of a process), far away.
        m.note_superpage(0x4000_0000, 1);
        assert_eq!(m.n_superpages, 2);
        assert!(m.superpages.contains(&(base >> 12, 256 << 9)));
        let kernel = (base + (77 << 21) + 0x5000) >> 12;
        let user = 0x13_0000 >> 12;
        let other_user = 0x3fff_f000 >> 12; // just below the user megapage
        cached(&mut m, 1, kernel);
        cached(&mut m, 0, user);
        cached(&mut m, 0, other_user);
        // A user page's fence drops that page only.
        m.flush_page(user << 12);
        assert!(!is_cached(&m, 0, user));
        assert!(is_cached(&m, 0, other_user) && is_cached(&m, 1, kernel));
        // A fence inside the linear map (at another index than the cached
        // kernel entry) drops every entry that may come from a superpage.
        m.flush_page(base + (200 << 21));
        assert!(!is_cached(&m, 1, kernel) && !is_cached(&m, 0, other_user));
        assert_eq!(m.n_superpages, 0);
    }

    #[test]
    fn too_many_scattered_superpages_make_every_page_fence_flush_all() {
        let mut m = Mmu::new();
        for k in 0..=MAX_SUPERPAGES as u64 {
            m.note_superpage(k << 31, 1); // 2 GiB apart: never adjacent
        }
        let (a, b) = (0x13_0000 >> 12, 0x7ff_f000 >> 12);
        cached(&mut m, 0, a);
        cached(&mut m, 0, b);
        m.flush_page(a << 12);
        assert!(!is_cached(&m, 0, a) && !is_cached(&m, 0, b));
    }
}
