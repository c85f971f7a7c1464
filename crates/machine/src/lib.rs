//! The `virt` board: QEMU's memory map, the device tree, kernel and
//! firmware loading, the built-in SBI, and the per-hart run loops.
//!
//! [`Machine`] owns guest RAM, the bus with its devices, and the harts.
//! [`Machine::run`] runs every hart on its own host thread until the guest
//! powers off, reboots, fails a test, or uses up an instruction limit.

pub mod board;
pub mod fdt;
pub mod loader;
pub mod sbi;
pub mod snapshot;

pub use board::{
    Firmware, HartCounters, Machine, MachineConfig, MachineError, Outcome, EXIT_NAMES, RAM_BASE,
};
pub use snapshot::MachineSnapshot;
