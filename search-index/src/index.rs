//! Building the tantivy index in memory from the caller's documents, and
//! answering queries from it: the reference the JavaScript client is
//! tested against, and what `handbook search` prints.

use std::sync::OnceLock;

use tantivy::collector::TopDocs;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::query::{EnableScoring, Query};
use tantivy::{DocAddress, Searcher, TERMINATED};

use crate::parameters::{Options, Parameters};
use crate::partial::{InRam, Partial};
use crate::schema::Schema;
use crate::vocabulary::Vocabulary;
use crate::{Doc, Result};

/// A search index over a list of documents, held in memory.
pub struct Index {
    pub(crate) docs: Vec<Doc>,
    /// tantivy's own index of every document, for [`Index::search`]: built when first
    /// searched, since exporting needs only the vocabulary and statistics.
    reference: OnceLock<Reference>,
    pub(crate) vocabulary: Vocabulary,
    pub(crate) stats: Stats,
    /// What shapes the queries and the exported files.
    pub(crate) parameters: Parameters,
}

/// One tantivy index of all the documents, in their order, that queries run against.
struct Reference {
    schema: Schema,
    searcher: Searcher,
    /// Per segment: the caller's index of each of its documents.
    ords: Vec<Vec<u32>>,
}

/// The collection statistics BM25 needs, as tantivy computes them.
pub(crate) struct Stats {
    /// Number of documents.
    pub docs: u32,
    /// Per field: tokens in all documents.
    pub tokens: [u64; 3],
    /// Per field and document (caller's order): tantivy's one-byte length code.
    pub fieldnorm_ids: [Vec<u8>; 3],
    /// The length each code stands for.
    pub fieldnorm_table: Vec<u32>,
}

impl Stats {
    pub(crate) fn new(docs: u32, tokens: [u64; 3], fieldnorm_ids: [Vec<u8>; 3]) -> Stats {
        Stats {
            docs,
            tokens,
            fieldnorm_ids,
            fieldnorm_table: (0..=255u8).map(FieldNormReader::id_to_fieldnorm).collect(),
        }
    }
}

/// A matching document and its score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    /// Its index in the documents the index was built from.
    pub doc: usize,
    /// Its BM25 score.
    pub score: f32,
}

impl Index {
    /// Indexes `docs` (in memory, in groups on every thread of the current rayon pool), to be
    /// searched and exported with `options`.
    pub fn build(docs: Vec<Doc>, options: &Options) -> Result<Index> {
        let partials = Partial::index_groups(&docs, &crate::partial::groups(&docs))?;
        Index::merge(docs, partials, options, false)
    }

    /// The index of `docs` from the partials of its groups: `partials` are those of
    /// consecutive runs of `docs`, in order, covering all of them, whether just indexed or
    /// kept from an earlier build ([`Partial::from_bytes`]). The same index as
    /// [`Index::build`] gives, whatever the groups; an error if a partial was not made from
    /// the documents at its place. Owned partials are freed as they are merged, so a build
    /// does not hold them beside the whole index.
    pub fn from_partials<P: std::borrow::Borrow<Partial>>(
        docs: Vec<Doc>,
        partials: Vec<P>,
        options: &Options,
    ) -> Result<Index> {
        Index::merge(docs, partials, options, true)
    }

    /// The index of `docs` from `partials` (owned ones freed as they are merged), checking
    /// that they are theirs if `check`.
    fn merge<P: std::borrow::Borrow<Partial>>(
        docs: Vec<Doc>,
        partials: Vec<P>,
        options: &Options,
        check: bool,
    ) -> Result<Index> {
        let (vocabulary, stats) = crate::partial::merge(&docs, partials, check)?;
        Ok(Index {
            docs,
            reference: OnceLock::new(),
            vocabulary,
            stats,
            parameters: Parameters::new(options),
        })
    }

    /// The documents, in the order given to [`Index::build`].
    pub fn docs(&self) -> &[Doc] {
        &self.docs
    }

    /// The best `limit` documents for `query`, best first, as tantivy's `TopDocs` ranks them.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<Hit>> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let reference = self.reference()?;
        let query = self.query(reference, query);
        let top = reference
            .searcher
            .search(&query, &TopDocs::with_limit(limit).order_by_score())?;
        Ok(top
            .into_iter()
            .map(|(score, address)| Hit {
                doc: reference.ord(address),
                score,
            })
            .collect())
    }

    /// Every matching document with the score tantivy's scorer gives it when it visits every
    /// document (no Block-WAND pruning, whose different summation order can move a score by
    /// an ulp), in document order.
    pub fn score_every_doc(&self, query: &str) -> Result<Vec<Hit>> {
        let reference = self.reference()?;
        let query = self.query(reference, query);
        let searcher = &reference.searcher;
        let weight = query.weight(EnableScoring::enabled_from_searcher(searcher))?;
        let mut hits = Vec::new();
        for (segment, reader) in searcher.segment_readers().iter().enumerate() {
            let mut scorer = weight.scorer(reader, 1.0)?;
            while scorer.doc() != TERMINATED {
                hits.push(Hit {
                    doc: reference.ords[segment][scorer.doc() as usize] as usize,
                    score: scorer.score(),
                });
                scorer.advance();
            }
        }
        hits.sort_by_key(|hit| hit.doc);
        Ok(hits)
    }

    /// tantivy's index of every document, built on first use.
    fn reference(&self) -> Result<&Reference> {
        if let Some(reference) = self.reference.get() {
            return Ok(reference);
        }
        let InRam {
            schema,
            searcher,
            ords,
            ..
        } = InRam::index(&self.docs)?;
        Ok(self.reference.get_or_init(|| Reference {
            schema,
            searcher,
            ords,
        }))
    }

    fn query(&self, reference: &Reference, query: &str) -> Box<dyn Query> {
        let parameters = &self.parameters;
        let items = crate::query::parse(query);
        let clauses = crate::query::plan(&items, &self.vocabulary, &parameters.query);
        crate::query::to_tantivy(&clauses, &reference.schema, &self.vocabulary, parameters)
    }
}

impl Reference {
    fn ord(&self, address: DocAddress) -> usize {
        self.ords[address.segment_ord as usize][address.doc_id as usize] as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::NodeClient;

    #[test]
    fn the_client_scores_every_kind_of_query_as_tantivy_does() {
        let index = Index::build(crate::testdocs::docs(), &Default::default()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let client = NodeClient::write(&index, dir.path()).unwrap();
        let queries = [
            "closure",
            "closures ",
            "Closures capture variables ",
            "function",
            "func",
            "gen",
            "generators yield",
            "\"the closure\"",
            "\"captured variables\" scope",
            "os.path.join",
            "path",
            "pathlib",
            "café",
            "naïve résumé",
            "Σίσυφος",
            "😀",
            "𝒳",
            "2024",
            "3.12",
            "0xff",
            "script",
            "<script>",
            "onerror",
            "img",
            "clsure",
            "decoratr",
            "genrators ",
            "fnctions",
            "\"clsure\"",
            "zzzzqqq",
            "",
            "   ",
            "\"",
            "\"functions are",
            "x",
            "a closure",
            "wraps functools",
            "decorators closures functions",
            "yield from",
            "\"yield from\"",
        ];
        let problems = client.compare(&index, &queries, 10).unwrap();
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn the_client_scores_all_terms_queries_and_other_boosts_as_tantivy_does() {
        let options = Options {
            boosts: [1.5, 0.25, 4.0],
            all_terms: true,
            prefixes: false,
        };
        let index = Index::build(crate::testdocs::docs(), &options).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let client = NodeClient::write(&index, dir.path()).unwrap();
        let queries = [
            "closure",
            "closures capture",
            "decorators closures functions",
            "wraps functools",
            "a closure",
            "functions are objects",
            "\"captured variables\" scope",
            "clsure scope",
            "closures zzzzqqq",
            "func",
            "yield from",
            "generators yield from",
        ];
        let problems = client.compare(&index, &queries, 10).unwrap();
        assert!(problems.is_empty(), "{}", problems.join("\n"));
        // Fewer sections match every word than any, a word matching nothing leaves nothing,
        // and the word being typed is not a prefix.
        let any = Index::build(crate::testdocs::docs(), &Options::default()).unwrap();
        let count = |index: &Index, query: &str| index.score_every_doc(query).unwrap().len();
        let query = "decorators closures functions";
        assert!(count(&index, query) > 0);
        assert!(count(&index, query) < count(&any, query));
        assert_eq!(count(&index, "closures zzzzqqq"), 0);
        assert!(count(&any, "closures zzzzqqq") > 0);
        assert_eq!(count(&index, "func"), 0);
        assert!(count(&any, "func") > 0);
    }

    #[test]
    fn common_words_rank_from_their_heads_as_tantivy_does() {
        let index =
            Index::build(crate::testdocs::with_common_words(), &Default::default()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let client = NodeClient::write(&index, dir.path()).unwrap();
        let queries = [
            "python ",
            "python",
            "pyth",
            "list ",
            "python list ",
            "python lis",
            "list comprehension",
            "python \"a list\"",
            "pythn ",
            "a",
            "the",
        ];
        let (problems, files) = client.compare_top(&index, &queries, 10).unwrap();
        assert!(problems.is_empty(), "{}", problems.join("\n"));
        let packs = |n: usize| files[n].iter().filter(|f| f.starts_with('t')).count();
        let heads = |n: usize| files[n].iter().filter(|f| f.starts_with('h')).count();
        // A common word alone is answered from its head: no pack loaded.
        assert!(heads(0) > 0 && packs(0) == 0, "{:?}", files[0]);
        // A phrase needs positions, so the whole postings.
        assert!(packs(7) > 0, "{:?}", files[7]);
        // And every result whatever the limit: the client loads what the heads cannot prove.
        let (problems, _) = client.compare_top(&index, &queries, 500).unwrap();
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn prefixes_typos_and_phrases_find_their_sections() {
        let index = Index::build(crate::testdocs::docs(), &Default::default()).unwrap();
        let first = |query: &str| {
            let hits = index.search(query, 1).unwrap();
            hits.first()
                .map(|hit| index.docs()[hit.doc].section_title.as_str())
        };
        assert_eq!(first("clos"), Some("Closures"), "a prefix");
        assert_eq!(first("clsure"), Some("Closures"), "one edit");
        assert_eq!(
            first("dcoratrs"),
            Some("Decorators"),
            "two edits in a long word"
        );
        assert_eq!(first("\"yield from\""), Some("Generators"), "a phrase");
        assert_eq!(
            first("os.path.join"),
            Some("Files and paths"),
            "a dotted name"
        );
        assert_eq!(first("<script>"), Some("The <script> tag"));
        assert_eq!(first("\"clsure\""), None, "quoted words are exact");
        assert_eq!(first("clos "), None, "a finished word is not a prefix");
    }
}
