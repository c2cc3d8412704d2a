// Live reload for `handbook serve`, injected into every page the server sends
// (never into a published build). It listens on a WebSocket and, after a
// change, reloads the page keeping its scroll position, swaps the stylesheet
// in place, or shows the build's errors over the page until they are fixed.
(function () {
  "use strict";
  var version = Number(document.currentScript.dataset.version);
  var socketPath = document.currentScript.dataset.socket;
  var path = pagePath(location.pathname);
  var scrollKey = "handbook-serve-scroll:" + location.pathname;
  var overlayId = "handbook-serve-errors";

  restoreScroll();
  connect();

  // The site path of the page, as the server names pages in its messages.
  function pagePath(pathname) {
    var p = decodeURIComponent(pathname).replace(/^\/+/, "");
    return p === "" || p.slice(-1) === "/" ? p + "index.html" : p;
  }

  function restoreScroll() {
    var saved = null;
    try {
      saved = sessionStorage.getItem(scrollKey);
      sessionStorage.removeItem(scrollKey);
    } catch (e) {}
    if (saved === null) return;
    var y = Number(saved);
    window.scrollTo(0, y);
    // Images and fonts may change the height after this script runs.
    window.addEventListener("load", function () { window.scrollTo(0, y); });
  }

  function reload() {
    try { sessionStorage.setItem(scrollKey, String(window.scrollY)); } catch (e) {}
    location.reload();
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + socketPath + "?page=" +
      encodeURIComponent(path) + "&version=" + version);
    var root = document.documentElement;
    socket.onopen = function () { root.dataset.handbookLive = "connected"; };
    socket.onmessage = function (event) { handle(JSON.parse(event.data)); };
    // The server restarted or the connection dropped: try again; the first
    // message after reconnecting says whether the page is out of date.
    socket.onclose = function () {
      root.dataset.handbookLive = "disconnected";
      setTimeout(connect, 1000);
    };
  }

  function handle(message) {
    showProblems(message.problems);
    var action = message.action;
    if (action.kind === "hello") {
      // Only a change to this page since it was served makes it stale: a page that
      // reloads while other files are still being published need not reload again.
      if (action.stale) return reload();
      version = message.version;
    } else if (action.kind === "reload") {
      if (!action.pages || action.pages.indexOf(path) >= 0) return reload();
      version = message.version;
    } else if (action.kind === "stylesheet") {
      if (!swapStylesheet(action.from, action.to)) return reload();
      version = message.version;
    }
  }

  // Points every <link> to `from` at `to`; the old one goes once the new one has
  // loaded, so the page never shows unstyled. False if the page links no `from`.
  function swapStylesheet(from, to) {
    var swapped = false;
    document.querySelectorAll('link[rel="stylesheet"]').forEach(function (link) {
      var href = link.getAttribute("href") || "";
      if (href.slice(-from.length) !== from) return;
      var fresh = link.cloneNode(false);
      fresh.setAttribute("href", href.slice(0, href.length - from.length) + to);
      fresh.onload = function () { link.remove(); };
      fresh.onerror = reload;
      link.after(fresh);
      swapped = true;
    });
    return swapped;
  }

  function showProblems(problems) {
    var overlay = document.getElementById(overlayId);
    if (!problems.length) {
      if (overlay) overlay.remove();
      return;
    }
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = overlayId;
      overlay.setAttribute("role", "alert");
      overlay.style.cssText = "position:fixed;inset:auto 1rem 1rem 1rem;max-height:60vh;overflow:auto;" +
        "z-index:2147483647;padding:1rem 1.25rem;border-radius:8px;background:#2b0b0e;color:#ffe3e3;" +
        "border:2px solid #ff6b6b;box-shadow:0 8px 32px rgba(0,0,0,.45);" +
        "font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;";
      document.body.appendChild(overlay);
    }
    overlay.textContent = "";
    var title = document.createElement("p");
    title.style.cssText = "margin:0 0 .5rem;font-weight:bold;";
    title.textContent = "The book has " + problems.length + (problems.length === 1 ? " error" : " errors") +
      " (showing the last good build; this goes away once fixed)";
    overlay.appendChild(title);
    problems.forEach(function (problem) {
      var item = document.createElement("div");
      item.className = "handbook-serve-error";
      item.style.cssText = "margin:.5rem 0 0;";
      var where = document.createElement("strong");
      where.className = "handbook-serve-error-location";
      where.textContent = problem.location;
      var what = document.createElement("pre");
      what.className = "handbook-serve-error-message";
      what.style.cssText = "margin:.25rem 0 0;white-space:pre-wrap;font:inherit;";
      what.textContent = problem.message;
      item.appendChild(where);
      item.appendChild(what);
      overlay.appendChild(item);
    });
  }
})();
