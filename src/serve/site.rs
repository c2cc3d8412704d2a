//! The site as served: the files of the last good build, its version and the
//! current errors, swapped as one snapshot so a request never sees half an
//! update, and every update broadcast to the open pages.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use axum::body::Bytes;
use tokio::sync::broadcast;

use super::reload::{Action, Problem, message};

/// One state of the served site.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// Changes with every published build; unique across server restarts, so a page
    /// left open over a restart notices that it is out of date.
    pub version: u64,
    /// Site path → contents.
    pub files: HashMap<String, Bytes>,
    /// Site path → the version at which its contents last changed.
    pub changed: HashMap<String, u64>,
    /// What the last build found wrong (empty when it succeeded).
    pub problems: Vec<Problem>,
}

impl Snapshot {
    /// Whether a page served at version `seen` is out of date. A page the site does
    /// not have (a 404) is out of date after any build, since it may exist now.
    pub fn is_stale(&self, page: &str, seen: u64) -> bool {
        match self.changed.get(page) {
            Some(&changed) => changed > seen,
            None => self.version != seen,
        }
    }
}

/// A file of the site: its site path and contents.
pub type SiteFile = (String, Vec<u8>);

/// New files of the site.
pub enum Files {
    /// The whole site: files that are not listed are gone.
    All(Vec<SiteFile>),
    /// Some files, added or replaced.
    Some(Vec<SiteFile>),
}

/// The served site, shared by the HTTP handlers and the rebuilding thread.
pub struct Live {
    current: RwLock<Arc<Snapshot>>,
    updates: broadcast::Sender<Arc<str>>,
}

impl Live {
    /// An empty site (before the first build).
    pub fn new() -> Live {
        let epoch_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        Live {
            current: RwLock::new(Arc::new(Snapshot {
                version: epoch_ms,
                ..Snapshot::default()
            })),
            // Pages only ever need the latest state; a page that lags is sent it.
            updates: broadcast::channel(64).0,
        }
    }

    /// The current state.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        Arc::clone(&self.current.read().expect("never poisoned"))
    }

    /// Future updates, and the current state.
    pub fn subscribe(&self) -> (broadcast::Receiver<Arc<str>>, Arc<Snapshot>) {
        let updates = self.updates.subscribe();
        (updates, self.snapshot())
    }

    /// Publishes a successful build: new files, no errors; pages are told to `action`.
    pub fn publish(&self, files: Files, action: Action) {
        self.update(action, |site| {
            let version = site.version + 1;
            let (mut map, mut changed) = match files {
                Files::All(_) => (HashMap::new(), HashMap::new()),
                Files::Some(_) => (site.files.clone(), site.changed.clone()),
            };
            let (Files::All(files) | Files::Some(files)) = files;
            for (path, bytes) in files {
                // A page rendered again to the same bytes has not changed: a page
                // opened meanwhile must not reload for it.
                let same = site.files.get(&path).is_some_and(|old| *old == bytes);
                let since = match site.changed.get(&path) {
                    Some(&since) if same => since,
                    _ => version,
                };
                changed.insert(path.clone(), since);
                map.insert(path, bytes.into());
            }
            Snapshot {
                version,
                files: map,
                changed,
                problems: Vec::new(),
            }
        });
    }

    /// Records a failed build: the files stay those of the last good build.
    pub fn fail(&self, problems: Vec<Problem>) {
        self.update(Action::Problems, |site| Snapshot {
            version: site.version,
            files: site.files.clone(),
            changed: site.changed.clone(),
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

    #[test]
    fn a_page_is_stale_only_once_its_own_bytes_change() {
        let live = Live::new();
        let reload = || Action::Reload { pages: None };
        live.publish(
            Files::All(files(&[("a.html", "a"), ("b.html", "b")])),
            reload(),
        );
        let seen = live.snapshot().version;

        // b changes; a is rendered again to the same bytes, and a whole-site build
        // keeps both.
        live.publish(
            Files::Some(files(&[("a.html", "a"), ("b.html", "B")])),
            reload(),
        );
        live.publish(
            Files::All(files(&[("a.html", "a"), ("b.html", "B")])),
            reload(),
        );
        let site = live.snapshot();
        assert_eq!(site.version, seen + 2);
        assert!(!site.is_stale("a.html", seen));
        assert!(site.is_stale("b.html", seen));
        assert!(!site.is_stale("b.html", seen + 1));
        assert!(site.is_stale("gone.html", seen));
        assert!(!site.is_stale("gone.html", site.version));

        // A whole-site build drops what it does not list.
        live.publish(Files::All(files(&[("a.html", "a")])), reload());
        assert!(live.snapshot().is_stale("b.html", seen + 2));
    }
}
