//! Guest DRAM.

use std::fs::File;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering};
use std::sync::Mutex;
use thiserror::Error;
use vm_memory::mmap::MmapRegionBuilder;
use vm_memory::{FileOffset, GuestAddress, GuestMemoryBackend, GuestMemoryMmap, GuestRegionMmap};

/// Size of the unit of code tracking (and of the smallest guest page).
pub const PAGE_SIZE: u64 = 4096;

/// Errors creating or accessing guest RAM from the host side.
#[derive(Debug, Error)]
pub enum RamError {
    /// The host refused to map the requested amount of memory.
    #[error("cannot allocate {size} bytes of guest RAM: {reason}")]
    Alloc {
        /// Requested size in bytes.
        size: u64,
        /// Why the host refused.
        reason: String,
    },
    /// A host-side access (loader, device) fell outside RAM.
    #[error("guest physical range {addr:#x}+{len:#x} is outside RAM ({base:#x}..{end:#x})")]
    OutOfRange {
        /// Start of the access.
        addr: u64,
        /// Length of the access.
        len: u64,
        /// First RAM address.
        base: u64,
        /// One past the last RAM address.
        end: u64,
    },
    /// Reading a file into RAM failed.
    #[error("cannot read into guest RAM: {0}")]
    Read(#[source] std::io::Error),
}

/// The guest's DRAM: one contiguous host mapping at a guest physical base.
///
/// Invariant: `host` points to `size` bytes that stay mapped for the life of
/// this value (they are owned by `mem`). Every access through the raw
/// pointer is bounds-checked against `size` first.
pub struct GuestRam {
    mem: GuestMemoryMmap,
    base: u64,
    size: u64,
    host: *mut u8,
    /// One byte of flags per page: [`PAGE_CODE`] when some hart holds
    /// decoded instructions from the page, [`PAGE_CLEAN`] when dirty-page
    /// tracking is on and nothing wrote the page since the log was last
    /// taken. Any store to a page with a flag set clears both (and bumps
    /// `code_epoch` if the page held code); stores to flagless pages cost
    /// one load, so tracking adds nothing to the store path.
    page_flags: Box<[AtomicU8]>,
    code_epoch: AtomicU64,
    /// Which pages the last [`CODE_LOG_LEN`] code-epoch changes were
    /// about (entry `e % CODE_LOG_LEN` for the change from `e` to `e+1`),
    /// so that a hart drops only the decoded blocks of those pages. The
    /// lock is taken on invalidations only, never on the store path.
    code_log: Mutex<[u64; CODE_LOG_LEN]>,
    /// Dirty-page tracking is on.
    tracking: AtomicBool,
}

/// Read `size` (1, 2, 4 or 8) bytes at host address `p`, little-endian,
/// zero-extended: the one place that turns an access size into a host
/// load (the bus, the hart's TLB fast path and its checking engine).
///
/// # Safety
///
/// `p..p + size` is valid for reads (inside guest RAM); any alignment.
#[inline(always)]
pub unsafe fn read_sized(p: *const u8, size: u64) -> u64 {
    // SAFETY: the caller guarantees the bytes are readable; unaligned
    // reads are used for every size.
    unsafe {
        match size {
            1 => p.read() as u64,
            2 => (p as *const u16).read_unaligned() as u64,
            4 => (p as *const u32).read_unaligned() as u64,
            _ => (p as *const u64).read_unaligned(),
        }
    }
}

/// Write the low `size` (1, 2, 4 or 8) bytes of `v` at host address `p`.
///
/// # Safety
///
/// `p..p + size` is valid for writes (inside guest RAM); any alignment.
#[inline(always)]
pub unsafe fn write_sized(p: *mut u8, size: u64, v: u64) {
    // SAFETY: the caller guarantees the bytes are writable; unaligned
    // writes are used for every size.
    unsafe {
        match size {
            1 => p.write(v as u8),
            2 => (p as *mut u16).write_unaligned(v as u16),
            4 => (p as *mut u32).write_unaligned(v as u32),
            _ => (p as *mut u64).write_unaligned(v),
        }
    }
}

/// Page flag: decoded instructions from this page are cached.
const PAGE_CODE: u8 = 1;
/// Page flag: not written since the dirty log was last taken.
const PAGE_CLEAN: u8 = 2;

/// Code-epoch changes remembered page by page (see
/// [`GuestRam::code_writes_since`]); a hart further behind drops its
/// whole decode cache.
pub const CODE_LOG_LEN: usize = 256;

// SAFETY: the raw pointer refers to a mapping owned by `mem`, which is
// itself Send + Sync; all shared mutation goes through atomics or raw
// memory accesses that the guest is responsible for ordering (as on real
// hardware).
unsafe impl Send for GuestRam {}
// SAFETY: see the `Send` impl above.
unsafe impl Sync for GuestRam {}

impl GuestRam {
    /// Map `size` bytes of zeroed guest RAM at guest physical `base`.
    pub fn new(base: u64, size: u64) -> Result<GuestRam, RamError> {
        let alloc_err = |reason: String| RamError::Alloc { size, reason };
        if size == 0 || !size.is_multiple_of(PAGE_SIZE) {
            return Err(alloc_err(
                "size must be a non-zero multiple of 4 KiB".into(),
            ));
        }
        let mem = GuestMemoryMmap::<()>::from_ranges(&[(GuestAddress(base), size as usize)])
            .map_err(|e| alloc_err(e.to_string()))?;
        Self::wrap(mem, base, size)
    }

    /// Map guest RAM copy-on-write from `file` at byte `offset` (a
    /// snapshot's memory file): pages are read from the file when the
    /// guest first touches them, and guest writes stay private to this
    /// process, so the file is never modified and any number of VMs can
    /// share it. Costs the same whatever the size: nothing is read here.
    pub fn from_file(base: u64, size: u64, file: File, offset: u64) -> Result<GuestRam, RamError> {
        let alloc_err = |reason: String| RamError::Alloc { size, reason };
        if size == 0 || !size.is_multiple_of(PAGE_SIZE) || !offset.is_multiple_of(PAGE_SIZE) {
            return Err(alloc_err(
                "size and file offset must be multiples of 4 KiB".into(),
            ));
        }
        let len = file
            .metadata()
            .map_err(|e| alloc_err(format!("cannot stat the memory file: {e}")))?
            .len();
        if len < offset.saturating_add(size) {
            return Err(alloc_err(format!(
                "the memory file has {len} bytes, {} are needed",
                offset + size
            )));
        }
        let region = MmapRegionBuilder::new(size as usize)
            .with_mmap_prot(libc::PROT_READ | libc::PROT_WRITE)
            .with_mmap_flags(libc::MAP_PRIVATE | libc::MAP_NORESERVE)
            .with_file_offset(FileOffset::new(file, offset))
            .build()
            .map_err(|e| alloc_err(format!("cannot map the memory file: {e}")))?;
        let region = GuestRegionMmap::new(region, GuestAddress(base))
            .ok_or_else(|| alloc_err("RAM would wrap the address space".into()))?;
        let mem =
            GuestMemoryMmap::from_regions(vec![region]).map_err(|e| alloc_err(e.to_string()))?;
        Self::wrap(mem, base, size)
    }

    fn wrap(mem: GuestMemoryMmap, base: u64, size: u64) -> Result<GuestRam, RamError> {
        let host = mem
            .get_host_address(GuestAddress(base))
            .map_err(|e| RamError::Alloc {
                size,
                reason: e.to_string(),
            })?;
        let pages = (size / PAGE_SIZE) as usize;
        // Zeroed memory from the allocator is mapped lazily by the host,
        // so this costs nothing up front however large RAM is (restore
        // time must not grow with guest memory).
        let zeroed: Box<[u8]> = vec![0u8; pages].into_boxed_slice();
        // SAFETY: `AtomicU8` has the same size, alignment and bit validity
        // as `u8` (documented), so a boxed `[u8]` is a valid boxed
        // `[AtomicU8]` of the same length, allocated with the same layout.
        let page_flags: Box<[AtomicU8]> =
            unsafe { Box::from_raw(Box::into_raw(zeroed) as *mut [AtomicU8]) };
        Ok(GuestRam {
            mem,
            base,
            size,
            host,
            page_flags,
            code_epoch: AtomicU64::new(0),
            code_log: Mutex::new([0; CODE_LOG_LEN]),
            tracking: AtomicBool::new(false),
        })
    }

    /// All of RAM as a host slice, for saving it. Only call while nothing
    /// writes guest memory (the VM is paused): the slice aliases memory
    /// that harts and devices otherwise write concurrently.
    ///
    /// # Safety
    /// No vCPU or device may write guest RAM while the slice lives.
    pub unsafe fn as_slice_while_paused(&self) -> &[u8] {
        // SAFETY: `host..host+size` is the mapping owned by `mem`, alive
        // as long as `self`; the caller guarantees nobody writes it.
        unsafe { std::slice::from_raw_parts(self.host, self.size as usize) }
    }

    /// First guest physical address of RAM.
    pub fn base(&self) -> u64 {
        self.base
    }

    /// Size of RAM in bytes.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// One past the last guest physical address of RAM.
    pub fn end(&self) -> u64 {
        self.base + self.size
    }

    /// The `vm-memory` view of RAM, for device models built on rust-vmm.
    pub fn guest_memory(&self) -> &GuestMemoryMmap {
        &self.mem
    }

    /// True when `[addr, addr+len)` lies entirely inside RAM.
    #[inline(always)]
    pub fn contains(&self, addr: u64, len: u64) -> bool {
        let off = addr.wrapping_sub(self.base);
        off < self.size && len <= self.size - off
    }

    /// Host pointer to guest physical `addr`, if `[addr, addr+len)` is RAM.
    #[inline(always)]
    pub fn host_ptr(&self, addr: u64, len: u64) -> Option<*mut u8> {
        if self.contains(addr, len) {
            // SAFETY: the offset is within the mapping (checked above).
            Some(unsafe { self.host.add((addr - self.base) as usize) })
        } else {
            None
        }
    }

    fn check(&self, addr: u64, len: u64) -> Result<*mut u8, RamError> {
        self.host_ptr(addr, len).ok_or(RamError::OutOfRange {
            addr,
            len,
            base: self.base,
            end: self.end(),
        })
    }

    /// Copy guest memory into `buf` (host-side access: loaders, devices).
    pub fn read_bytes(&self, addr: u64, buf: &mut [u8]) -> Result<(), RamError> {
        let p = self.check(addr, buf.len() as u64)?;
        // SAFETY: `p..p+len` is inside the mapping (checked); `buf` is a
        // distinct host buffer.
        unsafe { std::ptr::copy_nonoverlapping(p, buf.as_mut_ptr(), buf.len()) };
        Ok(())
    }

    /// Copy `data` into guest memory (host-side access: loaders, device DMA).
    /// Keeps decoded-instruction caches coherent.
    pub fn write_bytes(&self, addr: u64, data: &[u8]) -> Result<(), RamError> {
        let p = self.check(addr, data.len() as u64)?;
        // SAFETY: `p..p+len` is inside the mapping (checked); `data` is a
        // distinct host buffer.
        unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), p, data.len()) };
        self.note_stores(addr, data.len() as u64);
        Ok(())
    }

    /// Read `src` from its current position straight into guest memory at
    /// `addr`, until its end or `max` bytes, whichever comes first (a
    /// loader's kernel of tens of MiB, without a host buffer and a second
    /// copy). Returns the number of bytes read; they count as stores for
    /// the decoded-instruction caches, like `write_bytes`. A short read
    /// error leaves what was read before it in RAM.
    pub fn read_from(&self, addr: u64, src: &mut File, max: u64) -> Result<u64, RamError> {
        use vm_memory::Bytes;
        self.check(addr, max)?;
        let mut done = 0u64;
        let res = loop {
            if done == max {
                break Ok(());
            }
            let want = (max - done).min(1 << 30) as usize;
            match self
                .mem
                .read_volatile_from(GuestAddress(addr + done), src, want)
            {
                Ok(0) => break Ok(()),
                Ok(n) => done += n as u64,
                Err(vm_memory::GuestMemoryError::IOError(e))
                    if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => break Err(RamError::Read(std::io::Error::other(e))),
            }
        };
        self.note_stores(addr, done);
        res.map(|()| done)
    }

    /// Fill `[addr, addr+len)` with zeroes.
    pub fn zero(&self, addr: u64, len: u64) -> Result<(), RamError> {
        let p = self.check(addr, len)?;
        // SAFETY: the range is inside the mapping (checked).
        unsafe { std::ptr::write_bytes(p, 0, len as usize) };
        self.note_stores(addr, len);
        Ok(())
    }

    /// A host-side write of `[addr, addr+len)` (inside RAM, checked by the
    /// caller) happened: each page it touched counts as stored to, for
    /// the decoded-instruction caches.
    fn note_stores(&self, addr: u64, len: u64) {
        if len == 0 {
            return;
        }
        let first = (addr - self.base) / PAGE_SIZE;
        let last = (addr - self.base + len - 1) / PAGE_SIZE;
        for page in first..=last {
            self.note_store_page(page as usize);
        }
    }

    /// Read a little-endian u32 (host-side).
    pub fn read_u32(&self, addr: u64) -> Result<u32, RamError> {
        let mut b = [0u8; 4];
        self.read_bytes(addr, &mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    /// Read a little-endian u64 (host-side).
    pub fn read_u64(&self, addr: u64) -> Result<u64, RamError> {
        let mut b = [0u8; 8];
        self.read_bytes(addr, &mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    /// Write a little-endian u64 (host-side).
    pub fn write_u64(&self, addr: u64, v: u64) -> Result<(), RamError> {
        self.write_bytes(addr, &v.to_le_bytes())
    }

    // ---- code-page tracking -------------------------------------------

    /// Record that decoded instructions from the page holding `addr` are
    /// cached. `addr` must be in RAM.
    #[inline]
    pub fn mark_code_page(&self, addr: u64) {
        let page = ((addr - self.base) / PAGE_SIZE) as usize;
        if let Some(b) = self.page_flags.get(page) {
            b.fetch_or(PAGE_CODE, Ordering::AcqRel);
        }
    }

    /// The address of the flag byte of the RAM page holding `paddr`, or
    /// `None` outside RAM, for translated code: a store to a page whose
    /// byte is not 0 must go through [`GuestRam::note_store`] (translated
    /// code leaves such stores to the interpreter); a store to a page
    /// whose byte is 0 needs nothing. The byte is an atomic: read it with
    /// single-byte loads only. Valid as long as `self` is.
    pub fn page_flag_addr(&self, paddr: u64) -> Option<*const u8> {
        let page = paddr.checked_sub(self.base)? / PAGE_SIZE;
        self.page_flags
            .get(usize::try_from(page).ok()?)
            .map(|b| b.as_ptr() as *const u8)
    }

    /// Number of RAM pages.
    pub fn pages(&self) -> u64 {
        self.page_flags.len() as u64
    }

    /// Called for every guest store to RAM at `addr`: if the page holds
    /// cached code, invalidate all decode caches.
    #[inline(always)]
    pub fn note_store(&self, addr: u64) {
        let page = (addr.wrapping_sub(self.base) / PAGE_SIZE) as usize;
        self.note_store_page(page);
    }

    #[inline(always)]
    fn note_store_page(&self, page: usize) {
        if let Some(b) = self.page_flags.get(page) {
            if b.load(Ordering::Relaxed) != 0 {
                self.note_store_slow(page, b);
            }
        }
    }

    #[cold]
    fn note_store_slow(&self, page: usize, flags: &AtomicU8) {
        if flags.swap(0, Ordering::AcqRel) & PAGE_CODE != 0 {
            // Log the page, then publish the new epoch (both under the
            // lock, so a reader sees every page of the epochs it is told).
            let mut log = self.code_log.lock().unwrap_or_else(|e| e.into_inner());
            let e = self.code_epoch.load(Ordering::Acquire);
            log[(e % CODE_LOG_LEN as u64) as usize] = self.base + page as u64 * PAGE_SIZE;
            self.code_epoch.store(e + 1, Ordering::Release);
        }
    }

    /// The pages (guest physical addresses of their first bytes) whose
    /// decoded code was invalidated since code epoch `epoch`, appended to
    /// `pages`; returns the epoch they bring the caller to. `None` when
    /// the log no longer reaches back to `epoch` (more than
    /// [`CODE_LOG_LEN`] invalidations since): drop everything then.
    pub fn code_writes_since(&self, epoch: u64, pages: &mut Vec<u64>) -> Option<u64> {
        let log = self.code_log.lock().unwrap_or_else(|e| e.into_inner());
        let now = self.code_epoch.load(Ordering::Acquire);
        if now.wrapping_sub(epoch) > CODE_LOG_LEN as u64 {
            return None;
        }
        for e in epoch..now {
            pages.push(log[(e % CODE_LOG_LEN as u64) as usize]);
        }
        Some(now)
    }

    // ---- dirty-page tracking --------------------------------------------

    /// Turn dirty-page tracking on (every page starts clean) or off.
    pub fn set_dirty_tracking(&self, on: bool) {
        self.tracking.store(on, Ordering::Release);
        for b in self.page_flags.iter() {
            if on {
                b.fetch_or(PAGE_CLEAN, Ordering::AcqRel);
            } else {
                b.fetch_and(!PAGE_CLEAN, Ordering::AcqRel);
            }
        }
    }

    /// Mark the pages set in `bits` (the format of
    /// [`GuestRam::take_dirty_log`]) dirty again: used when a snapshot
    /// that consumed a log failed, so the next one still writes them.
    pub fn redirty(&self, bits: &[u64]) {
        for (i, b) in self.page_flags.iter().enumerate() {
            if bits.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0) {
                b.fetch_and(!PAGE_CLEAN, Ordering::AcqRel);
            }
        }
    }

    /// Whether dirty-page tracking is on.
    pub fn dirty_tracking(&self) -> bool {
        self.tracking.load(Ordering::Acquire)
    }

    /// The pages written since tracking started or the log was last
    /// taken (one bit per page, page `i` at bit `i % 64` of word
    /// `i / 64`), and start a new log: every page is clean again.
    /// `None` when tracking is off. Take it while the VM is paused, or a
    /// concurrent store may land in either log.
    pub fn take_dirty_log(&self) -> Option<Vec<u64>> {
        if !self.dirty_tracking() {
            return None;
        }
        let mut bits = vec![0u64; self.page_flags.len().div_ceil(64)];
        for (i, b) in self.page_flags.iter().enumerate() {
            if b.fetch_or(PAGE_CLEAN, Ordering::AcqRel) & PAGE_CLEAN == 0 {
                bits[i / 64] |= 1 << (i % 64);
            }
        }
        Some(bits)
    }

    /// The code epoch: changes whenever cached code may have been
    /// overwritten. Harts compare it with the epoch their cache was built in.
    #[inline(always)]
    pub fn code_epoch(&self) -> u64 {
        self.code_epoch.load(Ordering::Acquire)
    }
}

impl std::fmt::Debug for GuestRam {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GuestRam")
            .field("base", &self.base)
            .field("size", &self.size)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_enforced() {
        let ram = GuestRam::new(0x8000_0000, 0x10000).unwrap();
        assert!(ram.contains(0x8000_0000, 8));
        assert!(ram.contains(0x8000_fff8, 8));
        assert!(!ram.contains(0x8000_fffc, 8));
        assert!(!ram.contains(0x7fff_fffc, 8));
        assert!(!ram.contains(u64::MAX - 2, 8));
        assert!(
            !ram.contains(0x8000_0001, u64::MAX),
            "huge lengths must not wrap"
        );
        assert!(ram.write_bytes(0x8001_0000, &[1]).is_err());
        ram.write_u64(0x8000_0100, 0x1122_3344_5566_7788).unwrap();
        assert_eq!(ram.read_u64(0x8000_0100).unwrap(), 0x1122_3344_5566_7788);
        assert_eq!(ram.read_u32(0x8000_0104).unwrap(), 0x1122_3344);
    }

    #[test]
    fn stores_to_code_pages_bump_the_epoch() {
        let ram = GuestRam::new(0x8000_0000, 0x10000).unwrap();
        let e0 = ram.code_epoch();
        ram.note_store(0x8000_1000);
        assert_eq!(
            ram.code_epoch(),
            e0,
            "store to a data page must not invalidate"
        );
        ram.mark_code_page(0x8000_1000);
        ram.note_store(0x8000_1ff8);
        assert_ne!(ram.code_epoch(), e0);
    }

    #[test]
    fn the_code_log_names_the_written_pages() {
        let ram = GuestRam::new(0x8000_0000, 0x10000).unwrap();
        let e0 = ram.code_epoch();
        for page in [0x8000_3000, 0x8000_5000] {
            ram.mark_code_page(page);
            ram.note_store(page + 8);
        }
        let mut pages = Vec::new();
        assert_eq!(
            ram.code_writes_since(e0, &mut pages),
            Some(ram.code_epoch())
        );
        assert_eq!(pages, [0x8000_3000, 0x8000_5000]);
        // A hart that fell too far behind is told to drop everything.
        for _ in 0..CODE_LOG_LEN {
            ram.mark_code_page(0x8000_7000);
            ram.note_store(0x8000_7000);
        }
        pages.clear();
        assert_eq!(ram.code_writes_since(e0, &mut pages), None);
        let e1 = ram.code_epoch() - CODE_LOG_LEN as u64;
        assert_eq!(
            ram.code_writes_since(e1, &mut pages),
            Some(ram.code_epoch())
        );
        assert_eq!(pages, [0x8000_7000; CODE_LOG_LEN]);
    }

    #[test]
    fn dirty_log_records_stores_and_dma_then_restarts() {
        let ram = GuestRam::new(0x8000_0000, 0x10000).unwrap();
        assert_eq!(ram.take_dirty_log(), None, "off by default");
        ram.set_dirty_tracking(true);
        assert_eq!(ram.take_dirty_log(), Some(vec![0]));
        ram.note_store(0x8000_2008);
        ram.write_bytes(0x8000_5ffe, &[1, 2, 3]).unwrap();
        ram.mark_code_page(0x8000_9000);
        let e0 = ram.code_epoch();
        ram.note_store(0x8000_9000);
        assert_ne!(ram.code_epoch(), e0, "code invalidation still works");
        assert_eq!(
            ram.take_dirty_log(),
            Some(vec![(1 << 2) | (1 << 5) | (1 << 6) | (1 << 9)])
        );
        assert_eq!(
            ram.take_dirty_log(),
            Some(vec![0]),
            "a new log starts clean"
        );
        ram.set_dirty_tracking(false);
        assert_eq!(ram.take_dirty_log(), None);
    }

    #[test]
    fn file_backed_ram_is_copy_on_write() {
        use std::io::{Read, Seek, Write};
        let mut f = tempfile();
        f.write_all(&[0u8; 4096]).unwrap();
        let mut page = vec![0u8; 0x4000];
        page[0x1000] = 0xaa;
        f.write_all(&page).unwrap();
        let ram = GuestRam::from_file(0x8000_0000, 0x4000, f.try_clone().unwrap(), 4096).unwrap();
        assert_eq!(ram.read_u32(0x8000_1000).unwrap(), 0xaa);
        ram.write_u64(0x8000_1000, 0x55).unwrap();
        assert_eq!(ram.read_u64(0x8000_1000).unwrap(), 0x55);
        let mut back = Vec::new();
        f.rewind().unwrap();
        f.read_to_end(&mut back).unwrap();
        assert_eq!(back[4096 + 0x1000], 0xaa, "the file is not modified");
        assert!(
            GuestRam::from_file(0x8000_0000, 0x8000, f, 4096).is_err(),
            "a short file is refused"
        );
    }

    fn tempfile() -> File {
        let path = std::env::temp_dir().join(format!("vireo-ram-test-{}", std::process::id()));
        let f = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .unwrap();
        let _ = std::fs::remove_file(&path);
        f
    }
}
