"""Properties of ``extract`` over any text: it never raises and every offset slices the text."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import quoteline
from quoteline.models import KINDS, Quote, Span

QUOTE_MARKS = ["“", "”", '"', "‘", "’", "'", "«", "»", "„", "‹", "›", "「", "」"]
FRAGMENTS = [
    "said", " said ", "says", "told reporters", "according to", "he", "she", "they", "Mr.",
    "Smith", "Gen. Mark Milley", "Milley", "the top US general", ",", ".", ":", " — ", "–",
    "\n", "\n\n", " ", "  ", "on Wednesday", "last Tuesday", "yesterday", "at the time",
    "on Nov. 9", "that", "was quoted as saying", "(", ")", "...", "…", "A", "We will win",
    "e\u0301", "\u200f", "\u202e", "مرحبا", "שלום", "🙂", "👩‍👩‍👧", "\x00", "\u00a0",
    "\ufeff", "\u2028", "\t", "ﬁ", "İ", "ß",
]
PUBLISHED = st.one_of(st.none(), st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)))
PROPS = settings(max_examples=150, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Text built from news-like pieces and stray quote marks, so the rules actually fire.
newsy = st.lists(st.sampled_from(FRAGMENTS + QUOTE_MARKS), max_size=80).map("".join)
marks_only = st.text(alphabet=st.sampled_from([*QUOTE_MARKS, " ", "\n", "a", "."]), max_size=200)
any_text = st.text(max_size=400)
quoted_sentences = st.builds(
    lambda o, words, c, cue, who: f"{o}{words}{c} {who} {cue}.",
    st.sampled_from(QUOTE_MARKS), st.text(max_size=60), st.sampled_from(QUOTE_MARKS),
    st.sampled_from(["said", "told reporters", "added", "warned on Tuesday"]),
    st.sampled_from(["Smith", "he", "the minister", "Gen. Mark Milley", ""]),
).map(lambda s: s * 2)


def _check_span(text: str, span: Span | None) -> None:
    if span is None:
        return
    assert 0 <= span.start <= span.end <= len(text)
    assert text[span.start:span.end] == span.text


def check_quotes(text: str, quotes: list[Quote]) -> None:
    """Every quote is well formed and each of its spans slices ``text`` exactly."""
    assert isinstance(quotes, list)
    for q in quotes:
        assert 0 <= q.start <= q.end <= len(text)
        assert text[q.start:q.end] == q.text
        assert q.kind in KINDS
        _check_span(text, q.cue)
        _check_span(text, q.source)
        for part in q.parts:
            _check_span(text, part)
            assert q.start <= part.start and part.end <= q.end
        assert 0.0 <= q.confidence <= 1.0
        assert q.said_on is None or isinstance(q.said_on, dt.date)
        assert q.extractor.startswith("quoteline ") and q.model


@PROPS
@given(text=st.one_of(newsy, marks_only, any_text, quoted_sentences), published=PUBLISHED)
@example(text="", published=None)
@example(text="   \n\t ", published=None)
@example(text="“", published=None)
@example(text="”He said.“", published=dt.date(2022, 11, 16))
@example(text="„Ja“, sagte er. «Oui», dit-il. ‘Yes,’ she said, “no.", published=None)
@example(text="Smith said: “We will win the vote.", published=None)
@example(text="\x00\x00“\x00”", published=None)
def test_extract_never_raises_and_offsets_slice(text: str, published: dt.date | None) -> None:
    check_quotes(text, quoteline.extract(text, published))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(st.one_of(newsy, quoted_sentences), min_size=1, max_size=5))
def test_extract_many_matches_extract(texts: list[str]) -> None:
    """The batch path finds the same quotes as the one-text path, in input order."""
    results = list(quoteline.extract_many(texts))
    assert len(results) == len(texts)
    for text, res in zip(texts, results, strict=True):
        single = quoteline.extract(text)
        if isinstance(res, quoteline.Skip):
            assert not text.strip() and single == []
            continue
        assert res.article.text == text
        check_quotes(text, list(res.quotes))
        assert [q.to_dict() for q in res.quotes] == [q.to_dict() for q in single]


def _huge_text() -> str:
    para = ("“We will not stop,” the minister said on Tuesday, “until it is done.” "
            "Smith, a senator, argued that the plan was “dangerous” and costly. "
            "« Non », a-t-il dit. „Nein“ ‘odd ” marks \" here.\n\n")
    return (para * (200_000 // len(para) + 1))[:200_000]


def test_huge_text() -> None:
    text = _huge_text()
    check_quotes(text, quoteline.extract(text, "2022-11-16"))


@pytest.mark.parametrize("text", [
    "no sentences at all just words without any punctuation or quotes " * 40,
    "“" * 5000,
    "”“" * 2000 + "said",
    "\n" * 3000,
    "\u0301" * 1000 + "“x” he said",
])
def test_degenerate_texts(text: str) -> None:
    check_quotes(text, quoteline.extract(text))
