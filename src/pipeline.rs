//! The build, stage by stage: load → transform → {render, search index} → write.
//! Drivers (`build`, `bundle`) call [`build_site`] and decide where the files
//! go; `serve` runs the same stages itself, one chapter at a time (see
//! [`crate::serve`]).

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::diagnostics::Diagnostic;
use crate::error::{Error, Result};
use crate::model::Book;
use crate::render::{Renderer, Shared, theme::Theme};
use crate::transform::Page;
use crate::write::OutputFile;

/// A built site, in memory.
pub struct Site {
    /// Every output file.
    pub files: Vec<OutputFile>,
    /// How many chapter pages were rendered.
    pub pages: usize,
    /// Where `handbook build` writes it by default (`[build] build-dir`).
    pub build_dir: PathBuf,
    /// The book's title.
    pub title: String,
    /// The book's own folders (root and sources), which no output may replace.
    pub sources: [PathBuf; 2],
}

/// Builds the book in `root` in memory. Every warning and error is passed to `report`
/// as it is found; if any was an error, the build fails after reporting them all.
pub fn build_site(root: &Path, report: &mut dyn FnMut(&Diagnostic)) -> Result<Site> {
    let (book, pages) = load_and_transform(root, report)?;
    let theme = Theme::load(book.config.html.theme_dir.as_deref())?;
    let docs = crate::search::documents(&book, &pages);
    let mut shared = Shared::prepare(&book, &theme)?;
    shared.enable_search(&theme, crate::search::entry_path(&docs));
    if pages.iter().any(|page| page.runnable > 0) {
        let cache = crate::examples::venv::default_cache_dir();
        shared.enable_playground(crate::playground::assets(&book, &theme, &cache)?);
    }
    let renderer = Renderer::new(&book, &theme, &shared);
    // Indexing (on tantivy's own thread), reading the index back and exporting it overlap
    // with rendering.
    let (rendered, search) = rayon::join(
        || renderer.render_all(&pages),
        || crate::search::index(docs).map(|index| crate::search::files(&index)),
    );
    let mut files = rendered?;
    files.extend(search?);
    Ok(Site {
        files,
        pages: pages.len(),
        build_dir: book.config.build_dir.clone(),
        title: book.config.title().to_string(),
        sources: [book.config.root.clone(), book.config.src_dir.clone()],
    })
}

/// Loads the book in `root` and transforms its chapters, reporting diagnostics as
/// [`build_site`] does.
pub fn load_and_transform(
    root: &Path,
    report: &mut dyn FnMut(&Diagnostic),
) -> Result<(Book, Vec<Page>)> {
    let loaded = crate::load::load(root)?;
    let book = loaded.book;
    let mut errors = report_all(loaded.diagnostics, report);
    let (mut pages, diagnostics) = crate::transform::transform(&book);
    for page in &mut pages {
        crate::playground::mark(&book, page);
    }
    errors += report_all(diagnostics, report);
    if errors > 0 {
        return Err(Error::Failed { count: errors });
    }
    Ok((book, pages))
}

/// Reports diagnostics in file order; returns how many were errors.
fn report_all(mut diagnostics: Vec<Diagnostic>, report: &mut dyn FnMut(&Diagnostic)) -> usize {
    diagnostics.sort_by(|a, b| a.location.cmp(&b.location));
    diagnostics.iter().for_each(report);
    diagnostics.iter().filter(|d| d.is_error()).count()
}

/// What a finished `build` did, for the summary line.
pub struct BuildSummary {
    /// Chapter pages rendered.
    pub pages: usize,
    /// Files written.
    pub files: usize,
    /// Where.
    pub dest: PathBuf,
    /// How long it took.
    pub elapsed: std::time::Duration,
}

/// Builds the book in `root` and writes the site to `dest` (default: `[build] build-dir`).
pub fn build(
    root: &Path,
    dest: Option<&Path>,
    report: &mut dyn FnMut(&Diagnostic),
) -> Result<BuildSummary> {
    let start = Instant::now();
    let site = build_site(root, report)?;
    let dest = dest.map(Path::to_path_buf).unwrap_or(site.build_dir);
    crate::write::check_destination(&dest, &site.sources)?;
    crate::write::write_site(&site.files, &dest)?;
    Ok(BuildSummary {
        pages: site.pages,
        files: site.files.len(),
        dest,
        elapsed: start.elapsed(),
    })
}
