"""Reads behind the pages and summaries: one quote or article in full, a speaker's quotes and
histogram, the latest quotes, altered-elsewhere counts and outlets.

Every adapter (Python, CLI, web) gets these through ``Store`` methods, so they all see the
same thing; the SQL is written once for both backends.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace

from quoteline.models import ActChoice, parse_date
from quoteline.store.db import Db
from quoteline.store.queries import (
    QUOTE_COLUMNS,
    QUOTE_FROM,
    act_clause,
    bounded_count,
    hit_from_row,
)
from quoteline.store.types import ArticleDetail, QuoteDetail, QuoteHit, SearchResult

MAX_IDS = 1000  # most ids one IN (...) list carries


def quote_detail(db: Db, quote_id: int) -> QuoteDetail | None:
    """One quote by id, with its article's store id and text and the cue's span."""
    row = db.one(f"SELECT {QUOTE_COLUMNS}, a.text AS article_text, q.cue_start, q.cue_end"
                 f" FROM {QUOTE_FROM} WHERE q.id = ?", (quote_id,))
    if row is None:
        return None
    return QuoteDetail(hit_from_row(row), int(row["article_row"]), str(row["article_text"]),
                       row["cue_start"], row["cue_end"])


def article_detail(db: Db, article_row: int, max_quotes: int = 500) -> ArticleDetail | None:
    """One article by store id with its quotes (an identical copy shows its original's)."""
    row = db.one("SELECT id, input_id, url, title, outlet, author, published, text,"
                 " copy_of, copy_kind FROM articles WHERE id = ?", (article_row,))
    if row is None:
        return None
    source = int(row["copy_of"]) if row["copy_kind"] == "identical" else int(row["id"])
    rows = db.query(f"SELECT {QUOTE_COLUMNS}, q.cue_start, q.cue_end FROM {QUOTE_FROM}"
                    " WHERE q.article_id = ? ORDER BY q.start_char, q.id LIMIT ?",
                    (source, max_quotes))
    cues = tuple((int(r["quote_id"]), int(r["cue_start"]), int(r["cue_end"])) for r in rows
                 if r["cue_start"] is not None and r["cue_end"] is not None)
    return ArticleDetail(int(row["id"]), row["input_id"], row["url"], row["title"],
                         row["outlet"], row["author"], parse_date(row["published"]),
                         str(row["text"]), row["copy_of"], row["copy_kind"],
                         tuple(hit_from_row(r) for r in rows), cues)


def speaker_histogram(db: Db, speaker_id: int) -> list[tuple[dt.date, int]]:
    """(day, number of quotes) for a speaker, by said_on (else published), oldest first."""
    rows = db.query("SELECT day, count(*) AS n FROM quotes WHERE speaker_id = ?"
                    " AND day IS NOT NULL GROUP BY day", (speaker_id,))
    out = [(parse_date(r["day"]), int(r["n"])) for r in rows]
    return sorted((d, n) for d, n in out if d is not None)


def speaker_quotes(db: Db, speaker_id: int, *, date_from: dt.date | None = None,
                   date_to: dt.date | None = None, limit: int = 20,
                   offset: int = 0, acts: ActChoice = "speech") -> SearchResult:
    """A speaker's quotes (of the acts asked for), newest first (by said_on, else published),
    within the dates."""
    clauses, params = ["q.speaker_id = ?", act_clause(acts)], [speaker_id]
    for value, op in ((date_from, ">="), (date_to, "<=")):
        if value:
            clauses.append(f"q.day {op} ?")
            params.append(value)  # type: ignore[arg-type]
    where = " AND ".join(clauses)
    sql = (f"SELECT {QUOTE_COLUMNS} FROM {QUOTE_FROM} WHERE {where}"
           " ORDER BY q.day DESC, q.id DESC LIMIT ? OFFSET ?")
    hits = tuple(hit_from_row(r) for r in db.query(sql, [*params, limit, offset]))
    if hits and len(hits) < limit:
        return SearchResult(hits, offset + len(hits))
    count = bounded_count(db, f"SELECT 1 AS x FROM quotes q WHERE {where}", params)
    return replace(count, hits=hits)


def latest_quotes(db: Db, limit: int, offset: int = 0,
                  acts: ActChoice = "speech") -> list[QuoteHit]:
    """The quotes (of the acts asked for) added last (by store id: instant at any size,
    unlike a sort by date)."""
    sql = (f"SELECT {QUOTE_COLUMNS} FROM {QUOTE_FROM} WHERE {act_clause(acts)}"
           " ORDER BY q.id DESC LIMIT ? OFFSET ?")
    return [hit_from_row(r) for r in db.query(sql, (limit, offset))]


def altered_elsewhere(db: Db, hits: Iterable[QuoteHit]) -> dict[int, int]:
    """quote id -> how many *other* renderings in its cluster are flagged altered."""
    hits = list(hits)
    ids = sorted({h.cluster for h in hits if h.cluster is not None})[:MAX_IDS]
    altered: dict[int, int] = {}
    if ids:
        marks = ", ".join("?" for _ in ids)
        altered = {int(r["id"]): int(r["altered"]) for r in db.query(
            f"SELECT id, altered FROM clusters WHERE id IN ({marks})", ids)}
    return {h.quote_id: (altered.get(h.cluster, 0) if h.cluster is not None else 0)
            - (h.rendering == "altered") for h in hits}


def outlets(db: Db, limit: int = 200) -> list[str]:
    """Outlet names with the most articles (alphabetical), for a facet list."""
    rows = db.query("SELECT outlet, count(*) AS n FROM articles WHERE outlet IS NOT NULL"
                    " GROUP BY outlet ORDER BY n DESC, outlet LIMIT ?", (limit,))
    return sorted(str(r["outlet"]) for r in rows)
