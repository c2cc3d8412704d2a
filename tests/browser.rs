//! The built handbook in real headless Chromium, opened from `file://`:
//! every page is reachable through the next-links, with no console error and
//! no request leaving the site; the theme choice, keyboard navigation and
//! copy buttons work.

mod support;

use support::chromium::Browser;
use support::*;

fn built_handbook() -> (tempfile::TempDir, String) {
    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join("site");
    build(std::path::Path::new(env!("CARGO_MANIFEST_DIR")), &dest);
    let url = format!("file://{}", dest.display());
    (out, url)
}

#[test]
fn next_links_walk_the_whole_book_from_disk_without_errors_or_network() {
    let Some(mut browser) = Browser::launch() else {
        return;
    };
    let (_out, root) = built_handbook();
    let summary =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/content/SUMMARY.md"))
            .unwrap();
    let chapters = summary
        .lines()
        .filter(|l| l.contains("](") && !l.contains("]()"))
        .count();

    browser.goto(&format!("{root}/index.html"));
    let mut visited = vec![browser.eval("location.href").as_str().unwrap().to_string()];
    loop {
        assert!(
            browser.eval("document.querySelectorAll('.sidebar a').length > 0") == true,
            "sidebar rendered"
        );
        let next = browser.eval("(document.querySelector('a[rel=next]') || {}).href || null");
        let Some(next) = next.as_str().map(str::to_string) else {
            break;
        };
        assert!(next.starts_with("file://"), "{next}");
        browser.goto(&next);
        visited.push(next);
        assert!(
            visited.len() <= chapters + 1,
            "the next-links loop: {visited:?}"
        );
    }
    assert_eq!(
        visited.len(),
        chapters,
        "every chapter is reached once: {visited:?}"
    );
    let outside: Vec<String> = browser
        .requests()
        .into_iter()
        .filter(|u| !u.starts_with("file://"))
        .collect();
    assert!(outside.is_empty(), "requests left the site: {outside:?}");
    assert!(
        browser.errors().is_empty(),
        "console errors: {:?}",
        browser.errors()
    );
}

#[test]
fn theme_choice_is_remembered_and_keys_and_copy_work() {
    let Some(mut browser) = Browser::launch() else {
        return;
    };
    let (_out, root) = built_handbook();
    browser.goto(&format!("{root}/core/functions.html"));
    browser.eval("document.querySelector('[data-set-theme=dark]').click()");
    assert_eq!(
        browser.eval("document.documentElement.dataset.theme"),
        "dark"
    );

    // → goes to the next chapter, where the dark theme is still on.
    let seen = browser.events.len();
    browser.press("ArrowRight", 0);
    browser.wait_for_event("Page.loadEventFired", seen);
    assert!(
        browser
            .eval("location.pathname")
            .as_str()
            .unwrap()
            .ends_with("/core/oop.html")
    );
    assert_eq!(
        browser.eval("document.documentElement.dataset.theme"),
        "dark"
    );
    assert_eq!(
        browser.eval("document.querySelector('.sidebar a.active').getAttribute('data-path')"),
        "core/oop.html"
    );

    // The copy button of an interactive session copies the code without prompts or output.
    let copied = browser.eval(
        "window.handbookCodeText(document.querySelector('.code-block[data-lang=pycon] pre'))",
    );
    let copied = copied.as_str().unwrap();
    assert!(
        !copied.contains(">>>") && !copied.contains("..."),
        "{copied}"
    );
    assert!(browser.eval("document.querySelectorAll('.copy-button').length > 5") == true);
    assert!(
        browser.errors().is_empty(),
        "console errors: {:?}",
        browser.errors()
    );
}

/// The header's controls at a phone's width, as a reader sees them: the whole title
/// shown (not clipped to a letter), and no two controls overlapping or leaving the screen.
const HEADER_LAYOUT: &str = r#"(() => {
  const title = document.querySelector('.book-title');
  const boxes = ['.sidebar-toggle', '.book-title', '.search-input', '.theme-switch']
    .map(s => [s, document.querySelector(s)])
    .filter(([, el]) => getComputedStyle(el).display !== 'none')
    .map(([s, el]) => [s, el.getBoundingClientRect()]);
  const problems = [];
  if (title.scrollWidth > title.clientWidth + 1) problems.push('title clipped');
  for (const [name, r] of boxes) {
    if (r.width < 1 || r.left < 0 || r.right > innerWidth + 0.5) problems.push(name + ' off screen');
  }
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const [a, p] = boxes[i], [b, q] = boxes[j];
    if (p.left < q.right && q.left < p.right && p.top < q.bottom && q.top < p.bottom) problems.push(a + ' overlaps ' + b);
  }
  return problems.join(', ');
})()"#;

#[test]
fn the_header_fits_phones_without_clipping_the_title() {
    let Some(mut browser) = Browser::launch() else {
        return;
    };
    let (_out, root) = built_handbook();
    for width in [320, 390, 768, 1280] {
        browser.send(
            "Emulation.setDeviceMetricsOverride",
            serde_json::json!({"width": width, "height": 700, "deviceScaleFactor": 1, "mobile": width < 800}),
        );
        browser.goto(&format!("{root}/core/functions.html"));
        assert_eq!(browser.eval(HEADER_LAYOUT), "", "at {width} px wide");
    }
}
