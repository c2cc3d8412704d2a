//! Where examples run: one folder per `handbook test` run, in the system's
//! temporary folder, holding the harness files (read-only to examples) and
//! one folder per example or session with its scratch `work/`, `home/` and
//! `tmp/`, so no example can reach another's files or the harness's by a
//! relative path.
//!
//! The run's folder is locked while the run lives; a run that was killed
//! leaves an unlocked folder, which the next run removes. Ctrl-C and SIGTERM
//! kill the running examples and remove the folder before exiting.

use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Name prefix of run folders in the temporary folder.
const PREFIX: &str = "handbook-test-";
/// The lock file of a run folder.
const LOCK: &str = ".lock";

/// The git configuration of every scratch `HOME`: a fixed identity, and `main` as the
/// first branch, so what git prints in the book is the same on every machine.
const GITCONFIG: &str =
    "[user]\n\tname = Ada Lovelace\n\temail = ada@example.com\n[init]\n\tdefaultBranch = main\n";

/// The folder of one run.
#[derive(Debug)]
pub(super) struct RunDir {
    root: PathBuf,
    next: AtomicUsize,
    _lock: File,
}

/// The folders of one example, or of one session's examples.
#[derive(Debug, Clone)]
pub(super) struct Scratch {
    /// The working folder (`PWD`).
    pub work: PathBuf,
    /// `HOME`.
    pub home: PathBuf,
    /// `TMPDIR`.
    pub tmp: PathBuf,
    /// Files the harness writes for this example (scripts, sessions), beside the scratch folders.
    pub files: PathBuf,
    /// The shell state (folder, variables, functions) a console session carries between commands.
    pub shell_state: PathBuf,
}

/// The run folder currently in use, removed if the run is interrupted.
static CURRENT: Mutex<Option<PathBuf>> = Mutex::new(None);

impl RunDir {
    /// Makes the run's folder, after removing those that earlier runs left behind.
    pub(super) fn create() -> std::io::Result<RunDir> {
        let temp = std::env::temp_dir();
        remove_stale(&temp);
        let root = tempfile::Builder::new()
            .prefix(PREFIX)
            .tempdir_in(&temp)?
            .keep();
        let lock = File::create(root.join(LOCK))?;
        lock.lock()?;
        std::fs::create_dir(root.join("harness"))?;
        std::fs::create_dir(root.join("state"))?;
        *CURRENT.lock().unwrap_or_else(|e| e.into_inner()) = Some(root.clone());
        Ok(RunDir {
            root,
            next: AtomicUsize::new(0),
            _lock: lock,
        })
    }

    /// The run's folder.
    pub(super) fn root(&self) -> &Path {
        &self.root
    }

    /// Writes a harness file (shared by all examples, read-only to them); returns its path.
    pub(super) fn harness_file(&self, name: &str, text: &str) -> std::io::Result<PathBuf> {
        let path = self.harness().join(name);
        std::fs::write(&path, text)?;
        Ok(path)
    }

    /// The folder of harness files.
    pub(super) fn harness(&self) -> PathBuf {
        self.root.join("harness")
    }

    /// Fresh folders for one example or session; an error once the run is interrupted
    /// (made while holding [`CURRENT`], so the folder being removed is never made again).
    pub(super) fn scratch(&self) -> std::io::Result<Scratch> {
        let current = CURRENT.lock().unwrap_or_else(|e| e.into_inner());
        if current.is_none() {
            return Err(std::io::Error::other("the run was interrupted"));
        }
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let files = self.root.join(n.to_string());
        let scratch = Scratch {
            work: files.join("work"),
            home: files.join("home"),
            tmp: files.join("tmp"),
            shell_state: self.root.join("state").join(format!("{n}.sh")),
            files,
        };
        for folder in [&scratch.work, &scratch.home, &scratch.tmp] {
            std::fs::create_dir_all(folder)?;
        }
        std::fs::write(scratch.home.join(".gitconfig"), GITCONFIG)?;
        drop(current);
        Ok(scratch)
    }
}

impl Drop for RunDir {
    fn drop(&mut self) {
        *CURRENT.lock().unwrap_or_else(|e| e.into_inner()) = None;
        // Examples may have left read-only files behind (git objects): removal is best effort.
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// Removes run folders whose run is gone (their lock is free).
fn remove_stale(temp: &Path) {
    let Ok(entries) = std::fs::read_dir(temp) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let is_run = entry.file_name().to_string_lossy().starts_with(PREFIX);
        if !is_run || !path.is_dir() {
            continue;
        }
        let Ok(lock) = File::open(path.join(LOCK)) else {
            // A folder without a lock is a run that died before locking it.
            let _ = std::fs::remove_dir_all(&path);
            continue;
        };
        match lock.try_lock() {
            Ok(()) => {
                let _ = std::fs::remove_dir_all(&path);
            }
            Err(TryLockError::WouldBlock) | Err(TryLockError::Error(_)) => {}
        }
    }
}

/// Removes `root`, trying again while it is not gone: an example killed a moment ago, or
/// the harness writing its files, may still add to it as it goes (a removal that meets a
/// new file fails with "directory not empty").
fn remove_while_written(root: &Path) {
    for _ in 0..100 {
        if std::fs::remove_dir_all(root).is_ok() || !root.exists() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// Never returns once the run is interrupted: the signal's thread is removing the run's
/// folder and exits with the signal's code, and a run that went on to report its killed
/// examples would exit first, with 1 (an_interrupted_run_leaves_no_scratch_folders saw 1).
pub(super) fn wait_if_interrupted() {
    while super::process::stopping() {
        std::thread::park();
    }
}

/// Kills the running examples and removes the run's folder when `handbook test` gets
/// SIGINT or SIGTERM, then exits as the signal would (130 or 143). Call before any
/// thread starts, so the signals are blocked everywhere but in the watching thread.
pub(super) fn clean_up_on_signals() {
    // SAFETY: plain libc signal-set calls on a local set; pthread_sigmask changes only this
    // thread's mask, which the threads started later inherit.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGINT);
        libc::sigaddset(&mut set, libc::SIGTERM);
        if libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) != 0 {
            return;
        }
        std::thread::spawn(move || {
            let mut signal = 0;
            if libc::sigwait(&set, &mut signal) != 0 {
                return;
            }
            super::process::kill_all();
            let root = CURRENT.lock().unwrap_or_else(|e| e.into_inner()).take();
            if let Some(root) = root {
                remove_while_written(&root);
            }
            eprintln!(
                "handbook test: interrupted; the running examples were stopped and their folders removed"
            );
            std::process::exit(128 + signal);
        });
    }
}
