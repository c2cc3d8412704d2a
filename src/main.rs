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
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: cli::Cli) -> anyhow::Result<()> {
    match cli.command {
        cli::Command::Build { dir, dest_dir } => {
            let summary =
                handbook::pipeline::build(&dir, dest_dir.as_deref(), &mut print_diagnostic)
                    .with_context(|| format!("building the book in `{}`", dir.display()))?;
            println!(
                "built {} pages ({} files) in {:.2}s → {}",
                summary.pages,
                summary.files,
                summary.elapsed.as_secs_f64(),
                summary.dest.display()
            );
        }
        cli::Command::Bundle { dir, output } => {
            let start = std::time::Instant::now();
            let site = handbook::pipeline::build_site(&dir, &mut print_diagnostic)
                .with_context(|| format!("building the book in `{}`", dir.display()))?;
            let output = output.unwrap_or_else(|| site.build_dir.with_extension("zip"));
            let folder = handbook::bundle::folder_name(&site.title);
            handbook::bundle::write_zip(&site, &folder, &output)
                .with_context(|| format!("writing the bundle `{}`", output.display()))?;
            println!(
                "bundled {} pages ({} files) in {:.2}s → {} (open {folder}/index.html after unzipping)",
                site.pages,
                site.files.len(),
                start.elapsed().as_secs_f64(),
                output.display()
            );
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
    Ok(())
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
