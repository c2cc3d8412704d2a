//! The outputs: what the parsed, checked book becomes. Each output is one
//! module implementing [`Output`] (the book in, files out); [`registered`]
//! lists them, the pipeline runs them side by side, and a [`Destination`]
//! (a folder, or the offline zip) receives all their files. Adding a format
//! (an EPUB, say) is one new module here and one line in [`registered`].

mod print;
mod search;
mod site;

use std::path::PathBuf;
use std::sync::Arc;

use crate::error::Result;
use crate::model::Book;
use crate::render::{Shared, theme::Theme};
use crate::transform::Page;
use crate::write::OutputFile;

/// One output format.
pub trait Output: Send + Sync {
    /// Its name, for messages and timings (`site`, `print`, `search`).
    fn name(&self) -> &'static str;
    /// The files it makes of the checked book (paths relative to the site's root).
    fn files(&self, book: &Book, pages: &[Page]) -> Result<Vec<OutputFile>>;
}

/// What the HTML outputs share, prepared once per build: the theme and the assets
/// every page links (stylesheet, scripts, the search index's entry file).
struct Html {
    theme: Theme,
    shared: Shared,
}

/// The book's outputs, in the order their files are listed.
pub fn registered(book: &Book, pages: &[Page]) -> Result<Vec<Box<dyn Output>>> {
    // `[output.html.search] enable = false`: no search box and no index.
    let index = book
        .config
        .html
        .search
        .enable
        .then(|| search::SearchIndex::new(book, pages));
    let theme = Theme::load(&book.config)?;
    let mut shared = Shared::prepare(book, &theme)?;
    if let Some(index) = &index {
        shared.enable_search(&theme, index.entry_path());
    }
    // The runtime is shipped only when a page has a Run button to load it.
    if pages.iter().any(|page| page.runnable > 0) {
        let cache = crate::examples::venv::default_cache_dir();
        shared.enable_playground(crate::playground::assets(book, &theme, &cache)?);
    }
    let html = Arc::new(Html { theme, shared });
    let mut outputs: Vec<Box<dyn Output>> = vec![Box::new(site::Site(html.clone()))];
    if book.config.html.print {
        outputs.push(Box::new(print::Print(html)));
    }
    if let Some(index) = index {
        outputs.push(Box::new(index));
    }
    Ok(outputs)
}

/// Where a build's files go.
#[derive(Debug, Clone)]
pub enum Destination {
    /// A folder (`handbook build`; `None` is the book's `[build] build-dir`), replaced
    /// as a whole once every file is ready.
    Folder(Option<PathBuf>),
    /// One zip, with the site under a folder named after the book (`handbook bundle`;
    /// `None` is the build folder's name with `.zip`).
    Zip(Option<PathBuf>),
}
