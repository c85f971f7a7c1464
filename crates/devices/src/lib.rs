//! Platform devices of the `virt` board.
//!
//! Every device implements [`vireo_memory::MmioDevice`]: it receives the
//! offset inside its MMIO window and an access size of 1, 2, 4 or 8 bytes,
//! keeps its state behind interior mutability (several harts access it from
//! several threads), and accepts any guest access without panicking.
//!
//! - [`Clint`]: machine software interrupts, `mtimecmp`, `mtime`.
//! - [`Plic`]: the platform-level interrupt controller that routes device
//!   interrupt lines to the harts' external-interrupt bits.
//! - [`Uart`]: an NS16550A serial port (the console).
//! - [`GoldfishRtc`]: the wall-clock real-time clock.
//! - [`TestDevice`] and [`PowerControl`]: the SiFive test device that the
//!   guest writes to power off, reboot, or report a test failure.
//! - [`VmGenId`]: the VM generation ID (`microsoft,vmgenid`), which tells
//!   the guest that it runs from a copy of a snapshot.
//!
//! Devices with guest-visible state (PLIC, UART, RTC, VM generation ID)
//! can be saved and restored: `save` returns a plain, serializable snapshot
//! (`PlicSnapshot`, ...), `restore` validates one (it comes from a file the
//! user supplies) and loads it, refusing anything that does not fit this
//! device with a [`StateError`] and leaving the device unchanged.
//!
//! Devices never reach into a hart. They drive interrupt lines: the CLINT
//! and PLIC through [`vireo_memory::HartSignals`], the other devices through
//! an [`IrqLine`] callback that the board wires to [`Plic::set_irq`].

mod clint;
mod plic;
mod power;
mod reg;
mod rtc;
mod uart;
mod vmgenid;

#[cfg(test)]
mod fuzz;

pub use clint::{Clint, CLINT_SIZE};
pub use plic::{Plic, PlicError, PlicSnapshot, PLIC_MAX_HARTS, PLIC_NUM_SOURCES, PLIC_SIZE};
pub use power::{PowerControl, PowerEvent, PowerHook, TestDevice, TEST_DEVICE_SIZE};
pub use rtc::{GoldfishRtc, RtcSnapshot, RTC_SIZE};
pub use uart::{Uart, UartSnapshot, UART_RX_CAPACITY, UART_SIZE};
pub use vmgenid::{VmGenId, VmGenIdSnapshot, VMGENID_ID_LEN, VMGENID_SIZE};

use thiserror::Error;

/// An interrupt line from a device to the interrupt controller: called with
/// the new level whenever it changes. The board wires it to
/// [`Plic::set_irq`] with the device's source number.
pub type IrqLine = Box<dyn Fn(bool) + Send + Sync>;

/// Errors restoring a device from a snapshot. The device is unchanged when
/// `restore` returns one.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum StateError {
    /// The snapshot was taken of a differently shaped device (another
    /// number of harts or sources, a longer FIFO, ...).
    #[error("device snapshot does not match this device: {0}")]
    Mismatch(String),
    /// A value no guest could have put into the device (reserved bits set,
    /// contradictory flags).
    #[error("invalid device snapshot: {0}")]
    Invalid(String),
}
