//! `handbook test` end to end: the built binary runs the examples of the
//! fixture books under tests/fixtures/examples-*/ with the real Python (and
//! a real redis-server), and each failure must be reported at its line.

mod support;

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
        // These tests are about the native runs; tests/playground_record.rs covers the
        // browser's (and this keeps the fixtures free of records).
        .arg("--no-browser")
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

    // A results file written by the session, then an exit before the harness reports,
    // cannot pass.
    let forged = block("forged-pass");
    assert!(
        run.failure_at(file, forged)
            .starts_with("the example exited with status 0 before the harness reported"),
        "{}",
        run.stdout
    );

    let detached = block("detached-server");
    assert!(
        run.failure_at(file, detached)
            .starts_with("the example timed out after 2s"),
        "{}",
        run.stdout
    );

    let python3 = block("python3-hidden") - 1;
    assert!(
        run.failure_at(file, python3)
            .starts_with("the example's output differs"),
        "a python3 block runs, its hidden import too\n{}",
        run.stdout
    );
    assert!(
        run.failure_at(file, block("doctest-block"))
            .starts_with("the session gave unexpected output for 1 statement"),
        "{}",
        run.stdout
    );

    assert!(
        run.stdout
            .contains("examples: 1 passed, 11 failed, 1 not run"),
        "{}",
        run.stdout
    );
    assert_eq!(run.last_line(), "1 passed, 11 failed");
}

#[test]
fn timeout_fires_when_a_detached_server_holds_the_pipe() {
    // The whole run of the failing book, detached server included, ends well before the
    // server's hour: the timeout bounds the example's wall time.
    let start = std::time::Instant::now();
    let run = run_book(&fixture("examples-fail"));
    assert!(!run.success);
    assert!(
        start.elapsed() < std::time::Duration::from_secs(120),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn python3_hidden_lines_are_not_shown_on_the_site() {
    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join("site");
    let built = Command::new(env!("CARGO_BIN_EXE_handbook"))
        .arg("build")
        .arg(fixture("examples-fail"))
        .arg("--dest-dir")
        .arg(&dest)
        .output()
        .unwrap();
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let html = std::fs::read_to_string(dest.join("broken.html")).unwrap();
    let page = scraper::Html::parse_document(&html);
    let code = scraper::Selector::parse("pre code").unwrap();
    let block = page
        .select(&code)
        .map(|c| c.text().collect::<String>())
        .find(|t| t.contains("marker: python3-hidden"))
        .expect("the python3 block is on the page");
    assert!(
        !block.contains("import sys") && !block.contains("#~"),
        "{block}"
    );
}

#[test]
fn malformed_blocks_are_build_errors_in_build_and_test() {
    let book = fixture("examples-invalid");
    let out = tempfile::tempdir().unwrap();
    let built = Command::new(env!("CARGO_BIN_EXE_handbook"))
        .arg("build")
        .arg(&book)
        .arg("--dest-dir")
        .arg(out.path().join("site"))
        .output()
        .unwrap();
    let tested = run_book(&book);
    let line = |text: &str| line_of("examples-invalid", "invalid.md", text);
    for stderr in [
        String::from_utf8_lossy(&built.stderr).into_owned(),
        tested.stderr,
    ] {
        for wanted in [
            format!(
                "src/invalid.md:{}:1: error: code block info string: `ignore` needs a reason",
                line("```python ignore")
            ),
            format!(
                "src/invalid.md:{}:1: error: code block info string: unknown attribute `no_rum` (did you mean `no_run`?) on a python block",
                line("no_rum")
            ),
            format!(
                "src/invalid.md:{}:1: error: code block info string: attribute `timeout` does not apply to a toml block",
                line("```toml")
            ),
            format!(
                "src/invalid.md:{}:1: error: console block: a console block starts with a command",
                line("output without a command")
            ),
        ] {
            assert!(stderr.contains(&wanted), "missing `{wanted}` in\n{stderr}");
        }
    }
    assert!(!built.status.success() && !tested.success);
    assert!(
        !out.path().join("site").exists(),
        "a failed build writes nothing"
    );
}

#[test]
fn console_sessions_run_and_each_failure_is_reported_at_its_command() {
    let run = run_book(&fixture("examples-console"));
    let file = "src/sessions.md";
    let line = |text: &str| line_of("examples-console", "sessions.md", text);
    // The first command of each block echoes its marker; the command after it is the one
    // that fails.
    let command_after = |marker: &str| line(&format!("marker: {marker}")) + 1;
    for passing in [
        "passing",
        "environment",
        "shared-shell",
        "shared-again",
        "bash-run",
        "rm-rf",
    ] {
        let block = line(&format!("marker: {passing}")) - 1;
        assert!(
            !run.stdout.contains(&format!("{file}:{block}:")),
            "{passing} fails:\n{}",
            run.stdout
        );
    }
    assert_eq!(
        run.failure_at(file, command_after("wrong-output") + 1),
        "the command's output differs from the session"
    );
    assert!(
        run.details_at(file, command_after("wrong-output") + 1)
            .contains(" one\n-three\n+two\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.failure_at(file, command_after("unexpected-exit") + 1)
            .starts_with("the command exited with status 1, expected 0"),
        "{}",
        run.stdout
    );
    assert_eq!(
        run.failure_at(file, command_after("expected-exit") + 1),
        "the command exited with status 0, expected 3"
    );
    assert!(
        run.failure_at(file, command_after("console-timeout") + 1)
            .starts_with("the example timed out after 1s"),
        "{}",
        run.stdout
    );
    assert_eq!(
        run.failure_at(file, command_after("runaway") + 1),
        "the example printed more than 1 MiB and was stopped"
    );
    assert!(
        run.failure_at(file, command_after("missing-tool") + 1)
            .starts_with("`no-such-tool-9f3` is not installed on this machine"),
        "{}",
        run.stdout
    );
    assert_eq!(
        run.failure_at(file, line("marker: no-run-syntax") - 1),
        "the `no_run` example does not compile (it is not run, but must be valid shell)"
    );
    assert_eq!(run.last_line(), "9 passed, 7 failed", "{}", run.stdout);
}

/// Whether this machine contains examples in namespaces (root, or user namespaces, and
/// util-linux's unshare); where it cannot, the run says so and these checks do not apply.
fn contained(run: &Run) -> bool {
    let uncontained = run.stderr.contains("gives examples no namespaces");
    if uncontained {
        eprintln!("note: this machine gives examples no namespaces; containment is not checked");
    }
    !uncontained
}

#[test]
fn sessions_cannot_change_the_book() {
    let book = support::book_with("");
    let chapter = book.path().join("src/a.md");
    let root = std::fs::canonicalize(book.path()).unwrap();
    let text = format!(
        "```console\n$ rm -rf {root}/src 2>/dev/null; ls {root}/src\nSUMMARY.md\na.md\n$ touch {root}/new 2>&1 | sed 's/.*: //'\nRead-only file system\n```\n",
        root = root.display()
    );
    std::fs::write(&chapter, &text).unwrap();
    let run = run_book(book.path());
    if !contained(&run) {
        return;
    }
    assert_eq!(
        run.last_line(),
        "1 passed, 0 failed",
        "{}\n{}",
        run.stdout,
        run.stderr
    );
    assert_eq!(std::fs::read_to_string(&chapter).unwrap(), text);
}

#[test]
fn daemons_do_not_outlive_the_run() {
    let marker = tempfile::tempdir().unwrap();
    let pid_file = marker.path().join("daemon.pid");
    let chapter = format!(
        "```python\nimport os, sys, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n        fd = os.open(os.devnull, os.O_RDWR)\n        for n in (0, 1, 2):\n            os.dup2(fd, n)\n        with open({pid:?}, 'w') as f:\n            f.write(str(os.getpid()))\n        os.execv('/bin/sleep', ['sleep', '3599.25'])\n    os._exit(0)\nwhile not os.path.exists({pid:?}):\n    time.sleep(0.01)\ntime.sleep(0.2)\n```\n",
        pid = pid_file.display().to_string()
    );
    let book = support::book_with(&chapter);
    let run = run_book(book.path());
    assert_eq!(
        run.last_line(),
        "1 passed, 0 failed",
        "{}\n{}",
        run.stdout,
        run.stderr
    );
    if !contained(&run) {
        return;
    }
    // The daemon's pid is its pid in the example's namespace; look it up by its marker
    // instead: no `sleep 3600` whose parent chain came from this run survives.
    let survivors = Command::new("sh")
        .args(["-c", "ps -eo args= | grep -c '^sleep 3599.25$' || true"])
        .output()
        .unwrap();
    let before: usize = String::from_utf8_lossy(&survivors.stdout)
        .trim()
        .parse()
        .unwrap_or(0);
    assert_eq!(before, 0, "a daemon outlived the run");
}

#[test]
fn an_interrupted_run_leaves_no_scratch_folders() {
    let book = support::book_with(
        "```python\nimport time\nprint('started', flush=True)\ntime.sleep(60)\n```\n",
    );
    let temp = tempfile::tempdir().unwrap();
    // A folder a killed run left behind: unlocked, so the next run removes it.
    let stale = temp.path().join("handbook-test-stale");
    std::fs::create_dir_all(stale.join("0/work")).unwrap();
    std::fs::write(stale.join(".lock"), "").unwrap();
    let cache = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_handbook"))
        .arg("test")
        .arg("--no-browser")
        .arg("--book")
        .arg(book.path())
        .env("HANDBOOK_CACHE_DIR", cache.path())
        .env("TMPDIR", temp.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let runs = || -> Vec<PathBuf> {
        std::fs::read_dir(temp.path())
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("handbook-test-")
            })
            .collect()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while runs().len() != 1 || stale.exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "the run never started: {:?}",
            runs()
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // Let the example start, then interrupt the run.
    std::thread::sleep(std::time::Duration::from_millis(500));
    unsafe_sigterm(child.id());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(128 + 15));
    assert!(runs().is_empty(), "{:?}", runs());
}

fn unsafe_sigterm(pid: u32) {
    let done = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(done.success());
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
        .args(["test", "--no-browser", "src/included", "src/basics.md"])
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
                   ```python min_python=\"9.0\"\nraise SystemExit(3)\n```\n";
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
    assert_eq!(run.last_line(), "0 passed, 1 failed");
}

#[test]
fn examples_start_with_default_signals_when_handbook_test_runs_in_the_background() {
    // A background job of a non-interactive shell ignores SIGINT, and an ignored signal
    // stays ignored across exec: the examples must not inherit that.
    use std::os::unix::process::CommandExt;
    let book = support::book_with(
        "```pycon\n>>> import signal\n>>> signal.getsignal(signal.SIGINT)\n<built-in function default_int_handler>\n```\n",
    );
    let cache = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_handbook"));
    command
        .args(["test", "--no-browser", "--book"])
        .arg(book.path())
        .env("HANDBOOK_CACHE_DIR", cache.path());
    // SAFETY: signal() is async-signal-safe; it runs in the child between fork and exec.
    unsafe {
        command.pre_exec(|| {
            libc::signal(libc::SIGINT, libc::SIG_IGN);
            Ok(())
        });
    }
    let output = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        stdout.lines().last(),
        Some("1 passed, 0 failed"),
        "{stdout}"
    );
}
