"""The closed sets of labels the stages pass between them, as ``Literal`` types."""

from __future__ import annotations

from typing import Literal, get_args

# What a cue verb, noun or phrase reports (column 2 of lang/en/cue_verbs.txt).
CueClass = Literal["speech", "report", "belief", "intent", "attitude", "direct"]
CUE_CLASSES: tuple[CueClass, ...] = get_args(CueClass)

# How a candidate quote was tied to its source.
How = Literal["cue", "colon", "dash", "continuation", "neighbour", "layout"]

# The gender a name, honorific or pronoun marks (column 2 of honorifics.txt, first_names.txt).
Gender = Literal["m", "f"]
GENDERS: tuple[Gender, ...] = get_args(Gender)

# Number and gender of a pronoun (column 2 of pronouns.txt).
PronounClass = Literal["m", "f", "pl", "any", "first"]
PRONOUN_CLASSES: tuple[PronounClass, ...] = get_args(PronounClass)

# How a source mention was resolved to a speaker.
Resolved = Literal["name", "surname", "pronoun", "role", "body", "unresolved"]
