"""Plain text, stdin and JSONL article readers (the ones ``quoteline extract`` needs)."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any, cast

from quoteline.errors import InputError
from quoteline.models import Article, Skip, parse_date

JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson")
DEFAULT_FIELDS: Mapping[str, str] = {
    "id": "id", "text": "text", "url": "url", "title": "title",
    "published": "published", "outlet": "outlet", "author": "author",
}


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


def read_articles(
    paths: list[str], published: str | None = None, fields: Mapping[str, str] | None = None
) -> Iterator[Article | Skip]:
    """Articles from text files, JSONL files or ``-`` (stdin), in order."""
    for path in paths:
        if path.endswith(JSONL_SUFFIXES):
            yield from read_jsonl_articles(path, fields)
        else:
            yield _text_input(path, parse_date(published))


def _text_input(path: str, published: dt.date | None) -> Article | Skip:
    """One article from a text file or stdin; undecodable bytes become a Skip with the reason."""
    if path == "-":
        data, name, art_id = sys.stdin.buffer.read(), "<stdin>", "stdin"
    else:
        p = Path(path)
        if not p.is_file():
            raise InputError(f"{path}: no such file; check the path")
        data, name, art_id = p.read_bytes(), path, p.stem
    try:
        text = decode_text(data, name)
    except InputError as exc:
        return Skip(source=name, reason=str(exc).split(": ", 1)[-1], article_id=art_id)
    return Article(text=text, id=art_id, published=published, source=name)


def _open_lines(path: str) -> IO[bytes]:
    if not Path(path).is_file():
        raise InputError(f"{path}: no such file")
    if path.endswith(".gz"):
        return cast(IO[bytes], gzip.open(path, "rb"))
    return open(path, "rb")


def read_jsonl_articles(
    path: str, fields: Mapping[str, str] | None = None
) -> Iterator[Article | Skip]:
    """One Article per JSON line; a bad line becomes a Skip naming its line number."""
    names = {**DEFAULT_FIELDS, **(fields or {})}
    with _open_lines(path) as raw:
        stream = raw if isinstance(raw, io.BufferedReader) else io.BufferedReader(raw)  # type: ignore[type-var]
        for lineno, line in enumerate(stream, 1):
            if not line.strip():
                continue
            yield jsonl_record(line, f"{path}:{lineno}", names)


def jsonl_record(line: bytes, where: str, names: Mapping[str, str]) -> Article | Skip:
    try:
        rec = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return Skip(source=where, reason="invalid JSON line", detail=str(exc)[:200])
    if not isinstance(rec, dict):
        return Skip(source=where, reason="JSON line is not an object")
    return article_from_record(rec, where, names)


def article_from_record(rec: Mapping[str, Any], where: str, names: Mapping[str, str]) -> Article | Skip:
    """An Article from a mapping of fields (named by ``names``), or a Skip saying what is wrong."""
    text = rec.get(names["text"])
    art_id = rec.get(names["id"])
    art_id = str(art_id) if art_id is not None else None
    if not isinstance(text, str):
        return Skip(source=where, reason=f"no text field {names['text']!r}", article_id=art_id)
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
