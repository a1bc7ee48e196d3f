"""WARC files (CC-NEWS): each HTML response record becomes an Article; junk becomes a Skip.

After a junk record the reader resynchronises on the next record (the next gzip member in a
.warc.gz, the next ``WARC/1.`` line otherwise), so one bad record does not lose the rest.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import IO, Any

from quoteline.ingest.html import html_to_article
from quoteline.models import Article, Skip

MAX_RECORD_BYTES = 10_000_000
MAX_RESYNCS = 1000  # give up on a file that is mostly junk
_GZIP_MAGIC = b"\x1f\x8b\x08"
_WARC_MAGIC = b"WARC/1."


def read_warc(path: str) -> Iterator[Article | Skip]:
    """Articles from the response records of a WARC/WARC.gz file, in file order."""
    marker = _GZIP_MAGIC if path.lower().endswith(".gz") else _WARC_MAGIC
    counter = [0]
    with open(path, "rb") as stream:
        pos: int | None = 0
        resyncs = 0
        while pos is not None and resyncs <= MAX_RESYNCS:
            last, failure = yield from _records_from(stream, pos, path, counter)
            if failure is None:
                return
            if last is None and pos != 0:  # a resync candidate that was not a record
                pos = _next_marker(stream, pos + 1, marker)
                continue
            counter[0] += 1
            yield Skip(source=f"{path}#{counter[0]}", reason="unreadable WARC record",
                       detail=failure[:300])
            resyncs += 1
            pos = _next_marker(stream, (last if last is not None else pos) + 1, marker)


def _records_from(stream: IO[bytes], pos: int, path: str, counter: list[int]
                  ) -> Generator[Article | Skip, None, tuple[int | None, str | None]]:
    """Yield records from ``pos``; return (start of the last good record, error or None)."""
    from warcio.archiveiterator import ArchiveIterator

    stream.seek(pos)
    last: int | None = None
    try:
        it = ArchiveIterator(stream)
        for record in it:
            if str(getattr(record, "format", "warc")).startswith("arc") and ".arc" not in path:
                raise ValueError("junk read as an ARC record")  # warcio is lenient: refuse it
            item: Article | Skip | None = None
            if record.rec_type == "response":
                counter[0] += 1
                item = _record(record, f"{path}#{counter[0]}")
            off = it.get_record_offset()  # after reading: this call reads the record to its end
            last = off if off >= pos else pos + off  # warcio counts from the stream's start
            if item is not None:
                yield item
    except Exception as exc:  # warcio raises ArchiveLoadFailed, zlib/EOF errors on junk
        return last, f"{type(exc).__name__}: {exc}".strip()
    return last, None


def _next_marker(stream: IO[bytes], start: int, marker: bytes, chunk: int = 1 << 20) -> int | None:
    """The offset of the next ``marker`` at or after ``start``, or None."""
    stream.seek(start)
    offset = start
    tail = b""
    while block := stream.read(chunk):
        data = tail + block
        found = data.find(marker)
        if found >= 0:
            return offset - len(tail) + found
        tail = data[-(len(marker) - 1):]
        offset += len(block)
    return None


def _record(record: Any, where: str) -> Article | Skip:
    url = record.rec_headers.get_header("WARC-Target-URI")
    http = record.http_headers
    ctype = (http.get_header("Content-Type") or "") if http else ""
    if http is not None and ctype and "html" not in ctype.lower():
        return Skip(source=where, reason=f"not an HTML page ({ctype.split(';')[0]})",
                    article_id=url)
    body = record.content_stream().read(MAX_RECORD_BYTES + 1)
    if len(body) > MAX_RECORD_BYTES:
        return Skip(source=where, reason="too large", article_id=url,
                    detail=f"over {MAX_RECORD_BYTES} bytes")
    return html_to_article(body, source=url or where, url=url, article_id=url)
