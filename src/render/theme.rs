//! The theme: the default theme's files, embedded in the binary, with a
//! book's own theme folder overriding any single file. Owns the Tera
//! instance (templates are parsed once per build).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::diagnostics::Location;
use crate::error::{Error, Result};

macro_rules! embed {
    ($($path:literal),* $(,)?) => {
        &[$(($path, include_str!(concat!("../../themes/default/", $path)))),*]
    };
}

/// Every file of the default theme, by path relative to the theme folder.
const DEFAULT_FILES: &[(&str, &str)] = embed![
    "templates/base.html",
    "templates/chapter.html",
    "templates/index.html",
    "templates/404.html",
    "templates/print.html",
    "templates/toc.html",
    "css/main.css",
    "css/base.css",
    "css/layout.css",
    "css/content.css",
    "css/code.css",
    "css/print.css",
    "css/search.css",
    "js/book.js",
    "js/fold.js",
    "js/search.js",
    "js/playground.js",
];

/// The theme's files after overrides, and the parsed templates.
pub struct Theme {
    /// Theme files by path (`css/main.css`), overrides applied.
    pub files: BTreeMap<String, String>,
    /// Templates, parsed.
    pub tera: tera::Tera,
    origin: Origin,
}

/// Where each theme file comes from, so a problem in one is reported at its real file.
struct Origin {
    /// The book's theme folder, as shown in messages.
    dir: Option<PathBuf>,
    /// The files that folder overrides or adds.
    overridden: BTreeSet<String>,
}

impl Origin {
    /// Where the theme file `relative` (`css/main.css`) is: in the book's theme folder
    /// when it overrides that file, else in the default theme built into the binary.
    fn location(&self, relative: &str, line: usize, col: usize) -> Location {
        let file = match &self.dir {
            Some(dir) if self.overridden.contains(relative) => dir.join(relative),
            _ => Path::new("(default theme)").join(relative),
        };
        Location { file, line, col }
    }

    fn template_error(&self, template: &str, error: tera::Error) -> Error {
        use std::error::Error as _;
        let (name, line, col, mut message) = match error.kind() {
            tera::ErrorKind::SyntaxError(report) | tera::ErrorKind::RenderingError(report) => {
                let span = report.span();
                let name = Some(report.filename()).filter(|f| !f.is_empty());
                let name = name.unwrap_or(template).to_string();
                (
                    name,
                    span.start_line,
                    span.start_col + 1,
                    report.message().to_string(),
                )
            }
            _ => (template.to_string(), 0, 0, error.to_string()),
        };
        let mut source = error.source();
        while let Some(cause) = source {
            message.push_str(&format!("\ncaused by: {cause}"));
            source = cause.source();
        }
        Error::Template {
            location: self.location(&format!("templates/{name}"), line, col),
            message,
        }
    }
}

impl Theme {
    /// The default theme, with files from the book's theme folder (if any) replacing or
    /// adding to it.
    pub fn load(config: &Config) -> Result<Theme> {
        let mut files: BTreeMap<String, String> = DEFAULT_FILES
            .iter()
            .map(|(path, text)| (path.to_string(), text.to_string()))
            .collect();
        let mut origin = Origin {
            dir: None,
            overridden: BTreeSet::new(),
        };
        if let Some(dir) = &config.html.theme_dir {
            origin.overridden = read_overrides(dir, &mut files)?;
            origin.dir = Some(config.display_path(dir));
        }
        let mut tera = tera::Tera::new();
        let templates: Vec<(String, String)> = files
            .iter()
            .filter_map(|(path, text)| {
                Some((path.strip_prefix("templates/")?.to_string(), text.clone()))
            })
            .collect();
        tera.add_raw_templates(templates)
            .map_err(|e| origin.template_error("base.html", e))?;
        Ok(Theme {
            files,
            tera,
            origin,
        })
    }

    /// Renders template `name` with `context`.
    pub fn render(&self, name: &str, context: &impl serde::Serialize) -> Result<String> {
        let context = tera::Context::from_serialize(context)
            .map_err(|e| self.origin.template_error(name, e))?;
        self.tera
            .render(name, &context)
            .map_err(|e| self.origin.template_error(name, e))
    }

    /// Where theme file `relative` is, for a problem at `line` and `col` (1-based; 0 if
    /// unknown) in it.
    pub fn location(&self, relative: &str, line: usize, col: usize) -> Location {
        self.origin.location(relative, line, col)
    }

    /// The theme script at `path` (`js/book.js`), minified as the site ships it.
    pub fn script(&self, path: &str) -> Result<String> {
        search_index::minify_js(self.file(path)).map_err(|e| Error::Script {
            location: self.location(path, e.line, e.col),
            message: e.message,
        })
    }

    /// A theme file's text.
    pub fn file(&self, path: &str) -> &str {
        self.files.get(path).map(String::as_str).unwrap_or_default()
    }
}

/// Reads the theme sources of `dir` into `files`; returns which it read.
fn read_overrides(dir: &Path, files: &mut BTreeMap<String, String>) -> Result<BTreeSet<String>> {
    if !dir.is_dir() {
        return Err(Error::Io {
            path: dir.to_path_buf(),
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "the theme folder set by `output.html.theme` does not exist",
            ),
        });
    }
    // Only templates, stylesheets and scripts are theme sources; anything else in the
    // folder (a README, an image the CSS does not import) is not the theme's business.
    let is_source = |path: &str| {
        [".html", ".css", ".js"]
            .iter()
            .any(|ext| path.ends_with(ext))
    };
    let mut read = BTreeSet::new();
    for file in crate::paths::files_under(dir)?
        .into_iter()
        .filter(|f| is_source(&f.relative))
    {
        let text = std::fs::read_to_string(&file.path).map_err(Error::io(&file.path))?;
        read.insert(file.relative.clone());
        files.insert(file.relative, text);
    }
    Ok(read)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config_with_theme(files: &[(&str, &str)]) -> (tempfile::TempDir, Config) {
        let book = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let path = book.path().join("theme").join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let toml = "[output.html]\ntheme = \"theme\"\n";
        let config = crate::config::parse(book.path(), toml).unwrap().config;
        (book, config)
    }

    fn location(error: Error) -> String {
        let Error::Template { location, .. } = error else {
            panic!("{error}")
        };
        location.to_string()
    }

    #[test]
    fn a_syntax_error_is_located_in_the_overriding_file() {
        let chapter = "{% extends \"base.html\" %}\n{% block content %}\n  {% if %}\n{% endblock content %}\n";
        let (_book, config) = config_with_theme(&[("templates/chapter.html", chapter)]);
        let error = Theme::load(&config).err().expect("a syntax error");
        assert_eq!(location(error), "theme/templates/chapter.html:3:9");
    }

    #[test]
    fn a_rendering_error_in_a_default_template_is_located_in_the_default_theme() {
        let (_book, config) = config_with_theme(&[("css/extra.css", "")]);
        let theme = Theme::load(&config).unwrap();
        let error = theme
            .render("toc.html", &serde_json::json!({}))
            .unwrap_err();
        assert!(
            location(error).starts_with("(default theme)/templates/toc.html:"),
            "the missing `items` is reported in the default toc.html"
        );
    }
}
