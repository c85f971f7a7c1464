//! Power control: the SiFive test device and the shared [`PowerControl`].
//!
//! The guest powers off, reboots or reports a test failure by writing to
//! the test device at 0x10_0000 ("sifive,test0", wrapped by Linux's
//! `syscon-poweroff` / `syscon-reboot` drivers):
//!
//! | value written (low 16 bits) | meaning                          |
//! | --------------------------- | -------------------------------- |
//! | `0x5555`                    | pass: power off                  |
//! | `0x3333`                    | fail with code `value >> 16`     |
//! | `0x7777`                    | reboot                           |
//!
//! The device records the request in a [`PowerControl`] that the VMM
//! polls; the built-in SBI's system-reset call records into the same one.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use vireo_memory::{HartSignals, MmioDevice};

/// Size of the test device's MMIO window.
pub const TEST_DEVICE_SIZE: u64 = 0x1000;

const FINISHER_FAIL: u64 = 0x3333;
const FINISHER_PASS: u64 = 0x5555;
const FINISHER_RESET: u64 = 0x7777;

/// What the guest asked the machine to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PowerEvent {
    /// Power off (a passing test).
    Poweroff,
    /// Power off reporting failure with an exit code.
    Fail(u32),
    /// Reset the machine.
    Reboot,
}

// Encoding in one atomic word: 0 = nothing, low byte = kind, high 32 bits =
// fail code.
const NONE: u64 = 0;
const KIND_POWEROFF: u64 = 1;
const KIND_FAIL: u64 = 2;
const KIND_REBOOT: u64 = 3;

impl PowerEvent {
    fn encode(self) -> u64 {
        match self {
            PowerEvent::Poweroff => KIND_POWEROFF,
            PowerEvent::Fail(code) => KIND_FAIL | (u64::from(code) << 32),
            PowerEvent::Reboot => KIND_REBOOT,
        }
    }

    fn decode(word: u64) -> Option<PowerEvent> {
        match word & 0xff {
            KIND_POWEROFF => Some(PowerEvent::Poweroff),
            KIND_FAIL => Some(PowerEvent::Fail((word >> 32) as u32)),
            KIND_REBOOT => Some(PowerEvent::Reboot),
            _ => None,
        }
    }
}

/// Hook called once per accepted power request (after it is recorded).
pub type PowerHook = Box<dyn Fn(PowerEvent) + Send + Sync>;

/// The machine's pending power request, shared by the test device, the
/// SBI and the VMM's run loops.
///
/// The first request wins until [`take`](Self::take) consumes it (a failure
/// code must not be overwritten by a later power-off from another hart).
/// Recording a request wakes every hart so that harts sleeping in `wfi`
/// notice; an optional hook lets the VMM react at once (for instance by
/// asking the harts to leave their run loops).
pub struct PowerControl {
    state: AtomicU64,
    harts: Vec<Arc<HartSignals>>,
    hook: OnceLock<PowerHook>,
}

impl PowerControl {
    /// A power control that wakes `harts` on every request.
    pub fn new(harts: Vec<Arc<HartSignals>>) -> PowerControl {
        PowerControl {
            state: AtomicU64::new(NONE),
            harts,
            hook: OnceLock::new(),
        }
    }

    /// Install the hook called after each accepted request. Only one hook
    /// can be installed; returns false if one already was.
    pub fn set_hook(&self, hook: PowerHook) -> bool {
        self.hook.set(hook).is_ok()
    }

    /// Record `ev` unless a request is already pending; wake all harts.
    /// Returns whether `ev` was recorded.
    pub fn request(&self, ev: PowerEvent) -> bool {
        let accepted = self
            .state
            .compare_exchange(NONE, ev.encode(), Ordering::AcqRel, Ordering::Acquire)
            .is_ok();
        if accepted {
            if let Some(hook) = self.hook.get() {
                hook(ev);
            }
            for h in &self.harts {
                h.kick();
            }
        }
        accepted
    }

    /// The pending request, if any, left in place. One atomic load: cheap
    /// enough for a hart's hot loop.
    #[inline]
    pub fn pending(&self) -> Option<PowerEvent> {
        PowerEvent::decode(self.state.load(Ordering::Acquire))
    }

    /// Consume the pending request, if any.
    pub fn take(&self) -> Option<PowerEvent> {
        PowerEvent::decode(self.state.swap(NONE, Ordering::AcqRel))
    }
}

impl std::fmt::Debug for PowerControl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PowerControl")
            .field("pending", &self.pending())
            .field("harts", &self.harts.len())
            .finish()
    }
}

/// The SiFive test device ("sifive,test0").
pub struct TestDevice {
    power: Arc<PowerControl>,
}

impl TestDevice {
    /// A test device recording into `power`.
    pub fn new(power: Arc<PowerControl>) -> TestDevice {
        TestDevice { power }
    }
}

impl MmioDevice for TestDevice {
    fn read(&self, _offset: u64, _size: u8) -> u64 {
        0
    }

    fn write(&self, offset: u64, size: u8, value: u64) {
        // The finisher register is 32 bits at offset 0; narrower writes of
        // at least the 16-bit status are accepted (the code is then 0).
        if offset != 0 || size < 2 {
            return;
        }
        let value = if size == 2 {
            value & 0xffff
        } else {
            value & 0xffff_ffff
        };
        let ev = match value & 0xffff {
            FINISHER_PASS => PowerEvent::Poweroff,
            FINISHER_FAIL => PowerEvent::Fail((value >> 16) as u32),
            FINISHER_RESET => PowerEvent::Reboot,
            _ => return,
        };
        self.power.request(ev);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use std::time::{Duration, Instant};

    fn device() -> (TestDevice, Arc<PowerControl>, Arc<HartSignals>) {
        let hart = Arc::new(HartSignals::new());
        let power = Arc::new(PowerControl::new(vec![hart.clone()]));
        (TestDevice::new(power.clone()), power, hart)
    }

    #[test]
    fn pass_fail_and_reboot_values() {
        for (value, ev) in [
            (0x5555, PowerEvent::Poweroff),
            (0x7777, PowerEvent::Reboot),
            ((42 << 16) | 0x3333, PowerEvent::Fail(42)),
            (0xffff_3333, PowerEvent::Fail(0xffff)),
        ] {
            let (dev, power, _) = device();

            dev.write(0, 4, value);

            assert_eq!(power.pending(), Some(ev), "value {value:#x}");
            assert_eq!(power.take(), Some(ev));
            assert_eq!(power.pending(), None);
        }
    }

    #[test]
    fn other_values_and_offsets_are_ignored() {
        let (dev, power, _) = device();

        dev.write(0, 4, 0x1234);
        dev.write(4, 4, 0x5555);
        dev.write(0, 1, 0x55);

        assert_eq!(power.pending(), None);
        assert_eq!(dev.read(0, 4), 0);
    }

    #[test]
    fn first_request_wins_until_taken() {
        let (dev, power, _) = device();

        dev.write(0, 4, (3 << 16) | 0x3333);
        dev.write(0, 4, 0x5555);

        assert_eq!(power.take(), Some(PowerEvent::Fail(3)));
        assert!(power.request(PowerEvent::Reboot));
        assert_eq!(power.pending(), Some(PowerEvent::Reboot));
    }

    #[test]
    fn request_wakes_sleeping_harts_and_calls_the_hook() {
        let (dev, power, hart) = device();
        let calls = Arc::new(AtomicUsize::new(0));
        let c = calls.clone();
        assert!(power.set_hook(Box::new(move |_| {
            c.fetch_add(1, Ordering::SeqCst);
        })));
        let sleeper = {
            let hart = hart.clone();
            std::thread::spawn(move || {
                let start = Instant::now();
                hart.sleep(Duration::from_secs(10));
                start.elapsed()
            })
        };
        std::thread::sleep(Duration::from_millis(20));

        dev.write(0, 4, 0x5555);

        assert!(sleeper.join().unwrap() < Duration::from_secs(5));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }
}
