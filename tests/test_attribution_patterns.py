"""One short article per attribution failure pattern seen on real news (issue 9): who the
speaker is (a name the article gives, a named body, or nobody), the span, the act and the date.
Every article here was written for this test."""

from __future__ import annotations

import datetime as dt

import pytest

import quoteline
from quoteline.models import Quote

PUB = "2025-05-22"


def extract(text: str, published: str | None = PUB) -> list[Quote]:
    return quoteline.extract(text, published=published)


def statements(text: str, published: str | None = PUB) -> list[Quote]:
    return [q for q in extract(text, published) if q.act == "speech"]


def one(quotes: list[Quote], words: str) -> Quote:
    found = [q for q in quotes if words in q.text]
    assert len(found) == 1, [(q.text, q.speaker) for q in quotes]
    return found[0]


def speakers(quotes: list[Quote]) -> set[str | None]:
    return {q.speaker for q in quotes}


# ---------------------------------------------------------------- who is not a speaker
def test_a_dateline_is_never_a_speaker() -> None:
    text = ("BRISTOW, Okla. (AP) — The storm destroyed at least 40 homes, county officials said "
            "on Monday. “We have never seen wind like this,” said Mayor Dale Corrigan.")
    quotes = statements(text)
    assert not any(q.speaker and ("BRISTOW" in q.speaker or q.speaker == "AP") for q in quotes)
    assert one(quotes, "never seen wind").speaker == "Dale Corrigan"


def test_a_photo_credit_line_is_never_a_speaker() -> None:
    text = ("Harbour workers unload a ship in Portmere. Photo: Lena Varga / Coastal Press\n\n"
            "“The port will stay open all winter,” harbour master Ivo Brandt said on Tuesday.")
    quotes = statements(text)
    assert speakers(quotes) == {"Ivo Brandt"}
    assert one(quotes, "stay open").said_on == dt.date(2025, 5, 20)


# ---------------------------------------------------------------- named, not described
def test_a_description_before_the_name_resolves_to_the_name() -> None:
    text = ("The city's health commissioner said on Wednesday that the outbreak was slowing.\n\n"
            "Dr. Miriam Oduya, the city's health commissioner, told reporters that eleven new "
            "cases had been confirmed since Sunday.")
    q = one(statements(text), "outbreak was slowing")
    assert q.speaker == "Miriam Oduya"
    assert q.said_on == dt.date(2025, 5, 21)


def test_said_he_after_a_quote_is_the_subject_just_named() -> None:
    text = ("Coach Tomas Rehn was calm after the defeat. “We lost to a better side tonight, and "
            "we will learn from it,” said he.")
    assert one(statements(text), "better side").speaker == "Tomas Rehn"


def test_a_description_the_article_never_names_leaves_the_speaker_null() -> None:
    text = "A spokeswoman for the ministry said the talks would resume next month."
    q = one(extract(text), "talks would resume")
    assert q.speaker is None or q.speaker != "spokeswoman"
    assert q.source is not None and "spokeswoman" in q.source.text


def test_qa_answers_belong_to_the_interviewee_named_at_the_top() -> None:
    text = ("Novelist Hanna Kessel said her new book took six years to write.\n\n"
            "Q: Why did you set the story in a lighthouse?\n\n"
            "A: Because a lighthouse keeper watches everything and is seen by nobody.\n\n"
            "Q: Will there be a sequel?\n\n"
            "A: I am already writing it, and the keeper comes back.")
    quotes = statements(text)
    answers = [q for q in quotes if "lighthouse keeper" in q.text or "already writing" in q.text]
    assert len(answers) == 2 and speakers(answers) == {"Hanna Kessel"}  # not "Novelist ..."
    assert not any("Why did you" in q.text or "sequel" in q.text for q in quotes)


def test_a_quote_inside_a_quote_belongs_to_the_innermost_speaker() -> None:
    text = ("Senator Ruth Okeke quoted Governor Paul Dremm as saying that the bridge would be "
            "finished by June.")
    q = one(extract(text), "bridge would be finished")
    assert q.speaker == "Paul Dremm" and q.text == "that the bridge would be finished by June"
    direct = ("Ruth Okeke quoted Paul Dremm as saying: “The bridge will be finished by June.”")
    assert speakers(statements(direct)) == {"Paul Dremm"}


# ---------------------------------------------------------------- what is not a statement
@pytest.mark.parametrize("text", [
    "A former bank manager, Colin Abbot, was found guilty of fraud on Friday.",  # a verdict
    "Orvane Foods posts record first-quarter profits as grocery sales climb.",  # a company's results
    "Striker Jonah Pell vows to play through the pain of his knee injury this season.",  # a vow
    "In court, the defendant blamed her mother for the missing money.",  # blaming someone
], ids=["verdict", "profits", "vow", "blame"])
def test_what_is_not_a_statement(text: str) -> None:
    assert statements(text) == []


def test_thinking_the_gunshots_were_fireworks_is_a_thought() -> None:
    text = "Neighbour Alba Reyes thought the gunshots were fireworks at first."
    quotes = extract(text)
    assert all(q.act == "thought" for q in quotes)
    assert statements(text) == []


def test_not_saying_why_is_not_a_statement() -> None:
    text = "The airline did not say why the flight had been cancelled."
    assert statements(text) == []


# ---------------------------------------------------------------- quotes that were missed
def test_a_paragraph_that_continues_a_quote_has_its_speaker() -> None:
    text = ("“The water rose faster than anyone expected,” said fire chief Nadia Brook.\n\n"
            "“By midnight we had moved forty families out of the valley.”")
    q = one(statements(text), "forty families")
    assert q.speaker == "Nadia Brook" and q.kind == "direct"


def test_an_embedded_post_is_its_signers_and_dated_by_its_signature() -> None:
    text = ("The minister replied on social media.\n\n"
            "The new rail line will open in September, on time and on budget. — Sara Lindqvist "
            "(@saralindqvist) May 12, 2025\n\n"
            "Critics were not convinced.")
    q = one(statements(text), "rail line will open")
    assert q.speaker == "Sara Lindqvist"
    assert q.said_on == dt.date(2025, 5, 12)


def test_a_headline_quote_before_a_colon_is_the_speakers() -> None:
    text = ("‘Shameful’: Mayor Ines Varro condemns the vandalism of the war memorial\n\n"
            "The memorial was daubed with paint overnight.")
    q = one(statements(text), "Shameful")
    assert (q.speaker, q.text, q.kind) == ("Ines Varro", "Shameful", "direct")
    other = "‘Disgraceful’: outrage as the library closes\n\nReaders protested."
    assert statements(other) == []  # no name after the colon: nobody's words


def test_a_quotation_going_on_from_a_reported_statement_is_the_reported_speakers() -> None:
    text = ("The harbour master resigned on Monday.\n\nMs Varga said she had hoped to find the "
            "strength and the will during the long winter break to stay in the post, “but I have "
            "not been able to do that”.\n\nThe board will meet on Friday.")
    q = one(statements(text), "not been able")
    assert (q.speaker, q.text, q.kind) == ("Varga", "but I have not been able to do that", "direct")
    # a cue after its content ("..., she said") hands over to nothing
    other = ("The port will stay open, the harbour master said, “for as long as the ships "
             "come”.\n\nThe board will meet on Friday.")
    assert all(q.rule != "continuation" for q in statements(other))


def test_a_headline_quote_before_a_colon_survives_the_parser_and_the_tagger() -> None:
    # the parser ends a sentence at the colon here; the name comes after it on the same line
    text = ("PoliticsMay 2, 2025\n\n‘For me, it’s time’: Tessa Morrow’s resignation speech in "
            "full\n\nPrime Minister Tessa Morrow photographed in May.")
    q = one(statements(text), "it’s time")
    assert (q.speaker, q.text) == ("Tessa Morrow", "For me, it’s time")
    # "Will" tagged as a modal verb is still the first name of the person named
    text = ("‘It was my fault’: Will Dawson apologises to fans over cancelled tour\nMusic\n\n"
            "The singer wrote to fans on Monday.")
    assert one(statements(text), "my fault").speaker == "Will Dawson"


def test_a_quote_closing_a_headline_after_its_persons_colon_is_theirs() -> None:
    text = ("Tearful Harbour Chief Petra Lund Steps Down After Six Years: ‘No Wind Left in the "
            "Sails’\n\nPetra Lund told staff on Monday that she would leave the port authority.")
    q = one(statements(text), "Wind Left")
    assert (q.speaker, q.text, q.kind) == ("Petra Lund", "No Wind Left in the Sails", "direct")
    # a headline presenting a work: the quoted words are its title, nobody's statement
    work = ("Studio Head Marta Quinn Unveils Her New Film at Cannes: ‘Winds of the North’\n\n"
            "The film opens in May.")
    assert not any("Winds of the North" in q.text for q in statements(work))


def test_british_single_marks_running_over_paragraphs_are_one_speakers() -> None:
    text = ("Council leader Owen Marsh said: ‘We have listened to residents.\n\n"
            "‘The car park will stay free on Sundays, and the market will stay where it is.’\n\n"
            "The decision was welcomed by traders.")
    quotes = statements(text)
    assert speakers([q for q in quotes if "listened" in q.text or "car park" in q.text]) == \
        {"Owen Marsh"}
    assert not any("welcomed by traders" in q.text for q in quotes)


def test_a_quote_after_expressed_concern_is_a_statement() -> None:
    text = ("Union official Keira Dunne expressed concern that “nobody has told the drivers "
            "what happens to their pensions.”")
    q = one(statements(text), "pensions")
    assert q.speaker == "Keira Dunne"


def test_mismatched_marks_still_close_the_quote() -> None:
    text = "'We will not sign this deal,\" said negotiator Piet Laan on Thursday. Talks resume soon."
    q = one(statements(text), "not sign this deal")
    assert q.speaker == "Piet Laan" and "Talks resume" not in q.text
    assert q.said_on == dt.date(2025, 5, 22)


# ---------------------------------------------------------------- dates
def test_at_the_times_is_no_at_the_time() -> None:
    text = ("Speaking to a reporter at the Times, economist Lars Vey said that rents would "
            "keep rising.")
    q = one(statements(text), "rents would keep rising")
    assert q.said_on is None or q.said_on_basis != "at the time"


def test_another_events_date_in_the_sentence_is_not_the_utterance_date() -> None:
    text = ("Mayor Bea Lund said the bridge, which closed on March 3, would reopen after the "
            "repairs.")
    q = one(statements(text), "would reopen")
    assert q.speaker == "Bea Lund"
    assert q.said_on is None  # March 3 dates the closing, not what she said


# ---------------------------------------------------------------- what is not a quote
def test_markup_left_in_a_page_does_not_leak_into_spans() -> None:
    text = "<p>“We will rebuild the school by autumn,” principal Ada Kern said.</p>"
    q = one(statements(text), "rebuild the school")
    assert q.text == "We will rebuild the school by autumn" and q.speaker == "Ada Kern"
    reported = "<p>Principal Ada Kern said that the school would reopen soon.</p><p>Good.</p>"
    q = one(statements(reported), "would reopen")
    assert "<" not in q.text and q.speaker == "Ada Kern"


def test_titles_and_scare_quotes_are_not_quotes() -> None:
    text = ("She has read “The Long Winter” twice, and her students call the new timetable "
            "“bonkers”. The school opens at eight.")
    assert statements(text) == []
