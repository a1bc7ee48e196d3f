"""Word lists (data files under lang/en/) loaded once per process."""

from __future__ import annotations

import functools
from importlib import resources


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


def _grouped(name: str) -> dict[str, frozenset[str]]:
    """First column -> every second column listed with it."""
    out: dict[str, set[str]] = {}
    for head, rest in _lines(name):
        out.setdefault(head, set()).add(rest)
    return {k: frozenset(v) for k, v in out.items()}


@functools.cache
def cue_verbs() -> dict[str, str]:
    """Reporting-verb lemma -> class (speech, report, belief, intent, attitude, direct)."""
    return _mapping("cue_verbs.txt")


@functools.cache
def cue_phrases() -> dict[str, frozenset[str]]:
    """Head lemma -> particles that make a multiword cue ("make" -> {"clear", "plain"})."""
    return _grouped("cue_phrases.txt")


@functools.cache
def cue_preps() -> dict[str, frozenset[str]]:
    """Verb lemma -> prepositions whose object is the content ("call for", "warn of")."""
    return _grouped("cue_preps.txt")


@functools.cache
def honorifics() -> dict[str, str | None]:
    """Lower-cased courtesy titles and ranks -> implied gender (m/f) or None."""
    return {row[0]: (row[1] if len(row) > 1 else None) for row in _lines("honorifics.txt")}


@functools.cache
def pronouns() -> dict[str, str]:
    """Lower-cased personal pronouns -> m, f, pl or any."""
    return _mapping("pronouns.txt")


@functools.cache
def first_names() -> dict[str, str]:
    """Lower-cased first name -> the gender it usually marks (m/f)."""
    return _mapping("first_names.txt")


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
