//! Where a package's sources are on this machine, for license files and notices: npm-family
//! packages installed in `node_modules/<name>` beside their lockfile, and the license, copying
//! and NOTICE files at the root of any package whose sources are known.
//!
//! In: an `Inventory`. Out: `Package::local_dir` set for installed npm packages (only when the
//! installed `package.json` has the same name and version, so a hoisted different version is
//! never mistaken for it) and `Package::license_files` filled (absolute paths, sorted) where
//! it was empty. Reads files only.

use std::path::{Path, PathBuf};

use crate::inventory::{Ecosystem, Inventory, PackageKind};

/// True for the file names that carry license terms or notices: `LICENSE*`, `LICENCE*`,
/// `COPYING*`, `NOTICE*` (any case).
pub fn is_license_file_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    ["LICENSE", "LICENCE", "COPYING", "NOTICE"]
        .iter()
        .any(|prefix| upper.starts_with(prefix))
}

/// The license and notice files at the root of `dir`, sorted (absolute when `dir` is).
pub fn license_files_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| e.path().is_file() && is_license_file_name(&e.file_name().to_string_lossy()))
        .map(|e| e.path())
        .collect();
    files.sort();
    files
}

/// The installed copy of an npm package beside `lockfile`, when its `package.json` names the
/// same package and version.
fn installed_npm_dir(lockfile: &Path, name: &str, version: &str) -> Option<PathBuf> {
    let base = lockfile.parent()?;
    let dir = base.join("node_modules").join(name);
    let text = crate::util::read_input_text(&dir.join("package.json")).ok()?;
    let manifest: serde_json::Value = serde_json::from_str(&text).ok()?;
    let same = manifest.get("name").and_then(|v| v.as_str()) == Some(name)
        && manifest.get("version").and_then(|v| v.as_str()) == Some(version);
    same.then(|| std::path::absolute(&dir).unwrap_or(dir))
}

/// Sets `local_dir` for installed npm packages and fills empty `license_files` lists.
pub fn locate_package_sources(inventory: &mut Inventory) {
    for package in inventory.packages_mut() {
        if package.kind != PackageKind::ThirdParty {
            continue;
        }
        if package.local_dir.is_none() && package.ecosystem == Ecosystem::Npm {
            package.local_dir =
                installed_npm_dir(&package.location.file, &package.name, &package.version);
        }
        if package.license_files.is_empty()
            && let Some(dir) = &package.local_dir
        {
            package.license_files = license_files_in(dir);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn license_file_names() {
        assert!(is_license_file_name("LICENSE-MIT"));
        assert!(is_license_file_name("licence.txt"));
        assert!(is_license_file_name("COPYING"));
        assert!(is_license_file_name("NOTICE.md"));
        assert!(!is_license_file_name("README.md"));
    }
}
