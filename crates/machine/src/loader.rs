//! TEMPORARY minimal loader (being replaced by the full loader).
use std::path::Path;
use thiserror::Error;
use vireo_memory::GuestRam;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    Elf,
    LinuxImage,
    Flat,
}
#[derive(Debug, Clone)]
pub struct LoadedImage {
    pub kind: ImageKind,
    pub entry: u64,
    pub start: u64,
    pub end: u64,
    pub tohost: Option<u64>,
    pub fromhost: Option<u64>,
}
#[derive(Debug, Error)]
pub enum LoadError {
    #[error("load error: {0}")]
    Other(String),
}

pub fn load_kernel(
    ram: &GuestRam,
    path: &Path,
    flat_base: u64,
    _linux_base: u64,
) -> Result<LoadedImage, LoadError> {
    let data =
        std::fs::read(path).map_err(|e| LoadError::Other(format!("{}: {e}", path.display())))?;
    if data.len() > 64 && &data[56..60] == b"RSC\x05" {
        let size = u64::from_le_bytes(data[16..24].try_into().unwrap());
        ram.write_bytes(_linux_base, &data).map_err(|e| LoadError::Other(e.to_string()))?;
        return Ok(LoadedImage { kind: ImageKind::LinuxImage, entry: _linux_base, start: _linux_base, end: _linux_base + size.max(data.len() as u64), tohost: None, fromhost: None });
    }
    let elf = goblin::elf::Elf::parse(&data).map_err(|e| LoadError::Other(e.to_string()))?;
    let mut end = 0;
    for ph in &elf.program_headers {
        if ph.p_type == goblin::elf::program_header::PT_LOAD {
            let seg = &data[ph.p_offset as usize..(ph.p_offset + ph.p_filesz) as usize];
            ram.write_bytes(ph.p_paddr, seg)
                .map_err(|e| LoadError::Other(e.to_string()))?;
            end = end.max(ph.p_paddr + ph.p_memsz);
        }
    }
    let mut tohost = None;
    let mut fromhost = None;
    for s in elf.syms.iter() {
        match elf.strtab.get_at(s.st_name) {
            Some("tohost") => tohost = Some(s.st_value),
            Some("fromhost") => fromhost = Some(s.st_value),
            _ => {}
        }
    }
    Ok(LoadedImage {
        kind: ImageKind::Elf,
        entry: elf.entry,
        start: flat_base,
        end,
        tohost,
        fromhost,
    })
}
pub fn load_firmware(ram: &GuestRam, path: &Path) -> Result<LoadedImage, LoadError> {
    load_kernel(ram, path, ram.base(), ram.base())
}
pub fn load_initrd(ram: &GuestRam, path: &Path, _kernel_end: u64, limit: u64) -> Result<(u64, u64), LoadError> {
    let data = std::fs::read(path).map_err(|e| LoadError::Other(format!("{}: {e}", path.display())))?;
    let start = (limit - data.len() as u64) & !0xfff;
    ram.write_bytes(start, &data).map_err(|e| LoadError::Other(e.to_string()))?;
    Ok((start, start + data.len() as u64))
}
