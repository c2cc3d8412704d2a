//! `book.toml`: read once into raw serde types, then resolved into a
//! validated [`Config`] that the rest of the build uses.
//!
//! Keys follow mdBook's names where mdBook has the same setting, so an
//! mdBook user is at home. An unknown key is a warning that names it; a
//! value of the wrong type is an error at `book.toml:line:col`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use lightningcss::targets::Browsers;
use serde::Deserialize;

use crate::diagnostics::{Diagnostic, LineIndex, Location};

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
    /// HTML output settings (`[output.html]`).
    pub html: HtmlConfig,
    /// Settings for `handbook test` (`[test]`).
    pub test: TestConfig,
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
    /// `[output.html.playground]`: the Run buttons.
    pub playground: PlaygroundConfig,
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

/// The colour theme a reader sees before choosing one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ThemeChoice {
    /// Light colours.
    Light,
    /// Dark colours.
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
    test: RawTest,
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
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawOutput {
    html: RawHtml,
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
    playground: PlaygroundConfig,
}

#[derive(Debug, Deserialize)]
#[serde(default)]
struct RawPrint {
    enable: bool,
}

impl Default for RawPrint {
    fn default() -> Self {
        RawPrint { enable: true }
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
        .map(|key| {
            Diagnostic::warning(
                Location::file(file),
                format!("unknown key `{key}` is ignored"),
            )
        })
        .collect();
    let config = resolve(root, raw, &mut warnings)?;
    Ok(Loaded { config, warnings })
}

fn resolve(
    root: &Path,
    raw: RawConfig,
    warnings: &mut Vec<Diagnostic>,
) -> Result<Config, Diagnostic> {
    let file = Location::file("book.toml");
    let root = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
    let browser_targets = browsers(
        raw.output.html.browser_targets.as_deref(),
        &file,
    )?;
    let site_url = raw.output.html.site_url.map(|url| {
        if url.ends_with('/') {
            url
        } else {
            format!("{url}/")
        }
    });
    if let Some(url) = &site_url
        && !(url.starts_with("https://") || url.starts_with("http://"))
    {
        warnings.push(Diagnostic::warning(
            file.clone(),
            format!("`output.html.site-url` = `{url}` is not an absolute http(s) URL"),
        ));
    }
    let src_dir = root.join(raw.book.src.unwrap_or_else(|| "src".into()));
    let test = test_config(raw.test, &src_dir, &file)?;
    Ok(Config {
        src_dir,
        build_dir: root.join(raw.build.build_dir.unwrap_or_else(|| "book".into())),
        html: HtmlConfig {
            theme_dir: raw.output.html.theme.map(|t| root.join(t)),
            default_theme: raw.output.html.default_theme.unwrap_or(ThemeChoice::System),
            site_url,
            edit_url_template: raw.output.html.edit_url_template,
            git_repository_url: raw.output.html.git_repository_url,
            browser_targets,
            print: raw.output.html.print.enable,
            allow_active_content: raw.output.html.allow_active_content,
            playground: raw.output.html.playground,
        },
        book: BookMeta {
            title: raw.book.title,
            authors: raw.book.authors,
            description: raw.book.description,
            language: raw.book.language,
        },
        test,
        root,
    })
}

/// `[test]` checked: an interpreter named, a timeout an example can finish in.
fn test_config(raw: RawTest, src_dir: &Path, file: &Location) -> Result<TestConfig, Diagnostic> {
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
        path.strip_prefix(&self.root)
            .map(Path::to_path_buf)
            .unwrap_or_else(|_| path.to_path_buf())
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
        let config = parse(Path::new("/b"), "[test]\ntimeout = 3\n").unwrap().config;
        assert_eq!(config.test.timeout, Duration::from_secs(3));
        assert_eq!(config.test.requirements, Path::new("/b/src/requirements.txt"));
    }
}
