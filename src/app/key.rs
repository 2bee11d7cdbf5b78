//! `depgate key generate`: writes a new Ed25519 key pair for signing attestations.
//!
//! In: `--out PREFIX`. Out: `PREFIX.key` (PKCS#8 PEM, mode 0600) and `PREFIX.pub` (SPKI PEM),
//! each written atomically; the paths and the key id on standard error.

use anyhow::Context;

use super::Outcome;
use crate::attest::keys;
use crate::cli::{KeyArgs, KeyCommand};

/// Runs `depgate key …`.
pub fn run(args: KeyArgs) -> anyhow::Result<Outcome> {
    match args.command {
        KeyCommand::Generate(generate) => {
            let key = keys::generate_signing_key()?;
            let paths = keys::write_key_pair(&generate.out, &key, generate.force)
                .context("cannot write the key pair")?;
            eprintln!(
                "wrote private key `{}` (keep it secret) and public key `{}`",
                paths.private_key.display(),
                paths.public_key.display()
            );
            eprintln!("key id: {}", keys::key_id(&key.verifying_key()));
            Ok(Outcome::Pass)
        }
    }
}
