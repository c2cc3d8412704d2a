//! Raw HTML written in a chapter (`<a href="other.md">`, `<img src="…">`,
//! `<span id="…">`): its URLs are found so they are validated and rewritten
//! like Markdown links, and its ids so links to them resolve; in `print.html`
//! ids, and the attributes that refer to them, get the chapter's prefix. A
//! small tag scanner, not an HTML parser: chapters hold fragments, and only
//! attribute values matter here.

use std::ops::Range;

use crate::html::escape;

/// What an attribute of a raw HTML tag holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttrKind {
    /// `href`, `xlink:href`: a link.
    Link,
    /// `src`, `poster`: an image or other embedded file.
    Source,
    /// `srcset`: images, each with a size descriptor.
    SrcSet,
    /// `id` (or `<a name>`): a target for `#fragment` links.
    Id,
    /// `for`, `headers`, `aria-labelledby`…: ids of other elements, space-separated.
    IdRefs,
    /// Any other attribute that refers to an id as `url(#id)` (SVG `fill`, `style`).
    UrlRefs,
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

/// A URL found in raw HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Url {
    /// The URL as the browser reads it (entities decoded, spaces trimmed).
    pub value: String,
    /// Where it is written in the HTML, as written.
    pub range: Range<usize>,
    /// An embedded file (`src`, `srcset`) rather than a link.
    pub is_image: bool,
}

/// Elements whose content is text, not markup.
const RAW_TEXT: &[&str] = &["script", "style", "textarea", "title"];

/// The attributes of `html` that this module cares about, in order. Comments, CDATA
/// and the content of `<script>`, `<style>`, `<textarea>` and `<title>` are skipped.
pub fn attributes(html: &str) -> Vec<Attr> {
    let mut found = Vec::new();
    walk(html, &mut |_, _| {}, &mut |tag, name, range, quoted| {
        if range.is_empty() && !quoted {
            return; // a bare attribute: no value to rewrite or resolve
        }
        if let Some(kind) = kind_of(tag, name, &html[range.clone()]) {
            found.push(Attr {
                kind,
                range,
                quoted,
            });
        }
    });
    found
}

/// Active content in `html`, which runs script in a reader's browser: `<script>` elements
/// and `on…=` event attributes, each with its offset and what it is.
pub fn active_content(html: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let mut handlers = Vec::new();
    walk(
        html,
        &mut |tag, at| {
            if tag.eq_ignore_ascii_case("script") {
                found.push((at, "a <script> element".to_string()));
            }
        },
        &mut |tag, name, range, _| {
            let lower = name.to_ascii_lowercase();
            if lower.len() > 2 && lower.starts_with("on") {
                let at = html[..range.start].rfind(name).unwrap_or(range.start);
                handlers.push((at, format!("the event attribute `{name}` of <{tag}>")));
            }
        },
    );
    found.extend(handlers);
    found.sort();
    found
}

/// Called for each attribute with its tag, name, value range and whether it is quoted.
type OnAttr<'a> = dyn FnMut(&str, &str, Range<usize>, bool) + 'a;

/// Visits every tag of `html` (`on_tag(name, offset of '<')`) and every attribute with a
/// value (`on_attr(tag, name, value range, quoted)`), skipping comments, CDATA and the
/// content of raw-text elements.
fn walk(html: &str, on_tag: &mut dyn FnMut(&str, usize), on_attr: &mut OnAttr<'_>) {
    let bytes = html.as_bytes();
    let mut i = 0;
    while let Some(at) = html[i..].find('<').map(|p| p + i) {
        i = at + 1;
        let rest = &html[i..];
        let skip_to = |end: &str| rest.find(end).map_or(html.len(), |p| i + p + end.len());
        if rest.starts_with("!--") {
            i = skip_to("-->");
            continue;
        }
        if rest.starts_with("![CDATA[") {
            i = skip_to("]]>");
            continue;
        }
        if !bytes.get(i).is_some_and(u8::is_ascii_alphabetic) {
            continue;
        }
        let (tag, end) = scan_tag(html, i, on_attr);
        on_tag(tag, at);
        i = end;
        if RAW_TEXT.iter().any(|t| t.eq_ignore_ascii_case(tag)) {
            let close = format!("</{}", tag.to_ascii_lowercase());
            i = html[i..]
                .to_ascii_lowercase()
                .find(&close)
                .map_or(html.len(), |p| i + p);
        }
    }
}

/// Scans the tag whose name starts at `start`, passing each attribute with a value to
/// `on_attr`; returns the tag's name and the offset after the tag.
fn scan_tag<'h>(html: &'h str, start: usize, on_attr: &mut OnAttr<'_>) -> (&'h str, usize) {
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
    let tag = &html[start..name_end(start)];
    let mut i = start + tag.len();
    loop {
        i = skip_space(i);
        match bytes.get(i) {
            None => return (tag, i),
            Some(b'>') => return (tag, i + 1),
            Some(b'/') => {
                i += 1;
                continue;
            }
            _ => {}
        }
        let name_start = i;
        // At least one byte: `=` (ASCII) when the name is empty.
        i = name_end(i).max(i + 1);
        let name = &html[name_start..i];
        i = skip_space(i);
        if bytes.get(i) != Some(&b'=') {
            // A bare attribute (`onload` with no value) is still an event attribute.
            on_attr(tag, name, i..i, false);
            continue;
        }
        i = skip_space(i + 1);
        let quoted = matches!(bytes.get(i), Some(b'"' | b'\''));
        let range = if quoted {
            let quote = bytes[i] as char;
            let end = html[i + 1..].find(quote).map_or(html.len(), |e| i + 1 + e);
            let range = i + 1..end;
            i = (end + 1).min(html.len());
            range
        } else {
            let end = (i..bytes.len())
                .find(|&j| is_space(bytes[j]) || bytes[j] == b'>')
                .unwrap_or(bytes.len());
            let range = i..end;
            i = end;
            range
        };
        on_attr(tag, name, range, quoted);
    }
}

fn kind_of(tag: &str, attr: &str, value: &str) -> Option<AttrKind> {
    const ID_REFS: &[&str] = &[
        "for",
        "headers",
        "list",
        "form",
        "aria-labelledby",
        "aria-describedby",
        "aria-controls",
        "aria-owns",
        "aria-activedescendant",
        "aria-details",
        "aria-errormessage",
    ];
    let attr = attr.to_ascii_lowercase();
    Some(match attr.as_str() {
        "href" | "xlink:href" => AttrKind::Link,
        "src" | "poster" => AttrKind::Source,
        "srcset" => AttrKind::SrcSet,
        "id" => AttrKind::Id,
        "name" if tag.eq_ignore_ascii_case("a") => AttrKind::Id,
        a if ID_REFS.contains(&a) => AttrKind::IdRefs,
        _ if value.contains("url(#") => AttrKind::UrlRefs,
        _ => return None,
    })
}

/// The value of an attribute as the browser reads it: character references decoded.
pub fn value(html: &str, attr: &Attr) -> String {
    decode(&html[attr.range.clone()])
}

fn decode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let decoded = rest.find(';').and_then(|semi| {
            let decoded = match &rest[1..semi] {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" => '\'',
                "nbsp" => '\u{a0}',
                number => {
                    let code = match number.strip_prefix('#')? {
                        hex if hex.starts_with(['x', 'X']) => {
                            u32::from_str_radix(&hex[1..], 16).ok()?
                        }
                        decimal => decimal.parse().ok()?,
                    };
                    char::from_u32(code)?
                }
            };
            Some((decoded, semi + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The URLs among `attrs`, the [`attributes`] of `html` (each candidate of a `srcset` on its own), in order. Empty and
/// query-only values (`href=""`, `href="?q=1"`) mean the page itself and are left out.
pub fn urls(html: &str, attrs: &[Attr]) -> Vec<Url> {
    let mut found = Vec::new();
    for attr in attrs.iter().cloned() {
        let is_image = match attr.kind {
            AttrKind::Link => false,
            AttrKind::Source => true,
            AttrKind::SrcSet => {
                for range in srcset_urls(html, attr.range.clone()) {
                    push_url(&mut found, html, range, true);
                }
                continue;
            }
            _ => continue,
        };
        push_url(&mut found, html, attr.range, is_image);
    }
    found
}

fn push_url(found: &mut Vec<Url>, html: &str, range: Range<usize>, is_image: bool) {
    let value = decode(&html[range.clone()]).trim().to_string();
    if !value.is_empty() && !value.starts_with('?') {
        found.push(Url {
            value,
            range,
            is_image,
        });
    }
}

/// The ranges of the URLs of a `srcset` value (`a.png 1x, b.png 2x`) at `range`.
fn srcset_urls(html: &str, range: Range<usize>) -> Vec<Range<usize>> {
    let mut urls = Vec::new();
    let mut offset = range.start;
    for candidate in html[range].split(',') {
        let url_start = candidate.len() - candidate.trim_start().len();
        let url_len = candidate[url_start..]
            .find(char::is_whitespace)
            .unwrap_or(candidate.len() - url_start);
        if url_len > 0 {
            urls.push(offset + url_start..offset + url_start + url_len);
        }
        offset += candidate.len() + 1;
    }
    urls
}

/// The ids declared among `attrs`, the [`attributes`] of `html`.
pub fn ids(html: &str, attrs: &[Attr]) -> Vec<String> {
    attrs
        .iter()
        .filter(|a| a.kind == AttrKind::Id)
        .map(|a| value(html, a))
        .collect()
}

/// `html` with each URL passed through `href`, and in `print.html` (`id_prefix` not
/// empty) each id, and each reference to one, prefixed. Values that do not change keep
/// their bytes as written.
pub fn rewrite(html: &str, href: &dyn Fn(&str) -> String, id_prefix: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut last = 0;
    let mut replace = |range: Range<usize>, quoted: bool, new: String, out: &mut String| {
        if new == decode(&html[range.clone()]) {
            return;
        }
        out.push_str(&html[last..range.start]);
        let new = escape(&new);
        if quoted {
            out.push_str(&new);
        } else {
            out.push_str(&format!("\"{new}\""));
        }
        last = range.end;
    };
    for attr in attributes(html) {
        let value = value(html, &attr);
        match attr.kind {
            AttrKind::Link | AttrKind::Source => {
                let trimmed = value.trim();
                if !trimmed.is_empty() && !trimmed.starts_with('?') {
                    replace(attr.range, attr.quoted, href(trimmed), &mut out);
                }
            }
            AttrKind::SrcSet => {
                for range in srcset_urls(html, attr.range) {
                    let url = decode(&html[range.clone()]);
                    // Inside the quotes of the whole value: no quotes of its own.
                    replace(range, true, href(&url), &mut out);
                }
            }
            _ if id_prefix.is_empty() => {}
            AttrKind::Id => replace(
                attr.range,
                attr.quoted,
                format!("{id_prefix}{value}"),
                &mut out,
            ),
            AttrKind::IdRefs => {
                let prefixed: Vec<String> = value
                    .split_whitespace()
                    .map(|id| format!("{id_prefix}{id}"))
                    .collect();
                replace(attr.range, attr.quoted, prefixed.join(" "), &mut out);
            }
            AttrKind::UrlRefs => {
                let new = value.replace("url(#", &format!("url(#{id_prefix}"));
                replace(attr.range, attr.quoted, new, &mut out);
            }
        }
    }
    out.push_str(&html[last..]);
    out
}

/// The schemes of URLs that run script when followed or loaded.
const ACTIVE_SCHEMES: &[&str] = &["javascript", "vbscript", "data"];

/// The active scheme of `url` (`javascript:`), as a browser reads it: case and the tabs,
/// newlines and leading spaces browsers strip do not hide it.
pub fn active_scheme(url: &str) -> Option<&'static str> {
    let cleaned: String = url
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .take(16)
        .collect::<String>()
        .to_ascii_lowercase();
    let (scheme, _) = cleaned.split_once(':')?;
    ACTIVE_SCHEMES.iter().copied().find(|s| *s == scheme)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_scripts_event_attributes_and_active_urls() {
        let html =
            "<p onclick=\"x()\">a</p><script>alert(1)</script><img src=x ONERROR=y><details open>";
        let found: Vec<String> = active_content(html)
            .into_iter()
            .map(|(_, what)| what)
            .collect();
        assert_eq!(
            found,
            [
                "the event attribute `onclick` of <p>",
                "a <script> element",
                "the event attribute `ONERROR` of <img>"
            ]
        );
        assert_eq!(active_scheme(" Java\tScript:alert(1)"), Some("javascript"));
        assert_eq!(active_scheme("data:text/html,x"), Some("data"));
        assert_eq!(active_scheme("https://example.com/?javascript:"), None);
        assert!(active_content("<kbd>Ctrl</kbd><!-- <script> -->").is_empty());
    }

    fn found(html: &str) -> Vec<(AttrKind, String)> {
        attributes(html)
            .iter()
            .map(|a| (a.kind, value(html, a)))
            .collect()
    }

    #[test]
    fn finds_urls_and_ids_in_any_quoting() {
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
    fn comments_cdata_scripts_and_text_are_not_tags() {
        assert_eq!(found("<!-- <a href=\"x.md\"> --> 1 < 2 <b>"), []);
        assert_eq!(found("<![CDATA[ <a href=\"x.md\"> ]]>"), []);
        let script =
            "<script>if (i<a.length) { s = '<a href=\"#no\">'; }</SCRIPT><a href=\"y.md\">";
        assert_eq!(found(script), [(AttrKind::Link, "y.md".into())]);
        assert_eq!(
            found("<a name=\"old\"></a><div name=\"x\">"),
            [(AttrKind::Id, "old".into())]
        );
    }

    #[test]
    fn urls_are_decoded_trimmed_and_split_from_srcsets() {
        let html = r#"<a href=" x&#x2F;y.md?a=1&#38;b=2 "><a href=""><a href="?q"><img srcset="s.png 1x, l.png 2x" poster=p.png>"#;
        let values: Vec<(String, bool)> = urls(html, &attributes(html))
            .into_iter()
            .map(|u| (u.value, u.is_image))
            .collect();
        assert_eq!(
            values,
            [
                ("x/y.md?a=1&b=2".to_string(), false),
                ("s.png".to_string(), true),
                ("l.png".to_string(), true),
                ("p.png".to_string(), true),
            ]
        );
    }

    #[test]
    fn odd_input_does_not_panic() {
        for html in [
            "<a href=",
            "<a href=\"x",
            "<a href",
            "<a ",
            "<",
            "<a/",
            "<a é=\"ü\" href=ü.md>",
            "<script>",
            "<!--",
            "<![CDATA[",
            "<a href=\"&#xFFFFFFFF;&#;&\">",
            "<img srcset=\",,\">",
        ] {
            rewrite(html, &|d| format!("[{d}]"), "p-");
            urls(html, &attributes(html));
        }
    }

    #[test]
    fn rewrite_maps_urls_and_leaves_unchanged_values_as_written() {
        let href = |d: &str| {
            d.strip_suffix(".md")
                .map_or(d.to_string(), |s| format!("{s}.html"))
        };
        let html =
            r#"<a href="https://x.org/?a=1&#38;b=2" id="k">x</a><img src=b.md srcset="c.md 2x">"#;
        assert_eq!(
            rewrite(html, &href, ""),
            r#"<a href="https://x.org/?a=1&#38;b=2" id="k">x</a><img src="b.html" srcset="c.html 2x">"#
        );
    }

    #[test]
    fn print_prefixes_ids_and_what_refers_to_them() {
        let html = r##"<label for="q">Q</label><input id="q" aria-describedby="h1 h2"><rect fill="url(#g)"/><a href="#q">"##;
        assert_eq!(
            rewrite(html, &|d| d.replace('#', "#ch-"), "ch-"),
            r##"<label for="ch-q">Q</label><input id="ch-q" aria-describedby="ch-h1 ch-h2"><rect fill="url(#ch-g)"/><a href="#ch-q">"##
        );
    }
}
