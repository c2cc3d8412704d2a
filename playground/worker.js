// The browser's side of the playground: a classic Web Worker made from a blob (Chromium
// starts neither a worker from a file:// URL nor a module worker from a blob made on a
// file:// page, but it does start this) that runs examples with runner.py, the runner
// `handbook test` verifies them with. The page (themes/default/js/playground.js) hands
// over every runtime file as data, so nothing here is fetched: Chromium refuses fetch
// from file://.
//
// Messages in:  {type: "init", loader, asm, wasm, stdlib, lock, files}, then {type: "run", blocks}
// Messages out: {type: "ready", ms}, {type: "out", stream, text}, {type: "done", results},
//               {type: "failed", message}
"use strict";

const BASE = "https://handbook-runtime.invalid/";
let runJob = null;

function serveFrom(files) {
  // Pyodide asks for the wasm binary and the standard library by URL; they are answered
  // here, and any other URL is refused, so no request can leave the site.
  self.fetch = async (url) => {
    const name = String(url).slice(BASE.length);
    const body = String(url).startsWith(BASE) ? files[name] : undefined;
    if (body === undefined) throw new Error(`the playground fetches nothing: ${url}`);
    const type = name.endsWith(".wasm") ? "application/wasm" : "application/octet-stream";
    return new Response(body, { headers: { "Content-Type": type } });
  };
}

async function init(message) {
  const started = performance.now();
  serveFrom({ "pyodide.asm.wasm": message.wasm, "python_stdlib.zip": message.stdlib });
  // Pyodide's loader refuses a classic worker, which it detects by calling importScripts;
  // it needs only dynamic import(), which classic workers have, so it is not shown one.
  const importScripts = self.importScripts.bind(self);
  self.importScripts = undefined;
  importScripts(URL.createObjectURL(new Blob([message.loader], { type: "text/javascript" })));
  const asm = URL.createObjectURL(new Blob([message.asm], { type: "text/javascript" }));
  const createPyodideModule = (await import(asm)).default;
  const pyodide = await self.loadPyodide({
    indexURL: BASE,
    lockFileContents: message.lock,
    createPyodideModule,
    stdout: (text) => post("stdout", text + "\n"),
    stderr: (text) => post("stderr", text + "\n"),
  });
  for (const [name, text] of Object.entries(message.files)) {
    pyodide.FS.writeFile(`/home/pyodide/${name}`, text);
  }
  pyodide.runPython("import sys; sys.path.insert(0, '/home/pyodide')");
  runJob = pyodide.pyimport("runner").run_job;
  self.postMessage({ type: "ready", ms: performance.now() - started });
}

function post(stream, text) {
  self.postMessage({ type: "out", stream, text });
}

function run(message) {
  const results = JSON.parse(runJob(JSON.stringify(message.blocks), post));
  self.postMessage({ type: "done", results });
}

self.onmessage = async (event) => {
  try {
    if (event.data.type === "init") await init(event.data);
    else run(event.data);
  } catch (error) {
    self.postMessage({ type: "failed", message: String(error && error.message || error) });
  }
};
