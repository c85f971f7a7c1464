//! virtio-net (virtio 1.2, section 5.1): the network card the guest sees.
//!
//! Two queues: `receiveq1` (0) and `transmitq1` (1); no control queue.
//! Features: `VIRTIO_NET_F_MAC` (the config space holds a stable MAC) and
//! `VIRTIO_NET_F_STATUS` (the link is always up). No offloads are
//! offered, so every frame is a plain Ethernet frame behind a
//! `virtio_net_hdr` of 12 bytes (the virtio 1.x layout, with
//! `num_buffers`) whose fields the device ignores on transmit and sets to
//! "no checksum, no GSO, one buffer" on receive.
//!
//! The queues are served on the device's own I/O thread
//! ([`IoThread`]), which waits on the two queue kicks and the backend's
//! [`NetBackend::wait_fd`], and moves frames:
//!
//! - transmit: every available chain is read (readable descriptors only,
//!   at most 12 + [`MAX_FRAME_LEN`] bytes; a longer chain is dropped),
//!   the header stripped, and the frame handed to [`NetBackend::send`];
//! - receive: each frame from [`NetBackend::recv`] goes into one chain
//!   (header + frame). A chain too small for the frame gets the frame
//!   dropped and is returned with length 0 (the driver counts an error).
//!   With no chain available the frame waits, notifications are
//!   re-enabled, and the driver's next kick resumes delivery.
//!
//! A ring that cannot be read (outside RAM, a runaway avail index) marks
//! the device `DEVICE_NEEDS_RESET`; the thread then ignores the queues
//! until the driver resets the device.
//!
//! # Pause, snapshots, counters
//!
//! A receive chain is popped only when a frame is ready for it, and is
//! completed at once, so the device never holds a chain between wake-ups
//! (the rule of `vireo_virtio::device`). A frame waiting for a chain is
//! host-side data: it lives in the device (not in the I/O thread), so it
//! survives [`VirtioDevice::pause`]; a device reset drops it, as a NIC
//! reset drops its FIFO. Pausing stops only the I/O thread: the backend —
//! user-mode networking with its host sockets and TCP connections, or the
//! TAP device — is kept as it is and simply not driven while paused, so
//! transfers (through a port forward, say) carry on after
//! [`VirtioDevice::resume`]; host data waits in socket buffers meanwhile.
//!
//! Snapshot state: the MAC address the guest saw. A restored device keeps
//! the MAC of its own configuration (a clone gets its own address); the
//! saved one is available from [`VirtioNet::snapshot_mac`]. The waiting
//! frame and the backend's connections are not saved: they belong to the
//! host of the snapshotted process (guest TCP recovers by retransmission
//! or reconnection).
//!
//! Counters: `rx_packets`/`rx_bytes` (frames given to the guest, without
//! the virtio header), `tx_packets`/`tx_bytes` (frames the guest sent to
//! the backend), `rx_dropped` (frames dropped because the receive chain
//! was too small or outside RAM), `tx_dropped` (transmit chains too long,
//! empty or outside RAM).

use crate::config::{BackendConfig, NetConfig};
use crate::tap::Tap;
use crate::user::UserNet;
use crate::{MacAddr, NetBackend, NetError, MAX_FRAME_LEN};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use vireo_memory::GuestRam;
use vireo_virtio::virtio_queue::{DescriptorChain, QueueOwnedT, QueueT};
use vireo_virtio::vm_memory::{Bytes, GuestMemoryMmap};
use vireo_virtio::{
    note_dma_write, note_used_ring, ActivateContext, ActivateError, Interrupt, IoThread, VirtQueue,
    VirtioDevice, Wake, TYPE_NET,
};

/// Feature bit: the config space holds the MAC address.
pub const VIRTIO_NET_F_MAC: u64 = 1 << 5;
/// Feature bit: the config space holds the link status.
pub const VIRTIO_NET_F_STATUS: u64 = 1 << 16;
/// Link status bit: the link is up.
const VIRTIO_NET_S_LINK_UP: u16 = 1;
/// Bytes of `struct virtio_net_hdr` in virtio 1.x.
pub const NET_HDR_LEN: usize = 12;
/// Size of each queue.
const QUEUE_SIZE: u16 = 256;
const RX_QUEUE: usize = 0;
const TX_QUEUE: usize = 1;
/// Wake-up sources of the I/O thread, by index.
const SRC_RX_KICK: usize = 0;
const SRC_TX_KICK: usize = 1;
/// Rounds of backend work and delivery per wake-up before the thread
/// checks its other sources again.
const ROUNDS_PER_WAKE: usize = 16;

pub(crate) type SharedBackend = Arc<Mutex<Box<dyn NetBackend>>>;

fn lock(backend: &SharedBackend) -> MutexGuard<'_, Box<dyn NetBackend>> {
    backend.lock().unwrap_or_else(|e| e.into_inner())
}

/// A frame from the backend waiting for a receive chain.
struct RxSlot {
    /// Header and frame: the frame starts at `NET_HDR_LEN`.
    frame: Vec<u8>,
    /// The length of the waiting frame, if one is waiting.
    pending: Option<usize>,
}

/// I/O counters (see the module documentation).
#[derive(Default)]
struct NetStats {
    rx_packets: AtomicU64,
    rx_bytes: AtomicU64,
    rx_dropped: AtomicU64,
    tx_packets: AtomicU64,
    tx_bytes: AtomicU64,
    tx_dropped: AtomicU64,
}

fn bump(counter: &AtomicU64, by: u64) {
    counter.fetch_add(by, Ordering::Relaxed);
}

/// What the device and its I/O thread share, kept across pauses.
pub(crate) struct NetShared {
    rx: Mutex<RxSlot>,
    stats: NetStats,
}

impl NetShared {
    pub(crate) fn new() -> Arc<NetShared> {
        Arc::new(NetShared {
            rx: Mutex::new(RxSlot {
                frame: vec![0; NET_HDR_LEN + MAX_FRAME_LEN],
                pending: None,
            }),
            stats: NetStats::default(),
        })
    }

    fn rx(&self) -> MutexGuard<'_, RxSlot> {
        self.rx.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A virtio-net device in front of a [`NetBackend`].
pub struct VirtioNet {
    mac: MacAddr,
    backend: SharedBackend,
    shared: Arc<NetShared>,
    /// The MAC address a restored snapshot's device had.
    snapshot_mac: Option<MacAddr>,
    thread: Option<IoThread>,
}

impl VirtioNet {
    /// A device with address `mac` whose frames go to `backend`.
    pub fn new(mac: MacAddr, backend: Box<dyn NetBackend>) -> VirtioNet {
        VirtioNet {
            mac,
            backend: Arc::new(Mutex::new(backend)),
            shared: NetShared::new(),
            snapshot_mac: None,
            thread: None,
        }
    }

    /// Build the `index`-th network card of a machine from its `--net`
    /// configuration (opening the TAP device or setting up user-mode
    /// networking and its port forwards).
    pub fn open(cfg: &NetConfig, index: usize) -> Result<VirtioNet, NetError> {
        let backend: Box<dyn NetBackend> = match &cfg.backend {
            BackendConfig::User(user) => Box::new(UserNet::new(user)?),
            BackendConfig::Tap { ifname } => Box::new(Tap::open(ifname)?),
        };
        Ok(VirtioNet::new(
            cfg.mac.unwrap_or_else(|| MacAddr::default_for(index)),
            backend,
        ))
    }

    /// The MAC address the guest sees.
    pub fn mac(&self) -> MacAddr {
        self.mac
    }

    /// The MAC address of the device whose snapshot was restored into
    /// this one (`None` before a restore). The guest keeps seeing
    /// [`VirtioNet::mac`].
    pub fn snapshot_mac(&self) -> Option<MacAddr> {
        self.snapshot_mac
    }

    /// Stop the I/O thread and wait for it.
    fn stop(&mut self) {
        if let Some(mut t) = self.thread.take() {
            t.stop();
        }
    }

    fn config_space(&self) -> [u8; 10] {
        let mut c = [0u8; 10];
        c[..6].copy_from_slice(&self.mac.0);
        c[6..8].copy_from_slice(&VIRTIO_NET_S_LINK_UP.to_le_bytes());
        // max_virtqueue_pairs (meaningful with VIRTIO_NET_F_MQ only).
        c[8..10].copy_from_slice(&1u16.to_le_bytes());
        c
    }
}

impl VirtioDevice for VirtioNet {
    fn device_type(&self) -> u32 {
        TYPE_NET
    }

    fn queue_max_sizes(&self) -> &[u16] {
        &[QUEUE_SIZE, QUEUE_SIZE]
    }

    fn device_features(&self) -> u64 {
        VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS
    }

    fn read_config(&self, offset: u64, data: &mut [u8]) {
        let config = self.config_space();
        for (i, b) in data.iter_mut().enumerate() {
            *b = usize::try_from(offset)
                .ok()
                .and_then(|o| o.checked_add(i))
                .and_then(|o| config.get(o))
                .copied()
                .unwrap_or(0);
        }
    }

    fn activate(&mut self, ctx: ActivateContext) -> Result<(), ActivateError> {
        // Not `reset`: on resume a frame may be waiting for the guest.
        self.stop();
        let mut queues = ctx.queues.into_iter();
        let (Some(rx), Some(tx)) = (queues.next(), queues.next()) else {
            return Err(ActivateError::BadConfig(
                "virtio-net needs a receive and a transmit queue".into(),
            ));
        };
        debug_assert_eq!((rx.index as usize, tx.index as usize), (RX_QUEUE, TX_QUEUE));
        let sources = [
            rx.kick.as_raw_fd(),
            tx.kick.as_raw_fd(),
            lock(&self.backend).wait_fd(),
        ];
        let mut worker = Worker::with_shared(
            ctx.ram,
            rx,
            tx,
            ctx.interrupt,
            self.backend.clone(),
            self.shared.clone(),
        );
        let thread = IoThread::spawn("virtio-net", &sources, move |wake| worker.wake(wake))?;
        self.thread = Some(thread);
        Ok(())
    }

    fn reset(&mut self) {
        self.stop();
        // A reset NIC forgets the frame it was about to deliver.
        self.shared.rx().pending = None;
    }

    fn pause(&mut self) {
        // Only the thread: the backend and a waiting frame stay.
        self.stop();
    }

    fn save_state(&self) -> serde_json::Value {
        serde_json::json!({ "mac": self.mac.to_string() })
    }

    fn restore_state(&mut self, state: &serde_json::Value) -> Result<(), String> {
        let mac = state
            .get("mac")
            .and_then(serde_json::Value::as_str)
            .ok_or_else(|| {
                "the snapshot's network card state is malformed (expected \"mac\")".to_string()
            })?;
        let mac: MacAddr = mac
            .parse()
            .map_err(|e| format!("the snapshot's network card state: {e}"))?;
        self.snapshot_mac = Some(mac);
        Ok(())
    }

    fn metrics(&self) -> Vec<(&'static str, u64)> {
        let s = &self.shared.stats;
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        vec![
            ("rx_packets", get(&s.rx_packets)),
            ("rx_bytes", get(&s.rx_bytes)),
            ("rx_dropped", get(&s.rx_dropped)),
            ("tx_packets", get(&s.tx_packets)),
            ("tx_bytes", get(&s.tx_bytes)),
            ("tx_dropped", get(&s.tx_dropped)),
        ]
    }
}

/// The state of the I/O thread.
pub(crate) struct Worker {
    ram: Arc<GuestRam>,
    rx: VirtQueue,
    tx: VirtQueue,
    interrupt: Interrupt,
    backend: SharedBackend,
    /// The frame waiting for a receive chain, and the counters.
    shared: Arc<NetShared>,
    tx_frame: Vec<u8>,
    /// A ring was unusable: wait for the reset.
    broken: bool,
}

impl Worker {
    pub(crate) fn new(
        ram: Arc<GuestRam>,
        rx: VirtQueue,
        tx: VirtQueue,
        interrupt: Interrupt,
        backend: SharedBackend,
    ) -> Worker {
        Worker::with_shared(ram, rx, tx, interrupt, backend, NetShared::new())
    }

    pub(crate) fn with_shared(
        ram: Arc<GuestRam>,
        rx: VirtQueue,
        tx: VirtQueue,
        interrupt: Interrupt,
        backend: SharedBackend,
        shared: Arc<NetShared>,
    ) -> Worker {
        Worker {
            ram,
            rx,
            tx,
            interrupt,
            backend,
            shared,
            tx_frame: vec![0; NET_HDR_LEN + MAX_FRAME_LEN],
            broken: false,
        }
    }

    /// A ring was unusable; the device waits for a reset.
    pub(crate) fn is_broken(&self) -> bool {
        self.broken
    }

    /// One wake-up of the I/O thread: serve the queues and the backend.
    pub(crate) fn wake(&mut self, wake: Wake) -> Option<Duration> {
        match wake {
            Wake::Ready(SRC_RX_KICK) => self.rx.clear_kick(),
            Wake::Ready(SRC_TX_KICK) => self.tx.clear_kick(),
            _ => {}
        }
        if self.broken {
            return None;
        }
        let backend = self.backend.clone();
        let mut be = lock(&backend);
        self.transmit(&mut **be);
        for _ in 0..ROUNDS_PER_WAKE {
            let timeout = be.process();
            if self.broken || self.deliver(&mut **be) == 0 {
                return timeout;
            }
        }
        // Frames still flowing: come back at once, after other sources.
        Some(Duration::ZERO)
    }

    /// Hand every frame the driver queued for transmission to the backend.
    fn transmit(&mut self, be: &mut dyn NetBackend) {
        let Worker {
            ram,
            tx,
            interrupt,
            tx_frame,
            broken,
            shared,
            ..
        } = self;
        let mem = ram.guest_memory();
        let stats = &shared.stats;
        let r = tx.process(ram, interrupt, |chain| {
            match read_chain(chain, mem, tx_frame) {
                Some(len) if len > NET_HDR_LEN => {
                    be.send(&tx_frame[NET_HDR_LEN..len]);
                    bump(&stats.tx_packets, 1);
                    bump(&stats.tx_bytes, (len - NET_HDR_LEN) as u64);
                }
                _ => bump(&stats.tx_dropped, 1),
            }
            0
        });
        if r.is_err() {
            *broken = true;
        }
    }

    /// Move frames from the backend into receive chains; returns how many.
    fn deliver(&mut self, be: &mut dyn NetBackend) -> usize {
        if !self.rx.queue.ready() {
            return 0;
        }
        let n = self.deliver_inner(be);
        // virtio-queue wrote the used ring through vm-memory.
        note_used_ring(&self.ram, &self.rx.queue);
        n
    }

    fn deliver_inner(&mut self, be: &mut dyn NetBackend) -> usize {
        let shared = self.shared.clone();
        let mut slot = shared.rx();
        let RxSlot { frame, pending } = &mut *slot;
        let stats = &shared.stats;
        let mem = self.ram.guest_memory();
        let mut delivered = 0;
        if self.rx.queue.disable_notification(mem).is_err() {
            return self.fail();
        }
        loop {
            let len = match *pending {
                Some(len) => len,
                None => match be.recv(&mut frame[NET_HDR_LEN..]) {
                    Some(len) => {
                        *pending = Some(len);
                        len
                    }
                    None => break,
                },
            };
            let chain = match self.rx.queue.iter(mem) {
                Ok(mut it) => it.next(),
                Err(_) => return self.fail(),
            };
            let Some(chain) = chain else {
                // Out of buffers: ask for a kick when the driver adds some.
                match self.rx.queue.enable_notification(mem) {
                    Ok(true) => continue,
                    Ok(false) => break,
                    Err(_) => return self.fail(),
                }
            };
            let head = chain.head_index();
            let data = &mut frame[..NET_HDR_LEN + len];
            write_header(data);
            let written = write_chain(chain, mem, &self.ram, data);
            if written == 0 {
                bump(&stats.rx_dropped, 1);
            } else {
                bump(&stats.rx_packets, 1);
                bump(&stats.rx_bytes, len as u64);
            }
            *pending = None;
            if self.rx.queue.add_used(mem, head, written).is_err() {
                return self.fail();
            }
            delivered += 1;
        }
        if delivered > 0 && self.rx.notify(mem, &self.interrupt).is_err() {
            self.broken = true;
        }
        delivered
    }

    fn fail(&mut self) -> usize {
        self.interrupt.set_needs_reset();
        self.broken = true;
        0
    }
}

/// The receive header: no checksum to complete, no GSO, one buffer.
fn write_header(data: &mut [u8]) {
    data[..NET_HDR_LEN].fill(0);
    // num_buffers (le16 at offset 10): 1 without VIRTIO_NET_F_MRG_RXBUF.
    data[10..12].copy_from_slice(&1u16.to_le_bytes());
}

/// Read the device-readable part of `chain` into `buf`. `None` when it
/// does not fit or lies outside RAM.
fn read_chain(
    chain: DescriptorChain<&GuestMemoryMmap>,
    mem: &GuestMemoryMmap,
    buf: &mut [u8],
) -> Option<usize> {
    let mut len = 0usize;
    for desc in chain.readable() {
        let n = desc.len() as usize;
        let dst = buf.get_mut(len..len.checked_add(n)?)?;
        mem.read_slice(dst, desc.addr()).ok()?;
        len += n;
    }
    Some(len)
}

/// Write `data` into the device-writable buffers of `chain`. Returns the
/// bytes written: all of `data`, or 0 when the chain is too small or lies
/// outside RAM (the frame is then dropped).
fn write_chain(
    chain: DescriptorChain<&GuestMemoryMmap>,
    mem: &GuestMemoryMmap,
    ram: &GuestRam,
    data: &[u8],
) -> u32 {
    // Check the room first, so that a too-small chain is not half written.
    let room: u64 = chain.clone().writable().map(|d| u64::from(d.len())).sum();
    if room < data.len() as u64 {
        return 0;
    }
    let mut off = 0usize;
    for desc in chain.writable() {
        if off == data.len() {
            break;
        }
        let n = (desc.len() as usize).min(data.len() - off);
        if mem.write_slice(&data[off..off + n], desc.addr()).is_err() {
            return 0;
        }
        note_dma_write(ram, desc.addr().0, n as u64);
        off += n;
    }
    off as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fuzzing::{Echo, RAM_BASE, RAM_SIZE};
    use std::collections::VecDeque;
    use vireo_virtio::virtio_queue::Queue;
    use vireo_virtio::vmm_sys_util::eventfd::{EventFd, EFD_NONBLOCK};
    use vireo_virtio::INT_USED_RING;

    const SIZE: u16 = 16;
    const F_NEXT: u16 = 1;
    const F_WRITE: u16 = 2;

    /// A split virtqueue laid out in guest RAM at `base` (descriptors),
    /// `base + 0x800` (avail) and `base + 0x1000` (used).
    struct Ring {
        base: u64,
        avail_idx: u16,
    }

    impl Ring {
        fn desc(&self, ram: &GuestRam, i: u16, addr: u64, len: u32, flags: u16, next: u16) {
            let at = self.base + 16 * u64::from(i);
            ram.write_u64(at, addr).unwrap();
            ram.write_bytes(at + 8, &len.to_le_bytes()).unwrap();
            ram.write_bytes(at + 12, &flags.to_le_bytes()).unwrap();
            ram.write_bytes(at + 14, &next.to_le_bytes()).unwrap();
        }

        fn publish(&mut self, ram: &GuestRam, head: u16) {
            let avail = self.base + 0x800;
            let slot = avail + 4 + 2 * u64::from(self.avail_idx % SIZE);
            ram.write_bytes(slot, &head.to_le_bytes()).unwrap();
            self.avail_idx += 1;
            ram.write_bytes(avail + 2, &self.avail_idx.to_le_bytes())
                .unwrap();
        }

        /// (used idx, used elements so far as (id, len)).
        fn used(&self, ram: &GuestRam) -> (u16, Vec<(u32, u32)>) {
            let used = self.base + 0x1000;
            let idx = ram.read_u32(used).unwrap() >> 16;
            let elems = (0..idx as u64)
                .map(|i| {
                    let e = ram.read_u64(used + 4 + 8 * i).unwrap();
                    (e as u32, (e >> 32) as u32)
                })
                .collect();
            (idx as u16, elems)
        }

        fn queue(&self, index: u16) -> VirtQueue {
            let mut q = Queue::new(SIZE).unwrap();
            let (d, a, u) = (self.base, self.base + 0x800, self.base + 0x1000);
            q.set_desc_table_address(Some(d as u32), Some((d >> 32) as u32));
            q.set_avail_ring_address(Some(a as u32), Some((a >> 32) as u32));
            q.set_used_ring_address(Some(u as u32), Some((u >> 32) as u32));
            q.set_ready(true);
            VirtQueue {
                index,
                queue: q,
                kick: EventFd::new(EFD_NONBLOCK).unwrap(),
            }
        }
    }

    #[test]
    fn frames_cross_the_queues_with_their_headers() {
        let ram = Arc::new(GuestRam::new(RAM_BASE, RAM_SIZE).unwrap());
        let mut rx = Ring {
            base: RAM_BASE,
            avail_idx: 0,
        };
        let mut tx = Ring {
            base: RAM_BASE + 0x2000,
            avail_idx: 0,
        };
        let backend: SharedBackend = Arc::new(Mutex::new(Box::new(Echo {
            frames: VecDeque::new(),
            wake: EventFd::new(EFD_NONBLOCK).unwrap(),
        })));
        let interrupt = Interrupt::new(Box::new(|_| {}));
        let mut worker = Worker::new(
            ram.clone(),
            rx.queue(0),
            tx.queue(1),
            interrupt.clone(),
            backend.clone(),
        );
        let frame: Vec<u8> = (0..60u8).collect();
        // Transmit: header and frame in two descriptors.
        ram.write_bytes(RAM_BASE + 0x4000, &[0xee; NET_HDR_LEN])
            .unwrap();
        ram.write_bytes(RAM_BASE + 0x4100, &frame).unwrap();
        tx.desc(&ram, 0, RAM_BASE + 0x4000, NET_HDR_LEN as u32, F_NEXT, 1);
        tx.desc(&ram, 1, RAM_BASE + 0x4100, 60, 0, 0);
        tx.publish(&ram, 0);
        // Receive: one large buffer, one too small for any frame.
        rx.desc(&ram, 0, RAM_BASE + 0x8000, 1526, F_WRITE, 0);
        rx.desc(&ram, 1, RAM_BASE + 0xa000, 20, F_WRITE, 0);
        rx.publish(&ram, 0);
        rx.publish(&ram, 1);

        worker.wake(Wake::Ready(SRC_TX_KICK));
        let mut got = vec![0u8; NET_HDR_LEN + 60];
        ram.read_bytes(RAM_BASE + 0x8000, &mut got).unwrap();
        lock(&backend).send(&[0x11; 1514]);
        worker.wake(Wake::Ready(SRC_RX_KICK));

        assert_eq!(tx.used(&ram), (1, vec![(0, 0)]));
        assert_eq!(
            rx.used(&ram),
            (2, vec![(0, (NET_HDR_LEN + 60) as u32), (1, 0)]),
            "the echo lands in the first buffer; the second is too small"
        );
        let mut header = [0u8; NET_HDR_LEN];
        header[10] = 1; // num_buffers
        assert_eq!(&got[..NET_HDR_LEN], &header);
        assert_eq!(&got[NET_HDR_LEN..], &frame[..]);
        assert_ne!(interrupt.status() & INT_USED_RING, 0);
        assert!(!worker.is_broken());
    }

    #[test]
    fn frames_wait_for_receive_buffers() {
        let ram = Arc::new(GuestRam::new(RAM_BASE, RAM_SIZE).unwrap());
        let mut rx = Ring {
            base: RAM_BASE,
            avail_idx: 0,
        };
        let tx = Ring {
            base: RAM_BASE + 0x2000,
            avail_idx: 0,
        };
        let backend: SharedBackend = Arc::new(Mutex::new(Box::new(Echo {
            frames: VecDeque::from([vec![1u8; 100], vec![2u8; 200]]),
            wake: EventFd::new(EFD_NONBLOCK).unwrap(),
        })));
        let interrupt = Interrupt::new(Box::new(|_| {}));
        let mut worker = Worker::new(ram.clone(), rx.queue(0), tx.queue(1), interrupt, backend);

        worker.wake(Wake::Timeout);
        let before = rx.used(&ram).0;
        rx.desc(&ram, 0, RAM_BASE + 0x8000, 2048, F_WRITE, 0);
        rx.desc(&ram, 1, RAM_BASE + 0x9000, 2048, F_WRITE, 0);
        rx.publish(&ram, 0);
        rx.publish(&ram, 1);
        worker.wake(Wake::Ready(SRC_RX_KICK));

        assert_eq!(before, 0, "nothing delivered without buffers");
        assert_eq!(
            rx.used(&ram),
            (
                2,
                vec![(0, NET_HDR_LEN as u32 + 100), (1, NET_HDR_LEN as u32 + 200)]
            ),
            "both frames delivered, in order, once buffers came"
        );
    }

    /// What a [`Probe`] backend saw, shared with the test.
    #[derive(Clone, Default)]
    struct ProbeState {
        to_guest: Arc<Mutex<VecDeque<Vec<u8>>>>,
        sent: Arc<Mutex<Vec<Vec<u8>>>>,
        dropped: Arc<std::sync::atomic::AtomicBool>,
    }

    /// A backend the test can watch (and see dropped).
    struct Probe {
        state: ProbeState,
        wake: EventFd,
    }

    impl NetBackend for Probe {
        fn send(&mut self, frame: &[u8]) {
            self.state.sent.lock().unwrap().push(frame.to_vec());
        }
        fn recv(&mut self, buf: &mut [u8]) -> Option<usize> {
            let f = self.state.to_guest.lock().unwrap().pop_front()?;
            buf[..f.len()].copy_from_slice(&f);
            Some(f.len())
        }
        fn process(&mut self) -> Option<Duration> {
            None
        }
        fn wait_fd(&self) -> std::os::fd::RawFd {
            self.wake.as_raw_fd()
        }
    }

    impl Drop for Probe {
        fn drop(&mut self) {
            self.state
                .dropped
                .store(true, std::sync::atomic::Ordering::SeqCst);
        }
    }

    fn probe(frames: &[Vec<u8>]) -> (ProbeState, Box<dyn NetBackend>) {
        let state = ProbeState::default();
        state
            .to_guest
            .lock()
            .unwrap()
            .extend(frames.iter().cloned());
        let backend = Box::new(Probe {
            state: state.clone(),
            wake: EventFd::new(EFD_NONBLOCK).unwrap(),
        });
        (state, backend)
    }

    fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
        let t0 = std::time::Instant::now();
        while !done() {
            assert!(t0.elapsed().as_secs() < 10, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    #[test]
    fn pause_keeps_the_backend_and_a_waiting_frame() {
        use vireo_memory::MmioDevice;
        let ram = Arc::new(GuestRam::new(RAM_BASE, RAM_SIZE).unwrap());
        let mut rx = Ring {
            base: RAM_BASE,
            avail_idx: 0,
        };
        let mut tx = Ring {
            base: RAM_BASE + 0x2000,
            avail_idx: 0,
        };
        let (state, backend) = probe(&[vec![0x42; 90]]);
        let dev = VirtioNet::new(MacAddr::default_for(0), backend);
        let mmio =
            vireo_virtio::VirtioMmio::new(Box::new(dev), ram.clone(), Box::new(|_| {})).unwrap();
        let w = |off: u64, v: u64| mmio.write(off, 4, v);
        w(0x70, 1);
        w(0x70, 3);
        w(0x24, 1);
        w(0x20, 1); // VERSION_1
        w(0x70, 11);
        for (q, ring) in [(0, &rx), (1, &tx)] {
            let (d, a, u) = (ring.base, ring.base + 0x800, ring.base + 0x1000);
            w(0x30, q);
            w(0x38, u64::from(SIZE));
            w(0x80, d & 0xffff_ffff);
            w(0x84, d >> 32);
            w(0x90, a & 0xffff_ffff);
            w(0x94, a >> 32);
            w(0xa0, u & 0xffff_ffff);
            w(0xa4, u >> 32);
            w(0x44, 1);
        }
        w(0x70, 15);
        assert_eq!(mmio.read(0x70, 4), 15);
        // The frame leaves the backend and waits: no receive buffers yet.
        wait_for("the frame to be taken", || {
            state.to_guest.lock().unwrap().is_empty()
        });

        mmio.pause();
        rx.desc(&ram, 0, RAM_BASE + 0x8000, 2048, F_WRITE, 0);
        rx.publish(&ram, 0);
        w(0x50, 0);
        std::thread::sleep(Duration::from_millis(50));
        let while_paused = rx.used(&ram).0;
        let dropped_while_paused = state.dropped.load(std::sync::atomic::Ordering::SeqCst);
        mmio.resume();
        wait_for("the frame to be delivered", || rx.used(&ram).0 == 1);
        let frame: Vec<u8> = (0..60u8).collect();
        ram.write_bytes(RAM_BASE + 0x4000, &[0; NET_HDR_LEN])
            .unwrap();
        ram.write_bytes(RAM_BASE + 0x4000 + NET_HDR_LEN as u64, &frame)
            .unwrap();
        tx.desc(&ram, 0, RAM_BASE + 0x4000, NET_HDR_LEN as u32 + 60, 0, 0);
        tx.publish(&ram, 0);
        w(0x50, 1);
        wait_for("the frame to be sent", || {
            !state.sent.lock().unwrap().is_empty()
        });

        assert_eq!(while_paused, 0, "nothing delivered while paused");
        assert!(!dropped_while_paused, "the backend is kept");
        assert_eq!(rx.used(&ram).1, vec![(0, NET_HDR_LEN as u32 + 90)]);
        let mut got = vec![0u8; NET_HDR_LEN + 90];
        ram.read_bytes(RAM_BASE + 0x8000, &mut got).unwrap();
        assert!(got[NET_HDR_LEN..].iter().all(|&b| b == 0x42));
        assert_eq!(*state.sent.lock().unwrap(), vec![frame]);
        assert_eq!(mmio.kind(), "net");
        assert_eq!(
            mmio.metrics(),
            vec![
                ("rx_packets", 1),
                ("rx_bytes", 90),
                ("rx_dropped", 0),
                ("tx_packets", 1),
                ("tx_bytes", 60),
                ("tx_dropped", 0),
            ]
        );
        drop(mmio);
        assert!(state.dropped.load(std::sync::atomic::Ordering::SeqCst));
    }

    #[test]
    fn a_reset_drops_the_waiting_frame() {
        let ram = Arc::new(GuestRam::new(RAM_BASE, RAM_SIZE).unwrap());
        let rx = Ring {
            base: RAM_BASE,
            avail_idx: 0,
        };
        let tx = Ring {
            base: RAM_BASE + 0x2000,
            avail_idx: 0,
        };
        let (state, backend) = probe(&[vec![1; 100]]);
        let mut dev = VirtioNet::new(MacAddr::default_for(0), backend);
        let (rxq, txq) = (rx.queue(0), tx.queue(1));
        let kick = rxq.kick.try_clone().unwrap();
        dev.activate(ActivateContext {
            ram,
            queues: vec![rxq, txq],
            interrupt: Interrupt::new(Box::new(|_| {})),
            acked_features: vireo_virtio::VIRTIO_F_VERSION_1,
        })
        .unwrap();
        kick.write(1).unwrap();
        wait_for("the frame to be taken", || {
            state.to_guest.lock().unwrap().is_empty()
        });

        dev.pause();
        let after_pause = dev.shared.rx().pending;
        dev.reset();

        assert_eq!(after_pause, Some(100));
        assert_eq!(dev.shared.rx().pending, None);
        assert!(!state.dropped.load(std::sync::atomic::Ordering::SeqCst));
    }

    #[test]
    fn snapshots_keep_the_mac_but_restores_use_the_configured_one() {
        let (_, a) = probe(&[]);
        let (_, b) = probe(&[]);
        let a = VirtioNet::new("52:54:00:aa:bb:cc".parse().unwrap(), a);
        let mut b = VirtioNet::new("52:54:00:11:22:33".parse().unwrap(), b);

        let state = a.save_state();
        b.restore_state(&state).unwrap();
        let mut c = [0u8; 6];
        b.read_config(0, &mut c);

        assert_eq!(state, serde_json::json!({ "mac": "52:54:00:aa:bb:cc" }));
        assert_eq!(b.snapshot_mac(), Some(a.mac()));
        assert_eq!(b.mac().to_string(), "52:54:00:11:22:33");
        assert_eq!(c, b.mac().0, "the guest sees the configured MAC");
        for bad in [
            serde_json::Value::Null,
            serde_json::json!({ "mac": 5 }),
            serde_json::json!({ "mac": "01:00:00:00:00:00" }),
        ] {
            let err = b.restore_state(&bad).unwrap_err();
            assert!(err.contains("snapshot's network card state"), "{err}");
        }
    }

    #[test]
    fn used_ring_writes_are_reported() {
        let ram = Arc::new(GuestRam::new(RAM_BASE, RAM_SIZE).unwrap());
        let mut rx = Ring {
            base: RAM_BASE,
            avail_idx: 0,
        };
        let tx = Ring {
            base: RAM_BASE + 0x2000,
            avail_idx: 0,
        };
        let (_, backend) = probe(&[vec![7; 64], vec![8; 5000]]);
        let mut worker = Worker::new(
            ram.clone(),
            rx.queue(0),
            tx.queue(1),
            Interrupt::new(Box::new(|_| {})),
            Arc::new(Mutex::new(backend)),
        );
        rx.desc(&ram, 0, RAM_BASE + 0x8000, 2048, F_WRITE, 0);
        rx.desc(&ram, 1, RAM_BASE + 0xa000, 2048, F_WRITE, 0);
        rx.publish(&ram, 0);
        rx.publish(&ram, 1);
        ram.mark_code_page(RAM_BASE + 0x1000);
        let epoch = ram.code_epoch();

        worker.wake(Wake::Ready(SRC_RX_KICK));

        assert_eq!(rx.used(&ram).0, 2);
        assert_ne!(ram.code_epoch(), epoch, "the used ring write was noted");
        let s = &worker.shared.stats;
        assert_eq!(s.rx_packets.load(Ordering::Relaxed), 1);
        assert_eq!(
            s.rx_dropped.load(Ordering::Relaxed),
            1,
            "5000 bytes do not fit"
        );
    }

    #[test]
    fn config_space_holds_mac_and_link_status() {
        let dev = VirtioNet::new(
            MacAddr([0x52, 0x54, 0, 1, 2, 3]),
            Box::new(Echo {
                frames: VecDeque::new(),
                wake: EventFd::new(EFD_NONBLOCK).unwrap(),
            }),
        );
        let mut c = [0xffu8; 12];

        dev.read_config(0, &mut c);
        let mut far = [0xffu8; 4];
        dev.read_config(u64::MAX - 1, &mut far);

        assert_eq!(&c[..6], &[0x52, 0x54, 0, 1, 2, 3]);
        assert_eq!(u16::from_le_bytes([c[6], c[7]]), VIRTIO_NET_S_LINK_UP);
        assert_eq!(&c[10..], &[0, 0], "beyond the config space reads 0");
        assert_eq!(far, [0; 4]);
        assert_eq!(dev.device_type(), TYPE_NET);
        assert_eq!(
            dev.device_features(),
            VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS
        );
    }
}
