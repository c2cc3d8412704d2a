//! The offline bundle: the built site in one `.zip`, under a single
//! folder, that works from `file://` once unzipped anywhere.

use std::io::Write;
use std::path::Path;

use zip::write::SimpleFileOptions;

use crate::error::{Error, Result};
use crate::pipeline::Site;

/// Writes `site` as a zip at `out`, inside a folder named `folder`. The zip is written to a
/// temporary name and renamed, so a failure never leaves a half-written archive.
pub fn write_zip(site: &Site, folder: &str, out: &Path) -> Result<()> {
    let tmp = out.with_extension(format!("zip.tmp-{}", std::process::id()));
    let result = write_to(site, folder, &tmp)
        .and_then(|()| std::fs::rename(&tmp, out).map_err(Error::io(out)));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn write_to(site: &Site, folder: &str, path: &Path) -> Result<()> {
    crate::write::check_paths(&site.files)?;
    let file = std::fs::File::create(path).map_err(Error::io(path))?;
    let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let zip_error = |e: zip::result::ZipError| Error::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other(e),
    };
    let mut files: Vec<_> = site.files.iter().collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    for file in files {
        zip.start_file(format!("{folder}/{}", file.path), options)
            .map_err(zip_error)?;
        zip.write_all(&file.read()?).map_err(Error::io(path))?;
    }
    let mut writer = zip.finish().map_err(zip_error)?;
    writer.flush().map_err(Error::io(path))?;
    Ok(())
}

/// A folder name made from the book's title: `Python Handbook` → `python-handbook`.
pub fn folder_name(title: &str) -> String {
    let slug = crate::transform::markdown::slug(title);
    if slug.is_empty() { "book".into() } else { slug }
}
