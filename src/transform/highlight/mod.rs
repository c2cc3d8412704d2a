//! Build-time syntax highlighting with syntect. Emits CSS classes, never
//! inline colours, so the light and dark palettes are plain CSS (see
//! [`theme_css`]) and switching theme needs no re-render. The classes are short
//! names from one table ([`classes`]), which writes the palettes' CSS too.
//!
//! The syntax set is precompiled by `build.rs` and deserialised once per
//! process; one [`Highlighter`] serves every page of a build.

mod classes;
mod lines;

use std::rc::Rc;
use std::sync::OnceLock;

use super::code::Lang;
use super::code::console::{self, Session};
use crate::html::escape;
use syntect::parsing::{BasicScopeStackOp, ParseState, ScopeStack, SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

static SYNTAXES: OnceLock<SyntaxSet> = OnceLock::new();

/// The grammars, precompiled by `build.rs`.
pub fn syntax_set() -> &'static SyntaxSet {
    SYNTAXES.get_or_init(|| {
        syntect::dumps::from_uncompressed_data(include_bytes!(concat!(
            env!("OUT_DIR"),
            "/syntaxes.packdump"
        )))
        .expect("build.rs wrote a valid syntax dump")
    })
}

/// How a language is shown.
enum Mode<'a> {
    /// Highlighted with one grammar.
    Grammar(&'a SyntaxReference),
    /// An interactive session: prompt lines hold code in `grammar`, other lines are output.
    Session {
        grammar: &'a SyntaxReference,
        prompts: &'static [&'static str],
    },
    /// Escaped text, no colours (`text`, `output`).
    Plain,
}

/// Highlights code blocks to HTML with CSS classes.
#[derive(Clone, Copy)]
pub struct Highlighter {
    syntaxes: &'static SyntaxSet,
}

impl Default for Highlighter {
    fn default() -> Self {
        Self::new()
    }
}

impl Highlighter {
    /// The shared highlighter (the syntax set is loaded on first use).
    pub fn new() -> Self {
        Highlighter {
            syntaxes: syntax_set(),
        }
    }

    fn mode(&self, lang: &Lang) -> Option<Mode<'_>> {
        let find = |token: &str| self.syntaxes.find_syntax_by_token(token);
        Some(match lang {
            Lang::Plain | Lang::Output => Mode::Plain,
            Lang::Pycon => Mode::Session {
                grammar: find("python")?,
                prompts: &[">>> ", "... ", ">>>", "..."],
            },
            Lang::Python => Mode::Grammar(find("python")?),
            Lang::Shell | Lang::Console => Mode::Grammar(find("bash")?),
            Lang::Rust => Mode::Grammar(find("rust")?),
            Lang::Other(name) => Mode::Grammar(find(name)?),
        })
    }

    /// Whether `lang` is known.
    pub fn knows(&self, lang: &Lang) -> bool {
        self.mode(lang).is_some()
    }

    /// The inner HTML of `<code>` for `code` in `lang`; `None` if the language is unknown.
    /// A console block goes to [`Self::console`] instead, with its parsed session.
    pub fn highlight(&self, lang: &Lang, code: &str) -> Option<String> {
        Some(match self.mode(lang)? {
            Mode::Plain => escape(code),
            Mode::Grammar(grammar) => self.lines(grammar, LinesWithEndings::from(code)),
            Mode::Session { grammar, prompts } => self.session(grammar, prompts, code),
        })
    }

    /// A terminal session: prompts in `hl-gp` spans (not selectable, not copied), commands
    /// and their continuation lines highlighted as one bash program, output in `hl-go`.
    pub fn console(&self, session: &Session, code: &str) -> String {
        let grammar = self
            .syntaxes
            .find_syntax_by_token("bash")
            .expect("the syntax set has bash");
        let mut writer = SpanWriter::new(grammar);
        let mut out = String::with_capacity(code.len() * 3);
        for (line, kind) in LinesWithEndings::from(code).zip(&session.lines) {
            let prompt = match *kind {
                console::Line::Command { prompt } | console::Line::Continuation { prompt } => {
                    prompt
                }
                console::Line::Output => {
                    let open = writer.close_all(&mut out);
                    push_output(&mut out, line);
                    writer.reopen(&mut out, open);
                    continue;
                }
            };
            if prompt > 0 {
                let open = writer.close_all(&mut out);
                out.push_str("<span class=\"hl-gp\">");
                out.push_str(&escape(&line[..prompt]));
                out.push_str("</span>");
                writer.reopen(&mut out, open);
            }
            let rest = &line[prompt..];
            writer.line(
                &mut out,
                if rest.is_empty() { "\n" } else { rest },
                self.syntaxes,
            );
        }
        writer.close_all(&mut out);
        out
    }

    fn lines<'a>(&self, grammar: &SyntaxReference, lines: impl Iterator<Item = &'a str>) -> String {
        let mut writer = SpanWriter::new(grammar);
        let mut out = String::new();
        for line in lines {
            writer.line(&mut out, line, self.syntaxes);
        }
        writer.close_all(&mut out);
        out
    }

    /// Prompts (`>>> `) in `hl-gp` spans and output lines in `hl-go` spans, so the copy
    /// button and CSS can tell them apart. The code after the prompts is parsed as one
    /// program, so a statement continued on `...` lines keeps its colours.
    fn session(&self, grammar: &SyntaxReference, prompts: &[&str], code: &str) -> String {
        let mut writer = SpanWriter::new(grammar);
        let mut out = String::with_capacity(code.len() * 3);
        for line in LinesWithEndings::from(code) {
            let prompt = prompts.iter().find(|p| {
                line.starts_with(**p) && (p.ends_with(' ') || line[p.len()..].trim().is_empty())
            });
            match prompt {
                Some(prompt) => {
                    let open = writer.close_all(&mut out);
                    out.push_str("<span class=\"hl-gp\">");
                    out.push_str(&escape(prompt));
                    out.push_str("</span>");
                    writer.reopen(&mut out, open);
                    let rest = &line[prompt.len()..];
                    writer.line(
                        &mut out,
                        if rest.is_empty() { "\n" } else { rest },
                        self.syntaxes,
                    );
                }
                None => {
                    let open = writer.close_all(&mut out);
                    push_output(&mut out, line);
                    writer.reopen(&mut out, open);
                }
            }
        }
        writer.close_all(&mut out);
        out
    }
}

/// An output line of a session, in an `hl-go` span.
fn push_output(out: &mut String, line: &str) {
    out.push_str("<span class=\"hl-go\">");
    out.push_str(&escape(line.trim_end_matches('\n')));
    out.push_str("</span>\n");
}

/// Turns syntect's scope operations into `<span class="…">`, keeping the open spans
/// so they can be closed and reopened around session prompts. A scope that no palette can
/// colour opens no span (`None` on the stack), so its pop closes none.
struct SpanWriter {
    state: ParseState,
    stack: ScopeStack,
    open: Vec<Option<Rc<str>>>,
}

impl SpanWriter {
    fn new(grammar: &SyntaxReference) -> Self {
        SpanWriter {
            state: ParseState::new(grammar),
            stack: ScopeStack::new(),
            open: Vec::new(),
        }
    }

    fn line(&mut self, out: &mut String, line: &str, syntaxes: &SyntaxSet) {
        let Some(ops) = lines::parse(&mut self.state, line, syntaxes) else {
            // A grammar failure on odd input must not lose the text.
            out.push_str(&escape(line));
            return;
        };
        let mut done = 0;
        for &(index, ref op) in ops.iter() {
            if index > done {
                out.push_str(&escape(&line[done..index]));
                done = index;
            }
            let open = &mut self.open;
            let applied = self.stack.apply_with_hook(op, |basic, _| match basic {
                BasicScopeStackOp::Push(scope) => {
                    let classes = classes::classes(scope);
                    if let Some(classes) = &classes {
                        push_open(out, classes);
                    }
                    open.push(classes);
                }
                BasicScopeStackOp::Pop => {
                    if let Some(Some(_)) = open.pop() {
                        out.push_str("</span>");
                    }
                }
            });
            if applied.is_err() {
                break;
            }
        }
        out.push_str(&escape(&line[done..]));
    }

    /// Closes every open span; returns them so [`Self::reopen`] can restore them.
    fn close_all(&mut self, out: &mut String) -> Vec<Option<Rc<str>>> {
        for _ in self.open.iter().flatten() {
            out.push_str("</span>");
        }
        std::mem::take(&mut self.open)
    }

    fn reopen(&mut self, out: &mut String, open: Vec<Option<Rc<str>>>) {
        for classes in open.iter().flatten() {
            push_open(out, classes);
        }
        self.open = open;
    }
}

fn push_open(out: &mut String, classes: &str) {
    out.push_str("<span class=\"");
    out.push_str(classes);
    out.push_str("\">");
}

/// CSS for the light palette (top level) and the dark one (under `[data-theme="dark"]`),
/// from syntect's bundled themes.
pub fn theme_css() -> String {
    classes::table().css()
}

/// The class that spans carry for the scope atom `atom` (`keyword`), if a palette colours it.
pub fn class_of(atom: &str) -> Option<&'static str> {
    classes::table().class_of(atom)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A block with strings, an f-string, a decorator, numbers, builtins and a comment.
    const PYTHON: &str = r##"@dataclass(frozen=True)
class Order:
    """One order."""
    total: float = 0.0

    def label(self, prefix: str = "#") -> str:
        # A comment.
        return f"{prefix}{self.total:>8.2f} {len([1, 2])!r}" if self.total else None
"##;

    fn span_tags(html: &str) -> usize {
        let opens: usize = html
            .match_indices("<span class=\"")
            .map(|(at, _)| html[at..].find('>').unwrap() + 1)
            .sum();
        opens + html.matches("</span>").count() * "</span>".len()
    }

    #[test]
    fn python_gets_classes_not_inline_colours() {
        let html = Highlighter::new().highlight(&Lang::Python, PYTHON).unwrap();
        assert!(html.contains("<span class=\""), "{html}");
        assert!(!html.contains("style="), "{html}");
    }

    #[test]
    fn highlighting_markup_is_at_most_half_of_full_scope_classes() {
        let grammar = syntax_set().find_syntax_by_token("python").unwrap();
        let mut full = syntect::html::ClassedHTMLGenerator::new_with_class_style(
            grammar,
            syntax_set(),
            syntect::html::ClassStyle::SpacedPrefixed { prefix: "hl-" },
        );
        for line in LinesWithEndings::from(PYTHON) {
            full.parse_html_for_line_which_includes_newline(line)
                .unwrap();
        }
        let full = full.finalize();
        let ours = Highlighter::new().highlight(&Lang::Python, PYTHON).unwrap();
        let text = |html: &str| {
            scraper::Html::parse_fragment(html)
                .root_element()
                .text()
                .collect::<String>()
        };
        assert_eq!(text(&ours), text(&full), "the same text");
        assert!(
            span_tags(&ours) * 2 <= span_tags(&full),
            "{} bytes of span tags, {} with full scope classes:\n{ours}",
            span_tags(&ours),
            span_tags(&full)
        );
    }

    #[test]
    fn every_class_is_short_and_styled_by_the_palettes() {
        let css = theme_css();
        let defined: std::collections::HashSet<&str> = css
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '.'))
            .flat_map(|word| word.split('.').skip(1))
            .collect();
        let html = Highlighter::new().highlight(&Lang::Python, PYTHON).unwrap();
        let fragment = scraper::Html::parse_fragment(&html);
        let mut used = 0;
        for span in fragment.select(&scraper::Selector::parse("span").unwrap()) {
            for class in span.value().classes() {
                used += 1;
                assert!(class.len() <= 2, "{class} is long");
                assert!(defined.contains(class), "{class} is not in the CSS:\n{css}");
            }
        }
        assert!(used > 20, "{html}");
        // Both palettes, from the one table.
        let dark = css
            .find("[data-theme=\"dark\"] {")
            .expect("the dark palette");
        let string = format!("code .{}", class_of("string").unwrap());
        let styles_strings = |palette: &str| {
            palette.lines().any(|rule| {
                rule.split([',', '{'])
                    .any(|selector| selector.trim() == string)
            })
        };
        assert!(
            styles_strings(&css[..dark]) && styles_strings(&css[dark..]),
            "{css}"
        );
    }

    #[test]
    fn every_required_language_is_known() {
        let h = Highlighter::new();
        for name in [
            "python",
            "pycon",
            "bash",
            "console",
            "toml",
            "yaml",
            "yml",
            "json",
            "ini",
            "sql",
            "html",
            "css",
            "dockerfile",
            "diff",
            "text",
            "output",
            "rust",
        ] {
            assert!(h.knows(&Lang::from_name(name)), "{name} is not known");
        }
        assert!(!h.knows(&Lang::from_name("klingon")));
    }

    #[test]
    fn pycon_marks_prompts_and_output() {
        let html = Highlighter::new()
            .highlight(
                &Lang::Pycon,
                ">>> 1 + 1\n2\n>>> for x in []:\n...     pass\n...\n",
            )
            .unwrap();
        assert_eq!(html.matches("hl-gp").count(), 4, "{html}");
        assert!(html.contains("<span class=\"hl-go\">2</span>"), "{html}");
    }

    #[test]
    fn console_prompts_commands_continuations_and_output() {
        let code = "$ git log \\\n>   --oneline\nabc first\n$ cat > f <<EOF\nbody\nEOF\n";
        let html = Highlighter::new().console(&console::parse(code), code);
        let fragment = scraper::Html::parse_fragment(&html);
        let texts = |selector: &str| -> Vec<String> {
            let selector = scraper::Selector::parse(selector).unwrap();
            fragment
                .select(&selector)
                .map(|e| e.text().collect())
                .collect()
        };
        assert_eq!(texts(".hl-gp"), ["$ ", "> ", "$ "]);
        assert_eq!(texts(".hl-go"), ["abc first"]);
        // The heredoc body is part of the command (copied), not output.
        assert!(!texts(".hl-go").iter().any(|t| t == "body"), "{html}");
    }

    #[test]
    fn a_line_seen_before_in_another_state_is_parsed_anew() {
        let h = Highlighter::new();
        let in_string = h
            .highlight(&Lang::Python, "s = \"\"\"\nreturn x\n\"\"\"\n")
            .unwrap();
        let code = h.highlight(&Lang::Python, "return x\n").unwrap();
        let keyword = format!(
            "<span class=\"{}\">return</span>",
            class_of("keyword").unwrap()
        );
        assert!(!in_string.contains(&keyword), "{in_string}");
        assert!(code.contains(&keyword), "{code}");
        // And the same block twice, from the memo the second time, is the same HTML.
        assert_eq!(
            h.highlight(&Lang::Python, PYTHON),
            h.highlight(&Lang::Python, PYTHON)
        );
    }

    #[test]
    fn plain_text_is_escaped() {
        let html = Highlighter::new()
            .highlight(&Lang::Plain, "<script>alert(1)</script>")
            .unwrap();
        assert_eq!(html, "&lt;script&gt;alert(1)&lt;/script&gt;");
    }
}
