//! The two files of a snapshot, and writing files so that a failure
//! never leaves a half-written file under the final name.
//!
//! **VM-state file**: a 32-byte header — magic `VIREOSNP`, format version
//! (u32 LE), reserved (u32), payload length (u64 LE), CRC-32 of the
//! payload (u32 LE), reserved (u32) — then the payload: the
//! [`crate::snapshot::VmState`] as JSON. JSON keeps the state readable
//! with standard tools (`tail -c +33 vm.snap | jq`); it is small (kB), so
//! its size does not matter.
//!
//! **Memory file**: a 4 KiB header page, then guest RAM byte for byte
//! (so it can be mapped copy-on-write at offset 4096), then for diff
//! files a bitmap of the pages present. Header: magic `VIREOMEM`, version
//! (u32), kind (u32: 0 full, 1 diff), RAM size, this file's memory id,
//! the base's memory id (diff), bitmap offset and length (all u64 LE),
//! then a CRC-32 of those 56 bytes. Full files skip all-zero pages
//! (they are holes: the file is sparse). The memory id ties a state file
//! to the exact memory it was saved with: a state file names the id it
//! needs, so a diff memory file (or a stale one) is never mistaken for
//! the full memory.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Magic of a VM-state file.
pub const STATE_MAGIC: &[u8; 8] = b"VIREOSNP";
/// Version of the VM-state format this vireo writes and reads.
pub const STATE_VERSION: u32 = 1;
/// Magic of a memory file.
pub const MEM_MAGIC: &[u8; 8] = b"VIREOMEM";
/// Version of the memory-file format.
pub const MEM_VERSION: u32 = 1;
/// Bytes before guest RAM in a memory file.
pub const MEM_HEADER: u64 = 4096;
const PAGE: u64 = 4096;
/// Largest state payload accepted (the real ones are tens of kB).
const MAX_STATE: u64 = 64 << 20;

/// Errors reading or writing snapshot files.
#[derive(Debug, Error)]
pub enum FileError {
    /// The host refused an operation.
    #[error("{path}: {op}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What was being done.
        op: &'static str,
        /// The host error.
        source: std::io::Error,
    },
    /// Not a file of the expected kind.
    #[error("{path} is not a vireo {kind} file (bad magic number)")]
    BadMagic {
        /// The file.
        path: PathBuf,
        /// "VM-state" or "memory".
        kind: &'static str,
    },
    /// Written by another format version.
    #[error("{path} has format version {found}; this vireo reads version {supported} (use the vireo that wrote it)")]
    Version {
        /// The file.
        path: PathBuf,
        /// Its version.
        found: u32,
        /// Ours.
        supported: u32,
    },
    /// Shorter than its header says.
    #[error("{path} is truncated: {expected} bytes expected, {found} present")]
    Truncated {
        /// The file.
        path: PathBuf,
        /// Bytes needed.
        expected: u64,
        /// Bytes present.
        found: u64,
    },
    /// The checksum does not match.
    #[error("{path} is corrupt: checksum mismatch")]
    Checksum {
        /// The file.
        path: PathBuf,
    },
    /// The payload does not parse.
    #[error("{path} is corrupt: {detail}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
}

fn io<'a>(path: &'a Path, op: &'static str) -> impl FnOnce(std::io::Error) -> FileError + 'a {
    move |source| FileError::Io {
        path: path.to_path_buf(),
        op,
        source,
    }
}

/// A file being written under a temporary name next to its final name;
/// [`AtomicFile::commit`] syncs it and renames it into place, and
/// [`commit_all`] does that for several files at once (a snapshot's two).
/// Dropped without commit, it removes itself: the final name never holds
/// a partial file and an existing file there stays intact until the new
/// one is complete.
pub struct AtomicFile {
    file: File,
    tmp: PathBuf,
    dest: PathBuf,
    committed: bool,
}

/// `dir/.NAME.SUFFIX-PID` for `dest` = `dir/NAME`: the hidden names next
/// to the final name that [`AtomicFile`] uses.
fn sibling(dest: &Path, suffix: &str) -> Result<PathBuf, FileError> {
    let name = dest.file_name().ok_or_else(|| FileError::Io {
        path: dest.to_path_buf(),
        op: "create",
        source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file name"),
    })?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(format!(".{suffix}-{}", std::process::id()));
    Ok(dest.with_file_name(tmp_name))
}

/// The temporary name under which this process writes `dest`
/// (`dir/.NAME.tmp-PID`).
pub fn temp_path(dest: &Path) -> Result<PathBuf, FileError> {
    sibling(dest, "tmp")
}

fn sync_dir_of(path: &Path) {
    if let Some(dir) = path.parent() {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
    }
}

impl AtomicFile {
    /// Start writing `dest`.
    pub fn create(dest: &Path) -> Result<AtomicFile, FileError> {
        let tmp = temp_path(dest)?;
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&tmp)
            .map_err(io(dest, "create"))?;
        Ok(AtomicFile {
            file,
            tmp,
            dest: dest.to_path_buf(),
            committed: false,
        })
    }

    /// The file being written.
    pub fn file(&self) -> &File {
        &self.file
    }

    /// The final name.
    pub fn dest(&self) -> &Path {
        &self.dest
    }

    /// Flush the contents to disk (still under the temporary name).
    pub fn sync(&self) -> Result<(), FileError> {
        self.file.sync_all().map_err(io(&self.dest, "sync"))
    }

    fn rename_into_place(&mut self) -> Result<(), FileError> {
        std::fs::rename(&self.tmp, &self.dest).map_err(io(&self.dest, "rename into place"))?;
        self.committed = true;
        Ok(())
    }

    /// Flush to disk and move into place.
    pub fn commit(mut self) -> Result<(), FileError> {
        self.sync()?;
        self.rename_into_place()?;
        sync_dir_of(&self.dest);
        Ok(())
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// What was at a final name before [`commit_all`] renamed over it.
enum Previous {
    /// Nothing (or something a file cannot replace, such as a directory:
    /// the rename fails and leaves it alone).
    Nothing,
    /// The old file, also reachable under this hidden name (a hard link).
    Linked(PathBuf),
    /// The old file, moved aside to this hidden name (on file systems
    /// without hard links).
    MovedAside(PathBuf),
}

/// Keep what is at `dest` under a hidden name while it is replaced. The
/// final name itself is not touched (a hard link) unless the file system
/// has no hard links, in which case the file is moved aside.
fn keep_previous(dest: &Path) -> Result<Previous, FileError> {
    let meta = match std::fs::symlink_metadata(dest) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Previous::Nothing),
        Err(e) => return Err(io(dest, "stat")(e)),
    };
    if meta.is_dir() {
        return Ok(Previous::Nothing);
    }
    let old = sibling(dest, "old")?;
    let _ = std::fs::remove_file(&old);
    if std::fs::hard_link(dest, &old).is_ok() {
        return Ok(Previous::Linked(old));
    }
    std::fs::rename(dest, &old).map_err(io(dest, "keep the previous file"))?;
    Ok(Previous::MovedAside(old))
}

/// Undo for one file: put back what [`keep_previous`] kept. `renamed`:
/// the new file was renamed over `dest`.
fn put_back(dest: &Path, prev: &Previous, renamed: bool) {
    match (prev, renamed) {
        (Previous::Linked(old), true) | (Previous::MovedAside(old), _) => {
            let _ = std::fs::rename(old, dest);
        }
        // `dest` is still the old file: drop the extra link only.
        (Previous::Linked(old), false) => {
            let _ = std::fs::remove_file(old);
        }
        (Previous::Nothing, true) => {
            let _ = std::fs::remove_file(dest);
        }
        (Previous::Nothing, false) => {}
    }
}

/// Commit several files as one: all are synced before any is renamed,
/// then they are renamed into place in order. If a rename fails, the
/// files already renamed are taken back and whatever was at their final
/// names before is put back, so either every file is replaced or none
/// is. (A crash between the renames can still leave the first files
/// new and the later ones old; the hidden `.NAME.old-PID` files then
/// hold the previous versions.)
pub fn commit_all(mut files: Vec<AtomicFile>) -> Result<(), FileError> {
    for f in &files {
        f.sync()?;
    }
    let mut kept: Vec<Previous> = Vec::with_capacity(files.len());
    let undo = |files: &[AtomicFile], kept: &[Previous], renamed: usize| {
        for (i, (f, p)) in files.iter().zip(kept).enumerate().rev() {
            put_back(&f.dest, p, i < renamed);
        }
    };
    for f in &files {
        match keep_previous(&f.dest) {
            Ok(p) => kept.push(p),
            Err(e) => {
                undo(&files, &kept, 0);
                return Err(e);
            }
        }
    }
    for i in 0..files.len() {
        if let Err(e) = files[i].rename_into_place() {
            undo(&files, &kept, i);
            return Err(e);
        }
    }
    for p in &kept {
        if let Previous::Linked(old) | Previous::MovedAside(old) = p {
            let _ = std::fs::remove_file(old);
        }
    }
    for f in &files {
        sync_dir_of(&f.dest);
    }
    Ok(())
}

/// Write a VM-state file under its temporary name (not yet synced or in
/// place: [`AtomicFile::commit`] or [`commit_all`] finishes it).
pub fn prepare_state(path: &Path, payload: &[u8]) -> Result<AtomicFile, FileError> {
    let f = AtomicFile::create(path)?;
    let mut header = Vec::with_capacity(32);
    header.extend_from_slice(STATE_MAGIC);
    header.extend_from_slice(&STATE_VERSION.to_le_bytes());
    header.extend_from_slice(&0u32.to_le_bytes());
    header.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    header.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
    header.extend_from_slice(&0u32.to_le_bytes());
    let mut w = f.file();
    w.write_all(&header).map_err(io(path, "write"))?;
    w.write_all(payload).map_err(io(path, "write"))?;
    Ok(f)
}

/// Write a VM-state file atomically.
pub fn write_state(path: &Path, payload: &[u8]) -> Result<(), FileError> {
    prepare_state(path, payload)?.commit()
}

/// Read and check a VM-state file; returns the payload.
pub fn read_state(path: &Path) -> Result<Vec<u8>, FileError> {
    let mut f = File::open(path).map_err(io(path, "open"))?;
    let len = f.metadata().map_err(io(path, "stat"))?.len();
    let mut header = [0u8; 32];
    let got = read_up_to(&mut f, &mut header).map_err(io(path, "read"))?;
    if got < 8 || &header[..8] != STATE_MAGIC {
        return Err(FileError::BadMagic {
            path: path.into(),
            kind: "VM-state",
        });
    }
    if got < 32 {
        return Err(FileError::Truncated {
            path: path.into(),
            expected: 32,
            found: len,
        });
    }
    let version = u32::from_le_bytes(header[8..12].try_into().unwrap_or_default());
    if version != STATE_VERSION {
        return Err(FileError::Version {
            path: path.into(),
            found: version,
            supported: STATE_VERSION,
        });
    }
    let plen = u64::from_le_bytes(header[16..24].try_into().unwrap_or_default());
    let crc = u32::from_le_bytes(header[24..28].try_into().unwrap_or_default());
    if plen > MAX_STATE {
        return Err(FileError::Corrupt {
            path: path.into(),
            detail: format!("payload length {plen} is implausible"),
        });
    }
    if len < 32 + plen {
        return Err(FileError::Truncated {
            path: path.into(),
            expected: 32 + plen,
            found: len,
        });
    }
    let mut payload = vec![0u8; plen as usize];
    f.read_exact(&mut payload).map_err(io(path, "read"))?;
    if crc32fast::hash(&payload) != crc {
        return Err(FileError::Checksum { path: path.into() });
    }
    Ok(payload)
}

fn read_up_to(f: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// Kinds of memory file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemKind {
    /// All of RAM.
    Full,
    /// Only the pages in the bitmap, over a base memory file.
    Diff,
}

/// The header of a memory file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemHeader {
    /// Full or diff.
    pub kind: MemKind,
    /// Guest RAM size.
    pub ram_size: u64,
    /// This memory's id.
    pub id: u64,
    /// For a diff: the id of the memory it applies to.
    pub base_id: u64,
    /// For a diff: where the page bitmap is, and its length in bytes.
    pub bitmap: (u64, u64),
}

impl MemHeader {
    fn encode(&self) -> Vec<u8> {
        let mut h = Vec::with_capacity(PAGE as usize);
        h.extend_from_slice(MEM_MAGIC);
        h.extend_from_slice(&MEM_VERSION.to_le_bytes());
        h.extend_from_slice(
            &match self.kind {
                MemKind::Full => 0u32,
                MemKind::Diff => 1,
            }
            .to_le_bytes(),
        );
        for v in [
            self.ram_size,
            self.id,
            self.base_id,
            self.bitmap.0,
            self.bitmap.1,
        ] {
            h.extend_from_slice(&v.to_le_bytes());
        }
        let crc = crc32fast::hash(&h);
        h.extend_from_slice(&crc.to_le_bytes());
        h.resize(PAGE as usize, 0);
        h
    }

    /// Read and check the header of the memory file at `path`.
    pub fn read(path: &Path, f: &File) -> Result<MemHeader, FileError> {
        let mut h = [0u8; 60];
        let len = f.metadata().map_err(io(path, "stat"))?.len();
        let n = f.read_at(&mut h, 0).map_err(io(path, "read"))?;
        if n < 8 || &h[..8] != MEM_MAGIC {
            return Err(FileError::BadMagic {
                path: path.into(),
                kind: "memory",
            });
        }
        if n < 60 {
            return Err(FileError::Truncated {
                path: path.into(),
                expected: MEM_HEADER,
                found: len,
            });
        }
        let u32_at = |o: usize| u32::from_le_bytes(h[o..o + 4].try_into().unwrap_or_default());
        let u64_at = |o: usize| u64::from_le_bytes(h[o..o + 8].try_into().unwrap_or_default());
        let version = u32_at(8);
        if version != MEM_VERSION {
            return Err(FileError::Version {
                path: path.into(),
                found: version,
                supported: MEM_VERSION,
            });
        }
        if crc32fast::hash(&h[..56]) != u32_at(56) {
            return Err(FileError::Checksum { path: path.into() });
        }
        let kind = match u32_at(12) {
            0 => MemKind::Full,
            1 => MemKind::Diff,
            k => {
                return Err(FileError::Corrupt {
                    path: path.into(),
                    detail: format!("unknown memory file kind {k}"),
                })
            }
        };
        let hdr = MemHeader {
            kind,
            ram_size: u64_at(16),
            id: u64_at(24),
            base_id: u64_at(32),
            bitmap: (u64_at(40), u64_at(48)),
        };
        let need = match kind {
            MemKind::Full => MEM_HEADER.checked_add(hdr.ram_size),
            MemKind::Diff => hdr.bitmap.0.checked_add(hdr.bitmap.1),
        }
        .ok_or_else(|| FileError::Corrupt {
            path: path.into(),
            detail: "sizes overflow".into(),
        })?;
        if !hdr.ram_size.is_multiple_of(PAGE) || hdr.ram_size == 0 {
            return Err(FileError::Corrupt {
                path: path.into(),
                detail: format!("RAM size {} is not a multiple of 4 KiB", hdr.ram_size),
            });
        }
        if len < need {
            return Err(FileError::Truncated {
                path: path.into(),
                expected: need,
                found: len,
            });
        }
        Ok(hdr)
    }
}

fn page_is_zero(p: &[u8]) -> bool {
    let (pre, mid, post) = {
        // SAFETY: reinterpreting initialized bytes as u64 words is sound
        // for any bit pattern; align_to handles the unaligned ends.
        unsafe { p.align_to::<u64>() }
    };
    pre.iter().all(|&b| b == 0) && mid.iter().all(|&w| w == 0) && post.iter().all(|&b| b == 0)
}

/// Write the pages of `ram` selected by `want(page)` at their offsets
/// after the header; returns how many pages were written. Runs of
/// adjacent pages go out in one write.
fn write_pages(
    path: &Path,
    f: &File,
    ram: &[u8],
    want: impl Fn(usize) -> bool,
    skip_zero: bool,
) -> Result<u64, FileError> {
    let pages = ram.len() / PAGE as usize;
    let mut written = 0u64;
    let mut i = 0;
    while i < pages {
        let take = |k: usize| {
            want(k)
                && !(skip_zero && page_is_zero(&ram[k * PAGE as usize..(k + 1) * PAGE as usize]))
        };
        if !take(i) {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        // At most 8 MiB per write, to keep each call short.
        while j < pages && j - i < 2048 && take(j) {
            j += 1;
        }
        let chunk = &ram[i * PAGE as usize..j * PAGE as usize];
        f.write_all_at(chunk, MEM_HEADER + (i as u64) * PAGE)
            .map_err(io(path, "write"))?;
        written += (j - i) as u64;
        i = j;
    }
    Ok(written)
}

/// Write a full memory file of `ram` with memory id `id`, atomically.
/// Returns the pages written (all-zero pages are left as holes).
pub fn write_full_memory(path: &Path, ram: &[u8], id: u64) -> Result<u64, FileError> {
    let (f, written) = prepare_full_memory(path, ram, id)?;
    f.commit()?;
    Ok(written)
}

/// [`write_full_memory`] under the temporary name only: the file and the
/// pages written, for [`commit_all`].
pub fn prepare_full_memory(
    path: &Path,
    ram: &[u8],
    id: u64,
) -> Result<(AtomicFile, u64), FileError> {
    let f = AtomicFile::create(path)?;
    let size = ram.len() as u64;
    f.file()
        .set_len(MEM_HEADER + size)
        .map_err(io(path, "resize"))?;
    let written = write_pages(path, f.file(), ram, |_| true, true)?;
    let hdr = MemHeader {
        kind: MemKind::Full,
        ram_size: size,
        id,
        base_id: 0,
        bitmap: (0, 0),
    };
    f.file()
        .write_all_at(&hdr.encode(), 0)
        .map_err(io(path, "write"))?;
    Ok((f, written))
}

/// Write a diff memory file: the pages set in `dirty` (bit per page),
/// applying to memory `base_id`, with memory id `id`. Atomic.
pub fn write_diff_memory(
    path: &Path,
    ram: &[u8],
    dirty: &[u64],
    id: u64,
    base_id: u64,
) -> Result<u64, FileError> {
    let (f, written) = prepare_diff_memory(path, ram, dirty, id, base_id)?;
    f.commit()?;
    Ok(written)
}

/// [`write_diff_memory`] under the temporary name only: the file and the
/// pages written, for [`commit_all`].
pub fn prepare_diff_memory(
    path: &Path,
    ram: &[u8],
    dirty: &[u64],
    id: u64,
    base_id: u64,
) -> Result<(AtomicFile, u64), FileError> {
    let f = AtomicFile::create(path)?;
    let size = ram.len() as u64;
    let bitmap: Vec<u8> = dirty.iter().flat_map(|w| w.to_le_bytes()).collect();
    let bm_off = MEM_HEADER + size;
    f.file()
        .set_len(bm_off + bitmap.len() as u64)
        .map_err(io(path, "resize"))?;
    let is_dirty = |k: usize| dirty.get(k / 64).is_some_and(|w| w & (1 << (k % 64)) != 0);
    let written = write_pages(path, f.file(), ram, is_dirty, false)?;
    f.file()
        .write_all_at(&bitmap, bm_off)
        .map_err(io(path, "write"))?;
    let hdr = MemHeader {
        kind: MemKind::Diff,
        ram_size: size,
        id,
        base_id,
        bitmap: (bm_off, bitmap.len() as u64),
    };
    f.file()
        .write_all_at(&hdr.encode(), 0)
        .map_err(io(path, "write"))?;
    Ok((f, written))
}

/// Apply the diff memory file `diff` onto the full memory file `base`,
/// writing the result to `output` (which may be `base` itself: the
/// result is built under a temporary name and renamed over it, so an
/// interrupted merge leaves `base` as it was). Returns the pages applied.
pub fn merge_memory(base: &Path, diff: &Path, output: &Path) -> Result<u64, FileError> {
    let bf = File::open(base).map_err(io(base, "open"))?;
    let bh = MemHeader::read(base, &bf)?;
    let df = File::open(diff).map_err(io(diff, "open"))?;
    let dh = MemHeader::read(diff, &df)?;
    let mismatch = |detail: String| FileError::Corrupt {
        path: diff.into(),
        detail,
    };
    if bh.kind != MemKind::Full {
        return Err(FileError::Corrupt {
            path: base.into(),
            detail: "the base must be a full memory file (merge its own diff onto its base first)"
                .into(),
        });
    }
    if dh.kind != MemKind::Diff {
        return Err(mismatch("not a diff memory file".into()));
    }
    if dh.base_id != bh.id {
        return Err(mismatch(format!(
            "this diff applies to memory {:016x}, but {} is memory {:016x}",
            dh.base_id,
            base.display(),
            bh.id
        )));
    }
    if dh.ram_size != bh.ram_size {
        return Err(mismatch(format!(
            "RAM sizes differ ({} vs {} bytes)",
            dh.ram_size, bh.ram_size
        )));
    }
    let pages = dh.ram_size / PAGE;
    if dh.bitmap.1 < pages.div_ceil(64) * 8 {
        return Err(mismatch("the page bitmap is too short".into()));
    }
    let mut bitmap = vec![0u8; dh.bitmap.1 as usize];
    df.read_exact_at(&mut bitmap, dh.bitmap.0)
        .map_err(io(diff, "read"))?;
    let out = AtomicFile::create(output)?;
    {
        let mut src = &bf;
        let mut dst = out.file();
        std::io::copy(&mut src, &mut dst).map_err(io(output, "copy the base"))?;
    }
    let mut buf = vec![0u8; PAGE as usize];
    let mut applied = 0;
    for k in 0..pages {
        if bitmap[(k / 8) as usize] & (1 << (k % 8)) == 0 {
            continue;
        }
        let off = MEM_HEADER + k * PAGE;
        df.read_exact_at(&mut buf, off).map_err(io(diff, "read"))?;
        out.file()
            .write_all_at(&buf, off)
            .map_err(io(output, "write"))?;
        applied += 1;
    }
    let hdr = MemHeader {
        kind: MemKind::Full,
        ram_size: bh.ram_size,
        id: dh.id,
        base_id: 0,
        bitmap: (0, 0),
    };
    out.file()
        .write_all_at(&hdr.encode(), 0)
        .map_err(io(output, "write"))?;
    out.commit()?;
    Ok(applied)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir() -> PathBuf {
        let d = std::env::temp_dir().join(format!(
            "vireo-files-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn state_files_round_trip_and_damage_is_detected() {
        let d = dir();
        let p = d.join("vm.snap");
        write_state(&p, b"{\"hello\":1}").unwrap();
        assert_eq!(read_state(&p).unwrap(), b"{\"hello\":1}");
        let good = std::fs::read(&p).unwrap();

        let mut bad = good.clone();
        bad[40] ^= 1;
        std::fs::write(&p, &bad).unwrap();
        assert!(matches!(read_state(&p), Err(FileError::Checksum { .. })));

        std::fs::write(&p, &good[..good.len() - 3]).unwrap();
        assert!(matches!(read_state(&p), Err(FileError::Truncated { .. })));

        let mut v2 = good.clone();
        v2[8] = 2;
        std::fs::write(&p, &v2).unwrap();
        let e = read_state(&p).unwrap_err();
        assert!(e.to_string().contains("version 2"), "{e}");

        std::fs::write(&p, b"ELF whatever").unwrap();
        assert!(matches!(read_state(&p), Err(FileError::BadMagic { .. })));
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn a_failed_write_leaves_the_old_file() {
        let d = dir();
        let p = d.join("keep.snap");
        write_state(&p, b"old").unwrap();
        {
            let f = AtomicFile::create(&p).unwrap();
            f.file().write_all_at(b"partial", 0).unwrap();
            // dropped without commit
        }
        assert_eq!(read_state(&p).unwrap(), b"old");
        let leftovers: Vec<_> = std::fs::read_dir(&d).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary file left behind");
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn commit_all_replaces_every_file_or_none() {
        let d = dir().join("all");
        std::fs::create_dir_all(&d).unwrap();
        let names = || {
            let mut v: Vec<String> = std::fs::read_dir(&d)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            v.sort();
            v
        };
        let (a, b) = (d.join("a"), d.join("b"));
        write_state(&a, b"old a").unwrap();
        write_state(&b, b"old b").unwrap();
        let prepare = |p: &Path, text: &[u8]| prepare_state(p, text).unwrap();

        // Both replaced.
        commit_all(vec![prepare(&a, b"new a"), prepare(&b, b"new b")]).unwrap();
        assert_eq!(read_state(&a).unwrap(), b"new a");
        assert_eq!(read_state(&b).unwrap(), b"new b");
        assert_eq!(names(), ["a", "b"]);

        // The second cannot be renamed into place (a directory is there):
        // the first is put back as it was. Also when the first is new.
        let c = d.join("c");
        std::fs::create_dir(&c).unwrap();
        let before = std::fs::read(&a).unwrap();
        let e = commit_all(vec![prepare(&a, b"newer a"), prepare(&c, b"c")]).unwrap_err();
        assert!(e.to_string().contains("rename into place"), "{e}");
        assert_eq!(std::fs::read(&a).unwrap(), before);
        let fresh = d.join("fresh");
        commit_all(vec![prepare(&fresh, b"f"), prepare(&c, b"c")]).unwrap_err();
        assert_eq!(names(), ["a", "b", "c"], "no new or temporary file left");
        assert_eq!(std::fs::read_dir(&c).unwrap().count(), 0);
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn diff_merges_onto_its_base_only() {
        let d = dir();
        let mut ram = vec![0u8; 16 * 4096];
        ram[4096] = 1;
        ram[9 * 4096 + 5] = 9;
        let base = d.join("base.mem");
        assert_eq!(
            write_full_memory(&base, &ram, 0x11).unwrap(),
            2,
            "zero pages skipped"
        );
        ram[4096] = 2;
        ram[3 * 4096] = 3;
        let dirty = [(1u64 << 1) | (1 << 3)];
        let diff = d.join("diff.mem");
        assert_eq!(
            write_diff_memory(&diff, &ram, &dirty, 0x22, 0x11).unwrap(),
            2
        );
        // The diff alone is not full memory.
        let df = File::open(&diff).unwrap();
        assert_eq!(MemHeader::read(&diff, &df).unwrap().kind, MemKind::Diff);
        // Merge into a new file, then check it equals RAM.
        let merged = d.join("merged.mem");
        assert_eq!(merge_memory(&base, &diff, &merged).unwrap(), 2);
        let m = std::fs::read(&merged).unwrap();
        assert_eq!(&m[MEM_HEADER as usize..], &ram[..]);
        let mf = File::open(&merged).unwrap();
        let h = MemHeader::read(&merged, &mf).unwrap();
        assert_eq!((h.kind, h.id), (MemKind::Full, 0x22));
        // The diff does not apply to the merged result (ids differ).
        assert!(merge_memory(&merged, &diff, &d.join("x.mem")).is_err());
        std::fs::remove_dir_all(&d).unwrap();
    }
}
