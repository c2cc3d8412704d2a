//! The library's error type: what can stop a build before it finishes.

use std::path::PathBuf;

use crate::diagnostics::{Diagnostic, Location};

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
    #[error("{location}: template error: {message}")]
    Template {
        /// The template's file and, where Tera knows it, line and column.
        location: Location,
        /// Tera's report.
        message: String,
    },
    /// Building the search index failed.
    #[error(transparent)]
    Search(#[from] search_index::Error),
    /// The runtime of the Run buttons could not be installed.
    #[error(transparent)]
    Runtime(#[from] crate::pyodide::RuntimeError),
    /// The theme's CSS failed to bundle or minify.
    #[error("{location}: CSS error: {message}")]
    Css {
        /// The stylesheet's file, line and column.
        location: Location,
        /// What lightningcss reported.
        message: String,
    },
    /// A theme script does not parse, so it cannot be minified.
    #[error("{location}: JavaScript syntax error: {message}")]
    Script {
        /// The script's file, line and column.
        location: Location,
        /// What the parser reported.
        message: String,
    },
}

impl Error {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io { path, source }
    }

    /// The error as a diagnostic the terminal and `serve`'s overlay show: the one place
    /// where every kind of error gets its location. `None` for [`Error::Failed`], whose
    /// diagnostics were reported already.
    pub fn into_diagnostic(self) -> Option<Diagnostic> {
        Some(match self {
            Error::Input(diagnostic) => *diagnostic,
            Error::Io { path, source } => {
                Diagnostic::error(Location::file(path), source.to_string())
            }
            Error::Template { location, message }
            | Error::Css { location, message }
            | Error::Script { location, message } => Diagnostic::error(location, message),
            // Not a problem of the book's files: tantivy failing in memory is a bug.
            Error::Search(error) => Diagnostic::unlocated(error.to_string()),
            // npm or the cache folder: the message says what to install or turn off.
            Error::Runtime(error) => Diagnostic::unlocated(error.to_string()),
            Error::Failed { .. } => return None,
        })
    }
}

/// Result with the library's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
