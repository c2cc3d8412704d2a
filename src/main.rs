//! The `handbook` command: parses arguments, runs one subcommand, and turns
//! any error into a message and a non-zero exit code (the only place that does).

mod cli;

use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use handbook::diagnostics::Diagnostic;

fn main() -> ExitCode {
    match run(cli::Cli::parse()) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: cli::Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        cli::Command::Build { dir, dest_dir } => {
            build(&dir, handbook::output::Destination::Folder(dest_dir))?
        }
        cli::Command::Bundle { dir, output } => {
            build(&dir, handbook::output::Destination::Zip(output))?
        }
        cli::Command::Test {
            paths,
            book,
            jobs,
            python,
            no_browser,
        } => return test(paths, &book, jobs, python, !no_browser),
        cli::Command::Serve {
            dir,
            port,
            host,
            open,
        } => {
            let options = handbook::serve::Options {
                root: dir.clone(),
                host,
                port,
                open,
            };
            handbook::serve::serve(&options, print_serve_event)
                .with_context(|| format!("serving the book in `{}`", dir.display()))?;
        }
        cli::Command::Search {
            query,
            dir,
            limit,
            json,
        } => {
            let (book, pages) = handbook::pipeline::load_and_transform(&dir, &mut print_diagnostic)
                .with_context(|| format!("loading the book in `{}`", dir.display()))?;
            let index = handbook::search::index(handbook::search::documents(&book, &pages))?;
            let results = handbook::search::search(&index, &query, limit)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&results)?);
            } else if results.is_empty() {
                eprintln!("no results for {query:?}");
            }
            for found in results.iter().filter(|_| !json) {
                println!(
                    "{:>3}  {:>9.4}  {}  {} › {}",
                    found.rank, found.score, found.url, found.page, found.section
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `handbook build` and `handbook bundle`: the summary line on stdout.
fn build(dir: &std::path::Path, destination: handbook::output::Destination) -> anyhow::Result<()> {
    let summary = handbook::pipeline::build(dir, destination, &mut print_diagnostic)
        .with_context(|| format!("building the book in `{}`", dir.display()))?;
    let what = if summary.folder.is_some() {
        "bundled"
    } else {
        "built"
    };
    print!(
        "{what} {} pages ({} transformed, {} files) in {:.2}s → {}",
        summary.pages,
        summary.transformed,
        summary.files,
        summary.elapsed.as_secs_f64(),
        summary.dest.display()
    );
    match summary.folder {
        Some(folder) => println!(" (open {folder}/index.html after unzipping)"),
        None => println!(),
    }
    Ok(())
}

/// `handbook test`: failures and counts on stdout (CI reads the last line), progress on stderr.
fn test(
    paths: Vec<std::path::PathBuf>,
    book: &std::path::Path,
    jobs: Option<std::num::NonZeroUsize>,
    python: Option<String>,
    browser: bool,
) -> anyhow::Result<ExitCode> {
    use handbook::examples::{self, Status, browser::RecordState, report};
    let options = examples::Options {
        paths,
        jobs: jobs.unwrap_or_else(|| {
            std::thread::available_parallelism().unwrap_or(std::num::NonZeroUsize::MIN)
        }),
        cache_dir: examples::venv::default_cache_dir(),
        python,
        browser,
        // CI checks that the committed record is what the examples give.
        ci: std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0"),
    };
    let outcome = examples::test(book, &options, &mut |status| match status {
        Status::Diagnostic(diagnostic) => print_diagnostic(diagnostic),
        Status::CreatingVenv(dir) => eprintln!(
            "creating the virtual environment for examples that declare `requires` in {} (once; reused until the requirements or the interpreter change)",
            dir.display()
        ),
        Status::ReusingVenv(dir) => eprintln!("using the virtual environment in {}", dir.display()),
        Status::Uncontained => eprintln!(
            "warning: this machine gives examples no namespaces (util-linux `unshare` as root or with user namespaces): a daemon an example starts may outlive it, and the book is not mounted read-only for examples"
        ),
        Status::Running { examples, jobs } => {
            eprintln!("running {examples} examples, {jobs} at a time")
        }
        Status::Browser { version } => eprintln!(
            "running the Python examples again in the browser runtime (Pyodide {version}, in Node), for the Run buttons"
        ),
    });
    let report = outcome
        .with_context(|| format!("testing the examples of the book in `{}`", book.display()))?;
    for skipped in report.outcomes.iter().filter_map(report::not_run) {
        println!("{skipped}");
    }
    for failure in report.outcomes.iter().filter_map(report::failure) {
        println!("{failure}");
    }
    let stale = report.browser.as_ref().and_then(|b| match &b.record {
        RecordState::Stale(path) => Some(path.clone()),
        _ => None,
    });
    if let Some(browser) = &report.browser {
        print!("{}", report::browser(browser));
    }
    if let Some(path) = &stale {
        let path = path.display();
        println!(
            "error: {path} is out of date: the Run buttons it gives are not what these examples do in the browser runtime now; run `handbook test` and commit {path}"
        );
    }
    print!("{}", report::summary(&report));
    Ok(if report.failed() == 0 && stale.is_none() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn print_serve_event(event: handbook::serve::Event<'_>) {
    use handbook::serve::Event;
    match event {
        Event::Listening(url) => println!("serving the book at {url} (Ctrl-C to stop)"),
        Event::Diagnostic(diagnostic) => print_diagnostic(diagnostic),
        Event::Rebuilt { what, elapsed } => {
            println!("rebuilt {what} in {} ms", elapsed.as_millis())
        }
        Event::Failed { errors } => eprintln!(
            "build failed with {errors} error{}; the browser shows them until they are fixed",
            if errors == 1 { "" } else { "s" }
        ),
        Event::Warning(message) => eprintln!("warning: {message}"),
    }
}

fn print_diagnostic(diagnostic: &Diagnostic) {
    let text = diagnostic.to_string();
    if std::io::stderr().is_terminal() {
        let colour = if diagnostic.is_error() {
            "\x1b[31m"
        } else {
            "\x1b[33m"
        };
        eprintln!("{colour}{text}\x1b[0m");
    } else {
        eprintln!("{text}");
    }
}
