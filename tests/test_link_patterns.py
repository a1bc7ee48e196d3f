"""Linking patterns seen on real news, each with invented test text: cut-off pages, references,
fragments and scare quotes, composites, rewordings, speech texts without quotation marks."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from quoteline.link import ClusterInfo, Linker, QuoteRecord, link_quotes

D = dt.date
DAY = D(2025, 6, 3)
SEAWALL = ("We cannot and should not start the seawall unless the money for its upkeep is set "
           "aside for those unexpected winters.")


def rec(qid: int, text: str, speaker: int | None = 1, day: D | None = DAY,
        article: str | None = None, **kw: object) -> QuoteRecord:
    """A unit of article ``article`` (default: its own), published on ``day``."""
    return QuoteRecord(qid, text, speaker, article or f"a{qid}", day,  # type: ignore[arg-type]
                       outlet=f"Outlet {qid}", **kw)


def only(clusters: dict[int, ClusterInfo], qid: int) -> ClusterInfo:
    """The one cluster holding unit ``qid``."""
    [info] = [c for c in clusters.values() if any(r.quote_id == qid for r in c.renderings)]
    return info


def kinds(info: ClusterInfo) -> dict[int, str]:
    """Unit id -> rendering kind."""
    return {r.quote_id: r.kind for r in info.renderings}


# ---------------------------------------------------------------- pages cut off mid-word
def test_a_rendering_cut_off_mid_word_by_the_end_of_its_page_is_an_excerpt() -> None:
    cut = SEAWALL[: SEAWALL.index("winters") + 3]  # "... for those unexpected win"
    info = only(link_quotes([rec(1, SEAWALL), rec(2, SEAWALL), rec(3, cut)]), 3)
    assert kinds(info)[3] == "excerpt" and info.altered == 0
    changed = cut.replace("upkeep", "repairs")
    info = only(link_quotes([rec(1, SEAWALL), rec(2, SEAWALL), rec(3, changed)]), 3)
    assert kinds(info)[3] == "altered"  # the cut forgives the last word only


def test_a_cut_off_primary_source_gives_way_to_the_copy_that_completes_it() -> None:
    cut = SEAWALL[: SEAWALL.index("winters") + 3]
    speech = rec(1, cut, is_transcript=True)
    info = only(link_quotes([speech, rec(2, SEAWALL), rec(3, SEAWALL, day=D(2025, 6, 4))]), 1)
    assert info.reference_id == 2
    assert kinds(info) == {1: "excerpt", 2: "reference", 3: "verbatim"}
    whole = only(link_quotes([rec(1, SEAWALL, is_transcript=True), rec(2, SEAWALL)]), 1)
    assert whole.reference_id == 1


# ---------------------------------------------------------------- the reference
def test_between_two_wordings_as_well_supported_the_first_reported_is_the_reference() -> None:
    short = "I am leaving because with such a demanding post comes duty."
    longer = "I am leaving because with such a demanding post comes a heavy duty."
    units = [rec(1, short), rec(2, short, day=None), rec(3, longer), rec(4, longer, day=None)]
    info = only(link_quotes(units), 1)
    assert info.reference_id == 1  # same day, same support: the earlier report, not the longer
    assert kinds(info) == {1: "reference", 2: "verbatim", 3: "altered", 4: "altered"}


# ---------------------------------------------------------------- speech texts nothing flags
SPEECH_PAGE = """Mayor Ruth Ames at the harbour on Monday. (Photo: Kim Ro)

Politics, June 3, 2025

'The jetty comes first': Ruth Ames's budget speech in full

Ames today set out the harbour budget for the coming year. This is what she said.

Good morning.

I have two things to tell you today. The first is the jetty. We will rebuild the north jetty
before the autumn storms, whatever the council decides.

'Subscribe to get the harbour news that matters to you.'
Tom Birch
- Harbour reporter

The second is the fees. Our harbour fees will stay where they are for the whole of next year.
I know that this is a hard budget. We have made our choices, and I stand by them.
"""


def test_a_speech_given_in_full_is_the_speakers_from_where_it_starts() -> None:
    from quoteline.link.speech_text import speech_sentences, speech_text
    from quoteline.models import Article

    found = speech_text(Article(text=SPEECH_PAGE, id="s"))
    assert found is not None and found.speaker == "Ruth Ames"
    said = [" ".join(s.text.split()) for s in speech_sentences(SPEECH_PAGE, found.start,
                                                                found.speaker)]
    assert said[:3] == ["Good morning.", "I have two things to tell you today.",
                        "The first is the jetty."]
    assert "Subscribe to get the harbour news that matters to you." not in " ".join(said)
    assert not any("Ames" in s or "Birch" in s or "Photo" in s for s in said)
    assert said[-1] == "We have made our choices, and I stand by them."


def test_official_remarks_are_found_by_their_heading() -> None:
    from quoteline.link.speech_text import speech_text
    from quoteline.models import Article

    page = ("For release on delivery\nJune 3, 2025\n\nThe Harbour in the Coming Year\n\n"
            "Remarks by\nRuth M. Ames\nHarbour Master\nat the Ellis Port Forum\n\n"
            "Thank you for having me. I want to speak plainly today. Our port is\n"
            "busier than it has ever been. We will rebuild the north jetty. I expect the\n"
            "work to take two years. We will keep the fees where they are.\n")
    found = speech_text(Article(text=page, id="r"))
    assert found is not None and found.speaker == "Ruth M. Ames"
    assert page[found.start:].startswith("Thank you for having me.")


def test_reports_about_a_speech_are_not_speech_texts() -> None:
    from quoteline.link.speech_text import speech_text
    from quoteline.models import Article

    report = ("Ruth Ames's budget speech: what she said\n\nThe mayor spoke for an hour. "
              "She said the jetty would be rebuilt. She said the fees would stay. The council "
              "was not happy. Critics called it thin. Tom Birch said it was brave.\n")
    quoted = ("Ruth Ames's budget speech in full\n\n" + " ".join(
        f'"We will do thing number {i} this year," she said.' for i in range(8)) + "\n")
    third = ("Ruth Ames's budget speech in full\n\nThe mayor spoke for an hour. The jetty will "
             "be rebuilt. The fees stay. The council objected. Critics called it thin. The "
             "meeting ended at noon.\n")
    assert [speech_text(Article(text=t)) for t in (report, quoted, third)] == [None] * 3


def test_a_speech_page_is_ingested_as_the_primary_source_of_its_sentences(tmp_path: Path) -> None:
    from quoteline.corpus import ingest
    from quoteline.models import Article
    from quoteline.store import open_store

    report = Article(text='Ruth Ames spoke on Tuesday. "We will rebuild the north jetty before the '
                          'autumn storms, whatever the council decides," Ames said.', id="report",
                     source="test:report", outlet="Ellis Herald")
    page = Article(text=SPEECH_PAGE, id="speech", source="test:speech", url="https://ex.org/s")
    os.environ["QUOTELINE_SEMANTIC"] = "0"
    try:
        with open_store(f"sqlite:///{tmp_path / 's.db'}") as store:
            ingest([report, page], store)
            rows = list(store.renderings())
    finally:
        del os.environ["QUOTELINE_SEMANTIC"]
    speech = [r for r in rows if r["article_id"] == "speech"]
    assert {r["speaker"] for r in speech} == {"Ruth Ames"}
    assert speech[0]["text"] == "Good morning."
    assert not any("Subscribe" in r["text"] or "Ames" in r["text"] for r in speech)
    [jetty] = [r for r in speech if r["text"].startswith("We will rebuild")]
    [copy] = [r for r in rows if r["article_id"] == "report" and r["text"].startswith("We will")]
    assert jetty["rendering"] == "reference" and copy["cluster"] == jetty["cluster"]
    assert copy["rendering"] == "verbatim"  # the page's line break inside the sentence is no change


# ---------------------------------------------------------------- composites and merges
FEES = "Our harbour fees will stay where they are for the whole of next year."
YEARS = "I am starting now my fourth year as harbour master."
GIVEN = "And for each of those years I have given the port everything I have."


def test_a_composite_of_two_sentences_never_merges_their_clusters() -> None:
    speech = [rec(1, YEARS, article="speech", is_transcript=True),
              rec(2, GIVEN, article="speech", is_transcript=True)]
    joined = rec(3, "I'm starting now my fourth year as harbour master and for each of those "
                    "years I have given the port everything I have.", article="transcript")
    clusters = link_quotes([*speech, joined])
    assert only(clusters, 1) != only(clusters, 2)
    # nor when two outlets quoted the two sentences apart and one of them also quoted both
    units = [rec(1, YEARS, article="x"), rec(2, GIVEN, article="x"),
             rec(3, "I am starting now my fourth year as harbour master, and for each of those "
                    "years I have given the port everything I have", article="y")]
    clusters = link_quotes(units)
    assert only(clusters, 1) != only(clusters, 2)


def test_a_partial_quote_with_a_word_changed_merges_into_the_sentence() -> None:
    linker = Linker()
    linker.add([rec(1, "no longer had the strength in me")])  # reported speech, tense shifted
    linker.add([rec(2, "to do the port justice")])
    said = "And I know that I no longer have the strength in me to do the port justice."
    linker.add([rec(3, said)])
    assert linker.cluster_of(1) == linker.cluster_of(2) == linker.cluster_of(3)
    info = linker.info(linker.cluster_of(3) or 0)
    assert kinds(info) == {1: "altered", 2: "excerpt", 3: "reference"}


def test_a_composite_is_not_the_yardstick_of_the_sentence_it_holds() -> None:
    job = "I know what this post takes."
    composite = rec(4, "I know what this post needs, and I know there is not enough left in "
                       "me to serve it.")
    info = only(link_quotes([rec(1, job), rec(2, job), rec(3, job, day=None), composite]), 1)
    assert info.reference_id == 1
    assert kinds(info) == {1: "reference", 2: "verbatim", 3: "verbatim", 4: "altered"}


def test_a_fragment_finds_the_sentence_an_outlet_first_printed_without_a_speaker() -> None:
    linker = Linker()
    said = "Our conduct on the pier last night was reckless and indefensible."
    linker.add([rec(1, said, speaker=None)])  # a post quoted with no cue: nobody named yet
    linker.add([rec(2, said)])  # another outlet names the speaker
    linker.add([rec(3, "reckless and indefensible")])
    assert linker.cluster_of(1) == linker.cluster_of(2) == linker.cluster_of(3)
    assert kinds(linker.info(linker.cluster_of(3) or 0))[3] == "excerpt"


# ---------------------------------------------------------------- a statement printed in full
STATEMENT_REPORT = (
    'Harbour master Ruth Ames apologised on Friday, saying the closure "was my mistake".\n\n'
    "The full message:\n\n"
    "Closing the north pier without warning was my mistake. I should have told the crews first. "
    "The fishermen lost a day of work because of me.\n\n"
    "I want to apologise to every family who depends on that pier. We will pay for the lost "
    "catch. I am sorry.\n\n"
    "Sincerely,\n\nRuth\n\n"
    "The council said it would review the closure next month."
)


def test_a_statement_a_report_prints_in_full_is_quoted_from_the_speaker_it_credits() -> None:
    from quoteline.link.speech_text import announced_statement
    from quoteline.models import Article, Extraction, Quote

    art = Article(text=STATEMENT_REPORT, id="report")
    start = STATEMENT_REPORT.index("was my mistake")
    lead = Quote(start, start + 14, "was my mistake", "mixed", None, None, "Ruth Ames")
    ext = announced_statement(Extraction(art, (lead,)))
    said = [q for q in ext.quotes if q is not lead]
    assert [q.text for q in said][:2] == ["Closing the north pier without warning was my mistake.",
                                          "I should have told the crews first."]
    assert {q.speaker for q in said} == {"Ruth Ames"} and len(said) == 6
    assert not ext.article.primary  # a copy of the statement, not the statement itself
    assert all(STATEMENT_REPORT[q.start:q.end] == q.text for q in said)
    assert not any("council" in q.text for q in said)  # the report goes on after the sign-off
    # without a quote before the line there is nobody to credit
    assert announced_statement(Extraction(art, ())).quotes == ()
    # without a sign-off the statement ends where the report goes on in the third person
    unsigned = STATEMENT_REPORT.replace("Sincerely,\n\nRuth\n\n", "")
    ext = announced_statement(Extraction(Article(text=unsigned, id="r2"), (lead,)))
    assert len(ext.quotes) == 7 and not any("council" in q.text for q in ext.quotes)


def test_a_composite_backs_the_sentence_it_holds_against_a_copied_rewording() -> None:
    said = "I am stepping down because with such a demanding post comes duty."
    composite = ("I am stepping down because with such a demanding post comes duty, the duty "
                 "to know when you are no longer the right person to lead the port.")
    spun = "I am stepping down because with such a demanding job comes a heavy duty."
    units = [rec(1, said), rec(2, composite), rec(3, spun), rec(4, spun)]
    info = only(link_quotes(units), 1)
    assert info.reference_id == 1
    assert kinds(info)[3] == kinds(info)[4] == "altered"
    # a longer quote two outlets printed alike is the utterance, not a composite
    twice = only(link_quotes([rec(1, said), rec(2, composite), rec(3, composite, day=None)]), 1)
    assert twice.reference_id == 2 and kinds(twice)[3] == "verbatim"


def test_a_unit_with_no_speaker_finds_the_sentence_of_a_speaker_its_article_names() -> None:
    linker = Linker()
    said = "And I know that I no longer have the strength in me to do the port justice."
    linker.add([rec(1, said), rec(2, said)])
    unnamed = rec(3, "I know when I have the strength left in me to do the port justice.",
                  speaker=None, article="spun")
    other = rec(4, "The harbour board will meet again in the spring.", article="spun")
    linker.add([unnamed, other])
    assert linker.cluster_of(3) == linker.cluster_of(1)
    assert kinds(linker.info(linker.cluster_of(3) or 0))[3] == "altered"
    # a unit with no speaker in an article that names nobody is not looked for there
    alone = Linker()
    alone.add([rec(1, said), rec(2, said)])
    alone.add([rec(3, unnamed.text, speaker=None, article="anon")])
    assert alone.cluster_of(3) != alone.cluster_of(1)


def test_a_phrase_with_one_content_word_joins_the_only_sentence_that_holds_it() -> None:
    remarks = "My remarks at the harbour dinner were out of line for a harbour master."
    fees = "The new berth fees will stay where they are until the spring."
    linker = Linker()
    linker.add([rec(1, remarks), rec(2, fees)])
    linker.add([rec(3, "out of line")])
    assert linker.cluster_of(3) == linker.cluster_of(1)
    assert kinds(linker.info(linker.cluster_of(3) or 0))[3] == "excerpt"
    # two of the speaker's sentences hold "it is time": the phrase could be either
    linker.add([rec(4, "We have done what we could for the port, and now it is time."),
                rec(5, "For me and for my family it is time.")])
    linker.add([rec(6, "it is time")])
    assert linker.cluster_of(6) not in (linker.cluster_of(4), linker.cluster_of(5))


def test_a_scare_quoted_word_joins_the_only_sentence_of_its_speaker_said_near_it() -> None:
    linker = Linker()
    linker.add([rec(1, "I was careless with the harbour accounts and I was reckless."),
                rec(2, "The new berth fees will bring some hardship to the fishing families.")])
    linker.add([rec(3, "reckless."), rec(4, "some hardship")])
    assert linker.cluster_of(3) == linker.cluster_of(1)
    assert linker.cluster_of(4) == linker.cluster_of(2)
    assert kinds(linker.info(linker.cluster_of(1) or 0))[3] == "excerpt"
    # another speaker's scare quote never joins
    linker.add([rec(8, "some hardship", speaker=2)])
    assert linker.cluster_of(8) != linker.cluster_of(2)
    # a year later the same words are no excerpt of that sentence
    later = Linker()
    later.add([rec(1, "The new berth fees will bring some hardship to the fishing families.")])
    later.add([rec(2, "some hardship", day=D(2026, 6, 3))])
    assert later.cluster_of(2) != later.cluster_of(1)
    # nor where two sentences of the speaker hold the word
    two = Linker()
    two.add([rec(1, "I was careless with the harbour accounts and I was reckless."),
             rec(2, "Cutting the dredging budget would be reckless for the port.")])
    two.add([rec(3, "reckless")])
    assert two.cluster_of(3) not in (two.cluster_of(1), two.cluster_of(2))


def test_a_short_sentence_with_a_phrase_reworded_is_an_altered_rendering() -> None:
    said = "I was out of order and I was rude."
    spun = "I broke the order and I was rude."  # a translated copy: 6 of its 8 words align
    clusters = link_quotes([rec(1, said), rec(2, said), rec(3, spun)])
    assert kinds(only(clusters, 3)) == {1: "reference", 2: "verbatim", 3: "altered"}
    # the same frame around other words is another sentence; another speaker's, another utterance
    other = "I was out of town and I was late."
    clusters = link_quotes([rec(1, said), rec(4, other), rec(5, spun, speaker=2)])
    assert len({only(clusters, q).cluster_id for q in (1, 4, 5)}) == 3
    # weeks apart, a rewording is no rendering of the same utterance
    clusters = link_quotes([rec(1, said), rec(6, spun, day=DAY + dt.timedelta(days=60))])
    assert only(clusters, 1).cluster_id != only(clusters, 6).cluster_id


def test_a_short_quote_that_leaves_words_out_of_a_sentence_is_an_altered_rendering() -> None:
    said = "Dredging in all of its forms is costly and slow."
    linker = Linker()
    linker.add([rec(1, said), rec(2, "The berth fees will stay where they are.")])
    linker.add([rec(3, "dredging is costly")])  # printed in quotation marks, no ellipsis
    assert linker.cluster_of(3) == linker.cluster_of(1)
    assert kinds(linker.info(linker.cluster_of(1) or 0))[3] == "altered"
    # words too far apart, a sentence of another month, or two sentences that hold them: apart
    far = Linker()
    far.add([rec(1, "Dredging, as every skipper along this stretch of the coast knows, is costly.")])
    far.add([rec(2, "dredging is costly")])
    assert far.cluster_of(2) != far.cluster_of(1)
    later = Linker()
    later.add([rec(1, said)])
    later.add([rec(2, "dredging is costly", day=D(2025, 9, 3))])
    assert later.cluster_of(2) != later.cluster_of(1)
    two = Linker()
    two.add([rec(1, said), rec(2, "Dredging is slow, and it is costly.")])
    two.add([rec(3, "dredging is costly")])
    assert two.cluster_of(3) not in (two.cluster_of(1), two.cluster_of(2))


def test_a_phrase_reported_first_joins_the_one_sentence_that_later_holds_it() -> None:
    linker = Linker()
    linker.add([rec(1, "for some time")])
    linker.add([rec(2, "Repairing the jetty will likely require keeping it shut for some time.")])
    assert linker.cluster_of(1) == linker.cluster_of(2)
    assert kinds(linker.info(linker.cluster_of(2) or 0))[1] == "excerpt"
    # two sentences of one report that both hold it: the phrase could be either
    two = Linker()
    two.add([rec(1, "it is time")])
    two.add([rec(2, "We have done what we could for the port, and now it is time.", article="b"),
             rec(3, "For me and for my family it is time.", article="b")])
    assert two.cluster_of(1) not in (two.cluster_of(2), two.cluster_of(3))


def test_a_short_unit_with_a_word_changed_finds_an_older_sentence_of_a_busy_speaker() -> None:
    linker = Linker()
    linker.add([rec(1, "Restoring the harbour after the storm will take several long years of "
                       "dredging and rebuilding, and it requires using every crane we own, "
                       "every barge we can hire and every diver the coast guard can spare.")])
    linker.add([rec(10 + i, " ".join(f"{w}{i}" for w in ("berth", "gate", "shed", "dock", "lock")))
                for i in range(30)])  # thirty more recent sentences, nothing in common
    linker.add([rec(99, "use every crane we own")])
    assert linker.cluster_of(99) == linker.cluster_of(1)
    assert kinds(linker.info(linker.cluster_of(1) or 0))[99] == "altered"


def test_a_rendering_that_gives_the_sentence_and_goes_on_is_not_altered() -> None:
    said = "I am stepping down because with such a demanding post comes duty."
    going_on = ("I am stepping down because with such a demanding post comes duty \u2013 the duty "
                "to know when you are no longer the right person")
    changed = "I am stepping down because with such a demanding post comes a heavy duty."
    info = only(link_quotes([rec(1, said), rec(2, said), rec(3, going_on), rec(4, changed)]), 1)
    assert info.reference_id == 1
    assert kinds(info) == {1: "reference", 2: "verbatim", 3: "verbatim", 4: "altered"}
