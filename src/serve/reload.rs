//! Live reload: the handler that pushes [`protocol`](super::protocol)
//! messages to every open page over a WebSocket, and the script (`live.js`)
//! that the server injects into each page it serves and that acts on them.
//!
//! Every message carries the site's version and the current errors, so a
//! page that connects late, or reconnects after the server restarted, still
//! ends up showing the current site and the current error overlay.

use std::sync::Arc;

use axum::extract::ws::{Message as Frame, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;

use super::protocol::{Action, message};
use super::site::{Live, Snapshot};

/// The injected script.
pub(super) const SCRIPT: &str = include_str!("live.js");

/// `GET /__handbook/live.js`.
pub(super) async fn script() -> Response {
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
pub(super) struct Opened {
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
pub(super) async fn socket(
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
