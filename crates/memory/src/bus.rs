//! The physical address space: RAM plus MMIO windows.

use crate::GuestRam;
use std::sync::Arc;
use thiserror::Error;

/// A device model reachable through an MMIO window.
///
/// Accesses arrive with the offset inside the window and a size of 1, 2, 4
/// or 8 bytes. Devices use interior mutability: several harts may access
/// them from several threads. A device must accept any offset, size and
/// value the guest produces without panicking (reads of unknown registers
/// return 0, writes are ignored).
pub trait MmioDevice: Send + Sync {
    /// Read `size` bytes at `offset`.
    fn read(&self, offset: u64, size: u8) -> u64;
    /// Write the low `size` bytes of `value` at `offset`.
    fn write(&self, offset: u64, size: u8, value: u64);
}

/// Errors of the physical address space.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum BusError {
    /// Nothing answers at this physical address: the hart raises an access
    /// fault.
    #[error("no device or memory at physical address {0:#x}")]
    Unmapped(u64),
    /// Two windows would overlap (a board construction bug).
    #[error("MMIO window {base:#x}+{len:#x} overlaps another window or RAM")]
    Overlap {
        /// Window base.
        base: u64,
        /// Window length.
        len: u64,
    },
}

struct Window {
    base: u64,
    len: u64,
    dev: Arc<dyn MmioDevice>,
}

/// The physical address space seen by harts.
pub struct Bus {
    ram: Arc<GuestRam>,
    windows: Vec<Window>,
}

impl Bus {
    /// A bus with RAM and no devices.
    pub fn new(ram: Arc<GuestRam>) -> Bus {
        Bus {
            ram,
            windows: Vec::new(),
        }
    }

    /// The guest RAM.
    #[inline(always)]
    pub fn ram(&self) -> &Arc<GuestRam> {
        &self.ram
    }

    /// Map `dev` at `[base, base+len)`.
    pub fn add_mmio(
        &mut self,
        base: u64,
        len: u64,
        dev: Arc<dyn MmioDevice>,
    ) -> Result<(), BusError> {
        let end = base
            .checked_add(len)
            .ok_or(BusError::Overlap { base, len })?;
        let overlaps = |b: u64, e: u64| base < e && b < end;
        if overlaps(self.ram.base(), self.ram.end())
            || self
                .windows
                .iter()
                .any(|w| overlaps(w.base, w.base + w.len))
        {
            return Err(BusError::Overlap { base, len });
        }
        self.windows.push(Window { base, len, dev });
        self.windows.sort_by_key(|w| w.base);
        Ok(())
    }

    fn window(&self, addr: u64, size: u8) -> Option<&Window> {
        self.windows.iter().find(|w| {
            addr >= w.base && addr - w.base < w.len && addr - w.base + size as u64 <= w.len
        })
    }

    /// Read `size` (1, 2, 4, 8) bytes at physical `addr` (RAM or MMIO).
    pub fn read(&self, addr: u64, size: u8) -> Result<u64, BusError> {
        if let Some(p) = self.ram.host_ptr(addr, size as u64) {
            // SAFETY: `p..p+size` is inside guest RAM (checked by host_ptr).
            return Ok(unsafe { crate::read_sized(p, size as u64) });
        }
        match self.window(addr, size) {
            Some(w) => Ok(w.dev.read(addr - w.base, size)),
            None => Err(BusError::Unmapped(addr)),
        }
    }

    /// Write the low `size` (1, 2, 4, 8) bytes of `value` at physical `addr`.
    pub fn write(&self, addr: u64, size: u8, value: u64) -> Result<(), BusError> {
        if let Some(p) = self.ram.host_ptr(addr, size as u64) {
            // SAFETY: `p..p+size` is inside guest RAM (checked by host_ptr).
            unsafe { crate::write_sized(p, size as u64, value) };
            self.ram.note_store(addr);
            if (addr & 0xfff) + size as u64 > 0x1000 {
                self.ram.note_store(addr + size as u64 - 1);
            }
            return Ok(());
        }
        match self.window(addr, size) {
            Some(w) => {
                w.dev.write(addr - w.base, size, value);
                Ok(())
            }
            None => Err(BusError::Unmapped(addr)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    struct Reg(AtomicU64);
    impl MmioDevice for Reg {
        fn read(&self, offset: u64, _size: u8) -> u64 {
            self.0.load(Ordering::Relaxed) + offset
        }
        fn write(&self, _offset: u64, _size: u8, value: u64) {
            self.0.store(value, Ordering::Relaxed)
        }
    }

    #[test]
    fn dispatches_ram_and_mmio() {
        let ram = Arc::new(GuestRam::new(0x8000_0000, 0x1000).unwrap());
        let mut bus = Bus::new(ram);
        bus.add_mmio(0x1000_0000, 0x100, Arc::new(Reg(AtomicU64::new(0))))
            .unwrap();
        bus.write(0x1000_0000, 4, 40).unwrap();
        assert_eq!(bus.read(0x1000_0002, 1), Ok(42));
        bus.write(0x8000_0ffc, 4, 0xdead_beef).unwrap();
        assert_eq!(bus.read(0x8000_0ffc, 4), Ok(0xdead_beef));
        assert_eq!(
            bus.read(0x8000_0ffc, 8),
            Err(BusError::Unmapped(0x8000_0ffc))
        );
        assert_eq!(
            bus.read(0x1000_00fc, 8),
            Err(BusError::Unmapped(0x1000_00fc))
        );
        assert!(bus
            .add_mmio(0x1000_0080, 0x100, Arc::new(Reg(AtomicU64::new(0))))
            .is_err());
    }
}
