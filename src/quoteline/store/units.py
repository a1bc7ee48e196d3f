"""Reads of utterance units: renderings for export, a cluster's units, and the flag filters."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from quoteline.store.db import Db, Row
from quoteline.store.types import iso

FLAGS = ("altered", "misattributed")
RENDERING_COLUMNS = ["article_id", "start", "end", "text", "quote_id", "speaker", "speaker_id",
                     "cluster", "rendering", "severity", "diff", "similarity", "attributed_to",
                     "unit_id", "kind", "outlet", "url", "published", "first_outlet",
                     "first_published", "first_article"]
_SELECT = (
    "SELECT u.id AS unit_id, a.input_id AS article_id, u.start_char, u.end_char, u.text,"
    " u.quote_id, u.quoted, q.kind, q.speaker, q.speaker_id AS named_id, sn.name AS named,"
    " c.speaker_id, cs.name AS cluster_speaker, u.cluster_id, u.rendering, u.severity, u.diff,"
    " u.similarity, u.attributed_to, a.outlet, a.url, a.published, c.first_outlet,"
    " c.first_published, c.first_article, c.reference_quote_id"
    " FROM units u JOIN quotes q ON q.id = u.quote_id JOIN articles a ON a.id = u.article_id"
    " LEFT JOIN speakers sn ON sn.id = q.speaker_id"
    " LEFT JOIN clusters c ON c.id = u.cluster_id LEFT JOIN speakers cs ON cs.id = c.speaker_id")


def flag_clause(flag: str | None, cluster: str = "c") -> str:
    """SQL that keeps clusters with ``flag`` (altered / misattributed), or "" for no flag."""
    if flag is None:
        return ""
    if flag not in FLAGS:
        raise ValueError(f"unknown flag {flag!r}; choose {', '.join(FLAGS)}")
    return f"{cluster}.misattributed = 1" if flag == "misattributed" else f"{cluster}.altered > 0"


def quote_flag_clause(flag: str) -> str:
    """SQL on quotes ``q`` that keeps quotes with a unit in a cluster with ``flag``."""
    return ("EXISTS (SELECT 1 FROM units fu JOIN clusters fc ON fc.id = fu.cluster_id"
            f" WHERE fu.quote_id = q.id AND {flag_clause(flag, 'fc')})")


def rendering_row(r: Row) -> dict[str, Any]:
    """One unit as the renderings export writes it.

    ``speaker`` is the cluster's speaker (whose utterance it is, by the linked evidence),
    falling back to the name the article gave; ``attributed_to`` is the name the article
    gave when that is another speaker (a misattribution).
    """
    named = r["named"] or r["speaker"]
    return {
        "unit_id": int(r["unit_id"]), "article_id": r["article_id"], "start": int(r["start_char"]),
        "end": int(r["end_char"]), "text": r["text"], "quote_id": int(r["quote_id"]),
        "speaker": r["cluster_speaker"] or named, "speaker_id": r["speaker_id"] or r["named_id"],
        "cluster": r["cluster_id"], "rendering": r["rendering"], "severity": r["severity"],
        "diff": json.loads(r["diff"]) if r["diff"] else None, "similarity": r["similarity"],
        "attributed_to": (r["speaker"] or named) if r["attributed_to"] is not None else None,
        "kind": "direct" if r["quoted"] else r["kind"],
        "outlet": r["outlet"], "url": r["url"], "published": iso(r["published"]),
        "first_outlet": r["first_outlet"], "first_published": iso(r["first_published"]),
        "first_article": r["first_article"],
    }


def iter_renderings(db: Db, flag: str | None = None) -> Iterator[dict[str, Any]]:
    """Every unit with its cluster and rendering, in store order (``flag``: only its clusters)."""
    clause = flag_clause(flag)
    sql = _SELECT + (f" WHERE {clause}" if clause else "") + " ORDER BY u.id"
    for r in db.stream(sql):
        yield rendering_row(r)


def cluster_units(db: Db, cluster_id: int) -> list[dict[str, Any]]:
    """A cluster's units: the reference first, then by publication date."""
    rows = [rendering_row(r) for r in db.query(
        _SELECT + " WHERE u.cluster_id = ? ORDER BY coalesce(a.published, q.said_on), u.id",
        (cluster_id,))]
    rows.sort(key=lambda r: r["rendering"] != "reference")
    return rows
