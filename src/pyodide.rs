//! The pinned Python runtime of the Run buttons: Pyodide (CPython compiled to
//! WebAssembly), an npm package pinned by `playground/package.json` and
//! `package-lock.json`. Both are embedded in the binary, so every book built
//! with it gets the same runtime; it is installed once with `npm ci` into the
//! cache folder, in a folder named by the lock file's hash, and nothing is
//! fetched when a page runs an example.
//!
//! Two consumers read it: `handbook test` runs the examples with it in Node
//! ([`crate::examples::browser`]), and the build copies what the browser needs
//! into the site ([`Runtime::site_files`]) as classic scripts, because
//! Chromium refuses `fetch`, module scripts and workers from `file://` but
//! loads `<script src>` there (the search index does the same).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use base64::Engine;

use crate::write::OutputFile;

const PACKAGE_JSON: &str = include_str!("../playground/package.json");
const PACKAGE_LOCK: &str = include_str!("../playground/package-lock.json");
/// The Node side of `handbook test`'s browser verification.
pub const VERIFY_MJS: &str = include_str!("../playground/verify.mjs");
/// The browser's worker, which runs the examples in the page.
pub const WORKER_JS: &str = include_str!("../playground/worker.js");

/// The Python files both the browser and Node load: one runner, so what `handbook test`
/// verifies is what the browser does. The session checker is `handbook test`'s own.
pub const RUNNER_FILES: &[(&str, &str)] = &[
    ("runner.py", include_str!("../playground/runner.py")),
    (
        "doctest_session.py",
        include_str!("examples/doctest_session.py"),
    ),
];

/// The verification record's file name, in the book's source folder: which examples
/// this runtime ran to the book's output (written by `handbook test`, read by the
/// loader; see [`crate::examples::browser`]).
pub const RECORD_FILE: &str = "playground-verified.txt";

/// Where the record of the book whose sources are in `src_dir` lives.
pub fn record_path(src_dir: &Path) -> PathBuf {
    src_dir.join(RECORD_FILE)
}

/// [`RUNNER_FILES`] as a JSON object, name to text, as Node and the browser receive them.
pub fn runner_files_json() -> serde_json::Value {
    RUNNER_FILES
        .iter()
        .map(|(name, text)| (name.to_string(), serde_json::Value::from(*text)))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

/// A file in a finished installation: its absence means "not installed, or half".
const COMPLETE_MARKER: &str = ".handbook-complete";

/// How many bytes of base64 one script of the site's runtime holds: small enough that
/// the progress bar moves while they load, few enough that there are about twenty.
const CHUNK: usize = 1 << 20;

/// The runtime files the browser needs, as npm installs them, and the name the
/// browser's loader gives each (`playground.js` asks for them by that name).
const BROWSER_FILES: &[(&str, &str, Encoding)] = &[
    ("loader", "pyodide.js", Encoding::Text),
    ("asm", "pyodide.asm.mjs", Encoding::Text),
    ("lock", "pyodide-lock.json", Encoding::Lock),
    ("wasm", "pyodide.asm.wasm", Encoding::Base64),
    ("stdlib", "python_stdlib.zip", Encoding::Base64),
];

#[derive(Clone, Copy)]
enum Encoding {
    /// JavaScript text, passed on as a string.
    Text,
    /// The package lock, without its package list (the playground loads no packages).
    Lock,
    /// Binary data, as base64.
    Base64,
}

/// The pinned Pyodide version, e.g. `314.0.8`.
pub fn version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| {
        let lock: serde_json::Value =
            serde_json::from_str(PACKAGE_LOCK).expect("the embedded lock file is JSON");
        lock["packages"]["node_modules/pyodide"]["version"]
            .as_str()
            .expect("the lock file pins pyodide")
            .to_string()
    })
}

/// What a verification depends on besides the example: the exact runtime (the lock
/// file) and the runner. A change to either makes every record entry stale.
pub fn identity() -> &'static str {
    static IDENTITY: OnceLock<String> = OnceLock::new();
    IDENTITY.get_or_init(|| {
        let mut hasher = blake3::Hasher::new();
        hasher.update(PACKAGE_LOCK.as_bytes());
        for (name, text) in RUNNER_FILES {
            hasher.update(name.as_bytes());
            hasher.update(&(text.len() as u64).to_le_bytes());
            hasher.update(text.as_bytes());
        }
        hasher.finalize().to_hex()[..16].to_string()
    })
}

/// Why the runtime could not be installed.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    /// `npm` is not installed.
    #[error(
        "the Run buttons need Pyodide {version}, which is installed with npm, but `npm` cannot be run ({source}); install Node.js and npm (Debian/Ubuntu: apt-get install nodejs npm), or turn the Run buttons off in book.toml with `[output.html.playground] runnable = false`",
        version = version()
    )]
    NpmMissing {
        /// Why it could not be started.
        source: std::io::Error,
    },
    /// `npm ci` failed.
    #[error("installing Pyodide {version} with `npm ci` in {} failed: {output}", dir.display(), version = version())]
    Npm {
        /// Where it ran.
        dir: PathBuf,
        /// What npm printed.
        output: String,
    },
    /// A file of the installation could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> RuntimeError + '_ {
    move |source| RuntimeError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The installed runtime.
#[derive(Debug, Clone)]
pub struct Runtime {
    dir: PathBuf,
}

impl Runtime {
    /// The installation in `cache_dir`, made first if it is missing (once per lock file;
    /// a half-made one, from an interrupted run, is made again).
    pub fn ensure(cache_dir: &Path) -> Result<Runtime, RuntimeError> {
        let lock_hash = blake3::hash(PACKAGE_LOCK.as_bytes()).to_hex();
        let dir = cache_dir.join(format!("pyodide-{}-{}", version(), &lock_hash[..12]));
        if !dir.join(COMPLETE_MARKER).is_file() {
            install(&dir)?;
        }
        Ok(Runtime { dir })
    }

    /// The package folder: `pyodide.mjs`, the wasm binary, the standard library.
    pub fn package_dir(&self) -> PathBuf {
        self.dir.join("node_modules/pyodide")
    }

    /// The site's copy of the runtime, under `assets/`, and what the page's loader needs
    /// to know about it: each file's scripts and their sizes (for the progress bar).
    pub fn site_files(&self) -> Result<(Vec<OutputFile>, serde_json::Value), RuntimeError> {
        let folder = format!("assets/pyodide-{}-{}", version(), identity());
        let mut files = Vec::new();
        let mut manifest = serde_json::Map::new();
        for &(name, file, encoding) in BROWSER_FILES {
            let path = self.package_dir().join(file);
            let bytes = std::fs::read(&path).map_err(io(&path))?;
            let parts = match encoding {
                Encoding::Text => vec![without_source_map(&bytes)],
                Encoding::Lock => vec![lock_info(&bytes)],
                Encoding::Base64 => {
                    let text = base64::engine::general_purpose::STANDARD.encode(&bytes);
                    text.as_bytes()
                        .chunks(CHUNK)
                        .map(|c| String::from_utf8(c.to_vec()).expect("base64 is ASCII"))
                        .collect()
                }
            };
            let mut scripts = Vec::new();
            for (index, part) in parts.iter().enumerate() {
                let script = format!("{folder}/{name}-{index}.js");
                let text = format!(
                    "handbookRuntime({}, {index}, {});\n",
                    serde_json::to_string(name).expect("strings serialise"),
                    serde_json::to_string(part).expect("strings serialise")
                );
                scripts.push(serde_json::json!([script, text.len()]));
                files.push(OutputFile::bytes(script, text.into_bytes()));
            }
            let base64 = matches!(encoding, Encoding::Base64);
            manifest.insert(
                name.to_string(),
                serde_json::json!({ "scripts": scripts, "base64": base64 }),
            );
        }
        Ok((files, serde_json::Value::Object(manifest)))
    }
}

/// Drops the `//# sourceMappingURL=` line: the map is not in the site, and a browser's
/// developer tools would ask for it.
fn without_source_map(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .lines()
        .filter(|line| !line.starts_with("//# sourceMappingURL="))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The lock file's `info` (the runtime checks it) with no packages: the playground
/// loads none, and the full list is 120 KB.
fn lock_info(bytes: &[u8]) -> String {
    let lock: serde_json::Value = serde_json::from_slice(bytes).unwrap_or_default();
    serde_json::json!({ "info": lock["info"], "packages": {} }).to_string()
}

/// Installs the pinned package into `dir` with `npm ci`, in a fresh folder renamed into
/// place when done, so an interrupted install leaves nothing that looks finished.
fn install(dir: &Path) -> Result<(), RuntimeError> {
    let parent = dir
        .parent()
        .expect("the runtime folder is in the cache folder");
    std::fs::create_dir_all(parent).map_err(io(parent))?;
    let staging = tempfile::Builder::new()
        .prefix(".pyodide-install-")
        .tempdir_in(parent)
        .map_err(io(parent))?;
    for (name, text) in [
        ("package.json", PACKAGE_JSON),
        ("package-lock.json", PACKAGE_LOCK),
    ] {
        let path = staging.path().join(name);
        std::fs::write(&path, text).map_err(io(&path))?;
    }
    let output = Command::new("npm")
        .args([
            "ci",
            "--ignore-scripts",
            "--no-audit",
            "--no-fund",
            "--omit=dev",
        ])
        .current_dir(staging.path())
        .output()
        .map_err(|source| RuntimeError::NpmMissing { source })?;
    if !output.status.success() {
        return Err(RuntimeError::Npm {
            dir: dir.to_path_buf(),
            output: String::from_utf8_lossy(&output.stderr).trim().to_string(),
        });
    }
    let marker = staging.path().join(COMPLETE_MARKER);
    std::fs::write(&marker, version()).map_err(io(&marker))?;
    let _ = std::fs::remove_dir_all(dir);
    match std::fs::rename(staging.path(), dir) {
        Ok(()) => Ok(()),
        // Another build finished the same installation first.
        Err(_) if dir.join(COMPLETE_MARKER).is_file() => Ok(()),
        Err(source) => Err(RuntimeError::Io {
            path: dir.to_path_buf(),
            source,
        }),
    }
}
