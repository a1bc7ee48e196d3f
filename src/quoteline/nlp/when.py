"""Part of the dates stage: when each candidate's words were said (``said_on``).

A date belongs to a statement only when the text ties it to the cue: the cue's own adverbs and
phrases ("said late on Tuesday"), those of the verb it is coordinated with ("today reported X
but warned Y"), a participle that places the words ("speaking at the same press conference"),
an earlier date the words point back to ("at the time"), the page's date line for words said
"after the final whistle", or what a layout gives (a post's signature). A continuation has its
quote's date. Never the statement's own words, nor a clause about something else.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from spacy.tokens import Token

from quoteline.nlp.candidates import Candidate, DocView, root
from quoteline.nlp.dates import DateHit, find_date
from quoteline.nlp.lexicon import anaphoric_times, event_nouns, months
from quoteline.nlp.sents import sentence

LAYOUT_RULES = frozenset({"answer", "post", "standalone"})
TIME_DEPS = frozenset({"npadvmod", "prep", "advmod", "tmod", "obl"})
CLAUSE_DEPS = frozenset({"relcl", "ccomp", "advcl", "xcomp", "parataxis", "conj", "csubj"})
DATE_LINE = re.compile(r"^(?:(?:posted|published|updated|date)\s*:?\s*)?[\w .,:]{6,40}$",
                       re.IGNORECASE)


def said_on(view: DocView, paras: list[tuple[int, int]], c: Candidate, published: dt.date | None,
            last: DateHit | None) -> DateHit | None:
    """When the candidate's words were said, from what the text ties to them, or None."""
    if c.rule in LAYOUT_RULES:
        return c.own_date  # a post's signature, a transcript's date line, or nothing
    if c.inherit is not None:
        return root(c).said
    toks = _context_tokens(view, c)
    context = f" {' '.join(t.lower_ for t in toks)} "  # whole words: "at the Times" is no time
    found = next((p for p in anaphoric_times() if f" {p} " in context), None)
    if last is not None and found is not None:
        return DateHit(last.day, found)
    if _after_event(toks):  # "After the final whistle, X told ...": the day of the match
        return date_line(view, paras, c.start)
    return find_date(toks, published)


def _after_event(toks: list[Token]) -> bool:
    """"after the final whistle", "after the game": the words were said when the event ended."""
    for t in toks:
        if t.lower_ in {"after", "following"} and any(
                c.dep_ == "pobj" and c.lemma_.lower() in event_nouns() for c in t.children):
            return True
    return False


def date_line(view: DocView, paras: list[tuple[int, int]], before: int) -> DateHit | None:
    """The date of the last line before char ``before`` that holds nothing but a date (and a
    time, or a label such as "Posted"): the date a page gives for its event or transcript."""
    for s, e in reversed([p for p in paras if p[1] <= before]):
        text = view.text[s:e].strip()
        if not DATE_LINE.match(text) or not any(w.lower().rstrip(".,") in months()
                                                for w in text.split()):
            continue
        ts, te = view.tokens_of(s, e)
        hit = find_date(list(view.doc[ts:te]), None)
        if hit is not None:
            return hit
    return None


def _context_tokens(view: DocView, c: Candidate) -> list[Token]:
    """The words the grammar ties to the cue that can date the statement: its adverbs and
    prepositional phrases ("said late on Tuesday", "said in a release Wednesday"), those it
    shares with the verb it is coordinated with ("today reported X but warned Y"), never the
    statement itself, nor a clause about something else ("Sood, who took charge on January 1,
    said")."""
    if c.neighbour is not None:
        return list(view.doc[c.neighbour[0] : c.neighbour[1]])
    cue = c.cue_tok
    if cue is None:
        return []
    cs, ce = view.tokens_of(c.start, c.end)
    sent = sentence(cue)
    keep = _time_words(cue, lambda t: True)
    if cue.i < cs <= cue.i + 6:  # "said on Wednesday they would ...": the words in between
        keep |= set(range(cue.i + 1, cs))
    for part in _occasions(cue):  # "Speaking in New York last Wednesday, X said"
        keep |= _time_words(part, lambda t: True)
    if cue.dep_ == "conj":
        keep |= _time_words(cue.head, lambda t: t.i < cue.head.i)  # said before the verb
    if cue.dep_ in {"parataxis", "ccomp"} and cue.head.i != cue.i:
        keep |= _time_words(cue.head, lambda t: t.i > cue.i)
    return [view.doc[i] for i in sorted(keep)
            if not cs <= i < ce and sent.start <= i < sent.end and not view.in_quote(view.doc[i].idx)]


def _time_words(verb: Token, where: Callable[[Token], bool]) -> set[int]:
    """Indices of the verb's adverbial dependents (the ones ``where`` keeps) and their words,
    without the clauses inside them."""
    out: set[int] = set()
    for child in verb.children:
        if child.dep_ in TIME_DEPS and where(child):
            out |= {t.i for t in child.subtree if not _in_clause(t, child)}
    return out


def _occasions(cue: Token) -> list[Token]:
    """Participles that say where the words were said: the cue's own ("Speaking in New York,
    X said") and its subject's ("X, speaking at the same press conference, said")."""
    subjects = [c for c in cue.children if c.dep_ in {"nsubj", "nsubjpass"}]
    near = [c for c in cue.children if c.dep_ == "advcl"]
    near += [c for s in subjects for c in s.children if c.dep_ in {"acl", "advcl"}]
    return [t for t in near if t.tag_ == "VBG"]


def _in_clause(tok: Token, top: Token) -> bool:
    """True when ``tok`` lies in a clause below ``top`` ("a meeting that ended on Monday")."""
    while tok.i != top.i:
        if tok.dep_ in CLAUSE_DEPS:
            return True
        tok = tok.head
    return False


