//! Links between chapters: rewriting `.md` destinations to the `.html`
//! pages (for the site and for `print.html`), and validating every link,
//! anchor and image against the book, with a suggestion for typos.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use super::Page;
use super::markdown::LinkRef;
use crate::diagnostics::{Diagnostic, LineIndex, closest};
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
    /// A path that climbs out of the source folder, or is absolute.
    Outside,
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
        return Target::Outside;
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
    match join(from, path) {
        Some(path) => Target::Local { path, fragment },
        None => Target::Outside,
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

/// Resolves `relative` against the folder of `from`; `None` if it climbs above the root.
fn join(from: &str, relative: &str) -> Option<String> {
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for part in relative.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

/// The destination as the site needs it: `.md` files become their `.html` pages,
/// keeping the relative form, so links work from `file://` and any sub-path.
pub fn site_href(dest: &str) -> String {
    if dest.starts_with('#') || is_external(dest) {
        return dest.to_string();
    }
    let (path, fragment) = match dest.split_once('#') {
        Some((path, fragment)) => (path, Some(fragment)),
        None => (dest, None),
    };
    if !path.ends_with(".md") {
        return dest.to_string();
    }
    let page = output_path_for(path);
    match fragment {
        Some(fragment) => format!("{page}#{fragment}"),
        None => page,
    }
}

/// The id prefix of a page inside `print.html`, e.g. `core-types--`.
pub fn print_prefix(output_path: &str) -> String {
    let stem = output_path.strip_suffix(".html").unwrap_or(output_path);
    format!("{}--", stem.replace(['/', '.'], "-"))
}

/// The destination inside `print.html` (which sits at the site's root): links to
/// chapters become in-page anchors; other local files become root-relative paths.
pub fn print_href(from: &str, dest: &str, chapters: &HashSet<&str>) -> String {
    match classify(from, dest) {
        Target::External | Target::Outside => dest.to_string(),
        Target::SamePage(fragment) => {
            format!("#{}{fragment}", print_prefix(&output_path_for(from)))
        }
        Target::Local { path, fragment } => {
            if !chapters.contains(path.as_str()) {
                return path;
            }
            let prefix = print_prefix(&output_path_for(&path));
            match fragment {
                Some(fragment) if !fragment.is_empty() => format!("#{prefix}{fragment}"),
                _ => format!("#{}", prefix.trim_end_matches('-')),
            }
        }
    }
}

/// Checks every link of every page; returns one error per broken link.
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
    let mut problems = Vec::new();
    for page in pages {
        let chapter = &book.chapters[page.chapter];
        if book.unreadable.contains(chapter.source_path.as_str()) {
            continue;
        }
        let mut lines = None;
        for link in &page.rendered.links {
            let allow = book.config.html.allow_active_content;
            let Some(problem) = problem(
                &chapter.source_path,
                link,
                &ids,
                &assets,
                &book.unreadable,
                allow,
            ) else {
                continue;
            };
            let lines = lines.get_or_insert_with(|| LineIndex::new(&chapter.source));
            let display = book
                .config
                .display_path(&book.config.src_dir.join(&chapter.source_path));
            problems.push(Diagnostic::error(
                lines.locate(&display, &chapter.source, link.offset),
                problem,
            ));
        }
    }
    problems
}

fn problem(
    from: &str,
    link: &LinkRef,
    ids: &HashMap<&str, HashSet<&str>>,
    assets: &HashSet<String>,
    unreadable: &HashSet<String>,
    allow_active: bool,
) -> Option<String> {
    let what = if link.is_image { "image" } else { "link" };
    let dest = &link.dest;
    if !allow_active && let Some(scheme) = super::raw_html::active_scheme(dest) {
        return Some(format!(
            "{what} `{}` uses `{scheme}:`, which can run script in readers' browsers; link to a page or file instead, or set `allow-active-content = true` under [output.html] in book.toml if the book's authors are trusted",
            dest.chars().take(40).collect::<String>()
        ));
    }
    match classify(from, dest) {
        Target::External => None,
        Target::Outside => Some(format!(
            "{what} `{dest}` points outside the book; use a path relative to this chapter so the site works from disk"
        )),
        Target::SamePage(fragment) => anchor_problem(&ids[from], fragment, dest, what),
        Target::Local { path, fragment } => {
            if let Some(targets) = ids.get(path.as_str()) {
                if unreadable.contains(&path) {
                    // Its file could not be read, which is reported once already.
                    return None;
                }
                return fragment.and_then(|f| anchor_problem(targets, f, dest, what));
            }
            if assets.contains(&path) {
                return None;
            }
            let wanted = Path::new(&path)
                .file_name()
                .map(|f| f.to_string_lossy().to_string())
                .unwrap_or_default();
            let candidates = ids.keys().copied().chain(assets.iter().map(String::as_str));
            let hint = closest_by_name(&wanted, candidates)
                .map(|c| format!("; did you mean `{}`?", relative(from, c)))
                .unwrap_or_default();
            let kind = if path.ends_with(".md") {
                "no chapter"
            } else {
                "no file"
            };
            Some(format!(
                "broken {what} `{dest}`: {kind} `{path}` in the book{hint}"
            ))
        }
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
        assert_eq!(classify("core/a.md", "../../etc/passwd"), Target::Outside);
        assert_eq!(classify("core/a.md", "/abs.md"), Target::Outside);
    }

    #[test]
    fn site_links_point_at_html_pages() {
        assert_eq!(site_href("../advanced/b.md#x"), "../advanced/b.html#x");
        assert_eq!(site_href("README.md"), "index.html");
        assert_eq!(site_href("img/plot.png"), "img/plot.png");
        assert_eq!(site_href("https://x.org/a.md"), "https://x.org/a.md");
    }

    #[test]
    fn print_links_become_anchors() {
        let chapters: HashSet<&str> = ["core/a.md", "advanced/b.md"].into();
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
            print_href("core/a.md", "img/p.png", &chapters),
            "core/img/p.png"
        );
    }

    #[test]
    fn relative_paths_for_suggestions() {
        assert_eq!(relative("core/a.md", "advanced/b.md"), "../advanced/b.md");
        assert_eq!(relative("core/a.md", "core/c.md"), "c.md");
        assert_eq!(relative("index.md", "core/c.md"), "core/c.md");
    }
}
