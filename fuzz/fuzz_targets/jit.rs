//! Differential fuzzing of the translators: arbitrary bytes run as guest
//! code under `Engine::Check` with every block translated on its first
//! run — by Cranelift (`jit_threshold: 1`), by the baseline tier
//! (`jit_baseline: 1`, Cranelift out of reach), or by the baseline tier
//! and then Cranelift after two entries, chosen by the input — so each
//! translated region or block is rerun in the interpreter and compared (registers, pc, fcsr, stored bytes); and,
//! when the program ends by itself (not by the instruction budget, where
//! the engines may stop a block apart), once more by the interpreter and
//! by the JIT separately, which must end in the same state. Nothing may
//! panic or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::Arc;
use vireo_hart::{Engine, Hart, HartConfig};
use vireo_memory::{Bus, Clock, GuestRam, HartSignals};

const RAM: u64 = 0x8000_0000;
const RAM_SIZE: usize = 1 << 16;

fn hart(engine: Engine, code: &[u8], seed: u64, seed2: u64) -> Box<Hart> {
    let ram = Arc::new(GuestRam::new(RAM, RAM_SIZE as u64).expect("ram"));
    let _ = ram.write_bytes(RAM, &code[..code.len().min(RAM_SIZE)]);
    let bus = Arc::new(Bus::new(ram));
    let mut h = Hart::new(
        0,
        bus,
        Arc::new(HartSignals::new()),
        Arc::new(Clock::new()),
        match seed2 >> 62 {
            // Baseline blocks only.
            1 => HartConfig {
                engine,
                jit_baseline: 1,
                jit_threshold: u16::MAX as u32,
                jit_hot: u16::MAX as u32,
                ..HartConfig::default()
            },
            // Baseline blocks handed to Cranelift at their second entry.
            2 => HartConfig {
                engine,
                jit_baseline: 1,
                jit_hot: 2,
                ..HartConfig::default()
            },
            // Cranelift at the first run.
            _ => HartConfig {
                engine,
                jit_threshold: 1,
                jit_baseline: 0,
                ..HartConfig::default()
            },
        },
    );
    h.pc = RAM;
    h.csr.mtvec = RAM + (seed & 0xffc);
    // No interrupts: the clock differs between the two runs.
    h.csr.mie = 0;
    h.csr.mstatus |= (seed2 & 3) << 13;
    for r in 1..32 {
        h.x[r] = seed.rotate_left(r as u32) ^ seed2.wrapping_mul(r as u64);
    }
    h.x[2] = RAM + 0x8000;
    h
}

/// Whether some 32-bit word at an even offset is a CSR instruction on a
/// counter (`cycle`, `time`, `instret`, `mcycle`, ... and their high
/// halves): those read the wall clock, which differs between the runs.
fn reads_counters(code: &[u8]) -> bool {
    code.windows(4).step_by(2).any(|w| {
        let raw = u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
        let csr = raw >> 20;
        raw & 0x7f == 0x73
            && (raw >> 12) & 7 != 0
            && matches!(csr >> 5, 0x60 | 0x64 | 0x58 | 0x5c)
    })
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 16 {
        return;
    }
    let seed = u64::from_le_bytes(data[0..8].try_into().unwrap());
    let seed2 = u64::from_le_bytes(data[8..16].try_into().unwrap());
    let code = &data[16..];
    if reads_counters(code) {
        return;
    }
    let mut c = hart(Engine::Check, code, seed, seed2);
    let ec = c.run(20_000);
    assert!(
        ec != vireo_hart::Exit::Diverged,
        "{}",
        c.divergence().unwrap_or_default()
    );
    let mut a = hart(Engine::Interp, code, seed, seed2);
    let mut j = hart(Engine::Jit, code, seed, seed2);
    let ea = a.run(20_000);
    let ej = j.run(20_000);
    // Blocks are not split, so the two may stop a few instructions
    // apart only when the budget ran out; compare complete runs.
    if ea != ej || ea == vireo_hart::Exit::Budget {
        return;
    }
    assert_eq!(a.x, j.x, "x registers");
    assert_eq!(a.f, j.f, "f registers");
    assert_eq!(a.pc, j.pc, "pc");
    assert_eq!(a.instret, j.instret, "instret");
    let (mut ma, mut mj) = (vec![0u8; RAM_SIZE], vec![0u8; RAM_SIZE]);
    a.bus().ram().read_bytes(RAM, &mut ma).expect("ram");
    j.bus().ram().read_bytes(RAM, &mut mj).expect("ram");
    assert!(ma == mj, "RAM differs");
});
