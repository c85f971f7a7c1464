//! The Goldfish real-time clock (as on QEMU's `virt` board).
//!
//! Time is nanoseconds since the Unix epoch, taken from the host's wall
//! clock plus an offset the guest sets by writing the time registers.
//!
//! | offset | register        | access                                    |
//! | ------ | --------------- | ----------------------------------------- |
//! | 0x00   | TIME_LOW        | read latches TIME_HIGH; write sets time   |
//! | 0x04   | TIME_HIGH       | read the latched half; write sets time    |
//! | 0x08   | ALARM_LOW       | write arms the alarm                      |
//! | 0x0c   | ALARM_HIGH      |                                           |
//! | 0x10   | IRQ_ENABLED     | bit 0                                     |
//! | 0x14   | CLEAR_ALARM     | write disarms the alarm                   |
//! | 0x18   | ALARM_STATUS    | 1 while the alarm is armed                |
//! | 0x1c   | CLEAR_INTERRUPT | write acknowledges the interrupt          |
//!
//! An armed alarm is watched by a helper thread, started on first use and
//! stopped when the device is dropped; the interrupt line is the pending
//! flag gated by IRQ_ENABLED.
//!
//! [`GoldfishRtc::save`] and [`GoldfishRtc::restore`] move the state in and
//! out as an [`RtcSnapshot`]. The guest's clock is saved as its offset from
//! the host's wall clock, so a restored guest keeps showing wall-clock time
//! (plus whatever offset it set itself), not the time of the snapshot.

use crate::{IrqLine, StateError};
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use vireo_memory::MmioDevice;

/// Size of the RTC's MMIO window.
pub const RTC_SIZE: u64 = 0x1000;

const TIME_LOW: u64 = 0x00;
const TIME_HIGH: u64 = 0x04;
const ALARM_LOW: u64 = 0x08;
const ALARM_HIGH: u64 = 0x0c;
const IRQ_ENABLED: u64 = 0x10;
const CLEAR_ALARM: u64 = 0x14;
const ALARM_STATUS: u64 = 0x18;
const CLEAR_INTERRUPT: u64 = 0x1c;

/// Longest single sleep of the alarm thread; it re-checks after that, so
/// a far-away alarm never asks the host for an absurd timeout.
const MAX_ALARM_WAIT: Duration = Duration::from_secs(3600);

/// The guest-visible state of a [`GoldfishRtc`], as plain data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RtcSnapshot {
    /// Guest time minus host wall-clock time, in ns (wrapping): 0 unless
    /// the guest set the clock.
    pub offset: u64,
    /// TIME_HIGH as latched by the last TIME_LOW read.
    pub time_high_latch: u32,
    /// Alarm time, guest ns since the Unix epoch.
    pub alarm: u64,
    /// The alarm is armed (ALARM_STATUS).
    pub alarm_armed: bool,
    /// IRQ_ENABLED.
    pub irq_enabled: bool,
    /// The alarm fired and the guest has not cleared the interrupt.
    pub irq_pending: bool,
}

/// The RTC's register state: plain data, so it can be saved and restored.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RtcState {
    /// Guest time minus host time, in ns (wrapping).
    offset: u64,
    time_high_latch: u32,
    alarm: u64,
    alarm_armed: bool,
    irq_enabled: bool,
    irq_pending: bool,
    /// Level last driven on the interrupt line.
    irq_level: bool,
    /// The alarm thread runs.
    watcher: bool,
    /// The device is gone: the alarm thread must exit.
    shutdown: bool,
}

struct Shared {
    state: Mutex<RtcState>,
    /// Signalled when the alarm or `shutdown` changes.
    changed: Condvar,
    irq: IrqLine,
}

fn host_ns() -> u64 {
    // A host clock before 1970 reads as the epoch.
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, RtcState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Fire the alarm if it is due, then drive the interrupt line on change.
    fn update(&self, s: &mut RtcState) {
        if s.alarm_armed && host_ns().wrapping_add(s.offset) >= s.alarm {
            s.alarm_armed = false;
            s.irq_pending = true;
        }
        let level = s.irq_pending && s.irq_enabled;
        if level != s.irq_level {
            s.irq_level = level;
            (self.irq)(level);
        }
    }

    /// The alarm thread: sleep until the armed alarm is due, fire it.
    fn watch(&self) {
        let mut s = self.lock();
        while !s.shutdown {
            self.update(&mut s);
            let wait = if s.alarm_armed {
                let now = host_ns().wrapping_add(s.offset);
                Duration::from_nanos(s.alarm.saturating_sub(now)).min(MAX_ALARM_WAIT)
            } else {
                MAX_ALARM_WAIT
            };
            s = self
                .changed
                .wait_timeout(s, wait)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

/// The Goldfish RTC.
pub struct GoldfishRtc {
    shared: Arc<Shared>,
}

impl GoldfishRtc {
    /// An RTC showing the host's wall-clock time, raising alarms on `irq`.
    pub fn new(irq: IrqLine) -> GoldfishRtc {
        GoldfishRtc {
            shared: Arc::new(Shared {
                state: Mutex::new(RtcState {
                    offset: 0,
                    time_high_latch: 0,
                    alarm: 0,
                    alarm_armed: false,
                    irq_enabled: false,
                    irq_pending: false,
                    irq_level: false,
                    watcher: false,
                    shutdown: false,
                }),
                changed: Condvar::new(),
                irq,
            }),
        }
    }

    /// Current guest time in ns since the Unix epoch.
    pub fn now_ns(&self) -> u64 {
        host_ns().wrapping_add(self.shared.lock().offset)
    }

    /// The clock and alarm state, for a snapshot. An alarm that is due
    /// fires first, so the snapshot shows it pending.
    pub fn save(&self) -> RtcSnapshot {
        let mut s = self.shared.lock();
        self.shared.update(&mut s);
        RtcSnapshot {
            offset: s.offset,
            time_high_latch: s.time_high_latch,
            alarm: s.alarm,
            alarm_armed: s.alarm_armed,
            irq_enabled: s.irq_enabled,
            irq_pending: s.irq_pending,
        }
    }

    /// Load a state saved by [`GoldfishRtc::save`]: the guest's clock
    /// continues from the host's wall clock plus the saved offset. Drives
    /// the interrupt line to the level the state implies and hands an armed
    /// alarm to the alarm thread (an alarm that fell due while the snapshot
    /// was stored fires at once). Every value is valid, so this cannot
    /// fail today; it returns a `Result` like the other devices.
    pub fn restore(&self, snap: &RtcSnapshot) -> Result<(), StateError> {
        let mut s = self.shared.lock();
        s.offset = snap.offset;
        s.time_high_latch = snap.time_high_latch;
        s.alarm = snap.alarm;
        s.alarm_armed = snap.alarm_armed;
        s.irq_enabled = snap.irq_enabled;
        s.irq_pending = snap.irq_pending;
        // Unconditionally: the line's other end may hold any level.
        s.irq_level = s.irq_pending && s.irq_enabled;
        (self.shared.irq)(s.irq_level);
        if s.alarm_armed {
            self.arm(&mut s);
        } else {
            self.shared.changed.notify_all();
        }
        self.shared.update(&mut s);
        Ok(())
    }

    fn arm(&self, s: &mut RtcState) {
        s.alarm_armed = true;
        if !s.watcher {
            let shared = self.shared.clone();
            // Without a thread the alarm still fires on the next register
            // access (see `Shared::update`); that is degraded, not broken.
            s.watcher = thread::Builder::new()
                .name("vireo-rtc-alarm".into())
                .spawn(move || shared.watch())
                .is_ok();
        }
        self.shared.changed.notify_all();
    }

    fn read32(&self, offset: u64) -> u32 {
        let mut s = self.shared.lock();
        self.shared.update(&mut s);
        match offset {
            TIME_LOW => {
                let now = host_ns().wrapping_add(s.offset);
                s.time_high_latch = (now >> 32) as u32;
                now as u32
            }
            TIME_HIGH => s.time_high_latch,
            ALARM_LOW => s.alarm as u32,
            ALARM_HIGH => (s.alarm >> 32) as u32,
            IRQ_ENABLED => u32::from(s.irq_enabled),
            ALARM_STATUS => u32::from(s.alarm_armed),
            _ => 0,
        }
    }

    fn write32(&self, offset: u64, value: u32) {
        let mut s = self.shared.lock();
        let value = u64::from(value);
        match offset {
            TIME_LOW | TIME_HIGH => {
                let host = host_ns();
                let now = host.wrapping_add(s.offset);
                let new = if offset == TIME_LOW {
                    (now & !0xffff_ffff) | value
                } else {
                    (now & 0xffff_ffff) | (value << 32)
                };
                s.offset = new.wrapping_sub(host);
            }
            ALARM_LOW => {
                s.alarm = (s.alarm & !0xffff_ffff) | value;
                self.arm(&mut s);
            }
            ALARM_HIGH => s.alarm = (s.alarm & 0xffff_ffff) | (value << 32),
            IRQ_ENABLED => s.irq_enabled = value & 1 != 0,
            CLEAR_ALARM => s.alarm_armed = false,
            CLEAR_INTERRUPT => s.irq_pending = false,
            _ => {}
        }
        self.shared.update(&mut s);
    }
}

impl Drop for GoldfishRtc {
    fn drop(&mut self) {
        self.shared.lock().shutdown = true;
        self.shared.changed.notify_all();
    }
}

impl MmioDevice for GoldfishRtc {
    fn read(&self, offset: u64, size: u8) -> u64 {
        match size {
            4 if offset & 3 == 0 => u64::from(self.read32(offset)),
            // TIME_LOW first: it latches TIME_HIGH.
            8 if offset & 7 == 0 => {
                u64::from(self.read32(offset)) | (u64::from(self.read32(offset + 4)) << 32)
            }
            _ => 0,
        }
    }

    fn write(&self, offset: u64, size: u8, value: u64) {
        match size {
            4 if offset & 3 == 0 => self.write32(offset, value as u32),
            // High half first, as drivers do: ALARM_LOW arms the alarm.
            8 if offset & 7 == 0 => {
                self.write32(offset + 4, (value >> 32) as u32);
                self.write32(offset, value as u32);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Instant;

    fn rtc() -> (GoldfishRtc, Arc<AtomicBool>) {
        let irq = Arc::new(AtomicBool::new(false));
        let line = irq.clone();
        (
            GoldfishRtc::new(Box::new(move |l| line.store(l, Ordering::SeqCst))),
            irq,
        )
    }

    fn read_time(r: &GoldfishRtc) -> u64 {
        let lo = r.read(TIME_LOW, 4);
        let hi = r.read(TIME_HIGH, 4);
        (hi << 32) | lo
    }

    #[test]
    fn time_is_close_to_host_time() {
        let (r, _) = rtc();

        let t = read_time(&r);

        let host = host_ns();
        assert!(host.abs_diff(t) < 1_000_000_000, "guest {t} host {host}");
    }

    #[test]
    fn writing_the_time_moves_the_clock() {
        let (r, _) = rtc();
        let target: u64 = 1_000_000_000 * 1_000_000_000; // 2001-09-09

        r.write(TIME_HIGH, 4, target >> 32);
        r.write(TIME_LOW, 4, target & 0xffff_ffff);
        let t = read_time(&r);

        assert!(t >= target && t - target < 1_000_000_000);
        assert_eq!(r.read(TIME_LOW, 8) >> 32, t >> 32);
    }

    #[test]
    fn alarm_fires_and_is_acknowledged() {
        let (r, irq) = rtc();
        r.write(IRQ_ENABLED, 4, 1);
        let when = read_time(&r) + 20_000_000;

        r.write(ALARM_HIGH, 4, when >> 32);
        r.write(ALARM_LOW, 4, when & 0xffff_ffff);

        assert_eq!(r.read(ALARM_STATUS, 4), 1);
        let start = Instant::now();
        while !irq.load(Ordering::SeqCst) && start.elapsed() < Duration::from_secs(5) {
            thread::sleep(Duration::from_millis(1));
        }
        assert!(irq.load(Ordering::SeqCst), "alarm thread raised the line");
        assert_eq!(r.read(ALARM_STATUS, 4), 0);

        r.write(CLEAR_INTERRUPT, 4, 1);

        assert!(!irq.load(Ordering::SeqCst));
    }

    #[test]
    fn cleared_alarm_never_fires() {
        let (r, irq) = rtc();
        r.write(IRQ_ENABLED, 4, 1);
        r.write(ALARM_HIGH, 4, u64::from(u32::MAX));
        r.write(ALARM_LOW, 4, 0);

        r.write(CLEAR_ALARM, 4, 1);

        assert_eq!(r.read(ALARM_STATUS, 4), 0);
        assert!(!irq.load(Ordering::SeqCst));
        assert_eq!(r.read(ALARM_HIGH, 4), u64::from(u32::MAX));
    }

    fn wait_for(irq: &AtomicBool) -> bool {
        let start = Instant::now();
        while !irq.load(Ordering::SeqCst) && start.elapsed() < Duration::from_secs(5) {
            thread::sleep(Duration::from_millis(1));
        }
        irq.load(Ordering::SeqCst)
    }

    #[test]
    fn save_and_restore_into_a_fresh_rtc() {
        let (r, irq) = rtc();
        let target: u64 = 1_000_000_000 * 1_000_000_000; // 2001-09-09
        r.write(TIME_HIGH, 4, target >> 32);
        r.write(TIME_LOW, 4, target & 0xffff_ffff);
        r.write(ALARM_HIGH, 4, 0);
        r.write(ALARM_LOW, 4, 1); // fires at once: pending
        r.write(IRQ_ENABLED, 4, 1);
        assert!(irq.load(Ordering::SeqCst));
        r.write(ALARM_HIGH, 4, u64::from(u32::MAX)); // far future, armed
        r.write(ALARM_LOW, 4, 0x1234);
        let _ = r.read(TIME_LOW, 4); // latch TIME_HIGH
        let snap = r.save();
        let (q, qirq) = rtc();

        q.restore(&snap).unwrap();

        assert!(qirq.load(Ordering::SeqCst), "pending and enabled");
        assert_eq!(q.save(), snap);
        for reg in [TIME_HIGH, ALARM_LOW, ALARM_HIGH, IRQ_ENABLED, ALARM_STATUS] {
            assert_eq!(q.read(reg, 4), r.read(reg, 4), "register {reg:#x}");
        }
        assert_eq!(q.read(ALARM_STATUS, 4), 1);
        let t = read_time(&q);
        assert!(t >= target && t - target < 1_000_000_000, "{t}");

        q.write(CLEAR_INTERRUPT, 4, 1);

        assert!(!qirq.load(Ordering::SeqCst));
    }

    #[test]
    fn restored_clock_follows_the_host_plus_the_offset() {
        let (r, _) = rtc();
        let day: u64 = 86_400 * 1_000_000_000;
        let snap = RtcSnapshot {
            offset: day,
            time_high_latch: 0,
            alarm: 0,
            alarm_armed: false,
            irq_enabled: false,
            irq_pending: false,
        };

        r.restore(&snap).unwrap();

        let t = read_time(&r);
        let want = host_ns() + day;
        assert!(want.abs_diff(t) < 1_000_000_000, "guest {t} want {want}");
    }

    #[test]
    fn restored_armed_alarm_fires() {
        let (r, _) = rtc();
        r.write(IRQ_ENABLED, 4, 1);
        let when = read_time(&r) + 30_000_000;
        r.write(ALARM_HIGH, 4, when >> 32);
        r.write(ALARM_LOW, 4, when & 0xffff_ffff);
        let snap = r.save();
        assert!(snap.alarm_armed && !snap.irq_pending);
        drop(r);
        let (q, qirq) = rtc();

        q.restore(&snap).unwrap();

        assert!(wait_for(&qirq), "the alarm thread raised the line");
        assert_eq!(q.read(ALARM_STATUS, 4), 0);
    }

    #[test]
    fn restore_lowers_a_line_that_should_be_low() {
        let (r, irq) = rtc();
        let quiet = r.save();
        r.write(ALARM_HIGH, 4, 0);
        r.write(ALARM_LOW, 4, 1);
        r.write(IRQ_ENABLED, 4, 1);
        assert!(irq.load(Ordering::SeqCst));

        r.restore(&quiet).unwrap();

        assert!(!irq.load(Ordering::SeqCst));
        assert_eq!(r.read(ALARM_STATUS, 4), 0);
    }

    #[test]
    fn snapshot_round_trips_through_json() {
        let (r, _) = rtc();
        r.write(TIME_HIGH, 4, 7);
        r.write(ALARM_HIGH, 4, 0xffff_0000);
        r.write(ALARM_LOW, 4, 5);
        let snap = r.save();

        let json = serde_json::to_string(&snap).unwrap();
        let back: RtcSnapshot = serde_json::from_str(&json).unwrap();

        assert_eq!(back, snap);
    }

    #[test]
    fn past_alarm_with_irq_disabled_stays_quiet_until_enabled() {
        let (r, irq) = rtc();

        r.write(ALARM_HIGH, 4, 0);
        r.write(ALARM_LOW, 4, 1);

        assert!(!irq.load(Ordering::SeqCst));
        r.write(IRQ_ENABLED, 4, 1);
        assert!(irq.load(Ordering::SeqCst));
    }
}
