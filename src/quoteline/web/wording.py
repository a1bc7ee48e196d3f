"""Exact wording: a rendering's text as the outlet published it, with the word diff against
the reference drawn over it (words struck where the reference has them and the rendering
does not, words marked where the rendering adds or changes them).

Linking compares normalised words (lowercase, no punctuation, contractions expanded: see
``quoteline.link.normalize``); this module aligns those same words and maps them back to the
characters of both texts, so what a reader sees is the published text, never the normalised
form. In a mixed quote only the words inside quotation marks are the speaker's and compared;
the reporter's words around them are shown as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from quoteline.link.normalize import tokens

_SPAN = re.compile(r"[\w'\u2019\u2018\u02bc`\u2032%]+")
_QUOTED = re.compile(r"[\u201c\u201e\"]([^\u201c\u201d\u201e\"]+)[\u201d\"]")
Run = tuple[str, str]  # (style, text): "text" (as published), "ins", "del" or "gap"


@dataclass(frozen=True, slots=True)
class _Words:
    """A text's words: their character spans and the normalised tokens each one gives."""

    spans: list[tuple[int, int]]
    compared: list[int]  # the spans that are compared (all, or those inside quotation marks)
    tokens: list[str]  # normalised tokens of the compared spans, in order
    owner: list[int]  # for each token, the span it came from


def _words(text: str, quoted_only: bool = False) -> _Words:
    inside = [m.span(1) for m in _QUOTED.finditer(text)] if quoted_only else []
    spans: list[tuple[int, int]] = []
    compared: list[int] = []
    toks: list[str] = []
    owner: list[int] = []
    for m in _SPAN.finditer(text):
        k = len(spans)
        spans.append(m.span())
        if inside and not any(a <= m.start() < b for a, b in inside):
            continue  # the reporter's words around a mixed quote's quoted fragments
        compared.append(k)
        for t in tokens(m.group()):
            toks.append(t)
            owner.append(k)
    return _Words(spans, compared, toks, owner)


def exact_diff(reference: str, text: str, *, mixed: bool = False) -> list[Run]:
    """``text`` exactly as written, cut into runs: "text" (as published: words the reference
    has too, spaces, punctuation, a reporter's words), "ins" (words it adds or changes) and
    "del" (the reference's words, as the reference wrote them, that ``text`` leaves out) and
    "gap" (a space that sets a "del" run apart). Joining the "text" and "ins" runs gives
    ``text`` back, character for character."""
    ref, mine = _words(reference), _words(text, quoted_only=mixed)
    style: dict[int, str] = {}
    dropped: dict[int, list[int]] = {}  # text span index -> reference spans struck before it
    matcher = SequenceMatcher(None, ref.tokens, mine.tokens, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        for j in range(j1, j2):
            if tag != "equal":
                style[mine.owner[j]] = "ins"
        if tag in ("delete", "replace") and i2 > i1:
            at = mine.owner[j1] if j1 < len(mine.tokens) else len(mine.spans)
            dropped.setdefault(at, []).extend(dict.fromkeys(ref.owner[i1:i2]))
    return _merge(_runs(reference, text, ref.spans, mine.spans, style, dropped))


def _runs(reference: str, text: str, ref_spans: list[tuple[int, int]],
          spans: list[tuple[int, int]], style: dict[int, str],
          dropped: dict[int, list[int]]) -> list[Run]:
    """The runs of ``text``, each struck reference run set between words with a space."""
    out: list[Run] = []
    pos = 0
    for k, (start, end) in enumerate(spans):
        out.append(("text", text[pos:start]))
        if k in dropped:
            out += [("del", _struck(reference, ref_spans, dropped[k])), ("gap", " ")]
        out.append(("ins" if style.get(k) == "ins" else "text", text[start:end]))
        pos = end
    if len(spans) in dropped:  # left out at the end: before the closing punctuation
        out += [("gap", " "), ("del", _struck(reference, ref_spans, dropped[len(spans)]))]
    out.append(("text", text[pos:]))
    return out


def _struck(reference: str, spans: list[tuple[int, int]], picked: list[int]) -> str:
    """The reference's words ``picked``, as written (a contiguous run keeps its punctuation)."""
    picked = sorted(set(picked))
    if picked == list(range(picked[0], picked[-1] + 1)):
        return reference[spans[picked[0]][0]:spans[picked[-1]][1]]
    return " ".join(reference[spans[i][0]:spans[i][1]] for i in picked)


def _merge(runs: list[Run]) -> list[Run]:
    """Neighbouring runs of one style joined, and two marked runs of one style with only
    spaces between them (so "in peace" is one insertion, not two)."""
    out: list[Run] = []
    for style, piece in runs:
        if not piece:
            continue
        if out and out[-1][0] == style:
            out[-1] = (style, out[-1][1] + piece)
        elif (style != "text" and len(out) >= 2 and out[-2][0] == style
              and out[-1][0] == "text" and not out[-1][1].strip()):
            out[-2:] = [(style, out[-2][1] + out[-1][1] + piece)]
        else:
            out.append((style, piece))
    return out


def differs(runs: list[Run]) -> bool:
    """Whether any word was added, changed or left out."""
    return any(style in ("ins", "del") for style, _ in runs)
