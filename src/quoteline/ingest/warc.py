"""WARC files (CC-NEWS): each HTML response record becomes an Article; junk becomes a Skip.

The reader works on any seekable byte stream (a local file, or the bytes a Spark executor
holds), so one WARC file gives the same articles and skips everywhere. After a damaged record
it resynchronises on the next record (the next gzip member in a .warc.gz, the next ``WARC/1.``
line otherwise), so one bad record does not lose the rest. A record whose length runs past
its end (into the next record, or past the end of the file) is damaged too: it is a skip,
and the record it swallowed is read. Every resync attempt counts against
``max_warc_resyncs``, so a file of junk ends with one skip in bounded time.
"""

from __future__ import annotations

import zlib
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import IO, Any

from quoteline.ingest.html import html_to_article
from quoteline.ingest.options import SourceOptions
from quoteline.models import Article, Skip

WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
_GZIP_MAGIC = b"\x1f\x8b\x08"
_WARC_MAGIC = b"WARC/1."
_SCAN_CHUNK = 1 << 16
_PROBE = 4096  # bytes read to check a resync candidate


@dataclass(slots=True)
class _State:
    """Where one WARC read stands: its name, options and how many responses it numbered."""

    name: str
    opts: SourceOptions
    is_arc: bool
    responses: int = 0

    def where(self) -> str:
        """The source of the next response record: ``name#n``."""
        self.responses += 1
        return f"{self.name}#{self.responses}"


def read_warc(path: str, opts: SourceOptions | None = None) -> Iterator[Article | Skip]:
    """Articles from the response records of a WARC/WARC.gz file, in file order."""
    with open(path, "rb") as stream:
        yield from read_warc_stream(stream, path, opts)


def read_warc_stream(stream: IO[bytes], name: str,
                     opts: SourceOptions | None = None) -> Iterator[Article | Skip]:
    """Articles (and Skips) from the WARC records of a seekable byte stream named ``name``."""
    opts = opts or SourceOptions()
    head = stream.read(2)
    marker = _GZIP_MAGIC if head == _GZIP_MAGIC[:2] or name.lower().endswith(".gz") \
        else _WARC_MAGIC
    state = _State(name, opts, ".arc" in name.lower())
    pos: int | None = 0
    attempts = 0
    while pos is not None:
        last, failure = yield from _records_from(stream, pos, state)
        if failure is None:
            return
        if last is not None or pos == 0:  # a damaged record, not a resync miss
            yield Skip(source=state.where(), reason="unreadable WARC record",
                       detail=failure[:300])
        attempts += 1
        if attempts > opts.max_resyncs:
            yield Skip(source=name, reason="too many damaged WARC records",
                       detail=f"gave up at byte {pos} after {opts.max_resyncs} resync attempts; "
                              "the rest of the file is not read (raise max_warc_resyncs)")
            return
        pos = _next_marker(stream, (last if last is not None else pos) + 1, marker)
        while pos is not None and not _plausible(stream, pos, state) and attempts <= opts.max_resyncs:
            attempts += 1  # a cheap miss still counts: a file of junk must end soon
            pos = _next_marker(stream, pos + 1, marker)


def _records_from(stream: IO[bytes], pos: int, state: _State
                  ) -> Generator[Article | Skip, None, tuple[int | None, str | None]]:
    """Yield records from ``pos``; return (start of the last record read, error or None)."""
    from warcio.archiveiterator import ArchiveIterator

    stream.seek(pos)
    last: int | None = None
    try:
        it = ArchiveIterator(stream)
        it.INC_RECORD = ""  # warcio prints a warning per bad length; we report it as a skip
        for record in it:
            if str(getattr(record, "format", "warc")).startswith("arc") and not state.is_arc:
                raise ValueError("junk read as an ARC record")  # warcio is lenient: refuse it
            item = _record(record, state) if record.rec_type == "response" else None
            errors = it.err_count
            off = it.get_record_offset()  # after reading: this call reads the record to its end
            start = off if off >= pos else pos + off  # warcio counts from the stream's start
            if it.err_count > errors or _cut_short(record):
                state.responses -= item is not None  # the skip takes this record's number
                return start, "the record's length runs past its end (damaged or truncated)"
            last = start
            if item is not None:
                yield item
    except Exception as exc:  # warcio raises ArchiveLoadFailed, zlib/EOF errors on junk
        return last, f"{type(exc).__name__}: {exc}".strip()
    return last, None


def _cut_short(record: Any) -> bool:
    """True when the stream ended before the record's Content-Length."""
    return int(getattr(record.raw_stream, "limit", 0) or 0) > 0


def _plausible(stream: IO[bytes], pos: int, state: _State) -> bool:
    """Whether a gzip member at ``pos`` starts a WARC record (checked before warcio reads it,
    since warcio reads a junk "line" to its end, however long, before it gives up)."""
    if state.is_arc:
        return True
    stream.seek(pos)
    head = stream.read(_PROBE)
    if not head.startswith(_GZIP_MAGIC):
        return head.startswith(_WARC_MAGIC)
    try:
        return zlib.decompressobj(wbits=31).decompress(head, 16).startswith(b"WARC/")
    except zlib.error:
        return False


def _next_marker(stream: IO[bytes], start: int, marker: bytes) -> int | None:
    """The offset of the next ``marker`` at or after ``start``, or None."""
    stream.seek(start)
    offset = start
    tail = b""
    while block := stream.read(_SCAN_CHUNK):
        data = tail + block
        found = data.find(marker)
        if found >= 0:
            return offset - len(tail) + found
        tail = data[-(len(marker) - 1):]
        offset += len(block)
    return None


def _record(record: Any, state: _State) -> Article | Skip:
    where = state.where()
    url = record.rec_headers.get_header("WARC-Target-URI")
    http = record.http_headers
    ctype = (http.get_header("Content-Type") or "") if http else ""
    if http is not None and ctype and "html" not in ctype.lower():
        return Skip(source=where, reason=f"not an HTML page ({ctype.split(';')[0].strip()})",
                    article_id=url)
    limit = state.opts.max_record_bytes
    body = record.content_stream().read(limit + 1)
    if len(body) > limit:
        return Skip(source=where, reason="too large", article_id=url,
                    detail=f"over {limit} bytes; raise max_record_bytes")
    return html_to_article(body, source=url or where, url=url, article_id=url,
                           options=state.opts)
