//! The only reader of the book's sources: `book.toml`, `SUMMARY.md`, the
//! chapters and the other files beside them. Produces a [`Book`].

pub mod summary;

use std::path::Path;

use rayon::prelude::*;

use crate::config;
use crate::diagnostics::{Diagnostic, Location};
use crate::error::{Error, Result};
use crate::includes::{self, IncludedFiles};
use crate::model::{Book, Chapter, SectionNumber, SourcePath, TocEntry};
use summary::{SummaryItem, SummaryLink};

/// A loaded book and what loading found wrong (errors included: the caller decides when to stop).
#[derive(Debug)]
pub struct Loaded {
    /// The book.
    pub book: Book,
    /// Warnings and errors found while loading.
    pub diagnostics: Vec<Diagnostic>,
}

/// Loads the book whose `book.toml` is in `root`.
pub fn load(root: &Path) -> Result<Loaded> {
    let config::Loaded { config, warnings } =
        config::load(root).map_err(|d| Error::Input(Box::new(d)))?;
    let mut diagnostics = warnings;
    let summary_path = config.src_dir.join("SUMMARY.md");
    let summary_display = config.display_path(&summary_path);
    let text = std::fs::read_to_string(&summary_path).map_err(|e| {
        Error::Input(Box::new(Diagnostic::error(
            Location::file(&summary_display),
            format!("cannot read the table of contents ({e}); create it with one `- [Title](chapter.md)` line per chapter"),
        )))
    })?;
    let summary = summary::parse(&text).map_err(|e| {
        Error::Input(Box::new(Diagnostic::error(
            Location {
                file: summary_display.clone(),
                line: e.line,
                col: e.col,
            },
            e.message,
        )))
    })?;

    let (mut toc, chapter_links) = table_of_contents(&summary.items);
    if chapter_links.is_empty() {
        return Err(Error::Input(Box::new(Diagnostic::error(
            Location::file(&summary_display),
            "the table of contents lists no chapter; add one `- [Title](chapter.md)` line per chapter",
        ))));
    }
    let sources: Vec<_> = chapter_links
        .par_iter()
        .map(|(link, _)| {
            let path = link.path.as_deref().expect("only linked chapters are loaded");
            let file = config.src_dir.join(path);
            crate::paths::read_inside(&config.root, &file).map_err(|why| {
                let location = Location { file: summary_display.clone(), line: link.line, col: 1 };
                let what = if !file.exists() {
                    format!("chapter `{}` links to `{path}`, which does not exist; create the file or fix the path", link.title)
                } else {
                    format!("cannot read `{path}`: {why}")
                };
                Diagnostic::error(location, what)
            })
        })
        .collect();

    let mut chapters = Vec::with_capacity(sources.len());
    // Markdown files that chapters include: parts of chapters, not pages of their own.
    let mut included_md = std::collections::HashSet::new();
    let mut seen = std::collections::HashMap::new();
    let mut unreadable = std::collections::HashSet::new();
    for ((link, context), source) in chapter_links.into_iter().zip(sources) {
        let path = link.path.clone().expect("only linked chapters are loaded");
        if let Some(first_line) = seen.insert(path.clone(), link.line) {
            diagnostics.push(Diagnostic::error(
                Location { file: summary_display.clone(), line: link.line, col: 1 },
                format!("`{path}` is already listed at line {first_line}; each file can be one chapter only"),
            ));
            continue;
        }
        let source = match source {
            Ok(source) => match nul_line(&source) {
                None => source,
                Some(line) => {
                    let file = config.display_path(&config.src_dir.join(&path));
                    diagnostics.push(Diagnostic::error(
                        Location { file, line, col: 1 },
                        "the chapter contains a NUL byte, which is not text: remove it (a binary file saved as Markdown?)",
                    ));
                    unreadable.insert(path.clone());
                    String::new()
                }
            },
            Err(d) => {
                diagnostics.push(d);
                unreadable.insert(path.clone());
                String::new()
            }
        };
        let mut included = std::collections::BTreeSet::new();
        let prose = expand_prose(&config, &path, source, &mut diagnostics, &mut included);
        included_md.extend(included.iter().cloned());
        chapters.push(Chapter {
            page_title: prose.title,
            origins: prose.origins,
            includes: included.into_iter().map(Into::into).collect(),
            title: link.title,
            number: link.number.map(SectionNumber),
            depth: link.depth,
            part: context.part,
            ancestors: context.ancestors,
            source_path: path.into(),
            source: prose.text,
        });
    }

    diagnostics.extend(crate::preprocess::run(&config, &mut toc, &mut chapters));
    diagnostics.extend(
        config
            .html
            .search
            .unknown_chapters(chapters.iter().map(|c| c.source_path.as_str())),
    );
    let assets = scan_sources(
        &config.src_dir,
        &chapters,
        &included_md,
        &config,
        &mut diagnostics,
    )?;
    let mut not_found = not_found_page(&config, &mut diagnostics);
    let mut includes = read_includes(&config, &mut chapters);
    if let Some(page) = &mut not_found {
        read_chapter_includes(&config, page, &mut includes);
    }
    let record = crate::pyodide::record_path(&config.src_dir);
    let playground_record = match std::fs::read_to_string(&record) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(source) => {
            return Err(Error::Io {
                path: record,
                source,
            });
        }
    };
    Ok(Loaded {
        book: Book {
            config,
            toc,
            chapters,
            not_found,
            assets,
            includes,
            unreadable,
            playground_record,
        },
        diagnostics,
    })
}

/// The 404 page's text, as mdBook takes it: `src/404.md`, or the file `input-404` names
/// (a warning if that one is missing). Its directives are carried out as a chapter's.
fn not_found_page(
    config: &crate::config::Config,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Chapter> {
    let path = config.html.input_404.as_str();
    let file = config.src_dir.join(path);
    if !file.is_file() {
        if config.html.input_404_set {
            diagnostics.push(Diagnostic::warning(
                Location::file("book.toml"),
                format!("`output.html.input-404` = `{path}`: there is no such file in `{}`, so 404.html has the theme's text; create it or remove the key", config.display_path(&config.src_dir).display()),
            ));
        }
        return None;
    }
    let source = match crate::paths::read_inside(&config.root, &file) {
        Ok(source) => source,
        Err(why) => {
            diagnostics.push(Diagnostic::error(
                Location::file(config.display_path(&file)),
                format!("cannot read the 404 page: {why}"),
            ));
            return None;
        }
    };
    let mut included = std::collections::BTreeSet::new();
    let prose = expand_prose(config, path, source, diagnostics, &mut included);
    Some(Chapter {
        title: "Page not found".into(),
        number: None,
        depth: 0,
        part: None,
        ancestors: Vec::new(),
        source_path: path.into(),
        source: prose.text,
        page_title: prose.title,
        origins: prose.origins,
        includes: included.into_iter().map(Into::into).collect(),
    })
}

/// How many folders the book's root is above the source folder.
fn src_depth(config: &crate::config::Config) -> usize {
    config
        .src_dir
        .strip_prefix(&config.root)
        .map_or(0, |src| src.components().count())
}

/// The chapter at `path` with the directives outside its code blocks carried out
/// ([`includes::expand_prose`]): its text, the page title it sets and where its lines
/// were written; problems go to `diagnostics`.
fn expand_prose(
    config: &crate::config::Config,
    path: &str,
    source: String,
    diagnostics: &mut Vec<Diagnostic>,
    included: &mut std::collections::BTreeSet<String>,
) -> includes::Prose {
    let mut read = |target: &Path| {
        included.insert(target.to_string_lossy().replace('\\', "/"));
        crate::paths::read_inside(&config.root, &config.src_dir.join(target))
    };
    let mut prose = includes::expand_prose(&source, path, src_depth(config), &mut read);
    if !prose.problems.is_empty() {
        let file = config.display_path(&config.src_dir.join(path));
        let lines = crate::diagnostics::LineIndex::new(&source);
        for (offset, problem) in std::mem::take(&mut prose.problems) {
            diagnostics.push(Diagnostic::error(
                lines.locate(&file, &source, offset),
                problem,
            ));
        }
    }
    prose
}

/// The 1-based line of the first NUL byte in `text`.
fn nul_line(text: &str) -> Option<usize> {
    let at = text.find('\0')?;
    Some(text[..at].matches('\n').count() + 1)
}

/// Reads every file that a chapter includes. A file that cannot be read is left out:
/// the transform stage reports it where the directive is.
fn read_includes(config: &crate::config::Config, chapters: &mut [Chapter]) -> IncludedFiles {
    let mut files = IncludedFiles::new();
    for chapter in chapters {
        read_chapter_includes(config, chapter, &mut files);
    }
    files
}

/// Records which files `chapter` includes, and reads them into `files` (again, if
/// already there); returns whether any text changed.
fn read_chapter_includes(
    config: &crate::config::Config,
    chapter: &mut Chapter,
    files: &mut IncludedFiles,
) -> bool {
    let mut changed = false;
    let up = src_depth(config);
    for include in includes::find_includes(&chapter.source) {
        let target = includes::include_target(&chapter.source_path, &include.path);
        if let Some(why) = includes::leaves_the_book(&chapter.source_path, &include.path, up) {
            changed |= files.insert(target, Err(why.clone())) != Some(Err(why));
            continue;
        }
        // After the files its text includes, which the prose pass recorded.
        if !chapter.includes.contains(&target) {
            chapter.includes.push(target);
        }
    }
    for target in chapter.includes.clone() {
        let file = config.src_dir.join(&target);
        if !file.exists() {
            changed |= files.remove(&target).is_some();
            continue;
        }
        let read = crate::paths::read_inside(&config.root, &file);
        if files.get(&target) != Some(&read) {
            files.insert(target, read);
            changed = true;
        }
    }
    changed
}

/// Re-reads one chapter's file and the files it includes into `book`, for a driver that
/// rebuilds one chapter at a time (`handbook serve`). Returns whether anything changed;
/// a file that cannot be read is an error (the caller falls back to a full [`load`],
/// which reports it at its `SUMMARY.md` line).
pub fn reload_chapter(book: &mut Book, index: usize) -> Result<bool> {
    let chapter = &mut book.chapters[index];
    let path = book.config.src_dir.join(&chapter.source_path);
    let source = crate::paths::read_inside(&book.config.root, &path).map_err(|why| Error::Io {
        path: path.clone(),
        source: std::io::Error::other(why),
    })?;
    let mut problems = Vec::new();
    let mut included = std::collections::BTreeSet::new();
    let prose = expand_prose(
        &book.config,
        &chapter.source_path,
        source,
        &mut problems,
        &mut included,
    );
    chapter.includes = included.into_iter().map(Into::into).collect();
    if let Some(problem) = problems.into_iter().next() {
        return Err(Error::Input(Box::new(problem)));
    }
    let changed = prose.text != chapter.source || prose.title != chapter.page_title;
    chapter.source = prose.text;
    chapter.page_title = prose.title;
    chapter.origins = prose.origins;
    Ok(read_chapter_includes(&book.config, chapter, &mut book.includes) || changed)
}

/// Where a chapter sits in the summary.
#[derive(Debug, Default, Clone)]
struct Context {
    part: Option<String>,
    ancestors: Vec<usize>,
}

/// Turns summary items into TOC entries, and lists the linked chapters in order.
fn table_of_contents(items: &[SummaryItem]) -> (Vec<TocEntry>, Vec<(SummaryLink, Context)>) {
    let mut toc = Vec::new();
    let mut links = Vec::new();
    let mut part = None;
    // (depth, chapter index) of the chapters above the current one.
    let mut stack: Vec<(usize, usize)> = Vec::new();
    for item in items {
        match item {
            SummaryItem::Part(title) => {
                part = Some(title.clone());
                stack.clear();
                toc.push(TocEntry::Part(title.clone()));
            }
            SummaryItem::Separator => {
                part = None;
                stack.clear();
                toc.push(TocEntry::Separator);
            }
            SummaryItem::Link(link) => {
                stack.retain(|&(depth, _)| depth < link.depth);
                match &link.path {
                    None => toc.push(TocEntry::Draft {
                        title: link.title.clone(),
                        number: link.number.clone().map(SectionNumber),
                        depth: link.depth,
                    }),
                    Some(_) => {
                        let index = links.len();
                        let ancestors = stack.iter().map(|&(_, i)| i).collect();
                        links.push((
                            link.clone(),
                            Context {
                                part: part.clone(),
                                ancestors,
                            },
                        ));
                        toc.push(TocEntry::Chapter(index));
                        stack.push((link.depth, index));
                    }
                }
            }
        }
    }
    (toc, links)
}

/// Lists non-Markdown files to copy, and warns about Markdown files no chapter uses.
fn scan_sources(
    src_dir: &Path,
    chapters: &[Chapter],
    included: &std::collections::HashSet<String>,
    config: &config::Config,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Vec<SourcePath>> {
    let used: std::collections::HashSet<&str> =
        chapters.iter().map(|c| c.source_path.as_str()).collect();
    let mut assets = Vec::new();
    for file in crate::paths::files_under(src_dir)? {
        if file.relative.ends_with(".md") {
            // `404.md` (or `input-404`) is the text of the 404 page.
            let special = file.relative == "SUMMARY.md" || file.relative == config.html.input_404;
            if !special
                && !used.contains(file.relative.as_str())
                && !included.contains(&file.relative)
            {
                diagnostics.push(Diagnostic::warning(
                    Location::file(config.display_path(&file.path)),
                    "not listed in SUMMARY.md, so no page is built from it",
                ));
            }
        } else if file.relative != crate::pyodide::RECORD_FILE {
            // The record is the build's input, not a file of the site.
            assets.push(SourcePath::from(file.relative));
        }
    }
    Ok(assets)
}
