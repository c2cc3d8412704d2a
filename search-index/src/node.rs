//! Runs the exported client under Node.js: how the tests check it against
//! tantivy (decoding, stemming, scores) and how the benchmark times it. The
//! index's files, [`crate::client_js`] and a harness (`js/node-harness.js`)
//! are written to a folder, and `node` runs them.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::Deserialize;

use crate::Index;

/// How far apart (relative) two scores may be for their documents to count as tied.
pub const TIE_TOLERANCE: f32 = 1e-6;

/// The client, ready to run in a folder.
pub struct NodeClient {
    dir: PathBuf,
    entry: PathBuf,
}

/// The client's answer to one query.
#[derive(Debug, Deserialize)]
pub struct JsResult {
    /// Every matching document, best first.
    pub hits: Vec<JsHit>,
    /// The stems the query matched.
    pub stems: Vec<String>,
}

/// The client's best results for one query in a fresh engine, and the files it loaded.
#[derive(Debug, Deserialize)]
pub struct JsTop {
    /// The best documents, best first.
    pub hits: Vec<JsHit>,
    /// The names of the files loaded (the entry file first).
    pub files: Vec<String>,
}

/// What loading and answering one query costs in the client.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Bench {
    /// The query.
    pub query: String,
    /// Index files a fresh page loads to answer the query.
    pub first_files: usize,
    /// Their size, gzipped.
    pub first_gzip: u64,
    /// Titles files and text chunks it then loads to show the top 10 documents.
    pub first_text_files: usize,
    /// Their size, gzipped.
    pub first_text_gzip: u64,
    /// Files (index and texts) loaded while the query is typed one character at a time, as
    /// the search box loads them for a reader typing on: ranked at every keystroke (and the
    /// titles of its first 5 fetched), texts for
    /// the whole query only.
    pub typed_files: usize,
    /// Their size, gzipped.
    pub typed_gzip: u64,
    /// Milliseconds per keystroke (search, documents, snippets) with the data loaded.
    pub ms_per_keystroke: f64,
}

/// One document the client found.
#[derive(Debug, Deserialize)]
pub struct JsHit {
    /// Its index in the documents.
    pub doc: usize,
    /// Its score's f32 bits.
    pub bits: u32,
}

impl NodeClient {
    /// Writes the client, the harness and `index`'s files into `dir`.
    pub fn write(index: &Index, dir: &Path) -> io::Result<NodeClient> {
        let files = index.export();
        for file in &files {
            std::fs::write(dir.join(&file.path), &file.bytes)?;
        }
        std::fs::write(dir.join("client.js"), crate::client_js())?;
        std::fs::write(
            dir.join("harness.js"),
            include_str!("../js/node-harness.js"),
        )?;
        Ok(NodeClient {
            dir: dir.to_path_buf(),
            entry: dir.join(crate::format::entry_name(&crate::format::id(
                index.docs(),
                &index.parameters,
            ))),
        })
    }

    /// Every matching document of each query, with its score.
    pub fn search(&self, queries: &[&str]) -> io::Result<Vec<JsResult>> {
        self.run("search", &queries)
    }

    /// The best `limit` documents of each query, each answered by a fresh engine.
    pub fn top(&self, queries: &[&str], limit: usize) -> io::Result<Vec<JsTop>> {
        self.run(
            "top",
            &serde_json::json!({ "queries": queries, "limit": limit }),
        )
    }

    /// Checks each query's best `limit` from a fresh engine (which ranks from the heads of
    /// common stems when they suffice) against tantivy: every score bit for bit against
    /// [`Index::score_every_doc`], the documents against [`Index::search`] (ties within
    /// [`TIE_TOLERANCE`] may swap). Returns every difference found and the files each query
    /// loaded.
    pub fn compare_top(
        &self,
        index: &Index,
        queries: &[&str],
        limit: usize,
    ) -> io::Result<(Vec<String>, Vec<Vec<String>>)> {
        let results = self.top(queries, limit)?;
        let mut problems = Vec::new();
        let mut files = Vec::new();
        for (query, js) in queries.iter().zip(results) {
            let every = index.score_every_doc(query).map_err(io::Error::other)?;
            let score_of = |doc: usize| every.iter().find(|h| h.doc == doc).map(|h| h.score);
            let top = index.search(query, limit).map_err(io::Error::other)?;
            if top.len() != js.hits.len() {
                problems.push(format!(
                    "{query:?}: {} results, the client {}",
                    top.len(),
                    js.hits.len()
                ));
            }
            for (rank, (hit, js_hit)) in top.iter().zip(&js.hits).enumerate() {
                let (a, b) = (score_of(hit.doc).unwrap_or(0.0), score_of(js_hit.doc));
                if b.map(f32::to_bits) != Some(js_hit.bits) {
                    problems.push(format!(
                        "{query:?}: rank {}: doc {} scores {:?}, the client's {}",
                        rank + 1,
                        js_hit.doc,
                        b,
                        f32::from_bits(js_hit.bits)
                    ));
                }
                let b = b.unwrap_or(0.0);
                if hit.doc != js_hit.doc && (a - b).abs() > TIE_TOLERANCE * a.abs().max(b.abs()) {
                    problems.push(format!(
                        "{query:?}: rank {}: TopDocs has doc {} ({a}), the client doc {} ({b})",
                        rank + 1,
                        hit.doc,
                        js_hit.doc
                    ));
                }
            }
            files.push(js.files);
        }
        Ok((problems, files))
    }

    /// The whole index as the client decodes it.
    pub fn decode(&self) -> io::Result<serde_json::Value> {
        self.run("decode", &())
    }

    fn stems(&self, words: &[String]) -> io::Result<Vec<String>> {
        self.run("stem", &words)
    }

    /// Bytes loaded and time per keystroke for each query (see `js/node-harness.js`).
    pub fn bench(&self, queries: &[&str]) -> io::Result<Vec<Bench>> {
        self.run("bench", &queries)
    }

    /// The size of each file gzipped (by Node's zlib, default level).
    pub fn gzip_sizes(&self, files: &[PathBuf]) -> io::Result<Vec<u64>> {
        self.run("gzip", &files)
    }

    /// Checks the client's stemmer against tantivy's on every word of `index` and on `more`
    /// words (lower-cased). Returns every word stemmed differently.
    pub fn compare_stems(&self, index: &Index, more: &[String]) -> io::Result<Vec<String>> {
        let words: Vec<String> = index
            .vocabulary
            .words
            .iter()
            .map(|w| w.text.clone())
            .chain(more.iter().cloned())
            .collect();
        let js = self.stems(&words)?;
        let mut stemmer = crate::schema::stemmer();
        Ok(words
            .iter()
            .zip(js)
            .filter_map(|(word, js)| {
                let rust = crate::schema::stem_with(&mut stemmer, word);
                (rust != js).then(|| format!("{word:?}: tantivy {rust:?}, client {js:?}"))
            })
            .collect())
    }

    /// Checks the client against tantivy on each query: every matching document and its score,
    /// bit for bit, against [`Index::score_every_doc`]; and the best `limit` against
    /// [`Index::search`], where documents whose scores differ by at most [`TIE_TOLERANCE`]
    /// (relative) may swap, because `TopDocs` sums a document's clauses in another order (so
    /// its scores can move by an ulp). Returns every difference found.
    pub fn compare(
        &self,
        index: &Index,
        queries: &[&str],
        limit: usize,
    ) -> io::Result<Vec<String>> {
        let results = self.search(queries)?;
        let mut problems = Vec::new();
        for (query, js) in queries.iter().zip(results) {
            let every = index.score_every_doc(query).map_err(io::Error::other)?;
            let mut js_hits: Vec<(usize, u32)> = js.hits.iter().map(|h| (h.doc, h.bits)).collect();
            js_hits.sort_unstable();
            let rust_hits: Vec<(usize, u32)> =
                every.iter().map(|h| (h.doc, h.score.to_bits())).collect();
            if js_hits != rust_hits {
                let diff = rust_hits
                    .iter()
                    .zip(&js_hits)
                    .find(|(a, b)| a != b)
                    .map_or_else(
                        || format!("{} vs {} matches", rust_hits.len(), js_hits.len()),
                        |(a, b)| format!("tantivy {a:?}, client {b:?} (doc, bits)"),
                    );
                problems.push(format!("{query:?}: scores differ: {diff}"));
                continue;
            }
            let score_of =
                |doc: usize| every.iter().find(|h| h.doc == doc).map_or(0.0, |h| h.score);
            let top = index.search(query, limit).map_err(io::Error::other)?;
            let js_top: Vec<usize> = js.hits.iter().take(limit).map(|h| h.doc).collect();
            if top.len() != js_top.len() {
                problems.push(format!(
                    "{query:?}: {} results, the client {}",
                    top.len(),
                    js_top.len()
                ));
                continue;
            }
            for (rank, (hit, &doc)) in top.iter().zip(&js_top).enumerate() {
                let (a, b) = (score_of(hit.doc), score_of(doc));
                if hit.doc != doc && (a - b).abs() > TIE_TOLERANCE * a.abs().max(b.abs()) {
                    problems.push(format!(
                        "{query:?}: rank {}: TopDocs has doc {} ({a}), the client doc {doc} ({b})",
                        rank + 1,
                        hit.doc
                    ));
                }
            }
        }
        Ok(problems)
    }

    fn run<T: serde::de::DeserializeOwned>(
        &self,
        mode: &str,
        input: &impl serde::Serialize,
    ) -> io::Result<T> {
        let mut child = Command::new("node")
            .arg(self.dir.join("harness.js"))
            .arg(self.dir.join("client.js"))
            .arg(&self.entry)
            .arg(mode)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| io::Error::new(e.kind(), format!("running `node` (Node.js): {e}")))?;
        let input = serde_json::to_vec(input)?;
        child
            .stdin
            .take()
            .expect("stdin is piped")
            .write_all(&input)?;
        let output = child.wait_with_output()?;
        if !output.status.success() {
            return Err(io::Error::other(format!(
                "the client failed under node:\n{}",
                String::from_utf8_lossy(&output.stderr)
            )));
        }
        Ok(serde_json::from_slice(&output.stdout)?)
    }
}
