//! Regression tests for what probing the tool with hostile and clumsy input
//! found: each test is named for the defect it keeps fixed. Books are made in
//! temporary folders from small chapters, built with the real binary, and the
//! previous site must survive every failed build.

mod support;

use std::path::Path;

use support::*;

/// A book in a temporary folder: `book.toml`, a summary listing `a.md`, and `chapter` as it.
fn book_with(chapter: &str) -> tempfile::TempDir {
    let book = tempfile::tempdir().unwrap();
    std::fs::create_dir(book.path().join("src")).unwrap();
    std::fs::write(book.path().join("book.toml"), "[book]\ntitle = \"T\"\n").unwrap();
    std::fs::write(book.path().join("src/SUMMARY.md"), "- [A](a.md)\n").unwrap();
    std::fs::write(book.path().join("src/a.md"), chapter).unwrap();
    book
}

/// Builds `book` into a fresh folder; returns whether it succeeded, stderr and the folder.
fn try_build(book: &Path) -> (bool, String, tempfile::TempDir) {
    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join("site");
    let result = handbook(&["build", path_str(book), "-d", path_str(&dest)]);
    let stderr = String::from_utf8_lossy(&result.stderr).into_owned();
    (result.status.success(), stderr, out)
}

fn assert_error(book: &Path, wanted: &str) -> String {
    let (ok, stderr, out) = try_build(book);
    assert!(!ok, "the build should fail:\n{stderr}");
    assert!(stderr.contains(wanted), "missing `{wanted}` in\n{stderr}");
    assert!(
        !out.path().join("site").exists(),
        "a failed build writes nothing"
    );
    stderr
}

#[test]
fn absolute_include_paths_are_errors() {
    let book = book_with("# A\n\n```text\n{{#include /etc/passwd}}\n```\n");
    let stderr = assert_error(
        book.path(),
        "src/a.md:3:1: error: `{{#include /etc/passwd}}`: an absolute path cannot be included",
    );
    assert!(!stderr.contains("root:"), "{stderr}");
}

#[test]
fn includes_climbing_out_of_the_sources_are_errors() {
    let book = book_with("# A\n\n```text\n{{#include ../../../../etc/passwd}}\n```\n");
    assert_error(book.path(), "leaves the book's source folder");
}

#[test]
fn symlinks_out_of_the_book_are_errors() {
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.txt");
    std::fs::write(&secret, "top secret\n").unwrap();
    let book = book_with("# A\n\n```text\n{{#include secret.txt}}\n```\n");
    std::os::unix::fs::symlink(&secret, book.path().join("src/secret.txt")).unwrap();
    let stderr = assert_error(
        book.path(),
        "src/a.md:3:1: error: `{{#include secret.txt}}`: it is a link to",
    );
    assert!(!stderr.contains("top secret"));

    // A chapter that is a link out of the book is refused at its summary line.
    std::fs::write(book.path().join("src/a.md"), "# A\n").unwrap();
    std::fs::write(
        book.path().join("src/SUMMARY.md"),
        "- [A](a.md)\n- [S](s.md)\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(&secret, book.path().join("src/s.md")).unwrap();
    assert_error(
        book.path(),
        "src/SUMMARY.md:2:1: error: cannot read `s.md`: it is a link to",
    );

    // A link that stays inside the book is fine.
    std::fs::remove_file(book.path().join("src/s.md")).unwrap();
    std::os::unix::fs::symlink(book.path().join("src/a.md"), book.path().join("src/s.md")).unwrap();
    let (ok, stderr, _out) = try_build(book.path());
    assert!(ok, "{stderr}");
}

#[test]
fn email_autolinks_and_query_only_links_are_valid() {
    let book =
        book_with("# A\n\nWrite to <ada@example.com>, or [search](?q=1), or [jump](?q=1#a).\n");
    let (ok, stderr, out) = try_build(book.path());
    assert!(ok, "{stderr}");
    let page = html(&out.path().join("site/a.html"));
    assert_eq!(
        attrs(&page, "main a[href^='mailto:']", "href"),
        ["mailto:ada@example.com"]
    );
    let broken = book_with("# A\n\n[jump](?q=1#nowhere)\n");
    assert_error(broken.path(), "no heading with id `nowhere`");
}

#[test]
fn an_empty_summary_is_an_error() {
    let book = book_with("# A\n");
    std::fs::write(book.path().join("src/SUMMARY.md"), "# Summary\n").unwrap();
    assert_error(
        book.path(),
        "src/SUMMARY.md: error: the table of contents lists no chapter",
    );
}

#[test]
fn a_summary_nested_too_deep_is_an_error() {
    let book = book_with("# A\n");
    let summary: String = (0..12)
        .map(|depth| format!("{}- [C{depth}](a{depth}.md)\n", "  ".repeat(depth)))
        .collect();
    std::fs::write(book.path().join("src/SUMMARY.md"), summary).unwrap();
    for depth in 0..12 {
        std::fs::write(book.path().join(format!("src/a{depth}.md")), "# C\n").unwrap();
    }
    assert_error(
        book.path(),
        "src/SUMMARY.md:9:17: error: `C8` is nested 9 levels deep; a table of contents may nest at most 8 levels",
    );
}

#[test]
fn nul_bytes_in_a_chapter_are_an_error_at_their_line() {
    let book = book_with("# A\n\nfine\nbad \0 byte\n");
    assert_error(
        book.path(),
        "src/a.md:4:1: error: the chapter contains a NUL byte",
    );
}

#[test]
fn an_unreadable_chapter_is_reported_once() {
    let book = book_with("# A\n\n[b](b.md#one) [b](b.md#two) [b](b.md)\n");
    std::fs::write(
        book.path().join("src/SUMMARY.md"),
        "- [A](a.md)\n- [B](b.md)\n",
    )
    .unwrap();
    std::fs::write(book.path().join("src/b.md"), b"# B\n\xff\xfe not UTF-8\n").unwrap();
    let stderr = assert_error(book.path(), "src/SUMMARY.md:2:1: error: cannot read `b.md`");
    let errors = stderr.lines().filter(|l| l.contains(": error: ")).count();
    assert_eq!(errors, 1, "one cause, one error:\n{stderr}");
}
