"""Extraction speed next to a bare spaCy ``nlp.pipe``, and 2 worker processes against 1.

  .venv/bin/python bench/extract_speed.py [--limit N] [--repeat R] [--workers 2]

Reads the PolNeAR dev texts (../shared/data/polnear-dev.jsonl; never copied into the repo).
Prints throughputs (tokens/s, docs/s) and ratios against the targets:
  extraction / bare nlp.pipe   >= 0.9      workers=2 / workers=1 >= 1.6
plus the peak RSS of each worker process (VmHWM from /proc, polled while the pool runs).
Timings are the best of --repeat runs; no assertion is made on them anywhere.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import spacy

from quoteline.models import Article, Extraction, parse_date
from quoteline.nlp.loader import load_nlp, model_label, resolve_model_name
from quoteline.nlp.pipeline import DEFAULT_BATCH, extract_many

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "polnear-dev.jsonl"


def load_articles(path: Path, limit: int | None) -> list[Article]:
    """Articles (id, text, published) from a gold JSONL file."""
    if not path.is_file():
        sys.exit(f"{path}: not found; pass --data PATH to a JSONL file of articles")
    out = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                d = json.loads(line)
                out.append(Article(text=d["text"], id=str(d["id"]),
                                   published=parse_date(d.get("published"))))
    return out[:limit] if limit else out


def cpu_seconds() -> float:
    """User + system CPU time of this process and its finished children."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


CPU: dict[str, float] = {}  # label -> CPU seconds of the best run


def best_of(repeat: int, fn: Callable[[], int], label: str = "") -> tuple[float, int]:
    """The shortest wall time of ``repeat`` runs of ``fn`` and what it returned."""
    best, value = float("inf"), 0
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), cpu_seconds()
        value = fn()
        wall = time.perf_counter() - t0
        if wall < best:
            best = wall
            CPU[label] = cpu_seconds() - c0
    return best, value


def bare_pipe(nlp: spacy.language.Language, texts: list[str], batch_size: int) -> int:
    """Tokens parsed by a plain ``nlp.pipe``."""
    return sum(len(doc) for doc in nlp.pipe(texts, batch_size=batch_size))


def run_extract(articles: list[Article], model: str | None, batch_size: int, workers: int) -> int:
    """Quotes found by ``extract_many``."""
    n = 0
    for res in extract_many(articles, model=model, batch_size=batch_size, workers=workers):
        n += len(res.quotes) if isinstance(res, Extraction) else 0
    return n


# ---------------------------------------------------------------- worker memory
def _children() -> Iterator[int]:
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/children") as f:
                yield from (int(p) for p in f.read().split())
        except OSError:
            continue


def _status_kb(pid: int, field: str) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _is_worker(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmd = f.read()
    except OSError:
        return False
    return b"multiprocessing" in cmd and b"resource_tracker" not in cmd


class PeakRss:
    """Polls the worker processes of this process for their peak RSS (VmHWM)."""

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self.peaks: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _poll(self) -> None:
        while not self._stop.is_set():
            for pid in _children():
                kb = _status_kb(pid, "VmHWM")
                if kb is not None and _is_worker(pid):
                    self.peaks[pid] = max(self.peaks.get(pid, 0), kb)
            self._stop.wait(self.interval)


# ---------------------------------------------------------------- report
def _rate(n: int, seconds: float) -> str:
    return f"{n / seconds:10,.0f}" if seconds > 0 else "       inf"


def main(argv: list[str] | None = None) -> None:
    """Measure and print; see the module docstring."""
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--limit", type=int, default=None, help="only the first N documents")
    ap.add_argument("--repeat", type=int, default=1, help="runs per measurement (best counts)")
    ap.add_argument("--model", default=None)
    ap.add_argument("--batch-size", type=int, default=DEFAULT_BATCH)
    ap.add_argument("--workers", type=int, default=2, help="worker count to compare with 1 "
                    "(0 skips the comparison)")
    a = ap.parse_args(argv)

    articles = load_articles(a.data, a.limit)
    texts = [art.text for art in articles]
    name = resolve_model_name(a.model)
    bare = spacy.load(name)
    nlp = load_nlp(a.model)
    print(f"{len(texts)} docs, {sum(map(len, texts)):,} chars, model {model_label(nlp)}, "
          f"{os.cpu_count()} CPUs, batch {a.batch_size}, best of {a.repeat}")
    print("load average before: {:.2f} {:.2f} {:.2f} (other work on the machine skews "
          "wall times, above all the workers comparison)".format(*os.getloadavg()))
    print(f"bare pipeline components: {', '.join(bare.pipe_names)}")
    bare_pipe(bare, texts[:3], a.batch_size)  # warm up both pipelines
    run_extract(articles[:3], a.model, a.batch_size, 1)

    t_bare, t_ext, n_tok, n_quotes = float("inf"), float("inf"), 0, 0
    for _ in range(a.repeat):  # alternate, so that load from elsewhere hits both alike
        t, n_tok = best_of(1, lambda: bare_pipe(bare, texts, a.batch_size), "bare")
        t_bare = min(t_bare, t)
        t, n_quotes = best_of(1, lambda: run_extract(articles, a.model, a.batch_size, 1), "w1")
        t_ext = min(t_ext, t)
    n_docs = len(texts)
    print(f"\n{'':24s} {'seconds':>8s} {'tokens/s':>10s} {'docs/s':>10s} {'CPU s':>7s}")
    print(f"{'bare nlp.pipe':24s} {t_bare:8.2f} {_rate(n_tok, t_bare)} {_rate(n_docs, t_bare)} "
          f"{CPU['bare']:7.2f}")
    print(f"{'extract_many workers=1':24s} {t_ext:8.2f} {_rate(n_tok, t_ext)} "
          f"{_rate(n_docs, t_ext)} {CPU['w1']:7.2f}   ({n_quotes} quotes)")
    ratio = t_bare / t_ext if t_ext else float("inf")
    print(f"RATIO extraction / bare nlp.pipe throughput = {ratio:.3f}  (target >= 0.9: "
          f"{'met' if ratio >= 0.9 else 'NOT met'})")
    if a.workers >= 2:
        _compare_workers(articles, a, t_ext, n_tok)


def _mb(usage: resource.struct_rusage) -> str:
    return f"{usage.ru_maxrss / 1024:.0f} MB"


def _compare_workers(articles: list[Article], a: argparse.Namespace, t_one: float,
                     n_tok: int) -> None:
    def timed() -> int:
        return run_extract(articles, a.model, a.batch_size, a.workers)

    with PeakRss() as rss:
        t_many, _ = best_of(a.repeat, timed, "wN")
    speedup = t_one / t_many if t_many else float("inf")
    print(f"{f'extract_many workers={a.workers}':24s} {t_many:8.2f} {_rate(n_tok, t_many)} "
          f"{_rate(len(articles), t_many)} {CPU['wN']:7.2f}   (this process and "
          f"{a.workers - 1} helper(s); wall includes starting the helpers and loading their "
          "model; CPU counts all processes)")
    target = 0.8 * a.workers
    print(f"RATIO workers={a.workers} / workers=1 speed = {speedup:.3f}  (target >= {target:.1f}: "
          f"{'met' if speedup >= target else 'NOT met'})")
    print(f"  worker pid {os.getpid()} (this process): peak RSS "
          f"{_mb(resource.getrusage(resource.RUSAGE_SELF))} (ru_maxrss; includes the bare "
          "pipeline loaded above)")
    for pid, kb in sorted(rss.peaks.items()):
        print(f"  worker pid {pid} (helper): peak RSS {kb / 1024:.0f} MB (VmHWM)")


if __name__ == "__main__":
    main()
