//! The core-local interruptor (SiFive CLINT, as on QEMU's `virt` board).
//!
//! Register map (offsets inside the 64 KiB window):
//!
//! | offset            | register       | width |
//! | ----------------- | -------------- | ----- |
//! | `0x0000 + 4*i`    | `msip[i]`      | 32    |
//! | `0x4000 + 8*i`    | `mtimecmp[i]`  | 64    |
//! | `0xbff8`          | `mtime`        | 64    |
//!
//! The CLINT owns no timer thread: it stores `mtimecmp` in the hart's
//! [`HartSignals`] and each hart derives MTIP from `mtime >= mtimecmp`
//! when it polls. Only MSIP is driven from here.

use crate::reg::{deposit, extract, fits};
use std::sync::Arc;
use vireo_memory::{Clock, HartSignals, MmioDevice, MIP_MSIP};

/// Size of the CLINT's MMIO window.
pub const CLINT_SIZE: u64 = 0x1_0000;

const MSIP_BASE: u64 = 0x0000;
const MTIMECMP_BASE: u64 = 0x4000;
const MTIME: u64 = 0xbff8;

/// The register an access falls into.
enum Reg {
    Msip(usize),
    Mtimecmp(usize),
    Mtime,
}

/// The CLINT of a machine with `harts.len()` harts.
pub struct Clint {
    harts: Vec<Arc<HartSignals>>,
    clock: Arc<Clock>,
}

impl Clint {
    /// A CLINT for the given harts (hart `i` is `harts[i]`), reading and
    /// setting `mtime` through `clock`.
    pub fn new(harts: Vec<Arc<HartSignals>>, clock: Arc<Clock>) -> Clint {
        Clint { harts, clock }
    }

    /// Decode `offset`: the register, its base offset and its width. `None`
    /// for holes and for harts that do not exist.
    fn decode(&self, offset: u64) -> Option<(Reg, u64, u64)> {
        let n = self.harts.len() as u64;
        if offset < MTIMECMP_BASE {
            let i = (offset - MSIP_BASE) / 4;
            (i < n).then(|| (Reg::Msip(i as usize), MSIP_BASE + 4 * i, 4))
        } else if offset < MTIME {
            let i = (offset - MTIMECMP_BASE) / 8;
            (i < n).then(|| (Reg::Mtimecmp(i as usize), MTIMECMP_BASE + 8 * i, 8))
        } else if offset < MTIME + 8 {
            Some((Reg::Mtime, MTIME, 8))
        } else {
            None
        }
    }

    fn read_reg(&self, reg: &Reg) -> u64 {
        match *reg {
            Reg::Msip(i) => u64::from(self.harts[i].levels() & MIP_MSIP != 0),
            Reg::Mtimecmp(i) => self.harts[i].mtimecmp(),
            Reg::Mtime => self.clock.now(),
        }
    }
}

impl MmioDevice for Clint {
    fn read(&self, offset: u64, size: u8) -> u64 {
        match self.decode(offset) {
            Some((reg, base, width)) if fits(offset, size, width) => {
                extract(self.read_reg(&reg), offset - base, size)
            }
            _ => 0,
        }
    }

    fn write(&self, offset: u64, size: u8, value: u64) {
        let Some((reg, base, width)) = self.decode(offset) else {
            return;
        };
        if !fits(offset, size, width) {
            return;
        }
        let shift = offset - base;
        match reg {
            // Only bit 0 of msip is implemented; a write to its other bytes
            // leaves it unchanged.
            Reg::Msip(i) => {
                if shift == 0 {
                    self.harts[i].set_level(MIP_MSIP, value & 1 != 0);
                }
            }
            Reg::Mtimecmp(i) => {
                let old = self.harts[i].mtimecmp();
                self.harts[i].set_mtimecmp(deposit(old, shift, size, value));
            }
            Reg::Mtime => {
                // Merge with the time of this instant; a 32-bit half write
                // keeps the other half as it is now.
                let old = self.clock.now();
                self.clock.set(deposit(old, shift, size, value));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vireo_memory::MIP_MTIP;

    fn clint(n: usize) -> (Clint, Vec<Arc<HartSignals>>, Arc<Clock>) {
        let harts: Vec<_> = (0..n).map(|_| Arc::new(HartSignals::new())).collect();
        let clock = Arc::new(Clock::new());
        (Clint::new(harts.clone(), clock.clone()), harts, clock)
    }

    #[test]
    fn msip_drives_the_software_interrupt_of_one_hart() {
        let (c, harts, _) = clint(2);

        c.write(0x4, 4, 1);

        assert_eq!(harts[0].levels() & MIP_MSIP, 0);
        assert_eq!(harts[1].levels() & MIP_MSIP, MIP_MSIP);
        assert_eq!(c.read(0x4, 4), 1);
        assert_eq!(c.read(0x0, 4), 0);

        c.write(0x4, 4, 0xffff_fffe);

        assert_eq!(harts[1].levels() & MIP_MSIP, 0);
        assert_eq!(c.read(0x4, 4), 0);
    }

    #[test]
    fn msip_of_missing_hart_reads_zero() {
        let (c, _, _) = clint(2);

        c.write(0x8, 4, 1);

        assert_eq!(c.read(0x8, 4), 0);
    }

    #[test]
    fn mtimecmp_64_bit_and_halves() {
        let (c, harts, _) = clint(2);

        c.write(0x4008, 8, 0x1122_3344_5566_7788);

        assert_eq!(harts[1].mtimecmp(), 0x1122_3344_5566_7788);
        assert_eq!(harts[0].mtimecmp(), u64::MAX);
        assert_eq!(c.read(0x400c, 4), 0x1122_3344);
        assert_eq!(c.read(0x4008, 4), 0x5566_7788);

        c.write(0x400c, 4, 0);
        c.write(0x4008, 4, 1234);

        assert_eq!(harts[1].mtimecmp(), 1234);
        assert_eq!(c.read(0x4008, 8), 1234);
        // MTIP is derived by the hart, never driven by the CLINT.
        assert_eq!(harts[1].levels() & MIP_MTIP, 0);
    }

    #[test]
    fn mtime_reads_the_clock_and_is_writable() {
        let (c, _, clock) = clint(1);

        c.write(MTIME, 8, 5_000_000_000);
        let t = c.read(MTIME, 8);

        assert!((5_000_000_000..5_000_000_000 + 10_000_000).contains(&t));
        assert!(clock.now() >= t);

        c.write(MTIME + 4, 4, 7);
        let hi = c.read(MTIME + 4, 4);
        let lo_then_all = c.read(MTIME, 8);

        assert_eq!(hi, 7);
        assert_eq!(lo_then_all >> 32, 7);
    }

    #[test]
    fn holes_read_zero_and_ignore_writes() {
        let (c, harts, _) = clint(1);

        c.write(0x6, 4, 1); // straddles msip[1]
        c.write(0x4004, 8, 0); // misaligned mtimecmp
        c.write(0xc000, 8, 1);

        assert_eq!(harts[0].mtimecmp(), u64::MAX);
        assert_eq!(c.read(0xc000, 8), 0);
        assert_eq!(c.read(0x4004, 8), 0);
    }
}
