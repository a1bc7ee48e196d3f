"""The speakers stage: resolve a source mention to the person or body it names, across the article.

Rule-based coreference for attribution: full name <-> surname <-> honorific ("Gen. Milley"),
pronouns to the most salient compatible speaker, descriptions ("the top US general") to the
person the article introduces with that role (before or after), and titles from the words
around a name ("Defense Secretary Lloyd Austin", "Lloyd Austin, the defense secretary").
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from quoteline.nlp.bodies import Bodies
from quoteline.nlp.labels import Gender, Resolved
from quoteline.nlp.lexicon import (
    determiners,
    first_names,
    honorifics,
    indefinites,
    possessive_endings,
    pronouns,
    relative_pronouns,
    role_key,
    roles,
)
from quoteline.nlp.mentions import named, named_in, post_nominal
from quoteline.nlp.options import ExtractOptions
from quoteline.nlp.sents import sentence

NAME_LABELS = {"PERSON"}
BODY_LABELS = {"ORG", "NORP", "GPE"}
TITLE_POS = {"PROPN", "NOUN", "ADJ", "ADP", "DET", "CCONJ", "PART"}


@dataclass(slots=True)
class Person:
    """A person the article names, with what it says about them."""

    name: str
    surname: str
    title: str | None = None
    roles: set[str] = field(default_factory=set)
    gender: Gender | None = None
    first: int = 0  # char offset of the first mention
    mentions: list[int] = field(default_factory=list)  # char offsets of name mentions, sorted
    subject_mentions: list[int] = field(default_factory=list)  # ... as subjects, sorted

    def add_mention(self, at: int, subject: bool) -> None:
        """Record a mention at char ``at`` (kept sorted, so lookups are bisects)."""
        bisect.insort(self.mentions, at)
        if subject:
            self.add_subject(at)

    def add_subject(self, at: int) -> None:
        """Record a mention as a clause's subject ("she said" keeps her salient)."""
        bisect.insort(self.subject_mentions, at)

    def last_subject_before(self, at: int) -> int | None:
        """The latest subject mention before char ``at``."""
        k = bisect.bisect_left(self.subject_mentions, at)
        return self.subject_mentions[k - 1] if k else None

    def last_mention_before(self, at: int) -> int | None:
        """The latest mention before char ``at``."""
        k = bisect.bisect_left(self.mentions, at)
        return self.mentions[k - 1] if k else None

    def distance(self, at: int) -> int:
        """Chars from ``at`` to the nearest mention."""
        k = bisect.bisect_left(self.mentions, at)
        near = self.mentions[max(0, k - 1) : k + 1]
        return min(abs(m - at) for m in near)


@dataclass(frozen=True, slots=True)
class Resolution:
    """Who a source mention is: canonical speaker, title, and how it was found."""

    speaker: str | None
    title: str | None
    how: Resolved
    person: Person | None = None


def clean_name(text: str) -> str:
    """A name without leading honorifics, trailing possessive, or stray punctuation."""
    words = text.replace("\n", " ").split()
    titles = honorifics()
    role_words = roles()
    while len(words) > 1 and (words[0].lower() in titles or words[0].lower().rstrip(".") in role_words):
        words = words[1:]
    while len(words) > 2 and post_nominal(words[-1], words[-2]):
        words = words[:-1]  # "Praveen Sood IPS", "Muntu Davis MD"
    name = " ".join(words).strip(" ,;:—–-\"“”‘’")
    for p in possessive_endings():
        if name.endswith(p):
            name = name[: -len(p)]
    return name.strip()


class SpeakerIndex:
    """The people an article names, built once per Doc, and mention resolution over them."""

    def __init__(self, doc: Doc, opts: ExtractOptions | None = None) -> None:
        self.doc = doc
        self.opts = opts or ExtractOptions()
        self.people: list[Person] = []
        self._by_surname: dict[str, list[Person]] = {}
        self.bodies = Bodies(doc, self.opts)
        for n in named(doc):
            if n.person:
                self._add_mention(n.span)

    # ------------------------------------------------------------ building
    def _add_mention(self, ent: Span) -> None:
        name = clean_name(ent.text)
        words = name.split()
        if not words or not any(w[:1].isupper() for w in words):
            return
        person = self._match(words, ent.start_char)
        if person is None:
            gender = first_names().get(words[0].lower()) if len(words) > 1 else None
            person = Person(name=name, surname=words[-1], first=ent.start_char, gender=gender)
            self.people.append(person)
            self._by_surname.setdefault(words[-1].lower(), []).append(person)
        elif len(words) > len(person.name.split()):
            person.name = name  # the fullest form is canonical
        person.add_mention(ent.start_char, _is_subject(ent))
        self._add_context(person, ent)

    def _match(self, words: list[str], at: int, gender: Gender | None = None) -> Person | None:
        """The known person a name refers to: same surname (and compatible first name). A lone
        surname that two people share is nobody in particular, unless a title's gender (or
        nearness, while the article is still being read) tells them apart."""
        cands = self._by_surname.get(words[-1].lower(), [])
        if len(words) == 1 and not cands:
            cands = [p for p in self.people if p.name.split()[0].lower() == words[0].lower()]
        if len(words) > 1:
            cands = [p for p in cands if _first_compatible(p.name.split(), words)]
        if len(cands) > 1 and gender is not None:
            cands = [p for p in cands if p.gender in (None, gender)] or cands
        return cands[-1] if cands else None

    def _add_context(self, person: Person, ent: Span) -> None:
        title, role_words, gender = _title_before(ent)
        appos = _appositive_title(ent)
        title = title or appos
        if title and person.title is None:
            person.title = title
        person.roles.update(role_words)
        if appos:
            person.roles.update(w.lower().rstrip(".") for w in appos.split())
        honor = self.doc[ent.start - 1].lower_ if ent.start > 0 else ""
        gender = gender or honorifics().get(honor)
        if gender and person.gender is None:
            person.gender = gender

    # ------------------------------------------------------------ resolving
    def resolve(self, start: int, end: int, salient: list[Person]) -> Resolution:
        """Resolve the source mention doc[start:end]; ``salient`` lists recent speakers, newest last."""
        span = self.doc[start:end]
        res = self._resolve(span, salient)
        if res.how == "body" and res.speaker is not None:
            self.bodies.spoke(span.start_char, res.speaker)  # "it added" refers back to it
        return res

    def _resolve(self, span: Span, salient: list[Person]) -> Resolution:
        names = [n.span for n in named_in(self.doc, span.start, span.end)
                 if n.person and _heads(n.span, span)]
        if names:
            return self._by_name(names[-1])
        appos = self._appositive_name(span)
        if appos is not None:  # "Veltrix's chief executive, Robert Whitfield, said"
            return self._by_name(appos)
        first = _word(span[0])
        if len(span) == 1 and first in relative_pronouns() and span[0].head.dep_ == "relcl":
            noun = span[0].head.head  # "Marsh, who said ...": the clause's antecedent
            return self._resolve(self.doc[noun.left_edge.i : noun.i + 1], salient)
        if len(span) == 1 and first in pronouns():
            return self._by_pronoun(span[0], salient)
        if len(span) == 1 and first in self.bodies.pronouns():
            return Resolution(self.bodies.last_spoke(span.start_char), None, "unresolved")
        if self.bodies.is_document(span):  # "Messages sent by Matt Hancock", "the statement"
            writer = self.bodies.writer(span)
            if writer is None:
                return Resolution(None, None, "unresolved")
            return self._resolve(self.doc[writer[0] : writer[1]], salient)
        return self._by_role(span) or self._by_body(span) or self._propn_name(span) or \
            Resolution(_proper(span), None, "body")

    def _by_name(self, ent: Span) -> Resolution:
        words = clean_name(ent.text).split()
        honor = self.doc[ent.start - 1].lower_ if ent.start > 0 else ""
        gender = honorifics().get(honor) or honorifics().get(ent[0].lower_)
        person = self._match(words, ent.start_char, gender) if words else None
        if person is None:
            return Resolution(clean_name(ent.text) or None, None, "unresolved")
        how: Resolved = "name" if len(words) > 1 else "surname"
        return Resolution(person.name, person.title, how, person)

    def _propn_name(self, span: Span) -> Resolution | None:
        """A capitalised name the NER missed: a known surname, or a titled name to remember."""
        if span.root.pos_ != "PROPN" or any(t.pos_ not in {"PROPN", "PUNCT"} for t in span):
            return None
        cands = self._by_surname.get(span.root.text.lower(), [])
        if cands:
            return Resolution(cands[-1].name, cands[-1].title, "surname", cands[-1])
        name = clean_name(span.text)
        lone = len(name.split()) < 2 and name == span.text.strip()
        # A lone capitalised subject the NER missed ("Calabrese told ...") is a surname;
        # a bare "Reuters" is a body.
        if lone and (span.root.ent_type_ in BODY_LABELS or span.root.dep_ not in {"nsubj", "nsubjpass"}):
            return None
        title = span.text[: span.text.find(name)].strip() or None if name in span.text else None
        person = Person(name=name, surname=name.split()[-1], title=title, first=span.start_char)
        person.add_mention(span.start_char, subject=True)
        if title:
            person.roles.update(w.lower().rstrip(".") for w in title.split())
        self.people.append(person)
        self._by_surname.setdefault(person.surname.lower(), []).append(person)
        return Resolution(person.name, person.title, "name", person)

    def _by_pronoun(self, tok: Token, salient: list[Person]) -> Resolution:
        """he/she: the latest compatible subject before it, else the latest speaker or mention."""
        want = pronouns()[_word(tok)]
        if want not in {"m", "f", "any"}:
            return Resolution(None, None, "unresolved")
        ok = [p for p in self.people if want == "any" or p.gender in (None, want)]
        near = _latest(ok, tok.idx, subjects=True)
        if near is not None and near[0] > tok.idx - self.opts.pronoun_reach:
            return Resolution(near[1].name, near[1].title, "pronoun", near[1])
        for person in reversed(salient):
            if person in ok:
                return Resolution(person.name, person.title, "pronoun", person)
        before = _latest(ok, tok.idx, subjects=False)
        if before is not None:
            return Resolution(before[1].name, before[1].title, "pronoun", before[1])
        return Resolution(None, None, "unresolved")

    def _by_body(self, span: Span) -> Resolution | None:
        """"the company said", "DPH says", "the Meteo France weather service said": the body
        the article names (see ``Bodies``)."""
        name = self.bodies.resolve(span)
        return Resolution(name, None, "body") if name is not None else None

    def _by_role(self, span: Span) -> Resolution | None:
        """"the top US general" -> the person introduced as a general (nearest first); "a
        spokeswoman" or a role nobody has is someone the article does not name."""
        head = span.root
        if head.pos_ not in {"NOUN", "PROPN"} or head.lower_ not in roles():
            return None
        if any(n.person for n in named_in(self.doc, span.start, span.end)):
            return None
        if span[0].lower_ in indefinites():
            return Resolution(None, None, "role")  # someone new, and unnamed
        at = span.start_char
        want = role_key(head.lower_)
        cands = [p for p in self.people if want in {role_key(r) for r in p.roles}]
        if not cands:
            return Resolution(None, None, "role")
        best = min(cands, key=lambda p: p.distance(at))  # the first of equals, as in text order
        return Resolution(best.name, best.title, "role", best)

    def _appositive_name(self, span: Span) -> Span | None:
        """The name in apposition to a mention's head ("the club's president, Giulia Ferraro")."""
        for child in span.root.children:
            if child.dep_ == "appos" and child.i >= span.end:
                found = named_in(self.doc, child.left_edge.i, child.right_edge.i + 1)
                people = [n.span for n in found if n.person and n.span.start <= child.i < n.span.end]
                if people:
                    return people[0]
        return None


def _first_compatible(known: list[str], words: list[str]) -> bool:
    """"Mark Milley" ~ "Mark A. Milley" ~ "M. Milley"; not "Michelle Obama" ~ "Barack Obama"."""
    a, b = known[0].lower().rstrip("."), words[0].lower().rstrip(".")
    if len(known) == 1 or len(words) == 1:
        return True
    return a == b or (len(a) == 1 and b.startswith(a)) or (len(b) == 1 and a.startswith(b))


def _title_before(ent: Span) -> tuple[str | None, set[str], Gender | None]:
    """Title, role words and gender from the words before a name ("Defense Secretary Lloyd
    Austin"); trailing ranks and courtesy titles count as roles but leave the title."""
    doc = ent.doc
    i = ent.start - 1
    sent_start = sentence(ent[0]).start
    while i >= sent_start and doc[i].pos_ in TITLE_POS and doc[i].text not in {",", "“", "”"}:
        if doc[i].pos_ == "ADP" and doc[i].lower_ != "of":
            break
        if doc[i].pos_ in {"DET", "CCONJ", "PART"} and doc[i].lower_ not in {"the", "of"}:
            break
        i -= 1
    words = [t for t in doc[i + 1 : ent.start]]
    role_words = {t.lower_.rstrip(".") for t in words} & (roles() | set(honorifics()))
    gender: Gender | None = None
    hon = honorifics()
    while words and (words[-1].lower_ in hon or words[-1].lower_.rstrip(".") in hon):
        gender = gender or hon.get(words[-1].lower_)
        words = words[:-1]
    while words and (words[0].lower_ in determiners() or words[0].pos_ in {"ADP", "CCONJ", "PART"}):
        words = words[1:]
    if not words or not any(w.lower_.rstrip(".") in roles() for w in words):
        return None, role_words, gender
    return doc[words[0].i : words[-1].i + 1].text, role_words, gender


def _appositive_title(ent: Span) -> str | None:
    """"Lloyd Austin, the defense secretary," -> "defense secretary"."""
    for child in ent.root.children:
        if child.dep_ == "appos" and child.i > ent.end - 1 and child.lower_ in roles():
            words = [t for t in child.subtree if not t.is_punct]
            text = " ".join(t.text for t in words)
            return _strip_determiner(text)
    return None


def _strip_determiner(text: str) -> str:
    words = text.split()
    if words and words[0].lower() in determiners():
        words = words[1:]
    return " ".join(words).strip(" ,;:") or text


def _heads(ent: Span, span: Span) -> bool:
    """True when the name is the mention's head (not "the Biden administration")."""
    root = span.root
    if ent.start <= root.i < ent.end:
        return True
    return root.lower_ in roles() or root.lower_ in honorifics() or root.dep_ == "appos"


def _is_subject(ent: Span) -> bool:
    """True when a name is (the head of) a clause's subject: "Teresa Quill answered ..."."""
    root = ent.root
    if root.dep_ in {"nsubj", "nsubjpass"}:
        return True
    return root.dep_ in {"compound", "appos"} and root.head.dep_ in {"nsubj", "nsubjpass"}


def _word(tok: Token) -> str:
    """The lower-cased word without quotation marks glued to it ('"He' on a page that lost a
    paragraph break)."""
    return tok.lower_.strip("\"“”‘’'")


def _proper(span: Span) -> str | None:
    """A mention made only of proper nouns ("Reuters", "Hull's Environmental Services") names a
    body; a description ("Fire officials", "the family of a girl") names no one."""
    words = [t for t in span if not (t.is_punct or t.lower_ in determiners())]
    proper = [t.pos_ == "PROPN" or t.lower_ in possessive_endings() or (t.is_upper and len(t) > 1)
              for t in words]  # "SANDERS:" in a transcript is a name, whatever its tag
    if words and all(proper):
        return _strip_determiner(span.text)
    return None


def _latest(people: list[Person], at: int, subjects: bool) -> tuple[int, Person] | None:
    """The person with the latest (subject) mention before char ``at``, and that mention; of
    two with the same mention, the one named first."""
    best: tuple[int, Person] | None = None
    for person in people:
        m = person.last_subject_before(at) if subjects else person.last_mention_before(at)
        if m is not None and (best is None or m > best[0]):
            best = (m, person)
    return best
