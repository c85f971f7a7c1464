//! Helpers for narrow and wide accesses to registers.
//!
//! Guests may access a register with a size different from its width (a
//! 32-bit half of a 64-bit register, a byte of a 32-bit register). These
//! helpers extract or merge the accessed bytes so device models can keep
//! one code path per register.

/// Mask with the low `size` bytes set (`size` of 8 or more gives all ones).
pub(crate) fn size_mask(size: u8) -> u64 {
    if size >= 8 {
        u64::MAX
    } else {
        (1u64 << (u32::from(size) * 8)) - 1
    }
}

/// True when `[offset, offset+size)` lies inside a register of `width`
/// bytes that starts at a multiple of `width`.
pub(crate) fn fits(offset: u64, size: u8, width: u64) -> bool {
    let size = u64::from(size);
    size != 0 && size <= width && (offset % width) + size <= width
}

/// The `size` bytes at byte `shift` of a register holding `value`.
pub(crate) fn extract(value: u64, shift: u64, size: u8) -> u64 {
    value.checked_shr((shift * 8) as u32).unwrap_or(0) & size_mask(size)
}

/// `old` with the `size` bytes at byte `shift` replaced by `value`.
pub(crate) fn deposit(old: u64, shift: u64, size: u8, value: u64) -> u64 {
    let bits = (shift * 8) as u32;
    let mask = size_mask(size).checked_shl(bits).unwrap_or(0);
    let new = (value & size_mask(size)).checked_shl(bits).unwrap_or(0);
    (old & !mask) | new
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extract_and_deposit_bytes() {
        assert_eq!(extract(0x1122_3344_5566_7788, 4, 4), 0x1122_3344);
        assert_eq!(extract(0x1122_3344_5566_7788, 1, 1), 0x77);
        assert_eq!(
            deposit(0x1122_3344_5566_7788, 0, 4, 0xaabb_ccdd),
            0x1122_3344_aabb_ccdd
        );
        assert_eq!(deposit(0, 7, 1, 0x1ff), 0xff00_0000_0000_0000);
        assert!(fits(0x4, 4, 8) && !fits(0x6, 4, 8) && !fits(0, 0, 4));
    }
}
