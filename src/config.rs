//! `book.toml`: read once into raw serde types, then resolved into a
//! validated [`Config`] that the rest of the build uses.
//!
//! Keys follow mdBook's names where mdBook has the same setting, so an
//! mdBook user is at home. An unknown key is a warning that names it; a
//! value of the wrong type is an error at `book.toml:line:col`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use lightningcss::targets::Browsers;
use serde::Deserialize;

use crate::diagnostics::{Diagnostic, LineIndex, Location, Severity, closest};

/// The validated configuration of one book.
#[derive(Debug, Clone)]
pub struct Config {
    /// The folder holding `book.toml`.
    pub root: PathBuf,
    /// Book metadata (`[book]`).
    pub book: BookMeta,
    /// Where chapters live (absolute).
    pub src_dir: PathBuf,
    /// Where the site is written (absolute).
    pub build_dir: PathBuf,
    /// `[build] cache-dir`: where builds keep what the next build can reuse (absolute;
    /// see [`crate::cache`]).
    pub cache_dir: PathBuf,
    /// HTML output settings (`[output.html]`).
    pub html: HtmlConfig,
    /// Settings for `handbook test` (`[test]`).
    pub test: TestConfig,
    /// `[build] extra-watch-dirs`: more folders `serve` watches (absolute).
    pub extra_watch_dirs: Vec<PathBuf>,
    /// `[preprocessor.NAME]` tables, in the order they run.
    pub preprocessors: Vec<Preprocessor>,
    /// The settings mdBook itself knows, as JSON: what a preprocessor is given as
    /// `config` (mdBook's own types reject keys they do not know, such as `[test]`).
    pub mdbook_json: serde_json::Value,
}

/// A `[preprocessor.NAME]` table: an external program that rewrites the book before
/// it is transformed, run with mdBook's protocol (see [`crate::preprocess`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preprocessor {
    /// Its name (the table's key).
    pub name: String,
    /// The command line (`command`, or `mdbook-NAME`), run by a shell in the book's root.
    pub command: String,
    /// Renderers it runs for (`renderers`); `None` asks the program (`supports html`).
    pub renderers: Option<Vec<String>>,
    /// `optional = true`: a missing program is a warning, not an error.
    pub optional: bool,
}

/// `[book]`: what the book is.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct BookMeta {
    /// Shown in the header and every page title.
    pub title: Option<String>,
    /// The authors, for meta tags.
    pub authors: Vec<String>,
    /// One line describing the book (meta description, Open Graph).
    pub description: Option<String>,
    /// The `lang` of the HTML pages.
    pub language: Option<String>,
}

/// `[output.html]`: how the site looks and where it is published.
#[derive(Debug, Clone)]
pub struct HtmlConfig {
    /// A folder whose files override the default theme's, file by file.
    pub theme_dir: Option<PathBuf>,
    /// `light`, `dark` or `system` (the default): the theme before the reader chooses.
    pub default_theme: ThemeChoice,
    /// The published URL, with a trailing slash. Enables sitemap, canonical links, robots.txt.
    pub site_url: Option<String>,
    /// e.g. `https://github.com/org/repo/edit/main/content/{path}`.
    pub edit_url_template: Option<String>,
    /// Link to the repository in the header.
    pub git_repository_url: Option<String>,
    /// Browsers the CSS must work in, from e.g. `["chrome 100", "firefox 100", "safari 15"]`.
    pub browser_targets: Browsers,
    /// Whether to write `print.html`.
    pub print: bool,
    /// `allow-active-content = true`: raw `<script>`, `on…=` attributes and `javascript:`
    /// or `data:` URLs in chapters are published; by default they are build errors, so an
    /// untrusted pull request cannot run script in readers' browsers.
    pub allow_active_content: bool,
    /// `broken-links`: how a link to a file or anchor missing from the book is reported
    /// (an error by default; `"warn"` for a first migration).
    pub broken_links: Severity,
    /// `smart-punctuation` (or mdBook's older `curly-quotes`): “curly” quotes, dashes, ellipses.
    pub smart_punctuation: bool,
    /// `definition-lists`: `Term` / `: definition` syntax.
    pub definition_lists: bool,
    /// `additional-css`: stylesheets (relative to the book's root) linked after the theme's.
    pub additional_css: Vec<String>,
    /// `additional-js`: scripts (relative to the book's root) loaded at the end of each page.
    pub additional_js: Vec<String>,
    /// `redirect`: old site path (`/old/page.html`) → where it moved (relative to the old page, or a URL).
    pub redirect: BTreeMap<String, String>,
    /// `cname`: written to a `CNAME` file for GitHub Pages.
    pub cname: Option<String>,
    /// `site-url` given as a path (`/mdBook/`): where the site is served, for `404.html`'s links.
    pub site_path: Option<String>,
    /// `[output.html.code.hidelines]`: per language, the prefix of lines hidden from readers.
    pub hidelines: BTreeMap<String, String>,
    /// `[output.html.search]`.
    pub search: SearchConfig,
    /// `[output.html.playground]`: the Run buttons.
    pub playground: PlaygroundConfig,
    /// `input-404`: the Markdown file (relative to the source folder) whose text is the
    /// 404 page's; mdBook's default is `404.md`.
    pub input_404: String,
    /// Whether `input-404` was given (a missing file is then worth a warning).
    pub input_404_set: bool,
    /// `[output.html.fold]` with `enable = true`: its `level`. Sidebar sections at that
    /// depth or deeper (0 = top level) start folded; `None` shows every chapter.
    pub fold: Option<usize>,
}

/// `[output.html.playground]` (mdBook's table and key names): Python examples that
/// `handbook test` verified in the browser runtime get a Run button.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct PlaygroundConfig {
    /// Run buttons on verified Python examples, and their verification by `handbook test`
    /// (default `true`).
    pub runnable: bool,
    /// Whether readers can edit an example before running it (default `true`).
    pub editable: bool,
}

impl Default for PlaygroundConfig {
    fn default() -> Self {
        PlaygroundConfig {
            runnable: true,
            editable: true,
        }
    }
}

/// `[output.html.search]`: what the search box offers.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchConfig {
    /// `enable = false`: no search box and no index.
    pub enable: bool,
    /// `limit-results`: the most results shown (default 10).
    pub limit_results: usize,
    /// `heading-split-level`: headings deeper than this do not start a new search
    /// section (default 6: every heading does).
    pub heading_split_level: u8,
    /// Chapters and folders (`[output.html.search.chapter."dir"] enable = false`) left out of the index.
    pub excluded: Vec<String>,
    /// Every path a `[output.html.search.chapter."PATH"]` table names, so one naming no
    /// chapter can be reported once the chapters are known.
    pub named: Vec<String>,
    /// How the index ranks: mdBook's `boost-hierarchy`, `boost-title` and `boost-paragraph`
    /// weigh our page title, section heading and text (mdBook's hierarchy is the page's
    /// breadcrumbs, its title the section's heading); `use-boolean-and` requires every
    /// word; `expand = false` matches the word being typed only as a whole word.
    pub ranking: search_index::Options,
}

impl SearchConfig {
    /// Whether the chapter at `source_path` is indexed.
    pub fn indexes(&self, source_path: &str) -> bool {
        !self
            .excluded
            .iter()
            .any(|prefix| covers(prefix, source_path))
    }

    /// Warnings for `[output.html.search.chapter."PATH"]` tables that name neither a
    /// chapter nor a folder of chapters (of `chapters`, source paths), with the closest one.
    pub fn unknown_chapters<'a>(
        &self,
        chapters: impl Iterator<Item = &'a str> + Clone,
    ) -> Vec<Diagnostic> {
        self.named
            .iter()
            .filter(|named| !chapters.clone().any(|c| covers(named, c)))
            .map(|named| {
                let folders = chapters
                    .clone()
                    .filter_map(|c| c.rsplit_once('/').map(|(dir, _)| dir));
                let hint = closest(named, chapters.clone().chain(folders))
                    .map(|c| format!("; did you mean `{c}`?"))
                    .unwrap_or_default();
                Diagnostic::warning(
                    Location::file("book.toml"),
                    format!("`output.html.search.chapter.\"{named}\"` names no chapter or folder of chapters, so it does nothing{hint}"),
                )
            })
            .collect()
    }
}

/// Whether a search chapter key (`guide/` or `guide/install.md`) covers the chapter at
/// `source_path`.
fn covers(prefix: &str, source_path: &str) -> bool {
    source_path == prefix
        || source_path
            .strip_prefix(prefix.trim_end_matches('/'))
            .is_some_and(|rest| rest.starts_with('/'))
}

/// The colour theme a reader sees before choosing one. mdBook's theme names are
/// accepted too: `rust` is light, `coal`, `navy` and `ayu` are dark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ThemeChoice {
    /// Light colours.
    #[serde(alias = "rust")]
    Light,
    /// Dark colours.
    #[serde(alias = "coal", alias = "navy", alias = "ayu")]
    Dark,
    /// Follow the operating system.
    System,
}

/// `[test]`: how `handbook test` runs the examples.
#[derive(Debug, Clone)]
pub struct TestConfig {
    /// The Python interpreter (default `python3`).
    pub python: String,
    /// How long an example may run unless it sets `timeout=` (default 10 s; at least 1 s).
    pub timeout: Duration,
    /// Pinned packages for examples that declare `requires=` (absolute; by default
    /// `requirements.txt` in the book's `src`).
    pub requirements: PathBuf,
    /// Whether `book.toml` has a `[test]` table: the book is written for `handbook test`,
    /// so a `console` block that would not run (no `$ ` command) is worth a warning. An
    /// mdBook book uses `console` for plain listings too; there it is just shown.
    pub declared: bool,
}

#[derive(Debug, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
struct RawTest {
    python: String,
    timeout: u64,
    requirements: PathBuf,
}

impl Default for RawTest {
    fn default() -> Self {
        RawTest {
            python: "python3".into(),
            timeout: 10,
            requirements: "requirements.txt".into(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawConfig {
    book: RawBook,
    build: RawBuild,
    output: RawOutput,
    test: Option<RawTest>,
    preprocessor: BTreeMap<String, RawPreprocessor>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawPreprocessor {
    command: Option<String>,
    before: Vec<String>,
    after: Vec<String>,
    renderers: Option<Vec<String>>,
    optional: bool,
    /// The preprocessor's own settings: it reads them from the context.
    #[serde(flatten)]
    _own: BTreeMap<String, toml::Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawBook {
    title: Option<String>,
    authors: Vec<String>,
    description: Option<String>,
    language: Option<String>,
    src: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
struct RawBuild {
    build_dir: Option<PathBuf>,
    cache_dir: Option<PathBuf>,
    extra_watch_dirs: Vec<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawOutput {
    html: RawHtml,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
struct RawSearch {
    enable: Option<bool>,
    limit_results: Option<usize>,
    heading_split_level: Option<u8>,
    boost_hierarchy: Option<RawBoost>,
    boost_title: Option<RawBoost>,
    boost_paragraph: Option<RawBoost>,
    use_boolean_and: Option<bool>,
    expand: Option<bool>,
    chapter: BTreeMap<String, RawSearchChapter>,
}

/// A search boost (`boost-title = 2` or `1.5`): a finite number, not negative.
#[derive(Debug, Clone, Copy)]
struct RawBoost(f32);

impl<'de> Deserialize<'de> for RawBoost {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = RawBoost;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a number of at least 0, such as 2 or 1.5")
            }
            fn visit_f64<E: serde::de::Error>(self, value: f64) -> Result<RawBoost, E> {
                let boost = value as f32;
                match boost.is_finite() && boost >= 0.0 {
                    true => Ok(RawBoost(boost)),
                    false => Err(E::invalid_value(serde::de::Unexpected::Float(value), &self)),
                }
            }
            fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<RawBoost, E> {
                self.visit_f64(value as f64)
            }
            fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<RawBoost, E> {
                self.visit_f64(value as f64)
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawSearchChapter {
    enable: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawCode {
    hidelines: BTreeMap<String, String>,
}

/// `broken-links = "error" | "warn"`.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
enum RawBrokenLinks {
    Error,
    Warn,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
struct RawHtml {
    theme: Option<PathBuf>,
    default_theme: Option<ThemeChoice>,
    site_url: Option<String>,
    edit_url_template: Option<String>,
    git_repository_url: Option<String>,
    browser_targets: Option<Vec<String>>,
    print: RawPrint,
    allow_active_content: bool,
    broken_links: Option<RawBrokenLinks>,
    smart_punctuation: Option<bool>,
    curly_quotes: Option<bool>,
    definition_lists: Option<bool>,
    additional_css: Vec<String>,
    additional_js: Vec<String>,
    redirect: BTreeMap<String, String>,
    cname: Option<String>,
    code: RawCode,
    search: RawSearch,
    playground: PlaygroundConfig,
    fold: RawFold,
    input_404: Option<String>,
}

/// `[output.html.fold]`, mdBook's keys.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawFold {
    enable: bool,
    level: usize,
}

#[derive(Debug, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
struct RawPrint {
    enable: bool,
    /// mdBook's page breaks between chapters in print: ours always break.
    page_break: bool,
}

impl Default for RawPrint {
    fn default() -> Self {
        RawPrint {
            enable: true,
            page_break: true,
        }
    }
}

/// Browsers the CSS is lowered for when `browser-targets` is not set.
const DEFAULT_TARGETS: &[&str] = &["chrome 100", "firefox 100", "safari 15"];

/// The outcome of reading `book.toml`: the config, plus warnings to show.
#[derive(Debug)]
pub struct Loaded {
    /// The resolved configuration.
    pub config: Config,
    /// Unknown keys and similar non-fatal findings.
    pub warnings: Vec<Diagnostic>,
}

/// Reads `ROOT/book.toml` (a missing file means all defaults).
pub fn load(root: &Path) -> Result<Loaded, Diagnostic> {
    if !root.is_dir() {
        return Err(Diagnostic::error(
            Location::file(root),
            "no such folder: give the folder that holds the book's book.toml",
        ));
    }
    let path = root.join("book.toml");
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => {
            return Err(Diagnostic::error(
                Location::file(&path),
                format!("cannot read: {e}"),
            ));
        }
    };
    parse(root, &text)
}

/// Parses `book.toml` text for a book rooted at `root`.
pub fn parse(root: &Path, text: &str) -> Result<Loaded, Diagnostic> {
    let file = Path::new("book.toml");
    let index = LineIndex::new(text);
    let at = |span: Option<std::ops::Range<usize>>| match span {
        Some(span) => index.locate(file, text, span.start),
        None => Location::file(file),
    };
    let toml_error = |e: toml::de::Error| {
        Diagnostic::error(
            at(e.span()),
            format!("{} (fix the value in book.toml)", e.message().trim()),
        )
    };
    let deserializer = toml::de::Deserializer::parse(text).map_err(toml_error)?;
    let mut unknown = Vec::new();
    let raw: RawConfig =
        serde_ignored::deserialize(deserializer, |path| unknown.push(path.to_string()))
            .map_err(toml_error)?;
    let mut warnings: Vec<Diagnostic> = unknown
        .into_iter()
        .map(|key| match mdbook_only(&key) {
            Some(note) => Diagnostic::note(Location::file(file), format!("`{key}`: {note}")),
            None => Diagnostic::warning(
                Location::file(file),
                format!("unknown key `{key}` is ignored"),
            ),
        })
        .collect();
    let value: toml::Table = toml::from_str(text).map_err(toml_error)?;
    let mut config = resolve(root, raw, &mut warnings)?;
    config.mdbook_json = mdbook_settings(value);
    Ok(Loaded { config, warnings })
}

/// The index's ranking options from `[output.html.search]`: a key not given keeps its default.
fn ranking(search: &RawSearch) -> search_index::Options {
    let defaults = search_index::Options::default();
    let [title, heading, body] = defaults.boosts;
    let boost = |key: Option<RawBoost>, default: f32| key.map_or(default, |b| b.0);
    search_index::Options {
        boosts: [
            boost(search.boost_hierarchy, title),
            boost(search.boost_title, heading),
            boost(search.boost_paragraph, body),
        ],
        all_terms: search.use_boolean_and.unwrap_or(defaults.all_terms),
        prefixes: search.expand.unwrap_or(defaults.prefixes),
    }
}

/// mdBook's settings that have no effect here, with what they do in mdBook and what
/// happens instead (keys by prefix: a table covers its keys).
const MDBOOK_ONLY: &[(&str, &str)] = &[
    (
        "output.html.mathjax-support",
        "mdBook loads MathJax from a CDN to typeset \\( \\) maths; the site loads nothing from outside itself, so maths is shown as written",
    ),
    (
        "output.html.playground",
        "mdBook's Rust playground setting; here Rust code is shown, not run (Run buttons are for verified Python examples: `runnable`, `editable`)",
    ),
    (
        "output.html.hash-files",
        "mdBook adds content hashes to asset names; handbook always does",
    ),
    (
        "output.html.preferred-dark-theme",
        "mdBook picks one of its dark themes; handbook has one dark palette",
    ),
    (
        "output.html.git-repository-icon",
        "mdBook's icon for the repository link; handbook's header says `Source`",
    ),
    (
        "output.html.live-reload-endpoint",
        "mdBook's live-reload socket; `handbook serve` reloads pages by itself",
    ),
    (
        "output.html.no-section-label",
        "mdBook hides chapter numbers; handbook shows them",
    ),
    (
        "output.html.sidebar-header-nav",
        "mdBook lists the page's headings in the sidebar; handbook lists them beside the page",
    ),
    (
        "output.html.admonitions",
        "mdBook's `> [!NOTE]` admonitions; handbook always renders them",
    ),
    (
        "output.html.copy-fonts",
        "mdBook copies its fonts; handbook's theme carries its own",
    ),
    (
        "output.html.search.teaser-word-count",
        "mdBook's snippet length; handbook's snippets fit the matched words",
    ),
    (
        "output.html.search.copy-js",
        "mdBook's search script; handbook's is always part of the site",
    ),
    (
        "output.html.print.page-break",
        "handbook's print.html always starts each chapter on a new page",
    ),
    (
        "output.",
        "mdBook would also run this renderer; handbook builds the HTML site only",
    ),
    (
        "rust",
        "mdBook tests and runs Rust examples with this edition; handbook runs Python examples only (`handbook test`)",
    ),
    (
        "build.create-missing",
        "mdBook creates chapter files missing from SUMMARY.md; handbook reports each as an error, so no page is published empty",
    ),
    (
        "build.use-default-preprocessors",
        "handbook always expands `{{#include}}` and checks links, after any preprocessors",
    ),
    (
        "book.text-direction",
        "mdBook sets the pages' writing direction; handbook's theme is left-to-right",
    ),
    ("book.multilingual", "mdBook ignores it too"),
];

/// What a key mdBook knows, that has no effect here, does in mdBook.
fn mdbook_only(key: &str) -> Option<&'static str> {
    MDBOOK_ONLY
        .iter()
        .find(|(prefix, _)| {
            key.strip_prefix(prefix).is_some_and(|rest| {
                rest.is_empty() || rest.starts_with('.') || prefix.ends_with(['-', '.'])
            })
        })
        .map(|(_, note)| *note)
}

/// The parts of `book.toml` that mdBook's own configuration types accept, as JSON: the
/// `config` a preprocessor is given. `[test]` and handbook's own `[book]` keys would make
/// mdBook's parser (which rejects unknown keys) fail.
fn mdbook_settings(mut table: toml::Table) -> serde_json::Value {
    const BOOK: &[&str] = &[
        "title",
        "authors",
        "description",
        "src",
        "language",
        "text-direction",
    ];
    table.retain(|key, _| ["book", "build", "rust", "output", "preprocessor"].contains(&key));
    if let Some(toml::Value::Table(book)) = table.get_mut("book") {
        book.retain(|key, _| BOOK.contains(&key));
    }
    serde_json::to_value(table).unwrap_or_default()
}

fn resolve(
    root: &Path,
    raw: RawConfig,
    warnings: &mut Vec<Diagnostic>,
) -> Result<Config, Diagnostic> {
    let file = Location::file("book.toml");
    let root = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
    let browser_targets = browsers(raw.output.html.browser_targets.as_deref(), &file)?;
    let html = raw.output.html;
    let site_url = html.site_url.map(|url| {
        if url.ends_with('/') {
            url
        } else {
            format!("{url}/")
        }
    });
    // mdBook books often give only the path the site is served under (`/mdBook/`).
    let (site_url, site_path) = match site_url {
        Some(path) if path.starts_with('/') => (None, Some(path)),
        Some(url) if !(url.starts_with("https://") || url.starts_with("http://")) => {
            warnings.push(Diagnostic::warning(
                file.clone(),
                format!("`output.html.site-url` = `{url}` is neither an absolute http(s) URL nor a path such as `/book/`"),
            ));
            (Some(url), None)
        }
        other => (other, None),
    };
    let search = SearchConfig {
        ranking: ranking(&html.search),
        enable: html.search.enable.unwrap_or(true),
        limit_results: html.search.limit_results.unwrap_or(10).max(1),
        heading_split_level: html.search.heading_split_level.unwrap_or(6),
        excluded: html
            .search
            .chapter
            .iter()
            .filter(|(_, c)| c.enable == Some(false))
            .map(|(path, _)| path.clone())
            .collect(),
        named: html.search.chapter.into_keys().collect(),
    };
    let preprocessors = order_preprocessors(raw.preprocessor, warnings);
    let files = html.additional_css.iter().chain(&html.additional_js);
    for path in files.chain(html.redirect.keys()) {
        let inside = Path::new(path.trim_start_matches('/'))
            .components()
            .all(|c| {
                matches!(
                    c,
                    std::path::Component::Normal(_) | std::path::Component::CurDir
                )
            });
        if !inside || path.trim_start_matches('/').is_empty() {
            return Err(Diagnostic::error(
                file.clone(),
                format!(
                    "`{path}` in [output.html] leaves the book's folder; give a path inside it, relative to book.toml"
                ),
            ));
        }
    }
    let src_dir = root.join(raw.book.src.unwrap_or_else(|| "src".into()));
    let test = test_config(raw.test, &src_dir, &file)?;
    Ok(Config {
        src_dir,
        build_dir: root.join(raw.build.build_dir.unwrap_or_else(|| "book".into())),
        cache_dir: root.join(
            raw.build
                .cache_dir
                .unwrap_or_else(|| "target/handbook-cache".into()),
        ),
        html: HtmlConfig {
            theme_dir: html.theme.map(|t| root.join(t)),
            default_theme: html.default_theme.unwrap_or(ThemeChoice::System),
            site_url,
            edit_url_template: html.edit_url_template,
            git_repository_url: html.git_repository_url,
            browser_targets,
            print: html.print.enable,
            allow_active_content: html.allow_active_content,
            broken_links: match html.broken_links {
                Some(RawBrokenLinks::Warn) => Severity::Warning,
                Some(RawBrokenLinks::Error) | None => Severity::Error,
            },
            smart_punctuation: html.smart_punctuation.or(html.curly_quotes).unwrap_or(true),
            definition_lists: html.definition_lists.unwrap_or(true),
            additional_css: html.additional_css,
            additional_js: html.additional_js,
            redirect: html.redirect,
            cname: html.cname,
            site_path,
            hidelines: html.code.hidelines,
            search,
            playground: html.playground,
            fold: html.fold.enable.then_some(html.fold.level),
            input_404_set: html.input_404.is_some(),
            input_404: html.input_404.unwrap_or_else(|| "404.md".into()),
        },
        book: BookMeta {
            title: raw.book.title,
            authors: raw.book.authors,
            description: raw.book.description,
            language: raw.book.language,
        },
        test,
        extra_watch_dirs: raw
            .build
            .extra_watch_dirs
            .iter()
            .map(|dir| root.join(dir))
            .collect(),
        preprocessors,
        mdbook_json: serde_json::Value::Null,
        root,
    })
}

/// The preprocessors in the order they run: by name, then moved so each runs after the
/// ones in its `after` and before the ones in its `before` (mdBook's rule). Names of
/// mdBook's built-in `links` and `index` are ignored: here they always run after every
/// preprocessor. A cycle is broken at its first name, with a warning.
fn order_preprocessors(
    raw: BTreeMap<String, RawPreprocessor>,
    warnings: &mut Vec<Diagnostic>,
) -> Vec<Preprocessor> {
    let names: Vec<&String> = raw.keys().collect();
    // For each preprocessor, the ones that must run before it.
    let mut needs: BTreeMap<&str, Vec<&str>> =
        names.iter().map(|n| (n.as_str(), Vec::new())).collect();
    for (name, p) in &raw {
        for after in p.after.iter().filter(|a| raw.contains_key(*a)) {
            needs
                .get_mut(name.as_str())
                .expect("every name")
                .push(after);
        }
        for before in p.before.iter().filter(|b| raw.contains_key(*b)) {
            needs
                .get_mut(before.as_str())
                .expect("every name")
                .push(name);
        }
    }
    let mut order: Vec<&str> = Vec::new();
    while order.len() < names.len() {
        let ready = needs
            .iter()
            .find(|(n, deps)| !order.contains(n) && deps.iter().all(|d| order.contains(d)))
            .map(|(n, _)| *n);
        let next = ready.unwrap_or_else(|| {
            let stuck = *needs.keys().find(|n| !order.contains(n)).expect("one is left");
            warnings.push(Diagnostic::warning(
                Location::file("book.toml"),
                format!("`preprocessor.{stuck}`: its `before` and `after` make a cycle; it runs first of the cycle"),
            ));
            stuck
        });
        order.push(next);
    }
    order
        .into_iter()
        .map(|name| {
            let p = &raw[name];
            Preprocessor {
                name: name.to_string(),
                command: p
                    .command
                    .clone()
                    .unwrap_or_else(|| format!("mdbook-{name}")),
                renderers: p.renderers.clone(),
                optional: p.optional,
            }
        })
        .collect()
}

/// `[test]` checked: an interpreter named, a timeout an example can finish in.
fn test_config(
    raw: Option<RawTest>,
    src_dir: &Path,
    file: &Location,
) -> Result<TestConfig, Diagnostic> {
    let declared = raw.is_some();
    let raw = raw.unwrap_or_default();
    if raw.python.trim().is_empty() {
        return Err(Diagnostic::error(
            file.clone(),
            "`test.python` is empty: name an interpreter, e.g. \"python3.12\"",
        ));
    }
    if raw.timeout == 0 {
        return Err(Diagnostic::error(
            file.clone(),
            "`test.timeout = 0` would stop every example at once: give the seconds an example may run, e.g. 10",
        ));
    }
    Ok(TestConfig {
        python: raw.python,
        timeout: Duration::from_secs(raw.timeout),
        requirements: src_dir.join(raw.requirements),
        declared,
    })
}

/// The browsers lightningcss knows, by the name `browser-targets` uses for each.
const BROWSERS: &[(&str, fn(&mut Browsers) -> &mut Option<u32>)] = &[
    ("android", |b| &mut b.android),
    ("chrome", |b| &mut b.chrome),
    ("edge", |b| &mut b.edge),
    ("firefox", |b| &mut b.firefox),
    ("ie", |b| &mut b.ie),
    ("ios_saf", |b| &mut b.ios_saf),
    ("opera", |b| &mut b.opera),
    ("safari", |b| &mut b.safari),
    ("samsung", |b| &mut b.samsung),
];

/// `browser-targets` (or the default list) as lightningcss's targets.
fn browsers(targets: Option<&[String]>, file: &Location) -> Result<Browsers, Diagnostic> {
    let defaults: Vec<String> = DEFAULT_TARGETS.iter().map(|s| s.to_string()).collect();
    let mut out = Browsers::default();
    for target in targets.unwrap_or(&defaults) {
        let (slot, major) = parse_target(target).ok_or_else(|| {
            let names: Vec<&str> = BROWSERS.iter().map(|(name, _)| *name).collect();
            Diagnostic::error(
                file.clone(),
                format!("`output.html.browser-targets`: cannot read `{target}`; write a browser and major version such as \"firefox 115\" (browsers: {})", names.join(", ")),
            )
        })?;
        *slot(&mut out) = Some(major << 16);
    }
    Ok(out)
}

/// Parses `"firefox 115"` into the field of [`Browsers`] for firefox and 115.
fn parse_target(target: &str) -> Option<(fn(&mut Browsers) -> &mut Option<u32>, u32)> {
    let (name, version) = target.trim().split_once(' ')?;
    let name = name.to_ascii_lowercase();
    let major = version.trim().split('.').next()?.parse().ok()?;
    let (_, slot) = BROWSERS.iter().find(|(known, _)| *known == name)?;
    Some((*slot, major))
}

impl Config {
    /// The book's title, or "Untitled book".
    pub fn title(&self) -> &str {
        self.book.title.as_deref().unwrap_or("Untitled book")
    }

    /// The `lang` attribute of the pages.
    pub fn language(&self) -> &str {
        self.book.language.as_deref().unwrap_or("en")
    }

    /// `path` shown relative to the book's root, for messages.
    pub fn display_path(&self, path: &Path) -> PathBuf {
        // An included file may sit beside the source folder (`src/../listings/x.rs`).
        let path = crate::paths::normalize(path);
        path.strip_prefix(&self.root)
            .map(Path::to_path_buf)
            .unwrap_or(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_mdbook_keys() {
        let loaded = parse(
            Path::new("/b"),
            "[book]\ntitle = \"T\"\nsrc = \"content\"\n[build]\nbuild-dir = \"out\"\n[output.html]\nsite-url = \"https://x.org/h\"\n",
        )
        .unwrap();
        let c = loaded.config;
        assert_eq!(c.title(), "T");
        assert_eq!(c.src_dir, Path::new("/b/content"));
        assert_eq!(c.build_dir, Path::new("/b/out"));
        assert_eq!(c.html.site_url.as_deref(), Some("https://x.org/h/"));
        assert!(loaded.warnings.is_empty());
    }

    #[test]
    fn unknown_key_is_a_warning_naming_it() {
        let loaded = parse(
            Path::new("/b"),
            "[book]\ntitle = \"T\"\n[output.html]\nfancy = 1\n",
        )
        .unwrap();
        assert_eq!(loaded.warnings.len(), 1);
        assert!(
            loaded.warnings[0].message.contains("output.html.fancy"),
            "{}",
            loaded.warnings[0]
        );
    }

    #[test]
    fn search_boosts_and_use_boolean_and_shape_the_ranking() {
        let text = "[output.html.search]\nboost-title = 5\nboost-hierarchy = 1\nboost-paragraph = 0.5\nuse-boolean-and = true\nexpand = false\n";
        let loaded = parse(Path::new("/b"), text).unwrap();
        let ranking = loaded.config.html.search.ranking;
        // mdBook's title is the section's heading, its hierarchy the page's title.
        assert_eq!(ranking.boosts, [1.0, 5.0, 0.5]);
        assert!(ranking.all_terms);
        assert!(!ranking.prefixes);
        assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
        // A key left out keeps its default.
        let loaded = parse(Path::new("/b"), "[output.html.search]\nboost-title = 4\n").unwrap();
        let defaults = search_index::Options::default();
        let ranking = loaded.config.html.search.ranking;
        assert_eq!(
            ranking.boosts,
            [defaults.boosts[0], 4.0, defaults.boosts[2]]
        );
        assert_eq!(ranking.all_terms, defaults.all_terms);
    }

    #[test]
    fn a_negative_search_boost_is_an_error_at_its_line() {
        let err = parse(
            Path::new("/b"),
            "[output.html.search]\nenable = true\nboost-paragraph = -1\n",
        )
        .unwrap_err();
        let at = err.location.as_ref().unwrap();
        assert_eq!(at.line, 3, "{err}");
        assert!(err.to_string().contains("at least 0"), "{err}");
    }

    #[test]
    fn wrong_type_is_an_error_with_line_and_column() {
        let err = parse(Path::new("/b"), "[book]\ntitle = \"T\"\nauthors = 3\n").unwrap_err();
        let at = err.location.as_ref().unwrap();
        assert_eq!((at.line, at.col), (3, 11), "{err}");
        assert!(err.is_error());
    }

    #[test]
    fn playground_keys_are_mdbooks_and_default_on() {
        let on = parse(Path::new("/b"), "[book]\n").unwrap().config;
        assert!(on.html.playground.runnable && on.html.playground.editable);
        let loaded = parse(
            Path::new("/b"),
            "[output.html.playground]\nrunnable = false\neditable = false\n",
        )
        .unwrap();
        assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
        let off = loaded.config.html.playground;
        assert!(!off.runnable && !off.editable);
    }

    #[test]
    fn bad_browser_target_is_an_error() {
        let err = parse(
            Path::new("/b"),
            "[output.html]\nbrowser-targets = [\"netscape 4\"]\n",
        )
        .unwrap_err();
        assert!(err.message.contains("netscape 4"));
    }

    #[test]
    fn browser_targets_become_lightningcss_versions() {
        let config = parse(
            Path::new("/b"),
            "[output.html]\nbrowser-targets = [\"Firefox 115.2\", \"safari 16\"]\n",
        )
        .unwrap()
        .config;
        let targets = config.html.browser_targets;
        assert_eq!(targets.firefox, Some(115 << 16));
        assert_eq!(targets.safari, Some(16 << 16));
        assert_eq!(targets.chrome, None);
    }

    #[test]
    fn test_timeout_zero_is_an_error() {
        let err = parse(Path::new("/b"), "[test]\ntimeout = 0\n").unwrap_err();
        assert!(err.message.contains("`test.timeout = 0`"), "{err}");
        let config = parse(Path::new("/b"), "[test]\ntimeout = 3\n")
            .unwrap()
            .config;
        assert_eq!(config.test.timeout, Duration::from_secs(3));
        assert_eq!(
            config.test.requirements,
            Path::new("/b/src/requirements.txt")
        );
    }
}
