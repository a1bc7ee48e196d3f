"""Primary sources: a transcript, speech text or statement is all speech, with no quote marks.

Every sentence of a primary source is an utterance by its speaker (``Article.speaker``), and
the reference of its cluster. A Q&A transcript names who speaks each turn ("Jane Doe
(00:12):", "Q:"); there each answer is its speaker's and the questions are nobody's quotes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from quoteline import __version__
from quoteline.link.normalize import data_lines
from quoteline.link.speaker_names import norm
from quoteline.link.units import sentences
from quoteline.models import Article, Extraction, Quote, Span

EXTRACTOR = f"quoteline {__version__} primary"
HEADING_CHARS = 60  # a line this short without a full stop is a heading, not part of a sentence
_LABEL = re.compile(
    r"^[ \t]*(?P<name>[A-Z][\w.'\u2019-]*(?:[ \t]+[A-Z][\w.'\u2019-]*){0,3})[ \t]*"
    r"(?P<stamp>\((?:\d{1,2}:)?\d{1,2}:\d{2}\))?[ \t]*:[ \t]*", re.MULTILINE)
_PARAGRAPH = re.compile(r"\n[ \t]*\n")
_TERMINAL = re.compile(r"[.!?:;\"'\u201d\u2019)]\s*$")


@dataclass(frozen=True, slots=True)
class Turn:
    """A stretch of a primary source spoken by one speaker (None: a question, not quoted)."""

    start: int
    end: int
    speaker: str | None


@cache
def question_labels() -> frozenset[str]:
    """Turn labels of the people asking (data/question_labels.txt): their words are no quotes."""
    return frozenset(norm(line) for line in data_lines("question_labels.txt"))


def primary_extraction(article: Article) -> Extraction:
    """Every sentence of a primary source as a quote of its speaker, in text order."""
    quotes = [_quote(article, s, turn.speaker)
              for turn in turns(article.text, article.speaker) if turn.speaker
              for block in blocks(article.text, turn.start, turn.end)
              for s in sentences(block)]
    return Extraction(article, tuple(quotes))


def turns(text: str, speaker: str | None) -> list[Turn]:
    """Who speaks where: labelled turns of a Q&A transcript, else the whole text by ``speaker``."""
    labels = [m for m in _LABEL.finditer(text) if _is_label(m)]
    if not _labelled(labels):
        return [Turn(0, len(text), speaker)]
    out = []
    for m, nxt in zip(labels, [*labels[1:], None], strict=True):
        end = nxt.start() if nxt else len(text)
        out.append(Turn(m.end(), end, _turn_speaker(m.group("name"), speaker)))
    return out


def is_transcript(text: str) -> bool:
    """Whether ``text`` is a transcript whose turns carry time stamps ("Jane Doe (01:02):")."""
    return any(m.group("stamp") for m in _LABEL.finditer(text))


def _is_label(m: re.Match[str]) -> bool:
    # a label stands at the start of a line and ends it, or is a known question label or stamped
    name = norm(m.group("name"))
    return bool(m.group("stamp")) or name in question_labels() or name in ("a", "answer")


def _labelled(labels: list[re.Match[str]]) -> bool:
    return any(m.group("stamp") for m in labels) or len(labels) >= 2


def _turn_speaker(label: str, speaker: str | None) -> str | None:
    name = norm(label)
    if name in question_labels():
        return None
    if name in ("a", "answer"):
        return speaker
    if speaker and set(name.split()) & set(norm(speaker).split()):
        return speaker  # "Ardern" or "Jacinda Ardern" for the speaker the caller named
    return label.strip()


def blocks(text: str, start: int, end: int) -> Iterator[Span]:
    """Paragraphs of ``text[start:end]``, with short unpunctuated lines (headings) on their own."""
    at = start
    for m in [*_PARAGRAPH.finditer(text, start, end), None]:
        stop = m.start() if m else end
        yield from _lines(text, at, stop)
        at = m.end() if m else end


def _lines(text: str, start: int, end: int) -> Iterator[Span]:
    at = start
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        line_end = nl if nl >= 0 else end
        line = text[pos:line_end]
        following = text[line_end + 1:end].lstrip()[:1]
        if (len(line.strip()) < HEADING_CHARS and not _TERMINAL.search(line)
                and not following.islower()):  # a heading; a lowercase next line continues it
            if at < pos:
                yield Span.of(text, at, pos)
            yield Span.of(text, pos, line_end)
            at = line_end
        pos = line_end + 1
    if at < end:
        yield Span.of(text, at, end)


def _quote(article: Article, span: Span, speaker: str | None) -> Quote:
    return Quote(start=span.start, end=span.end, text=span.text, kind="direct", cue=None,
                 source=None, speaker=speaker, confidence=1.0, article_id=article.id,
                 extractor=EXTRACTOR, model="")
