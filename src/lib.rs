//! `handbook`: builds a themed, cross-linked documentation site from a
//! Markdown book (`book.toml` + `SUMMARY.md` + chapters).
//!
//! Data flows one way: [`load`] reads the book into a [`model::Book`],
//! [`transform`] turns each chapter into a [`transform::Page`] and checks the
//! book, the [`output`]s (the site, `print.html`, the search index) turn the
//! checked book into files — [`render`] holds the theme and templates,
//! [`search`] the index — and [`write`] puts the files in a folder (or
//! [`bundle`] in a zip). [`pipeline`] wires the stages together; [`serve`]
//! re-runs them piece by piece for a live preview, and [`examples`] runs the
//! book's examples (`handbook test`).

pub mod bundle;
pub mod cache;
pub mod config;
pub mod diagnostics;
pub mod error;
pub mod examples;
pub mod html;
pub mod includes;
pub mod load;
pub mod model;
pub mod output;
pub mod paths;
pub mod pipeline;
pub mod playground;
pub mod preprocess;
pub mod pyodide;
pub mod redirect;
pub mod render;
pub mod search;
pub mod serve;
pub mod transform;
pub mod write;

pub use error::{Error, Result};
