//! The instruction decoder.
//!
//! [`decode`] dispatches on the major opcode (bits 6:2) and then on
//! `funct3`/`funct7` (or the exact word for the fixed-encoding system
//! instructions). Compressed instructions are expanded by
//! [`decode_compressed`] into the same [`Insn`] their 32-bit equivalent
//! decodes to, except for `len` and `raw`.
//!
//! Anything reserved, unassigned or belonging to an extension vireo does not
//! implement decodes to [`Op::Illegal`]; so does any encoding whose
//! must-be-zero fields are not zero. Fields the specification says
//! implementations must *ignore* (the `rd`/`rs1` fields of `fence`, and the
//! `imm`/`rs1`/`rd` fields of `fence.i`) are ignored. Reserved rounding modes
//! (5, 6, and 7 where the dynamic mode is invalid) are *not* rejected here:
//! the hart checks `rm` against `frm` when it executes the instruction.

use crate::{Insn, Op};

/// Length in bytes of the instruction whose first 16-bit parcel is `parcel`.
///
/// vireo's ILEN is 32: the 48-bit and longer encodings (low bits `11111`)
/// are reported as 4 bytes long and decode to [`Op::Illegal`].
#[inline]
pub fn insn_len(parcel: u16) -> u8 {
    if parcel & 3 == 3 {
        4
    } else {
        2
    }
}

// ---------------------------------------------------------------------------
// Field extraction for 32-bit instructions.

#[inline(always)]
fn rd(w: u32) -> u8 {
    ((w >> 7) & 0x1f) as u8
}

#[inline(always)]
fn rs1(w: u32) -> u8 {
    ((w >> 15) & 0x1f) as u8
}

#[inline(always)]
fn rs2(w: u32) -> u8 {
    ((w >> 20) & 0x1f) as u8
}

#[inline(always)]
fn rs3(w: u32) -> u8 {
    (w >> 27) as u8
}

#[inline(always)]
fn funct3(w: u32) -> u32 {
    (w >> 12) & 7
}

#[inline(always)]
fn funct7(w: u32) -> u32 {
    w >> 25
}

/// I-type immediate, sign-extended.
#[inline(always)]
fn imm_i(w: u32) -> i64 {
    ((w as i32) >> 20) as i64
}

/// S-type immediate, sign-extended.
#[inline(always)]
fn imm_s(w: u32) -> i64 {
    ((((w as i32) >> 25) << 5) | ((w >> 7) & 0x1f) as i32) as i64
}

/// B-type immediate (byte offset), sign-extended.
#[inline(always)]
fn imm_b(w: u32) -> i64 {
    let v = (((w as i32) >> 31) << 12) as u32 // imm[12]
        | ((w << 4) & 0x800) // imm[11]  <- bit 7
        | ((w >> 20) & 0x7e0) // imm[10:5] <- bits 30:25
        | ((w >> 7) & 0x1e); // imm[4:1] <- bits 11:8
    v as i32 as i64
}

/// U-type immediate (already shifted), sign-extended.
#[inline(always)]
fn imm_u(w: u32) -> i64 {
    (w & 0xffff_f000) as i32 as i64
}

/// J-type immediate (byte offset), sign-extended.
#[inline(always)]
fn imm_j(w: u32) -> i64 {
    let v = (((w as i32) >> 31) << 20) as u32 // imm[20]
        | (w & 0x000f_f000) // imm[19:12]
        | ((w >> 9) & 0x800) // imm[11] <- bit 20
        | ((w >> 20) & 0x7fe); // imm[10:1] <- bits 30:21
    v as i32 as i64
}

/// Build a 32-bit instruction.
#[inline(always)]
const fn mk(op: Op, rd: u8, rs1: u8, rs2: u8, imm: i64, raw: u32) -> Insn {
    Insn {
        op,
        rd,
        rs1,
        rs2,
        rs3: 0,
        rm: 0,
        len: 4,
        imm,
        raw,
    }
}

/// R-type: `op rd, rs1, rs2`.
#[inline(always)]
fn r(op: Op, w: u32) -> Insn {
    mk(op, rd(w), rs1(w), rs2(w), 0, w)
}

/// I-type with the given immediate: `op rd, rs1, imm`.
#[inline(always)]
fn i(op: Op, w: u32, imm: i64) -> Insn {
    mk(op, rd(w), rs1(w), 0, imm, w)
}

/// Unary `op rd, rs1` (no immediate, no rs2).
#[inline(always)]
fn unary(op: Op, w: u32) -> Insn {
    mk(op, rd(w), rs1(w), 0, 0, w)
}

/// R-type with the rounding-mode field kept in `rm`.
#[inline(always)]
fn r_rm(op: Op, w: u32) -> Insn {
    let mut insn = r(op, w);
    insn.rm = funct3(w) as u8;
    insn
}

/// Unary with the rounding-mode field kept in `rm` (`fsqrt`, `fcvt`).
#[inline(always)]
fn unary_rm(op: Op, w: u32) -> Insn {
    let mut insn = unary(op, w);
    insn.rm = funct3(w) as u8;
    insn
}

#[inline(always)]
fn ill(w: u32) -> Insn {
    Insn::illegal(w, 4)
}

// ---------------------------------------------------------------------------
// 32-bit decoding.

/// Decode an instruction. If the low two bits are not `0b11` only the low
/// 16 bits are used and the instruction is decoded as compressed.
#[inline]
pub fn decode(raw: u32) -> Insn {
    if raw & 3 != 3 {
        return decode_compressed(raw as u16);
    }
    let w = raw;
    match (w >> 2) & 0x1f {
        0x00 => load(w),
        0x01 => load_fp(w),
        0x03 => misc_mem(w),
        0x04 => op_imm(w),
        0x05 => mk(Op::Auipc, rd(w), 0, 0, imm_u(w), w),
        0x06 => op_imm_32(w),
        0x08 => store(w),
        0x09 => store_fp(w),
        0x0b => amo(w),
        0x0c => op(w),
        0x0d => mk(Op::Lui, rd(w), 0, 0, imm_u(w), w),
        0x0e => op_32(w),
        0x10..=0x13 => fma(w),
        0x14 => op_fp(w),
        0x18 => branch(w),
        0x19 => {
            if funct3(w) == 0 {
                i(Op::Jalr, w, imm_i(w))
            } else {
                ill(w)
            }
        }
        0x1b => mk(Op::Jal, rd(w), 0, 0, imm_j(w), w),
        0x1c => system(w),
        _ => ill(w),
    }
}

fn load(w: u32) -> Insn {
    let op = match funct3(w) {
        0 => Op::Lb,
        1 => Op::Lh,
        2 => Op::Lw,
        3 => Op::Ld,
        4 => Op::Lbu,
        5 => Op::Lhu,
        6 => Op::Lwu,
        _ => return ill(w),
    };
    i(op, w, imm_i(w))
}

fn store(w: u32) -> Insn {
    let op = match funct3(w) {
        0 => Op::Sb,
        1 => Op::Sh,
        2 => Op::Sw,
        3 => Op::Sd,
        _ => return ill(w),
    };
    mk(op, 0, rs1(w), rs2(w), imm_s(w), w)
}

fn load_fp(w: u32) -> Insn {
    let op = match funct3(w) {
        2 => Op::Flw,
        3 => Op::Fld,
        _ => return ill(w),
    };
    i(op, w, imm_i(w))
}

fn store_fp(w: u32) -> Insn {
    let op = match funct3(w) {
        2 => Op::Fsw,
        3 => Op::Fsd,
        _ => return ill(w),
    };
    mk(op, 0, rs1(w), rs2(w), imm_s(w), w)
}

fn branch(w: u32) -> Insn {
    let op = match funct3(w) {
        0 => Op::Beq,
        1 => Op::Bne,
        4 => Op::Blt,
        5 => Op::Bge,
        6 => Op::Bltu,
        7 => Op::Bgeu,
        _ => return ill(w),
    };
    mk(op, 0, rs1(w), rs2(w), imm_b(w), w)
}

fn misc_mem(w: u32) -> Insn {
    match funct3(w) {
        // fm|pred|succ, zero-extended. rd/rs1 are ignored per the spec.
        0 => mk(Op::Fence, rd(w), rs1(w), 0, (w >> 20) as i64, w),
        // imm/rs1/rd are ignored per the spec.
        1 => mk(Op::FenceI, 0, 0, 0, 0, w),
        2 => {
            if rd(w) != 0 {
                return ill(w);
            }
            let op = match w >> 20 {
                0 => Op::CboInval,
                1 => Op::CboClean,
                2 => Op::CboFlush,
                4 => Op::CboZero,
                _ => return ill(w),
            };
            mk(op, 0, rs1(w), 0, 0, w)
        }
        _ => ill(w),
    }
}

fn op_imm(w: u32) -> Insn {
    let shamt = ((w >> 20) & 0x3f) as i64;
    match funct3(w) {
        0 => i(Op::Addi, w, imm_i(w)),
        2 => i(Op::Slti, w, imm_i(w)),
        3 => i(Op::Sltiu, w, imm_i(w)),
        4 => i(Op::Xori, w, imm_i(w)),
        6 => i(Op::Ori, w, imm_i(w)),
        7 => i(Op::Andi, w, imm_i(w)),
        1 => match w >> 26 {
            0x00 => i(Op::Slli, w, shamt),
            0x0a => i(Op::Bseti, w, shamt),
            0x12 => i(Op::Bclri, w, shamt),
            0x1a => i(Op::Binvi, w, shamt),
            0x18 => match (w >> 20) & 0x3f {
                0x00 => unary(Op::Clz, w),
                0x01 => unary(Op::Ctz, w),
                0x02 => unary(Op::Cpop, w),
                0x04 => unary(Op::SextB, w),
                0x05 => unary(Op::SextH, w),
                _ => ill(w),
            },
            _ => ill(w),
        },
        _ => match w >> 26 {
            // funct3 == 5
            0x00 => i(Op::Srli, w, shamt),
            0x10 => i(Op::Srai, w, shamt),
            0x18 => i(Op::Rori, w, shamt),
            0x12 => i(Op::Bexti, w, shamt),
            _ => match w >> 20 {
                0x287 => unary(Op::OrcB, w),
                0x6b8 => unary(Op::Rev8, w),
                _ => ill(w),
            },
        },
    }
}

fn op_imm_32(w: u32) -> Insn {
    let shamt5 = ((w >> 20) & 0x1f) as i64;
    match funct3(w) {
        0 => i(Op::Addiw, w, imm_i(w)),
        1 => match funct7(w) {
            0x00 => i(Op::Slliw, w, shamt5),
            0x04 | 0x05 => i(Op::SlliUw, w, ((w >> 20) & 0x3f) as i64),
            0x30 => match rs2(w) {
                0 => unary(Op::Clzw, w),
                1 => unary(Op::Ctzw, w),
                2 => unary(Op::Cpopw, w),
                _ => ill(w),
            },
            _ => ill(w),
        },
        5 => match funct7(w) {
            0x00 => i(Op::Srliw, w, shamt5),
            0x20 => i(Op::Sraiw, w, shamt5),
            0x30 => i(Op::Roriw, w, shamt5),
            _ => ill(w),
        },
        _ => ill(w),
    }
}

fn op(w: u32) -> Insn {
    let op = match (funct7(w), funct3(w)) {
        (0x00, 0) => Op::Add,
        (0x00, 1) => Op::Sll,
        (0x00, 2) => Op::Slt,
        (0x00, 3) => Op::Sltu,
        (0x00, 4) => Op::Xor,
        (0x00, 5) => Op::Srl,
        (0x00, 6) => Op::Or,
        (0x00, 7) => Op::And,
        (0x20, 0) => Op::Sub,
        (0x20, 5) => Op::Sra,
        (0x20, 4) => Op::Xnor,
        (0x20, 6) => Op::Orn,
        (0x20, 7) => Op::Andn,
        (0x01, 0) => Op::Mul,
        (0x01, 1) => Op::Mulh,
        (0x01, 2) => Op::Mulhsu,
        (0x01, 3) => Op::Mulhu,
        (0x01, 4) => Op::Div,
        (0x01, 5) => Op::Divu,
        (0x01, 6) => Op::Rem,
        (0x01, 7) => Op::Remu,
        (0x10, 2) => Op::Sh1add,
        (0x10, 4) => Op::Sh2add,
        (0x10, 6) => Op::Sh3add,
        (0x05, 1) => Op::Clmul,
        (0x05, 2) => Op::Clmulr,
        (0x05, 3) => Op::Clmulh,
        (0x05, 4) => Op::Min,
        (0x05, 5) => Op::Minu,
        (0x05, 6) => Op::Max,
        (0x05, 7) => Op::Maxu,
        (0x30, 1) => Op::Rol,
        (0x30, 5) => Op::Ror,
        (0x24, 1) => Op::Bclr,
        (0x24, 5) => Op::Bext,
        (0x34, 1) => Op::Binv,
        (0x14, 1) => Op::Bset,
        (0x07, 5) => Op::CzeroEqz,
        (0x07, 7) => Op::CzeroNez,
        _ => return ill(w),
    };
    r(op, w)
}

fn op_32(w: u32) -> Insn {
    let op = match (funct7(w), funct3(w)) {
        (0x00, 0) => Op::Addw,
        (0x00, 1) => Op::Sllw,
        (0x00, 5) => Op::Srlw,
        (0x20, 0) => Op::Subw,
        (0x20, 5) => Op::Sraw,
        (0x01, 0) => Op::Mulw,
        (0x01, 4) => Op::Divw,
        (0x01, 5) => Op::Divuw,
        (0x01, 6) => Op::Remw,
        (0x01, 7) => Op::Remuw,
        (0x04, 0) => Op::AddUw,
        (0x04, 4) => {
            return if rs2(w) == 0 {
                unary(Op::ZextH, w)
            } else {
                ill(w)
            };
        }
        (0x10, 2) => Op::Sh1addUw,
        (0x10, 4) => Op::Sh2addUw,
        (0x10, 6) => Op::Sh3addUw,
        (0x30, 1) => Op::Rolw,
        (0x30, 5) => Op::Rorw,
        _ => return ill(w),
    };
    r(op, w)
}

fn amo(w: u32) -> Insn {
    let dword = match funct3(w) {
        2 => false,
        3 => true,
        _ => return ill(w),
    };
    let op = match (w >> 27, dword) {
        (0x02, false) => Op::LrW,
        (0x03, false) => Op::ScW,
        (0x01, false) => Op::AmoswapW,
        (0x00, false) => Op::AmoaddW,
        (0x04, false) => Op::AmoxorW,
        (0x0c, false) => Op::AmoandW,
        (0x08, false) => Op::AmoorW,
        (0x10, false) => Op::AmominW,
        (0x14, false) => Op::AmomaxW,
        (0x18, false) => Op::AmominuW,
        (0x1c, false) => Op::AmomaxuW,
        (0x02, true) => Op::LrD,
        (0x03, true) => Op::ScD,
        (0x01, true) => Op::AmoswapD,
        (0x00, true) => Op::AmoaddD,
        (0x04, true) => Op::AmoxorD,
        (0x0c, true) => Op::AmoandD,
        (0x08, true) => Op::AmoorD,
        (0x10, true) => Op::AmominD,
        (0x14, true) => Op::AmomaxD,
        (0x18, true) => Op::AmominuD,
        (0x1c, true) => Op::AmomaxuD,
        _ => return ill(w),
    };
    if matches!(op, Op::LrW | Op::LrD) && rs2(w) != 0 {
        return ill(w);
    }
    let mut insn = r(op, w);
    insn.rm = ((w >> 25) & 3) as u8;
    insn
}

fn fma(w: u32) -> Insn {
    let double = match (w >> 25) & 3 {
        0 => false,
        1 => true,
        _ => return ill(w),
    };
    let op = match ((w >> 2) & 3, double) {
        (0, false) => Op::FmaddS,
        (1, false) => Op::FmsubS,
        (2, false) => Op::FnmsubS,
        (3, false) => Op::FnmaddS,
        (0, true) => Op::FmaddD,
        (1, true) => Op::FmsubD,
        (2, true) => Op::FnmsubD,
        _ => Op::FnmaddD,
    };
    let mut insn = r_rm(op, w);
    insn.rs3 = rs3(w);
    insn
}

fn op_fp(w: u32) -> Insn {
    let f3 = funct3(w);
    let src2 = rs2(w);
    match funct7(w) {
        0x00 => r_rm(Op::FaddS, w),
        0x01 => r_rm(Op::FaddD, w),
        0x04 => r_rm(Op::FsubS, w),
        0x05 => r_rm(Op::FsubD, w),
        0x08 => r_rm(Op::FmulS, w),
        0x09 => r_rm(Op::FmulD, w),
        0x0c => r_rm(Op::FdivS, w),
        0x0d => r_rm(Op::FdivD, w),
        0x2c if src2 == 0 => unary_rm(Op::FsqrtS, w),
        0x2d if src2 == 0 => unary_rm(Op::FsqrtD, w),
        0x10 => match f3 {
            0 => r(Op::FsgnjS, w),
            1 => r(Op::FsgnjnS, w),
            2 => r(Op::FsgnjxS, w),
            _ => ill(w),
        },
        0x11 => match f3 {
            0 => r(Op::FsgnjD, w),
            1 => r(Op::FsgnjnD, w),
            2 => r(Op::FsgnjxD, w),
            _ => ill(w),
        },
        0x14 => match f3 {
            0 => r(Op::FminS, w),
            1 => r(Op::FmaxS, w),
            _ => ill(w),
        },
        0x15 => match f3 {
            0 => r(Op::FminD, w),
            1 => r(Op::FmaxD, w),
            _ => ill(w),
        },
        0x20 if src2 == 1 => unary_rm(Op::FcvtSD, w),
        0x21 if src2 == 0 => unary_rm(Op::FcvtDS, w),
        0x50 => match f3 {
            0 => r(Op::FleS, w),
            1 => r(Op::FltS, w),
            2 => r(Op::FeqS, w),
            _ => ill(w),
        },
        0x51 => match f3 {
            0 => r(Op::FleD, w),
            1 => r(Op::FltD, w),
            2 => r(Op::FeqD, w),
            _ => ill(w),
        },
        0x60 => match src2 {
            0 => unary_rm(Op::FcvtWS, w),
            1 => unary_rm(Op::FcvtWuS, w),
            2 => unary_rm(Op::FcvtLS, w),
            3 => unary_rm(Op::FcvtLuS, w),
            _ => ill(w),
        },
        0x61 => match src2 {
            0 => unary_rm(Op::FcvtWD, w),
            1 => unary_rm(Op::FcvtWuD, w),
            2 => unary_rm(Op::FcvtLD, w),
            3 => unary_rm(Op::FcvtLuD, w),
            _ => ill(w),
        },
        0x68 => match src2 {
            0 => unary_rm(Op::FcvtSW, w),
            1 => unary_rm(Op::FcvtSWu, w),
            2 => unary_rm(Op::FcvtSL, w),
            3 => unary_rm(Op::FcvtSLu, w),
            _ => ill(w),
        },
        0x69 => match src2 {
            0 => unary_rm(Op::FcvtDW, w),
            1 => unary_rm(Op::FcvtDWu, w),
            2 => unary_rm(Op::FcvtDL, w),
            3 => unary_rm(Op::FcvtDLu, w),
            _ => ill(w),
        },
        0x70 if src2 == 0 => match f3 {
            0 => unary(Op::FmvXW, w),
            1 => unary(Op::FclassS, w),
            _ => ill(w),
        },
        0x71 if src2 == 0 => match f3 {
            0 => unary(Op::FmvXD, w),
            1 => unary(Op::FclassD, w),
            _ => ill(w),
        },
        0x78 if src2 == 0 && f3 == 0 => unary(Op::FmvWX, w),
        0x79 if src2 == 0 && f3 == 0 => unary(Op::FmvDX, w),
        _ => ill(w),
    }
}

fn system(w: u32) -> Insn {
    let csr = (w >> 20) as i64;
    match funct3(w) {
        0 => match w {
            0x0000_0073 => mk(Op::Ecall, 0, 0, 0, 0, w),
            0x0010_0073 => mk(Op::Ebreak, 0, 0, 0, 0, w),
            0x1020_0073 => mk(Op::Sret, 0, 0, 0, 0, w),
            0x3020_0073 => mk(Op::Mret, 0, 0, 0, 0, w),
            0x1050_0073 => mk(Op::Wfi, 0, 0, 0, 0, w),
            _ if funct7(w) == 0x09 && rd(w) == 0 => mk(Op::SfenceVma, 0, rs1(w), rs2(w), 0, w),
            _ => ill(w),
        },
        1 => i(Op::Csrrw, w, csr),
        2 => i(Op::Csrrs, w, csr),
        3 => i(Op::Csrrc, w, csr),
        5 => i(Op::Csrrwi, w, csr),
        6 => i(Op::Csrrsi, w, csr),
        7 => i(Op::Csrrci, w, csr),
        _ => ill(w),
    }
}

// ---------------------------------------------------------------------------
// Compressed decoding.

/// Build an expanded compressed instruction.
#[inline(always)]
const fn mkc(op: Op, rd: u8, rs1: u8, rs2: u8, imm: i64, raw: u16) -> Insn {
    Insn {
        op,
        rd,
        rs1,
        rs2,
        rs3: 0,
        rm: 0,
        len: 2,
        imm,
        raw: raw as u32,
    }
}

/// Sign-extend the low `bits` bits of `v`.
#[inline(always)]
const fn sext(v: u32, bits: u32) -> i64 {
    let s = 64 - bits;
    ((v as i64) << s) >> s
}

/// CI-format 6-bit immediate: imm[5] = bit 12, imm[4:0] = bits 6:2.
#[inline(always)]
const fn ci_imm(w: u32) -> u32 {
    ((w >> 7) & 0x20) | ((w >> 2) & 0x1f)
}

/// Decode (expand) a 16-bit compressed instruction (RV64C with the D-extension
/// loads and stores; no C.FLW/C.FSW, which are C.LD/C.SD on RV64).
///
/// A parcel whose low two bits are `0b11` is the first half of a 32-bit
/// instruction, not a compressed one; it yields [`Op::Illegal`] with
/// `len == 4` (matching [`insn_len`]).
pub fn decode_compressed(raw: u16) -> Insn {
    let w = raw as u32;
    let ill = Insn::illegal(w, 2);
    // rd'/rs2' (bits 4:2) and rs1'/rd' (bits 9:7), mapped to x8..x15.
    let r_lo = (((w >> 2) & 7) + 8) as u8;
    let r_hi = (((w >> 7) & 7) + 8) as u8;
    // Full 5-bit rd/rs1 (bits 11:7) and rs2 (bits 6:2).
    let r_d = ((w >> 7) & 0x1f) as u8;
    let r_s2 = ((w >> 2) & 0x1f) as u8;
    match (w & 3, (w >> 13) & 7) {
        // ---------------- Quadrant 0 ----------------
        (0, 0) => {
            // C.ADDI4SPN: nzuimm[5:4|9:6|2|3] in bits 12:5.
            let imm = ((w >> 7) & 0x30) | ((w >> 1) & 0x3c0) | ((w >> 4) & 0x4) | ((w >> 2) & 0x8);
            if imm == 0 {
                return ill;
            }
            mkc(Op::Addi, r_lo, 2, 0, imm as i64, raw)
        }
        (0, 1) | (0, 3) => {
            // C.FLD / C.LD: uimm[5:3] = bits 12:10, uimm[7:6] = bits 6:5.
            let imm = ((w >> 7) & 0x38) | ((w << 1) & 0xc0);
            let op = if (w >> 13) & 7 == 1 { Op::Fld } else { Op::Ld };
            mkc(op, r_lo, r_hi, 0, imm as i64, raw)
        }
        (0, 2) => {
            // C.LW: uimm[5:3] = bits 12:10, uimm[2] = bit 6, uimm[6] = bit 5.
            let imm = ((w >> 7) & 0x38) | ((w >> 4) & 0x4) | ((w << 1) & 0x40);
            mkc(Op::Lw, r_lo, r_hi, 0, imm as i64, raw)
        }
        (0, 5) | (0, 7) => {
            // C.FSD / C.SD
            let imm = ((w >> 7) & 0x38) | ((w << 1) & 0xc0);
            let op = if (w >> 13) & 7 == 5 { Op::Fsd } else { Op::Sd };
            mkc(op, 0, r_hi, r_lo, imm as i64, raw)
        }
        (0, 6) => {
            // C.SW
            let imm = ((w >> 7) & 0x38) | ((w >> 4) & 0x4) | ((w << 1) & 0x40);
            mkc(Op::Sw, 0, r_hi, r_lo, imm as i64, raw)
        }
        (0, _) => ill, // funct3 100: reserved (Zcb, not implemented)

        // ---------------- Quadrant 1 ----------------
        // C.NOP / C.ADDI (rd=0 or imm=0 are HINTs)
        (1, 0) => mkc(Op::Addi, r_d, r_d, 0, sext(ci_imm(w), 6), raw),
        (1, 1) => {
            // C.ADDIW (RV64; this slot is C.JAL on RV32)
            if r_d == 0 {
                return ill;
            }
            mkc(Op::Addiw, r_d, r_d, 0, sext(ci_imm(w), 6), raw)
        }
        // C.LI (rd=0 is a HINT)
        (1, 2) => mkc(Op::Addi, r_d, 0, 0, sext(ci_imm(w), 6), raw),
        (1, 3) => {
            if r_d == 2 {
                // C.ADDI16SP: nzimm[9] = bit 12, nzimm[4|6|8:7|5] = bits 6:2.
                let imm = ((w >> 3) & 0x200)
                    | ((w >> 2) & 0x10)
                    | ((w << 1) & 0x40)
                    | ((w << 4) & 0x180)
                    | ((w << 3) & 0x20);
                if imm == 0 {
                    return ill;
                }
                mkc(Op::Addi, 2, 2, 0, sext(imm, 10), raw)
            } else {
                // C.LUI: nzimm[17] = bit 12, nzimm[16:12] = bits 6:2 (rd=0 is a HINT).
                let imm = ci_imm(w);
                if imm == 0 {
                    return ill;
                }
                mkc(Op::Lui, r_d, 0, 0, sext(imm << 12, 18), raw)
            }
        }
        (1, 4) => {
            let shamt = ci_imm(w) as i64;
            match (w >> 10) & 3 {
                // C.SRLI / C.SRAI (shamt=0 is a HINT)
                0 => mkc(Op::Srli, r_hi, r_hi, 0, shamt, raw),
                1 => mkc(Op::Srai, r_hi, r_hi, 0, shamt, raw),
                // C.ANDI
                2 => mkc(Op::Andi, r_hi, r_hi, 0, sext(ci_imm(w), 6), raw),
                _ => {
                    let op = match ((w >> 12) & 1, (w >> 5) & 3) {
                        (0, 0) => Op::Sub,
                        (0, 1) => Op::Xor,
                        (0, 2) => Op::Or,
                        (0, 3) => Op::And,
                        (1, 0) => Op::Subw,
                        (1, 1) => Op::Addw,
                        _ => return ill, // reserved (Zcb, not implemented)
                    };
                    mkc(op, r_hi, r_hi, r_lo, 0, raw)
                }
            }
        }
        (1, 5) => {
            // C.J: imm[11|4|9:8|10|6|7|3:1|5] in bits 12:2.
            let imm = ((w >> 1) & 0x800)
                | ((w >> 7) & 0x10)
                | ((w >> 1) & 0x300)
                | ((w << 2) & 0x400)
                | ((w >> 1) & 0x40)
                | ((w << 1) & 0x80)
                | ((w >> 2) & 0xe)
                | ((w << 3) & 0x20);
            mkc(Op::Jal, 0, 0, 0, sext(imm, 12), raw)
        }
        (1, _) => {
            // C.BEQZ / C.BNEZ: imm[8|4:3] = bits 12:10, imm[7:6|2:1|5] = bits 6:2.
            let imm = ((w >> 4) & 0x100)
                | ((w >> 7) & 0x18)
                | ((w << 1) & 0xc0)
                | ((w >> 2) & 0x6)
                | ((w << 3) & 0x20);
            let op = if (w >> 13) & 7 == 6 { Op::Beq } else { Op::Bne };
            mkc(op, 0, r_hi, 0, sext(imm, 9), raw)
        }

        // ---------------- Quadrant 2 ----------------
        // C.SLLI (rd=0 or shamt=0 are HINTs)
        (2, 0) => mkc(Op::Slli, r_d, r_d, 0, ci_imm(w) as i64, raw),
        (2, 1) | (2, 3) => {
            // C.FLDSP / C.LDSP: uimm[5] = bit 12, uimm[4:3|8:6] = bits 6:2.
            let imm = ((w >> 7) & 0x20) | ((w >> 2) & 0x18) | ((w << 4) & 0x1c0);
            if (w >> 13) & 7 == 1 {
                mkc(Op::Fld, r_d, 2, 0, imm as i64, raw)
            } else if r_d == 0 {
                ill
            } else {
                mkc(Op::Ld, r_d, 2, 0, imm as i64, raw)
            }
        }
        (2, 2) => {
            // C.LWSP: uimm[5] = bit 12, uimm[4:2|7:6] = bits 6:2.
            if r_d == 0 {
                return ill;
            }
            let imm = ((w >> 7) & 0x20) | ((w >> 2) & 0x1c) | ((w << 4) & 0xc0);
            mkc(Op::Lw, r_d, 2, 0, imm as i64, raw)
        }
        (2, 4) => match ((w >> 12) & 1, r_d, r_s2) {
            (0, 0, 0) => ill,                                  // C.JR with rs1=0: reserved
            (0, _, 0) => mkc(Op::Jalr, 0, r_d, 0, 0, raw),     // C.JR
            (0, _, _) => mkc(Op::Add, r_d, 0, r_s2, 0, raw),   // C.MV
            (_, 0, 0) => mkc(Op::Ebreak, 0, 0, 0, 0, raw),     // C.EBREAK
            (_, _, 0) => mkc(Op::Jalr, 1, r_d, 0, 0, raw),     // C.JALR
            (_, _, _) => mkc(Op::Add, r_d, r_d, r_s2, 0, raw), // C.ADD
        },
        (2, 5) | (2, 7) => {
            // C.FSDSP / C.SDSP: uimm[5:3|8:6] = bits 12:7.
            let imm = ((w >> 7) & 0x38) | ((w >> 1) & 0x1c0);
            let op = if (w >> 13) & 7 == 5 { Op::Fsd } else { Op::Sd };
            mkc(op, 0, 2, r_s2, imm as i64, raw)
        }
        (2, _) => {
            // C.SWSP: uimm[5:2|7:6] = bits 12:7.
            let imm = ((w >> 7) & 0x3c) | ((w >> 1) & 0xc0);
            mkc(Op::Sw, 0, 2, r_s2, imm as i64, raw)
        }

        // Not a compressed instruction.
        _ => Insn::illegal(w, 4),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Op::*;

    /// Check op and the main operand fields of a 32-bit decode.
    #[track_caller]
    fn chk(w: u32, op: Op, rd: u8, rs1: u8, rs2: u8, imm: i64) {
        let i = decode(w);
        assert_eq!(
            (i.op, i.rd, i.rs1, i.rs2, i.imm, i.len, i.raw),
            (op, rd, rs1, rs2, imm, 4, w),
            "word {w:#010x}"
        );
    }

    #[test]
    fn rv64i() {
        chk(0x1234_5537, Lui, 10, 0, 0, 0x1234_5000);
        chk(0xffff_ffb7, Lui, 31, 0, 0, -4096);
        chk(0x8000_0117, Auipc, 2, 0, 0, -0x8000_0000);
        chk(0x0010_00ef, Jal, 1, 0, 0, 2048);
        chk(0xffdf_f06f, Jal, 0, 0, 0, -4);
        chk(0x7fff_f46f, Jal, 8, 0, 0, 1_048_574);
        chk(0x8000_046f, Jal, 8, 0, 0, -1_048_576);
        chk(0x8002_8067, Jalr, 0, 5, 0, -2048);
        chk(0x7ffd_8367, Jalr, 6, 27, 0, 2047);
        chk(0x0073_0863, Beq, 0, 6, 7, 16);
        chk(0x8005_1063, Bne, 0, 10, 0, -4096);
        chk(0x7f24_cfe3, Blt, 0, 9, 18, 4094);
        chk(0xff07_dfe3, Bge, 0, 15, 16, -2);
        chk(0x01de_6463, Bltu, 0, 28, 29, 8);
        chk(0xfe41_fce3, Bgeu, 0, 3, 4, -8);
        chk(0xfff5_8503, Lb, 10, 11, 0, -1);
        chk(0x7ff1_1603, Lh, 12, 2, 0, 2047);
        chk(0x800a_2983, Lw, 19, 20, 0, -2048);
        chk(0x0081_3583, Ld, 11, 2, 0, 8);
        chk(0x0003_4283, Lbu, 5, 6, 0, 0);
        chk(0x0648_d383, Lhu, 7, 17, 0, 100);
        chk(0xf9c7_6683, Lwu, 13, 14, 0, -100);
        chk(0xfea5_8fa3, Sb, 0, 11, 10, -1);
        chk(0x7ec1_1fa3, Sh, 0, 2, 12, 2047);
        chk(0x813a_2023, Sw, 0, 20, 19, -2048);
        chk(0x00b1_3423, Sd, 0, 2, 11, 8);
        chk(0x8001_0113, Addi, 2, 2, 0, -2048);
        chk(0xffb3_2293, Slti, 5, 6, 0, -5);
        chk(0x7ff4_3393, Sltiu, 7, 8, 0, 2047);
        chk(0xfff5_c513, Xori, 10, 11, 0, -1);
        chk(0x07fb_6a93, Ori, 21, 22, 0, 127);
        chk(0xff0c_7b93, Andi, 23, 24, 0, -16);
        chk(0x03f5_1513, Slli, 10, 10, 0, 63);
        chk(0x0207_5693, Srli, 13, 14, 0, 32);
        chk(0x43f8_5793, Srai, 15, 16, 0, 63);
        chk(0x400f_df13, Srai, 30, 31, 0, 0);
        chk(0x00c5_8533, Add, 10, 11, 12, 0);
        chk(0x41bd_0cb3, Sub, 25, 26, 27, 0);
        chk(0x0073_12b3, Sll, 5, 6, 7, 0);
        chk(0x01ee_ae33, Slt, 28, 29, 30, 0);
        chk(0x00b0_3533, Sltu, 10, 0, 11, 0);
        chk(0x0124_c433, Xor, 8, 9, 18, 0);
        chk(0x0031_50b3, Srl, 1, 2, 3, 0);
        chk(0x4062_d233, Sra, 4, 5, 6, 0);
        chk(0x0128_e833, Or, 16, 17, 18, 0);
        chk(0x015a_79b3, And, 19, 20, 21, 0);
        chk(0xfff5_051b, Addiw, 10, 10, 0, -1);
        chk(0x01f6_159b, Slliw, 11, 12, 0, 31);
        chk(0x0017_569b, Srliw, 13, 14, 0, 1);
        chk(0x41f8_579b, Sraiw, 15, 16, 0, 31);
        chk(0x00c5_853b, Addw, 10, 11, 12, 0);
        chk(0x40f7_06bb, Subw, 13, 14, 15, 0);
        chk(0x0128_983b, Sllw, 16, 17, 18, 0);
        chk(0x015a_59bb, Srlw, 19, 20, 21, 0);
        chk(0x418b_db3b, Sraw, 22, 23, 24, 0);
        chk(0x0000_0073, Ecall, 0, 0, 0, 0);
        chk(0x0010_0073, Ebreak, 0, 0, 0, 0);
    }

    #[test]
    fn fences() {
        chk(0x0ff0_000f, Fence, 0, 0, 0, 0x0ff);
        chk(0x0840_000f, Fence, 0, 0, 0, 0x084);
        chk(0x8330_000f, Fence, 0, 0, 0, 0x833); // fence.tso
        chk(0x0100_000f, Fence, 0, 0, 0, 0x010); // pause
        chk(0x0000_100f, FenceI, 0, 0, 0, 0);
        // Fields the spec says to ignore are ignored.
        assert_eq!(decode(0x0ff5_050f).op, Fence);
        assert_eq!(decode(0x0015_150f).op, FenceI);
    }

    #[test]
    fn system_and_csr() {
        chk(0x3020_0073, Mret, 0, 0, 0, 0);
        chk(0x1020_0073, Sret, 0, 0, 0, 0);
        chk(0x1050_0073, Wfi, 0, 0, 0, 0);
        chk(0x1200_0073, SfenceVma, 0, 0, 0, 0);
        chk(0x12b5_0073, SfenceVma, 0, 10, 11, 0);
        chk(0x3003_12f3, Csrrw, 5, 6, 0, 0x300);
        chk(0x3410_2573, Csrrs, 10, 0, 0, 0x341);
        chk(0x1005_b073, Csrrc, 0, 11, 0, 0x100);
        chk(0x305f_d573, Csrrwi, 10, 31, 0, 0x305);
        chk(0x3044_6073, Csrrsi, 0, 8, 0, 0x304);
        chk(0x1440_75f3, Csrrci, 11, 0, 0, 0x144);
        chk(0xfff5_9573, Csrrw, 10, 11, 0, 0xfff); // CSR number is unsigned
    }

    #[test]
    fn m_ext() {
        let base = 0x02c5_8533; // mul a0, a1, a2
        let ops = [Mul, Mulh, Mulhsu, Mulhu, Div, Divu, Rem, Remu];
        for (f3, op) in ops.into_iter().enumerate() {
            chk(base | (f3 as u32) << 12, op, 10, 11, 12, 0);
        }
        let basew = 0x02c5_853b; // mulw a0, a1, a2
        for (f3, op) in [(0, Mulw), (4, Divw), (5, Divuw), (6, Remw), (7, Remuw)] {
            chk(basew | f3 << 12, op, 10, 11, 12, 0);
        }
    }

    #[test]
    fn a_ext() {
        let i = decode(0x1604_b42f); // lr.d.aqrl s0, (s1)
        assert_eq!((i.op, i.rd, i.rs1, i.rs2, i.rm), (LrD, 8, 9, 0, 3));
        let i = decode(0x1a63_a2af); // sc.w.rl t0, t1, (t2)
        assert_eq!((i.op, i.rd, i.rs1, i.rs2, i.rm), (ScW, 5, 7, 6, 1));
        let funct5 = [
            (0x00, AmoaddW, AmoaddD),
            (0x01, AmoswapW, AmoswapD),
            (0x02, LrW, LrD),
            (0x03, ScW, ScD),
            (0x04, AmoxorW, AmoxorD),
            (0x08, AmoorW, AmoorD),
            (0x0c, AmoandW, AmoandD),
            (0x10, AmominW, AmominD),
            (0x14, AmomaxW, AmomaxD),
            (0x18, AmominuW, AmominuD),
            (0x1c, AmomaxuW, AmomaxuD),
        ];
        for (f5, w_op, d_op) in funct5 {
            for aqrl in 0..4u32 {
                let rs2 = if f5 == 0x02 { 0 } else { 11 };
                let w = f5 << 27 | aqrl << 25 | rs2 << 20 | 12 << 15 | 2 << 12 | 10 << 7 | 0x2f;
                let i = decode(w);
                assert_eq!(
                    (i.op, i.rd, i.rs1, i.rs2, i.rm),
                    (w_op, 10, 12, rs2 as u8, aqrl as u8)
                );
                let i = decode(w | 1 << 12);
                assert_eq!(
                    (i.op, i.rd, i.rs1, i.rs2, i.rm),
                    (d_op, 10, 12, rs2 as u8, aqrl as u8)
                );
            }
        }
        // LR with rs2 != 0 is reserved.
        assert_eq!(decode(0x1005_b52f | 1 << 20).op, Illegal);
        assert_eq!(decode(0x1005_a52f | 5 << 20).op, Illegal);
        // Other widths, and unassigned funct5 (e.g. Zacas amocas = 00101).
        assert_eq!(decode(0x0000_052f).op, Illegal);
        assert_eq!(decode(0x2805_a52f).op, Illegal);
    }

    #[test]
    fn fd_ext() {
        chk(0x0041_2507, Flw, 10, 2, 0, 4);
        chk(0x8005_2f87, Flw, 31, 10, 0, -2048);
        chk(0xfeb4_2e27, Fsw, 0, 8, 11, -4);
        let i = decode(0xf9ee_be4f); // fnmadd.s ft8, ft9, ft10, ft11, rup
        assert_eq!(
            (i.op, i.rd, i.rs1, i.rs2, i.rs3, i.rm),
            (FnmaddS, 28, 29, 30, 31, 3)
        );
        let i = decode(0x6ac5_f543); // fmadd.d fa0, fa1, fa2, fa3 (dyn)
        assert_eq!(
            (i.op, i.rd, i.rs1, i.rs2, i.rs3, i.rm),
            (FmaddD, 10, 11, 12, 13, 7)
        );
        let i = decode(0x5805_9553); // fsqrt.s fa0, fa1, rtz
        assert_eq!((i.op, i.rd, i.rs1, i.rm), (FsqrtS, 10, 11, 1));
        let i = decode(0xd025_8553); // fcvt.s.l fa0, a1, rne
        assert_eq!((i.op, i.rd, i.rs1, i.rm), (FcvtSL, 10, 11, 0));
        let i = decode(0xc215_9553); // fcvt.wu.d a0, fa1, rtz
        assert_eq!((i.op, i.rd, i.rs1, i.rm), (FcvtWuD, 10, 11, 1));
        // Reserved rounding modes are left for the hart to reject.
        let i = decode(0x02b5_d553);
        assert_eq!((i.op, i.rm), (FaddD, 5));
        let i = decode(0x02b5_e553);
        assert_eq!((i.op, i.rm), (FaddD, 6));
        let table = [
            (0xe005_8553, FmvXW),
            (0xe005_9553, FclassS),
            (0xf005_8553, FmvWX),
            (0xe205_8553, FmvXD),
            (0xe205_9553, FclassD),
            (0xf205_8553, FmvDX),
            (0x4015_8553, FcvtSD),
            (0x4205_8553, FcvtDS),
            (0xd205_8553, FcvtDW),
            (0xd215_8553, FcvtDWu),
            (0xa0c5_a553, FeqS),
            (0xa0c5_9553, FltS),
            (0xa0c5_8553, FleS),
            (0xa2c5_a553, FeqD),
            (0xa2c5_9553, FltD),
            (0xa2c5_8553, FleD),
            (0x20c5_8553, FsgnjS),
            (0x20c5_9553, FsgnjnS),
            (0x20c5_a553, FsgnjxS),
            (0x22c5_8553, FsgnjD),
            (0x28c5_8553, FminS),
            (0x28c5_9553, FmaxS),
            (0x2ac5_9553, FmaxD),
        ];
        for (w, op) in table {
            assert_eq!(decode(w).op, op, "{w:#010x}");
        }
        let cvt = [
            (0xc000_0053u32, [FcvtWS, FcvtWuS, FcvtLS, FcvtLuS]),
            (0xc200_0053, [FcvtWD, FcvtWuD, FcvtLD, FcvtLuD]),
            (0xd000_0053, [FcvtSW, FcvtSWu, FcvtSL, FcvtSLu]),
            (0xd200_0053, [FcvtDW, FcvtDWu, FcvtDL, FcvtDLu]),
        ];
        for (base, ops) in cvt {
            for (n, op) in ops.into_iter().enumerate() {
                assert_eq!(decode(base | (n as u32) << 20).op, op);
            }
            assert_eq!(decode(base | 4 << 20).op, Illegal);
        }
    }

    #[test]
    fn bitmanip_cond_cbo() {
        let r =
            |f7: u32, f3: u32, opc: u32| f7 << 25 | 12 << 20 | 11 << 15 | f3 << 12 | 10 << 7 | opc;
        let rtype = [
            (r(0x10, 2, 0x33), Sh1add),
            (r(0x10, 4, 0x33), Sh2add),
            (r(0x10, 6, 0x33), Sh3add),
            (r(0x04, 0, 0x3b), AddUw),
            (r(0x10, 2, 0x3b), Sh1addUw),
            (r(0x10, 4, 0x3b), Sh2addUw),
            (r(0x10, 6, 0x3b), Sh3addUw),
            (r(0x20, 7, 0x33), Andn),
            (r(0x20, 6, 0x33), Orn),
            (r(0x20, 4, 0x33), Xnor),
            (r(0x05, 6, 0x33), Max),
            (r(0x05, 7, 0x33), Maxu),
            (r(0x05, 4, 0x33), Min),
            (r(0x05, 5, 0x33), Minu),
            (r(0x30, 1, 0x33), Rol),
            (r(0x30, 5, 0x33), Ror),
            (r(0x30, 1, 0x3b), Rolw),
            (r(0x30, 5, 0x3b), Rorw),
            (r(0x05, 1, 0x33), Clmul),
            (r(0x05, 3, 0x33), Clmulh),
            (r(0x05, 2, 0x33), Clmulr),
            (r(0x24, 1, 0x33), Bclr),
            (r(0x24, 5, 0x33), Bext),
            (r(0x34, 1, 0x33), Binv),
            (r(0x14, 1, 0x33), Bset),
            (r(0x07, 5, 0x33), CzeroEqz),
            (r(0x07, 7, 0x33), CzeroNez),
        ];
        for (w, op) in rtype {
            chk(w, op, 10, 11, 12, 0);
        }
        assert_eq!(r(0x07, 5, 0x33), 0x0ec5_d533); // czero.eqz a0, a1, a2
        let unary_ops = [
            (0x6005_9513, Clz),
            (0x6015_9513, Ctz),
            (0x6025_9513, Cpop),
            (0x6045_9513, SextB),
            (0x6055_9513, SextH),
            (0x6005_951b, Clzw),
            (0x6015_951b, Ctzw),
            (0x6025_951b, Cpopw),
            (0x0805_c53b, ZextH),
            (0x2875_d513, OrcB),
            (0x6b85_d513, Rev8),
        ];
        for (w, op) in unary_ops {
            chk(w, op, 10, 11, 0, 0);
        }
        chk(0x0bf5_951b, SlliUw, 10, 11, 0, 63);
        chk(0x0805_951b, SlliUw, 10, 11, 0, 0);
        chk(0x63f5_d513, Rori, 10, 11, 0, 63);
        chk(0x61f5_d51b, Roriw, 10, 11, 0, 31);
        chk(0x4bf5_9513, Bclri, 10, 11, 0, 63);
        chk(0x4a05_d513, Bexti, 10, 11, 0, 32);
        chk(0x6815_9513, Binvi, 10, 11, 0, 1);
        chk(0x2805_9513, Bseti, 10, 11, 0, 0);
        chk(0x0015_200f, CboClean, 0, 10, 0, 0);
        chk(0x002f_a00f, CboFlush, 0, 31, 0, 0);
        chk(0x0001_200f, CboInval, 0, 2, 0, 0);
        chk(0x0045_a00f, CboZero, 0, 11, 0, 0);
    }

    #[test]
    fn illegal_32() {
        let bad = [
            0xffff_ffffu32,           // 48+-bit encoding space
            0x0000_001f,              // 48-bit
            0x0000_003f,              // 64-bit
            0x0000_107f,              // >= 80-bit
            0x0000_706b,              // reserved major opcode (custom-2 / 0x6b)
            0x0000_000b,              // custom-0
            0x0000_1067,              // jalr with funct3 != 0
            0x0000_2063,              // branch funct3 2
            0x0000_3063,              // branch funct3 3
            0x0000_7003,              // load funct3 7
            0x0000_4023,              // store funct3 4
            0x0000_1007,              // flh
            0x0000_4007,              // flq
            0x0000_1027,              // fsh
            0x0200_505b,              // srliw with shamt[5] set
            0x4200_505b,              // sraiw with shamt[5] set
            0x0200_105b,              // slliw with shamt[5] set
            0x6200_505b,              // roriw with shamt[5] set
            0x0400_1013,              // funct6 000001 on slli (RV128 only)
            0x4400_5013,              // funct6 010001 on srai
            0x6035_9513,              // Zbb unary, unassigned rs2 (3)
            0x6065_9513,              // Zbb unary, unassigned rs2 (6)
            0x6035_951b,              // clzw-space, rs2 3
            0x2885_d513,              // near orc.b
            0x6b95_d513,              // near rev8
            0x08c5_c53b,              // pack-like: zext.h encoding with rs2 != 0 (Zbkb packw)
            0x08c5_c533,              // Zbkb pack
            0x0805_4533,              // zext.h RV32 encoding (OP opcode)
            0x4000_0033 | 1 << 12,    // sub funct7 with sll funct3
            0x0e00_6033,              // Zicond funct7 with funct3 6
            0x0200_0033 | 0x40 << 25, // unassigned funct7
            0x0010_0073 | 1 << 7,     // ebreak with rd != 0
            0x0000_0073 | 1 << 15,    // ecall with rs1 != 0
            0x3020_0073 | 1 << 20,    // mret rs2 != 0
            0x3020_00f3,              // mret rd != 0
            0x1050_0073 | 1 << 15,    // wfi rs1 != 0
            0x0020_0073,              // uret (N extension)
            0x7b20_0073,              // dret
            0x1200_00f3,              // sfence.vma rd != 0
            0x2200_0073,              // hfence.vvma (H extension)
            0x6200_0073,              // hfence.gvma
            0x1800_0073,              // sfence.w.inval (Svinval)
            0x0000_4073,              // SYSTEM funct3 4 (H loads)
            0x0015_208f,              // cbo.clean with rd != 0
            0x0035_200f,              // imm12 = 3
            0x0055_200f,              // imm12 = 5
            0x0000_300f,              // MISC-MEM funct3 3 (lq)
            0x0000_700f,              // MISC-MEM funct3 7
            0x0400_0053,              // fadd.h
            0x0600_0053,              // fadd.q
            0x0400_0043,              // fmadd.h
            0x0600_004f,              // fnmadd.q
            0x5810_0053,              // fsqrt.s rs2 != 0
            0x5a20_0053,              // fsqrt.d rs2 != 0
            0x4000_0053,              // fcvt.s.s (rs2 0)
            0x4020_0053,              // fcvt.s.h
            0x4210_0053,              // fcvt.d.d
            0x4230_0053,              // fcvt.d.q
            0xe010_0053,              // fmv.x.w rs2 != 0
            0xe000_2053,              // fmv.x.w funct3 2
            0xf000_1053,              // fmv.w.x funct3 1
            0xf010_0053,              // fli.s (Zfa)
            0xa000_3053,              // feq funct3 3 (Zfa fltq)
            0x2000_3053,              // fsgnj funct3 3
            0x2800_2053,              // fminm.s (Zfa)
            0xc240_1053,              // fcvtmod.w.d (Zfa)
            0x0000_052f,              // AMO funct3 0
            0x0000_402f,              // AMO funct3 4
        ];
        for w in bad {
            let i = decode(w);
            assert_eq!(i, Insn::illegal(w, 4), "{w:#010x} decoded as {:?}", i.op);
        }
    }

    /// (compressed, equivalent 32-bit instruction), from the RVC expansion
    /// tables; checked with binutils.
    const RVC: &[(u16, u32)] = &[
        (0x0020, 0x00810413), // c.addi4spn s0, sp, 8
        (0x1ffc, 0x3fc10793), // c.addi4spn a5, sp, 1020
        (0x0048, 0x00410513), // c.addi4spn a0, sp, 4
        (0x0404, 0x20010493), // c.addi4spn s1, sp, 512
        (0x2588, 0x0085b507), // c.fld fa0, 8(a1)
        (0x3c64, 0x0f843487), // c.fld fs1, 248(s0)
        (0x41c8, 0x0045a503), // c.lw a0, 4(a1)
        (0x5cfc, 0x07c4a783), // c.lw a5, 124(s1)
        (0x43a0, 0x0407a403), // c.lw s0, 64(a5)
        (0x6588, 0x0085b503), // c.ld a0, 8(a1)
        (0x7f7c, 0x0f873783), // c.ld a5, 248(a4)
        (0x6144, 0x08053483), // c.ld s1, 128(a0)
        (0xa588, 0x00a5b427), // c.fsd fa0, 8(a1)
        (0xbc7c, 0x0ef43c27), // c.fsd fa5, 248(s0)
        (0xc1c8, 0x00a5a223), // c.sw a0, 4(a1)
        (0xdef0, 0x06c6ae23), // c.sw a2, 124(a3)
        (0xc038, 0x04e42023), // c.sw a4, 64(s0)
        (0xe588, 0x00a5b423), // c.sd a0, 8(a1)
        (0xffe4, 0x0e97bc23), // c.sd s1, 248(a5)
        (0x0001, 0x00000013), // c.nop
        (0x0505, 0x00150513), // c.addi a0, 1
        (0x1101, 0xfe010113), // c.addi sp, -32
        (0x0ffd, 0x01ff8f93), // c.addi t6, 31
        (0x357d, 0xfff5051b), // c.addiw a0, -1
        (0x2dfd, 0x01fd8d9b), // c.addiw s11, 31
        (0x2501, 0x0005051b), // c.addiw a0, 0
        (0x5501, 0xfe000513), // c.li a0, -32
        (0x42fd, 0x01f00293), // c.li t0, 31
        (0x4501, 0x00000513), // c.li a0, 0
        (0x7101, 0xe0010113), // c.addi16sp sp, -512
        (0x617d, 0x1f010113), // c.addi16sp sp, 496
        (0x6141, 0x01010113), // c.addi16sp sp, 16
        (0x6105, 0x02010113), // c.addi16sp sp, 32
        (0x6121, 0x04010113), // c.addi16sp sp, 64
        (0x6109, 0x08010113), // c.addi16sp sp, 128
        (0x6111, 0x10010113), // c.addi16sp sp, 256
        (0x6505, 0x00001537), // c.lui a0, 1
        (0x7281, 0xfffe02b7), // c.lui t0, 0xfffe0
        (0x647d, 0x0001f437), // c.lui s0, 0x1f
        (0x757d, 0xfffff537), // c.lui a0, 0xfffff
        (0x60c1, 0x000100b7), // c.lui ra, 0x10
        (0x8105, 0x00155513), // c.srli a0, 1
        (0x907d, 0x03f45413), // c.srli s0, 63
        (0x9381, 0x0207d793), // c.srli a5, 32
        (0x8505, 0x40155513), // c.srai a0, 1
        (0x97fd, 0x43f7d793), // c.srai a5, 63
        (0x997d, 0xfff57513), // c.andi a0, -1
        (0x88fd, 0x01f4f493), // c.andi s1, 31
        (0x9a01, 0xfe067613), // c.andi a2, -32
        (0x8d0d, 0x40b50533), // c.sub a0, a1
        (0x8c3d, 0x00f44433), // c.xor s0, a5
        (0x8e55, 0x00d66633), // c.or a2, a3
        (0x8f65, 0x00977733), // c.and a4, s1
        (0x9d1d, 0x40f5053b), // c.subw a0, a5
        (0x9ca1, 0x008484bb), // c.addw s1, s0
        (0xa009, 0x0020006f), // c.j .+2
        (0xb001, 0x801ff06f), // c.j .-2048
        (0xaffd, 0x7fe0006f), // c.j .+2046
        (0xa101, 0x4000006f), // c.j .+0x400
        (0xa02d, 0x02a0006f), // c.j .+0x2a
        (0xae91, 0x3540006f), // c.j .+0x354
        (0xc109, 0x00050163), // c.beqz a0, .+2
        (0xd001, 0xf00400e3), // c.beqz s0, .-256
        (0xcffd, 0x0e078f63), // c.beqz a5, .+254
        (0xc58d, 0x02058563), // c.beqz a1, .+0x2a
        (0xe0b5, 0x06049263), // c.bnez s1, .+100
        (0xff51, 0xf8071ee3), // c.bnez a4, .-100
        (0xea71, 0x0c061a63), // c.bnez a2, .+0xd4
        (0x0506, 0x00151513), // c.slli a0, 1
        (0x1ffe, 0x03ff9f93), // c.slli t6, 63
        (0x1402, 0x02041413), // c.slli s0, 32
        (0x2522, 0x00813507), // c.fldsp fa0, 8(sp)
        (0x3ffe, 0x1f813f87), // c.fldsp ft11, 504(sp)
        (0x2406, 0x04013407), // c.fldsp fs0, 64(sp)
        (0x4512, 0x00412503), // c.lwsp a0, 4(sp)
        (0x5ffe, 0x0fc12f83), // c.lwsp t6, 252(sp)
        (0x5082, 0x02012083), // c.lwsp ra, 32(sp)
        (0x60a2, 0x00813083), // c.ldsp ra, 8(sp)
        (0x7dfe, 0x1f813d83), // c.ldsp s11, 504(sp)
        (0x6506, 0x04013503), // c.ldsp a0, 64(sp)
        (0x8082, 0x00008067), // c.jr ra
        (0x8f82, 0x000f8067), // c.jr t6
        (0x852e, 0x00b00533), // c.mv a0, a1
        (0x8f86, 0x00100fb3), // c.mv t6, ra
        (0x9002, 0x00100073), // c.ebreak
        (0x9502, 0x000500e7), // c.jalr a0
        (0x9f82, 0x000f80e7), // c.jalr t6
        (0x952e, 0x00b50533), // c.add a0, a1
        (0x917e, 0x01f10133), // c.add sp, t6
        (0xa42a, 0x00a13427), // c.fsdsp fa0, 8(sp)
        (0xbfee, 0x1fb13c27), // c.fsdsp fs11, 504(sp)
        (0xa086, 0x04113027), // c.fsdsp ft1, 64(sp)
        (0xc22a, 0x00a12223), // c.swsp a0, 4(sp)
        (0xdffe, 0x0ff12e23), // c.swsp t6, 252(sp)
        (0xc0ae, 0x04b12023), // c.swsp a1, 64(sp)
        (0xe406, 0x00113423), // c.sdsp ra, 8(sp)
        (0xffee, 0x1fb13c23), // c.sdsp s11, 504(sp)
        (0xe0b2, 0x04c13023), // c.sdsp a2, 64(sp)
    ];

    #[test]
    fn compressed_expansion() {
        for &(c, w) in RVC {
            let got = decode_compressed(c);
            let want = Insn {
                len: 2,
                raw: c as u32,
                ..decode(w)
            };
            assert_ne!(want.op, Illegal, "{w:#010x}");
            assert_eq!(got, want, "c={c:#06x} w={w:#010x}");
            // decode() on the 16-bit value, with or without junk above it.
            assert_eq!(decode(c as u32), want);
            assert_eq!(decode(c as u32 | 0xdead_0000), want);
        }
    }

    #[test]
    fn compressed_hints() {
        let c = |raw: u16| {
            let i = decode_compressed(raw);
            (i.op, i.rd, i.rs1, i.rs2, i.imm)
        };
        assert_eq!(c(0x0001), (Addi, 0, 0, 0, 0)); // c.nop
        assert_eq!(c(0x0005), (Addi, 0, 0, 0, 1)); // c.nop with imm (HINT)
        assert_eq!(c(0x0501), (Addi, 10, 10, 0, 0)); // c.addi a0, 0 (HINT)
        assert_eq!(c(0x4015), (Addi, 0, 0, 0, 5)); // c.li zero, 5 (HINT)
        assert_eq!(c(0x6005), (Lui, 0, 0, 0, 0x1000)); // c.lui zero, 1 (HINT)
        assert_eq!(c(0x802a), (Add, 0, 0, 10, 0)); // c.mv zero, a0 (HINT)
        assert_eq!(c(0x902a), (Add, 0, 0, 10, 0)); // c.add zero, a0 (HINT)
        assert_eq!(c(0x0502), (Slli, 10, 10, 0, 0)); // c.slli a0, 0 (HINT)
        assert_eq!(c(0x0006), (Slli, 0, 0, 0, 1)); // c.slli zero, 1 (HINT)
        assert_eq!(c(0x8001), (Srli, 8, 8, 0, 0)); // c.srli s0, 0 (HINT)
        assert_eq!(c(0x8401), (Srai, 8, 8, 0, 0)); // c.srai s0, 0 (HINT)
        assert_eq!(c(0x9002), (Ebreak, 0, 0, 0, 0)); // c.ebreak
        assert_eq!(c(0x2002).0, Fld); // c.fldsp ft0, 0(sp): rd=0 is fine
                                      // Sign extension of c.lui and c.addi16sp.
        assert_eq!(c(0x7501), (Lui, 10, 0, 0, -0x20000)); // nzimm = 0x20 << 12
        assert_eq!(c(0x7101), (Addi, 2, 2, 0, -512));
    }

    #[test]
    fn compressed_reserved() {
        let bad: &[u16] = &[
            0x0000, // all zeros
            0x0004, // c.addi4spn nzuimm = 0, rd != x8
            0x001c, // c.addi4spn nzuimm = 0, rd = x15
            0x6101, // c.addi16sp imm = 0
            0x6501, // c.lui a0, 0
            0x6001, // c.lui zero, 0
            0x4002, // c.lwsp zero
            0x6002, // c.ldsp zero
            0x707e, // c.ldsp zero with an offset
            0x8002, // c.jr zero
            0x2005, // c.addiw zero, 1
            0x2001, // c.addiw zero, 0
            0x8000, // quadrant 0 funct3 100 (Zcb)
            0x9c41, // c.mul (Zcb)
            0x9c61, // Zcb unary space
        ];
        for &w in bad {
            assert_eq!(decode_compressed(w), Insn::illegal(w as u32, 2), "{w:#06x}");
        }
        // Not compressed at all.
        assert_eq!(decode_compressed(0x0013), Insn::illegal(0x13, 4));
    }

    #[test]
    fn lengths() {
        assert_eq!(insn_len(0x0000), 2);
        assert_eq!(insn_len(0x4505), 2);
        assert_eq!(insn_len(0x8082), 2);
        assert_eq!(insn_len(0x0513), 4);
        assert_eq!(insn_len(0x001f), 4);
        assert_eq!(insn_len(0xffff), 4);
    }

    /// Invariants every decoded instruction satisfies.
    #[track_caller]
    fn invariants(w: u32, i: &Insn) {
        let parcel = w as u16;
        assert_eq!(i.len, insn_len(parcel), "{w:#010x}");
        if i.len == 2 {
            assert_eq!(i.raw, parcel as u32);
        } else {
            assert_eq!(i.raw, w);
        }
        assert!(i.rd < 32 && i.rs1 < 32 && i.rs2 < 32 && i.rs3 < 32 && i.rm < 8);
        if i.op == Illegal {
            assert_eq!(*i, Insn::illegal(i.raw, i.len));
        }
    }

    #[test]
    fn every_16_bit_value() {
        use std::fmt::Write;
        let mut s = String::new();
        let mut legal = 0;
        for x in 0..=u16::MAX {
            let a = decode_compressed(x);
            let b = decode(x as u32);
            invariants(x as u32, &b);
            if x & 3 != 3 {
                assert_eq!(a, b);
                legal += (a.op != Illegal) as u32;
            }
            s.clear();
            write!(s, "{b}").unwrap();
            assert!(!s.is_empty());
        }
        // Reserved/unimplemented: 8 c.addi4spn, 1 c.addi16sp, 31 c.lui (rd != 2),
        // 64 c.lwsp + 64 c.ldsp, 1 c.jr, 64 c.addiw, 2048 Zcb (Q0 funct3 100),
        // 2 * 64 Zcb (Q1 funct3 100 bits 12,11:10 = 1,11 and bits 6:5 = 10/11).
        assert_eq!(legal, 49152 - (8 + 1 + 31 + 64 + 64 + 1 + 64 + 2048 + 128));
    }

    #[test]
    fn random_32_bit_words() {
        use std::fmt::Write;
        let mut s = String::new();
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut legal = 0u32;
        const N: u32 = 3_000_000;
        for n in 0..N {
            // xorshift64*
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            let r = state.wrapping_mul(0x2545_f491_4f6c_dd1d);
            let mut w = (r >> 32) as u32;
            // Bias most samples towards 32-bit encodings with sparse fields.
            if n % 4 != 0 {
                w |= 3;
                if n % 3 == 0 {
                    w &= (r as u32) | 0x7f;
                }
            }
            let i = decode(w);
            invariants(w, &i);
            legal += (i.op != Illegal) as u32;
            if n % 8 == 0 {
                s.clear();
                write!(s, "{i}").unwrap();
            }
        }
        assert!(legal > N / 10, "only {legal} legal decodes");
    }

    /// `is_fp_arith` (which relies on the order of `Op`) holds exactly for
    /// what the OP-FP and fused multiply-add opcodes decode to, and never
    /// for the F/D loads and stores.
    #[test]
    fn fp_arith_is_what_the_fp_opcodes_decode_to() {
        let mut seen = 0;
        for hi in 0..(1u32 << 14) {
            // Every funct7/rs2 combination (bits 31:20, rs2's low bits
            // varied through `hi`) and every rm, with fixed registers.
            for rm in 0..8u32 {
                for major in [0x53u32, 0x43, 0x47, 0x4b, 0x4f] {
                    let w = (hi << 18) | (rm << 12) | (1 << 7) | major;
                    let op = decode(w).op;
                    if op != Illegal {
                        assert!(crate::is_fp_arith(op), "{w:#010x}: {op:?}");
                        seen += 1;
                    }
                }
            }
        }
        assert!(seen > 10_000, "only {seen} FP decodes");
        for op in [Flw, Fsw, Fld, Fsd, Fence, FenceI, Addi, Sh1add, CboZero] {
            assert!(!crate::is_fp_arith(op), "{op:?}");
        }
    }
}
