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
        let base = match c.snapshot_type {
            SnapshotType::Full => None,
            SnapshotType::Diff => {
                if !ram.dirty_tracking() {
                    return Err(bad("diff snapshots need dirty-page tracking: set track_dirty_pages in PUT /machine-config (or in the snapshot load)"));
                }
                let Some(base) = self.base_memory else {
                    return Err(bad(
                        "a diff snapshot needs a base: take a Full snapshot first",
                    ));
                };
                Some(base)
            }
        };
        let machine = m
            .snapshot()
            .map_err(|e| ApiError::internal(e.to_string()))?;
        let id = random_id();
        let state = VmState {
            vireo_version: env!("CARGO_PKG_VERSION").into(),
            config: self.cfg.clone(),
            host: self.host.clone(),
            memory_id: id,
            machine,
        };
        let payload = serde_json::to_vec(&state).map_err(|e| ApiError::internal(e.to_string()))?;
        // The dirty log: a diff writes its pages, and any snapshot starts
        // a new log (the next diff is relative to this snapshot). The VM
        // is paused, so no store lands between taking it and giving it
        // back: if anything below fails, every page it held is marked
        // dirty again and tracking is as if no snapshot had been tried.
        let log = ram.take_dirty_log();
        // SAFETY: the VM is paused: no vCPU runs and every virtio device
        // is quiesced, so nothing writes guest RAM while we read it.
        let bytes = unsafe { ram.as_slice_while_paused() };
        match write_snapshot_files(c, bytes, log.as_deref(), base, id, &payload) {
            Ok(written) => {
                self.base_memory = Some(id);
                self.lifecycle.snapshot_pages_written = written;
                Ok(())
            }
            Err(e) => {
                if let Some(l) = &log {
                    ram.redirty(l);
                }
                Err(e)
            }
        }
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
        // The board as saved, run the way this process was asked to
        // (engine, JIT threshold, tracing from its command line).
        let host = self.host.for_restore(&state.host);
        let mc = config::machine_config(&cfg, &host, false).map_err(|e| bad(e.to_string()))?;
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
        self.host = host;
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
                    code_pages_dropped: c.stats.code_pages_dropped,
                    tlb_misses: c.stats.tlb_misses,
                    jit_blocks_translated: c.stats.jit_blocks_translated,
                    jit_insns_translated: c.stats.jit_insns_translated,
                    jit_translate_ns: c.stats.jit_translate_ns,
                    jit_code_bytes: c.stats.jit_code_bytes,
                    jit_code_resets: c.stats.jit_code_resets,
                    jit_block_runs: c.stats.jit_block_runs,
                    interp_block_runs: c.stats.interp_block_runs,
                    jit_insns: c.stats.jit_insns,
                    jit_chained: c.stats.jit_chained,
                    jit_fast_dispatch: c.stats.jit_fast_dispatch,
                    jit_slow_exits: c.stats.jit_slow_exits,
                    jit_relinked: c.stats.jit_relinked,
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

/// Write a snapshot's two files: both under temporary names first, and
/// only when both are complete (and synced) renamed into place together
/// (see [`files::commit_all`]). On failure nothing exists under the final
/// names that was not there before, and no temporary file is left.
/// `base`: the memory a diff applies to (`None`: a full snapshot).
/// Returns the pages written to the memory file.
fn write_snapshot_files(
    c: &SnapshotCreate,
    ram: &[u8],
    dirty: Option<&[u64]>,
    base: Option<u64>,
    id: u64,
    state: &[u8],
) -> Result<u64, ApiError> {
    let mem_err = |e: files::FileError| ApiError::internal(format!("memory file: {e}"));
    let (mem, written) = match base {
        None => files::prepare_full_memory(&c.mem_file_path, ram, id),
        Some(base) => {
            files::prepare_diff_memory(&c.mem_file_path, ram, dirty.unwrap_or(&[]), id, base)
        }
    }
    .map_err(mem_err)?;
    let state = files::prepare_state(&c.snapshot_path, state)
        .map_err(|e| ApiError::internal(format!("VM-state file: {e}")))?;
    files::commit_all(vec![mem, state]).map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(written)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{BootSource, MachineConfig as ApiMachine, VmStatePatch};
    use std::path::PathBuf;

    /// A bare-metal program (M-mode, loaded at the RAM base): counts
    /// forever in the doubleword at [`COUNTER`].
    const PROGRAM: [u32; 5] = [
        0x0001_0297, // auipc t0, 0x10
        0x0002_b303, // ld    t1, 0(t0)
        0x0013_0313, // addi  t1, t1, 1
        0x0062_b023, // sd    t1, 0(t0)
        0xff5f_f06f, // j     .-12 (to the ld)
    ];
    const COUNTER: u64 = RAM_BASE + 0x1_0000;
    /// A page the tests write while the VM is paused (page 1024 of 2048).
    const MARKED: u64 = RAM_BASE + 0x40_0000;

    struct Dir(PathBuf);

    impl Dir {
        fn new(name: &str) -> Dir {
            let d = std::env::temp_dir().join(format!("vireo-vmm-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&d);
            std::fs::create_dir_all(&d).expect("temp dir");
            Dir(d)
        }
        fn path(&self, f: &str) -> PathBuf {
            self.0.join(f)
        }
        /// The names in the directory, sorted.
        fn names(&self) -> Vec<String> {
            let mut v: Vec<String> = std::fs::read_dir(&self.0)
                .expect("read dir")
                .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
                .collect();
            v.sort();
            v
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn hooks() -> VmmHooks {
        VmmHooks {
            console: Box::new(|| Box::new(std::io::sink())),
            on_machine: Box::new(|_| {}),
            should_exit: Box::new(|| false),
            no_reboot: true,
        }
    }

    /// A running VM of one vCPU and 8 MiB with dirty-page tracking that
    /// runs [`PROGRAM`].
    fn booted(d: &Dir, host: HostOptions) -> Vmm {
        let bin = d.path("counter.bin");
        let bytes: Vec<u8> = PROGRAM.iter().flat_map(|w| w.to_le_bytes()).collect();
        std::fs::write(&bin, bytes).expect("program");
        let cfg = VmConfig {
            boot_source: BootSource {
                kernel_image_path: Some(bin),
                firmware: Some("none".into()),
                ..Default::default()
            },
            machine_config: ApiMachine {
                vcpu_count: 1,
                mem_size_mib: 8,
                track_dirty_pages: true,
                ..Default::default()
            },
            ..Default::default()
        };
        let mut vmm = Vmm::new(cfg, host, hooks());
        vmm.start().unwrap_or_else(|e| panic!("start: {e}"));
        vmm
    }

    fn call(vmm: &mut Vmm, req: ApiRequest) -> Result<ApiResponse, ApiError> {
        vmm.dispatch(req, Instant::now())
    }

    fn set_state(vmm: &mut Vmm, state: VmRunState) {
        call(
            vmm,
            ApiRequest::PatchVm(VmStatePatch {
                state,
                wall_clock_catch_up: false,
            }),
        )
        .unwrap_or_else(|e| panic!("{state:?}: {e}"));
    }

    fn snapshot(
        vmm: &mut Vmm,
        state: &Path,
        mem: &Path,
        kind: SnapshotType,
    ) -> Result<ApiResponse, ApiError> {
        call(
            vmm,
            ApiRequest::CreateSnapshot(SnapshotCreate {
                snapshot_path: state.into(),
                mem_file_path: mem.into(),
                snapshot_type: kind,
            }),
        )
    }

    fn counter(vmm: &Vmm) -> u64 {
        let m = vmm.machine().expect("a machine");
        m.ram().read_u64(COUNTER).expect("counter")
    }

    /// Wait until the guest's counter moves past `from`.
    fn runs_past(vmm: &Vmm, from: u64) {
        let t = Instant::now();
        while counter(vmm) <= from {
            assert!(
                t.elapsed() < Duration::from_secs(20),
                "the guest does not run (counter stays at {from})"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    fn load(vmm: &mut Vmm, state: &Path, mem: &Path) -> Result<ApiResponse, ApiError> {
        call(
            vmm,
            ApiRequest::LoadSnapshot(SnapshotLoad {
                snapshot_path: state.into(),
                mem_file_path: Some(mem.into()),
                mem_backend: None,
                resume_vm: false,
                track_dirty_pages: true,
                enable_diff_snapshots: false,
                network_overrides: Vec::new(),
                drive_overrides: Vec::new(),
            }),
        )
    }

    /// Snapshots that fail at the state file (while writing it, or when
    /// renaming it into place after the memory file) leave an existing
    /// snapshot under the same names byte for byte, leave no temporary
    /// file, keep the VM paused and resumable, and do not lose the dirty
    /// pages they had taken: the next diff still writes them.
    #[test]
    fn a_failed_snapshot_keeps_the_previous_one_and_the_dirty_pages() {
        let d = Dir::new("failed-snap");
        // The interpreter: this is about the VMM, not the translator.
        let host = HostOptions {
            engine: vireo_hart::Engine::Interp,
            ..HostOptions::default()
        };
        let mut vmm = booted(&d, host);
        runs_past(&vmm, 0);
        set_state(&mut vmm, VmRunState::Paused);
        let (snap, mem) = (d.path("vm.snap"), d.path("vm.mem"));
        snapshot(&mut vmm, &snap, &mem, SnapshotType::Full).expect("the first snapshot");
        let (old_snap, old_mem) = (std::fs::read(&snap).unwrap(), std::fs::read(&mem).unwrap());
        let names = d.names();
        // A page written after the snapshot: the next diff must hold it.
        let ram = vmm.machine().expect("machine").ram().clone();
        ram.write_bytes(MARKED, b"written after the full snapshot")
            .unwrap();

        // (a) The state file cannot be written: its temporary name is
        // taken by a directory. The memory file is complete by then.
        let blocker = files::temp_path(&snap).unwrap();
        std::fs::create_dir(&blocker).unwrap();
        for kind in [SnapshotType::Full, SnapshotType::Diff] {
            let e = snapshot(&mut vmm, &snap, &mem, kind).expect_err("the state file fails");
            assert!(e.message.contains("VM-state file"), "{kind:?}: {e}");
            assert_eq!(std::fs::read(&snap).unwrap(), old_snap, "{kind:?}");
            assert_eq!(std::fs::read(&mem).unwrap(), old_mem, "{kind:?}");
            let mut want = names.clone();
            want.push(blocker.file_name().unwrap().to_string_lossy().into());
            want.sort();
            assert_eq!(d.names(), want, "{kind:?}: files left behind");
        }
        std::fs::remove_dir(&blocker).unwrap();

        // (b) The state file cannot be renamed into place (its final name
        // is a directory) after the memory file replaced the old one: the
        // old memory file is put back.
        let dir_snap = d.path("dir.snap");
        std::fs::create_dir(&dir_snap).unwrap();
        for kind in [SnapshotType::Full, SnapshotType::Diff] {
            let e = snapshot(&mut vmm, &dir_snap, &mem, kind).expect_err("the rename fails");
            assert!(e.message.contains("dir.snap"), "{kind:?}: {e}");
            assert_eq!(std::fs::read(&mem).unwrap(), old_mem, "{kind:?}");
            assert_eq!(std::fs::read(&snap).unwrap(), old_snap, "{kind:?}");
            assert_eq!(std::fs::read_dir(&dir_snap).unwrap().count(), 0);
            let mut want = names.clone();
            want.push("dir.snap".into());
            want.sort();
            assert_eq!(d.names(), want, "{kind:?}: files left behind");
        }
        std::fs::remove_dir(&dir_snap).unwrap();
        assert_eq!(vmm.run, VmRun::Paused);

        // The next diff holds the page written after the full snapshot
        // (and only it: the VM stayed paused), and applies to that full
        // snapshot.
        let (dsnap, dmem) = (d.path("diff.snap"), d.path("diff.mem"));
        snapshot(&mut vmm, &dsnap, &dmem, SnapshotType::Diff).expect("the diff");
        assert_eq!(vmm.lifecycle.snapshot_pages_written, 1);
        let diff = std::fs::read(&dmem).unwrap();
        let hdr = MemHeader::read(&dmem, &std::fs::File::open(&dmem).unwrap()).unwrap();
        let page = ((MARKED - RAM_BASE) / 4096) as usize;
        let bitmap = &diff[hdr.bitmap.0 as usize..][..hdr.bitmap.1 as usize];
        assert_ne!(
            bitmap[page / 8] & (1 << (page % 8)),
            0,
            "the page is in the diff"
        );
        let at = files::MEM_HEADER as usize + page * 4096;
        assert!(diff[at..].starts_with(b"written after the full snapshot"));
        let merged = d.path("merged.mem");
        assert_eq!(files::merge_memory(&mem, &dmem, &merged).unwrap(), 1);

        // The VM still runs.
        let before = counter(&vmm);
        set_state(&mut vmm, VmRunState::Resumed);
        runs_past(&vmm, before);
        set_state(&mut vmm, VmRunState::Paused);
    }

    /// A restored VM runs with the restoring process's engine and JIT
    /// threshold, not the snapshotted process's nor defaults.
    #[test]
    fn a_restore_uses_this_process_engine_and_jit_threshold() {
        use vireo_hart::Engine;
        let d = Dir::new("restore-host");
        for (saved, restoring) in [
            ((Engine::Interp, 5), (Engine::Jit, 3)),
            ((Engine::Jit, 9), (Engine::Interp, 7)),
        ] {
            let host = |(engine, jit_threshold)| HostOptions {
                engine,
                jit_threshold,
                ..HostOptions::default()
            };
            let mut a = booted(&d, host(saved));
            runs_past(&a, 0);
            set_state(&mut a, VmRunState::Paused);
            let (snap, mem) = (d.path("vm.snap"), d.path("vm.mem"));
            snapshot(&mut a, &snap, &mem, SnapshotType::Full).expect("snapshot");
            let at = counter(&a);

            let mut b = Vmm::new(VmConfig::default(), host(restoring), hooks());
            load(&mut b, &snap, &mem).unwrap_or_else(|e| panic!("load: {e}"));
            let m = b.machine().expect("restored");
            assert_eq!(
                (m.config().engine, m.config().jit_threshold),
                restoring,
                "saved with {saved:?}"
            );
            assert!(m.harts().iter().all(|h| h.engine() == restoring.0));
            assert_eq!((b.host.engine, b.host.jit_threshold), restoring);
            assert_eq!(counter(&b), at);
            set_state(&mut b, VmRunState::Resumed);
            runs_past(&b, at);
            set_state(&mut b, VmRunState::Paused);
        }
    }

    /// The metrics carry the translator's counters.
    #[test]
    fn metrics_count_translated_code() {
        let d = Dir::new("metrics");
        let mut vmm = booted(
            &d,
            HostOptions {
                engine: vireo_hart::Engine::Jit,
                jit_threshold: 1,
                ..HostOptions::default()
            },
        );
        runs_past(&vmm, 100_000);
        // Translation runs on the compiler thread (below the vCPU's
        // priority): on a loaded machine the guest may run far before its
        // code arrives. Wait for translated code to have run (the bound
        // only keeps a broken build from hanging).
        let t = Instant::now();
        while vmm.metrics().vcpus[0].jit_insns == 0 {
            assert!(
                t.elapsed() < Duration::from_secs(120),
                "no translated code ran: {:?}",
                vmm.metrics().vcpus[0]
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        set_state(&mut vmm, VmRunState::Paused);
        let m = vmm.metrics();
        let v = &m.vcpus[0];
        assert!(v.instret > 0, "{v:?}");
        assert!(v.jit_blocks_translated > 0, "{v:?}");
        assert!(v.jit_insns_translated > 0, "{v:?}");
        assert!(v.jit_insns > 0 && v.jit_insns <= v.instret, "{v:?}");
        assert!(v.jit_code_bytes > 0, "{v:?}");
    }
}
