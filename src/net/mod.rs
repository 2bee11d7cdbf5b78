//! The only module that talks HTTP (reqwest with rustls and the ring provider).
//!
//! In: URLs, tokens and request bodies. Out: parsed responses or errors naming the URL.
//! Tests run every client here against a local server on 127.0.0.1, never the internet.

pub mod github;

/// Installs rustls' ring crypto provider as the process default (reqwest is built with
/// `rustls-no-provider`). Calling it again is harmless.
pub fn install_crypto_provider() {
    // `Err` only means a provider is already installed, which is what we want.
    let _ = rustls::crypto::ring::default_provider().install_default();
}
