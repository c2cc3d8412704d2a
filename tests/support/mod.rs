//! Shared by the integration tests and the benchmarks: fixture books in temp
//! copies, running the real binary, parsing the HTML it writes, and driving a
//! real `handbook serve` (HTTP over a plain `TcpStream`, so request paths reach
//! the server exactly as written; the live-reload WebSocket). Real headless
//! Chromium is in [`chromium`].

// Each test crate includes this module privately and takes what it needs, so its
// `pub` items are neither all used nor reachable from outside.
#![allow(dead_code, unreachable_pub)]

pub mod chromium;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long anything may take before a test gives up.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// A copy of `tests/fixtures/<name>` in a fresh temp folder.
/// A one-chapter book (`src/a.md` holds `chapter`) in a fresh folder.
pub fn book_with(chapter: &str) -> tempfile::TempDir {
    let book = tempfile::tempdir().unwrap();
    std::fs::create_dir(book.path().join("src")).unwrap();
    std::fs::write(book.path().join("book.toml"), "[book]\ntitle = \"T\"\n").unwrap();
    std::fs::write(book.path().join("src/SUMMARY.md"), "- [A](a.md)\n").unwrap();
    std::fs::write(book.path().join("src/a.md"), chapter).unwrap();
    book
}

/// Every file under `dir`, at any depth.
pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

pub fn fixture_copy(name: &str) -> tempfile::TempDir {
    let from = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&from, dir.path());
    dir
}

/// Copies a folder recursively, leaving out `target/`: the build cache that tests building
/// a fixture in place leave there is not part of the fixture.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_name() == "target" {
            continue;
        }
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A running `handbook serve`, killed when dropped.
pub struct Server {
    child: Child,
    /// The port it listens on.
    pub port: u16,
    /// Everything it printed so far (stdout and stderr), for failure messages.
    output: Arc<Mutex<Vec<String>>>,
}

impl Server {
    /// Starts `handbook serve <book> --port 0` and waits until it listens.
    pub fn start(book: &Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_handbook"))
            .arg("serve")
            .arg(book)
            .args(["--port", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start handbook serve");
        let output = Arc::new(Mutex::new(Vec::new()));
        let (port_tx, port_rx) = std::sync::mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        let stderr = child.stderr.take().unwrap();
        collect(stdout, Arc::clone(&output), Some(port_tx));
        collect(stderr, Arc::clone(&output), None);
        let Ok(port) = port_rx.recv_timeout(PATIENCE) else {
            let _ = child.kill();
            panic!(
                "the server did not start:\n{}",
                output.lock().unwrap().join("\n")
            );
        };
        Server {
            child,
            port,
            output,
        }
    }

    /// What the server printed so far.
    pub fn output(&self) -> String {
        self.output.lock().unwrap().join("\n")
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `GET path`.
    pub fn get(&self, path: &str) -> Response {
        self.request("GET", path)
    }

    /// `METHOD path HTTP/1.1`, the path sent exactly as given.
    pub fn request(&self, method: &str, path: &str) -> Response {
        request(self.port, method, path)
    }

    /// A client of the live-reload socket, after its first (hello) message.
    pub fn socket(&self) -> Socket {
        self.socket_as("").0
    }

    /// A client of the live-reload socket opened with `query` (`?page=…&version=…`,
    /// as a page sends it), and its first (hello) message.
    pub fn socket_as(&self, query: &str) -> (Socket, serde_json::Value) {
        let stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream.set_read_timeout(Some(PATIENCE)).unwrap();
        let url = format!("ws://127.0.0.1:{}/__handbook/live{query}", self.port);
        let (ws, _) = tungstenite::client(url.as_str(), stream).expect("websocket handshake");
        let mut socket = Socket { ws };
        let hello = socket.next();
        assert_eq!(hello["action"]["kind"], "hello", "{hello}");
        (socket, hello)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `METHOD path HTTP/1.1` to `127.0.0.1:port`, the path sent exactly as given.
pub fn request(port: u16, method: &str, path: &str) -> Response {
    request_for_host(port, method, path, &format!("127.0.0.1:{port}"))
}

/// Like [`request`], with the `Host` header given.
pub fn request_for_host(port: u16, method: &str, path: &str, host: &str) -> Response {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nOrigin: http://{host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    // Read up to the end of the body: by `Content-Length` if given (some servers keep
    // the connection open), else until the server closes it.
    let mut raw = Vec::new();
    let mut chunk = [0; 16 * 1024];
    loop {
        let read = stream.read(&mut chunk).unwrap();
        raw.extend_from_slice(&chunk[..read]);
        let complete = Response::head_end(&raw).is_some_and(|end| {
            let response = Response::parse(&raw);
            let length = response
                .header("content-length")
                .and_then(|l| l.parse().ok());
            method == "HEAD" || length.is_some_and(|length: usize| raw.len() >= end + length)
        });
        if read == 0 || complete {
            return Response::parse(&raw);
        }
    }
}

/// Keeps the lines a child prints; the first `serving … at http://…:PORT/` line sends PORT.
fn collect(
    stream: impl Read + Send + 'static,
    output: Arc<Mutex<Vec<String>>>,
    port: Option<std::sync::mpsc::Sender<u16>>,
) {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { return };
            if let Some(tx) = &port
                && let Some(found) = listening_port(&line)
            {
                let _ = tx.send(found);
            }
            output.lock().unwrap().push(line);
        }
    });
}

fn listening_port(line: &str) -> Option<u16> {
    let rest = line.split("http://127.0.0.1:").nth(1)?;
    rest.split('/').next()?.parse().ok()
}

/// An HTTP response.
#[derive(Debug)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// Header names (lower case) and values.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// Where the body starts, once the head is complete.
    fn head_end(raw: &[u8]) -> Option<usize> {
        raw.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4)
    }

    fn parse(raw: &[u8]) -> Response {
        let split = Self::head_end(raw).expect("a complete response head") - 4;
        let head = std::str::from_utf8(&raw[..split]).unwrap();
        let mut lines = head.split("\r\n");
        let status = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|s| s.parse().ok())
            .expect("a status line");
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        Response {
            status,
            headers,
            body: raw[split + 4..].to_vec(),
        }
    }

    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).unwrap()
    }

    /// The body parsed as HTML.
    pub fn html(&self) -> scraper::Html {
        scraper::Html::parse_document(&self.text())
    }
}

/// The live-reload WebSocket, from the test's side.
pub struct Socket {
    ws: tungstenite::WebSocket<TcpStream>,
}

impl Socket {
    /// The next message, as JSON.
    pub fn next(&mut self) -> serde_json::Value {
        loop {
            match self.ws.read().expect("a message before the timeout") {
                tungstenite::Message::Text(text) => {
                    return serde_json::from_str(&text).expect("messages are JSON");
                }
                tungstenite::Message::Close(_) => panic!("the server closed the socket"),
                _ => {}
            }
        }
    }

    /// Reads messages until one satisfies `wanted`, and returns it.
    pub fn until(&mut self, wanted: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
        let deadline = Instant::now() + PATIENCE;
        loop {
            assert!(Instant::now() < deadline, "no such message in time");
            let message = self.next();
            if wanted(&message) {
                return message;
            }
        }
    }
}

/// True for a reload message that concerns `page` (or every page).
pub fn reloads(message: &serde_json::Value, page: &str) -> bool {
    let action = &message["action"];
    action["kind"] == "reload"
        && (action["pages"].is_null()
            || action["pages"]
                .as_array()
                .is_some_and(|pages| pages.iter().any(|p| p == page)))
}

/// Text of the first element matching `selector`.
pub fn text_of(html: &scraper::Html, selector: &str) -> Option<String> {
    let selector = scraper::Selector::parse(selector).unwrap();
    html.select(&selector)
        .next()
        .map(|e| e.text().collect::<String>())
}

/// Replaces `from` with `to` in a file, in place.
pub fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "`{from}` not in {}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// Polls `check` until it returns `Some`, or panics after [`PATIENCE`].
pub fn eventually<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(value) = check() {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The path of a file inside a book copy.
pub fn at(book: &tempfile::TempDir, path: &str) -> PathBuf {
    book.path().join(path)
}

/// The fixture book `name` under tests/fixtures.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Runs `handbook ARGS...` and returns its output.
pub fn handbook(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_handbook"))
        .args(args)
        .output()
        .expect("handbook runs")
}

/// Builds `book` into `dest`, asserting success; returns stderr (the warnings).
pub fn build(book: &Path, dest: &Path) -> String {
    let out = handbook(&["build", path_str(book), "--dest-dir", path_str(dest)]);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "build failed:\n{stderr}");
    stderr
}

/// `path` as `&str` (test paths are UTF-8).
pub fn path_str(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

/// Parses the HTML file at `path`.
pub fn html(path: &Path) -> scraper::Html {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    scraper::Html::parse_document(&text)
}

/// Every element matching `selector`.
pub fn select<'a>(doc: &'a scraper::Html, selector: &str) -> Vec<scraper::ElementRef<'a>> {
    let selector = scraper::Selector::parse(selector).expect("valid selector");
    doc.select(&selector).collect()
}

/// Text of every element matching `selector`, whitespace collapsed.
pub fn texts(doc: &scraper::Html, selector: &str) -> Vec<String> {
    select(doc, selector)
        .into_iter()
        .map(|e| {
            e.text()
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// The `attr` of every element matching `selector`.
pub fn attrs(doc: &scraper::Html, selector: &str, attr: &str) -> Vec<String> {
    select(doc, selector)
        .into_iter()
        .filter_map(|e| e.value().attr(attr).map(str::to_string))
        .collect()
}
