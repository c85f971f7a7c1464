//! Drive virtio-net queue processing (transmit, backend, receive) with
//! arbitrary guest memory and rings: descriptor loops, indirect tables,
//! addresses outside RAM, zero and huge lengths, runaway avail indexes.
//! Every input must end without a panic; a broken ring marks the device
//! DEVICE_NEEDS_RESET. See `vireo_net::fuzzing::net_queues` for the input
//! layout.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    vireo_net::fuzzing::net_queues(data);
});
