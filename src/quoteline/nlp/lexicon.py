"""Word lists (data files under lang/en/) loaded once per process."""

from __future__ import annotations

import functools
from importlib import resources


def _lines(name: str) -> list[list[str]]:
    path = resources.files("quoteline.nlp") / "lang" / "en" / name
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            rows.append(line.split("\t"))
    return rows


@functools.cache
def cue_verbs() -> dict[str, str]:
    """Reporting-verb lemma -> class (speech, report, belief, intent); first listing wins."""
    out: dict[str, str] = {}
    for row in _lines("cue_verbs.txt"):
        out.setdefault(row[0], row[1])
    return out


@functools.cache
def cue_phrases() -> dict[str, frozenset[str]]:
    """Head lemma -> particles that make a multiword cue ("make" -> {"clear", "plain"})."""
    out: dict[str, set[str]] = {}
    for head, rest in _lines("cue_phrases.txt"):
        out.setdefault(head, set()).add(rest)
    return {k: frozenset(v) for k, v in out.items()}


@functools.cache
def honorifics() -> dict[str, str | None]:
    """Lower-cased courtesy titles and ranks -> implied gender (m/f) or None."""
    return {row[0]: (row[1] if len(row) > 1 else None) for row in _lines("honorifics.txt")}


@functools.cache
def roles() -> frozenset[str]:
    """Role nouns that a description of a person can be headed by."""
    return frozenset(row[0] for row in _lines("roles.txt"))


@functools.cache
def pronouns() -> dict[str, str]:
    """Lower-cased personal pronouns -> m, f, pl or any."""
    return {row[0]: row[1] for row in _lines("pronouns.txt")}


@functools.cache
def anaphoric_times() -> tuple[str, ...]:
    """Phrases that date a statement by reference to an earlier one ("at the time")."""
    return tuple(row[0] for row in _lines("temporal.txt"))


@functools.cache
def work_cues() -> frozenset[str]:
    """Words before a quoted span that make it a title or name ("the film “...”")."""
    return frozenset(row[0] for row in _lines("work_cues.txt"))


@functools.cache
def cue_preps() -> dict[str, frozenset[str]]:
    """Verb lemma -> prepositions whose object is the content ("call for", "warn of")."""
    out: dict[str, set[str]] = {}
    for head, prep in _lines("cue_preps.txt"):
        out.setdefault(head, set()).add(prep)
    return {k: frozenset(v) for k, v in out.items()}




@functools.cache
def cue_nouns() -> frozenset[str]:
    """Nouns that carry a statement or stance ("claim", "criticism", "questions")."""
    return frozenset(row[0] for row in _lines("cue_nouns.txt"))


@functools.cache
def light_verbs() -> frozenset[str]:
    """Verbs that form a cue with a stance noun ("raise questions", "make the case")."""
    return frozenset(row[0] for row in _lines("light_verbs.txt"))


@functools.cache
def first_names() -> dict[str, str]:
    """Lower-cased first name -> the gender it usually marks (m/f)."""
    return {row[0]: row[1] for row in _lines("first_names.txt")}


@functools.cache
def body_nouns() -> frozenset[str]:
    """Nouns that refer back to a named organisation ("the company", "the club")."""
    return frozenset(row[0] for row in _lines("body_nouns.txt"))


@functools.cache
def stance_adjectives() -> frozenset[str]:
    """Adjectives that state a stance after a copula ("is critical of", "is confident that")."""
    return frozenset(row[0] for row in _lines("stance_adjectives.txt"))
