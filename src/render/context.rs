//! Typed inputs of the templates: what each template can use is a field
//! here, documented in one place (see the README's theme section).

use serde::Serialize;

use crate::config::ThemeChoice;
use crate::model::Heading;

/// What every page knows about the site.
#[derive(Debug, Serialize)]
pub struct SiteContext {
    /// The book's title.
    pub title: String,
    /// The book's description, if any.
    pub description: Option<String>,
    /// The HTML `lang`.
    pub language: String,
    /// The authors.
    pub authors: Vec<String>,
    /// The stylesheet, relative to the site root.
    pub css: String,
    /// The script, relative to the site root.
    pub js: String,
    /// The sidebar script, relative to the site root.
    pub toc_js: String,
    /// `light`, `dark` or `system`.
    pub default_theme: ThemeChoice,
    /// The repository, linked from the header.
    pub repository_url: Option<String>,
    /// Whether `print.html` exists.
    pub print: bool,
    /// The search box's files, when the site has search.
    pub search: Option<SearchContext>,
    /// The book's own stylesheets (`additional-css`), relative to the site root.
    pub additional_css: Vec<String>,
    /// The book's own scripts (`additional-js`), relative to the site root.
    pub additional_js: Vec<String>,
    /// The Run buttons, when some page has a verified example (see [`crate::playground`]).
    pub playground: Option<PlaygroundContext>,
}

/// What the Run buttons load, on the first click.
#[derive(Debug, Serialize)]
pub struct PlaygroundContext {
    /// The player script, relative to the site root.
    pub js: String,
    /// Whether readers may edit the examples (`[output.html.playground] editable`).
    pub editable: bool,
}

/// What the search box loads, on first use.
#[derive(Debug, Serialize)]
pub struct SearchContext {
    /// The search client (engine and user interface), relative to the site root.
    pub js: String,
    /// The index's entry file, relative to the site root.
    pub index: String,
    /// The most results shown (`limit-results`).
    pub limit: usize,
}

/// A link to another page, relative to the current one.
#[derive(Debug, Clone, Serialize)]
pub struct NavLink {
    /// Where it goes (relative URL).
    pub url: String,
    /// Its title, with the section number.
    pub title: String,
}

/// The context of `chapter.html` and `index.html`.
#[derive(Debug, Serialize)]
pub struct PageContext<'a> {
    /// The site.
    pub site: &'a SiteContext,
    /// The relative path from this page to the site's root (`""` or `"../"`).
    pub root: String,
    /// This page's path from the root (`core/types.html`).
    pub path: String,
    /// The chapter's title, without number.
    pub title: &'a str,
    /// The whole `<title>`, when the chapter sets it with `{{#title …}}`.
    pub page_title: Option<&'a str>,
    /// The section number (`4.2.`), if numbered.
    pub number: Option<String>,
    /// The body HTML.
    pub content: &'a str,
    /// Headings of level 2 and 3, for "On this page".
    pub toc: Vec<&'a Heading>,
    /// Part and parent chapters, outermost first.
    pub breadcrumbs: Vec<NavLink>,
    /// The previous page in reading order.
    pub prev: Option<NavLink>,
    /// The next page in reading order.
    pub next: Option<NavLink>,
    /// "Edit this page" target.
    pub edit_url: Option<String>,
    /// The page's absolute URL, when `site-url` is set.
    pub canonical_url: Option<String>,
    /// Meta description: the book's.
    pub description: Option<&'a str>,
    /// The table of contents: on the landing page only (others get the sidebar script).
    pub contents: &'a [TocItem],
}

/// What a [`TocItem`] is; templates compare `item.kind` with its lower-case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TocKind {
    /// A `# Part` title (`"part"`).
    Part,
    /// A `---` separator (`"separator"`).
    Separator,
    /// A chapter with a page (`"chapter"`).
    Chapter,
    /// A draft chapter, listed without a page (`"draft"`).
    Draft,
}

/// One entry of the sidebar or the landing page's contents.
#[derive(Debug, Clone, Serialize)]
pub struct TocItem {
    /// Part, separator, chapter or draft.
    pub kind: TocKind,
    /// The title (empty for separators).
    pub title: String,
    /// `4.2.`, if numbered.
    pub number: Option<String>,
    /// The page, relative to the root (chapters only).
    pub path: Option<String>,
    /// Nesting depth.
    pub depth: usize,
    /// The id of a part's heading on the landing page.
    pub anchor: Option<String>,
    /// Whether deeper entries follow it (its sub-chapters): a section the sidebar can fold.
    pub parent: bool,
}

/// One chapter inside `print.html`.
#[derive(Debug, Serialize)]
pub struct PrintChapter {
    /// The id of the chapter's wrapper element.
    pub id: String,
    /// The title with its number.
    pub title: String,
    /// The body, with book-wide ids and in-page links.
    pub content: String,
}

/// The context of `print.html`.
#[derive(Debug, Serialize)]
pub struct PrintContext<'a> {
    /// The site.
    pub site: &'a SiteContext,
    /// Always `""`: print.html sits at the root.
    pub root: &'static str,
    /// Every chapter in reading order.
    pub chapters: Vec<PrintChapter>,
    /// The table of contents.
    pub contents: &'a [TocItem],
}

/// The context of `404.html`, which must work at any URL depth: it carries its CSS inline.
#[derive(Debug, Serialize)]
pub struct NotFoundContext<'a> {
    /// The site.
    pub site: &'a SiteContext,
    /// The whole stylesheet, inlined.
    pub inline_css: &'a str,
    /// The home page: `site-url` if set, else `/`.
    pub home_url: String,
    /// The book's own text for the page (`src/404.md`), its links absolute under `home_url`.
    pub content: Option<String>,
}

/// The context of `toc.html` (rendered once, into the sidebar script).
#[derive(Debug, Serialize)]
pub struct TocContext<'a> {
    /// The entries.
    pub items: &'a [TocItem],
    /// `[output.html.fold]`: sections at this depth or deeper start folded (the current
    /// chapter's stay open); `None`: nothing folds.
    pub fold: Option<usize>,
}
