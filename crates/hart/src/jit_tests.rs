//! Tests of the JIT engine against the interpreter: random programs run
//! from identical states on both engines must end in identical states.

use super::*;

const RAM: u64 = 0x8000_0000;
const CODE: u64 = RAM;
/// Data window for loads and stores (two pages; x26 points at the middle,
/// so 12-bit offsets reach both pages and cross the boundary).
const DATA: u64 = RAM + 0x4_0000;
const DATA_LEN: usize = 0x2000;
const DATA_REG: u32 = 26;
const LOOP_REG: u32 = 27;

// ---- encoders ---------------------------------------------------------

fn r(op: u32, f3: u32, f7: u32, rd: u32, rs1: u32, rs2: u32) -> u32 {
    f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op
}
fn i(op: u32, f3: u32, rd: u32, rs1: u32, imm: i32) -> u32 {
    ((imm as u32) & 0xfff) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op
}
fn s(f3: u32, rs1: u32, rs2: u32, imm: i32) -> u32 {
    let imm = imm as u32;
    ((imm >> 5) & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | (imm & 0x1f) << 7 | 0x23
}
fn b(f3: u32, rs1: u32, rs2: u32, off: i32) -> u32 {
    let o = off as u32;
    ((o >> 12) & 1) << 31
        | ((o >> 5) & 0x3f) << 25
        | rs2 << 20
        | rs1 << 15
        | f3 << 12
        | ((o >> 1) & 0xf) << 8
        | ((o >> 11) & 1) << 7
        | 0x63
}
fn jal(rd: u32, off: i32) -> u32 {
    let o = off as u32;
    ((o >> 20) & 1) << 31
        | ((o >> 1) & 0x3ff) << 21
        | ((o >> 11) & 1) << 20
        | ((o >> 12) & 0xff) << 12
        | rd << 7
        | 0x6f
}
fn lui(rd: u32, imm20: u32) -> u32 {
    (imm20 & 0xfffff) << 12 | rd << 7 | 0x37
}
fn auipc(rd: u32, imm20: u32) -> u32 {
    (imm20 & 0xfffff) << 12 | rd << 7 | 0x17
}
const WFI: u32 = 0x1050_0073;
const FENCE_I: u32 = 0x0000_100f;

/// A tiny deterministic PRNG (xorshift64*).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// One generated instruction: raw parcels, or a branch/jump to a later
/// instruction (resolved at layout).
enum Item {
    Raw(u32),
    C(u16),
    Branch(u32, u32, u32, usize),
    Jal(u32, usize),
    /// `auipc t, 0; jalr rd, 12(t); <filler>`: an indirect jump over the
    /// filler (one item, so no branch lands inside it).
    AuipcJalr(u32, u32, u32),
}

/// Registers random instructions may write (not x0, the data base or the
/// loop counter).
fn dest(rng: &mut Rng) -> u32 {
    loop {
        let d = 1 + rng.below(31) as u32;
        if d != DATA_REG && d != LOOP_REG {
            return d;
        }
    }
}

fn src(rng: &mut Rng) -> u32 {
    rng.below(32) as u32
}

/// A random supported (mostly) instruction at index `at` of a body of `n`.
fn random_item(rng: &mut Rng, at: usize, n: usize, items: &mut Vec<Item>) {
    let (rd, rs1, rs2) = (dest(rng), src(rng), src(rng));
    let imm = (rng.below(4096) as i32) - 2048;
    let sh = rng.below(64) as i32;
    let choice = rng.below(100);
    let raw = match choice {
        0..=29 => {
            // OP / OP-32 register-register, with M, Zba, Zbb.
            const OPS: [(u32, u32, u32); 43] = [
                (0x33, 0, 0),
                (0x33, 0, 0x20),
                (0x33, 1, 0),
                (0x33, 2, 0),
                (0x33, 3, 0),
                (0x33, 4, 0),
                (0x33, 5, 0),
                (0x33, 5, 0x20),
                (0x33, 6, 0),
                (0x33, 7, 0),
                (0x33, 0, 1),
                (0x33, 1, 1),
                (0x33, 2, 1),
                (0x33, 3, 1),
                (0x33, 4, 1),
                (0x33, 5, 1),
                (0x33, 6, 1),
                (0x33, 7, 1),
                (0x33, 2, 0x10),
                (0x33, 4, 0x10),
                (0x33, 6, 0x10),
                (0x33, 7, 0x20),
                (0x33, 6, 0x20),
                (0x33, 4, 0x20),
                (0x33, 4, 5),
                (0x33, 5, 5),
                (0x33, 6, 5),
                (0x33, 7, 5),
                (0x33, 1, 0x30),
                (0x33, 5, 0x30),
                (0x3b, 0, 0),
                (0x3b, 0, 0x20),
                (0x3b, 1, 0),
                (0x3b, 5, 0),
                (0x3b, 5, 0x20),
                (0x3b, 0, 1),
                (0x3b, 4, 1),
                (0x3b, 5, 1),
                (0x3b, 6, 1),
                (0x3b, 7, 1),
                (0x3b, 0, 4),
                (0x33, 4, 1),
                (0x33, 6, 1),
            ];
            let (op, f3, f7) = OPS[rng.below(OPS.len() as u64) as usize];
            r(op, f3, f7, rd, rs1, rs2)
        }
        30..=44 => {
            // OP-IMM / OP-IMM-32 and the Zbb unary ops.
            match rng.below(17) {
                0 => i(0x13, 0, rd, rs1, imm),
                1 => i(0x13, 2, rd, rs1, imm),
                2 => i(0x13, 3, rd, rs1, imm),
                3 => i(0x13, 4, rd, rs1, imm),
                4 => i(0x13, 6, rd, rs1, imm),
                5 => i(0x13, 7, rd, rs1, imm),
                6 => i(0x13, 1, rd, rs1, sh),
                7 => i(0x13, 5, rd, rs1, sh),
                8 => i(0x13, 5, rd, rs1, 0x400 | sh),
                9 => i(0x1b, 0, rd, rs1, imm),
                10 => i(0x1b, 1, rd, rs1, sh & 31),
                11 => i(0x1b, 5, rd, rs1, sh & 31),
                12 => i(0x1b, 5, rd, rs1, 0x400 | (sh & 31)),
                13 => i(
                    0x13,
                    1,
                    rd,
                    rs1,
                    0x600 + [0, 1, 2, 4, 5][rng.below(5) as usize],
                ),
                14 => i(0x13, 5, rd, rs1, 0x600 | sh),  // rori
                15 => i(0x13, 5, rd, rs1, 0x6b8),       // rev8
                _ => 0x0800_403b | rs1 << 15 | rd << 7, // zext.h
            }
        }
        45..=49 => {
            if rng.below(2) == 0 {
                lui(rd, rng.next() as u32)
            } else {
                auipc(rd, rng.next() as u32)
            }
        }
        50..=64 => {
            // Loads from the data window, any alignment.
            let f3 = [0, 1, 2, 3, 4, 5, 6][rng.below(7) as usize];
            i(0x03, f3, rd, DATA_REG, imm.clamp(-2048, 2040))
        }
        65..=76 => s(rng.below(4) as u32, DATA_REG, rs2, imm.clamp(-2048, 2040)),
        77..=84 => {
            // Forward branch over 1..6 instructions.
            let to = (at + 1 + rng.below(6) as usize).min(n);
            items.push(Item::Branch(
                [0, 1, 4, 5, 6, 7][rng.below(6) as usize],
                rs1,
                rs2,
                to,
            ));
            return;
        }
        85..=87 => {
            let to = (at + 1 + rng.below(4) as usize).min(n);
            items.push(Item::Jal(dest(rng), to));
            return;
        }
        88..=89 => {
            // auipc + jalr over the next instruction (two items).
            let t = dest(rng);
            items.push(Item::AuipcJalr(
                t,
                dest(rng),
                i(0x13, 0, dest(rng), src(rng), imm),
            ));
            return;
        }
        90..=93 => {
            // Compressed: c.addi, c.mv, c.add.
            let imm6 = (rng.below(64) as u16) & 0x3f;
            let rs = 1 + rng.below(31) as u16;
            let c = match rng.below(3) {
                0 => 0x0001 | (imm6 >> 5) << 12 | (rd as u16) << 7 | (imm6 & 0x1f) << 2,
                1 => 0x8002 | (rd as u16) << 7 | rs << 2,
                _ => 0x9002 | (rd as u16) << 7 | rs << 2,
            };
            items.push(Item::C(c));
            return;
        }
        94 => {
            // csrr rd, minstret: ends the block; checks counter accounting.
            i(0x73, 2, rd, 0, 0xb02)
        }
        95 => {
            // sfence.vma: empties the TLB, so translated loads and stores
            // miss and leave to the interpreter until it refills.
            0x1200_0073
        }
        _ => {
            // FP moves: unsupported by the JIT, they do not end blocks, so
            // the interpreter runs the tail of the block.
            // And F/D loads and stores of the data window (translated
            // only while the FPU is Dirty, which the moves make it).
            let f3 = 2 + rng.below(2) as u32;
            match rng.below(4) {
                0 => 0xf200_0053 | rs1 << 15 | (rd & 31) << 7, // fmv.d.x
                1 => 0xe200_0053 | (rs1 & 31) << 15 | rd << 7, // fmv.x.d
                2 => i(0x07, f3, rd, DATA_REG, imm.clamp(-2048, 2040)),
                _ => s(f3, DATA_REG, rs2, imm.clamp(-2048, 2040)) | 0x04,
            }
        }
    };
    items.push(Item::Raw(raw));
}

/// Lay out `items` from `base`; targets are item indices (== len means
/// the end of the body).
fn layout(items: &[Item], base: u64) -> Vec<u8> {
    let mut pos = Vec::with_capacity(items.len() + 1);
    let mut p = base;
    for it in items {
        pos.push(p);
        p += match it {
            Item::C(_) => 2,
            Item::AuipcJalr(..) => 12,
            _ => 4,
        };
    }
    pos.push(p);
    let mut out = Vec::new();
    for (k, it) in items.iter().enumerate() {
        match *it {
            Item::Raw(w) => out.extend_from_slice(&w.to_le_bytes()),
            Item::C(c) => out.extend_from_slice(&c.to_le_bytes()),
            Item::Branch(f3, rs1, rs2, to) => {
                let off = (pos[to] - pos[k]) as i32;
                out.extend_from_slice(&b(f3, rs1, rs2, off).to_le_bytes());
            }
            Item::AuipcJalr(t, rd, filler) => {
                for w in [auipc(t, 0), i(0x67, 0, rd, t, 12), filler] {
                    out.extend_from_slice(&w.to_le_bytes());
                }
            }
            Item::Jal(rd, to) => {
                let off = (pos[to] - pos[k]) as i32;
                out.extend_from_slice(&jal(rd, off).to_le_bytes());
            }
        }
    }
    out
}

fn new_hart(engine: Engine) -> Box<Hart> {
    new_hart_with(engine, false, BASELINE_THRESHOLD)
}

/// `background`: the JIT compiles on its own thread (the default outside
/// tests), so when code becomes translated depends on timing.
/// `baseline`: see [`HartConfig::jit_baseline`].
fn new_hart_with(engine: Engine, background: bool, baseline: u32) -> Box<Hart> {
    let ram = Arc::new(GuestRam::new(RAM, 1 << 20).unwrap());
    let bus = Arc::new(Bus::new(ram));
    let mut h = Hart::new(
        0,
        bus,
        Arc::new(HartSignals::new()),
        Arc::new(Clock::new()),
        HartConfig {
            engine,
            // Low, so short test programs run mostly translated.
            jit_threshold: 64,
            jit_background: background,
            jit_baseline: baseline,
            // Baseline blocks are handed to Cranelift soon too, so that
            // both tiers and their chaining into each other are tested.
            jit_hot: 64,
            ..HartConfig::default()
        },
    );
    h.pc = CODE;
    h.csr.mie = 0;
    // FS on, for the FP moves.
    h.csr.mstatus |= 1 << 13;
    h
}

/// Instruction words as little-endian code bytes.
fn words(ws: &[u32]) -> Vec<u8> {
    ws.iter().flat_map(|w| w.to_le_bytes()).collect()
}

/// A loop running `body` `iters` times, then `wfi`.
fn looped(body: &[u8], iters: u32) -> Vec<u8> {
    let mut code = Vec::new();
    code.extend_from_slice(&lui(LOOP_REG, (iters + 0x800) >> 12).to_le_bytes());
    code.extend_from_slice(&i(0x1b, 0, LOOP_REG, LOOP_REG, (iters & 0xfff) as i32).to_le_bytes());
    let top = code.len() as i32;
    code.extend_from_slice(body);
    code.extend_from_slice(&i(0x13, 0, LOOP_REG, LOOP_REG, -1).to_le_bytes());
    let here = code.len() as i32;
    code.extend_from_slice(&b(1, LOOP_REG, 0, top - here).to_le_bytes());
    code.extend_from_slice(&WFI.to_le_bytes());
    code
}

const SPECIAL: [u64; 10] = [
    0,
    1,
    u64::MAX,
    i64::MIN as u64,
    i64::MAX as u64,
    0x8000_0000,
    0xffff_ffff,
    0xffff_ffff_8000_0000,
    0x7fff_ffff,
    2,
];

/// Identical initial state on both harts: code, registers, data window.
fn setup(h: &mut Hart, code: &[u8], seed: u64, dirty_tracking: bool) {
    let ram = h.bus().ram().clone();
    ram.write_bytes(CODE, code).unwrap();
    let mut rng = Rng(seed | 1);
    let data: Vec<u8> = (0..DATA_LEN).map(|_| rng.next() as u8).collect();
    ram.write_bytes(DATA, &data).unwrap();
    for k in 1..32 {
        h.x[k] = if rng.below(3) == 0 {
            SPECIAL[rng.below(SPECIAL.len() as u64) as usize]
        } else {
            rng.next()
        };
    }
    h.x[DATA_REG as usize] = DATA + 0x1000;
    ram.set_dirty_tracking(dirty_tracking);
}

fn data_window(h: &Hart) -> Vec<u8> {
    let mut v = vec![0u8; DATA_LEN];
    h.bus().ram().read_bytes(DATA, &mut v).unwrap();
    v
}

/// Run both engines to the final `wfi` and compare everything.
fn run_both(code: &[u8], seed: u64, dirty: bool) -> (Box<Hart>, Box<Hart>) {
    run_against(new_hart(Engine::Jit), code, seed, dirty)
}

/// A hart with only the baseline tier: blocks get baseline code at their
/// first run, and Cranelift's threshold is out of the tests' reach.
fn baseline_only(engine: Engine) -> Box<Hart> {
    let mut h = new_hart_with(engine, false, 1);
    h.config.jit_threshold = u16::MAX as u32;
    h.config.jit_hot = u16::MAX as u32;
    h
}

/// Run the interpreter and hart `j` to the final `wfi` and compare
/// everything.
fn run_against(mut j: Box<Hart>, code: &[u8], seed: u64, dirty: bool) -> (Box<Hart>, Box<Hart>) {
    let mut a = new_hart(Engine::Interp);
    setup(&mut a, code, seed, dirty);
    setup(&mut j, code, seed, dirty);
    assert_eq!(a.run(50_000_000), Exit::Wfi, "seed {seed:#x}: interp");
    assert_eq!(j.run(50_000_000), Exit::Wfi, "seed {seed:#x}: jit");
    for k in 0..32 {
        assert_eq!(a.x[k], j.x[k], "seed {seed:#x}: x{k}");
        assert_eq!(a.f[k], j.f[k], "seed {seed:#x}: f{k}");
    }
    assert_eq!(a.pc, j.pc, "seed {seed:#x}: pc");
    assert_eq!(a.instret, j.instret, "seed {seed:#x}: instret");
    assert_eq!(a.traps, j.traps, "seed {seed:#x}: traps");
    assert!(
        data_window(&a) == data_window(&j),
        "seed {seed:#x}: data window differs"
    );
    (a, j)
}

/// A random program from the generator above (seed `seed`): 20 to 139
/// instructions looped `iters` to `2 * iters - 1` times, then `wfi`.
fn random_program(seed: u64, iters: u32) -> Vec<u8> {
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let n = 20 + rng.below(120) as usize;
    let mut items = Vec::new();
    while items.len() < n {
        let at = items.len();
        random_item(&mut rng, at, n, &mut items);
    }
    let body = layout(&items, CODE + 8);
    looped(&body, iters + rng.below(iters as u64) as u32)
}

#[test]
fn jit_matches_interpreter_on_random_blocks() {
    let mut translated = 0;
    let mut translate_ns = 0;
    let mut jit_insns = 0;
    let mut insns = 0;
    for round in 0..300u64 {
        let seed = 0x5eed_0000 + round;
        let code = random_program(seed, 200);
        let (_, j) = run_both(&code, seed, round % 3 == 0);
        let st = j.stats();
        translated += st.jit_blocks_translated;
        translate_ns += st.jit_translate_ns;
        jit_insns += st.jit_insns;
        insns += st.instret;
    }
    eprintln!(
        "random blocks: {translated} translated in {} us each",
        translate_ns / translated.max(1) / 1000
    );
    eprintln!("{jit_insns} of {insns} instructions ran in translated code");
    // The test is only meaningful if translated code did much of the work.
    // Each loop runs its first 64 iterations (the threshold above) interpreted, and
    // the mix holds instructions translated code leaves to the interpreter
    // (FP moves, CSR reads, sfence.vma, which also empties the TLB so
    // the loads after it miss): about 60% of the steady state runs
    // translated.
    assert!(translated > 1000, "only {translated} blocks translated");
    assert!(
        jit_insns * 5 > insns * 2,
        "translated code ran {jit_insns} of {insns} instructions"
    );
}

#[test]
fn baseline_code_matches_the_interpreter_on_random_blocks() {
    let (mut blocks, mut ns, mut jit_insns, mut insns) = (0, 0, 0, 0);
    for round in 0..300u64 {
        let seed = 0xba5e_0000 + round;
        let code = random_program(seed, 200);
        let (_, j) = run_against(baseline_only(Engine::Jit), &code, seed, round % 3 == 0);
        let st = j.stats();
        assert_eq!(st.jit_blocks_translated, 0, "seed {seed:#x}: Cranelift ran");
        blocks += st.baseline_blocks;
        ns += st.baseline_translate_ns;
        jit_insns += st.jit_insns;
        insns += st.instret;
    }
    eprintln!(
        "random blocks: {blocks} baseline blocks in {} ns each; {jit_insns} of {insns} instructions in them",
        ns / blocks.max(1)
    );
    // Meaningful only if baseline code did much of the work (the mix
    // holds instructions it leaves to the interpreter: division, FP,
    // CSRs, and loads after `sfence.vma` empties the TLB).
    assert!(blocks > 1000, "only {blocks} blocks translated");
    assert!(
        jit_insns * 5 > insns * 2,
        "baseline code ran {jit_insns} of {insns} instructions"
    );
}

#[test]
fn check_engine_runs_baseline_code_like_the_interpreter() {
    for st in check_random_programs(0xbac4_0000, baseline_only) {
        assert!(st.baseline_blocks > 0, "{st:?}");
    }
}

#[test]
fn hot_baseline_blocks_are_handed_to_cranelift() {
    // sum += i over 3000 iterations: baseline code after 16 runs, a
    // Cranelift region after 64 more entries (the tests' `jit_hot`).
    let body: Vec<u8> = words(&[r(0x33, 0, 0, 10, 10, 11), i(0x13, 0, 11, 11, 1)]);
    let code = looped(&body, 3000);
    let mut h = new_hart(Engine::Jit);
    h.bus().ram().write_bytes(CODE, &code).unwrap();
    assert_eq!(h.run(10_000_000), Exit::Wfi);
    assert_eq!(h.x[10], 4_498_500);
    let st = h.stats();
    assert!(st.baseline_blocks >= 1, "{st:?}");
    assert!(st.jit_blocks_translated >= 1, "{st:?}");
}

#[test]
fn links_into_a_block_that_went_to_cranelift_reach_its_region() {
    // A: addi a0, a0, 1; addi t1, t1, -1; bnez t1, A; jal zero, B
    // B: fmv.d.x ft0, zero; li t1, 3; addi t0, t0, -1; bnez t0, A; wfi
    // Both get baseline code at their first run and link to each other
    // (same page). A, entered three times an iteration, goes hot first
    // and gets a region, which leaves for B (an F/D instruction ends a
    // region's runs, so B is not in it); B's link into A then reaches
    // A's entry, which now jumps to the region (for about 40 iterations,
    // until B goes hot too and its region takes the whole loop).
    let code: Vec<u8> = words(&[
        i(0x13, 0, 10, 10, 1),
        i(0x13, 0, 6, 6, -1),
        b(1, 6, 0, -8),
        jal(0, 4),
        r(0x53, 0, 0x79, 0, 0, 0),
        i(0x13, 0, 6, 0, 3),
        i(0x13, 0, 5, 5, -1),
        b(1, 5, 0, -28),
        WFI,
    ]);
    let mut h = new_hart_with(Engine::Jit, false, 1);
    // Cranelift only for hot baseline blocks.
    h.config.jit_threshold = u16::MAX as u32;
    h.bus().ram().write_bytes(CODE, &code).unwrap();
    h.x[5] = 100_000;
    h.x[6] = 3;
    assert_eq!(h.run(10_000_000), Exit::Wfi);
    assert_eq!(h.x[10], 3 * 100_000);
    assert_eq!(h.x[5], 0);
    assert_eq!(h.instret, 14 * 100_000 + 1);
    let st = h.stats();
    assert!(st.baseline_blocks >= 2, "{st:?}");
    assert!(st.jit_blocks_translated >= 2, "{st:?}");
    assert!(st.jit_chained > 100, "{st:?}");
}

#[test]
fn division_edge_cases_match_the_spec() {
    // rd = op(x10, x11) for every M op, x10/x11 from the special values.
    let ops: [(u32, u32); 8] = [
        (0x33, 4),
        (0x33, 5),
        (0x33, 6),
        (0x33, 7),
        (0x3b, 4),
        (0x3b, 5),
        (0x3b, 6),
        (0x3b, 7),
    ];
    for (ai, &x) in SPECIAL.iter().enumerate() {
        for &y in &[0u64, u64::MAX, 1, 0xffff_ffff, i64::MIN as u64] {
            let mut body = Vec::new();
            for (k, &(op, f3)) in ops.iter().enumerate() {
                body.extend_from_slice(&r(op, f3, 1, 12 + k as u32, 10, 11).to_le_bytes());
            }
            let code = looped(&body, 100);
            let mut j = new_hart(Engine::Jit);
            j.bus().ram().write_bytes(CODE, &code).unwrap();
            j.x[10] = x;
            j.x[11] = y;
            assert_eq!(j.run(1_000_000), Exit::Wfi);
            assert!(j.stats().jit_block_runs > 0);
            let sext = |v: u32| v as i32 as i64 as u64;
            let (a32, b32) = (x as u32, y as u32);
            let want = [
                if y == 0 {
                    u64::MAX
                } else {
                    (x as i64).wrapping_div(y as i64) as u64
                },
                x.checked_div(y).unwrap_or(u64::MAX),
                if y == 0 {
                    x
                } else {
                    (x as i64).wrapping_rem(y as i64) as u64
                },
                if y == 0 { x } else { x % y },
                if b32 == 0 {
                    u64::MAX
                } else {
                    (a32 as i32).wrapping_div(b32 as i32) as i64 as u64
                },
                a32.checked_div(b32).map_or(u64::MAX, sext),
                if b32 == 0 {
                    sext(a32)
                } else {
                    (a32 as i32).wrapping_rem(b32 as i32) as i64 as u64
                },
                if b32 == 0 { sext(a32) } else { sext(a32 % b32) },
            ];
            for (k, &w) in want.iter().enumerate() {
                assert_eq!(j.x[12 + k], w, "op {k} x={x:#x} y={y:#x} (special {ai})");
            }
        }
    }
}

/// Code with `main` at `CODE` and the function `f` at `CODE + 0x100`.
fn main_and_f(main: &[u32], f: &[u32]) -> Vec<u8> {
    main_and_f_at(main, f, 0x100)
}

/// Code with `main` at `CODE` and the function `f` at `CODE + at`.
fn main_and_f_at(main: &[u32], f: &[u32], at: usize) -> Vec<u8> {
    let mut code = vec![0u8; at + 4 * f.len()];
    for (k, w) in main.iter().enumerate() {
        code[4 * k..4 * k + 4].copy_from_slice(&w.to_le_bytes());
    }
    for (k, w) in f.iter().enumerate() {
        code[at + 4 * k..at + 4 + 4 * k].copy_from_slice(&w.to_le_bytes());
    }
    code
}

#[test]
fn store_into_translated_code_invalidates_it() {
    // main: li t0, 100; 1: jal ra, F; addi t0, t0, -1; bnez t0, 1b
    //       sw t2, 0x100(s0) (patch F's first insn); fence.i
    //       li t0, 100; 2: jal ra, F; addi t0, t0, -1; bnez t0, 2b; wfi
    // F (at CODE + 0x100): addi a1, zero, 1; add a2, a2, a1; ret
    let addi_a1 = |v: i32| i(0x13, 0, 11, 0, v);
    let mut main = vec![i(0x13, 0, 5, 0, 100)];
    let call = |at: usize| jal(1, 0x100 - 4 * at as i32);
    main.push(call(main.len()));
    main.push(i(0x13, 0, 5, 5, -1));
    main.push(b(1, 5, 0, -8));
    main.push(s(2, 8, 7, 0x100));
    main.push(FENCE_I);
    main.push(i(0x13, 0, 5, 0, 100));
    main.push(call(main.len()));
    main.push(i(0x13, 0, 5, 5, -1));
    main.push(b(1, 5, 0, -8));
    main.push(WFI);
    let f = [addi_a1(1), r(0x33, 0, 0, 12, 12, 11), i(0x67, 0, 0, 1, 0)];
    let code = main_and_f(&main, &f);
    let mut results = Vec::new();
    for engine in [Engine::Interp, Engine::Jit] {
        let mut h = new_hart(engine);
        h.bus().ram().write_bytes(CODE, &code).unwrap();
        h.x[8] = CODE;
        h.x[7] = addi_a1(2) as u64;
        assert_eq!(h.run(1_000_000), Exit::Wfi);
        assert_eq!(h.x[12], 100 + 200, "{engine:?}: the patched code must run");
        if engine == Engine::Jit {
            let st = h.stats();
            assert!(st.jit_blocks_translated >= 2, "{st:?}");
            // Entered from the dispatcher or chained from the previous
            // region.
            assert!(st.jit_block_runs + st.jit_chained > 50, "{st:?}");
        }
        results.push((h.x, h.instret, h.pc));
    }
    assert_eq!(results[0], results[1]);
}

#[test]
fn store_into_code_called_through_jalr_reaches_the_next_call() {
    // F, in the next page, is called through `jalr ra, 0(s0)` (s0 = F)
    // from one loop, which rewrites F's first instruction near its end,
    // when every block of the loop has long been translated:
    // main: li t0, 1100; 1: jalr ra, 0(s0); addi t0, t0, -1;
    //       bne t0, t1, 2f; sw t2, 0(s0); fence.i; 2: bnez t0, 1b; wfi
    // (t1 = 100). Chains to computed targets go through the virtual jump
    // cache, which must stop handing out F's old code once F's page is
    // written (main's region, in its own page, stays).
    let addi_a1 = |v: i32| i(0x13, 0, 11, 0, v);
    let main = [
        i(0x13, 0, 5, 0, 1100),
        i(0x67, 0, 1, 8, 0),
        i(0x13, 0, 5, 5, -1),
        b(1, 5, 6, 12),
        s(2, 8, 7, 0),
        FENCE_I,
        b(1, 5, 0, -20),
        WFI,
    ];
    let f = [addi_a1(1), r(0x33, 0, 0, 12, 12, 11), i(0x67, 0, 0, 1, 0)];
    let code = main_and_f_at(&main, &f, 0x1000);
    let mut results = Vec::new();
    for engine in [Engine::Interp, Engine::Jit] {
        let mut h = new_hart(engine);
        h.bus().ram().write_bytes(CODE, &code).unwrap();
        h.x[8] = CODE + 0x1000;
        h.x[6] = 100;
        h.x[7] = addi_a1(2) as u64;
        assert_eq!(h.run(1_000_000), Exit::Wfi);
        assert_eq!(h.x[12], 1000 + 200, "{engine:?}: the patched code must run");
        if engine == Engine::Jit {
            let st = h.stats();
            assert!(st.jit_chained > 50, "{st:?}");
        }
        results.push((h.x, h.instret, h.pc));
    }
    assert_eq!(results[0], results[1]);
}

#[test]
fn store_into_a_linked_block_reaches_the_next_call() {
    // The same `jal` calls F (in its page) 200 times; half-way, the loop
    // rewrites F's first instruction. Baseline code links the `jal`
    // block straight to F's code after its first run; the store must
    // still make the 101st call run the new instruction.
    //       li t0, 200
    //    1: jal ra, F; addi t0, t0, -1; li t1, 100; bne t0, t1, 2f
    //       sw t2, 0x100(s0); fence.i
    //    2: bnez t0, 1b; wfi
    // F (at CODE + 0x100): addi a1, zero, 1; add a2, a2, a1; ret
    let addi_a1 = |v: i32| i(0x13, 0, 11, 0, v);
    let main = [
        i(0x13, 0, 5, 0, 200),
        jal(1, 0x100 - 4),
        i(0x13, 0, 5, 5, -1),
        i(0x13, 0, 6, 0, 100),
        b(1, 5, 6, 12),
        s(2, 8, 7, 0x100),
        FENCE_I,
        b(1, 5, 0, -24),
        WFI,
    ];
    let f = [addi_a1(1), r(0x33, 0, 0, 12, 12, 11), i(0x67, 0, 0, 1, 0)];
    let code = main_and_f(&main, &f);
    for name in ["interp", "baseline", "jit"] {
        let mut h = match name {
            "interp" => new_hart(Engine::Interp),
            "baseline" => baseline_only(Engine::Jit),
            _ => new_hart(Engine::Jit),
        };
        h.bus().ram().write_bytes(CODE, &code).unwrap();
        h.x[8] = CODE;
        h.x[7] = addi_a1(2) as u64;
        assert_eq!(h.run(1_000_000), Exit::Wfi, "{name}");
        assert_eq!(h.x[12], 100 + 2 * 100, "{name}: the rewritten F must run");
        assert_eq!(h.instret, 1 + 200 * 5 + 200 * 3 + 2 + 1, "{name}");
        let st = h.stats();
        if name != "interp" {
            assert!(st.baseline_blocks >= 2, "{name}: {st:?}");
            assert!(st.code_pages_dropped >= 1, "{name}: {st:?}");
            // Most calls and returns went from block to block in
            // translated code.
            assert!(st.jit_chained > 300, "{name}: {st:?}");
        }
    }
}

#[test]
fn engine_can_be_switched_between_runs() {
    let body: Vec<u8> = words(&[r(0x33, 0, 0, 10, 10, 11), i(0x13, 0, 11, 11, 1)]);
    let code = looped(&body, 1000);
    let mut h = new_hart(Engine::Interp);
    h.bus().ram().write_bytes(CODE, &code).unwrap();
    h.run(2000);
    h.set_engine(Engine::Jit);
    assert_eq!(h.run(10_000_000), Exit::Wfi);
    assert!(h.stats().jit_block_runs > 0);
    // sum of 0..1000
    assert_eq!(h.x[10], 499_500);
    h.set_engine(Engine::Interp);
    assert_eq!(h.engine(), Engine::Interp);
}

/// Run 20 random programs (seeds from `seed0`) under the interpreter and
/// under the check engine on harts from `make`, which must not diverge
/// and must end in the interpreter's state with some code translated;
/// returns the checking harts' statistics.
fn check_random_programs(seed0: u64, make: fn(Engine) -> Box<Hart>) -> Vec<HartStats> {
    let mut stats = Vec::new();
    for round in 0..20u64 {
        let seed = seed0 + round;
        let code = random_program(seed, 100);
        let mut a = new_hart(Engine::Interp);
        let mut c = make(Engine::Check);
        setup(&mut a, &code, seed, round % 2 == 0);
        setup(&mut c, &code, seed, round % 2 == 0);
        assert_eq!(a.run(50_000_000), Exit::Wfi, "seed {seed:#x}: interp");
        assert_eq!(
            c.run(50_000_000),
            Exit::Wfi,
            "seed {seed:#x}: check: {:?}",
            c.divergence()
        );
        assert_eq!(a.x, c.x, "seed {seed:#x}");
        assert_eq!((a.pc, a.instret), (c.pc, c.instret), "seed {seed:#x}");
        assert!(data_window(&a) == data_window(&c), "seed {seed:#x}: data");
        assert!(
            c.stats().jit_insns > 0,
            "seed {seed:#x}: nothing translated"
        );
        stats.push(c.stats());
    }
    stats
}

#[test]
fn check_engine_runs_random_programs_like_the_interpreter() {
    check_random_programs(0xc4ec_0000, new_hart);
}

#[test]
fn check_engine_stops_at_a_wrong_translation() {
    // addi x5, x5, 1; addi x6, x6, 2 in a loop: translated after 64 runs.
    let body: Vec<u8> = words(&[i(0x13, 0, 5, 5, 1), i(0x13, 0, 6, 6, 2)]);
    let code = looped(&body, 1000);
    let mut h = new_hart(Engine::Check);
    setup(&mut h, &code, 1, false);
    // A translator bug: every region leaves x7 off by one.
    h.corrupt_translated_x = Some(7);
    assert_eq!(h.run(50_000_000), Exit::Diverged);
    let report = h.divergence().expect("a report").to_string();
    assert!(report.contains("x7: translated"), "{report}");
    assert!(!report.contains("x5:"), "{report}");
    // The hart holds the interpreter's state: the loop made progress
    // (the block runs interpreted until its baseline code comes).
    assert!(h.instret > BASELINE_THRESHOLD as u64 * 4, "{}", h.instret);
}

#[test]
fn background_translations_are_installed_and_run_like_the_interpreter() {
    let mut translated = 0;
    for round in 0..20u64 {
        let seed = 0xb6_0000 + round;
        let code = random_program(seed, 2000);
        let mut a = new_hart(Engine::Interp);
        let mut j = new_hart_with(Engine::Jit, true, BASELINE_THRESHOLD);
        setup(&mut a, &code, seed, round % 3 == 0);
        setup(&mut j, &code, seed, round % 3 == 0);
        assert_eq!(a.run(200_000_000), Exit::Wfi, "seed {seed:#x}: interp");
        // Hot enough to ask for translations, which the hart does not
        // wait for: it goes on interpreting.
        assert_eq!(j.run(20_000), Exit::Budget, "seed {seed:#x}");
        j.wait_for_translations();
        let st = j.stats();
        assert!(st.jit_blocks_translated > 0, "seed {seed:#x}: {st:?}");
        translated += st.jit_blocks_translated;
        assert_eq!(j.run(200_000_000), Exit::Wfi, "seed {seed:#x}: jit");
        assert!(j.stats().jit_insns > 0, "seed {seed:#x}");
        for k in 0..32 {
            assert_eq!(a.x[k], j.x[k], "seed {seed:#x}: x{k}");
        }
        assert_eq!(a.pc, j.pc, "seed {seed:#x}: pc");
        assert_eq!(a.instret, j.instret, "seed {seed:#x}: instret");
        assert!(
            data_window(&a) == data_window(&j),
            "seed {seed:#x}: data window differs"
        );
    }
    assert!(translated >= 20);
}

#[test]
fn code_that_runs_steadily_but_sparsely_is_translated_in_the_end() {
    // A loop body that runs only 10 times in each heat window, far below
    // the threshold (64) of any one window: it is translated once it has
    // run LIFETIME_FACTOR times the threshold in all.
    let body: Vec<u8> = words(&[r(0x33, 0, 0, 10, 10, 11), i(0x13, 0, 11, 11, 1)]);
    let code = looped(&body, 100_000);
    // (Without the baseline tier, which would count the block's entries
    // from its 16th run on, in any window.)
    let mut h = new_hart_with(Engine::Jit, false, 0);
    h.bus().ram().write_bytes(CODE, &code).unwrap();
    let lifetime = (64 * LIFETIME_FACTOR) as u64;
    let mut iterations = 0;
    while h.stats().jit_blocks_translated == 0 && iterations < 2 * lifetime {
        // 10 iterations of 4 instructions, then the next window.
        h.run(40);
        h.instret += 1 << HEAT_WINDOW_SHIFT;
        iterations += 10;
    }
    let st = h.stats();
    assert_eq!(st.jit_blocks_translated, 1, "{st:?}");
    assert!(
        (lifetime..lifetime + 20).contains(&iterations),
        "translated after {iterations} iterations, expected about {lifetime}"
    );
    // And it runs translated from then on.
    h.run(4000);
    assert!(h.stats().jit_block_runs > 0);
}

#[test]
fn cbo_zero_runs_translated_like_the_interpreter() {
    // A loop clearing the 64-byte block around x26 and moving x26 on by
    // 40 bytes (unaligned), over a data window of 0xa5 bytes: the
    // interpreter, the JIT and the checking engine (which compares every
    // translated region, cbo.zero's eight stores included, with the
    // interpreter) must leave the same memory and registers.
    let mut body = Vec::new();
    body.extend_from_slice(&(4u32 << 20 | DATA_REG << 15 | 2 << 12 | 0x0f).to_le_bytes());
    body.extend_from_slice(&i(0x13, 0, DATA_REG, DATA_REG, 40).to_le_bytes());
    let code = looped(&body, 100);
    let mut runs = Vec::new();
    for engine in [Engine::Interp, Engine::Jit, Engine::Check] {
        let mut h = new_hart(engine);
        h.bus().ram().write_bytes(CODE, &code).unwrap();
        h.bus().ram().write_bytes(DATA, &[0xa5; DATA_LEN]).unwrap();
        h.x[DATA_REG as usize] = DATA + 8;
        assert_eq!(h.run(1_000_000), Exit::Wfi, "{engine:?}");
        let mut mem = vec![0u8; DATA_LEN];
        h.bus().ram().read_bytes(DATA, &mut mem).unwrap();
        runs.push((engine, h.x, mem, h.stats().jit_blocks_translated));
    }
    let (_, x, mem, _) = &runs[0];
    // 100 steps of 40 bytes from DATA + 8: blocks 0..=62 cleared.
    assert!(mem[..63 * 64].iter().all(|&b| b == 0));
    assert!(mem[63 * 64..].iter().all(|&b| b == 0xa5));
    for (engine, xj, memj, translated) in &runs[1..] {
        assert_eq!(x, xj, "{engine:?}");
        assert!(mem == memj, "{engine:?}: memory differs");
        assert!(*translated > 0, "{engine:?}: nothing translated");
    }
}

#[test]
fn amos_run_translated_like_the_interpreter() {
    // Every AMO (.w at offsets 0 and 4, .d at 0): before each, a plain
    // store puts a fresh value (x17, changing) in memory; after each, the
    // old value (rd, one of x5..x10) and the memory word go into a
    // rotating checksum in x16, and the source (x11..x15) changes.
    // Looped: the interpreter, the JIT (baseline blocks first, then
    // Cranelift regions) and the checking engine must leave the same
    // registers and memory.
    let funct5 = [0x00u32, 0x01, 0x04, 0x08, 0x0c, 0x10, 0x14, 0x18, 0x1c];
    let mut body = Vec::new();
    let mut put = |w: u32| body.extend_from_slice(&w.to_le_bytes());
    let mut n = 0u32;
    for &(f3, base) in &[(2u32, DATA_REG), (2, 25), (3, DATA_REG)] {
        for &f5 in &funct5 {
            let rd = 5 + n % 6;
            let rs2 = 11 + n % 5;
            let aqrl = n % 4;
            put(s(f3, base, 17, 0)); // sw/sd x17, 0(base)
            put(f5 << 27 | aqrl << 25 | rs2 << 20 | base << 15 | f3 << 12 | rd << 7 | 0x2f);
            checksum_tail(&mut put, f3, base, &[rd], rs2, n);
            n += 1;
        }
    }
    runs_like_the_interpreter(&looped(&body, 1000), 0x5a, |h| {
        h.x[DATA_REG as usize] = DATA + 0x100;
        h.x[25] = DATA + 0x104;
        h.x[17] = 0x8000_0001_7fff_fff0;
        for (k, v) in SPECIAL.iter().enumerate().take(5) {
            h.x[11 + k] = v.rotate_left(31);
        }
    });
}

/// What the AMO and lr/sc test programs put after each case: the word
/// at `base` (`lw`/`ld` by `f3`) and the registers `results` folded into
/// a rotating checksum in x16, then the next case's stored value (x17)
/// and source (`rs2`, changed by case number `n`).
fn checksum_tail(put: &mut impl FnMut(u32), f3: u32, base: u32, results: &[u32], rs2: u32, n: u32) {
    put(i(0x03, f3, 18, base, 0)); // lw/ld x18, 0(base)
    for &rd in results {
        put(r(0x33, 4, 0, 16, 16, rd)); // xor x16, x16, rd
    }
    put(r(0x33, 4, 0, 16, 16, 18)); // xor x16, x16, x18
    put(i(0x13, 1, 18, 16, 7)); // slli x18, x16, 7
    put(i(0x13, 5, 16, 16, 57)); // srli x16, x16, 57
    put(r(0x33, 6, 0, 16, 16, 18)); // or x16, x16, x18
    put(r(0x33, 0, 0, 17, 17, rs2)); // add x17, x17, rs2
    put(i(0x13, 0, rs2, rs2, 0x3a5 - 97 * n as i32));
}

/// Run `code` (ending in `wfi`) from `CODE` with the data window filled
/// with `fill` and the registers `init` sets, in the interpreter, the JIT
/// and the checking engine: registers and data must come out the same,
/// and the JIT runs must be mostly translated.
fn runs_like_the_interpreter(code: &[u8], fill: u8, init: impl Fn(&mut Hart)) {
    let mut runs = Vec::new();
    for engine in [Engine::Interp, Engine::Jit, Engine::Check] {
        let mut h = new_hart(engine);
        h.bus().ram().write_bytes(CODE, code).unwrap();
        h.bus().ram().write_bytes(DATA, &[fill; DATA_LEN]).unwrap();
        init(&mut h);
        assert_eq!(h.run(10_000_000), Exit::Wfi, "{engine:?}");
        let mut mem = vec![0u8; DATA_LEN];
        h.bus().ram().read_bytes(DATA, &mut mem).unwrap();
        runs.push((engine, h.x, mem, h.stats()));
    }
    let (_, x, mem, _) = &runs[0];
    for (engine, xj, memj, stats) in &runs[1..] {
        assert_eq!(x, xj, "{engine:?}");
        assert!(mem == memj, "{engine:?}: memory differs");
        assert!(
            stats.jit_insns * 2 > stats.instret,
            "{engine:?}: mostly interpreted"
        );
    }
}

#[test]
fn lr_sc_run_translated_like_the_interpreter() {
    // For .w (at offsets 0 and 4) and .d: an LR/SC pair that succeeds;
    // one whose word is overwritten with another value in between
    // (fails); one whose word is rewritten with the value LR saw
    // (succeeds: SC compares values, as the interpreter does); an SC
    // whose reservation an earlier SC used up (fails, though memory
    // holds the value LR saw); an SC to another address holding that
    // value (fails).
    // Every rd and the memory word go into a rotating checksum (x16).
    // Looped: the interpreter, the JIT (baseline blocks first, then
    // Cranelift regions) and the checking engine must leave the same
    // registers and memory.
    let lr = |f3: u32, rd: u32, rs1: u32| 0x02 << 27 | rs1 << 15 | f3 << 12 | rd << 7 | 0x2f;
    let sc = |f3: u32, rd: u32, rs2: u32, rs1: u32, aqrl: u32| {
        0x03 << 27 | aqrl << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | 0x2f
    };
    let mut body = Vec::new();
    let mut put = |w: u32| body.extend_from_slice(&w.to_le_bytes());
    let mut n = 0u32;
    for &(f3, base) in &[(2u32, DATA_REG), (2, 25), (3, DATA_REG)] {
        for scenario in 0..5 {
            let (rd, rd2, rs2) = (5 + n % 3, 8 + n % 3, 11 + n % 5);
            match scenario {
                0 => {
                    put(s(f3, base, 17, 0)); // sw/sd x17, 0(base)
                    put(lr(f3, rd, base));
                    put(sc(f3, rd2, rs2, base, n % 4));
                }
                1 => {
                    put(lr(f3, rd, base));
                    put(s(f3, base, 17, 0));
                    put(sc(f3, rd2, rs2, base, n % 4));
                }
                2 => {
                    put(lr(f3, rd, base));
                    put(s(f3, base, rd, 0));
                    put(sc(f3, rd2, rs2, base, n % 4));
                }
                3 => {
                    // The first SC uses up the reservation; the second
                    // finds the value LR saw again, and must still fail.
                    put(lr(f3, rd, base));
                    put(sc(f3, rd2, 17, base, 0));
                    put(s(f3, base, rd, 0));
                    put(sc(f3, rd2, rs2, base, n % 4));
                }
                _ => {
                    // Another word holding the value LR saw: fails.
                    put(lr(f3, rd, base));
                    put(s(f3, 24, rd, 0));
                    put(sc(f3, rd2, rs2, 24, n % 4));
                    put(i(0x03, f3, 19, 24, 0)); // lw/ld x19, 0(x24)
                    put(r(0x33, 4, 0, 16, 16, 19)); // xor x16, x16, x19
                }
            }
            checksum_tail(&mut put, f3, base, &[rd, rd2], rs2, n);
            put(i(0x13, 0, rd2, 0, 7)); // li rd2, 7 (an SC must set it)
            n += 1;
        }
    }
    runs_like_the_interpreter(&looped(&body, 1000), 0xa5, |h| {
        h.x[DATA_REG as usize] = DATA + 0x100;
        h.x[25] = DATA + 0x104;
        h.x[24] = DATA + 0x108;
        h.x[17] = 0x8000_0001_7fff_fff0;
        for (k, v) in SPECIAL.iter().enumerate().take(5) {
            h.x[11 + k] = v.rotate_left(29);
        }
    });
}

#[test]
fn lr_sc_and_amos_stay_atomic_across_harts() {
    // Four harts on four threads, one RAM, started together: each adds 1
    // to a shared doubleword 200 000 times by an lr.d/addi/sc.d loop
    // (retried until the sc succeeds) and to a shared word by amoadd.w.
    // No increment may be lost: in the interpreter, in baseline code
    // (Cranelift thresholds at their highest: its first 65 535 entries,
    // then Cranelift regions) and in Cranelift regions alone (no
    // baseline tier).
    const HARTS: u64 = 4;
    const ITERS: u32 = 200_000;
    let lr_d = |rd: u32, rs1: u32| 0x02 << 27 | rs1 << 15 | 3 << 12 | rd << 7 | 0x2f;
    let sc_d =
        |rd: u32, rs2: u32, rs1: u32| 0x03 << 27 | rs2 << 20 | rs1 << 15 | 3 << 12 | rd << 7 | 0x2f;
    let mut body = Vec::new();
    for w in [
        lr_d(5, 10),                          // retry: lr.d t0, (a0)
        i(0x13, 0, 5, 5, 1),                  // addi t0, t0, 1
        sc_d(6, 5, 10),                       // sc.d t1, t0, (a0)
        b(1, 6, 0, -12),                      // bnez t1, retry
        11 << 20 | 12 << 15 | 2 << 12 | 0x2f, // amoadd.w x0, a1, (a2)
    ] {
        body.extend_from_slice(&w.to_le_bytes());
    }
    let code = looped(&body, ITERS);
    let tiers = [
        (Engine::Interp, BASELINE_THRESHOLD, 64),
        (Engine::Jit, BASELINE_THRESHOLD, u16::MAX as u32),
        (Engine::Jit, 0, 64),
    ];
    for (engine, baseline, cranelift) in tiers {
        let ram = Arc::new(GuestRam::new(RAM, 1 << 20).unwrap());
        ram.write_bytes(CODE, &code).unwrap();
        let bus = Arc::new(Bus::new(ram.clone()));
        let clock = Arc::new(Clock::new());
        let harts: Vec<Box<Hart>> = (0..HARTS)
            .map(|id| {
                let mut h = Hart::new(
                    id,
                    bus.clone(),
                    Arc::new(HartSignals::new()),
                    clock.clone(),
                    HartConfig {
                        engine,
                        jit_threshold: cranelift,
                        // Compiled before running on: translated early.
                        jit_background: false,
                        jit_baseline: baseline,
                        jit_hot: cranelift,
                        ..HartConfig::default()
                    },
                );
                h.pc = CODE;
                h.csr.mie = 0;
                h.x[10] = DATA;
                h.x[11] = 1;
                h.x[12] = DATA + 8;
                h
            })
            .collect();
        let start = std::sync::Barrier::new(HARTS as usize);
        let stats: Vec<HartStats> = std::thread::scope(|s| {
            let running: Vec<_> = harts
                .into_iter()
                .map(|mut h| {
                    let start = &start;
                    s.spawn(move || {
                        start.wait();
                        assert_eq!(h.run(100_000_000), Exit::Wfi, "{engine:?}");
                        h.stats()
                    })
                })
                .collect();
            running.into_iter().map(|t| t.join().unwrap()).collect()
        });
        let mut words = [0u8; 16];
        ram.read_bytes(DATA, &mut words).unwrap();
        let lrsc = u64::from_le_bytes(words[..8].try_into().unwrap());
        let amo = u32::from_le_bytes(words[8..12].try_into().unwrap());
        assert_eq!(
            lrsc,
            HARTS * ITERS as u64,
            "{engine:?} {baseline} {cranelift}: lr/sc increments lost"
        );
        assert_eq!(
            amo as u64,
            HARTS * ITERS as u64,
            "{engine:?} {baseline} {cranelift}: amoadd increments lost"
        );
        if engine == Engine::Jit {
            for st in &stats {
                assert!(
                    st.jit_insns * 2 > st.instret,
                    "{baseline} {cranelift}: mostly interpreted"
                );
            }
        }
    }
}

/// Operand values for the F/D test: normals, zeros, subnormals, the
/// smallest normals, infinities, NaNs (quiet and signaling), as doubles
/// and as NaN-boxed singles, plus singles that are not NaN-boxed.
fn fp_specials() -> Vec<u64> {
    let box32 = |v: u32| 0xffff_ffff_0000_0000 | v as u64;
    let mut v = Vec::new();
    for d in [1.5f64, -2.25, 3.0e300, 1.0e-300, 0.1, 7.0, -0.0, 0.0] {
        v.push(d.to_bits());
    }
    v.extend([
        1,                               // smallest subnormal
        f64::MIN_POSITIVE.to_bits(),     // smallest normal
        f64::MIN_POSITIVE.to_bits() + 1, // just above it
        f64::INFINITY.to_bits(),
        f64::NEG_INFINITY.to_bits(),
        0x7ff8_0000_0000_0000, // quiet NaN
        0x7ff0_0000_0000_0001, // signaling NaN
    ]);
    for s in [1.5f32, -2.25, 3.0e38, 1.0e-38, 0.1, 7.0, -0.0, 0.0] {
        v.push(box32(s.to_bits()));
    }
    v.extend([
        box32(1),
        box32(f32::MIN_POSITIVE.to_bits()),
        box32(f32::MIN_POSITIVE.to_bits() + 1),
        box32(f32::INFINITY.to_bits()),
        box32(0x7fc0_0000),
        box32(0x7f80_0001),
        1.5f32.to_bits() as u64, // not NaN-boxed
    ]);
    v
}

/// Run `code` (ending in `wfi`) on the interpreter and the JIT from f
/// registers `f`, x registers `x` (x1 up to `x.len() - 1`, the loop
/// counter excepted) and `fcsr`, and assert they end with the same
/// registers, `fcsr` and instruction count, and that code was translated.
fn fp_engines_agree(round: u64, code: &[u8], f: &[u64], x: &[u64], fcsr: u64) {
    let mut harts = Vec::new();
    for engine in [Engine::Interp, Engine::Jit] {
        let mut h = new_hart(engine);
        h.bus().ram().write_bytes(CODE, code).unwrap();
        h.f.copy_from_slice(f);
        for (k, &v) in x.iter().enumerate().skip(1) {
            if k != LOOP_REG as usize {
                h.x[k] = v;
            }
        }
        h.csr.fcsr = fcsr;
        assert_eq!(h.run(10_000_000), Exit::Wfi, "round {round}: {engine:?}");
        harts.push(h);
    }
    let (a, j) = (&harts[0], &harts[1]);
    for k in 0..32 {
        assert_eq!(a.f[k], j.f[k], "round {round}: f{k}");
        assert_eq!(a.x[k], j.x[k], "round {round}: x{k}");
    }
    assert_eq!(a.csr.fcsr, j.csr.fcsr, "round {round}: fcsr");
    assert_eq!(a.instret, j.instret, "round {round}: instret");
    assert!(j.stats().jit_blocks_translated > 0);
}

#[test]
fn fp_arithmetic_matches_the_interpreter() {
    // Random F/D arithmetic (add, sub, mul, div, sqrt, the four fused
    // forms, sign injection, moves to and from x registers, integer
    // writes in between; single and
    // double; rounding static RNE, static RTZ or
    // dynamic) on special operands, looped so that it runs translated,
    // from fcsr states with and without NX and with frm RNE or RTZ: the
    // inline host-FPU path and the helper must give the interpreter's
    // registers and flags.
    let specials = fp_specials();
    let mut inline_ran = 0;
    for round in 0..120u64 {
        let mut rng = Rng(0xf10a_7000 + round);
        let mut body = Vec::new();
        for _ in 0..24 {
            let rd = rng.below(12) as u32; // f0..f11 change; f12.. stay
            let rs1 = rng.below(32) as u32;
            let rs2 = rng.below(32) as u32;
            let rs3 = rng.below(32) as u32;
            let fmt = rng.below(2) as u32;
            let rm = [0u32, 1, 7][rng.below(3) as usize];
            let w = match rng.below(14) {
                // Integer writes between them (x1..x11): translated code
                // stores registers back late, also around the helper.
                12 => i(
                    0x13,
                    0,
                    1 + rng.below(11) as u32,
                    rs1,
                    rng.below(4096) as i32 - 2048,
                ),
                13 => r(0x33, 4, 0, 1 + rng.below(11) as u32, rs1, rs2), // xor
                9 => r(0x53, rng.below(3) as u32, 0x10 | fmt, rd, rs1, rs2), // fsgnj[n|x]
                10 => {
                    // fmv.x.w / fmv.x.d into x1..x11
                    r(0x53, 0, 0x70 | fmt, rd, rs1, 0)
                }
                11 => r(0x53, 0, 0x78 | fmt, rd, rs1, 0), // fmv.w.x / fmv.d.x
                0..=3 => {
                    let f5 = rng.below(4) as u32; // add sub mul div
                    r(0x53, rm, f5 << 2 | fmt, rd, rs1, rs2)
                }
                4 => r(0x53, rm, 0x0b << 2 | fmt, rd, rs1, 0), // sqrt
                _ => {
                    let opc = [0x43, 0x47, 0x4b, 0x4f][rng.below(4) as usize];
                    rs3 << 27 | fmt << 25 | rs2 << 20 | rs1 << 15 | rm << 12 | rd << 7 | opc
                }
            };
            body.extend_from_slice(&w.to_le_bytes());
        }
        let code = looped(&body, 100);
        let fcsr = [0u64, 1, 1 << 5, 1 << 5 | 1, 0x1f][round as usize % 5];
        let init: Vec<u64> = (0..32)
            .map(|_| specials[rng.below(specials.len() as u64) as usize])
            .collect();
        let x: Vec<u64> = init.iter().take(12).map(|v| v.rotate_left(17)).collect();
        fp_engines_agree(round, &code, &init, &x, fcsr);
        inline_ran += (fcsr & 0xe0 == 0) as u32;
    }
    assert!(inline_ran > 0);
}

#[test]
fn fp_compares_and_conversions_match_the_interpreter() {
    // Random comparisons (feq, flt, fle), conversions (float to integer
    // of every width and signedness, integer to float, single to double
    // and back; single and double; every static rounding mode and
    // dynamic) and reads and writes of fflags, frm and fcsr, on operands at the edges of each range: integral values,
    // ties, fractions, the powers of two that bound the integer formats
    // and their neighbours, zeros, subnormals, infinities, NaNs and
    // singles that are not NaN-boxed; integer operands at the edges of
    // exact conversion (2^24, 2^53) and of the formats. Looped so that it
    // runs translated, from fcsr states with and without NX and with every
    // legal frm: the inline paths and the helper must give the
    // interpreter's registers and flags.
    let box32 = |v: f32| 0xffff_ffff_0000_0000 | v.to_bits() as u64;
    let mut fs = fp_specials();
    let edges = [
        2.5, -2.5, 3.5, -0.5, 0.5, -0.9, 1.0, -1.0, 42.0, 1e10, -1e10, 123.456,
    ];
    for p in [24, 31, 32, 53, 63, 64] {
        let t = 2f64.powi(p);
        for v in [t, -t, t - 1.0, -t - 1.0, t + 1.0, t - 0.5, -t + 0.5] {
            fs.push(v.to_bits());
            fs.push(box32(v as f32));
        }
    }
    for v in edges {
        fs.push(f64::to_bits(v));
        fs.push(box32(v as f32));
    }
    fs.push(box32(f32::from_bits(0xcf00_0000))); // -2^31 as a single
    fs.push(box32(f32::from_bits(0x4effffff))); // just below 2^31
    let ints: Vec<u64> = [
        0i64,
        1,
        -1,
        7,
        1 << 24,
        (1 << 24) + 1,
        -(1 << 24),
        -(1 << 24) - 1,
        1 << 53,
        (1 << 53) + 1,
        -(1 << 53) - 1,
        i32::MAX as i64,
        i32::MIN as i64,
        u32::MAX as i64,
        i64::MAX,
        i64::MIN,
        0x1234_5678_9abc,
    ]
    .iter()
    .map(|&v| v as u64)
    .collect();
    for round in 0..150u64 {
        let mut rng = Rng(0xc0de_f100 + round);
        let mut body = Vec::new();
        for _ in 0..24 {
            let fmt = rng.below(2) as u32;
            let rm = [0u32, 1, 2, 3, 4, 7, 7][rng.below(7) as usize];
            let xd = 1 + rng.below(11) as u32; // x1..x11 change
            let fd = rng.below(12) as u32; // f0..f11 change
            let f1 = rng.below(32) as u32;
            let f2 = rng.below(32) as u32;
            let x1 = rng.below(32) as u32;
            let w = match rng.below(6) {
                // CSR accesses to fflags, frm and fcsr (frm stays legal:
                // it is only written with 0..=4 or cleared bits).
                5 => {
                    let csr = 1 + rng.below(3) as u32;
                    let f3 = match (csr, rng.below(6) as u32) {
                        (1, f3) => 1 + f3 % 3 + 4 * (f3 / 3), // any
                        (_, 0) => 3,                          // csrrc
                        (_, f3) => [5, 7][f3 as usize % 2],   // csrrwi, csrrci
                    };
                    let src = if csr == 2 && f3 == 5 {
                        rng.below(5) as u32
                    } else {
                        rng.below(32) as u32
                    };
                    let rd = [0, xd][rng.below(2) as usize];
                    i(0x73, f3, rd, src, csr as i32)
                }
                // feq / flt / fle
                0 => r(0x53, rng.below(3) as u32, 0x50 | fmt, xd, f1, f2),
                // fcvt.{w,wu,l,lu}.{s,d}
                1 | 2 => r(0x53, rm, 0x60 | fmt, xd, f1, rng.below(4) as u32),
                // fcvt.{s,d}.{w,wu,l,lu}
                3 => r(0x53, rm, 0x68 | fmt, fd, x1, rng.below(4) as u32),
                // fcvt.s.d / fcvt.d.s
                _ => r(0x53, rm, 0x20 | fmt, fd, f1, 1 - fmt),
            };
            body.extend_from_slice(&w.to_le_bytes());
        }
        let code = looped(&body, 100);
        let frm = round % 5;
        let fcsr = frm << 5 | [0, 1][(round / 5) as usize % 2];
        let finit: Vec<u64> = (0..32)
            .map(|_| fs[rng.below(fs.len() as u64) as usize])
            .collect();
        let xinit: Vec<u64> = (0..32)
            .map(|_| ints[rng.below(ints.len() as u64) as usize])
            .collect();
        fp_engines_agree(round, &code, &finit, &xinit, fcsr);
    }
}

/// `xor` of `rs1` and a random register among x0..x11 into one of
/// x1..x11 (the integer filler of the random CSR programs).
fn random_xor(rng: &mut Rng, rs1: u32) -> u32 {
    r(
        0x33,
        4,
        0,
        1 + rng.below(11) as u32,
        rs1,
        rng.below(12) as u32,
    )
}

#[test]
fn trap_csr_accesses_run_translated_like_the_interpreter() {
    // Random reads and writes (every CSR instruction form) of sscratch,
    // sepc, scause and stval between integer instructions, looped so that
    // it runs translated: the registers and the four CSRs must end as in
    // the interpreter (sepc keeps bit 0 clear).
    for round in 0..40u64 {
        let mut rng = Rng(0x5c5a_0000 + round);
        let mut body = Vec::new();
        for _ in 0..24 {
            let rd = rng.below(12) as u32; // x0..x11
            let rs1 = rng.below(12) as u32;
            let w = match rng.below(4) {
                0 => i(
                    0x13,
                    0,
                    1 + rng.below(11) as u32,
                    rs1,
                    rng.below(4096) as i32 - 2048,
                ),
                1 => random_xor(&mut rng, rs1),
                _ => {
                    let f3 = [1, 2, 3, 5, 6, 7][rng.below(6) as usize];
                    let csr = 0x140 + rng.below(4) as i32;
                    i(0x73, f3, rd, rs1, csr)
                }
            };
            body.extend_from_slice(&w.to_le_bytes());
        }
        let code = looped(&body, 100);
        let init: Vec<u64> = (0..16).map(|_| rng.next()).collect();
        let mut harts = Vec::new();
        for (name, mut h) in three_engines() {
            h.bus().ram().write_bytes(CODE, &code).unwrap();
            h.x[1..12].copy_from_slice(&init[1..12]);
            [h.csr.sscratch, h.csr.sepc, h.csr.scause, h.csr.stval] =
                [init[12], init[13] & !1, init[14], init[15]];
            assert_eq!(h.run(10_000_000), Exit::Wfi, "round {round}: {name}");
            harts.push((name, h));
        }
        let a = &harts[0].1;
        for (name, j) in &harts[1..] {
            assert_same_x(a, j, &format!("round {round}: {name}"));
            let csrs = |h: &Hart| [h.csr.sscratch, h.csr.sepc, h.csr.scause, h.csr.stval];
            assert_eq!(csrs(a), csrs(j), "round {round}: {name}");
            assert_eq!(a.instret, j.instret, "round {round}: {name}: instret");
            assert_translated(name, j);
        }
    }
}

/// The interpreter, the JIT engine (both tiers), and baseline code
/// alone, on fresh harts.
fn three_engines() -> [(&'static str, Box<Hart>); 3] {
    [
        ("interp", new_hart(Engine::Interp)),
        ("jit", new_hart(Engine::Jit)),
        ("baseline", baseline_only(Engine::Jit)),
    ]
}

/// A PMP entry (NAPOT, read, write, execute) over all of memory, so that
/// S- and U-mode may run everything.
fn pmp_allow_all(h: &mut Hart) {
    h.csr.pmpaddr[0] = u64::MAX >> 10;
    h.csr.pmpcfg[0] = 0x1f;
    h.pmp_changed();
}

/// The integer registers of `j` are those of `a` (`what` names the run).
fn assert_same_x(a: &Hart, j: &Hart, what: &str) {
    for k in 0..32 {
        assert_eq!(a.x[k], j.x[k], "{what}: x{k}");
    }
}

/// Hart `h` of `three_engines` ran translated code of its kind.
fn assert_translated(name: &str, h: &Hart) {
    let st = h.stats();
    match name {
        "jit" => assert!(st.jit_blocks_translated > 0, "{name}: {st:?}"),
        "baseline" => assert!(st.baseline_blocks > 0 && st.jit_insns > 0, "{name}: {st:?}"),
        _ => {}
    }
}

#[test]
fn trap_csr_access_in_user_mode_traps_in_translated_code_too() {
    // A U-mode loop that reads sscratch once it has run hot: translated
    // code must leave before the read, and the interpreter raise the
    // illegal-instruction trap, with the CSR unread and the count exact.
    let mut body = Vec::new();
    body.extend_from_slice(&i(0x13, 0, 5, 5, 1).to_le_bytes()); // addi x5, x5, 1
                                                                // bne x5, x6, back to the addi (x6 = 500): hot before the CSR read
    body.extend_from_slice(&b(1, 5, 6, -4).to_le_bytes());
    body.extend_from_slice(&i(0x73, 2, 7, 0, 0x140).to_le_bytes()); // csrr x7, sscratch
    body.extend_from_slice(&WFI.to_le_bytes());
    let handler = CODE + 0x800;
    let mut results = Vec::new();
    for (engine, mut h) in three_engines() {
        let ram = h.bus().ram().clone();
        ram.write_bytes(CODE, &body).unwrap();
        ram.write_bytes(handler, &WFI.to_le_bytes()).unwrap();
        h.csr.mtvec = handler;
        h.csr.sscratch = 0x5555;
        h.x[6] = 500;
        h.x[7] = 7;
        // U-mode may run everything (a PMP entry for all of memory).
        pmp_allow_all(&mut h);
        h.set_priv(Priv::U);
        assert_eq!(h.run(10_000_000), Exit::Wfi, "{engine:?}");
        assert_eq!(
            h.pc,
            handler + 4,
            "{engine:?}: stopped after the handler's wfi"
        );
        assert_eq!(h.csr.mcause, 2, "{engine:?}: illegal instruction");
        assert_eq!(h.csr.mepc, CODE + 8, "{engine:?}");
        assert_eq!(h.x[7], 7, "{engine:?}: x7 unchanged");
        assert_translated(engine, &h);
        results.push((h.x[5], h.instret));
    }
    assert_eq!(results[0], results[1]);
    assert_eq!(results[0], results[2]);
}

#[test]
fn sstatus_accesses_run_translated_like_the_interpreter() {
    // Random reads and writes of sstatus (every CSR instruction form, the
    // values mixing SIE, SPIE, SPP, FS, SUM and MXR) between integer
    // instructions, looped so that it runs translated: translated code
    // runs the writes that change only SIE (clearing), SPIE, SPP and FS
    // and leaves the others to the interpreter; registers, mstatus and
    // the instruction count must end as in the interpreter.
    let bits = [
        1u64 << 1,
        1 << 5,
        1 << 8,
        1 << 13,
        3 << 13,
        1 << 18,
        1 << 19,
    ];
    for round in 0..60u64 {
        let mut rng = Rng(0x5757_0000 + round);
        let mut body = Vec::new();
        for _ in 0..24 {
            let rd = rng.below(12) as u32; // x0..x11
            let rs1 = rng.below(12) as u32;
            let w = match rng.below(5) {
                0 => random_xor(&mut rng, rs1),
                _ => {
                    let f3 = [1, 2, 3, 5, 6, 7][rng.below(6) as usize];
                    let src = if f3 >= 5 {
                        [0u32, 2, 0x20 >> 4, 1, 3][rng.below(5) as usize]
                    } else {
                        rs1
                    };
                    i(0x73, f3, rd, src, 0x100)
                }
            };
            body.extend_from_slice(&w.to_le_bytes());
        }
        let code = looped(&body, 100);
        let init: Vec<u64> = (0..12)
            .map(|_| {
                let mut v = 0;
                for _ in 0..rng.below(4) {
                    v |= bits[rng.below(bits.len() as u64) as usize];
                }
                v
            })
            .collect();
        let mut harts = Vec::new();
        for (name, mut h) in three_engines() {
            h.bus().ram().write_bytes(CODE, &code).unwrap();
            h.x[1..12].copy_from_slice(&init[1..12]);
            if round % 2 == 1 {
                // S-mode (bare), where SUM selects the data TLB.
                pmp_allow_all(&mut h);
                h.set_priv(Priv::S);
            }
            assert_eq!(h.run(10_000_000), Exit::Wfi, "round {round}: {name}");
            harts.push((name, h));
        }
        let a = &harts[0].1;
        for (name, j) in &harts[1..] {
            assert_same_x(a, j, &format!("round {round}: {name}"));
            assert_eq!(
                a.csr.mstatus, j.csr.mstatus,
                "round {round}: {name}: mstatus"
            );
            assert_eq!(
                a.data_idx, j.data_idx,
                "round {round}: {name}: data TLB in use"
            );
            assert_eq!(a.instret, j.instret, "round {round}: {name}: instret");
            assert_translated(name, j);
        }
    }
}

#[test]
fn baseline_tlb_misses_are_filled_without_leaving_translated_code() {
    // Every iteration flushes the TLB (sfence.vma), so each access of the
    // baseline block after it misses: the fill helper walks and the block
    // goes on. The last load crosses the page boundary, which no TLB
    // entry serves: it leaves for the interpreter every time.
    //   1: sfence.vma
    //      ld x5, -16(x26); ld x6, 16(x26); add x7, x5, x6
    //      sd x7, -32(x26); sw x7, 32(x26)
    //      ld x8, -4(x26); add x9, x9, x8
    //      (loop)
    const SFENCE_VMA: u32 = 0x1200_0073;
    let body: Vec<u8> = words(&[
        SFENCE_VMA,
        i(0x03, 3, 5, DATA_REG, -16),
        i(0x03, 3, 6, DATA_REG, 16),
        r(0x33, 0, 0, 7, 5, 6),
        s(3, DATA_REG, 7, -32),
        s(2, DATA_REG, 7, 32),
        i(0x03, 3, 8, DATA_REG, -4),
        r(0x33, 0, 0, 9, 9, 8),
    ]);
    let iters = 300;
    let (_, j) = run_against(baseline_only(Engine::Jit), &looped(&body, iters), 7, false);
    let st = j.stats();
    // The sfence.vma (through the helper), five accesses and the add
    // between them per iteration ran in baseline code, past four TLB
    // misses each.
    assert!(st.tlb_misses >= 4 * iters as u64, "{st:?}");
    assert!(st.jit_insns >= 6 * (iters as u64 - 20), "{st:?}");
    // Only the page-crossing load left (once per iteration).
    assert!(st.jit_slow_exits <= iters as u64 + 2, "{st:?}");
}

#[test]
fn baseline_system_helper_refuses_sfence_vma_that_must_trap() {
    // `sfence.vma` through the helper: refused with no effect (the TLB
    // keeps its entries) from U-mode and from S-mode with mstatus.TVM;
    // run (the TLB emptied) from S-mode otherwise. `fence.i` always runs.
    let mut h = new_hart(Engine::Jit);
    pmp_allow_all(&mut h);
    let sfence = vireo_isa::decode(0x1200_0073);
    let fence_i = vireo_isa::decode(0x0000_100f);
    assert!(vireo_jit::baseline::is_baseline_system(&sfence));
    assert!(vireo_jit::baseline::is_baseline_system(&fence_i));
    let tvm = 1u64 << 20;
    let hart = &mut *h as *mut Hart as *mut u8;
    let cached = |h: &Hart| h.mmu.tlbs[0].read[5].tag == 5;
    for (prv, mstatus, refused) in [
        (Priv::U, 0, true),
        (Priv::S, tvm, true),
        (Priv::S, 0, false),
        (Priv::M, tvm, false),
    ] {
        h.set_priv(prv);
        h.csr.mstatus = (h.csr.mstatus & !tvm) | mstatus;
        h.mmu.tlbs[0].read[5].tag = 5;
        // SAFETY: `hart` is `h`, alive and not otherwise borrowed during
        // the call; the instruction outlives it.
        let r = unsafe { jit_fp_op(hart, &sfence) };
        assert_eq!(r, refused as u64, "{prv:?} {mstatus:#x}");
        assert_eq!(cached(&h), refused, "{prv:?} {mstatus:#x}");
        // SAFETY: as above.
        assert_eq!(unsafe { jit_fp_op(hart, &fence_i) }, 0);
    }
}

#[test]
fn baseline_csr_helper_runs_only_writes_that_change_nothing_else() {
    // `jit_csr` (baseline code's CSR instructions): sstatus writes that
    // change SUM or MXR (the data TLB in use), or set SIE while an
    // interrupt is due, are refused with no effect; other SIE, SPIE, SPP
    // and FS changes run; counters are never taken in.
    let mut h = new_hart(Engine::Jit);
    pmp_allow_all(&mut h);
    h.set_priv(Priv::S);
    let csr_insn =
        |f3: u32, rd: u32, rs1: u32, csr: i32| vireo_isa::decode(i(0x73, f3, rd, rs1, csr));
    let sum = 1u64 << 18;
    let mxr = 1u64 << 19;
    let before = h.csr.mstatus;
    for (v, what) in [(sum, "SUM"), (mxr, "MXR"), (sum | 2, "SUM with SIE")] {
        h.x[5] = v;
        let insn = csr_insn(2, 6, 5, 0x100); // csrrs x6, sstatus, x5
        assert!(vireo_jit::baseline::is_baseline_csr(&insn));
        assert!(h.jit_csr(&insn), "{what}: refused");
        assert_eq!(h.csr.mstatus, before, "{what}: no effect");
    }
    // csrrsi sstatus, SIE; csrrci sstatus, SIE; csrrs with SPP|SPIE.
    assert!(!h.jit_csr(&csr_insn(6, 0, 2, 0x100)));
    assert_ne!(h.csr.mstatus & 2, 0, "SIE set");
    assert!(!h.jit_csr(&csr_insn(7, 7, 2, 0x100)));
    assert_eq!(h.csr.mstatus & 2, 0, "SIE clear");
    assert_ne!(h.x[7] & 2, 0, "the old value read");
    h.x[5] = 1 << 8 | 1 << 5;
    assert!(!h.jit_csr(&csr_insn(2, 0, 5, 0x100)));
    assert_eq!(h.csr.mstatus & (1 << 8 | 1 << 5), 1 << 8 | 1 << 5);
    assert_eq!(h.data_idx, {
        let mut g = new_hart(Engine::Jit);
        g.set_priv(Priv::S);
        g.data_idx
    });
    // Setting SIE while an interrupt is due: refused (the interpreter
    // runs it, and the run loop takes the interrupt right after).
    assert!(!h.jit_csr(&csr_insn(7, 0, 2, 0x100)));
    h.csr.mideleg |= 1 << 1;
    h.csr.mie |= 1 << 1;
    h.csr.mip |= 1 << 1; // SSIP
    let before = h.csr.mstatus;
    h.x[7] = 0x77;
    assert!(
        h.jit_csr(&csr_insn(6, 7, 2, 0x100)),
        "SIE set with SSIP due"
    );
    assert_eq!((h.csr.mstatus, h.x[7]), (before, 0x77), "no effect");
    // cycle and instret count the block's instructions: never taken in.
    assert!(!vireo_jit::baseline::is_baseline_csr(&csr_insn(
        2, 6, 0, 0xc00
    )));
    assert!(!vireo_jit::baseline::is_baseline_csr(&csr_insn(
        2, 6, 0, 0xc02
    )));
    assert!(vireo_jit::baseline::is_baseline_csr(&csr_insn(
        2, 6, 0, 0xc01
    )));
    // A write to satp never.
    assert!(!vireo_jit::baseline::is_baseline_csr(&csr_insn(
        1, 0, 5, 0x180
    )));
}

/// S-mode with Sv39: two gigapages over the start of RAM, at its own
/// address for the supervisor (read, write, execute) and at 0x4000_0000
/// for the user (read, write); the root table at `RAM + 0x8_0000`.
/// Traps go to M-mode, whose handler at `CODE + 0x800` is a `wfi`.
fn supervisor_with_user_alias(h: &mut Hart) {
    let root = RAM + 0x8_0000;
    let ppn = RAM >> 12;
    let ram = h.bus().ram().clone();
    // V R W X A D; V R W U A D.
    ram.write_u64(root + 8 * (RAM >> 30), ppn << 10 | 0xcf)
        .unwrap();
    ram.write_u64(root + 8, ppn << 10 | 0xd7).unwrap();
    ram.write_bytes(CODE + 0x800, &WFI.to_le_bytes()).unwrap();
    h.csr.mtvec = CODE + 0x800;
    pmp_allow_all(h);
    h.set_priv(Priv::S);
    h.csr_write(0x180, 8 << 60 | root >> 12, 0).unwrap();
}

#[test]
fn sum_flips_switch_the_data_tlb_inside_translated_code() {
    // Linux's user-access window in a loop: csrs sstatus, SUM; a load and
    // a store through the user alias; csrc sstatus, SUM; a load through
    // the supervisor's own mapping. Translated code runs the SUM flips
    // inline, switching between the two S-mode data TLBs. After the
    // loop (SUM clear), a load through the user alias must fault even
    // though the user page is in the SUM TLB: the M-mode handler's `wfi`
    // ends the run, and everything must match the interpreter.
    let user = 0x4000_0000 + (DATA - RAM) + 0x1000;
    let body: Vec<u8> = words(&[
        i(0x73, 2, 0, 5, 0x100), // csrs sstatus, x5
        i(0x03, 3, 6, DATA_REG, 0),
        r(0x33, 0, 0, 9, 9, 6),
        s(3, DATA_REG, 9, 8),
        i(0x73, 3, 0, 5, 0x100), // csrc sstatus, x5
        i(0x03, 3, 7, 25, 16),
        r(0x33, 0, 0, 9, 9, 7),
    ]);
    let iters = 2000;
    let mut code = looped(&body, iters);
    code.truncate(code.len() - 4);
    code.extend_from_slice(&i(0x03, 3, 8, DATA_REG, 0).to_le_bytes());
    code.extend_from_slice(&WFI.to_le_bytes());
    let mut harts = Vec::new();
    for (name, mut h) in three_engines() {
        setup(&mut h, &code, 0x5a5a, false);
        supervisor_with_user_alias(&mut h);
        h.x[5] = 1 << 18;
        h.x[DATA_REG as usize] = user;
        h.x[25] = DATA + 0x1000;
        h.x[8] = 0x88;
        assert_eq!(h.run(10_000_000), Exit::Wfi, "{name}");
        assert_eq!(h.prv, Priv::M, "{name}: trapped");
        assert_eq!(h.csr.mcause, 13, "{name}: load page fault");
        assert_eq!(h.csr.mtval, user, "{name}: at the user alias");
        assert_eq!(h.x[8], 0x88, "{name}: the faulting load wrote nothing");
        harts.push((name, h));
    }
    let a = &harts[0].1;
    for (name, j) in &harts[1..] {
        assert_same_x(a, j, name);
        assert_eq!(a.csr.mepc, j.csr.mepc, "{name}: mepc");
        assert_eq!(a.instret, j.instret, "{name}: instret");
        assert!(data_window(a) == data_window(j), "{name}: data window");
        assert_translated(name, j);
    }
    // The flips ran inside Cranelift code once it was there: the
    // interpreter ran blocks only before (baseline code leaves before
    // each flip), not twice per iteration.
    let st = harts[1].1.stats();
    assert!(st.interp_block_runs < iters as u64 / 4, "{st:?}");
    assert!(st.jit_insns > 7 * (iters as u64 * 3 / 4), "{st:?}");
}

#[test]
fn setting_sie_inside_translated_code_takes_a_pending_interrupt_at_once() {
    // An S-mode loop masking and unmasking interrupts around an addi
    // (csrci / csrsi sstatus, SIE): with nothing pending, translated code
    // runs the unmasking inline. Run again from the start with a
    // supervisor software interrupt pending (and masked): the first
    // csrsi must take it, in translated code as in the interpreter.
    let body: Vec<u8> = words(&[
        i(0x73, 7, 0, 2, 0x100), // csrci sstatus, SIE
        i(0x13, 0, 9, 9, 1),
        i(0x73, 6, 0, 2, 0x100), // csrsi sstatus, SIE
    ]);
    let iters = 500;
    let code = looped(&body, iters);
    let mut harts = Vec::new();
    for (name, mut h) in three_engines() {
        h.bus().ram().write_bytes(CODE, &code).unwrap();
        // The handler: csrci sip, SSIP; wfi.
        let handler: Vec<u8> = words(&[i(0x73, 7, 0, 2, 0x144), WFI]);
        h.bus().ram().write_bytes(CODE + 0x800, &handler).unwrap();
        pmp_allow_all(&mut h);
        h.set_priv(Priv::S);
        h.csr.mideleg |= 1 << 1;
        h.csr.mie |= 1 << 1;
        h.csr.stvec = CODE + 0x800;
        h.x[9] = 0;
        assert_eq!(h.run(10_000_000), Exit::Wfi, "{name}: first run");
        assert_eq!(h.x[9], iters as u64, "{name}: first run");
        if name == "jit" {
            let st = h.stats();
            assert!(st.interp_block_runs < iters as u64 / 4, "{name}: {st:?}");
        }
        h.pc = CODE;
        h.csr.mstatus &= !2;
        h.csr.mip |= 1 << 1; // SSIP
        assert_eq!(h.run(10_000_000), Exit::Wfi, "{name}: second run");
        assert_eq!(h.csr.scause, 1 << 63 | 1, "{name}: SSI taken");
        assert_eq!(h.x[9], iters as u64 + 1, "{name}: taken after one addi");
        harts.push((name, h));
    }
    let a = &harts[0].1;
    for (name, j) in &harts[1..] {
        assert_same_x(a, j, name);
        assert_eq!(a.csr.sepc, j.csr.sepc, "{name}: sepc");
        assert_eq!(a.instret, j.instret, "{name}: instret");
    }
}
