//! The HTML site: a page per chapter (written as soon as it is transformed),
//! the landing page, `404.html`, the sitemap, the shared assets and the
//! book's own files.

use std::sync::Mutex;

use super::{Html, Output};
use crate::error::Result;
use crate::model::Book;
use crate::render::Renderer;
use crate::transform::Page;
use crate::write::{Contents, Sink};

/// The site's pages and files.
#[derive(Default)]
pub(super) struct Site {
    /// The pages written so far, with where their placeholder is.
    written: Mutex<Vec<(String, usize)>>,
}

impl Output for Site {
    fn page(&self, html: &Html, book: &Book, page: &Page, sink: &dyn Sink) -> Result<()> {
        let file = Renderer::new(book, &html.theme, &html.shared).page(page)?;
        let placeholder = match &file.contents {
            Contents::Bytes(bytes) => html.placeholder_in(bytes),
            Contents::Copy(_) => None,
        };
        if let Some(offset) = placeholder {
            let mut written = self.written.lock().expect("no page panicked");
            written.push((file.path.clone(), offset));
        }
        sink.put(file)
    }

    fn finish(
        self: Box<Self>,
        html: &Html,
        book: &Book,
        pages: &[Page],
        sink: &dyn Sink,
    ) -> Result<()> {
        let written = self.written.into_inner().expect("no page panicked");
        for (path, offset) in written {
            html.patch(&path, offset, sink)?;
        }
        Renderer::new(book, &html.theme, &html.shared).book_files(pages.first(), sink)
    }
}
