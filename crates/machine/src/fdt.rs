//! The flattened device tree of the `virt` board.
//!
//! The tree follows the one QEMU's `virt` machine generates, so firmware
//! and kernels configured for that machine (OpenSBI's generic platform,
//! Linux, U-Boot) find the same nodes: the harts under `/cpus` with their
//! local interrupt controllers, the CLINT and PLIC wired to those, the
//! NS16550A console, the Goldfish RTC, the SiFive test device with the
//! `syscon-poweroff`/`syscon-reboot` nodes that drive it, the virtio-mmio
//! slots that hold a device, and `/chosen` (console, command line,
//! initrd, a random seed). Optionally the VM generation ID
//! (`microsoft,vmgenid`), which QEMU's `virt` board does not have.

use std::fs::File;
use std::io::Read;
use thiserror::Error;
use vireo_devices::{
    CLINT_SIZE, PLIC_MAX_HARTS, PLIC_SIZE, RTC_SIZE, TEST_DEVICE_SIZE, UART_SIZE, VMGENID_ID_LEN,
};
use vm_fdt::FdtWriter;

/// Base of the SiFive test (power) device.
pub const TEST_BASE: u64 = 0x0010_0000;
/// Base of the Goldfish RTC.
pub const RTC_BASE: u64 = 0x0010_1000;
/// Base of the VM generation ID.
pub const VMGENID_BASE: u64 = 0x0010_2000;
/// Base of the CLINT.
pub const CLINT_BASE: u64 = 0x0200_0000;
/// Base of the PLIC.
pub const PLIC_BASE: u64 = 0x0c00_0000;
/// Base of the NS16550A UART.
pub const UART_BASE: u64 = 0x1000_0000;
/// Base of virtio-mmio slot 0; slot `i` is at `VIRTIO_BASE + i * VIRTIO_SIZE`.
pub const VIRTIO_BASE: u64 = 0x1000_1000;
/// Size of one virtio-mmio slot.
pub const VIRTIO_SIZE: u64 = 0x1000;
/// Number of virtio-mmio slots.
pub const VIRTIO_SLOTS: u32 = 8;
/// PLIC source of the UART.
pub const UART_IRQ: u32 = 10;
/// PLIC source of the RTC.
pub const RTC_IRQ: u32 = 11;
/// PLIC source of the VM generation ID's notification.
pub const VMGENID_IRQ: u32 = 12;
/// PLIC source of virtio-mmio slot 0; slot `i` uses `VIRTIO_IRQ_BASE + i`.
pub const VIRTIO_IRQ_BASE: u32 = 1;
/// Frequency of `mtime` and of the `time` CSR.
pub const TIMEBASE_FREQUENCY: u32 = vireo_memory::TIMEBASE_HZ as u32;
/// Input clock of the UART (as QEMU advertises it: 3.6864 MHz).
pub const UART_CLOCK_FREQUENCY: u32 = 0x38_4000;
/// Number of PLIC sources usable by devices (1..=95).
pub const PLIC_NDEV: u32 = 95;

// Local interrupt numbers on a hart's `riscv,cpu-intc` (the `mip` bits).
const IRQ_M_SOFT: u32 = 3;
const IRQ_M_TIMER: u32 = 7;
const IRQ_S_EXT: u32 = 9;
const IRQ_M_EXT: u32 = 11;

// Phandles: fixed ones first, then two per hart (cpu node, its intc).
const PHANDLE_PLIC: u32 = 1;
const PHANDLE_TEST: u32 = 2;
const PHANDLE_FIRST_CPU: u32 = 3;

fn cpu_phandle(hart: u32) -> u32 {
    PHANDLE_FIRST_CPU + 2 * hart
}

fn intc_phandle(hart: u32) -> u32 {
    PHANDLE_FIRST_CPU + 2 * hart + 1
}

/// Block size of the cache-block management, zero and prefetch
/// instructions (Zicbom, Zicboz, Zicbop), as on QEMU.
const CACHE_BLOCK_SIZE: u32 = 64;

/// What the device tree describes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FdtConfig {
    /// Number of harts (IDs `0..num_harts`).
    pub num_harts: u32,
    /// Guest physical base of RAM.
    pub ram_base: u64,
    /// Size of RAM in bytes.
    pub ram_size: u64,
    /// The `riscv,isa` string, e.g. `"rv64imafdc_zicsr_zifencei_zba_zbb_zbc_zbs"`.
    pub isa: String,
    /// The `riscv,isa-extensions` list (lower case, e.g. `"i"`, `"zicsr"`).
    /// Empty: derived from `isa`.
    pub isa_extensions: Vec<String>,
    /// The `mmu-type`, e.g. `"riscv,sv57"`.
    pub mmu_type: String,
    /// The kernel command line.
    pub bootargs: Option<String>,
    /// Initial ramdisk as `(start, end)` guest physical addresses.
    pub initrd: Option<(u64, u64)>,
    /// virtio-mmio slots (`0..8`) that hold a device.
    pub virtio_slots: Vec<u32>,
    /// Describe the VM generation ID device (`microsoft,vmgenid`).
    pub vmgenid: bool,
}

/// Errors building the device tree.
#[derive(Debug, Error)]
pub enum FdtError {
    /// The configuration cannot be described.
    #[error("invalid device tree configuration: {0}")]
    Config(String),
    /// The FDT writer refused a node or property (e.g. a NUL in a string).
    #[error("device tree writer: {0}")]
    Writer(#[from] vm_fdt::Error),
    /// No random seed could be read from the host.
    #[error("cannot read a random seed from /dev/urandom: {0}")]
    RandomSeed(#[source] std::io::Error),
}

/// The `riscv,isa-extensions` list named by an ISA string such as
/// `"rv64imafdc_zicsr_zifencei"`: single letters first, then the
/// multi-letter extensions; `g` expands to `imafd_zicsr_zifencei`.
pub fn isa_extensions_from_isa(isa: &str) -> Vec<String> {
    let lower = isa.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("rv64")
        .or_else(|| lower.strip_prefix("rv32"))
        .unwrap_or(&lower);
    let mut parts = rest.split('_');
    let mut out: Vec<String> = Vec::new();
    let mut push = |e: &str| {
        if !e.is_empty() && !out.iter().any(|x| x == e) {
            out.push(e.to_string());
        }
    };
    for c in parts.next().unwrap_or("").chars() {
        if c == 'g' {
            for e in ["i", "m", "a", "f", "d", "zicsr", "zifencei"] {
                push(e);
            }
        } else if c.is_ascii_lowercase() {
            push(c.encode_utf8(&mut [0; 4]));
        }
    }
    for p in parts {
        push(p);
    }
    out
}

fn random_seed() -> Result<[u8; 32], FdtError> {
    let mut seed = [0u8; 32];
    File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut seed))
        .map_err(FdtError::RandomSeed)?;
    Ok(seed)
}

fn validate(cfg: &FdtConfig) -> Result<(), FdtError> {
    let bad = |msg: String| Err(FdtError::Config(msg));
    if cfg.num_harts == 0 || cfg.num_harts as usize > PLIC_MAX_HARTS {
        return bad(format!(
            "{} harts (must be 1..={PLIC_MAX_HARTS})",
            cfg.num_harts
        ));
    }
    if cfg.ram_size == 0 || cfg.ram_base.checked_add(cfg.ram_size).is_none() {
        return bad(format!(
            "RAM {:#x}+{:#x} is empty or wraps",
            cfg.ram_base, cfg.ram_size
        ));
    }
    if let Some((start, end)) = cfg.initrd {
        if end < start {
            return bad(format!(
                "initrd ends ({end:#x}) before it starts ({start:#x})"
            ));
        }
    }
    for (i, &slot) in cfg.virtio_slots.iter().enumerate() {
        if slot >= VIRTIO_SLOTS {
            return bad(format!("virtio slot {slot} (must be 0..{VIRTIO_SLOTS})"));
        }
        if cfg.virtio_slots[..i].contains(&slot) {
            return bad(format!("virtio slot {slot} listed twice"));
        }
    }
    Ok(())
}

/// `reg` of a node on a bus with two address and two size cells.
fn reg(fdt: &mut FdtWriter, base: u64, size: u64) -> Result<(), FdtError> {
    Ok(fdt.property_array_u64("reg", &[base, size])?)
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn cpus(fdt: &mut FdtWriter, cfg: &FdtConfig) -> Result<(), FdtError> {
    let extensions = if cfg.isa_extensions.is_empty() {
        isa_extensions_from_isa(&cfg.isa)
    } else {
        cfg.isa_extensions.clone()
    };
    let has = |e: &str| extensions.iter().any(|x| x == e);

    let cpus = fdt.begin_node("cpus")?;
    fdt.property_u32("#address-cells", 1)?;
    fdt.property_u32("#size-cells", 0)?;
    fdt.property_u32("timebase-frequency", TIMEBASE_FREQUENCY)?;
    for hart in 0..cfg.num_harts {
        let cpu = fdt.begin_node(&format!("cpu@{hart:x}"))?;
        fdt.property_phandle(cpu_phandle(hart))?;
        fdt.property_string("device_type", "cpu")?;
        fdt.property_u32("reg", hart)?;
        fdt.property_string("status", "okay")?;
        fdt.property_string("compatible", "riscv")?;
        fdt.property_string("riscv,isa", &cfg.isa)?;
        fdt.property_string("riscv,isa-base", "rv64i")?;
        fdt.property_string_list("riscv,isa-extensions", extensions.clone())?;
        fdt.property_string("mmu-type", &cfg.mmu_type)?;
        // Linux disables Zicbom/Zicboz when the block size is missing.
        if has("zicbom") {
            fdt.property_u32("riscv,cbom-block-size", CACHE_BLOCK_SIZE)?;
        }
        if has("zicboz") {
            fdt.property_u32("riscv,cboz-block-size", CACHE_BLOCK_SIZE)?;
        }
        if has("zicbop") {
            fdt.property_u32("riscv,cbop-block-size", CACHE_BLOCK_SIZE)?;
        }
        let intc = fdt.begin_node("interrupt-controller")?;
        fdt.property_u32("#interrupt-cells", 1)?;
        fdt.property_null("interrupt-controller")?;
        fdt.property_string("compatible", "riscv,cpu-intc")?;
        fdt.property_phandle(intc_phandle(hart))?;
        fdt.end_node(intc)?;
        fdt.end_node(cpu)?;
    }
    let map = fdt.begin_node("cpu-map")?;
    let cluster = fdt.begin_node("cluster0")?;
    for hart in 0..cfg.num_harts {
        let core = fdt.begin_node(&format!("core{hart}"))?;
        fdt.property_u32("cpu", cpu_phandle(hart))?;
        fdt.end_node(core)?;
    }
    fdt.end_node(cluster)?;
    fdt.end_node(map)?;
    fdt.end_node(cpus)?;
    Ok(())
}

/// `interrupts-extended` wiring each hart's intc to the given local
/// interrupts, hart by hart.
fn per_hart_interrupts(num_harts: u32, irqs: &[u32]) -> Vec<u32> {
    (0..num_harts)
        .flat_map(|hart| irqs.iter().flat_map(move |&irq| [intc_phandle(hart), irq]))
        .collect()
}

/// A device behind the PLIC.
fn plic_device(
    fdt: &mut FdtWriter,
    name: &str,
    compatible: &str,
    base: u64,
    size: u64,
    irq: u32,
) -> Result<(), FdtError> {
    let node = fdt.begin_node(&format!("{name}@{base:x}"))?;
    fdt.property_string("compatible", compatible)?;
    reg(fdt, base, size)?;
    fdt.property_u32("interrupt-parent", PHANDLE_PLIC)?;
    fdt.property_u32("interrupts", irq)?;
    if compatible == "ns16550a" {
        fdt.property_u32("clock-frequency", UART_CLOCK_FREQUENCY)?;
    }
    fdt.end_node(node)?;
    Ok(())
}

fn soc(fdt: &mut FdtWriter, cfg: &FdtConfig) -> Result<(), FdtError> {
    let soc = fdt.begin_node("soc")?;
    fdt.property_u32("#address-cells", 2)?;
    fdt.property_u32("#size-cells", 2)?;
    fdt.property_string("compatible", "simple-bus")?;
    fdt.property_null("ranges")?;

    let test = fdt.begin_node(&format!("test@{TEST_BASE:x}"))?;
    fdt.property_phandle(PHANDLE_TEST)?;
    fdt.property_string_list(
        "compatible",
        strings(&["sifive,test1", "sifive,test0", "syscon"]),
    )?;
    reg(fdt, TEST_BASE, TEST_DEVICE_SIZE)?;
    fdt.end_node(test)?;

    plic_device(
        fdt,
        "rtc",
        "google,goldfish-rtc",
        RTC_BASE,
        RTC_SIZE,
        RTC_IRQ,
    )?;

    if cfg.vmgenid {
        // `reg` covers the 16-byte ID only, as the binding describes it;
        // the device's MMIO window is a page, the rest reads 0.
        plic_device(
            fdt,
            "vmgenid",
            "microsoft,vmgenid",
            VMGENID_BASE,
            VMGENID_ID_LEN as u64,
            VMGENID_IRQ,
        )?;
    }

    let clint = fdt.begin_node(&format!("clint@{CLINT_BASE:x}"))?;
    fdt.property_string_list("compatible", strings(&["sifive,clint0", "riscv,clint0"]))?;
    reg(fdt, CLINT_BASE, CLINT_SIZE)?;
    fdt.property_array_u32(
        "interrupts-extended",
        &per_hart_interrupts(cfg.num_harts, &[IRQ_M_SOFT, IRQ_M_TIMER]),
    )?;
    fdt.end_node(clint)?;

    let plic = fdt.begin_node(&format!("plic@{PLIC_BASE:x}"))?;
    fdt.property_phandle(PHANDLE_PLIC)?;
    fdt.property_string_list("compatible", strings(&["sifive,plic-1.0.0", "riscv,plic0"]))?;
    reg(fdt, PLIC_BASE, PLIC_SIZE)?;
    fdt.property_u32("#address-cells", 0)?;
    fdt.property_u32("#interrupt-cells", 1)?;
    fdt.property_null("interrupt-controller")?;
    fdt.property_u32("riscv,ndev", PLIC_NDEV)?;
    // Context 2h is hart h's M-mode, 2h+1 its S-mode.
    fdt.property_array_u32(
        "interrupts-extended",
        &per_hart_interrupts(cfg.num_harts, &[IRQ_M_EXT, IRQ_S_EXT]),
    )?;
    fdt.end_node(plic)?;

    plic_device(fdt, "serial", "ns16550a", UART_BASE, UART_SIZE, UART_IRQ)?;

    let mut slots = cfg.virtio_slots.clone();
    slots.sort_unstable();
    for slot in slots {
        plic_device(
            fdt,
            "virtio_mmio",
            "virtio,mmio",
            VIRTIO_BASE + u64::from(slot) * VIRTIO_SIZE,
            VIRTIO_SIZE,
            VIRTIO_IRQ_BASE + slot,
        )?;
    }
    fdt.end_node(soc)?;
    Ok(())
}

/// `syscon-poweroff` / `syscon-reboot`: write `value` to the test device.
fn syscon_action(
    fdt: &mut FdtWriter,
    name: &str,
    compatible: &str,
    value: u32,
) -> Result<(), FdtError> {
    let node = fdt.begin_node(name)?;
    fdt.property_string("compatible", compatible)?;
    fdt.property_u32("regmap", PHANDLE_TEST)?;
    fdt.property_u32("offset", 0)?;
    fdt.property_u32("value", value)?;
    fdt.end_node(node)?;
    Ok(())
}

fn chosen(fdt: &mut FdtWriter, cfg: &FdtConfig, seed: &[u8; 32]) -> Result<(), FdtError> {
    let chosen = fdt.begin_node("chosen")?;
    fdt.property_string("stdout-path", &format!("/soc/serial@{UART_BASE:x}"))?;
    if let Some(args) = &cfg.bootargs {
        fdt.property_string("bootargs", args)?;
    }
    if let Some((start, end)) = cfg.initrd {
        fdt.property_u64("linux,initrd-start", start)?;
        fdt.property_u64("linux,initrd-end", end)?;
    }
    fdt.property("rng-seed", seed)?;
    fdt.end_node(chosen)?;
    Ok(())
}

/// Build the device tree blob for `cfg`.
pub fn build_fdt(cfg: &FdtConfig) -> Result<Vec<u8>, FdtError> {
    validate(cfg)?;
    let seed = random_seed()?;

    let mut fdt = FdtWriter::new()?;
    fdt.set_boot_cpuid_phys(0);
    let root = fdt.begin_node("")?;
    fdt.property_u32("#address-cells", 2)?;
    fdt.property_u32("#size-cells", 2)?;
    fdt.property_string("compatible", "riscv-virtio")?;
    fdt.property_string("model", "riscv-virtio,vireo")?;

    chosen(&mut fdt, cfg, &seed)?;

    let memory = fdt.begin_node(&format!("memory@{:x}", cfg.ram_base))?;
    fdt.property_string("device_type", "memory")?;
    reg(&mut fdt, cfg.ram_base, cfg.ram_size)?;
    fdt.end_node(memory)?;

    cpus(&mut fdt, cfg)?;
    soc(&mut fdt, cfg)?;
    syscon_action(&mut fdt, "poweroff", "syscon-poweroff", 0x5555)?;
    syscon_action(&mut fdt, "reboot", "syscon-reboot", 0x7777)?;

    fdt.end_node(root)?;
    Ok(fdt.finish()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::process::{Command, Stdio};

    fn config(harts: u32) -> FdtConfig {
        FdtConfig {
            num_harts: harts,
            ram_base: 0x8000_0000,
            ram_size: 256 << 20,
            isa: "rv64imafdc_zicbom_zicboz_zicsr_zifencei_zba_zbb_zbc_zbs".into(),
            isa_extensions: Vec::new(),
            mmu_type: "riscv,sv57".into(),
            bootargs: Some("console=ttyS0 earlycon".into()),
            initrd: Some((0x8400_0000, 0x8480_0000)),
            virtio_slots: vec![3, 0],
            vmgenid: true,
        }
    }

    /// Decompile with `dtc`, or `None` when dtc is not installed.
    fn decompile(dtb: &[u8]) -> Option<String> {
        let mut child = match Command::new("dtc")
            .args(["-I", "dtb", "-O", "dts", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
        {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
            Err(e) => panic!("cannot run dtc: {e}"),
        };
        child.stdin.take().unwrap().write_all(dtb).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "dtc rejected the blob: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Some(String::from_utf8(out.stdout).unwrap())
    }

    #[test]
    fn four_hart_tree_decompiles_with_the_key_properties() {
        let cfg = config(4);

        let dtb = build_fdt(&cfg).unwrap();

        assert_eq!(&dtb[..4], &[0xd0, 0x0d, 0xfe, 0xed], "FDT magic");
        let Some(dts) = decompile(&dtb) else {
            eprintln!("dtc not installed: skipping the decompiled checks");
            return;
        };
        for needle in [
            "timebase-frequency = <0x989680>;",
            "cpu@3 {",
            "riscv,isa = \"rv64imafdc_zicbom_zicboz_zicsr_zifencei_zba_zbb_zbc_zbs\";",
            "riscv,isa-base = \"rv64i\";",
            "riscv,isa-extensions = \"i\\0m\\0a\\0f\\0d\\0c\\0zicbom\\0zicboz\\0zicsr",
            "mmu-type = \"riscv,sv57\";",
            "riscv,cbom-block-size = <0x40>;",
            "riscv,cboz-block-size = <0x40>;",
            "compatible = \"riscv,cpu-intc\";",
            "core3 {",
            "memory@80000000 {",
            "reg = <0x00 0x80000000 0x00 0x10000000>;",
            "compatible = \"sifive,clint0\\0riscv,clint0\";",
            // intc phandles of harts 0..3 are 4, 6, 8, 10.
            "interrupts-extended = <0x04 0x03 0x04 0x07 0x06 0x03 0x06 0x07 0x08 0x03 0x08 0x07 0x0a 0x03 0x0a 0x07>;",
            "interrupts-extended = <0x04 0x0b 0x04 0x09 0x06 0x0b 0x06 0x09 0x08 0x0b 0x08 0x09 0x0a 0x0b 0x0a 0x09>;",
            "compatible = \"sifive,plic-1.0.0\\0riscv,plic0\";",
            "riscv,ndev = <0x5f>;",
            "reg = <0x00 0xc000000 0x00 0x600000>;",
            "serial@10000000 {",
            "compatible = \"ns16550a\";",
            "interrupts = <0x0a>;",
            "rtc@101000 {",
            "compatible = \"google,goldfish-rtc\";",
            "interrupts = <0x0b>;",
            "vmgenid@102000 {",
            "compatible = \"microsoft,vmgenid\";",
            "reg = <0x00 0x102000 0x00 0x10>;",
            "interrupts = <0x0c>;",
            "compatible = \"sifive,test1\\0sifive,test0\\0syscon\";",
            "compatible = \"syscon-poweroff\";",
            "value = <0x5555>;",
            "compatible = \"syscon-reboot\";",
            "value = <0x7777>;",
            "virtio_mmio@10001000 {",
            "virtio_mmio@10004000 {",
            "interrupts = <0x04>;",
            "stdout-path = \"/soc/serial@10000000\";",
            "bootargs = \"console=ttyS0 earlycon\";",
            "linux,initrd-start = <0x00 0x84000000>;",
            "linux,initrd-end = <0x00 0x84800000>;",
            "rng-seed = ",
        ] {
            assert!(dts.contains(needle), "missing `{needle}` in\n{dts}");
        }
        // dtc prints 00 38 40 00 as a string when it happens to look like one.
        assert!(
            dts.contains("clock-frequency = <0x384000>;")
                || dts.contains("clock-frequency = \"\\08@\";"),
            "UART clock in\n{dts}"
        );
        assert!(!dts.contains("virtio_mmio@10002000"), "slot 1 is empty");
        assert!(!dts.contains("cpu@4"));
    }

    #[test]
    fn vmgenid_node_only_when_enabled() {
        let on = build_fdt(&config(1)).unwrap();
        let off = build_fdt(&FdtConfig {
            vmgenid: false,
            ..config(1)
        })
        .unwrap();

        // Raw blob checks work without dtc: node names and strings are
        // stored verbatim.
        let has = |dtb: &[u8], s: &[u8]| dtb.windows(s.len()).any(|w| w == s);
        assert!(has(&on, b"vmgenid@102000\0"));
        assert!(has(&on, b"microsoft,vmgenid\0"));
        assert!(!has(&off, b"vmgenid@102000"));
        assert!(!has(&off, b"microsoft,vmgenid"));
        let Some(dts) = decompile(&on) else {
            eprintln!("dtc not installed: skipping the decompiled checks");
            return;
        };
        let node = dts
            .split("vmgenid@102000 {")
            .nth(1)
            .and_then(|rest| rest.split("};").next())
            .unwrap_or_else(|| panic!("no vmgenid node in\n{dts}"));
        for needle in [
            "compatible = \"microsoft,vmgenid\";",
            "reg = <0x00 0x102000 0x00 0x10>;",
            "interrupt-parent = <0x01>;",
            "interrupts = <0x0c>;",
        ] {
            assert!(node.contains(needle), "missing `{needle}` in\n{node}");
        }
    }

    #[test]
    fn extensions_are_derived_from_the_isa_string() {
        assert_eq!(
            isa_extensions_from_isa("rv64gc_zba"),
            ["i", "m", "a", "f", "d", "zicsr", "zifencei", "c", "zba"]
        );
        assert_eq!(isa_extensions_from_isa("rv64imac"), ["i", "m", "a", "c"]);
    }

    #[test]
    fn invalid_configurations_are_refused() {
        let bad = [
            FdtConfig {
                num_harts: 0,
                ..config(1)
            },
            FdtConfig {
                ram_size: 0,
                ..config(1)
            },
            FdtConfig {
                initrd: Some((2, 1)),
                ..config(1)
            },
            FdtConfig {
                virtio_slots: vec![8],
                ..config(1)
            },
            FdtConfig {
                virtio_slots: vec![1, 1],
                ..config(1)
            },
        ];

        for cfg in bad {
            assert!(
                matches!(build_fdt(&cfg), Err(FdtError::Config(_))),
                "{cfg:?}"
            );
        }
        let nul = FdtConfig {
            bootargs: Some("a\0b".into()),
            ..config(1)
        };
        assert!(matches!(build_fdt(&nul), Err(FdtError::Writer(_))));
    }
}
