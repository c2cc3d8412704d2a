//! `[output.html.redirect]`: a small page at each old path that sends readers to
//! where the page moved. It redirects with `<meta http-equiv="refresh">`, which works
//! from `file://` and over HTTP alike, and keeps the `#fragment` with a line of script
//! where script runs.

use std::collections::BTreeMap;

use crate::html::escape;
use crate::write::OutputFile;

/// One redirect page per entry of `redirects` (old site path → new location, relative
/// to the old page as in mdBook, or an absolute URL).
pub fn pages(redirects: &BTreeMap<String, String>) -> Vec<OutputFile> {
    redirects
        .iter()
        .map(|(from, to)| {
            // mdBook books write `/old.html` and `./old.html` alike.
            let path = from
                .split('/')
                .filter(|part| !part.is_empty() && *part != ".")
                .collect::<Vec<_>>()
                .join("/");
            OutputFile::bytes(path, page(to).into_bytes())
        })
        .collect()
}

fn page(to: &str) -> String {
    let url = escape(to);
    let json = serde_json::to_string(to).expect("strings serialise");
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Redirecting…</title>\n<meta http-equiv=\"refresh\" content=\"0; URL={url}\">\n<link rel=\"canonical\" href=\"{url}\">\n<script>location.replace({json} + location.hash);</script>\n</head>\n<body>\n<p>This page has moved to <a href=\"{url}\">{url}</a>.</p>\n</body>\n</html>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_at_the_old_path_points_at_the_new_one() {
        let files = pages(&BTreeMap::from([
            (
                "/format/config.html".to_string(),
                "../configuration/index.html".to_string(),
            ),
            ("./vec.html".to_string(), "./vec/vec.html".to_string()),
        ]));
        assert_eq!(files.len(), 2);
        assert_eq!(files[0].path, "vec.html");
        assert_eq!(files[1].path, "format/config.html");
        let html = String::from_utf8(files[1].read().unwrap().into_owned()).unwrap();
        let doc = scraper::Html::parse_document(&html);
        let meta = scraper::Selector::parse("meta[http-equiv=refresh]").unwrap();
        let content = doc.select(&meta).next().unwrap().attr("content").unwrap();
        assert_eq!(content, "0; URL=../configuration/index.html");
    }
}
