//! Robustness: random guest accesses must never panic a device.

use crate::*;
use std::sync::Arc;
use vireo_memory::{Clock, HartSignals, MmioDevice};

/// xorshift64*: deterministic, so a failure is reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

/// Feed `count` random reads and writes into `dev`. Offsets come from
/// `hot` (register areas, as `(base, len)`) three times in four, otherwise
/// from anywhere in the window or just past it.
fn hammer(dev: &dyn MmioDevice, window: u64, hot: &[(u64, u64)], seed: u64, count: usize) {
    let mut rng = Rng(seed);
    for _ in 0..count {
        let r = rng.next();
        let offset = if r & 3 != 0 && !hot.is_empty() {
            let (base, len) = hot[(r >> 8) as usize % hot.len()];
            base + rng.next() % len
        } else {
            rng.next() % (window + 16)
        };
        let size = [1u8, 2, 4, 8][(r >> 4) as usize % 4];
        let value = match (r >> 6) % 4 {
            0 => 0,
            1 => u64::MAX,
            2 => rng.next() & 0xff,
            _ => rng.next(),
        };
        if r & (1 << 40) != 0 {
            dev.write(offset, size, value);
        } else {
            let _ = dev.read(offset, size);
        }
    }
}

fn harts(n: usize) -> Vec<Arc<HartSignals>> {
    (0..n).map(|_| Arc::new(HartSignals::new())).collect()
}

#[test]
fn clint_survives_random_accesses() {
    let clint = Clint::new(harts(3), Arc::new(Clock::new()));

    hammer(
        &clint,
        CLINT_SIZE,
        &[(0, 0x20), (0x4000, 0x20), (0xbff0, 0x10)],
        1,
        5000,
    );
}

#[test]
fn plic_survives_random_accesses() {
    let plic = Arc::new(Plic::new(harts(2)).unwrap());
    let hot = [
        (0, 0x200),
        (0x1000, 0x20),
        (0x2000, 0x200),
        (0x20_0000, 0x10),
        (0x20_1000, 0x10),
        (0x20_3000, 0x10),
    ];
    let mut rng = Rng(7);

    for seed in 0..4 {
        hammer(&*plic, PLIC_SIZE, &hot, 2 + seed, 1000);
        for _ in 0..50 {
            let r = rng.next();
            plic.set_irq((r % 128) as u32, r & 256 != 0);
        }
    }
}

#[test]
fn uart_survives_random_accesses() {
    let uart = Uart::new(Box::new(std::io::sink()), Box::new(|_| {}));
    uart.push_input(&[0x41; 100]);

    hammer(&uart, UART_SIZE, &[(0, 8)], 3, 5000);
}

#[test]
fn rtc_survives_random_accesses() {
    let rtc = GoldfishRtc::new(Box::new(|_| {}));

    hammer(&rtc, RTC_SIZE, &[(0, 0x20)], 4, 5000);
}

#[test]
fn vmgenid_survives_random_accesses() {
    let dev = VmGenId::new(Box::new(|_| {}));

    hammer(&dev, VMGENID_SIZE, &[(0, 0x18)], 6, 5000);
}

#[test]
fn test_device_survives_random_accesses() {
    let power = Arc::new(PowerControl::new(harts(1)));
    let dev = TestDevice::new(power.clone());

    hammer(&dev, TEST_DEVICE_SIZE, &[(0, 8)], 5, 5000);
    let _ = power.take();
}

/// The board's wiring (UART line into the PLIC) under a host input thread
/// and a hart thread: every byte arrives, nothing deadlocks.
#[test]
fn uart_through_plic_across_threads() {
    use vireo_memory::MIP_SEIP;
    let hart = Arc::new(HartSignals::new());
    let plic = Arc::new(Plic::new(vec![hart.clone()]).unwrap());
    let line = plic.clone();
    let uart = Arc::new(Uart::new(
        Box::new(std::io::sink()),
        Box::new(move |level| line.set_irq(10, level)),
    ));
    plic.write(4 * 10, 4, 1); // priority
    plic.write(0x2080, 4, 1 << 10); // enable for context 1 (S-mode)
    uart.write(1, 1, 1); // IER: received data available
    const BYTES: usize = 20_000;
    let input = {
        let uart = uart.clone();
        std::thread::spawn(move || {
            let data: Vec<u8> = (0..BYTES).map(|i| i as u8).collect();
            let mut sent = 0;
            while sent < BYTES {
                sent += uart.push_input(&data[sent..(sent + 97).min(BYTES)]);
                std::thread::yield_now();
            }
        })
    };

    let mut received = 0;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while received < BYTES && std::time::Instant::now() < deadline {
        if hart.levels() & MIP_SEIP == 0 {
            hart.sleep(std::time::Duration::from_millis(1));
            continue;
        }
        let id = plic.read(0x20_1004, 4);
        if id == 10 {
            while uart.read(5, 1) & 1 != 0 {
                assert_eq!(uart.read(0, 1), u64::from(received as u8));
                received += 1;
            }
            plic.write(0x20_1004, 4, id);
        }
    }
    input.join().unwrap();

    assert_eq!(received, BYTES);
}

/// The VM generation ID's notification through the PLIC, as Linux's
/// driver serves it: claim, read the ID, complete. The interrupt is taken
/// once per `regenerate` and does not come back after completion.
#[test]
fn vmgenid_notification_through_plic() {
    use vireo_memory::MIP_SEIP;
    let hart = Arc::new(HartSignals::new());
    let plic = Arc::new(Plic::new(vec![hart.clone()]).unwrap());
    let line = plic.clone();
    let dev = VmGenId::new(Box::new(move |level| line.set_irq(12, level)));
    plic.write(4 * 12, 4, 1); // priority
    plic.write(0x2080, 4, 1 << 12); // enable for context 1 (S-mode)
    let old = dev.id();

    dev.regenerate();

    assert_eq!(hart.levels() & MIP_SEIP, MIP_SEIP);
    assert_eq!(plic.read(0x20_1004, 4), 12);
    let mut seen = [0u8; 16];
    for (i, b) in seen.iter_mut().enumerate() {
        *b = dev.read(i as u64, 1) as u8;
    }
    plic.write(0x20_1004, 4, 12);
    assert_ne!(seen, old);
    assert_eq!(seen, dev.id());
    assert_eq!(hart.levels() & MIP_SEIP, 0, "no interrupt storm");
    assert_eq!(plic.read(0x20_1004, 4), 0);
}
