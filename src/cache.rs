//! The persistent build cache: the transformed pages of the last build, kept under
//! `[build] cache-dir` (`target/handbook-cache` in the book's folder unless `book.toml`
//! names another), so the next build transforms again only the chapters whose inputs
//! changed. It is a memo, never a source of truth: an entry is found by a hash of
//! everything its page is made from and of the tool's own executable, so a stale entry
//! is never read, and an entry that cannot be read is a miss. Deleting the folder is
//! always safe.
//!
//! The search index is kept the same way, in pieces: each run of pages' documents indexed
//! on its own ([`search_piece`]), so an edit indexes one run again, not the book.
//!
//! Pages are stored a batch at a time ([`crate::transform::transform_in_batches`]):
//! one file per batch, named by the keys of its chapters, so a book of 3,000 chapters
//! costs 47 files, not 3,000. A batch whose file is missing (a chapter in it changed)
//! takes what it can from the file the same batch had last time.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::model::Book;
use crate::transform::Page;

/// The folder of the cache that holds pages.
const PAGES: &str = "pages";
/// The file listing the last build's batch files, in reading order.
const LIST: &str = "list";

/// What identifies a chapter's page: a hash of its inputs, the book's and the tool's.
pub type Key = [u8; 32];

/// The page cache of one build.
pub struct Cache {
    dir: PathBuf,
    /// The hash of what every page depends on: the tool, the configuration, the list
    /// of chapters (links between them), the examples' record.
    book: blake3::Hash,
    /// The last build's batch files, in batch order.
    previous: Vec<String>,
    /// This build's, by batch number.
    written: Mutex<Vec<(usize, String)>>,
    /// How many chapters the cache did not hold.
    missed: std::sync::atomic::AtomicUsize,
}

/// A batch's pages found in the cache (by position in the batch), with the keys of all.
pub struct Batch {
    /// The key of each chapter of the batch.
    pub keys: Vec<Key>,
    /// The pages found, by position in the batch.
    pub found: Vec<Option<Page>>,
    name: String,
}

impl Cache {
    /// The cache of `book`, with the last build's list read.
    pub fn open(book: &Book) -> Cache {
        let dir = book.config.cache_dir.join(PAGES);
        let previous = std::fs::read_to_string(dir.join(LIST))
            .map(|list| list.lines().map(str::to_string).collect())
            .unwrap_or_default();
        Cache {
            dir,
            book: book_key(book),
            previous,
            written: Mutex::default(),
            missed: Default::default(),
        }
    }

    /// The pages of chapters `chapters` (batch number `number`) that the cache holds.
    pub fn batch(&self, book: &Book, number: usize, chapters: std::ops::Range<usize>) -> Batch {
        use rayon::prelude::*;
        let keys: Vec<Key> = (chapters.clone().into_par_iter())
            .map(|index| self.chapter_key(book, index))
            .collect();
        let name = batch_name(&keys);
        let stored = read_batch(&self.dir.join(&name)).or_else(|| {
            let previous = self.previous.get(number)?;
            read_batch(&self.dir.join(previous))
        });
        let mut stored: HashMap<Key, Page> = stored.unwrap_or_default().into_iter().collect();
        let found: Vec<Option<Page>> = keys
            .iter()
            .zip(chapters)
            .map(|(key, index)| {
                let mut page = stored.remove(key)?;
                page.chapter = index;
                Some(page)
            })
            .collect();
        let missed = found.iter().filter(|page| page.is_none()).count();
        self.missed
            .fetch_add(missed, std::sync::atomic::Ordering::Relaxed);
        Batch { keys, found, name }
    }

    /// Stores the pages of a batch (finished, still with their HTML), unless the cache
    /// already holds exactly these. A cache that cannot be written is no error: the next
    /// build transforms again.
    pub fn store(&self, number: usize, batch: Batch, pages: &[Page]) {
        let path = self.dir.join(&batch.name);
        if batch.found.iter().any(Option::is_none) || !path.is_file() {
            if let Some(bytes) = batch_bytes(&batch.keys, pages) {
                let _ = write_atomically(&self.dir, &path, &bytes);
            }
        }
        let mut written = self.written.lock().expect("no store panicked");
        written.push((number, batch.name));
    }

    /// Records this build's batch files and removes the others; returns how many
    /// chapters were not in the cache (and so were transformed).
    pub fn finish(self) -> usize {
        let missed = self.missed.into_inner();
        let mut written = self.written.into_inner().expect("no store panicked");
        written.sort();
        let list: String = written
            .iter()
            .map(|(_, name)| format!("{name}\n"))
            .collect();
        if write_atomically(&self.dir, &self.dir.join(LIST), list.as_bytes()).is_err() {
            return missed;
        }
        let keep: std::collections::HashSet<&str> =
            written.iter().map(|(_, name)| name.as_str()).collect();
        for old in &self.previous {
            if !keep.contains(old.as_str()) {
                let _ = std::fs::remove_file(self.dir.join(old));
            }
        }
        missed
    }

    /// The key of chapter `index`: the book's key, the chapter (its text, title, number
    /// and where it sits), the files it includes, and whether it is the landing page.
    fn chapter_key(&self, book: &Book, index: usize) -> Key {
        // Every field, the text as bytes: its `Debug` form escapes each character.
        let mut chapter = book.chapters[index].clone();
        let text = std::mem::take(&mut chapter.source);
        let mut hasher = blake3::Hasher::new();
        hasher.update(self.book.as_bytes());
        hasher.update(&(text.len() as u64).to_le_bytes());
        hasher.update(text.as_bytes());
        hasher.update(format!("{chapter:?}").as_bytes());
        for include in &chapter.includes {
            hasher.update(format!("{include:?}{:?}", book.includes.get(include)).as_bytes());
        }
        hasher.update(&[u8::from(index == 0 && !book.has_index_chapter())]);
        *hasher.finalize().as_bytes()
    }
}

/// The folder of the cache that holds the search index's pieces.
const SEARCH: &str = "search";

/// The folder of `book`'s cache that holds the search index's pieces.
pub fn search_dir(book: &Book) -> PathBuf {
    book.config.cache_dir.join(SEARCH)
}

/// The search index of one group of documents ([`crate::search::Documents::groups`]), as
/// [`search_piece`] found or made it.
pub enum SearchPiece {
    /// In the cache, not read yet: a rebuild whose documents are all unchanged takes the
    /// last build's index files and never needs it.
    Kept(PathBuf),
    /// Indexed by this build (and stored for the next).
    Indexed(search_index::Partial),
}

/// The piece of one group's `docs`, named by the text they index: the cache's, or indexed
/// and stored in `dir`. Returns its file name too, for [`prune_search`].
pub fn search_piece(
    dir: &Path,
    docs: &[search_index::Doc],
) -> crate::Result<(String, SearchPiece)> {
    let name = partial_name(docs);
    let path = dir.join(&name);
    if path.is_file() {
        return Ok((name, SearchPiece::Kept(path)));
    }
    let partial = search_index::Partial::index(docs)?;
    let _ = write_atomically(dir, &path, &partial.to_bytes());
    Ok((name, SearchPiece::Indexed(partial)))
}

impl SearchPiece {
    /// The piece's index; one kept that cannot be read is made again from `docs`, its group's.
    pub fn partial(self, docs: &[search_index::Doc]) -> crate::Result<search_index::Partial> {
        let path = match self {
            SearchPiece::Indexed(partial) => return Ok(partial),
            SearchPiece::Kept(path) => path,
        };
        let kept = std::fs::read(&path).ok();
        match kept.and_then(|bytes| search_index::Partial::from_bytes(&bytes).ok()) {
            Some(partial) => Ok(partial),
            None => Ok(search_index::Partial::index(docs)?),
        }
    }
}

/// Removes the pieces in `dir` that no group of this build has (`names`).
pub fn prune_search(dir: &Path, names: &[String]) {
    let keep: std::collections::HashSet<&String> = names.iter().collect();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if !keep.contains(&name) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// A search piece's file name: a hash of the tool and of the text its documents index.
fn partial_name(docs: &[search_index::Doc]) -> String {
    let mut hasher = blake3::Hasher::new();
    hasher.update(tool().as_bytes());
    hasher.update(&search_index::Partial::key_of(docs));
    format!("{}.bin", &hasher.finalize().to_hex()[..32])
}

/// What every page of `book` depends on besides its own chapter.
fn book_key(book: &Book) -> blake3::Hash {
    let mut hasher = blake3::Hasher::new();
    hasher.update(tool().as_bytes());
    hasher.update(format!("{:?}", book.config).as_bytes());
    for chapter in &book.chapters {
        hasher.update(format!("{:?}{:?}\n", chapter.source_path, chapter.title).as_bytes());
    }
    let mut unreadable: Vec<&String> = book.unreadable.iter().collect();
    unreadable.sort();
    hasher.update(format!("{unreadable:?}").as_bytes());
    hasher.update(book.playground_record.as_bytes());
    hasher.finalize()
}

/// Identifies this build of the tool: its version, and its executable's size and time
/// (a rebuilt tool may transform, or write, differently without a new version number).
pub(crate) fn tool() -> String {
    let exe = std::env::current_exe().and_then(std::fs::metadata);
    let (len, modified) = exe.map_or((0, None), |meta| (meta.len(), meta.modified().ok()));
    format!("{} {len} {modified:?}", env!("CARGO_PKG_VERSION"))
}

/// A batch file's name: the hash of its chapters' keys.
fn batch_name(keys: &[Key]) -> String {
    let mut hasher = blake3::Hasher::new();
    keys.iter().for_each(|key| {
        hasher.update(key);
    });
    format!("{}.bin", &hasher.finalize().to_hex()[..32])
}

/// A batch file's bytes: bincode's `Vec<(Key, Page)>`, its entries serialised on every core
/// (the store of a 3,000-page build's batches took 0.36 s on one).
fn batch_bytes<T: serde::Serialize + Sync>(keys: &[Key], pages: &[T]) -> Option<Vec<u8>> {
    use rayon::prelude::*;
    let entries: Vec<Vec<u8>> = (keys.par_iter().zip(pages))
        .map(|entry| bincode::serialize(&entry))
        .collect::<Result<_, _>>()
        .ok()?;
    // bincode writes a sequence as its length (u64, little-endian), then each element.
    let mut bytes = (entries.len() as u64).to_le_bytes().to_vec();
    bytes.reserve(entries.iter().map(Vec::len).sum());
    entries
        .iter()
        .for_each(|entry| bytes.extend_from_slice(entry));
    Some(bytes)
}

/// The entries of a batch file; `None` if it is missing or unreadable.
fn read_batch(path: &Path) -> Option<Vec<(Key, Page)>> {
    let bytes = std::fs::read(path).ok()?;
    bincode::deserialize(&bytes).ok()
}

/// Writes `path` through a temporary file in `dir`, so a reader (another build of the
/// same book) never sees half of it.
fn write_atomically(dir: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    std::io::Write::write_all(&mut file, bytes)?;
    file.persist(path).map(drop).map_err(|e| e.error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_serialised_entry_by_entry_is_the_vec_bincode_reads() {
        let keys = [[1u8; 32], [2u8; 32], [3u8; 32]];
        let items = ["a".to_string(), String::new(), "long text ".repeat(40)];
        let bytes = batch_bytes(&keys, &items).unwrap();
        let whole: Vec<(&Key, &String)> = keys.iter().zip(&items).collect();
        assert_eq!(bytes, bincode::serialize(&whole).unwrap());
        let read: Vec<(Key, String)> = bincode::deserialize(&bytes).unwrap();
        assert_eq!(read, keys.into_iter().zip(items).collect::<Vec<_>>());
    }
}
