//! Links between chapters: rewriting `.md` destinations to the `.html`
//! pages (for the site and for `print.html`), and validating every link,
//! anchor and image against the book, with a suggestion for typos.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use super::Page;
use super::markdown::LinkRef;
use crate::diagnostics::{Diagnostic, LineIndex, Severity, closest};
use crate::model::{Book, output_path_for};

/// What a link destination points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target<'a> {
    /// Another site (`https://…`, `mailto:`…): left alone.
    External,
    /// An anchor on the same page.
    SamePage(&'a str),
    /// A file of the book.
    Local {
        /// Its path relative to the source folder.
        path: String,
        /// The `#fragment`, without `#`.
        fragment: Option<&'a str>,
    },
    /// A relative path that climbs out of the source folder (`../std/index.html`, a book
    /// published beside others): kept as written, and cannot be checked. The path is the
    /// target relative to the source folder, starting with `../`.
    Outside(String),
    /// An absolute path (`/x.html`): where it leads depends on where the site is served.
    Absolute,
}

/// Classifies `dest`, written in the chapter at `from` (relative to the source folder).
pub fn classify<'a>(from: &str, dest: &'a str) -> Target<'a> {
    if let Some(anchor) = dest.strip_prefix('#') {
        return Target::SamePage(anchor);
    }
    if is_external(dest) {
        return Target::External;
    }
    if dest.starts_with('/') {
        return Target::Absolute;
    }
    let (path, fragment) = match dest.split_once('#') {
        Some((path, fragment)) => (path, Some(fragment)),
        None => (dest, None),
    };
    let path = path.split('?').next().unwrap_or(path);
    if path.is_empty() && dest.starts_with('?') {
        // `?q=1` is this page with a query: only its fragment, if any, can be checked.
        return fragment.map_or(Target::External, Target::SamePage);
    }
    let path = join(from, path);
    if path.starts_with("../") {
        Target::Outside(path)
    } else {
        Target::Local { path, fragment }
    }
}

fn is_external(dest: &str) -> bool {
    if dest.starts_with("//") {
        return true;
    }
    match dest.split_once(':') {
        Some((scheme, _)) => {
            !scheme.is_empty()
                && !scheme.contains('/')
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        }
        None => false,
    }
}

/// Resolves `relative` against the folder of `from`: a path relative to the source
/// folder, starting with `../` if it climbs above it. A folder (`dir/`, `.`) ends in `/`.
fn join(from: &str, relative: &str) -> String {
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    let mut above = 0;
    for part in relative.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    above += 1;
                }
            }
            other => parts.push(other),
        }
    }
    let folder = relative.is_empty()
        || relative.ends_with('/')
        || matches!(relative.rsplit('/').next(), Some("." | ".."));
    let mut joined = "../".repeat(above) + &parts.join("/");
    if folder && !parts.is_empty() {
        joined.push('/');
    }
    joined
}

/// The chapters of a book under every name a link may give them: the source path
/// (`guide/README.md`), the page (`guide/index.html`), `guide/index.md` and the
/// folder `guide/` for an index page. mdBook books link both ways.
pub struct Chapters<'a> {
    by_page: HashMap<String, &'a str>,
}

impl<'a> Chapters<'a> {
    /// The names of `sources`, each a chapter's path relative to the source folder.
    pub fn new(sources: impl Iterator<Item = &'a str>) -> Self {
        Chapters {
            by_page: sources.map(|s| (output_path_for(s), s)).collect(),
        }
    }

    /// The chapters of `book`.
    pub fn of(book: &'a Book) -> Self {
        Chapters::new(book.chapters.iter().map(|c| c.source_path.as_str()))
    }

    /// The chapter that `path` (relative to the source folder, as [`classify`] gives it)
    /// names, as its source path.
    pub fn find(&self, path: &str) -> Option<&'a str> {
        let page = if path.is_empty() || path.ends_with('/') {
            format!("{path}index.html")
        } else if path.ends_with(".md") {
            output_path_for(path)
        } else if path.ends_with(".html") {
            path.to_string()
        } else {
            return None;
        };
        self.by_page.get(&page).copied()
    }
}

/// The destination as the site needs it, written in the chapter at `from`: `.md` files
/// become their `.html` pages and a folder its `index.html`, keeping the relative form,
/// so links work from `file://` and any sub-path. Links leaving the book are kept as written.
pub fn site_href(from: &str, dest: &str) -> String {
    if dest.starts_with('#') || is_external(dest) {
        return dest.to_string();
    }
    let (path, fragment) = match dest.split_once('#') {
        Some((path, fragment)) => (path, Some(fragment)),
        None => (dest, None),
    };
    let page = if path.ends_with(".md") {
        output_path_for(path)
    } else if path.ends_with('/') && matches!(classify(from, path), Target::Local { .. }) {
        format!("{path}index.html")
    } else {
        return dest.to_string();
    };
    match fragment {
        Some(fragment) => format!("{page}#{fragment}"),
        None => page,
    }
}

/// The destination as a page at the site's root needs it, for a link written in the
/// chapter at `from` (mdBook shows the first chapter at `index.html` too).
pub fn root_href(from: &str, dest: &str) -> String {
    let href = site_href(from, dest);
    let (path, fragment) = match classify(from, &href) {
        Target::Local { path, fragment } => (path, fragment),
        Target::Outside(path) => (path, href.split_once('#').map(|(_, f)| f)),
        _ => return href,
    };
    match fragment {
        Some(fragment) => format!("{path}#{fragment}"),
        None => path,
    }
}

/// The id prefix of a page inside `print.html`, e.g. `core-types--`.
pub fn print_prefix(output_path: &str) -> String {
    let stem = output_path.strip_suffix(".html").unwrap_or(output_path);
    format!("{}--", stem.replace(['/', '.'], "-"))
}

/// The destination inside `print.html` (which sits at the site's root): links to
/// chapters become in-page anchors; other local files become root-relative paths.
pub fn print_href(from: &str, dest: &str, chapters: &Chapters<'_>) -> String {
    match classify(from, dest) {
        Target::External | Target::Outside(_) | Target::Absolute => dest.to_string(),
        Target::SamePage(fragment) => {
            format!("#{}{fragment}", print_prefix(&output_path_for(from)))
        }
        Target::Local { path, fragment } => {
            let Some(chapter) = chapters.find(&path) else {
                return path;
            };
            let prefix = print_prefix(&output_path_for(chapter));
            match fragment {
                Some(fragment) if !fragment.is_empty() => format!("#{prefix}{fragment}"),
                _ => format!("#{}", prefix.trim_end_matches('-')),
            }
        }
    }
}

/// Checks every link of every page; returns one diagnostic per broken link (an error,
/// or a warning under `broken-links = "warn"`), and one warning per distinct target
/// outside the book.
pub fn check(book: &Book, pages: &[Page]) -> Vec<Diagnostic> {
    let ids: HashMap<&str, HashSet<&str>> = pages
        .iter()
        .map(|page| {
            let chapter = &book.chapters[page.chapter];
            let mut set: HashSet<&str> = page
                .rendered
                .headings
                .iter()
                .map(|h| h.id.as_str())
                .collect();
            set.extend(page.rendered.footnote_ids.iter().map(String::as_str));
            set.extend(page.rendered.html_ids.iter().map(String::as_str));
            (chapter.source_path.as_str(), set)
        })
        .collect();
    let assets: HashSet<String> = book.assets.iter().map(ToString::to_string).collect();
    let known = Known {
        ids: &ids,
        chapters: Chapters::new(ids.keys().copied()),
        assets: &assets,
        unreadable: &book.unreadable,
        allow_active: book.config.html.allow_active_content,
    };
    let broken = book.config.html.broken_links;
    let mut outside_seen = HashSet::new();
    let mut problems = known.redirect_problems(&book.config.html.redirect, broken);
    for page in pages {
        let chapter = &book.chapters[page.chapter];
        if book.unreadable.contains(chapter.source_path.as_str()) {
            continue;
        }
        let mut lines = None;
        for link in &page.rendered.links {
            let (severity, message) = match known.problem(&chapter.source_path, link) {
                None => continue,
                Some(Problem::Active(message)) => (Severity::Error, message),
                Some(Problem::Broken(message)) => (broken, message),
                Some(Problem::Outside(target, message)) => {
                    if !outside_seen.insert(target) {
                        continue;
                    }
                    (Severity::Warning, message)
                }
            };
            let lines = lines.get_or_insert_with(|| LineIndex::new(&chapter.source));
            let display = book
                .config
                .display_path(&book.config.src_dir.join(&chapter.source_path));
            problems.push(Diagnostic {
                severity,
                location: Some(lines.locate(&display, &chapter.source, link.offset)),
                message,
            });
        }
    }
    problems
}

/// What is wrong with a link.
enum Problem {
    /// It would run script: always an error.
    Active(String),
    /// Its file or anchor is not in the book.
    Broken(String),
    /// It leaves the book (to this target), so it cannot be checked.
    Outside(String, String),
}

/// What links are checked against.
struct Known<'a> {
    /// The ids of each chapter's page, by source path.
    ids: &'a HashMap<&'a str, HashSet<&'a str>>,
    chapters: Chapters<'a>,
    assets: &'a HashSet<String>,
    unreadable: &'a HashSet<String>,
    allow_active: bool,
}

impl Known<'_> {
    /// `[output.html.redirect]` entries whose new location (relative to the old page,
    /// as in mdBook) is not a page or file of the site.
    fn redirect_problems(
        &self,
        redirect: &std::collections::BTreeMap<String, String>,
        severity: Severity,
    ) -> Vec<Diagnostic> {
        redirect
            .iter()
            .filter(|(from, to)| {
                let from = from.trim_start_matches('/');
                match classify(from, to) {
                    Target::Local { path, .. } => {
                        self.chapters.find(&path).is_none() && !self.assets.contains(&path)
                    }
                    _ => false,
                }
            })
            .map(|(from, to)| Diagnostic {
                severity,
                location: Some(crate::diagnostics::Location::file("book.toml")),
                message: format!(
                    "`output.html.redirect`: `{from}` redirects to `{to}`, which is not a page of the book (the path is relative to the old page)"
                ),
            })
            .collect()
    }

    fn problem(&self, from: &str, link: &LinkRef) -> Option<Problem> {
        let what = if link.is_image { "image" } else { "link" };
        let dest = &link.dest;
        if !self.allow_active
            && let Some(scheme) = super::raw_html::active_scheme(dest)
        {
            return Some(Problem::Active(format!(
                "{what} `{}` uses `{scheme}:`, which can run script in readers' browsers; link to a page or file instead, or set `allow-active-content = true` under [output.html] in book.toml if the book's authors are trusted",
                dest.chars().take(40).collect::<String>()
            )));
        }
        match classify(from, dest) {
            Target::External => None,
            Target::Outside(target) => {
                let message = format!(
                    "{what} `{dest}` leaves the book (to `{target}`), so it is kept as written and not checked"
                );
                Some(Problem::Outside(target, message))
            }
            Target::Absolute => Some(Problem::Broken(format!(
                "{what} `{dest}` is an absolute path; use a path relative to this chapter so the site works from disk and under any URL"
            ))),
            Target::SamePage(fragment) => {
                anchor_problem(&self.ids[from], fragment, dest, what).map(Problem::Broken)
            }
            Target::Local { path, fragment } => {
                self.local_problem(from, &path, fragment, dest, what)
            }
        }
    }

    fn local_problem(
        &self,
        from: &str,
        path: &str,
        fragment: Option<&str>,
        dest: &str,
        what: &str,
    ) -> Option<Problem> {
        if let Some(chapter) = self.chapters.find(path) {
            if self.unreadable.contains(chapter) {
                // Its file could not be read, which is reported once already.
                return None;
            }
            let targets = &self.ids[chapter];
            return fragment
                .and_then(|f| anchor_problem(targets, f, dest, what))
                .map(Problem::Broken);
        }
        if self.assets.contains(path) {
            return None;
        }
        let wanted = Path::new(path)
            .file_name()
            .map(|f| f.to_string_lossy().to_string())
            .unwrap_or_default();
        let candidates = self
            .ids
            .keys()
            .copied()
            .chain(self.assets.iter().map(String::as_str));
        let hint = closest_by_name(&wanted, candidates)
            .map(|c| format!("; did you mean `{}`?", relative(from, c)))
            .unwrap_or_default();
        let kind = if path.ends_with(".md") || path.ends_with(".html") {
            "no chapter"
        } else {
            "no file"
        };
        Some(Problem::Broken(format!(
            "broken {what} `{dest}`: {kind} `{path}` in the book{hint}"
        )))
    }
}

fn anchor_problem(ids: &HashSet<&str>, fragment: &str, dest: &str, what: &str) -> Option<String> {
    if fragment.is_empty() || ids.contains(fragment) {
        return None;
    }
    let hint = closest(fragment, ids.iter().copied())
        .map(|c| format!("; did you mean `#{c}`?"))
        .unwrap_or_default();
    Some(format!(
        "broken {what} `{dest}`: no heading with id `{fragment}`{hint}"
    ))
}

/// The closest candidate comparing file names, so a typo in the name is found in any folder.
fn closest_by_name<'a>(wanted: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let candidates: Vec<&str> = candidates.collect();
    let names = candidates.iter().map(|c| c.rsplit('/').next().unwrap_or(c));
    let best = closest(wanted, names)?;
    candidates
        .into_iter()
        .find(|c| c.rsplit('/').next() == Some(best))
}

/// `to` (relative to the root) as a path relative to the folder of `from`.
pub fn relative(from: &str, to: &str) -> String {
    let from_dir: Vec<&str> =
        from.split('/').collect::<Vec<_>>()[..from.matches('/').count()].to_vec();
    let to_parts: Vec<&str> = to.split('/').collect();
    let common = from_dir
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut parts = vec![".."; from_dir.len() - common];
    parts.extend(&to_parts[common..]);
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_destinations() {
        assert_eq!(
            classify("core/a.md", "https://python.org"),
            Target::External
        );
        assert_eq!(classify("core/a.md", "mailto:x@y.z"), Target::External);
        assert_eq!(classify("core/a.md", "#top"), Target::SamePage("top"));
        assert_eq!(
            classify("core/a.md", "../advanced/b.md#x"),
            Target::Local {
                path: "advanced/b.md".into(),
                fragment: Some("x")
            }
        );
        assert_eq!(
            classify("core/a.md", "../../std/index.html"),
            Target::Outside("../std/index.html".into())
        );
        assert_eq!(classify("core/a.md", "/abs.md"), Target::Absolute);
        assert_eq!(
            classify("core/a.md", "../advanced/"),
            Target::Local {
                path: "advanced/".into(),
                fragment: None
            }
        );
    }

    #[test]
    fn site_links_point_at_html_pages() {
        let site_href = |dest| site_href("core/a.md", dest);
        assert_eq!(site_href("../advanced/b.md#x"), "../advanced/b.html#x");
        assert_eq!(site_href("README.md"), "index.html");
        assert_eq!(site_href("guide/#x"), "guide/index.html#x");
        assert_eq!(
            site_href("../../std/"),
            "../../std/",
            "leaves the book: as written"
        );
        assert_eq!(site_href("img/plot.png"), "img/plot.png");
        assert_eq!(site_href("https://x.org/a.md"), "https://x.org/a.md");
    }

    #[test]
    fn links_of_a_chapter_shown_at_the_root() {
        assert_eq!(
            root_href("intro/index.md", "install.md#x"),
            "intro/install.html#x"
        );
        assert_eq!(root_href("intro/index.md", "../start/"), "start/index.html");
        assert_eq!(root_href("intro/index.md", "#top"), "#top");
        assert_eq!(root_href("intro/index.md", "img/a.png"), "intro/img/a.png");
        assert_eq!(root_href("intro/index.md", "../../std/"), "../std/");
        assert_eq!(
            root_href("intro/index.md", "https://x.org/"),
            "https://x.org/"
        );
    }

    #[test]
    fn print_links_become_anchors() {
        let chapters = Chapters::new(["core/a.md", "advanced/b.md"].into_iter());
        assert_eq!(
            print_href("core/a.md", "../advanced/b.md#x", &chapters),
            "#advanced-b--x"
        );
        assert_eq!(
            print_href("core/a.md", "../advanced/b.md", &chapters),
            "#advanced-b"
        );
        assert_eq!(print_href("core/a.md", "#y", &chapters), "#core-a--y");
        assert_eq!(
            print_href("core/a.md", "../advanced/b.html#x", &chapters),
            "#advanced-b--x",
            "a link to the page is a link to the chapter"
        );
        assert_eq!(
            print_href("core/a.md", "img/p.png", &chapters),
            "core/img/p.png"
        );
    }

    #[test]
    fn chapters_are_found_by_every_name_mdbook_books_use() {
        let chapters = Chapters::new(["guide/README.md", "a.md", "README.md"].into_iter());
        for name in [
            "guide/README.md",
            "guide/index.md",
            "guide/index.html",
            "guide/",
        ] {
            assert_eq!(chapters.find(name), Some("guide/README.md"), "{name}");
        }
        assert_eq!(chapters.find("a.html"), Some("a.md"));
        assert_eq!(chapters.find(""), Some("README.md"));
        assert_eq!(chapters.find("b.html"), None);
        assert_eq!(chapters.find("a.png"), None);
    }

    #[test]
    fn relative_paths_for_suggestions() {
        assert_eq!(relative("core/a.md", "advanced/b.md"), "../advanced/b.md");
        assert_eq!(relative("core/a.md", "core/c.md"), "c.md");
        assert_eq!(relative("index.md", "core/c.md"), "core/c.md");
    }
}
