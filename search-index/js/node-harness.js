// Runs the search client (`client_js()`, as shipped) in Node for the Rust tests and benchmark.
//
//   node harness.js CLIENT.js ENTRY.js decode        -> the whole index, decoded, as JSON
//   node harness.js CLIENT.js ENTRY.js search        -> stdin: JSON [query]; stdout: JSON
//                                                       [{hits: [{doc, bits}], stems}]
//   node harness.js CLIENT.js - stem                 -> stdin: JSON [word]; stdout: JSON [stem]
//   node harness.js CLIENT.js ENTRY.js top           -> stdin: JSON {queries, limit}; stdout:
//                                                       JSON [{hits, stems, files}], each
//                                                       query in a fresh engine
//   node harness.js CLIENT.js ENTRY.js bench         -> stdin: JSON [query]; stdout: JSON
//                                                       bytes loaded and time per keystroke
//   node harness.js CLIENT.js - gzip                 -> stdin: JSON [path]; stdout: JSON
//                                                       [gzipped size]
"use strict";
const fs = require("fs");
const vm = require("vm");
const zlib = require("zlib");

const [clientPath, entryPath, mode] = process.argv.slice(2);
const context = { TextEncoder, TextDecoder, console };
context.window = context;
vm.createContext(context);
vm.runInContext(fs.readFileSync(clientPath, "utf8"), context, { filename: clientPath });
const search = context.handbookSearch;
const loadScript = (url) => {
  vm.runInContext(fs.readFileSync(url, "utf8"), context, { filename: url });
  return Promise.resolve();
};
const stdin = () => JSON.parse(fs.readFileSync(0, "utf8"));
const bits = (x) => {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, x);
  return view.getUint32(0);
};

async function decode() {
  const engine = await search.open(entryPath, { loadScript });
  const out = {
    docs: engine.docs,
    fields: engine.fields.map((f) => ({ name: f.name, boost: bits(f.boost), norms: Array.from(f.norms, bits) })),
    stems: {},
    words: {},
    documents: [],
  };
  out.weights = {};
  out.shortStems = Array.from(engine.shortStems);
  for (let n = 0; n < engine.shardKeys.length; n++) {
    const shard = await engine.shard(n);
    shard.words.forEach((word, i) => {
      out.words[word] = shard.wordStems[i].text;
    });
    shard.stems.forEach((stem) => {
      out.weights[stem.text] = stem.weight;
    });
  }
  for (let n = 0; n < engine.packKeys.length; n++) {
    const pack = await engine.pack(n);
    for (const term of pack.terms) {
      const fields = [];
      for (let f = 0; f < engine.fields.length; f++) {
        const p = term.fields[f];
        fields.push({
          docs: Array.from(p.docs),
          freqs: Array.from(p.freqs),
          ids: Array.from(p.ids),
          positions: Array.from(await engine.positions(term, f), (ps) => Array.from(ps)),
          idf: p.docs.length ? bits(p.idf) : null,
        });
      }
      out.stems[term.text] = fields;
    }
  }
  const all = [];
  for (let d = 0; d < engine.docs; d++) all.push(d);
  out.documents = (await engine.documents(all)).map((d) => [d.url, d.anchor, d.page, d.section, d.text]);
  const words = await engine.words();
  out.wordsFile = words.words.map((w, i) => [w.join(""), words.stems[i], words.weights[i]]);
  return out;
}

async function searchAll() {
  const engine = await search.open(entryPath, { loadScript });
  const out = [];
  for (const query of stdin()) {
    const result = await engine.search(query, Infinity);
    out.push({ hits: result.hits.map((h) => ({ doc: h.doc, bits: bits(h.score) })), stems: result.stems });
  }
  return out;
}

// Each query's best `limit` in a fresh engine (so from heads where they suffice), with the
// names of the files it loaded.
async function top() {
  const { queries, limit } = stdin();
  const out = [];
  for (const query of queries) {
    const engine = await search.open(entryPath, { loadScript });
    const result = await engine.search(query, limit);
    out.push({
      hits: result.hits.map((h) => ({ doc: h.doc, bits: bits(h.score) })),
      stems: result.stems,
      files: engine.files().map((f) => f.slice(f.lastIndexOf("/") + 1)),
    });
  }
  return out;
}

// For each query: the files (and their gzipped bytes, client excluded) a fresh page loads
// for the query alone (index files, then the texts of its top 10 documents), and while it is
// typed one character at a time (ranked at every keystroke, titles of its first 5, texts for
// the last only); then the
// time per keystroke (search, documents, snippets)
// once the data is loaded.
async function bench() {
  const gzipped = (files) => files.reduce((n, f) => n + zlib.gzipSync(fs.readFileSync(f)).length, 0);
  const out = [];
  for (const query of stdin()) {
    const first = await search.open(entryPath, { loadScript });
    const result = await first.search(query, 10);
    await first.documents(result.hits.map((h) => h.doc));
    // As the search box does for a reader typing on: every keystroke ranks and fetches the
    // titles of the first 5, and only the query typing stopped at fetches its texts.
    const engine = await search.open(entryPath, { loadScript });
    let found;
    for (let i = 1; i <= query.length; i++) {
      found = await engine.search(query.slice(0, i), 10);
      await engine.titles(found.hits.slice(0, 5).map((h) => h.doc));
    }
    await engine.documents(found.hits.map((h) => h.doc));
    const typed = engine.files();
    const rounds = 20;
    const start = process.hrtime.bigint();
    for (let r = 0; r < rounds; r++) {
      for (let i = 1; i <= query.length; i++) {
        const found = await engine.search(query.slice(0, i), 10);
        const docs = await engine.documents(found.hits.map((h) => h.doc));
        docs.forEach((d) => search.snippet(d.text, found.stems, 160));
      }
    }
    const isText = (f) => /\/[cn]\d+-[^/]*$/.test(f);
    out.push({
      query,
      firstFiles: first.files().filter((f) => !isText(f)).length,
      firstGzip: gzipped(first.files().filter((f) => !isText(f))),
      firstTextFiles: first.files().filter(isText).length,
      firstTextGzip: gzipped(first.files().filter(isText)),
      typedFiles: typed.length,
      typedGzip: gzipped(typed),
      msPerKeystroke: Number(process.hrtime.bigint() - start) / 1e6 / (rounds * query.length),
    });
  }
  return out;
}

async function main() {
  let result;
  if (mode === "decode") result = await decode();
  else if (mode === "search") result = await searchAll();
  else if (mode === "stem") result = stdin().map((w) => search.analyze(w).map((t) => t.stem).join(" "));
  else if (mode === "top") result = await top();
  else if (mode === "bench") result = await bench();
  else if (mode === "gzip") result = stdin().map((f) => zlib.gzipSync(fs.readFileSync(f)).length);
  else throw new Error("unknown mode " + mode);
  process.stdout.write(JSON.stringify(result));
}

main().catch((error) => {
  console.error(error && error.stack ? error.stack : error);
  process.exit(1);
});
