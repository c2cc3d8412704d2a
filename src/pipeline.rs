//! The build, stage by stage: load → transform → {render, search index} → write.
//! Drivers (`build`, `bundle`) call [`build_site`] and decide where the files
//! go; `serve` runs the same stages itself, one chapter at a time (see
//! [`crate::serve`]).

use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;

use crate::diagnostics::Diagnostic;
use crate::error::{Error, Result};
use crate::model::Book;
use crate::output::Destination;
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
    /// The book's folder (with `book.toml`), which no output may replace.
    pub root: PathBuf,
    /// Its source folder, which no output may replace or sit in.
    pub src_dir: PathBuf,
}

/// Builds the book in `root` in memory: every registered output (see
/// [`crate::output`]) of the checked book, side by side. Every warning and error is
/// passed to `report` as it is found; if any was an error, the build fails after
/// reporting them all.
pub fn build_site(root: &Path, report: &mut dyn FnMut(&Diagnostic)) -> Result<Site> {
    let (book, pages) = load_and_transform(root, report)?;
    let outputs = crate::output::registered(&book, &pages)?;
    let files = outputs
        .par_iter()
        .map(|output| output.files(&book, &pages))
        .collect::<Result<Vec<_>>>()?
        .concat();
    Ok(Site {
        files,
        pages: pages.len(),
        build_dir: book.config.build_dir.clone(),
        title: book.config.title().to_string(),
        root: book.config.root.clone(),
        src_dir: book.config.src_dir.clone(),
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

/// What a finished build did, for the summary line.
pub struct BuildSummary {
    /// Chapter pages rendered.
    pub pages: usize,
    /// Files written.
    pub files: usize,
    /// Where: the site's folder, or the zip.
    pub dest: PathBuf,
    /// For a zip, the folder inside it that holds the site.
    pub folder: Option<String>,
    /// How long it took.
    pub elapsed: std::time::Duration,
}

/// Builds the book in `root` and sends the site to `destination`; nothing is written
/// unless the whole build succeeded.
pub fn build(
    root: &Path,
    destination: Destination,
    report: &mut dyn FnMut(&Diagnostic),
) -> Result<BuildSummary> {
    let start = Instant::now();
    let site = build_site(root, report)?;
    let (dest, folder) = match destination {
        Destination::Folder(dest) => {
            let dest = dest.unwrap_or_else(|| site.build_dir.clone());
            crate::write::check_destination(&dest, &site.root, &site.src_dir)?;
            crate::write::write_site(&site.files, &dest)?;
            (dest, None)
        }
        Destination::Zip(out) => {
            let out = out.unwrap_or_else(|| site.build_dir.with_extension("zip"));
            let folder = crate::bundle::folder_name(&site.title);
            crate::bundle::write_zip(&site, &folder, &out)?;
            (out, Some(folder))
        }
    };
    Ok(BuildSummary {
        pages: site.pages,
        files: site.files.len(),
        dest,
        folder,
        elapsed: start.elapsed(),
    })
}
