"""Where web latency goes under load: percentiles and each client's mean latency, for search
and speaker pages, with any number of server processes and clients.

    python bench/web_clients.py --db sqlite:////tmp/bench1m.db --workers 1 --clients 10
    python bench/web_clients.py --db sqlite:////tmp/bench1m.db --workers 2 --clients 20

A companion to bench/web_load.py (same store, same server, same lean keep-alive clients):
where that one prints p50/p95 per page, this one prints p10 to p99 and the mean of each
client, so a tail from the whole process pausing (every client slow now and then) and a tail
from clients piled on one process (some clients slow all the time) tell themselves apart.
Prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import http.client
import random
import statistics
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from search_latency import QUERIES
from web_load import SPEAKERS, free_port, start_server, wait_idle


def page_maker(kind: str, rng: random.Random) -> Callable[[], str]:
    """Request paths of one page kind."""
    if kind == "speaker":
        return lambda: f"/speakers/{rng.randint(1, SPEAKERS)}"
    if kind == "statements":
        return lambda: ("/quotes?group=statement&q="
                        + urllib.parse.quote(rng.choice(QUERIES)))
    return lambda: "/quotes?q=" + urllib.parse.quote(rng.choice(QUERIES))


def load(port: int, kind: str, clients: int, seconds: float) -> dict[int, list[float]]:
    """Each client's latencies (ms), its first five left out (connection set-up)."""
    per: dict[int, list[float]] = {}
    stop = time.monotonic() + seconds

    def client(i: int) -> None:
        make = page_maker(kind, random.Random(i))
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        times = []
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            conn.request("GET", make())
            conn.getresponse().read()
            times.append((time.perf_counter() - t0) * 1000)
        conn.close()
        per[i] = times[5:]

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return per


def main() -> None:
    """Serve the store, load each page kind, print percentiles and per-client means."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True, help="a store URL (bench/web_load.py --keep builds one)")
    ap.add_argument("--workers", type=int, default=1, help="server processes")
    ap.add_argument("--clients", type=int, default=10, help="concurrent keep-alive clients")
    ap.add_argument("--seconds", type=float, default=12.0, help="time per page kind")
    ap.add_argument("--pages", default="search,speaker", help="of search, speaker, statements")
    args = ap.parse_args()
    port = free_port()
    server = start_server(args.db, port, args.workers)
    try:
        print(f"{args.workers} server process(es), {args.clients} clients; idle after "
              f"{wait_idle(server.pid):.1f} s")
        for kind in args.pages.split(","):
            per = load(port, kind, args.clients, args.seconds)
            times = sorted(t for v in per.values() for t in v)
            if not times:
                continue
            at = {q: times[min(len(times) - 1, int(len(times) * q))]
                  for q in (0.1, 0.5, 0.75, 0.9, 0.95, 0.99)}
            print(f"{kind:10s} n={len(times):5d}  " + "  ".join(
                f"p{round(q * 100)} {v:6.1f}" for q, v in at.items()) + f"  max {times[-1]:6.1f} ms")
            means = sorted(round(statistics.mean(v)) for v in per.values() if v)
            print(f"{'':10s} each client's mean (ms): {means}")
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
