//! The build, stage by stage: load → transform → {render, search index} → write.
//! [`build`] sends the files to a folder or the offline zip as they are made (a
//! build holds the transformed pages, not the site); `serve` runs the same stages
//! itself, one chapter at a time (see [`crate::serve`]).

use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;

use crate::diagnostics::Diagnostic;
use crate::error::{Error, Result};
use crate::model::Book;
use crate::output::{Destination, Outputs};
use crate::transform::Page;
use crate::write::Staging;

/// Streams the loaded `book` into `sink`: through transform and [`Outputs`] (each page
/// written as it is transformed); once every chapter is transformed the book is checked,
/// and the outputs finish (the search index, the book-wide pages). Diagnostics go to
/// `report`; if any was an error (`errors` were already reported by the loader), the
/// build fails after reporting them all, and what is in `sink` must be thrown away.
/// Returns how many pages were made, and how many of them were transformed (the rest
/// came from the cache).
fn stream(
    book: &Book,
    sink: &dyn crate::write::Sink,
    mut errors: usize,
    report: &mut dyn FnMut(&Diagnostic),
) -> Result<(usize, usize)> {
    let mut outputs = Outputs::prepare(book)?;
    let mark = |page: &mut Page| crate::playground::mark(book, page);
    let cache = crate::cache::Cache::open(book);
    let pages = crate::transform::transform_in_batches(
        book,
        &mark,
        crate::transform::BATCH,
        Some(&cache),
        |batch| {
            batch
                .par_iter()
                .try_for_each(|page| outputs.page(book, page, sink))?;
            outputs.batch(book, batch, sink)?;
            batch.iter_mut().for_each(Page::written);
            Ok::<_, Error>(())
        },
    )?;
    let transformed = cache.finish();
    errors += report_all(crate::transform::check(book, &pages), report);
    if errors > 0 {
        return Err(Error::Failed { count: errors });
    }
    outputs.finish(book, &pages, sink)?;
    Ok((pages.len(), transformed))
}

/// Loads the book in `root` and transforms its chapters, keeping every page whole
/// (`handbook test`, `search`), reporting diagnostics as [`build`] does.
pub fn load_and_transform(
    root: &Path,
    report: &mut dyn FnMut(&Diagnostic),
) -> Result<(Book, Vec<Page>)> {
    let loaded = crate::load::load(root)?;
    let book = loaded.book;
    let mut errors = report_all(loaded.diagnostics, report);
    let (pages, diagnostics) =
        crate::transform::transform(&book, |page| crate::playground::mark(&book, page));
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
    /// How many of them were transformed (the others were in the cache).
    pub transformed: usize,
    /// Files written.
    pub files: usize,
    /// Where: the site's folder, or the zip.
    pub dest: PathBuf,
    /// For a zip, the folder inside it that holds the site.
    pub folder: Option<String>,
    /// How long it took.
    pub elapsed: std::time::Duration,
}

/// Builds the book in `root` and sends the site to `destination`; nothing is published
/// unless the whole build succeeded.
pub fn build(
    root: &Path,
    destination: Destination,
    report: &mut dyn FnMut(&Diagnostic),
) -> Result<BuildSummary> {
    let start = Instant::now();
    let loaded = crate::load::load(root)?;
    let book = loaded.book;
    let errors = report_all(loaded.diagnostics, report);
    let config = &book.config;
    let (dest, folder, pages, files) = match destination {
        Destination::Folder(dest) => {
            let dest = dest.unwrap_or_else(|| config.build_dir.clone());
            crate::write::check_destination(&dest, &config.root, &config.src_dir)?;
            let staging = Staging::beside(&dest)?;
            let (pages, transformed) = stream(&book, &staging, errors, report)?;
            let files = staging.count();
            staging.publish(&dest)?;
            (dest, None, (pages, transformed), files)
        }
        Destination::Zip(out) => {
            let out = out.unwrap_or_else(|| config.build_dir.with_extension("zip"));
            let folder = crate::bundle::folder_name(config.title());
            let staging = Staging::beside(&out)?;
            let (pages, transformed) = stream(&book, &staging, errors, report)?;
            crate::bundle::write_zip(staging.root(), &folder, &out)?;
            (out, Some(folder), (pages, transformed), staging.count())
        }
    };
    let (pages, transformed) = pages;
    Ok(BuildSummary {
        pages,
        transformed,
        files,
        dest,
        folder,
        elapsed: start.elapsed(),
    })
}
