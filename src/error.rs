//! The library's error type: what can stop a build before it finishes.

use std::path::PathBuf;

use crate::diagnostics::Diagnostic;

/// Everything that can make a build fail.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or folder could not be read or written.
    #[error("{path}")]
    Io {
        /// The path that was being read or written.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// One problem with the book's input, with its location.
    #[error("{0}")]
    Input(Box<Diagnostic>),
    /// The build found errors in the book; each was reported as it was found.
    #[error("build failed: {count} error{s}", s = if *count == 1 { "" } else { "s" })]
    Failed {
        /// How many errors were reported.
        count: usize,
    },
    /// A theme template failed to parse or render.
    #[error("template error in {template}:\n{message}")]
    Template {
        /// The template's name, e.g. `chapter.html`.
        template: String,
        /// Tera's report, which names the line.
        message: String,
    },
    /// Building the search index failed.
    #[error(transparent)]
    Search(#[from] search_index::Error),
    /// The runtime of the Run buttons could not be installed.
    #[error(transparent)]
    Runtime(#[from] crate::pyodide::RuntimeError),
    /// The theme's CSS failed to bundle or minify.
    #[error("CSS error in the theme's {}: {message}", crate::diagnostics::Location { file: file.into(), line: *line, col: *col })]
    Css {
        /// The stylesheet, relative to the theme folder (`css/main.css`).
        file: String,
        /// 1-based line, or 0 if unknown.
        line: usize,
        /// 1-based column, or 0 if unknown.
        col: usize,
        /// What lightningcss reported.
        message: String,
    },
}

impl Error {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io { path, source }
    }
}

/// Result with the library's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
