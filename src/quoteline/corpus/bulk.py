"""``load``: bulk-load the Parquet output of the Spark job into a store.

Articles are stored, their speakers resolved (honouring ``--aliases``) and their units
linked batch by batch, as ``ingest`` does, so memory stays bounded at any size. Output of
``quoteline spark link`` is loaded the same way (its clusters are re-linked, not kept).

The Spark output carries no article text, so loaded articles have empty text. Loading the
same output twice adds nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby, islice
from pathlib import Path
from typing import Any

from quoteline.corpus.ingest import IngestReport
from quoteline.corpus.linking import LinkStep
from quoteline.errors import MissingExtraError, UsageError
from quoteline.link.sources import is_wire
from quoteline.models import Article, Extraction, Quote, Skip, parse_date
from quoteline.spark.linking import quote_of_row
from quoteline.store import NewArticle, Store

BATCH_ROWS = 20_000
ARTICLES_PER_BATCH = 64  # articles per transaction when linking extract output


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
    # Spark link output (units/ beside quotes/) is re-linked here too: keeping its clusters
    # as they are is not built yet.
    report = IngestReport()
    _load_extracted(rows(quotes_dir), store, LinkStep(store, alias_file), report)
    if (output / "skips").exists():
        with store.transaction():
            for row in rows(output / "skips"):
                store.add_skip(Skip(source=str(row.get("source") or "?"),
                                    reason=str(row.get("reason") or "skipped"),
                                    article_id=row.get("article_id"), detail=row.get("detail")))
                report.skipped += 1
                report.reasons[str(row.get("reason"))] += 1
    return report


def _load_extracted(quote_rows: Iterator[dict[str, Any]], store: Store, linking: LinkStep,
                    report: IngestReport) -> None:
    groups = _articles(quote_rows)
    while batch := list(islice(groups, ARTICLES_PER_BATCH)):
        with store.transaction():
            linking.prepare(Extraction(g.article, g.quotes) for g in batch)
            for group in batch:
                report.read += 1
                _store_article(store, linking, group, report)


def _store_article(store: Store, linking: LinkStep, group: _Loaded,
                   report: IngestReport) -> None:
    art = group.article
    ident = art.id or art.url or "?"
    key = spark_key(ident, [q.text for q in group.quotes])
    if store.has_article(ident, key):
        report.already += 1
        return
    sids = linking.speaker_ids(Extraction(art, group.quotes))
    wire = is_wire(art)
    row, qids = store.add_article(NewArticle(art, ident, key, b"", quotes=group.quotes,
                                             is_wire=wire), sids)
    linking.link(linking.units(row, art, group.quotes, qids, sids, is_wire=wire))
    report.stored += 1
    report.quotes += len(group.quotes)


def spark_key(ident: str, quote_texts: list[str]) -> str:
    """The content hash a loaded article is stored under (it has no text of its own)."""
    digest = hashlib.sha256("\n".join([ident, *quote_texts]).encode())
    return "spark:" + digest.hexdigest()


def rows(folder: Path, columns: list[str] | None = None) -> Iterator[dict[str, Any]]:
    """The rows of a Parquet folder, a batch at a time."""
    try:
        import pyarrow.dataset as ds
    except ImportError:
        raise MissingExtraError("pyarrow", "parquet") from None
    dataset = ds.dataset(str(folder), format="parquet")
    for batch in dataset.to_batches(columns=columns, batch_size=BATCH_ROWS):
        yield from batch.to_pylist()


def _articles(quote_rows: Iterator[dict[str, Any]]) -> Iterator[_Loaded]:
    """Consecutive rows of one article_id become one article (Spark writes them together)."""
    for art_id, group in groupby(quote_rows, key=lambda r: r.get("article_id")):
        items = list(group)
        first = items[0]
        article = Article(text="", id=art_id, url=first.get("url"), outlet=first.get("outlet"),
                          published=parse_date(first.get("published")), source="spark")
        quotes = tuple(dict.fromkeys(quote_of_row(r) for r in items))  # no duplicate spans
        yield _Loaded(article, tuple({(q.start, q.end): q for q in quotes}.values()))
