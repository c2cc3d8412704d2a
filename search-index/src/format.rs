//! The exported index format, written from an [`Index`]: the structs
//! below are its definition (the crate docs' FORMAT section describes it
//! for readers), and `js/engine.js` decodes it; a test decodes every file
//! with the client and compares the result with what was encoded.

use std::collections::HashSet;
use std::ops::Range;

use rayon::prelude::*;
use serde::Serialize;

use crate::index::{Index, Stats};
use crate::parameters::Parameters;
use crate::schema::Field;
use crate::vocabulary::{Postings, Vocabulary, key_order};
use crate::{Doc, File};

/// The format's version; the client refuses an index with another one.
pub const VERSION: u32 = 3;

/// The entry file, `index-<id>.js`: what every query needs.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Entry<'a> {
    version: u32,
    /// The id in every file name of this index.
    id: &'a str,
    /// Number of documents.
    docs: u32,
    fields: Vec<FieldInfo>,
    /// VLQ: the 256 field lengths tantivy's one-byte length codes stand for.
    fieldnorm_table: String,
    /// Front-coded: the first key of every dictionary shard but the first.
    shards: String,
    /// Front-coded: for every postings pack but the first, the shortest prefix of its first
    /// stem that sorts after the previous pack's last stem (enough to find a stem's pack).
    packs: String,
    /// Front-coded: every stem shorter than the query parameters' `min_prefix_chars`. The
    /// first letters of every query are such words, and most are not in the index: the
    /// client looks them up here instead of loading the pack where they would be.
    short_stems: String,
    /// VLQ: the packs of common stems, whose best documents are in a head (see [`Heads`]): the
    /// first pack's number, then each one's gap from the previous (minus one).
    heads: String,
    /// VLQ: the number of heads in each head file, in order.
    head_files: String,
    /// Documents per titles file (the last may hold fewer).
    title_docs: usize,
    /// Everything else that shapes the index: boosts, BM25's constants, the query limits,
    /// file sizes.
    parameters: &'a Parameters,
}

#[derive(Serialize)]
struct FieldInfo {
    name: &'static str,
    /// Tokens in all documents.
    tokens: u64,
}

/// A dictionary shard, `s<n>-<id>.js`: a range of keys (words and stems, in UTF-16 order)
/// without their postings, so that expanding a prefix loads the words it could become and
/// then the postings of the few it keeps, not those of every word in the range.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Shard {
    /// Front-coded: the words as written in the range.
    words: String,
    /// VLQ: each word's stem, as an index into `stems`.
    word_stems: String,
    /// Front-coded: the stems in the range and the stems of its words.
    stems: String,
    /// VLQ: per stem, how common it is (its (document, field) pairs), which orders a prefix's
    /// candidates.
    weights: String,
}

/// A postings pack, `t<n>-<id>.js`: a run of stems (in UTF-16 order) with their postings. A
/// stem whose postings alone fill a pack has one of its own.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Pack {
    /// Front-coded: the stems.
    stems: String,
    /// Per field, VLQ, for each stem: its document count, then per document the gap from
    /// the previous document (minus one) times two, plus one if the term frequency is not
    /// one (then followed by the frequency minus two), and the document's length code in
    /// the field (so a query loads the lengths of the documents it scores, and no others).
    postings: Vec<String>,
    /// VLQ: pairs (document count − the previous pair's, IDF as f32 bits) for every
    /// document count in the pack: tantivy's IDF, which JavaScript's `Math.log` does not
    /// always reproduce.
    idf: String,
}

/// The heads of a run of common stems, `h<n>-<id>.js`. A stem whose postings alone fill a
/// pack has its best documents by its own score (about `head_docs`, more when several tie
/// at the cut) here, with their postings in every field, and the rest of its postings in its
/// pack; the client ranks a query from the heads when it can prove that no other document
/// makes its first page.
#[derive(Serialize)]
struct Heads {
    /// Front-coded: the stems.
    stems: String,
    /// Per stem, VLQ: per field, its document count in the whole index (then, if not zero,
    /// its IDF as f32 bits), then the head's postings in the field as a pack encodes them;
    /// last, as f32 bits, a bound on the score (field boosts, no other factor) of every
    /// document not in the head.
    heads: Vec<String>,
}

/// The titles of a run of `title_docs` documents, `n<n>-<id>.js`: what a result shows
/// before its text arrives, and where its text is (a result's titles come first, so the
/// entry file need not say which chunk holds which document).
#[derive(Serialize)]
struct Titles<'a> {
    /// Per document: [url, anchor, page title, section title]; url and page title are ""
    /// when they are the previous document's.
    docs: Vec<[&'a str; 4]>,
    /// The chunk holding the first document's text, and the document's index in it.
    chunk: usize,
    offset: usize,
    /// VLQ: the documents (their index here, as gaps from the previous one) whose texts begin
    /// a chunk, the first document's aside.
    starts: String,
}

impl<'a> Titles<'a> {
    /// The titles of `docs`, the documents from `first` on, whose texts are in the chunks
    /// beginning at documents `chunk_starts`.
    fn of(docs: &'a [Doc], first: usize, chunk_starts: &[usize]) -> Titles<'a> {
        let chunk = chunk_starts.partition_point(|&start| start <= first) - 1;
        let mut previous = 0;
        let starts = chunk_starts[chunk + 1..]
            .iter()
            .take_while(|&&start| start < first + docs.len())
            .map(|&start| {
                let gap = start - first - previous;
                previous = start - first;
                gap as u64
            });
        let starts = Vlq::of(starts);
        let mut previous = "";
        let docs = docs
            .iter()
            .map(|d| {
                let same = d.url == previous;
                previous = &d.url;
                let (url, page) = if same {
                    ("", "")
                } else {
                    (d.url.as_str(), d.page_title.as_str())
                };
                [url, &d.anchor, page, &d.section_title]
            })
            .collect();
        Titles {
            docs,
            chunk,
            offset: first - chunk_starts[chunk],
            starts,
        }
    }
}

/// Positions of `position_group` consecutive packs, `p<n>-<id>.js` (packs
/// `n * position_group` on), loaded for phrases only.
#[derive(Serialize)]
struct Positions {
    /// Per pack, per field, VLQ, for each stem and each of its documents (as in the pack):
    /// its term frequency's worth of positions, the first as is, then gaps minus one.
    packs: Vec<Vec<String>>,
}

/// A chunk of documents' texts, `c<n>-<id>.js`: what results' snippets are cut from.
#[derive(Serialize)]
struct Chunk<'a> {
    /// Per document, its text.
    docs: Vec<&'a str>,
}

impl<'a> Chunk<'a> {
    fn of(docs: &'a [Doc]) -> Chunk<'a> {
        Chunk {
            docs: docs.iter().map(|d| d.body.as_str()).collect(),
        }
    }
}

/// Every word, `words-<id>.js`, loaded to correct typos.
#[derive(Serialize)]
struct Words {
    /// Front-coded: all words as written.
    words: String,
    /// Space-separated, per word: its stem as the VLQ length of the word's prefix it keeps,
    /// then the characters it adds.
    stems: String,
    /// VLQ: per word, the number of (document, field) pairs containing its stem.
    weights: String,
}

/// The id in every file name of the index built from `docs` with `parameters`: a hash of the
/// documents and of everything else that shapes the files (this crate's version, the format's
/// version, the parameters as the entry file carries them), known before indexing so pages
/// can name the entry file while the index is being built.
pub(crate) fn id(docs: &[Doc], parameters: &Parameters) -> String {
    let mut hasher = blake3::Hasher::new();
    let shape = format!(
        "{} {VERSION} {}",
        env!("CARGO_PKG_VERSION"),
        json(parameters)
    );
    hasher.update(shape.as_bytes());
    let texts = docs.iter().flat_map(|doc| {
        [
            &doc.url,
            &doc.anchor,
            &doc.page_title,
            &doc.section_title,
            &doc.body,
        ]
    });
    hash_texts(hasher, texts).finalize().to_hex()[..10].to_string()
}

/// Adds `texts` to `hasher`, each as its length (eight bytes, little-endian) and its bytes.
/// Fed through a buffer: blake3 hashes long inputs several chunks at a time (SIMD), short
/// ones (a title, a section) one at a time. The hash is that of the texts one by one.
pub(crate) fn hash_texts<'a>(
    mut hasher: blake3::Hasher,
    texts: impl Iterator<Item = &'a String>,
) -> blake3::Hasher {
    const BUFFER: usize = 1 << 16;
    let mut buffer = Vec::with_capacity(BUFFER);
    for text in texts {
        if buffer.len() + 8 + text.len() > BUFFER {
            hasher.update(&buffer);
            buffer.clear();
        }
        buffer.extend_from_slice(&(text.len() as u64).to_le_bytes());
        if text.len() > BUFFER {
            hasher.update(&buffer);
            hasher.update(text.as_bytes());
            buffer.clear();
        } else {
            buffer.extend_from_slice(text.as_bytes());
        }
    }
    hasher.update(&buffer);
    hasher
}

/// The entry file's name for an index with `id`.
pub(crate) fn entry_name(id: &str) -> String {
    format!("index-{id}.js")
}

impl Index {
    /// The exported index: the entry file ([`crate::entry_file`]) and every shard and chunk,
    /// made on the threads of the current rayon pool.
    pub fn export(&self) -> Vec<File> {
        let plan = Plan::new(self, &self.parameters);
        plan.pieces()
            .into_par_iter()
            .flat_map_iter(|piece| {
                let mut files = Vec::new();
                let Ok(()) = plan.files(piece, &mut |file| {
                    files.push(file);
                    Ok::<_, std::convert::Infallible>(())
                });
                files
            })
            .collect()
    }

    /// Hands each exported file to `put` as it is made, from the threads of the current rayon
    /// pool (so several at once, in no set order), so the export is never held whole.
    pub fn export_each<E: Send>(
        &self,
        put: impl Fn(File) -> Result<(), E> + Sync,
    ) -> Result<(), E> {
        let plan = Plan::new(self, &self.parameters);
        plan.pieces()
            .into_par_iter()
            .try_for_each(|piece| plan.files(piece, &mut |file| put(file)))
    }
}

/// How an index is cut into files: computed first, so that each file can then be made on
/// its own.
struct Plan<'a> {
    index: &'a Index,
    parameters: &'a Parameters,
    id: String,
    shards: Vec<ShardRange>,
    packs: Vec<Range<usize>>,
    /// The heads of common stems, in the order of their packs (at most one a pack).
    heads: Vec<Head>,
    /// Each head as its head file holds it.
    encoded: Vec<String>,
    /// The heads of each head file.
    head_files: Vec<Range<usize>>,
    /// Documents per titles file.
    title_docs: usize,
    /// The documents of each chunk.
    chunks: Vec<Range<usize>>,
}

/// A part of the export made on its own: one file, or for a group of postings packs, the
/// packs and their positions file.
#[derive(Clone, Copy)]
enum Piece {
    Entry,
    Shard(usize),
    Heads(usize),
    /// Packs `n * position_group` on, and the positions file `p<n>`.
    PositionGroup(usize),
    Titles(usize),
    Chunk(usize),
    Words,
}

impl<'a> Plan<'a> {
    fn new(index: &'a Index, parameters: &'a Parameters) -> Plan<'a> {
        let shards = shard_ranges(&index.vocabulary, parameters.shard_bytes);
        let pack_bytes = cut_size(
            index.vocabulary.stems.iter().map(stem_bytes).sum(),
            parameters.pack_bytes,
            parameters.max_packs,
        );
        let packs = pack_ranges(&index.vocabulary, pack_bytes);
        let heads = Head::of_common_stems(index, &packs, pack_bytes);
        let encoded: Vec<String> = heads.iter().map(|h| h.encode(index)).collect();
        let head_files = ranges(head_files(&encoded, parameters.head_group_bytes));
        let title_docs = cut_size(
            index.docs.len(),
            parameters.title_docs,
            parameters.max_title_files,
        );
        let chunk_bytes = cut_size(
            index.docs.iter().map(doc_bytes).sum(),
            parameters.chunk_bytes,
            parameters.max_chunks,
        );
        let chunks = ranges(chunk_sizes(&index.docs, chunk_bytes));
        Plan {
            index,
            parameters,
            id: id(&index.docs, parameters),
            shards,
            packs,
            heads,
            encoded,
            head_files,
            title_docs,
            chunks,
        }
    }

    /// Every piece, in the order of their files' names.
    fn pieces(&self) -> Vec<Piece> {
        let groups = self.packs.len().div_ceil(self.parameters.position_group);
        let titles = self.index.docs.len().div_ceil(self.title_docs);
        std::iter::once(Piece::Entry)
            .chain((0..self.shards.len()).map(Piece::Shard))
            .chain((0..self.head_files.len()).map(Piece::Heads))
            .chain((0..groups).map(Piece::PositionGroup))
            .chain((0..titles).map(Piece::Titles))
            .chain((0..self.chunks.len()).map(Piece::Chunk))
            .chain(std::iter::once(Piece::Words))
            .collect()
    }

    /// Makes the files of `piece`, each to `put` in turn.
    fn files<E>(&self, piece: Piece, put: &mut impl FnMut(File) -> Result<(), E>) -> Result<(), E> {
        let (index, vocabulary) = (self.index, &self.index.vocabulary);
        match piece {
            Piece::Entry => put(self.file("index", &entry(self))),
            Piece::Shard(n) => {
                put(self.file(&format!("s{n}"), &shard(vocabulary, &self.shards[n])))
            }
            Piece::Heads(n) => {
                let range = self.head_files[n].clone();
                let stems = &vocabulary.stems;
                let group = Heads {
                    stems: front_coded(
                        self.heads[range.clone()]
                            .iter()
                            .map(|h| stems[h.stem].text.as_str()),
                    ),
                    heads: self.encoded[range].to_vec(),
                };
                put(self.file(&format!("h{n}"), &group))
            }
            Piece::PositionGroup(n) => {
                let group = self.parameters.position_group;
                let first = n * group;
                let last = (first + group).min(self.packs.len());
                let mut packs = Vec::with_capacity(last - first);
                for k in first..last {
                    let head = (self.heads.binary_search_by_key(&k, |h| h.pack).ok())
                        .map(|at| &self.heads[at]);
                    let (pack, positions) =
                        pack(vocabulary, self.packs[k].clone(), &index.stats, head);
                    put(self.file(&format!("t{k}"), &pack))?;
                    packs.push(positions);
                }
                put(self.file(&format!("p{n}"), &Positions { packs }))
            }
            Piece::Titles(n) => {
                let first = n * self.title_docs;
                let last = (first + self.title_docs).min(index.docs.len());
                let chunk_starts: Vec<usize> = self.chunks.iter().map(|c| c.start).collect();
                let titles = Titles::of(&index.docs[first..last], first, &chunk_starts);
                put(self.file(&format!("n{n}"), &titles))
            }
            Piece::Chunk(n) => {
                let docs = &index.docs[self.chunks[n].clone()];
                put(self.file(&format!("c{n}"), &Chunk::of(docs)))
            }
            Piece::Words => put(self.file("words", &words(vocabulary))),
        }
    }

    /// The file of `key` holding `value` (its JSON written straight into the file's bytes:
    /// the text chunks hold the whole book).
    fn file(&self, key: &str, value: &impl Serialize) -> File {
        let mut bytes = format!("handbookSearch.load({key:?},").into_bytes();
        serde_json::to_writer(&mut bytes, value).expect("format structs serialise");
        bytes.extend_from_slice(b");\n");
        File {
            path: format!("{key}-{}.js", self.id),
            bytes,
        }
    }
}

/// Consecutive ranges of the given sizes, from 0.
fn ranges(sizes: Vec<usize>) -> Vec<Range<usize>> {
    let mut start = 0;
    sizes
        .into_iter()
        .map(|size| {
            start += size;
            start - size..start
        })
        .collect()
}

fn json(value: &impl Serialize) -> String {
    serde_json::to_string(value).expect("format structs serialise")
}

fn entry<'a>(plan: &'a Plan<'a>) -> Entry<'a> {
    let (index, parameters) = (plan.index, plan.parameters);
    let stats = &index.stats;
    Entry {
        version: VERSION,
        id: &plan.id,
        docs: stats.docs,
        fields: Field::ALL
            .iter()
            .map(|&field| FieldInfo {
                name: field.name(),
                tokens: stats.tokens[field.index()],
            })
            .collect(),
        fieldnorm_table: Vlq::of(stats.fieldnorm_table.iter().map(|&n| n.into())),
        shards: front_coded(plan.shards.iter().skip(1).map(|s| s.first_key.as_str())),
        packs: front_coded(
            pack_separators(&index.vocabulary, &plan.packs)
                .iter()
                .map(String::as_str),
        ),
        short_stems: front_coded(
            index
                .vocabulary
                .stems
                .iter()
                .map(|s| s.text.as_str())
                .filter(|s| s.chars().count() < parameters.query.min_prefix_chars),
        ),
        heads: Vlq::of(plan.heads.iter().scan(0, |next, head| {
            let gap = head.pack - *next;
            *next = head.pack + 1;
            Some(gap as u64)
        })),
        head_files: Vlq::of(plan.head_files.iter().map(|range| range.len() as u64)),
        title_docs: plan.title_docs,
        parameters,
    }
}

/// The keys of one shard: a run of words and a run of stems (both sorted the same way).
struct ShardRange {
    first_key: String,
    words: Range<usize>,
    stems: Range<usize>,
}

/// Cuts the sorted keys (words and stems together) into dictionary shards of about
/// `shard_bytes`. A word and a stem with the same text always land in the same shard.
fn shard_ranges(vocabulary: &Vocabulary, shard_bytes: usize) -> Vec<ShardRange> {
    let (words, stems) = (&vocabulary.words, &vocabulary.stems);
    let mut ranges = Vec::new();
    let mut current = ShardRange {
        first_key: String::new(),
        words: 0..0,
        stems: 0..0,
    };
    let mut bytes = 0;
    let mut counted = HashSet::new();
    loop {
        let key = match (words.get(current.words.end), stems.get(current.stems.end)) {
            (None, None) => break,
            (Some(w), None) => &w.text,
            (None, Some(s)) => &s.text,
            (Some(w), Some(s)) => std::cmp::min_by(&w.text, &s.text, |a, b| key_order(a, b)),
        };
        if bytes >= shard_bytes {
            let (w, s) = (current.words.end, current.stems.end);
            ranges.push(std::mem::replace(
                &mut current,
                ShardRange {
                    first_key: key.clone(),
                    words: w..w,
                    stems: s..s,
                },
            ));
            bytes = 0;
            counted.clear();
        }
        let mut count_stem = |id: u32, bytes: &mut usize| {
            if counted.insert(id) {
                *bytes += vocabulary.stem(id).text.len() + 3;
            }
        };
        if let Some(word) = words.get(current.words.end).filter(|w| &w.text == key) {
            bytes += word.text.len() + 2;
            count_stem(word.stem, &mut bytes);
            current.words.end += 1;
        }
        if stems.get(current.stems.end).is_some_and(|s| &s.text == key) {
            count_stem(current.stems.end as u32, &mut bytes);
            current.stems.end += 1;
        }
    }
    ranges.push(current);
    ranges
}

/// The dictionary shard of `range`.
fn shard(vocabulary: &Vocabulary, range: &ShardRange) -> Shard {
    let words = &vocabulary.words[range.words.clone()];
    let mut ids: Vec<u32> = range
        .stems
        .clone()
        .map(|id| id as u32)
        .chain(words.iter().map(|w| w.stem))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let stems: Vec<_> = ids.iter().map(|&id| vocabulary.stem(id)).collect();
    let local = |id: u32| {
        ids.binary_search(&id)
            .expect("a word's stem is in its shard") as u64
    };
    Shard {
        words: front_coded(words.iter().map(|w| w.text.as_str())),
        word_stems: Vlq::of(words.iter().map(|w| local(w.stem))),
        stems: front_coded(stems.iter().map(|s| s.text.as_str())),
        weights: Vlq::of(stems.iter().map(|s| s.weight() as u64)),
    }
}

/// The size files holding `total` bytes are cut at: `least`, or more when over `most` files
/// would hold them.
fn cut_size(total: usize, least: usize, most: usize) -> usize {
    least.max(total.div_ceil(most))
}

/// About the bytes `stem` takes in a pack (postings take about three a document).
fn stem_bytes(stem: &crate::vocabulary::Stem) -> usize {
    stem.text.len() + 3 * stem.weight()
}

/// The bytes of text `doc` takes in a chunk.
fn doc_bytes(doc: &Doc) -> usize {
    doc.body.len() + doc.section_title.len()
}

/// Cuts the stems (sorted) into runs whose postings take about `pack_bytes`; a stem that
/// would take a pack past it starts a new one, so a common stem has a pack to itself and a
/// query for it loads no other stem's postings.
fn pack_ranges(vocabulary: &Vocabulary, pack_bytes: usize) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (id, stem) in vocabulary.stems.iter().enumerate() {
        let size = stem_bytes(stem);
        if bytes > 0 && bytes + size > pack_bytes {
            ranges.push(start..id);
            (start, bytes) = (id, 0);
        }
        bytes += size;
    }
    ranges.push(start..vocabulary.stems.len());
    ranges
}

/// For every pack but the first, the shortest prefix of its first stem that sorts after the
/// last stem of the pack before it: the client finds a key's pack as the last whose
/// separator is not after the key.
fn pack_separators(vocabulary: &Vocabulary, packs: &[Range<usize>]) -> Vec<String> {
    packs
        .windows(2)
        .map(|pair| {
            let last = &vocabulary.stem(pair[0].end as u32 - 1).text;
            let first = &vocabulary.stem(pair[1].start as u32).text;
            let shared = last
                .chars()
                .zip(first.chars())
                .take_while(|(a, b)| a == b)
                .count();
            first.chars().take(shared + 1).collect()
        })
        .collect()
}

/// The pack of the stems `range`, and its positions (per field). A pack with a `head` (its one
/// stem is common) holds the postings of the documents not in the head, and no IDF (the
/// head has it); its positions are those of all the stem's postings, in document order.
fn pack(
    vocabulary: &Vocabulary,
    range: Range<usize>,
    stats: &Stats,
    head: Option<&Head>,
) -> (Pack, Vec<String>) {
    let stems = &vocabulary.stems[range];
    let full: Vec<&[Postings; 3]> = stems.iter().map(|s| &s.fields).collect();
    let tail = head.map(|head| head.split(&stems[0]).1);
    let postings = match &tail {
        Some(tail) => vec![tail],
        None => full.clone(),
    };
    let mut doc_counts: Vec<u64> = stems
        .iter()
        .filter(|_| tail.is_none())
        .flat_map(|s| s.fields.iter().map(|p| p.docs.len() as u64))
        .filter(|&n| n > 0)
        .collect();
    doc_counts.sort_unstable();
    doc_counts.dedup();
    let mut idf = Vlq::default();
    let mut previous = 0;
    for &n in &doc_counts {
        idf.push(n - previous);
        idf.push(bm25_idf(n, stats.docs.into()).to_bits().into());
        previous = n;
    }
    let per_field = |encode: fn(&Postings, &[u8], &mut Vlq), stems: &[&[Postings; 3]]| {
        Field::ALL
            .iter()
            .map(|field| {
                let mut vlq = Vlq::default();
                let ids = &stats.fieldnorm_ids[field.index()];
                stems
                    .iter()
                    .for_each(|p| encode(&p[field.index()], ids, &mut vlq));
                vlq.0
            })
            .collect()
    };
    let pack = Pack {
        stems: front_coded(stems.iter().map(|s| s.text.as_str())),
        postings: per_field(encode_postings, &postings),
        idf: idf.0,
    };
    (pack, per_field(encode_positions, &full))
}

/// A common stem's head: the documents whose postings its head file holds.
struct Head {
    /// The stem (its index in the vocabulary) and its pack, which holds it alone.
    stem: usize,
    pack: usize,
    /// The documents, ascending.
    docs: Vec<u32>,
    /// At least the score of every other document with the stem (a little above: the client
    /// compares it with scores it computes in f32, and adds a margin of its own).
    bound: f32,
}

impl Head {
    /// The heads of the stems whose postings alone fill a pack (of `pack_bytes`).
    fn of_common_stems(index: &Index, packs: &[Range<usize>], pack_bytes: usize) -> Vec<Head> {
        let stems = &index.vocabulary.stems;
        packs
            .iter()
            .enumerate()
            .filter(|(_, range)| range.len() == 1 && stem_bytes(&stems[range.start]) >= pack_bytes)
            .map(|(pack, range)| Head::of(index, range.start, pack))
            .collect()
    }

    /// The best `head_docs` documents of stem `stem` by its score alone, and any tied with the
    /// last of them (up to four times as many).
    fn of(index: &Index, stem: usize, pack: usize) -> Head {
        let (stats, parameters) = (&index.stats, &index.parameters);
        // Summed per document in field order, as tantivy's scorer adds the fields up; a
        // dense table, since a common stem is in a good part of all documents.
        let mut scores = vec![0.0f64; stats.docs as usize];
        let mut seen = vec![false; stats.docs as usize];
        let mut ranked: Vec<(u32, f64)> = Vec::new();
        for field in Field::ALL {
            let f = field.index();
            let postings = &index.vocabulary.stems[stem].fields[f];
            if postings.docs.is_empty() {
                continue;
            }
            let idf = f64::from(bm25_idf(postings.docs.len() as u64, stats.docs.into()));
            let (k1, b) = (f64::from(parameters.k1), f64::from(parameters.b));
            let weight = idf * (1.0 + k1) * f64::from(parameters.boosts[f]);
            let average = stats.tokens[f] as f64 / f64::from(stats.docs);
            for (&doc, &tf) in postings.docs.iter().zip(&postings.freqs) {
                let length =
                    f64::from(stats.fieldnorm_table[stats.fieldnorm_ids[f][doc as usize] as usize]);
                let norm = k1 * (1.0 - b + b * length / average);
                let tf = f64::from(tf);
                scores[doc as usize] += weight * tf / (tf + norm);
                if !std::mem::replace(&mut seen[doc as usize], true) {
                    ranked.push((doc, 0.0));
                }
            }
        }
        for (doc, score) in &mut ranked {
            *score = scores[*doc as usize];
        }
        // Best first, ties in document order: only the first ones need sorting.
        let order = |a: &(u32, f64), b: &(u32, f64)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
        let sorted = (4 * parameters.head_docs + 1).min(ranked.len());
        if sorted < ranked.len() {
            ranked.select_nth_unstable_by(sorted, order);
            ranked.truncate(sorted + 1);
        }
        ranked.sort_by(order);
        let least = parameters.head_docs.min(ranked.len());
        let last = ranked[least - 1].1;
        let size = least
            + ranked[least..]
                .iter()
                .take(3 * parameters.head_docs)
                .take_while(|(_, score)| *score == last)
                .count();
        let bound = ranked
            .get(size)
            .map_or(0.0, |(_, score)| *score * (1.0 + 1e-6));
        let mut docs: Vec<u32> = ranked[..size].iter().map(|(doc, _)| *doc).collect();
        docs.sort_unstable();
        Head {
            stem,
            pack,
            docs,
            bound: bound as f32,
        }
    }

    /// `stem`'s postings split into the head's and the rest, per field (without positions).
    fn split(&self, stem: &crate::vocabulary::Stem) -> ([Postings; 3], [Postings; 3]) {
        let mut head: [Postings; 3] = Default::default();
        let mut tail: [Postings; 3] = Default::default();
        for (f, postings) in stem.fields.iter().enumerate() {
            for (&doc, &freq) in postings.docs.iter().zip(&postings.freqs) {
                let part = match self.docs.binary_search(&doc) {
                    Ok(_) => &mut head[f],
                    Err(_) => &mut tail[f],
                };
                part.docs.push(doc);
                part.freqs.push(freq);
            }
        }
        (head, tail)
    }
}

impl Head {
    /// The head as its head file holds it (see [`Heads::heads`]).
    fn encode(&self, index: &Index) -> String {
        let stats = &index.stats;
        let stem = &index.vocabulary.stems[self.stem];
        let (postings, _) = self.split(stem);
        let mut vlq = Vlq::default();
        for (f, (full, part)) in stem.fields.iter().zip(&postings).enumerate() {
            let count = full.docs.len() as u64;
            vlq.push(count);
            if count > 0 {
                vlq.push(bm25_idf(count, stats.docs.into()).to_bits().into());
            }
            encode_postings(part, &stats.fieldnorm_ids[f], &mut vlq);
        }
        vlq.push(self.bound.to_bits().into());
        vlq.0
    }
}

/// Heads per head file: runs of about `group_bytes` (of `encoded` heads).
fn head_files(encoded: &[String], group_bytes: usize) -> Vec<usize> {
    let mut files = Vec::new();
    let (mut count, mut bytes) = (0, 0);
    for head in encoded {
        count += 1;
        bytes += head.len();
        if bytes >= group_bytes {
            files.push(count);
            (count, bytes) = (0, 0);
        }
    }
    if count > 0 {
        files.push(count);
    }
    files
}

fn encode_postings(postings: &Postings, fieldnorm_ids: &[u8], out: &mut Vlq) {
    out.push(postings.docs.len() as u64);
    let mut next = 0u64;
    for (&doc, &freq) in postings.docs.iter().zip(&postings.freqs) {
        let gap = u64::from(doc) - next;
        out.push(gap * 2 + u64::from(freq != 1));
        if freq != 1 {
            out.push(u64::from(freq) - 2);
        }
        out.push(fieldnorm_ids[doc as usize].into());
        next = u64::from(doc) + 1;
    }
}

fn encode_positions(postings: &Postings, _: &[u8], out: &mut Vlq) {
    let mut positions = postings.positions.iter();
    for &freq in &postings.freqs {
        let mut next = 0u64;
        for &position in positions.by_ref().take(freq as usize) {
            out.push(u64::from(position) - next);
            next = u64::from(position) + 1;
        }
    }
}

/// tantivy's IDF, computed the way it does (its own function is private).
fn bm25_idf(doc_freq: u64, num_docs: u64) -> f32 {
    let x = ((num_docs - doc_freq) as f32 + 0.5) / (doc_freq as f32 + 0.5);
    (1.0 + x).ln()
}

/// Numbers of documents per chunk: consecutive documents, about `chunk_bytes` of text each.
fn chunk_sizes(docs: &[Doc], chunk_bytes: usize) -> Vec<usize> {
    let mut sizes = Vec::new();
    let (mut count, mut bytes) = (0, 0);
    for doc in docs {
        count += 1;
        bytes += doc_bytes(doc);
        if bytes >= chunk_bytes {
            sizes.push(count);
            (count, bytes) = (0, 0);
        }
    }
    if count > 0 {
        sizes.push(count);
    }
    sizes
}

fn words(vocabulary: &Vocabulary) -> Words {
    let stems = vocabulary
        .words
        .iter()
        .map(|word| {
            let stem = &vocabulary.stem(word.stem).text;
            let (kept, added) = split_common_prefix(&word.text, stem);
            let mut entry = Vlq::of([kept as u64]);
            entry.push_str(added);
            entry
        })
        .collect::<Vec<_>>()
        .join(" ");
    Words {
        words: front_coded(vocabulary.words.iter().map(|w| w.text.as_str())),
        stems,
        weights: Vlq::of(
            vocabulary
                .words
                .iter()
                .map(|w| vocabulary.stem(w.stem).weight() as u64),
        ),
    }
}

/// Space-separated entries, each the VLQ length (UTF-16 units) of the prefix shared with the
/// previous item, followed by the rest of the item. Items never contain spaces.
fn front_coded<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let mut out = String::new();
    let mut previous = "";
    for (n, item) in items.enumerate() {
        if n > 0 {
            out.push(' ');
        }
        let (shared, rest) = split_common_prefix(previous, item);
        out.push_str(&Vlq::of([shared as u64]));
        out.push_str(rest);
        previous = item;
    }
    out
}

/// The length in UTF-16 units of the longest common prefix (in whole characters) of `a` and
/// `b`, and the rest of `b`.
fn split_common_prefix<'b>(a: &str, b: &'b str) -> (usize, &'b str) {
    let bytes: usize = a
        .chars()
        .zip(b.chars())
        .take_while(|(x, y)| x == y)
        .map(|(c, _)| c.len_utf8())
        .sum();
    (b[..bytes].encode_utf16().count(), &b[bytes..])
}

/// Unsigned numbers as base64 digits, five bits per digit, least significant first; the
/// digit's sixth bit says another follows (source maps' VLQ without the sign bit).
#[derive(Default)]
struct Vlq(String);

impl Vlq {
    const DIGITS: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    fn of(values: impl IntoIterator<Item = u64>) -> String {
        let mut vlq = Vlq::default();
        values.into_iter().for_each(|v| vlq.push(v));
        vlq.0
    }

    fn push(&mut self, mut value: u64) {
        loop {
            let digit = (value & 31) as usize;
            value >>= 5;
            if value == 0 {
                self.0.push(Self::DIGITS[digit] as char);
                return;
            }
            self.0.push(Self::DIGITS[digit | 32] as char);
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::node::NodeClient;

    /// What the client must decode from `index`'s files, computed from the Rust side.
    fn expected(index: &Index) -> Value {
        let stats = &index.stats;
        let vocabulary = &index.vocabulary;
        let Parameters { k1, b, boosts, .. } = index.parameters;
        let fields: Vec<Value> = Field::ALL
            .iter()
            .map(|&field| {
                let average = stats.tokens[field.index()] as f32 / stats.docs as f32;
                let norms: Vec<u32> = stats
                    .fieldnorm_table
                    .iter()
                    .map(|&n| (k1 * (1.0 - b + b * n as f32 / average)).to_bits())
                    .collect();
                json!({
                    "name": field.name(),
                    "boost": boosts[field.index()].to_bits(),
                    "norms": norms,
                })
            })
            .collect();
        let stems: serde_json::Map<String, Value> = vocabulary
            .stems
            .iter()
            .map(|stem| {
                let fields: Vec<Value> = stem
                    .fields
                    .iter()
                    .zip(&stats.fieldnorm_ids)
                    .map(|(p, ids)| {
                        let mut rest = p.positions.as_slice();
                        let positions: Vec<&[u32]> = p
                            .freqs
                            .iter()
                            .map(|&n| {
                                let (these, after) = rest.split_at(n as usize);
                                rest = after;
                                these
                            })
                            .collect();
                        let idf = (!p.docs.is_empty())
                            .then(|| bm25_idf(p.docs.len() as u64, stats.docs.into()).to_bits());
                        let ids: Vec<u8> = p.docs.iter().map(|&d| ids[d as usize]).collect();
                        json!({"docs": p.docs, "freqs": p.freqs, "ids": ids, "positions": positions, "idf": idf})
                    })
                    .collect();
                (stem.text.clone(), Value::from(fields))
            })
            .collect();
        let weights: serde_json::Map<String, Value> = vocabulary
            .stems
            .iter()
            .map(|s| (s.text.clone(), s.weight().into()))
            .collect();
        let words: serde_json::Map<String, Value> = vocabulary
            .words
            .iter()
            .map(|w| (w.text.clone(), vocabulary.stem(w.stem).text.clone().into()))
            .collect();
        let words_file: Vec<Value> = vocabulary
            .words
            .iter()
            .map(|w| {
                let stem = vocabulary.stem(w.stem);
                json!([w.text, stem.text, stem.weight()])
            })
            .collect();
        let documents: Vec<Value> = index
            .docs
            .iter()
            .map(|d| json!([d.url, d.anchor, d.page_title, d.section_title, d.body]))
            .collect();
        json!({
            "docs": stats.docs,
            "fields": fields,
            "stems": stems,
            "words": words,
            "weights": weights,
            "shortStems": index.vocabulary.stems.iter().map(|s| s.text.as_str())
                .filter(|s| s.chars().count() < index.parameters.query.min_prefix_chars)
                .collect::<Vec<_>>(),
            "documents": documents,
            "wordsFile": words_file,
        })
    }

    fn assert_decodes(index: &Index) {
        let dir = tempfile::tempdir().unwrap();
        let client = NodeClient::write(index, dir.path()).unwrap();
        let decoded = client.decode().unwrap();
        let expected = expected(index);
        if let Err(path) = same(&decoded, &expected, String::new()) {
            panic!(
                "the client decodes {path} as {}, Rust encoded {}",
                pointer(&decoded, &path),
                pointer(&expected, &path)
            );
        }
    }

    /// The JSON pointer of the first difference between `a` and `b`.
    fn same(a: &Value, b: &Value, path: String) -> Result<(), String> {
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                for key in x.keys().chain(y.keys()) {
                    let (u, v) = (x.get(key), y.get(key));
                    let path = format!("{path}/{key}");
                    same(u.unwrap_or(&Value::Null), v.unwrap_or(&Value::Null), path)?;
                }
                Ok(())
            }
            (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
                .iter()
                .zip(y)
                .enumerate()
                .try_for_each(|(i, (u, v))| same(u, v, format!("{path}/{i}"))),
            _ if a == b => Ok(()),
            _ => Err(path),
        }
    }

    fn pointer(value: &Value, path: &str) -> String {
        let found = value.pointer(path).unwrap_or(&Value::Null).to_string();
        found.chars().take(300).collect()
    }

    #[test]
    fn the_client_decodes_every_file_as_encoded() {
        assert_decodes(&Index::build(crate::testdocs::docs(), &Default::default()).unwrap());
    }

    #[test]
    fn the_client_decodes_an_index_with_other_options() {
        let options = crate::Options {
            boosts: [1.5, 0.25, 4.0],
            all_terms: true,
            prefixes: false,
        };
        assert_decodes(&Index::build(crate::testdocs::docs(), &options).unwrap());
    }

    #[test]
    fn the_client_decodes_an_index_cut_into_many_shards_and_chunks() {
        // Enough distinct words for dozens of shards, with stems split across shard edges.
        let mut docs = crate::testdocs::docs();
        for n in 0..800 {
            let words: Vec<String> = (0..20)
                .map(|k| format!("w{n}x{k} happy{n}y{k} happiness{n}y{k} shared text"))
                .collect();
            docs.push(Doc {
                url: format!("extra/{n}.html"),
                anchor: String::new(),
                page_title: format!("Extra {n}"),
                section_title: format!("Extra {n}"),
                body: words.join(" "),
            });
        }
        let index = Index::build(docs, &Default::default()).unwrap();
        let parameters = Parameters::DEFAULT;
        assert!(shard_ranges(&index.vocabulary, parameters.shard_bytes).len() > 20);
        assert!(pack_ranges(&index.vocabulary, parameters.pack_bytes).len() > 20);
        assert!(chunk_sizes(&index.docs, parameters.chunk_bytes).len() > 20);
        let packs = pack_ranges(&index.vocabulary, parameters.pack_bytes);
        let heads = Head::of_common_stems(&index, &packs, parameters.pack_bytes);
        assert!(!heads.is_empty(), "\"shared\" and \"text\" have heads");
        assert_decodes(&index);

        // A book too large for the file limits gets larger files, about that many of them.
        let mut index = index;
        index.parameters.max_chunks = 6;
        index.parameters.max_packs = 10;
        let files = index.export();
        let count = |key: char| {
            let is_key =
                |p: &str| p.starts_with(key) && p[1..].starts_with(|c: char| c.is_ascii_digit());
            files.iter().filter(|f| is_key(&f.path)).count()
        };
        assert!((5..=7).contains(&count('c')), "{} chunks", count('c'));
        assert!((5..=20).contains(&count('t')), "{} packs", count('t'));
        assert_decodes(&index);
    }

    #[test]
    fn every_parameter_is_in_the_index_name() {
        let docs = crate::testdocs::docs();
        let current = Parameters::DEFAULT;
        let name = id(&docs, &current);
        let mut changed = [current; 6];
        changed[0].boosts[0] = 4.0;
        changed[1].k1 = 1.5;
        changed[2].max_token_bytes = 41;
        changed[3].query.max_expansions = 9;
        changed[4].query.all_terms = true;
        changed[5].query.prefixes = false;
        for parameters in changed {
            assert_ne!(id(&docs, &parameters), name, "{parameters:?}");
        }
        // And the entry file carries what was hashed.
        let index = Index::build(docs, &Default::default()).unwrap();
        let mut boosted = current;
        boosted.boosts[0] = 4.0;
        let plan = Plan::new(&index, &boosted);
        let mut files = Vec::new();
        let Ok(()) = plan.files(Piece::Entry, &mut |file| {
            files.push(file);
            Ok::<_, std::convert::Infallible>(())
        });
        let entry = String::from_utf8(files[0].bytes.clone()).unwrap();
        assert!(
            files[0]
                .path
                .ends_with(&format!("{}.js", id(index.docs(), &boosted)))
        );
        assert!(
            entry.contains(&format!("\"parameters\":{}", json(&boosted))),
            "{entry}"
        );
    }

    #[test]
    fn hashing_texts_through_a_buffer_hashes_them_one_by_one() {
        let texts: Vec<String> = [
            "",
            "short",
            &"long".repeat(40_000),
            "é𝒳",
            &"x".repeat(65_520),
        ]
        .iter()
        .cycle()
        .take(40)
        .map(|s| s.to_string())
        .collect();
        let mut one_by_one = blake3::Hasher::new();
        for text in &texts {
            one_by_one.update(&(text.len() as u64).to_le_bytes());
            one_by_one.update(text.as_bytes());
        }
        let buffered = hash_texts(blake3::Hasher::new(), texts.iter());
        assert_eq!(buffered.finalize(), one_by_one.finalize());
    }

    #[test]
    fn vlq_and_front_coding_round_trip_through_their_definitions() {
        assert_eq!(
            Vlq::of([0, 31, 32, 1023, 1024]),
            "Af gB /f ggB".replace(' ', "")
        );
        assert_eq!(
            front_coded(["decor", "decorate", "decorator", "déjà", "𝒳"].into_iter()),
            "Adecor Fate Hor Béjà A𝒳"
        );
    }
}
