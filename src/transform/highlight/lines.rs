//! A per-thread memo of parsed lines. Parsing a line is a pure function of the line and
//! the parser's state before it, and most of the highlighter's time is the grammar's
//! regular expressions, so a line already parsed in the same state (a blank line, an
//! `else:`, the same statement in another example) is looked up instead of parsed again.
//! Only speed depends on it: the result is the one parsing gives.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use syntect::parsing::{ParseState, ScopeStackOp, SyntaxSet};

/// The scope operations of one line, at byte offsets into it.
pub(super) type Ops = Rc<[(usize, ScopeStackOp)]>;

/// How many parsed lines a thread keeps (about 1 KiB each) before it starts afresh, so
/// the memo's memory stays bounded however large the book.
const MOST_LINES: usize = 1 << 14;

struct Parsed {
    before: ParseState,
    after: ParseState,
    ops: Ops,
}

#[derive(Default)]
struct Memo {
    lines: HashMap<Box<str>, Vec<Parsed>>,
    len: usize,
}

thread_local! {
    static MEMO: RefCell<Memo> = RefCell::new(Memo::default());
}

/// Parses `line` from `state` (advancing it), or looks the result up; `None` if the
/// grammar fails on it.
pub(super) fn parse(state: &mut ParseState, line: &str, syntaxes: &SyntaxSet) -> Option<Ops> {
    MEMO.with(|memo| {
        let mut memo = memo.borrow_mut();
        let known = memo.lines.get(line).into_iter().flatten();
        if let Some(parsed) = known.into_iter().find(|parsed| parsed.before == *state) {
            *state = parsed.after.clone();
            return Some(parsed.ops.clone());
        }
        let before = state.clone();
        let ops: Ops = state.parse_line(line, syntaxes).ok()?.into();
        if memo.len == MOST_LINES {
            *memo = Memo::default();
        }
        memo.len += 1;
        memo.lines.entry(line.into()).or_default().push(Parsed {
            before,
            after: state.clone(),
            ops: ops.clone(),
        });
        Some(ops)
    })
}
