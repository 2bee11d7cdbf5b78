//! Build script: lays out the `depgate` binary's code by a recorded order of its functions,
//! when one is given.
//!
//! `DEPGATE_SYMBOL_ORDER=FILE` (one symbol name per line, as `benches/symbol-order.sh` writes
//! it from the functions a release binary ran) passes the file to the linker, which puts those
//! functions side by side at the start of the code. A run then touches code within the first
//! few MB instead of pages spread over all 15 MB, and the kernel, which maps 64 KB around
//! every page a program touches, keeps that much less of the binary resident: `check` on
//! ripgrep peaks at 16–17 MB instead of 20–21 (docs/benchmarks.md). Unset, nothing changes.
//!
//! The option is lld's, so the binary is then linked by lld (`-fuse-ld=lld`): rustc's own on
//! `x86_64-unknown-linux-gnu`, its default linker since Rust 1.90; the system's `ld.lld` on the
//! other Linux targets, such as the static musl ones of the release (`.ci/release-build`).
//! Names not found in the binary (another toolchain, target or dependencies) are ignored, so a
//! stale file costs nothing but its benefit; `.ci/release-build` checks that a release binary
//! is laid out.

use std::path::Path;

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=DEPGATE_SYMBOL_ORDER");
    let Some(order) = std::env::var_os("DEPGATE_SYMBOL_ORDER").filter(|value| !value.is_empty())
    else {
        return;
    };
    // A relative path is taken from the package's root (where Cargo.toml is).
    let order = Path::new(env!("CARGO_MANIFEST_DIR")).join(order);
    if !order.is_file() {
        // A build script reports a failure by exiting non-zero with a message cargo shows.
        eprintln!(
            "DEPGATE_SYMBOL_ORDER names `{}`, which is not a file (benches/symbol-order.sh writes one)",
            order.display()
        );
        std::process::exit(1);
    }
    let target_os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if target_os != "linux" {
        println!(
            "cargo::warning=DEPGATE_SYMBOL_ORDER is ignored: it is for Linux targets (lld), this one is {target_os}"
        );
        return;
    }
    println!("cargo::rerun-if-changed={}", order.display());
    // rustc's own lld on x86_64-unknown-linux-gnu (found through the `-B` directory rustc
    // passes, so nothing changes there), the system's `ld.lld` on the other targets (Debian
    // and Ubuntu: `apt-get install lld`).
    println!("cargo::rustc-link-arg-bins=-fuse-ld=lld");
    println!(
        "cargo::rustc-link-arg-bins=-Wl,--symbol-ordering-file={}",
        order.display()
    );
    println!("cargo::rustc-link-arg-bins=-Wl,--no-warn-symbol-ordering");
}
