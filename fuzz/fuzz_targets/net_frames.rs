//! Feed arbitrary Ethernet frames to user-mode networking as a guest
//! would send them (ARP, IPv4, UDP, TCP, DHCP, garbage): every input must
//! be dropped or answered without a panic or a hang. The network runs
//! with `restrict=on`, so no input opens a host connection. See
//! `vireo_net::fuzzing::net_frames` for the input layout.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    vireo_net::fuzzing::net_frames(data);
});
