//! Instruction decoding and disassembly for RV64GC and the bit-manipulation,
//! conditional-zero and cache-block extensions vireo supports.
//!
//! Everything here is a pure function of the instruction bits: no machine
//! state, no privilege checks (those belong to the hart). The interpreter and
//! the binary translator share this decoder, so an instruction means the same
//! thing in both tiers.
//!
//! Compressed (16-bit) instructions are expanded into the same [`Insn`] form
//! as their 32-bit equivalents, with `len == 2`.

mod decode;
mod disasm;

pub use decode::{decode, decode_compressed, insn_len};
pub use disasm::csr_name;

/// The operation of a decoded instruction.
///
/// Operand conventions, shared by every consumer of [`Insn`]:
/// - `rd`, `rs1`, `rs2`, `rs3` are register numbers (integer or float,
///   as the operation implies).
/// - `imm` is the sign-extended immediate (already shifted for branches,
///   jumps, `lui`/`auipc`), the shift amount for immediate shifts and
///   `b*i` bit operations, the CSR number (zero-extended) for `csr*`
///   operations, and the `fm|pred|succ` field (bits 31:20 of the word,
///   zero-extended) for `fence`.
/// - For `csrr*i` the 5-bit unsigned immediate is in `rs1`.
/// - `rm` is the floating-point rounding-mode field (bits 14:12) for FP
///   operations, and the `aq<<1 | rl` bits for AMOs / LR / SC.
#[allow(missing_docs)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Op {
    /// Not a valid instruction (raises illegal-instruction).
    Illegal,
    // RV64I
    Lui,
    Auipc,
    Jal,
    Jalr,
    Beq,
    Bne,
    Blt,
    Bge,
    Bltu,
    Bgeu,
    Lb,
    Lh,
    Lw,
    Ld,
    Lbu,
    Lhu,
    Lwu,
    Sb,
    Sh,
    Sw,
    Sd,
    Addi,
    Slti,
    Sltiu,
    Xori,
    Ori,
    Andi,
    Slli,
    Srli,
    Srai,
    Add,
    Sub,
    Sll,
    Slt,
    Sltu,
    Xor,
    Srl,
    Sra,
    Or,
    And,
    Addiw,
    Slliw,
    Srliw,
    Sraiw,
    Addw,
    Subw,
    Sllw,
    Srlw,
    Sraw,
    Fence,
    FenceI,
    Ecall,
    Ebreak,
    // Zicsr
    Csrrw,
    Csrrs,
    Csrrc,
    Csrrwi,
    Csrrsi,
    Csrrci,
    // Privileged
    Mret,
    Sret,
    Wfi,
    SfenceVma,
    // M
    Mul,
    Mulh,
    Mulhsu,
    Mulhu,
    Div,
    Divu,
    Rem,
    Remu,
    Mulw,
    Divw,
    Divuw,
    Remw,
    Remuw,
    // A
    LrW,
    ScW,
    AmoswapW,
    AmoaddW,
    AmoxorW,
    AmoandW,
    AmoorW,
    AmominW,
    AmomaxW,
    AmominuW,
    AmomaxuW,
    LrD,
    ScD,
    AmoswapD,
    AmoaddD,
    AmoxorD,
    AmoandD,
    AmoorD,
    AmominD,
    AmomaxD,
    AmominuD,
    AmomaxuD,
    // F
    Flw,
    Fsw,
    FmaddS,
    FmsubS,
    FnmsubS,
    FnmaddS,
    FaddS,
    FsubS,
    FmulS,
    FdivS,
    FsqrtS,
    FsgnjS,
    FsgnjnS,
    FsgnjxS,
    FminS,
    FmaxS,
    FcvtWS,
    FcvtWuS,
    FcvtLS,
    FcvtLuS,
    FmvXW,
    FeqS,
    FltS,
    FleS,
    FclassS,
    FcvtSW,
    FcvtSWu,
    FcvtSL,
    FcvtSLu,
    FmvWX,
    // D
    Fld,
    Fsd,
    FmaddD,
    FmsubD,
    FnmsubD,
    FnmaddD,
    FaddD,
    FsubD,
    FmulD,
    FdivD,
    FsqrtD,
    FsgnjD,
    FsgnjnD,
    FsgnjxD,
    FminD,
    FmaxD,
    FcvtSD,
    FcvtDS,
    FcvtWD,
    FcvtWuD,
    FcvtLD,
    FcvtLuD,
    FmvXD,
    FeqD,
    FltD,
    FleD,
    FclassD,
    FcvtDW,
    FcvtDWu,
    FcvtDL,
    FcvtDLu,
    FmvDX,
    // Zba
    Sh1add,
    Sh2add,
    Sh3add,
    AddUw,
    Sh1addUw,
    Sh2addUw,
    Sh3addUw,
    SlliUw,
    // Zbb
    Andn,
    Orn,
    Xnor,
    Clz,
    Clzw,
    Ctz,
    Ctzw,
    Cpop,
    Cpopw,
    Max,
    Maxu,
    Min,
    Minu,
    SextB,
    SextH,
    ZextH,
    Rol,
    Rolw,
    Ror,
    Rori,
    Roriw,
    Rorw,
    OrcB,
    Rev8,
    // Zbc
    Clmul,
    Clmulh,
    Clmulr,
    // Zbs
    Bclr,
    Bclri,
    Bext,
    Bexti,
    Binv,
    Binvi,
    Bset,
    Bseti,
    // Zicond
    CzeroEqz,
    CzeroNez,
    // Zicbom / Zicboz (rs1 holds the address)
    CboClean,
    CboFlush,
    CboInval,
    CboZero,
}

/// Whether the F/D operation `op` reads its rs1 operand from the integer register file.
pub fn fp_reads_int_rs1(op: Op) -> bool {
    matches!(
        op,
        Op::FcvtSW
            | Op::FcvtSWu
            | Op::FcvtSL
            | Op::FcvtSLu
            | Op::FmvWX
            | Op::FcvtDW
            | Op::FcvtDWu
            | Op::FcvtDL
            | Op::FcvtDLu
            | Op::FmvDX
    )
}

/// Whether the F/D operation `op` writes its result to the integer register file.
pub fn fp_writes_int_rd(op: Op) -> bool {
    matches!(
        op,
        Op::FcvtWS
            | Op::FcvtWuS
            | Op::FcvtLS
            | Op::FcvtLuS
            | Op::FmvXW
            | Op::FeqS
            | Op::FltS
            | Op::FleS
            | Op::FclassS
            | Op::FcvtWD
            | Op::FcvtWuD
            | Op::FcvtLD
            | Op::FcvtLuD
            | Op::FmvXD
            | Op::FeqD
            | Op::FltD
            | Op::FleD
            | Op::FclassD
    )
}

/// The access size of an A-extension instruction: 4 for `amo*.w`,
/// `lr.w` and `sc.w`, 8 for the `.d` forms; `None` for any other.
pub fn atomic_size(op: Op) -> Option<u64> {
    use Op::*;
    match op {
        LrW | ScW | AmoswapW | AmoaddW | AmoxorW | AmoandW | AmoorW | AmominW | AmomaxW
        | AmominuW | AmomaxuW => Some(4),
        LrD | ScD | AmoswapD | AmoaddD | AmoxorD | AmoandD | AmoorD | AmominD | AmomaxD
        | AmominuD | AmomaxuD => Some(8),
        _ => None,
    }
}

/// Whether `op` is `lr.w`/`lr.d`/`sc.w`/`sc.d`.
pub fn is_lr_sc(op: Op) -> bool {
    matches!(op, Op::LrW | Op::LrD | Op::ScW | Op::ScD)
}

/// Whether `op` is an AMO (`amo*.w`/`.d`; not `lr`/`sc`).
pub fn is_amo(op: Op) -> bool {
    atomic_size(op).is_some() && !is_lr_sc(op)
}

/// Whether `op` is an F/D operation other than the loads and stores
/// (`flw`, `fsw`, `fld`, `fsd`): arithmetic, conversions, moves,
/// comparisons and classification.
pub fn is_fp_arith(op: Op) -> bool {
    let v = op as u8;
    (Op::FmaddS as u8..=Op::FmvWX as u8).contains(&v)
        || (Op::FmaddD as u8..=Op::FmvDX as u8).contains(&v)
}

/// A decoded instruction. Small and `Copy` so decode caches can hold many.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Insn {
    /// The operation.
    pub op: Op,
    /// Destination register.
    pub rd: u8,
    /// First source register (or the 5-bit CSR immediate for `csrr*i`).
    pub rs1: u8,
    /// Second source register.
    pub rs2: u8,
    /// Third source register (fused multiply-add only).
    pub rs3: u8,
    /// Rounding mode (FP) or `aq<<1|rl` (atomics).
    pub rm: u8,
    /// Instruction length in bytes: 2 (compressed) or 4.
    pub len: u8,
    /// Immediate; see [`Op`] for the per-operation meaning.
    pub imm: i64,
    /// The raw instruction bits (16-bit parcels are zero-extended); kept
    /// for `mtval` on illegal-instruction traps and for disassembly.
    pub raw: u32,
}

impl Insn {
    /// An illegal instruction of the given length with the given raw bits.
    pub const fn illegal(raw: u32, len: u8) -> Insn {
        Insn {
            op: Op::Illegal,
            rd: 0,
            rs1: 0,
            rs2: 0,
            rs3: 0,
            rm: 0,
            len,
            imm: 0,
            raw,
        }
    }
}
