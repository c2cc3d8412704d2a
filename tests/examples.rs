//! `handbook test` end to end: the built binary runs the examples of the
//! fixture books under tests/fixtures/examples-*/ with the real Python (and
//! a real redis-server), and each failure must be reported at its line.

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

struct Run {
    success: bool,
    stdout: String,
    stderr: String,
}

impl Run {
    /// The report line of the failure at `line` of `file`, without the location.
    fn failure_at(&self, file: &str, line: usize) -> &str {
        let prefix = format!("{file}:{line}: ");
        self.stdout
            .lines()
            .find_map(|l| l.strip_prefix(&prefix))
            .unwrap_or_else(|| panic!("no failure reported at {prefix}\n{}", self.stdout))
    }

    /// The indented details printed under the failure at `line` of `file`.
    fn details_at(&self, file: &str, line: usize) -> String {
        let prefix = format!("{file}:{line}: ");
        self.stdout
            .lines()
            .skip_while(|l| !l.starts_with(&prefix))
            .skip(1)
            .take_while(|l| l.starts_with("    "))
            .map(|l| format!("{}\n", &l[4..]))
            .collect()
    }

    fn last_line(&self) -> &str {
        self.stdout.lines().last().unwrap_or_default()
    }
}

fn handbook_test(book: &Path, args: &[&str], cache: &Path) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_handbook"))
        .arg("test")
        .arg("--book")
        .arg(book)
        .args(args)
        .env("HANDBOOK_CACHE_DIR", cache)
        .output()
        .expect("the handbook binary runs");
    Run {
        success: output.status.success(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs the book with an empty virtual-environment cache.
fn run_book(book: &Path) -> Run {
    let cache = tempfile::tempdir().unwrap();
    handbook_test(book, &[], cache.path())
}

/// The 1-based line of `file` (under the fixture's src/) holding `text`.
fn line_of(book: &str, file: &str, text: &str) -> usize {
    let source = std::fs::read_to_string(fixture(book).join("src").join(file)).unwrap();
    source
        .lines()
        .position(|l| l.contains(text))
        .unwrap_or_else(|| panic!("`{text}` is not in {file}"))
        + 1
}

#[test]
fn a_passing_book_passes() {
    let run = run_book(&fixture("examples-pass"));
    assert!(run.success, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("examples: 10 passed, 0 failed, 1 not run"),
        "{}",
        run.stdout
    );
    assert_eq!(run.last_line(), "10 passed, 0 failed");
}

#[test]
fn each_failure_is_reported_at_its_block() {
    let run = run_book(&fixture("examples-fail"));
    assert!(!run.success, "failing examples make the run fail");
    let file = "src/broken.md";
    let line = |text: &str| line_of("examples-fail", "broken.md", text);
    // Each example's opening fence is the line above its marker.
    let block = |marker: &str| line(&format!("marker: {marker}")) - 1;

    let wrong_output = block("wrong-output");
    assert_eq!(
        run.failure_at(file, wrong_output),
        format!(
            "the example's output differs from the ```output block at line {}",
            wrong_output + 6
        )
    );
    assert!(
        run.details_at(file, wrong_output)
            .contains(" one\n-three\n+two\n"),
        "{}",
        run.stdout
    );

    let non_zero = block("non-zero-exit");
    assert_eq!(
        run.failure_at(file, non_zero),
        "the example exited with status 1"
    );
    let details = run.details_at(file, non_zero);
    assert!(
        details.contains(&format!(
            "error at {file}:{}\n",
            line("assert n > 0, f\"{n} is not positive\"")
        )),
        "{details}"
    );
    assert!(
        details.contains("AssertionError: -1 is not positive"),
        "{details}"
    );

    let timeout = block("timeout");
    assert!(
        run.failure_at(file, timeout)
            .starts_with("the example timed out after 1s and was killed"),
        "{}",
        run.stdout
    );
    assert!(
        run.details_at(file, timeout).contains("| before the sleep"),
        "output printed before the timeout is shown\n{}",
        run.stdout
    );

    let session = block("pycon-mismatch");
    assert_eq!(
        run.failure_at(file, session),
        "the session gave unexpected output for 2 statements"
    );
    let details = run.details_at(file, session);
    assert!(
        details.contains(&format!(
            "{file}:{}: >>> len(\"abc\")\n--- expected\n+++ actual\n@@ -1 +1 @@\n-4\n+3\n",
            line(">>> len(\"abc\")")
        )),
        "{details}"
    );
    assert!(
        details.contains(&format!("{file}:{}: >>> {{", line(">>> {\"a\": 1}")))
            && details.contains("+KeyError: 'b'"),
        "{details}"
    );

    let no_run = block("no-run-syntax-error");
    assert!(
        run.failure_at(file, no_run)
            .starts_with("the `no_run` example does not compile"),
        "{}",
        run.stdout
    );
    assert!(
        run.details_at(file, no_run)
            .contains(&format!("error at {file}:{}\n", line("def connect(:"))),
        "{}",
        run.stdout
    );

    let included = block("include-anchor") - 1;
    assert_eq!(
        run.failure_at(file, included),
        "the example exited with status 1"
    );
    let details = run.details_at(file, included);
    assert!(
        details.contains("AssertionError: 6"),
        "the included function (with its bug) ran\n{details}"
    );
    let assertion = line("assert total([1, 2]) == 3");
    assert!(
        details.contains(&format!("error at {file}:{assertion}\n")),
        "lines after an include still map onto the chapter\n{details}"
    );
    // An error inside included code points at the line of the included file.
    let raises = block("include-raises") - 1;
    let details = run.details_at(file, raises);
    assert!(
        details.contains("error at src/examples/prices.py:7\n")
            && details.contains("ZeroDivisionError"),
        "{details}"
    );

    assert_eq!(
        run.failure_at(file, block("missing-reason")),
        "`ignore` needs a reason readers can see: write ignore=\"why it cannot run here\""
    );
    assert_eq!(
        run.failure_at(file, block("unknown-attribute")),
        "unknown attribute `tiemout` (did you mean `timeout`?) on a python block; the known ones are no_run, ignore, requires, services, timeout, min_python"
    );

    assert!(
        run.stdout
            .contains("examples: 1 passed, 9 failed, 1 not run"),
        "{}",
        run.stdout
    );
    assert_eq!(run.last_line(), "1 passed, 9 failed");
}

#[test]
fn paths_select_chapters() {
    let cache = tempfile::tempdir().unwrap();
    let book = fixture("examples-pass");
    // Relative to the book's source folder.
    let run = handbook_test(&book, &["included/chapter.md"], cache.path());
    assert_eq!(run.last_line(), "2 passed, 0 failed", "{}", run.stderr);
    // Relative to the current folder.
    let output = Command::new(env!("CARGO_BIN_EXE_handbook"))
        .args(["test", "src/included", "src/basics.md"])
        .current_dir(&book)
        .env("HANDBOOK_CACHE_DIR", cache.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(stdout.lines().last(), Some("10 passed, 0 failed"));
    // A file that a chapter includes selects that chapter.
    let run = handbook_test(&book, &["examples/cache.py"], cache.path());
    assert_eq!(run.last_line(), "2 passed, 0 failed", "{}", run.stderr);

    let run = handbook_test(&book, &["basic.md"], cache.path());
    assert!(!run.success);
    assert!(
        run.stderr.contains("`basic.md` is not a chapter")
            && run.stderr.contains("did you mean `basics.md`?"),
        "{}",
        run.stderr
    );
}

#[test]
fn redis_examples_get_a_real_server_each() {
    let found = Command::new("redis-server").arg("--version").output();
    if found.is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "redis-server is missing; CI must install it (apt-get install redis-server)"
        );
        eprintln!("note: redis-server is not installed; skipping the Redis example test");
        return;
    }
    let run = run_book(&fixture("examples-redis"));
    assert!(run.success, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.last_line(), "2 passed, 0 failed");
}

#[test]
fn requires_runs_in_a_venv_made_once_and_reused() {
    let cache = tempfile::tempdir().unwrap();
    let book = fixture("examples-venv");
    let first = handbook_test(&book, &[], cache.path());
    assert!(
        first.stderr.contains("creating the virtual environment"),
        "{}",
        first.stderr
    );
    assert_eq!(first.last_line(), "2 passed, 1 failed", "{}", first.stdout);
    let missing = line_of("examples-venv", "packages.md", "requires=\"flask\"");
    assert_eq!(
        first.failure_at("src/packages.md", missing),
        "requires flask, which `src/requirements.txt` does not list; add a pinned line such as `flask==X.Y`"
    );

    let second = handbook_test(&book, &[], cache.path());
    assert!(
        second.stderr.contains("using the virtual environment"),
        "{}",
        second.stderr
    );
    assert_eq!(second.last_line(), "2 passed, 1 failed");
}

#[test]
fn a_missing_interpreter_is_a_clear_error() {
    let book = tempfile::tempdir().unwrap();
    std::fs::create_dir(book.path().join("src")).unwrap();
    std::fs::write(
        book.path().join("book.toml"),
        "[test]\npython = \"no-such-python3\"\n",
    )
    .unwrap();
    std::fs::write(book.path().join("src/SUMMARY.md"), "- [A](a.md)\n").unwrap();
    std::fs::write(book.path().join("src/a.md"), "```python\npass\n```\n").unwrap();
    let run = run_book(book.path());
    assert!(!run.success);
    assert!(
        run.stderr
            .contains("cannot run the Python interpreter `no-such-python3`")
            && run.stderr.contains("[test] python"),
        "{}",
        run.stderr
    );
}

#[test]
fn min_python_runs_an_example_only_on_that_release_or_newer() {
    let book = tempfile::tempdir().unwrap();
    std::fs::create_dir(book.path().join("src")).unwrap();
    // The book names an interpreter that does not exist; `--python` replaces it.
    std::fs::write(
        book.path().join("book.toml"),
        "[test]\npython = \"no-such-python3\"\n",
    )
    .unwrap();
    std::fs::write(book.path().join("src/SUMMARY.md"), "- [A](a.md)\n").unwrap();
    let chapter = "```python min_python=\"3.11\"\nraise SystemExit(3)\n```\n\n\
                   ```python min_python=\"9.0\"\nraise SystemExit(3)\n```\n\n\
                   ```pycon min_python=\"three\"\n>>> 1\n1\n```\n";
    std::fs::write(book.path().join("src/a.md"), chapter).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let run = handbook_test(book.path(), &["--python", "python3"], cache.path());
    assert!(!run.success);
    // 3.11 is the oldest supported release: the first example always runs, and fails.
    assert_eq!(
        run.failure_at("src/a.md", 1),
        "the example exited with status 3"
    );
    let skipped = run
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("src/a.md:5: not run: "))
        .unwrap_or_else(|| panic!("{}", run.stdout));
    assert!(
        skipped.starts_with("needs Python 9.0+; this run uses 3."),
        "{skipped}"
    );
    assert!(
        run.failure_at("src/a.md", 9).contains("`min_python=three`"),
        "{}",
        run.stdout
    );
    assert_eq!(run.last_line(), "0 passed, 2 failed");
}
