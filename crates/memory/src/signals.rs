//! Signals from the platform into one hart.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

/// Supervisor software interrupt pending bit of `mip`.
pub const MIP_SSIP: u64 = 1 << 1;
/// Machine software interrupt pending bit of `mip`.
pub const MIP_MSIP: u64 = 1 << 3;
/// Supervisor timer interrupt pending bit of `mip`.
pub const MIP_STIP: u64 = 1 << 5;
/// Machine timer interrupt pending bit of `mip`.
pub const MIP_MTIP: u64 = 1 << 7;
/// Supervisor external interrupt pending bit of `mip`.
pub const MIP_SEIP: u64 = 1 << 9;
/// Machine external interrupt pending bit of `mip`.
pub const MIP_MEIP: u64 = 1 << 11;

/// Request bit: make supervisor software interrupt pending (an IPI).
pub const REQ_SSIP: u64 = 1;
/// Request bit: flush the TLB (a remote `sfence.vma`).
pub const REQ_FLUSH_TLB: u64 = 2;
/// Request bit: drop decoded instructions (a remote `fence.i`).
pub const REQ_FENCE_I: u64 = 4;

/// The wires between the platform (CLINT, PLIC, the VMM) and one hart.
///
/// Devices set and clear interrupt-pending levels and the machine timer
/// compare value; the hart merges them into `mip` when it polls, and sleeps
/// here in `wfi` until woken.
#[derive(Debug)]
pub struct HartSignals {
    /// Device-driven `mip` bits (MSIP, MTIP is derived, SEIP, MEIP).
    levels: AtomicU64,
    /// The CLINT's `mtimecmp` for this hart.
    mtimecmp: AtomicU64,
    /// Set when the VMM wants the hart to leave its run loop (pause, stop).
    exit_request: AtomicU64,
    /// Requests from other harts (`REQ_*` bits), served at the hart's next
    /// poll.
    requests: AtomicU64,
    sleep: Mutex<bool>,
    wake: Condvar,
}

impl Default for HartSignals {
    fn default() -> Self {
        HartSignals::new()
    }
}

impl HartSignals {
    /// No interrupts pending, `mtimecmp` at its maximum (never fires).
    pub fn new() -> HartSignals {
        HartSignals {
            levels: AtomicU64::new(0),
            mtimecmp: AtomicU64::new(u64::MAX),
            exit_request: AtomicU64::new(0),
            requests: AtomicU64::new(0),
            sleep: Mutex::new(false),
            wake: Condvar::new(),
        }
    }

    /// Drive the `mip` bits in `mask` high or low; wakes a sleeping hart.
    pub fn set_level(&self, mask: u64, high: bool) {
        if high {
            self.levels.fetch_or(mask, Ordering::AcqRel);
            self.kick();
        } else {
            self.levels.fetch_and(!mask, Ordering::AcqRel);
        }
    }

    /// Current device-driven `mip` bits.
    #[inline(always)]
    pub fn levels(&self) -> u64 {
        self.levels.load(Ordering::Acquire)
    }

    /// Set the machine timer compare value; wakes the hart so it can
    /// re-evaluate its sleep deadline.
    pub fn set_mtimecmp(&self, v: u64) {
        self.mtimecmp.store(v, Ordering::Release);
        self.kick();
    }

    /// The machine timer compare value.
    #[inline(always)]
    pub fn mtimecmp(&self) -> u64 {
        self.mtimecmp.load(Ordering::Acquire)
    }

    /// Ask the hart to return from its run loop at the next boundary.
    pub fn request_exit(&self) {
        self.exit_request.store(1, Ordering::Release);
        self.kick();
    }

    /// Clear an exit request (the VMM does this before resuming).
    pub fn clear_exit(&self) {
        self.exit_request.store(0, Ordering::Release);
    }

    /// Whether an exit was requested.
    #[inline(always)]
    pub fn exit_requested(&self) -> bool {
        self.exit_request.load(Ordering::Acquire) != 0
    }

    /// Post requests (`REQ_*` bits) to the hart and wake it.
    pub fn post(&self, bits: u64) {
        self.requests.fetch_or(bits, Ordering::AcqRel);
        self.kick();
    }

    /// Take all posted requests.
    #[inline]
    pub fn take_requests(&self) -> u64 {
        if self.requests.load(Ordering::Acquire) == 0 {
            0
        } else {
            self.requests.swap(0, Ordering::AcqRel)
        }
    }

    /// Whether requests are waiting to be served.
    pub fn has_requests(&self) -> bool {
        self.requests.load(Ordering::Acquire) != 0
    }

    /// Wake the hart if it sleeps in `wfi`.
    pub fn kick(&self) {
        let mut woken = self.sleep.lock().unwrap_or_else(|e| e.into_inner());
        *woken = true;
        self.wake.notify_all();
    }

    /// Sleep until kicked or `timeout` passes. A kick that arrived since
    /// the last sleep returns at once.
    pub fn sleep(&self, timeout: Duration) {
        let mut woken = self.sleep.lock().unwrap_or_else(|e| e.into_inner());
        if !*woken {
            let (guard, _) = self
                .wake
                .wait_timeout(woken, timeout)
                .unwrap_or_else(|e| e.into_inner());
            woken = guard;
        }
        *woken = false;
    }
}
