//! The write stage: output files go to a staging folder beside the
//! destination, which replaces the old site only when everything was
//! written. A failed build leaves the last good site untouched, and files
//! of pages that no longer exist do not linger. A file the last build wrote
//! with the same bytes is linked, not written again ([`reuse`]).

mod reuse;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use std::io::Write;

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
pub(crate) const MARKER: &str = ".handbook-build";

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

/// Where the outputs put their files as they make them, so a build holds no more than
/// it must. Shared by the outputs running side by side.
pub trait Sink: Sync {
    /// Adds one file.
    fn put(&self, file: OutputFile) -> Result<()>;
    /// Adds one file to be written piece by piece (a page the size of the book); it is
    /// complete once the writer is flushed and dropped.
    fn create(&self, path: &str) -> Result<Box<dyn Write + Send + Sync>>;
    /// Overwrites `bytes.len()` bytes of a file already added, at `offset`.
    fn patch(&self, path: &str, offset: usize, bytes: &[u8]) -> Result<()>;
    /// Takes every file under `folder/` from the last build, if it wrote `entry`: for an
    /// output whose files are all named by a hash of what they are made from (the search
    /// index), so it need not be made again. Returns whether it did.
    fn reuse_folder(&self, _folder: &str, _entry: &str) -> Result<bool> {
        Ok(false)
    }
}

/// Keeps files in memory (`handbook serve`, tests).
#[derive(Default)]
pub struct Collect {
    files: std::sync::Arc<std::sync::Mutex<Vec<OutputFile>>>,
}

impl Collect {
    /// The files put so far, in the order they came.
    pub fn into_files(self) -> Vec<OutputFile> {
        std::mem::take(&mut *self.files.lock().expect("no put panicked"))
    }
}

impl Sink for Collect {
    fn put(&self, file: OutputFile) -> Result<()> {
        self.files.lock().expect("no put panicked").push(file);
        Ok(())
    }

    fn create(&self, path: &str) -> Result<Box<dyn Write + Send + Sync>> {
        Ok(Box::new(Collecting {
            file: Some(OutputFile::bytes(path.to_string(), Vec::new())),
            into: self.files.clone(),
        }))
    }

    fn patch(&self, path: &str, offset: usize, bytes: &[u8]) -> Result<()> {
        let mut files = self.files.lock().expect("no put panicked");
        let file = files.iter_mut().find(|f| f.path == path);
        if let Some(Contents::Bytes(old)) = file.map(|f| &mut f.contents) {
            old[offset..offset + bytes.len()].copy_from_slice(bytes);
        }
        Ok(())
    }
}

/// A file of a [`Collect`] being written; added when dropped.
struct Collecting {
    file: Option<OutputFile>,
    into: std::sync::Arc<std::sync::Mutex<Vec<OutputFile>>>,
}

impl Write for Collecting {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Some(OutputFile {
            contents: Contents::Bytes(bytes),
            ..
        }) = &mut self.file
        {
            bytes.extend_from_slice(buf);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for Collecting {
    fn drop(&mut self) {
        if let (Some(file), Ok(mut files)) = (self.file.take(), self.into.lock()) {
            files.push(file);
        }
    }
}

/// A site being written into a staging folder beside its destination, which replaces
/// the old site in [`Staging::publish`]. Dropped unpublished (a failed build), the
/// staging folder is removed and the last good site is left as it was.
pub struct Staging {
    root: PathBuf,
    dirs: std::sync::Mutex<std::collections::HashSet<PathBuf>>,
    paths: std::sync::Mutex<std::collections::HashSet<String>>,
    /// The site being replaced and what its build recorded, if it can be reused.
    previous: Option<(PathBuf, reuse::Manifest)>,
    /// What this build put, for the next.
    recorded: std::sync::Mutex<HashMap<String, Put>>,
}

/// A file put into the staging folder, as recorded.
struct Put {
    recorded: reuse::Recorded,
    /// Linked from the last build's site, so not to be written in place.
    linked: bool,
    /// Of a linked file: the patches it carries from the last build that this build
    /// has not made yet (undone when it publishes, if it never makes them).
    carried: Vec<reuse::Patch>,
}

impl Staging {
    /// A staging folder for the site at `dest`.
    pub fn beside(dest: &Path) -> Result<Staging> {
        let parent = dest
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(Error::io(parent))?;
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| "book".into());
        let mut staging =
            Staging::at(parent.join(format!(".{name}.staging-{}", std::process::id())))?;
        staging.previous = reuse::Manifest::read(dest).map(|list| (dest.to_path_buf(), list));
        Ok(staging)
    }

    /// A staging folder at `root` (replaced if it exists).
    pub fn at(root: PathBuf) -> Result<Staging> {
        if root.exists() {
            std::fs::remove_dir_all(&root).map_err(Error::io(&root))?;
        }
        std::fs::create_dir_all(&root).map_err(Error::io(&root))?;
        std::fs::write(root.join(MARKER), "").map_err(Error::io(root.join(MARKER)))?;
        Ok(Staging {
            root,
            dirs: Default::default(),
            paths: Default::default(),
            previous: None,
            recorded: Default::default(),
        })
    }

    /// How many files were put.
    pub fn count(&self) -> usize {
        self.paths.lock().expect("no put panicked").len()
    }

    /// The staging folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Moves the finished site to `dest`, replacing what was there.
    pub fn publish(self, dest: &Path) -> Result<()> {
        self.write_list()?;
        let result = swap(&self.root, dest);
        if result.is_ok() {
            std::mem::forget(self);
        }
        result
    }

    /// Undoes the patches linked files carry that this build did not make, and writes
    /// the list of files into the marker file for the next build.
    fn write_list(&self) -> Result<()> {
        let mut recorded = self.recorded.lock().expect("no put panicked");
        let mut manifest = reuse::Manifest::default();
        for (path, put) in recorded.iter_mut() {
            for patch in std::mem::take(&mut put.carried) {
                self.write_at(path, put, patch.offset, &patch.original)?;
            }
            manifest.files.insert(path.clone(), put.recorded.clone());
        }
        let marker = self.root.join(MARKER);
        std::fs::write(&marker, manifest.text()).map_err(Error::io(&marker))
    }

    /// Links `path` from the last build's site if that put the same bytes there;
    /// returns whether it did.
    fn link(&self, path: &str, target: &Path, hash: &[u8; 32], len: u64) -> bool {
        let Some((site, list)) = &self.previous else {
            return false;
        };
        let Some(old) = list
            .files
            .get(path)
            .filter(|old| &old.hash == hash && old.len == len)
        else {
            return false;
        };
        let source = site.join(path);
        let same_len = std::fs::metadata(&source).is_ok_and(|meta| meta.len() == len);
        if !same_len || std::fs::hard_link(&source, target).is_err() {
            return false;
        }
        self.record(path, old.clone(), true);
        true
    }

    fn record(&self, path: &str, old: reuse::Recorded, linked: bool) {
        let put = Put {
            carried: if linked { old.patches } else { Vec::new() },
            recorded: reuse::Recorded {
                patches: Vec::new(),
                ..old
            },
            linked,
        };
        let mut recorded = self.recorded.lock().expect("no put panicked");
        recorded.insert(path.to_string(), put);
    }

    /// Writes `bytes` at `offset` of the staged `path`, first copying it if it is
    /// linked (the old site must not change); returns what was there.
    fn write_at(&self, path: &str, put: &mut Put, offset: usize, bytes: &[u8]) -> Result<Vec<u8>> {
        use std::os::unix::fs::FileExt;
        let target = self.root.join(path);
        if put.linked {
            let dir = target.parent().unwrap_or(&self.root);
            let copy = tempfile::NamedTempFile::new_in(dir).map_err(Error::io(dir))?;
            std::fs::copy(&target, copy.path()).map_err(Error::io(&target))?;
            copy.persist(&target)
                .map_err(|e| Error::io(&target)(e.error))?;
            put.linked = false;
        }
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&target)
            .map_err(Error::io(&target))?;
        let mut original = vec![0; bytes.len()];
        file.read_exact_at(&mut original, offset as u64)
            .map_err(Error::io(&target))?;
        file.write_all_at(bytes, offset as u64)
            .map_err(Error::io(&target))?;
        Ok(original)
    }

    /// Checks `path` and makes its folder; returns where the file goes.
    fn target(&self, path: &str) -> Result<PathBuf> {
        check_path(path, &mut self.paths.lock().expect("no put panicked"))?;
        let target = self.root.join(path);
        if let Some(dir) = target.parent() {
            // Made while holding the lock: another page of the folder must not be written
            // before the folder exists.
            let mut dirs = self.dirs.lock().expect("no put panicked");
            if !dirs.contains(dir) {
                std::fs::create_dir_all(dir).map_err(Error::io(dir))?;
                dirs.insert(dir.to_path_buf());
            }
        }
        Ok(target)
    }
}

impl Sink for Staging {
    fn put(&self, file: OutputFile) -> Result<()> {
        let target = self.target(&file.path)?;
        match &file.contents {
            Contents::Bytes(bytes) if reuse::listable(&file.path) => {
                let hash = *blake3::hash(bytes).as_bytes();
                let len = bytes.len() as u64;
                if !self.link(&file.path, &target, &hash, len) {
                    std::fs::write(&target, bytes).map_err(Error::io(&target))?;
                    let recorded = reuse::Recorded {
                        hash,
                        len,
                        patches: Vec::new(),
                    };
                    self.record(&file.path, recorded, false);
                }
                Ok(())
            }
            Contents::Bytes(bytes) => std::fs::write(&target, bytes).map_err(Error::io(&target)),
            Contents::Copy(source) => std::fs::copy(source, &target)
                .map(drop)
                .map_err(Error::io(source)),
        }
    }

    fn create(&self, path: &str) -> Result<Box<dyn Write + Send + Sync>> {
        let target = self.target(path)?;
        let file = std::fs::File::create(&target).map_err(Error::io(&target))?;
        Ok(Box::new(std::io::BufWriter::new(file)))
    }

    fn patch(&self, path: &str, offset: usize, bytes: &[u8]) -> Result<()> {
        let mut recorded = self.recorded.lock().expect("no put panicked");
        let Some(put) = recorded.get_mut(path) else {
            // A file the list does not hold (streamed, or unlistable): patched as it is.
            let mut put = Put {
                recorded: Default::default(),
                linked: false,
                carried: Vec::new(),
            };
            return self.write_at(path, &mut put, offset, bytes).map(drop);
        };
        let carried = put.carried.iter().position(|patch| patch.offset == offset);
        let carried = carried.map(|at| put.carried.remove(at));
        let patch = match carried {
            // The linked file holds these bytes already.
            Some(patch) if patch.written == bytes => patch,
            _ => {
                let found = self.write_at(path, put, offset, bytes)?;
                reuse::Patch {
                    offset,
                    // What the file was put with there, not the last build's patch.
                    original: carried.map_or(found, |patch| patch.original),
                    written: bytes.to_vec(),
                }
            }
        };
        put.recorded.patches.push(patch);
        Ok(())
    }

    fn reuse_folder(&self, folder: &str, entry: &str) -> Result<bool> {
        let Some((site, list)) = &self.previous else {
            return Ok(false);
        };
        let prefix = format!("{folder}/");
        let files: Vec<(&String, &reuse::Recorded)> = list
            .files
            .iter()
            .filter(|(path, _)| path.starts_with(&prefix))
            .collect();
        let whole = files.iter().all(|(path, old)| {
            std::fs::metadata(site.join(path)).is_ok_and(|meta| meta.len() == old.len)
        });
        if !list.files.contains_key(entry) || !whole {
            return Ok(false);
        }
        for (path, old) in files {
            let target = self.target(path)?;
            let source = site.join(path);
            std::fs::hard_link(&source, &target).map_err(Error::io(&target))?;
            self.record(path, old.clone(), true);
        }
        Ok(true)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// An output path is relative, stays inside the site, and is written once: a chapter
/// named like a file the build makes (`print.md`, `404.md`) must not race with it.
fn check_path(path: &str, seen: &mut std::collections::HashSet<String>) -> Result<()> {
    let inside = Path::new(path)
        .components()
        .all(|c| matches!(c, std::path::Component::Normal(_)));
    let problem = if !inside {
        "is outside the site"
    } else if !seen.insert(path.to_string()) {
        "would be written twice: a chapter's page has the name of another page or of a file the build makes (404.html, print.html, sitemap.xml); rename the chapter"
    } else {
        return Ok(());
    };
    let message = format!("the output `{path}` {problem}");
    Err(Error::Input(Box::new(Diagnostic::error(
        Location::file("SUMMARY.md"),
        message,
    ))))
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

#[cfg(test)]
mod tests {
    use super::*;
    use rayon::prelude::*;

    #[test]
    fn pages_of_a_new_folder_written_at_once_all_land_in_the_staging_folder() {
        // Many threads writing into folders that do not exist yet: none may find its
        // folder missing because another thread is still making it.
        let dir = tempfile::tempdir().unwrap();
        let staging = Staging::at(dir.path().join("site")).unwrap();
        let paths: Vec<String> = (0..2000)
            .map(|i| format!("part-{}/deep-{}/page-{i}.html", i % 40, i % 7))
            .collect();
        paths
            .par_iter()
            .try_for_each(|path| {
                staging.put(OutputFile::bytes(path.clone(), path.clone().into_bytes()))
            })
            .unwrap();
        assert_eq!(staging.count(), paths.len());
        for path in &paths {
            assert_eq!(
                std::fs::read_to_string(staging.root().join(path)).unwrap(),
                *path
            );
        }
    }

    #[test]
    fn a_staging_folder_dropped_unpublished_is_removed_and_the_old_site_kept() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("book");
        std::fs::create_dir_all(&dest).unwrap();
        std::fs::write(dest.join("index.html"), "old").unwrap();
        let staging = Staging::beside(&dest).unwrap();
        staging
            .put(OutputFile::bytes("index.html".into(), b"new".to_vec()))
            .unwrap();
        let root = staging.root().to_path_buf();
        drop(staging);
        assert!(!root.exists());
        assert_eq!(
            std::fs::read_to_string(dest.join("index.html")).unwrap(),
            "old"
        );
    }

    #[test]
    fn a_linked_file_patched_differently_is_copied_and_the_old_site_kept() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("book");
        let page = || OutputFile::bytes("a.html".into(), b"<a href=\"XXXX.js\">".to_vec());
        let first = Staging::beside(&dest).unwrap();
        first.put(page()).unwrap();
        first.patch("a.html", 9, b"1111").unwrap();
        first.publish(&dest).unwrap();
        let old_inode = std::fs::metadata(dest.join("a.html")).unwrap().ino();

        // The same bytes and patch: linked, the old file kept as it is.
        let same = Staging::beside(&dest).unwrap();
        same.put(page()).unwrap();
        same.patch("a.html", 9, b"1111").unwrap();
        let staged = same.root().join("a.html");
        assert_eq!(std::fs::metadata(&staged).unwrap().ino(), old_inode);
        same.publish(&dest).unwrap();

        // Another patch: the staged file is copied first; the live site is unchanged.
        let other = Staging::beside(&dest).unwrap();
        other.put(page()).unwrap();
        other.patch("a.html", 9, b"2222").unwrap();
        let live = std::fs::read_to_string(dest.join("a.html")).unwrap();
        assert_eq!(live, "<a href=\"1111.js\">");
        let staged = std::fs::read_to_string(other.root().join("a.html")).unwrap();
        assert_eq!(staged, "<a href=\"2222.js\">");
        drop(other);

        // Linked but never patched this time: the carried patch is undone on publish.
        let unpatched = Staging::beside(&dest).unwrap();
        unpatched.put(page()).unwrap();
        unpatched.publish(&dest).unwrap();
        let text = std::fs::read_to_string(dest.join("a.html")).unwrap();
        assert_eq!(text, "<a href=\"XXXX.js\">");
    }

    #[test]
    fn a_patch_overwrites_bytes_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let staging = Staging::at(dir.path().join("site")).unwrap();
        staging
            .put(OutputFile::bytes(
                "a.html".into(),
                b"<a href=\"search/XXXX.js\">".to_vec(),
            ))
            .unwrap();
        staging.patch("a.html", 16, b"1234").unwrap();
        let text = std::fs::read_to_string(staging.root().join("a.html")).unwrap();
        assert_eq!(text, "<a href=\"search/1234.js\">");
        let collect = Collect::default();
        collect
            .put(OutputFile::bytes(
                "a.html".into(),
                b"<a href=\"search/XXXX.js\">".to_vec(),
            ))
            .unwrap();
        collect.patch("a.html", 16, b"1234").unwrap();
        assert!(
            matches!(&collect.into_files()[0].contents, Contents::Bytes(b) if b == text.as_bytes())
        );
    }
}
