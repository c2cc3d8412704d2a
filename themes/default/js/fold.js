// `[output.html.fold]`: folds the sidebar's sections. Appended to the sidebar script
// (assets/toc-….js) only when the book enables folding, so it runs right after the
// sidebar is inserted, before the first paint: no section flashes open.
// The sidebar is a flat list; an entry's sub-chapters are the entries after it that
// are deeper (toc-depth-N) than it. Sections at depth `data-fold-level` or deeper start
// folded, except the current chapter and its ancestors; each section has a button.
(function () {
  "use strict";
  var toc = document.currentScript && document.currentScript.parentNode.querySelector(".toc[data-fold-level]");
  if (!toc) return;
  var level = Number(toc.dataset.foldLevel);
  var items = Array.prototype.slice.call(toc.children);
  function depth(li) {
    var match = /\btoc-depth-(\d+)\b/.exec(li.className);
    return match ? Number(match[1]) : 0;
  }
  function button(li) { return li.querySelector(":scope > .toc-fold"); }
  // Shows every entry whose enclosing sections are all open.
  function apply() {
    var hiddenBelow = Infinity;
    items.forEach(function (li) {
      var d = depth(li);
      if (d > hiddenBelow) { li.hidden = true; return; }
      hiddenBelow = Infinity;
      li.hidden = false;
      var toggle = button(li);
      if (toggle && toggle.getAttribute("aria-expanded") !== "true") hiddenBelow = d;
    });
  }
  // The current chapter and the sections above it stay open.
  var open = {};
  var active = toc.querySelector("a.active");
  var at = active ? items.indexOf(active.closest("li")) : -1;
  if (at >= 0) {
    open[at] = true;
    for (var i = at - 1, limit = depth(items[at]); i >= 0 && limit > 0; i--) {
      if (depth(items[i]) < limit) { open[i] = true; limit = depth(items[i]); }
    }
  }
  items.forEach(function (li, index) {
    var toggle = button(li);
    if (!toggle) return;
    toggle.setAttribute("aria-expanded", String(depth(li) < level || open[index] === true));
    toggle.addEventListener("click", function () {
      toggle.setAttribute("aria-expanded", String(toggle.getAttribute("aria-expanded") !== "true"));
      apply();
    });
  });
  apply();
})();
