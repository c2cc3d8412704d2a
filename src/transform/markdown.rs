//! Markdown to HTML for one chapter, parsed once with pulldown-cmark.
//!
//! One pass produces everything later stages need: the page's HTML, its
//! headings (with unique ids), the text of each section for search, every
//! link and image with its source offset for validation, and the processed
//! event stream that `print.html` re-renders with book-wide ids.

use pulldown_cmark::{
    BlockQuoteKind, CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag,
    TagEnd,
};

use super::code::{self, CodeBlock, FenceInfo, Lang, console};
use super::highlight::Highlighter;
use super::raw_html;
use crate::diagnostics::{Diagnostic, LineIndex, Location};
use crate::html::escape;
use crate::includes::{self, IncludedFiles};
use crate::model::{Chapter, Heading, Section};

/// The Markdown extensions a book is parsed with: mdBook's, with smart punctuation
/// and definition lists as `book.toml` says.
pub fn options(html: &crate::config::HtmlConfig) -> Options {
    let mut options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM;
    options.set(Options::ENABLE_SMART_PUNCTUATION, html.smart_punctuation);
    options.set(Options::ENABLE_DEFINITION_LIST, html.definition_lists);
    options
}

/// A link or image in the source, for validation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LinkRef {
    /// The destination as written.
    pub dest: String,
    /// Byte offset of the link in the chapter's source.
    pub offset: usize,
    /// An image rather than a link.
    pub is_image: bool,
}

/// The result of transforming one chapter.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Rendered {
    /// Processed events: code already highlighted, headings carry their final ids.
    /// Raw HTML from the chapter is `InlineHtml` (rendering rewrites its links);
    /// HTML the transform writes itself is `Html`. Not cached: [`crate::transform::Page::finish`]
    /// drops them.
    #[serde(skip)]
    pub events: Vec<Event<'static>>,
    /// Headings in order.
    pub headings: Vec<Heading>,
    /// The text of each section, for search.
    pub sections: Vec<Section>,
    /// Every link and image, raw HTML's included.
    pub links: Vec<LinkRef>,
    /// Ids declared in raw HTML (`<span id="…">`), which links may target too.
    pub html_ids: Vec<String>,
    /// Names of footnote definitions (`[^name]: …`): their ids on the page.
    pub footnote_ids: Vec<String>,
    /// Every fenced code block, parsed: what `handbook test` runs. Not cached: a build
    /// needs them only until [`crate::playground::mark`].
    #[serde(skip)]
    pub code_blocks: Vec<CodeBlock>,
    /// Problems found (unknown languages, bad includes, ...).
    pub diagnostics: Vec<Diagnostic>,
}

/// What transforming needs besides the chapter.
pub struct Context<'a> {
    /// The shared highlighter.
    pub highlighter: &'a Highlighter,
    /// Files that code blocks include.
    pub includes: &'a IncludedFiles,
    /// How to show the chapter's path in messages (e.g. `content/core/types.md`).
    pub display_path: std::path::PathBuf,
    /// The source folder as shown in messages, for lines of files the chapter includes.
    pub src_display: std::path::PathBuf,
    /// Whether a `console` block without a `$ ` command is a warning ([`crate::config::TestConfig::declared`]).
    pub strict_console: bool,
    /// Whether raw `<script>` and `on…=` attributes are allowed (`allow-active-content`).
    pub allow_active_content: bool,
    /// The Markdown extensions ([`options`]).
    pub options: Options,
    /// `[output.html.code.hidelines]`: per language, the prefix of lines readers do not see.
    pub hidelines: &'a std::collections::BTreeMap<String, String>,
}

/// Transforms one chapter.
pub fn transform(chapter: &Chapter, ctx: &Context<'_>) -> Rendered {
    let mut state = State::new(chapter, ctx);
    for (event, range) in Parser::new_ext(&chapter.source, ctx.options).into_offset_iter() {
        state.event(event, range);
    }
    state.finish()
}

struct State<'c> {
    chapter: &'c Chapter,
    ctx: &'c Context<'c>,
    lines: LineIndex,
    out: Vec<Event<'static>>,
    headings: Vec<Heading>,
    used_ids: std::collections::HashSet<String>,
    /// Index in `out` of the open heading's start event, and its text so far.
    heading: Option<(usize, String)>,
    /// The open code block: its info string (`None` for an indented block), its text,
    /// and its source offset.
    code: Option<(Option<String>, String, usize)>,
    code_blocks: Vec<CodeBlock>,
    sections: Vec<Section>,
    links: Vec<LinkRef>,
    html_ids: Vec<String>,
    footnote_ids: Vec<String>,
    /// The open HTML block's text so far (a tag may span its lines), and its source range.
    html_block: Option<(String, std::ops::Range<usize>)>,
    diagnostics: Vec<Diagnostic>,
    seen_h1: bool,
}

impl<'c> State<'c> {
    fn new(chapter: &'c Chapter, ctx: &'c Context<'c>) -> Self {
        State {
            chapter,
            ctx,
            lines: LineIndex::new(&chapter.source),
            out: Vec::new(),
            headings: Vec::new(),
            used_ids: Default::default(),
            heading: None,
            code: None,
            code_blocks: Vec::new(),
            sections: vec![Section {
                id: String::new(),
                title: chapter.title.clone(),
                text: String::new(),
            }],
            links: Vec::new(),
            html_ids: Vec::new(),
            footnote_ids: Vec::new(),
            html_block: None,
            diagnostics: Vec::new(),
            seen_h1: false,
        }
    }

    fn locate(&self, offset: usize) -> Location {
        self.chapter
            .locate(&self.lines, offset, &|file| match file {
                Some(file) => self.ctx.src_display.join(file),
                None => self.ctx.display_path.clone(),
            })
    }

    fn event(&mut self, event: Event<'_>, range: std::ops::Range<usize>) {
        if let Some((_, text, _)) = &mut self.code {
            match event {
                Event::Text(t) => text.push_str(&t),
                Event::End(TagEnd::CodeBlock) => self.end_code_block(range.end),
                _ => {}
            }
            return;
        }
        match event {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                self.heading = Some((self.out.len(), String::new()));
                let tag = Tag::Heading {
                    level,
                    id,
                    classes,
                    attrs,
                };
                self.out.push(Event::Start(tag).into_static());
            }
            Event::End(TagEnd::Heading(level)) => self.end_heading(level, range.start),
            Event::Start(Tag::CodeBlock(kind)) => {
                let info = match kind {
                    CodeBlockKind::Fenced(info) => Some(info.to_string()),
                    CodeBlockKind::Indented => None,
                };
                self.code = Some((info, String::new(), range.start));
            }
            Event::Start(Tag::BlockQuote(Some(kind))) => {
                let (class, title) = callout(kind);
                self.out.push(Event::Html(
                    format!("<div class=\"callout callout-{class}\" role=\"note\"><p class=\"callout-title\">{title}</p>\n").into(),
                ));
            }
            Event::End(TagEnd::BlockQuote(Some(_))) => {
                self.out.push(Event::Html("</div>\n".into()))
            }
            // An email autolink (`<ada@example.com>`) is a `mailto:` link, not a path.
            Event::Start(Tag::Link {
                link_type: LinkType::Email,
                ..
            }) => self.out.push(event.into_static()),
            Event::Start(Tag::Link { ref dest_url, .. })
            | Event::Start(Tag::Image { ref dest_url, .. }) => {
                let is_image = matches!(event, Event::Start(Tag::Image { .. }));
                self.links.push(LinkRef {
                    dest: dest_url.to_string(),
                    offset: range.start,
                    is_image,
                });
                self.out.push(event.into_static());
            }
            Event::Start(Tag::FootnoteDefinition(ref name)) => {
                self.footnote_ids.push(name.to_string());
                self.out.push(event.into_static());
            }
            Event::Html(html) => {
                let (text, span) = self
                    .html_block
                    .get_or_insert((String::new(), range.start..range.end));
                text.push_str(&html);
                span.end = range.end;
            }
            Event::End(TagEnd::HtmlBlock) => {
                if let Some((html, span)) = self.html_block.take() {
                    self.raw_html(&html, span);
                }
                self.out.push(Event::End(TagEnd::HtmlBlock));
            }
            Event::InlineHtml(html) => self.raw_html(&html, range),
            Event::Text(ref text) | Event::Code(ref text) => {
                self.add_text(text);
                self.out.push(event.into_static());
            }
            Event::SoftBreak | Event::HardBreak => {
                self.add_text(" ");
                self.out.push(event.into_static());
            }
            Event::End(end) if ends_block(end) => {
                // Blocks are separate words in the search text: "end." + "Next" must not
                // become "end.Next".
                self.add_text(" ");
                self.out.push(Event::End(end));
            }
            other => self.out.push(other.into_static()),
        }
    }

    /// Keeps raw HTML as written, noting its links (validated like Markdown links) and ids.
    /// `span` is where the HTML is written; its text may differ from `html` by the `> `
    /// or indentation that blockquotes and lists strip, so a URL is found there by its text.
    fn raw_html(&mut self, html: &str, span: std::ops::Range<usize>) {
        let source = &self.chapter.source;
        let mut from = span.start;
        let attrs = raw_html::attributes(html);
        for url in raw_html::urls(html, &attrs) {
            let written = &html[url.range.clone()];
            let offset = source[from..span.end]
                .find(written)
                .map_or(span.start, |at| from + at);
            from = (offset + written.len()).min(span.end);
            self.links.push(LinkRef {
                dest: url.value,
                offset,
                is_image: url.is_image,
            });
        }
        if !self.ctx.allow_active_content {
            for (at, what) in raw_html::active_content(html) {
                let written = &html[at..(at + 12).min(html.len())];
                let offset = source[span.start..span.end]
                    .find(written)
                    .map_or(span.start, |p| span.start + p);
                self.diagnostics.push(Diagnostic::error(
                    self.locate(offset),
                    format!("{what} would run script in readers' browsers; remove it, or set `allow-active-content = true` under [output.html] in book.toml if the book's authors are trusted"),
                ));
            }
        }
        for id in raw_html::ids(html, &attrs) {
            if !self.used_ids.insert(id.clone()) {
                self.diagnostics.push(Diagnostic::warning(
                    self.locate(span.start),
                    format!("id `{id}` is used twice on this page; links to it go to the first"),
                ));
            }
            self.html_ids.push(id);
        }
        self.out.push(Event::InlineHtml(html.to_string().into()));
    }

    fn add_text(&mut self, text: &str) {
        match &mut self.heading {
            Some((_, heading_text)) => heading_text.push_str(text),
            None => self
                .sections
                .last_mut()
                .expect("there is always a section")
                .text
                .push_str(text),
        }
    }

    fn end_heading(&mut self, level: HeadingLevel, offset: usize) {
        let Some((start, text)) = self.heading.take() else {
            return;
        };
        let text = text.trim().to_string();
        let Event::Start(Tag::Heading {
            id, classes, attrs, ..
        }) = &self.out[start]
        else {
            unreachable!("`heading` points at a heading start")
        };
        let custom = id.is_some();
        let wanted = id.as_ref().map_or_else(|| slug(&text), |id| id.to_string());
        let (classes, attrs) = (classes.clone(), attrs.clone());
        if custom && self.used_ids.contains(&wanted) {
            self.diagnostics.push(Diagnostic::warning(
                self.locate(offset),
                format!("heading id `{wanted}` is used twice on this page; a suffix was added"),
            ));
        }
        let unique = self.unique_id(wanted);
        self.out[start] = Event::Start(Tag::Heading {
            level,
            id: Some(CowStr::from(unique.clone())),
            classes,
            attrs,
        });
        let level_number = level as u8;
        if level_number == 1 && !self.seen_h1 {
            self.seen_h1 = true;
            if let Some(number) = &self.chapter.number {
                self.out.insert(
                    start + 1,
                    Event::Html(format!("<span class=\"section-number\">{number}</span> ").into()),
                );
            }
        }
        self.out.push(Event::End(TagEnd::Heading(level)));
        if level_number >= 2 {
            self.sections.push(Section {
                id: unique.clone(),
                title: text.clone(),
                text: String::new(),
            });
        }
        self.headings.push(Heading {
            level: level_number,
            id: unique,
            text,
        });
    }

    fn unique_id(&mut self, wanted: String) -> String {
        let base = if wanted.is_empty() {
            "section".to_string()
        } else {
            wanted
        };
        let mut candidate = base.clone();
        let mut n = 1;
        while !self.used_ids.insert(candidate.clone()) {
            candidate = format!("{base}-{n}");
            n += 1;
        }
        candidate
    }

    fn end_code_block(&mut self, end: usize) {
        let Some((info, text, offset)) = self.code.take() else {
            return;
        };
        let location = self.locate(offset);
        let info = match info.as_deref().map(FenceInfo::parse) {
            None => FenceInfo::plain(),
            Some(Ok(info)) => info,
            Some(Err(problem)) => {
                self.diagnostics.push(Diagnostic::error(
                    location.clone(),
                    format!("code block info string: {problem}"),
                ));
                FenceInfo::lang_only(info.as_deref().unwrap_or_default())
            }
        };
        let (path, files) = (&self.chapter.source_path, self.ctx.includes);
        // Only examples need to know where each line is written (errors point there).
        let expanded = if info.is_example() {
            includes::expand_with_origins(&text, path, files)
        } else {
            includes::expand_includes(&text, path, files).map(|text| includes::Expanded {
                text,
                origins: Vec::new(),
            })
        };
        let code = expanded.unwrap_or_else(|problem| {
            self.diagnostics
                .push(Diagnostic::error(location.clone(), problem));
            includes::Expanded::plain(&text)
        });
        let shown = code::shown_code(&info.lang, &code.text, self.ctx.hidelines);
        let mut info = info;
        if info.lang == Lang::Console && !console::has_command(&shown) {
            if self.ctx.strict_console {
                self.diagnostics.push(Diagnostic::warning(
                    location.clone(),
                    "this console block has no `$ ` command, so it is shown as a shell listing and not run; write `$ ` before each command to make it a tested session",
                ));
            }
            info.lang = Lang::Shell;
        }
        let session = (info.lang == Lang::Console).then(|| console::parse(&shown));
        for (line, problem) in session.iter().flat_map(|s| &s.problems) {
            let at = Location {
                line: location.line + 1 + line,
                col: 1,
                ..location.clone()
            };
            self.diagnostics
                .push(Diagnostic::error(at, format!("console block: {problem}")));
        }
        let section = &mut self
            .sections
            .last_mut()
            .expect("there is always a section")
            .text;
        section.push(' ');
        section.push_str(&shown);
        section.push(' ');
        let too_big = too_big_to_highlight(&shown);
        if let Some(why) = &too_big {
            self.diagnostics.push(Diagnostic::warning(
                location.clone(),
                format!("{why}: shown without colours, so no input can make the build slow (an unclosed ``` fence?)"),
            ));
        }
        let highlighted = match &session {
            _ if too_big.is_some() => Some(escape(&shown)),
            Some(session) => Some(self.ctx.highlighter.console(session, &shown)),
            None => self.ctx.highlighter.highlight(&info.lang, &shown),
        };
        let inner = highlighted.unwrap_or_else(|| {
            self.diagnostics.push(Diagnostic::warning(
                location.clone(),
                format!("unknown code language `{}`: shown as plain text (use e.g. python, pycon, console, bash, toml, text)", info.lang.name()),
            ));
            escape(&shown)
        });
        let event = self.out.len();
        self.out
            .push(Event::Html(code_block_html(&info, &inner).into()));
        if info.is_example() || info.lang == Lang::Output {
            self.code_blocks.push(CodeBlock {
                info,
                code,
                session,
                range: offset..end,
                location,
                event,
            });
        }
    }

    fn finish(mut self) -> Rendered {
        for section in &mut self.sections {
            section.text = collapse_whitespace(&section.text);
        }
        self.sections
            .retain(|s| !(s.id.is_empty() && s.text.is_empty()));
        Rendered {
            events: self.out,
            headings: self.headings,
            sections: self.sections,
            links: self.links,
            html_ids: self.html_ids,
            footnote_ids: self.footnote_ids,
            code_blocks: self.code_blocks,
            diagnostics: self.diagnostics,
        }
    }
}

/// Whether `end` closes a block (whose text is a separate word from the next block's).
fn ends_block(end: TagEnd) -> bool {
    matches!(
        end,
        TagEnd::Paragraph
            | TagEnd::Item
            | TagEnd::TableCell
            | TagEnd::BlockQuote(_)
            | TagEnd::FootnoteDefinition
            | TagEnd::DefinitionListTitle
            | TagEnd::DefinitionListDefinition
    )
}

fn callout(kind: BlockQuoteKind) -> (&'static str, &'static str) {
    match kind {
        BlockQuoteKind::Note => ("note", "Note"),
        BlockQuoteKind::Tip => ("tip", "Tip"),
        BlockQuoteKind::Important => ("important", "Important"),
        BlockQuoteKind::Warning => ("warning", "Warning"),
        BlockQuoteKind::Caution => ("caution", "Caution"),
    }
}

/// The most code one block may hold, and the longest line, to be highlighted: the
/// highlighter's cost grows with both, and a block past them (an unclosed fence that
/// swallowed the rest of a 10 MB chapter) would take minutes.
const HIGHLIGHT_BYTES: usize = 256 * 1024;
const HIGHLIGHT_LINE: usize = 16 * 1024;

fn too_big_to_highlight(code: &str) -> Option<String> {
    if code.len() > HIGHLIGHT_BYTES {
        return Some(format!(
            "this code block holds {} KiB, more than the {} KiB that are highlighted",
            code.len() / 1024,
            HIGHLIGHT_BYTES / 1024
        ));
    }
    let longest = code.lines().map(str::len).max().unwrap_or(0);
    (longest > HIGHLIGHT_LINE).then(|| {
        format!(
            "a line of this code block holds {} KiB, more than the {} KiB that are highlighted",
            longest / 1024,
            HIGHLIGHT_LINE / 1024
        )
    })
}

fn code_block_html(info: &FenceInfo, inner: &str) -> String {
    let lang = escape(info.lang.name());
    if info.lang == Lang::Output {
        return format!(
            "<div class=\"code-block code-output\"><div class=\"code-label\">Output</div><pre><code>{inner}</code></pre></div>\n"
        );
    }
    let mut badges = String::new();
    if let Some(skip) = &info.attrs.skip {
        let (label, reason) = match skip {
            code::Skip::Ignore(reason) => ("not tested", reason),
            code::Skip::NoRun(reason) => ("not run", reason),
        };
        badges.push_str(&format!(
            "<span class=\"code-badge\" title=\"{}\">{label}</span>",
            escape(&format!("{label}: {reason}"))
        ));
    }
    if let Some(version) = info.attrs.min_python {
        badges.push_str(&format!(
            "<span class=\"code-badge code-python\" title=\"needs Python {version} or later\">Python {version}+</span>"
        ));
    }
    for (attr, class) in [("requires", "code-requires"), ("services", "code-services")] {
        if let Some(names) = info.written(attr) {
            badges.push_str(&format!(
                "<span class=\"code-badge {class}\">needs {}</span>",
                escape(names.trim())
            ));
        }
    }
    let badges = if badges.is_empty() {
        badges
    } else {
        format!("<div class=\"code-badges\">{badges}</div>")
    };
    format!(
        "<div class=\"code-block\" data-lang=\"{lang}\">{badges}<pre><code class=\"language-{lang}\">{inner}</code></pre></div>\n"
    )
}

/// The id of a heading: lower-cased words joined by hyphens, punctuation dropped
/// (GitHub's rule, so links written for GitHub work here too).
pub fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.trim().chars() {
        if c.is_alphanumeric() || c == '_' || c == '-' {
            out.extend(c.to_lowercase());
        } else if c.is_whitespace() {
            out.push('-');
        }
    }
    out
}

fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Renders processed events to HTML. `href` maps every link and image destination;
/// `id_prefix` is put before every heading id and footnote name (used by `print.html`,
/// where ids must be unique across the book).
pub fn render_html(
    events: &[Event<'static>],
    href: &dyn Fn(&str) -> String,
    id_prefix: &str,
) -> String {
    let mapped = events.iter().map(|event| match event {
        Event::Start(Tag::Heading {
            level, id, classes, ..
        }) => {
            let id = escape(&format!("{id_prefix}{}", id.as_deref().unwrap_or_default()));
            let class = if classes.is_empty() {
                String::new()
            } else {
                format!(" class=\"{}\"", escape(&classes.join(" ")))
            };
            Event::Html(
                format!("<{level}{class} id=\"{id}\"><a class=\"heading-anchor\" href=\"#{id}\">")
                    .into(),
            )
        }
        Event::End(TagEnd::Heading(level)) => Event::Html(format!("</a></{level}>\n").into()),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type: *link_type,
            dest_url: href(dest_url).into(),
            title: title.clone(),
            id: id.clone(),
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Image {
            link_type: *link_type,
            dest_url: href(dest_url).into(),
            title: title.clone(),
            id: id.clone(),
        }),
        Event::InlineHtml(html) => {
            Event::InlineHtml(raw_html::rewrite(html, href, id_prefix).into())
        }
        Event::FootnoteReference(name) if !id_prefix.is_empty() => {
            Event::FootnoteReference(format!("{id_prefix}{name}").into())
        }
        Event::Start(Tag::FootnoteDefinition(name)) if !id_prefix.is_empty() => {
            Event::Start(Tag::FootnoteDefinition(format!("{id_prefix}{name}").into()))
        }
        other => other.clone(),
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, mapped);
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn badges_name_needed_packages_and_services() {
        let info = FenceInfo::parse(r#"python requires="pytest" services="redis""#).unwrap();
        let html = scraper::Html::parse_fragment(&code_block_html(&info, "x"));
        let badge = scraper::Selector::parse(".code-badge").unwrap();
        let badges: Vec<String> = html
            .select(&badge)
            .map(|b| b.text().collect::<String>())
            .collect();
        assert_eq!(badges, ["needs pytest", "needs redis"]);
    }

    fn transform_source(source: &str) -> Rendered {
        let chapter = Chapter {
            title: "T".into(),
            number: None,
            depth: 0,
            part: None,
            ancestors: Vec::new(),
            source_path: "t.md".into(),
            source: source.into(),
            page_title: None,
            origins: Vec::new(),
            includes: Vec::new(),
        };
        let highlighter = Highlighter::new();
        let ctx = Context {
            highlighter: &highlighter,
            includes: &Default::default(),
            display_path: "t.md".into(),
            src_display: "".into(),
            strict_console: true,
            allow_active_content: false,
            options: Options::ENABLE_TABLES,
            hidelines: &Default::default(),
        };
        transform(&chapter, &ctx)
    }

    #[test]
    fn section_text_keeps_blocks_apart() {
        let rendered = transform_source(
            "# T\n\nA closure:\n\n```python\nx = 1\n```\nEnd.\n\nNext\n\n- one\n- two\n\n| a | b |\n|---|---|\n| c | d |\n",
        );
        assert_eq!(
            rendered.sections[0].text,
            "A closure: x = 1 End. Next one two a b c d"
        );
    }

    #[test]
    fn slugs_follow_github() {
        assert_eq!(slug("The `with` statement"), "the-with-statement");
        assert_eq!(slug("EAFP vs. LBYL?"), "eafp-vs-lbyl");
        assert_eq!(slug("__init_subclass__"), "__init_subclass__");
    }

    #[test]
    fn a_console_block_without_a_command_is_a_shell_listing_with_a_warning() {
        let rendered = transform_source("# T\n\n```console\ncargo build \\\n  --release\n```\n");
        assert!(rendered.code_blocks.is_empty(), "not an example");
        let messages: Vec<String> = rendered
            .diagnostics
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert!(
            messages[0].starts_with("t.md:3:1: warning: this console block has no `$ ` command")
        );
    }

    #[test]
    fn a_raw_html_id_that_repeats_a_heading_id_is_a_warning() {
        let rendered = transform_source("# T\n\n## Intro\n\n<span id=\"intro\">x</span>\n");
        let warnings: Vec<String> = rendered
            .diagnostics
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            warnings,
            [
                "t.md:5:1: warning: id `intro` is used twice on this page; links to it go to the first"
            ]
        );
        assert_eq!(rendered.html_ids, ["intro"]);
    }
}
