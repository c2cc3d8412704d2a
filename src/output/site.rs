//! The HTML site: a page per chapter, the landing page, `404.html`, the
//! sitemap, the shared assets and the book's own files.

use std::sync::Arc;

use super::{Html, Output};
use crate::error::Result;
use crate::model::Book;
use crate::render::Renderer;
use crate::transform::Page;
use crate::write::OutputFile;

/// The site's pages and files.
pub(super) struct Site(pub(super) Arc<Html>);

impl Output for Site {
    fn name(&self) -> &'static str {
        "site"
    }

    fn files(&self, book: &Book, pages: &[Page]) -> Result<Vec<OutputFile>> {
        Renderer::new(book, &self.0.theme, &self.0.shared).render_all(pages)
    }
}
