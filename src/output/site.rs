//! The HTML site: a page per chapter (written as soon as it is transformed),
//! the landing page, `404.html`, the sitemap, the shared assets and the
//! book's own files.

use super::{Html, Output};
use crate::error::Result;
use crate::model::Book;
use crate::render::Renderer;
use crate::transform::Page;
use crate::write::Sink;

/// The site's pages and files.
pub(super) struct Site;

impl Output for Site {
    fn page(&self, html: &Html, book: &Book, page: &Page, sink: &dyn Sink) -> Result<()> {
        sink.put(Renderer::new(book, &html.theme, &html.shared).page(page)?)
    }

    fn finish(
        self: Box<Self>,
        html: &Html,
        book: &Book,
        pages: &[Page],
        sink: &dyn Sink,
    ) -> Result<()> {
        Renderer::new(book, &html.theme, &html.shared).book_files(pages.first(), sink)
    }
}
