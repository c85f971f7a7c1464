//! Floating point (to be filled in).
