//! `vireo ctl`: a command-line client of the control API of a running
//! `vireo run --api-sock PATH`.
//!
//! Each command becomes one or more HTTP requests ([`plan`], pure and
//! unit-tested); [`run`] sends them in order and stops at the first
//! error. JSON answers are printed pretty on stdout; an error prints
//! `vireo ctl: <fault_message> (HTTP <status>)` on stderr and exits 1;
//! a connection failure (or a usage error) exits 2.

use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use vireo_vmm::api::client;
use vireo_vmm::api::{
    Action, ActionType, DriveOverride, MemBackend, NetworkOverride, SnapshotCreate, SnapshotLoad,
    SnapshotType, VmConfig, VmRunState, VmStatePatch,
};

/// Exit status when the API refused a request.
const EXIT_API_ERROR: u8 = 1;
/// Exit status when vireo could not be reached, or for a usage error.
const EXIT_CONNECT: u8 = 2;

/// `vireo ctl`: control a running vireo through its API socket.
#[derive(Args, Debug)]
pub struct CtlArgs {
    /// The API socket of the vireo to control (its `--api-sock PATH`).
    #[arg(long, value_name = "PATH")]
    api_sock: PathBuf,
    #[command(subcommand)]
    command: CtlCommand,
}

/// The commands of `vireo ctl`.
#[derive(Subcommand, Debug, PartialEq)]
enum CtlCommand {
    /// Describe the vireo process and its VM's state (GET /).
    Info,
    /// Start the configured VM (PUT /actions InstanceStart).
    Start,
    /// Pause the VM: every vCPU stops, devices quiesce (PATCH /vm).
    Pause,
    /// Resume a paused VM (PATCH /vm).
    Resume {
        /// Move the guest's clock forward by the time spent paused.
        #[arg(long)]
        catch_up: bool,
    },
    /// Power the VM off (PUT /actions Poweroff).
    Poweroff,
    /// Print the VM's counters (GET /metrics).
    Metrics,
    /// Print the VM's configuration, a `--config` document (GET /vm/config).
    Config,
    /// Configure a VM that has not started from a `--config` JSON document:
    /// PUT /machine-config, /boot-source, /drives/ID and
    /// /network-interfaces/ID, in that order. Relative file paths in it
    /// are taken from the current directory.
    PutConfig {
        /// The JSON document (the shape of `GET /vm/config`).
        file: PathBuf,
    },
    /// Save or restore snapshots.
    #[command(subcommand)]
    Snapshot(SnapshotCommand),
    /// Send any request: `raw GET /`, `raw PUT /actions '{"action_type": "FlushMetrics"}'`.
    Raw {
        /// The HTTP method (GET, PUT, PATCH, ...).
        method: String,
        /// The path, e.g. `/machine-config`.
        path: String,
        /// The JSON body, sent as given.
        json: Option<String>,
    },
}

/// `vireo ctl snapshot ...`.
#[derive(Subcommand, Debug, PartialEq)]
enum SnapshotCommand {
    /// Snapshot a paused VM (PUT /snapshot/create).
    Create {
        /// Where the VM-state file goes.
        #[arg(long, value_name = "FILE")]
        snapshot: PathBuf,
        /// Where the guest-memory file goes.
        #[arg(long, value_name = "FILE")]
        mem: PathBuf,
        /// Save only the pages written since the last snapshot (the VM
        /// must track dirty pages).
        #[arg(long)]
        diff: bool,
    },
    /// Restore a snapshot into a fresh `vireo run --api-sock` (PUT
    /// /snapshot/load).
    Load {
        /// The VM-state file.
        #[arg(long, value_name = "FILE")]
        snapshot: PathBuf,
        /// The guest-memory file.
        #[arg(long, value_name = "FILE")]
        mem: PathBuf,
        /// Run the guest right away (default: stay paused).
        #[arg(long)]
        resume: bool,
        /// Keep tracking dirty pages, for diff snapshots.
        #[arg(long)]
        track_dirty_pages: bool,
        /// Use another disk image for a drive (repeatable).
        #[arg(long = "drive", value_name = "ID=PATH", value_parser = parse_drive_override)]
        drives: Vec<DriveOverride>,
        /// Another backend for a network interface (repeatable):
        /// `ID[,hostfwd=tcp:[HOSTADDR]:HOSTPORT-:GUESTPORT]...[,mac=MAC][,tap=IFNAME]`.
        /// With any `hostfwd`, they replace the saved port forwards.
        #[arg(long = "net", value_name = "SPEC", value_parser = parse_net_override)]
        nets: Vec<NetworkOverride>,
    },
}

/// Parse `--drive ID=PATH`.
fn parse_drive_override(s: &str) -> Result<DriveOverride, String> {
    match s.split_once('=') {
        Some((id, path)) if !id.is_empty() && !path.is_empty() => Ok(DriveOverride {
            drive_id: id.to_owned(),
            path_on_host: PathBuf::from(path),
        }),
        _ => Err(format!("expected ID=PATH, got {s:?}")),
    }
}

/// Parse `--net ID[,hostfwd=RULE]...[,mac=MAC][,tap=IFNAME]`.
fn parse_net_override(s: &str) -> Result<NetworkOverride, String> {
    let mut items = s.split(',');
    let id = items.next().unwrap_or_default();
    if id.is_empty() || id.contains('=') {
        return Err(format!(
            "expected ID[,hostfwd=RULE]...[,mac=MAC][,tap=IFNAME], got {s:?}"
        ));
    }
    let mut o = NetworkOverride {
        iface_id: id.to_owned(),
        host_dev_name: None,
        guest_mac: None,
        hostfwd: None,
    };
    for item in items {
        let Some((key, value)) = item.split_once('=') else {
            return Err(format!(
                "expected KEY=VALUE, got {item:?} (keys: hostfwd, mac, tap)"
            ));
        };
        if value.is_empty() {
            return Err(format!("{key}= needs a value"));
        }
        let once = |slot: &mut Option<String>| {
            if slot.replace(value.to_owned()).is_some() {
                Err(format!("{key} given twice in {s:?}"))
            } else {
                Ok(())
            }
        };
        match key {
            "hostfwd" => o
                .hostfwd
                .get_or_insert_with(Vec::new)
                .push(value.to_owned()),
            "mac" => once(&mut o.guest_mac)?,
            "tap" => once(&mut o.host_dev_name)?,
            other => {
                return Err(format!(
                    "unknown key {other:?} in {s:?} (keys: hostfwd, mac, tap)"
                ))
            }
        }
    }
    Ok(o)
}

/// A [`Call`] with a JSON body: `json_call!("PUT", "/actions", value)`.
macro_rules! json_call {
    ($method:expr, $path:expr, $body:expr $(,)?) => {
        Call {
            method: $method.to_owned(),
            path: $path.to_owned(),
            body: Some(serde_json::to_vec(&$body).expect("API types serialize")),
        }
    };
}

/// One HTTP request to make.
#[derive(Clone, Debug, PartialEq)]
struct Call {
    /// The method.
    method: String,
    /// The path.
    path: String,
    /// The body, as sent.
    body: Option<Vec<u8>>,
}

impl Call {
    /// A request without a body.
    fn bare(method: &str, path: &str) -> Call {
        Call {
            method: method.to_owned(),
            path: path.to_owned(),
            body: None,
        }
    }
}

/// `p`, made absolute against `cwd` (the VMM may run elsewhere).
fn absolute(cwd: &Path, p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        cwd.join(p)
    }
}

/// The requests that configure a VM as `cfg` says, its relative paths
/// taken from `cwd`: the machine configuration, the boot source (unless
/// empty), each drive, each network interface.
fn config_calls(cfg: &VmConfig, cwd: &Path) -> Vec<Call> {
    let mut calls = vec![json_call!("PUT", "/machine-config", &cfg.machine_config)];
    if cfg.boot_source != Default::default() {
        let mut boot = cfg.boot_source.clone();
        boot.kernel_image_path = boot.kernel_image_path.map(|p| absolute(cwd, &p));
        boot.initrd_path = boot.initrd_path.map(|p| absolute(cwd, &p));
        boot.firmware = boot.firmware.map(|f| match f.as_str() {
            "builtin" | "none" => f,
            file => absolute(cwd, Path::new(file))
                .to_string_lossy()
                .into_owned(),
        });
        calls.push(json_call!("PUT", "/boot-source", &boot));
    }
    for drive in &cfg.drives {
        let mut drive = drive.clone();
        drive.path_on_host = absolute(cwd, &drive.path_on_host);
        calls.push(json_call!(
            "PUT",
            &format!("/drives/{}", drive.drive_id),
            &drive,
        ));
    }
    for iface in &cfg.network_interfaces {
        calls.push(json_call!(
            "PUT",
            &format!("/network-interfaces/{}", iface.iface_id),
            iface,
        ));
    }
    calls
}

/// The requests a command makes; relative paths are taken from `cwd`.
/// Reads the file of `put-config`.
fn plan(command: &CtlCommand, cwd: &Path) -> Result<Vec<Call>, String> {
    let action = |action_type| vec![json_call!("PUT", "/actions", &Action { action_type })];
    let patch = |state, wall_clock_catch_up| {
        vec![json_call!(
            "PATCH",
            "/vm",
            &VmStatePatch {
                state,
                wall_clock_catch_up,
            },
        )]
    };
    Ok(match command {
        CtlCommand::Info => vec![Call::bare("GET", "/")],
        CtlCommand::Start => action(ActionType::InstanceStart),
        CtlCommand::Poweroff => action(ActionType::Poweroff),
        CtlCommand::Pause => patch(VmRunState::Paused, false),
        CtlCommand::Resume { catch_up } => patch(VmRunState::Resumed, *catch_up),
        CtlCommand::Metrics => vec![Call::bare("GET", "/metrics")],
        CtlCommand::Config => vec![Call::bare("GET", "/vm/config")],
        CtlCommand::PutConfig { file } => {
            let text = std::fs::read_to_string(file)
                .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let cfg: VmConfig = serde_json::from_str(&text)
                .map_err(|e| format!("{}: not a VM configuration: {e}", file.display()))?;
            config_calls(&cfg, cwd)
        }
        CtlCommand::Snapshot(SnapshotCommand::Create {
            snapshot,
            mem,
            diff,
        }) => vec![json_call!(
            "PUT",
            "/snapshot/create",
            &SnapshotCreate {
                snapshot_path: absolute(cwd, snapshot),
                mem_file_path: absolute(cwd, mem),
                snapshot_type: if *diff {
                    SnapshotType::Diff
                } else {
                    SnapshotType::Full
                },
            },
        )],
        CtlCommand::Snapshot(SnapshotCommand::Load {
            snapshot,
            mem,
            resume,
            track_dirty_pages,
            drives,
            nets,
        }) => vec![json_call!(
            "PUT",
            "/snapshot/load",
            &SnapshotLoad {
                snapshot_path: absolute(cwd, snapshot),
                mem_file_path: None,
                mem_backend: Some(MemBackend {
                    backend_path: absolute(cwd, mem),
                    backend_type: "File".into(),
                }),
                resume_vm: *resume,
                track_dirty_pages: *track_dirty_pages,
                enable_diff_snapshots: false,
                network_overrides: nets.clone(),
                drive_overrides: drives
                    .iter()
                    .map(|d| DriveOverride {
                        drive_id: d.drive_id.clone(),
                        path_on_host: absolute(cwd, &d.path_on_host),
                    })
                    .collect(),
            },
        )],
        CtlCommand::Raw { method, path, json } => vec![Call {
            method: method.to_ascii_uppercase(),
            path: path.clone(),
            body: json.as_ref().map(|j| j.clone().into_bytes()),
        }],
    })
}

/// Print a successful answer: JSON pretty, anything else as it is,
/// nothing for an empty body.
fn print_body(body: &str) {
    if body.trim().is_empty() {
        return;
    }
    match serde_json::from_str::<serde_json::Value>(body) {
        Ok(v) => println!(
            "{}",
            serde_json::to_string_pretty(&v).unwrap_or_else(|_| body.to_owned())
        ),
        Err(_) => println!("{body}"),
    }
}

/// Run `vireo ctl`.
pub fn run(args: CtlArgs) -> ExitCode {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    let calls = match plan(&args.command, &cwd) {
        Ok(calls) => calls,
        Err(e) => {
            eprintln!("vireo ctl: {e}");
            return ExitCode::from(EXIT_CONNECT);
        }
    };
    let several = calls.len() > 1;
    for call in calls {
        let answer = client::request_raw(
            &args.api_sock,
            &call.method,
            &call.path,
            call.body.as_deref(),
            None,
        );
        match answer {
            Err(e) => {
                eprintln!("vireo ctl: {e}");
                return ExitCode::from(EXIT_CONNECT);
            }
            Ok(resp) if resp.is_success() => print_body(&resp.body),
            Ok(resp) => {
                let message = resp.fault_message().unwrap_or_else(|| {
                    let body = resp.body.trim();
                    if body.is_empty() {
                        "no error message".to_owned()
                    } else {
                        body.to_owned()
                    }
                });
                let request = if several {
                    format!("{} {}: ", call.method, call.path)
                } else {
                    String::new()
                };
                eprintln!("vireo ctl: {request}{message} (HTTP {})", resp.status);
                return ExitCode::from(EXIT_API_ERROR);
            }
        }
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;
    use serde_json::{json, Value};

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: CtlArgs,
    }

    /// Parse `vireo ctl ARGS...` and plan its requests, bodies as JSON.
    fn calls(argv: &[&str]) -> Vec<(String, String, Option<Value>)> {
        let cli = Cli::try_parse_from(
            ["ctl", "--api-sock", "/run/v.sock"]
                .iter()
                .chain(argv)
                .copied(),
        )
        .unwrap_or_else(|e| panic!("{argv:?}: {e}"));
        assert_eq!(cli.args.api_sock, Path::new("/run/v.sock"));
        plan(&cli.args.command, Path::new("/work"))
            .unwrap()
            .into_iter()
            .map(|c| {
                let body = c.body.map(|b| serde_json::from_slice(&b).unwrap());
                (c.method, c.path, body)
            })
            .collect()
    }

    fn one(argv: &[&str]) -> (String, String, Option<Value>) {
        let mut c = calls(argv);
        assert_eq!(c.len(), 1, "{argv:?}");
        c.remove(0)
    }

    fn req(method: &str, path: &str, body: Option<Value>) -> (String, String, Option<Value>) {
        (method.to_owned(), path.to_owned(), body)
    }

    #[test]
    fn simple_commands() {
        assert_eq!(one(&["info"]), req("GET", "/", None));
        assert_eq!(one(&["metrics"]), req("GET", "/metrics", None));
        assert_eq!(one(&["config"]), req("GET", "/vm/config", None));
        assert_eq!(
            one(&["start"]),
            req(
                "PUT",
                "/actions",
                Some(json!({"action_type": "InstanceStart"}))
            )
        );
        assert_eq!(
            one(&["poweroff"]),
            req("PUT", "/actions", Some(json!({"action_type": "Poweroff"})))
        );
        assert_eq!(
            one(&["pause"]),
            req(
                "PATCH",
                "/vm",
                Some(json!({"state": "Paused", "wall_clock_catch_up": false}))
            )
        );
        assert_eq!(
            one(&["resume", "--catch-up"]),
            req(
                "PATCH",
                "/vm",
                Some(json!({"state": "Resumed", "wall_clock_catch_up": true}))
            )
        );
    }

    #[test]
    fn snapshot_commands() {
        assert_eq!(
            one(&[
                "snapshot",
                "create",
                "--snapshot",
                "s/vm.state",
                "--mem",
                "/abs/vm.mem"
            ]),
            req(
                "PUT",
                "/snapshot/create",
                Some(json!({
                    "snapshot_path": "/work/s/vm.state",
                    "mem_file_path": "/abs/vm.mem",
                    "snapshot_type": "Full"
                }))
            )
        );
        let (_, _, body) = one(&[
            "snapshot",
            "create",
            "--snapshot",
            "/a",
            "--mem",
            "/b",
            "--diff",
        ]);
        assert_eq!(body.unwrap()["snapshot_type"], "Diff");

        assert_eq!(
            one(&[
                "snapshot",
                "load",
                "--snapshot",
                "/s/vm.state",
                "--mem",
                "vm.mem",
                "--resume",
                "--track-dirty-pages",
                "--drive",
                "rootfs=clone.qcow2",
                "--drive",
                "data=/d/x.img",
                "--net",
                "eth0,hostfwd=tcp::2223-:22,hostfwd=udp::5353-:53,mac=52:54:00:00:00:02",
                "--net",
                "eth1,tap=tap7",
            ]),
            req(
                "PUT",
                "/snapshot/load",
                Some(json!({
                    "snapshot_path": "/s/vm.state",
                    "mem_backend": {"backend_path": "/work/vm.mem", "backend_type": "File"},
                    "resume_vm": true,
                    "track_dirty_pages": true,
                    "enable_diff_snapshots": false,
                    "drive_overrides": [
                        {"drive_id": "rootfs", "path_on_host": "/work/clone.qcow2"},
                        {"drive_id": "data", "path_on_host": "/d/x.img"}
                    ],
                    "network_overrides": [
                        {
                            "iface_id": "eth0",
                            "hostfwd": ["tcp::2223-:22", "udp::5353-:53"],
                            "guest_mac": "52:54:00:00:00:02"
                        },
                        {"iface_id": "eth1", "host_dev_name": "tap7"}
                    ]
                }))
            )
        );
        let (_, _, body) = one(&["snapshot", "load", "--snapshot", "/a", "--mem", "/b"]);
        let body = body.unwrap();
        assert_eq!(body["resume_vm"], false);
        assert!(body.get("drive_overrides").is_none());
        assert!(body.get("network_overrides").is_none());
    }

    #[test]
    fn raw_command() {
        let (m, p, _) = one(&["raw", "get", "/machine-config"]);
        assert_eq!((m.as_str(), p.as_str()), ("GET", "/machine-config"));
        let cli = Cli::try_parse_from([
            "ctl",
            "--api-sock",
            "/s",
            "raw",
            "PUT",
            "/actions",
            "{not json",
        ])
        .unwrap();
        let c = plan(&cli.args.command, Path::new("/")).unwrap();
        assert_eq!(c[0].body.as_deref(), Some(&b"{not json"[..]));
    }

    #[test]
    fn bad_arguments_are_refused() {
        for argv in [
            &[
                "snapshot",
                "load",
                "--snapshot",
                "/a",
                "--mem",
                "/b",
                "--drive",
                "nopath",
            ][..],
            &[
                "snapshot",
                "load",
                "--snapshot",
                "/a",
                "--mem",
                "/b",
                "--drive",
                "=p",
            ],
            &[
                "snapshot",
                "load",
                "--snapshot",
                "/a",
                "--mem",
                "/b",
                "--net",
                "",
            ],
            &[
                "snapshot",
                "load",
                "--snapshot",
                "/a",
                "--mem",
                "/b",
                "--net",
                "e,speed=1",
            ],
            &[
                "snapshot",
                "load",
                "--snapshot",
                "/a",
                "--mem",
                "/b",
                "--net",
                "e,mac=a,mac=b",
            ],
            &[
                "snapshot",
                "load",
                "--snapshot",
                "/a",
                "--mem",
                "/b",
                "--net",
                "e,tap=",
            ],
            &["snapshot", "create", "--snapshot", "/a"],
            &["resume", "--now"],
            &["frobnicate"],
        ] {
            let r = Cli::try_parse_from(["ctl", "--api-sock", "/s"].iter().chain(argv).copied());
            assert!(r.is_err(), "{argv:?}");
        }
        assert!(
            Cli::try_parse_from(["ctl", "info"]).is_err(),
            "--api-sock is required"
        );
    }

    #[test]
    fn put_config_sends_each_part_in_order() {
        let cfg: VmConfig = serde_json::from_value(json!({
            "boot-source": {"kernel_image_path": "Image", "boot_args": "console=ttyS0",
                            "firmware": "fw_jump.bin"},
            "machine-config": {"vcpu_count": 2, "mem_size_mib": 256},
            "drives": [
                {"drive_id": "root", "path_on_host": "root.img", "is_root_device": true},
                {"drive_id": "data", "path_on_host": "/abs/data.qcow2"}
            ],
            "network-interfaces": [{"iface_id": "eth0", "hostfwd": ["tcp::2222-:22"]}]
        }))
        .unwrap();
        let calls: Vec<(String, String, Value)> = config_calls(&cfg, Path::new("/cfg"))
            .into_iter()
            .map(|c| {
                (
                    c.method,
                    c.path,
                    serde_json::from_slice(&c.body.unwrap()).unwrap(),
                )
            })
            .collect();
        let paths: Vec<&str> = calls.iter().map(|c| c.1.as_str()).collect();
        assert_eq!(
            paths,
            [
                "/machine-config",
                "/boot-source",
                "/drives/root",
                "/drives/data",
                "/network-interfaces/eth0"
            ]
        );
        assert!(calls.iter().all(|c| c.0 == "PUT"));
        assert_eq!(
            calls[1].2,
            json!({"kernel_image_path": "/cfg/Image", "boot_args": "console=ttyS0",
                   "firmware": "/cfg/fw_jump.bin"})
        );
        assert_eq!(calls[2].2["path_on_host"], "/cfg/root.img");
        assert_eq!(calls[3].2["path_on_host"], "/abs/data.qcow2");
        assert_eq!(calls[4].2["hostfwd"], json!(["tcp::2222-:22"]));

        // An empty boot source is left out; the machine config is always sent.
        let calls = config_calls(&VmConfig::default(), Path::new("/"));
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].path, "/machine-config");
        let builtin = VmConfig {
            boot_source: vireo_vmm::api::BootSource {
                firmware: Some("builtin".into()),
                ..Default::default()
            },
            ..Default::default()
        };
        let calls = config_calls(&builtin, Path::new("/x"));
        assert_eq!(
            serde_json::from_slice::<Value>(calls[1].body.as_ref().unwrap()).unwrap(),
            json!({"firmware": "builtin"})
        );
    }

    /// Answers GETs with `{}`, refuses Poweroff, accepts the rest.
    struct Fake;

    impl vireo_vmm::api::ApiHandler for Fake {
        fn handle(
            &self,
            req: vireo_vmm::api::ApiRequest,
        ) -> Result<vireo_vmm::api::ApiResponse, vireo_vmm::api::ApiError> {
            use vireo_vmm::api::{ApiError, ApiRequest, ApiResponse};
            match req {
                ApiRequest::GetInstanceInfo => Ok(ApiResponse::Json(json!({"app_name": "vireo"}))),
                ApiRequest::PutAction(Action {
                    action_type: ActionType::Poweroff,
                }) => Err(ApiError::bad_request("the VM has not started")),
                _ => Ok(ApiResponse::NoContent),
            }
        }
    }

    #[test]
    fn exit_statuses() {
        let dir = std::env::temp_dir().join(format!("vireo-ctl-run-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let sock = dir.join("api.sock");
        let server = vireo_vmm::api::server::serve(&sock, std::sync::Arc::new(Fake)).unwrap();
        let status = |argv: &[&str]| {
            let sock = sock.to_str().unwrap();
            let cli = Cli::try_parse_from(["ctl", "--api-sock", sock].iter().chain(argv).copied())
                .unwrap();
            run(cli.args)
        };
        assert_eq!(status(&["info"]), ExitCode::SUCCESS);
        assert_eq!(status(&["pause"]), ExitCode::SUCCESS);
        assert_eq!(status(&["poweroff"]), ExitCode::from(EXIT_API_ERROR));
        assert_eq!(
            status(&["raw", "GET", "/nope"]),
            ExitCode::from(EXIT_API_ERROR)
        );
        drop(server);
        assert_eq!(status(&["info"]), ExitCode::from(EXIT_CONNECT));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn put_config_file_errors_are_usage_errors() {
        let dir = std::env::temp_dir().join(format!("vireo-ctl-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let bad = dir.join("bad.json");
        std::fs::write(&bad, r#"{"machine-config": {"vcpus": 2}}"#).unwrap();
        let e = plan(&CtlCommand::PutConfig { file: bad.clone() }, &dir).unwrap_err();
        assert!(e.contains("unknown field `vcpus`"), "{e}");
        let e = plan(
            &CtlCommand::PutConfig {
                file: dir.join("missing.json"),
            },
            &dir,
        )
        .unwrap_err();
        assert!(e.contains("cannot read"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
