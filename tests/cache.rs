//! The build cache: a build over a warm cache (pages kept in `target/handbook-cache`,
//! files linked from the last site) writes exactly what a clean build writes, after no
//! change, a chapter edited, a file it includes edited, and `book.toml` changed; and it
//! does reuse (unchanged files keep their inode).

mod support;

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use support::*;

/// Every file under `dir` (relative path → bytes), sorted.
fn tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<(PathBuf, Vec<u8>)> = walk(dir)
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(&path).unwrap();
            (path.strip_prefix(dir).unwrap().to_path_buf(), bytes)
        })
        .collect();
    files.sort();
    files
}

/// Builds `book` into `dest` over the cache and the last site, then into a fresh folder
/// with no cache, and asserts both sites are the same, byte for byte.
fn assert_same_as_clean(book: &Path, dest: &Path, what: &str) {
    build(book, dest);
    let cache = book.join("target/handbook-cache");
    assert!(cache.join("pages/list").is_file(), "the cache was written");
    std::fs::remove_dir_all(&cache).unwrap();
    let clean = book.join("clean");
    let _ = std::fs::remove_dir_all(&clean);
    build(book, &clean);
    let (warm, cold) = (tree(dest), tree(&clean));
    let names = |t: &[(PathBuf, Vec<u8>)]| t.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>();
    assert_eq!(names(&warm), names(&cold), "{what}: the same files");
    for ((path, a), (_, b)) in warm.iter().zip(&cold) {
        assert!(
            a == b,
            "{what}: {} differs from a clean build",
            path.display()
        );
    }
    // Warm the cache again for the next step, as the last build left it.
    std::fs::remove_dir_all(&clean).unwrap();
    build(book, dest);
}

fn inode(path: &Path) -> u64 {
    std::fs::metadata(path).unwrap().ino()
}

#[test]
fn rebuilds_over_the_cache_are_byte_identical_to_clean_builds() {
    let book = fixture_copy("basic");
    let book = book.path();
    let dest = book.join("site");
    build(book, &dest);
    let page = dest.join("guide/basics.html");
    let before = inode(&page);

    assert_same_as_clean(book, &dest, "nothing changed");
    // `assert_same_as_clean` ends with a build over a warm cache and the last site.
    assert_eq!(
        inode(&page),
        before,
        "an unchanged page is linked, not written"
    );

    let details = book.join("src/guide/details.md");
    let text = std::fs::read_to_string(&details).unwrap();
    std::fs::write(
        &details,
        format!("{text}\nA new paragraph about closures.\n"),
    )
    .unwrap();
    assert_same_as_clean(book, &dest, "one chapter edited");
    let html = std::fs::read_to_string(dest.join("guide/details.html")).unwrap();
    assert!(html.contains("A new paragraph about closures."));

    let code = std::fs::read_to_string(book.join("src/guide/code.md")).unwrap();
    let included = book.join("src/guide/included.py");
    std::fs::write(&included, "print('first')\n").unwrap();
    std::fs::write(
        book.join("src/guide/code.md"),
        format!("{code}\n```python\n{{{{#include included.py}}}}\n```\n"),
    )
    .unwrap();
    assert_same_as_clean(book, &dest, "an include added");
    std::fs::write(&included, "print('second')\n").unwrap();
    assert_same_as_clean(book, &dest, "an included file edited");
    let html = std::fs::read_to_string(dest.join("guide/code.html")).unwrap();
    assert!(
        html.contains("second") && !html.contains("first&#39;"),
        "{html}"
    );

    let toml = std::fs::read_to_string(book.join("book.toml")).unwrap();
    std::fs::write(
        book.join("book.toml"),
        toml.replace("Fixture Book", "Renamed Book"),
    )
    .unwrap();
    assert_same_as_clean(book, &dest, "book.toml changed");
}

#[test]
fn a_cache_folder_named_in_book_toml_is_used_and_a_broken_one_is_only_a_miss() {
    let book = fixture_copy("basic");
    let book = book.path();
    let toml = std::fs::read_to_string(book.join("book.toml")).unwrap();
    std::fs::write(
        book.join("book.toml"),
        format!("{toml}\n[build]\ncache-dir = \"my-cache\"\n"),
    )
    .unwrap();
    let dest = book.join("site");
    build(book, &dest);
    let pages = book.join("my-cache/pages");
    assert!(pages.join("list").is_file());
    assert!(!book.join("target").exists());
    // Every stored batch and search piece cut short: the next build must read none of
    // them, and still write the same site.
    let pieces = book.join("my-cache/search");
    let stored: Vec<PathBuf> = [walk(&pages), walk(&pieces)].concat();
    assert!(stored.iter().any(|p| p.starts_with(&pieces)), "{stored:?}");
    for path in stored {
        if path.extension().is_some_and(|e| e == "bin") {
            let bytes = std::fs::read(&path).unwrap();
            std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        }
    }
    let before = tree(&dest);
    std::fs::remove_file(dest.join(".handbook-build")).unwrap();
    std::fs::write(dest.join(".handbook-build"), "").unwrap();
    build(book, &dest);
    assert_eq!(tree(&dest), before);
}

#[test]
fn an_edit_indexes_again_only_its_own_pages_for_search_and_the_index_is_the_same() {
    // 300 chapters: two pieces of the search index (256 pages each), and five batches of
    // pages.
    let book = tempfile::tempdir().unwrap();
    let book = book.path();
    std::fs::create_dir(book.join("src")).unwrap();
    std::fs::write(book.join("book.toml"), "[book]\ntitle = \"Many\"\n").unwrap();
    let mut summary = String::new();
    for n in 0..300 {
        summary.push_str(&format!("- [Chapter {n}](c{n}.md)\n"));
        let text = format!(
            "# Chapter {n}\n\nWords about topic{n} and closures.\n\n## More\n\nText {n}.\n"
        );
        std::fs::write(book.join(format!("src/c{n}.md")), text).unwrap();
    }
    std::fs::write(book.join("src/SUMMARY.md"), summary).unwrap();
    let dest = book.join("site");
    build(book, &dest);
    let pieces = book.join("target/handbook-cache/search");
    let kept = || {
        let mut files: Vec<(PathBuf, u64)> = walk(&pieces)
            .into_iter()
            .map(|p| (p.clone(), inode(&p)))
            .collect();
        files.sort();
        files
    };
    let before = kept();
    assert_eq!(before.len(), 2, "{before:?}");

    std::fs::write(
        book.join("src/c299.md"),
        "# Chapter 299\n\nNew words: generators.\n",
    )
    .unwrap();
    let out = handbook(&["build", path_str(book), "--dest-dir", path_str(&dest)]);
    let line = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(line.contains("(1 transformed"), "{line}");
    let after = kept();
    assert_eq!(after.len(), 2);
    let unchanged: Vec<_> = before.iter().filter(|f| after.contains(f)).collect();
    assert_eq!(
        unchanged.len(),
        1,
        "the first piece is kept as it was: {before:?} {after:?}"
    );
    assert_same_as_clean(book, &dest, "the last chapter edited");
}
