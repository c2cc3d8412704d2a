//! Indexing a group of documents on its own, and merging groups into one
//! index. Everything the export needs is additive per document: each
//! stem's postings, each document's field-length codes, the token totals,
//! the words as written. So a group indexed alone in its own tantivy index
//! (numbering its documents from zero) is a [`Partial`], and partials of
//! consecutive groups merge into exactly what indexing all the documents
//! at once gives, by offsetting document numbers: that is how
//! [`crate::Index::build`] uses every core, and how a caller that keeps
//! partials re-indexes only the groups that changed.

use std::borrow::Borrow;
use std::ops::Range;

use rayon::prelude::*;
use rustc_hash::FxHashMap as HashMap;
use serde::{Deserialize, Serialize};
use tantivy::indexer::NoMergePolicy;
use tantivy::{Searcher, TantivyDocument};

use crate::index::Stats;
use crate::schema::{Field, Schema};
use crate::vocabulary::{Postings, Stem, Vocabulary, Word, key_order, read_stems};
use crate::{Doc, Error, Result};

/// tantivy flushes a segment when its indexing memory reaches this. A group's text stays well
/// below it, so its index has one segment, whose doc ids (by which `TopDocs` breaks ties)
/// are the caller's order; more segments would still work, mapped through `ord`.
const WRITER_MEMORY: usize = 1 << 30;

/// What [`Partial::to_bytes`] writes first: partials of another layout or analyzer are
/// refused rather than misread. Bump it when either changes.
const BYTES_VERSION: &str = "handbook-search-partial 1";

/// How many groups [`crate::Index::build`] cuts the documents into per thread: more than one,
/// so that a thread slowed by other work on the machine does not hold up the rest.
const GROUPS_PER_THREAD: usize = 3;

/// A group of consecutive documents indexed on its own, documents numbered from zero: its
/// share of the index's vocabulary and statistics. Serializable, so a caller can keep it
/// (with [`Partial::to_bytes`]) while the group's documents do not change and build the next
/// index from it with [`crate::Index::from_partials`]. Flat arrays rather than a value per
/// stem: reading a kept partial back and merging it allocate little.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Partial {
    /// A hash of the indexed text of the group's documents, to refuse a partial handed in
    /// with documents other than its own.
    key: [u8; 32],
    /// Per field: tokens in the group's documents.
    tokens: [u64; 3],
    /// Per field and document: tantivy's one-byte length code.
    fieldnorm_ids: [Vec<u8>; 3],
    /// The group's stems, sorted by [`key_order`].
    stems: Strings,
    /// Per field: the postings of every stem, in `stems`' order.
    fields: [FieldPostings; 3],
    /// Every word as written (lower-cased) in the group, in any order.
    words: Strings,
    /// Each word's stem, as an index into `stems`.
    word_stems: Vec<u32>,
}

/// A list of strings in one allocation.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Strings {
    text: String,
    /// Where each string ends in `text`.
    ends: Vec<u32>,
}

impl Strings {
    fn push(&mut self, s: &str) {
        self.text.push_str(s);
        self.ends.push(self.text.len() as u32);
    }

    fn iter(&self) -> impl Iterator<Item = &str> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(&self.ends)
            .map(|(start, &end)| &self.text[start as usize..end as usize])
    }
}

/// The postings of a run of stems in one field, concatenated.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct FieldPostings {
    /// Per stem: how many documents hold it (0 where none do).
    counts: Vec<u32>,
    /// Per posting: the document, from zero in the group.
    docs: Vec<u32>,
    /// Per posting: the term frequency.
    freqs: Vec<u32>,
    /// Per posting: its term frequency's worth of positions.
    positions: Vec<u32>,
}

impl Partial {
    /// Indexes `docs` with tantivy (in memory, on one thread besides the caller's). Each
    /// call builds a tantivy index, which costs about 10 ms however few the documents
    /// (tantivy allocates, clears and walks a term table of 2^19 slots whatever its memory
    /// budget): a group of a few dozen pages amortises it.
    pub fn index(docs: &[Doc]) -> Result<Partial> {
        let indexed = InRam::index(docs)?;
        let ords = &indexed.ords;
        let mut tokens = [0u64; 3];
        let mut fieldnorm_ids: [Vec<u8>; 3] = Default::default();
        for field in Field::ALL {
            let ids = &mut fieldnorm_ids[field.index()];
            ids.resize(docs.len(), 0);
            for (segment, reader) in indexed.searcher.segment_readers().iter().enumerate() {
                let tantivy_field = indexed.schema.field(field);
                tokens[field.index()] += reader.inverted_index(tantivy_field)?.total_num_tokens();
                let norms = reader.get_fieldnorms_reader(tantivy_field)?;
                for doc in 0..reader.max_doc() {
                    ids[ords[segment][doc as usize] as usize] = norms.fieldnorm_id(doc);
                }
            }
        }
        let mut stems = Strings::default();
        let mut fields: [FieldPostings; 3] = Default::default();
        let mut stem_ids = HashMap::default();
        for (id, stem) in read_stems(&indexed.searcher, &indexed.schema, ords)?
            .into_iter()
            .enumerate()
        {
            stems.push(&stem.text);
            for (into, from) in fields.iter_mut().zip(stem.fields) {
                into.counts.push(from.docs.len() as u32);
                into.docs.extend(from.docs);
                into.freqs.extend(from.freqs);
                into.positions.extend(from.positions);
            }
            stem_ids.insert(stem.text, id as u32);
        }
        // Sorted, so that the same documents give the same bytes.
        let mut found: Vec<(&str, u32)> = (indexed.words.iter())
            .filter_map(|(word, stem)| Some((word.as_str(), *stem_ids.get(stem)?)))
            .collect();
        found.sort_unstable();
        let mut words = Strings::default();
        let mut word_stems = Vec::with_capacity(found.len());
        for (word, id) in found {
            words.push(word);
            word_stems.push(id);
        }
        Ok(Partial {
            key: key(docs),
            tokens,
            fieldnorm_ids,
            stems,
            fields,
            words,
            word_stems,
        })
    }

    /// Indexes each group of `docs` (consecutive ranges, in order) on the threads of the
    /// current rayon pool.
    pub fn index_groups(docs: &[Doc], groups: &[Range<usize>]) -> Result<Vec<Partial>> {
        groups
            .par_iter()
            .map(|range| Partial::index(&docs[range.clone()]))
            .collect()
    }

    /// What identifies the partial of `docs`: a hash of the text it indexes (for a caller
    /// that keeps partials by their documents).
    pub fn key_of(docs: &[Doc]) -> [u8; 32] {
        key(docs)
    }

    /// The number of documents indexed.
    pub fn len(&self) -> usize {
        self.fieldnorm_ids[0].len()
    }

    /// Whether the group had no documents.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The partial as bytes (bincode, behind a version tag), for a cache.
    pub fn to_bytes(&self) -> Vec<u8> {
        use bincode::Options as _;
        bincode::DefaultOptions::new()
            .serialize(&(BYTES_VERSION, self))
            .expect("a partial serialises")
    }

    /// A partial written by [`Partial::to_bytes`]; an error if the bytes are damaged or were
    /// written by a version of this crate that indexed differently (index the group again).
    pub fn from_bytes(bytes: &[u8]) -> Result<Partial> {
        use bincode::Options as _;
        let (version, partial): (String, Partial) = bincode::DefaultOptions::new()
            .deserialize(bytes)
            .map_err(|e| Error::PartialBytes(e.to_string()))?;
        if version != BYTES_VERSION {
            return Err(Error::PartialBytes(format!(
                "written as {version:?}, this version reads {BYTES_VERSION:?}"
            )));
        }
        Ok(partial)
    }
}

/// Consecutive groups of `docs` of about equal text, for the threads of the current rayon
/// pool: what [`crate::Index::build`] indexes in parallel.
pub(crate) fn groups(docs: &[Doc]) -> Vec<Range<usize>> {
    let count = (rayon::current_num_threads() * GROUPS_PER_THREAD).min(docs.len());
    let bytes = |doc: &Doc| doc.body.len() + doc.section_title.len() + doc.page_title.len();
    let total: usize = docs.iter().map(bytes).sum();
    let per_group = total.div_ceil(count.max(1)).max(1);
    let mut groups = Vec::with_capacity(count);
    let (mut start, mut filled) = (0, 0);
    for (n, doc) in docs.iter().enumerate() {
        filled += bytes(doc);
        if filled >= per_group {
            groups.push(start..n + 1);
            (start, filled) = (n + 1, 0);
        }
    }
    if start < docs.len() {
        groups.push(start..docs.len());
    }
    groups
}

/// Merges the partials of `docs` (consecutive groups, in order) into the vocabulary and
/// statistics of all of them: what indexing `docs` at once would read back. Partials handed
/// over by value are freed one by one as they are copied, so a build does not hold its
/// postings twice. `check` says whether to make sure each partial is that of its documents
/// (not needed for partials just made from them).
pub(crate) fn merge<P: Borrow<Partial>>(
    docs: &[Doc],
    partials: Vec<P>,
    check: bool,
) -> Result<(Vocabulary, Stats)> {
    let mut tokens = [0u64; 3];
    let mut fieldnorm_ids: [Vec<u8>; 3] = std::array::from_fn(|_| Vec::with_capacity(docs.len()));
    let mut offset = 0usize;
    for (group, partial) in partials.iter().map(Borrow::borrow).enumerate() {
        let range = offset..offset + partial.len();
        let mismatch = match docs.get(range.clone()) {
            Some(group_docs) => check && key(group_docs) != partial.key,
            None => true,
        };
        if mismatch {
            return Err(Error::PartialMismatch { group, range });
        }
        for field in Field::ALL {
            tokens[field.index()] += partial.tokens[field.index()];
            fieldnorm_ids[field.index()].extend_from_slice(&partial.fieldnorm_ids[field.index()]);
        }
        offset = range.end;
    }
    if offset != docs.len() {
        return Err(Error::PartialMismatch {
            group: partials.len(),
            range: offset..docs.len(),
        });
    }
    let (ids, words, mut stems) = {
        let borrowed: Vec<&Partial> = partials.iter().map(Borrow::borrow).collect();
        let (texts, ids) = merged_stems(&borrowed);
        let words = merged_words(&borrowed, &ids);
        let stems = sized_stems(&borrowed, &texts, &ids);
        (ids, words, stems)
    };
    let mut offset = 0u32;
    for (partial, ids) in partials.into_iter().zip(&ids) {
        let partial = partial.borrow();
        copy_postings(partial, ids, offset, &mut stems);
        offset += partial.len() as u32;
    }
    let stats = Stats::new(docs.len() as u32, tokens, fieldnorm_ids);
    Ok((Vocabulary::new(stems, words), stats))
}

/// Every stem of `partials`, sorted by [`key_order`], and per partial the index in it of each
/// of the partial's stems.
fn merged_stems<'a>(partials: &[&'a Partial]) -> (Vec<&'a str>, Vec<Vec<u32>>) {
    let mut first_seen: HashMap<&str, u32> = HashMap::default();
    let seen: Vec<Vec<u32>> = partials
        .iter()
        .map(|partial| {
            let stems = partial.stems.iter();
            stems
                .map(|text| {
                    let next = first_seen.len() as u32;
                    *first_seen.entry(text).or_insert(next)
                })
                .collect()
        })
        .collect();
    let mut texts: Vec<&str> = vec![""; first_seen.len()];
    for (&text, &n) in &first_seen {
        texts[n as usize] = text;
    }
    let mut order: Vec<u32> = (0..texts.len() as u32).collect();
    order.sort_unstable_by(|&a, &b| key_order(texts[a as usize], texts[b as usize]));
    let mut sorted_id = vec![0u32; texts.len()];
    for (id, &n) in order.iter().enumerate() {
        sorted_id[n as usize] = id as u32;
    }
    let texts = order.iter().map(|&n| texts[n as usize]).collect();
    let ids = seen
        .into_iter()
        .map(|seen| seen.into_iter().map(|n| sorted_id[n as usize]).collect())
        .collect();
    (texts, ids)
}

/// Every word of `partials` with its stem (`ids` maps each partial's stems to the merged ones).
fn merged_words(partials: &[&Partial], ids: &[Vec<u32>]) -> Vec<Word> {
    let mut words: HashMap<&str, u32> = HashMap::default();
    for (partial, ids) in partials.iter().zip(ids) {
        let stems = partial.word_stems.iter().map(|&local| ids[local as usize]);
        words.extend(partial.words.iter().zip(stems));
    }
    words
        .into_iter()
        .map(|(text, stem)| Word {
            text: text.to_owned(),
            stem,
        })
        .collect()
}

/// The stems `texts`, each with empty postings of the size all of `partials` will fill (so
/// every list is allocated once).
fn sized_stems(partials: &[&Partial], texts: &[&str], ids: &[Vec<u32>]) -> Vec<Stem> {
    let mut sizes = vec![[(0usize, 0usize); 3]; texts.len()];
    for (partial, ids) in partials.iter().zip(ids) {
        for (field, from) in partial.fields.iter().enumerate() {
            let mut start = 0usize;
            for (&id, &count) in ids.iter().zip(&from.counts) {
                let end = start + count as usize;
                let positions: u32 = from.freqs[start..end].iter().sum();
                let size = &mut sizes[id as usize][field];
                size.0 += count as usize;
                size.1 += positions as usize;
                start = end;
            }
        }
    }
    texts
        .iter()
        .zip(&sizes)
        .map(|(text, sizes)| Stem {
            text: (*text).to_owned(),
            fields: sizes.map(|(docs, positions)| Postings {
                docs: Vec::with_capacity(docs),
                freqs: Vec::with_capacity(docs),
                positions: Vec::with_capacity(positions),
            }),
        })
        .collect()
}

/// Appends the postings of `partial` (`ids` maps its stems to `stems`), its documents
/// numbered from `offset`. A later group's documents all come after an earlier one's, so
/// postings appended in group order stay sorted.
fn copy_postings(partial: &Partial, ids: &[u32], offset: u32, stems: &mut [Stem]) {
    for (field, from) in partial.fields.iter().enumerate() {
        let (mut start, mut position) = (0usize, 0usize);
        for (&id, &count) in ids.iter().zip(&from.counts) {
            let end = start + count as usize;
            let freqs = &from.freqs[start..end];
            let positions = position + freqs.iter().sum::<u32>() as usize;
            let into = &mut stems[id as usize].fields[field];
            into.docs
                .extend(from.docs[start..end].iter().map(|&d| d + offset));
            into.freqs.extend_from_slice(freqs);
            into.positions
                .extend_from_slice(&from.positions[position..positions]);
            (start, position) = (end, positions);
        }
    }
}

/// A hash of what indexing reads of `docs`: their titles and text.
pub(crate) fn key(docs: &[Doc]) -> [u8; 32] {
    let texts = docs
        .iter()
        .flat_map(|doc| [&doc.page_title, &doc.section_title, &doc.body]);
    crate::format::hash_texts(blake3::Hasher::new(), texts)
        .finalize()
        .into()
}

/// A tantivy index of some documents, in memory, with the words its analyzer saw.
pub(crate) struct InRam {
    pub schema: Schema,
    pub searcher: Searcher,
    /// Per segment: the caller's index (in the documents indexed) of each of its documents.
    pub ords: Vec<Vec<u32>>,
    /// Every word as written (lower-cased) with its stem.
    pub words: HashMap<String, String>,
}

impl InRam {
    /// Indexes `docs` with one tantivy writer thread, `ord` numbering them from zero.
    pub(crate) fn index(docs: &[Doc]) -> Result<InRam> {
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
        Ok(InRam {
            schema,
            ords: read_ords(&searcher)?,
            searcher,
            words: recorder.take_words(),
        })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{File, Index, Options};

    /// The test documents and enough more that groups hold many stems, some in every group.
    fn docs() -> Vec<Doc> {
        let mut docs = crate::testdocs::docs();
        for n in 0..120 {
            docs.push(Doc {
                url: format!("extra/{}.html", n / 4),
                anchor: format!("s{n}"),
                page_title: format!("Extra {}", n / 4),
                section_title: format!("Section {n} closures"),
                body: format!(
                    "w{n} generators yield w{} shared text, closures capture w{n}",
                    n % 7
                ),
            });
        }
        docs
    }

    fn export(docs: &[Doc], groups: &[Range<usize>]) -> Vec<File> {
        let partials = Partial::index_groups(docs, groups).unwrap();
        let index = Index::from_partials(docs.to_vec(), partials, &Options::default()).unwrap();
        index.export()
    }

    #[test]
    fn partials_of_any_groups_merge_into_the_index_of_all_documents_at_once() {
        let docs = docs();
        let n = docs.len();
        let all = Range { start: 0, end: n };
        let whole = export(&docs, std::slice::from_ref(&all));
        let one_each: Vec<Range<usize>> = (0..n).map(|d| d..d + 1).collect();
        for groups in [vec![0..3, 3..3, 3..50, 50..n], one_each, groups(&docs)] {
            assert!(export(&docs, &groups) == whole, "groups {groups:?}");
        }
        let built = Index::build(docs, &Options::default()).unwrap();
        assert!(built.export() == whole);
    }

    #[test]
    fn a_build_from_kept_and_new_partials_equals_a_clean_build() {
        let mut docs = docs();
        let groups = [0..8, 8..40, 40..90, 90..docs.len()];
        let kept: Vec<Vec<u8>> = Partial::index_groups(&docs, &groups)
            .unwrap()
            .iter()
            .map(Partial::to_bytes)
            .collect();
        let again = Partial::index(&docs[groups[1].clone()]).unwrap().to_bytes();
        assert!(again == kept[1], "the same documents give the same bytes");
        // One group changes: a new word, a word gone, a document's length.
        docs[50].body = "entirely different words: asynchronous coroutines".into();
        let mut partials: Vec<Partial> = kept
            .iter()
            .map(|bytes| Partial::from_bytes(bytes).unwrap())
            .collect();
        let options = Options::default();
        let stale = Index::from_partials(docs.clone(), partials.iter().collect(), &options);
        assert!(
            matches!(stale, Err(Error::PartialMismatch { group: 2, .. })),
            "a kept partial of changed documents is refused"
        );
        partials[2] = Partial::index(&docs[groups[2].clone()]).unwrap();
        let mixed =
            Index::from_partials(docs.clone(), partials.iter().collect(), &options).unwrap();
        let clean = Index::build(docs, &options).unwrap();
        assert!(mixed.export() == clean.export());
        assert_eq!(
            mixed.search("coroutines", 3).unwrap(),
            clean.search("coroutines", 3).unwrap()
        );
    }

    #[test]
    fn partials_that_do_not_cover_the_documents_or_are_damaged_are_refused() {
        let docs = docs();
        let partials = Partial::index_groups(&docs, &[0..10, 10..20]).unwrap();
        let short =
            Index::from_partials(docs.clone(), partials.iter().collect(), &Options::default());
        assert!(matches!(
            short,
            Err(Error::PartialMismatch { group: 2, .. })
        ));
        let bytes = partials[1].to_bytes();
        assert!(Partial::from_bytes(&bytes[..bytes.len() / 2]).is_err());
        let mut other_version = bytes.clone();
        other_version[5] ^= 1;
        assert!(matches!(
            Partial::from_bytes(&other_version),
            Err(Error::PartialBytes(_))
        ));
    }
}
