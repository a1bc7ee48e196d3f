"""Who the article names: its people and its bodies, from the entities with their labels repaired.

The small English model often calls a club or a newspaper a person ("Manchester United",
"Leadership Newspapers"), a person an organisation ("Hugues Parant", a lone "Sood"), and takes a
headline's verb into a name ("Marcus Rashford Vows"). The speakers stage reads the entities
through this module, so a name is a person when the article treats it as one, and page chrome
("MORE NEWS: ...", "Exclusive Interview: ...") names nobody.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from quoteline.nlp.lexicon import cue_verbs, first_names, honorifics, line_labels, org_words, roles
from quoteline.nlp.sents import entities

PERSON, BODY = "PERSON", "BODY"
BODY_LABELS = {"ORG", "NORP", "GPE"}
# Labels of names that are surely no missed person ("Harbor City" a place, "Monday" a date).
KNOWN_LABELS = {"PERSON", "ORG", "NORP", "GPE", "LOC", "FAC", "DATE", "TIME", "MONEY",
                "PERCENT", "CARDINAL", "ORDINAL", "QUANTITY", "EVENT", "LANGUAGE", "LAW"}
_KEY = "quoteline.named"
LABEL_RE = re.compile(r"\s*([^:\n]{1,40}):")


@dataclass(frozen=True, slots=True)
class Named:
    """A name the article gives: its tokens and whether it is a person or a body."""

    span: Span
    kind: str  # PERSON or BODY

    @property
    def person(self) -> bool:
        """True for a person, False for an organisation, a place or a group."""
        return self.kind == PERSON


def named(doc: Doc) -> tuple[Named, ...]:
    """The people and bodies the article names, in text order (computed once per Doc)."""
    found = doc.user_data.get(_KEY)
    if found is None:
        chrome = label_lines(doc.text)
        ents = [e for e in entities(doc) if e.label_ == PERSON or e.label_ in BODY_LABELS]
        ents = sorted(ents + _missed_people(doc), key=lambda e: e.start)
        surnames = {e[-1].lower_ for e in ents if e.label_ == PERSON and len(e) > 1}
        bodies = {e.text.lower() for e in ents if e.label_ in BODY_LABELS} - surnames
        found = tuple(n for e in ents if not _in(chrome, e.start_char)
                      and (n := _repair(e, surnames, bodies)) is not None)
        doc.user_data[_KEY] = found
    return found


def _missed_people(doc: Doc) -> list[Span]:
    """Names the model left out or called something else ("Gregory Hale" as a work of art,
    "Sofia Reyes broke the record" as nothing): two or three capitalised proper nouns, no
    body's word, with a known first name or as a clause's subject."""
    out: list[Span] = []
    i = 0
    while i < len(doc):
        j = i
        while j < len(doc) and j - i < 3 and _name_word(doc[j]):
            j += 1
        if j - i >= 2 and _missed_name(doc[i:j]):
            out.append(Span(doc, i, j, label=PERSON))
        i = max(j, i + 1)
    return out


def _name_word(tok: Token) -> bool:
    return (tok.pos_ == "PROPN" and tok.is_alpha and tok.is_title
            and tok.ent_type_ not in KNOWN_LABELS and tok.lower_ not in org_words())


def _missed_name(span: Span) -> bool:
    after = span.doc[span.end] if span.end < len(span.doc) else None
    if after is not None and _name_word_any(after):
        return False  # part of a longer run of capitals: a title or a place
    subject = span.root.dep_ in {"nsubj", "nsubjpass"}
    return span[0].lower_ in first_names() or subject


def _name_word_any(tok: Token) -> bool:
    return tok.pos_ == "PROPN" and tok.is_title


def named_in(doc: Doc, start: int, end: int) -> list[Named]:
    """The names inside tokens [start, end), in text order."""
    found = named(doc)
    starts = [n.span.start for n in found]
    lo, hi = bisect.bisect_left(starts, start), bisect.bisect_left(starts, end)
    return [n for n in found[lo:hi] if n.span.end <= end]


def _repair(ent: Span, surnames: set[str], bodies: set[str]) -> Named | None:
    """The entity trimmed to its name, with the kind the article gives it: a one-word "person"
    the article elsewhere names as a body ("Chelsea") is that body."""
    span = _trim(ent)
    if span is None or _doubled(span.text):
        return None
    words = [t.lower_ for t in span]
    if ent.label_ == PERSON:
        body = any(w in org_words() for w in words) or (len(span) == 1 and words[0] in bodies)
        return Named(span, BODY if body else PERSON)
    if ent.label_ == "ORG" and _person_like(span, surnames):
        return Named(span, PERSON)
    return Named(span, BODY)


def _trim(ent: Span) -> Span | None:
    """The entity without edge words that are no part of a name: a leading "the", a headline's
    verb ("Marcus Rashford Vows"), a trailing "today"."""
    start, end = ent.start, ent.end
    doc = ent.doc
    while start < end and (doc[start].is_space or doc[start].lower_ == "the" or doc[start].is_punct):
        start += 1
    while end > start and _not_name(doc[end - 1], ent.label_):
        end -= 1
    if end <= start:
        return None
    if ent.label_ == "ORG" and end == ent.end:
        end = _coordinated(ent, end)
    return Span(doc, start, end, label=ent.label_)


def _coordinated(ent: Span, end: int) -> int:
    """"Port Authority of New York and New Jersey": a name that goes on past the entity with
    "and" and a proper noun coordinated with one of its words."""
    doc = ent.doc
    if end + 1 >= len(doc) or doc[end].lower_ not in {"and", "&"}:
        return end
    conj = next((t for t in doc[end + 1 : end + 5] if t.dep_ == "conj" and ent.start <= t.head.i < end), None)
    if conj is None or any(t.pos_ != "PROPN" for t in doc[end + 1 : conj.right_edge.i + 1]):
        return end
    return conj.right_edge.i + 1


def _doubled(text: str) -> bool:
    """"Sean DycheSean Dyche": a caption's name printed twice, glued, is no name."""
    letters = "".join(text.split())
    half = len(letters) // 2
    return len(letters) > 3 and len(letters) % 2 == 0 and letters[:half] == letters[half:]


def _not_name(tok: Token, label: str) -> bool:
    if tok.is_space or tok.is_punct or tok.text.islower():
        return True  # "Debenhams today", a stray line break
    if label != PERSON or tok.i == 0:
        return False
    return post_nominal(tok.text, tok.doc[tok.i - 1].text) or _verb_form(tok.lower_)


def post_nominal(word: str, before: str) -> bool:
    """"IPS" in "Praveen Sood IPS", "MD": letters after a name, no part of it."""
    return word.isupper() and word.isalpha() and len(word) <= 4 and before.istitle()


def _verb_form(word: str) -> bool:
    """"vows", "says": a headline's reporting verb written in capitals after a name."""
    return word.endswith("s") and (word[:-1] in cue_verbs() or word[:-2] in cue_verbs())


def _person_like(span: Span, surnames: set[str]) -> bool:
    """An ORG that is a person: a known person's surname alone ("Sood said"), or two or three
    capitalised words with a first name or after a role or title ("the prefect, Hugues Parant")."""
    words = [t for t in span if t.is_alpha]
    if not words or len(words) != len(span) or any(t.lower_ in org_words() for t in words):
        return False
    if len(words) == 1:
        return words[0].lower_ in surnames
    if len(words) > 3 or not all(t.text[0].isupper() for t in words):
        return False
    if words[0].lower_ in first_names():
        return True
    head = span.root
    before = span.doc[span.start - 1] if span.start > 0 else None
    titled = before is not None and (before.lower_ in roles() or before.lower_.rstrip(".") in honorifics())
    return titled or (head.dep_ == "appos" and head.head.lower_ in roles())


def label_lines(text: str) -> list[tuple[int, int]]:
    """[start, end) of each line that opens with a page label ("MORE NEWS: ...")."""
    out = []
    pos = 0
    for line in text.split("\n"):
        m = LABEL_RE.match(line)
        if m and " ".join(m.group(1).lower().replace("’", "'").split()) in line_labels():
            out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def _in(ranges: list[tuple[int, int]], at: int) -> bool:
    """True when char ``at`` lies in one of ``ranges``."""
    return any(s <= at < e for s, e in ranges)
