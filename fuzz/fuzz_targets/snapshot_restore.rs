//! Restore a machine from an arbitrary VM-state payload (the JSON inside a
//! state file; the file's CRC only protects against accidents, so its
//! content is untrusted). Parsing and every device's validation must
//! refuse bad values with an error, never panic; a state that restores
//! must also save again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::Arc;
use vireo_machine::{Machine, RAM_BASE};
use vireo_memory::GuestRam;
use vireo_vmm::{HostOptions, VmState};

fuzz_target!(|data: &[u8]| {
    let Ok(state) = serde_json::from_slice::<VmState>(data) else {
        return;
    };
    let mut cfg = state.config.clone();
    // Keep the run cheap: small RAM, no host devices.
    cfg.machine_config.mem_size_mib = cfg.machine_config.mem_size_mib.clamp(2, 8);
    cfg.drives.clear();
    cfg.network_interfaces.clear();
    let host = HostOptions {
        rng: state.host.rng,
        virtio_console: None,
        ..HostOptions::default()
    };
    let Ok(mc) = vireo_vmm::config::machine_config(&cfg, &host, false) else {
        return;
    };
    if mc.cpus == 0 || mc.cpus > 4 {
        return;
    }
    let Ok(ram) = GuestRam::new(RAM_BASE, mc.ram_size) else {
        return;
    };
    if let Ok(m) = Machine::restore(
        mc,
        Arc::new(ram),
        &state.machine,
        Box::new(std::io::sink()),
        true,
    ) {
        m.snapshot().expect("a restored machine saves again");
    }
});
