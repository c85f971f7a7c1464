//! Integration tests of the `vireo` binary: one test binary for the crate,
//! one module per area.
//!
//! Set `VIREO_BIN` to test a prebuilt `vireo` instead of the one Cargo
//! builds for this test.

mod asm;
mod cli;
mod lifecycle;
mod linux;
mod virtio_blk;
mod virtio_misc;
mod virtio_net;
