//! Reusing the last build's files. A site's marker file lists what the build that wrote
//! it put there: each file's path, the hash of the bytes it was put with, and the bytes
//! patched into it afterwards (the search index's name). The next build into the same
//! folder hard-links a file whose bytes are the same instead of writing it again, which
//! on a large book is most of a rebuild's time (creating a file costs more than making
//! its bytes). Linked files are shared with the old site until it is removed, so they
//! are never written in place: a patch that differs copies the file first.
//!
//! The list is trusted only if the same build of the tool wrote it and a file still has
//! the length it recorded; anything else is written anew.

use std::collections::HashMap;
use std::path::Path;

use crate::cache::tool;

/// The first line of a marker file that lists the files, and its version.
const HEADER: &str = "handbook-build 1";

/// Bytes written into a file after it was put, at `offset`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Patch {
    pub offset: usize,
    /// What the file held there before.
    pub original: Vec<u8>,
    pub written: Vec<u8>,
}

/// One file as a build recorded it.
#[derive(Debug, Clone, Default)]
pub(super) struct Recorded {
    /// The hash of the bytes it was put with.
    pub hash: [u8; 32],
    pub len: u64,
    pub patches: Vec<Patch>,
}

/// Every file a build put, by path.
#[derive(Debug, Default)]
pub(super) struct Manifest {
    pub files: HashMap<String, Recorded>,
}

impl Manifest {
    /// The list in the marker file of the site at `site`, if the running tool wrote it.
    pub(super) fn read(site: &Path) -> Option<Manifest> {
        let text = std::fs::read_to_string(site.join(super::MARKER)).ok()?;
        let mut lines = text.lines();
        if lines.next()? != format!("{HEADER}\t{}", tool()) {
            return None;
        }
        let files = lines.map(parse_line).collect::<Option<_>>()?;
        Some(Manifest { files })
    }

    /// The marker file's text.
    pub(super) fn text(&self) -> String {
        let mut paths: Vec<&String> = self.files.keys().collect();
        paths.sort();
        let mut text = format!("{HEADER}\t{}\n", tool());
        for path in paths {
            let file = &self.files[path];
            text.push_str(&format!("{}\t{}\t{path}", hex(&file.hash), file.len));
            for patch in &file.patches {
                let (original, written) = (hex(&patch.original), hex(&patch.written));
                text.push_str(&format!("\t{}:{original}:{written}", patch.offset));
            }
            text.push('\n');
        }
        text
    }
}

/// Whether `path` can be listed (the list is one line a file, fields split by tabs).
pub(super) fn listable(path: &str) -> bool {
    !path.contains(['\t', '\n', '\r'])
}

fn parse_line(line: &str) -> Option<(String, Recorded)> {
    let mut fields = line.split('\t');
    let hash = unhex(fields.next()?)?.try_into().ok()?;
    let len = fields.next()?.parse().ok()?;
    let path = fields.next()?.to_string();
    let patches = fields
        .map(|field| {
            let mut parts = field.split(':');
            Some(Patch {
                offset: parts.next()?.parse().ok()?,
                original: unhex(parts.next()?)?,
                written: unhex(parts.next()?)?,
            })
        })
        .collect::<Option<_>>()?;
    Some((path, Recorded { hash, len, patches }))
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
        manifest.files.insert(
            "a/b.html".into(),
            Recorded {
                hash: [7; 32],
                len: 42,
                patches: vec![Patch {
                    offset: 12,
                    original: b"XXXX".to_vec(),
                    written: b"1234".to_vec(),
                }],
            },
        );
        manifest.files.insert("c.js".into(), Recorded::default());
        std::fs::write(dir.path().join(super::super::MARKER), manifest.text()).unwrap();
        let read = Manifest::read(dir.path()).unwrap();
        assert_eq!(read.files.len(), 2);
        assert_eq!(
            read.files["a/b.html"].patches,
            manifest.files["a/b.html"].patches
        );
        assert_eq!(read.files["a/b.html"].len, 42);
        // Another tool's list, or none, is not trusted.
        std::fs::write(dir.path().join(super::super::MARKER), "").unwrap();
        assert!(Manifest::read(dir.path()).is_none());
    }
}
