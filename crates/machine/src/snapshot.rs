//! The machine's state as data: what a snapshot holds besides guest RAM.
//!
//! [`Machine::snapshot`] gathers it from a paused machine;
//! [`Machine::restore`] builds a machine from a configuration, a RAM
//! (typically mapped copy-on-write from a snapshot's memory file) and
//! this state, ready for [`Machine::resume`]. The configuration itself is
//! not part of it: the VMM stores it next to this, and must rebuild the
//! same board (same harts, RAM size and virtio devices in the same slots),
//! which `restore` checks.

use crate::board::{Machine, MachineConfig, MachineError, RAM_BASE};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::sync::Arc;
use vireo_devices::{PlicSnapshot, RtcSnapshot, UartSnapshot, VmGenIdSnapshot};
use vireo_hart::state::HartSnapshot;
use vireo_memory::GuestRam;
use vireo_virtio::VirtioMmioSnapshot;

/// Everything about a machine except its configuration and RAM.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MachineSnapshot {
    /// Guest RAM size, for a cross-check with the memory file.
    pub ram_size: u64,
    /// `mtime` at the moment of the snapshot.
    pub mtime: u64,
    /// Harts, in id order.
    pub harts: Vec<HartSnapshot>,
    /// Per hart: the CLINT's `mtimecmp`.
    pub mtimecmp: Vec<u64>,
    /// Per hart: the device-driven `mip` levels (MSIP from the CLINT; the
    /// PLIC re-derives MEIP/SEIP itself).
    pub mip_levels: Vec<u64>,
    /// Per hart: HSM status and pending start.
    pub hsm: Vec<(u8, Option<(u64, u64)>)>,
    /// The interrupt controller.
    pub plic: PlicSnapshot,
    /// The console UART.
    pub uart: UartSnapshot,
    /// The RTC.
    pub rtc: RtcSnapshot,
    /// The VM generation ID.
    pub vmgenid: VmGenIdSnapshot,
    /// The virtio transports, with their slots.
    pub virtio: Vec<(u32, VirtioMmioSnapshot)>,
    /// HTIF addresses of a bare-metal program.
    pub htif: Option<(u64, Option<u64>)>,
    /// Where the device tree is.
    pub fdt_addr: u64,
}

impl Machine {
    /// The machine's state. The machine must be paused
    /// ([`Machine::pause`]).
    pub fn snapshot(&self) -> Result<MachineSnapshot, MachineError> {
        if self.is_running() {
            return Err(MachineError::Config(
                "the machine must be paused to take a snapshot".into(),
            ));
        }
        if self.harts.len() != self.cfg.cpus as usize {
            return Err(MachineError::Config(
                "a vCPU was lost (its thread panicked); the machine cannot be saved".into(),
            ));
        }
        Ok(MachineSnapshot {
            ram_size: self.ram.size(),
            mtime: self.paused_at.unwrap_or_else(|| self.clock.now()),
            harts: self.harts.iter().map(|h| h.save()).collect(),
            mtimecmp: self.signals.iter().map(|s| s.mtimecmp()).collect(),
            mip_levels: self.signals.iter().map(|s| s.levels()).collect(),
            hsm: self.sbi.save(),
            plic: self.plic.save(),
            uart: self.uart.save(),
            rtc: self.rtc.save(),
            vmgenid: self.vmgenid.save(),
            virtio: self
                .virtio
                .iter()
                .map(|(slot, d)| (*slot, d.save()))
                .collect(),
            htif: self.shared.htif.get().copied(),
            fdt_addr: self.fdt_addr,
        })
    }

    /// Build a machine from `cfg` around `ram` and load `snap` into it.
    /// The result is paused: call [`Machine::resume`] to run it. When
    /// `new_generation` is set (a restore that may be one of several
    /// clones), the VM generation ID changes so that the guest reseeds its
    /// random number generator.
    pub fn restore(
        cfg: MachineConfig,
        ram: Arc<GuestRam>,
        snap: &MachineSnapshot,
        console: Box<dyn Write + Send>,
        new_generation: bool,
    ) -> Result<Machine, MachineError> {
        let bad = |m: String| MachineError::Config(format!("cannot restore the snapshot: {m}"));
        if ram.base() != RAM_BASE || ram.size() != snap.ram_size || cfg.ram_size != snap.ram_size {
            return Err(bad(format!(
                "it has {} MiB of RAM, the memory given has {} MiB",
                snap.ram_size >> 20,
                ram.size() >> 20
            )));
        }
        let n = cfg.cpus as usize;
        if snap.harts.len() != n || snap.mtimecmp.len() != n || snap.mip_levels.len() != n {
            return Err(bad(format!(
                "it has {} vCPUs, the configuration {n}",
                snap.harts.len()
            )));
        }
        let mut m = Machine::build(cfg, ram, console)?;
        let slots: Vec<u32> = m.virtio.iter().map(|(s, _)| *s).collect();
        let saved_slots: Vec<u32> = snap.virtio.iter().map(|(s, _)| *s).collect();
        if slots != saved_slots {
            return Err(bad(format!(
                "its virtio devices are in slots {saved_slots:?}, the configuration gives {slots:?}"
            )));
        }
        for (h, s) in m.harts.iter_mut().zip(&snap.harts) {
            h.restore(s).map_err(|e| bad(e.to_string()))?;
        }
        m.sbi.restore(&snap.hsm).map_err(bad)?;
        for ((sig, &cmp), &lv) in m.signals.iter().zip(&snap.mtimecmp).zip(&snap.mip_levels) {
            sig.set_mtimecmp(cmp);
            let msip = vireo_memory::MIP_MSIP;
            sig.set_level(msip, lv & msip != 0);
        }
        m.plic.restore(&snap.plic).map_err(|e| bad(e.to_string()))?;
        m.uart.restore(&snap.uart).map_err(|e| bad(e.to_string()))?;
        m.rtc.restore(&snap.rtc).map_err(|e| bad(e.to_string()))?;
        m.vmgenid
            .restore(&snap.vmgenid)
            .map_err(|e| bad(e.to_string()))?;
        for ((slot, d), (_, s)) in m.virtio.iter().zip(&snap.virtio) {
            d.restore(s)
                .map_err(|e| bad(format!("virtio slot {slot}: {e}")))?;
        }
        if let Some(h) = snap.htif {
            let _ = m.shared.htif.set(h);
        }
        m.fdt_addr = snap.fdt_addr;
        m.clock.set(snap.mtime);
        m.paused_at = Some(snap.mtime);
        if new_generation {
            m.vmgenid.regenerate();
        }
        Ok(m)
    }
}
