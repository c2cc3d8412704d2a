//! Watching the book's sources: file-system events (debounced by
//! notify-debouncer-full, which also pairs the two halves of a rename) sorted
//! into the kinds of change that decide what is rebuilt, after Zola's
//! `fs_utils`. Editors' temporary files are dropped here, so a vim or
//! JetBrains save is seen as what it is: a change to the saved file.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode, EventKind};
use notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache};

use crate::config::Config;
use crate::paths::is_editor_file;

/// How long a path must be quiet before its events are handed on. Short enough to
/// keep save-to-reload fast, long enough to see an editor's save (a few writes and
/// renames within a millisecond) as one change.
const QUIET: Duration = Duration::from_millis(10);

/// How often the debouncer looks for quiet paths.
const TICK: Duration = Duration::from_millis(5);

/// The folders a book's sources live in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Roots {
    /// The folder holding `book.toml`.
    pub root: PathBuf,
    /// The chapters' folder.
    pub src_dir: PathBuf,
    /// The theme override folder, if the book has one.
    pub theme_dir: Option<PathBuf>,
    /// `[build] extra-watch-dirs`: folders whose files the book's build reads too (a
    /// preprocessor's sources, included listings outside the source folder).
    pub extra_dirs: Vec<PathBuf>,
}

impl Roots {
    /// The folders `config` names.
    pub(super) fn of(config: &Config) -> Roots {
        Roots {
            root: config.root.clone(),
            src_dir: config.src_dir.clone(),
            theme_dir: config.html.theme_dir.clone(),
            extra_dirs: config.extra_watch_dirs.clone(),
        }
    }

    /// The folders of the book in `root`, if its `book.toml` can be read.
    pub(super) fn read(root: &Path) -> Option<Roots> {
        crate::config::load(root)
            .ok()
            .map(|loaded| Roots::of(&loaded.config))
    }

    /// The folders of a book whose `book.toml` cannot be read yet: the root (watched for
    /// the fix) and the default source folder.
    pub(super) fn guess(root: &Path) -> Roots {
        let root = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
        Roots {
            src_dir: root.join("src"),
            theme_dir: None,
            extra_dirs: Vec::new(),
            root,
        }
    }
}

/// One kind of change to the book's sources.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) enum Change {
    /// `book.toml`.
    Config,
    /// `SUMMARY.md`.
    Summary,
    /// A Markdown file in the source folder (relative to it, `/`-separated).
    Markdown(String),
    /// Any other file in the source folder (relative to it, `/`-separated).
    File(String),
    /// A stylesheet of the theme folder.
    Stylesheet,
    /// Any other file of the theme folder (templates, scripts).
    Theme,
    /// The watcher lost track of events: anything may have changed.
    Unknown,
}

/// What changed, given the path of a file-system event; `None` for paths that do not
/// concern the book (editor files, the build folder, other files beside `book.toml`).
pub(super) fn classify(roots: &Roots, path: &Path) -> Option<Change> {
    if path == roots.root.join("book.toml") {
        return Some(Change::Config);
    }
    if is_watched_folder(roots, path) {
        // The folder itself was removed, moved or made again (a branch switch, a sync
        // tool): anything in it may have changed.
        return Some(Change::Unknown);
    }
    if roots
        .extra_dirs
        .iter()
        .any(|dir| relative_source(dir, path).is_some())
    {
        // What the build makes of these files is the preprocessor's business: rebuild all.
        return Some(Change::Unknown);
    }
    if let Some(theme_dir) = &roots.theme_dir
        && let Some(relative) = relative_source(theme_dir, path)
    {
        return Some(if relative.ends_with(".css") {
            Change::Stylesheet
        } else {
            Change::Theme
        });
    }
    let relative = relative_source(&roots.src_dir, path)?;
    Some(if relative == "SUMMARY.md" {
        Change::Summary
    } else if relative.ends_with(".md") {
        Change::Markdown(relative)
    } else {
        Change::File(relative)
    })
}

/// Whether `path` is one of the folders watched recursively (the sources, the theme).
fn is_watched_folder(roots: &Roots, path: &Path) -> bool {
    roots.src_dir != roots.root && path == roots.src_dir || roots.theme_dir.as_deref() == Some(path)
}

/// `path` relative to `dir`, `/`-separated, unless it is outside `dir` or an editor's file.
fn relative_source(dir: &Path, path: &Path) -> Option<String> {
    let relative = path.strip_prefix(dir).ok()?;
    let mut parts = Vec::new();
    for part in relative.components() {
        let part = part.as_os_str().to_str()?;
        if is_editor_file(part) {
            return None;
        }
        parts.push(part);
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// Whether an event may mean that a file's contents changed. Reads (including the
/// build's own) are not changes; a file closed after writing is.
fn is_change(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    }
}

/// During a burst of saves, at most one batch per this long: open pages are not reloaded
/// a hundred times a second, and the last save is still rebuilt soon after.
const BURST_GAP: Duration = Duration::from_millis(100);

/// Watches a book's folders and hands out batches of changes.
pub(super) struct Watcher {
    debouncer: Debouncer<RecommendedWatcher, RecommendedCache>,
    events: mpsc::Receiver<DebounceEventResult>,
    roots: Roots,
    watched: Vec<PathBuf>,
    /// When the last batch was handed out.
    last_batch: Option<Instant>,
    /// A watched folder itself was removed or made again: its watch must be set anew.
    rearm: bool,
}

impl Watcher {
    /// Starts watching `roots`. Folders that cannot be watched are returned as
    /// warnings: the rest is still watched.
    pub(super) fn start(roots: Roots) -> notify::Result<(Watcher, Vec<notify::Error>)> {
        let (sender, events) = mpsc::channel();
        let debouncer = notify_debouncer_full::new_debouncer(QUIET, Some(TICK), sender)?;
        let mut watcher = Watcher {
            debouncer,
            events,
            roots: roots.clone(),
            watched: Vec::new(),
            last_batch: None,
            rearm: false,
        };
        let errors = watcher.watch(&roots);
        Ok((watcher, errors))
    }

    /// Follows the book's folders if `book.toml` moved them, or watches them anew if one
    /// was replaced; returns what could not be watched (a folder that is gone for now:
    /// the root's watch sees it come back).
    pub(super) fn follow(&mut self, roots: &Roots) -> Vec<notify::Error> {
        if *roots == self.roots && !self.rearm {
            return Vec::new();
        }
        self.rearm = false;
        for path in std::mem::take(&mut self.watched) {
            // A folder that was deleted is no longer watched anyway.
            let _ = self.debouncer.unwatch(&path);
        }
        self.roots = roots.clone();
        self.watch(roots)
    }

    fn watch(&mut self, roots: &Roots) -> Vec<notify::Error> {
        // The root only for `book.toml`: not its build folder or anything else beside it.
        let root_mode = if roots.src_dir == roots.root {
            RecursiveMode::Recursive
        } else {
            RecursiveMode::NonRecursive
        };
        let mut folders = vec![(roots.root.clone(), root_mode)];
        if roots.src_dir != roots.root {
            folders.push((roots.src_dir.clone(), RecursiveMode::Recursive));
        }
        folders.extend(
            roots
                .theme_dir
                .iter()
                .chain(&roots.extra_dirs)
                .map(|dir| (dir.clone(), RecursiveMode::Recursive)),
        );
        let mut errors = Vec::new();
        for (path, mode) in folders {
            match self.debouncer.watch(&path, mode) {
                Ok(()) => self.watched.push(path),
                Err(e) => errors.push(e),
            }
        }
        errors
    }

    /// Waits for the next changes, and takes every batch already waiting with them so a
    /// burst of saves is one rebuild; right after a batch, it also waits out the
    /// [`BURST_GAP`]. `None` once the watcher has stopped.
    pub(super) fn wait(&mut self) -> Option<Batch> {
        let mut batch = Batch::default();
        loop {
            self.add(&mut batch, self.events.recv().ok()?);
            let gap_end = self.last_batch.map(|last| last + BURST_GAP);
            loop {
                let next = match gap_end.and_then(|end| end.checked_duration_since(Instant::now()))
                {
                    Some(left) => self.events.recv_timeout(left).ok(),
                    None => self.events.try_recv().ok(),
                };
                match next {
                    Some(result) => self.add(&mut batch, result),
                    None => break,
                }
            }
            if !batch.changes.is_empty() || !batch.errors.is_empty() {
                self.last_batch = Some(Instant::now());
                return Some(batch);
            }
        }
    }

    /// Whether the last batch replaced a watched folder, so events may have been missed
    /// between the folder's return and its new watch: the caller rebuilds once more.
    pub(super) fn needs_rearm(&self) -> bool {
        self.rearm
    }

    fn add(&mut self, batch: &mut Batch, result: DebounceEventResult) {
        match result {
            Ok(events) => {
                for event in events.iter().filter(|e| is_change(&e.kind)) {
                    if event.need_rescan() {
                        batch.changes.insert(Change::Unknown);
                    }
                    if event
                        .paths
                        .iter()
                        .any(|p| is_watched_folder(&self.roots, p))
                    {
                        self.rearm = true;
                    }
                    batch.changes.extend(
                        event
                            .paths
                            .iter()
                            .filter_map(|path| classify(&self.roots, path)),
                    );
                }
            }
            Err(errors) => {
                // The watcher may have missed events: rebuild from scratch.
                batch.changes.insert(Change::Unknown);
                batch.errors.extend(errors);
            }
        }
    }
}

/// Changes seen together.
#[derive(Debug, Default)]
pub(super) struct Batch {
    /// What changed.
    pub changes: BTreeSet<Change>,
    /// Errors the watcher reported.
    pub errors: Vec<notify::Error>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roots() -> Roots {
        Roots {
            root: "/book".into(),
            src_dir: "/book/content".into(),
            theme_dir: Some("/book/theme".into()),
            extra_dirs: vec!["/book/helper/src".into()],
        }
    }

    fn kind(path: &str) -> Option<Change> {
        classify(&roots(), Path::new(path))
    }

    #[test]
    fn sorts_paths_into_changes() {
        assert_eq!(kind("/book/book.toml"), Some(Change::Config));
        assert_eq!(
            kind("/book/helper/src/main.rs"),
            Some(Change::Unknown),
            "extra-watch-dirs"
        );
        assert_eq!(kind("/book/content/SUMMARY.md"), Some(Change::Summary));
        assert_eq!(
            kind("/book/content/core/types.md"),
            Some(Change::Markdown("core/types.md".into()))
        );
        assert_eq!(
            kind("/book/content/img/a.png"),
            Some(Change::File("img/a.png".into()))
        );
        assert_eq!(kind("/book/theme/css/main.css"), Some(Change::Stylesheet));
        assert_eq!(
            kind("/book/theme/templates/chapter.html"),
            Some(Change::Theme)
        );
    }

    #[test]
    fn ignores_editor_files_and_paths_outside_the_book() {
        for path in [
            "/book/content/.types.md.swp",
            "/book/content/types.md~",
            "/book/content/4913",
            "/book/content/types.md___jb_tmp___",
            "/book/content/#types.md#",
            "/book/content/.git/index",
            "/book/book/index.html",
            "/book/README.md",
            "/elsewhere/book.toml",
        ] {
            assert_eq!(kind(path), None, "{path}");
        }
    }

    #[test]
    fn a_replaced_source_folder_is_an_unknown_change() {
        assert_eq!(kind("/book/content"), Some(Change::Unknown));
        assert_eq!(kind("/book/theme"), Some(Change::Unknown));
    }

    #[test]
    fn reads_are_not_changes() {
        assert!(!is_change(&EventKind::Access(AccessKind::Open(
            AccessMode::Any
        ))));
        assert!(is_change(&EventKind::Access(AccessKind::Close(
            AccessMode::Write
        ))));
        assert!(is_change(&EventKind::Remove(
            notify::event::RemoveKind::File
        )));
    }
}
