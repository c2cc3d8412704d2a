// The default theme's behaviour: theme switch, sidebar on small screens,
// ←/→ between chapters, copy buttons, Run buttons (js/playground.js loads on the
// first click), the "On this page" highlight, and opening the search box (its
// client, js/search.js, loads on first use).
// No dependencies, no network: it works from file:// as well as a server.
(function () {
  "use strict";
  var root = document.documentElement;

  // --- Theme: light, dark or system, remembered across pages. -------------
  var dark = window.matchMedia("(prefers-color-scheme: dark)");
  function applyTheme(choice) {
    root.dataset.themeChoice = choice;
    root.dataset.theme = choice === "system" ? (dark.matches ? "dark" : "light") : choice;
    document.querySelectorAll("[data-set-theme]").forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.dataset.setTheme === choice));
    });
  }
  document.querySelectorAll("[data-set-theme]").forEach(function (button) {
    button.addEventListener("click", function () {
      try { localStorage.setItem("handbook-theme", button.dataset.setTheme); } catch (e) {}
      applyTheme(button.dataset.setTheme);
    });
  });
  dark.addEventListener("change", function () {
    if (root.dataset.themeChoice === "system") applyTheme("system");
  });
  if (root.dataset.themeChoice) applyTheme(root.dataset.themeChoice);

  // --- Sidebar toggle (small screens). ------------------------------------
  var toggle = document.querySelector(".sidebar-toggle");
  if (toggle) {
    toggle.addEventListener("click", function () {
      var open = document.body.classList.toggle("sidebar-open");
      toggle.setAttribute("aria-expanded", String(open));
    });
  }
  // Bring the current chapter into view in the sidebar only: scrollIntoView would
  // also scroll the page itself away from its top.
  var sidebar = document.querySelector(".sidebar");
  var active = sidebar && sidebar.querySelector("a.active");
  if (active) sidebar.scrollTop = active.offsetTop - sidebar.clientHeight / 2;

  // --- ←/→ go to the previous/next chapter. --------------------------------
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey || event.defaultPrevented) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    var rel = event.key === "ArrowLeft" ? "prev" : event.key === "ArrowRight" ? "next" : null;
    var link = rel && document.querySelector('a[rel="' + rel + '"]');
    if (link) {
      event.preventDefault();
      window.location.href = link.href;
    }
  });

  // --- Copy buttons: interactive sessions copy only the code. --------------
  function codeText(pre) {
    var clone = pre.cloneNode(true);
    var session = clone.querySelector(".hl-gp, .hl-go");
    clone.querySelectorAll(".hl-gp, .hl-go").forEach(function (node) { node.remove(); });
    var text = clone.textContent;
    if (session) {
      // Output lines leave empty lines behind; a session's code has none of its own.
      text = text.split("\n").filter(function (line) { return line.trim() !== ""; }).join("\n");
    }
    return text.replace(/\n+$/, "") + "\n";
  }
  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    // file:// pages are not a secure context in every browser: fall back to a selection.
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var ok = document.execCommand("copy");
    area.remove();
    return ok ? Promise.resolve() : Promise.reject(new Error("copy failed"));
  }
  document.querySelectorAll(".code-block:not(.code-output) pre").forEach(function (pre) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy-button";
    button.textContent = "Copy";
    button.setAttribute("aria-label", "Copy this code");
    button.addEventListener("click", function () {
      copy(codeText(pre)).then(function () {
        button.textContent = "Copied";
        button.classList.add("copied");
        setTimeout(function () { button.textContent = "Copy"; button.classList.remove("copied"); }, 1500);
      }, function () { button.textContent = "Press Ctrl+C"; });
    });
    pre.parentNode.appendChild(button);
  });
  window.handbookCodeText = codeText;

  // --- Run buttons on verified examples; the player (js/playground.js) and the
  // Python runtime load on the first click, never before. ---------------------
  var player = root.dataset.playground;
  var runnable = player ? document.querySelectorAll(".code-block[data-run]") : [];
  var queued = [];
  function play(block) {
    if (window.handbookPlayground) return window.handbookPlayground(block);
    if (queued.push(block) > 1) return;
    var script = document.createElement("script");
    script.src = player;
    script.onload = function () { queued.forEach(window.handbookPlayground); };
    script.onerror = function () {
      block.querySelector(".run-button").textContent = "Missing " + player + ": rebuild the site";
    };
    document.head.appendChild(script);
  }
  Array.prototype.forEach.call(runnable, function (block) {
    var code = block.querySelector("pre code");
    block.handbookOriginal = code.innerHTML;
    var bar = document.createElement("div");
    bar.className = "run-bar";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "run-button";
    button.textContent = "Run";
    button.setAttribute("aria-label", "Run this example");
    button.title = "Run in the page (Ctrl+Enter in the code)";
    button.addEventListener("click", function () { play(block); });
    bar.appendChild(button);
    block.appendChild(bar);
    if ("playgroundEdit" in root.dataset) {
      code.setAttribute("contenteditable", "plaintext-only");
      code.spellcheck = false;
      code.setAttribute("aria-label", "Example code, editable; Ctrl+Enter runs it");
    }
    code.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        play(block);
      }
    });
  });

  // --- "On this page": mark the section being read. -----------------------
  var tocLinks = Array.prototype.slice.call(document.querySelectorAll(".page-toc a"));
  if (tocLinks.length && "IntersectionObserver" in window) {
    var byId = {};
    tocLinks.forEach(function (a) { byId[decodeURIComponent(a.hash.slice(1))] = a; });
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting) return;
        var link = byId[entry.target.id];
        if (!link) return;
        tocLinks.forEach(function (a) { a.classList.toggle("current", a === link); });
      });
    }, { rootMargin: "-10% 0px -75% 0px" });
    Object.keys(byId).forEach(function (id) {
      var heading = document.getElementById(id);
      if (heading) observer.observe(heading);
    });
  }

  // --- Search: `/` or Ctrl-K opens the box; the client loads on first use. --
  var searchBox = document.querySelector(".search[data-search-js]");
  if (searchBox) {
    var searchInput = searchBox.querySelector(".search-input");
    var loadSearch = function () {
      if (searchBox.dataset.loading) return;
      searchBox.dataset.loading = "true";
      var script = document.createElement("script");
      script.src = searchBox.dataset.searchJs;
      document.head.appendChild(script);
    };
    searchInput.addEventListener("focus", loadSearch);
    searchInput.addEventListener("pointerdown", loadSearch);
    document.addEventListener("keydown", function (event) {
      var target = event.target;
      var typing = target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
      var slash = event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey;
      var ctrlK = (event.ctrlKey || event.metaKey) && (event.key === "k" || event.key === "K");
      if (!slash && !ctrlK) return;
      event.preventDefault();
      searchInput.focus();
      searchInput.select();
    });
    // A page opened from a search result highlights the words searched for.
    if (/[?&]highlight=/.test(window.location.search)) loadSearch();
  }
})();
