"""Speakers across the corpus: one record per person or body, never two people merged."""

from __future__ import annotations

from pathlib import Path

import pytest

from quoteline.link.speakers import (
    SpeakerRecord,
    SpeakerResolver,
    canonical_title,
    parse_name,
    read_alias_file,
)


def ids(resolver: SpeakerResolver, *names: str) -> list[int]:
    """The speaker id of each name, resolved in order."""
    return [resolver.resolve(n)[0] for n in names]


@pytest.mark.parametrize(
    ("name", "given", "surname", "titles"),
    [
        ("Gen. Mark A. Milley", "mark", "milley", ("general",)),
        ("Commerce Secretary Linda Okoro", "linda", "okoro", ("secretary",)),
        ("Former President Barack Obama", "barack", "obama", ("former", "president")),
        ("Ursula von der Leyen", "ursula", "von der leyen", ()),
        ("Martin Luther King Jr.", "martin", "king", ()),
        ("Dr. Amara Nwosu", "amara", "nwosu", ("doctor",)),
        ("Milley", None, "milley", ()),
    ],
)
def test_parse_name(name: str, given: str | None, surname: str, titles: tuple[str, ...]) -> None:
    parsed = parse_name(name)
    assert (parsed.given, parsed.surname, parsed.titles) == (given, surname, titles)
    assert not parsed.is_body


def test_bodies_are_recognized() -> None:
    assert parse_name("the Ministry of Health").is_body
    assert parse_name("Ministry of Health").surname == parse_name("the ministry of health").surname
    assert not parse_name("Union president Teresa Quill").is_body


def test_titles_have_canonical_forms() -> None:
    assert canonical_title("Gen.") == "general"
    assert canonical_title("the Senator") == "senator"
    assert canonical_title("chief scientist") == "chief scientist"
    assert canonical_title("") is None


def test_milley_variants_are_one_person() -> None:
    r = SpeakerResolver()
    first, created = r.resolve("Gen. Mark A. Milley")
    assert created
    assert ids(r, "Mark Milley", "Milley", "General Milley", "Mark A. Milley") == [first] * 4
    assert len(r.records()) == 1
    record = r.get(first)
    assert record.name == "Mark A. Milley"
    assert {"Mark Milley", "Milley"} <= record.aliases
    assert "general" in record.titles


def test_people_sharing_a_surname_never_merge() -> None:
    r = SpeakerResolver()
    michelle, barack = ids(r, "Michelle Obama", "Barack Obama")
    assert michelle != barack
    bare, created = r.resolve("Obama")
    assert created
    assert bare not in (michelle, barack)
    assert r.resolve("Obama")[0] == bare  # the ambiguous record is reused, not multiplied


def test_a_title_can_pick_between_people_sharing_a_surname() -> None:
    r = SpeakerResolver()
    michelle, _ = r.resolve("Michelle Obama", title="First Lady")
    barack, _ = r.resolve("President Barack Obama")
    assert r.resolve("Obama", title="president")[0] == barack
    assert r.resolve("President Obama")[0] == barack
    assert r.resolve("Obama", title="first lady")[0] == michelle


def test_surname_first_then_full_name_becomes_one_record() -> None:
    r = SpeakerResolver()
    bare, _ = r.resolve("Quill")
    full, created = r.resolve("Teresa Quill")
    assert (full, created) == (bare, False)
    assert r.get(full).name == "Teresa Quill"
    other, created = r.resolve("Daniel Quill")
    assert created and other != full
    assert r.resolve("Quill")[0] not in (full, other)


def test_different_given_names_stay_apart() -> None:
    r = SpeakerResolver()
    assert len(set(ids(r, "Robert Whitfield", "Dana Whitfield", "Sen. Dana Whitfield"))) == 2


def test_bodies_resolve_to_one_record() -> None:
    r = SpeakerResolver()
    a, b = ids(r, "the Ministry of Health", "Ministry of Health")
    assert a == b
    assert r.get(a).is_body


def test_alias_file_fixes_what_rules_get_wrong(tmp_path: Path) -> None:
    path = tmp_path / "aliases.txt"
    path.write_text(
        "# canonical = alias; alias\nWilliam Jefferson Clinton = Bill Clinton; Clinton\n"
        "Hillary Rodham Clinton = Hillary Clinton; Mrs. Clinton\n",
        encoding="utf-8",
    )
    assert read_alias_file(path)["bill clinton"] == "William Jefferson Clinton"
    r = SpeakerResolver(alias_file=path)
    bill = ids(r, "Bill Clinton", "William Jefferson Clinton", "Clinton")
    hillary = ids(r, "Hillary Clinton", "Mrs. Clinton")
    assert len(set(bill)) == 1 and len(set(hillary)) == 1
    assert bill[0] != hillary[0]
    assert r.get(bill[0]).name == "William Jefferson Clinton"


def test_loading_known_speakers_keeps_their_ids() -> None:
    r = SpeakerResolver()
    r.load(
        [
            SpeakerRecord(41, "Mark A. Milley", {"Gen. Milley"}, {"general"}),
            (42, "Barack Obama", "President", ("Obama",)),
        ]
    )
    assert r.resolve("Gen. Mark Milley") == (41, False)
    assert r.resolve("Obama", title="president") == (42, False)
    new, created = r.resolve("Jane Doe")
    assert created and new == 43


def test_changed_lists_what_to_persist_once() -> None:
    r = SpeakerResolver()
    sid, _ = r.resolve("Gen. Mark A. Milley")
    assert [x.speaker_id for x in r.changed()] == [sid]
    assert r.changed() == []
    r.resolve("Mark A. Milley")
    assert r.changed() == []
    r.resolve("Chairman Milley")
    assert [x.speaker_id for x in r.changed()] == [sid]


def test_empty_name_is_an_error() -> None:
    with pytest.raises(ValueError, match="not a speaker name"):
        SpeakerResolver().resolve("  ")


# ------------------------------------------------------------------ name variants
@pytest.mark.parametrize(
    ("variants", "same"),
    [
        (["Martin Luther King Jr.", "Martin Luther King", "Martin L. King"], True),
        (["Robert Griffin III", "Robert Griffin", "Griffin"], True),
        (["Volodymyr Zelensky", "Volodymyr Zelenskyy", "Volodymyr Zelenskiy", "Zelenskyi"], True),
        (["Recep Tayyip Erdoğan", "Recep Tayyip Erdogan"], True),
        (["Jacinda Ardern", "Jacinda Arden", "Prime Minister Jacinda Ardern"], True),  # misspelt
        (["Gen. Mark A. Milley", "Mark Miley", "Milley"], True),
        (["Ann Lee", "Ann Lea"], False),  # short surnames: one letter is another person
        (["Dana Whitfield", "Lena Whitfeld"], False),  # the given name differs as well
        (["Jacinda Ardern", "Jacinda Bardern"], False),  # the first letter differs
    ],
)
def test_name_variants(variants: list[str], same: bool) -> None:
    found = set(ids(SpeakerResolver(), *variants))
    assert (len(found) == 1) is same, found


def test_invisible_characters_do_not_make_another_person() -> None:
    r = SpeakerResolver()
    a, b, c = ids(r, "Jane Sm\u200bith", "Jane Smith", "\u202aJane\u00a0Smith\u202c")
    assert a == b == c
    assert r.get(a).name == "Jane Smith"


@pytest.mark.parametrize("name", [
    "New York Post", "the Washington Post", "Reuters", "Associated Press", "AP", "I.R.S.",
    "Getty Images", "Kerry Marsh/Getty Images", "REUTERS.COM", "Many Democrats", "voters",
    "two-term PM", "Oscars 2022", "Friday", "the Times",
])
def test_outlets_credit_lines_groups_and_descriptions_are_not_persons(name: str) -> None:
    assert parse_name(name).is_body


def test_the_articles_own_outlet_is_a_body() -> None:
    assert not parse_name("Harbour Ledger").is_body
    assert parse_name("Harbour Ledger", outlet="The Harbour Ledger").is_body
    assert not parse_name("Emily Post").is_body


def test_an_outlet_never_merges_into_a_person() -> None:
    r = SpeakerResolver()
    post, pence = ids(r, "New York Post", "Mike Pence")
    assert post != pence
    assert ids(r, "Pence", "Post") == [pence, r.resolve("Post")[0]]
    assert r.resolve("Post")[0] not in (post, pence)
    assert r.get(post).is_body and not r.get(pence).is_body


def test_long_body_names_written_two_ways_are_one() -> None:
    r = SpeakerResolver()
    a, b, c = ids(r, "Academy of Motion Picture Arts and Sciences",
                  "9,900-member Academy of Motion Pictures Arts & Sciences",
                  "Academy of Motion Pictures and Sciences")
    assert a == b == c
    house, senate = ids(r, "House Intelligence Committee", "Senate Intelligence Committee")
    assert house != senate


def test_a_misspelt_surname_goes_to_the_person_the_article_names() -> None:
    r = SpeakerResolver()
    ardern, arden = r.resolve_article([("Arden", None), ("Jacinda Ardern", "prime minister")])
    assert ardern == arden
    [alone] = r.resolve_article([("Arden", None)])  # another article: no evidence
    assert alone != ardern


def test_the_full_name_absorbs_the_surname_record() -> None:
    r = SpeakerResolver()
    trump, _ = r.resolve("Trump")
    donald, created = r.resolve("Donald Trump")
    assert (donald, created) == (trump, False)
    melania, created = r.resolve("Melania Trump")
    assert created and melania != donald
    bare, created = r.resolve("Trump")
    assert created and bare not in (donald, melania)  # two Trumps now: left apart


def test_an_initial_goes_to_the_one_person_it_fits() -> None:
    r = SpeakerResolver()
    jerome, initial = ids(r, "Jerome Powell", "J. Powell")
    assert jerome == initial
    jane, _ = r.resolve("Jane Powell")
    assert r.resolve("J. Powell")[0] not in (jerome, jane)  # two J. Powells now: apart
    assert r.resolve("K. Powell")[1]  # nobody with that initial: its own record


def test_shipped_aliases_know_what_rules_cannot() -> None:
    r = SpeakerResolver()
    assert len(set(ids(r, "Xi Jinping", "President Xi", "Xi"))) == 1
    assert len(set(ids(r, "Kim Jong Un", "Kim Jong-un"))) == 1


def test_names_that_name_no_one() -> None:
    for name in ("'s", "40", "  ", "--"):
        with pytest.raises(ValueError, match="not a speaker name"):
            parse_name(name)


def test_merging_records_in_memory_follows_the_survivor() -> None:
    r = SpeakerResolver()
    bare, _ = r.resolve("Okafor")
    initial, _ = r.resolve("N. Okafor")
    assert bare != initial
    full, _ = r.resolve("Noor Okafor")  # both partials were only ever her
    assert full == bare and r.current(initial) == full
    assert [x.speaker_id for x in r.records()] == [full]


def test_mr_and_mrs_are_never_one_person() -> None:
    r = SpeakerResolver()
    mister, _ = r.resolve("Mr. Quill")
    teresa, created = r.resolve("Mrs. Teresa Quill")
    assert created and teresa != mister  # "Mr. Quill" was not her
    assert r.resolve("Ms. Quill")[0] == teresa
    daniel, _ = r.resolve("Daniel Quill", title="Mr.")
    assert r.resolve("Mr. Quill")[0] == daniel  # the one Quill a "Mr." can be
    assert r.resolve("Mrs. Quill")[0] == teresa
