//! The board: building a machine from a configuration and running it.

use crate::fdt::{self, FdtConfig};
use crate::loader::{self, LoadError};
use crate::sbi::{HartStatus, Sbi};
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread::JoinHandle;
use thiserror::Error;
use vireo_devices::{
    Clint, GoldfishRtc, Plic, PowerControl, PowerEvent, TestDevice, Uart, VmGenId, CLINT_SIZE,
    PLIC_SIZE, RTC_SIZE, TEST_DEVICE_SIZE, UART_SIZE, VMGENID_SIZE,
};
use vireo_hart::csr::envcfg;
use vireo_hart::{Exit, Hart, HartConfig, Privilege};
use vireo_memory::{Bus, BusError, Clock, GuestRam, HartSignals, RamError};
use vireo_virtio::block::DriveConfig;
use vireo_virtio::console::{Console, ConsoleBackend, ConsoleInput};
use vireo_virtio::rng::Rng;
use vireo_virtio::{VirtioDevice, VirtioMmio};

/// Start of RAM, as on QEMU's `virt`.
pub const RAM_BASE: u64 = 0x8000_0000;
/// Most harts a machine may have.
pub const MAX_CPUS: u32 = 64;
/// Instructions a hart runs between checks of power events and HTIF.
const SLICE: u64 = 100_000;

/// What runs in M-mode before the kernel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Firmware {
    /// No firmware: the kernel is a bare-metal program started in M-mode.
    None,
    /// vireo is the firmware: it implements the SBI and starts the kernel
    /// in S-mode.
    Builtin,
    /// An M-mode firmware image (OpenSBI `fw_jump.bin`/`fw_dynamic.bin`)
    /// loaded at the start of RAM, with the kernel as its payload.
    File(PathBuf),
}

/// Everything needed to build a machine.
#[derive(Clone, Debug)]
pub struct MachineConfig {
    /// Guest RAM in bytes.
    pub ram_size: u64,
    /// Number of harts.
    pub cpus: u32,
    /// The firmware.
    pub firmware: Firmware,
    /// The kernel or bare-metal program.
    pub kernel: Option<PathBuf>,
    /// An initial ramdisk.
    pub initrd: Option<PathBuf>,
    /// The kernel command line.
    pub cmdline: String,
    /// Trace every instruction to stderr.
    pub trace: bool,
    /// How the harts execute guest code.
    pub engine: vireo_hart::Engine,
    /// Runs after which the JIT translates a block.
    pub jit_threshold: u32,
    /// Stop after this many instructions on hart 0.
    pub max_insns: Option<u64>,
    /// virtio-blk drives, in virtio-mmio slots 0, 1, ... (`/dev/vda`, ...).
    pub drives: Vec<DriveConfig>,
    /// virtio-net cards, in the virtio-mmio slots after the drives.
    pub nets: Vec<vireo_net::NetConfig>,
    /// A virtio-rng device serving host entropy (after the cards).
    pub rng: bool,
    /// A virtio-console (`hvc0`) on this host backend (after the rng).
    pub virtio_console: Option<ConsoleBackend>,
}

impl Default for MachineConfig {
    fn default() -> Self {
        MachineConfig {
            ram_size: 128 << 20,
            cpus: 1,
            firmware: Firmware::Builtin,
            kernel: None,
            initrd: None,
            cmdline: String::new(),
            trace: false,
            engine: vireo_hart::Engine::default(),
            jit_threshold: vireo_hart::JIT_THRESHOLD,
            max_insns: None,
            drives: Vec::new(),
            nets: Vec::new(),
            rng: true,
            virtio_console: None,
        }
    }
}

/// Errors building or running a machine.
#[derive(Debug, Error)]
pub enum MachineError {
    /// Bad configuration value.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// Guest RAM could not be created.
    #[error(transparent)]
    Ram(#[from] RamError),
    /// A kernel, firmware or initrd could not be loaded.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The device tree could not be built.
    #[error("cannot build the device tree: {0}")]
    Fdt(#[from] fdt::FdtError),
    /// Board wiring failed (a bug).
    #[error("board wiring: {0}")]
    Bus(#[from] BusError),
    /// A device could not be created.
    #[error("device setup: {0}")]
    Device(String),
}

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The guest powered off (or a test passed).
    Poweroff,
    /// A test program reported failure with this code.
    Fail(u32),
    /// The guest asked for a reboot.
    Reboot,
    /// `max_insns` instructions ran without an ending.
    InsnLimit,
}

/// A built machine. Its vCPUs run on host threads between
/// [`Machine::start`] and [`Machine::pause`] (or the guest stopping by
/// itself: power-off, reboot, a test result, the instruction limit);
/// while they are stopped the machine owns every hart, so its state can
/// be saved ([`Machine::snapshot`]) and restored ([`Machine::restore`]).
pub struct Machine {
    pub(crate) cfg: MachineConfig,
    pub(crate) ram: Arc<GuestRam>,
    /// The harts while no vCPU thread runs (empty while running).
    /// Boxed so each hart's state keeps a stable address (translated code
    /// will address it directly).
    #[allow(clippy::vec_box)]
    pub(crate) harts: Vec<Box<Hart>>,
    /// The vCPU threads while running; each hands its hart back.
    pub(crate) vcpus: Vec<JoinHandle<Box<Hart>>>,
    pub(crate) shared: Arc<VcpuShared>,
    pub(crate) signals: Vec<Arc<HartSignals>>,
    pub(crate) clock: Arc<Clock>,
    pub(crate) power: Arc<PowerControl>,
    pub(crate) plic: Arc<Plic>,
    pub(crate) uart: Arc<Uart>,
    pub(crate) rtc: Arc<GoldfishRtc>,
    pub(crate) vmgenid: Arc<VmGenId>,
    pub(crate) virtio: Vec<(u32, Arc<VirtioMmio>)>,
    pub(crate) sbi: Arc<Sbi>,
    pub(crate) console_input: Option<ConsoleInput>,
    /// `mtime` when the vCPUs were paused (`None` while running or before
    /// the first start).
    pub(crate) paused_at: Option<u64>,
    /// Where the device tree was placed.
    pub fdt_addr: u64,
}

/// What the vCPU threads share.
pub(crate) struct VcpuShared {
    pub(crate) power: Arc<PowerControl>,
    pub(crate) sbi: Arc<Sbi>,
    pub(crate) ram: Arc<GuestRam>,
    pub(crate) signals: Vec<Arc<HartSignals>>,
    /// HTIF `tohost` and `fromhost` addresses of a bare-metal program.
    pub(crate) htif: OnceLock<(u64, Option<u64>)>,
    pub(crate) max_insns: Option<u64>,
    /// `max_insns` ran out.
    pub(crate) limit_hit: AtomicBool,
    /// The VMM wants the vCPUs stopped (pause).
    pub(crate) pause: AtomicBool,
    /// Called (from a vCPU thread) when the vCPUs stop by themselves.
    pub(crate) on_stop: OnceLock<Box<dyn Fn() + Send + Sync>>,
    /// Per hart: run-loop returns by reason ([`EXIT_NAMES`] order).
    pub(crate) exits: Vec<[AtomicU64; 4]>,
    /// When a vCPU first ran guest code.
    pub(crate) first_run: OnceLock<std::time::Instant>,
    /// Per hart: its statistics as of its last return from `Hart::run`.
    pub(crate) published: Vec<std::sync::Mutex<HartCounters>>,
}

/// A hart's counters, as published by its vCPU thread.
#[derive(Clone, Debug, Default)]
pub struct HartCounters {
    /// Execution statistics.
    pub stats: vireo_hart::HartStats,
    /// Traps by cause: `(interrupt, cause code, count)`, non-zero only.
    pub traps_by_cause: Vec<(bool, u64, u64)>,
    /// Run-loop returns by reason ([`EXIT_NAMES`] order).
    pub exits: [u64; 4],
}

/// Names of the run-loop exit counters, in the order they are kept.
pub const EXIT_NAMES: [&str; 4] = ["budget", "wfi", "sbi_call", "exit_request"];

impl VcpuShared {
    fn stopped_by_guest(&self) {
        if let Some(f) = self.on_stop.get() {
            f();
        }
    }
}

/// Hands out the board's virtio-mmio slots while a machine is built:
/// slot `i` is the window at `VIRTIO_BASE + i * VIRTIO_SIZE` with PLIC
/// source `VIRTIO_IRQ_BASE + i`, filled lowest first (Linux names disks
/// in slot order: the first drive is `/dev/vda`).
pub struct VirtioSlots {
    plic: Arc<Plic>,
    ram: Arc<GuestRam>,
    used: Vec<u32>,
    devices: Vec<(u32, Arc<VirtioMmio>)>,
}

impl VirtioSlots {
    /// No slot used yet.
    pub fn new(plic: Arc<Plic>, ram: Arc<GuestRam>) -> VirtioSlots {
        VirtioSlots {
            plic,
            ram,
            used: Vec::new(),
            devices: Vec::new(),
        }
    }

    /// Map `device` behind a virtio-mmio transport in the next free slot,
    /// its interrupt wired to the PLIC. Returns the slot.
    pub fn add(
        &mut self,
        bus: &mut Bus,
        device: Box<dyn VirtioDevice>,
    ) -> Result<u32, MachineError> {
        let slot = self.used.len() as u32;
        if slot >= fdt::VIRTIO_SLOTS {
            return Err(MachineError::Config(format!(
                "too many virtio devices: the board has {} virtio-mmio slots",
                fdt::VIRTIO_SLOTS
            )));
        }
        let irq = fdt::VIRTIO_IRQ_BASE + slot;
        let plic = self.plic.clone();
        let mmio = VirtioMmio::new(
            device,
            self.ram.clone(),
            Box::new(move |level| plic.set_irq(irq, level)),
        )
        .map_err(|e| MachineError::Device(e.to_string()))?;
        let mmio = Arc::new(mmio);
        bus.add_mmio(
            fdt::VIRTIO_BASE + u64::from(slot) * fdt::VIRTIO_SIZE,
            fdt::VIRTIO_SIZE,
            mmio.clone(),
        )?;
        self.used.push(slot);
        self.devices.push((slot, mmio));
        Ok(slot)
    }

    /// The slots that hold a device (for the device tree).
    pub fn used(&self) -> &[u32] {
        &self.used
    }
}

fn align_down(v: u64, a: u64) -> u64 {
    v & !(a - 1)
}

/// Check the parts of a configuration that do not need any file.
fn validate(cfg: &MachineConfig) -> Result<(), MachineError> {
    if cfg.cpus == 0 || cfg.cpus > MAX_CPUS {
        return Err(MachineError::Config(format!(
            "--cpus must be between 1 and {MAX_CPUS}, got {}",
            cfg.cpus
        )));
    }
    if cfg.ram_size < (2 << 20) || !cfg.ram_size.is_multiple_of(4096) {
        return Err(MachineError::Config(format!(
            "--mem must be a multiple of 4 KiB and at least 2 MiB, got {} bytes",
            cfg.ram_size
        )));
    }
    if cfg.ram_size > (1u64 << 40) {
        return Err(MachineError::Config(
            "--mem above 1 TiB is not supported".into(),
        ));
    }
    Ok(())
}

impl Machine {
    /// Build the board, load the images, and put harts in their start
    /// state. Console output goes to `console`.
    pub fn new(
        cfg: MachineConfig,
        console: Box<dyn Write + Send>,
    ) -> Result<Machine, MachineError> {
        validate(&cfg)?;
        let ram = Arc::new(GuestRam::new(RAM_BASE, cfg.ram_size)?);
        let mut m = Machine::build(cfg, ram, console)?;
        m.boot()?;
        Ok(m)
    }

    /// Build the board around `ram`: devices, buses, harts in reset state.
    pub(crate) fn build(
        cfg: MachineConfig,
        ram: Arc<GuestRam>,
        console: Box<dyn Write + Send>,
    ) -> Result<Machine, MachineError> {
        let clock = Arc::new(Clock::new());
        let signals: Vec<Arc<HartSignals>> = (0..cfg.cpus)
            .map(|_| Arc::new(HartSignals::new()))
            .collect();

        let power = Arc::new(PowerControl::new(signals.clone()));
        let plic =
            Arc::new(Plic::new(signals.clone()).map_err(|e| MachineError::Device(e.to_string()))?);
        let uart = {
            let p = plic.clone();
            Arc::new(Uart::new(
                console,
                Box::new(move |l| p.set_irq(fdt::UART_IRQ, l)),
            ))
        };
        let rtc = {
            let p = plic.clone();
            Arc::new(GoldfishRtc::new(Box::new(move |l| {
                p.set_irq(fdt::RTC_IRQ, l)
            })))
        };
        let vmgenid = {
            let p = plic.clone();
            Arc::new(VmGenId::new(Box::new(move |l| {
                p.set_irq(fdt::VMGENID_IRQ, l)
            })))
        };
        let mut bus = Bus::new(ram.clone());
        bus.add_mmio(
            fdt::TEST_BASE,
            TEST_DEVICE_SIZE,
            Arc::new(TestDevice::new(power.clone())),
        )?;
        bus.add_mmio(fdt::RTC_BASE, RTC_SIZE, rtc.clone())?;
        bus.add_mmio(fdt::VMGENID_BASE, VMGENID_SIZE, vmgenid.clone())?;
        bus.add_mmio(
            fdt::CLINT_BASE,
            CLINT_SIZE,
            Arc::new(Clint::new(signals.clone(), clock.clone())),
        )?;
        bus.add_mmio(fdt::PLIC_BASE, PLIC_SIZE, plic.clone())?;
        bus.add_mmio(fdt::UART_BASE, UART_SIZE, uart.clone())?;
        let mut virtio = VirtioSlots::new(plic.clone(), ram.clone());
        for drive in &cfg.drives {
            let dev = vireo_virtio::block::open_drive(drive)
                .map_err(|e| MachineError::Device(e.to_string()))?;
            virtio.add(&mut bus, dev)?;
        }
        for (i, net) in cfg.nets.iter().enumerate() {
            let dev = vireo_net::VirtioNet::open(net, i)
                .map_err(|e| MachineError::Device(e.to_string()))?;
            virtio.add(&mut bus, Box::new(dev))?;
        }
        if cfg.rng {
            virtio.add(&mut bus, Box::new(Rng::new()))?;
        }
        let mut console_input = None;
        if let Some(backend) = &cfg.virtio_console {
            let dev = Console::open(backend)
                .map_err(|e| MachineError::Device(format!("virtio console: {e}")))?;
            console_input = Some(dev.input());
            virtio.add(&mut bus, Box::new(dev))?;
        }
        let bus = Arc::new(bus);

        let host_sbi = cfg.firmware == Firmware::Builtin;
        let harts: Vec<Box<Hart>> = (0..cfg.cpus)
            .map(|i| {
                Hart::new(
                    i as u64,
                    bus.clone(),
                    signals[i as usize].clone(),
                    clock.clone(),
                    HartConfig {
                        host_sbi,
                        trace: cfg.trace,
                        engine: cfg.engine,
                        jit_threshold: cfg.jit_threshold,
                        // Compiling on the vCPU thread instead is only
                        // there to measure what the compiler thread gains.
                        jit_background: std::env::var_os("VIREO_JIT_FOREGROUND").is_none(),
                        // Likewise, to measure the baseline tier: its
                        // threshold in interpreted runs (0: off), and its
                        // entries before Cranelift.
                        jit_baseline: env_u32("VIREO_JIT_BASELINE", vireo_hart::BASELINE_THRESHOLD),
                        jit_hot: env_u32("VIREO_JIT_HOT", vireo_hart::JIT_HOT),
                    },
                )
            })
            .collect();
        let sbi = Arc::new(Sbi::new(
            cfg.cpus as usize,
            signals.clone(),
            power.clone(),
            uart.clone(),
            ram.clone(),
        ));
        let shared = Arc::new(VcpuShared {
            power: power.clone(),
            sbi: sbi.clone(),
            ram: ram.clone(),
            signals: signals.clone(),
            htif: OnceLock::new(),
            max_insns: cfg.max_insns,
            limit_hit: AtomicBool::new(false),
            pause: AtomicBool::new(false),
            on_stop: OnceLock::new(),
            exits: (0..cfg.cpus).map(|_| Default::default()).collect(),
            first_run: OnceLock::new(),
            published: (0..cfg.cpus).map(|_| Default::default()).collect(),
        });
        {
            let s = signals.clone();
            let sh = Arc::downgrade(&shared);
            power.set_hook(Box::new(move |_| {
                s.iter().for_each(|h| h.request_exit());
                if let Some(sh) = sh.upgrade() {
                    sh.stopped_by_guest();
                }
            }));
        }
        Ok(Machine {
            cfg,
            ram,
            harts,
            vcpus: Vec::new(),
            shared,
            signals,
            clock,
            power,
            plic,
            uart,
            rtc,
            vmgenid,
            virtio: virtio.devices,
            sbi,
            console_input,
            paused_at: None,
            fdt_addr: 0,
        })
    }

    /// Load the kernel, firmware, initrd and device tree into RAM and put
    /// the harts in their boot state.
    fn boot(&mut self) -> Result<(), MachineError> {
        let cfg = &self.cfg;
        let ram = &self.ram;
        let harts = &mut self.harts;
        let sbi = &self.sbi;
        let virtio_slots: Vec<u32> = self.virtio.iter().map(|(s, _)| *s).collect();
        // Load images.
        let ram_end = ram.end();
        let (entry, kernel_end, tohost, fromhost, payload) = match &cfg.firmware {
            Firmware::File(fw) => {
                let f = loader::load_firmware(ram, fw)?;
                let (k_end, payload) = match &cfg.kernel {
                    Some(k) => {
                        let img = loader::load_kernel(
                            ram,
                            k,
                            RAM_BASE + 0x20_0000,
                            RAM_BASE + 0x20_0000,
                        )?;
                        (img.end.max(f.end), Some(img.entry))
                    }
                    None => (f.end, None),
                };
                (f.entry, k_end, None, None, payload)
            }
            _ => {
                let Some(k) = &cfg.kernel else {
                    return Err(MachineError::Config(
                        "no kernel given: pass --kernel FILE (a Linux Image, an ELF, or a flat binary)".into(),
                    ));
                };
                let base = if cfg.firmware == Firmware::None {
                    RAM_BASE
                } else {
                    RAM_BASE + 0x20_0000
                };
                let img = loader::load_kernel(ram, k, base, RAM_BASE + 0x20_0000)?;
                (img.entry, img.end, img.tohost, img.fromhost, None)
            }
        };

        // Device tree at the top of RAM (below 3 GiB from base), 2 MiB aligned.
        let isa = "rv64imafdc_zicntr_zicsr_zifencei_zihpm_zicbom_zicboz_zicond_zihintpause_zba_zbb_zbc_zbs_sstc";
        let fdt_cfg = |initrd: Option<(u64, u64)>| FdtConfig {
            num_harts: cfg.cpus,
            ram_base: RAM_BASE,
            ram_size: cfg.ram_size,
            isa: isa.to_string(),
            isa_extensions: Vec::new(),
            mmu_type: "riscv,sv57".to_string(),
            bootargs: if cfg.cmdline.is_empty() {
                None
            } else {
                Some(cfg.cmdline.clone())
            },
            initrd,
            virtio_slots: virtio_slots.clone(),
            vmgenid: true,
        };
        let probe = fdt::build_fdt(&fdt_cfg(cfg.initrd.as_ref().map(|_| (0, 0))))?;
        let top = ram_end.min(RAM_BASE + (3 << 30));
        let fdt_addr =
            align_down(top.saturating_sub(probe.len() as u64 + 0x1000), 0x20_0000).max(RAM_BASE);
        if fdt_addr < kernel_end {
            return Err(MachineError::Config(format!(
                "the kernel (ending at {kernel_end:#x}) leaves no room for the device tree in {} MiB of RAM; raise --mem",
                cfg.ram_size >> 20
            )));
        }
        let initrd = match &cfg.initrd {
            Some(p) => Some(loader::load_initrd(ram, p, kernel_end, fdt_addr)?),
            None => None,
        };
        let blob = fdt::build_fdt(&fdt_cfg(initrd))?;
        ram.write_bytes(fdt_addr, &blob)?;

        // Start state.
        for h in harts.iter_mut() {
            h.x[10] = h.id;
            h.x[11] = fdt_addr;
            match &cfg.firmware {
                Firmware::Builtin => {
                    // vireo plays the firmware: delegate what OpenSBI would,
                    // open counters and Sstc to S-mode, and enter the kernel
                    // in S-mode. Only the boot hart starts; others wait for
                    // an HSM start call.
                    h.csr.medeleg = 0xb1ff;
                    h.csr.mideleg = 0x222;
                    h.csr.mcounteren = 0xffff_ffff;
                    // As OpenSBI does: U-mode may read the counters
                    // (the vDSO's clock_gettime reads `time`). Linux
                    // only sets scounteren itself when an SBI PMU exists.
                    h.csr.scounteren = 0xffff_ffff;
                    h.csr.menvcfg = envcfg::STCE | envcfg::CBIE | envcfg::CBCFE | envcfg::CBZE;
                    h.open_pmp();
                    h.set_priv(Privilege::S);
                    h.pc = entry;
                }
                Firmware::File(_) => {
                    // fw_dynamic/fw_jump: a2 points to dynamic info (or 0).
                    h.pc = entry;
                    h.x[12] = 0;
                }
                Firmware::None => h.pc = entry,
            }
        }
        if let (Firmware::File(_), Some(payload)) = (&cfg.firmware, payload) {
            // fw_dynamic's info block (magic, version, next_addr, next_mode,
            // options, boot_hart) just below the device tree.
            let info = fdt_addr - 0x40;
            let words = [0x4942_534f_u64, 2, payload, 1, 0, u64::MAX];
            for (i, w) in words.iter().enumerate() {
                ram.write_u64(info + 8 * i as u64, *w)?;
            }
            for h in harts.iter_mut() {
                h.x[12] = info;
            }
        }
        if cfg.firmware == Firmware::Builtin {
            sbi.set_status(0, HartStatus::Started);
        } else {
            for i in 0..cfg.cpus as usize {
                sbi.set_status(i, HartStatus::Started);
            }
        }

        self.fdt_addr = fdt_addr;
        if let Some(th) = tohost {
            // Only bare-metal programs have HTIF; hart 0 polls it.
            let _ = self.shared.htif.set((th, fromhost));
        }
        Ok(())
    }

    /// Where host input for the virtio console (`hvc0`) goes, if the
    /// machine has one.
    pub fn virtio_console_input(&self) -> Option<ConsoleInput> {
        self.console_input.clone()
    }

    /// The console UART (to feed keyboard input).
    pub fn uart(&self) -> Arc<Uart> {
        self.uart.clone()
    }

    /// Choose how the harts execute guest code (default: the interpreter).
    /// Call while no vCPU thread runs (after `build`, before `start`, or
    /// while paused); it applies to every hart.
    pub fn set_engine(&mut self, engine: vireo_hart::Engine) {
        for h in self.harts.iter_mut() {
            h.set_engine(engine);
        }
    }

    /// The harts (for register dumps after a run). Empty while running.
    pub fn harts(&self) -> &[Box<Hart>] {
        &self.harts
    }

    /// The configuration the machine was built from.
    pub fn config(&self) -> &MachineConfig {
        &self.cfg
    }

    /// Guest RAM.
    pub fn ram(&self) -> &Arc<GuestRam> {
        &self.ram
    }

    /// The virtio transports, with their slots.
    pub fn virtio_devices(&self) -> &[(u32, Arc<VirtioMmio>)] {
        &self.virtio
    }

    /// Ask the machine to power off (as if the guest did).
    pub fn power(&self) -> Arc<PowerControl> {
        self.power.clone()
    }

    /// Call `f` (once per stop, from a vCPU thread) when the vCPUs stop
    /// by themselves: the guest powered off, rebooted or reported a test
    /// result, or the instruction limit ran out. Then call
    /// [`Machine::wait`]. Can be set once.
    pub fn on_guest_stop(&self, f: Box<dyn Fn() + Send + Sync>) {
        let _ = self.shared.on_stop.set(f);
    }

    /// True while vCPU threads run.
    pub fn is_running(&self) -> bool {
        !self.vcpus.is_empty()
    }

    /// Start (or continue) the vCPUs on host threads.
    pub fn start(&mut self) -> Result<(), MachineError> {
        if self.is_running() {
            return Ok(());
        }
        self.shared.pause.store(false, Ordering::Release);
        for s in &self.signals {
            s.clear_exit();
        }
        let harts = std::mem::take(&mut self.harts);
        let mut failed = None;
        for hart in harts {
            if failed.is_some() {
                self.harts.push(hart);
                continue;
            }
            let shared = self.shared.clone();
            let name = format!("vcpu{}", hart.id);
            // The hart comes back through the join handle; if the thread
            // cannot be created the hart is lost with the closure, so keep
            // a way to report it.
            match std::thread::Builder::new().name(name).spawn(move || {
                // A panic here is a vireo bug: stop the whole machine
                // (the VMM then exits with an error) instead of leaving
                // the other vCPUs and the VMM waiting for this one.
                let run = std::panic::AssertUnwindSafe(|| hart_loop(hart, &shared));
                match std::panic::catch_unwind(run) {
                    Ok(hart) => hart,
                    Err(panic) => {
                        eprintln!("vireo: a vCPU thread crashed (a bug in vireo; please report it with the message above); stopping the VM");
                        shared.power.request(PowerEvent::Fail(255));
                        std::panic::resume_unwind(panic)
                    }
                }
            }) {
                Ok(h) => self.vcpus.push(h),
                Err(e) => failed = Some(e),
            }
        }
        if let Some(e) = failed {
            self.pause();
            return Err(MachineError::Device(format!(
                "cannot start a vCPU thread: {e}"
            )));
        }
        Ok(())
    }

    /// Stop every vCPU at an instruction boundary and wait for it; the
    /// machine owns the harts again. Devices are not touched (see
    /// [`Machine::pause`]).
    fn stop_vcpus(&mut self) {
        self.shared.pause.store(true, Ordering::Release);
        for s in &self.signals {
            s.request_exit();
        }
        let mut harts: Vec<Box<Hart>> = Vec::with_capacity(self.vcpus.len());
        for h in self.vcpus.drain(..) {
            match h.join() {
                Ok(hart) => harts.push(hart),
                // A vCPU thread panicked (a vireo bug): its hart is gone.
                // Keep the others; the machine can no longer run or be
                // snapshotted (checked by `snapshot`).
                Err(_) => eprintln!("vireo: a vCPU thread panicked"),
            }
        }
        harts.sort_by_key(|h| h.id);
        self.harts.extend(harts);
        self.harts.sort_by_key(|h| h.id);
        // Requests posted to a hart after it stopped (an IPI) are applied
        // now, so that a snapshot contains them.
        for h in self.harts.iter_mut() {
            h.serve_requests();
        }
    }

    /// Pause: stop every vCPU at an instruction boundary, then quiesce the
    /// devices (in-flight I/O completes). Guest time stops with it.
    pub fn pause(&mut self) {
        self.stop_vcpus();
        for (_, d) in &self.virtio {
            d.pause();
        }
        if self.paused_at.is_none() {
            self.paused_at = Some(self.clock.now());
        }
    }

    /// Continue after [`Machine::pause`] (or start a restored machine).
    /// With `catch_up`, the guest clock jumps forward by the paused time
    /// (as a physical machine's would); without, the guest does not see
    /// the pause.
    pub fn resume(&mut self, catch_up: bool) -> Result<(), MachineError> {
        if let Some(t) = self.paused_at.take() {
            if !catch_up {
                self.clock.set(t);
            }
        }
        for (_, d) in &self.virtio {
            d.resume();
        }
        self.start()
    }

    /// Wait until the vCPUs stop by themselves and say why.
    pub fn wait(&mut self) -> Outcome {
        for h in self.vcpus.drain(..) {
            if let Ok(hart) = h.join() {
                self.harts.push(hart);
            }
        }
        self.harts.sort_by_key(|h| h.id);
        self.outcome()
    }

    fn outcome(&self) -> Outcome {
        match self.power.take() {
            Some(PowerEvent::Poweroff) => Outcome::Poweroff,
            Some(PowerEvent::Fail(c)) => Outcome::Fail(c),
            Some(PowerEvent::Reboot) => Outcome::Reboot,
            None => Outcome::InsnLimit,
        }
    }

    /// Run all harts until the machine stops.
    pub fn run(&mut self) -> Outcome {
        if let Err(e) = self.start() {
            eprintln!("vireo: {e}");
            self.power.request(PowerEvent::Fail(255));
        }
        self.wait()
    }

    /// When a vCPU first ran guest code on this machine.
    pub fn first_run(&self) -> Option<std::time::Instant> {
        self.shared.first_run.get().copied()
    }

    /// Counters of every hart: exact while paused, as of each vCPU's
    /// last trip through its run loop while running.
    pub fn hart_counters(&self) -> Vec<HartCounters> {
        (0..self.cfg.cpus as usize)
            .map(|i| {
                let exits =
                    std::array::from_fn(|k| self.shared.exits[i][k].load(Ordering::Relaxed));
                match self.harts.iter().find(|h| h.id == i as u64) {
                    Some(h) => HartCounters {
                        stats: h.stats(),
                        traps_by_cause: h.trap_counts(),
                        exits,
                    },
                    None => {
                        let mut c = self.shared.published[i]
                            .lock()
                            .map(|p| p.clone())
                            .unwrap_or_default();
                        c.exits = exits;
                        c
                    }
                }
            })
            .collect()
    }
}

fn hart_loop(mut hart: Box<Hart>, sh: &VcpuShared) -> Box<Hart> {
    let id = hart.id as usize;
    let exits = &sh.exits[id];
    loop {
        if sh.pause.load(Ordering::Acquire)
            || sh.power.pending().is_some()
            || sh.limit_hit.load(Ordering::Acquire)
        {
            return hart;
        }
        if sh.sbi.status(id) != HartStatus::Started {
            // Stopped: wait for an HSM start (or the end of the machine).
            match sh.sbi.wait_start(id, &sh.power) {
                Some((addr, opaque)) => {
                    hart.set_priv(Privilege::S);
                    hart.pc = addr;
                    hart.x[10] = id as u64;
                    hart.x[11] = opaque;
                    hart.csr.mstatus &= !(vireo_hart::csr::mstatus::SIE);
                    hart.csr.satp = 0;
                    hart.mmu.flush_all();
                }
                None => {
                    // A pause or power-off woke us; the checks above decide.
                    if sh.pause.load(Ordering::Acquire) || sh.power.pending().is_some() {
                        return hart;
                    }
                    hart.signals.clear_exit();
                    continue;
                }
            }
        }
        let budget = match sh.max_insns {
            // Traps count as steps: a guest stuck in a trap loop retires
            // nothing but must still hit the limit.
            Some(m) if id == 0 => m
                .saturating_sub(hart.instret + hart.stats().traps)
                .min(SLICE),
            _ => SLICE,
        };
        if budget == 0 {
            if !sh.limit_hit.swap(true, Ordering::AcqRel) {
                sh.signals.iter().for_each(|s| s.request_exit());
                sh.stopped_by_guest();
            }
            return hart;
        }
        sh.first_run.get_or_init(std::time::Instant::now);
        let exit = hart.run(budget);
        if id == 0 {
            if let Some(&(th, fh)) = sh.htif.get() {
                poll_htif(&sh.ram, th, fh, &sh.power);
                if sh.power.pending().is_some() {
                    return hart;
                }
            }
        }
        let reason = match exit {
            Exit::Budget => 0,
            Exit::Wfi => 1,
            Exit::SbiCall => 2,
            Exit::ExitRequested | Exit::Diverged => 3,
        };
        exits[reason].fetch_add(1, Ordering::Relaxed);
        if let Ok(mut p) = sh.published[id].lock() {
            p.stats = hart.stats();
            p.traps_by_cause = hart.trap_counts();
        }
        match exit {
            Exit::Budget => {}
            Exit::Wfi => hart.wait_for_interrupt(),
            Exit::SbiCall => sh.sbi.call(&mut hart),
            Exit::Diverged => {
                eprintln!(
                    "vireo: hart {id}: {}",
                    hart.divergence().unwrap_or("diverged")
                );
                sh.power.request(PowerEvent::Fail(255));
                return hart;
            }
            Exit::ExitRequested => {
                if !sh.pause.load(Ordering::Acquire) {
                    hart.signals.clear_exit();
                }
            }
        }
    }
}

/// The HTIF convention of bare-metal test programs: a write to `tohost`
/// of `(code << 1) | 1` ends the program (code 0 = pass); device 1
/// command 1 prints a character.
fn poll_htif(ram: &GuestRam, tohost: u64, fromhost: Option<u64>, power: &PowerControl) {
    let Ok(v) = ram.read_u64(tohost) else { return };
    if v == 0 {
        return;
    }
    let device = v >> 56;
    let cmd = (v >> 48) & 0xff;
    let payload = v & ((1 << 48) - 1);
    match (device, cmd) {
        (0, 0) if payload & 1 == 1 => {
            let code = payload >> 1;
            power.request(if code == 0 {
                PowerEvent::Poweroff
            } else {
                PowerEvent::Fail(code as u32)
            });
        }
        (1, 1) => {
            let _ = std::io::stdout().write_all(&[payload as u8]);
            let _ = std::io::stdout().flush();
            if let Some(fh) = fromhost {
                let _ = ram.write_u64(fh, (1 << 56) | (1 << 48));
            }
        }
        _ => {}
    }
    let _ = ram.write_u64(tohost, 0);
}

/// The number in environment variable `name` (measurement knobs), or
/// `default` when it is unset or not a number.
fn env_u32(name: &str, default: u32) -> u32 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
