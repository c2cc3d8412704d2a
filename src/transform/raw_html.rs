//! Raw HTML written in a chapter (`<a href="other.md">`, `<img src="…">`,
//! `<span id="…">`): its URL attributes are found so they are validated and
//! rewritten like Markdown links, and its ids so links to them resolve and
//! stay unique in `print.html`. A small tag scanner, not an HTML parser:
//! chapters hold fragments, and only attribute values matter here.

use std::ops::Range;

use crate::html::escape;

/// What an attribute of a raw HTML tag holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttrKind {
    /// `href`: a link.
    Link,
    /// `src`: an image or other embedded file.
    Source,
    /// `id` (or `<a name>`): a target for `#fragment` links.
    Id,
}

/// An attribute value in a piece of raw HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attr {
    /// What it holds.
    pub kind: AttrKind,
    /// Byte range of the value (inside the quotes) in the HTML.
    pub range: Range<usize>,
    /// Whether the value is in quotes.
    pub quoted: bool,
}

/// The `href`, `src` and `id` attribute values in `html`, in order. Comments are skipped.
pub fn attributes(html: &str) -> Vec<Attr> {
    let bytes = html.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while let Some(at) = html[i..].find('<').map(|p| p + i) {
        i = at + 1;
        if html[i..].starts_with("!--") {
            i = html[i..].find("-->").map_or(html.len(), |end| i + end + 3);
            continue;
        }
        if !bytes.get(i).is_some_and(u8::is_ascii_alphabetic) {
            continue;
        }
        i = scan_tag(html, i, &mut found);
    }
    found
}

/// Scans the tag whose name starts at `start`, recording its attributes; returns the
/// offset after the tag.
fn scan_tag(html: &str, start: usize, found: &mut Vec<Attr>) -> usize {
    let bytes = html.as_bytes();
    let is_space = |b: u8| b.is_ascii_whitespace();
    let name_end = |from: usize| {
        (from..bytes.len())
            .find(|&j| is_space(bytes[j]) || matches!(bytes[j], b'>' | b'/' | b'='))
            .unwrap_or(bytes.len())
    };
    let skip_space = |from: usize| {
        (from..bytes.len())
            .find(|&j| !is_space(bytes[j]))
            .unwrap_or(bytes.len())
    };
    let tag_end = name_end(start);
    let tag = &html[start..tag_end];
    let mut i = tag_end;
    loop {
        i = skip_space(i);
        match bytes.get(i) {
            None => return i,
            Some(b'>') => return i + 1,
            Some(b'/') => {
                i += 1;
                continue;
            }
            _ => {}
        }
        let name_start = i;
        i = name_end(i).max(i + 1);
        let name = &html[name_start..i];
        i = skip_space(i);
        if bytes.get(i) != Some(&b'=') {
            continue;
        }
        i = skip_space(i + 1);
        let quoted = matches!(bytes.get(i), Some(b'"' | b'\''));
        let value = match bytes.get(i) {
            Some(&quote @ (b'"' | b'\'')) => {
                let end = html[i + 1..]
                    .find(quote as char)
                    .map_or(html.len(), |e| i + 1 + e);
                let range = i + 1..end;
                i = (end + 1).min(html.len());
                range
            }
            _ => {
                let end = (i..bytes.len())
                    .find(|&j| is_space(bytes[j]) || bytes[j] == b'>')
                    .unwrap_or(bytes.len());
                let range = i..end;
                i = end;
                range
            }
        };
        if let Some(kind) = kind_of(tag, name) {
            found.push(Attr {
                kind,
                range: value,
                quoted,
            });
        }
    }
}

fn kind_of(tag: &str, attr: &str) -> Option<AttrKind> {
    let is = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
    if is(attr, "href") {
        Some(AttrKind::Link)
    } else if is(attr, "src") {
        Some(AttrKind::Source)
    } else if is(attr, "id") || (is(attr, "name") && is(tag, "a")) {
        Some(AttrKind::Id)
    } else {
        None
    }
}

/// The value of an attribute as the browser reads it (the common entities decoded).
pub fn value(html: &str, attr: &Attr) -> String {
    html[attr.range.clone()]
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// `html` with each link and source passed through `href`, and each id prefixed
/// with `id_prefix` (in `print.html`, where every chapter shares one page).
pub fn rewrite(html: &str, href: &dyn Fn(&str) -> String, id_prefix: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut last = 0;
    for attr in attributes(html) {
        let value = value(html, &attr);
        let new = match attr.kind {
            AttrKind::Link | AttrKind::Source => href(&value),
            AttrKind::Id => format!("{id_prefix}{value}"),
        };
        out.push_str(&html[last..attr.range.start]);
        if attr.quoted {
            out.push_str(&escape(&new));
        } else {
            out.push_str(&format!("\"{}\"", escape(&new)));
        }
        last = attr.range.end;
    }
    out.push_str(&html[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(html: &str) -> Vec<(AttrKind, String)> {
        attributes(html)
            .iter()
            .map(|a| (a.kind, value(html, a)))
            .collect()
    }

    #[test]
    fn finds_links_sources_and_ids_in_any_quoting() {
        let html = r#"<p><a href="a.md#x" class=k>A</a> <IMG SRC='img/b.png' alt="<a href=no>"><span id=top data-href="no">"#;
        assert_eq!(
            found(html),
            [
                (AttrKind::Link, "a.md#x".into()),
                (AttrKind::Source, "img/b.png".into()),
                (AttrKind::Id, "top".into()),
            ]
        );
    }

    #[test]
    fn comments_and_text_are_not_tags() {
        assert_eq!(found("<!-- <a href=\"x.md\"> --> 1 < 2 <b>"), []);
        assert_eq!(
            found("<a name=\"old\"></a><div name=\"x\">"),
            [(AttrKind::Id, "old".into())]
        );
    }

    #[test]
    fn unterminated_tags_do_not_panic() {
        for html in ["<a href=", "<a href=\"x", "<a href", "<a ", "<", "<a/"] {
            attributes(html);
        }
    }

    #[test]
    fn rewrite_maps_urls_and_prefixes_ids() {
        let html = r#"<a href="a.md?q=1&amp;r=2" id="k">x</a><img src=b.png>"#;
        let out = rewrite(html, &|d| format!("[{d}]"), "ch-");
        assert_eq!(
            out,
            r#"<a href="[a.md?q=1&amp;r=2]" id="ch-k">x</a><img src="[b.png]">"#
        );
    }
}
