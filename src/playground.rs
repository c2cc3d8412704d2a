//! The Run buttons on the site (the build's side of the browser playground).
//!
//! [`mark`] gives each Python example whose current hash is in the book's
//! verification record ([`crate::examples::browser`]) the attributes the
//! theme's script turns into a Run button and an editor: `data-run` (`script`
//! or `pycon`), `data-session` for a block of a shared session (the browser
//! runs the blocks before it first), and `data-hidden` for a script's hidden
//! `#~` lines, which run but are not shown. [`assets`] makes what the button
//! loads on first click: the player (`js/playground.js` of the theme, with the
//! worker, the runner and the runtime's file list) and the runtime itself, as
//! classic scripts under `assets/`. A page without a verified example gets
//! none of this, and no page loads any of it before a click.

use std::path::Path;

use crate::examples::browser::{self, Record};
use crate::examples::extract;
use crate::html::escape;
use crate::model::Book;
use crate::pyodide::{self, Runtime};
use crate::render::theme::Theme;
use crate::transform::Page;
use crate::transform::code::{self, CodeBlock};
use crate::write::OutputFile;

/// Whether the book may have Run buttons: they are on, and its record names examples.
/// (`serve` ships the runtime on this alone; a build ships it only when a page has one.)
pub fn wanted(book: &Book) -> bool {
    book.config.html.playground.runnable && !book.playground_record.is_empty()
}

/// Adds the Run attributes to `page`'s verified examples, and counts them in
/// [`Page::runnable`]; [`Page::finish`] renders them.
pub fn mark(book: &Book, page: &mut Page) {
    if !wanted(book) {
        return;
    }
    let record = Record::parse(&book.playground_record);
    let examples = extract::examples(book, page);
    let chapter = &book.chapters[page.chapter].source_path;
    let mut marked = 0;
    for job in browser::plan(&examples).jobs {
        for ((location, hash), example) in job.locations.iter().zip(&job.hashes).zip(&job.blocks) {
            if !record.contains(hash) {
                continue;
            }
            let found = page
                .rendered
                .code_blocks
                .iter()
                .find(|b| b.location.line == location.line);
            let Some(block) = found else { continue };
            let session = examples
                .iter()
                .find(|e| e.location.line == location.line)
                .and_then(|e| e.session.as_deref());
            let attributes = attributes(example.kind, chapter, session, block);
            if let Some(pulldown_cmark::Event::Html(html)) =
                page.rendered.events.get_mut(block.event)
            {
                *html = html
                    .replacen(
                        "<div class=\"code-block\"",
                        &format!("<div class=\"code-block\"{attributes}"),
                        1,
                    )
                    .into();
                marked += 1;
            }
        }
    }
    page.runnable = marked;
}

/// The attributes of a runnable block.
fn attributes(kind: &str, chapter: &str, session: Option<&str>, block: &CodeBlock) -> String {
    let mut out = format!(" data-run=\"{kind}\"");
    if let Some(name) = session {
        // Session names are a chapter's own; print.html holds every chapter.
        out.push_str(&format!(
            " data-session=\"{}\"",
            escape(&format!("{chapter}:{name}"))
        ));
    }
    let hidden = hidden_lines(&block.code.text);
    if !hidden.is_empty() {
        let json = serde_json::to_string(&hidden).expect("strings serialise");
        out.push_str(&format!(" data-hidden=\"{}\"", escape(&json)));
    }
    out
}

/// A script's hidden lines as they run, grouped by the shown line they come before
/// (`[shown line index, text]`), so the browser can put them back around the code the
/// reader sees (and edits).
fn hidden_lines(text: &str) -> Vec<(usize, String)> {
    let mut groups: Vec<(usize, String)> = Vec::new();
    let mut shown = 0;
    for line in text.split_inclusive('\n') {
        if code::is_hidden(line) {
            let runs = code::runnable_code(line);
            match groups.last_mut() {
                Some((at, group)) if *at == shown => group.push_str(&runs),
                _ => groups.push((shown, runs)),
            }
        } else {
            shown += 1;
        }
    }
    groups
}

/// What the Run buttons load: the player script and the runtime's files.
pub struct Assets {
    /// Every file, the player included.
    pub files: Vec<OutputFile>,
    /// The player's path in the site (`assets/playground-<hash>.js`).
    pub js: String,
    /// Whether readers may edit the examples.
    pub editable: bool,
}

/// The player (`js/playground.js` with the worker, the runner and the runtime's file
/// list) and the runtime, installed in `cache_dir` first if needed.
pub fn assets(book: &Book, theme: &Theme, cache_dir: &Path) -> crate::error::Result<Assets> {
    let runtime = Runtime::ensure(cache_dir)?;
    let (mut files, manifest) = runtime.site_files()?;
    let data = serde_json::json!({
        "version": pyodide::version(),
        "runtime": manifest,
        "worker": pyodide::WORKER_JS,
        "files": pyodide::runner_files_json(),
        "scripts": browser::SCRIPT_FILES,
    });
    let player = format!(
        "window.handbookPlaygroundData = {data};\n{}",
        theme.script("js/playground.js")?
    );
    let file = crate::render::hashed_file("assets/playground", "js", player);
    let js = file.path.clone();
    files.push(file);
    Ok(Assets {
        files,
        js,
        editable: book.config.html.playground.editable,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_lines_are_grouped_before_the_shown_line_they_precede() {
        let text = "#~ import os\n#~ x = 1\nprint(x)\n\n    #~ y = 2\nprint(y)\n#~ print('end')\n";
        assert_eq!(
            hidden_lines(text),
            [
                (0, "import os\nx = 1\n".to_string()),
                (2, "    y = 2\n".to_string()),
                (3, "print('end')\n".to_string())
            ]
        );
    }
}
