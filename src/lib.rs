//! `handbook`: builds a themed, cross-linked documentation site from a
//! Markdown book (`book.toml` + `SUMMARY.md` + chapters).
//!
//! Data flows one way: [`load`] reads the book into a [`model::Book`],
//! [`transform`] turns each chapter into a [`model::Page`], [`render`] turns
//! pages into output files with the theme, and [`write`] puts them on disk
//! (or in a zip, see [`bundle`]). [`search`] indexes the pages' sections
//! alongside rendering. [`pipeline`] wires the stages together; [`serve`]
//! re-runs them piece by piece for a live preview, and [`examples`] runs the
//! book's Python examples (`handbook test`).

pub mod bundle;
pub mod config;
pub mod diagnostics;
pub mod error;
pub mod examples;
pub mod html;
pub mod includes;
pub mod load;
pub mod model;
pub mod paths;
pub mod pipeline;
pub mod playground;
pub mod pyodide;
pub mod render;
pub mod search;
pub mod serve;
pub mod transform;
pub mod write;

pub use error::{Error, Result};
