//! The virt board.
