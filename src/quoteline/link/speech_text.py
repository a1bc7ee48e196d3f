"""Speech texts nothing flags: a page that gives someone's speech, statement or remarks in full.

Such a page ("Jane Doe's resignation speech in full", "Remarks by Jane Doe") prints the words
without quotation marks, so quote extraction finds nothing in it, yet it is the best reference
there is. It is read as a primary source of the speaker its title names, from where the text
starts (after the title block, or after a line that announces it: "This is what she said."),
but only when that text reads as the speaker's own: several sentences, many in the first
person, almost none in quotation marks. Sentences that name the speaker in the third person,
headings and quoted paragraphs (a reporter's promotion line) are left out.

A report may print such a statement too, after a line that announces it ("The full message:"):
its sentences are then quotes of the speaker the report quoted just before, up to the sign-off
("Sincerely,") or the report's next third-person paragraph. The report stays a report: a copy of
the statement is no primary source.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cache

from quoteline.link.normalize import data_lines, tokens
from quoteline.link.primary import EXTRACTOR, HEADING_CHARS, blocks
from quoteline.link.units import marked_stretches, sentences
from quoteline.models import Article, Extraction, Quote, Span

HEAD_CHARS = 1500  # the title sits at the top of the page
INTRO_CHARS = 800  # an announcing line ("This is what she said.") follows the title closely
MIN_SENTENCES = 5  # fewer is no speech text
FIRST_PERSON_SHARE = 0.3  # of its sentences, at least this many speak as "I" or "we"
QUOTED_SHARE = 0.2  # at most this share of its characters in quotation marks
_NAME = r"[A-Z][\w.'\u2019-]*(?:[ \t]+(?:[A-Z][\w.'\u2019-]*|van|von|de|da|del|der|bin|al)){0,3}"
_POSSESSIVE = r"['\u2019]s?"
_ANNOUNCE = re.compile(
    r"(?:\b(?:this is|here is|here's|below is|read) (?:what|how) (?:s?he|they) (?:said|wrote)[.:]?"
    r"|\b(?:said|says|wrote|writes|reads|read|follows|below|in full|full text|full statement)"
    r"\s*:)\s*$", re.IGNORECASE)
_SIGN_OFF = re.compile(r"^[ \t]*(?:sincerely|regards|best wishes|yours truly|with love)\b[^\n]{0,20}$",
                       re.IGNORECASE | re.MULTILINE)
_TERMINAL = re.compile(r"[.!?]\s*$")
_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)]*(?:\s|$)")
_MARKS = re.compile("[\"\u201c\u201d\u201e]|(?<!\\w)['\u2018]|['\u2019](?!\\w)")


@dataclass(frozen=True, slots=True)
class SpeechText:
    """A page that gives ``speaker``'s words in full, from ``start`` on."""

    speaker: str
    start: int


@cache
def _kinds() -> str:
    return "|".join(re.escape(k) for k in data_lines("speech_kinds.txt"))


@cache
def _titles() -> tuple[re.Pattern[str], ...]:
    kinds, gap = _kinds(), r"(?:[\w'\u2019-]+[ \t]+){0,4}?"
    return (
        # "Jane Doe's resignation speech in full", "Jane Doe's statement: full text"
        re.compile(rf"(?P<name>{_NAME}){_POSSESSIVE}[ \t]+{gap}(?:{kinds})\b[ \t]*[:\u2014\u2013-]?"
                   rf"[ \t]*(?:in full|\(?full text\)?|full transcript)\b", re.IGNORECASE),
        # "Full text of Jane Doe's speech", "Read Jane Doe's full statement"
        re.compile(rf"\b(?:full text|full transcript|in full)[ \t]*(?:of|:)[ \t]*(?P<name>{_NAME})"
                   rf"{_POSSESSIVE}[ \t]+{gap}(?:{kinds})\b", re.IGNORECASE),
        re.compile(rf"\bread[ \t]+(?P<name>{_NAME}){_POSSESSIVE}[ \t]+full[ \t]+{gap}(?:{kinds})\b",
                   re.IGNORECASE),
        # an official text's own heading: "Remarks by\nJane Doe", "Statement from Jane Doe"
        re.compile(rf"^[ \t]*(?:prepared[ \t]+)?(?:{kinds})[ \t]+(?:by|of|from)\s+(?:the[ \t]+)?"
                   rf"(?P<name>{_NAME})[ \t]*$", re.IGNORECASE | re.MULTILINE),
    )


@cache
def first_person() -> frozenset[str]:
    """First-person words (data/first_person.txt)."""
    return frozenset(w for line in data_lines("first_person.txt") for w in line.split())


def speech_text(article: Article) -> SpeechText | None:
    """Where ``article`` gives its titled speaker's words in full, or None (most pages)."""
    found = _title(article.text, article.title)
    if found is None:
        return None
    name, after = found
    start = _start(article.text, after)
    spans = list(speech_sentences(article.text, start, name))
    return SpeechText(name, start) if _reads_as_speech(article.text, start, spans) else None


def speech_extraction(ext: Extraction) -> Extraction:
    """``ext`` as a primary source when its article is a speech text, else ``ext`` itself.

    The speaker's sentences replace the extracted quotes, except quotes outside the text
    that credit the same speaker (a headline that quotes the speech).
    """
    art = ext.article
    found = speech_text(art)
    if found is None:
        return announced_statement(ext)
    art = replace(art, primary=True, speaker=found.speaker)
    surname = _surname(found.speaker)
    kept = [q for q in ext.quotes
            if q.end <= found.start and q.speaker and _surname(q.speaker) == surname]
    said = [_quote(art, s) for s in speech_sentences(art.text, found.start, found.speaker)]
    return Extraction(art, tuple(sorted([*kept, *said], key=lambda q: (q.start, q.end))))


@cache
def _full_line() -> re.Pattern[str]:
    """A report's line that announces a statement printed in full after it ("The full
    message:", "Read his statement in full:", "Full statement:")."""
    kinds, det = _kinds(), r"(?:the|his|her|their)[ \t]+"
    return re.compile(
        rf"^[ \t]*(?:(?:read|here is|here's|below is)[ \t]+)?(?:{det})?(?:full[ \t]+(?:{kinds})"
        rf"|(?:{kinds})[ \t]+in[ \t]+full)(?:[ \t]+(?:reads|follows|below))?[ \t]*:[ \t]*$",
        re.IGNORECASE | re.MULTILINE)


def announced_statement(ext: Extraction) -> Extraction:
    """``ext`` with the statement a report prints in full after an announcing line, when it
    does: its sentences are quotes of the speaker the report quoted just before the line (the
    report is no primary source, only a copy of one), up to a sign-off line ("Sincerely,")."""
    text = ext.article.text
    line = _full_line().search(text)
    if line is None:
        return ext
    named = [q.speaker for q in ext.quotes if q.end <= line.start() and q.speaker]
    end = _statement_end(text, line.end())
    if not named:
        return ext  # nobody to credit
    spans = list(speech_sentences(text[:end], line.end(), named[-1]))
    if not _reads_as_speech(text[:end], line.end(), spans):
        return ext  # a quoted statement (extraction has it), or the reporter's own words
    said = [replace(_quote(ext.article, s), speaker=named[-1], confidence=0.9, rule="colon")
            for s in spans]
    kept = [q for q in ext.quotes if q.end <= line.end() or q.start >= end]  # replaced by its own
    return Extraction(ext.article, tuple(sorted([*kept, *said], key=lambda q: (q.start, q.end))))


def _statement_end(text: str, start: int) -> int:
    """Where a statement printed in a report ends: at its sign-off line, else at the first
    paragraph that does not speak in the first person (the report going on)."""
    sign = _SIGN_OFF.search(text, start)
    end = sign.start() if sign else len(text)
    mine = first_person()
    for block in blocks(text, start, end):
        said = len(block.text.strip()) >= HEADING_CHARS or _TERMINAL.search(block.text)
        if said and not mine & set(tokens(block.text)):
            return block.start
    return end


def _title(text: str, title: str | None) -> tuple[str, int] | None:
    """The speaker a title names, and where the title ends in ``text`` (0: a separate title)."""
    for source, base in ((title, None), (text[:HEAD_CHARS], 0)):
        if not source:
            continue
        for pattern in _titles():
            m = pattern.search(source)
            if m and base is None:
                return m.group("name").strip(), 0
            if m:
                nl = text.find("\n", m.end())
                return m.group("name").strip(), nl if nl >= 0 else len(text)
    return None


def _start(text: str, after: int) -> int:
    """Where the speaker's text starts: after an announcing line close after the title, else at
    the first line after it where a sentence ends (not a heading, a name or a date)."""
    lines = list(_lines(text, after))
    for start, end in lines:
        if start - after > INTRO_CHARS:
            break
        if _ANNOUNCE.search(text, start, end):
            return end
    for start, end in lines:
        if _SENTENCE_END.search(text, start, end) and text[start:end].strip()[:1].isalnum():
            return start
    return len(text)


def _lines(text: str, at: int) -> Iterator[tuple[int, int]]:
    while at < len(text):
        nl = text.find("\n", at)
        end = nl if nl >= 0 else len(text)
        if text[at:end].strip():
            yield at, end
        at = end + 1


def speech_sentences(text: str, start: int, speaker: str) -> Iterator[Span]:
    """The sentences of a speech text from ``start``: no headings, no quoted paragraphs, none
    that names the speaker in the third person."""
    surname = _surname(speaker)
    quoted = marked_stretches(text[start:])
    for block in blocks(text, start, len(text)):
        if len(block.text.strip()) < HEADING_CHARS and not _TERMINAL.search(block.text):
            continue  # a heading or a signature line
        if any(q.start + start <= block.start + 1 and block.end - 1 <= q.end + start for q in quoted):
            continue  # a paragraph in quotation marks is someone's quote, not the speech
        for s in sentences(block):
            if surname not in tokens(s.text):
                yield s


def _reads_as_speech(text: str, start: int, spans: list[Span]) -> bool:
    body = text[start:]
    if len(spans) < MIN_SENTENCES or not body.strip():
        return False
    mine = first_person()  # a sentence with quotation marks speaks for someone it quotes
    share = sum(bool(mine & set(tokens(s.text))) and not _MARKS.search(s.text)
                for s in spans) / len(spans)
    quoted = sum(q.end - q.start for q in marked_stretches(body)) / len(body)
    return share >= FIRST_PERSON_SHARE and quoted <= QUOTED_SHARE


def _surname(name: str) -> str:
    words = tokens(name)
    return words[-1] if words else ""


def _quote(article: Article, span: Span) -> Quote:
    return Quote(start=span.start, end=span.end, text=span.text, kind="direct", cue=None,
                 source=None, speaker=article.speaker, confidence=1.0, article_id=article.id,
                 extractor=EXTRACTOR, model="")
