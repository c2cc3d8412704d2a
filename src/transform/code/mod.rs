//! Fenced code blocks: what a block *is*, decided once per fence. The
//! language (with its aliases) and the attributes of the info string
//! (`python no_run="needs Docker"`) are parsed here into a [`CodeBlock`],
//! and everything else reads that: the renderer and highlighter, the copy
//! button's markup, the search text and `handbook test`. A misspelt or
//! misplaced attribute is an error here, so `build`, `serve` and `test`
//! report it alike. Terminal sessions (```` ```console ````) are parsed into
//! commands and expected output by [`console`].

pub mod console;

use std::collections::BTreeMap;
use std::time::Duration;

use crate::diagnostics::closest;

/// What a code block is, which decides how it is shown and whether it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lang {
    /// A Python script (`python`, `py`, `python3`): run by `handbook test`.
    Python,
    /// An interactive Python session (`pycon`, `python-console`, `doctest`): checked by doctest.
    Pycon,
    /// A terminal session (`console`, `shell-session`, `sh-session`): `$ ` commands and their output.
    Console,
    /// A shell script (`bash`, `sh`, `shell`): shown; run only with the `run` attribute.
    Shell,
    /// A program's output (`output`): checked against the script before it.
    Output,
    /// Text without colours (no language, `text`, `txt`, `plain`, `plaintext`).
    Plain,
    /// Rust (`rust`): shown; mdBook's test attributes are accepted and have no effect.
    Rust,
    /// Any other language, by the name of its grammar (`toml`; aliases such as `yml` resolved).
    Other(String),
}

/// Every language name with a fixed meaning, and its aliases: the one table of them.
const NAMES: &[(&str, Lang)] = &[
    ("python", Lang::Python),
    ("py", Lang::Python),
    ("python3", Lang::Python),
    ("pycon", Lang::Pycon),
    ("python-console", Lang::Pycon),
    ("doctest", Lang::Pycon),
    ("console", Lang::Console),
    ("shell-session", Lang::Console),
    ("sh-session", Lang::Console),
    ("bash", Lang::Shell),
    ("sh", Lang::Shell),
    ("shell", Lang::Shell),
    ("output", Lang::Output),
    ("", Lang::Plain),
    ("text", Lang::Plain),
    ("txt", Lang::Plain),
    ("plain", Lang::Plain),
    ("plaintext", Lang::Plain),
    ("rust", Lang::Rust),
];

/// Other names that are another grammar's: `yml` is highlighted as `yaml`.
const GRAMMAR_ALIASES: &[(&str, &str)] = &[
    ("yml", "yaml"),
    ("cfg", "ini"),
    ("conf", "ini"),
    ("docker", "dockerfile"),
    ("patch", "diff"),
    ("zsh", "bash"),
    // mdBook's own guide writes its Handlebars templates so; they are HTML with `{{…}}`.
    ("hbs", "html"),
    ("handlebars", "html"),
];

impl Lang {
    /// The language a fence names (case does not matter).
    pub fn from_name(name: &str) -> Lang {
        let name = name.to_ascii_lowercase();
        if let Some((_, lang)) = NAMES.iter().find(|(n, _)| *n == name) {
            return lang.clone();
        }
        let grammar = GRAMMAR_ALIASES
            .iter()
            .find(|(alias, _)| *alias == name)
            .map_or(name.as_str(), |(_, grammar)| grammar);
        Lang::Other(grammar.to_string())
    }

    /// The canonical name, for the page's markup (`data-lang`, `language-…`) and messages.
    pub fn name(&self) -> &str {
        match self {
            Lang::Python => "python",
            Lang::Pycon => "pycon",
            Lang::Console => "console",
            Lang::Shell => "bash",
            Lang::Output => "output",
            Lang::Plain => "text",
            Lang::Rust => "rust",
            Lang::Other(name) => name,
        }
    }

    /// Blocks `handbook test` can run (a shell script only with `run`).
    fn is_runnable(&self) -> bool {
        matches!(
            self,
            Lang::Python | Lang::Pycon | Lang::Console | Lang::Shell
        )
    }
}

/// A Python feature release, `3.12`: what `min_python` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct PythonVersion {
    /// `3`.
    pub major: u32,
    /// `12`.
    pub minor: u32,
}

impl PythonVersion {
    /// Reads exactly `3.12`.
    pub fn parse(text: &str) -> Option<PythonVersion> {
        let (major, minor) = text.split_once('.')?;
        let number = |s: &str| {
            s.bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| s.parse().ok())
                .flatten()
        };
        Some(PythonVersion {
            major: number(major)?,
            minor: number(minor)?,
        })
    }

    /// The feature release of a full version: `3.12` for `3.12.1` or `3.13.0rc1`.
    pub fn of_release(version: &str) -> Option<PythonVersion> {
        let (major, rest) = version.split_once('.')?;
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        Some(PythonVersion {
            major: major.parse().ok()?,
            minor: rest[..digits].parse().ok()?,
        })
    }
}

impl std::fmt::Display for PythonVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// A server an example asks for with `services="redis postgres"`; started by `handbook test`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// `redis-server`; the example gets `REDIS_URL`.
    Redis,
    /// PostgreSQL; the example gets a fresh database and `DATABASE_URL`, `PGHOST`, ….
    Postgres,
}

impl Service {
    /// Every service, by the name `services=` uses.
    pub const ALL: &[(&str, Service)] =
        &[("redis", Service::Redis), ("postgres", Service::Postgres)];

    /// The name `services=` uses.
    pub fn name(self) -> &'static str {
        Service::ALL
            .iter()
            .find(|(_, s)| *s == self)
            .map(|(n, _)| *n)
            .expect("every service is in ALL")
    }
}

/// Why an example is not run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    /// `no_run="why"`: checked without running (Python compiled, shell syntax-checked).
    NoRun(String),
    /// `ignore="why"`: neither checked nor run.
    Ignore(String),
}

/// The attributes of a block's info string, typed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Attrs {
    /// `no_run` or `ignore`, with the reason readers see.
    pub skip: Option<Skip>,
    /// `requires="pytest click"`: packages of the requirements file the example imports.
    pub requires: Vec<String>,
    /// `services="redis"`.
    pub services: Vec<Service>,
    /// `timeout=30`: how long the example may run, instead of `[test] timeout`.
    pub timeout: Option<Duration>,
    /// `min_python="3.12"`: the oldest Python the example runs on.
    pub min_python: Option<PythonVersion>,
    /// `session="git-basics"`: blocks of a chapter that run in order in one scratch folder.
    pub session: Option<String>,
    /// `run`: a shell script is run too, not only shown.
    pub run: bool,
    /// The attributes as written, for badges (`requires`, `services` as the author wrote them).
    pub written: Vec<(String, Option<String>)>,
}

/// What an attribute's value must be.
#[derive(Clone, Copy)]
enum Value {
    /// A reason readers see: `no_run="needs Docker"`.
    Reason,
    /// Space-separated names.
    Names,
    /// A whole number of seconds above 0.
    Seconds,
    /// A feature release, `3.12`.
    Version,
    /// One name.
    Name,
    /// No value.
    Flag,
    /// mdBook's attributes of Rust blocks: accepted with or without a value, no effect.
    Ignored,
}

/// One attribute: its name, its value, the blocks it applies to, and an example of its use.
struct Spec {
    name: &'static str,
    value: Value,
    applies: fn(&Lang) -> bool,
    example: &'static str,
}

fn runnable(lang: &Lang) -> bool {
    lang.is_runnable()
}

fn shell(lang: &Lang) -> bool {
    *lang == Lang::Shell
}

fn rust(lang: &Lang) -> bool {
    *lang == Lang::Rust
}

/// Every attribute a block may carry: the one table of them.
const SPECS: &[Spec] = &[
    Spec {
        name: "no_run",
        value: Value::Reason,
        applies: runnable,
        example: "no_run=\"needs a network\"",
    },
    Spec {
        name: "ignore",
        value: Value::Reason,
        applies: runnable,
        example: "ignore=\"needs Python 3.14\"",
    },
    Spec {
        name: "requires",
        value: Value::Names,
        applies: runnable,
        example: "requires=\"pytest click\"",
    },
    Spec {
        name: "services",
        value: Value::Names,
        applies: runnable,
        example: "services=\"redis\"",
    },
    Spec {
        name: "timeout",
        value: Value::Seconds,
        applies: runnable,
        example: "timeout=30",
    },
    Spec {
        name: "min_python",
        value: Value::Version,
        applies: runnable,
        example: "min_python=\"3.12\"",
    },
    Spec {
        name: "session",
        value: Value::Name,
        applies: runnable,
        example: "session=\"git-basics\"",
    },
    Spec {
        name: "run",
        value: Value::Flag,
        applies: shell,
        example: "run",
    },
    Spec {
        name: "should_panic",
        value: Value::Ignored,
        applies: rust,
        example: "should_panic",
    },
    Spec {
        name: "compile_fail",
        value: Value::Ignored,
        applies: rust,
        example: "compile_fail",
    },
    Spec {
        name: "editable",
        value: Value::Ignored,
        applies: rust,
        example: "editable",
    },
    Spec {
        name: "noplayground",
        value: Value::Ignored,
        applies: rust,
        example: "noplayground",
    },
    Spec {
        name: "mdbook-runnable",
        value: Value::Ignored,
        applies: rust,
        example: "mdbook-runnable",
    },
    Spec {
        name: "hidelines",
        value: Value::Ignored,
        applies: rust,
        example: "hidelines=#",
    },
    Spec {
        name: "edition2015",
        value: Value::Ignored,
        applies: rust,
        example: "edition2015",
    },
    Spec {
        name: "edition2018",
        value: Value::Ignored,
        applies: rust,
        example: "edition2018",
    },
    Spec {
        name: "edition2021",
        value: Value::Ignored,
        applies: rust,
        example: "edition2021",
    },
    Spec {
        name: "edition2024",
        value: Value::Ignored,
        applies: rust,
        example: "edition2024",
    },
];

/// A fenced code block of a chapter, as the transform read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeBlock {
    /// Its language and attributes.
    pub info: FenceInfo,
    /// Its code with includes expanded, each line knowing where it is written.
    pub code: crate::includes::Expanded,
    /// A console block's commands and expected output.
    pub session: Option<console::Session>,
    /// Byte range of the whole block (fences included) in the chapter's source.
    pub range: std::ops::Range<usize>,
    /// Its opening fence.
    pub location: crate::diagnostics::Location,
    /// Where the block's HTML is in the chapter's events, so the build can give a
    /// verified example its Run button ([`crate::playground`]).
    pub event: usize,
}

/// A fenced code block's info string, parsed: its language and attributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FenceInfo {
    /// What the block is.
    pub lang: Lang,
    /// Its attributes.
    pub attrs: Attrs,
}

impl FenceInfo {
    /// Parses an info string such as `python no_run="needs a network", timeout=30`: the
    /// language, then attributes separated by spaces or commas (mdBook writes
    /// `rust,ignore`); values may be double-quoted. An error says what is wrong and what
    /// to write instead.
    pub fn parse(info: &str) -> Result<FenceInfo, String> {
        let mut tokens = tokenize(info)?.into_iter().peekable();
        // As rustdoc reads them, ```ignore and ```should_panic are Rust blocks.
        let rustdoc_first = tokens
            .peek()
            .is_some_and(|(key, value)| value.is_none() && is_rustdoc_attribute(key));
        let lang = if rustdoc_first {
            Lang::Rust
        } else {
            Lang::from_name(&tokens.next().map(|(k, _)| k).unwrap_or_default())
        };
        let mut attrs = Attrs::default();
        for (key, value) in tokens {
            apply(&lang, &mut attrs, &key, value.as_deref())?;
            attrs.written.push((key, value));
        }
        if lang == Lang::Shell && !attrs.run && attrs.written.iter().any(|(k, _)| k != "run") {
            return Err(
                "these attributes apply to a bash block only when it runs: add `run` (```bash run```), or use a ```console``` session"
                    .to_string(),
            );
        }
        if lang == Lang::Rust {
            // mdBook's `rust,ignore` and `rust,no_run` take no reason and change nothing here.
            attrs.skip = None;
        }
        Ok(FenceInfo { lang, attrs })
    }

    /// An indented block: plain text, no attributes.
    pub fn plain() -> FenceInfo {
        FenceInfo {
            lang: Lang::Plain,
            attrs: Attrs::default(),
        }
    }

    /// The language of an info string whose attributes are malformed (already reported),
    /// so the block is still shown in its colours.
    pub fn lang_only(info: &str) -> FenceInfo {
        let first = info
            .split(|c: char| c.is_whitespace() || c == ',')
            .next()
            .unwrap_or("");
        FenceInfo {
            lang: Lang::from_name(first),
            attrs: Attrs::default(),
        }
    }

    /// Whether `handbook test` runs (or checks) this block.
    pub fn is_example(&self) -> bool {
        match self.lang {
            Lang::Python | Lang::Pycon | Lang::Console => true,
            Lang::Shell => self.attrs.run,
            _ => false,
        }
    }

    /// The value written for attribute `key`, for badges.
    pub fn written(&self, key: &str) -> Option<&str> {
        self.attrs
            .written
            .iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| v.as_deref())
    }
}

/// Checks attribute `key=value` against [`SPECS`] for a block of `lang` and records it.
fn apply(lang: &Lang, attrs: &mut Attrs, key: &str, value: Option<&str>) -> Result<(), String> {
    if lang == &Lang::Rust && is_rustdoc_only(key) {
        return Ok(());
    }
    let Some(spec) = SPECS.iter().find(|s| s.name == key) else {
        return Err(unknown(lang, key));
    };
    if lang == &Lang::Rust && matches!(key, "ignore" | "no_run") {
        return Ok(());
    }
    if !(spec.applies)(lang) {
        return Err(format!(
            "attribute `{key}` does not apply to a {} block; {}",
            lang.name(),
            known_for(lang)
        ));
    }
    let value = value.map(str::trim);
    let needs_value = |what: &str| format!("`{key}` needs {what}, e.g. {}", spec.example);
    match spec.value {
        Value::Ignored => {}
        Value::Flag => {
            if value.is_some() {
                return Err(format!("`{key}` takes no value: write `{key}`"));
            }
            attrs.run = true;
        }
        Value::Reason => {
            let reason = value.filter(|v| !v.is_empty()).ok_or_else(|| {
                format!(
                    "`{key}` needs a reason readers can see: write {key}=\"why it cannot run here\""
                )
            })?;
            attrs.skip = Some(match key {
                "no_run" => Skip::NoRun(reason.to_string()),
                _ => Skip::Ignore(reason.to_string()),
            });
        }
        Value::Names => {
            let names: Vec<&str> = value.unwrap_or("").split_whitespace().collect();
            if names.is_empty() {
                return Err(needs_value("a value"));
            }
            if key == "services" {
                attrs.services = names.into_iter().map(service).collect::<Result<_, _>>()?;
            } else {
                attrs.requires = names.into_iter().map(String::from).collect();
            }
        }
        Value::Seconds => {
            let secs = value.unwrap_or("");
            let parsed = secs.parse::<u64>().ok().filter(|&s| s > 0);
            attrs.timeout = Some(Duration::from_secs(parsed.ok_or_else(|| {
                format!("`timeout={secs}`: write a whole number of seconds, e.g. timeout=30")
            })?));
        }
        Value::Version => {
            let text = value.unwrap_or("");
            attrs.min_python = Some(PythonVersion::parse(text).ok_or_else(|| {
                format!("`min_python={text}`: write a feature release, e.g. min_python=\"3.12\"")
            })?);
        }
        Value::Name => {
            let name = value
                .filter(|v| !v.is_empty())
                .ok_or_else(|| needs_value("a name"))?;
            if name.contains(char::is_whitespace) {
                return Err(format!(
                    "`{key}=\"{name}\"`: a session name is one word, e.g. {}",
                    spec.example
                ));
            }
            attrs.session = Some(name.to_string());
        }
    }
    Ok(())
}

fn service(name: &str) -> Result<Service, String> {
    Service::ALL
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, s)| *s)
        .ok_or_else(|| {
            let names: Vec<&str> = Service::ALL.iter().map(|(n, _)| *n).collect();
            let hint = closest(name, names.iter().copied())
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            format!(
                "unknown service `{name}`{hint}; the known ones are {}",
                names.join(", ")
            )
        })
}

/// rustdoc's attributes that are not in [`SPECS`] because they have a family of names:
/// the error a `compile_fail` block expects (`E0597`), `ignore-wasm32`, and the
/// test-harness switches. Rust is shown, not run, so they change nothing here.
/// Whether `key` is one of rustdoc's attributes, which start a Rust block's info string
/// when the language is left out (```ignore).
fn is_rustdoc_attribute(key: &str) -> bool {
    ["ignore", "should_panic", "no_run", "compile_fail"].contains(&key)
        || key.starts_with("edition20")
        || is_rustdoc_only(key)
}

fn is_rustdoc_only(key: &str) -> bool {
    let error_code =
        key.len() == 5 && key.starts_with('E') && key[1..].chars().all(|c| c.is_ascii_digit());
    error_code
        || key.starts_with("ignore-")
        || ["test_harness", "standalone_crate", "allow_fail"].contains(&key)
}

fn unknown(lang: &Lang, key: &str) -> String {
    let applicable: Vec<&str> = SPECS
        .iter()
        .filter(|s| (s.applies)(lang))
        .map(|s| s.name)
        .collect();
    let all = SPECS.iter().map(|s| s.name);
    let hint = closest(key, applicable.iter().copied())
        .or_else(|| closest(key, all))
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default();
    format!(
        "unknown attribute `{key}`{hint} on a {} block; {}",
        lang.name(),
        known_for(lang)
    )
}

fn known_for(lang: &Lang) -> String {
    let names: Vec<&str> = SPECS
        .iter()
        .filter(|s| (s.applies)(lang))
        .map(|s| s.name)
        .collect();
    if names.is_empty() {
        format!("a {} block takes no attributes", lang.name())
    } else {
        format!("the {} attributes are {}", lang.name(), names.join(", "))
    }
}

fn tokenize(info: &str) -> Result<Vec<(String, Option<String>)>, String> {
    let mut tokens = Vec::new();
    let mut chars = info.trim().chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace() || *c == ',') {
            chars.next();
        }
        if chars.peek().is_none() {
            return Ok(tokens);
        }
        let mut key = String::new();
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() || c == ',' || c == '=' {
                break;
            }
            key.push(c);
            chars.next();
        }
        let mut value = None;
        if chars.peek() == Some(&'=') {
            chars.next();
            let mut v = String::new();
            if chars.peek() == Some(&'"') {
                chars.next();
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some(c) => v.push(c),
                        None => return Err(format!("unclosed quote in the value of `{key}`")),
                    }
                }
            } else {
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() || c == ',' {
                        break;
                    }
                    v.push(c);
                    chars.next();
                }
            }
            value = Some(v);
        }
        tokens.push((key, value));
    }
}

/// The prefix of a set-up line that runs but is not shown.
pub const HIDDEN_PREFIX: &str = "#~";

/// Whether `line` is a hidden set-up line (`#~ import os`).
pub fn is_hidden(line: &str) -> bool {
    line.trim_start().starts_with(HIDDEN_PREFIX)
}

/// The code as readers see it: hidden lines removed.
pub fn visible_code(code: &str) -> String {
    code.split_inclusive('\n')
        .filter(|line| !is_hidden(line))
        .collect()
}

/// The code as it runs: hidden lines kept, their `#~` marker removed.
pub fn runnable_code(code: &str) -> String {
    code.split_inclusive('\n')
        .map(|line| {
            if !is_hidden(line) {
                return line.to_string();
            }
            let indent = &line[..line.len() - line.trim_start().len()];
            let rest = &line.trim_start()[HIDDEN_PREFIX.len()..];
            format!("{indent}{}", rest.strip_prefix(' ').unwrap_or(rest))
        })
        .collect()
}

/// The code as readers see it: a Python script's `#~` lines, Rust's `# ` lines (as
/// rustdoc and mdBook hide them) and the lines that `[output.html.code.hidelines]` hides
/// for the block's language removed.
pub fn shown_code(lang: &Lang, code: &str, hidelines: &BTreeMap<String, String>) -> String {
    let code = match lang {
        Lang::Python => visible_code(code),
        Lang::Rust => rust_visible_code(code),
        _ => code.to_string(),
    };
    match hidelines.get(lang.name()) {
        Some(prefix) if !prefix.is_empty() => code
            .split_inclusive('\n')
            .filter(|line| !line.trim_start().starts_with(prefix.as_str()))
            .collect(),
        _ => code,
    }
}

/// Rust code without rustdoc's hidden lines (`# use std::io;`, a lone `#`); `##` shows as `#`.
fn rust_visible_code(code: &str) -> String {
    code.split_inclusive('\n')
        .filter_map(|line| {
            let body = line.trim_start();
            let indent = &line[..line.len() - body.len()];
            if let Some(rest) = body.strip_prefix("##") {
                return Some(format!("{indent}#{rest}"));
            }
            let hidden = body.strip_prefix('#').is_some_and(|rest| {
                rest.starts_with(' ') || rest.trim_end_matches(['\r', '\n']).is_empty()
            });
            (!hidden).then(|| line.to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(info: &str) -> FenceInfo {
        FenceInfo::parse(info).unwrap()
    }

    #[test]
    fn parses_language_and_quoted_attributes() {
        let info =
            parse(r#"Python no_run="needs a network, really", timeout=30 requires="pytest click""#);
        assert_eq!(info.lang, Lang::Python);
        assert_eq!(
            info.attrs.skip,
            Some(Skip::NoRun("needs a network, really".into()))
        );
        assert_eq!(info.attrs.timeout, Some(Duration::from_secs(30)));
        assert_eq!(info.attrs.requires, ["pytest", "click"]);
        assert_eq!(info.written("requires"), Some("pytest click"));
    }

    #[test]
    fn aliases_have_one_meaning() {
        for (name, lang) in [
            ("python3", Lang::Python),
            ("py", Lang::Python),
            ("doctest", Lang::Pycon),
            ("python-console", Lang::Pycon),
            ("shell-session", Lang::Console),
            ("sh-session", Lang::Console),
            ("sh", Lang::Shell),
            ("", Lang::Plain),
            ("yml", Lang::Other("yaml".into())),
            ("TOML", Lang::Other("toml".into())),
        ] {
            assert_eq!(Lang::from_name(name), lang, "{name}");
        }
    }

    #[test]
    fn python3_block_is_an_example() {
        assert!(parse("python3").is_example());
        assert_eq!(
            shown_code(
                &parse("python3").lang,
                "#~ import os\nprint(1)\n",
                &BTreeMap::new()
            ),
            "print(1)\n"
        );
    }

    #[test]
    fn rustdoc_error_codes_and_target_ignores_are_accepted_on_rust_blocks() {
        for info in [
            "rust,compile_fail,E0597",
            "rust,ignore-wasm32",
            "rust,test_harness",
            "ignore",
            "should_panic,edition2021",
        ] {
            assert_eq!(
                FenceInfo::parse(info).map(|i| i.lang),
                Ok(Lang::Rust),
                "{info}"
            );
        }
        assert!(FenceInfo::parse("python E0597").is_err());
    }

    #[test]
    fn doctest_block_is_an_example() {
        assert!(parse("doctest").is_example());
    }

    #[test]
    fn misspelt_attribute_is_an_error_with_the_closest_name() {
        let problem = FenceInfo::parse("python no_rum=\"why\"").unwrap_err();
        assert!(
            problem.contains("unknown attribute `no_rum` (did you mean `no_run`?)"),
            "{problem}"
        );
        assert!(
            problem.contains("the python attributes are no_run, ignore"),
            "{problem}"
        );
    }

    #[test]
    fn attributes_must_apply_to_the_language() {
        let toml = FenceInfo::parse("toml timeout=3").unwrap_err();
        assert!(
            toml.contains("does not apply to a toml block; a toml block takes no attributes"),
            "{toml}"
        );
        let output = FenceInfo::parse("output session=x").unwrap_err();
        assert!(
            output.contains("does not apply to a output block"),
            "{output}"
        );
        let bash = FenceInfo::parse("bash timeout=3").unwrap_err();
        assert!(bash.contains("add `run`"), "{bash}");
        assert!(parse("bash run timeout=3").is_example());
        assert!(!parse("bash").is_example());
        assert!(
            FenceInfo::parse("python run")
                .unwrap_err()
                .contains("does not apply")
        );
        // mdBook's Rust attributes build unchanged.
        assert!(!parse("rust,ignore,edition2021").is_example());
    }

    #[test]
    fn values_are_checked() {
        for (info, wanted) in [
            ("python no_run", "needs a reason"),
            ("python timeout=soon", "timeout=soon"),
            ("python timeout=0", "timeout=0"),
            ("python services=\"mongo\"", "unknown service `mongo`"),
            ("python services=\"redsi\"", "did you mean `redis`?"),
            ("python session=\"a b\"", "one word"),
            ("python requires", "needs a value"),
            ("bash run=yes", "takes no value"),
            ("python no_run=\"oops", "unclosed quote"),
        ] {
            let problem = FenceInfo::parse(info).unwrap_err();
            assert!(problem.contains(wanted), "{info}: {problem}");
        }
    }

    #[test]
    fn min_python_is_a_feature_release() {
        assert_eq!(
            parse("python min_python=\" 3.12 \"").attrs.min_python,
            Some(PythonVersion {
                major: 3,
                minor: 12
            })
        );
        for bad in [
            "min_python",
            "min_python=3",
            "min_python=3.12.1",
            "min_python=3.x",
            "min_python=3.99999999999",
        ] {
            assert!(FenceInfo::parse(&format!("python {bad}")).is_err(), "{bad}");
        }
        assert_eq!(
            PythonVersion::of_release("3.13.0rc1").map(|v| v.to_string()),
            Some("3.13".into())
        );
    }

    #[test]
    fn mdbook_comma_style_works() {
        let info = parse("python,no_run=\"needs Docker\",session=build");
        assert_eq!(info.attrs.session.as_deref(), Some("build"));
        assert!(matches!(info.attrs.skip, Some(Skip::NoRun(_))));
    }

    #[test]
    fn rust_and_configured_hidden_lines_are_not_shown() {
        let none = BTreeMap::new();
        assert_eq!(
            shown_code(
                &Lang::Rust,
                "# use std::io;\n#\nfn main() {\n    ## not hidden\n    #[derive(Debug)]\n}\n",
                &none
            ),
            "fn main() {\n    # not hidden\n    #[derive(Debug)]\n}\n"
        );
        let tilde = BTreeMap::from([("python".to_string(), "~".to_string())]);
        assert_eq!(
            shown_code(&Lang::Python, "~hidden = 1\nshown = 2\n", &tilde),
            "shown = 2\n"
        );
    }

    #[test]
    fn hidden_lines_run_but_are_not_shown() {
        let code = "#~ import random\n#~random.seed(1)\n    #~ x = 1\nprint(random.random())\n";
        assert_eq!(visible_code(code), "print(random.random())\n");
        assert_eq!(
            runnable_code(code),
            "import random\nrandom.seed(1)\n    x = 1\nprint(random.random())\n"
        );
    }
}
