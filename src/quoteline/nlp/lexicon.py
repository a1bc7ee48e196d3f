"""Word lists (data files under lang/en/) loaded once per process."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from importlib import resources
from typing import TypeVar

from quoteline.nlp.labels import (
    CUE_CLASSES,
    GENDERS,
    PRONOUN_CLASSES,
    CueClass,
    Gender,
    PronounClass,
)

L = TypeVar("L", bound=str)


@functools.cache
def _lines(name: str) -> tuple[tuple[str, ...], ...]:
    """The tab-separated rows of a word list, without blank lines and # comments."""
    path = resources.files("quoteline.nlp") / "lang" / "en" / name
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            rows.append(tuple(line.split("\t")))
    return tuple(rows)


def _words(name: str) -> frozenset[str]:
    return frozenset(row[0] for row in _lines(name))


def _mapping(name: str) -> dict[str, str]:
    """First column -> second column; the first listing of a word wins."""
    out: dict[str, str] = {}
    for row in _lines(name):
        out.setdefault(row[0], row[1])
    return out


def _labelled(name: str, labels: Sequence[L]) -> dict[str, L]:
    """First column -> second column, which must be one of ``labels`` (a typo fails loudly)."""
    out: dict[str, L] = {}
    for word, label in _mapping(name).items():
        if label not in labels:
            raise ValueError(f"lang/en/{name}: {word!r} has label {label!r}, not one of {labels}")
        out[word] = labels[labels.index(label)]
    return out


def _ordered(name: str) -> tuple[str, ...]:
    """The first column of every row, in file order."""
    return tuple(row[0] for row in _lines(name))


def _grouped(name: str) -> dict[str, frozenset[str]]:
    """First column -> every second column listed with it."""
    out: dict[str, set[str]] = {}
    for head, rest in _lines(name):
        out.setdefault(head, set()).add(rest)
    return {k: frozenset(v) for k, v in out.items()}


@functools.cache
def cue_verbs() -> dict[str, CueClass]:
    """Reporting-verb lemma -> class (speech, report, belief, intent, attitude, direct)."""
    return _labelled("cue_verbs.txt", CUE_CLASSES)


@functools.cache
def thought_verbs() -> frozenset[str]:
    """Cue lemmas that report knowing, perceiving or feeling ("realise", "fear"), not saying."""
    return _words("thought_verbs.txt")


@functools.cache
def speaker_passives() -> frozenset[str]:
    """Cue lemmas whose passive subject is the speaker ("was quoted as saying")."""
    return _words("speaker_passives.txt")


@functools.cache
def wh_words() -> frozenset[str]:
    """Words that open an indirect question ("why", "whether"): a topic, not a statement."""
    return _words("wh_words.txt")


@functools.cache
def org_words() -> frozenset[str]:
    """Words that make a name an organisation's ("United", "Newspapers", "Police")."""
    return _words("org_words.txt")


@functools.cache
def indefinites() -> frozenset[str]:
    """Determiners that introduce someone new ("a spokeswoman", "another official")."""
    return _words("indefinites.txt")


@functools.cache
def role_synonyms() -> dict[str, str]:
    """Role words and abbreviations -> the role they name ("ceo" -> "executive")."""
    return _mapping("role_synonyms.txt")


def role_key(word: str) -> str:
    """The role a role word names, for matching "the chief executive" to "CEO Lino Saputo"."""
    word = word.lower().rstrip(".")
    return role_synonyms().get(word, word)


@functools.cache
def body_pronouns() -> frozenset[str]:
    """Pronouns that refer back to a body that spoke ("it added")."""
    return _words("body_pronouns.txt")


@functools.cache
def document_nouns() -> frozenset[str]:
    """Nouns for what a person or body issues ("statement", "release", "message")."""
    return _words("document_nouns.txt")


@functools.cache
def issue_verbs() -> frozenset[str]:
    """Verbs whose subject issues a document ("issued a statement", "released a report")."""
    return _words("issue_verbs.txt")


@functools.cache
def body_fits() -> dict[str, frozenset[str]]:
    """Body noun -> words in a name that fit it ("agency" -> "authority", "department", ...)."""
    return _grouped("body_fits.txt")


@functools.cache
def event_nouns() -> frozenset[str]:
    """Events whose end a statement can follow ("after the final whistle", "after the game")."""
    return _words("event_nouns.txt")


@functools.cache
def cue_phrases() -> dict[str, frozenset[str]]:
    """Head lemma -> particles that make a multiword cue ("make" -> {"clear", "plain"})."""
    return _grouped("cue_phrases.txt")


@functools.cache
def cue_preps() -> dict[str, frozenset[str]]:
    """Verb lemma -> prepositions whose object is the content ("call for", "warn of")."""
    return _grouped("cue_preps.txt")


@functools.cache
def honorifics() -> dict[str, Gender | None]:
    """Lower-cased courtesy titles and ranks -> implied gender (m/f) or None."""
    out: dict[str, Gender | None] = {}
    for row in _lines("honorifics.txt"):
        gender = row[1] if len(row) > 1 else None
        if gender is not None and gender not in GENDERS:
            raise ValueError(f"lang/en/honorifics.txt: {row[0]!r} has gender {gender!r}")
        out[row[0]] = GENDERS[GENDERS.index(gender)] if gender is not None else None
    return out


@functools.cache
def pronouns() -> dict[str, PronounClass]:
    """Lower-cased personal pronouns -> m, f, pl or any."""
    return _labelled("pronouns.txt", PRONOUN_CLASSES)


@functools.cache
def first_names() -> dict[str, Gender]:
    """Lower-cased first name -> the gender it usually marks (m/f)."""
    return _labelled("first_names.txt", GENDERS)


@functools.cache
def anaphoric_times() -> tuple[str, ...]:
    """Phrases that date a statement by reference to an earlier one ("at the time")."""
    return tuple(row[0] for row in _lines("temporal.txt"))


@functools.cache
def roles() -> frozenset[str]:
    """Role nouns that a description of a person can be headed by."""
    return _words("roles.txt")


@functools.cache
def work_cues() -> frozenset[str]:
    """Words before a quoted span that make it a title or name ("the film “...”")."""
    return _words("work_cues.txt")


@functools.cache
def cue_nouns() -> frozenset[str]:
    """Nouns that carry a statement or stance ("claim", "criticism", "questions")."""
    return _words("cue_nouns.txt")


@functools.cache
def light_verbs() -> frozenset[str]:
    """Verbs that form a cue with a stance noun ("raise questions", "make the case")."""
    return _words("light_verbs.txt")


@functools.cache
def body_nouns() -> frozenset[str]:
    """Nouns that refer back to a named organisation ("the company", "the club")."""
    return _words("body_nouns.txt")


@functools.cache
def stance_adjectives() -> frozenset[str]:
    """Adjectives that state a stance after a copula ("is critical of", "is confident that")."""
    return _words("stance_adjectives.txt")


@functools.cache
def lemma_fixes() -> dict[str, str]:
    """Lower-cased word forms the model lemmatizes wrongly ("hoping" -> "hop") -> their lemma."""
    return _mapping("lemma_fixes.txt")


@functools.cache
def hearsay_adverbs() -> frozenset[str]:
    """Adverbs that attribute their whole clause to an unnamed source ("X reportedly did Y")."""
    return _words("hearsay_adverbs.txt")


@functools.cache
def clause_only() -> frozenset[str]:
    """Cue verbs whose content must be a clause: with a noun object they mean something else."""
    return _words("clause_only.txt")


@functools.cache
def line_labels() -> frozenset[str]:
    """Labels that open a line with a colon but name no speaker ("correction", "editor's note")."""
    return _words("line_labels.txt")


@functools.cache
def relative_pronouns() -> frozenset[str]:
    """Relative pronouns whose mention stands for the noun their clause hangs from."""
    return _words("relative_pronouns.txt")


@functools.cache
def object_preps() -> frozenset[str]:
    """Prepositions whose object is what a stance verb is about ("seen as", "warned of")."""
    return _words("object_preps.txt")


@functools.cache
def circumstance_preps() -> frozenset[str]:
    """Prepositions that open a circumstance after a stance verb's object ("during a rally")."""
    return _words("circumstance_preps.txt")


@functools.cache
def circumstance_marks() -> frozenset[str]:
    """Subordinators that make a speech verb's clause a circumstance ("when commenting on")."""
    return _words("circumstance_marks.txt")


@functools.cache
def ask_verbs() -> frozenset[str]:
    """Verbs of asking whose question follows as an if/whether clause."""
    return _words("ask_verbs.txt")


@functools.cache
def question_marks() -> frozenset[str]:
    """Subordinators that open an indirect question ("if", "whether")."""
    return _words("question_marks.txt")


@functools.cache
def addressee_verbs() -> frozenset[str]:
    """Cue verbs whose noun object is the person addressed ("told her")."""
    return _words("addressee_verbs.txt")


@functools.cache
def nonhuman_subjects() -> frozenset[str]:
    """Subjects that name no one ("it", "there", "this")."""
    return _words("nonhuman_subjects.txt")


@functools.cache
def anaphoric_objects() -> frozenset[str]:
    """Pronoun objects that point back rather than state anything ("welcomed it")."""
    return _words("anaphoric_objects.txt")


@functools.cache
def demonstratives() -> frozenset[str]:
    """Demonstrative determiners ("that position")."""
    return _words("demonstratives.txt")


@functools.cache
def content_preps() -> frozenset[str]:
    """Prepositions whose object is the content of a stance noun or adjective."""
    return _words("content_preps.txt")


@functools.cache
def determiners() -> frozenset[str]:
    """Determiners dropped from the front of a description or title."""
    return _words("determiners.txt")


@functools.cache
def possessive_endings() -> tuple[str, ...]:
    """Possessive endings stripped from a name, in the order they are tried."""
    return _ordered("possessive_endings.txt")


@functools.cache
def one_word_objects() -> frozenset[str]:
    """Object pronouns that make a one-word report a statement ("praised him")."""
    return _words("one_word_objects.txt")


@functools.cache
def person_subjects() -> frozenset[str]:
    """Subject pronouns that stand for a person ("he", "she")."""
    return _words("person_subjects.txt")


@functools.cache
def weekdays() -> dict[str, int]:
    """Weekday name -> number (Monday is 0)."""
    return {name: i for i, name in enumerate(_ordered("weekdays.txt"))}


@functools.cache
def months() -> dict[str, int]:
    """Month name or abbreviation -> month number."""
    return {name: int(number) for name, number in _mapping("months.txt").items()}


@functools.cache
def same_day() -> frozenset[str]:
    """Words that date a statement to the day of publication ("today")."""
    return _words("same_day.txt")


@functools.cache
def day_parts() -> frozenset[str]:
    """Parts of a day that, after "this", mean the day of publication ("this morning")."""
    return _words("day_parts.txt")


@functools.cache
def past_markers() -> frozenset[str]:
    """Words that put a following weekday strictly in the past ("last Wednesday")."""
    return _words("past_markers.txt")


@functools.cache
def weekday_openers() -> frozenset[str]:
    """Words before a weekday that belong to its date phrase ("on", "last", "this")."""
    return _words("weekday_openers.txt")
