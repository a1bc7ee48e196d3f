"""Writes: articles with their quotes, speakers, link updates and skips."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from quoteline.link.sources import outlet_of_url
from quoteline.link.speaker_names import match_key
from quoteline.link.types import ClusterInfo, LinkUpdate, QuoteRecord
from quoteline.link.units import Unit
from quoteline.models import Quote, Skip, Span, parse_date
from quoteline.store.db import Db
from quoteline.store.types import NewArticle, json_or_none


def name_key(name: str) -> str:
    """A folded key for matching speaker names and aliases: NFKC, no zero-width or bidi
    controls, no case, punctuation or diacritics ("Sm\u200bith" and "Smith" are one key)."""
    return match_key(name)


def now() -> str:
    """The current UTC time as ISO text."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


_ARTICLE_COLS = ("input_id", "ident", "source", "url", "title", "outlet", "published", "author",
                 "content_hash", "minhash", "copy_of", "copy_kind", "text", "n_quotes",
                 "ingested_at")
_QUOTE_COLS = ("article_id", "start_char", "end_char", "text", "kind", "cue", "cue_start",
               "cue_end", "source", "source_start", "source_end", "speaker", "speaker_title",
               "speaker_id", "said_on", "said_on_basis", "confidence", "parts", "extractor",
               "model", "facets", "act", "rule")


ARTICLE_COLS, QUOTE_COLS = _ARTICLE_COLS, _QUOTE_COLS  # for bulk writers (COPY)


def _insert_sql(table: str, cols: Sequence[str]) -> str:
    marks = ", ".join("?" for _ in cols)
    return f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks}) RETURNING id"


def insert_article(db: Db, new: NewArticle) -> int:
    """Write one article row; its store id."""
    a = new.article
    values = article_values(new)
    cols: tuple[str, ...] = _ARTICLE_COLS
    for col, flag in (("is_primary", a.primary), ("is_wire", new.is_wire)):
        if flag:  # written only when set: the column defaults to 0 (and older stores lack it)
            cols, values = (*cols, col), (*values, 1)
    row = db.one(_insert_sql("articles", cols), values)
    assert row is not None
    return int(row["id"])


def article_values(new: NewArticle) -> tuple[Any, ...]:
    """The column values of one article row, in ``ARTICLE_COLS`` order."""
    a = new.article
    return (a.id, new.ident, a.source, a.url, a.title, a.outlet, a.published, a.author,
            new.content_hash, new.minhash, new.copy_of, new.copy_kind, a.text, len(new.quotes),
            now())


def facet_tokens(speaker_id: int | None, kind: str, outlet: str | None,
                 act: str = "speech") -> str:
    """Filter values as search tokens, so SQLite filters inside the full-text index. The
    speaker token comes first (``move_quotes`` swaps it in place); a quote that is not a
    statement ends with ``a<act>`` (``THOUGHT_TOKEN``), so statements-only searches exclude
    the few such quotes inside the index instead of reading every candidate's row."""
    tokens = f"s{speaker_id or 0} k{kind} {outlet_token(outlet)}"
    return tokens if act == "speech" else f"{tokens} a{facet_word(act)}"


THOUGHT_TOKEN = "athought"  # the facet token of a thought (see facet_tokens)


def facet_word(value: str) -> str:
    """``value`` as one facet token's word (its letters and digits)."""
    return "".join(ch for ch in value if ch.isalnum())


def outlet_token(outlet: str | None) -> str:
    """One word-character token naming an outlet."""
    key = " ".join(outlet.casefold().split()) if outlet else ""
    return "o" + hashlib.blake2b(key.encode(), digest_size=6).hexdigest() if key else "onone"


def quote_values(article_row: int, q: Quote, speaker_id: int | None,
                 outlet: str | None = None) -> tuple[Any, ...]:
    """The column values of one quote row."""
    cue, src = q.cue, q.source
    parts = [p.to_dict() for p in q.parts] if q.parts else None
    return (article_row, q.start, q.end, q.text, q.kind,
            cue.text if cue else None, cue.start if cue else None, cue.end if cue else None,
            src.text if src else None, src.start if src else None, src.end if src else None,
            q.speaker, q.speaker_title, speaker_id, q.said_on, q.said_on_basis,
            float(q.confidence), json_or_none(parts), q.extractor, q.model,
            facet_tokens(speaker_id, q.kind, outlet, q.act), q.act, q.rule)


def insert_quote(db: Db, article_row: int, q: Quote, speaker_id: int | None,
                 outlet: str | None = None) -> int:
    """Write one quote row (``outlet``: its article's); its store id."""
    values = quote_values(article_row, q, speaker_id, outlet)
    row = db.one(_insert_sql("quotes", _QUOTE_COLS), values)
    assert row is not None
    return int(row["id"])


def save_speaker(db: Db, speaker_id: int, name: str, titles: Iterable[str] = (),
                 aliases: Iterable[str] = (), is_body: bool = False) -> None:
    """Create or update a speaker row, then add its aliases (``name`` included) and titles.

    A new row's lookup keys are filed by the next ingest (the column ``keyed`` defaults to 0).
    """
    ordered = sorted(set(titles))
    db.execute(
        "INSERT INTO speakers (id, name, title, name_key, is_body) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET name = excluded.name, name_key = excluded.name_key, "
        "title = coalesce(excluded.title, speakers.title), is_body = excluded.is_body",
        (speaker_id, name, ordered[0] if ordered else None, name_key(name), int(is_body)),
    )
    for alias in sorted({name, *aliases}):
        _insert_ignore(db, "speaker_aliases", ("speaker_id", "alias", "alias_key"),
                       (speaker_id, alias, name_key(alias)))
    for title in ordered:
        _insert_ignore(db, "speaker_titles", ("speaker_id", "title"), (speaker_id, title))


def _insert_ignore(db: Db, table: str, cols: Sequence[str], values: Sequence[Any]) -> None:
    marks = ", ".join("?" for _ in cols)
    db.execute(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks}) ON CONFLICT DO NOTHING",
               values)


def add_skip(db: Db, skip: Skip) -> None:
    """Record a skip; the same source and reason again only refreshes its detail and time."""
    db.execute(
        "INSERT INTO skips (source, input_id, reason, detail, skipped_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (source, reason) DO UPDATE SET detail = excluded.detail, "
        "skipped_at = excluded.skipped_at",
        (skip.source, skip.article_id, skip.reason[:500],
         skip.detail[:2000] if skip.detail else None, now()),
    )


def clear_skips(db: Db, source: str) -> None:
    """Forget skips of ``source`` (it has now been stored)."""
    db.execute("DELETE FROM skips WHERE source = ?", (source,))


# ---------------------------------------------------------------------- linking
Written = dict[int, tuple[Any, ...]]  # unit id -> its rendering columns as in the store
_UNIT_SQL = ("UPDATE units SET cluster_id = ?, rendering = ?, severity = ?, similarity = ?,"
             " diff = ?, attributed_to = ? WHERE id = ?")


def insert_units(db: Db, article_row: int, quote_id: int, units: Sequence[Unit]) -> list[int]:
    """Write the units of one stored quote; their store ids, in order."""
    sql = _insert_sql("units", ("quote_id", "article_id", "seq", "start_char", "end_char",
                                "text", "quoted"))
    ids = []
    for seq, u in enumerate(units):
        row = db.one(sql, (quote_id, article_row, seq, u.start, u.end, u.text, int(u.quoted)))
        assert row is not None
        ids.append(int(row["id"]))
    return ids


def apply_link_update(db: Db, update: LinkUpdate, written: Written | None = None) -> None:
    """Write every touched cluster and its units, drop clusters merged into others, and
    refresh the cluster summary of every quote whose units changed.

    ``written`` remembers renderings already in the store, so a growing cluster only
    rewrites the units that changed (without it, every unit is rewritten).
    """
    for old in update.removed:
        db.execute("DELETE FROM clusters WHERE id = ?", (old,))
        db.execute("UPDATE units SET cluster_id = NULL WHERE cluster_id = ?", (old,))
    changed: list[int] = []
    for info in update.clusters.values():
        changed += _write_cluster(db, info, written if written is not None else {})
    summarize_quotes(db, changed)


def _write_cluster(db: Db, info: ClusterInfo, written: Written) -> list[int]:
    db.execute("DELETE FROM clusters WHERE id = ?", (info.cluster_id,))
    db.execute(
        "INSERT INTO clusters (id, reference_quote_id, speaker_id, first_outlet, first_published,"
        " size, altered, misattributed, first_article) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (info.cluster_id, info.reference_id, info.speaker_id, info.first_outlet,
         info.first_published, len(info.renderings), info.altered, int(info.misattributed),
         info.first_article),
    )
    rows = []
    for r in info.renderings:
        value = (info.cluster_id, r.kind, r.severity, round(r.similarity, 4), r.diff,
                 r.attributed_to)
        if written.get(r.quote_id) != value:
            diff = json_or_none([list(op) for op in r.diff])
            rows.append((*value[:4], diff, value[5], r.quote_id))
            if len(info.renderings) > 1:  # size-1 clusters are written once: not worth keeping
                written[r.quote_id] = value
    db.executemany(_UNIT_SQL, rows)
    return [row[-1] for row in rows]


def summarize_quotes(db: Db, unit_ids: Sequence[int]) -> None:
    """Each quote's cluster columns from its units: ``altered`` (with that unit's cluster and
    diff) when any unit is (a quote is a claim to every sentence it holds), else its longest
    unit's."""
    for i in range(0, len(unit_ids), 500):
        chunk = list(unit_ids[i:i + 500])
        marks = ", ".join("?" for _ in chunk)
        units = db.query(
            "SELECT quote_id, cluster_id, rendering, similarity, diff, end_char - start_char AS n"
            f" FROM units WHERE quote_id IN (SELECT quote_id FROM units WHERE id IN ({marks}))"
            " ORDER BY quote_id, n DESC, id", chunk)
        by_quote: dict[int, list[dict[str, Any]]] = {}
        for u in units:
            by_quote.setdefault(int(u["quote_id"]), []).append(u)
        db.executemany(
            "UPDATE quotes SET cluster_id = ?, rendering = ?, similarity = ?, diff = ? WHERE id = ?",
            [(*_summary(us), qid) for qid, us in by_quote.items()])


def _summary(units: list[dict[str, Any]]) -> tuple[Any, ...]:
    main = next((u for u in units if u["rendering"] == "altered"), units[0])
    return main["cluster_id"], main["rendering"], main["similarity"], main["diff"]


RECORD_COLS = ("u.id, u.text, u.quoted, u.cluster_id, q.speaker_id, q.said_on, a.input_id,"
               " a.published, a.outlet, a.url, a.is_primary, a.is_wire")
RECORD_FROM = " FROM units u JOIN quotes q ON q.id = u.quote_id JOIN articles a ON a.id = u.article_id"
RECORD_SQL = "SELECT " + RECORD_COLS + RECORD_FROM


def unit_record(r: dict[str, Any]) -> QuoteRecord:
    """A unit row (selected by ``RECORD_SQL``) as the linker sees it."""
    return QuoteRecord(
        quote_id=int(r["id"]), text=r["text"], speaker_id=r["speaker_id"],
        article_id=r["input_id"], published=parse_date(r["published"]),
        said_on=parse_date(r["said_on"]), outlet=r["outlet"] or outlet_of_url(r["url"]),
        is_transcript=bool(r["is_primary"]), quote_kind="direct" if r["quoted"] else "indirect",
        is_wire=bool(r["is_wire"]))


def unit_records(db: Db) -> Iterator[tuple[QuoteRecord, int | None]]:
    """Every stored unit as the linker sees it, with its cluster id (for ``Linker.load``)."""
    for r in db.stream(RECORD_SQL + " ORDER BY u.id"):
        yield unit_record(r), r["cluster_id"]


def quotes_without_units(db: Db, after: int = 0,
                         limit: int = 500) -> Iterator[tuple[int, int, Quote]]:
    """(article row, quote id, quote) of up to ``limit`` stored statements after id ``after``
    not yet cut into units (an older store, quotes added one by one); thoughts are never
    linked."""
    sql = ("SELECT id, article_id, start_char, end_char, text, kind, parts FROM quotes q"
           " WHERE id > ? AND q.act = 'speech'"
           " AND NOT EXISTS (SELECT 1 FROM units u WHERE u.quote_id = q.id)"
           " ORDER BY id LIMIT ?")
    for r in db.query(sql, (after, limit)):
        parts = tuple(Span(p["start"], p["end"], p["text"])
                      for p in (json.loads(r["parts"]) if r["parts"] else ()))
        quote = Quote(start=int(r["start_char"]), end=int(r["end_char"]), text=r["text"],
                      kind=r["kind"], cue=None, source=None, speaker=None, parts=parts)
        yield int(r["article_id"]), int(r["id"]), quote


def speaker_rows(db: Db) -> list[tuple[int, str, bool, tuple[str, ...], tuple[str, ...]]]:
    """(speaker_id, name, is_body, aliases, titles) for every stored speaker."""
    aliases: dict[int, list[str]] = {}
    for r in db.query("SELECT speaker_id, alias FROM speaker_aliases ORDER BY speaker_id, alias"):
        aliases.setdefault(int(r["speaker_id"]), []).append(r["alias"])
    titles: dict[int, list[str]] = {}
    for r in db.query("SELECT speaker_id, title FROM speaker_titles ORDER BY speaker_id, title"):
        titles.setdefault(int(r["speaker_id"]), []).append(r["title"])
    rows = db.query("SELECT id, name, is_body FROM speakers ORDER BY id")
    return [(int(r["id"]), r["name"], bool(r["is_body"]), tuple(aliases.get(int(r["id"]), ())),
             tuple(titles.get(int(r["id"]), ()))) for r in rows]


def existing_articles(db: Db, hashes: Iterable[str]) -> dict[str, list[tuple[int, str]]]:
    """content hash -> [(store id, ident)] of stored articles with those hashes."""
    wanted = list(dict.fromkeys(hashes))
    out: dict[str, list[tuple[int, str]]] = {}
    for i in range(0, len(wanted), 500):
        chunk = wanted[i:i + 500]
        marks = ", ".join("?" for _ in chunk)
        for r in db.query(f"SELECT id, ident, content_hash, copy_of FROM articles "
                          f"WHERE content_hash IN ({marks}) ORDER BY id", chunk):
            out.setdefault(r["content_hash"], []).append((int(r["id"]), r["ident"]))
    return out
