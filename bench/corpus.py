#!/usr/bin/env python3
"""A deterministic book of N generated chapters in mdBook's layout, for tests and
benchmarks that need a large book (CI has no other corpus): a Python-handbook-like
vocabulary (function words, technical terms, and made-up words with a long tail),
words drawn with Zipf's law, about 15 sections of 130 words per chapter.

    python3 bench/corpus.py --pages 600 --out DIR    # DIR/book.toml, DIR/src/...

Stdlib only; the same arguments give the same bytes.
"""

import argparse
import random
from itertools import accumulate
from pathlib import Path

FUNCTION_WORDS = """the of and to a in is it that for as with on be by this are or from at
an which not but have has can will if you we they its one all when there so more also than
then into each these may only other some such what how any most would should could about
over both many where while because does do like just those them through after before
between same very much even new first used use using make often without within however
every another here""".split()

TERMS = """function value object class module package file name line example code program
result error type number string list item key call return argument parameter variable
instance attribute method data test check memory performance default option input output
source path directory version feature problem pattern interface iterator generator
decorator exception context manager dataclass closure dictionary tuple set comprehension
lambda yield async await coroutine thread process lock queue pool executor logging json
pickle regex sqlite datetime timezone pytest fixture mock argparse pathlib subprocess
unicode bytes mutable hashable immutable inheritance metaclass descriptor property slots
protocol typing annotation import scope namespace global local buffer stream socket
request response server client cache config setting environment container docker
deployment benchmark profile optimise sort filter map reduce iterate raise handle catch
wrap define create read write open close start stop run build install configure""".split()

ONSETS = ["b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t",
          "v", "w", "z", "br", "cl", "dr", "fl", "gr", "pl", "st", "tr", "sh", "ch"]
VOWELS = ["a", "e", "i", "o", "u", "ea", "ai", "ou", "ie", "oa"]
CODAS = ["", "n", "r", "l", "s", "t", "m", "ck", "nd", "st", "rt", "sh"]


def made_up_words(rng, count):
    """`count` distinct pronounceable words of two or three syllables."""
    words, seen = [], set(FUNCTION_WORDS) | set(TERMS)
    while len(words) < count:
        word = "".join(rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS)
                       for _ in range(rng.choice([2, 2, 3])))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


class Vocabulary:
    """Words ranked by frequency: function words first, then terms and made-up words
    mixed, each drawn with probability proportional to 1 / rank (Zipf)."""

    def __init__(self, rng, made_up):
        rest = TERMS + made_up_words(rng, made_up)
        rng.shuffle(rest)
        # Terms are common: each is moved among the first 150 words after the function words.
        ranked = [w for w in rest if w not in TERMS]
        for term in TERMS:
            ranked.insert(rng.randrange(0, 150), term)
        self.words = FUNCTION_WORDS + ranked
        self.cumulative = list(accumulate(1.0 / (rank + 1) for rank in range(len(self.words))))
        self.rng = rng

    def draw(self, count):
        return self.rng.choices(self.words, cum_weights=self.cumulative, k=count)


def sentence(vocabulary, rng):
    words = vocabulary.draw(rng.randint(8, 20))
    return " ".join(words).capitalize() + "."


def section(vocabulary, rng, level):
    heading = " ".join(vocabulary.draw(rng.randint(2, 4))).capitalize()
    paragraphs = []
    for _ in range(rng.randint(1, 3)):
        paragraphs.append(" ".join(sentence(vocabulary, rng) for _ in range(rng.randint(3, 6))))
    if rng.random() < 0.3:
        names = [w for w in vocabulary.draw(6) if w.isalpha()]
        paragraphs.append("```python\ndef {}({}):\n    return {}\n```".format(
            "_".join(names[:2]), ", ".join(names[2:4]), names[-1]))
    return "{} {}\n\n{}\n".format("#" * level, heading, "\n\n".join(paragraphs))


def chapter(vocabulary, rng, title):
    sections = [section(vocabulary, rng, rng.choice([2, 2, 3])) for _ in range(rng.randint(10, 20))]
    intro = " ".join(sentence(vocabulary, rng) for _ in range(4))
    return "# {}\n\n{}\n\n{}".format(title, intro, "\n".join(sections))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=600)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    vocabulary = Vocabulary(rng, made_up=8000)
    src = args.out / "src"
    src.mkdir(parents=True, exist_ok=True)
    (args.out / "book.toml").write_text(
        '[book]\ntitle = "Generated book"\nsrc = "src"\n\n[output.html.print]\nenable = false\n')
    summary = ["# Summary", "", "[Introduction](README.md)", ""]
    (src / "README.md").write_text("# Introduction\n\nA generated book of {} chapters.\n".format(args.pages))
    for n in range(args.pages):
        part = "part-{:02}".format(n // 20)
        if n % 20 == 0:
            (src / part).mkdir(exist_ok=True)
            summary.append("# Part {}".format(n // 20 + 1))
            summary.append("")
        title = " ".join(vocabulary.draw(3)).title()
        path = "{}/chapter-{:04}.md".format(part, n)
        (src / path).write_text(chapter(vocabulary, rng, title))
        summary.append("- [{}]({})".format(title, path))
    (src / "SUMMARY.md").write_text("\n".join(summary) + "\n")


if __name__ == "__main__":
    main()
