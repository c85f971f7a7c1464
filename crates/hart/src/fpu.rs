//! The F and D extensions' arithmetic, bit-exact with the RISC-V
//! unprivileged specification (2019 and later: `fmin`/`fmax` are IEEE
//! 754-2019 minimumNumber/maximumNumber).
//!
//! The f registers are kept as raw `u64` bits. Single-precision values live
//! NaN-boxed in them (upper 32 bits all ones); an operand that is not
//! properly boxed reads as the canonical NaN.
//!
//! Rounding arithmetic and conversions go through Berkeley SoftFloat 3 (the
//! `softfloat-wrapper` crate, built with the RISC-V specialization: canonical
//! NaN results, RISC-V integer saturation values, tininess detected after
//! rounding). Everything that does not round — sign injection, moves,
//! classification, comparisons, min/max — is done here directly on the bits,
//! which is both faster and independent of the host FPU state.
//!
//! # Thread safety of SoftFloat's state
//!
//! SoftFloat keeps its rounding mode and accumulated exception flags in the
//! C globals `softfloat_roundingMode` and `softfloat_exceptionFlags`. The
//! `softfloat-sys` build script always compiles them with
//! `-DTHREAD_LOCAL=_Thread_local` (or `__thread` for old GCC), so they are
//! per host thread (verified: `readelf -s` on `softfloat_state.o` lists
//! them as `TLS` symbols). Each call to [`execute`] sets the rounding mode,
//! clears the flags, runs one operation and reads the flags back, all on
//! the calling thread and without yielding in between, so harts running
//! concurrently on other threads can neither see nor clobber each other's
//! flags or rounding modes, and no lock is needed. The flags are cleared
//! *before* each operation rather than after, so stale flags left by any
//! other SoftFloat user on the same thread cannot leak into a hart.

use softfloat_wrapper::{ExceptionFlags, Float, RoundingMode, F32, F64};
use vireo_isa::Op;

/// fflags: inexact.
pub const NX: u8 = 1;
/// fflags: underflow.
pub const UF: u8 = 2;
/// fflags: overflow.
pub const OF: u8 = 4;
/// fflags: divide by zero.
pub const DZ: u8 = 8;
/// fflags: invalid operation.
pub const NV: u8 = 16;

/// The canonical single-precision NaN.
pub const CANONICAL_NAN_S: u32 = 0x7fc0_0000;
/// The canonical double-precision NaN.
pub const CANONICAL_NAN_D: u64 = 0x7ff8_0000_0000_0000;

/// NaN-box a single-precision value for an f register.
#[inline]
pub const fn nan_box(v: u32) -> u64 {
    0xffff_ffff_0000_0000 | v as u64
}

/// Read a single-precision operand from an f register: the low 32 bits if
/// the value is properly NaN-boxed, otherwise the canonical NaN.
#[inline]
pub const fn unbox_s(v: u64) -> u32 {
    if v >> 32 == 0xffff_ffff {
        v as u32
    } else {
        CANONICAL_NAN_S
    }
}

pub use vireo_isa::{fp_reads_int_rs1 as reads_int_rs1, fp_writes_int_rd as writes_int_rd};

/// Whether the instruction's rm field is a rounding mode (as opposed to a
/// funct3 selecting the operation, or unused). For these, rm 5 and 6, and
/// rm 7 (dynamic) while `frm` holds 5..=7, are illegal instructions.
///
/// This covers every rounding operation and every `fcvt`, including the
/// exact ones (`fcvt.d.s`, `fcvt.d.w`, ...), whose rm field is still a
/// rounding-mode field and is validated the same way.
pub fn uses_rm(op: Op) -> bool {
    matches!(
        op,
        Op::FmaddS
            | Op::FmsubS
            | Op::FnmsubS
            | Op::FnmaddS
            | Op::FaddS
            | Op::FsubS
            | Op::FmulS
            | Op::FdivS
            | Op::FsqrtS
            | Op::FcvtWS
            | Op::FcvtWuS
            | Op::FcvtLS
            | Op::FcvtLuS
            | Op::FcvtSW
            | Op::FcvtSWu
            | Op::FcvtSL
            | Op::FcvtSLu
            | Op::FmaddD
            | Op::FmsubD
            | Op::FnmsubD
            | Op::FnmaddD
            | Op::FaddD
            | Op::FsubD
            | Op::FmulD
            | Op::FdivD
            | Op::FsqrtD
            | Op::FcvtSD
            | Op::FcvtDS
            | Op::FcvtWD
            | Op::FcvtWuD
            | Op::FcvtLD
            | Op::FcvtLuD
            | Op::FcvtDW
            | Op::FcvtDWu
            | Op::FcvtDL
            | Op::FcvtDLu
    )
}

/// Bit layout of one IEEE binary format, held in the low bits of a `u64`.
#[derive(Clone, Copy)]
struct Fmt {
    sign: u64,
    exp: u64,
    frac: u64,
    quiet: u64,
    canonical_nan: u64,
}

const S: Fmt = Fmt {
    sign: 1 << 31,
    exp: 0x7f80_0000,
    frac: 0x007f_ffff,
    quiet: 1 << 22,
    canonical_nan: CANONICAL_NAN_S as u64,
};

const D: Fmt = Fmt {
    sign: 1 << 63,
    exp: 0x7ff0_0000_0000_0000,
    frac: 0x000f_ffff_ffff_ffff,
    quiet: 1 << 51,
    canonical_nan: CANONICAL_NAN_D,
};

impl Fmt {
    #[inline]
    fn is_nan(self, x: u64) -> bool {
        x & self.exp == self.exp && x & self.frac != 0
    }

    #[inline]
    fn is_snan(self, x: u64) -> bool {
        self.is_nan(x) && x & self.quiet == 0
    }

    /// Both operands are zeros (of either sign).
    #[inline]
    fn both_zero(self, x: u64, y: u64) -> bool {
        (x | y) & (self.exp | self.frac) == 0
    }

    /// A key whose unsigned order is the numeric order of non-NaN values,
    /// with -0 ordered just below +0.
    #[inline]
    fn key(self, x: u64) -> u64 {
        let width = self.sign | (self.sign - 1);
        if x & self.sign != 0 {
            !x & width
        } else {
            x | self.sign
        }
    }

    /// `NV` if either operand is a signaling NaN.
    #[inline]
    fn snan_flag(self, x: u64, y: u64) -> u8 {
        if self.is_snan(x) || self.is_snan(y) {
            NV
        } else {
            0
        }
    }

    /// `feq`: quiet comparison (NV only for signaling NaNs).
    fn feq(self, x: u64, y: u64) -> (u64, u8) {
        if self.is_nan(x) || self.is_nan(y) {
            return (0, self.snan_flag(x, y));
        }
        (u64::from(x == y || self.both_zero(x, y)), 0)
    }

    /// `flt`: signaling comparison (NV for any NaN).
    fn flt(self, x: u64, y: u64) -> (u64, u8) {
        if self.is_nan(x) || self.is_nan(y) {
            return (0, NV);
        }
        (
            u64::from(!self.both_zero(x, y) && self.key(x) < self.key(y)),
            0,
        )
    }

    /// `fle`: signaling comparison (NV for any NaN).
    fn fle(self, x: u64, y: u64) -> (u64, u8) {
        if self.is_nan(x) || self.is_nan(y) {
            return (0, NV);
        }
        (
            u64::from(self.both_zero(x, y) || self.key(x) <= self.key(y)),
            0,
        )
    }

    /// `fmin`/`fmax` (IEEE 754-2019 minimumNumber/maximumNumber).
    fn minmax(self, x: u64, y: u64, max: bool) -> (u64, u8) {
        let flags = self.snan_flag(x, y);
        let v = match (self.is_nan(x), self.is_nan(y)) {
            (true, true) => self.canonical_nan,
            (true, false) => y,
            (false, true) => x,
            (false, false) => {
                if (self.key(x) < self.key(y)) != max {
                    x
                } else {
                    y
                }
            }
        };
        (v, flags)
    }

    /// `fclass`: the 10-bit one-hot classification mask.
    fn class(self, x: u64) -> u64 {
        let neg = x & self.sign != 0;
        let e = x & self.exp;
        let f = x & self.frac;
        let bit = if e == self.exp {
            if f == 0 {
                if neg {
                    0 // -inf
                } else {
                    7 // +inf
                }
            } else if x & self.quiet == 0 {
                8 // signaling NaN
            } else {
                9 // quiet NaN
            }
        } else if e == 0 {
            match (f == 0, neg) {
                (true, true) => 3,   // -0
                (true, false) => 4,  // +0
                (false, true) => 2,  // negative subnormal
                (false, false) => 5, // positive subnormal
            }
        } else if neg {
            1 // negative normal
        } else {
            6 // positive normal
        };
        1 << bit
    }

    fn sgnj(self, x: u64, y: u64) -> u64 {
        (x & !self.sign) | (y & self.sign)
    }

    fn sgnjn(self, x: u64, y: u64) -> u64 {
        (x & !self.sign) | (!y & self.sign)
    }

    fn sgnjx(self, x: u64, y: u64) -> u64 {
        x ^ (y & self.sign)
    }
}

/// The SoftFloat rounding mode for a resolved RISC-V rm value. rm is
/// expected in 0..=4 (the caller has already rejected 5..=7 and resolved
/// dynamic rounding); anything else falls back to round-to-nearest-even
/// rather than panicking.
#[inline]
fn rounding(rm: u8) -> RoundingMode {
    match rm {
        1 => RoundingMode::TowardZero,
        2 => RoundingMode::TowardNegative,
        3 => RoundingMode::TowardPositive,
        4 => RoundingMode::TiesToAway,
        _ => RoundingMode::TiesToEven,
    }
}

/// Run one SoftFloat operation and return its result together with exactly
/// the exception flags it raised. SoftFloat's flag word is thread-local
/// (see the module docs), and the clear / operate / read sequence runs
/// entirely on the calling thread, so this is race-free without a lock.
/// SoftFloat's flag bits coincide with the RISC-V fflags bits.
#[inline]
fn with_flags<T>(f: impl FnOnce() -> T) -> (T, u8) {
    ExceptionFlags::from_bits(0).set();
    let r = f();
    let mut flags = ExceptionFlags::default();
    flags.get();
    (r, flags.to_bits() & (NX | UF | OF | DZ | NV))
}

#[inline]
fn f32_of(v: u64) -> F32 {
    F32::from_bits(unbox_s(v))
}

#[inline]
fn f64_of(v: u64) -> F64 {
    F64::from_bits(v)
}

/// A single-precision result for an f register: NaN-boxed.
#[inline]
fn s_result(f: impl FnOnce() -> F32) -> (u64, u8) {
    let (r, flags) = with_flags(f);
    (nan_box(r.to_bits()), flags)
}

#[inline]
fn d_result(f: impl FnOnce() -> F64) -> (u64, u8) {
    let (r, flags) = with_flags(f);
    (r.to_bits(), flags)
}

/// The host FPU's result for `op`, when it is certainly the one SoftFloat
/// gives under round-to-nearest-even with at most the inexact flag
/// raised: every operand a normal number or zero (singles properly
/// NaN-boxed), no division by zero or square root of a negative, and a
/// finite result above the smallest normal in magnitude (so neither
/// overflow nor underflow, with RISC-V's tininess after rounding) or an
/// exact zero. x86-64 and IEEE 754 round these operations correctly, so
/// the value is the same; the caller uses this only when `frm`-resolved
/// rounding is RNE and NX is already set in `fflags`, where raising NX
/// again changes nothing (the trick QEMU's "hardfloat" uses). `None`:
/// use [`execute`].
pub fn execute_fast(op: Op, a: u64, b: u64, c: u64) -> Option<u64> {
    fn d_ok(v: u64) -> bool {
        let e = (v >> 52) & 0x7ff;
        (e != 0 && e != 0x7ff) || v << 1 == 0
    }
    fn s_ok(v: u64) -> bool {
        let e = (v >> 23) & 0xff;
        v >> 32 == 0xffff_ffff && ((e != 0 && e != 0xff) || (v as u32) << 1 == 0)
    }
    fn d_out(r: f64, zero_ok: bool) -> Option<u64> {
        (r.is_finite() && (r.abs() > f64::MIN_POSITIVE || (r == 0.0 && zero_ok)))
            .then_some(r.to_bits())
    }
    fn s_out(r: f32, zero_ok: bool) -> Option<u64> {
        (r.is_finite() && (r.abs() > f32::MIN_POSITIVE || (r == 0.0 && zero_ok)))
            .then(|| nan_box(r.to_bits()))
    }
    let d = f64::from_bits;
    let s = |v: u64| f32::from_bits(v as u32);
    match op {
        // A zero sum of nonzero normals is an exact cancellation.
        Op::FaddD | Op::FsubD | Op::FmulD | Op::FdivD | Op::FsqrtD if d_ok(a) && d_ok(b) => {
            let (x, y) = (d(a), d(b));
            match op {
                Op::FaddD => d_out(x + y, true),
                Op::FsubD => d_out(x - y, true),
                // A zero product or quotient is exact only from a zero
                // operand (else it underflowed).
                Op::FmulD => d_out(x * y, x == 0.0 || y == 0.0),
                Op::FdivD if y != 0.0 => d_out(x / y, x == 0.0),
                Op::FsqrtD if x >= 0.0 => d_out(x.sqrt(), x == 0.0),
                _ => None,
            }
        }
        Op::FaddS | Op::FsubS | Op::FmulS | Op::FdivS | Op::FsqrtS if s_ok(a) && s_ok(b) => {
            let (x, y) = (s(a), s(b));
            match op {
                Op::FaddS => s_out(x + y, true),
                Op::FsubS => s_out(x - y, true),
                Op::FmulS => s_out(x * y, x == 0.0 || y == 0.0),
                Op::FdivS if y != 0.0 => s_out(x / y, x == 0.0),
                Op::FsqrtS if x >= 0.0 => s_out(x.sqrt(), x == 0.0),
                _ => None,
            }
        }
        // Fused: one rounding, as `mul_add` (correctly rounded). A zero
        // result may hide an underflow: left to SoftFloat.
        Op::FmaddD | Op::FmsubD | Op::FnmsubD | Op::FnmaddD if d_ok(a) && d_ok(b) && d_ok(c) => {
            let (x, y, z) = (d(a), d(b), d(c));
            let r = match op {
                Op::FmaddD => x.mul_add(y, z),
                Op::FmsubD => x.mul_add(y, -z),
                Op::FnmsubD => (-x).mul_add(y, z),
                _ => (-x).mul_add(y, -z),
            };
            d_out(r, false)
        }
        Op::FmaddS | Op::FmsubS | Op::FnmsubS | Op::FnmaddS if s_ok(a) && s_ok(b) && s_ok(c) => {
            let (x, y, z) = (s(a), s(b), s(c));
            let r = match op {
                Op::FmaddS => x.mul_add(y, z),
                Op::FmsubS => x.mul_add(y, -z),
                Op::FnmsubS => (-x).mul_add(y, z),
                _ => (-x).mul_add(y, -z),
            };
            s_out(r, false)
        }
        _ => None,
    }
}

/// A 32-bit integer result for an x register: sign-extended to 64 bits.
#[inline]
fn sext32(v: u32) -> u64 {
    v as i32 as i64 as u64
}

/// Negate by flipping the sign bit (exact; NaN-ness and signaling-ness are
/// unaffected, and any NaN result is canonicalized by SoftFloat anyway).
#[inline]
fn neg32(x: F32) -> F32 {
    F32::from_bits(x.to_bits() ^ (1 << 31))
}

#[inline]
fn neg64(x: F64) -> F64 {
    F64::from_bits(x.to_bits() ^ (1 << 63))
}

/// Execute one arithmetic F/D operation (not `flw`/`fsw`/`fld`/`fsd`).
///
/// `a`, `b`, `c` are the raw values of rs1, rs2, rs3: f-register bits, or
/// for [`reads_int_rs1`] operations the x-register value in `a`. `rm` is
/// the resolved rounding mode (0..=4: RNE, RTZ, RDN, RUP, RMM).
///
/// Returns the value to write to rd — NaN-boxed for single-precision
/// results written to f registers, sign-extended to 64 bits for 32-bit
/// integer results (including `fcvt.wu.*` and `fmv.x.w`) — and the fflags
/// raised. Operations that are not F/D arithmetic yield `(0, 0)`.
pub fn execute(op: Op, a: u64, b: u64, c: u64, rm: u8) -> (u64, u8) {
    let r = rounding(rm);
    match op {
        // ---------------------------------------------------------- F
        Op::FmaddS => s_result(|| f32_of(a).fused_mul_add(f32_of(b), f32_of(c), r)),
        Op::FmsubS => s_result(|| f32_of(a).fused_mul_add(f32_of(b), neg32(f32_of(c)), r)),
        Op::FnmsubS => s_result(|| neg32(f32_of(a)).fused_mul_add(f32_of(b), f32_of(c), r)),
        Op::FnmaddS => s_result(|| neg32(f32_of(a)).fused_mul_add(f32_of(b), neg32(f32_of(c)), r)),
        Op::FaddS => s_result(|| f32_of(a).add(f32_of(b), r)),
        Op::FsubS => s_result(|| f32_of(a).sub(f32_of(b), r)),
        Op::FmulS => s_result(|| f32_of(a).mul(f32_of(b), r)),
        Op::FdivS => s_result(|| f32_of(a).div(f32_of(b), r)),
        Op::FsqrtS => s_result(|| f32_of(a).sqrt(r)),
        Op::FsgnjS => (nan_box(S.sgnj(ub(a), ub(b)) as u32), 0),
        Op::FsgnjnS => (nan_box(S.sgnjn(ub(a), ub(b)) as u32), 0),
        Op::FsgnjxS => (nan_box(S.sgnjx(ub(a), ub(b)) as u32), 0),
        Op::FminS => {
            let (v, fl) = S.minmax(ub(a), ub(b), false);
            (nan_box(v as u32), fl)
        }
        Op::FmaxS => {
            let (v, fl) = S.minmax(ub(a), ub(b), true);
            (nan_box(v as u32), fl)
        }
        Op::FcvtWS => with_flags(|| sext32(f32_of(a).to_i32(r, true) as u32)),
        Op::FcvtWuS => with_flags(|| sext32(f32_of(a).to_u32(r, true))),
        Op::FcvtLS => with_flags(|| f32_of(a).to_i64(r, true) as u64),
        Op::FcvtLuS => with_flags(|| f32_of(a).to_u64(r, true)),
        // fmv.x.w moves the raw low 32 bits; no unboxing.
        Op::FmvXW => (sext32(a as u32), 0),
        Op::FeqS => S.feq(ub(a), ub(b)),
        Op::FltS => S.flt(ub(a), ub(b)),
        Op::FleS => S.fle(ub(a), ub(b)),
        Op::FclassS => (S.class(ub(a)), 0),
        Op::FcvtSW => s_result(|| F32::from_i32(a as u32 as i32, r)),
        Op::FcvtSWu => s_result(|| F32::from_u32(a as u32, r)),
        Op::FcvtSL => s_result(|| F32::from_i64(a as i64, r)),
        Op::FcvtSLu => s_result(|| F32::from_u64(a, r)),
        Op::FmvWX => (nan_box(a as u32), 0),
        // ---------------------------------------------------------- D
        Op::FmaddD => d_result(|| f64_of(a).fused_mul_add(f64_of(b), f64_of(c), r)),
        Op::FmsubD => d_result(|| f64_of(a).fused_mul_add(f64_of(b), neg64(f64_of(c)), r)),
        Op::FnmsubD => d_result(|| neg64(f64_of(a)).fused_mul_add(f64_of(b), f64_of(c), r)),
        Op::FnmaddD => d_result(|| neg64(f64_of(a)).fused_mul_add(f64_of(b), neg64(f64_of(c)), r)),
        Op::FaddD => d_result(|| f64_of(a).add(f64_of(b), r)),
        Op::FsubD => d_result(|| f64_of(a).sub(f64_of(b), r)),
        Op::FmulD => d_result(|| f64_of(a).mul(f64_of(b), r)),
        Op::FdivD => d_result(|| f64_of(a).div(f64_of(b), r)),
        Op::FsqrtD => d_result(|| f64_of(a).sqrt(r)),
        Op::FsgnjD => (D.sgnj(a, b), 0),
        Op::FsgnjnD => (D.sgnjn(a, b), 0),
        Op::FsgnjxD => (D.sgnjx(a, b), 0),
        Op::FminD => D.minmax(a, b, false),
        Op::FmaxD => D.minmax(a, b, true),
        Op::FcvtSD => s_result(|| f64_of(a).to_f32(r)),
        Op::FcvtDS => d_result(|| f32_of(a).to_f64(r)),
        Op::FcvtWD => with_flags(|| sext32(f64_of(a).to_i32(r, true) as u32)),
        Op::FcvtWuD => with_flags(|| sext32(f64_of(a).to_u32(r, true))),
        Op::FcvtLD => with_flags(|| f64_of(a).to_i64(r, true) as u64),
        Op::FcvtLuD => with_flags(|| f64_of(a).to_u64(r, true)),
        Op::FmvXD => (a, 0),
        Op::FeqD => D.feq(a, b),
        Op::FltD => D.flt(a, b),
        Op::FleD => D.fle(a, b),
        Op::FclassD => (D.class(a), 0),
        Op::FcvtDW => d_result(|| F64::from_i32(a as u32 as i32, r)),
        Op::FcvtDWu => d_result(|| F64::from_u32(a as u32, r)),
        Op::FcvtDL => d_result(|| F64::from_i64(a as i64, r)),
        Op::FcvtDLu => d_result(|| F64::from_u64(a, r)),
        Op::FmvDX => (a, 0),
        _ => (0, 0),
    }
}

/// Unbox a single-precision operand into the low bits of a `u64` for the
/// bit-level helpers.
#[inline]
fn ub(v: u64) -> u64 {
    u64::from(unbox_s(v))
}

#[cfg(test)]
mod tests {
    //! Expected values follow the RISC-V unprivileged spec; every `t(...)`
    //! vector below was also cross-checked against QEMU 7.2
    //! (`qemu-system-riscv64`) running the same instruction with the same
    //! operands, `frm` and a cleared `fflags`.

    use super::*;
    use Op::*;

    const RNE: u8 = 0;
    const RTZ: u8 = 1;
    const RDN: u8 = 2;
    const RUP: u8 = 3;
    const RMM: u8 = 4;

    /// A boxed single-precision operand / result.
    const fn bs(v: u32) -> u64 {
        nan_box(v)
    }

    /// A test vector: op, rs1, rs2, rs3, rm, expected rd, expected fflags.
    type Case = (Op, u64, u64, u64, u8, u64, u8);

    const fn t(op: Op, a: u64, b: u64, c: u64, rm: u8, want: u64, flags: u8) -> Case {
        (op, a, b, c, rm, want, flags)
    }

    /// The host fast path agrees with SoftFloat (value, and no flag but
    /// NX) wherever it answers, on random operands biased towards the
    /// edges: tiny, huge, equal magnitudes, zeros.
    #[test]
    fn fast_path_matches_softfloat() {
        let mut x = 0x1234_5678_9abc_def1u64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut pick_d = |k: u64| -> u64 {
            let r = next();
            let sign = r & (1 << 63);
            let mant = r & ((1 << 52) - 1);
            let exp = match k % 6 {
                0 => 1 + (r >> 52) % 4,         // just above the normal minimum
                1 => 0x7fe - (r >> 52) % 4,     // near the maximum
                2 => 0x3ff + (r >> 52) % 8 - 4, // around 1
                3 => 0,                         // zero (mantissa cleared below)
                _ => 1 + (r >> 52) % 0x7fd,
            };
            let mant = if exp == 0 { 0 } else { mant };
            sign | exp << 52 | mant
        };
        let ops_d = [
            FaddD, FsubD, FmulD, FdivD, FsqrtD, FmaddD, FmsubD, FnmsubD, FnmaddD,
        ];
        let ops_s = [
            FaddS, FsubS, FmulS, FdivS, FsqrtS, FmaddS, FmsubS, FnmsubS, FnmaddS,
        ];
        let (mut answered, mut bad) = (0, Vec::new());
        for n in 0..400_000u64 {
            let (a, b, c) = (pick_d(n), pick_d(n / 6), pick_d(n / 36));
            let (op, a, b, c) = if n % 2 == 0 {
                (ops_d[(n / 2) as usize % ops_d.len()], a, b, c)
            } else {
                // Singles: the top 32 bits of each double, NaN-boxed.
                let f = |v: u64| {
                    let d = f64::from_bits(v) as f32;
                    nan_box(if d.is_finite() {
                        d.to_bits()
                    } else {
                        (v >> 32) as u32
                    })
                };
                (ops_s[(n / 2) as usize % ops_s.len()], f(a), f(b), f(c))
            };
            // Equal magnitudes now and then (cancellation).
            let b = if n % 7 == 0 { a ^ (1 << 63) } else { b };
            if let Some(v) = execute_fast(op, a, b, c) {
                answered += 1;
                let (want, flags) = execute(op, a, b, c, RNE);
                if v != want || flags & !NX != 0 {
                    bad.push(format!("{op:?} {a:#x} {b:#x} {c:#x}: fast {v:#x}, softfloat {want:#x} flags {flags:#x}"));
                }
            }
        }
        assert!(
            bad.is_empty(),
            "{} mismatches:\n{}",
            bad.len(),
            bad[..bad.len().min(10)].join("\n")
        );
        assert!(
            answered > 100_000,
            "the fast path answered only {answered} times"
        );
    }

    fn check(cases: &[Case]) {
        let mut bad = Vec::new();
        for (i, &(op, a, b, c, rm, want, flags)) in cases.iter().enumerate() {
            let (got, got_flags) = execute(op, a, b, c, rm);
            if got != want || got_flags != flags {
                bad.push(format!(
                    "#{i} {op:?}({a:#x}, {b:#x}, {c:#x}) rm={rm}: got {got:#x} flags {got_flags:#x}, \
                     want {want:#x} flags {flags:#x}"
                ));
            }
        }
        assert!(
            bad.is_empty(),
            "{} failing vectors:\n{}",
            bad.len(),
            bad.join("\n")
        );
    }

    // Single-precision constants.
    const S_ONE: u64 = bs(0x3f80_0000);
    const S_NEG_ONE: u64 = bs(0xbf80_0000);
    const S_TWO: u64 = bs(0x4000_0000);
    const S_NEG_TWO: u64 = bs(0xc000_0000);
    const S_THREE: u64 = bs(0x4040_0000);
    const S_HALF: u64 = bs(0x3f00_0000);
    const S_NEG_HALF: u64 = bs(0xbf00_0000);
    const S_PZERO: u64 = bs(0);
    const S_NZERO: u64 = bs(0x8000_0000);
    const S_PINF: u64 = bs(0x7f80_0000);
    const S_NINF: u64 = bs(0xff80_0000);
    const S_MAX: u64 = bs(0x7f7f_ffff);
    const S_QNAN: u64 = bs(0x7fc0_0000);
    const S_SNAN: u64 = bs(0x7f80_0001);
    const S_CNAN: u64 = bs(CANONICAL_NAN_S);
    // Double-precision constants.
    const D_ONE: u64 = 0x3ff0_0000_0000_0000;
    const D_NEG_ONE: u64 = 0xbff0_0000_0000_0000;
    const D_TWO: u64 = 0x4000_0000_0000_0000;
    const D_THREE: u64 = 0x4008_0000_0000_0000;
    const D_HALF: u64 = 0x3fe0_0000_0000_0000;
    const D_NEG_HALF: u64 = 0xbfe0_0000_0000_0000;
    const D_PZERO: u64 = 0;
    const D_NZERO: u64 = 0x8000_0000_0000_0000;
    const D_PINF: u64 = 0x7ff0_0000_0000_0000;
    const D_NINF: u64 = 0xfff0_0000_0000_0000;
    const D_MAX: u64 = 0x7fef_ffff_ffff_ffff;
    const D_QNAN: u64 = 0x7ff8_0000_0000_0000;
    const D_SNAN: u64 = 0x7ff0_0000_0000_0001;
    const D_CNAN: u64 = CANONICAL_NAN_D;
    const ALL: u64 = u64::MAX;

    #[test]
    fn rounding_modes_divide() {
        check(&[
            // 1/3 and -1/3, single
            t(FdivS, S_ONE, S_THREE, 0, RNE, bs(0x3eaa_aaab), NX),
            t(FdivS, S_ONE, S_THREE, 0, RTZ, bs(0x3eaa_aaaa), NX),
            t(FdivS, S_ONE, S_THREE, 0, RDN, bs(0x3eaa_aaaa), NX),
            t(FdivS, S_ONE, S_THREE, 0, RUP, bs(0x3eaa_aaab), NX),
            t(FdivS, S_ONE, S_THREE, 0, RMM, bs(0x3eaa_aaab), NX),
            t(FdivS, S_NEG_ONE, S_THREE, 0, RNE, bs(0xbeaa_aaab), NX),
            t(FdivS, S_NEG_ONE, S_THREE, 0, RTZ, bs(0xbeaa_aaaa), NX),
            t(FdivS, S_NEG_ONE, S_THREE, 0, RDN, bs(0xbeaa_aaab), NX),
            t(FdivS, S_NEG_ONE, S_THREE, 0, RUP, bs(0xbeaa_aaaa), NX),
            t(FdivS, S_NEG_ONE, S_THREE, 0, RMM, bs(0xbeaa_aaab), NX),
            // 2/3, single
            t(FdivS, S_TWO, S_THREE, 0, RNE, bs(0x3f2a_aaab), NX),
            t(FdivS, S_TWO, S_THREE, 0, RTZ, bs(0x3f2a_aaaa), NX),
            t(FdivS, S_TWO, S_THREE, 0, RDN, bs(0x3f2a_aaaa), NX),
            t(FdivS, S_TWO, S_THREE, 0, RUP, bs(0x3f2a_aaab), NX),
            t(FdivS, S_TWO, S_THREE, 0, RMM, bs(0x3f2a_aaab), NX),
            // 1/3 and 2/3, double (1/3 rounds down to nearest, 2/3 too)
            t(FdivD, D_ONE, D_THREE, 0, RNE, 0x3fd5_5555_5555_5555, NX),
            t(FdivD, D_ONE, D_THREE, 0, RTZ, 0x3fd5_5555_5555_5555, NX),
            t(FdivD, D_ONE, D_THREE, 0, RDN, 0x3fd5_5555_5555_5555, NX),
            t(FdivD, D_ONE, D_THREE, 0, RUP, 0x3fd5_5555_5555_5556, NX),
            t(FdivD, D_ONE, D_THREE, 0, RMM, 0x3fd5_5555_5555_5555, NX),
            t(FdivD, D_TWO, D_THREE, 0, RNE, 0x3fe5_5555_5555_5555, NX),
            t(FdivD, D_TWO, D_THREE, 0, RUP, 0x3fe5_5555_5555_5556, NX),
            t(FdivD, D_NEG_ONE, D_THREE, 0, RDN, 0xbfd5_5555_5555_5556, NX),
            t(FdivD, D_NEG_ONE, D_THREE, 0, RUP, 0xbfd5_5555_5555_5555, NX),
            // exact results raise nothing
            t(FdivS, S_THREE, S_TWO, 0, RNE, bs(0x3fc0_0000), 0),
            t(FdivD, D_ONE, D_TWO, 0, RUP, D_HALF, 0),
        ]);
    }

    #[test]
    fn rounding_modes_ties() {
        check(&[
            // 1 + 2^-24: exactly halfway between 1 and 1 + 2^-23 (even: 1)
            t(FaddS, S_ONE, bs(0x3380_0000), 0, RNE, S_ONE, NX),
            t(FaddS, S_ONE, bs(0x3380_0000), 0, RTZ, S_ONE, NX),
            t(FaddS, S_ONE, bs(0x3380_0000), 0, RDN, S_ONE, NX),
            t(FaddS, S_ONE, bs(0x3380_0000), 0, RUP, bs(0x3f80_0001), NX),
            t(FaddS, S_ONE, bs(0x3380_0000), 0, RMM, bs(0x3f80_0001), NX),
            // (1 + 2^-23) + 2^-24: halfway, the even neighbour is above
            t(
                FaddS,
                bs(0x3f80_0001),
                bs(0x3380_0000),
                0,
                RNE,
                bs(0x3f80_0002),
                NX,
            ),
            t(
                FaddS,
                bs(0x3f80_0001),
                bs(0x3380_0000),
                0,
                RTZ,
                bs(0x3f80_0001),
                NX,
            ),
            t(
                FaddS,
                bs(0x3f80_0001),
                bs(0x3380_0000),
                0,
                RMM,
                bs(0x3f80_0002),
                NX,
            ),
            // negative tie: -1 - 2^-24
            t(FsubS, S_NEG_ONE, bs(0x3380_0000), 0, RNE, S_NEG_ONE, NX),
            t(FsubS, S_NEG_ONE, bs(0x3380_0000), 0, RTZ, S_NEG_ONE, NX),
            t(
                FsubS,
                S_NEG_ONE,
                bs(0x3380_0000),
                0,
                RDN,
                bs(0xbf80_0001),
                NX,
            ),
            t(FsubS, S_NEG_ONE, bs(0x3380_0000), 0, RUP, S_NEG_ONE, NX),
            t(
                FsubS,
                S_NEG_ONE,
                bs(0x3380_0000),
                0,
                RMM,
                bs(0xbf80_0001),
                NX,
            ),
            // double: 1 + 2^-53
            t(FaddD, D_ONE, 0x3ca0_0000_0000_0000, 0, RNE, D_ONE, NX),
            t(FaddD, D_ONE, 0x3ca0_0000_0000_0000, 0, RTZ, D_ONE, NX),
            t(FaddD, D_ONE, 0x3ca0_0000_0000_0000, 0, RDN, D_ONE, NX),
            t(
                FaddD,
                D_ONE,
                0x3ca0_0000_0000_0000,
                0,
                RUP,
                0x3ff0_0000_0000_0001,
                NX,
            ),
            t(
                FaddD,
                D_ONE,
                0x3ca0_0000_0000_0000,
                0,
                RMM,
                0x3ff0_0000_0000_0001,
                NX,
            ),
            // exact zero sums: +0 except when rounding down
            t(FsubS, S_ONE, S_ONE, 0, RNE, S_PZERO, 0),
            t(FsubS, S_ONE, S_ONE, 0, RDN, S_NZERO, 0),
            t(FaddD, D_ONE, D_NEG_ONE, 0, RUP, D_PZERO, 0),
            t(FaddD, D_ONE, D_NEG_ONE, 0, RDN, D_NZERO, 0),
            t(FaddD, D_NZERO, D_NZERO, 0, RNE, D_NZERO, 0),
        ]);
    }

    #[test]
    fn mul_and_sqrt_rounding() {
        check(&[
            t(
                FmulS,
                bs(0x3f80_0001),
                bs(0x3f80_0001),
                0,
                RNE,
                bs(0x3f80_0002),
                NX,
            ),
            t(
                FmulS,
                bs(0x3f80_0001),
                bs(0x3f80_0001),
                0,
                RUP,
                bs(0x3f80_0003),
                NX,
            ),
            t(FmulD, D_THREE, D_HALF, 0, RNE, 0x3ff8_0000_0000_0000, 0),
            t(FsqrtS, bs(0x4080_0000), 0, 0, RNE, S_TWO, 0),
            t(FsqrtS, S_TWO, 0, 0, RNE, bs(0x3fb5_04f3), NX),
            t(FsqrtS, S_TWO, 0, 0, RTZ, bs(0x3fb5_04f3), NX),
            t(FsqrtS, S_TWO, 0, 0, RUP, bs(0x3fb5_04f4), NX),
            t(FsqrtD, D_TWO, 0, 0, RNE, 0x3ff6_a09e_667f_3bcd, NX),
            t(FsqrtD, D_TWO, 0, 0, RTZ, 0x3ff6_a09e_667f_3bcc, NX),
            t(FsqrtD, D_TWO, 0, 0, RUP, 0x3ff6_a09e_667f_3bcd, NX),
            t(FsqrtD, D_NZERO, 0, 0, RNE, D_NZERO, 0),
            t(FsqrtS, S_NZERO, 0, 0, RNE, S_NZERO, 0),
            t(FsqrtD, D_PINF, 0, 0, RNE, D_PINF, 0),
        ]);
    }

    #[test]
    fn flag_overflow() {
        check(&[
            t(FmulS, S_MAX, S_TWO, 0, RNE, S_PINF, OF | NX),
            t(FmulS, S_MAX, S_TWO, 0, RTZ, S_MAX, OF | NX),
            t(FmulS, S_MAX, S_TWO, 0, RDN, S_MAX, OF | NX),
            t(FmulS, S_MAX, S_TWO, 0, RUP, S_PINF, OF | NX),
            t(FmulS, S_MAX, S_TWO, 0, RMM, S_PINF, OF | NX),
            t(FmulS, S_MAX, S_NEG_TWO, 0, RDN, S_NINF, OF | NX),
            t(FmulS, S_MAX, S_NEG_TWO, 0, RUP, bs(0xff7f_ffff), OF | NX),
            t(FaddD, D_MAX, D_MAX, 0, RNE, D_PINF, OF | NX),
            t(FaddD, D_MAX, D_MAX, 0, RTZ, D_MAX, OF | NX),
            t(
                FmulD,
                D_MAX,
                0xc000_0000_0000_0000,
                0,
                RUP,
                0xffef_ffff_ffff_ffff,
                OF | NX,
            ),
            // infinity arithmetic is exact
            t(FaddS, S_PINF, S_ONE, 0, RNE, S_PINF, 0),
        ]);
    }

    #[test]
    fn flag_underflow() {
        check(&[
            // exact subnormal result: no flags at all
            t(FmulS, bs(0x0080_0000), S_HALF, 0, RNE, bs(0x0040_0000), 0),
            // inexact subnormal result: UF | NX (a tie, rounded to even)
            t(
                FmulS,
                bs(0x0080_0001),
                S_HALF,
                0,
                RNE,
                bs(0x0040_0000),
                UF | NX,
            ),
            t(
                FmulS,
                bs(0x0080_0001),
                S_HALF,
                0,
                RUP,
                bs(0x0040_0001),
                UF | NX,
            ),
            // 2^-126 * (1 - 2^-24) is 24-bit representable (tiny after
            // rounding to 24 bits) but rounds up to 2^-126 in the format:
            // tiny, inexact, so UF.
            t(
                FmulS,
                bs(0x3f7f_ffff),
                bs(0x0080_0000),
                0,
                RNE,
                bs(0x0080_0000),
                UF | NX,
            ),
            // 2^-126 * (1 - 2^-26): before rounding it is tiny, but rounded
            // to 24 bits with unbounded exponent it is 2^-126 = not tiny
            // after rounding, so NX only (RISC-V detects after rounding).
            t(
                FcvtSD,
                0x380f_ffff_f800_0000,
                0,
                0,
                RNE,
                bs(0x0080_0000),
                NX,
            ),
            t(
                FcvtSD,
                0x380f_ffff_f800_0000,
                0,
                0,
                RTZ,
                bs(0x007f_ffff),
                UF | NX,
            ),
            t(
                FcvtSD,
                0x380f_ffff_f800_0000,
                0,
                0,
                RUP,
                bs(0x0080_0000),
                NX,
            ),
            t(
                FcvtSD,
                0x380f_ffff_e000_0000,
                0,
                0,
                RNE,
                bs(0x0080_0000),
                UF | NX,
            ),
            // products that round up to the smallest normal (from QEMU)
            t(
                FmulS,
                bs(0x0042_0222),
                bs(0x3ff8_360a),
                0,
                RNE,
                bs(0x0080_0000),
                NX,
            ),
            t(
                FmulS,
                bs(0x0042_e59b),
                bs(0x3ff4_ea08),
                0,
                RUP,
                bs(0x0080_0000),
                UF | NX,
            ),
            t(
                FmulD,
                0x0008_5f65_1b06_f0fe,
                0x3ffe_9367_2aa3_300b,
                0,
                RNE,
                0x0010_0000_0000_0000,
                NX,
            ),
            // total underflow
            t(FcvtSD, 0x01a5_6e1f_c2f8_f359, 0, 0, RNE, S_PZERO, UF | NX),
            t(
                FcvtSD,
                0x01a5_6e1f_c2f8_f359,
                0,
                0,
                RUP,
                bs(0x0000_0001),
                UF | NX,
            ),
            t(
                FmulD,
                0x0000_0000_0000_0001,
                D_HALF,
                0,
                RNE,
                D_PZERO,
                UF | NX,
            ),
            t(
                FmulD,
                0x0000_0000_0000_0001,
                D_HALF,
                0,
                RMM,
                0x0000_0000_0000_0001,
                UF | NX,
            ),
        ]);
    }

    #[test]
    fn flag_divide_by_zero_and_invalid() {
        check(&[
            t(FdivS, S_ONE, S_PZERO, 0, RNE, S_PINF, DZ),
            t(FdivS, S_ONE, S_NZERO, 0, RNE, S_NINF, DZ),
            t(FdivD, D_NEG_ONE, D_PZERO, 0, RNE, D_NINF, DZ),
            t(FdivS, S_PINF, S_PZERO, 0, RNE, S_PINF, 0),
            t(FdivS, S_PZERO, S_PZERO, 0, RNE, S_CNAN, NV),
            t(FdivD, D_PINF, D_NINF, 0, RNE, D_CNAN, NV),
            t(FsubS, S_PINF, S_PINF, 0, RNE, S_CNAN, NV),
            t(FaddD, D_PINF, D_NINF, 0, RNE, D_CNAN, NV),
            t(FmulS, S_PINF, S_PZERO, 0, RNE, S_CNAN, NV),
            t(FmulD, D_NZERO, D_NINF, 0, RNE, D_CNAN, NV),
            t(FsqrtS, S_NEG_ONE, 0, 0, RNE, S_CNAN, NV),
            t(FsqrtD, D_NEG_ONE, 0, 0, RNE, D_CNAN, NV),
            t(FsqrtD, D_NINF, 0, 0, RNE, D_CNAN, NV),
        ]);
    }

    #[test]
    fn canonical_nan_results() {
        check(&[
            // quiet NaN operands propagate as the canonical NaN, no flags
            t(FaddS, bs(0x7fc0_1234), S_ONE, 0, RNE, S_CNAN, 0),
            t(FaddS, bs(0xffc0_0000), S_ONE, 0, RNE, S_CNAN, 0),
            t(FmulD, 0xfff8_0000_0000_beef, D_ONE, 0, RNE, D_CNAN, 0),
            t(FsqrtS, bs(0xffc0_0001), 0, 0, RNE, S_CNAN, 0),
            // signaling NaN operands: canonical NaN and NV
            t(FaddS, S_SNAN, S_ONE, 0, RNE, S_CNAN, NV),
            t(FdivS, S_ONE, bs(0xffa0_0000), 0, RNE, S_CNAN, NV),
            t(FsubD, D_ONE, D_SNAN, 0, RNE, D_CNAN, NV),
            t(FsqrtD, 0xfff4_0000_0000_0000, 0, 0, RNE, D_CNAN, NV),
            t(FmulD, D_SNAN, D_QNAN, 0, RNE, D_CNAN, NV),
        ]);
    }

    #[test]
    fn nan_boxing() {
        assert_eq!(nan_box(0x3f80_0000), 0xffff_ffff_3f80_0000);
        assert_eq!(unbox_s(0xffff_ffff_1234_5678), 0x1234_5678);
        assert_eq!(unbox_s(0x0000_0000_3f80_0000), CANONICAL_NAN_S);
        assert_eq!(unbox_s(0xffff_fffe_3f80_0000), CANONICAL_NAN_S);
        assert_eq!(unbox_s(0x7fff_ffff_3f80_0000), CANONICAL_NAN_S);
        check(&[
            // a non-boxed operand is the canonical (quiet) NaN
            t(FaddS, 0x0000_0000_3f80_0000, S_ONE, 0, RNE, S_CNAN, 0),
            t(FaddS, S_ONE, 0xffff_fffe_3f80_0000, 0, RNE, S_CNAN, 0),
            t(FmaddS, S_ONE, S_ONE, 0x3f80_0000, RNE, S_CNAN, 0),
            t(FclassS, 0x3f80_0000, 0, 0, RNE, 0x200, 0),
            t(FeqS, 0x3f80_0000, 0x3f80_0000, 0, RNE, 0, 0),
            t(FltS, 0x3f80_0000, S_ONE, 0, RNE, 0, NV),
            t(FminS, 0x3f80_0000, S_TWO, 0, RNE, S_TWO, 0),
            t(FsgnjS, 0x3f80_0000, S_NEG_ONE, 0, RNE, bs(0xffc0_0000), 0),
            t(FsgnjS, S_ONE, 0x8000_0000, 0, RNE, S_ONE, 0),
            t(FcvtDS, 0x3f80_0000, 0, 0, RNE, D_CNAN, 0),
            t(FcvtWS, 0x3f80_0000, 0, 0, RNE, 0x7fff_ffff, NV),
            // fmv.x.w moves the raw low bits (sign-extended), boxed or not
            t(
                FmvXW,
                0x0000_0000_8000_0001,
                0,
                0,
                RNE,
                0xffff_ffff_8000_0001,
                0,
            ),
            t(FmvXW, S_ONE, 0, 0, RNE, 0x3f80_0000, 0),
            t(FmvXW, bs(0xffc0_0000), 0, 0, RNE, 0xffff_ffff_ffc0_0000, 0),
            // fmv.w.x boxes the low 32 bits of the x register
            t(FmvWX, 0x1234_5678_3f80_0000, 0, 0, RNE, S_ONE, 0),
            t(FmvWX, 0x7f80_0001, 0, 0, RNE, S_SNAN, 0),
            // single results are boxed
            t(FcvtSD, D_ONE, 0, 0, RNE, S_ONE, 0),
            t(FcvtSW, 7, 0, 0, RNE, bs(0x40e0_0000), 0),
            // double moves are raw
            t(FmvXD, D_SNAN, 0, 0, RNE, D_SNAN, 0),
            t(
                FmvDX,
                0x0123_4567_89ab_cdef,
                0,
                0,
                RNE,
                0x0123_4567_89ab_cdef,
                0,
            ),
        ]);
    }

    #[test]
    fn compares_quiet_and_signaling() {
        check(&[
            t(FeqS, S_ONE, S_ONE, 0, RNE, 1, 0),
            t(FeqS, S_PZERO, S_NZERO, 0, RNE, 1, 0),
            t(FeqS, S_QNAN, S_QNAN, 0, RNE, 0, 0),
            t(FeqS, S_QNAN, S_ONE, 0, RNE, 0, 0),
            t(FeqS, S_SNAN, S_ONE, 0, RNE, 0, NV),
            t(FeqS, S_ONE, S_SNAN, 0, RNE, 0, NV),
            t(FltS, S_QNAN, S_ONE, 0, RNE, 0, NV),
            t(FltS, S_ONE, S_SNAN, 0, RNE, 0, NV),
            t(FleS, S_ONE, S_QNAN, 0, RNE, 0, NV),
            t(FltS, S_NZERO, S_PZERO, 0, RNE, 0, 0),
            t(FleS, S_PZERO, S_NZERO, 0, RNE, 1, 0),
            t(FltS, S_NEG_ONE, S_ONE, 0, RNE, 1, 0),
            t(FltS, S_NEG_TWO, S_NEG_ONE, 0, RNE, 1, 0),
            t(FltS, S_NEG_ONE, S_NEG_TWO, 0, RNE, 0, 0),
            t(FleS, S_NINF, S_NINF, 0, RNE, 1, 0),
            t(FltS, S_MAX, S_PINF, 0, RNE, 1, 0),
            t(FleS, bs(0x0000_0001), S_PZERO, 0, RNE, 0, 0),
            t(FeqD, D_ONE, D_ONE, 0, RNE, 1, 0),
            t(FeqD, D_NZERO, D_PZERO, 0, RNE, 1, 0),
            t(FeqD, D_QNAN, D_QNAN, 0, RNE, 0, 0),
            t(FeqD, D_SNAN, D_ONE, 0, RNE, 0, NV),
            t(FltD, D_QNAN, D_ONE, 0, RNE, 0, NV),
            t(FleD, D_ONE, D_QNAN, 0, RNE, 0, NV),
            t(FleD, D_SNAN, D_SNAN, 0, RNE, 0, NV),
            t(FltD, D_NZERO, D_PZERO, 0, RNE, 0, 0),
            t(FleD, D_NZERO, D_PZERO, 0, RNE, 1, 0),
            t(FltD, 0x8000_0000_0000_0001, D_NZERO, 0, RNE, 1, 0),
            t(FltD, D_NINF, D_NEG_ONE, 0, RNE, 1, 0),
            t(FleD, D_TWO, D_ONE, 0, RNE, 0, 0),
        ]);
    }

    #[test]
    fn min_max() {
        check(&[
            t(FminS, S_ONE, S_TWO, 0, RNE, S_ONE, 0),
            t(FmaxS, S_ONE, S_TWO, 0, RNE, S_TWO, 0),
            t(FminS, S_NEG_ONE, S_NEG_TWO, 0, RNE, S_NEG_TWO, 0),
            t(FmaxS, S_NINF, S_NEG_TWO, 0, RNE, S_NEG_TWO, 0),
            // -0 < +0 in either operand order
            t(FminS, S_PZERO, S_NZERO, 0, RNE, S_NZERO, 0),
            t(FminS, S_NZERO, S_PZERO, 0, RNE, S_NZERO, 0),
            t(FmaxS, S_NZERO, S_PZERO, 0, RNE, S_PZERO, 0),
            t(FmaxS, S_PZERO, S_NZERO, 0, RNE, S_PZERO, 0),
            // one NaN: the other operand; NV only if that NaN signals
            t(FminS, S_QNAN, S_ONE, 0, RNE, S_ONE, 0),
            t(FmaxS, S_ONE, S_QNAN, 0, RNE, S_ONE, 0),
            t(FminS, S_SNAN, S_ONE, 0, RNE, S_ONE, NV),
            t(FmaxS, S_NEG_ONE, S_SNAN, 0, RNE, S_NEG_ONE, NV),
            // both NaN: canonical NaN
            t(FminS, bs(0x7fc0_0001), bs(0xffc0_0002), 0, RNE, S_CNAN, 0),
            t(FmaxS, S_SNAN, S_QNAN, 0, RNE, S_CNAN, NV),
            t(FminD, D_ONE, D_TWO, 0, RNE, D_ONE, 0),
            t(FmaxD, D_ONE, D_TWO, 0, RNE, D_TWO, 0),
            t(FminD, D_PZERO, D_NZERO, 0, RNE, D_NZERO, 0),
            t(FmaxD, D_NZERO, D_PZERO, 0, RNE, D_PZERO, 0),
            t(FminD, D_QNAN, D_NEG_ONE, 0, RNE, D_NEG_ONE, 0),
            t(FmaxD, D_SNAN, D_NEG_ONE, 0, RNE, D_NEG_ONE, NV),
            t(
                FmaxD,
                0x7ff8_0000_0000_0001,
                0xfff8_0000_0000_0002,
                0,
                RNE,
                D_CNAN,
                0,
            ),
            t(FminD, D_SNAN, D_SNAN, 0, RNE, D_CNAN, NV),
            t(FmaxD, D_NINF, D_PINF, 0, RNE, D_PINF, 0),
        ]);
    }

    #[test]
    fn classify_all_ten_classes() {
        check(&[
            t(FclassS, S_NINF, 0, 0, RNE, 1 << 0, 0),
            t(FclassS, S_NEG_ONE, 0, 0, RNE, 1 << 1, 0),
            t(FclassS, bs(0x807f_ffff), 0, 0, RNE, 1 << 2, 0),
            t(FclassS, S_NZERO, 0, 0, RNE, 1 << 3, 0),
            t(FclassS, S_PZERO, 0, 0, RNE, 1 << 4, 0),
            t(FclassS, bs(0x0000_0001), 0, 0, RNE, 1 << 5, 0),
            t(FclassS, S_MAX, 0, 0, RNE, 1 << 6, 0),
            t(FclassS, S_PINF, 0, 0, RNE, 1 << 7, 0),
            t(FclassS, S_SNAN, 0, 0, RNE, 1 << 8, 0),
            t(FclassS, bs(0xffbf_ffff), 0, 0, RNE, 1 << 8, 0),
            t(FclassS, S_QNAN, 0, 0, RNE, 1 << 9, 0),
            t(FclassS, bs(0xffc0_0001), 0, 0, RNE, 1 << 9, 0),
            t(FclassD, D_NINF, 0, 0, RNE, 1 << 0, 0),
            t(FclassD, 0xffef_ffff_ffff_ffff, 0, 0, RNE, 1 << 1, 0),
            t(FclassD, 0x8000_0000_0000_0001, 0, 0, RNE, 1 << 2, 0),
            t(FclassD, D_NZERO, 0, 0, RNE, 1 << 3, 0),
            t(FclassD, D_PZERO, 0, 0, RNE, 1 << 4, 0),
            t(FclassD, 0x000f_ffff_ffff_ffff, 0, 0, RNE, 1 << 5, 0),
            t(FclassD, 0x0010_0000_0000_0000, 0, 0, RNE, 1 << 6, 0),
            t(FclassD, D_PINF, 0, 0, RNE, 1 << 7, 0),
            t(FclassD, D_SNAN, 0, 0, RNE, 1 << 8, 0),
            t(FclassD, 0xfff7_ffff_ffff_ffff, 0, 0, RNE, 1 << 8, 0),
            t(FclassD, D_QNAN, 0, 0, RNE, 1 << 9, 0),
            t(FclassD, 0xffff_ffff_ffff_ffff, 0, 0, RNE, 1 << 9, 0),
        ]);
    }

    #[test]
    fn sign_injection_is_bitwise() {
        check(&[
            t(FsgnjS, S_ONE, S_NEG_TWO, 0, RNE, S_NEG_ONE, 0),
            t(FsgnjnS, S_ONE, S_NEG_TWO, 0, RNE, S_ONE, 0),
            t(FsgnjnS, S_ONE, S_TWO, 0, RNE, S_NEG_ONE, 0),
            t(FsgnjxS, S_NEG_ONE, S_NEG_TWO, 0, RNE, S_ONE, 0),
            t(FsgnjxS, S_NEG_ONE, S_TWO, 0, RNE, S_NEG_ONE, 0),
            // NaN payloads (even signaling) pass through, no flags
            t(FsgnjnS, S_SNAN, S_SNAN, 0, RNE, bs(0xff80_0001), 0),
            t(
                FsgnjS,
                bs(0x7fc0_1234),
                S_NEG_ONE,
                0,
                RNE,
                bs(0xffc0_1234),
                0,
            ),
            t(FsgnjD, D_ONE, D_NEG_ONE, 0, RNE, D_NEG_ONE, 0),
            t(FsgnjnD, D_SNAN, D_SNAN, 0, RNE, 0xfff0_0000_0000_0001, 0),
            t(
                FsgnjxD,
                0xfff8_0000_0000_00ab,
                D_NEG_ONE,
                0,
                RNE,
                0x7ff8_0000_0000_00ab,
                0,
            ),
            t(FsgnjxD, D_NZERO, D_NZERO, 0, RNE, D_PZERO, 0),
        ]);
    }

    #[test]
    fn fused_multiply_add() {
        check(&[
            t(FmaddS, S_ONE, S_TWO, S_THREE, RNE, bs(0x40a0_0000), 0), // 1*2+3 = 5
            t(FmsubS, S_ONE, S_TWO, S_THREE, RNE, S_NEG_ONE, 0),       // 1*2-3 = -1
            t(FnmsubS, S_ONE, S_TWO, S_THREE, RNE, S_ONE, 0),          // -(1*2)+3 = 1
            t(FnmaddS, S_ONE, S_TWO, S_THREE, RNE, bs(0xc0a0_0000), 0), // -(1*2)-3 = -5
            t(FmaddD, D_ONE, D_TWO, D_THREE, RNE, 0x4014_0000_0000_0000, 0),
            t(FmsubD, D_ONE, D_TWO, D_THREE, RNE, D_NEG_ONE, 0),
            t(FnmsubD, D_ONE, D_TWO, D_THREE, RNE, D_ONE, 0),
            t(
                FnmaddD,
                D_ONE,
                D_TWO,
                D_THREE,
                RNE,
                0xc014_0000_0000_0000,
                0,
            ),
            // a single rounding: (1+2^-23)^2 - (1+2^-22) = 2^-46 exactly
            t(
                FmaddS,
                bs(0x3f80_0001),
                bs(0x3f80_0001),
                bs(0xbf80_0002),
                RNE,
                bs(0x2880_0000),
                0,
            ),
            t(
                FmsubS,
                bs(0x3f80_0001),
                bs(0x3f80_0001),
                bs(0x3f80_0002),
                RNE,
                bs(0x2880_0000),
                0,
            ),
            t(
                FnmaddS,
                bs(0x3f80_0001),
                bs(0x3f80_0001),
                bs(0xbf80_0002),
                RNE,
                bs(0xa880_0000),
                0,
            ),
            t(
                FmaddD,
                0x3ff0_0000_0000_0001,
                0x3ff0_0000_0000_0001,
                0xbff0_0000_0000_0002,
                RNE,
                0x3970_0000_0000_0000,
                0,
            ),
            // inf * 0 is invalid even when the addend is a quiet NaN
            t(FmaddS, S_PINF, S_PZERO, S_QNAN, RNE, S_CNAN, NV),
            t(FnmaddS, S_PZERO, S_NINF, S_QNAN, RNE, S_CNAN, NV),
            t(FmaddD, D_PINF, D_PZERO, D_QNAN, RNE, D_CNAN, NV),
            t(FmsubD, D_NZERO, D_PINF, D_ONE, RNE, D_CNAN, NV),
            // inf - inf
            t(FmaddS, S_PINF, S_ONE, S_NINF, RNE, S_CNAN, NV),
            t(FmsubD, D_PINF, D_ONE, D_PINF, RNE, D_CNAN, NV),
            // NaN operands
            t(FmaddS, S_QNAN, S_ONE, S_ONE, RNE, S_CNAN, 0),
            t(FmaddS, S_ONE, S_ONE, S_SNAN, RNE, S_CNAN, NV),
            t(FnmsubD, D_SNAN, D_ONE, D_ONE, RNE, D_CNAN, NV),
            // signs of exact zeros
            t(FmaddS, S_ONE, S_PZERO, S_NZERO, RNE, S_PZERO, 0),
            t(FmaddS, S_ONE, S_PZERO, S_NZERO, RDN, S_NZERO, 0),
            t(FnmaddD, D_ONE, D_PZERO, D_PZERO, RNE, D_NZERO, 0),
            t(FnmsubD, D_ONE, D_PZERO, D_PZERO, RNE, D_PZERO, 0),
            // rounding of the fused result
            t(
                FmaddS,
                S_ONE,
                S_ONE,
                bs(0x3380_0000),
                RUP,
                bs(0x3f80_0001),
                NX,
            ),
            t(FmaddS, S_MAX, S_TWO, S_NEG_ONE, RNE, S_PINF, OF | NX),
        ]);
    }

    #[test]
    fn convert_single_to_int_saturation() {
        check(&[
            // fcvt.w.s
            t(FcvtWS, S_QNAN, 0, 0, RNE, 0x7fff_ffff, NV),
            t(FcvtWS, bs(0xffc0_0000), 0, 0, RNE, 0x7fff_ffff, NV),
            t(FcvtWS, S_SNAN, 0, 0, RNE, 0x7fff_ffff, NV),
            t(FcvtWS, S_PINF, 0, 0, RNE, 0x7fff_ffff, NV),
            t(FcvtWS, S_NINF, 0, 0, RNE, 0xffff_ffff_8000_0000, NV),
            t(FcvtWS, bs(0x4f00_0000), 0, 0, RNE, 0x7fff_ffff, NV), // 2^31
            t(FcvtWS, bs(0x4eff_ffff), 0, 0, RNE, 0x7fff_ff80, 0),
            t(FcvtWS, bs(0xcf00_0000), 0, 0, RNE, 0xffff_ffff_8000_0000, 0), // -2^31
            t(
                FcvtWS,
                bs(0xcf00_0001),
                0,
                0,
                RNE,
                0xffff_ffff_8000_0000,
                NV,
            ),
            t(FcvtWS, S_NEG_ONE, 0, 0, RNE, ALL, 0),
            t(
                FcvtWS,
                bs(0xbfc0_0000),
                0,
                0,
                RNE,
                0xffff_ffff_ffff_fffe,
                NX,
            ), // -1.5
            t(FcvtWS, bs(0xbfc0_0000), 0, 0, RTZ, ALL, NX),
            t(FcvtWS, bs(0x4020_0000), 0, 0, RNE, 2, NX), // 2.5
            t(FcvtWS, bs(0x4020_0000), 0, 0, RMM, 3, NX),
            t(FcvtWS, bs(0x4020_0000), 0, 0, RDN, 2, NX),
            t(FcvtWS, bs(0x4020_0000), 0, 0, RUP, 3, NX),
            t(FcvtWS, S_NZERO, 0, 0, RNE, 0, 0),
            // fcvt.wu.s: results are sign-extended from bit 31
            t(FcvtWuS, S_QNAN, 0, 0, RNE, ALL, NV),
            t(FcvtWuS, bs(0xffc0_0000), 0, 0, RNE, ALL, NV),
            t(FcvtWuS, S_PINF, 0, 0, RNE, ALL, NV),
            t(FcvtWuS, S_NINF, 0, 0, RNE, 0, NV),
            t(FcvtWuS, S_NEG_ONE, 0, 0, RNE, 0, NV),
            t(FcvtWuS, bs(0x4f80_0000), 0, 0, RNE, ALL, NV), // 2^32
            t(
                FcvtWuS,
                bs(0x4f7f_ffff),
                0,
                0,
                RNE,
                0xffff_ffff_ffff_ff00,
                0,
            ),
            t(
                FcvtWuS,
                bs(0x4f32_d05e),
                0,
                0,
                RNE,
                0xffff_ffff_b2d0_5e00,
                0,
            ), // 3e9
            t(FcvtWuS, S_NZERO, 0, 0, RNE, 0, 0),
            t(FcvtWuS, bs(0xbe99_999a), 0, 0, RTZ, 0, NX), // -0.3
            t(FcvtWuS, bs(0xbe99_999a), 0, 0, RDN, 0, NV),
            // -0.5 to unsigned in each rounding mode
            t(FcvtWuS, S_NEG_HALF, 0, 0, RNE, 0, NX),
            t(FcvtWuS, S_NEG_HALF, 0, 0, RTZ, 0, NX),
            t(FcvtWuS, S_NEG_HALF, 0, 0, RDN, 0, NV),
            t(FcvtWuS, S_NEG_HALF, 0, 0, RUP, 0, NX),
            t(FcvtWuS, S_NEG_HALF, 0, 0, RMM, 0, NV),
            t(FcvtLuS, S_NEG_HALF, 0, 0, RNE, 0, NX),
            t(FcvtLuS, S_NEG_HALF, 0, 0, RTZ, 0, NX),
            t(FcvtLuS, S_NEG_HALF, 0, 0, RDN, 0, NV),
            t(FcvtLuS, S_NEG_HALF, 0, 0, RUP, 0, NX),
            t(FcvtLuS, S_NEG_HALF, 0, 0, RMM, 0, NV),
            // fcvt.l.s
            t(FcvtLS, S_QNAN, 0, 0, RNE, 0x7fff_ffff_ffff_ffff, NV),
            t(
                FcvtLS,
                bs(0xff80_0001),
                0,
                0,
                RNE,
                0x7fff_ffff_ffff_ffff,
                NV,
            ),
            t(FcvtLS, S_PINF, 0, 0, RNE, 0x7fff_ffff_ffff_ffff, NV),
            t(FcvtLS, S_NINF, 0, 0, RNE, 0x8000_0000_0000_0000, NV),
            t(
                FcvtLS,
                bs(0x5f00_0000),
                0,
                0,
                RNE,
                0x7fff_ffff_ffff_ffff,
                NV,
            ), // 2^63
            t(FcvtLS, bs(0x5eff_ffff), 0, 0, RNE, 0x7fff_ff80_0000_0000, 0),
            t(FcvtLS, bs(0xdf00_0000), 0, 0, RNE, 0x8000_0000_0000_0000, 0), // -2^63
            t(
                FcvtLS,
                bs(0xdf00_0001),
                0,
                0,
                RNE,
                0x8000_0000_0000_0000,
                NV,
            ),
            t(FcvtLS, bs(0x4f00_0000), 0, 0, RNE, 0x8000_0000, 0),
            // fcvt.lu.s
            t(FcvtLuS, S_QNAN, 0, 0, RNE, ALL, NV),
            t(FcvtLuS, S_PINF, 0, 0, RNE, ALL, NV),
            t(FcvtLuS, S_NINF, 0, 0, RNE, 0, NV),
            t(FcvtLuS, S_NEG_ONE, 0, 0, RNE, 0, NV),
            t(FcvtLuS, bs(0x5f80_0000), 0, 0, RNE, ALL, NV), // 2^64
            t(
                FcvtLuS,
                bs(0x5f7f_ffff),
                0,
                0,
                RNE,
                0xffff_ff00_0000_0000,
                0,
            ),
            t(FcvtLuS, bs(0x4f80_0000), 0, 0, RNE, 0x1_0000_0000, 0),
        ]);
    }

    #[test]
    fn convert_double_to_int_saturation() {
        check(&[
            // fcvt.w.d
            t(FcvtWD, D_QNAN, 0, 0, RNE, 0x7fff_ffff, NV),
            t(FcvtWD, 0xfff8_0000_0000_0000, 0, 0, RNE, 0x7fff_ffff, NV),
            t(FcvtWD, D_PINF, 0, 0, RNE, 0x7fff_ffff, NV),
            t(FcvtWD, D_NINF, 0, 0, RNE, 0xffff_ffff_8000_0000, NV),
            t(FcvtWD, 0x41df_ffff_ffc0_0000, 0, 0, RNE, 0x7fff_ffff, 0), // 2^31-1
            t(FcvtWD, 0x41e0_0000_0000_0000, 0, 0, RTZ, 0x7fff_ffff, NV), // 2^31
            // 2^31 - 0.5 rounds to 2^31 (out of range) or 2^31 - 1
            t(FcvtWD, 0x41df_ffff_ffe0_0000, 0, 0, RNE, 0x7fff_ffff, NV),
            t(FcvtWD, 0x41df_ffff_ffe0_0000, 0, 0, RTZ, 0x7fff_ffff, NX),
            t(FcvtWD, 0x41df_ffff_ffe0_0000, 0, 0, RDN, 0x7fff_ffff, NX),
            t(FcvtWD, 0x41df_ffff_ffe0_0000, 0, 0, RUP, 0x7fff_ffff, NV),
            t(FcvtWD, 0x41df_ffff_ffe0_0000, 0, 0, RMM, 0x7fff_ffff, NV),
            // -2^31 - 0.5
            t(
                FcvtWD,
                0xc1e0_0000_0010_0000,
                0,
                0,
                RNE,
                0xffff_ffff_8000_0000,
                NX,
            ),
            t(
                FcvtWD,
                0xc1e0_0000_0010_0000,
                0,
                0,
                RTZ,
                0xffff_ffff_8000_0000,
                NX,
            ),
            t(
                FcvtWD,
                0xc1e0_0000_0010_0000,
                0,
                0,
                RDN,
                0xffff_ffff_8000_0000,
                NV,
            ),
            t(
                FcvtWD,
                0xc1e0_0000_0010_0000,
                0,
                0,
                RUP,
                0xffff_ffff_8000_0000,
                NX,
            ),
            t(
                FcvtWD,
                0xc1e0_0000_0010_0000,
                0,
                0,
                RMM,
                0xffff_ffff_8000_0000,
                NV,
            ),
            t(
                FcvtWD,
                0xc1e0_0000_0020_0000,
                0,
                0,
                RNE,
                0xffff_ffff_8000_0000,
                NV,
            ), // -2^31-1
            // fcvt.wu.d
            t(FcvtWuD, D_QNAN, 0, 0, RNE, ALL, NV),
            t(FcvtWuD, D_SNAN, 0, 0, RNE, ALL, NV),
            t(FcvtWuD, D_PINF, 0, 0, RNE, ALL, NV),
            t(FcvtWuD, D_NINF, 0, 0, RNE, 0, NV),
            t(FcvtWuD, 0x41ef_ffff_ffe0_0000, 0, 0, RNE, ALL, 0), // 2^32-1
            t(FcvtWuD, 0x41ef_ffff_fff0_0000, 0, 0, RNE, ALL, NV), // 2^32-0.5
            t(FcvtWuD, 0x41ef_ffff_fff0_0000, 0, 0, RTZ, ALL, NX),
            t(FcvtWuD, 0x41f0_0000_0000_0000, 0, 0, RTZ, ALL, NV), // 2^32
            t(
                FcvtWuD,
                0x41e6_5a0b_c000_0000,
                0,
                0,
                RNE,
                0xffff_ffff_b2d0_5e00,
                0,
            ), // 3e9
            t(
                FcvtWuD,
                0x41e0_0000_0000_0000,
                0,
                0,
                RNE,
                0xffff_ffff_8000_0000,
                0,
            ), // 2^31
            t(FcvtWuD, 0x7fff_ffff, 0, 0, RNE, 0, NX),
            t(FcvtWuD, D_NEG_ONE, 0, 0, RNE, 0, NV),
            t(FcvtWuD, D_NEG_HALF, 0, 0, RNE, 0, NX),
            t(FcvtWuD, D_NEG_HALF, 0, 0, RTZ, 0, NX),
            t(FcvtWuD, D_NEG_HALF, 0, 0, RDN, 0, NV),
            t(FcvtWuD, D_NEG_HALF, 0, 0, RUP, 0, NX),
            t(FcvtWuD, D_NEG_HALF, 0, 0, RMM, 0, NV),
            t(FcvtWuD, 0xbfd3_3333_3333_3333, 0, 0, RTZ, 0, NX), // -0.3
            // fcvt.l.d
            t(FcvtLD, D_QNAN, 0, 0, RNE, 0x7fff_ffff_ffff_ffff, NV),
            t(FcvtLD, D_PINF, 0, 0, RNE, 0x7fff_ffff_ffff_ffff, NV),
            t(FcvtLD, D_NINF, 0, 0, RNE, 0x8000_0000_0000_0000, NV),
            t(
                FcvtLD,
                0x43e0_0000_0000_0000,
                0,
                0,
                RNE,
                0x7fff_ffff_ffff_ffff,
                NV,
            ), // 2^63
            t(
                FcvtLD,
                0x43df_ffff_ffff_ffff,
                0,
                0,
                RNE,
                0x7fff_ffff_ffff_fc00,
                0,
            ),
            t(
                FcvtLD,
                0xc3e0_0000_0000_0000,
                0,
                0,
                RNE,
                0x8000_0000_0000_0000,
                0,
            ), // -2^63
            t(
                FcvtLD,
                0xc3e0_0000_0000_0001,
                0,
                0,
                RNE,
                0x8000_0000_0000_0000,
                NV,
            ),
            t(FcvtLD, D_NEG_HALF, 0, 0, RDN, ALL, NX),
            t(FcvtLD, D_NEG_HALF, 0, 0, RNE, 0, NX),
            // fcvt.lu.d
            t(FcvtLuD, D_QNAN, 0, 0, RNE, ALL, NV),
            t(FcvtLuD, D_PINF, 0, 0, RNE, ALL, NV),
            t(FcvtLuD, D_NINF, 0, 0, RNE, 0, NV),
            t(FcvtLuD, 0x43f0_0000_0000_0000, 0, 0, RNE, ALL, NV), // 2^64
            t(
                FcvtLuD,
                0x43ef_ffff_ffff_ffff,
                0,
                0,
                RNE,
                0xffff_ffff_ffff_f800,
                0,
            ),
            t(FcvtLuD, D_NEG_ONE, 0, 0, RNE, 0, NV),
            t(FcvtLuD, D_NEG_HALF, 0, 0, RNE, 0, NX),
            t(FcvtLuD, D_NEG_HALF, 0, 0, RTZ, 0, NX),
            t(FcvtLuD, D_NEG_HALF, 0, 0, RDN, 0, NV),
            t(FcvtLuD, D_NEG_HALF, 0, 0, RUP, 0, NX),
            t(FcvtLuD, D_NEG_HALF, 0, 0, RMM, 0, NV),
            t(FcvtLuD, 0x4008_0000_0000_0000, 0, 0, RNE, 3, 0),
        ]);
    }

    #[test]
    fn convert_int_to_float() {
        check(&[
            // only the low 32 bits matter for the .w forms
            t(FcvtSW, 0x0000_0001_ffff_ffff, 0, 0, RNE, S_NEG_ONE, 0),
            t(FcvtSW, 0x7fff_ffff, 0, 0, RNE, bs(0x4f00_0000), NX),
            t(FcvtSW, 0x7fff_ffff, 0, 0, RTZ, bs(0x4eff_ffff), NX),
            t(FcvtSW, 0x8000_0000, 0, 0, RNE, bs(0xcf00_0000), 0),
            t(FcvtSW, 0x0100_0001, 0, 0, RNE, bs(0x4b80_0000), NX), // 2^24+1: tie
            t(FcvtSW, 0x0100_0001, 0, 0, RUP, bs(0x4b80_0001), NX),
            t(FcvtSW, 0x0100_0001, 0, 0, RMM, bs(0x4b80_0001), NX),
            t(FcvtSW, 0x0100_0001, 0, 0, RDN, bs(0x4b80_0000), NX),
            t(FcvtSW, 0, 0, 0, RDN, S_PZERO, 0),
            t(FcvtSWu, 0xffff_ffff, 0, 0, RNE, bs(0x4f80_0000), NX),
            t(FcvtSWu, 0xffff_ffff, 0, 0, RTZ, bs(0x4f7f_ffff), NX),
            t(
                FcvtSWu,
                0xffff_ffff_0000_0003,
                0,
                0,
                RNE,
                bs(0x4040_0000),
                0,
            ),
            t(FcvtSL, 0x8000_0000_0000_0000, 0, 0, RNE, bs(0xdf00_0000), 0),
            t(FcvtSL, ALL, 0, 0, RNE, S_NEG_ONE, 0),
            t(
                FcvtSL,
                0x7fff_ffff_ffff_ffff,
                0,
                0,
                RTZ,
                bs(0x5eff_ffff),
                NX,
            ),
            t(FcvtSLu, ALL, 0, 0, RNE, bs(0x5f80_0000), NX),
            t(FcvtSLu, ALL, 0, 0, RTZ, bs(0x5f7f_ffff), NX),
            t(
                FcvtDW,
                0xdead_beef_0000_0005,
                0,
                0,
                RNE,
                0x4014_0000_0000_0000,
                0,
            ),
            t(FcvtDW, 0xffff_ffff, 0, 0, RNE, D_NEG_ONE, 0),
            t(FcvtDW, 0x8000_0000, 0, 0, RNE, 0xc1e0_0000_0000_0000, 0),
            t(FcvtDWu, 0xffff_ffff, 0, 0, RNE, 0x41ef_ffff_ffe0_0000, 0),
            t(
                FcvtDL,
                0x0020_0000_0000_0001,
                0,
                0,
                RNE,
                0x4340_0000_0000_0000,
                NX,
            ), // 2^53+1
            t(
                FcvtDL,
                0x0020_0000_0000_0001,
                0,
                0,
                RUP,
                0x4340_0000_0000_0001,
                NX,
            ),
            t(
                FcvtDL,
                0x0020_0000_0000_0003,
                0,
                0,
                RNE,
                0x4340_0000_0000_0002,
                NX,
            ),
            t(
                FcvtDL,
                0xffdf_ffff_ffff_ffff,
                0,
                0,
                RDN,
                0xc340_0000_0000_0001,
                NX,
            ),
            t(
                FcvtDL,
                0x8000_0000_0000_0000,
                0,
                0,
                RNE,
                0xc3e0_0000_0000_0000,
                0,
            ),
            t(FcvtDLu, ALL, 0, 0, RNE, 0x43f0_0000_0000_0000, NX),
            t(FcvtDLu, ALL, 0, 0, RTZ, 0x43ef_ffff_ffff_ffff, NX),
        ]);
    }

    #[test]
    fn convert_between_precisions() {
        check(&[
            // fcvt.s.d
            t(FcvtSD, D_SNAN, 0, 0, RNE, S_CNAN, NV),
            t(FcvtSD, 0x7ff8_0000_0000_0123, 0, 0, RNE, S_CNAN, 0),
            t(FcvtSD, 0xfff8_0000_0000_0000, 0, 0, RNE, S_CNAN, 0),
            t(FcvtSD, D_PINF, 0, 0, RNE, S_PINF, 0),
            t(FcvtSD, D_NINF, 0, 0, RTZ, S_NINF, 0),
            t(FcvtSD, D_NZERO, 0, 0, RNE, S_NZERO, 0),
            t(
                FcvtSD,
                0x3fd5_5555_5555_5555,
                0,
                0,
                RNE,
                bs(0x3eaa_aaab),
                NX,
            ),
            t(
                FcvtSD,
                0x3fd5_5555_5555_5555,
                0,
                0,
                RTZ,
                bs(0x3eaa_aaaa),
                NX,
            ),
            t(
                FcvtSD,
                0x3fd5_5555_5555_5555,
                0,
                0,
                RDN,
                bs(0x3eaa_aaaa),
                NX,
            ),
            t(
                FcvtSD,
                0x3fd5_5555_5555_5555,
                0,
                0,
                RUP,
                bs(0x3eaa_aaab),
                NX,
            ),
            t(
                FcvtSD,
                0x3fd5_5555_5555_5555,
                0,
                0,
                RMM,
                bs(0x3eaa_aaab),
                NX,
            ),
            t(FcvtSD, 0x3ff0_0000_1000_0000, 0, 0, RNE, S_ONE, NX), // 1 + 2^-24: tie
            t(
                FcvtSD,
                0x3ff0_0000_1000_0000,
                0,
                0,
                RMM,
                bs(0x3f80_0001),
                NX,
            ),
            t(FcvtSD, D_MAX, 0, 0, RNE, S_PINF, OF | NX),
            t(FcvtSD, D_MAX, 0, 0, RTZ, S_MAX, OF | NX),
            t(
                FcvtSD,
                0xffef_ffff_ffff_ffff,
                0,
                0,
                RUP,
                bs(0xff7f_ffff),
                OF | NX,
            ),
            t(FcvtSD, 0x36a0_0000_0000_0000, 0, 0, RNE, bs(0x0000_0001), 0), // 2^-149
            // fcvt.d.s (always exact)
            t(FcvtDS, S_SNAN, 0, 0, RNE, D_CNAN, NV),
            t(FcvtDS, bs(0x7fc0_0123), 0, 0, RNE, D_CNAN, 0),
            t(FcvtDS, bs(0xffc0_0000), 0, 0, RNE, D_CNAN, 0),
            t(FcvtDS, S_ONE, 0, 0, RNE, D_ONE, 0),
            t(FcvtDS, bs(0x3eaa_aaab), 0, 0, RTZ, 0x3fd5_5555_6000_0000, 0),
            t(FcvtDS, bs(0x0000_0001), 0, 0, RNE, 0x36a0_0000_0000_0000, 0),
            t(FcvtDS, S_NINF, 0, 0, RNE, D_NINF, 0),
            t(FcvtDS, S_NZERO, 0, 0, RNE, D_NZERO, 0),
        ]);
    }

    #[test]
    fn register_file_and_rm_classification() {
        for op in [
            FcvtSW, FcvtSWu, FcvtSL, FcvtSLu, FmvWX, FcvtDW, FcvtDWu, FcvtDL, FcvtDLu, FmvDX,
        ] {
            assert!(reads_int_rs1(op), "{op:?}");
            assert!(!writes_int_rd(op), "{op:?}");
        }
        for op in [
            FcvtWS, FcvtWuS, FcvtLS, FcvtLuS, FmvXW, FeqS, FltS, FleS, FclassS, FcvtWD, FcvtWuD,
            FcvtLD, FcvtLuD, FmvXD, FeqD, FltD, FleD, FclassD,
        ] {
            assert!(writes_int_rd(op), "{op:?}");
            assert!(!reads_int_rs1(op), "{op:?}");
        }
        for op in [FaddS, FmaddD, FsgnjS, FminD, FcvtSD, FcvtDS, Flw, Fsd] {
            assert!(!reads_int_rs1(op) && !writes_int_rd(op), "{op:?}");
        }
        for op in [
            FaddS, FsubD, FmulS, FdivD, FsqrtS, FmaddS, FnmaddD, FcvtWS, FcvtLuD, FcvtSW, FcvtDLu,
            FcvtSD, FcvtDS, FcvtDW,
        ] {
            assert!(uses_rm(op), "{op:?}");
        }
        for op in [
            FsgnjS, FsgnjxD, FminS, FmaxD, FeqS, FltD, FleS, FclassD, FmvXW, FmvWX, FmvXD, FmvDX,
            Flw, Fsd, Add,
        ] {
            assert!(!uses_rm(op), "{op:?}");
        }
    }

    #[test]
    fn non_arithmetic_ops_are_inert() {
        assert_eq!(execute(Add, 1, 2, 3, RNE), (0, 0));
        assert_eq!(execute(Flw, 1, 2, 3, RNE), (0, 0));
        assert_eq!(execute(Illegal, ALL, ALL, ALL, 7), (0, 0));
    }

    /// Out-of-range rm values (which the caller should have rejected) and
    /// arbitrary operands never panic.
    #[test]
    fn never_panics() {
        let ops = [
            FmaddS, FmsubS, FnmsubS, FnmaddS, FaddS, FsubS, FmulS, FdivS, FsqrtS, FsgnjS, FsgnjnS,
            FsgnjxS, FminS, FmaxS, FcvtWS, FcvtWuS, FcvtLS, FcvtLuS, FmvXW, FeqS, FltS, FleS,
            FclassS, FcvtSW, FcvtSWu, FcvtSL, FcvtSLu, FmvWX, FmaddD, FmsubD, FnmsubD, FnmaddD,
            FaddD, FsubD, FmulD, FdivD, FsqrtD, FsgnjD, FsgnjnD, FsgnjxD, FminD, FmaxD, FcvtSD,
            FcvtDS, FcvtWD, FcvtWuD, FcvtLD, FcvtLuD, FmvXD, FeqD, FltD, FleD, FclassD, FcvtDW,
            FcvtDWu, FcvtDL, FcvtDLu, FmvDX,
        ];
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..20_000 {
            let op = ops[(next() % ops.len() as u64) as usize];
            let (a, b, c) = (next(), next(), next());
            let rm = (next() % 256) as u8;
            let (_, flags) = execute(op, a, b, c, rm);
            assert_eq!(flags & !0x1f, 0);
        }
        // an invalid rm behaves as round-to-nearest-even
        assert_eq!(
            execute(FdivS, S_ONE, S_THREE, 0, 7),
            execute(FdivS, S_ONE, S_THREE, 0, RNE)
        );
    }

    /// Flags and rounding modes of concurrent harts do not interfere.
    #[test]
    fn flags_are_per_thread() {
        let workers: Vec<_> = (0..4u8)
            .map(|id| {
                std::thread::spawn(move || {
                    for i in 0..20_000u32 {
                        match (u32::from(id) + i) % 4 {
                            0 => assert_eq!(
                                execute(FdivS, S_ONE, S_THREE, 0, RUP),
                                (bs(0x3eaa_aaab), NX)
                            ),
                            1 => assert_eq!(execute(FdivD, D_ONE, D_PZERO, 0, RTZ), (D_PINF, DZ)),
                            2 => assert_eq!(execute(FaddS, S_ONE, S_ONE, 0, RDN), (S_TWO, 0)),
                            _ => assert_eq!(execute(FmulD, D_MAX, D_TWO, 0, RTZ), (D_MAX, OF | NX)),
                        }
                    }
                })
            })
            .collect();
        for w in workers {
            assert!(w.join().is_ok());
        }
    }
}
