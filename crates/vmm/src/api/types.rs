//! The bodies of API requests and responses. Field names follow
//! Firecracker's API where the concept is the same, so that tooling and
//! habits carry over; vireo's additions are documented per field. The
//! same types make up the `--config FILE` document ([`VmConfig`]).

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// `PUT /machine-config`, `GET /machine-config`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MachineConfig {
    /// Number of vCPUs (1..=64).
    pub vcpu_count: u32,
    /// Guest RAM in MiB (at least 2).
    pub mem_size_mib: u64,
    /// Simultaneous multithreading: accepted for Firecracker
    /// compatibility, must be false.
    #[serde(default)]
    pub smt: bool,
    /// Track pages the guest writes so that diff snapshots are possible.
    #[serde(default)]
    pub track_dirty_pages: bool,
}

impl Default for MachineConfig {
    fn default() -> Self {
        MachineConfig {
            vcpu_count: 1,
            mem_size_mib: 512,
            smt: false,
            track_dirty_pages: false,
        }
    }
}

/// `PUT /boot-source`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BootSource {
    /// The kernel: a RISC-V Linux `Image`, an ELF, or a flat binary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kernel_image_path: Option<PathBuf>,
    /// The kernel command line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boot_args: Option<String>,
    /// An initial ramdisk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initrd_path: Option<PathBuf>,
    /// vireo: the M-mode firmware, as `--bios`: `"builtin"` (default: vireo
    /// implements the SBI), `"none"` (bare metal), or a file path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firmware: Option<String>,
}

/// `PUT /drives/{drive_id}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Drive {
    /// Name of the drive; must equal the `{drive_id}` of the path.
    pub drive_id: String,
    /// The image file on the host (raw or qcow2).
    pub path_on_host: PathBuf,
    /// Boot from this drive: vireo appends `root=/dev/vdX` (and `ro` for a
    /// read-only drive) to the command line unless it already has `root=`.
    #[serde(default)]
    pub is_root_device: bool,
    /// The guest may not write.
    #[serde(default)]
    pub is_read_only: bool,
    /// Host caching: `"Unsafe"` or `"Writeback"` (Firecracker's names),
    /// or vireo's `"writethrough"`, `"none"`. Default: writeback.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_type: Option<String>,
    /// vireo: `"raw"` or `"qcow2"`; absent: probed from the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// vireo: the serial number the guest reads (at most 20 bytes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
}

/// `PUT /network-interfaces/{iface_id}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkInterface {
    /// Name of the interface; must equal the `{iface_id}` of the path.
    pub iface_id: String,
    /// A host TAP device. Absent: user-mode networking (NAT, DHCP, DNS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_dev_name: Option<String>,
    /// The guest's MAC address, `aa:bb:cc:dd:ee:ff`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guest_mac: Option<String>,
    /// vireo, user-mode networking only: port forwards,
    /// `tcp:[HOSTADDR]:HOSTPORT-:GUESTPORT` each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hostfwd: Vec<String>,
    /// vireo, user-mode networking only: the guest may not reach the host
    /// or the outside (forwards still work).
    #[serde(default)]
    pub restrict: bool,
}

/// `PUT /actions`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Action {
    /// What to do.
    pub action_type: ActionType,
}

/// The actions of `PUT /actions`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ActionType {
    /// Boot the configured VM.
    InstanceStart,
    /// Firecracker's keyboard reset. The RISC-V virt board has no keyboard
    /// controller, so vireo treats it as `Poweroff`.
    SendCtrlAltDel,
    /// vireo: power the VM off now (disk images are flushed and closed),
    /// as the power button of a board without a guest agent.
    Poweroff,
    /// Accepted for Firecracker compatibility: metrics are always served
    /// live by `GET /metrics`.
    FlushMetrics,
}

/// `PATCH /vm`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VmStatePatch {
    /// The state to go to.
    pub state: VmRunState,
    /// vireo, on `Resumed`: move the guest clock forward by the time spent
    /// paused (wall-clock catch-up). Default false: the guest does not see
    /// the pause.
    #[serde(default)]
    pub wall_clock_catch_up: bool,
}

/// The states of `PATCH /vm`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum VmRunState {
    /// Stop every vCPU at an instruction boundary and quiesce devices.
    Paused,
    /// Continue.
    Resumed,
}

/// `PUT /snapshot/create`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnapshotCreate {
    /// Where the VM-state file goes.
    pub snapshot_path: PathBuf,
    /// Where the guest-memory file goes.
    pub mem_file_path: PathBuf,
    /// `Full` (default) or `Diff` (only pages written since the last
    /// snapshot; needs `track_dirty_pages`).
    #[serde(default)]
    pub snapshot_type: SnapshotType,
}

/// Kinds of snapshot.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SnapshotType {
    /// All of guest memory.
    #[default]
    Full,
    /// Only the pages written since the previous snapshot.
    Diff,
}

/// `PUT /snapshot/load`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnapshotLoad {
    /// The VM-state file.
    pub snapshot_path: PathBuf,
    /// The guest-memory file (Firecracker's older field name; see also
    /// `mem_backend`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mem_file_path: Option<PathBuf>,
    /// The guest-memory backend (Firecracker's newer form); only
    /// `backend_type: "File"` is supported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mem_backend: Option<MemBackend>,
    /// Run the guest right after loading (default: stay paused).
    #[serde(default)]
    pub resume_vm: bool,
    /// Keep tracking dirty pages after the restore, for diff snapshots.
    #[serde(default)]
    pub track_dirty_pages: bool,
    /// Firecracker's older name of `track_dirty_pages`.
    #[serde(default)]
    pub enable_diff_snapshots: bool,
    /// Replace the backend of network interfaces (a clone's own TAP
    /// device, or its own port forwards and MAC address).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub network_overrides: Vec<NetworkOverride>,
    /// vireo: open other disk images than the snapshotted VM had (a
    /// clone's own qcow2 overlay).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub drive_overrides: Vec<DriveOverride>,
}

/// Where guest memory comes from on `PUT /snapshot/load`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemBackend {
    /// The memory file.
    pub backend_path: PathBuf,
    /// Only `"File"` is supported.
    pub backend_type: String,
}

/// One entry of `network_overrides`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkOverride {
    /// Which interface.
    pub iface_id: String,
    /// A host TAP device (absent: keep user-mode networking).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_dev_name: Option<String>,
    /// vireo: the MAC address the device reports from now on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guest_mac: Option<String>,
    /// vireo: port forwards for user-mode networking (replace the saved
    /// ones; a clone needs its own host ports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostfwd: Option<Vec<String>>,
}

/// One entry of `drive_overrides`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DriveOverride {
    /// Which drive.
    pub drive_id: String,
    /// The image to use instead (same size as the saved drive; its format
    /// is probed, so a qcow2 overlay can replace a raw image).
    pub path_on_host: PathBuf,
}

/// `GET /`: what this vireo process is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceInfo {
    /// Always `"vireo"`.
    pub app_name: String,
    /// An identifier of this VMM process (its pid unless configured).
    pub id: String,
    /// `"Not started"`, `"Running"` or `"Paused"` (Firecracker's words).
    pub state: String,
    /// The vireo version.
    pub vmm_version: String,
}

/// `GET /vm/config` and the `--config FILE` document.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VmConfig {
    /// The kernel and its arguments.
    #[serde(rename = "boot-source", default)]
    pub boot_source: BootSource,
    /// vCPUs and memory.
    #[serde(rename = "machine-config", default)]
    pub machine_config: MachineConfig,
    /// Disks, in order (the first is `/dev/vda`).
    #[serde(default)]
    pub drives: Vec<Drive>,
    /// Network cards.
    #[serde(rename = "network-interfaces", default)]
    pub network_interfaces: Vec<NetworkInterface>,
}

/// `GET /metrics`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// `"Not started"`, `"Running"` or `"Paused"`.
    pub state: String,
    /// Milliseconds since the VM started (or was restored).
    pub uptime_ms: u64,
    /// One entry per vCPU.
    pub vcpus: Vec<VcpuMetrics>,
    /// One entry per virtio device.
    pub devices: Vec<DeviceMetrics>,
    /// Lifecycle timings.
    pub lifecycle: LifecycleMetrics,
}

/// Counters of one vCPU.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VcpuMetrics {
    /// Hart id.
    pub id: u32,
    /// Instructions retired.
    pub instret: u64,
    /// Traps taken, all causes.
    pub traps: u64,
    /// Traps by cause name (`"ecall_from_u"`, `"load_page_fault"`,
    /// `"supervisor_timer_interrupt"`, ...), only non-zero ones.
    pub traps_by_cause: std::collections::BTreeMap<String, u64>,
    /// Returns of the run loop by reason (`"wfi"`, `"sbi_call"`, ...).
    pub exits: std::collections::BTreeMap<String, u64>,
    /// Basic blocks decoded into the block cache (by either engine; the
    /// JIT's translations to host code are `jit_blocks_translated`).
    pub blocks_translated: u64,
    /// Block-cache flushes.
    pub cache_flushes: u64,
    /// Code pages whose decoded blocks were dropped one by one after a
    /// write into them (without a flush).
    pub code_pages_dropped: u64,
    /// Software-TLB misses.
    pub tlb_misses: u64,
    /// JIT: regions translated to host code.
    pub jit_blocks_translated: u64,
    /// JIT: guest instructions in the translated regions.
    pub jit_insns_translated: u64,
    /// JIT: time spent translating, in nanoseconds.
    pub jit_translate_ns: u64,
    /// JIT: bytes of host code currently held.
    pub jit_code_bytes: u64,
    /// JIT: times all host code was dropped to bound its size.
    pub jit_code_resets: u64,
    /// Block runs entered through the dispatcher into translated code.
    pub jit_block_runs: u64,
    /// Block runs done entirely by the interpreter.
    pub interp_block_runs: u64,
    /// Instructions retired by translated code.
    pub jit_insns: u64,
    /// Translated regions entered straight from the previous one by a
    /// jump in translated code (direct chaining).
    pub jit_chained: u64,
    /// Translated regions entered by the dispatcher's fast path right
    /// after the previous one returned.
    pub jit_fast_dispatch: u64,
    /// Exits from translated code to the interpreter in mid-region (an
    /// instruction that needs the slow path).
    pub jit_slow_exits: u64,
    /// Translations reused for blocks decoded again after a block-cache
    /// flush (the guest bytes were unchanged).
    pub jit_relinked: u64,
}

/// Counters of one virtio device.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceMetrics {
    /// virtio-mmio slot.
    pub slot: u32,
    /// `"block"`, `"net"`, `"rng"` or `"console"`.
    pub kind: String,
    /// Counter name to value (`read_bytes`, `tx_packets`, ...).
    pub counters: std::collections::BTreeMap<String, u64>,
}

/// Timings of lifecycle operations, in microseconds (0: never happened).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LifecycleMetrics {
    /// The last `PUT /snapshot/load`: from receiving the request to the
    /// first guest instruction executed after it.
    pub restore_to_first_insn_us: u64,
    /// The last `PUT /snapshot/load`: time to load (excluding resume).
    pub snapshot_load_us: u64,
    /// The last `PUT /snapshot/create`.
    pub snapshot_create_us: u64,
    /// Pages written by the last snapshot's memory file.
    pub snapshot_pages_written: u64,
    /// The last pause: from the request until every vCPU stopped.
    pub pause_us: u64,
}

/// The error body of every 4xx/5xx response (Firecracker's shape).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fault {
    /// What went wrong and what to do.
    pub fault_message: String,
}
