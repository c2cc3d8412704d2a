//! The one table from which both the highlighting markup and the palette CSS are made.
//!
//! CSS can only ever look at the scope atoms that some palette's selectors name (`keyword`,
//! `string`, `punctuation`, …); the rest (`python`, `quoted`, `double`, most of a scope) can
//! never change a colour. So every atom named by a selector of either palette gets a short
//! class (`a`…`z`, then `a0`…`z9`), a span keeps only the atoms of the compounds (`.a.b`)
//! its scope can match, and a scope that matches none gets no span at all. A browser matches
//! exactly the same rules as it would against every atom of every scope, so the colours are
//! unchanged; the markup is about 40% of the spelled-out `hl-keyword hl-control hl-python`.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::rc::Rc;
use std::sync::OnceLock;

use syntect::highlighting::{FontStyle, Theme, ThemeSet};
use syntect::parsing::Scope;

/// The palettes, in the order their CSS is written: the light one at the top level, the
/// dark one under `[data-theme="dark"]` (the attribute the theme's script toggles).
const PALETTES: [(&str, Option<&str>); 2] = [
    ("InspiredGitHub", None),
    ("base16-ocean.dark", Some("[data-theme=\"dark\"]")),
];

/// Every rule is scoped to `code`, where all highlighting markup lives, so one-letter
/// classes cannot colour anything else on a page.
const SCOPE: &str = "code";

/// The palettes' selectors with their atoms renamed.
pub(super) struct Table {
    themes: Vec<Theme>,
    /// Short class of every atom a selector names.
    names: HashMap<String, String>,
    /// The compound selectors (atoms one element must all carry), as atom sets.
    compounds: Vec<BTreeSet<String>>,
}

/// The table, built once per process from syntect's bundled themes.
pub(super) fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut bundled = ThemeSet::load_defaults().themes;
        let themes = PALETTES
            .iter()
            .map(|(name, _)| bundled.remove(*name).expect("syntect bundles the theme"))
            .collect();
        Table::new(themes)
    })
}

impl Table {
    fn new(themes: Vec<Theme>) -> Table {
        let compounds: BTreeSet<BTreeSet<String>> = themes
            .iter()
            .flat_map(|theme| &theme.scopes)
            .flat_map(|item| &item.scope.selectors)
            .flat_map(|selector| selector.extract_scopes())
            .map(|scope| atoms(scope).into_iter().collect())
            .collect();
        // Atoms named by more selectors get the shorter names (then alphabetical, so the
        // table is the same in every build).
        let mut uses: HashMap<&str, usize> = HashMap::new();
        for atom in compounds.iter().flatten() {
            *uses.entry(atom).or_default() += 1;
        }
        let mut order: Vec<&str> = uses.keys().copied().collect();
        order.sort_by_key(|atom| (std::cmp::Reverse(uses[atom]), *atom));
        let names = order
            .iter()
            .enumerate()
            .map(|(index, atom)| (atom.to_string(), short_name(index)))
            .collect();
        Table {
            names,
            compounds: compounds.into_iter().collect(),
            themes,
        }
    }

    /// The `class` attribute for a span of `scope`, or `None` if no palette can colour it.
    fn classes_of(&self, scope: Scope) -> Option<String> {
        let own: BTreeSet<String> = atoms(scope).into_iter().collect();
        let kept: BTreeSet<&String> = self
            .compounds
            .iter()
            .filter(|compound| compound.is_subset(&own))
            .flatten()
            .collect();
        if kept.is_empty() {
            return None;
        }
        let names: Vec<&str> = kept.iter().map(|atom| self.name(atom)).collect();
        Some(names.join(" "))
    }

    fn name(&self, atom: &str) -> &str {
        &self.names[atom]
    }

    /// The short class of `atom`, if a palette names it.
    pub(super) fn class_of(&self, atom: &str) -> Option<&str> {
        self.names.get(atom).map(String::as_str)
    }

    /// Both palettes' CSS, with the renamed selectors.
    pub(super) fn css(&self) -> String {
        let mut css = format!(
            "/* Generated from syntect's {} and {} themes; classes from highlight/classes.rs. */\n",
            PALETTES[0].0, PALETTES[1].0
        );
        for (theme, (_, within)) in self.themes.iter().zip(PALETTES) {
            if let Some(within) = within {
                let _ = writeln!(css, "{within} {{");
            }
            for item in &theme.scopes {
                let selectors: Vec<String> = item
                    .scope
                    .selectors
                    .iter()
                    .map(|selector| self.selector(&selector.extract_scopes()))
                    .collect();
                let _ = writeln!(css, "{} {{{}}}", selectors.join(", "), declarations(item));
            }
            if within.is_some() {
                css.push_str("}\n");
            }
        }
        css
    }

    /// `code .a.b .c`: a descendant selector of compounds, as syntect writes it.
    fn selector(&self, path: &[Scope]) -> String {
        let mut out = SCOPE.to_string();
        for scope in path {
            out.push(' ');
            for atom in atoms(*scope) {
                out.push('.');
                out.push_str(self.name(&atom));
            }
        }
        out
    }
}

fn declarations(item: &syntect::highlighting::ThemeItem) -> String {
    let mut out = String::new();
    let hex = |c: syntect::highlighting::Color| format!("#{:02x}{:02x}{:02x}", c.r, c.g, c.b);
    if let Some(fg) = item.style.foreground {
        let _ = write!(out, "color: {};", hex(fg));
    }
    if let Some(bg) = item.style.background {
        let _ = write!(out, "background-color: {};", hex(bg));
    }
    if let Some(fs) = item.style.font_style {
        for (flag, declaration) in [
            (FontStyle::UNDERLINE, "text-decoration: underline;"),
            (FontStyle::BOLD, "font-weight: bold;"),
            (FontStyle::ITALIC, "font-style: italic;"),
        ] {
            if fs.contains(flag) {
                out.push_str(declaration);
            }
        }
    }
    out
}

/// `a`…`z`, then a letter and a digit (`a0`): never two letters, so never the session
/// classes `hl-gp`/`hl-go` nor any word-like class of the theme.
fn short_name(index: usize) -> String {
    let letter = |i: usize| char::from(b'a' + u8::try_from(i % 26).expect("below 26"));
    if index < 26 {
        letter(index).to_string()
    } else {
        let rest = index - 26;
        assert!(rest < 260, "the palettes name at most 286 atoms");
        format!("{}{}", letter(rest / 10), rest % 10)
    }
}

/// `keyword.control.python` → `keyword`, `control`, `python`.
fn atoms(scope: Scope) -> Vec<String> {
    scope
        .build_string()
        .split('.')
        .map(str::to_string)
        .collect()
}

thread_local! {
    /// Per thread, because building a scope's string takes syntect's global lock, which
    /// would serialise the parallel page renders.
    static CLASSES: RefCell<HashMap<Scope, Option<Rc<str>>>> = RefCell::new(HashMap::new());
}

/// The `class` attribute for a span of `scope` (cached), or `None` for no span.
pub(super) fn classes(scope: Scope) -> Option<Rc<str>> {
    CLASSES.with(|cache| {
        cache
            .borrow_mut()
            .entry(scope)
            .or_insert_with(|| table().classes_of(scope).map(Rc::from))
            .clone()
    })
}
