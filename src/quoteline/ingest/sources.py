"""The one reader: every kind of source, as one stream of Articles and Skips.

``read`` is behind ``quoteline extract``, ``quoteline ingest`` and the web's analyze page;
the Spark worker calls ``read_bytes`` (and the same JSONL, WARC and HTML readers) on the
bytes it holds. A bad input is a Skip with a reason, never an exception; only a source that
does not exist at all (a typo) is a UsageError, before anything is read.
"""

from __future__ import annotations

import glob
import io
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from quoteline.errors import UsageError
from quoteline.ingest.fetch import read_url
from quoteline.ingest.jsonl import JSONL_SUFFIXES, read_jsonl_stream
from quoteline.ingest.options import SourceOptions
from quoteline.ingest.text import file_article, text_article
from quoteline.ingest.warc import WARC_SUFFIXES, read_warc_stream
from quoteline.models import Article, Skip


def is_url(source: str) -> bool:
    """True for http(s) URLs."""
    return source.startswith(("http://", "https://"))


def expand(sources: Iterable[str]) -> list[str]:
    """Sources with directories and globs expanded to files (sorted); UsageError if missing."""
    out: list[str] = []
    for src in sources:
        if src == "-" or is_url(src):
            out.append(src)
        elif Path(src).is_dir():
            out += sorted(str(p) for p in Path(src).rglob("*")
                          if p.is_file() and not any(x.startswith(".") for x in
                                                     p.relative_to(src).parts))
        elif Path(src).is_file():
            out.append(src)
        elif glob.has_magic(src):
            matched = sorted(p for p in glob.glob(src, recursive=True) if Path(p).is_file())
            if not matched:
                raise UsageError(f"{src}: the pattern matches no files; check it (quote it "
                                 "so the shell does not expand it)")
            out += matched
        else:
            raise UsageError(f"{src}: no such file, folder or URL; check the path")
    return out


def read(sources: Iterable[str], options: SourceOptions | None = None) -> Iterator[Article | Skip]:
    """Articles (and Skips with reasons) from every source, in order.

    A source is a text or HTML file, a folder (read recursively), a glob, ``-`` (stdin), a
    JSONL(.gz) file, a WARC(.gz) file, or an http(s) URL of a page or an RSS/Atom feed.
    """
    opts = options or SourceOptions()
    for src in expand(sources):
        yield from read_source(src, opts)


def read_source(src: str, opts: SourceOptions) -> Iterator[Article | Skip]:
    """Articles from one expanded source (a file, ``-`` or a URL)."""
    if is_url(src):
        yield from read_url(src, opts)
    elif src == "-":
        yield from _stdin(opts)
    elif src.lower().endswith(JSONL_SUFFIXES):
        with open(src, "rb") as fh:
            yield from read_jsonl_stream(fh, src, opts)
    elif src.lower().endswith(WARC_SUFFIXES):
        with open(src, "rb") as fh:
            yield from read_warc_stream(fh, src, opts)
    else:
        yield _file(src, opts)


def read_bytes(name: str, data: bytes, opts: SourceOptions) -> Iterator[Article | Skip]:
    """Articles from one file's bytes, chosen by its name as ``read`` chooses (Spark's entry)."""
    lower = name.lower()
    if lower.endswith(JSONL_SUFFIXES):
        yield from read_jsonl_stream(io.BytesIO(data), name, opts)
    elif lower.endswith(WARC_SUFFIXES):
        yield from read_warc_stream(io.BytesIO(data), name, opts)
    else:
        yield file_article(name, data, opts)


def _file(path: str, opts: SourceOptions) -> Article | Skip:
    size = Path(path).stat().st_size
    if size > opts.max_bytes:  # refused before reading: a huge file never enters memory
        return Skip(source=path, reason="too large", article_id=Path(path).stem,
                    detail=f"{size} bytes > {opts.max_bytes}; split it or raise max_text_bytes")
    return file_article(path, Path(path).read_bytes(), opts)


def _stdin(opts: SourceOptions) -> Iterator[Article | Skip]:
    data = sys.stdin.buffer.read(opts.max_bytes + 1)
    if len(data) > opts.max_bytes:
        yield Skip(source="<stdin>", reason="too large", detail=f"over {opts.max_bytes} bytes")
        return
    if data.lstrip()[:1] == b"{":  # JSONL on stdin
        yield from read_jsonl_stream(io.BytesIO(data), "<stdin>", opts, gz=False)
        return
    yield text_article(data, "<stdin>", "stdin", opts)


def count_inputs(sources: list[str], max_scan_bytes: int = 1 << 30) -> int | None:
    """How many inputs the sources hold, when that is cheap to know (files, plain JSONL up to
    ``max_scan_bytes``); None when it is not (WARC, compressed files, URLs, stdin)."""
    total = 0
    for src in expand(sources):
        name = src.lower()
        if src == "-" or is_url(src) or name.endswith(WARC_SUFFIXES) or name.endswith(".gz"):
            return None
        if not name.endswith(JSONL_SUFFIXES):
            total += 1
            continue
        path = Path(src)
        if path.stat().st_size > max_scan_bytes:
            return None
        with path.open("rb") as fh:
            total += sum(1 for line in fh if line.strip())
    return total
