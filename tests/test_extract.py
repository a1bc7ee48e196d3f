"""Extraction behaviour on short written texts, one pattern at a time, and on the seed article."""

from __future__ import annotations

import datetime as dt

import pytest

import quoteline
from quoteline.models import Quote


def find(quotes: list[Quote], words: str) -> Quote:
    """The quote whose text contains ``words``."""
    hits = [q for q in quotes if words in q.text]
    assert hits, f"no quote contains {words!r}; got {[q.text for q in quotes]}"
    return hits[0]


def test_direct_quote_with_cue_after() -> None:
    text = "“We will rebuild the bridge by spring,” Mayor Ana Ruiz said on Tuesday."
    q = find(quoteline.extract(text, published="2024-03-14"), "rebuild the bridge")
    assert q.kind == "direct"
    assert q.speaker == "Ana Ruiz"
    assert q.cue is not None and q.cue.text == "said"
    assert q.said_on == dt.date(2024, 3, 12)
    assert q.said_on_basis == "on Tuesday"


def test_split_quote_around_cue_gives_both_fragments_one_speaker() -> None:
    text = (
        "Council chair Jane Okafor spoke to reporters. "
        "“The budget is balanced,” she said, “and the schools will get more money.”"
    )
    quotes = quoteline.extract(text)
    a, b = find(quotes, "budget is balanced"), find(quotes, "schools will get")
    assert a.speaker == b.speaker == "Jane Okafor"
    assert a.kind == b.kind == "direct"


def test_mixed_quote_and_indirect_speech() -> None:
    text = (
        "Senator Tom Baker said the plan was “dead on arrival” in the Senate. "
        "Baker said the committee would not take up the bill this year."
    )
    quotes = quoteline.extract(text)
    mixed = find(quotes, "dead on arrival")
    indirect = find(quotes, "committee would not take up")
    assert mixed.kind == "mixed" and indirect.kind == "indirect"
    assert mixed.speaker == indirect.speaker == "Tom Baker"


def test_according_to_and_colon_attribution() -> None:
    text = (
        "The factory will close in June, according to the company's chief executive, Lena Park.\n\n"
        "Park was blunt: “There is no buyer and there will be no buyer.”"
    )
    quotes = quoteline.extract(text)
    acc = find(quotes, "factory will close")
    assert acc.cue is not None and acc.cue.text == "according to"
    colon = find(quotes, "no buyer")
    assert colon.speaker == "Lena Park"


def test_dash_attribution() -> None:
    text = "“Nobody told us the water was unsafe to drink for weeks.” — Maria Lopez, a resident."
    q = find(quoteline.extract(text), "water was unsafe")
    assert q.speaker == "Maria Lopez"


def test_parenthetical_cue() -> None:
    text = "The new rules, Commissioner Dev Patel suggested, could cut emissions by a third within a decade."
    q = find(quoteline.extract(text), "cut emissions")
    assert q.speaker == "Dev Patel"
    assert q.kind == "indirect"


def test_scare_quotes_and_titles_are_not_speech() -> None:
    text = (
        "The “reform” passed the House after a long night. The band played “Born to Run” twice. "
        "The film “The Long Road Home Tonight” opened on Friday."
    )
    assert quoteline.extract(text) == []


def test_pronoun_resolves_to_the_antecedent_and_continuation() -> None:
    text = (
        "Governor Lisa Grant visited the flooded town on Monday.\n\n"
        "“We will not leave anyone behind,” she said. “Help is coming, and it is coming today.”"
    )
    quotes = quoteline.extract(text, published="2024-05-08")
    first = find(quotes, "leave anyone behind")
    cont = find(quotes, "Help is coming")
    assert first.speaker == cont.speaker == "Lisa Grant"
    assert first.source is not None and first.source.text == "she"
    assert cont.cue is None  # continues the previous speaker without a cue


def test_description_resolves_to_the_introduced_person() -> None:
    text = (
        "Finance Minister Karl Weber presented the budget on Wednesday. "
        "The minister said taxes on fuel would rise next year."
    )
    q = find(quoteline.extract(text), "taxes on fuel")
    assert q.speaker == "Karl Weber"
    assert q.speaker_title == "Finance Minister"


def test_surnames_do_not_merge_different_people() -> None:
    text = (
        "Barack Obama said the economy had recovered. "
        "Michelle Obama said the schools needed more teachers."
    )
    quotes = quoteline.extract(text)
    assert find(quotes, "economy had recovered").speaker == "Barack Obama"
    assert find(quotes, "more teachers").speaker == "Michelle Obama"


def test_neighbouring_sentence_names_the_speaker() -> None:
    text = (
        "Coach Sam Reid defended the decision after the game. "
        "“We played the young players because they earned it in practice.”"
    )
    q = find(quoteline.extract(text), "young players")
    assert q.speaker == "Sam Reid"
    assert q.cue is None
    assert q.source is not None and q.source.text == "Coach Sam Reid"  # in the sentence before


def test_complement_of_a_cue_is_not_an_aside() -> None:
    text = "The coach later said he was joking about the referee."
    quotes = quoteline.extract(text)
    assert [q.text for q in quotes] == ["he was joking about the referee"]
    # a description the article never ties to a name: no speaker, the mention kept as source
    assert quotes[0].speaker is None
    assert quotes[0].source is not None and quotes[0].source.text == "The coach"


def test_as_clause_vouches_for_the_main_clause() -> None:
    text = "As the city auditor Ben Shaw noted, the bus fleet is older than any in the region."
    q = find(quoteline.extract(text), "bus fleet is older")
    assert q.speaker == "Ben Shaw"
    assert "noted" not in q.text


def test_hearsay_adverb_gives_the_whole_clause_without_a_speaker() -> None:
    text = "After the vote the council reportedly dropped the tram project."
    q = find(quoteline.extract(text), "dropped the tram project")
    assert q.text.startswith("the council reportedly")
    assert q.speaker is None and q.source is None


def test_writers_impression_is_no_quote() -> None:
    text = "After the vote the mayor appeared to be making an effort to win back the unions."
    assert quoteline.extract(text) == []


def test_passive_report_names_the_agent() -> None:
    text = "The toll plan was criticized by the drivers' union for its cost to commuters."
    q = find(quoteline.extract(text), "toll plan")
    assert q.source is not None and q.source.text == "the drivers' union"


def test_report_inside_a_longer_report_is_part_of_it() -> None:
    text = "Mayor Ana Ruiz praised the council's decision to support the striking nurses."
    quotes = quoteline.extract(text)
    assert len(quotes) == 1
    assert "support the striking nurses" in quotes[0].text


def test_lemmatizer_slip_does_not_hide_a_cue() -> None:
    text = "Coach Sam Reid is hoping that the injured striker returns next month."
    q = find(quoteline.extract(text), "injured striker returns")
    assert q.cue is not None and q.cue.text == "hoping"
    assert q.speaker == "Sam Reid"


def test_clause_only_cue_with_a_noun_object_is_no_quote() -> None:
    assert quoteline.extract("The senator maintained a narrow lead in the county all night.") == []


def test_leap_day_before_a_common_year_does_not_crash() -> None:
    text = "“We will reopen the plant,” the owner Ray Dunn said on Feb. 29."
    q = find(quoteline.extract(text, published="2016-02-10"), "reopen the plant")
    assert q.said_on is None


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("yesterday", dt.date(2022, 11, 15)),
        ("last Wednesday", dt.date(2022, 11, 9)),
        ("on Wednesday", dt.date(2022, 11, 16)),
        ("on Nov. 9", dt.date(2022, 11, 9)),
    ],
)
def test_said_on_resolves_relative_dates(phrase: str, expected: dt.date) -> None:
    text = f"“The talks can start before the winter comes,” the envoy Ian Moss said {phrase}."
    q = find(quoteline.extract(text, published="2022-11-16"), "talks can start")
    assert q.said_on == expected


def test_said_on_is_unset_without_evidence_or_publication_date() -> None:
    text = "“The talks can start before the winter comes,” the envoy Ian Moss said."
    assert find(quoteline.extract(text, published="2022-11-16"), "talks").said_on is None
    text = "“The talks can start before the winter comes,” the envoy Ian Moss said on Wednesday."
    assert find(quoteline.extract(text), "talks").said_on is None


def test_multi_paragraph_quote_is_one_quote_a_paragraph_with_the_speaker_of_its_cue() -> None:
    text = (
        "The outbreak reached the capital last month.\n\n"
        "“The first cases appeared in the north of the city.\n\n"
        "“Within a week the hospitals were full,” Dr. Helen Cho said."
    )
    quotes = quoteline.extract(text)
    first, last = find(quotes, "first cases appeared"), find(quotes, "hospitals were full")
    assert first.text == "The first cases appeared in the north of the city."
    assert last.text == "Within a week the hospitals were full"
    assert first.speaker == last.speaker == "Helen Cho"
    assert first.rule == "continuation" and last.cue is not None


def test_quotes_are_stamped_with_versions() -> None:
    q = quoteline.extract("“We are ready for the storm,” Chief Ravi Das said.")[0]
    assert q.extractor.startswith("quoteline ")
    assert "core_web_sm" in q.model


def test_extract_many_keeps_order_and_records_skips() -> None:
    from quoteline.models import Article, Extraction, Skip

    arts = [
        Article(text="“We will win this race,” Jo Park said.", id="a"),
        Article(text="   ", id="b"),
        Article(text="Nothing quoted here at all.", id="c"),
    ]
    out = list(quoteline.extract_many(arts))
    assert [type(r) for r in out] == [Extraction, Skip, Extraction]
    assert isinstance(out[1], Skip) and out[1].reason == "empty text"
    first = out[0]
    assert isinstance(first, Extraction) and first.quotes[0].article_id == "a"


# ------------------------------------------------------------------ the seed article
SEED_SAID_ON = {
    "There can be a political solution": "2022-11-16",
    "You want to negotiate": "2022-11-16",
    "had not seen any information": "2022-11-16",
    "both Russia and Ukraine should realize": "2022-11-09",
    "When there is an opportunity": "2022-11-09",
    "When is a good time": "2022-11-16",
}


def test_seed_article_speakers_titles_and_dates(seed_text: str) -> None:
    quotes = quoteline.extract(seed_text, published="2022-11-16")
    general = find(quotes, "there might be a window")
    assert general.source is not None and general.source.text == "the top US general"
    assert general.speaker == "Mark Milley"
    chair = find(quotes, "hurting really bad")
    assert chair.kind == "mixed"
    assert chair.speaker_title == "Chairman of the Joint Chiefs of Staff"
    austin = find(quotes, "When is a good time")
    assert austin.speaker == "Lloyd Austin" and austin.kind == "direct"
    assert find(quotes, "had not seen any information").speaker_title == "Defense Secretary"
    for words, day in SEED_SAID_ON.items():
        assert find(quotes, words).said_on == dt.date.fromisoformat(day), words
    for q in quotes:
        assert seed_text[q.start : q.end] == q.text


def test_markup_attributes_are_not_quotes() -> None:
    text = (
        "The campaign posted a message.\n\n"
        '<tweet id="1234" author="@citydesk" datetime="2024-01-02">Great turnout at the rally '
        "tonight in Dayton</tweet>."
    )
    quotes = quoteline.extract(text)
    assert not any("author=" in q.text or "datetime" in q.text for q in quotes)


def test_according_to_between_commas_attributes_the_clause_after_it() -> None:
    text = "Over the next decade, according to the budget office, the national deficit will double."
    q = find(quoteline.extract(text), "deficit will double")
    assert q.cue is not None and q.cue.text == "according to"


def test_quote_opening_a_paragraph_is_not_joined_to_the_one_before() -> None:
    text = (
        "The plant employs 400 people and ships parts to six states.\n\n"
        "“We will not close it,” Mr. Ortiz, the plant manager, said."
    )
    quotes = quoteline.extract(text)
    q = find(quotes, "We will not close it")
    assert q.kind == "direct" and q.speaker == "Ortiz"
    assert not any("400 people" in x.text for x in quotes)


def test_short_quote_after_a_cued_quote_continues_it() -> None:
    text = "“We are ready for the storm,” the mayor said. “Absolutely.”"
    quotes = quoteline.extract(text)
    first, second = find(quotes, "ready for the storm"), find(quotes, "Absolutely")
    assert second.kind == "direct" and second.speaker == first.speaker


def test_as_someone_put_it() -> None:
    text = "As one economist put it, “the recovery is real but fragile.”"
    q = find(quoteline.extract(text), "recovery is real")
    assert q.kind == "direct" and q.cue is not None and q.cue.text == "put"


def test_predicate_with_commas_inside_quote_marks_stays_in_content() -> None:
    q = find(quoteline.extract("The senator called the proposal “cruel, costly and pointless.”"), "proposal")
    assert "pointless" in q.text


def test_content_stops_before_the_host_clause() -> None:
    text = "If voters want to understand how the budget works, this report is the best place to start."
    q = find(quoteline.extract(text), "understand how the budget works")
    assert "best place" not in q.text


def test_boilerplate_line_labels_are_not_speakers() -> None:
    for text in ("Correction: An earlier version of this story gave the wrong date for the vote.",
                 "Editor’s Note: This story has been updated to include comments from the mayor."):
        assert quoteline.extract(text) == [], text
    [q] = quoteline.extract("SANDERS: We are going to win this election.")
    assert q.speaker == "SANDERS"


def test_name_given_in_a_relative_clause_is_the_content() -> None:
    q = find(quoteline.extract("The firm builds what it calls smart profiles of shoppers."), "profiles")
    assert q.cue is not None and q.cue.text == "calls"


def test_question_after_asked_is_the_content() -> None:
    text = "Then Senator Maria Lopez asked the farmers if they were ready for the new rules."
    q = find(quoteline.extract(text), "ready for the new rules")
    assert q.text.startswith("if they were ready")
    assert q.speaker == "Maria Lopez"


def test_call_for_someone_to_act_keeps_the_act() -> None:
    text = "Senator Jane Ortiz has called for the former director to release the records of the agency."
    q = find(quoteline.extract(text), "former director")
    assert "release the records" in q.text


def test_speech_verb_in_a_when_clause_is_circumstance() -> None:
    text = "Last May, Dana Cole called the plan a disaster on her radio show when commenting on the vote."
    quotes = quoteline.extract(text)
    q = find(quotes, "the plan")
    assert "commenting" not in q.text and q.cue is not None and q.cue.text == "called"


def test_reports_that_hold_each_other_are_not_both_dropped() -> None:
    text = (
        "The governor told her that the plan was not that simple, "
        "according to an account she gave to a paper."
    )
    find(quoteline.extract(text), "not that simple")


def test_an_administration_named_for_its_leader_is_a_body() -> None:
    text = ("The vote forced the Halvorsen administration to reassure lawmakers that the bridge "
            "would open in May.")
    q = find(quoteline.extract(text), "bridge would open")
    assert q.speaker == "Halvorsen administration"


def test_a_bare_administration_is_not_the_nearest_other_body() -> None:
    text = ("Grenmark Foods said on Monday that sales fell. The administration said the tariff "
            "would stay in place until the talks resume.")
    q = find(quoteline.extract(text), "tariff")
    assert q.speaker != "Grenmark Foods"
