//! Drive virtio-blk queue processing with arbitrary guest memory and rings:
//! descriptor loops, indirect tables, addresses outside RAM, zero and huge
//! lengths, runaway avail indexes. Every input must end (no hang) without
//! a panic; requests the device cannot serve get an error status, and a
//! broken ring marks the device DEVICE_NEEDS_RESET. See
//! `vireo_virtio::fuzzing::blk_queue` for the input layout.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    vireo_virtio::fuzzing::blk_queue(data);
});
