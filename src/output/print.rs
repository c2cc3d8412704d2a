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
    /// Bytes written so far.
    written: usize,
    /// Where the search index's placeholder is in the template, until it is written.
    in_template: Option<usize>,
    /// Where it landed in the file.
    placeholder: Option<usize>,
}

impl Writing {
    fn start(html: &Html, book: &Book, sink: &dyn Sink) -> Result<Writing> {
        let skeleton = Renderer::new(book, &html.theme, &html.shared).print()?;
        let mut writing = Writing {
            in_template: html.placeholder_in(skeleton.text().as_bytes()),
            placeholder: None,
            skeleton,
            out: sink.create(PrintSkeleton::PATH)?,
            bodies: 0,
            written: 0,
        };
        writing.piece(0)?;
        Ok(writing)
    }

    /// Writes the `n`th piece of the template; a placeholder in it moves from its place
    /// in the template to its place in the file.
    fn piece(&mut self, n: usize) -> Result<()> {
        let (start, piece) = self.skeleton.piece(n);
        if let Some(at) = self.in_template
            && (start..start + piece.len()).contains(&at)
        {
            self.placeholder = Some(self.written + at - start);
            self.in_template = None;
        }
        self.written += piece.len();
        self.out
            .write_all(piece.as_bytes())
            .map_err(Error::io(Path::new(PrintSkeleton::PATH)))
    }

    fn write(&mut self, bytes: &[u8]) -> Result<()> {
        self.written += bytes.len();
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
        match writing.placeholder {
            Some(offset) => html.patch(PrintSkeleton::PATH, offset, sink),
            None => Ok(()),
        }
    }
}
