"""Runs the handbook's examples inside Pyodide: the one runner that both
`handbook test` (in Node, to decide which examples get a Run button) and the
reader's browser (in a Web Worker, when Run is clicked) use, so "verified"
means the browser does the same thing.

A job is a list of blocks run in order in one fresh scratch folder: one
example, or the blocks of a shared `session="name"` up to the one clicked.
Each block runs in a fresh namespace as `__main__`; a ```pycon block is
checked by doctest exactly as `handbook test` checks it natively
(`doctest_session.check`, ELLIPSIS on). A script's stdout is compared with
its ```output block the way `normalize_output` in src/examples/text.rs
compares (trailing whitespace and trailing blank lines do not count).

The host calls `run_job(blocks_json, emit)`; `emit(stream, text)` receives
output as it is written ("stdout", "stderr") for blocks marked `show`, and
the result is JSON: one {"passed", "status", "detail"} per block run.
"""

import builtins
import io
import json
import os
import sys
import traceback
import types

import doctest_session

SCRATCH_ROOT = "/tmp/handbook-examples"
_jobs = 0


class _Stream(io.TextIOBase):
    """sys.stdout or sys.stderr of one block: kept for the verdict, and passed on."""

    def __init__(self, name, emit, log):
        self.name, self._emit, self._log = name, emit, log

    def writable(self):
        return True

    def write(self, text):
        self._log.append((self.name, text))
        if self._emit is not None:
            self._emit(self.name, text)
        return len(text)


def _no_input(prompt=""):
    print(prompt, end="", flush=True)
    raise EOFError(
        "input() cannot ask you here: the example runs without a keyboard "
        "(in the browser, off the page). Put the answer in the code instead, "
        "e.g. name = 'Ada'."
    )


def normalize(text):
    lines = [line.rstrip() for line in text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def run_job(blocks_json, emit=None):
    """Runs the blocks of one job in order; stops at the first that fails."""
    global _jobs
    _jobs += 1
    scratch = f"{SCRATCH_ROOT}/{_jobs}"
    os.makedirs(scratch)
    saved = (os.getcwd(), list(sys.path), set(sys.modules), sys.stdout, sys.stderr,
             builtins.input, dict(os.environ), sys.argv)
    results = []
    try:
        os.chdir(scratch)
        sys.path.insert(0, scratch)
        os.environ["TMPDIR"] = scratch
        builtins.input = _no_input
        for block in json.loads(blocks_json):
            result = _run_block(block, emit if block.get("show") else None)
            results.append(result)
            if not result["passed"]:
                break
    finally:
        cwd, path, modules, out, err, read, env, sys.argv = saved
        os.chdir(cwd)
        sys.path[:] = path
        sys.stdout, sys.stderr, builtins.input = out, err, read
        os.environ.clear()
        os.environ.update(env)
        # Modules the job wrote and imported are its own: the next job starts clean.
        for name in set(sys.modules) - modules:
            if (getattr(sys.modules[name], "__file__", None) or "").startswith(SCRATCH_ROOT):
                del sys.modules[name]
    return json.dumps(results)


def _run_block(block, emit):
    log = []
    sys.stdout, sys.stderr = _Stream("stdout", emit, log), _Stream("stderr", emit, log)
    try:
        if block["kind"] == "pycon":
            return _session(block["code"], emit)
        return _script(block, log)
    finally:
        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__


def _script(block, log):
    code, expected = block["code"], block.get("expected")
    # As natively: the script is a file in the working folder, named as there.
    path = os.path.abspath(block["file"])
    with open(path, "w", encoding="utf-8") as f:
        f.write(code)
    # A fresh module, as `python example.py` makes: pickle, dataclasses and friends look
    # the example's names up in sys.modules["__main__"].
    main = types.ModuleType("__main__")
    main.__file__ = path
    main.__builtins__ = builtins
    saved_main, sys.modules["__main__"] = sys.modules.get("__main__"), main
    sys.argv = [block["file"]]
    status, interrupted = 0, False
    try:
        exec(compile(code, path, "exec"), main.__dict__)
    except SystemExit as e:
        status = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        if not isinstance(e.code, (int, type(None))):
            print(e.code, file=sys.stderr)
    except BaseException as e:  # the example's own error, shown as Python shows it
        trace = e.__traceback__.tb_next  # the first frame is this runner's
        sys.stderr.write("".join(traceback.format_exception(type(e), e, trace)))
        status, interrupted = 1, isinstance(e, KeyboardInterrupt)
    finally:
        sys.modules["__main__"] = saved_main
    if block.get("transient"):
        os.remove(path)
    stdout = "".join(text for stream, text in log if stream == "stdout")
    stderr = "".join(text for stream, text in log if stream == "stderr").strip()
    if interrupted:
        return {"passed": False, "status": "error", "detail": "interrupted (ran too long)"}
    if status != 0:
        last = stderr.splitlines()[-1] if stderr else ""
        return {"passed": False, "status": "error", "detail": f"exit status {status}: {last}"}
    if expected is not None and normalize(stdout) != normalize(expected):
        return {"passed": False, "status": "differs", "detail": "the output differs from the book's"}
    return {"passed": True, "status": "matches" if expected is not None else "ran", "detail": ""}


def _session(text, emit):
    failures = []

    def shown(example, got, failed):
        if emit is not None:
            emit("stdout", "".join(_prompted(example.source)))
            emit("stderr" if failed else "stdout", got)

    try:
        doctest_session.check(text, "session.txt", failures, shown)
    except ValueError as e:  # doctest's parser: bad prompts or indentation
        failures.append({"line": None, "source": "", "want": "", "got": str(e)})
        if emit is not None:
            emit("stderr", str(e) + "\n")
    if failures:
        return {"passed": False, "status": "differs",
                "detail": "a statement's output differs from the book's"}
    return {"passed": True, "status": "matches", "detail": ""}


def _prompted(source):
    for i, line in enumerate(source.splitlines(keepends=True)):
        yield (">>> " if i == 0 else "... ") + line
