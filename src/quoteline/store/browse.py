"""Reads behind the browse pages: clusters by size or date (optionally flagged), articles by
date (optionally one outlet's), outlets, speakers ranked by quotes, and the overview.

A page reads one page of rows in index order with LIMIT (migration 0006), and counts stop at
a cap (``bounded_count``), so a page costs the same at any store size. What has to look at
every row (the speaker ranking, the outlet table) is meant to be computed off the request
path and cached by the caller, as the web app does for its facets.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from importlib import resources
from typing import Any

from quoteline.models import parse_date
from quoteline.store.db import Db, Row
from quoteline.store.queries import (
    QUOTE_COLUMNS,
    QUOTE_FROM,
    bounded_count,
    cased_titles,
    fold_title,
    hit_from_row,
    stats,
    top_speakers,
)
from quoteline.store.types import (
    ArticleSummary,
    ClusterSummary,
    Listing,
    OutletSummary,
    Overview,
    QuoteHit,
    SpeakerInfo,
    SpeakerRank,
)
from quoteline.store.units import FLAGS, flag_clause

CLUSTER_SORTS = ("size", "date")
MAX_IDS = 1000  # most ids one IN (...) list carries


# ---------------------------------------------------------------- cluster flags
def flag_condition(flag: str | None) -> str:
    """SQL on clusters ``c`` that keeps the clusters with ``flag`` (altered: a rendering
    differs from the reference; misattributed: an outlet gave the words to someone else), or,
    with no flag, the clusters reported more than once."""
    if not flag:
        return "c.size > 1"
    if flag not in FLAGS:
        raise ValueError(f"flag: one of {', '.join(FLAGS)}")
    return flag_clause(flag)


# ---------------------------------------------------------------- clusters
def _cluster_rows(db: Db, where: str, order: str, limit: int, offset: int,
                  params: Sequence[Any] = ()) -> list[Row]:
    """A page of clusters (cut in the index first), then joined to the reference (an
    utterance unit: quoted words are direct) and the speaker."""
    inner = (f"SELECT c.* FROM clusters c WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?")
    sql = ("SELECT c.id, c.reference_quote_id, r.text AS reference_text,"
           " CASE WHEN r.quoted = 1 THEN 'direct' ELSE rq.kind END AS kind, c.speaker_id,"
           " s.name AS speaker_name, c.first_outlet, c.first_published, c.size, c.altered,"
           f" c.misattributed FROM ({inner}) c LEFT JOIN units r ON r.id = c.reference_quote_id"
           " LEFT JOIN quotes rq ON rq.id = r.quote_id"
           f" LEFT JOIN speakers s ON s.id = c.speaker_id ORDER BY {order}")
    return db.query(sql, [*params, limit, offset])


def _summaries(db: Db, rows: Sequence[Row]) -> list[ClusterSummary]:
    outlets = cluster_outlets(db, [int(r["id"]) for r in rows])
    return [ClusterSummary(int(r["id"]), r["reference_quote_id"], r["reference_text"], r["kind"],
                           r["speaker_id"], r["speaker_name"], r["first_outlet"],
                           parse_date(r["first_published"]), int(r["size"]), int(r["altered"]),
                           outlets.get(int(r["id"]), 0), int(r["misattributed"] or 0))
            for r in rows]


def cluster_outlets(db: Db, cluster_ids: Sequence[int]) -> dict[int, int]:
    """cluster id -> how many distinct outlets its renderings (units) appeared in."""
    ids = sorted(set(cluster_ids))[:MAX_IDS]
    if not ids:
        return {}
    marks = ", ".join("?" for _ in ids)
    return {int(r["cluster_id"]): int(r["n"]) for r in db.query(
        "SELECT u.cluster_id, count(DISTINCT coalesce(a.outlet, '')) AS n FROM units u"
        f" JOIN articles a ON a.id = u.article_id WHERE u.cluster_id IN ({marks})"
        " GROUP BY u.cluster_id", ids)}


def browse_clusters(db: Db, flag: str | None = None, sort: str = "size", limit: int = 20,
                    offset: int = 0) -> Listing[ClusterSummary]:
    """Clusters reported more than once (``flag``: only altered / misattributed ones), largest
    or newest first, a page at a time, and how many (counted up to a cap)."""
    if sort not in CLUSTER_SORTS:
        raise ValueError(f"sort: one of {', '.join(CLUSTER_SORTS)}")
    where = flag_condition(flag)
    order = ("c.size DESC, c.id DESC" if sort == "size"
             else "c.first_published DESC NULLS LAST, c.id DESC")
    rows = _cluster_rows(db, where, order, limit, offset)
    items = tuple(_summaries(db, rows))
    if rows and len(rows) < limit:  # the last page: the count is known
        return Listing(items, offset + len(rows))
    count = bounded_count(db, f"SELECT 1 AS x FROM clusters c WHERE {where}", [])
    return Listing(items, count.total, count.exact)


# ---------------------------------------------------------------- articles
def browse_articles(db: Db, outlet: str | None = None, limit: int = 20,
                    offset: int = 0) -> Listing[ArticleSummary]:
    """Original articles (no syndicated copies), newest first (undated last), optionally of
    one outlet, a page at a time, and how many (counted up to a cap)."""
    # "+copy_of": not by the copy index (nearly every row is an original), by date
    where, params = "+copy_of IS NULL", []
    if outlet:
        where += " AND lower(outlet) = ?"
        params.append(" ".join(outlet.casefold().split()))
    rows = db.query("SELECT id, input_id, title, outlet, published, url, n_quotes FROM articles"
                    f" WHERE {where} ORDER BY published DESC NULLS LAST, id DESC LIMIT ? OFFSET ?",
                    [*params, limit, offset])
    items = tuple(ArticleSummary(int(r["id"]), r["input_id"], r["title"], r["outlet"],
                                 parse_date(r["published"]), r["url"], int(r["n_quotes"] or 0))
                  for r in rows)
    if rows and len(rows) < limit:
        return Listing(items, offset + len(rows))
    count = bounded_count(db, f"SELECT 1 AS x FROM articles WHERE {where}", params)
    return Listing(items, count.total, count.exact)


# ---------------------------------------------------------------- outlets (cache these)
def outlet_table(db: Db) -> list[OutletSummary]:
    """Every outlet with its original articles and quotes, first reports and altered
    renderings, most articles first. Reads every article: cache it."""
    firsts = {str(r["o"]): int(r["n"]) for r in db.query(
        "SELECT first_outlet AS o, count(*) AS n FROM clusters c WHERE c.size > 1"
        " AND first_outlet IS NOT NULL GROUP BY first_outlet")}
    altered = {str(r["o"]): int(r["n"]) for r in db.query(
        "SELECT a.outlet AS o, count(*) AS n FROM quotes q JOIN articles a ON a.id = q.article_id"
        " WHERE q.rendering = 'altered' AND a.outlet IS NOT NULL GROUP BY a.outlet")}
    rows = db.query("SELECT outlet, count(*) AS n, sum(n_quotes) AS quotes, min(published) AS lo,"
                    " max(published) AS hi FROM articles WHERE copy_of IS NULL AND outlet IS NOT"
                    " NULL GROUP BY outlet")
    out = [OutletSummary(str(r["outlet"]), int(r["n"]), int(r["quotes"] or 0),
                         parse_date(r["lo"]), parse_date(r["hi"]),
                         firsts.get(str(r["outlet"]), 0), altered.get(str(r["outlet"]), 0))
           for r in rows]
    return sorted(out, key=lambda o: (-o.articles, o.name.casefold()))


# ---------------------------------------------------------------- speakers (cache these)
@cache
def word_list(name: str) -> frozenset[str]:
    """The words of a data file in quoteline/data/ (case-folded; # starts a comment)."""
    text = resources.files("quoteline").joinpath("data", name).read_text("utf-8")
    lines = (line.split("#", 1)[0] for line in text.splitlines())
    return frozenset(w.casefold() for line in lines for w in line.split())


def is_person_name(name: str, is_body: bool = False) -> bool:
    """Whether ``name`` reads as a named person, fit to offer as a speaker: not a body or a
    group, not a pronoun or a common noun ("his", "Critics", "city"), and no lowercase word
    that is not part of a name ("Customers like Maggie Dunn"); titles may lead ("Gen. ...")."""
    from quoteline.link.speaker_names import parse_name, words

    parts = name.split()
    if is_body or not parts or not any(ch.isalpha() for ch in name):
        return False
    last = parts[-1].strip(".,'’").casefold()
    if last in word_list("not_speakers.txt" if len(parts) == 1 else "organisation_words.txt"):
        return False  # "his", "Critics"; "Northline Power"
    particles = words("name_particles.txt")
    if any(p[0].islower() and p.casefold() not in particles for p in parts if p[0].isalpha()):
        return False
    try:
        return not parse_name(name).is_body
    except ValueError:  # fewer than two letters: not a name
        return False


def speaker_ranking(db: Db) -> list[SpeakerRank]:
    """Every speaker with quotes: quotes (syndicated copies left out) and statements (distinct
    clusters), most quoted first. Reads every quote's index entry: cache it."""
    quotes = {s.speaker_id: s.quotes for s in top_speakers(db, 10**9)}
    statements = {int(r["speaker_id"]): int(r["n"]) for r in db.query(
        "SELECT speaker_id, count(DISTINCT coalesce(cluster_id, -id)) AS n FROM quotes"
        " WHERE speaker_id IS NOT NULL GROUP BY speaker_id")}
    out = []
    for r in db.stream("SELECT id, name, title, is_body FROM speakers"):
        sid = int(r["id"])
        if quotes.get(sid):
            out.append(SpeakerRank(sid, r["name"], r["title"], quotes[sid],
                                   statements.get(sid, quotes[sid]),
                                   is_person_name(r["name"], bool(r["is_body"]))))
    return sorted(out, key=lambda s: (-s.quotes, s.name.casefold(), s.speaker_id))


def speakers_named(db: Db, prefix: str, limit: int = 20, offset: int = 0) -> list[int]:
    """Ids of speakers whose name, another name or surname starts with ``prefix`` (in the
    matching form), by name; index ranges (names, aliases, surname keys), not a scan."""
    from quoteline.store.write import name_key

    key = name_key(prefix)
    if not key:
        return []
    # The range's end is the prefix with its last character's successor: it holds in
    # code-point order and in linguistic collations alike (a U+10FFFF sentinel may not).
    ranges = [key, key[:-1] + chr(ord(key[-1]) + 1)]
    sql = ("SELECT id FROM (SELECT id, name_key AS k FROM speakers WHERE name_key >= ? AND"
           " name_key < ? UNION SELECT speaker_id AS id, alias_key AS k FROM speaker_aliases"
           " WHERE alias_key >= ? AND alias_key < ?"
           " UNION SELECT speaker_id AS id, substr(key, 3) AS k FROM speaker_keys"
           " WHERE key >= ? AND key < ? UNION SELECT speaker_id AS id, substr(key, 3) AS k"
           " FROM speaker_keys WHERE key >= ? AND key < ?) m"
           " GROUP BY id ORDER BY min(k), id LIMIT ? OFFSET ?")
    params = [*ranges, *ranges, *("s:" + r for r in ranges), *("b:" + r for r in ranges)]
    return [int(r["id"]) for r in db.query(sql, [*params, limit, offset])]


def suggested_speakers(ranking: Iterable[SpeakerRank], limit: int = 50) -> list[str]:
    """The names of the most quoted people, for a speaker box's suggestions (junk left out)."""
    names: list[str] = []
    for s in ranking:
        if s.person and s.name not in names:
            names.append(s.name)
            if len(names) >= limit:
                break
    return names


# ---------------------------------------------------------------- overview
def latest_flagged(db: Db, flag: str, limit: int) -> list[QuoteHit]:
    """The quotes with a rendering flagged ``flag`` (altered, misattributed) stored last."""
    if flag == "altered":
        where = "q.rendering = 'altered'"
    else:  # a unit an outlet gave to another speaker
        where = ("q.id IN (SELECT quote_id FROM units WHERE attributed_to IS NOT NULL"
                 " ORDER BY id DESC LIMIT 200)")
    sql = f"SELECT {QUOTE_COLUMNS} FROM {QUOTE_FROM} WHERE {where} ORDER BY q.id DESC LIMIT ?"
    return [hit_from_row(r) for r in db.query(sql, (limit,))]


def overview(db: Db, n: int = 5) -> Overview:
    """Counts, the ``n`` most quoted people, the ``n`` statements reported most widely, and
    the latest renderings flagged altered and misattributed."""
    people = _people(db, top_speakers(db, n * 4))[:n]
    spread = browse_clusters(db, None, "size", n).items
    return Overview(stats(db), tuple(people), spread,
                    tuple(latest_flagged(db, "altered", n)),
                    tuple(latest_flagged(db, "misattributed", n)))


def _people(db: Db, speakers: Sequence[SpeakerInfo]) -> list[SpeakerInfo]:
    """The named people among ``speakers`` (bodies, groups and junk names left out)."""
    ids = [s.speaker_id for s in speakers][:MAX_IDS]
    if not ids:
        return []
    marks = ", ".join("?" for _ in ids)
    body = {int(r["id"]): bool(r["is_body"]) for r in db.query(
        f"SELECT id, is_body FROM speakers WHERE id IN ({marks})", ids)}
    return [s for s in speakers if is_person_name(s.name, body.get(s.speaker_id, False))]


def titles_as_written(db: Db, titles: dict[int, str]) -> dict[int, str]:
    """speaker id -> its title with the capitals the articles gave it (``titles``: id ->
    the stored, folded title); reads at most 100 quotes a speaker."""
    out = {}
    for sid, title in list(titles.items())[:MAX_IDS]:
        out[sid] = cased_titles(db, sid).get(fold_title(title), title)
    return out


def speaker_infos(db: Db, ids: Sequence[int]) -> dict[int, SpeakerInfo]:
    """id -> name and title of each of ``ids`` (no counts: one query)."""
    ids = list(ids)[:MAX_IDS]
    if not ids:
        return {}
    marks = ", ".join("?" for _ in ids)
    return {int(r["id"]): SpeakerInfo(int(r["id"]), r["name"], r["title"]) for r in db.query(
        f"SELECT id, name, title FROM speakers WHERE id IN ({marks})", ids)}
