//! The virtio-mmio transport, version 2 (virtio 1.x, no legacy interface).
//!
//! One [`VirtioMmio`] is one 4 KiB slot of the board: the register file of
//! virtio specification 1.2, section 4.2.2, in front of one
//! [`VirtioDevice`]. The transport negotiates features, records the queue
//! layout the driver writes, validates it against guest memory, and
//! activates the device when the driver sets `DRIVER_OK`. A write to
//! `QueueNotify` only signals the queue's eventfd; the device's own I/O
//! thread does the work.

use crate::device::{
    ActivateContext, Interrupt, VirtQueue, VirtioDevice, VIRTIO_F_RING_EVENT_IDX,
    VIRTIO_F_RING_INDIRECT_DESC, VIRTIO_F_VERSION_1,
};
use std::io;
use std::sync::{Arc, Mutex, MutexGuard};
use thiserror::Error;
use vireo_devices::IrqLine;
use vireo_memory::{GuestRam, MmioDevice};
use virtio_queue::{Queue, QueueT};
use vmm_sys_util::eventfd::{EventFd, EFD_NONBLOCK};

/// Size of the MMIO window of one device.
pub const MMIO_SIZE: u64 = 0x1000;

/// "virt" in little-endian ASCII.
const MAGIC: u32 = 0x7472_6976;
/// The modern (non-legacy) virtio-mmio interface.
const VERSION: u32 = 2;
/// "VIRE": vireo's vendor ID.
const VENDOR_ID: u32 = 0x4552_4956;
/// Largest queue a device may declare (virtio 1.2, 2.7: 32768).
const MAX_QUEUE_SIZE: u16 = 32768;

// Register offsets (virtio 1.2, 4.2.2).
const REG_MAGIC: u64 = 0x000;
const REG_VERSION: u64 = 0x004;
const REG_DEVICE_ID: u64 = 0x008;
const REG_VENDOR_ID: u64 = 0x00c;
const REG_DEVICE_FEATURES: u64 = 0x010;
const REG_DEVICE_FEATURES_SEL: u64 = 0x014;
const REG_DRIVER_FEATURES: u64 = 0x020;
const REG_DRIVER_FEATURES_SEL: u64 = 0x024;
const REG_QUEUE_SEL: u64 = 0x030;
const REG_QUEUE_NUM_MAX: u64 = 0x034;
const REG_QUEUE_NUM: u64 = 0x038;
const REG_QUEUE_READY: u64 = 0x044;
const REG_QUEUE_NOTIFY: u64 = 0x050;
const REG_INTERRUPT_STATUS: u64 = 0x060;
const REG_INTERRUPT_ACK: u64 = 0x064;
const REG_STATUS: u64 = 0x070;
const REG_QUEUE_DESC_LOW: u64 = 0x080;
const REG_QUEUE_DESC_HIGH: u64 = 0x084;
const REG_QUEUE_DRIVER_LOW: u64 = 0x090;
const REG_QUEUE_DRIVER_HIGH: u64 = 0x094;
const REG_QUEUE_DEVICE_LOW: u64 = 0x0a0;
const REG_QUEUE_DEVICE_HIGH: u64 = 0x0a4;
const REG_SHM_SEL: u64 = 0x0ac;
const REG_SHM_LEN_LOW: u64 = 0x0b0;
const REG_SHM_BASE_HIGH: u64 = 0x0bc;
const REG_CONFIG_GENERATION: u64 = 0x0fc;
/// Start of the device-specific configuration space.
const CONFIG_SPACE: u64 = 0x100;

/// Device status bits (virtio 1.2, 2.1).
pub mod status {
    /// The guest found the device.
    pub const ACKNOWLEDGE: u32 = 1;
    /// The guest has a driver for it.
    pub const DRIVER: u32 = 2;
    /// The driver is set up and ready to drive the device.
    pub const DRIVER_OK: u32 = 4;
    /// Feature negotiation is complete.
    pub const FEATURES_OK: u32 = 8;
    /// The device hit an error and needs a reset.
    pub const DEVICE_NEEDS_RESET: u32 = 0x40;
    /// The driver gave up on the device.
    pub const FAILED: u32 = 0x80;
}

/// Features every device gets from the transport and `virtio-queue`.
const TRANSPORT_FEATURES: u64 =
    VIRTIO_F_VERSION_1 | VIRTIO_F_RING_INDIRECT_DESC | VIRTIO_F_RING_EVENT_IDX;

/// Errors creating a transport.
#[derive(Debug, Error)]
pub enum MmioError {
    /// The device model declared an impossible queue.
    #[error("virtio device type {device_type} declares queue {index} of size {size}; sizes must be powers of two up to 32768 (a device model bug)")]
    BadQueueSize {
        /// The device type.
        device_type: u32,
        /// The queue.
        index: usize,
        /// Its declared maximum size.
        size: u16,
    },
    /// An eventfd could not be created.
    #[error("cannot create a queue notification eventfd (is the process out of file descriptors? raise `ulimit -n`): {0}")]
    EventFd(#[from] io::Error),
}

/// What the driver wrote about one queue.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct QueueRegs {
    size: u16,
    ready: bool,
    desc: u64,
    driver: u64,
    device: u64,
}

struct Inner {
    device: Box<dyn VirtioDevice>,
    max_sizes: Vec<u16>,
    queues: Vec<QueueRegs>,
    /// What the transport writes on `QueueNotify`; clones go to the device.
    kicks: Vec<EventFd>,
    status: u32,
    device_features_sel: u32,
    driver_features_sel: u32,
    driver_features: u64,
    queue_sel: u32,
    activated: bool,
}

/// A virtio-mmio slot holding one device.
pub struct VirtioMmio {
    inner: Mutex<Inner>,
    interrupt: Interrupt,
    ram: Arc<GuestRam>,
    device_type: u32,
}

fn set_half(v: &mut u64, high: bool, value: u32) {
    if high {
        *v = (*v & 0xffff_ffff) | (u64::from(value) << 32);
    } else {
        *v = (*v & !0xffff_ffff) | u64::from(value);
    }
}

impl VirtioMmio {
    /// Put `device` behind a virtio-mmio register file. `irq` is the
    /// device's interrupt line (to the PLIC).
    pub fn new(
        device: Box<dyn VirtioDevice>,
        ram: Arc<GuestRam>,
        irq: IrqLine,
    ) -> Result<VirtioMmio, MmioError> {
        let device_type = device.device_type();
        let max_sizes = device.queue_max_sizes().to_vec();
        for (index, &size) in max_sizes.iter().enumerate() {
            if size == 0 || !size.is_power_of_two() || size > MAX_QUEUE_SIZE {
                return Err(MmioError::BadQueueSize {
                    device_type,
                    index,
                    size,
                });
            }
        }
        let kicks = max_sizes
            .iter()
            .map(|_| EventFd::new(EFD_NONBLOCK))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(VirtioMmio {
            inner: Mutex::new(Inner {
                device,
                queues: vec![QueueRegs::default(); max_sizes.len()],
                max_sizes,
                kicks,
                status: 0,
                device_features_sel: 0,
                driver_features_sel: 0,
                driver_features: 0,
                queue_sel: 0,
                activated: false,
            }),
            interrupt: Interrupt::new(irq),
            ram,
            device_type,
        })
    }

    /// The virtio device ID of the device in this slot.
    pub fn device_type(&self) -> u32 {
        self.device_type
    }

    /// The device's interrupt handle (for tests and diagnostics).
    pub fn interrupt(&self) -> &Interrupt {
        &self.interrupt
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic elsewhere poisoned the lock; the register state is
        // consistent between statements, so carry on.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn offered_features(inner: &Inner) -> u64 {
        inner.device.device_features() | TRANSPORT_FEATURES
    }

    fn read_reg(&self, inner: &Inner, offset: u64) -> u32 {
        let q = inner.queues.get(inner.queue_sel as usize);
        match offset {
            REG_MAGIC => MAGIC,
            REG_VERSION => VERSION,
            REG_DEVICE_ID => self.device_type,
            REG_VENDOR_ID => VENDOR_ID,
            REG_DEVICE_FEATURES => match inner.device_features_sel {
                0 => Self::offered_features(inner) as u32,
                1 => (Self::offered_features(inner) >> 32) as u32,
                _ => 0,
            },
            REG_QUEUE_NUM_MAX => inner
                .max_sizes
                .get(inner.queue_sel as usize)
                .map_or(0, |&s| u32::from(s)),
            REG_QUEUE_READY => q.map_or(0, |q| u32::from(q.ready)),
            REG_INTERRUPT_STATUS => self.interrupt.status(),
            REG_STATUS => {
                let mut s = inner.status;
                if self.interrupt.needs_reset() {
                    s |= status::DEVICE_NEEDS_RESET;
                }
                s
            }
            // No shared memory regions: their length and base read as -1.
            REG_SHM_LEN_LOW..=REG_SHM_BASE_HIGH => u32::MAX,
            REG_CONFIG_GENERATION => self.interrupt.config_generation(),
            _ => 0,
        }
    }

    fn write_reg(&self, inner: &mut Inner, offset: u64, value: u32) {
        let sel = inner.queue_sel as usize;
        // Queue layout may only change while the queue is not ready and
        // the device is not running.
        let queue_writable = !inner.activated && inner.queues.get(sel).is_some_and(|q| !q.ready);
        match offset {
            REG_DEVICE_FEATURES_SEL => inner.device_features_sel = value,
            REG_DRIVER_FEATURES_SEL => inner.driver_features_sel = value,
            // Features are fixed once FEATURES_OK is set.
            REG_DRIVER_FEATURES if inner.status & status::FEATURES_OK == 0 => {
                match inner.driver_features_sel {
                    0 => set_half(&mut inner.driver_features, false, value),
                    1 => set_half(&mut inner.driver_features, true, value),
                    _ => {}
                }
            }
            REG_QUEUE_SEL => inner.queue_sel = value,
            REG_QUEUE_NUM if queue_writable => inner.queues[sel].size = value as u16,
            REG_QUEUE_READY => {
                if let Some(q) = inner.queues.get_mut(sel) {
                    if !inner.activated {
                        q.ready = value & 1 == 1;
                    }
                }
            }
            REG_QUEUE_DESC_LOW | REG_QUEUE_DESC_HIGH if queue_writable => set_half(
                &mut inner.queues[sel].desc,
                offset == REG_QUEUE_DESC_HIGH,
                value,
            ),
            REG_QUEUE_DRIVER_LOW | REG_QUEUE_DRIVER_HIGH if queue_writable => set_half(
                &mut inner.queues[sel].driver,
                offset == REG_QUEUE_DRIVER_HIGH,
                value,
            ),
            REG_QUEUE_DEVICE_LOW | REG_QUEUE_DEVICE_HIGH if queue_writable => set_half(
                &mut inner.queues[sel].device,
                offset == REG_QUEUE_DEVICE_HIGH,
                value,
            ),
            // Without VIRTIO_F_NOTIFICATION_DATA the value is the queue
            // index. Only signal: the I/O thread does the work.
            REG_QUEUE_NOTIFY if inner.activated => {
                if let Some(k) = inner.kicks.get((value & 0xffff) as usize) {
                    let _ = k.write(1);
                }
            }
            REG_INTERRUPT_ACK => self.interrupt.ack(value),
            REG_STATUS => self.write_status(inner, value),
            REG_SHM_SEL => {}
            _ => {}
        }
    }

    fn write_status(&self, inner: &mut Inner, value: u32) {
        if value == 0 {
            self.reset(inner);
            return;
        }
        let old = inner.status;
        let mut new = value & 0xff & !status::DEVICE_NEEDS_RESET;
        // The driver sets bits one step at a time and never clears them
        // (only a reset does); a write that clears bits keeps them.
        new |= old;
        if new & status::FEATURES_OK != 0 && old & status::FEATURES_OK == 0 {
            let offered = Self::offered_features(inner);
            let acked = inner.driver_features;
            let ok = acked & !offered == 0 && acked & VIRTIO_F_VERSION_1 != 0;
            if !ok {
                // Leave FEATURES_OK clear: the driver reads it back and
                // gives up on the device (virtio 1.2, 3.1.1).
                new &= !status::FEATURES_OK;
            }
        }
        if new & status::DRIVER_OK != 0 && old & status::DRIVER_OK == 0 && !inner.activated {
            if new & status::FEATURES_OK == 0 || new & status::FAILED != 0 {
                // DRIVER_OK without negotiated features: the driver broke
                // the protocol.
                new &= !status::DRIVER_OK;
                inner.status = new;
                self.interrupt.set_needs_reset();
                return;
            }
            inner.status = new;
            self.activate(inner);
            return;
        }
        inner.status = new;
    }

    fn activate(&self, inner: &mut Inner) {
        let mem = self.ram.guest_memory();
        let acked = inner.driver_features;
        let mut queues = Vec::with_capacity(inner.queues.len());
        for (i, regs) in inner.queues.iter().enumerate() {
            let max = inner.max_sizes[i];
            let Ok(mut q) = Queue::new(max) else {
                self.interrupt.set_needs_reset();
                return;
            };
            if regs.ready {
                if regs.size == 0 || !regs.size.is_power_of_two() || regs.size > max {
                    self.interrupt.set_needs_reset();
                    return;
                }
                q.set_size(regs.size);
                q.set_desc_table_address(Some(regs.desc as u32), Some((regs.desc >> 32) as u32));
                q.set_avail_ring_address(
                    Some(regs.driver as u32),
                    Some((regs.driver >> 32) as u32),
                );
                q.set_used_ring_address(Some(regs.device as u32), Some((regs.device >> 32) as u32));
                q.set_event_idx(acked & VIRTIO_F_RING_EVENT_IDX != 0);
                q.set_ready(true);
                if !q.is_valid(mem) {
                    self.interrupt.set_needs_reset();
                    return;
                }
            }
            let kick = match inner.kicks[i].try_clone() {
                Ok(k) => k,
                Err(_) => {
                    self.interrupt.set_needs_reset();
                    return;
                }
            };
            queues.push(VirtQueue {
                index: i as u16,
                queue: q,
                kick,
            });
        }
        // Drop notifications from before activation, then kick every
        // ready queue once: the driver may have made buffers available
        // before DRIVER_OK.
        for (k, regs) in inner.kicks.iter().zip(&inner.queues) {
            let _ = k.read();
            if regs.ready {
                let _ = k.write(1);
            }
        }
        let ctx = ActivateContext {
            ram: self.ram.clone(),
            queues,
            interrupt: self.interrupt.clone(),
            acked_features: acked,
        };
        match inner.device.activate(ctx) {
            Ok(()) => inner.activated = true,
            Err(_) => self.interrupt.set_needs_reset(),
        }
    }

    fn reset(&self, inner: &mut Inner) {
        inner.device.reset();
        inner.activated = false;
        inner.status = 0;
        inner.driver_features = 0;
        inner.device_features_sel = 0;
        inner.driver_features_sel = 0;
        inner.queue_sel = 0;
        for q in inner.queues.iter_mut() {
            *q = QueueRegs::default();
        }
        for k in &inner.kicks {
            let _ = k.read();
        }
        self.interrupt.clear();
    }
}

impl MmioDevice for VirtioMmio {
    fn read(&self, offset: u64, size: u8) -> u64 {
        let inner = self.lock();
        if offset >= CONFIG_SPACE {
            let mut buf = [0u8; 8];
            let n = usize::from(size.min(8));
            inner
                .device
                .read_config(offset - CONFIG_SPACE, &mut buf[..n]);
            return u64::from_le_bytes(buf);
        }
        // Registers are 32 bits wide and read with aligned 32-bit accesses.
        if size != 4 || !offset.is_multiple_of(4) {
            return 0;
        }
        u64::from(self.read_reg(&inner, offset))
    }

    fn write(&self, offset: u64, size: u8, value: u64) {
        let mut inner = self.lock();
        if offset >= CONFIG_SPACE {
            let n = usize::from(size.min(8));
            let bytes = value.to_le_bytes();
            inner
                .device
                .write_config(offset - CONFIG_SPACE, &bytes[..n]);
            return;
        }
        if size != 4 || !offset.is_multiple_of(4) {
            return;
        }
        self.write_reg(&mut inner, offset, value as u32);
    }
}

impl Drop for VirtioMmio {
    fn drop(&mut self) {
        // Stop the device's I/O thread before guest memory goes away.
        let inner = self.inner.get_mut().unwrap_or_else(|e| e.into_inner());
        inner.device.reset();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::{ActivateError, INT_CONFIG, INT_USED_RING};
    use std::sync::atomic::{AtomicBool, Ordering};

    const RAM_BASE: u64 = 0x8000_0000;
    const RAM_SIZE: u64 = 0x10_0000;

    /// (ready, size, desc, driver, device) of one queue at activation.
    type QueueLayout = (bool, u16, u64, u64, u64);

    #[derive(Default)]
    struct Log {
        activations: Vec<(u64, Vec<QueueLayout>)>,
        resets: usize,
        queues: Vec<VirtQueue>,
    }

    struct Mock {
        log: Arc<Mutex<Log>>,
        config: [u8; 8],
    }

    impl VirtioDevice for Mock {
        fn device_type(&self) -> u32 {
            2
        }
        fn queue_max_sizes(&self) -> &[u16] {
            &[16, 8]
        }
        fn device_features(&self) -> u64 {
            1 << 5
        }
        fn read_config(&self, offset: u64, data: &mut [u8]) {
            for (i, b) in data.iter_mut().enumerate() {
                *b = self.config.get(offset as usize + i).copied().unwrap_or(0);
            }
        }
        fn write_config(&mut self, offset: u64, data: &[u8]) {
            for (i, b) in data.iter().enumerate() {
                if let Some(c) = self.config.get_mut(offset as usize + i) {
                    *c = *b;
                }
            }
        }
        fn activate(&mut self, ctx: ActivateContext) -> Result<(), ActivateError> {
            let mut log = self.log.lock().unwrap();
            let qs = ctx
                .queues
                .iter()
                .map(|q| {
                    (
                        q.queue.ready(),
                        q.queue.size(),
                        q.queue.desc_table(),
                        q.queue.avail_ring(),
                        q.queue.used_ring(),
                    )
                })
                .collect();
            log.activations.push((ctx.acked_features, qs));
            log.queues = ctx.queues;
            Ok(())
        }
        fn reset(&mut self) {
            let mut log = self.log.lock().unwrap();
            log.resets += 1;
            log.queues.clear();
        }
    }

    struct Rig {
        dev: VirtioMmio,
        log: Arc<Mutex<Log>>,
        line: Arc<AtomicBool>,
    }

    fn rig() -> Rig {
        let ram = Arc::new(GuestRam::new(RAM_BASE, RAM_SIZE).unwrap());
        let log = Arc::new(Mutex::new(Log::default()));
        let line = Arc::new(AtomicBool::new(false));
        let l = line.clone();
        let dev = VirtioMmio::new(
            Box::new(Mock {
                log: log.clone(),
                config: *b"ABCDEFGH",
            }),
            ram,
            Box::new(move |level| l.store(level, Ordering::SeqCst)),
        )
        .unwrap();
        Rig { dev, log, line }
    }

    impl Rig {
        fn r(&self, off: u64) -> u32 {
            self.dev.read(off, 4) as u32
        }
        fn w(&self, off: u64, v: u32) {
            self.dev.write(off, 4, u64::from(v))
        }
        fn negotiate(&self, features: u64) -> bool {
            self.w(REG_STATUS, status::ACKNOWLEDGE);
            self.w(REG_STATUS, status::ACKNOWLEDGE | status::DRIVER);
            self.w(REG_DRIVER_FEATURES_SEL, 0);
            self.w(REG_DRIVER_FEATURES, features as u32);
            self.w(REG_DRIVER_FEATURES_SEL, 1);
            self.w(REG_DRIVER_FEATURES, (features >> 32) as u32);
            self.w(
                REG_STATUS,
                status::ACKNOWLEDGE | status::DRIVER | status::FEATURES_OK,
            );
            self.r(REG_STATUS) & status::FEATURES_OK != 0
        }
        fn setup_queue(&self, sel: u32, size: u32, desc: u64, driver: u64, device: u64) {
            self.w(REG_QUEUE_SEL, sel);
            self.w(REG_QUEUE_NUM, size);
            self.w(REG_QUEUE_DESC_LOW, desc as u32);
            self.w(REG_QUEUE_DESC_HIGH, (desc >> 32) as u32);
            self.w(REG_QUEUE_DRIVER_LOW, driver as u32);
            self.w(REG_QUEUE_DRIVER_HIGH, (driver >> 32) as u32);
            self.w(REG_QUEUE_DEVICE_LOW, device as u32);
            self.w(REG_QUEUE_DEVICE_HIGH, (device >> 32) as u32);
            self.w(REG_QUEUE_READY, 1);
        }
        fn driver_ok(&self) {
            let s = self.r(REG_STATUS);
            self.w(REG_STATUS, s | status::DRIVER_OK);
        }
    }

    #[test]
    fn identifies_as_a_modern_virtio_mmio_device() {
        let rig = rig();
        assert_eq!(rig.r(REG_MAGIC), 0x7472_6976);
        assert_eq!(rig.r(REG_VERSION), 2);
        assert_eq!(rig.r(REG_DEVICE_ID), 2);
        assert_eq!(rig.r(REG_VENDOR_ID), VENDOR_ID);
        rig.w(REG_DEVICE_FEATURES_SEL, 0);
        assert_eq!(
            rig.r(REG_DEVICE_FEATURES),
            (1 << 5) | (1 << 28) | (1 << 29),
            "device bits plus indirect descriptors and EVENT_IDX"
        );
        rig.w(REG_DEVICE_FEATURES_SEL, 1);
        assert_eq!(rig.r(REG_DEVICE_FEATURES), 1, "VIRTIO_F_VERSION_1");
        rig.w(REG_DEVICE_FEATURES_SEL, 7);
        assert_eq!(rig.r(REG_DEVICE_FEATURES), 0);
        rig.w(REG_QUEUE_SEL, 0);
        assert_eq!(rig.r(REG_QUEUE_NUM_MAX), 16);
        rig.w(REG_QUEUE_SEL, 1);
        assert_eq!(rig.r(REG_QUEUE_NUM_MAX), 8);
        rig.w(REG_QUEUE_SEL, 2);
        assert_eq!(rig.r(REG_QUEUE_NUM_MAX), 0, "no such queue");
        assert_eq!(rig.r(REG_SHM_LEN_LOW), u32::MAX, "no shared memory");
    }

    #[test]
    fn config_space_is_byte_addressable() {
        let rig = rig();
        assert_eq!(rig.dev.read(0x100, 1), u64::from(b'A'));
        assert_eq!(
            rig.dev.read(0x102, 2),
            u64::from(u16::from_le_bytes(*b"CD"))
        );
        assert_eq!(rig.dev.read(0x100, 8), u64::from_le_bytes(*b"ABCDEFGH"));
        assert_eq!(
            rig.dev.read(0x106, 4),
            u64::from(u16::from_le_bytes(*b"GH"))
        );
        rig.dev.write(0x101, 1, u64::from(b'z'));
        assert_eq!(
            rig.dev.read(0x100, 2),
            u64::from(u16::from_le_bytes(*b"Az"))
        );
        assert_eq!(rig.dev.read(0xffc, 4), 0);
    }

    #[test]
    fn features_ok_needs_version_1_and_offered_bits_only() {
        let rig = rig();
        assert!(!rig.negotiate(1 << 5), "no VERSION_1: refused");
        rig.w(REG_STATUS, 0);
        assert!(
            !rig.negotiate(VIRTIO_F_VERSION_1 | (1 << 7)),
            "bit 7 not offered"
        );
        rig.w(REG_STATUS, 0);
        assert!(rig.negotiate(VIRTIO_F_VERSION_1 | (1 << 5) | VIRTIO_F_RING_EVENT_IDX));
        // Features are frozen after FEATURES_OK.
        rig.w(REG_DRIVER_FEATURES_SEL, 0);
        rig.w(REG_DRIVER_FEATURES, 0);
        rig.setup_queue(0, 16, RAM_BASE, RAM_BASE + 0x1000, RAM_BASE + 0x2000);
        rig.driver_ok();
        let log = rig.log.lock().unwrap();
        assert_eq!(
            log.activations[0].0,
            VIRTIO_F_VERSION_1 | (1 << 5) | VIRTIO_F_RING_EVENT_IDX
        );
    }

    #[test]
    fn driver_ok_activates_with_the_queue_layout() {
        let rig = rig();
        assert!(rig.negotiate(VIRTIO_F_VERSION_1));
        rig.setup_queue(0, 8, RAM_BASE, RAM_BASE + 0x1000, RAM_BASE + 0x2000);
        rig.driver_ok();
        assert_eq!(
            rig.r(REG_STATUS),
            status::ACKNOWLEDGE | status::DRIVER | status::FEATURES_OK | status::DRIVER_OK
        );
        {
            let log = rig.log.lock().unwrap();
            assert_eq!(log.activations.len(), 1);
            assert_eq!(
                log.activations[0].1,
                vec![
                    (true, 8, RAM_BASE, RAM_BASE + 0x1000, RAM_BASE + 0x2000),
                    (false, 8, 0, 0, 0)
                ]
            );
            // The initial kick so buffers made available early are seen.
            assert_eq!(log.queues[0].kick.read().unwrap(), 1);
            assert!(log.queues[1].kick.read().is_err(), "queue 1 is not ready");
        }
        // Queue notifications reach the device's eventfd, nothing else.
        rig.w(REG_QUEUE_NOTIFY, 0);
        rig.w(REG_QUEUE_NOTIFY, 0);
        rig.w(REG_QUEUE_NOTIFY, 9);
        assert_eq!(rig.log.lock().unwrap().queues[0].kick.read().unwrap(), 2);
        // The layout is frozen while running.
        rig.w(REG_QUEUE_SEL, 0);
        rig.w(REG_QUEUE_DESC_LOW, 0x1234);
        rig.w(REG_QUEUE_READY, 0);
        assert_eq!(rig.r(REG_QUEUE_READY), 1);
    }

    #[test]
    fn interrupts_follow_status_and_ack() {
        let rig = rig();
        let irq = rig.dev.interrupt().clone();
        irq.signal_used_queue();
        assert!(rig.line.load(Ordering::SeqCst));
        assert_eq!(rig.r(REG_INTERRUPT_STATUS), INT_USED_RING);
        let generation = rig.r(REG_CONFIG_GENERATION);
        irq.signal_config_change();
        assert_eq!(rig.r(REG_CONFIG_GENERATION), generation + 1);
        rig.w(REG_INTERRUPT_ACK, INT_USED_RING);
        assert!(rig.line.load(Ordering::SeqCst), "config bit still set");
        rig.w(REG_INTERRUPT_ACK, INT_CONFIG);
        assert!(!rig.line.load(Ordering::SeqCst));
        assert_eq!(rig.r(REG_INTERRUPT_STATUS), 0);
    }

    #[test]
    fn a_queue_outside_ram_needs_reset_instead_of_activating() {
        let rig = rig();
        assert!(rig.negotiate(VIRTIO_F_VERSION_1));
        rig.setup_queue(0, 16, 0x1000, RAM_BASE + 0x1000, RAM_BASE + 0x2000);
        rig.driver_ok();
        assert!(rig.log.lock().unwrap().activations.is_empty());
        assert_ne!(rig.r(REG_STATUS) & status::DEVICE_NEEDS_RESET, 0);
        assert_eq!(rig.r(REG_INTERRUPT_STATUS), INT_CONFIG);
        assert!(rig.line.load(Ordering::SeqCst));
        // A reset clears everything and the device can start over.
        rig.w(REG_STATUS, 0);
        assert_eq!(rig.r(REG_STATUS), 0);
        assert!(!rig.line.load(Ordering::SeqCst));
        assert!(rig.negotiate(VIRTIO_F_VERSION_1));
        rig.setup_queue(0, 16, RAM_BASE, RAM_BASE + 0x1000, RAM_BASE + 0x2000);
        rig.driver_ok();
        assert_eq!(rig.log.lock().unwrap().activations.len(), 1);
    }

    #[test]
    fn bad_queue_sizes_and_layouts_are_refused() {
        for (size, desc, driver, device) in [
            (0, RAM_BASE, RAM_BASE + 0x1000, RAM_BASE + 0x2000),
            (12, RAM_BASE, RAM_BASE + 0x1000, RAM_BASE + 0x2000),
            (32, RAM_BASE, RAM_BASE + 0x1000, RAM_BASE + 0x2000),
            (16, RAM_BASE + 1, RAM_BASE + 0x1000, RAM_BASE + 0x2000),
            (16, RAM_BASE, RAM_BASE + 0x1001, RAM_BASE + 0x2000),
            (16, RAM_BASE, RAM_BASE + 0x1000, RAM_BASE + RAM_SIZE - 8),
            (16, u64::MAX - 15, RAM_BASE + 0x1000, RAM_BASE + 0x2000),
        ] {
            let rig = rig();
            assert!(rig.negotiate(VIRTIO_F_VERSION_1));
            rig.setup_queue(0, size, desc, driver, device);
            rig.driver_ok();
            assert!(
                rig.log.lock().unwrap().activations.is_empty(),
                "size {size} desc {desc:#x} driver {driver:#x} device {device:#x}"
            );
            assert_ne!(rig.r(REG_STATUS) & status::DEVICE_NEEDS_RESET, 0);
        }
    }

    #[test]
    fn driver_ok_without_features_ok_is_a_protocol_error() {
        let rig = rig();
        rig.w(REG_STATUS, status::ACKNOWLEDGE | status::DRIVER);
        rig.w(
            REG_STATUS,
            status::ACKNOWLEDGE | status::DRIVER | status::DRIVER_OK,
        );
        assert!(rig.log.lock().unwrap().activations.is_empty());
        assert_ne!(rig.r(REG_STATUS) & status::DEVICE_NEEDS_RESET, 0);
    }

    #[test]
    fn reset_returns_to_the_initial_state() {
        let rig = rig();
        assert!(rig.negotiate(VIRTIO_F_VERSION_1));
        rig.setup_queue(0, 16, RAM_BASE, RAM_BASE + 0x1000, RAM_BASE + 0x2000);
        rig.driver_ok();
        rig.dev.interrupt().signal_used_queue();
        let resets = rig.log.lock().unwrap().resets;
        rig.w(REG_STATUS, 0);
        assert_eq!(rig.log.lock().unwrap().resets, resets + 1);
        assert_eq!(rig.r(REG_STATUS), 0);
        assert_eq!(rig.r(REG_INTERRUPT_STATUS), 0);
        assert!(!rig.line.load(Ordering::SeqCst));
        rig.w(REG_QUEUE_SEL, 0);
        assert_eq!(rig.r(REG_QUEUE_READY), 0);
        // Notifications after reset go nowhere (and do not panic).
        rig.w(REG_QUEUE_NOTIFY, 0);
    }

    #[test]
    fn any_access_is_harmless() {
        let rig = rig();
        let mut x: u64 = 0x1234_5678_9abc_def1;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let off = (x >> 8) % 0x1000;
            let size = [1u8, 2, 4, 8][(x & 3) as usize];
            if x & 4 == 0 {
                rig.dev.read(off, size);
            } else {
                // Bias towards the interesting registers.
                let off = if x & 8 == 0 { off & 0xfc } else { off };
                rig.dev.write(off, size, x.rotate_left(7));
            }
        }
        // Still a working device after a reset.
        rig.w(REG_STATUS, 0);
        assert_eq!(rig.r(REG_MAGIC), MAGIC);
    }
}
