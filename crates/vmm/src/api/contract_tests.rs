//! Contract tests: the router, the server and the types against
//! `docs/api/openapi.yaml`.
//!
//! - (a) the routes the router accepts are exactly the operations of the
//!   document, both ways;
//! - the component schemas mirror the serde types: the same properties,
//!   `required` exactly where serde needs the field, `additionalProperties:
//!   false` exactly where serde refuses unknown fields, the same enums;
//! - (b) a real server with a fake handler answers every operation with a
//!   body that validates against the documented response;
//! - (c) error paths (404, 405, 400, 408, 413, 500) answer `Fault`s.

use super::{load_spec, validate_request, validate_response_text, Spec};
use crate::api::client::{self, ClientResponse};
use crate::api::server::{self, ApiServerError, MAX_BODY, ROUTES};
use crate::api::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// All methods probed against every path.
const PROBE_METHODS: &[&str] = &["GET", "PUT", "PATCH", "POST", "DELETE", "HEAD", "OPTIONS"];

fn spec() -> Spec {
    load_spec(&super::default_spec_path()).expect("docs/api/openapi.yaml loads")
}

/// A concrete path for a template.
fn concrete(template: &str) -> String {
    template
        .replace("{drive_id}", "rootfs")
        .replace("{iface_id}", "eth0")
}

// ---------------------------------------------------------------------
// Sample values: every optional field set ("full"), and the least a
// request needs ("minimal").

fn full_machine_config() -> MachineConfig {
    MachineConfig {
        vcpu_count: 2,
        mem_size_mib: 1024,
        smt: false,
        track_dirty_pages: true,
    }
}

fn full_boot_source() -> BootSource {
    BootSource {
        kernel_image_path: Some("/k/Image".into()),
        boot_args: Some("console=ttyS0".into()),
        initrd_path: Some("/k/initrd".into()),
        firmware: Some("builtin".into()),
    }
}

fn full_drive() -> Drive {
    Drive {
        drive_id: "rootfs".into(),
        path_on_host: "/img/root.qcow2".into(),
        is_root_device: true,
        is_read_only: false,
        cache_type: Some("Writeback".into()),
        format: Some("qcow2".into()),
        serial: Some("S1".into()),
    }
}

fn full_iface() -> NetworkInterface {
    NetworkInterface {
        iface_id: "eth0".into(),
        host_dev_name: Some("tap0".into()),
        guest_mac: Some("52:54:00:12:34:56".into()),
        hostfwd: vec!["tcp:127.0.0.1:2222-:22".into()],
        restrict: true,
    }
}

fn full_network_override() -> NetworkOverride {
    NetworkOverride {
        iface_id: "eth0".into(),
        host_dev_name: Some("tap1".into()),
        guest_mac: Some("52:54:00:12:34:57".into()),
        hostfwd: Some(vec!["tcp::2223-:22".into()]),
    }
}

fn full_drive_override() -> DriveOverride {
    DriveOverride {
        drive_id: "rootfs".into(),
        path_on_host: "/img/clone.qcow2".into(),
    }
}

fn full_mem_backend() -> MemBackend {
    MemBackend {
        backend_path: "/s/vm.mem".into(),
        backend_type: "File".into(),
    }
}

fn full_snapshot_load() -> SnapshotLoad {
    SnapshotLoad {
        snapshot_path: "/s/vm.state".into(),
        mem_file_path: Some("/s/vm.mem".into()),
        mem_backend: Some(full_mem_backend()),
        resume_vm: true,
        track_dirty_pages: true,
        enable_diff_snapshots: false,
        network_overrides: vec![full_network_override()],
        drive_overrides: vec![full_drive_override()],
    }
}

fn full_snapshot_create() -> SnapshotCreate {
    SnapshotCreate {
        snapshot_path: "/s/vm.state".into(),
        mem_file_path: "/s/vm.mem".into(),
        snapshot_type: SnapshotType::Diff,
    }
}

fn full_vm_config() -> VmConfig {
    VmConfig {
        boot_source: full_boot_source(),
        machine_config: full_machine_config(),
        drives: vec![full_drive()],
        network_interfaces: vec![full_iface()],
    }
}

fn instance_info() -> InstanceInfo {
    InstanceInfo {
        app_name: "vireo".into(),
        id: "4242".into(),
        state: "Running".into(),
        vmm_version: env!("CARGO_PKG_VERSION").into(),
    }
}

fn full_vcpu_metrics() -> VcpuMetrics {
    VcpuMetrics {
        id: 0,
        instret: 123_456_789,
        traps: 42,
        traps_by_cause: BTreeMap::from([
            ("ecall_from_u".to_string(), 40),
            ("load_page_fault".to_string(), 2),
        ]),
        exits: BTreeMap::from([("wfi".to_string(), 7)]),
        blocks_translated: 1000,
        cache_flushes: 3,
        code_pages_dropped: 5,
        tlb_misses: 99,
        jit_blocks_translated: 400,
        jit_insns_translated: 6000,
        jit_translate_ns: 25_000_000,
        jit_code_bytes: 1 << 20,
        jit_code_resets: 1,
        jit_block_runs: 5_000_000,
        interp_block_runs: 20_000,
        jit_insns: 100_000_000,
        jit_chained: 3_000_000,
        jit_fast_dispatch: 1_000_000,
        jit_slow_exits: 70_000,
        jit_relinked: 12,
    }
}

fn full_device_metrics() -> DeviceMetrics {
    DeviceMetrics {
        slot: 0,
        kind: "block".into(),
        counters: BTreeMap::from([("read_bytes".to_string(), 4096)]),
    }
}

fn full_lifecycle() -> LifecycleMetrics {
    LifecycleMetrics {
        restore_to_first_insn_us: 1500,
        snapshot_load_us: 1200,
        snapshot_create_us: 80_000,
        snapshot_pages_written: 262_144,
        pause_us: 30,
    }
}

fn full_metrics() -> Metrics {
    Metrics {
        state: "Paused".into(),
        uptime_ms: u64::MAX / 2,
        vcpus: vec![full_vcpu_metrics(), full_vcpu_metrics()],
        devices: vec![full_device_metrics()],
        lifecycle: full_lifecycle(),
    }
}

/// Every `ActionType` (the match breaks the build when one is added).
fn all_action_types() -> Vec<ActionType> {
    let all = vec![
        ActionType::InstanceStart,
        ActionType::SendCtrlAltDel,
        ActionType::Poweroff,
        ActionType::FlushMetrics,
    ];
    for a in &all {
        match a {
            ActionType::InstanceStart
            | ActionType::SendCtrlAltDel
            | ActionType::Poweroff
            | ActionType::FlushMetrics => {}
        }
    }
    all
}

/// Every `VmRunState`.
fn all_run_states() -> Vec<VmRunState> {
    let all = vec![VmRunState::Paused, VmRunState::Resumed];
    for s in &all {
        match s {
            VmRunState::Paused | VmRunState::Resumed => {}
        }
    }
    all
}

/// Every `SnapshotType`.
fn all_snapshot_types() -> Vec<SnapshotType> {
    let all = vec![SnapshotType::Full, SnapshotType::Diff];
    for s in &all {
        match s {
            SnapshotType::Full | SnapshotType::Diff => {}
        }
    }
    all
}

/// The request bodies of the body-taking operations: (method, template,
/// component schema, full body, minimal body).
fn request_samples() -> Vec<(&'static str, &'static str, &'static str, Value, Value)> {
    let j = |v: &dyn erased::Ser| v.to_json();
    vec![
        (
            "PUT",
            "/machine-config",
            "MachineConfig",
            j(&full_machine_config()),
            json!({"vcpu_count": 1, "mem_size_mib": 2}),
        ),
        (
            "PUT",
            "/boot-source",
            "BootSource",
            j(&full_boot_source()),
            json!({}),
        ),
        (
            "PUT",
            "/drives/{drive_id}",
            "Drive",
            j(&full_drive()),
            json!({"drive_id": "rootfs", "path_on_host": "/x"}),
        ),
        (
            "PUT",
            "/network-interfaces/{iface_id}",
            "NetworkInterface",
            j(&full_iface()),
            json!({"iface_id": "eth0"}),
        ),
        (
            "PUT",
            "/actions",
            "Action",
            j(&Action {
                action_type: ActionType::FlushMetrics,
            }),
            json!({"action_type": "InstanceStart"}),
        ),
        (
            "PATCH",
            "/vm",
            "VmStatePatch",
            j(&VmStatePatch {
                state: VmRunState::Resumed,
                wall_clock_catch_up: true,
            }),
            json!({"state": "Paused"}),
        ),
        (
            "PUT",
            "/snapshot/create",
            "SnapshotCreate",
            j(&full_snapshot_create()),
            json!({"snapshot_path": "/s", "mem_file_path": "/m"}),
        ),
        (
            "PUT",
            "/snapshot/load",
            "SnapshotLoad",
            j(&full_snapshot_load()),
            json!({"snapshot_path": "/s", "mem_file_path": "/m"}),
        ),
    ]
}

/// The 200 responses: (template, component schema).
const RESPONSE_SCHEMAS: &[(&str, &str)] = &[
    ("/", "InstanceInfo"),
    ("/machine-config", "MachineConfig"),
    ("/vm/config", "VmConfig"),
    ("/metrics", "Metrics"),
];

/// Serialization behind a trait object, for the sample table.
mod erased {
    /// Anything serializable, as JSON.
    pub trait Ser {
        fn to_json(&self) -> serde_json::Value;
    }
    impl<T: serde::Serialize> Ser for T {
        fn to_json(&self) -> serde_json::Value {
            serde_json::to_value(self).expect("serializable")
        }
    }
}

// ---------------------------------------------------------------------
// (a) The router and the document agree.

#[test]
fn document_is_well_formed() {
    spec().lint().unwrap();
}

#[test]
fn router_and_document_have_the_same_routes() {
    let spec = spec();
    let documented: BTreeSet<(String, String)> = spec.operations().into_iter().collect();
    let routed: BTreeSet<(String, String)> = ROUTES
        .iter()
        .flat_map(|(t, methods)| methods.iter().map(|m| (m.to_string(), t.to_string())))
        .collect();
    assert_eq!(documented, routed, "ROUTES and the document differ");

    // Probe the router itself with every method on every documented path
    // (and a few near misses): it accepts exactly what the document has.
    let mut templates: Vec<String> = spec.operations().into_iter().map(|(_, t)| t).collect();
    templates.dedup();
    for template in &templates {
        let path = concrete(template);
        for method in PROBE_METHODS {
            let accepted = !matches!(
                server::route(method, &path, b""),
                Err(ApiError {
                    status: 404 | 405,
                    ..
                })
            );
            let documented = spec.operation(method, &path).is_ok();
            assert_eq!(accepted, documented, "{method} {path}");
            // A query string changes nothing.
            let with_query = format!("{path}?a=b");
            let accepted_q = !matches!(
                server::route(method, &with_query, b""),
                Err(ApiError {
                    status: 404 | 405,
                    ..
                })
            );
            assert_eq!(accepted_q, documented, "{method} {with_query}");
        }
        let allow: BTreeSet<String> = server::allowed_methods(&path)
            .unwrap()
            .split(", ")
            .map(str::to_owned)
            .collect();
        let doc_methods: BTreeSet<String> = spec
            .operations()
            .into_iter()
            .filter(|(_, t)| t == template)
            .map(|(m, _)| m)
            .collect();
        assert_eq!(allow, doc_methods, "Allow for {path}");
    }
    for missing in [
        "/drives",
        "/network-interfaces",
        "/snapshot",
        "/vm/",
        "/machine-config/x",
        "/metrics/",
        "//",
        "/Machine-config",
    ] {
        for method in PROBE_METHODS {
            assert_eq!(
                server::route(method, missing, b"{}").map_err(|e| e.status),
                Err(404),
                "{method} {missing}"
            );
        }
        assert_eq!(spec.resolve_path(missing), None, "{missing}");
    }
}

#[test]
fn document_binds_the_right_schemas() {
    let spec = spec();
    for (method, template, schema, _, _) in request_samples() {
        let got = spec.request_schema(method, template).unwrap().unwrap();
        assert_eq!(
            got,
            &json!({"$ref": format!("#/components/schemas/{schema}")}),
            "{method} {template}"
        );
    }
    for (template, schema) in RESPONSE_SCHEMAS {
        let got = spec.response_schema("GET", template, 200).unwrap().unwrap();
        assert_eq!(
            got,
            &json!({"$ref": format!("#/components/schemas/{schema}")}),
            "GET {template}"
        );
    }
    // Every operation documents exactly one success: 200 for the GETs
    // above, 204 for the others.
    for (method, template) in spec.operations() {
        let op = spec.operation(&method, &template).unwrap();
        let successes: Vec<&String> = op["responses"]
            .as_object()
            .unwrap()
            .keys()
            .filter(|k| k.starts_with('2'))
            .collect();
        let expected = if method == "GET" {
            assert!(RESPONSE_SCHEMAS.iter().any(|(t, _)| *t == template));
            "200"
        } else {
            "204"
        };
        assert_eq!(successes, vec![expected], "{method} {template}");
        if expected == "204" {
            assert!(op.get("requestBody").is_some(), "{method} {template}");
        }
    }
}

// ---------------------------------------------------------------------
// The schemas mirror the serde types.

/// Check component `name` against type `T` using `full`, a value with
/// every optional field set.
fn check_type<T: Serialize + DeserializeOwned>(spec: &Spec, name: &str, full: &T) {
    let schema = spec
        .schema(name)
        .unwrap_or_else(|| panic!("no schema {name}"));
    let value = serde_json::to_value(full).unwrap();
    spec.validate(schema, &value)
        .unwrap_or_else(|e| panic!("{name}: a serialized value does not validate: {e}"));

    let object = value.as_object().expect("an object");
    let keys: BTreeSet<&str> = object.keys().map(String::as_str).collect();
    let properties: BTreeSet<&str> = schema["properties"]
        .as_object()
        .unwrap_or_else(|| panic!("{name}: no properties"))
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys, properties,
        "{name}: properties differ from the type's fields"
    );

    let required: BTreeSet<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    for key in &keys {
        let mut without = object.clone();
        without.remove(*key);
        let serde_requires = serde_json::from_value::<T>(Value::Object(without)).is_err();
        assert_eq!(
            serde_requires,
            required.contains(key),
            "{name}.{key}: serde {} it, the document {}",
            if serde_requires {
                "requires"
            } else {
                "does not require"
            },
            if required.contains(key) {
                "does"
            } else {
                "does not"
            },
        );
    }

    let mut extra = object.clone();
    extra.insert("zz_unknown_field".into(), json!(1));
    let serde_denies = serde_json::from_value::<T>(Value::Object(extra)).is_err();
    let doc_denies = schema.get("additionalProperties") == Some(&Value::Bool(false));
    assert_eq!(
        serde_denies, doc_denies,
        "{name}: additionalProperties: false must match deny_unknown_fields"
    );
}

/// Check that the enum of `schema.property` lists exactly `variants`.
fn check_enum<T: Serialize>(spec: &Spec, schema: &str, property: &str, variants: &[T]) {
    let documented: BTreeSet<String> = spec.schema(schema).unwrap()["properties"][property]["enum"]
        .as_array()
        .unwrap_or_else(|| panic!("{schema}.{property}: no enum"))
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    let actual: BTreeSet<String> = variants
        .iter()
        .map(|v| {
            serde_json::to_value(v)
                .unwrap()
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(documented, actual, "{schema}.{property}");
}

#[test]
fn schemas_mirror_the_types() {
    let spec = spec();
    check_type(&spec, "MachineConfig", &full_machine_config());
    check_type(&spec, "BootSource", &full_boot_source());
    check_type(&spec, "Drive", &full_drive());
    check_type(&spec, "NetworkInterface", &full_iface());
    check_type(
        &spec,
        "Action",
        &Action {
            action_type: ActionType::Poweroff,
        },
    );
    check_type(
        &spec,
        "VmStatePatch",
        &VmStatePatch {
            state: VmRunState::Paused,
            wall_clock_catch_up: true,
        },
    );
    check_type(&spec, "SnapshotCreate", &full_snapshot_create());
    check_type(&spec, "SnapshotLoad", &full_snapshot_load());
    check_type(&spec, "MemBackend", &full_mem_backend());
    check_type(&spec, "NetworkOverride", &full_network_override());
    check_type(&spec, "DriveOverride", &full_drive_override());
    check_type(&spec, "InstanceInfo", &instance_info());
    check_type(&spec, "VmConfig", &full_vm_config());
    check_type(&spec, "Metrics", &full_metrics());
    check_type(&spec, "VcpuMetrics", &full_vcpu_metrics());
    check_type(&spec, "DeviceMetrics", &full_device_metrics());
    check_type(&spec, "LifecycleMetrics", &full_lifecycle());
    check_type(
        &spec,
        "Fault",
        &Fault {
            fault_message: "x".into(),
        },
    );
    check_enum(&spec, "Action", "action_type", &all_action_types());
    check_enum(&spec, "VmStatePatch", "state", &all_run_states());
    check_enum(
        &spec,
        "SnapshotCreate",
        "snapshot_type",
        &all_snapshot_types(),
    );

    // Defaults serialize and validate too (GET before any PUT).
    spec.validate_component(
        "VmConfig",
        &serde_json::to_value(VmConfig::default()).unwrap(),
    )
    .unwrap();
    spec.validate_component(
        "Metrics",
        &serde_json::to_value(Metrics::default()).unwrap(),
    )
    .unwrap_err(); // "" is not a documented state
    let not_started = Metrics {
        state: "Not started".into(),
        ..Metrics::default()
    };
    spec.validate_component("Metrics", &serde_json::to_value(not_started).unwrap())
        .unwrap();
}

#[test]
fn request_bodies_validate_and_route() {
    let spec = spec();
    for (method, template, _, full, minimal) in request_samples() {
        let path = concrete(template);
        for body in [&full, &minimal] {
            validate_request(&spec, method, &path, body).unwrap();
            let routed = server::route(method, &path, body.to_string().as_bytes());
            assert!(routed.is_ok(), "{method} {path} {body}: {routed:?}");
        }
        // The document refuses what the router refuses: an unknown field.
        let mut extra = full.clone();
        extra["zz_unknown"] = json!(true);
        assert!(validate_request(&spec, method, &path, &extra).is_err());
        let err = server::route(method, &path, extra.to_string().as_bytes()).unwrap_err();
        assert_eq!(err.status, 400);
        assert!(err.message.contains("zz_unknown"), "{}", err.message);
    }
}

#[test]
fn router_never_panics_on_mutated_input() {
    // A deterministic xorshift: mutate valid requests byte by byte.
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let samples = request_samples();
    for i in 0..20_000 {
        let (method, template, _, full, _) = &samples[i % samples.len()];
        let mut url = concrete(template).into_bytes();
        let mut body = full.to_string().into_bytes();
        for _ in 0..(next() % 4) {
            let target = if next() % 4 == 0 { &mut url } else { &mut body };
            if target.is_empty() {
                continue;
            }
            let at = (next() as usize) % target.len();
            match next() % 3 {
                0 => target[at] = next() as u8,
                1 => {
                    target.remove(at);
                }
                _ => target.insert(at, next() as u8),
            }
        }
        let url = String::from_utf8_lossy(&url);
        if let Err(e) = server::route(method, &url, &body) {
            assert!(
                [400, 404, 405, 413].contains(&e.status),
                "{method} {url}: {e}"
            );
        }
    }
}

// ---------------------------------------------------------------------
// (b), (c): a real server with a fake handler.

/// A temporary directory removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "vireo-api-{}-{}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Answers with canned, type-correct values; records what it got.
#[derive(Default)]
struct FakeVmm {
    seen: Mutex<Vec<ApiRequest>>,
    threads: Mutex<BTreeSet<String>>,
}

impl ApiHandler for FakeVmm {
    fn handle(&self, req: ApiRequest) -> Result<ApiResponse, ApiError> {
        self.threads.lock().unwrap().insert(
            std::thread::current()
                .name()
                .unwrap_or("(unnamed)")
                .to_owned(),
        );
        self.seen.lock().unwrap().push(req.clone());
        let json = |v: &dyn erased::Ser| Ok(ApiResponse::Json(v.to_json()));
        match req {
            ApiRequest::GetInstanceInfo => json(&instance_info()),
            ApiRequest::GetMachineConfig => json(&full_machine_config()),
            ApiRequest::GetVmConfig => json(&full_vm_config()),
            ApiRequest::GetMetrics => json(&full_metrics()),
            ApiRequest::PutDrive(d) if d.drive_id == "boom" => panic!("the fake VMM exploded"),
            ApiRequest::PutAction(Action {
                action_type: ActionType::Poweroff,
            }) => Err(ApiError::bad_request("the VM has not started")),
            ApiRequest::CreateSnapshot(_) => Err(ApiError::internal("disk full")),
            _ => Ok(ApiResponse::NoContent),
        }
    }
}

fn start(dir: &TempDir) -> (server::ApiServer, Arc<FakeVmm>) {
    let vmm = Arc::new(FakeVmm::default());
    let srv = server::serve(&dir.path("api.sock"), vmm.clone()).unwrap();
    (srv, vmm)
}

/// Send and validate against the document; return the answer.
fn call(
    spec: &Spec,
    sock: &Path,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> ClientResponse {
    let resp = client::request(sock, method, path, body).unwrap();
    validate_response_text(spec, method, path, resp.status, &resp.body)
        .unwrap_or_else(|e| panic!("{method} {path}: {e}\nbody: {}", resp.body));
    resp
}

/// Send raw bytes, read the raw answer until EOF.
fn raw_exchange(sock: &Path, bytes: &[u8]) -> String {
    let mut s = UnixStream::connect(sock).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(bytes).unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out
}

#[test]
fn every_operation_answers_as_documented() {
    let spec = spec();
    let dir = TempDir::new();
    let (srv, vmm) = start(&dir);
    let sock = srv.path().to_path_buf();

    let mut covered = BTreeSet::new();
    for (template, _) in RESPONSE_SCHEMAS {
        let resp = call(&spec, &sock, "GET", template, None);
        assert_eq!(resp.status, 200, "GET {template}: {}", resp.body);
        covered.insert(("GET".to_string(), template.to_string()));
    }
    let info: InstanceInfo =
        serde_json::from_str(&client::request(&sock, "GET", "/", None).unwrap().body).unwrap();
    assert_eq!(info, instance_info());

    for (method, template, _, full, minimal) in request_samples() {
        let path = concrete(template);
        for body in [&full, &minimal] {
            if body.get("action_type") == Some(&json!("Poweroff")) {
                continue;
            }
            let resp = call(&spec, &sock, method, &path, Some(body));
            let expected = if template == "/snapshot/create" {
                500
            } else {
                204
            };
            assert_eq!(resp.status, expected, "{method} {path}: {}", resp.body);
        }
        covered.insert((method.to_string(), template.to_string()));
    }
    let documented: BTreeSet<(String, String)> = spec.operations().into_iter().collect();
    assert_eq!(covered, documented, "operations not exercised");

    // The handler saw parsed requests, on the API thread.
    let seen = vmm.seen.lock().unwrap();
    assert!(seen.contains(&ApiRequest::PutDrive(full_drive())));
    assert!(seen.contains(&ApiRequest::LoadSnapshot(full_snapshot_load())));
    assert_eq!(
        *vmm.threads.lock().unwrap(),
        BTreeSet::from([server::API_THREAD_NAME.to_string()])
    );
}

#[test]
fn errors_are_faults() {
    let spec = spec();
    let dir = TempDir::new();
    let (srv, _vmm) = start(&dir);
    let sock = srv.path().to_path_buf();

    let fault = |method: &str, path: &str, body: Option<&[u8]>, status: u16, needle: &str| {
        let resp =
            client::request_raw(&sock, method, path, body, Some(Duration::from_secs(10))).unwrap();
        assert_eq!(resp.status, status, "{method} {path}: {}", resp.body);
        let message = resp
            .fault_message()
            .unwrap_or_else(|| panic!("{method} {path}: no fault_message in {}", resp.body));
        assert!(message.contains(needle), "{method} {path}: {message}");
        // The document describes the error (an unknown path is in no
        // operation, so check it against the Fault schema directly).
        if spec.operation(method, path).is_ok() {
            validate_response_text(&spec, method, path, resp.status, &resp.body).unwrap();
        }
        spec.validate_component("Fault", &resp.json().unwrap().unwrap())
            .unwrap();
    };

    fault("GET", "/nope", None, 404, "/nope");
    fault(
        "POST",
        "/machine-config",
        Some(b"{}"),
        405,
        "allowed: GET, PUT",
    );
    fault("DELETE", "/drives/rootfs", None, 405, "PUT");
    fault(
        "PUT",
        "/machine-config",
        Some(b"{\"vcpu_count\": 1,"),
        400,
        "invalid body for PUT /machine-config: EOF while parsing",
    );
    fault(
        "PUT",
        "/machine-config",
        Some(b"{}"),
        400,
        "invalid body for PUT /machine-config: missing field `vcpu_count` at line 1 column 2",
    );
    fault(
        "PUT",
        "/boot-source",
        None,
        400,
        "missing body for PUT /boot-source",
    );
    fault(
        "PUT",
        "/boot-source",
        Some(br#"{"kernel_image_path": "/k", "kernel": "/k"}"#),
        400,
        "unknown field `kernel`",
    );
    fault(
        "PUT",
        "/drives/rootfs",
        Some(br#"{"drive_id": "other", "path_on_host": "/x"}"#),
        400,
        "does not match",
    );
    fault(
        "PUT",
        "/network-interfaces/a.b",
        Some(br#"{"iface_id": "a.b"}"#),
        400,
        "invalid iface_id",
    );
    // The handler's own refusals and failures.
    fault(
        "PUT",
        "/actions",
        Some(br#"{"action_type": "Poweroff"}"#),
        400,
        "has not started",
    );
    // 413: a body over 64 KiB (drained, so the client reads the answer).
    let big = json!({"action_type": "x".repeat(MAX_BODY)});
    fault(
        "PUT",
        "/actions",
        Some(big.to_string().as_bytes()),
        413,
        "too large",
    );
    // A handler panic is a 500, and the server lives on.
    fault(
        "PUT",
        "/drives/boom",
        Some(br#"{"drive_id": "boom", "path_on_host": "/x"}"#),
        500,
        "panicked: the fake VMM exploded",
    );
    let resp = call(&spec, &sock, "GET", "/", None);
    assert_eq!(resp.status, 200);

    // 405 carries Allow; responses carry Content-Type and Content-Length.
    let raw = raw_exchange(
        &sock,
        b"PATCH /machine-config HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
    );
    assert!(raw.starts_with("HTTP/1.1 405"), "{raw}");
    assert!(raw.contains("\r\nAllow: GET, PUT\r\n"), "{raw}");
    assert!(
        raw.contains("\r\nContent-Type: application/json\r\n"),
        "{raw}"
    );
    let raw = raw_exchange(
        &sock,
        b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(raw.starts_with("HTTP/1.1 200"), "{raw}");
    assert!(raw.contains("\r\nContent-Length: "), "{raw}");
    let raw = raw_exchange(
        &sock,
        b"PUT /actions HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 33\r\n\r\n{\"action_type\": \"FlushMetrics\"}\n\n",
    );
    assert!(raw.starts_with("HTTP/1.1 204"), "{raw}");
    assert!(!raw.contains("Content-Type"), "{raw}");
}

#[test]
fn misbehaving_clients_do_not_stall_the_server() {
    let spec = spec();
    let dir = TempDir::new();
    let (srv, _vmm) = start(&dir);
    let sock = srv.path().to_path_buf();

    // A body that never fully arrives: the server moves on after its
    // timeout and answers 408 once the client gives up.
    let mut slow = UnixStream::connect(&sock).unwrap();
    slow.write_all(b"PUT /actions HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\n{\"act")
        .unwrap();
    // A declared body too large to drain: dropped unanswered.
    let mut huge = UnixStream::connect(&sock).unwrap();
    huge.write_all(b"PUT /actions HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999999\r\n\r\n")
        .unwrap();
    // A chunked body over the limit.
    let mut chunked = UnixStream::connect(&sock).unwrap();
    let mut msg =
        b"PUT /actions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for _ in 0..(MAX_BODY / 4096 + 2) {
        msg.extend_from_slice(b"1000\r\n");
        msg.extend_from_slice(&[b' '; 4096]);
        msg.extend_from_slice(b"\r\n");
    }
    msg.extend_from_slice(b"0\r\n\r\n");
    chunked.write_all(&msg).unwrap();
    chunked
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut answer = [0u8; 12];
    chunked.read_exact(&mut answer).unwrap();
    assert_eq!(&answer, b"HTTP/1.1 413");

    // Meanwhile, well-behaved clients are served.
    let resp = client::request_raw(&sock, "GET", "/", None, Some(Duration::from_secs(10))).unwrap();
    assert_eq!(resp.status, 200);
    validate_response_text(&spec, "GET", "/", resp.status, &resp.body).unwrap();

    slow.shutdown(std::net::Shutdown::Write).unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut out = String::new();
    let _ = slow.read_to_string(&mut out);
    assert!(out.starts_with("HTTP/1.1 408"), "{out}");
    assert!(out.contains("fault_message"), "{out}");
    drop(huge);

    let resp = client::request(&sock, "GET", "/metrics", None).unwrap();
    assert_eq!(resp.status, 200);
}

#[test]
fn socket_lifecycle() {
    let dir = TempDir::new();
    let path = dir.path("api.sock");

    // A stale socket (nobody listening) is replaced.
    drop(std::os::unix::net::UnixListener::bind(&path).unwrap());
    assert!(path.exists());
    let vmm: Arc<dyn ApiHandler> = Arc::new(FakeVmm::default());
    let srv = server::serve(&path, vmm.clone()).unwrap();
    assert_eq!(srv.path(), path);
    assert_eq!(
        client::request(&path, "GET", "/", None).unwrap().status,
        200
    );

    // A live one is not.
    let err = server::serve(&path, vmm.clone()).unwrap_err();
    assert!(matches!(err, ApiServerError::AddressInUse { .. }), "{err}");
    assert!(err.to_string().contains("already listening"), "{err}");
    assert_eq!(
        client::request(&path, "GET", "/", None).unwrap().status,
        200
    );

    // Dropping the server ends it and removes the socket.
    drop(srv);
    assert!(!path.exists());
    let err = client::request(&path, "GET", "/", None).unwrap_err();
    assert!(matches!(err, client::ClientError::Connect { .. }), "{err}");

    // Other files are never replaced.
    let file = dir.path("not-a-socket");
    std::fs::write(&file, b"precious").unwrap();
    let err = server::serve(&file, vmm.clone()).unwrap_err();
    assert!(matches!(err, ApiServerError::NotASocket { .. }), "{err}");
    assert_eq!(std::fs::read(&file).unwrap(), b"precious");

    // Too long a path is refused clearly.
    let long = dir.path(&"s".repeat(120));
    let err = server::serve(&long, vmm).unwrap_err();
    assert!(matches!(err, ApiServerError::PathTooLong { .. }), "{err}");
}

#[test]
fn server_restarts_on_the_same_path() {
    let dir = TempDir::new();
    let path = dir.path("api.sock");
    for _ in 0..3 {
        let srv = server::serve(&path, Arc::new(FakeVmm::default())).unwrap();
        assert_eq!(
            client::request(&path, "GET", "/vm/config", None)
                .unwrap()
                .status,
            200
        );
        drop(srv);
    }
}
