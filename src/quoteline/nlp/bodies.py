"""Part of the speakers stage: the organisations a source mention can name.

"the agency said" is the nearest body whose name fits an agency ("Port Authority", "Department
of Health"), "DPH says" the body whose initials those are, "the Meteo France weather service"
the body it names, "it added" the body that spoke last, and "the statement said" whoever issued
the statement: a document is never the speaker.
"""

from __future__ import annotations

import bisect
import re

from spacy.tokens import Doc, Span, Token

from quoteline.nlp.lexicon import (
    body_fits,
    body_nouns,
    body_pronouns,
    determiners,
    document_nouns,
    issue_verbs,
)
from quoteline.nlp.mentions import named, named_in
from quoteline.nlp.options import ExtractOptions

ACRONYM = re.compile(r"^[A-Z]{2,6}$")
SMALL_WORDS = frozenset({"of", "and", "for", "the", "&", "on", "in"})
WRITER_PREPS = frozenset({"by", "from"})


class Bodies:
    """The bodies one article names, and what "the company", "DPH" or "it" refers to."""

    def __init__(self, doc: Doc, opts: ExtractOptions) -> None:
        self.doc = doc
        self.opts = opts
        self.orgs = [n.span for n in named(doc) if not n.person and n.span.label_ != "GPE"]
        self._ends = [s.end_char for s in self.orgs]
        self._spoke: list[tuple[int, str]] = []  # (char, name) of each body that spoke

    def pronouns(self) -> frozenset[str]:
        """Pronouns that refer back to a body ("it")."""
        return body_pronouns()

    def spoke(self, at: int, name: str) -> None:
        """Record that the body ``name`` is the speaker of a mention at char ``at``."""
        self._spoke.append((at, name))

    def last_spoke(self, at: int) -> str | None:
        """The body that spoke last before char ``at``, within the pronoun reach."""
        k = bisect.bisect_left(self._spoke, (at, ""))
        if k and self._spoke[k - 1][0] > at - self.opts.pronoun_reach:
            return self._spoke[k - 1][1]
        return None

    # ------------------------------------------------------------ documents
    def is_document(self, span: Span) -> bool:
        """True when the mention is a document ("the statement", "Messages sent by X")."""
        return span.root.lower_ in document_nouns() and span.root.pos_ == "NOUN"

    def writer(self, span: Span) -> tuple[int, int] | None:
        """Tokens of who wrote or issued the document the mention names, when the article says."""
        noun = span.root
        for child in noun.children:
            if child.dep_ == "poss":
                return child.left_edge.i, child.i + 1
            found = _agent(child)
            if found is not None:
                return found
        issued = _issuer(noun)
        if issued is not None:
            return issued
        for tok in reversed(self.doc[: noun.i]):  # "according to the statement": issued earlier
            if tok.lemma_ == noun.lemma_ and tok.pos_ == "NOUN":
                earlier = _issuer(tok)
                if earlier is not None:
                    return earlier
        return None

    # ------------------------------------------------------------ names
    def resolve(self, span: Span) -> str | None:
        """The body a mention names, or None when it names none."""
        head = span.root
        if len(span) == 1 and ACRONYM.match(span[0].text):
            return self._acronym(span[0])
        inside = [n.span for n in named_in(self.doc, span.start, span.end) if not n.person]
        own = [e for e in inside if e.start <= head.i < e.end]
        if own:
            return _name(own[-1])  # "British department stores group Debenhams"
        if not _body_noun(head):
            return None
        if span[0].lower_ in determiners() or len(span) == 1:
            return self._before_noun(span) or self._nearest(head.lower_, span.start_char,
                                                            len(span) == 1)
        return None

    def _before_noun(self, span: Span) -> str | None:
        """"the Meteo France weather service": the name before the body noun (two words or
        more); "the Var department prefecture": one word is a place, the mention the name."""
        names = [t for t in span if t.pos_ == "PROPN" and t.i < span.root.i]
        if not names:
            return None
        run = self.doc[names[0].i : names[-1].i + 1]
        return _name(run) if len(run) > 1 else _name(span)

    def _nearest(self, noun: str, at: int, fitting_only: bool) -> str | None:
        """The body named last before ``at`` whose name fits ``noun``; for a noun no list
        fits ("the firm"), unless ``fitting_only`` (a bare "police said"), the last of any."""
        k = bisect.bisect_right(self._ends, at)
        fits = body_fits().get(noun, frozenset())
        before = self.orgs[:k][::-1]
        fitting = [e for e in before if any(t.lower_ in fits for t in e)]
        # "the union" is no newspaper: a noun with names that fit takes one of those or none,
        # unless any name can fit it too ("*": most companies are named without "Inc.")
        strict = fitting_only or (bool(fits) and "*" not in fits)
        found = fitting or ([] if strict else before)
        return _name(found[0]) if found else None

    def _acronym(self, tok: Token) -> str | None:
        """"DPH" -> the body whose initials end with those letters ("L.A. County Department of
        Public Health"), the latest named before it."""
        k = bisect.bisect_right(self._ends, tok.idx)
        for ent in self.orgs[:k][::-1]:
            if ent.text == tok.text:
                return None  # the acronym is itself the body's name
            letters = _initials(ent)
            if len(letters) > len(tok.text) and letters.endswith(tok.text):
                return _name(ent)
        return None


def _body_noun(tok: Token) -> bool:
    return tok.lower_ in body_nouns()


def _initials(ent: Span) -> str:
    """"L.A. County Department of Public Health" -> "LACDPH"."""
    out = []
    for t in ent:
        if t.lower_ in SMALL_WORDS or not t.text[:1].isupper():
            continue
        dotted = [c for c in t.text if c.isupper()] if "." in t.text else [t.text[0]]
        out.extend(dotted)
    return "".join(out)


def _name(span: Span) -> str:
    """A body's name as written, without a leading determiner."""
    words = span.text.split()
    while words and words[0].lower() in determiners():
        words = words[1:]
    return " ".join(words).strip(" ,;:") or span.text


def _agent(child: Token) -> tuple[int, int] | None:
    """"a statement from the ministry", "Messages sent by Matt Hancock": the writer's tokens."""
    if child.dep_ == "prep" and child.lower_ in WRITER_PREPS:
        pobj = next((c for c in child.children if c.dep_ == "pobj"), None)
        return (pobj.left_edge.i, pobj.i + 1) if pobj is not None else None
    if child.dep_ == "acl":  # "sent by X", "thought to be left by X"
        for sub in child.subtree:
            if sub.dep_ == "agent" or (sub.dep_ == "prep" and sub.lower_ in WRITER_PREPS):
                pobj = next((c for c in sub.children if c.dep_ == "pobj"), None)
                if pobj is not None:
                    return pobj.left_edge.i, pobj.i + 1
    return None


def _issuer(noun: Token) -> tuple[int, int] | None:
    """"X issued a statement": X's tokens, when the noun is the object of an issuing verb."""
    verb = noun.head
    if noun.dep_ != "dobj" or verb.lemma_.lower() not in issue_verbs():
        return None
    subj = next((c for c in verb.children if c.dep_ == "nsubj"), None)
    if subj is None:
        return None
    end = subj.i + 1
    for child in subj.rights:  # "The Port Authority of New York and New Jersey, which ..."
        if child.dep_ in {"relcl", "appos", "punct", "acl"}:
            break
        end = child.right_edge.i + 1
    return subj.left_edge.i, end
