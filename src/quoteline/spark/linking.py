"""The plain-Python side of ``quoteline spark link``: the library linker, block by block.

Why blocks give the single-machine result: the linker only ever compares a quote with quotes
that share an LSH band key with it (``Linker`` candidates), and every piece of its state (band
tables, clusters, merges, references) is reached through those keys. So the connected
components of "shares a band key" never influence each other, and ``link_quotes`` run on any
union of whole components (a Spark partition of them) makes the same clusters, references and
renderings as one run over all quotes. Only the linker's running cluster counter differs, so
clusters are named canonically: ``cluster_id`` = the smallest quote_id in the cluster
(``canonical_clusters``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from quoteline.link import ClusterInfo, Linker, QuoteRecord, SpeakerRecord, SpeakerResolver
from quoteline.models import Quote, Span, parse_date

SpeakerKey = tuple[str, str | None]  # (speaker name, speaker title) as extracted


def resolve_speakers(
    pairs: Iterable[SpeakerKey], alias_file: Path | None = None
) -> tuple[dict[SpeakerKey, int], list[SpeakerRecord]]:
    """Corpus speaker ids for (name, title) pairs, resolved in the order given (first seen)."""
    resolver = SpeakerResolver(alias_file=alias_file)
    ids: dict[SpeakerKey, int] = {}
    for name, title in pairs:
        if name and name.strip() and (name, title) not in ids:
            ids[(name, title)] = resolver.resolve(name, title)[0]
    # A record merged into another after its name was resolved lives on in the other.
    return {k: resolver.current(v) for k, v in ids.items()}, resolver.records()


def quote_record(row: Mapping[str, Any], speakers: Mapping[SpeakerKey, int]) -> QuoteRecord:
    """A QuoteRecord from a quote row (the columns of ``spark extract``'s quotes + quote_id)."""
    name = row.get("speaker")
    return QuoteRecord(
        quote_id=int(row["quote_id"]),
        text=row["text"],
        speaker_id=speakers.get((name, row.get("speaker_title"))) if name else None,
        article_id=row.get("article_id"),
        published=_date(row.get("published")),
        said_on=_date(row.get("said_on")),
        outlet=row.get("outlet"),
        quote_kind=row.get("kind"),
    )


def quote_of_row(row: Mapping[str, Any]) -> Quote:
    """A Quote from a quote row of ``spark extract`` (spans as structs, dates as dates)."""
    return Quote(
        start=int(row["start"]), end=int(row["end"]), text=str(row["text"]),
        kind=row.get("kind") or "direct", cue=_span(row.get("cue")),
        source=_span(row.get("source")), speaker=row.get("speaker"),
        speaker_title=row.get("speaker_title"), said_on=parse_date(row.get("said_on")),
        said_on_basis=row.get("said_on_basis"), confidence=float(row.get("confidence") or 0.5),
        parts=tuple(s for s in (_span(p) for p in row.get("parts") or ()) if s),
        article_id=row.get("article_id"), extractor=row.get("extractor") or "",
        model=row.get("model") or "", rule=row.get("rule"), act=row.get("act") or "speech",
    )


def _span(value: Any) -> Span | None:
    if not value:
        return None
    return Span(int(value["start"]), int(value["end"]), str(value.get("text") or ""))


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def band_keys(records: Iterable[QuoteRecord]) -> Iterator[tuple[tuple[int, int], int]]:
    """((index, band key), quote_id) for every LSH key the linker would file a quote under."""
    recs = list(records)
    # The linker's own feature code, so candidate keys can never drift from what it uses.
    features = Linker().features(recs)
    for rec, (word_keys, content_keys) in zip(recs, features, strict=True):
        for key in word_keys:
            yield (0, key), rec.quote_id
        for key in content_keys:
            yield (1, key), rec.quote_id


def star_edges(quote_ids: Iterable[int]) -> Iterator[tuple[int, int]]:
    """Edges joining quotes that share one key: the smallest id to each other id."""
    ids = sorted(set(quote_ids))
    return ((ids[0], other) for other in ids[1:])


def link_block(records: Iterable[QuoteRecord]) -> list[ClusterInfo]:
    """``link_quotes`` over whole components of quotes, with canonical cluster ids."""
    linker = Linker()
    update = linker.add(records)
    return canonical_clusters(update.clusters.values())


def canonical_clusters(clusters: Iterable[ClusterInfo]) -> list[ClusterInfo]:
    """The same clusters, each renamed to the smallest quote_id among its renderings."""
    out = []
    for info in clusters:
        cid = min(r.quote_id for r in info.renderings)
        out.append(ClusterInfo(cid, info.reference_id, info.first_outlet, info.first_published,
                               info.speaker_id, info.renderings))
    return sorted(out, key=lambda c: c.cluster_id)


def cluster_row(info: ClusterInfo) -> tuple[Any, ...]:
    """A cluster as a row: id, reference, first report, speaker, size, altered renderings,
    misattributed, the first report's article."""
    return (info.cluster_id, info.reference_id, info.first_outlet, info.first_published,
            info.speaker_id, len(info.renderings), info.altered, info.misattributed,
            info.first_article)


def rendering_rows(info: ClusterInfo) -> Iterator[tuple[Any, ...]]:
    """One row per rendering: quote_id, cluster_id, kind, similarity, word diff, severity,
    attributed_to."""
    for r in info.renderings:
        yield (r.quote_id, info.cluster_id, r.kind, float(r.similarity),
               [(op, text) for op, text in r.diff], r.severity, r.attributed_to)


def speaker_row(rec: SpeakerRecord) -> tuple[Any, ...]:
    """A speaker record as a row: id, name, aliases, titles, is_body."""
    return (rec.speaker_id, rec.name, sorted(rec.aliases), sorted(rec.titles), rec.is_body)


def quote_order_key(row: Mapping[str, Any]) -> tuple[Any, ...]:
    """The order quote_ids are given in when the input has none: article, start, end, text.

    Matches Spark's ``orderBy`` with nulls first (UTF-8 byte order is code point order).
    """
    art = row.get("article_id")
    return (art is not None, art or "", row["start"], row["end"], row["text"])
