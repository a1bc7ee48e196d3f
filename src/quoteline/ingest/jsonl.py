"""JSONL article files (plain or gzip) read as byte streams, with bounded memory.

Lines are cut from the stream in pieces of bounded size: a line longer than
``max_line_bytes`` becomes a skip (and is discarded up to its end without being kept), and a
gzip stream that inflates past ``max_inflated_bytes`` ends with a skip, so neither a gzip bomb
nor a file without newlines can take the machine's memory.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator, Mapping
from typing import IO, Any

from quoteline.ingest.options import SourceOptions
from quoteline.models import Article, Skip, parse_date

JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")
READ_CHUNK = 1 << 16  # compressed bytes read at a time
INFLATE_CHUNK = 1 << 20  # most bytes one inflate step may produce


class _InflateLimit(Exception):
    """The gzip stream inflated past the limit."""


def read_jsonl_stream(raw: IO[bytes], name: str, opts: SourceOptions,
                      gz: bool | None = None) -> Iterator[Article | Skip]:
    """One Article per JSON line of ``raw``; a bad line is a Skip naming its line number."""
    gz = name.lower().endswith(".gz") if gz is None else gz
    names = opts.field_names()
    chunks = _inflate(raw, opts.max_inflated_bytes) if gz else iter(
        lambda: raw.read(READ_CHUNK), b"")
    lineno = 0
    try:
        for lineno, line in enumerate(_split_lines(chunks, opts.max_line_bytes), 1):
            if line is None:
                yield Skip(source=f"{name}:{lineno}", reason="line too long",
                           detail=f"over {opts.max_line_bytes} bytes; raise max_line_bytes")
            elif line.strip():
                yield jsonl_record(line, f"{name}:{lineno}", names, opts)
    except _InflateLimit:
        yield Skip(source=name, reason="decompressed size over the limit",
                   detail=f"over {opts.max_inflated_bytes} bytes after line {lineno}; "
                          "raise max_inflated_bytes if the file is genuine")
    except (EOFError, zlib.error, OSError) as exc:
        yield Skip(source=name, reason="truncated or corrupt gzip",
                   detail=f"{type(exc).__name__}: {exc}; the lines before it were read"[:300])


def _inflate(raw: IO[bytes], limit: int) -> Iterator[bytes]:
    """The inflated bytes of a (multi-member) gzip stream, in pieces of bounded size.

    Unlike gzip.open, a truncated file still gives every byte before the cut (then EOFError).
    """
    inflater = zlib.decompressobj(wbits=31)
    total = 0
    while block := raw.read(READ_CHUNK):
        data = block
        while True:
            out = inflater.decompress(data, INFLATE_CHUNK)
            total += len(out)
            if total > limit:
                raise _InflateLimit
            if out:
                yield out
            if inflater.eof:
                data = inflater.unused_data
                if not data:
                    break
                inflater = zlib.decompressobj(wbits=31)  # the next gzip member
                continue
            data = inflater.unconsumed_tail
            if not data and len(out) < INFLATE_CHUNK:
                break
    if not inflater.eof:
        raise EOFError("the gzip stream ends early (truncated file)")


def _split_lines(chunks: Iterator[bytes], max_line: int) -> Iterator[bytes | None]:
    """Lines (without the newline); None for a line over ``max_line`` bytes, never kept whole."""
    pending = bytearray()
    dropping = False
    for chunk in chunks:
        start = 0
        while (nl := chunk.find(b"\n", start)) >= 0:
            if not dropping:
                pending += chunk[start:nl]
                yield bytes(pending) if len(pending) <= max_line else None
            dropping = False
            pending.clear()
            start = nl + 1
        if not dropping:
            pending += chunk[start:]
            if len(pending) > max_line:
                yield None
                dropping = True
                pending.clear()
    if pending and not dropping:
        yield bytes(pending)


def jsonl_record(line: bytes, where: str, names: Mapping[str, str],
                 opts: SourceOptions | None = None) -> Article | Skip:
    """One JSON line's bytes as an Article, or a Skip saying what is wrong with it."""
    opts = opts or SourceOptions()
    if len(line) > opts.max_line_bytes:
        return Skip(source=where, reason="line too long",
                    detail=f"over {opts.max_line_bytes} bytes; raise max_line_bytes")
    try:
        rec = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return Skip(source=where, reason="invalid JSON line", detail=str(exc)[:200])
    except RecursionError:
        return Skip(source=where, reason="nested too deeply",
                    detail="JSON nested deeper than Python's recursion limit")
    if not isinstance(rec, dict):
        return Skip(source=where, reason="JSON line is not an object")
    return article_from_record(rec, where, names, opts)


def article_from_record(rec: Mapping[str, Any], where: str, names: Mapping[str, str],
                        opts: SourceOptions | None = None) -> Article | Skip:
    """An Article from a mapping of fields (named by ``names``), or a Skip saying what is wrong."""
    text = rec.get(names["text"])
    art_id = rec.get(names["id"])
    art_id = str(art_id) if art_id is not None else None
    if not isinstance(text, str):
        return Skip(source=where, reason=f"no text field {names['text']!r}", article_id=art_id)
    limit = (opts or SourceOptions()).max_bytes
    if len(text) > limit // 4 and len(text.encode("utf-8", "surrogatepass")) > limit:
        return Skip(source=where, reason="too large", article_id=art_id,
                    detail=f"{len(text)} characters; over max_text_bytes ({limit} bytes)")
    try:
        published = parse_date(rec.get(names["published"]))
    except ValueError as exc:
        return Skip(source=where, reason="bad published date", article_id=art_id, detail=str(exc))
    return Article(
        text=text, id=art_id, url=_str(rec.get(names["url"])), title=_str(rec.get(names["title"])),
        published=published, outlet=_str(rec.get(names["outlet"])),
        author=_str(rec.get(names["author"])), source=where,
        primary=rec.get("primary") is True, speaker=_str(rec.get("speaker")),
    )


def _str(value: Any) -> str | None:
    return None if value is None else str(value)
