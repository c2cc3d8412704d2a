//! The verification record of the Run buttons, with real Node and the pinned
//! Pyodide: `handbook test` writes it, the build shows a button only where the
//! current code is in it (an edited example loses its button until tested
//! again), CI fails on a stale record without touching it, and a book without
//! verified examples (or with the buttons turned off) gets none of the runtime.

mod support;

use std::path::Path;
use std::process::{Command, Output};

use support::{copy_dir, fixture, html, select};

const RECORD: &str = "src/playground-verified.txt";

fn book_copy() -> tempfile::TempDir {
    let book = tempfile::tempdir().unwrap();
    copy_dir(&fixture("playground"), book.path());
    book
}

fn handbook_test(book: &Path, ci: bool) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_handbook"));
    command.args(["test", "--book"]).arg(book).env_remove("CI");
    if ci {
        command.env("CI", "true");
    }
    command.output().unwrap()
}

/// The code of every block with a Run button on the page `name` built from `book`.
fn runnable(book: &Path, name: &str) -> Vec<String> {
    let dest = tempfile::tempdir().unwrap();
    support::build(book, dest.path());
    let page = html(&dest.path().join(name));
    select(&page, ".code-block[data-run] code")
        .iter()
        .map(|code| code.text().collect())
        .collect()
}

#[test]
fn handbook_test_writes_the_record_the_fixture_commits() {
    let book = book_copy();
    std::fs::remove_file(book.path().join(RECORD)).unwrap();
    let run = handbook_test(book.path(), false);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{stdout}");
    assert!(
        stdout.contains("4 of 5 Python blocks run give the book's output"),
        "{stdout}"
    );
    assert!(
        stdout.contains("1 × RuntimeError: can't start new thread"),
        "{stdout}"
    );
    let written = std::fs::read_to_string(book.path().join(RECORD)).unwrap();
    let committed = std::fs::read_to_string(fixture("playground").join(RECORD)).unwrap();
    assert_eq!(written, committed, "the fixture's record is up to date");
}

#[test]
fn an_edited_example_loses_its_button_and_ci_fails_until_the_record_is_updated() {
    let book = book_copy();
    let before = runnable(book.path(), "runs.html");
    assert_eq!(before.len(), 4, "{before:?}");

    support::edit(
        &book.path().join("src/runs.md"),
        "print(f\"total = {total}\")",
        "print(f\"total: {total}\")",
    );
    support::edit(&book.path().join("src/runs.md"), "total = 45", "total: 45");
    let after = runnable(book.path(), "runs.html");
    assert_eq!(after.len(), 3, "the edited script has no button: {after:?}");
    assert!(
        after.iter().all(|code| !code.contains("total")),
        "{after:?}"
    );

    let committed = std::fs::read_to_string(book.path().join(RECORD)).unwrap();
    let run = handbook_test(book.path(), true);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        !run.status.success(),
        "CI fails on a stale record: {stdout}"
    );
    assert!(
        stdout.contains("src/playground-verified.txt is out of date")
            && stdout.contains("run `handbook test` and commit src/playground-verified.txt"),
        "{stdout}"
    );
    let unchanged = std::fs::read_to_string(book.path().join(RECORD)).unwrap();
    assert_eq!(unchanged, committed, "CI does not write the record");

    let run = handbook_test(book.path(), false);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stdout)
    );
    assert_eq!(
        runnable(book.path(), "runs.html").len(),
        4,
        "tested again, it has its button"
    );
    let run = handbook_test(book.path(), true);
    assert!(run.status.success(), "an up-to-date record passes on CI");
}

#[test]
fn a_book_without_verified_examples_gets_none_of_the_runtime() {
    let dest = tempfile::tempdir().unwrap();
    support::build(&fixture("examples-pass"), dest.path());
    assert!(
        !dest.path().join("assets").read_dir().unwrap().any(|entry| {
            let name = entry.unwrap().file_name();
            let name = name.to_string_lossy();
            name.starts_with("pyodide-") || name.starts_with("playground-")
        })
    );
    let page = html(&dest.path().join("basics.html"));
    assert!(select(&page, "[data-run]").is_empty());
    assert!(select(&page, "html[data-playground]").is_empty());
}

#[test]
fn runnable_false_turns_the_buttons_and_their_verification_off() {
    let book = book_copy();
    let toml = book.path().join("book.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(
        &toml,
        format!("{text}\n[output.html.playground]\nrunnable = false\n"),
    )
    .unwrap();
    assert!(runnable(book.path(), "runs.html").is_empty());
    let run = handbook_test(book.path(), false);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{stdout}");
    assert!(!stdout.contains("browser (Pyodide"), "{stdout}");
}

#[test]
fn a_missing_npm_is_a_clear_error_when_the_book_needs_the_runtime() {
    let cache = tempfile::tempdir().unwrap();
    let dest = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_handbook"))
        .arg("build")
        .arg(fixture("playground"))
        .arg("--dest-dir")
        .arg(dest.path())
        .env("HANDBOOK_CACHE_DIR", cache.path())
        .env("PATH", "/nonexistent")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains("`npm` cannot be run") && stderr.contains("runnable = false"),
        "{stderr}"
    );
}

#[test]
fn a_verdict_that_differs_from_the_record_is_a_warning_on_ci_not_a_failure() {
    // The record lacks one example that does run: as if it had failed on a loaded machine
    // when the record was written. Every entry still names an example of the book, so the
    // record is not out of date; CI says so and leaves it alone.
    let book = book_copy();
    let path = book.path().join(RECORD);
    let committed = std::fs::read_to_string(&path).unwrap();
    let last = committed.lines().last().unwrap().to_string();
    let without = committed.replace(&format!("{last}\n"), "");
    std::fs::write(&path, &without).unwrap();
    let run = handbook_test(book.path(), true);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{stdout}");
    assert!(stdout.contains("gave a different verdict"), "{stdout}");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        without,
        "CI does not write the record"
    );
}
