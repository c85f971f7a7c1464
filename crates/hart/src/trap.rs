//! Exceptions and interrupts: cause codes and the trap value.

/// Privilege levels (the encoding of `mstatus.MPP`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum Priv {
    /// User mode.
    U = 0,
    /// Supervisor mode.
    S = 1,
    /// Machine mode.
    M = 3,
}

impl Priv {
    /// Decode a 2-bit privilege field; the reserved value 2 maps to `None`.
    pub fn from_bits(b: u64) -> Option<Priv> {
        match b & 3 {
            0 => Some(Priv::U),
            1 => Some(Priv::S),
            3 => Some(Priv::M),
            _ => None,
        }
    }
}

/// Synchronous exception cause codes (`mcause` with the interrupt bit clear).
#[allow(missing_docs)]
pub mod cause {
    pub const INSN_MISALIGNED: u64 = 0;
    pub const INSN_ACCESS: u64 = 1;
    pub const ILLEGAL_INSN: u64 = 2;
    pub const BREAKPOINT: u64 = 3;
    pub const LOAD_MISALIGNED: u64 = 4;
    pub const LOAD_ACCESS: u64 = 5;
    pub const STORE_MISALIGNED: u64 = 6;
    pub const STORE_ACCESS: u64 = 7;
    pub const ECALL_U: u64 = 8;
    pub const ECALL_S: u64 = 9;
    pub const ECALL_M: u64 = 11;
    pub const INSN_PAGE_FAULT: u64 = 12;
    pub const LOAD_PAGE_FAULT: u64 = 13;
    pub const STORE_PAGE_FAULT: u64 = 15;

    /// Interrupt bit of `mcause`/`scause`.
    pub const INTERRUPT: u64 = 1 << 63;
    pub const IRQ_S_SOFT: u64 = 1;
    pub const IRQ_M_SOFT: u64 = 3;
    pub const IRQ_S_TIMER: u64 = 5;
    pub const IRQ_M_TIMER: u64 = 7;
    pub const IRQ_S_EXT: u64 = 9;
    pub const IRQ_M_EXT: u64 = 11;
}

/// A synchronous exception: cause and trap value (`mtval`/`stval`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Trap {
    /// The exception code (see [`cause`]).
    pub cause: u64,
    /// The trap value: faulting address, instruction bits, or 0.
    pub tval: u64,
}

impl Trap {
    /// A trap with a cause and value.
    #[inline(always)]
    pub const fn new(cause: u64, tval: u64) -> Trap {
        Trap { cause, tval }
    }

    /// Illegal instruction, with the instruction bits as the trap value.
    #[inline(always)]
    pub const fn illegal(raw: u32) -> Trap {
        Trap {
            cause: cause::ILLEGAL_INSN,
            tval: raw as u64,
        }
    }
}

/// The kind of memory access, which selects permissions and fault causes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Access {
    /// Data read.
    Load = 0,
    /// Data write (and AMOs).
    Store = 1,
    /// Instruction fetch.
    Fetch = 2,
}

impl Access {
    /// Page-fault cause for this access.
    pub const fn page_fault(self) -> u64 {
        match self {
            Access::Load => cause::LOAD_PAGE_FAULT,
            Access::Store => cause::STORE_PAGE_FAULT,
            Access::Fetch => cause::INSN_PAGE_FAULT,
        }
    }
    /// Access-fault cause for this access.
    pub const fn access_fault(self) -> u64 {
        match self {
            Access::Load => cause::LOAD_ACCESS,
            Access::Store => cause::STORE_ACCESS,
            Access::Fetch => cause::INSN_ACCESS,
        }
    }
    /// Misaligned-address cause for this access.
    pub const fn misaligned(self) -> u64 {
        match self {
            Access::Load => cause::LOAD_MISALIGNED,
            Access::Store => cause::STORE_MISALIGNED,
            Access::Fetch => cause::INSN_MISALIGNED,
        }
    }
}
