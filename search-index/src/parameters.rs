//! Every number that shapes an exported index: the field boosts, the
//! analyzer's token limit, BM25's constants, the query language's limits
//! and the sizes the files are cut at. They live in one struct,
//! [`Parameters::CURRENT`]: the Rust side reads them from it, the entry file
//! carries it to the client (which reads the boosts, K1, B and the limits
//! from there instead of repeating them), and the index's name hashes its
//! serialized form, so changing any of them renames every file.

use serde::Serialize;

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
    /// A shard is closed once its postings and words take about this many bytes. Every
    /// keystroke's query loads the shards of its words and prefixes, so they are small: at
    /// 8,000 typing `context manager` into the handbook's box loaded 33 KB of shards (gzipped),
    /// at 2,000 it loads 16 KB, at the price of more files (687 instead of 81 for the
    /// handbook; every file costs the build a file creation).
    pub(crate) shard_bytes: usize,
    /// A chunk of document texts is closed once it holds about this many bytes of text. A
    /// query's best documents are often far apart, so showing its results loads about one
    /// chunk per result: the top 10 of `context manager` load 15 KB at 8,000, 12 KB at 2,000.
    pub(crate) chunk_bytes: usize,
    /// Shards per positions file: phrases are rarer than words, and every file costs the
    /// build a file creation, which on some file systems outweighs writing its bytes.
    pub(crate) position_group: usize,
}

/// The query language's limits (see `query.rs`), so the client expands queries as
/// Rust does.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct QueryParameters {
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
    /// The parameters every index is built and exported with.
    pub(crate) const CURRENT: Parameters = Parameters {
        boosts: [3.0, 2.0, 1.0],
        max_token_bytes: 40,
        k1: 1.2,
        b: 0.75,
        query: QueryParameters {
            min_prefix_chars: 3,
            prefix_factor: 0.9,
            one_edit_chars: 4,
            two_edits_chars: 8,
            edit_factor: 0.5,
            max_expansions: 8,
        },
        shard_bytes: 2_000,
        chunk_bytes: 2_000,
        position_group: 8,
    };
}
