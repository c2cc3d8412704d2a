// The Run buttons' player: loaded by js/book.js on the first click (or Ctrl/Cmd+Enter)
// in a verified example. It loads the Python runtime (Pyodide, built by `handbook build`
// into classic scripts under assets/, so it loads from file:// as from a server), starts
// it in a Web Worker made from a blob (a page cannot freeze: Stop ends the worker, the
// next Run starts a new one) and shows what the example prints below it.
// `window.handbookPlaygroundData` (written by the build before this file) holds the
// worker's source, the runner's Python files and the runtime's script list.
(function () {
  "use strict";
  var data = window.handbookPlaygroundData;
  var root = document.documentElement.dataset.root || "";
  var parts = {};
  var runtime = null; // a promise of the runtime's files, loaded once per page
  var worker = null; // a promise of a ready worker; null after Stop
  var current = null; // the block running now

  // --- The runtime: classic scripts, each handing over one piece. ---------
  window.handbookRuntime = function (name, index, text) {
    (parts[name] = parts[name] || [])[index] = text;
  };
  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.onload = function () { script.remove(); resolve(); };
      script.onerror = function () { script.remove(); reject(new Error("missing:" + src)); };
      document.head.appendChild(script);
    });
  }
  function decode(base64) {
    if (Uint8Array.fromBase64) return Uint8Array.fromBase64(base64);
    var text = atob(base64), bytes = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    return bytes;
  }
  function loadRuntime(progress) {
    var names = Object.keys(data.runtime);
    var scripts = [];
    names.forEach(function (name) {
      data.runtime[name].scripts.forEach(function (s) { scripts.push(s); });
    });
    var total = scripts.reduce(function (sum, s) { return sum + s[1]; }, 0), loaded = 0;
    progress(0, total);
    // Four at a time: the browser overlaps them without queueing twenty at once.
    var next = 0;
    function worker() {
      if (next >= scripts.length) return Promise.resolve();
      var script = scripts[next++];
      return loadScript(root + script[0]).then(function () {
        loaded += script[1];
        progress(loaded, total);
        return worker();
      });
    }
    return Promise.all([worker(), worker(), worker(), worker()]).then(function () {
      var files = {};
      names.forEach(function (name) {
        var text = parts[name].join("");
        files[name] = data.runtime[name].base64 ? decode(text) : text;
        delete parts[name];
      });
      return files;
    });
  }

  // --- The worker. -----------------------------------------------------------
  function startWorker(files) {
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(new Blob([data.worker], { type: "text/javascript" }));
      var w;
      try {
        w = new Worker(url);
      } catch (e) {
        reject(new Error("worker:" + e.message));
        return;
      }
      w.onmessage = function (event) {
        var message = event.data;
        if (message.type === "ready") resolve(w);
        else if (message.type === "failed") reject(new Error("start:" + message.message));
      };
      w.onerror = function (event) {
        event.preventDefault();
        reject(new Error("worker:" + (event.message || "refused")));
      };
      w.postMessage({
        type: "init", loader: files.loader, asm: files.asm, lock: files.lock,
        wasm: files.wasm, stdlib: files.stdlib, files: data.files
      });
    });
  }
  function ready(view) {
    if (!runtime) {
      runtime = loadRuntime(function (loaded, total) {
        view.progress(loaded / total, "Loading Python " + data.version + ": " +
          megabytes(loaded) + " of " + megabytes(total) + " MB");
      });
      runtime.catch(function () { runtime = null; });
    }
    if (!worker) {
      worker = runtime.then(function (files) {
        view.progress(null, "Starting Python…");
        return startWorker(files);
      });
      worker.catch(function () { worker = null; });
    }
    return worker;
  }
  function megabytes(bytes) { return (bytes / 1048576).toFixed(1); }

  // What to do instead, for each way a browser can refuse.
  function explain(error) {
    var message = String(error && error.message || error);
    var fromDisk = location.protocol === "file:";
    if (/^missing:/.test(message)) {
      return "Could not load " + message.slice(8) + ": this copy of the site is missing the Python runtime. Rebuild it with `handbook build`.";
    }
    if (/^worker:/.test(message) && fromDisk) {
      return "This browser does not run Python from a page opened as a file (it refuses the Web Worker). Serve the folder instead: run `python3 -m http.server` in it and open http://localhost:8000/.";
    }
    if (typeof WebAssembly !== "object") {
      return "This browser cannot run WebAssembly, which Python in the page needs. Use a current Chrome, Firefox, Safari or Edge.";
    }
    return "Python could not start in this page (" + message.replace(/^\w+:/, "") + "). Reload the page to try again.";
  }

  // --- One block's view: buttons, progress, output. ------------------------
  function View(block) {
    var view = this;
    this.block = block;
    this.code = block.querySelector("pre code");
    this.run = block.querySelector(".run-button");
    this.pane = block.querySelector(".run-output");
    if (!this.pane) {
      this.pane = document.createElement("div");
      this.pane.className = "run-output";
      this.pane.setAttribute("aria-live", "polite");
      block.appendChild(this.pane);
      var reset = document.createElement("button");
      reset.type = "button";
      reset.className = "run-reset";
      reset.textContent = "Reset";
      reset.title = "Put back the book's code";
      reset.addEventListener("click", function () { view.reset(); });
      this.run.parentNode.appendChild(reset);
    }
  }
  View.prototype.clear = function () {
    this.pane.textContent = "";
    this.pane.hidden = false;
    this.out = document.createElement("pre");
    this.pane.appendChild(this.out);
    this.status = document.createElement("p");
    this.status.className = "run-status";
    this.pane.appendChild(this.status);
  };
  View.prototype.progress = function (fraction, text) {
    if (!this.bar) {
      this.bar = document.createElement("progress");
      this.bar.className = "run-progress";
      this.pane.insertBefore(this.bar, this.out);
    }
    if (fraction === null) this.bar.removeAttribute("value");
    else this.bar.value = fraction;
    this.bar.max = 1;
    this.say(text, "");
  };
  View.prototype.say = function (text, kind) {
    this.status.textContent = text;
    this.status.dataset.kind = kind;
  };
  View.prototype.write = function (stream, text) {
    var last = this.out.lastChild;
    if (!last || last.className !== stream) {
      last = document.createElement("span");
      last.className = stream;
      this.out.appendChild(last);
    }
    last.textContent += text;
  };
  View.prototype.running = function (on) {
    this.run.textContent = on ? "Stop" : "Run";
    this.run.classList.toggle("stop", on);
    this.run.setAttribute("aria-label", on ? "Stop this example" : "Run this example");
    if (!on && this.bar) { this.bar.remove(); this.bar = null; }
  };
  View.prototype.reset = function () {
    this.code.innerHTML = this.block.handbookOriginal;
    this.pane.hidden = true;
  };

  // --- What runs: the code as shown (or edited), hidden lines put back. -----
  function blockText(block) {
    // innerText, not textContent: an edit may leave <br> or <div> in the code.
    var text = block.querySelector("pre code").innerText;
    return text.endsWith("\n") ? text : text + "\n";
  }
  function withHidden(block, visible) {
    var hidden = block.dataset.hidden ? JSON.parse(block.dataset.hidden) : [];
    var lines = visible.split("\n");
    var last = lines.pop(); // "" after the final newline
    var out = [], at = 0;
    hidden.forEach(function (group) {
      while (at < group[0] && at < lines.length) out.push(lines[at++] + "\n");
      out.push(group[1]);
    });
    while (at < lines.length) out.push(lines[at++] + "\n");
    return out.join("") + last;
  }
  function expected(block) {
    var next = block.nextElementSibling;
    if (!next || !next.classList.contains("code-output")) return null;
    return next.querySelector("pre code").textContent;
  }
  function blocksFor(block) {
    var chain = [block];
    var session = block.dataset.session;
    if (session) {
      chain = Array.prototype.filter.call(
        document.querySelectorAll(".code-block[data-run]"),
        function (b) { return b.dataset.session === session; });
      chain = chain.slice(0, chain.indexOf(block) + 1);
    }
    return chain.map(function (b) {
      var script = b.dataset.run === "script";
      return {
        kind: b.dataset.run,
        code: script ? withHidden(b, blockText(b)) : blockText(b),
        expected: script ? expected(b) : null,
        file: data.scripts[session ? 1 : 0],
        transient: !!session,
        show: b === block
      };
    });
  }

  var VERDICTS = {
    matches: ["✓ Same output as the book", "ok"],
    ran: ["✓ Ran without an error", "ok"],
    differs: ["✗ The output differs from the book's", "differs"],
    error: ["✗ Ended with an error", "error"]
  };

  function run(block) {
    var view = new View(block);
    view.clear();
    view.running(true);
    current = view;
    var started = performance.now();
    ready(view).then(function (w) {
      if (current !== view) return;
      if (view.bar) { view.bar.remove(); view.bar = null; }
      view.say("Running…", "");
      var blocks = blocksFor(block);
      w.onmessage = function (event) {
        var message = event.data;
        if (message.type === "out") view.write(message.stream, message.text);
        else if (message.type === "done" || message.type === "failed") {
          current = null;
          view.running(false);
          if (message.type === "failed") {
            view.say(explain(new Error("run:" + message.message)), "error");
            return;
          }
          var results = message.results, mine = results[results.length - 1];
          var shown = results.length === blocks.length;
          var verdict = shown ? VERDICTS[mine.status] || VERDICTS.error : VERDICTS.error;
          var detail = shown ? (mine.status === "error" ? ": " + mine.detail : "")
            : ": an earlier block of this session failed (" + mine.detail + ")";
          view.say(verdict[0] + detail, verdict[1]);
          view.block.dataset.ranMs = String(Math.round(performance.now() - started));
        }
      };
      w.postMessage({ type: "run", blocks: blocks });
    }).catch(function (error) {
      if (current !== view) return;
      current = null;
      view.running(false);
      view.say(explain(error), "error");
    });
  }

  function stop(view) {
    if (worker) worker.then(function (w) { w.terminate(); }, function () {});
    current = null;
    view.running(false);
    view.say("Stopped. Run starts Python again.", "stopped");
    // Python starts again at once, with the runtime already in the page, so the next
    // Run waits for what is left of its start-up.
    worker = runtime.then(startWorker);
    worker.catch(function () { worker = null; });
  }

  // Called by js/book.js: Run, or Stop when this block is running.
  window.handbookPlayground = function (block) {
    if (current && current.block === block) return stop(current);
    if (current) stop(current);
    run(block);
  };
})();
