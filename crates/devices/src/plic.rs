//! The platform-level interrupt controller (SiFive PLIC, as on QEMU's
//! `virt` board).
//!
//! Register map (offsets inside the window, all registers 32 bits wide):
//!
//! | offset                      | register                              |
//! | --------------------------- | ------------------------------------- |
//! | `0x000000 + 4*src`          | priority of source `src` (3 bits)     |
//! | `0x001000 + 4*w`            | pending bits of sources `32w..32w+31` |
//! | `0x002000 + 0x80*ctx + 4*w` | enable bits of context `ctx`          |
//! | `0x200000 + 0x1000*ctx`     | priority threshold of context `ctx`   |
//! | `0x200004 + 0x1000*ctx`     | claim (read) / complete (write)       |
//!
//! Context `2*h` is hart `h` in M-mode (drives MEIP), context `2*h+1` is
//! hart `h` in S-mode (drives SEIP).
//!
//! Interrupt sources are level-triggered. The gateway of a source forwards
//! one request at a time: a claimed source is not pending again until the
//! hart writes its ID to the complete register; if the device still holds
//! its line high at that point, it becomes pending again at once.
//!
//! [`Plic::save`] and [`Plic::restore`] move the whole register state in
//! and out as a [`PlicSnapshot`].

use crate::reg::{deposit, extract};
use crate::StateError;
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex, MutexGuard};
use thiserror::Error;
use vireo_memory::{HartSignals, MmioDevice, MIP_MEIP, MIP_SEIP};

/// Number of interrupt sources, including the reserved source 0.
pub const PLIC_NUM_SOURCES: u32 = 96;
/// Size of the PLIC's MMIO window (as on QEMU's `virt` board).
pub const PLIC_SIZE: u64 = 0x60_0000;

const WORDS: usize = PLIC_NUM_SOURCES.div_ceil(32) as usize;
const PRIORITY_MASK: u32 = 0x7;

const PENDING_BASE: u64 = 0x1000;
const ENABLE_BASE: u64 = 0x2000;
const ENABLE_STRIDE: u64 = 0x80;
const CONTEXT_BASE: u64 = 0x20_0000;
const CONTEXT_STRIDE: u64 = 0x1000;

/// Highest number of harts the register layout can address (two contexts
/// per hart, 1024 context register blocks in the window).
pub const PLIC_MAX_HARTS: usize = ((PLIC_SIZE - CONTEXT_BASE) / CONTEXT_STRIDE / 2) as usize;

/// Errors constructing a PLIC.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum PlicError {
    /// More harts than the register layout can address.
    #[error("the PLIC supports at most {max} harts, {requested} requested")]
    TooManyHarts {
        /// Harts requested.
        requested: usize,
        /// The limit.
        max: usize,
    },
}

type Bits = [u32; WORDS];

/// The guest-visible state of a [`Plic`], as plain data.
///
/// Bit vectors hold one bit per source, 32 sources per word, source `s` in
/// bit `s % 32` of word `s / 32` (as in the pending registers).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlicSnapshot {
    /// Priority of each source (`PLIC_NUM_SOURCES` entries, 0..=7; source
    /// 0 is 0).
    pub priority: Vec<u32>,
    /// Requests forwarded by the gateways and not yet claimed.
    pub pending: Vec<u32>,
    /// Sources claimed and not yet completed.
    pub claimed: Vec<u32>,
    /// Level of each device line.
    pub level: Vec<u32>,
    /// Enable bits per context (two contexts per hart: M, then S).
    pub enable: Vec<Vec<u32>>,
    /// Priority threshold per context (0..=7).
    pub threshold: Vec<u32>,
}

impl PlicSnapshot {
    /// Check that the snapshot fits a PLIC with `contexts` contexts and
    /// holds only values the registers can hold.
    fn validate(&self, contexts: usize) -> Result<(), StateError> {
        let mismatch = |what: &str, got: usize, want: usize| {
            Err(StateError::Mismatch(format!(
                "PLIC {what}: {got} entries, this PLIC has {want}"
            )))
        };
        if self.priority.len() != PLIC_NUM_SOURCES as usize {
            return mismatch("priorities", self.priority.len(), PLIC_NUM_SOURCES as usize);
        }
        for (what, v) in [
            ("pending words", &self.pending),
            ("claimed words", &self.claimed),
            ("level words", &self.level),
        ] {
            if v.len() != WORDS {
                return mismatch(what, v.len(), WORDS);
            }
        }
        if self.enable.len() != contexts {
            return Err(StateError::Mismatch(format!(
                "PLIC enables for {} contexts ({} harts), this PLIC has {contexts} contexts ({} harts)",
                self.enable.len(),
                self.enable.len() / 2,
                contexts / 2
            )));
        }
        if self.threshold.len() != contexts {
            return Err(StateError::Mismatch(format!(
                "PLIC thresholds for {} contexts, this PLIC has {contexts}",
                self.threshold.len()
            )));
        }
        for (ctx, e) in self.enable.iter().enumerate() {
            if e.len() != WORDS {
                return mismatch(&format!("enable words of context {ctx}"), e.len(), WORDS);
            }
        }

        let invalid = |msg: String| Err(StateError::Invalid(msg));
        if let Some((src, p)) = self
            .priority
            .iter()
            .enumerate()
            .find(|&(_, &p)| p & !PRIORITY_MASK != 0)
        {
            return invalid(format!("PLIC priority {p} of source {src} (max 7)"));
        }
        if self.priority[0] != 0 {
            return invalid("PLIC priority of the reserved source 0".into());
        }
        if let Some((ctx, t)) = self
            .threshold
            .iter()
            .enumerate()
            .find(|&(_, &t)| t & !PRIORITY_MASK != 0)
        {
            return invalid(format!("PLIC threshold {t} of context {ctx} (max 7)"));
        }
        let words = [&self.pending, &self.claimed, &self.level]
            .into_iter()
            .chain(self.enable.iter());
        if words.into_iter().any(|w| w[0] & 1 != 0) {
            return invalid("PLIC bit set for the reserved source 0".into());
        }
        if (0..WORDS).any(|w| self.pending[w] & self.claimed[w] != 0) {
            return invalid("PLIC source both pending and claimed".into());
        }
        Ok(())
    }
}

fn to_bits(v: &[u32]) -> Bits {
    let mut b = [0; WORDS];
    b.copy_from_slice(v);
    b
}

fn bit(bits: &Bits, src: u32) -> bool {
    bits[(src / 32) as usize] & (1 << (src % 32)) != 0
}

fn set_bit(bits: &mut Bits, src: u32, on: bool) {
    let w = &mut bits[(src / 32) as usize];
    if on {
        *w |= 1 << (src % 32);
    } else {
        *w &= !(1 << (src % 32));
    }
}

/// The PLIC's state: plain data, so it can be saved and restored.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PlicState {
    priority: [u32; PLIC_NUM_SOURCES as usize],
    /// Requests forwarded by the gateways and not yet claimed.
    pending: Bits,
    /// Sources claimed and not yet completed.
    claimed: Bits,
    /// Current level of each device line.
    level: Bits,
    /// Per context.
    enable: Vec<Bits>,
    /// Per context.
    threshold: Vec<u32>,
}

impl PlicState {
    /// The source context `ctx` would claim now: the pending, enabled
    /// source of highest priority above the threshold, lowest ID on ties.
    fn best(&self, ctx: usize) -> Option<u32> {
        let mut best: Option<(u32, u32)> = None;
        for w in 0..WORDS {
            let mut cand = self.pending[w] & !self.claimed[w] & self.enable[ctx][w];
            while cand != 0 {
                let src = (w as u32) * 32 + cand.trailing_zeros();
                cand &= cand - 1;
                let prio = self.priority[src as usize];
                // Strictly greater: on equal priority the lower ID, seen
                // first, wins.
                let beats = match best {
                    None => true,
                    Some((_, p)) => prio > p,
                };
                if prio > self.threshold[ctx] && beats {
                    best = Some((src, prio));
                }
            }
        }
        best.map(|(src, _)| src)
    }
}

/// Which register an access addresses.
#[derive(Clone, Copy)]
enum Reg {
    Priority(u32),
    Pending(usize),
    Enable(usize, usize),
    Threshold(usize),
    Claim(usize),
    /// Reserved or not implemented: reads 0, writes ignored.
    None,
}

/// The platform-level interrupt controller.
pub struct Plic {
    harts: Vec<Arc<HartSignals>>,
    state: Mutex<PlicState>,
}

impl Plic {
    /// A PLIC with two contexts (M and S) per hart in `harts`.
    pub fn new(harts: Vec<Arc<HartSignals>>) -> Result<Plic, PlicError> {
        if harts.len() > PLIC_MAX_HARTS {
            return Err(PlicError::TooManyHarts {
                requested: harts.len(),
                max: PLIC_MAX_HARTS,
            });
        }
        let contexts = harts.len() * 2;
        Ok(Plic {
            state: Mutex::new(PlicState {
                priority: [0; PLIC_NUM_SOURCES as usize],
                pending: [0; WORDS],
                claimed: [0; WORDS],
                level: [0; WORDS],
                enable: vec![[0; WORDS]; contexts],
                threshold: vec![0; contexts],
            }),
            harts,
        })
    }

    fn lock(&self) -> MutexGuard<'_, PlicState> {
        // A poisoned lock means a panic elsewhere; the state itself is
        // always consistent between statements, so keep going.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Drive the interrupt line of `source` (1..=95) to `level`. Callable
    /// from any thread. Out-of-range sources are ignored.
    pub fn set_irq(&self, source: u32, level: bool) {
        if source == 0 || source >= PLIC_NUM_SOURCES {
            return;
        }
        let mut s = self.lock();
        if bit(&s.level, source) == level {
            return;
        }
        set_bit(&mut s.level, source, level);
        // A request the gateway forwarded stays pending until claimed, even
        // if the line drops first (PLIC specification: the pending bit is
        // only cleared by a claim). The handler may then claim a source
        // whose device has nothing left to do, as on hardware.
        if level && !bit(&s.claimed, source) {
            set_bit(&mut s.pending, source, true);
        }
        self.update(&s);
    }

    /// Drive every hart's MEIP/SEIP from the current state. Called with
    /// the lock held so that concurrent updates cannot reorder levels.
    fn update(&self, s: &PlicState) {
        for (ctx, _) in s.threshold.iter().enumerate() {
            let hart = &self.harts[ctx / 2];
            let mask = if ctx % 2 == 0 { MIP_MEIP } else { MIP_SEIP };
            let want = s.best(ctx).is_some();
            if (hart.levels() & mask != 0) != want {
                hart.set_level(mask, want);
            }
        }
    }

    /// The interrupt controller's state, for a snapshot.
    pub fn save(&self) -> PlicSnapshot {
        let s = self.lock();
        PlicSnapshot {
            priority: s.priority.to_vec(),
            pending: s.pending.to_vec(),
            claimed: s.claimed.to_vec(),
            level: s.level.to_vec(),
            enable: s.enable.iter().map(|e| e.to_vec()).collect(),
            threshold: s.threshold.clone(),
        }
    }

    /// Load a state saved by [`Plic::save`], then drive every hart's MEIP
    /// and SEIP to the level it implies. A snapshot of a PLIC with another
    /// number of harts, or with values the registers cannot hold, is
    /// refused and leaves the PLIC unchanged.
    ///
    /// The line levels come from the snapshot too; devices restored
    /// afterwards drive their lines again, which is a no-op when they agree.
    pub fn restore(&self, snap: &PlicSnapshot) -> Result<(), StateError> {
        let mut s = self.lock();
        snap.validate(s.threshold.len())?;
        let mut priority = [0; PLIC_NUM_SOURCES as usize];
        priority.copy_from_slice(&snap.priority);
        *s = PlicState {
            priority,
            pending: to_bits(&snap.pending),
            claimed: to_bits(&snap.claimed),
            level: to_bits(&snap.level),
            enable: snap.enable.iter().map(|e| to_bits(e)).collect(),
            threshold: snap.threshold.clone(),
        };
        // Unconditionally: the harts' levels may come from anywhere.
        for ctx in 0..s.threshold.len() {
            let mask = if ctx % 2 == 0 { MIP_MEIP } else { MIP_SEIP };
            self.harts[ctx / 2].set_level(mask, s.best(ctx).is_some());
        }
        Ok(())
    }

    fn decode(&self, offset: u64, contexts: usize) -> Reg {
        if offset < PENDING_BASE {
            let src = (offset / 4) as u32;
            if src != 0 && src < PLIC_NUM_SOURCES {
                return Reg::Priority(src);
            }
        } else if offset < ENABLE_BASE {
            let w = ((offset - PENDING_BASE) / 4) as usize;
            if w < WORDS {
                return Reg::Pending(w);
            }
        } else if offset < CONTEXT_BASE {
            let ctx = ((offset - ENABLE_BASE) / ENABLE_STRIDE) as usize;
            let w = ((offset - ENABLE_BASE) % ENABLE_STRIDE / 4) as usize;
            if ctx < contexts && w < WORDS {
                return Reg::Enable(ctx, w);
            }
        } else if offset < PLIC_SIZE {
            let ctx = ((offset - CONTEXT_BASE) / CONTEXT_STRIDE) as usize;
            if ctx < contexts {
                match (offset - CONTEXT_BASE) % CONTEXT_STRIDE / 4 {
                    0 => return Reg::Threshold(ctx),
                    1 => return Reg::Claim(ctx),
                    _ => {}
                }
            }
        }
        Reg::None
    }

    /// Value of a register without side effects (claim reads 0 here).
    fn peek(s: &PlicState, reg: Reg) -> u32 {
        match reg {
            Reg::Priority(src) => s.priority[src as usize],
            Reg::Pending(w) => s.pending[w],
            Reg::Enable(ctx, w) => s.enable[ctx][w],
            Reg::Threshold(ctx) => s.threshold[ctx],
            Reg::Claim(_) | Reg::None => 0,
        }
    }

    fn read32(&self, offset: u64) -> u32 {
        let mut s = self.lock();
        let reg = self.decode(offset, s.threshold.len());
        match reg {
            Reg::Claim(ctx) => {
                let Some(src) = s.best(ctx) else {
                    return 0;
                };
                set_bit(&mut s.pending, src, false);
                set_bit(&mut s.claimed, src, true);
                self.update(&s);
                src
            }
            _ => Self::peek(&s, reg),
        }
    }

    fn write32(&self, offset: u64, value: u32) {
        let mut s = self.lock();
        let reg = self.decode(offset, s.threshold.len());
        match reg {
            Reg::Priority(src) => s.priority[src as usize] = value & PRIORITY_MASK,
            Reg::Enable(ctx, w) => {
                // Source 0 does not exist: its enable bit is hardwired 0.
                s.enable[ctx][w] = if w == 0 { value & !1 } else { value };
            }
            Reg::Threshold(ctx) => s.threshold[ctx] = value & PRIORITY_MASK,
            Reg::Claim(ctx) => {
                let src = value;
                // A completion for a source that is not enabled for this
                // context, or not claimed, is ignored (PLIC spec).
                if src == 0
                    || src >= PLIC_NUM_SOURCES
                    || !bit(&s.enable[ctx], src)
                    || !bit(&s.claimed, src)
                {
                    return;
                }
                set_bit(&mut s.claimed, src, false);
                if bit(&s.level, src) {
                    set_bit(&mut s.pending, src, true);
                }
            }
            // Pending bits are read-only.
            Reg::Pending(_) | Reg::None => return,
        }
        self.update(&s);
    }
}

impl MmioDevice for Plic {
    fn read(&self, offset: u64, size: u8) -> u64 {
        match size {
            4 if offset & 3 == 0 => u64::from(self.read32(offset)),
            8 if offset & 7 == 0 => {
                let lo = self.read32(offset);
                let hi = self.read32(offset + 4);
                u64::from(lo) | (u64::from(hi) << 32)
            }
            1 | 2 if offset % 4 + u64::from(size) <= 4 => {
                // Narrow reads see the register without side effects.
                let s = self.lock();
                let reg = self.decode(offset & !3, s.threshold.len());
                extract(u64::from(Self::peek(&s, reg)), offset % 4, size)
            }
            _ => 0,
        }
    }

    fn write(&self, offset: u64, size: u8, value: u64) {
        match size {
            4 if offset & 3 == 0 => self.write32(offset, value as u32),
            8 if offset & 7 == 0 => {
                self.write32(offset, value as u32);
                self.write32(offset + 4, (value >> 32) as u32);
            }
            1 | 2 if offset % 4 + u64::from(size) <= 4 => {
                let word = offset & !3;
                let old = {
                    let s = self.lock();
                    let reg = self.decode(word, s.threshold.len());
                    if matches!(reg, Reg::Claim(_)) {
                        // Completion needs the whole ID in one access.
                        return;
                    }
                    Self::peek(&s, reg)
                };
                let new = deposit(u64::from(old), offset % 4, size, value);
                self.write32(word, new as u32);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const M0: u64 = 0; // context 0: hart 0, M-mode
    const S0: u64 = 1; // context 1: hart 0, S-mode

    fn plic(n: usize) -> (Plic, Vec<Arc<HartSignals>>) {
        let harts: Vec<_> = (0..n).map(|_| Arc::new(HartSignals::new())).collect();
        (Plic::new(harts.clone()).unwrap(), harts)
    }

    fn enable(p: &Plic, ctx: u64, src: u32) {
        let off = ENABLE_BASE + ENABLE_STRIDE * ctx + 4 * u64::from(src / 32);
        let old = p.read(off, 4);
        p.write(off, 4, old | (1 << (src % 32)));
    }

    fn priority(p: &Plic, src: u32, prio: u64) {
        p.write(4 * u64::from(src), 4, prio);
    }

    fn threshold(p: &Plic, ctx: u64, t: u64) {
        p.write(CONTEXT_BASE + CONTEXT_STRIDE * ctx, 4, t);
    }

    fn claim(p: &Plic, ctx: u64) -> u64 {
        p.read(CONTEXT_BASE + CONTEXT_STRIDE * ctx + 4, 4)
    }

    fn complete(p: &Plic, ctx: u64, src: u64) {
        p.write(CONTEXT_BASE + CONTEXT_STRIDE * ctx + 4, 4, src);
    }

    #[test]
    fn claim_and_complete_one_source() {
        let (p, harts) = plic(1);
        priority(&p, 10, 1);
        enable(&p, S0, 10);

        p.set_irq(10, true);

        assert_eq!(harts[0].levels() & MIP_SEIP, MIP_SEIP);
        assert_eq!(harts[0].levels() & MIP_MEIP, 0, "not enabled in M context");
        assert_eq!(p.read(PENDING_BASE, 4), 1 << 10);

        let id = claim(&p, S0);

        assert_eq!(id, 10);
        assert_eq!(p.read(PENDING_BASE, 4), 0);
        assert_eq!(harts[0].levels() & MIP_SEIP, 0);
        assert_eq!(claim(&p, S0), 0, "nothing else to claim");

        p.set_irq(10, false);
        complete(&p, S0, 10);

        assert_eq!(harts[0].levels() & MIP_SEIP, 0);
        assert_eq!(p.read(PENDING_BASE, 4), 0);
    }

    #[test]
    fn level_still_high_at_complete_re_pends() {
        let (p, harts) = plic(1);
        priority(&p, 5, 1);
        enable(&p, S0, 5);
        p.set_irq(5, true);
        assert_eq!(claim(&p, S0), 5);

        complete(&p, S0, 5);

        assert_eq!(harts[0].levels() & MIP_SEIP, MIP_SEIP);
        assert_eq!(claim(&p, S0), 5);
    }

    #[test]
    fn claimed_source_is_not_re_pended_until_complete() {
        let (p, harts) = plic(1);
        priority(&p, 5, 1);
        enable(&p, S0, 5);
        p.set_irq(5, true);
        assert_eq!(claim(&p, S0), 5);

        p.set_irq(5, false);
        p.set_irq(5, true);

        assert_eq!(harts[0].levels() & MIP_SEIP, 0);
        assert_eq!(claim(&p, S0), 0);
    }

    #[test]
    fn request_stays_pending_when_the_line_drops_before_claim() {
        let (p, harts) = plic(1);
        priority(&p, 7, 1);
        enable(&p, S0, 7);
        p.set_irq(7, true);

        p.set_irq(7, false);

        assert_eq!(harts[0].levels() & MIP_SEIP, MIP_SEIP);
        assert_eq!(claim(&p, S0), 7);
        assert_eq!(harts[0].levels() & MIP_SEIP, 0);
    }

    #[test]
    fn highest_priority_first_ties_to_lowest_id() {
        let (p, _) = plic(1);
        for (src, prio) in [(3, 2), (40, 5), (33, 5), (90, 1)] {
            priority(&p, src, prio);
            enable(&p, M0, src);
            p.set_irq(src, true);
        }

        let order: Vec<u64> = (0..5).map(|_| claim(&p, M0)).collect();

        assert_eq!(order, vec![33, 40, 3, 90, 0]);
    }

    #[test]
    fn threshold_masks_lower_or_equal_priorities() {
        let (p, harts) = plic(1);
        priority(&p, 1, 3);
        enable(&p, M0, 1);
        threshold(&p, M0, 3);

        p.set_irq(1, true);

        assert_eq!(harts[0].levels() & MIP_MEIP, 0);
        assert_eq!(claim(&p, M0), 0);

        threshold(&p, M0, 2);

        assert_eq!(harts[0].levels() & MIP_MEIP, MIP_MEIP);
        assert_eq!(claim(&p, M0), 1);
    }

    #[test]
    fn priority_zero_never_interrupts() {
        let (p, harts) = plic(1);
        enable(&p, M0, 2);

        p.set_irq(2, true);

        assert_eq!(harts[0].levels() & MIP_MEIP, 0);
        assert_eq!(p.read(PENDING_BASE, 4), 1 << 2, "pending but masked");
    }

    #[test]
    fn enable_routes_to_the_right_hart_and_mode() {
        let (p, harts) = plic(2);
        priority(&p, 64, 1);
        enable(&p, 3, 64); // hart 1, S-mode

        p.set_irq(64, true);

        assert_eq!(harts[0].levels() & (MIP_MEIP | MIP_SEIP), 0);
        assert_eq!(harts[1].levels() & (MIP_MEIP | MIP_SEIP), MIP_SEIP);
        assert_eq!(p.read(PENDING_BASE + 8, 4), 1);

        p.write(ENABLE_BASE + ENABLE_STRIDE * 3 + 8, 4, 0);

        assert_eq!(harts[1].levels() & MIP_SEIP, 0);
    }

    #[test]
    fn complete_of_source_not_enabled_is_ignored() {
        let (p, _) = plic(1);
        priority(&p, 4, 1);
        enable(&p, S0, 4);
        p.set_irq(4, true);
        assert_eq!(claim(&p, S0), 4);

        complete(&p, M0, 4); // not enabled for context 0

        assert_eq!(claim(&p, S0), 0, "still claimed");
        complete(&p, S0, 4);
        assert_eq!(claim(&p, S0), 4);
    }

    #[test]
    fn register_masks_and_reserved_bits() {
        let (p, _) = plic(1);

        p.write(0, 4, 7); // source 0 priority
        p.write(ENABLE_BASE, 4, 0xffff_ffff);
        priority(&p, 1, 0xff);
        threshold(&p, M0, 0xff);
        p.write(PENDING_BASE, 4, 0xffff_ffff);

        assert_eq!(p.read(0, 4), 0);
        assert_eq!(p.read(ENABLE_BASE, 4), 0xffff_fffe);
        assert_eq!(p.read(4, 4), 7);
        assert_eq!(p.read(CONTEXT_BASE, 4), 7);
        assert_eq!(p.read(PENDING_BASE, 4), 0);
        assert_eq!(p.read(ENABLE_BASE + 12, 4), 0, "no word for sources 96..");
        assert_eq!(
            p.read(ENABLE_BASE + ENABLE_STRIDE * 2, 4),
            0,
            "no context 2"
        );
    }

    /// A PLIC with some of everything: priorities, enables in both modes,
    /// thresholds, a claimed source, pending sources, a line still high.
    fn busy_plic() -> (Plic, Vec<Arc<HartSignals>>) {
        let (p, harts) = plic(2);
        for (src, prio) in [(1, 1), (10, 3), (33, 7), (64, 2), (95, 5)] {
            priority(&p, src, prio);
        }
        enable(&p, M0, 33);
        enable(&p, S0, 10);
        enable(&p, S0, 64);
        enable(&p, 3, 95);
        threshold(&p, M0, 2);
        threshold(&p, 3, 6); // masks source 95 on hart 1
        p.set_irq(10, true);
        p.set_irq(64, true);
        p.set_irq(95, true);
        p.set_irq(33, true);
        p.set_irq(33, false); // stays pending
        assert_eq!(claim(&p, S0), 10); // claimed, line still high
        (p, harts)
    }

    /// Every register the guest can read without side effects.
    fn registers(p: &Plic) -> Vec<u64> {
        let mut regs: Vec<u64> = (0..PLIC_NUM_SOURCES)
            .map(|src| p.read(4 * u64::from(src), 4))
            .collect();
        for w in 0..WORDS as u64 {
            regs.push(p.read(PENDING_BASE + 4 * w, 4));
        }
        for ctx in 0..4u64 {
            for w in 0..WORDS as u64 {
                regs.push(p.read(ENABLE_BASE + ENABLE_STRIDE * ctx + 4 * w, 4));
            }
            regs.push(p.read(CONTEXT_BASE + CONTEXT_STRIDE * ctx, 4));
        }
        regs
    }

    #[test]
    fn save_and_restore_into_a_fresh_plic() {
        let (p, harts) = busy_plic();
        let before = registers(&p);
        let levels: Vec<u64> = harts.iter().map(|h| h.levels()).collect();
        assert_eq!(levels, vec![MIP_MEIP | MIP_SEIP, 0]);

        let snap = p.save();
        let (q, qharts) = plic(2);
        // Stale levels on the new harts must be overwritten.
        qharts[1].set_level(MIP_MEIP | MIP_SEIP, true);
        q.restore(&snap).unwrap();

        assert_eq!(registers(&q), before);
        assert_eq!(q.save(), snap);
        let qlevels: Vec<u64> = qharts.iter().map(|h| h.levels()).collect();
        assert_eq!(qlevels, levels);
        // The restored PLIC behaves like the original from here on.
        assert_eq!(claim(&q, M0), 33);
        assert_eq!(claim(&q, S0), 64);
        assert_eq!(qharts[0].levels(), 0);
        complete(&q, S0, 10);
        assert_eq!(qharts[0].levels(), MIP_SEIP, "line 10 still high");
        assert_eq!(claim(&q, S0), 10);
    }

    #[test]
    fn snapshot_of_another_hart_count_is_refused() {
        let (p, _) = busy_plic();
        let snap = p.save();
        let (q, qharts) = plic(1);
        priority(&q, 3, 4);
        enable(&q, S0, 3);
        q.set_irq(3, true);
        let before = q.save();

        let err = q.restore(&snap).unwrap_err();

        assert!(matches!(err, StateError::Mismatch(_)), "{err}");
        assert!(err.to_string().contains("2 harts"), "{err}");
        assert_eq!(q.save(), before);
        assert_eq!(qharts[0].levels(), MIP_SEIP);
    }

    #[test]
    fn malformed_snapshots_are_refused() {
        let (p, _) = busy_plic();
        let good = p.save();
        let mut bad = Vec::new();
        let mut s = good.clone();
        s.priority.pop();
        bad.push(s);
        let mut s = good.clone();
        s.pending.push(0);
        bad.push(s);
        let mut s = good.clone();
        s.enable[1].pop();
        bad.push(s);
        let mut s = good.clone();
        s.threshold.pop();
        bad.push(s);
        let mut s = good.clone();
        s.priority[5] = 8;
        bad.push(s);
        let mut s = good.clone();
        s.threshold[0] = 9;
        bad.push(s);
        let mut s = good.clone();
        s.level[0] |= 1;
        bad.push(s);
        let mut s = good.clone();
        s.pending[0] |= 1 << 10; // source 10 is claimed
        bad.push(s);
        let (q, _) = plic(2);
        let fresh = q.save();

        for s in bad {
            assert!(q.restore(&s).is_err(), "{s:?}");
            assert_eq!(q.save(), fresh);
        }
    }

    #[test]
    fn snapshot_round_trips_through_json() {
        let (p, _) = busy_plic();
        let snap = p.save();

        let json = serde_json::to_string(&snap).unwrap();
        let back: PlicSnapshot = serde_json::from_str(&json).unwrap();

        assert_eq!(back, snap);
    }

    #[test]
    fn too_many_harts_is_an_error() {
        let harts: Vec<_> = (0..PLIC_MAX_HARTS + 1)
            .map(|_| Arc::new(HartSignals::new()))
            .collect();

        assert!(matches!(
            Plic::new(harts),
            Err(PlicError::TooManyHarts { .. })
        ));
    }
}
