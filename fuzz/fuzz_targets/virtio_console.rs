//! Drive virtio-console queue processing (the transmit queue, or the
//! receive queue fed with host input) with arbitrary guest memory and
//! rings: descriptor loops, indirect tables, buffers of the wrong
//! direction, addresses outside RAM, zero and huge lengths, runaway avail
//! indexes. Every input must end (no hang) without a panic, touching only
//! guest RAM. See `vireo_virtio::console::fuzz_queue` for the input layout.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    vireo_virtio::console::fuzz_queue(data);
});
