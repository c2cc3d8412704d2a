//! Live reload: the messages the server pushes to every open page over a
//! WebSocket, the handler that pushes them, and the script (`live.js`) that
//! the server injects into each page it serves and that acts on them.
//!
//! Every message carries the site's version and the current errors, so a
//! page that connects late, or reconnects after the server restarted, still
//! ends up showing the current site and the current error overlay.

use std::sync::Arc;

use axum::extract::ws::{Message as Frame, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast::error::RecvError;

use super::site::{Live, Snapshot};
use crate::diagnostics::Diagnostic;

/// Where pages connect to.
pub const SOCKET_PATH: &str = "/__handbook/live";
/// Where the injected script is served.
pub const SCRIPT_PATH: &str = "/__handbook/live.js";
/// The injected script.
pub const SCRIPT: &str = include_str!("live.js");

/// What open pages must do after a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Action {
    /// The first message on a connection: reload if `stale`, i.e. the page changed
    /// after the version it was served at (it missed an update while loading, or
    /// the server restarted).
    Hello {
        /// Whether the page is out of date.
        stale: bool,
    },
    /// Only show (or clear) the error overlay.
    Problems,
    /// Reload, keeping the scroll position, if showing one of `pages` (every page
    /// when `None`).
    Reload {
        /// Site paths of the pages that changed.
        pages: Option<Vec<String>>,
    },
    /// Swap the stylesheet `from` for `to` in place, without reloading.
    Stylesheet {
        /// The stylesheet's old site path.
        from: String,
        /// Its new site path.
        to: String,
    },
}

/// One error as the overlay shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// `file:line:col`, or empty for a failure that concerns no file.
    pub location: String,
    /// What is wrong.
    pub message: String,
}

impl From<&Diagnostic> for Problem {
    fn from(diagnostic: &Diagnostic) -> Self {
        Problem {
            location: diagnostic
                .location
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            message: diagnostic.message.clone(),
        }
    }
}

/// A message to the pages, as JSON.
pub fn message(version: u64, problems: &[Problem], action: &Action) -> String {
    #[derive(Serialize)]
    struct Message<'a> {
        version: u64,
        problems: &'a [Problem],
        action: &'a Action,
    }
    serde_json::to_string(&Message {
        version,
        problems,
        action,
    })
    .expect("messages serialise")
}

/// `GET /__handbook/live.js`.
pub async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        SCRIPT,
    )
        .into_response()
}

/// Which page opened the socket, and the site version it was served at.
#[derive(Debug, Deserialize)]
pub struct Opened {
    page: Option<String>,
    version: Option<u64>,
}

impl Opened {
    /// The hello for this page: stale if it changed since it was served. A client
    /// that names no page has nothing to reload.
    fn hello(&self, site: &Snapshot) -> String {
        let stale = match (&self.page, self.version) {
            (Some(page), Some(version)) => site.is_stale(page, version),
            _ => false,
        };
        message(site.version, &site.problems, &Action::Hello { stale })
    }
}

/// `GET /__handbook/live?page=…&version=…`: upgrades to a WebSocket that receives
/// every update. Only pages of this server may connect: another site open in the
/// browser must not read the book's errors.
pub async fn socket(
    upgrade: WebSocketUpgrade,
    headers: HeaderMap,
    Query(opened): Query<Opened>,
    State(live): State<Arc<Live>>,
) -> Response {
    if !same_origin(&headers) {
        return StatusCode::FORBIDDEN.into_response();
    }
    upgrade.on_upgrade(move |socket| push_updates(socket, live, opened))
}

/// True when the request has no `Origin` (not a browser page) or its origin is this server.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    match (origin.to_str().ok(), host) {
        (Some(origin), Some(host)) => {
            origin
                .strip_prefix("http://")
                .or_else(|| origin.strip_prefix("https://"))
                == Some(host)
        }
        _ => false,
    }
}

async fn push_updates(mut socket: WebSocket, live: Arc<Live>, opened: Opened) {
    // Subscribe before reading the state, so no update falls in between.
    let (mut updates, site) = live.subscribe();
    let hello = opened.hello(&site);
    if socket.send(Frame::Text(hello.into())).await.is_err() {
        return;
    }
    loop {
        tokio::select! {
            update = updates.recv() => {
                let text = match update {
                    Ok(text) => text.to_string(),
                    // Too slow to keep up: the page may have missed anything, so it
                    // reloads.
                    Err(RecvError::Lagged(_)) => {
                        let site = live.snapshot();
                        message(site.version, &site.problems, &Action::Hello { stale: true })
                    }
                    Err(RecvError::Closed) => return,
                };
                if socket.send(Frame::Text(text.into())).await.is_err() {
                    return;
                }
            }
            incoming = socket.recv() => match incoming {
                Some(Ok(Frame::Close(_))) | Some(Err(_)) | None => return,
                Some(Ok(_)) => {}
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_action_and_carry_the_errors() {
        let problems = [Problem {
            location: "src/a.md:3:1".into(),
            message: "broken link".into(),
        }];
        let text = message(
            7,
            &problems,
            &Action::Reload {
                pages: Some(vec!["a.html".into()]),
            },
        );
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["version"], 7);
        assert_eq!(value["action"]["kind"], "reload");
        assert_eq!(value["action"]["pages"][0], "a.html");
        assert_eq!(value["problems"][0]["location"], "src/a.md:3:1");
    }

    #[test]
    fn only_this_servers_pages_may_connect() {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, "127.0.0.1:3000".parse().unwrap());
        assert!(same_origin(&headers));
        headers.insert(header::ORIGIN, "http://127.0.0.1:3000".parse().unwrap());
        assert!(same_origin(&headers));
        headers.insert(header::ORIGIN, "https://evil.example".parse().unwrap());
        assert!(!same_origin(&headers));
    }
}
