"""Utterance units and the rendering rules a fact-checker can defend (invented test articles)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quoteline.link import ClusterInfo, QuoteRecord, link_quotes
from quoteline.link.match import classify, severity
from quoteline.link.normalize import tokens
from quoteline.link.primary import is_transcript, primary_extraction, turns
from quoteline.link.sources import is_wire, outlet_of, outlet_of_url
from quoteline.link.units import marked_stretches, quote_units, quoted_fragments, sentences
from quoteline.models import Article, Quote, Span

D = dt.date
MARCH1 = D(2025, 3, 1)


def rec(qid: int, text: str, speaker: int | None = 1, day: D | None = MARCH1,
        **kw: object) -> QuoteRecord:
    """A unit published on ``day``."""
    return QuoteRecord(qid, text, speaker, f"a{qid}", day, outlet=f"Outlet {qid}", **kw)  # type: ignore[arg-type]


def only(clusters: dict[int, ClusterInfo], qid: int) -> ClusterInfo:
    """The one cluster holding unit ``qid``."""
    [info] = [c for c in clusters.values() if any(r.quote_id == qid for r in c.renderings)]
    return info


def kinds(info: ClusterInfo) -> dict[int, str]:
    """Unit id -> rendering kind."""
    return {r.quote_id: r.kind for r in info.renderings}


# ---------------------------------------------------------------- cutting quotes into units
def test_sentences_split_at_full_stops_not_at_abbreviations_or_initials() -> None:
    text = "Gen. Ruth Ames of the U.S. Navy will go. We are ready! Are you? J. K. Orr said no."
    got = [s.text for s in sentences(Span(0, len(text), text))]
    assert got == ["Gen. Ruth Ames of the U.S. Navy will go.", "We are ready!", "Are you?",
                   "J. K. Orr said no."]


def test_a_long_ellipsis_cut_makes_two_units_a_short_one_does_not() -> None:
    long = "We will rebuild the old ferry pier... the money is already in the budget"
    short = "We will rebuild the old ferry pier ... this year"
    assert [s.text for s in sentences(Span(0, len(long), long))] == [
        "We will rebuild the old ferry pier", "the money is already in the budget"]
    assert len(list(sentences(Span(0, len(short), short)))) == 1


def test_a_dash_joining_two_long_runs_makes_two_units_and_the_second_finds_its_sentence() -> None:
    joined = ("I am stepping down because such a demanding post comes with duty – the duty "
              "to know when")
    assert [s.text for s in sentences(Span(0, len(joined), joined))] == [
        "I am stepping down because such a demanding post comes with duty",
        "the duty to know when"]
    for short in ("We will – and I mean it – rebuild the pier.", "It was a well-run port."):
        assert len(list(sentences(Span(0, len(short), short)))) == 1
    said = "The duty to know when you are no longer the right person to lead the port."
    clusters = link_quotes([rec(1, said), rec(2, said), rec(3, "the duty to know when")])
    assert kinds(only(clusters, 3)) == {1: "reference", 2: "verbatim", 3: "excerpt"}


def test_a_second_clause_with_its_own_subject_is_a_unit_of_its_own() -> None:
    def texts(words: str) -> list[str]:
        return [u.text for u in quote_units(Quote(0, len(words), words, "direct", None, None, "Ames"))]

    joined = "I know what the harbour needs, and I know I cannot give it another winter."
    assert texts(joined) == ["I know what the harbour needs", "and I know I cannot give it another winter."]
    bare = "We kept every berth open and we will keep them open through the storms"
    assert texts(bare) == ["We kept every berth open", "and we will keep them open through the storms"]
    blame = "We failed the fishing crews and I take the blame"  # short, but a subject of its own
    assert texts(blame) == ["We failed the fishing crews", "and I take the blame"]
    # one utterance: a joint subject, a clause not in the first person, a short second clause
    for whole in ("The board of the harbour trust and I agreed on the new fees.",
                  "The pier will stay open all winter, and we will not raise the fees.",
                  "I was out of line and I was wrong."):
        assert texts(whole) == [whole]


def test_units_of_a_quote_split_around_its_cue_keep_article_offsets() -> None:
    text = '"The ferry will run again," Ames said on Monday, "but not before the spring. We promise."'
    parts = (Span.of(text, 1, 26), Span.of(text, 50, 88))
    quote = Quote(1, 88, text[1:88], "direct", None, None, "Ames", parts=parts)
    units = quote_units(quote)
    assert [u.text for u in units] == ["The ferry will run again", "but not before the spring.",
                                       "We promise."]
    assert all(text[u.start:u.end] == u.text and u.quoted for u in units)


def test_reported_speech_inside_quotation_marks_is_the_quoted_stretch() -> None:
    text = ("Ames spoke briefly. 'The pier is rotten. That I know what it costs is the point.' "
            "Then she left.")
    inner = text.index("what it costs")
    quote = Quote(inner, inner + 13, "what it costs", "indirect", None, None, "Ames")
    units = quote_units(quote, marked_stretches(text))
    assert [u.text for u in units] == ["The pier is rotten.",
                                       "That I know what it costs is the point."]
    assert all(u.quoted for u in units)
    plain = quote_units(Quote(0, 18, text[:18], "indirect", None, None, "Ames"),
                        marked_stretches(text))
    assert [u.quoted for u in plain] == [False]  # reported speech without marks stays reported


def test_quoted_fragments_of_a_mixed_quote_ignore_apostrophes() -> None:
    text = "she said Orr's plan was 'a gift to the harbour' and 'late'"
    got = [f.text for f in quoted_fragments(Span(0, len(text), text))]
    assert got == ["a gift to the harbour", "late"]


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab .!?\"'\u201c\u201d\u2018\u2019\n…,")), max_size=80))
def test_units_always_slice_the_article(text: str) -> None:
    quote = Quote(0, len(text), text, "indirect", None, None, "X")
    for u in quote_units(quote, marked_stretches(text)):
        assert text[u.start:u.end] == u.text and u.text.strip()


# ---------------------------------------------------------------- the patterns
JETTY = "We will rebuild the north jetty before the autumn storms, whatever the council decides."


def test_excerpt_of_one_sentence_joins_that_sentence_only() -> None:
    other = "The harbour fees will stay where they are for the whole of next year."
    clusters = link_quotes([rec(1, JETTY), rec(2, other), rec(3, "before the autumn storms",
                                                              day=D(2025, 3, 2))])
    info = only(clusters, 3)
    assert kinds(info) == {1: "reference", 3: "excerpt"}


def test_spun_copy_with_synonyms_is_altered_and_major() -> None:
    spun = "We shall reconstruct the northern jetty ahead of the fall storms, whatever the council decides."
    clusters = link_quotes([rec(1, JETTY), rec(2, spun, day=D(2025, 3, 2))])
    info = only(clusters, 2)
    assert kinds(info) == {1: "reference", 2: "altered"}
    assert {r.quote_id: r.severity for r in info.renderings}[2] == "major"


def test_one_word_changed_is_a_minor_alteration() -> None:
    changed = JETTY.replace("rebuild", "repair")
    info = only(link_quotes([rec(1, JETTY), rec(2, changed, day=D(2025, 3, 2))]), 2)
    assert {r.quote_id: (r.kind, r.severity) for r in info.renderings}[2] == ("altered", "minor")
    ref, cut = tokens(JETTY), tokens("the north jetty after the autumn storms")
    assert severity(classify(ref, cut, (cut,))[2]) == "minor"  # an excerpt with a word changed


def test_misattribution_joins_the_cluster_and_names_who_the_outlet_credited() -> None:
    clusters = link_quotes([rec(1, JETTY, speaker=1), rec(2, JETTY, speaker=1, day=D(2025, 3, 2)),
                            rec(3, JETTY.upper(), speaker=7, day=D(2025, 3, 3))])
    info = only(clusters, 3)
    assert info.speaker_id == 1 and info.misattributed
    assert {r.quote_id: r.attributed_to for r in info.renderings} == {1: None, 2: None, 3: 7}


def test_confusable_statement_a_year_later_stays_apart_but_a_requote_joins() -> None:
    said = "We will bring the harbour debt back down to our target of two percent."
    again = "It is our job to bring the harbour debt down to our target of two percent."
    clusters = link_quotes([rec(1, said, day=D(2024, 8, 1)), rec(2, again, day=D(2025, 8, 1)),
                            rec(3, "bring the harbour debt back down", day=D(2025, 7, 30))])
    assert only(clusters, 1) != only(clusters, 2)
    assert kinds(only(clusters, 3)) == {1: "reference", 3: "excerpt"}  # an exact re-quote


def test_reference_is_primary_then_wire_then_the_full_report_others_agree_with() -> None:
    typo = JETTY.replace("storms", "storm")
    wire = rec(3, typo, day=D(2025, 3, 3), is_wire=True)
    reports = [rec(1, typo, day=D(2025, 3, 1)), rec(2, JETTY, day=D(2025, 3, 2)),
               rec(4, JETTY, day=None), rec(5, "the north jetty", day=D(2025, 2, 27))]
    assert only(link_quotes(reports), 2).reference_id == 2  # two agree; the phrase is no reference
    assert only(link_quotes([*reports, wire]), 2).reference_id == 3
    primary = rec(6, JETTY, day=D(2025, 3, 9), is_transcript=True)
    info = only(link_quotes([*reports, wire, primary]), 2)
    assert info.reference_id == 6
    assert kinds(info)[3] == "altered" and kinds(info)[4] == "verbatim"


def test_reported_speech_is_a_paraphrase_never_altered() -> None:
    said = "they would rebuild the north jetty before the storms whatever the council decided"
    info = only(link_quotes([rec(1, JETTY), rec(2, said, quote_kind="indirect")]), 2)
    assert kinds(info)[2] == "paraphrase" and info.altered == 0


@pytest.mark.parametrize("variant", [
    "And we will rebuild the north jetty before the autumn storms, whatever the council decides.",
    "We will rebuild the north jetty [at Port Ellis] before the autumn storms, whatever the "
    "council decides.",
    "we'll rebuild the north jetty before the autumn storms — whatever the council decides!",
])
def test_verbatim_ignores_leading_and_brackets_and_contractions(variant: str) -> None:
    info = only(link_quotes([rec(1, JETTY), rec(2, variant, day=D(2025, 3, 2))]), 2)
    assert kinds(info)[2] == "verbatim"


def test_a_name_spelt_another_way_is_not_an_alteration() -> None:
    ref = tokens("Minister Oleksandrenko will visit the port on Friday")
    words = tokens("Minister Oleksandrenkoo will visit the port on Friday")
    from quoteline.link.match import unify_names
    unified = unify_names(words, ref, frozenset({"oleksandrenko", "oleksandrenkoo"}))
    assert classify(ref, unified, (unified,))[0] == "verbatim"
    assert classify(tokens("about Jada's health"), tokens("about Jade's health"),
                    (tokens("about Jade's health"),))[0] == "altered"  # a short name: a change


# ---------------------------------------------------------------- sources
def test_outlet_from_the_registered_domain_and_wire_copies() -> None:
    assert outlet_of_url("https://www.harbourherald.co.uk/news/1") == "harbourherald.co.uk"
    assert outlet_of_url("not a url") is None
    art = Article(text="PORT ELLIS (AP) — The jetty will be rebuilt.", url="https://news.example.com/x")
    assert outlet_of(art) == "example.com" and is_wire(art)
    credit = Article(text="Photo: Kim Ro/AFP via Getty Images\n\nThe jetty will be rebuilt.")
    assert not is_wire(credit)


def test_primary_source_every_sentence_is_the_speakers() -> None:
    text = "Remarks by\nRuth Ames\n\nThank you all for coming.\nThe jetty will be rebuilt\nby spring."
    ex = primary_extraction(Article(text=text, id="p", primary=True, speaker="Ruth Ames"))
    assert [q.text for q in ex.quotes] == ["Remarks by", "Ruth Ames", "Thank you all for coming.",
                                           "The jetty will be rebuilt\nby spring."]
    assert {q.speaker for q in ex.quotes} == {"Ruth Ames"}


def test_qa_transcript_answers_are_the_answerers_questions_are_nobodys() -> None:
    text = ("Harbour briefing transcript\n\nReporter (00:01):\nWill the jetty be ready?\n\n"
            "Ruth Ames (00:09):\nIt will be ready by spring. We have the money.\n")
    assert is_transcript(text) and not is_transcript("Ames said (ahead of the 10:30 vote): no.")
    ex = primary_extraction(Article(text=text, id="t", speaker="Ames"))
    assert [(q.speaker, q.text) for q in ex.quotes] == [
        ("Ames", "It will be ready by spring."), ("Ames", "We have the money.")]
    assert [t.speaker for t in turns(text, None)] == [None, "Ruth Ames"]
