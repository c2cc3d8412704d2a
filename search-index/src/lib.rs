//! Full-text search for static sites, ranked exactly like tantivy.
//!
//! [tantivy] indexes the documents at build time and stays the reference:
//! [`Index::search`] answers from it directly. [`Index::export`] writes its
//! inverted index out as small JavaScript files, and the client in
//! [`client_js`] answers the same queries in the browser with the same BM25
//! scores, bit for bit (f32 arithmetic, tantivy's field-length codes and
//! IDF values), loading only the shards a query needs. Data files are
//! plain `<script>`s, not `fetch`, so search works from `file://` too.
//!
//! The caller hands in plain [`Doc`]s (one per section of a page, so a hit
//! links to `page.html#section`) and gets [`File`]s back, in memory: it
//! decides where they go.
//!
//! [`Index::build`] indexes groups of documents in parallel, each on its
//! own, and merges them ([`Partial`]): the same index as one tantivy index
//! of everything. A caller that keeps the partials of groups that did not
//! change ([`Partial::to_bytes`]) builds the next index with
//! [`Index::from_partials`], indexing only the groups that did.
//!
//! # Query language
//! See the [`query`] module: words (all ranked together with BM25), the
//! word being typed as a prefix, `"quoted phrases"`, and typo tolerance.
//!
//! # FORMAT
//! Version [`FORMAT_VERSION`]. Every file is a script
//! `handbookSearch.load("<key>",<JSON>);` named `<key>-<id>.js`, where `<id>`
//! is a hash of the documents and the parameters (so names change when
//! anything that shapes the files does, and files can be cached forever). The JSON of each kind of file is the struct of
//! the same name in `src/format.rs`, which documents every field:
//!
//! | key | loaded | holds |
//! |---|---|---|
//! | `index` | when the search box is first used | version, document count, per field its name and token total; tantivy's 256-entry field-length table; the first key of each dictionary shard; a separator key per postings pack; the stems shorter than a prefix that expands; which packs are common stems' (with a head) and how many heads each head file holds; documents per titles file; `parameters`: every number that shapes the index (field boosts, token limit, K1, B, query limits, file sizes: `src/parameters.rs`) |
//! | `s<n>` | when a word being typed needs the words its prefix could become | a dictionary shard: the words as written and the stems in a range of keys, each word's stem, each stem's weight (how many (document, field) pairs hold it); no postings |
//! | `h<n>` | when a query needs a common stem | the heads of a run of common stems (a stem whose postings alone fill a pack): per stem its best documents by its own score (about `head_docs`), their postings in every field, its document count and IDF per field, and a bound on the score of every other document |
//! | `t<n>` | when a query needs one of its stems (a common stem's: when its head cannot prove the first page) | a postings pack: a run of stems, per stem and field its postings (documents, term frequencies, the documents' field-length codes), IDF values as f32 bits; a common stem has a pack of its own, holding the postings its head does not |
//! | `p<n>` | for phrases | the positions of every posting of a run of packs |
//! | `n<n>` | to show results, at every keystroke | url, anchor, page title and section title of `title_docs` consecutive documents, and which chunk holds each one's text |
//! | `c<n>` | to show results' snippets, once the input is still | the texts of a run of documents |
//! | `words` | to correct a typo | every word as written, its stem and how common it is |
//!
//! Encodings, chosen so that gzip does the rest and decoding stays a
//! single pass:
//! - **VLQ**: unsigned integers as base64 digits (`A`–`Z`, `a`–`z`, `0`–`9`,
//!   `+`, `/`), five bits per digit, least significant first; a digit's
//!   sixth bit (value 32) says another digit follows.
//! - **Front-coded lists**: entries separated by a space, each the VLQ
//!   number of UTF-16 units shared with the previous entry, then the rest.
//! - **Keys** (words and stems) are compared by UTF-16 code units, as
//!   JavaScript compares strings. A dictionary shard holds every key from its
//!   first key up to the next shard's; the stem of every word it holds is in
//!   it too. A stem's pack is the last whose separator does not sort after it.
//! - **Postings** list each document as the gap from the previous one
//!   (minus one) times two, plus one when the term frequency is not one (in
//!   which case the frequency minus two follows), then the document's
//!   field-length code: a query loads only the lengths it scores with.
//!
//! Scoring (what the client reproduces, with `K1` and `B` from the entry's
//! parameters: tantivy's 1.2 and 0.75), all in f32;
//! `avgdl = tokens / docs` per field;
//! `norm[id] = K1 * ((1 - B) + B * table[id] / avgdl)`;
//! `weight = idf * (1 + K1)`, times the clause boost unless it is 1;
//! `score = weight * (tf / (tf + norm[fieldnorm id]))`; a phrase's IDF is
//! the sum of its terms' and its tf the number of times it occurs.
//!
//! Heads: the client scores a query with the heads of its common stems in
//! place of their postings. A document is certain when, for each word with a
//! head it is not in, its score for that word (the best of its alternatives)
//! is already at least the head's bound (times the alternative's factor,
//! raised by 1e-4); the best `limit` certain documents are the answer when the
//! last of them scores above every other document's bound (its score with
//! each unknown at its bound). Otherwise the packs are loaded, the highest
//! bound first, until it is; phrases and queries for every match load them
//! at once. The scores shown are always computed from whole postings.

mod format;
mod index;
mod minify;
#[cfg(any(test, feature = "test-support"))]
pub mod node;
mod parameters;
mod partial;
pub mod query;
mod schema;
#[cfg(test)]
mod testdocs;
mod vocabulary;

pub use format::VERSION as FORMAT_VERSION;
pub use index::{Hit, Index};
pub use minify::{ScriptError, minify_js};
pub use parameters::Options;
pub use partial::Partial;

/// The browser client's source: the format decoder, the query engine and the BM25 scorer.
const CLIENT_SOURCE: &str = concat!(
    "(function () {\n\"use strict\";\n",
    include_str!("../js/stemmer.js"),
    include_str!("../js/engine.js"),
    "})();\n"
);

/// The browser client: the format decoder, the query engine and the BM25 scorer, minified
/// ([`minify_js`]). It defines `window.handbookSearch` (see the top of `js/engine.js` for its
/// API); a site adds its own user interface on top.
pub fn client_js() -> String {
    minify_js(CLIENT_SOURCE).expect("the client's own source parses (tested)")
}

/// One searchable document: a section of a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Doc {
    /// The page, relative to the site's root (`core/functions.html`).
    pub url: String,
    /// The section's id on the page (empty for the top of the page).
    pub anchor: String,
    /// The page's title.
    pub page_title: String,
    /// The section's heading.
    pub section_title: String,
    /// The section's plain text.
    pub body: String,
}

/// A file of the exported index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    /// Its name, relative to the folder the caller puts the index in.
    pub path: String,
    /// Its contents.
    pub bytes: Vec<u8>,
}

/// What can go wrong while indexing.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// tantivy failed (in memory, so this means a bug rather than bad input).
    #[error("search index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    /// Reading the in-memory index back failed.
    #[error("reading the search index: {0}")]
    Read(#[from] std::io::Error),
    /// A partial handed to [`Index::from_partials`] is not that of the documents at its
    /// place (or the partials do not cover the documents).
    #[error(
        "search index: partial {group} does not match documents {range:?}: index that group again"
    )]
    PartialMismatch {
        /// The partial's place in the list.
        group: usize,
        /// The documents it was taken for.
        range: std::ops::Range<usize>,
    },
    /// Bytes handed to [`Partial::from_bytes`] are not a partial this version reads.
    #[error("search index: not a readable partial ({0}): index that group again")]
    PartialBytes(String),
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The name of the entry file [`Index::export`] will write for `docs` indexed with `options`:
/// pages can refer to it while the index is still being built.
pub fn entry_file(docs: &[Doc], options: &Options) -> String {
    format::entry_name(&format::id(docs, &parameters::Parameters::new(options)))
}
