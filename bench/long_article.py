"""Extraction time of one long article against the same text cut into ~4,000-character articles.

  .venv/bin/python bench/long_article.py [--sizes 25000,50000,100000,200000] [--repeat R]

The text is a quote- and date-dense paragraph (the one of tests/test_properties.py's huge-text
test) repeated to N characters. For each N it prints both times and their ratio
(one article / pieces); extraction time linear in the article's length keeps the ratio near 1
at every N (target <= 1.3). Timings are the best of --repeat runs, the two alternating so that
load from elsewhere hits both alike; no assertion is made on them anywhere.
"""

from __future__ import annotations

import argparse
import os
import time

from quoteline.models import Article, Extraction
from quoteline.nlp.loader import load_nlp, model_label
from quoteline.nlp.pipeline import extract_many

PARAGRAPH = ("“We will not stop,” the minister said on Tuesday, “until it is done.” "
             "Smith, a senator, argued that the plan was “dangerous” and costly. "
             "« Non », a-t-il dit. „Nein“ ‘odd ” marks \" here.\n\n")
PIECE = 4_000
TARGET = 1.3


def long_text(n: int) -> str:
    """The paragraph repeated to exactly ``n`` characters."""
    return (PARAGRAPH * (n // len(PARAGRAPH) + 1))[:n]


def cut(text: str, size: int = PIECE) -> list[str]:
    """``text`` cut after the paragraph break nearest below every ``size`` characters."""
    out, start = [], 0
    while start < len(text):
        end = text.rfind("\n\n", start, start + size) + 2 if start + size < len(text) else len(text)
        end = end if end > start + 2 else min(len(text), start + size)
        out.append(text[start:end])
        start = end
    return out


def timed(texts: list[str], model: str | None) -> tuple[float, int]:
    """Seconds to extract from ``texts`` as articles, and the quotes found."""
    t0 = time.perf_counter()
    n = 0
    for res in extract_many([Article(text=t, published=None) for t in texts], model=model):
        n += len(res.quotes) if isinstance(res, Extraction) else 0
    return time.perf_counter() - t0, n


def main(argv: list[str] | None = None) -> None:
    """Measure and print; see the module docstring."""
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="25000,50000,100000,200000")
    ap.add_argument("--repeat", type=int, default=1, help="runs per measurement (best counts)")
    ap.add_argument("--model", default=None)
    a = ap.parse_args(argv)
    nlp = load_nlp(a.model)
    timed(cut(long_text(8_000)), a.model)  # warm up
    print(f"model {model_label(nlp)}, {os.cpu_count()} CPUs, best of {a.repeat}; load average "
          "before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print(f"{'chars':>8s} {'pieces':>6s} {'one s':>8s} {'pieces s':>8s} {'quotes':>13s} {'ratio':>6s}")
    worst = 0.0
    for n in (int(s) for s in a.sizes.split(",")):
        text = long_text(n)
        parts = cut(text)
        one = pieces = float("inf")
        q_one = q_pieces = 0
        for _ in range(a.repeat):
            t, q_one = timed([text], a.model)
            one = min(one, t)
            t, q_pieces = timed(parts, a.model)
            pieces = min(pieces, t)
        ratio = one / pieces
        worst = max(worst, ratio)
        print(f"{n:8d} {len(parts):6d} {one:8.2f} {pieces:8.2f} {q_one:6d}/{q_pieces:<6d} {ratio:6.2f}")
    print(f"RATIO worst one article / pieces = {worst:.2f}  (target <= {TARGET}: "
          f"{'met' if worst <= TARGET else 'NOT met'}); load average after: "
          "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
