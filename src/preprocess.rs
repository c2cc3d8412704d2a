//! mdBook preprocessors (`[preprocessor.NAME]`): external programs that rewrite the
//! book's chapters before they are transformed, run with mdBook's own protocol so the
//! ones written for mdBook work unchanged.
//!
//! For each preprocessor, in the order `before`/`after` give ([`crate::config`]):
//! `COMMAND supports html` says whether it runs for this renderer (unless `renderers`
//! says), then `COMMAND` gets `[context, book]` as JSON on stdin and prints the book
//! on stdout, in mdBook 0.5's shapes (`PreprocessorContext` with `root`, `config`,
//! `renderer`, `mdbook_version`; `Book` with `items` of `Chapter`, `"Separator"` and
//! `PartTitle`). The chapters' new text replaces the old; the table of contents stays
//! `SUMMARY.md`'s. Includes, links and highlighting run afterwards, so what a
//! preprocessor emits is checked like what the author wrote.

use std::collections::HashMap;
use std::io::Write;
use std::process::{Command, Stdio};

use serde::{Deserialize, Serialize};

use crate::config::{Config, Preprocessor};
use crate::diagnostics::{Diagnostic, Location};
use crate::model::{Chapter, TocEntry};

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

/// Runs the book's preprocessors over `chapters`; each failure is a diagnostic naming
/// the preprocessor (the chapters are then left as they were).
pub fn run(config: &Config, toc: &[TocEntry], chapters: &mut [Chapter]) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    for preprocessor in &config.preprocessors {
        match run_one(config, preprocessor, toc, chapters) {
            Ok(Some(book)) => diagnostics.extend(apply(preprocessor, book, chapters)),
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

/// Takes the new text (and title) of each chapter from `book`; a chapter the
/// preprocessor added or dropped is a warning (the contents stay `SUMMARY.md`'s).
fn apply(preprocessor: &Preprocessor, book: Book, chapters: &mut [Chapter]) -> Vec<Diagnostic> {
    let mut returned: HashMap<String, ChapterJson> = HashMap::new();
    let mut added = Vec::new();
    let mut stack = book.items;
    while let Some(item) = stack.pop() {
        if let Item::Chapter(mut chapter) = item {
            stack.append(&mut chapter.sub_items);
            match chapter.source_path.clone() {
                Some(path) => {
                    returned.insert(path, *chapter);
                }
                None if chapter.path.is_some() => added.push(chapter.name),
                None => {}
            }
        }
    }
    let mut diagnostics = Vec::new();
    for chapter in chapters.iter_mut() {
        match returned.remove(chapter.source_path.as_str()) {
            Some(new) => {
                if new.content != chapter.source {
                    // Its lines are the preprocessor's now.
                    chapter.origins.clear();
                }
                chapter.source = new.content;
                chapter.title = new.name;
            }
            None => diagnostics.push(Diagnostic::warning(
                Location::file("book.toml"),
                format!(
                    "preprocessor `{}` dropped the chapter `{}`; it is built as written",
                    preprocessor.name, chapter.source_path
                ),
            )),
        }
    }
    added.extend(returned.into_keys());
    for name in added {
        diagnostics.push(Diagnostic::warning(
            Location::file("book.toml"),
            format!(
                "preprocessor `{}` added the chapter `{name}`, which is not built: the table of contents is SUMMARY.md's",
                preprocessor.name
            ),
        ));
    }
    diagnostics
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SectionNumber;

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
