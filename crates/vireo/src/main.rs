//! `vireo`: the command line of the vireo virtual machine monitor.

mod console;

use clap::{Args, Parser, Subcommand};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use vireo_machine::{Firmware, Machine, MachineConfig, Outcome};
use vireo_virtio::block::DriveConfig;
use vireo_virtio::console::ConsoleBackend;

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
    #[arg(long, default_value = "")]
    append: String,
    /// Guest RAM: a size with a K, M, G or T suffix; a plain number is MiB.
    #[arg(long, short = 'm', default_value = "512M")]
    mem: String,
    /// Number of vCPUs.
    #[arg(long, default_value_t = 1)]
    cpus: u32,
    /// Print each executed instruction (pc, disassembly, registers written)
    /// to stderr.
    #[arg(long)]
    trace: bool,
    /// Print the register file of every hart to stderr at exit.
    #[arg(long)]
    dump_regs: bool,
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

fn run(args: RunArgs) -> Result<ExitCode, String> {
    let ram_size = parse_size(&args.mem).map_err(|e| format!("--mem: {e}"))?;
    let firmware = match args.bios.as_str() {
        "none" => Firmware::None,
        "builtin" | "default" => Firmware::Builtin,
        path => {
            let p = PathBuf::from(path);
            if !p.exists() {
                return Err(format!("--bios: firmware file {path} does not exist (use `none`, `builtin`, or a path)"));
            }
            Firmware::File(p)
        }
    };
    if args.kernel.is_none() && !matches!(firmware, Firmware::File(_)) {
        return Err("no kernel given: pass --kernel FILE (see `vireo run --help`)".into());
    }
    let cfg = MachineConfig {
        ram_size,
        cpus: args.cpus,
        firmware,
        kernel: args.kernel,
        initrd: args.initrd,
        cmdline: args.append,
        trace: args.trace,
        max_insns: args.max_insns,
        drives: args.drive,
        nets: args.net,
        rng: !args.no_rng,
        virtio_console: args.virtio_console.clone(),
    };

    // SAFETY: isatty only inspects the descriptor.
    let interactive = unsafe { libc::isatty(0) } == 1;
    let target = Arc::new(console::ConsoleTarget::default());
    let _raw = console::RawTerminal::enter();
    console::spawn_input(target.clone(), interactive);
    console::install_stop_signals(target.clone());

    loop {
        let mut machine =
            Machine::new(cfg.clone(), Box::new(std::io::stdout())).map_err(|e| e.to_string())?;
        target.set(machine.uart(), machine.power());
        if args.virtio_console == Some(ConsoleBackend::Stdio) {
            target.set_virtio(machine.virtio_console_input());
        }
        let outcome = machine.run();
        if args.dump_regs {
            let mut err = std::io::stderr().lock();
            for h in machine.harts() {
                if machine.harts().len() > 1 {
                    let _ = writeln!(err, "hart {}", h.id);
                }
                let _ = h.dump_regs(&mut err);
            }
        }
        if let Some(sig) = console::stop_signal() {
            // Close the images (flushing them) before saying we are done.
            drop(machine);
            console::restore_terminal();
            eprintln!("vireo: stopped by signal {sig}; the guest was powered off");
            return Ok(ExitCode::from(128 + sig as u8));
        }
        return Ok(match outcome {
            Outcome::Poweroff => ExitCode::SUCCESS,
            Outcome::Fail(code) => {
                console::restore_terminal();
                eprintln!("vireo: the guest reported FAILURE (code {code})");
                ExitCode::from(EXIT_GUEST_FAILED)
            }
            Outcome::InsnLimit => {
                console::restore_terminal();
                eprintln!("vireo: stopped after the --max-insns limit; the guest did not finish");
                ExitCode::from(EXIT_INSN_LIMIT)
            }
            Outcome::Reboot if args.no_reboot => {
                console::restore_terminal();
                eprintln!("vireo: the guest rebooted (--no-reboot given)");
                ExitCode::from(EXIT_REBOOT)
            }
            Outcome::Reboot => continue,
        });
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run(args),
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
