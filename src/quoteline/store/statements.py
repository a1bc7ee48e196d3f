"""Statements, not renderings: quotes grouped by the cluster they render, so that words said
once and reported by four outlets count once ("said once, reported by 4 outlets"), with the
renderings folded under the statement.

A speaker's statements are read in one pass over the speaker's entries of the index on
(speaker_id, act, day, id, cluster_id), so their cost is that speaker's quotes, as for the
timeline (``SpeakerIndex``, which a web server keeps); a search grouped by statement groups the
search's own candidates (at most ``CANDIDATES``), so it costs what the search costs.
"""

from __future__ import annotations

import datetime as dt
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from quoteline.models import ActChoice, parse_date
from quoteline.search import Filters, SearchRequest, request_problem
from quoteline.store.browse import MAX_IDS, cluster_outlets
from quoteline.store.db import Db, Row
from quoteline.store.queries import (
    CANDIDATES,
    QUOTE_COLUMNS,
    QUOTE_FROM,
    QUOTE_JOINS,
    UNIT_COLUMNS,
    candidates,
    hit_from_row,
)
from quoteline.store.types import QuoteHit, Statement, StatementResult

RENDERINGS_SHOWN = 25  # renderings read for each statement on a page (the rest: its page)
Lead = tuple[int | None, int]  # (cluster id or None, the quote shown for the statement)


def statements_for(db: Db, leads: Sequence[Lead]) -> list[Statement]:
    """The statements of ``leads`` (in that order), each with its renderings and counts."""
    if not leads:
        return []
    clusters = sorted({c for c, _ in leads if c is not None})
    info = _cluster_rows(db, clusters)
    shown = _renderings(db, clusters)
    # A statement in a cluster shows its reference (the words linking stands by); a quote in
    # no cluster, or in one whose units are not read, shows the quote itself.
    lone = [qid for c, qid in leads if c is None or not shown.get(c)]
    hits = _hits(db, lone)
    # Outlets are counted from the renderings read, unless some were left unread.
    outlets = {c: len({r.outlet for r in shown.get(c, [])}) for c in clusters}
    more = [c for c in clusters if c in info and int(info[c]["size"]) > len(shown.get(c, []))]
    outlets.update(cluster_outlets(db, more))
    out = []
    for cluster, qid in leads:
        if cluster is not None and (renderings := shown.get(cluster)):
            lead = next((r for r in renderings if r.rendering == "reference"), renderings[0])
            out.append(_statement(cluster, lead, renderings, info.get(cluster),
                                  outlets.get(cluster, 1)))
        elif qid in hits:
            lead = hits[qid]
            out.append(Statement(cluster, lead, (lead,), 1, 1, int(lead.rendering == "altered"),
                                 lead.outlet, lead.published))
    return out


def _statement(cluster: int, lead: QuoteHit, renderings: list[QuoteHit], row: Row | None,
               outlets: int) -> Statement:
    if row is None:  # a cluster with no row of its own (one rendering, not kept)
        return Statement(cluster, lead, tuple(renderings), len(renderings), outlets,
                         sum(r.rendering == "altered" for r in renderings), lead.outlet,
                         lead.published)
    return Statement(cluster, lead, tuple(renderings), int(row["size"]), outlets,
                     int(row["altered"]), row["first_outlet"],
                     parse_date(row["first_published"]), int(row.get("misattributed") or 0))


def _cluster_rows(db: Db, ids: Sequence[int]) -> dict[int, Row]:
    if not ids:
        return {}
    marks = ", ".join("?" for _ in ids)
    return {int(r["id"]): r for r in db.query(
        "SELECT id, size, altered, first_outlet, first_published, misattributed FROM clusters"
        f" WHERE id IN ({marks})", list(ids))}


def _hits(db: Db, ids: Sequence[int]) -> dict[int, QuoteHit]:
    """id -> hit of the quotes ``ids``."""
    ids = list(ids)[:MAX_IDS]
    if not ids:
        return {}
    marks = ", ".join("?" for _ in ids)
    return {int(r["quote_id"]): hit_from_row(r) for r in db.query(
        f"SELECT {QUOTE_COLUMNS} FROM {QUOTE_FROM} WHERE q.id IN ({marks})", ids)}


def _renderings(db: Db, clusters: Sequence[int]) -> dict[int, list[QuoteHit]]:
    """cluster id -> its first RENDERINGS_SHOWN renderings (utterance units), first
    published first."""
    if not clusters:
        return {}
    marks = ", ".join("?" for _ in clusters)
    window = ("SELECT id, row_number() OVER (PARTITION BY cluster_id ORDER BY id) AS rn"
              f" FROM units WHERE cluster_id IN ({marks})")
    rows = db.query(f"SELECT {UNIT_COLUMNS} FROM ({window}) w JOIN units u ON u.id = w.id"
                    f" JOIN quotes q ON q.id = u.quote_id {QUOTE_JOINS} WHERE w.rn <= ?",
                    [*clusters, RENDERINGS_SHOWN])
    out: dict[int, list[QuoteHit]] = {}
    for hit in sorted((hit_from_row(r) for r in rows), key=_first_published):
        if hit.cluster is not None:
            out.setdefault(hit.cluster, []).append(hit)
    return out


def _first_published(hit: QuoteHit) -> tuple[dt.date, int]:
    return hit.published or hit.said_on or dt.date.max, hit.unit_id or hit.quote_id


# ---------------------------------------------------------------- a speaker's statements
@dataclass(frozen=True, slots=True)
class SpeakerIndex:
    """A speaker's statements as their page reads them: for each dated one, oldest first, the
    day it was first said (``first_said``, as ``date.toordinal()``), its cluster (0: none) and
    its first quote, in three flat arrays (20 bytes a statement, so that a web server can keep
    many: ``Web.speaker_index``); the undated ones; how many quotes; and the timeline
    (statements first said each day, oldest first). Made by ``speaker_index``."""

    first_said: array[int]
    clusters: array[int]
    leads: array[int]
    undated: tuple[Lead, ...]
    quotes: int
    days: tuple[tuple[dt.date, int], ...]

    @property
    def statements(self) -> int:
        """How many statements, dated or not."""
        return len(self.leads) + len(self.undated)

    def size(self) -> int:
        """Entries held (what a cache of indexes counts)."""
        return len(self.leads) + len(self.undated) + len(self.days) + 1

    def latest(self, start: int, stop: int, date_from: dt.date | None = None,
               date_to: dt.date | None = None) -> tuple[list[Lead], int]:
        """The statements ``start:stop`` of those first said between the dates (both open:
        every one, the undated last), the latest first said first; and how many there are."""
        lo = 0 if date_from is None else bisect_left(self.first_said, date_from.toordinal())
        hi = (len(self.first_said) if date_to is None
              else bisect_right(self.first_said, date_to.toordinal()))
        hi = max(lo, hi)
        page = [(self.clusters[i] or None, self.leads[i])
                for i in range(hi - 1 - start, max(lo, hi - stop) - 1, -1) if i >= lo]
        if date_from is not None or date_to is not None:
            return page, hi - lo
        dated = hi - lo
        page += self.undated[max(0, start - dated):max(0, stop - dated)]
        return page, dated + len(self.undated)


def speaker_index(db: Db, speaker_id: int, acts: ActChoice = "speech") -> SpeakerIndex:
    """A speaker's statements (``acts="all"``: thoughts too), from one read of the speaker's
    entries of the index on (speaker_id, act, day, id, cluster_id) (``acts="all"``: of the one
    on (speaker_id, day, id, cluster_id)), in day order: a statement is first said where its
    cluster is first met."""
    speech = " AND act = 'speech'" if acts != "all" else ""
    # days as ISO text, '' for none, so that the rows sort as they are: undated first, then by
    # (day, id), as SQL orders them (packed rows come in no promised order)
    iso = "day" if db.dialect == "sqlite" else "to_char(day, 'YYYY-MM-DD')"
    rows = db.packed(f"SELECT coalesce({iso}, '') AS day, id, cluster_id FROM quotes"
                     f" WHERE speaker_id = ?{speech}", (speaker_id,), ("day", "id", "cluster_id"))
    rows.sort()
    seen: set[int] = set()
    first_said, clusters, leads = array("l"), array("q"), array("q")
    undated: dict[int, Lead] = {}
    days: dict[Any, int] = {}  # the store's day values, parsed once each
    for raw, qid, c in rows:
        key = c if c is not None else -qid
        if not raw:
            undated.setdefault(key, (None if c is None else key, qid))
        elif key not in seen:  # met in day order: its first
            seen.add(key)
            if raw not in days:
                parsed = parse_date(raw)
                assert parsed is not None
                days[raw] = parsed.toordinal()
            first_said.append(days[raw])
            clusters.append(0 if c is None else key)
            leads.append(qid)
    return SpeakerIndex(first_said, clusters, leads,
                        tuple(lead for key, lead in sorted(undated.items()) if key not in seen),
                        len(rows), _histogram(first_said))


def speaker_statements(db: Db, speaker_id: int, *, date_from: dt.date | None = None,
                       date_to: dt.date | None = None, limit: int = 20,
                       offset: int = 0, acts: ActChoice = "speech",
                       index: SpeakerIndex | None = None) -> StatementResult:
    """A speaker's statements (``acts="all"``: thoughts too), the latest first said first
    (undated last), how many there are, and the timeline of them all (``days``); the dates
    keep the statements first said between them (so a timeline bar and the list it opens
    agree). ``index``: the speaker's ``speaker_index`` for these acts, when already read."""
    req = SearchRequest("", Filters(date_from=date_from, date_to=date_to))
    problem = request_problem(req)
    if problem:
        return StatementResult((), 0, problem=problem)
    if index is None:
        index = speaker_index(db, speaker_id, acts)
    start = max(0, offset)
    page, total = index.latest(start, start + max(1, limit), date_from, date_to)
    return StatementResult(tuple(statements_for(db, page)), total, days=index.days,
                           counts=(index.quotes, index.statements))


def _histogram(first_said: Sequence[int]) -> tuple[tuple[dt.date, int], ...]:
    counts: dict[int, int] = {}
    for day in first_said:
        counts[day] = counts.get(day, 0) + 1
    return tuple((dt.date.fromordinal(d), n) for d, n in sorted(counts.items()))


def speaker_statement_days(db: Db, speaker_id: int,
                           acts: ActChoice = "speech") -> list[tuple[dt.date, int]]:
    """(day, statements first said that day) for a speaker, oldest first."""
    return list(speaker_index(db, speaker_id, acts).days)


# ---------------------------------------------------------------- a search by statement
def search_statements(db: Db, req: SearchRequest) -> StatementResult:
    """A search grouped by statement: each statement once, at the rank of its best match,
    with how many statements the candidates hold (grouped in SQL: one query a page)."""
    problem = request_problem(req)
    if problem:
        return StatementResult((), 0, problem=problem)
    offset, limit = max(0, req.offset), max(1, min(req.limit, CANDIDATES))
    found = candidates(db, req)
    if isinstance(found, list):  # ranked in Python (SQLite, common words)
        groups = _group(db, found)
        page, total, n = groups[offset:offset + limit], len(groups), len(found)
    else:
        page, total, n = _grouped_page(db, *found, limit, offset)
    return StatementResult(tuple(statements_for(db, page)), total, n < CANDIDATES)


def _grouped_page(db: Db, sql: str, params: list[Any], limit: int,
                  offset: int) -> tuple[list[Lead], int, int]:
    """(page of statements, statements in all, candidates) of the candidates ``sql``: their
    clusters are read through the narrow index on (id, cluster_id), ranked in SQL and
    grouped here (a thousand rows group faster in Python than in SQL window functions)."""
    narrow = " INDEXED BY quotes_id_cluster" if db.dialect == "sqlite" else ""  # else the rows
    rows = db.packed("SELECT row_number() OVER (ORDER BY c.score DESC, c.id DESC) AS rank,"
                     f" c.id AS id, q.cluster_id AS cluster_id FROM ({sql}) c JOIN quotes q{narrow}"
                     " ON q.id = c.id", params, ("rank", "id", "cluster_id"))
    rows.sort()  # by rank (packed rows come in no promised order)
    groups = _first_of_each([(int(qid), cluster) for _, qid, cluster in rows])
    return groups[offset:offset + limit], len(groups), len(rows)


def _group(db: Db, ids: Sequence[int]) -> list[Lead]:
    """(cluster, best id) of each statement among ranked ``ids``, in rank order."""
    if not ids:
        return []
    marks = ", ".join("?" for _ in ids)
    cluster = {int(qid): c for qid, c in db.packed(
        f"SELECT id, cluster_id FROM quotes WHERE id IN ({marks})", list(ids),
        ("id", "cluster_id"))}
    return _first_of_each([(qid, cluster.get(qid)) for qid in ids])


def _first_of_each(ranked: Sequence[tuple[int, Any]]) -> list[Lead]:
    """The first (best) quote of each statement in ranked (quote id, cluster id) pairs: a
    quote in no cluster is a statement of its own."""
    keys = [int(c) if c is not None else -qid for qid, c in ranked]
    # key -> the position of its first pair: later pairs are written first and overwritten
    first = dict(zip(reversed(keys), range(len(keys) - 1, -1, -1), strict=True))
    out: list[Lead] = []
    for at in sorted(first.values()):
        qid, c = ranked[at]
        out.append((int(c) if c is not None else None, qid))
    return out
