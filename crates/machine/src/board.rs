//! The board: building a machine from a configuration and running it.

use crate::fdt::{self, FdtConfig};
use crate::loader::{self, LoadError};
use crate::sbi::{HartStatus, Sbi};
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use thiserror::Error;
use vireo_devices::{
    Clint, GoldfishRtc, Plic, PowerControl, PowerEvent, TestDevice, Uart, CLINT_SIZE, PLIC_SIZE,
    RTC_SIZE, TEST_DEVICE_SIZE, UART_SIZE,
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

/// A built machine, ready to run.
pub struct Machine {
    cfg: MachineConfig,
    ram: Arc<GuestRam>,
    /// Boxed so each hart's state keeps a stable address (translated code
    /// will address it directly).
    #[allow(clippy::vec_box)]
    harts: Vec<Box<Hart>>,
    signals: Vec<Arc<HartSignals>>,
    power: Arc<PowerControl>,
    uart: Arc<Uart>,
    sbi: Arc<Sbi>,
    tohost: Option<u64>,
    fromhost: Option<u64>,
    console_input: Option<ConsoleInput>,
    /// Where the device tree was placed.
    pub fdt_addr: u64,
}

/// Hands out the board's virtio-mmio slots while a machine is built:
/// slot `i` is the window at `VIRTIO_BASE + i * VIRTIO_SIZE` with PLIC
/// source `VIRTIO_IRQ_BASE + i`, filled lowest first (Linux names disks
/// in slot order: the first drive is `/dev/vda`).
pub struct VirtioSlots {
    plic: Arc<Plic>,
    ram: Arc<GuestRam>,
    used: Vec<u32>,
}

impl VirtioSlots {
    /// No slot used yet.
    pub fn new(plic: Arc<Plic>, ram: Arc<GuestRam>) -> VirtioSlots {
        VirtioSlots {
            plic,
            ram,
            used: Vec::new(),
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
        bus.add_mmio(
            fdt::VIRTIO_BASE + u64::from(slot) * fdt::VIRTIO_SIZE,
            fdt::VIRTIO_SIZE,
            Arc::new(mmio),
        )?;
        self.used.push(slot);
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

impl Machine {
    /// Build the board, load the images, and put harts in their start
    /// state. Console output goes to `console`.
    pub fn new(
        cfg: MachineConfig,
        console: Box<dyn Write + Send>,
    ) -> Result<Machine, MachineError> {
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
        let ram = Arc::new(GuestRam::new(RAM_BASE, cfg.ram_size)?);
        let clock = Arc::new(Clock::new());
        let signals: Vec<Arc<HartSignals>> = (0..cfg.cpus)
            .map(|_| Arc::new(HartSignals::new()))
            .collect();

        let power = Arc::new(PowerControl::new(signals.clone()));
        {
            let s = signals.clone();
            power.set_hook(Box::new(move |_| s.iter().for_each(|h| h.request_exit())));
        }
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
        let mut bus = Bus::new(ram.clone());
        bus.add_mmio(
            fdt::TEST_BASE,
            TEST_DEVICE_SIZE,
            Arc::new(TestDevice::new(power.clone())),
        )?;
        bus.add_mmio(fdt::RTC_BASE, RTC_SIZE, rtc)?;
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
        let mut harts: Vec<Box<Hart>> = (0..cfg.cpus)
            .map(|i| {
                Hart::new(
                    i as u64,
                    bus.clone(),
                    signals[i as usize].clone(),
                    clock.clone(),
                    HartConfig {
                        host_sbi,
                        trace: cfg.trace,
                    },
                )
            })
            .collect();

        // Load images.
        let ram_end = ram.end();
        let (entry, kernel_end, tohost, fromhost, payload) = match &cfg.firmware {
            Firmware::File(fw) => {
                let f = loader::load_firmware(&ram, fw)?;
                let (k_end, payload) = match &cfg.kernel {
                    Some(k) => {
                        let img = loader::load_kernel(
                            &ram,
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
                let img = loader::load_kernel(&ram, k, base, RAM_BASE + 0x20_0000)?;
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
            virtio_slots: virtio.used().to_vec(),
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
            Some(p) => Some(loader::load_initrd(&ram, p, kernel_end, fdt_addr)?),
            None => None,
        };
        let blob = fdt::build_fdt(&fdt_cfg(initrd))?;
        ram.write_bytes(fdt_addr, &blob)?;

        // Start state.
        let sbi = Arc::new(Sbi::new(
            cfg.cpus as usize,
            signals.clone(),
            power.clone(),
            uart.clone(),
            ram.clone(),
        ));
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

        Ok(Machine {
            cfg,
            ram,
            harts,
            signals,
            power,
            uart,
            sbi,
            tohost,
            fromhost,
            console_input,
            fdt_addr,
        })
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

    /// The harts (for register dumps after a run).
    pub fn harts(&self) -> &[Box<Hart>] {
        &self.harts
    }

    /// Guest RAM.
    pub fn ram(&self) -> &Arc<GuestRam> {
        &self.ram
    }

    /// Ask the machine to power off (as if the guest did).
    pub fn power(&self) -> Arc<PowerControl> {
        self.power.clone()
    }

    /// Run all harts until the machine stops.
    pub fn run(&mut self) -> Outcome {
        let limit_hit = AtomicBool::new(false);
        let power = self.power.clone();
        let sbi = self.sbi.clone();
        let signals = self.signals.clone();
        let ram = self.ram.clone();
        let max = self.cfg.max_insns;
        let (tohost, fromhost) = (self.tohost, self.fromhost);
        std::thread::scope(|s| {
            for hart in self.harts.iter_mut() {
                let (power, sbi, signals, ram, limit_hit) =
                    (&power, &sbi, &signals, &ram, &limit_hit);
                let name = format!("vcpu{}", hart.id);
                let spawned = std::thread::Builder::new()
                    .name(name)
                    .spawn_scoped(s, move || {
                        hart_loop(
                            hart, power, sbi, ram, tohost, fromhost, max, limit_hit, signals,
                        )
                    });
                if let Err(e) = spawned {
                    eprintln!("vireo: cannot start a vCPU thread: {e}");
                    power.request(PowerEvent::Fail(255));
                }
            }
        });
        match self.power.take() {
            Some(PowerEvent::Poweroff) => Outcome::Poweroff,
            Some(PowerEvent::Fail(c)) => Outcome::Fail(c),
            Some(PowerEvent::Reboot) => Outcome::Reboot,
            None => Outcome::InsnLimit,
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn hart_loop(
    hart: &mut Hart,
    power: &PowerControl,
    sbi: &Sbi,
    ram: &GuestRam,
    tohost: Option<u64>,
    fromhost: Option<u64>,
    max: Option<u64>,
    limit_hit: &AtomicBool,
    signals: &[Arc<HartSignals>],
) {
    let id = hart.id as usize;
    loop {
        if power.pending().is_some() || limit_hit.load(Ordering::Acquire) {
            return;
        }
        if sbi.status(id) != HartStatus::Started {
            // Stopped: wait for an HSM start (or the end of the machine).
            match sbi.wait_start(id, power) {
                Some((addr, opaque)) => {
                    hart.set_priv(Privilege::S);
                    hart.pc = addr;
                    hart.x[10] = id as u64;
                    hart.x[11] = opaque;
                    hart.csr.mstatus &= !(vireo_hart::csr::mstatus::SIE);
                    hart.csr.satp = 0;
                    hart.mmu.flush_all();
                }
                None => return,
            }
        }
        let budget = match max {
            // Traps count as steps: a guest stuck in a trap loop retires
            // nothing but must still hit the limit.
            Some(m) if id == 0 => m
                .saturating_sub(hart.instret + hart.stats().traps)
                .min(SLICE),
            _ => SLICE,
        };
        if budget == 0 {
            limit_hit.store(true, Ordering::Release);
            signals.iter().for_each(|s| s.request_exit());
            return;
        }
        let exit = hart.run(budget);
        if id == 0 {
            if let Some(th) = tohost {
                poll_htif(ram, th, fromhost, power);
                if power.pending().is_some() {
                    return;
                }
            }
        }
        match exit {
            Exit::Budget => {}
            Exit::Wfi => hart.wait_for_interrupt(),
            Exit::SbiCall => sbi.call(hart),
            Exit::ExitRequested => hart.signals.clear_exit(),
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
