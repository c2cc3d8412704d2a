//! A per-thread memo of parsed lines. Parsing a line is a pure function of the line and
//! the parser's state before it, and most of the highlighter's time is the grammar's
//! regular expressions, so a line already parsed in the same state (a blank line, an
//! `else:`, the same statement in another example) is looked up instead of parsed again.
//! Only speed depends on it: the result is the one parsing gives. A line is kept from its
//! second sighting on, so the many lines a book holds once do not push out the ones it
//! repeats.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::hash::BuildHasher;
use std::rc::Rc;

use syntect::parsing::{ParseState, ScopeStackOp, SyntaxSet};

/// The scope operations of one line, at byte offsets into it.
pub(super) type Ops = Rc<[(usize, ScopeStackOp)]>;

/// How many parsed lines a thread keeps (about 1 KiB each) before it starts afresh, so
/// the memo's memory stays bounded however large the book.
const MOST_LINES: usize = 1 << 14;

/// How many lines seen once a thread remembers (a hash each), likewise bounded.
const MOST_SEEN: usize = 1 << 18;

struct Parsed {
    before: ParseState,
    after: ParseState,
    ops: Ops,
}

#[derive(Default)]
struct Memo {
    lines: HashMap<Box<str>, Vec<Parsed>>,
    len: usize,
    /// Hashes of the lines seen so far.
    seen: HashSet<u64>,
}

impl Memo {
    /// Whether `line` was seen before (and now it has been).
    fn seen_before(&mut self, line: &str) -> bool {
        if self.seen.len() == MOST_SEEN {
            self.seen.clear();
        }
        !self.seen.insert(self.seen.hasher().hash_one(line))
    }

    fn keep(&mut self, line: &str, parsed: Parsed) {
        if self.len == MOST_LINES {
            self.lines.clear();
            self.len = 0;
        }
        self.len += 1;
        self.lines.entry(line.into()).or_default().push(parsed);
    }
}

thread_local! {
    static MEMO: RefCell<Memo> = RefCell::new(Memo::default());
}

/// Parses `line` from `state` (advancing it), or looks the result up; `None` if the
/// grammar fails on it.
pub(super) fn parse(state: &mut ParseState, line: &str, syntaxes: &SyntaxSet) -> Option<Ops> {
    MEMO.with(|memo| {
        let mut memo = memo.borrow_mut();
        let mut known = memo.lines.get(line).into_iter().flatten();
        if let Some(parsed) = known.find(|parsed| parsed.before == *state) {
            *state = parsed.after.clone();
            return Some(parsed.ops.clone());
        }
        if !memo.seen_before(line) {
            return Some(state.parse_line(line, syntaxes).ok()?.into());
        }
        let before = state.clone();
        let ops: Ops = state.parse_line(line, syntaxes).ok()?.into();
        let after = state.clone();
        memo.keep(
            line,
            Parsed {
                before,
                after,
                ops: ops.clone(),
            },
        );
        Some(ops)
    })
}
