"""``load``: bulk-load the Parquet output of the Spark job into a store.

Output of ``quoteline spark link`` (quotes/ with speaker_id, cluster_id and rendering columns,
beside clusters/ and speakers/) keeps the speakers and clusters Spark computed: nothing is
linked again (``quoteline.corpus.bulk_linked``). Output of ``quoteline spark extract`` has no
clusters: its articles are stored, their speakers resolved (honouring ``--aliases``) and their
units linked batch by batch, as ``ingest`` does. Either way memory stays bounded at any size.

The Spark output carries no article text, so loaded articles have empty text. Loading the
same output twice adds nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby, islice
from pathlib import Path
from typing import Any

from quoteline.corpus.bulk_linked import is_linked, load_linked, rows, spark_key
from quoteline.corpus.ingest import IngestReport
from quoteline.corpus.linking import LinkStep
from quoteline.errors import UsageError
from quoteline.link.sources import is_wire
from quoteline.models import Article, Extraction, Quote, Skip, parse_date
from quoteline.spark.linking import quote_of_row
from quoteline.store import NewArticle, Store

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
    report = IngestReport()
    if is_linked(output):
        load_linked(output, store, report, alias_file)
    else:
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


def _articles(quote_rows: Iterator[dict[str, Any]]) -> Iterator[_Loaded]:
    """Consecutive rows of one article_id become one article (Spark writes them together)."""
    for art_id, group in groupby(quote_rows, key=lambda r: r.get("article_id")):
        items = list(group)
        first = items[0]
        article = Article(text="", id=art_id, url=first.get("url"), outlet=first.get("outlet"),
                          published=parse_date(first.get("published")), source="spark")
        quotes = tuple(dict.fromkeys(quote_of_row(r) for r in items))  # no duplicate spans
        yield _Loaded(article, tuple({(q.start, q.end): q for q in quotes}.values()))
