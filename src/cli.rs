//! Command-line arguments (clap derive), in mdBook's shape.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Builds the Python handbook (or any mdBook-style book) into a fast, searchable site.
#[derive(Debug, Parser)]
#[command(name = "handbook", version, about, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
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
