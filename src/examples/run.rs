//! Runs one example in a fresh temporary folder and judges it: a script must
//! exit 0 (and print its ```` ```output ```` block), a session must match
//! doctest's expectations, a `no_run` block must compile.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use super::process::{self, Ending, Finished};
use super::services::Running;
use super::venv::{Interpreter, Venv, VenvError};
use super::{Example, Expected, Kind, Mode, Verdict};
use crate::diagnostics::Location;

/// The doctest harness that checks `pycon` sessions.
const SESSION_HARNESS: &str = include_str!("doctest_session.py");

/// The file a script runs from, in its working folder (tracebacks name it).
const SCRIPT: &str = "example.py";

/// Why an example failed, with what it printed.
#[derive(Debug)]
pub struct Failure {
    /// What went wrong.
    pub problem: Problem,
    /// What ran, as a shell line (`python3 example.py`), if anything did.
    pub command: Option<String>,
    /// Its standard output.
    pub stdout: String,
    /// Its standard error.
    pub stderr: String,
}

/// What went wrong with an example.
#[derive(Debug)]
pub enum Problem {
    /// The block itself is malformed (unknown attribute, missing reason, bad include).
    Invalid(String),
    /// The example could not be set up (interpreter, virtual environment, service).
    Setup(String),
    /// The script exited with a failure status.
    Exit {
        /// The status, e.g. `status 1`.
        status: String,
        /// Where the traceback points, when it points into the example.
        at: Option<Location>,
    },
    /// A `no_run` block does not compile.
    DoesNotCompile {
        /// Where the syntax error is, when known.
        at: Option<Location>,
    },
    /// The example ran past its time limit and was killed.
    TimedOut(Duration),
    /// The script's stdout differs from its ```` ```output ```` block.
    OutputDiffers {
        /// The output block.
        expected: Expected,
    },
    /// Statements of a `pycon` session did not give the expected output.
    Session(Vec<SessionMismatch>),
}

/// One failing statement of a `pycon` session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionMismatch {
    /// Where the statement is written, when known.
    pub line: Option<Location>,
    /// The statement, without prompts.
    pub source: String,
    /// What the session shows after it.
    pub want: String,
    /// What it really printed (or the exception it raised).
    pub got: String,
}

impl Failure {
    /// A malformed block.
    pub fn invalid(message: String) -> Failure {
        Failure::setup_like(Problem::Invalid(message))
    }

    fn setup(message: String) -> Box<Failure> {
        Box::new(Failure::setup_like(Problem::Setup(message)))
    }

    fn setup_like(problem: Problem) -> Failure {
        Failure {
            problem,
            command: None,
            stdout: String::new(),
            stderr: String::new(),
        }
    }
}

/// A failing statement as the harness writes it: `line` counts from 0 within the block.
#[derive(serde::Deserialize)]
struct HarnessMismatch {
    line: Option<usize>,
    source: String,
    want: String,
    got: String,
}

/// Runs examples with the book's interpreter and, for `requires`, the virtual environment.
pub struct Runner<'a> {
    python: &'a Interpreter,
    /// Filled by another thread while examples without `requires` run; `None` when no
    /// example needs it.
    venv: Option<&'a OnceLock<Result<Venv, VenvError>>>,
}

impl<'a> Runner<'a> {
    /// A runner; `venv` is `None` when no example needs one.
    pub fn new(
        python: &'a Interpreter,
        venv: Option<&'a OnceLock<Result<Venv, VenvError>>>,
    ) -> Self {
        Runner { python, venv }
    }

    /// Runs `example` and judges it.
    pub fn run(&self, example: &Example) -> Verdict {
        match self.try_run(example) {
            Ok(verdict) => verdict,
            Err(failure) => Verdict::Failed(failure),
        }
    }

    fn try_run(&self, example: &Example) -> Result<Verdict, Box<Failure>> {
        if let Some(needed) = example
            .min_python
            .filter(|&v| v > self.python.feature_release())
        {
            return Ok(Verdict::NotRun(format!(
                "needs Python {needed}+; this run uses {}",
                self.python.version
            )));
        }
        let compile_only = match &example.mode {
            Mode::Ignore(reason) => return Ok(Verdict::NotRun(reason.clone())),
            Mode::CompileOnly(_) => true,
            Mode::Run => false,
        };
        let python = self.interpreter(example, compile_only)?;
        let folder = tempfile::Builder::new()
            .prefix("handbook-example-")
            .tempdir()
            .map_err(|e| Failure::setup(format!("cannot make a temporary folder: {e}")))?;
        // Kept until the example ends: dropping a service stops it.
        let services = if compile_only {
            Vec::new()
        } else {
            start_services(example)?
        };
        let env: Vec<(&str, &str)> = services
            .iter()
            .map(|s| (s.env.0, s.env.1.as_str()))
            .collect();
        let (command, shown) = match example.kind {
            Kind::Script => script_command(&python, &example.code, folder.path(), compile_only),
            Kind::Session => session_command(&python, &example.code, folder.path(), compile_only),
        }
        .map_err(|e| Failure::setup(format!("cannot write the example's files: {e}")))?;
        let shown = env
            .iter()
            .map(|(k, v)| format!("{k}={v} "))
            .collect::<String>()
            + &shown;
        let finished = run_with_env(command, &env, example.timeout)
            .map_err(|e| Failure::setup(format!("cannot start `{}`: {e}", python.display())))?;
        let judged = match example.kind {
            Kind::Script => judge_script(example, &finished, compile_only),
            Kind::Session => judge_session(example, &finished, folder.path()),
        };
        Ok(match judged {
            None => Verdict::Passed,
            Some(problem) => Verdict::Failed(Box::new(Failure {
                problem,
                command: Some(shown),
                stdout: finished.stdout,
                stderr: finished.stderr,
            })),
        })
    }

    /// The base interpreter, or the virtual environment's for a running example with `requires`.
    fn interpreter(&self, example: &Example, compile_only: bool) -> Result<PathBuf, Box<Failure>> {
        if compile_only || example.requires.is_empty() {
            return Ok(self.python.executable.clone());
        }
        let venv = self
            .venv
            .expect("a venv is prepared whenever a running example requires one")
            .wait()
            .as_ref()
            .map_err(|e| {
                Failure::setup(format!(
                    "the virtual environment for `requires` could not be prepared: {e}"
                ))
            })?;
        let missing: Vec<&str> = example
            .requires
            .iter()
            .map(String::as_str)
            .filter(|p| !venv.has(p))
            .collect();
        if !missing.is_empty() {
            return Err(Box::new(Failure::invalid(format!(
                "requires {}, which `{}` does not list; add a pinned line such as `{}==X.Y`",
                missing.join(", "),
                venv.requirements.display(),
                missing[0]
            ))));
        }
        Ok(venv.python.clone())
    }
}

fn start_services(example: &Example) -> Result<Vec<Running>, Box<Failure>> {
    example
        .services
        .iter()
        .map(|s| s.start())
        .collect::<Result<_, _>>()
        .map_err(Failure::setup)
}

/// The environment every example gets on top of the inherited one: a fixed terminal width, so
/// `argparse` and `click` help wraps the same everywhere, and UTF-8 on the standard streams.
const FIXED_ENV: &[(&str, &str)] = &[
    ("COLUMNS", "80"),
    ("LINES", "24"),
    ("PYTHONIOENCODING", "utf-8"),
];

fn run_with_env(
    mut command: Command,
    env: &[(&str, &str)],
    timeout: Duration,
) -> std::io::Result<Finished> {
    command.envs(FIXED_ENV.iter().chain(env).copied());
    process::run(command, timeout)
}

/// `python example.py` (or `python -m py_compile example.py`) in `folder`.
fn script_command(
    python: &Path,
    code: &str,
    folder: &Path,
    compile_only: bool,
) -> std::io::Result<(Command, String)> {
    std::fs::write(folder.join(SCRIPT), code)?;
    let args: &[&str] = if compile_only {
        &["-m", "py_compile", SCRIPT]
    } else {
        &[SCRIPT]
    };
    let mut command = Command::new(python);
    command.args(args).current_dir(folder);
    Ok((command, format!("{} {}", python.display(), args.join(" "))))
}

/// The doctest harness on `session.txt`, from an empty working folder `work/`: like typing
/// the session into `python` started in an empty folder.
fn session_command(
    python: &Path,
    code: &str,
    folder: &Path,
    compile_only: bool,
) -> std::io::Result<(Command, String)> {
    let harness = folder.join("doctest_session.py");
    let session = folder.join("session.txt");
    let work = folder.join("work");
    std::fs::write(&harness, SESSION_HARNESS)?;
    std::fs::write(&session, code)?;
    std::fs::create_dir(&work)?;
    let mode = if compile_only { "compile" } else { "run" };
    let mut command = Command::new(python);
    command
        .arg(&harness)
        .arg(&session)
        .arg(folder.join("results.json"))
        .arg(mode)
        .current_dir(work);
    let shown = format!(
        "{} doctest_session.py session.txt results.json {mode}  (doctest with ELLIPSIS; the harness is src/examples/doctest_session.py)",
        python.display()
    );
    Ok((command, shown))
}

fn judge_script(example: &Example, finished: &Finished, compile_only: bool) -> Option<Problem> {
    let status = match finished.ending {
        Ending::TimedOut => return Some(Problem::TimedOut(example.timeout)),
        Ending::Exited(status) => status,
    };
    let at = || {
        let line = error_line(&finished.stderr)?;
        example.lines.get(line.checked_sub(1)?).cloned()
    };
    if compile_only {
        return (!status.success()).then(|| Problem::DoesNotCompile { at: at() });
    }
    if !status.success() {
        return Some(Problem::Exit {
            status: match status.code() {
                Some(code) => format!("status {code}"),
                None => status.to_string(),
            },
            at: at(),
        });
    }
    let expected = example.expected.as_ref()?;
    (normalize_output(&expected.text) != normalize_output(&finished.stdout)).then(|| {
        Problem::OutputDiffers {
            expected: expected.clone(),
        }
    })
}

fn judge_session(example: &Example, finished: &Finished, folder: &Path) -> Option<Problem> {
    if let Ending::TimedOut = finished.ending {
        return Some(Problem::TimedOut(example.timeout));
    }
    let results = std::fs::read_to_string(folder.join("results.json")).ok();
    let parsed = results.and_then(|r| serde_json::from_str::<Vec<HarnessMismatch>>(&r).ok());
    let Some(mismatches) = parsed else {
        // The harness died before writing its results: its stderr says why.
        return Some(Problem::Exit {
            status: match finished.ending {
                Ending::Exited(status) => status.to_string(),
                Ending::TimedOut => unreachable!("handled above"),
            },
            at: None,
        });
    };
    if mismatches.is_empty() {
        return None;
    }
    let in_chapter = |m: HarnessMismatch| SessionMismatch {
        line: m.line.and_then(|offset| example.lines.get(offset).cloned()),
        source: m.source,
        want: m.want,
        got: m.got,
    };
    Some(Problem::Session(
        mismatches.into_iter().map(in_chapter).collect(),
    ))
}

/// Compares as authors mean it: trailing whitespace on each line and trailing blank lines
/// do not count.
pub(super) fn normalize_output(text: &str) -> String {
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    let keep = lines
        .iter()
        .rposition(|l| !l.is_empty())
        .map_or(0, |i| i + 1);
    lines[..keep].join("\n")
}

/// The line of the script a Python traceback (or syntax error) points at last.
fn error_line(stderr: &str) -> Option<usize> {
    stderr
        .lines()
        .filter_map(|line| {
            let rest = line.trim_start().strip_prefix("File \"")?;
            let (file, rest) = rest.split_once('"')?;
            if !(file == SCRIPT || file.ends_with(&format!("/{SCRIPT}"))) {
                return None;
            }
            let number = rest.strip_prefix(", line ")?;
            let digits: String = number.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        })
        .next_back()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_comparison_ignores_trailing_whitespace_only() {
        assert_eq!(normalize_output("a  \nb\n\n\n"), normalize_output("a\nb"));
        assert_ne!(normalize_output("\na\n"), normalize_output("a\n"));
        assert_ne!(normalize_output(" a\n"), normalize_output("a\n"));
    }

    #[test]
    fn finds_the_last_frame_in_the_script() {
        let stderr = "Traceback (most recent call last):\n  File \"/tmp/x/example.py\", line 7, in <module>\n    f()\n  File \"/tmp/x/example.py\", line 3, in f\n    assert False\n  File \"/usr/lib/python3.11/json/__init__.py\", line 9, in dumps\nAssertionError\n";
        assert_eq!(error_line(stderr), Some(3));
        assert_eq!(
            error_line(
                "  File \"example.py\", line 2\n    def f(\nSyntaxError: '(' was never closed\n"
            ),
            Some(2)
        );
        assert_eq!(error_line("Killed\n"), None);
    }
}
