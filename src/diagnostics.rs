//! Warnings and errors about the book's input, located at `file:line:col`.
//!
//! Stages report every problem they find and carry on (like ripgrep's
//! per-file messages); the pipeline fails at the end if any was an error, so
//! one build shows every broken link at once.

use std::fmt;
use std::path::{Path, PathBuf};

/// How bad a diagnostic is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Severity {
    /// Information: an accepted setting that has no effect here, and why.
    Note,
    /// Reported, but the build still succeeds.
    Warning,
    /// Reported, and the build fails.
    Error,
}

/// Where in a file a problem is. `line` and `col` are 1-based; 0 means unknown.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct Location {
    /// The file, as shown to the user (relative to the book's root).
    pub file: PathBuf,
    /// 1-based line, or 0 when the problem concerns the whole file.
    pub line: usize,
    /// 1-based column (in characters), or 0.
    pub col: usize,
}

impl Location {
    /// A location covering a whole file.
    pub fn file(file: impl Into<PathBuf>) -> Self {
        Location {
            file: file.into(),
            line: 0,
            col: 0,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
            if self.col > 0 {
                write!(f, ":{}", self.col)?;
            }
        }
        Ok(())
    }
}

/// One problem with the input.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Diagnostic {
    /// Warning or error.
    pub severity: Severity,
    /// Where it is; `None` only for failures that concern no file of the book.
    pub location: Option<Location>,
    /// What is wrong and, where possible, what to do.
    pub message: String,
}

impl Diagnostic {
    /// An error at `location`.
    pub fn error(location: Location, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            location: Some(location),
            message: message.into(),
        }
    }

    /// An error that concerns no file of the book (an internal failure).
    pub fn unlocated(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            location: None,
            message: message.into(),
        }
    }

    /// A warning at `location`.
    pub fn warning(location: Location, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            location: Some(location),
            message: message.into(),
        }
    }

    /// A note at `location`.
    pub fn note(location: Location, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Note,
            location: Some(location),
            message: message.into(),
        }
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.severity {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        if let Some(location) = &self.location {
            write!(f, "{location}: ")?;
        }
        write!(f, "{kind}: {}", self.message)
    }
}

/// Maps byte offsets in one source text to 1-based line and column.
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { line_starts }
    }

    /// Line and column (both 1-based, column in characters) of `offset` in `text`.
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let line = self.line_starts.partition_point(|&start| start <= offset);
        let start = self.line_starts[line - 1];
        let col = text.get(start..offset).map_or(1, |s| s.chars().count() + 1);
        (line, col)
    }

    /// A [`Location`] in `file` for `offset` in `text`.
    pub fn locate(&self, file: &Path, text: &str, offset: usize) -> Location {
        let (line, col) = self.line_col(text, offset);
        Location {
            file: file.to_path_buf(),
            line,
            col,
        }
    }
}

/// The closest candidate to `wanted`, if any is close enough to be a likely typo.
pub fn closest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::levenshtein(wanted, c), c))
        .filter(|(d, c)| *d <= (wanted.len().max(c.len()) / 2).max(2))
        .min()
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let text = "first\nsé[x](y)\n";
        let index = LineIndex::new(text);
        let offset = text.find('[').unwrap();
        assert_eq!(index.line_col(text, offset), (2, 3));
        assert_eq!(index.line_col(text, 0), (1, 1));
    }

    #[test]
    fn closest_prefers_smallest_distance_and_rejects_far_ones() {
        let ids = ["closures", "decorators", "scopes"];
        assert_eq!(closest("closure", ids), Some("closures"));
        assert_eq!(closest("zzzzzzzzzzzz", ids), None);
    }
}
