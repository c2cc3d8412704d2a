//! The search box in real headless Chromium, from `file://` (the offline
//! bundle) and over HTTP: `/` and Ctrl-K open it, results come as you type,
//! ↑/↓/Enter choose one, the target page lands on the section with the
//! searched words highlighted, and indexed markup stays text.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};

use serde_json::Value;
use support::chromium::Browser as Page;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/search")
}

fn build(dest: &Path) {
    handbook::pipeline::build(&fixture(), handbook::output::Destination::Folder(Some(dest.to_path_buf())), &mut |d| panic!("{d}")).unwrap();
}

/// Serves `root` over HTTP on a free port, from a thread that lives as long as the test.
fn serve(root: PathBuf) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let root = root.clone();
            std::thread::spawn(move || {
                let mut request = String::new();
                let mut reader = BufReader::new(&stream);
                if reader.read_line(&mut request).is_err() {
                    return;
                }
                let path = request.split(' ').nth(1).unwrap_or("/");
                let path = path.split(['?', '#']).next().unwrap_or("/");
                let file = root.join(path.trim_start_matches('/'));
                let (status, body) = match std::fs::read(&file) {
                    Ok(body) => ("200 OK", body),
                    Err(_) => ("404 Not Found", Vec::new()),
                };
                let kind = match file.extension().and_then(|e| e.to_str()) {
                    Some("html") => "text/html; charset=utf-8",
                    Some("js") => "text/javascript; charset=utf-8",
                    Some("css") => "text/css; charset=utf-8",
                    _ => "application/octet-stream",
                };
                let mut stream = &stream;
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(&body);
            });
        }
    });
    format!("http://{address}/")
}

fn results(page: &mut Page) -> Vec<(String, String)> {
    let value = page.eval(
        "Array.from(document.querySelectorAll('.search-result'), a => [a.querySelector('.search-crumb').textContent, a.href])",
    );
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r[0].as_str().unwrap().into(), r[1].as_str().unwrap().into()))
        .collect()
}

fn wait_for_results(page: &mut Page, first: &str) {
    page.wait_for(
        &format!(
            "(document.querySelector('.search-result .search-crumb') || {{}}).textContent === {first:?}"
        ),
        &format!("for the first result to be {first:?}"),
    );
}

/// Everything a reader does, from a site at `base` (ends with `/`).
fn search_the_site(page: &mut Page, base: &str) {
    // Typing a query and pressing Enter lands on the section, words highlighted.
    page.goto(&format!("{base}index.html"));
    assert_eq!(
        page.eval("document.querySelectorAll('script[src*=\"search\"]').length"),
        0,
        "the search client loads only when the box is used"
    );
    page.press("/", 0);
    page.wait_for(
        "document.activeElement.classList.contains('search-input')",
        "for `/` to focus the search box",
    );
    page.wait_for("window.handbookSearch", "for the search client to load");
    page.type_text("late bind");
    wait_for_results(page, "Closures › Late binding");
    let (_, href) = results(page).remove(0);
    assert!(
        href.starts_with(&format!("{base}guide/closures.html?highlight="))
            && href.ends_with("#late-binding"),
        "{href}"
    );
    assert!(
        page.eval("document.querySelector('.search-result mark').textContent")
            .as_str()
            .is_some_and(|m| ["late", "binding"].contains(&m.to_lowercase().as_str())),
        "the snippet marks the matched words"
    );
    page.press("Enter", 0);
    page.wait_for(
        "location.pathname.endsWith('/guide/closures.html') && location.hash === '#late-binding' && document.readyState === 'complete'",
        "for Enter to open the result",
    );
    let marked = page.wait_for(
        "Array.from(document.querySelectorAll('mark.search-highlight'), m => m.textContent.toLowerCase()).join(' ')",
        "for the searched words to be highlighted",
    );
    let marked = marked.as_str().unwrap();
    assert!(
        marked.contains("late") && marked.contains("binding"),
        "{marked}"
    );
    assert_eq!(
        page.eval(
            "(r => r.top >= 0 && r.bottom <= innerHeight)(document.getElementById('late-binding').getBoundingClientRect())"
        ),
        true,
        "the section's heading is in view"
    );

    // Ctrl-K opens the box; ↓ then Enter opens the second result.
    page.goto(&format!("{base}guide/markup.html"));
    page.press("k", 2);
    page.wait_for(
        "document.activeElement.classList.contains('search-input')",
        "for Ctrl-K to focus the search box",
    );
    page.type_text("closure");
    wait_for_results(page, "Closures");
    let second = results(page).remove(1).1;
    page.press("ArrowDown", 0);
    assert_eq!(
        page.eval("document.querySelector('.search-result[aria-selected=true]').href"),
        Value::from(second.clone())
    );
    page.press("Enter", 0);
    page.wait_for(
        &format!("location.href === {second:?} && document.readyState === 'complete'"),
        "for Enter to open the second result",
    );

    // Indexed markup is shown as text and never runs, in results or on the target page.
    page.goto(&format!("{base}index.html"));
    page.press("/", 0);
    page.wait_for("window.handbookSearch", "for the search client to load");
    page.type_text("script onerror");
    wait_for_results(page, "Markup in text › The <script> tag");
    let snippet = page.eval("document.querySelector('.search-snippet').textContent");
    assert!(
        snippet
            .as_str()
            .unwrap()
            .contains("<script>window.__pwned = 1</script>"),
        "{snippet}"
    );
    assert_eq!(
        page.eval(
            "document.querySelectorAll('.search-results script, .search-results img').length"
        ),
        0
    );
    page.press("Enter", 0);
    page.wait_for(
        "location.hash === '#the-script-tag' && document.querySelector('mark.search-highlight')",
        "for the result to open with highlights",
    );
    assert_eq!(page.eval("String(window.__pwned)"), "undefined");
}

#[test]
fn search_works_from_disk_and_over_http() {
    let Some(mut page) = Page::launch() else {
        return;
    };
    let site = tempfile::tempdir().unwrap();
    let dest = site.path().join("book");
    build(&dest);
    let file_base = format!("file://{}/", dest.display());
    search_the_site(&mut page, &file_base);
    let http_base = serve(dest.clone());
    search_the_site(&mut page, &http_base);
}
