"""Checks one ```pycon block of the handbook as an interactive session.

Run by `handbook test` as:  python doctest_session.py SESSION run|compile
with a pipe on file descriptor 3 for the results.

Python's own doctest reads the session (`>>>` and `...` prompts, expected
output, ELLIPSIS on) and runs it; `compile` only compiles each statement.
The results go to the pipe as JSON, {"failures": [...]}, one object per
failing statement: {"line": 0-based line in the block or null, "source",
"want", "got"}. The pipe is moved off descriptor 3 before the session runs
and is not inherited, so the session cannot write to it by accident or
pass it on. The exit status is 1 when any statement failed.
"""

import doctest
import json
import os
import sys
import traceback


def main(session_path, mode):
    results = os.dup(3)
    os.close(3)
    os.set_inheritable(results, False)
    # As in the interactive interpreter, imports resolve against the working folder.
    sys.path[0] = ""
    with open(session_path, encoding="utf-8") as f:
        source = f.read()
    failures = []
    try:
        if mode == "compile":
            compile_only(source, failures)
        else:
            check(source, session_path, failures)
    except ValueError as e:  # doctest's parser: bad prompts or indentation
        failures.append({"line": None, "source": "", "want": "", "got": str(e)})
    with os.fdopen(results, "w", encoding="utf-8") as f:
        json.dump({"failures": failures}, f)
    return 1 if failures else 0


def compile_only(source, failures):
    for example in doctest.DocTestParser().get_examples(source):
        try:
            compile(example.source, "<session>", "single")
        except SyntaxError as e:
            got = "".join(traceback.format_exception_only(type(e), e))
            failures.append(record(example, got))


def check(source, session_path, failures, shown=None):
    """Runs the session, appending a record per failing statement to `failures`.

    `shown(example, got, failed)`, when given, is told each statement's output as it
    runs (the browser's runner, playground/runner.py, shows the session with it), so
    the browser checks a session with exactly this code.
    """

    class Runner(doctest.DocTestRunner):
        def report_success(self, out, test, example, got):
            if shown is not None:
                # An expected traceback matched: show it as the book does.
                shown(example, example.want if example.exc_msg else got, False)

        def report_failure(self, out, test, example, got):
            failures.append(record(example, got))
            if shown is not None:
                shown(example, got, True)

        def report_unexpected_exception(self, out, test, example, exc_info):
            kind, error, trace = exc_info
            # The first frame is doctest's own, not the session's.
            got = "".join(traceback.format_exception(kind, error, trace.tb_next))
            failures.append(record(example, got))
            if shown is not None:
                shown(example, got, True)

    parser = doctest.DocTestParser()
    test = parser.get_doctest(source, {"__name__": "__main__"}, "session", session_path, 0)
    Runner(optionflags=doctest.ELLIPSIS, verbose=False).run(test, out=lambda _: None)


def record(example, got):
    return {"line": example.lineno, "source": example.source, "want": example.want, "got": got}


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
