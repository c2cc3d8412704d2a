//! Save-to-reload latency of `handbook serve` on the full handbook: the time
//! from writing a chapter to the reload message reaching a WebSocket client,
//! over 50 edits of one chapter. Not a test: it prints numbers.
//!
//! `cargo bench --bench serve_latency` (the bar: p50 under 50 ms).

#[path = "../tests/support/mod.rs"]
mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use support::{Server, copy_dir, reloads};

const EDITS: usize = 50;
const CHAPTER: &str = "content/core/oop.md";
const PAGE: &str = "core/oop.html";

fn main() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let book = tempfile::tempdir().unwrap();
    std::fs::copy(repo.join("book.toml"), book.path().join("book.toml")).unwrap();
    copy_dir(&repo.join("content"), &book.path().join("content"));
    let chapter = book.path().join(CHAPTER);
    let original = std::fs::read_to_string(&chapter).unwrap();

    let server = Server::start(book.path());
    let mut socket = server.socket();
    let mut latencies = Vec::with_capacity(EDITS);
    for edit in 0..EDITS {
        let text = format!("{original}\nBenchmark edit {edit}.\n");
        let start = Instant::now();
        std::fs::write(&chapter, text).unwrap();
        socket.until(|m| reloads(m, PAGE));
        latencies.push(start.elapsed());
        // Apart from each other: a burst of saves is coalesced on purpose.
        std::thread::sleep(Duration::from_millis(250));
    }

    let rebuilds = rebuild_times(&server.output());
    println!("serve_latency: {EDITS} edits of {CHAPTER} (full handbook), write → reload message");
    report("save to reload", &mut latencies);
    if !rebuilds.is_empty() {
        let mut rebuilds = rebuilds;
        report("of which rebuilding (server side)", &mut rebuilds);
    }
}

/// The `rebuilt … in N ms` lines after the first (full) build.
fn rebuild_times(output: &str) -> Vec<Duration> {
    output
        .lines()
        .filter_map(|line| line.strip_prefix("rebuilt core/oop.md in "))
        .filter_map(|rest| rest.strip_suffix(" ms")?.parse().ok())
        .map(Duration::from_millis)
        .collect()
}

fn report(what: &str, samples: &mut [Duration]) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "  {what}: p50 {:.1} ms, p95 {:.1} ms, min {:.1} ms, max {:.1} ms (n = {})",
        ms(at(0.5)),
        ms(at(0.95)),
        ms(samples[0]),
        ms(samples[samples.len() - 1]),
        samples.len()
    );
}
