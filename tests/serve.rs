//! `handbook serve` as a contributor uses it: the real binary on a free port,
//! serving a temp copy of `tests/fixtures/serve-book`, edited while it runs.

mod support;

use support::{
    Server, at, build, edit, eventually, fixture_copy, html, reloads, request_for_host, text_of,
    walk,
};

const BASICS: &str = "src/guide/basics.md";

#[test]
fn serves_pages_and_files_with_types_and_no_cache() {
    let book = fixture_copy("serve-book");
    let server = Server::start(book.path());

    let page = server.get("/guide/basics.html");
    assert_eq!(page.status, 200, "{}", server.output());
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(page.header("cache-control"), Some("no-store"));
    let html = page.html();
    assert_eq!(text_of(&html, "#edited").as_deref(), Some("Original text."));
    let live = scraper::Selector::parse("script[src=\"/__handbook/live.js\"]").unwrap();
    assert_eq!(html.select(&live).count(), 1, "the live script is injected");

    let home = server.get("/");
    assert_eq!(home.status, 200);
    let main = text_of(&home.html(), "main").unwrap();
    assert!(main.contains("Start with the basics."), "{main}");

    let stylesheet = scraper::Selector::parse("link[rel=stylesheet]").unwrap();
    let href = html
        .select(&stylesheet)
        .next()
        .and_then(|l| l.value().attr("href"))
        .unwrap()
        .trim_start_matches("../")
        .to_string();
    let css = server.get(&format!("/{href}"));
    assert_eq!(css.status, 200);
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    assert!(css.text().contains("rgb(10,20,30)") || css.text().contains("#0a141e"));

    let svg = server.get("/img/dot.svg");
    assert_eq!(svg.header("content-type"), Some("image/svg+xml"));
    assert_eq!(server.get("/__handbook/live.js").status, 200);

    let head = server.request("HEAD", "/guide/basics.html");
    assert_eq!(head.status, 200);
    assert_eq!(
        head.header("content-length"),
        Some(page.body.len().to_string().as_str())
    );
    assert!(head.body.is_empty(), "HEAD has no body");

    let missing = server.get("/guide/nowhere.html");
    assert_eq!(missing.status, 404);
    assert_eq!(
        text_of(&missing.html(), "h1").as_deref(),
        Some("Page not found")
    );
    assert_eq!(server.request("POST", "/").status, 405);
}

#[test]
fn traversal_attempts_and_outside_symlinks_get_404() {
    let book = fixture_copy("serve-book");
    let secret = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(secret.path(), "TOP SECRET").unwrap();
    std::os::unix::fs::symlink(secret.path(), at(&book, "src/leak.txt")).unwrap();
    std::os::unix::fs::symlink("/etc", at(&book, "src/etc")).unwrap();
    let server = Server::start(book.path());

    for path in [
        "/../book.toml",
        "/guide/../../book.toml",
        "/%2e%2e/book.toml",
        "/%2E%2E%2Fbook.toml",
        "/guide/..%2f..%2fbook.toml",
        "/guide/%2e%2e/%2e%2e/src/SUMMARY.md",
        "/..%5cbook.toml",
        "//etc/passwd",
        "/%2fetc%2fpasswd",
        "/etc/passwd",
        "/src/SUMMARY.md",
        "/book.toml",
        "/leak.txt",
        "/etc/hostname",
        "/index.html%00.txt",
    ] {
        let response = server.get(path);
        assert_eq!(response.status, 404, "{path}");
        let body = response.text();
        assert!(
            !body.contains("TOP SECRET") && !body.contains("[book]"),
            "{path}"
        );
    }
    // Still the 404 page of the site, not an error page of the server.
    let response = server.get("/%2e%2e/book.toml");
    assert_eq!(
        text_of(&response.html(), "h1").as_deref(),
        Some("Page not found")
    );
}

#[test]
fn editing_a_chapter_reloads_its_page_with_the_new_html() {
    let book = fixture_copy("serve-book");
    let server = Server::start(book.path());
    let mut socket = server.socket();

    edit(&at(&book, BASICS), "Original text.", "Edited text.");
    let message = socket.until(|m| reloads(m, "guide/basics.html"));
    assert_eq!(message["problems"], serde_json::json!([]));
    // Only the changed page (and print.html after it) is reloaded.
    assert!(!reloads(&message, "guide/more.html"), "{message}");
    let html = server.get("/guide/basics.html").html();
    assert_eq!(text_of(&html, "#edited").as_deref(), Some("Edited text."));

    socket.until(|m| reloads(m, "print.html"));
    let print = server.get("/print.html").html();
    // In print.html, ids carry their chapter's prefix, raw HTML's too.
    assert_eq!(
        text_of(&print, "#guide-basics--edited").as_deref(),
        Some("Edited text.")
    );
}

#[test]
fn a_page_that_connects_late_reloads_only_if_it_changed_meanwhile() {
    let book = fixture_copy("serve-book");
    let server = Server::start(book.path());
    let mut socket = server.socket();
    let served = server.get("/guide/basics.html").html();
    let version = scraper::Selector::parse("script[data-version]").unwrap();
    let version = served
        .select(&version)
        .next()
        .unwrap()
        .attr("data-version")
        .unwrap()
        .to_string();
    let hello = |page: &str| {
        let query = format!("?page={page}&version={version}");
        server.socket_as(&query).1["action"]["stale"].clone()
    };
    assert_eq!(hello("guide/basics.html"), false);

    // Another chapter, then print.html, change: the page need not reload.
    edit(&at(&book, "src/guide/more.md"), "Back to", "Back again to");
    socket.until(|m| reloads(m, "print.html"));
    assert_eq!(hello("guide/basics.html"), false);
    assert_eq!(hello("guide/more.html"), true);
    // A URL the site lacks was served the 404 page, which did not change.
    assert_eq!(hello("guide/missing.html"), false);

    edit(&at(&book, BASICS), "Original text.", "Edited text.");
    socket.until(|m| reloads(m, "guide/basics.html"));
    assert_eq!(hello("guide/basics.html"), true);
}

#[test]
fn changing_an_included_file_rebuilds_the_chapter_that_includes_it() {
    let book = fixture_copy("serve-book");
    let server = Server::start(book.path());
    let mut socket = server.socket();

    std::fs::write(at(&book, "src/examples/hello.py"), "print(\"changed\")\n").unwrap();
    socket.until(|m| reloads(m, "guide/basics.html"));
    let code = text_of(&server.get("/guide/basics.html").html(), "pre code").unwrap();
    assert!(code.contains("changed"), "{code}");
    let file = server.get("/examples/hello.py");
    assert_eq!(file.text(), "print(\"changed\")\n");
}

#[test]
fn a_broken_link_shows_in_the_overlay_keeps_the_last_good_page_and_clears_when_fixed() {
    let book = fixture_copy("serve-book");
    let mut server = Server::start(book.path());
    let mut socket = server.socket();
    let basics = at(&book, BASICS);

    let broken = std::fs::read_to_string(&basics)
        .unwrap()
        .replace("Original text.", "Broken edit.")
        .replace("See [more](more.md#details)", "See [more](nowhere.md)");
    std::fs::write(&basics, &broken).unwrap();
    let failed = socket.until(|m| !problems(m).is_empty());
    let problem = &problems(&failed)[0];
    assert_eq!(problem["location"], "src/guide/basics.md:5:5", "{failed}");
    let message = problem["message"].as_str().unwrap();
    assert!(message.contains("broken link `nowhere.md`"), "{message}");
    // The last good page is still served.
    let html = server.get("/guide/basics.html").html();
    assert_eq!(text_of(&html, "#edited").as_deref(), Some("Original text."));
    eventually("the error in the terminal", || {
        server.output().contains("basics.md:5:5").then_some(())
    });

    std::fs::write(&basics, broken.replace("nowhere.md", "more.md")).unwrap();
    let fixed = socket.until(|m| problems(m).is_empty());
    assert!(reloads(&fixed, "guide/basics.html"), "{fixed}");
    let html = server.get("/guide/basics.html").html();
    assert_eq!(text_of(&html, "#edited").as_deref(), Some("Broken edit."));
    assert!(server.is_running());
}

#[test]
fn a_bad_book_toml_is_reported_and_the_server_carries_on() {
    let book = fixture_copy("serve-book");
    let mut server = Server::start(book.path());
    let mut socket = server.socket();
    let config = at(&book, "book.toml");
    let good = std::fs::read_to_string(&config).unwrap();

    std::fs::write(
        &config,
        good.replace("title = \"Serve fixture\"", "title = 3"),
    )
    .unwrap();
    let failed = socket.until(|m| !problems(m).is_empty());
    let location = problems(&failed)[0]["location"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(location.starts_with("book.toml:2:"), "{failed}");
    assert_eq!(server.get("/guide/basics.html").status, 200);

    std::fs::write(&config, good.replace("Serve fixture", "Renamed fixture")).unwrap();
    let fixed = socket.until(|m| problems(m).is_empty());
    assert!(reloads(&fixed, "index.html"), "{fixed}");
    let title = text_of(&server.get("/").html(), ".book-title");
    assert_eq!(title.as_deref(), Some("Renamed fixture"));
    assert!(server.is_running());
}

#[test]
fn a_template_error_is_reported_and_cleared_when_the_template_is_fixed() {
    let book = fixture_copy("serve-book");
    let mut server = Server::start(book.path());
    let mut socket = server.socket();
    let template = at(&book, "theme/templates/chapter.html");
    std::fs::create_dir_all(template.parent().unwrap()).unwrap();

    std::fs::write(
        &template,
        "{% extends \"base.html\" %}\n{% block content %}{% if %}{% endblock content %}\n",
    )
    .unwrap();
    let failed = socket.until(|m| !problems(m).is_empty());
    let location = problems(&failed)[0]["location"].as_str().unwrap();
    assert!(
        location.starts_with("theme/templates/chapter.html:2:"),
        "{failed}"
    );
    assert_eq!(server.get("/guide/basics.html").status, 200);

    std::fs::write(
        &template,
        "{% extends \"base.html\" %}\n{% block content %}<p id=\"custom\">{{ title }}</p>{% endblock content %}\n",
    )
    .unwrap();
    socket.until(|m| problems(m).is_empty() && reloads(m, "guide/basics.html"));
    let html = server.get("/guide/basics.html").html();
    assert_eq!(text_of(&html, "#custom").as_deref(), Some("Basics"));
    assert!(server.is_running());
}

#[test]
fn a_css_error_names_the_theme_file_and_line_and_clears_when_fixed() {
    let book = fixture_copy("serve-book");
    let server = Server::start(book.path());
    let mut socket = server.socket();
    let extra = at(&book, "theme/css/extra.css");

    std::fs::write(&extra, ".a {\n  color: red;\n}\n@import \"late.css\";\n").unwrap();
    let failed = socket.until(|m| !problems(m).is_empty());
    let problem = &problems(&failed)[0];
    let location = problem["location"].as_str().unwrap();
    assert!(location.starts_with("theme/css/extra.css:4:"), "{failed}");
    assert!(
        problem["message"].as_str().unwrap().contains("@import"),
        "{failed}"
    );

    std::fs::write(&extra, ".content h1 { color: rgb(1, 2, 3); }\n").unwrap();
    socket.until(|m| problems(m).is_empty());
}

#[test]
fn a_stylesheet_change_is_swapped_in_place() {
    let book = fixture_copy("serve-book");
    let server = Server::start(book.path());
    let mut socket = server.socket();

    std::fs::write(
        at(&book, "theme/css/extra.css"),
        ".content h1 { color: rgb(200, 0, 0); }\n",
    )
    .unwrap();
    let swap = socket.until(|m| m["action"]["kind"] == "stylesheet");
    let from = swap["action"]["from"].as_str().unwrap();
    let to = swap["action"]["to"].as_str().unwrap();
    assert_ne!(from, to);
    let css = server.get(&format!("/{to}")).text();
    assert!(css.contains("#c80000"), "{css}");
    // New page loads link the new stylesheet too.
    let html = server.get("/guide/basics.html").html();
    let link = scraper::Selector::parse("link[rel=stylesheet]").unwrap();
    let hrefs: Vec<&str> = html
        .select(&link)
        .filter_map(|l| l.value().attr("href"))
        .collect();
    assert_eq!(hrefs, [format!("../{to}")]);
}

#[test]
fn editor_saves_are_seen_and_a_burst_is_coalesced() {
    let book = fixture_copy("serve-book");
    let mut server = Server::start(book.path());
    let mut socket = server.socket();
    let basics = at(&book, BASICS);
    let original = std::fs::read_to_string(&basics).unwrap();
    let with = |text: &str| original.replace("Original text.", text);

    // vim / JetBrains: write a temporary file, then rename it over the chapter.
    let temp = at(&book, "src/guide/basics.md___jb_tmp___");
    std::fs::write(&temp, with("Renamed over.")).unwrap();
    std::fs::rename(&temp, &basics).unwrap();
    wait_for_text(&server, &mut socket, "Renamed over.");

    // Delete, then create again.
    std::fs::remove_file(&basics).unwrap();
    std::fs::write(&basics, with("Created again.")).unwrap();
    wait_for_text(&server, &mut socket, "Created again.");

    // Briefly missing: long enough for the watcher to see it gone.
    std::fs::remove_file(&basics).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    std::fs::write(&basics, with("Back again.")).unwrap();
    wait_for_text(&server, &mut socket, "Back again.");

    // A hundred saves in a second: far fewer reloads, and the last save wins.
    let mut reloads_seen = 0;
    for i in 0..100 {
        std::fs::write(&basics, with(&format!("Save {i}."))).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    loop {
        let message = socket.next();
        if reloads(&message, "guide/basics.html") {
            reloads_seen += 1;
            let html = server.get("/guide/basics.html").html();
            if text_of(&html, "#edited").as_deref() == Some("Save 99.") {
                break;
            }
        }
    }
    assert!(reloads_seen < 100, "{reloads_seen} reloads for 100 saves");
    assert!(server.is_running());
}

#[test]
fn a_chapter_added_and_removed_with_its_summary_line() {
    let book = fixture_copy("serve-book");
    let server = Server::start(book.path());
    let mut socket = server.socket();
    let summary = at(&book, "src/SUMMARY.md");
    let original = std::fs::read_to_string(&summary).unwrap();

    // The summary line first: for a moment it names a file that does not exist.
    std::fs::write(&summary, format!("{original}- [Added](guide/added.md)\n")).unwrap();
    std::fs::write(at(&book, "src/guide/added.md"), "# Added\n\nNew chapter.\n").unwrap();
    eventually("the new chapter", || {
        let message = socket.next();
        let page = server.get("/guide/added.html");
        (problems(&message).is_empty() && page.status == 200).then_some(())
    });
    let sidebar = server.get(&toc_script(&server)).text();
    assert!(sidebar.contains("guide/added.html"), "{sidebar}");

    // The file first, then its line.
    std::fs::remove_file(at(&book, "src/guide/added.md")).unwrap();
    std::fs::write(&summary, &original).unwrap();
    eventually("the chapter to go", || {
        let message = socket.next();
        let page = server.get("/guide/added.html");
        (problems(&message).is_empty() && page.status == 404).then_some(())
    });
}

#[test]
fn a_published_build_has_no_live_reload_script() {
    let book = fixture_copy("serve-book");
    let out = book.path().join("out");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_handbook"))
        .arg("build")
        .arg(book.path())
        .arg("-d")
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    let scripts = scraper::Selector::parse("script").unwrap();
    let mut pages = 0;
    for entry in walk(&out) {
        let text = std::fs::read_to_string(&entry).unwrap_or_default();
        assert!(
            !text.contains("__handbook") && !text.contains("WebSocket"),
            "{}",
            entry.display()
        );
        if entry.extension().is_some_and(|e| e == "html") {
            pages += 1;
            let html = scraper::Html::parse_document(&text);
            for script in html.select(&scripts) {
                let src = script.value().attr("src").unwrap_or_default();
                assert!(!src.contains("live"), "{}: {src}", entry.display());
            }
        }
    }
    assert!(pages >= 4);
}

fn problems(message: &serde_json::Value) -> &Vec<serde_json::Value> {
    message["problems"].as_array().expect("problems is a list")
}

fn wait_for_text(server: &Server, socket: &mut support::Socket, text: &str) {
    eventually(text, || {
        let message = socket.next();
        let html = server.get("/guide/basics.html").html();
        (problems(&message).is_empty() && text_of(&html, "#edited").as_deref() == Some(text))
            .then_some(())
    });
}

/// The sidebar script's path, from the landing page.
fn toc_script(server: &Server) -> String {
    let html = server.get("/").html();
    let selector = scraper::Selector::parse("script[src*=\"assets/toc-\"]").unwrap();
    let src = html
        .select(&selector)
        .next()
        .and_then(|s| s.value().attr("src"))
        .unwrap()
        .to_string();
    format!("/{src}")
}

#[test]
fn renaming_a_folder_of_chapters_is_noticed() {
    let book = fixture_copy("serve-book");
    let server = Server::start(book.path());
    let mut socket = server.socket();

    std::fs::rename(at(&book, "src/guide"), at(&book, "src/moved")).unwrap();
    let failed = socket.until(|m| !problems(m).is_empty());
    let message = problems(&failed)[0]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(message.contains("guide/basics.md"), "{message}");

    std::fs::rename(at(&book, "src/moved"), at(&book, "src/guide")).unwrap();
    socket.until(|m| problems(m).is_empty() && reloads(m, "guide/basics.html"));
    assert_eq!(server.get("/guide/basics.html").status, 200);
}

#[test]
fn a_summary_title_change_renames_the_page_everywhere_transforming_only_it() {
    let book = fixture_copy("serve-book");
    let server = Server::start(book.path());
    let mut socket = server.socket();

    edit(
        &at(&book, "src/SUMMARY.md"),
        "[More](guide/more.md)",
        "[Further reading](guide/more.md)",
    );
    socket.until(|m| problems(m).is_empty() && reloads(m, "guide/basics.html"));
    let more = server.get("/guide/more.html").html();
    let title = text_of(&more, "title").unwrap();
    assert!(title.starts_with("2. Further reading"), "{title}");
    let basics = server.get("/guide/basics.html").html();
    let next = text_of(&basics, "a[rel=next]").unwrap();
    assert!(next.contains("Further reading"), "{next}");
    let sidebar = server.get(&toc_script(&server)).text();
    assert!(sidebar.contains("Further reading"), "{sidebar}");
    eventually("the rebuild in the terminal", || {
        server
            .output()
            .contains("rebuilt everything (transformed 1 of 3 chapters)")
            .then_some(())
    });
}

/// The texts of the live search index: the chunks the entry file names by its id.
fn search_texts(server: &Server) -> String {
    let entry = server.get("/search/index.js");
    if entry.status != 200 {
        return String::new();
    }
    let text = entry.text();
    let id = text
        .split("\"id\":\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the entry names its id");
    let mut texts = String::new();
    for n in 0.. {
        let chunk = server.get(&format!("/search/c{n}-{id}.js"));
        if chunk.status != 200 {
            break;
        }
        texts.push_str(&chunk.text());
    }
    texts
}

#[test]
fn search_index_follows_chapter_edits() {
    let book = fixture_copy("serve-book");
    let server = Server::start(book.path());
    let page = server.get("/guide/basics.html").html();
    let search = scraper::Selector::parse("[data-search-index]").unwrap();
    let entry = page
        .select(&search)
        .next()
        .and_then(|e| e.value().attr("data-search-index"));
    assert_eq!(
        entry,
        Some("../search/index.js"),
        "pages point at the live index"
    );
    eventually("the first search index", || {
        search_texts(&server).contains("this picture").then_some(())
    });

    edit(&at(&book, BASICS), "this picture", "this zanzibar picture");
    eventually("the new text in the search index", || {
        search_texts(&server)
            .contains("this zanzibar picture")
            .then_some(())
    });
}

#[test]
fn dns_rebinding_requests_for_other_hosts_are_refused() {
    let book = fixture_copy("serve-book");
    let server = Server::start(book.path());
    for host in ["evil.example", &format!("evil.example:{}", server.port)] {
        let page = request_for_host(server.port, "GET", "/index.html", host);
        assert_eq!(page.status, 403, "{host}");
        let socket = request_for_host(server.port, "GET", "/__handbook/live", host);
        assert_eq!(socket.status, 403, "{host}");
    }
    for host in [
        format!("localhost:{}", server.port),
        format!("127.0.0.1:{}", server.port),
    ] {
        assert_eq!(
            request_for_host(server.port, "GET", "/index.html", &host).status,
            200,
            "{host}"
        );
    }
}

#[test]
fn a_source_folder_moved_away_and_back_is_followed() {
    let book = fixture_copy("serve-book");
    let server = Server::start(book.path());
    let aside = book.path().join("src-aside");
    std::fs::rename(at(&book, "src"), &aside).unwrap();
    eventually("the missing sources are reported", || {
        server.output().contains("SUMMARY.md").then_some(())
    });
    // Changed while away, as a branch switch would.
    edit(
        &aside.join("guide/basics.md"),
        "Original text.",
        "Text from the other branch.",
    );
    std::fs::rename(&aside, at(&book, "src")).unwrap();
    eventually("the returned sources are served", || {
        let html = server.get("/guide/basics.html").html();
        (text_of(&html, "#edited").as_deref() == Some("Text from the other branch.")).then_some(())
    });
    // And the folder is watched again: a later edit is seen too.
    edit(
        &at(&book, BASICS),
        "Text from the other branch.",
        "Edited after the return.",
    );
    eventually("an edit after the return is served", || {
        let html = server.get("/guide/basics.html").html();
        (text_of(&html, "#edited").as_deref() == Some("Edited after the return.")).then_some(())
    });
}

#[test]
fn serve_starts_from_the_cache_a_build_left() {
    let book = fixture_copy("serve-book");
    let dest = book.path().join("site");
    build(book.path(), &dest);
    let server = Server::start(book.path());
    eventually("the first build in the terminal", || {
        server
            .output()
            .contains("rebuilt everything (transformed 0 of 3 chapters)")
            .then_some(())
    });
    let served = server.get("/guide/basics.html").html();
    let built = html(&dest.join("guide/basics.html"));
    let main = |page: &scraper::Html| text_of(page, "main").unwrap();
    assert_eq!(
        main(&served),
        main(&built),
        "the page served is the page built"
    );
}
