//! The monitoring loop: what is deployed, re-evaluated every day.
//!
//! In: releases recorded in the store and the findings of each monitor run. Out: the changes
//! since the previous run ([`changes`]), the reports `monitor` and `history` print
//! ([`report`]) and the [`snapshot::Snapshot`] the dashboard renders ([`dashboard`]). No I/O
//! here; the store module reads and writes.

pub mod changes;
pub mod dashboard;
pub mod report;
pub mod snapshot;
