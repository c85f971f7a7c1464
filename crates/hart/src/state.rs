//! Saving and restoring a hart's architectural state (snapshots,
//! clones, migration).
//!
//! What is saved is exactly the architectural state: registers, `pc`,
//! the privilege level, the retired-instruction count and the CSRs.
//! Everything else is a cache derived from it (TLBs, decoded blocks, the
//! decoded PMP ranges, the timer bits) and is rebuilt on restore. An LR
//! reservation is dropped, which the ISA allows at any time (the next
//! SC fails and the guest retries).

use crate::csr::Csrs;
use crate::{Hart, Priv};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The saved state of one hart.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HartSnapshot {
    /// `mhartid`.
    pub id: u64,
    /// Integer registers (32).
    pub x: Vec<u64>,
    /// Floating-point registers (32, raw bits).
    pub f: Vec<u64>,
    /// Program counter.
    pub pc: u64,
    /// Privilege level: 0 (U), 1 (S) or 3 (M).
    pub prv: u8,
    /// Instructions retired.
    pub instret: u64,
    /// Control and status registers.
    pub csr: Csrs,
}

/// A hart snapshot that cannot be applied.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum HartStateError {
    /// The snapshot is of another hart.
    #[error("snapshot of hart {found} cannot be restored into hart {expected}")]
    WrongHart {
        /// This hart's id.
        expected: u64,
        /// The id in the snapshot.
        found: u64,
    },
    /// A field has an impossible value.
    #[error("hart {hart}: invalid {what} in the snapshot")]
    Invalid {
        /// The hart.
        hart: u64,
        /// Which field.
        what: &'static str,
    },
}

impl Hart {
    /// The hart's architectural state. Call only while the hart is not
    /// running (between [`Hart::run`] calls).
    pub fn save(&self) -> HartSnapshot {
        HartSnapshot {
            id: self.id,
            x: self.x.to_vec(),
            f: self.f.to_vec(),
            pc: self.pc,
            prv: self.prv as u8,
            instret: self.instret,
            csr: self.csr.clone(),
        }
    }

    /// Load `s` into this hart and drop every cache derived from the old
    /// state. The snapshot is validated first; on error nothing changes.
    pub fn restore(&mut self, s: &HartSnapshot) -> Result<(), HartStateError> {
        let invalid = |what| HartStateError::Invalid {
            hart: self.id,
            what,
        };
        if s.id != self.id {
            return Err(HartStateError::WrongHart {
                expected: self.id,
                found: s.id,
            });
        }
        let x: [u64; 32] =
            s.x.as_slice()
                .try_into()
                .map_err(|_| invalid("x registers"))?;
        let f: [u64; 32] =
            s.f.as_slice()
                .try_into()
                .map_err(|_| invalid("f registers"))?;
        if x[0] != 0 {
            return Err(invalid("x0"));
        }
        let prv = Priv::from_bits(u64::from(s.prv))
            .filter(|_| s.prv <= 3)
            .ok_or_else(|| invalid("privilege level"))?;
        self.x = x;
        self.f = f;
        self.pc = s.pc;
        self.instret = s.instret;
        // CSRs go through their WARL rules where they have derived state:
        // satp (ASID tag, translation mode) and the PMP.
        let satp = s.csr.satp;
        self.csr = s.csr.clone();
        self.csr.satp = 0;
        self.write_satp(satp);
        self.pmp_changed();
        self.reservation[0] = 0;
        self.pending_exit = None;
        self.mmu.flush_all();
        self.blocks.flush();
        self.set_priv(prv);
        self.refresh_timer();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::HartConfig;
    use std::sync::Arc;
    use vireo_memory::{Bus, Clock, GuestRam, HartSignals};

    fn hart(id: u64) -> Box<Hart> {
        let ram = Arc::new(GuestRam::new(0x8000_0000, 1 << 20).unwrap());
        Hart::new(
            id,
            Arc::new(Bus::new(ram)),
            Arc::new(HartSignals::new()),
            Arc::new(Clock::new()),
            HartConfig::default(),
        )
    }

    #[test]
    fn save_restore_round_trips_architectural_state() {
        let mut a = hart(0);
        a.x[5] = 0x1234;
        a.f[3] = 0x4000_0000_0000_0000;
        a.pc = 0x8000_1000;
        a.instret = 99;
        a.csr.mscratch = 7;
        a.csr.satp = (8 << 60) | (5 << 44) | 0x80123;
        a.csr.pmpcfg[0] = 0x1f;
        a.csr.pmpaddr[0] = u64::MAX >> 10;
        a.set_priv(Priv::S);
        let snap = a.save();
        let json = serde_json::to_string(&snap).unwrap();
        let back: HartSnapshot = serde_json::from_str(&json).unwrap();
        let mut b = hart(0);
        b.restore(&back).unwrap();
        assert_eq!(b.save(), snap);
        assert_eq!(b.prv, Priv::S);
        assert_eq!(b.mmu.asid_tag, 5 << 52, "ASID tag derived from satp");
    }

    #[test]
    fn bad_snapshots_are_refused_and_change_nothing() {
        let mut a = hart(1);
        a.pc = 0x8000_0000;
        let good = a.save();
        let mut b = hart(1);
        let before = b.save();
        let mut s = good.clone();
        s.x.pop();
        assert!(b.restore(&s).is_err());
        let mut s = good.clone();
        s.prv = 2;
        assert!(b.restore(&s).is_err());
        let mut s = good.clone();
        s.x[0] = 1;
        assert!(b.restore(&s).is_err());
        let mut c = hart(2);
        assert!(matches!(
            c.restore(&good),
            Err(HartStateError::WrongHart { .. })
        ));
        assert_eq!(b.save(), before);
    }
}
