//! Bad input on the command line: every mistake gets a clear message on
//! stderr and exit status 2 (usage, configuration or load error), never a
//! panic and never a started guest.

use crate::linux::Vireo;
use std::path::PathBuf;
use std::time::Duration;

/// Exit status for usage, configuration and load errors.
const EXIT_USAGE: i32 = 2;
/// Exit status when `--max-insns` ran out.
const EXIT_INSN_LIMIT: i32 = 3;

/// A scratch file under Cargo's per-test-binary temporary directory.
fn scratch_file(name: &str, contents: &[u8]) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli");
    std::fs::create_dir_all(&dir).expect("scratch directory");
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("scratch file");
    path
}

/// `len` deterministic pseudo-random bytes (xorshift64).
fn random_bytes(len: usize) -> Vec<u8> {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 32) as u8
        })
        .collect()
}

/// A tiny bare-metal program (`wfi; j .-4`) to use as a kernel where the
/// kernel is not what a test is about.
fn tiny_kernel() -> PathBuf {
    let mut code = 0x1050_0073u32.to_le_bytes().to_vec();
    code.extend_from_slice(&0xffdf_f06fu32.to_le_bytes());
    scratch_file("tiny-kernel.bin", &code)
}

/// Longest wait for vireo to exit: these runs stop at once (or at a small
/// `--max-insns`), so this only catches a hang.
const WATCHDOG: Duration = Duration::from_secs(60);

/// Run `vireo` with `args` and return it once it exited.
fn vireo(args: &[&str]) -> (Vireo, i32) {
    let mut vm = Vireo::spawn(args).with_watchdog(WATCHDOG);
    let status = vm.wait_exit();
    let code = status.code().unwrap_or_else(|| {
        panic!(
            "vireo was killed by a signal ({status})\n{}",
            vm.transcript()
        )
    });
    (vm, code)
}

/// Assert that vireo with `args` exits with status 2 without panicking and
/// says all of `words` (case-insensitive) on stderr.
fn assert_rejected(args: &[&str], words: &[&str]) {
    // Act
    let (vm, code) = vireo(args);

    // Assert
    let stderr = vm.stderr();
    assert!(
        !stderr.contains("panicked"),
        "vireo panicked\n{}",
        vm.transcript()
    );
    assert_eq!(
        code,
        EXIT_USAGE,
        "expected exit status {EXIT_USAGE}\n{}",
        vm.transcript()
    );
    let lower = stderr.to_lowercase();
    for word in words {
        assert!(
            lower.contains(&word.to_lowercase()),
            "stderr does not say {word:?}\n{}",
            vm.transcript()
        );
    }
    assert!(
        vm.stdout().is_empty(),
        "the guest printed something: it should never have started\n{}",
        vm.transcript()
    );
}

/// A kernel path that does not exist is named in the error.
#[test]
fn missing_kernel_file_is_rejected() {
    assert_rejected(
        &["run", "--kernel", "/nonexistent/vireo-test/Image"],
        &["cannot read", "/nonexistent/vireo-test/Image"],
    );
}

/// An empty kernel file is rejected as empty.
#[test]
fn empty_kernel_file_is_rejected() {
    let kernel = scratch_file("empty-kernel", &[]);
    assert_rejected(
        &["run", "--kernel", kernel.to_str().unwrap()],
        &["empty", kernel.to_str().unwrap()],
    );
}

/// A file that starts like an ELF but is cut inside its header is corrupt,
/// not a flat binary.
#[test]
fn truncated_elf_header_is_rejected_as_corrupt() {
    let riscv_elf_start = [
        0x7f, b'E', b'L', b'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 243, 0,
    ];
    let kernel = scratch_file("truncated-elf", &riscv_elf_start);
    assert_rejected(
        &["run", "--kernel", kernel.to_str().unwrap()],
        &["corrupt", kernel.to_str().unwrap()],
    );
}

/// The ELF magic followed by random bytes is corrupt.
#[test]
fn elf_magic_with_random_body_is_rejected_as_corrupt() {
    let mut bytes = b"\x7fELF".to_vec();
    bytes.extend(random_bytes(4096));
    let kernel = scratch_file("random-elf", &bytes);
    assert_rejected(
        &["run", "--kernel", kernel.to_str().unwrap()],
        &[kernel.to_str().unwrap()],
    );
}

/// Random bytes without any header cannot be told from a flat binary, so
/// vireo runs them: the guest executes garbage and takes traps, which is
/// not a host error — the run ends at the `--max-insns` limit, without a
/// panic.
#[test]
fn random_bytes_kernel_runs_as_flat_binary_without_panicking() {
    // Arrange
    let kernel = scratch_file("random-kernel", &random_bytes(64 << 10));

    // Act
    let (vm, code) = vireo(&[
        "run",
        "--kernel",
        kernel.to_str().unwrap(),
        "--max-insns",
        "2000000",
    ]);

    // Assert
    assert!(
        !vm.stderr().contains("panicked"),
        "vireo panicked\n{}",
        vm.transcript()
    );
    assert_eq!(code, EXIT_INSN_LIMIT, "{}", vm.transcript());
}

/// An x86-64 program is recognised as an ELF for another machine.
#[test]
fn x86_64_elf_kernel_is_rejected_as_not_risc_v() {
    assert_rejected(
        &["run", "--kernel", "/bin/true"],
        &["/bin/true", "not RISC-V", "x86-64"],
    );
}

/// An initrd larger than guest RAM is refused, naming the file and the fix.
#[test]
fn initrd_larger_than_ram_is_rejected() {
    let kernel = tiny_kernel();
    let initrd = scratch_file("initrd-20M", &vec![0x5a; 20 << 20]);
    assert_rejected(
        &[
            "run",
            "--kernel",
            kernel.to_str().unwrap(),
            "--initrd",
            initrd.to_str().unwrap(),
            "--mem",
            "16M",
        ],
        &[initrd.to_str().unwrap(), "20.0 MiB", "more memory"],
    );
}

/// A bare-metal program bigger than RAM is refused, naming the file and the fix.
#[test]
fn bare_metal_program_larger_than_ram_is_rejected() {
    let program = scratch_file("flat-3M.bin", &vec![0x13; 3 << 20]);
    assert_rejected(
        &[
            "run",
            "--bios",
            "none",
            "--kernel",
            program.to_str().unwrap(),
            "--mem",
            "2M",
        ],
        &[program.to_str().unwrap(), "more memory"],
    );
}

/// `--mem 0` is below the minimum.
#[test]
fn zero_memory_is_rejected() {
    let kernel = tiny_kernel();
    assert_rejected(
        &["run", "--kernel", kernel.to_str().unwrap(), "--mem", "0"],
        &["--mem", "at least 2 MiB"],
    );
}

/// `--mem lots` is not a size.
#[test]
fn memory_size_that_is_not_a_number_is_rejected() {
    let kernel = tiny_kernel();
    assert_rejected(
        &["run", "--kernel", kernel.to_str().unwrap(), "--mem", "lots"],
        &["--mem", "lots"],
    );
}

/// `--cpus 0` and `--cpus 1000` are outside 1..=64.
#[test]
fn cpu_counts_out_of_range_are_rejected() {
    let kernel = tiny_kernel();
    for cpus in ["0", "1000"] {
        assert_rejected(
            &["run", "--kernel", kernel.to_str().unwrap(), "--cpus", cpus],
            &["--cpus", "between 1 and 64", cpus],
        );
    }
}

/// A firmware path that does not exist is named in the error.
#[test]
fn missing_firmware_file_is_rejected() {
    let kernel = tiny_kernel();
    assert_rejected(
        &[
            "run",
            "--kernel",
            kernel.to_str().unwrap(),
            "--bios",
            "/nonexistent",
        ],
        &["--bios", "/nonexistent", "does not exist"],
    );
}

/// Without `--kernel` (and without a firmware file) there is nothing to run.
#[test]
fn missing_kernel_option_is_rejected() {
    assert_rejected(&["run"], &["no kernel", "--kernel"]);
}

/// SIGTERM powers the guest off in an orderly way (images closed) and vireo
/// exits with 128 + 15, saying why.
#[test]
fn sigterm_stops_the_guest_cleanly() {
    // Arrange: a bare-metal program that spins forever (`j .`).
    let spin = scratch_file("spin.bin", &0x0000_006fu32.to_le_bytes());
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_vireo"))
        .args(["run", "--bios", "none", "--mem", "16M", "--kernel"])
        .arg(&spin)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start vireo");
    std::thread::sleep(Duration::from_millis(500));

    // Act
    // SAFETY: kill() with a child pid we own.
    let rc = unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let out = child.wait_with_output().expect("wait for vireo");

    // Assert
    assert_eq!(rc, 0);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(143), "stderr: {stderr}");
    assert!(stderr.contains("stopped by signal 15"), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "stderr: {stderr}");
}
