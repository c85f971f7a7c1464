//! virtio-blk with the Debian guest: raw and read-only drives, and a qcow2
//! overlay (made by `qemu-img`) that keeps a file across a power cycle and
//! stays clean for `qemu-img check`.
//!
//! The guest loads virtio_mmio, virtio_blk and ext4 at boot
//! (`vireo.modules=1`); drives appear as `/dev/vda`, `/dev/vdb`, ... in
//! `--drive` order. Needs `qemu-img` (Debian package qemu-utils) and
//! `mkfs.ext4` (e2fsprogs) on the host.

use crate::linux::Vireo;
use std::path::PathBuf;
use std::process::Command;

const BANNER: &str = "vireo guest ready:";
const PROMPT: &str = "vireo:/# ";
/// Loads the virtio and ext4 modules at boot.
const CMDLINE: &str = "console=ttyS0 vireo.modules=1";
/// Sectors of the raw test images (1 MiB).
const SECTORS: usize = 2048;

/// The guest kernel and initramfs (provisioned on first use when missing).
fn guest() -> (String, String) {
    let (kernel, initrd) = crate::linux::guest_files();
    (
        kernel.to_str().expect("path").to_string(),
        initrd.to_str().expect("path").to_string(),
    )
}

fn require(tool: &str, package: &str) {
    let found = Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success() || !o.stderr.is_empty());
    assert!(found, "{tool} is not installed (Debian package {package})");
}

/// A scratch directory of one test, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("vireo-blk-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch directory");
        Scratch(dir)
    }

    fn path(&self, file: &str) -> String {
        self.0.join(file).to_str().expect("path").to_string()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A raw image whose sector `n` starts with `{tag}-{n:06}` (padded with dots).
fn pattern(tag: &str) -> Vec<u8> {
    (0..SECTORS)
        .flat_map(|n| {
            let mut s = format!("{tag}-{n:06}").into_bytes();
            s.resize(512, b'.');
            s
        })
        .collect()
}

fn boot(drives: &[String]) -> Vireo {
    let (kernel, initrd) = guest();
    let mut args: Vec<&str> = vec![
        "run", "--kernel", &kernel, "--initrd", &initrd, "--append", CMDLINE,
    ];
    for d in drives {
        args.push("--drive");
        args.push(d);
    }
    let mut vm = Vireo::spawn(&args);
    vm.wait_for(BANNER);
    vm.wait_for(PROMPT);
    // Keep kernel messages off the console, between command outputs.
    vm.send("dmesg -n 1");
    vm.wait_for(PROMPT);
    vm
}

/// Run `cmd` in the guest shell and return its output lines (framed by
/// markers the echoed command line does not contain).
fn shell(vm: &mut Vireo, cmd: &str) -> Vec<String> {
    vm.shell(cmd)
        .into_iter()
        // Kernel messages printed before `dmesg -n 1` took effect.
        .filter(|l| !l.starts_with('['))
        .collect()
}

fn power_off(vm: &mut Vireo) {
    vm.send("poweroff -f");
    let status = vm.wait_exit();
    assert!(status.success(), "vireo failed:\n{}", vm.transcript());
}

fn sector(image: &[u8], n: usize) -> &[u8] {
    &image[n * 512..(n + 1) * 512]
}

#[test]
fn guest_reads_writes_and_cannot_write_a_read_only_drive() {
    let dir = Scratch::new("rw-ro");
    let (disk, ro) = (dir.path("disk.img"), dir.path("ro.img"));
    std::fs::write(&disk, pattern("VIREO-DISK")).unwrap();
    std::fs::write(&ro, pattern("VIREO-RO")).unwrap();
    let mut vm = boot(&[
        format!("file={disk},format=raw,serial=vireo-sn-1"),
        format!("file={ro},format=raw,readonly=on"),
    ]);

    // The pattern, read through /dev/vda at two places.
    let out = shell(&mut vm, "head -c 17 /dev/vda; echo; dd if=/dev/vda bs=512 skip=1234 count=1 2>/dev/null | head -c 17; echo",
    );
    assert_eq!(
        out,
        ["VIREO-DISK-000000", "VIREO-DISK-001234"],
        "{}",
        vm.transcript()
    );
    let out = shell(
        &mut vm,
        "for f in vda/serial vda/size vdb/ro; do cat /sys/block/$f; echo; done",
    );
    assert_eq!(out, ["vireo-sn-1", "2048", "1"], "{}", vm.transcript());

    // A write and a sync land in the host file.
    let out = shell(&mut vm, "printf GUEST-WROTE-THIS | dd of=/dev/vda bs=512 seek=1500 conv=notrunc,fsync 2>/dev/null; sync; echo rc=$?",
    );
    assert_eq!(out, ["rc=0"], "{}", vm.transcript());
    let image = std::fs::read(&disk).unwrap();
    assert!(
        sector(&image, 1500).starts_with(b"GUEST-WROTE-THIS"),
        "the write did not reach the host file"
    );
    assert_eq!(sector(&image, 1499), sector(&pattern("VIREO-DISK"), 1499));

    // Writes to the read-only drive fail and change nothing.
    let out = shell(
        &mut vm,
        "dd if=/dev/zero of=/dev/vdb bs=4096 count=1 conv=fsync 2>&1; echo rc=$?",
    );
    assert!(
        out.last().is_some_and(|l| l != "rc=0"),
        "the write to the read-only drive succeeded: {out:?}"
    );
    let joined = out.join("\n");
    assert!(
        joined.contains("Operation not permitted")
            || joined.contains("I/O error")
            || joined.contains("Read-only"),
        "unexpected error: {joined}"
    );
    let out = shell(&mut vm, "head -c 15 /dev/vdb; echo");
    assert_eq!(out, ["VIREO-RO-000000"]);
    power_off(&mut vm);
    assert_eq!(
        std::fs::read(&ro).unwrap(),
        pattern("VIREO-RO"),
        "read-only image changed"
    );
}

fn qemu_img(args: &[&str]) -> std::process::Output {
    Command::new("qemu-img")
        .args(args)
        .output()
        .expect("cannot run qemu-img")
}

#[test]
fn qcow2_overlay_keeps_a_file_across_a_power_cycle() {
    require("qemu-img", "qemu-utils");
    require("mkfs.ext4", "e2fsprogs");
    let dir = Scratch::new("qcow2");
    let (base, overlay) = (dir.path("base.img"), dir.path("overlay.qcow2"));
    let mkfs = Command::new("mkfs.ext4")
        .args(["-q", "-F", "-L", "vireo-data", &base, "16M"])
        .output()
        .expect("cannot run mkfs.ext4");
    assert!(
        mkfs.status.success(),
        "{}",
        String::from_utf8_lossy(&mkfs.stderr)
    );
    let base_before = std::fs::read(&base).unwrap();
    let out = qemu_img(&[
        "create", "-q", "-f", "qcow2", "-b", &base, "-F", "raw", &overlay,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let drive = format!("file={overlay},format=qcow2");

    let mut vm = boot(std::slice::from_ref(&drive));
    let out = shell(&mut vm, "mkdir -p /mnt && mount -t ext4 /dev/vda /mnt && seq 1 20000 > /mnt/numbers.txt && echo kept-by-qcow2 > /mnt/hello.txt && sync && umount /mnt; echo rc=$?",
    );
    assert_eq!(out, ["rc=0"], "{}", vm.transcript());
    power_off(&mut vm);

    let check = qemu_img(&["check", &overlay]);
    assert!(
        check.status.success(),
        "qemu-img check is not clean:\n{}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
    assert_eq!(
        std::fs::read(&base).unwrap(),
        base_before,
        "the base image changed"
    );
    // The file system in the overlay is consistent too.
    let flat = dir.path("flat.img");
    let out = qemu_img(&["convert", "-O", "raw", &overlay, &flat]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let fsck = Command::new("e2fsck").args(["-fn", &flat]).output();
    if let Ok(fsck) = fsck {
        assert!(
            fsck.status.success(),
            "e2fsck found errors:\n{}",
            String::from_utf8_lossy(&fsck.stdout)
        );
    }

    let mut vm = boot(&[drive]);
    let out = shell(&mut vm, "mount -t ext4 /dev/vda /mnt && cat /mnt/hello.txt && tail -n 1 /mnt/numbers.txt && umount /mnt",
    );
    assert_eq!(out, ["kept-by-qcow2", "20000"], "{}", vm.transcript());
    power_off(&mut vm);
    let check = qemu_img(&["check", &overlay]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
}

#[test]
fn damaged_images_are_refused_at_start() {
    require("qemu-img", "qemu-utils");
    let dir = Scratch::new("bad");
    let image = dir.path("image.qcow2");
    let out = qemu_img(&["create", "-q", "-f", "qcow2", &image, "64M"]);
    assert!(out.status.success());
    let good = std::fs::read(&image).unwrap();
    let truncated = dir.path("truncated.qcow2");
    std::fs::write(&truncated, &good[..good.len() / 2]).unwrap();
    let (kernel, initrd) = guest();
    for (file, expect) in [
        (truncated.as_str(), "truncated"),
        ("/nonexistent/disk.img", "cannot open"),
    ] {
        let drive = format!("file={file},format=qcow2");
        let mut vm = Vireo::spawn(&[
            "run", "--kernel", &kernel, "--initrd", &initrd, "--drive", &drive,
        ]);
        let status = vm.wait_exit();
        assert_eq!(status.code(), Some(2), "{}", vm.transcript());
        assert!(vm.stderr().contains(expect), "{}", vm.transcript());
    }
    let mut vm = Vireo::spawn(&["run", "--kernel", &kernel, "--drive", "format=raw"]);
    let status = vm.wait_exit();
    assert_eq!(status.code(), Some(2), "{}", vm.transcript());
    assert!(
        vm.stderr().contains("missing file=PATH"),
        "{}",
        vm.transcript()
    );
}
