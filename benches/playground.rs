//! The Run buttons in real headless Chromium, on the handbook built from local
//! files (`file://`): bytes a page loads before any click, with and without Run
//! buttons; time from the first click to the output (runtime download, start-up,
//! run); a second run; and a run after Stop (a new worker, the runtime already in
//! the page). Not a test: it prints numbers.
//!
//! `cargo bench --bench playground`

#[path = "../tests/support/mod.rs"]
mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use support::chromium::Browser;

const PAGE: &str = "core/functions.html";
const RUNS: usize = 3;

fn main() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let with = tempfile::tempdir().unwrap();
    support::build(repo, with.path());
    let without_book = tempfile::tempdir().unwrap();
    support::copy_dir(&repo.join("content"), &without_book.path().join("content"));
    let toml = std::fs::read_to_string(repo.join("book.toml")).unwrap();
    std::fs::write(
        without_book.path().join("book.toml"),
        format!("{toml}\n[output.html.playground]\nrunnable = false\n"),
    )
    .unwrap();
    let without = tempfile::tempdir().unwrap();
    support::build(without_book.path(), without.path());

    let base = |dir: &Path| format!("file://{}/{PAGE}", dir.display());
    println!("{PAGE}, from file://, median of {RUNS} page loads:");
    println!(
        "  bytes before a click: {} with Run buttons, {} without",
        median_bytes(&base(with.path())),
        median_bytes(&base(without.path()))
    );
    let mut first = Vec::new();
    let mut second = Vec::new();
    let mut restart = Vec::new();
    for _ in 0..RUNS {
        let Some(mut page) = Browser::launch() else {
            return;
        };
        page.goto(&base(with.path()));
        let block = "document.querySelector('.code-block[data-run]')";
        first.push(run(&mut page, block));
        second.push(run(&mut page, block));
        page.eval(&format!(
            "{block}.querySelector('code').textContent = 'while True: pass'"
        ));
        page.eval(&format!("{block}.querySelector('.run-button').click()"));
        std::thread::sleep(Duration::from_millis(300));
        page.eval(&format!("{block}.querySelector('.run-button').click()"));
        page.eval(&format!("{block}.querySelector('.run-reset').click()"));
        restart.push(run(&mut page, block));
    }
    println!("  first click → output: {:.0} ms", median(&mut first));
    println!("  second run: {:.0} ms", median(&mut second));
    println!(
        "  run after Stop (new worker): {:.0} ms",
        median(&mut restart)
    );
}

/// Clicks Run and waits for the verdict; milliseconds.
fn run(page: &mut Browser, block: &str) -> f64 {
    let start = Instant::now();
    page.eval(&format!("{block}.querySelector('.run-button').click()"));
    page.wait_for_within(
        &format!("{block}.querySelector('.run-status').dataset.kind === 'ok'"),
        "for the output",
        Duration::from_secs(120),
    );
    start.elapsed().as_secs_f64() * 1000.0
}

/// The bytes one load of `url` transfers, with nothing clicked.
fn median_bytes(url: &str) -> u64 {
    let mut sizes: Vec<u64> = (0..RUNS)
        .map(|_| {
            let mut page = Browser::launch().expect("Chromium");
            page.goto(url);
            std::thread::sleep(Duration::from_millis(500));
            page.eval("1");
            page.events
                .iter()
                .filter(|(m, _)| m == "Network.loadingFinished")
                .filter_map(|(_, p)| p["encodedDataLength"].as_f64())
                .sum::<f64>() as u64
        })
        .collect();
    sizes.sort();
    sizes[sizes.len() / 2]
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}
