//! The examples of a chapter, from the code blocks the transform already
//! parsed ([`crate::transform::code::CodeBlock`]): what is tested is exactly
//! what readers see, read once. A `python` (or `bash run`) block takes the
//! ```` ```output ```` block right after it as its expected output.

use super::{Example, Expected, Kind, Mode};
use crate::diagnostics::Location;
use crate::includes::LineOrigin;
use crate::model::Book;
use crate::transform::Page;
use crate::transform::code::{self, CodeBlock, Lang, Skip};

/// The examples of `page`, in order.
pub fn examples(book: &Book, page: &Page) -> Vec<Example> {
    let chapter = &book.chapters[page.chapter];
    let blocks = &page.rendered.code_blocks;
    let mut found = Vec::new();
    for (i, block) in blocks.iter().enumerate() {
        let Some(kind) = kind_of(block) else {
            continue;
        };
        let expected = blocks.get(i + 1).filter(|next| {
            matches!(kind, Kind::Script | Kind::Shell)
                && next.info.lang == Lang::Output
                && chapter.source[block.range.end.min(next.range.start)..next.range.start]
                    .trim()
                    .is_empty()
        });
        found.push(build(book, kind, block, expected));
    }
    found
}

fn kind_of(block: &CodeBlock) -> Option<Kind> {
    if !block.info.is_example() {
        return None;
    }
    Some(match block.info.lang {
        Lang::Python => Kind::Script,
        Lang::Pycon => Kind::Session,
        Lang::Console => Kind::Console,
        _ => Kind::Shell,
    })
}

fn build(book: &Book, kind: Kind, block: &CodeBlock, expected: Option<&CodeBlock>) -> Example {
    let attrs = &block.info.attrs;
    let location = Location {
        col: 0,
        ..block.location.clone()
    };
    let lines = block
        .code
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
        Kind::Script => code::runnable_code(&block.code.text),
        _ => block.code.text.clone(),
    };
    Example {
        location,
        kind,
        mode: match &attrs.skip {
            None => Mode::Run,
            Some(Skip::NoRun(reason)) => Mode::CompileOnly(reason.clone()),
            Some(Skip::Ignore(reason)) => Mode::Ignore(reason.clone()),
        },
        code,
        lines,
        expected: expected.map(|output| Expected {
            line: output.location.line,
            text: output.code.text.clone(),
        }),
        commands: block
            .session
            .as_ref()
            .map(|s| s.commands.clone())
            .unwrap_or_default(),
        requires: attrs.requires.clone(),
        services: attrs.services.clone(),
        timeout: attrs.timeout.unwrap_or(book.config.test.timeout),
        min_python: attrs.min_python,
        session: attrs.session.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Chapter;
    use crate::transform::code::{PythonVersion, Service};
    use std::time::Duration;

    fn book(source: &str) -> Book {
        let config = crate::config::parse(std::path::Path::new("/b"), "[book]\nsrc = \"src\"\n")
            .unwrap()
            .config;
        let mut includes = crate::includes::IncludedFiles::new();
        includes.insert(
            "ch/demo.py".into(),
            Ok("import sys\n# ANCHOR: main\nprint('included')\n# ANCHOR_END: main\n".into()),
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
                page_title: None,
                origins: Vec::new(),
                includes: crate::includes::targets("ch/x.md", source, 1),
            }],
            not_found: None,
            assets: Vec::new(),
            includes,
            unreadable: Default::default(),
            playground_record: String::new(),
        }
    }

    fn extract(source: &str) -> Vec<Example> {
        let book = book(source);
        let page = crate::transform::transform_chapter(&book, 0, &Default::default());
        assert!(
            page.rendered.diagnostics.iter().all(|d| !d.is_error()),
            "{:?}",
            page.rendered.diagnostics
        );
        examples(&book, &page)
    }

    #[test]
    fn output_counts_only_right_after_its_python_block() {
        let found = extract(
            "# T\n\n```python\nprint(1)\n```\n\n```output\n1\n```\n\n```python\nprint(2)\n```\n\nSome prose.\n\n```output\n2\n```\n",
        );
        let first = &found[0];
        assert_eq!(first.location.line, 3);
        assert_eq!(first.lines[0].to_string(), "src/ch/x.md:4");
        assert_eq!(
            first.expected,
            Some(Expected {
                line: 7,
                text: "1\n".into()
            })
        );
        assert_eq!(found[1].expected, None);
        assert_eq!(found.len(), 2);
    }

    #[test]
    fn hidden_lines_run_and_includes_expand() {
        let found = extract(
            "```python\n#~ import os\nprint(os.sep)\n```\n\n```python\n{{#include demo.py:main}}\n```\n",
        );
        assert_eq!(found[0].code, "import os\nprint(os.sep)\n");
        assert_eq!(found[1].code, "print('included')\n");
        let lines: Vec<String> = found[1].lines.iter().map(ToString::to_string).collect();
        assert_eq!(lines, ["src/ch/demo.py:3"]);
    }

    #[test]
    fn python3_block_runs_its_hidden_lines() {
        let found = extract("```python3\n#~ import os\nprint(os.sep)\n```\n");
        assert_eq!(found[0].kind, Kind::Script);
        assert_eq!(found[0].code, "import os\nprint(os.sep)\n");
    }

    #[test]
    fn doctest_block_is_a_session_example() {
        let found = extract("```doctest\n>>> 1 + 1\n3\n```\n");
        assert_eq!(found[0].kind, Kind::Session);
    }

    #[test]
    fn attributes_set_mode_requires_services_timeout_and_session() {
        let found = extract(
            "```python no_run=\"needs a GPU\"\nx\n```\n\n```pycon ignore=\"3.13 only\"\n>>> 1\n1\n```\n\n```python requires=\"pytest click\" services=\"redis postgres\" timeout=3 min_python=3.12 session=s\npass\n```\n",
        );
        let modes: Vec<_> = found.iter().map(|e| e.mode.clone()).collect();
        assert_eq!(
            modes,
            [
                Mode::CompileOnly("needs a GPU".into()),
                Mode::Ignore("3.13 only".into()),
                Mode::Run
            ]
        );
        let last = &found[2];
        assert_eq!(last.requires, ["pytest", "click"]);
        assert_eq!(last.services, [Service::Redis, Service::Postgres]);
        assert_eq!(last.timeout, Duration::from_secs(3));
        assert_eq!(last.session.as_deref(), Some("s"));
        assert_eq!(
            last.min_python,
            Some(PythonVersion {
                major: 3,
                minor: 12
            })
        );
        assert_eq!(found[0].timeout, Duration::from_secs(10));
    }

    #[test]
    fn console_blocks_carry_their_commands_and_bash_runs_only_with_run() {
        let found = extract(
            "```console\n$ echo hi\nhi\n```\n\n```bash\necho shown only\n```\n\n```bash run\necho ran\n```\n\n```output\nran\n```\n\n```toml\na = 1\n```\n\n    indented\n",
        );
        let kinds: Vec<Kind> = found.iter().map(|e| e.kind).collect();
        assert_eq!(kinds, [Kind::Console, Kind::Shell]);
        assert_eq!(found[0].commands[0].text, "echo hi");
        assert_eq!(found[0].commands[0].expected, ["hi"]);
        assert_eq!(
            found[1].expected.as_ref().map(|e| e.text.as_str()),
            Some("ran\n")
        );
    }
}
