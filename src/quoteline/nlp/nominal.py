"""Part of the cues stage: statements carried by nouns and adjectives ("Trump's claim that ...", "raised
questions about X", "is critical of X").

A stance noun counts as a cue when someone owns it: a possessor ("her criticism of the plan")
or the subject of a light verb that takes it ("the senator raised questions about the deal").
The clause or prepositional object after the noun is the content.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet

from spacy.tokens import Doc, Token

from quoteline.nlp.attribution import Attribution, in_paragraph, source_of, trim
from quoteline.nlp.lexicon import content_preps, cue_nouns, light_verbs, stance_adjectives


def nominal_attributions(doc: Doc, quoted: AbstractSet[int]) -> list[Attribution]:
    """Attributions whose cue is a stance noun owned by a speaker."""
    out: list[Attribution] = []
    nouns, adjectives = cue_nouns(), stance_adjectives()
    for tok in doc:
        if tok.i in quoted:
            continue
        att = None
        if tok.pos_ == "NOUN" and tok.lower_ in nouns:
            att = _owned(tok, quoted)
        elif tok.pos_ == "ADJ" and tok.dep_ == "acomp" and tok.lower_ in adjectives:
            att = _stance(tok, quoted)
        if att is not None and (att := in_paragraph(att)) is not None:
            out.append(att)
    return out


def _stance(adj: Token, quoted: AbstractSet[int]) -> Attribution | None:
    """"X is critical of Y" / "X is confident that Y": the copula's subject holds the stance."""
    content = _content(adj)
    if content is None:
        clause = next((c for c in adj.children if c.dep_ in {"ccomp", "xcomp"}), None)
        if clause is None:
            return None
        content = trim(adj.doc, clause.left_edge.i, clause.right_edge.i + 1)
    source = source_of(adj.head, quoted)
    if source is None or content is None:
        return None
    return Attribution(adj, adj.i + 1, content, source, "belief", "stance_adjective", np_object=True)


def is_light_object(obj: Token) -> bool:
    """True for "questions" in "raised questions": the noun, not the verb, carries the cue."""
    return obj.lower_ in cue_nouns() and obj.head.lemma_.lower() in light_verbs()


def _owned(noun: Token, quoted: AbstractSet[int]) -> Attribution | None:
    content = _content(noun)
    if content is None:
        return None
    poss = next((c for c in noun.children if c.dep_ == "poss"), None)
    if poss is not None and poss.pos_ in {"PROPN", "PRON"}:
        return Attribution(noun, noun.i + 1, content, (poss.left_edge.i, poss.i + 1), "attitude",
                           "owned_noun", np_object=True)
    head = noun.head
    if noun.dep_ == "dobj" and head.lemma_.lower() in light_verbs():
        source = source_of(head, quoted)
        if source is None:
            return None
        return Attribution(head, noun.i + 1, content, source, "attitude", "light_verb_noun",
                           np_object=True)
    clause = _that_content(noun)
    if clause is not None:  # "the claim that ...": a statement whose owner goes unnamed
        return Attribution(noun, noun.i + 1, clause, None, "report", "claim_noun", np_object=True)
    return None


def _that_content(noun: Token) -> tuple[int, int] | None:
    """The "that"-clause of a statement noun ("allegations that he lied")."""
    for child in noun.rights:
        if child.dep_ in {"acl", "ccomp"} and any(
            c.dep_ == "mark" and c.lower_ == "that" for c in child.children
        ) and not _stranded(child):
            return trim(noun.doc, child.left_edge.i, child.right_edge.i + 1)
    return None


def _stranded(clause: Token) -> bool:
    """"the charges that he was convicted on": a clause that ends in a bare preposition is a
    relative clause (the charges on which ...), not the content of the noun."""
    last = clause.doc[clause.right_edge.i]
    return last.pos_ == "ADP" and not any(True for _ in last.children)


def _content(noun: Token) -> tuple[int, int] | None:
    """The clause ("that ...") or prepositional object ("about X") that states the content."""
    for child in noun.rights:
        if child.dep_ in {"acl", "ccomp", "relcl"} and _that_clause(child):
            return trim(noun.doc, child.left_edge.i, child.right_edge.i + 1)
        if child.dep_ == "prep" and child.lower_ in content_preps():
            objs = [c for c in child.children if c.dep_ in {"pobj", "pcomp"}]
            if objs:
                return trim(noun.doc, objs[0].left_edge.i, child.right_edge.i + 1)
    return None


def _that_clause(clause: Token) -> bool:
    return any(c.dep_ == "mark" and c.lower_ == "that" for c in clause.children) or clause.dep_ == "ccomp"
