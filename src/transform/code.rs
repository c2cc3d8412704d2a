//! Fenced code blocks as the handbook writes them: the info string
//! (`python no_run="needs Docker"`), hidden set-up lines (`#~`), and
//! `{{#include file.py:anchor}}` directives. Shared by rendering and by
//! `handbook test`, so both read a block the same way.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The parsed info string of a fenced code block.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FenceInfo {
    /// The language, lower-cased (`python`, `pycon`, `output`, ...); empty if none.
    pub lang: String,
    /// Attributes after the language: `no_run="why"` is `("no_run", Some("why"))`, a bare `ignore` is `("ignore", None)`.
    pub attrs: Vec<(String, Option<String>)>,
}

impl FenceInfo {
    /// Parses `python no_run="needs a network", timeout=30`: the language, then attributes
    /// separated by spaces or commas; values may be double-quoted.
    pub fn parse(info: &str) -> Result<Self, String> {
        let mut tokens = tokenize(info)?.into_iter();
        let lang = tokens
            .next()
            .map(|(k, _)| k.to_ascii_lowercase())
            .unwrap_or_default();
        Ok(FenceInfo {
            lang,
            attrs: tokens.collect(),
        })
    }

    /// The value of attribute `key`: `None` if absent, `Some(None)` if present without a value.
    pub fn attr(&self, key: &str) -> Option<Option<&str>> {
        self.attrs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_deref())
    }

    /// Whether attribute `key` is present.
    pub fn has(&self, key: &str) -> bool {
        self.attr(key).is_some()
    }

    /// Why the example is not run, if it carries `no_run` or `ignore`.
    pub fn not_run_reason(&self) -> Option<(&'static str, &str)> {
        ["ignore", "no_run"]
            .into_iter()
            .find_map(|key| self.attr(key).map(|reason| (key, reason.unwrap_or(""))))
    }
}

fn tokenize(info: &str) -> Result<Vec<(String, Option<String>)>, String> {
    let mut tokens = Vec::new();
    let mut chars = info.trim().chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace() || *c == ',') {
            chars.next();
        }
        if chars.peek().is_none() {
            return Ok(tokens);
        }
        let mut key = String::new();
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() || c == ',' || c == '=' {
                break;
            }
            key.push(c);
            chars.next();
        }
        let mut value = None;
        if chars.peek() == Some(&'=') {
            chars.next();
            let mut v = String::new();
            if chars.peek() == Some(&'"') {
                chars.next();
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some(c) => v.push(c),
                        None => return Err(format!("unclosed quote in the value of `{key}`")),
                    }
                }
            } else {
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() || c == ',' {
                        break;
                    }
                    v.push(c);
                    chars.next();
                }
            }
            value = Some(v);
        }
        tokens.push((key, value));
    }
}

/// The prefix of a set-up line that runs but is not shown.
pub const HIDDEN_PREFIX: &str = "#~";

fn is_hidden(line: &str) -> bool {
    line.trim_start().starts_with(HIDDEN_PREFIX)
}

/// The code as readers see it: hidden lines removed.
pub fn visible_code(code: &str) -> String {
    code.split_inclusive('\n')
        .filter(|line| !is_hidden(line))
        .collect()
}

/// The code as it runs: hidden lines kept, their `#~` marker removed.
pub fn runnable_code(code: &str) -> String {
    code.split_inclusive('\n')
        .map(|line| {
            if !is_hidden(line) {
                return line.to_string();
            }
            let indent = &line[..line.len() - line.trim_start().len()];
            let rest = &line.trim_start()[HIDDEN_PREFIX.len()..];
            format!("{indent}{}", rest.strip_prefix(' ').unwrap_or(rest))
        })
        .collect()
}

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

/// Finds the include directives in `code`.
pub fn find_includes(code: &str) -> Vec<Include> {
    const OPEN: &str = "{{#include ";
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

/// The text of included files, keyed by path relative to the source folder.
/// Filled by the loader (the only reader of the sources) and read by transform and test.
pub type IncludedFiles = HashMap<PathBuf, String>;

/// The file an include in `chapter_path` (relative to the source folder) refers to.
pub fn include_target(chapter_path: &str, include_path: &str) -> PathBuf {
    let dir = Path::new(chapter_path).parent().unwrap_or(Path::new(""));
    crate::paths::normalize(&dir.join(include_path))
}

/// Replaces every include directive in `code`; an error names the directive and what is wrong.
pub fn expand_includes(
    code: &str,
    chapter_path: &str,
    files: &IncludedFiles,
) -> Result<String, String> {
    let mut out = String::with_capacity(code.len());
    let mut last = 0;
    for include in find_includes(code) {
        out.push_str(&code[last..include.range.start]);
        let target = include_target(chapter_path, &include.path);
        let text = files.get(&target).ok_or_else(|| {
            format!(
                "`{{{{#include {}}}}}`: no file `{}`",
                include.path,
                target.display()
            )
        })?;
        let selected = select(text, &include.selector).ok_or_else(|| {
            format!(
                "`{{{{#include {}}}}}`: the selected lines are not in the file",
                include.path
            )
        })?;
        out.push_str(selected.trim_end_matches('\n'));
        last = include.range.end;
    }
    out.push_str(&code[last..]);
    Ok(out)
}

fn select(text: &str, selector: &Selector) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let keep = |line: &&str| !line.contains("ANCHOR:") && !line.contains("ANCHOR_END:");
    let chosen: Vec<&str> = match selector {
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
                .position(|l| marker(l, "ANCHOR:") == Some(name.as_str()))?;
            let end = lines[begin..]
                .iter()
                .position(|l| marker(l, "ANCHOR_END:") == Some(name.as_str()))?
                + begin;
            lines[begin + 1..end].iter().copied().filter(keep).collect()
        }
    };
    Some(chosen.join("\n") + "\n")
}

fn marker<'a>(line: &'a str, tag: &str) -> Option<&'a str> {
    let rest = &line[line.find(tag)? + tag.len()..];
    Some(rest.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_language_and_quoted_attributes() {
        let info =
            FenceInfo::parse(r#"Python no_run="needs a network, really", timeout=30 ignore"#)
                .unwrap();
        assert_eq!(info.lang, "python");
        assert_eq!(info.attr("no_run"), Some(Some("needs a network, really")));
        assert_eq!(info.attr("timeout"), Some(Some("30")));
        assert_eq!(info.attr("ignore"), Some(None));
        assert_eq!(info.attr("requires"), None);
    }

    #[test]
    fn mdbook_comma_style_works() {
        let info = FenceInfo::parse("python,no_run").unwrap();
        assert_eq!(info.lang, "python");
        assert!(info.has("no_run"));
    }

    #[test]
    fn hidden_lines_run_but_are_not_shown() {
        let code = "#~ import random\n#~random.seed(1)\n    #~ x = 1\nprint(random.random())\n";
        assert_eq!(visible_code(code), "print(random.random())\n");
        assert_eq!(
            runnable_code(code),
            "import random\nrandom.seed(1)\n    x = 1\nprint(random.random())\n"
        );
    }

    #[test]
    fn includes_lines_and_anchors() {
        let mut files = IncludedFiles::new();
        files.insert(
            PathBuf::from("examples/cache.py"),
            "import functools\n# ANCHOR: body\ndef f():\n    return 1\n# ANCHOR_END: body\nprint(f())\n".into(),
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
    }
}
