//! Fenced code blocks as the handbook writes them: the info string
//! (`python no_run="needs Docker"`) and hidden set-up lines (`#~`). Shared
//! by rendering and by `handbook test`, so both read a block the same way.

/// The parsed info string of a fenced code block.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FenceInfo {
    /// The language, lower-cased (`python`, `pycon`, `output`, ...); empty if none.
    pub lang: String,
    /// Attributes after the language: `no_run="why"` is `("no_run", Some("why"))`, a bare `ignore` is `("ignore", None)`.
    pub attrs: Vec<(String, Option<String>)>,
}

impl FenceInfo {
    /// Parses `python no_run="needs a network", timeout=30`: the language, then attributes
    /// separated by spaces or commas; values may be double-quoted.
    pub fn parse(info: &str) -> Result<Self, String> {
        let mut tokens = tokenize(info)?.into_iter();
        let lang = tokens
            .next()
            .map(|(k, _)| k.to_ascii_lowercase())
            .unwrap_or_default();
        Ok(FenceInfo {
            lang,
            attrs: tokens.collect(),
        })
    }

    /// The value of attribute `key`: `None` if absent, `Some(None)` if present without a value.
    pub fn attr(&self, key: &str) -> Option<Option<&str>> {
        self.attrs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_deref())
    }

    /// Whether attribute `key` is present.
    pub fn has(&self, key: &str) -> bool {
        self.attr(key).is_some()
    }

    /// `min_python="3.12"`: the oldest Python the example runs on; an error says what
    /// is wrong with a malformed value.
    pub fn min_python(&self) -> Option<Result<PythonVersion, String>> {
        let value = self.attr("min_python")?.unwrap_or_default().trim();
        Some(PythonVersion::parse(value).ok_or_else(|| {
            format!("`min_python={value}`: write a feature release, e.g. min_python=\"3.12\"")
        }))
    }

    /// Why the example is not run, if it carries `no_run` or `ignore`.
    pub fn not_run_reason(&self) -> Option<(&'static str, &str)> {
        ["ignore", "no_run"]
            .into_iter()
            .find_map(|key| self.attr(key).map(|reason| (key, reason.unwrap_or(""))))
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

fn is_hidden(line: &str) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_language_and_quoted_attributes() {
        let info =
            FenceInfo::parse(r#"Python no_run="needs a network, really", timeout=30 ignore"#)
                .unwrap();
        assert_eq!(info.lang, "python");
        assert_eq!(info.attr("no_run"), Some(Some("needs a network, really")));
        assert_eq!(info.attr("timeout"), Some(Some("30")));
        assert_eq!(info.attr("ignore"), Some(None));
        assert_eq!(info.attr("requires"), None);
    }

    #[test]
    fn min_python_is_a_feature_release() {
        let min = |info: &str| FenceInfo::parse(info).unwrap().min_python();
        assert_eq!(
            min("python min_python=\" 3.12 \""),
            Some(Ok(PythonVersion {
                major: 3,
                minor: 12
            }))
        );
        assert_eq!(min("python"), None);
        for bad in [
            "min_python",
            "min_python=\"\"",
            "min_python=3",
            "min_python=3.12.1",
            "min_python=3.x",
            "min_python=3.99999999999",
        ] {
            assert!(min(&format!("python {bad}")).unwrap().is_err(), "{bad}");
        }
        assert_eq!(
            PythonVersion::of_release("3.13.0rc1").map(|v| v.to_string()),
            Some("3.13".into())
        );
    }

    #[test]
    fn mdbook_comma_style_works() {
        let info = FenceInfo::parse("python,no_run").unwrap();
        assert_eq!(info.lang, "python");
        assert!(info.has("no_run"));
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
