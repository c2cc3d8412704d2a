//! The HTTP side of `handbook serve`: routes, and safe static serving from
//! the in-memory site. Only files of the built site can ever be answered: a
//! request path is decoded and checked segment by segment (no `..`, no
//! encoded `/` or `\`, no empty segments) and then looked up in a map, so no
//! request reaches the file system. Every HTML page gets the live-reload
//! script, with the site's version, just before `</body>`.

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::site::{Live, Snapshot};
use super::{protocol, reload};

/// The server's routes. With `local_only` (the server listens on a loopback address),
/// a request whose `Host` is another name is refused: a page of a foreign site whose name
/// was re-pointed at 127.0.0.1 (DNS rebinding) must not read the book or its live socket.
pub(super) fn router(live: Arc<Live>, local_only: bool) -> Router {
    let router = Router::new()
        .route(protocol::SOCKET_PATH, get(reload::socket))
        .route(protocol::SCRIPT_PATH, get(reload::script))
        .fallback(site_file)
        .with_state(live);
    if local_only {
        router.layer(axum::middleware::from_fn(refuse_foreign_hosts))
    } else {
        router
    }
}

async fn refuse_foreign_hosts(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    if is_local_host(host) {
        return next.run(request).await;
    }
    (
        StatusCode::FORBIDDEN,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("handbook serve answers requests for localhost and this machine's addresses only, not for `{host}`; to serve other names, start it with --host and the address to listen on\n"),
    )
        .into_response()
}

/// Whether a `Host` header names this machine: an IP address, `localhost` or a name under
/// `.localhost` (which browsers resolve to loopback themselves), with or without a port.
pub(super) fn is_local_host(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(bracketed) => bracketed.split(']').next().unwrap_or_default(),
        None => host.rsplit_once(':').map_or(host, |(name, port)| {
            if port.bytes().all(|b| b.is_ascii_digit()) {
                name
            } else {
                host
            }
        }),
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name.parse::<std::net::IpAddr>().is_ok() || name == "localhost" || name.ends_with(".localhost")
}

/// Answers a request for a file of the site (`GET` and `HEAD`).
async fn site_file(method: Method, uri: Uri, State(live): State<Arc<Live>>) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "GET, HEAD")],
        )
            .into_response();
    }
    let site = live.snapshot();
    let Some(path) = site_path(uri.path()) else {
        return not_found(&site);
    };
    if let Some(bytes) = site.files.get(&path) {
        return file_response(StatusCode::OK, &path, bytes, &site);
    }
    // `/core` for the folder `core/`: its pages' relative links need the slash.
    let index = format!("{path}/index.html");
    if !path.contains('.') && site.files.contains_key(&index) {
        return (
            StatusCode::PERMANENT_REDIRECT,
            [(header::LOCATION, format!("/{path}/"))],
        )
            .into_response();
    }
    not_found(&site)
}

fn not_found(site: &Snapshot) -> Response {
    match site.files.get("404.html") {
        Some(page) => file_response(StatusCode::NOT_FOUND, "404.html", page, site),
        // No good build yet: a page that still shows the error overlay and reloads once fixed.
        None => file_response(
            StatusCode::NOT_FOUND,
            "404.html",
            &Bytes::from_static(NO_SITE_YET.as_bytes()),
            site,
        ),
    }
}

const NO_SITE_YET: &str = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not built yet</title></head>\n<body><h1>The book has not been built yet</h1><p>Fix the errors shown below (and in the terminal); this page reloads by itself.</p></body></html>\n";

fn file_response(status: StatusCode, path: &str, bytes: &Bytes, site: &Snapshot) -> Response {
    let content_type = content_type(path);
    let body = if content_type.starts_with("text/html") {
        Body::from(inject(bytes, site.version))
    } else {
        Body::from(bytes.clone())
    };
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // Always fetch again: the file may change with the next save.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// The page with the live-reload script before its last `</body>` (or at the end).
fn inject(html: &[u8], version: u64) -> Vec<u8> {
    let tag = format!(
        "<script src=\"{}\" data-socket=\"{}\" data-version=\"{version}\"></script>\n",
        protocol::SCRIPT_PATH,
        protocol::SOCKET_PATH
    );
    let at = html
        .windows(7)
        .rposition(|w| w.eq_ignore_ascii_case(b"</body>"))
        .unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + tag.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

/// The site file a request path names (`/` and `/core/` name their `index.html`), or
/// `None` when the path is not a plain path inside the site: `.` or `..` segments, in
/// plain or percent-encoded form, an encoded `/` or `\`, a NUL, empty segments (`//x`),
/// invalid escapes or UTF-8.
pub(super) fn site_path(request_path: &str) -> Option<String> {
    let rest = request_path.strip_prefix('/')?;
    let raw: Vec<&str> = rest.split('/').collect();
    let (last, folders) = raw.split_last()?;
    let mut segments = Vec::with_capacity(raw.len());
    for raw_segment in folders.iter().chain((!last.is_empty()).then_some(last)) {
        let segment = percent_decode(raw_segment)?;
        if segment.is_empty()
            || segment == "."
            || segment == ".."
            || segment.contains(['/', '\\', '\0'])
        {
            return None;
        }
        segments.push(segment);
    }
    if last.is_empty() {
        segments.push("index.html".into());
    }
    Some(segments.join("/"))
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The `Content-Type` of a site file, by its extension.
pub(super) fn content_type(path: &str) -> &'static str {
    let extension = path
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json",
        "xml" => "application/xml",
        "txt" | "md" | "py" | "toml" | "cfg" | "ini" | "csv" | "sh" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "wasm" => "application/wasm",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_hosts_are_served() {
        for host in [
            "127.0.0.1:3000",
            "localhost:3000",
            "LOCALHOST",
            "[::1]:3000",
            "app.localhost",
            "192.168.1.5:80",
        ] {
            assert!(is_local_host(host), "{host}");
        }
        for host in [
            "evil.example:3000",
            "evil.example",
            "localhost.evil.example",
            "",
            "127.0.0.1.nip.io",
        ] {
            assert!(!is_local_host(host), "{host}");
        }
    }

    #[test]
    fn plain_paths_name_site_files() {
        assert_eq!(site_path("/").as_deref(), Some("index.html"));
        assert_eq!(site_path("/core/").as_deref(), Some("core/index.html"));
        assert_eq!(
            site_path("/core/types.html").as_deref(),
            Some("core/types.html")
        );
        assert_eq!(site_path("/img/a%20b.png").as_deref(), Some("img/a b.png"));
    }

    #[test]
    fn traversal_and_odd_paths_name_nothing() {
        for path in [
            "/..",
            "/../etc/passwd",
            "/core/../../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/%2E%2E%2fetc%2fpasswd",
            "/..%2fetc",
            "/core%2f..%2f..%2fetc",
            "/..%5cwindows",
            "//etc/passwd",
            "/%2fetc/passwd",
            "/./index.html",
            "/a%00.html",
            "/%zz",
            "/%c3%28",
            "relative.html",
        ] {
            assert_eq!(site_path(path), None, "{path}");
        }
    }

    #[test]
    fn script_goes_before_the_last_body_end() {
        let html = b"<body><p>a</p></BODY></html>";
        let out = String::from_utf8(inject(html, 3)).unwrap();
        assert!(
            out.ends_with("data-version=\"3\"></script>\n</BODY></html>"),
            "{out}"
        );
    }

    #[test]
    fn content_types_by_extension() {
        assert_eq!(content_type("a/b.HTML"), "text/html; charset=utf-8");
        assert_eq!(content_type("x.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("x.svg"), "image/svg+xml");
        assert_eq!(content_type("LICENSE"), "application/octet-stream");
    }
}
