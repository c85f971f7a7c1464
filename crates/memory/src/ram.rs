//! Guest DRAM.

use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use thiserror::Error;
use vm_memory::{GuestAddress, GuestMemoryBackend, GuestMemoryMmap};

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
    /// One byte per page: non-zero when some hart holds decoded instructions
    /// from the page. Stores to such a page clear the byte and bump
    /// `code_epoch`, which makes every hart drop its decode cache.
    code_pages: Box<[AtomicU8]>,
    code_epoch: AtomicU64,
}

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
        let host = mem
            .get_host_address(GuestAddress(base))
            .map_err(|e| alloc_err(e.to_string()))?;
        let pages = (size / PAGE_SIZE) as usize;
        let code_pages = (0..pages).map(|_| AtomicU8::new(0)).collect();
        Ok(GuestRam {
            mem,
            base,
            size,
            host,
            code_pages,
            code_epoch: AtomicU64::new(0),
        })
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
        if !data.is_empty() {
            let first = (addr - self.base) / PAGE_SIZE;
            let last = (addr - self.base + data.len() as u64 - 1) / PAGE_SIZE;
            for page in first..=last {
                self.note_store_page(page as usize);
            }
        }
        Ok(())
    }

    /// Fill `[addr, addr+len)` with zeroes.
    pub fn zero(&self, addr: u64, len: u64) -> Result<(), RamError> {
        let p = self.check(addr, len)?;
        // SAFETY: the range is inside the mapping (checked).
        unsafe { std::ptr::write_bytes(p, 0, len as usize) };
        if len > 0 {
            let first = (addr - self.base) / PAGE_SIZE;
            let last = (addr - self.base + len - 1) / PAGE_SIZE;
            for page in first..=last {
                self.note_store_page(page as usize);
            }
        }
        Ok(())
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
        if let Some(b) = self.code_pages.get(page) {
            b.store(1, Ordering::Release);
        }
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
        if let Some(b) = self.code_pages.get(page) {
            if b.load(Ordering::Relaxed) != 0 {
                b.store(0, Ordering::Relaxed);
                self.code_epoch.fetch_add(1, Ordering::AcqRel);
            }
        }
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
}
