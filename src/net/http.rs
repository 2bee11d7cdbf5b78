//! HTTP downloads: timeouts, retries with backoff, conditional requests, a size limit and a
//! progress bar on a terminal; and [`HttpClient`], the same retry rules for many small GETs
//! (registry license lookups) over one runtime and connection pool.

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
            std::thread::sleep(backoff_delay(options, attempt));
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
        let retry_after = retry_after(response.headers());
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

/// The pause before retry number `attempt` (1-based): `backoff`, doubled each retry.
pub(super) fn backoff_delay(options: &HttpOptions, attempt: u32) -> Duration {
    options.backoff * 2u32.saturating_pow(attempt.saturating_sub(1))
}

/// The `Retry-After` of a response in its delta-seconds form (the form registries send).
pub(super) fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}

/// The longest `Retry-After` we honour: a server asking for more is treated as down.
pub(super) const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// One HTTP client for many small GET requests (registry APIs): a current-thread runtime and
/// a connection pool kept across requests, with the timeouts, retries and backoff of
/// [`HttpOptions`]. Bodies are kept in memory, up to `max_bytes`.
pub struct HttpClient {
    runtime: tokio::runtime::Runtime,
    client: reqwest::Client,
    options: HttpOptions,
}

/// The outcome of one GET attempt.
enum Answer {
    Body(Vec<u8>),
    Missing,
    Retry(String, Option<Duration>),
    Fail(NetError),
}

impl HttpClient {
    /// A client with `options`, an overall per-request `timeout` (connect + headers + body)
    /// when given, and `user_agent` on every request.
    pub fn new(
        options: &HttpOptions,
        timeout: Option<Duration>,
        user_agent: &str,
    ) -> Result<Self, NetError> {
        super::install_crypto_provider();
        let setup_error = |message: String| NetError::Http {
            url: String::new(),
            message,
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .enable_io()
            .build()
            .map_err(|e| setup_error(format!("cannot start the HTTP runtime: {e}")))?;
        let mut builder = reqwest::Client::builder()
            .connect_timeout(options.connect_timeout)
            .read_timeout(options.read_timeout)
            .user_agent(user_agent);
        if let Some(timeout) = timeout {
            builder = builder.timeout(timeout);
        }
        let client = builder.build().map_err(|e| setup_error(e.to_string()))?;
        Ok(Self {
            runtime,
            client,
            options: options.clone(),
        })
    }

    /// GETs `url` with `Accept: accept`: `Ok(Some(body))` on success, `Ok(None)` on 404 or
    /// 410 (the server does not have it). Timeouts, broken transfers, 429 and 5xx are retried
    /// with exponential backoff, waiting at least as long as `Retry-After` asks (up to a
    /// minute); any other status is an error.
    pub fn get(&self, url: &str, accept: &str) -> Result<Option<Vec<u8>>, NetError> {
        let mut last_error = String::new();
        let mut wait = Duration::ZERO;
        for attempt in 0..=self.options.retries {
            if attempt > 0 {
                std::thread::sleep(backoff_delay(&self.options, attempt).max(wait));
            }
            match self.runtime.block_on(self.get_once(url, accept)) {
                Answer::Body(body) => return Ok(Some(body)),
                Answer::Missing => return Ok(None),
                Answer::Retry(message, retry_after) => {
                    last_error = message;
                    wait = retry_after.unwrap_or_default();
                    if wait > MAX_RETRY_AFTER {
                        return Err(NetError::Http {
                            url: url.to_string(),
                            message: format!(
                                "{last_error}, and Retry-After asks for {} s",
                                wait.as_secs()
                            ),
                        });
                    }
                }
                Answer::Fail(error) => return Err(error),
            }
        }
        Err(NetError::Http {
            url: url.to_string(),
            message: format!("{last_error} (after {} attempts)", self.options.retries + 1),
        })
    }

    async fn get_once(&self, url: &str, accept: &str) -> Answer {
        let request = self.client.get(url).header(reqwest::header::ACCEPT, accept);
        let mut response = match request.send().await {
            Ok(response) => response,
            Err(error) => return Answer::Retry(describe(&error), None),
        };
        let status = response.status();
        if status == reqwest::StatusCode::NOT_FOUND || status == reqwest::StatusCode::GONE {
            return Answer::Missing;
        }
        if status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS {
            return Answer::Retry(format!("HTTP {status}"), retry_after(response.headers()));
        }
        if !status.is_success() {
            return Answer::Fail(NetError::Status {
                url: url.to_string(),
                status: status.as_u16(),
            });
        }
        let too_large = || {
            Answer::Fail(NetError::TooLarge {
                url: url.to_string(),
                limit: self.options.max_bytes,
            })
        };
        let declared = response.content_length();
        if declared.is_some_and(|length| length > self.options.max_bytes) {
            return too_large();
        }
        let mut body = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    body.extend_from_slice(&chunk);
                    if body.len() as u64 > self.options.max_bytes {
                        return too_large();
                    }
                }
                Ok(None) => break,
                Err(error) => return Answer::Retry(describe(&error), None),
            }
        }
        if let Some(length) = declared
            && body.len() as u64 != length
        {
            return Answer::Retry(
                format!("truncated body: {} of {length} bytes", body.len()),
                None,
            );
        }
        Answer::Body(body)
    }
}

/// A one-line description of a reqwest error with its causes.
pub(super) fn describe(error: &reqwest::Error) -> String {
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
