//! The vocabulary read back out of tantivy's inverted index: every term
//! (a stem) with its postings per field, and every word as written in the
//! documents mapped to its stem. The format is written from it, and the
//! Rust side of query expansion (prefixes, typos) searches it, so both
//! sides expand a query from the same data.

use std::cmp::Ordering;
use std::collections::HashMap;

use tantivy::postings::Postings as _;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocSet, Searcher, TERMINATED};

use crate::Result;
use crate::schema::{Field, Schema};

/// Terms and words in the order the client compares strings: by UTF-16 code units
/// (JavaScript's `<`), which differs from Rust's byte order beyond the BMP.
pub(crate) fn key_order(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// The postings of one term in one field.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Postings {
    /// Documents containing the term (caller's order), ascending.
    pub docs: Vec<u32>,
    /// Term frequency in each of `docs`.
    pub freqs: Vec<u32>,
    /// Positions in each of `docs`, `freqs[i]` of them per document, concatenated.
    pub positions: Vec<u32>,
}

/// A term of the index.
#[derive(Debug, Clone)]
pub(crate) struct Stem {
    pub text: String,
    /// Postings per field, in [`Field::ALL`] order (empty where the term does not occur).
    pub fields: [Postings; 3],
}

impl Stem {
    /// The number of (document, field) pairs containing the term: how common it is, which
    /// orders the candidates of a prefix or a typo.
    pub(crate) fn weight(&self) -> usize {
        self.fields.iter().map(|p| p.docs.len()).sum()
    }
}

/// A word as written (lower-cased), with the index of its stem in [`Vocabulary::stems`].
#[derive(Debug, Clone)]
pub(crate) struct Word {
    pub text: String,
    pub stem: u32,
}

/// Every term and every surface word of the index, both sorted by [`key_order`].
pub(crate) struct Vocabulary {
    pub stems: Vec<Stem>,
    pub words: Vec<Word>,
    stem_ids: HashMap<String, u32>,
}

impl Vocabulary {
    /// The vocabulary of `stems` (sorted by [`key_order`]) and `words` (the words as written
    /// with their stems, each word once, in any order).
    pub(crate) fn new(stems: Vec<Stem>, mut words: Vec<Word>) -> Vocabulary {
        let stem_ids: HashMap<String, u32> = stems
            .iter()
            .enumerate()
            .map(|(i, s)| (s.text.clone(), i as u32))
            .collect();
        words.sort_by(|a, b| key_order(&a.text, &b.text));
        Vocabulary {
            stems,
            words,
            stem_ids,
        }
    }

    /// The index of `stem` in [`Vocabulary::stems`], if it is a term of the index.
    pub(crate) fn stem_id(&self, stem: &str) -> Option<u32> {
        self.stem_ids.get(stem).copied()
    }

    /// The stem with index `id`.
    pub(crate) fn stem(&self, id: u32) -> &Stem {
        &self.stems[id as usize]
    }

    /// The words that start with `prefix` (possibly including `prefix` itself).
    pub(crate) fn words_with_prefix(&self, prefix: &str) -> &[Word] {
        let start = self
            .words
            .partition_point(|w| key_order(&w.text, prefix) == Ordering::Less);
        let len = self.words[start..]
            .iter()
            .take_while(|w| w.text.starts_with(prefix))
            .count();
        &self.words[start..start + len]
    }

    /// The words closest to `word` within `max_edits` edits (insertions, deletions,
    /// substitutions and swaps of two neighbours), with that number of edits.
    pub(crate) fn closest_words(
        &self,
        word: &str,
        max_edits: usize,
    ) -> Option<(usize, Vec<&Word>)> {
        let target: Vec<char> = word.chars().collect();
        let mut best: Option<(usize, Vec<&Word>)> = None;
        let mut scratch = Vec::new();
        for candidate in &self.words {
            let limit = best.as_ref().map_or(max_edits, |(edits, _)| *edits);
            let Some(edits) = edit_distance(&target, &candidate.text, limit, &mut scratch) else {
                continue;
            };
            match &mut best {
                Some((best_edits, found)) if *best_edits == edits => found.push(candidate),
                _ => best = Some((edits, vec![candidate])),
            }
        }
        best
    }
}

/// Every term with its postings in every field, sorted by [`key_order`].
pub(crate) fn read_stems(
    searcher: &Searcher,
    schema: &Schema,
    ords: &[Vec<u32>],
) -> Result<Vec<Stem>> {
    let mut by_text: HashMap<String, Stem> = HashMap::new();
    let mut positions = Vec::new();
    for (segment, reader) in searcher.segment_readers().iter().enumerate() {
        for field in Field::ALL {
            let inverted = reader.inverted_index(schema.field(field))?;
            let mut terms = inverted.terms().stream()?;
            while terms.advance() {
                let text = String::from_utf8_lossy(terms.key()).into_owned();
                let stem = by_text.entry(text.clone()).or_insert_with(|| Stem {
                    text,
                    fields: Default::default(),
                });
                let out = &mut stem.fields[field.index()];
                let mut postings = inverted.read_postings_from_terminfo(
                    terms.value(),
                    IndexRecordOption::WithFreqsAndPositions,
                )?;
                while postings.doc() != TERMINATED {
                    out.docs.push(ords[segment][postings.doc() as usize]);
                    out.freqs.push(postings.term_freq());
                    postings.positions(&mut positions);
                    out.positions.extend_from_slice(&positions);
                    postings.advance();
                }
            }
        }
    }
    let mut stems: Vec<Stem> = by_text.into_values().collect();
    if searcher.segment_readers().len() > 1 {
        stems.iter_mut().for_each(sort_postings);
    }
    stems.sort_by(|a, b| key_order(&a.text, &b.text));
    Ok(stems)
}

/// Orders each field's postings by document: with several segments, the caller's order
/// interleaves them.
fn sort_postings(stem: &mut Stem) {
    for postings in &mut stem.fields {
        let mut offsets = Vec::with_capacity(postings.docs.len());
        let mut start = 0usize;
        for &freq in &postings.freqs {
            offsets.push(start);
            start += freq as usize;
        }
        let mut order: Vec<usize> = (0..postings.docs.len()).collect();
        order.sort_by_key(|&i| postings.docs[i]);
        let sorted = Postings {
            docs: order.iter().map(|&i| postings.docs[i]).collect(),
            freqs: order.iter().map(|&i| postings.freqs[i]).collect(),
            positions: order
                .iter()
                .flat_map(|&i| {
                    postings.positions[offsets[i]..offsets[i] + postings.freqs[i] as usize]
                        .iter()
                        .copied()
                })
                .collect(),
        };
        *postings = sorted;
    }
}

/// The optimal-string-alignment distance between `a` and `b` (in characters), if it is at
/// most `limit`. `scratch` is reused between calls.
fn edit_distance(
    a: &[char],
    b: &str,
    limit: usize,
    scratch: &mut Vec<[usize; 3]>,
) -> Option<usize> {
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    // Three rows of the dynamic programme: two back (for swaps), one back, current.
    let width = b.len() + 1;
    scratch.clear();
    scratch.extend((0..width).map(|j| [0, j, 0]));
    for i in 1..=a.len() {
        scratch[0][2] = i;
        let mut row_min = i;
        for j in 1..width {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut value = (scratch[j - 1][2] + 1)
                .min(scratch[j][1] + 1)
                .min(scratch[j - 1][1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                value = value.min(scratch[j - 2][0] + 1);
            }
            scratch[j][2] = value;
            row_min = row_min.min(value);
        }
        if row_min > limit {
            return None;
        }
        for cell in scratch.iter_mut() {
            *cell = [cell[1], cell[2], 0];
        }
    }
    let distance = scratch[width - 1][1];
    (distance <= limit).then_some(distance)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn distance(a: &str, b: &str) -> Option<usize> {
        let a: Vec<char> = a.chars().collect();
        edit_distance(&a, b, 2, &mut Vec::new())
    }

    #[test]
    fn edit_distance_counts_a_swap_as_one_edit() {
        assert_eq!(distance("pyhton", "python"), Some(1));
        assert_eq!(distance("exeption", "exception"), Some(1));
        assert_eq!(distance("fucntion", "function"), Some(1));
        assert_eq!(distance("decoratr", "decorator"), Some(1));
        assert_eq!(distance("gnerater", "generator"), Some(2));
        assert_eq!(distance("closure", "closure"), Some(0));
        assert_eq!(distance("abc", "xyz"), None);
        assert_eq!(distance("", "ab"), Some(2));
        assert_eq!(distance("é", "e"), Some(1));
    }

    #[test]
    fn postings_from_several_segments_are_sorted_with_their_positions() {
        let mut stem = Stem {
            text: "x".into(),
            fields: Default::default(),
        };
        stem.fields[2] = Postings {
            docs: vec![5, 1, 3],
            freqs: vec![1, 2, 1],
            positions: vec![50, 10, 11, 30],
        };
        sort_postings(&mut stem);
        assert_eq!(
            stem.fields[2],
            Postings {
                docs: vec![1, 3, 5],
                freqs: vec![2, 1, 1],
                positions: vec![10, 11, 30, 50],
            }
        );
    }

    #[test]
    fn utf16_order_puts_astral_characters_after_the_bmp() {
        assert_eq!(key_order("a\u{10000}", "a\u{ffff}"), Ordering::Less);
        assert_eq!(key_order("abc", "abd"), Ordering::Less);
    }
}
