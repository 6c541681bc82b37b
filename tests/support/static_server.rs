//! A loopback web server for end-to-end tests with a browser: it serves the files of a folder,
//! one sub-folder per site. A request for `http://shop.deskhand.test/cart.html` (the host's first
//! label is the site) is answered from `ROOT/shop/cart.html`; a folder answers with its
//! `index.html`; the query string is ignored. Chromium reaches it through
//! `--host-resolver-rules` ([`StaticServer::host_rules`]), so pages keep the names the task files
//! give them. Every request's method, host and path is kept for the test to assert on.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// One request as received: method, host (without port) and path (without query).
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// `GET`, `POST`, …
    pub method: String,
    /// `shop.deskhand.test`, …
    pub host: String,
    /// `/cart.html`, …
    pub path: String,
    /// The status answered.
    pub status: u16,
}

/// The running server (its thread ends with the test process).
pub struct StaticServer {
    /// The port on 127.0.0.1.
    pub port: u16,
    /// Every request, in order.
    pub hits: Arc<Mutex<Vec<Hit>>>,
}

impl StaticServer {
    /// Serves `root` on a free loopback port.
    pub fn start(root: &Path) -> StaticServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let hits = Arc::new(Mutex::new(Vec::new()));
        let (root, seen) = (root.to_owned(), hits.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (root, seen) = (root.clone(), seen.clone());
                std::thread::spawn(move || serve(stream, &root, &seen));
            }
        });
        StaticServer { port, hits }
    }

    /// Chromium's `--host-resolver-rules` value that sends every `*.deskhand.test` host here.
    pub fn host_rules(&self) -> String {
        format!("MAP *.deskhand.test 127.0.0.1:{}", self.port)
    }

    /// The requests so far.
    pub fn hits(&self) -> Vec<Hit> {
        self.hits.lock().unwrap().clone()
    }
}

fn serve(mut stream: TcpStream, root: &Path, seen: &Mutex<Vec<Hit>>) {
    let Ok(clone) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(clone);
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let target = parts.next().unwrap_or("/").to_owned();
    let mut host = String::new();
    let mut length = 0usize;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            match k.trim().to_ascii_lowercase().as_str() {
                "host" => host = v.trim().split(':').next().unwrap_or_default().to_owned(),
                "content-length" => length = v.trim().parse().unwrap_or(0),
                _ => {}
            }
        }
    }
    // A form's body is read and dropped: the pages are static.
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    let path = target.split(['?', '#']).next().unwrap_or("/").to_owned();
    let file = resolve(root, &host, &path);
    let (status, content) = match file.as_deref().map(std::fs::read) {
        Some(Ok(bytes)) => (200, bytes),
        _ => (404, b"not found".to_vec()),
    };
    let kind = file.as_deref().map_or("text/plain", content_type);
    let head = format!(
        "HTTP/1.1 {status} {}\r\ncontent-type: {kind}\r\ncontent-length: {}\r\ncache-control: no-store\r\nconnection: close\r\n\r\n",
        if status == 200 { "OK" } else { "Not Found" },
        content.len()
    );
    let _ = stream.write_all(head.as_bytes());
    if method != "HEAD" {
        let _ = stream.write_all(&content);
    }
    let _ = stream.flush();
    seen.lock().unwrap().push(Hit {
        method,
        host,
        path,
        status,
    });
}

/// The file for `host` and `path` under `root`, if there is one (never outside `root`).
fn resolve(root: &Path, host: &str, path: &str) -> Option<PathBuf> {
    let site = host.split('.').next().filter(|s| !s.is_empty())?;
    let mut file = root.join(site);
    for part in path.split('/').filter(|p| !p.is_empty()) {
        if part == ".." || part.contains('\\') {
            return None;
        }
        file.push(percent_decode(part));
    }
    if file.is_dir() {
        file.push("index.html");
    }
    file.is_file().then_some(file)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn content_type(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
    {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css",
        "js" => "text/javascript",
        "json" => "application/json",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "svg" => "image/svg+xml",
        "pdf" => "application/pdf",
        "txt" | "csv" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}
