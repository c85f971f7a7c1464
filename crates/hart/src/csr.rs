//! Control and status registers: the state, the WARL rules, and access checks.

use crate::mmu::PmpEntry;
use crate::trap::{Priv, Trap};
use crate::Hart;
use vireo_memory::{MIP_MEIP, MIP_MSIP, MIP_MTIP, MIP_SEIP, MIP_SSIP, MIP_STIP};

/// CSR numbers vireo implements.
#[allow(missing_docs)]
pub mod addr {
    pub const FFLAGS: u16 = 0x001;
    pub const FRM: u16 = 0x002;
    pub const FCSR: u16 = 0x003;
    pub const CYCLE: u16 = 0xc00;
    pub const TIME: u16 = 0xc01;
    pub const INSTRET: u16 = 0xc02;
    pub const HPMCOUNTER3: u16 = 0xc03;
    pub const HPMCOUNTER31: u16 = 0xc1f;
    pub const SSTATUS: u16 = 0x100;
    pub const SIE: u16 = 0x104;
    pub const STVEC: u16 = 0x105;
    pub const SCOUNTEREN: u16 = 0x106;
    pub const SENVCFG: u16 = 0x10a;
    pub const SSCRATCH: u16 = 0x140;
    pub const SEPC: u16 = 0x141;
    pub const SCAUSE: u16 = 0x142;
    pub const STVAL: u16 = 0x143;
    pub const SIP: u16 = 0x144;
    pub const STIMECMP: u16 = 0x14d;
    pub const SATP: u16 = 0x180;
    pub const MVENDORID: u16 = 0xf11;
    pub const MARCHID: u16 = 0xf12;
    pub const MIMPID: u16 = 0xf13;
    pub const MHARTID: u16 = 0xf14;
    pub const MCONFIGPTR: u16 = 0xf15;
    pub const MSTATUS: u16 = 0x300;
    pub const MISA: u16 = 0x301;
    pub const MEDELEG: u16 = 0x302;
    pub const MIDELEG: u16 = 0x303;
    pub const MIE: u16 = 0x304;
    pub const MTVEC: u16 = 0x305;
    pub const MCOUNTEREN: u16 = 0x306;
    pub const MENVCFG: u16 = 0x30a;
    pub const MCOUNTINHIBIT: u16 = 0x320;
    pub const MHPMEVENT3: u16 = 0x323;
    pub const MHPMEVENT31: u16 = 0x33f;
    pub const MSCRATCH: u16 = 0x340;
    pub const MEPC: u16 = 0x341;
    pub const MCAUSE: u16 = 0x342;
    pub const MTVAL: u16 = 0x343;
    pub const MIP: u16 = 0x344;
    pub const PMPCFG0: u16 = 0x3a0;
    pub const PMPCFG15: u16 = 0x3af;
    pub const PMPADDR0: u16 = 0x3b0;
    pub const PMPADDR63: u16 = 0x3ef;
    pub const TSELECT: u16 = 0x7a0;
    pub const TDATA3: u16 = 0x7a3;
    pub const MCYCLE: u16 = 0xb00;
    pub const MINSTRET: u16 = 0xb02;
    pub const MHPMCOUNTER3: u16 = 0xb03;
    pub const MHPMCOUNTER31: u16 = 0xb1f;
}

/// `mstatus` fields.
#[allow(missing_docs)]
pub mod mstatus {
    pub const SIE: u64 = 1 << 1;
    pub const MIE: u64 = 1 << 3;
    pub const SPIE: u64 = 1 << 5;
    pub const UBE: u64 = 1 << 6;
    pub const MPIE: u64 = 1 << 7;
    pub const SPP: u64 = 1 << 8;
    pub const VS: u64 = 3 << 9;
    pub const MPP_SHIFT: u64 = 11;
    pub const MPP: u64 = 3 << 11;
    pub const FS_SHIFT: u64 = 13;
    pub const FS: u64 = 3 << 13;
    pub const XS: u64 = 3 << 15;
    pub const MPRV: u64 = 1 << 17;
    pub const SUM: u64 = 1 << 18;
    pub const MXR: u64 = 1 << 19;
    pub const TVM: u64 = 1 << 20;
    pub const TW: u64 = 1 << 21;
    pub const TSR: u64 = 1 << 22;
    pub const UXL: u64 = 3 << 32;
    pub const SXL: u64 = 3 << 34;
    pub const SD: u64 = 1 << 63;
    /// Bits writable through `mstatus`.
    pub const M_WRITABLE: u64 =
        SIE | MIE | SPIE | MPIE | SPP | MPP | FS | MPRV | SUM | MXR | TVM | TW | TSR;
    /// Bits visible through `sstatus`.
    pub const S_VISIBLE: u64 = SIE | SPIE | UBE | SPP | VS | FS | XS | SUM | MXR | UXL | SD;
    /// Bits writable through `sstatus`.
    pub const S_WRITABLE: u64 = SIE | SPIE | SPP | FS | SUM | MXR;
    // Translated code reads and writes sstatus with the JIT's copy of
    // these masks.
    const _: () = assert!(
        S_VISIBLE == vireo_jit::SSTATUS_VISIBLE && S_WRITABLE == vireo_jit::SSTATUS_WRITABLE
    );
}

/// `menvcfg` fields.
#[allow(missing_docs)]
pub mod envcfg {
    pub const CBIE: u64 = 3 << 4;
    pub const CBCFE: u64 = 1 << 6;
    pub const CBZE: u64 = 1 << 7;
    pub const STCE: u64 = 1 << 63;
    pub const M_WRITABLE: u64 = CBIE | CBCFE | CBZE | STCE | 1;
    pub const S_WRITABLE: u64 = CBIE | CBCFE | CBZE | 1;
}

/// Interrupt bits an S-mode-capable hart implements.
pub const MIP_ALL: u64 = MIP_SSIP | MIP_MSIP | MIP_STIP | MIP_MTIP | MIP_SEIP | MIP_MEIP;
/// Interrupts that can be delegated to S-mode.
pub const MIDELEG_WRITABLE: u64 = MIP_SSIP | MIP_STIP | MIP_SEIP;
/// Exceptions that can be delegated (all but ecall from M and reserved ones).
pub const MEDELEG_WRITABLE: u64 = 0xb3ff;
/// Number of implemented ASID bits (see `mmu` for why 11).
pub const ASID_BITS: u32 = 11;

/// The value of `misa`: RV64 with A, C, D, F, I, M, S, U.
pub const MISA_VALUE: u64 = (2 << 62)
    | (1 << 0)  // A
    | (1 << 2)  // C
    | (1 << 3)  // D
    | (1 << 5)  // F
    | (1 << 8)  // I
    | (1 << 12) // M
    | (1 << 18) // S
    | (1 << 20); // U

/// The architectural CSR state of a hart. Plain data: it is what snapshots
/// and migration save.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[repr(C)]
pub struct Csrs {
    pub mstatus: u64,
    pub medeleg: u64,
    pub mideleg: u64,
    pub mie: u64,
    /// Software-writable pending bits (SSIP, STIP, SEIP). Device-driven
    /// bits live in `HartSignals` and are merged on read.
    pub mip: u64,
    pub mtvec: u64,
    pub mcounteren: u64,
    pub menvcfg: u64,
    pub mcountinhibit: u64,
    pub mscratch: u64,
    pub mepc: u64,
    pub mcause: u64,
    pub mtval: u64,
    pub stvec: u64,
    pub scounteren: u64,
    pub senvcfg: u64,
    pub sscratch: u64,
    pub sepc: u64,
    pub scause: u64,
    pub stval: u64,
    pub satp: u64,
    pub stimecmp: u64,
    /// `frm << 5 | fflags`.
    pub fcsr: u64,
    /// Added to the retired-instruction count to give `mcycle`.
    pub cycle_offset: u64,
    /// Added to the retired-instruction count to give `minstret`.
    pub instret_offset: u64,
    pub pmpcfg: [u8; 16],
    pub pmpaddr: [u64; 16],
}

// Translated code reaches sscratch, sepc, scause and stval as four
// adjacent words from the first (`vireo_jit::JitCtx::trap_csrs`).
const _: () = {
    use std::mem::offset_of;
    assert!(offset_of!(Csrs, sepc) == offset_of!(Csrs, sscratch) + 8);
    assert!(offset_of!(Csrs, scause) == offset_of!(Csrs, sscratch) + 16);
    assert!(offset_of!(Csrs, stval) == offset_of!(Csrs, sscratch) + 24);
};

#[allow(missing_docs)]
impl Csrs {
    /// Reset values.
    pub fn new() -> Csrs {
        Csrs {
            mstatus: (2 << 32) | (2 << 34),
            stimecmp: u64::MAX,
            ..Default::default()
        }
    }
}

/// CBIE is WARL: the reserved value 0b10 keeps the old field.
fn legalize_cbie(old: u64, new: u64) -> u64 {
    if (new & envcfg::CBIE) >> 4 == 2 {
        (new & !envcfg::CBIE) | (old & envcfg::CBIE)
    } else {
        new
    }
}

fn tvec_legalize(old: u64, new: u64) -> u64 {
    if new & 3 >= 2 {
        (new & !3) | (old & 3)
    } else {
        new
    }
}

impl Hart {
    /// Read `mip` as software sees it: software bits OR device levels OR
    /// timer comparisons.
    pub fn mip(&self) -> u64 {
        self.csr.mip | (self.signals.levels() & (MIP_MSIP | MIP_MEIP | MIP_SEIP)) | self.timer_bits
    }

    fn counter_allowed(&self, csr: u16) -> bool {
        let bit = 1u64 << (csr & 31);
        match self.prv {
            Priv::M => true,
            Priv::S => self.csr.mcounteren & bit != 0,
            Priv::U => self.csr.mcounteren & bit != 0 && self.csr.scounteren & bit != 0,
        }
    }

    fn fp_enabled(&self) -> bool {
        self.csr.mstatus & mstatus::FS != 0
    }

    /// Read CSR `csr` with the privilege checks of the current mode.
    /// `raw` is the instruction, for the illegal-instruction trap value.
    pub(crate) fn csr_read(&mut self, csr: u16, raw: u32) -> Result<u64, Trap> {
        let ill = Trap::illegal(raw);
        if (csr >> 8) & 3 > self.prv as u16 {
            return Err(ill);
        }
        use addr::*;
        let v = match csr {
            FFLAGS | FRM | FCSR if !self.fp_enabled() => return Err(ill),
            FFLAGS => self.csr.fcsr & 0x1f,
            FRM => (self.csr.fcsr >> 5) & 7,
            FCSR => self.csr.fcsr & 0xff,
            CYCLE | TIME | INSTRET | HPMCOUNTER3..=HPMCOUNTER31 => {
                if !self.counter_allowed(csr) {
                    return Err(ill);
                }
                match csr {
                    CYCLE => self.instret.wrapping_add(self.csr.cycle_offset),
                    TIME => self.clock.now(),
                    INSTRET => self.instret.wrapping_add(self.csr.instret_offset),
                    _ => 0,
                }
            }
            SSTATUS => self.read_mstatus() & mstatus::S_VISIBLE,
            SIE => self.csr.mie & self.csr.mideleg,
            STVEC => self.csr.stvec,
            SCOUNTEREN => self.csr.scounteren,
            SENVCFG => self.csr.senvcfg,
            SSCRATCH => self.csr.sscratch,
            SEPC => self.csr.sepc,
            SCAUSE => self.csr.scause,
            STVAL => self.csr.stval,
            SIP => {
                self.refresh_timer();
                self.mip() & self.csr.mideleg
            }
            STIMECMP => {
                if self.prv == Priv::S
                    && (self.csr.mcounteren & 2 == 0 || self.csr.menvcfg & envcfg::STCE == 0)
                {
                    return Err(ill);
                }
                self.csr.stimecmp
            }
            SATP => {
                if self.prv == Priv::S && self.csr.mstatus & mstatus::TVM != 0 {
                    return Err(ill);
                }
                self.csr.satp
            }
            MVENDORID | MARCHID | MIMPID | MCONFIGPTR => 0,
            MHARTID => self.id,
            MSTATUS => self.read_mstatus(),
            MISA => MISA_VALUE,
            MEDELEG => self.csr.medeleg,
            MIDELEG => self.csr.mideleg,
            MIE => self.csr.mie,
            MTVEC => self.csr.mtvec,
            MCOUNTEREN => self.csr.mcounteren,
            MENVCFG => self.csr.menvcfg,
            MCOUNTINHIBIT => self.csr.mcountinhibit,
            MHPMEVENT3..=MHPMEVENT31 => 0,
            MSCRATCH => self.csr.mscratch,
            MEPC => self.csr.mepc,
            MCAUSE => self.csr.mcause,
            MTVAL => self.csr.mtval,
            MIP => {
                self.refresh_timer();
                self.mip()
            }
            PMPCFG0..=PMPCFG15 => {
                let n = (csr - PMPCFG0) as usize;
                if n & 1 == 1 {
                    return Err(ill);
                }
                if n >= 4 {
                    0
                } else {
                    let mut v = 0u64;
                    for i in 0..8 {
                        v |= (self.csr.pmpcfg[n * 4 + i] as u64) << (8 * i);
                    }
                    v
                }
            }
            PMPADDR0..=PMPADDR63 => {
                let n = (csr - PMPADDR0) as usize;
                self.csr.pmpaddr.get(n).copied().unwrap_or(0)
            }
            TSELECT..=TDATA3 => 0,
            MCYCLE => self.instret.wrapping_add(self.csr.cycle_offset),
            MINSTRET => self.instret.wrapping_add(self.csr.instret_offset),
            MHPMCOUNTER3..=MHPMCOUNTER31 => 0,
            _ => return Err(ill),
        };
        Ok(v)
    }

    fn read_mstatus(&self) -> u64 {
        let s = self.csr.mstatus;
        if s & mstatus::FS == mstatus::FS {
            s | mstatus::SD
        } else {
            s & !mstatus::SD
        }
    }

    /// Check that `csr` may be written in the current mode (read-only CSRs
    /// and privilege), before any read side effects.
    pub(crate) fn csr_check_write(&self, csr: u16, raw: u32) -> Result<(), Trap> {
        if csr >> 10 == 3 || (csr >> 8) & 3 > self.prv as u16 {
            return Err(Trap::illegal(raw));
        }
        Ok(())
    }

    /// Write CSR `csr`. Privilege was checked by `csr_check_write`.
    pub(crate) fn csr_write(&mut self, csr: u16, v: u64, raw: u32) -> Result<(), Trap> {
        let ill = Trap::illegal(raw);
        use addr::*;
        match csr {
            FFLAGS | FRM | FCSR if !self.fp_enabled() => return Err(ill),
            FFLAGS => {
                self.csr.fcsr = (self.csr.fcsr & !0x1f) | (v & 0x1f);
                self.csr.mstatus |= mstatus::FS;
            }
            FRM => {
                self.csr.fcsr = (self.csr.fcsr & 0x1f) | ((v & 7) << 5);
                self.csr.mstatus |= mstatus::FS;
            }
            FCSR => {
                self.csr.fcsr = v & 0xff;
                self.csr.mstatus |= mstatus::FS;
            }
            SSTATUS => {
                let m = mstatus::S_WRITABLE;
                self.write_mstatus((self.csr.mstatus & !m) | (v & m));
            }
            SIE => {
                let m = self.csr.mideleg;
                self.csr.mie = (self.csr.mie & !m) | (v & m);
            }
            STVEC => self.csr.stvec = tvec_legalize(self.csr.stvec, v),
            SCOUNTEREN => self.csr.scounteren = v & 0xffff_ffff,
            SENVCFG => self.csr.senvcfg = legalize_cbie(self.csr.senvcfg, v) & envcfg::S_WRITABLE,
            SSCRATCH => self.csr.sscratch = v,
            SEPC => self.csr.sepc = v & !1,
            SCAUSE => self.csr.scause = v,
            STVAL => self.csr.stval = v,
            SIP => {
                let m = self.csr.mideleg & MIP_SSIP;
                self.csr.mip = (self.csr.mip & !m) | (v & m);
            }
            STIMECMP => {
                if self.prv == Priv::S
                    && (self.csr.mcounteren & 2 == 0 || self.csr.menvcfg & envcfg::STCE == 0)
                {
                    return Err(ill);
                }
                self.csr.stimecmp = v;
                self.refresh_timer();
            }
            SATP => {
                if self.prv == Priv::S && self.csr.mstatus & mstatus::TVM != 0 {
                    return Err(ill);
                }
                self.write_satp(v);
            }
            MSTATUS => {
                let m = mstatus::M_WRITABLE;
                self.write_mstatus((self.csr.mstatus & !m) | (v & m));
            }
            MISA => {}
            MEDELEG => self.csr.medeleg = v & MEDELEG_WRITABLE,
            MIDELEG => self.csr.mideleg = v & MIDELEG_WRITABLE,
            MIE => self.csr.mie = v & MIP_ALL,
            MTVEC => self.csr.mtvec = tvec_legalize(self.csr.mtvec, v),
            MCOUNTEREN => self.csr.mcounteren = v & 0xffff_ffff,
            MENVCFG => {
                let v = legalize_cbie(self.csr.menvcfg, v);
                self.csr.menvcfg = v & envcfg::M_WRITABLE;
                self.refresh_timer();
            }
            MCOUNTINHIBIT => self.csr.mcountinhibit = v & 0xffff_fffd,
            MHPMEVENT3..=MHPMEVENT31 => {}
            MSCRATCH => self.csr.mscratch = v,
            MEPC => self.csr.mepc = v & !1,
            MCAUSE => self.csr.mcause = v,
            MTVAL => self.csr.mtval = v,
            MIP => {
                let mut m = MIP_SSIP | MIP_SEIP;
                if self.csr.menvcfg & envcfg::STCE == 0 {
                    m |= MIP_STIP;
                }
                self.csr.mip = (self.csr.mip & !m) | (v & m);
            }
            PMPCFG0..=PMPCFG15 => {
                let n = (csr - PMPCFG0) as usize;
                if n & 1 == 1 {
                    return Err(ill);
                }
                if n < 4 {
                    for i in 0..8 {
                        let idx = n * 4 + i;
                        let old = self.csr.pmpcfg[idx];
                        let new = (v >> (8 * i)) as u8 & 0x9f;
                        let reserved_rw = new & 3 == 2;
                        if old & PmpEntry::L == 0 && !reserved_rw {
                            self.csr.pmpcfg[idx] = new;
                        }
                    }
                    self.pmp_changed();
                }
            }
            PMPADDR0..=PMPADDR63 => {
                let n = (csr - PMPADDR0) as usize;
                if n < 16 {
                    let locked = self.csr.pmpcfg[n] & PmpEntry::L != 0;
                    let next_tor_locked = n + 1 < 16
                        && self.csr.pmpcfg[n + 1] & PmpEntry::L != 0
                        && (self.csr.pmpcfg[n + 1] >> 3) & 3 == 1;
                    if !locked && !next_tor_locked {
                        self.csr.pmpaddr[n] = v & ((1 << 54) - 1);
                        self.pmp_changed();
                    }
                }
            }
            TSELECT..=TDATA3 => {}
            MCYCLE => self.csr.cycle_offset = v.wrapping_sub(self.instret),
            MINSTRET => {
                // The write takes effect after this instruction retires, so
                // the next read sees v + (instructions since).
                self.csr.instret_offset = v.wrapping_sub(self.instret).wrapping_sub(1)
            }
            MHPMCOUNTER3..=MHPMCOUNTER31 => {}
            _ => return Err(ill),
        }
        Ok(())
    }

    pub(crate) fn write_mstatus(&mut self, mut v: u64) {
        // MPP is WARL: the reserved value 2 leaves the field unchanged.
        if (v & mstatus::MPP) >> mstatus::MPP_SHIFT == 2 {
            v = (v & !mstatus::MPP) | (self.csr.mstatus & mstatus::MPP);
        }
        let old = self.csr.mstatus;
        self.csr.mstatus = (v & !mstatus::SD) | (2 << 32) | (2 << 34);
        let mmu_bits = mstatus::MPRV | mstatus::MPP | mstatus::SUM | mstatus::MXR;
        if (old ^ self.csr.mstatus) & mmu_bits != 0 {
            // SUM selects the S-mode data TLB (see `mmu::data_index`);
            // MXR changes what loads may read everywhere.
            if (old ^ self.csr.mstatus) & mstatus::MXR != 0 {
                self.mmu.flush_all();
            }
            self.update_data_mode();
        }
    }

    pub(crate) fn write_satp(&mut self, v: u64) {
        let mode = v >> 60;
        if !matches!(mode, 0 | 8 | 9 | 10) {
            return; // unsupported modes: the write has no effect (WARL)
        }
        let asid_mask = (1u64 << ASID_BITS) - 1;
        // Bare mode: the other fields read as zero.
        let v = if mode == 0 {
            0
        } else {
            v & ((0xf << 60) | (asid_mask << 44) | ((1 << 44) - 1))
        };
        if (v >> 60) != (self.csr.satp >> 60) {
            self.mmu.flush_all();
        }
        self.csr.satp = v;
        self.mmu.set_asid((v >> 44) & asid_mask);
    }
}
