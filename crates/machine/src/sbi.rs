//! The built-in SBI (Supervisor Binary Interface, v2.0): when vireo is the
//! firmware, an S-mode `ecall` leaves the hart and lands here. These calls
//! are vireo's hypercalls.
//!
//! Implemented: BASE, TIME, IPI, RFENCE, HSM, SRST, DBCN, and the legacy
//! console/timer/shutdown calls.

use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;
use vireo_devices::{PowerControl, PowerEvent, Uart};
use vireo_hart::Hart;
use vireo_memory::{GuestRam, HartSignals, REQ_FENCE_I, REQ_FLUSH_TLB, REQ_SSIP};

/// SBI error codes.
mod err {
    pub const SUCCESS: i64 = 0;
    pub const NOT_SUPPORTED: i64 = -2;
    pub const INVALID_PARAM: i64 = -3;
    pub const INVALID_ADDRESS: i64 = -5;
    pub const ALREADY_AVAILABLE: i64 = -6;
}

/// Extension IDs.
mod ext {
    pub const BASE: u64 = 0x10;
    pub const TIME: u64 = 0x5449_4d45;
    pub const IPI: u64 = 0x73_5049;
    pub const RFENCE: u64 = 0x5246_4e43;
    pub const HSM: u64 = 0x48_534d;
    pub const SRST: u64 = 0x5352_5354;
    pub const DBCN: u64 = 0x4442_434e;
}

/// vireo's SBI implementation ID (outside the registered range).
pub const IMPL_ID: u64 = 0x7669_7265; // "vire"
/// SBI specification version 2.0.
const SPEC_VERSION: u64 = 2 << 24;

/// HSM state of a hart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HartStatus {
    /// Running.
    Started = 0,
    /// Waiting for `hart_start`.
    Stopped = 1,
    /// A start was requested; the hart has not picked it up yet.
    StartPending = 2,
}

struct Slot {
    status: HartStatus,
    start: Option<(u64, u64)>,
}

/// The SBI: shared by all hart threads.
pub struct Sbi {
    slots: Vec<(Mutex<Slot>, Condvar)>,
    signals: Vec<Arc<HartSignals>>,
    power: Arc<PowerControl>,
    uart: Arc<Uart>,
    ram: Arc<GuestRam>,
}

impl Sbi {
    /// An SBI for `n` harts; all start in the Stopped state.
    pub fn new(
        n: usize,
        signals: Vec<Arc<HartSignals>>,
        power: Arc<PowerControl>,
        uart: Arc<Uart>,
        ram: Arc<GuestRam>,
    ) -> Sbi {
        let slots = (0..n)
            .map(|_| {
                (
                    Mutex::new(Slot {
                        status: HartStatus::Stopped,
                        start: None,
                    }),
                    Condvar::new(),
                )
            })
            .collect();
        Sbi {
            slots,
            signals,
            power,
            uart,
            ram,
        }
    }

    fn slot(&self, id: usize) -> std::sync::MutexGuard<'_, Slot> {
        self.slots[id].0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Set a hart's HSM status.
    pub fn set_status(&self, id: usize, st: HartStatus) {
        if id < self.slots.len() {
            self.slot(id).status = st;
            self.slots[id].1.notify_all();
        }
    }

    /// A hart's HSM status.
    pub fn status(&self, id: usize) -> HartStatus {
        self.slot(id).status
    }

    /// Every hart's HSM state: status (0 started, 1 stopped, 2 start
    /// pending) and a start request not yet picked up.
    pub fn save(&self) -> Vec<(u8, Option<(u64, u64)>)> {
        (0..self.slots.len())
            .map(|i| {
                let s = self.slot(i);
                (s.status as u8, s.start)
            })
            .collect()
    }

    /// Restore what [`Sbi::save`] returned (validated: one entry per
    /// hart, known status values).
    pub fn restore(&self, saved: &[(u8, Option<(u64, u64)>)]) -> Result<(), String> {
        if saved.len() != self.slots.len() {
            return Err(format!(
                "the snapshot has {} harts, the machine {}",
                saved.len(),
                self.slots.len()
            ));
        }
        let mut decoded = Vec::with_capacity(saved.len());
        for &(st, start) in saved {
            let status = match st {
                0 => HartStatus::Started,
                1 => HartStatus::Stopped,
                2 => HartStatus::StartPending,
                _ => return Err(format!("unknown HSM status {st}")),
            };
            decoded.push((status, start));
        }
        for (i, (status, start)) in decoded.into_iter().enumerate() {
            let mut s = self.slot(i);
            s.status = status;
            s.start = start;
        }
        Ok(())
    }

    /// Block a stopped hart until it is started (returns the start address
    /// and opaque value) or the machine powers off (returns `None`).
    pub fn wait_start(&self, id: usize, power: &PowerControl) -> Option<(u64, u64)> {
        let (m, cv) = &self.slots[id];
        let mut s = m.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if power.pending().is_some() || self.signals[id].exit_requested() {
                return None;
            }
            if let Some(start) = s.start.take() {
                s.status = HartStatus::Started;
                return Some(start);
            }
            s = cv
                .wait_timeout(s, Duration::from_millis(20))
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Harts selected by an SBI hart mask.
    fn harts_in_mask(&self, mask: u64, base: u64) -> Result<Vec<usize>, i64> {
        let n = self.slots.len();
        if base == u64::MAX {
            return Ok((0..n).collect());
        }
        let mut v = Vec::new();
        for bit in 0..64 {
            if mask & (1 << bit) != 0 {
                let id = base.checked_add(bit).ok_or(err::INVALID_PARAM)? as usize;
                if id >= n {
                    return Err(err::INVALID_PARAM);
                }
                v.push(id);
            }
        }
        Ok(v)
    }

    /// Post `req` to harts and wait until running ones have served it.
    fn remote(&self, me: &mut Hart, harts: &[usize], req: u64) {
        for &id in harts {
            if id as u64 == me.id {
                continue;
            }
            self.signals[id].post(req);
        }
        // Serve our own request directly.
        if harts.contains(&(me.id as usize)) {
            me.signals.post(req);
            me.serve_requests();
        }
        for &id in harts {
            if id as u64 == me.id {
                continue;
            }
            let mut spins = 0u32;
            // A target that is stopping for a pause serves the request
            // when the machine owns it again (before any snapshot).
            while self.signals[id].has_requests()
                && !self.signals[id].exit_requested()
                && self.status(id) == HartStatus::Started
                && self.power.pending().is_none()
            {
                spins += 1;
                if spins > 200_000 {
                    break; // the target is wedged; do not hang this hart
                }
                std::thread::yield_now();
            }
        }
    }

    /// Service the SBI call of `hart` (a7 = extension, a6 = function,
    /// a0..a5 = arguments; a0 = error, a1 = value on return).
    pub fn call(&self, hart: &mut Hart) {
        let (eid, fid) = (hart.x[17], hart.x[16]);
        let a = [
            hart.x[10], hart.x[11], hart.x[12], hart.x[13], hart.x[14], hart.x[15],
        ];
        if eid < 0x10 {
            let v = self.legacy(hart, eid, a);
            hart.x[10] = v as u64;
            hart.finish_sbi_call();
            return;
        }
        let (e, v) = match eid {
            ext::BASE => self.base(fid, a[0]),
            ext::TIME if fid == 0 => {
                hart.set_stimecmp(a[0]);
                (err::SUCCESS, 0)
            }
            ext::IPI if fid == 0 => match self.harts_in_mask(a[0], a[1]) {
                Ok(hs) => {
                    for id in hs {
                        self.signals[id].post(REQ_SSIP);
                    }
                    if hart.signals.has_requests() {
                        hart.serve_requests();
                    }
                    (err::SUCCESS, 0)
                }
                Err(e) => (e, 0),
            },
            ext::RFENCE => match (fid, self.harts_in_mask(a[0], a[1])) {
                (0, Ok(hs)) => {
                    self.remote(hart, &hs, REQ_FENCE_I);
                    (err::SUCCESS, 0)
                }
                (1 | 2, Ok(hs)) => {
                    self.remote(hart, &hs, REQ_FLUSH_TLB);
                    (err::SUCCESS, 0)
                }
                (0..=2, Err(e)) => (e, 0),
                _ => (err::NOT_SUPPORTED, 0),
            },
            ext::HSM => self.hsm(hart, fid, a),
            ext::SRST if fid == 0 => match a[0] {
                0 => {
                    let ev = if a[1] == 1 {
                        PowerEvent::Fail(1)
                    } else {
                        PowerEvent::Poweroff
                    };
                    self.power.request(ev);
                    (err::SUCCESS, 0)
                }
                1 | 2 => {
                    self.power.request(PowerEvent::Reboot);
                    (err::SUCCESS, 0)
                }
                _ => (err::INVALID_PARAM, 0),
            },
            ext::DBCN => self.dbcn(fid, a),
            _ => (err::NOT_SUPPORTED, 0),
        };
        hart.x[10] = e as u64;
        hart.x[11] = v;
        hart.finish_sbi_call();
    }

    fn base(&self, fid: u64, arg: u64) -> (i64, u64) {
        match fid {
            0 => (err::SUCCESS, SPEC_VERSION),
            1 => (err::SUCCESS, IMPL_ID),
            2 => (err::SUCCESS, 1),
            3 => {
                let known = matches!(
                    arg,
                    ext::BASE
                        | ext::TIME
                        | ext::IPI
                        | ext::RFENCE
                        | ext::HSM
                        | ext::SRST
                        | ext::DBCN
                ) || arg < 0x09;
                (err::SUCCESS, known as u64)
            }
            4..=6 => (err::SUCCESS, 0),
            _ => (err::NOT_SUPPORTED, 0),
        }
    }

    fn hsm(&self, hart: &mut Hart, fid: u64, a: [u64; 6]) -> (i64, u64) {
        match fid {
            0 => {
                let id = a[0] as usize;
                if a[0] >= self.slots.len() as u64 {
                    return (err::INVALID_PARAM, 0);
                }
                if !self.ram.contains(a[1], 2) {
                    return (err::INVALID_ADDRESS, 0);
                }
                let mut s = self.slot(id);
                if s.status != HartStatus::Stopped {
                    return (err::ALREADY_AVAILABLE, 0);
                }
                s.status = HartStatus::StartPending;
                s.start = Some((a[1], a[2]));
                drop(s);
                self.slots[id].1.notify_all();
                (err::SUCCESS, 0)
            }
            1 => {
                self.set_status(hart.id as usize, HartStatus::Stopped);
                (err::SUCCESS, 0)
            }
            2 => {
                if a[0] >= self.slots.len() as u64 {
                    return (err::INVALID_PARAM, 0);
                }
                (err::SUCCESS, self.status(a[0] as usize) as u64)
            }
            3 => {
                // Only default retentive suspend: behaves as wfi.
                if a[0] as u32 != 0 {
                    return (err::NOT_SUPPORTED, 0);
                }
                hart.wait_for_interrupt();
                (err::SUCCESS, 0)
            }
            _ => (err::NOT_SUPPORTED, 0),
        }
    }

    fn dbcn(&self, fid: u64, a: [u64; 6]) -> (i64, u64) {
        match fid {
            0 | 1 => {
                let (n, addr) = (a[0], a[1]);
                if a[2] != 0 || n > (1 << 20) || !self.ram.contains(addr, n) {
                    return (err::INVALID_PARAM, 0);
                }
                if fid == 0 {
                    let mut buf = vec![0u8; n as usize];
                    if self.ram.read_bytes(addr, &mut buf).is_err() {
                        return (err::INVALID_PARAM, 0);
                    }
                    self.uart.write_host(&buf);
                    (err::SUCCESS, n)
                } else {
                    let got = self.uart.read_host(n as usize);
                    if self.ram.write_bytes(addr, &got).is_err() {
                        return (err::INVALID_PARAM, 0);
                    }
                    (err::SUCCESS, got.len() as u64)
                }
            }
            2 => {
                self.uart.write_host(&[a[0] as u8]);
                (err::SUCCESS, 0)
            }
            _ => (err::NOT_SUPPORTED, 0),
        }
    }

    fn legacy(&self, hart: &mut Hart, eid: u64, a: [u64; 6]) -> i64 {
        match eid {
            0 => {
                hart.set_stimecmp(a[0]);
                0
            }
            1 => {
                self.uart.write_host(&[a[0] as u8]);
                0
            }
            2 => match self.uart.read_host(1).first() {
                Some(&b) => b as i64,
                None => -1,
            },
            3 => {
                hart.csr.mip &= !vireo_memory::MIP_SSIP;
                0
            }
            8 => {
                self.power.request(PowerEvent::Poweroff);
                0
            }
            _ => err::NOT_SUPPORTED,
        }
    }
}
