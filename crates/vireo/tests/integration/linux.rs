//! Linux guests on vireo: Debian's riscv64 kernel and the busybox initramfs
//! that `guest/provision.sh` builds (`guest/out/Image`,
//! `guest/out/initrd.cpio.gz`), driven through the serial console.
//!
//! The guest's `/init` prints a banner starting `vireo guest ready:` and then
//! runs a shell on the console (prompt `vireo:/# `). A test boots the guest
//! with its console on pipes (see [`Vireo`]), types commands and waits for
//! their output. Nothing is paced by sleeping: every wait is for an output
//! marker, guarded by a generous watchdog ([`WATCHDOG`]) that only catches
//! hangs — when it fires, the test fails and prints all the output so far.
//!
//! When the guest files are missing, the tests run `guest/provision.sh`
//! (once) to build them: a missing guest is a failure, never a skip.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Longest wait for one output marker or for the exit: a hang guard, far
/// above what any step needs (a boot takes 10-40 s).
const WATCHDOG: Duration = Duration::from_secs(600);

/// The first words of the line `/init` prints once userspace runs.
const BANNER: &str = "vireo guest ready:";
/// The guest shell's prompt (`PS1='vireo:\w# '` in `/etc/profile`).
const PROMPT: &str = "vireo:/# ";
/// The kernel command line of every test boot.
const CMDLINE: &str = "console=ttyS0";
/// Debian's OpenSBI builds for QEMU's `virt` (package `opensbi`).
const OPENSBI_DIR: &str = "/usr/lib/riscv64-linux-gnu/opensbi/generic";
/// Exit status of vireo when the guest reboots under `--no-reboot`.
const EXIT_REBOOT: i32 = 4;

// ---- the harness ----------------------------------------------------------

/// The `vireo` binary under test: `VIREO_BIN`, or the one Cargo built.
fn vireo_bin() -> PathBuf {
    match std::env::var_os("VIREO_BIN") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_BIN_EXE_vireo")),
    }
}

pub(crate) fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root")
}

/// The guest kernel and initramfs, provisioned on first use when missing.
pub(crate) fn guest_files() -> &'static (PathBuf, PathBuf) {
    static FILES: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    FILES.get_or_init(|| {
        let root = workspace_root();
        let kernel = root.join("guest/out/Image");
        let initrd = root.join("guest/out/initrd.cpio.gz");
        if !kernel.is_file() || !initrd.is_file() {
            let status = Command::new(root.join("guest/provision.sh"))
                .current_dir(&root)
                .status()
                .expect("cannot run guest/provision.sh");
            assert!(status.success(), "guest/provision.sh failed: {status}");
        }
        assert!(
            kernel.is_file(),
            "{} missing after provisioning",
            kernel.display()
        );
        assert!(
            initrd.is_file(),
            "{} missing after provisioning",
            initrd.display()
        );
        (kernel, initrd)
    })
}

/// Bytes read from one of vireo's output pipes, shared with its reader
/// thread.
#[derive(Default)]
struct Stream {
    state: Mutex<StreamState>,
    grew: Condvar,
}

#[derive(Default)]
struct StreamState {
    bytes: Vec<u8>,
    /// The pipe reached end of file (vireo exited or closed it).
    closed: bool,
}

impl Stream {
    /// Start a thread that appends everything `pipe` delivers.
    fn collect(pipe: impl Read + Send + 'static) -> Arc<Stream> {
        let stream = Arc::new(Stream::default());
        let sink = stream.clone();
        thread::spawn(move || {
            let mut pipe = pipe;
            let mut buf = [0u8; 4096];
            loop {
                let n = match pipe.read(&mut buf) {
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    read => read.unwrap_or(0),
                };
                let mut state = sink.state.lock().expect("stream lock");
                if n == 0 {
                    state.closed = true;
                } else {
                    state.bytes.extend_from_slice(&buf[..n]);
                }
                sink.grew.notify_all();
                if n == 0 {
                    return;
                }
            }
        });
        stream
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.state.lock().expect("stream lock").bytes).into_owned()
    }
}

/// A running `vireo` with its console (stdin/stdout) and stderr on pipes.
/// Dropping it kills the process if it still runs.
pub(crate) struct Vireo {
    args: Vec<String>,
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: Arc<Stream>,
    stderr: Arc<Stream>,
    /// How much of stdout `wait_for` has consumed.
    seen: usize,
    /// Commands run by `shell`, to number their markers.
    commands: u32,
    status: Option<ExitStatus>,
    /// Longest wait for one marker, or for the exit.
    watchdog: Duration,
}

impl Vireo {
    /// Start `vireo` with these arguments.
    pub(crate) fn spawn(args: &[&str]) -> Vireo {
        let mut child = Command::new(vireo_bin())
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", vireo_bin().display()));
        let stdout = Stream::collect(child.stdout.take().expect("stdout pipe"));
        let stderr = Stream::collect(child.stderr.take().expect("stderr pipe"));
        Vireo {
            args: args.iter().map(|a| a.to_string()).collect(),
            stdin: child.stdin.take(),
            child,
            stdout,
            stderr,
            seen: 0,
            commands: 0,
            status: None,
            watchdog: WATCHDOG,
        }
    }

    /// Use another hang guard than [`WATCHDOG`].
    pub(crate) fn with_watchdog(mut self, watchdog: Duration) -> Vireo {
        self.watchdog = watchdog;
        self
    }

    /// Boot the test guest (`vireo run --kernel Image --initrd ...`) with
    /// these extra arguments.
    fn boot_linux(extra: &[&str]) -> Vireo {
        let (kernel, initrd) = guest_files();
        let (kernel, initrd) = (
            kernel.to_str().expect("path"),
            initrd.to_str().expect("path"),
        );
        let mut args = vec![
            "run", "--kernel", kernel, "--initrd", initrd, "--append", CMDLINE,
        ];
        args.extend_from_slice(extra);
        Vireo::spawn(&args)
    }

    /// Process id of vireo.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Wait until `marker` appears in stdout after what earlier waits
    /// consumed; consume up to its end and return that text. Fails (with
    /// all output) when vireo's output ends first or the watchdog fires.
    pub(crate) fn wait_for(&mut self, marker: &str) -> String {
        let deadline = Instant::now() + self.watchdog;
        let stdout = self.stdout.clone();
        let mut state = stdout.state.lock().expect("stream lock");
        loop {
            if let Some(at) = find(&state.bytes[self.seen..], marker.as_bytes()) {
                let end = self.seen + at + marker.len();
                let text = String::from_utf8_lossy(&state.bytes[self.seen..end]).into_owned();
                self.seen = end;
                return text;
            }
            if state.closed {
                drop(state);
                self.fail(&format!("vireo's output ended before {marker:?} appeared"));
            }
            let now = Instant::now();
            if now >= deadline {
                drop(state);
                self.fail(&format!(
                    "watchdog: {marker:?} did not appear within {} s",
                    self.watchdog.as_secs()
                ));
            }
            state = stdout
                .grew
                .wait_timeout(state, deadline - now)
                .expect("stream lock")
                .0;
        }
    }

    /// Type a line on the guest console.
    pub(crate) fn send(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        let sent = stdin
            .write_all(format!("{line}\n").as_bytes())
            .and_then(|()| stdin.flush());
        if let Err(e) = sent {
            self.fail(&format!("cannot send {line:?} to the guest: {e}"));
        }
    }

    /// Wait for the boot banner and then the shell prompt; return the
    /// banner line.
    pub(crate) fn wait_for_shell(&mut self) -> String {
        self.wait_for(BANNER);
        let banner = format!("{BANNER}{}", self.wait_for("\n"));
        self.wait_for(PROMPT);
        banner.trim().to_string()
    }

    /// Like `wait_for_shell`, but return all output up to the prompt.
    fn wait_for_shell_log(&mut self) -> String {
        let mut log = self.wait_for(BANNER);
        log.push_str(&self.wait_for(PROMPT));
        log
    }

    /// Run `cmd` in the guest shell and return its output lines. The
    /// output is framed by two marker lines whose text the typed command
    /// does not contain (the shell echoes what is typed), so the echo never
    /// matches.
    pub(crate) fn shell(&mut self, cmd: &str) -> Vec<String> {
        self.commands += 1;
        let n = self.commands;
        let (begin, end) = (format!("=== begin {n} ==="), format!("=== end {n} ==="));
        self.send(&format!(
            "echo '=== begin '{n}' ==='; {cmd}; echo '=== end '{n}' ==='"
        ));
        self.wait_for(&begin);
        let output = self.wait_for(&end);
        output[..output.len() - end.len()]
            .lines()
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect()
    }

    /// Wait for vireo to exit (its output pipes close) and return its
    /// exit status.
    pub(crate) fn wait_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + self.watchdog;
        for stream in [self.stdout.clone(), self.stderr.clone()] {
            let mut state = stream.state.lock().expect("stream lock");
            while !state.closed {
                let now = Instant::now();
                if now >= deadline {
                    drop(state);
                    self.fail(&format!(
                        "watchdog: vireo did not exit within {} s",
                        self.watchdog.as_secs()
                    ));
                }
                state = stream
                    .grew
                    .wait_timeout(state, deadline - now)
                    .expect("stream lock")
                    .0;
            }
        }
        let status = self.child.wait().expect("waiting for vireo");
        self.status = Some(status);
        status
    }

    /// Everything vireo wrote to stdout so far.
    pub(crate) fn stdout(&self) -> String {
        self.stdout.text()
    }

    /// Everything vireo wrote to stderr so far.
    pub(crate) fn stderr(&self) -> String {
        self.stderr.text()
    }

    /// A report of the run: command line, status, stdout and stderr.
    pub(crate) fn transcript(&self) -> String {
        let status = match self.status {
            Some(s) => s.to_string(),
            None => "still running".to_string(),
        };
        format!(
            "vireo {}\nstatus: {status}\n---- stdout ----\n{}\n---- stderr ----\n{}\n----------------",
            self.args.join(" "),
            self.stdout(),
            self.stderr()
        )
    }

    /// Kill vireo (if it runs) and fail the test with the whole transcript.
    pub(crate) fn fail(&mut self, why: &str) -> ! {
        if self.status.is_none() {
            let _ = self.child.kill();
            self.status = self.child.wait().ok();
        }
        panic!("{why}\n{}", self.transcript());
    }
}

impl Drop for Vireo {
    fn drop(&mut self) {
        if self.status.is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Position of `needle` in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// CPU time (user + system, all threads) process `pid` has used.
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("/proc/PID/stat");
    // Fields after the command name (which is in parentheses and may hold
    // spaces): state is field 3, utime 14, stime 15.
    let rest = &stat[stat.rfind(')').expect("comm") + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 =
        fields[11].parse::<u64>().expect("utime") + fields[12].parse::<u64>().expect("stime");
    // SAFETY: sysconf only reads a system constant.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    assert!(hz > 0, "sysconf(_SC_CLK_TCK) failed");
    Duration::from_secs_f64(ticks as f64 / hz as f64)
}

fn assert_exit_code(vm: &Vireo, status: ExitStatus, code: i32) {
    assert_eq!(
        status.code(),
        Some(code),
        "expected exit status {code}\n{}",
        vm.transcript()
    );
}

// ---- the tests ------------------------------------------------------------

/// One vCPU boots Debian's kernel to the busybox shell: the shell computes,
/// the guest's clock (set from vireo's RTC at boot) agrees with the host's,
/// and `poweroff -f` ends vireo with status 0.
#[test]
fn linux_boots_to_a_shell_on_one_cpu() {
    // Arrange
    let mut vm = Vireo::boot_linux(&[]);
    let banner = vm.wait_for_shell();

    // Act
    let sum = vm.shell("echo $((6*7))");
    let guest_time = vm.shell("date +%s");
    let host_time = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64;
    vm.send("poweroff -f");
    let status = vm.wait_exit();

    // Assert
    assert!(banner.contains(", 1 cpus,"), "banner: {banner}");
    assert!(
        sum.iter().any(|l| l == "42"),
        "echo $((6*7)) printed {sum:?}"
    );
    let guest_time: i64 = guest_time
        .iter()
        .find_map(|l| l.parse().ok())
        .unwrap_or_else(|| panic!("date +%s printed {guest_time:?}"));
    assert!(
        (guest_time - host_time).abs() <= 60,
        "guest time {guest_time} vs host time {host_time}: off by {} s",
        guest_time - host_time
    );
    assert_exit_code(&vm, status, 0);
}

/// Four vCPUs all come up and all run: Linux lists 4 processors, and four
/// busy loops, each pinned to its own CPU with `taskset`, all finish.
#[test]
fn linux_runs_on_four_cpus() {
    // Arrange
    let mut vm = Vireo::boot_linux(&["--cpus", "4"]);
    let banner = vm.wait_for_shell();

    // Act
    let processors = vm.shell("grep -c ^processor /proc/cpuinfo");
    let loops = vm.shell(
        "for c in 0 1 2 3; do taskset -c $c sh -c \
         'i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; echo \"cpu $0 loop done\"' $c & \
         done; wait",
    );
    vm.send("poweroff -f");
    let status = vm.wait_exit();

    // Assert
    assert!(banner.contains(", 4 cpus,"), "banner: {banner}");
    assert!(
        processors.iter().any(|l| l == "4"),
        "/proc/cpuinfo processors: {processors:?}"
    );
    for cpu in 0..4 {
        let done = format!("cpu {cpu} loop done");
        assert!(
            loops.iter().any(|l| l.contains(&done)),
            "no {done:?} in {loops:?}"
        );
    }
    assert_exit_code(&vm, status, 0);
}

/// Boot through one of Debian's OpenSBI builds with the kernel as its
/// payload; check OpenSBI ran first and that Linux used it as its SBI.
fn boot_through_opensbi(firmware: &str) {
    // Arrange
    let bios = format!("{OPENSBI_DIR}/{firmware}");
    assert!(
        Path::new(&bios).is_file(),
        "{bios} is missing: install Debian's opensbi package (.ci/run does)"
    );
    let mut vm = Vireo::boot_linux(&["--bios", &bios]);

    // Act
    let firmware_log = vm.wait_for("OpenSBI v");
    let boot_log = vm.wait_for_shell_log();
    let uname = vm.shell("uname -m");
    vm.send("poweroff -f");
    let status = vm.wait_exit();

    // Assert
    assert!(
        !firmware_log.contains("Linux version"),
        "Linux started before OpenSBI's banner\n{}",
        vm.transcript()
    );
    // OpenSBI's SBI implementation ID is 1 (vireo's built-in SBI has its own).
    assert!(
        boot_log.contains("SBI implementation ID=0x1 "),
        "Linux did not find OpenSBI as its SBI\n{}",
        vm.transcript()
    );
    assert!(
        uname.iter().any(|l| l == "riscv64"),
        "uname -m printed {uname:?}"
    );
    assert_exit_code(&vm, status, 0);
}

/// Debian's OpenSBI `fw_dynamic.bin` (told where the kernel is by the
/// dynamic-info block vireo passes in a2) boots Linux to the shell.
#[test]
fn linux_boots_through_opensbi_fw_dynamic() {
    boot_through_opensbi("fw_dynamic.bin");
}

/// Debian's OpenSBI `fw_jump.bin` (which jumps to the kernel at its built-in
/// 0x80200000, with the device tree moved to its built-in 0x82200000) boots
/// Linux to the shell.
#[test]
fn linux_boots_through_opensbi_fw_jump() {
    boot_through_opensbi("fw_jump.bin");
}

/// `reboot -f` restarts the machine: the guest boots a second time to a
/// working shell, and `poweroff -f` then ends vireo with status 0.
#[test]
fn linux_reboot_boots_again() {
    // Arrange
    let mut vm = Vireo::boot_linux(&[]);
    vm.wait_for_shell();

    // Act
    vm.send("reboot -f");
    let second_boot = vm.wait_for_shell_log();
    let echo = vm.shell("echo second-$((1+1))");
    vm.send("poweroff -f");
    let status = vm.wait_exit();

    // Assert
    assert!(
        second_boot.contains("Linux version"),
        "the kernel did not start again\n{}",
        vm.transcript()
    );
    assert!(
        echo.iter().any(|l| l == "second-2"),
        "echo printed {echo:?}"
    );
    assert_exit_code(&vm, status, 0);
}

/// With `--no-reboot`, a guest `reboot -f` ends vireo with status 4.
#[test]
fn linux_reboot_with_no_reboot_exits_4() {
    // Arrange
    let mut vm = Vireo::boot_linux(&["--no-reboot"]);
    vm.wait_for_shell();

    // Act
    vm.send("reboot -f");
    let status = vm.wait_exit();

    // Assert
    assert_exit_code(&vm, status, EXIT_REBOOT);
    assert!(
        !vm.stdout()[vm.seen..].contains(BANNER),
        "the guest booted again\n{}",
        vm.transcript()
    );
}

/// An idle guest sleeps: while the guest's CPU is idle for 3 s (a `sleep 3`
/// at the shell), vireo uses less than 0.5 s of host CPU — its vCPU waits in
/// `wfi` instead of spinning — and the guest still answers afterwards.
///
/// Linux keeps working for a few seconds after the shell appears, so the
/// guest first waits (up to 60 s) for a second in which its own accounting
/// shows at least 90% idle; only then does the measured window begin.
#[test]
fn idle_linux_guest_uses_little_host_cpu() {
    // Arrange
    let mut vm = Vireo::boot_linux(&[]);
    vm.wait_for_shell();
    vm.send(
        "n=0; while [ $n -lt 60 ]; do \
         read -r _ _ _ _ a _ </proc/stat; sleep 1; read -r _ _ _ _ b _ </proc/stat; \
         [ $((b-a)) -ge 90 ] && break; n=$((n+1)); done; \
         echo \"settled: $n busy\"\" seconds\"; \
         echo 'idle window'' begins'; sleep 3; echo 'idle window'' ends'",
    );
    let settled = vm.wait_for("busy seconds");

    // Act
    vm.wait_for("idle window begins");
    let (before, start) = (cpu_time(vm.pid()), Instant::now());
    vm.wait_for("idle window ends");
    let (used, window) = (cpu_time(vm.pid()) - before, start.elapsed());
    let echo = vm.shell("echo awake-$((2+3))");
    vm.send("poweroff -f");
    let status = vm.wait_exit();

    // Assert
    assert!(
        !settled.contains("settled: 60 "),
        "the guest never became idle\n{}",
        vm.transcript()
    );
    assert!(
        used < Duration::from_millis(500),
        "an idle guest used {used:?} of host CPU in {window:?}"
    );
    assert!(echo.iter().any(|l| l == "awake-5"), "echo printed {echo:?}");
    assert_exit_code(&vm, status, 0);
}
