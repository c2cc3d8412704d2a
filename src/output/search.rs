//! The search index's files (`search/`), built with tantivy from every
//! section of every page.

use super::Output;
use crate::error::Result;
use crate::model::Book;
use crate::transform::Page;
use crate::write::OutputFile;

/// The index of the book's sections. Its documents are collected when it is
/// registered, so pages can name its entry file before it is built.
pub(super) struct SearchIndex {
    docs: crate::search::Documents,
}

impl SearchIndex {
    pub(super) fn new(book: &Book, pages: &[Page]) -> Self {
        SearchIndex {
            docs: crate::search::documents(book, pages),
        }
    }

    /// The entry file pages load, relative to the site's root.
    pub(super) fn entry_path(&self) -> String {
        crate::search::entry_path(&self.docs)
    }
}

impl Output for SearchIndex {
    fn name(&self) -> &'static str {
        "search"
    }

    fn files(&self, _book: &Book, _pages: &[Page]) -> Result<Vec<OutputFile>> {
        let index = crate::search::index(self.docs.clone())?;
        Ok(crate::search::files(&index))
    }
}
