//! Guest physical memory and the physical address space.
//!
//! - [`GuestRam`]: the guest's DRAM, one host mapping (made by `vm-memory`),
//!   with the code-page tracking the hart's decode cache relies on.
//! - [`Bus`]: the physical address space as the hart sees it: RAM plus the
//!   MMIO windows of devices ([`MmioDevice`]).
//! - [`HartSignals`] and [`Clock`]: the wires from the platform into a hart
//!   (interrupt-pending bits, the timer compare value, wake-ups) and the
//!   platform's 10 MHz time base. Devices drive these; they never touch the
//!   hart itself.

mod bus;
mod clock;
mod ram;
mod signals;

pub use bus::{Bus, BusError, MmioDevice};
pub use clock::{Clock, TIMEBASE_HZ};
pub use ram::{read_sized, write_sized, GuestRam, RamError, CODE_LOG_LEN, PAGE_SIZE};
pub use signals::{
    HartSignals, MIP_MEIP, MIP_MSIP, MIP_MTIP, MIP_SEIP, MIP_SSIP, MIP_STIP, REQ_FENCE_I,
    REQ_FLUSH_TLB, REQ_SSIP,
};
