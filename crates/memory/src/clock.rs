//! The platform time base (`mtime`), 10 MHz as on QEMU's `virt` board.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Ticks per second of `mtime`.
pub const TIMEBASE_HZ: u64 = 10_000_000;
/// Host nanoseconds per tick.
const NS_PER_TICK: u64 = 1_000_000_000 / TIMEBASE_HZ;

/// A monotonic 10 MHz counter derived from the host's monotonic clock.
///
/// `offset` lets the VMM move guest time (pause without a jump, restore
/// from a snapshot) without touching any hart.
#[derive(Debug)]
pub struct Clock {
    start: Instant,
    offset: AtomicU64,
}

impl Default for Clock {
    fn default() -> Self {
        Clock::new()
    }
}

impl Clock {
    /// A clock that reads 0 now.
    pub fn new() -> Clock {
        Clock {
            start: Instant::now(),
            offset: AtomicU64::new(0),
        }
    }

    /// Current `mtime`.
    #[inline]
    pub fn now(&self) -> u64 {
        let ns = self.start.elapsed().as_nanos() as u64;
        (ns / NS_PER_TICK).wrapping_add(self.offset.load(Ordering::Relaxed))
    }

    /// Set the current time to `ticks` (the CLINT's `mtime` is writable).
    pub fn set(&self, ticks: u64) {
        let ns = self.start.elapsed().as_nanos() as u64;
        self.offset
            .store(ticks.wrapping_sub(ns / NS_PER_TICK), Ordering::Relaxed);
    }

    /// Host duration until the clock reaches `deadline` (zero if passed).
    pub fn until(&self, deadline: u64) -> Duration {
        let now = self.now();
        if deadline <= now {
            Duration::ZERO
        } else {
            Duration::from_nanos((deadline - now).saturating_mul(NS_PER_TICK))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_and_advance() {
        let c = Clock::new();
        c.set(1_000_000);
        let t = c.now();
        assert!((1_000_000..1_000_000 + TIMEBASE_HZ).contains(&t));
        assert_eq!(c.until(0), Duration::ZERO);
    }
}
