//! The monitoring loop: what is deployed, re-evaluated every day.
//!
//! In: releases recorded in the store and the findings of each monitor run. Out: the changes
//! since the previous run and the [`snapshot::Snapshot`] the dashboard renders. No I/O here;
//! the store module reads and writes.

pub mod snapshot;
