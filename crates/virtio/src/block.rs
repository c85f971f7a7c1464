//! virtio-blk: a block device over a raw or qcow2 image (virtio 1.2, 5.2).
//!
//! - [`DriveConfig`]: what the user asked for (`--drive file=PATH,...`).
//! - [`Block`]: the [`VirtioDevice`]; one request queue served on the
//!   device's own I/O thread.
//! - The image backends: raw files through `pread`/`pwrite` on a
//!   `std::fs::File`, qcow2 (with backing-file chains) through the `imago`
//!   crate. Both move data straight between the image and guest memory.
//!
//! Requests: `IN`, `OUT`, `FLUSH` (the data is on the host disk —
//! `fdatasync` — before the request completes), `GET_ID` (the serial),
//! `DISCARD` and `WRITE_ZEROES`; anything else is answered `UNSUPP`. A
//! request the device cannot carry out (out of range, bad layout, a host
//! I/O error, a write to a read-only drive) is answered `IOERR`.

use crate::device::{
    note_dma_write, ActivateContext, ActivateError, Interrupt, IoThread, VirtioDevice, TYPE_BLOCK,
};
use imago::io_buffers::{IoVector, IoVectorMut};
use imago::qcow2::Qcow2;
use imago::{FormatAccess, FormatDriverBuilder, PermissiveImplicitOpenGate, StorageOpenOptions};
use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom};
use std::os::fd::AsRawFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use thiserror::Error;
use vireo_memory::GuestRam;
use virtio_queue::DescriptorChain;
use vm_memory::{GuestAddress, GuestMemoryBackend, GuestMemoryMmap, VolatileSlice};

/// Bytes in a virtio-blk sector (fixed by the specification).
pub const SECTOR_SIZE: u64 = 512;

/// Size of the request queue.
const QUEUE_SIZE: u16 = 256;
/// Most data segments in one request (the queue size minus header and status).
const SEG_MAX: u32 = QUEUE_SIZE as u32 - 2;
/// Most sectors in one discard or write-zeroes segment (2 GiB).
const MAX_DISCARD_SECTORS: u32 = 1 << 22;
/// Most segments in one discard or write-zeroes request.
const MAX_DISCARD_SEG: u32 = 32;
/// Bytes of the serial number (`GET_ID`).
pub const SERIAL_LEN: usize = 20;

// Feature bits (virtio 1.2, 5.2.3).
const VIRTIO_BLK_F_SEG_MAX: u64 = 1 << 2;
const VIRTIO_BLK_F_RO: u64 = 1 << 5;
const VIRTIO_BLK_F_BLK_SIZE: u64 = 1 << 6;
const VIRTIO_BLK_F_FLUSH: u64 = 1 << 9;
const VIRTIO_BLK_F_DISCARD: u64 = 1 << 13;
const VIRTIO_BLK_F_WRITE_ZEROES: u64 = 1 << 14;

// Request types (virtio 1.2, 5.2.6).
const VIRTIO_BLK_T_IN: u32 = 0;
const VIRTIO_BLK_T_OUT: u32 = 1;
const VIRTIO_BLK_T_FLUSH: u32 = 4;
const VIRTIO_BLK_T_GET_ID: u32 = 8;
const VIRTIO_BLK_T_DISCARD: u32 = 11;
const VIRTIO_BLK_T_WRITE_ZEROES: u32 = 13;

/// Request status: success.
pub const VIRTIO_BLK_S_OK: u8 = 0;
/// Request status: the device could not carry out the request.
pub const VIRTIO_BLK_S_IOERR: u8 = 1;
/// Request status: the request type (or a flag) is not supported.
pub const VIRTIO_BLK_S_UNSUPP: u8 = 2;

/// `WRITE_ZEROES` segment flag: the range may be deallocated.
const WRITE_ZEROES_FLAG_UNMAP: u32 = 1;

/// The qcow2 magic, "QFI\xfb".
const QCOW2_MAGIC: [u8; 4] = *b"QFI\xfb";

/// Image format of a drive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageFormat {
    /// Sector `n` of the disk is at byte `512 n` of the file.
    Raw,
    /// QEMU copy-on-write v2/v3, possibly over a backing file.
    Qcow2,
}

/// How writes reach the host disk.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CacheMode {
    /// Writes go to the host page cache; a guest FLUSH makes them durable.
    #[default]
    Writeback,
    /// Every write is durable before it completes (`O_DSYNC`).
    Writethrough,
    /// Guest FLUSH requests are ignored: fast, and a host crash loses data.
    Unsafe,
    /// The host page cache is bypassed (`O_DIRECT`); a guest FLUSH still
    /// syncs the image. Requests whose buffers or offset are not 4 KiB
    /// aligned go through the page cache instead.
    None,
}

/// One `--drive`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DriveConfig {
    /// The image file.
    pub path: PathBuf,
    /// The image format; `None` probes the file (qcow2 magic, else raw).
    pub format: Option<ImageFormat>,
    /// The guest may not write.
    pub readonly: bool,
    /// Host caching.
    pub cache: CacheMode,
    /// The serial number the guest reads (`GET_ID`), at most 20 bytes.
    pub serial: Option<String>,
    /// A name for messages.
    pub id: Option<String>,
}

impl DriveConfig {
    /// A writable drive over `path` with default options.
    pub fn new(path: impl Into<PathBuf>) -> DriveConfig {
        DriveConfig {
            path: path.into(),
            format: None,
            readonly: false,
            cache: CacheMode::default(),
            serial: None,
            id: None,
        }
    }

    /// Parse the value of `--drive`:
    /// `file=PATH[,format=raw|qcow2][,readonly=on|off][,cache=writeback|writethrough|none|unsafe][,serial=S][,id=NAME]`.
    /// A comma inside a value is written `,,` (as in QEMU).
    pub fn parse(spec: &str) -> Result<DriveConfig, String> {
        let mut path = None;
        let mut cfg = DriveConfig::new("");
        for (i, item) in split_options(spec).into_iter().enumerate() {
            let (key, value) = match item.split_once('=') {
                Some((k, v)) => (k.trim().to_string(), v.to_string()),
                // A bare first item is the file, as a convenience.
                None if i == 0 && !item.is_empty() => ("file".to_string(), item.clone()),
                None => {
                    return Err(format!(
                        "expected KEY=VALUE, got {item:?} (keys: file, format, readonly, cache, serial, id)"
                    ))
                }
            };
            match key.as_str() {
                "file" => {
                    if value.is_empty() {
                        return Err("file= needs a path".into());
                    }
                    path = Some(PathBuf::from(value));
                }
                "format" => {
                    cfg.format = Some(match value.as_str() {
                        "raw" => ImageFormat::Raw,
                        "qcow2" => ImageFormat::Qcow2,
                        other => {
                            return Err(format!(
                                "unknown format {other:?}: use format=raw or format=qcow2"
                            ))
                        }
                    })
                }
                "readonly" | "read-only" => {
                    cfg.readonly = match value.as_str() {
                        "on" | "true" | "yes" | "1" => true,
                        "off" | "false" | "no" | "0" => false,
                        other => {
                            return Err(format!(
                                "readonly={other:?}: use readonly=on or readonly=off"
                            ))
                        }
                    }
                }
                "cache" => {
                    cfg.cache = match value.as_str() {
                        "writeback" => CacheMode::Writeback,
                        "writethrough" => CacheMode::Writethrough,
                        "unsafe" => CacheMode::Unsafe,
                        "none" => CacheMode::None,
                        other => {
                            return Err(format!(
                                "unsupported cache={other:?}: use cache=writeback (the default), writethrough, none or unsafe"
                            ))
                        }
                    }
                }
                "serial" => {
                    if value.len() > SERIAL_LEN {
                        return Err(format!(
                            "serial {value:?} is {} bytes; virtio-blk serials are at most {SERIAL_LEN}",
                            value.len()
                        ));
                    }
                    cfg.serial = Some(value);
                }
                "id" => cfg.id = Some(value),
                "if" if value == "virtio" => {}
                other => {
                    return Err(format!(
                        "unknown option {other:?} (options: file, format, readonly, cache, serial, id)"
                    ))
                }
            }
        }
        match path {
            Some(p) => {
                cfg.path = p;
                Ok(cfg)
            }
            None => Err("missing file=PATH (e.g. --drive file=disk.img,format=raw)".into()),
        }
    }

    fn name(&self) -> String {
        match &self.id {
            Some(id) => format!("{id} ({})", self.path.display()),
            None => self.path.display().to_string(),
        }
    }
}

/// Split `a=b,c=d` at single commas; `,,` is a literal comma.
fn split_options(spec: &str) -> Vec<String> {
    let mut items = vec![String::new()];
    let mut chars = spec.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ',' {
            if chars.peek() == Some(&',') {
                chars.next();
                if let Some(s) = items.last_mut() {
                    s.push(',');
                }
            } else {
                items.push(String::new());
            }
        } else if let Some(s) = items.last_mut() {
            s.push(c);
        }
    }
    items
}

/// Errors opening a drive.
#[derive(Debug, Error)]
pub enum BlockError {
    /// The image file could not be opened.
    #[error("drive {drive}: cannot open the image: {source} (check the path and its permissions; use readonly=on for a read-only file)")]
    Open {
        /// The drive.
        drive: String,
        /// Why.
        source: io::Error,
    },
    /// Another process holds the image.
    #[error("drive {drive}: the image is locked: another VM is using it, or it is given twice; stop the other user, or use readonly=on everywhere")]
    Locked {
        /// The drive.
        drive: String,
    },
    /// The qcow2 image is damaged.
    #[error("drive {drive}: not a usable qcow2 image: {reason} (check it with `qemu-img check`)")]
    BadQcow2 {
        /// The drive.
        drive: String,
        /// What is wrong.
        reason: String,
    },
    /// `cache=none` needs `O_DIRECT`, which the file system refused.
    #[error("drive {drive}: cache=none needs O_DIRECT, which the image's file system refuses ({source}); use cache=writeback")]
    Direct {
        /// The drive.
        drive: String,
        /// Why.
        source: io::Error,
    },
    /// `imago` could not open the qcow2 image or its backing chain.
    #[error("drive {drive}: cannot open the qcow2 image or its backing chain: {reason}")]
    Qcow2Open {
        /// The drive.
        drive: String,
        /// What `imago` reported.
        reason: String,
    },
    /// The image is smaller than one sector.
    #[error("drive {drive}: the image is {size} bytes, smaller than one 512-byte sector")]
    TooSmall {
        /// The drive.
        drive: String,
        /// Its size.
        size: u64,
    },
}

// ---- backends ----------------------------------------------------------

/// An image opened for I/O.
enum Backend {
    Raw {
        file: File,
        /// With `cache=none`: the image opened `O_DIRECT`, for aligned
        /// requests.
        direct: Option<File>,
    },
    Qcow2 {
        access: FormatAccess<imago::file::File>,
    },
}

impl fmt::Debug for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Backend::Raw { .. } => f.write_str("Raw"),
            Backend::Qcow2 { .. } => f.write_str("Qcow2"),
        }
    }
}

fn raw_iovecs(guards: &[vm_memory::volatile_memory::PtrGuardMut]) -> Vec<libc::iovec> {
    guards
        .iter()
        .map(|g| libc::iovec {
            iov_base: g.as_ptr().cast(),
            iov_len: g.len(),
        })
        .collect()
}

/// Drop the first `n` bytes of an iovec list (after a short transfer).
fn advance_iovecs(iovs: &mut Vec<libc::iovec>, mut n: usize) {
    let mut drop = 0;
    for iov in iovs.iter_mut() {
        if n == 0 {
            break;
        }
        if n >= iov.iov_len {
            n -= iov.iov_len;
            drop += 1;
        } else {
            // SAFETY: `n < iov_len`, so the new base stays inside the buffer.
            iov.iov_base = unsafe { iov.iov_base.cast::<u8>().add(n) }.cast();
            iov.iov_len -= n;
            n = 0;
        }
    }
    iovs.drain(..drop);
}

/// Alignment of buffers, lengths and offsets for `O_DIRECT` (enough for
/// 512-byte and 4 KiB host sectors).
const DIRECT_ALIGN: usize = 4096;

/// The file for a raw transfer: the `O_DIRECT` one when the request
/// suits it.
fn raw_file<'f>(
    file: &'f File,
    direct: &'f Option<File>,
    bufs: &[VolatileSlice<'_, ()>],
    offset: u64,
) -> &'f File {
    match direct {
        Some(d)
            if offset.is_multiple_of(DIRECT_ALIGN as u64)
                && bufs.iter().all(|b| {
                    (b.ptr_guard().as_ptr() as usize).is_multiple_of(DIRECT_ALIGN)
                        && b.len().is_multiple_of(DIRECT_ALIGN)
                }) =>
        {
            d
        }
        _ => file,
    }
}

/// `preadv`/`pwritev` the whole of `bufs` at `offset`, retrying short
/// transfers.
fn transfer_raw(
    file: &File,
    bufs: &[VolatileSlice<'_, ()>],
    offset: u64,
    write: bool,
) -> io::Result<()> {
    // The guards keep the memory mapped while the kernel uses it.
    let guards: Vec<_> = bufs.iter().map(|b| b.ptr_guard_mut()).collect();
    let mut iovs = raw_iovecs(&guards);
    iovs.retain(|v| v.iov_len > 0);
    let mut offset = offset;
    while !iovs.is_empty() {
        let count = iovs.len().min(libc::UIO_MAXIOV as usize) as libc::c_int;
        let off = libc::off_t::try_from(offset)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "offset too large"))?;
        // SAFETY: every iovec points into guest memory that `guards` keep
        // mapped (vm-memory checked the ranges), and `count` is at most
        // `iovs.len()`. The kernel only reads (pwritev) or writes (preadv)
        // those bytes; concurrent guest access is the guest's business, as
        // with DMA on hardware.
        let n = unsafe {
            if write {
                libc::pwritev(file.as_raw_fd(), iovs.as_ptr(), count, off)
            } else {
                libc::preadv(file.as_raw_fd(), iovs.as_ptr(), count, off)
            }
        };
        if n < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the image ended before the request did",
            ));
        }
        offset += n as u64;
        advance_iovecs(&mut iovs, n as usize);
    }
    Ok(())
}

fn fallocate(file: &File, mode: libc::c_int, offset: u64, len: u64) -> io::Result<()> {
    loop {
        // SAFETY: fallocate only operates on the file descriptor.
        let r = unsafe {
            libc::fallocate(
                file.as_raw_fd(),
                mode,
                offset as libc::off_t,
                len as libc::off_t,
            )
        };
        if r == 0 {
            return Ok(());
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

/// Write zeroes with plain writes (when the file system cannot punch or
/// zero ranges).
fn write_zeroes_by_hand(file: &File, mut offset: u64, len: u64) -> io::Result<()> {
    use std::os::unix::fs::FileExt;
    let zeroes = vec![0u8; 64 << 10];
    let end = offset + len;
    while offset < end {
        let n = (end - offset).min(zeroes.len() as u64) as usize;
        file.write_all_at(&zeroes[..n], offset)?;
        offset += n as u64;
    }
    Ok(())
}

impl Backend {
    fn read(&mut self, offset: u64, bufs: &[VolatileSlice<'_, ()>]) -> io::Result<()> {
        match self {
            Backend::Raw { file, direct } => {
                transfer_raw(raw_file(file, direct, bufs, offset), bufs, offset, false)
            }
            Backend::Qcow2 { access } => {
                let (vec, _guard) = IoVectorMut::from_volatile_slice(bufs);
                access.readv(vec, offset)
            }
        }
    }

    fn write(
        &mut self,
        offset: u64,
        bufs: &[VolatileSlice<'_, ()>],
        cache: CacheMode,
    ) -> io::Result<()> {
        match self {
            Backend::Raw { file, direct } => {
                transfer_raw(raw_file(file, direct, bufs, offset), bufs, offset, true)
            }
            Backend::Qcow2 { access } => {
                let (vec, _guard) = IoVector::from_volatile_slice(bufs);
                access.writev(vec, offset)?;
                if cache == CacheMode::Writethrough {
                    access.flush()?;
                    access.sync()?;
                }
                Ok(())
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Backend::Raw { file, .. } => file.sync_data(),
            Backend::Qcow2 { access } => {
                access.flush()?;
                access.sync()
            }
        }
    }

    /// Deallocate if possible; the range then reads as zeroes or as
    /// before (DISCARD promises nothing).
    fn discard(&mut self, offset: u64, len: u64) -> io::Result<()> {
        match self {
            Backend::Raw { file, .. } => {
                match fallocate(
                    file,
                    libc::FALLOC_FL_PUNCH_HOLE | libc::FALLOC_FL_KEEP_SIZE,
                    offset,
                    len,
                ) {
                    // Discard is a hint: a file system without hole punching
                    // (or a block device) simply keeps the data.
                    Err(e) if e.raw_os_error() == Some(libc::EOPNOTSUPP) => Ok(()),
                    r => r,
                }
            }
            Backend::Qcow2 { access } => match access.discard_to_any(offset, len) {
                Err(e) if e.kind() == io::ErrorKind::Unsupported => Ok(()),
                r => r,
            },
        }
    }

    /// Make the range read as zeroes, deallocating it when `unmap`.
    fn write_zeroes(&mut self, offset: u64, len: u64, unmap: bool) -> io::Result<()> {
        match self {
            Backend::Raw { file, .. } => {
                let modes = if unmap {
                    [
                        libc::FALLOC_FL_PUNCH_HOLE | libc::FALLOC_FL_KEEP_SIZE,
                        libc::FALLOC_FL_ZERO_RANGE | libc::FALLOC_FL_KEEP_SIZE,
                    ]
                } else {
                    [libc::FALLOC_FL_ZERO_RANGE | libc::FALLOC_FL_KEEP_SIZE; 2]
                };
                for mode in modes {
                    if fallocate(file, mode, offset, len).is_ok() {
                        return Ok(());
                    }
                }
                write_zeroes_by_hand(file, offset, len)
            }
            Backend::Qcow2 { access } => {
                if unmap {
                    match access.discard_to_zero(offset, len) {
                        Err(e) if e.kind() == io::ErrorKind::Unsupported => {}
                        r => return r,
                    }
                }
                access.write_zeroes(offset, len)
            }
        }
    }
}

// ---- opening images ------------------------------------------------------

fn read_be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn read_be64(b: &[u8], at: usize) -> u64 {
    (u64::from(read_be32(b, at)) << 32) | u64::from(read_be32(b, at + 4))
}

/// Most L1 entries vireo accepts (QEMU's limit: a 32 MiB table).
const QCOW2_MAX_L1_ENTRIES: u64 = 32 << 20 >> 3;
/// Most refcount-table bytes vireo accepts (QEMU's limit: 8 MiB).
const QCOW2_MAX_REFTABLE_BYTES: u64 = 8 << 20;

/// Sanity-check a qcow2 image before handing it to `imago`: the header,
/// and that every table the header and the L1 table point to lies inside
/// the file (a truncated copy fails here, at start, with a clear message,
/// instead of as I/O errors in the guest).
pub fn check_qcow2(file: &mut File) -> Result<(), String> {
    let file_len = file
        .seek(SeekFrom::End(0))
        .map_err(|e| format!("cannot read the file: {e}"))?;
    let mut h = [0u8; 104];
    file.seek(SeekFrom::Start(0))
        .map_err(|e| format!("cannot read the file: {e}"))?;
    let got = read_up_to(file, &mut h).map_err(|e| format!("cannot read the header: {e}"))?;
    if got < 4 || h[..4] != QCOW2_MAGIC {
        return Err(
            "the file does not start with the qcow2 magic (is it a raw image? use format=raw)"
                .into(),
        );
    }
    let version = read_be32(&h, 4);
    let header_min = match version {
        2 => 72,
        3 => 104,
        v => {
            return Err(format!(
                "unsupported qcow2 version {v} (vireo reads versions 2 and 3)"
            ))
        }
    };
    if got < header_min {
        return Err(format!(
            "the header is truncated: the file is {file_len} bytes"
        ));
    }
    let cluster_bits = read_be32(&h, 20);
    if !(9..=21).contains(&cluster_bits) {
        return Err(format!("cluster_bits {cluster_bits} is outside 9..=21"));
    }
    let cluster = 1u64 << cluster_bits;
    let size = read_be64(&h, 24);
    if read_be32(&h, 32) != 0 {
        return Err("the image is encrypted; vireo does not support encrypted qcow2".into());
    }
    if version == 3 {
        let incompatible = read_be64(&h, 72);
        if incompatible & 1 != 0 {
            return Err("the image is marked dirty (a program using it stopped without closing it); repair it with `qemu-img check -r all`".into());
        }
        if incompatible & 2 != 0 {
            return Err(
                "the image is marked corrupt; repair it with `qemu-img check -r all`".into(),
            );
        }
    }
    let in_file = |what: &str, off: u64, len: u64| -> Result<(), String> {
        match off.checked_add(len) {
            Some(end) if end <= file_len => Ok(()),
            _ => Err(format!(
                "the {what} at offset {off:#x} (+{len:#x} bytes) lies beyond the end of the {file_len}-byte file: the image is truncated or corrupt"
            )),
        }
    };
    let aligned = |what: &str, off: u64| -> Result<(), String> {
        if !off.is_multiple_of(cluster) {
            Err(format!("the {what} offset {off:#x} is not cluster-aligned"))
        } else {
            Ok(())
        }
    };

    // L1 table: big enough for the disk, inside the file.
    let l1_size = u64::from(read_be32(&h, 36));
    let l1_offset = read_be64(&h, 40);
    if l1_size > QCOW2_MAX_L1_ENTRIES {
        return Err(format!(
            "the L1 table has {l1_size} entries (more than {QCOW2_MAX_L1_ENTRIES})"
        ));
    }
    let l2_entries = cluster / 8;
    let covered = l1_size
        .checked_mul(l2_entries)
        .and_then(|n| n.checked_mul(cluster))
        .unwrap_or(u64::MAX);
    if covered < size {
        return Err(format!(
            "the L1 table ({l1_size} entries) is too small for the {size}-byte disk"
        ));
    }
    if l1_size > 0 {
        aligned("L1 table", l1_offset)?;
        in_file("L1 table", l1_offset, l1_size * 8)?;
    }

    // Refcount table.
    let rt_offset = read_be64(&h, 48);
    let rt_bytes = u64::from(read_be32(&h, 56)) * cluster;
    if rt_bytes == 0 || rt_bytes > QCOW2_MAX_REFTABLE_BYTES {
        return Err(format!(
            "the refcount table size ({rt_bytes} bytes) is invalid"
        ));
    }
    aligned("refcount table", rt_offset)?;
    in_file("refcount table", rt_offset, rt_bytes)?;

    // Backing file name.
    let bf_offset = read_be64(&h, 8);
    let bf_size = u64::from(read_be32(&h, 16));
    if bf_offset != 0 {
        if bf_size > 1023 {
            return Err(format!(
                "the backing file name is {bf_size} bytes (at most 1023)"
            ));
        }
        in_file("backing file name", bf_offset, bf_size)?;
    }

    // Every L2 table and refcount block the tables point to, and (up to
    // a bound on the work) every data cluster the L2 tables point to.
    const OFFSET_MASK: u64 = 0x00ff_ffff_ffff_fe00;
    const COMPRESSED: u64 = 1 << 62;
    const MAX_L2_SCAN_BYTES: u64 = 256 << 20;
    let incompatible = if version == 3 { read_be64(&h, 72) } else { 0 };
    let external_data = incompatible & 4 != 0;
    let l2_entry = if incompatible & 16 != 0 { 16 } else { 8 };
    let mut l1 = vec![0u8; (l1_size * 8) as usize];
    read_exact_at(file, &mut l1, l1_offset)
        .map_err(|e| format!("cannot read the L1 table: {e}"))?;
    let l2_tables: Vec<u64> = l1
        .chunks_exact(8)
        .map(|e| read_be64(e, 0) & OFFSET_MASK)
        .collect();
    for (i, &off) in l2_tables.iter().enumerate() {
        if off != 0 {
            aligned(&format!("L2 table {i}"), off)?;
            in_file(&format!("L2 table {i}"), off, cluster)?;
        }
    }
    let scan_data = !external_data
        && (l2_tables.iter().filter(|&&o| o != 0).count() as u64).saturating_mul(cluster)
            <= MAX_L2_SCAN_BYTES;
    if scan_data {
        let mut l2 = vec![0u8; cluster as usize];
        for (i, &off) in l2_tables.iter().enumerate() {
            if off == 0 {
                continue;
            }
            read_exact_at(file, &mut l2, off)
                .map_err(|e| format!("cannot read L2 table {i}: {e}"))?;
            for e in l2.chunks_exact(l2_entry) {
                let entry = read_be64(e, 0);
                if entry & COMPRESSED != 0 {
                    // Compressed: the host offset is in the low bits.
                    let host = entry & ((1u64 << (62 - (cluster_bits - 8))) - 1);
                    if host >= file_len {
                        return Err(format!(
                            "a compressed cluster at offset {host:#x} lies beyond the end of the {file_len}-byte file: the image is truncated or corrupt"
                        ));
                    }
                    continue;
                }
                let data = entry & OFFSET_MASK;
                if data != 0 {
                    in_file("data cluster", data, cluster)?;
                }
            }
        }
    }
    let mut table = vec![0u8; rt_bytes as usize];
    read_exact_at(file, &mut table, rt_offset)
        .map_err(|e| format!("cannot read the refcount table: {e}"))?;
    for (i, e) in table.chunks_exact(8).enumerate() {
        let off = read_be64(e, 0) & !(cluster - 1);
        if off != 0 {
            in_file(&format!("refcount block {i}"), off, cluster)?;
        }
    }
    Ok(())
}

fn read_up_to(file: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match file.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    use std::os::unix::fs::FileExt;
    file.read_exact_at(buf, offset)
}

/// Take an advisory lock on the image so two VMs do not write it at once
/// (shared for read-only drives, exclusive otherwise).
fn lock_image(file: &File, readonly: bool) -> io::Result<bool> {
    let op = if readonly {
        libc::LOCK_SH
    } else {
        libc::LOCK_EX
    } | libc::LOCK_NB;
    // SAFETY: flock only operates on the file descriptor.
    if unsafe { libc::flock(file.as_raw_fd(), op) } == 0 {
        return Ok(true);
    }
    let e = io::Error::last_os_error();
    if e.raw_os_error() == Some(libc::EWOULDBLOCK) {
        Ok(false)
    } else {
        Err(e)
    }
}

/// I/O counters of one drive, shared between the device and its I/O
/// thread. Operations and bytes count requests that succeeded; `errors`
/// counts requests answered with another status than `OK`.
#[derive(Debug, Default)]
struct BlockStats {
    read_ops: AtomicU64,
    read_bytes: AtomicU64,
    write_ops: AtomicU64,
    write_bytes: AtomicU64,
    flush_ops: AtomicU64,
    discard_ops: AtomicU64,
    write_zeroes_ops: AtomicU64,
    errors: AtomicU64,
}

fn bump(counter: &AtomicU64, by: u64) {
    counter.fetch_add(by, Ordering::Relaxed);
}

impl BlockStats {
    fn list(&self) -> Vec<(&'static str, u64)> {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        vec![
            ("read_ops", get(&self.read_ops)),
            ("read_bytes", get(&self.read_bytes)),
            ("write_ops", get(&self.write_ops)),
            ("write_bytes", get(&self.write_bytes)),
            ("flush_ops", get(&self.flush_ops)),
            ("discard_ops", get(&self.discard_ops)),
            ("write_zeroes_ops", get(&self.write_zeroes_ops)),
            ("errors", get(&self.errors)),
        ]
    }
}

/// An open image with what the request handler needs to know about it.
#[derive(Debug)]
pub struct Disk {
    backend: Backend,
    /// Keeps the advisory lock for the life of the drive.
    _lock: File,
    /// Size in sectors.
    capacity: u64,
    readonly: bool,
    cache: CacheMode,
    serial: [u8; SERIAL_LEN],
    /// The format was probed as raw: refuse guest writes that would make
    /// sector 0 look like a qcow2 header (the next probe would then follow
    /// a backing-file name the guest chose).
    guard_sector0: bool,
    discard_alignment: u32,
    stats: Arc<BlockStats>,
}

impl Disk {
    /// Open the image of `cfg`.
    pub fn open(cfg: &DriveConfig) -> Result<Disk, BlockError> {
        let drive = cfg.name();
        let open_err = |source| BlockError::Open {
            drive: drive.clone(),
            source,
        };
        let mut opts = OpenOptions::new();
        opts.read(true).write(!cfg.readonly);
        if cfg.cache == CacheMode::Writethrough {
            opts.custom_flags(libc::O_DSYNC);
        }
        let mut file = opts.open(&cfg.path).map_err(open_err)?;
        let lock = file.try_clone().map_err(open_err)?;
        if !lock_image(&lock, cfg.readonly).map_err(open_err)? {
            return Err(BlockError::Locked { drive });
        }
        let mut magic = [0u8; 4];
        let got = read_up_to(&mut file, &mut magic).map_err(open_err)?;
        let probed = got == 4 && magic == QCOW2_MAGIC;
        let format = cfg.format.unwrap_or(if probed {
            ImageFormat::Qcow2
        } else {
            ImageFormat::Raw
        });
        let (backend, bytes, discard_alignment) = match format {
            ImageFormat::Raw => {
                let len = file.seek(SeekFrom::End(0)).map_err(open_err)?;
                let direct = if cfg.cache == CacheMode::None {
                    let f =
                        opts.custom_flags(libc::O_DIRECT)
                            .open(&cfg.path)
                            .map_err(|source| BlockError::Direct {
                                drive: drive.clone(),
                                source,
                            })?;
                    Some(f)
                } else {
                    None
                };
                (Backend::Raw { file, direct }, len, 8)
            }
            ImageFormat::Qcow2 => {
                let bad = |reason: String| BlockError::BadQcow2 {
                    drive: drive.clone(),
                    reason,
                };
                check_qcow2(&mut file).map_err(&bad)?;
                let cluster_bits = {
                    let mut h = [0u8; 24];
                    read_exact_at(&file, &mut h, 0).map_err(open_err)?;
                    read_be32(&h, 20)
                };
                drop(file);
                let q = Qcow2::<imago::file::File>::builder_path(&cfg.path)
                    .write(!cfg.readonly)
                    .storage_open_options(
                        StorageOpenOptions::new().direct(cfg.cache == CacheMode::None),
                    )
                    .open(PermissiveImplicitOpenGate::default())
                    .map_err(|e| BlockError::Qcow2Open {
                        drive: drive.clone(),
                        reason: e.to_string(),
                    })?;
                let access = FormatAccess::new(q);
                let size = access.size();
                (
                    Backend::Qcow2 { access },
                    size,
                    ((1u32 << cluster_bits) / SECTOR_SIZE as u32).max(1),
                )
            }
        };
        let capacity = bytes / SECTOR_SIZE;
        if capacity == 0 {
            return Err(BlockError::TooSmall { drive, size: bytes });
        }
        let mut serial = [0u8; SERIAL_LEN];
        if let Some(s) = &cfg.serial {
            let n = s.len().min(SERIAL_LEN);
            serial[..n].copy_from_slice(&s.as_bytes()[..n]);
        }
        Ok(Disk {
            backend,
            _lock: lock,
            capacity,
            readonly: cfg.readonly,
            cache: cfg.cache,
            serial,
            guard_sector0: cfg.format.is_none() && format == ImageFormat::Raw,
            discard_alignment,
            stats: Arc::default(),
        })
    }

    /// Size in 512-byte sectors.
    pub fn capacity(&self) -> u64 {
        self.capacity
    }

    /// Write everything to the host disk (also done on drop for qcow2).
    pub fn flush(&mut self) -> io::Result<()> {
        self.backend.flush()
    }
}

// ---- request handling ----------------------------------------------------

/// A stretch of guest physical memory named by a descriptor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Segment {
    addr: u64,
    len: u64,
}

/// `len` bytes starting `start` bytes into the concatenation of `segs`.
fn sub_range(segs: &[Segment], mut start: u64, mut len: u64) -> Vec<Segment> {
    let mut out = Vec::new();
    for s in segs {
        if len == 0 {
            break;
        }
        if start >= s.len {
            start -= s.len;
            continue;
        }
        let take = (s.len - start).min(len);
        // Segments never wrap (`handle_chain` drops those that would).
        out.push(Segment {
            addr: s.addr.saturating_add(start),
            len: take,
        });
        len -= take;
        start = 0;
    }
    out
}

fn total(segs: &[Segment]) -> u64 {
    segs.iter().map(|s| s.len).sum()
}

/// Copy from the concatenated guest segments into `buf`.
fn gather(ram: &GuestRam, segs: &[Segment], buf: &mut [u8]) -> bool {
    let mut at = 0usize;
    for s in sub_range(segs, 0, buf.len() as u64) {
        let n = s.len as usize;
        if ram.read_bytes(s.addr, &mut buf[at..at + n]).is_err() {
            return false;
        }
        at += n;
    }
    at == buf.len()
}

/// Copy `data` into the concatenated guest segments.
fn scatter(ram: &GuestRam, segs: &[Segment], data: &[u8]) -> bool {
    let mut at = 0usize;
    for s in sub_range(segs, 0, data.len() as u64) {
        let n = s.len as usize;
        if ram.write_bytes(s.addr, &data[at..at + n]).is_err() {
            return false;
        }
        at += n;
    }
    at == data.len()
}

/// Guest segments as `vm-memory` slices; `None` if any lies outside RAM.
fn slices<'m>(mem: &'m GuestMemoryMmap, segs: &[Segment]) -> Option<Vec<VolatileSlice<'m, ()>>> {
    segs.iter()
        .map(|s| {
            let len = usize::try_from(s.len).ok()?;
            mem.get_slice(GuestAddress(s.addr), len).ok()
        })
        .collect()
}

/// Most descriptors of one request vireo looks at. Longer chains (only
/// possible through indirect tables) are refused.
const MAX_CHAIN_DESCRIPTORS: usize = 4096;

impl Disk {
    fn range_ok(&self, sector: u64, bytes: u64) -> bool {
        bytes.is_multiple_of(SECTOR_SIZE)
            && sector
                .checked_add(bytes / SECTOR_SIZE)
                .is_some_and(|end| end <= self.capacity)
    }

    /// Serve one request. Returns the number of bytes written into the
    /// chain's device-writable buffers (for the used ring).
    pub fn handle_chain(
        &mut self,
        ram: &GuestRam,
        chain: DescriptorChain<&GuestMemoryMmap>,
    ) -> u32 {
        let mut readable = Vec::new();
        let mut writable = Vec::new();
        let mut count = 0usize;
        let mut wraps = false;
        for d in chain {
            count += 1;
            if count > MAX_CHAIN_DESCRIPTORS {
                bump(&self.stats.errors, 1);
                return 0;
            }
            let seg = Segment {
                addr: d.addr().0,
                len: u64::from(d.len()),
            };
            if seg.len == 0 {
                continue;
            }
            if seg.addr.checked_add(seg.len).is_none() {
                // Runs off the top of the address space: not memory.
                wraps = true;
                continue;
            }
            if d.is_write_only() {
                writable.push(seg);
            } else {
                readable.push(seg);
            }
        }
        if wraps {
            bump(&self.stats.errors, 1);
            // Still report the failure if the status byte is usable.
            let wlen = total(&writable);
            if wlen == 0
                || !scatter(
                    ram,
                    &sub_range(&writable, wlen - 1, 1),
                    &[VIRTIO_BLK_S_IOERR],
                )
            {
                return 0;
            }
            return 1;
        }
        self.handle_request(ram, &readable, &writable)
    }

    /// Serve one request laid out as device-readable and device-writable
    /// segments. The status byte is the last writable byte.
    fn handle_request(
        &mut self,
        ram: &GuestRam,
        readable: &[Segment],
        writable: &[Segment],
    ) -> u32 {
        let wlen = total(writable);
        if wlen == 0 {
            // Nowhere to put a status: nothing sensible to do.
            bump(&self.stats.errors, 1);
            return 0;
        }
        let status_seg = sub_range(writable, wlen - 1, 1);
        let data_in = sub_range(writable, 0, wlen - 1);
        let (status, written) = self.execute(ram, readable, &data_in);
        if status != VIRTIO_BLK_S_OK {
            bump(&self.stats.errors, 1);
        }
        if !scatter(ram, &status_seg, &[status]) {
            return 0;
        }
        (written + 1).min(u64::from(u32::MAX)) as u32
    }

    /// Returns the status and the bytes written to `data_in`.
    fn execute(&mut self, ram: &GuestRam, readable: &[Segment], data_in: &[Segment]) -> (u8, u64) {
        let mut header = [0u8; 16];
        if !gather(ram, readable, &mut header) {
            return (VIRTIO_BLK_S_IOERR, 0);
        }
        let req_type = u32::from_le_bytes([header[0], header[1], header[2], header[3]]);
        let sector = u64::from_le_bytes(header[8..16].try_into().unwrap_or([0; 8]));
        let data_out = sub_range(readable, 16, u64::MAX);
        let mem = ram.guest_memory();
        match req_type {
            VIRTIO_BLK_T_IN => {
                let len = total(data_in);
                if !self.range_ok(sector, len) {
                    return (VIRTIO_BLK_S_IOERR, 0);
                }
                let Some(bufs) = slices(mem, data_in) else {
                    return (VIRTIO_BLK_S_IOERR, 0);
                };
                let r = self.backend.read(sector * SECTOR_SIZE, &bufs);
                // A failed read may have filled part of the buffers.
                for s in data_in {
                    note_dma_write(ram, s.addr, s.len);
                }
                match r {
                    Ok(()) => {
                        bump(&self.stats.read_ops, 1);
                        bump(&self.stats.read_bytes, len);
                        (VIRTIO_BLK_S_OK, len)
                    }
                    Err(_) => (VIRTIO_BLK_S_IOERR, 0),
                }
            }
            VIRTIO_BLK_T_OUT => {
                let len = total(&data_out);
                if self.readonly || !self.range_ok(sector, len) {
                    return (VIRTIO_BLK_S_IOERR, 0);
                }
                if self.guard_sector0 && sector == 0 && len >= 4 {
                    let mut magic = [0u8; 4];
                    if !gather(ram, &data_out, &mut magic) || magic == QCOW2_MAGIC {
                        return (VIRTIO_BLK_S_IOERR, 0);
                    }
                }
                let Some(bufs) = slices(mem, &data_out) else {
                    return (VIRTIO_BLK_S_IOERR, 0);
                };
                match self.backend.write(sector * SECTOR_SIZE, &bufs, self.cache) {
                    Ok(()) => {
                        bump(&self.stats.write_ops, 1);
                        bump(&self.stats.write_bytes, len);
                        (VIRTIO_BLK_S_OK, 0)
                    }
                    Err(_) => (VIRTIO_BLK_S_IOERR, 0),
                }
            }
            VIRTIO_BLK_T_FLUSH => {
                if self.readonly || self.cache == CacheMode::Unsafe {
                    bump(&self.stats.flush_ops, 1);
                    return (VIRTIO_BLK_S_OK, 0);
                }
                match self.backend.flush() {
                    Ok(()) => {
                        bump(&self.stats.flush_ops, 1);
                        (VIRTIO_BLK_S_OK, 0)
                    }
                    Err(_) => (VIRTIO_BLK_S_IOERR, 0),
                }
            }
            VIRTIO_BLK_T_GET_ID => {
                let n = total(data_in).min(SERIAL_LEN as u64) as usize;
                if scatter(ram, data_in, &self.serial[..n]) {
                    (VIRTIO_BLK_S_OK, n as u64)
                } else {
                    (VIRTIO_BLK_S_IOERR, 0)
                }
            }
            VIRTIO_BLK_T_DISCARD | VIRTIO_BLK_T_WRITE_ZEROES => {
                let status = self.discard_or_zero(ram, req_type, &data_out);
                if status == VIRTIO_BLK_S_OK {
                    if req_type == VIRTIO_BLK_T_DISCARD {
                        bump(&self.stats.discard_ops, 1);
                    } else {
                        bump(&self.stats.write_zeroes_ops, 1);
                    }
                }
                (status, 0)
            }
            _ => (VIRTIO_BLK_S_UNSUPP, 0),
        }
    }

    fn discard_or_zero(&mut self, ram: &GuestRam, req_type: u32, data_out: &[Segment]) -> u8 {
        let len = total(data_out);
        if len == 0 || !len.is_multiple_of(16) || len / 16 > u64::from(MAX_DISCARD_SEG) {
            return VIRTIO_BLK_S_IOERR;
        }
        let mut raw = vec![0u8; len as usize];
        if !gather(ram, data_out, &mut raw) {
            return VIRTIO_BLK_S_IOERR;
        }
        // Check every segment before acting on any.
        let mut ranges = Vec::with_capacity(raw.len() / 16);
        for seg in raw.chunks_exact(16) {
            let sector = u64::from_le_bytes(seg[0..8].try_into().unwrap_or([0; 8]));
            let num = u32::from_le_bytes(seg[8..12].try_into().unwrap_or([0; 4]));
            let flags = u32::from_le_bytes(seg[12..16].try_into().unwrap_or([0; 4]));
            let allowed = if req_type == VIRTIO_BLK_T_WRITE_ZEROES {
                WRITE_ZEROES_FLAG_UNMAP
            } else {
                0
            };
            if flags & !allowed != 0 {
                return VIRTIO_BLK_S_UNSUPP;
            }
            if num > MAX_DISCARD_SECTORS || !self.range_ok(sector, u64::from(num) * SECTOR_SIZE) {
                return VIRTIO_BLK_S_IOERR;
            }
            ranges.push((sector, num, flags));
        }
        if self.readonly {
            return VIRTIO_BLK_S_IOERR;
        }
        for (sector, num, flags) in ranges {
            if num == 0 {
                continue;
            }
            let (off, bytes) = (sector * SECTOR_SIZE, u64::from(num) * SECTOR_SIZE);
            let r = if req_type == VIRTIO_BLK_T_DISCARD {
                self.backend.discard(off, bytes)
            } else {
                self.backend
                    .write_zeroes(off, bytes, flags & WRITE_ZEROES_FLAG_UNMAP != 0)
            };
            if r.is_err() {
                return VIRTIO_BLK_S_IOERR;
            }
        }
        VIRTIO_BLK_S_OK
    }

    /// The virtio-blk config space (`struct virtio_blk_config`, first 60
    /// bytes: up to `write_zeroes_may_unmap`).
    fn config(&self) -> [u8; 60] {
        let mut c = [0u8; 60];
        c[0..8].copy_from_slice(&self.capacity.to_le_bytes());
        // size_max (8) unused; seg_max:
        c[12..16].copy_from_slice(&SEG_MAX.to_le_bytes());
        // geometry (16..20) unused; blk_size:
        c[20..24].copy_from_slice(&(SECTOR_SIZE as u32).to_le_bytes());
        // topology (24..32), writeback (32), num_queues (34) unused.
        c[36..40].copy_from_slice(&MAX_DISCARD_SECTORS.to_le_bytes());
        c[40..44].copy_from_slice(&MAX_DISCARD_SEG.to_le_bytes());
        c[44..48].copy_from_slice(&self.discard_alignment.to_le_bytes());
        c[48..52].copy_from_slice(&MAX_DISCARD_SECTORS.to_le_bytes());
        c[52..56].copy_from_slice(&MAX_DISCARD_SEG.to_le_bytes());
        c[56] = 1; // write_zeroes_may_unmap
        c
    }
}

// ---- the device -----------------------------------------------------------

/// A virtio-blk device over one image.
///
/// Snapshot state ([`VirtioDevice::save_state`]): the capacity and
/// read-only-ness of the drive, so that a restore onto another image of
/// a different size (or writability) is refused. Counters
/// ([`VirtioDevice::metrics`]): `read_ops`, `read_bytes`, `write_ops`,
/// `write_bytes`, `flush_ops`, `discard_ops`, `write_zeroes_ops` (requests
/// that succeeded) and `errors` (requests answered with `IOERR` or
/// `UNSUPP`, or without a status byte).
pub struct Block {
    name: String,
    disk: Arc<Mutex<Disk>>,
    stats: Arc<BlockStats>,
    features: u64,
    config: [u8; 60],
    thread: Option<IoThread>,
}

impl Block {
    /// Open the image of `cfg` (refusing corrupt or truncated qcow2 images
    /// and images another VM holds).
    pub fn new(cfg: &DriveConfig) -> Result<Block, BlockError> {
        Ok(Block::from_disk(cfg.name(), Disk::open(cfg)?))
    }

    /// A device over an already open disk.
    pub fn from_disk(name: String, disk: Disk) -> Block {
        let mut features = VIRTIO_BLK_F_SEG_MAX | VIRTIO_BLK_F_BLK_SIZE | VIRTIO_BLK_F_FLUSH;
        if disk.readonly {
            features |= VIRTIO_BLK_F_RO;
        } else {
            features |= VIRTIO_BLK_F_DISCARD | VIRTIO_BLK_F_WRITE_ZEROES;
        }
        let config = disk.config();
        Block {
            name,
            stats: disk.stats.clone(),
            disk: Arc::new(Mutex::new(disk)),
            features,
            config,
            thread: None,
        }
    }

    /// Size in 512-byte sectors.
    pub fn capacity(&self) -> u64 {
        u64::from_le_bytes(self.config[0..8].try_into().unwrap_or([0; 8]))
    }

    /// The guest may not write.
    pub fn readonly(&self) -> bool {
        self.features & VIRTIO_BLK_F_RO != 0
    }
}

impl VirtioDevice for Block {
    fn device_type(&self) -> u32 {
        TYPE_BLOCK
    }

    fn queue_max_sizes(&self) -> &[u16] {
        &[QUEUE_SIZE]
    }

    fn device_features(&self) -> u64 {
        self.features
    }

    fn read_config(&self, offset: u64, data: &mut [u8]) {
        for (i, b) in data.iter_mut().enumerate() {
            *b = usize::try_from(offset)
                .ok()
                .and_then(|o| o.checked_add(i))
                .and_then(|o| self.config.get(o))
                .copied()
                .unwrap_or(0);
        }
    }

    fn activate(&mut self, ctx: ActivateContext) -> Result<(), ActivateError> {
        self.reset();
        let Some(mut queue) = ctx.queues.into_iter().next() else {
            return Err(ActivateError::BadConfig(
                "virtio-blk needs its request queue".into(),
            ));
        };
        let kick = queue.kick.as_raw_fd();
        let disk = self.disk.clone();
        let ram = ctx.ram;
        let irq: Interrupt = ctx.interrupt;
        let mut broken = false;
        let name: String = format!("blk {}", self.name).chars().take(15).collect();
        let thread = IoThread::spawn(&name, &[kick], move |_| {
            queue.clear_kick();
            if broken {
                return None;
            }
            let mut disk = disk.lock().unwrap_or_else(|e| e.into_inner());
            if queue
                .process(&ram, &irq, |chain| disk.handle_chain(&ram, chain))
                .is_err()
            {
                // The device is marked DEVICE_NEEDS_RESET; leave the
                // queue alone until the driver resets it.
                broken = true;
            }
            None
        })?;
        self.thread = Some(thread);
        Ok(())
    }

    fn reset(&mut self) {
        if let Some(mut t) = self.thread.take() {
            t.stop();
        }
    }

    fn save_state(&self) -> serde_json::Value {
        serde_json::json!({
            "capacity": self.capacity(),
            "readonly": self.readonly(),
        })
    }

    fn restore_state(&mut self, state: &serde_json::Value) -> Result<(), String> {
        let capacity = state.get("capacity").and_then(serde_json::Value::as_u64);
        let readonly = state.get("readonly").and_then(serde_json::Value::as_bool);
        let (Some(capacity), Some(readonly)) = (capacity, readonly) else {
            return Err(format!(
                "drive {}: the snapshot's drive state is malformed (expected \"capacity\" and \"readonly\")",
                self.name
            ));
        };
        if capacity != self.capacity() {
            return Err(format!(
                "drive {}: snapshot has {capacity} sectors, image has {}",
                self.name,
                self.capacity()
            ));
        }
        if readonly != self.readonly() {
            let what = |ro: bool| if ro { "read-only" } else { "writable" };
            return Err(format!(
                "drive {}: snapshot has a {} drive, this one is {}",
                self.name,
                what(readonly),
                what(self.readonly())
            ));
        }
        Ok(())
    }

    fn metrics(&self) -> Vec<(&'static str, u64)> {
        self.stats.list()
    }
}

impl Drop for Block {
    fn drop(&mut self) {
        self.reset();
        let mut disk = self.disk.lock().unwrap_or_else(|e| e.into_inner());
        if !disk.readonly {
            let _ = disk.flush();
        }
    }
}

/// Open a drive and box it as a device (for the board).
pub fn open_drive(cfg: &DriveConfig) -> Result<Box<dyn VirtioDevice>, BlockError> {
    Ok(Box::new(Block::new(cfg)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::{Interrupt, VirtQueue};
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use virtio_queue::{Queue, QueueT};
    use vmm_sys_util::eventfd::{EventFd, EFD_NONBLOCK};

    const RAM_BASE: u64 = 0x8000_0000;
    const RAM_SIZE: u64 = 0x10_0000;
    const DESC: u64 = RAM_BASE;
    const AVAIL: u64 = RAM_BASE + 0x1000;
    const USED: u64 = RAM_BASE + 0x2000;
    const DATA: u64 = RAM_BASE + 0x10000;
    const F_NEXT: u16 = 1;
    const F_WRITE: u16 = 2;
    const F_INDIRECT: u16 = 4;

    /// A scratch file removed on drop.
    struct TempFile(PathBuf);
    impl TempFile {
        fn new(contents: &[u8]) -> TempFile {
            static N: AtomicUsize = AtomicUsize::new(0);
            let p = std::env::temp_dir().join(format!(
                "vireo-blk-test-{}-{}",
                std::process::id(),
                N.fetch_add(1, Ordering::Relaxed)
            ));
            std::fs::write(&p, contents).unwrap();
            TempFile(p)
        }
    }
    impl Drop for TempFile {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    fn pattern(sectors: usize) -> Vec<u8> {
        (0..sectors * 512)
            .map(|i| (i / 512 + i % 251) as u8)
            .collect()
    }

    /// The driver side of one split virtqueue, written straight into RAM.
    struct Driver {
        ram: Arc<GuestRam>,
        size: u16,
        next_desc: u16,
        avail_idx: u16,
    }

    impl Driver {
        fn new(ram: Arc<GuestRam>, size: u16) -> Driver {
            Driver {
                ram,
                size,
                next_desc: 0,
                avail_idx: 0,
            }
        }

        fn queue(&self, event_idx: bool) -> VirtQueue {
            let mut q = Queue::new(self.size).unwrap();
            q.set_desc_table_address(Some(DESC as u32), Some((DESC >> 32) as u32));
            q.set_avail_ring_address(Some(AVAIL as u32), Some((AVAIL >> 32) as u32));
            q.set_used_ring_address(Some(USED as u32), Some((USED >> 32) as u32));
            q.set_event_idx(event_idx);
            q.set_ready(true);
            assert!(q.is_valid(self.ram.guest_memory()));
            VirtQueue {
                index: 0,
                queue: q,
                kick: EventFd::new(EFD_NONBLOCK).unwrap(),
            }
        }

        fn write_desc(&self, table: u64, i: u16, addr: u64, len: u32, flags: u16, next: u16) {
            let a = table + 16 * u64::from(i);
            self.ram.write_u64(a, addr).unwrap();
            self.ram.write_bytes(a + 8, &len.to_le_bytes()).unwrap();
            self.ram.write_bytes(a + 12, &flags.to_le_bytes()).unwrap();
            self.ram.write_bytes(a + 14, &next.to_le_bytes()).unwrap();
        }

        /// Chain `bufs` (addr, len, device-writable) and make it available.
        fn add(&mut self, bufs: &[(u64, u32, bool)]) -> u16 {
            let head = self.next_desc;
            for (k, &(addr, len, w)) in bufs.iter().enumerate() {
                let i = self.next_desc;
                let last = k + 1 == bufs.len();
                let flags = if w { F_WRITE } else { 0 } | if last { 0 } else { F_NEXT };
                self.write_desc(DESC, i, addr, len, flags, (i + 1) % self.size);
                self.next_desc = (i + 1) % self.size;
            }
            self.publish(head);
            head
        }

        fn publish(&mut self, head: u16) {
            let slot = AVAIL + 4 + 2 * u64::from(self.avail_idx % self.size);
            self.ram.write_bytes(slot, &head.to_le_bytes()).unwrap();
            self.avail_idx = self.avail_idx.wrapping_add(1);
            self.ram
                .write_bytes(AVAIL + 2, &self.avail_idx.to_le_bytes())
                .unwrap();
        }

        fn used_idx(&self) -> u16 {
            let mut b = [0u8; 2];
            self.ram.read_bytes(USED + 2, &mut b).unwrap();
            u16::from_le_bytes(b)
        }

        fn used(&self, i: u16) -> (u32, u32) {
            let a = USED + 4 + 8 * u64::from(i % self.size);
            let id = self.ram.read_u32(a).unwrap();
            let len = self.ram.read_u32(a + 4).unwrap();
            (id, len)
        }
    }

    fn header(ram: &GuestRam, at: u64, req_type: u32, sector: u64) {
        let mut h = [0u8; 16];
        h[0..4].copy_from_slice(&req_type.to_le_bytes());
        h[8..16].copy_from_slice(&sector.to_le_bytes());
        ram.write_bytes(at, &h).unwrap();
    }

    fn byte(ram: &GuestRam, at: u64) -> u8 {
        let mut b = [0u8];
        ram.read_bytes(at, &mut b).unwrap();
        b[0]
    }

    struct Rig {
        ram: Arc<GuestRam>,
        disk: Disk,
        drv: Driver,
        q: VirtQueue,
        irq: Interrupt,
        line: Arc<AtomicBool>,
    }

    impl Rig {
        fn new(cfg: &DriveConfig) -> Rig {
            let ram = Arc::new(GuestRam::new(RAM_BASE, RAM_SIZE).unwrap());
            let drv = Driver::new(ram.clone(), 16);
            let q = drv.queue(false);
            let line = Arc::new(AtomicBool::new(false));
            let l = line.clone();
            Rig {
                disk: Disk::open(cfg).unwrap(),
                ram,
                drv,
                q,
                irq: Interrupt::new(Box::new(move |v| l.store(v, Ordering::SeqCst))),
                line,
            }
        }

        fn run(&mut self) -> Result<(), crate::device::QueueError> {
            let (disk, ram) = (&mut self.disk, &self.ram);
            self.q
                .process(ram, &self.irq, |c| disk.handle_chain(ram, c))
        }

        /// Submit one request and return (status, used length).
        fn request(&mut self, bufs: &[(u64, u32, bool)]) -> (u8, u32) {
            let before = self.drv.used_idx();
            let head = self.drv.add(bufs);
            self.run().unwrap();
            assert_eq!(self.drv.used_idx(), before.wrapping_add(1));
            let (id, len) = self.drv.used(before);
            assert_eq!(id, u32::from(head));
            let &(addr, l, _) = bufs.last().unwrap();
            (byte(&self.ram, addr + u64::from(l) - 1), len)
        }
    }

    const HDR: u64 = DATA;
    const STATUS: u64 = DATA + 0x100;
    const BUF: u64 = DATA + 0x1000;

    #[test]
    fn reads_sectors_into_guest_memory() {
        let data = pattern(64);
        let img = TempFile::new(&data);
        let mut rig = Rig::new(&DriveConfig::new(&img.0));
        header(&rig.ram, HDR, VIRTIO_BLK_T_IN, 3);
        // Data split over two buffers of odd sizes; status on its own.
        let (status, len) = rig.request(&[
            (HDR, 16, false),
            (BUF, 700, true),
            (BUF + 0x2000, 324, true),
            (STATUS, 1, true),
        ]);
        assert_eq!(status, VIRTIO_BLK_S_OK);
        assert_eq!(len, 1025);
        let mut got = vec![0u8; 1024];
        rig.ram.read_bytes(BUF, &mut got[..700]).unwrap();
        rig.ram.read_bytes(BUF + 0x2000, &mut got[700..]).unwrap();
        assert_eq!(got, data[3 * 512..5 * 512]);
        assert!(rig.line.load(Ordering::SeqCst), "used-buffer interrupt");
    }

    #[test]
    fn any_layout_header_and_status_inside_data_buffers() {
        let data = pattern(8);
        let img = TempFile::new(&data);
        let mut rig = Rig::new(&DriveConfig::new(&img.0));
        // Header split 10 + 6; data and status share one writable buffer.
        let mut h = [0u8; 16];
        h[8] = 1;
        rig.ram.write_bytes(HDR, &h[..10]).unwrap();
        rig.ram.write_bytes(HDR + 0x40, &h[10..]).unwrap();
        let (status, len) =
            rig.request(&[(HDR, 10, false), (HDR + 0x40, 6, false), (BUF, 513, true)]);
        assert_eq!((status, len), (VIRTIO_BLK_S_OK, 513));
        let mut got = vec![0u8; 512];
        rig.ram.read_bytes(BUF, &mut got).unwrap();
        assert_eq!(got, data[512..1024]);
    }

    #[test]
    fn writes_reach_the_file_and_flush_succeeds() {
        let img = TempFile::new(&pattern(16));
        let mut rig = Rig::new(&DriveConfig::new(&img.0));
        header(&rig.ram, HDR, VIRTIO_BLK_T_OUT, 2);
        rig.ram.write_bytes(BUF, &[0xab; 1024]).unwrap();
        let (status, len) = rig.request(&[(HDR, 16, false), (BUF, 1024, false), (STATUS, 1, true)]);
        assert_eq!((status, len), (VIRTIO_BLK_S_OK, 1));
        header(&rig.ram, HDR, VIRTIO_BLK_T_FLUSH, 0);
        assert_eq!(
            rig.request(&[(HDR, 16, false), (STATUS, 1, true)]).0,
            VIRTIO_BLK_S_OK
        );
        let file = std::fs::read(&img.0).unwrap();
        assert!(file[1024..2048].iter().all(|&b| b == 0xab));
        assert_eq!(file[..1024], pattern(16)[..1024]);
    }

    #[test]
    fn cache_none_reads_and_writes_aligned_and_unaligned() {
        let data = pattern(64);
        let img = TempFile::new(&data);
        let mut cfg = DriveConfig::new(&img.0);
        cfg.cache = CacheMode::None;
        cfg.format = Some(ImageFormat::Raw);
        let mut rig = Rig::new(&cfg);
        // Page-aligned buffer and offset: the O_DIRECT file.
        header(&rig.ram, HDR, VIRTIO_BLK_T_OUT, 8);
        rig.ram.write_bytes(BUF, &[0x11; 8192]).unwrap();
        let (status, _) = rig.request(&[(HDR, 16, false), (BUF, 8192, false), (STATUS, 1, true)]);
        assert_eq!(status, VIRTIO_BLK_S_OK);
        // Unaligned buffer and offset: the buffered file.
        header(&rig.ram, HDR, VIRTIO_BLK_T_OUT, 3);
        rig.ram.write_bytes(BUF + 0x200, &[0x22; 512]).unwrap();
        let (status, _) = rig.request(&[
            (HDR, 16, false),
            (BUF + 0x200, 512, false),
            (STATUS, 1, true),
        ]);
        assert_eq!(status, VIRTIO_BLK_S_OK);
        for (sector, addr, len) in [(8u64, BUF, 8192u32), (2, BUF + 0x4200, 1024)] {
            header(&rig.ram, HDR, VIRTIO_BLK_T_IN, sector);
            let (status, _) =
                rig.request(&[(HDR, 16, false), (addr, len, true), (STATUS, 1, true)]);
            assert_eq!(status, VIRTIO_BLK_S_OK);
        }
        let mut got = vec![0u8; 8192];
        rig.ram.read_bytes(BUF, &mut got).unwrap();
        assert!(got.iter().all(|&b| b == 0x11));
        rig.ram.read_bytes(BUF + 0x4200, &mut got[..1024]).unwrap();
        assert_eq!(got[..512], data[1024..1536]);
        assert!(got[512..1024].iter().all(|&b| b == 0x22));
        header(&rig.ram, HDR, VIRTIO_BLK_T_FLUSH, 0);
        assert_eq!(
            rig.request(&[(HDR, 16, false), (STATUS, 1, true)]).0,
            VIRTIO_BLK_S_OK
        );
        drop(rig);
        let file = std::fs::read(&img.0).unwrap();
        assert!(file[8 * 512..24 * 512].iter().all(|&b| b == 0x11));
        assert!(file[3 * 512..4 * 512].iter().all(|&b| b == 0x22));
    }

    #[test]
    fn get_id_returns_the_serial() {
        let img = TempFile::new(&pattern(1));
        let mut cfg = DriveConfig::new(&img.0);
        cfg.serial = Some("vireo-disk-7".into());
        let mut rig = Rig::new(&cfg);
        header(&rig.ram, HDR, VIRTIO_BLK_T_GET_ID, 0);
        let (status, len) = rig.request(&[(HDR, 16, false), (BUF, 20, true), (STATUS, 1, true)]);
        assert_eq!((status, len), (VIRTIO_BLK_S_OK, 21));
        let mut id = [0u8; 20];
        rig.ram.read_bytes(BUF, &mut id).unwrap();
        assert_eq!(&id[..12], b"vireo-disk-7");
        assert!(id[12..].iter().all(|&b| b == 0));
    }

    #[test]
    fn bad_requests_get_ioerr_or_unsupp() {
        let img = TempFile::new(&pattern(8));
        let mut rig = Rig::new(&DriveConfig::new(&img.0));
        let cases: &[(u32, u64, u32, u8)] = &[
            (VIRTIO_BLK_T_IN, 7, 1024, VIRTIO_BLK_S_IOERR), // past the end
            (VIRTIO_BLK_T_IN, u64::MAX, 512, VIRTIO_BLK_S_IOERR), // overflow
            (VIRTIO_BLK_T_IN, 0, 100, VIRTIO_BLK_S_IOERR),  // not whole sectors
            (VIRTIO_BLK_T_OUT, 8, 512, VIRTIO_BLK_S_IOERR),
            (10, 0, 16, VIRTIO_BLK_S_UNSUPP), // GET_LIFETIME
            (0xdead, 0, 16, VIRTIO_BLK_S_UNSUPP),
        ];
        for &(t, sector, len, want) in cases {
            header(&rig.ram, HDR, t, sector);
            let w = t != VIRTIO_BLK_T_OUT;
            let (status, _) = rig.request(&[(HDR, 16, false), (BUF, len, w), (STATUS, 1, true)]);
            assert_eq!(status, want, "type {t} sector {sector} len {len}");
        }
        // Data outside RAM.
        header(&rig.ram, HDR, VIRTIO_BLK_T_IN, 0);
        let (status, _) = rig.request(&[(HDR, 16, false), (0x1000, 512, true), (STATUS, 1, true)]);
        assert_eq!(status, VIRTIO_BLK_S_IOERR);
        header(&rig.ram, HDR, VIRTIO_BLK_T_IN, 0);
        let (status, _) = rig.request(&[
            (HDR, 16, false),
            (RAM_BASE + RAM_SIZE - 256, 512, true),
            (STATUS, 1, true),
        ]);
        assert_eq!(status, VIRTIO_BLK_S_IOERR);
        // A short header.
        let (status, _) = rig.request(&[(HDR, 8, false), (STATUS, 1, true)]);
        assert_eq!(status, VIRTIO_BLK_S_IOERR);
        // No writable byte at all: completed with length 0, nothing written.
        header(&rig.ram, HDR, VIRTIO_BLK_T_IN, 0);
        let before = rig.drv.used_idx();
        rig.drv.add(&[(HDR, 16, false)]);
        rig.run().unwrap();
        assert_eq!(rig.drv.used(before).1, 0);
    }

    #[test]
    fn read_only_drives_refuse_writes() {
        let data = pattern(8);
        let img = TempFile::new(&data);
        let mut cfg = DriveConfig::new(&img.0);
        cfg.readonly = true;
        let mut rig = Rig::new(&cfg);
        header(&rig.ram, HDR, VIRTIO_BLK_T_OUT, 0);
        rig.ram.write_bytes(BUF, &[0; 512]).unwrap();
        let (status, _) = rig.request(&[(HDR, 16, false), (BUF, 512, false), (STATUS, 1, true)]);
        assert_eq!(status, VIRTIO_BLK_S_IOERR);
        header(&rig.ram, HDR, VIRTIO_BLK_T_WRITE_ZEROES, 0);
        rig.ram
            .write_bytes(BUF, &[0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0])
            .unwrap();
        let (status, _) = rig.request(&[(HDR, 16, false), (BUF, 16, false), (STATUS, 1, true)]);
        assert_eq!(status, VIRTIO_BLK_S_IOERR);
        header(&rig.ram, HDR, VIRTIO_BLK_T_FLUSH, 0);
        assert_eq!(
            rig.request(&[(HDR, 16, false), (STATUS, 1, true)]).0,
            VIRTIO_BLK_S_OK
        );
        assert_eq!(std::fs::read(&img.0).unwrap(), data);
        let dev = Block::new(&cfg).unwrap();
        assert_ne!(dev.device_features() & VIRTIO_BLK_F_RO, 0);
        assert_eq!(dev.device_features() & VIRTIO_BLK_F_DISCARD, 0);
    }

    fn segment(sector: u64, num: u32, flags: u32) -> [u8; 16] {
        let mut s = [0u8; 16];
        s[0..8].copy_from_slice(&sector.to_le_bytes());
        s[8..12].copy_from_slice(&num.to_le_bytes());
        s[12..16].copy_from_slice(&flags.to_le_bytes());
        s
    }

    #[test]
    fn write_zeroes_and_discard() {
        let img = TempFile::new(&pattern(64));
        let mut rig = Rig::new(&DriveConfig::new(&img.0));
        for (t, flags) in [
            (VIRTIO_BLK_T_WRITE_ZEROES, 0),
            (VIRTIO_BLK_T_WRITE_ZEROES, 1),
        ] {
            header(&rig.ram, HDR, t, 0);
            let mut segs = segment(4 + u64::from(flags) * 8, 4, flags).to_vec();
            segs.extend_from_slice(&segment(40, 1, flags));
            rig.ram.write_bytes(BUF, &segs).unwrap();
            let (status, _) = rig.request(&[(HDR, 16, false), (BUF, 32, false), (STATUS, 1, true)]);
            assert_eq!(status, VIRTIO_BLK_S_OK);
        }
        let file = std::fs::read(&img.0).unwrap();
        let zero = |s: usize, n: usize| file[s * 512..(s + n) * 512].iter().all(|&b| b == 0);
        assert!(zero(4, 4) && zero(12, 4) && zero(40, 1));
        assert_eq!(file[8 * 512..12 * 512], pattern(64)[8 * 512..12 * 512]);
        // Discard: accepted; unknown flags are UNSUPP; out of range IOERR.
        for (seg, want) in [
            (segment(0, 8, 0), VIRTIO_BLK_S_OK),
            (segment(0, 8, 1), VIRTIO_BLK_S_UNSUPP),
            (segment(60, 8, 0), VIRTIO_BLK_S_IOERR),
        ] {
            header(&rig.ram, HDR, VIRTIO_BLK_T_DISCARD, 0);
            rig.ram.write_bytes(BUF, &seg).unwrap();
            let (status, _) = rig.request(&[(HDR, 16, false), (BUF, 16, false), (STATUS, 1, true)]);
            assert_eq!(status, want);
        }
        assert_eq!(
            std::fs::metadata(&img.0).unwrap().len(),
            64 * 512,
            "size kept"
        );
    }

    #[test]
    fn indirect_descriptors() {
        let data = pattern(4);
        let img = TempFile::new(&data);
        let mut rig = Rig::new(&DriveConfig::new(&img.0));
        header(&rig.ram, HDR, VIRTIO_BLK_T_IN, 1);
        let table = DATA + 0x8000;
        rig.drv.write_desc(table, 0, HDR, 16, F_NEXT, 1);
        rig.drv.write_desc(table, 1, BUF, 512, F_NEXT | F_WRITE, 2);
        rig.drv.write_desc(table, 2, STATUS, 1, F_WRITE, 0);
        rig.drv.write_desc(DESC, 0, table, 48, F_INDIRECT, 0);
        rig.drv.publish(0);
        rig.run().unwrap();
        assert_eq!(rig.drv.used(0), (0, 513));
        assert_eq!(byte(&rig.ram, STATUS), VIRTIO_BLK_S_OK);
        let mut got = vec![0u8; 512];
        rig.ram.read_bytes(BUF, &mut got).unwrap();
        assert_eq!(got, data[512..1024]);
    }

    #[test]
    fn descriptor_loops_end() {
        let img = TempFile::new(&pattern(4));
        let mut rig = Rig::new(&DriveConfig::new(&img.0));
        header(&rig.ram, HDR, VIRTIO_BLK_T_IN, 0);
        rig.drv.write_desc(DESC, 0, HDR, 16, F_NEXT, 1);
        rig.drv.write_desc(DESC, 1, BUF, 512, F_NEXT | F_WRITE, 0);
        rig.drv.publish(0);
        // An indirect table that points at itself.
        let table = DATA + 0x8000;
        rig.drv.write_desc(table, 0, table, 16, F_NEXT, 0);
        rig.drv.write_desc(DESC, 2, table, 16, F_INDIRECT, 0);
        rig.drv.publish(2);
        rig.run().unwrap();
        assert_eq!(rig.drv.used_idx(), 2, "both chains completed (as errors)");
    }

    #[test]
    fn a_runaway_avail_index_marks_the_device_broken() {
        let img = TempFile::new(&pattern(4));
        let mut rig = Rig::new(&DriveConfig::new(&img.0));
        rig.ram
            .write_bytes(AVAIL + 2, &1000u16.to_le_bytes())
            .unwrap();
        assert!(rig.run().is_err());
        assert!(rig.irq.needs_reset());
        assert!(rig.line.load(Ordering::SeqCst), "config-change interrupt");
    }

    #[test]
    fn event_idx_suppresses_interrupts_until_used_event() {
        let img = TempFile::new(&pattern(4));
        let mut rig = Rig::new(&DriveConfig::new(&img.0));
        rig.q = rig.drv.queue(true);
        // used_event (after the avail ring) = 1: interrupt only once the
        // second buffer is used.
        rig.ram
            .write_bytes(AVAIL + 4 + 2 * 16, &1u16.to_le_bytes())
            .unwrap();
        header(&rig.ram, HDR, VIRTIO_BLK_T_FLUSH, 0);
        rig.request(&[(HDR, 16, false), (STATUS, 1, true)]);
        assert!(!rig.line.load(Ordering::SeqCst));
        rig.request(&[(HDR, 16, false), (STATUS, 1, true)]);
        assert!(rig.line.load(Ordering::SeqCst));
    }

    #[test]
    fn probed_raw_images_cannot_become_qcow2() {
        let img = TempFile::new(&pattern(4));
        let mut rig = Rig::new(&DriveConfig::new(&img.0));
        header(&rig.ram, HDR, VIRTIO_BLK_T_OUT, 0);
        rig.ram.write_bytes(BUF, &QCOW2_MAGIC).unwrap();
        let (status, _) = rig.request(&[(HDR, 16, false), (BUF, 512, false), (STATUS, 1, true)]);
        assert_eq!(status, VIRTIO_BLK_S_IOERR);
        // With an explicit format=raw the guest owns every byte.
        drop(rig);
        let mut cfg = DriveConfig::new(&img.0);
        cfg.format = Some(ImageFormat::Raw);
        let mut rig = Rig::new(&cfg);
        header(&rig.ram, HDR, VIRTIO_BLK_T_OUT, 0);
        rig.ram.write_bytes(BUF, &QCOW2_MAGIC).unwrap();
        let (status, _) = rig.request(&[(HDR, 16, false), (BUF, 512, false), (STATUS, 1, true)]);
        assert_eq!(status, VIRTIO_BLK_S_OK);
    }

    #[test]
    fn config_space_describes_the_disk() {
        let img = TempFile::new(&pattern(10));
        let dev = Block::new(&DriveConfig::new(&img.0)).unwrap();
        let mut c = [0u8; 8];
        dev.read_config(0, &mut c);
        assert_eq!(u64::from_le_bytes(c), 10);
        let mut b = [0u8; 4];
        dev.read_config(20, &mut b);
        assert_eq!(u32::from_le_bytes(b), 512);
        dev.read_config(12, &mut b);
        assert_eq!(u32::from_le_bytes(b), SEG_MAX);
        dev.read_config(1 << 40, &mut b);
        assert_eq!(b, [0; 4]);
        dev.read_config(u64::MAX, &mut b);
        assert_eq!(b, [0; 4]);
        let f = dev.device_features();
        for bit in [
            VIRTIO_BLK_F_FLUSH,
            VIRTIO_BLK_F_DISCARD,
            VIRTIO_BLK_F_WRITE_ZEROES,
            VIRTIO_BLK_F_BLK_SIZE,
            VIRTIO_BLK_F_SEG_MAX,
        ] {
            assert_ne!(f & bit, 0);
        }
        assert_eq!(f & VIRTIO_BLK_F_RO, 0);
    }

    #[test]
    fn two_writers_cannot_share_an_image() {
        let img = TempFile::new(&pattern(1));
        let _first = Disk::open(&DriveConfig::new(&img.0)).unwrap();
        let e = Disk::open(&DriveConfig::new(&img.0)).unwrap_err();
        assert!(matches!(e, BlockError::Locked { .. }), "{e}");
    }

    #[test]
    fn drive_specs_parse() {
        let d = DriveConfig::parse(
            "file=/a,,b.img,format=qcow2,readonly=on,cache=unsafe,serial=S1,id=root",
        )
        .unwrap();
        assert_eq!(d.path, PathBuf::from("/a,b.img"));
        assert_eq!(d.format, Some(ImageFormat::Qcow2));
        assert!(d.readonly);
        assert_eq!(d.cache, CacheMode::Unsafe);
        assert_eq!(d.serial.as_deref(), Some("S1"));
        assert_eq!(d.id.as_deref(), Some("root"));
        assert_eq!(
            DriveConfig::parse("disk.img").unwrap(),
            DriveConfig::new("disk.img")
        );
        for bad in [
            "",
            "format=raw",
            "file=x,format=vmdk",
            "file=x,readonly=maybe",
            "file=x,cache=directsync",
            "file=x,serial=123456789012345678901",
            "file=x,bogus=1",
            "file=x,junk",
        ] {
            assert!(DriveConfig::parse(bad).is_err(), "{bad:?} must be refused");
        }
    }

    fn qemu_img() -> bool {
        std::process::Command::new("qemu-img")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    }

    #[test]
    fn qcow2_overlay_over_raw_base() {
        if !qemu_img() {
            eprintln!("skipped: qemu-img is not installed (Debian package qemu-utils)");
            return;
        }
        let data = pattern(2048);
        let base = TempFile::new(&data);
        let overlay = TempFile::new(b"");
        let out = std::process::Command::new("qemu-img")
            .args(["create", "-q", "-f", "qcow2", "-F", "raw", "-b"])
            .arg(&base.0)
            .arg(&overlay.0)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        {
            let mut rig = Rig::new(&DriveConfig::new(&overlay.0));
            assert_eq!(rig.disk.capacity(), 2048);
            // Read through to the base.
            header(&rig.ram, HDR, VIRTIO_BLK_T_IN, 1000);
            let (status, _) =
                rig.request(&[(HDR, 16, false), (BUF, 1024, true), (STATUS, 1, true)]);
            assert_eq!(status, VIRTIO_BLK_S_OK);
            let mut got = vec![0u8; 1024];
            rig.ram.read_bytes(BUF, &mut got).unwrap();
            assert_eq!(got, data[1000 * 512..1002 * 512]);
            // Write, zero, discard, flush.
            header(&rig.ram, HDR, VIRTIO_BLK_T_OUT, 1001);
            rig.ram.write_bytes(BUF, &[0x5a; 1536]).unwrap();
            let (status, _) =
                rig.request(&[(HDR, 16, false), (BUF, 1536, false), (STATUS, 1, true)]);
            assert_eq!(status, VIRTIO_BLK_S_OK);
            header(&rig.ram, HDR, VIRTIO_BLK_T_WRITE_ZEROES, 0);
            rig.ram.write_bytes(BUF, &segment(256, 256, 1)).unwrap();
            let (status, _) = rig.request(&[(HDR, 16, false), (BUF, 16, false), (STATUS, 1, true)]);
            assert_eq!(status, VIRTIO_BLK_S_OK);
            header(&rig.ram, HDR, VIRTIO_BLK_T_FLUSH, 0);
            assert_eq!(
                rig.request(&[(HDR, 16, false), (STATUS, 1, true)]).0,
                VIRTIO_BLK_S_OK
            );
        }
        let check = std::process::Command::new("qemu-img")
            .arg("check")
            .arg(&overlay.0)
            .output()
            .unwrap();
        assert!(
            check.status.success(),
            "qemu-img check: {}",
            String::from_utf8_lossy(&check.stdout)
        );
        // The base is untouched; the overlay holds the new data.
        assert_eq!(std::fs::read(&base.0).unwrap(), data);
        let mut rig = Rig::new(&DriveConfig::new(&overlay.0));
        header(&rig.ram, HDR, VIRTIO_BLK_T_IN, 1000);
        rig.request(&[(HDR, 16, false), (BUF, 2048, true), (STATUS, 1, true)]);
        let mut got = vec![0u8; 2048];
        rig.ram.read_bytes(BUF, &mut got).unwrap();
        assert_eq!(got[..512], data[1000 * 512..1001 * 512]);
        assert!(got[512..].iter().all(|&b| b == 0x5a));
        header(&rig.ram, HDR, VIRTIO_BLK_T_IN, 300);
        rig.request(&[(HDR, 16, false), (BUF, 512, true), (STATUS, 1, true)]);
        rig.ram.read_bytes(BUF, &mut got[..512]).unwrap();
        assert!(got[..512].iter().all(|&b| b == 0), "zeroed over the base");
    }

    #[test]
    fn damaged_qcow2_images_are_refused_at_open() {
        if !qemu_img() {
            eprintln!("skipped: qemu-img is not installed (Debian package qemu-utils)");
            return;
        }
        let img = TempFile::new(b"");
        let out = std::process::Command::new("qemu-img")
            .args(["create", "-q", "-f", "qcow2"])
            .arg(&img.0)
            .arg("64M")
            .output()
            .unwrap();
        assert!(out.status.success());
        // Put some data in so there is an L2 table.
        let out = std::process::Command::new("qemu-io")
            .args(["-c", "write -P 7 32M 64k"])
            .arg(&img.0)
            .output();
        let good = std::fs::read(&img.0).unwrap();
        let open = |bytes: &[u8]| {
            let f = TempFile::new(bytes);
            let mut cfg = DriveConfig::new(&f.0);
            cfg.format = Some(ImageFormat::Qcow2);
            Disk::open(&cfg).map(|_| ()).map_err(|e| e.to_string())
        };
        open(&good).unwrap();
        if out.is_ok_and(|o| o.status.success()) {
            let e = open(&good[..good.len() - 4096]).unwrap_err();
            assert!(e.contains("truncated"), "{e}");
        }
        let e = open(&good[..100]).unwrap_err();
        assert!(e.contains("truncated") || e.contains("beyond"), "{e}");
        let mut bad = good.clone();
        bad[0] = b'X';
        assert!(open(&bad).unwrap_err().contains("magic"));
        let mut bad = good.clone();
        bad[20..24].copy_from_slice(&40u32.to_be_bytes());
        assert!(open(&bad).unwrap_err().contains("cluster_bits"));
        let mut bad = good.clone();
        bad[40..48].copy_from_slice(&(1u64 << 50).to_be_bytes());
        assert!(open(&bad).unwrap_err().contains("L1 table"));
        let mut bad = good;
        bad[79] |= 2;
        assert!(open(&bad).unwrap_err().contains("corrupt"));
    }

    fn irq_line() -> (Arc<AtomicBool>, vireo_devices::IrqLine) {
        let line = Arc::new(AtomicBool::new(false));
        let l = line.clone();
        (line, Box::new(move |v| l.store(v, Ordering::SeqCst)))
    }

    /// A transport over a new `Block` on `cfg`, started by a driver with
    /// one 16-entry queue at DESC/AVAIL/USED (EVENT_IDX accepted).
    fn start_transport(
        ram: &Arc<GuestRam>,
        cfg: &DriveConfig,
    ) -> (crate::VirtioMmio, Arc<AtomicBool>) {
        use vireo_memory::MmioDevice;
        let (line, irq) = irq_line();
        let mmio =
            crate::VirtioMmio::new(Box::new(Block::new(cfg).unwrap()), ram.clone(), irq).unwrap();
        let w = |off: u64, v: u64| mmio.write(off, 4, v);
        w(0x70, 1);
        w(0x70, 3);
        w(0x24, 0);
        w(0x20, 1 << 29); // EVENT_IDX
        w(0x24, 1);
        w(0x20, 1); // VERSION_1
        w(0x70, 11);
        w(0x30, 0);
        w(0x38, 16);
        w(0x80, DESC & 0xffff_ffff);
        w(0x84, DESC >> 32);
        w(0x90, AVAIL & 0xffff_ffff);
        w(0x94, AVAIL >> 32);
        w(0xa0, USED & 0xffff_ffff);
        w(0xa4, USED >> 32);
        w(0x44, 1);
        w(0x70, 15);
        assert_eq!(mmio.read(0x70, 4), 15);
        (mmio, line)
    }

    fn notify(mmio: &crate::VirtioMmio) {
        use vireo_memory::MmioDevice;
        mmio.write(0x50, 4, 0);
    }

    fn wait_used(drv: &Driver, n: u16) {
        let t0 = std::time::Instant::now();
        while drv.used_idx() != n {
            assert!(
                t0.elapsed().as_secs() < 10,
                "the I/O thread did not answer (used idx {}, want {n})",
                drv.used_idx()
            );
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    }

    /// Read `sectors` sectors at `sector` into a buffer of its own.
    fn add_read(drv: &mut Driver, slot: u64, sector: u64, sectors: u32) -> u16 {
        let (hdr, buf, status) = (HDR + 0x20 * slot, BUF + 0x2000 * slot, STATUS + slot);
        header(&drv.ram, hdr, VIRTIO_BLK_T_IN, sector);
        drv.ram.write_bytes(status, &[0xff]).unwrap();
        drv.add(&[
            (hdr, 16, false),
            (buf, 512 * sectors, true),
            (status, 1, true),
        ])
    }

    fn read_back(ram: &GuestRam, slot: u64, len: usize) -> Vec<u8> {
        let mut got = vec![0u8; len];
        ram.read_bytes(BUF + 0x2000 * slot, &mut got).unwrap();
        got
    }

    fn metric(m: &[(&'static str, u64)], name: &str) -> u64 {
        m.iter().find(|(n, _)| *n == name).map(|&(_, v)| v).unwrap()
    }

    #[test]
    fn snapshot_and_restore_continue_the_ring_without_replay_or_loss() {
        use vireo_memory::MmioDevice;
        let data = pattern(64);
        let img = TempFile::new(&data);
        let cfg = DriveConfig::new(&img.0);
        let ram = Arc::new(GuestRam::new(RAM_BASE, RAM_SIZE).unwrap());
        let mut drv = Driver::new(ram.clone(), 16);

        // Before: three reads and a write, served by the first process.
        let (a, _) = start_transport(&ram, &cfg);
        let mut heads = Vec::new();
        for slot in 0..3 {
            heads.push(add_read(&mut drv, slot, 2 * slot, 1));
        }
        notify(&a);
        wait_used(&drv, 3);
        header(&ram, HDR + 0x80, VIRTIO_BLK_T_OUT, 10);
        ram.write_bytes(BUF + 0x10000, &[0x77; 512]).unwrap();
        heads.push(drv.add(&[
            (HDR + 0x80, 16, false),
            (BUF + 0x10000, 512, false),
            (STATUS + 8, 1, true),
        ]));
        notify(&a);
        wait_used(&drv, 4);
        a.pause();
        let json = serde_json::to_string(&a.save()).unwrap();
        let a_metrics = a.metrics();
        drop(a);

        // A new process: the same image and guest memory, a fresh device.
        let snap: crate::VirtioMmioSnapshot = serde_json::from_str(&json).unwrap();
        let (line, irq) = irq_line();
        let b =
            crate::VirtioMmio::new(Box::new(Block::new(&cfg).unwrap()), ram.clone(), irq).unwrap();
        b.restore(&snap).unwrap();
        assert_eq!(b.read(0x70, 4), 15, "DRIVER_OK as before");
        assert_eq!(b.read(0x60, 4), 1, "the unacknowledged interrupt");
        assert!(line.load(Ordering::SeqCst));
        b.resume();
        std::thread::sleep(std::time::Duration::from_millis(50));
        assert_eq!(drv.used_idx(), 4, "nothing replayed");

        // After: more requests on the same ring.
        heads.push(add_read(&mut drv, 4, 10, 1));
        heads.push(add_read(&mut drv, 5, 60, 4));
        notify(&b);
        wait_used(&drv, 6);
        std::thread::sleep(std::time::Duration::from_millis(50));

        assert_eq!(drv.used_idx(), 6, "each request served once");
        for (i, &head) in heads.iter().enumerate() {
            assert_eq!(drv.used(i as u16).0, u32::from(head), "used entry {i}");
        }
        for slot in 0..3u64 {
            let s = 2 * slot as usize;
            assert_eq!(read_back(&ram, slot, 512), data[s * 512..(s + 1) * 512]);
        }
        assert_eq!(byte(&ram, STATUS + 8), VIRTIO_BLK_S_OK);
        assert_eq!(read_back(&ram, 4, 512), vec![0x77; 512], "the write");
        assert_eq!(read_back(&ram, 5, 2048), data[60 * 512..]);
        for slot in [4, 5] {
            assert_eq!(byte(&ram, STATUS + slot), VIRTIO_BLK_S_OK);
        }
        assert_eq!(drv.used(5).1, 2049);
        assert_eq!(metric(&a_metrics, "read_ops"), 3);
        assert_eq!(metric(&a_metrics, "write_ops"), 1);
        let m = b.metrics();
        assert_eq!(metric(&m, "read_ops"), 2);
        assert_eq!(metric(&m, "read_bytes"), 5 * 512);
        assert_eq!(metric(&m, "write_ops"), 0);
    }

    #[test]
    fn work_made_available_while_paused_is_served_after_resume() {
        let data = pattern(16);
        let img = TempFile::new(&data);
        let ram = Arc::new(GuestRam::new(RAM_BASE, RAM_SIZE).unwrap());
        let mut drv = Driver::new(ram.clone(), 16);
        let (mmio, _) = start_transport(&ram, &DriveConfig::new(&img.0));
        add_read(&mut drv, 0, 1, 1);
        notify(&mmio);
        wait_used(&drv, 1);

        mmio.pause();
        // One request notified while paused, one never notified.
        add_read(&mut drv, 1, 2, 1);
        notify(&mmio);
        add_read(&mut drv, 2, 3, 1);
        std::thread::sleep(std::time::Duration::from_millis(100));
        let while_paused = drv.used_idx();
        mmio.resume();
        wait_used(&drv, 3);

        assert_eq!(while_paused, 1, "nothing is served while paused");
        for slot in 1..3u64 {
            let s = slot as usize + 1;
            assert_eq!(byte(&ram, STATUS + slot), VIRTIO_BLK_S_OK);
            assert_eq!(read_back(&ram, slot, 512), data[s * 512..(s + 1) * 512]);
        }
        // And the device keeps working.
        add_read(&mut drv, 3, 0, 1);
        notify(&mmio);
        wait_used(&drv, 4);
    }

    #[test]
    fn restore_refuses_a_drive_of_another_size_or_writability() {
        let big = TempFile::new(&pattern(64));
        let small = TempFile::new(&pattern(32));
        let ram = Arc::new(GuestRam::new(RAM_BASE, RAM_SIZE).unwrap());
        let snap = {
            let (a, _) = start_transport(&ram, &DriveConfig::new(&big.0));
            a.pause();
            a.save()
        };
        let mut cfg = DriveConfig::new(&small.0);
        cfg.id = Some("vda".into());
        let (_, irq) = irq_line();
        let b =
            crate::VirtioMmio::new(Box::new(Block::new(&cfg).unwrap()), ram.clone(), irq).unwrap();
        let before = b.save();

        let err = b.restore(&snap).unwrap_err().to_string();

        assert!(
            err.contains("drive vda (") && err.contains("snapshot has 64 sectors, image has 32"),
            "{err}"
        );
        assert_eq!(b.save(), before, "the transport is unchanged");
        assert!(!b.is_paused());
        drop(b);

        // A read-only drive for a writable one: the device says so...
        let mut ro = DriveConfig::new(&big.0);
        ro.readonly = true;
        let mut dev = Block::new(&ro).unwrap();
        let err = dev.restore_state(&snap.device).unwrap_err();
        assert!(
            err.contains("snapshot has a writable drive, this one is read-only"),
            "{err}"
        );
        assert!(dev.restore_state(&serde_json::json!({})).is_err());
        assert!(dev.restore_state(&serde_json::Value::Null).is_err());
        drop(dev);
        // ...and so does the transport (this driver accepted no
        // drive features; one that accepted DISCARD gets a feature error).
        let (_, irq) = irq_line();
        let c =
            crate::VirtioMmio::new(Box::new(Block::new(&ro).unwrap()), ram.clone(), irq).unwrap();
        let err = c.restore(&snap).unwrap_err().to_string();
        assert!(err.contains("this one is read-only"), "{err}");
        let mut discard = snap.clone();
        discard.driver_features |= VIRTIO_BLK_F_DISCARD;
        let err = c.restore(&discard).unwrap_err().to_string();
        assert!(err.contains("readonly=on"), "{err}");
    }

    #[test]
    fn counters_follow_the_requests() {
        let img = TempFile::new(&pattern(64));
        let mut rig = Rig::new(&DriveConfig::new(&img.0));
        header(&rig.ram, HDR, VIRTIO_BLK_T_IN, 0);
        rig.request(&[(HDR, 16, false), (BUF, 1024, true), (STATUS, 1, true)]);
        header(&rig.ram, HDR, VIRTIO_BLK_T_OUT, 4);
        rig.request(&[(HDR, 16, false), (BUF, 1536, false), (STATUS, 1, true)]);
        header(&rig.ram, HDR, VIRTIO_BLK_T_FLUSH, 0);
        rig.request(&[(HDR, 16, false), (STATUS, 1, true)]);
        for t in [VIRTIO_BLK_T_DISCARD, VIRTIO_BLK_T_WRITE_ZEROES] {
            header(&rig.ram, HDR, t, 0);
            rig.ram.write_bytes(BUF, &segment(8, 8, 0)).unwrap();
            rig.request(&[(HDR, 16, false), (BUF, 16, false), (STATUS, 1, true)]);
        }
        header(&rig.ram, HDR, 0xdead, 0);
        rig.request(&[(HDR, 16, false), (STATUS, 1, true)]);
        header(&rig.ram, HDR, VIRTIO_BLK_T_IN, 63);
        rig.request(&[(HDR, 16, false), (BUF, 1024, true), (STATUS, 1, true)]);

        assert_eq!(
            rig.disk.stats.list(),
            vec![
                ("read_ops", 1),
                ("read_bytes", 1024),
                ("write_ops", 1),
                ("write_bytes", 1536),
                ("flush_ops", 1),
                ("discard_ops", 1),
                ("write_zeroes_ops", 1),
                ("errors", 2),
            ]
        );
        let dev = Block::from_disk("x".into(), rig.disk);
        assert_eq!(
            metric(&dev.metrics(), "read_bytes"),
            1024,
            "the device shares them"
        );
    }

    #[test]
    fn used_ring_and_data_writes_are_reported() {
        let img = TempFile::new(&pattern(8));
        let mut rig = Rig::new(&DriveConfig::new(&img.0));
        for page in [USED, BUF] {
            rig.ram.mark_code_page(page);
            let epoch = rig.ram.code_epoch();
            header(&rig.ram, HDR, VIRTIO_BLK_T_IN, 0);
            rig.request(&[(HDR, 16, false), (BUF, 512, true), (STATUS, 1, true)]);
            assert_ne!(rig.ram.code_epoch(), epoch, "page {page:#x} was written");
        }
    }

    #[test]
    fn the_io_thread_serves_the_queue_behind_the_transport() {
        use crate::mmio::VirtioMmio;
        use vireo_memory::MmioDevice;
        let data = pattern(8);
        let img = TempFile::new(&data);
        let ram = Arc::new(GuestRam::new(RAM_BASE, RAM_SIZE).unwrap());
        let line = Arc::new(AtomicBool::new(false));
        let l = line.clone();
        let mmio = VirtioMmio::new(
            Box::new(Block::new(&DriveConfig::new(&img.0)).unwrap()),
            ram.clone(),
            Box::new(move |v| l.store(v, Ordering::SeqCst)),
        )
        .unwrap();
        let w = |off: u64, v: u64| mmio.write(off, 4, v);
        w(0x70, 1);
        w(0x70, 3);
        w(0x24, 1);
        w(0x20, 1); // VERSION_1
        w(0x70, 11);
        w(0x30, 0);
        w(0x38, 16);
        w(0x80, DESC & 0xffff_ffff);
        w(0x84, DESC >> 32);
        w(0x90, AVAIL & 0xffff_ffff);
        w(0x94, AVAIL >> 32);
        w(0xa0, USED & 0xffff_ffff);
        w(0xa4, USED >> 32);
        w(0x44, 1);
        w(0x70, 15);
        assert_eq!(mmio.read(0x70, 4), 15);
        let mut drv = Driver::new(ram.clone(), 16);
        header(&ram, HDR, VIRTIO_BLK_T_IN, 5);
        drv.add(&[(HDR, 16, false), (BUF, 512, true), (STATUS, 1, true)]);
        w(0x50, 0);
        let t0 = std::time::Instant::now();
        while drv.used_idx() != 1 {
            assert!(t0.elapsed().as_secs() < 10, "the I/O thread did not answer");
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        assert_eq!(byte(&ram, STATUS), VIRTIO_BLK_S_OK);
        let mut got = vec![0u8; 512];
        ram.read_bytes(BUF, &mut got).unwrap();
        assert_eq!(got, data[5 * 512..6 * 512]);
        assert!(line.load(Ordering::SeqCst));
        assert_eq!(mmio.read(0x60, 4), 1);
        w(0x64, 1);
        assert!(!line.load(Ordering::SeqCst));
        // Reset stops the thread; a second activation works again.
        w(0x70, 0);
        assert_eq!(mmio.read(0x70, 4), 0);
    }
}
