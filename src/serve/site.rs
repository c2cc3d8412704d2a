//! The site as served: the files of the last good build, its version and the
//! current errors, swapped as one snapshot so a request never sees half an
//! update, and every update broadcast to the open pages.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use axum::body::Bytes;
use tokio::sync::broadcast;

use super::protocol::{Action, Problem, message};

/// One state of the served site.
#[derive(Debug, Default)]
pub(super) struct Snapshot {
    /// Changes with every published build; unique across server restarts, so a page
    /// left open over a restart notices that it is out of date.
    pub version: u64,
    /// The version this run of the server started at: a page served at an earlier (or
    /// later) version was served by another run.
    pub first_version: u64,
    /// Site path → contents.
    pub files: HashMap<String, Bytes>,
    /// Site path → the version at which it last changed: its contents, or its removal.
    pub changed: HashMap<String, u64>,
    /// The last version after which every page is out of date (a file any page may
    /// show, such as an image, changed).
    pub all_changed: u64,
    /// What the last build found wrong (empty when it succeeded).
    pub problems: Vec<Problem>,
}

impl Snapshot {
    /// Whether a page served at version `seen` is out of date: it, or what every page
    /// shows, changed since. A URL the site does not have was served `404.html` (or,
    /// before the first build, a placeholder), so that is what must have changed.
    pub(super) fn is_stale(&self, page: &str, seen: u64) -> bool {
        let changed_since = |path: &str| self.changed.get(path).is_some_and(|&v| v > seen);
        if seen < self.first_version || seen > self.version || self.all_changed > seen {
            return true;
        }
        if changed_since(page) || self.files.contains_key(page) {
            return changed_since(page);
        }
        if self.files.contains_key("404.html") {
            return changed_since("404.html");
        }
        self.version != seen
    }
}

/// A file of the site: its site path and contents.
pub(super) type SiteFile = (String, Vec<u8>);

/// New files of the site.
pub(super) enum Files {
    /// The whole site: files that are not listed are gone.
    All(Vec<SiteFile>),
    /// Some files, added or replaced.
    Some(Vec<SiteFile>),
    /// Every file under a folder (`search/`): files of the folder that are not listed are
    /// gone. The search index's files are named by their contents, so without this each
    /// save would add a new set and the server's memory would grow with every save.
    Folder(&'static str, Vec<SiteFile>),
}

/// The folder of the search index's files in the site.
pub(super) const SEARCH_FOLDER: &str = "search/";

fn every_search_file(path: &str) -> bool {
    path.starts_with(SEARCH_FOLDER)
}

/// The served site, shared by the HTTP handlers and the rebuilding thread.
pub(super) struct Live {
    current: RwLock<Arc<Snapshot>>,
    updates: broadcast::Sender<Arc<str>>,
}

impl Live {
    /// An empty site (before the first build).
    pub(super) fn new() -> Live {
        let epoch_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        Live {
            current: RwLock::new(Arc::new(Snapshot {
                version: epoch_ms,
                first_version: epoch_ms,
                ..Snapshot::default()
            })),
            // Pages only ever need the latest state; a page that lags is sent it.
            updates: broadcast::channel(64).0,
        }
    }

    /// The current state.
    pub(super) fn snapshot(&self) -> Arc<Snapshot> {
        Arc::clone(&self.current.read().expect("never poisoned"))
    }

    /// Future updates, and the current state.
    pub(super) fn subscribe(&self) -> (broadcast::Receiver<Arc<str>>, Arc<Snapshot>) {
        let updates = self.updates.subscribe();
        (updates, self.snapshot())
    }

    /// Publishes a successful build: new files, no errors; pages are told to `action`.
    pub(super) fn publish(&self, files: Files, action: Action) {
        let every_page = matches!(action, Action::Reload { pages: None });
        self.update(action, |site| {
            let version = site.version + 1;
            let mut changed = site.changed.clone();
            let mut map = match &files {
                Files::All(_) => HashMap::new(),
                Files::Some(_) => site.files.clone(),
                Files::Folder(folder, _) => site
                    .files
                    .iter()
                    .filter(|(path, _)| !path.starts_with(folder))
                    .map(|(path, bytes)| (path.clone(), bytes.clone()))
                    .collect(),
            };
            if let Files::Folder(folder, _) = &files {
                // Not pages: no open page needs to hear that they are gone.
                changed.retain(|path, _| !path.starts_with(folder));
            }
            let (Files::All(files) | Files::Some(files) | Files::Folder(_, files)) = files;
            for (path, bytes) in files {
                // A page rendered again to the same bytes has not changed: a page
                // opened meanwhile must not reload for it.
                if site.files.get(&path).is_none_or(|old| *old != bytes) {
                    changed.insert(path.clone(), version);
                }
                map.insert(path, bytes.into());
            }
            for gone in site.files.keys().filter(|path| !map.contains_key(*path)) {
                if !every_search_file(gone) {
                    changed.insert(gone.clone(), version);
                }
            }
            Snapshot {
                version,
                first_version: site.first_version,
                files: map,
                changed,
                all_changed: if every_page {
                    version
                } else {
                    site.all_changed
                },
                problems: Vec::new(),
            }
        });
    }

    /// Records a failed build: the files stay those of the last good build.
    pub(super) fn fail(&self, problems: Vec<Problem>) {
        self.update(Action::Problems, |site| Snapshot {
            version: site.version,
            first_version: site.first_version,
            files: site.files.clone(),
            changed: site.changed.clone(),
            all_changed: site.all_changed,
            problems,
        });
    }

    fn update(&self, action: Action, next: impl FnOnce(&Snapshot) -> Snapshot) {
        let text = {
            let mut current = self.current.write().expect("never poisoned");
            let site = next(&current);
            let text = message(site.version, &site.problems, &action);
            *current = Arc::new(site);
            text
        };
        // No page open is not an error.
        let _ = self.updates.send(text.into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(list: &[(&str, &str)]) -> Vec<SiteFile> {
        list.iter()
            .map(|(path, text)| (path.to_string(), text.as_bytes().to_vec()))
            .collect()
    }

    fn pages(list: &[&str]) -> Action {
        Action::Reload {
            pages: Some(list.iter().map(|p| p.to_string()).collect()),
        }
    }

    fn started() -> (Live, u64) {
        let live = Live::new();
        live.publish(
            Files::All(files(&[
                ("a.html", "a"),
                ("b.html", "b"),
                ("404.html", "?"),
            ])),
            Action::Reload { pages: None },
        );
        let seen = live.snapshot().version;
        (live, seen)
    }

    #[test]
    fn a_page_is_stale_only_once_its_own_bytes_change() {
        let (live, seen) = started();
        // b changes; a is rendered again to the same bytes, then print.html follows.
        live.publish(
            Files::Some(files(&[("a.html", "a"), ("b.html", "B")])),
            pages(&["a.html", "b.html"]),
        );
        live.publish(
            Files::Some(files(&[("print.html", "ab")])),
            pages(&["print.html"]),
        );
        let site = live.snapshot();
        assert_eq!(site.version, seen + 2);
        assert!(!site.is_stale("a.html", seen));
        assert!(site.is_stale("b.html", seen));
        assert!(!site.is_stale("b.html", seen + 1));
        assert!(!site.is_stale("b.html", site.version));
    }

    #[test]
    fn a_new_search_index_replaces_the_old_files() {
        let (live, _) = started();
        live.publish(
            Files::Folder(
                SEARCH_FOLDER,
                files(&[("search/a1.js", "1"), ("search/entry.js", "e")]),
            ),
            pages(&[]),
        );
        live.publish(
            Files::Folder(
                SEARCH_FOLDER,
                files(&[("search/b2.js", "2"), ("search/entry.js", "f")]),
            ),
            pages(&[]),
        );
        let site = live.snapshot();
        let mut search: Vec<&str> = site
            .files
            .keys()
            .map(String::as_str)
            .filter(|p| p.starts_with("search/"))
            .collect();
        search.sort();
        assert_eq!(search, ["search/b2.js", "search/entry.js"]);
        assert!(site.files.contains_key("a.html"), "pages stay");
        assert!(!site.changed.contains_key("search/a1.js"));
    }

    #[test]
    fn removed_pages_new_pages_and_404s() {
        let (live, seen) = started();
        // A URL the site lacks was served 404.html, which has not changed.
        assert!(!live.snapshot().is_stale("typo.html", seen));
        // A whole-site build without b.html, with c.html.
        live.publish(
            Files::All(files(&[
                ("a.html", "a"),
                ("c.html", "c"),
                ("404.html", "?"),
            ])),
            pages(&["c.html"]),
        );
        let site = live.snapshot();
        assert!(!site.is_stale("a.html", seen));
        assert!(site.is_stale("b.html", seen), "removed: now a 404");
        assert!(
            site.is_stale("c.html", seen),
            "a 404 when served, a page now"
        );
        assert!(!site.is_stale("typo.html", seen));
    }

    #[test]
    fn a_file_every_page_may_show_makes_every_page_stale() {
        let (live, seen) = started();
        live.publish(
            Files::Some(files(&[("img/dot.svg", "<svg/>")])),
            Action::Reload { pages: None },
        );
        assert!(live.snapshot().is_stale("a.html", seen));
    }

    #[test]
    fn a_page_served_by_another_run_of_the_server_is_stale() {
        let (live, seen) = started();
        let site = live.snapshot();
        assert!(site.is_stale("a.html", site.first_version - 1));
        assert!(site.is_stale("a.html", site.version + 1));
        assert!(!site.is_stale("a.html", seen));
    }

    #[test]
    fn before_the_first_build_any_build_makes_the_placeholder_stale() {
        let live = Live::new();
        let placeholder = live.snapshot().version;
        assert!(!live.snapshot().is_stale("index.html", placeholder));
        live.publish(Files::All(files(&[("index.html", "i")])), pages(&[]));
        assert!(live.snapshot().is_stale("index.html", placeholder));
    }
}
