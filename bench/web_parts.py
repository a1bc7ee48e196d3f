"""The parts of a speaker page under load, measured alone: a speaker's index read row by row
against packed into one step (alone and beside a busy thread), the cost of making an index
against finding it kept, and the memory a kept index takes.

    python bench/web_parts.py --db sqlite:////tmp/bench1m.db
    python bench/web_parts.py --db sqlite:////tmp/bench1m.db --speakers 300

The store is one bench/web_load.py builds (``--keep``). Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import random
import threading
import time
import tracemalloc
from collections.abc import Callable

from quoteline.store import open_store
from quoteline.web.context import Web, WebSettings

ROWS = "SELECT day, id, cluster_id FROM quotes WHERE speaker_id = ? AND act = 'speech'"


def per_call(fn: Callable[[int], object], ids: list[int]) -> float:
    """Wall milliseconds a call, over ``ids``."""
    t0 = time.perf_counter()
    for i in ids:
        fn(i)
    return (time.perf_counter() - t0) * 1000 / len(ids)


def reads(url: str, ids: list[int]) -> None:
    """A speaker's index rows: one step a row against packed, alone and beside a busy thread."""
    with open_store(url) as store:
        db = store.db
        ways: dict[str, Callable[[int], object]] = {
            "row by row": lambda i: db.tuples(ROWS, (i,)),
            "packed": lambda i: db.packed(ROWS, (i,), ("day", "id", "cluster_id")),
        }
        alone = {name: per_call(fn, ids) for name, fn in ways.items()}
        stop = threading.Event()

        def spin() -> None:  # pure Python: holds the interpreter lock but for its switches
            n = 0
            while not stop.is_set():
                n += 1

        busy = threading.Thread(target=spin)
        busy.start()
        try:
            beside = {name: per_call(fn, ids[:30]) for name, fn in ways.items()}
        finally:
            stop.set()
            busy.join()
        rows = len(db.tuples(ROWS, (ids[0],)))
    for name in ways:
        print(f"{name:10s} {rows} rows: alone {alone[name]:6.2f} ms, beside a busy thread "
              f"{beside[name]:7.1f} ms")


def kept(url: str, ids: list[int]) -> None:
    """Making a speaker's index (and chart) against finding it kept; bytes a statement kept."""
    def timed(some: list[int]) -> tuple[float, float]:
        web = Web(WebSettings(db_url=url))

        def index(i: int) -> object:
            with web.reading() as store:
                return web.speaker_index(store, i, "speech")

        index(some[0])  # the first call on a connection empties the cache
        return per_call(index, some[1:]), per_call(index, some[1:])

    made, again = timed(ids[:301])  # 300 speakers: all stay kept
    web = Web(WebSettings(db_url=url))
    with web.reading() as store:
        web.speaker_index(store, ids[0], "speech")
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    for i in ids:
        with web.reading() as store:
            web.speaker_index(store, i, "speech")
    gc.collect()
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    held = sum(d.size_diff for d in after.compare_to(before, "filename"))
    print(f"speaker index and chart: made {made:.2f} ms, kept {again:.3f} ms (300 speakers); "
          f"{web._indexed:,} statements kept in {held / 2**20:.1f} MB = "
          f"{held / max(1, web._indexed):.0f} bytes each")


def main() -> None:
    """Parse flags and print both parts."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True, help="a store bench/web_load.py built")
    ap.add_argument("--speakers", type=int, default=1000, help="speakers read (ids 1..N)")
    args = ap.parse_args()
    ids = random.Random(1).sample(range(1, args.speakers + 1), args.speakers)
    reads(args.db, ids[:300])
    kept(args.db, ids)


if __name__ == "__main__":
    main()
