//! Terminal sessions (```` ```console ````), read once for both the page and
//! `handbook test`: a line starting with `$ ` is a command; it continues on
//! the next line after a trailing `\` and through the body of a heredoc
//! (`<<'EOF'` … `EOF`), whose lines may start with the `> ` prompt bash
//! shows there; the lines after a command up to the next prompt are its
//! expected output, where a whole line `...` matches any lines and a last
//! line `[exit N]` says the command exits with status N. A prompt may show
//! an activated virtual environment: `(.venv) $ `.

/// The prompt of a command line.
pub const PROMPT: &str = "$ ";
/// The prompt bash shows on the lines that continue a command.
pub const CONTINUATION_PROMPT: &str = "> ";
/// A whole line of expected output that matches any number of lines.
pub const ANY_LINES: &str = "...";

/// What one line of a console block is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line {
    /// The first line of a command; the command starts after `prompt` bytes.
    Command {
        /// Length of the prompt.
        prompt: usize,
    },
    /// A line continuing the command above (a `\` continuation or a heredoc body).
    Continuation {
        /// Length of its `> ` prompt, or 0.
        prompt: usize,
    },
    /// Output of the command above.
    Output,
}

/// One command of a session with what it must print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// The block line (from 0) of its `$ ` line.
    pub line: usize,
    /// The command as bash runs it: its lines joined, prompts removed.
    pub text: String,
    /// Its expected output, one entry per line (`...` lines included), `[exit N]` removed.
    pub expected: Vec<String>,
    /// The exit status it must end with.
    pub status: i32,
}

/// A console block, read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Session {
    /// What each line of the block is.
    pub lines: Vec<Line>,
    /// The commands in order.
    pub commands: Vec<Command>,
    /// Problems, as (block line from 0, message).
    pub problems: Vec<(usize, String)>,
}

/// Reads a console block.
pub fn parse(text: &str) -> Session {
    let mut session = Session::default();
    // Heredoc delimiters still to come, and whether the last line ended with `\`.
    let mut pending: Vec<String> = Vec::new();
    let mut continued = false;
    for (number, line) in text.lines().enumerate() {
        if let Some(delimiter) = pending.first() {
            let (prompt, body) = strip_prompt(line);
            session.lines.push(Line::Continuation { prompt });
            append(&mut session, body);
            if body == delimiter.as_str() {
                pending.remove(0);
            }
            continue;
        }
        if continued {
            let (prompt, body) = strip_prompt(line);
            session.lines.push(Line::Continuation { prompt });
            append(&mut session, body);
            continued = ends_with_backslash(body);
            pending = heredocs(body);
            continue;
        }
        if let Some(command) = command_after_prompt(line) {
            finish_output(&mut session);
            session.lines.push(Line::Command {
                prompt: line.len() - command.len(),
            });
            session.commands.push(Command {
                line: number,
                text: command.to_string(),
                expected: Vec::new(),
                status: 0,
            });
            continued = ends_with_backslash(command);
            pending = heredocs(command);
            continue;
        }
        session.lines.push(Line::Output);
        match session.commands.last_mut() {
            Some(command) => command.expected.push(line.to_string()),
            None if line.trim().is_empty() => {}
            None => session.problems.push((
                number,
                "a console block starts with a command: write `$ ` before it, or show this text in a ```text``` block".to_string(),
            )),
        }
    }
    if let Some(delimiter) = pending.first() {
        let line = session.commands.last().map_or(0, |c| c.line);
        session.problems.push((
            line,
            format!("the heredoc of this command is not closed: end it with a line `{delimiter}`"),
        ));
    }
    finish_output(&mut session);
    session
}

/// The command of a prompt line: after `$ `, or after an activated environment's
/// `(.venv) $ `.
/// Whether any line of `text` is a `$ ` command: a console block without one is a
/// listing of commands (as mdBook books write them), not a session to run.
pub fn has_command(text: &str) -> bool {
    text.lines()
        .any(|line| command_after_prompt(line).is_some())
}

fn command_after_prompt(line: &str) -> Option<&str> {
    let rest = match line.strip_prefix('(') {
        Some(inner) => {
            let (name, after) = inner.split_once(") ")?;
            if name.is_empty() || name.contains(char::is_whitespace) {
                return None;
            }
            after
        }
        None => line,
    };
    rest.strip_prefix(PROMPT).or((rest == "$").then_some(""))
}

fn strip_prompt(line: &str) -> (usize, &str) {
    match line.strip_prefix(CONTINUATION_PROMPT) {
        Some(rest) => (CONTINUATION_PROMPT.len(), rest),
        None if line == ">" => (1, ""),
        None => (0, line),
    }
}

fn append(session: &mut Session, body: &str) {
    let command = session
        .commands
        .last_mut()
        .expect("a continuation follows a command");
    command.text.push('\n');
    command.text.push_str(body);
}

fn ends_with_backslash(line: &str) -> bool {
    let trailing = line.len() - line.trim_end_matches('\\').len();
    trailing % 2 == 1
}

/// Takes a last `[exit N]` line out of the output before it as the expected status, and
/// drops trailing blank lines (they separate commands on the page).
fn finish_output(session: &mut Session) {
    let Some(command) = session.commands.last_mut() else {
        return;
    };
    while command.expected.last().is_some_and(|l| l.trim().is_empty()) {
        command.expected.pop();
    }
    let status = command.expected.last().and_then(|last| {
        last.trim()
            .strip_prefix("[exit ")?
            .strip_suffix(']')?
            .parse::<i32>()
            .ok()
    });
    if let Some(status) = status {
        command.expected.pop();
        command.status = status;
    }
}

/// The delimiters of the heredocs a command line opens (`<<EOF`, `<<-'EOF'`, `<< "END"`), in order.
fn heredocs(line: &str) -> Vec<String> {
    let bytes = line.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    let mut quote: Option<u8> = None;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'\'' || b == b'"' => quote = Some(b),
            None if b == b'#' && (i == 0 || bytes[i - 1].is_ascii_whitespace()) => break,
            None if line[i..].starts_with("<<<") => {
                i += 3;
                continue;
            }
            None if line[i..].starts_with("<<") => {
                let mut j = i + 2;
                if bytes.get(j) == Some(&b'-') {
                    j += 1;
                }
                while bytes.get(j).is_some_and(u8::is_ascii_whitespace) {
                    j += 1;
                }
                let start = j;
                while bytes
                    .get(j)
                    .is_some_and(|c| !c.is_ascii_whitespace() && !b";|&<>()".contains(c))
                {
                    j += 1;
                }
                let word: String = line[start..j]
                    .chars()
                    .filter(|c| !"'\"\\".contains(*c))
                    .collect();
                if !word.is_empty() {
                    found.push(word);
                }
                i = j;
                continue;
            }
            None => {}
        }
        i += 1;
    }
    found
}

/// Whether `actual` output is what `expected` shows: line by line, trailing whitespace and
/// trailing blank lines aside, with each whole line `...` matching any lines.
pub fn output_matches(expected: &[String], actual: &str) -> bool {
    let want: Vec<&str> = trimmed_lines(expected.iter().map(String::as_str));
    let got: Vec<&str> = trimmed_lines(actual.lines());
    matches_from(&want, &got)
}

fn trimmed_lines<'a>(lines: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut lines: Vec<&str> = lines.map(str::trim_end).collect();
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines
}

fn matches_from(want: &[&str], got: &[&str]) -> bool {
    // Consecutive wildcards are one; each wildcard tries every split, last match first.
    match want.split_first() {
        None => got.is_empty(),
        Some((&ANY_LINES, rest)) => (0..=got.len())
            .rev()
            .any(|skip| matches_from(rest, &got[skip..])),
        Some((line, rest)) => got.first() == Some(line) && matches_from(rest, &got[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_outputs_and_exit_statuses() {
        let session =
            parse("$ echo hi\nhi\n\n$ ls missing\nls: cannot access 'missing'\n[exit 2]\n$ true\n");
        let commands: Vec<(usize, &str, Vec<&str>, i32)> = session
            .commands
            .iter()
            .map(|c| {
                (
                    c.line,
                    c.text.as_str(),
                    c.expected.iter().map(String::as_str).collect(),
                    c.status,
                )
            })
            .collect();
        assert_eq!(
            commands,
            [
                (0, "echo hi", vec!["hi"], 0),
                (3, "ls missing", vec!["ls: cannot access 'missing'"], 2),
                (6, "true", vec![], 0),
            ]
        );
        assert!(session.problems.is_empty());
    }

    #[test]
    fn continuations_and_heredocs_belong_to_the_command() {
        let session = parse(
            "$ git log \\\n>   --oneline\nabc123 first\n$ cat > app.py <<'EOF'\nprint(1)\n$ not a prompt here\nEOF\n$ python app.py\n1\n",
        );
        let texts: Vec<&str> = session.commands.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "git log \\\n  --oneline",
                "cat > app.py <<'EOF'\nprint(1)\n$ not a prompt here\nEOF",
                "python app.py"
            ]
        );
        assert_eq!(
            session.lines[..3],
            [
                Line::Command { prompt: 2 },
                Line::Continuation { prompt: 2 },
                Line::Output
            ]
        );
        assert_eq!(session.lines[4], Line::Continuation { prompt: 0 });
    }

    #[test]
    fn an_activated_environment_is_part_of_the_prompt() {
        let session = parse("(.venv) $ python -V\nPython 3\n(not a prompt) x\n");
        assert_eq!(session.lines[0], Line::Command { prompt: 10 });
        assert_eq!(session.commands[0].text, "python -V");
        assert_eq!(
            session.commands[0].expected,
            ["Python 3", "(not a prompt) x"]
        );
    }

    #[test]
    fn text_before_any_command_and_open_heredocs_are_problems() {
        let session = parse("output first\n$ cat <<EOF\nnever closed\n");
        let lines: Vec<usize> = session.problems.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, [0, 1]);
        assert!(session.problems[1].1.contains("`EOF`"));
    }

    #[test]
    fn heredoc_delimiters_are_found_outside_quotes() {
        assert_eq!(heredocs("cat <<-\"END\" > f"), ["END"]);
        assert_eq!(heredocs("cat <<A <<B"), ["A", "B"]);
        assert!(heredocs("echo '<<EOF' # <<X").is_empty());
        assert!(heredocs("grep x <<< \"$y\"").is_empty());
    }

    #[test]
    fn ellipsis_lines_match_any_lines() {
        let want = |lines: &[&str]| lines.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(output_matches(&want(&["a", "...", "z"]), "a\nb\nc\nz\n"));
        assert!(output_matches(&want(&["a", "...", "z"]), "a\nz"));
        assert!(output_matches(&want(&["..."]), ""));
        assert!(!output_matches(&want(&["a", "...", "z"]), "a\nb\n"));
        assert!(!output_matches(&want(&["a ... z"]), "a b z"));
        assert!(output_matches(&want(&["x  ", ""]), "x\n\n\n"));
        assert!(!output_matches(&want(&["x"]), " x"));
    }
}
