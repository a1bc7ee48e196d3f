"""Read queries the web pages need beyond the Store API, on SQLite and PostgreSQL alike.

They run through the Store's public ``db`` (``?`` placeholders, rows as dicts) and reuse the
store's own column list, so a QuoteHit here is the same record the Store hands back.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from quoteline.models import parse_date
from quoteline.store import QuoteHit, Store
from quoteline.store.queries import QUOTE_COLUMNS, QUOTE_FROM, hit_from_row

# ---------------------------------------------------------------- time limits
_deadline = threading.local()


class QueryTimeout(Exception):
    """A query ran past the request's time limit."""


def install_time_limit(store: Store, seconds: float) -> None:
    """Make every query on this store's connection stop after ``seconds`` (per ``deadline``)."""
    store.db.set_time_limit(seconds, _over_deadline)


def _over_deadline() -> bool:
    limit: float | None = getattr(_deadline, "at", None)
    if limit is not None and time.monotonic() > limit:
        _deadline.hit = True
        return True  # SQLite aborts the statement with "interrupted"
    return False


def start_clock(seconds: float) -> None:
    """Start this thread's query clock (SQLite; PostgreSQL uses statement_timeout)."""
    _deadline.at = time.monotonic() + seconds
    _deadline.hit = False


def stop_clock() -> bool:
    """Stop this thread's clock; True when a query was cut off since it started."""
    _deadline.at = None
    return bool(getattr(_deadline, "hit", False))


# ---------------------------------------------------------------- records
@dataclass(frozen=True, slots=True)
class QuoteDetail:
    """One quote with where it sits in its article."""

    hit: QuoteHit
    article_row: int
    article_text: str
    cue_start: int | None
    cue_end: int | None


@dataclass(frozen=True, slots=True)
class ArticleDetail:
    """One stored article with its quotes (in text order)."""

    row: int
    input_id: str | None
    url: str | None
    title: str | None
    outlet: str | None
    author: str | None
    published: dt.date | None
    text: str
    copy_of: int | None
    copy_kind: str | None
    quotes: tuple[QuoteHit, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {"id": self.row, "input_id": self.input_id, "url": self.url, "title": self.title,
                "outlet": self.outlet, "author": self.author,
                "published": self.published.isoformat() if self.published else None,
                "copy_of": self.copy_of, "copy_kind": self.copy_kind, "text": self.text,
                "quotes": [q.to_dict() for q in self.quotes]}


# ---------------------------------------------------------------- queries
def quote_detail(store: Store, quote_id: int) -> QuoteDetail | None:
    """One quote by id, with its article's store id and text."""
    row = store.db.one(
        f"SELECT {QUOTE_COLUMNS}, a.id AS article_row, a.text AS article_text,"
        f" q.cue_start, q.cue_end FROM {QUOTE_FROM} WHERE q.id = ?", (quote_id,))
    if row is None:
        return None
    return QuoteDetail(hit_from_row(row), int(row["article_row"]), str(row["article_text"]),
                       row["cue_start"], row["cue_end"])


def article_detail(store: Store, article_row: int, max_quotes: int = 500) -> ArticleDetail | None:
    """One article by store id with its quotes (a copy shows its original's quotes)."""
    row = store.db.one("SELECT id, input_id, url, title, outlet, author, published, text,"
                       " copy_of, copy_kind FROM articles WHERE id = ?", (article_row,))
    if row is None:
        return None
    source = int(row["copy_of"]) if row["copy_kind"] == "identical" else int(row["id"])
    hits = [hit_from_row(r) for r in store.db.query(
        f"SELECT {QUOTE_COLUMNS} FROM {QUOTE_FROM} WHERE q.article_id = ?"
        " ORDER BY q.start_char, q.id LIMIT ?", (source, max_quotes))]
    return ArticleDetail(int(row["id"]), row["input_id"], row["url"], row["title"],
                         row["outlet"], row["author"], parse_date(row["published"]),
                         str(row["text"]), row["copy_of"], row["copy_kind"], tuple(hits))


def speaker_histogram(store: Store, speaker_id: int) -> list[tuple[dt.date, int]]:
    """(day, number of quotes) for a speaker, by said_on (else published), oldest first."""
    rows = store.db.query("SELECT day, count(*) AS n FROM quotes WHERE speaker_id = ?"
                          " AND day IS NOT NULL GROUP BY day", (speaker_id,))
    out = [(parse_date(r["day"]), int(r["n"])) for r in rows]
    return sorted((d, n) for d, n in out if d is not None)


def speaker_quotes(store: Store, speaker_id: int, *, date_from: dt.date | None = None,
                   date_to: dt.date | None = None, limit: int = 20,
                   offset: int = 0) -> list[QuoteHit]:
    """A speaker's quotes, newest first, optionally within a date range."""
    clauses, params = ["q.speaker_id = ?"], [speaker_id]
    when = "q.day"  # said_on, else published (kept by the store)
    if date_from:
        clauses.append(f"{when} >= ?")
        params.append(date_from)  # type: ignore[arg-type]
    if date_to:
        clauses.append(f"{when} <= ?")
        params.append(date_to)  # type: ignore[arg-type]
    sql = (f"SELECT {QUOTE_COLUMNS} FROM {QUOTE_FROM} WHERE {' AND '.join(clauses)}"
           f" ORDER BY {when} DESC, q.id DESC LIMIT ? OFFSET ?")
    return [hit_from_row(r) for r in store.db.query(sql, [*params, limit, offset])]


def latest_quotes(store: Store, limit: int, offset: int = 0) -> list[QuoteHit]:
    """The quotes added last (by store id: instant at any size, unlike a sort by date)."""
    sql = f"SELECT {QUOTE_COLUMNS} FROM {QUOTE_FROM} ORDER BY q.id DESC LIMIT ? OFFSET ?"
    return [hit_from_row(r) for r in store.db.query(sql, (limit, offset))]


def cluster_flags(store: Store, cluster_ids: set[int]) -> dict[int, tuple[int, int]]:
    """cluster id -> (size, altered renderings) for the given clusters."""
    ids = sorted(cluster_ids)[:1000]
    if not ids:
        return {}
    marks = ", ".join("?" for _ in ids)
    rows = store.db.query(f"SELECT id, size, altered FROM clusters WHERE id IN ({marks})", ids)
    return {int(r["id"]): (int(r["size"]), int(r["altered"])) for r in rows}


def article_rows(store: Store, quote_ids: list[int]) -> dict[int, int]:
    """quote id -> its article's store id."""
    ids = quote_ids[:1000]
    if not ids:
        return {}
    marks = ", ".join("?" for _ in ids)
    rows = store.db.query(f"SELECT id, article_id FROM quotes WHERE id IN ({marks})", ids)
    return {int(r["id"]): int(r["article_id"]) for r in rows}


def outlets(store: Store, limit: int = 200) -> list[str]:
    """Outlet names with the most articles, for the search facet."""
    rows = store.db.query("SELECT outlet, count(*) AS n FROM articles WHERE outlet IS NOT NULL"
                          " GROUP BY outlet ORDER BY n DESC, outlet LIMIT ?", (limit,))
    return sorted(str(r["outlet"]) for r in rows)
