//! The query language, and how a query becomes a tantivy query. The
//! JavaScript client implements the same steps (see `js/engine.js`), with
//! the limits named below read from the index's parameters (the one
//! struct of `src/parameters.rs`, carried in the entry file), so both rank alike:
//!
//! 1. **Parse.** Text between `"` is a phrase (an unclosed quote runs to the
//!    end). Outside quotes the query splits at whitespace (Unicode
//!    `White_Space`) into chunks. A chunk or a phrase is analyzed like the
//!    documents; one token makes a word, several make a phrase (so
//!    `os.path` is the phrase `os path`), none is ignored. The last word
//!    is *being typed* when it is unquoted, from the last chunk, and the
//!    query does not end with whitespace.
//! 2. **Expand.** A word matches its stem if the index has it (factor 1).
//!    A word being typed (at least `min_prefix_chars` characters, unless the
//!    site turned `prefixes` off) also
//!    matches the stems of the words that start with it (factor
//!    `prefix_factor`). A word that matches nothing so far, unless it was
//!    quoted, matches the stems of the words closest to it: one edit
//!    (insert, delete, substitute or swap two neighbours) from
//!    `one_edit_chars` characters, two from `two_edits_chars`; each edit
//!    multiplies the factor by `edit_factor`. Expansions are ordered by how
//!    many (document, field) pairs contain them, then by text, and at most
//!    `max_expansions` are kept. With `all_terms`, an item that matches
//!    nothing makes the whole query match nothing.
//! 3. **Score.** The query is a sum (tantivy's `BooleanQuery` of SHOULD
//!    clauses) over the words and phrases in order. A word is the best
//!    (`DisjunctionMaxQuery`) of its alternatives, each a sum over the
//!    fields of a `TermQuery` boosted by field boost × factor. A phrase is a
//!    sum over the fields of a `PhraseQuery` boosted by the field boost.
//!    With `all_terms`, every clause is also required (a MUST clause that
//!    scores 0), so a section matches only with all of them and scores as
//!    the sum does.

use tantivy::Term;
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, EmptyQuery, Occur, PhraseQuery,
    Query, TermQuery,
};
use tantivy::schema::IndexRecordOption;

use crate::parameters::{Parameters, QueryParameters};
use crate::schema::{Field, Schema, Token};
use crate::vocabulary::{Vocabulary, key_order};

/// A parsed query item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Item {
    /// One word.
    Word {
        /// Lower-cased, as typed.
        word: String,
        /// Its stem.
        stem: String,
        /// The word being typed: it also matches as a prefix.
        typing: bool,
        /// Quoted: matches only itself.
        quoted: bool,
    },
    /// Several words in a row: (position offset, stem).
    Phrase(Vec<(usize, String)>),
}

/// Parses `query` (step 1 above).
pub(crate) fn parse(query: &str) -> Vec<Item> {
    let ends_open = query.chars().last().is_some_and(|c| !c.is_whitespace());
    let segments: Vec<&str> = query.split('"').collect();
    let mut items = Vec::new();
    for (index, segment) in segments.iter().enumerate() {
        let quoted = index % 2 == 1;
        if quoted {
            items.extend(item(crate::schema::tokens(segment), true));
            continue;
        }
        let chunks: Vec<&str> = segment.split_whitespace().collect();
        for (chunk_index, chunk) in chunks.iter().enumerate() {
            let Some(mut item) = item(crate::schema::tokens(chunk), false) else {
                continue;
            };
            let last_chunk = index == segments.len() - 1 && chunk_index == chunks.len() - 1;
            if let Item::Word { typing, .. } = &mut item {
                *typing = last_chunk && ends_open;
            }
            items.push(item);
        }
    }
    items
}

fn item(mut tokens: Vec<Token>, quoted: bool) -> Option<Item> {
    match tokens.len() {
        0 => None,
        1 => {
            let token = tokens.pop().expect("one token");
            Some(Item::Word {
                word: token.word,
                stem: token.stem,
                typing: false,
                quoted,
            })
        }
        _ => Some(Item::Phrase(
            tokens.into_iter().map(|t| (t.position, t.stem)).collect(),
        )),
    }
}

/// One way a word can match: a stem (index into the vocabulary) and its weight factor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Alternative {
    pub stem: u32,
    pub factor: f32,
}

/// A query item resolved against the vocabulary.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Clause {
    /// A word: the best of its alternatives counts.
    Word(Vec<Alternative>),
    /// A phrase: (position offset, stem).
    Phrase(Vec<(usize, u32)>),
}

/// Expands parsed items against `vocabulary` with the query language's `limits` (step 2
/// above). Items that cannot match anything are dropped, unless every item must match
/// ([`QueryParameters::all_terms`]): then the query matches nothing.
pub(crate) fn plan(
    items: &[Item],
    vocabulary: &Vocabulary,
    limits: &QueryParameters,
) -> Vec<Clause> {
    let clauses: Vec<Option<Clause>> = items
        .iter()
        .map(|item| match item {
            Item::Word {
                word,
                stem,
                typing,
                quoted,
            } => {
                let typing = *typing && limits.prefixes;
                let alternatives = alternatives(vocabulary, limits, word, stem, typing, *quoted);
                (!alternatives.is_empty()).then_some(Clause::Word(alternatives))
            }
            Item::Phrase(terms) => terms
                .iter()
                .map(|(offset, stem)| Some((*offset, vocabulary.stem_id(stem)?)))
                .collect::<Option<Vec<_>>>()
                .map(Clause::Phrase),
        })
        .collect();
    if limits.all_terms && clauses.iter().any(Option::is_none) {
        return Vec::new();
    }
    clauses.into_iter().flatten().collect()
}

fn alternatives(
    vocabulary: &Vocabulary,
    limits: &QueryParameters,
    word: &str,
    stem: &str,
    typing: bool,
    quoted: bool,
) -> Vec<Alternative> {
    let exact = vocabulary.stem_id(stem);
    let mut alternatives: Vec<Alternative> = exact
        .map(|stem| Alternative { stem, factor: 1.0 })
        .into_iter()
        .collect();
    let chars = word.chars().count();
    if typing && chars >= limits.min_prefix_chars {
        let stems = vocabulary
            .words_with_prefix(word)
            .iter()
            .map(|w| w.stem)
            .filter(|&s| Some(s) != exact);
        alternatives.extend(best_stems(vocabulary, limits, stems, limits.prefix_factor));
    }
    if alternatives.is_empty() && !quoted {
        let max_edits = match chars {
            c if c >= limits.two_edits_chars => 2,
            c if c >= limits.one_edit_chars => 1,
            _ => 0,
        };
        if max_edits > 0
            && let Some((edits, words)) = vocabulary.closest_words(word, max_edits)
        {
            let factor = limits.edit_factor.powi(edits as i32);
            alternatives.extend(best_stems(
                vocabulary,
                limits,
                words.into_iter().map(|w| w.stem),
                factor,
            ));
        }
    }
    alternatives
}

/// The `max_expansions` most common of `stems` (deduplicated), most common first.
fn best_stems(
    vocabulary: &Vocabulary,
    limits: &QueryParameters,
    stems: impl Iterator<Item = u32>,
    factor: f32,
) -> Vec<Alternative> {
    let mut stems: Vec<u32> = stems.collect();
    stems.sort_unstable();
    stems.dedup();
    stems.sort_by(|&a, &b| {
        let (a, b) = (vocabulary.stem(a), vocabulary.stem(b));
        b.weight()
            .cmp(&a.weight())
            .then_with(|| key_order(&a.text, &b.text))
    });
    stems.truncate(limits.max_expansions);
    stems
        .into_iter()
        .map(|stem| Alternative { stem, factor })
        .collect()
}

/// The tantivy query for `clauses` (step 3 above), with the field boosts of `parameters`.
pub(crate) fn to_tantivy(
    clauses: &[Clause],
    schema: &Schema,
    vocabulary: &Vocabulary,
    parameters: &Parameters,
) -> Box<dyn Query> {
    if clauses.is_empty() {
        return Box::new(EmptyQuery);
    }
    let per_field = |make: &dyn Fn(tantivy::schema::Field, f32) -> Box<dyn Query>| {
        let clauses = Field::ALL
            .iter()
            .map(|&field| {
                let boost = parameters.boosts[field.index()];
                (Occur::Should, make(schema.field(field), boost))
            })
            .collect();
        Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>
    };
    let clauses: Vec<Box<dyn Query>> = clauses
        .iter()
        .map(|clause| match clause {
            Clause::Word(alternatives) => {
                let mut queries: Vec<Box<dyn Query>> = alternatives
                    .iter()
                    .map(|alternative| {
                        let text = &vocabulary.stem(alternative.stem).text;
                        per_field(&|field, boost| {
                            let term = TermQuery::new(
                                Term::from_field_text(field, text),
                                IndexRecordOption::WithFreqs,
                            );
                            Box::new(BoostQuery::new(Box::new(term), boost * alternative.factor))
                        })
                    })
                    .collect();
                if queries.len() == 1 {
                    queries.pop().expect("one alternative")
                } else {
                    Box::new(DisjunctionMaxQuery::new(queries))
                }
            }
            Clause::Phrase(terms) => per_field(&|field, boost| {
                let terms = terms
                    .iter()
                    .map(|&(offset, stem)| {
                        (
                            offset,
                            Term::from_field_text(field, &vocabulary.stem(stem).text),
                        )
                    })
                    .collect();
                Box::new(BoostQuery::new(
                    Box::new(PhraseQuery::new_with_offset(terms)),
                    boost,
                ))
            }),
        })
        .collect();
    let mut occurs: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if parameters.query.all_terms && clauses.len() > 1 {
        // Every clause required, each scoring 0, beside the same sum as without: tantivy
        // sums required clauses in the order of their cost, which could move a score by an
        // ulp; 0 plus the sum of the SHOULD clauses (in clause order) is that sum exactly.
        occurs.extend(clauses.iter().map(|query| {
            let required = ConstScoreQuery::new(query.box_clone(), 0.0);
            (Occur::Must, Box::new(required) as Box<dyn Query>)
        }));
    }
    occurs.extend(clauses.into_iter().map(|query| (Occur::Should, query)));
    Box::new(BooleanQuery::new(occurs))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(word: &str, stem: &str, typing: bool, quoted: bool) -> Item {
        Item::Word {
            word: word.into(),
            stem: stem.into(),
            typing,
            quoted,
        }
    }

    #[test]
    fn the_last_unquoted_word_is_being_typed_until_a_space() {
        assert_eq!(
            parse("Closures capt"),
            [
                word("closures", "closur", false, false),
                word("capt", "capt", true, false)
            ]
        );
        assert_eq!(parse("capt "), [word("capt", "capt", false, false)]);
        assert_eq!(parse("\"capt"), [word("capt", "capt", false, true)]);
    }

    #[test]
    fn quotes_and_punctuated_chunks_make_phrases() {
        assert_eq!(
            parse("\"with statement\" os.path"),
            [
                Item::Phrase(vec![(0, "with".into()), (1, "statement".into())]),
                Item::Phrase(vec![(0, "os".into()), (1, "path".into())]),
            ]
        );
        assert_eq!(parse("\"\" ++ ."), []);
    }
}
