//! Precompiles the syntax set once, at compile time: syntect's default
//! grammars plus the extra ones in `src/transform/syntaxes/` (TOML, INI,
//! Dockerfile). The build then only deserialises it, once per process.

use std::path::PathBuf;

use syntect::parsing::SyntaxSet;

fn main() {
    let extra = "src/transform/syntaxes";
    println!("cargo::rerun-if-changed={extra}");
    let mut builder = SyntaxSet::load_defaults_newlines().into_builder();
    builder
        .add_from_folder(extra, true)
        .expect("the extra grammars parse");
    let set = builder.build();
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("syntaxes.packdump");
    syntect::dumps::dump_to_uncompressed_file(&set, out).expect("OUT_DIR is writable");
}
