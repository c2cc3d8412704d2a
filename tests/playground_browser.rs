//! The Run buttons in real headless Chromium, from `file://` (the offline
//! bundle) and over HTTP (`handbook serve`), on the `playground` fixture
//! book: a verified example runs and shows the book's output, an edit runs
//! and shows its own, an infinite loop is stopped with Stop (and the next Run
//! starts Python again), a session's block runs after the blocks before it, a
//! page without a click loads nothing of the runtime, an example the runtime
//! could not run has no button, and nothing is requested outside the site.

mod support;

use std::path::Path;
use std::time::Duration;

use support::chromium::Browser;

/// Python starts in a few seconds; a loaded 2-core machine may need more.
const START: Duration = Duration::from_secs(90);

fn fixture() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/playground")
}

/// An expression for the block whose code contains `text` now (it stays that block
/// when its code is edited).
fn block(page: &mut Browser, text: &str) -> String {
    let index = page.eval(&format!(
        "Array.from(document.querySelectorAll('.code-block')).findIndex(b => b.querySelector('code').textContent.includes({text:?}))"
    ));
    assert_ne!(index, -1, "no block shows {text:?}");
    format!("document.querySelectorAll('.code-block')[{index}]")
}

/// Waits until the block's run has finished; returns its output and status.
fn finished(page: &mut Browser, block: &str) -> (String, String) {
    let value = page.wait_for_within(
        &format!(
            "(() => {{ const b = {block}; const s = b.querySelector('.run-status'); return s && s.dataset.kind && [b.querySelector('.run-output pre').innerText, s.textContent]; }})()"
        ),
        "for the run to finish",
        START,
    );
    (
        value[0].as_str().unwrap().to_string(),
        value[1].as_str().unwrap().to_string(),
    )
}

fn click(page: &mut Browser, block: &str, button: &str) {
    page.eval(&format!("{block}.querySelector({button:?}).click()"));
}

/// Replaces the code of `block` as a reader would: select it all, type, Ctrl+Enter.
fn edit_and_run(page: &mut Browser, block: &str, code: &str) {
    page.eval(&format!(
        "(() => {{ const c = {block}.querySelector('code'); c.focus(); const r = document.createRange(); r.selectNodeContents(c); const s = getSelection(); s.removeAllRanges(); s.addRange(r); }})()"
    ));
    page.type_text(code);
    page.press("Enter", 2);
}

fn runtime_requests(page: &Browser) -> Vec<String> {
    page.requests()
        .into_iter()
        .filter(|url| url.contains("/pyodide-") || url.contains("/playground-"))
        .collect()
}

fn check_site(base: &str) {
    let Some(mut page) = Browser::launch() else {
        return;
    };
    page.goto(&format!("{base}quiet.html"));
    assert_eq!(
        page.eval("document.querySelectorAll('.run-button').length"),
        0
    );
    page.goto(&format!("{base}runs.html"));
    // The script, the session, both blocks of the `notes` session; not the thread
    // example (it fails in the runtime) nor the terminal session.
    assert_eq!(
        page.eval("document.querySelectorAll('.run-button').length"),
        4
    );
    let threads = block(&mut page, "threading");
    assert_eq!(
        page.eval(&format!("{threads}.dataset.run || null")),
        serde_json::Value::Null
    );
    assert!(
        runtime_requests(&page).is_empty(),
        "nothing of the runtime loads before a click: {:?}",
        runtime_requests(&page)
    );

    let script = block(&mut page, "total = sum");
    click(&mut page, &script, ".run-button");
    let (output, status) = finished(&mut page, &script);
    assert_eq!(output.trim_end(), "total = 45", "the hidden line ran too");
    assert!(status.contains("Same output as the book"), "{status}");
    assert!(!runtime_requests(&page).is_empty());

    edit_and_run(&mut page, &script, "print('edited', 6 * 7)");
    let (output, status) = finished(&mut page, &script);
    assert_eq!(output.trim_end(), "edited 42");
    assert!(status.contains("differs from the book's"), "{status}");

    edit_and_run(&mut page, &script, "while True: pass");
    page.wait_for(
        &format!("{script}.querySelector('.run-status').textContent === 'Running…'"),
        "for the loop to run",
    );
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        page.eval(&format!(
            "{script}.querySelector('.run-button').textContent"
        )),
        "Stop"
    );
    click(&mut page, &script, ".run-button");
    let (_, status) = finished(&mut page, &script);
    assert!(status.starts_with("Stopped"), "{status}");
    assert_eq!(
        page.eval("document.title.length > 0"),
        true,
        "the page still answers"
    );

    click(&mut page, &script, ".run-reset");
    click(&mut page, &script, ".run-button");
    let (output, _) = finished(&mut page, &script);
    assert_eq!(
        output.trim_end(),
        "total = 45",
        "Reset put the book's code back"
    );

    let session = block(&mut page, "sorted(words)");
    click(&mut page, &session, ".run-button");
    let (output, status) = finished(&mut page, &session);
    assert!(
        output.contains(">>> sorted(words)\n['fig', 'pear']"),
        "{output}"
    );
    assert!(status.contains("Same output as the book"), "{status}");

    let reader = block(&mut page, "read_text()");
    click(&mut page, &reader, ".run-button");
    let (output, status) = finished(&mut page, &reader);
    assert_eq!(output.trim_end(), "kept", "the block before it ran first");
    assert!(status.contains("Same output as the book"), "{status}");

    let code = "print(input('name? '))";
    edit_and_run(&mut page, &script, code);
    let (output, _) = finished(&mut page, &script);
    assert!(output.contains("input() cannot ask you here"), "{output}");

    // A server's 404 for the browser's own favicon request is not the page's error.
    let errors: Vec<String> = page
        .errors()
        .into_iter()
        .filter(|e| !e.contains("/favicon.ico"))
        .collect();
    assert_eq!(errors, Vec::<String>::new());
    let outside: Vec<String> = page
        .requests()
        .into_iter()
        .filter(|url| !url.starts_with(base) && !url.starts_with("blob:"))
        .collect();
    assert!(outside.is_empty(), "requests outside the site: {outside:?}");
}

#[test]
fn run_buttons_work_from_file_urls() {
    let dest = tempfile::tempdir().unwrap();
    support::build(&fixture(), dest.path());
    let base = format!("file://{}/", dest.path().display());
    check_site(&base);
}

#[test]
fn run_buttons_work_over_http_in_serve() {
    let server = support::Server::start(&fixture());
    check_site(&format!("{}/", server.base_url()));
}
