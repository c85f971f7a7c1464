//! virtio-rng and virtio-console with the Debian guest.
//!
//! - Every machine has a virtio-rng device (unless `--no-rng`): with the
//!   modules loaded (`vireo.modules=1`), Linux makes it the hardware RNG
//!   (`/sys/class/misc/hw_random/rng_current` names `virtio_rng`) and
//!   `/dev/hwrng` gives random bytes.
//! - `--virtio-console file=PATH` gives the guest `/dev/hvc0`, whose output
//!   lands in PATH.
//! - `--virtio-console stdio` with `console=hvc0` runs the guest's shell on
//!   hvc0, so the test talks to it through vireo's standard input and
//!   output: both directions of the console.
//!
//! Waits are for output markers, guarded by the harness's watchdog.

use crate::linux::Vireo;
use std::path::{Path, PathBuf};

const BANNER: &str = "vireo guest ready:";
const PROMPT: &str = "vireo:/# ";

/// The guest kernel and initramfs (provisioned on first use when missing).
fn guest() -> (String, String) {
    let (kernel, initrd) = crate::linux::guest_files();
    (
        kernel.to_str().expect("path").to_string(),
        initrd.to_str().expect("path").to_string(),
    )
}

/// Boot the guest with this kernel command line and extra arguments.
fn boot(cmdline: &str, extra: &[&str]) -> Vireo {
    let (kernel, initrd) = guest();
    let mut args = vec![
        "run", "--kernel", &kernel, "--initrd", &initrd, "--append", cmdline,
    ];
    args.extend_from_slice(extra);
    Vireo::spawn(&args)
}

/// A file name in the test's scratch space, unique to this process.
fn scratch_file(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("virtio-misc");
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir.join(format!("{name}-{}", std::process::id()))
}

/// The guest's hardware RNG is virtio-rng and gives random bytes; text
/// written to /dev/hvc0 arrives in the `--virtio-console` file.
#[test]
fn virtio_rng_feeds_hwrng_and_hvc0_writes_to_a_host_file() {
    // Arrange
    let out = scratch_file("hvc0.log");
    let _ = std::fs::remove_file(&out);
    let spec = format!("file={}", out.display());
    let mut vm = boot(
        "console=ttyS0 vireo.modules=1",
        &["--virtio-console", &spec],
    );
    vm.wait_for(BANNER);
    vm.wait_for(PROMPT);

    // Act
    let rng = vm.shell("cat /sys/class/misc/hw_random/rng_current");
    let bytes = vm.shell("head -c 4096 /dev/hwrng | wc -c");
    let distinct = vm.shell(
        "head -c 4096 /dev/hwrng | od -An -v -tx1 | tr ' ' '\\n' | grep . | sort -u | wc -l",
    );
    let hvc = vm.shell("echo hello-from-hvc0 >/dev/hvc0 && echo written");
    vm.send("poweroff -f");
    let status = vm.wait_exit();
    let host_text = std::fs::read_to_string(&out).unwrap_or_default();
    let _ = std::fs::remove_file(&out);

    // Assert
    let transcript = vm.transcript();
    assert!(
        rng.iter().any(|l| l.starts_with("virtio_rng")),
        "rng_current: {rng:?}\n{transcript}"
    );
    assert_eq!(bytes, ["4096"], "bytes read from /dev/hwrng\n{transcript}");
    let distinct: u32 = distinct
        .first()
        .and_then(|l| l.parse().ok())
        .unwrap_or_else(|| panic!("distinct byte count: {distinct:?}\n{transcript}"));
    // 4096 random bytes hit nearly all 256 values; a stuck source hits few.
    assert!(distinct > 200, "only {distinct} distinct byte values");
    assert_eq!(hvc, ["written"], "{transcript}");
    // hvc0 is a tty: its line discipline turns "\n" into "\r\n" (ONLCR).
    assert_eq!(host_text, "hello-from-hvc0\r\n", "{transcript}");
    assert_eq!(status.code(), Some(0), "{transcript}");
}

/// With `console=hvc0` and `--virtio-console stdio`, the guest's shell
/// runs on hvc0: vireo's standard input reaches it and its output comes
/// back on standard output.
#[test]
fn a_shell_runs_on_hvc0_over_stdio() {
    // Arrange
    let mut vm = boot("console=hvc0", &["--virtio-console", "stdio"]);
    vm.wait_for(BANNER);
    vm.wait_for(PROMPT);

    // Act
    let tty = vm.shell("tty");
    let sum = vm.shell("echo $((6*7))");
    vm.send("poweroff -f");
    let status = vm.wait_exit();

    // Assert
    let transcript = vm.transcript();
    assert_eq!(tty, ["/dev/hvc0"], "{transcript}");
    assert_eq!(sum, ["42"], "{transcript}");
    assert_eq!(status.code(), Some(0), "{transcript}");
}
