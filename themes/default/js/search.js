// The search box: results as you type, ↑/↓/Enter to choose, Escape to close;
// and, on a page opened from a result, the searched words highlighted.
// book.js loads this file on first use; the engine (window.handbookSearch,
// from the search-index crate) comes first in the same file. Indexed text is
// only ever put in the page as text nodes, never as HTML.
(function () {
  "use strict";
  var api = window.handbookSearch;
  var LIMIT = 10; // replaced by the book's `limit-results` below, once the box is found
  // Results whose texts are fetched first: about as many as the list shows at once. The rest
  // are fetched as the list has room for them (scrolled, or with ↓).
  var FIRST = 5;
  var SNIPPET_CHARS = 160;
  // Texts are most of what a search loads, and a reader typing on makes a query's results
  // stale within a keystroke: results show their titles at once, and their texts are fetched
  // once the input has been still this long (Pagefind's UI waits as long), or at once when
  // they are loaded already.
  var SETTLE_MS = 300;

  highlightSearchedWords();

  var box = document.querySelector(".search[data-search-js]");
  if (!box) return;
  var input = box.querySelector(".search-input");
  var list = box.querySelector(".search-results");
  var root = document.documentElement.dataset.root || "";
  LIMIT = Number(box.dataset.searchLimit) || LIMIT;
  var engine = api.open(box.dataset.searchIndex);
  var options = [];
  var active = -1;
  var latest = 0;
  // The current query's results not shown yet: {engine, ids, stems, ticket, loading, settled}.
  var rest = null;

  input.addEventListener("input", run);
  input.addEventListener("keydown", onKey);
  input.addEventListener("focus", function () { if (options.length || list.firstChild) show(true); });
  list.addEventListener("scroll", showMore);
  document.addEventListener("pointerdown", function (event) {
    if (!box.contains(event.target)) show(false);
  });
  // Whatever was typed before this file arrived.
  if (input.value) run();

  function run() {
    var query = input.value, ticket = ++latest;
    rest = null;
    if (!query.trim()) {
      render([], [], [], "");
      list.removeAttribute("aria-busy");
      return;
    }
    // Results are on their way until every one shown has its snippet and showMore finds
    // nothing left to fetch.
    list.setAttribute("aria-busy", "true");
    engine.then(function (e) {
      return e.search(query, LIMIT).then(function (found) {
        if (ticket !== latest) return;
        var ids = found.hits.map(function (hit) { return hit.doc; });
        var first = ids.slice(0, FIRST);
        var r = { engine: e, ids: ids.slice(FIRST), stems: found.stems, ticket: ticket, loading: false, settled: false };
        // Titles at once, at every keystroke; texts once the query is settled.
        return e.titles(first).then(function (titles) {
          if (ticket !== latest) return;
          rest = r;
          render(first, titles, found.stems, query);
          return e.hasDocuments(first) ? null : settled();
        }).then(function () {
          // Typing on made this query stale: do not load its texts.
          if (ticket !== latest) return;
          r.settled = true;
          showMore();
        });
      });
    }).catch(function (error) {
      if (ticket === latest) message("Search is unavailable: " + error.message);
    });
  }

  function settled() {
    return new Promise(function (resolve) { setTimeout(resolve, SETTLE_MS); });
  }

  // Once the query is settled, fetches the texts of the results shown without a snippet, then
  // fetches and appends as many of the remaining results as the list has room for: until its
  // end is more than a result below what it shows.
  function showMore() {
    var r = rest;
    if (!r || r.loading || !r.settled || r.ticket !== latest) return;
    var waiting = options.filter(function (option) { return !option.filled; });
    if (waiting.length) {
      r.loading = true;
      r.engine.documents(waiting.map(function (option) { return option.doc; })).then(function (docs) {
        r.loading = false;
        if (r.ticket !== latest) return;
        docs.forEach(function (doc, i) { fillSnippet(waiting[i], doc.text, r.stems); });
        showMore();
      }, function () { r.loading = false; });
      return;
    }
    var average = list.scrollHeight / Math.max(1, options.length);
    var room = list.scrollTop + list.clientHeight + average - list.scrollHeight;
    if (r.ids.length === 0 || !options.length || room <= 0) {
      list.removeAttribute("aria-busy");
      return;
    }
    list.setAttribute("aria-busy", "true");
    r.loading = true;
    var next = r.ids.splice(0, Math.ceil(room / average));
    r.engine.documents(next).then(function (docs) {
      r.loading = false;
      if (r.ticket !== latest) return;
      append(next, docs, r.stems);
      showMore();
    }, function () { r.loading = false; });
  }

  function render(ids, docs, stems, query) {
    list.textContent = "";
    // The query these results answer (for tests, and for styles that want it).
    list.dataset.query = query;
    options = [];
    append(ids, docs, stems);
    if (query && docs.length === 0) message("No results for “" + query.trim() + "”");
    select(options.length ? 0 : -1);
    show(query !== "");
  }

  // Appends results `ids`: their titles, and snippets if their texts are there.
  function append(ids, docs, stems) {
    docs.forEach(function (doc, n) {
      var i = options.length;
      var option = document.createElement("a");
      option.className = "search-result";
      option.id = "search-result-" + i;
      option.doc = ids[n];
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.href = root + doc.url + (stems.length ? "?highlight=" + encodeURIComponent(stems.join(" ")) : "") +
        (doc.anchor ? "#" + doc.anchor : "");
      var crumb = document.createElement("span");
      crumb.className = "search-crumb";
      crumb.textContent = doc.section && doc.section !== doc.page ? doc.page + " › " + doc.section : doc.page;
      option.appendChild(crumb);
      if (doc.text !== undefined) fillSnippet(option, doc.text, stems);
      option.addEventListener("pointermove", function () { select(i); });
      list.appendChild(option);
      options.push(option);
    });
  }

  function fillSnippet(option, text, stems) {
    var snippet = document.createElement("span");
    snippet.className = "search-snippet";
    api.snippet(text, stems, SNIPPET_CHARS).forEach(function (part) {
      var node = part.match ? document.createElement("mark") : document.createTextNode(part.text);
      if (part.match) node.textContent = part.text;
      snippet.appendChild(node);
    });
    option.appendChild(snippet);
    option.filled = true;
  }

  function message(text) {
    list.removeAttribute("aria-busy");
    list.textContent = "";
    options = [];
    var p = document.createElement("p");
    p.className = "search-message";
    p.textContent = text;
    list.appendChild(p);
    show(true);
  }

  function select(index) {
    active = index;
    options.forEach(function (option, i) { option.setAttribute("aria-selected", String(i === index)); });
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", options[index].id);
      if (options[index].scrollIntoView) options[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function show(open) {
    list.hidden = !open;
    input.setAttribute("aria-expanded", String(open));
  }

  function onKey(event) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!options.length) return;
      show(true);
      var step = event.key === "ArrowDown" ? 1 : -1;
      select(Math.min(options.length - 1, Math.max(0, active + step)));
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (active >= 0) window.location.href = options[active].href;
    } else if (event.key === "Escape") {
      if (!list.hidden) show(false);
      else input.blur();
    }
  }

  // Marks every word of the page whose stem is in the `highlight` parameter.
  function highlightSearchedWords() {
    var param = new URLSearchParams(window.location.search).get("highlight");
    var main = document.querySelector("main");
    if (!param || !main) return;
    var wanted = new Set(param.split(" ").filter(Boolean));
    var walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT, {
      acceptNode: function (node) {
        return node.parentNode.closest("script, style, mark") ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT;
      }
    });
    var nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    nodes.forEach(function (node) {
      var text = node.nodeValue;
      var matches = api.analyze(text).filter(function (t) { return wanted.has(t.stem); });
      if (!matches.length) return;
      var fragment = document.createDocumentFragment(), at = 0;
      matches.forEach(function (m) {
        fragment.appendChild(document.createTextNode(text.slice(at, m.start)));
        var mark = document.createElement("mark");
        mark.className = "search-highlight";
        mark.textContent = text.slice(m.start, m.end);
        fragment.appendChild(mark);
        at = m.end;
      });
      fragment.appendChild(document.createTextNode(text.slice(at)));
      node.parentNode.replaceChild(fragment, node);
    });
  }
})();
