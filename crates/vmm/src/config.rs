//! From the API's view of a VM ([`VmConfig`]: Firecracker-style JSON,
//! also the `--config FILE` document) to the board's
//! [`vireo_machine::MachineConfig`], and back from command-line flags.

use crate::api::{Drive, NetworkInterface, VmConfig};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use thiserror::Error;
use vireo_machine::{Firmware, MachineConfig};
use vireo_net::{BackendConfig, NetConfig};
use vireo_virtio::block::{CacheMode, DriveConfig, ImageFormat};
use vireo_virtio::console::ConsoleBackend;

/// A configuration that cannot become a machine.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ConfigError {
    /// A value is invalid; the message says which and why.
    #[error("{0}")]
    Invalid(String),
}

/// Settings that only the command line sets (not part of the API's
/// resources) but that a snapshot must remember to rebuild the board.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostOptions {
    /// A virtio-rng device (default on).
    pub rng: bool,
    /// A virtio console: `"stdio"` or a file path.
    pub virtio_console: Option<String>,
    /// Trace instructions (not saved in snapshots).
    #[serde(skip)]
    pub trace: bool,
    /// Instruction limit of hart 0 (not saved in snapshots).
    #[serde(skip)]
    pub max_insns: Option<u64>,
    /// The execution engine (a host choice: not saved in snapshots).
    #[serde(skip)]
    pub engine: vireo_hart::Engine,
    /// Runs after which the JIT translates a block (a host choice: not
    /// saved in snapshots).
    #[serde(skip, default = "default_jit_threshold")]
    pub jit_threshold: u32,
}

fn default_jit_threshold() -> u32 {
    vireo_hart::JIT_THRESHOLD
}

impl HostOptions {
    /// The options a VM restored from a snapshot saved with `saved` runs
    /// with in this process (`self`: its command line). What shapes the
    /// board (the devices) is the snapshot's, or the restored state would
    /// not fit; how it runs (engine, JIT threshold, tracing, instruction
    /// limit) is this process's: those are never saved.
    pub fn for_restore(&self, saved: &HostOptions) -> HostOptions {
        // Every field named: a new one must be placed on one side.
        HostOptions {
            rng: saved.rng,
            virtio_console: saved.virtio_console.clone(),
            trace: self.trace,
            max_insns: self.max_insns,
            engine: self.engine,
            jit_threshold: self.jit_threshold,
        }
    }
}

impl Default for HostOptions {
    fn default() -> Self {
        HostOptions {
            rng: true,
            virtio_console: None,
            trace: false,
            max_insns: None,
            engine: vireo_hart::Engine::default(),
            jit_threshold: vireo_hart::JIT_THRESHOLD,
        }
    }
}

fn invalid(msg: impl Into<String>) -> ConfigError {
    ConfigError::Invalid(msg.into())
}

/// The `-drive`-level configuration of an API drive.
pub fn drive_config(d: &Drive) -> Result<DriveConfig, ConfigError> {
    let mut c = DriveConfig::new(&d.path_on_host);
    c.readonly = d.is_read_only;
    c.id = Some(d.drive_id.clone());
    c.serial = d.serial.clone();
    c.format = match d.format.as_deref() {
        None => None,
        Some("raw") => Some(ImageFormat::Raw),
        Some("qcow2") => Some(ImageFormat::Qcow2),
        Some(f) => {
            return Err(invalid(format!(
                "drive {}: format {f:?} is not supported (use \"raw\" or \"qcow2\")",
                d.drive_id
            )))
        }
    };
    c.cache = match d.cache_type.as_deref() {
        None | Some("Writeback") | Some("writeback") => CacheMode::Writeback,
        Some("Unsafe") | Some("unsafe") => CacheMode::Unsafe,
        Some("writethrough") => CacheMode::Writethrough,
        Some("none") => CacheMode::None,
        Some(c) => {
            return Err(invalid(format!(
                "drive {}: cache_type {c:?} is not one of Unsafe, Writeback, writethrough, none",
                d.drive_id
            )))
        }
    };
    Ok(c)
}

/// The API form of a command-line drive.
pub fn drive_from_cli(c: &DriveConfig, index: usize) -> Drive {
    Drive {
        drive_id: c.id.clone().unwrap_or_else(|| format!("drive{index}")),
        path_on_host: c.path.clone(),
        is_root_device: false,
        is_read_only: c.readonly,
        cache_type: Some(
            match c.cache {
                CacheMode::Writeback => "Writeback",
                CacheMode::Unsafe => "Unsafe",
                CacheMode::Writethrough => "writethrough",
                CacheMode::None => "none",
            }
            .into(),
        ),
        format: c.format.map(|f| {
            match f {
                ImageFormat::Raw => "raw",
                ImageFormat::Qcow2 => "qcow2",
            }
            .into()
        }),
        serial: c.serial.clone(),
    }
}

/// The vireo `--net` spec of an API network interface.
pub fn net_spec(n: &NetworkInterface) -> String {
    let mut s = match &n.host_dev_name {
        Some(tap) => format!("tap={tap}"),
        None => {
            let mut s = "user".to_string();
            for f in &n.hostfwd {
                s.push_str(",hostfwd=");
                s.push_str(f);
            }
            if n.restrict {
                s.push_str(",restrict=on");
            }
            s
        }
    };
    if let Some(mac) = &n.guest_mac {
        s.push_str(",mac=");
        s.push_str(mac);
    }
    s
}

/// The network card of an API network interface.
pub fn net_config(n: &NetworkInterface) -> Result<NetConfig, ConfigError> {
    net_spec(n)
        .parse::<NetConfig>()
        .map_err(|e| invalid(format!("network interface {}: {e}", n.iface_id)))
}

/// The API form of a command-line network card.
pub fn net_from_cli(c: &NetConfig, index: usize) -> NetworkInterface {
    let (host_dev_name, hostfwd, restrict) = match &c.backend {
        BackendConfig::Tap { ifname } => (Some(ifname.clone()), Vec::new(), false),
        BackendConfig::User(u) => (
            None,
            u.host_forwards
                .iter()
                .map(|f| format!("tcp:{}-:{}", f.host, f.guest_port))
                .collect(),
            u.restrict,
        ),
    };
    NetworkInterface {
        iface_id: format!("net{index}"),
        host_dev_name,
        guest_mac: c.mac.map(|m| m.to_string()),
        hostfwd,
        restrict,
    }
}

/// Parse `--bios`/`firmware`.
pub fn firmware(spec: Option<&str>) -> Result<Firmware, ConfigError> {
    Ok(match spec {
        None | Some("builtin") | Some("default") => Firmware::Builtin,
        Some("none") => Firmware::None,
        Some(path) => {
            let p = PathBuf::from(path);
            if !p.exists() {
                return Err(invalid(format!(
                    "firmware file {path} does not exist (use `none`, `builtin`, or a path)"
                )));
            }
            Firmware::File(p)
        }
    })
}

/// Build the board configuration of `vm`. `need_kernel`: the VM boots
/// (a restore does not need the kernel file any more).
pub fn machine_config(
    vm: &VmConfig,
    host: &HostOptions,
    need_kernel: bool,
) -> Result<MachineConfig, ConfigError> {
    let mc = &vm.machine_config;
    if mc.smt {
        return Err(invalid(
            "smt is not supported on RISC-V harts; set it to false",
        ));
    }
    let ram_size = mc
        .mem_size_mib
        .checked_mul(1 << 20)
        .ok_or_else(|| invalid("mem_size_mib is too large"))?;
    let bs = &vm.boot_source;
    let firmware = if need_kernel {
        firmware(bs.firmware.as_deref())?
    } else {
        // Restored: only whether vireo is the SBI matters.
        match bs.firmware.as_deref() {
            None | Some("builtin") | Some("default") => Firmware::Builtin,
            Some("none") => Firmware::None,
            Some(p) => Firmware::File(PathBuf::from(p)),
        }
    };
    if need_kernel && bs.kernel_image_path.is_none() && !matches!(firmware, Firmware::File(_)) {
        return Err(invalid(
            "no kernel: set boot-source.kernel_image_path (PUT /boot-source) before starting",
        ));
    }
    let mut cmdline = bs.boot_args.clone().unwrap_or_default();
    let mut drives = Vec::new();
    for (i, d) in vm.drives.iter().enumerate() {
        drives.push(drive_config(d)?);
        if d.is_root_device && !cmdline.split_whitespace().any(|w| w.starts_with("root=")) {
            let dev = (b'a' + i as u8) as char;
            let mode = if d.is_read_only { "ro" } else { "rw" };
            if !cmdline.is_empty() {
                cmdline.push(' ');
            }
            cmdline.push_str(&format!("root=/dev/vd{dev} {mode}"));
        }
    }
    if vm.drives.iter().filter(|d| d.is_root_device).count() > 1 {
        return Err(invalid("only one drive can be the root device"));
    }
    let nets = vm
        .network_interfaces
        .iter()
        .map(net_config)
        .collect::<Result<Vec<_>, _>>()?;
    let virtio_console = match &host.virtio_console {
        None => None,
        Some(s) => Some(ConsoleBackend::parse(s).map_err(invalid)?),
    };
    Ok(MachineConfig {
        ram_size,
        cpus: mc.vcpu_count,
        firmware,
        kernel: bs.kernel_image_path.clone(),
        initrd: bs.initrd_path.clone(),
        cmdline,
        trace: host.trace,
        engine: host.engine,
        jit_threshold: host.jit_threshold,
        max_insns: host.max_insns,
        drives,
        nets,
        rng: host.rng,
        virtio_console,
    })
}

/// Check ids are unique.
pub fn check_ids(vm: &VmConfig) -> Result<(), ConfigError> {
    let mut seen = std::collections::BTreeSet::new();
    for d in &vm.drives {
        if !seen.insert(("drive", d.drive_id.as_str())) {
            return Err(invalid(format!("drive id {} is used twice", d.drive_id)));
        }
    }
    for n in &vm.network_interfaces {
        if !seen.insert(("net", n.iface_id.as_str())) {
            return Err(invalid(format!("iface id {} is used twice", n.iface_id)));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{BootSource, MachineConfig as ApiMachine};

    #[test]
    fn root_drive_adds_root_to_the_command_line() {
        let vm = VmConfig {
            boot_source: BootSource {
                kernel_image_path: Some("/k".into()),
                boot_args: Some("console=ttyS0".into()),
                ..Default::default()
            },
            machine_config: ApiMachine {
                vcpu_count: 2,
                mem_size_mib: 256,
                ..Default::default()
            },
            drives: vec![Drive {
                drive_id: "rootfs".into(),
                path_on_host: "/r.img".into(),
                is_root_device: true,
                is_read_only: true,
                cache_type: None,
                format: None,
                serial: None,
            }],
            network_interfaces: vec![NetworkInterface {
                iface_id: "eth0".into(),
                host_dev_name: None,
                guest_mac: Some("52:54:00:12:34:56".into()),
                hostfwd: vec!["tcp::8080-:80".into()],
                restrict: false,
            }],
        };
        let mc = machine_config(&vm, &HostOptions::default(), true).unwrap();
        assert_eq!(mc.cmdline, "console=ttyS0 root=/dev/vda ro");
        assert_eq!(mc.ram_size, 256 << 20);
        assert_eq!(mc.cpus, 2);
        assert!(mc.drives[0].readonly);
        assert_eq!(
            net_from_cli(&mc.nets[0], 0).hostfwd,
            vec!["tcp:127.0.0.1:8080-:80"]
        );
    }

    #[test]
    fn a_restore_keeps_the_board_and_takes_how_to_run_from_this_process() {
        // As read back from a state file: only rng and virtio_console are
        // saved; the JIT threshold is not zero.
        let saved: HostOptions =
            serde_json::from_str(r#"{"rng": false, "virtio_console": "stdio"}"#).unwrap();
        assert_eq!(saved.jit_threshold, vireo_hart::JIT_THRESHOLD);
        let text = serde_json::to_string(&HostOptions {
            engine: vireo_hart::Engine::Interp,
            jit_threshold: 5,
            trace: true,
            max_insns: Some(9),
            ..HostOptions::default()
        })
        .unwrap();
        assert!(
            !text.contains("engine") && !text.contains("threshold"),
            "{text}"
        );

        let this = HostOptions {
            rng: true,
            virtio_console: None,
            trace: true,
            max_insns: Some(1000),
            engine: vireo_hart::Engine::Interp,
            jit_threshold: 3,
        };
        let h = this.for_restore(&saved);
        assert_eq!(
            h,
            HostOptions {
                rng: false,
                virtio_console: Some("stdio".into()),
                trace: true,
                max_insns: Some(1000),
                engine: vireo_hart::Engine::Interp,
                jit_threshold: 3,
            }
        );
        let mc = machine_config(&VmConfig::default(), &h, false).unwrap();
        assert_eq!(
            (mc.engine, mc.jit_threshold),
            (vireo_hart::Engine::Interp, 3)
        );
    }

    #[test]
    fn a_missing_kernel_is_explained() {
        let e = machine_config(&VmConfig::default(), &HostOptions::default(), true).unwrap_err();
        assert!(e.to_string().contains("kernel_image_path"), "{e}");
    }
}
