//! The highlighting benchmark: prints numbers, asserts nothing.
//!
//!     cargo bench --bench highlight [-- BOOK_DIR...]
//!
//! For the handbook (always) and each book given (e.g. the 600-page corpus of
//! /work/shared/bench/gen_corpus.py, `DIR/mdbook`): every fenced block of its Markdown,
//! highlighted once each, in order, on one thread, as a build's thread does (so the
//! parsed-line memo finds what the book repeats), per language: lines, KiB of code, time,
//! and span-tag bytes per byte of code.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use handbook::transform::code::{FenceInfo, Lang, console};
use handbook::transform::highlight::Highlighter;

fn main() {
    let mut books = vec![PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("content")];
    books.extend(
        std::env::args()
            .skip(1)
            .filter(|a| !a.starts_with("--"))
            .map(PathBuf::from),
    );
    let highlighter = Highlighter::new();
    for book in books {
        let blocks = fenced_blocks(&book);
        println!("{}: {} blocks", book.display(), blocks.len());
        println!("| language | lines | KiB | ms | µs/line | span bytes / code byte |");
        println!("|---|---:|---:|---:|---:|---:|");
        let mut rows: BTreeMap<String, Row> = BTreeMap::new();
        for (lang, code) in &blocks {
            let start = Instant::now();
            let html = if *lang == Lang::Console {
                highlighter.console(&console::parse(code), code)
            } else {
                highlighter.highlight(lang, code).unwrap_or_default()
            };
            let row = rows.entry(lang.name().to_string()).or_default();
            row.time += start.elapsed();
            row.lines += code.lines().count();
            row.bytes += code.len();
            row.spans += span_tags(&html);
        }
        let mut total = Row::default();
        for (name, row) in &rows {
            row.print(name);
            total.add(row);
        }
        total.print("all");
    }
}

#[derive(Default)]
struct Row {
    lines: usize,
    bytes: usize,
    spans: usize,
    time: Duration,
}

impl Row {
    fn add(&mut self, other: &Row) {
        self.lines += other.lines;
        self.bytes += other.bytes;
        self.spans += other.spans;
        self.time += other.time;
    }

    fn print(&self, name: &str) {
        let ms = self.time.as_secs_f64() * 1000.0;
        println!(
            "| {name} | {} | {:.0} | {ms:.1} | {:.1} | {:.2} |",
            self.lines,
            self.bytes as f64 / 1024.0,
            ms * 1000.0 / self.lines.max(1) as f64,
            self.spans as f64 / self.bytes.max(1) as f64
        );
    }
}

/// Bytes of `<span …>` and `</span>` tags.
fn span_tags(html: &str) -> usize {
    let opens: usize = html
        .match_indices("<span ")
        .map(|(at, _)| html[at..].find('>').map_or(0, |end| end + 1))
        .sum();
    opens + html.matches("</span>").count() * "</span>".len()
}

/// Every top-level ```-fenced block of the book's Markdown files, with its language.
fn fenced_blocks(dir: &Path) -> Vec<(Lang, String)> {
    let mut files = Vec::new();
    markdown_files(dir, &mut files);
    files.sort();
    let mut blocks = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("a readable chapter");
        let mut open: Option<(Lang, String)> = None;
        for line in text.lines() {
            match (line.strip_prefix("```"), open.take()) {
                (Some(_), Some(block)) => blocks.push(block),
                (Some(info), None) => {
                    let info = info.trim_start_matches('`');
                    let lang = FenceInfo::parse(info).map_or(Lang::Plain, |info| info.lang);
                    open = Some((lang, String::new()));
                }
                (None, Some((lang, mut code))) => {
                    code.push_str(line);
                    code.push('\n');
                    open = Some((lang, code));
                }
                (None, None) => {}
            }
        }
    }
    blocks
}

fn markdown_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a readable folder").flatten() {
        let path = entry.path();
        if path.is_dir() {
            markdown_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
}
