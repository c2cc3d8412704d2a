//! Command-line arguments (clap derive), in mdBook's shape.

use std::num::NonZeroUsize;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Builds the Python handbook (or any mdBook-style book) into a fast, searchable site.
#[derive(Debug, Parser)]
#[command(name = "handbook", version, about, propagate_version = true)]
pub(crate) struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Build the book into a static site (default: `[build] build-dir`, i.e. `book/`).
    Build {
        /// The book's folder (holding book.toml).
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Write the site here instead.
        #[arg(short, long, value_name = "OUT")]
        dest_dir: Option<PathBuf>,
    },
    /// Build the book and write it as one offline .zip that works from disk.
    Bundle {
        /// The book's folder (holding book.toml).
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// The zip to write (default: `<build-dir>.zip`, e.g. `book.zip`).
        #[arg(short, long, value_name = "FILE.zip")]
        output: Option<PathBuf>,
    },
    /// Run every Python example in the book (or in the given chapters) and check its output.
    ///
    /// `python` blocks run as scripts (an ```output block right after one must match its
    /// stdout), `pycon` blocks run as doctest sessions; see docs/writing-examples.md.
    Test {
        /// Chapters to test: Markdown files or folders, relative to the current folder or to
        /// the book's source folder (default: the whole book).
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// The book's folder (holding book.toml).
        #[arg(short, long, value_name = "DIR", default_value = ".")]
        book: PathBuf,
        /// How many examples run at once (default: the number of CPUs).
        #[arg(short, long, value_name = "N")]
        jobs: Option<NonZeroUsize>,
        /// The Python interpreter to run them with (default: book.toml's `[test] python`,
        /// else `python3`), e.g. a newer one for examples marked `min_python="3.13"`.
        #[arg(long, value_name = "COMMAND")]
        python: Option<String>,
        /// Do not run the Python examples again in the browser runtime (Pyodide, in Node),
        /// which decides the Run buttons; the record is left as it is.
        #[arg(long)]
        no_browser: bool,
    },
    /// Serve the book at http://127.0.0.1:3000/, rebuild on every change and reload open pages.
    Serve {
        /// The book's folder (holding book.toml).
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// The port to listen on (0: any free port).
        #[arg(short, long, default_value_t = 3000)]
        port: u16,
        /// The address to listen on. Other machines can reach the server only if you
        /// choose one of their networks' addresses (or 0.0.0.0).
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
        host: String,
        /// Open the book in the default browser.
        #[arg(short, long)]
        open: bool,
    },
    /// Search the book, ranked exactly as the site's search box ranks (from tantivy directly).
    Search {
        /// The query: words; the last word, without a trailing space, also matches as a prefix;
        /// "quoted phrases"; misspelt words match the closest words.
        query: String,
        /// The book's folder (holding book.toml).
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// How many results to show.
        #[arg(short = 'n', long, default_value_t = 10)]
        limit: usize,
        /// Print the results as JSON.
        #[arg(long)]
        json: bool,
    },
}
