//! The search benchmark: prints numbers, asserts nothing.
//!
//!     cargo bench --bench search [-- BOOK_DIR...] [--index-only]
//!
//! For the handbook (always) and each book given (e.g. the 600-page corpus of
//! /work/shared/bench/gen_corpus.py, `DIR/mdbook`): index build time, index
//! size, what a browser loads for a first single-word query (gzipped, client
//! included), the time per keystroke in the client (Node), and the whole
//! build's time with search. `--index-only` stops after the index's own timings (build,
//! export, writing the files, and building from partials of batches of chapters as a build cache would).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use handbook::render::theme::Theme;
use handbook::render::{Renderer, Shared};
use search_index::node::NodeClient;
use search_index::{Index, Partial};

/// Words of the handbook and of the benchmark corpus alike.
const QUERIES: &[&str] = &[
    "closure",
    "decorator",
    "context manager",
    "generator",
    "exception",
    "iterator",
];

fn main() {
    let mut books = vec![PathBuf::from(env!("CARGO_MANIFEST_DIR"))];
    books.extend(
        std::env::args()
            .skip(1)
            .filter(|a| !a.starts_with("--"))
            .map(PathBuf::from),
    );
    let index_only = std::env::args().any(|a| a == "--index-only");
    for book in &books {
        bench(book, index_only);
    }
}

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

fn kb(bytes: u64) -> String {
    format!("{:.1} KB", bytes as f64 / 1000.0)
}

fn bench(root: &Path, index_only: bool) {
    let (book, pages) = handbook::pipeline::load_and_transform(root, &mut |_| {})
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()));
    let handbook::search::Documents { docs, options, .. } =
        handbook::search::documents(&book, &pages);
    println!(
        "\n== {} ({} pages, {} sections, {:.1} MB of text)",
        book.config.title(),
        pages.len(),
        docs.len(),
        docs.iter().map(|d| d.body.len()).sum::<usize>() as f64 / 1e6
    );

    let mut builds = Vec::new();
    let mut exports = Vec::new();
    let mut index = None;
    let cpu_before = cpu_time();
    for _ in 0..5 {
        let start = Instant::now();
        let built = Index::build(docs.clone(), &options).unwrap();
        builds.push(start.elapsed());
        let start = Instant::now();
        let files = built.export();
        exports.push(start.elapsed());
        index = Some((built, files));
    }
    let cpu = (cpu_time() - cpu_before) / 5;
    let (index, files) = index.unwrap();
    println!(
        "index build, median of 5: {} (tantivy in RAM and read back {}, export {}); CPU {} a build",
        ms(median(builds.clone()) + median(exports.clone())),
        ms(median(builds)),
        ms(median(exports)),
        ms(cpu)
    );
    bench_writing(&index, files.len());
    bench_partials(&docs, &options);
    if index_only {
        return;
    }

    let dir = tempfile::tempdir().unwrap();
    let client = NodeClient::write(&index, dir.path()).unwrap();
    let site = dir.path().join("site");
    let mut whole = Vec::new();
    for _ in 0..3 {
        let start = Instant::now();
        handbook::pipeline::build(
            root,
            handbook::output::Destination::Folder(Some(site.clone())),
            &mut |_| {},
        )
        .unwrap();
        whole.push(start.elapsed());
    }
    let asset = std::fs::read_dir(site.join("assets"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("search-")
        })
        .expect("the site has a search client");
    let kinds = ["index", "s", "h", "t", "p", "n", "c", "words"];
    let paths: Vec<PathBuf> = files.iter().map(|f| dir.path().join(&f.path)).collect();
    let gzip = client
        .gzip_sizes(&[vec![asset.clone()], paths].concat())
        .unwrap();
    let (client_gzip, file_gzip) = (gzip[0], &gzip[1..]);
    let raw: u64 = files.iter().map(|f| f.bytes.len() as u64).sum();
    println!(
        "index: {} files, {} raw, {} gzipped; by kind (gzipped): {}",
        files.len(),
        kb(raw),
        kb(file_gzip.iter().sum()),
        kinds
            .iter()
            .map(|kind| {
                let bytes: u64 = files
                    .iter()
                    .zip(file_gzip)
                    .filter(|(f, _)| kind_of(&f.path) == *kind)
                    .map(|(_, &n)| n)
                    .sum();
                format!("{kind} {}", kb(bytes))
            })
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "search client (engine and UI, {}): {} gzipped",
        asset.file_name().unwrap().to_string_lossy(),
        kb(client_gzip)
    );
    println!(
        "first query (gzipped, client included): files and bytes to rank, then to show the top 10; \
         then typed letter by letter; time per keystroke"
    );
    for result in client.bench(QUERIES).unwrap() {
        println!(
            "  {:<15} rank: {} files {:>8}   + texts: {:>2} files {:>8} = {:>8}   typed: {:>2} files {:>8}   {:.2} ms",
            result.query,
            result.first_files + 1,
            kb(result.first_gzip + client_gzip),
            result.first_text_files,
            kb(result.first_text_gzip),
            kb(result.first_gzip + client_gzip + result.first_text_gzip),
            result.typed_files + 1,
            kb(result.typed_gzip + client_gzip),
            result.ms_per_keystroke
        );
    }
    let mut without = Vec::new();
    for _ in 0..3 {
        let start = Instant::now();
        build_without_search(root, &site);
        without.push(start.elapsed());
    }
    println!(
        "whole build (load, transform, render, index, write), median of 3: {} with search, {} without",
        ms(median(whole)),
        ms(median(without))
    );
}

/// The CPU time this process has used (user and system, all threads): beside wall time,
/// what shows whether work was spread over the cores or the machine was busy.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // After the command's name (in parentheses): utime and stime are fields 14 and 15.
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks: u64 = fields[11..13]
        .iter()
        .filter_map(|f| f.parse::<u64>().ok())
        .sum();
    Duration::from_millis(ticks * 10)
}

/// Exporting and writing the files into a staging folder, as a build does (each time
/// replacing the last one's files, whose inodes the file system has just freed).
fn bench_writing(index: &Index, count: usize) {
    let dir = tempfile::tempdir().unwrap();
    let runs = (0..5)
        .map(|_| {
            let staging = handbook::write::Staging::at(dir.path().join("site")).unwrap();
            let start = Instant::now();
            handbook::search::write(index, handbook::search::ENTRY, &staging).unwrap();
            let elapsed = start.elapsed();
            // Kept until the next run replaces it, as a build's last output is.
            std::mem::forget(staging);
            elapsed
        })
        .collect();
    println!(
        "export and write {count} files to disk, median of 5: {}",
        ms(median(runs))
    );
}

/// A build cache's view: one partial per `CHAPTERS_PER_GROUP` chapters, indexed, kept as
/// bytes, and merged. (Each group is a tantivy index of its own, which costs about 10 ms
/// whatever its size: a partial per chapter would cost 30 s of CPU at 3,000 pages.)
fn bench_partials(docs: &[search_index::Doc], options: &search_index::Options) {
    const CHAPTERS_PER_GROUP: usize = 25;
    let mut groups: Vec<std::ops::Range<usize>> = Vec::new();
    let mut chapters = 0;
    for (n, doc) in docs.iter().enumerate() {
        let new_chapter = n == 0 || docs[n - 1].url != doc.url;
        chapters += usize::from(new_chapter);
        match groups.last_mut() {
            Some(group) if !new_chapter || chapters % CHAPTERS_PER_GROUP != 1 => group.end = n + 1,
            _ => groups.push(n..n + 1),
        }
    }
    let start = Instant::now();
    let partials = Partial::index_groups(docs, &groups).unwrap();
    let indexed = start.elapsed();
    let bytes: Vec<Vec<u8>> = partials.iter().map(Partial::to_bytes).collect();
    let mut merges = Vec::new();
    let mut reads = Vec::new();
    for _ in 0..3 {
        let start = Instant::now();
        let kept: Vec<Partial> = bytes
            .iter()
            .map(|b| Partial::from_bytes(b).unwrap())
            .collect();
        reads.push(start.elapsed());
        let docs = docs.to_vec();
        let start = Instant::now();
        Index::from_partials(docs, kept, options).unwrap();
        merges.push(start.elapsed());
    }
    println!(
        "partials of {CHAPTERS_PER_GROUP} chapters ({} groups, {:.1} MB as bytes): indexed in {}; kept, read back in {} and merged in {} (median of 3)",
        groups.len(),
        bytes.iter().map(Vec::len).sum::<usize>() as f64 / 1e6,
        ms(indexed),
        ms(median(reads)),
        ms(median(merges))
    );
}

/// The pipeline's stages with the search index left out: what search adds to a build.
fn build_without_search(root: &Path, dest: &Path) {
    let (book, pages) = handbook::pipeline::load_and_transform(root, &mut |_| {}).unwrap();
    let theme = Theme::load(&book.config).unwrap();
    let shared = Shared::prepare(&book, &theme).unwrap();
    let staging = handbook::write::Staging::beside(dest).unwrap();
    Renderer::new(&book, &theme, &shared)
        .render_all(&pages, &staging)
        .unwrap();
    staging.publish(dest).unwrap();
}

fn kind_of(path: &str) -> &str {
    let key = path.split('-').next().unwrap_or_default();
    key.trim_end_matches(|c: char| c.is_ascii_digit())
}
