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
    /// The body HTML inside `print.html` (ids prefixed, links turned into anchors there).
    pub print_html: String,
    /// The body of the landing page, for the first chapter of a book without an
    /// `index.html` chapter (links rewritten for the site's root); otherwise `None`.
    pub landing_html: Option<String>,
    /// Headings, sections, links and events from the Markdown pass.
    pub rendered: markdown::Rendered,
    /// How many of its examples have a Run button (set by [`crate::playground::mark`]).
    pub runnable: usize,
}

/// Transforms every chapter of `book` (in parallel), `then` finishing each page (the
/// stage that still needs its events), and validates the links.
pub fn transform(book: &Book, then: impl Fn(&mut Page) + Sync) -> (Vec<Page>, Vec<Diagnostic>) {
    let done = |_: &mut [Page]| Ok::<_, std::convert::Infallible>(());
    let Ok(pages) = transform_in_batches(book, &then, usize::MAX, done);
    let diagnostics = check(book, &pages);
    (pages, diagnostics)
}

/// Transforms every chapter of `book`, `size` chapters at a time in parallel: `then`
/// finishes each page (the stage that still needs its events), and `batch` receives
/// each batch of finished pages, in reading order, before the next is transformed (so
/// a build can write pages and free their HTML as it goes).
pub fn transform_in_batches<E>(
    book: &Book,
    then: &(impl Fn(&mut Page) + Sync),
    size: usize,
    mut batch: impl FnMut(&mut [Page]) -> Result<(), E>,
) -> Result<Vec<Page>, E> {
    let highlighter = highlight::Highlighter::new();
    let chapters = links::Chapters::of(book);
    let mut pages: Vec<Page> = Vec::with_capacity(book.chapters.len());
    let mut start = 0;
    while start < book.chapters.len() {
        let end = start.saturating_add(size).min(book.chapters.len());
        pages.par_extend((start..end).into_par_iter().map(|index| {
            let mut page = transform_chapter(book, index, &highlighter);
            then(&mut page);
            page.finish(book, &chapters);
            page
        }));
        batch(&mut pages[start..end])?;
        start = end;
    }
    Ok(pages)
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
    Page {
        chapter: index,
        html: String::new(),
        print_html: String::new(),
        landing_html: None,
        rendered: markdown::transform(chapter, &ctx),
        runnable: 0,
    }
}

impl Page {
    /// Frees the bodies once the outputs have written them (a build keeps, of each page,
    /// what the link check, the search index and the landing page need).
    pub fn written(&mut self) {
        self.html = String::new();
        self.print_html = String::new();
    }

    /// Renders the page's HTML bodies from its events (once later stages are done
    /// changing them: [`crate::playground::mark`]), then drops the events: they are
    /// several times the size of the HTML, and a build holds every page at once.
    /// `chapters` names the book's chapters, for links inside `print.html`.
    pub fn finish(&mut self, book: &Book, chapters: &links::Chapters<'_>) {
        let chapter = &book.chapters[self.chapter];
        let from = chapter.source_path.as_str();
        let events = std::mem::take(&mut self.rendered.events);
        self.html = markdown::render_html(&events, &|dest| links::site_href(from, dest), "");
        let prefix = links::print_prefix(&chapter.output_path());
        let href = |dest: &str| links::print_href(from, dest, chapters);
        self.print_html = markdown::render_html(&events, &href, &prefix);
        if self.print_html.contains('\0') {
            // `print.html` marks where each body goes with U+0000 (see `render::print`).
            self.print_html = self.print_html.replace('\0', "\u{FFFD}");
        }
        if self.chapter == 0 && !book.has_index_chapter() {
            let href = |dest: &str| links::root_href(from, dest);
            self.landing_html = Some(markdown::render_html(&events, &href, ""));
        }
    }
}
