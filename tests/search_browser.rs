//! The search box in real headless Chromium, from `file://` (the offline
//! bundle) and over HTTP: `/` and Ctrl-K open it, results come as you type,
//! ↑/↓/Enter choose one, the target page lands on the section with the
//! searched words highlighted, and indexed markup stays text; and a first
//! query typed letter by letter shows its results (titles first, ranked as
//! tantivy ranks) at every keystroke that has any and loads at most 40 KB
//! (gzipped) for search.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;
use support::chromium::Browser as Page;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/search")
}

fn build(dest: &Path) {
    handbook::pipeline::build(
        &fixture(),
        handbook::output::Destination::Folder(Some(dest.to_path_buf())),
        &mut |d| panic!("{d}"),
    )
    .unwrap();
}

/// Serves `root` over HTTP on a free port, from a thread that lives as long as the test.
fn serve(root: PathBuf) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let root = root.clone();
            std::thread::spawn(move || {
                let mut request = String::new();
                let mut reader = BufReader::new(&stream);
                if reader.read_line(&mut request).is_err() {
                    return;
                }
                // The rest of the request read before answering: closing a socket with
                // unread bytes sends a reset, which can reach the browser before the whole
                // response does, and a script lost so fails the test now and then.
                let mut header = String::new();
                while reader.read_line(&mut header).is_ok_and(|n| n > 0) && header.trim() != "" {
                    header.clear();
                }
                let path = request.split(' ').nth(1).unwrap_or("/");
                let path = path.split(['?', '#']).next().unwrap_or("/");
                let file = root.join(path.trim_start_matches('/'));
                let (status, body) = match std::fs::read(&file) {
                    Ok(body) => ("200 OK", body),
                    Err(_) => ("404 Not Found", Vec::new()),
                };
                let kind = match file.extension().and_then(|e| e.to_str()) {
                    Some("html") => "text/html; charset=utf-8",
                    Some("js") => "text/javascript; charset=utf-8",
                    Some("css") => "text/css; charset=utf-8",
                    _ => "application/octet-stream",
                };
                let mut stream = &stream;
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(&body);
            });
        }
    });
    format!("http://{address}/")
}

fn results(page: &mut Page) -> Vec<(String, String)> {
    let value = page.eval(
        "Array.from(document.querySelectorAll('.search-result'), a => [a.querySelector('.search-crumb').textContent, a.href])",
    );
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r[0].as_str().unwrap().into(), r[1].as_str().unwrap().into()))
        .collect()
}

/// Waits for the first result to be `first`, with its snippet.
fn wait_for_results(page: &mut Page, first: &str) {
    page.wait_for(
        &format!(
            "(document.querySelector('.search-result .search-crumb') || {{}}).textContent === {first:?} && document.querySelector('.search-result .search-snippet')"
        ),
        &format!("for the first result to be {first:?}, with its snippet"),
    );
}

/// Presses `key` until `expression` holds, as a reader presses again a key that did
/// nothing: under a full test run's load, a key sent just as a page finished loading was
/// lost now and then (twice in this round's full runs, never alone).
fn press_until(page: &mut Page, key: &str, expression: &str, what: &str) {
    for _ in 0..5 {
        page.press(key, 0);
        let deadline = std::time::Instant::now() + Duration::from_secs(2);
        while std::time::Instant::now() < deadline {
            if page.try_eval(expression) == Some(Value::Bool(true)) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    panic!("timed out {what}");
}

/// Everything a reader does, from a site at `base` (ends with `/`).
fn search_the_site(page: &mut Page, base: &str) {
    // Typing a query and pressing Enter lands on the section, words highlighted.
    let index = format!("{base}index.html");
    page.goto(&index);
    // The load event goto waited for may be the last page's (a result opened by Enter in
    // the round before): wait for this page, so no key goes to the one before.
    page.wait_for(
        &format!("location.href === {index:?} && document.readyState === 'complete'"),
        "for the index page to load",
    );
    assert_eq!(
        page.eval("document.querySelectorAll('script[src*=\"search\"]').length"),
        0,
        "the search client loads only when the box is used"
    );
    press_until(
        page,
        "/",
        "document.activeElement.classList.contains('search-input')",
        "for `/` to focus the search box",
    );
    page.wait_for("window.handbookSearch", "for the search client to load");
    // A second press may have typed its `/` into the box.
    page.eval("document.querySelector('.search-input').value = ''");
    page.type_text("late bind");
    wait_for_results(page, "Closures › Late binding");
    let (_, href) = results(page).remove(0);
    assert!(
        href.starts_with(&format!("{base}guide/closures.html?highlight="))
            && href.ends_with("#late-binding"),
        "{href}"
    );
    assert!(
        page.eval("document.querySelector('.search-result mark').textContent")
            .as_str()
            .is_some_and(|m| ["late", "binding"].contains(&m.to_lowercase().as_str())),
        "the snippet marks the matched words"
    );
    page.press("Enter", 0);
    page.wait_for(
        "location.pathname.endsWith('/guide/closures.html') && location.hash === '#late-binding' && document.readyState === 'complete'",
        "for Enter to open the result",
    );
    let marked = page.wait_for(
        "Array.from(document.querySelectorAll('mark.search-highlight'), m => m.textContent.toLowerCase()).join(' ')",
        "for the searched words to be highlighted",
    );
    let marked = marked.as_str().unwrap();
    assert!(
        marked.contains("late") && marked.contains("binding"),
        "{marked}"
    );
    assert_eq!(
        page.eval(
            "(r => r.top >= 0 && r.bottom <= innerHeight)(document.getElementById('late-binding').getBoundingClientRect())"
        ),
        true,
        "the section's heading is in view"
    );

    // Ctrl-K opens the box; ↓ then Enter opens the second result.
    page.goto(&format!("{base}guide/markup.html"));
    page.press("k", 2);
    page.wait_for(
        "document.activeElement.classList.contains('search-input')",
        "for Ctrl-K to focus the search box",
    );
    page.type_text("closure");
    wait_for_results(page, "Closures");
    let second = results(page).remove(1).1;
    page.press("ArrowDown", 0);
    assert_eq!(
        page.eval("document.querySelector('.search-result[aria-selected=true]').href"),
        Value::from(second.clone())
    );
    page.press("Enter", 0);
    page.wait_for(
        &format!("location.href === {second:?} && document.readyState === 'complete'"),
        "for Enter to open the second result",
    );

    // Indexed markup is shown as text and never runs, in results or on the target page.
    page.goto(&format!("{base}index.html"));
    page.press("/", 0);
    page.wait_for("window.handbookSearch", "for the search client to load");
    page.type_text("script onerror");
    wait_for_results(page, "Markup in text › The <script> tag");
    let snippet = page.eval("document.querySelector('.search-snippet').textContent");
    assert!(
        snippet
            .as_str()
            .unwrap()
            .contains("<script>window.__pwned = 1</script>"),
        "{snippet}"
    );
    assert_eq!(
        page.eval(
            "document.querySelectorAll('.search-results script, .search-results img').length"
        ),
        0
    );
    page.press("Enter", 0);
    page.wait_for(
        "location.hash === '#the-script-tag' && document.querySelector('mark.search-highlight')",
        "for the result to open with highlights",
    );
    assert_eq!(page.eval("String(window.__pwned)"), "undefined");
}

#[test]
fn search_works_from_disk_and_over_http() {
    let Some(mut page) = Page::launch() else {
        return;
    };
    let site = tempfile::tempdir().unwrap();
    let dest = site.path().join("book");
    build(&dest);
    let file_base = format!("file://{}/", dest.display());
    search_the_site(&mut page, &file_base);
    let http_base = serve(dest.clone());
    search_the_site(&mut page, &http_base);
}

/// At most this many bytes (gzipped) may a first query, typed letter by letter, load for
/// search (client, index, postings, titles, texts) before its results show with snippets.
const FIRST_QUERY_BYTES: u64 = 40_000;

/// The time between keystrokes: a brisk typist's (80 words a minute), quicker than the time
/// the box waits before it fetches texts, as a reader who knows what they want types.
const KEYSTROKE: Duration = Duration::from_millis(150);

/// The queries of the README's table.
const TYPED_QUERIES: [&str; 8] = [
    "decorator",
    "context manager",
    "generator",
    "exception",
    "dataclass",
    "iterator",
    "async",
    "list comprehension",
];

/// Results as the page showed them: the query they answer, each result's link (path and
/// hash), and how many had their snippet.
#[derive(Debug, serde::Deserialize)]
struct Shown {
    query: String,
    links: Vec<String>,
    snippets: usize,
}

/// Records every change of the results list into `window.shown` (as [`Shown`]).
const RECORD_RESULTS: &str = "(l => { window.shown = []; new MutationObserver(() => window.shown.push({ \
    query: l.dataset.query || '', \
    links: Array.from(l.querySelectorAll('.search-result'), a => decodeURI(new URL(a.href).pathname) + new URL(a.href).hash), \
    snippets: l.querySelectorAll('.search-snippet').length })).observe(l, { childList: true, subtree: true }); \
    })(document.querySelector('.search-results'))";

/// Every file search loaded while `query` was typed, one character at a time, into a fresh
/// page of the site in `dest`, until its results showed with snippets: (path, gzipped size);
/// and the results shown on the way.
fn typed_query_files(
    page: &mut Page,
    dest: &Path,
    query: &str,
) -> (Vec<(String, u64)>, Vec<Shown>) {
    page.goto(&format!("file://{}/index.html", dest.display()));
    let seen = page.events.len();
    page.press("/", 0);
    page.wait_for("window.handbookSearch", "for the search client to load");
    page.eval(RECORD_RESULTS);
    type_query(page, query);
    let files = search_files(page, seen);
    let unique: std::collections::HashSet<&String> = files.iter().collect();
    assert_eq!(unique.len(), files.len(), "a file loaded twice: {files:?}");
    let shown = serde_json::from_value(page.eval("window.shown")).unwrap();
    let files = files
        .into_iter()
        .map(|path| {
            let size = gzipped(&std::fs::read(&path).unwrap());
            (path, size)
        })
        .collect();
    (files, shown)
}

/// Types `query` one character at a time into the focused search box, each once the box has
/// answered the one before (results or none), and waits for its results with snippets.
fn type_query(page: &mut Page, query: &str) {
    let mut typed = String::new();
    for c in query.chars() {
        typed.push(c);
        page.type_text(&c.to_string());
        if !typed.trim().is_empty() {
            page.wait_for(
                &format!("document.querySelector('.search-results').dataset.query === {typed:?}"),
                &format!("for the box to answer {typed:?}"),
            );
        }
        std::thread::sleep(KEYSTROKE);
    }
    page.wait_for(
        &format!(
            "(l => l.dataset.query === {query:?} && !l.hasAttribute('aria-busy') && l.querySelector('.search-snippet'))(document.querySelector('.search-results'))"
        ),
        &format!("for the results of {query:?} with snippets"),
    );
}

/// Checks that every keystroke of `query` with any match showed its results (the first few
/// links, before their snippets) in tantivy's order, bit-identical scores ranked best first,
/// ties in document order.
fn check_results_at_every_keystroke(index: &search_index::Index, query: &str, shown: &[Shown]) {
    let mut typed = String::new();
    for c in query.chars() {
        typed.push(c);
        let mut hits = index.score_every_doc(&typed).unwrap();
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.doc.cmp(&b.doc)));
        let answers: Vec<&Shown> = shown.iter().filter(|s| s.query == typed).collect();
        let Some(first) = answers.iter().find(|s| !s.links.is_empty()) else {
            assert!(
                hits.is_empty(),
                "{typed:?} has {} matches but showed none",
                hits.len()
            );
            continue;
        };
        assert!(
            !hits.is_empty(),
            "{typed:?} showed results tantivy does not have: {:?}",
            first.links
        );
        assert_eq!(
            first.snippets, 0,
            "{typed:?}: results showed only with their snippets"
        );
        for (link, hit) in first.links.iter().zip(&hits) {
            let doc = &index.docs()[hit.doc];
            let hash = if doc.anchor.is_empty() {
                String::new()
            } else {
                format!("#{}", doc.anchor)
            };
            assert!(
                link.ends_with(&format!("/{}{hash}", doc.url)),
                "{typed:?}: showed {link}, tantivy ranks {}{hash} there",
                doc.url
            );
        }
        assert!(
            first.links.len() <= hits.len(),
            "{typed:?}: {:?}",
            first.links
        );
    }
}

/// The search files (index and client) the page requested since event `seen`, in order.
fn search_files(page: &Page, seen: usize) -> Vec<String> {
    page.events[seen..]
        .iter()
        .filter(|(method, _)| method == "Network.requestWillBeSent")
        .filter_map(|(_, params)| params["request"]["url"].as_str())
        .filter_map(|url| url.strip_prefix("file://"))
        .filter(|path| path.contains("/search/") || path.contains("/assets/search-"))
        .map(str::to_string)
        .collect()
}

fn gzipped(bytes: &[u8]) -> u64 {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap().len() as u64
}

/// The index the site of `book` was built with.
fn index_of(book: &Path) -> search_index::Index {
    let (book, pages) = handbook::pipeline::load_and_transform(book, &mut |_| {}).unwrap();
    handbook::search::index(handbook::search::documents(&book, &pages)).unwrap()
}

/// Types each query into the site in `dest` (built from `book`), checks the results shown at
/// every keystroke, and prints what typing it loaded by kind of file; returns each query's
/// total.
fn report_typed_queries(
    page: &mut Page,
    name: &str,
    book: &Path,
    dest: &Path,
) -> Vec<(&'static str, u64)> {
    let index = index_of(book);
    let mut totals = Vec::new();
    for query in TYPED_QUERIES {
        let (files, shown) = typed_query_files(page, dest, query);
        check_results_at_every_keystroke(&index, query, &shown);
        let results = page.eval("document.querySelectorAll('.search-result').length");
        let total: u64 = files.iter().map(|(_, n)| n).sum();
        let kind = |prefix: &str| {
            let of_kind = files.iter().filter(|(path, _)| {
                let name = path.rsplit('/').next().unwrap_or_default();
                name.starts_with(prefix)
                    && name[prefix.len()..].starts_with(|c: char| c.is_ascii_digit() || c == '-')
            });
            let (count, bytes) = of_kind.fold((0, 0), |(c, b), (_, n)| (c + 1, b + n));
            format!("{count} {prefix} {:.1} KB", bytes as f64 / 1000.0)
        };
        let kinds: Vec<String> = ["search", "index", "s", "h", "t", "n", "c", "words"]
            .map(kind)
            .into();
        println!(
            "{name}: typing {query:?} loaded {} files, {:.1} KB gzipped ({}); {results} results shown",
            files.len(),
            total as f64 / 1000.0,
            kinds.join(", "),
        );
        totals.push((query, total));
    }
    totals
}

#[test]
fn a_first_query_typed_letter_by_letter_loads_at_most_40_kb() {
    let Some(mut page) = Page::launch() else {
        return;
    };
    let site = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let handbook = site.path().join("handbook");
    let folder = |dest: &Path| handbook::output::Destination::Folder(Some(dest.to_path_buf()));
    handbook::pipeline::build(root, folder(&handbook), &mut |_| {}).unwrap();
    let totals = report_typed_queries(&mut page, "handbook", root, &handbook);
    within_bound("handbook", &totals, &[]);
    // A later query in the same page loads only files it had not loaded.
    let first: Vec<String> = typed_query_files(&mut page, &handbook, "decorator")
        .0
        .into_iter()
        .map(|(path, _)| path)
        .collect();
    let seen = page.events.len();
    page.eval("(i => { i.value = ''; i.dispatchEvent(new Event('input')); })(document.querySelector('.search-input'))");
    type_query(&mut page, "decorators wrap");
    let again = search_files(&page, seen);
    assert!(!again.is_empty(), "the second query loads what it needs");
    let twice: Vec<&String> = again.iter().filter(|f| first.contains(f)).collect();
    assert!(twice.is_empty(), "loaded again: {twice:?}");
    // The results the list had no room for come as it is scrolled (the last query's has 10).
    page.wait_for(
        "(l => (l.scrollTop = l.scrollHeight, l.querySelectorAll('.search-result').length === 10))(document.querySelector('.search-results'))",
        "for scrolling to show the rest of the results",
    );
    assert!(page.errors().is_empty(), "{:?}", page.errors());

    // 600 generated chapters (9,000 sections): the repository's generator always, and the
    // benchmark corpus of the figures when its generator is here (it is not part of
    // the repository; its common words have larger postings).
    let generated = site.path().join("generated");
    let generator = root.join("bench/corpus.py");
    let book = generate(&site.path().join("generated-book"), &generator, &generated);
    let totals = report_typed_queries(&mut page, "600 generated chapters", &book, &generated);
    within_bound("600 generated chapters", &totals, &[]);
    let shared = std::env::var_os("HANDBOOK_BENCH_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("../shared"));
    let generator = shared.join("bench/gen_corpus.py");
    if generator.exists() {
        let dest = site.path().join("corpus-site");
        let book = generate(&site.path().join("corpus"), &generator, &dest);
        let totals = report_typed_queries(&mut page, "600-page corpus", &book, &dest);
        within_bound("600-page corpus", &totals, &OVER_ON_THE_CORPUS);
    }
    assert!(page.errors().is_empty(), "{:?}", page.errors());
}

/// Queries known to load more than [`FIRST_QUERY_BYTES`] on the 600-page corpus, with what
/// they may load: two common words whose sections often hold both, so that the exact first
/// page needs both words' whole postings (and those of the words "comp" expands to).
const OVER_ON_THE_CORPUS: [(&str, u64); 1] = [("list comprehension", 50_000)];

/// Holds each query's total to [`FIRST_QUERY_BYTES`], or to its own bound in `over`.
fn within_bound(name: &str, totals: &[(&str, u64)], over: &[(&str, u64)]) {
    for &(query, total) in totals {
        let bound = over
            .iter()
            .find(|(q, _)| *q == query)
            .map_or(FIRST_QUERY_BYTES, |(_, b)| *b);
        assert!(
            total <= bound,
            "typing {query:?} loaded {total} bytes gzipped on the {name}, more than {bound}"
        );
    }
}

/// Writes a 600-page book with `generator` into `book` and builds it into `dest`
/// (gen_corpus.py writes its mdBook layout into `book/mdbook`); returns the book's root.
fn generate(book: &Path, generator: &Path, dest: &Path) -> PathBuf {
    let status = std::process::Command::new("python3")
        .arg(generator)
        .args(["--pages", "600", "--out"])
        .arg(book)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "{}", generator.display());
    let root = match book.join("mdbook").exists() {
        true => book.join("mdbook"),
        false => book.to_path_buf(),
    };
    let folder = handbook::output::Destination::Folder(Some(dest.to_path_buf()));
    handbook::pipeline::build(&root, folder, &mut |_| {}).unwrap();
    root
}
