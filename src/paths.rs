//! Paths of files inside a book or a theme: normalising `.` and `..`, and
//! listing a folder's files with their `/`-separated relative paths (the
//! form every other stage uses, whatever the platform).

use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Result};

/// `path` with `.` removed and `..` applied (never climbing above its start).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Reads `path` if it really lies inside `root` once symbolic links are resolved; an
/// error says why not. One rule for every input the book is made of (chapters, included
/// files), so a link in an untrusted book cannot publish the build machine's files.
pub fn read_inside(root: &Path, path: &Path) -> std::result::Result<String, String> {
    let real = std::fs::canonicalize(path).map_err(|e| e.to_string())?;
    let root = std::fs::canonicalize(root).map_err(|e| e.to_string())?;
    if !real.starts_with(&root) {
        return Err(format!(
            "it is a link to `{}`, outside the book; only files inside the book's folder are read",
            real.display()
        ));
    }
    std::fs::read_to_string(&real).map_err(|e| e.to_string())
}

/// A file found under a folder.
pub struct Found {
    /// Its full path.
    pub path: PathBuf,
    /// Its path relative to the folder, `/`-separated.
    pub relative: String,
}

/// Whether a file name is hidden (`.git`) or an editor's temporary or backup file
/// (`.x.swp`, `x~`, vim's `4913`, JetBrains' `x___jb_tmp___`, Emacs' `#x#`): never part of a book.
pub fn is_editor_file(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || name == "4913"
        || name.ends_with("___jb_tmp___")
        || name.ends_with("___jb_old___")
        || (name.starts_with('#') && name.ends_with('#'))
}

/// Every file under `dir`, sorted by name, skipping hidden and editor files (see [`is_editor_file`]).
pub fn files_under(dir: &Path) -> Result<Vec<Found>> {
    let walker = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_editor_file(&e.file_name().to_string_lossy()));
    let mut found = Vec::new();
    for entry in walker {
        let entry = entry.map_err(|e| Error::Io {
            path: e.path().unwrap_or(dir).to_path_buf(),
            source: e
                .into_io_error()
                .unwrap_or_else(|| std::io::Error::other("file system loop")),
        })?;
        if entry.file_type().is_file() {
            let relative = entry
                .path()
                .strip_prefix(dir)
                .expect("walkdir stays under its root");
            let relative = relative.to_string_lossy().replace('\\', "/");
            found.push(Found {
                path: entry.into_path(),
                relative,
            });
        }
    }
    Ok(found)
}
