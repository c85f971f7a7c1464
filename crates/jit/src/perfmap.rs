//! Symbols for host profilers.
//!
//! Translated code is anonymous memory: `perf` can sample it but not say
//! what it is. With `VIREO_PERF_MAP` set in the environment, every piece
//! of code either translator makes is listed in `/tmp/perf-<pid>.map`,
//! the plain-text format `perf report` and `perf top` read for JIT code
//! (one `START SIZE NAME` line per symbol, addresses in hex). The name
//! says which tier made it and the guest physical address it came from,
//! e.g. `vireo-cl pa=0x80201a3c` (a Cranelift region) or `vireo-bl
//! pa=0x80201a3c` (a baseline block), so samples in translated code add
//! up per guest code location:
//!
//! ```text
//! VIREO_PERF_MAP=1 perf record -g -- vireo run ...
//! perf report --sort sym
//! ```
//!
//! With `VIREO_PERF_MAP=DIR` naming an existing directory, the code bytes
//! of every symbol are also written to `DIR/<start>.bin`, for
//! `objdump -D -b binary -m i386:x86-64 --adjust-vma=0x<start>` to show
//! the instructions the samples fall on.
//!
//! perf reads the map for anonymous memory only: it names Cranelift
//! regions, while samples in baseline code (a memfd mapping, see
//! [`crate::baseline`]) show as offsets in `memfd:vireo-baseline-code`; the
//! map's `vireo-bl` lines tell which block such an offset belongs to.
//!
//! A map grows for the life of the process (code memory is reused after a
//! reset, so later symbols may cover earlier ones; `perf` takes the last).

use std::fs::File;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

struct Map {
    file: File,
    dump: Option<PathBuf>,
}

static MAP: OnceLock<Option<Mutex<Map>>> = OnceLock::new();

fn open() -> Option<Mutex<Map>> {
    let v = std::env::var_os("VIREO_PERF_MAP")?;
    let path = format!("/tmp/perf-{}.map", std::process::id());
    let file = match File::create(&path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("vireo: VIREO_PERF_MAP: cannot create {path}: {e}; no perf map is written");
            return None;
        }
    };
    let dir = PathBuf::from(v);
    let dump = dir.is_dir().then_some(dir);
    Some(Mutex::new(Map { file, dump }))
}

/// Whether symbols are recorded (checked once per process).
pub(crate) fn enabled() -> bool {
    MAP.get_or_init(open).is_some()
}

/// List `size` bytes of code at `start` as `tier` code translated from
/// guest physical address `paddr`.
///
/// # Safety
///
/// `start .. start + size` is readable (code just made).
pub(crate) unsafe fn record(start: *const u8, size: usize, tier: &str, paddr: u64) {
    let Some(Some(map)) = MAP.get() else {
        return;
    };
    let Ok(mut m) = map.lock() else {
        return;
    };
    // A profiler's aid: a failed write loses a symbol, nothing else.
    let _ = writeln!(
        m.file,
        "{:x} {:x} vireo-{tier} pa={paddr:#x}",
        start as usize, size
    );
    if let Some(dir) = &m.dump {
        // SAFETY: the caller guarantees the range is readable.
        let bytes = unsafe { std::slice::from_raw_parts(start, size) };
        let _ = std::fs::write(dir.join(format!("{:x}.bin", start as usize)), bytes);
    }
}
