//! The book as plain data: what the loader produces and every later
//! stage reads. No I/O happens on these types.

use std::path::Path;

use crate::config::Config;

/// A file's path relative to the book's source folder, `/`-separated on every
/// system (`core/types.md`): how chapters, the files they include and assets are
/// named after loading. [`SourcePath::new`] is the one place a `\` becomes `/`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SourcePath(String);

impl SourcePath {
    /// The path `relative` (to the source folder), `/`-separated.
    pub fn new(relative: &Path) -> Self {
        SourcePath(relative.to_string_lossy().replace('\\', "/"))
    }

    /// The path as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for SourcePath {
    /// A path written with `/` already (in `SUMMARY.md`, or a link).
    fn from(path: &str) -> Self {
        SourcePath::new(Path::new(path))
    }
}

impl From<String> for SourcePath {
    fn from(path: String) -> Self {
        SourcePath::from(path.as_str())
    }
}

impl std::ops::Deref for SourcePath {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<Path> for SourcePath {
    fn as_ref(&self) -> &Path {
        Path::new(&self.0)
    }
}

impl std::borrow::Borrow<str> for SourcePath {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for SourcePath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A loaded book: configuration, table of contents and chapter sources.
#[derive(Debug, Clone)]
pub struct Book {
    /// The resolved `book.toml`.
    pub config: Config,
    /// Entries of `SUMMARY.md`, in order.
    pub toc: Vec<TocEntry>,
    /// Chapters with a file, in reading order.
    pub chapters: Vec<Chapter>,
    /// The text of the 404 page (`src/404.md`, or `[output.html] input-404`), if the book
    /// has one: not a chapter (no place in the contents, search or `print.html`).
    pub not_found: Option<Chapter>,
    /// Files under the source folder that are not Markdown (images, example files): copied as they are.
    pub assets: Vec<SourcePath>,
    /// Files that code blocks include with `{{#include …}}`, read by the loader.
    pub includes: crate::includes::IncludedFiles,
    /// Chapters whose file could not be read (already reported): links into them are not
    /// checked, so one cause is reported once, not once per link.
    pub unreadable: std::collections::HashSet<String>,
    /// The text of the browser verification record (empty when there is none): which
    /// examples get a Run button (see [`crate::examples::browser`]).
    pub playground_record: String,
}

impl Book {
    /// Whether a chapter is the landing page (`index.md` or `README.md` at the top).
    pub fn has_index_chapter(&self) -> bool {
        self.chapters
            .iter()
            .any(|c| c.output_path() == "index.html")
    }
}

/// One line of the table of contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TocEntry {
    /// A `# Part` title.
    Part(String),
    /// A `---` separator.
    Separator,
    /// A chapter: an index into [`Book::chapters`].
    Chapter(usize),
    /// A draft chapter (`[Title]()`): listed, but has no page yet.
    Draft {
        /// Its title.
        title: String,
        /// Its section number, if in the numbered list.
        number: Option<SectionNumber>,
        /// Nesting depth (0 = top level).
        depth: usize,
    },
}

/// A section number such as 4.2.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SectionNumber(pub Vec<u32>);

impl std::fmt::Display for SectionNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.0.iter().map(u32::to_string).collect();
        write!(f, "{}.", parts.join("."))
    }
}

/// A chapter with its Markdown source.
#[derive(Debug, Clone)]
pub struct Chapter {
    /// The title given in `SUMMARY.md`.
    pub title: String,
    /// Its section number; `None` for prefix and suffix chapters.
    pub number: Option<SectionNumber>,
    /// Nesting depth in the summary (0 = top level).
    pub depth: usize,
    /// The part it belongs to, if any.
    pub part: Option<String>,
    /// Indexes (into [`Book::chapters`]) of the chapters it is nested under, outermost first.
    pub ancestors: Vec<usize>,
    /// The Markdown file, relative to the source folder.
    pub source_path: SourcePath,
    /// The Markdown text (with the files it includes outside code blocks in place).
    pub source: String,
    /// The page's `<title>`, if `{{#title …}}` sets one.
    pub page_title: Option<String>,
    /// Where each line of `source` was written, when the files its text includes make
    /// that differ from the chapter's own lines (empty: line for line as written).
    pub origins: Vec<crate::includes::LineOrigin>,
    /// The files its `{{#include …}}` directives read (relative to the source folder),
    /// in its text and in its code blocks, recorded when it was loaded.
    pub includes: Vec<SourcePath>,
}

impl Chapter {
    /// Where `offset` in [`Chapter::source`] was written: in the chapter's file, or in a
    /// file its text includes. `lines` indexes `source`; `display` gives the path to show
    /// for a file of the source folder (the chapter's own for `None`).
    pub fn locate(
        &self,
        lines: &crate::diagnostics::LineIndex,
        offset: usize,
        display: &dyn Fn(Option<&SourcePath>) -> std::path::PathBuf,
    ) -> crate::diagnostics::Location {
        let (line, col) = lines.line_col(&self.source, offset);
        match self.origins.get(line - 1) {
            Some(crate::includes::LineOrigin::File(file, line)) => crate::diagnostics::Location {
                file: display((file != &self.source_path).then_some(file)),
                line: *line,
                col,
            },
            _ => crate::diagnostics::Location {
                file: display(None),
                line,
                col,
            },
        }
    }

    /// The page's path in the site, relative to its root (`core/types.md` → `core/types.html`).
    pub fn output_path(&self) -> String {
        output_path_for(&self.source_path)
    }

    /// The title as shown in headings and the sidebar, with its number.
    pub fn numbered_title(&self) -> String {
        match &self.number {
            Some(n) => format!("{n} {}", self.title),
            None => self.title.clone(),
        }
    }
}

/// The site path of a Markdown source path: `.md` becomes `.html`, `README.md` becomes `index.html`.
pub fn output_path_for(source_path: &str) -> String {
    let stem = source_path.strip_suffix(".md").unwrap_or(source_path);
    match stem.rsplit_once('/') {
        Some((dir, "README")) => format!("{dir}/index.html"),
        None if stem == "README" => "index.html".to_string(),
        _ => format!("{stem}.html"),
    }
}

/// A heading of a page.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Heading {
    /// 1 to 6.
    pub level: u8,
    /// Its unique id within the page.
    pub id: String,
    /// Its text, without markup.
    pub text: String,
}

/// The text of one section of a page (from one heading to the next), for search.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Section {
    /// The heading's id (empty for text before the first heading).
    pub id: String,
    /// The heading's text (the page title for text before the first heading).
    pub title: String,
    /// Plain text of the section, code included.
    pub text: String,
}

impl Section {
    /// Its heading and text, as the text of the section it is folded into.
    pub fn section_title_and_text(&self) -> String {
        format!("{} {}", self.title, self.text)
    }
}
