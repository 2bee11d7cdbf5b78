//! Real Cargo lockfiles.
