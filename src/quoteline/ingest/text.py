"""Plain text and HTML files (as bytes) to Articles; undecodable bytes become Skips."""

from __future__ import annotations

from pathlib import PurePosixPath, PureWindowsPath

from quoteline.errors import InputError
from quoteline.ingest.html import html_to_article
from quoteline.ingest.options import SourceOptions
from quoteline.models import Article, Skip

HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml")


def decode_text(data: bytes, source: str) -> str:
    """UTF-8 text (a BOM is dropped); InputError for binary or undecodable bytes."""
    if b"\x00" in data[:8192]:
        raise InputError(f"{source}: looks like a binary file (NUL bytes); give a UTF-8 text file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{source}: not valid UTF-8 at byte {exc.start}; convert it first "
            f"(for example: iconv -f latin1 -t utf-8 {source})"
        ) from None


def stem(path: str) -> str:
    """The file name without its suffix, for local paths and URIs (file:/..., s3a://...) alike."""
    name = PureWindowsPath(path).name if "\\" in path else PurePosixPath(path).name
    return PurePosixPath(name).stem


def looks_like_html(name: str, data: bytes) -> bool:
    """An HTML file by its suffix or its first bytes."""
    head = data[:512].lstrip()[:15].lower()
    return name.lower().endswith(HTML_SUFFIXES) or head.startswith((b"<!doctype html", b"<html"))


def file_article(name: str, data: bytes, opts: SourceOptions) -> Article | Skip:
    """One whole file (text or HTML) as an Article, or a Skip saying why not."""
    art_id = stem(name)
    if len(data) > opts.max_bytes:
        return Skip(source=name, reason="too large", article_id=art_id,
                    detail=f"{len(data)} bytes > {opts.max_bytes}; split it or raise "
                           "max_text_bytes")
    if looks_like_html(name, data):
        return html_to_article(data, source=name, article_id=art_id, options=opts)
    return text_article(data, name, art_id, opts)


def text_article(data: bytes, source: str, art_id: str, opts: SourceOptions) -> Article | Skip:
    """Plain UTF-8 text as an Article dated ``opts.published``."""
    try:
        text = decode_text(data, source)
    except InputError as exc:
        return Skip(source=source, reason=str(exc).split(": ", 1)[-1].split(";")[0],
                    article_id=art_id, detail=str(exc))
    if not text.strip():
        return Skip(source=source, reason="empty text", article_id=art_id)
    return Article(text=text, id=art_id, published=opts.published, source=source)
