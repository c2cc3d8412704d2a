//! Runs examples and judges them: a script must exit 0 (and print its
//! ```` ```output ```` block), a `pycon` session must match doctest's
//! expectations, each command of a console session must print its expected
//! output and end with its expected status, and a `no_run` block must
//! compile. The examples of one session run in order in one scratch folder;
//! other examples each get a fresh one (see [`super::scratch`]).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use super::process::{self, Ending, Finished, Spec};
use super::scratch::{RunDir, Scratch};
use super::services::Running;
use super::text::normalize_output;
use super::venv::{Interpreter, Venv, VenvError};
use super::{Example, Expected, Kind, Mode, Verdict};
use crate::diagnostics::Location;
use crate::transform::code::console;

/// The doctest harness that checks `pycon` sessions.
const SESSION_HARNESS: &str = include_str!("doctest_session.py");

/// Runs one command of a console session: restores the shell state the previous command
/// left (folder, variables, functions), runs the command, saves the state again. `set -a`
/// exports every variable the command sets, so the state file has them all. The variables
/// the run sets for each block (`$3`: `HOME`, a service's `REDIS_URL`) are not saved: a
/// later block gets its own.
const CONSOLE_DRIVER: &str = r#"__handbook_command=$1 __handbook_state=$2 __handbook_fresh=$3
shift 3
[ -f "$__handbook_state" ] && . "$__handbook_state" >/dev/null 2>&1
set -a
eval "$__handbook_command"
__handbook_status=$?
set +a
unset $__handbook_fresh
{ declare -px; declare -f; printf 'cd -- %q\n' "$PWD"; } >"$__handbook_state" 2>/dev/null
exit $__handbook_status"#;

/// The file a script runs from, in its working folder (tracebacks name it).
pub(super) const SCRIPT: &str = "example.py";
/// The file a script of a session runs from: removed after it ran, so the session's
/// later blocks do not see it.
pub(super) const SESSION_SCRIPT: &str = "_handbook_example.py";

/// Fixed so commit hashes printed in the book are the same on every run.
const GIT_DATE: &str = "2025-01-15T09:00:00+00:00";

/// Why an example failed, with what it printed.
#[derive(Debug)]
pub struct Failure {
    /// What went wrong.
    pub problem: Problem,
    /// What ran, as a shell line (`python3 example.py`), if anything did.
    pub command: Option<String>,
    /// Its standard output (both streams, for a console command).
    pub stdout: String,
    /// Its standard error.
    pub stderr: String,
}

/// What went wrong with an example.
#[derive(Debug)]
pub enum Problem {
    /// The block itself is malformed.
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
    /// A `no_run` block does not compile (or, for a shell block, does not parse).
    DoesNotCompile {
        /// What it must be: `Python`, `shell`.
        language: &'static str,
        /// Where the syntax error is, when known.
        at: Option<Location>,
    },
    /// The example ran past its time limit and was killed.
    TimedOut(Duration),
    /// The example printed more than the output limit and was stopped.
    TooMuchOutput,
    /// The script's stdout differs from its ```` ```output ```` block.
    OutputDiffers {
        /// The output block.
        expected: Expected,
    },
    /// Statements of a `pycon` session did not give the expected output.
    Session(Vec<SessionMismatch>),
    /// A command of a console session printed something else, or ended with another status.
    Command {
        /// The command as written.
        command: String,
        /// Its expected output lines.
        expected: Vec<String>,
        /// The status it should end with.
        wanted_status: i32,
        /// The status it ended with.
        status: i32,
    },
    /// A command of a console session is not installed.
    MissingTool(String),
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

/// What the harness reports on its results pipe.
#[derive(serde::Deserialize)]
struct HarnessResults {
    failures: Vec<HarnessMismatch>,
}

/// Runs examples with the book's interpreter and, where needed, the virtual environment.
pub(super) struct Runner<'a> {
    python: &'a Interpreter,
    /// Filled by another thread while examples without it run; `None` when no example needs it.
    venv: Option<&'a OnceLock<Result<Venv, VenvError>>>,
    run_dir: &'a RunDir,
    session_harness: PathBuf,
    /// Folders examples must not change: the book, the virtual environment, the harness.
    protected: Vec<PathBuf>,
    /// Whether shell sessions run with the pinned environment (the book has requirements).
    pinned_sessions: bool,
}

/// The interpreter and environment of one job (an example, or a session's examples).
struct Setting {
    python: PathBuf,
    env: Vec<(String, String)>,
    read_only: Vec<PathBuf>,
}

impl<'a> Runner<'a> {
    /// A runner; `venv` is `None` when no example needs one. `book_root` is kept read-only.
    pub(super) fn new(
        python: &'a Interpreter,
        venv: Option<&'a OnceLock<Result<Venv, VenvError>>>,
        run_dir: &'a RunDir,
        book_root: &Path,
    ) -> std::io::Result<Self> {
        let session_harness = run_dir.harness_file("doctest_session.py", SESSION_HARNESS)?;
        let protected = vec![
            std::fs::canonicalize(book_root).unwrap_or_else(|_| book_root.to_path_buf()),
            run_dir.harness(),
        ];
        Ok(Runner {
            python,
            venv,
            run_dir,
            session_harness,
            protected,
            pinned_sessions: false,
        })
    }

    /// Shell sessions run with the pinned environment (the book has a requirements file).
    pub(super) fn with_pinned_sessions(mut self, pinned: bool) -> Self {
        self.pinned_sessions = pinned;
        self
    }

    /// Runs a job's examples in order in one scratch folder; each verdict comes with where
    /// to report it (a console failure is reported at its command's line).
    pub(super) fn run_job(&self, job: &[&Example]) -> Vec<(Location, Verdict)> {
        let mut verdicts = Vec::with_capacity(job.len());
        let setting = self.setting(job);
        let scratch = self.run_dir.scratch();
        let mut failed_at: Option<Location> = None;
        for example in job {
            let location = example.location.clone();
            if let Some(at) = &failed_at {
                let session = example.session.as_deref().unwrap_or_default();
                verdicts.push((
                    location,
                    Verdict::NotRun(format!(
                        "an earlier block of session `{session}` failed ({at})"
                    )),
                ));
                continue;
            }
            let result = match (&setting, &scratch) {
                (Err(failure), _) => Err(Failure::setup(failure.clone())),
                (_, Err(e)) => Err(Failure::setup(format!("cannot make a scratch folder: {e}"))),
                (Ok(setting), Ok(scratch)) => self.run(example, setting, scratch),
            };
            let (at, verdict) = match result {
                Ok(Judged::Verdict(verdict)) => (location, verdict),
                Ok(Judged::FailedAt(at, failure)) => (at, Verdict::Failed(failure)),
                Err(failure) => (location, Verdict::Failed(failure)),
            };
            if matches!(verdict, Verdict::Failed(_)) {
                failed_at = Some(at.clone());
            }
            verdicts.push((at, verdict));
        }
        verdicts
    }

    /// The interpreter, `PATH` and read-only folders for `job`: the virtual environment's
    /// when any of its examples needs it (a console session always does).
    fn setting(&self, job: &[&Example]) -> Result<Setting, String> {
        let mut read_only = self.protected.clone();
        let runs = |e: &&&Example| e.mode == Mode::Run && self.runs_here(e);
        let venv = if job
            .iter()
            .filter(runs)
            .any(|e| e.needs_venv(self.pinned_sessions))
        {
            let venv = self.venv_for(job)?;
            if let Some(dir) = venv.python.parent().and_then(Path::parent) {
                read_only.push(dir.to_path_buf());
            }
            Some(venv)
        } else {
            None
        };
        let inherited =
            std::env::var("PATH").unwrap_or_else(|_| "/usr/local/bin:/usr/bin:/bin".into());
        let (python, path) = match venv {
            Some(venv) => {
                let bin = venv.python.parent().expect("a venv's python is in bin/");
                (
                    venv.python.clone(),
                    format!("{}:{inherited}", bin.display()),
                )
            }
            None => (self.python.executable.clone(), inherited),
        };
        let mut env = vec![("PATH".to_string(), path)];
        for (key, value) in FIXED_ENV {
            env.push((key.to_string(), value.to_string()));
        }
        // The run's folder is never read-only, even inside the book.
        read_only.retain(|dir| !self.run_dir.root().starts_with(dir));
        Ok(Setting {
            python,
            env,
            read_only,
        })
    }

    fn venv_for(&self, job: &[&Example]) -> Result<&'a Venv, String> {
        let venv = self
            .venv
            .expect("a venv is prepared whenever a running example needs one")
            .wait()
            .as_ref()
            .map_err(|e| {
                format!("the virtual environment of the examples could not be prepared: {e}")
            })?;
        let missing: Vec<&str> = job
            .iter()
            .flat_map(|e| &e.requires)
            .map(String::as_str)
            .filter(|p| !venv.has(p))
            .collect();
        if let Some(first) = missing.first() {
            return Err(format!(
                "requires {}, which `{}` does not list; add a pinned line such as `{first}==X.Y`",
                missing.join(", "),
                venv.requirements.display(),
            ));
        }
        Ok(venv)
    }

    fn runs_here(&self, example: &Example) -> bool {
        example
            .min_python
            .is_none_or(|v| v <= self.python.feature_release())
    }

    fn run(
        &self,
        example: &Example,
        setting: &Setting,
        scratch: &Scratch,
    ) -> Result<Judged, Box<Failure>> {
        if !self.runs_here(example) {
            return Ok(Judged::Verdict(Verdict::NotRun(format!(
                "needs Python {}+; this run uses {}",
                example.min_python.expect("checked by runs_here"),
                self.python.version
            ))));
        }
        let compile_only = match &example.mode {
            Mode::Ignore(reason) => return Ok(Judged::Verdict(Verdict::NotRun(reason.clone()))),
            Mode::CompileOnly(_) => true,
            Mode::Run => false,
        };
        // Kept until the example ends: dropping a service stops it.
        let services = if compile_only {
            Vec::new()
        } else {
            start_services(example, scratch)?
        };
        let mut env = setting.env.clone();
        env.extend([
            ("HOME".to_string(), scratch.home.display().to_string()),
            ("TMPDIR".to_string(), scratch.tmp.display().to_string()),
            ("PWD".to_string(), scratch.work.display().to_string()),
        ]);
        env.extend(services.iter().flat_map(|s| s.env.iter().cloned()));
        let job = Job {
            example,
            setting,
            scratch,
            env,
            compile_only,
            shown_env: services
                .iter()
                .flat_map(|s| &s.env)
                .map(|(k, v)| format!("{k}={v} "))
                .collect(),
            fresh: ["HOME", "TMPDIR"]
                .into_iter()
                .chain(
                    services
                        .iter()
                        .flat_map(|s| s.env.iter().map(|(k, _)| k.as_str())),
                )
                .collect::<Vec<_>>()
                .join(" "),
        };
        match example.kind {
            Kind::Script => self.script(&job),
            Kind::Session => self.session(&job),
            Kind::Console => self.console(&job),
            Kind::Shell => self.shell(&job),
        }
    }

    fn spec(&self, job: &Job<'_>, program: &Path, args: Vec<OsString>, combined: bool) -> Spec {
        Spec {
            program: program.to_path_buf(),
            args,
            cwd: job.scratch.work.clone(),
            env: job.env.clone(),
            read_only: job.setting.read_only.clone(),
            combined,
            results_pipe: false,
            timeout: job.example.timeout,
        }
    }

    fn script(&self, job: &Job<'_>) -> Result<Judged, Box<Failure>> {
        let in_session = job.example.session.is_some();
        let name = if in_session { SESSION_SCRIPT } else { SCRIPT };
        let path = job.scratch.work.join(name);
        write(&path, &job.example.code)?;
        let python = &job.setting.python;
        let args: Vec<OsString> = if job.compile_only {
            vec!["-m".into(), "py_compile".into(), name.into()]
        } else {
            vec![name.into()]
        };
        let shown = format!("{}{} {}", job.shown_env, python.display(), join(&args));
        let finished = run(&self.spec(job, python, args, false), python)?;
        if in_session {
            let _ = std::fs::remove_file(&path);
        }
        let problem = judge_script(job.example, &finished, job.compile_only, name);
        Ok(verdict(problem, shown, finished))
    }

    fn session(&self, job: &Job<'_>) -> Result<Judged, Box<Failure>> {
        let session = job.write_code("session", "txt")?;
        let mode = if job.compile_only { "compile" } else { "run" };
        let python = &job.setting.python;
        let args = vec![
            self.session_harness.clone().into(),
            session.into(),
            mode.into(),
        ];
        let mut spec = self.spec(job, python, args, false);
        spec.results_pipe = true;
        let shown = format!(
            "{}{} doctest_session.py session.txt {mode}  (doctest with ELLIPSIS; the harness is src/examples/doctest_session.py)",
            job.shown_env,
            python.display()
        );
        let finished = run(&spec, python)?;
        let problem = judge_session(job.example, &finished);
        Ok(verdict(problem, shown, finished))
    }

    fn shell(&self, job: &Job<'_>) -> Result<Judged, Box<Failure>> {
        let script = job.write_code("script", "sh")?;
        let mut args: Vec<OsString> = vec!["--noprofile".into(), "--norc".into()];
        if job.compile_only {
            args.push("-n".into());
        }
        args.push(script.into());
        let bash = Path::new("bash");
        let shown = format!(
            "{}bash {}",
            job.shown_env,
            if job.compile_only {
                "-n script.sh"
            } else {
                "script.sh"
            }
        );
        let finished = run(&self.spec(job, bash, args, true), bash)?;
        let problem = judge_script(job.example, &finished, job.compile_only, "script.sh");
        Ok(verdict(problem, shown, finished))
    }

    /// Runs each command of a console block in turn, in the scratch folder, with the shell
    /// state of the commands before it (in this block and earlier blocks of its session).
    fn console(&self, job: &Job<'_>) -> Result<Judged, Box<Failure>> {
        let bash = Path::new("bash");
        let commands = &job.example.commands;
        if job.compile_only {
            let all: Vec<&str> = commands.iter().map(|c| c.text.as_str()).collect();
            let args = vec![
                "--noprofile".into(),
                "--norc".into(),
                "-n".into(),
                "-c".into(),
                all.join("\n").into(),
            ];
            let finished = run(&self.spec(job, bash, args, true), bash)?;
            let problem = judge_script(job.example, &finished, true, "the session");
            return Ok(verdict(
                problem,
                "bash -n (the session's commands)".into(),
                finished,
            ));
        }
        let deadline = Instant::now() + job.example.timeout;
        for command in commands {
            let args = vec![
                "--noprofile".into(),
                "--norc".into(),
                "-c".into(),
                CONSOLE_DRIVER.into(),
                "bash".into(),
                command.text.clone().into(),
                job.scratch.shell_state.clone().into(),
                job.fresh.clone().into(),
            ];
            let mut spec = self.spec(job, bash, args, true);
            spec.timeout = deadline.saturating_duration_since(Instant::now());
            let finished = run(&spec, bash)?;
            let at = job
                .example
                .lines
                .get(command.line)
                .cloned()
                .unwrap_or_else(|| job.example.location.clone());
            let shown = format!("{}$ {}", job.shown_env, command.text);
            if let Some(problem) = judge_command(job.example, command, &finished) {
                let failure = Box::new(Failure {
                    problem,
                    command: Some(shown),
                    stdout: finished.stdout,
                    stderr: finished.stderr,
                });
                return Ok(Judged::FailedAt(at, failure));
            }
        }
        Ok(Judged::Verdict(Verdict::Passed))
    }
}

/// What one example needs to run.
struct Job<'j> {
    example: &'j Example,
    setting: &'j Setting,
    scratch: &'j Scratch,
    env: Vec<(String, String)>,
    compile_only: bool,
    /// Service variables, as shown before the command in a failure report.
    shown_env: String,
    /// The variables each block gets anew, not carried in a session's shell state.
    fresh: String,
}

impl Job<'_> {
    /// Writes the example's code beside its scratch folders, as `NAME-LINE.EXT`.
    fn write_code(&self, name: &str, ext: &str) -> Result<PathBuf, Box<Failure>> {
        let line = self.example.location.line;
        let path = self.scratch.files.join(format!("{name}-{line}.{ext}"));
        write(&path, &self.example.code)?;
        Ok(path)
    }
}

/// A verdict, or a failure reported at another line than the block's (a console command).
enum Judged {
    Verdict(Verdict),
    FailedAt(Location, Box<Failure>),
}

fn verdict(problem: Option<Problem>, shown: String, finished: Finished) -> Judged {
    Judged::Verdict(match problem {
        None => Verdict::Passed,
        Some(problem) => Verdict::Failed(Box::new(Failure {
            problem,
            command: Some(shown),
            stdout: finished.stdout,
            stderr: finished.stderr,
        })),
    })
}

fn run(spec: &Spec, program: &Path) -> Result<Finished, Box<Failure>> {
    process::run(spec)
        .map_err(|e| Failure::setup(format!("cannot start `{}`: {e}", program.display())))
}

fn write(path: &Path, text: &str) -> Result<(), Box<Failure>> {
    std::fs::write(path, text)
        .map_err(|e| Failure::setup(format!("cannot write `{}`: {e}", path.display())))
}

fn join(args: &[OsString]) -> String {
    args.iter()
        .map(|a| a.to_string_lossy())
        .collect::<Vec<_>>()
        .join(" ")
}

fn start_services(example: &Example, scratch: &Scratch) -> Result<Vec<Running>, Box<Failure>> {
    example
        .services
        .iter()
        .map(|s| s.start(&scratch.files))
        .collect::<Result<_, _>>()
        .map_err(Failure::setup)
}

/// The environment of every example besides `PATH`, `HOME`, `TMPDIR` and `PWD`: nothing
/// is inherited, so what an example prints does not depend on who runs it. A fixed
/// terminal size (`argparse` and `click` wrap help to it), UTC, a UTF-8 locale, a fixed
/// hash seed, fixed git dates; pip never asks PyPI.
const FIXED_ENV: &[(&str, &str)] = &[
    ("COLUMNS", "80"),
    ("LINES", "24"),
    ("TERM", "dumb"),
    ("TZ", "UTC"),
    ("LANG", "C.UTF-8"),
    ("LC_ALL", "C.UTF-8"),
    ("PYTHONIOENCODING", "utf-8"),
    ("PYTHONHASHSEED", "0"),
    ("GIT_AUTHOR_DATE", GIT_DATE),
    ("GIT_COMMITTER_DATE", GIT_DATE),
    ("GIT_CONFIG_NOSYSTEM", "1"),
    ("PIP_DISABLE_PIP_VERSION_CHECK", "1"),
    ("PIP_NO_INPUT", "1"),
    ("PIP_NO_INDEX", "1"),
];

/// The exit status of a run that ended by itself; a timeout or runaway output is the problem.
fn exit_status(
    example: &Example,
    finished: &Finished,
) -> Result<std::process::ExitStatus, Problem> {
    match finished.ending {
        Ending::TimedOut => Err(Problem::TimedOut(example.timeout)),
        Ending::TooMuchOutput => Err(Problem::TooMuchOutput),
        Ending::Exited(status) => Ok(status),
    }
}

fn judge_script(
    example: &Example,
    finished: &Finished,
    compile_only: bool,
    script: &str,
) -> Option<Problem> {
    let status = match exit_status(example, finished) {
        Ok(status) => status,
        Err(problem) => return Some(problem),
    };
    let at = || {
        let line = error_line(&finished.stderr, script)?;
        example.lines.get(line.checked_sub(1)?).cloned()
    };
    if compile_only {
        let language = if script.ends_with(".py") {
            "Python"
        } else {
            "shell"
        };
        return (!status.success()).then(|| Problem::DoesNotCompile { at: at(), language });
    }
    if !status.success() {
        return Some(Problem::Exit {
            status: status_text(status),
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

fn status_text(status: std::process::ExitStatus) -> String {
    match status.code() {
        Some(code) => format!("status {code}"),
        None => status.to_string(),
    }
}

fn judge_session(example: &Example, finished: &Finished) -> Option<Problem> {
    let status = match exit_status(example, finished) {
        Ok(status) => status,
        Err(problem) => return Some(problem),
    };
    let parsed = serde_json::from_str::<HarnessResults>(finished.results.trim()).ok();
    let Some(results) = parsed.filter(|_| status.code().is_some_and(|c| c <= 1)) else {
        // The harness died (or exited on its own) before reporting: its stderr says why.
        return Some(Problem::Exit {
            status: format!(
                "{} before the harness reported its results",
                status_text(status)
            ),
            at: None,
        });
    };
    if results.failures.is_empty() {
        return None;
    }
    let in_chapter = |m: HarnessMismatch| SessionMismatch {
        line: m.line.and_then(|offset| example.lines.get(offset).cloned()),
        source: m.source,
        want: m.want,
        got: m.got,
    };
    Some(Problem::Session(
        results.failures.into_iter().map(in_chapter).collect(),
    ))
}

fn judge_command(
    example: &Example,
    command: &console::Command,
    finished: &Finished,
) -> Option<Problem> {
    let status = match exit_status(example, finished) {
        Ok(status) => status,
        Err(problem) => return Some(problem),
    };
    // A signal is shown as the shell shows it: 128 + its number.
    let code = status.code().unwrap_or_else(|| {
        128 + std::os::unix::process::ExitStatusExt::signal(&status).unwrap_or(0)
    });
    if code == 127
        && command.status != 127
        && let Some(tool) = missing_tool(&finished.stdout)
    {
        return Some(Problem::MissingTool(tool));
    }
    let matches = console::output_matches(&command.expected, &finished.stdout);
    (code != command.status || !matches).then(|| Problem::Command {
        command: command.text.clone(),
        expected: command.expected.clone(),
        wanted_status: command.status,
        status: code,
    })
}

/// The program bash could not find: `bash: line 1: ruff: command not found`.
fn missing_tool(output: &str) -> Option<String> {
    output.lines().find_map(|line| {
        let before = line.strip_suffix(": command not found")?;
        Some(before.rsplit(": ").next()?.to_string())
    })
}

/// The line of the script a Python traceback (or syntax error) points at last.
fn error_line(stderr: &str, script: &str) -> Option<usize> {
    stderr
        .lines()
        .filter_map(|line| {
            let rest = line.trim_start().strip_prefix("File \"")?;
            let (file, rest) = rest.split_once('"')?;
            if !(file == script || file.ends_with(&format!("/{script}"))) {
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
    fn finds_the_last_frame_in_the_script() {
        let stderr = "Traceback (most recent call last):\n  File \"/tmp/x/example.py\", line 7, in <module>\n    f()\n  File \"/tmp/x/example.py\", line 3, in f\n    assert False\n  File \"/usr/lib/python3.11/json/__init__.py\", line 9, in dumps\nAssertionError\n";
        assert_eq!(error_line(stderr, SCRIPT), Some(3));
        assert_eq!(
            error_line(
                "  File \"example.py\", line 2\n    def f(\nSyntaxError: '(' was never closed\n",
                SCRIPT
            ),
            Some(2)
        );
        assert_eq!(error_line("Killed\n", SCRIPT), None);
    }

    #[test]
    fn names_the_missing_tool() {
        assert_eq!(
            missing_tool("bash: line 1: hadolint: command not found\n").as_deref(),
            Some("hadolint")
        );
        assert_eq!(missing_tool("all good\n"), None);
    }
}
