//! The examples readers can run in the page: which Python examples the
//! browser runtime ([`crate::pyodide`]) could run, what exactly each run is
//! (its *hash*), running them all under that runtime in Node, and the
//! verification record that decides which examples get a Run button.
//!
//! A job is one example, or every block of a shared `session="name"` (run in
//! order, as the browser runs the blocks before the one clicked). The hash of a
//! block covers the runtime's identity, its kind, code and expected output, and
//! those of the blocks before it in its job: the build shows a Run button only
//! when a block's current hash is in the record, so an example edited since
//! the last `handbook test`, or a new runtime, never shows an unverified
//! button. The record is a text file in the book's source folder
//! ([`crate::pyodide::RECORD_FILE`]), one `chapter hash` line per verified block, sorted, so
//! its diff in a pull request says which examples changed.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::{Example, Kind, Mode};
use crate::diagnostics::Location;
use crate::model::Book;
use crate::pyodide::{self, Runtime, RuntimeError};
use crate::transform::Page;

/// Why an example has no Run button.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reason {
    /// A terminal session or shell script: the browser has no shell.
    NotPython,
    /// `no_run` or `ignore`.
    NotRun,
    /// `requires=`: packages the runtime does not have.
    NeedsPackages,
    /// `services=`: servers the browser cannot start.
    NeedsServices,
    /// A Python block of a session that also has blocks the browser cannot run.
    SessionNeedsMore,
    /// It ran under the runtime but did not give the book's output (threads,
    /// subprocesses, sockets, files outside the scratch folder, a time limit).
    FailsInRuntime,
}

impl Reason {
    /// Why, for the summary `handbook test` prints.
    pub fn describe(self) -> &'static str {
        match self {
            Reason::NotPython => "terminal sessions and shell scripts",
            Reason::NotRun => "marked no_run or ignore",
            Reason::NeedsPackages => "need packages (requires=)",
            Reason::NeedsServices => "need services (services=)",
            Reason::SessionNeedsMore => "in a session with blocks the browser cannot run",
            Reason::FailsInRuntime => "do not give the book's output in Pyodide",
        }
    }
}

/// One block of a job, as the runner (`playground/runner.py`) receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Block {
    /// `script` or `pycon`.
    pub kind: &'static str,
    /// The code as it runs (hidden lines included).
    pub code: String,
    /// A script's expected stdout.
    pub expected: Option<String>,
    /// The file a script runs from in its scratch folder, as `handbook test` names it
    /// natively (tracebacks and `__file__` show it).
    pub file: &'static str,
    /// Whether the file is removed after it ran (a session's later blocks do not see it).
    pub transient: bool,
}

/// The file names scripts run from, for the browser's player, which builds the blocks
/// itself: `[alone, in a session]`.
pub const SCRIPT_FILES: [&str; 2] = [super::run::SCRIPT, super::run::SESSION_SCRIPT];

/// Examples run together in one scratch folder.
#[derive(Debug, Clone)]
pub struct Job {
    /// The blocks, in order.
    pub blocks: Vec<Block>,
    /// Where each block is.
    pub locations: Vec<Location>,
    /// Each block's hash (it covers the blocks before it).
    pub hashes: Vec<String>,
    /// How long the whole job may run.
    pub timeout: Duration,
}

/// A chapter's examples, sorted into jobs the browser could run and the rest.
#[derive(Debug, Default)]
pub struct Plan {
    /// What could run in the browser.
    pub jobs: Vec<Job>,
    /// What cannot, and why.
    pub excluded: Vec<(Location, Reason)>,
}

/// Sorts one chapter's examples (in order) into jobs and exclusions.
pub fn plan(examples: &[Example]) -> Plan {
    let mut plan = Plan::default();
    let mut sessions: Vec<(&str, Vec<&Example>)> = Vec::new();
    for example in examples {
        match &example.session {
            Some(name) => match sessions.iter_mut().find(|(n, _)| n == name) {
                Some((_, members)) => members.push(example),
                None => sessions.push((name, vec![example])),
            },
            None => match reason(example) {
                Some(why) => plan.excluded.push((example.location.clone(), why)),
                None => plan.jobs.push(job(&[example])),
            },
        }
    }
    for (_, members) in sessions {
        let reasons: Vec<Option<Reason>> = members.iter().map(|e| reason(e)).collect();
        if reasons.iter().all(Option::is_none) {
            plan.jobs.push(job(&members));
            continue;
        }
        for (example, why) in members.iter().zip(reasons) {
            let why = why.unwrap_or(Reason::SessionNeedsMore);
            plan.excluded.push((example.location.clone(), why));
        }
    }
    plan
}

/// Why the browser cannot run `example`, or `None` when it might.
fn reason(example: &Example) -> Option<Reason> {
    if !matches!(example.kind, Kind::Script | Kind::Session) {
        return Some(Reason::NotPython);
    }
    if example.mode != Mode::Run {
        return Some(Reason::NotRun);
    }
    if !example.requires.is_empty() {
        return Some(Reason::NeedsPackages);
    }
    if !example.services.is_empty() {
        return Some(Reason::NeedsServices);
    }
    None
}

fn job(examples: &[&Example]) -> Job {
    let mut hasher = blake3::Hasher::new();
    hasher.update(pyodide::identity().as_bytes());
    let mut job = Job {
        blocks: Vec::new(),
        locations: Vec::new(),
        hashes: Vec::new(),
        timeout: examples.iter().map(|e| e.timeout).sum(),
    };
    for example in examples {
        let block = Block {
            kind: if example.kind == Kind::Session {
                "pycon"
            } else {
                "script"
            },
            code: example.code.clone(),
            expected: example.expected.as_ref().map(|e| e.text.clone()),
            file: SCRIPT_FILES[usize::from(example.session.is_some())],
            transient: example.session.is_some(),
        };
        for part in [
            block.kind,
            &block.code,
            block.expected.as_deref().unwrap_or("\0none"),
        ] {
            hasher.update(&(part.len() as u64).to_le_bytes());
            hasher.update(part.as_bytes());
        }
        job.hashes
            .push(hasher.finalize().to_hex()[..32].to_string());
        job.locations.push(example.location.clone());
        job.blocks.push(block);
    }
    job
}

/// The verification record: which blocks, by hash, gave the book's output in the
/// browser runtime, by chapter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    entries: BTreeSet<(String, String)>,
}

impl Record {
    /// Reads the record's text. A line that is not `chapter hash` is skipped: at worst an
    /// example loses its button until the next `handbook test`.
    pub fn parse(text: &str) -> Record {
        let entries = text
            .lines()
            .filter(|line| !line.starts_with('#'))
            .filter_map(|line| {
                let (chapter, hash) = line.trim().rsplit_once(' ')?;
                let valid = hash.len() == 32 && hash.bytes().all(|b| b.is_ascii_hexdigit());
                valid.then(|| (chapter.trim().to_string(), hash.to_string()))
            })
            .collect();
        Record { entries }
    }

    /// The record's text, as committed.
    pub fn to_text(&self) -> String {
        let mut text = format!(
            "# Examples verified to give the book's output in the browser, under Pyodide {}.\n\
             # Written by `handbook test`; the build shows a Run button only on these. Commit it.\n",
            pyodide::version()
        );
        for (chapter, hash) in &self.entries {
            text.push_str(&format!("{chapter} {hash}\n"));
        }
        text
    }

    /// Whether a block with this hash was verified.
    pub fn contains(&self, hash: &str) -> bool {
        self.entries.iter().any(|(_, h)| h == hash)
    }

    /// Whether nothing was verified.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// How many blocks were verified.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// The entries for `chapters`.
    fn entries_in<'a>(
        &'a self,
        chapters: &'a [&str],
    ) -> impl Iterator<Item = &'a (String, String)> + 'a {
        self.entries
            .iter()
            .filter(move |(chapter, _)| chapters.contains(&chapter.as_str()))
    }

    /// How many entries one record has that the other has not.
    fn differences(&self, other: &Record) -> usize {
        self.entries.symmetric_difference(&other.entries).count()
    }

    /// This record with `chapters`' entries replaced by `verified` (the chapters a run
    /// tested; the others keep theirs).
    pub fn replaced(&self, chapters: &[&str], verified: Vec<(String, String)>) -> Record {
        let mut entries: BTreeSet<(String, String)> = self
            .entries
            .iter()
            .filter(|(chapter, _)| !chapters.contains(&chapter.as_str()))
            .cloned()
            .collect();
        entries.extend(verified);
        Record { entries }
    }
}

/// What running the jobs under the runtime in Node found.
#[derive(Debug)]
pub struct Verification {
    /// For each job, each block run: `Ok` when it gave the book's output, else why not.
    /// A job stops at its first failing block; the blocks after it are missing.
    pub results: Vec<Vec<Result<(), String>>>,
    /// How long the runtime took to start.
    pub startup: Duration,
    /// How long the whole run took, start-up included.
    pub elapsed: Duration,
}

/// Why the jobs could not be run in Node at all.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The runtime could not be installed.
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
    /// Node could not be started.
    #[error(
        "verifying the examples for the browser needs Node.js, but `node` cannot be run ({0}); install it (Debian/Ubuntu: apt-get install nodejs), or skip this step with `handbook test --no-browser`"
    )]
    NodeMissing(std::io::Error),
    /// Node failed or ran past its time.
    #[error("verifying the examples in Node failed: {0}")]
    Node(String),
    /// A scratch file could not be written or read.
    #[error("verifying the examples in Node: {0}")]
    Io(#[from] std::io::Error),
}

#[derive(Serialize)]
struct Request<'a> {
    files: serde_json::Value,
    jobs: Vec<RequestJob<'a>>,
}

#[derive(Serialize)]
struct RequestJob<'a> {
    timeout: f64,
    blocks: &'a [Block],
}

#[derive(Deserialize)]
struct Response {
    startup_ms: f64,
    jobs: Vec<Vec<BlockResult>>,
}

#[derive(Deserialize)]
struct BlockResult {
    passed: bool,
    detail: String,
}

/// Runs `jobs` under the runtime in Node: one interpreter, each job in a fresh
/// namespace and scratch folder (see `playground/verify.mjs`).
pub fn verify(runtime: &Runtime, jobs: &[Job]) -> Result<Verification, VerifyError> {
    let start = Instant::now();
    let dir = tempfile::Builder::new()
        .prefix("handbook-browser-")
        .tempdir()?;
    let request = Request {
        files: pyodide::runner_files_json(),
        jobs: jobs
            .iter()
            .map(|job| RequestJob {
                timeout: job.timeout.as_secs_f64(),
                blocks: &job.blocks,
            })
            .collect(),
    };
    let (script, request_path, results_path) = (
        dir.path().join("verify.mjs"),
        dir.path().join("request.json"),
        dir.path().join("results.json"),
    );
    std::fs::write(&script, pyodide::VERIFY_MJS)?;
    std::fs::write(
        &request_path,
        serde_json::to_vec(&request).expect("the request serialises"),
    )?;
    let mut node = Command::new("node")
        .arg(&script)
        .arg(runtime.package_dir())
        .arg(&request_path)
        .arg(&results_path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(VerifyError::NodeMissing)?;
    let mut stderr = node.stderr.take().expect("piped stderr");
    // Read as it comes, so a chatty Node cannot fill the pipe and stall.
    let stderr = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    // Every job has its own time limit inside Node; this one is for Node itself.
    let limit = jobs.iter().map(|j| j.timeout).sum::<Duration>() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = node.try_wait()? {
            break status;
        }
        if start.elapsed() > limit {
            let _ = node.kill();
            let _ = node.wait();
            return Err(VerifyError::Node(format!(
                "Node ran for more than {} s",
                limit.as_secs()
            )));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stderr = stderr.join().unwrap_or_default();
    if !status.success() {
        return Err(VerifyError::Node(format!("{status}: {}", stderr.trim())));
    }
    let response: Response = serde_json::from_slice(&std::fs::read(&results_path)?)
        .map_err(|e| VerifyError::Node(format!("unreadable results: {e}")))?;
    Ok(Verification {
        results: response
            .jobs
            .into_iter()
            .map(|blocks| {
                blocks
                    .into_iter()
                    .map(|b| if b.passed { Ok(()) } else { Err(b.detail) })
                    .collect()
            })
            .collect(),
        startup: Duration::from_secs_f64(response.startup_ms / 1000.0),
        elapsed: start.elapsed(),
    })
}

/// What `handbook test` found about the browser.
#[derive(Debug)]
pub struct Summary {
    /// Blocks run under the runtime.
    pub ran: usize,
    /// Blocks that gave the book's output there: they get a Run button.
    pub verified: usize,
    /// Examples without a Run button, by reason.
    pub excluded: BTreeMap<Reason, usize>,
    /// Why each block that ran failed.
    pub failures: Vec<(Location, String)>,
    /// The runtime's start-up and the whole run in Node (`None` when nothing ran).
    pub timing: Option<(Duration, Duration)>,
    /// What became of the record.
    pub record: RecordState,
}

/// Whether the committed record was right.
#[derive(Debug, PartialEq, Eq)]
pub enum RecordState {
    /// It says what this run found.
    Unchanged(PathBuf),
    /// It was out of date and has been written.
    Written(PathBuf),
    /// It names examples whose code is no longer in the book (they were edited or removed
    /// without running `handbook test`), and this is CI: it was left as it is, and the
    /// run fails.
    Stale(PathBuf),
    /// Every example it names is still in the book, but this run's verdicts differ for
    /// some (`count`): a timing example near its threshold on a loaded machine. This is CI:
    /// it was left as it is, with a warning, because a verdict that flips with the
    /// machine's load is not a record out of date.
    Unsteady(PathBuf, usize),
}

/// Runs the browser-runnable examples of `chapters` under the runtime (installed in
/// `cache_dir` if needed; not at all when no example could run), and brings the record
/// up to date, or, with `ci`, reports it stale instead of writing it.
pub fn check_book(
    book: &Book,
    pages: &[Page],
    chapters: &[usize],
    cache_dir: &Path,
    ci: bool,
) -> Result<Summary, VerifyError> {
    let mut excluded: BTreeMap<Reason, usize> = BTreeMap::new();
    let mut jobs: Vec<(&str, Job)> = Vec::new();
    for &index in chapters {
        let plan = plan(&super::extract::examples(book, &pages[index]));
        for (_, reason) in plan.excluded {
            *excluded.entry(reason).or_default() += 1;
        }
        let chapter = book.chapters[index].source_path.as_str();
        jobs.extend(plan.jobs.into_iter().map(|job| (chapter, job)));
    }
    let mut summary = Summary {
        ran: jobs.iter().map(|(_, job)| job.blocks.len()).sum(),
        verified: 0,
        excluded,
        failures: Vec::new(),
        timing: None,
        record: RecordState::Unchanged(PathBuf::new()),
    };
    // Every block that ran, verified or not: what the record may name.
    let current: BTreeSet<(String, String)> = jobs
        .iter()
        .flat_map(|(chapter, job)| job.hashes.iter().map(|h| (chapter.to_string(), h.clone())))
        .collect();
    let mut verified = Vec::new();
    if !jobs.is_empty() {
        let runtime = Runtime::ensure(cache_dir)?;
        let all: Vec<Job> = jobs.iter().map(|(_, job)| job.clone()).collect();
        let verification = verify(&runtime, &all)?;
        summary.timing = Some((verification.startup, verification.elapsed));
        for ((chapter, job), results) in jobs.iter().zip(verification.results) {
            for (k, location) in job.locations.iter().enumerate() {
                match results.get(k) {
                    Some(Ok(())) => verified.push((chapter.to_string(), job.hashes[k].clone())),
                    Some(Err(why)) => summary.failures.push((location.clone(), why.clone())),
                    None => summary.failures.push((
                        location.clone(),
                        "an earlier block of its session failed".into(),
                    )),
                }
            }
        }
    }
    summary.verified = verified.len();
    if !summary.failures.is_empty() {
        summary
            .excluded
            .insert(Reason::FailsInRuntime, summary.failures.len());
    }
    let old = Record::parse(&book.playground_record);
    let tested: Vec<&str> = chapters
        .iter()
        .map(|&i| book.chapters[i].source_path.as_str())
        .collect();
    let new = old.replaced(&tested, verified);
    let file = pyodide::record_path(&book.config.src_dir);
    let path = book.config.display_path(&file);
    // An empty record and no file say the same.
    let same = new == old && (!book.playground_record.is_empty() || new.is_empty());
    let dead = old
        .entries_in(&tested)
        .any(|entry| !current.contains(entry));
    summary.record = if same {
        RecordState::Unchanged(path)
    } else if ci && dead {
        RecordState::Stale(path)
    } else if ci {
        RecordState::Unsteady(path, old.differences(&new))
    } else {
        std::fs::write(&file, new.to_text())?;
        RecordState::Written(path)
    };
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::examples::Expected;

    fn example(kind: Kind, code: &str, session: Option<&str>) -> Example {
        Example {
            location: Location {
                file: "src/ch.md".into(),
                line: 1,
                col: 0,
            },
            kind,
            mode: Mode::Run,
            code: code.into(),
            lines: Vec::new(),
            expected: None,
            commands: Vec::new(),
            requires: Vec::new(),
            services: Vec::new(),
            timeout: Duration::from_secs(10),
            min_python: None,
            session: session.map(String::from),
        }
    }

    #[test]
    fn a_session_with_a_terminal_block_is_not_run_and_says_why() {
        let found = [
            example(Kind::Script, "print(1)\n", Some("s")),
            example(Kind::Console, "", Some("s")),
            example(Kind::Session, ">>> 1\n1\n", None),
        ];
        let plan = plan(&found);
        assert_eq!(plan.jobs.len(), 1);
        assert_eq!(plan.jobs[0].blocks[0].kind, "pycon");
        let reasons: Vec<Reason> = plan.excluded.iter().map(|(_, r)| *r).collect();
        assert_eq!(reasons, [Reason::SessionNeedsMore, Reason::NotPython]);
    }

    #[test]
    fn a_block_hash_covers_its_expected_output_and_the_blocks_before_it() {
        let mut first = example(Kind::Script, "print(1)\n", Some("s"));
        let second = example(Kind::Script, "print(2)\n", Some("s"));
        let hashes = plan(&[first.clone(), second.clone()]).jobs[0]
            .hashes
            .clone();
        first.expected = Some(Expected {
            line: 5,
            text: "1\n".into(),
        });
        let changed = plan(&[first, second]).jobs[0].hashes.clone();
        assert_ne!(hashes[0], changed[0]);
        assert_ne!(
            hashes[1], changed[1],
            "the second block runs after the first"
        );
    }

    #[test]
    fn the_record_reads_what_it_writes_and_skips_other_lines() {
        let hash = "0123456789abcdef0123456789abcdef";
        let record = Record::default().replaced(&[], vec![("a b.md".into(), hash.into())]);
        let text = record.to_text();
        assert_eq!(Record::parse(&text), record);
        assert!(Record::parse(&text).contains(hash));
        let noisy = format!("{text}not a line\nch.md 123\n");
        assert_eq!(Record::parse(&noisy), record);
    }

    #[test]
    fn replacing_chapters_keeps_the_others_entries() {
        let (a, b) = ("a".repeat(32), "b".repeat(32));
        let record = Record::default().replaced(
            &[],
            vec![("one.md".into(), a.clone()), ("two.md".into(), b.clone())],
        );
        let replaced = record.replaced(&["one.md"], Vec::new());
        assert!(!replaced.contains(&a));
        assert!(replaced.contains(&b));
    }
}
