//! virtio-console (device type 3): one console port, Linux's `hvc0`.
//!
//! Without `VIRTIO_CONSOLE_F_MULTIPORT` the device has exactly two queues
//! and one port: queue 0 (receiveq) carries host input to the guest, queue
//! 1 (transmitq) carries guest output to the host. No feature bits are
//! offered (no size, no multiport, no emergency write), so the config
//! space is never read and reads as zeroes.
//!
//! - Output: every readable buffer of a transmit chain is copied to the
//!   output sink (a file, standard output, ...) and flushed at the end of
//!   each wake-up; at most [`MAX_CHAIN_BYTES`] per chain.
//! - Input: the host pushes bytes through a [`ConsoleInput`] handle (from
//!   any thread) into a bounded buffer of [`INPUT_CAPACITY`] bytes; the
//!   device moves them into the receive buffers the driver offers, as soon
//!   as there are both bytes and buffers. When the buffer is full,
//!   [`ConsoleInput::push`] takes fewer bytes and the caller retries later,
//!   as with the UART.
//!
//! All queue work happens on the device's I/O thread, which wakes on the
//! two queue notifications and on input, and serves at most
//! [`crate::rng::CHAINS_PER_WAKE`] chains per queue before yielding.
//! [`serve_transmit`] and [`serve_receive`] are those paths without the
//! thread, for tests and the fuzz target.

use crate::device::{
    ActivateContext, ActivateError, Interrupt, IoThread, VirtioDevice, Wake, TYPE_CONSOLE,
};
use crate::rng::{drain_bounded, Drain, CHAINS_PER_WAKE};
use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, Write};
use std::os::fd::AsRawFd;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use vireo_memory::GuestRam;
use virtio_queue::{DescriptorChain, Queue};
use vm_memory::GuestMemoryMmap;
use vmm_sys_util::eventfd::{EventFd, EFD_NONBLOCK};

/// Size of each of the two queues.
pub const CONSOLE_QUEUE_SIZE: u16 = 128;
/// Host input buffered while the guest has no receive buffers.
pub const INPUT_CAPACITY: usize = 64 * 1024;
/// Most bytes taken from (or put into) one chain.
pub const MAX_CHAIN_BYTES: usize = 64 * 1024;

/// Where `hvc0` is connected on the host (`--virtio-console SPEC`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConsoleBackend {
    /// vireo's terminal: output to standard output, keyboard input to
    /// `hvc0` (instead of the serial port).
    Stdio,
    /// Output to a file (created, or truncated), no input.
    File(PathBuf),
}

impl ConsoleBackend {
    /// Parse `stdio`, `file=PATH` or a plain `PATH`.
    pub fn parse(spec: &str) -> Result<ConsoleBackend, String> {
        match spec {
            "" => Err("expected `stdio`, `file=PATH` or a file name".into()),
            "stdio" => Ok(ConsoleBackend::Stdio),
            _ => {
                let path = spec.strip_prefix("file=").unwrap_or(spec);
                if path.is_empty() {
                    return Err("`file=` needs a file name".into());
                }
                Ok(ConsoleBackend::File(PathBuf::from(path)))
            }
        }
    }

    /// Open the host side: the output sink.
    pub fn open(&self) -> io::Result<Box<dyn Write + Send>> {
        Ok(match self {
            ConsoleBackend::Stdio => Box::new(io::stdout()),
            ConsoleBackend::File(p) => Box::new(File::create(p).map_err(|e| {
                io::Error::new(e.kind(), format!("cannot create {}: {e}", p.display()))
            })?),
        })
    }
}

struct InputShared {
    pending: Mutex<VecDeque<u8>>,
    /// Written when bytes arrive, to wake the I/O thread.
    ready: EventFd,
}

/// The host's end of the console's input: push bytes for the guest.
/// Cheap to clone; callable from any thread.
#[derive(Clone)]
pub struct ConsoleInput {
    shared: Arc<InputShared>,
}

impl ConsoleInput {
    fn new() -> io::Result<ConsoleInput> {
        Ok(ConsoleInput {
            shared: Arc::new(InputShared {
                pending: Mutex::new(VecDeque::new()),
                ready: EventFd::new(EFD_NONBLOCK)?,
            }),
        })
    }

    fn lock(&self) -> MutexGuard<'_, VecDeque<u8>> {
        self.shared
            .pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// Queue bytes for the guest. Returns how many were taken: fewer than
    /// `bytes.len()` when the buffer is full (retry the rest later).
    pub fn push(&self, bytes: &[u8]) -> usize {
        let mut pending = self.lock();
        let n = bytes.len().min(INPUT_CAPACITY - pending.len());
        pending.extend(&bytes[..n]);
        drop(pending);
        if n > 0 {
            let _ = self.shared.ready.write(1);
        }
        n
    }

    /// Bytes waiting for the guest.
    pub fn pending(&self) -> usize {
        self.lock().len()
    }
}

/// Copy the readable buffers of one transmit chain to `out`; returns 0
/// (the device writes nothing into a transmit chain).
fn transmit_chain(
    chain: DescriptorChain<&GuestMemoryMmap>,
    ram: &GuestRam,
    out: &mut dyn Write,
    scratch: &mut [u8],
) -> u32 {
    let mut taken = 0usize;
    for desc in chain {
        if taken >= MAX_CHAIN_BYTES {
            break;
        }
        if desc.is_write_only() {
            continue;
        }
        let mut addr = desc.addr().0;
        let mut left = (desc.len() as usize).min(MAX_CHAIN_BYTES - taken);
        while left > 0 {
            let n = left.min(scratch.len());
            if ram.read_bytes(addr, &mut scratch[..n]).is_err() {
                return 0;
            }
            // A host sink that fails (a closed pipe) loses the output, as
            // a disconnected serial line would.
            let _ = out.write_all(&scratch[..n]);
            taken += n;
            left -= n;
            match addr.checked_add(n as u64) {
                Some(a) => addr = a,
                None => return 0,
            }
        }
    }
    0
}

/// Move pending input into the writable buffers of one receive chain;
/// returns the bytes written.
fn receive_chain(
    chain: DescriptorChain<&GuestMemoryMmap>,
    ram: &GuestRam,
    pending: &mut VecDeque<u8>,
) -> u32 {
    let mut written = 0usize;
    for desc in chain {
        if pending.is_empty() || written >= MAX_CHAIN_BYTES {
            break;
        }
        if !desc.is_write_only() {
            continue;
        }
        let n = (desc.len() as usize)
            .min(MAX_CHAIN_BYTES - written)
            .min(pending.len());
        // Copy out of the ring buffer without consuming, so a buffer
        // outside RAM loses nothing.
        let (a, b) = pending.as_slices();
        let mut data = Vec::with_capacity(n);
        data.extend_from_slice(&a[..n.min(a.len())]);
        data.extend_from_slice(&b[..n - n.min(a.len())]);
        if ram.write_bytes(desc.addr().0, &data).is_err() {
            break;
        }
        pending.drain(..n);
        written += n;
    }
    written as u32
}

/// Serve up to `budget` chains of the transmit queue, writing the guest's
/// output to `out` (flushed at the end). Returns true when chains may be
/// left (the budget ran out).
pub fn serve_transmit(
    queue: &mut Queue,
    ram: &GuestRam,
    interrupt: &Interrupt,
    out: &mut dyn Write,
    budget: usize,
) -> bool {
    let mut scratch = vec![0u8; 4096];
    let drain = drain_bounded(
        queue,
        ram,
        interrupt,
        budget,
        || true,
        |chain| transmit_chain(chain, ram, out, &mut scratch),
    );
    let _ = out.flush();
    drain == Drain::Budget
}

/// A writer that counts the bytes it passes on.
struct Counting<'a> {
    out: &'a mut dyn Write,
    bytes: &'a AtomicU64,
}

impl Write for Counting<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.out.write(buf)?;
        self.bytes.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Serve up to `budget` chains of the receive queue with bytes from
/// `input`, while there are any. Returns true when chains and bytes may
/// be left (the budget ran out).
pub fn serve_receive(
    queue: &mut Queue,
    ram: &GuestRam,
    interrupt: &Interrupt,
    input: &ConsoleInput,
    budget: usize,
) -> bool {
    receive_counted(queue, ram, interrupt, input, budget, &AtomicU64::new(0))
}

/// [`serve_receive`], adding the bytes given to the guest to `bytes`.
fn receive_counted(
    queue: &mut Queue,
    ram: &GuestRam,
    interrupt: &Interrupt,
    input: &ConsoleInput,
    budget: usize,
    bytes: &AtomicU64,
) -> bool {
    let mut pending = input.lock();
    if pending.is_empty() {
        return false;
    }
    let pending = &mut *pending;
    // The closures share `pending`: `more` looks, `handle` takes.
    let pending = std::cell::RefCell::new(pending);
    let drain = drain_bounded(
        queue,
        ram,
        interrupt,
        budget,
        || !pending.borrow().is_empty(),
        |chain| {
            let n = receive_chain(chain, ram, &mut pending.borrow_mut());
            bytes.fetch_add(u64::from(n), Ordering::Relaxed);
            n
        },
    );
    drain == Drain::Budget
}

/// Bytes moved each way (for [`VirtioDevice::metrics`]).
#[derive(Default)]
struct ConsoleStats {
    /// Host to guest.
    rx_bytes: AtomicU64,
    /// Guest to host.
    tx_bytes: AtomicU64,
}

/// The virtio-console device. No snapshot state (input waiting for the
/// guest is host-side and not saved). Counters: `rx_bytes` (host input
/// given to the guest) and `tx_bytes` (guest output passed to the sink).
pub struct Console {
    output: Arc<Mutex<Box<dyn Write + Send>>>,
    input: ConsoleInput,
    stats: Arc<ConsoleStats>,
    thread: Option<IoThread>,
}

impl Console {
    /// A console writing the guest's output to `output`.
    pub fn new(output: Box<dyn Write + Send>) -> io::Result<Console> {
        Ok(Console {
            output: Arc::new(Mutex::new(output)),
            input: ConsoleInput::new()?,
            stats: Arc::default(),
            thread: None,
        })
    }

    /// A console on `backend` (see [`ConsoleBackend`]).
    pub fn open(backend: &ConsoleBackend) -> io::Result<Console> {
        Console::new(backend.open()?)
    }

    /// The handle that feeds host input to the guest.
    pub fn input(&self) -> ConsoleInput {
        self.input.clone()
    }
}

impl VirtioDevice for Console {
    fn device_type(&self) -> u32 {
        TYPE_CONSOLE
    }

    fn queue_max_sizes(&self) -> &[u16] {
        &[CONSOLE_QUEUE_SIZE, CONSOLE_QUEUE_SIZE]
    }

    fn device_features(&self) -> u64 {
        0
    }

    fn read_config(&self, _offset: u64, data: &mut [u8]) {
        // cols, rows, max_nr_ports, emerg_write: all zero (no feature
        // gives them a meaning), as is everything beyond them.
        data.fill(0);
    }

    fn activate(&mut self, ctx: ActivateContext) -> Result<(), ActivateError> {
        self.reset();
        let mut queues = ctx.queues.into_iter();
        let (Some(mut rx), Some(mut tx)) = (queues.next(), queues.next()) else {
            return Err(ActivateError::BadConfig(
                "virtio-console needs its receive and transmit queues".into(),
            ));
        };
        let sources = [
            rx.kick.as_raw_fd(),
            tx.kick.as_raw_fd(),
            self.input.shared.ready.as_raw_fd(),
        ];
        let output = self.output.clone();
        let input = self.input.clone();
        let stats = self.stats.clone();
        let ram = ctx.ram;
        let interrupt = ctx.interrupt;
        let thread = IoThread::spawn("virtio-console", &sources, move |wake| {
            match wake {
                Wake::Ready(0) => rx.clear_kick(),
                Wake::Ready(1) => tx.clear_kick(),
                Wake::Ready(_) => {
                    let _ = input.shared.ready.read();
                }
                Wake::Timeout => {}
            }
            if interrupt.needs_reset() {
                // Leave the rings alone until the driver resets the device.
                return None;
            }
            let mut more = {
                let mut out = output.lock().unwrap_or_else(|e| e.into_inner());
                let mut out = Counting {
                    out: &mut **out,
                    bytes: &stats.tx_bytes,
                };
                serve_transmit(&mut tx.queue, &ram, &interrupt, &mut out, CHAINS_PER_WAKE)
            };
            if !interrupt.needs_reset() {
                more |= receive_counted(
                    &mut rx.queue,
                    &ram,
                    &interrupt,
                    &input,
                    CHAINS_PER_WAKE,
                    &stats.rx_bytes,
                );
            }
            (more && !interrupt.needs_reset()).then_some(Duration::ZERO)
        })?;
        self.thread = Some(thread);
        // Input that arrived before the driver was ready.
        if self.input.pending() > 0 {
            let _ = self.input.shared.ready.write(1);
        }
        Ok(())
    }

    fn reset(&mut self) {
        if let Some(mut t) = self.thread.take() {
            t.stop();
        }
    }

    fn metrics(&self) -> Vec<(&'static str, u64)> {
        vec![
            ("rx_bytes", self.stats.rx_bytes.load(Ordering::Relaxed)),
            ("tx_bytes", self.stats.tx_bytes.load(Ordering::Relaxed)),
        ]
    }
}

impl Drop for Console {
    fn drop(&mut self) {
        self.reset();
        let _ = self
            .output
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .flush();
    }
}

/// Entry point of the `virtio_console` fuzz target (in `fuzz/`), also run
/// by a unit test on pseudo-random inputs. Not API.
///
/// The input is laid out as for [`crate::rng::fuzz::case`]; bit 2 of
/// byte 0 picks the receive queue (fed with the first bytes of the RAM
/// image, up to 4 KiB) instead of the transmit queue. Must never panic or
/// hang.
#[doc(hidden)]
pub fn fuzz_queue(data: &[u8]) {
    use crate::rng::fuzz::{case, ram};
    let Some(mut c) = case(data) else { return };
    let irq = Interrupt::new(Box::new(|_| {}));
    let Ok(input) = ConsoleInput::new() else {
        return;
    };
    let receive = c.flags & 4 != 0;
    if receive {
        input.push(&c.body[..c.body.len().min(4096)]);
    }
    for _ in 0..c.rounds {
        if receive {
            serve_receive(&mut c.queue, ram(), &irq, &input, c.budget);
        } else {
            serve_transmit(&mut c.queue, ram(), &irq, &mut io::sink(), c.budget);
        }
        if irq.needs_reset() {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::test_ring::*;
    use std::sync::atomic::Ordering;

    const BUF: u64 = RAM_BASE + 0x1_0000;

    /// A sink the test can read back.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);
    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    impl Shared {
        fn text(&self) -> String {
            String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
        }
    }

    #[test]
    fn console_queues_survive_random_rings() {
        for (i, mut data) in crate::rng::fuzz::inputs(2000).enumerate() {
            // Half transmit, half receive.
            data[0] = (data[0] & !4) | if i % 2 == 0 { 4 } else { 0 };
            fuzz_queue(&data);
        }
        fuzz_queue(&[]);
        fuzz_queue(&[0xff; 7]);
    }

    #[test]
    fn backends_parse() {
        assert_eq!(ConsoleBackend::parse("stdio"), Ok(ConsoleBackend::Stdio));
        assert_eq!(
            ConsoleBackend::parse("file=/tmp/x"),
            Ok(ConsoleBackend::File("/tmp/x".into()))
        );
        assert_eq!(
            ConsoleBackend::parse("out.log"),
            Ok(ConsoleBackend::File("out.log".into()))
        );
        assert!(ConsoleBackend::parse("").is_err());
        assert!(ConsoleBackend::parse("file=").is_err());
    }

    #[test]
    fn guest_output_reaches_the_sink() {
        // Arrange: "hello, " in two descriptors plus a writable one that
        // must be ignored.
        let ram = ram();
        let mut ring = Ring::new(RAM_BASE, 16);
        ram.write_bytes(BUF, b"hello, world").unwrap();
        ring.set_desc(&ram, 0, BUF, 5, F_NEXT, 1);
        ring.set_desc(&ram, 1, BUF + 5, 2, F_NEXT, 2);
        ring.set_desc(&ram, 2, BUF + 7, 5, F_WRITE, 0);
        ring.offer(&ram, 0);
        let mut q = ring.queue();
        let (irq, level) = interrupt();
        let out = Shared::default();

        // Act
        serve_transmit(&mut q, &ram, &irq, &mut out.clone(), 16);

        // Assert
        assert_eq!(out.text(), "hello, ");
        assert_eq!(ring.used_elem(&ram, 0), (0, 0));
        assert!(level.load(Ordering::SeqCst));
    }

    #[test]
    fn output_per_chain_is_capped_and_bad_buffers_dropped() {
        // Arrange: a 2 GiB buffer inside-then-past RAM, one outside RAM.
        let ram = ram();
        let mut ring = Ring::new(RAM_BASE, 16);
        ring.set_desc(&ram, 0, RAM_BASE, 0x8000_0000, 0, 0);
        ring.set_desc(&ram, 1, 0x10, 8, 0, 0);
        ring.offer(&ram, 0);
        ring.offer(&ram, 1);
        let mut q = ring.queue();
        let (irq, _) = interrupt();
        let out = Shared::default();

        // Act
        serve_transmit(&mut q, &ram, &irq, &mut out.clone(), 16);

        // Assert
        assert_eq!(out.0.lock().unwrap().len(), MAX_CHAIN_BYTES);
        assert_eq!(ring.used_idx(&ram), 2);
        assert!(!irq.needs_reset());
    }

    #[test]
    fn host_input_fills_receive_buffers() {
        // Arrange: two receive buffers of 4 bytes, 6 bytes of input.
        let ram = ram();
        let mut ring = Ring::new(RAM_BASE, 16);
        ring.set_desc(&ram, 0, BUF, 4, F_WRITE, 0);
        ring.set_desc(&ram, 1, BUF + 16, 4, F_WRITE, 0);
        ring.offer(&ram, 0);
        ring.offer(&ram, 1);
        let mut q = ring.queue();
        let (irq, level) = interrupt();
        let input = ConsoleInput::new().unwrap();

        // Act
        let taken = input.push(b"abcdef");
        serve_receive(&mut q, &ram, &irq, &input, 16);

        // Assert
        assert_eq!(taken, 6);
        assert_eq!(ring.used_idx(&ram), 2);
        assert_eq!(ring.used_elem(&ram, 0), (0, 4));
        assert_eq!(ring.used_elem(&ram, 1), (1, 2));
        let mut got = [0u8; 4];
        ram.read_bytes(BUF, &mut got).unwrap();
        assert_eq!(&got, b"abcd");
        ram.read_bytes(BUF + 16, &mut got[..2]).unwrap();
        assert_eq!(&got[..2], b"ef");
        assert_eq!(input.pending(), 0);
        assert!(level.load(Ordering::SeqCst));
    }

    #[test]
    fn receive_buffers_wait_for_input() {
        // Arrange
        let ram = ram();
        let mut ring = Ring::new(RAM_BASE, 16);
        ring.set_desc(&ram, 0, BUF, 64, F_WRITE, 0);
        ring.offer(&ram, 0);
        let mut q = ring.queue();
        let (irq, _) = interrupt();
        let input = ConsoleInput::new().unwrap();

        // Act: nothing to send, then one byte.
        serve_receive(&mut q, &ram, &irq, &input, 16);
        let used_before = ring.used_idx(&ram);
        input.push(b"x");
        serve_receive(&mut q, &ram, &irq, &input, 16);

        // Assert
        assert_eq!(used_before, 0, "no input: the buffer stays with the device");
        assert_eq!(ring.used_elem(&ram, 0), (0, 1));
    }

    #[test]
    fn input_is_kept_when_a_receive_buffer_is_outside_ram() {
        // Arrange
        let ram = ram();
        let mut ring = Ring::new(RAM_BASE, 16);
        ring.set_desc(&ram, 0, 0x10, 64, F_WRITE, 0);
        ring.set_desc(&ram, 1, BUF, 64, F_WRITE, 0);
        ring.offer(&ram, 0);
        ring.offer(&ram, 1);
        let mut q = ring.queue();
        let (irq, _) = interrupt();
        let input = ConsoleInput::new().unwrap();

        // Act
        input.push(b"keep");
        serve_receive(&mut q, &ram, &irq, &input, 16);

        // Assert
        assert_eq!(ring.used_elem(&ram, 0), (0, 0));
        assert_eq!(ring.used_elem(&ram, 1), (1, 4));
    }

    #[test]
    fn input_is_bounded() {
        let input = ConsoleInput::new().unwrap();
        let big = vec![b'a'; INPUT_CAPACITY + 10];
        assert_eq!(input.push(&big), INPUT_CAPACITY);
        assert_eq!(input.push(b"more"), 0);
        assert_eq!(input.pending(), INPUT_CAPACITY);
    }

    #[test]
    fn a_broken_transmit_ring_needs_a_reset() {
        let ram = ram();
        let ring = Ring::new(RAM_BASE, 16);
        ring.set_avail_idx(&ram, 500);
        let mut q = ring.queue();
        let (irq, _) = interrupt();
        serve_transmit(&mut q, &ram, &irq, &mut io::sink(), 16);
        assert!(irq.needs_reset());
    }

    #[test]
    fn the_device_moves_bytes_both_ways_on_its_own_thread() {
        // Arrange
        let ram = ram();
        let mut rx = Ring::new(RAM_BASE, 16);
        let mut tx = Ring::new(RAM_BASE + 0x1000, 16);
        rx.set_desc(&ram, 0, BUF, 64, F_WRITE, 0);
        rx.offer(&ram, 0);
        ram.write_bytes(BUF + 0x100, b"to host").unwrap();
        tx.set_desc(&ram, 0, BUF + 0x100, 7, 0, 0);
        let (irq, _) = interrupt();
        let eventfd = || EventFd::new(EFD_NONBLOCK).expect("eventfd");
        let (rx_kick, tx_kick) = (eventfd(), eventfd());
        let tx_notify = tx_kick.try_clone().unwrap();
        let out = Shared::default();
        let mut dev = Console::new(Box::new(out.clone())).unwrap();
        let input = dev.input();
        dev.activate(ActivateContext {
            ram: ram.clone(),
            queues: vec![
                crate::VirtQueue {
                    index: 0,
                    queue: rx.queue(),
                    kick: rx_kick,
                },
                crate::VirtQueue {
                    index: 1,
                    queue: tx.queue(),
                    kick: tx_kick,
                },
            ],
            interrupt: irq,
            acked_features: crate::VIRTIO_F_VERSION_1,
        })
        .expect("activate");

        // Act
        input.push(b"to guest");
        tx.offer(&ram, 0);
        tx_notify.write(1).unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while (rx.used_idx(&ram) == 0 || tx.used_idx(&ram) == 0)
            && std::time::Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(1));
        }
        dev.reset();

        // Assert
        assert_eq!(out.text(), "to host");
        assert_eq!(dev.metrics(), vec![("rx_bytes", 8), ("tx_bytes", 7)]);
        assert_eq!(rx.used_elem(&ram, 0), (0, 8));
        let mut got = [0u8; 8];
        ram.read_bytes(BUF, &mut got).unwrap();
        assert_eq!(&got, b"to guest");
    }
}
