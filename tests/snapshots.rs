//! Snapshots of the HTML the fixture books build into, so that any change in
//! output shows up in review as a diff of `tests/snapshots/*.snap`. Content
//! hashes in asset names are replaced by `HASH`, so a stylesheet edit does not
//! change every page's snapshot. After an intended
//! change: `INSTA_UPDATE=always cargo test --release --test snapshots`, then
//! review the diff.

mod support;

use std::path::Path;

use support::*;

/// Every HTML file of the site, by path, in path order.
fn html_files(site: &Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = walk(site)
        .into_iter()
        .filter(|path| path.extension().is_some_and(|e| e == "html"))
        .map(|path| {
            let relative = path
                .strip_prefix(site)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (relative, std::fs::read_to_string(&path).unwrap())
        })
        .collect();
    files.sort();
    files
}

/// `assets/main-3f2a9c01de.css` → `assets/main-HASH.css`, and the stylesheet that
/// `404.html` carries inline → `<style>…</style>`: a content hash, or the CSS, is not
/// what a reviewer of a page needs to see change.
fn normalize(html: &str) -> String {
    let html = match (html.find("<style>"), html.find("</style>")) {
        (Some(start), Some(end)) if start < end => {
            format!("{}<style>…{}", &html[..start], &html[end..])
        }
        _ => html.to_string(),
    };
    let mut out = String::with_capacity(html.len());
    let mut rest = html.as_str();
    while let Some(at) = rest.find('-') {
        let (before, after) = rest.split_at(at);
        out.push_str(before);
        let hex = after[1..].bytes().take_while(u8::is_ascii_hexdigit).count();
        let next = after.as_bytes().get(1 + hex);
        if hex >= 10 && next == Some(&b'.') {
            out.push_str("-HASH");
            rest = &after[1 + hex..];
        } else {
            out.push('-');
            rest = &after[1..];
        }
    }
    out.push_str(rest);
    out
}

fn snapshot_book(name: &str) {
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    build(&fixture(name), &site);
    let files = html_files(&site);
    assert!(!files.is_empty(), "{name} builds HTML");
    for (path, html) in files {
        let snapshot = format!("{name}__{}", path.replace('/', "__"));
        insta::assert_snapshot!(snapshot, normalize(&html));
    }
}

#[test]
fn normalize_replaces_content_hashes_only() {
    assert_eq!(
        normalize(
            "<link href=\"assets/main-3f2a9c01de.css\"> a-b 12-0123456789abcdef <style>.a{}</style>"
        ),
        "<link href=\"assets/main-HASH.css\"> a-b 12-0123456789abcdef <style>…</style>"
    );
}

#[test]
fn basic_book_html() {
    snapshot_book("basic");
}

#[test]
fn theme_override_book_html() {
    snapshot_book("theme-override");
}

#[test]
fn examples_book_html() {
    snapshot_book("examples-pass");
}

#[test]
fn serve_book_html() {
    snapshot_book("serve-book");
}
