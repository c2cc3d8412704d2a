//! Reusing the last build's files. A site's marker file lists what the build that wrote
//! it put there: each file's path with the hash and length of its bytes, and the key of
//! each folder an output made as a whole (the search index). The next build into the
//! same folder hard-links a file whose bytes are the same instead of writing it again,
//! which on a large book is most of a rebuild's time (creating a file costs more than
//! making its bytes), and takes a folder whose key is the same without making it. Files
//! are never written in place, so a linked file is the old site's until that is removed.
//!
//! The list is trusted only if the same build of the tool wrote it and a file still has
//! the length it recorded; anything else is written anew.

use std::collections::HashMap;
use std::path::Path;

use crate::cache::tool;

/// The first line of a marker file that lists the files, and its version.
const HEADER: &str = "handbook-build 1";

/// One file as a build recorded it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Recorded {
    /// The hash of its bytes.
    pub hash: [u8; 32],
    pub len: u64,
}

/// Every file a build put, by path, and the folders it made under a key.
#[derive(Debug, Default)]
pub(super) struct Manifest {
    pub files: HashMap<String, Recorded>,
    pub folders: HashMap<String, String>,
}
impl Manifest {
    /// The list in the marker file of the site at `site`, if the running tool wrote it.
    pub(super) fn read(site: &Path) -> Option<Manifest> {
        let text = std::fs::read_to_string(site.join(super::MARKER)).ok()?;
        let mut lines = text.lines();
        if lines.next()? != format!("{HEADER}\t{}", tool()) {
            return None;
        }
        let mut manifest = Manifest::default();
        for line in lines {
            match line.split('\t').collect::<Vec<_>>()[..] {
                ["file", hash, len, path] => {
                    let hash = unhex(hash)?.try_into().ok()?;
                    let len = len.parse().ok()?;
                    manifest.files.insert(path.into(), Recorded { hash, len });
                }
                ["folder", key, name] => {
                    manifest.folders.insert(name.into(), key.into());
                }
                _ => return None,
            }
        }
        Some(manifest)
    }

    /// The marker file's text (sorted, so the same build writes the same list).
    pub(super) fn text(&self) -> String {
        let mut lines: Vec<String> = self
            .files
            .iter()
            .map(|(path, file)| format!("file\t{}\t{}\t{path}", hex(&file.hash), file.len))
            .chain(
                (self.folders.iter())
                    .filter(|(name, key)| listable(name) && listable(key))
                    .map(|(name, key)| format!("folder\t{key}\t{name}")),
            )
            .collect();
        lines.sort();
        let mut text = format!("{HEADER}\t{}\n", tool());
        for line in lines {
            text.push_str(&line);
            text.push('\n');
        }
        text
    }
}

/// Whether `path` can be listed (the list is one line a file, fields split by tabs).
pub(super) fn listable(path: &str) -> bool {
    !path.contains(['\t', '\n', '\r'])
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_reads_back_what_it_wrote() {
        let dir = tempfile::tempdir().unwrap();
        let mut manifest = Manifest::default();
        let file = Recorded {
            hash: [7; 32],
            len: 42,
        };
        manifest.files.insert("a/b.html".into(), file.clone());
        manifest.files.insert("c d.js".into(), Recorded::default());
        manifest
            .folders
            .insert("search".into(), "index-0123.js".into());
        let marker = dir.path().join(super::super::MARKER);
        std::fs::write(&marker, manifest.text()).unwrap();
        let read = Manifest::read(dir.path()).unwrap();
        assert_eq!(read.files.len(), 2);
        assert_eq!(read.files["a/b.html"], file);
        assert_eq!(read.folders["search"], "index-0123.js");
        // Another tool's list, a damaged one, or none, is not trusted.
        let text = manifest.text();
        std::fs::write(&marker, text.replace(&tool(), "other")).unwrap();
        assert!(Manifest::read(dir.path()).is_none());
        std::fs::write(&marker, text.replace("\t42\t", "\tforty-two\t")).unwrap();
        assert!(Manifest::read(dir.path()).is_none());
        std::fs::write(&marker, "").unwrap();
        assert!(Manifest::read(dir.path()).is_none());
    }
}
