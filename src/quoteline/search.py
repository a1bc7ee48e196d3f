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
    flag: str | None = None  # only quotes linked into an "altered" or "misattributed" cluster


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """A whole search: text query, filters and paging."""

    text: str = ""
    filters: Filters = field(default_factory=Filters)
    limit: int = 20
    offset: int = 0


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
