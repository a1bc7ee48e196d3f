"""Align predicted quotes with gold quotes in one document: exact, lenient, split and merge.

The algorithm mirrors the reference scorer (../shared/eval/score.py) step for step, so the
two agree on every metric: 1:1 exact pairs, exact split/merge groups, 1:1 token-overlap
pairs by Jaccard, then growth of one-sided groups and new groups among the leftovers.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from typing import Any

EDGE_CHARS = frozenset(" \t\r\n\u00a0\"“”‘’'`«»„,.;:!?…—–-")
TOKEN_RE = re.compile(r"\w+")
LEADING_THAT = re.compile(r"(?i)that\s+")

Quote = dict[str, Any]
Key = tuple[int, ...] | None
Group = tuple[list[int], list[int]]  # (gold indices, predicted indices)
Tokens = frozenset[int]


class TokenIndex:
    """A document's text and the midpoints of its \\w+ tokens, for span -> token lookups."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.mids = [(m.start() + m.end()) / 2 for m in TOKEN_RE.finditer(text)]

    def tokens(self, parts: Sequence[Sequence[int]]) -> Tokens:
        """Indices of the tokens whose midpoint lies inside one of ``parts``."""
        out: set[int] = set()
        for s, e in parts:
            lo = bisect.bisect_left(self.mids, s)
            hi = bisect.bisect_left(self.mids, e)
            out.update(range(lo, hi))
        return frozenset(out)


def norm_span(text: str, sp: Any) -> tuple[int, int] | None:
    """A span trimmed of edge whitespace, quote marks, punctuation and a leading "that "."""
    if not sp:
        return None
    s, e = max(0, int(sp[0])), min(len(text), int(sp[1]))
    while s < e and text[s] in EDGE_CHARS:
        s += 1
    while e > s and text[e - 1] in EDGE_CHARS:
        e -= 1
    m = LEADING_THAT.match(text, s, e)  # "said [that] X" == "said X"
    if m and m.end() < e:
        s = m.end()
        while s < e and text[s] in EDGE_CHARS:
            s += 1
    return (s, e)


def overlaps(a: Any, b: Any) -> bool:
    """True when spans ``a`` and ``b`` share at least one character."""
    return bool(a) and bool(b) and max(a[0], b[0]) < min(a[1], b[1])


def parts_of(q: Quote) -> list[tuple[int, ...]]:
    """A quote's fragments: its content_parts when given, else its content span."""
    parts = q.get("content_parts") or [q["content"]]
    return [tuple(p) for p in parts]


def partner(doc: TokenIndex, q: Quote, others: list[Quote]) -> Quote:
    """The member of the other side of a group that shares the most tokens with ``q``."""
    if len(others) == 1:
        return others[0]
    t = doc.tokens(parts_of(q))
    return max(others, key=lambda o: len(t & doc.tokens(parts_of(o))))


class _Matcher:
    """The state of one document's alignment: used indices and the groups found so far."""

    def __init__(self) -> None:
        self.used_g: set[int] = set()
        self.used_p: set[int] = set()
        self.groups: list[Group] = []

    def take(self, cands: list[tuple[float, int, int]]) -> None:
        """Accept candidate pairs greedily, best score first, ties by order."""
        cands.sort(key=lambda c: (-c[0], c[1], c[2]))
        for _s, i, j in cands:
            if i not in self.used_g and j not in self.used_p:
                self.used_g.add(i)
                self.used_p.add(j)
                self.groups.append(([i], [j]))

    def add_group(self, i: int, js: list[int], gold_side: bool) -> None:
        """Record one quote on one side matched jointly by several on the other."""
        ou, mu = (self.used_g, self.used_p) if gold_side else (self.used_p, self.used_g)
        ou.add(i)
        mu.update(js)
        self.groups.append(([i], js) if gold_side else (js, [i]))


def _key_fn(text: str, strict: bool) -> Callable[[Any], Key]:
    if strict:
        return lambda sp: tuple(sp)
    return lambda sp: norm_span(text, sp)


def _exact_pairs(m: _Matcher, gk: list[Key], pk: list[Key]) -> None:
    m.take([(1.0, i, j) for i, a in enumerate(gk) for j, b in enumerate(pk)
            if a == b and a and a[0] < a[1]])


def _exact_groups(m: _Matcher, gold: list[Quote], pred: list[Quote], gk: list[Key],
                  pk: list[Key], key: Callable[[Any], Key]) -> None:
    for one, mk, gold_side in ((gold, pk, True), (pred, gk, False)):
        ou, mu = (m.used_g, m.used_p) if gold_side else (m.used_p, m.used_g)
        for i in range(len(one)):
            parts = one[i].get("content_parts") or []
            if i in ou or len(parts) < 2:
                continue
            want = {key(p) for p in parts}
            js = [j for j in range(len(mk)) if j not in mu and mk[j] in want]
            if js and {mk[j] for j in js} == want:
                m.add_group(i, js, gold_side)


def _lenient_pairs(m: _Matcher, gt: list[Tokens], pt: list[Tokens], threshold: float) -> None:
    cands: list[tuple[float, int, int]] = []
    for i, a in enumerate(gt):
        if i in m.used_g or not a:
            continue
        for j, b in enumerate(pt):
            if j in m.used_p or not b:
                continue
            ov = len(a & b)
            if ov and ov / len(a) >= threshold and ov / len(b) >= threshold:
                cands.append((ov / len(a | b), i, j))
    m.take(cands)


def _grow(one_idx: list[int], many_idx: list[int], big_t: list[Tokens],
          small_t: list[Tokens], mu: set[int], threshold: float) -> None:
    """Add disjoint leftovers lying mostly inside the single quote of a one-sided group."""
    if len(one_idx) != 1:
        return
    big = big_t[one_idx[0]]
    taken: set[int] = set().union(*(small_t[k] for k in many_idx))
    for k in range(len(small_t)):
        t = small_t[k]
        if k in mu or not t or t & taken:
            continue
        if len(t & big) / len(t) >= threshold:
            many_idx.append(k)
            mu.add(k)
            taken |= t


def _new_groups(m: _Matcher, gt: list[Tokens], pt: list[Tokens], threshold: float) -> None:
    for one_t, many_t, gold_side in ((gt, pt, True), (pt, gt, False)):
        ou, mu = (m.used_g, m.used_p) if gold_side else (m.used_p, m.used_g)
        for i, big in enumerate(one_t):
            if i in ou or not big:
                continue
            js: list[int] = []
            taken: set[int] = set()
            for k, t in enumerate(many_t):
                if k in mu or not t or t & taken:
                    continue
                if len(t & big) / len(t) >= threshold:
                    js.append(k)
                    taken |= t
            if len(js) >= 2 and len(taken & big) / len(big) >= threshold:
                m.add_group(i, js, gold_side)


def match_doc(doc: TokenIndex, gold: list[Quote], pred: list[Quote], mode: str,
              threshold: float = 0.5, strict: bool = False,
              one_to_one: bool = False) -> list[Group]:
    """Groups (gold indices, predicted indices) of matched quotes; lenient extends exact."""
    key = _key_fn(doc.text, strict)
    gk = [key(q["content"]) for q in gold]
    pk = [key(q["content"]) for q in pred]
    m = _Matcher()
    _exact_pairs(m, gk, pk)
    if not one_to_one:
        _exact_groups(m, gold, pred, gk, pk, key)
    if mode == "exact":
        return m.groups
    gt = [doc.tokens(parts_of(q)) for q in gold]
    pt = [doc.tokens(parts_of(q)) for q in pred]
    _lenient_pairs(m, gt, pt, threshold)
    if one_to_one:
        return m.groups
    for gi, pj in m.groups:
        _grow(gi, pj, gt, pt, m.used_p, threshold)
        _grow(pj, gi, pt, gt, m.used_g, threshold)
    _new_groups(m, gt, pt, threshold)
    return m.groups
