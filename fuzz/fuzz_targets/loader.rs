//! Feed arbitrary files to the kernel, firmware and initrd loaders: every
//! input must either load or give a `LoadError` — never panic, never write
//! outside guest RAM (`GuestRam` would refuse, but the loader must not even
//! ask for an out-of-range write it has not checked).
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use vireo_machine::loader::{load_firmware, load_initrd, load_kernel, LoadError};
use vireo_memory::GuestRam;

/// Small RAM at the virt board's base: big enough for a Linux `Image` at
/// the 2 MiB-aligned second half, small enough that fuzzed sizes overflow it.
const RAM_BASE: u64 = 0x8000_0000;
const RAM_SIZE: u64 = 4 << 20;

fn ram() -> &'static GuestRam {
    static RAM: OnceLock<GuestRam> = OnceLock::new();
    RAM.get_or_init(|| GuestRam::new(RAM_BASE, RAM_SIZE).expect("cannot map 4 MiB of fuzz RAM"))
}

/// One scratch file per fuzzing process, rewritten for every input (the
/// loaders take paths, as the command line gives them).
fn scratch() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        std::env::temp_dir().join(format!("vireo-fuzz-loader-{}", std::process::id()))
    })
}

/// A successful load must report a range inside RAM; an error must format.
fn check(range: Result<(u64, u64), &LoadError>) {
    match range {
        Ok((start, end)) => {
            assert!(RAM_BASE <= start && start <= end && end <= RAM_BASE + RAM_SIZE)
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
}

fuzz_target!(|data: &[u8]| {
    let ram = ram();
    let path = scratch();
    std::fs::write(path, data).expect("cannot write the fuzz input to the temp directory");

    let kernel = load_kernel(ram, path, RAM_BASE, RAM_BASE + 0x20_0000);
    check(kernel.as_ref().map(|k| (k.start, k.end)));
    if let Ok(k) = &kernel {
        // The initrd goes above the kernel, below a reserved top page.
        check(
            load_initrd(ram, path, k.end, RAM_BASE + RAM_SIZE - 0x1000)
                .as_ref()
                .copied(),
        );
    }
    let firmware = load_firmware(ram, path);
    check(firmware.as_ref().map(|f| (f.start, f.end)));
});
