//! `vireo`: the command line of the vireo virtual machine monitor.

mod console;
mod ctl;

use clap::{Args, Parser, Subcommand};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use vireo_machine::Outcome;
use vireo_virtio::block::DriveConfig;
use vireo_virtio::console::ConsoleBackend;
use vireo_vmm::api::{BootSource, MachineConfig as ApiMachineConfig, VmConfig};
use vireo_vmm::{HostOptions, Vmm, VmmHooks};

/// Exit status when the guest reports a failure.
const EXIT_GUEST_FAILED: u8 = 1;
/// Exit status for usage, configuration and load errors.
const EXIT_USAGE: u8 = 2;
/// Exit status when `--max-insns` ran out.
const EXIT_INSN_LIMIT: u8 = 3;
/// Exit status when the guest rebooted and `--no-reboot` was given.
const EXIT_REBOOT: u8 = 4;

#[derive(Parser)]
#[command(
    name = "vireo",
    version,
    about = "A virtual machine monitor for RISC-V 64-bit guests"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build a virt machine and run it.
    Run(RunArgs),
    /// Drive a running vireo through its API socket (pause, resume,
    /// snapshots, metrics, ...).
    Ctl(ctl::CtlArgs),
    /// Work on snapshot files.
    #[command(subcommand)]
    Snapshot(SnapshotCommand),
}

#[derive(Subcommand)]
enum SnapshotCommand {
    /// Apply a diff snapshot's memory file onto the full memory file it
    /// was taken over; the result (written to --output, by default over
    /// --base, atomically) loads with the diff's VM-state file.
    Merge {
        /// The full memory file (of the snapshot before the diff).
        #[arg(long)]
        base: PathBuf,
        /// The diff snapshot's memory file.
        #[arg(long)]
        diff: PathBuf,
        /// Where the merged memory goes (default: replace --base).
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

#[derive(Args)]
struct RunArgs {
    /// Kernel: a RISC-V Linux Image, an ELF, or a flat binary.
    #[arg(long)]
    kernel: Option<PathBuf>,
    /// Firmware: `builtin` (vireo implements the SBI; the default),
    /// `none` (run the kernel in M-mode, bare metal), or a firmware file
    /// such as OpenSBI's fw_jump.bin.
    #[arg(long, default_value = "builtin")]
    bios: String,
    /// Initial ramdisk.
    #[arg(long)]
    initrd: Option<PathBuf>,
    /// Kernel command line.
    #[arg(long)]
    append: Option<String>,
    /// Guest RAM: a size with a K, M, G or T suffix; a plain number is MiB
    /// (default 512M).
    #[arg(long, short = 'm')]
    mem: Option<String>,
    /// Number of vCPUs (default 1).
    #[arg(long)]
    cpus: Option<u32>,
    /// Serve the control API (REST over this Unix socket; see
    /// docs/api/openapi.yaml). With a kernel the VM boots at once and
    /// stays controllable; without, vireo waits to be configured or to
    /// load a snapshot.
    #[arg(long, value_name = "PATH")]
    api_sock: Option<PathBuf>,
    /// Configure the VM from a JSON file (Firecracker's layout:
    /// `boot-source`, `machine-config`, `drives`, `network-interfaces`)
    /// instead of the flags above.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Track the pages the guest writes, so that diff snapshots are
    /// possible.
    #[arg(long)]
    track_dirty_pages: bool,
    /// Print each executed instruction (pc, disassembly, registers written)
    /// to stderr.
    #[arg(long)]
    trace: bool,
    /// Print the register file of every hart to stderr at exit.
    #[arg(long)]
    dump_regs: bool,
    /// Execution engine: `jit` (translate hot code to host code), `interp`
    /// (the interpreter, the reference), or `check` (run every translated
    /// region, undo it, rerun it in the interpreter and stop at the first
    /// difference: slow, for finding translator bugs).
    #[arg(long, value_name = "ENGINE", default_value_t = vireo_hart::Engine::default())]
    engine: vireo_hart::Engine,
    /// JIT: translate a block once it has run this many times in the
    /// interpreter within a window of 4 M instructions, or 8 times this
    /// many in all (lower translates more code sooner; 1 translates
    /// everything, which is what the tests use to run programs in
    /// translated code)
    #[arg(long, value_name = "N", default_value_t = vireo_hart::JIT_THRESHOLD,
          value_parser = clap::value_parser!(u32).range(1..=65535))]
    jit_threshold: u32,
    /// Print execution statistics of every hart to stderr at exit
    /// (instructions, blocks, translations, TLB misses, traps).
    #[arg(long)]
    stats: bool,
    /// Stop after this many instructions (exit status 3).
    #[arg(long)]
    max_insns: Option<u64>,
    /// Exit (status 4) instead of restarting when the guest reboots.
    #[arg(long)]
    no_reboot: bool,
    /// A virtio-blk disk (repeatable; the first is /dev/vda):
    /// `file=PATH[,format=raw|qcow2][,readonly=on][,cache=writeback|writethrough|none|unsafe][,serial=S][,id=NAME]`.
    #[arg(long, value_name = "SPEC", value_parser = DriveConfig::parse)]
    drive: Vec<DriveConfig>,
    /// A virtio-net card (repeatable): `user[,hostfwd=tcp:[HOSTADDR]:HOSTPORT-:GUESTPORT]...[,mac=MAC]`
    /// for user-mode networking (NAT; the guest gets 10.0.2.15 by DHCP,
    /// 10.0.2.2 reaches the host's 127.0.0.1), or `tap=IFNAME[,mac=MAC]`
    /// for a host TAP device.
    #[arg(long, value_name = "SPEC", value_parser = parse_net)]
    net: Vec<vireo_net::NetConfig>,
    /// Leave out the virtio-rng device (by default the guest gets one,
    /// serving host entropy: Linux's /dev/hwrng).
    #[arg(long)]
    no_rng: bool,
    /// Add a virtio console, the guest's /dev/hvc0 (boot with
    /// `console=hvc0` to make it the kernel console): `stdio` puts it on
    /// vireo's terminal (its output mixed with the serial port's, and
    /// keyboard input going to hvc0 instead of ttyS0); `file=PATH` (or
    /// just PATH) writes its output to a file, created or truncated.
    /// The serial port (ttyS0) stays on the terminal either way.
    #[arg(long, value_name = "stdio|file=PATH", value_parser = ConsoleBackend::parse)]
    virtio_console: Option<ConsoleBackend>,
}

/// Parse a `--net` value.
fn parse_net(s: &str) -> Result<vireo_net::NetConfig, String> {
    s.parse().map_err(|e: vireo_net::ConfigError| e.to_string())
}

/// Parse a QEMU-style memory size.
fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let (num, mult) = match s.chars().last() {
        Some(c)
            if c.is_ascii_alphabetic()
                && s.len() > 1
                && s[..s.len() - 1].bytes().all(|b| b.is_ascii_digit()) =>
        {
            let m: u64 = match c.to_ascii_uppercase() {
                'K' => 1 << 10,
                'M' => 1 << 20,
                'G' => 1 << 30,
                'T' => 1 << 40,
                _ => return Err(format!("unknown size suffix in {s:?}: use K, M, G or T")),
            };
            (&s[..s.len() - 1], m)
        }
        _ => (s, 1 << 20),
    };
    let n: u64 = num
        .parse()
        .map_err(|_| format!("invalid size {s:?}: expected e.g. 512M or 2G"))?;
    n.checked_mul(mult)
        .ok_or_else(|| format!("size {s:?} is too large"))
}

/// The VM the flags describe (`None`: no VM given, wait for the API).
fn vm_from_flags(args: &RunArgs) -> Result<Option<VmConfig>, String> {
    let vm_flags = args.kernel.is_some()
        || args.initrd.is_some()
        || args.append.is_some()
        || !args.drive.is_empty()
        || !args.net.is_empty()
        || args.bios != "builtin";
    if let Some(path) = &args.config {
        if vm_flags || args.mem.is_some() || args.cpus.is_some() {
            return Err(format!(
                "--config {} describes the whole VM: leave out --kernel, --bios, --initrd, --append, --mem, --cpus, --drive and --net",
                path.display()
            ));
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("--config {}: {e}", path.display()))?;
        let mut vm: VmConfig =
            serde_json::from_str(&text).map_err(|e| format!("--config {}: {e}", path.display()))?;
        vm.machine_config.track_dirty_pages |= args.track_dirty_pages;
        return Ok(Some(vm));
    }
    let ram_size =
        parse_size(args.mem.as_deref().unwrap_or("512M")).map_err(|e| format!("--mem: {e}"))?;
    if !ram_size.is_multiple_of(1 << 20) {
        return Err(format!(
            "--mem must be a whole number of MiB, got {ram_size} bytes"
        ));
    }
    let firmware = match args.bios.as_str() {
        "none" | "builtin" | "default" => args.bios.clone(),
        path => {
            if !PathBuf::from(path).exists() {
                return Err(format!("--bios: firmware file {path} does not exist (use `none`, `builtin`, or a path)"));
            }
            path.to_string()
        }
    };
    let has_firmware_file = !matches!(firmware.as_str(), "none" | "builtin" | "default");
    if args.kernel.is_none() && !has_firmware_file {
        if args.api_sock.is_some() && !vm_flags {
            // Configured later through the API (or a snapshot load).
            let mut vm = VmConfig::default();
            vm.machine_config.mem_size_mib = ram_size >> 20;
            vm.machine_config.vcpu_count = args.cpus.unwrap_or(1);
            vm.machine_config.track_dirty_pages = args.track_dirty_pages;
            return Ok(Some(vm));
        }
        return Err("no kernel given: pass --kernel FILE (see `vireo run --help`)".into());
    }
    Ok(Some(VmConfig {
        boot_source: BootSource {
            kernel_image_path: args.kernel.clone(),
            boot_args: args.append.clone(),
            initrd_path: args.initrd.clone(),
            firmware: Some(firmware),
        },
        machine_config: ApiMachineConfig {
            vcpu_count: args.cpus.unwrap_or(1),
            mem_size_mib: ram_size >> 20,
            smt: false,
            track_dirty_pages: args.track_dirty_pages,
        },
        drives: args
            .drive
            .iter()
            .enumerate()
            .map(|(i, d)| vireo_vmm::config::drive_from_cli(d, i))
            .collect(),
        network_interfaces: args
            .net
            .iter()
            .enumerate()
            .map(|(i, n)| vireo_vmm::config::net_from_cli(n, i))
            .collect(),
    }))
}

fn run(args: RunArgs) -> Result<ExitCode, String> {
    let vm = vm_from_flags(&args)?;
    let (cfg, boot_now) = match vm {
        Some(vm) => {
            let complete = vm.boot_source.kernel_image_path.is_some()
                || vm
                    .boot_source
                    .firmware
                    .as_deref()
                    .is_some_and(|f| !matches!(f, "none" | "builtin" | "default"));
            (vm, complete)
        }
        None => (VmConfig::default(), false),
    };
    if !boot_now && args.api_sock.is_none() {
        return Err("no kernel given: pass --kernel FILE (see `vireo run --help`)".into());
    }
    let host = HostOptions {
        rng: !args.no_rng,
        virtio_console: args.virtio_console.as_ref().map(|c| match c {
            ConsoleBackend::Stdio => "stdio".to_string(),
            ConsoleBackend::File(p) => format!("file={}", p.display()),
        }),
        trace: args.trace,
        max_insns: args.max_insns,
        engine: args.engine,
        jit_threshold: args.jit_threshold,
    };

    // SAFETY: isatty only inspects the descriptor.
    let interactive = unsafe { libc::isatty(0) } == 1;
    let target = Arc::new(console::ConsoleTarget::default());
    let _raw = console::RawTerminal::enter();
    console::spawn_input(target.clone(), interactive);
    console::install_stop_signals(target.clone());

    let hooks = {
        let target = target.clone();
        let stdio_console = args.virtio_console == Some(ConsoleBackend::Stdio);
        VmmHooks {
            console: Box::new(|| Box::new(std::io::stdout())),
            on_machine: Box::new(move |m| {
                target.set(m.uart(), m.power());
                if stdio_console {
                    target.set_virtio(m.virtio_console_input());
                }
            }),
            should_exit: Box::new(|| console::stop_signal().is_some()),
            no_reboot: args.no_reboot,
        }
    };
    let mut vmm = Vmm::new(cfg, host, hooks);
    let _server = match &args.api_sock {
        Some(path) => Some(
            vireo_vmm::api::server::serve(path, Arc::new(vmm.handle()))
                .map_err(|e| format!("--api-sock: {e}"))?,
        ),
        None => None,
    };
    if boot_now {
        vmm.start().map_err(|e| e.message)?;
    }
    let outcome = vmm.run();
    if args.dump_regs {
        if let Some(m) = vmm.machine() {
            let mut err = std::io::stderr().lock();
            for h in m.harts() {
                if m.harts().len() > 1 {
                    let _ = writeln!(err, "hart {}", h.id);
                }
                let _ = h.dump_regs(&mut err);
            }
        }
    }
    if args.stats {
        if let Some(m) = vmm.machine() {
            let mut err = std::io::stderr().lock();
            for h in m.harts() {
                let _ = writeln!(err, "hart {} ({}): {}", h.id, h.engine(), h.stats());
            }
        }
    }
    if let Some(sig) = console::stop_signal() {
        // Close the images (flushing them) before saying we are done.
        drop(vmm);
        console::restore_terminal();
        eprintln!("vireo: stopped by signal {sig}; the guest was powered off");
        return Ok(ExitCode::from(128 + sig as u8));
    }
    Ok(match outcome {
        None | Some(Outcome::Poweroff) => ExitCode::SUCCESS,
        Some(Outcome::Fail(code)) => {
            console::restore_terminal();
            eprintln!("vireo: the guest reported FAILURE (code {code})");
            ExitCode::from(EXIT_GUEST_FAILED)
        }
        Some(Outcome::InsnLimit) => {
            console::restore_terminal();
            eprintln!("vireo: stopped after the --max-insns limit; the guest did not finish");
            ExitCode::from(EXIT_INSN_LIMIT)
        }
        Some(Outcome::Reboot) => {
            console::restore_terminal();
            eprintln!("vireo: the guest rebooted (--no-reboot given)");
            ExitCode::from(EXIT_REBOOT)
        }
    })
}

fn merge(base: PathBuf, diff: PathBuf, output: Option<PathBuf>) -> Result<ExitCode, String> {
    let out = output.unwrap_or_else(|| base.clone());
    let n = vireo_vmm::files::merge_memory(&base, &diff, &out).map_err(|e| e.to_string())?;
    eprintln!(
        "vireo: merged {n} pages of {} into {}",
        diff.display(),
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run(args),
        Command::Ctl(args) => return ctl::run(args),
        Command::Snapshot(SnapshotCommand::Merge { base, diff, output }) => {
            merge(base, diff, output)
        }
    };
    console::restore_terminal();
    match result {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("vireo: {msg}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes_parse_like_qemu() {
        assert_eq!(parse_size("512M"), Ok(512 << 20));
        assert_eq!(parse_size("2G"), Ok(2 << 30));
        assert_eq!(parse_size("64"), Ok(64 << 20));
        assert_eq!(parse_size("16k"), Ok(16 << 10));
        assert!(parse_size("12Q").is_err());
        assert!(parse_size("lots").is_err());
        assert!(parse_size("99999999999T").is_err());
    }
}
