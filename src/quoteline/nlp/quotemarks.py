"""The quote_marks stage: find quotation-mark spans in raw text (curly, straight, guillemets, singles).

Pairs marks within a paragraph. A quote left open at a paragraph's end continues when the next
paragraph opens with a quote mark (the newspaper convention for multi-paragraph quotes): each
paragraph of it is a span of its own, the later ones marked ``paragraph_continued``, and short
label lines between them ("Advertisement", a repeated headline) are passed over. A page that
lost its paragraph breaks glues a closing mark to the next opening one ('... a year."You ...'):
such a mark both closes and opens. A quote still open where the text ends (a truncated page)
runs to the end. Other unbalanced marks are dropped rather than guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

OPEN_CLOSE = {"“": "”", "„": "“", "«": "»", "‹": "›", "‘": "’", "'": "'"}
# „ closes with “ (German) and ” (Polish/English press); accept both.
ALT_CLOSE = {"„": "”"}
DOUBLE_OPENERS = "“\"«„"
SINGLE_OPENERS = "‘'"
CONTINUE_OPENERS = DOUBLE_OPENERS + SINGLE_OPENERS  # marks that open a continued paragraph
PARA_BREAK = re.compile(r"\n\s*\n|\n(?=\s{2,})|\n")
MARKUP_TAG = re.compile(r"</?[A-Za-z][\w-]*(?:\s[^<>\n]*)?/?>")  # <tweet id="..." author="...">
LABEL_WORDS = 10  # longest line passed over between the paragraphs of one quote
SENTENCE_END = ".!?…:"


@dataclass(frozen=True, slots=True)
class QuoteSpan:
    """Text between a matched pair of quote marks: ``inner`` excludes the marks."""

    open: int  # index of the opening mark
    close: int  # index of the closing mark (exclusive end of inner text)
    paragraph_continued: bool = False  # continues the quote before it (a paragraph break)
    width: int = 1  # characters in each mark: 2 for '' ... ''
    closed: bool = True  # False: runs to its paragraph's end (a multi-paragraph quote)

    @property
    def inner(self) -> tuple[int, int]:
        """[start, end) of the quoted words, marks excluded."""
        return self.open + self.width, self.close

    @property
    def outer(self) -> tuple[int, int]:
        """[start, end) including both marks (only the opening one when not ``closed``)."""
        return self.open, self.close + (self.width if self.closed else 0)


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


def _char(text: str, i: int) -> str:
    return text[i] if 0 <= i < len(text) else " "


def _single_opens(text: str, i: int) -> bool:
    """‘ or ' opens a quote only at a word start (not an apostrophe like ’90s or rock ’n’ roll);
    a straight ' only after a space, a bracket, a dash or a colon, or at a line start."""
    before, after = _char(text, i - 1), _char(text, i + 1)
    if text[i] == "'" and not (before.isspace() or before in "([—–-:"):
        return False
    if text[i] == "'" and after.isdigit():
        return False  # '90s
    return not _is_word(before) and (_is_word(after) or after in "“\"")


def _single_closes(text: str, i: int) -> bool:
    """’ or ' closes a quote only at a word end followed by a non-letter (not it’s, dogs’ bowls)."""
    before, after = _char(text, i - 1), _char(text, i + 1)
    return (_is_word(before) or before in ".,!?;:—–-…") and not _is_word(after)


def _clear_open(text: str, i: int) -> bool:
    """A straight " that can only open: after a space, a bracket or a colon, before a word."""
    before, after = _char(text, i - 1), _char(text, i + 1)
    return (before.isspace() or before in "(:[") and _is_word(after)


def _glued_open(text: str, i: int) -> bool:
    """'... a year."You ...': a closing mark glued to the next paragraph's first word."""
    return _char(text, i - 1) in ".!?" and _char(text, i + 1).isupper()


def _opens(text: str, j: int) -> bool:
    ch = text[j]
    return ch == '"' or (ch in OPEN_CLOSE and (ch not in SINGLE_OPENERS or _single_opens(text, j)))


def find_quote_spans(text: str) -> list[QuoteSpan]:
    """Top-level quote spans in text order (nested quotes stay inside their outer span)."""
    # Some wires write a double quote as two apostrophes (''...''); read them as one mark.
    # The replacement keeps every offset: '' becomes '"' plus a space.
    original, text = text, text.replace("''", '" ')
    text = MARKUP_TAG.sub(lambda m: " " * len(m.group()), text)  # attribute values are not quotes
    scan = _Scan(text)
    paras = paragraphs(text)
    for k, (p_start, p_end) in enumerate(paras):
        if scan.carry and _is_label(text, paras, k):
            continue  # "Advertisement" between two paragraphs of one quote
        scan.paragraph(p_start, p_end, last=k == len(paras) - 1)
    return [_doubled(original, q) for q in scan.spans]


class _Scan:
    """Quote spans paragraph by paragraph, with the pieces of a quote still open."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.spans: list[QuoteSpan] = []
        self.pending: list[QuoteSpan] = []  # pieces of a quote open at its paragraph's end
        self.carry = False  # a quote is open at the end of the paragraph before

    def paragraph(self, start: int, end: int, last: bool) -> None:
        """Pair the marks of one paragraph, continuing or dropping the pending pieces."""
        text = self.text
        i = start
        while i < end and text[i].isspace():
            i += 1
        continued = self.carry and text[i] in CONTINUE_OPENERS
        if continued:
            self.spans.extend(self.pending)
        self.pending, self.carry = [], False  # an open quote that never went on is dropped
        found, open_at = _pair(text, i, end)
        if continued and found and found[0].open == i:
            found[0] = replace(found[0], paragraph_continued=True)
        self.spans.extend(found)
        if open_at is None:
            return
        glued = bool(found) and found[-1].close == open_at
        piece = QuoteSpan(open_at, _rstrip(text, open_at + 1, end), closed=False,
                          paragraph_continued=glued or (continued and open_at == i))
        if glued or (last and len(text[piece.inner[0] : piece.inner[1]].split()) >= 2):
            self.spans.append(piece)  # '... a year."You ...', or a page cut inside a quote
            self.carry = not last
        elif _ends_sentence(text, open_at, end):
            self.pending.append(piece)
            self.carry = True


def _pair(text: str, i: int, end: int) -> tuple[list[QuoteSpan], int | None]:
    """The closed spans of text[i:end] and where a quote left open there opened (or None)."""
    out: list[QuoteSpan] = []
    open_at: int | None = None
    open_ch, glued, inner = "", False, False  # glued: opened by a mark that also closed one
    for j in range(i, end):
        ch = text[j]
        if open_at is None:
            if _opens(text, j):
                open_at, open_ch, glued, inner = j, ch, False, False
            continue
        if glued and (ch == "“" or (ch == '"' and _clear_open(text, j))):
            open_at, open_ch, glued = j, ch, False  # the glued "quote" was the writer's words
            continue
        if open_ch in SINGLE_OPENERS and _nested_double(text, j, inner):
            inner = ch == "“" or (ch == '"' and not inner)  # ‘He said “no” to me’
            continue
        if _closes(text, j, open_ch):
            out.append(QuoteSpan(open_at, j, paragraph_continued=glued))
            open_at = j if ch in '"”' and _glued_open(text, j) else None
            open_ch, glued = '"', open_at is not None
    return out, open_at


def _nested_double(text: str, j: int, inner: bool) -> bool:
    """True when the double mark at ``j`` opens or closes a quote nested in a single one
    (not a mismatched close of the single quote, as in ‘...”)."""
    ch = text[j]
    if ch not in "“”\"":
        return False
    return inner or ch == "“" or (ch == '"' and _clear_open(text, j))


def _closes(text: str, j: int, open_ch: str) -> bool:
    ch = text[j]
    if open_ch in '"“':
        return ch == '"' or ch == "”"
    if open_ch in SINGLE_OPENERS:
        if ch in "’'":
            return _single_closes(text, j)
        return ch in "”\"" and _single_closes(text, j)  # ‘...” : a mismatched pair
    return ch == OPEN_CLOSE[open_ch] or ch == ALT_CLOSE.get(open_ch)


def _is_label(text: str, paras: list[tuple[int, int]], k: int) -> bool:
    """A short line that interrupts a quote: no quote mark opens it, and it ends no sentence
    or repeats an earlier paragraph (a page's headline printed again)."""
    s, e = paras[k]
    line = text[s:e].strip()
    if not line or line[0] in CONTINUE_OPENERS or len(line.split()) > LABEL_WORDS:
        return False
    return line[-1] not in SENTENCE_END or any(text[a:b].strip() == line for a, b in paras[:k])


def _rstrip(text: str, lo: int, end: int) -> int:
    while end > lo and text[end - 1].isspace():
        end -= 1
    return end


def _doubled(text: str, q: QuoteSpan) -> QuoteSpan:
    """Widen a span whose marks are two apostrophes each."""
    if text.startswith("''", q.open) and (not q.closed or text.startswith("''", q.close)):
        return replace(q, width=2)
    return q


def _ends_sentence(text: str, at: int, end: int) -> bool:
    """True when a quote opened at ``at`` runs to a paragraph end that closes a sentence."""
    tail = text[at:end].rstrip()
    return len(tail) > 1 and tail[-1] in SENTENCE_END
