"""The search language: parsing and safe rendering for FTS5 and tsquery."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from quoteline.search import Term, parse_query, to_fts5, to_tsquery


def test_parse_words_phrases_prefix_or_not() -> None:
    q = parse_query('taxes "will rise" infla* pensions OR budget -war NOT peace')
    assert q.groups == ((Term(("taxes",)),), (Term(("will", "rise")),),
                        (Term(("infla",), prefix=True),),
                        (Term(("pensions",)), Term(("budget",))))
    assert q.negated == (Term(("war",)), Term(("peace",)))
    assert to_fts5(q) == ('("taxes") AND ("will rise") AND ("infla"*) AND ("pensions" OR "budget")'
                          ' NOT "war" NOT "peace"')
    assert to_tsquery(q) == ("(taxes) & ((will <-> rise)) & (infla:*) & (pensions | budget)"
                             " & !war & !peace")


def test_operators_alone_and_punctuation_are_dropped() -> None:
    assert parse_query("OR AND NOT - * \" : ( ) ^").empty
    q = parse_query('NEAR(a b) col:umn "unclosed')
    assert [t.words for g in q.groups for t in g] == [("near", "a"), ("b",), ("col", "umn"),
                                                     ("unclosed",)]


@given(st.text(max_size=60))
def test_rendered_queries_hold_only_words_and_our_operators(text: str) -> None:
    q = parse_query(text)
    fts = to_fts5(q)
    ts = to_tsquery(q)
    # Inside double quotes only word characters and spaces; outside only our operators.
    assert re.fullmatch(r'(?:"[\w ]+"\*?|[() ]|AND|OR|NOT)*', fts)
    assert re.fullmatch(r"(?:[\w]+(?::\*)?|[()&|! ]|<->)*", ts)
