//! Search over the real handbook: the JavaScript client (run in Node)
//! ranks and scores exactly as tantivy does, stems every word of the book as
//! tantivy does, and `handbook search` prints tantivy's answer.

mod support;

use std::path::Path;
use std::process::Command;

use search_index::Index;
use search_index::node::NodeClient;

fn handbook_index() -> Index {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (book, pages) =
        handbook::pipeline::load_and_transform(root, &mut |_| {}).expect("the handbook builds");
    handbook::search::index(handbook::search::documents(&book, &pages)).unwrap()
}

/// Single words, several words, words being typed (no trailing space), phrases, dotted
/// names, misspellings and quoted words.
const QUERIES: &[&str] = &[
    "closure ",
    "decorator ",
    "generator ",
    "exception ",
    "dictionary ",
    "list ",
    "tuple ",
    "asyncio ",
    "thread ",
    "logging ",
    "json ",
    "pickle ",
    "regex ",
    "sqlite3 ",
    "datetime ",
    "timezone ",
    "pytest ",
    "fixture ",
    "mock ",
    "argparse ",
    "pathlib ",
    "iterator ",
    "yield ",
    "lambda ",
    "comprehension ",
    "dataclass ",
    "metaclass ",
    "descriptor ",
    "property ",
    "inheritance ",
    "subprocess ",
    "unicode ",
    "bytes ",
    "mutable ",
    "hashable ",
    "read a file line by line ",
    "handle exceptions ",
    "default mutable argument ",
    "thread pool executor ",
    "asyncio gather timeout ",
    "json dump load ",
    "sort a dictionary by value ",
    "clos",
    "deco",
    "gen",
    "gene",
    "exce",
    "itert",
    "asy",
    "asyn",
    "pars",
    "collec",
    "functo",
    "with open",
    "late bind",
    "\"context manager\"",
    "\"list comprehension\"",
    "\"global interpreter lock\"",
    "\"with open\"",
    "\"late binding\"",
    "\"f-string\"",
    "\"yield from\" generator",
    "os.path.join",
    "json.dumps",
    "datetime.now",
    "__init__",
    "__slots__",
    "dictionry ",
    "exeption ",
    "decoratr ",
    "generater ",
    "pyhton ",
    "itertols ",
    "asynco ",
    "contextmanagr",
    "\"yield\"",
    "\"clsure\"",
    "python",
    "the",
];

#[test]
fn the_client_ranks_the_handbook_as_tantivy_does() {
    assert!(QUERIES.len() >= 50);
    let index = handbook_index();
    let dir = tempfile::tempdir().unwrap();
    let client = NodeClient::write(&index, dir.path()).unwrap();
    let problems = client.compare(&index, QUERIES, 10).unwrap();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let stems = client.compare_stems(&index, &[]).unwrap();
    assert!(stems.is_empty(), "{}", stems.join("\n"));
    // A fresh page's first 10, from the heads of common words where they prove it, are
    // tantivy's too; and "the" (in 940 of the 1,042 sections' text) needs no pack for it.
    let (problems, files) = client.compare_top(&index, QUERIES, 10).unwrap();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let the = &files[QUERIES.iter().position(|q| *q == "the").unwrap()];
    assert!(
        the.iter().any(|f| f.starts_with('h')) && !the.iter().any(|f| f.starts_with('t')),
        "{the:?}"
    );
}

#[test]
fn every_query_kind_finds_the_section_it_names() {
    let index = handbook_index();
    let first = |query: &str| {
        let found = handbook::search::search(&index, query, 1).unwrap();
        found.first().map(|f| f.url.clone()).unwrap_or_default()
    };
    assert!(first("\"context manager\"").starts_with("advanced/context-managers.html"));
    assert!(first("decoratr ").starts_with("advanced/decorators.html"));
    assert!(first("asyncio gather").contains("#gather"));
}

/// The search fixture, copied into a temporary folder with `keys` added to its
/// `[output.html.search]` table.
fn search_fixture_with(keys: &str) -> tempfile::TempDir {
    let dir = support::fixture_copy("search");
    let toml = dir.path().join("book.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(&toml, format!("{text}\n[output.html.search]\n{keys}\n")).unwrap();
    dir
}

fn fixture_index(root: &Path) -> Index {
    let (book, pages) = handbook::pipeline::load_and_transform(root, &mut |d| panic!("{d}"))
        .expect("the fixture builds");
    handbook::search::index(handbook::search::documents(&book, &pages)).unwrap()
}

#[test]
fn use_boolean_and_boosts_and_expand_from_book_toml_rank_as_tantivy_does() {
    let plain = search_fixture_with("");
    let keyed = search_fixture_with(
        "use-boolean-and = true\nboost-title = 5\nboost-hierarchy = 0.5\nboost-paragraph = 2\nexpand = false",
    );
    let (plain, keyed) = (fixture_index(plain.path()), fixture_index(keyed.path()));
    let queries = [
        "late binding",
        "closure late",
        "closures scope variables",
        "late zzzzqqq",
        "\"late binding\" closure",
        "clos",
        "closure",
        "bindng closure",
    ];
    let dir = tempfile::tempdir().unwrap();
    let client = NodeClient::write(&keyed, dir.path()).unwrap();
    let problems = client.compare(&keyed, &queries, 10).unwrap();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let count = |index: &Index, query: &str| index.score_every_doc(query).unwrap().len();
    // Every word must match: a word in no section leaves no result, and fewer sections
    // have both words than either.
    assert_eq!(count(&keyed, "late zzzzqqq"), 0);
    assert!(count(&plain, "late zzzzqqq") > 0);
    assert!(count(&keyed, "closure late") < count(&plain, "closure late"));
    assert!(count(&keyed, "closure late") > 0);
    // `expand = false`: the word being typed matches whole words only.
    assert_eq!(count(&keyed, "clos"), 0);
    assert!(count(&plain, "clos") > 0);
    // The boosts change the scores.
    let score = |index: &Index| index.search("closure ", 1).unwrap()[0].score;
    assert_ne!(score(&keyed).to_bits(), score(&plain).to_bits());
}

#[test]
fn the_search_command_prints_rank_score_url_and_title() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/search");
    let run = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_handbook"))
            .arg("search")
            .args(args)
            .arg(&fixture)
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        String::from_utf8(output.stdout).unwrap()
    };
    let text = run(&["late binding", "--limit", "1"]);
    let columns: Vec<&str> = text.split_whitespace().collect();
    assert_eq!(columns[0], "1");
    assert!(columns[1].parse::<f32>().unwrap() > 0.0);
    assert_eq!(columns[2], "guide/closures.html#late-binding");
    assert_eq!(&columns[3..], ["Closures", "›", "Late", "binding"]);

    let json: serde_json::Value = serde_json::from_str(&run(&["closure", "--json"])).unwrap();
    let results = json.as_array().unwrap();
    assert_eq!(results.len(), 3);
    assert_eq!(results[0]["rank"], 1);
    assert_eq!(results[0]["url"], "guide/closures.html");
    assert_eq!(results[0]["section"], "Closures");
    assert!(results[0]["score"].as_f64().unwrap() > results[1]["score"].as_f64().unwrap());
}
