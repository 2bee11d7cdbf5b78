//! The GitHub REST API, for the one pull-request comment depgate keeps up to date.
//!
//! In: the API base URL (`GITHUB_API_URL`), a token, `OWNER/NAME`, a pull request number and a
//! Markdown body. Out: the comment created (POST) or updated (PATCH). The comment is found by
//! the hidden marker [`MARKER`] while paging through the pull request's comments (following
//! `Link: rel="next"`, only on the API's own host so the token never leaves it).

use std::time::Duration;

use serde::Deserialize;
use thiserror::Error;

/// The hidden marker that identifies depgate's comment.
pub const MARKER: &str = "<!-- depgate -->";

/// GitHub rejects comment bodies longer than this many characters.
const MAX_BODY_CHARS: usize = 65_536;

/// Why a GitHub API call failed. Every variant names the URL.
#[derive(Debug, Error)]
pub enum GitHubError {
    /// 401: the token is missing, invalid or expired.
    #[error(
        "GitHub rejected the token (401 Unauthorized) for `{url}`: check `GITHUB_TOKEN`{}",
        detail(message)
    )]
    Unauthorized {
        /// The request URL.
        url: String,
        /// GitHub's message.
        message: String,
    },
    /// 403: the token lacks a permission (or a rate limit was hit).
    #[error(
        "GitHub refused the request (403 Forbidden) for `{url}`: the token needs \
         `pull-requests: write` (or `issues: write`) permission{}",
        detail(message)
    )]
    Forbidden {
        /// The request URL.
        url: String,
        /// GitHub's message.
        message: String,
    },
    /// 404: no such repository or pull request, or the token cannot see it.
    #[error(
        "GitHub found nothing at `{url}` (404 Not Found): check the repository and pull request \
         number, and that the token can access them{}",
        detail(message)
    )]
    NotFound {
        /// The request URL.
        url: String,
        /// GitHub's message.
        message: String,
    },
    /// Any other unsuccessful status.
    #[error("GitHub answered {status} for `{url}`{}", detail(message))]
    Status {
        /// The HTTP status.
        status: u16,
        /// The request URL.
        url: String,
        /// GitHub's message.
        message: String,
    },
    /// The request could not be sent or the response not read.
    #[error("cannot reach GitHub at `{url}`")]
    Transport {
        /// The request URL.
        url: String,
        /// The client error.
        source: reqwest::Error,
    },
    /// The response was not the JSON we expect.
    #[error("unexpected response from `{url}`: {message}")]
    InvalidResponse {
        /// The request URL.
        url: String,
        /// What was wrong.
        message: String,
    },
    /// The client or runtime could not be built.
    #[error("cannot start the HTTP client: {0}")]
    Setup(String),
}

fn detail(message: &str) -> String {
    if message.is_empty() {
        String::new()
    } else {
        format!(" (GitHub says: {message})")
    }
}

/// What [`GitHubClient::upsert_comment`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommentAction {
    /// A new comment was posted.
    Created {
        /// Its id.
        id: u64,
        /// Its web URL, when GitHub returned one.
        url: Option<String>,
    },
    /// The existing depgate comment was edited.
    Updated {
        /// Its id.
        id: u64,
        /// Its web URL, when GitHub returned one.
        url: Option<String>,
    },
}

#[derive(Deserialize)]
struct Comment {
    id: u64,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    html_url: Option<String>,
}

#[derive(Deserialize)]
struct ErrorBody {
    #[serde(default)]
    message: String,
}

/// A small blocking client for the few endpoints depgate uses.
pub struct GitHubClient {
    base: String,
    token: String,
    repository: String,
    client: reqwest::Client,
    runtime: tokio::runtime::Runtime,
}

impl GitHubClient {
    /// A client for `repository` (`OWNER/NAME`) at the API base URL (no trailing slash needed).
    pub fn new(base: &str, token: &str, repository: &str) -> Result<Self, GitHubError> {
        super::install_crypto_provider();
        let client = reqwest::Client::builder()
            .user_agent(concat!("depgate/", env!("CARGO_PKG_VERSION")))
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| GitHubError::Setup(e.to_string()))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| GitHubError::Setup(e.to_string()))?;
        Ok(Self {
            base: base.trim_end_matches('/').to_string(),
            token: token.to_string(),
            repository: repository.to_string(),
            client,
            runtime,
        })
    }

    fn request(&self, method: reqwest::Method, url: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, url)
            .bearer_auth(&self.token)
            .header("Accept", "application/vnd.github+json")
            .header("X-GitHub-Api-Version", "2022-11-28")
    }

    /// Sends a request; returns the body text and the `rel="next"` link of a successful
    /// response, or the error for its status.
    fn send(
        &self,
        builder: reqwest::RequestBuilder,
        url: &str,
    ) -> Result<(String, Option<String>), GitHubError> {
        self.runtime.block_on(async {
            let transport = |source| GitHubError::Transport {
                url: url.to_string(),
                source,
            };
            let response = builder.send().await.map_err(transport)?;
            let status = response.status();
            let next = response
                .headers()
                .get_all(reqwest::header::LINK)
                .iter()
                .filter_map(|value| value.to_str().ok())
                .find_map(next_link);
            let text = response.text().await.map_err(transport)?;
            if status.is_success() {
                return Ok((text, next));
            }
            let message = serde_json::from_str::<ErrorBody>(&text)
                .map(|body| body.message)
                .unwrap_or_default();
            let url = url.to_string();
            Err(match status.as_u16() {
                401 => GitHubError::Unauthorized { url, message },
                403 => GitHubError::Forbidden { url, message },
                404 => GitHubError::NotFound { url, message },
                code => GitHubError::Status {
                    status: code,
                    url,
                    message,
                },
            })
        })
    }

    fn parse<T: for<'de> Deserialize<'de>>(text: &str, url: &str) -> Result<T, GitHubError> {
        serde_json::from_str(text).map_err(|e| GitHubError::InvalidResponse {
            url: url.to_string(),
            message: e.to_string(),
        })
    }

    /// Finds depgate's comment on the pull request, paging through every comment.
    fn find_comment(&self, pull_request: u64) -> Result<Option<Comment>, GitHubError> {
        let mut url = Some(format!(
            "{}/repos/{}/issues/{pull_request}/comments?per_page=100",
            self.base, self.repository
        ));
        while let Some(current) = url.take() {
            let (text, next) = self.send(self.request(reqwest::Method::GET, &current), &current)?;
            let comments: Vec<Comment> = Self::parse(&text, &current)?;
            if let Some(found) = comments
                .into_iter()
                .find(|c| c.body.as_deref().is_some_and(|b| b.contains(MARKER)))
            {
                return Ok(Some(found));
            }
            // Follow pagination only on the API's own origin: the token must not be sent
            // anywhere a crafted `Link` header points.
            url = next.filter(|next| same_origin(next, &self.base));
        }
        Ok(None)
    }

    /// Creates depgate's comment on the pull request, or updates it when one exists.
    pub fn upsert_comment(
        &self,
        pull_request: u64,
        body: &str,
    ) -> Result<CommentAction, GitHubError> {
        let payload = serde_json::json!({ "body": comment_body(body) });
        match self.find_comment(pull_request)? {
            Some(existing) => {
                let url = format!(
                    "{}/repos/{}/issues/comments/{}",
                    self.base, self.repository, existing.id
                );
                let (text, _) = self.send(
                    self.request(reqwest::Method::PATCH, &url).json(&payload),
                    &url,
                )?;
                let comment: Comment = Self::parse(&text, &url)?;
                Ok(CommentAction::Updated {
                    id: comment.id,
                    url: comment.html_url.or(existing.html_url),
                })
            }
            None => {
                let url = format!(
                    "{}/repos/{}/issues/{pull_request}/comments",
                    self.base, self.repository
                );
                let (text, _) = self.send(
                    self.request(reqwest::Method::POST, &url).json(&payload),
                    &url,
                )?;
                let comment: Comment = Self::parse(&text, &url)?;
                Ok(CommentAction::Created {
                    id: comment.id,
                    url: comment.html_url,
                })
            }
        }
    }
}

/// The body as posted: the marker first, cut (on a character boundary, with a note) to
/// GitHub's size limit.
pub fn comment_body(markdown: &str) -> String {
    let mut body = if markdown.contains(MARKER) {
        markdown.to_string()
    } else {
        format!("{MARKER}\n{markdown}")
    };
    if body.chars().count() > MAX_BODY_CHARS {
        let note = "\n\n… (truncated: the full report is in the job summary and artifacts)\n";
        let keep = MAX_BODY_CHARS - note.chars().count();
        body = body.chars().take(keep).collect::<String>() + note;
    }
    body
}

/// The `rel="next"` URL of an RFC 8288 `Link` header value.
fn next_link(header: &str) -> Option<String> {
    header.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        let is_next = params
            .split(';')
            .any(|p| p.trim().replace(' ', "") == "rel=\"next\"");
        let target = target.trim();
        (is_next && target.starts_with('<') && target.ends_with('>'))
            .then(|| target[1..target.len() - 1].to_string())
    })
}

/// Whether `url` has the same scheme, host and port as `base`.
fn same_origin(url: &str, base: &str) -> bool {
    let origin = |u: &str| -> Option<String> {
        let (scheme, rest) = u.split_once("://")?;
        let authority = rest.split('/').next()?;
        Some(format!(
            "{}://{}",
            scheme.to_ascii_lowercase(),
            authority.to_ascii_lowercase()
        ))
    };
    origin(url).is_some() && origin(url) == origin(base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_next_links() {
        let header = "<https://api.github.com/repos/o/r/issues/1/comments?page=2>; rel=\"next\", \
                      <https://api.github.com/repos/o/r/issues/1/comments?page=5>; rel=\"last\"";
        assert_eq!(
            next_link(header).as_deref(),
            Some("https://api.github.com/repos/o/r/issues/1/comments?page=2")
        );
        assert_eq!(next_link("<https://x/?page=1>; rel=\"prev\""), None);
    }

    #[test]
    fn pagination_stays_on_the_api_origin() {
        assert!(same_origin(
            "http://127.0.0.1:8080/a?page=2",
            "http://127.0.0.1:8080"
        ));
        assert!(!same_origin(
            "https://evil.example/a",
            "https://api.github.com"
        ));
        assert!(!same_origin(
            "https://api.github.com.evil.example/a",
            "https://api.github.com"
        ));
    }

    #[test]
    fn body_has_marker_and_respects_the_size_limit() {
        assert!(comment_body("# Report").starts_with(MARKER));
        let long = "é".repeat(70_000);
        let body = comment_body(&long);
        assert_eq!(body.chars().count(), MAX_BODY_CHARS);
        assert!(body.ends_with("artifacts)\n"));
    }
}
