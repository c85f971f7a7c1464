//! virtio for vireo: the virtio-mmio transport and the device models.
//!
//! - [`device`]: the contract between transport and device
//!   ([`VirtioDevice`], [`ActivateContext`], [`VirtQueue`], [`Interrupt`],
//!   [`IoThread`]). Read its module documentation before writing a device.
//! - [`mmio`]: [`VirtioMmio`], the virtio-mmio register file (version 2)
//!   that maps one device into a board slot.
//! - [`block`]: virtio-blk over raw and qcow2 images.
//! - [`rng`]: virtio-rng; [`console`]: virtio-console (`hvc0`).
//!
//! Pause/resume, snapshots ([`VirtioMmioSnapshot`]) and I/O counters are
//! described in the [`device`] documentation and on [`VirtioMmio`].
//!
//! Split virtqueues (with indirect descriptors and `EVENT_IDX`) come from
//! the rust-vmm `virtio-queue` crate over the `vm-memory` view of guest RAM.

pub mod block;
pub mod console;
pub mod device;
#[doc(hidden)]
pub mod fuzzing;
pub mod mmio;
pub mod rng;

pub use device::{
    device_kind, note_dma_write, note_used_ring, ActivateContext, ActivateError, Interrupt,
    IoThread, QueueError, VirtQueue, VirtioDevice, Wake, INT_CONFIG, INT_USED_RING, TYPE_BLOCK,
    TYPE_CONSOLE, TYPE_NET, TYPE_RNG, VIRTIO_F_RING_EVENT_IDX, VIRTIO_F_RING_INDIRECT_DESC,
    VIRTIO_F_VERSION_1,
};
pub use mmio::{
    MmioError, QueueRegsSnapshot, VirtioMmio, VirtioMmioSnapshot, VirtioStateError, MMIO_SIZE,
};

// Re-exported so device crates use the same versions as the transport.
pub use serde_json;
pub use virtio_queue;
pub use vm_memory;
pub use vmm_sys_util;
