//! Regression tests for what probing the tool with hostile and clumsy input
//! found: each test is named for the defect it keeps fixed. Books are made in
//! temporary folders from small chapters, built with the real binary, and the
//! previous site must survive every failed build.

mod support;

use std::path::Path;

use support::*;

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
fn includes_climbing_out_of_the_book_root_are_errors() {
    // mdBook's rule: includes may reach anywhere inside the book's root (the folder with
    // book.toml), in code blocks and in prose alike; one step further is an error.
    let book = book_with("# A\n\n```text\n{{#include ../../../../etc/passwd}}\n```\n");
    assert_error(
        book.path(),
        "src/a.md:3:1: error: `{{#include ../../../../etc/passwd}}`: `../../../../etc/passwd` leaves the book's folder",
    );
    let book = book_with("# A\n\n{{#include ../../secret.md}}\n");
    let stderr = assert_error(
        book.path(),
        "src/a.md:3:1: error: `{{#include ../../secret.md}}`: `../../secret.md` leaves the book's folder",
    );
    assert_eq!(stderr.matches("error:").count(), 2, "{stderr}");
    let book = book_with("# A\n\n{{#include ../listing.txt}}\n");
    std::fs::write(book.path().join("listing.txt"), "inside the root\n").unwrap();
    let (ok, stderr, _out) = try_build(book.path());
    assert!(ok, "{stderr}");
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

#[test]
fn active_content_is_an_error_unless_the_book_allows_it() {
    let chapter = "# A\n\n<p onclick=\"steal()\">hi</p>\n\n<script>alert(1)</script>\n\n[run](javascript:alert(1)) ![x](data:image/svg+xml,<svg/onload=alert(1)>)\n\n<a href=\" JaVaScript:alert(1)\">raw</a>\n\n<details><summary>More</summary><kbd>Ctrl</kbd></details>\n";
    let book = book_with(chapter);
    let stderr = assert_error(
        book.path(),
        "src/a.md:3:4: error: the event attribute `onclick` of <p> would run script",
    );
    for wanted in [
        "src/a.md:5:1: error: a <script> element would run script",
        "src/a.md:7:1: error: link `javascript:alert(1)` uses `javascript:`",
        "image `data:image/svg+xml,<svg/onload=alert(1)>` uses `data:`",
        "src/a.md:9:10: error: link `JaVaScript:alert(1)` uses `javascript:`",
    ] {
        assert!(stderr.contains(wanted), "missing `{wanted}` in\n{stderr}");
    }
    assert!(
        !stderr.contains("details") && !stderr.contains("kbd"),
        "{stderr}"
    );
    std::fs::write(
        book.path().join("book.toml"),
        "[book]\ntitle = \"T\"\n[output.html]\nallow-active-content = true\n",
    )
    .unwrap();
    let (ok, stderr, out) = try_build(book.path());
    assert!(ok, "{stderr}");
    let page = std::fs::read_to_string(out.path().join("site/a.html")).unwrap();
    assert!(page.contains("<script>alert(1)</script>"));
}

#[test]
fn a_huge_code_block_is_shown_plain_with_a_warning() {
    let chapter = format!(
        "# A\n\n```python\n{}",
        "x = 1 + 2  # filler\n".repeat(20_000)
    );
    let book = book_with(&chapter);
    let start = std::time::Instant::now();
    let (ok, stderr, out) = try_build(book.path());
    assert!(ok, "{stderr}");
    assert!(
        stderr.contains("src/a.md:3:1: warning: this code block holds 390 KiB, more than the 256 KiB that are highlighted"),
        "{stderr}"
    );
    let page = std::fs::read_to_string(out.path().join("site/a.html")).unwrap();
    let code = scraper::Html::parse_document(&page);
    let spans = scraper::Selector::parse("pre code span").unwrap();
    assert_eq!(code.select(&spans).count(), 0, "shown without colours");
    assert!(page.contains("x = 1 + 2"));
    eprintln!("built a 390 KiB block in {:?}", start.elapsed());
}

#[test]
fn a_destination_that_is_a_file_is_refused_before_anything_is_touched() {
    let book = book_with("# A\n");
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("notes.txt");
    std::fs::write(&file, "my notes\n").unwrap();
    let result = handbook(&["build", path_str(book.path()), "-d", path_str(&file)]);
    assert!(!result.status.success());
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(stderr.contains("exists and is not a folder"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "my notes\n");
    let names: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(names, ["notes.txt"], "nothing was moved aside");
}

#[test]
fn footnote_syntax_inside_a_code_block_is_not_a_link_target() {
    let book = book_with(
        "# A\n\n[real](#real) [fake](#fake)\n\n```python\nx = \"[^fake]\"\n```\n\nText[^real].\n\n[^real]: A note.\n",
    );
    let stderr = assert_error(book.path(), "a.md:3:15: error: broken link `#fake`");
    assert!(
        !stderr.contains("#real"),
        "a defined footnote is a target:\n{stderr}"
    );
}
