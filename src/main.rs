//! The `depgate` binary: parse arguments, run the command, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;

/// mimalloc instead of the system allocator (why: see `Cargo.toml`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // Transparent huge pages make a short run's time depend on the kernel's luck (zeroing a
    // 2 MiB page per fault); a scanner's heap is small and short-lived, so it never gains.
    // Failure only means the kernel is too old to have the switch.
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
    let cli = depgate::cli::Cli::parse();
    match depgate::app::run(cli) {
        Ok(outcome) => ExitCode::from(outcome.exit_code()),
        Err(error) => {
            let code = depgate::app::error_exit_code(&error);
            eprintln!("error: {error}");
            for cause in error.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(code)
        }
    }
}
