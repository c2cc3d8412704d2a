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
    /// What the last build found wrong (empty when it succeeded).
    pub problems: Vec<Problem>,
}

/// New files of the site.
pub enum Files {
    /// The whole site: files that are not listed are gone.
    All(Vec<(String, Vec<u8>)>),
    /// Some files, added or replaced.
    Some(Vec<(String, Vec<u8>)>),
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
            let mut map = match files {
                Files::All(_) => HashMap::new(),
                Files::Some(_) => site.files.clone(),
            };
            let (Files::All(files) | Files::Some(files)) = files;
            map.extend(files.into_iter().map(|(path, bytes)| (path, bytes.into())));
            Snapshot {
                version: site.version + 1,
                files: map,
                problems: Vec::new(),
            }
        });
    }

    /// Records a failed build: the files stay those of the last good build.
    pub fn fail(&self, problems: Vec<Problem>) {
        self.update(Action::Problems, |site| Snapshot {
            version: site.version,
            files: site.files.clone(),
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
