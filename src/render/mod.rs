//! The render stage: pages and theme in, output files out. Templates and
//! CSS are prepared once; pages render in parallel.

pub mod context;
pub mod css;
pub mod theme;

use rayon::prelude::*;

use crate::error::Result;
use crate::model::{Book, Chapter, TocEntry};
use crate::transform::{Page, links, markdown};
use crate::write::{OutputFile, Sink};
use context::{
    NavLink, NotFoundContext, PageContext, PrintChapter, PrintContext, SearchContext, SiteContext,
    TocContext, TocItem, TocKind,
};
use theme::Theme;

/// What every page shares, prepared once per theme and table of contents: the bundled
/// stylesheet, the sidebar script and the content-hashed names pages link them by.
/// Kept apart from [`Renderer`] so a driver that re-renders single pages
/// (`handbook serve`) prepares it only when the theme or the summary changes.
pub struct Shared {
    site: SiteContext,
    contents: Vec<TocItem>,
    css: String,
    files: Vec<OutputFile>,
    /// The most search results shown (`limit-results`).
    limit: usize,
}

impl Shared {
    /// Bundles the CSS, renders the sidebar, and names the assets by content hash.
    pub fn prepare(book: &Book, theme: &Theme) -> Result<Shared> {
        let mut files = theme.files.clone();
        files.insert(
            "css/highlight.css".into(),
            crate::transform::highlight::theme_css(),
        );
        let css =
            css::bundle(&files, "css/main.css", book.config.html.browser_targets).map_err(|e| {
                crate::error::Error::Css {
                    location: theme.location(&e.file, e.line, e.col),
                    message: e.message,
                }
            })?;
        let contents = toc_items(book);
        let toc_html = theme.render(
            "toc.html",
            &TocContext {
                items: &contents,
                fold: book.config.html.fold,
            },
        )?;
        let mut toc_js = format!(
            "window.handbookToc({});\n",
            serde_json::to_string(&toc_html).expect("strings serialise")
        );
        if book.config.html.fold.is_some() {
            toc_js.push_str(&theme.script("js/fold.js")?);
        }
        let mut outputs = Vec::new();
        let mut hashed = |stem: &str, ext: &str, text: String| {
            let file = hashed_file(stem, ext, text);
            let name = file.path.clone();
            outputs.push(file);
            name
        };
        let css_path = hashed("assets/main", "css", css.clone());
        let js_path = hashed("assets/book", "js", theme.script("js/book.js")?);
        let toc_path = hashed("assets/toc", "js", toc_js);
        let config = &book.config;
        let site = SiteContext {
            title: config.title().to_string(),
            description: config.book.description.clone(),
            language: config.language().to_string(),
            authors: config.book.authors.clone(),
            css: css_path,
            js: js_path,
            toc_js: toc_path,
            default_theme: config.html.default_theme,
            repository_url: config.html.git_repository_url.clone(),
            print: config.html.print,
            search: None,
            additional_css: config.html.additional_css.clone(),
            additional_js: config.html.additional_js.clone(),
            playground: None,
        };
        Ok(Shared {
            site,
            contents,
            css,
            files: outputs,
            limit: config.html.search.limit_results,
        })
    }

    /// Adds the search box to every page: it loads the index whose entry file is `index`
    /// (relative to the site root). The search client becomes one more shared asset.
    pub fn enable_search(&mut self, theme: &Theme, index: String) -> crate::error::Result<()> {
        let client = format!(
            "{}\n{}",
            search_index::client_js(),
            theme.script("js/search.js")?
        );
        let file = hashed_file("assets/search", "js", client);
        self.site.search = Some(SearchContext {
            js: file.path.clone(),
            index,
            limit: self.limit,
        });
        self.files.push(file);
        Ok(())
    }

    /// Gives the verified examples their Run buttons: the player and the runtime become
    /// shared assets (loaded only when a reader clicks Run).
    pub fn enable_playground(&mut self, assets: crate::playground::Assets) {
        self.site.playground = Some(context::PlaygroundContext {
            js: assets.js,
            editable: assets.editable,
        });
        self.files.extend(assets.files);
    }

    /// The stylesheet's path in the site (`assets/main-<hash>.css`).
    pub fn stylesheet(&self) -> &str {
        &self.site.css
    }
}

/// Renders pages with the theme and the [`Shared`] assets.
pub struct Renderer<'a> {
    book: &'a Book,
    theme: &'a Theme,
    shared: &'a Shared,
}

impl<'a> Renderer<'a> {
    /// A renderer of `book`'s pages.
    pub fn new(book: &'a Book, theme: &'a Theme, shared: &'a Shared) -> Self {
        Renderer {
            book,
            theme,
            shared,
        }
    }

    /// Renders the whole site: every page, the book-wide files (landing page, 404,
    /// sitemap), the shared assets and the book's own files; `print.html` is [`Renderer::print`].
    pub fn render_all(&self, pages: &[Page], sink: &dyn Sink) -> Result<()> {
        pages
            .par_iter()
            .try_for_each(|page| sink.put(self.page(page)?))?;
        self.book_files(pages.first(), sink)
    }

    /// The files of the book as a whole: the landing page (showing `first`, the first
    /// chapter, when no chapter is the index), 404, sitemap, the shared assets and the
    /// book's own files.
    pub fn book_files(&self, first: Option<&Page>, sink: &dyn Sink) -> Result<()> {
        let mut outputs: Vec<OutputFile> = self.shared.files.clone();
        if !self.book.has_index_chapter() {
            outputs.push(self.landing(first)?);
        }
        outputs.push(self.not_found()?);
        if let Some(url) = &self.book.config.html.site_url {
            outputs.push(OutputFile::bytes(
                "sitemap.xml".into(),
                sitemap(url, self.book).into_bytes(),
            ));
            outputs.push(OutputFile::bytes(
                "robots.txt".into(),
                format!("User-agent: *\nAllow: /\nSitemap: {url}sitemap.xml\n").into_bytes(),
            ));
        }
        let root = &self.book.config.root;
        for file in self
            .book
            .config
            .html
            .additional_css
            .iter()
            .chain(&self.book.config.html.additional_js)
        {
            outputs.push(OutputFile::copy(file.clone(), root.join(file)));
        }
        if let Some(cname) = &self.book.config.html.cname {
            outputs.push(OutputFile::bytes(
                "CNAME".into(),
                format!("{cname}\n").into_bytes(),
            ));
        }
        outputs.extend(crate::redirect::pages(&self.book.config.html.redirect));
        for asset in &self.book.assets {
            outputs.push(OutputFile::copy(
                asset.to_string(),
                self.book.config.src_dir.join(asset),
            ));
        }
        outputs.into_iter().try_for_each(|file| sink.put(file))
    }

    /// Renders one chapter's page.
    pub fn page(&self, page: &Page) -> Result<OutputFile> {
        let chapter = &self.book.chapters[page.chapter];
        let path = chapter.output_path();
        let root = "../".repeat(path.matches('/').count());
        let link = |index: usize| {
            let target = &self.book.chapters[index];
            NavLink {
                url: links::relative(&path, &target.output_path()),
                title: target.numbered_title(),
            }
        };
        let mut breadcrumbs: Vec<NavLink> = chapter
            .part
            .iter()
            .map(|part| NavLink {
                url: format!(
                    "{}#{}",
                    links::relative(&path, "index.html"),
                    part_anchor(part)
                ),
                title: part.clone(),
            })
            .collect();
        breadcrumbs.extend(chapter.ancestors.iter().map(|&i| link(i)));
        let config = &self.book.config;
        let landing = path == "index.html";
        let context = PageContext {
            site: &self.shared.site,
            root: root.clone(),
            path: path.clone(),
            title: &chapter.title,
            page_title: chapter.page_title.as_deref(),
            number: chapter.number.as_ref().map(ToString::to_string),
            content: &page.html,
            toc: page
                .rendered
                .headings
                .iter()
                .filter(|h| h.level == 2 || h.level == 3)
                .collect(),
            breadcrumbs,
            prev: page.chapter.checked_sub(1).map(link),
            next: (page.chapter + 1 < self.book.chapters.len()).then(|| link(page.chapter + 1)),
            edit_url: config
                .html
                .edit_url_template
                .as_ref()
                .map(|t| t.replace("{path}", &chapter.source_path)),
            canonical_url: config
                .html
                .site_url
                .as_ref()
                .map(|url| format!("{url}{path}")),
            description: config.book.description.as_deref(),
            // Only the landing page lists the contents: handing every page the whole
            // table of contents would make rendering quadratic in the number of pages.
            contents: if landing { &self.shared.contents } else { &[] },
        };
        let template = if landing {
            "index.html"
        } else {
            "chapter.html"
        };
        Ok(OutputFile::bytes(
            path,
            self.theme.render(template, &context)?.into_bytes(),
        ))
    }

    /// The landing page of a book without an `index.html` chapter. As in mdBook, it shows
    /// the first chapter too (so `index.html#anchor` links keep working), its links
    /// rewritten for the site's root.
    fn landing(&self, first: Option<&Page>) -> Result<OutputFile> {
        let config = &self.book.config;
        let content = first
            .and_then(|page| page.landing_html.as_deref())
            .unwrap_or_default();
        let context = PageContext {
            site: &self.shared.site,
            root: String::new(),
            path: "index.html".into(),
            title: config.title(),
            page_title: None,
            number: None,
            content,
            toc: Vec::new(),
            breadcrumbs: Vec::new(),
            prev: None,
            next: self.book.chapters.first().map(|c| NavLink {
                url: c.output_path(),
                title: c.numbered_title(),
            }),
            edit_url: None,
            canonical_url: config.html.site_url.clone(),
            description: config.book.description.as_deref(),
            contents: &self.shared.contents,
        };
        Ok(OutputFile::bytes(
            "index.html".into(),
            self.theme.render("index.html", &context)?.into_bytes(),
        ))
    }

    /// `404.html`, shown by servers for any missing path: the book's `404.md` (as in
    /// mdBook) or the theme's text, with links absolute under the site's path.
    fn not_found(&self) -> Result<OutputFile> {
        let html = &self.book.config.html;
        let home_url = html
            .site_url
            .clone()
            .or_else(|| html.site_path.clone())
            .unwrap_or_else(|| "/".into());
        let highlighter = crate::transform::highlight::Highlighter::new();
        let content = self
            .book
            .not_found
            .as_ref()
            .zip(crate::transform::not_found(self.book, &highlighter))
            .map(|(page, rendered)| {
                let href = |dest: &str| links::absolute_href(&home_url, &page.source_path, dest);
                markdown::render_html(&rendered.events, &href, "")
            });
        let context = NotFoundContext {
            site: &self.shared.site,
            inline_css: &self.shared.css,
            home_url,
            content,
        };
        Ok(OutputFile::bytes(
            "404.html".into(),
            self.theme.render("404.html", &context)?.into_bytes(),
        ))
    }

    /// Renders `print.html`: every page on one page, with book-wide ids.
    pub fn print(&self) -> Result<PrintSkeleton> {
        // The template is rendered with a marker for each chapter's body, to be filled
        // with the bodies in order: print.html is the size of the whole book, and is
        // written piece by piece as pages are transformed, not built as one string.
        let chapters = self
            .book
            .chapters
            .iter()
            .enumerate()
            .map(|(i, chapter)| {
                let prefix = links::print_prefix(&chapter.output_path());
                PrintChapter {
                    id: prefix.trim_end_matches('-').to_string(),
                    title: chapter.numbered_title(),
                    content: print_marker(i),
                }
            })
            .collect();
        let context = PrintContext {
            site: &self.shared.site,
            root: "",
            chapters,
            contents: &self.shared.contents,
        };
        let text = self.theme.render("print.html", &context)?;
        let mut holes = Vec::new();
        let mut from = 0;
        for i in 0..self.book.chapters.len() {
            let marker = print_marker(i);
            // A theme's template may leave a chapter out; its body is then left out too.
            if let Some(at) = text[from..].find(&marker) {
                holes.push((from + at..from + at + marker.len(), i));
                from += at + marker.len();
            }
        }
        Ok(PrintSkeleton { text, holes })
    }
}

/// Marks where the body of the `index`th chapter goes in the rendered print template
/// ([`crate::transform::Page::finish`] keeps U+0000 out of page bodies).
fn print_marker(index: usize) -> String {
    format!("\0{index}\0")
}

/// `print.html` without the chapters' bodies: the rendered template, and where each
/// chapter's body goes in it.
pub struct PrintSkeleton {
    text: String,
    /// Where each chapter's body goes in `text`, with the chapter's index, in order.
    holes: Vec<(std::ops::Range<usize>, usize)>,
}

impl PrintSkeleton {
    /// The page's path in the site.
    pub const PATH: &'static str = "print.html";

    /// The chapters whose bodies the page holds, in order.
    pub fn chapters(&self) -> impl Iterator<Item = usize> + '_ {
        self.holes.iter().map(|(_, chapter)| *chapter)
    }

    /// The chapter whose body is the `n`th the page holds.
    pub fn chapter(&self, n: usize) -> Option<usize> {
        self.holes.get(n).map(|(_, chapter)| *chapter)
    }

    /// The `n`th piece of text around the bodies (`0` comes before the first body, and
    /// the last after the last body).
    pub fn piece(&self, n: usize) -> &str {
        let start = n.checked_sub(1).map_or(0, |i| self.holes[i].0.end);
        let end = self
            .holes
            .get(n)
            .map_or(self.text.len(), |(hole, _)| hole.start);
        &self.text[start..end]
    }

    /// The whole page, with the bodies of `pages` (every chapter's page, in order).
    pub fn file(&self, pages: &[Page]) -> OutputFile {
        let mut bytes = Vec::new();
        for (n, chapter) in self.chapters().enumerate() {
            bytes.extend_from_slice(self.piece(n).as_bytes());
            bytes.extend_from_slice(pages[chapter].print_html.as_bytes());
        }
        bytes.extend_from_slice(self.piece(self.holes.len()).as_bytes());
        OutputFile::bytes(Self::PATH.into(), bytes)
    }
}

/// An asset named by its content's hash (`assets/main-1a2b3c4d5e.css`), so it can be cached forever.
pub(crate) fn hashed_file(stem: &str, ext: &str, text: String) -> OutputFile {
    let name = format!(
        "{stem}-{}.{ext}",
        &blake3::hash(text.as_bytes()).to_hex()[..10]
    );
    OutputFile::bytes(name, text.into_bytes())
}

fn toc_items(book: &Book) -> Vec<TocItem> {
    let chapter_item = |chapter: &Chapter| TocItem {
        kind: TocKind::Chapter,
        title: chapter.title.clone(),
        number: chapter.number.as_ref().map(ToString::to_string),
        path: Some(chapter.output_path()),
        depth: chapter.depth,
        anchor: None,
        parent: false,
    };
    let mut items: Vec<TocItem> = book
        .toc
        .iter()
        .map(|entry| match entry {
            TocEntry::Part(title) => TocItem {
                kind: TocKind::Part,
                title: title.clone(),
                number: None,
                path: None,
                depth: 0,
                anchor: Some(part_anchor(title)),
                parent: false,
            },
            TocEntry::Separator => TocItem {
                kind: TocKind::Separator,
                title: String::new(),
                number: None,
                path: None,
                depth: 0,
                anchor: None,
                parent: false,
            },
            TocEntry::Chapter(index) => chapter_item(&book.chapters[*index]),
            TocEntry::Draft {
                title,
                number,
                depth,
            } => TocItem {
                kind: TocKind::Draft,
                title: title.clone(),
                number: number.as_ref().map(ToString::to_string),
                path: None,
                depth: *depth,
                anchor: None,
                parent: false,
            },
        })
        .collect();
    let listed = |item: &TocItem| matches!(item.kind, TocKind::Chapter | TocKind::Draft);
    let parents: Vec<bool> = items
        .windows(2)
        .map(|pair| listed(&pair[0]) && listed(&pair[1]) && pair[1].depth > pair[0].depth)
        .collect();
    for (item, parent) in items.iter_mut().zip(parents) {
        item.parent = parent;
    }
    items
}

/// The id of a part's heading on the landing page.
fn part_anchor(title: &str) -> String {
    format!("part-{}", markdown::slug(title))
}

fn sitemap(site_url: &str, book: &Book) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let mut paths: Vec<String> = book.chapters.iter().map(Chapter::output_path).collect();
    if !paths.iter().any(|p| p == "index.html") {
        paths.insert(0, "index.html".into());
    }
    for path in paths {
        xml.push_str(&format!(
            "  <url><loc>{}</loc></url>\n",
            crate::html::escape(&format!("{site_url}{path}"))
        ));
    }
    xml.push_str("</urlset>\n");
    xml
}
