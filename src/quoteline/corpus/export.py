"""What an export holds: the columns of quotes, speakers, clusters and skips, the one CSV
writer (which keeps spreadsheets from running cells as formulas), and a Parquet writer.

``quoteline export``, ``quoteline search --format csv`` (and the other CLI CSV outputs) and
the web's ``/quotes.csv`` all write through here, so they agree on columns and on the guard.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator, Mapping
from itertools import islice
from pathlib import Path
from typing import Any, TextIO

from quoteline.errors import MissingExtraError, UsageError
from quoteline.models import ActChoice
from quoteline.store import QuoteHit, Store
from quoteline.store.units import RENDERING_COLUMNS

QUOTE_COLUMNS = ["article_id", "url", "outlet", "published", "start", "end", "text", "kind",
                 "speaker", "speaker_id", "cue", "said_on", "cluster", "rendering", "quote_id",
                 "title", "speaker_name", "speaker_title", "said_on_basis", "confidence",
                 "similarity", "diff", "act", "rule"]
# A search result: the quote's columns, then when it was said (said_on, else published), its
# rank score and how many other renderings of its cluster are altered.
SEARCH_COLUMNS = [*QUOTE_COLUMNS, "when", "score", "altered_elsewhere"]
SPEAKER_COLUMNS = ["speaker_id", "name", "title", "aliases", "titles", "quotes"]
CLUSTER_COLUMNS = ["cluster", "reference_quote_id", "reference_text", "speaker_id", "speaker",
                   "first_outlet", "first_published", "first_article", "size", "altered",
                   "misattributed"]
SKIP_COLUMNS = ["source", "reason", "article_id", "detail", "skipped_at"]
EXPORTS = ("quotes", "renderings", "speakers", "clusters")
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP: CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def export_rows(store: Store, what: str,
                flag: str | None = None,
                acts: ActChoice = "speech") -> tuple[Iterator[dict[str, Any]], list[str]]:
    """(rows, columns) for ``quotes`` (statements, or ``acts="all"``), ``renderings`` (one
    row per utterance unit), ``speakers`` or ``clusters`` (``flag``: renderings or clusters
    of flagged clusters only)."""
    if what == "renderings":
        return store.renderings(flag), RENDERING_COLUMNS
    if what == "quotes":
        return (_pick(h.to_dict(), QUOTE_COLUMNS) for h in store.quotes(acts)), QUOTE_COLUMNS
    if what == "speakers":
        return (s.to_dict() for s in store.speakers()), SPEAKER_COLUMNS
    if what == "clusters":
        return (_pick(r, CLUSTER_COLUMNS) for r in store.clusters(flag=flag)), CLUSTER_COLUMNS
    raise UsageError(f"cannot export {what!r}; choose {', '.join(EXPORTS)}")


def search_row(hit: QuoteHit, altered_elsewhere: int | None = None) -> dict[str, Any]:
    """One search hit as a row of SEARCH_COLUMNS."""
    row = _pick(hit.to_dict(), SEARCH_COLUMNS)
    when = hit.when
    row.update(when=when.isoformat() if when else None, altered_elsewhere=altered_elsewhere)
    return row


def _pick(row: Mapping[str, Any], columns: list[str]) -> dict[str, Any]:
    return {c: row.get(c) for c in columns}


# ---------------------------------------------------------------- CSV
def csv_cell(value: Any) -> Any:
    """A value as a CSV cell: lists as JSON, dates as ISO, and text that a spreadsheet would
    run as a formula prefixed with ``'`` (article text is hostile)."""
    if value is None:
        return ""
    if isinstance(value, list | dict):
        value = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, dt.date):
        value = value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(rows: Iterable[Mapping[str, Any]], columns: list[str], out: TextIO) -> int:
    """Write a header and the rows (guarded cells, only ``columns``) to ``out``; how many."""
    writer = csv.writer(out)
    writer.writerow(columns)
    n = 0
    for row in rows:
        writer.writerow([csv_cell(row.get(c)) for c in columns])
        n += 1
    return n


def csv_text(rows: Iterable[Mapping[str, Any]], columns: list[str]) -> str:
    """The CSV (as ``write_csv`` writes it) as one string."""
    out = io.StringIO()
    write_csv(rows, columns, out)
    return out.getvalue()


# ---------------------------------------------------------------- Parquet
def require_parquet() -> None:
    """MissingExtraError (naming the extra to install) unless pyarrow can be imported."""
    try:
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        raise MissingExtraError("pyarrow", "parquet") from None


def write_parquet(rows: Iterable[dict[str, Any]], columns: list[str], path: Path,
                  chunk: int = 50_000) -> int:
    """Write rows to a Parquet file (lists become JSON text); how many rows."""
    require_parquet()
    import pyarrow as pa
    import pyarrow.parquet as pq

    it = iter(rows)
    writer: Any = None
    n = 0
    try:
        while batch := list(islice(it, chunk)):
            data = {c: [_flat(r.get(c)) for r in batch] for c in columns}
            table = pa.table(data)
            if writer is None:
                writer = pq.ParquetWriter(str(path), table.schema)
            writer.write_table(table.cast(writer.schema))
            n += len(batch)
        if writer is None:
            pq.write_table(pa.table({c: pa.array([], pa.string()) for c in columns}), str(path))
    finally:
        if writer is not None:
            writer.close()
    return n


def _flat(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) else value
