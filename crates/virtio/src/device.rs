//! The contract between the virtio-mmio transport and a device model.
//!
//! # Life of a device
//!
//! 1. The board boxes a device model (`Box<dyn VirtioDevice>`) and hands it
//!    to [`crate::VirtioMmio::new`], which maps it in a virtio-mmio slot.
//!    From then on the transport owns the model and calls it from vCPU
//!    threads, one call at a time (the transport holds a lock around it).
//! 2. The guest driver reads the device ID, the features
//!    ([`VirtioDevice::device_features`] plus the transport features
//!    `VIRTIO_F_VERSION_1`, `VIRTIO_F_RING_INDIRECT_DESC` and
//!    `VIRTIO_F_RING_EVENT_IDX`, which the transport and `virtio-queue`
//!    implement for every device), the config space
//!    ([`VirtioDevice::read_config`] / [`VirtioDevice::write_config`]),
//!    negotiates features, and sets up the queues.
//! 3. When the driver sets `DRIVER_OK`, the transport validates every
//!    ready queue against guest memory and calls
//!    [`VirtioDevice::activate`] with an [`ActivateContext`]: the queues
//!    (each a [`VirtQueue`]: a `virtio_queue::Queue` plus the
//!    [`EventFd`] that the transport writes when the driver notifies the
//!    queue), guest RAM, the [`Interrupt`] handle, and the features the
//!    driver accepted. The device moves them to an I/O thread of its own
//!    (see [`IoThread`]) and returns quickly.
//! 4. The vCPU writing `QueueNotify` only writes the queue's [`EventFd`]:
//!    **no device I/O ever runs on a vCPU thread**. The I/O thread wakes,
//!    drains the queue (for example with [`VirtQueue::process`]), and
//!    raises interrupts through [`Interrupt`].
//! 5. When the driver writes 0 to `Status` (or the machine is dropped),
//!    the transport calls [`VirtioDevice::reset`]. The device must stop
//!    its I/O thread *and wait for it* (so nothing touches guest memory or
//!    raises an interrupt after `reset` returns), drop the queues, and go
//!    back to its pre-activation state, ready for another `activate`.
//!    Backends (open files, sockets) may be kept.
//!
//! # Pause, resume and snapshots
//!
//! **A device never holds a popped descriptor chain when its handler
//! returns.** Every chain an I/O-thread handler takes off an avail ring
//! (with `iter().next()`, [`VirtQueue::process`], ...) is put on the used
//! ring before that handler call returns; a device that has nothing to
//! serve a chain with yet (a network card without a frame, a console
//! without input) does not pop it. Host-side data waiting for a chain (a
//! received frame, console input) is fine: it is not part of a ring.
//!
//! Because of that rule the device side of every split virtqueue can be
//! recovered from guest memory alone whenever the I/O thread is stopped:
//! the next avail and next used positions both equal the `idx` field of
//! the used ring. The transport relies on this:
//!
//! - [`crate::VirtioMmio::pause`] calls [`VirtioDevice::pause`], which
//!   stops the I/O thread and waits for it (the handler call in progress
//!   finishes, so in-flight requests complete) but keeps the backends.
//!   The device forgets its queues.
//! - [`crate::VirtioMmio::resume`] rebuilds the queues from the register
//!   file and the used rings in guest memory and calls
//!   [`VirtioDevice::resume`], which starts the I/O thread again.
//! - [`crate::VirtioMmio::save`] / [`crate::VirtioMmio::restore`] move
//!   the register file plus [`VirtioDevice::save_state`] (a
//!   device's own state, plain JSON) between processes.
//!
//! Interrupts are never lost across a pause: the used-buffer interrupt is
//! decided (`needs_notification`) in the same handler call that put the
//! buffers on the used ring, and `InterruptStatus` lives in the transport
//! (and in snapshots), not in the device. So resume raises none.
//!
//! The built-in devices: virtio-blk, virtio-rng and virtio-console serve
//! chains with [`VirtQueue::process`] or a bounded variant of it that pops
//! a chain only when it can fill it; virtio-net (crate `vireo-net`) pops
//! a receive chain only with a frame in hand and completes it at once.
//!
//! # Interrupts
//!
//! [`Interrupt::signal_used_queue`] after putting buffers on a used ring
//! (use [`VirtQueue::notify`] or [`VirtQueue::process`]: with
//! `EVENT_IDX` they ask the ring whether the driver wants one);
//! [`Interrupt::signal_config_change`] after the config space changed (it
//! also bumps `ConfigGeneration`). A device that finds a ring or a
//! descriptor chain it cannot make sense of as a whole (an avail index
//! that runs ahead by more than the queue size, a ring outside memory)
//! calls [`Interrupt::set_needs_reset`]: the transport then reports
//! `DEVICE_NEEDS_RESET` in `Status` and raises a config-change
//! interrupt, as the virtio specification asks (section 2.1.2). A single
//! bad *request* (an unknown request type, a buffer outside RAM) is not
//! that: it is answered with the device's error status on the used ring.
//!
//! # Guest memory
//!
//! The guest is hostile. Read and write guest memory only through
//! `vm-memory` (`GuestMemory`/`Bytes`, which bound every access to RAM)
//! or the checked [`GuestRam`] methods, and never trust a length: cap
//! every allocation by what your device supports. When a device writes
//! guest memory other than through [`GuestRam::write_bytes`], it must
//! call [`note_dma_write`] for the range, so that decoded-instruction
//! caches (and later dirty-page tracking) see the store. The used-ring
//! writes of `virtio-queue` (`add_used`, notification flags and
//! `avail_event`) bypass it too: [`VirtQueue::process`] reports them
//! itself; a device that drives a `Queue` directly calls
//! [`note_used_ring`] after it. A missed report corrupts incremental
//! (diff) snapshots.

use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;
use thiserror::Error;
use vireo_devices::IrqLine;
use vireo_memory::{GuestRam, PAGE_SIZE};
use virtio_queue::{DescriptorChain, Queue, QueueOwnedT, QueueT};
use vm_memory::GuestMemoryMmap;
use vmm_sys_util::epoll::{ControlOperation, Epoll, EpollEvent, EventSet};
use vmm_sys_util::eventfd::{EventFd, EFD_NONBLOCK};

/// Device type of a network card.
pub const TYPE_NET: u32 = 1;
/// Device type of a block device.
pub const TYPE_BLOCK: u32 = 2;
/// Device type of a console.
pub const TYPE_CONSOLE: u32 = 3;
/// Device type of an entropy source.
pub const TYPE_RNG: u32 = 4;

/// Feature bit: the descriptor may point to a table of descriptors.
pub const VIRTIO_F_RING_INDIRECT_DESC: u64 = 1 << 28;
/// Feature bit: `used_event`/`avail_event` notification suppression.
pub const VIRTIO_F_RING_EVENT_IDX: u64 = 1 << 29;
/// Feature bit: a virtio 1.x (non-legacy) device.
pub const VIRTIO_F_VERSION_1: u64 = 1 << 32;

/// `InterruptStatus` bit: a used ring was updated.
pub const INT_USED_RING: u32 = 1;
/// `InterruptStatus` bit: the configuration changed.
pub const INT_CONFIG: u32 = 2;

/// A virtio device model (the device half; the transport is
/// [`crate::VirtioMmio`]). See the module documentation for the contract.
pub trait VirtioDevice: Send {
    /// The virtio device ID (`TYPE_BLOCK`, `TYPE_NET`, ...).
    fn device_type(&self) -> u32;

    /// The maximum size of each queue; the length is the number of queues.
    /// Sizes must be powers of two, at most 32768.
    fn queue_max_sizes(&self) -> &[u16];

    /// Device-specific feature bits. The transport adds
    /// `VIRTIO_F_VERSION_1`, `VIRTIO_F_RING_INDIRECT_DESC` and
    /// `VIRTIO_F_RING_EVENT_IDX` itself.
    fn device_features(&self) -> u64;

    /// Read the device config space at `offset` (from the start of the
    /// config space) into `data`. Bytes beyond the config space read as 0.
    fn read_config(&self, offset: u64, data: &mut [u8]);

    /// A driver write to the config space. Ignore what is read-only.
    fn write_config(&mut self, _offset: u64, _data: &[u8]) {}

    /// The driver set `DRIVER_OK`: start serving the queues (on an I/O
    /// thread of the device's own). Called at most once between resets.
    /// An error marks the device `DEVICE_NEEDS_RESET`.
    fn activate(&mut self, ctx: ActivateContext) -> Result<(), ActivateError>;

    /// Stop the I/O thread and wait for it, drop the queues, and return
    /// to the state before `activate`. Must be idempotent: it is also
    /// called on a device that was never activated.
    fn reset(&mut self);

    /// The VM is pausing (the transport calls this only on an activated
    /// device, from a thread that is not the I/O thread): stop the I/O
    /// thread and wait for it, and drop the queues, but keep everything
    /// else — backends, open files, host connections, host-side data
    /// waiting for the guest. After it returns nothing touches guest
    /// memory or raises an interrupt. [`VirtioDevice::resume`] (or
    /// [`VirtioDevice::reset`]) follows.
    ///
    /// The default calls [`VirtioDevice::reset`], which is right for a
    /// device whose reset only stops its thread.
    fn pause(&mut self) {
        self.reset();
    }

    /// The VM resumes after [`VirtioDevice::pause`], or starts from a
    /// restored snapshot: serve `ctx.queues` again. The queues' positions
    /// were recovered from the used rings (see the module documentation),
    /// and each ready queue's kick eventfd was written once. The default
    /// calls [`VirtioDevice::activate`]; a device relying on it must not
    /// drop in `activate` what `pause` kept (virtio-net's `activate`
    /// stops its old thread rather than calling `reset`, which drops a
    /// waiting frame).
    fn resume(&mut self, ctx: ActivateContext) -> Result<(), ActivateError> {
        self.activate(ctx)
    }

    /// The device's own state for a snapshot (plain JSON data; the
    /// transport saves registers and queues itself). Called while paused
    /// or before activation. Default: nothing (`null`).
    fn save_state(&self) -> serde_json::Value {
        serde_json::Value::Null
    }

    /// Take back what [`VirtioDevice::save_state`] returned, possibly in
    /// another process, before the device is resumed. The value comes from
    /// a file the user supplied: check all of it, and change nothing when
    /// refusing it (return a message for the user). Default: accept.
    fn restore_state(&mut self, _state: &serde_json::Value) -> Result<(), String> {
        Ok(())
    }

    /// I/O counters (name, value), e.g. `("read_bytes", 4096)`. Kept in
    /// atomics shared with the I/O thread, so callable at any time from
    /// any thread that holds the device. Default: none.
    fn metrics(&self) -> Vec<(&'static str, u64)> {
        Vec::new()
    }
}

/// A short name for a virtio device type, for labels and messages:
/// `"net"`, `"block"`, `"console"`, `"rng"`, or `"unknown"`.
pub fn device_kind(device_type: u32) -> &'static str {
    match device_type {
        TYPE_NET => "net",
        TYPE_BLOCK => "block",
        TYPE_CONSOLE => "console",
        TYPE_RNG => "rng",
        _ => "unknown",
    }
}

/// Why a device could not start.
#[derive(Debug, Error)]
pub enum ActivateError {
    /// The host refused a resource (a thread, an eventfd).
    #[error("cannot start the device's I/O thread: {0}")]
    Io(#[from] io::Error),
    /// The driver set the device up in a way it cannot work with.
    #[error("the driver configured the device badly: {0}")]
    BadConfig(String),
}

/// Everything a device receives when the driver sets `DRIVER_OK`.
pub struct ActivateContext {
    /// Guest RAM (`ram.guest_memory()` is the `vm-memory` view).
    pub ram: Arc<GuestRam>,
    /// One entry per queue of [`VirtioDevice::queue_max_sizes`], in order.
    /// Queues the driver did not enable have `queue.ready() == false`
    /// and must be left alone.
    pub queues: Vec<VirtQueue>,
    /// Raises this device's interrupt.
    pub interrupt: Interrupt,
    /// The feature bits the driver accepted (including transport bits).
    pub acked_features: u64,
}

/// One virtqueue handed to a device.
pub struct VirtQueue {
    /// Index of the queue (0 = first queue of the device).
    pub index: u16,
    /// The split virtqueue (rust-vmm `virtio-queue`), already validated
    /// against guest memory when ready.
    pub queue: Queue,
    /// Written by the transport when the driver notifies this queue.
    /// Non-blocking: read it to clear it after waking.
    pub kick: EventFd,
}

/// Why [`VirtQueue::process`] stopped early.
#[derive(Debug, Error)]
pub enum QueueError {
    /// The rings themselves are broken (outside memory, an avail index
    /// running ahead of the queue size): the device was marked
    /// `DEVICE_NEEDS_RESET`.
    #[error("virtqueue {index} is broken: {source}")]
    Broken {
        /// The queue.
        index: u16,
        /// What `virtio-queue` reported.
        source: virtio_queue::Error,
    },
    /// The avail index moved backwards: the device was marked
    /// `DEVICE_NEEDS_RESET`.
    #[error("virtqueue {index} is inconsistent: its avail index went backwards")]
    Inconsistent {
        /// The queue.
        index: u16,
    },
}

impl VirtQueue {
    /// Clear the kick eventfd (after a wake-up).
    pub fn clear_kick(&self) {
        let _ = self.kick.read();
    }

    /// Serve every available descriptor chain: `handle` processes one
    /// chain and returns the number of bytes it wrote into the chain's
    /// device-writable buffers; the chain is then put on the used ring.
    /// Keeps going until the driver has no more buffers after
    /// notifications are re-enabled (the race-free pattern, with or
    /// without `EVENT_IDX`). Interrupts the driver at the end if it asked
    /// for one.
    ///
    /// One call handles at most twice the queue size of chains; if more
    /// are waiting it writes the queue's own kick eventfd, so the I/O
    /// thread comes back (after seeing any stop request) instead of being
    /// held by a guest that keeps the ring full.
    ///
    /// A queue whose rings are broken marks the device
    /// `DEVICE_NEEDS_RESET` (through `interrupt`) and returns an error;
    /// the device should then ignore the queue until reset.
    ///
    /// The writes to the used ring are reported with
    /// [`note_used_ring`]; `handle` must report its own writes to guest
    /// memory (see [`note_dma_write`]).
    pub fn process<F>(
        &mut self,
        ram: &GuestRam,
        interrupt: &Interrupt,
        handle: F,
    ) -> Result<(), QueueError>
    where
        F: FnMut(DescriptorChain<&GuestMemoryMmap>) -> u32,
    {
        if !self.queue.ready() {
            return Ok(());
        }
        let r = self.process_inner(ram.guest_memory(), interrupt, handle);
        note_used_ring(ram, &self.queue);
        r
    }

    fn process_inner<F>(
        &mut self,
        mem: &GuestMemoryMmap,
        interrupt: &Interrupt,
        mut handle: F,
    ) -> Result<(), QueueError>
    where
        F: FnMut(DescriptorChain<&GuestMemoryMmap>) -> u32,
    {
        let index = self.index;
        let broken = |source| {
            interrupt.set_needs_reset();
            QueueError::Broken { index, source }
        };
        let mut used_any = false;
        // Bound the work of one call: a guest that keeps the ring full (or
        // lays out rings that feed themselves) cannot keep the I/O thread
        // from seeing a stop request. Leftover work is picked up at once
        // through a self-kick.
        let mut budget = 2 * u32::from(self.queue.size());
        let mut first = true;
        'outer: loop {
            self.queue.disable_notification(mem).map_err(broken)?;
            let mut popped = false;
            while let Some(chain) = self.queue.iter(mem).map_err(broken)?.next() {
                let head = chain.head_index();
                let len = handle(chain);
                self.queue.add_used(mem, head, len).map_err(broken)?;
                used_any = true;
                popped = true;
                budget = budget.saturating_sub(1);
                if budget == 0 {
                    let _ = self.kick.write(1);
                    break 'outer;
                }
            }
            if !first && !popped {
                // The ring said buffers were available and then had none:
                // the avail index went backwards, which only rings that
                // overlap the device's own writes (or a broken driver) do.
                interrupt.set_needs_reset();
                return Err(QueueError::Inconsistent { index });
            }
            first = false;
            if !self.queue.enable_notification(mem).map_err(broken)? {
                break;
            }
        }
        if used_any {
            self.notify(mem, interrupt)?;
        }
        Ok(())
    }

    /// Raise the used-buffer interrupt if the driver wants one now
    /// (always without `EVENT_IDX`; per `used_event` with it).
    pub fn notify(
        &mut self,
        mem: &GuestMemoryMmap,
        interrupt: &Interrupt,
    ) -> Result<(), QueueError> {
        let index = self.index;
        match self.queue.needs_notification(mem) {
            Ok(true) => {
                interrupt.signal_used_queue();
                Ok(())
            }
            Ok(false) => Ok(()),
            Err(source) => {
                interrupt.set_needs_reset();
                Err(QueueError::Broken { index, source })
            }
        }
    }
}

/// Tell `ram` that a device wrote `[addr, addr+len)` directly (not
/// through [`GuestRam::write_bytes`]): decoded-instruction caches of
/// those pages are dropped (and, with dirty-page tracking, the pages are
/// marked dirty). Ranges outside RAM are ignored.
pub fn note_dma_write(ram: &GuestRam, addr: u64, len: u64) {
    if len == 0 || !ram.contains(addr, len) {
        return;
    }
    let mut page = addr & !(PAGE_SIZE - 1);
    let end = addr + len;
    while page < end {
        ram.note_store(page.max(addr));
        page += PAGE_SIZE;
    }
}

/// Report the used ring of `queue` as written by the device (`flags`,
/// `idx`, the ring and `avail_event`: `virtio-queue` writes them through
/// `vm-memory`, not [`GuestRam::write_bytes`]). Call it after using
/// `add_used`, `enable_notification` or `disable_notification` directly;
/// [`VirtQueue::process`] does it itself. Does nothing for a queue that
/// is not ready.
pub fn note_used_ring(ram: &GuestRam, queue: &Queue) {
    if !queue.ready() {
        return;
    }
    // flags (2) + idx (2) + ring (8 per entry) + avail_event (2).
    let len = 6 + 8 * u64::from(queue.size());
    note_dma_write(ram, queue.used_ring(), len);
}

struct InterruptState {
    /// `InterruptStatus` bits; changed only under the lock, together
    /// with the line level, so the line always equals `status != 0`.
    status: Mutex<u32>,
    needs_reset: AtomicBool,
    config_generation: AtomicU32,
    line: IrqLine,
}

/// The interrupt of one virtio device: `InterruptStatus` plus the PLIC
/// line, which is high while any status bit is set. Cheap to clone;
/// callable from any thread.
#[derive(Clone)]
pub struct Interrupt {
    state: Arc<InterruptState>,
}

impl Interrupt {
    /// An interrupt driving `line` (the board wires it to the PLIC).
    pub fn new(line: IrqLine) -> Interrupt {
        Interrupt {
            state: Arc::new(InterruptState {
                status: Mutex::new(0),
                needs_reset: AtomicBool::new(false),
                config_generation: AtomicU32::new(0),
                line,
            }),
        }
    }

    fn update(&self, f: impl FnOnce(u32) -> u32) {
        let mut s = self.state.status.lock().unwrap_or_else(|e| e.into_inner());
        let old = *s;
        *s = f(old);
        if (old != 0) != (*s != 0) {
            (self.state.line)(*s != 0);
        }
    }

    /// The device put buffers on a used ring.
    pub fn signal_used_queue(&self) {
        self.update(|s| s | INT_USED_RING);
    }

    /// The device's config space changed.
    pub fn signal_config_change(&self) {
        self.state.config_generation.fetch_add(1, Ordering::AcqRel);
        self.update(|s| s | INT_CONFIG);
    }

    /// The device hit an error it cannot recover from without a reset:
    /// sets `DEVICE_NEEDS_RESET` and raises a config-change interrupt.
    pub fn set_needs_reset(&self) {
        if !self.state.needs_reset.swap(true, Ordering::AcqRel) {
            self.update(|s| s | INT_CONFIG);
        }
    }

    /// True after [`Interrupt::set_needs_reset`] (until a reset).
    pub fn needs_reset(&self) -> bool {
        self.state.needs_reset.load(Ordering::Acquire)
    }

    /// Current `InterruptStatus`.
    pub fn status(&self) -> u32 {
        *self.state.status.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Current `ConfigGeneration`.
    pub fn config_generation(&self) -> u32 {
        self.state.config_generation.load(Ordering::Acquire)
    }

    /// The driver acknowledged the bits in `bits` (`InterruptACK`).
    pub(crate) fn ack(&self, bits: u32) {
        self.update(|s| s & !bits);
    }

    /// Put back the state a snapshot recorded, driving the line to match.
    pub(crate) fn restore(&self, status: u32, needs_reset: bool, config_generation: u32) {
        self.state
            .config_generation
            .store(config_generation, Ordering::Release);
        self.state.needs_reset.store(needs_reset, Ordering::Release);
        self.update(|_| status);
    }

    /// Device reset: no interrupt pending, no reset needed.
    pub(crate) fn clear(&self) {
        self.state.needs_reset.store(false, Ordering::Release);
        self.update(|_| 0);
    }
}

/// What an [`IoThread`] handler is told.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wake {
    /// The source at this index (in the list given to [`IoThread::spawn`])
    /// is readable.
    Ready(usize),
    /// The timeout the handler asked for passed.
    Timeout,
}

/// A device's I/O thread: waits (epoll) on a list of file descriptors
/// (typically the queues' kick eventfds, plus backend fds such as a TAP
/// device) and calls a handler for each that became readable. Stopping
/// (explicitly or on drop) wakes the thread and joins it.
pub struct IoThread {
    stop: EventFd,
    handle: Option<JoinHandle<()>>,
}

impl IoThread {
    /// Start a thread named `name` that waits on `sources` and calls
    /// `handler` with each wake-up. The handler returns the longest time
    /// to wait for the next event (`None`: no timeout), which lets
    /// devices with timers (network stacks) keep them running.
    pub fn spawn<F>(name: &str, sources: &[RawFd], mut handler: F) -> io::Result<IoThread>
    where
        F: FnMut(Wake) -> Option<Duration> + Send + 'static,
    {
        let stop = EventFd::new(EFD_NONBLOCK)?;
        let epoll = Epoll::new()?;
        let stop_token = sources.len() as u64;
        epoll.ctl(
            ControlOperation::Add,
            stop.as_raw_fd(),
            EpollEvent::new(EventSet::IN, stop_token),
        )?;
        for (i, fd) in sources.iter().enumerate() {
            epoll.ctl(
                ControlOperation::Add,
                *fd,
                EpollEvent::new(EventSet::IN, i as u64),
            )?;
        }
        let handle = std::thread::Builder::new()
            .name(name.to_string())
            .spawn(move || {
                let mut events = vec![EpollEvent::default(); sources_len(stop_token)];
                let mut timeout: Option<Duration> = None;
                loop {
                    let ms = timeout.map_or(-1, |d| d.as_millis().min(i32::MAX as u128) as i32);
                    let n = match epoll.wait(ms, &mut events) {
                        Ok(n) => n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        Err(_) => return,
                    };
                    if n == 0 {
                        timeout = handler(Wake::Timeout);
                        continue;
                    }
                    for ev in &events[..n] {
                        if ev.data() == stop_token {
                            return;
                        }
                    }
                    for ev in &events[..n] {
                        timeout = handler(Wake::Ready(ev.data() as usize));
                    }
                }
            })?;
        Ok(IoThread {
            stop,
            handle: Some(handle),
        })
    }

    /// Stop the thread and wait for it to finish its current handler call.
    pub fn stop(&mut self) {
        if let Some(h) = self.handle.take() {
            let _ = self.stop.write(1);
            let _ = h.join();
        }
    }
}

fn sources_len(stop_token: u64) -> usize {
    stop_token as usize + 1
}

impl Drop for IoThread {
    fn drop(&mut self) {
        self.stop();
    }
}
