//! Documents for the crate's tests: short sections full of the cases the
//! format and the client must get right.

use crate::Doc;

/// A small corpus: repeated and rare words, phrases, code, numbers, accents, characters
/// outside the BMP, markup-looking text and a token too long to index.
pub(crate) fn docs() -> Vec<Doc> {
    let long = "x".repeat(crate::parameters::Parameters::DEFAULT.max_token_bytes);
    let sections: [(&str, &str, &str, &str, String); 8] = [
        ("core/functions.html", "", "Functions", "Functions", "Functions are defined with def. A function returns a value; functions are objects.".into()),
        ("core/functions.html", "closures", "Functions", "Closures", "A closure captures variables from the enclosing scope. Closures keep the variables alive: the closure and its captured variables.".into()),
        ("core/functions.html", "decorators", "Functions", "Decorators", "A decorator wraps a function. Decorators are closures that return a wrapper; @functools.wraps keeps the name.".into()),
        ("stdlib/os.html", "", "Files and paths", "Files and paths", format!("Use os.path.join(a, b) or pathlib. {long} is too long to index. The path module, the path of a file.")),
        ("stdlib/os.html", "encoding", "Files and paths", "Encodings", "Naïve code assumes ASCII; café and résumé need UTF-8. Σίσυφος, emoji 😀 and 𝒳 are outside the BMP.".into()),
        ("stdlib/os.html", "markup", "Files and paths", "The <script> tag", "Text such as <script>alert(1)</script> and <img src=x onerror=alert(2)> must show as text.".into()),
        ("advanced/generators.html", "", "Generators", "Generators", "A generator yields values lazily. Generators are iterators; yield from delegates. Generated values, generating, generation.".into()),
        ("advanced/generators.html", "numbers", "Generators", "Numbers 2024", "Version 3.12 added 1_000_000 digits, x2 and 0xFF; the year 2024.".into()),
    ];
    sections
        .into_iter()
        .map(|(url, anchor, page, section, body)| Doc {
            url: url.into(),
            anchor: anchor.into(),
            page_title: page.into(),
            section_title: section.into(),
            body,
        })
        .collect()
}

/// [`docs`] and 900 sections sharing common words ("python" in every one, "list" in a third)
/// at varied frequencies, lengths and headings, so that those words have heads.
pub(crate) fn with_common_words() -> Vec<Doc> {
    let fillers = ["alpha", "beta", "gamma", "delta", "omega", "sigma", "kappa"];
    let mut docs = docs();
    docs.extend((0..900).map(|n| {
        let mut body: Vec<&str> = vec!["python"; n % 5 + 1];
        body.extend(fillers.iter().cycle().take(n % 37));
        if n % 3 == 0 {
            body.extend(
                ["a", "list", "comprehension", "builds", "a", "list"]
                    .iter()
                    .take(n % 6 + 1),
            );
        }
        Doc {
            url: format!("common/{}.html", n / 10),
            anchor: format!("s{n}"),
            page_title: if n % 20 < 10 {
                format!("Python page {}", n / 10)
            } else {
                format!("Page {}", n / 10)
            },
            section_title: if n % 7 == 0 {
                format!("Lists in Python {n}")
            } else {
                format!("Section {n}")
            },
            body: body.join(" "),
        }
    }));
    docs
}
