"""Candidates from cues: each attribution's content, cut around its cue, quotes kept whole."""

from __future__ import annotations

import bisect
import re

from quoteline.nlp.attribution import Attribution
from quoteline.nlp.candidates import Candidate, DocView
from quoteline.nlp.options import ExtractOptions

WORD_RE = re.compile(r"\w+")
ASIDE_PUNCT = {",", "—", "–"}


def from_cues(view: DocView, atts: list[Attribution], used: set[int],
              opts: ExtractOptions) -> list[Candidate]:
    """One or more candidates per attribution (in cue order); ``used`` gathers the quotes taken."""
    clauses = _Clauses(atts)
    out: list[Candidate] = []
    for att in atts:
        if clauses.nested(att):
            continue  # a report inside someone's reported clause is part of their statement
        out.extend(_att_candidates(view, att, used, opts))
    return out


class _Clauses:
    """The clausal contents of the attributions, for "is this cue inside another's clause"."""

    def __init__(self, atts: list[Attribution]) -> None:
        # An agentless passive ("X was expected to Y, according to Z") holds no one's clause.
        found = sorted((a.content, a.cue.i) for a in atts
                       if not a.np_object and not a.whole and not a.hedged)
        self._found = found
        self._starts = [s for (s, _), _ in found]
        self._reach = max((e - s for (s, e), _ in found), default=0)

    def nested(self, att: Attribution) -> bool:
        """True when the cue sits inside another cue's clause (and that cue is not, in turn,
        inside this one's: "X told her that Y, according to Z" hangs each on the other)."""
        s0, e0 = att.content
        at = att.cue.i
        # Only clauses that start at most one clause length before the cue can hold it.
        k = bisect.bisect_right(self._starts, at) - 1
        while k >= 0 and self._starts[k] > at - self._reach:
            (s, e), cue = self._found[k]
            if at < e and (s, e) != att.content and not s0 <= cue < e0:
                return True
            k -= 1
        return False


def _core(view: DocView, att: Attribution) -> tuple[int, int]:
    """Token range of "X said" inside an interrupted clause (source through cue, commas too)."""
    start = min(att.cue.i, att.source[0]) if att.source else att.cue.i
    end = max(att.cue_end, att.source[1]) if att.source else att.cue_end
    doc = view.doc
    while start > 0 and doc[start - 1].text in ASIDE_PUNCT:
        start -= 1
    while end < len(doc) and doc[end].text in ASIDE_PUNCT:
        end += 1
    return start, end


def _att_candidates(view: DocView, att: Attribution, used: set[int],
                    opts: ExtractOptions) -> list[Candidate]:
    cs, ce = att.content
    pieces = [(cs, ce)]
    if cs <= att.cue.i < ce and not att.whole:
        ks, ke = _core(view, att)
        pieces = [p for p in ((cs, ks), (ke, ce)) if p[1] > p[0]]
        if not pieces:
            return []
    spans = [widen(view, *view.chars_of(s, e)) for s, e in pieces]
    quoted = sorted({i for s, e in spans for i in view.touching(s, e)})
    cue_chars = view.chars_of(att.cue.i, att.cue_end)

    def make(s: int, e: int) -> Candidate:
        return Candidate(s, e, cue_chars, att.cue, att.source, "cue", att.rule, att.cue_class,
                         np_object=att.np_object, infinitive=att.infinitive)

    used.update(quoted)
    if quoted and all(_only_quotes(view, s, e) for s, e in spans):
        return [make(*view.quotes[i].inner) for i in quoted]
    substantial = [_substantial(view, *p, opts) for p in pieces]
    if len(spans) == 2 and all(substantial):
        return [make(s, e) for s, e in spans]
    if len(spans) == 2 and not substantial[0] and att.cue.dep_ != "parataxis":
        return [make(*spans[1])]
    return [make(min(s for s, _ in spans), max(e for _, e in spans))]


def widen(view: DocView, start: int, end: int) -> tuple[int, int]:
    """Extend a char range so that no quote span is cut in half."""
    k = bisect.bisect_left(view.closes, start)
    while k < len(view.quotes) and view.quotes[k].open < end:
        q = view.quotes[k]
        start, end = min(start, q.open), max(end, q.outer[1])
        k += 1
    return start, end


def _only_quotes(view: DocView, start: int, end: int) -> bool:
    """True when [start, end) holds nothing but quote spans (and punctuation or "that")."""
    rest = view.text[start:end]
    for i in view.within(start, end):
        q = view.quotes[i]
        a, b = q.open - start, q.outer[1] - start
        rest = rest[:a] + " " * (b - a) + rest[b:]
    words = WORD_RE.findall(rest)
    return not words or words == ["that"]


def _substantial(view: DocView, start: int, end: int, opts: ExtractOptions) -> bool:
    """Enough words, one of them a verb, for a piece of an interrupted clause to stand alone."""
    toks = view.doc[start:end]
    words = [t for t in toks if not t.is_punct and not t.is_space]
    return len(words) >= opts.piece_words and any(t.pos_ in {"VERB", "AUX"} for t in toks)
