//! Drive virtio-rng request processing with arbitrary guest memory and
//! rings: descriptor loops, indirect tables, readable buffers, addresses
//! outside RAM, zero and huge lengths, runaway avail indexes, rings that
//! overlap. Every input must end (no hang) without a panic, writing only
//! guest RAM; a broken ring marks the device DEVICE_NEEDS_RESET. See
//! `vireo_virtio::rng::fuzz::case` for the input layout.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    vireo_virtio::rng::fuzz::rng_requests(data);
});
