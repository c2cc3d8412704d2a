//! The write stage: output files go to a staging folder beside the
//! destination, which replaces the old site only when everything was
//! written. A failed build leaves the last good site untouched, and files
//! of pages that no longer exist do not linger.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::diagnostics::{Diagnostic, Location};
use crate::error::{Error, Result};

/// One file of the built site.
#[derive(Debug, Clone)]
pub struct OutputFile {
    /// Its path in the site, `/`-separated.
    pub path: String,
    /// What to write.
    pub contents: Contents,
}

/// The contents of an output file.
#[derive(Debug, Clone)]
pub enum Contents {
    /// Bytes made by the build.
    Bytes(Vec<u8>),
    /// A source file copied as it is.
    Copy(PathBuf),
}

impl OutputFile {
    /// A file with the given bytes.
    pub fn bytes(path: String, bytes: Vec<u8>) -> Self {
        OutputFile {
            path,
            contents: Contents::Bytes(bytes),
        }
    }

    /// A copy of `source`.
    pub fn copy(path: String, source: PathBuf) -> Self {
        OutputFile {
            path,
            contents: Contents::Copy(source),
        }
    }

    /// The file's bytes (reading a copied file from disk).
    pub fn read(&self) -> Result<std::borrow::Cow<'_, [u8]>> {
        match &self.contents {
            Contents::Bytes(bytes) => Ok(bytes.into()),
            Contents::Copy(source) => Ok(std::fs::read(source).map_err(Error::io(source))?.into()),
        }
    }
}

/// The file that marks a folder as a site this tool wrote, so it may be replaced.
const MARKER: &str = ".handbook-build";

/// Refuses a destination that would replace the book itself or sit inside its sources
/// (the site would be copied into the next build), or a folder that is not a site this
/// tool built (replacing it would delete someone's files).
pub fn check_destination(dest: &Path, root: &Path, src_dir: &Path) -> Result<()> {
    let absolute = |p: &Path| {
        crate::paths::normalize(&std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()))
    };
    let dest_abs = absolute(dest);
    let refuse = |why: String| {
        Err(Error::Input(Box::new(Diagnostic::error(
            Location::file(dest),
            why,
        ))))
    };
    for source in [absolute(root), absolute(src_dir)] {
        if source.starts_with(&dest_abs) {
            return refuse(format!(
                "the site cannot be written here: it would replace the book's own folder `{}`; choose another --dest-dir or [build] build-dir",
                source.display()
            ));
        }
    }
    let src = absolute(src_dir);
    if dest_abs.starts_with(&src) {
        return refuse(format!(
            "the site cannot be written inside the source folder `{}`: it would be copied into the next build",
            src.display()
        ));
    }
    if let Ok(meta) = std::fs::symlink_metadata(dest)
        && !meta.is_dir()
    {
        return refuse(format!(
            "`{}` exists and is not a folder; the site is a folder: remove the file or choose another --dest-dir",
            dest.display()
        ));
    }
    let non_empty = std::fs::read_dir(dest).is_ok_and(|mut entries| entries.next().is_some());
    if non_empty && !dest.join(MARKER).is_file() {
        return refuse(format!(
            "`{}` holds files that handbook did not write (no {MARKER} file); remove the folder or choose another --dest-dir",
            dest.display()
        ));
    }
    Ok(())
}

/// Every output path is relative, stays inside the site, and is written once: a chapter
/// named like a file the build makes (`print.md`, `404.md`) must not race with it.
pub fn check_paths(files: &[OutputFile]) -> Result<()> {
    let mut seen = std::collections::HashSet::new();
    for file in files {
        let inside = Path::new(&file.path)
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)));
        let problem = if !inside {
            "is outside the site"
        } else if !seen.insert(file.path.as_str()) {
            "would be written twice: a chapter's page has the name of another page or of a file the build makes (404.html, print.html, sitemap.xml); rename the chapter"
        } else {
            continue;
        };
        let message = format!("the output `{}` {problem}", file.path);
        return Err(Error::Input(Box::new(Diagnostic::error(
            Location::file("SUMMARY.md"),
            message,
        ))));
    }
    Ok(())
}

/// Writes `files` as the site at `dest`, replacing what was there only on success.
pub fn write_site(files: &[OutputFile], dest: &Path) -> Result<()> {
    check_paths(files)?;
    let parent = dest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(Error::io(parent))?;
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "book".into());
    let staging = parent.join(format!(".{name}.staging-{}", std::process::id()));
    let result = write_all(files, &staging).and_then(|()| swap(&staging, dest));
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result
}

fn write_all(files: &[OutputFile], root: &Path) -> Result<()> {
    if root.exists() {
        std::fs::remove_dir_all(root).map_err(Error::io(root))?;
    }
    let mut dirs: Vec<PathBuf> = files
        .iter()
        .filter_map(|f| Path::new(&f.path).parent().map(|d| root.join(d)))
        .collect();
    dirs.sort();
    dirs.dedup();
    std::fs::create_dir_all(root).map_err(Error::io(root))?;
    for dir in dirs {
        std::fs::create_dir_all(&dir).map_err(Error::io(&dir))?;
    }
    std::fs::write(root.join(MARKER), "").map_err(Error::io(root.join(MARKER)))?;
    files.par_iter().try_for_each(|file| {
        let target = root.join(&file.path);
        match &file.contents {
            Contents::Bytes(bytes) => std::fs::write(&target, bytes).map_err(Error::io(&target)),
            Contents::Copy(source) => std::fs::copy(source, &target)
                .map(drop)
                .map_err(Error::io(source)),
        }
    })
}

/// Moves `staging` to `dest`; the old `dest` is moved aside first and removed after.
fn swap(staging: &Path, dest: &Path) -> Result<()> {
    let old = dest.with_file_name(format!(
        ".{}.old-{}",
        dest.file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default(),
        std::process::id()
    ));
    let had_old = dest.exists();
    if had_old {
        std::fs::rename(dest, &old).map_err(Error::io(dest))?;
    }
    if let Err(e) = std::fs::rename(staging, dest) {
        if had_old {
            // Put the last good site back.
            let _ = std::fs::rename(&old, dest);
        }
        return Err(Error::Io {
            path: dest.to_path_buf(),
            source: e,
        });
    }
    if had_old {
        std::fs::remove_dir_all(&old).map_err(Error::io(&old))?;
    }
    Ok(())
}
