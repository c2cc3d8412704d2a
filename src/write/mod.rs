//! The write stage: output files go to a staging folder beside the
//! destination, which replaces the old site only when everything was
//! written. A failed build leaves the last good site untouched, and files
//! of pages that no longer exist do not linger. A file the last build wrote
//! with the same bytes is linked, not written again ([`reuse`]).

mod reuse;

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
    /// For an output whose files under `folder/` are all made from what `key` names (the
    /// search index, keyed by its documents): takes them from the last build if its key
    /// was the same, so they need not be made again. Returns whether it did; if not, the
    /// output puts them.
    fn reuse_folder(&self, _folder: &str, _key: &str) -> Result<bool> {
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
    recorded: std::sync::Mutex<reuse::Manifest>,
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

    /// Writes the list of files into the marker file, for the next build.
    fn write_list(&self) -> Result<()> {
        let recorded = self.recorded.lock().expect("no put panicked");
        let marker = self.root.join(MARKER);
        std::fs::write(&marker, recorded.text()).map_err(Error::io(&marker))
    }

    /// Links `path` from the last build's site if that put the same bytes there;
    /// returns whether it did.
    fn link(&self, path: &str, target: &Path, file: &reuse::Recorded) -> bool {
        let Some((site, list)) = &self.previous else {
            return false;
        };
        if list.files.get(path) != Some(file) {
            return false;
        }
        let source = site.join(path);
        let same_len = std::fs::metadata(&source).is_ok_and(|meta| meta.len() == file.len);
        same_len && std::fs::hard_link(&source, target).is_ok()
    }

    fn record(&self, path: &str, file: reuse::Recorded) {
        let mut recorded = self.recorded.lock().expect("no put panicked");
        recorded.files.insert(path.to_string(), file);
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
                let recorded = reuse::Recorded {
                    hash: *blake3::hash(bytes).as_bytes(),
                    len: bytes.len() as u64,
                };
                if !self.link(&file.path, &target, &recorded) {
                    std::fs::write(&target, bytes).map_err(Error::io(&target))?;
                }
                self.record(&file.path, recorded);
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

    fn reuse_folder(&self, folder: &str, key: &str) -> Result<bool> {
        let mut recorded = self.recorded.lock().expect("no put panicked");
        recorded.folders.insert(folder.to_string(), key.to_string());
        drop(recorded);
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
        if list.folders.get(folder).map(String::as_str) != Some(key) || !whole {
            return Ok(false);
        }
        for (path, old) in files {
            let target = self.target(path)?;
            let source = site.join(path);
            std::fs::hard_link(&source, &target).map_err(Error::io(&target))?;
            self.record(path, old.clone());
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
    fn an_unchanged_file_is_linked_and_a_changed_one_written_leaving_the_old_site() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("book");
        let put = |staging: &Staging, text: &str| {
            let file = OutputFile::bytes("a.html".into(), text.as_bytes().to_vec());
            staging.put(file).unwrap();
            staging.root().join("a.html")
        };
        let first = Staging::beside(&dest).unwrap();
        put(&first, "one");
        first.publish(&dest).unwrap();
        let inode = |path: &Path| std::fs::metadata(path).unwrap().ino();
        let old = inode(&dest.join("a.html"));

        let same = Staging::beside(&dest).unwrap();
        assert_eq!(inode(&put(&same, "one")), old, "the same bytes: linked");
        same.publish(&dest).unwrap();

        let other = Staging::beside(&dest).unwrap();
        let staged = put(&other, "two");
        assert_ne!(inode(&staged), old);
        assert_eq!(std::fs::read_to_string(staged).unwrap(), "two");
        assert_eq!(std::fs::read_to_string(dest.join("a.html")).unwrap(), "one");
        other.publish(&dest).unwrap();
        assert_eq!(std::fs::read_to_string(dest.join("a.html")).unwrap(), "two");

        // A list another build of the tool wrote is not trusted.
        std::fs::write(dest.join(MARKER), "handbook-build 1\tanother tool\n").unwrap();
        let untrusted = Staging::beside(&dest).unwrap();
        assert_ne!(inode(&put(&untrusted, "two")), inode(&dest.join("a.html")));
    }

    #[test]
    fn a_folder_is_taken_from_the_last_build_only_under_the_same_key() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("book");
        let first = Staging::beside(&dest).unwrap();
        assert!(!first.reuse_folder("search", "k1").unwrap());
        for name in ["search/index.js", "search/c0-k1.js"] {
            let file = OutputFile::bytes(name.into(), name.as_bytes().to_vec());
            first.put(file).unwrap();
        }
        first.publish(&dest).unwrap();

        let same = Staging::beside(&dest).unwrap();
        assert!(same.reuse_folder("search", "k1").unwrap());
        let text = std::fs::read_to_string(same.root().join("search/c0-k1.js")).unwrap();
        assert_eq!(text, "search/c0-k1.js");
        same.publish(&dest).unwrap();
        // Taken, the files stay listed for the build after.
        let again = Staging::beside(&dest).unwrap();
        assert!(again.reuse_folder("search", "k1").unwrap());
        drop(again);

        let other = Staging::beside(&dest).unwrap();
        assert!(!other.reuse_folder("search", "k2").unwrap());
        assert!(!other.root().join("search").exists());
        drop(other);
        // A file of the folder gone from the old site: nothing is taken.
        std::fs::remove_file(dest.join("search/c0-k1.js")).unwrap();
        let broken = Staging::beside(&dest).unwrap();
        assert!(!broken.reuse_folder("search", "k1").unwrap());
    }
}
