"""``load``: bulk-load the Parquet output of the Spark job (quotes/, skips/) into a store.

Quotes are grouped into articles by ``article_id`` (the Spark output carries no article
text, so loaded articles have empty text), speakers are resolved as in ``ingest``, and the
loaded quotes are then linked into clusters. Loading the same output twice adds nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import Any

from quoteline.corpus.ingest import IngestReport
from quoteline.corpus.linking import LinkStep
from quoteline.errors import MissingExtraError, UsageError
from quoteline.models import Article, Quote, Skip, Span, parse_date
from quoteline.store import NewArticle, Store

BATCH_ROWS = 20_000


@dataclass(frozen=True, slots=True)
class _Loaded:
    article: Article
    quotes: tuple[Quote, ...]


def load_parquet(output: Path, store: Store, *, alias_file: Path | None = None) -> IngestReport:
    """Load OUTPUT/quotes (and OUTPUT/skips when present) into ``store``; what was done."""
    quotes_dir = output / "quotes"
    if not quotes_dir.exists():
        raise UsageError(f"{output}: no quotes/ folder; give the OUTPUT folder of "
                         "quoteline spark")
    report = IngestReport()
    known: set[tuple[str, str]] = set()
    linking = LinkStep(store)  # links what is already stored; the new quotes come next
    for group in _articles(_rows(quotes_dir)):
        report.read += 1
        _store_article(store, linking, group, known, report)
    if (output / "skips").exists():
        with store.transaction():
            for row in _rows(output / "skips"):
                store.add_skip(Skip(source=str(row.get("source") or "?"),
                                    reason=str(row.get("reason") or "skipped"),
                                    article_id=row.get("article_id"), detail=row.get("detail")))
                report.skipped += 1
                report.reasons[str(row.get("reason"))] += 1
    LinkStep(store, alias_file)  # a fresh step links every quote loaded without a cluster
    return report


def _store_article(store: Store, linking: LinkStep, group: _Loaded,
                   known: set[tuple[str, str]], report: IngestReport) -> None:
    art = group.article
    ident = art.id or art.url or "?"
    digest = hashlib.sha256("\n".join([ident, *(q.text for q in group.quotes)]).encode())
    key = (ident, "spark:" + digest.hexdigest())
    if key in known or store.has_article(*key):
        report.already += 1
        return
    known.add(key)
    with store.transaction():
        sids = [linking.speaker_id(q) for q in group.quotes]
        store.add_article(NewArticle(art, ident, key[1], b"", quotes=group.quotes), sids)
    report.stored += 1
    report.quotes += len(group.quotes)


def _rows(folder: Path) -> Iterator[dict[str, Any]]:
    try:
        import pyarrow.dataset as ds
    except ImportError:
        raise MissingExtraError("pyarrow", "parquet") from None
    dataset = ds.dataset(str(folder), format="parquet")
    for batch in dataset.to_batches(batch_size=BATCH_ROWS):
        yield from batch.to_pylist()


def _articles(rows: Iterator[dict[str, Any]]) -> Iterator[_Loaded]:
    """Consecutive rows of one article_id become one article (Spark writes them together)."""
    for art_id, group in groupby(rows, key=lambda r: r.get("article_id")):
        items = list(group)
        first = items[0]
        article = Article(text="", id=art_id, url=first.get("url"), outlet=first.get("outlet"),
                          published=parse_date(first.get("published")), source="spark")
        quotes = tuple(dict.fromkeys(_quote(r, art_id) for r in items))  # no duplicate spans
        yield _Loaded(article, tuple({(q.start, q.end): q for q in quotes}.values()))


def _quote(row: dict[str, Any], art_id: str | None) -> Quote:
    return Quote(
        start=int(row["start"]), end=int(row["end"]), text=str(row["text"]),
        kind=row.get("kind") or "direct", cue=_span(row.get("cue")),
        source=_span(row.get("source")), speaker=row.get("speaker"),
        speaker_title=row.get("speaker_title"), said_on=parse_date(row.get("said_on")),
        said_on_basis=row.get("said_on_basis"), confidence=float(row.get("confidence") or 0.5),
        parts=tuple(s for s in (_span(p) for p in row.get("parts") or ()) if s),
        article_id=art_id, extractor=row.get("extractor") or "", model=row.get("model") or "",
    )


def _span(value: Any) -> Span | None:
    if not value:
        return None
    return Span(int(value["start"]), int(value["end"]), str(value.get("text") or ""))
