//! `handbook build` on fixture books: the HTML is parsed and checked for
//! structure (nav order, numbering, ids, links, highlighting), and bad input
//! must give the exact error and leave the previous site alone.

mod support;

use std::path::Path;

use support::*;

fn built(name: &str) -> (tempfile::TempDir, std::path::PathBuf, String) {
    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join("site");
    let stderr = build(&fixture(name), &dest);
    (out, dest, stderr)
}

fn sidebar(dest: &Path) -> scraper::Html {
    let toc = std::fs::read_dir(dest.join("assets"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("toc-"))
        .expect("a toc script");
    let js = std::fs::read_to_string(toc).unwrap();
    let json = js
        .trim()
        .strip_prefix("window.handbookToc(")
        .unwrap()
        .strip_suffix(");")
        .unwrap();
    let html: String = serde_json::from_str(json).unwrap();
    scraper::Html::parse_fragment(&html)
}

#[test]
fn sidebar_lists_parts_and_numbered_chapters_in_summary_order() {
    let (_tmp, dest, _) = built("basic");
    let toc = sidebar(&dest);
    assert_eq!(
        texts(&toc, "li"),
        [
            "Preface",
            "Getting started",
            "1. Basics",
            "1.1. Details",
            "1.2. Later",
            "2. Code",
            "Reference",
            "3. Links",
            "",
            "Appendix"
        ]
    );
    assert_eq!(
        attrs(&toc, "a", "data-path"),
        [
            "preface.html",
            "guide/basics.html",
            "guide/details.html",
            "guide/code.html",
            "links.html",
            "appendix.html"
        ]
    );
    assert_eq!(
        select(&toc, "li.toc-draft").len(),
        1,
        "the draft is listed without a link"
    );
}

#[test]
fn chapter_page_has_number_breadcrumbs_pager_and_page_toc() {
    let (_tmp, dest, _) = built("basic");
    let page = html(&dest.join("guide/details.html"));
    assert_eq!(texts(&page, "article h1"), ["1.1. Details"]);
    assert_eq!(
        texts(&page, ".breadcrumbs li"),
        ["Fixture Book", "Getting started", "1. Basics", "Details"]
    );
    assert_eq!(
        attrs(&page, ".breadcrumbs a", "href"),
        [
            "../index.html",
            "../index.html#part-getting-started",
            "basics.html"
        ]
    );
    assert_eq!(attrs(&page, "a[rel=prev]", "href"), ["basics.html"]);
    assert_eq!(attrs(&page, "a[rel=next]", "href"), ["code.html"]);
    assert_eq!(attrs(&page, ".page-toc a", "href"), ["#deep-dive"]);
    assert_eq!(
        attrs(&page, "a.edit-link", "href"),
        ["https://example.org/edit/guide/details.md"]
    );
    assert_eq!(attrs(&page, "html", "data-root"), ["../"]);
}

#[test]
fn headings_get_unique_ids_and_self_links() {
    let (_tmp, dest, _) = built("basic");
    let page = html(&dest.join("guide/basics.html"));
    assert_eq!(
        attrs(&page, "article h2", "id"),
        ["setup", "setup-1", "my-id"]
    );
    assert_eq!(
        attrs(&page, "article h2 > a.heading-anchor", "href"),
        ["#setup", "#setup-1", "#my-id"]
    );
}

#[test]
fn markdown_extensions_render() {
    let (_tmp, dest, _) = built("basic");
    let page = html(&dest.join("guide/basics.html"));
    assert_eq!(select(&page, "article table td").len(), 2);
    assert_eq!(select(&page, "article del").len(), 1);
    assert_eq!(select(&page, "article input[type=checkbox]").len(), 2);
    assert_eq!(select(&page, "article .footnote-definition").len(), 1);
    assert_eq!(texts(&page, ".callout-warning .callout-title"), ["Warning"]);
    let text = texts(&page, "article p").join(" ");
    assert!(
        text.contains("\u{201c}smart\u{201d} quotes \u{2013} and"),
        "{text}"
    );
}

#[test]
fn links_to_chapters_are_rewritten_to_relative_html() {
    let (_tmp, dest, _) = built("basic");
    let page = html(&dest.join("guide/basics.html"));
    let hrefs = attrs(&page, "article a:not(.heading-anchor)", "href");
    assert!(
        hrefs.contains(&"details.html#deep-dive".to_string()),
        "{hrefs:?}"
    );
    assert!(hrefs.contains(&"../links.html".to_string()), "{hrefs:?}");
    assert!(hrefs.contains(&"#setup-1".to_string()), "{hrefs:?}");
    assert_eq!(attrs(&page, "article img", "src"), ["../img/diagram.svg"]);
    assert!(dest.join("img/diagram.svg").is_file(), "images are copied");
    let links = html(&dest.join("links.html"));
    assert_eq!(
        attrs(&links, "article p a", "href"),
        [
            "https://www.python.org/",
            "mailto:a@b.c",
            "preface.html",
            "#raw-target"
        ]
    );
    // Raw HTML: links and sources rewritten like Markdown's; its ids are link targets.
    assert_eq!(
        attrs(&links, "article .raw a", "href"),
        ["guide/details.html#deep-dive"]
    );
    assert_eq!(
        attrs(&links, "article .raw img", "src"),
        ["img/diagram.svg"]
    );
    assert_eq!(attrs(&links, "article .raw span", "id"), ["raw-target"]);
}

#[test]
fn code_is_highlighted_with_classes_and_marked() {
    let (_tmp, dest, stderr) = built("basic");
    let page = html(&dest.join("guide/code.html"));
    let python = select(&page, ".code-block[data-lang=python] code");
    let class = |atom| handbook::transform::highlight::class_of(atom).unwrap();
    let storage = format!(".code-block[data-lang=python] .{}", class("storage"));
    assert!(!select(&page, &storage).is_empty());
    assert!(
        select(&page, "article [style]").is_empty(),
        "no inline colours"
    );
    assert_eq!(texts(&page, ".code-output pre"), ["3.5"]);
    assert_eq!(texts(&page, ".code-block[data-lang=pycon] .hl-gp").len(), 2);
    assert_eq!(texts(&page, ".code-block[data-lang=pycon] .hl-go"), ["2"]);
    let entity = format!(".code-block[data-lang=toml] .{}", class("entity"));
    assert!(!select(&page, &entity).is_empty());
    let hidden = python[1].text().collect::<String>();
    assert!(
        !hidden.contains("hidden_setup"),
        "hidden lines are not shown: {hidden}"
    );
    assert_eq!(
        attrs(&page, ".code-badge", "title"),
        [
            "not run: talks to a real server",
            "needs Python 3.12 or later"
        ]
    );
    assert_eq!(texts(&page, ".code-badge.code-python"), ["Python 3.12+"]);
    // An unknown language: escaped text and a warning at its line.
    assert_eq!(
        texts(&page, ".code-block[data-lang=klingon] code"),
        ["<b>not markup</b>"]
    );
    assert!(
        stderr.contains("src/guide/code.md:30:1: warning: unknown code language `klingon`"),
        "{stderr}"
    );
}

#[test]
fn unreachable_markdown_is_a_warning() {
    let (_tmp, _dest, stderr) = built("basic");
    assert!(
        stderr.contains("src/orphan.md: warning: not listed in SUMMARY.md"),
        "{stderr}"
    );
}

#[test]
fn published_site_files() {
    let (_tmp, dest, _) = built("basic");
    let page = html(&dest.join("guide/basics.html"));
    assert_eq!(
        attrs(&page, "link[rel=canonical]", "href"),
        ["https://example.org/fixture/guide/basics.html"]
    );
    assert_eq!(
        attrs(&page, "meta[property='og:title']", "content"),
        ["Basics"]
    );
    assert_eq!(
        attrs(&page, "meta[name=description]", "content"),
        ["A small book that exercises every feature of the build."]
    );
    let sitemap = std::fs::read_to_string(dest.join("sitemap.xml")).unwrap();
    assert!(
        sitemap.contains("<loc>https://example.org/fixture/guide/details.html</loc>"),
        "{sitemap}"
    );
    let robots = std::fs::read_to_string(dest.join("robots.txt")).unwrap();
    assert!(robots.contains("Sitemap: https://example.org/fixture/sitemap.xml"));
    // 404.html carries its CSS inline and uses absolute links, so it works at any depth.
    let not_found = html(&dest.join("404.html"));
    assert!(select(&not_found, "link[rel=stylesheet]").is_empty());
    assert!(!texts(&not_found, "style")[0].is_empty());
    assert_eq!(
        attrs(&not_found, "a.button", "href"),
        ["https://example.org/fixture/"]
    );
}

#[test]
fn assets_are_named_by_content_hash_and_urls_are_relative() {
    let (_tmp, dest, _) = built("basic");
    let page = html(&dest.join("guide/basics.html"));
    let css = attrs(&page, "link[rel=stylesheet]", "href");
    assert_eq!(css.len(), 1);
    let name = css[0]
        .strip_prefix("../assets/main-")
        .unwrap()
        .strip_suffix(".css")
        .unwrap();
    assert_eq!(name.len(), 10);
    assert!(dest.join("guide").join(&css[0]).is_file());
    for attr in ["href", "src"] {
        for url in attrs(&page, &format!("[{attr}]"), attr) {
            assert!(!url.starts_with('/'), "absolute URL {url} breaks file://");
        }
    }
}

#[test]
fn print_page_has_every_chapter_with_book_wide_ids_and_in_page_links() {
    let (_tmp, dest, _) = built("basic");
    let print = html(&dest.join("print.html"));
    assert_eq!(attrs(&print, "section.print-chapter", "id").len(), 6);
    let ids = attrs(&print, "[id]", "id");
    let unique: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(
        unique.len(),
        ids.len(),
        "ids are unique across the book: {ids:?}"
    );
    let hrefs = attrs(&print, "section a:not(.heading-anchor)", "href");
    assert!(
        hrefs.contains(&"#guide-details--deep-dive".to_string()),
        "{hrefs:?}"
    );
    assert!(hrefs.contains(&"#guide-basics".to_string()), "{hrefs:?}");
    assert!(
        hrefs.contains(&"#links--raw-target".to_string()),
        "raw HTML ids are prefixed like headings: {hrefs:?}"
    );
    // ...and so are the attributes that refer to them.
    assert_eq!(attrs(&print, "label", "for"), ["links--raw-input"]);
    assert_eq!(attrs(&print, "input", "id"), ["links--raw-input"]);
    for href in hrefs.iter().filter(|h| h.starts_with('#')) {
        assert!(ids.contains(&href[1..].to_string()), "{href} has a target");
    }
}

#[test]
fn broken_links_fail_the_build_with_locations_and_suggestions() {
    let out = tempfile::tempdir().unwrap();
    let result = handbook(&[
        "build",
        path_str(&fixture("broken")),
        "-d",
        path_str(&out.path().join("site")),
    ]);
    assert!(!result.status.success());
    let stderr = String::from_utf8_lossy(&result.stderr);
    let errors: Vec<&str> = stderr.lines().filter(|l| l.contains(": error: ")).collect();
    assert_eq!(
        errors,
        [
            "src/one.md:7:14: error: broken link `twoo.md`: no chapter `twoo.md` in the book; did you mean `two.md`?",
            "src/one.md:8:20: error: broken link `two.md#closure`: no heading with id `closure`; did you mean `#closures`?",
            "src/one.md:8:51: error: broken link `#closure`: no heading with id `closure`; did you mean `#closures`?",
            "src/one.md:9:21: error: broken image `img/nope.png`: no file `img/nope.png` in the book",
            "src/one.md:9:49: error: broken link `two.md#closur`: no heading with id `closur`; did you mean `#closures`?",
            "src/one.md:13:12: error: broken link `nowhere.md`: no chapter `nowhere.md` in the book; did you mean `one.md`?",
        ]
    );
    assert!(stderr.contains("build failed: 6 errors"), "{stderr}");
    assert!(!out.path().join("site").exists(), "nothing is written");
}

#[test]
fn missing_chapter_file_names_the_summary_line() {
    let book = fixture_copy("broken");
    std::fs::write(
        book.path().join("src/SUMMARY.md"),
        "- [One](one.md)\n\n- [Gone](gone.md)\n",
    )
    .unwrap();
    let result = handbook(&["build", path_str(book.path())]);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(!result.status.success());
    assert!(
        stderr.contains(
            "src/SUMMARY.md:3:1: error: chapter `Gone` links to `gone.md`, which does not exist"
        ),
        "{stderr}"
    );
}

#[test]
fn bad_book_toml_is_an_error_with_line_and_column() {
    let book = fixture_copy("broken");
    std::fs::write(
        book.path().join("book.toml"),
        "[book]\ntitle = \"x\"\n[output.html]\nsite-url = 42\n",
    )
    .unwrap();
    let result = handbook(&["build", path_str(book.path())]);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(!result.status.success());
    assert!(stderr.contains("book.toml:4:12: error:"), "{stderr}");
}

#[test]
fn failed_build_leaves_the_previous_site_and_stale_pages_are_removed() {
    let book = fixture_copy("basic");
    let dest = book.path().join("out");
    build(book.path(), &dest);
    let before = std::fs::read(dest.join("guide/basics.html")).unwrap();

    std::fs::write(
        book.path().join("src/links.md"),
        "# Links\n\n[gone](nowhere.md)\n",
    )
    .unwrap();
    let result = handbook(&["build", path_str(book.path()), "-d", path_str(&dest)]);
    assert!(!result.status.success());
    assert_eq!(
        std::fs::read(dest.join("guide/basics.html")).unwrap(),
        before,
        "old site intact"
    );
    assert!(dest.join("links.html").is_file());

    std::fs::write(book.path().join("src/links.md"), "# Links\n").unwrap();
    let summary = std::fs::read_to_string(book.path().join("src/SUMMARY.md")).unwrap();
    std::fs::write(
        book.path().join("src/SUMMARY.md"),
        summary.replace("[Appendix](appendix.md)", ""),
    )
    .unwrap();
    std::fs::write(book.path().join("src/appendix.md"), "# Appendix\n").unwrap();
    build(book.path(), &dest);
    assert!(
        !dest.join("appendix.html").exists(),
        "pages that no longer exist do not linger"
    );
    let leftovers: Vec<_> = std::fs::read_dir(book.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(
        leftovers
            .iter()
            .all(|n| !n.to_string_lossy().contains("staging")),
        "{leftovers:?}"
    );
}

#[test]
fn theme_override_replaces_single_files() {
    let (_tmp, dest, _) = built("theme-override");
    let page = html(&dest.join("only.html"));
    assert_eq!(texts(&page, "#custom-chapter"), ["Only"]);
    assert_eq!(
        select(&page, ".sidebar").len(),
        1,
        "base.html still comes from the default theme"
    );
    let css_path = attrs(&page, "link[rel=stylesheet]", "href").remove(0);
    let css = std::fs::read_to_string(dest.join(css_path)).unwrap();
    assert!(
        css.contains(".from-override .nested{color:#639}"),
        "override CSS is bundled and lowered"
    );
    assert!(css.contains(".callout"), "default CSS is still there");
}

#[test]
fn template_error_names_the_template_and_line() {
    let book = fixture_copy("theme-override");
    std::fs::write(
        book.path().join("theme/templates/chapter.html"),
        "{% extends \"base.html\" %}\n{% block content %}\n{{ title \n{% endblock content %}\n",
    )
    .unwrap();
    let result = handbook(&["build", path_str(book.path())]);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(!result.status.success());
    assert!(
        stderr.contains("theme/templates/chapter.html:4:1: template error: "),
        "names the template's file and line: {stderr}"
    );
}

#[test]
fn a_theme_script_that_does_not_parse_names_its_file_and_line_and_nothing_is_written() {
    let book = fixture_copy("theme-override");
    std::fs::create_dir_all(book.path().join("theme/js")).unwrap();
    std::fs::write(
        book.path().join("theme/js/book.js"),
        "// the theme's behaviour\nwindow.x = function () {\n  return (;\n};\n",
    )
    .unwrap();
    let dest = book.path().join("site");
    let result = handbook(&["build", path_str(book.path()), "-d", path_str(&dest)]);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(!result.status.success());
    assert!(
        stderr.contains("theme/js/book.js:3:11: JavaScript syntax error: "),
        "names the script's file, line and column: {stderr}"
    );
    assert!(!dest.join("index.html").exists(), "no half-written site");
}

#[test]
fn bundle_is_one_zip_under_one_folder() {
    let out = tempfile::tempdir().unwrap();
    let zip_path = out.path().join("fixture.zip");
    let result = handbook(&[
        "bundle",
        path_str(&fixture("basic")),
        "-o",
        path_str(&zip_path),
    ]);
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let file = std::fs::File::open(&zip_path).unwrap();
    let mut archive = zip::ZipArchive::new(file).unwrap();
    let names: Vec<String> = (0..archive.len())
        .map(|i| archive.by_index(i).unwrap().name().unwrap().to_string())
        .collect();
    assert!(
        names.iter().all(|n| n.starts_with("fixture-book/")),
        "{names:?}"
    );
    assert!(names.contains(&"fixture-book/index.html".to_string()));
    assert!(names.contains(&"fixture-book/img/diagram.svg".to_string()));
}

#[test]
fn help_lists_the_commands() {
    let out = handbook(&["--help"]);
    let text = String::from_utf8_lossy(&out.stdout);
    for command in ["build", "bundle"] {
        assert!(text.contains(command), "{text}");
    }
    let build_help = String::from_utf8_lossy(&handbook(&["build", "--help"]).stdout).to_string();
    assert!(build_help.contains("--dest-dir"), "{build_help}");
}

#[test]
fn missing_book_folder_is_a_clear_error() {
    let out = tempfile::tempdir().unwrap();
    let missing = out.path().join("no-book-here");
    let result = handbook(&["build", path_str(&missing)]);
    assert_eq!(result.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(stderr.contains("no such folder"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn the_site_never_replaces_the_book_or_someone_elses_folder() {
    let book = fixture_copy("basic");
    let root = path_str(book.path());
    for dest in [
        root.to_string(),
        format!("{root}/src"),
        format!("{root}/src/site"),
    ] {
        let result = handbook(&["build", root, "-d", &dest]);
        assert_eq!(result.status.code(), Some(1), "{dest}");
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert!(stderr.contains("cannot be written"), "{stderr}");
    }
    assert!(
        book.path().join("src/SUMMARY.md").is_file(),
        "the book is intact"
    );

    let foreign = book.path().join("docs");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("notes.txt"), "keep me").unwrap();
    let result = handbook(&["build", root, "-d", path_str(&foreign)]);
    assert_eq!(result.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&result.stderr).contains("did not write"));
    assert_eq!(
        std::fs::read_to_string(foreign.join("notes.txt")).unwrap(),
        "keep me"
    );
}

#[test]
fn a_chapter_named_like_a_generated_file_is_an_error() {
    let book = fixture_copy("basic");
    std::fs::write(book.path().join("src/print.md"), "# Print\n").unwrap();
    let summary = std::fs::read_to_string(book.path().join("src/SUMMARY.md")).unwrap();
    std::fs::write(
        book.path().join("src/SUMMARY.md"),
        summary.replace(
            "- [Links](links.md)",
            "- [Links](links.md)\n- [Print](print.md)",
        ),
    )
    .unwrap();
    let dest = book.path().join("out");
    let result = handbook(&["build", path_str(book.path()), "-d", path_str(&dest)]);
    assert_eq!(result.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(
        stderr.contains("`print.html` would be written twice"),
        "{stderr}"
    );
    assert!(!dest.exists());
}

#[test]
fn heading_ids_are_escaped() {
    let book = fixture_copy("basic");
    std::fs::write(
        book.path().join("src/links.md"),
        "# Links\n\n## Odd {#x\"onmouseover=\"alert(1)}\n",
    )
    .unwrap();
    let dest = book.path().join("out");
    build(book.path(), &dest);
    let page = html(&dest.join("links.html"));
    assert!(
        attrs(&page, "h2", "onmouseover").is_empty(),
        "no attribute injected"
    );
    assert_eq!(
        attrs(&page, "article h2", "id"),
        ["x\"onmouseover=\"alert(1)"]
    );
}

#[test]
fn every_page_names_the_search_index_that_was_written() {
    // Pages are written before the index is built, with a placeholder for its entry
    // file patched at the end: no page may keep the placeholder or name another file.
    let (_tmp, dest, _) = built("basic");
    let mut checked = 0;
    for path in walk(&dest) {
        // 404.html names files by absolute URL; print.html has no search box.
        let skip = ["404.html", "print.html"]
            .iter()
            .any(|name| path.ends_with(name));
        if path.extension().is_none_or(|e| e != "html") || skip {
            continue;
        }
        let doc = html(&path);
        let entries = attrs(&doc, "[data-search-index]", "data-search-index");
        assert_eq!(entries.len(), 1, "{}", path.display());
        let entry = path.parent().unwrap().join(&entries[0]);
        let text = std::fs::read_to_string(&entry)
            .unwrap_or_else(|e| panic!("{} names {}: {e}", path.display(), entry.display()));
        assert!(
            text.starts_with("handbookSearch.load(\"index\""),
            "{}",
            entry.display()
        );
        checked += 1;
    }
    assert!(checked > 5, "only {checked} pages");
}
