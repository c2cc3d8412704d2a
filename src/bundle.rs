//! The offline bundle: the built site in one `.zip`, under a single
//! folder, that works from `file://` once unzipped anywhere.

use std::io::Write;
use std::path::Path;

use zip::write::SimpleFileOptions;

use crate::error::{Error, Result};

/// Writes the site in the folder `site` as a zip at `out`, inside a folder named
/// `folder`, its files in path order (the same site makes the same zip). The zip is
/// written to a temporary name and renamed, so a failure never leaves a half-written
/// archive.
pub fn write_zip(site: &Path, folder: &str, out: &Path) -> Result<()> {
    let tmp = out.with_extension(format!("zip.tmp-{}", std::process::id()));
    let result = write_to(site, folder, &tmp)
        .and_then(|()| std::fs::rename(&tmp, out).map_err(Error::io(out)));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn write_to(site: &Path, folder: &str, path: &Path) -> Result<()> {
    let file = std::fs::File::create(path).map_err(Error::io(path))?;
    let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let zip_error = |e: zip::result::ZipError| Error::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other(e),
    };
    for relative in files(site)? {
        if relative == crate::write::MARKER {
            continue;
        }
        let source = site.join(&relative);
        zip.start_file(format!("{folder}/{relative}"), options)
            .map_err(zip_error)?;
        let mut input = std::fs::File::open(&source).map_err(Error::io(&source))?;
        std::io::copy(&mut input, &mut zip).map_err(Error::io(path))?;
    }
    let mut writer = zip.finish().map_err(zip_error)?;
    writer.flush().map_err(Error::io(path))?;
    Ok(())
}

/// The files under `root`, `/`-separated and relative to it, sorted.
fn files(root: &Path) -> Result<Vec<String>> {
    let mut found = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).map_err(Error::io(&dir))? {
            let path = entry.map_err(Error::io(&dir))?.path();
            if path.is_dir() {
                dirs.push(path);
            } else if let Ok(relative) = path.strip_prefix(root) {
                found.push(crate::model::SourcePath::new(relative).to_string());
            }
        }
    }
    found.sort();
    Ok(found)
}

/// A folder name made from the book's title: `Python Handbook` → `python-handbook`.
pub fn folder_name(title: &str) -> String {
    let slug = crate::transform::markdown::slug(title);
    if slug.is_empty() { "book".into() } else { slug }
}
