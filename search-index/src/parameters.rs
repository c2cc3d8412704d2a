//! Every number that shapes an exported index: the field boosts, the
//! analyzer's token limit, BM25's constants, the query language's limits
//! and the sizes the files are cut at. They live in one struct,
//! [`Parameters`] ([`Parameters::DEFAULT`], with the site's [`Options`]):
//! the Rust side reads them from it, the entry file
//! carries it to the client (which reads the boosts, K1, B and the limits
//! from there instead of repeating them), and the index's name hashes its
//! serialized form, so changing any of them renames every file.

use serde::Serialize;

/// What a site may choose about ranking (mdBook's `[output.html.search]` keys, mapped by the
/// caller); everything else that shapes an index is fixed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// How much a match weighs in the page's title, the section's heading and the section's
    /// text (BM25 scores are multiplied by it).
    pub boosts: [f32; 3],
    /// A query of several words or phrases matches only the sections that have all of them
    /// (their scores are those the same query would have without it).
    pub all_terms: bool,
    /// The word being typed also matches the words it begins.
    pub prefixes: bool,
}

impl Default for Options {
    fn default() -> Options {
        let defaults = Parameters::DEFAULT;
        Options {
            boosts: defaults.boosts,
            all_terms: defaults.query.all_terms,
            prefixes: defaults.query.prefixes,
        }
    }
}

/// What shapes an index besides its documents (serialized into the entry file as
/// `parameters`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Parameters {
    /// Per field, in `Field::ALL` order (`schema.rs`): how much a match there weighs
    /// against one in the body.
    pub(crate) boosts: [f32; 3],
    /// Tokens this long (in UTF-8 bytes, before lower-casing) or longer are dropped, as
    /// tantivy's default analyzer does: they are hashes and base64, never words anyone
    /// searches for.
    pub(crate) max_token_bytes: usize,
    /// BM25's term-frequency saturation: tantivy's constant (its scorer has no setting for
    /// it), recorded so that the client computes the same norms.
    pub(crate) k1: f32,
    /// BM25's length normalisation, tantivy's constant like [`Parameters::k1`].
    pub(crate) b: f32,
    /// How queries expand (see `query.rs`).
    pub(crate) query: QueryParameters,
    /// A dictionary shard (words and stems, no postings) is closed once its keys take
    /// about this many bytes. A word being typed loads the shards of its prefix, so they
    /// are small.
    pub(crate) shard_bytes: usize,
    /// A postings pack is closed before a stem that would take it past about this many
    /// bytes (a stem's postings count three bytes a document), so a common stem has a pack
    /// to itself and a query loads little besides its own stems' postings.
    pub(crate) pack_bytes: usize,
    /// A chunk of document texts is closed once it holds about this many bytes of text. A
    /// query's best documents are often far apart, so showing its results loads about one
    /// chunk per result: the top 10 of `context manager` load 15 KB at 8,000, 12 KB at 2,000.
    /// Books of more than about 5.7 MB of text get larger chunks (`max_chunks`), so this
    /// shapes small books like the handbook, whose typed queries this keeps within 40 KB
    /// with their titles.
    pub(crate) chunk_bytes: usize,
    /// At most about this many chunks: a larger book gets larger ones. Every file costs
    /// the build a file creation, and a 3,000-page book had 15,927 chunks of 2,000 bytes
    /// (about 3,600 of 10,500 now, which leaves room for its 1,000 titles files within the
    /// 5,862 files it had with 5,000 chunks; its first queries load more text, 6 results, 6
    /// chunks); the 600-page corpus (8 MB of text) gets chunks of about 2,100 bytes.
    pub(crate) max_chunks: usize,
    /// At most about this many packs (more when big stems leave packs part full), by the
    /// same reasoning: 2,362 packs of 2,000 bytes at 3,000 pages; the 600-page corpus keeps
    /// its 1,022 (at 1,200, its packs grew and `context manager` loaded 0.8 KB more).
    pub(crate) max_packs: usize,
    /// A stem whose postings alone fill a pack (a common word) has its best documents, about
    /// this many, in a head apart from the rest of its postings: a query whose best results
    /// those documents provably are (a common word typed alone, say "it" on the way to
    /// "iterator") loads the head, not the whole pack. The first page of results is 10.
    pub(crate) head_docs: usize,
    /// A head file holds the heads of a run of common stems, closed once it takes about this
    /// many bytes.
    pub(crate) head_group_bytes: usize,
    /// Documents per titles file (url, anchor, page and section title), or more when over
    /// `max_title_files` files would hold them. Results show their titles as soon as they are
    /// ranked, at every keystroke, so titles are apart from the texts, in small files: the
    /// 600-page corpus's typed queries load 6 to 16 of them.
    pub(crate) title_docs: usize,
    /// At most this many titles files.
    pub(crate) max_title_files: usize,
    /// Packs per positions file: phrases are rarer than words, and every file costs the
    /// build a file creation, which on some file systems outweighs writing its bytes.
    pub(crate) position_group: usize,
}

/// The query language's limits (see `query.rs`), so the client expands queries as
/// Rust does.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct QueryParameters {
    /// A query matches only the sections that have each of its words and phrases
    /// ([`Options::all_terms`]).
    pub(crate) all_terms: bool,
    /// The word being typed matches as a prefix ([`Options::prefixes`]).
    pub(crate) prefixes: bool,
    /// A word being typed shorter than this (in characters) matches only itself.
    pub(crate) min_prefix_chars: usize,
    /// Weight of a word that the typed word is a prefix of, against the word itself.
    pub(crate) prefix_factor: f32,
    /// Words this long (in characters) match words one edit away when nothing else matches.
    pub(crate) one_edit_chars: usize,
    /// Words this long match words two edits away.
    pub(crate) two_edits_chars: usize,
    /// Each edit multiplies a typo match's weight by this.
    pub(crate) edit_factor: f32,
    /// At most this many words a prefix or a typo expands to.
    pub(crate) max_expansions: usize,
}

impl Parameters {
    /// The parameters of an index built with the default [`Options`].
    pub(crate) const DEFAULT: Parameters = Parameters {
        boosts: [3.0, 2.0, 1.0],
        max_token_bytes: 40,
        k1: 1.2,
        b: 0.75,
        query: QueryParameters {
            all_terms: false,
            prefixes: true,
            min_prefix_chars: 4,
            prefix_factor: 0.9,
            one_edit_chars: 4,
            two_edits_chars: 8,
            edit_factor: 0.5,
            max_expansions: 8,
        },
        shard_bytes: 2_000,
        pack_bytes: 2_000,
        chunk_bytes: 1_500,
        max_chunks: 3_800,
        max_packs: 1_500,
        position_group: 16,
        head_docs: 32,
        head_group_bytes: 1_500,
        title_docs: 4,
        max_title_files: 1_000,
    };

    /// The parameters of an index built with `options`.
    pub(crate) fn new(options: &Options) -> Parameters {
        let mut parameters = Parameters::DEFAULT;
        parameters.boosts = options.boosts;
        parameters.query.all_terms = options.all_terms;
        parameters.query.prefixes = options.prefixes;
        parameters
    }
}
