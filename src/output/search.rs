//! The search index's files (`search/`), built with tantivy from every section of every
//! page. Each run of [`crate::search::PAGES_PER_GROUP`] pages is indexed on the rayon pool
//! as soon as its last batch is transformed, while the build goes on with the next pages
//! (a 3,000-page build's batches left a third of a core idle, and indexing after them took
//! 1.3 s); once the book is checked, the pieces are merged and the index exported.

use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, TryRecvError};

use search_index::Doc;

use crate::cache::SearchPiece;
use crate::error::{Error, Result};
use crate::model::Book;
use crate::search::Documents;
use crate::transform::Page;
use crate::write::Sink;

/// A piece being indexed: its file name and index, once made (in a mutex: the outputs
/// are shared by the threads writing pages, and a receiver is not).
type Pending = std::sync::Mutex<Receiver<Result<(String, SearchPiece)>>>;

/// The index of one build, made as its pages are.
pub(super) struct Indexing {
    /// The cache's folder of pieces.
    dir: PathBuf,
    /// The documents of the group being filled, and how many pages it has.
    filling: Vec<Doc>,
    pages: usize,
    /// Every group sent off, in reading order: its documents and its piece to come.
    groups: Vec<(Arc<Vec<Doc>>, Pending)>,
}

impl Indexing {
    /// Nothing indexed yet.
    pub(super) fn new(book: &Book) -> Indexing {
        Indexing {
            dir: crate::cache::search_dir(book),
            filling: Vec::new(),
            pages: 0,
            groups: Vec::new(),
        }
    }

    /// Takes the documents of a batch of pages (in reading order); a group they complete
    /// starts indexing.
    pub(super) fn batch(&mut self, book: &Book, pages: &[Page]) {
        for page in pages {
            crate::search::page_documents(book, page, &mut self.filling);
            self.pages += 1;
            if self.pages == crate::search::PAGES_PER_GROUP {
                self.send();
            }
        }
    }

    /// Starts indexing the group being filled, unless it has no documents.
    fn send(&mut self) {
        self.pages = 0;
        if self.filling.is_empty() {
            return;
        }
        let docs = Arc::new(std::mem::take(&mut self.filling));
        let (sender, receiver) = std::sync::mpsc::sync_channel(1);
        let (group, dir) = (docs.clone(), self.dir.clone());
        rayon::spawn(move || {
            let piece = crate::cache::search_piece(&dir, &group);
            // Let go of the documents first, so `finish` takes them back without a copy.
            drop(group);
            let _ = sender.send(piece);
        });
        self.groups.push((docs, std::sync::Mutex::new(receiver)));
    }

    /// Once the book is checked: the whole index, merged from the pieces and written into
    /// `sink`, or the last build's files if its documents were the same.
    pub(super) fn finish(mut self, book: &Book, sink: &dyn Sink) -> Result<()> {
        self.send();
        let mut docs: Vec<Doc> = Vec::new();
        let mut groups: Vec<Range<usize>> = Vec::new();
        let mut names = Vec::new();
        let mut pieces = Vec::new();
        for (group, pending) in self.groups {
            let (name, piece) = wait(pending)?;
            names.push(name);
            pieces.push(piece);
            let start = docs.len();
            docs.extend(Arc::try_unwrap(group).unwrap_or_else(|shared| (*shared).clone()));
            groups.push(start..docs.len());
        }
        crate::cache::prune_search(&self.dir, &names);
        let docs = Documents {
            docs,
            options: book.config.html.search.ranking,
            groups,
        };
        let entry = crate::search::exported_entry(&docs);
        if sink.reuse_folder(crate::search::DIR, &entry)? {
            return Ok(());
        }
        let partials = (pieces.into_iter().zip(&docs.groups))
            .map(|(piece, group)| piece.partial(&docs.docs[group.clone()]))
            .collect::<Result<Vec<_>>>()?;
        let index = crate::search::index_from(docs, partials)?;
        crate::search::write(&index, &entry, sink)
    }
}

/// The piece `pending` brings. On a thread of the pool, it runs the pool's other work
/// meanwhile (the piece may be queued behind it), so waiting never ties up a worker.
fn wait(pending: Pending) -> Result<(String, SearchPiece)> {
    let pending = pending
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let gone = || Error::Io {
        path: PathBuf::from("<search index>"),
        source: std::io::Error::other("indexing a group of pages stopped without a result"),
    };
    loop {
        match pending.try_recv() {
            Ok(piece) => return piece,
            Err(TryRecvError::Disconnected) => return Err(gone()),
            Err(TryRecvError::Empty) => {}
        }
        match rayon::yield_now() {
            Some(rayon::Yield::Executed) => {}
            Some(rayon::Yield::Idle) => {
                if let Ok(piece) = pending.recv_timeout(std::time::Duration::from_millis(1)) {
                    return piece;
                }
            }
            None => return pending.recv().map_err(|_| gone())?,
        }
    }
}
