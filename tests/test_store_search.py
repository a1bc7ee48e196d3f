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


def test_highlight_marks_the_words_searched_for_and_nothing_else() -> None:
    from quoteline.search import highlight

    text = "Taxes are rising; the bridge-tax rises. Taxi!"
    marked = [piece for piece, hit in highlight(text, 'taxes rise -bridge') if hit]
    assert marked == ["Taxes", "rising", "tax", "rises"]  # as the stemmed search finds them
    assert [p for p, hit in highlight(text, "tax*") if hit] == ["Taxes", "tax", "Taxi"]
    assert [p for p, hit in highlight(text, '"the bridge"') if hit] == ["the", "bridge"]
    assert highlight(text, "") == [(text, False)] and highlight("", "tax") == [("", False)]


@given(st.text(max_size=80), st.text(max_size=30))
def test_highlight_pieces_always_rebuild_the_text(text: str, query: str) -> None:
    from quoteline.search import highlight

    assert "".join(piece for piece, _ in highlight(text, query)) == text


def test_request_problems_name_what_to_fix() -> None:
    import datetime as dt

    from quoteline.search import Filters, SearchRequest, request_problem

    assert request_problem(SearchRequest("taxes")) is None
    assert request_problem(SearchRequest("")) is None  # filters alone: fine
    assert "no words" in (request_problem(SearchRequest('"')) or "")
    assert "only excludes" in (request_problem(SearchRequest("-war")) or "")
    late = Filters(date_from=dt.date(2024, 2, 1), date_to=dt.date(2024, 1, 1))
    assert "swap" in (request_problem(SearchRequest("", late)) or "")
