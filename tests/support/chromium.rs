//! A small Chrome DevTools Protocol client for browser tests: launches real
//! headless Chromium, navigates, evaluates JavaScript, and records every
//! network request and console error the page makes.

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tungstenite::{Message, WebSocket, stream::MaybeTlsStream};

const CHROMIUM: &str = "/usr/bin/chromium";

/// A running headless Chromium with one page attached.
pub struct Browser {
    child: Child,
    socket: WebSocket<MaybeTlsStream<TcpStream>>,
    session: String,
    next_id: u64,
    /// Events received so far (method + params).
    pub events: Vec<(String, Value)>,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts Chromium, or returns `None` (after saying why) when it is not installed
    /// and this is not CI. On CI a missing browser is a failure.
    pub fn launch() -> Option<Browser> {
        if !std::path::Path::new(CHROMIUM).exists() {
            assert!(
                std::env::var_os("CI").is_none(),
                "Chromium is required on CI: apt-get install chromium"
            );
            eprintln!("skipping: {CHROMIUM} is not installed");
            return None;
        }
        let profile = tempfile::tempdir().expect("temp dir");
        let mut child = Command::new(CHROMIUM)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-dev-shm-usage",
                "--remote-debugging-port=0",
                "--window-size=1280,900",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("Chromium starts");
        let stderr = BufReader::new(child.stderr.take().expect("piped stderr"));
        let mut url = None;
        for line in stderr.lines() {
            let line = line.expect("Chromium's stderr is text");
            if let Some(found) = line.strip_prefix("DevTools listening on ") {
                url = Some(found.trim().to_string());
                break;
            }
        }
        let url = url.expect("Chromium printed its DevTools address");
        let (socket, _) = tungstenite::connect(url.as_str()).expect("DevTools WebSocket connects");
        let mut browser = Browser {
            child,
            socket,
            session: String::new(),
            next_id: 0,
            events: Vec::new(),
            _profile: profile,
        };
        let target = browser.call(None, "Target.createTarget", json!({ "url": "about:blank" }));
        let target_id = target["targetId"]
            .as_str()
            .expect("a target id")
            .to_string();
        let attached = browser.call(
            None,
            "Target.attachToTarget",
            json!({ "targetId": target_id, "flatten": true }),
        );
        browser.session = attached["sessionId"]
            .as_str()
            .expect("a session id")
            .to_string();
        for domain in [
            "Page.enable",
            "Runtime.enable",
            "Network.enable",
            "Log.enable",
        ] {
            browser.send(domain, json!({}));
        }
        Some(browser)
    }

    /// Sends a command to the page and returns its result.
    pub fn send(&mut self, method: &str, params: Value) -> Value {
        let session = self.session.clone();
        self.call(Some(&session), method, params)
    }

    fn call(&mut self, session: Option<&str>, method: &str, params: Value) -> Value {
        self.try_call(session, method, params)
            .unwrap_or_else(|reply| panic!("{method} failed: {reply}"))
    }

    /// Sends a command; `Err` holds the reply when the browser reports an error.
    fn try_call(
        &mut self,
        session: Option<&str>,
        method: &str,
        params: Value,
    ) -> Result<Value, Value> {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(session) = session {
            message["sessionId"] = json!(session);
        }
        self.socket
            .send(Message::text(message.to_string()))
            .expect("DevTools accepts the command");
        loop {
            let reply = self.read();
            if reply["id"].as_u64() == Some(id) {
                return match reply.get("error") {
                    Some(_) => Err(reply),
                    None => Ok(reply["result"].clone()),
                };
            }
        }
    }

    fn read(&mut self) -> Value {
        loop {
            let message = self.socket.read().expect("DevTools stays connected");
            let Message::Text(text) = message else {
                continue;
            };
            let value: Value = serde_json::from_str(text.as_str()).expect("DevTools sends JSON");
            if let Some(method) = value["method"].as_str() {
                self.events
                    .push((method.to_string(), value["params"].clone()));
            }
            return value;
        }
    }

    /// Navigates to `url` and waits for its load event.
    pub fn goto(&mut self, url: &str) {
        let seen = self.events.len();
        self.send("Page.navigate", json!({ "url": url }));
        self.wait_for_event("Page.loadEventFired", seen);
    }

    /// Waits (up to 20 s) for an event named `method` received after index `since`.
    pub fn wait_for_event(&mut self, method: &str, since: usize) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !self.events[since..].iter().any(|(m, _)| m == method) {
            assert!(Instant::now() < deadline, "timed out waiting for {method}");
            self.read();
        }
    }

    /// Evaluates `expression` in the page and returns its value.
    pub fn eval(&mut self, expression: &str) -> Value {
        self.try_eval(expression)
            .unwrap_or_else(|| panic!("`{expression}` failed"))
    }

    /// Evaluates `expression`; `None` if it threw or the page was between documents
    /// (a reload in progress), so pollers can simply try again.
    pub fn try_eval(&mut self, expression: &str) -> Option<Value> {
        let session = self.session.clone();
        let params =
            json!({ "expression": expression, "returnByValue": true, "awaitPromise": true });
        let result = self
            .try_call(Some(&session), "Runtime.evaluate", params)
            .ok()?;
        result
            .get("exceptionDetails")
            .is_none()
            .then(|| result["result"]["value"].clone())
    }

    /// Polls `expression` until it is true (up to 20 s).
    pub fn wait_until(&mut self, expression: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.try_eval(expression) != Some(Value::Bool(true)) {
            assert!(
                Instant::now() < deadline,
                "timed out waiting until `{expression}`"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits (up to 20 s) until `expression` is truthy; returns its value.
    pub fn wait_for(&mut self, expression: &str, what: &str) -> Value {
        self.wait_for_within(expression, what, Duration::from_secs(20))
    }

    /// Waits up to `limit` until `expression` is truthy; returns its value.
    pub fn wait_for_within(&mut self, expression: &str, what: &str, limit: Duration) -> Value {
        let deadline = Instant::now() + limit;
        loop {
            let value = self.try_eval(expression).unwrap_or(Value::Null);
            let falsy = [Value::Null, Value::Bool(false), json!(0), json!("")];
            if !falsy.contains(&value) {
                return value;
            }
            assert!(Instant::now() < deadline, "timed out {what}");
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
            "ArrowLeft" => ("ArrowLeft", 37, ""),
            "ArrowRight" => ("ArrowRight", 39, ""),
            "Escape" => ("Escape", 27, ""),
            "/" => ("Slash", 191, "/"),
            "k" => ("KeyK", 75, "k"),
            other => panic!("no key code for {other}"),
        };
        let text = if modifiers == 0 { text } else { "" };
        for kind in ["keyDown", "keyUp"] {
            let text = if kind == "keyDown" { text } else { "" };
            self.send(
                "Input.dispatchKeyEvent",
                json!({ "type": kind, "key": key, "code": code, "windowsVirtualKeyCode": key_code,
                        "text": text, "modifiers": modifiers }),
            );
        }
    }

    /// Types `text` into the focused element.
    pub fn type_text(&mut self, text: &str) {
        self.send("Input.insertText", json!({ "text": text }));
    }

    /// Every URL the page requested so far.
    pub fn requests(&self) -> Vec<String> {
        self.events
            .iter()
            .filter(|(m, _)| m == "Network.requestWillBeSent")
            .filter_map(|(_, p)| p["request"]["url"].as_str().map(str::to_string))
            .collect()
    }

    /// Console errors, uncaught exceptions and browser log errors so far.
    pub fn errors(&self) -> Vec<String> {
        self.events
            .iter()
            .filter_map(|(method, params)| match method.as_str() {
                "Runtime.exceptionThrown" => Some(params["exceptionDetails"].to_string()),
                "Runtime.consoleAPICalled" if params["type"] == "error" => {
                    Some(params["args"].to_string())
                }
                "Log.entryAdded" if params["entry"]["level"] == "error" => {
                    Some(params["entry"].to_string())
                }
                _ => None,
            })
            .collect()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
