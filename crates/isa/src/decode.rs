//! The decoder (to be filled in).
use crate::{Insn, Op};

/// Length in bytes of the instruction whose first 16-bit parcel is `parcel`.
pub fn insn_len(parcel: u16) -> u8 {
    if parcel & 3 == 3 {
        4
    } else {
        2
    }
}

/// Decode an instruction. If the low two bits are not `0b11` only the low
/// 16 bits are used and the instruction is decoded as compressed.
pub fn decode(raw: u32) -> Insn {
    if raw & 3 != 3 {
        return decode_compressed(raw as u16);
    }
    let _ = Op::Illegal;
    Insn::illegal(raw, 4)
}

/// Decode (expand) a 16-bit compressed instruction.
pub fn decode_compressed(raw: u16) -> Insn {
    Insn::illegal(raw as u32, 2)
}
