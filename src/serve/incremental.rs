//! What `serve` keeps between rebuilds, and the smallest rebuild for each
//! batch of changes.
//!
//! The loaded [`Book`], its transformed [`Page`]s, the [`Theme`] and the
//! [`Shared`] assets stay in memory. A chapter's body changing re-reads and
//! re-transforms that chapter only, re-validates the links of the whole book
//! (cheap: no parsing), and re-renders that page; `print.html` follows
//! separately. A theme change re-renders every page from the kept pages
//! without transforming any. A change to `book.toml` or `SUMMARY.md`, a file
//! added or removed, or anything unexpected rebuilds the whole site (the
//! fallback whenever the kept state cannot be trusted), transforming again
//! only the chapters whose input changed.
//!
//! While the book has errors nothing is published: changes accumulate in
//! [`Pending`] and are published together once the errors are fixed, so the
//! browser keeps the last good site.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use rayon::prelude::*;

use super::protocol::Action;
use super::site::SiteFile;
use super::watch::{Change, Roots};
use crate::diagnostics::Diagnostic;
use crate::error::Error;
use crate::model::{Book, Chapter};
use crate::render::{Renderer, Shared, theme::Theme};
use crate::transform::{self, Page, highlight::Highlighter};
use crate::write::OutputFile;

/// The book between rebuilds.
pub(super) struct Incremental {
    roots: Roots,
    /// Loading the syntaxes is slow: once per server.
    highlighter: Highlighter,
    /// `None` until a full build got as far as rendering; dropped when a rebuild fails in a
    /// way the kept state cannot recover from, so the next change rebuilds everything.
    model: Option<Model>,
    /// The last transformed book, kept when the model is dropped: a full rebuild
    /// transforms again only the chapters whose input changed.
    transformed: Option<Transformed>,
    /// The stylesheet the open pages link to.
    published_css: Option<String>,
}

/// A book and its pages.
struct Transformed {
    book: Book,
    pages: Vec<Page>,
}

struct Model {
    book: Book,
    pages: Vec<Page>,
    theme: Theme,
    shared: Shared,
    pending: Pending,
}

/// Changes made to the model that are not published yet.
#[derive(Debug, Default, PartialEq, Eq)]
enum Pending {
    /// Nothing to publish.
    #[default]
    Nothing,
    /// These pages (indexes of chapters) and these book files (source-relative paths).
    Files {
        pages: BTreeSet<usize>,
        files: BTreeSet<String>,
    },
    /// The stylesheet only; every page links to it, so every page is rendered again.
    Stylesheet,
    /// The whole site.
    Everything,
}

impl Pending {
    fn merge(&mut self, other: Pending) {
        *self = match (std::mem::take(self), other) {
            (Pending::Nothing, other) | (other, Pending::Nothing) => other,
            (Pending::Stylesheet, Pending::Stylesheet) => Pending::Stylesheet,
            (
                Pending::Files { pages, files },
                Pending::Files {
                    pages: more_pages,
                    files: more_files,
                },
            ) => Pending::Files {
                pages: pages.into_iter().chain(more_pages).collect(),
                files: files.into_iter().chain(more_files).collect(),
            },
            _ => Pending::Everything,
        }
    }
}

/// What a rebuild did.
#[derive(Debug)]
pub(super) struct Outcome {
    /// What was rebuilt, for the terminal (`core/types.md`, `everything`…).
    pub rebuilt: String,
    /// Warnings and errors to show. Any error means nothing was published.
    pub diagnostics: Vec<Diagnostic>,
    /// What to publish, if anything changed and the book has no errors.
    pub update: Option<Update>,
}

impl Outcome {
    /// True if the book has errors.
    pub(super) fn failed(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Files to publish, and what open pages must do.
#[derive(Debug)]
pub(super) struct Update {
    /// True when `files` is the whole site.
    pub everything: bool,
    /// Site path and contents.
    pub files: Vec<SiteFile>,
    /// What open pages must do.
    pub action: Action,
    /// `print.html` is out of date: render it with [`Incremental::print`] next.
    pub print_stale: bool,
}

/// How to rebuild after a batch of changes.
enum Plan {
    Full,
    Partial {
        chapters: BTreeSet<usize>,
        files: BTreeSet<String>,
        theme: Option<Pending>,
    },
}

impl Incremental {
    /// Nothing built yet: the first [`Incremental::rebuild`] builds everything.
    pub(super) fn new(root: &Path) -> Incremental {
        Incremental {
            roots: Roots::read(root).unwrap_or_else(|| Roots::guess(root)),
            highlighter: Highlighter::new(),
            model: None,
            transformed: None,
            published_css: None,
        }
    }

    /// The folders to watch, as the last readable `book.toml` names them.
    pub(super) fn roots(&self) -> &Roots {
        &self.roots
    }

    /// Rebuilds what `changes` affect.
    pub(super) fn rebuild(&mut self, changes: &BTreeSet<Change>) -> Outcome {
        match self.plan(changes) {
            Plan::Full => self.full(),
            Plan::Partial {
                chapters,
                files,
                theme,
            } => self.partial(chapters, files, theme),
        }
    }

    fn plan(&self, changes: &BTreeSet<Change>) -> Plan {
        let Some(model) = &self.model else {
            return Plan::Full;
        };
        let book = &model.book;
        let mut chapters = BTreeSet::new();
        let mut files = BTreeSet::new();
        let mut theme: Option<Pending> = None;
        for change in changes {
            match change {
                Change::Config | Change::Summary | Change::Unknown => return Plan::Full,
                // A Markdown file that is no chapter changes nothing (until SUMMARY.md lists it).
                Change::Markdown(path) => {
                    chapters.extend(chapter_index(book, path));
                    // A Markdown file that chapters include in their text.
                    chapters.extend(including(book, path));
                }
                // A folder renamed or removed: one event for it, none for the files inside.
                Change::File(path) if is_folder(book, path) => return Plan::Full,
                Change::File(path) => {
                    let exists = book.config.src_dir.join(path).is_file();
                    let known = book.assets.iter().any(|a| a.as_str() == path.as_str());
                    match (exists, known) {
                        // Added or removed: the asset list and link validation change.
                        (true, false) | (false, true) => return Plan::Full,
                        (true, true) => {
                            chapters.extend(including(book, path));
                            files.insert(path.clone());
                        }
                        (false, false) => {}
                    }
                }
                Change::Stylesheet => theme
                    .get_or_insert(Pending::Nothing)
                    .merge(Pending::Stylesheet),
                Change::Theme => theme = Some(Pending::Everything),
            }
        }
        Plan::Partial {
            chapters,
            files,
            theme,
        }
    }

    /// Loads, transforms and renders the whole book; only chapters whose input changed
    /// since the last transform are transformed again.
    pub(super) fn full(&mut self) -> Outcome {
        self.drop_model();
        let root = self.roots.root.clone();
        // A `book.toml` that cannot be read keeps the folders watched as they were.
        if let Some(roots) = Roots::read(&root) {
            self.roots = roots;
        }
        let loaded = match crate::load::load(&root) {
            Ok(loaded) => loaded,
            Err(error) => return failure("everything".into(), Vec::new(), error),
        };
        let mut diagnostics = loaded.diagnostics;
        if diagnostics.iter().any(Diagnostic::is_error) {
            // Chapters that could not be read: the next change loads again.
            return Outcome {
                rebuilt: "everything".into(),
                diagnostics,
                update: None,
            };
        }
        let book = loaded.book;
        let (pages, transformed) =
            transform_reusing(&book, self.transformed.take(), &self.highlighter);
        let rebuilt = format!(
            "everything (transformed {transformed} of {} chapters)",
            pages.len()
        );
        diagnostics.extend(transform::check(&book, &pages));
        let (theme, shared) = match prepare_theme(&book) {
            Ok(prepared) => prepared,
            Err(error) => {
                self.transformed = Some(Transformed { book, pages });
                return failure(rebuilt, diagnostics, error);
            }
        };
        self.model = Some(Model {
            book,
            pages,
            theme,
            shared,
            pending: Pending::Everything,
        });
        self.publish(rebuilt, diagnostics)
    }

    /// Forgets the model (the next change rebuilds everything), keeping its pages for reuse.
    fn drop_model(&mut self) {
        if let Some(model) = self.model.take() {
            self.transformed = Some(Transformed {
                book: model.book,
                pages: model.pages,
            });
        }
    }

    fn partial(
        &mut self,
        chapters: BTreeSet<usize>,
        files: BTreeSet<String>,
        theme: Option<Pending>,
    ) -> Outcome {
        let model = self.model.as_mut().expect("planned with a model");
        if !model.book.config.preprocessors.is_empty() {
            // Preprocessors rewrite the whole book: every chapter goes through them again.
            return self.full();
        }
        let Ok(changed) = reload_chapters(&mut model.book, chapters) else {
            // Gone, or mid-save: a full load reports it at its SUMMARY.md line.
            return self.full();
        };
        let mut rebuilt: Vec<String> = files.iter().cloned().collect();
        rebuilt.extend(
            changed
                .iter()
                .map(|&i| model.book.chapters[i].source_path.to_string()),
        );
        let mut diagnostics = model.retransform(&changed, &self.highlighter);
        if !changed.is_empty() || !files.is_empty() {
            model.pending.merge(Pending::Files {
                pages: changed,
                files,
            });
        }
        if let Some(theme) = theme {
            rebuilt.push("theme".into());
            if let Err(error) = model.prepare_theme() {
                self.drop_model();
                return failure(rebuilt.join(", "), diagnostics, error);
            }
            model.pending.merge(theme);
        }
        if model.pending == Pending::Nothing {
            return Outcome {
                rebuilt: String::new(),
                diagnostics,
                update: None,
            };
        }
        diagnostics.extend(model.errors());
        self.publish(rebuilt.join(", "), diagnostics)
    }

    /// Renders and hands out what is pending, unless the book has errors.
    fn publish(&mut self, rebuilt: String, diagnostics: Vec<Diagnostic>) -> Outcome {
        let model = self.model.as_mut().expect("publishing a model");
        if diagnostics.iter().any(Diagnostic::is_error) {
            return Outcome {
                rebuilt,
                diagnostics,
                update: None,
            };
        }
        let pending = std::mem::take(&mut model.pending);
        match render(model, pending, self.published_css.as_deref()) {
            Ok(update) => {
                self.published_css = Some(model.shared.stylesheet().to_string());
                Outcome {
                    rebuilt,
                    diagnostics,
                    update: Some(update),
                }
            }
            Err(error) => {
                self.drop_model();
                failure(rebuilt, diagnostics, error)
            }
        }
    }

    /// The search index of the book as it stands, built again after pages changed
    /// (published after them: only a reader searching at that moment waits for it).
    pub(super) fn search(&self) -> Option<crate::Result<Vec<SiteFile>>> {
        let model = self.model.as_ref()?;
        let docs = crate::search::documents(&model.book, &model.pages);
        let entry = crate::search::exported_entry(&docs);
        let files = crate::search::index(docs).and_then(|index| {
            let files = crate::write::Collect::default();
            crate::search::write(&index, &entry, &files)?;
            Ok(files.into_files())
        });
        Some(files.and_then(read_all))
    }

    /// Renders `print.html` again after a page changed, when the book has one.
    pub(super) fn print(&self) -> Option<crate::Result<(String, Vec<u8>)>> {
        let model = self.model.as_ref()?;
        if !model.book.config.html.print {
            return None;
        }
        let renderer = Renderer::new(&model.book, &model.theme, &model.shared);
        Some(
            renderer
                .print()
                .and_then(|print| read(print.file(&model.pages))),
        )
    }
}

impl Model {
    /// Transforms the `changed` chapters again; returns their warnings (errors of the
    /// whole book come from [`Model::errors`]).
    fn retransform(
        &mut self,
        changed: &BTreeSet<usize>,
        highlighter: &Highlighter,
    ) -> Vec<Diagnostic> {
        let pages: Vec<Page> = changed
            .par_iter()
            .map(|&index| page(&self.book, index, highlighter))
            .collect();
        let warnings = pages
            .iter()
            .flat_map(|page| page.rendered.diagnostics.iter())
            .filter(|d| !d.is_error())
            .cloned()
            .collect();
        for page in pages {
            let index = page.chapter;
            self.pages[index] = page;
        }
        warnings
    }

    /// Reads the theme again and prepares the shared assets with it.
    fn prepare_theme(&mut self) -> crate::Result<()> {
        (self.theme, self.shared) = prepare_theme(&self.book)?;
        Ok(())
    }

    /// Every error of the book as it stands: in chapters, and in links between them
    /// (a changed heading can break a link in another chapter).
    fn errors(&self) -> Vec<Diagnostic> {
        transform::check(&self.book, &self.pages)
            .into_iter()
            .filter(Diagnostic::is_error)
            .collect()
    }
}

/// Transforms `book`, reusing the pages of `previous` whose chapter has the same input
/// (path, title, number, text and included files); returns the pages and how many
/// were transformed.
fn transform_reusing(
    book: &Book,
    previous: Option<Transformed>,
    highlighter: &Highlighter,
) -> (Vec<Page>, usize) {
    // A new verification record changes the Run buttons of every page; a new list of
    // chapters, the links of every page inside print.html (and which is the landing page).
    let sources = |book: &Book| -> Vec<String> {
        book.chapters
            .iter()
            .map(|c| c.source_path.to_string())
            .collect()
    };
    let Some(previous) = previous else {
        return from_cache(book);
    };
    let previous = Some(previous).filter(|p| {
        p.book.config.src_dir == book.config.src_dir
            && p.book.playground_record == book.playground_record
            && sources(&p.book) == sources(book)
    });
    let reusable: HashMap<&str, &Page> = previous
        .iter()
        .flat_map(|p| p.pages.iter().map(move |page| (&p.book, page)))
        .map(|(old_book, page)| (old_book, &old_book.chapters[page.chapter], page))
        .filter(|(old_book, old, _)| {
            chapter_index(book, &old.source_path)
                .is_some_and(|i| same_input(old_book, old, book, &book.chapters[i]))
        })
        .map(|(_, old, page)| (old.source_path.as_str(), page))
        .collect();
    let pages: Vec<Page> = (0..book.chapters.len())
        .into_par_iter()
        .map(
            |index| match reusable.get(book.chapters[index].source_path.as_str()) {
                Some(page) => Page {
                    chapter: index,
                    ..(*page).clone()
                },
                None => page(book, index, highlighter),
            },
        )
        .collect();
    let transformed = book.chapters.len() - reusable.len();
    (pages, transformed)
}

/// At start-up: the book transformed as a build does, through the cache the last build
/// (or `serve`) left, so a large book is served in the time of a rebuild.
fn from_cache(book: &Book) -> (Vec<Page>, usize) {
    let cache = crate::cache::Cache::open(book);
    let mark = |page: &mut Page| crate::playground::mark(book, page);
    let done = |_: &mut [Page]| Ok::<_, std::convert::Infallible>(());
    let Ok(pages) =
        transform::transform_in_batches(book, &mark, transform::BATCH, Some(&cache), done);
    (pages, cache.finish())
}

/// Transforms one chapter, as the build does: Run buttons included.
fn page(book: &Book, index: usize, highlighter: &Highlighter) -> Page {
    let mut page = transform::transform_chapter(book, index, highlighter);
    crate::playground::mark(book, &mut page);
    page.finish(book, &transform::links::Chapters::of(book));
    page
}

/// Whether a chapter transforms the same in both books.
fn same_input(old_book: &Book, old: &Chapter, new_book: &Book, new: &Chapter) -> bool {
    old.source_path == new.source_path
        && old.title == new.title
        && old.number == new.number
        && old.source == new.source
        && new
            .includes
            .iter()
            .all(|target| old_book.includes.get(target) == new_book.includes.get(target))
}

/// Reads the theme and prepares the assets every page shares.
fn prepare_theme(book: &Book) -> crate::Result<(Theme, Shared)> {
    let theme = Theme::load(&book.config)?;
    let mut shared = Shared::prepare(book, &theme)?;
    shared.enable_search(&theme, crate::search::ENTRY.to_string())?;
    if crate::playground::wanted(book) {
        let cache = crate::examples::venv::default_cache_dir();
        shared.enable_playground(crate::playground::assets(book, &theme, &cache)?);
    }
    Ok((theme, shared))
}

/// Reads `chapters` again; returns those whose text (or included files) changed.
fn reload_chapters(book: &mut Book, chapters: BTreeSet<usize>) -> crate::Result<BTreeSet<usize>> {
    let mut changed = BTreeSet::new();
    for index in chapters {
        if crate::load::reload_chapter(book, index)? {
            changed.insert(index);
        }
    }
    Ok(changed)
}

/// Every file of the site, `print.html` included when the book has it.
fn site_and_print(renderer: &Renderer<'_>, model: &Model) -> crate::Result<Vec<OutputFile>> {
    let files = crate::write::Collect::default();
    renderer.render_all(&model.pages, &files)?;
    let mut files = files.into_files();
    if model.book.config.html.print {
        files.push(renderer.print()?.file(&model.pages));
    }
    Ok(files)
}

fn render(model: &Model, pending: Pending, published_css: Option<&str>) -> crate::Result<Update> {
    let renderer = Renderer::new(&model.book, &model.theme, &model.shared);
    let everything = |action| -> crate::Result<Update> {
        Ok(Update {
            everything: true,
            files: read_all(site_and_print(&renderer, model)?)?,
            action,
            print_stale: false,
        })
    };
    match pending {
        Pending::Everything | Pending::Nothing => everything(Action::Reload { pages: None }),
        Pending::Stylesheet => everything(match published_css {
            Some(from) => Action::Stylesheet {
                from: from.to_string(),
                to: model.shared.stylesheet().to_string(),
            },
            None => Action::Reload { pages: None },
        }),
        Pending::Files { pages, files } => {
            let mut outputs: Vec<OutputFile> = pages
                .par_iter()
                .map(|&index| renderer.page(&model.pages[index]))
                .collect::<crate::Result<_>>()?;
            let paths: Vec<String> = outputs.iter().map(|o| o.path.clone()).collect();
            outputs.extend(
                files
                    .iter()
                    .map(|f| OutputFile::copy(f.clone(), model.book.config.src_dir.join(f))),
            );
            Ok(Update {
                everything: false,
                files: read_all(outputs)?,
                // A page may show a changed image or file: only pages know.
                action: Action::Reload {
                    pages: files.is_empty().then_some(paths),
                },
                print_stale: !pages.is_empty() && model.book.config.html.print,
            })
        }
    }
}

fn read_all(files: Vec<OutputFile>) -> crate::Result<Vec<SiteFile>> {
    files.into_par_iter().map(read).collect()
}

fn read(file: OutputFile) -> crate::Result<(String, Vec<u8>)> {
    let bytes = file.read()?.into_owned();
    Ok((file.path, bytes))
}

/// A rebuild that stopped at `error`, after `diagnostics`.
fn failure(rebuilt: String, mut diagnostics: Vec<Diagnostic>, error: Error) -> Outcome {
    diagnostics.extend(error.into_diagnostic());
    Outcome {
        rebuilt,
        diagnostics,
        update: None,
    }
}

fn chapter_index(book: &Book, source_path: &str) -> Option<usize> {
    book.chapters
        .iter()
        .position(|c| c.source_path.as_str() == source_path)
}

/// Chapters that `{{#include …}}` the file at `path`.
fn including<'a>(book: &'a Book, path: &'a str) -> impl Iterator<Item = usize> + 'a {
    book.chapters
        .iter()
        .enumerate()
        .filter(move |(_, chapter)| {
            chapter
                .includes
                .iter()
                .any(|target| target.as_str() == path)
        })
        .map(|(index, _)| index)
}

/// Whether `path` is a folder in the source folder, or was one holding chapters or files.
fn is_folder(book: &Book, path: &str) -> bool {
    let prefix = format!("{path}/");
    book.config.src_dir.join(path).is_dir()
        || book
            .chapters
            .iter()
            .any(|c| c.source_path.starts_with(&prefix))
        || book.assets.iter().any(|a| a.starts_with(&prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(pages: &[usize]) -> Pending {
        Pending::Files {
            pages: pages.iter().copied().collect(),
            files: BTreeSet::new(),
        }
    }

    #[test]
    fn pending_changes_accumulate_to_the_smallest_rebuild_covering_them() {
        let mut pending = Pending::Nothing;
        pending.merge(files(&[1]));
        pending.merge(files(&[3]));
        assert_eq!(pending, files(&[1, 3]));
        pending.merge(Pending::Stylesheet);
        assert_eq!(pending, Pending::Everything);

        let mut css = Pending::Stylesheet;
        css.merge(Pending::Nothing);
        css.merge(Pending::Stylesheet);
        assert_eq!(css, Pending::Stylesheet);
    }
}
