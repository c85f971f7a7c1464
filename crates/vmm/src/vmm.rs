//! The VMM: one thread that owns the VM and carries out every lifecycle
//! request (from the API socket, the command line or the guest itself)
//! one at a time.
//!
//! ```text
//!   API thread ──Msg::Api──▶ ┐
//!   vCPU thread (power-off) ─Msg::GuestStopped─▶  VmmLoop (owns Machine)
//!   signal handler (poll) ─────────────────────▶ ┘
//! ```
//!
//! States: `NotStarted` (being configured, or waiting for a snapshot) →
//! `Running` ⇄ `Paused`, and the loop ends when the guest stops. Every
//! request names the states it is valid in; others get a 400 that says
//! why.

use crate::api::{
    ActionType, ApiError, ApiHandler, ApiRequest, ApiResponse, DeviceMetrics, InstanceInfo,
    LifecycleMetrics, Metrics, SnapshotCreate, SnapshotLoad, SnapshotType, VcpuMetrics, VmConfig,
    VmRunState,
};
use crate::config::{self, HostOptions};
use crate::files::{self, MemHeader, MemKind};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::Path;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use vireo_machine::{Machine, MachineSnapshot, Outcome, EXIT_NAMES, RAM_BASE};
use vireo_memory::GuestRam;

/// The VM-state file's payload.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct VmState {
    /// The vireo that wrote it.
    pub vireo_version: String,
    /// The VM's configuration (devices must be rebuilt identically).
    pub config: VmConfig,
    /// Command-line-only settings that shape the board.
    pub host: HostOptions,
    /// The id of the memory this state goes with (see [`crate::files`]).
    pub memory_id: u64,
    /// Harts, interrupt controllers, devices, virtqueues.
    pub machine: MachineSnapshot,
}

/// Lifecycle states, in Firecracker's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VmRun {
    /// Configured but not booted (or waiting for a snapshot).
    NotStarted,
    /// vCPUs running.
    Running,
    /// vCPUs stopped, devices quiesced.
    Paused,
}

impl VmRun {
    fn name(self) -> &'static str {
        match self {
            VmRun::NotStarted => "Not started",
            VmRun::Running => "Running",
            VmRun::Paused => "Paused",
        }
    }
}

enum Msg {
    Api(
        ApiRequest,
        Instant,
        mpsc::Sender<Result<ApiResponse, ApiError>>,
    ),
    GuestStopped,
}

/// How the embedding program hooks into the VMM.
pub struct VmmHooks {
    /// Where the serial console of each new machine writes.
    pub console: Box<dyn Fn() -> Box<dyn Write + Send> + Send>,
    /// Called with every machine built (booted or restored): the place to
    /// connect keyboard input and signal handling to it.
    pub on_machine: Box<dyn Fn(&Machine) + Send>,
    /// Polled while idle: true when the process should end (a signal).
    pub should_exit: Box<dyn Fn() -> bool + Send>,
    /// A reboot ends the loop instead of booting again.
    pub no_reboot: bool,
}

/// The handle other threads use to reach the VMM (the API server's
/// [`ApiHandler`]).
#[derive(Clone)]
pub struct VmmHandle {
    tx: Arc<Mutex<mpsc::Sender<Msg>>>,
}

impl ApiHandler for VmmHandle {
    fn handle(&self, req: ApiRequest) -> Result<ApiResponse, ApiError> {
        let (rtx, rrx) = mpsc::channel();
        let sent = self
            .tx
            .lock()
            .map_err(|_| ApiError::internal("the VMM is gone"))?
            .send(Msg::Api(req, Instant::now(), rtx));
        if sent.is_err() {
            return Err(ApiError::internal(
                "the VM has stopped; this vireo is exiting",
            ));
        }
        rrx.recv().unwrap_or_else(|_| {
            Err(ApiError::internal(
                "the VM has stopped; this vireo is exiting",
            ))
        })
    }
}

/// The VMM loop and the VM it owns.
pub struct Vmm {
    rx: mpsc::Receiver<Msg>,
    tx: mpsc::Sender<Msg>,
    hooks: VmmHooks,
    cfg: VmConfig,
    host: HostOptions,
    machine: Option<Machine>,
    run: VmRun,
    started: Instant,
    lifecycle: LifecycleMetrics,
    /// When the last snapshot load request arrived.
    restore_t0: Option<Instant>,
    /// The memory id of the last full or diff snapshot (the base of the
    /// next diff) or of the loaded snapshot.
    base_memory: Option<u64>,
    /// The loop ends with this.
    finished: Option<Outcome>,
    id: String,
}

fn bad(msg: impl Into<String>) -> ApiError {
    ApiError::bad_request(msg)
}

/// A fresh random 64-bit id.
fn random_id() -> u64 {
    let mut b = [0u8; 8];
    // SAFETY: getrandom writes at most `b.len()` bytes into `b`.
    let n = unsafe { libc::getrandom(b.as_mut_ptr().cast(), b.len(), 0) };
    if n != b.len() as isize {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        return t ^ (u64::from(std::process::id()) << 32);
    }
    u64::from_le_bytes(b)
}

/// Names of trap causes for metrics.
fn cause_name(interrupt: bool, code: u64) -> String {
    let n = if interrupt {
        match code {
            1 => "supervisor_software_interrupt",
            3 => "machine_software_interrupt",
            5 => "supervisor_timer_interrupt",
            7 => "machine_timer_interrupt",
            9 => "supervisor_external_interrupt",
            11 => "machine_external_interrupt",
            _ => return format!("interrupt_{code}"),
        }
    } else {
        match code {
            0 => "instruction_address_misaligned",
            1 => "instruction_access_fault",
            2 => "illegal_instruction",
            3 => "breakpoint",
            4 => "load_address_misaligned",
            5 => "load_access_fault",
            6 => "store_address_misaligned",
            7 => "store_access_fault",
            8 => "ecall_from_u",
            9 => "ecall_from_s",
            11 => "ecall_from_m",
            12 => "instruction_page_fault",
            13 => "load_page_fault",
            15 => "store_page_fault",
            _ => return format!("exception_{code}"),
        }
    };
    n.to_string()
}

impl Vmm {
    /// A VMM with `cfg` (possibly incomplete: the API completes it).
    pub fn new(cfg: VmConfig, host: HostOptions, hooks: VmmHooks) -> Vmm {
        let (tx, rx) = mpsc::channel();
        Vmm {
            rx,
            tx,
            hooks,
            cfg,
            host,
            machine: None,
            run: VmRun::NotStarted,
            started: Instant::now(),
            lifecycle: LifecycleMetrics::default(),
            restore_t0: None,
            base_memory: None,
            finished: None,
            id: format!("vireo-{}", std::process::id()),
        }
    }

    /// The handle for the API server.
    pub fn handle(&self) -> VmmHandle {
        VmmHandle {
            tx: Arc::new(Mutex::new(self.tx.clone())),
        }
    }

    /// The machine, if one exists (for register dumps at exit).
    pub fn machine(&self) -> Option<&Machine> {
        self.machine.as_ref()
    }

    /// Boot the configured VM (what `InstanceStart` does).
    pub fn start(&mut self) -> Result<(), ApiError> {
        if self.run != VmRun::NotStarted {
            return Err(bad("the VM has already been started"));
        }
        config::check_ids(&self.cfg).map_err(|e| bad(e.to_string()))?;
        let mc =
            config::machine_config(&self.cfg, &self.host, true).map_err(|e| bad(e.to_string()))?;
        let mut m = Machine::new(mc, (self.hooks.console)()).map_err(|e| bad(e.to_string()))?;
        if self.cfg.machine_config.track_dirty_pages {
            m.ram().set_dirty_tracking(true);
        }
        self.adopt(&mut m);
        m.start().map_err(|e| ApiError::internal(e.to_string()))?;
        self.machine = Some(m);
        self.run = VmRun::Running;
        self.started = Instant::now();
        Ok(())
    }

    fn adopt(&self, m: &mut Machine) {
        let tx = Mutex::new(self.tx.clone());
        m.on_guest_stop(Box::new(move || {
            if let Ok(tx) = tx.lock() {
                let _ = tx.send(Msg::GuestStopped);
            }
        }));
        (self.hooks.on_machine)(m);
    }

    /// Serve requests until the VM stops; returns how it stopped (`None`:
    /// the process was asked to exit before a VM ran to its end).
    pub fn run(&mut self) -> Option<Outcome> {
        loop {
            if let Some(o) = self.finished {
                return Some(o);
            }
            match self.rx.recv_timeout(Duration::from_millis(100)) {
                Ok(Msg::Api(req, t0, reply)) => {
                    let r = self.dispatch(req, t0);
                    let _ = reply.send(r);
                }
                Ok(Msg::GuestStopped) => self.guest_stopped(),
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if (self.hooks.should_exit)() {
                        if let Some(m) = self.machine.as_mut() {
                            if m.is_running() {
                                // The signal path requested a power-off;
                                // GuestStopped follows.
                                continue;
                            }
                            m.power().request(vireo_devices::PowerEvent::Poweroff);
                            return Some(Outcome::Poweroff);
                        }
                        return None;
                    }
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => return None,
            }
        }
    }

    fn guest_stopped(&mut self) {
        let Some(m) = self.machine.as_mut() else {
            return;
        };
        if !m.is_running() {
            return;
        }
        let outcome = m.wait();
        if outcome == Outcome::Reboot && !self.hooks.no_reboot {
            self.machine = None;
            self.run = VmRun::NotStarted;
            if let Err(e) = self.start() {
                eprintln!("vireo: cannot reboot: {}", e.message);
                self.finished = Some(Outcome::Fail(255));
            }
            return;
        }
        self.finished = Some(outcome);
    }

    fn dispatch(&mut self, req: ApiRequest, t0: Instant) -> Result<ApiResponse, ApiError> {
        let not_started = |what: &str, run: VmRun| {
            if run == VmRun::NotStarted {
                Ok(())
            } else {
                Err(bad(format!(
                    "{what} can only be changed before the VM starts (it is {})",
                    run.name()
                )))
            }
        };
        let to_json = |v: &dyn erased::Ser| v.json();
        match req {
            ApiRequest::GetInstanceInfo => Ok(ApiResponse::Json(to_json(&InstanceInfo {
                app_name: "vireo".into(),
                id: self.id.clone(),
                state: self.run.name().into(),
                vmm_version: env!("CARGO_PKG_VERSION").into(),
            }))),
            ApiRequest::GetMachineConfig => {
                Ok(ApiResponse::Json(to_json(&self.cfg.machine_config)))
            }
            ApiRequest::GetVmConfig => Ok(ApiResponse::Json(to_json(&self.cfg))),
            ApiRequest::PutMachineConfig(mc) => {
                not_started("the machine configuration", self.run)?;
                if mc.vcpu_count == 0 || mc.vcpu_count > vireo_machine::board::MAX_CPUS {
                    return Err(bad(format!(
                        "vcpu_count must be between 1 and {}, got {}",
                        vireo_machine::board::MAX_CPUS,
                        mc.vcpu_count
                    )));
                }
                if mc.mem_size_mib < 2 || mc.mem_size_mib > (1 << 20) {
                    return Err(bad(format!(
                        "mem_size_mib must be between 2 and 1048576, got {}",
                        mc.mem_size_mib
                    )));
                }
                if mc.smt {
                    return Err(bad("smt is not supported on RISC-V harts; set it to false"));
                }
                self.cfg.machine_config = mc;
                Ok(ApiResponse::NoContent)
            }
            ApiRequest::PutBootSource(bs) => {
                not_started("the boot source", self.run)?;
                for p in [&bs.kernel_image_path, &bs.initrd_path]
                    .into_iter()
                    .flatten()
                {
                    if !p.exists() {
                        return Err(bad(format!("{} does not exist", p.display())));
                    }
                }
                config::firmware(bs.firmware.as_deref()).map_err(|e| bad(e.to_string()))?;
                self.cfg.boot_source = bs;
                Ok(ApiResponse::NoContent)
            }
            ApiRequest::PutDrive(d) => {
                not_started("drives", self.run)?;
                config::drive_config(&d).map_err(|e| bad(e.to_string()))?;
                if !d.path_on_host.exists() {
                    return Err(bad(format!(
                        "drive {}: {} does not exist",
                        d.drive_id,
                        d.path_on_host.display()
                    )));
                }
                match self
                    .cfg
                    .drives
                    .iter_mut()
                    .find(|x| x.drive_id == d.drive_id)
                {
                    Some(x) => *x = d,
                    None => self.cfg.drives.push(d),
                }
                Ok(ApiResponse::NoContent)
            }
            ApiRequest::PutNetworkInterface(n) => {
                not_started("network interfaces", self.run)?;
                config::net_config(&n).map_err(|e| bad(e.to_string()))?;
                match self
                    .cfg
                    .network_interfaces
                    .iter_mut()
                    .find(|x| x.iface_id == n.iface_id)
                {
                    Some(x) => *x = n,
                    None => self.cfg.network_interfaces.push(n),
                }
                Ok(ApiResponse::NoContent)
            }
            ApiRequest::PutAction(a) => match a.action_type {
                ActionType::InstanceStart => {
                    self.start()?;
                    Ok(ApiResponse::NoContent)
                }
                ActionType::SendCtrlAltDel | ActionType::Poweroff => {
                    let Some(m) = self.machine.as_mut() else {
                        return Err(bad("the VM is not running (start it with InstanceStart)"));
                    };
                    if m.is_running() {
                        m.power().request(vireo_devices::PowerEvent::Poweroff);
                    } else {
                        self.finished = Some(Outcome::Poweroff);
                    }
                    Ok(ApiResponse::NoContent)
                }
                ActionType::FlushMetrics => Ok(ApiResponse::NoContent),
            },
            ApiRequest::PatchVm(p) => {
                let Some(m) = self.machine.as_mut() else {
                    return Err(bad(
                        "the VM is not started: boot it (InstanceStart) or load a snapshot first",
                    ));
                };
                match (p.state, self.run) {
                    (VmRunState::Paused, VmRun::Running) => {
                        let t = Instant::now();
                        m.pause();
                        self.lifecycle.pause_us = t.elapsed().as_micros() as u64;
                        self.run = VmRun::Paused;
                    }
                    (VmRunState::Resumed, VmRun::Paused) => {
                        m.resume(p.wall_clock_catch_up)
                            .map_err(|e| ApiError::internal(e.to_string()))?;
                        self.run = VmRun::Running;
                    }
                    // Already there.
                    _ => {}
                }
                Ok(ApiResponse::NoContent)
            }
            ApiRequest::CreateSnapshot(c) => {
                let t = Instant::now();
                self.create_snapshot(&c)?;
                self.lifecycle.snapshot_create_us = t.elapsed().as_micros() as u64;
                Ok(ApiResponse::NoContent)
            }
            ApiRequest::LoadSnapshot(l) => {
                self.load_snapshot(&l, t0)?;
                Ok(ApiResponse::NoContent)
            }
            ApiRequest::GetMetrics => Ok(ApiResponse::Json(to_json(&self.metrics()))),
        }
    }

    fn create_snapshot(&mut self, c: &SnapshotCreate) -> Result<(), ApiError> {
        if self.run != VmRun::Paused {
            return Err(bad(format!(
                "the VM must be paused to take a snapshot (it is {}): PATCH /vm {{\"state\": \"Paused\"}} first",
                self.run.name()
            )));
        }
        if c.snapshot_path == c.mem_file_path {
            return Err(bad(
                "snapshot_path and mem_file_path must be different files",
            ));
        }
        let Some(m) = self.machine.as_mut() else {
            return Err(bad("no VM"));
        };
        let ram = m.ram().clone();
        let machine = m
            .snapshot()
            .map_err(|e| ApiError::internal(e.to_string()))?;
        let id = random_id();
        // SAFETY: the VM is paused: no vCPU runs and every virtio device
        // is quiesced, so nothing writes guest RAM while we read it.
        let bytes = unsafe { ram.as_slice_while_paused() };
        let written = match c.snapshot_type {
            SnapshotType::Full => {
                let log = ram.take_dirty_log();
                match files::write_full_memory(&c.mem_file_path, bytes, id) {
                    Ok(n) => n,
                    Err(e) => {
                        if let Some(l) = log {
                            ram.redirty(&l);
                        }
                        return Err(ApiError::internal(format!("memory file: {e}")));
                    }
                }
            }
            SnapshotType::Diff => {
                if !ram.dirty_tracking() {
                    return Err(bad("diff snapshots need dirty-page tracking: set track_dirty_pages in PUT /machine-config (or in the snapshot load)"));
                }
                let Some(base) = self.base_memory else {
                    return Err(bad(
                        "a diff snapshot needs a base: take a Full snapshot first",
                    ));
                };
                let log = ram.take_dirty_log().unwrap_or_default();
                match files::write_diff_memory(&c.mem_file_path, bytes, &log, id, base) {
                    Ok(n) => n,
                    Err(e) => {
                        ram.redirty(&log);
                        return Err(ApiError::internal(format!("memory file: {e}")));
                    }
                }
            }
        };
        let state = VmState {
            vireo_version: env!("CARGO_PKG_VERSION").into(),
            config: self.cfg.clone(),
            host: self.host.clone(),
            memory_id: id,
            machine,
        };
        let payload = serde_json::to_vec(&state).map_err(|e| ApiError::internal(e.to_string()))?;
        if let Err(e) = files::write_state(&c.snapshot_path, &payload) {
            // The memory file is complete but has no state: the next diff
            // must still cover these pages relative to the old base.
            let _ = std::fs::remove_file(&c.mem_file_path);
            return Err(ApiError::internal(format!("VM-state file: {e}")));
        }
        self.base_memory = Some(id);
        self.lifecycle.snapshot_pages_written = written;
        Ok(())
    }

    fn load_snapshot(&mut self, l: &SnapshotLoad, t0: Instant) -> Result<(), ApiError> {
        if self.run != VmRun::NotStarted {
            return Err(bad(
                "a snapshot can only be loaded into a vireo whose VM has not started (run `vireo run --api-sock PATH` without a kernel)",
            ));
        }
        let mem_path = match (&l.mem_file_path, &l.mem_backend) {
            (Some(p), None) => p.clone(),
            (None, Some(b)) if b.backend_type == "File" => b.backend_path.clone(),
            (None, Some(b)) => {
                return Err(bad(format!(
                    "mem_backend.backend_type {:?} is not supported (use \"File\")",
                    b.backend_type
                )))
            }
            _ => return Err(bad("give exactly one of mem_file_path and mem_backend")),
        };
        let payload = files::read_state(&l.snapshot_path).map_err(|e| bad(e.to_string()))?;
        let mut state: VmState = serde_json::from_slice(&payload).map_err(|e| {
            bad(format!(
                "{} is corrupt or from an incompatible vireo: {e}",
                l.snapshot_path.display()
            ))
        })?;
        let mut cfg = state.config.clone();
        for o in &l.drive_overrides {
            let Some(d) = cfg.drives.iter_mut().find(|d| d.drive_id == o.drive_id) else {
                return Err(bad(format!(
                    "drive_overrides: the snapshot has no drive {}",
                    o.drive_id
                )));
            };
            d.path_on_host = o.path_on_host.clone();
            // The new image may be of another format (a qcow2 overlay
            // over the raw original): probe it.
            d.format = None;
        }
        for o in &l.network_overrides {
            let Some(n) = cfg
                .network_interfaces
                .iter_mut()
                .find(|n| n.iface_id == o.iface_id)
            else {
                return Err(bad(format!(
                    "network_overrides: the snapshot has no interface {}",
                    o.iface_id
                )));
            };
            if o.host_dev_name.is_some() {
                n.host_dev_name = o.host_dev_name.clone();
            }
            if o.guest_mac.is_some() {
                n.guest_mac = o.guest_mac.clone();
            }
            if let Some(f) = &o.hostfwd {
                n.hostfwd = f.clone();
            }
        }
        let mc =
            config::machine_config(&cfg, &state.host, false).map_err(|e| bad(e.to_string()))?;
        let file = std::fs::File::open(&mem_path)
            .map_err(|e| bad(format!("{}: {e}", mem_path.display())))?;
        let hdr = MemHeader::read(&mem_path, &file).map_err(|e| bad(e.to_string()))?;
        check_memory(&hdr, &state, &mem_path)?;
        let ram = GuestRam::from_file(RAM_BASE, hdr.ram_size, file, files::MEM_HEADER)
            .map_err(|e| ApiError::internal(e.to_string()))?;
        let ram = Arc::new(ram);
        let mut m = Machine::restore(mc, ram, &state.machine, (self.hooks.console)(), true)
            .map_err(|e| bad(e.to_string()))?;
        let track = l.track_dirty_pages || l.enable_diff_snapshots;
        if track {
            m.ram().set_dirty_tracking(true);
        }
        cfg.machine_config.track_dirty_pages = track;
        self.adopt(&mut m);
        self.lifecycle.snapshot_load_us = t0.elapsed().as_micros() as u64;
        self.restore_t0 = Some(t0);
        if l.resume_vm {
            m.resume(false)
                .map_err(|e| ApiError::internal(e.to_string()))?;
            self.run = VmRun::Running;
        } else {
            self.run = VmRun::Paused;
        }
        state.config = cfg.clone();
        self.cfg = cfg;
        self.host = state.host;
        self.base_memory = Some(state.memory_id);
        self.machine = Some(m);
        self.started = Instant::now();
        Ok(())
    }

    fn metrics(&mut self) -> Metrics {
        let mut lifecycle = self.lifecycle.clone();
        let (mut vcpus, mut devices) = (Vec::new(), Vec::new());
        if let Some(m) = &self.machine {
            if let (Some(t0), Some(first)) = (self.restore_t0, m.first_run()) {
                lifecycle.restore_to_first_insn_us =
                    first.saturating_duration_since(t0).as_micros() as u64;
            }
            for (i, c) in m.hart_counters().into_iter().enumerate() {
                vcpus.push(VcpuMetrics {
                    id: i as u32,
                    instret: c.stats.instret,
                    traps: c.stats.traps,
                    traps_by_cause: c
                        .traps_by_cause
                        .iter()
                        .map(|&(irq, code, n)| (cause_name(irq, code), n))
                        .collect(),
                    exits: EXIT_NAMES
                        .iter()
                        .zip(c.exits)
                        .map(|(n, v)| (n.to_string(), v))
                        .collect(),
                    blocks_translated: c.stats.blocks_decoded,
                    cache_flushes: c.stats.cache_flushes,
                    tlb_misses: c.stats.tlb_misses,
                });
            }
            for (slot, d) in m.virtio_devices() {
                devices.push(DeviceMetrics {
                    slot: *slot,
                    kind: d.kind().to_string(),
                    counters: d
                        .metrics()
                        .into_iter()
                        .map(|(k, v)| (k.to_string(), v))
                        .collect(),
                });
            }
        }
        Metrics {
            state: self.run.name().into(),
            uptime_ms: if self.machine.is_some() {
                self.started.elapsed().as_millis() as u64
            } else {
                0
            },
            vcpus,
            devices,
            lifecycle,
        }
    }
}

fn check_memory(hdr: &MemHeader, state: &VmState, path: &Path) -> Result<(), ApiError> {
    if hdr.kind == MemKind::Diff {
        return Err(bad(format!(
            "{} is a diff memory file: merge it onto its base first (`vireo snapshot merge --base BASE.mem --diff {}`), then load with the merged file",
            path.display(),
            path.display()
        )));
    }
    if hdr.id != state.memory_id {
        return Err(bad(format!(
            "{} (memory {:016x}) is not the memory this VM state was saved with (memory {:016x}); for a diff snapshot, merge its memory file onto the base first",
            path.display(),
            hdr.id,
            state.memory_id
        )));
    }
    if hdr.ram_size != state.machine.ram_size {
        return Err(bad(format!(
            "{} holds {} MiB of RAM, the VM state {} MiB",
            path.display(),
            hdr.ram_size >> 20,
            state.machine.ram_size >> 20
        )));
    }
    Ok(())
}

/// Serialization to a JSON value for responses (never fails for our
/// plain types; an error renders as its message).
mod erased {
    pub trait Ser {
        fn json(&self) -> serde_json::Value;
    }
    impl<T: serde::Serialize> Ser for T {
        fn json(&self) -> serde_json::Value {
            serde_json::to_value(self)
                .unwrap_or_else(|e| serde_json::Value::String(format!("serialization failed: {e}")))
        }
    }
}
