"""Reads: search, speaker timelines, clusters, skips and exports, the same on both backends."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from quoteline.models import ActChoice, parse_date
from quoteline.search import (
    Filters,
    Query,
    SearchRequest,
    Term,
    fts5_term,
    parse_query,
    request_problem,
    to_fts5,
    to_tsquery,
)
from quoteline.store.db import Db, Row
from quoteline.store.types import (
    ClusterView,
    QuoteHit,
    SearchResult,
    SkipRow,
    SpeakerInfo,
    StoreStats,
)
from quoteline.store.units import flag_clause, quote_flag_clause
from quoteline.store.write import THOUGHT_TOKEN, facet_word, name_key, outlet_token

QUOTE_COLUMNS = (
    "q.id AS quote_id, a.input_id AS article_id, a.id AS article_row, a.url, a.outlet, a.published, a.title,"
    " q.start_char, q.end_char, q.text, q.kind, q.speaker, q.speaker_id,"
    " s.name AS speaker_name, q.speaker_title, q.cue, q.said_on, q.said_on_basis,"
    " q.confidence, q.cluster_id, q.rendering, q.similarity, q.diff, q.act, q.rule"
)
QUOTE_JOINS = ("JOIN articles a ON a.id = q.article_id"
               " LEFT JOIN speakers s ON s.id = q.speaker_id")
QUOTE_FROM = "quotes q " + QUOTE_JOINS
CANDIDATES = 1000  # most matches a ranked search scores


def hit_from_row(r: Row) -> QuoteHit:
    """A QuoteHit from a row selected with QUOTE_COLUMNS."""
    score = r.get("score")
    return QuoteHit(
        quote_id=int(r["quote_id"]), article_id=r["article_id"], url=r["url"],
        outlet=r["outlet"], published=parse_date(r["published"]), title=r["title"],
        start=int(r["start_char"]), end=int(r["end_char"]), text=r["text"], kind=r["kind"],
        speaker=r["speaker"], speaker_id=r["speaker_id"], speaker_name=r["speaker_name"],
        speaker_title=r["speaker_title"], cue=r["cue"], said_on=parse_date(r["said_on"]),
        said_on_basis=r["said_on_basis"], confidence=r["confidence"], cluster=r["cluster_id"],
        rendering=r["rendering"], similarity=r["similarity"],
        diff=json.loads(r["diff"]) if r["diff"] else None,
        score=float(score) if score is not None else None, article_row=r.get("article_row"),
        act=r.get("act") or "speech", rule=r.get("rule"),
        unit_id=r.get("unit_id"), severity=r.get("severity"),
        attributed_to=(r["speaker"] or r["speaker_name"]) if r.get("attributed_id") else None,
    )


# ------------------------------------------------------------------ search
@dataclass(slots=True)
class _Where:
    """Filters as SQL (on q = quotes, a = articles) and, for SQLite, as FTS5 facet terms."""

    clauses: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)
    facets: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)  # facet terms a match must not have
    needs_article: bool = False

    def sql(self) -> str:
        """The WHERE clause (empty without clauses)."""
        return "WHERE " + " AND ".join(self.clauses) if self.clauses else ""

    def match(self, *terms: str) -> str:
        """The FTS5 expression of ``terms`` and the facets, without the excluded facets (FTS5
        has no NOT on its own: it needs at least one term or facet)."""
        expr = " AND ".join([*terms, *self.facets])
        return f"({expr}) NOT ({' OR '.join(self.excluded)})" if self.excluded else expr


def search(db: Db, req: SearchRequest) -> SearchResult:
    """Ranked full-text search with filters (best first; newest first without text), with the
    number of matches; a request that cannot be searched (see ``request_problem``) finds
    nothing and says why."""
    problem = request_problem(req)
    if problem:
        return SearchResult((), 0, problem=problem)
    query = parse_query(req.text)
    limit = max(1, min(int(req.limit), 1000))
    offset = max(0, int(req.offset))
    if query.empty:
        return _unranked(db, req.filters, limit, offset)
    if db.dialect == "sqlite":
        weighed = _weighed(db, query)
        if weighed != query:  # some words are in most quotes: rank without them (see below)
            ranked = _sqlite_ranked(db, query, weighed, req.filters)
            return SearchResult(tuple(_page(db, ranked, limit, offset)), len(ranked),
                                len(ranked) < CANDIDATES)
        ids, params = _sqlite_candidates(db, query, req.filters)
    else:
        ids, params = _pg_candidates(db, to_tsquery(query), req.filters)
    # Rank and cut the candidates first, then join only the page's rows to their articles;
    # the window counts the candidates on the way (at most CANDIDATES rows).
    page = (f"SELECT id, score, count(*) OVER () AS total FROM ({ids}) c"
            " ORDER BY score DESC, id DESC LIMIT ? OFFSET ?")
    sql = (f"SELECT {QUOTE_COLUMNS}, m.score, m.total FROM ({page}) m JOIN quotes q"
           f" ON q.id = m.id {QUOTE_JOINS} ORDER BY m.score DESC, q.id DESC")
    rows = db.query(sql, [*params, limit, offset])
    if rows:
        total = int(rows[0]["total"])
    else:  # past the last page: count the candidates alone
        total = int(db.scalar(f"SELECT count(*) AS n FROM ({ids}) c", params) or 0)
    return SearchResult(tuple(hit_from_row(r) for r in rows), total, total < CANDIDATES)


def candidates(db: Db, req: SearchRequest) -> tuple[str, list[Any]] | list[int]:
    """A search's candidates (at most CANDIDATES), for grouping them by statement: SQL of
    (id, score) rows, best first by ``score DESC, id DESC`` (newest first without words), or,
    where SQLite ranks in two steps (common words), the ranked ids themselves. A request with
    a problem has none."""
    if request_problem(req):
        return []
    query = parse_query(req.text)
    if query.empty:
        w = _filters(db, req.filters, facets=False)
        joins = " JOIN articles a ON a.id = q.article_id" if w.needs_article else ""
        if not w.clauses:  # nothing asked: the latest
            return "SELECT q.id AS id, q.id AS score FROM quotes q ORDER BY q.id DESC LIMIT ?", [
                CANDIDATES]
        newest = (f"SELECT q.id, q.day FROM quotes q{joins} {w.sql()}"
                  " ORDER BY q.day DESC, q.id DESC LIMIT ?")
        return (f"SELECT id, -row_number() OVER (ORDER BY day DESC, id DESC) AS score"
                f" FROM ({newest}) n", [*w.params, CANDIDATES])
    if db.dialect == "sqlite":
        weighed = _weighed(db, query)
        if weighed != query:
            return [i for i, _ in _sqlite_ranked(db, query, weighed, req.filters)]
        return _sqlite_candidates(db, query, req.filters)
    return _pg_candidates(db, to_tsquery(query), req.filters)


def _unranked(db: Db, f: Filters, limit: int, offset: int) -> SearchResult:
    """Quotes matching the filters alone, newest first, and how many (counted up to a cap)."""
    w = _filters(db, f, facets=False)
    sql = (f"SELECT {QUOTE_COLUMNS} FROM {QUOTE_FROM} {w.sql()}"
           " ORDER BY q.day DESC, q.id DESC LIMIT ? OFFSET ?")
    hits = tuple(hit_from_row(r) for r in db.query(sql, [*w.params, limit, offset]))
    if hits and len(hits) < limit:  # the last page: the count is known
        return SearchResult(hits, offset + len(hits))
    return replace(bounded_count(db, *_filter_rows(db, f)), hits=hits)


def _filter_rows(db: Db, f: Filters) -> tuple[str, list[Any]]:
    """SQL of the quotes matching the filters, for counting: on SQLite the filters that are
    facets are looked up in the full-text index (an outlet, a kind, a speaker), not scanned."""
    w = _filters(db, f, facets=db.dialect == "sqlite")
    if w.facets:
        joins = " JOIN quotes q ON q.id = quotes_fts.rowid" if w.clauses else ""
        if w.needs_article:
            joins += " JOIN articles a ON a.id = q.article_id"
        more = "".join(f" AND {c}" for c in w.clauses)
        return (f"SELECT 1 AS x FROM quotes_fts{joins} WHERE quotes_fts MATCH ?{more}",
                [w.match(), *w.params])
    if w.excluded:  # no facet to match: the acts are filtered on the rows
        w.clauses.append(act_clause(f.acts))
    joins = " JOIN articles a ON a.id = q.article_id" if w.needs_article else ""
    return f"SELECT 1 AS x FROM quotes q{joins} {w.sql()}", w.params


def bounded_count(db: Db, sql: str, params: Iterable[Any]) -> SearchResult:
    """How many rows ``sql`` yields, counting no further than CANDIDATES (so the cost stays
    flat), as a hitless SearchResult (``exact`` unless the count stopped at the cap)."""
    n = int(db.scalar(f"SELECT count(*) AS n FROM ({sql} LIMIT ?) c", [*params, CANDIDATES])
            or 0)
    return SearchResult((), n, n < CANDIDATES)


def _page(db: Db, ranked: list[tuple[int, float]], limit: int, offset: int) -> list[QuoteHit]:
    """The rows of one page of ranked (id, score) pairs, in that order."""
    page = ranked[offset:offset + limit]
    if not page:
        return []
    marks = ", ".join("?" for _ in page)
    rows = {int(r["quote_id"]): r for r in db.query(
        f"SELECT {QUOTE_COLUMNS} FROM {QUOTE_FROM} WHERE q.id IN ({marks})", [i for i, _ in page])}
    return [hit_from_row({**rows[i], "score": score}) for i, score in page if i in rows]


# Ranking is bounded: the best of at most CANDIDATES matches (SQLite: the newest; PostgreSQL:
# the first the index yields) keeps latency flat at millions of quotes.
#
# SQLite ranks in two steps. FTS5's bm25 weighs each phrase of its MATCH by counting every
# quote that contains it, which costs in proportion to the store for a common word. A word in
# half the quotes or more has an inverse document frequency of zero in bm25 (clamped to 1e-6),
# so it cannot change the order: the candidates are found with the whole query, and bm25 runs
# only over the words that carry weight, within the candidates' rowid range. With no such word
# (a query of stop words) the newest matches come first.
COMMON = 0.5  # share of quotes above which a word carries no weight in bm25
RANK_ROWS = 20_000  # most rows the weighting step reads
SHARE_SECONDS = 300.0  # how long a word's estimated share is reused (shares move slowly)
_SHARES: dict[tuple[str, Term], tuple[float, float]] = {}  # (store, word) -> (share, when)
BM25 = "-bm25(quotes_fts, 1.0, 1.0, 0.0)"  # text and speaker count; the facets column does not


def _weighed(db: Db, query: Query) -> Query:
    """The query without the words that bm25 gives no weight (groups left empty are dropped)."""
    groups = tuple(g for g in (tuple(t for t in group if _weighty(db, t))
                               for group in query.groups) if g)
    return Query(groups, query.negated)


def _sqlite_candidates(db: Db, query: Query, f: Filters) -> tuple[str, list[Any]]:
    """SQL (and its parameters) of the newest CANDIDATES matches with their bm25 score."""
    w = _filters(db, f, facets=True)
    return _fts_sql(w, query, f"quotes_fts.rowid AS id, {BM25} AS score", CANDIDATES)


def _sqlite_ranked(db: Db, query: Query, weighed: Query, f: Filters) -> list[tuple[int, float]]:
    """(id, score) of the newest CANDIDATES matches of ``query``, scored by ``weighed``."""
    w = _filters(db, f, facets=True)
    ids = [int(i) for i, in db.packed(*_fts_sql(w, query, "quotes_fts.rowid AS id", CANDIDATES),
                                       ("id",))]
    if not weighed.groups or not ids:  # every word is in most quotes: newest first
        return [(i, 0.0) for i in ids]
    # The query without its weightless words matches a superset of the candidates, small within
    # their rowid range, and gives them the whole query's bm25.
    sql, params = _fts_sql(w, weighed, f"quotes_fts.rowid AS id, {BM25} AS score", RANK_ROWS,
                           (min(ids), max(ids)))
    # packed (many rows: see Db.packed), the scores as text of 17 digits: exactly the double
    scores = {int(i): float(score) for i, score in db.packed(
        sql, params, ("id", "printf('%.17g', score)"))}
    return _best_first((i, scores.get(i, 0.0)) for i in ids)


def _best_first(scored: Iterable[tuple[int, float]]) -> list[tuple[int, float]]:
    return sorted(scored, key=lambda p: (-p[1], -p[0]))


def _fts_sql(w: _Where, query: Query, columns: str, limit: int,
             rowids: tuple[int, int] | None = None) -> tuple[str, list[Any]]:
    """SQL and parameters: the newest ``limit`` FTS5 matches of ``query`` under the filters
    ``w`` (within ``rowids``, when given)."""
    expr = w.match(f"{{text speaker}} : ({to_fts5(query)})")
    joins = " JOIN quotes q ON q.id = quotes_fts.rowid" if w.clauses else ""
    if w.needs_article:
        joins += " JOIN articles a ON a.id = q.article_id"
    clauses, params = list(w.clauses), list(w.params)
    if rowids is not None:
        clauses.append("quotes_fts.rowid BETWEEN ? AND ?")
        params += list(rowids)
    where = " AND " + " AND ".join(clauses) if clauses else ""
    return (f"SELECT {columns} FROM quotes_fts{joins} WHERE quotes_fts MATCH ?{where}"
            " ORDER BY quotes_fts.rowid DESC LIMIT ?", [expr, *params, limit])


def _weighty(db: Db, term: Term) -> bool:
    """True unless ``term`` is in COMMON or more of the quotes (then bm25 gives it no weight).

    The share is estimated from the term's newest matches, which costs little at any store
    size (at most CANDIDATES entries of its index), and remembered for SHARE_SECONDS. A prefix
    is taken as weighty unprobed: expanding it costs as much as the search.
    """
    if term.prefix:
        return True
    key = (db.url, term)
    known = _SHARES.get(key)
    if known is None or time.monotonic() - known[1] > SHARE_SECONDS:
        known = (_share(db, term), time.monotonic())
        if len(_SHARES) >= 10_000:
            _SHARES.clear()
        _SHARES[key] = known
    return known[0] < COMMON


def _share(db: Db, term: Term) -> float:
    row = db.one("SELECT min(id) AS low, count(*) AS n FROM (SELECT rowid AS id"
                 " FROM quotes_fts WHERE quotes_fts MATCH ? ORDER BY rowid DESC LIMIT ?)",
                 [f"{{text speaker}} : {fts5_term(term)}", CANDIDATES])
    if row is None or not row["n"]:
        return 0.0
    newest = int(db.scalar("SELECT max(id) AS n FROM quotes") or 0)
    return int(row["n"]) / max(1, newest - int(row["low"]) + 1)


def _pg_candidates(db: Db, tsquery: str, f: Filters) -> tuple[str, list[Any]]:
    w = _filters(db, f, facets=False)
    joins = " JOIN articles a ON a.id = q.article_id" if w.needs_article else ""
    sql = (f"SELECT q.id, ts_rank_cd(q.tsv, tq.query) AS score FROM quotes q{joins}"
           " CROSS JOIN (SELECT to_tsquery('english', ?) AS query) tq"
           f" WHERE q.tsv @@ tq.query{' AND ' + ' AND '.join(w.clauses) if w.clauses else ''}"
           " LIMIT ?")
    return sql, [tsquery, *w.params, CANDIDATES]


def _filters(db: Db, f: Filters, *, facets: bool) -> _Where:
    w = _Where()
    if f.speaker_id is not None and facets and f.speaker_id > 0:
        w.facets.append(f'facets : "s{int(f.speaker_id)}"')
    elif f.speaker_id is not None:
        w.clauses.append("q.speaker_id = ?")
        w.params.append(int(f.speaker_id))
    if f.speaker:
        ids = speaker_ids(db, f.speaker)
        if ids and facets:
            w.facets.append("facets : (" + " OR ".join(f'"s{i}"' for i in ids) + ")")
        elif ids:
            w.clauses.append(f"q.speaker_id IN ({', '.join('?' for _ in ids)})")
            w.params += ids
        else:  # no corpus speaker by that name: match the name as the articles give it
            w.clauses.append("lower(q.speaker) = ?")
            w.params.append(f.speaker.casefold().strip())
    if f.kind and facets:
        w.facets.append(f'facets : "k{facet_word(f.kind)}"')
    elif f.kind:
        w.clauses.append("q.kind = ?")
        w.params.append(f.kind)
    if f.outlet and facets:
        w.facets.append(f'facets : "{outlet_token(f.outlet)}"')
    elif f.outlet:
        w.clauses.append("lower(a.outlet) = ?")
        w.params.append(" ".join(f.outlet.casefold().split()))
        w.needs_article = True
    for value, op in ((f.date_from, ">="), (f.date_to, "<=")):
        if value:
            w.clauses.append(f"q.day {op} ?")
            w.params.append(value)
    if f.cluster is not None:  # any of the quote's units in the cluster
        w.clauses.append("q.id IN (SELECT quote_id FROM units WHERE cluster_id = ?)")
        w.params.append(f.cluster)
    if f.min_confidence is not None:
        w.clauses.append("q.confidence >= ?")
        w.params.append(f.min_confidence)
    if f.flag:
        w.clauses.append(quote_flag_clause(f.flag))
    if f.acts != "all" and facets:  # thoughts are few: excluded inside the index
        w.excluded.append(f'facets : "{THOUGHT_TOKEN}"')
    elif f.acts != "all":
        w.clauses.append(act_clause(f.acts))
    return w


def act_clause(acts: ActChoice) -> str:
    """SQL (on q = quotes) keeping the quotes of the acts asked for: statements, or all."""
    return "1 = 1" if acts == "all" else "q.act = 'speech'"


# ------------------------------------------------------------------ speakers
def speaker_ids(db: Db, name: str) -> list[int]:
    """Speakers whose name or alias is ``name``, else whose name ends with it (a surname)."""
    key = name_key(name)
    if not key:
        return []
    exact = db.query(
        "SELECT id FROM speakers WHERE name_key = ? UNION "
        "SELECT speaker_id AS id FROM speaker_aliases WHERE alias_key = ?", (key, key))
    if exact:
        return sorted(int(r["id"]) for r in exact)
    rows = db.query("SELECT id FROM speakers WHERE name_key LIKE ? ORDER BY id", ("% " + key,))
    return [int(r["id"]) for r in rows]


def speaker_info(db: Db, speaker_id: int, counts: bool = True) -> SpeakerInfo | None:
    """One speaker with aliases, titles (with the capitals the articles gave them), and how
    many of their quotes are statements (reports) and in how many clusters (statements)
    (``counts=False``: not counted, left 0)."""
    row = db.one("SELECT id, name, title FROM speakers WHERE id = ?", (speaker_id,))
    if row is None:
        return None
    aliases = [r["alias"] for r in db.query(
        "SELECT alias FROM speaker_aliases WHERE speaker_id = ? ORDER BY alias", (speaker_id,))]
    titles = [r["title"] for r in db.query(
        "SELECT title FROM speaker_titles WHERE speaker_id = ? ORDER BY title", (speaker_id,))]
    cased = cased_titles(db, speaker_id) if titles else {}
    n = db.one("SELECT count(*) AS n, count(DISTINCT coalesce(cluster_id, -id)) AS k"
               " FROM quotes WHERE speaker_id = ? AND act = 'speech'", (speaker_id,)
               ) if counts else None
    title = cased.get(fold_title(row["title"]), row["title"]) if row["title"] else None
    return SpeakerInfo(int(row["id"]), row["name"], title, tuple(aliases),
                       tuple(cased.get(fold_title(t), t) for t in titles),
                       int((n or {}).get("n") or 0), int((n or {}).get("k") or 0))


def fold_title(text: str) -> str:
    """A title as compared: case-folded, spaces folded."""
    return " ".join(text.casefold().split())


def cased_titles(db: Db, speaker_id: int, sample: int = 100) -> dict[str, str]:
    """Folded title -> its most frequent form as written in the speaker's quotes (the first
    ``sample`` of them, so the cost is bounded): speakers keep titles folded for matching,
    pages show them as written."""
    forms: dict[str, Counter[str]] = {}
    for r in db.query("SELECT t FROM (SELECT speaker_title AS t FROM quotes"
                      " WHERE speaker_id = ? LIMIT ?) s WHERE t IS NOT NULL",
                      (speaker_id, sample)):
        forms.setdefault(fold_title(str(r["t"])), Counter())[r["t"]] += 1
    return {key: count.most_common(1)[0][0] for key, count in forms.items()}


def timeline(db: Db, speaker_id: int, limit: int | None = None,
             acts: ActChoice = "speech") -> list[QuoteHit]:
    """Everything a speaker said, oldest first, by said_on (else the article's date)."""
    sql = (f"SELECT {QUOTE_COLUMNS} FROM {QUOTE_FROM} WHERE q.speaker_id = ?"
           f" AND {act_clause(acts)}"
           " ORDER BY q.day IS NULL, q.day, q.id")  # undated last, on both backends
    params: list[Any] = [speaker_id]
    if limit:
        sql += " LIMIT ?"
        params.append(limit)
    return [hit_from_row(r) for r in db.query(sql, params)]


def top_speakers(db: Db, limit: int = 10) -> list[SpeakerInfo]:
    """Speakers with the most quotes (syndicated copies not counted).

    Counted as all quotes per speaker (an index-only scan) minus those in copies (few, found
    through the copy index), instead of joining every quote to its article.
    """
    totals = {int(r["speaker_id"]): int(r["n"]) for r in db.query(
        "SELECT speaker_id, count(*) AS n FROM quotes WHERE speaker_id IS NOT NULL"
        " GROUP BY speaker_id")}
    for r in db.query(
            "SELECT speaker_id, count(*) AS n FROM quotes WHERE speaker_id IS NOT NULL AND"
            " article_id IN (SELECT id FROM articles WHERE copy_of IS NOT NULL)"
            " GROUP BY speaker_id"):
        totals[int(r["speaker_id"])] -= int(r["n"])
    best = sorted(((-n, sid) for sid, n in totals.items() if n > 0))[:max(0, limit)]
    if not best:
        return []
    marks = ", ".join("?" for _ in best)
    rows = {int(r["id"]): r for r in db.query(
        f"SELECT id, name, title FROM speakers WHERE id IN ({marks})", [sid for _, sid in best])}
    return [SpeakerInfo(sid, rows[sid]["name"], rows[sid]["title"], quotes=-neg)
            for neg, sid in best if sid in rows]


def iter_speakers(db: Db) -> Iterator[SpeakerInfo]:
    """Every speaker (for export)."""
    for r in db.query("SELECT id FROM speakers ORDER BY id"):
        info = speaker_info(db, int(r["id"]))
        if info:
            yield info


# ------------------------------------------------------------------ clusters
# A cluster's renderings are utterance units: the unit's span, text and rendering, with its
# quote's speaker, cue and article.
# A unit's quoted words are direct speech, whatever its quote's kind (a mixed quote's quoted
# piece); ``attributed_id`` is set when the outlet named someone other than the cluster's
# speaker (the name it gave is the quote's).
UNIT_COLUMNS = (QUOTE_COLUMNS.replace(" q.start_char, q.end_char, q.text, q.kind,",
                                      " u.start_char, u.end_char, u.text,"
                                      " CASE WHEN u.quoted = 1 THEN 'direct' ELSE q.kind END"
                                      " AS kind,")
                .replace(" q.cluster_id, q.rendering, q.similarity, q.diff",
                         " u.cluster_id, u.rendering, u.similarity, u.diff, u.id AS unit_id,"
                         " u.severity, u.attributed_to AS attributed_id"))
assert "u.quoted" in UNIT_COLUMNS and "u.id AS unit_id" in UNIT_COLUMNS


def cluster_view(db: Db, cluster_id: int, acts: ActChoice = "speech") -> ClusterView | None:
    """A cluster with every rendering (unit, of the acts asked for): the reference first,
    then by date."""
    row = db.one("SELECT * FROM clusters WHERE id = ?", (cluster_id,))
    if row is None:
        return None
    hits = [hit_from_row(r) for r in db.query(
        f"SELECT {UNIT_COLUMNS} FROM units u JOIN quotes q ON q.id = u.quote_id {QUOTE_JOINS}"
        f" WHERE u.cluster_id = ? AND {act_clause(acts)}"
        " ORDER BY coalesce(a.published, q.said_on), u.id", (cluster_id,))]
    hits.sort(key=lambda h: h.rendering != "reference")
    return ClusterView(int(row["id"]), row["reference_quote_id"], row["speaker_id"],
                       row["first_outlet"], parse_date(row["first_published"]), tuple(hits),
                       bool(row.get("misattributed")), row.get("first_article"))


def iter_clusters(db: Db, altered_only: bool = False, min_size: int = 1,
                  flag: str | None = None, limit: int | None = None) -> Iterator[Row]:
    """Cluster summaries, largest first: id, reference text, speaker, first outlet/date/article,
    size, altered, misattributed (``flag``: only clusters with it)."""
    sql = ("SELECT c.id AS cluster, c.reference_quote_id, q.text AS reference_text,"
           " c.speaker_id, s.name AS speaker, c.first_outlet, c.first_published,"
           " c.first_article, c.size, c.altered, c.misattributed FROM clusters c"
           " LEFT JOIN units q ON q.id = c.reference_quote_id"
           " LEFT JOIN speakers s ON s.id = c.speaker_id WHERE c.size >= ?")
    if altered_only:
        sql += " AND c.altered > 0"
    if flag:
        sql += " AND " + flag_clause(flag)
    sql += " ORDER BY c.size DESC, c.id" + (" LIMIT ?" if limit is not None else "")
    params = (min_size,) if limit is None else (min_size, limit)
    for r in db.stream(sql, params):
        day = parse_date(r["first_published"])
        yield {**r, "first_published": day.isoformat() if day else None}


# ------------------------------------------------------------------ export, skips, stats
def iter_quotes(db: Db, acts: ActChoice = "speech") -> Iterator[QuoteHit]:
    """Every stored quote of the acts asked for, in store order."""
    for r in db.stream(f"SELECT {QUOTE_COLUMNS} FROM {QUOTE_FROM} WHERE {act_clause(acts)}"
                       " ORDER BY q.id"):
        yield hit_from_row(r)


def skips(db: Db, limit: int | None = None) -> list[SkipRow]:
    """Recorded skips, newest first."""
    sql = "SELECT source, reason, input_id, detail, skipped_at FROM skips ORDER BY id DESC"
    rows = db.query(sql + " LIMIT ?", (limit,)) if limit else db.query(sql)
    return [SkipRow(r["source"], r["reason"], r["input_id"], r["detail"], r["skipped_at"])
            for r in rows]


def stats(db: Db) -> StoreStats:
    """Counts of everything in the store."""
    def count(sql: str) -> int:
        """One count query's result."""
        return int(db.scalar(sql) or 0)

    return StoreStats(
        articles=count("SELECT count(*) AS n FROM articles WHERE copy_of IS NULL"),
        copies=count("SELECT count(*) AS n FROM articles WHERE copy_of IS NOT NULL"),
        quotes=count("SELECT count(*) AS n FROM quotes"),
        speakers=count("SELECT count(*) AS n FROM speakers"),
        clusters=count("SELECT count(*) AS n FROM clusters WHERE size > 1"),
        altered=count("SELECT count(*) AS n FROM quotes WHERE rendering = 'altered'"),
        skips=count("SELECT count(*) AS n FROM skips"),
    )
