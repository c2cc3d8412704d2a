//! Search: every section of every page becomes a document for the
//! `search-index` crate (tantivy at build time, its JavaScript client in the
//! browser), whose files go under `search/` in the site.

use search_index::{Doc, Index, Options};

use crate::model::Book;
use crate::transform::Page;
use crate::write::OutputFile;

/// The folder of the site that holds the exported index.
pub(crate) const DIR: &str = "search";

/// How many pages' documents are indexed together when a build keeps the index's pieces
/// for the next ([`crate::cache::search_piece`]): a one-chapter edit indexes this many
/// pages again, and each piece costs tantivy a fixed few milliseconds.
pub(crate) const PAGES_PER_GROUP: usize = 256;

/// What the index is built from: the documents, and how the book wants them ranked.
#[derive(Debug, Clone)]
pub struct Documents {
    /// One per section of every page, in reading order.
    pub docs: Vec<Doc>,
    /// `[output.html.search]`'s boosts, `use-boolean-and` and `expand`.
    pub options: Options,
    /// The documents of each run of [`PAGES_PER_GROUP`] pages, in order.
    pub groups: Vec<std::ops::Range<usize>>,
}

/// One document per section of every page, in reading order. Chapters that
/// `[output.html.search.chapter]` leaves out have none, and a section under a heading
/// deeper than `heading-split-level` is part of the section before it.
pub fn documents(book: &Book, pages: &[Page]) -> Documents {
    let mut docs: Vec<Doc> = Vec::new();
    let mut groups = Vec::new();
    for run in pages.chunks(PAGES_PER_GROUP) {
        let start = docs.len();
        run.iter()
            .for_each(|page| page_documents(book, page, &mut docs));
        groups.push(start..docs.len());
    }
    groups.retain(|group| !group.is_empty());
    Documents {
        docs,
        options: book.config.html.search.ranking,
        groups,
    }
}

/// Appends the documents of `page` to `docs`, as [`documents`] makes them.
pub fn page_documents(book: &Book, page: &Page, docs: &mut Vec<Doc>) {
    let settings = &book.config.html.search;
    let chapter = &book.chapters[page.chapter];
    if !settings.indexes(&chapter.source_path) {
        return;
    }
    let url = chapter.output_path();
    let level = |id: &str| {
        let heading = page.rendered.headings.iter().find(|h| h.id == id);
        heading.map_or(1, |h| h.level)
    };
    let first = docs.len();
    for section in &page.rendered.sections {
        if docs.len() > first && level(&section.id) > settings.heading_split_level {
            let last = docs.last_mut().expect("a section of this page");
            last.body.push(' ');
            last.body.push_str(&section.section_title_and_text());
            continue;
        }
        docs.push(Doc {
            url: url.clone(),
            anchor: section.id.clone(),
            page_title: chapter.title.clone(),
            section_title: section.title.clone(),
            body: section.text.clone(),
        });
    }
}

/// The index's entry file, which pages name. Its name never changes, so editing one chapter
/// does not change every page (a rebuild rewrites what changed, not the whole site); it holds
/// the id that names every other file of the index, so those can be cached forever, while
/// the entry file, like the pages, must be revalidated by a browser's cache.
pub const ENTRY: &str = "search/index.js";

/// What the export names the entry file of the index of `docs`: unique to the documents
/// and the options, so it is the key under which a build reuses the last build's index.
pub fn exported_entry(docs: &Documents) -> String {
    search_index::entry_file(&docs.docs, &docs.options)
}

/// Builds the index of `docs`.
pub fn index(docs: Documents) -> crate::Result<Index> {
    Ok(Index::build(docs.docs, &docs.options)?)
}

/// Builds the index of `docs` from the index of each of its groups (`partials`, in order,
/// each freed once merged).
pub fn index_from(docs: Documents, partials: Vec<search_index::Partial>) -> crate::Result<Index> {
    Ok(Index::from_partials(docs.docs, partials, &docs.options)?)
}

/// One result of [`search`].
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Found {
    /// 1 for the best.
    pub rank: usize,
    /// The BM25 score.
    pub score: f32,
    /// The section's URL relative to the site's root, with its anchor (`core/functions.html#closures`).
    pub url: String,
    /// The page's title.
    pub page: String,
    /// The section's heading.
    pub section: String,
}

/// The best `limit` sections for `query`, answered by tantivy.
pub fn search(index: &Index, query: &str, limit: usize) -> crate::Result<Vec<Found>> {
    Ok(index
        .search(query, limit)?
        .into_iter()
        .enumerate()
        .map(|(rank, hit)| {
            let doc = &index.docs()[hit.doc];
            Found {
                rank: rank + 1,
                score: hit.score,
                url: if doc.anchor.is_empty() {
                    doc.url.clone()
                } else {
                    format!("{}#{}", doc.url, doc.anchor)
                },
                page: doc.page_title.clone(),
                section: doc.section_title.clone(),
            }
        })
        .collect())
}

/// Writes the exported index's files into `sink`, each as it is made, on every thread of the
/// rayon pool (the files are independent, and the sink takes them from several threads);
/// `entry` is what the export names the entry file ([`exported_entry`]), written as [`ENTRY`].
pub fn write(index: &Index, entry: &str, sink: &dyn crate::write::Sink) -> crate::Result<()> {
    index.export_each(|file| {
        let path = match file.path == entry {
            true => ENTRY.to_string(),
            false => format!("{DIR}/{}", file.path),
        };
        sink.put(OutputFile::bytes(path, file.bytes))
    })
}
