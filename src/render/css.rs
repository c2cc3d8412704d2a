//! The theme's CSS through lightningcss: `@import`s bundled, nesting and
//! custom properties lowered for the configured browsers, minified.

use std::collections::BTreeMap;
use std::path::Path;

use lightningcss::bundler::{Bundler, ResolveResult, SourceProvider};
use lightningcss::printer::PrinterOptions;
use lightningcss::stylesheet::{MinifyOptions, ParserOptions};
use lightningcss::targets::{Browsers, Targets};

/// What lightningcss reported, at a theme file's 1-based line and column (0 if unknown).
#[derive(Debug)]
pub struct CssError {
    /// The stylesheet, relative to the theme folder (`css/main.css`).
    pub file: String,
    /// 1-based line, or 0.
    pub line: usize,
    /// 1-based column in characters, or 0.
    pub col: usize,
    /// The message.
    pub message: String,
}

/// Serves theme files (and generated ones) to the bundler from memory.
struct ThemeFiles<'a> {
    files: &'a BTreeMap<String, String>,
}

impl SourceProvider for ThemeFiles<'_> {
    type Error = std::io::Error;

    fn read<'a>(&'a self, file: &Path) -> Result<&'a str, Self::Error> {
        let key = file.to_string_lossy().replace('\\', "/");
        self.files.get(&key).map(String::as_str).ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("no theme file `{key}` (imported by the CSS)"),
            )
        })
    }

    fn resolve(
        &self,
        specifier: &str,
        originating_file: &Path,
    ) -> Result<ResolveResult, Self::Error> {
        let dir = originating_file.parent().unwrap_or(Path::new(""));
        Ok(ResolveResult::File(crate::paths::normalize(
            &dir.join(specifier),
        )))
    }
}

/// Bundles `entry` (e.g. `css/main.css`) from `files`, lowered for `browsers` and minified.
pub fn bundle(
    files: &BTreeMap<String, String>,
    entry: &str,
    browsers: Browsers,
) -> Result<String, CssError> {
    let provider = ThemeFiles { files };
    let mut bundler = Bundler::new(&provider, None, ParserOptions::default());
    let mut sheet = bundler
        .bundle(Path::new(entry))
        .map_err(|e| css_error(files, entry, e))?;
    let targets = Targets::from(browsers);
    sheet
        .minify(MinifyOptions {
            targets,
            ..Default::default()
        })
        .map_err(|e| css_error(files, entry, e))?;
    let printed = sheet
        .to_css(PrinterOptions {
            minify: true,
            targets,
            ..Default::default()
        })
        .map_err(|e| css_error(files, entry, e))?;
    Ok(printed.code)
}

/// lightningcss's error at the file, line and column it names, else at `entry`. Its
/// lines count from 0 and its columns in UTF-16 units; ours count from 1, in characters.
fn css_error<T: std::fmt::Display>(
    files: &BTreeMap<String, String>,
    entry: &str,
    error: lightningcss::error::Error<T>,
) -> CssError {
    let (file, line, col) = match error.loc {
        Some(loc) => {
            let text = files
                .get(&loc.filename)
                .and_then(|f| f.lines().nth(loc.line as usize));
            let col = text.map_or(loc.column as usize, |text| {
                utf16_to_char_column(text, loc.column as usize)
            });
            (loc.filename, loc.line as usize + 1, col)
        }
        None => (entry.to_string(), 0, 0),
    };
    CssError {
        file,
        line,
        col,
        message: error.kind.to_string(),
    }
}

/// The 1-based character column of the 1-based UTF-16 column `utf16` in `line`.
fn utf16_to_char_column(line: &str, utf16: usize) -> usize {
    let mut units = 0;
    for (chars, c) in line.chars().enumerate() {
        if units + 1 >= utf16 {
            return chars + 1;
        }
        units += c.len_utf16();
    }
    line.chars().count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundles_imports_and_lowers_nesting() {
        let mut files = BTreeMap::new();
        files.insert(
            "css/main.css".to_string(),
            "@import \"parts/a.css\";\n.x { color: red; }".to_string(),
        );
        files.insert(
            "css/parts/a.css".to_string(),
            ".card { & .title { color: blue; } }".to_string(),
        );
        let chrome = Browsers {
            chrome: Some(100 << 16),
            ..Browsers::default()
        };
        let css = bundle(&files, "css/main.css", chrome).unwrap();
        assert!(css.contains(".card .title{color:#00f}"), "{css}");
        assert!(css.contains(".x{color:red}"), "{css}");
    }

    #[test]
    fn missing_import_is_an_error_naming_it() {
        let mut files = BTreeMap::new();
        files.insert(
            "css/main.css".to_string(),
            "@import \"gone.css\";".to_string(),
        );
        let err = bundle(&files, "css/main.css", Browsers::default())
            .unwrap_err()
            .message;
        assert!(err.contains("gone.css"), "{err}");
    }

    #[test]
    fn a_syntax_error_names_the_imported_file_and_its_line() {
        let mut files = BTreeMap::new();
        files.insert(
            "css/main.css".to_string(),
            "@import \"print.css\";\n".to_string(),
        );
        files.insert(
            "css/print.css".to_string(),
            ".a {\n  color: red;\n}\n@import \"late.css\";\n".to_string(),
        );
        let err = bundle(&files, "css/main.css", Browsers::default()).unwrap_err();
        assert_eq!(
            (err.file.as_str(), err.line, err.col),
            ("css/print.css", 4, 8),
            "{err:?}"
        );
    }

    #[test]
    fn columns_count_characters_not_utf16_units() {
        let line = "/* 😀😀 */ @import";
        assert_eq!(utf16_to_char_column(line, 1), 1);
        // `@` is the 10th character and the 12th UTF-16 unit.
        assert_eq!(utf16_to_char_column(line, 12), 10);
        assert_eq!(line.chars().nth(9), Some('@'));
    }
}
