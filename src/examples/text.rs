//! Text helpers shared by running and reporting examples: how output is
//! compared, and how long output is shortened for a message.

/// Compares as authors mean it: trailing whitespace on each line and trailing blank lines
/// do not count.
pub(super) fn normalize_output(text: &str) -> String {
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    let keep = lines
        .iter()
        .rposition(|l| !l.is_empty())
        .map_or(0, |i| i + 1);
    lines[..keep].join("\n")
}

/// The last `lines` lines of `text`.
pub(super) fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.trim_end().lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_comparison_ignores_trailing_whitespace_only() {
        assert_eq!(normalize_output("a  \nb\n\n\n"), normalize_output("a\nb"));
        assert_ne!(normalize_output("\na\n"), normalize_output("a\n"));
        assert_ne!(normalize_output(" a\n"), normalize_output("a\n"));
    }

    #[test]
    fn tail_keeps_the_last_lines() {
        assert_eq!(tail("a\nb\nc\n\n", 2), "b\nc");
        assert_eq!(tail("a\n", 5), "a");
    }
}
