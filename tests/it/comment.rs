//! `depgate comment` against a local fake of the GitHub REST API on 127.0.0.1 that records
//! every request: the first run creates the comment (POST), the second finds it by its marker
//! on the second page of comments and edits it (PATCH); 401 and 404 are clear errors, exit 2.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use crate::common::depgate;

/// One recorded request.
#[derive(Debug, Clone)]
pub(crate) struct Recorded {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) authorization: Option<String>,
    pub(crate) body: String,
}

/// A tiny GitHub: the comments of pull request 7 of `acme/app`, two per page.
pub(crate) struct FakeGitHub {
    pub(crate) base: String,
    requests: Arc<Mutex<Vec<Recorded>>>,
    pub(crate) comments: Arc<Mutex<Vec<(u64, String)>>>,
}

impl FakeGitHub {
    /// Starts the server; `fail_with` answers every request with that status instead.
    pub(crate) fn start(fail_with: Option<u16>) -> FakeGitHub {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let comments = Arc::new(Mutex::new(vec![
            (11, "LGTM".to_string()),
            (12, "please rebase".to_string()),
            (13, "ci is red".to_string()),
        ]));
        let (recorded, stored, origin) = (requests.clone(), comments.clone(), base.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request_line = String::new();
                if reader.read_line(&mut request_line).is_err() {
                    continue;
                }
                let mut parts = request_line.split_whitespace();
                let method = parts.next().unwrap_or_default().to_string();
                let path = parts.next().unwrap_or_default().to_string();
                let mut length = 0;
                let mut authorization = None;
                loop {
                    let mut line = String::new();
                    reader.read_line(&mut line).unwrap();
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    let (name, value) = line.split_once(':').unwrap();
                    match name.to_ascii_lowercase().as_str() {
                        "content-length" => length = value.trim().parse().unwrap(),
                        "authorization" => authorization = Some(value.trim().to_string()),
                        _ => {}
                    }
                }
                let mut body = vec![0; length];
                reader.read_exact(&mut body).unwrap();
                let body = String::from_utf8(body).unwrap();
                recorded.lock().unwrap().push(Recorded {
                    method: method.clone(),
                    path: path.clone(),
                    authorization,
                    body: body.clone(),
                });
                let (status, link, response) = match fail_with {
                    Some(401) => (401, None, json!({"message": "Bad credentials"})),
                    Some(status) => (status, None, json!({"message": "Not Found"})),
                    None => answer(&method, &path, &body, &stored, &origin),
                };
                let text = response.to_string();
                let mut head = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n\
                     Content-Length: {}\r\nConnection: close\r\n",
                    text.len()
                );
                if let Some(link) = link {
                    head.push_str(&format!("Link: {link}\r\n"));
                }
                let _ = stream.write_all(format!("{head}\r\n{text}").as_bytes());
            }
        });
        FakeGitHub {
            base,
            requests,
            comments,
        }
    }

    pub(crate) fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }
}

/// The fake API's behaviour for the three endpoints `depgate comment` uses.
fn answer(
    method: &str,
    path: &str,
    body: &str,
    comments: &Mutex<Vec<(u64, String)>>,
    origin: &str,
) -> (u16, Option<String>, Value) {
    let mut comments = comments.lock().unwrap();
    let render = |id: u64, body: &str| json!({"id": id, "body": body, "html_url": format!("https://github.example/acme/app/pull/7#issuecomment-{id}")});
    let list = "/repos/acme/app/issues/7/comments";
    match method {
        "GET" if path.starts_with(list) => {
            let query = path.split_once('?').map(|(_, q)| q).unwrap_or_default();
            let page: usize = query
                .split('&')
                .find_map(|pair| pair.strip_prefix("page="))
                .and_then(|p| p.parse().ok())
                .unwrap_or(1);
            let per_page = 2;
            let items: Vec<Value> = comments
                .iter()
                .skip((page - 1) * per_page)
                .take(per_page)
                .map(|(id, body)| render(*id, body))
                .collect();
            let link = (comments.len() > page * per_page).then(|| {
                format!(
                    "<{origin}{list}?per_page=100&page={}>; rel=\"next\"",
                    page + 1
                )
            });
            (200, link, Value::Array(items))
        }
        "POST" if path == list => {
            let text = serde_json::from_str::<Value>(body).unwrap()["body"]
                .as_str()
                .unwrap()
                .to_string();
            let id = 100 + comments.len() as u64;
            comments.push((id, text.clone()));
            (201, None, render(id, &text))
        }
        "PATCH" if path.starts_with("/repos/acme/app/issues/comments/") => {
            let id: u64 = path.rsplit('/').next().unwrap().parse().unwrap();
            let text = serde_json::from_str::<Value>(body).unwrap()["body"]
                .as_str()
                .unwrap()
                .to_string();
            match comments.iter_mut().find(|(existing, _)| *existing == id) {
                Some(entry) => {
                    entry.1 = text.clone();
                    (200, None, render(id, &text))
                }
                None => (404, None, json!({"message": "Not Found"})),
            }
        }
        _ => (404, None, json!({"message": "Not Found"})),
    }
}

fn comment(
    server: &FakeGitHub,
    body_file: &std::path::Path,
    event: &std::path::Path,
) -> assert_cmd::assert::Assert {
    depgate()
        .args(["comment", "--body-file"])
        .arg(body_file)
        .env("GITHUB_API_URL", &server.base)
        .env("GITHUB_TOKEN", "test-token")
        .env("GITHUB_REPOSITORY", "acme/app")
        .env("GITHUB_EVENT_PATH", event)
        .assert()
}

fn setup() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let body = dir.path().join("report.md");
    std::fs::write(&body, "## depgate\n\n2 findings").unwrap();
    let event = dir.path().join("event.json");
    std::fs::write(
        &event,
        r#"{"action":"synchronize","pull_request":{"number":7}}"#,
    )
    .unwrap();
    (dir, body, event)
}

#[test]
fn first_run_creates_second_run_updates_the_same_comment() {
    let server = FakeGitHub::start(None);
    let (_dir, body, event) = setup();

    comment(&server, &body, &event)
        .success()
        .stderr(predicates::str::contains("created comment 103"));
    let first = server.requests();
    let methods: Vec<&str> = first.iter().map(|r| r.method.as_str()).collect();
    // Three existing comments, two per page: two GETs, then the POST.
    assert_eq!(methods, ["GET", "GET", "POST"]);
    assert!(first[1].path.contains("page=2"));
    assert!(
        first
            .iter()
            .all(|r| r.authorization.as_deref() == Some("Bearer test-token"))
    );
    let posted: Value = serde_json::from_str(&first[2].body).unwrap();
    assert!(
        posted["body"]
            .as_str()
            .unwrap()
            .starts_with("<!-- depgate -->\n## depgate")
    );

    std::fs::write(&body, "## depgate\n\nall clear").unwrap();
    comment(&server, &body, &event)
        .success()
        .stderr(predicates::str::contains("updated comment 103"));
    let second = &server.requests()[first.len()..];
    let methods: Vec<&str> = second.iter().map(|r| r.method.as_str()).collect();
    assert_eq!(methods, ["GET", "GET", "PATCH"]);
    assert_eq!(second[2].path, "/repos/acme/app/issues/comments/103");

    let comments = server.comments.lock().unwrap();
    assert_eq!(comments.len(), 4, "one depgate comment, never a second one");
    assert_eq!(comments[3].1, "<!-- depgate -->\n## depgate\n\nall clear");
}

#[test]
fn pr_flag_overrides_the_event() {
    let server = FakeGitHub::start(None);
    let (dir, body, _) = setup();
    let push_event = dir.path().join("push.json");
    std::fs::write(&push_event, r#"{"ref":"refs/heads/main"}"#).unwrap();
    // A push event has no pull request: a clear usage error.
    comment(&server, &body, &push_event)
        .code(2)
        .stderr(predicates::str::contains("pass `--pr N`"));
    assert!(server.requests().is_empty());
    depgate()
        .args(["comment", "--pr", "7", "--body-file"])
        .arg(&body)
        .env("GITHUB_API_URL", &server.base)
        .env("GITHUB_TOKEN", "t")
        .env("GITHUB_REPOSITORY", "acme/app")
        .env_remove("GITHUB_EVENT_PATH")
        .assert()
        .success();
}

#[test]
fn unauthorized_and_not_found_are_clear_errors() {
    let (_dir, body, event) = setup();
    let server = FakeGitHub::start(Some(401));
    comment(&server, &body, &event)
        .code(2)
        .stderr(predicates::str::contains("401 Unauthorized"))
        .stderr(predicates::str::contains("GITHUB_TOKEN"))
        .stderr(predicates::str::contains("Bad credentials"));
    let server = FakeGitHub::start(Some(404));
    comment(&server, &body, &event)
        .code(2)
        .stderr(predicates::str::contains("404 Not Found"))
        .stderr(predicates::str::contains("pull request #7 of `acme/app`"));
}

#[test]
fn missing_token_is_a_usage_error() {
    let (_dir, body, event) = setup();
    depgate()
        .args(["comment", "--body-file"])
        .arg(&body)
        .env_remove("GITHUB_TOKEN")
        .env("GITHUB_REPOSITORY", "acme/app")
        .env("GITHUB_EVENT_PATH", &event)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("`GITHUB_TOKEN` is not set"));
}
