//! The theme: the default theme's files, embedded in the binary, with a
//! book's own theme folder overriding any single file. Owns the Tera
//! instance (templates are parsed once per build).

use std::collections::BTreeMap;
use std::path::Path;

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
    "js/search.js",
    "js/playground.js",
];

/// The theme's files after overrides, and the parsed templates.
pub struct Theme {
    /// Theme files by path (`css/main.css`), overrides applied.
    pub files: BTreeMap<String, String>,
    /// Templates, parsed.
    pub tera: tera::Tera,
}

impl Theme {
    /// The default theme, with files from `override_dir` (if any) replacing or adding to it.
    pub fn load(override_dir: Option<&Path>) -> Result<Theme> {
        let mut files: BTreeMap<String, String> = DEFAULT_FILES
            .iter()
            .map(|(path, text)| (path.to_string(), text.to_string()))
            .collect();
        if let Some(dir) = override_dir {
            read_overrides(dir, &mut files)?;
        }
        let mut tera = tera::Tera::new();
        let templates: Vec<(String, String)> = files
            .iter()
            .filter_map(|(path, text)| {
                Some((path.strip_prefix("templates/")?.to_string(), text.clone()))
            })
            .collect();
        tera.add_raw_templates(templates)
            .map_err(|e| template_error("theme", e))?;
        Ok(Theme { files, tera })
    }

    /// Renders template `name` with `context`.
    pub fn render(&self, name: &str, context: &impl serde::Serialize) -> Result<String> {
        let context =
            tera::Context::from_serialize(context).map_err(|e| template_error(name, e))?;
        self.tera
            .render(name, &context)
            .map_err(|e| template_error(name, e))
    }

    /// A theme file's text.
    pub fn file(&self, path: &str) -> &str {
        self.files.get(path).map(String::as_str).unwrap_or_default()
    }
}

fn read_overrides(dir: &Path, files: &mut BTreeMap<String, String>) -> Result<()> {
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
    for file in crate::paths::files_under(dir)?
        .into_iter()
        .filter(|f| is_source(&f.relative))
    {
        let text = std::fs::read_to_string(&file.path).map_err(Error::io(&file.path))?;
        files.insert(file.relative, text);
    }
    Ok(())
}

fn template_error(template: &str, error: tera::Error) -> Error {
    use std::error::Error as _;
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(&format!("\ncaused by: {cause}"));
        source = cause.source();
    }
    Error::Template {
        template: template.to_string(),
        message,
    }
}
