//! VM lifecycle for vireo: the control API, pause/resume, snapshots,
//! restore and clones.
//!
//! - [`api`]: the REST API's types, its HTTP server on a Unix socket and
//!   a small client (`vireo ctl`).
//! - [`config`]: from the API's view of a VM to the board configuration.
//! - [`files`]: the snapshot file formats (VM state, guest memory, diffs
//!   and their merge), written atomically.
//! - [`vmm`]: the VMM loop that owns the VM and carries out requests.

pub mod api;
pub mod config;
pub mod files;
pub mod vmm;

pub use config::HostOptions;
pub use vmm::{VmState, Vmm, VmmHandle, VmmHooks};
