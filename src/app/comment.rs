//! `depgate comment`: create or update the one depgate comment on a GitHub pull request.
//!
//! In: `--body-file` (the Markdown report), the pull request (`--pr`, else
//! `pull_request.number` in the `GITHUB_EVENT_PATH` event), the repository (`--repo`, else
//! `GITHUB_REPOSITORY`), `GITHUB_TOKEN` and `GITHUB_API_URL` (default
//! `https://api.github.com`). Out: one comment, found again on the next run by its hidden
//! marker and edited in place. Exit 0, or 2 on any missing setting or API error.

use std::io::Read;
use std::path::Path;

use anyhow::{Context, bail};

use crate::cli::CommentArgs;
use crate::net::github::{CommentAction, GitHubClient};

use super::Outcome;

/// The pull request number from a GitHub event payload (`pull_request`, `pull_request_target`,
/// or an `issue_comment` on a pull request).
pub fn pull_request_from_event(path: &Path) -> anyhow::Result<u64> {
    let text = crate::util::read_input_text(path)
        .with_context(|| "cannot read the event from `GITHUB_EVENT_PATH`")?;
    let event: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("`{}` is not valid JSON", path.display()))?;
    event
        .pointer("/pull_request/number")
        .or_else(|| {
            event
                .pointer("/issue/pull_request")
                .and_then(|_| event.pointer("/issue/number"))
        })
        .and_then(serde_json::Value::as_u64)
        .with_context(|| {
            format!(
                "`{}` has no `pull_request.number` (not a pull request event); pass `--pr N`",
                path.display()
            )
        })
}

fn required_env(name: &str) -> anyhow::Result<String> {
    match std::env::var(name) {
        Ok(value) if !value.trim().is_empty() => Ok(value),
        _ => bail!("`{name}` is not set (it is required by `depgate comment`)"),
    }
}

/// Runs `depgate comment`.
pub fn run(args: CommentArgs) -> anyhow::Result<Outcome> {
    let body = if args.body_file.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("cannot read the comment body from standard input")?;
        text
    } else {
        crate::util::read_input_text(&args.body_file).context("cannot read the comment body")?
    };
    let repository = match args.repo {
        Some(repository) => repository,
        None => required_env("GITHUB_REPOSITORY")?,
    };
    if repository
        .split('/')
        .filter(|part| !part.is_empty())
        .count()
        != 2
    {
        bail!("repository `{repository}` is not of the form `OWNER/NAME`");
    }
    let pull_request = match args.pr {
        Some(number) => number,
        None => {
            let event = required_env("GITHUB_EVENT_PATH")
                .context("no `--pr N` given and no GitHub event to read it from")?;
            pull_request_from_event(Path::new(&event))?
        }
    };
    let token = required_env("GITHUB_TOKEN")?;
    let base = std::env::var("GITHUB_API_URL")
        .ok()
        .filter(|url| !url.trim().is_empty())
        .unwrap_or_else(|| "https://api.github.com".to_string());
    let client = GitHubClient::new(&base, &token, &repository)?;
    let action = client
        .upsert_comment(pull_request, &body)
        .with_context(|| {
            format!("cannot comment on pull request #{pull_request} of `{repository}`")
        })?;
    match action {
        CommentAction::Created { id, url } => eprintln!(
            "created comment {id} on pull request #{pull_request}{}",
            url.map(|u| format!(": {u}")).unwrap_or_default()
        ),
        CommentAction::Updated { id, url } => eprintln!(
            "updated comment {id} on pull request #{pull_request}{}",
            url.map(|u| format!(": {u}")).unwrap_or_default()
        ),
    }
    Ok(Outcome::Pass)
}
