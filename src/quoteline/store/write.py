"""Writes: articles with their quotes, speakers, link updates and skips."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from quoteline.link.speaker_names import match_key
from quoteline.link.types import ClusterInfo, LinkUpdate, QuoteRecord
from quoteline.models import Quote, Skip, parse_date
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


def _insert_sql(table: str, cols: Sequence[str]) -> str:
    marks = ", ".join("?" for _ in cols)
    return f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks}) RETURNING id"


def insert_article(db: Db, new: NewArticle) -> int:
    """Write one article row; its store id."""
    a = new.article
    values = (a.id, new.ident, a.source, a.url, a.title, a.outlet, a.published, a.author,
              new.content_hash, new.minhash, new.copy_of, new.copy_kind, a.text,
              len(new.quotes), now())
    row = db.one(_insert_sql("articles", _ARTICLE_COLS), values)
    assert row is not None
    return int(row["id"])


def facet_tokens(speaker_id: int | None, kind: str, outlet: str | None) -> str:
    """Filter values as search tokens, so SQLite filters inside the full-text index."""
    return f"s{speaker_id or 0} k{kind} {outlet_token(outlet)}"


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
            facet_tokens(speaker_id, q.kind, outlet), q.act, q.rule)


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


Written = dict[int, tuple[Any, ...]]  # quote id -> (cluster, kind, similarity, diff) in the store


def apply_link_update(db: Db, update: LinkUpdate, written: Written | None = None) -> None:
    """Write every touched cluster, and drop clusters merged into others.

    ``written`` remembers renderings already in the store, so a growing cluster only
    rewrites the renderings that changed (without it, every rendering is rewritten).
    """
    for old in update.removed:
        db.execute("DELETE FROM clusters WHERE id = ?", (old,))
        db.execute("UPDATE quotes SET cluster_id = NULL WHERE cluster_id = ?", (old,))
    for info in update.clusters.values():
        _write_cluster(db, info, written if written is not None else {})


def _write_cluster(db: Db, info: ClusterInfo, written: Written) -> None:
    db.execute("DELETE FROM clusters WHERE id = ?", (info.cluster_id,))
    db.execute(
        "INSERT INTO clusters (id, reference_quote_id, speaker_id, first_outlet, first_published,"
        " size, altered) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (info.cluster_id, info.reference_id, info.speaker_id, info.first_outlet,
         info.first_published, len(info.renderings), info.altered),
    )
    rows = []
    for r in info.renderings:
        value = (info.cluster_id, r.kind, round(r.similarity, 4), r.diff)
        if written.get(r.quote_id) != value:
            rows.append((*value[:3], json_or_none([list(op) for op in r.diff]), r.quote_id))
            if len(info.renderings) > 1:  # size-1 clusters are written once: not worth keeping
                written[r.quote_id] = value
    db.executemany(
        "UPDATE quotes SET cluster_id = ?, rendering = ?, similarity = ?, diff = ? WHERE id = ?",
        rows)


def quote_records(db: Db) -> Iterator[tuple[QuoteRecord, int | None]]:
    """Every stored quote as the linker sees it, with its cluster id (for ``Linker.load``)."""
    sql = ("SELECT q.id, q.text, q.speaker_id, a.input_id, a.published, q.said_on, a.outlet,"
           " q.cluster_id FROM quotes q JOIN articles a ON a.id = q.article_id ORDER BY q.id")
    for r in db.stream(sql):
        rec = QuoteRecord(quote_id=int(r["id"]), text=r["text"], speaker_id=r["speaker_id"],
                          article_id=r["input_id"], published=parse_date(r["published"]),
                          said_on=parse_date(r["said_on"]), outlet=r["outlet"])
        yield rec, r["cluster_id"]


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
