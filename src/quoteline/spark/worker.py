"""What runs inside each Spark partition: plain Python over the library, no pyspark needed.

Input rows become ``Article | Skip`` with the same readers ``quoteline extract`` uses, then
``extract_many`` runs over the partition in batches. The spaCy pipeline comes from
``load_nlp`` (lru-cached), so each executor Python process loads it once and reuses it for
every partition it runs (Spark keeps Python workers alive: ``spark.python.worker.reuse``).
Every bad record becomes a skip row; only a missing model fails the job.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Mapping
from pathlib import PurePosixPath
from typing import Any

from quoteline.errors import InputError
from quoteline.ingest.basic import DEFAULT_FIELDS, article_from_record, decode_text, jsonl_record
from quoteline.models import Article, Extraction, Quote, Skip, Span, parse_date

# Column order of the rows below; quoteline.spark.schema builds the Spark types in this order.
QUOTE_FIELDS: tuple[str, ...] = (
    "article_id", "start", "end", "text", "kind", "cue", "source", "speaker", "speaker_title",
    "said_on", "said_on_basis", "confidence", "rule", "parts", "extractor", "model",
    "url", "outlet", "published",
)
SKIP_FIELDS: tuple[str, ...] = ("source", "reason", "detail", "article_id")
# One tagged row per result: (kind, quote row | None, skip row | None).
QUOTE, SKIP = "quote", "skip"

SpanRow = tuple[int, int, str]
Row = tuple[Any, ...]
Tagged = tuple[str, Row | None, Row | None]


# ---------------------------------------------------------------- input rows -> Article | Skip
def from_json_line(line: bytes, where: str) -> Article | Skip | None:
    """One JSONL line's bytes (as ``quoteline extract`` reads it); None for a blank line."""
    if not line.strip():
        return None
    return jsonl_record(line, where, DEFAULT_FIELDS)


def from_record(rec: Mapping[str, Any], where: str) -> Article | Skip:
    """One Parquet row (id, text, published, url, title, outlet, author columns)."""
    return article_from_record(rec, where, DEFAULT_FIELDS)


def from_text_file(path: str, data: bytes | None, published: str | None) -> Article | Skip:
    """One whole text file: undecodable bytes become a Skip, as in ``quoteline extract``."""
    art_id = PurePosixPath(path).stem
    try:
        text = decode_text(bytes(data or b""), path)
    except InputError as exc:
        return Skip(source=path, reason=str(exc).split(": ", 1)[-1], article_id=art_id)
    return Article(text=text, id=art_id, published=parse_date(published), source=path)


def from_warc(path: str, data: bytes | None) -> Iterator[Article | Skip]:
    """The HTML responses of one WARC(.gz) file as Articles (text by trafilatura)."""
    from warcio.archiveiterator import ArchiveIterator

    n = 0
    try:
        for n, record in enumerate(ArchiveIterator(io.BytesIO(bytes(data or b""))), 1):
            if not str(record.format).startswith("warc"):  # warcio reads any junk as ARC
                raise ValueError(f"record {n} is not a WARC record")
            if record.rec_type != "response":
                continue
            url = record.rec_headers.get_header("WARC-Target-URI")
            ctype = record.http_headers.get_header("Content-Type", "") if record.http_headers else ""
            if "html" not in (ctype or "").lower():
                continue
            yield _warc_article(record.content_stream().read(), url, f"{path}#{n}")
    except Exception as exc:  # a truncated or corrupt archive ends early with a recorded skip
        yield Skip(source=path, reason="unreadable WARC", detail=f"{type(exc).__name__}: {exc}"[:500])
        return
    if n == 0:
        yield Skip(source=path, reason="empty WARC file")


def _warc_article(payload: bytes, url: str | None, where: str) -> Article | Skip:
    import trafilatura

    try:
        html = decode_text(payload, where)
    except InputError as exc:
        return Skip(source=where, reason="undecodable WARC payload", article_id=url,
                    detail=str(exc)[:500])
    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False)
    text = getattr(doc, "text", None)
    if not text or not text.strip():
        return Skip(source=where, reason="no article text in HTML", article_id=url)
    try:
        published = parse_date(getattr(doc, "date", None))
    except ValueError:
        published = None
    return Article(text=text, id=url, url=url, title=getattr(doc, "title", None),
                   published=published, outlet=getattr(doc, "sitename", None), source=where)


def safely(where: str, read: Any, *args: Any) -> Iterator[Article | Skip]:
    """``read(*args)`` as an iterator; any exception becomes a Skip instead of a failed task."""
    try:
        out = read(*args)
        if out is None:
            return
        if isinstance(out, Article | Skip):
            yield out
        else:
            yield from out
    except Exception as exc:
        yield Skip(source=where[:500], reason="unreadable record",
                   detail=f"{type(exc).__name__}: {exc}"[:500])


# ---------------------------------------------------------------- extraction
def extract_partition(
    items: Iterable[Article | Skip], model: str | None = None, batch_size: int = 16
) -> Iterator[Tagged]:
    """Tagged quote and skip rows for one partition, via ``extract_many`` in batches."""
    from quoteline.nlp.pipeline import extract_many

    pending: list[Skip] = []

    def articles() -> Iterator[Article]:
        for item in items:
            if isinstance(item, Skip):
                pending.append(item)
            else:
                yield item

    for res in extract_many(articles(), model=model, batch_size=batch_size):
        yield from ((SKIP, None, skip_row(s)) for s in pending)
        pending.clear()
        if isinstance(res, Skip):
            yield SKIP, None, skip_row(res)
        else:
            yield from ((QUOTE, quote_row(q, res), None) for q in res.quotes)
    yield from ((SKIP, None, skip_row(s)) for s in pending)


def _span(span: Span | None) -> SpanRow | None:
    return None if span is None else (span.start, span.end, span.text)


def quote_row(q: Quote, ex: Extraction) -> Row:
    """A quote as a row in QUOTE_FIELDS order: the JSONL fields plus the article's fields."""
    art = ex.article
    return (
        q.article_id, q.start, q.end, q.text, q.kind, _span(q.cue), _span(q.source), q.speaker,
        q.speaker_title, q.said_on, q.said_on_basis, round(q.confidence, 3), q.rule,
        [_span(p) for p in q.parts], q.extractor, q.model, art.url, art.outlet, art.published,
    )


def skip_row(s: Skip) -> Row:
    """A skip as a row in SKIP_FIELDS order."""
    return (s.source, s.reason, s.detail, s.article_id)


def process_stats() -> tuple[int, int, int]:
    """(pid, peak RSS in KiB, spaCy pipelines loaded so far) of this Python process."""
    import os
    import resource

    from quoteline.nlp.loader import load_nlp

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return os.getpid(), int(peak), load_nlp.cache_info().misses
