//! `handbook serve` in a real browser: headless Chromium opens a page, the
//! test edits the book, and reads the page's DOM over the DevTools protocol
//! to see it follow by itself: a reload keeping the scroll position, a
//! stylesheet swapped without reloading, the error overlay coming and going.
//!
//! Needs `/usr/bin/chromium`. Without it the test fails when `CI` is set, and
//! is skipped with a note otherwise.

mod support;

use serde_json::{Value, json};
use support::chromium::Browser;
use support::{Server, at, edit, eventually, fixture_copy};

/// Polls `expression` in the page until it evaluates to `expected`.
fn wait_for(page: &mut Browser, what: &str, expression: &str, expected: Value) {
    eventually(what, || {
        (page.try_eval(expression) == Some(expected.clone())).then_some(())
    });
}

#[test]
fn the_open_page_follows_edits_without_manual_reload() {
    let Some(mut page) = Browser::launch() else {
        return;
    };
    let book = fixture_copy("serve-book");
    let server = Server::start(book.path());
    page.goto(&format!("{}/guide/basics.html", server.base_url()));
    let basics = at(&book, "src/guide/basics.md");

    wait_for(
        &mut page,
        "the live connection",
        "document.documentElement.dataset.handbookLive",
        json!("connected"),
    );
    page.eval("window.scrollTo(0, 400); window.marker = 'before the edit';");
    assert_eq!(page.eval("window.scrollY"), json!(400));

    // A chapter edit: the page reloads by itself, at the same scroll position.
    edit(&basics, "Original text.", "Edited while open.");
    wait_for(
        &mut page,
        "the edited text",
        "document.getElementById('edited') && document.getElementById('edited').textContent",
        json!("Edited while open."),
    );
    wait_for(
        &mut page,
        "the reload",
        "window.marker === undefined",
        json!(true),
    );
    wait_for(
        &mut page,
        "the scroll position",
        "window.scrollY",
        json!(400),
    );

    // A stylesheet edit: swapped in place, no reload.
    wait_for(
        &mut page,
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
    wait_for(&mut page, "the new colour", colour, json!("rgb(200, 0, 0)"));
    assert_eq!(page.eval("window.marker"), json!("kept"), "not reloaded");

    // A broken link: the overlay names file:line, and goes once fixed.
    let overlay = "(document.getElementById('handbook-serve-errors') || {}).textContent || ''";
    edit(
        &basics,
        "See [more](more.md#details)",
        "See [more](nowhere.md)",
    );
    let text = eventually("the error overlay", || {
        let text = page.try_eval(overlay)?;
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
    wait_for(&mut page, "the overlay to go", overlay, json!(""));
}
