//! Loading guest software into RAM: kernels and bare-metal programs (ELF,
//! RISC-V Linux `Image`, flat binaries), firmware, the initrd, and blobs such
//! as the device tree.
//!
//! The files come from the user, but they may be corrupt or hostile: every
//! offset and size read from a file is checked (with overflow-checked
//! arithmetic) before it is used, and a bad file gives a [`LoadError`],
//! never a panic. Each loader validates the whole image before it writes
//! the first byte of guest memory, so a failed load leaves RAM untouched.
//!
//! ELF headers are decoded with `goblin`, using only its bounds-checked
//! `pread`-based parsers for the header, program headers, section headers
//! and symbols; string tables are read here (goblin's `Strtab` rejects a
//! whole table for one non-UTF-8 name, and symbol names need no decoding).
//!
//! The RISC-V Linux `Image` header (Documentation/arch/riscv/boot-image-header.rst):
//!
//! | offset | size | field                                     |
//! |--------|------|-------------------------------------------|
//! | 0      | 4    | code0 (with the EFI stub: "MZ" + a jump)  |
//! | 4      | 4    | code1                                     |
//! | 8      | 8    | text_offset (load offset, little endian)  |
//! | 16     | 8    | image_size (effective size, incl. bss)    |
//! | 24     | 8    | flags (bit 0: big-endian kernel)          |
//! | 32     | 4    | version                                   |
//! | 36     | 4    | reserved                                  |
//! | 40     | 8    | reserved                                  |
//! | 48     | 8    | magic "RISCV\0\0\0" (deprecated)          |
//! | 56     | 4    | magic2 "RSC\x05"                          |
//! | 60     | 4    | reserved (PE header offset with EFI stub) |

use std::fs::File;
use std::io::Read;
use std::ops::Range;
use std::path::{Path, PathBuf};

use goblin::container::{Container, Ctx, Endian};
use goblin::elf::header::{ELFCLASS32, ELFCLASS64, ELFDATA2LSB, ELFMAG, ET_DYN, ET_EXEC};
use goblin::elf::program_header::PT_LOAD;
use goblin::elf::section_header::SHT_SYMTAB;
use goblin::elf::{Elf, ProgramHeader, SectionHeader, Symtab};
use thiserror::Error;
use vireo_memory::{GuestRam, RamError, PAGE_SIZE};

/// `e_machine` of RISC-V ELF files.
pub const EM_RISCV: u16 = 243;
/// The current magic of the RISC-V Linux `Image` header, at offset 56.
pub const LINUX_IMAGE_MAGIC2: [u8; 4] = *b"RSC\x05";
/// The deprecated magic of the RISC-V Linux `Image` header, at offset 48.
pub const LINUX_IMAGE_MAGIC: [u8; 8] = *b"RISCV\0\0\0";
/// Size of the RISC-V Linux `Image` header.
pub const LINUX_IMAGE_HEADER_LEN: usize = 64;
/// Linux/riscv64 maps itself with 2 MiB (PMD) pages and stops early in boot
/// when its physical load address is not aligned to them.
pub const LINUX_IMAGE_ALIGN: u64 = 2 << 20;
/// Largest file any loader reads (a debug vmlinux can be hundreds of MiB).
pub const MAX_FILE_SIZE: u64 = 4 << 30;

const ELF64_EHDR_LEN: usize = 64;
const ELF64_PHDR_LEN: u16 = 56;
const ELF64_SHDR_LEN: u16 = 64;
const ELF64_SYM_LEN: u64 = 24;
/// `e_phnum` value meaning "the real count is in section 0" (more than
/// 65534 program headers), which no loadable RISC-V image needs.
const PN_XNUM: u16 = 0xffff;
/// `st_shndx` of undefined symbols.
const SHN_UNDEF: usize = 0;

/// What kind of file a loader found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    /// An ELF executable, loaded at its segments' physical addresses.
    Elf,
    /// A RISC-V Linux `Image` (raw kernel with the 64-byte boot header).
    LinuxImage,
    /// Raw bytes, loaded as they are at a chosen address.
    Flat,
}

/// Where a loader put an image, and what it learned from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadedImage {
    /// The kind of file that was loaded.
    pub kind: ImageKind,
    /// Guest physical address to start executing at.
    pub entry: u64,
    /// Lowest guest physical address written.
    pub start: u64,
    /// One past the last byte the image occupies (including bss, and for a
    /// Linux `Image` its declared `image_size`).
    pub end: u64,
    /// Guest physical address of the `tohost` symbol (HTIF), if the ELF has one.
    pub tohost: Option<u64>,
    /// Guest physical address of the `fromhost` symbol (HTIF), if the ELF has one.
    pub fromhost: Option<u64>,
}

/// Why an image could not be loaded.
#[derive(Debug, Error)]
pub enum LoadError {
    /// The file could not be opened or read.
    #[error("cannot read {}: {source}; check that the path is right and readable", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The file has no content.
    #[error("{} is empty; pass a file that holds the image", path.display())]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// The file is larger than any loader accepts.
    #[error("{} is larger than {limit} bytes, more than any guest image needs; check the path", path.display())]
    FileTooLarge {
        /// The file.
        path: PathBuf,
        /// The size limit in bytes.
        limit: u64,
    },
    /// The ELF file is for another architecture.
    #[error(
        "{} is an ELF file for machine {machine} ({}), not RISC-V ({EM_RISCV}); pass a riscv64 build",
        path.display(),
        machine_name(*machine)
    )]
    NotRiscV {
        /// The file.
        path: PathBuf,
        /// Its `e_machine`.
        machine: u16,
    },
    /// The RISC-V ELF file is 32-bit.
    #[error("{} is a 32-bit (ELFCLASS32) RISC-V ELF file; vireo runs RV64 guests, so rebuild it for riscv64", path.display())]
    Not64Bit {
        /// The file.
        path: PathBuf,
    },
    /// The ELF file is not an executable (a relocatable object, a core dump).
    #[error("{} is an ELF file of type {e_type}, not an executable (ET_EXEC or ET_DYN); link it first", path.display())]
    NotExecutable {
        /// The file.
        path: PathBuf,
        /// Its `e_type`.
        e_type: u16,
    },
    /// Part of the image would lie outside guest RAM.
    #[error(
        "{}: {len:#x} bytes at guest address {addr:#x} fall outside guest RAM \
         ({ram_base:#x}..{ram_end:#x}); link or load the image inside RAM, or give the VM more memory",
        path.display()
    )]
    SegmentOutsideRam {
        /// The file.
        path: PathBuf,
        /// First guest physical address of the piece.
        addr: u64,
        /// Length of the piece in bytes.
        len: u64,
        /// First RAM address.
        ram_base: u64,
        /// One past the last RAM address.
        ram_end: u64,
    },
    /// The image starts inside RAM but does not fit in the space available.
    #[error(
        "{} needs {} ({size:#x} bytes) at guest address {addr:#x}, but only {} ({room:#x} bytes) of RAM \
         are free there; give the VM more memory or use a smaller image",
        path.display(),
        human_size(*size),
        human_size(*room)
    )]
    TooBig {
        /// The file.
        path: PathBuf,
        /// Where it would go.
        addr: u64,
        /// Bytes it needs (at least this many for an oversized initrd).
        size: u64,
        /// Bytes available.
        room: u64,
    },
    /// A Linux `Image` load address that the kernel cannot boot from.
    #[error(
        "{}: a Linux Image must be loaded at a {align:#x}-aligned address, not {addr:#x}; choose an aligned load address",
        path.display()
    )]
    Misaligned {
        /// The file.
        path: PathBuf,
        /// The requested load address.
        addr: u64,
        /// The required alignment.
        align: u64,
    },
    /// The file's headers are inconsistent or truncated.
    #[error("{} is corrupt: {reason}; rebuild or re-download it", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A blob (such as the device tree) would lie outside guest RAM.
    #[error(
        "cannot place {what} ({len:#x} bytes) at guest address {addr:#x}: outside guest RAM \
         ({ram_base:#x}..{ram_end:#x}); choose an address inside RAM"
    )]
    BlobOutsideRam {
        /// What the blob is ("device tree", ...).
        what: &'static str,
        /// Requested address.
        addr: u64,
        /// Blob length in bytes.
        len: u64,
        /// First RAM address.
        ram_base: u64,
        /// One past the last RAM address.
        ram_end: u64,
    },
}

/// A byte count for people: "20.0 MiB", "12.5 KiB", "6 bytes".
fn human_size(bytes: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
    match UNITS.iter().find(|(unit, _)| bytes >= *unit) {
        Some((unit, name)) => format!("{:.1} {name}", bytes as f64 / *unit as f64),
        None => format!("{bytes} bytes"),
    }
}

fn machine_name(machine: u16) -> &'static str {
    match machine {
        3 => "x86",
        8 => "MIPS",
        20 => "PowerPC",
        21 => "PowerPC64",
        22 => "s390",
        40 => "ARM",
        62 => "x86-64",
        183 => "AArch64",
        243 => "RISC-V",
        258 => "LoongArch",
        _ => "unknown",
    }
}

/// Load a kernel or bare-metal program.
///
/// - ELF (`EM_RISCV`, `ELFCLASS64`, little endian, `ET_EXEC`/`ET_DYN`):
///   each `PT_LOAD` segment is copied to its physical address `p_paddr` and
///   its bss (`p_memsz - p_filesz`) zeroed. `entry` is `e_entry`, moved to
///   the physical address space when it lies in a segment whose virtual and
///   physical addresses differ (a vmlinux linked at a virtual address),
///   since harts start with translation off. The `tohost`/`fromhost`
///   symbols are looked up in the symbol table, translated the same way.
/// - A RISC-V Linux `Image` is loaded at `linux_base` (which must be 2 MiB
///   aligned); `entry` is the load address and `end` covers the larger of
///   the header's `image_size` and the file size (the excess is zeroed).
/// - Anything else is a flat binary loaded at `flat_base`, entered there.
pub fn load_kernel(
    ram: &GuestRam,
    path: &Path,
    flat_base: u64,
    linux_base: u64,
) -> Result<LoadedImage, LoadError> {
    if let Some(img) = load_linux_image_file(ram, path, linux_base)? {
        return Ok(img);
    }
    let bytes = read_file(path, MAX_FILE_SIZE)?;
    load_kernel_bytes(ram, path, &bytes, flat_base, linux_base)
}

/// [`load_kernel`]'s path for a Linux `Image` in a regular file: read
/// straight into guest RAM (a distribution kernel is 30 MiB; a host
/// buffer first cost a second copy and its page faults: 44 ms of a 1.3 s
/// boot). `None` when the file is not a regular file holding an `Image`
/// (the caller reads it whole; a pipe is not opened here, so nothing of
/// it is lost).
fn load_linux_image_file(
    ram: &GuestRam,
    path: &Path,
    base: u64,
) -> Result<Option<LoadedImage>, LoadError> {
    let io = |source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    };
    // Looked at before opening: opening and closing a pipe would lose
    // what its writer sent (the caller opens it again).
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Ok(None);
    }
    let mut file = File::open(path).map_err(io)?;
    let mut head = Vec::with_capacity(LINUX_IMAGE_HEADER_LEN);
    (&mut file)
        .take(LINUX_IMAGE_HEADER_LEN as u64)
        .read_to_end(&mut head)
        .map_err(io)?;
    let Some(header) = LinuxImageHeader::parse(&head).filter(|_| !is_elf(&head)) else {
        return Ok(None);
    };
    check_linux_image(path, &header, base)?;
    // The size the metadata gives is checked first, for the usual error;
    // the read is bounded by the room in RAM whatever the file does.
    let listed = meta.len();
    check_fits(ram, path, base, header.image_size.max(listed))?;
    let room = ram.end() - base;
    let got = head.len() as u64;
    write(ram, path, base, &head)?;
    let rest = ram
        .read_from(base + got, &mut file, room - got)
        .map_err(|e| ram_error(path, ram, e))?;
    let file_len = got + rest;
    if file_len == room && file.read(&mut [0u8]).map_err(io)? > 0 {
        return Err(LoadError::TooBig {
            path: path.to_path_buf(),
            addr: base,
            size: listed.max(room + 1),
            room,
        });
    }
    linux_image_loaded(ram, path, &header, base, file_len).map(Some)
}

/// The end of loading a Linux `Image` of `file_len` bytes, already in
/// RAM at `base`: the rest of the header's image size (its bss) zeroed.
fn linux_image_loaded(
    ram: &GuestRam,
    path: &Path,
    header: &LinuxImageHeader,
    base: u64,
    file_len: u64,
) -> Result<LoadedImage, LoadError> {
    let size = header.image_size.max(file_len);
    check_fits(ram, path, base, size)?;
    zero(ram, path, base + file_len, size - file_len)?;
    Ok(LoadedImage {
        kind: ImageKind::LinuxImage,
        entry: base,
        start: base,
        end: base + size,
        tohost: None,
        fromhost: None,
    })
}

/// [`load_kernel`] for an image already in memory (`path` names it in errors).
pub fn load_kernel_bytes(
    ram: &GuestRam,
    path: &Path,
    bytes: &[u8],
    flat_base: u64,
    linux_base: u64,
) -> Result<LoadedImage, LoadError> {
    if bytes.is_empty() {
        return Err(LoadError::Empty {
            path: path.to_path_buf(),
        });
    }
    if is_elf(bytes) {
        load_elf(ram, path, bytes)
    } else if let Some(header) = LinuxImageHeader::parse(bytes) {
        load_linux_image(ram, path, bytes, &header, linux_base)
    } else {
        load_flat(ram, path, bytes, flat_base)
    }
}

/// Load firmware (e.g. OpenSBI `fw_jump.bin` or `fw_jump.elf`): an ELF is
/// loaded at its physical addresses, anything else as a flat blob at the
/// base of RAM, entered there.
pub fn load_firmware(ram: &GuestRam, path: &Path) -> Result<LoadedImage, LoadError> {
    let bytes = read_file(path, MAX_FILE_SIZE)?;
    if is_elf(&bytes) {
        load_elf(ram, path, &bytes)
    } else {
        load_flat(ram, path, &bytes, ram.base())
    }
}

/// Place an initrd as high in RAM as it fits below `limit` (clamped to the
/// end of RAM), at a page-aligned start, and above `kernel_end`. The caller
/// reserves whatever lies above `limit` (the device tree). Returns the
/// initrd's `(start, end)`, `end` being one past its last byte — the values
/// for `/chosen/linux,initrd-start` and `linux,initrd-end`.
pub fn load_initrd(
    ram: &GuestRam,
    path: &Path,
    kernel_end: u64,
    limit: u64,
) -> Result<(u64, u64), LoadError> {
    let top = limit.min(ram.end());
    let bottom = align_up(kernel_end.max(ram.base()), PAGE_SIZE).unwrap_or(u64::MAX);
    let room = top.saturating_sub(bottom);
    let bytes = read_file(path, room).map_err(|e| match e {
        LoadError::FileTooLarge { path, .. } => LoadError::TooBig {
            size: file_len(&path).unwrap_or(0).max(room.saturating_add(1)),
            path,
            addr: bottom,
            room,
        },
        other => other,
    })?;
    let len = bytes.len() as u64;
    // `len <= room` (read_file enforced it), so `top - len >= bottom` and
    // rounding down to a page keeps it >= `bottom` (page aligned); the
    // check below is the belt to those braces.
    let start = align_down(top - len, PAGE_SIZE);
    if start < bottom {
        return Err(LoadError::TooBig {
            path: path.to_path_buf(),
            addr: bottom,
            size: len,
            room,
        });
    }
    write(ram, path, start, &bytes)?;
    Ok((start, start + len))
}

/// Write a blob (the device tree, a boot argument block) at guest physical
/// `addr`. `what` names it in the error.
pub fn write_blob(
    ram: &GuestRam,
    what: &'static str,
    addr: u64,
    data: &[u8],
) -> Result<(), LoadError> {
    let len = data.len() as u64;
    let outside = || LoadError::BlobOutsideRam {
        what,
        addr,
        len,
        ram_base: ram.base(),
        ram_end: ram.end(),
    };
    if !in_ram(ram, addr, len) {
        return Err(outside());
    }
    ram.write_bytes(addr, data).map_err(|_| outside())
}

/// True when `bytes` start with the ELF magic. Such a file is always
/// treated as ELF, so a truncated ELF is an error rather than a flat binary.
pub fn is_elf(bytes: &[u8]) -> bool {
    bytes.starts_with(ELFMAG)
}

/// The fields of a RISC-V Linux `Image` header that a loader uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinuxImageHeader {
    /// Load offset the kernel suggests (0x20_0000 for RV64); informative.
    pub text_offset: u64,
    /// Effective image size including bss; 0 in very old kernels.
    pub image_size: u64,
    /// Header flags (bit 0: big-endian kernel).
    pub flags: u64,
    /// Header version (major << 16 | minor).
    pub version: u32,
}

impl LinuxImageHeader {
    /// Decode the header, if `bytes` start with one (either magic).
    pub fn parse(bytes: &[u8]) -> Option<LinuxImageHeader> {
        let header = bytes.get(..LINUX_IMAGE_HEADER_LEN)?;
        if header[56..60] != LINUX_IMAGE_MAGIC2 && header[48..56] != LINUX_IMAGE_MAGIC {
            return None;
        }
        let u64_at = |at: usize| {
            let mut b = [0u8; 8];
            b.copy_from_slice(&header[at..at + 8]);
            u64::from_le_bytes(b)
        };
        let mut v = [0u8; 4];
        v.copy_from_slice(&header[32..36]);
        Some(LinuxImageHeader {
            text_offset: u64_at(8),
            image_size: u64_at(16),
            flags: u64_at(24),
            version: u32::from_le_bytes(v),
        })
    }
}

// ---- formats --------------------------------------------------------------

fn load_linux_image(
    ram: &GuestRam,
    path: &Path,
    bytes: &[u8],
    header: &LinuxImageHeader,
    base: u64,
) -> Result<LoadedImage, LoadError> {
    check_linux_image(path, header, base)?;
    let file_len = bytes.len() as u64;
    check_fits(ram, path, base, header.image_size.max(file_len))?;
    write(ram, path, base, bytes)?;
    linux_image_loaded(ram, path, header, base, file_len)
}

/// The header checks of a Linux `Image` loaded at `base`.
fn check_linux_image(path: &Path, header: &LinuxImageHeader, base: u64) -> Result<(), LoadError> {
    if header.flags & 1 != 0 {
        return Err(corrupt(
            path,
            "the Image header says the kernel is big-endian; RISC-V guests are little-endian",
        ));
    }
    if base & (LINUX_IMAGE_ALIGN - 1) != 0 {
        return Err(LoadError::Misaligned {
            path: path.to_path_buf(),
            addr: base,
            align: LINUX_IMAGE_ALIGN,
        });
    }
    Ok(())
}

fn load_flat(
    ram: &GuestRam,
    path: &Path,
    bytes: &[u8],
    base: u64,
) -> Result<LoadedImage, LoadError> {
    let len = bytes.len() as u64;
    check_fits(ram, path, base, len)?;
    write(ram, path, base, bytes)?;
    Ok(LoadedImage {
        kind: ImageKind::Flat,
        entry: base,
        start: base,
        end: base + len,
        tohost: None,
        fromhost: None,
    })
}

/// A validated `PT_LOAD` segment.
struct Segment {
    paddr: u64,
    vaddr: u64,
    memsz: u64,
    /// Its bytes in the file (`p_offset..p_offset + p_filesz`), in bounds.
    file: Range<usize>,
}

impl Segment {
    /// The physical address of virtual `addr`, if this segment maps it.
    fn to_physical(&self, addr: u64) -> Option<u64> {
        let off = addr.checked_sub(self.vaddr)?;
        (off < self.memsz).then(|| self.paddr.wrapping_add(off))
    }
}

/// Translate a virtual address of the ELF to a physical one through the
/// loaded segments; addresses outside every segment stay as they are.
fn elf_physical(segments: &[Segment], addr: u64) -> u64 {
    segments
        .iter()
        .find_map(|s| s.to_physical(addr))
        .unwrap_or(addr)
}

fn load_elf(ram: &GuestRam, path: &Path, bytes: &[u8]) -> Result<LoadedImage, LoadError> {
    // Check the identification by hand first, so that a foreign or 32-bit
    // file gets the precise error rather than a parse failure.
    let ident = bytes
        .get(..20)
        .ok_or_else(|| corrupt(path, "the ELF header is truncated"))?;
    let machine = match ident[5] {
        ELFDATA2LSB => u16::from_le_bytes([ident[18], ident[19]]),
        2 => u16::from_be_bytes([ident[18], ident[19]]),
        other => return Err(corrupt(path, format!("unknown ELF data encoding {other}"))),
    };
    if machine != EM_RISCV {
        return Err(LoadError::NotRiscV {
            path: path.to_path_buf(),
            machine,
        });
    }
    match ident[4] {
        ELFCLASS64 => {}
        ELFCLASS32 => {
            return Err(LoadError::Not64Bit {
                path: path.to_path_buf(),
            })
        }
        other => return Err(corrupt(path, format!("unknown ELF class {other}"))),
    }
    if ident[5] != ELFDATA2LSB {
        return Err(corrupt(
            path,
            "the ELF file is big-endian; RISC-V is little-endian",
        ));
    }
    if bytes.len() < ELF64_EHDR_LEN {
        return Err(corrupt(path, "the ELF header is truncated"));
    }
    let header =
        Elf::parse_header(bytes).map_err(|e| corrupt(path, format!("bad ELF header: {e}")))?;
    if header.e_type != ET_EXEC && header.e_type != ET_DYN {
        return Err(LoadError::NotExecutable {
            path: path.to_path_buf(),
            e_type: header.e_type,
        });
    }
    let ctx = Ctx::new(Container::Big, Endian::Little);

    // Program headers.
    if header.e_phnum == PN_XNUM {
        return Err(corrupt(path, "more than 65534 program headers (PN_XNUM)"));
    }
    if header.e_phnum > 0 && header.e_phentsize != ELF64_PHDR_LEN {
        return Err(corrupt(
            path,
            format!(
                "program header size is {}, not {ELF64_PHDR_LEN}",
                header.e_phentsize
            ),
        ));
    }
    let phoff = file_offset(path, header.e_phoff, "program header table")?;
    let phdrs = ProgramHeader::parse(bytes, phoff, usize::from(header.e_phnum), ctx)
        .map_err(|e| corrupt(path, format!("bad program headers: {e}")))?;

    let mut segments = Vec::new();
    for (i, ph) in phdrs.iter().enumerate() {
        if ph.p_type != PT_LOAD || ph.p_memsz == 0 {
            continue;
        }
        if ph.p_filesz > ph.p_memsz {
            return Err(corrupt(
                path,
                format!(
                    "segment {i} has more file bytes ({:#x}) than memory bytes ({:#x})",
                    ph.p_filesz, ph.p_memsz
                ),
            ));
        }
        let file = file_range(bytes, ph.p_offset, ph.p_filesz).ok_or_else(|| {
            corrupt(
                path,
                format!(
                    "segment {i}'s bytes ({:#x}+{:#x}) extend past the end of the file ({:#x} bytes)",
                    ph.p_offset,
                    ph.p_filesz,
                    bytes.len()
                ),
            )
        })?;
        if !in_ram(ram, ph.p_paddr, ph.p_memsz) {
            return Err(LoadError::SegmentOutsideRam {
                path: path.to_path_buf(),
                addr: ph.p_paddr,
                len: ph.p_memsz,
                ram_base: ram.base(),
                ram_end: ram.end(),
            });
        }
        segments.push(Segment {
            paddr: ph.p_paddr,
            vaddr: ph.p_vaddr,
            memsz: ph.p_memsz,
            file,
        });
    }
    if segments.is_empty() {
        return Err(corrupt(path, "there are no loadable (PT_LOAD) segments"));
    }

    let (tohost, fromhost) = find_htif_symbols(path, bytes, &header, ctx)?;
    let tohost = tohost.map(|a| elf_physical(&segments, a));
    let fromhost = fromhost.map(|a| elf_physical(&segments, a));

    // Everything is validated: now write guest memory.
    for seg in &segments {
        let data = &bytes[seg.file.clone()];
        write(ram, path, seg.paddr, data)?;
        let filesz = data.len() as u64;
        zero(ram, path, seg.paddr + filesz, seg.memsz - filesz)?;
    }
    let start = segments.iter().map(|s| s.paddr).min().unwrap_or(0);
    let end = segments
        .iter()
        .map(|s| s.paddr + s.memsz)
        .max()
        .unwrap_or(0);
    Ok(LoadedImage {
        kind: ImageKind::Elf,
        entry: elf_physical(&segments, header.e_entry),
        start,
        end,
        tohost,
        fromhost,
    })
}

/// Look up `tohost` and `fromhost` in the ELF's symbol table (virtual
/// addresses). A file without section headers or symbols has neither.
fn find_htif_symbols(
    path: &Path,
    bytes: &[u8],
    header: &goblin::elf::Header,
    ctx: Ctx,
) -> Result<(Option<u64>, Option<u64>), LoadError> {
    if header.e_shoff == 0 {
        return Ok((None, None));
    }
    if header.e_shentsize != ELF64_SHDR_LEN {
        return Err(corrupt(
            path,
            format!(
                "section header size is {}, not {ELF64_SHDR_LEN}",
                header.e_shentsize
            ),
        ));
    }
    let shoff = file_offset(path, header.e_shoff, "section header table")?;
    let sections = SectionHeader::parse(bytes, shoff, usize::from(header.e_shnum), ctx)
        .map_err(|e| corrupt(path, format!("bad section headers: {e}")))?;
    let Some(symtab) = sections.iter().find(|s| s.sh_type == SHT_SYMTAB) else {
        return Ok((None, None));
    };
    if symtab.sh_entsize != ELF64_SYM_LEN {
        return Err(corrupt(
            path,
            format!("symbol size is {}, not {ELF64_SYM_LEN}", symtab.sh_entsize),
        ));
    }
    let syms_range = file_range(bytes, symtab.sh_offset, symtab.sh_size)
        .ok_or_else(|| corrupt(path, "the symbol table extends past the end of the file"))?;
    let strtab = usize::try_from(symtab.sh_link)
        .ok()
        .and_then(|i| sections.get(i))
        .ok_or_else(|| corrupt(path, "the symbol table links to a missing string table"))?;
    let strs = file_range(bytes, strtab.sh_offset, strtab.sh_size)
        .map(|r| &bytes[r])
        .ok_or_else(|| {
            corrupt(
                path,
                "the symbol string table extends past the end of the file",
            )
        })?;
    let count = (symtab.sh_size / ELF64_SYM_LEN) as usize;
    let syms = Symtab::parse(bytes, syms_range.start, count, ctx)
        .map_err(|e| corrupt(path, format!("bad symbol table: {e}")))?;

    let (mut tohost, mut fromhost) = (None, None);
    for sym in syms.iter() {
        if sym.st_shndx == SHN_UNDEF {
            continue;
        }
        match c_string_at(strs, sym.st_name) {
            Some(b"tohost") if tohost.is_none() => tohost = Some(sym.st_value),
            Some(b"fromhost") if fromhost.is_none() => fromhost = Some(sym.st_value),
            _ => {}
        }
    }
    Ok((tohost, fromhost))
}

// ---- helpers ----------------------------------------------------------------

/// Read a whole file of at most `limit` bytes.
fn read_file(path: &Path, limit: u64) -> Result<Vec<u8>, LoadError> {
    let io = |source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(io)?;
    // Read through `take` rather than trusting the size the metadata gives:
    // devices and pipes report 0, and a file may grow while being read.
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(LoadError::FileTooLarge {
            path: path.to_path_buf(),
            limit,
        });
    }
    if bytes.is_empty() {
        return Err(LoadError::Empty {
            path: path.to_path_buf(),
        });
    }
    Ok(bytes)
}

fn file_len(path: &Path) -> Option<u64> {
    std::fs::metadata(path).ok().map(|m| m.len())
}

fn corrupt(path: &Path, reason: impl Into<String>) -> LoadError {
    LoadError::Corrupt {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// `offset` as a `usize` index into the file.
fn file_offset(path: &Path, offset: u64, what: &str) -> Result<usize, LoadError> {
    usize::try_from(offset).map_err(|_| {
        corrupt(
            path,
            format!("the {what} offset {offset:#x} is out of range"),
        )
    })
}

/// `offset..offset + len` as a range of `bytes`, if it lies inside.
fn file_range(bytes: &[u8], offset: u64, len: u64) -> Option<Range<usize>> {
    let start = usize::try_from(offset).ok()?;
    let end = start.checked_add(usize::try_from(len).ok()?)?;
    (end <= bytes.len()).then_some(start..end)
}

/// The NUL-terminated string at `offset` of a string table.
fn c_string_at(table: &[u8], offset: usize) -> Option<&[u8]> {
    let rest = table.get(offset..)?;
    let len = rest.iter().position(|&b| b == 0)?;
    Some(&rest[..len])
}

/// True when `[addr, addr + len)` lies inside RAM (overflow-safe).
fn in_ram(ram: &GuestRam, addr: u64, len: u64) -> bool {
    addr >= ram.base() && addr.checked_add(len).is_some_and(|end| end <= ram.end())
}

/// Check that `size` bytes at `addr` fit in RAM: an address outside RAM is
/// `SegmentOutsideRam`, an image too large for the rest of RAM is `TooBig`.
fn check_fits(ram: &GuestRam, path: &Path, addr: u64, size: u64) -> Result<(), LoadError> {
    if addr < ram.base() || addr >= ram.end() {
        return Err(LoadError::SegmentOutsideRam {
            path: path.to_path_buf(),
            addr,
            len: size,
            ram_base: ram.base(),
            ram_end: ram.end(),
        });
    }
    let room = ram.end() - addr;
    if size > room {
        return Err(LoadError::TooBig {
            path: path.to_path_buf(),
            addr,
            size,
            room,
        });
    }
    Ok(())
}

fn ram_error(path: &Path, ram: &GuestRam, e: RamError) -> LoadError {
    match e {
        RamError::OutOfRange { addr, len, .. } => LoadError::SegmentOutsideRam {
            path: path.to_path_buf(),
            addr,
            len,
            ram_base: ram.base(),
            ram_end: ram.end(),
        },
        RamError::Read(source) => LoadError::Io {
            path: path.to_path_buf(),
            source,
        },
        other => corrupt(path, other.to_string()),
    }
}

/// Copy into RAM; the range was validated by the caller, and is checked
/// again (overflow-safe) here because `GuestRam`'s own check assumes sane
/// lengths.
fn write(ram: &GuestRam, path: &Path, addr: u64, data: &[u8]) -> Result<(), LoadError> {
    let len = data.len() as u64;
    if !in_ram(ram, addr, len) {
        return Err(ram_error(path, ram, out_of_range(ram, addr, len)));
    }
    ram.write_bytes(addr, data)
        .map_err(|e| ram_error(path, ram, e))
}

fn zero(ram: &GuestRam, path: &Path, addr: u64, len: u64) -> Result<(), LoadError> {
    if len == 0 {
        return Ok(());
    }
    if !in_ram(ram, addr, len) {
        return Err(ram_error(path, ram, out_of_range(ram, addr, len)));
    }
    ram.zero(addr, len).map_err(|e| ram_error(path, ram, e))
}

fn out_of_range(ram: &GuestRam, addr: u64, len: u64) -> RamError {
    RamError::OutOfRange {
        addr,
        len,
        base: ram.base(),
        end: ram.end(),
    }
}

fn align_down(x: u64, align: u64) -> u64 {
    x & !(align - 1)
}

fn align_up(x: u64, align: u64) -> Option<u64> {
    Some(x.checked_add(align - 1)? & !(align - 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    const RAM_BASE: u64 = 0x8000_0000;
    const RAM_SIZE: u64 = 4 << 20;

    fn ram() -> GuestRam {
        GuestRam::new(RAM_BASE, RAM_SIZE).unwrap()
    }

    /// A file in the temp directory, removed on drop.
    struct TempFile(PathBuf);

    impl TempFile {
        fn new(bytes: &[u8]) -> TempFile {
            static NEXT: AtomicUsize = AtomicUsize::new(0);
            let path = std::env::temp_dir().join(format!(
                "vireo-loader-test-{}-{}",
                std::process::id(),
                NEXT.fetch_add(1, Ordering::Relaxed)
            ));
            std::fs::write(&path, bytes).unwrap();
            TempFile(path)
        }
    }

    impl Drop for TempFile {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    fn read(ram: &GuestRam, addr: u64, len: usize) -> Vec<u8> {
        let mut buf = vec![0; len];
        ram.read_bytes(addr, &mut buf).unwrap();
        buf
    }

    struct Seg {
        paddr: u64,
        vaddr: u64,
        data: Vec<u8>,
        memsz: u64,
    }

    fn seg(addr: u64, data: &[u8], memsz: u64) -> Seg {
        Seg {
            paddr: addr,
            vaddr: addr,
            data: data.to_vec(),
            memsz,
        }
    }

    struct ElfSpec {
        class: u8,
        machine: u16,
        e_type: u16,
        entry: u64,
        segs: Vec<Seg>,
        syms: Vec<(&'static str, u64)>,
    }

    impl ElfSpec {
        fn new(entry: u64, segs: Vec<Seg>) -> ElfSpec {
            ElfSpec {
                class: ELFCLASS64,
                machine: EM_RISCV,
                e_type: ET_EXEC,
                entry,
                segs,
                syms: Vec::new(),
            }
        }
    }

    fn pad8(out: &mut Vec<u8>) {
        out.resize(out.len().next_multiple_of(8), 0);
    }

    /// Build a little-endian ELF64 file: header, program headers, segment
    /// data, then (with symbols) .symtab, .strtab and the section headers.
    fn build_elf(spec: &ElfSpec) -> Vec<u8> {
        let phnum = spec.segs.len();
        let mut out = vec![0u8; 64 + 56 * phnum];
        let mut offsets = Vec::new();
        for s in &spec.segs {
            pad8(&mut out);
            offsets.push(out.len() as u64);
            out.extend_from_slice(&s.data);
        }
        let mut shoff = 0u64;
        let mut shnum = 0u16;
        if !spec.syms.is_empty() {
            let mut strtab = vec![0u8];
            let mut symtab = vec![0u8; 24]; // the null symbol
            for (name, value) in &spec.syms {
                let st_name = strtab.len() as u32;
                strtab.extend_from_slice(name.as_bytes());
                strtab.push(0);
                symtab.extend_from_slice(&st_name.to_le_bytes());
                symtab.push(0x10); // STB_GLOBAL, STT_NOTYPE
                symtab.push(0);
                symtab.extend_from_slice(&1u16.to_le_bytes()); // defined in section 1
                symtab.extend_from_slice(&value.to_le_bytes());
                symtab.extend_from_slice(&8u64.to_le_bytes());
            }
            pad8(&mut out);
            let symoff = out.len() as u64;
            out.extend_from_slice(&symtab);
            let stroff = out.len() as u64;
            out.extend_from_slice(&strtab);
            pad8(&mut out);
            shoff = out.len() as u64;
            shnum = 3;
            out.extend_from_slice(&[0u8; 64]);
            for (ty, off, size, link, entsize) in [
                (SHT_SYMTAB, symoff, symtab.len() as u64, 2u32, 24u64),
                (3, stroff, strtab.len() as u64, 0, 0),
            ] {
                let mut sh = [0u8; 64];
                sh[4..8].copy_from_slice(&ty.to_le_bytes());
                sh[24..32].copy_from_slice(&off.to_le_bytes());
                sh[32..40].copy_from_slice(&size.to_le_bytes());
                sh[40..44].copy_from_slice(&link.to_le_bytes());
                sh[56..64].copy_from_slice(&entsize.to_le_bytes());
                out.extend_from_slice(&sh);
            }
        }
        let h = &mut out[..64];
        h[..4].copy_from_slice(ELFMAG);
        h[4] = spec.class;
        h[5] = ELFDATA2LSB;
        h[6] = 1;
        h[16..18].copy_from_slice(&spec.e_type.to_le_bytes());
        h[18..20].copy_from_slice(&spec.machine.to_le_bytes());
        h[20..24].copy_from_slice(&1u32.to_le_bytes());
        h[24..32].copy_from_slice(&spec.entry.to_le_bytes());
        h[32..40].copy_from_slice(&64u64.to_le_bytes());
        h[40..48].copy_from_slice(&shoff.to_le_bytes());
        h[52..54].copy_from_slice(&64u16.to_le_bytes());
        h[54..56].copy_from_slice(&56u16.to_le_bytes());
        h[56..58].copy_from_slice(&(phnum as u16).to_le_bytes());
        h[58..60].copy_from_slice(&64u16.to_le_bytes());
        h[60..62].copy_from_slice(&shnum.to_le_bytes());
        for (i, (s, off)) in spec.segs.iter().zip(&offsets).enumerate() {
            let p = &mut out[64 + 56 * i..64 + 56 * (i + 1)];
            p[..4].copy_from_slice(&PT_LOAD.to_le_bytes());
            p[4..8].copy_from_slice(&7u32.to_le_bytes());
            p[8..16].copy_from_slice(&off.to_le_bytes());
            p[16..24].copy_from_slice(&s.vaddr.to_le_bytes());
            p[24..32].copy_from_slice(&s.paddr.to_le_bytes());
            p[32..40].copy_from_slice(&(s.data.len() as u64).to_le_bytes());
            p[40..48].copy_from_slice(&s.memsz.to_le_bytes());
            p[48..56].copy_from_slice(&8u64.to_le_bytes());
        }
        out
    }

    fn sample_elf() -> Vec<u8> {
        let mut spec = ElfSpec::new(
            RAM_BASE,
            vec![
                seg(RAM_BASE, &[0x13, 0, 0, 0, 0x6f, 0, 0, 0], 8),
                seg(RAM_BASE + 0x1000, &[1, 2, 3, 4], 0x100),
            ],
        );
        spec.syms = vec![
            ("_start", RAM_BASE),
            ("tohost", RAM_BASE + 0x1000),
            ("fromhost", RAM_BASE + 0x1040),
        ];
        build_elf(&spec)
    }

    fn linux_image(image_size: u64, payload: usize) -> Vec<u8> {
        let mut img = vec![0xaa; LINUX_IMAGE_HEADER_LEN + payload];
        img[..8].copy_from_slice(&[b'M', b'Z', 0, 0, 0, 0, 0, 0]);
        img[8..16].copy_from_slice(&0x20_0000u64.to_le_bytes());
        img[16..24].copy_from_slice(&image_size.to_le_bytes());
        img[24..32].copy_from_slice(&0u64.to_le_bytes());
        img[32..36].copy_from_slice(&0x0002u32.to_le_bytes());
        img[36..48].fill(0);
        img[48..56].copy_from_slice(&LINUX_IMAGE_MAGIC);
        img[56..60].copy_from_slice(&LINUX_IMAGE_MAGIC2);
        img[60..64].fill(0);
        img
    }

    #[test]
    fn elf_segments_bss_entry_and_htif_symbols() {
        // Arrange
        let ram = ram();
        ram.write_bytes(RAM_BASE + 0x1000, &[0xff; 0x200]).unwrap();
        let file = TempFile::new(&sample_elf());
        // Act
        let img = load_kernel(&ram, &file.0, RAM_BASE, RAM_BASE + 0x20_0000).unwrap();
        // Assert
        assert_eq!(img.kind, ImageKind::Elf);
        assert_eq!(img.entry, RAM_BASE);
        assert_eq!((img.start, img.end), (RAM_BASE, RAM_BASE + 0x1100));
        assert_eq!(img.tohost, Some(RAM_BASE + 0x1000));
        assert_eq!(img.fromhost, Some(RAM_BASE + 0x1040));
        assert_eq!(read(&ram, RAM_BASE, 8), [0x13, 0, 0, 0, 0x6f, 0, 0, 0]);
        let data = read(&ram, RAM_BASE + 0x1000, 0x200);
        assert_eq!(data[..4], [1, 2, 3, 4]);
        assert!(data[4..0x100].iter().all(|&b| b == 0), "bss zeroed");
        assert!(
            data[0x100..].iter().all(|&b| b == 0xff),
            "nothing past memsz"
        );
    }

    #[test]
    fn elf_without_symbols_has_no_htif() {
        let ram = ram();
        let elf = build_elf(&ElfSpec::new(
            RAM_BASE + 4,
            vec![seg(RAM_BASE, &[7; 16], 16)],
        ));
        let img = load_kernel_bytes(&ram, Path::new("t"), &elf, 0, 0).unwrap();
        assert_eq!(
            (img.entry, img.tohost, img.fromhost),
            (RAM_BASE + 4, None, None)
        );
    }

    #[test]
    fn elf_linked_at_virtual_addresses_is_loaded_and_entered_physically() {
        // Arrange: like a vmlinux, virtual 0xffffffff80000000 -> physical.
        let ram = ram();
        let virt = 0xffff_ffff_8000_0000;
        let mut spec = ElfSpec::new(
            virt + 0x10,
            vec![Seg {
                paddr: RAM_BASE + 0x20_0000,
                vaddr: virt,
                data: vec![5; 0x20],
                memsz: 0x2000,
            }],
        );
        spec.syms = vec![("tohost", virt + 0x1000)];
        // Act
        let img = load_kernel_bytes(&ram, Path::new("t"), &build_elf(&spec), 0, 0).unwrap();
        // Assert
        assert_eq!(img.entry, RAM_BASE + 0x20_0010);
        assert_eq!(img.tohost, Some(RAM_BASE + 0x20_1000));
        assert_eq!(img.start, RAM_BASE + 0x20_0000);
        assert_eq!(read(&ram, RAM_BASE + 0x20_0000, 2), [5, 5]);
    }

    #[test]
    fn x86_elf_is_not_riscv() {
        let path = Path::new("/bin/true");
        let Ok(bytes) = std::fs::read(path) else {
            eprintln!("skipped: /bin/true not present");
            return;
        };
        if !is_elf(&bytes) {
            eprintln!("skipped: /bin/true is not an ELF file");
            return;
        }
        let err = load_kernel(&ram(), path, RAM_BASE, RAM_BASE).unwrap_err();
        match err {
            LoadError::NotRiscV { machine, .. } => {
                assert_ne!(machine, EM_RISCV);
                #[cfg(target_arch = "x86_64")]
                assert_eq!(machine, 62);
            }
            other => panic!("expected NotRiscV, got {other}"),
        }
        assert!(err_text(&ram(), path).contains("x86-64") || !cfg!(target_arch = "x86_64"));
    }

    fn err_text(ram: &GuestRam, path: &Path) -> String {
        load_kernel(ram, path, RAM_BASE, RAM_BASE)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn riscv32_elf_is_rejected() {
        let mut spec = ElfSpec::new(RAM_BASE, vec![seg(RAM_BASE, &[1; 8], 8)]);
        spec.class = ELFCLASS32;
        let err = load_kernel_bytes(&ram(), Path::new("t"), &build_elf(&spec), 0, 0);
        assert!(matches!(err, Err(LoadError::Not64Bit { .. })), "{err:?}");
    }

    #[test]
    fn relocatable_object_is_rejected() {
        let mut spec = ElfSpec::new(RAM_BASE, vec![seg(RAM_BASE, &[1; 8], 8)]);
        spec.e_type = 1; // ET_REL
        let err = load_kernel_bytes(&ram(), Path::new("t"), &build_elf(&spec), 0, 0);
        assert!(
            matches!(err, Err(LoadError::NotExecutable { e_type: 1, .. })),
            "{err:?}"
        );
    }

    #[test]
    fn segment_beyond_ram_is_rejected_before_anything_is_written() {
        // Arrange: the first segment fits, the second runs past the end.
        let ram = ram();
        let elf = build_elf(&ElfSpec::new(
            RAM_BASE,
            vec![
                seg(RAM_BASE, &[9; 16], 16),
                seg(RAM_BASE + RAM_SIZE - 8, &[9; 16], 16),
            ],
        ));
        // Act
        let err = load_kernel_bytes(&ram, Path::new("t"), &elf, 0, 0).unwrap_err();
        // Assert
        match err {
            LoadError::SegmentOutsideRam {
                addr,
                len,
                ram_base,
                ram_end,
                ..
            } => {
                assert_eq!((addr, len), (RAM_BASE + RAM_SIZE - 8, 16));
                assert_eq!((ram_base, ram_end), (RAM_BASE, RAM_BASE + RAM_SIZE));
            }
            other => panic!("expected SegmentOutsideRam, got {other}"),
        }
        assert_eq!(read(&ram, RAM_BASE, 16), [0; 16], "RAM untouched");
    }

    #[test]
    fn segment_below_ram_and_wrapping_segment_are_rejected() {
        for (addr, memsz) in [(0x1000, 8), (u64::MAX - 4, 16), (RAM_BASE, u64::MAX)] {
            let elf = build_elf(&ElfSpec::new(addr, vec![seg(addr, &[1; 4], memsz)]));
            let err = load_kernel_bytes(&ram(), Path::new("t"), &elf, 0, 0);
            assert!(
                matches!(err, Err(LoadError::SegmentOutsideRam { .. })),
                "{err:?}"
            );
        }
    }

    #[test]
    fn corrupt_elves_are_errors() {
        let good = sample_elf();
        let patch = |at: usize, bytes: &[u8]| {
            let mut e = good.clone();
            e[at..at + bytes.len()].copy_from_slice(bytes);
            e
        };
        let phdr0 = 64;
        let cases: Vec<(&str, Vec<u8>)> = vec![
            ("truncated header", good[..30].to_vec()),
            ("truncated ident", good[..6].to_vec()),
            ("truncated program headers", good[..100].to_vec()),
            ("phoff past the end", patch(32, &u64::MAX.to_le_bytes())),
            ("phentsize wrong", patch(54, &32u16.to_le_bytes())),
            (
                "filesz > memsz",
                patch(phdr0 + 32, &0x10_0000u64.to_le_bytes()),
            ),
            (
                "offset past the end",
                patch(phdr0 + 8, &0xffff_fff0u64.to_le_bytes()),
            ),
            (
                "offset+filesz overflows",
                patch(phdr0 + 8, &(u64::MAX - 2).to_le_bytes()),
            ),
            (
                "shoff past the end",
                patch(40, &0x7fff_ffffu64.to_le_bytes()),
            ),
            ("shentsize wrong", patch(58, &40u16.to_le_bytes())),
            ("bad class", patch(4, &[9])),
            ("bad data encoding", patch(5, &[7])),
            ("big endian", {
                let mut e = patch(5, &[2]);
                e[18..20].copy_from_slice(&EM_RISCV.to_be_bytes());
                e
            }),
        ];
        for (what, bytes) in cases {
            let ram = ram();
            let res = load_kernel_bytes(&ram, Path::new("bad.elf"), &bytes, RAM_BASE, RAM_BASE);
            match res {
                Err(LoadError::Corrupt { reason, .. }) => {
                    assert!(!reason.is_empty(), "{what}");
                }
                other => panic!("{what}: expected Corrupt, got {other:?}"),
            }
        }
    }

    #[test]
    fn elf_without_loadable_segments_is_corrupt() {
        let elf = build_elf(&ElfSpec::new(RAM_BASE, vec![seg(RAM_BASE, &[], 0)]));
        let err = load_kernel_bytes(&ram(), Path::new("t"), &elf, 0, 0);
        assert!(matches!(err, Err(LoadError::Corrupt { .. })), "{err:?}");
    }

    #[test]
    fn mutated_elves_never_panic() {
        // A deterministic mini-fuzzer (the real one is fuzz/fuzz_targets/loader.rs).
        let good = sample_elf();
        let ram = GuestRam::new(RAM_BASE, 0x1_0000).unwrap();
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..3000 {
            let mut e = good.clone();
            for _ in 0..1 + next() % 6 {
                // Mostly hit the headers, where the offsets and sizes are.
                let at = if next() % 4 == 0 {
                    next() as usize % e.len()
                } else {
                    next() as usize % 128
                };
                e[at] = match next() % 4 {
                    0 => 0,
                    1 => 0xff,
                    _ => next() as u8,
                };
            }
            if next() % 8 == 0 {
                e.truncate(next() as usize % e.len());
            }
            let _ = load_kernel_bytes(&ram, Path::new("fuzz"), &e, RAM_BASE, RAM_BASE);
        }
    }

    #[test]
    fn linux_image_is_loaded_at_linux_base_with_image_size() {
        // Arrange
        let ram = ram();
        let base = RAM_BASE + 0x20_0000;
        ram.write_bytes(base + 0x1040, &[0xff; 0x2000]).unwrap();
        let file = TempFile::new(&linux_image(0x3000, 0x1000));
        // Act
        let img = load_kernel(&ram, &file.0, RAM_BASE, base).unwrap();
        // Assert
        assert_eq!(img.kind, ImageKind::LinuxImage);
        assert_eq!((img.entry, img.start, img.end), (base, base, base + 0x3000));
        assert_eq!(read(&ram, base + 56, 4), LINUX_IMAGE_MAGIC2);
        assert_eq!(read(&ram, base + 0x103f, 1), [0xaa]);
        assert!(read(&ram, base + 0x1040, 0x1fc0).iter().all(|&b| b == 0));
        assert_eq!(read(&ram, base + 0x3000, 1), [0xff]);
    }

    #[test]
    fn linux_image_files_are_read_into_ram_up_to_its_end() {
        let ram = ram();
        let base = RAM_BASE + 0x20_0000;
        let room = RAM_BASE + RAM_SIZE - base;
        // Exactly the room left: loaded, last byte included.
        let fits = linux_image(0, room as usize - LINUX_IMAGE_HEADER_LEN);
        let file = TempFile::new(&fits);
        let img = load_kernel(&ram, &file.0, RAM_BASE, base).unwrap();
        assert_eq!(img.end, RAM_BASE + RAM_SIZE);
        assert_eq!(read(&ram, RAM_BASE + RAM_SIZE - 1, 1), [0xaa]);
        // One byte more: too big, whatever the header's image size says.
        let file = TempFile::new(&linux_image(16, room as usize - LINUX_IMAGE_HEADER_LEN + 1));
        let res = load_kernel(&ram, &file.0, RAM_BASE, base);
        assert!(
            matches!(res, Err(LoadError::TooBig { size, room: r, .. }) if size == room + 1 && r == room),
            "{res:?}"
        );
        // A header alone (no payload) is an Image too.
        let file = TempFile::new(&linux_image(0x1000, 0));
        let img = load_kernel(&ram, &file.0, RAM_BASE, base).unwrap();
        assert_eq!((img.kind, img.end), (ImageKind::LinuxImage, base + 0x1000));
    }

    #[test]
    fn kernels_from_a_pipe_are_read_whole() {
        // A FIFO (`--kernel <(...)`): not a regular file, so the direct
        // Image path leaves it alone and the flat binary arrives intact.
        let dir = TempFile(
            std::env::temp_dir().join(format!("vireo-loader-fifo-{}", std::process::id())),
        );
        let c = std::ffi::CString::new(dir.0.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path; mkfifo only creates it.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let path = dir.0.clone();
        let writer = std::thread::spawn(move || std::fs::write(path, [0x13u8; 300]).unwrap());
        let ram = ram();
        let img = load_kernel(&ram, &dir.0, RAM_BASE + 0x1000, RAM_BASE + 0x20_0000).unwrap();
        writer.join().unwrap();
        assert_eq!(img.kind, ImageKind::Flat);
        assert_eq!(read(&ram, RAM_BASE + 0x1000, 300), [0x13u8; 300]);
    }

    #[test]
    fn linux_image_end_covers_the_file_when_image_size_is_smaller() {
        let ram = ram();
        let img =
            load_kernel_bytes(&ram, Path::new("t"), &linux_image(16, 0x500), 0, RAM_BASE).unwrap();
        assert_eq!(img.end, RAM_BASE + 0x540);
    }

    #[test]
    fn linux_image_with_only_the_old_magic_is_recognised() {
        let mut image = linux_image(0, 0x100);
        image[56..60].fill(0);
        let img = load_kernel_bytes(&ram(), Path::new("t"), &image, 0, RAM_BASE).unwrap();
        assert_eq!(img.kind, ImageKind::LinuxImage);
    }

    #[test]
    fn linux_image_errors() {
        let ram = ram();
        let p = Path::new("Image");
        let res = load_kernel_bytes(&ram, p, &linux_image(0, 64), 0, RAM_BASE + 0x1000);
        assert!(matches!(
            res,
            Err(LoadError::Misaligned {
                align: LINUX_IMAGE_ALIGN,
                ..
            })
        ));
        let res = load_kernel_bytes(&ram, p, &linux_image(RAM_SIZE, 64), 0, RAM_BASE + 0x20_0000);
        assert!(
            matches!(res, Err(LoadError::TooBig { size, room, .. }) if size == RAM_SIZE && room == RAM_SIZE - 0x20_0000)
        );
        let res = load_kernel_bytes(&ram, p, &linux_image(u64::MAX, 64), 0, RAM_BASE);
        assert!(matches!(res, Err(LoadError::TooBig { .. })));
        let res = load_kernel_bytes(&ram, p, &linux_image(0, 64), 0, 0x4000_0000);
        assert!(matches!(res, Err(LoadError::SegmentOutsideRam { .. })));
        let mut be = linux_image(0, 64);
        be[24] = 1;
        let res = load_kernel_bytes(&ram, p, &be, 0, RAM_BASE);
        assert!(matches!(res, Err(LoadError::Corrupt { .. })));
        assert_eq!(read(&ram, RAM_BASE, 8), [0; 8], "RAM untouched");
    }

    #[test]
    fn other_files_are_flat_binaries() {
        let ram = ram();
        let file = TempFile::new(&[0x73, 0x00, 0x10, 0x00, 1, 2]);
        let img = load_kernel(&ram, &file.0, RAM_BASE + 0x100, RAM_BASE).unwrap();
        assert_eq!(img.kind, ImageKind::Flat);
        assert_eq!(
            (img.entry, img.start, img.end),
            (RAM_BASE + 0x100, RAM_BASE + 0x100, RAM_BASE + 0x106)
        );
        assert_eq!(
            read(&ram, RAM_BASE + 0x100, 6),
            [0x73, 0x00, 0x10, 0x00, 1, 2]
        );

        let res = load_kernel(&ram, &file.0, RAM_BASE + RAM_SIZE - 2, RAM_BASE);
        assert!(matches!(
            res,
            Err(LoadError::TooBig {
                size: 6,
                room: 2,
                ..
            })
        ));
        let res = load_kernel(&ram, &file.0, 0, RAM_BASE);
        assert!(matches!(res, Err(LoadError::SegmentOutsideRam { .. })));
    }

    #[test]
    fn missing_empty_and_directory_paths_are_errors() {
        let ram = ram();
        let res = load_kernel(
            &ram,
            Path::new("/nonexistent/vireo/kernel"),
            RAM_BASE,
            RAM_BASE,
        );
        assert!(matches!(res, Err(LoadError::Io { .. })));
        assert!(res
            .unwrap_err()
            .to_string()
            .contains("/nonexistent/vireo/kernel"));
        let empty = TempFile::new(&[]);
        assert!(matches!(
            load_kernel(&ram, &empty.0, RAM_BASE, RAM_BASE),
            Err(LoadError::Empty { .. })
        ));
        assert!(matches!(
            load_firmware(&ram, &empty.0),
            Err(LoadError::Empty { .. })
        ));
        let res = load_kernel(&ram, &std::env::temp_dir(), RAM_BASE, RAM_BASE);
        assert!(matches!(res, Err(LoadError::Io { .. })));
    }

    #[test]
    fn firmware_flat_goes_to_ram_base_and_elf_to_its_addresses() {
        let ram = ram();
        let blob = TempFile::new(&[0x97, 0x02, 0x00, 0x00]);
        let img = load_firmware(&ram, &blob.0).unwrap();
        assert_eq!(
            (img.kind, img.entry, img.end),
            (ImageKind::Flat, RAM_BASE, RAM_BASE + 4)
        );

        let elf = TempFile::new(&sample_elf());
        let img = load_firmware(&ram, &elf.0).unwrap();
        assert_eq!((img.kind, img.entry), (ImageKind::Elf, RAM_BASE));
        assert_eq!(img.tohost, Some(RAM_BASE + 0x1000));
    }

    #[test]
    fn initrd_goes_high_below_the_limit_and_page_aligned() {
        // Arrange
        let ram = ram();
        let data: Vec<u8> = (0..5000u32).map(|i| i as u8).collect();
        let file = TempFile::new(&data);
        let kernel_end = RAM_BASE + 0x20_1234;
        let limit = RAM_BASE + RAM_SIZE - 0x10_0000;
        // Act
        let (start, end) = load_initrd(&ram, &file.0, kernel_end, limit).unwrap();
        // Assert
        assert_eq!(start % PAGE_SIZE, 0);
        assert_eq!(end, start + 5000);
        assert!(end <= limit && limit - end < PAGE_SIZE);
        assert!(start >= kernel_end);
        assert_eq!(read(&ram, start, 5000), data);
    }

    #[test]
    fn initrd_limit_is_clamped_to_ram() {
        let ram = ram();
        let file = TempFile::new(&[1; 10]);
        let (start, end) = load_initrd(&ram, &file.0, RAM_BASE, u64::MAX).unwrap();
        assert_eq!(
            (start, end),
            (
                RAM_BASE + RAM_SIZE - PAGE_SIZE,
                RAM_BASE + RAM_SIZE - PAGE_SIZE + 10
            )
        );
    }

    #[test]
    fn initrd_that_does_not_fit_is_too_big() {
        let ram = ram();
        let file = TempFile::new(&vec![1; 0x3000]);
        // Only 0x2000 bytes between the (page-aligned) kernel end and the limit.
        let res = load_initrd(&ram, &file.0, RAM_BASE + 0x1001, RAM_BASE + 0x4000);
        match res {
            Err(LoadError::TooBig {
                addr, size, room, ..
            }) => {
                assert_eq!((addr, size, room), (RAM_BASE + 0x2000, 0x3000, 0x2000));
            }
            other => panic!("expected TooBig, got {other:?}"),
        }
        // Kernel end past the limit, or past RAM: no room at all.
        let res = load_initrd(&ram, &file.0, RAM_BASE + RAM_SIZE, RAM_BASE + 0x4000);
        assert!(matches!(res, Err(LoadError::TooBig { room: 0, .. })));
        let res = load_initrd(&ram, &file.0, u64::MAX, u64::MAX);
        assert!(matches!(res, Err(LoadError::TooBig { room: 0, .. })));
        let empty = TempFile::new(&[]);
        let res = load_initrd(&ram, &empty.0, RAM_BASE, RAM_BASE + RAM_SIZE);
        assert!(matches!(res, Err(LoadError::Empty { .. })));
    }

    #[test]
    fn blobs_are_bounds_checked() {
        let ram = ram();
        write_blob(
            &ram,
            "device tree",
            RAM_BASE + RAM_SIZE - 4,
            &[0xd0, 0x0d, 0xfe, 0xed],
        )
        .unwrap();
        assert_eq!(
            read(&ram, RAM_BASE + RAM_SIZE - 4, 4),
            [0xd0, 0x0d, 0xfe, 0xed]
        );
        for addr in [RAM_BASE + RAM_SIZE - 3, 0, u64::MAX - 1] {
            let res = write_blob(&ram, "device tree", addr, &[0; 4]);
            assert!(matches!(
                res,
                Err(LoadError::BlobOutsideRam {
                    what: "device tree",
                    ..
                })
            ));
        }
    }

    #[test]
    fn error_messages_say_what_and_what_to_do() {
        let e = LoadError::NotRiscV {
            path: "/bin/true".into(),
            machine: 62,
        };
        assert_eq!(
            e.to_string(),
            "/bin/true is an ELF file for machine 62 (x86-64), not RISC-V (243); pass a riscv64 build"
        );
        let e = LoadError::SegmentOutsideRam {
            path: "k".into(),
            addr: 0x1000,
            len: 0x10,
            ram_base: RAM_BASE,
            ram_end: RAM_BASE + RAM_SIZE,
        };
        assert!(e.to_string().contains("0x1000") && e.to_string().contains("0x80400000"));
        let e = LoadError::TooBig {
            path: "initrd.img".into(),
            addr: 0x8020_1000,
            size: 20 << 20,
            room: 0xbff000,
        };
        assert_eq!(
            e.to_string(),
            "initrd.img needs 20.0 MiB (0x1400000 bytes) at guest address 0x80201000, but only \
             12.0 MiB (0xbff000 bytes) of RAM are free there; give the VM more memory or use a smaller image"
        );
    }

    /// Assemble and link a real bare-metal program with the riscv64 cross
    /// toolchain, when it is installed, and load it.
    #[test]
    fn toolchain_built_program_loads() {
        use std::process::Command;
        let have = |tool: &str| Command::new(tool).arg("--version").output().is_ok();
        if !have("riscv64-unknown-elf-as") || !have("riscv64-unknown-elf-ld") {
            eprintln!("skipped: riscv64-unknown-elf binutils not installed");
            return;
        }
        let dir = std::env::temp_dir().join(format!("vireo-loader-asm-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let src = dir.join("prog.S");
        std::fs::write(
            &src,
            "    .section .text\n    .globl _start\n_start:\n    la t0, tohost\n    li t1, 1\n    sd t1, 0(t0)\n1:  j 1b\n\
             \n    .section .tohost, \"aw\", @progbits\n    .align 6\n    .globl tohost\ntohost: .dword 0\n\
             \n    .align 6\n    .globl fromhost\nfromhost: .dword 0\n\
             \n    .bss\n    .space 0x3000\n",
        )
        .unwrap();
        // The layout of riscv-tests' link.ld: without room for them below
        // 0x80000000, the ELF headers are not part of a loadable segment.
        let script = dir.join("link.ld");
        std::fs::write(
            &script,
            "OUTPUT_ARCH(\"riscv\")\nENTRY(_start)\nSECTIONS {\n  . = 0x80000000;\n  .text : { *(.text) }\n\
             . = ALIGN(0x1000);\n  .tohost : { *(.tohost) }\n  . = ALIGN(0x1000);\n  .data : { *(.data) }\n\
             .bss : { *(.bss) }\n  _end = .;\n}\n",
        )
        .unwrap();
        let obj = dir.join("prog.o");
        let exe = dir.join("prog");
        let ok = Command::new("riscv64-unknown-elf-as")
            .args(["-march=rv64gc", "-o"])
            .arg(&obj)
            .arg(&src)
            .status()
            .unwrap()
            .success()
            && Command::new("riscv64-unknown-elf-ld")
                .arg("-T")
                .arg(&script)
                .arg("-o")
                .arg(&exe)
                .arg(&obj)
                .status()
                .unwrap()
                .success();
        assert!(ok, "assembling the test program failed");
        let nm = Command::new("riscv64-unknown-elf-nm").arg(&exe).output();

        let ram = ram();
        let img = load_kernel(&ram, &exe, 0, 0).unwrap();
        let _ = std::fs::remove_dir_all(&dir);

        assert_eq!(img.kind, ImageKind::Elf);
        assert_eq!(img.entry, RAM_BASE);
        let first = u32::from_le_bytes(read(&ram, RAM_BASE, 4).try_into().unwrap());
        assert_eq!(first & 0xfff, 0x297, "auipc t0 first");
        let (tohost, fromhost) = (img.tohost.unwrap(), img.fromhost.unwrap());
        assert_eq!(fromhost, tohost + 64);
        assert!(img.end >= tohost + 0x3000, "bss counted in end");
        if let Ok(nm) = nm {
            let text = String::from_utf8_lossy(&nm.stdout);
            let sym = |name: &str| {
                text.lines()
                    .find(|l| l.ends_with(&format!(" {name}")))
                    .and_then(|l| u64::from_str_radix(l.split(' ').next()?, 16).ok())
            };
            assert_eq!(sym("tohost"), Some(tohost));
            assert_eq!(sym("fromhost"), Some(fromhost));
        }
    }
}
