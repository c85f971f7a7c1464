//! A RISC-V RV64GC hart.
pub mod fpu;
