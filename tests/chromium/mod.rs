//! A small driver for real headless Chromium over the DevTools protocol
//! (one WebSocket, flattened target sessions), for tests that need a browser.
//! Chromium missing is a failure when `CI` is set, and a printed skip otherwise.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

const TIMEOUT: Duration = Duration::from_secs(20);

/// A running headless Chromium, killed on drop.
pub struct Chromium {
    child: Child,
    _profile: tempfile::TempDir,
    socket: WebSocket<MaybeTlsStream<TcpStream>>,
    next_id: u64,
}

fn executable() -> Option<PathBuf> {
    [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.exists())
}

impl Chromium {
    /// Starts Chromium, or returns `None` (after printing why) when it is not installed and
    /// `CI` is not set.
    pub fn launch() -> Option<Chromium> {
        let Some(exe) = executable() else {
            if std::env::var_os("CI").is_some() {
                panic!("Chromium is not installed (looked for /usr/bin/chromium); CI needs it");
            }
            eprintln!("note: Chromium is not installed; skipping the browser test");
            return None;
        };
        let profile = tempfile::tempdir().unwrap();
        let child = Command::new(exe)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--remote-debugging-port=0",
                "--window-size=1280,900",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting Chromium");
        let url = devtools_url(profile.path());
        let (socket, _) = tungstenite::connect(url).expect("connecting to Chromium's DevTools");
        if let MaybeTlsStream::Plain(stream) = socket.get_ref() {
            stream.set_read_timeout(Some(TIMEOUT)).unwrap();
        }
        Some(Chromium {
            child,
            _profile: profile,
            socket,
            next_id: 0,
        })
    }

    /// Opens a new tab and returns its session.
    pub fn new_page(&mut self) -> Page<'_> {
        let target = self.call(None, "Target.createTarget", json!({"url": "about:blank"}));
        let attached = self.call(
            None,
            "Target.attachToTarget",
            json!({"targetId": target["targetId"], "flatten": true}),
        );
        let session = attached["sessionId"].as_str().unwrap().to_string();
        let mut page = Page {
            browser: self,
            session,
        };
        page.call("Page.enable", json!({}));
        page.call("Runtime.enable", json!({}));
        page
    }

    fn call(&mut self, session: Option<&str>, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({"id": id, "method": method, "params": params});
        if let Some(session) = session {
            message["sessionId"] = session.into();
        }
        self.socket
            .send(Message::text(message.to_string()))
            .expect("sending to Chromium");
        loop {
            let reply = self.socket.read().expect("reading from Chromium");
            let Message::Text(text) = reply else { continue };
            let value: Value = serde_json::from_str(&text).unwrap();
            if value["id"] == id {
                assert!(value["error"].is_null(), "{method}: {}", value["error"]);
                return value["result"].clone();
            }
        }
    }
}

impl Drop for Chromium {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Chromium writes its port and browser path to `DevToolsActivePort` once it listens.
fn devtools_url(profile: &Path) -> String {
    let file = profile.join("DevToolsActivePort");
    let start = Instant::now();
    loop {
        if let Ok(text) = std::fs::read_to_string(&file) {
            let mut lines = text.lines();
            if let (Some(port), Some(path)) = (lines.next(), lines.next()) {
                return format!("ws://127.0.0.1:{port}{path}");
            }
        }
        assert!(start.elapsed() < TIMEOUT, "Chromium did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// One tab.
pub struct Page<'a> {
    browser: &'a mut Chromium,
    session: String,
}

impl Page<'_> {
    /// Sends a DevTools command to this tab.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        let session = self.session.clone();
        self.browser.call(Some(&session), method, params)
    }

    /// Loads `url` and waits until the page has loaded.
    pub fn navigate(&mut self, url: &str) {
        self.call("Page.navigate", json!({"url": url}));
        self.wait_for(
            &format!("location.href.startsWith({url:?}) && document.readyState === 'complete'"),
            &format!("loading {url}"),
        );
    }

    /// Evaluates `expression` (awaiting a promise) and returns its value.
    pub fn eval(&mut self, expression: &str) -> Value {
        let result = self.call(
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true, "awaitPromise": true}),
        );
        assert!(
            result["exceptionDetails"].is_null(),
            "{expression}: {}",
            result["exceptionDetails"]
        );
        result["result"]["value"].clone()
    }

    /// Waits until `expression` is truthy; returns its value.
    pub fn wait_for(&mut self, expression: &str, what: &str) -> Value {
        let start = Instant::now();
        loop {
            let result = self.call(
                "Runtime.evaluate",
                json!({"expression": expression, "returnByValue": true}),
            );
            let value = &result["result"]["value"];
            if result["exceptionDetails"].is_null()
                && !value.is_null()
                && value != &json!(false)
                && value != &json!(0)
                && value != &json!("")
            {
                return value.clone();
            }
            assert!(start.elapsed() < TIMEOUT, "timed out {what}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Presses a key: `key` as in `KeyboardEvent.key`, with DevTools modifier bits
    /// (2 = Ctrl).
    pub fn press(&mut self, key: &str, modifiers: u32) {
        let (code, key_code, text) = match key {
            "Enter" => ("Enter", 13, "\r"),
            "ArrowDown" => ("ArrowDown", 40, ""),
            "ArrowUp" => ("ArrowUp", 38, ""),
            "Escape" => ("Escape", 27, ""),
            "/" => ("Slash", 191, "/"),
            "k" => ("KeyK", 75, "k"),
            other => panic!("no key code for {other}"),
        };
        let text = if modifiers == 0 { text } else { "" };
        for kind in ["keyDown", "keyUp"] {
            self.call(
                "Input.dispatchKeyEvent",
                json!({"type": kind, "key": key, "code": code, "windowsVirtualKeyCode": key_code,
                       "text": if kind == "keyDown" { text } else { "" }, "modifiers": modifiers}),
            );
        }
    }

    /// Types `text` into the focused element.
    pub fn type_text(&mut self, text: &str) {
        self.call("Input.insertText", json!({"text": text}));
    }
}
