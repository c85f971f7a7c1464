//! Entry points for the fuzz targets in `fuzz/` (and for the unit tests
//! that run them on stable Rust with pseudo-random inputs). Not part of
//! the API.

use crate::block::{Disk, DriveConfig};
use crate::device::{Interrupt, VirtQueue};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use vireo_memory::GuestRam;
use virtio_queue::{Queue, QueueT};
use vmm_sys_util::eventfd::{EventFd, EFD_NONBLOCK};

/// Guest RAM of the queue fuzzers.
pub const RAM_BASE: u64 = 0x8000_0000;
/// Size of that RAM: small, so that fuzzed addresses often hit its edges.
pub const RAM_SIZE: u64 = 64 << 10;
/// Sectors of the fuzzed disks.
const DISK_SECTORS: usize = 64;

struct Rig {
    ram: Arc<GuestRam>,
    writable: Mutex<Disk>,
    readonly: Mutex<Disk>,
}

fn scratch_disk(name: &str, readonly: bool) -> Disk {
    let path: PathBuf =
        std::env::temp_dir().join(format!("vireo-fuzz-blk-{name}-{}", std::process::id()));
    let data: Vec<u8> = (0..DISK_SECTORS * 512).map(|i| (i % 253) as u8).collect();
    std::fs::write(&path, data).expect("cannot write a scratch disk to the temp directory");
    let mut cfg = DriveConfig::new(&path);
    cfg.readonly = readonly;
    let disk = Disk::open(&cfg).expect("cannot open the scratch disk");
    // The open file keeps the data; the name is not needed any more.
    let _ = std::fs::remove_file(&path);
    disk
}

fn rig() -> &'static Rig {
    static RIG: OnceLock<Rig> = OnceLock::new();
    RIG.get_or_init(|| Rig {
        ram: Arc::new(GuestRam::new(RAM_BASE, RAM_SIZE).expect("cannot map fuzz RAM")),
        writable: Mutex::new(scratch_disk("rw", false)),
        readonly: Mutex::new(scratch_disk("ro", true)),
    })
}

fn le16(d: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([
        d.get(at).copied().unwrap_or(0),
        d.get(at + 1).copied().unwrap_or(0),
    ])
}

/// Run virtio-blk queue processing over guest memory and rings taken from
/// `data`:
///
/// - byte 0: bit 0 `EVENT_IDX`, bit 1 pull descriptor addresses into RAM
///   (so that chains often point at real memory), bit 2 read-only disk,
///   bits 4..8 the queue size (a power of two up to 256);
/// - bytes 1..7: offsets of the descriptor table, avail and used rings;
/// - byte 7: how many times the device is kicked (1..=4);
/// - the rest: the initial contents of guest RAM.
///
/// Must never panic or hang, whatever the input.
pub fn blk_queue(data: &[u8]) {
    let rig = rig();
    let ram = &rig.ram;
    let head = data.get(..8).unwrap_or(&[]);
    let flags = head.first().copied().unwrap_or(0);
    let size = 1u16 << ((flags >> 4) % 9);
    let desc = RAM_BASE + u64::from(le16(head, 1));
    let avail = RAM_BASE + u64::from(le16(head, 3));
    let used = RAM_BASE + u64::from(le16(head, 5));
    let rounds = 1 + head.get(7).copied().unwrap_or(0) % 4;

    let body = data.get(8..).unwrap_or(&[]);
    let n = body.len().min(RAM_SIZE as usize);
    let _ = ram.zero(RAM_BASE, RAM_SIZE);
    let _ = ram.write_bytes(RAM_BASE, &body[..n]);

    let Ok(mut q) = Queue::new(size) else { return };
    q.set_desc_table_address(Some(desc as u32), Some((desc >> 32) as u32));
    q.set_avail_ring_address(Some(avail as u32), Some((avail >> 32) as u32));
    q.set_used_ring_address(Some(used as u32), Some((used >> 32) as u32));
    q.set_event_idx(flags & 1 != 0);
    q.set_ready(true);
    // The transport refuses layouts outside RAM before a device sees them.
    if !q.is_valid(ram.guest_memory()) {
        return;
    }
    if flags & 2 != 0 {
        for i in 0..u64::from(size) {
            let at = desc + 16 * i;
            if let Ok(addr) = ram.read_u64(at) {
                let _ = ram.write_u64(at, RAM_BASE + addr % (RAM_SIZE + 0x800));
            }
        }
    }
    let Ok(kick) = EventFd::new(EFD_NONBLOCK) else {
        return;
    };
    let mut vq = VirtQueue {
        index: 0,
        queue: q,
        kick,
    };
    let irq = Interrupt::new(Box::new(|_| {}));
    let disk = if flags & 4 != 0 {
        &rig.readonly
    } else {
        &rig.writable
    };
    let mut disk = disk.lock().unwrap_or_else(|e| e.into_inner());
    for _ in 0..rounds {
        let r = vq.process(ram, &irq, |chain| disk.handle_chain(ram, chain));
        if r.is_err() {
            assert!(irq.needs_reset(), "a broken queue must mark the device");
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fuzz target's entry point on pseudo-random inputs, biased
    /// towards well-formed rings, so it stays exercised on stable Rust.
    #[test]
    fn blk_queue_survives_random_rings() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..3000 {
            let mut data = vec![0u8; 8 + 0x4000];
            for b in data.iter_mut() {
                *b = next() as u8;
            }
            // Rings at sane, aligned places most of the time.
            if next() % 4 != 0 {
                data[0] = (data[0] & 0x0f) | 0x40 | 2; // 16 entries, relocate
                data[1..3].copy_from_slice(&0x0000u16.to_le_bytes());
                data[3..5].copy_from_slice(&0x0800u16.to_le_bytes());
                data[5..7].copy_from_slice(&0x1000u16.to_le_bytes());
                // avail.idx small, ring entries small.
                let avail = 8 + 0x800;
                data[avail + 2] = (next() % 20) as u8;
                data[avail + 3] = 0;
                for i in 0..16 {
                    data[avail + 4 + 2 * i] = (next() % 16) as u8;
                    data[avail + 5 + 2 * i] = 0;
                }
                // Descriptor flags and next fields mostly valid.
                for i in 0..16 {
                    let d = 8 + 16 * i;
                    data[d + 12] &= 7;
                    data[d + 13] = 0;
                    data[d + 14] &= 15;
                    data[d + 15] = 0;
                    if next() % 2 == 0 {
                        data[d + 8..d + 12]
                            .copy_from_slice(&((next() % 2048) as u32).to_le_bytes());
                    }
                }
            }
            blk_queue(&data);
        }
        blk_queue(&[]);
        blk_queue(&[0xff; 7]);
    }

    /// Found by the fuzzer: the used ring's flags overlap the avail index,
    /// so every (dis/en)abling of notifications moved the avail index and
    /// the device looped forever. Now it is marked broken.
    #[test]
    fn overlapping_rings_do_not_hang() {
        blk_queue(&[
            0x82, 0x00, 0x0c, 0x0a, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x09, 0x00, 0x82, 0x00,
            0x0c, 0x00, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x09, 0x00,
        ]);
    }

    /// Found by the fuzzer: a descriptor at the top of the address space
    /// whose address plus offset overflowed.
    #[test]
    fn descriptors_that_wrap_around_get_an_error() {
        blk_queue(&[
            0x7d, 0x00, 0x00, 0x10, 0x00, 0x0c, 0x7d, 0x00, 0xff, 0xff, 0xf1, 0xff, 0xff, 0xff,
            0xff, 0xff, 0xff, 0x07, 0x00, 0xd9, 0xd2, 0x29, 0x29, 0x29, 0x29, 0x29, 0x69, 0x00,
            0x00, 0x00,
        ]);
    }
}
