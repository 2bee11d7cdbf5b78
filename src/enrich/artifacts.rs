//! Stage 3, enrich: SHA-512 of downloaded artefacts that are on this machine.
//!
//! In: an `Inventory` and cargo's home directory. Out: the same inventory, each crates.io
//! package whose `.crate` archive is in cargo's download cache (`registry/cache/*/`) with a
//! SHA-512 of that archive added — only when the archive's SHA-256 equals the lockfile's
//! checksum, so the hash is of the very artefact the lockfile pins. BSI TR-03183-2 asks for
//! SHA-512; Cargo.lock records SHA-256 only. (npm's `integrity` already carries SHA-512.)

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha512};

use crate::inventory::{Ecosystem, Hash, HashAlgorithm, Inventory, Source};

/// Adds the SHA-512 of cached `.crate` archives; returns how many packages got one.
pub fn add_cached_sha512(inventory: &mut Inventory, cargo_home: Option<&Path>) -> usize {
    let Some(home) = cargo_home else {
        return 0;
    };
    let caches: Vec<PathBuf> = std::fs::read_dir(home.join("registry/cache"))
        .map(|entries| {
            let mut dirs: Vec<PathBuf> = entries
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .filter(|path| path.is_dir())
                .collect();
            dirs.sort();
            dirs
        })
        .unwrap_or_default();
    if caches.is_empty() {
        return 0;
    }
    let mut added = 0;
    for package in inventory.packages_mut() {
        let wanted = package.ecosystem == Ecosystem::Cargo
            && matches!(package.source, Source::Registry { .. })
            && !package
                .hashes
                .iter()
                .any(|hash| hash.algorithm == HashAlgorithm::Sha512);
        let Some(checksum) = package
            .hashes
            .iter()
            .find(|hash| hash.algorithm == HashAlgorithm::Sha256)
            .map(|hash| hash.value.to_ascii_lowercase())
            .filter(|_| wanted)
        else {
            continue;
        };
        let file_name = format!("{}-{}.crate", package.name, package.version);
        for cache in &caches {
            // A missing or unreadable archive is simply not on this machine.
            let Ok(bytes) = std::fs::read(cache.join(&file_name)) else {
                continue;
            };
            if crate::util::sha256_hex(&bytes) != checksum {
                continue;
            }
            package.hashes.push(Hash {
                algorithm: HashAlgorithm::Sha512,
                value: hex::encode(Sha512::digest(&bytes)),
            });
            added += 1;
            break;
        }
    }
    added
}
