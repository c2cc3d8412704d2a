//! `print.html`: the whole book on one page (`[output.html.print] enable`).

use std::sync::Arc;

use super::{Html, Output};
use crate::error::Result;
use crate::model::Book;
use crate::render::Renderer;
use crate::transform::Page;
use crate::write::OutputFile;

/// The one-page book.
pub(super) struct Print(pub(super) Arc<Html>);

impl Output for Print {
    fn name(&self) -> &'static str {
        "print"
    }

    fn files(&self, book: &Book, pages: &[Page]) -> Result<Vec<OutputFile>> {
        Ok(vec![
            Renderer::new(book, &self.0.theme, &self.0.shared).print(pages)?,
        ])
    }
}
