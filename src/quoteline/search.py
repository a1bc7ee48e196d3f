"""One search language for the CLI and the web UI, rendered safely for FTS5 and tsquery.

Syntax (forgiving; nothing a user types can reach the database as raw syntax):

* ``word word``      both words (AND)
* ``"a phrase"``     the words in this order
* ``word*``          a prefix
* ``a OR b``         either
* ``-word``          without this word (also ``NOT word``)

Everything that is not a word character is dropped, so stray quotes, colons, brackets or
operators can never make a query fail.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache

from quoteline.models import ActChoice

_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 32  # a query longer than this is cut: ranking cost grows with every term


@dataclass(frozen=True, slots=True)
class Term:
    """A word or a phrase (several words in order), optionally a prefix."""

    words: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query: AND of groups (each an OR of terms), minus negated terms."""

    groups: tuple[tuple[Term, ...], ...] = ()
    negated: tuple[Term, ...] = ()

    @property
    def empty(self) -> bool:
        """True when there is nothing positive to match (filters alone decide)."""
        return not self.groups


@dataclass(frozen=True, slots=True)
class Filters:
    """Restrictions beside the text query."""

    speaker: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    outlet: str | None = None
    kind: str | None = None
    cluster: int | None = None
    min_confidence: float | None = None  # only quotes the extractor gave at least this confidence
    speaker_id: int | None = None  # only this corpus speaker (exact, unlike a name)
    flag: str | None = None  # only quotes linked into an "altered" or "misattributed" cluster
    acts: ActChoice = "speech"  # statements only, or "all" (beliefs, intentions, stances too)


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """A whole search: text query, filters and paging."""

    text: str = ""
    filters: Filters = field(default_factory=Filters)
    limit: int = 20
    offset: int = 0


def request_problem(request: SearchRequest) -> str | None:
    """Why ``request`` cannot be searched as asked (then nothing is searched), or None.

    Text without a word to look for (``"``, ``AND``, ``*``, only ``-excluded`` words) and a
    date range that ends before it starts would otherwise quietly match everything.
    """
    text = request.text.strip()
    if text and parse_query(text).empty:
        if parse_query(text).negated:
            return (f"the query “{text}” only excludes words; add a word to look for, "
                    "e.g. taxes -war")
        return (f"the query “{text}” has no words to look for; type words, a \"phrase\" "
                "or a prefix*")
    start, end = request.filters.date_from, request.filters.date_to
    if start and end and start > end:
        return f"from ({start.isoformat()}) is after to ({end.isoformat()}); swap the dates"
    return None


def parse_query(text: str) -> Query:
    """Parse user text into a Query; never raises."""
    groups: list[list[Term]] = []
    negated: list[Term] = []
    pending_or = pending_not = False
    count = 0
    for neg, phrase, bare in _TOKEN.findall(text or ""):
        if count >= MAX_TERMS:
            break
        if not phrase and bare in ("OR", "|"):
            pending_or = bool(groups)
            continue
        if not phrase and bare in ("NOT", "AND", "&"):
            pending_not = bare == "NOT"
            continue
        term, is_neg = _term(neg, phrase, bare)
        if term is None:
            continue
        count += 1
        if is_neg or pending_not:
            negated.append(term)
        elif pending_or:
            groups[-1].append(term)
        else:
            groups.append([term])
        pending_or = pending_not = False
    return Query(tuple(tuple(g) for g in groups), tuple(negated))


def _term(neg: str, phrase: str, bare: str) -> tuple[Term | None, bool]:
    if phrase or (neg and not bare):
        words = tuple(w.lower() for w in _WORD.findall(phrase))
        return (Term(words) if words else None), bool(neg)
    is_neg = bare.startswith("-") and len(bare) > 1
    raw = bare[1:] if is_neg else bare
    prefix = raw.endswith("*")
    words = tuple(w.lower() for w in _WORD.findall(raw))
    if not words:
        return None, False
    return Term(words, prefix=prefix and len(words) == 1), is_neg


# ------------------------------------------------------------------ rendering
def to_fts5(query: Query) -> str:
    """An FTS5 MATCH expression (every word double-quoted, so no user syntax survives)."""
    parts = ["(" + " OR ".join(fts5_term(t) for t in group) + ")" for group in query.groups]
    expr = " AND ".join(parts)
    for term in query.negated:
        expr += " NOT " + fts5_term(term)
    return expr


def fts5_term(term: Term) -> str:
    """One term as an FTS5 phrase (``"a b"``, or ``"a"*`` for a prefix)."""
    body = '"' + " ".join(term.words) + '"'
    return body + "*" if term.prefix else body


def to_tsquery(query: Query) -> str:
    """A PostgreSQL to_tsquery('english', ...) expression built only from word characters."""
    parts = ["(" + " | ".join(_ts_term(t) for t in group) + ")" for group in query.groups]
    expr = " & ".join(parts)
    for term in query.negated:
        expr += " & !" + _ts_term(term)
    return expr


def _ts_term(term: Term) -> str:
    if len(term.words) > 1:
        return "(" + " <-> ".join(term.words) + ")"
    return term.words[0] + (":*" if term.prefix else "")


# ------------------------------------------------------------------ highlighting
_STEM_ENDINGS = ("ing", "ed", "es", "s", "e")  # enough to meet "rising" with "rise"


@lru_cache(maxsize=65_536)  # the same words recur on every page
def _stem(word: str) -> str:
    for ending in _STEM_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[:-len(ending)]
    return word


def highlight(text: str, query_text: str) -> list[tuple[str, bool]]:
    """``text`` cut into (piece, matched) runs: the words the query looks for are matched.

    Words match as the search does, roughly: case-folded, a prefix term by its start, other
    words by a light stem. Excluded words are not marked. Pieces are plain text: escape them.
    """
    stems, prefixes = _targets(query_text)
    out: list[tuple[str, bool]] = []
    pos = 0
    for m in _WORD.finditer(text) if stems or prefixes else ():
        word = m.group().casefold()
        if _stem(word) in stems or (prefixes and word.startswith(prefixes)):
            if m.start() > pos:
                out.append((text[pos:m.start()], False))
            out.append((m.group(), True))
            pos = m.end()
    if pos < len(text) or not out:
        out.append((text[pos:], False))
    return out


@lru_cache(maxsize=256)
def _targets(query_text: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """(stems of the plain words, prefixes) a query looks for; parsed once for a page's hits."""
    terms = [t for group in parse_query(query_text).groups for t in group]
    stems = frozenset(_stem(w) for t in terms if not t.prefix for w in t.words)
    return stems, tuple(t.words[0] for t in terms if t.prefix)
