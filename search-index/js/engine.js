// The search engine: loads the exported index (see the search-index crate's
// FORMAT section), parses and expands queries as `src/query.rs` does, and
// scores documents with tantivy's BM25 in f32 arithmetic (every operation
// rounded with Math.fround), so scores equal tantivy's bit for bit.
//
// API, on window.handbookSearch:
//   open(entryUrl, options) -> Promise<engine>; options.loadScript(url) -> Promise
//     loads one script (default: a <script> tag, which works from file://).
//   load(key, data): what every data file calls.
//   analyze(text, maxTokenBytes) -> [{start, end, position, word, stem}]: the index's
//     analyzer (tokens of maxTokenBytes or more dropped; none without it).
//   engine.search(query, limit) -> Promise<{hits: [{doc, score}], stems: [stem]}>
//     (best first; `stems` are the terms the query matched, for highlighting).
//   engine.titles(ids) -> Promise<[{url, anchor, page, section}]>: what a result shows at once.
//   engine.documents(ids) -> Promise<[{url, anchor, page, section, text}]>
//   engine.hasDocuments(ids) -> whether those documents' texts are loaded (or loading) already.
//   engine.files() -> [url]: every file loaded so far.
//   snippet(text, stems, maxChars) -> [{text, match}]: the best passage.

var FORMAT_VERSION = 3;
var f32 = Math.fround;

// --- Encodings ---------------------------------------------------------------
var VLQ_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
var VLQ_VALUE = new Int8Array(128).fill(-1);
for (var d = 0; d < 64; d++) VLQ_VALUE[VLQ_DIGITS.charCodeAt(d)] = d;

function Vlq(text) {
  this.text = text;
  this.at = 0;
}
Vlq.prototype.next = function () {
  var value = 0, scale = 1, digit;
  do {
    digit = VLQ_VALUE[this.text.charCodeAt(this.at++)];
    if (digit === undefined || digit < 0) throw new Error("corrupt search index data");
    value += (digit & 31) * scale;
    scale *= 32;
  } while (digit & 32);
  return value;
};
Vlq.prototype.done = function () { return this.at >= this.text.length; };
function vlqList(text) {
  var reader = new Vlq(text), out = [];
  while (!reader.done()) out.push(reader.next());
  return out;
}

function frontCoded(text) {
  if (text === "") return [];
  var previous = "";
  return text.split(" ").map(function (entry) {
    var reader = new Vlq(entry);
    var shared = reader.next();
    previous = previous.slice(0, shared) + entry.slice(reader.at);
    return previous;
  });
}

var bitsView = new DataView(new ArrayBuffer(4));
function f32FromBits(bits) {
  bitsView.setUint32(0, bits);
  return bitsView.getFloat32(0);
}

// --- Analysis: the index's analyzer (SimpleTokenizer, RemoveLongFilter(the index's
// maxTokenBytes), LowerCaser, English stemmer). ---------------------------------------------
var TOKEN = /[\p{Alphabetic}\p{Nd}\p{Nl}\p{No}]+/gu;
var WHITESPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;
var ENDS_WITH_WHITESPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/;
var stems = new Map();

function utf8Length(text) {
  var bytes = 0;
  for (var i = 0; i < text.length; i++) {
    var c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) { bytes += 4; i++; }
    else bytes += 3;
  }
  return bytes;
}

function lowerCase(text) {
  // Character by character, as tantivy does (no final-sigma rule).
  return /^[\x00-\x7f]*$/.test(text) ? text.toLowerCase()
    : Array.from(text, function (c) { return c.toLowerCase(); }).join("");
}

function stemOf(word) {
  var stem = stems.get(word);
  if (stem === undefined) {
    stem = englishStem(word);
    if (stems.size > 50000) stems.clear();
    stems.set(word, stem);
  }
  return stem;
}

function analyze(text, maxTokenBytes) {
  var tokens = [], position = 0, match;
  TOKEN.lastIndex = 0;
  while ((match = TOKEN.exec(text)) !== null) {
    var raw = match[0];
    if (maxTokenBytes === undefined || utf8Length(raw) < maxTokenBytes) {
      var word = lowerCase(raw);
      tokens.push({ start: match.index, end: match.index + raw.length, position: position, word: word, stem: stemOf(word) });
    }
    position++;
  }
  return tokens;
}

// --- Query language (src/query.rs, step 1) -------------------------------------
function parse(query, maxTokenBytes) {
  var endsOpen = query.length > 0 && !ENDS_WITH_WHITESPACE.test(query);
  var segments = query.split('"'), items = [];
  segments.forEach(function (segment, index) {
    if (index % 2 === 1) {
      var quoted = item(analyze(segment, maxTokenBytes), true);
      if (quoted) items.push(quoted);
      return;
    }
    var chunks = segment.split(WHITESPACE).filter(function (c) { return c !== ""; });
    chunks.forEach(function (chunk, chunkIndex) {
      var found = item(analyze(chunk, maxTokenBytes), false);
      if (!found) return;
      if (found.kind === "word") {
        found.typing = index === segments.length - 1 && chunkIndex === chunks.length - 1 && endsOpen;
      }
      items.push(found);
    });
  });
  return items;
}

function item(tokens, quoted) {
  if (tokens.length === 0) return null;
  if (tokens.length === 1) {
    return { kind: "word", word: tokens[0].word, stem: tokens[0].stem, typing: false, quoted: quoted };
  }
  return {
    kind: "phrase",
    terms: tokens.map(function (t) { return { offset: t.position, stem: t.stem }; })
  };
}

// The optimal-string-alignment distance of two arrays of code points, or -1 if over `limit`.
function editDistance(a, b, limit) {
  if (Math.abs(a.length - b.length) > limit) return -1;
  var width = b.length + 1, twoBack = new Array(width), oneBack = new Array(width), current = new Array(width);
  for (var j = 0; j < width; j++) oneBack[j] = j;
  for (var i = 1; i <= a.length; i++) {
    current[0] = i;
    var rowMin = i;
    for (j = 1; j < width; j++) {
      var value = Math.min(current[j - 1] + 1, oneBack[j] + 1, oneBack[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, twoBack[j - 2] + 1);
      current[j] = value;
      if (value < rowMin) rowMin = value;
    }
    if (rowMin > limit) return -1;
    var recycled = twoBack;
    twoBack = oneBack;
    oneBack = current;
    current = recycled;
  }
  return oneBack[width - 1] <= limit ? oneBack[width - 1] : -1;
}

// --- Loading -------------------------------------------------------------------
var pending = new Map();

function browserLoadScript(url) {
  return new Promise(function (resolve, reject) {
    var script = document.createElement("script");
    script.src = url;
    script.onload = function () { script.remove(); resolve(); };
    script.onerror = function () { script.remove(); reject(new Error("could not load " + url)); };
    document.head.appendChild(script);
  });
}

function load(key, data) {
  var resolve = pending.get(key);
  if (resolve) {
    pending.delete(key);
    resolve(data);
  }
}

function Loader(base, id, loadScript) {
  this.base = base;
  this.id = id;
  this.loadScript = loadScript;
  this.cache = new Map();
  this.urls = [];
}
Loader.prototype.get = function (key, url) {
  var self = this;
  if (!this.cache.has(key)) {
    url = url || this.base + key + "-" + this.id + ".js";
    this.urls.push(url);
    this.cache.set(key, new Promise(function (resolve, reject) {
      pending.set(key, resolve);
      self.loadScript(url).then(function () {
        if (pending.get(key) === resolve) {
          pending.delete(key);
          reject(new Error(url + " is not a search index file"));
        }
      }, function (error) {
        pending.delete(key);
        self.cache.delete(key);
        reject(error);
      });
    }));
  }
  return this.cache.get(key);
};

// --- The engine ----------------------------------------------------------------
function Engine(entry, loader) {
  var self = this;
  this.loader = loader;
  // Every parameter comes from the index (src/parameters.rs), none is repeated here.
  var parameters = entry.parameters, k1 = f32(parameters.k1), b = f32(parameters.b);
  this.docs = entry.docs;
  this.maxTokenBytes = parameters.maxTokenBytes;
  this.k1Plus1 = f32(1 + k1);
  this.params = parameters.query;
  this.params.prefixFactor = f32(this.params.prefixFactor);
  this.params.editFactor = f32(this.params.editFactor);
  var table = vlqList(entry.fieldnormTable);
  this.fields = entry.fields.map(function (field, f) {
    var average = f32(f32(field.tokens) / f32(entry.docs));
    var norms = new Float64Array(256);
    for (var id = 0; id < 256; id++) {
      norms[id] = f32(k1 * f32(f32(1 - b) + f32(f32(b * f32(table[id])) / average)));
    }
    return { name: field.name, boost: f32(parameters.boosts[f]), norms: norms };
  });
  this.shardKeys = [""].concat(frontCoded(entry.shards));
  this.packKeys = [""].concat(frontCoded(entry.packs));
  this.shortStems = new Set(frontCoded(entry.shortStems));
  this.positionGroup = parameters.positionGroup;
  this.titleDocs = entry.titleDocs;
  this.titleFiles = new Map();
  // Common stems' packs, each with the head file that has its head.
  this.headFileOf = new Map();
  var headPacks = [], next = 0;
  vlqList(entry.heads).forEach(function (gap) { headPacks.push(next + gap); next += gap + 1; });
  vlqList(entry.headFiles).forEach(function (count, file) {
    headPacks.splice(0, count).forEach(function (pack) { self.headFileOf.set(pack, file); });
  });
  this.shards = new Map();
  this.packs = new Map();
  this.positionLists = new Map();
  this.terms = new Map();
}

// The last of `keys` (sorted; the first is "") that is not after `key`.
function lastAtMost(keys, key) {
  var low = 0, high = keys.length - 1;
  while (low < high) {
    var mid = (low + high + 1) >> 1;
    if (keys[mid] <= key) low = mid; else high = mid - 1;
  }
  return low;
}

// The dictionary shard whose key range holds `key`; the pack holding stem `key`.
Engine.prototype.shardOf = function (key) { return lastAtMost(this.shardKeys, key); };
Engine.prototype.packOf = function (key) { return lastAtMost(this.packKeys, key); };

// The dictionary shards holding keys that start with `prefix`.
Engine.prototype.prefixShards = function (prefix) {
  var first = this.shardOf(prefix), last = first;
  while (last + 1 < this.shardKeys.length && this.shardKeys[last + 1].startsWith(prefix)) last++;
  var out = [];
  for (var n = first; n <= last; n++) out.push(n);
  return out;
};

// A dictionary shard: its words, each with its stem's text and weight.
Engine.prototype.shard = function (n) {
  var self = this;
  return this.loader.get("s" + n).then(function (data) {
    if (!self.shards.has(n)) {
      var stemTexts = frontCoded(data.stems), weights = vlqList(data.weights);
      var stems = stemTexts.map(function (text, i) { return { text: text, weight: weights[i] }; });
      self.shards.set(n, {
        words: frontCoded(data.words),
        wordStems: vlqList(data.wordStems).map(function (i) { return stems[i]; }),
        stems: stems,
        // The stems in the shard's key range (and its words' stems).
        has: new Set(stemTexts)
      });
    }
    return self.shards.get(n);
  });
};

// A postings pack: its terms (stems with their postings per field), registered in `terms`.
// A common stem's pack holds the postings its head does not: the head comes first, and the
// two are merged into the term the head made.
Engine.prototype.pack = function (n) {
  var self = this, head = this.headFileOf.has(n) ? this.heads(this.headFileOf.get(n)) : Promise.resolve();
  return Promise.all([this.loader.get("t" + n), head]).then(function (loaded) {
    if (!self.packs.has(n)) self.packs.set(n, self.decodePack(n, loaded[0]));
    return self.packs.get(n);
  });
};

// A head file: the heads of a run of common stems, each registered in `terms` as a term whose
// postings are its head's (`partial`) until its pack is loaded.
Engine.prototype.heads = function (n) {
  var self = this;
  return this.loader.get("h" + n).then(function (data) {
    if (data.decoded) return;
    data.decoded = true;
    frontCoded(data.stems).forEach(function (text, i) {
      var reader = new Vlq(data.heads[i]), weight = 0;
      var fields = self.fields.map(function () {
        var count = reader.next(), idf = count > 0 ? f32FromBits(reader.next()) : undefined;
        weight += count;
        var p = decodePostingsList(reader);
        return { docs: p.docs, freqs: p.freqs, ids: p.ids, idf: idf };
      });
      var head = new Uint8Array(self.docs);
      fields.forEach(function (field) { field.docs.forEach(function (doc) { head[doc] = 1; }); });
      var bound = f32FromBits(reader.next());
      self.terms.set(text, { text: text, pack: self.packOf(text), local: 0, weight: weight, fields: fields, partial: true, head: head, bound: bound });
    });
  });
};

Engine.prototype.decodePack = function (n, data) {
  var self = this;
  if (this.headFileOf.has(n)) {
    var term = this.terms.get(frontCoded(data.stems)[0]);
    var tails = data.postings.map(function (text) { return decodePostings(text, 1)[0]; });
    term.fields = term.fields.map(function (head, f) { return mergePostings(head, tails[f]); });
    term.partial = false;
    return { terms: [term] };
  }
  var stemTexts = frontCoded(data.stems), idf = new Map(), reader = new Vlq(data.idf), docCount = 0;
  while (!reader.done()) {
    docCount += reader.next();
    idf.set(docCount, f32FromBits(reader.next()));
  }
  var postings = data.postings.map(function (text) { return decodePostings(text, stemTexts.length); });
  var terms = stemTexts.map(function (text, local) {
    var term = { text: text, pack: n, local: local, weight: 0, fields: postings.map(function (field) {
      var p = field[local];
      return { docs: p.docs, freqs: p.freqs, ids: p.ids, idf: idf.get(p.docs.length) };
    }) };
    term.fields.forEach(function (field) { term.weight += field.docs.length; });
    self.terms.set(text, term);
    return term;
  });
  return { terms: terms };
};

// Loads the packs of `stems` (texts), but for stems known not to be in the index: short ones
// not in the entry's list, others not in their dictionary shard if it is loaded. A common
// stem's head is loaded instead of its pack (`search` loads the pack if the head is not enough).
Engine.prototype.loadPacks = function (stems) {
  var self = this, needed = new Set();
  stems.forEach(function (stem) {
    var shard = self.shards.get(self.shardOf(stem));
    var known = Array.from(stem).length < self.params.minPrefixChars ? self.shortStems.has(stem) : !shard || shard.has.has(stem);
    if (known) needed.add(self.packOf(stem));
  });
  return Promise.all(Array.from(needed, function (n) {
    return self.headFileOf.has(n) && !self.packs.has(n) ? self.heads(self.headFileOf.get(n)) : self.pack(n);
  }));
};

function decodePostings(text, count) {
  var reader = new Vlq(text), out = [];
  for (var s = 0; s < count; s++) out.push(decodePostingsList(reader));
  return out;
}

function decodePostingsList(reader) {
  var n = reader.next(), docs = new Int32Array(n), freqs = new Int32Array(n), ids = new Uint8Array(n), next = 0;
  for (var i = 0; i < n; i++) {
    var value = reader.next();
    docs[i] = next + Math.floor(value / 2);
    freqs[i] = value % 2 === 1 ? reader.next() + 2 : 1;
    ids[i] = reader.next();
    next = docs[i] + 1;
  }
  return { docs: docs, freqs: freqs, ids: ids };
}

// A head's postings and the rest of the stem's, in one list in document order.
function mergePostings(head, tail) {
  var n = head.docs.length + tail.docs.length, docs = new Int32Array(n), freqs = new Int32Array(n), ids = new Uint8Array(n);
  for (var i = 0, h = 0, t = 0; i < n; i++) {
    var from = t >= tail.docs.length || (h < head.docs.length && head.docs[h] < tail.docs[t]) ? head : tail;
    var at = from === head ? h++ : t++;
    docs[i] = from.docs[at];
    freqs[i] = from.freqs[at];
    ids[i] = from.ids[at];
  }
  return { docs: docs, freqs: freqs, ids: ids, idf: head.idf };
}

// Positions of `term` in field `f`: one Int32Array per document of its postings.
Engine.prototype.positions = function (term, f) {
  var self = this, group = this.positionGroup;
  return this.loader.get("p" + Math.floor(term.pack / group)).then(function (data) {
    var key = term.pack + ":" + f;
    if (!self.positionLists.has(key)) {
      var text = data.packs[term.pack % group][f];
      self.positionLists.set(key, decodePositions(text, self.packs.get(term.pack).terms, f));
    }
    return self.positionLists.get(key)[term.local];
  });
};

// `terms` are the pack's terms, in its order.
function decodePositions(text, terms, f) {
  var reader = new Vlq(text), out = [];
  terms.forEach(function (term) {
    out.push(Array.from(term.fields[f].freqs, function (freq) {
      var positions = new Int32Array(freq), next = 0;
      for (var i = 0; i < freq; i++) {
        positions[i] = next + reader.next();
        next = positions[i] + 1;
      }
      return positions;
    }));
  });
  return out;
}

Engine.prototype.words = function () {
  return this.loader.get("words").then(function (data) {
    if (!data.decoded) {
      var words = frontCoded(data.words);
      var stemEntries = data.stems === "" ? [] : data.stems.split(" ");
      data.decoded = {
        words: words.map(function (w) { return Array.from(w); }),
        stems: stemEntries.map(function (entry, i) {
          var reader = new Vlq(entry);
          var kept = reader.next();
          return words[i].slice(0, kept) + entry.slice(reader.at);
        }),
        weights: vlqList(data.weights)
      };
    }
    return data.decoded;
  });
};

// Step 2 of src/query.rs: each word's alternatives, each phrase's terms. A word being typed
// loads the dictionary shards of its prefix (and of its stem) first, which say whether its
// stem is in the index and which words it begins; then the packs of the stems that matter
// are loaded. Other stems' packs are loaded at once (a loaded shard may already tell that
// the stem is not in the index, and spare its pack).
Engine.prototype.plan = function (items) {
  var self = this, shards = new Set();
  items.forEach(function (it) {
    if (it.kind === "word" && self.expands(it)) {
      shards.add(self.shardOf(it.stem));
      self.prefixShards(it.word).forEach(function (n) { shards.add(n); });
    }
  });
  var stems = [];
  items.forEach(function (it) {
    if (it.kind === "phrase") it.terms.forEach(function (t) { stems.push(t.stem); });
    else if (!self.expands(it)) stems.push(it.stem);
  });
  var shardsLoaded = Promise.all(Array.from(shards, function (n) { return self.shard(n); }));
  return Promise.all([this.loadPacks(stems), shardsLoaded]).then(function () {
    var more = [];
    items.forEach(function (it) {
      if (it.kind !== "word" || !self.expands(it)) return;
      it.prefixes = self.prefixAlternatives(it);
      more.push(it.stem);
      it.prefixes.forEach(function (a) { more.push(a.text); });
    });
    return self.loadPacks(more);
  }).then(function () {
    return Promise.all(items.map(function (it) { return self.clause(it); }));
  }).then(function (clauses) {
    // With allTerms, an item that matches nothing leaves nothing to match.
    if (self.params.allTerms && clauses.indexOf(null) >= 0) return [];
    return clauses.filter(function (c) { return c !== null; });
  });
};

// Whether word item `it` also matches as a prefix.
Engine.prototype.expands = function (it) {
  return this.params.prefixes && it.typing && Array.from(it.word).length >= this.params.minPrefixChars;
};

// A parsed item as a clause: a phrase's terms, or a word's alternatives (the word itself,
// the words it begins while being typed, or else the words closest to it); null if nothing
// matches. The packs the item needs are loaded.
Engine.prototype.clause = function (it) {
  var self = this;
  if (it.kind === "phrase") {
    var terms = it.terms.map(function (t) { return { offset: t.offset, term: self.terms.get(t.stem) }; });
    return terms.every(function (t) { return t.term; }) ? { kind: "phrase", terms: terms } : null;
  }
  var exact = this.terms.get(it.stem);
  var alternatives = (exact ? [{ term: exact, factor: 1 }] : []).concat((it.prefixes || []).map(function (a) {
    return { term: self.terms.get(a.text), factor: a.factor };
  }));
  if (alternatives.length > 0) return { kind: "word", alternatives: alternatives };
  return it.quoted ? null : this.typoAlternatives(it).then(function (found) {
    return found.length > 0 ? { kind: "word", alternatives: found } : null;
  });
};

// The stems ({text, factor}) of the words that word item `it` begins, but its own: from the
// loaded dictionary shards.
Engine.prototype.prefixAlternatives = function (it) {
  var self = this, candidates = [];
  this.prefixShards(it.word).forEach(function (n) {
    var shard = self.shards.get(n);
    shard.words.forEach(function (word, i) {
      if (word.startsWith(it.word) && shard.wordStems[i].text !== it.stem) candidates.push(shard.wordStems[i]);
    });
  });
  return this.best(candidates, this.params.prefixFactor);
};

Engine.prototype.typoAlternatives = function (it) {
  var self = this, params = this.params, chars = Array.from(it.word).length;
  var maxEdits = chars >= params.twoEditsChars ? 2 : chars >= params.oneEditChars ? 1 : 0;
  if (maxEdits === 0) return Promise.resolve([]);
  return this.words().then(function (words) {
    var target = Array.from(it.word), best = -1, found = [];
    for (var i = 0; i < words.words.length; i++) {
      var edits = editDistance(target, words.words[i], best < 0 ? maxEdits : best);
      if (edits < 0) continue;
      if (edits !== best) { best = edits; found = []; }
      found.push(i);
    }
    var candidates = found.map(function (i) { return { text: words.stems[i], weight: words.weights[i] }; });
    var chosen = self.best(candidates, f32(Math.pow(params.editFactor, best)));
    return self.loadPacks(chosen.map(function (a) { return a.text; })).then(function () {
      return chosen.map(function (a) { return { term: self.terms.get(a.text), factor: a.factor }; });
    });
  });
};

// The most common `maxExpansions` of `candidates` ({text, weight}), deduplicated, as
// {text, factor}.
Engine.prototype.best = function (candidates, factor) {
  var seen = new Set(), unique = candidates.filter(function (c) {
    if (seen.has(c.text)) return false;
    seen.add(c.text);
    return true;
  });
  unique.sort(function (a, b) {
    return b.weight - a.weight || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0);
  });
  return unique.slice(0, this.params.maxExpansions).map(function (c) { return { text: c.text, factor: factor }; });
};

// --- Scoring (step 3) ----------------------------------------------------------
// Adds, for every document of `postings` ({docs, freqs, ids}: term frequencies and length
// codes) in field `f`, its BM25 score with IDF `idf` and clause boost `boost` to `into` (f32
// sums, in clause order as tantivy's union adds them).
Engine.prototype.addScores = function (into, matched, f, idf, boost, postings) {
  var norms = this.fields[f].norms, weight = f32(idf * this.k1Plus1);
  if (boost !== 1) weight = f32(weight * boost);
  var docs = postings.docs, freqs = postings.freqs, ids = postings.ids;
  for (var i = 0; i < docs.length; i++) {
    var doc = docs[i], tf = freqs[i];
    var score = f32(weight * f32(tf / f32(tf + norms[ids[i]])));
    into[doc] = matched[doc] ? f32(into[doc] + score) : score;
    matched[doc] = 1;
  }
};

// Adds word clause `clause`'s scores to `into`; returns them ({best, any}: per document, its
// score and whether it matches).
Engine.prototype.scoreWord = function (clause, into, matched) {
  var self = this, best = new Float64Array(this.docs), any = new Uint8Array(this.docs);
  clause.alternatives.forEach(function (alternative) {
    var sum = new Float64Array(self.docs), hit = new Uint8Array(self.docs);
    alternative.term.fields.forEach(function (postings, f) {
      if (postings.docs.length === 0) return;
      var boost = f32(self.fields[f].boost * alternative.factor);
      self.addScores(sum, hit, f, postings.idf, boost, postings);
    });
    for (var doc = 0; doc < self.docs; doc++) {
      if (hit[doc] && (!any[doc] || sum[doc] > best[doc])) best[doc] = sum[doc];
      any[doc] |= hit[doc];
    }
  });
  for (var doc = 0; doc < this.docs; doc++) {
    if (any[doc]) {
      into[doc] = matched[doc] ? f32(into[doc] + best[doc]) : best[doc];
      matched[doc]++;
    }
  }
  return { best: best, any: any };
};

Engine.prototype.scorePhrase = function (clause, into, matched) {
  var self = this, terms = clause.terms;
  var maxOffset = Math.max.apply(null, terms.map(function (t) { return t.offset; }));
  return Promise.all(this.fields.map(function (field, f) {
    if (terms.some(function (t) { return t.term.fields[f].docs.length === 0; })) return null;
    return Promise.all(terms.map(function (t) { return self.positions(t.term, f); }));
  })).then(function (positionsPerField) {
    var sum = new Float64Array(self.docs), hit = new Uint8Array(self.docs);
    positionsPerField.forEach(function (positions, f) {
      if (!positions) return;
      var idf = 0;
      terms.forEach(function (t) { idf = f32(idf + t.term.fields[f].idf); });
      var counts = phraseCounts(terms, positions, f, maxOffset);
      self.addScores(sum, hit, f, idf, self.fields[f].boost, counts);
    });
    for (var doc = 0; doc < self.docs; doc++) {
      if (hit[doc]) {
        into[doc] = matched[doc] ? f32(into[doc] + sum[doc]) : sum[doc];
        matched[doc]++;
      }
    }
  });
};

// The documents where the phrase occurs in field `f`, with how many times (as postings).
function phraseCounts(terms, positions, f, maxOffset) {
  var first = terms[0].term.fields[f], docs = [], freqs = [], ids = [];
  var cursors = terms.map(function () { return 0; });
  for (var i = 0; i < first.docs.length; i++) {
    var doc = first.docs[i], lists = [], all = true;
    for (var t = 0; t < terms.length && all; t++) {
      var postings = terms[t].term.fields[f].docs;
      while (cursors[t] < postings.length && postings[cursors[t]] < doc) cursors[t]++;
      all = cursors[t] < postings.length && postings[cursors[t]] === doc;
      if (all) lists.push(positions[t][cursors[t]]);
    }
    if (!all) continue;
    var aligned = new Set(Array.from(lists[0], function (p) { return p + maxOffset - terms[0].offset; }));
    for (t = 1; t < terms.length; t++) {
      var shift = maxOffset - terms[t].offset, next = new Set();
      lists[t].forEach(function (p) { if (aligned.has(p + shift)) next.add(p + shift); });
      aligned = next;
    }
    if (aligned.size > 0) {
      docs.push(doc);
      freqs.push(aligned.size);
      ids.push(first.ids[i]);
    }
  }
  return { docs: docs, freqs: freqs, ids: ids };
}

// The best `limit` documents for `query`. Common stems are scored from their heads first; their
// packs are loaded, the one with the highest bound first, only while the heads cannot prove
// which documents are the best `limit`.
Engine.prototype.search = function (query, limit) {
  var self = this;
  return this.plan(parse(query, this.maxTokenBytes)).then(function (clauses) {
    var terms = [];
    clauses.forEach(function (c) {
      (c.kind === "word" ? c.alternatives : c.terms).forEach(function (a) { terms.push(a); });
    });
    var partial = function () {
      return terms.filter(function (a) { return a.term.partial; }).sort(function (a, b) {
        return b.term.bound * (b.factor || 1) - a.term.bound * (a.factor || 1);
      });
    };
    // Phrases need every position, so whole postings; so does a query for every match.
    var whole = limit >= self.docs || clauses.some(function (c) { return c.kind === "phrase"; });
    var packs = function (list) { return Promise.all(list.map(function (a) { return self.pack(a.term.pack); })); };
    var attempt = function () {
      var left = partial();
      return self.rank(clauses, limit, left.length > 0).then(function (hits) {
        return hits || packs(left.slice(0, 1)).then(attempt);
      });
    };
    return (whole ? packs(partial()) : Promise.resolve()).then(attempt).then(function (hits) {
      var matchedStems = new Set();
      terms.forEach(function (a) { matchedStems.add(a.term.text); });
      return { hits: hits, stems: Array.from(matchedStems) };
    });
  });
};

// The best `limit` hits of `clauses`, best first. With `fromHeads` (some terms are their
// heads only), null unless no document outside the heads can be among them.
Engine.prototype.rank = function (clauses, limit, fromHeads) {
  var self = this;
  // `matched` counts the clauses each document matches.
  var total = new Float64Array(this.docs), matched = new Uint8Array(this.docs), words = [];
  var done = Promise.resolve();
  clauses.forEach(function (clause, c) {
    done = done.then(function () {
      if (clause.kind === "word") words[c] = self.scoreWord(clause, total, matched);
      else return self.scorePhrase(clause, total, matched);
    });
  });
  var needed = this.params.allTerms ? Math.max(1, clauses.length) : 1;
  return done.then(function () {
    if (fromHeads) return self.provenTop(clauses, words, total, matched, needed, limit);
    var hits = [];
    for (var doc = 0; doc < self.docs; doc++) {
      if (matched[doc] >= needed) hits.push({ doc: doc, score: total[doc] });
    }
    return topHits(hits, limit);
  });
};

function topHits(hits, limit) {
  hits.sort(function (a, b) { return b.score - a.score || a.doc - b.doc; });
  return hits.slice(0, limit);
}

// A document's score is certain if, in every word clause with a head-only term it is not in
// the head of, its score is at least that term's bound (so the term cannot raise it). The
// best `limit` certain hits are the best `limit` if the last of them scores above every other
// document's upper bound (its score with each such term at its bound); else null. Bounds are
// raised a little: scores are f32 sums, the bounds are not.
Engine.prototype.provenTop = function (clauses, words, total, matched, needed, limit) {
  var MARGIN = 1.0001, hits = [], upper = 0;
  var partials = clauses.map(function (c) {
    return c.kind !== "word" ? [] : c.alternatives.filter(function (a) { return a.term.partial; }).map(function (a) {
      return { head: a.term.head, bound: a.term.bound * a.factor * MARGIN };
    });
  });
  for (var doc = 0; doc < this.docs; doc++) {
    var extra = 0;
    for (var c = 0; c < clauses.length; c++) {
      var unknown = 0;
      partials[c].forEach(function (p) { if (!p.head[doc] && p.bound > unknown) unknown = p.bound; });
      var known = unknown > 0 && words[c].any[doc] ? words[c].best[doc] : 0;
      if (known < unknown) extra += unknown - known;
    }
    if (extra > 0) upper = Math.max(upper, (total[doc] + extra) * MARGIN);
    else if (matched[doc] >= needed) hits.push({ doc: doc, score: total[doc] });
  }
  hits = topHits(hits, limit);
  return hits.length === limit && hits[limit - 1].score > upper ? hits : null;
};

// The titles of documents `ids`, from their titles files, with where their texts are
// ({chunk, at}).
Engine.prototype.titles = function (ids) {
  var self = this;
  return Promise.all(ids.map(function (id) {
    var n = Math.floor(id / self.titleDocs);
    return self.loader.get("n" + n).then(function (data) {
      if (!self.titleFiles.has(n)) self.titleFiles.set(n, decodeTitles(data));
      return self.titleFiles.get(n)[id - n * self.titleDocs];
    });
  }));
};

// A titles file's documents; "" for a url or page title is the previous document's.
function decodeTitles(data) {
  var url = "", page = "", starts = new Set(), at = 0, chunk = data.chunk, offset = data.offset;
  vlqList(data.starts).forEach(function (gap) { at += gap; starts.add(at); });
  return data.docs.map(function (row, i) {
    if (row[0] !== "") { url = row[0]; page = row[2]; }
    if (starts.has(i)) { chunk++; offset = -i; }
    return { url: url, anchor: row[1], page: page, section: row[3], chunk: chunk, at: offset + i };
  });
}

// Documents `ids` with their texts: their titles first, which say where the texts are.
Engine.prototype.documents = function (ids) {
  var self = this;
  return this.titles(ids).then(function (titles) {
    return Promise.all(titles.map(function (title) {
      return self.loader.get("c" + title.chunk).then(function (data) {
        return { url: title.url, anchor: title.anchor, page: title.page, section: title.section, text: data.docs[title.at] };
      });
    }));
  });
};

Engine.prototype.hasDocuments = function (ids) {
  var self = this;
  return ids.every(function (id) {
    var titles = self.titleFiles.get(Math.floor(id / self.titleDocs));
    return titles && self.loader.cache.has("c" + titles[id % self.titleDocs].chunk);
  });
};

Engine.prototype.files = function () { return this.loader.urls.slice(); };

function open(entryUrl, options) {
  var loadScript = (options && options.loadScript) || browserLoadScript;
  var base = entryUrl.slice(0, entryUrl.lastIndexOf("/") + 1);
  var loader = new Loader(base, "", loadScript);
  return loader.get("index", entryUrl).then(function (entry) {
    if (entry.version !== FORMAT_VERSION) {
      throw new Error("search index format " + entry.version + ", but this client reads format " + FORMAT_VERSION);
    }
    loader.id = entry.id;
    return new Engine(entry, loader);
  });
}

// --- Snippets ------------------------------------------------------------------
// The passage of `text` (about `maxChars` long) with the most words whose stem is in
// `stems`, split into parts to show, matches marked. Callers put the parts in the page as
// text, never as HTML.
function snippet(text, stemList, maxChars) {
  var wanted = new Set(stemList);
  var matches = analyze(text).filter(function (t) { return wanted.has(t.stem); }).slice(0, 200);
  var start = 0;
  if (matches.length > 0) {
    var bestCount = 0;
    matches.forEach(function (m, i) {
      var from = Math.max(0, m.start - 40), count = 0;
      for (var j = i; j < matches.length && matches[j].end <= from + maxChars; j++) count++;
      if (count > bestCount) { bestCount = count; start = from; }
    });
  }
  var end = Math.min(text.length, start + maxChars);
  if (start > 0) {
    var space = text.indexOf(" ", start);
    if (space >= 0 && space < start + 20) start = space + 1;
  }
  if (end < text.length) {
    var back = text.lastIndexOf(" ", end);
    if (back > start) end = back;
  }
  var parts = [], at = start;
  if (start > 0) parts.push({ text: "…", match: false });
  matches.forEach(function (m) {
    if (m.start < at || m.end > end) return;
    if (m.start > at) parts.push({ text: text.slice(at, m.start), match: false });
    parts.push({ text: text.slice(m.start, m.end), match: true });
    at = m.end;
  });
  if (end > at) parts.push({ text: text.slice(at, end), match: false });
  if (end < text.length) parts.push({ text: "…", match: false });
  return parts;
}

window.handbookSearch = {
  open: open,
  load: load,
  analyze: analyze,
  snippet: snippet
};
