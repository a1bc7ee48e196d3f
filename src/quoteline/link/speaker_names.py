"""Speaker names taken apart for matching: clean forms, titles, name parts and lookup keys.

Everything here is a pure function of the name (and of the article's outlet), so a name maps
to the same keys in every run, whatever the store already holds. The keys are what the
corpus speaker index (``quoteline.link.speakers``) files records under and looks names up by:

``p:`` given name | surname · ``s:`` a surname held by a
fully named person · ``i:`` initial | surname of such a person · ``f:`` given name | surname
less one letter (one-letter misspellings) · ``b:`` a surname-only record · ``j:`` an
initial-and-surname record · ``o:`` an organisation or other body.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from quoteline.link.normalize import data_lines

_PUNCT = re.compile(r"[^\w\s'-]+")
_SPACE = re.compile(r"\s+")
_ACRONYM = re.compile(r"^(?:[A-Z]\.){2,6}$|^[A-Z]{2,4}$")
MAX_OFFICE_WORDS = 3  # "Deputy Foreign Affairs Minister": office words before a title
PARSE_CACHE = 20_000  # names parsed lately, kept (a bounded cache: names repeat a lot)
MAX_PERSON_WORDS = 5  # a longer "name" is a description or a body
MIN_FUZZY_SURNAME = 5  # "Miley"/"Milley": shorter surnames differ by one letter too often
MIN_FUZZY_BODY_WORDS = 3  # only long body names may match when written differently
BODY_SIMILARITY = 93.0  # rapidfuzz ratio: "Academy of Motion Pictures and Sciences" matches
# "... Picture Arts and Sciences", "House Intelligence Committee" never "Senate ..." (88)
_BODY_GLUE = frozenset({"of", "and", "the", "for"})
_DOMAIN = re.compile(r"\w\.(?:com|org|net|gov|edu|co|io|news|info|uk|nz|au|ca)\b", re.I)

PERSON, INITIAL, SURNAME, BODY = "person", "initial", "surname", "body"


@dataclass(frozen=True, slots=True)
class ParsedName:
    """A speaker name taken apart: matching key parts (folded), titles found, display form."""

    display: str
    surname: str
    given: str | None = None
    titles: tuple[str, ...] = ()
    is_body: bool = False

    @property
    def kind(self) -> str:
        """person (given name and surname), initial ("J. Powell"), surname, or body."""
        if self.is_body:
            return BODY
        if self.given is None:
            return SURNAME
        return INITIAL if len(self.given) == 1 else PERSON


def _visible(ch: str) -> bool:
    """False for format characters (zero-width, bidi controls) and other controls."""
    return unicodedata.category(ch) not in ("Cf", "Cc") or ch in "\t\n\r"


def clean(name: str) -> str:
    """A name as shown: zero-width and bidi controls removed, spaces collapsed."""
    text = "".join(ch for ch in name if unicodedata.category(ch) != "Cf")
    return _SPACE.sub(" ", text).strip()


def norm(name: str) -> str:
    """A lookup form of a name: NFKC, no zero-width, bidi or other control characters,
    lowercase, no punctuation but hyphens and apostrophes."""
    text = "".join(ch for ch in unicodedata.normalize("NFKC", name) if _visible(ch))
    text = text.replace("\u2019", "'").casefold()
    return _SPACE.sub(" ", _PUNCT.sub(" ", text)).strip(" '-")


def match_key(name: str) -> str:
    """``norm`` without diacritics: the key the store's name indexes and searches use."""
    decomposed = unicodedata.normalize("NFKD", norm(name))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@cache
def _translit_rules() -> tuple[tuple[re.Pattern[str], str], ...]:
    rules = []
    for line in data_lines("transliteration.txt"):
        pattern, _, repl = line.rpartition(" = ")
        rules.append((re.compile(pattern.strip()), repl.strip()))
    return tuple(rules)


@lru_cache(maxsize=PARSE_CACHE)
def fold(word: str) -> str:
    """One name word in its matching form: no diacritics, transliteration variants folded."""
    out = match_key(word)
    for pattern, repl in _translit_rules():
        out = pattern.sub(repl, out)
    return out


def _variants(line: str) -> tuple[str, list[str]]:
    head, _, tail = line.partition("=")
    return norm(head), [norm(v) for v in tail.split(";") if norm(v)]


@cache
def titles() -> dict[str, str]:
    """Title variant (normalized) -> canonical title, from data/titles.txt."""
    table: dict[str, str] = {}
    for line in data_lines("titles.txt"):
        canonical, variants = _variants(line)
        for variant in [canonical, *variants]:
            table[variant] = canonical
    return table


@cache
def words(name: str) -> frozenset[str]:
    """The words of a data file (whitespace-separated, any number a line)."""
    return frozenset(w for line in data_lines(name) for w in line.split())


@cache
def outlets() -> frozenset[str]:
    """Known news outlets and wire services (normalized), from data/outlets.txt."""
    return frozenset(_no_the(norm(line)) for line in data_lines("outlets.txt"))


def _no_the(text: str) -> str:
    return text[4:] if text.startswith("the ") else text


@cache
def _longest_title() -> int:
    return max(len(t.split()) for t in titles())


def _strip_titles(tokens: list[str]) -> tuple[list[str], list[str]]:
    table, found, longest = titles(), [], _longest_title()
    tokens = _drop_office(tokens, table)
    while len(tokens) > 1:
        for n in range(min(longest, len(tokens) - 1), 0, -1):
            title = table.get(" ".join(tokens[:n]))
            if title is not None:
                found.append(title)
                tokens = tokens[n:]
                break
        else:
            break
    return tokens, found


def _drop_office(tokens: list[str], table: dict[str, str]) -> list[str]:
    """Drop the words naming an office before its title: "Commerce Secretary X" -> "Secretary X"."""
    for i in range(1, min(MAX_OFFICE_WORDS + 1, len(tokens) - 2)):
        if tokens[i] in table and tokens[0] not in table:
            return tokens[i:]
    return tokens


def is_outlet(tokens: list[str], had_the: bool, outlet: str | None = None) -> bool:
    """Whether normalized name words name a news outlet or a credit line, not a person."""
    text = " ".join(tokens)
    if text in outlets() or (outlet is not None and text == _no_the(norm(outlet))):
        return True
    heads = words("outlet_words.txt")
    # "The Denver Post", "South China Morning Post", "the Times"; "Emily Post" stays a person.
    return tokens[-1] in heads and (had_the or len(tokens) != 2)


def _not_a_person(rest: list[str], display: str, name: str, had_the: bool,
                  outlet: str | None) -> bool:
    """A body, a group, an outlet, a credit line or a description: never merged into a person."""
    first = next((ch for ch in display if ch.isalpha()), "")
    lower = first.islower() and rest[0].split("-")[0] not in words("name_particles.txt")
    return (len(rest) > MAX_PERSON_WORDS or rest[0] in words("group_words.txt")
            or any(w in words("body_words.txt") for w in rest)
            or lower  # "voters", "two-term PM": a description, not a name
            or any(ch.isdigit() for ch in display)  # "Oscars 2022", "9,900-member Academy"
            or _DOMAIN.search(name) is not None  # "REUTERS.COM"
            or is_outlet(rest, had_the, outlet))


@lru_cache(maxsize=PARSE_CACHE)
def parse_name(name: str, outlet: str | None = None) -> ParsedName:
    """Split a speaker name into titles, given name and surname (middle initials dropped).

    ``outlet``: the article's outlet, so that its name (a credit line) is never a person.
    """
    tokens = norm(name).split()
    had_the = bool(tokens) and tokens[0] == "the"
    if had_the:
        tokens = tokens[1:]
    if sum(ch.isalpha() for ch in "".join(tokens)) < 2:
        raise ValueError(f"not a speaker name: {name!r}")
    rest, found = _strip_titles(tokens)
    display = _display(name, len(tokens) - len(rest))
    if _ACRONYM.match(display):  # "I.R.S.", "U.N.", "FBI": a body
        return ParsedName(display, "".join(rest), None, tuple(found), is_body=True)
    if _not_a_person(rest, display, name, had_the, outlet):
        return ParsedName(display, body_key(rest), None, tuple(found), is_body=True)
    return _person(display, [fold(w) for w in rest], tuple(found))


def _person(display: str, rest: list[str], found: tuple[str, ...]) -> ParsedName:
    while len(rest) > 1 and rest[-1] in words("name_suffixes.txt"):
        rest = rest[:-1]
    core = [w for i, w in enumerate(rest) if i in (0, len(rest) - 1) or len(w) > 1]
    cut = len(core) - 1
    while cut > 1 and core[cut - 1] in words("name_particles.txt"):
        cut -= 1
    surname = " ".join(core[cut:]) if len(core) > 1 else core[0]
    given = core[0] if len(core) > 1 else None
    return ParsedName(display, surname, given, found)


def body_key(tokens: list[str]) -> str:
    """The matching form of a body's name: leading numbers, "of", "and" and "&" left out,
    plural -s folded ("9,900-member Academy of Motion Pictures Arts & Sciences")."""
    while len(tokens) > 2 and any(ch.isdigit() for ch in tokens[0]):  # "63 percent" stays
        tokens = tokens[1:]
    out = []
    for w in tokens:
        if w in _BODY_GLUE and len(tokens) > 1:
            continue
        w = fold(w)
        out.append(w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w)
    return " ".join(out) or " ".join(tokens)


def body_prefix(key: str) -> str | None:
    """The ``o1:`` key of a body name of three words or more (for one-word-off variants)."""
    parts = key.split()
    return "o1:" + parts[0] if len(parts) >= MIN_FUZZY_BODY_WORDS else None


def same_body(a: str, b: str) -> bool:
    """Whether two long body keys are one name written two ways (one word or letters off)."""
    from rapidfuzz import fuzz

    if min(len(a.split()), len(b.split())) < MIN_FUZZY_BODY_WORDS:
        return False
    return a.split()[0] == b.split()[0] and fuzz.ratio(a, b) >= BODY_SIMILARITY


def _display(name: str, dropped: int) -> str:
    """``name`` as written (cleaned), less its first ``dropped`` normalized words (titles)."""
    tokens = clean(name).replace("\u2019", "'").split(" ")
    if tokens and tokens[0].lower() == "the":
        tokens = tokens[1:]
    count = 0
    while tokens and count < dropped:
        count += len(norm(tokens[0]).split())
        tokens = tokens[1:]
    return " ".join(tokens).strip(" ,") or clean(name)


def canonical_title(title: str | None) -> str | None:
    """A title in its canonical form ("Gen." -> "general"), or its normalized text."""
    if not title or not norm(title):
        return None
    text = norm(title)
    text = text[4:] if text.startswith("the ") else text
    return titles().get(text, text)


@cache
def _genders() -> dict[str, str]:
    return {norm(t): g.strip() for t, _, g in (line.partition("=")
                                               for line in data_lines("gendered_titles.txt"))}


def titles_agree(a: set[str], b: set[str]) -> bool:
    """Whether two sets of canonical titles can belong to one person ("Mr." vs "Mrs." can't)."""
    table = _genders()
    ga, gb = {table[t] for t in a if t in table}, {table[t] for t in b if t in table}
    return not (ga and gb and ga.isdisjoint(gb))


def read_alias_file(path: Path) -> dict[str, str]:
    """Alias (normalized) -> canonical name, from lines ``canonical name = alias; alias``."""
    return alias_table(path.read_text(encoding="utf-8").splitlines())


def alias_table(lines: list[str]) -> dict[str, str]:
    """Alias (normalized) -> canonical name, from ``canonical name = alias; alias`` lines."""
    table: dict[str, str] = {}
    for raw in lines:
        line = raw.split("#", 1)[0].strip()
        if "=" not in line:
            continue
        head = clean(line.partition("=")[0])
        for variant in _variants(line)[1]:
            table[variant] = head
    return table


@cache
def default_aliases() -> dict[str, str]:
    """The aliases shipped in data/aliases.txt (what rules cannot know)."""
    return alias_table(data_lines("aliases.txt"))


# ------------------------------------------------------------------ keys
def deletions(word: str) -> list[str]:
    """``word`` less one letter, every way: two words one edit apart share one of these."""
    return [word[:i] + word[i + 1:] for i in range(len(word))]


def fuzzy_keys(p: ParsedName) -> set[str]:
    """``f:`` keys of a fully named person (a long enough surname only)."""
    if p.kind != PERSON or len(p.surname) < MIN_FUZZY_SURNAME:
        return set()
    return {f"f:{p.given}|{d}" for d in [p.surname, *deletions(p.surname)]}


def record_keys(p: ParsedName) -> set[str]:
    """The keys a new record for ``p`` is filed under."""
    if p.kind == BODY:
        return {k for k in ("o:" + p.surname, body_prefix(p.surname)) if k}
    if p.kind == SURNAME:
        return {"b:" + p.surname}
    initial = f"{(p.given or '?')[0]}|{p.surname}"
    if p.kind == INITIAL:
        return {"j:" + initial}
    return {f"p:{p.given}|{p.surname}", "s:" + p.surname, "i:" + initial, *fuzzy_keys(p)}


def lookup_keys(p: ParsedName) -> set[str]:
    """Every key resolving ``p`` may read."""
    if p.kind == BODY:
        return record_keys(p)
    if p.kind == SURNAME:
        return {"s:" + p.surname, "b:" + p.surname}
    initial = f"{(p.given or '?')[0]}|{p.surname}"
    if p.kind == INITIAL:
        return {"i:" + initial, "j:" + initial}
    return record_keys(p) | {"b:" + p.surname, "j:" + initial}


def lock_keys(p: ParsedName) -> set[str]:
    """Keys whose records resolving ``p`` may create or change: one writer at a time each."""
    if p.kind == BODY:
        return {"o1:" + p.surname.split(" ")[0]}
    keys = {"s:" + p.surname}
    if p.kind == PERSON:
        keys.add(f"f:{p.given}|{p.surname[0]}")  # misspellings keep the first letter
    return keys


def one_letter_apart(a: str, b: str) -> bool:
    """Whether two surnames differ by one letter (or two swapped), first letters equal."""
    from rapidfuzz.distance import DamerauLevenshtein

    if a == b or a[:1] != b[:1] or min(len(a), len(b)) < MIN_FUZZY_SURNAME:
        return False
    return DamerauLevenshtein.distance(a, b, score_cutoff=1) <= 1
