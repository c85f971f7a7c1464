//! virtio-rng (device type 4): host entropy for the guest.
//!
//! One queue, the request queue. Each request is a descriptor chain of
//! device-writable buffers; the device fills them with bytes from an
//! [`EntropySource`] (by default [`HostEntropy`]: `getrandom(2)`, or
//! `/dev/urandom` where that system call is missing) and puts the chain on
//! the used ring with the number of bytes written. Linux's `virtio_rng`
//! driver then offers it as `/dev/hwrng` and feeds the kernel's pool.
//!
//! The guest is hostile, so the work per request and per wake-up is
//! bounded: at most [`MAX_REQUEST_BYTES`] go into one request however long
//! its buffers claim to be, readable (driver-to-device) descriptors are
//! skipped, a buffer outside RAM ends the request with what was written so
//! far, and an I/O-thread wake-up serves at most [`CHAINS_PER_WAKE`] chains
//! before it yields (so a reset can always stop the thread). A ring that is
//! broken as a whole (outside memory, an avail index running ahead) marks
//! the device `DEVICE_NEEDS_RESET`.
//!
//! [`serve_requests`] is the whole request path without the thread, for
//! tests and the fuzz target.

use crate::device::{
    note_used_ring, ActivateContext, ActivateError, Interrupt, IoThread, VirtioDevice, TYPE_RNG,
};
use std::fs::File;
use std::io::{self, Read};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use vireo_memory::GuestRam;
use virtio_queue::{DescriptorChain, Queue, QueueOwnedT, QueueT};
use vm_memory::GuestMemoryMmap;

/// Size of the request queue.
pub const RNG_QUEUE_SIZE: u16 = 256;
/// Most bytes written into one request (Linux asks for at most a page or
/// so at a time; anything beyond this cap is left untouched).
pub const MAX_REQUEST_BYTES: usize = 64 * 1024;
/// Chains served per I/O-thread wake-up before yielding.
pub const CHAINS_PER_WAKE: usize = 256;

/// Where random bytes come from.
pub trait EntropySource: Send {
    /// Fill all of `buf` with random bytes.
    fn fill(&mut self, buf: &mut [u8]) -> io::Result<()>;
}

/// The host's entropy: `getrandom(2)` (the kernel's CSPRNG, never
/// blocking once the host has booted), falling back to `/dev/urandom` on
/// kernels without that system call.
#[derive(Debug, Default)]
pub struct HostEntropy {
    urandom: Option<File>,
}

impl HostEntropy {
    /// A source that uses `getrandom(2)` until it finds it missing.
    pub fn new() -> HostEntropy {
        HostEntropy { urandom: None }
    }

    /// One `getrandom` call into `buf`; `Ok(None)` when the system call
    /// does not exist.
    fn getrandom(buf: &mut [u8]) -> io::Result<Option<usize>> {
        // SAFETY: the kernel writes at most `buf.len()` bytes into `buf`,
        // which is a valid, exclusively borrowed buffer.
        let n = unsafe { libc::getrandom(buf.as_mut_ptr().cast(), buf.len(), 0) };
        if n >= 0 {
            return Ok(Some(n as usize));
        }
        let err = io::Error::last_os_error();
        match err.raw_os_error() {
            Some(libc::ENOSYS) => Ok(None),
            Some(libc::EINTR) => Ok(Some(0)),
            _ => Err(err),
        }
    }
}

impl EntropySource for HostEntropy {
    fn fill(&mut self, buf: &mut [u8]) -> io::Result<()> {
        let mut done = 0;
        while done < buf.len() {
            if let Some(f) = self.urandom.as_mut() {
                return f.read_exact(&mut buf[done..]);
            }
            match Self::getrandom(&mut buf[done..])? {
                Some(n) => done += n,
                None => self.urandom = Some(File::open("/dev/urandom")?),
            }
        }
        Ok(())
    }
}

/// How a bounded pass over a queue ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Drain {
    /// Nothing more to do until the next notification.
    Idle,
    /// The budget ran out with work left: call again soon.
    Budget,
    /// The ring is broken; the device was marked `DEVICE_NEEDS_RESET`.
    Broken,
}

/// Serve available chains of `queue`, at most `budget` of them, while
/// `more()` says there is something to serve them with: `handle` processes
/// one chain and returns the bytes it wrote into the chain, and the chain
/// goes on the used ring. Raises the used-buffer interrupt at the end if
/// the driver wants one. Like [`crate::VirtQueue::process`], but bounded,
/// so that a driver that keeps adding buffers cannot keep an I/O thread
/// from noticing that it should stop. A chain is taken off the ring only
/// when `more()` says it can be served, and always completed.
pub(crate) fn drain_bounded<F>(
    queue: &mut Queue,
    ram: &GuestRam,
    interrupt: &Interrupt,
    budget: usize,
    more: impl FnMut() -> bool,
    handle: F,
) -> Drain
where
    F: FnMut(DescriptorChain<&GuestMemoryMmap>) -> u32,
{
    if !queue.ready() {
        return Drain::Idle;
    }
    let drain = drain_inner(queue, ram.guest_memory(), interrupt, budget, more, handle);
    note_used_ring(ram, queue);
    drain
}

fn drain_inner<F>(
    queue: &mut Queue,
    mem: &GuestMemoryMmap,
    interrupt: &Interrupt,
    budget: usize,
    mut more: impl FnMut() -> bool,
    mut handle: F,
) -> Drain
where
    F: FnMut(DescriptorChain<&GuestMemoryMmap>) -> u32,
{
    let mut served = 0;
    let mut first = true;
    let outcome = 'pass: loop {
        if queue.disable_notification(mem).is_err() {
            break 'pass Drain::Broken;
        }
        let mut popped = false;
        loop {
            if served >= budget {
                break 'pass Drain::Budget;
            }
            if !more() {
                // Leave notifications on: the next buffer wakes us.
                break 'pass match queue.enable_notification(mem) {
                    Ok(_) => Drain::Idle,
                    Err(_) => Drain::Broken,
                };
            }
            let chain = match queue.iter(mem) {
                Ok(mut avail) => avail.next(),
                Err(_) => break 'pass Drain::Broken,
            };
            let Some(chain) = chain else { break };
            let head = chain.head_index();
            let len = handle(chain);
            if queue.add_used(mem, head, len).is_err() {
                break 'pass Drain::Broken;
            }
            served += 1;
            popped = true;
        }
        if !first && !popped {
            // The ring said more buffers were available, and then had
            // none: its avail index went backwards, which only a broken
            // driver or rings overlapping the device's own writes (the
            // used ring's flags on the avail index) do. Going round again
            // would never end.
            break 'pass Drain::Broken;
        }
        first = false;
        match queue.enable_notification(mem) {
            // More buffers arrived while notifications were off.
            Ok(true) => continue,
            Ok(false) => break 'pass Drain::Idle,
            Err(_) => break 'pass Drain::Broken,
        }
    };
    if outcome == Drain::Broken {
        interrupt.set_needs_reset();
        return outcome;
    }
    if served > 0 {
        match queue.needs_notification(mem) {
            Ok(true) => interrupt.signal_used_queue(),
            Ok(false) => {}
            Err(_) => {
                interrupt.set_needs_reset();
                return Drain::Broken;
            }
        }
    }
    outcome
}

/// Fill the device-writable buffers of one request with entropy; return
/// the number of bytes written (at most [`MAX_REQUEST_BYTES`]).
fn fill_request(
    chain: DescriptorChain<&GuestMemoryMmap>,
    ram: &GuestRam,
    entropy: &mut dyn EntropySource,
    scratch: &mut [u8],
) -> u32 {
    let mut written = 0usize;
    for desc in chain {
        if written >= MAX_REQUEST_BYTES {
            break;
        }
        if !desc.is_write_only() {
            continue;
        }
        let mut addr = desc.addr().0;
        let mut left = (desc.len() as usize).min(MAX_REQUEST_BYTES - written);
        while left > 0 {
            let n = left.min(scratch.len());
            let chunk = &mut scratch[..n];
            if entropy.fill(chunk).is_err() || ram.write_bytes(addr, chunk).is_err() {
                return written as u32;
            }
            written += n;
            left -= n;
            match addr.checked_add(n as u64) {
                Some(a) => addr = a,
                None => return written as u32,
            }
        }
    }
    written as u32
}

/// Serve up to `budget` requests of the request queue `queue` (the whole
/// device path, without the I/O thread). Returns true when requests may be
/// left (the budget ran out), false when the queue is drained or broken
/// (then the device was marked `DEVICE_NEEDS_RESET`).
pub fn serve_requests(
    queue: &mut Queue,
    ram: &GuestRam,
    interrupt: &Interrupt,
    entropy: &mut dyn EntropySource,
    budget: usize,
) -> bool {
    serve_counted(queue, ram, interrupt, entropy, budget, &AtomicU64::new(0))
}

/// [`serve_requests`], adding the bytes given to the guest to `bytes`.
fn serve_counted(
    queue: &mut Queue,
    ram: &GuestRam,
    interrupt: &Interrupt,
    entropy: &mut dyn EntropySource,
    budget: usize,
    bytes: &AtomicU64,
) -> bool {
    let mut scratch = vec![0u8; 4096];
    let drain = drain_bounded(
        queue,
        ram,
        interrupt,
        budget,
        || true,
        |chain| {
            let n = fill_request(chain, ram, entropy, &mut scratch);
            bytes.fetch_add(u64::from(n), Ordering::Relaxed);
            n
        },
    );
    drain == Drain::Budget
}

/// The virtio-rng device. No snapshot state; one counter, `bytes` (the
/// entropy given to the guest).
pub struct Rng {
    entropy: Arc<Mutex<Box<dyn EntropySource>>>,
    bytes: Arc<AtomicU64>,
    thread: Option<IoThread>,
}

impl Default for Rng {
    fn default() -> Self {
        Rng::new()
    }
}

impl Rng {
    /// A device serving the host's entropy ([`HostEntropy`]).
    pub fn new() -> Rng {
        Rng::with_source(Box::new(HostEntropy::new()))
    }

    /// A device serving bytes from `source`.
    pub fn with_source(source: Box<dyn EntropySource>) -> Rng {
        Rng {
            entropy: Arc::new(Mutex::new(source)),
            bytes: Arc::default(),
            thread: None,
        }
    }
}

impl VirtioDevice for Rng {
    fn device_type(&self) -> u32 {
        TYPE_RNG
    }

    fn queue_max_sizes(&self) -> &[u16] {
        &[RNG_QUEUE_SIZE]
    }

    fn device_features(&self) -> u64 {
        0
    }

    fn read_config(&self, _offset: u64, data: &mut [u8]) {
        // virtio-rng has no config space.
        data.fill(0);
    }

    fn activate(&mut self, ctx: ActivateContext) -> Result<(), ActivateError> {
        self.reset();
        let Some(mut vq) = ctx.queues.into_iter().next() else {
            return Err(ActivateError::BadConfig(
                "virtio-rng needs its request queue".into(),
            ));
        };
        let entropy = self.entropy.clone();
        let bytes = self.bytes.clone();
        let ram = ctx.ram;
        let interrupt = ctx.interrupt;
        let mut broken = false;
        let kick = vq.kick.as_raw_fd();
        let thread = IoThread::spawn("virtio-rng", &[kick], move |_| {
            vq.clear_kick();
            if broken {
                return None;
            }
            let mut source = entropy.lock().unwrap_or_else(|e| e.into_inner());
            let more = serve_counted(
                &mut vq.queue,
                &ram,
                &interrupt,
                &mut **source,
                CHAINS_PER_WAKE,
                &bytes,
            );
            if interrupt.needs_reset() {
                // Leave the ring alone until the driver resets the device.
                broken = true;
                return None;
            }
            more.then_some(Duration::ZERO)
        })?;
        self.thread = Some(thread);
        Ok(())
    }

    fn reset(&mut self) {
        if let Some(mut t) = self.thread.take() {
            t.stop();
        }
    }

    fn metrics(&self) -> Vec<(&'static str, u64)> {
        vec![("bytes", self.bytes.load(Ordering::Relaxed))]
    }
}

impl Drop for Rng {
    fn drop(&mut self) {
        self.reset();
    }
}

/// Entry points of the `virtio_rng` and `virtio_console` fuzz targets
/// (in `fuzz/`), also run by unit tests on pseudo-random inputs. Not API.
#[doc(hidden)]
pub mod fuzz {
    use super::*;

    /// Guest RAM of the fuzzers.
    pub const RAM_BASE: u64 = 0x8000_0000;
    /// Its size: small, so that fuzzed addresses often hit its edges.
    pub const RAM_SIZE: u64 = 64 << 10;

    /// The fuzzers' guest RAM: one per thread (mapped once, never
    /// unmapped), so that tests running in parallel do not share it.
    pub fn ram() -> &'static GuestRam {
        thread_local! {
            static RAM: &'static GuestRam = Box::leak(Box::new(
                GuestRam::new(RAM_BASE, RAM_SIZE).expect("cannot map fuzz RAM"),
            ));
        }
        RAM.with(|r| *r)
    }

    fn le16(d: &[u8], at: usize) -> u16 {
        u16::from_le_bytes([
            d.get(at).copied().unwrap_or(0),
            d.get(at + 1).copied().unwrap_or(0),
        ])
    }

    /// A fuzz case: a queue over RAM filled from the input.
    pub struct Case<'a> {
        /// The queue, valid in RAM (as the transport guarantees).
        pub queue: Queue,
        /// Byte 0 of the input (device-specific bits 2 and 3).
        pub flags: u8,
        /// How many times the device is woken (1..=4).
        pub rounds: u8,
        /// Chains per wake-up (1..=64), so budgets run out too.
        pub budget: usize,
        /// The RAM image (also a source of device input).
        pub body: &'a [u8],
    }

    /// Decode `data`:
    ///
    /// - byte 0: bit 0 `EVENT_IDX`, bit 1 pull descriptor addresses into
    ///   RAM (so chains often point at real memory), bits 2-3 for the
    ///   device, bits 4..8 the queue size (a power of two up to 256);
    /// - bytes 1..7: offsets in RAM of the descriptor table, avail and
    ///   used rings;
    /// - byte 7: bits 0-1 the wake-ups (1..=4), bits 2-7 the budget;
    /// - the rest: the initial contents of guest RAM.
    ///
    /// `None` when the layout is one the transport would refuse.
    pub fn case(data: &[u8]) -> Option<Case<'_>> {
        let ram = ram();
        let head = data.get(..8).unwrap_or(&[]);
        let flags = head.first().copied().unwrap_or(0);
        let size = 1u16 << ((flags >> 4) % 9);
        let desc = RAM_BASE + u64::from(le16(head, 1));
        let avail = RAM_BASE + u64::from(le16(head, 3));
        let used = RAM_BASE + u64::from(le16(head, 5));
        let b7 = head.get(7).copied().unwrap_or(0);
        let body = data.get(8..).unwrap_or(&[]);
        let n = body.len().min(RAM_SIZE as usize);
        let _ = ram.zero(RAM_BASE, RAM_SIZE);
        let _ = ram.write_bytes(RAM_BASE, &body[..n]);

        let mut q = Queue::new(size).ok()?;
        q.set_desc_table_address(Some(desc as u32), Some((desc >> 32) as u32));
        q.set_avail_ring_address(Some(avail as u32), Some((avail >> 32) as u32));
        q.set_used_ring_address(Some(used as u32), Some((used >> 32) as u32));
        q.set_event_idx(flags & 1 != 0);
        q.set_ready(true);
        if !q.is_valid(ram.guest_memory()) {
            return None;
        }
        if flags & 2 != 0 {
            for i in 0..u64::from(size) {
                let at = desc + 16 * i;
                if let Ok(addr) = ram.read_u64(at) {
                    let _ = ram.write_u64(at, RAM_BASE + addr % (RAM_SIZE + 0x800));
                }
            }
        }
        Some(Case {
            queue: q,
            flags,
            rounds: 1 + (b7 & 3),
            budget: 1 + usize::from(b7 >> 2),
            body,
        })
    }

    /// Bytes that count up: cheap, deterministic entropy.
    struct Counter(u8);
    impl EntropySource for Counter {
        fn fill(&mut self, buf: &mut [u8]) -> io::Result<()> {
            for b in buf {
                self.0 = self.0.wrapping_add(1);
                *b = self.0;
            }
            Ok(())
        }
    }

    /// Run virtio-rng request processing on the input (see [`case`]).
    /// Must never panic or hang.
    pub fn rng_requests(data: &[u8]) {
        let Some(mut c) = case(data) else { return };
        let irq = Interrupt::new(Box::new(|_| {}));
        let mut entropy = Counter(0);
        for _ in 0..c.rounds {
            serve_requests(&mut c.queue, ram(), &irq, &mut entropy, c.budget);
            if irq.needs_reset() {
                break;
            }
        }
    }

    /// Pseudo-random fuzz inputs, biased towards well-formed rings (16
    /// entries at fixed places, small indexes, valid flags), for the unit
    /// tests that keep the fuzz entry points exercised on stable Rust.
    pub fn inputs(count: usize) -> impl Iterator<Item = Vec<u8>> {
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        (0..count).map(move |_| {
            let mut data = vec![0u8; 8 + 0x2000];
            for b in data.iter_mut() {
                *b = next() as u8;
            }
            if next() % 4 != 0 {
                data[0] = (data[0] & 0x0f) | 0x40 | 2;
                data[1..3].copy_from_slice(&0x0000u16.to_le_bytes());
                data[3..5].copy_from_slice(&0x0800u16.to_le_bytes());
                data[5..7].copy_from_slice(&0x1000u16.to_le_bytes());
                let avail = 8 + 0x800;
                data[avail + 2] = (next() % 20) as u8;
                data[avail + 3] = 0;
                for i in 0..16 {
                    data[avail + 4 + 2 * i] = (next() % 16) as u8;
                    data[avail + 5 + 2 * i] = 0;
                }
                for i in 0..16 {
                    let d = 8 + 16 * i;
                    data[d + 12] &= 7;
                    data[d + 13] = 0;
                    data[d + 14] &= 15;
                    data[d + 15] = 0;
                    if next() % 2 == 0 {
                        data[d + 8..d + 12]
                            .copy_from_slice(&((next() % 4096) as u32).to_le_bytes());
                    }
                }
            }
            data
        })
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn rng_requests_survive_random_rings() {
            for data in super::inputs(2000) {
                super::rng_requests(&data);
            }
            super::rng_requests(&[]);
            super::rng_requests(&[0xff; 7]);
        }
    }
}

/// Helpers shared by the device tests: lay out split virtqueues in a small
/// guest RAM, the way a driver does.
#[cfg(test)]
pub(crate) mod test_ring {
    use super::*;
    use vireo_memory::GuestRam;

    /// Base of the test RAM.
    pub const RAM_BASE: u64 = 0x8000_0000;
    /// Descriptor flag: the chain continues at `next`.
    pub const F_NEXT: u16 = 1;
    /// Descriptor flag: device-writable buffer.
    pub const F_WRITE: u16 = 2;
    /// Descriptor flag: the buffer is an indirect descriptor table.
    pub const F_INDIRECT: u16 = 4;

    /// A driver's view of one split virtqueue in `ram`.
    pub struct Ring {
        pub size: u16,
        pub desc: u64,
        pub avail: u64,
        pub used: u64,
        avail_idx: u16,
    }

    /// 1 MiB of test RAM.
    pub fn ram() -> Arc<GuestRam> {
        Arc::new(GuestRam::new(RAM_BASE, 1 << 20).expect("test RAM"))
    }

    impl Ring {
        /// A ring of `size` entries at `base` (needs `size * 24 + 16` bytes).
        pub fn new(base: u64, size: u16) -> Ring {
            let desc = base;
            let avail = desc + 16 * u64::from(size);
            let used = (avail + 6 + 2 * u64::from(size) + 3) & !3;
            Ring {
                size,
                desc,
                avail,
                used,
                avail_idx: 0,
            }
        }

        /// A ready `virtio_queue::Queue` for this ring.
        pub fn queue(&self) -> Queue {
            let mut q = Queue::new(self.size).expect("queue");
            q.set_size(self.size);
            let split = |a: u64| (Some(a as u32), Some((a >> 32) as u32));
            let (l, h) = split(self.desc);
            q.set_desc_table_address(l, h);
            let (l, h) = split(self.avail);
            q.set_avail_ring_address(l, h);
            let (l, h) = split(self.used);
            q.set_used_ring_address(l, h);
            q.set_ready(true);
            q
        }

        /// Write descriptor `i` (of this ring's table).
        pub fn set_desc(&self, ram: &GuestRam, i: u16, addr: u64, len: u32, flags: u16, next: u16) {
            write_desc(ram, self.desc, i, addr, len, flags, next);
        }

        /// Offer the chain starting at descriptor `head`.
        pub fn offer(&mut self, ram: &GuestRam, head: u16) {
            let slot = self.avail + 4 + 2 * u64::from(self.avail_idx % self.size);
            ram.write_bytes(slot, &head.to_le_bytes())
                .expect("avail ring");
            self.avail_idx = self.avail_idx.wrapping_add(1);
            self.set_avail_idx(ram, self.avail_idx);
        }

        /// Overwrite the avail index (to play a broken driver).
        pub fn set_avail_idx(&self, ram: &GuestRam, idx: u16) {
            ram.write_bytes(self.avail + 2, &idx.to_le_bytes())
                .expect("avail idx");
        }

        /// The used ring's index.
        pub fn used_idx(&self, ram: &GuestRam) -> u16 {
            let mut b = [0u8; 2];
            ram.read_bytes(self.used + 2, &mut b).expect("used idx");
            u16::from_le_bytes(b)
        }

        /// Used ring entry `i`: (descriptor head, length written).
        pub fn used_elem(&self, ram: &GuestRam, i: u16) -> (u32, u32) {
            let at = self.used + 4 + 8 * u64::from(i % self.size);
            (
                ram.read_u32(at).expect("used id"),
                ram.read_u32(at + 4).expect("used len"),
            )
        }
    }

    /// Write one descriptor of the table at `table`.
    pub fn write_desc(
        ram: &GuestRam,
        table: u64,
        i: u16,
        addr: u64,
        len: u32,
        flags: u16,
        next: u16,
    ) {
        let mut d = [0u8; 16];
        d[0..8].copy_from_slice(&addr.to_le_bytes());
        d[8..12].copy_from_slice(&len.to_le_bytes());
        d[12..14].copy_from_slice(&flags.to_le_bytes());
        d[14..16].copy_from_slice(&next.to_le_bytes());
        ram.write_bytes(table + 16 * u64::from(i), &d)
            .expect("descriptor");
    }

    /// An interrupt whose line level the test can read.
    pub fn interrupt() -> (Interrupt, Arc<std::sync::atomic::AtomicBool>) {
        let level = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let l = level.clone();
        let irq = Interrupt::new(Box::new(move |v| {
            l.store(v, std::sync::atomic::Ordering::SeqCst)
        }));
        (irq, level)
    }
}

#[cfg(test)]
mod tests {
    use super::test_ring::*;
    use super::*;
    use std::sync::atomic::Ordering;

    /// Entropy that counts up, so tests can see what was written.
    struct Counter(u8);
    impl EntropySource for Counter {
        fn fill(&mut self, buf: &mut [u8]) -> io::Result<()> {
            for b in buf {
                self.0 = self.0.wrapping_add(1);
                *b = self.0;
            }
            Ok(())
        }
    }

    /// Entropy that always fails.
    struct Broken;
    impl EntropySource for Broken {
        fn fill(&mut self, _buf: &mut [u8]) -> io::Result<()> {
            Err(io::Error::other("no entropy"))
        }
    }

    const BUF: u64 = RAM_BASE + 0x1_0000;

    #[test]
    fn host_entropy_fills_buffers() {
        // Arrange
        let mut src = HostEntropy::new();
        let mut a = [0u8; 64];
        let mut b = [0u8; 64];

        // Act
        src.fill(&mut a).expect("getrandom");
        src.fill(&mut b).expect("getrandom");

        // Assert
        assert_ne!(a, [0u8; 64]);
        assert_ne!(a, b, "two draws of 64 random bytes must differ");
    }

    #[test]
    fn a_request_is_filled_and_completed() {
        // Arrange
        let ram = ram();
        let mut ring = Ring::new(RAM_BASE, 16);
        ring.set_desc(&ram, 0, BUF, 8, F_NEXT | F_WRITE, 1);
        ring.set_desc(&ram, 1, BUF + 100, 4, F_WRITE, 0);
        ring.offer(&ram, 0);
        let mut q = ring.queue();
        let (irq, level) = interrupt();

        // Act
        let more = serve_requests(&mut q, &ram, &irq, &mut Counter(0), 16);

        // Assert
        assert!(!more);
        assert_eq!(ring.used_idx(&ram), 1);
        assert_eq!(ring.used_elem(&ram, 0), (0, 12));
        let mut got = [0u8; 8];
        ram.read_bytes(BUF, &mut got).unwrap();
        assert_eq!(got, [1, 2, 3, 4, 5, 6, 7, 8]);
        let mut got = [0u8; 4];
        ram.read_bytes(BUF + 100, &mut got).unwrap();
        assert_eq!(got, [9, 10, 11, 12]);
        assert!(level.load(Ordering::SeqCst), "used-buffer interrupt");
    }

    #[test]
    fn readable_buffers_are_skipped_and_huge_ones_capped() {
        // Arrange: a readable buffer (not written) and a 2 GiB writable one
        // that starts inside RAM and runs far past its end. (virtio-queue
        // itself ends a chain whose lengths add up to 4 GiB or more.)
        let ram = ram();
        let mut ring = Ring::new(RAM_BASE, 16);
        ring.set_desc(&ram, 0, BUF, 16, F_NEXT, 1);
        ring.set_desc(&ram, 1, BUF + 0x100, 0x8000_0000, F_WRITE, 0);
        ring.offer(&ram, 0);
        let mut q = ring.queue();
        let (irq, _) = interrupt();

        // Act
        serve_requests(&mut q, &ram, &irq, &mut Counter(0), 16);

        // Assert
        let (_, len) = ring.used_elem(&ram, 0);
        assert_eq!(len as usize, MAX_REQUEST_BYTES);
        let mut untouched = [0u8; 16];
        ram.read_bytes(BUF, &mut untouched).unwrap();
        assert_eq!(untouched, [0u8; 16]);
        assert!(!irq.needs_reset());
    }

    #[test]
    fn buffers_outside_ram_complete_with_what_was_written() {
        // Arrange: one chain entirely outside RAM, one straddling its end.
        let ram = ram();
        let mut ring = Ring::new(RAM_BASE, 16);
        ring.set_desc(&ram, 0, 0x1000, 64, F_WRITE, 0);
        ring.set_desc(&ram, 1, RAM_BASE + (1 << 20) - 4096 - 16, 8192, F_WRITE, 0);
        ring.offer(&ram, 0);
        ring.offer(&ram, 1);
        let mut q = ring.queue();
        let (irq, _) = interrupt();

        // Act
        serve_requests(&mut q, &ram, &irq, &mut Counter(0), 16);

        // Assert
        assert_eq!(ring.used_idx(&ram), 2);
        assert_eq!(ring.used_elem(&ram, 0), (0, 0));
        assert_eq!(ring.used_elem(&ram, 1), (1, 4096));
        assert!(!irq.needs_reset());
    }

    #[test]
    fn failing_entropy_completes_requests_empty() {
        // Arrange
        let ram = ram();
        let mut ring = Ring::new(RAM_BASE, 16);
        ring.set_desc(&ram, 0, BUF, 64, F_WRITE, 0);
        ring.offer(&ram, 0);
        let mut q = ring.queue();
        let (irq, _) = interrupt();

        // Act
        serve_requests(&mut q, &ram, &irq, &mut Broken, 16);

        // Assert
        assert_eq!(ring.used_elem(&ram, 0), (0, 0));
    }

    #[test]
    fn descriptor_loops_end() {
        // Arrange: descriptor 0 -> 1 -> 0 -> ...
        let ram = ram();
        let mut ring = Ring::new(RAM_BASE, 16);
        ring.set_desc(&ram, 0, BUF, 4, F_NEXT | F_WRITE, 1);
        ring.set_desc(&ram, 1, BUF + 4, 4, F_NEXT | F_WRITE, 0);
        ring.offer(&ram, 0);
        let mut q = ring.queue();
        let (irq, _) = interrupt();

        // Act
        serve_requests(&mut q, &ram, &irq, &mut Counter(0), 16);

        // Assert: the chain was cut at the queue size (16 descriptors).
        assert_eq!(ring.used_elem(&ram, 0), (0, 64));
    }

    #[test]
    fn indirect_tables_are_followed() {
        // Arrange
        let ram = ram();
        let mut ring = Ring::new(RAM_BASE, 16);
        let table = RAM_BASE + 0x8000;
        write_desc(&ram, table, 0, BUF, 3, F_NEXT | F_WRITE, 1);
        write_desc(&ram, table, 1, BUF + 8, 5, F_WRITE, 0);
        ring.set_desc(&ram, 0, table, 32, F_INDIRECT, 0);
        ring.offer(&ram, 0);
        let mut q = ring.queue();
        let (irq, _) = interrupt();

        // Act
        serve_requests(&mut q, &ram, &irq, &mut Counter(0), 16);

        // Assert
        assert_eq!(ring.used_elem(&ram, 0), (0, 8));
    }

    #[test]
    fn work_per_call_is_bounded() {
        // Arrange: 10 requests, a budget of 4.
        let ram = ram();
        let mut ring = Ring::new(RAM_BASE, 16);
        for i in 0..10u16 {
            ring.set_desc(&ram, i, BUF + 16 * u64::from(i), 16, F_WRITE, 0);
            ring.offer(&ram, i);
        }
        let mut q = ring.queue();
        let (irq, _) = interrupt();

        // Act
        let first = serve_requests(&mut q, &ram, &irq, &mut Counter(0), 4);
        let used_after_first = ring.used_idx(&ram);
        while serve_requests(&mut q, &ram, &irq, &mut Counter(0), 4) {}

        // Assert
        assert!(first, "work was left after the first call");
        assert_eq!(used_after_first, 4);
        assert_eq!(ring.used_idx(&ram), 10);
    }

    #[test]
    fn a_runaway_avail_index_needs_a_reset() {
        // Arrange: the driver claims 1000 new buffers in a queue of 16.
        let ram = ram();
        let ring = Ring::new(RAM_BASE, 16);
        ring.set_avail_idx(&ram, 1000);
        let mut q = ring.queue();
        let (irq, level) = interrupt();

        // Act
        let more = serve_requests(&mut q, &ram, &irq, &mut Counter(0), 16);

        // Assert
        assert!(!more);
        assert!(irq.needs_reset());
        assert!(level.load(Ordering::SeqCst), "config-change interrupt");
        assert_eq!(ring.used_idx(&ram), 0);
    }

    #[test]
    fn rings_that_overwrite_their_avail_index_do_not_hang() {
        // Arrange: the used ring's flags sit on the avail index, so each
        // (dis/en)abling of notifications moves the index back and forth.
        let ram = ram();
        let mut ring = Ring::new(RAM_BASE, 16);
        ring.avail = RAM_BASE + 0x402;
        ring.used = ring.avail + 2;
        ring.set_desc(&ram, 0, BUF, 16, F_WRITE, 0);
        let mut q = ring.queue();
        let (irq, _) = interrupt();

        // Act
        let more = serve_requests(&mut q, &ram, &irq, &mut Counter(0), usize::MAX);

        // Assert
        assert!(!more);
        assert!(irq.needs_reset());
    }

    #[test]
    fn the_device_serves_requests_on_its_own_thread() {
        // Arrange
        let ram = ram();
        let mut ring = Ring::new(RAM_BASE, 16);
        ring.set_desc(&ram, 0, BUF, 32, F_WRITE, 0);
        let (irq, level) = interrupt();
        let kick = vmm_sys_util::eventfd::EventFd::new(vmm_sys_util::eventfd::EFD_NONBLOCK)
            .expect("eventfd");
        let notify = kick.try_clone().expect("eventfd clone");
        let mut dev = Rng::with_source(Box::new(Counter(0)));
        dev.activate(ActivateContext {
            ram: ram.clone(),
            queues: vec![crate::VirtQueue {
                index: 0,
                queue: ring.queue(),
                kick,
            }],
            interrupt: irq,
            acked_features: crate::VIRTIO_F_VERSION_1,
        })
        .expect("activate");

        // Act
        ring.offer(&ram, 0);
        notify.write(1).expect("kick");
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while ring.used_idx(&ram) == 0 && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        dev.reset();

        // Assert
        assert_eq!(ring.used_elem(&ram, 0), (0, 32));
        assert!(level.load(Ordering::SeqCst));
        assert_eq!(dev.device_type(), TYPE_RNG);
        assert_eq!(dev.metrics(), vec![("bytes", 32)]);
    }

    #[test]
    fn used_ring_writes_are_reported() {
        // Arrange: the used ring's page holds "decoded code".
        let ram = ram();
        let mut ring = Ring::new(RAM_BASE, 16);
        ring.set_desc(&ram, 0, BUF, 8, F_WRITE, 0);
        ring.offer(&ram, 0);
        let mut q = ring.queue();
        let (irq, _) = interrupt();
        ram.mark_code_page(ring.used);
        let epoch = ram.code_epoch();

        // Act
        serve_requests(&mut q, &ram, &irq, &mut Counter(0), 16);

        // Assert
        assert_eq!(ring.used_idx(&ram), 1);
        assert_ne!(ram.code_epoch(), epoch, "the used ring write was noted");
    }
}
