//! The text `handbook test` prints: each example not run and why; each
//! failure at `file:line` with what ran, a diff of expected against actual
//! output and the end of stderr; then the counts, closing with the plain
//! `N passed, N failed` line CI reads.

use similar::TextDiff;

use super::text::{normalize_output, tail};
use super::{Failure, Outcome, Problem, Report, Verdict};
use crate::diagnostics::Location;

/// How many lines of a stream a failure shows.
const STDERR_LINES: usize = 20;
const STDOUT_LINES: usize = 10;

/// `file:line: not run: why`, for an example that was not run.
pub fn not_run(outcome: &Outcome) -> Option<String> {
    let Verdict::NotRun(reason) = &outcome.verdict else {
        return None;
    };
    Some(format!("{}: not run: {reason}", outcome.location))
}

/// The failure report of `outcome`, or `None` if it did not fail.
pub fn failure(outcome: &Outcome) -> Option<String> {
    let Verdict::Failed(failure) = &outcome.verdict else {
        return None;
    };
    let at = |line: usize| Location {
        line,
        ..outcome.location.clone()
    };
    let mut out = format!("{}: {}\n", outcome.location, headline(failure));
    let mut details = String::new();
    if let Some(command) = &failure.command {
        details.push_str(&format!("ran: {command}\n"));
    }
    match &failure.problem {
        Problem::Invalid(_) | Problem::Setup(_) => {}
        Problem::Exit { at: line, .. } | Problem::DoesNotCompile { at: line, .. } => {
            if let Some(line) = line {
                details.push_str(&format!("error at {line}\n"));
            }
            stream(&mut details, "stdout", &failure.stdout, STDOUT_LINES);
        }
        Problem::TimedOut(_) | Problem::TooMuchOutput | Problem::MissingTool(_) => {
            stream(&mut details, "stdout", &failure.stdout, STDOUT_LINES)
        }
        Problem::Command { expected, .. } => {
            details.push_str(&diff(
                &expected.join("\n"),
                &normalize_output(&failure.stdout),
                "expected",
                "actual (stdout and stderr)",
            ));
        }
        Problem::OutputDiffers { expected } => {
            details.push_str(&diff(
                &normalize_output(&expected.text),
                &normalize_output(&failure.stdout),
                &format!("expected ({})", at(expected.line)),
                "actual stdout",
            ));
        }
        Problem::Session(mismatches) => {
            for m in mismatches {
                let statement = prompted(&m.source);
                match &m.line {
                    Some(line) => {
                        details.push_str(&format!("{line}: {statement}\n"));
                    }
                    None => {
                        details.push_str(&format!("{statement}\n"));
                    }
                }
                details.push_str(&diff(&m.want, &m.got, "expected", "actual"));
            }
        }
    }
    stream(&mut details, "stderr", &failure.stderr, STDERR_LINES);
    for line in details.lines() {
        out.push_str(&format!("    {line}\n"));
    }
    Some(out)
}

fn headline(failure: &Failure) -> String {
    match &failure.problem {
        Problem::Invalid(message) | Problem::Setup(message) => message.clone(),
        Problem::Exit { status, .. } => format!("the example exited with {status}"),
        Problem::DoesNotCompile { language, .. } => format!(
            "the `no_run` example does not compile (it is not run, but must be valid {language})"
        ),
        Problem::TimedOut(limit) => format!(
            "the example timed out after {}s and was killed (raise it with timeout=N if it is slow on purpose)",
            limit.as_secs()
        ),
        Problem::TooMuchOutput => format!(
            "the example printed more than {} MiB and was stopped",
            super::process::KEEP >> 20
        ),
        Problem::MissingTool(tool) => format!(
            "`{tool}` is not installed on this machine: install it (scripts/setup.sh installs what the handbook needs), or mark the block no_run=\"needs {tool}\""
        ),
        Problem::Command {
            wanted_status,
            status,
            ..
        } if wanted_status != status => format!(
            "the command exited with status {status}, expected {wanted_status}{}",
            if *wanted_status == 0 {
                " (if it is meant to fail, end its output with a line `[exit N]`)"
            } else {
                ""
            }
        ),
        Problem::Command { .. } => "the command's output differs from the session".to_string(),
        Problem::OutputDiffers { expected } => format!(
            "the example's output differs from the ```output block at line {}",
            expected.line
        ),
        Problem::Session(mismatches) => {
            let n = mismatches.len();
            format!(
                "the session gave unexpected output for {n} statement{}",
                if n == 1 { "" } else { "s" }
            )
        }
    }
}

/// `source` with its `>>>` and `...` prompts back, as in the chapter.
fn prompted(source: &str) -> String {
    source
        .trim_end()
        .lines()
        .enumerate()
        .map(|(i, line)| format!("{} {line}", if i == 0 { ">>>" } else { "..." }))
        .collect::<Vec<_>>()
        .join(" ")
}

fn diff(expected: &str, actual: &str, expected_name: &str, actual_name: &str) -> String {
    let with_newline = |text: &str| {
        let text = text.trim_end_matches('\n');
        if text.is_empty() {
            String::new()
        } else {
            format!("{text}\n")
        }
    };
    let (expected, actual) = (with_newline(expected), with_newline(actual));
    TextDiff::from_lines(&expected, &actual)
        .unified_diff()
        .context_radius(3)
        .header(expected_name, actual_name)
        .to_string()
}

fn stream(out: &mut String, name: &str, text: &str, lines: usize) {
    if text.trim().is_empty() {
        return;
    }
    out.push_str(&format!("{name} (last {lines} lines):\n"));
    for line in tail(text, lines).lines() {
        out.push_str(&format!("  | {line}\n"));
    }
}

/// The closing lines: counts and time, then exactly `N passed, N failed`.
pub fn summary(report: &Report) -> String {
    let (passed, failed) = (report.passed(), report.failed());
    format!(
        "examples: {passed} passed, {failed} failed, {} not run ({:.1}s, {} at a time)\n{passed} passed, {failed} failed\n",
        report.not_run(),
        report.elapsed.as_secs_f64(),
        report.jobs
    )
}

/// What the browser runtime made of the Python examples: how many get a Run button,
/// why the others do not (the failures grouped by their error), and the record's state.
pub fn browser(summary: &super::browser::Summary) -> String {
    use super::browser::RecordState;
    let mut out = format!(
        "browser (Pyodide {}): {} of {} Python blocks run give the book's output and get a Run button",
        crate::pyodide::version(),
        summary.verified,
        summary.ran
    );
    if let Some((startup, elapsed)) = summary.timing {
        out.push_str(&format!(
            " (in Node: {:.1}s, of which start-up {:.1}s)",
            elapsed.as_secs_f64(),
            startup.as_secs_f64()
        ));
    }
    out.push('\n');
    if !summary.excluded.is_empty() {
        let reasons: Vec<String> = summary
            .excluded
            .iter()
            .map(|(reason, n)| format!("{n} {}", reason.describe()))
            .collect();
        out.push_str(&format!("  no Run button: {}\n", reasons.join(", ")));
    }
    let mut causes: std::collections::BTreeMap<&str, usize> = Default::default();
    for (_, why) in &summary.failures {
        let cause = why.split_once(": ").map_or(why.as_str(), |(_, rest)| rest);
        *causes.entry(cause).or_default() += 1;
    }
    let mut causes: Vec<(&str, usize)> = causes.into_iter().collect();
    causes.sort_by_key(|(cause, n)| (std::cmp::Reverse(*n), *cause));
    for (cause, n) in causes {
        out.push_str(&format!("    {n} × {cause}\n"));
    }
    out.push_str(&match &summary.record {
        RecordState::Unchanged(path) => format!("  record {} is up to date\n", path.display()),
        RecordState::Written(path) => format!("  record {} updated: commit it\n", path.display()),
        RecordState::Stale(path) => format!("  record {} is stale\n", path.display()),
        RecordState::Unsteady(path, count) => format!(
            "  warning: record {} is current, but {count} example(s) gave a different verdict in the browser runtime this time (timing on a loaded machine?); it was left as it is\n",
            path.display()
        ),
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_marks_changed_lines() {
        let d = diff("a\nb\n", "a\nc", "expected", "actual");
        assert!(d.contains("-b\n+c\n"), "{d}");
        assert!(!d.contains("No newline"), "{d}");
    }

    #[test]
    fn prompts_are_restored() {
        assert_eq!(
            prompted("for x in y:\n    f(x)\n"),
            ">>> for x in y: ...     f(x)"
        );
    }
}
