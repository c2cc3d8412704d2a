//! The search index's files (`search/`), built with tantivy from every
//! section of every page once the book is checked.

use crate::error::Result;
use crate::model::Book;
use crate::transform::Page;
use crate::write::Sink;

/// What pages name as the index's entry file until it is built: a name of the same
/// length as the real one (that of an index of nothing), patched afterwards.
pub(super) fn placeholder() -> String {
    crate::search::entry_path(&crate::search::Documents {
        docs: Vec::new(),
        options: Default::default(),
    })
}

/// Builds the index of `pages` and writes its files; returns its entry file's path.
pub(super) fn write(book: &Book, pages: &[Page], sink: &dyn Sink) -> Result<String> {
    let docs = crate::search::documents(book, pages);
    let entry = crate::search::entry_path(&docs);
    // Named by a hash of its documents: the last build's files are these.
    if sink.reuse_folder(crate::search::DIR, &entry)? {
        return Ok(entry);
    }
    let index = crate::search::index(docs)?;
    crate::search::write(&index, sink)?;
    Ok(entry)
}
