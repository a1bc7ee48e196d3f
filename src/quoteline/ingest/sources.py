"""Every kind of SOURCE ``quoteline ingest`` accepts, as one stream of Articles and Skips."""

from __future__ import annotations

import glob
import sys
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from quoteline.errors import InputError, UsageError
from quoteline.ingest.basic import JSONL_SUFFIXES, decode_text, jsonl_record, read_jsonl_articles
from quoteline.ingest.fetch import FetchOptions, read_url
from quoteline.ingest.html import html_to_article
from quoteline.ingest.warc import read_warc
from quoteline.models import Article, Skip

HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml")
WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
MAX_TEXT_BYTES = 10_000_000  # a bigger "article" is a dump, not a story; skipped with a reason


@dataclass(frozen=True, slots=True)
class SourceOptions:
    """How to read sources: JSONL field names, size limit, network limits."""

    fields: Mapping[str, str] = field(default_factory=dict)
    max_bytes: int = MAX_TEXT_BYTES
    fetch: FetchOptions = field(default_factory=FetchOptions)


def is_url(source: str) -> bool:
    """True for http(s) URLs."""
    return source.startswith(("http://", "https://"))


def expand(sources: list[str]) -> list[str]:
    """Sources with directories and globs expanded to files (sorted); UsageError if missing."""
    out: list[str] = []
    for src in sources:
        if src == "-" or is_url(src):
            out.append(src)
        elif Path(src).is_dir():
            out += sorted(str(p) for p in Path(src).rglob("*")
                          if p.is_file() and not any(x.startswith(".") for x in p.parts))
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


def read_sources(sources: list[str], opts: SourceOptions | None = None) -> Iterator[Article | Skip]:
    """Articles (and Skips with reasons) from every source, in order."""
    opts = opts or SourceOptions()
    for src in expand(sources):
        yield from read_source(src, opts)


def read_source(src: str, opts: SourceOptions) -> Iterator[Article | Skip]:
    """Articles from one expanded source (a file, ``-`` or a URL)."""
    name = src.lower()
    if is_url(src):
        yield from read_url(src, opts.fetch)
    elif src == "-":
        yield from _stdin(opts)
    elif name.endswith(JSONL_SUFFIXES):
        yield from _jsonl(src, opts)
    elif name.endswith(WARC_SUFFIXES):
        yield from read_warc(src)
    else:
        yield _file(src, opts)


def _jsonl(path: str, opts: SourceOptions) -> Iterator[Article | Skip]:
    if not path.lower().endswith(".gz"):
        yield from read_jsonl_articles(path, opts.fields)
        return
    names = {**_default_fields(), **opts.fields}
    try:
        for lineno, line in enumerate(_gzip_lines(path), 1):
            if line.strip():
                yield jsonl_record(line, f"{path}:{lineno}", names)
    except (EOFError, zlib.error, OSError) as exc:
        yield Skip(source=path, reason="truncated or corrupt gzip",
                   detail=f"{type(exc).__name__}: {exc}; the lines before it were read"[:300])


def _gzip_lines(path: str, chunk: int = 1 << 16) -> Iterator[bytes]:
    """Lines of a (multi-member) gzip file, yielded as soon as they are complete.

    Unlike gzip.open, a truncated file still gives every whole line before the cut.
    """
    inflater = zlib.decompressobj(wbits=31)
    pending = b""
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            while block:
                pending += inflater.decompress(block)
                block = inflater.unused_data
                if inflater.eof and block:  # the next gzip member
                    inflater = zlib.decompressobj(wbits=31)
            *lines, pending = pending.split(b"\n")
            yield from lines
    if not inflater.eof:
        raise EOFError("the gzip stream ends early (truncated file)")
    if pending:
        yield pending


def _file(path: str, opts: SourceOptions) -> Article | Skip:
    p = Path(path)
    size = p.stat().st_size
    if size > opts.max_bytes:
        return Skip(source=path, reason="too large", article_id=p.stem,
                    detail=f"{size} bytes > {opts.max_bytes}; split it or raise the limit")
    data = p.read_bytes()
    if path.lower().endswith(HTML_SUFFIXES) or data[:512].lstrip()[:15].lower().startswith(
            (b"<!doctype html", b"<html")):
        return html_to_article(data, source=path, article_id=p.stem)
    return _text(data, path, p.stem)


def _text(data: bytes, source: str, art_id: str) -> Article | Skip:
    try:
        text = decode_text(data, source)
    except InputError as exc:
        return Skip(source=source, reason=str(exc).split(": ", 1)[-1].split(";")[0],
                    article_id=art_id, detail=str(exc))
    if not text.strip():
        return Skip(source=source, reason="empty text", article_id=art_id)
    return Article(text=text, id=art_id, source=source)


def _stdin(opts: SourceOptions) -> Iterator[Article | Skip]:
    data = sys.stdin.buffer.read(opts.max_bytes + 1)
    if len(data) > opts.max_bytes:
        yield Skip(source="<stdin>", reason="too large", detail=f"over {opts.max_bytes} bytes")
        return
    if data.lstrip()[:1] == b"{":  # JSONL on stdin
        names = {**_default_fields(), **opts.fields}
        for lineno, line in enumerate(data.splitlines(), 1):
            if line.strip():
                yield jsonl_record(line, f"<stdin>:{lineno}", names)
        return
    yield _text(data, "<stdin>", "stdin")


def _default_fields() -> dict[str, str]:
    from quoteline.ingest.basic import DEFAULT_FIELDS

    return dict(DEFAULT_FIELDS)
