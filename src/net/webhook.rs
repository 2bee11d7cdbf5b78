//! The monitor's webhook: one JSON document POSTed to a URL, with a per-attempt timeout and
//! retries with backoff, and an error that says what failed (never a silent loss).
//!
//! In: a URL, the JSON body and [`WebhookOptions`]. Out: the [`Delivery`] (status, attempts)
//! or a [`NetError`] naming the URL.

use std::time::Duration;

use super::NetError;
use super::http::{HttpOptions, MAX_RETRY_AFTER, backoff_delay, describe, retry_after};

/// How to deliver.
#[derive(Debug, Clone)]
pub struct WebhookOptions {
    /// Longest time for one attempt (connect, send, response).
    pub timeout: Duration,
    /// Retries after the first attempt (on timeouts, refused connections, 5xx and 429).
    pub retries: u32,
    /// First backoff delay; doubled each retry.
    pub backoff: Duration,
}

impl Default for WebhookOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(10),
            retries: 3,
            backoff: Duration::from_millis(500),
        }
    }
}

/// A delivered webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    /// The HTTP status of the accepting response (2xx).
    pub status: u16,
    /// Attempts it took (1 = first try).
    pub attempts: u32,
}

enum Attempt {
    Delivered(u16),
    Retry(String, Option<Duration>),
    Fail(NetError),
}

/// POSTs `body` (JSON) to `url`. Only `http` and `https` URLs are accepted.
pub fn post_json(url: &str, body: &[u8], options: &WebhookOptions) -> Result<Delivery, NetError> {
    let fail = |message: String| NetError::Webhook {
        url: url.to_string(),
        message,
    };
    let scheme = url
        .split_once("://")
        .map(|(scheme, _)| scheme.to_ascii_lowercase());
    if !matches!(scheme.as_deref(), Some("http" | "https")) {
        return Err(fail("not an http:// or https:// URL".to_string()));
    }
    super::install_crypto_provider();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .enable_io()
        .build()
        .map_err(|e| fail(format!("cannot start the HTTP runtime: {e}")))?;
    let client = reqwest::Client::builder()
        .connect_timeout(options.timeout)
        .timeout(options.timeout)
        .user_agent(concat!("depgate/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| fail(e.to_string()))?;
    let backoff = HttpOptions {
        backoff: options.backoff,
        ..HttpOptions::default()
    };
    let mut last_error = String::new();
    let mut wait = Duration::ZERO;
    for attempt in 0..=options.retries {
        if attempt > 0 {
            std::thread::sleep(backoff_delay(&backoff, attempt).max(wait));
        }
        match runtime.block_on(post_once(&client, url, body)) {
            Attempt::Delivered(status) => {
                return Ok(Delivery {
                    status,
                    attempts: attempt + 1,
                });
            }
            Attempt::Fail(error) => return Err(error),
            Attempt::Retry(message, retry_after) => {
                last_error = message;
                wait = retry_after.unwrap_or_default();
                if wait > MAX_RETRY_AFTER {
                    return Err(fail(format!(
                        "{last_error}, and Retry-After asks for {} s",
                        wait.as_secs()
                    )));
                }
            }
        }
    }
    Err(fail(format!(
        "{last_error} (after {} attempts)",
        options.retries + 1
    )))
}

async fn post_once(client: &reqwest::Client, url: &str, body: &[u8]) -> Attempt {
    let request = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body.to_vec());
    let response = match request.send().await {
        Ok(response) => response,
        Err(error) => return Attempt::Retry(describe(&error), None),
    };
    let status = response.status();
    if status.is_success() {
        return Attempt::Delivered(status.as_u16());
    }
    if status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS {
        return Attempt::Retry(format!("HTTP {status}"), retry_after(response.headers()));
    }
    Attempt::Fail(NetError::Webhook {
        url: url.to_string(),
        message: format!("HTTP {status} (not retried)"),
    })
}
