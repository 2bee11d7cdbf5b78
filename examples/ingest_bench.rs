//! Ingests each path given on the command line and prints one line per input: packages, edges,
//! roots and the wall time of the parse. Used by `benches/parse-sbom.sh` (which also measures
//! peak memory); `DEPGATE_DUMP=1` also prints every package with its line, for spot checks.

use std::path::Path;
use std::time::Instant;

fn main() -> std::process::ExitCode {
    let dump = std::env::var("DEPGATE_DUMP").is_ok_and(|v| v == "1");
    let mut failed = false;
    for argument in std::env::args().skip(1) {
        let path = Path::new(&argument);
        let started = Instant::now();
        match depgate::ingest::ingest(path, &depgate::ingest::IngestOptions::default()) {
            Ok(inventory) => {
                let elapsed = started.elapsed();
                println!(
                    "{argument}\tpackages={}\tedges={}\troots={}\tmillis={:.2}",
                    inventory.packages().len(),
                    inventory.edges().len(),
                    inventory.roots().len(),
                    elapsed.as_secs_f64() * 1000.0
                );
                if dump {
                    for package in inventory.packages() {
                        println!(
                            "  line {:?}\t{}\t{}\t{}\t{}",
                            package.location.line,
                            package.ecosystem,
                            package.name,
                            package.version,
                            package.purl.as_deref().unwrap_or("-")
                        );
                    }
                }
            }
            Err(error) => {
                eprintln!("error: {error}");
                failed = true;
            }
        }
    }
    if failed {
        std::process::ExitCode::from(2)
    } else {
        std::process::ExitCode::SUCCESS
    }
}
