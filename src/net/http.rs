//! HTTP downloads: timeouts, retries with backoff, conditional requests, a size limit and a
//! progress bar on a terminal.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use super::NetError;

/// How to download.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// Connect timeout.
    pub connect_timeout: Duration,
    /// Longest pause between two chunks of a body (and for the response headers).
    pub read_timeout: Duration,
    /// Retries after the first attempt (on 5xx, 429, timeouts and broken transfers).
    pub retries: u32,
    /// First backoff delay; doubled each retry.
    pub backoff: Duration,
    /// Largest body accepted, in bytes.
    pub max_bytes: u64,
    /// Show a progress bar (only drawn when stderr is a terminal).
    pub progress: bool,
}

impl Default for HttpOptions {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(15),
            read_timeout: Duration::from_secs(60),
            retries: 3,
            backoff: Duration::from_millis(500),
            max_bytes: 1024 * 1024 * 1024,
            progress: true,
        }
    }
}

/// The result of a conditional download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    /// The server said 304: the cached copy is current.
    NotModified,
    /// The body was written to the destination file.
    Downloaded {
        /// `ETag` of the response.
        etag: Option<String>,
        /// `Last-Modified` of the response.
        last_modified: Option<String>,
        /// Bytes written.
        bytes: u64,
    },
}

enum Attempt {
    Done(Fetched),
    Retry(String, Option<Duration>),
    Fail(NetError),
}

/// Downloads `url` into `destination` (created or truncated), sending `If-None-Match` /
/// `If-Modified-Since` when given. Retries transient failures with exponential backoff.
pub fn fetch_to_file(
    url: &str,
    destination: &Path,
    etag: Option<&str>,
    last_modified: Option<&str>,
    options: &HttpOptions,
) -> Result<Fetched, NetError> {
    super::install_crypto_provider();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .enable_io()
        .build()
        .map_err(|e| NetError::Http {
            url: url.to_string(),
            message: format!("cannot start the HTTP runtime: {e}"),
        })?;
    let client = reqwest::Client::builder()
        .connect_timeout(options.connect_timeout)
        .read_timeout(options.read_timeout)
        .user_agent(concat!("depgate/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| NetError::Http {
            url: url.to_string(),
            message: e.to_string(),
        })?;
    let mut last_error = String::new();
    for attempt in 0..=options.retries {
        if attempt > 0 {
            let delay = options.backoff * 2u32.saturating_pow(attempt - 1);
            std::thread::sleep(delay);
        }
        let result = runtime.block_on(try_once(
            &client,
            url,
            destination,
            etag,
            last_modified,
            options,
        ));
        match result {
            Attempt::Done(fetched) => return Ok(fetched),
            Attempt::Fail(error) => return Err(error),
            Attempt::Retry(message, retry_after) => {
                last_error = message;
                if let Some(wait) = retry_after {
                    // Honour Retry-After, but never wait more than a minute.
                    std::thread::sleep(wait.min(Duration::from_secs(60)));
                }
            }
        }
    }
    Err(NetError::Http {
        url: url.to_string(),
        message: format!("{last_error} (after {} attempts)", options.retries + 1),
    })
}

async fn try_once(
    client: &reqwest::Client,
    url: &str,
    destination: &Path,
    etag: Option<&str>,
    last_modified: Option<&str>,
    options: &HttpOptions,
) -> Attempt {
    let mut request = client.get(url);
    if let Some(etag) = etag {
        request = request.header(reqwest::header::IF_NONE_MATCH, etag);
    }
    if let Some(last_modified) = last_modified {
        request = request.header(reqwest::header::IF_MODIFIED_SINCE, last_modified);
    }
    let mut response = match request.send().await {
        Ok(response) => response,
        Err(error) => return Attempt::Retry(describe(&error), None),
    };
    let status = response.status();
    if status == reqwest::StatusCode::NOT_MODIFIED {
        return Attempt::Done(Fetched::NotModified);
    }
    if status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS {
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        return Attempt::Retry(format!("HTTP {status}"), retry_after);
    }
    if !status.is_success() {
        return Attempt::Fail(NetError::Http {
            url: url.to_string(),
            message: format!("HTTP {status}"),
        });
    }
    let header = |name: reqwest::header::HeaderName| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let etag = header(reqwest::header::ETAG);
    let last_modified = header(reqwest::header::LAST_MODIFIED);
    // Read the declared length now: reqwest's `content_length` shrinks as the body is read.
    let declared = response.content_length();
    if let Some(length) = declared
        && length > options.max_bytes
    {
        return Attempt::Fail(NetError::TooLarge {
            url: url.to_string(),
            limit: options.max_bytes,
        });
    }
    let bar = if options.progress {
        let bar = indicatif::ProgressBar::with_draw_target(
            declared,
            indicatif::ProgressDrawTarget::stderr(),
        );
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{msg} {bytes}/{total_bytes} {bytes_per_sec} {wide_bar}",
        ) {
            bar.set_style(style);
        }
        bar.set_message(url.to_string());
        Some(bar)
    } else {
        None
    };
    let mut file = match std::fs::File::create(destination) {
        Ok(file) => file,
        Err(source) => {
            return Attempt::Fail(NetError::Io {
                path: destination.to_path_buf(),
                source,
            });
        }
    };
    let mut written: u64 = 0;
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                written += chunk.len() as u64;
                if written > options.max_bytes {
                    return Attempt::Fail(NetError::TooLarge {
                        url: url.to_string(),
                        limit: options.max_bytes,
                    });
                }
                if let Err(source) = file.write_all(&chunk) {
                    return Attempt::Fail(NetError::Io {
                        path: destination.to_path_buf(),
                        source,
                    });
                }
                if let Some(bar) = &bar {
                    bar.set_position(written);
                }
            }
            Ok(None) => break,
            Err(error) => return Attempt::Retry(describe(&error), None),
        }
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if let Some(length) = declared
        && written != length
    {
        return Attempt::Retry(format!("truncated body: {written} of {length} bytes"), None);
    }
    if let Err(source) = file.sync_all() {
        return Attempt::Fail(NetError::Io {
            path: destination.to_path_buf(),
            source,
        });
    }
    Attempt::Done(Fetched::Downloaded {
        etag,
        last_modified,
        bytes: written,
    })
}

/// A one-line description of a reqwest error with its causes.
fn describe(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    if error.is_timeout() {
        text.push_str(" (timeout)");
    }
    text
}
