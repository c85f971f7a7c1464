//! The virtio-mmio transport, version 2 (virtio 1.x, no legacy interface).
//!
//! One [`VirtioMmio`] is one 4 KiB slot of the board: the register file of
//! virtio specification 1.2, section 4.2.2, in front of one
//! [`VirtioDevice`]. The transport negotiates features, records the queue
//! layout the driver writes, validates it against guest memory, and
//! activates the device when the driver sets `DRIVER_OK`. A write to
//! `QueueNotify` only signals the queue's eventfd; the device's own I/O
//! thread does the work.
//!
//! # Pause, resume, snapshots
//!
//! The VMM stops the vCPUs first, then calls [`VirtioMmio::pause`] on
//! every transport (any thread but a device's own I/O thread): the
//! device's I/O thread finishes the request it is serving and stops;
//! nothing touches guest memory or raises an interrupt until
//! [`VirtioMmio::resume`], which rebuilds the queues from the register
//! file and the used rings in guest memory (see the `device` module
//! documentation for why that is exact) and restarts the device. The
//! guest sees no change in any register.
//!
//! A snapshot is [`VirtioMmio::save`] while paused (or before the driver
//! started the device): plain data ([`VirtioMmioSnapshot`]). To restore,
//! build the same devices in the same slots in a new process, load guest
//! memory, call [`VirtioMmio::restore`] on each fresh transport, then
//! [`VirtioMmio::resume`] when the vCPUs are about to run.

use crate::device::{
    device_kind, ActivateContext, Interrupt, VirtQueue, VirtioDevice, INT_CONFIG, INT_USED_RING,
    VIRTIO_F_RING_EVENT_IDX, VIRTIO_F_RING_INDIRECT_DESC, VIRTIO_F_VERSION_1,
};
use serde::{Deserialize, Serialize};
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

/// Why [`VirtioMmio::restore`] refused a snapshot. The transport and the
/// device are unchanged when it does.
#[derive(Debug, Error)]
pub enum VirtioStateError {
    /// The slot holds another kind of device.
    #[error("the snapshot has a virtio {found_kind} device (type {found}) where this VM has a virtio {kind} device (type {expected}); configure the same devices in the same order as the snapshotted VM")]
    DeviceType {
        /// This slot's device type.
        expected: u32,
        /// Its short name.
        kind: &'static str,
        /// The snapshot's device type.
        found: u32,
        /// Its short name.
        found_kind: &'static str,
    },
    /// The device has another number of queues.
    #[error("virtio {kind} device: the snapshot has {found} queues, this device has {expected}")]
    QueueCount {
        /// The device's short name.
        kind: &'static str,
        /// This device's queue count.
        expected: usize,
        /// The snapshot's.
        found: usize,
    },
    /// A ready queue of impossible size.
    #[error("virtio {kind} device: queue {index} in the snapshot is ready with size {size}; sizes must be powers of two up to {max}")]
    QueueSize {
        /// The device's short name.
        kind: &'static str,
        /// The queue.
        index: usize,
        /// Its size in the snapshot.
        size: u16,
        /// This device's maximum.
        max: u16,
    },
    /// A device status the transport can never be in.
    #[error(
        "virtio {kind} device: the snapshot's device status {status:#x} is impossible: {reason}"
    )]
    Status {
        /// The device's short name.
        kind: &'static str,
        /// The status in the snapshot.
        status: u32,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The driver accepted features this device does not offer.
    #[error("virtio {kind} device: the snapshot's driver accepted features {acked:#x}, but this device offers {offered:#x} (is it configured differently, e.g. readonly=on?)")]
    Features {
        /// The device's short name.
        kind: &'static str,
        /// The features in the snapshot.
        acked: u64,
        /// What this device offers (with the transport's features).
        offered: u64,
    },
    /// Unknown `InterruptStatus` bits.
    #[error("virtio {kind} device: the snapshot's interrupt status {status:#x} has bits other than used-ring (1) and config-change (2)")]
    InterruptStatus {
        /// The device's short name.
        kind: &'static str,
        /// The status in the snapshot.
        status: u32,
    },
    /// The device is running: pause it first.
    #[error("virtio {kind} device is running; pause it before restoring a snapshot into it")]
    Running {
        /// The device's short name.
        kind: &'static str,
    },
    /// The device refused its own state ([`VirtioDevice::restore_state`]).
    #[error("virtio {kind} device: {message}")]
    Device {
        /// The device's short name.
        kind: &'static str,
        /// What the device said.
        message: String,
    },
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

/// The registers of one queue in a [`VirtioMmioSnapshot`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueRegsSnapshot {
    /// `QueueNum`.
    pub size: u16,
    /// `QueueReady`.
    pub ready: bool,
    /// `QueueDesc` (descriptor table address).
    pub desc: u64,
    /// `QueueDriver` (avail ring address).
    pub driver: u64,
    /// `QueueDevice` (used ring address).
    pub device: u64,
}

impl From<&QueueRegs> for QueueRegsSnapshot {
    fn from(q: &QueueRegs) -> QueueRegsSnapshot {
        QueueRegsSnapshot {
            size: q.size,
            ready: q.ready,
            desc: q.desc,
            driver: q.driver,
            device: q.device,
        }
    }
}

impl From<&QueueRegsSnapshot> for QueueRegs {
    fn from(q: &QueueRegsSnapshot) -> QueueRegs {
        QueueRegs {
            size: q.size,
            ready: q.ready,
            desc: q.desc,
            driver: q.driver,
            device: q.device,
        }
    }
}

/// The state of one virtio-mmio slot, from [`VirtioMmio::save`]: the
/// register file, the interrupt state and the device's own state. The
/// queues' positions are not here: they are in guest memory (the used
/// rings), which the VMM saves with the rest of RAM.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VirtioMmioSnapshot {
    /// The virtio device ID (`TYPE_BLOCK`, ...).
    pub device_type: u32,
    /// `Status` as the driver set it (without `DEVICE_NEEDS_RESET`,
    /// which is `needs_reset`).
    pub status: u32,
    /// The features the driver wrote (accepted once `FEATURES_OK`).
    pub driver_features: u64,
    /// `DeviceFeaturesSel`.
    pub device_features_sel: u32,
    /// `DriverFeaturesSel`.
    pub driver_features_sel: u32,
    /// `QueueSel`.
    pub queue_sel: u32,
    /// One entry per queue of the device.
    pub queues: Vec<QueueRegsSnapshot>,
    /// `InterruptStatus`.
    pub interrupt_status: u32,
    /// `ConfigGeneration`.
    pub config_generation: u32,
    /// The device reported `DEVICE_NEEDS_RESET`.
    pub needs_reset: bool,
    /// The device was started (`DRIVER_OK` accepted).
    pub activated: bool,
    /// Device-specific state ([`VirtioDevice::save_state`]).
    #[serde(default)]
    pub device: serde_json::Value,
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
    /// The driver started the device (it stays true while paused).
    activated: bool,
    /// The device's I/O thread is stopped by [`VirtioMmio::pause`] (or
    /// the transport was restored from an activated snapshot): only with
    /// `activated`.
    paused: bool,
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
                paused: false,
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

    /// A short name of the device kind, for labels: `"block"`, `"net"`,
    /// `"rng"`, `"console"` (`"unknown"` for other types).
    pub fn kind(&self) -> &'static str {
        device_kind(self.device_type)
    }

    /// The device's I/O counters ([`VirtioDevice::metrics`]). Callable
    /// at any time.
    pub fn metrics(&self) -> Vec<(&'static str, u64)> {
        self.lock().device.metrics()
    }

    /// True between [`VirtioMmio::pause`] (or restoring an activated
    /// snapshot) and [`VirtioMmio::resume`].
    pub fn is_paused(&self) -> bool {
        self.lock().paused
    }

    /// Stop the device for a pause or a snapshot: if the driver started
    /// it, stop its I/O thread and wait for it
    /// ([`VirtioDevice::pause`]); requests being served complete first,
    /// backends stay open. Afterwards nothing touches guest memory or
    /// raises this device's interrupt until [`VirtioMmio::resume`].
    ///
    /// The guest sees no register change. `QueueNotify` writes made
    /// while paused are kept (the kick eventfds stay readable), though
    /// the VMM should have stopped the vCPUs first. Call from any thread
    /// except the device's I/O thread. Does nothing when the device is
    /// not started or already paused.
    pub fn pause(&self) {
        let mut inner = self.lock();
        if !inner.activated || inner.paused {
            return;
        }
        inner.device.pause();
        inner.paused = true;
    }

    /// Restart a device stopped by [`VirtioMmio::pause`] or left paused
    /// by [`VirtioMmio::restore`]: rebuild its queues from the register
    /// file, with each ready queue's next avail and next used positions
    /// set to the `idx` of its used ring in guest memory, kick every
    /// ready queue once (buffers made available meanwhile are seen;
    /// earlier kicks are kept), and call [`VirtioDevice::resume`].
    ///
    /// No interrupt is raised: none can be owed, since `InterruptStatus`
    /// survives the pause (and is part of snapshots) and devices decide
    /// on an interrupt in the same handler call that fills the used ring.
    ///
    /// A device that needed a reset before the pause stays stopped until
    /// the driver resets it. Queues that no longer fit guest memory (a
    /// used ring that cannot be read), or a device that cannot restart,
    /// set `DEVICE_NEEDS_RESET`. Does nothing when not paused.
    pub fn resume(&self) {
        let mut inner = self.lock();
        if !inner.paused {
            return;
        }
        inner.paused = false;
        if self.interrupt.needs_reset() {
            return;
        }
        let Some(queues) = self.build_queues(&inner, true) else {
            self.interrupt.set_needs_reset();
            return;
        };
        for (k, regs) in inner.kicks.iter().zip(&inner.queues) {
            if regs.ready {
                let _ = k.write(1);
            }
        }
        let ctx = ActivateContext {
            ram: self.ram.clone(),
            queues,
            interrupt: self.interrupt.clone(),
            acked_features: inner.driver_features,
        };
        if inner.device.resume(ctx).is_err() {
            self.interrupt.set_needs_reset();
        }
    }

    /// The slot's state for a snapshot. Call it while paused (or before
    /// the driver started the device), so that guest memory, the used
    /// rings and the device state agree.
    pub fn save(&self) -> VirtioMmioSnapshot {
        let inner = self.lock();
        VirtioMmioSnapshot {
            device_type: self.device_type,
            status: inner.status,
            driver_features: inner.driver_features,
            device_features_sel: inner.device_features_sel,
            driver_features_sel: inner.driver_features_sel,
            queue_sel: inner.queue_sel,
            queues: inner.queues.iter().map(QueueRegsSnapshot::from).collect(),
            interrupt_status: self.interrupt.status(),
            config_generation: self.interrupt.config_generation(),
            needs_reset: self.interrupt.needs_reset(),
            activated: inner.activated,
            device: inner.device.save_state(),
        }
    }

    /// Put the slot in the state `snap` recorded, before the guest runs.
    /// Meant for a freshly built transport (same device type and queues,
    /// typically in a new process, guest memory already loaded); also
    /// accepted while paused. Everything is checked first (the snapshot
    /// is user input): on error nothing changed.
    ///
    /// Restores the registers, `InterruptStatus` (driving the interrupt
    /// line to match), `ConfigGeneration`, `DEVICE_NEEDS_RESET`, and the
    /// device's own state ([`VirtioDevice::restore_state`]). When the
    /// snapshot's device was started, the transport is left paused:
    /// [`VirtioMmio::resume`] then rebuilds the queues from guest memory
    /// and starts the device. Queue addresses are checked against guest
    /// memory at that point (a bad one sets `DEVICE_NEEDS_RESET`).
    pub fn restore(&self, snap: &VirtioMmioSnapshot) -> Result<(), VirtioStateError> {
        let mut inner = self.lock();
        let kind = self.kind();
        if inner.activated && !inner.paused {
            return Err(VirtioStateError::Running { kind });
        }
        self.check_snapshot(&inner, snap)?;
        inner
            .device
            .restore_state(&snap.device)
            .map_err(|message| VirtioStateError::Device { kind, message })?;
        if inner.activated {
            // Paused in this process: forget host-side data of the old
            // guest (a frame waiting for it); backends stay.
            inner.device.reset();
        }
        inner.status = snap.status;
        inner.driver_features = snap.driver_features;
        inner.device_features_sel = snap.device_features_sel;
        inner.driver_features_sel = snap.driver_features_sel;
        inner.queue_sel = snap.queue_sel;
        for (q, s) in inner.queues.iter_mut().zip(&snap.queues) {
            *q = QueueRegs::from(s);
        }
        inner.activated = snap.activated;
        inner.paused = snap.activated;
        // Notifications of another life; resume kicks every ready queue.
        for k in &inner.kicks {
            let _ = k.read();
        }
        self.interrupt.restore(
            snap.interrupt_status,
            snap.needs_reset,
            snap.config_generation,
        );
        Ok(())
    }

    /// Everything [`VirtioMmio::restore`] checks before it changes
    /// anything.
    fn check_snapshot(
        &self,
        inner: &Inner,
        snap: &VirtioMmioSnapshot,
    ) -> Result<(), VirtioStateError> {
        let kind = self.kind();
        if snap.device_type != self.device_type {
            return Err(VirtioStateError::DeviceType {
                expected: self.device_type,
                kind,
                found: snap.device_type,
                found_kind: device_kind(snap.device_type),
            });
        }
        if snap.queues.len() != inner.max_sizes.len() {
            return Err(VirtioStateError::QueueCount {
                kind,
                expected: inner.max_sizes.len(),
                found: snap.queues.len(),
            });
        }
        for (index, (q, &max)) in snap.queues.iter().zip(&inner.max_sizes).enumerate() {
            // Queues that are not ready hold whatever the driver wrote;
            // ready ones are what the device will use.
            if q.ready && (q.size == 0 || !q.size.is_power_of_two() || q.size > max) {
                return Err(VirtioStateError::QueueSize {
                    kind,
                    index,
                    size: q.size,
                    max,
                });
            }
        }
        let status_err = |reason| VirtioStateError::Status {
            kind,
            status: snap.status,
            reason,
        };
        if snap.status & !0xff != 0 || snap.status & status::DEVICE_NEEDS_RESET != 0 {
            return Err(status_err(
                "it has bits the transport never stores (DEVICE_NEEDS_RESET is saved separately)",
            ));
        }
        let started = status::FEATURES_OK | status::DRIVER_OK;
        if snap.activated && snap.status & started != started {
            return Err(status_err(
                "the device is marked started without FEATURES_OK and DRIVER_OK",
            ));
        }
        if snap.status & status::FEATURES_OK != 0 {
            let offered = Self::offered_features(inner);
            let acked = snap.driver_features;
            if acked & !offered != 0 || acked & VIRTIO_F_VERSION_1 == 0 {
                return Err(VirtioStateError::Features {
                    kind,
                    acked,
                    offered,
                });
            }
        }
        if snap.interrupt_status & !(INT_USED_RING | INT_CONFIG) != 0 {
            return Err(VirtioStateError::InterruptStatus {
                kind,
                status: snap.interrupt_status,
            });
        }
        Ok(())
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

    /// The device's queues as the register file describes them; `None`
    /// when a ready queue is impossible or lies outside guest memory.
    /// With `from_used_ring`, each ready queue's next avail and next used
    /// positions are the `idx` of its used ring (resume: the device had
    /// finished every chain it took, see the `device` module).
    fn build_queues(&self, inner: &Inner, from_used_ring: bool) -> Option<Vec<VirtQueue>> {
        let mem = self.ram.guest_memory();
        let acked = inner.driver_features;
        let mut queues = Vec::with_capacity(inner.queues.len());
        for (i, regs) in inner.queues.iter().enumerate() {
            let max = inner.max_sizes[i];
            let mut q = Queue::new(max).ok()?;
            if regs.ready {
                if regs.size == 0 || !regs.size.is_power_of_two() || regs.size > max {
                    return None;
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
                    return None;
                }
                if from_used_ring {
                    let mut idx = [0u8; 2];
                    self.ram
                        .read_bytes(regs.device.checked_add(2)?, &mut idx)
                        .ok()?;
                    let idx = u16::from_le_bytes(idx);
                    q.set_next_avail(idx);
                    q.set_next_used(idx);
                }
            }
            let kick = inner.kicks[i].try_clone().ok()?;
            queues.push(VirtQueue {
                index: i as u16,
                queue: q,
                kick,
            });
        }
        Some(queues)
    }

    fn activate(&self, inner: &mut Inner) {
        let acked = inner.driver_features;
        let Some(queues) = self.build_queues(inner, false) else {
            self.interrupt.set_needs_reset();
            return;
        };
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
        inner.paused = false;
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
        /// (next avail, next used) of each queue at each activation.
        positions: Vec<Vec<(u16, u16)>>,
        resets: usize,
        queues: Vec<VirtQueue>,
        restored: Vec<serde_json::Value>,
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
            let positions = ctx
                .queues
                .iter()
                .map(|q| (q.queue.next_avail(), q.queue.next_used()))
                .collect();
            log.positions.push(positions);
            log.queues = ctx.queues;
            Ok(())
        }
        fn reset(&mut self) {
            let mut log = self.log.lock().unwrap();
            log.resets += 1;
            log.queues.clear();
        }
        fn save_state(&self) -> serde_json::Value {
            serde_json::json!({ "config": self.config.to_vec() })
        }
        fn restore_state(&mut self, state: &serde_json::Value) -> Result<(), String> {
            if state.get("refuse").is_some() {
                return Err("refused on request".into());
            }
            self.log.lock().unwrap().restored.push(state.clone());
            Ok(())
        }
    }

    struct Rig {
        dev: VirtioMmio,
        log: Arc<Mutex<Log>>,
        line: Arc<AtomicBool>,
    }

    fn rig() -> Rig {
        rig_with_ram(Arc::new(GuestRam::new(RAM_BASE, RAM_SIZE).unwrap()))
    }

    fn rig_with_ram(ram: Arc<GuestRam>) -> Rig {
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

    const DESC: u64 = RAM_BASE;
    const AVAIL: u64 = RAM_BASE + 0x1000;
    const USED: u64 = RAM_BASE + 0x2000;

    /// Every register a driver can read (with queue 0 selected).
    fn registers(rig: &Rig) -> Vec<u32> {
        let mut regs = Vec::new();
        for sel in 0..2 {
            rig.w(REG_DEVICE_FEATURES_SEL, sel);
            regs.push(rig.r(REG_DEVICE_FEATURES));
        }
        for q in 0..2 {
            rig.w(REG_QUEUE_SEL, q);
            regs.push(rig.r(REG_QUEUE_NUM_MAX));
            regs.push(rig.r(REG_QUEUE_READY));
        }
        rig.w(REG_QUEUE_SEL, 0);
        for off in [REG_INTERRUPT_STATUS, REG_STATUS, REG_CONFIG_GENERATION] {
            regs.push(rig.r(off));
        }
        regs
    }

    /// A rig whose driver started the device with queue 0 ready.
    fn started(event_idx: bool) -> Rig {
        let rig = rig();
        let mut features = VIRTIO_F_VERSION_1 | (1 << 5);
        if event_idx {
            features |= VIRTIO_F_RING_EVENT_IDX;
        }
        assert!(rig.negotiate(features));
        rig.setup_queue(0, 16, DESC, AVAIL, USED);
        rig.driver_ok();
        assert_eq!(rig.log.lock().unwrap().activations.len(), 1);
        rig
    }

    fn set_used_idx(ram: &GuestRam, idx: u16) {
        ram.write_bytes(USED + 2, &idx.to_le_bytes()).unwrap();
    }

    #[test]
    fn pause_and_resume_rebuild_the_queues_from_the_used_ring() {
        let rig = started(true);
        let ram = rig.dev.ram.clone();
        // The first activation's kick, consumed by the "device".
        assert_eq!(rig.log.lock().unwrap().queues[0].kick.read().unwrap(), 1);
        let before = registers(&rig);

        rig.dev.pause();
        assert!(rig.dev.is_paused());
        assert_eq!(
            rig.log.lock().unwrap().resets,
            1,
            "the default pause resets"
        );
        // The device finished 5 chains before the pause; the driver
        // notifies once more while paused.
        set_used_idx(&ram, 5);
        rig.w(REG_QUEUE_NOTIFY, 0);
        let paused = registers(&rig);
        rig.dev.pause();
        rig.dev.resume();

        let log = rig.log.lock().unwrap();
        assert!(!rig.dev.is_paused());
        assert_eq!(before, paused, "the guest sees no change when paused");
        assert_eq!(log.activations.len(), 2);
        assert_eq!(log.activations[1], log.activations[0], "same layout");
        assert_eq!(log.positions[0], vec![(0, 0), (0, 0)]);
        assert_eq!(log.positions[1], vec![(5, 5), (0, 0)]);
        assert_eq!(
            log.queues[0].kick.read().unwrap(),
            2,
            "the kick made while paused plus one from resume"
        );
        assert!(log.queues[1].kick.read().is_err(), "queue 1 is not ready");
        assert!(log.queues[0].queue.event_idx_enabled());
        drop(log);
        assert_eq!(registers(&rig), before);
        assert_eq!(rig.r(REG_INTERRUPT_STATUS), 0, "no interrupt from resume");
        // Resume again: nothing to do.
        rig.dev.resume();
        assert_eq!(rig.log.lock().unwrap().activations.len(), 2);
    }

    #[test]
    fn pause_does_nothing_before_driver_ok_and_reset_ends_it() {
        let rig = rig();
        rig.dev.pause();
        assert!(!rig.dev.is_paused());
        rig.dev.resume();
        assert!(rig.log.lock().unwrap().activations.is_empty());

        let rig = started(false);
        rig.dev.pause();
        rig.w(REG_STATUS, 0);
        assert!(!rig.dev.is_paused());
        rig.dev.resume();
        assert_eq!(rig.log.lock().unwrap().activations.len(), 1);
    }

    #[test]
    fn a_device_that_needs_a_reset_stays_stopped_after_resume() {
        let rig = started(false);
        rig.dev.interrupt().set_needs_reset();
        rig.dev.pause();
        rig.dev.resume();
        assert_eq!(rig.log.lock().unwrap().activations.len(), 1);
        assert_ne!(rig.r(REG_STATUS) & status::DEVICE_NEEDS_RESET, 0);
        // The driver's reset brings it back.
        rig.w(REG_STATUS, 0);
        assert!(rig.negotiate(VIRTIO_F_VERSION_1));
        rig.setup_queue(0, 16, DESC, AVAIL, USED);
        rig.driver_ok();
        assert_eq!(rig.log.lock().unwrap().activations.len(), 2);
    }

    #[test]
    fn save_and_restore_into_a_fresh_transport() {
        let a = started(true);
        a.dev.interrupt().signal_used_queue();
        a.dev.interrupt().signal_config_change();
        a.w(REG_INTERRUPT_ACK, INT_CONFIG);
        a.dev.write(0x100, 1, u64::from(b'x'));
        a.dev.pause();
        let snap = a.dev.save();
        let before = registers(&a);
        drop(a);

        let b = rig();
        set_used_idx(&b.dev.ram, 7);
        b.dev.restore(&snap).unwrap();
        let mut resaved = b.dev.save();

        assert!(b.dev.is_paused());
        assert!(b.line.load(Ordering::SeqCst), "the line follows the status");
        assert_eq!(registers(&b), before);
        assert_eq!(
            b.log.lock().unwrap().restored,
            vec![serde_json::json!({ "config": b"xBCDEFGH".to_vec() })]
        );
        resaved.device = snap.device.clone();
        assert_eq!(resaved, snap);
        assert!(b.log.lock().unwrap().activations.is_empty());
        b.w(REG_QUEUE_SEL, 1);
        b.w(REG_QUEUE_NUM, 8);
        assert_eq!(
            b.dev.save().queues[1].size,
            0,
            "layout frozen while started"
        );

        b.dev.resume();
        let log = b.log.lock().unwrap();
        assert_eq!(log.activations.len(), 1);
        assert_eq!(
            log.activations[0].0,
            VIRTIO_F_VERSION_1 | (1 << 5) | VIRTIO_F_RING_EVENT_IDX
        );
        assert_eq!(log.positions[0][0], (7, 7));
        assert_eq!(log.queues[0].kick.read().unwrap(), 1);
    }

    #[test]
    fn restoring_a_snapshot_from_before_driver_ok_leaves_the_device_stopped() {
        let a = rig();
        assert!(a.negotiate(VIRTIO_F_VERSION_1));
        a.setup_queue(0, 16, DESC, AVAIL, USED);
        let snap = a.dev.save();
        assert!(!snap.activated);

        let b = rig();
        b.dev.restore(&snap).unwrap();
        assert!(!b.dev.is_paused());
        b.dev.resume();
        assert!(b.log.lock().unwrap().activations.is_empty());
        b.driver_ok();
        assert_eq!(b.log.lock().unwrap().activations.len(), 1);
        assert_eq!(b.log.lock().unwrap().positions[0][0], (0, 0));
    }

    #[test]
    fn restore_refuses_bad_snapshots_and_changes_nothing() {
        let good = {
            let a = started(false);
            a.dev.pause();
            a.dev.save()
        };
        type Edit = fn(&mut VirtioMmioSnapshot);
        let cases: Vec<(Edit, &str)> = vec![
            (|s| s.device_type = 1, "virtio net device (type 1) where this VM has a virtio block device (type 2)"),
            (|s| { s.queues.pop(); }, "the snapshot has 1 queues, this device has 2"),
            (|s| s.queues.push(QueueRegsSnapshot::default()), "the snapshot has 3 queues"),
            (|s| s.queues[0].size = 32, "queue 0 in the snapshot is ready with size 32; sizes must be powers of two up to 16"),
            (|s| s.queues[0].size = 12, "size 12"),
            (|s| s.queues[0].size = 0, "size 0"),
            (|s| s.status |= 0x100, "status 0x10f is impossible"),
            (|s| s.status |= status::DEVICE_NEEDS_RESET, "is impossible"),
            (|s| s.status &= !status::DRIVER_OK, "marked started without FEATURES_OK and DRIVER_OK"),
            (|s| s.driver_features |= 1 << 7, "accepted features 0x1000000a0"),
            (|s| s.driver_features &= !VIRTIO_F_VERSION_1, "accepted features 0x20"),
            (|s| s.interrupt_status = 4, "interrupt status 0x4"),
            (|s| s.device = serde_json::json!({ "refuse": true }), "virtio block device: refused on request"),
        ];
        for (edit, want) in cases {
            let mut snap = good.clone();
            edit(&mut snap);
            // A transport in some state of its own.
            let rig = rig();
            assert!(rig.negotiate(VIRTIO_F_VERSION_1));
            rig.setup_queue(1, 8, DESC, AVAIL, USED);
            rig.dev.interrupt().signal_used_queue();
            let regs = registers(&rig);
            let before = rig.dev.save();

            let err = rig.dev.restore(&snap).unwrap_err().to_string();

            assert!(err.contains(want), "{err:?} should contain {want:?}");
            assert_eq!(rig.dev.save(), before, "unchanged after {err}");
            assert_eq!(registers(&rig), regs);
            assert!(rig.line.load(Ordering::SeqCst));
            assert!(!rig.dev.is_paused());
            assert!(rig.log.lock().unwrap().restored.is_empty());
        }
        // Not-ready queues keep whatever the driver wrote.
        let mut snap = good.clone();
        snap.queues[1].size = 12345;
        rig().dev.restore(&snap).unwrap();
    }

    #[test]
    fn restore_refuses_a_running_device() {
        let rig = started(false);
        let snap = rig.dev.save();
        let err = rig.dev.restore(&snap).unwrap_err();
        assert!(
            matches!(err, VirtioStateError::Running { kind: "block" }),
            "{err}"
        );
        rig.dev.pause();
        rig.dev.restore(&snap).unwrap();
        assert!(rig.dev.is_paused());
    }

    #[test]
    fn a_restored_ring_outside_ram_needs_reset_on_resume() {
        let a = started(false);
        a.dev.pause();
        let mut snap = a.dev.save();
        snap.queues[0].device = RAM_BASE + RAM_SIZE - 8;
        let b = rig();
        b.dev.restore(&snap).unwrap();
        b.dev.resume();
        assert!(b.log.lock().unwrap().activations.is_empty());
        assert_ne!(b.r(REG_STATUS) & status::DEVICE_NEEDS_RESET, 0);
        assert!(b.line.load(Ordering::SeqCst));
    }

    #[test]
    fn snapshots_round_trip_through_json() {
        let rig = started(true);
        rig.dev.interrupt().signal_used_queue();
        rig.dev.pause();
        let snap = rig.dev.save();

        let text = serde_json::to_string_pretty(&snap).unwrap();
        let back: VirtioMmioSnapshot = serde_json::from_str(&text).unwrap();

        assert_eq!(back, snap);
        assert!(text.contains("\"queues\""), "{text}");
        // Large addresses survive (JSON numbers are u64 in serde_json).
        let mut far = snap.clone();
        far.queues[1].desc = u64::MAX - 1;
        let back: VirtioMmioSnapshot =
            serde_json::from_str(&serde_json::to_string(&far).unwrap()).unwrap();
        assert_eq!(back.queues[1].desc, u64::MAX - 1);
        // Garbage is an error, not a panic.
        assert!(serde_json::from_str::<VirtioMmioSnapshot>("{\"device_type\": -1}").is_err());
    }

    #[test]
    fn kind_and_metrics_label_the_device() {
        let rig = rig();
        assert_eq!(rig.dev.kind(), "block");
        assert!(rig.dev.metrics().is_empty(), "the mock keeps no counters");
        assert_eq!(device_kind(1), "net");
        assert_eq!(device_kind(3), "console");
        assert_eq!(device_kind(4), "rng");
        assert_eq!(device_kind(99), "unknown");
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
