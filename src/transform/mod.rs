//! The transform stage: each chapter's Markdown becomes a [`Page`] (HTML,
//! headings, sections, links), in parallel; then links are validated
//! across the whole book.

pub mod code;
pub mod highlight;
pub mod links;
pub mod markdown;
pub mod raw_html;

use rayon::prelude::*;

use crate::diagnostics::Diagnostic;
use crate::model::{Book, Chapter};

/// A transformed chapter.
#[derive(Debug, Clone)]
pub struct Page {
    /// Index of its chapter in [`Book::chapters`].
    pub chapter: usize,
    /// The body HTML for the site.
    pub html: String,
    /// Headings, sections, links and events from the Markdown pass.
    pub rendered: markdown::Rendered,
    /// How many of its examples have a Run button (set by [`crate::playground::mark`]).
    pub runnable: usize,
}

/// Transforms every chapter of `book` (in parallel) and validates the links.
pub fn transform(book: &Book) -> (Vec<Page>, Vec<Diagnostic>) {
    let highlighter = highlight::Highlighter::new();
    let pages: Vec<Page> = (0..book.chapters.len())
        .into_par_iter()
        .map(|index| transform_chapter(book, index, &highlighter))
        .collect();
    let diagnostics = check(book, &pages);
    (pages, diagnostics)
}

/// Every problem of the transformed book: each page's own (in page order), then its
/// links checked across the book. `build`, `serve` and `test` all report through this,
/// so they agree on what is wrong.
pub fn check(book: &Book, pages: &[Page]) -> Vec<Diagnostic> {
    let not_found = not_found(book, &highlight::Highlighter::new());
    let mut diagnostics: Vec<Diagnostic> = pages
        .iter()
        .map(|p| &p.rendered)
        .chain(&not_found)
        .flat_map(|rendered| rendered.diagnostics.iter().cloned())
        .collect();
    diagnostics.extend(links::check(book, pages, not_found.as_ref()));
    diagnostics
}

/// Transforms one chapter.
pub fn transform_chapter(book: &Book, index: usize, highlighter: &highlight::Highlighter) -> Page {
    let chapter = &book.chapters[index];
    let mut page = Page {
        chapter: index,
        html: String::new(),
        rendered: markdown::transform(chapter, &context(book, chapter, highlighter)),
        runnable: 0,
    };
    page.render_html(chapter.source_path.as_str());
    page
}

/// Transforms the 404 page's text ([`Book::not_found`]), if the book has one. It is small
/// and not a page of its own, so `check` and the 404 output each transform it.
pub fn not_found(book: &Book, highlighter: &highlight::Highlighter) -> Option<markdown::Rendered> {
    let page = book.not_found.as_ref()?;
    Some(markdown::transform(page, &context(book, page, highlighter)))
}

/// What the Markdown pass of `chapter` needs from the book.
fn context<'a>(
    book: &'a Book,
    chapter: &Chapter,
    highlighter: &'a highlight::Highlighter,
) -> markdown::Context<'a> {
    markdown::Context {
        highlighter,
        includes: &book.includes,
        display_path: book
            .config
            .display_path(&book.config.src_dir.join(&chapter.source_path)),
        src_display: book.config.display_path(&book.config.src_dir),
        strict_console: book.config.test.declared,
        allow_active_content: book.config.html.allow_active_content,
        options: markdown::options(&book.config.html),
        hidelines: &book.config.html.hidelines,
    }
}

impl Page {
    /// Renders [`Page::html`] from the events again (after a later stage changed them:
    /// [`crate::playground::mark`]).
    /// `from` is the chapter's source path, which relative links start from.
    pub fn render_html(&mut self, from: &str) {
        let href = |dest: &str| links::site_href(from, dest);
        self.html = markdown::render_html(&self.rendered.events, &href, "");
    }
}
