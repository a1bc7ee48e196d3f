"""``extract_many`` with helper processes: this one plus ``workers - 1`` spawned helpers.

Python's "spawn" start re-runs the caller's main script in every helper. A script that calls
``extract_many(workers=2)`` (or ``ingest``) outside ``if __name__ == "__main__":`` would then
call it again in each helper, forever. So the call is refused up front when the script is
plainly unguarded, a helper that finds itself re-running it stops at once, and the pool never
replaces a helper that died (``ProcessPoolExecutor``, not ``Pool``): an error, never a hang.
"""

from __future__ import annotations

import ast
import inspect
import multiprocessing as mp
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from pathlib import Path
from types import FrameType, ModuleType

from spacy.language import Language

from quoteline.errors import QuotelineError, UsageError
from quoteline.models import Article, Extraction, Quote, Skip
from quoteline.nlp.batch import extract_batch
from quoteline.nlp.loader import load_nlp
from quoteline.nlp.options import ExtractOptions

PARALLEL_TASK = 4  # articles per task sent to a worker process
GUARD = 'if __name__ == "__main__":'


def check_can_start_helpers(workers: int) -> None:
    """Raise UsageError when helper processes started from here would re-run this very call."""
    if getattr(mp.current_process(), "_inheriting", False):
        # This is a helper, still importing the caller's script: the script is unguarded.
        raise UsageError(_unguarded_message(workers, "the main script"))
    found = _unguarded_call()
    if found is not None:
        raise UsageError(_unguarded_message(workers, f"{found[0]}, line {found[1]},"))


def _unguarded_message(workers: int, where: str) -> str:
    return (f"workers={workers} starts helper processes, and each one first re-runs the main "
            f"script; {where} would call this again in every helper. Put the script's work "
            f"under `{GUARD}` (as the README's example does), or pass workers=1")


def _unguarded_call() -> tuple[str, int] | None:
    """The file and line of the main script's top-level statement that is making this call,
    when that statement surely runs again on import (no `if` of any kind around it)."""
    main = sys.modules.get("__main__")
    if main is None or not _rerun_by_spawn(main):
        return None
    frame = _main_frame(main)
    if frame is None:
        return None  # called from another thread, or from code the script does not run itself
    try:
        tree = ast.parse(Path(frame.f_code.co_filename).read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError, UnicodeDecodeError):
        return None
    return (frame.f_code.co_filename, frame.f_lineno) if _runs_on_import(tree.body,
                                                                         frame.f_lineno) else None


def _rerun_by_spawn(main: ModuleType) -> bool:
    """Whether a spawned helper re-imports ``main`` (as multiprocessing.spawn decides it)."""
    name = getattr(getattr(main, "__spec__", None), "name", None)
    if name is not None:
        return name != "__main__" and not name.endswith(".__main__")
    return getattr(main, "__file__", None) is not None


def _main_frame(main: ModuleType) -> FrameType | None:
    frame = inspect.currentframe()
    found = None
    while frame is not None:
        if frame.f_code.co_name == "<module>" and frame.f_globals is vars(main):
            found = frame
        frame = frame.f_back
    return found


def _runs_on_import(body: list[ast.stmt], line: int) -> bool:
    """True when the statement at ``line`` in ``body`` runs whenever the module runs: it is not
    inside any `if` (a `__main__` guard or another condition we cannot judge) or handler."""
    for stmt in body:
        if not stmt.lineno <= line <= (stmt.end_lineno or stmt.lineno):
            continue
        if isinstance(stmt, ast.With | ast.For | ast.While):
            return _runs_on_import(stmt.body, line) or _on_header(stmt, line)
        if isinstance(stmt, ast.Try):
            return _runs_on_import(stmt.body, line)
        return not isinstance(stmt, ast.If | ast.Match | ast.FunctionDef | ast.AsyncFunctionDef)
    return False


def _on_header(stmt: ast.With | ast.For | ast.While, line: int) -> bool:
    """True when ``line`` is in the statement's own header ("with open_store(...) as s:")."""
    return bool(stmt.body) and line < stmt.body[0].lineno


# ---------------------------------------------------------------- helper processes
_WORKER: dict[str, object] = {}


def _init_worker(model: str | None, opts: ExtractOptions) -> None:
    _WORKER.update(model=model, options=opts)
    load_nlp(model)  # once per process


def _work(batch: list[Article | Skip]) -> list[tuple[Quote, ...] | Skip]:
    # Only the quotes travel back: the parent still holds the articles and their text.
    model, opts = _WORKER["model"], _WORKER["options"]
    assert isinstance(opts, ExtractOptions) and (model is None or isinstance(model, str))
    out: list[tuple[Quote, ...] | Skip] = []
    for res in extract_batch(load_nlp(model), batch, opts):
        out.append(res if isinstance(res, Skip) else res.quotes)
    return out


def extract_parallel(
    items: Iterable[Article | Skip], model: str | None, batch_size: int, workers: int,
    opts: ExtractOptions,
) -> Iterator[Extraction | Skip]:
    """``workers`` processes: this one, whose model is already loaded, and ``workers - 1`` helpers.

    This process parses a task whenever the helpers have enough queued, so it is never idle
    while they start and load their model, and half the text never crosses a pipe.
    """
    nlp = load_nlp(model)  # fails fast, here, when no model is installed
    it = iter(items)
    # Small tasks keep every process busy up to the end of the input.
    task = max(1, min(batch_size, PARALLEL_TASK))
    batches = iter(lambda: list(islice(it, task)), [])
    helpers = workers - 1
    # A few tasks read ahead, so that the end of the input is seen coming: there the helpers
    # get only their share of what is left, and no process waits on another's queue.
    ahead: deque[list[Article | Skip]] = deque(islice(batches, 3 * workers))
    pool = ProcessPoolExecutor(helpers, mp_context=mp.get_context("spawn"),
                               initializer=_init_worker, initargs=(model, opts))
    try:
        yield from _schedule(nlp, pool, ahead, batches, workers, opts)
    except BrokenProcessPool:  # at a submit, or at a result: no helper is ever replaced
        raise QuotelineError(
            f"a helper process of workers={workers} stopped before finishing its work. "
            f"From a script: helpers re-run the main script, so put its work under `{GUARD}`; "
            "otherwise it was killed (out of memory?): try fewer workers, or workers=1"
        ) from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _schedule(nlp: Language, pool: ProcessPoolExecutor, ahead: deque[list[Article | Skip]],
              batches: Iterator[list[Article | Skip]], workers: int,
              opts: ExtractOptions) -> Iterator[Extraction | Skip]:
    """Tasks to the helpers or to this process; results in input order."""
    helpers = workers - 1
    # Results leave in input order; at most a bounded number of tasks wait in the window.
    window: deque[_Pending] = deque()
    while ahead:
        batch = ahead.popleft()
        ahead.extend(islice(batches, 1))
        pending = sum(1 for p in window if not p.ready())
        if _to_helper(pending, helpers, len(ahead) + 1, len(ahead) < 3 * workers):
            window.append(_Pending(batch, pool.submit(_work, batch)))
        else:
            window.append(_Pending(batch, list(extract_batch(nlp, batch, opts))))
        while window and (window[0].ready() or len(window) > 8 * workers):
            yield from window.popleft().results()
    while window:
        yield from window.popleft().results()


def _to_helper(pending: int, helpers: int, left: int, ending: bool) -> bool:
    """Whether the next task goes to a helper: while each has under three queued and, near the
    end of the input, while the helpers' queued tasks are under their share of what is left."""
    if pending >= 3 * helpers:
        return False
    return not ending or pending * (helpers + 1) < (left + pending) * helpers


class _Pending:
    """One task's results: computed here (a list) or in a helper process (a Future)."""

    def __init__(self, batch: list[Article | Skip],
                 result: list[Extraction | Skip] | Future[list[tuple[Quote, ...] | Skip]]) -> None:
        self.batch, self.result = batch, result

    def ready(self) -> bool:
        """True when the results can be read without waiting."""
        return isinstance(self.result, list) or self.result.done()

    def results(self) -> Iterator[Extraction | Skip]:
        """The task's results, in input order (waiting for a helper's if need be)."""
        if isinstance(self.result, list):
            yield from self.result
            return
        for art, res in zip(self.batch, self.result.result(), strict=True):
            if isinstance(res, Skip):
                yield res
            else:
                assert isinstance(art, Article)  # a Skip input comes back as itself
                yield Extraction(article=art, quotes=res)
