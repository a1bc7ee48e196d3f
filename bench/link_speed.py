"""Time ``link_quotes`` on N synthetic quotes (default 1,000,000) against the 10-minute target.

Quotes come in clusters, as news does: one utterance reported by several outlets verbatim,
with case/punctuation/contraction noise, as excerpts (plain or with an ellipsis), or altered
(words swapped, dropped or added). Prints throughput, time, peak RSS, the ratio to the
target (extrapolated linearly to 1M), and link quality against the generating clusters.

    .venv/bin/python bench/link_speed.py --n 100000
    .venv/bin/python bench/link_speed.py --n 100000 --semantic   # with quoteline[semantic]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import sys
import time
from collections.abc import Iterator

from quoteline.evaluate.link_metrics import flags, pairwise
from quoteline.link import Linker, QuoteRecord
from quoteline.link.normalize import stopwords

TARGET_S = 600.0
TARGET_N = 1_000_000
_SYLLABLES = [c + v for c in "bcdfghjklmnprstvwz" for v in "aeiou"] + ["th", "st", "ng", "qu"]
_FUNCTION = sorted(stopwords())


def vocabulary(rng: random.Random, size: int) -> list[str]:
    """``size`` distinct invented words, two to four syllables long."""
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def zipf_weights(size: int) -> list[float]:
    """Cumulative Zipf weights (rank + 10) ** -1 over a vocabulary of ``size`` words."""
    total, cum = 0.0, []
    for rank in range(size):
        total += 1.0 / (rank + 10)
        cum.append(total)
    return cum


def utterance(rng: random.Random, vocab: list[str], cum: list[float]) -> list[str]:
    """One original quote: 10-40 words, content words Zipf-distributed, function words mixed in."""
    n = rng.randint(10, 40)
    content = rng.choices(vocab, cum_weights=cum, k=n)
    return [rng.choice(_FUNCTION) if rng.random() < 0.4 else w for w in content]


def render(rng: random.Random, words: list[str], vocab: list[str]) -> tuple[str, str]:
    """One report of ``words`` and its kind: verbatim, noisy copy, excerpt or altered."""
    roll = rng.random()
    if roll < 0.45:
        return " ".join(words).capitalize() + ".", "verbatim"
    if roll < 0.55:
        return '"' + " ".join(words).upper() + '!"', "verbatim"
    if roll < 0.8:
        size = rng.randint(max(5, len(words) // 3), len(words) - 1)
        start = rng.randint(0, len(words) - size)
        return " ".join(words[start : start + size]), "excerpt"
    changed = list(words)
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(len(changed))
        changed[i] = rng.choice(vocab)
    return " ".join(changed), "altered"


def synthetic(n: int, seed: int = 7) -> Iterator[tuple[QuoteRecord, int, str]]:
    """``n`` quotes with their true cluster and rendering kind."""
    rng = random.Random(seed)
    vocab = vocabulary(rng, 30_000)
    cum = zipf_weights(len(vocab))
    outlets = [f"Outlet {i}" for i in range(300)]
    speakers = max(10, n // 200)
    day0 = dt.date(2020, 1, 1)
    made = cluster = 0
    while made < n:
        words = utterance(rng, vocab, cum)
        speaker = rng.randrange(1, speakers + 1)
        day = day0 + dt.timedelta(days=rng.randrange(1500))
        size = min(n - made, 1 + int(rng.expovariate(1 / 2.5)))
        for k in range(size):
            text, kind = (" ".join(words), "reference") if k == 0 else render(rng, words, vocab)
            who = None if k and rng.random() < 0.03 and kind != "altered" else speaker
            published = day + dt.timedelta(days=k + (rng.randrange(3) if k else 0))
            rec = QuoteRecord(made, text, who, f"a{made}", published, outlet=rng.choice(outlets))
            yield rec, cluster, kind
            made += 1
        cluster += 1


def peak_rss_mb() -> float:
    """Peak resident memory of this process, in MiB."""
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 if sys.platform != "darwin" else kb / 1024 / 1024


def main() -> None:
    """Generate, link, report."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=TARGET_N, help="how many quotes (default 1,000,000)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--semantic", action="store_true",
                    help="with the sentence-embedding model (quoteline[semantic]) for rewordings")
    args = ap.parse_args()
    semantic = None
    if args.semantic:
        from quoteline.link.semantic import load_semantic

        semantic = load_semantic(required=True)
    t0 = time.perf_counter()
    rows = list(synthetic(args.n, args.seed))
    gen_s = time.perf_counter() - t0
    records = [r for r, _, _ in rows]
    t0 = time.perf_counter()
    clusters = Linker(semantic=semantic).add(records).clusters
    link_s = time.perf_counter() - t0
    pred = {r.quote_id: c.cluster_id for c in clusters.values() for r in c.renderings}
    kinds = {r.quote_id: r.kind for c in clusters.values() for r in c.renderings}
    links = pairwise({r.quote_id: c for r, c, _ in rows}, pred)
    altered = flags(
        {r.quote_id: k == "altered" for r, _, k in rows}, {q: k == "altered" for q, k in kinds.items()}
    )
    projected = link_s * TARGET_N / args.n
    print(f"quotes           {args.n:,} (generated in {gen_s:.1f}s)")
    print(f"clusters         {len(clusters):,} (true {len({c for _, c, _ in rows}):,})")
    print(f"link time        {link_s:.1f}s  ({args.n / link_s:,.0f} quotes/s)")
    print(f"peak RSS         {peak_rss_mb():,.0f} MiB")
    print(f"projected 1M     {projected:.0f}s = {projected / TARGET_S:.2f}x the 10-minute target")
    print(f"pairwise links   {links}")
    print(f"altered flags    {altered}")
    if semantic is not None:
        print(f"semantic         {semantic.calls:,} texts embedded")


if __name__ == "__main__":
    main()
