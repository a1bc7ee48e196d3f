"""Ingest throughput against bare extraction throughput, same articles, same workers.

    python bench/ingest_speed.py --articles 400 --workers 2
    python bench/ingest_speed.py --source samples/articles.jsonl --repeat 20

Bare extraction is ``extract_many(workers=N)`` with its results thrown away; ingest is
``quoteline.corpus.ingest(workers=N)`` into a fresh SQLite store (hashing, copy detection,
speaker resolution, linking and writes included). Target: ingest >= 0.8x bare extraction.
With quoteline[semantic] installed, ingest runs twice more with the sentence-embedding model
on and off (``QUOTELINE_SEMANTIC``); target: with it >= 0.7x the throughput without it.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from quoteline.models import Article, Skip

PEOPLE = ["Jane Smith", "John Doe", "Ann Lee", "Omar Diaz", "Mark Milley", "Maria Garcia"]
TITLES = ["the mayor", "the finance minister", "a spokeswoman for the council", "the general"]
TOPICS = ["the bridge", "the budget", "pensions", "the new hospital", "road repairs",
          "the school plan", "tax policy", "the harbour", "public transport", "housing"]


SUBJECTS = ["the bridge", "the pension fund", "the hospital", "our roads", "the budget",
            "the school board", "the harbour project", "housing", "the bus network",
            "the water utility", "the library", "the stadium", "the police", "the river",
            "the farm subsidy", "the audit office", "the new contract", "parking", "the mayor",
            "the council"]
PREDICATES = ["needs more money", "is running late", "was never properly planned",
              "will be finished by spring", "has cost far too much", "is working well",
              "deserves a fresh look", "must be protected", "is not for sale",
              "will get a new manager", "failed the last inspection", "is a waste of money",
              "has the full support of residents", "will be reviewed in June",
              "needs clear rules", "is our top priority", "will not be cut", "is doing better",
              "lost its way", "should be shut down"]
FRAGMENTS = [f"{s} {p}" for s in SUBJECTS for p in PREDICATES]


def say(rng: random.Random) -> str:
    """A quote built from three random statements (so most quotes are new)."""
    a, b, c = rng.sample(FRAGMENTS, 3)
    return f"{a.capitalize()}, {b} and {c}"


def synthetic(n: int, seed: int = 3) -> list[Article]:
    """News-like articles (~150 words) with direct, mixed and indirect quotes.

    Most quotes are new; about one story in ten is another outlet's report of an earlier one.
    """
    rng = random.Random(seed)
    out: list[Article] = []
    for i in range(n):
        if out and rng.random() < 0.1:
            earlier = rng.choice(out)
            out.append(replace(earlier, id=f"b{i}", outlet=f"Outlet {i % 7}",
                               text=earlier.text.replace("The next meeting", "The next session"),
                               source=f"bench:{i}"))
            continue
        who, title, topic = rng.choice(PEOPLE), rng.choice(TITLES), rng.choice(TOPICS)
        when = f"{rng.choice(['March', 'April', 'May'])} {rng.randint(1, 28)}"
        paras = [
            f'"{say(rng)}," {who}, {title}, said on Monday.',
            f"The council met for {rng.randint(2, 9)} hours to discuss {topic} and the costs "
            f"of {rng.choice(TOPICS)}, which have risen sharply since last spring.",
            f"{who} told reporters that {say(rng).lower()}.",
            f'"{say(rng)}," said {rng.choice(PEOPLE)}. "{say(rng)}."',
            f"The next meeting on {topic} is planned for {when}, when {rng.randint(5, 30)} "
            f"residents are expected to attend.",
        ]
        out.append(Article(text="\n\n".join(paras), id=f"b{i}", outlet=f"Outlet {i % 7}",
                           published=None, source=f"bench:{i}"))
    return out


def load_source(path: str, repeat: int) -> list[Article]:
    """Articles from a JSONL file, repeated with fresh ids."""
    from quoteline.ingest import read

    base = [a for a in read([path]) if not isinstance(a, Skip)]
    return [replace(a, id=f"{a.id}-{r}", text=a.text + f"\n\n(Copy {r}.)")
            for r in range(repeat) for a in base]


def bare(articles: list[Article], workers: int) -> float:
    """Seconds for extraction alone."""
    from quoteline.nlp.pipeline import extract_many

    t0 = time.perf_counter()
    for _ in extract_many(articles, workers=workers):
        pass
    return time.perf_counter() - t0


def full(articles: list[Article], workers: int, semantic: bool = False) -> tuple[float, int]:
    """Seconds for a complete ingest into a fresh SQLite store; quotes stored."""
    from quoteline.corpus import ingest
    from quoteline.store import open_store

    os.environ["QUOTELINE_SEMANTIC"] = "1" if semantic else "0"
    with tempfile.TemporaryDirectory() as tmp, open_store(f"sqlite:///{Path(tmp) / 'b.db'}") as s:
        t0 = time.perf_counter()
        report = ingest(articles, s, workers=workers)
        return time.perf_counter() - t0, report.quotes


def main() -> None:
    """Parse flags, run both, print the ratio."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=400)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--source", default=None, help="a JSONL corpus instead of synthetic text")
    ap.add_argument("--repeat", type=int, default=10, help="copies of --source (fresh ids)")
    args = ap.parse_args()
    arts = load_source(args.source, args.repeat) if args.source else synthetic(args.articles)
    from quoteline.nlp.loader import load_nlp

    load_nlp()  # model load in this process is not counted in either figure
    # Alternate the two so machine load (shared cores) hits both alike.
    t_bare1 = bare(arts, args.workers)
    t_full1, quotes = full(arts, args.workers)
    t_bare2 = bare(arts, args.workers)
    t_full2, _ = full(arts, args.workers)
    t_bare, t_full = min(t_bare1, t_bare2), min(t_full1, t_full2)
    n = len(arts)
    print(f"articles {n}, workers {args.workers}, quotes stored {quotes}")
    print(f"bare extraction  {n / t_bare:8.1f} articles/s  ({t_bare:.1f}s, best of 2)")
    print(f"ingest (SQLite)  {n / t_full:8.1f} articles/s  ({t_full:.1f}s, best of 2)")
    ratio = t_bare / t_full
    print(f"ratio ingest/bare {ratio:.2f}  (target >= 0.8: {'met' if ratio >= 0.8 else 'NOT met'})")
    semantic_side_by_side(arts, args.workers, t_full)


def semantic_side_by_side(arts: list[Article], workers: int, t_plain: float) -> None:
    """Ingest with the semantic model against ingest without it (best of 2 each)."""
    from quoteline.link.semantic import available, load_semantic

    if not available():
        print("semantic: not installed (pip install 'quoteline[semantic]'); skipped")
        return
    os.environ["QUOTELINE_SEMANTIC"] = "1"
    model = load_semantic(required=True)  # loaded once, outside the timings
    t_sem = min(full(arts, workers, semantic=True)[0], full(arts, workers, semantic=True)[0])
    t_plain = min(t_plain, full(arts, workers)[0])
    n = len(arts)
    ratio = t_plain / t_sem
    print(f"ingest, semantic {n / t_sem:8.1f} articles/s  ({t_sem:.1f}s, best of 2; "
          f"{model.calls:,} texts embedded)")
    print(f"ratio semantic/plain {ratio:.2f}  (target >= 0.7: "
          f"{'met' if ratio >= 0.7 else 'NOT met'})")


if __name__ == "__main__":
    main()
