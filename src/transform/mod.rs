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
use crate::model::Book;

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
    let mut diagnostics: Vec<Diagnostic> = pages
        .iter()
        .flat_map(|p| p.rendered.diagnostics.iter().cloned())
        .collect();
    diagnostics.extend(links::check(book, pages));
    diagnostics
}

/// Transforms one chapter.
pub fn transform_chapter(book: &Book, index: usize, highlighter: &highlight::Highlighter) -> Page {
    let chapter = &book.chapters[index];
    let ctx = markdown::Context {
        highlighter,
        includes: &book.includes,
        display_path: book
            .config
            .display_path(&book.config.src_dir.join(&chapter.source_path)),
        allow_active_content: book.config.html.allow_active_content,
        options: markdown::options(&book.config.html),
        hidelines: &book.config.html.hidelines,
    };
    let mut page = Page {
        chapter: index,
        html: String::new(),
        rendered: markdown::transform(chapter, &ctx),
        runnable: 0,
    };
    page.render_html(chapter.source_path.as_str());
    page
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
