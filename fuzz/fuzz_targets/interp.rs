//! Execute arbitrary bytes as guest code. The hart must never panic, hang
//! (the instruction budget bounds the run) or touch memory outside RAM.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::Arc;
use vireo_hart::{Hart, HartConfig};
use vireo_memory::{Bus, Clock, GuestRam, HartSignals};

fuzz_target!(|data: &[u8]| {
    if data.len() < 16 {
        return;
    }
    let ram = Arc::new(GuestRam::new(0x8000_0000, 1 << 20).expect("ram"));
    let _ = ram.write_bytes(0x8000_0000, &data[16..data.len().min(1 << 20)]);
    let bus = Arc::new(Bus::new(ram));
    let mut hart = Hart::new(
        0,
        bus,
        Arc::new(HartSignals::new()),
        Arc::new(Clock::new()),
        HartConfig::default(),
    );
    // The first 16 bytes seed registers that steer the run: trap vector,
    // a pointer register, and the FP enable.
    let seed = u64::from_le_bytes(data[0..8].try_into().unwrap());
    let seed2 = u64::from_le_bytes(data[8..16].try_into().unwrap());
    hart.pc = 0x8000_0000;
    hart.csr.mtvec = 0x8000_0000 + (seed & 0xffc);
    hart.csr.mstatus |= (seed2 & 3) << 13;
    for r in 1..32 {
        hart.x[r] = seed.rotate_left(r as u32) ^ seed2.wrapping_mul(r as u64);
    }
    hart.x[2] = 0x8000_8000;
    let _ = hart.run(20_000);
});
