//! Parses `SUMMARY.md` in mdBook's format: prefix chapters, `# Part`
//! titles, nested numbered lists, `---` separators, suffix chapters and
//! draft chapters `[Title]()`. Pure: text in, [`Summary`] out.

/// One entry of the summary, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SummaryItem {
    /// `# Part title`.
    Part(String),
    /// `---`.
    Separator,
    /// A link to a chapter (or a draft, when `path` is `None`).
    Link(SummaryLink),
}

/// A chapter entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryLink {
    /// The link text.
    pub title: String,
    /// The Markdown file, relative to the source folder; `None` for a draft.
    pub path: Option<String>,
    /// Section number for numbered entries; `None` for prefix/suffix chapters.
    pub number: Option<Vec<u32>>,
    /// Nesting depth.
    pub depth: usize,
    /// The 1-based line in `SUMMARY.md`.
    pub line: usize,
}

/// A parsed `SUMMARY.md`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Summary {
    /// The optional `# Summary` title.
    pub title: Option<String>,
    /// Entries in order.
    pub items: Vec<SummaryItem>,
}

/// A line of `SUMMARY.md` that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SummaryError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub col: usize,
    /// What is wrong and what to write instead.
    pub message: String,
}

/// Parses the text of `SUMMARY.md`.
/// How deep chapters may nest (1.2.3.4.5.6.7.8): deeper summaries are errors, so the
/// numbers and breadcrumbs on every page stay short whatever the input.
pub const MAX_DEPTH: usize = 8;

/// Parses the text of `SUMMARY.md`.
pub fn parse(text: &str) -> Result<Summary, SummaryError> {
    let mut summary = Summary::default();
    let mut counters: Vec<u32> = Vec::new();
    let mut indents: Vec<usize> = Vec::new();
    let mut seen_numbered = false;
    let mut seen_suffix = false;
    let mut in_code = false;
    let mut in_comment = false;
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let trimmed = raw.trim();
        // An HTML comment may span lines (mdBook books comment out parts of the summary).
        if in_comment {
            in_comment = !trimmed.contains("-->");
            continue;
        }
        if trimmed.starts_with("<!--") {
            in_comment = !trimmed[4..].contains("-->");
            continue;
        }
        // A comment at the end of a line: `- [A](a.md) <!-- why -->`.
        let trimmed = match (trimmed.find("<!--"), trimmed.rfind("-->")) {
            (Some(open), Some(close)) if open < close && close + 3 == trimmed.len() => {
                trimmed[..open].trim_end()
            }
            _ => trimmed,
        };
        if trimmed.starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code || trimmed.is_empty() {
            continue;
        }
        if let Some(title) = trimmed.strip_prefix("# ") {
            if summary.title.is_none() && summary.items.is_empty() {
                summary.title = Some(title.trim().to_string());
            } else {
                summary
                    .items
                    .push(SummaryItem::Part(title.trim().to_string()));
            }
            continue;
        }
        if is_separator(trimmed) {
            summary.items.push(SummaryItem::Separator);
            continue;
        }
        let indent = raw.len() - raw.trim_start().len();
        let bullet = trimmed
            .strip_prefix("- ")
            .or_else(|| trimmed.strip_prefix("* "));
        let error = |message: String| SummaryError {
            line,
            col: indent + 1,
            message,
        };
        match bullet {
            Some(item) => {
                let (title, path) = parse_link(item.trim()).map_err(error)?;
                if seen_suffix {
                    return Err(error(format!(
                        "the numbered chapter `{title}` comes after a suffix chapter; move suffix chapters (links without `-`) below the numbered list"
                    )));
                }
                while indents.last().is_some_and(|&last| last > indent) {
                    indents.pop();
                    counters.pop();
                }
                if indents.last() == Some(&indent) {
                    *counters.last_mut().expect("counters follow indents") += 1;
                } else {
                    if indents.len() == MAX_DEPTH {
                        return Err(error(format!(
                            "`{title}` is nested {} levels deep; a table of contents may nest at most {MAX_DEPTH} levels (every page shows its chapter's number and breadcrumbs): indent it less",
                            MAX_DEPTH + 1
                        )));
                    }
                    indents.push(indent);
                    counters.push(1);
                }
                seen_numbered = true;
                summary.items.push(SummaryItem::Link(SummaryLink {
                    title,
                    path,
                    number: Some(counters.clone()),
                    depth: counters.len() - 1,
                    line,
                }));
            }
            None => {
                let (title, path) = parse_link(trimmed).map_err(error)?;
                // A chapter without a bullet after the numbered list ends it.
                seen_suffix |= seen_numbered;
                summary.items.push(SummaryItem::Link(SummaryLink {
                    title,
                    path,
                    number: None,
                    depth: 0,
                    line,
                }));
            }
        }
    }
    Ok(summary)
}

fn is_separator(line: &str) -> bool {
    line.len() >= 3
        && ["-", "*", "_"]
            .iter()
            .any(|c| line.chars().all(|x| x.to_string() == *c))
}

/// Reads `[Title](path.md)`; an empty path is a draft.
fn parse_link(text: &str) -> Result<(String, Option<String>), String> {
    let expected = || {
        format!(
            "expected a chapter link such as `- [Title](chapter.md)`, a `# Part` title or `---`, found `{text}`"
        )
    };
    let rest = text.strip_prefix('[').ok_or_else(expected)?;
    let body = rest.strip_suffix(')').ok_or_else(expected)?;
    let (title, path) = body.rsplit_once("](").ok_or_else(expected)?;
    let path = path.trim();
    if title.trim().is_empty() {
        return Err(format!("the chapter link `{text}` has no title"));
    }
    let path = (!path.is_empty()).then(|| path.strip_prefix("./").unwrap_or(path).to_string());
    if let Some(path) = &path {
        check_chapter_path(path)?;
    }
    Ok((title.trim().to_string(), path))
}

/// A chapter is a Markdown file inside the source folder: no absolute paths, no `..`.
pub(crate) fn check_chapter_path(path: &str) -> Result<(), String> {
    let outside = path.starts_with('/')
        || path.starts_with('\\')
        || path.contains(':')
        || path.split(['/', '\\']).any(|part| part == "..");
    if outside {
        return Err(format!(
            "`{path}` is outside the source folder; chapters are paths relative to it, without `..`"
        ));
    }
    if !path.ends_with(".md") || path == "SUMMARY.md" {
        return Err(format!(
            "`{path}` is not a chapter: chapters are Markdown files (`.md`) other than SUMMARY.md"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links(summary: &Summary) -> Vec<(String, Option<Vec<u32>>, usize)> {
        summary
            .items
            .iter()
            .filter_map(|item| match item {
                SummaryItem::Link(l) => Some((l.title.clone(), l.number.clone(), l.depth)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn numbers_nested_items_across_parts() {
        let text = "# Summary\n\n[Intro](index.md)\n\n# Part A\n\n- [One](a.md)\n  - [One.One](b.md)\n  - [One.Two]()\n- [Two](c.md)\n\n# Part B\n\n- [Three](d.md)\n\n---\n\n[Glossary](g.md)\n";
        let summary = parse(text).unwrap();
        assert_eq!(summary.title.as_deref(), Some("Summary"));
        assert_eq!(
            links(&summary),
            vec![
                ("Intro".into(), None, 0),
                ("One".into(), Some(vec![1]), 0),
                ("One.One".into(), Some(vec![1, 1]), 1),
                ("One.Two".into(), Some(vec![1, 2]), 1),
                ("Two".into(), Some(vec![2]), 0),
                ("Three".into(), Some(vec![3]), 0),
                ("Glossary".into(), None, 0),
            ]
        );
        assert!(summary.items.contains(&SummaryItem::Part("Part B".into())));
        assert!(summary.items.contains(&SummaryItem::Separator));
    }

    #[test]
    fn a_comment_over_several_lines_is_skipped() {
        let summary = parse("# Summary\n\n<!--\n\nNot a chapter.\n\n-->\n\n- [A](a.md) <!-- one line -->\n<!-- - [B](b.md) -->\n").unwrap();
        assert_eq!(links(&summary), vec![("A".into(), Some(vec![1]), 0)]);
    }

    #[test]
    fn draft_has_no_path() {
        let summary = parse("- [Later]()\n").unwrap();
        assert!(matches!(&summary.items[0], SummaryItem::Link(l) if l.path.is_none()));
    }

    #[test]
    fn garbage_line_is_an_error_with_its_line() {
        let err = parse("- [A](a.md)\n\njust some text\n").unwrap_err();
        assert_eq!(err.line, 3);
        assert!(err.message.contains("just some text"));
    }

    #[test]
    fn chapters_outside_the_source_folder_are_errors() {
        for bad in [
            "../../escape.md",
            "/etc/hostname",
            "a/../../b.md",
            "SUMMARY.md",
            "notes.txt",
        ] {
            let err = parse(&format!("- [A]({bad})\n")).unwrap_err();
            assert_eq!(err.line, 1, "{bad}");
        }
    }

    #[test]
    fn numbered_chapter_after_a_suffix_is_an_error() {
        let err = parse("- [A](a.md)\n[B](b.md)\n- [C](c.md)\n").unwrap_err();
        assert_eq!(err.line, 3);
        assert!(
            err.message.contains("after a suffix chapter"),
            "{}",
            err.message
        );
    }

    #[test]
    fn title_with_brackets_and_colon() {
        let summary = parse("- [re: [regular] expressions](re.md)\n").unwrap();
        assert_eq!(links(&summary)[0].0, "re: [regular] expressions");
    }
}
