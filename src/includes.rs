//! `{{#include file.py:anchor}}` directives (mdBook's syntax, with line
//! ranges and `ANCHOR:` markers): finding them, naming the files they point
//! at, and expanding them. The loader reads the files; transform and
//! `handbook test` expand them from what it read, so neither touches the disk.

use std::collections::HashMap;
use std::path::Path;

use crate::model::SourcePath;

/// An `{{#include path:selector}}` directive (or `{{#rustdoc_include …}}`, or
/// `{{#playground …}}`, which includes the file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Include {
    /// Byte range of the whole directive within the text.
    pub range: std::ops::Range<usize>,
    /// The file, as written (relative to the chapter's folder).
    pub path: String,
    /// What part of the file to take.
    pub selector: Selector,
    /// `rustdoc_include`: the rest of the file is included too, as hidden `# ` lines
    /// (mdBook's convention, so the shown lines compile as a whole).
    pub rustdoc: bool,
}

/// Which lines of an included file to take (mdBook's syntax).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// The whole file.
    All,
    /// Lines `start..=end`, 1-based; either end may be open.
    Lines(Option<usize>, Option<usize>),
    /// The lines between `ANCHOR: name` and `ANCHOR_END: name`.
    Anchor(String),
}

/// One of mdBook's `{{#…}}` directives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Directive {
    /// A file to include.
    Include(Include),
    /// `{{#title The page title}}`: the page's `<title>`.
    Title(std::ops::Range<usize>, String),
    /// `\{{#…}}`: the directive written out, without its backslash.
    Escaped(std::ops::Range<usize>),
}

impl Directive {
    /// Where it is written.
    pub fn range(&self) -> std::ops::Range<usize> {
        match self {
            Directive::Include(include) => include.range.clone(),
            Directive::Title(range, _) | Directive::Escaped(range) => range.clone(),
        }
    }
}

/// Finds the directives in `text`, as mdBook does: `{{#name target}}` with optional
/// spaces after `{{`, and `\{{#…}}` (to the line's last `}}`) escaped.
pub fn find_directives(text: &str) -> Vec<Directive> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(start) = text[from..].find("{{").map(|i| i + from) {
        from = start + 2;
        if start > 0 && text.as_bytes()[start - 1] == b'\\' {
            let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
            if text[start..line_end].starts_with("{{#")
                && let Some(close) = text[start..line_end].rfind("}}")
            {
                from = start + close + 2;
                found.push(Directive::Escaped(start - 1..from));
            }
            continue;
        }
        let Some(directive) = parse_directive(text, start) else {
            continue;
        };
        from = directive.range().end;
        found.push(directive);
    }
    found
}

/// The directive starting at `start` (at its `{{`), if one is written there.
fn parse_directive(text: &str, start: usize) -> Option<Directive> {
    let rest = text[start + 2..].trim_start();
    let rest = rest.strip_prefix('#')?;
    let name_len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    let (name, after) = rest.split_at(name_len);
    if !after.starts_with(char::is_whitespace) {
        return None;
    }
    let close = after.find('}')?;
    if !after[close..].starts_with("}}") {
        return None;
    }
    let end = text.len() - after.len() + close + 2;
    let target = after[..close].trim();
    let rustdoc = match name {
        "include" | "playground" | "playpen" => false,
        "rustdoc_include" => true,
        "title" => return Some(Directive::Title(start..end, target.to_string())),
        _ => return None,
    };
    // `{{#playground file.rs editable}}`: the words after the file are mdBook's
    // playground options, which have no effect here.
    let spec = target.split_whitespace().next()?;
    let (path, selector) = parse_selector(spec);
    Some(Directive::Include(Include {
        range: start..end,
        path: path.to_string(),
        selector,
        rustdoc,
    }))
}

/// Finds the include directives in `text`.
pub fn find_includes(text: &str) -> Vec<Include> {
    find_directives(text)
        .into_iter()
        .filter_map(|d| match d {
            Directive::Include(include) => Some(include),
            _ => None,
        })
        .collect()
}

fn parse_selector(spec: &str) -> (&str, Selector) {
    let Some((path, rest)) = spec.split_once(':') else {
        return (spec, Selector::All);
    };
    let number = |s: &str| s.trim().parse::<usize>().ok();
    let selector = match rest.split_once(':') {
        Some((a, b)) => Selector::Lines(number(a), number(b)),
        None => match number(rest) {
            Some(n) => Selector::Lines(Some(n), Some(n)),
            None => Selector::Anchor(rest.trim().to_string()),
        },
    };
    (path, selector)
}

/// The text of included files, keyed by path relative to the source folder, or why a
/// file was not read (it is outside the book). Filled by the loader (the only reader of
/// the sources) and read by transform and test.
pub type IncludedFiles = HashMap<SourcePath, Result<String, String>>;

/// The file an include in `chapter_path` (relative to the source folder) refers to,
/// relative to the source folder: `../listings/a.rs` for a file beside it in the book.
pub fn include_target(chapter_path: &str, include_path: &str) -> SourcePath {
    let dir = Path::new(chapter_path).parent().unwrap_or(Path::new(""));
    let joined = dir.join(include_path);
    let mut parts: Vec<std::path::Component> = Vec::new();
    for part in joined.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir
                if matches!(parts.last(), Some(std::path::Component::Normal(_))) =>
            {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    SourcePath::new(&parts.iter().collect::<std::path::PathBuf>())
}

/// The files that the directives in a chapter's `source` name and may read, relative to
/// the source folder, each once, in order of first use. The loader records them with
/// the chapter, so later stages never search the text again.
pub fn targets(chapter_path: &str, source: &str, up: usize) -> Vec<SourcePath> {
    let mut targets: Vec<SourcePath> = Vec::new();
    for include in find_includes(source) {
        if leaves_the_book(chapter_path, &include.path, up).is_some() {
            continue;
        }
        let target = include_target(chapter_path, &include.path);
        if !targets.contains(&target) {
            targets.push(target);
        }
    }
    targets
}

/// Why an include path may not be read, if it may not: an absolute path, or one that
/// climbs out of the book's root (the folder with `book.toml`, `up` levels above the
/// source folder). Building an untrusted book must not publish the build machine's files.
pub fn leaves_the_book(chapter_path: &str, include_path: &str, up: usize) -> Option<String> {
    if Path::new(include_path).has_root() {
        return Some(
            "an absolute path cannot be included: include files inside the book, with a path relative to the chapter"
                .to_string(),
        );
    }
    let target = include_target(chapter_path, include_path);
    let climbs = Path::new(target.as_str())
        .components()
        .take_while(|c| *c == std::path::Component::ParentDir)
        .count();
    (climbs > up).then(|| {
        format!("`{include_path}` leaves the book's folder (the one with book.toml); include files inside it")
    })
}

/// A chapter's text with the directives outside its code blocks carried out.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Prose {
    /// The text, included files in place of their directives.
    pub text: String,
    /// The page title a `{{#title …}}` set.
    pub title: Option<String>,
    /// Byte offset (in the chapter as written) and message of each directive that failed.
    pub problems: Vec<(usize, String)>,
    /// Where each line of `text` was written (always a [`LineOrigin::File`]): the
    /// chapter's own line, or an included file's. Empty when the text is the chapter's
    /// as written, line for line.
    pub origins: Vec<LineOrigin>,
}

/// How deep included files may include others (mdBook's limit), so a cycle ends.
const MAX_DEPTH: usize = 10;

/// Carries out the directives of a chapter outside its code blocks, as mdBook does
/// before it parses the Markdown: an included file's text takes the directive's place
/// (itself expanded, relative to its own folder), `{{#title}}` sets the page title and
/// `\{{#…}}` loses its backslash. Directives inside code blocks are left for
/// [`expand_with_origins`], which knows each line's origin. `read` reads a file by its
/// path relative to the source folder; `up` is how far above it the book's root is.
pub fn expand_prose(
    source: &str,
    chapter_path: &str,
    up: usize,
    read: &mut dyn FnMut(&Path) -> Result<String, String>,
) -> Prose {
    let mut prose = Prose::default();
    if !source.contains("{{") {
        prose.text = source.to_string();
        return prose;
    }
    let mut out = Expanded {
        text: String::with_capacity(source.len()),
        origins: Vec::new(),
    };
    let chapter = SourcePath::from(chapter_path);
    let file = Included {
        path: chapter_path,
        origin: &|i| LineOrigin::File(chapter.clone(), i + 1),
    };
    expand_prose_at(source, &file, up, read, 0, &mut prose, None, &mut out);
    prose.text = out.text;
    prose.origins = out.origins;
    prose
}

/// A file whose text is being expanded: its path, and where its `i`th line was written.
struct Included<'a> {
    path: &'a str,
    origin: &'a dyn Fn(usize) -> LineOrigin,
}

#[allow(clippy::too_many_arguments)]
fn expand_prose_at(
    source: &str,
    file: &Included<'_>,
    up: usize,
    read: &mut dyn FnMut(&Path) -> Result<String, String>,
    depth: usize,
    prose: &mut Prose,
    at: Option<usize>,
    out: &mut Expanded,
) {
    let line_at = |offset: usize| source[..offset].matches('\n').count();
    let copy = |out: &mut Expanded, range: std::ops::Range<usize>| {
        let first = line_at(range.start);
        out.push(&source[range], |i| (file.origin)(first + i));
    };
    if !source.contains("{{") {
        copy(out, 0..source.len());
        return;
    }
    let code = code_block_ranges(source);
    let mut last = 0;
    for directive in find_directives(source) {
        let range = directive.range();
        if code.iter().any(|c| c.contains(&range.start)) {
            continue;
        }
        copy(out, last..range.start);
        last = range.end;
        let offset = at.unwrap_or(range.start);
        match directive {
            Directive::Escaped(range) => copy(out, range.start + 1..range.end),
            Directive::Title(_, title) => prose.title = Some(title),
            Directive::Include(include) => {
                let (target, lines) = match prose_include(&include, file.path, up, read) {
                    Ok(included) => included,
                    Err(why) => {
                        prose.problems.push((offset, why));
                        copy(out, range);
                        continue;
                    }
                };
                if depth >= MAX_DEPTH {
                    prose.problems.push((offset, format!("`{{{{#include {}}}}}`: files include each other more than {MAX_DEPTH} deep; is there a cycle?", include.path)));
                    continue;
                }
                let text: Vec<&str> = lines.iter().map(|(_, line)| line.as_str()).collect();
                let included = Included {
                    path: target.as_str(),
                    origin: &|i| LineOrigin::File(target.clone(), lines[i].0),
                };
                expand_prose_at(
                    &text.join("\n"),
                    &included,
                    up,
                    read,
                    depth + 1,
                    prose,
                    Some(offset),
                    out,
                );
            }
        }
    }
    copy(out, last..source.len());
}

/// The lines an include outside a code block puts in its place, with their line
/// numbers in the file they are from.
fn prose_include(
    include: &Include,
    path: &str,
    up: usize,
    read: &mut dyn FnMut(&Path) -> Result<String, String>,
) -> Result<(SourcePath, Vec<(usize, String)>), String> {
    let directive = format!("`{{{{#include {}}}}}`", include.path);
    if let Some(why) = leaves_the_book(path, &include.path, up) {
        return Err(format!("{directive}: {why}"));
    }
    let target = include_target(path, &include.path);
    let mut files = IncludedFiles::new();
    let text = read(target.as_ref())
        .map_err(|why| format!("{directive}: cannot read `{target}`: {why}"))?;
    files.insert(target, Ok(text));
    included_lines(include, path, &files)
}

/// Where the code blocks of a Markdown text are.
fn code_block_ranges(source: &str) -> Vec<std::ops::Range<usize>> {
    pulldown_cmark::Parser::new(source)
        .into_offset_iter()
        .filter_map(|(event, range)| {
            matches!(
                event,
                pulldown_cmark::Event::Start(pulldown_cmark::Tag::CodeBlock(_))
            )
            .then_some(range)
        })
        .collect()
}

/// Where a line of expanded code comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineOrigin {
    /// The code block's own line, counting from 0.
    Block(usize),
    /// A line of an included file (relative to the source folder), counting from 1.
    File(SourcePath, usize),
}

/// Code with its includes expanded, and where each of its lines comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expanded {
    /// The code.
    pub text: String,
    /// One entry per line of `text`.
    pub origins: Vec<LineOrigin>,
}

impl Expanded {
    /// Code that includes nothing: every line is the block's own.
    pub fn plain(code: &str) -> Expanded {
        Expanded {
            text: code.to_string(),
            origins: (0..code.lines().count()).map(LineOrigin::Block).collect(),
        }
    }

    /// Appends `text`; `origin(i)` says where its `i`th line comes from. A piece that
    /// continues the current line (an include in the middle of one) keeps that line's origin.
    fn push(&mut self, text: &str, mut origin: impl FnMut(usize) -> LineOrigin) {
        for (i, piece) in text.split_inclusive('\n').enumerate() {
            if self.text.is_empty() || self.text.ends_with('\n') {
                self.origins.push(origin(i));
            }
            self.text.push_str(piece);
        }
    }
}

/// Replaces every include directive in `code`; an error names the directive and what is wrong.
pub fn expand_includes(
    code: &str,
    chapter_path: &str,
    files: &IncludedFiles,
) -> Result<String, String> {
    // Most code blocks include nothing: no need to track where their lines come from.
    if !code.contains("{{") {
        return Ok(code.to_string());
    }
    expand_with_origins(code, chapter_path, files).map(|expanded| expanded.text)
}

/// Like [`expand_includes`], also saying where each line comes from, so an error in
/// included code can name the line of the included file.
pub fn expand_with_origins(
    code: &str,
    chapter_path: &str,
    files: &IncludedFiles,
) -> Result<Expanded, String> {
    let mut out = Expanded {
        text: String::with_capacity(code.len()),
        origins: Vec::new(),
    };
    let mut last = 0;
    let block_line = |offset: usize| code[..offset].matches('\n').count();
    for directive in find_directives(code) {
        let range = directive.range();
        let first = block_line(last);
        out.push(&code[last..range.start], |i| LineOrigin::Block(first + i));
        last = range.end;
        let include = match directive {
            Directive::Include(include) => include,
            // `{{#title}}` is a chapter's, not a code block's: shown as written.
            Directive::Title(..) => {
                out.push(&code[range.clone()], |_| LineOrigin::Block(first));
                continue;
            }
            Directive::Escaped(_) => {
                let line = block_line(range.start + 1);
                out.push(&code[range.start + 1..range.end], |_| {
                    LineOrigin::Block(line)
                });
                continue;
            }
        };
        let (target, selected) = included_lines(&include, chapter_path, files)?;
        out.push(
            &selected
                .iter()
                .map(|(_, line)| line.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
            |i| LineOrigin::File(target.clone(), selected[i].0),
        );
    }
    let first = block_line(last);
    out.push(&code[last..], |i| LineOrigin::Block(first + i));
    Ok(out)
}

/// The lines `include` takes, each with its 1-based line number, and the file they are from.
fn included_lines(
    include: &Include,
    chapter_path: &str,
    files: &IncludedFiles,
) -> Result<(SourcePath, Vec<(usize, String)>), String> {
    let directive = format!("`{{{{#include {}}}}}`", include.path);
    let target = include_target(chapter_path, &include.path);
    let text = match files.get(&target) {
        Some(Ok(text)) => text,
        Some(Err(why)) => return Err(format!("{directive}: {why}")),
        None => return Err(format!("{directive}: no file `{target}`")),
    };
    let mut selected = select(text, &include.selector)
        .ok_or_else(|| format!("{directive}: the selected lines are not in the file"))?;
    // Blank lines at the end of the selection (before `ANCHOR_END`, at the end of the
    // file) are dropped: the directive's own line break ends the included code.
    while selected.last().is_some_and(|(_, line)| line.is_empty()) {
        selected.pop();
    }
    let lines = if include.rustdoc {
        // The rest of the file comes too, as rustdoc's hidden lines.
        let shown: std::collections::HashSet<usize> = selected.iter().map(|(n, _)| *n).collect();
        let all = select(text, &Selector::All).unwrap_or_default();
        all.into_iter()
            .map(|(n, line)| {
                let line = if shown.contains(&n) {
                    line.to_string()
                } else {
                    format!("# {line}")
                };
                (n, line)
            })
            .collect()
    } else {
        selected
            .into_iter()
            .map(|(n, line)| (n, line.to_string()))
            .collect()
    };
    Ok((target, lines))
}

/// The chosen lines of `text`, each with its 1-based line number; anchor lines are left out.
fn select<'a>(text: &'a str, selector: &Selector) -> Option<Vec<(usize, &'a str)>> {
    let lines: Vec<(usize, &str)> = text.lines().enumerate().map(|(i, l)| (i + 1, l)).collect();
    let keep =
        |(_, line): &(usize, &str)| !line.contains("ANCHOR:") && !line.contains("ANCHOR_END:");
    let chosen: Vec<(usize, &str)> = match selector {
        Selector::All => lines.into_iter().filter(keep).collect(),
        Selector::Lines(start, end) => {
            let start = start.unwrap_or(1).max(1);
            let end = end.unwrap_or(lines.len()).min(lines.len());
            if start > end {
                return None;
            }
            lines[start - 1..end].iter().copied().filter(keep).collect()
        }
        Selector::Anchor(name) => {
            let begin = lines
                .iter()
                .position(|(_, l)| marker(l, "ANCHOR:") == Some(name.as_str()))?;
            let end = lines[begin..]
                .iter()
                .position(|(_, l)| marker(l, "ANCHOR_END:") == Some(name.as_str()))?
                + begin;
            lines[begin + 1..end].iter().copied().filter(keep).collect()
        }
    };
    Some(chosen)
}

fn marker<'a>(line: &'a str, tag: &str) -> Option<&'a str> {
    let rest = &line[line.find(tag)? + tag.len()..];
    Some(rest.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn includes_lines_and_anchors() {
        let mut files = IncludedFiles::new();
        files.insert(
            SourcePath::from("examples/cache.py"),
            Ok("import functools\n# ANCHOR: body\ndef f():\n    return 1\n# ANCHOR_END: body\nprint(f())\n".into()),
        );
        files.insert(
            SourcePath::from("examples/blank.py"),
            Ok("# ANCHOR: x\nq\n\n# ANCHOR_END: x\nlast\n\n\n".into()),
        );
        let expand = |code: &str| expand_includes(code, "core/ch.md", &files);
        assert_eq!(
            expand("{{#include ../examples/cache.py:body}}\n").unwrap(),
            "def f():\n    return 1\n"
        );
        assert_eq!(
            expand("{{#include ../examples/cache.py:1:1}}\n").unwrap(),
            "import functools\n"
        );
        assert_eq!(
            expand("{{#include ../examples/cache.py:6:}}\n").unwrap(),
            "print(f())\n"
        );
        assert!(
            expand("{{#include ../examples/cache.py}}\n")
                .unwrap()
                .starts_with("import functools\ndef f()")
        );
        assert!(
            expand("{{#include ../examples/missing.py}}\n")
                .unwrap_err()
                .contains("examples/missing.py")
        );
        assert!(expand("{{#include ../examples/cache.py:nope}}\n").is_err());
        assert_eq!(
            expand("{{#include ../examples/blank.py:x}}\nB\n").unwrap(),
            "q\nB\n",
            "trailing blank lines of a selection are dropped"
        );
        assert_eq!(
            expand("{{#include ../examples/blank.py:5:}}\n").unwrap(),
            "last\n"
        );
    }

    #[test]
    fn mdbook_directives_rustdoc_include_playground_and_escapes() {
        let mut files = IncludedFiles::new();
        files.insert(
            SourcePath::from("../listings/main.rs"),
            Ok("use std::io;\n// ANCHOR: body\nfn main() {}\n// ANCHOR_END: body\n".into()),
        );
        let expand = |code: &str| expand_includes(code, "ch/a.md", &files);
        assert_eq!(
            expand("{{#rustdoc_include ../../listings/main.rs:body}}\n").unwrap(),
            "# use std::io;\nfn main() {}\n"
        );
        assert_eq!(
            expand("{{#playground ../../listings/main.rs:body editable}}\n").unwrap(),
            "fn main() {}\n"
        );
        assert_eq!(
            expand("\\{{#include file.rs}} literally\n").unwrap(),
            "{{#include file.rs}} literally\n"
        );
        assert_eq!(
            leaves_the_book("ch/a.md", "../../listings/main.rs", 1),
            None
        );
        assert!(leaves_the_book("ch/a.md", "../../../etc/passwd", 1).is_some());
        assert!(leaves_the_book("a.md", "/etc/passwd", 1).is_some());
    }

    #[test]
    fn prose_includes_titles_and_nested_files() {
        let mut read = |path: &Path| match path.to_str() {
            Some("shared/intro.md") => Ok("Intro with {{#include more.md}}.\n".to_string()),
            Some("shared/more.md") => Ok("more".to_string()),
            other => Err(format!("no {other:?}")),
        };
        let source = "{{#title Custom}}\n# A\n\n{{#include shared/intro.md}}\n\n```\n{{#include x.rs}}\n```\n\n{{#include nope.md}}\n";
        let prose = expand_prose(source, "a.md", 1, &mut read);
        assert_eq!(prose.title.as_deref(), Some("Custom"));
        assert_eq!(
            prose.text,
            "\n# A\n\nIntro with more.\n\n```\n{{#include x.rs}}\n```\n\n{{#include nope.md}}\n"
        );
        assert_eq!(prose.problems.len(), 1);
        assert_eq!(prose.problems[0].0, source.find("{{#include nope").unwrap());
    }

    #[test]
    fn prose_lines_after_a_multi_line_include_keep_their_own_numbers() {
        let mut read = |path: &Path| match path.to_str() {
            Some("shared/two.md") => Ok("first\n{{#include deeper.md}}\nlast\n".to_string()),
            Some("shared/deeper.md") => Ok("deep".to_string()),
            other => Err(format!("no {other:?}")),
        };
        let source = "# A\n{{#include shared/two.md}}\nafter\n";
        let prose = expand_prose(source, "a.md", 1, &mut read);
        assert_eq!(prose.text, "# A\nfirst\ndeep\nlast\nafter\n");
        let at = |file: &str, line| LineOrigin::File(SourcePath::from(file), line);
        assert_eq!(
            prose.origins,
            [
                at("a.md", 1),
                at("shared/two.md", 1),
                at("shared/deeper.md", 1),
                at("shared/two.md", 3),
                at("a.md", 3),
            ]
        );
    }

    #[test]
    fn each_expanded_line_knows_where_it_comes_from() {
        let mut files = IncludedFiles::new();
        files.insert(
            SourcePath::from("examples/lib.py"),
            Ok("# ANCHOR: f\ndef f():\n    return 1\n# ANCHOR_END: f\n".into()),
        );
        let code = "import os\n{{#include ../examples/lib.py:f}}\nprint(f())\n";
        let expanded = expand_with_origins(code, "core/ch.md", &files).unwrap();
        assert_eq!(
            expanded.text,
            "import os\ndef f():\n    return 1\nprint(f())\n"
        );
        let file = |line| LineOrigin::File(SourcePath::from("examples/lib.py"), line);
        assert_eq!(
            expanded.origins,
            [LineOrigin::Block(0), file(2), file(3), LineOrigin::Block(2)]
        );
    }
}
