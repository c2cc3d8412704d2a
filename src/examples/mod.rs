//! `handbook test`: every example the book shows is run, and its output
//! checked, so no example a reader copies is wrong: Python scripts, `pycon`
//! sessions and terminal sessions.
//!
//! The stages mirror the build, and start from it: the book is loaded and
//! transformed exactly as `build` does (same errors), then [`extract`] takes
//! the examples from the parsed code blocks; [`venv`] prepares the
//! interpreter and the cached virtual environment; [`run`] runs each example
//! (or each session's examples, in order) in its own scratch folder
//! ([`scratch`]) through [`process`] (contained, with a timeout and an
//! output limit), with [`services`] such as Redis and PostgreSQL when asked,
//! and judges it; [`report`] turns the outcomes into text. The conventions
//! are documented for authors in `docs/writing-examples.md`.

pub mod browser;
pub mod extract;
mod process;
pub mod report;
pub(crate) mod run;
mod scratch;
pub mod services;
mod text;
pub mod venv;

use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{OnceLock, mpsc};
use std::time::{Duration, Instant};

use crate::diagnostics::{Diagnostic, Location};
use crate::model::Book;

/// One example from a chapter, ready to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    /// The block's opening fence, as shown to the user (`content/core/x.md:12`).
    pub location: Location,
    /// Script or interactive session.
    pub kind: Kind,
    /// Run, compile only, or leave alone.
    pub mode: Mode,
    /// The code as it runs: includes expanded, hidden lines' `#~` removed.
    pub code: String,
    /// Where each line of `code` is written: a chapter line, or a line of an included
    /// file, so an error points at what the author edits.
    pub lines: Vec<Location>,
    /// The ```` ```output ```` block right after a `python` block: what stdout must be.
    pub expected: Option<Expected>,
    /// A console block's commands, with their expected output and status.
    pub commands: Vec<crate::transform::code::console::Command>,
    /// Packages from the requirements file the example needs (`requires="pytest click"`).
    pub requires: Vec<String>,
    /// Services started for the run (`services="redis"`).
    pub services: Vec<services::Service>,
    /// How long the example may run.
    pub timeout: Duration,
    /// The oldest Python it runs on (`min_python="3.12"`); older interpreters skip it.
    pub min_python: Option<crate::transform::code::PythonVersion>,
    /// The session it shares a scratch folder with (`session="git-basics"`).
    pub session: Option<String>,
}

impl Example {
    /// Whether it runs with the examples' virtual environment: it imports pinned packages,
    /// or it is a shell session of a book that pins packages, so its `python`, `pip`,
    /// `pytest` are the pinned ones.
    pub fn needs_venv(&self, book_pins: bool) -> bool {
        !self.requires.is_empty() || (book_pins && matches!(self.kind, Kind::Console | Kind::Shell))
    }
}

/// The expected output of a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    /// The chapter line of the output block's opening fence.
    pub line: usize,
    /// The block's text.
    pub text: String,
}

/// How an example is run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A ```` ```python ```` block: a script that must exit 0.
    Script,
    /// A ```` ```pycon ```` block: an interactive session checked by doctest.
    Session,
    /// A ```` ```console ```` block: terminal commands run by bash, each output checked.
    Console,
    /// A ```` ```bash run ```` block: a script run by bash that must exit 0.
    Shell,
}

/// Whether an example runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// Run it and check it.
    Run,
    /// `no_run="why"`: only compiled, so a syntax error still fails.
    CompileOnly(String),
    /// `ignore="why"`: neither compiled nor run.
    Ignore(String),
}

/// What happened to one example.
#[derive(Debug)]
pub struct Outcome {
    /// Where the example (or the malformed block) is.
    pub location: Location,
    /// The verdict.
    pub verdict: Verdict,
}

/// Passed, not run, or failed.
#[derive(Debug)]
pub enum Verdict {
    /// It ran (or compiled, for `no_run`) and matched.
    Passed,
    /// `ignore`d, or too new for the interpreter, with the reason.
    NotRun(String),
    /// It failed; the report says how.
    Failed(Box<run::Failure>),
}

pub use run::{Failure, Problem, SessionMismatch};

/// What `handbook test` found.
#[derive(Debug)]
pub struct Report {
    /// One outcome per example, in book order.
    pub outcomes: Vec<Outcome>,
    /// How many examples ran at once.
    pub jobs: usize,
    /// Wall-clock time of the whole run, venv preparation included.
    pub elapsed: Duration,
    /// What running the examples in the browser runtime found (`None` when skipped).
    pub browser: Option<browser::Summary>,
}

impl Report {
    /// Examples that passed.
    pub fn passed(&self) -> usize {
        self.count(|v| matches!(v, Verdict::Passed))
    }

    /// Examples that failed (malformed blocks included).
    pub fn failed(&self) -> usize {
        self.count(|v| matches!(v, Verdict::Failed(_)))
    }

    /// Examples marked `ignore`, or too new for the interpreter.
    pub fn not_run(&self) -> usize {
        self.count(|v| matches!(v, Verdict::NotRun(_)))
    }

    fn count(&self, pred: impl Fn(&Verdict) -> bool) -> usize {
        self.outcomes.iter().filter(|o| pred(&o.verdict)).count()
    }
}

/// What to test and how.
#[derive(Debug, Clone)]
pub struct Options {
    /// Chapters (Markdown files or folders) to test; empty means the whole book.
    pub paths: Vec<PathBuf>,
    /// How many examples run at once.
    pub jobs: NonZeroUsize,
    /// Where virtual environments are cached (see [`venv::default_cache_dir`]).
    pub cache_dir: PathBuf,
    /// The interpreter, instead of book.toml's `[test] python`.
    pub python: Option<String>,
    /// Also run the Python examples in the browser runtime and update the record of
    /// those that get a Run button (unless `[output.html.playground] runnable = false`).
    pub browser: bool,
    /// Running on CI: a record that is out of date fails the run instead of being written.
    pub ci: bool,
}

/// Progress worth telling the user about while the examples run.
#[derive(Debug)]
pub enum Status<'a> {
    /// A problem found while loading the book.
    Diagnostic(&'a Diagnostic),
    /// The virtual environment is being created (slow, once per requirements file).
    CreatingVenv(&'a Path),
    /// The cached virtual environment is reused.
    ReusingVenv(&'a Path),
    /// Examples cannot be given namespaces here: a daemon they start may outlive them.
    Uncontained,
    /// The Python examples run again in the browser runtime, in Node.
    Browser {
        /// The runtime's version.
        version: &'static str,
    },
    /// The examples start running.
    Running {
        /// How many examples were found (ignored ones included).
        examples: usize,
        /// How many run at once.
        jobs: usize,
    },
}

/// Why `handbook test` could not run at all (failing examples are not errors: see [`Report`]).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The book could not be loaded.
    #[error(transparent)]
    Book(#[from] crate::Error),
    /// A path given on the command line names no chapter.
    #[error(
        "`{path}` is not a chapter or a folder of chapters of this book{hint}; give Markdown files listed in SUMMARY.md (or files they include), relative to the current folder or to `{src}`"
    )]
    NotAChapter {
        /// The path as given.
        path: String,
        /// ` (did you mean …?)`, or empty.
        hint: String,
        /// The book's source folder, as shown to the user.
        src: String,
    },
    /// The configured interpreter cannot be run.
    #[error(transparent)]
    Interpreter(#[from] venv::InterpreterError),
    /// The examples could not be run in the browser runtime.
    #[error(transparent)]
    Browser(#[from] browser::VerifyError),
    /// The folder examples run in cannot be made.
    #[error("cannot make the folder examples run in (in {}): {source}", std::env::temp_dir().display())]
    Scratch {
        /// Why.
        source: std::io::Error,
    },
}

/// Loads and transforms the book in `root` as `build` does, runs the selected examples
/// (sessions in order, the rest in parallel), and reports each outcome.
pub fn test(
    root: &Path,
    options: &Options,
    status: &mut dyn FnMut(Status<'_>),
) -> Result<Report, Error> {
    let start = Instant::now();
    scratch::clean_up_on_signals();
    let (book, pages) =
        crate::pipeline::load_and_transform(root, &mut |d| status(Status::Diagnostic(d)))?;
    let chapters = select(&book, &options.paths)?;
    let found: Vec<Example> = chapters
        .iter()
        .flat_map(|&index| extract::examples(&book, &pages[index]))
        .collect();

    let python = options
        .python
        .as_deref()
        .unwrap_or(&book.config.test.python);
    let python = venv::Interpreter::probe(python)?;
    let requirements = book.config.test.requirements.clone();
    let book_pins = requirements.is_file();
    let plan = needs_venv(&found, &python, book_pins).then(|| {
        let shown = book.config.display_path(&requirements);
        let plan = venv::Plan::new(&python, &requirements, shown, &options.cache_dir);
        match &plan {
            Ok(plan) if plan.is_ready() => status(Status::ReusingVenv(plan.dir())),
            Ok(plan) => status(Status::CreatingVenv(plan.dir())),
            Err(_) => {}
        }
        plan
    });
    let jobs = options.jobs.get();
    if process::containment() == process::Containment::ProcessGroup {
        status(Status::Uncontained);
    }
    status(Status::Running {
        examples: found.len(),
        jobs,
    });
    let run_dir = scratch::RunDir::create().map_err(|source| Error::Scratch { source })?;
    let venv = OnceLock::new();
    let runner = run::Runner::new(
        &python,
        plan.is_some().then_some(&venv),
        &run_dir,
        &book.config.root,
    )
    .map_err(|source| Error::Scratch { source })?;
    let runner = runner.with_pinned_sessions(book_pins);
    let outcomes = std::thread::scope(|scope| {
        if let Some(plan) = plan {
            // Made while the other examples run; the examples that need it run last.
            scope.spawn(|| venv.get_or_init(|| plan.and_then(venv::Plan::ensure)));
        }
        run_all(&runner, &found, jobs, book_pins)
    });
    scratch::wait_if_interrupted();
    services::stop_shared();
    let browser = if options.browser && book.config.html.playground.runnable {
        status(Status::Browser {
            version: crate::pyodide::version(),
        });
        let cache = &options.cache_dir;
        Some(browser::check_book(
            &book, &pages, &chapters, cache, options.ci,
        )?)
    } else {
        None
    };
    Ok(Report {
        outcomes,
        jobs,
        elapsed: start.elapsed(),
        browser,
    })
}

/// The examples grouped into jobs: each session's examples together, in book order
/// (a session belongs to one chapter), every other example alone.
fn jobs(found: &[Example]) -> Vec<Vec<usize>> {
    let mut jobs: Vec<Vec<usize>> = Vec::new();
    let mut sessions: std::collections::HashMap<(&Path, &str), usize> = Default::default();
    for (index, example) in found.iter().enumerate() {
        match &example.session {
            Some(name) => {
                let key = (example.location.file.as_path(), name.as_str());
                let job = *sessions.entry(key).or_insert_with(|| {
                    jobs.push(Vec::new());
                    jobs.len() - 1
                });
                jobs[job].push(index);
            }
            None => jobs.push(vec![index]),
        }
    }
    jobs
}

/// Runs the jobs on `jobs` threads, those that need the virtual environment last, and
/// the longest sessions first among them; returns the outcomes in book order.
fn run_all(
    runner: &run::Runner<'_>,
    found: &[Example],
    jobs: usize,
    book_pins: bool,
) -> Vec<Outcome> {
    let mut order = self::jobs(found);
    order.sort_by_key(|job| {
        let venv = job.iter().any(|&i| found[i].needs_venv(book_pins));
        (venv, std::cmp::Reverse(job.len()))
    });
    let next = AtomicUsize::new(0);
    let (done, outcomes) = mpsc::channel();
    std::thread::scope(|scope| {
        for _ in 0..jobs.min(order.len()) {
            let done = done.clone();
            let (next, order) = (&next, &order);
            scope.spawn(move || {
                while let Some(job) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let examples: Vec<&Example> = job.iter().map(|&i| &found[i]).collect();
                    for (&index, (location, verdict)) in job.iter().zip(runner.run_job(&examples)) {
                        done.send((index, Outcome { location, verdict }))
                            .expect("the receiver outlives the workers");
                    }
                }
            });
        }
    });
    drop(done);
    let mut outcomes: Vec<(usize, Outcome)> = outcomes.into_iter().collect();
    outcomes.sort_by_key(|(index, _)| *index);
    outcomes.into_iter().map(|(_, outcome)| outcome).collect()
}

/// A virtual environment is made only when an example that runs needs it (and is not
/// too new for the interpreter).
fn needs_venv(found: &[Example], python: &venv::Interpreter, book_pins: bool) -> bool {
    let runs_here = |e: &Example| e.min_python <= Some(python.feature_release());
    found
        .iter()
        .any(|e| e.mode == Mode::Run && e.needs_venv(book_pins) && runs_here(e))
}

/// The chapters `paths` name (files or folders, relative to the current folder or to the
/// book's source folder), in book order; all chapters when `paths` is empty. A file that
/// chapters include (`{{#include ../examples/cache.py}}`) selects those chapters.
fn select(book: &Book, paths: &[PathBuf]) -> Result<Vec<usize>, Error> {
    if paths.is_empty() {
        return Ok((0..book.chapters.len()).collect());
    }
    let mut chosen = vec![false; book.chapters.len()];
    for path in paths {
        let wanted = source_relative(&book.config.src_dir, path);
        let mut any = false;
        for (index, chapter) in book.chapters.iter().enumerate() {
            let mut included = chapter.includes.iter();
            if within(&chapter.source_path, &wanted) || included.any(|f| within(f, &wanted)) {
                chosen[index] = true;
                any = true;
            }
        }
        if !any {
            let suggestion = crate::diagnostics::closest(
                &wanted,
                book.chapters.iter().map(|c| c.source_path.as_str()),
            );
            return Err(Error::NotAChapter {
                path: path.display().to_string(),
                hint: suggestion
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default(),
                src: book
                    .config
                    .display_path(&book.config.src_dir)
                    .display()
                    .to_string(),
            });
        }
    }
    Ok((0..chosen.len()).filter(|&i| chosen[i]).collect())
}

/// Whether `file` is `wanted` or lies in the folder `wanted` (`/`-separated, relative paths).
fn within(file: &str, wanted: &str) -> bool {
    wanted.is_empty()
        || file == wanted
        || file
            .strip_prefix(wanted)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// `path` relative to `src_dir`, `/`-separated: taken relative to the current folder when it
/// exists there and lies inside `src_dir`, else as already relative to `src_dir`.
fn source_relative(src_dir: &Path, path: &Path) -> String {
    let inside_src = std::fs::canonicalize(path).ok().and_then(|full| {
        let src = std::fs::canonicalize(src_dir).ok()?;
        full.strip_prefix(&src).ok().map(Path::to_path_buf)
    });
    let relative = inside_src.unwrap_or_else(|| path.to_path_buf());
    let parts: Vec<String> = relative
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}
