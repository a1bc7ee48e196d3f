"""The quote_marks stage: find quotation-mark spans in raw text (curly, straight, guillemets, singles).

Pairs marks within a paragraph; a quote left open at a paragraph's end continues when the next
paragraph opens with a quote mark (the newspaper convention for multi-paragraph quotes).
Unbalanced marks are dropped rather than guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OPEN_CLOSE = {"“": "”", "„": "“", "«": "»", "‹": "›", "‘": "’"}
# „ closes with “ (German) and ” (Polish/English press); accept both.
ALT_CLOSE = {"„": "”"}
PARA_BREAK = re.compile(r"\n\s*\n|\n(?=\s{2,})|\n")
MARKUP_TAG = re.compile(r"</?[A-Za-z][\w-]*(?:\s[^<>\n]*)?/?>")  # <tweet id="..." author="...">


@dataclass(frozen=True, slots=True)
class QuoteSpan:
    """Text between a matched pair of quote marks: ``inner`` excludes the marks."""

    open: int  # index of the opening mark
    close: int  # index of the closing mark (exclusive end of inner text)
    paragraph_continued: bool = False  # opened in an earlier paragraph
    width: int = 1  # characters in each mark: 2 for '' ... ''

    @property
    def inner(self) -> tuple[int, int]:
        """[start, end) of the quoted words, marks excluded."""
        return self.open + self.width, self.close

    @property
    def outer(self) -> tuple[int, int]:
        """[start, end) including both marks."""
        return self.open, self.close + self.width


def paragraphs(text: str) -> list[tuple[int, int]]:
    """[start, end) of each paragraph (split at line breaks)."""
    out: list[tuple[int, int]] = []
    start = 0
    for m in PARA_BREAK.finditer(text):
        if text[start : m.start()].strip():
            out.append((start, m.start()))
        start = m.end()
    if text[start:].strip():
        out.append((start, len(text)))
    return out


def markup_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) of each markup tag (an embedded post's <tweet author="..."> wrapper)."""
    return [m.span() for m in MARKUP_TAG.finditer(text)]


def _is_word(ch: str) -> bool:
    return ch.isalnum()


def _single_opens(text: str, i: int) -> bool:
    """‘ or ' opens a quote only at a word start (not an apostrophe like ’90s or rock ’n’ roll)."""
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return (not _is_word(before) and _is_word(after)) or (not _is_word(before) and after in "“\"")


def _single_closes(text: str, i: int) -> bool:
    """’ or ' closes a quote only at a word end followed by a non-letter (not it’s, dogs’ bowls)."""
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return (_is_word(before) or before in ".,!?;:—–-…") and not _is_word(after)


def find_quote_spans(text: str) -> list[QuoteSpan]:
    """Top-level quote spans in text order (nested quotes stay inside their outer span)."""
    # Some wires write a double quote as two apostrophes (''...''); read them as one mark.
    # The replacement keeps every offset: '' becomes '"' plus a space.
    original, text = text, text.replace("''", '" ')
    text = MARKUP_TAG.sub(lambda m: " " * len(m.group()), text)  # attribute values are not quotes
    spans: list[QuoteSpan] = []
    carry: int | None = None  # opening index of a quote continuing into the next paragraph
    for p_start, p_end in paragraphs(text):
        found, carry = _scan_paragraph(text, p_start, p_end, carry)
        spans.extend(found)
    return [_doubled(original, q) for q in spans]


def _doubled(text: str, q: QuoteSpan) -> QuoteSpan:
    """Widen a span whose marks are two apostrophes each."""
    if text.startswith("''", q.open) and text.startswith("''", q.close):
        return QuoteSpan(q.open, q.close, q.paragraph_continued, width=2)
    return q


def _scan_paragraph(
    text: str, start: int, end: int, carry: int | None
) -> tuple[list[QuoteSpan], int | None]:
    """Pair the marks of one paragraph; return the spans and an open quote to carry over."""
    out: list[QuoteSpan] = []
    i = start
    while i < end and text[i].isspace():
        i += 1
    continued = carry is not None and i < end and text[i] in "“\"«„"
    open_at: int | None = None
    open_ch = ""
    for j in range(i, end):
        ch = text[j]
        if open_at is None:
            if ch == '"' or (ch in OPEN_CLOSE and (ch != "‘" or _single_opens(text, j))):
                open_at, open_ch = j, ch
            continue
        if _closes(text, j, open_ch):
            out.append(QuoteSpan(open_at, j, paragraph_continued=continued and not out))
            open_at, open_ch = None, ""
    if continued and out:
        first = out[0]
        out[0] = QuoteSpan(carry or first.open, first.close, paragraph_continued=True)
    elif continued and open_at is not None:
        return out, carry  # a middle paragraph of a long quote: keep carrying
    if open_at is not None and open_ch in "“\"«„" and _ends_sentence(text, open_at, end):
        return out, open_at
    return out, None


def _closes(text: str, j: int, open_ch: str) -> bool:
    ch = text[j]
    if open_ch in '"“':
        return ch == '"' or ch == "”"
    if open_ch == "‘":
        return ch == "’" and _single_closes(text, j)
    return ch == OPEN_CLOSE[open_ch] or ch == ALT_CLOSE.get(open_ch)


def _ends_sentence(text: str, at: int, end: int) -> bool:
    """True when a quote opened at ``at`` runs to a paragraph end that closes a sentence."""
    tail = text[at:end].rstrip()
    return len(tail) > 1 and tail[-1] in ".!?…:"
