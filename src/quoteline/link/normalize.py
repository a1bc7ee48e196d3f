"""Text normalization for linking: case, punctuation, quote marks and contractions fold away."""

from __future__ import annotations

import re
from functools import cache, lru_cache
from importlib import resources

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u2032": "'"})
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)*|'[a-z]+")
_ELLIPSIS = re.compile(r"\.\s*\.\s*\.|\u2026")
_QUOTED = re.compile(r"[\u201c\u201e\"]([^\u201c\u201d\u201e\"]+)[\u201d\"]")
_BRACKETS = re.compile(r"\[[^\]]*\]|\([^)]*\)")
_CAPITALIZED = re.compile(r"\b[A-Z][\w'\u2019-]+")
_SUFFIXES = ("n't", "'re", "'ve", "'ll", "'d", "'m")
_STEM_LEN = 6  # prefix stemming: cheap, language-light, good enough to match inflections


def data_lines(name: str) -> list[str]:
    """Non-blank, non-comment lines of a data file in quoteline/link/data/."""
    text = resources.files("quoteline.link").joinpath("data", name).read_text(encoding="utf-8")
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return [line for line in lines if line]


@cache
def contractions() -> dict[str, tuple[str, ...]]:
    """Contracted form -> expanded words, from data/contractions.txt."""
    table: dict[str, tuple[str, ...]] = {}
    for line in data_lines("contractions.txt"):
        form, _, expansion = line.partition("=")
        table[form.strip()] = tuple(expansion.split())
    return table


@cache
def leading_words() -> frozenset[str]:
    """Words a rendering may add or drop at its start without changing it (so, and, but)."""
    return frozenset(word for line in data_lines("leading_words.txt") for word in line.split())


def drop_brackets(text: str) -> str:
    """``text`` without editorial insertions in brackets or parentheses: "(Vladimir) Putin"."""
    return _BRACKETS.sub(" ", text)


@lru_cache(maxsize=1 << 14)
def name_words(text: str) -> frozenset[str]:
    """Normalized forms of the capitalized words of ``text`` (candidates for names)."""
    return frozenset(w for m in _CAPITALIZED.findall(text) for w in tokens(m))


@cache
def stopwords() -> frozenset[str]:
    """Function words (data/stopwords.txt) left out of content-word sets."""
    return frozenset(word for line in data_lines("stopwords.txt") for word in line.split())


def _expand(word: str, table: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    whole = table.get(word)
    if whole is not None:
        return whole
    if "'" not in word:
        return (word,)
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) > len(suffix):
            return (word[: -len(suffix)], *table[suffix])
    if word.endswith("'s") or word.startswith("'"):
        return (word.replace("'", ""),)  # possessive or clipped form: compare without the mark
    return (word,)


def tokens(text: str) -> tuple[str, ...]:
    """The normalized words of ``text``: lowercase, no punctuation, contractions expanded."""
    table = contractions()
    low = text.translate(_APOSTROPHES).lower().replace("%", " percent ")
    out: list[str] = []
    for word in _WORD.findall(low):
        out.extend(_expand(word, table))
    return tuple(out)


def quoted_words_only(text: str) -> str:
    """The quoted fragments of a mixed quote, joined by ellipses; ``text`` itself if none.

    'the proposal "the best this port has made" in years' renders only the speaker's words
    "the best this port has made": the reporter's own words around them are not the quote.
    """
    fragments = [m.group(1).strip() for m in _QUOTED.finditer(text)]
    fragments = [f for f in fragments if f]
    return " ... ".join(fragments) if fragments else text


def split_ellipses(text: str) -> list[str]:
    """``text`` cut at its ellipsis marks (``...`` or ``…``): where an excerpt skipped words."""
    return _ELLIPSIS.split(text)


def stem(word: str) -> str:
    """A crude prefix stem, so that "raise", "raised" and "raising" compare equal."""
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    return word[:_STEM_LEN]


def content_words(words: tuple[str, ...]) -> frozenset[str]:
    """Stemmed content words (no stop words) of normalized ``words``."""
    stop = stopwords()
    return frozenset(stem(w) for w in words if w not in stop)
