//! Platform devices.
