//! Disassembly: `Display` for [`Insn`], in the style of GNU objdump's
//! `-M no-aliases` output (canonical mnemonics, ABI register names), except
//! that operands are separated by `", "` and branch/jump targets are printed
//! as signed decimal offsets relative to the instruction.
//!
//! Compressed instructions print as the 32-bit instruction they expand to.

use std::fmt;

use crate::{Insn, Op};

static XREG: [&str; 32] = [
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4",
    "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4",
    "t5", "t6",
];

static FREG: [&str; 32] = [
    "ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "fs0", "fs1", "fa0", "fa1", "fa2",
    "fa3", "fa4", "fa5", "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7", "fs8", "fs9",
    "fs10", "fs11", "ft8", "ft9", "ft10", "ft11",
];

static HPMCOUNTER: [&str; 29] = [
    "hpmcounter3",
    "hpmcounter4",
    "hpmcounter5",
    "hpmcounter6",
    "hpmcounter7",
    "hpmcounter8",
    "hpmcounter9",
    "hpmcounter10",
    "hpmcounter11",
    "hpmcounter12",
    "hpmcounter13",
    "hpmcounter14",
    "hpmcounter15",
    "hpmcounter16",
    "hpmcounter17",
    "hpmcounter18",
    "hpmcounter19",
    "hpmcounter20",
    "hpmcounter21",
    "hpmcounter22",
    "hpmcounter23",
    "hpmcounter24",
    "hpmcounter25",
    "hpmcounter26",
    "hpmcounter27",
    "hpmcounter28",
    "hpmcounter29",
    "hpmcounter30",
    "hpmcounter31",
];

static HPMCOUNTERH: [&str; 29] = [
    "hpmcounter3h",
    "hpmcounter4h",
    "hpmcounter5h",
    "hpmcounter6h",
    "hpmcounter7h",
    "hpmcounter8h",
    "hpmcounter9h",
    "hpmcounter10h",
    "hpmcounter11h",
    "hpmcounter12h",
    "hpmcounter13h",
    "hpmcounter14h",
    "hpmcounter15h",
    "hpmcounter16h",
    "hpmcounter17h",
    "hpmcounter18h",
    "hpmcounter19h",
    "hpmcounter20h",
    "hpmcounter21h",
    "hpmcounter22h",
    "hpmcounter23h",
    "hpmcounter24h",
    "hpmcounter25h",
    "hpmcounter26h",
    "hpmcounter27h",
    "hpmcounter28h",
    "hpmcounter29h",
    "hpmcounter30h",
    "hpmcounter31h",
];

static MHPMCOUNTER: [&str; 29] = [
    "mhpmcounter3",
    "mhpmcounter4",
    "mhpmcounter5",
    "mhpmcounter6",
    "mhpmcounter7",
    "mhpmcounter8",
    "mhpmcounter9",
    "mhpmcounter10",
    "mhpmcounter11",
    "mhpmcounter12",
    "mhpmcounter13",
    "mhpmcounter14",
    "mhpmcounter15",
    "mhpmcounter16",
    "mhpmcounter17",
    "mhpmcounter18",
    "mhpmcounter19",
    "mhpmcounter20",
    "mhpmcounter21",
    "mhpmcounter22",
    "mhpmcounter23",
    "mhpmcounter24",
    "mhpmcounter25",
    "mhpmcounter26",
    "mhpmcounter27",
    "mhpmcounter28",
    "mhpmcounter29",
    "mhpmcounter30",
    "mhpmcounter31",
];

static MHPMCOUNTERH: [&str; 29] = [
    "mhpmcounter3h",
    "mhpmcounter4h",
    "mhpmcounter5h",
    "mhpmcounter6h",
    "mhpmcounter7h",
    "mhpmcounter8h",
    "mhpmcounter9h",
    "mhpmcounter10h",
    "mhpmcounter11h",
    "mhpmcounter12h",
    "mhpmcounter13h",
    "mhpmcounter14h",
    "mhpmcounter15h",
    "mhpmcounter16h",
    "mhpmcounter17h",
    "mhpmcounter18h",
    "mhpmcounter19h",
    "mhpmcounter20h",
    "mhpmcounter21h",
    "mhpmcounter22h",
    "mhpmcounter23h",
    "mhpmcounter24h",
    "mhpmcounter25h",
    "mhpmcounter26h",
    "mhpmcounter27h",
    "mhpmcounter28h",
    "mhpmcounter29h",
    "mhpmcounter30h",
    "mhpmcounter31h",
];

static MHPMEVENT: [&str; 29] = [
    "mhpmevent3",
    "mhpmevent4",
    "mhpmevent5",
    "mhpmevent6",
    "mhpmevent7",
    "mhpmevent8",
    "mhpmevent9",
    "mhpmevent10",
    "mhpmevent11",
    "mhpmevent12",
    "mhpmevent13",
    "mhpmevent14",
    "mhpmevent15",
    "mhpmevent16",
    "mhpmevent17",
    "mhpmevent18",
    "mhpmevent19",
    "mhpmevent20",
    "mhpmevent21",
    "mhpmevent22",
    "mhpmevent23",
    "mhpmevent24",
    "mhpmevent25",
    "mhpmevent26",
    "mhpmevent27",
    "mhpmevent28",
    "mhpmevent29",
    "mhpmevent30",
    "mhpmevent31",
];

static PMPCFG: [&str; 16] = [
    "pmpcfg0", "pmpcfg1", "pmpcfg2", "pmpcfg3", "pmpcfg4", "pmpcfg5", "pmpcfg6", "pmpcfg7",
    "pmpcfg8", "pmpcfg9", "pmpcfg10", "pmpcfg11", "pmpcfg12", "pmpcfg13", "pmpcfg14", "pmpcfg15",
];

static PMPADDR: [&str; 64] = [
    "pmpaddr0",
    "pmpaddr1",
    "pmpaddr2",
    "pmpaddr3",
    "pmpaddr4",
    "pmpaddr5",
    "pmpaddr6",
    "pmpaddr7",
    "pmpaddr8",
    "pmpaddr9",
    "pmpaddr10",
    "pmpaddr11",
    "pmpaddr12",
    "pmpaddr13",
    "pmpaddr14",
    "pmpaddr15",
    "pmpaddr16",
    "pmpaddr17",
    "pmpaddr18",
    "pmpaddr19",
    "pmpaddr20",
    "pmpaddr21",
    "pmpaddr22",
    "pmpaddr23",
    "pmpaddr24",
    "pmpaddr25",
    "pmpaddr26",
    "pmpaddr27",
    "pmpaddr28",
    "pmpaddr29",
    "pmpaddr30",
    "pmpaddr31",
    "pmpaddr32",
    "pmpaddr33",
    "pmpaddr34",
    "pmpaddr35",
    "pmpaddr36",
    "pmpaddr37",
    "pmpaddr38",
    "pmpaddr39",
    "pmpaddr40",
    "pmpaddr41",
    "pmpaddr42",
    "pmpaddr43",
    "pmpaddr44",
    "pmpaddr45",
    "pmpaddr46",
    "pmpaddr47",
    "pmpaddr48",
    "pmpaddr49",
    "pmpaddr50",
    "pmpaddr51",
    "pmpaddr52",
    "pmpaddr53",
    "pmpaddr54",
    "pmpaddr55",
    "pmpaddr56",
    "pmpaddr57",
    "pmpaddr58",
    "pmpaddr59",
    "pmpaddr60",
    "pmpaddr61",
    "pmpaddr62",
    "pmpaddr63",
];

/// Integer register name.
fn x(r: u8) -> &'static str {
    XREG[(r & 31) as usize]
}

/// Floating-point register name.
fn fr(r: u8) -> &'static str {
    FREG[(r & 31) as usize]
}

/// The canonical mnemonic of an operation (without AMO ordering suffixes).
fn mnemonic(op: Op) -> &'static str {
    use Op::*;
    match op {
        Illegal => "illegal",
        Lui => "lui",
        Auipc => "auipc",
        Jal => "jal",
        Jalr => "jalr",
        Beq => "beq",
        Bne => "bne",
        Blt => "blt",
        Bge => "bge",
        Bltu => "bltu",
        Bgeu => "bgeu",
        Lb => "lb",
        Lh => "lh",
        Lw => "lw",
        Ld => "ld",
        Lbu => "lbu",
        Lhu => "lhu",
        Lwu => "lwu",
        Sb => "sb",
        Sh => "sh",
        Sw => "sw",
        Sd => "sd",
        Addi => "addi",
        Slti => "slti",
        Sltiu => "sltiu",
        Xori => "xori",
        Ori => "ori",
        Andi => "andi",
        Slli => "slli",
        Srli => "srli",
        Srai => "srai",
        Add => "add",
        Sub => "sub",
        Sll => "sll",
        Slt => "slt",
        Sltu => "sltu",
        Xor => "xor",
        Srl => "srl",
        Sra => "sra",
        Or => "or",
        And => "and",
        Addiw => "addiw",
        Slliw => "slliw",
        Srliw => "srliw",
        Sraiw => "sraiw",
        Addw => "addw",
        Subw => "subw",
        Sllw => "sllw",
        Srlw => "srlw",
        Sraw => "sraw",
        Fence => "fence",
        FenceI => "fence.i",
        Ecall => "ecall",
        Ebreak => "ebreak",
        Csrrw => "csrrw",
        Csrrs => "csrrs",
        Csrrc => "csrrc",
        Csrrwi => "csrrwi",
        Csrrsi => "csrrsi",
        Csrrci => "csrrci",
        Mret => "mret",
        Sret => "sret",
        Wfi => "wfi",
        SfenceVma => "sfence.vma",
        Mul => "mul",
        Mulh => "mulh",
        Mulhsu => "mulhsu",
        Mulhu => "mulhu",
        Div => "div",
        Divu => "divu",
        Rem => "rem",
        Remu => "remu",
        Mulw => "mulw",
        Divw => "divw",
        Divuw => "divuw",
        Remw => "remw",
        Remuw => "remuw",
        LrW => "lr.w",
        ScW => "sc.w",
        AmoswapW => "amoswap.w",
        AmoaddW => "amoadd.w",
        AmoxorW => "amoxor.w",
        AmoandW => "amoand.w",
        AmoorW => "amoor.w",
        AmominW => "amomin.w",
        AmomaxW => "amomax.w",
        AmominuW => "amominu.w",
        AmomaxuW => "amomaxu.w",
        LrD => "lr.d",
        ScD => "sc.d",
        AmoswapD => "amoswap.d",
        AmoaddD => "amoadd.d",
        AmoxorD => "amoxor.d",
        AmoandD => "amoand.d",
        AmoorD => "amoor.d",
        AmominD => "amomin.d",
        AmomaxD => "amomax.d",
        AmominuD => "amominu.d",
        AmomaxuD => "amomaxu.d",
        Flw => "flw",
        Fsw => "fsw",
        FmaddS => "fmadd.s",
        FmsubS => "fmsub.s",
        FnmsubS => "fnmsub.s",
        FnmaddS => "fnmadd.s",
        FaddS => "fadd.s",
        FsubS => "fsub.s",
        FmulS => "fmul.s",
        FdivS => "fdiv.s",
        FsqrtS => "fsqrt.s",
        FsgnjS => "fsgnj.s",
        FsgnjnS => "fsgnjn.s",
        FsgnjxS => "fsgnjx.s",
        FminS => "fmin.s",
        FmaxS => "fmax.s",
        FcvtWS => "fcvt.w.s",
        FcvtWuS => "fcvt.wu.s",
        FcvtLS => "fcvt.l.s",
        FcvtLuS => "fcvt.lu.s",
        FmvXW => "fmv.x.w",
        FeqS => "feq.s",
        FltS => "flt.s",
        FleS => "fle.s",
        FclassS => "fclass.s",
        FcvtSW => "fcvt.s.w",
        FcvtSWu => "fcvt.s.wu",
        FcvtSL => "fcvt.s.l",
        FcvtSLu => "fcvt.s.lu",
        FmvWX => "fmv.w.x",
        Fld => "fld",
        Fsd => "fsd",
        FmaddD => "fmadd.d",
        FmsubD => "fmsub.d",
        FnmsubD => "fnmsub.d",
        FnmaddD => "fnmadd.d",
        FaddD => "fadd.d",
        FsubD => "fsub.d",
        FmulD => "fmul.d",
        FdivD => "fdiv.d",
        FsqrtD => "fsqrt.d",
        FsgnjD => "fsgnj.d",
        FsgnjnD => "fsgnjn.d",
        FsgnjxD => "fsgnjx.d",
        FminD => "fmin.d",
        FmaxD => "fmax.d",
        FcvtSD => "fcvt.s.d",
        FcvtDS => "fcvt.d.s",
        FcvtWD => "fcvt.w.d",
        FcvtWuD => "fcvt.wu.d",
        FcvtLD => "fcvt.l.d",
        FcvtLuD => "fcvt.lu.d",
        FmvXD => "fmv.x.d",
        FeqD => "feq.d",
        FltD => "flt.d",
        FleD => "fle.d",
        FclassD => "fclass.d",
        FcvtDW => "fcvt.d.w",
        FcvtDWu => "fcvt.d.wu",
        FcvtDL => "fcvt.d.l",
        FcvtDLu => "fcvt.d.lu",
        FmvDX => "fmv.d.x",
        Sh1add => "sh1add",
        Sh2add => "sh2add",
        Sh3add => "sh3add",
        AddUw => "add.uw",
        Sh1addUw => "sh1add.uw",
        Sh2addUw => "sh2add.uw",
        Sh3addUw => "sh3add.uw",
        SlliUw => "slli.uw",
        Andn => "andn",
        Orn => "orn",
        Xnor => "xnor",
        Clz => "clz",
        Clzw => "clzw",
        Ctz => "ctz",
        Ctzw => "ctzw",
        Cpop => "cpop",
        Cpopw => "cpopw",
        Max => "max",
        Maxu => "maxu",
        Min => "min",
        Minu => "minu",
        SextB => "sext.b",
        SextH => "sext.h",
        ZextH => "zext.h",
        Rol => "rol",
        Rolw => "rolw",
        Ror => "ror",
        Rori => "rori",
        Roriw => "roriw",
        Rorw => "rorw",
        OrcB => "orc.b",
        Rev8 => "rev8",
        Clmul => "clmul",
        Clmulh => "clmulh",
        Clmulr => "clmulr",
        Bclr => "bclr",
        Bclri => "bclri",
        Bext => "bext",
        Bexti => "bexti",
        Binv => "binv",
        Binvi => "binvi",
        Bset => "bset",
        Bseti => "bseti",
        CzeroEqz => "czero.eqz",
        CzeroNez => "czero.nez",
        CboClean => "cbo.clean",
        CboFlush => "cbo.flush",
        CboInval => "cbo.inval",
        CboZero => "cbo.zero",
    }
}

/// `", <rm>"` for an explicit rounding mode, nothing for the dynamic one.
struct Rm(u8);

impl fmt::Display for Rm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            0 => f.write_str(", rne"),
            1 => f.write_str(", rtz"),
            2 => f.write_str(", rdn"),
            3 => f.write_str(", rup"),
            4 => f.write_str(", rmm"),
            7 => Ok(()),
            n => write!(f, ", rm{}", n & 7),
        }
    }
}

/// A CSR operand: its name if known, else hex.
struct Csr(i64);

impl fmt::Display for Csr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let csr = (self.0 & 0xfff) as u16;
        match csr_name(csr) {
            Some(name) => f.write_str(name),
            None => write!(f, "0x{csr:x}"),
        }
    }
}

/// A fence predecessor/successor set (`iorw` letters, `0` if empty).
struct FenceSet(i64);

impl fmt::Display for FenceSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0 & 0xf;
        if s == 0 {
            return f.write_str("0");
        }
        for (bit, c) in [(8, "i"), (4, "o"), (2, "r"), (1, "w")] {
            if s & bit != 0 {
                f.write_str(c)?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for Insn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Op::*;
        let m = mnemonic(self.op);
        let (rd, rs1, rs2, rs3, imm) = (self.rd, self.rs1, self.rs2, self.rs3, self.imm);
        match self.op {
            Illegal => {
                if self.len == 2 {
                    write!(f, "illegal 0x{:04x}", self.raw)
                } else {
                    write!(f, "illegal 0x{:08x}", self.raw)
                }
            }
            Lui | Auipc => write!(f, "{m} {}, 0x{:x}", x(rd), (imm >> 12) & 0xfffff),
            Jal => write!(f, "{m} {}, {imm}", x(rd)),
            Jalr | Lb | Lh | Lw | Ld | Lbu | Lhu | Lwu => {
                write!(f, "{m} {}, {imm}({})", x(rd), x(rs1))
            }
            Beq | Bne | Blt | Bge | Bltu | Bgeu => {
                write!(f, "{m} {}, {}, {imm}", x(rs1), x(rs2))
            }
            Sb | Sh | Sw | Sd => write!(f, "{m} {}, {imm}({})", x(rs2), x(rs1)),
            Flw | Fld => write!(f, "{m} {}, {imm}({})", fr(rd), x(rs1)),
            Fsw | Fsd => write!(f, "{m} {}, {imm}({})", fr(rs2), x(rs1)),
            Addi | Slti | Sltiu | Xori | Ori | Andi | Addiw => {
                write!(f, "{m} {}, {}, {imm}", x(rd), x(rs1))
            }
            Slli | Srli | Srai | Slliw | Srliw | Sraiw | SlliUw | Rori | Roriw | Bclri | Bexti
            | Binvi | Bseti => write!(f, "{m} {}, {}, 0x{:x}", x(rd), x(rs1), imm & 0x3f),
            Add | Sub | Sll | Slt | Sltu | Xor | Srl | Sra | Or | And | Addw | Subw | Sllw
            | Srlw | Sraw | Mul | Mulh | Mulhsu | Mulhu | Div | Divu | Rem | Remu | Mulw | Divw
            | Divuw | Remw | Remuw | Sh1add | Sh2add | Sh3add | AddUw | Sh1addUw | Sh2addUw
            | Sh3addUw | Andn | Orn | Xnor | Max | Maxu | Min | Minu | Rol | Rolw | Ror | Rorw
            | Clmul | Clmulh | Clmulr | Bclr | Bext | Binv | Bset | CzeroEqz | CzeroNez => {
                write!(f, "{m} {}, {}, {}", x(rd), x(rs1), x(rs2))
            }
            Clz | Clzw | Ctz | Ctzw | Cpop | Cpopw | SextB | SextH | ZextH | OrcB | Rev8 => {
                write!(f, "{m} {}, {}", x(rd), x(rs1))
            }
            Fence => match (imm & 0xfff, rd, rs1) {
                (0x833, 0, 0) => f.write_str("fence.tso"),
                (0x010, 0, 0) => f.write_str("pause"),
                _ => write!(f, "{m} {}, {}", FenceSet(imm >> 4), FenceSet(imm)),
            },
            FenceI | Ecall | Ebreak | Mret | Sret | Wfi => f.write_str(m),
            SfenceVma => write!(f, "{m} {}, {}", x(rs1), x(rs2)),
            Csrrw | Csrrs | Csrrc => write!(f, "{m} {}, {}, {}", x(rd), Csr(imm), x(rs1)),
            Csrrwi | Csrrsi | Csrrci => write!(f, "{m} {}, {}, {}", x(rd), Csr(imm), rs1 & 31),
            LrW | LrD | ScW | ScD | AmoswapW | AmoaddW | AmoxorW | AmoandW | AmoorW | AmominW
            | AmomaxW | AmominuW | AmomaxuW | AmoswapD | AmoaddD | AmoxorD | AmoandD | AmoorD
            | AmominD | AmomaxD | AmominuD | AmomaxuD => {
                let ord = match self.rm & 3 {
                    0 => "",
                    1 => ".rl",
                    2 => ".aq",
                    _ => ".aqrl",
                };
                if matches!(self.op, LrW | LrD) {
                    write!(f, "{m}{ord} {}, ({})", x(rd), x(rs1))
                } else {
                    write!(f, "{m}{ord} {}, {}, ({})", x(rd), x(rs2), x(rs1))
                }
            }
            FmaddS | FmsubS | FnmsubS | FnmaddS | FmaddD | FmsubD | FnmsubD | FnmaddD => write!(
                f,
                "{m} {}, {}, {}, {}{}",
                fr(rd),
                fr(rs1),
                fr(rs2),
                fr(rs3),
                Rm(self.rm)
            ),
            FaddS | FsubS | FmulS | FdivS | FaddD | FsubD | FmulD | FdivD => {
                write!(f, "{m} {}, {}, {}{}", fr(rd), fr(rs1), fr(rs2), Rm(self.rm))
            }
            FsqrtS | FsqrtD | FcvtSD => write!(f, "{m} {}, {}{}", fr(rd), fr(rs1), Rm(self.rm)),
            // Exact conversions: the rounding mode is irrelevant, so only an
            // unusual one is shown.
            FcvtDS => write!(f, "{m} {}, {}{}", fr(rd), fr(rs1), ExactRm(self.rm)),
            FcvtDW | FcvtDWu => write!(f, "{m} {}, {}{}", fr(rd), x(rs1), ExactRm(self.rm)),
            FsgnjS | FsgnjnS | FsgnjxS | FminS | FmaxS | FsgnjD | FsgnjnD | FsgnjxD | FminD
            | FmaxD => write!(f, "{m} {}, {}, {}", fr(rd), fr(rs1), fr(rs2)),
            FeqS | FltS | FleS | FeqD | FltD | FleD => {
                write!(f, "{m} {}, {}, {}", x(rd), fr(rs1), fr(rs2))
            }
            FcvtWS | FcvtWuS | FcvtLS | FcvtLuS | FcvtWD | FcvtWuD | FcvtLD | FcvtLuD => {
                write!(f, "{m} {}, {}{}", x(rd), fr(rs1), Rm(self.rm))
            }
            FcvtSW | FcvtSWu | FcvtSL | FcvtSLu | FcvtDL | FcvtDLu => {
                write!(f, "{m} {}, {}{}", fr(rd), x(rs1), Rm(self.rm))
            }
            FmvXW | FmvXD | FclassS | FclassD => write!(f, "{m} {}, {}", x(rd), fr(rs1)),
            FmvWX | FmvDX => write!(f, "{m} {}, {}", fr(rd), x(rs1)),
            CboClean | CboFlush | CboInval | CboZero => write!(f, "{m} ({})", x(rs1)),
        }
    }
}

/// Rounding mode of an exact conversion: shown only if neither `rne` (what
/// assemblers emit) nor `dyn`.
struct ExactRm(u8);

impl fmt::Display for ExactRm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            0 | 7 => Ok(()),
            n => Rm(n).fmt(f),
        }
    }
}

/// The conventional name of a CSR, if it is one vireo's disassembler knows:
/// the user floating-point and counter CSRs, the supervisor CSRs, the machine
/// CSRs (including `pmpcfg0`–`pmpcfg15` and `pmpaddr0`–`pmpaddr63`) and the
/// debug/trigger CSRs.
pub fn csr_name(csr: u16) -> Option<&'static str> {
    let c = csr as usize;
    let name = match csr {
        // User floating point.
        0x001 => "fflags",
        0x002 => "frm",
        0x003 => "fcsr",
        0x015 => "seed",
        // User counters.
        0xc00 => "cycle",
        0xc01 => "time",
        0xc02 => "instret",
        0xc03..=0xc1f => HPMCOUNTER[c - 0xc03],
        0xc80 => "cycleh",
        0xc81 => "timeh",
        0xc82 => "instreth",
        0xc83..=0xc9f => HPMCOUNTERH[c - 0xc83],
        // Supervisor.
        0x100 => "sstatus",
        0x104 => "sie",
        0x105 => "stvec",
        0x106 => "scounteren",
        0x10a => "senvcfg",
        0x140 => "sscratch",
        0x141 => "sepc",
        0x142 => "scause",
        0x143 => "stval",
        0x144 => "sip",
        0x14d => "stimecmp",
        0x15d => "stimecmph",
        0x180 => "satp",
        0x5a8 => "scontext",
        // Machine information.
        0xf11 => "mvendorid",
        0xf12 => "marchid",
        0xf13 => "mimpid",
        0xf14 => "mhartid",
        0xf15 => "mconfigptr",
        // Machine trap setup and handling.
        0x300 => "mstatus",
        0x301 => "misa",
        0x302 => "medeleg",
        0x303 => "mideleg",
        0x304 => "mie",
        0x305 => "mtvec",
        0x306 => "mcounteren",
        0x30a => "menvcfg",
        0x310 => "mstatush",
        0x312 => "medelegh",
        0x31a => "menvcfgh",
        0x320 => "mcountinhibit",
        0x323..=0x33f => MHPMEVENT[c - 0x323],
        0x340 => "mscratch",
        0x341 => "mepc",
        0x342 => "mcause",
        0x343 => "mtval",
        0x344 => "mip",
        0x34a => "mtinst",
        0x34b => "mtval2",
        // Memory protection.
        0x3a0..=0x3af => PMPCFG[c - 0x3a0],
        0x3b0..=0x3ef => PMPADDR[c - 0x3b0],
        0x747 => "mseccfg",
        0x757 => "mseccfgh",
        // Machine counters.
        0xb00 => "mcycle",
        0xb02 => "minstret",
        0xb03..=0xb1f => MHPMCOUNTER[c - 0xb03],
        0xb80 => "mcycleh",
        0xb82 => "minstreth",
        0xb83..=0xb9f => MHPMCOUNTERH[c - 0xb83],
        // Debug / trigger.
        0x7a0 => "tselect",
        0x7a1 => "tdata1",
        0x7a2 => "tdata2",
        0x7a3 => "tdata3",
        0x7a4 => "tinfo",
        0x7a5 => "tcontrol",
        0x7a8 => "mcontext",
        0x7b0 => "dcsr",
        0x7b1 => "dpc",
        0x7b2 => "dscratch0",
        0x7b3 => "dscratch1",
        _ => return None,
    };
    Some(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{decode, decode_compressed};

    /// Every instruction group, as GNU objdump (`-M no-aliases`) prints it,
    /// with `, ` separators and relative branch targets.
    const TABLE: &[(u32, &str)] = &[
        (0x12345537, "lui a0, 0x12345"),
        (0xffffffb7, "lui t6, 0xfffff"),
        (0x80000117, "auipc sp, 0x80000"),
        (0x00000097, "auipc ra, 0x0"),
        (0x001000ef, "jal ra, 2048"),
        (0xffdff06f, "jal zero, -4"),
        (0x7ffff46f, "jal s0, 1048574"),
        (0x8000046f, "jal s0, -1048576"),
        (0x000500e7, "jalr ra, 0(a0)"),
        (0x80028067, "jalr zero, -2048(t0)"),
        (0x7ffd8367, "jalr t1, 2047(s11)"),
        (0x00730863, "beq t1, t2, 16"),
        (0x80051063, "bne a0, zero, -4096"),
        (0x7f24cfe3, "blt s1, s2, 4094"),
        (0xff07dfe3, "bge a5, a6, -2"),
        (0x01de6463, "bltu t3, t4, 8"),
        (0xfe41fce3, "bgeu gp, tp, -8"),
        (0xfff58503, "lb a0, -1(a1)"),
        (0x7ff11603, "lh a2, 2047(sp)"),
        (0x800a2983, "lw s3, -2048(s4)"),
        (0x00813583, "ld a1, 8(sp)"),
        (0x00034283, "lbu t0, 0(t1)"),
        (0x0648d383, "lhu t2, 100(a7)"),
        (0xf9c76683, "lwu a3, -100(a4)"),
        (0xfea58fa3, "sb a0, -1(a1)"),
        (0x7ec11fa3, "sh a2, 2047(sp)"),
        (0x813a2023, "sw s3, -2048(s4)"),
        (0x00b13423, "sd a1, 8(sp)"),
        (0x00150513, "addi a0, a0, 1"),
        (0x00000013, "addi zero, zero, 0"),
        (0x80010113, "addi sp, sp, -2048"),
        (0xffb32293, "slti t0, t1, -5"),
        (0x7ff43393, "sltiu t2, s0, 2047"),
        (0xfff5c513, "xori a0, a1, -1"),
        (0x07fb6a93, "ori s5, s6, 127"),
        (0xff0c7b93, "andi s7, s8, -16"),
        (0x03f51513, "slli a0, a0, 0x3f"),
        (0x00161593, "slli a1, a2, 0x1"),
        (0x02075693, "srli a3, a4, 0x20"),
        (0x43f85793, "srai a5, a6, 0x3f"),
        (0x400fdf13, "srai t5, t6, 0x0"),
        (0x00c58533, "add a0, a1, a2"),
        (0x41bd0cb3, "sub s9, s10, s11"),
        (0x007312b3, "sll t0, t1, t2"),
        (0x01eeae33, "slt t3, t4, t5"),
        (0x00b03533, "sltu a0, zero, a1"),
        (0x0124c433, "xor s0, s1, s2"),
        (0x003150b3, "srl ra, sp, gp"),
        (0x4062d233, "sra tp, t0, t1"),
        (0x0128e833, "or a6, a7, s2"),
        (0x015a79b3, "and s3, s4, s5"),
        (0xfff5051b, "addiw a0, a0, -1"),
        (0x7ff3029b, "addiw t0, t1, 2047"),
        (0x01f6159b, "slliw a1, a2, 0x1f"),
        (0x0017569b, "srliw a3, a4, 0x1"),
        (0x41f8579b, "sraiw a5, a6, 0x1f"),
        (0x00c5853b, "addw a0, a1, a2"),
        (0x40f706bb, "subw a3, a4, a5"),
        (0x0128983b, "sllw a6, a7, s2"),
        (0x015a59bb, "srlw s3, s4, s5"),
        (0x418bdb3b, "sraw s6, s7, s8"),
        (0x0ff0000f, "fence iorw, iorw"),
        (0x0330000f, "fence rw, rw"),
        (0x0840000f, "fence i, o"),
        (0x0210000f, "fence r, w"),
        (0x8330000f, "fence.tso"),
        (0x0100000f, "pause"),
        (0x0000100f, "fence.i"),
        (0x00000073, "ecall"),
        (0x00100073, "ebreak"),
        (0x300312f3, "csrrw t0, mstatus, t1"),
        (0x34102573, "csrrs a0, mepc, zero"),
        (0x1005b073, "csrrc zero, sstatus, a1"),
        (0x305fd573, "csrrwi a0, mtvec, 31"),
        (0x30446073, "csrrsi zero, mie, 8"),
        (0x144075f3, "csrrci a1, sip, 0"),
        (0xc0002573, "csrrs a0, cycle, zero"),
        (0xc0102573, "csrrs a0, time, zero"),
        (0xc0202573, "csrrs a0, instret, zero"),
        (0xc0302573, "csrrs a0, hpmcounter3, zero"),
        (0xc1f02573, "csrrs a0, hpmcounter31, zero"),
        (0x00151073, "csrrw zero, fflags, a0"),
        (0x00251073, "csrrw zero, frm, a0"),
        (0x00351073, "csrrw zero, fcsr, a0"),
        (0x18059573, "csrrw a0, satp, a1"),
        (0x3a059573, "csrrw a0, pmpcfg0, a1"),
        (0x3ae59573, "csrrw a0, pmpcfg14, a1"),
        (0x3b059573, "csrrw a0, pmpaddr0, a1"),
        (0x3bf59573, "csrrw a0, pmpaddr15, a1"),
        (0x34059573, "csrrw a0, mscratch, a1"),
        (0x34259573, "csrrw a0, mcause, a1"),
        (0x34359573, "csrrw a0, mtval, a1"),
        (0x34459573, "csrrw a0, mip, a1"),
        (0x30259573, "csrrw a0, medeleg, a1"),
        (0x30359573, "csrrw a0, mideleg, a1"),
        (0x30659573, "csrrw a0, mcounteren, a1"),
        (0x10659573, "csrrw a0, scounteren, a1"),
        (0x10559573, "csrrw a0, stvec, a1"),
        (0x14159573, "csrrw a0, sepc, a1"),
        (0x14259573, "csrrw a0, scause, a1"),
        (0x14359573, "csrrw a0, stval, a1"),
        (0x14059573, "csrrw a0, sscratch, a1"),
        (0x10459573, "csrrw a0, sie, a1"),
        (0xf1402573, "csrrs a0, mhartid, zero"),
        (0xf1102573, "csrrs a0, mvendorid, zero"),
        (0xf1202573, "csrrs a0, marchid, zero"),
        (0xf1302573, "csrrs a0, mimpid, zero"),
        (0x30159573, "csrrw a0, misa, a1"),
        (0xb0059573, "csrrw a0, mcycle, a1"),
        (0xb0259573, "csrrw a0, minstret, a1"),
        (0xb0359573, "csrrw a0, mhpmcounter3, a1"),
        (0x33f59573, "csrrw a0, mhpmevent31, a1"),
        (0x32059573, "csrrw a0, mcountinhibit, a1"),
        (0x30a59573, "csrrw a0, menvcfg, a1"),
        (0x10a59573, "csrrw a0, senvcfg, a1"),
        (0x7c059573, "csrrw a0, 0x7c0, a1"),
        (0xfff59573, "csrrw a0, 0xfff, a1"),
        (0x30200073, "mret"),
        (0x10200073, "sret"),
        (0x10500073, "wfi"),
        (0x12000073, "sfence.vma zero, zero"),
        (0x12050073, "sfence.vma a0, zero"),
        (0x12b50073, "sfence.vma a0, a1"),
        (0x02c58533, "mul a0, a1, a2"),
        (0x02f716b3, "mulh a3, a4, a5"),
        (0x0328a833, "mulhsu a6, a7, s2"),
        (0x035a39b3, "mulhu s3, s4, s5"),
        (0x038bcb33, "div s6, s7, s8"),
        (0x03bd5cb3, "divu s9, s10, s11"),
        (0x03eeee33, "rem t3, t4, t5"),
        (0x0262ffb3, "remu t6, t0, t1"),
        (0x02c5853b, "mulw a0, a1, a2"),
        (0x02f746bb, "divw a3, a4, a5"),
        (0x0328d83b, "divuw a6, a7, s2"),
        (0x035a69bb, "remw s3, s4, s5"),
        (0x038bfb3b, "remuw s6, s7, s8"),
        (0x1005a52f, "lr.w a0, (a1)"),
        (0x1405a52f, "lr.w.aq a0, (a1)"),
        (0x1205a52f, "lr.w.rl a0, (a1)"),
        (0x1605a52f, "lr.w.aqrl a0, (a1)"),
        (0x18c5a52f, "sc.w a0, a2, (a1)"),
        (0x1a63a2af, "sc.w.rl t0, t1, (t2)"),
        (0x08b6252f, "amoswap.w a0, a1, (a2)"),
        (0x04b6252f, "amoadd.w.aq a0, a1, (a2)"),
        (0x22b6252f, "amoxor.w.rl a0, a1, (a2)"),
        (0x66b6252f, "amoand.w.aqrl a0, a1, (a2)"),
        (0x40b6252f, "amoor.w a0, a1, (a2)"),
        (0x80b6252f, "amomin.w a0, a1, (a2)"),
        (0xa0b6252f, "amomax.w a0, a1, (a2)"),
        (0xc0b6252f, "amominu.w a0, a1, (a2)"),
        (0xe0b6252f, "amomaxu.w a0, a1, (a2)"),
        (0x1005b52f, "lr.d a0, (a1)"),
        (0x1604b42f, "lr.d.aqrl s0, (s1)"),
        (0x18c5b52f, "sc.d a0, a2, (a1)"),
        (0x1cc5b52f, "sc.d.aq a0, a2, (a1)"),
        (0x0eb6352f, "amoswap.d.aqrl a0, a1, (a2)"),
        (0x00b6352f, "amoadd.d a0, a1, (a2)"),
        (0x20b6352f, "amoxor.d a0, a1, (a2)"),
        (0x60b6352f, "amoand.d a0, a1, (a2)"),
        (0x40b6352f, "amoor.d a0, a1, (a2)"),
        (0x84b6352f, "amomin.d.aq a0, a1, (a2)"),
        (0xa0b6352f, "amomax.d a0, a1, (a2)"),
        (0xc0b6352f, "amominu.d a0, a1, (a2)"),
        (0xe2b6352f, "amomaxu.d.rl a0, a1, (a2)"),
        (0x00412507, "flw fa0, 4(sp)"),
        (0x80052f87, "flw ft11, -2048(a0)"),
        (0xfeb42e27, "fsw fa1, -4(s0)"),
        (0x68c5f543, "fmadd.s fa0, fa1, fa2, fa3"),
        (0x18209047, "fmsub.s ft0, ft1, ft2, ft3, rtz"),
        (0x9924a44b, "fnmsub.s fs0, fs1, fs2, fs3, rdn"),
        (0xf9eebe4f, "fnmadd.s ft8, ft9, ft10, ft11, rup"),
        (0x00c5f553, "fadd.s fa0, fa1, fa2"),
        (0x00c58553, "fadd.s fa0, fa1, fa2, rne"),
        (0x08c5c553, "fsub.s fa0, fa1, fa2, rmm"),
        (0x10c5f553, "fmul.s fa0, fa1, fa2"),
        (0x18c5f553, "fdiv.s fa0, fa1, fa2"),
        (0x5805f553, "fsqrt.s fa0, fa1"),
        (0x58059553, "fsqrt.s fa0, fa1, rtz"),
        (0x20c58553, "fsgnj.s fa0, fa1, fa2"),
        (0x20c59553, "fsgnjn.s fa0, fa1, fa2"),
        (0x20c5a553, "fsgnjx.s fa0, fa1, fa2"),
        (0x28c58553, "fmin.s fa0, fa1, fa2"),
        (0x28c59553, "fmax.s fa0, fa1, fa2"),
        (0xc005f553, "fcvt.w.s a0, fa1"),
        (0xc0059553, "fcvt.w.s a0, fa1, rtz"),
        (0xc015f553, "fcvt.wu.s a0, fa1"),
        (0xc025f553, "fcvt.l.s a0, fa1"),
        (0xc035f553, "fcvt.lu.s a0, fa1"),
        (0xe0058553, "fmv.x.w a0, fa1"),
        (0xa0c5a553, "feq.s a0, fa1, fa2"),
        (0xa0c59553, "flt.s a0, fa1, fa2"),
        (0xa0c58553, "fle.s a0, fa1, fa2"),
        (0xe0059553, "fclass.s a0, fa1"),
        (0xd005f553, "fcvt.s.w fa0, a1"),
        (0xd015f553, "fcvt.s.wu fa0, a1"),
        (0xd0258553, "fcvt.s.l fa0, a1, rne"),
        (0xd035f553, "fcvt.s.lu fa0, a1"),
        (0xf0058553, "fmv.w.x fa0, a1"),
        (0x00813507, "fld fa0, 8(sp)"),
        (0x7f8fbd87, "fld fs11, 2040(t6)"),
        (0xfeb43c27, "fsd fa1, -8(s0)"),
        (0x6ac5f543, "fmadd.d fa0, fa1, fa2, fa3"),
        (0x6ac5f547, "fmsub.d fa0, fa1, fa2, fa3"),
        (0x6ac5f54b, "fnmsub.d fa0, fa1, fa2, fa3"),
        (0x6ac5c54f, "fnmadd.d fa0, fa1, fa2, fa3, rmm"),
        (0x02c58553, "fadd.d fa0, fa1, fa2, rne"),
        (0x02c5f553, "fadd.d fa0, fa1, fa2"),
        (0x0ac5f553, "fsub.d fa0, fa1, fa2"),
        (0x12c5f553, "fmul.d fa0, fa1, fa2"),
        (0x1ac5b553, "fdiv.d fa0, fa1, fa2, rup"),
        (0x5a05f553, "fsqrt.d fa0, fa1"),
        (0x22c58553, "fsgnj.d fa0, fa1, fa2"),
        (0x22c59553, "fsgnjn.d fa0, fa1, fa2"),
        (0x22c5a553, "fsgnjx.d fa0, fa1, fa2"),
        (0x2ac58553, "fmin.d fa0, fa1, fa2"),
        (0x2ac59553, "fmax.d fa0, fa1, fa2"),
        (0x4015f553, "fcvt.s.d fa0, fa1"),
        (0x40159553, "fcvt.s.d fa0, fa1, rtz"),
        (0x42058553, "fcvt.d.s fa0, fa1"),
        (0xc205f553, "fcvt.w.d a0, fa1"),
        (0xc2159553, "fcvt.wu.d a0, fa1, rtz"),
        (0xc225f553, "fcvt.l.d a0, fa1"),
        (0xc235f553, "fcvt.lu.d a0, fa1"),
        (0xe2058553, "fmv.x.d a0, fa1"),
        (0xa2c5a553, "feq.d a0, fa1, fa2"),
        (0xa2c59553, "flt.d a0, fa1, fa2"),
        (0xa2c58553, "fle.d a0, fa1, fa2"),
        (0xe2059553, "fclass.d a0, fa1"),
        (0xd2058553, "fcvt.d.w fa0, a1"),
        (0xd2158553, "fcvt.d.wu fa0, a1"),
        (0xd225f553, "fcvt.d.l fa0, a1"),
        (0xd235a553, "fcvt.d.lu fa0, a1, rdn"),
        (0xf2058553, "fmv.d.x fa0, a1"),
        (0x20c5a533, "sh1add a0, a1, a2"),
        (0x20c5c533, "sh2add a0, a1, a2"),
        (0x20c5e533, "sh3add a0, a1, a2"),
        (0x08c5853b, "add.uw a0, a1, a2"),
        (0x20c5a53b, "sh1add.uw a0, a1, a2"),
        (0x20c5c53b, "sh2add.uw a0, a1, a2"),
        (0x20c5e53b, "sh3add.uw a0, a1, a2"),
        (0x0805951b, "slli.uw a0, a1, 0x0"),
        (0x0bf5951b, "slli.uw a0, a1, 0x3f"),
        (0x40c5f533, "andn a0, a1, a2"),
        (0x40c5e533, "orn a0, a1, a2"),
        (0x40c5c533, "xnor a0, a1, a2"),
        (0x60059513, "clz a0, a1"),
        (0x6005951b, "clzw a0, a1"),
        (0x60159513, "ctz a0, a1"),
        (0x6015951b, "ctzw a0, a1"),
        (0x60259513, "cpop a0, a1"),
        (0x6025951b, "cpopw a0, a1"),
        (0x0ac5e533, "max a0, a1, a2"),
        (0x0ac5f533, "maxu a0, a1, a2"),
        (0x0ac5c533, "min a0, a1, a2"),
        (0x0ac5d533, "minu a0, a1, a2"),
        (0x60459513, "sext.b a0, a1"),
        (0x60559513, "sext.h a0, a1"),
        (0x0805c53b, "zext.h a0, a1"),
        (0x60c59533, "rol a0, a1, a2"),
        (0x60c5953b, "rolw a0, a1, a2"),
        (0x60c5d533, "ror a0, a1, a2"),
        (0x63f5d513, "rori a0, a1, 0x3f"),
        (0x6055d513, "rori a0, a1, 0x5"),
        (0x61f5d51b, "roriw a0, a1, 0x1f"),
        (0x60c5d53b, "rorw a0, a1, a2"),
        (0x2875d513, "orc.b a0, a1"),
        (0x6b85d513, "rev8 a0, a1"),
        (0x0ac59533, "clmul a0, a1, a2"),
        (0x0ac5b533, "clmulh a0, a1, a2"),
        (0x0ac5a533, "clmulr a0, a1, a2"),
        (0x48c59533, "bclr a0, a1, a2"),
        (0x4bf59513, "bclri a0, a1, 0x3f"),
        (0x48c5d533, "bext a0, a1, a2"),
        (0x4a05d513, "bexti a0, a1, 0x20"),
        (0x68c59533, "binv a0, a1, a2"),
        (0x68159513, "binvi a0, a1, 0x1"),
        (0x28c59533, "bset a0, a1, a2"),
        (0x28059513, "bseti a0, a1, 0x0"),
        (0x0015200f, "cbo.clean (a0)"),
        (0x002fa00f, "cbo.flush (t6)"),
        (0x0001200f, "cbo.inval (sp)"),
        (0x0045a00f, "cbo.zero (a1)"),
        // Zicond (not known to binutils 2.40; encodings from the spec).
        (0x0ec5_d533, "czero.eqz a0, a1, a2"),
        (0x0ec5_f533, "czero.nez a0, a1, a2"),
        (0x0e0f_d2b3, "czero.eqz t0, t6, zero"),
    ];

    #[test]
    fn table() {
        for &(w, text) in TABLE {
            assert_eq!(decode(w).to_string(), text, "{w:#010x}");
        }
    }

    #[test]
    fn compressed_print_expanded() {
        let table: &[(u16, &str)] = &[
            (0x4505, "addi a0, zero, 1"),
            (0x0001, "addi zero, zero, 0"),
            (0x8082, "jalr zero, 0(ra)"),
            (0x9502, "jalr ra, 0(a0)"),
            (0x852e, "add a0, zero, a1"),
            (0x952e, "add a0, a0, a1"),
            (0x9002, "ebreak"),
            (0x6582, "ld a1, 0(sp)"),
            (0xe42e, "sd a1, 8(sp)"),
            (0x1141, "addi sp, sp, -16"),
            (0x0020, "addi s0, sp, 8"),
            (0x2588, "fld fa0, 8(a1)"),
            (0xa001, "jal zero, 0"),
            (0xc111, "beq a0, zero, 4"),
            (0x7501, "lui a0, 0xfffe0"),
            (0x0000, "illegal 0x0000"),
            (0x6101, "illegal 0x6101"),
        ];
        for &(c, text) in table {
            assert_eq!(decode_compressed(c).to_string(), text, "{c:#06x}");
        }
    }

    #[test]
    fn odd_cases() {
        let table: &[(u32, &str)] = &[
            (0xffff_ffff, "illegal 0xffffffff"),
            (0x0000_0000, "illegal 0x0000"),
            (0x1005_b52f | 1 << 20, "illegal 0x1015b52f"),
            // Reserved rounding modes are shown, not hidden.
            (0x02b5_d553, "fadd.d fa0, fa1, fa1, rm5"),
            (0x02b5_e553, "fadd.d fa0, fa1, fa1, rm6"),
            // Exact conversions show only unusual rounding modes.
            (0xd205_f553, "fcvt.d.w fa0, a1"),
            (0xd205_9553, "fcvt.d.w fa0, a1, rtz"),
            (0x4205_c553, "fcvt.d.s fa0, fa1, rmm"),
            // Empty fence sets, fence.i with ignored fields, non-canonical pause.
            (0x0040_000f, "fence 0, o"),
            (0x0000_000f, "fence 0, 0"),
            (0x0015_150f, "fence.i"),
            (0x0100_050f, "fence w, 0"),
            // CSRs known by name, and unknown ones in hex.
            (0x3ef0_2573, "csrrs a0, pmpaddr63, zero"),
            (0x3af0_2573, "csrrs a0, pmpcfg15, zero"),
            (0xb9f0_2573, "csrrs a0, mhpmcounter31h, zero"),
            (0x7b00_2573, "csrrs a0, dcsr, zero"),
            (0x8000_2573, "csrrs a0, 0x800, zero"),
        ];
        for &(w, text) in table {
            assert_eq!(decode(w).to_string(), text, "{w:#010x}");
        }
    }

    #[test]
    fn csr_names() {
        let table: &[(u16, &str)] = &[
            (0x001, "fflags"),
            (0x002, "frm"),
            (0x003, "fcsr"),
            (0xc00, "cycle"),
            (0xc01, "time"),
            (0xc02, "instret"),
            (0xc03, "hpmcounter3"),
            (0xc1f, "hpmcounter31"),
            (0xc83, "hpmcounter3h"),
            (0xc9f, "hpmcounter31h"),
            (0x100, "sstatus"),
            (0x180, "satp"),
            (0x14d, "stimecmp"),
            (0x300, "mstatus"),
            (0x305, "mtvec"),
            (0x30a, "menvcfg"),
            (0x323, "mhpmevent3"),
            (0x33f, "mhpmevent31"),
            (0x3a0, "pmpcfg0"),
            (0x3af, "pmpcfg15"),
            (0x3b0, "pmpaddr0"),
            (0x3ef, "pmpaddr63"),
            (0xb00, "mcycle"),
            (0xb03, "mhpmcounter3"),
            (0xb1f, "mhpmcounter31"),
            (0xb83, "mhpmcounter3h"),
            (0xb9f, "mhpmcounter31h"),
            (0xf14, "mhartid"),
            (0xf15, "mconfigptr"),
        ];
        for &(csr, name) in table {
            assert_eq!(csr_name(csr), Some(name), "{csr:#x}");
        }
        for csr in [
            0x000, 0x004, 0x3f0, 0x7c0, 0xb01, 0xc20, 0xfff, 0x1000, 0xffff,
        ] {
            assert_eq!(csr_name(csr), None, "{csr:#x}");
        }
        // No panics anywhere in the space, and names are unique.
        let mut seen = std::collections::HashSet::new();
        for csr in 0..=u16::MAX {
            if let Some(n) = csr_name(csr) {
                assert!(seen.insert(n), "{n} twice");
            }
        }
    }
}
