//! Finds the Python examples in a chapter: `python` (and `py`) blocks, with the
//! ```` ```output ```` block right after them, and `pycon` sessions. Blocks are
//! read with the same Markdown options and [`crate::transform::code`] helpers
//! as the site, so what is tested is what readers see.

use std::ops::Range;
use std::time::Duration;

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};

use super::services::Service;
use super::{Example, Expected, Kind, Mode};
use crate::diagnostics::{Diagnostic, LineIndex, Location, closest};
use crate::includes::LineOrigin;
use crate::model::Book;
use crate::transform::code::{self, FenceInfo};
use crate::transform::markdown;

/// The attributes an example's info string may carry.
pub const ATTRIBUTES: &[&str] = &[
    "no_run",
    "ignore",
    "requires",
    "services",
    "timeout",
    "min_python",
];

/// A fenced code block of the chapter source.
struct Block {
    info: String,
    text: String,
    /// Byte range of the whole block (fences included) in the chapter source.
    range: Range<usize>,
}

/// The examples of chapter `index`, in order; a malformed block is an error at its line.
pub fn examples(book: &Book, index: usize) -> Vec<Result<Example, Diagnostic>> {
    let chapter = &book.chapters[index];
    let file = book
        .config
        .display_path(&book.config.src_dir.join(&chapter.source_path));
    let lines = LineIndex::new(&chapter.source);
    let line_of = |offset: usize| lines.line_col(&chapter.source, offset).0;
    let blocks = fenced_blocks(&chapter.source);
    let mut found = Vec::new();
    for (i, block) in blocks.iter().enumerate() {
        let line = line_of(block.range.start);
        let location = Location {
            file: file.clone(),
            line,
            col: 0,
        };
        let info = match FenceInfo::parse(&block.info) {
            Ok(info) => info,
            Err(problem) => {
                if is_example_lang(first_word(&block.info)) {
                    found.push(Err(Diagnostic::error(
                        location,
                        format!("code block info string: {problem}"),
                    )));
                }
                continue;
            }
        };
        let Some(kind) = kind_of(&info.lang) else {
            continue;
        };
        let next = blocks.get(i + 1).filter(|next| {
            kind == Kind::Script
                && FenceInfo::parse(&next.info).is_ok_and(|n| n.lang == "output")
                && chapter.source[block.range.end.min(next.range.start)..next.range.start]
                    .trim()
                    .is_empty()
        });
        let expected = next.map(|next| {
            (
                line_of(next.range.start),
                crate::includes::expand_includes(&next.text, &chapter.source_path, &book.includes),
            )
        });
        let example = build(
            book,
            &chapter.source_path,
            kind,
            &info,
            block,
            &location,
            expected,
        )
        .map_err(|message| Diagnostic::error(location.clone(), message));
        found.push(example);
    }
    found
}

fn first_word(info: &str) -> &str {
    info.split(|c: char| c.is_whitespace() || c == ',')
        .next()
        .unwrap_or("")
}

fn is_example_lang(lang: &str) -> bool {
    kind_of(&lang.to_ascii_lowercase()).is_some()
}

fn kind_of(lang: &str) -> Option<Kind> {
    match lang {
        "python" | "py" => Some(Kind::Script),
        "pycon" => Some(Kind::Session),
        _ => None,
    }
}

/// Every fenced code block of `source`, with its text and byte range.
fn fenced_blocks(source: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut open: Option<Block> = None;
    for (event, range) in Parser::new_ext(source, markdown::options()).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                open = Some(Block {
                    info: info.to_string(),
                    text: String::new(),
                    range,
                });
            }
            Event::Text(text) => {
                if let Some(block) = &mut open {
                    block.text.push_str(&text);
                }
            }
            Event::End(TagEnd::CodeBlock) => blocks.extend(open.take()),
            _ => {}
        }
    }
    blocks
}

/// Builds the example of one block; an error is a message for the block's line.
fn build(
    book: &Book,
    chapter_path: &str,
    kind: Kind,
    info: &FenceInfo,
    block: &Block,
    location: &Location,
    expected: Option<(usize, Result<String, String>)>,
) -> Result<Example, String> {
    let mut mode = Mode::Run;
    let mut requires = Vec::new();
    let mut services = Vec::new();
    let mut timeout = Duration::from_secs(book.config.test.timeout);
    let mut min_python = None;
    for (key, value) in &info.attrs {
        let value = value.as_deref().map(str::trim).filter(|v| !v.is_empty());
        match (key.as_str(), value) {
            ("no_run", Some(reason)) => mode = Mode::CompileOnly(reason.to_string()),
            ("ignore", Some(reason)) => mode = Mode::Ignore(reason.to_string()),
            ("no_run" | "ignore", None) => {
                return Err(format!(
                    "`{key}` needs a reason readers can see: write {key}=\"why it cannot run here\""
                ));
            }
            ("requires", Some(packages)) => {
                requires = packages.split_whitespace().map(String::from).collect()
            }
            ("services", Some(names)) => {
                services = names
                    .split_whitespace()
                    .map(Service::parse)
                    .collect::<Result<_, _>>()?
            }
            ("timeout", Some(secs)) => {
                timeout = secs
                    .parse::<u64>()
                    .ok()
                    .filter(|&s| s > 0)
                    .map(Duration::from_secs)
                    .ok_or_else(|| {
                        format!(
                            "`timeout={secs}`: write a whole number of seconds, e.g. timeout=30"
                        )
                    })?
            }
            ("min_python", _) => min_python = info.min_python().transpose()?,
            ("requires" | "services" | "timeout", None) => {
                return Err(format!(
                    "`{key}` needs a value, e.g. {}",
                    match key.as_str() {
                        "requires" => "requires=\"pytest click\"",
                        "services" => "services=\"redis\"",
                        _ => "timeout=30",
                    }
                ));
            }
            (unknown, _) => {
                let hint = closest(unknown, ATTRIBUTES.iter().copied())
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                return Err(format!(
                    "unknown attribute `{unknown}`{hint} on a {} block; the known ones are {}",
                    kind.name(),
                    ATTRIBUTES.join(", ")
                ));
            }
        }
    }
    let expanded = crate::includes::expand_with_origins(&block.text, chapter_path, &book.includes)?;
    let lines = expanded
        .origins
        .iter()
        .map(|origin| match origin {
            LineOrigin::Block(i) => Location {
                line: location.line + 1 + i,
                ..location.clone()
            },
            LineOrigin::File(path, line) => Location {
                file: book.config.display_path(&book.config.src_dir.join(path)),
                line: *line,
                col: 0,
            },
        })
        .collect();
    // Hidden lines keep their place, so `lines` still matches the code line for line.
    let code = match kind {
        Kind::Script => code::runnable_code(&expanded.text),
        Kind::Session => expanded.text,
    };
    let expected = match expected {
        Some((line, text)) => Some(Expected { line, text: text? }),
        None => None,
    };
    Ok(Example {
        location: location.clone(),
        kind,
        mode,
        code,
        lines,
        expected,
        requires,
        services,
        timeout,
        min_python,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Chapter;
    use crate::transform::code::PythonVersion;

    fn book(source: &str) -> Book {
        let config = crate::config::parse(std::path::Path::new("/b"), "[book]\nsrc = \"src\"\n")
            .unwrap()
            .config;
        let mut includes = crate::includes::IncludedFiles::new();
        includes.insert(
            "ch/demo.py".into(),
            "import sys\n# ANCHOR: main\nprint('included')\n# ANCHOR_END: main\n".into(),
        );
        Book {
            config,
            toc: Vec::new(),
            chapters: vec![Chapter {
                title: "T".into(),
                number: None,
                depth: 0,
                part: None,
                ancestors: Vec::new(),
                source_path: "ch/x.md".into(),
                source: source.into(),
            }],
            assets: Vec::new(),
            includes,
        }
    }

    fn extract(source: &str) -> Vec<Result<Example, Diagnostic>> {
        examples(&book(source), 0)
    }

    #[test]
    fn output_counts_only_right_after_its_python_block() {
        let found = extract(
            "# T\n\n```python\nprint(1)\n```\n\n```output\n1\n```\n\n```python\nprint(2)\n```\n\nSome prose.\n\n```output\n2\n```\n",
        );
        let first = found[0].as_ref().unwrap();
        assert_eq!(first.location.line, 3);
        assert_eq!(first.lines[0].to_string(), "src/ch/x.md:4");
        assert_eq!(
            first.expected,
            Some(Expected {
                line: 7,
                text: "1\n".into()
            })
        );
        assert_eq!(found[1].as_ref().unwrap().expected, None);
        assert_eq!(found.len(), 2);
    }

    #[test]
    fn hidden_lines_run_and_includes_expand() {
        let found = extract(
            "```python\n#~ import os\nprint(os.sep)\n```\n\n```python\n{{#include demo.py:main}}\n```\n",
        );
        let hidden = found[0].as_ref().unwrap();
        assert_eq!(hidden.code, "import os\nprint(os.sep)\n");
        let included = found[1].as_ref().unwrap();
        assert_eq!(included.code, "print('included')\n");
        let lines: Vec<String> = included.lines.iter().map(ToString::to_string).collect();
        assert_eq!(lines, ["src/ch/demo.py:3"]);
    }

    #[test]
    fn attributes_set_mode_requires_services_and_timeout() {
        let found = extract(
            "```python no_run=\"needs a GPU\"\nx\n```\n\n```pycon ignore=\"3.13 only\"\n>>> 1\n1\n```\n\n```python requires=\"pytest click\" services=\"redis\" timeout=3 min_python=3.12\npass\n```\n",
        );
        let modes: Vec<_> = found
            .iter()
            .map(|e| e.as_ref().unwrap().mode.clone())
            .collect();
        assert_eq!(
            modes,
            [
                Mode::CompileOnly("needs a GPU".into()),
                Mode::Ignore("3.13 only".into()),
                Mode::Run
            ]
        );
        let last = found[2].as_ref().unwrap();
        assert_eq!(last.requires, ["pytest", "click"]);
        assert_eq!(last.services, [Service::Redis]);
        assert_eq!(last.timeout, Duration::from_secs(3));
        assert_eq!(
            last.min_python,
            Some(PythonVersion {
                major: 3,
                minor: 12
            })
        );
        assert_eq!(found[0].as_ref().unwrap().min_python, None);
        assert_eq!(found[0].as_ref().unwrap().timeout, Duration::from_secs(10));
    }

    #[test]
    fn malformed_attributes_are_errors_at_the_block() {
        let found = extract(
            "text\n\n```python no_run\nx\n```\n\n```python tiemout=3\nx\n```\n\n```pycon services=\"mongo\"\n```\n\n```python timeout=soon\n```\n\n```python\n{{#include missing.py}}\n```\n\n```python no_run=\"oops\n```\n",
        );
        let errors: Vec<_> = found.iter().map(|e| e.as_ref().unwrap_err()).collect();
        assert_eq!(errors[0].location.line, 3);
        assert!(
            errors[0].message.contains("needs a reason"),
            "{}",
            errors[0]
        );
        assert_eq!(errors[1].location.line, 7);
        assert!(
            errors[1].message.contains("did you mean `timeout`")
                && errors[1]
                    .message
                    .contains("no_run, ignore, requires, services, timeout, min_python"),
            "{}",
            errors[1]
        );
        assert!(errors[2].message.contains("mongo"), "{}", errors[2]);
        assert!(errors[3].message.contains("timeout=soon"), "{}", errors[3]);
        assert!(errors[4].message.contains("missing.py"), "{}", errors[4]);
        assert!(
            errors[5].message.contains("unclosed quote"),
            "{}",
            errors[5]
        );
        assert_eq!(errors.len(), 6);
    }

    #[test]
    fn other_languages_are_not_examples() {
        let found =
            extract("```console\n$ python x.py\n```\n\n```toml\na = 1\n```\n\n    indented\n");
        assert!(found.is_empty());
    }
}
