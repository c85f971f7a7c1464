//! The bare-metal assembly test programs, run on vireo and differentially
//! against QEMU.
//!
//! Every `tests/asm/**/*.S` and `examples/*.S` of the workspace is a
//! self-checking program (see `tests/asm/common.h`): it runs in M-mode from
//! 0x8000_0000 and ends by writing the test device (0x5555 = pass,
//! `(n << 16) | 0x3333` = check n failed), printing `*** FAIL n` (and
//! `*** TRAP ...` for an unexpected trap) on the UART first. Programs also
//! print signatures — architectural results such as FP values and fflags —
//! on the UART.
//!
//! The tests here
//! - assemble and link every program (C preprocessor, then
//!   `riscv64-unknown-elf-as` / `-ld` with `tests/asm/link.ld`) into
//!   `CARGO_TARGET_TMPDIR/asm/`. A missing toolchain is a test failure,
//!   never a skip;
//! - run each under `vireo run --bios none` with `--max-insns` as a hang
//!   guard and require a pass, reporting every failing program at once;
//! - run each program that QEMU 7.2 can run under
//!   `qemu-system-riscv64 -M virt -bios none` as well and require both to
//!   pass with byte-identical UART output.
//!
//! `VIREO_BIN` selects a prebuilt `vireo` instead of the one Cargo builds.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::thread;
use std::time::{Duration, Instant};

/// The ISA the programs are assembled for. Zicond is missing because the
/// Debian binutils (2.40) does not know it: `zicond.S` uses `.insn`.
const MARCH: &str = "rv64gc_zba_zbb_zbc_zbs_zicbom_zicboz_zicbop_zifencei_zicsr_zihintpause";

/// Instruction budget of one program under vireo (exit status 3 when it
/// runs out): far above what any program needs, so only a hang reaches it.
const MAX_INSNS: u64 = 500_000_000;

/// Wall-clock watchdog of one vireo run, in case a hang does not retire
/// instructions (e.g. a wfi loop).
const VIREO_WATCHDOG: Duration = Duration::from_secs(60);

/// Wall-clock watchdog of one QEMU run: QEMU ignores `--max-insns`, so a
/// program that hangs there is killed and reported as a hang.
const QEMU_WATCHDOG: Duration = Duration::from_secs(60);

/// Programs that cannot run on QEMU 7.2 (path from the workspace root, and
/// why). They still run on vireo. A program can also exclude itself with a
/// first line `/* QEMU: skip (why) */` or `// QEMU: skip (why)` (see
/// `qemu_skip_reason`).
const QEMU_EXCLUDED: &[(&str, &str)] = &[
    (
        "tests/asm/isa/zicond.S",
        "QEMU 7.2 does not implement Zicond (czero.* are illegal there)",
    ),
    (
        "tests/asm/isa/zicbo.S",
        "QEMU 7.2 does not implement Zicbom/Zicboz (cbo.* are illegal there)",
    ),
    (
        "tests/asm/isa/zbb_ctzw.S",
        "QEMU 7.2 bug: ctzw counts trailing zeros over all 64 bits when \
         the low word is zero (63 instead of 32 for 0x8000000000000000)",
    ),
    (
        "tests/asm/isa/zicntr_exact.S",
        "QEMU 7.2 without -icount reports host timestamp-counter ticks as \
         instret, not the number of retired instructions (with \
         -icount shift=0 it passes)",
    ),
    (
        "tests/asm/isa/zicsr_rowrite.S",
        "QEMU 7.2 bug: csrrs/csrrc with rs1 != x0 holding 0 do not raise \
         illegal-instruction on read-only CSRs",
    ),
];

/// Registers a program must leave behind: (program, register, value),
/// checked through `--dump-regs`.
const FINAL_REGS: &[(&str, &str, u64)] = &[("examples/gcd.S", "x28", 3)];

/// The markers `FAIL_EXIT` and the unexpected-trap handler print.
const FAIL_MARKERS: &[&str] = &["*** FAIL", "*** TRAP"];

/// One assembled program.
struct Program {
    /// Path of the source from the workspace root, with `/` separators.
    name: String,
    elf: PathBuf,
    /// Why QEMU cannot run it, if it cannot.
    qemu_skip: Option<String>,
}

/// Why QEMU cannot run the program `name` with source text `text`: from
/// `QEMU_EXCLUDED`, or from a first line `/* QEMU: skip (why) */` or
/// `// QEMU: skip (why)`.
fn qemu_skip_reason(name: &str, text: &str) -> Option<String> {
    if let Some((_, why)) = QEMU_EXCLUDED.iter().find(|(n, _)| *n == name) {
        return Some(why.to_string());
    }
    let first = text.lines().next()?.trim();
    let rest = first
        .strip_prefix("/*")
        .or_else(|| first.strip_prefix("//"))?
        .trim_start()
        .strip_prefix("QEMU: skip")?;
    let why = rest.trim().trim_end_matches("*/").trim();
    Some(
        why.trim_start_matches('(')
            .trim_end_matches(')')
            .to_string(),
    )
}

/// What one run of vireo or QEMU produced.
struct RunOutput {
    /// `None` when the watchdog killed the process.
    status: Option<ExitStatus>,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

impl RunOutput {
    fn code(&self) -> Option<i32> {
        self.status.and_then(|s| s.code())
    }

    fn uart_has_fail_marker(&self) -> bool {
        let out = String::from_utf8_lossy(&self.stdout);
        FAIL_MARKERS.iter().any(|m| out.contains(m))
    }

    fn passed(&self) -> bool {
        self.code() == Some(0) && !self.uart_has_fail_marker()
    }

    /// Why the run did not pass, with the output that explains it.
    fn describe(&self, who: &str) -> String {
        let verdict = match (self.status, self.code()) {
            (None, _) => "hang: killed by the watchdog".to_string(),
            (Some(_), Some(0)) if self.uart_has_fail_marker() => {
                "exit status 0 but the UART reports a failure".to_string()
            }
            (Some(_), Some(0)) => "pass".to_string(),
            (Some(_), Some(1)) if who == "vireo" => "guest reported failure".to_string(),
            (Some(_), Some(2)) if who == "vireo" => "usage or load error".to_string(),
            (Some(_), Some(3)) if who == "vireo" => {
                format!("hang: --max-insns {MAX_INSNS} exhausted")
            }
            (Some(_), Some(c)) => format!("exit status {c}"),
            (Some(s), None) => format!("killed: {s}"),
        };
        let mut text = format!("{who}: {verdict}");
        let markers = marker_lines(&self.stdout);
        if !markers.is_empty() {
            text.push_str(&format!("\n      UART: {}", markers.join("\n            ")));
        }
        let err = tail(&strip_reg_dump(&self.stderr), 6);
        if !err.is_empty() {
            text.push_str(&format!("\n      stderr: {}", err.join("\n              ")));
        }
        text
    }
}

/// The UART lines from the first failure marker on (a few of them).
fn marker_lines(out: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(out);
    let lines: Vec<&str> = text.lines().collect();
    match lines
        .iter()
        .position(|l| FAIL_MARKERS.iter().any(|m| l.contains(m)))
    {
        Some(i) => lines[i..].iter().take(6).map(|l| l.to_string()).collect(),
        None => Vec::new(),
    }
}

/// stderr without the `--dump-regs` lines (`pc 0x...`, `x5 0x...`, ...).
fn strip_reg_dump(stderr: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(stderr);
    let mut kept = String::new();
    for line in text.lines() {
        let mut words = line.split_whitespace();
        let name = words.next().unwrap_or("");
        let is_reg = name == "pc"
            || (name.len() > 1
                && (name.starts_with('x') || name.starts_with('f'))
                && name[1..].chars().all(|c| c.is_ascii_digit()));
        let is_dump =
            is_reg && words.next().is_some_and(|v| v.starts_with("0x")) && words.next().is_none();
        if !is_dump {
            kept.push_str(line);
            kept.push('\n');
        }
    }
    kept.into_bytes()
}

/// The last `n` non-empty lines of a byte stream.
fn tail(bytes: &[u8], n: usize) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let lines: Vec<String> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect();
    let start = lines.len().saturating_sub(n);
    lines[start..].to_vec()
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root")
}

fn vireo_bin() -> PathBuf {
    match std::env::var_os("VIREO_BIN") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_BIN_EXE_vireo")),
    }
}

/// Run a command with stdin closed, collecting stdout and stderr, killing it
/// after `limit`.
fn run_with_watchdog(cmd: &mut Command, limit: Duration) -> RunOutput {
    let program = format!("{:?}", cmd.get_program());
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {program}: {e}"));
    let mut out_pipe = child.stdout.take().expect("stdout pipe");
    let mut err_pipe = child.stderr.take().expect("stderr pipe");
    let out_reader = thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = out_pipe.read_to_end(&mut buf);
        buf
    });
    let err_reader = thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = err_pipe.read_to_end(&mut buf);
        buf
    });
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if start.elapsed() > limit => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => thread::sleep(Duration::from_millis(5)),
            Err(e) => panic!("waiting for {program}: {e}"),
        }
    };
    RunOutput {
        status,
        stdout: out_reader.join().expect("stdout reader"),
        stderr: err_reader.join().expect("stderr reader"),
    }
}

/// Apply `f` to every item on a few threads, keeping the order.
fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let workers = thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .clamp(1, 4);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut results: Vec<Option<R>> = (0..items.len()).map(|_| None).collect();
    let slots = std::sync::Mutex::new(&mut results);
    thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= items.len() {
                    break;
                }
                let r = f(&items[i]);
                slots.lock().expect("result slots")[i] = Some(r);
            });
        }
    });
    results
        .into_iter()
        .map(|r| r.expect("every item mapped"))
        .collect()
}

/// All program sources, as paths from the workspace root, sorted.
fn find_sources(root: &Path) -> Vec<String> {
    fn walk(dir: &Path, recurse: bool, out: &mut Vec<PathBuf>) {
        let entries =
            std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                if recurse {
                    walk(&path, recurse, out);
                }
            } else if path.extension().is_some_and(|e| e == "S") {
                out.push(path);
            }
        }
    }
    let mut paths = Vec::new();
    walk(&root.join("tests/asm"), true, &mut paths);
    walk(&root.join("examples"), false, &mut paths);
    let mut names: Vec<String> = paths
        .iter()
        .map(|p| {
            p.strip_prefix(root)
                .expect("under the root")
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    names.sort();
    names
}

/// Run one toolchain step; Err carries the tool's own message.
fn tool(cmd: &mut Command) -> Result<(), String> {
    let program = cmd.get_program().to_string_lossy().into_owned();
    let out = cmd.output().map_err(|e| {
        format!(
            "cannot run {program}: {e} (the assembly tests need `cpp` and Debian's \
             binutils-riscv64-unknown-elf; they are never skipped)"
        )
    })?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{program} failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// Preprocess, assemble and link `src` into `stem`.{s,o,elf}.
fn assemble(root: &Path, src: &Path, stem: &Path) -> Result<PathBuf, String> {
    std::fs::create_dir_all(stem.parent().expect("parent")).map_err(|e| e.to_string())?;
    let pre = stem.with_extension("s");
    let obj = stem.with_extension("o");
    let elf = stem.with_extension("elf");
    // -undef: no host macros (`linux`, `unix`, ...) in the guest sources.
    // Line markers are kept so the assembler reports lines of the .S file.
    tool(
        Command::new("cpp")
            .args(["-undef", "-nostdinc", "-x", "assembler-with-cpp", "-I"])
            .arg(root.join("tests/asm"))
            .arg(src)
            .arg("-o")
            .arg(&pre),
    )?;
    tool(
        Command::new("riscv64-unknown-elf-as")
            .arg(format!("-march={MARCH}"))
            .arg("-mabi=lp64d")
            .arg(&pre)
            .arg("-o")
            .arg(&obj),
    )?;
    tool(
        Command::new("riscv64-unknown-elf-ld")
            .arg("-T")
            .arg(root.join("tests/asm/link.ld"))
            .arg(&obj)
            .arg("-o")
            .arg(&elf),
    )?;
    Ok(elf)
}

/// Build the program `name` (a path from the workspace root).
fn build(root: &Path, out_dir: &Path, name: &str) -> Result<Program, String> {
    let src = root.join(name);
    let text = std::fs::read_to_string(&src).map_err(|e| format!("{name}: {e}"))?;
    let elf = assemble(root, &src, &out_dir.join(name.trim_end_matches(".S")))?;
    Ok(Program {
        name: name.to_string(),
        elf,
        qemu_skip: qemu_skip_reason(name, &text),
    })
}

/// Every program, built once per test process.
fn programs() -> &'static [Program] {
    static PROGRAMS: OnceLock<Vec<Program>> = OnceLock::new();
    PROGRAMS.get_or_init(|| {
        let root = workspace_root();
        let out_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("asm");
        let names = find_sources(&root);
        assert!(
            names.iter().any(|n| n == "examples/gcd.S")
                && names.iter().any(|n| n.starts_with("tests/asm/isa/")),
            "test programs not found under {}: {names:?}",
            root.display()
        );
        let built = parallel_map(&names, |n| build(&root, &out_dir, n));
        let errors: Vec<String> = names
            .iter()
            .zip(&built)
            .filter_map(|(n, r)| r.as_ref().err().map(|e| format!("{n}:\n{e}")))
            .collect();
        assert!(
            errors.is_empty(),
            "{} of {} test programs did not build:\n\n{}",
            errors.len(),
            names.len(),
            errors.join("\n")
        );
        built.into_iter().map(|r| r.expect("built")).collect()
    })
}

/// Number of harts a program wants: a line `CPUS: N` among its first
/// lines (default 1). Both vireo and QEMU get that many.
fn cpus_of(name: &str) -> u32 {
    let text = std::fs::read_to_string(workspace_root().join(name)).unwrap_or_default();
    text.lines()
        .take(5)
        .find_map(|l| {
            l.split("CPUS:")
                .nth(1)?
                .split_whitespace()
                .next()?
                .parse()
                .ok()
        })
        .unwrap_or(1)
}

/// How `run_vireo` executes guest code: the interpreter (the reference),
/// or the JIT translating every block on its first run, so the programs
/// run in translated code wherever the translator supports them.
#[derive(Clone, Copy, PartialEq, Debug)]
enum EngineUnderTest {
    Interp,
    JitEverything,
}

fn run_vireo(elf: &Path, cpus: u32, engine: EngineUnderTest) -> RunOutput {
    let engine_args: &[&str] = match engine {
        EngineUnderTest::Interp => &["--engine", "interp"],
        EngineUnderTest::JitEverything => &["--engine", "jit", "--jit-threshold", "1"],
    };
    run_with_watchdog(
        Command::new(vireo_bin())
            .args(["run", "--bios", "none", "--mem", "128M", "--dump-regs"])
            .args(engine_args)
            .arg("--cpus")
            .arg(cpus.to_string())
            .arg("--max-insns")
            .arg(MAX_INSNS.to_string())
            .arg("--kernel")
            .arg(elf),
        VIREO_WATCHDOG,
    )
}

/// Every program's vireo run, once per test process (same order as
/// `programs()`).
fn vireo_runs() -> &'static [RunOutput] {
    static RUNS: OnceLock<Vec<RunOutput>> = OnceLock::new();
    RUNS.get_or_init(|| {
        parallel_map(programs(), |p| {
            run_vireo(&p.elf, cpus_of(&p.name), EngineUnderTest::Interp)
        })
    })
}

fn vireo_run_of(name: &str) -> &'static RunOutput {
    let i = programs()
        .iter()
        .position(|p| p.name == name)
        .unwrap_or_else(|| panic!("no program {name}"));
    &vireo_runs()[i]
}

fn run_qemu(elf: &Path, cpus: u32) -> RunOutput {
    run_with_watchdog(
        Command::new("qemu-system-riscv64")
            .args(["-M", "virt", "-bios", "none", "-m", "128M"])
            .arg("-smp")
            .arg(cpus.to_string())
            .args(["-display", "none", "-monitor", "none", "-serial", "stdio"])
            .arg("-kernel")
            .arg(elf),
        QEMU_WATCHDOG,
    )
}

/// The value of register `reg` ("x28", "pc", "f3") in a `--dump-regs` dump.
fn dumped_reg(stderr: &[u8], reg: &str) -> Option<u64> {
    let text = String::from_utf8_lossy(stderr);
    text.lines().rev().find_map(|line| {
        let mut words = line.split_whitespace();
        if words.next() != Some(reg) {
            return None;
        }
        let value = words.next()?.strip_prefix("0x")?;
        u64::from_str_radix(value, 16).ok()
    })
}

/// Where two UART transcripts first differ, for a report.
fn first_difference(vireo: &[u8], qemu: &[u8]) -> Option<String> {
    if vireo == qemu {
        return None;
    }
    let v = String::from_utf8_lossy(vireo);
    let q = String::from_utf8_lossy(qemu);
    let v_lines: Vec<&str> = v.lines().collect();
    let q_lines: Vec<&str> = q.lines().collect();
    let at = v_lines
        .iter()
        .zip(&q_lines)
        .position(|(a, b)| a != b)
        .unwrap_or(v_lines.len().min(q_lines.len()));
    let line = |lines: &[&str]| {
        lines
            .get(at)
            .map_or("<end of output>".to_string(), |l| format!("{l:?}"))
    };
    Some(format!(
        "UART output differs at line {} (vireo {} lines, QEMU {} lines):\n      vireo: {}\n      QEMU:  {}",
        at + 1,
        v_lines.len(),
        q_lines.len(),
        line(&v_lines),
        line(&q_lines),
    ))
}

#[test]
fn every_program_passes_on_vireo() {
    let progs = programs();
    let runs = vireo_runs();
    let mut failures = Vec::new();
    for (p, run) in progs.iter().zip(runs) {
        if !run.passed() {
            failures.push(format!("  {}\n    {}", p.name, run.describe("vireo")));
            continue;
        }
        for &(name, reg, want) in FINAL_REGS {
            if p.name == name {
                let got = dumped_reg(&run.stderr, reg);
                if got != Some(want) {
                    failures.push(format!(
                        "  {}\n    {reg} at exit: expected {want:#x}, got {got:x?}",
                        p.name
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} programs failed on vireo ({}):\n{}",
        failures.len(),
        progs.len(),
        vireo_bin().display(),
        failures.join("\n")
    );
}

/// The JIT (translating every block at once) against the interpreter:
/// every program passes, with the same UART output (the programs print
/// the results of their checks there). Final registers are not compared:
/// some programs leave `time` or `cycle` readings (wall clock) in them.
#[test]
fn translated_code_matches_the_interpreter() {
    let progs = programs();
    let reference = vireo_runs();
    let jit = parallel_map(progs, |p| {
        run_vireo(&p.elf, cpus_of(&p.name), EngineUnderTest::JitEverything)
    });
    let mut failures = Vec::new();
    for ((p, want), got) in progs.iter().zip(reference).zip(&jit) {
        if !got.passed() {
            failures.push(format!("  {}\n    {}", p.name, got.describe("vireo")));
        } else if let Some(diff) = first_difference(&got.stdout, &want.stdout) {
            failures.push(format!(
                "  {} (vireo = JIT, QEMU = interpreter): {diff}",
                p.name
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} programs differ under the JIT:\n{}",
        failures.len(),
        progs.len(),
        failures.join("\n")
    );
}

#[test]
fn gcd_example_leaves_the_gcd_in_t3() {
    let run = vireo_run_of("examples/gcd.S");
    assert!(run.passed(), "examples/gcd.S\n{}", run.describe("vireo"));
    assert_eq!(
        dumped_reg(&run.stderr, "x28"),
        Some(3),
        "t3 (x28) must hold gcd(0x18, 0x21) = 3; stderr:\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
}

#[test]
fn programs_match_qemu() {
    let progs: Vec<&Program> = programs()
        .iter()
        .filter(|p| p.qemu_skip.is_none())
        .collect();
    for p in programs() {
        if let Some(why) = &p.qemu_skip {
            eprintln!("not run on QEMU: {} ({why})", p.name);
        }
    }
    let qemu_runs = parallel_map(&progs, |p| run_qemu(&p.elf, cpus_of(&p.name)));
    let mut failures = Vec::new();
    for (p, qemu) in progs.iter().zip(&qemu_runs) {
        let vireo = vireo_run_of(&p.name);
        let mut problems = Vec::new();
        if !qemu.passed() {
            problems.push(qemu.describe("QEMU"));
        }
        if !vireo.passed() {
            problems.push(vireo.describe("vireo"));
        }
        if let Some(diff) = first_difference(&vireo.stdout, &qemu.stdout) {
            problems.push(diff);
        }
        if !problems.is_empty() {
            failures.push(format!("  {}\n    {}", p.name, problems.join("\n    ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} programs differ between vireo and QEMU (or fail):\n{}",
        failures.len(),
        progs.len(),
        failures.join("\n")
    );
}

#[test]
fn qemu_skip_markers_are_read() {
    assert_eq!(
        qemu_skip_reason("x.S", "/* QEMU: skip (no HTIF) */\nnop\n").as_deref(),
        Some("no HTIF")
    );
    assert_eq!(
        qemu_skip_reason("x.S", "// QEMU: skip (no Zicond)\n").as_deref(),
        Some("no Zicond")
    );
    assert_eq!(
        qemu_skip_reason("x.S", "// a comment\n// QEMU: skip (late)\n"),
        None
    );
    assert!(qemu_skip_reason("tests/asm/isa/zicond.S", "").is_some());
}

#[test]
fn qemu_exclusions_name_existing_programs() {
    let root = workspace_root();
    for (name, why) in QEMU_EXCLUDED {
        assert!(
            root.join(name).is_file(),
            "QEMU_EXCLUDED lists {name} ({why}), which does not exist"
        );
    }
}

/// The harness itself: a failing check must show up as a failure with its
/// number, and a UART difference must be found.
#[test]
fn harness_sees_a_failing_check() {
    let root = workspace_root();
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("asm-selftest");
    std::fs::create_dir_all(&dir).expect("selftest dir");
    let src = dir.join("fails_check_77.S");
    std::fs::write(
        &src,
        "#include \"common.h\"\n    TEST_BEGIN\n    li a0, 1\n    CHECK a0, 1, 76\n    \
         SIG a0\n    CHECK a0, 2, 77\n    TEST_END\n",
    )
    .expect("write selftest source");
    let elf = assemble(&root, &src, &dir.join("fails_check_77"))
        .unwrap_or_else(|e| panic!("selftest program did not build: {e}"));
    let run = run_vireo(&elf, 1, EngineUnderTest::Interp);
    assert!(
        !run.passed(),
        "a failing program passed:\n{}",
        run.describe("vireo")
    );
    assert_eq!(run.code(), Some(1), "{}", run.describe("vireo"));
    let uart = String::from_utf8_lossy(&run.stdout);
    assert!(
        uart.contains("0000000000000001\n*** FAIL 000000000000004d"),
        "UART: {uart:?}"
    );
    assert!(
        String::from_utf8_lossy(&run.stderr).contains("77"),
        "stderr does not give the code 77: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(first_difference(b"a\nb\n", b"a\nc\n")
        .expect("differs")
        .contains("line 2"));
    assert!(first_difference(b"a\n", b"a\n").is_none());
}
