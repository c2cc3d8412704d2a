//! `handbook serve`: a driver around the build stages for contributors. It
//! builds the book in memory, serves it over HTTP ([`http`]), watches the
//! sources ([`watch`]), rebuilds the least it can after each change
//! ([`incremental`]) and tells the open pages what to do ([`reload`]).
//!
//! Two threads share the served site ([`site::Live`]): the HTTP server (tokio)
//! reads snapshots; one rebuilding thread owns the book and publishes. A
//! content error never stops the server: it is reported, shown in the
//! browser, and the last good site stays up.

mod http;
mod incremental;
mod protocol;
mod reload;
mod site;
mod watch;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::diagnostics::Diagnostic;
use incremental::{Incremental, Outcome};
use protocol::{Action, Problem};
use site::{Files, Live};

/// How to serve.
#[derive(Debug, Clone)]
pub struct Options {
    /// The book's folder (holding `book.toml`).
    pub root: PathBuf,
    /// The address to listen on (`127.0.0.1` unless the user chose another).
    pub host: String,
    /// The port (0 for any free one).
    pub port: u16,
    /// Open the site in the default browser once listening.
    pub open: bool,
}

/// Something the user should see in the terminal.
#[derive(Debug)]
pub enum Event<'a> {
    /// The server is listening at this URL.
    Listening(&'a str),
    /// A warning or error about the book.
    Diagnostic(&'a Diagnostic),
    /// A rebuild published `what` (e.g. `core/types.md`) in `elapsed`.
    Rebuilt {
        /// What was rebuilt.
        what: &'a str,
        /// How long from the change being seen to the pages being told.
        elapsed: Duration,
    },
    /// A rebuild found errors; the last good site is still served.
    Failed {
        /// How many errors.
        errors: usize,
    },
    /// Something went wrong that is not about the book (the watcher, the browser).
    Warning(&'a str),
}

/// Why the server could not run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The book's folder does not exist.
    #[error("there is no folder `{0}`; give the folder that holds book.toml")]
    NoBook(PathBuf),
    /// The address could not be listened on.
    #[error("cannot listen on {address} (choose another --port or --host)")]
    Listen {
        /// `host:port`.
        address: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file watcher could not start.
    #[error("cannot watch the book's files: {0}")]
    Watch(#[from] notify::Error),
    /// The async runtime or the server failed.
    #[error("server error: {0}")]
    Io(#[from] std::io::Error),
}

/// Builds the book, serves it, and rebuilds on every change until interrupted
/// (Ctrl-C). Only failing to listen or to watch is an error: problems with the
/// book are reported through `on_event` and shown in the browser.
pub fn serve(
    options: &Options,
    mut on_event: impl FnMut(Event<'_>) + Send + 'static,
) -> Result<(), Error> {
    if !options.root.is_dir() {
        return Err(Error::NoBook(options.root.clone()));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    // Listen first: a busy port fails at once, not after a build.
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind((
            options.host.as_str(),
            options.port,
        )))
        .map_err(|source| Error::Listen {
            address: format!("{} port {}", options.host, options.port),
            source,
        })?;
    let mut incremental = Incremental::new(&options.root);
    // Watch before building, so a save during the first build is not lost.
    let (mut watcher, errors) = watch::Watcher::start(incremental.roots().clone())?;
    warn_all(&mut on_event, errors);
    let live = Arc::new(Live::new());
    let start = Instant::now();
    let outcome = incremental.full();
    apply(&live, &incremental, outcome, start, &mut on_event);
    warn_all(&mut on_event, watcher.follow(incremental.roots()));

    let url = format!("http://{}/", listener.local_addr()?);
    on_event(Event::Listening(&url));
    if options.open
        && let Err(e) = open::that_detached(&url)
    {
        on_event(Event::Warning(&format!("cannot open a browser: {e}")));
    }

    let rebuilding = Arc::clone(&live);
    std::thread::Builder::new()
        .name("rebuild".into())
        .spawn(move || {
            while let Some(batch) = watcher.wait() {
                let start = Instant::now();
                warn_all(&mut on_event, batch.errors);
                let outcome = incremental.rebuild(&batch.changes);
                apply(&rebuilding, &incremental, outcome, start, &mut on_event);
                let rearmed = watcher.needs_rearm();
                warn_all(&mut on_event, watcher.follow(incremental.roots()));
                if rearmed {
                    // Files that arrived before the folder was watched again were not seen.
                    let start = Instant::now();
                    let again = std::collections::BTreeSet::from([watch::Change::Unknown]);
                    let outcome = incremental.rebuild(&again);
                    apply(&rebuilding, &incremental, outcome, start, &mut on_event);
                }
            }
        })?;

    runtime.block_on(async move {
        let local_only = listener.local_addr()?.ip().is_loopback();
        let server = axum::serve(listener, http::router(live, local_only));
        tokio::select! {
            served = server => served,
            // Ctrl-C: stop at once; open connections are dropped with the runtime.
            interrupted = tokio::signal::ctrl_c() => interrupted,
        }
    })?;
    Ok(())
}

/// Reports a rebuild and publishes it (or its errors).
fn apply(
    live: &Live,
    incremental: &Incremental,
    outcome: Outcome,
    start: Instant,
    on_event: &mut impl FnMut(Event<'_>),
) {
    for diagnostic in &outcome.diagnostics {
        on_event(Event::Diagnostic(diagnostic));
    }
    if outcome.failed() {
        let problems: Vec<Problem> = outcome
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(Problem::from)
            .collect();
        on_event(Event::Failed {
            errors: problems.len(),
        });
        live.fail(problems);
        return;
    }
    let Some(update) = outcome.update else {
        return;
    };
    let files = if update.everything {
        Files::All(update.files)
    } else {
        Files::Some(update.files)
    };
    live.publish(files, update.action);
    on_event(Event::Rebuilt {
        what: &outcome.rebuilt,
        elapsed: start.elapsed(),
    });
    // After the changed pages are out: the search index, then print.html.
    if update.everything || update.print_stale {
        match incremental.search() {
            Some(Ok(files)) => live.publish(
                Files::Folder(site::SEARCH_FOLDER, files),
                Action::Reload {
                    pages: Some(Vec::new()),
                },
            ),
            Some(Err(error)) => on_event(Event::Warning(&format!(
                "the search index is out of date: {error}"
            ))),
            None => {}
        }
    }
    if update.print_stale {
        match incremental.print() {
            Some(Ok(print)) => live.publish(
                Files::Some(vec![print]),
                Action::Reload {
                    pages: Some(vec!["print.html".into()]),
                },
            ),
            Some(Err(error)) => on_event(Event::Warning(&format!(
                "print.html is out of date: {error}"
            ))),
            None => {}
        }
    }
}

fn warn_all(on_event: &mut impl FnMut(Event<'_>), errors: Vec<notify::Error>) {
    for error in errors {
        on_event(Event::Warning(&format!("watching: {error}")));
    }
}
