//! Network and cache: the only module that talks HTTP (reqwest with rustls + ring).
//!
//! In: URLs and a cache directory. Out: advisory databases downloaded, checked for unsafe
//! archive entries, verified to parse, and swapped into the cache atomically under a file
//! lock, with a metadata file per database; and [`HttpClient`] for the registry license
//! providers (`enrich::licenses::registry`), which cache their answers themselves; and the
//! monitor's webhook ([`webhook`]), a JSON POST with a timeout and retries.
//! Everything else in depgate reads the cache (or user-given paths) offline.

mod archive;
mod cache;
pub mod github;
mod http;
pub mod webhook;

pub use archive::{ArchiveLimits, check_zip, extract_tar_gz};
pub use cache::{
    CacheMeta, CachedDb, DEFAULT_OSV_URL, DEFAULT_RUSTSEC_URL, DatabaseCheck, META_FILE,
    UpdateOptions, UpdateReport, cache_dir, cached_databases, update,
};
pub use http::{Fetched, HttpClient, HttpOptions, fetch_to_file};

use std::path::PathBuf;

use thiserror::Error;

/// Why a download or cache update failed. Variants about files name the file; about
/// downloads, the URL.
#[derive(Debug, Error)]
pub enum NetError {
    /// The HTTP request failed after all retries.
    #[error("download of `{url}` failed: {message}")]
    Http {
        /// The URL.
        url: String,
        /// What went wrong (status, timeout, truncated body, ...).
        message: String,
    },
    /// A webhook was not accepted after all retries.
    #[error("the webhook `{url}` did not accept the POST: {message}")]
    Webhook {
        /// The URL.
        url: String,
        /// What went wrong (status, timeout, refused connection, ...).
        message: String,
    },
    /// The server answered with a status that is not retried (a 4xx other than 404, 410
    /// and 429): a refusal for this request, not an outage.
    #[error("`{url}` answered HTTP {status}")]
    Status {
        /// The URL.
        url: String,
        /// The HTTP status code.
        status: u16,
    },
    /// The body is larger than the configured limit.
    #[error("download of `{url}` is larger than the {limit}-byte limit")]
    TooLarge {
        /// The URL.
        url: String,
        /// The limit in bytes.
        limit: u64,
    },
    /// An archive is unsafe or corrupt.
    #[error("archive `{}` rejected: {message}", path.display())]
    Archive {
        /// The archive (or `archive!entry`).
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// A file operation in the cache failed.
    #[error("cache `{}`", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The downloaded database does not load.
    #[error("downloaded database from `{url}` does not load: {reason}")]
    Invalid {
        /// The URL.
        url: String,
        /// Why it does not load (the advisory stage's error, with its cause chain).
        reason: String,
    },
}

/// Installs rustls' ring crypto provider once per process (reqwest is built without one).
pub fn install_crypto_provider() {
    // An error only means a provider is already installed.
    let _ = rustls::crypto::ring::default_provider().install_default();
}
