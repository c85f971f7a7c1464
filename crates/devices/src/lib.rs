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

#[cfg(test)]
mod fuzz;

pub use clint::{Clint, CLINT_SIZE};
pub use plic::{Plic, PlicError, PLIC_MAX_HARTS, PLIC_NUM_SOURCES, PLIC_SIZE};
pub use power::{PowerControl, PowerEvent, PowerHook, TestDevice, TEST_DEVICE_SIZE};
pub use rtc::{GoldfishRtc, RTC_SIZE};
pub use uart::{Uart, UART_RX_CAPACITY, UART_SIZE};

/// An interrupt line from a device to the interrupt controller: called with
/// the new level whenever it changes. The board wires it to
/// [`Plic::set_irq`] with the device's source number.
pub type IrqLine = Box<dyn Fn(bool) + Send + Sync>;
