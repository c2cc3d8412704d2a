//! `handbook serve` in a real browser: headless Chromium opens a page, the
//! test edits the book, and reads the page's DOM over the DevTools protocol
//! to see it follow by itself: a reload keeping the scroll position, a
//! stylesheet swapped without reloading, the error overlay coming and going.
//!
//! Needs `/usr/bin/chromium` (or `$CHROMIUM`). Without it the test fails when
//! `CI` is set, and is skipped with a note otherwise.

mod support;

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};
use support::{PATIENCE, Server, at, edit, eventually, fixture_copy};

#[test]
fn the_open_page_follows_edits_without_manual_reload() {
    let Some(chromium) = chromium() else { return };
    let book = fixture_copy("serve-book");
    let server = Server::start(book.path());
    let mut page = Page::open(
        &chromium,
        &format!("{}/guide/basics.html", server.base_url()),
    );
    let basics = at(&book, "src/guide/basics.md");

    page.wait_for(
        "the live connection",
        "document.documentElement.dataset.handbookLive",
        json!("connected"),
    );
    page.eval("window.scrollTo(0, 400); window.marker = 'before the edit';");
    assert_eq!(page.eval("window.scrollY"), json!(400));

    // A chapter edit: the page reloads by itself, at the same scroll position.
    edit(&basics, "Original text.", "Edited while open.");
    page.wait_for(
        "the edited text",
        "document.getElementById('edited') && document.getElementById('edited').textContent",
        json!("Edited while open."),
    );
    assert_eq!(
        page.eval("window.marker === undefined"),
        json!(true),
        "reloaded"
    );
    page.wait_for("the scroll position", "window.scrollY", json!(400));

    // A stylesheet edit: swapped in place, no reload.
    page.wait_for(
        "the live connection",
        "document.documentElement.dataset.handbookLive",
        json!("connected"),
    );
    page.eval("window.marker = 'kept';");
    let colour = "getComputedStyle(document.querySelector('main h1')).color";
    assert_eq!(page.eval(colour), json!("rgb(10, 20, 30)"));
    std::fs::write(
        at(&book, "theme/css/extra.css"),
        ".content h1 { color: rgb(200, 0, 0); }\n",
    )
    .unwrap();
    page.wait_for("the new colour", colour, json!("rgb(200, 0, 0)"));
    assert_eq!(page.eval("window.marker"), json!("kept"), "not reloaded");

    // A broken link: the overlay names file:line, and goes once fixed.
    let overlay = "(document.getElementById('handbook-serve-errors') || {}).textContent || ''";
    edit(
        &basics,
        "See [more](more.md#details)",
        "See [more](nowhere.md)",
    );
    let text = eventually("the error overlay", || {
        let text = page.eval(overlay);
        text.as_str()
            .filter(|t| t.contains("src/guide/basics.md:5:5"))
            .map(str::to_string)
    });
    assert!(text.contains("broken link `nowhere.md`"), "{text}");
    assert_eq!(
        page.eval("document.getElementById('edited').textContent"),
        json!("Edited while open."),
        "the last good page stays"
    );
    edit(
        &basics,
        "See [more](nowhere.md)",
        "See [more](more.md#details)",
    );
    page.wait_for("the overlay to go", overlay, json!(""));
}

/// The Chromium binary, or `None` (with a note) when it is missing outside CI.
fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    if path.exists() {
        return Some(path);
    }
    if std::env::var_os("CI").is_some() {
        panic!(
            "Chromium is required in CI: not found at {}",
            path.display()
        );
    }
    eprintln!(
        "note: skipping the browser test: no Chromium at {} (set CHROMIUM)",
        path.display()
    );
    None
}

/// A headless Chromium showing one page, driven over the DevTools protocol.
struct Page {
    _browser: Browser,
    _profile: tempfile::TempDir,
    devtools: tungstenite::WebSocket<TcpStream>,
    next_id: u64,
}

impl Page {
    fn open(chromium: &PathBuf, url: &str) -> Page {
        let profile = tempfile::tempdir().unwrap();
        let browser = Command::new(chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--window-size=1000,700",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg(url)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start Chromium");
        // Killed even if the rest of this setup fails.
        let browser = Browser(browser);
        // Chromium writes the port it chose into the profile.
        let port: u16 = eventually("Chromium's DevTools port", || {
            let text = std::fs::read_to_string(profile.path().join("DevToolsActivePort")).ok()?;
            text.lines().next()?.trim().parse().ok()
        });
        let socket_url = eventually("the page's DevTools target", || {
            let list: Value =
                serde_json::from_slice(&support::request(port, "GET", "/json/list").body).ok()?;
            list.as_array()?
                .iter()
                .find(|t| t["type"] == "page" && t["url"] == url)
                .and_then(|t| t["webSocketDebuggerUrl"].as_str())
                .map(str::to_string)
        });
        let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream.set_read_timeout(Some(PATIENCE)).unwrap();
        let (devtools, _) = tungstenite::client(socket_url.as_str(), stream).unwrap();
        Page {
            _browser: browser,
            _profile: profile,
            devtools,
            next_id: 0,
        }
    }

    /// Evaluates `expression` in the page; `null` while the page is between documents.
    fn eval(&mut self, expression: &str) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let call = json!({
            "id": id,
            "method": "Runtime.evaluate",
            "params": { "expression": expression, "returnByValue": true },
        });
        self.devtools.send(call.to_string().into()).unwrap();
        loop {
            let tungstenite::Message::Text(text) = self.devtools.read().unwrap() else {
                continue;
            };
            let reply: Value = serde_json::from_str(&text).unwrap();
            if reply["id"] == id {
                return reply["result"]["result"]["value"].clone();
            }
        }
    }

    /// Polls `expression` until it evaluates to `expected`.
    fn wait_for(&mut self, what: &str, expression: &str, expected: Value) {
        eventually(what, || (self.eval(expression) == expected).then_some(()));
    }
}

impl Drop for Page {
    fn drop(&mut self) {
        // A clean exit takes Chromium's helper processes with it.
        let close = json!({ "id": 0, "method": "Browser.close" });
        let _ = self.devtools.send(close.to_string().into());
    }
}

/// The browser process: given a moment to exit, then killed.
struct Browser(Child);

impl Drop for Browser {
    fn drop(&mut self) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while std::time::Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
