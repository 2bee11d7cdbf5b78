//! Policy as code: `rules/` TOML files, read with spans, validated into a `ValidPolicy`.
//!
//! In: policy files. Out: a validated policy that `evaluate` applies. Errors carry file, line
//! and column.
