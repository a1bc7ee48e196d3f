"""Analyses for the web in helper processes: a few at a time, each with a CPU-time limit.

The server never parses a pasted text itself: a helper process (started on first use, the
model loaded once) does, under ``RLIMIT_CPU``, so one request cannot pin a core for long,
and a helper that grew past ``web_analyze_max_rss_mb`` is stopped afterwards, so the memory
a long text took goes back to the system. When every helper is busy the caller is told at
once (``Busy``), to answer 503 with Retry-After, instead of queueing without bound.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import os
import signal
import threading
from multiprocessing.connection import Connection
from typing import Any

from quoteline import settings
from quoteline.models import Quote

# How long past its CPU budget a helper may take in wall time (a model to load, a busy
# machine) before it is stopped anyway.
WALL_SLACK = 60.0


class Busy(Exception):
    """Every analysis helper is working."""


class TooCostly(Exception):
    """The analysis used up its CPU time (or its wall time) and was stopped."""


def _rss_mb() -> float:
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6
    except (OSError, ValueError, IndexError, AttributeError):
        return 0.0


def _limit_cpu(seconds: int) -> None:
    """Let this process use ``seconds`` more CPU seconds; past that the kernel stops it."""
    try:
        import resource
    except ImportError:  # not on POSIX: the wall-time limit still applies
        return
    used = resource.getrusage(resource.RUSAGE_SELF)
    soft = int(used.ru_utime + used.ru_stime) + max(1, seconds)
    hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _serve(conn: Connection, model: str | None) -> None:
    """A helper's loop: (text, published, cpu seconds) in, ("ok"|"error", value, rss) out."""
    from quoteline.nlp.pipeline import extract

    while True:
        try:
            text, published, cpu = conn.recv()
        except (EOFError, OSError):
            return
        _limit_cpu(cpu)
        try:
            out: tuple[str, Any] = ("ok", extract(text, published, model=model))
        except Exception as exc:  # a failed analysis is reported, the helper lives on
            out = ("error", f"{type(exc).__name__}: {exc}"[:300])
        conn.send((*out, _rss_mb()))


class _Helper:
    """One helper process and its pipe; started on first use, restarted after it stops."""

    def __init__(self, model: str | None) -> None:
        self.model = model
        self.proc: Any = None
        self.conn: Connection | None = None

    def run(self, text: str, published: dt.date | None, cpu: int, max_rss: float
            ) -> list[Quote]:
        """The quotes in ``text``, extracted in the helper process within the limits."""
        conn = self._ready()
        conn.send((text, published, cpu))
        if not conn.poll(cpu + WALL_SLACK):
            self.stop()
            raise TooCostly(f"the analysis took longer than {cpu + WALL_SLACK:g} s")
        try:
            kind, value, rss = conn.recv()
        except (EOFError, OSError):
            code = self.stop()
            if code == -signal.SIGXCPU or code == -signal.SIGKILL:
                raise TooCostly(f"the analysis used more than {cpu} s of CPU time") from None
            raise RuntimeError(f"the analysis process stopped (exit code {code})") from None
        if rss > max_rss:
            self.stop()
        if kind != "ok":
            raise RuntimeError(value)
        quotes: list[Quote] = value
        return quotes

    def _ready(self) -> Connection:
        if self.conn is not None and self.proc is not None and self.proc.is_alive():
            return self.conn
        self.stop()
        ctx = mp.get_context("spawn")  # never fork a threaded server
        parent, child = ctx.Pipe()
        self.proc = ctx.Process(target=_serve, args=(child, self.model), daemon=True,
                                name="quoteline-analysis")
        self.proc.start()
        child.close()
        self.conn = parent
        return parent

    def stop(self) -> int | None:
        """Stop the process (if any); its exit code."""
        proc, self.proc = self.proc, None
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        if proc is None:
            return None
        if proc.is_alive():
            proc.kill()
        proc.join(5)
        code: int | None = proc.exitcode
        return code


class AnalysisPool:
    """At most ``slots`` analyses at once, each in its own helper process."""

    def __init__(self, model: str | None, slots: int | None = None) -> None:
        slots = settings.get_int("web_max_analyses") if slots is None else slots
        self._idle = [_Helper(model) for _ in range(max(1, slots))]
        self._all = list(self._idle)
        self._lock = threading.Lock()

    @property
    def busy(self) -> int:
        """How many analyses are running now."""
        with self._lock:
            return len(self._all) - len(self._idle)

    def analyze(self, text: str, published: dt.date | None) -> list[Quote]:
        """The quotes in ``text``; Busy when every helper works, TooCostly past the limits."""
        with self._lock:
            if not self._idle:
                raise Busy("every analysis slot is busy")
            helper = self._idle.pop()
        try:
            return helper.run(text, published, settings.get_int("web_analyze_cpu_seconds"),
                              settings.get_float("web_analyze_max_rss_mb"))
        finally:
            with self._lock:
                self._idle.append(helper)

    def close(self) -> None:
        """Stop every helper process."""
        for helper in self._all:
            helper.stop()
