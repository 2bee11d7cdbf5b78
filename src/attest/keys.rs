//! Ed25519 keys for attestations: generate a pair, store it as PEM, load it back.
//!
//! In: a path prefix, a key file, or the `DEPGATE_SIGNING_KEY` environment variable.
//! Out: `ed25519_dalek` signing and verifying keys.
//!
//! Formats (standard, readable by OpenSSL): the private key is PKCS#8 PEM
//! (`-----BEGIN PRIVATE KEY-----`, RFC 8410), the public key is SubjectPublicKeyInfo PEM
//! (`-----BEGIN PUBLIC KEY-----`). The private key file is created with mode 0600, atomically.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{SigningKey, VerifyingKey};

/// The environment variable that may hold the private key: PEM text (starting with
/// `-----BEGIN`) or the path of a PEM file.
pub const SIGNING_KEY_ENV: &str = "DEPGATE_SIGNING_KEY";

/// A key could not be generated, read, parsed or written.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// A key file could not be read.
    #[error("cannot read key file `{path}`")]
    Read {
        /// The key file.
        path: PathBuf,
        /// Why (missing, not a regular file, not UTF-8).
        source: crate::util::ReadError,
    },
    /// A file (or the environment variable) does not hold an Ed25519 PKCS#8 private key.
    #[error(
        "`{path}` is not an Ed25519 private key (expected PKCS#8 PEM, `-----BEGIN PRIVATE KEY-----`): {message}"
    )]
    BadPrivateKey {
        /// The key file, or `$DEPGATE_SIGNING_KEY`.
        path: PathBuf,
        /// What the parser said.
        message: String,
    },
    /// A file does not hold an Ed25519 SubjectPublicKeyInfo public key.
    #[error(
        "`{path}` is not an Ed25519 public key (expected SPKI PEM, `-----BEGIN PUBLIC KEY-----`): {message}"
    )]
    BadPublicKey {
        /// The key file.
        path: PathBuf,
        /// What the parser said.
        message: String,
    },
    /// Neither `--key` nor `DEPGATE_SIGNING_KEY` gave a private key.
    #[error("no signing key: pass `--key FILE` or set `DEPGATE_SIGNING_KEY` (PEM text or a path)")]
    NoSigningKey,
    /// The output file exists and `--force` was not given.
    #[error("`{path}` already exists; pass `--force` to replace it")]
    Exists {
        /// The existing file.
        path: PathBuf,
    },
    /// A key file could not be written.
    #[error("cannot write `{path}`")]
    Write {
        /// The file being written.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Encoding a key as PEM failed.
    #[error("cannot encode the key as PEM: {0}")]
    Encode(String),
    /// The operating system's random number generator failed.
    #[error("the operating system's random number generator failed: {0}")]
    Random(String),
}

/// The two files written by [`write_key_pair`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPairPaths {
    /// `PREFIX.key`: the PKCS#8 PEM private key, mode 0600.
    pub private_key: PathBuf,
    /// `PREFIX.pub`: the SPKI PEM public key.
    pub public_key: PathBuf,
}

/// A new signing key from the operating system's random number generator.
pub fn generate_signing_key() -> Result<SigningKey, KeyError> {
    let mut seed = [0u8; ed25519_dalek::SECRET_KEY_LENGTH];
    getrandom::fill(&mut seed).map_err(|e| KeyError::Random(e.to_string()))?;
    let key = SigningKey::from_bytes(&seed);
    // Do not leave the seed on the stack longer than needed.
    seed.fill(0);
    Ok(key)
}

/// The PKCS#8 PEM text of a private key.
pub fn private_key_pem(key: &SigningKey) -> Result<String, KeyError> {
    key.to_pkcs8_pem(LineEnding::LF)
        .map(|pem| pem.to_string())
        .map_err(|e| KeyError::Encode(e.to_string()))
}

/// The SubjectPublicKeyInfo PEM text of a public key.
pub fn public_key_pem(key: &VerifyingKey) -> Result<String, KeyError> {
    key.to_public_key_pem(LineEnding::LF)
        .map_err(|e| KeyError::Encode(e.to_string()))
}

/// A short, stable identifier of a public key: `sha256:` and the hex SHA-256 of its
/// SubjectPublicKeyInfo DER encoding (the same bytes as the PEM file's body).
pub fn key_id(key: &VerifyingKey) -> String {
    match key.to_public_key_der() {
        Ok(der) => format!("sha256:{}", crate::util::sha256_hex(der.as_bytes())),
        // Encoding a valid 32-byte key cannot fail; fall back to the raw key bytes anyway.
        Err(_) => format!("sha256:{}", crate::util::sha256_hex(key.as_bytes())),
    }
}

/// `PREFIX` with `suffix` appended (not replacing an extension: `ci.v2` becomes `ci.v2.key`).
fn with_suffix(prefix: &Path, suffix: &str) -> PathBuf {
    let mut name = OsString::from(prefix.as_os_str());
    name.push(suffix);
    PathBuf::from(name)
}

/// Writes `PREFIX.key` (mode 0600) and `PREFIX.pub` (mode 0644), each atomically. Refuses to
/// replace an existing file unless `force`.
pub fn write_key_pair(
    prefix: &Path,
    key: &SigningKey,
    force: bool,
) -> Result<KeyPairPaths, KeyError> {
    let paths = KeyPairPaths {
        private_key: with_suffix(prefix, ".key"),
        public_key: with_suffix(prefix, ".pub"),
    };
    if !force {
        for path in [&paths.private_key, &paths.public_key] {
            if path.exists() {
                return Err(KeyError::Exists { path: path.clone() });
            }
        }
    }
    let private_pem = private_key_pem(key)?;
    let public_pem = public_key_pem(&key.verifying_key())?;
    write_with_mode(&paths.private_key, private_pem.as_bytes(), 0o600)?;
    if let Err(error) = write_with_mode(&paths.public_key, public_pem.as_bytes(), 0o644) {
        // Half a key pair is worse than none: the private key without its public half
        // would be unusable for verification and easy to mistake for a complete pair.
        let _ = std::fs::remove_file(&paths.private_key);
        return Err(error);
    }
    Ok(paths)
}

/// Writes a file atomically (temporary file beside it, then rename) with the given Unix mode
/// set on the temporary file before any byte is written, so a private key is never readable
/// by others, not even for a moment.
fn write_with_mode(path: &Path, bytes: &[u8], mode: u32) -> Result<(), KeyError> {
    use std::io::Write;

    let error = |source: std::io::Error| KeyError::Write {
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".depgate-key-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut temp = builder.tempfile_in(dir).map_err(error)?;
    temp.write_all(bytes).map_err(error)?;
    temp.as_file().sync_all().map_err(error)?;
    temp.persist(path).map_err(|e| error(e.error))?;
    Ok(())
}

/// Parses a PKCS#8 PEM private key; `origin` names where the text came from, for errors.
pub fn parse_signing_key(pem: &str, origin: &Path) -> Result<SigningKey, KeyError> {
    SigningKey::from_pkcs8_pem(pem.trim()).map_err(|e| KeyError::BadPrivateKey {
        path: origin.to_path_buf(),
        message: e.to_string(),
    })
}

/// Parses an SPKI PEM public key; `origin` names where the text came from, for errors.
pub fn parse_verifying_key(pem: &str, origin: &Path) -> Result<VerifyingKey, KeyError> {
    VerifyingKey::from_public_key_pem(pem.trim()).map_err(|e| KeyError::BadPublicKey {
        path: origin.to_path_buf(),
        message: e.to_string(),
    })
}

fn read_key_file(path: &Path) -> Result<String, KeyError> {
    crate::util::read_input_text(path).map_err(|source| KeyError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// Reads a PKCS#8 PEM private key file.
pub fn read_signing_key(path: &Path) -> Result<SigningKey, KeyError> {
    parse_signing_key(&read_key_file(path)?, path)
}

/// Reads an SPKI PEM public key file.
pub fn read_verifying_key(path: &Path) -> Result<VerifyingKey, KeyError> {
    parse_verifying_key(&read_key_file(path)?, path)
}

/// The signing key for `attest`: the `--key` file when given, else `DEPGATE_SIGNING_KEY`
/// (PEM text when it starts with `-----BEGIN`, otherwise the path of a PEM file).
pub fn load_signing_key(key_file: Option<&Path>) -> Result<SigningKey, KeyError> {
    if let Some(path) = key_file {
        return read_signing_key(path);
    }
    let value = std::env::var(SIGNING_KEY_ENV).unwrap_or_default();
    signing_key_from_env_value(&value)
}

/// Interprets the value of `DEPGATE_SIGNING_KEY` (split out so tests need not set the
/// process environment).
pub fn signing_key_from_env_value(value: &str) -> Result<SigningKey, KeyError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        Err(KeyError::NoSigningKey)
    } else if trimmed.starts_with("-----BEGIN") {
        parse_signing_key(trimmed, Path::new("$DEPGATE_SIGNING_KEY"))
    } else {
        read_signing_key(Path::new(trimmed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_pair_round_trips_through_pem_files() {
        let dir = tempfile::tempdir().unwrap();
        let prefix = dir.path().join("release.v2");
        let key = generate_signing_key().unwrap();
        let paths = write_key_pair(&prefix, &key, false).unwrap();
        assert_eq!(paths.private_key, dir.path().join("release.v2.key"));
        assert_eq!(paths.public_key, dir.path().join("release.v2.pub"));
        let private_text = std::fs::read_to_string(&paths.private_key).unwrap();
        assert!(private_text.starts_with("-----BEGIN PRIVATE KEY-----"));
        let public_text = std::fs::read_to_string(&paths.public_key).unwrap();
        assert!(public_text.starts_with("-----BEGIN PUBLIC KEY-----"));
        assert_eq!(read_signing_key(&paths.private_key).unwrap(), key);
        assert_eq!(
            read_verifying_key(&paths.public_key).unwrap(),
            key.verifying_key()
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&paths.private_key)
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // No temporary files are left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[test]
    fn existing_key_is_not_replaced_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let prefix = dir.path().join("k");
        let first = generate_signing_key().unwrap();
        write_key_pair(&prefix, &first, false).unwrap();
        let second = generate_signing_key().unwrap();
        assert_ne!(first, second);
        let error = write_key_pair(&prefix, &second, false).unwrap_err();
        assert!(matches!(error, KeyError::Exists { .. }), "{error}");
        assert_eq!(read_signing_key(&dir.path().join("k.key")).unwrap(), first);
        write_key_pair(&prefix, &second, true).unwrap();
        assert_eq!(read_signing_key(&dir.path().join("k.key")).unwrap(), second);
    }

    #[test]
    fn environment_value_is_pem_text_or_a_path() {
        let dir = tempfile::tempdir().unwrap();
        let key = generate_signing_key().unwrap();
        let paths = write_key_pair(&dir.path().join("k"), &key, false).unwrap();
        let pem = std::fs::read_to_string(&paths.private_key).unwrap();
        assert_eq!(signing_key_from_env_value(&pem).unwrap(), key);
        assert_eq!(
            signing_key_from_env_value(paths.private_key.to_str().unwrap()).unwrap(),
            key
        );
        assert!(matches!(
            signing_key_from_env_value("  "),
            Err(KeyError::NoSigningKey)
        ));
        // A public key where a private key belongs is named as such.
        let public = std::fs::read_to_string(&paths.public_key).unwrap();
        let error = signing_key_from_env_value(&public).unwrap_err();
        assert!(
            error.to_string().contains("$DEPGATE_SIGNING_KEY"),
            "{error}"
        );
        let error = read_verifying_key(&paths.private_key).unwrap_err();
        assert!(error.to_string().contains("k.key"), "{error}");
    }
}
