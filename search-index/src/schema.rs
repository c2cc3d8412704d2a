//! What is indexed and how text becomes terms: the three fields of a
//! section with their boosts, and the English analyzer (the same chain
//! the JavaScript client reproduces to turn query words into terms).

use rustc_hash::FxHashMap as HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use tantivy::schema::{
    FAST, IndexRecordOption, Schema as TantivySchema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    Language, LowerCaser, RawTokenizer, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer,
    Token as TantivyToken, TokenFilter, TokenStream, Tokenizer,
};

use crate::parameters::Parameters;

/// The name the analyzer is registered under in tantivy.
const ANALYZER: &str = "handbook_en";

/// The analyzer's token limit (see [`Parameters::max_token_bytes`]).
const MAX_TOKEN_BYTES: usize = Parameters::DEFAULT.max_token_bytes;

/// A field of every indexed section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    /// The page's title.
    Title,
    /// The section's heading.
    Heading,
    /// The section's text.
    Body,
}

impl Field {
    /// Every field, in the order clauses are built and scores are summed.
    pub(crate) const ALL: [Field; 3] = [Field::Title, Field::Heading, Field::Body];

    /// The field's name in the schema and the format.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Field::Title => "title",
            Field::Heading => "heading",
            Field::Body => "body",
        }
    }

    /// The field's index in [`Field::ALL`].
    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

/// The tantivy schema: the three text fields, plus `ord`, each document's position in the
/// caller's list (tantivy's own doc ids depend on how it splits segments).
pub(crate) struct Schema {
    pub schema: TantivySchema,
    pub fields: [tantivy::schema::Field; 3],
    pub ord: tantivy::schema::Field,
}

impl Schema {
    pub(crate) fn new() -> Schema {
        let mut builder = TantivySchema::builder();
        let text = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(ANALYZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        let fields = Field::ALL.map(|field| builder.add_text_field(field.name(), text.clone()));
        let ord = builder.add_u64_field("ord", FAST);
        Schema {
            schema: builder.build(),
            fields,
            ord,
        }
    }

    /// Registers the analyzer with `index`: words split at anything not alphanumeric, long
    /// tokens dropped, lower-cased, stemmed with Snowball's English stemmer (by a
    /// [`RecordingStemmer`], which it returns).
    pub(crate) fn register_analyzer(index: &tantivy::Index) -> RecordingStemmer {
        let recorder = RecordingStemmer::default();
        let analyzer = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
            .filter(LowerCaser)
            .filter(recorder.clone())
            .build();
        index.tokenizers().register(ANALYZER, analyzer);
        recorder
    }

    pub(crate) fn field(&self, field: Field) -> tantivy::schema::Field {
        self.fields[field.index()]
    }

    /// The tantivy document for the caller's document number `ord`.
    pub(crate) fn document(&self, ord: usize, doc: &crate::Doc) -> tantivy::TantivyDocument {
        let mut document = tantivy::TantivyDocument::new();
        document.add_text(self.field(Field::Title), &doc.page_title);
        document.add_text(self.field(Field::Heading), &doc.section_title);
        document.add_text(self.field(Field::Body), &doc.body);
        document.add_u64(self.ord, ord as u64);
        document
    }
}

/// Text → the words as written (lower-cased, not stemmed).
pub(crate) fn surface_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .build()
}

/// One lower-cased word → its stem.
pub(crate) fn stemmer() -> TextAnalyzer {
    TextAnalyzer::builder(RawTokenizer::default())
        .filter(Stemmer::new(Language::English))
        .build()
}

/// tantivy's English stemmer, remembering every word it sees with its stem: those are the
/// words as written that prefix and typo matching search. Each distinct word is stemmed once,
/// which also makes indexing faster. (A map looked up for every token of the book: hashed
/// with rustc's Fx hash, several times faster than the default on short words.)
#[derive(Clone, Default)]
pub(crate) struct RecordingStemmer {
    words: Arc<Mutex<HashMap<String, String>>>,
}

impl RecordingStemmer {
    /// Every word seen so far, lower-cased, with its stem.
    pub(crate) fn take_words(&self) -> HashMap<String, String> {
        std::mem::take(&mut self.words.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

impl TokenFilter for RecordingStemmer {
    type Tokenizer<T: Tokenizer> = RecordingStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> RecordingStemmerFilter<T> {
        RecordingStemmerFilter {
            words: self.words,
            stemmer: stemmer(),
            inner,
        }
    }
}

#[derive(Clone)]
pub(crate) struct RecordingStemmerFilter<T> {
    words: Arc<Mutex<HashMap<String, String>>>,
    stemmer: TextAnalyzer,
    inner: T,
}

impl<T: Tokenizer> Tokenizer for RecordingStemmerFilter<T> {
    type TokenStream<'a> = RecordingStemmerStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        RecordingStemmerStream {
            words: &self.words,
            stemmer: &mut self.stemmer,
            tail: self.inner.token_stream(text),
        }
    }
}

pub(crate) struct RecordingStemmerStream<'a, T> {
    words: &'a Mutex<HashMap<String, String>>,
    stemmer: &'a mut TextAnalyzer,
    tail: T,
}

impl<T: TokenStream> TokenStream for RecordingStemmerStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        // Locked per token, not per stream: cheap without contention, and safe whatever
        // order tantivy consumes streams in.
        let mut words = self.words.lock().unwrap_or_else(PoisonError::into_inner);
        match words.get(&token.text) {
            Some(stem) => {
                token.text.clear();
                token.text.push_str(stem);
            }
            None => {
                let stem = stem_with(self.stemmer, &token.text);
                let word = std::mem::replace(&mut token.text, stem.clone());
                words.insert(word, stem);
            }
        }
        true
    }

    fn token(&self) -> &TantivyToken {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut TantivyToken {
        self.tail.token_mut()
    }
}

/// A token of analyzed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    /// Its position (removed long tokens leave gaps, as in the index).
    pub position: usize,
    /// The word lower-cased.
    pub word: String,
    /// Its stem: the term in the index.
    pub stem: String,
}

/// Analyzes `text` into tokens with both their surface form and stem.
pub(crate) fn tokens(text: &str) -> Vec<Token> {
    let mut surface = surface_analyzer();
    let mut stemmer = stemmer();
    let mut stream = surface.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        let token = stream.token();
        out.push(Token {
            position: token.position,
            word: token.text.clone(),
            stem: stem_with(&mut stemmer, &token.text),
        });
    }
    out
}

/// The stem of one lower-cased word, with a [`stemmer`] analyzer.
pub(crate) fn stem_with(stemmer: &mut TextAnalyzer, word: &str) -> String {
    let mut stream = stemmer.token_stream(word);
    if stream.advance() {
        stream.token().text.clone()
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::NodeClient;

    #[test]
    fn the_client_stems_like_tantivy() {
        let bases = [
            "abbey",
            "agree",
            "allay",
            "analog",
            "arsenal",
            "bias",
            "cannot",
            "care",
            "commune",
            "condition",
            "cry",
            "decor",
            "decorate",
            "die",
            "dye",
            "early",
            "earring",
            "emerge",
            "even",
            "excel",
            "feed",
            "fill",
            "fly",
            "gener",
            "generate",
            "gently",
            "happy",
            "herring",
            "hop",
            "hope",
            "idle",
            "inning",
            "inter",
            "later",
            "lie",
            "news",
            "only",
            "organ",
            "outing",
            "past",
            "proceed",
            "relate",
            "sing",
            "skate",
            "ski",
            "sky",
            "succeed",
            "tie",
            "univers",
            "use",
            "value",
            "write",
            "yell",
            "yes",
            "python",
            "naïve",
            "café",
            "résumé",
            "über",
            "σίσυφος",
            "x",
            "ab",
            "1st",
            "2024",
        ];
        let suffixes = [
            "", "s", "es", "ed", "ing", "ly", "ness", "ful", "fulness", "ation", "ational",
            "tional", "izer", "ization", "alism", "aliti", "iviti", "biliti", "ousli", "ousness",
            "iveness", "entli", "enci", "anci", "abli", "alli", "fulli", "lessli", "logi", "ogist",
            "icate", "ative", "alize", "iciti", "ical", "ement", "ment", "ent", "ance", "ence",
            "able", "ible", "ant", "ism", "ate", "iti", "ous", "ive", "ize", "ion", "al", "er",
            "ic", "y", "ies", "ied", "eed", "eedly", "ingly", "edly", "sses", "ss", "us", "bb",
            "dd", "ll", "yy", "yly", "ying",
        ];
        let words: Vec<String> = bases
            .iter()
            .flat_map(|b| suffixes.iter().map(move |s| format!("{b}{s}")))
            .collect();
        let index = crate::Index::build(crate::testdocs::docs(), &Default::default()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let client = NodeClient::write(&index, dir.path()).unwrap();
        let problems = client.compare_stems(&index, &words).unwrap();
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn tokens_keep_positions_across_dropped_long_tokens() {
        let long = "x".repeat(MAX_TOKEN_BYTES);
        let tokens = tokens(&format!("Closures {long} capture variables"));
        let got: Vec<(usize, &str, &str)> = tokens
            .iter()
            .map(|t| (t.position, t.word.as_str(), t.stem.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (0, "closures", "closur"),
                (2, "capture", "captur"),
                (3, "variables", "variabl")
            ]
        );
    }
}
