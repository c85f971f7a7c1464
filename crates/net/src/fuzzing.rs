//! Entry points for the fuzz targets in `fuzz/` (and for the unit tests
//! that run them on stable Rust with pseudo-random inputs). Not part of
//! the API.

use crate::device::Worker;
use crate::user::UserNet;
use crate::{NetBackend, UserConfig, MAX_FRAME_LEN};
use std::collections::VecDeque;
use std::os::fd::{AsRawFd, RawFd};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use vireo_memory::GuestRam;
use vireo_virtio::virtio_queue::{Queue, QueueT};
use vireo_virtio::vmm_sys_util::eventfd::{EventFd, EFD_NONBLOCK};
use vireo_virtio::{Interrupt, VirtQueue, Wake};

/// Guest RAM of the queue fuzzer.
pub const RAM_BASE: u64 = 0x8000_0000;
/// Its size: small, so that fuzzed addresses often hit its edges.
pub const RAM_SIZE: u64 = 64 << 10;

/// Feed the frames packed in `data` to user-mode networking, as a guest
/// would send them, processing and draining the replies between them.
///
/// Layout: a sequence of records, each a little-endian u16 length and
/// that many bytes (the last record takes what is left). The network is
/// `restrict=on`, so no input can open a host connection; everything up
/// to that point (Ethernet, ARP, IPv4, UDP, TCP parsing, DHCP, smoltcp)
/// runs. Must never panic or hang.
pub fn net_frames(data: &[u8]) {
    static NET: OnceLock<Mutex<UserNet>> = OnceLock::new();
    let net = NET.get_or_init(|| {
        Mutex::new(
            UserNet::new(&UserConfig {
                restrict: true,
                dns_server: Some("127.0.0.1:9".parse().expect("address")),
                ..UserConfig::default()
            })
            .expect("cannot set up user-mode networking"),
        )
    });
    let mut net = net.lock().unwrap_or_else(|e| e.into_inner());
    let mut buf = vec![0u8; MAX_FRAME_LEN];
    let mut rest = data;
    while !rest.is_empty() {
        let len = match rest {
            [a, b, ..] => usize::from(u16::from_le_bytes([*a, *b])),
            _ => rest.len(),
        };
        rest = rest.get(2..).unwrap_or(&[]);
        let (frame, tail) = rest.split_at(len.min(rest.len()));
        rest = tail;
        net.send(frame);
        net.process();
        while net.recv(&mut buf).is_some() {}
    }
}

/// A backend that sends every transmitted frame back to the guest, plus
/// frames of chosen sizes (to exercise receive chains of every shape).
pub(crate) struct Echo {
    pub(crate) frames: VecDeque<Vec<u8>>,
    pub(crate) wake: EventFd,
}

impl NetBackend for Echo {
    fn send(&mut self, frame: &[u8]) {
        if self.frames.len() < 64 {
            self.frames.push_back(frame.to_vec());
        }
    }

    fn recv(&mut self, buf: &mut [u8]) -> Option<usize> {
        let f = self.frames.pop_front()?;
        let n = f.len().min(buf.len());
        buf[..n].copy_from_slice(&f[..n]);
        Some(n)
    }

    fn process(&mut self) -> Option<Duration> {
        None
    }

    fn wait_fd(&self) -> RawFd {
        self.wake.as_raw_fd()
    }
}

fn le16(d: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([
        d.get(at).copied().unwrap_or(0),
        d.get(at + 1).copied().unwrap_or(0),
    ])
}

fn ram() -> &'static Arc<GuestRam> {
    static RAM: OnceLock<Arc<GuestRam>> = OnceLock::new();
    RAM.get_or_init(|| Arc::new(GuestRam::new(RAM_BASE, RAM_SIZE).expect("cannot map fuzz RAM")))
}

fn queue(ram: &GuestRam, size: u16, event_idx: bool, offsets: [u16; 3]) -> Option<VirtQueue> {
    let [desc, avail, used] = offsets.map(|o| RAM_BASE + u64::from(o));
    let mut q = Queue::new(size).ok()?;
    q.set_desc_table_address(Some(desc as u32), Some((desc >> 32) as u32));
    q.set_avail_ring_address(Some(avail as u32), Some((avail >> 32) as u32));
    q.set_used_ring_address(Some(used as u32), Some((used >> 32) as u32));
    q.set_event_idx(event_idx);
    q.set_ready(true);
    // The transport refuses layouts outside RAM before a device sees them.
    if !q.is_valid(ram.guest_memory()) {
        return None;
    }
    Some(VirtQueue {
        index: 0,
        queue: q,
        kick: EventFd::new(EFD_NONBLOCK).ok()?,
    })
}

/// Run the virtio-net I/O thread's work (transmit, backend, receive) over
/// guest memory and rings taken from `data`:
///
/// - byte 0: bit 0 `EVENT_IDX`, bit 1 pull descriptor addresses into RAM
///   (so that chains often point at real memory), bits 4..8 the queue
///   size (a power of two up to 256);
/// - bytes 1..7: offsets of the receive queue's descriptor table, avail
///   and used rings; bytes 7..13: the same for the transmit queue;
/// - byte 13: how many wake-ups (1..=4); bytes 14..16: the lengths of two
///   frames the backend offers the guest before the first wake-up;
/// - the rest: the initial contents of guest RAM.
///
/// Must never panic or hang, whatever the input; a broken ring must mark
/// the device `DEVICE_NEEDS_RESET`.
pub fn net_queues(data: &[u8]) {
    let ram = ram();
    let head = data.get(..16).unwrap_or(&[]);
    let flags = head.first().copied().unwrap_or(0);
    let size = 1u16 << ((flags >> 4) % 9);
    let rounds = 1 + head.get(13).copied().unwrap_or(0) % 4;
    let body = data.get(16..).unwrap_or(&[]);
    let n = body.len().min(RAM_SIZE as usize);
    let _ = ram.zero(RAM_BASE, RAM_SIZE);
    let _ = ram.write_bytes(RAM_BASE, &body[..n]);

    let offsets = |at: usize| [le16(head, at), le16(head, at + 2), le16(head, at + 4)];
    let event_idx = flags & 1 != 0;
    let (Some(mut rx), Some(mut tx)) = (
        queue(ram, size, event_idx, offsets(1)),
        queue(ram, size, event_idx, offsets(7)),
    ) else {
        return;
    };
    rx.index = 0;
    tx.index = 1;
    if flags & 2 != 0 {
        for d in [offsets(1)[0], offsets(7)[0]] {
            for i in 0..u64::from(size) {
                let at = RAM_BASE + u64::from(d) + 16 * i;
                if let Ok(addr) = ram.read_u64(at) {
                    let _ = ram.write_u64(at, RAM_BASE + addr % (RAM_SIZE + 0x800));
                }
            }
        }
    }
    let Ok(wake) = EventFd::new(EFD_NONBLOCK) else {
        return;
    };
    let offered = [
        le16(head, 14) as usize % 2000,
        usize::from(le16(head, 14) >> 5),
    ];
    let echo = Echo {
        frames: offered.iter().map(|&len| vec![0x5a; len]).collect(),
        wake,
    };
    let interrupt = Interrupt::new(Box::new(|_| {}));
    let mut worker = Worker::new(
        ram.clone(),
        rx,
        tx,
        interrupt.clone(),
        Arc::new(Mutex::new(Box::new(echo))),
    );
    for i in 0..rounds {
        worker.wake(Wake::Ready(usize::from(i % 3)));
        if worker.is_broken() {
            assert!(
                interrupt.needs_reset(),
                "a broken queue must mark the device"
            );
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    /// The frame fuzz target's entry point on pseudo-random inputs.
    #[test]
    fn net_frames_survives_random_input() {
        let mut rng = Rng(0x1234_5678_9abc_def1);
        for _ in 0..2000 {
            let len = (rng.next() % 3000) as usize;
            let data: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            net_frames(&data);
        }
        net_frames(&[]);
        net_frames(&[0xff]);
    }

    /// The queue fuzz target's entry point on pseudo-random inputs, biased
    /// towards well-formed rings, so it stays exercised on stable Rust.
    #[test]
    fn net_queues_survives_random_rings() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for _ in 0..3000 {
            let mut data = vec![0u8; 16 + 0x6000];
            for b in data.iter_mut() {
                *b = rng.next() as u8;
            }
            if !rng.next().is_multiple_of(4) {
                // 16 entries, relocated addresses; RX rings at 0x0000,
                // 0x0800, 0x1000; TX rings at 0x2000, 0x2800, 0x3000.
                data[0] = (data[0] & 1) | 0x40 | 2;
                for (i, off) in [0x0000u16, 0x0800, 0x1000, 0x2000, 0x2800, 0x3000]
                    .into_iter()
                    .enumerate()
                {
                    data[1 + 2 * i..3 + 2 * i].copy_from_slice(&off.to_le_bytes());
                }
                for ring in [0x0000usize, 0x2000] {
                    let avail = 16 + ring + 0x800;
                    data[avail + 2] = (rng.next() % 20) as u8;
                    data[avail + 3] = 0;
                    for i in 0..16 {
                        data[avail + 4 + 2 * i] = (rng.next() % 16) as u8;
                        data[avail + 5 + 2 * i] = 0;
                    }
                    for i in 0..16 {
                        let d = 16 + ring + 16 * i;
                        data[d + 12] &= 7;
                        data[d + 13] = 0;
                        data[d + 14] &= 15;
                        data[d + 15] = 0;
                        if rng.next().is_multiple_of(2) {
                            data[d + 8..d + 12]
                                .copy_from_slice(&((rng.next() % 2048) as u32).to_le_bytes());
                        }
                    }
                }
            }
            net_queues(&data);
        }
        net_queues(&[]);
        net_queues(&[0xff; 15]);
    }
}
