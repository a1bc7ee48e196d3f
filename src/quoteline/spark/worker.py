"""What runs inside each Spark partition: plain Python over the library, no pyspark needed.

Input rows become ``Article | Skip`` with the very readers ``quoteline extract`` and
``ingest`` use (``quoteline.ingest``: the JSONL, WARC, HTML and text readers, on the bytes a
row holds, with the options the driver made), then ``extract_many`` runs over the partition
in batches. The spaCy pipeline comes from ``load_nlp`` (lru-cached), so each executor Python
process loads it once and reuses it for every partition it runs (Spark keeps Python workers
alive: ``spark.python.worker.reuse``). Every bad record becomes a skip row; only a missing
model fails the job.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from quoteline.ingest.jsonl import article_from_record, jsonl_record
from quoteline.ingest.options import SourceOptions
from quoteline.ingest.sources import read_bytes
from quoteline.ingest.warc import read_warc_stream
from quoteline.models import Article, Extraction, Quote, Skip, Span

# Column order of the rows below; quoteline.spark.schema builds the Spark types in this order.
QUOTE_FIELDS: tuple[str, ...] = (
    "article_id", "start", "end", "text", "kind", "cue", "source", "speaker", "speaker_title",
    "said_on", "said_on_basis", "confidence", "rule", "act", "parts", "extractor", "model",
    "url", "outlet", "published",
)
SKIP_FIELDS: tuple[str, ...] = ("source", "reason", "detail", "article_id")
# One tagged row per result: (kind, quote row | None, skip row | None).
QUOTE, SKIP = "quote", "skip"

SpanRow = tuple[int, int, str]
Row = tuple[Any, ...]
Tagged = tuple[str, Row | None, Row | None]


# ---------------------------------------------------------------- input rows -> Article | Skip
def from_json_line(line: bytes, where: str, opts: SourceOptions) -> Article | Skip | None:
    """One JSONL line's bytes (as ``quoteline extract`` reads it); None for a blank line."""
    if not line.strip():
        return None
    return jsonl_record(line, where, opts.field_names(), opts)


def from_record(rec: Mapping[str, Any], where: str, opts: SourceOptions) -> Article | Skip:
    """One Parquet row (id, text, published, url, title, outlet, author columns)."""
    return article_from_record(rec, where, opts.field_names(), opts)


def from_file(path: str, data: bytes | None, opts: SourceOptions) -> Iterator[Article | Skip]:
    """One whole file's bytes (a text, HTML, WARC or JSONL file), read as ``read`` reads it."""
    return read_bytes(path, bytes(data or b""), opts)


def from_warc(path: str, data: bytes | None, opts: SourceOptions) -> Iterator[Article | Skip]:
    """One WARC(.gz) file's bytes, whatever its name, read as ``read`` reads a WARC file."""
    return read_warc_stream(io.BytesIO(bytes(data or b"")), path, opts)


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

    for res in extract_many(items, model=model, batch_size=batch_size):
        if isinstance(res, Skip):
            yield SKIP, None, skip_row(res)
        else:
            yield from ((QUOTE, quote_row(q, res), None) for q in res.quotes)


def _span(span: Span | None) -> SpanRow | None:
    return None if span is None else (span.start, span.end, span.text)


def quote_row(q: Quote, ex: Extraction) -> Row:
    """A quote as a row in QUOTE_FIELDS order: the JSONL fields plus the article's fields."""
    art = ex.article
    return (
        q.article_id, q.start, q.end, q.text, q.kind, _span(q.cue), _span(q.source), q.speaker,
        q.speaker_title, q.said_on, q.said_on_basis, round(q.confidence, 3), q.rule, q.act,
        [_span(p) for p in q.parts], q.extractor, q.model, art.url, art.outlet, art.published,
    )


def skip_row(s: Skip) -> Row:
    """A skip as a row in SKIP_FIELDS order."""
    return (s.source, s.reason, s.detail, s.article_id)


def process_stats() -> tuple[int, int, int]:
    """(pid, peak RSS in KiB, spaCy pipelines loaded so far) of this Python process."""
    import os
    import resource

    from quoteline.nlp.loader import pipelines_loaded

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return os.getpid(), int(peak), pipelines_loaded()
