//! The outputs: what the parsed, checked book becomes. Each output is one
//! module implementing [`Output`]; [`Outputs`] runs them as the pipeline
//! streams the book through: each page as soon as it is transformed (so a
//! page's HTML is written and freed, not held until the end), each batch of
//! pages in reading order, then the rest once the book is checked. A
//! [`Destination`] (a folder, or the offline zip) receives their files.
//! Adding a format (an EPUB, say) is one new module here and one line in
//! [`Outputs::prepare`].

mod print;
mod search;
mod site;

use std::path::PathBuf;

use crate::error::Result;
use crate::model::Book;
use crate::render::{Shared, theme::Theme};
use crate::transform::Page;
use crate::write::Sink;

/// One output format. Its hooks are called in this order: [`Output::page`] for the
/// pages of a batch (in parallel), [`Output::batch`] for the batch, then, once every
/// batch is done and the book is checked, [`Output::finish`].
trait Output: Send + Sync {
    /// One page, as soon as it is transformed.
    fn page(&self, _html: &Html, _book: &Book, _page: &Page, _sink: &dyn Sink) -> Result<()> {
        Ok(())
    }
    /// A batch of pages, in reading order, after each had [`Output::page`].
    fn batch(
        &mut self,
        _html: &Html,
        _book: &Book,
        _pages: &[Page],
        _sink: &dyn Sink,
    ) -> Result<()> {
        Ok(())
    }
    /// The rest of its files, once the search index is written.
    fn finish(
        self: Box<Self>,
        html: &Html,
        book: &Book,
        pages: &[Page],
        sink: &dyn Sink,
    ) -> Result<()>;
}

/// What the HTML outputs share, prepared once per build: the theme and the assets
/// every page links (stylesheet, scripts, the search index's entry file).
struct Html {
    theme: Theme,
    shared: Shared,
}

/// Every output of one build.
pub struct Outputs {
    html: Html,
    list: Vec<Box<dyn Output>>,
    /// The search index, made as the pages are (`None` if the book has no search).
    search: Option<search::Indexing>,
}

impl Outputs {
    /// The book's outputs, with the theme and the shared assets prepared.
    pub fn prepare(book: &Book) -> Result<Outputs> {
        let theme = Theme::load(&book.config)?;
        let mut shared = Shared::prepare(book, &theme)?;
        // `[output.html.search] enable = false`: no search box and no index.
        if book.config.html.search.enable {
            shared.enable_search(&theme, crate::search::ENTRY.to_string())?;
        }
        if crate::playground::wanted(book) {
            let cache = crate::examples::venv::default_cache_dir();
            shared.enable_playground(crate::playground::assets(book, &theme, &cache)?);
        }
        let mut list: Vec<Box<dyn Output>> = vec![Box::new(site::Site)];
        if book.config.html.print {
            list.push(Box::new(print::Print::default()));
        }
        let search = book
            .config
            .html
            .search
            .enable
            .then(|| search::Indexing::new(book));
        Ok(Outputs {
            html: Html { theme, shared },
            list,
            search,
        })
    }

    /// Hands one freshly transformed page to every output.
    pub fn page(&self, book: &Book, page: &Page, sink: &dyn Sink) -> Result<()> {
        self.list
            .iter()
            .try_for_each(|output| output.page(&self.html, book, page, sink))
    }

    /// Hands a batch of pages, in reading order, to every output and to the search index.
    pub fn batch(&mut self, book: &Book, pages: &[Page], sink: &dyn Sink) -> Result<()> {
        if let Some(search) = &mut self.search {
            search.batch(book, pages);
        }
        let html = &self.html;
        self.list
            .iter_mut()
            .try_for_each(|output| output.batch(html, book, pages, sink))
    }

    /// Finishes the search index of the checked book, then has every output write the
    /// rest of its files.
    pub fn finish(self, book: &Book, pages: &[Page], sink: &dyn Sink) -> Result<()> {
        if let Some(search) = self.search {
            search.finish(book, sink)?;
        }
        let html = &self.html;
        self.list
            .into_iter()
            .try_for_each(|output| output.finish(html, book, pages, sink))
    }
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
