"""Export rows for quotes, speakers and clusters, and a Parquet writer (pyarrow, optional)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from quoteline.errors import MissingExtraError, UsageError
from quoteline.store import Store
from quoteline.store.units import RENDERING_COLUMNS

QUOTE_COLUMNS = ["article_id", "url", "outlet", "published", "start", "end", "text", "kind",
                 "speaker", "speaker_id", "cue", "said_on", "cluster", "rendering", "quote_id",
                 "title", "speaker_name", "speaker_title", "said_on_basis", "confidence",
                 "similarity", "diff"]
SPEAKER_COLUMNS = ["speaker_id", "name", "title", "aliases", "titles", "quotes"]
CLUSTER_COLUMNS = ["cluster", "reference_quote_id", "reference_text", "speaker_id", "speaker",
                   "first_outlet", "first_published", "first_article", "size", "altered",
                   "misattributed"]
EXPORTS = ("quotes", "renderings", "speakers", "clusters")


def export_rows(store: Store, what: str,
                flag: str | None = None) -> tuple[Iterator[dict[str, Any]], list[str]]:
    """(rows, columns) for ``quotes``, ``renderings`` (one row per utterance unit),
    ``speakers`` or ``clusters`` (``flag``: renderings or clusters of flagged clusters only)."""
    if what == "renderings":
        return store.renderings(flag), RENDERING_COLUMNS
    if what == "clusters" and flag:
        return (_pick(r, CLUSTER_COLUMNS) for r in store.clusters(flag=flag)), CLUSTER_COLUMNS
    if what == "quotes":
        return (_pick(h.to_dict(), QUOTE_COLUMNS) for h in store.quotes()), QUOTE_COLUMNS
    if what == "speakers":
        return (s.to_dict() for s in store.speakers()), SPEAKER_COLUMNS
    if what == "clusters":
        return (_pick(r, CLUSTER_COLUMNS) for r in store.clusters()), CLUSTER_COLUMNS
    raise UsageError(f"cannot export {what!r}; choose {', '.join(EXPORTS)}")


def _pick(row: dict[str, Any], columns: list[str]) -> dict[str, Any]:
    return {c: row.get(c) for c in columns}


def write_parquet(rows: Iterable[dict[str, Any]], columns: list[str], path: Path,
                  chunk: int = 50_000) -> int:
    """Write rows to a Parquet file (lists become JSON text); how many rows."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise MissingExtraError("pyarrow", "parquet") from None
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
