//! The VM lifecycle through the control API, with the Debian guest: pause
//! and resume, full and diff snapshots restored in new vireo processes,
//! clones on their own disk overlays, and refusal of damaged snapshot
//! files. Every API response is checked against `docs/api/openapi.yaml`.
//!
//! The guest program of these tests (`PROGRAM`) appends a numbered line
//! per step to a file in tmpfs (guest memory) and to a file on an ext4
//! disk, prints its progress, and at the end prints both files' md5 sums.
//! The expected sums are computed here, so a restored guest that lost or
//! repeated work, or whose memory and disk disagree, fails.

use crate::linux::{guest_files, workspace_root, Vireo};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;
use vireo_vmm::api::client;
use vireo_vmm::api::openapi_check;

const CMDLINE: &str = "console=ttyS0 vireo.modules=1";
/// Steps of the guest program, and how often it reports progress.
const STEPS: u32 = 1500;
const REPORT_EVERY: u32 = 100;

/// The guest program: one line per step to memory and disk, progress
/// lines `at N`, and finally `sums MEM DISK`.
fn program() -> String {
    format!(
        "mkdir -p /mnt && mount /dev/vda /mnt && i=1; while [ $i -le {STEPS} ]; do echo \"vireo-step-$i\" >>/tmp/mem.txt; echo \"vireo-step-$i\" >>/mnt/disk.txt; [ $((i % {REPORT_EVERY})) -eq 0 ] && echo \"at $i\"; i=$((i+1)); done; sync; echo \"sums $(md5sum </tmp/mem.txt | cut -c1-32) $(md5sum </mnt/disk.txt | cut -c1-32)\""
    )
}

/// The md5 both files must have at the end.
fn expected_sum() -> String {
    let text: String = (1..=STEPS).map(|i| format!("vireo-step-{i}\n")).collect();
    let out = Command::new("md5sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().expect("stdin").write_all(text.as_bytes())?;
            c.wait_with_output()
        })
        .expect("md5sum");
    String::from_utf8_lossy(&out.stdout)[..32].to_string()
}

struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let d = std::env::temp_dir().join(format!("vireo-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).expect("temp dir");
        Dir(d)
    }
    fn path(&self, f: &str) -> PathBuf {
        self.0.join(f)
    }
    fn s(&self, f: &str) -> String {
        self.path(f).to_str().expect("utf-8 path").to_string()
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn spec() -> &'static openapi_check::Spec {
    static SPEC: std::sync::OnceLock<openapi_check::Spec> = std::sync::OnceLock::new();
    SPEC.get_or_init(|| {
        openapi_check::load_spec(&workspace_root().join("docs/api/openapi.yaml"))
            .expect("docs/api/openapi.yaml")
    })
}

/// One API call; the response must match the OpenAPI document. Returns
/// (status, body).
fn api(sock: &Path, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let r = client::request(sock, method, path, body.as_ref())
        .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
    let v: Value = if r.body.trim().is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&r.body)
            .unwrap_or_else(|e| panic!("{method} {path}: bad JSON {e}: {}", r.body))
    };
    if let Err(e) = openapi_check::validate_response(spec(), method, path, r.status, &v) {
        panic!(
            "{method} {path} -> {} does not match docs/api/openapi.yaml: {e}\n{v}",
            r.status
        );
    }
    (r.status, v)
}

fn api_ok(sock: &Path, method: &str, path: &str, body: Option<Value>) -> Value {
    let (st, v) = api(sock, method, path, body);
    assert!((200..300).contains(&st), "{method} {path} failed: {st} {v}");
    v
}

fn wait_socket(sock: &Path, vm: &mut Vireo) {
    for _ in 0..500 {
        if client::request(sock, "GET", "/", None).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    vm.fail("the API socket never answered");
}

/// A fresh vireo waiting for a snapshot on `sock`.
fn waiting_vireo(sock: &Path) -> Vireo {
    waiting_vireo_with(sock, &[])
}

/// A fresh vireo with these extra `run` options waiting for a snapshot.
fn waiting_vireo_with(sock: &Path, extra: &[&str]) -> Vireo {
    let mut args = vec!["run", "--api-sock", sock.to_str().expect("path")];
    args.extend_from_slice(extra);
    let mut vm = Vireo::spawn(&args);
    wait_socket(sock, &mut vm);
    let info = api_ok(sock, "GET", "/", None);
    assert_eq!(info["state"], "Not started");
    vm
}

fn make_disk(path: &Path) {
    let f = std::fs::File::create(path).expect("disk");
    f.set_len(32 << 20).expect("disk size");
    let out = Command::new("mkfs.ext4")
        .args(["-q", "-F", path.to_str().expect("path")])
        .output()
        .expect("mkfs.ext4 (e2fsprogs)");
    assert!(
        out.status.success(),
        "mkfs.ext4: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn pause(sock: &Path) {
    api_ok(sock, "PATCH", "/vm", Some(json!({"state": "Paused"})));
}

fn resume(sock: &Path) {
    api_ok(sock, "PATCH", "/vm", Some(json!({"state": "Resumed"})));
}

/// Resume, jumping the guest clock forward by the time spent paused.
fn resume_catching_up(sock: &Path) {
    api_ok(
        sock,
        "PATCH",
        "/vm",
        Some(json!({"state": "Resumed", "wall_clock_catch_up": true})),
    );
}

/// 16 bytes the guest reads from `/dev/urandom` now, as 32 hex digits.
fn guest_random(vm: &mut Vireo) -> String {
    let out = vm.shell("head -c 16 /dev/urandom | od -An -v -tx1");
    let bytes: Vec<&str> = out.iter().flat_map(|l| l.split_whitespace()).collect();
    if bytes.len() != 16
        || !bytes
            .iter()
            .all(|b| b.len() == 2 && b.chars().all(|c| c.is_ascii_hexdigit()))
    {
        vm.fail(&format!("16 random bytes from the guest: got {out:?}"));
    }
    bytes.concat()
}

fn snapshot(sock: &Path, state: &Path, mem: &Path, kind: &str) {
    api_ok(
        sock,
        "PUT",
        "/snapshot/create",
        Some(json!({"snapshot_path": state, "mem_file_path": mem, "snapshot_type": kind})),
    );
}

/// The md5 sum of a file.
fn md5_of(path: &Path) -> String {
    let out = Command::new("md5sum").arg(path).output().expect("md5sum");
    assert!(out.status.success(), "md5sum {}", path.display());
    String::from_utf8_lossy(&out.stdout)[..32].to_string()
}

/// Hidden files (temporary names of snapshot files) in `dir`.
fn hidden_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect()
}

/// The sum of a per-vCPU counter over all vCPUs.
fn vcpu_sum(m: &Value, key: &str) -> u64 {
    m["vcpus"]
        .as_array()
        .map(|a| a.iter().map(|v| v[key].as_u64().unwrap_or(0)).sum())
        .unwrap_or(0)
}

fn load(sock: &Path, state: &Path, mem: &Path, extra: Value) -> (u16, Value) {
    let mut body = json!({"snapshot_path": state, "mem_file_path": mem, "resume_vm": true});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            b.insert(k.clone(), v.clone());
        }
    }
    api(sock, "PUT", "/snapshot/load", Some(body))
}

/// Wait for the program's final line and check both sums.
fn expect_correct_result(vm: &mut Vireo) {
    vm.wait_for("sums ");
    let line = vm.wait_for("\n");
    let want = expected_sum();
    assert_eq!(
        line.split_whitespace().collect::<Vec<_>>(),
        vec![want.as_str(), want.as_str()],
        "memory and disk contents after restore\n{}",
        vm.transcript()
    );
}

/// Full snapshot mid-program, restore in a new process, the program
/// finishes correctly; a diff snapshot later, merged onto the full one,
/// restores too; two clones on their own qcow2 overlays both finish; and
/// damaged state files are refused without touching anything.
#[test]
fn snapshots_restore_a_running_program_in_new_processes() {
    let (kernel, initrd) = guest_files();
    let d = Dir::new("snap");
    make_disk(&d.path("disk.img"));
    let sock = d.path("a.sock");
    let mut a = Vireo::spawn(&[
        "run",
        "--kernel",
        kernel.to_str().expect("path"),
        "--initrd",
        initrd.to_str().expect("path"),
        "--append",
        CMDLINE,
        "--mem",
        "256M",
        "--drive",
        &format!("file={},format=raw", d.s("disk.img")),
        "--api-sock",
        &d.s("a.sock"),
        "--track-dirty-pages",
    ]);
    a.wait_for_shell();
    wait_socket(&sock, &mut a);
    assert_eq!(api_ok(&sock, "GET", "/", None)["state"], "Running");
    a.send(&program());
    a.wait_for("at 300\r\n");

    // Full snapshot while the program runs; the VM goes on afterwards.
    pause(&sock);
    assert_eq!(api_ok(&sock, "GET", "/", None)["state"], "Paused");
    snapshot(&sock, &d.path("full.snap"), &d.path("full.mem"), "Full");
    // The disk as it was at the snapshot, for the clones.
    std::fs::copy(d.path("disk.img"), d.path("disk-at-full.img")).expect("copy disk");
    let m = api_ok(&sock, "GET", "/metrics", None);
    assert!(
        m["vcpus"][0]["instret"].as_u64().unwrap_or(0) > 1_000_000,
        "{m}"
    );
    // The default engine translates: regions were translated and ran.
    for key in ["jit_blocks_translated", "jit_insns_translated", "jit_insns"] {
        assert!(vcpu_sum(&m, key) > 0, "{key}: {m}");
    }
    assert!(vcpu_sum(&m, "jit_insns") <= vcpu_sum(&m, "instret"), "{m}");
    assert!(m["vcpus"][0]["code_pages_dropped"].is_u64(), "{m}");
    assert!(
        m["lifecycle"]["snapshot_pages_written"]
            .as_u64()
            .unwrap_or(0)
            > 100,
        "{m}"
    );
    resume(&sock);
    a.wait_for("at 800\r\n");

    pause(&sock);
    // Snapshots over the full snapshot's names that fail at the state
    // file, after the memory file is written: while writing it (a
    // directory holds its temporary name, `.NAME.tmp-PID`), and when
    // renaming it into place (its final name is a directory). Each leaves
    // the full snapshot as it was and no temporary file, and gives back
    // the dirty pages it took: the diff below must still hold them all
    // (the merged restore checks the program's results).
    let full_snap = std::fs::read(d.path("full.snap")).expect("state file");
    let full_mem = md5_of(&d.path("full.mem"));
    let blocker = format!(".full.snap.tmp-{}", a.pid());
    std::fs::create_dir(d.path(&blocker)).expect("blocker");
    std::fs::create_dir(d.path("dir.snap")).expect("dir.snap");
    for state in ["full.snap", "dir.snap"] {
        for kind in ["Full", "Diff"] {
            let (st, v) = api(
                &sock,
                "PUT",
                "/snapshot/create",
                Some(
                    json!({"snapshot_path": d.path(state), "mem_file_path": d.path("full.mem"),
                            "snapshot_type": kind}),
                ),
            );
            assert!(st >= 400, "{state} {kind}: {v}");
            assert_eq!(
                std::fs::read(d.path("full.snap")).expect("state file"),
                full_snap,
                "{state} {kind}: the old state file changed"
            );
            assert_eq!(
                md5_of(&d.path("full.mem")),
                full_mem,
                "{state} {kind}: the old memory file changed"
            );
            assert_eq!(hidden_files(&d.0), vec![blocker.clone()], "{state} {kind}");
            assert_eq!(api_ok(&sock, "GET", "/", None)["state"], "Paused");
        }
    }
    std::fs::remove_dir(d.path(&blocker)).expect("blocker");
    std::fs::remove_dir(d.path("dir.snap")).expect("dir.snap");

    // Diff snapshot: only pages written since the full one.
    snapshot(&sock, &d.path("diff.snap"), &d.path("diff.mem"), "Diff");
    assert!(hidden_files(&d.0).is_empty(), "{:?}", hidden_files(&d.0));
    let m = api_ok(&sock, "GET", "/metrics", None);
    let diff_pages = m["lifecycle"]["snapshot_pages_written"]
        .as_u64()
        .unwrap_or(0);
    assert!(
        diff_pages > 0 && diff_pages < (256 << 20) / 4096 / 2,
        "diff wrote {diff_pages} pages"
    );
    std::fs::copy(d.path("disk.img"), d.path("disk-at-diff.img")).expect("copy disk");
    // The original still runs after the failed and the good snapshots;
    // nothing it does now can touch the copies.
    resume(&sock);
    a.wait_for("at 900\r\n");
    drop(a);

    // A diff memory file alone is refused with a message saying to merge.
    let sock_b = d.path("b.sock");
    let mut b = waiting_vireo(&sock_b);
    let (st, v) = load(
        &sock_b,
        &d.path("diff.snap"),
        &d.path("diff.mem"),
        json!({}),
    );
    assert_eq!(st, 400, "{v}");
    assert!(
        v["fault_message"].as_str().unwrap_or("").contains("merge"),
        "{v}"
    );
    assert_eq!(api_ok(&sock_b, "GET", "/", None)["state"], "Not started");

    // Merge the diff onto (a copy of) the full memory and restore it.
    let merged = d.path("merged.mem");
    let out = Command::new(env!("CARGO_BIN_EXE_vireo"))
        .args([
            "snapshot",
            "merge",
            "--base",
            &d.s("full.mem"),
            "--diff",
            &d.s("diff.mem"),
            "--output",
            &d.s("merged.mem"),
        ])
        .output()
        .expect("vireo snapshot merge");
    assert!(
        out.status.success(),
        "merge: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (st, v) = load(
        &sock_b,
        &d.path("diff.snap"),
        &merged,
        json!({"drive_overrides": [{"drive_id": "drive0", "path_on_host": d.path("disk-at-diff.img")}]}),
    );
    assert_eq!(st, 204, "{v}\n{}", b.transcript());
    b.wait_for("at 900\r\n");
    expect_correct_result(&mut b);
    let m = api_ok(&sock_b, "GET", "/metrics", None);
    let us = m["lifecycle"]["restore_to_first_insn_us"]
        .as_u64()
        .unwrap_or(0);
    assert!(us > 0, "restore latency recorded: {m}");
    drop(b);

    // Two clones of the full snapshot, each on its own qcow2 overlay of
    // the disk as it was then, run side by side.
    let mut clones = Vec::new();
    let mut random = Vec::new();
    for i in 0..2 {
        let overlay = d.path(&format!("clone{i}.qcow2"));
        let out = Command::new("qemu-img")
            .args([
                "create",
                "-q",
                "-f",
                "qcow2",
                "-F",
                "raw",
                "-b",
                &d.s("disk-at-full.img"),
                overlay.to_str().expect("path"),
            ])
            .output()
            .expect("qemu-img (qemu-utils)");
        assert!(
            out.status.success(),
            "qemu-img: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let s = d.path(&format!("c{i}.sock"));
        // The second clone runs with the interpreter: a restore runs the
        // way the restoring vireo was asked to, whatever the snapshotted
        // one used.
        let extra: &[&str] = if i == 1 { &["--engine", "interp"] } else { &[] };
        let c = waiting_vireo_with(&s, extra);
        let (st, v) = load(
            &s,
            &d.path("full.snap"),
            &d.path("full.mem"),
            json!({"drive_overrides": [{"drive_id": "drive0", "path_on_host": overlay}]}),
        );
        assert_eq!(st, 204, "{v}\n{}", c.transcript());
        clones.push((c, s));
    }
    for (i, (c, s)) in clones.iter_mut().enumerate() {
        c.wait_for("at 400\r\n");
        expect_correct_result(c);
        let m = api_ok(s, "GET", "/metrics", None);
        assert!(vcpu_sum(&m, "instret") > 0, "{m}");
        let translated = vcpu_sum(&m, "jit_blocks_translated");
        if i == 1 {
            assert_eq!(translated, 0, "the interpreter clone translated: {m}");
            assert_eq!(vcpu_sum(&m, "jit_insns"), 0, "{m}");
        } else {
            assert!(translated > 0, "the JIT clone translated nothing: {m}");
        }
        // The VM generation ID changed at the restore: Linux's vmgenid
        // driver reseeded the RNG, so clones do not share random numbers.
        assert!(
            c.stdout().contains("virtual machine fork"),
            "no RNG reseed after the restore\n{}",
            c.transcript()
        );
        random.push(guest_random(c));
    }
    // Both clones restored the same memory, RNG state included, yet what
    // they read from /dev/urandom after the restore differs.
    assert_ne!(
        random[0], random[1],
        "two clones of one snapshot read the same random bytes"
    );
    drop(clones);

    // Damaged state files are refused, and nothing is overwritten.
    let good = std::fs::read(d.path("full.snap")).expect("state file");
    let mem_before = std::fs::metadata(d.path("full.mem"))
        .expect("mem")
        .modified()
        .ok();
    let mut corrupt = good.clone();
    let n = corrupt.len();
    corrupt[n - 10] ^= 0x40;
    let mut wrong_version = good.clone();
    wrong_version[8] = 99;
    let cases: [(&str, Vec<u8>, &str); 4] = [
        ("corrupt.snap", corrupt, "checksum"),
        (
            "truncated.snap",
            good[..good.len() / 2].to_vec(),
            "truncated",
        ),
        ("version.snap", wrong_version, "version 99"),
        (
            "garbage.snap",
            b"not a snapshot at all".to_vec(),
            "not a vireo",
        ),
    ];
    let sock_e = d.path("e.sock");
    let _e = waiting_vireo(&sock_e);
    for (name, bytes, words) in cases {
        let p = d.path(name);
        std::fs::write(&p, &bytes).expect("write case");
        let (st, v) = load(&sock_e, &p, &d.path("full.mem"), json!({}));
        assert_eq!(st, 400, "{name}: {v}");
        let msg = v["fault_message"].as_str().unwrap_or("");
        assert!(
            msg.contains(words),
            "{name}: message {msg:?} should say {words:?}"
        );
        assert_eq!(
            std::fs::read(&p).expect("case"),
            bytes,
            "{name} was modified"
        );
        assert_eq!(api_ok(&sock_e, "GET", "/", None)["state"], "Not started");
    }
    assert_eq!(std::fs::read(d.path("full.snap")).expect("state"), good);
    assert_eq!(
        std::fs::metadata(d.path("full.mem"))
            .expect("mem")
            .modified()
            .ok(),
        mem_before
    );
}

/// A failed snapshot (unwritable destination) leaves the VM running and
/// leaves no file behind; pause and resume keep a TCP transfer through a
/// port forward intact; the guest clock skips the paused time, unless the
/// resume asks for wall-clock catch-up.
#[test]
fn pause_resume_keeps_a_tcp_transfer_and_failed_snapshots_change_nothing() {
    use std::io::{Read, Write};
    let (kernel, initrd) = guest_files();
    let d = Dir::new("pause");
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
        l.local_addr().expect("addr").port()
    };
    let sock = d.path("p.sock");
    let mut vm = Vireo::spawn(&[
        "run",
        "--kernel",
        kernel.to_str().expect("path"),
        "--initrd",
        initrd.to_str().expect("path"),
        "--append",
        CMDLINE,
        "--net",
        &format!("user,hostfwd=tcp::{port}-:8080"),
        "--api-sock",
        &d.s("p.sock"),
    ]);
    vm.wait_for_shell();
    wait_socket(&sock, &mut vm);
    // A page of 200000 numbered lines served by busybox httpd.
    vm.shell(&format!("{} >/dev/null 2>&1", crate::virtio_net::UDHCPC));
    let served =
        vm.shell("mkdir -p /www && seq 1 200000 >/www/big && httpd -p 8080 -h /www && echo served");
    assert_eq!(served, vec!["served"], "{}", vm.transcript());
    let want: String = (1..=200000).map(|i| format!("{i}\n")).collect();

    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect to the forward");
    s.set_read_timeout(Some(Duration::from_secs(120)))
        .expect("timeout");
    s.write_all(b"GET /big HTTP/1.0\r\n\r\n").expect("request");
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while got.len() < 64 * 1024 {
        let n = s.read(&mut buf).expect("read before the pause");
        assert!(n > 0, "the transfer ended early");
        got.extend_from_slice(&buf[..n]);
    }
    let uptime = |vm: &mut Vireo| -> f64 {
        let out = vm.shell("cut -d' ' -f1 /proc/uptime");
        out.first()
            .and_then(|l| l.parse().ok())
            .unwrap_or_else(|| vm.fail("no uptime"))
    };
    pause(&sock);
    // While paused: a snapshot into a missing directory fails cleanly.
    let (st, v) = api(
        &sock,
        "PUT",
        "/snapshot/create",
        Some(
            json!({"snapshot_path": d.path("nope/x.snap"), "mem_file_path": d.path("nope/x.mem")}),
        ),
    );
    assert!(st >= 400, "{v}");
    assert!(!d.path("nope").exists());
    // Snapshots need a paused VM; creating one while running is refused.
    std::thread::sleep(Duration::from_millis(500));
    resume(&sock);
    let (st, v) = api(
        &sock,
        "PUT",
        "/snapshot/create",
        Some(json!({"snapshot_path": d.path("r.snap"), "mem_file_path": d.path("r.mem")})),
    );
    assert_eq!(st, 400, "{v}");
    assert!(
        v["fault_message"].as_str().unwrap_or("").contains("paused"),
        "{v}"
    );
    s.read_to_end(&mut got).expect("read after the resume");
    let text = String::from_utf8_lossy(&got);
    let body = text.split("\r\n\r\n").nth(1).unwrap_or("");
    assert!(
        body == want,
        "the page arrived damaged ({} of {} bytes)",
        body.len(),
        want.len()
    );
    // The guest clock does not jump by the time spent paused (4 s here):
    // between two readings of the guest's uptime, the guest clock advances
    // by the host time between them less the pause (uptime has 10 ms
    // steps; the margin only absorbs rounding).
    const PAUSED: f64 = 4.0;
    let host = std::time::Instant::now();
    let before = uptime(&mut vm);
    pause(&sock);
    std::thread::sleep(Duration::from_secs_f64(PAUSED));
    resume(&sock);
    let after = uptime(&mut vm);
    let host_secs = host.elapsed().as_secs_f64();
    assert!(
        after >= before && after - before <= host_secs - PAUSED + 0.1,
        "the guest clock jumped over a {PAUSED} s pause: {before} -> {after} \
         in {host_secs:.2} s of host time"
    );
    // Resumed with wall-clock catch-up, the guest clock jumps forward by
    // the paused time: it advances by at least the pause, and by no more
    // than the host time.
    let host = std::time::Instant::now();
    let before = uptime(&mut vm);
    pause(&sock);
    std::thread::sleep(Duration::from_secs_f64(PAUSED));
    resume_catching_up(&sock);
    let after = uptime(&mut vm);
    let host_secs = host.elapsed().as_secs_f64();
    assert!(
        after - before >= PAUSED - 0.02 && after - before <= host_secs + 0.1,
        "the guest clock did not catch up over a {PAUSED} s pause: {before} -> {after} \
         in {host_secs:.2} s of host time"
    );
    // The guest's timers still work after the jump.
    assert_eq!(vm.shell("sleep 1 && echo slept"), vec!["slept"]);
    // Metrics count the network traffic.
    let m = api_ok(&sock, "GET", "/metrics", None);
    let net = m["devices"]
        .as_array()
        .and_then(|a| a.iter().find(|d| d["kind"] == "net"))
        .cloned()
        .unwrap_or(Value::Null);
    assert!(
        net["counters"]["tx_bytes"].as_u64().unwrap_or(0) > want.len() as u64,
        "{m}"
    );
    // The guest still works, and powers off through the API.
    assert_eq!(vm.shell("echo alive"), vec!["alive"]);
    api_ok(
        &sock,
        "PUT",
        "/actions",
        Some(json!({"action_type": "Poweroff"})),
    );
    let status = vm.wait_exit();
    assert_eq!(status.code(), Some(0), "{}", vm.transcript());
}

/// The same VM from a `--config` file, and configured step by step through
/// the API; requests that do not fit the VM's state are refused.
#[test]
fn vms_configured_by_file_and_by_api_boot() {
    let (kernel, initrd) = guest_files();
    let d = Dir::new("config");
    let vm = json!({
        "boot-source": {"kernel_image_path": kernel, "initrd_path": initrd,
                        "boot_args": "console=ttyS0 vireo.poweroff=1"},
        "machine-config": {"vcpu_count": 2, "mem_size_mib": 256}
    });
    std::fs::write(d.path("vm.json"), vm.to_string()).expect("config file");
    let mut a = Vireo::spawn(&["run", "--config", &d.s("vm.json")]);
    let banner = {
        a.wait_for("vireo guest ready:");
        a.wait_for("\n")
    };
    assert!(
        banner.contains(", 2 cpus,"),
        "the config file asked for 2 vCPUs: {banner}"
    );
    let st = a.wait_exit();
    assert_eq!(st.code(), Some(0), "{}", a.transcript());

    let sock = d.path("api.sock");
    let mut b = waiting_vireo(&sock);
    // Starting without a kernel is refused and says what is missing.
    let (st, v) = api(
        &sock,
        "PUT",
        "/actions",
        Some(json!({"action_type": "InstanceStart"})),
    );
    assert_eq!(st, 400, "{v}");
    assert!(
        v["fault_message"].as_str().unwrap_or("").contains("kernel"),
        "{v}"
    );
    let (st, _) = api(&sock, "PATCH", "/vm", Some(json!({"state": "Paused"})));
    assert_eq!(st, 400, "pausing a VM that never started");
    api_ok(
        &sock,
        "PUT",
        "/machine-config",
        Some(json!({"vcpu_count": 2, "mem_size_mib": 256})),
    );
    api_ok(
        &sock,
        "PUT",
        "/boot-source",
        Some(json!({
        "kernel_image_path": kernel, "initrd_path": initrd, "boot_args": "console=ttyS0"})),
    );
    assert_eq!(
        api_ok(&sock, "GET", "/machine-config", None)["vcpu_count"],
        2
    );
    api_ok(
        &sock,
        "PUT",
        "/actions",
        Some(json!({"action_type": "InstanceStart"})),
    );
    b.wait_for_shell();
    assert_eq!(b.shell("grep -c ^processor /proc/cpuinfo"), vec!["2"]);
    // Configuration is fixed once the VM runs.
    let (st, v) = api(
        &sock,
        "PUT",
        "/machine-config",
        Some(json!({"vcpu_count": 1, "mem_size_mib": 128})),
    );
    assert_eq!(st, 400, "{v}");
    let (st, _) = api(
        &sock,
        "PUT",
        "/actions",
        Some(json!({"action_type": "InstanceStart"})),
    );
    assert_eq!(st, 400, "a second start");
    let (st, _) = api(
        &sock,
        "PUT",
        "/snapshot/load",
        Some(json!({
        "snapshot_path": d.path("x.snap"), "mem_file_path": d.path("x.mem")})),
    );
    assert_eq!(st, 400, "loading into a running VM");
    api_ok(
        &sock,
        "PUT",
        "/actions",
        Some(json!({"action_type": "SendCtrlAltDel"})),
    );
    let st = b.wait_exit();
    assert_eq!(st.code(), Some(0), "{}", b.transcript());
    assert!(!sock.exists(), "the API socket is removed at exit");
}
