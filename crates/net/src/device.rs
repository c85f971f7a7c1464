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

use crate::config::{BackendConfig, NetConfig};
use crate::tap::Tap;
use crate::user::UserNet;
use crate::{MacAddr, NetBackend, NetError, MAX_FRAME_LEN};
use std::os::fd::AsRawFd;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use vireo_memory::GuestRam;
use vireo_virtio::virtio_queue::{DescriptorChain, QueueOwnedT, QueueT};
use vireo_virtio::vm_memory::{Bytes, GuestMemoryMmap};
use vireo_virtio::{
    note_dma_write, ActivateContext, ActivateError, Interrupt, IoThread, VirtQueue, VirtioDevice,
    Wake, TYPE_NET,
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

/// A virtio-net device in front of a [`NetBackend`].
pub struct VirtioNet {
    mac: MacAddr,
    backend: SharedBackend,
    thread: Option<IoThread>,
}

impl VirtioNet {
    /// A device with address `mac` whose frames go to `backend`.
    pub fn new(mac: MacAddr, backend: Box<dyn NetBackend>) -> VirtioNet {
        VirtioNet {
            mac,
            backend: Arc::new(Mutex::new(backend)),
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
        self.reset();
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
        let mut worker = Worker::new(ctx.ram, rx, tx, ctx.interrupt, self.backend.clone());
        let thread = IoThread::spawn("virtio-net", &sources, move |wake| worker.wake(wake))?;
        self.thread = Some(thread);
        Ok(())
    }

    fn reset(&mut self) {
        if let Some(mut t) = self.thread.take() {
            t.stop();
        }
    }
}

/// The state of the I/O thread.
pub(crate) struct Worker {
    ram: Arc<GuestRam>,
    rx: VirtQueue,
    tx: VirtQueue,
    interrupt: Interrupt,
    backend: SharedBackend,
    /// Header and frame waiting for a receive chain: the frame starts at
    /// `NET_HDR_LEN`, `rx_pending` is its length.
    rx_frame: Vec<u8>,
    rx_pending: Option<usize>,
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
        Worker {
            ram,
            rx,
            tx,
            interrupt,
            backend,
            rx_frame: vec![0; NET_HDR_LEN + MAX_FRAME_LEN],
            rx_pending: None,
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
            ..
        } = self;
        let mem = ram.guest_memory();
        let r = tx.process(mem, interrupt, |chain| {
            if let Some(len) = read_chain(chain, mem, tx_frame) {
                if len > NET_HDR_LEN {
                    be.send(&tx_frame[NET_HDR_LEN..len]);
                }
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
        let mem = self.ram.guest_memory();
        let mut delivered = 0;
        if self.rx.queue.disable_notification(mem).is_err() {
            return self.fail();
        }
        loop {
            let len = match self.rx_pending {
                Some(len) => len,
                None => match be.recv(&mut self.rx_frame[NET_HDR_LEN..]) {
                    Some(len) => {
                        self.rx_pending = Some(len);
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
            let data = &mut self.rx_frame[..NET_HDR_LEN + len];
            write_header(data);
            let written = write_chain(chain, mem, &self.ram, data);
            if self.rx.queue.add_used(mem, head, written).is_err() {
                return self.fail();
            }
            self.rx_pending = None;
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
