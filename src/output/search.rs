//! The search index's files (`search/`), built with tantivy from every
//! section of every page once the book is checked.

use crate::error::Result;
use crate::model::Book;
use crate::transform::Page;
use crate::write::Sink;

/// Builds the index of `pages` and writes its files, or takes the last build's if it was
/// built from the same documents; the pages' texts are freed once the documents have them.
pub(super) fn write(book: &Book, pages: &mut [Page], sink: &dyn Sink) -> Result<()> {
    let docs = crate::search::documents(book, pages);
    pages.iter_mut().for_each(Page::indexed);
    let entry = crate::search::exported_entry(&docs);
    if sink.reuse_folder(crate::search::DIR, &entry)? {
        return Ok(());
    }
    let partials = crate::cache::search_partials(book, &docs)?;
    let index = crate::search::index_from(docs, partials)?;
    crate::search::write(&index, &entry, sink)
}
