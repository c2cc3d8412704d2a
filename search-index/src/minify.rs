//! Scripts as they ship: parsed, local names shortened, printed without comments or
//! whitespace (oxc's parser, mangler and printer; no compression passes, which would
//! rewrite expressions the client's f32 arithmetic spells out on purpose).

use oxc_allocator::Allocator;
use oxc_codegen::{Codegen, CodegenOptions};
use oxc_minifier::{Minifier, MinifierOptions};
use oxc_parser::Parser;
use oxc_span::SourceType;

/// A script that does not parse: the first problem, at its 1-based line and column (in
/// characters).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{col}: {message}")]
pub struct ScriptError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub col: usize,
    /// What the parser reported.
    pub message: String,
}

/// `source`, a classic script (not a module: its top-level names stay as they are, since
/// other scripts and the page may use them), minified.
pub fn minify_js(source: &str) -> Result<String, ScriptError> {
    let allocator = Allocator::default();
    let parsed = Parser::new(&allocator, source, SourceType::script()).parse();
    if let Some(problem) = parsed.diagnostics.first() {
        let offset = problem
            .labels
            .first()
            .map_or(0, |label| label.offset() as usize);
        let before = &source[..offset.min(source.len())];
        let line_start = before.rfind('\n').map_or(0, |at| at + 1);
        return Err(ScriptError {
            line: before.matches('\n').count() + 1,
            col: before[line_start..].chars().count() + 1,
            message: problem.message.to_string(),
        });
    }
    let mut program = parsed.program;
    let options = MinifierOptions {
        compress: None,
        ..MinifierOptions::default()
    };
    let minified = Minifier::new(options).minify(&allocator, &mut program);
    Ok(Codegen::new()
        .with_options(CodegenOptions::minify())
        .with_scoping(minified.scoping)
        .build(&program)
        .code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_names_are_shortened_and_globals_and_properties_kept() {
        let source = "// a comment\nfunction visible(argument) {\n  var localName = argument.someProperty;\n  return localName + 1;\n}\nwindow.api = { visible: visible };\n";
        let out = minify_js(source).unwrap();
        assert!(
            !out.contains("comment") && !out.contains("localName") && !out.contains("argument"),
            "{out}"
        );
        for kept in ["function visible(", "someProperty", "window.api={visible}"] {
            assert!(out.contains(kept), "{kept} missing from {out}");
        }
        // 72 of 130 bytes: names, comment and layout are what can go here.
        assert!(out.len() * 3 < source.len() * 2, "{out}");
    }

    #[test]
    fn the_client_minifies_to_a_fraction_of_its_source() {
        let client = crate::client_js();
        assert!(client.contains("window.handbookSearch"), "{client}");
        assert!(
            client.len() * 3 < crate::CLIENT_SOURCE.len() * 2,
            "{} of {} bytes",
            client.len(),
            crate::CLIENT_SOURCE.len()
        );
    }

    #[test]
    fn a_script_that_does_not_parse_is_an_error_at_its_line_and_column() {
        let error = minify_js("var a = 1;\nvar é = (;\n").unwrap_err();
        assert_eq!((error.line, error.col), (2, 10), "{error}");
    }
}
