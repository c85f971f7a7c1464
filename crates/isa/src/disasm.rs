//! Disassembly (to be filled in).
