//! A tiny HTTP/1.1 server on 127.0.0.1 for tests of network code (`db update`, registry
//! license lookups, the monitor's webhook): a std `TcpListener` in a thread, one thread per connection, every
//! response with `Connection: close`. It records each raw request and counts hits per path.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the server sends for one request.
#[allow(dead_code)]
pub enum Reply {
    /// A complete response. `{{BASE}}` in the body becomes the server's base URL (for
    /// documents that link to other documents on the same server).
    Full {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Declares `declared` bytes, sends `body`, and closes (a truncated transfer).
    Truncated { declared: usize, body: Vec<u8> },
    /// Declares `declared` bytes, sends `body`, then stalls (for the kill test).
    Stall { declared: usize, body: Vec<u8> },
    /// Accepts the connection and never answers (for timeouts).
    Hang,
}

/// The handler gets (path, raw request, nth hit of this path).
pub type Handler = dyn Fn(&str, &str, usize) -> Reply + Send + Sync;

/// A running server.
pub struct Server {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// Every raw request received, in order.
    pub requests: Arc<Mutex<Vec<String>>>,
}

#[allow(dead_code)]
impl Server {
    /// Requests whose path starts with `prefix`.
    pub fn count(&self, prefix: &str) -> usize {
        self.requests
            .lock()
            .unwrap()
            .iter()
            .filter(|r| {
                r.split_whitespace()
                    .nth(1)
                    .is_some_and(|path| path.starts_with(prefix))
            })
            .count()
    }

    /// Every request so far.
    pub fn total(&self) -> usize {
        self.requests.lock().unwrap().len()
    }
}

/// Starts a server on an ephemeral port of 127.0.0.1.
pub fn serve(handler: Box<Handler>) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let requests = Arc::new(Mutex::new(Vec::new()));
    let seen = requests.clone();
    let handler: Arc<Handler> = Arc::from(handler);
    let server_base = base.clone();
    std::thread::spawn(move || {
        let mut hits: HashMap<String, usize> = HashMap::new();
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = Vec::new();
            let mut buffer = [0u8; 4096];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buffer) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buffer[..n]),
                }
            }
            // A request with a body (the monitor's webhook POST): read all of it, so the
            // recorded request holds the body too.
            let wanted = body_length(&request);
            while request.len() < wanted {
                match stream.read(&mut buffer) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buffer[..n]),
                }
            }
            let text = String::from_utf8_lossy(&request).into_owned();
            let path = text.split_whitespace().nth(1).unwrap_or("/").to_string();
            let count = hits.entry(path.clone()).or_insert(0);
            *count += 1;
            seen.lock().unwrap().push(text.clone());
            let reply = handler(&path, &text, *count);
            let base = server_base.clone();
            std::thread::spawn(move || write_reply(&mut stream, reply, &base));
        }
    });
    Server { base, requests }
}

/// Headers plus `Content-Length` bytes, once the headers are in `request`.
fn body_length(request: &[u8]) -> usize {
    let Some(end) = request.windows(4).position(|w| w == b"\r\n\r\n") else {
        return 0;
    };
    let head = String::from_utf8_lossy(&request[..end]);
    let length = head
        .lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse::<usize>().ok())
        .unwrap_or(0);
    end + 4 + length
}

fn write_reply(stream: &mut std::net::TcpStream, reply: Reply, base: &str) {
    match reply {
        Reply::Full {
            status,
            headers,
            body,
        } => {
            let body = replace_base(body, base);
            let mut head = format!(
                "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n",
                body.len()
            );
            for (name, value) in headers {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
            head.push_str("\r\n");
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
        Reply::Truncated { declared, body } => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {declared}\r\nConnection: close\r\n\r\n"
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
        Reply::Stall { declared, body } => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {declared}\r\nConnection: close\r\n\r\n"
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
            let _ = stream.flush();
            std::thread::sleep(Duration::from_secs(30));
        }
        Reply::Hang => std::thread::sleep(Duration::from_secs(30)),
    }
    let _ = stream.flush();
}

/// `{{BASE}}` -> `base` in a UTF-8 body; other bodies (gzip, tarballs) are sent as they are.
fn replace_base(body: Vec<u8>, base: &str) -> Vec<u8> {
    match String::from_utf8(body) {
        Ok(text) if text.contains("{{BASE}}") => text.replace("{{BASE}}", base).into_bytes(),
        Ok(text) => text.into_bytes(),
        Err(error) => error.into_bytes(),
    }
}
