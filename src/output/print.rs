//! `print.html`: the whole book on one page (`[output.html.print] enable`),
//! written batch by batch as pages are transformed, so no build holds it whole.

use std::io::Write;
use std::path::Path;

use super::{Html, Output};
use crate::error::{Error, Result};
use crate::model::Book;
use crate::render::{PrintSkeleton, Renderer};
use crate::transform::Page;
use crate::write::Sink;

/// The one-page book, being written.
#[derive(Default)]
pub(super) struct Print {
    writing: Option<Writing>,
}

/// `print.html` once its first batch came.
struct Writing {
    skeleton: PrintSkeleton,
    out: Box<dyn Write + Send + Sync>,
    /// How many bodies are written, each followed by the piece of template after it.
    bodies: usize,
}

impl Writing {
    fn start(html: &Html, book: &Book, sink: &dyn Sink) -> Result<Writing> {
        let skeleton = Renderer::new(book, &html.theme, &html.shared).print()?;
        let mut writing = Writing {
            skeleton,
            out: sink.create(PrintSkeleton::PATH)?,
            bodies: 0,
        };
        writing.piece(0)?;
        Ok(writing)
    }

    /// Writes the `n`th piece of the template.
    fn piece(&mut self, n: usize) -> Result<()> {
        let piece = self.skeleton.piece(n);
        self.out
            .write_all(piece.as_bytes())
            .map_err(Error::io(Path::new(PrintSkeleton::PATH)))
    }

    fn write(&mut self, bytes: &[u8]) -> Result<()> {
        self.out
            .write_all(bytes)
            .map_err(Error::io(Path::new(PrintSkeleton::PATH)))
    }

    /// Writes the bodies of `pages` that the page holds, each with the template after it.
    fn pages(&mut self, pages: &[Page]) -> Result<()> {
        for page in pages {
            if self.skeleton.chapter(self.bodies) == Some(page.chapter) {
                self.write(page.print_html.as_bytes())?;
                self.bodies += 1;
                self.piece(self.bodies)?;
            }
        }
        Ok(())
    }
}

impl Output for Print {
    fn batch(&mut self, html: &Html, book: &Book, pages: &[Page], sink: &dyn Sink) -> Result<()> {
        let writing = match &mut self.writing {
            Some(writing) => writing,
            None => self.writing.insert(Writing::start(html, book, sink)?),
        };
        writing.pages(pages)
    }

    fn finish(
        self: Box<Self>,
        html: &Html,
        book: &Book,
        _pages: &[Page],
        sink: &dyn Sink,
    ) -> Result<()> {
        let mut writing = match self.writing {
            Some(writing) => writing,
            // A book without chapters has no batch.
            None => Writing::start(html, book, sink)?,
        };
        writing
            .out
            .flush()
            .map_err(Error::io(Path::new(PrintSkeleton::PATH)))?;
        drop(writing.out);
        Ok(())
    }
}
