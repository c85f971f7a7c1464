//! The VM generation ID (devicetree binding `microsoft,vmgenid`).
//!
//! A 128-bit ID that changes whenever the VM starts running from a copy of
//! its state (a clone restored from a snapshot). Linux's `vmgenid` driver
//! reads it at probe and mixes it into the RNG; on the notification
//! interrupt it reads it again and, when it changed, reseeds the kernel RNG
//! (`add_vmfork_randomness`) and sends a uevent, so that clones of one
//! snapshot do not share random state.
//!
//! | offset        | register                                         |
//! | ------------- | ------------------------------------------------ |
//! | 0x00..0x10    | the ID, bytes in the order stored (read only)    |
//! | 0x10..0x1000  | reserved: reads 0                                |
//!
//! Reads of 1, 2, 4 or 8 bytes at any offset see the bytes at that offset,
//! little-endian (the driver copies the region with a plain `memcpy`);
//! writes are ignored.
//!
//! The notification is a level on a PLIC source, and PLIC sources are
//! level-triggered: [`VmGenId::regenerate`] raises the line, and the line
//! drops when the guest reads any byte of the ID (its interrupt handler
//! does exactly that), or at the next [`VmGenId::regenerate`] or
//! [`VmGenId::set_id`]. A line that only pulsed could be lost, and a line
//! that stayed high would re-raise the interrupt forever after each
//! completion; "high until the guest has looked" is neither.

use crate::{IrqLine, StateError};
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};
use vireo_memory::MmioDevice;

/// Size of the VM generation ID's MMIO window.
pub const VMGENID_SIZE: u64 = 0x1000;

/// Length of the generation ID in bytes (at the start of the window).
pub const VMGENID_ID_LEN: usize = 16;

/// The guest-visible state of a [`VmGenId`], as plain data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VmGenIdSnapshot {
    /// The generation ID, bytes in the order the guest reads them.
    pub id: [u8; VMGENID_ID_LEN],
}

struct State {
    id: [u8; VMGENID_ID_LEN],
    /// Level of the notification line.
    irq_level: bool,
}

/// The VM generation ID device.
pub struct VmGenId {
    state: Mutex<State>,
    irq: IrqLine,
}

/// One `getrandom(2)` call into `buf`: the number of bytes written.
fn getrandom(buf: &mut [u8]) -> std::io::Result<usize> {
    // SAFETY: the kernel writes at most `buf.len()` bytes into `buf`, which
    // is a valid, exclusively borrowed buffer.
    let n = unsafe { libc::getrandom(buf.as_mut_ptr().cast(), buf.len(), 0) };
    if n < 0 {
        Err(std::io::Error::last_os_error())
    } else {
        Ok(n as usize)
    }
}

/// Last resort when the host has no randomness to give: unique (time,
/// process, counter), not unpredictable. The ID only has to differ between
/// clones; the guest does not credit it as entropy.
fn fallback_id() -> [u8; VMGENID_ID_LEN] {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut x = nanos ^ (u64::from(std::process::id()) << 32) ^ count.rotate_left(17);
    let mut id = [0u8; VMGENID_ID_LEN];
    for chunk in id.chunks_mut(8) {
        // splitmix64
        x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        chunk.copy_from_slice(&z.to_le_bytes());
    }
    id
}

/// A fresh random ID from the host: `getrandom(2)`, else `/dev/urandom`,
/// else [`fallback_id`]. Never fails.
fn random_id() -> [u8; VMGENID_ID_LEN] {
    let mut id = [0u8; VMGENID_ID_LEN];
    let mut done = 0;
    while done < id.len() {
        match getrandom(&mut id[done..]) {
            Ok(n) => done += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    if done == id.len() {
        return id;
    }
    match File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut id)) {
        Ok(()) => id,
        Err(_) => fallback_id(),
    }
}

impl VmGenId {
    /// A device with a fresh random ID from the host, notifying the guest
    /// through `irq`.
    pub fn new(irq: IrqLine) -> VmGenId {
        VmGenId {
            state: Mutex::new(State {
                id: random_id(),
                irq_level: false,
            }),
            irq,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Drive the line to `level`, on change only (called with the lock
    /// held, so that concurrent updates cannot reorder levels).
    fn set_line(&self, s: &mut State, level: bool) {
        if s.irq_level != level {
            s.irq_level = level;
            (self.irq)(level);
        }
    }

    /// The current generation ID.
    pub fn id(&self) -> [u8; VMGENID_ID_LEN] {
        self.lock().id
    }

    /// Set the ID without notifying the guest (restoring a snapshot);
    /// drops a notification the guest has not read yet.
    pub fn set_id(&self, id: [u8; VMGENID_ID_LEN]) {
        let mut s = self.lock();
        s.id = id;
        self.set_line(&mut s, false);
    }

    /// Give the VM a new random ID and notify the guest: the line goes high
    /// until the guest reads the ID (see the module comment). Call this
    /// when the VM runs from a copy of its state, e.g. after restoring a
    /// snapshot as a clone.
    pub fn regenerate(&self) {
        let id = random_id();
        let mut s = self.lock();
        s.id = id;
        // Low, then high: a fresh request at the PLIC even if the previous
        // notification is still unread.
        self.set_line(&mut s, false);
        self.set_line(&mut s, true);
    }

    /// The ID, for a snapshot.
    pub fn save(&self) -> VmGenIdSnapshot {
        VmGenIdSnapshot { id: self.id() }
    }

    /// Load a state saved by [`VmGenId::save`]: the saved ID, with the
    /// notification line low (a notification in flight at the time of the
    /// snapshot is still pending in the saved PLIC state). The caller calls
    /// [`VmGenId::regenerate`] afterwards when the restored VM is a clone.
    /// Every ID is valid, so this cannot fail today; it returns a `Result`
    /// like the other devices.
    pub fn restore(&self, snap: &VmGenIdSnapshot) -> Result<(), StateError> {
        let mut s = self.lock();
        s.id = snap.id;
        // Unconditionally: the line's other end may hold any level.
        s.irq_level = false;
        (self.irq)(false);
        Ok(())
    }
}

impl MmioDevice for VmGenId {
    fn read(&self, offset: u64, size: u8) -> u64 {
        let size = u64::from(size.min(8));
        let mut s = self.lock();
        let mut value = 0u64;
        let mut touched_id = false;
        for i in 0..size {
            let Some(at) = offset.checked_add(i) else {
                break;
            };
            if let Some(&b) = usize::try_from(at).ok().and_then(|a| s.id.get(a)) {
                value |= u64::from(b) << (8 * i);
                touched_id = true;
            }
        }
        if touched_id {
            // The guest has seen the ID: the notification is served.
            self.set_line(&mut s, false);
        }
        value
    }

    fn write(&self, _offset: u64, _size: u8, _value: u64) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicBool;
    use std::sync::Arc;

    fn vmgenid() -> (VmGenId, Arc<AtomicBool>) {
        let irq = Arc::new(AtomicBool::new(false));
        let line = irq.clone();
        (
            VmGenId::new(Box::new(move |l| line.store(l, Ordering::SeqCst))),
            irq,
        )
    }

    const ID: [u8; 16] = [
        0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee,
        0xff,
    ];

    #[test]
    fn new_devices_get_random_distinct_ids() {
        let (a, irq) = vmgenid();
        let (b, _) = vmgenid();

        assert_ne!(a.id(), b.id());
        assert_ne!(a.id(), [0; 16]);
        assert!(!irq.load(Ordering::SeqCst));
    }

    #[test]
    fn reads_of_every_size_see_the_id_bytes() {
        let (d, _) = vmgenid();
        d.set_id(ID);

        for size in [1u8, 2, 4, 8] {
            for offset in 0..16u64 {
                let mut want = 0u64;
                for i in 0..u64::from(size) {
                    let b = ID.get((offset + i) as usize).copied().unwrap_or(0);
                    want |= u64::from(b) << (8 * i);
                }
                assert_eq!(d.read(offset, size), want, "offset {offset} size {size}");
            }
        }
        assert_eq!(d.read(8, 8), 0xffee_ddcc_bbaa_9988);
        assert_eq!(d.read(16, 8), 0);
        assert_eq!(d.read(VMGENID_SIZE - 8, 8), 0);
        assert_eq!(d.read(u64::MAX, 8), 0);
        // memcpy of the region, byte by byte, gives the ID.
        let copy: Vec<u8> = (0..16).map(|i| d.read(i, 1) as u8).collect();
        assert_eq!(copy, ID);
    }

    #[test]
    fn writes_are_ignored() {
        let (d, _) = vmgenid();
        d.set_id(ID);

        d.write(0, 8, u64::MAX);
        d.write(9, 1, 0);

        assert_eq!(d.id(), ID);
    }

    #[test]
    fn regenerate_changes_the_id_and_notifies_until_read() {
        let (d, irq) = vmgenid();
        d.set_id(ID);

        d.regenerate();

        assert_ne!(d.id(), ID);
        assert!(irq.load(Ordering::SeqCst));
        let _ = d.read(16, 4); // outside the ID: no effect
        assert!(irq.load(Ordering::SeqCst));
        let _ = d.read(4, 4);
        assert!(!irq.load(Ordering::SeqCst));

        d.regenerate();
        assert!(irq.load(Ordering::SeqCst));
        d.set_id(ID);
        assert!(!irq.load(Ordering::SeqCst), "set_id drops the line");
        assert_eq!(d.read(0, 1), 0x00);
    }

    #[test]
    fn regenerate_while_unread_gives_a_fresh_edge() {
        let levels = Arc::new(Mutex::new(Vec::new()));
        let log = levels.clone();
        let d = VmGenId::new(Box::new(move |l| log.lock().unwrap().push(l)));

        d.regenerate();
        d.regenerate();

        assert_eq!(*levels.lock().unwrap(), vec![true, false, true]);
    }

    #[test]
    fn save_and_restore() {
        let (d, _) = vmgenid();
        d.set_id(ID);
        let snap = d.save();
        let (e, irq) = vmgenid();
        e.regenerate();
        assert!(irq.load(Ordering::SeqCst));

        e.restore(&snap).unwrap();

        assert_eq!(e.id(), ID);
        assert!(!irq.load(Ordering::SeqCst));
        assert_eq!(
            e.read(0, 8),
            u64::from_le_bytes(ID[..8].try_into().unwrap())
        );
        let json = serde_json::to_string(&snap).unwrap();
        let back: VmGenIdSnapshot = serde_json::from_str(&json).unwrap();
        assert_eq!(back, snap);
    }
}
