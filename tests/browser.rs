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

/// Code in every grammar whose scopes the palettes' selectors single out: descendant
/// rules (CSS, diff, Markdown), compounds (regexp character classes, f-strings), and the
/// book's common languages.
const HIGHLIGHT_SAMPLES: &[(&str, &str)] = &[
    (
        "python",
        "@dataclass(frozen=True)\nclass Order(Base):\n    \"\"\"Docs.\"\"\"\n    total: float = 0.0\n\n    def label(self, prefix: str = '#') -> str:\n        # Why.\n        pattern = re.compile(r\"[a-z]+\\d{2,}\")\n        return f\"{prefix}{self.total:>8.2f} {len([1, 2])!r}\\n\" if self.total else None\n",
    ),
    (
        "bash",
        "for f in *.md; do\n  echo \"$f\" | grep -c 'x' > /dev/null 2>&1 || exit 1\ndone\n",
    ),
    (
        "toml",
        "[package]\nname = \"handbook\"\nversion = \"0.1.0\"\nfeatures = [\"a\", 'b']\n",
    ),
    (
        "yaml",
        "jobs:\n  test:\n    runs-on: ubuntu-latest # why\n    steps: [1, true, ~]\n",
    ),
    (
        "json",
        "{\"name\": \"x\", \"n\": [1, 2.5, true, null], \"o\": {\"k\": \"v\"}}\n",
    ),
    ("ini", "[section]\nkey = value ; comment\n"),
    (
        "sql",
        "SELECT name, COUNT(*) FROM orders WHERE total > 10 GROUP BY name; -- why\n",
    ),
    (
        "html",
        "<!DOCTYPE html>\n<a href=\"x.html\" class='y'>link &amp; text</a>\n<style>a:hover { color: #fff; }</style>\n",
    ),
    (
        "css",
        "a:hover::before, .x > #y { color: #ff0000; margin: 0 auto !important; width: calc(100% - 2px); }\n@media (max-width: 800px) { body { font: 12px/1.5 sans-serif; } }\n",
    ),
    (
        "dockerfile",
        "FROM python:3.12-slim\nRUN pip install --no-cache-dir -r requirements.txt\nCMD [\"python\", \"app.py\"]\n",
    ),
    (
        "diff",
        "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n-old line\n+new line\n context\n",
    ),
    (
        "rust",
        "fn main() -> Result<(), Box<dyn Error>> {\n    let x: u8 = 1; // why\n    println!(\"{x}\");\n    Ok(())\n}\n",
    ),
    (
        "markdown",
        "# Title\n\nSome *emphasis*, **bold**, `code` and a [link](x.md).\n\n- item\n",
    ),
];

/// Every character's colour, weight, style, background and decoration, per block.
const CHARACTER_STYLES: &str = r#"(() => [...document.querySelectorAll('pre code')].map(code => {
  const chars = [];
  const walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
  for (let node; (node = walker.nextNode()); ) {
    const own = getComputedStyle(node.parentElement);
    let background = 'rgba(0, 0, 0, 0)', decoration = [];
    for (let e = node.parentElement; e !== code.parentElement; e = e.parentElement) {
      const style = getComputedStyle(e);
      if (background === 'rgba(0, 0, 0, 0)') background = style.backgroundColor;
      if (style.textDecorationLine !== 'none') decoration.push(style.textDecorationLine);
    }
    const style = [own.color, own.fontWeight, own.fontStyle, background, decoration].join(' ');
    for (const ch of node.data) if (ch !== '\n') chars.push(ch + ' ' + style);
  }
  return chars;
}))()"#;

#[test]
fn short_highlighting_classes_colour_every_character_as_full_scope_classes_did() {
    use handbook::transform::code::Lang;
    use handbook::transform::highlight::{self, Highlighter};
    use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
    let Some(mut browser) = Browser::launch() else {
        return;
    };
    // What the highlighter wrote before: a span per scope, every atom a class.
    let full = ClassStyle::SpacedPrefixed { prefix: "hl-" };
    let themes = syntect::highlighting::ThemeSet::load_defaults().themes;
    let full_css = format!(
        "{}\n[data-theme=\"dark\"] {{\n{}\n}}\n",
        css_for_theme_with_class_style(&themes["InspiredGitHub"], full).unwrap(),
        css_for_theme_with_class_style(&themes["base16-ocean.dark"], full).unwrap()
    );
    let syntaxes = highlight::syntax_set();
    let full_block = |lang: &str, code: &str| {
        let grammar = syntaxes.find_syntax_by_token(lang).unwrap();
        let mut html = ClassedHTMLGenerator::new_with_class_style(grammar, syntaxes, full);
        for line in syntect::util::LinesWithEndings::from(code) {
            html.parse_html_for_line_which_includes_newline(line)
                .unwrap();
        }
        html.finalize()
    };
    let highlighter = Highlighter::new();
    let short_block =
        |lang: &str, code: &str| highlighter.highlight(&Lang::from_name(lang), code).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let page = |name: &str, css: &str, block: &dyn Fn(&str, &str) -> String| {
        let blocks: String = HIGHLIGHT_SAMPLES
            .iter()
            .map(|(lang, code)| format!("<pre><code>{}</code></pre>\n", block(lang, code)))
            .collect();
        let path = dir.path().join(name);
        std::fs::write(
            &path,
            format!("<!DOCTYPE html><style>{css}</style>{blocks}"),
        )
        .unwrap();
        format!("file://{}", path.display())
    };
    let before = page("full.html", &full_css, &full_block);
    let now = page("short.html", &highlight::theme_css(), &short_block);
    for theme in ["light", "dark"] {
        let mut styles = |url: &str| {
            browser.goto(url);
            browser.eval(&format!(
                "document.documentElement.dataset.theme = '{theme}'"
            ));
            browser.eval(CHARACTER_STYLES)
        };
        let (before, now) = (styles(&before), styles(&now));
        for (((lang, _), before), now) in HIGHLIGHT_SAMPLES
            .iter()
            .zip(before.as_array().unwrap())
            .zip(now.as_array().unwrap())
        {
            let (before, now) = (before.as_array().unwrap(), now.as_array().unwrap());
            assert_eq!(before.len(), now.len(), "{lang}: the same text");
            let styled = before
                .iter()
                .filter(|c| !c.as_str().unwrap().contains("rgb(0, 0, 0) 400"))
                .count();
            assert!(styled > 0, "{lang} ({theme}) has colours: {before:?}");
            if let Some((b, n)) = before.iter().zip(now).find(|(b, n)| b != n) {
                panic!("{lang} ({theme}): `{b}` before, `{n}` now");
            }
        }
    }
}
