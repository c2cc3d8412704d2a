//! The transform stage: each chapter's Markdown becomes a [`Page`] (HTML,
//! headings, sections, links), in parallel; then links are validated
//! across the whole book.

pub mod code;
pub mod highlight;
pub mod links;
pub mod markdown;
pub mod raw_html;

use rayon::prelude::*;

use crate::cache::Cache;
use crate::diagnostics::Diagnostic;
use crate::model::{Book, Chapter};

/// How many chapters a build transforms at a time before their pages are written and
/// their HTML freed: enough to keep every core busy, few enough that memory stays flat.
/// Also how the cache stores pages ([`crate::cache`]).
pub const BATCH: usize = 64;

/// A transformed chapter.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
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
    let Ok(pages) = transform_in_batches(book, &then, usize::MAX, None, done);
    let diagnostics = check(book, &pages);
    (pages, diagnostics)
}

/// Transforms every chapter of `book`, `size` chapters at a time in parallel: `then`
/// finishes each page (the stage that still needs its events), and `batch` receives
/// each batch of finished pages, in reading order, before the next is transformed (so
/// a build can write pages and free their HTML as it goes). With a `cache`, a chapter
/// whose page it holds is not transformed again, and the cache receives the rest.
pub fn transform_in_batches<E>(
    book: &Book,
    then: &(impl Fn(&mut Page) + Sync),
    size: usize,
    cache: Option<&Cache>,
    mut batch: impl FnMut(&mut [Page]) -> Result<(), E>,
) -> Result<Vec<Page>, E> {
    let highlighter = highlight::Highlighter::new();
    let chapters = links::Chapters::of(book);
    let mut pages: Vec<Page> = Vec::with_capacity(book.chapters.len());
    let mut start = 0;
    for number in 0.. {
        if start >= book.chapters.len() {
            break;
        }
        let end = start.saturating_add(size).min(book.chapters.len());
        let mut cached = cache.map(|cache| cache.batch(book, number, start..end));
        let mut found: Vec<Option<Page>> = match &mut cached {
            Some(cached) => std::mem::take(&mut cached.found),
            None => (start..end).map(|_| None).collect(),
        };
        pages.par_extend(found.par_iter_mut().zip(start..end).map(|(found, index)| {
            found.take().unwrap_or_else(|| {
                let mut page = transform_chapter(book, index, &highlighter);
                then(&mut page);
                page.finish(book, &chapters);
                page
            })
        }));
        if let (Some(cache), Some(cached)) = (cache, cached) {
            cache.store(number, cached, &pages[start..end]);
        }
        batch(&mut pages[start..end])?;
        start = end;
    }
    Ok(pages)
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
    Page {
        chapter: index,
        html: String::new(),
        print_html: String::new(),
        landing_html: None,
        rendered: markdown::transform(chapter, &context(book, chapter, highlighter)),
        runnable: 0,
    }
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
    /// Frees the bodies and the sections' texts once the outputs have written them and the
    /// search index has taken its documents (a build keeps, of each page, what the link
    /// check and the landing page need).
    pub fn written(&mut self) {
        self.html = String::new();
        self.print_html = String::new();
        for section in &mut self.rendered.sections {
            section.text = String::new();
        }
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
