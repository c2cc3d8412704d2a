//! The Python that runs the examples: the configured interpreter
//! (`[test] python`), and for examples that declare `requires=`, a virtual
//! environment made from the pinned requirements file.
//!
//! The environment is slow to make (pip downloads and installs), so it is
//! cached in a folder named by a hash of the requirements and the
//! interpreter: it is made once and reused until either changes. The cache
//! lives in the user's cache folder rather than in the book, so every
//! checkout of the book (and CI on the same machine) shares one.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::transform::code::PythonVersion;

/// A file in a finished environment: its absence means "not made, or half made".
const COMPLETE_MARKER: &str = ".handbook-complete";

/// What the interpreter prints about itself: its version, then what identifies it.
const PROBE: &str =
    "import sys; print(sys.version.split()[0]); print(sys.version); print(sys.executable)";

/// The oldest Python the handbook and its test harness support.
const OLDEST: PythonVersion = PythonVersion {
    major: 3,
    minor: 11,
};

/// The configured interpreter, checked to run.
#[derive(Debug, Clone)]
pub struct Interpreter {
    /// The command as configured (`python3`).
    pub command: String,
    /// Its version, e.g. `3.11.7`.
    pub version: String,
    /// The interpreter binary itself (`sys.executable`). Examples run it directly: a
    /// launcher such as a pyenv shim would cost a tenth of a second per example.
    pub executable: PathBuf,
    /// Its full version string and executable path: what a cached environment depends on.
    identity: String,
}

/// The configured interpreter cannot be run.
#[derive(Debug, thiserror::Error)]
#[error(
    "cannot run the Python interpreter `{command}`: {problem}; install CPython 3.11 or later, and name it in book.toml's `[test] python` or with `--python`"
)]
pub struct InterpreterError {
    command: String,
    problem: String,
}

impl Interpreter {
    /// Its feature release (`3.11` for `3.11.7`).
    pub fn feature_release(&self) -> PythonVersion {
        PythonVersion::of_release(&self.version).expect("checked by `probe`")
    }

    /// Runs `command` once to learn its version.
    pub fn probe(command: &str) -> Result<Interpreter, InterpreterError> {
        let fail = |problem: String| InterpreterError {
            command: command.to_string(),
            problem,
        };
        let output = Command::new(command)
            .args(["-c", PROBE])
            .output()
            .map_err(|e| fail(e.to_string()))?;
        if !output.status.success() {
            return Err(fail(format!(
                "it exited with {}: {}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            )));
        }
        let identity = String::from_utf8_lossy(&output.stdout).into_owned();
        let executable = identity
            .lines()
            .last()
            .filter(|path| !path.is_empty())
            .ok_or_else(|| {
                fail("it does not know its own executable (`sys.executable` is empty)".into())
            })?;
        let version = identity.lines().next().unwrap_or_default().to_string();
        match PythonVersion::of_release(&version) {
            Some(release) if release >= OLDEST => {}
            Some(_) => return Err(fail(format!("it is Python {version}, older than {OLDEST}"))),
            None => return Err(fail(format!("it reports an unknown version `{version}`"))),
        }
        Ok(Interpreter {
            command: command.to_string(),
            version,
            executable: PathBuf::from(executable),
            identity,
        })
    }
}

/// A virtual environment could not be prepared.
#[derive(Debug, thiserror::Error)]
pub enum VenvError {
    /// The requirements file is missing or unreadable.
    #[error(
        "cannot read `{path}` ({source}); examples that declare `requires` run in a virtual environment made from it (book.toml `[test] requirements`)"
    )]
    Requirements {
        /// The file, as shown to the user.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file or folder of the cache could not be made.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// `python -m venv` or `pip install` failed.
    #[error("`{command}` failed:\n{output}")]
    Command {
        /// What ran.
        command: String,
        /// The end of what it printed.
        output: String,
    },
}

/// Where virtual environments are cached: `$HANDBOOK_CACHE_DIR`, else
/// `$XDG_CACHE_HOME/handbook`, else `~/.cache/handbook`.
pub fn default_cache_dir() -> PathBuf {
    let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    env("HANDBOOK_CACHE_DIR")
        .map(PathBuf::from)
        .or_else(|| env("XDG_CACHE_HOME").map(|d| PathBuf::from(d).join("handbook")))
        .or_else(|| env("HOME").map(|d| PathBuf::from(d).join(".cache/handbook")))
        .unwrap_or_else(|| std::env::temp_dir().join("handbook-cache"))
}

/// A virtual environment to use: where it is, and what it would be made from.
#[derive(Debug)]
pub struct Plan {
    base: PathBuf,
    requirements: PathBuf,
    shown: PathBuf,
    packages: HashSet<String>,
    cache: PathBuf,
    dir: PathBuf,
}

impl Plan {
    /// The environment for `requirements` (shown to the user as `shown`) and `python`,
    /// in a folder under `cache` named by their hash.
    pub fn new(
        python: &Interpreter,
        requirements: &Path,
        shown: PathBuf,
        cache: &Path,
    ) -> Result<Plan, VenvError> {
        let text =
            std::fs::read_to_string(requirements).map_err(|source| VenvError::Requirements {
                path: shown.clone(),
                source,
            })?;
        let mut hasher = blake3::Hasher::new();
        hasher.update(text.as_bytes());
        hasher.update(b"\0");
        hasher.update(python.identity.as_bytes());
        let key = hasher.finalize().to_hex();
        Ok(Plan {
            base: python.executable.clone(),
            requirements: requirements.to_path_buf(),
            shown,
            packages: pinned_packages(&text),
            cache: cache.to_path_buf(),
            dir: cache.join(format!("venv-{}", &key[..16])),
        })
    }

    /// The environment's folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Whether the environment is already made.
    pub fn is_ready(&self) -> bool {
        self.dir.join(COMPLETE_MARKER).exists()
    }

    /// Makes the environment unless it is ready. Runs of `handbook test` at the same time
    /// take turns (a lock file), so they never build one folder together.
    pub fn ensure(self) -> Result<Venv, VenvError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| VenvError::Io { path, source }
        };
        std::fs::create_dir_all(&self.cache).map_err(io(&self.cache))?;
        let lock_path = self.dir.with_extension("lock");
        let lock = std::fs::File::create(&lock_path).map_err(io(&lock_path))?;
        // A ready environment is used under a shared lock, so runs that use it at the same
        // time never wait for each other; only making one takes the lock alone.
        lock.lock_shared().map_err(io(&lock_path))?;
        if !self.is_ready() {
            lock.unlock().map_err(io(&lock_path))?;
            lock.lock().map_err(io(&lock_path))?;
            if !self.is_ready() {
                self.create()?;
            }
            // Held shared until the run ends, so no other run prunes it meanwhile.
            lock.unlock().map_err(io(&lock_path))?;
            lock.lock_shared().map_err(io(&lock_path))?;
        }
        // Its marker's time says when it was last used; environments of older
        // requirements or interpreters left unused for a month are removed.
        let marker = self.dir.join(COMPLETE_MARKER);
        std::fs::write(&marker, "").map_err(io(&marker))?;
        prune(&self.cache, &self.dir, UNUSED_FOR);
        Ok(Venv {
            python: self.dir.join("bin/python"),
            requirements: self.shown,
            packages: self.packages,
            _in_use: lock,
        })
    }

    fn create(&self) -> Result<(), VenvError> {
        if self.dir.exists() {
            // Left half made by an interrupted run.
            std::fs::remove_dir_all(&self.dir).map_err(|source| VenvError::Io {
                path: self.dir.clone(),
                source,
            })?;
        }
        let mut venv = Command::new(&self.base);
        venv.args(["-m", "venv"]).arg(&self.dir);
        run_step(venv)?;
        let mut pip = Command::new(self.dir.join("bin/python"));
        pip.args(["-m", "pip", "install", "--quiet", "--no-input"])
            .args(["--disable-pip-version-check", "-r"])
            .arg(&self.requirements);
        if let Some(folder) = self.requirements.parent() {
            // Relative paths inside the requirements file are relative to it.
            pip.current_dir(folder);
        }
        run_step(pip)?;
        let marker = self.dir.join(COMPLETE_MARKER);
        std::fs::write(&marker, "").map_err(|source| VenvError::Io {
            path: marker,
            source,
        })
    }
}

/// How long an environment may go unused before a run that uses another removes it.
const UNUSED_FOR: std::time::Duration = std::time::Duration::from_secs(30 * 24 * 60 * 60);

/// Removes the environments this tool made in `cache`, other than `keep`, unused for
/// `unused_for`. One that a run is using (its lock held) is left alone; an environment
/// is first renamed away, so a half-deleted one is never taken for ready. Pruning is
/// housekeeping: it never fails the run.
fn prune(cache: &Path, keep: &Path, unused_for: std::time::Duration) {
    let Ok(entries) = std::fs::read_dir(cache) else {
        return;
    };
    let now = std::time::SystemTime::now();
    for dir in entries.flatten().map(|e| e.path()) {
        let ours = dir
            .file_name()
            .and_then(|n| n.to_str()?.strip_prefix("venv-"))
            .is_some_and(|key| key.len() == 16 && key.bytes().all(|b| b.is_ascii_hexdigit()));
        if !ours || dir == keep {
            continue;
        }
        // Only finished environments: a half-made one is the next `create`'s business.
        let Ok(used) = std::fs::metadata(dir.join(COMPLETE_MARKER)).and_then(|m| m.modified())
        else {
            continue;
        };
        if now.duration_since(used).unwrap_or_default() <= unused_for {
            continue;
        }
        let Ok(lock) = std::fs::File::create(dir.with_extension("lock")) else {
            continue;
        };
        if lock.try_lock().is_ok() {
            let trash = dir.with_extension("pruned");
            if std::fs::rename(&dir, &trash).is_ok() {
                let _ = std::fs::remove_dir_all(&trash);
            }
        }
    }
}

fn run_step(mut command: Command) -> Result<(), VenvError> {
    let shown = format!("{command:?}").replace('"', "");
    let output = command.output().map_err(|e| VenvError::Command {
        command: shown.clone(),
        output: e.to_string(),
    })?;
    if output.status.success() {
        return Ok(());
    }
    let printed = String::from_utf8_lossy(&output.stdout) + String::from_utf8_lossy(&output.stderr);
    Err(VenvError::Command {
        command: shown,
        output: super::text::tail(&printed, 20),
    })
}

/// A ready virtual environment.
#[derive(Debug)]
pub struct Venv {
    /// Its interpreter.
    pub python: PathBuf,
    /// The requirements file it was made from, as shown to the user.
    pub requirements: PathBuf,
    packages: HashSet<String>,
    /// Its lock, held shared while the environment is in use.
    _in_use: std::fs::File,
}

impl Venv {
    /// Whether the requirements file lists `package`.
    pub fn has(&self, package: &str) -> bool {
        self.packages.contains(&normalize(package))
    }
}

/// The package names a requirements file lists.
fn pinned_packages(text: &str) -> HashSet<String> {
    text.lines()
        .map(|line| line.split('#').next().unwrap_or("").trim())
        .filter(|line| !line.is_empty() && !line.starts_with('-'))
        .map(|line| {
            let end = line
                .find(|c: char| !(c.is_ascii_alphanumeric() || "-_.".contains(c)))
                .unwrap_or(line.len());
            normalize(&line[..end])
        })
        .collect()
}

/// A package name as pip compares them (PEP 503): case and `-_.` runs do not matter.
fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if "-_.".contains(c) {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environments_unused_for_long_are_pruned() {
        let cache = tempfile::tempdir().unwrap();
        let month_ago = std::time::SystemTime::now() - UNUSED_FOR * 2;
        let make = |name: &str, used: std::time::SystemTime| {
            let dir = cache.path().join(name);
            std::fs::create_dir(&dir).unwrap();
            let marker = std::fs::File::create(dir.join(COMPLETE_MARKER)).unwrap();
            marker.set_modified(used).unwrap();
            dir
        };
        let old = make("venv-0123456789abcdef", month_ago);
        let recent = make("venv-1123456789abcdef", std::time::SystemTime::now());
        let current = make("venv-2123456789abcdef", month_ago);
        let in_use = make("venv-3123456789abcdef", month_ago);
        let not_ours = make("venv-myproject", month_ago);
        let lock = std::fs::File::create(in_use.with_extension("lock")).unwrap();
        lock.lock_shared().unwrap();
        prune(cache.path(), &current, UNUSED_FOR);
        assert!(!old.exists(), "unused for long");
        assert!(!old.with_extension("pruned").exists());
        for kept in [&recent, &current, &in_use, &not_ours] {
            assert!(kept.exists(), "{}", kept.display());
        }
    }

    #[test]
    fn reads_package_names_from_pins() {
        let packages = pinned_packages(
            "# tools\nclick==8.5.1\nSQLAlchemy[asyncio]>=2.0 ; python_version >= '3.11'\n-r other.txt\nzope.interface~=6.0\n\n",
        );
        let mut names: Vec<_> = packages.into_iter().collect();
        names.sort();
        assert_eq!(names, ["click", "sqlalchemy", "zope-interface"]);
        assert_eq!(normalize("Zope_Interface"), "zope-interface");
    }
}
