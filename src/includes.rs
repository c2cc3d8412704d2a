//! `{{#include file.py:anchor}}` directives (mdBook's syntax, with line
//! ranges and `ANCHOR:` markers): finding them, naming the files they point
//! at, and expanding them. The loader reads the files; transform and
//! `handbook test` expand them from what it read, so neither touches the disk.

use std::collections::HashMap;
use std::path::Path;

use crate::model::SourcePath;

/// An `{{#include path:selector}}` directive found in a code block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Include {
    /// Byte range of the whole directive within the code.
    pub range: std::ops::Range<usize>,
    /// The file, as written (relative to the chapter's folder).
    pub path: String,
    /// What part of the file to take.
    pub selector: Selector,
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

/// How an include directive starts.
const OPEN: &str = "{{#include ";

/// Finds the include directives in `code`.
pub fn find_includes(code: &str) -> Vec<Include> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(start) = code[from..].find(OPEN).map(|i| i + from) {
        let Some(end) = code[start..].find("}}").map(|i| i + start + 2) else {
            break;
        };
        let spec = code[start + OPEN.len()..end - 2].trim();
        let (path, selector) = parse_selector(spec);
        found.push(Include {
            range: start..end,
            path: path.to_string(),
            selector,
        });
        from = end;
    }
    found
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

/// The file an include in `chapter_path` (relative to the source folder) refers to.
pub fn include_target(chapter_path: &str, include_path: &str) -> SourcePath {
    let dir = Path::new(chapter_path).parent().unwrap_or(Path::new(""));
    SourcePath::new(&crate::paths::normalize(&dir.join(include_path)))
}

/// The files that the directives in a chapter's `source` name and may read, relative to
/// the source folder, each once, in order of first use. The loader records them with
/// the chapter, so later stages never search the text again.
pub fn targets(chapter_path: &str, source: &str) -> Vec<SourcePath> {
    let mut targets: Vec<SourcePath> = Vec::new();
    for include in find_includes(source) {
        if leaves_the_book(chapter_path, &include.path).is_some() {
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
/// climbs out of the source folder. Building an untrusted book must not publish the
/// build machine's files.
pub fn leaves_the_book(chapter_path: &str, include_path: &str) -> Option<String> {
    if Path::new(include_path).has_root() {
        return Some(
            "an absolute path cannot be included: include files inside the book, with a path relative to the chapter"
                .to_string(),
        );
    }
    let dir = Path::new(chapter_path).parent().unwrap_or(Path::new(""));
    let mut depth: i64 = 0;
    for part in dir.join(include_path).components() {
        match part {
            std::path::Component::ParentDir => depth -= 1,
            std::path::Component::Normal(_) => depth += 1,
            _ => {}
        }
        if depth < 0 {
            return Some(format!(
                "`{include_path}` leaves the book's source folder; include files inside it"
            ));
        }
    }
    None
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
    if !code.contains(OPEN) {
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
    for include in find_includes(code) {
        let first = block_line(last);
        out.push(&code[last..include.range.start], |i| {
            LineOrigin::Block(first + i)
        });
        let directive = format!("`{{{{#include {}}}}}`", include.path);
        if let Some(why) = leaves_the_book(chapter_path, &include.path) {
            return Err(format!("{directive}: {why}"));
        }
        let target = include_target(chapter_path, &include.path);
        let text = match files.get(&target) {
            Some(Ok(text)) => text,
            Some(Err(why)) => return Err(format!("{directive}: {why}")),
            None => return Err(format!("{directive}: no file `{target}`")),
        };
        let selected = select(text, &include.selector).ok_or_else(|| {
            format!(
                "`{{{{#include {}}}}}`: the selected lines are not in the file",
                include.path
            )
        })?;
        // Blank lines at the end of the selection (before `ANCHOR_END`, at the end of the
        // file) are dropped: the directive's own line break ends the included code.
        let mut selected = selected;
        while selected.last().is_some_and(|(_, line)| line.is_empty()) {
            selected.pop();
        }
        let joined: Vec<&str> = selected.iter().map(|(_, line)| *line).collect();
        out.push(&joined.join("\n"), |i| {
            LineOrigin::File(target.clone(), selected[i].0)
        });
        last = include.range.end;
    }
    let first = block_line(last);
    out.push(&code[last..], |i| LineOrigin::Block(first + i));
    Ok(out)
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
