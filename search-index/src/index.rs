//! Building the tantivy index in memory from the caller's documents, and
//! answering queries from it: the reference the JavaScript client is
//! tested against, and what `handbook search` prints.

use tantivy::collector::TopDocs;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::indexer::NoMergePolicy;
use tantivy::query::{EnableScoring, Query};
use tantivy::{DocAddress, Searcher, TERMINATED, TantivyDocument};

use crate::parameters::{Options, Parameters};
use crate::schema::{Field, Schema};
use crate::vocabulary::Vocabulary;
use crate::{Doc, Result};

/// tantivy flushes a segment when its indexing memory reaches this. A book's text stays well
/// below it, so the index has one segment, whose doc ids (by which `TopDocs` breaks ties)
/// are the caller's order; more segments would still work, mapped through `ord`.
const WRITER_MEMORY: usize = 1 << 30;

/// A search index over a list of documents, held in memory.
pub struct Index {
    pub(crate) docs: Vec<Doc>,
    pub(crate) schema: Schema,
    pub(crate) searcher: Searcher,
    /// Per segment: the caller's index of each of its documents.
    ords: Vec<Vec<u32>>,
    pub(crate) vocabulary: Vocabulary,
    pub(crate) stats: Stats,
    /// What shapes the queries and the exported files.
    pub(crate) parameters: Parameters,
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

/// A matching document and its score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    /// Its index in the documents the index was built from.
    pub doc: usize,
    /// Its BM25 score.
    pub score: f32,
}

impl Index {
    /// Indexes `docs` (in memory; takes a fraction of a second for a large book), to be
    /// searched and exported with `options`.
    pub fn build(docs: Vec<Doc>, options: &Options) -> Result<Index> {
        let schema = Schema::new();
        let index = tantivy::Index::create_in_ram(schema.schema.clone());
        let recorder = Schema::register_analyzer(&index);
        let mut writer = index.writer_with_num_threads::<TantivyDocument>(1, WRITER_MEMORY)?;
        writer.set_merge_policy(Box::new(NoMergePolicy));
        for (ord, doc) in docs.iter().enumerate() {
            writer.add_document(schema.document(ord, doc))?;
        }
        writer.commit()?;
        let reader: tantivy::IndexReader = index
            .reader_builder()
            .reload_policy(tantivy::ReloadPolicy::Manual)
            .try_into()?;
        let searcher = reader.searcher();
        let ords = read_ords(&searcher)?;
        let stats = Stats::read(&searcher, &schema, &ords, docs.len())?;
        let vocabulary = Vocabulary::read(&searcher, &schema, &ords, recorder.take_words())?;
        Ok(Index {
            docs,
            schema,
            searcher,
            ords,
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
        let query = self.query(query);
        let top = self
            .searcher
            .search(&query, &TopDocs::with_limit(limit).order_by_score())?;
        Ok(top
            .into_iter()
            .map(|(score, address)| Hit {
                doc: self.ord(address),
                score,
            })
            .collect())
    }

    /// Every matching document with the score tantivy's scorer gives it when it visits every
    /// document (no Block-WAND pruning, whose different summation order can move a score by
    /// an ulp), in document order.
    pub fn score_every_doc(&self, query: &str) -> Result<Vec<Hit>> {
        let query = self.query(query);
        let weight = query.weight(EnableScoring::enabled_from_searcher(&self.searcher))?;
        let mut hits = Vec::new();
        for (segment, reader) in self.searcher.segment_readers().iter().enumerate() {
            let mut scorer = weight.scorer(reader, 1.0)?;
            while scorer.doc() != TERMINATED {
                hits.push(Hit {
                    doc: self.ords[segment][scorer.doc() as usize] as usize,
                    score: scorer.score(),
                });
                scorer.advance();
            }
        }
        hits.sort_by_key(|hit| hit.doc);
        Ok(hits)
    }

    fn query(&self, query: &str) -> Box<dyn Query> {
        let parameters = &self.parameters;
        let items = crate::query::parse(query);
        let clauses = crate::query::plan(&items, &self.vocabulary, &parameters.query);
        crate::query::to_tantivy(&clauses, &self.schema, &self.vocabulary, parameters)
    }

    fn ord(&self, address: DocAddress) -> usize {
        self.ords[address.segment_ord as usize][address.doc_id as usize] as usize
    }
}

/// Per segment, the caller's index of each document (the `ord` field).
fn read_ords(searcher: &Searcher) -> Result<Vec<Vec<u32>>> {
    searcher
        .segment_readers()
        .iter()
        .map(|segment| {
            let column = segment.fast_fields().u64("ord")?;
            Ok((0..segment.max_doc())
                .map(|doc| column.first(doc).unwrap_or_default() as u32)
                .collect())
        })
        .collect()
}

impl Stats {
    fn read(searcher: &Searcher, schema: &Schema, ords: &[Vec<u32>], docs: usize) -> Result<Stats> {
        let mut tokens = [0u64; 3];
        let mut fieldnorm_ids: [Vec<u8>; 3] = Default::default();
        for field in Field::ALL {
            let ids = &mut fieldnorm_ids[field.index()];
            ids.resize(docs, 0);
            for (segment, reader) in searcher.segment_readers().iter().enumerate() {
                tokens[field.index()] += reader
                    .inverted_index(schema.field(field))?
                    .total_num_tokens();
                let norms = reader.get_fieldnorms_reader(schema.field(field))?;
                for doc in 0..reader.max_doc() {
                    ids[ords[segment][doc as usize] as usize] = norms.fieldnorm_id(doc);
                }
            }
        }
        let docs = searcher
            .segment_readers()
            .iter()
            .map(|reader| reader.max_doc())
            .sum();
        Ok(Stats {
            docs,
            tokens,
            fieldnorm_ids,
            fieldnorm_table: (0..=255u8).map(FieldNormReader::id_to_fieldnorm).collect(),
        })
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
