//! The write stage: output files go to a staging folder beside the
//! destination, which replaces the old site only when everything was
//! written. A failed build leaves the last good site untouched, and files
//! of pages that no longer exist do not linger.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

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

/// Writes `files` as the site at `dest`, replacing what was there only on success.
pub fn write_site(files: &[OutputFile], dest: &Path) -> Result<()> {
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
