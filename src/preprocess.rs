//! mdBook preprocessors (`[preprocessor.NAME]`): external programs that rewrite the
//! book's chapters before they are transformed, run with mdBook's own protocol so the
//! ones written for mdBook work unchanged.
//!
//! For each preprocessor, in the order `before`/`after` give ([`crate::config`]):
//! `COMMAND supports html` says whether it runs for this renderer (unless `renderers`
//! says), then `COMMAND` gets `[context, book]` as JSON on stdin and prints the book
//! on stdout, in mdBook 0.5's shapes (`PreprocessorContext` with `root`, `config`,
//! `renderer`, `mdbook_version`; `Book` with `items` of `Chapter`, `"Separator"` and
//! `PartTitle`). The returned book is the book: new text and names, and chapters it
//! adds (built at their `path`) or moves, where it puts them. Includes, links and highlighting run afterwards, so what a
//! preprocessor emits is checked like what the author wrote.

use std::collections::HashMap;
use std::io::Write;
use std::process::{Command, Stdio};

use serde::{Deserialize, Serialize};

use crate::config::{Config, Preprocessor};
use crate::diagnostics::{Diagnostic, Location};
use crate::model::{Chapter, SectionNumber, TocEntry};

/// The mdBook version whose protocol is spoken: preprocessors built against
/// `mdbook-preprocessor` 0.5 check it.
pub const MDBOOK_VERSION: &str = "0.5.0";

/// The renderer preprocessors are asked about and told of.
const RENDERER: &str = "html";

/// mdBook's `PreprocessorContext`, as JSON.
#[derive(Serialize)]
struct Context<'a> {
    root: &'a std::path::Path,
    config: &'a serde_json::Value,
    renderer: &'a str,
    mdbook_version: &'a str,
}

/// mdBook's `Book`.
#[derive(Serialize, Deserialize)]
struct Book {
    items: Vec<Item>,
}

/// mdBook's `BookItem`.
#[derive(Serialize, Deserialize)]
enum Item {
    Chapter(Box<ChapterJson>),
    Separator,
    PartTitle(String),
}

/// mdBook's `Chapter`.
#[derive(Serialize, Deserialize)]
struct ChapterJson {
    name: String,
    content: String,
    number: Option<Vec<u32>>,
    sub_items: Vec<Item>,
    path: Option<String>,
    source_path: Option<String>,
    parent_names: Vec<String>,
}

/// Runs the book's preprocessors over the book; each returns the book that the next one
/// gets and that is built (chapters it added or moved included). Each failure is a
/// diagnostic naming the preprocessor (the book is then left as it was).
pub fn run(
    config: &Config,
    toc: &mut Vec<TocEntry>,
    chapters: &mut Vec<Chapter>,
) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    for preprocessor in &config.preprocessors {
        match run_one(config, preprocessor, toc, chapters) {
            Ok(Some(book)) => diagnostics.extend(apply(preprocessor, book, toc, chapters)),
            Ok(None) => {}
            Err(problem) => diagnostics.push(problem),
        }
    }
    diagnostics
}

/// Runs one preprocessor; `None` if it does not run for HTML.
fn run_one(
    config: &Config,
    preprocessor: &Preprocessor,
    toc: &[TocEntry],
    chapters: &[Chapter],
) -> Result<Option<Book>, Diagnostic> {
    let name = &preprocessor.name;
    let fail = |message: String| {
        let diagnostic = if preprocessor.optional {
            Diagnostic::warning
        } else {
            Diagnostic::error
        };
        diagnostic(
            Location::file("book.toml"),
            format!("preprocessor `{name}`: {message}"),
        )
    };
    let supports = match &preprocessor.renderers {
        Some(renderers) => renderers.iter().any(|r| r == RENDERER),
        None => {
            let status = shell(
                config,
                &format!("{} supports {RENDERER}", preprocessor.command),
            )
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map_err(|e| fail(format!("cannot start a shell: {e}")))?;
            if status.code() == Some(127) {
                return Err(fail(not_found(preprocessor)));
            }
            status.success()
        }
    };
    if !supports {
        return Ok(None);
    }
    let context = Context {
        root: &config.root,
        config: &config.mdbook_json,
        renderer: RENDERER,
        mdbook_version: MDBOOK_VERSION,
    };
    let book = Book {
        items: items(toc, chapters),
    };
    let input = serde_json::to_vec(&(context, book)).expect("the book serialises");
    let mut child = shell(config, &preprocessor.command)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| fail(format!("cannot start `{}`: {e}", preprocessor.command)))?;
    let mut stdin = child.stdin.take().expect("stdin is piped");
    // Written on its own thread: a preprocessor may print before it has read everything.
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let output = child
        .wait_with_output()
        .map_err(|e| fail(format!("`{}` failed: {e}", preprocessor.command)))?;
    // A program that exits without reading its input closes the pipe: its exit status
    // and stderr say why, so the write error itself adds nothing.
    let _ = writer.join();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if output.status.code() == Some(127) {
        return Err(fail(not_found(preprocessor)));
    }
    if !output.status.success() {
        return Err(fail(format!(
            "`{}` failed ({}); it printed:\n{}",
            preprocessor.command,
            output.status,
            stderr.trim_end()
        )));
    }
    serde_json::from_slice(&output.stdout)
        .map(Some)
        .map_err(|e| {
            fail(format!(
                "`{}` printed something that is not an mdBook book ({e}); its stderr:\n{}",
                preprocessor.command,
                stderr.trim_end()
            ))
        })
}

fn not_found(preprocessor: &Preprocessor) -> String {
    format!(
        "command `{}` not found; install it (`cargo install mdbook-{}` for most), or set `command` in [preprocessor.{}]",
        preprocessor.command, preprocessor.name, preprocessor.name
    )
}

/// A shell running `command` in the book's root, as mdBook runs preprocessors there.
fn shell(config: &Config, command: &str) -> Command {
    let mut shell = Command::new("sh");
    shell.arg("-c").arg(command).current_dir(&config.root);
    shell
}

/// The book in mdBook's shape: chapters nested under their parents.
fn items(toc: &[TocEntry], chapters: &[Chapter]) -> Vec<Item> {
    // (depth, item) in reading order; nested by `nest`.
    let flat: Vec<(usize, Item)> = toc
        .iter()
        .map(|entry| match entry {
            TocEntry::Part(title) => (0, Item::PartTitle(title.clone())),
            TocEntry::Separator => (0, Item::Separator),
            TocEntry::Chapter(index) => {
                let chapter = &chapters[*index];
                let parent_names = chapter
                    .ancestors
                    .iter()
                    .map(|&i| chapters[i].title.clone())
                    .collect();
                // mdBook's `index` preprocessor has already named README files `index.md`.
                let path = crate::model::output_path_for(&chapter.source_path)
                    .trim_end_matches(".html")
                    .to_string()
                    + ".md";
                let json = ChapterJson {
                    name: chapter.title.clone(),
                    content: chapter.source.clone(),
                    number: chapter.number.as_ref().map(|n| n.0.clone()),
                    sub_items: Vec::new(),
                    path: Some(path),
                    source_path: Some(chapter.source_path.to_string()),
                    parent_names,
                };
                (chapter.depth, Item::Chapter(Box::new(json)))
            }
            TocEntry::Draft {
                title,
                number,
                depth,
            } => {
                let json = ChapterJson {
                    name: title.clone(),
                    content: String::new(),
                    number: number.as_ref().map(|n| n.0.clone()),
                    sub_items: Vec::new(),
                    path: None,
                    source_path: None,
                    parent_names: Vec::new(),
                };
                (*depth, Item::Chapter(Box::new(json)))
            }
        })
        .collect();
    let mut flat = flat.into_iter().peekable();
    nest(&mut flat, 0)
}

/// The items at `depth` and deeper, the deeper ones as `sub_items` of the chapter before them.
fn nest(
    flat: &mut std::iter::Peekable<impl Iterator<Item = (usize, Item)>>,
    depth: usize,
) -> Vec<Item> {
    let mut out: Vec<Item> = Vec::new();
    while let Some((d, _)) = flat.peek() {
        if *d < depth {
            break;
        }
        let (d, item) = flat.next().expect("peeked");
        let mut item = item;
        if let Item::Chapter(chapter) = &mut item {
            chapter.sub_items = nest(flat, d + 1);
        }
        out.push(item);
    }
    out
}

/// Makes the book `preprocessor` returned the book: its chapters in its order and
/// nesting, each one already there (by `source_path`) with its new name and text. A
/// chapter it added (a `path`, no `source_path`) becomes a page at that path; one it
/// dropped is not built, with a warning (links to it then fail, as in mdBook).
fn apply(
    preprocessor: &Preprocessor,
    book: Book,
    toc: &mut Vec<TocEntry>,
    chapters: &mut Vec<Chapter>,
) -> Vec<Diagnostic> {
    let mut rebuilt = Rebuilt {
        name: &preprocessor.name,
        old: chapters
            .drain(..)
            .map(|c| (c.source_path.to_string(), c))
            .collect(),
        toc: Vec::new(),
        chapters: Vec::new(),
        part: None,
        diagnostics: Vec::new(),
    };
    rebuilt.walk(book.items, 0, &mut Vec::new());
    let mut dropped: Vec<String> = rebuilt.old.into_keys().collect();
    dropped.sort();
    for path in dropped {
        rebuilt.diagnostics.push(warning(format!(
            "preprocessor `{}` dropped the chapter `{path}`, so it is not built",
            preprocessor.name
        )));
    }
    *toc = rebuilt.toc;
    *chapters = rebuilt.chapters;
    rebuilt.diagnostics
}

fn warning(message: String) -> Diagnostic {
    Diagnostic::warning(Location::file("book.toml"), message)
}

/// The table of contents and chapters being rebuilt from a preprocessor's book.
struct Rebuilt<'a> {
    /// The preprocessor's name, for messages.
    name: &'a str,
    /// The chapters before it ran, by source path, until the returned book places them.
    old: HashMap<String, Chapter>,
    toc: Vec<TocEntry>,
    chapters: Vec<Chapter>,
    /// The part the next chapter belongs to.
    part: Option<String>,
    diagnostics: Vec<Diagnostic>,
}

impl Rebuilt<'_> {
    /// Adds `items`, at `depth` under the chapters `ancestors` (indexes into `chapters`).
    fn walk(&mut self, items: Vec<Item>, depth: usize, ancestors: &mut Vec<usize>) {
        for item in items {
            match item {
                Item::PartTitle(title) => {
                    self.part = Some(title.clone());
                    self.toc.push(TocEntry::Part(title));
                }
                Item::Separator => {
                    self.part = None;
                    self.toc.push(TocEntry::Separator);
                }
                Item::Chapter(json) => self.chapter(*json, depth, ancestors),
            }
        }
    }

    fn chapter(&mut self, mut json: ChapterJson, depth: usize, ancestors: &mut Vec<usize>) {
        let sub_items = std::mem::take(&mut json.sub_items);
        let number = json.number.take().map(SectionNumber);
        let Some(mut chapter) = self.placed(json, &number, depth) else {
            // A draft (or a chapter that cannot be built): its sub-chapters stay listed.
            return self.walk(sub_items, depth + 1, ancestors);
        };
        chapter.number = number;
        chapter.depth = depth;
        chapter.part = self.part.clone();
        chapter.ancestors = ancestors.clone();
        let index = self.chapters.len();
        self.chapters.push(chapter);
        self.toc.push(TocEntry::Chapter(index));
        ancestors.push(index);
        self.walk(sub_items, depth + 1, ancestors);
        ancestors.pop();
    }

    /// The chapter `json` is: one already in the book with its new text, a new one at
    /// its `path`, or `None` for a draft (listed here) or a chapter that cannot be built
    /// (a warning).
    fn placed(
        &mut self,
        json: ChapterJson,
        number: &Option<SectionNumber>,
        depth: usize,
    ) -> Option<Chapter> {
        let name = self.name;
        if let Some(source_path) = &json.source_path {
            let Some(mut chapter) = self.old.remove(source_path) else {
                self.diagnostics.push(warning(format!(
                    "preprocessor `{name}` returned the chapter `{source_path}` twice, or one that is not in the book; it is built once, where SUMMARY.md has it"
                )));
                return None;
            };
            if json.content != chapter.source {
                // Its lines are the preprocessor's now.
                chapter.origins.clear();
            }
            chapter.source = json.content;
            chapter.title = json.name;
            return Some(chapter);
        }
        let Some(path) = json.path else {
            self.toc.push(TocEntry::Draft {
                title: json.name,
                number: number.clone(),
                depth,
            });
            return None;
        };
        let taken = self.old.contains_key(&path)
            || self.chapters.iter().any(|c| c.source_path.as_str() == path);
        let problem = match crate::load::summary::check_chapter_path(&path) {
            Err(why) => Some(why),
            Ok(()) if taken => Some(format!("`{path}` is another chapter's file")),
            Ok(()) => None,
        };
        if let Some(why) = problem {
            self.diagnostics.push(warning(format!(
                "preprocessor `{name}` added the chapter `{}` at a path that cannot be a page ({why}); it is not built",
                json.name
            )));
            return None;
        }
        Some(Chapter {
            title: json.name,
            number: None,
            depth,
            part: None,
            ancestors: Vec::new(),
            source_path: path.into(),
            source: json.content,
            page_title: None,
            origins: Vec::new(),
            includes: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chapter(title: &str, path: &str, depth: usize, ancestors: Vec<usize>) -> Chapter {
        Chapter {
            title: title.into(),
            number: Some(SectionNumber(vec![1])),
            depth,
            part: None,
            ancestors,
            source_path: path.into(),
            source: format!("# {title}\n"),
            page_title: None,
            origins: Vec::new(),
            includes: Vec::new(),
        }
    }

    #[test]
    fn the_book_has_mdbook_05_shapes() {
        let chapters = vec![
            chapter("Guide", "guide/README.md", 0, vec![]),
            chapter("Install", "guide/install.md", 1, vec![0]),
        ];
        let toc = vec![
            TocEntry::Part("Start".into()),
            TocEntry::Chapter(0),
            TocEntry::Chapter(1),
            TocEntry::Separator,
        ];
        let json = serde_json::to_value(Book {
            items: items(&toc, &chapters),
        })
        .unwrap();
        assert_eq!(json["items"][0], serde_json::json!({"PartTitle": "Start"}));
        assert_eq!(json["items"][2], serde_json::json!("Separator"));
        let guide = &json["items"][1]["Chapter"];
        assert_eq!(guide["path"], "guide/index.md");
        assert_eq!(guide["source_path"], "guide/README.md");
        assert_eq!(guide["number"], serde_json::json!([1]));
        let install = &guide["sub_items"][0]["Chapter"];
        assert_eq!(install["name"], "Install");
        assert_eq!(install["parent_names"], serde_json::json!(["Guide"]));
    }
}
