"""Utterance units: the pieces of a quote that linking works on.

Outlets quote different spans of the same remarks (three sentences, the middle one, one
phrase), so a quote is cut into units: each piece of it split around its cue, each quoted
fragment of a mixed or reported quote, each sentence of those, and each run of words an
explicit ellipsis separates from a long enough run. A unit keeps its code-point offsets into
the article, so ``article.text[unit.start:unit.end] == unit.text``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from quoteline.link.normalize import data_lines
from quoteline.models import Quote, Span

_OPEN = "\u201c\u201e\"\u2018'"
_PAIRS = {"\u201c": "\u201d\"", "\u201e": "\u201d\u201c\"", '"': '"\u201d',
          "\u2018": "\u2019'", "'": "'\u2019"}
_STRIP = " \t\r\n\u00a0\"'\u201c\u201d\u201e\u2018\u2019,;:\u2014\u2013-([{"
_STRIP_END = " \t\r\n\u00a0\"'\u201c\u201d\u201e\u2018\u2019,;:\u2014\u2013-)]}"
_END = re.compile(r"[.!?]+[\"'\u201d\u2019)\]]*(?=\s)|\n\s*\n")
_NEXT = re.compile(r"\s*[\"'\u201c\u2018(\[]?[A-Z0-9]")
# an ellipsis (an outlet's cut), a semicolon (a translation's joined sentences) or a spaced
# dash (two sentences an outlet ran together: "... comes responsibility – the responsibility to
# know when ...")
_ELLIPSIS = re.compile(r"\s*(?:\.\s*\.\s*\.|\u2026|;|(?<=\s)[\u2013\u2014-](?=\s))\s*")
_WORD = re.compile(r"\w+")
_TOKEN_BEFORE = re.compile(r"(\w+)\W*$")
_PARA_END = re.compile(r"\n[ \t]*\n")
# where a coordinated clause with its own subject starts: "..., and I know", "... and we will"
_CLAUSE = re.compile(r"\s*(?P<comma>,)?\s+(?=(?:and|but)\s+(?:(?P<i>I)|we|you|he|she|it|they|there)\b)",
                     re.IGNORECASE)
_FIRST_PERSON = re.compile(r"\b(?:I|we)\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)\]]*\s*$")
MAX_STRETCH_CHARS = 4000  # a quotation running over paragraphs closes within this many
MIN_SPLIT_WORDS = 4  # an ellipsis, semicolon or dash splits only when both sides have this many words


@dataclass(frozen=True, slots=True)
class Unit:
    """One unit of a quote: offsets into the article, its text, and whether it is a claim
    to the speaker's own words (quoted) or reported speech (paraphrase at best)."""

    start: int
    end: int
    text: str
    quoted: bool = True


@cache
def abbreviations() -> frozenset[str]:
    """Words that end in a full stop without ending a sentence (data/abbreviations.txt)."""
    return frozenset(w.lower() for line in data_lines("abbreviations.txt") for w in line.split())


def quote_units(quote: Quote, stretches: list[Span] | None = None) -> list[Unit]:
    """The units of one extracted quote, in text order.

    ``stretches``: the article's quotation-marked stretches (``marked_stretches``). Reported
    speech that lies inside one is the quoted sentence around it: the outlet printed those
    words in quotation marks, whatever the grammar around them.
    """
    pieces = list(quote.parts) or [Span(quote.start, quote.end, quote.text)]
    quoted = quote.kind == "direct"
    if not quoted:
        fragments = [f for p in pieces for f in quoted_fragments(p)]
        around = [] if fragments else _enclosing(quote, stretches or [])
        if fragments or around:
            pieces, quoted = fragments or around, True
    out = [Unit(c.start, c.end, c.text, quoted)
           for p in pieces for s in sentences(p) for c in clauses(s)]
    if out or not _WORD.search(quote.text):
        return out  # a quote without a word has nothing to link
    return [Unit(quote.start, quote.end, quote.text, quoted)]


def marked_stretches(text: str) -> list[Span]:
    """The quotation-marked stretches of an article. A quotation may run over paragraphs
    (to its closing mark, at most MAX_STRETCH_CHARS on); an unclosed one ends with its
    paragraph."""
    out: list[Span] = []
    i = 0
    while i < len(text):
        if text[i] in _OPEN and _opens(text, i):
            end = _stretch_end(text, i)
            if _WORD.search(text, i + 1, end):
                out.append(Span(i + 1, end, text[i + 1:end]))
            i = end + 1
            continue
        i += 1
    return out


def _stretch_end(text: str, i: int) -> int:
    close = _closing(text[:i + MAX_STRETCH_CHARS], i)
    para = _PARA_END.search(text, i)
    para_end = para.start() if para else len(text)
    if close < 0:
        return para_end
    reopen = text.find(text[i], i + 1, close) if text[i] not in "'\u2018" else -1
    return para_end if 0 <= reopen < close and reopen > para_end else close


def _enclosing(quote: Quote, stretches: list[Span]) -> list[Span]:
    """The marked stretch that holds the quote, when one does (the whole quotation is the
    speaker's, not only the clause the grammar showed as reported)."""
    return [st for st in stretches if st.start <= quote.start and quote.end <= st.end][:1]


def quoted_fragments(span: Span) -> list[Span]:
    """The stretches inside quotation marks of a reported or mixed quote (unclosed: to the end)."""
    out: list[Span] = []
    text, i = span.text, 0
    while i < len(text):
        ch = text[i]
        if ch in _OPEN and _opens(text, i):
            close = _closing(text, i)
            end = close if close >= 0 else len(text)
            if end > i + 1 and _WORD.search(text, i + 1, end):
                out.append(Span(span.start + i + 1, span.start + end, text[i + 1:end]))
            i = end + 1
            continue
        i += 1
    return out


def _opens(text: str, i: int) -> bool:
    """Whether the mark at ``i`` opens a quotation (an apostrophe inside a word does not)."""
    if text[i] not in "'\u2018":
        return True
    before = text[i - 1] if i else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return not before.isalnum() and after.isalnum()


def _closing(text: str, i: int) -> int:
    """Where the mark opened at ``i`` closes, or -1."""
    closers = _PAIRS[text[i]]
    for j in range(i + 1, len(text)):
        if text[j] in closers and _closes(text, j):
            return j
    return -1


def _closes(text: str, j: int) -> bool:
    if text[j] not in "'\u2019":
        return True
    after = text[j + 1] if j + 1 < len(text) else " "
    return not after.isalnum()  # "Jada's": an apostrophe inside a word closes nothing


def sentences(span: Span) -> Iterator[Span]:
    """The sentences of ``span`` (and the long runs an ellipsis separates), trimmed."""
    for sentence in _cut(span, _sentence_ends(span.text)):
        yield from _cut(sentence, _ellipsis_cuts(sentence.text))


def clauses(span: Span) -> Iterator[Span]:
    """``span`` cut where a reporter joined two of the speaker's sentences (``_clause_cuts``)."""
    yield from _cut(span, _clause_cuts(span.text))


def _sentence_ends(text: str) -> list[tuple[int, int]]:
    """(end of one sentence, start of the next) pairs inside ``text``."""
    cuts: list[tuple[int, int]] = []
    for m in _END.finditer(text):
        nxt = _NEXT.match(text, m.end())
        if m.group().strip() and (nxt is None or _abbreviation(text, m.start())):
            continue
        cuts.append((m.end() if m.group().strip() else m.start(), m.end()))
    return cuts


def _abbreviation(text: str, stop: int) -> bool:
    """Whether the full stop at ``stop`` ends an abbreviation or an initial ("Gen.", "H.")."""
    m = _TOKEN_BEFORE.search(text, 0, stop)
    if m is None or text[stop] != ".":
        return False
    word = m.group(1)
    return (len(word) == 1 and word.isupper()) or word.lower() in abbreviations()


def _ellipsis_cuts(text: str) -> list[tuple[int, int]]:
    cuts: list[tuple[int, int]] = []
    last = 0
    for m in _ELLIPSIS.finditer(text):
        before = len(_WORD.findall(text, last, m.start()))
        after = len(_WORD.findall(text, m.end()))
        if before >= MIN_SPLIT_WORDS and after >= MIN_SPLIT_WORDS:
            cuts.append((m.start(), m.end()))
            last = m.end()
    return cuts


def _clause_cuts(text: str) -> list[tuple[int, int]]:
    """Where a speaker's second clause starts: outlets join two sentences of a speech into one
    ("I know what it takes, and I know ..."), so each clause is a unit of its own. Only where
    the first clause speaks in the first person too, or a comma comes before "and I" ("my wife
    and I", "the port will stay open, and we will" are one utterance), both clauses long."""
    cuts: list[tuple[int, int]] = []
    last = 0
    for m in _CLAUSE.finditer(text):
        left, right = _WORD.findall(text, last, m.start()), _WORD.findall(text, m.end())[1:]
        speaks = _FIRST_PERSON.search(text, last, m.start()) or (m.group("comma") and m.group("i"))
        # a short second clause is its own statement only when the speaker turns to speak of
        # themself ("we failed them and I take the blame"; "I was late and I was wrong" is one)
        me = right[0].lower() if right else ""
        long = len(right) >= MIN_SPLIT_WORDS or (
            len(right) >= MIN_SPLIT_WORDS - 1 and me in ("i", "we")
            and me not in {w.lower() for w in left})
        if speaks and long and len(left) >= MIN_SPLIT_WORDS:
            cuts.append((m.start(), m.end()))
            last = m.end()
    return cuts


def _cut(span: Span, cuts: list[tuple[int, int]]) -> Iterator[Span]:
    """``span`` cut at (end, next start) pairs of offsets within it, each piece trimmed."""
    at = 0
    for end, nxt in [*cuts, (len(span.text), len(span.text))]:
        piece = trim(span.text, at, end)
        if piece is not None:
            yield Span(span.start + piece[0], span.start + piece[1], span.text[piece[0]:piece[1]])
        at = nxt


def is_sentence(text: str) -> bool:
    """Whether a unit is a whole sentence: it starts with a capital and ends with a full stop,
    question or exclamation mark (a piece of a sentence split around its cue does not)."""
    body = text.strip(_STRIP + ".!?")
    return bool(body) and body[0].isupper() and _SENTENCE_END.search(text) is not None


def trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    """``text[start:end]`` without surrounding spaces, marks and commas; None when no word."""
    while start < end and text[start] in _STRIP:
        start += 1
    while end > start and text[end - 1] in _STRIP_END:
        end -= 1
    return (start, end) if _WORD.search(text, start, end) else None
