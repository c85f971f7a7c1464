//! An NS16550A UART (the console of the `virt` board).
//!
//! Eight 8-bit registers at stride 1 (`reg-shift` 0):
//!
//! | offset | read            | write           | with LCR.DLAB = 1 |
//! | ------ | --------------- | --------------- | ----------------- |
//! | 0      | RBR (rx data)   | THR (tx data)   | DLL               |
//! | 1      | IER             | IER             | DLM               |
//! | 2      | IIR             | FCR             |                   |
//! | 3      | LCR             | LCR             |                   |
//! | 4      | MCR             | MCR             |                   |
//! | 5      | LSR             | (ignored)       |                   |
//! | 6      | MSR             | (ignored)       |                   |
//! | 7      | SCR             | SCR             |                   |
//!
//! Transmission is instantaneous: a byte written to THR goes straight to
//! the output sink, so LSR always shows THRE and TEMT, and the
//! THR-empty interrupt re-arms right after each write, as the 16550 does
//! when its shift register drains. Received bytes come from the host
//! through [`Uart::push_input`] into a FIFO deeper than the 16550's 16
//! bytes, so that pasted input is not lost.
//!
//! Interrupt identification follows the 16550 priorities: receiver line
//! status (overrun), then received data available, then THR empty, then
//! modem status. Reading IIR while it reports THR empty clears that
//! interrupt, as does writing THR; enabling ETBEI while THR is empty raises
//! it (Linux's 8250 driver tests for exactly this at start-up).
//!
//! [`Uart::save`] and [`Uart::restore`] move the registers and the receive
//! FIFO in and out as a [`UartSnapshot`].

use crate::reg::size_mask;
use crate::{IrqLine, StateError};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::io::Write;
use std::sync::{Mutex, MutexGuard};

/// Size of the UART's MMIO window.
pub const UART_SIZE: u64 = 0x100;

/// Received bytes buffered before [`Uart::push_input`] refuses more.
pub const UART_RX_CAPACITY: usize = 4096;

const RBR_THR_DLL: u64 = 0;
const IER_DLM: u64 = 1;
const IIR_FCR: u64 = 2;
const LCR: u64 = 3;
const MCR: u64 = 4;
const LSR: u64 = 5;
const MSR: u64 = 6;
const SCR: u64 = 7;

const IER_ERBFI: u8 = 0x01;
const IER_ETBEI: u8 = 0x02;
const IER_ELSI: u8 = 0x04;
const IER_EDSSI: u8 = 0x08;

const IIR_NONE: u8 = 0x01;
const IIR_MSI: u8 = 0x00;
const IIR_THRI: u8 = 0x02;
const IIR_RDI: u8 = 0x04;
const IIR_RLSI: u8 = 0x06;
const IIR_FIFO_ENABLED: u8 = 0xc0;

const FCR_ENABLE: u8 = 0x01;
const FCR_CLEAR_RX: u8 = 0x02;

const LCR_DLAB: u8 = 0x80;

const MCR_DTR: u8 = 0x01;
const MCR_RTS: u8 = 0x02;
const MCR_OUT1: u8 = 0x04;
const MCR_OUT2: u8 = 0x08;
const MCR_LOOP: u8 = 0x10;

const LSR_DR: u8 = 0x01;
const LSR_OE: u8 = 0x02;
const LSR_THRE: u8 = 0x20;
const LSR_TEMT: u8 = 0x40;

const MSR_DCTS: u8 = 0x01;
const MSR_DDSR: u8 = 0x02;
const MSR_TERI: u8 = 0x04;
const MSR_DDCD: u8 = 0x08;
const MSR_CTS: u8 = 0x10;
const MSR_DSR: u8 = 0x20;
const MSR_RI: u8 = 0x40;
const MSR_DCD: u8 = 0x80;
/// Modem lines when not in loopback: the host end is always ready.
const MSR_HOST_READY: u8 = MSR_DCD | MSR_DSR | MSR_CTS;

/// IER bits that exist.
const IER_MASK: u8 = 0x0f;
/// FCR bits kept after a write (enable and trigger level).
const FCR_KEPT: u8 = 0xc9;
/// MCR bits that exist.
const MCR_MASK: u8 = 0x1f;
/// MSR delta bits.
const MSR_DELTAS: u8 = MSR_DCTS | MSR_DDSR | MSR_TERI | MSR_DDCD;

/// The guest-visible state of a [`Uart`], as plain data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UartSnapshot {
    /// Interrupt enable register (bits 3:0).
    pub ier: u8,
    /// FIFO control: the enable and trigger-level bits (mask `0xc9`).
    pub fcr: u8,
    /// Line control register.
    pub lcr: u8,
    /// Modem control register (bits 4:0).
    pub mcr: u8,
    /// Scratch register.
    pub scr: u8,
    /// Divisor latch, low byte.
    pub dll: u8,
    /// Divisor latch, high byte.
    pub dlm: u8,
    /// Receiver overrun (LSR.OE), cleared by reading LSR.
    pub overrun: bool,
    /// MSR delta bits (3:0), cleared by reading MSR.
    pub msr_delta: u8,
    /// THR-empty interrupt armed.
    pub thre_pending: bool,
    /// Received bytes not yet read, oldest first (at most
    /// [`UART_RX_CAPACITY`]).
    pub rx: Vec<u8>,
}

impl UartSnapshot {
    fn validate(&self) -> Result<(), StateError> {
        if self.rx.len() > UART_RX_CAPACITY {
            return Err(StateError::Mismatch(format!(
                "UART receive FIFO holds {} bytes, this UART's holds at most {UART_RX_CAPACITY}",
                self.rx.len()
            )));
        }
        for (name, value, mask) in [
            ("IER", self.ier, IER_MASK),
            ("FCR", self.fcr, FCR_KEPT),
            ("MCR", self.mcr, MCR_MASK),
            ("MSR delta", self.msr_delta, MSR_DELTAS),
        ] {
            if value & !mask != 0 {
                return Err(StateError::Invalid(format!(
                    "UART {name} {value:#04x} has bits outside {mask:#04x}"
                )));
            }
        }
        Ok(())
    }
}

/// The UART's register state: plain data, so it can be saved and restored.
#[derive(Debug, Clone, PartialEq, Eq)]
struct UartState {
    ier: u8,
    fcr: u8,
    lcr: u8,
    mcr: u8,
    scr: u8,
    dll: u8,
    dlm: u8,
    /// Receiver overrun, cleared by reading LSR.
    overrun: bool,
    /// Delta bits of MSR, cleared by reading MSR.
    msr_delta: u8,
    /// THR-empty interrupt armed (see the module comment).
    thre_pending: bool,
    rx: VecDeque<u8>,
    /// Level last driven on the interrupt line.
    irq_level: bool,
}

impl UartState {
    /// Modem status lines (without deltas).
    fn msr_lines(&self) -> u8 {
        if self.mcr & MCR_LOOP == 0 {
            return MSR_HOST_READY;
        }
        let mut m = 0;
        if self.mcr & MCR_RTS != 0 {
            m |= MSR_CTS;
        }
        if self.mcr & MCR_DTR != 0 {
            m |= MSR_DSR;
        }
        if self.mcr & MCR_OUT1 != 0 {
            m |= MSR_RI;
        }
        if self.mcr & MCR_OUT2 != 0 {
            m |= MSR_DCD;
        }
        m
    }

    fn lsr(&self) -> u8 {
        let mut lsr = LSR_THRE | LSR_TEMT;
        if !self.rx.is_empty() {
            lsr |= LSR_DR;
        }
        if self.overrun {
            lsr |= LSR_OE;
        }
        lsr
    }

    /// The highest-priority pending interrupt, as IIR bits 3:0.
    fn interrupt_id(&self) -> u8 {
        if self.ier & IER_ELSI != 0 && self.overrun {
            IIR_RLSI
        } else if self.ier & IER_ERBFI != 0 && !self.rx.is_empty() {
            IIR_RDI
        } else if self.ier & IER_ETBEI != 0 && self.thre_pending {
            IIR_THRI
        } else if self.ier & IER_EDSSI != 0 && self.msr_delta != 0 {
            IIR_MSI
        } else {
            IIR_NONE
        }
    }

    fn push_rx(&mut self, byte: u8) -> bool {
        if self.rx.len() >= UART_RX_CAPACITY {
            return false;
        }
        self.rx.push_back(byte);
        true
    }

    fn set_mcr(&mut self, value: u8) {
        let before = self.msr_lines();
        self.mcr = value & MCR_MASK;
        let after = self.msr_lines();
        let changed = before ^ after;
        if changed & MSR_CTS != 0 {
            self.msr_delta |= MSR_DCTS;
        }
        if changed & MSR_DSR != 0 {
            self.msr_delta |= MSR_DDSR;
        }
        if changed & MSR_DCD != 0 {
            self.msr_delta |= MSR_DDCD;
        }
        // TERI reports the trailing (falling) edge of RI only.
        if before & MSR_RI != 0 && after & MSR_RI == 0 {
            self.msr_delta |= MSR_TERI;
        }
    }
}

/// An NS16550A UART.
pub struct Uart {
    state: Mutex<UartState>,
    out: Mutex<Box<dyn Write + Send>>,
    irq: IrqLine,
}

impl Uart {
    /// A UART that transmits to `out` (flushed after every byte, so the
    /// console never lags) and drives its interrupt line through `irq`.
    pub fn new(out: Box<dyn Write + Send>, irq: IrqLine) -> Uart {
        Uart {
            state: Mutex::new(UartState {
                ier: 0,
                fcr: 0,
                lcr: 0,
                mcr: MCR_OUT2,
                scr: 0,
                dll: 0x0c,
                dlm: 0,
                overrun: false,
                msr_delta: 0,
                thre_pending: false,
                rx: VecDeque::new(),
                irq_level: false,
            }),
            out: Mutex::new(out),
            irq,
        }
    }

    fn lock(&self) -> MutexGuard<'_, UartState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queue bytes received from the host. Returns how many were accepted:
    /// fewer than `bytes.len()` when the receive FIFO is full (the caller
    /// may retry the rest later, once the guest has read some).
    pub fn push_input(&self, bytes: &[u8]) -> usize {
        let mut s = self.lock();
        let room = UART_RX_CAPACITY.saturating_sub(s.rx.len());
        let n = bytes.len().min(room);
        s.rx.extend(&bytes[..n]);
        self.update_irq(&mut s);
        n
    }

    /// Write bytes straight to the console sink, bypassing the registers
    /// (the SBI debug console uses this).
    pub fn write_host(&self, bytes: &[u8]) {
        let mut out = self.out.lock().unwrap_or_else(|e| e.into_inner());
        let _ = out.write_all(bytes).and_then(|()| out.flush());
    }

    /// Take up to `max` received bytes, bypassing the registers (the SBI
    /// debug console reads input this way).
    pub fn read_host(&self, max: usize) -> Vec<u8> {
        let mut s = self.lock();
        let n = max.min(s.rx.len());
        let v: Vec<u8> = s.rx.drain(..n).collect();
        self.update_irq(&mut s);
        v
    }

    /// Free space in the receive FIFO.
    pub fn rx_space(&self) -> usize {
        UART_RX_CAPACITY.saturating_sub(self.lock().rx.len())
    }

    /// The registers and the receive FIFO, for a snapshot.
    pub fn save(&self) -> UartSnapshot {
        let s = self.lock();
        UartSnapshot {
            ier: s.ier,
            fcr: s.fcr,
            lcr: s.lcr,
            mcr: s.mcr,
            scr: s.scr,
            dll: s.dll,
            dlm: s.dlm,
            overrun: s.overrun,
            msr_delta: s.msr_delta,
            thre_pending: s.thre_pending,
            rx: s.rx.iter().copied().collect(),
        }
    }

    /// Load a state saved by [`Uart::save`] and drive the interrupt line to
    /// the level it implies. A snapshot with a longer receive FIFO than
    /// [`UART_RX_CAPACITY`] or with reserved register bits set is refused
    /// and leaves the UART unchanged. The output sink is not part of the
    /// state.
    pub fn restore(&self, snap: &UartSnapshot) -> Result<(), StateError> {
        snap.validate()?;
        let mut s = self.lock();
        *s = UartState {
            ier: snap.ier,
            fcr: snap.fcr,
            lcr: snap.lcr,
            mcr: snap.mcr,
            scr: snap.scr,
            dll: snap.dll,
            dlm: snap.dlm,
            overrun: snap.overrun,
            msr_delta: snap.msr_delta,
            thre_pending: snap.thre_pending,
            rx: snap.rx.iter().copied().collect(),
            irq_level: false,
        };
        // Unconditionally: the line's other end may hold any level.
        s.irq_level = s.interrupt_id() != IIR_NONE;
        (self.irq)(s.irq_level);
        Ok(())
    }

    /// Drive the interrupt line from the state, on change only. Called with
    /// the lock held so that concurrent updates cannot reorder levels.
    fn update_irq(&self, s: &mut UartState) {
        let level = s.interrupt_id() != IIR_NONE;
        if level != s.irq_level {
            s.irq_level = level;
            (self.irq)(level);
        }
    }

    fn transmit(&self, s: &mut UartState, byte: u8) {
        if s.mcr & MCR_LOOP != 0 {
            if !s.push_rx(byte) {
                s.overrun = true;
            }
        } else {
            let mut out = self.out.lock().unwrap_or_else(|e| e.into_inner());
            // A failing console sink (closed pipe) must not stop the guest:
            // the byte is dropped, as on a disconnected serial line.
            let _ = out.write_all(&[byte]).and_then(|()| out.flush());
        }
        // The byte left THR at once: THR is empty again.
        s.thre_pending = true;
    }

    fn read_reg(&self, s: &mut UartState, reg: u64) -> u8 {
        let dlab = s.lcr & LCR_DLAB != 0;
        match reg {
            RBR_THR_DLL if dlab => s.dll,
            RBR_THR_DLL => s.rx.pop_front().unwrap_or(0),
            IER_DLM if dlab => s.dlm,
            IER_DLM => s.ier,
            IIR_FCR => {
                let id = s.interrupt_id();
                if id == IIR_THRI {
                    s.thre_pending = false;
                }
                let fifo = if s.fcr & FCR_ENABLE != 0 {
                    IIR_FIFO_ENABLED
                } else {
                    0
                };
                id | fifo
            }
            LCR => s.lcr,
            MCR => s.mcr,
            LSR => {
                let lsr = s.lsr();
                s.overrun = false;
                lsr
            }
            MSR => {
                let msr = s.msr_lines() | s.msr_delta;
                s.msr_delta = 0;
                msr
            }
            SCR => s.scr,
            _ => 0,
        }
    }

    fn write_reg(&self, s: &mut UartState, reg: u64, value: u8) {
        let dlab = s.lcr & LCR_DLAB != 0;
        match reg {
            RBR_THR_DLL if dlab => s.dll = value,
            RBR_THR_DLL => self.transmit(s, value),
            IER_DLM if dlab => s.dlm = value,
            IER_DLM => {
                let old = s.ier;
                s.ier = value & IER_MASK;
                if (old ^ s.ier) & IER_ETBEI != 0 {
                    // THR is always empty: enabling ETBEI raises the
                    // interrupt at once, disabling it drops it.
                    s.thre_pending = s.ier & IER_ETBEI != 0;
                }
            }
            IIR_FCR => {
                if (s.fcr ^ value) & FCR_ENABLE != 0 || value & FCR_CLEAR_RX != 0 {
                    // Toggling the FIFO enable also resets the FIFOs.
                    s.rx.clear();
                }
                // Keep the enable and trigger-level bits; the reset bits
                // are self-clearing.
                s.fcr = value & FCR_KEPT;
            }
            LCR => s.lcr = value,
            MCR => s.set_mcr(value),
            SCR => s.scr = value,
            _ => {}
        }
    }
}

impl vireo_memory::MmioDevice for Uart {
    /// Wider accesses address the register at `offset` only.
    fn read(&self, offset: u64, size: u8) -> u64 {
        if offset > SCR {
            return 0;
        }
        let mut s = self.lock();
        let v = self.read_reg(&mut s, offset);
        self.update_irq(&mut s);
        u64::from(v) & size_mask(size)
    }

    fn write(&self, offset: u64, _size: u8, value: u64) {
        if offset > SCR {
            return;
        }
        let mut s = self.lock();
        self.write_reg(&mut s, offset, value as u8);
        self.update_irq(&mut s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    use vireo_memory::MmioDevice;

    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>);
    impl Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn uart() -> (Uart, Sink, Arc<AtomicBool>) {
        let sink = Sink::default();
        let irq = Arc::new(AtomicBool::new(false));
        let line = irq.clone();
        let u = Uart::new(
            Box::new(sink.clone()),
            Box::new(move |level| line.store(level, Ordering::SeqCst)),
        );
        (u, sink, irq)
    }

    #[test]
    fn transmits_bytes_to_the_sink() {
        let (u, sink, irq) = uart();

        for b in b"hi\n" {
            u.write(RBR_THR_DLL, 1, u64::from(*b));
        }

        assert_eq!(&*sink.0.lock().unwrap(), b"hi\n");
        assert_eq!(
            u.read(LSR, 1) as u8 & (LSR_THRE | LSR_TEMT),
            LSR_THRE | LSR_TEMT
        );
        assert!(!irq.load(Ordering::SeqCst), "no interrupts enabled");
    }

    #[test]
    fn receive_raises_data_available_until_drained() {
        let (u, _, irq) = uart();
        u.write(IIR_FCR, 1, u64::from(FCR_ENABLE));
        u.write(IER_DLM, 1, u64::from(IER_ERBFI));
        assert_eq!(u.read(IIR_FCR, 1), 0xc1);

        let n = u.push_input(b"ab");

        assert_eq!(n, 2);
        assert!(irq.load(Ordering::SeqCst));
        assert_eq!(u.read(IIR_FCR, 1), 0xc4);
        assert_eq!(u.read(LSR, 1) as u8 & LSR_DR, LSR_DR);
        assert_eq!(u.read(RBR_THR_DLL, 1), u64::from(b'a'));
        assert!(irq.load(Ordering::SeqCst));
        assert_eq!(u.read(RBR_THR_DLL, 1), u64::from(b'b'));
        assert!(!irq.load(Ordering::SeqCst));
        assert_eq!(u.read(LSR, 1) as u8 & LSR_DR, 0);
        assert_eq!(u.read(IIR_FCR, 1), 0xc1);
    }

    #[test]
    fn thr_empty_interrupt_follows_the_16550() {
        let (u, _, irq) = uart();

        u.write(IER_DLM, 1, u64::from(IER_ETBEI));

        assert!(irq.load(Ordering::SeqCst), "enabling ETBEI with THR empty");
        assert_eq!(u.read(IIR_FCR, 1), u64::from(IIR_THRI));
        assert!(!irq.load(Ordering::SeqCst), "reading IIR clears THRE");
        assert_eq!(u.read(IIR_FCR, 1), u64::from(IIR_NONE));

        u.write(RBR_THR_DLL, 1, u64::from(b'x'));

        assert!(irq.load(Ordering::SeqCst), "THR drained again");

        u.write(IER_DLM, 1, 0);

        assert!(!irq.load(Ordering::SeqCst));

        // Linux's THRE test: re-enabling must raise it again.
        u.write(IER_DLM, 1, u64::from(IER_ETBEI));

        assert_eq!(u.read(IIR_FCR, 1), u64::from(IIR_THRI));
    }

    #[test]
    fn received_data_outranks_thr_empty() {
        let (u, _, _) = uart();
        u.write(IER_DLM, 1, u64::from(IER_ETBEI | IER_ERBFI));
        u.push_input(b"z");

        assert_eq!(u.read(IIR_FCR, 1), u64::from(IIR_RDI));
        assert_eq!(u.read(RBR_THR_DLL, 1), u64::from(b'z'));
        assert_eq!(u.read(IIR_FCR, 1), u64::from(IIR_THRI));
        assert_eq!(u.read(IIR_FCR, 1), u64::from(IIR_NONE));
    }

    #[test]
    fn dlab_exposes_the_divisor_latch() {
        let (u, sink, _) = uart();
        u.write(IER_DLM, 1, u64::from(IER_ERBFI));

        u.write(LCR, 1, 0x83);
        u.write(RBR_THR_DLL, 1, 0x01);
        u.write(IER_DLM, 1, 0x02);

        assert_eq!(u.read(RBR_THR_DLL, 1), 0x01);
        assert_eq!(u.read(IER_DLM, 1), 0x02);
        assert!(sink.0.lock().unwrap().is_empty(), "DLL write is not data");

        u.write(LCR, 1, 0x03);

        assert_eq!(u.read(IER_DLM, 1), u64::from(IER_ERBFI));
        assert_eq!(u.read(LCR, 1), 0x03);
    }

    #[test]
    fn fifo_reset_drops_received_bytes() {
        let (u, _, _) = uart();
        u.write(IIR_FCR, 1, u64::from(FCR_ENABLE));
        u.push_input(b"stale");

        u.write(IIR_FCR, 1, u64::from(FCR_ENABLE | FCR_CLEAR_RX));

        assert_eq!(u.read(LSR, 1) as u8 & LSR_DR, 0);
    }

    #[test]
    fn loopback_returns_transmitted_bytes_and_modem_lines() {
        let (u, sink, _) = uart();
        u.write(MCR, 1, u64::from(MCR_LOOP));
        assert_eq!(u.read(MSR, 1) as u8 & 0xf0, 0);

        u.write(RBR_THR_DLL, 1, 0x5a);
        u.write(MCR, 1, u64::from(MCR_LOOP | MCR_RTS | MCR_OUT2));

        assert_eq!(u.read(RBR_THR_DLL, 1), 0x5a);
        assert!(sink.0.lock().unwrap().is_empty());
        assert_eq!(
            u.read(MSR, 1) as u8,
            MSR_CTS | MSR_DCD | MSR_DCTS | MSR_DDCD
        );
        assert_eq!(
            u.read(MSR, 1) as u8,
            MSR_CTS | MSR_DCD,
            "deltas clear on read"
        );
    }

    #[test]
    fn full_fifo_refuses_input_and_scratch_register_works() {
        let (u, _, _) = uart();

        let n = u.push_input(&vec![b'x'; UART_RX_CAPACITY + 10]);
        u.write(SCR, 1, 0xa5);

        assert_eq!(n, UART_RX_CAPACITY);
        assert_eq!(u.rx_space(), 0);
        assert_eq!(u.read(SCR, 1), 0xa5);
        assert_eq!(u.read(0x80, 4), 0);
    }

    /// Every register, read without side effects on the state (IIR and
    /// LSR/MSR reads clear bits, so they are read last and the state is
    /// compared separately).
    fn plain_registers(u: &Uart) -> Vec<u64> {
        let lcr = u.read(LCR, 1);
        u.write(LCR, 1, lcr | u64::from(LCR_DLAB));
        let dll = u.read(RBR_THR_DLL, 1);
        let dlm = u.read(IER_DLM, 1);
        u.write(LCR, 1, lcr);
        vec![
            lcr,
            dll,
            dlm,
            u.read(IER_DLM, 1),
            u.read(MCR, 1),
            u.read(SCR, 1),
        ]
    }

    /// A UART with programmed registers, received bytes, an overrun, modem
    /// deltas and an armed THR-empty interrupt.
    fn busy_uart() -> (Uart, Arc<AtomicBool>) {
        let (u, _, irq) = uart();
        u.write(LCR, 1, 0x83);
        u.write(RBR_THR_DLL, 1, 0x01);
        u.write(IER_DLM, 1, 0x00);
        u.write(LCR, 1, 0x03);
        u.write(IIR_FCR, 1, 0xc1);
        u.write(SCR, 1, 0x5a);
        u.push_input(&vec![b'q'; UART_RX_CAPACITY - 3]);
        u.write(MCR, 1, u64::from(MCR_LOOP));
        for b in b"abcd" {
            u.write(RBR_THR_DLL, 1, u64::from(*b)); // the last one overruns
        }
        u.write(MCR, 1, u64::from(MCR_OUT2 | MCR_DTR));
        u.write(IER_DLM, 1, u64::from(IER_ETBEI | IER_ELSI));
        assert!(irq.load(Ordering::SeqCst));
        (u, irq)
    }

    #[test]
    fn save_and_restore_into_a_fresh_uart() {
        let (u, _) = busy_uart();
        let snap = u.save();
        let regs = plain_registers(&u);
        let (v, sink, virq) = uart();

        v.restore(&snap).unwrap();

        assert!(virq.load(Ordering::SeqCst), "line driven high");
        assert_eq!(v.save(), snap);
        assert_eq!(plain_registers(&v), regs);
        assert_eq!(v.read(IIR_FCR, 1), 0xc0 | u64::from(IIR_RLSI));
        assert_eq!(v.read(LSR, 1) as u8, LSR_DR | LSR_OE | LSR_THRE | LSR_TEMT);
        assert_eq!(v.read(IIR_FCR, 1), 0xc0 | u64::from(IIR_THRI));
        assert_eq!(v.read(IIR_FCR, 1), 0xc0 | u64::from(IIR_NONE));
        assert!(!virq.load(Ordering::SeqCst));
        assert_eq!(
            v.read(MSR, 1) as u8,
            MSR_HOST_READY | MSR_DCTS | MSR_DDSR | MSR_DDCD
        );
        assert_eq!(v.rx_space(), 0);
        let rx = v.read_host(UART_RX_CAPACITY);
        assert_eq!(&rx[UART_RX_CAPACITY - 4..], b"qabc");
        v.write(RBR_THR_DLL, 1, u64::from(b'!'));
        assert_eq!(&*sink.0.lock().unwrap(), b"!");
    }

    #[test]
    fn restore_lowers_a_line_that_should_be_low() {
        let (u, _, _) = uart();
        let quiet = u.save();
        let (v, virq) = busy_uart();

        v.restore(&quiet).unwrap();

        assert!(!virq.load(Ordering::SeqCst));
        assert_eq!(v.save(), quiet);
    }

    #[test]
    fn malformed_snapshots_are_refused() {
        let (u, _) = busy_uart();
        let good = u.save();
        let mut bad = Vec::new();
        let mut s = good.clone();
        s.rx.resize(UART_RX_CAPACITY + 1, 0);
        bad.push(s);
        let mut s = good.clone();
        s.ier = 0x10;
        bad.push(s);
        let mut s = good.clone();
        s.fcr = 0x02;
        bad.push(s);
        let mut s = good.clone();
        s.mcr = 0x20;
        bad.push(s);
        let mut s = good.clone();
        s.msr_delta = 0x10;
        bad.push(s);
        let (v, _, virq) = uart();
        v.write(SCR, 1, 7);
        let before = v.save();

        for s in bad {
            assert!(v.restore(&s).is_err(), "{s:?}");
            assert_eq!(v.save(), before);
            assert!(!virq.load(Ordering::SeqCst));
        }
        let mut s = good;
        s.rx.resize(UART_RX_CAPACITY + 1, 0);
        assert!(matches!(v.restore(&s), Err(StateError::Mismatch(_))));
    }

    #[test]
    fn snapshot_round_trips_through_json() {
        let (u, _) = busy_uart();
        let snap = u.save();

        let json = serde_json::to_string(&snap).unwrap();
        let back: UartSnapshot = serde_json::from_str(&json).unwrap();

        assert_eq!(back, snap);
    }

    #[test]
    fn overrun_in_loopback_raises_line_status() {
        let (u, _, irq) = uart();
        u.push_input(&vec![0; UART_RX_CAPACITY]);
        u.write(IER_DLM, 1, u64::from(IER_ELSI));
        u.write(MCR, 1, u64::from(MCR_LOOP));

        u.write(RBR_THR_DLL, 1, 1);

        assert!(irq.load(Ordering::SeqCst));
        assert_eq!(u.read(IIR_FCR, 1), u64::from(IIR_RLSI));
        assert_eq!(u.read(LSR, 1) as u8 & LSR_OE, LSR_OE);
        assert_eq!(u.read(LSR, 1) as u8 & LSR_OE, 0);
        assert!(!irq.load(Ordering::SeqCst));
    }
}
