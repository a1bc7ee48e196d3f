"""The cues stage: cues and what they attribute (content clause, source mention) from the parse.

Works on token indices. A cue found inside quotation marks is the quoted speaker's own words
("We have said that ..."), never an attribution by the article, so the caller passes the
quote spans in and such cues are ignored.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from quoteline.models import Rule
from quoteline.nlp.labels import CueClass
from quoteline.nlp.lexicon import (
    addressee_verbs,
    anaphoric_objects,
    ask_verbs,
    circumstance_marks,
    circumstance_preps,
    clause_only,
    cue_nouns,
    cue_phrases,
    cue_preps,
    cue_verbs,
    demonstratives,
    hearsay_adverbs,
    honorifics,
    lemma_fixes,
    light_verbs,
    line_labels,
    nonhuman_subjects,
    object_preps,
    question_marks,
    relative_pronouns,
    roles,
    speaker_passives,
)
from quoteline.nlp.options import ExtractOptions
from quoteline.nlp.quotemarks import MARKUP_TAG
from quoteline.nlp.sents import sentence

SUBJECTS = {"nsubj", "nsubjpass", "csubj"}
CLIMB = {"conj", "advcl", "xcomp", "pcomp", "prep", "acl", "relcl", "ccomp", "parataxis"}
FINITE = {"VBD", "VBZ", "VBP"}
QUOTE_MARKS = {"“", "”", '"', "‘", "’", "'", "''", "``"}
STOP_DEPS = {"punct", "cc", "conj", "advcl", "parataxis", "mark", "dep"}
NP_POS = {"DET", "PROPN", "NOUN", "ADJ", "NUM", "PRON", "CCONJ", "PART"}
TIME_OPENERS = {"on", "late", "early", "last", "this", "next", "at"}
EDGE_PUNCT = {",", "—", "–", "-", ":", ";", "(", ")", "“", "”", '"', "‘", "’"}


@dataclass(slots=True)
class Attribution:
    """One cue with its content (token range) and source (token range), before resolution."""

    cue: Token
    cue_end: int  # token index after the last cue token ("made clear" spans two)
    content: tuple[int, int]  # [start, end) token indices
    source: tuple[int, int] | None
    cue_class: CueClass
    rule: Rule  # which rule below found the content
    np_object: bool = False  # the content is a noun phrase ("slammed the plan"), not a clause
    whole: bool = False  # the content holds the cue ("X reportedly did Y"): keep it in one piece
    infinitive: bool = False  # the content is a to-infinitive ("vowed to play"): an intention
    hedged: bool = False  # an agentless passive ("was expected to"): nobody holds it


def lemma(tok: Token) -> str:
    """The lower-cased lemma, corrected where the model's lemmatizer is known to slip."""
    return lemma_fixes().get(tok.lower_) or tok.lemma_.lower()


def is_cue(tok: Token) -> CueClass | None:
    """The cue class of a token (speech/report/belief/intent) or None."""
    if tok.pos_ not in {"VERB", "AUX"} and tok.tag_ not in {"VBD", "VBZ", "VBP", "VBG", "VBN"}:
        return None
    cls = cue_verbs().get(lemma(tok))
    if cls is not None:
        return cls
    phrase = cue_phrases().get(lemma(tok))
    if phrase and tok.i + 1 < len(tok.doc) and tok.doc[tok.i + 1].lower_ in phrase:
        return "speech"
    preps = cue_preps().get(lemma(tok))
    if preps and any(c.dep_ in {"prep", "prt"} and c.lower_ in preps for c in tok.children):
        return "attitude"
    return None


def find_attributions(doc: Doc, quoted_tokens: AbstractSet[int],
                      opts: ExtractOptions | None = None) -> list[Attribution]:
    """Every cue outside quotation marks that has a clausal content, in text order."""
    opts = opts or ExtractOptions()
    out: list[Attribution] = []
    for tok in doc:
        if tok.i in quoted_tokens:
            continue
        if tok.lower_ == "according" and tok.i + 1 < len(doc) and doc[tok.i + 1].lower_ == "to":
            att = _according(doc, tok)
        elif tok.text == ":":
            att = _headline_colon(doc, tok, opts)
        elif tok.lower_ in hearsay_adverbs():
            att = _hearsay(tok)
        else:
            cls = is_cue(tok) or _general_cue(tok)
            att = _verb_cue(tok, cls, quoted_tokens) if cls and cls != "direct" else None
        if att is not None:
            att = in_paragraph(att)
        if att is not None:
            out.append(att)
    return out


def in_paragraph(att: Attribution) -> Attribution | None:
    """Clip the content to the cue's paragraph: a mis-split sentence can pull in the one before."""
    doc = att.cue.doc
    start, end = att.content
    for i in range(att.cue.i - 1, start - 1, -1):
        if "\n" in doc[i].text:
            start = i + 1
            break
    for i in range(att.cue.i + 1, end):
        if "\n" in doc[i].text:
            end = i
            break
    content = trim(doc, start, end)
    if content is None:
        return None
    att.content = content
    return att


def _general_cue(tok: Token) -> CueClass | None:
    """A verb outside the lexicon whose human subject reports a clause: "X figures that ..."."""
    if tok.pos_ != "VERB":
        return None
    subj = next((c for c in tok.children if c.dep_ == "nsubj"), None)
    if subj is None or subj.lower_ in nonhuman_subjects():
        return None
    clause = next((c for c in tok.children if c.dep_ == "ccomp" and c.i > tok.i), None)
    if clause is None:
        return None  # a clause before the verb is the verb's host, not its content
    if _has_that(clause):
        human = subj.pos_ in {"PROPN", "PRON"} or subj.ent_type_ in {"PERSON", "ORG", "NORP", "GPE"}
        return "belief" if human else None
    return "belief" if subj.pos_ == "PROPN" else None  # a bare clause: named subjects only


def _cue_end(tok: Token) -> int:
    phrase = cue_phrases().get(lemma(tok))
    nxt = tok.i + 1
    if phrase and nxt < len(tok.doc) and tok.doc[nxt].lower_ in phrase:
        return nxt + 1
    return nxt


def _verb_cue(tok: Token, cls: CueClass, quoted: AbstractSet[int]) -> Attribution | None:
    if _passes_on(tok):
        return None  # "X quoted Y as saying Z": the words are Y's, cued by "saying"
    if not any(c.dep_ in {"ccomp", "xcomp"} for c in tok.children):
        passive = _passive(tok, cls)
        if passive is not None:
            return passive
    found = _complement(tok, cls)
    if found is None:
        return None
    content, rule = found
    hedged = _agentless_passive(tok)
    source = None if hedged else source_of(tok, quoted)
    if source is None and lemma(tok) in ask_verbs():
        return None  # "Asked whether X, he said": the reporter's question, nobody's statement
    interrupted = content[0] <= tok.i < content[1]
    if source is not None and not interrupted and content[0] <= source[0] < content[1]:
        source = None
    np_object = not any(c.dep_ in {"ccomp", "xcomp"} for c in tok.children)
    np_object = np_object and not (content[0] <= tok.i < content[1])
    return Attribution(tok, _cue_end(tok), content, source, cls, rule, np_object=np_object,
                       infinitive=_infinitive(tok, content), hedged=hedged)


def _agentless_passive(tok: Token) -> bool:
    """"was told that", "is expected to": a passive cue with no agent, whose subject is the
    addressee or the topic, not the speaker (except "was quoted as saying")."""
    passive = any(c.dep_ in {"auxpass", "nsubjpass"} for c in tok.children)
    agent = any(c.dep_ == "agent" for c in tok.children)
    return passive and not agent and lemma(tok) not in speaker_passives()


def _infinitive(tok: Token, content: tuple[int, int]) -> bool:
    """True when the content is the cue's to-infinitive ("vowed to play", "urged them to
    leave"): what someone means to do or wants done, not what they said is so."""
    if any(c.dep_ == "ccomp" for c in tok.children):
        return False
    return any(c.dep_ == "xcomp" and content[0] <= c.i < content[1] and c.tag_ == "VB"
               for c in tok.children)


def _passive(tok: Token, cls: CueClass) -> Attribution | None:
    """"X was criticized by Y for Z": the whole clause is what Y holds; Y, if named, the source."""
    subj = next((c for c in tok.children if c.dep_ == "nsubjpass"), None)
    agent = next((c for c in tok.children if c.dep_ == "agent"), None)
    if subj is None or subj.pos_ == "PRON" or (agent is None and cls not in {"attitude", "belief"}):
        return None
    content = trim(tok.doc, subj.left_edge.i, tok.right_edge.i + 1)
    if content is None:
        return None
    pobj = next((c for c in agent.children if c.dep_ == "pobj"), None) if agent is not None else None
    source = _np_span(pobj) if pobj is not None else None
    return Attribution(tok, _cue_end(tok), content, source, cls, "passive", np_object=True,
                       whole=True)


def _span_of(tok: Token) -> tuple[int, int]:
    return tok.left_edge.i, tok.right_edge.i + 1


def _ruled(content: tuple[int, int] | None, rule: Rule) -> tuple[tuple[int, int], Rule] | None:
    return (content, rule) if content is not None else None


def _complement(tok: Token, cls: CueClass) -> tuple[tuple[int, int], Rule] | None:
    """The token range a cue attributes (its clausal complement, or the clause it interrupts,
    ...) and the rule that found it."""
    clauses = [c for c in tok.children if c.dep_ in {"ccomp", "xcomp"}]
    if clauses:  # several: prefer one after the cue, then the "that"-clause, then the longest
        best = max(clauses, key=lambda c: (_follows(tok, c), _has_that(c), c.right_edge.i - c.left_edge.i))
        start, end = _span_of(best)
        if start > tok.i:
            end = _to_sentence_end(tok, end)
            start = _after_time(tok.doc, start, end)
        return _ruled(trim(tok.doc, start, end), "complement")
    question = _asked_if(tok)
    if question is not None:
        return question, "asked_if"
    for child in tok.children:  # "said: ..." with the statement parsed as a dependent
        if child.dep_ in {"dobj", "attr"} and child.i > tok.i and _is_quote_start(child):
            return _ruled(trim(tok.doc, *_span_of(child)), "quoted_object")
    if tok.dep_ in {"parataxis", "ccomp", "advcl"} and tok.head.i != tok.i and cls == "speech":
        found = _interrupted(tok)
        if found is not None:
            return found, "interrupted"
    if _as_clause(tok) and cls in {"speech", "report", "belief"}:  # "As X noted, Y"
        return _ruled(trim(tok.doc, *_span_of(tok.head)), "as_clause")
    if _hypothetical(tok) or lemma(tok) in addressee_verbs() or lemma(tok) in clause_only():
        return None
    named = _relative_naming(tok)
    if named is not None:
        return named, "naming"
    return _object(tok)


def _after_time(doc: Doc, start: int, end: int) -> int:
    """"said on Wednesday they would ...": a date the parse hung on the clause dates the cue,
    not what was said; the content starts after it."""
    i = start
    while i < end and (doc[i].ent_type_ in {"DATE", "TIME"} or (
            doc[i].lower_ in TIME_OPENERS and i + 1 < end and doc[i + 1].ent_type_ in {"DATE", "TIME"})):
        i += 1
    return i if i > start and end - i >= 3 else start


def _asked_if(tok: Token) -> tuple[int, int] | None:
    """"asked the students if they were serious": the question, parsed as an adverbial clause."""
    if lemma(tok) not in ask_verbs():
        return None
    for child in tok.rights:
        mark = next((c for c in child.children if c.dep_ == "mark"), None)
        if child.dep_ == "advcl" and mark is not None and mark.lower_ in question_marks():
            return trim(tok.doc, *_span_of(child))
    return None


def _relative_naming(tok: Token) -> tuple[int, int] | None:
    """"what he calls corruption", "a country that X called our foe": the relative word through
    the name given."""
    words = relative_pronouns() | {"what"}
    rel = next((c for c in tok.children if c.dep_ == "dobj" and c.i < tok.i and c.lower_ in words), None)
    name = next((c for c in tok.children if c.dep_ in {"oprd", "attr"} and c.i > tok.i), None)
    if rel is None or name is None:
        return None
    return trim(tok.doc, rel.i, _extend(tok, name, name.right_edge.i + 1))


def _prep_object(tok: Token) -> tuple[int, int] | None:
    """"believes in the dream", "seen as an icon": the first non-circumstantial prepositional object."""
    for child in tok.rights:
        if child.dep_ != "prep" or child.lower_ not in object_preps():
            continue
        objs = [c for c in child.children if c.dep_ in {"pobj", "pcomp"}]
        if objs and objs[0].ent_type_ not in {"DATE", "TIME", "GPE", "LOC", "FAC"}:
            return trim(tok.doc, objs[0].left_edge.i, child.right_edge.i + 1)
    return None


def _anaphoric(obj: Token) -> bool:
    """"that position", "it", "this": the object points back rather than stating anything
    (unless a predicate follows: "called it a revolution", "cited it as evidence")."""
    predicate = any(s.dep_ == "oprd" or s.lower_ == "as" for s in obj.head.rights if s.i > obj.i)
    if predicate:
        return False
    if obj.pos_ == "PRON" and obj.lower_ in anaphoric_objects():
        return True
    return any(c.dep_ == "det" and c.lower_ in demonstratives() for c in obj.children)


def _hypothetical(tok: Token) -> bool:
    """A verb under a modal ("would back", "could support"): a possibility, not a stance."""
    if tok.tag_ != "VB":
        return False
    return any(c.dep_ == "aux" and c.tag_ == "MD" for c in tok.children)


def _object(tok: Token) -> tuple[tuple[int, int], Rule] | None:
    """The object a judgment or demand is about: "slammed the plan as reckless", "called for a ban"."""
    preps = cue_preps().get(lemma(tok), frozenset())
    for child in tok.children:
        if child.dep_ == "prep" and child.lower_ in preps:
            objs = [c for c in child.children if c.dep_ in {"pobj", "pcomp"}]
            if objs:
                start = objs[0].left_edge.i
                obj = next((c for c in tok.children if c.dep_ == "dobj" and tok.i < c.i < child.i), None)
                if obj is not None and not _anaphoric(obj):  # "cast him as an outsider"
                    start = obj.left_edge.i
                return _ruled(trim(tok.doc, start, _extend(tok, child, child.right_edge.i + 1)),
                              "stance_object")
    if tok.dep_ == "amod":
        return None  # an adjectival participle ("the blasted plan") names no stance-taker
    obj = next((c for c in tok.children if c.dep_ in {"dobj", "dative"} and c.i > tok.i), None)
    if obj is None:
        return _ruled(_prep_object(tok), "prep_object")
    if _anaphoric(obj):
        return None
    if obj.lower_ in cue_nouns() and tok.lemma_.lower() in light_verbs():
        return None  # "raised questions about X": the noun carries the cue (see nominal.py)
    return _ruled(trim(tok.doc, obj.left_edge.i, _extend(tok, obj, obj.right_edge.i + 1)),
                  "stance_object")


def _extend(tok: Token, last: Token, end: int) -> int:
    """Take in the cue's dependents after ``last``: "... as a debate-eve conversion", "... to resign"."""
    rights = [r for r in tok.rights if r.i > last.i]
    for k, sib in enumerate(rights):
        if sib.text in QUOTE_MARKS:
            continue
        if sib.dep_ == "prep" and sib.lower_ in circumstance_preps():
            break  # "blasted X during a rally", "discussed X with a host": when, where, how
        if _noun_conj(sib) or (sib.dep_ in {"cc", "punct"} and any(_noun_conj(r) for r in rights[k:])):
            end = max(end, sib.right_edge.i + 1)  # "pondered his moves, and the fate of X"
            continue
        between = tok.doc[end : sib.left_edge.i]
        if _subject_infinitive(last, sib) and not between:
            end = sib.right_edge.i + 1
            continue
        if sib.dep_ in STOP_DEPS or any(t.text in {",", ";", "—", "–"} for t in between):
            break
        end = sib.right_edge.i + 1
    return end


def _subject_infinitive(last: Token, sib: Token) -> bool:
    """"called for X to resign", "urged X to quit": a to-infinitive right after the object says
    what X is to do, so it belongs to the content."""
    return (
        ((last.dep_ == "prep" and last.lower_ == "for") or last.dep_ == "dobj")
        and sib.dep_ in {"advcl", "xcomp"}
        and sib.tag_ == "VB"
        and any(c.dep_ == "aux" and c.lower_ == "to" for c in sib.children)
    )


def _noun_conj(tok: Token) -> bool:
    """A noun phrase coordinated with the object but attached to the verb by the parse."""
    return tok.dep_ == "conj" and tok.pos_ in {"NOUN", "PROPN"}


def _to_sentence_end(cue: Token, end: int) -> int:
    """"said A; B; and C": the parse often drops B and C from the clause; take them back, up to
    any other cue."""
    sent_end = sentence(cue).end
    doc = cue.doc
    ancestors = {a.i for a in cue.ancestors}
    for i in range(end, sent_end):
        if i in ancestors:
            return end  # "to understand how X works, this is the podcast": the host clause
        if is_cue(doc[i]) is not None or doc[i].lower_ == "according" or doc[i].text in QUOTE_MARKS:
            return end
    while sent_end > end and (doc[sent_end - 1].is_punct or doc[sent_end - 1].is_space):
        sent_end -= 1
    return max(end, sent_end)


def _follows(cue: Token, clause: Token) -> bool:
    """True when ``clause`` comes after the cue in the same paragraph."""
    return clause.i > cue.i and not any("\n" in t.text for t in cue.doc[cue.i : clause.left_edge.i])


def _has_that(clause: Token) -> bool:
    return any(c.dep_ == "mark" and c.lower_ == "that" for c in clause.children)


def _is_quote_start(tok: Token) -> bool:
    left = tok.left_edge
    return (left.i > 0 and tok.doc[left.i - 1].text in {"“", '"', ":"}) or left.text in {"“", '"'}


def _interrupted(tok: Token) -> tuple[int, int] | None:
    """"Y, X said, Z": the clause the cue hangs from, when the cue sits inside or after it."""
    head = tok.head
    if tok.dep_ in {"advcl", "ccomp"} and tok.i < head.i:
        return None  # "Speaking in X, he ..." is circumstance, not a report of it
    if not _same_paragraph(tok, head):
        return None  # a mis-split sentence: the host lies in another paragraph
    if tok.dep_ == "ccomp" and not _set_off(tok):
        return None  # "said he was joking": the complement of another verb, not an aside
    if any(c.dep_ == "dobj" and c.i > tok.i for c in tok.children):
        return None  # "..., instead restating his case": the cue has content of its own
    marks = circumstance_marks()
    if tok.dep_ == "advcl" and any(c.dep_ in {"mark", "advmod"} and c.lower_ in marks for c in tok.children):
        return None  # "X did Y when commenting on Z": a circumstance of Y, not a report of it
    return trim(tok.doc, *_span_of(head))


def _same_paragraph(a: Token, b: Token) -> bool:
    lo, hi = min(a.i, b.i), max(a.i, b.i)
    return not any("\n" in t.text for t in a.doc[lo:hi])


def _as_clause(tok: Token) -> bool:
    """"As the study noted, Y" / "Y, as Trump points out": an aside that vouches for Y."""
    if tok.dep_ != "advcl" or tok.head.i == tok.i:
        return False
    mark = next((c for c in tok.children if c.dep_ == "mark"), None)
    has_object = any(c.dep_ in {"dobj", "ccomp", "xcomp"} for c in tok.children)
    # "as he is fondly called" names someone; it vouches for nothing
    return mark is not None and mark.lower_ == "as" and not has_object and not _agentless_passive(tok)


def _set_off(tok: Token) -> bool:
    """True when punctuation sets the clause of ``tok`` off from what precedes it."""
    left = tok.left_edge.i
    return left > 0 and tok.doc[left - 1].text in EDGE_PUNCT | QUOTE_MARKS


def trim(doc: Doc, start: int, end: int) -> tuple[int, int] | None:
    """Drop edge punctuation and space tokens (quote marks stay: the caller widens to them)."""
    while start < end and (doc[start].is_space or doc[start].text in {",", ";", "—", "–", ":"}
                           or _is_tag(doc[start])):
        start += 1
    while end > start and (doc[end - 1].is_space or doc[end - 1].text in {",", ";", "—", "–"}
                           or _is_tag(doc[end - 1])):
        end -= 1
    return (start, end) if end > start else None


def _is_tag(tok: Token) -> bool:
    """A markup tag left in the text ("<p>", "</b>"): never part of a span."""
    return MARKUP_TAG.fullmatch(tok.text) is not None


def _according(doc: Doc, tok: Token) -> Attribution | None:
    """"according to X, Y" / "Y, according to X": X is the source, Y the content."""
    to = doc[tok.i + 1]
    objs = [c for c in to.children if c.dep_ == "pobj"] or [c for c in tok.children if c.dep_ == "pobj"]
    if not objs:
        return None
    source = _np_span(objs[0])
    sent = sentence(tok)
    own_start = tok.i
    own_end = max(source[1], to.i + 1)
    if own_start - sent.start <= 1:  # "According to X, Y."
        content = trim(doc, own_end, sent.end)
    elif _clause_follows(doc, sent.start, own_start, own_end, sent.end):
        content = trim(doc, sent.start, sent.end)  # "Over time, according to X, Y": Y around it
    else:  # "Y, according to X."
        content = trim(doc, sent.start, own_start)
    if content is None:
        return None
    return Attribution(tok, to.i + 1, content, source, "report", "according_to")


def _clause_follows(doc: Doc, start: int, cue: int, after: int, end: int) -> bool:
    """True when the words before an aside hold no verb and a clause follows it."""
    if any(t.pos_ in {"VERB", "AUX"} for t in doc[start:cue]):
        return False
    rest = [t for t in doc[after:end] if not (t.is_punct or t.is_space)]
    return len(rest) >= 3 and any(t.pos_ in {"VERB", "AUX"} for t in rest)


def _hearsay(tok: Token) -> Attribution | None:
    """"X reportedly met Y": a claim that nobody is named for; the whole clause is the content."""
    if tok.pos_ != "ADV" or tok.dep_ != "advmod" or tok.head.pos_ not in {"VERB", "AUX"}:
        return None
    clause = tok.head
    subj = next((c for c in clause.children if c.dep_ in SUBJECTS | {"expl"}), None)
    if subj is None or subj.i > tok.i:
        return None
    content = trim(tok.doc, subj.left_edge.i, max(tok.right_edge.i, clause.right_edge.i) + 1)
    if content is None:
        return None
    return Attribution(tok, tok.i + 1, content, None, "belief", "hearsay", whole=True)


def _headline_colon(doc: Doc, colon: Token, opts: ExtractOptions) -> Attribution | None:
    """"Clinton: Trump's view of the world is wrong" - a short name, a colon, a statement."""
    sent = sentence(colon)
    before = doc[sent.start : colon.i]
    if _quoted_head(before):
        return _quote_then_name(doc, colon, before, sent.end)
    if not 1 <= len(before) <= opts.headline_words or any(t.pos_ in {"VERB", "AUX"} for t in before):
        return None
    if not any(t.ent_type_ in {"PERSON", "ORG", "NORP", "GPE"} for t in before) and not _label(before, opts):
        return None
    if " ".join(before.text.lower().replace("’", "'").split()) in line_labels():
        return None  # "Correction: ...", "Editor's note: ...": boilerplate, not a speaker
    content = trim(doc, colon.i + 1, sent.end)
    if content is None or content[1] - content[0] < opts.headline_content_tokens:
        return None
    source = trim(doc, before.start, before.end)
    return Attribution(colon, colon.i + 1, content, source, "speech", "headline_colon")


def _quoted_head(span: Span) -> bool:
    """"‘Crazy’: ...": a headline that opens with a quotation closed just before the colon."""
    return (len(span) >= 3 and span[0].is_quote and span[-1].is_quote
            and not any(t.is_quote for t in span[1:-1]))


def _quote_then_name(doc: Doc, colon: Token, head: Span, end: int) -> Attribution | None:
    """"‘Shameful’: Mayor Ines Varro condemns ...": the quoted words are those of the person
    named right after the colon (a title word, then two or more capitalised names), else
    nobody's: no quote. The name is looked for up to the end of the line, not the sentence
    (the parser may end one at the colon), and a first name the tagger read as a word
    ("Will Smith apologises") counts when it is part of the person's name."""
    end = max(end, _line_end(doc, colon.i))
    i = colon.i + 1
    while i < end and (doc[i].lower_.rstrip(".") in roles() or doc[i].lower_ in honorifics()):
        i += 1
    j = i
    while j < end and doc[j].is_title and (doc[j].pos_ == "PROPN" or doc[j].ent_type_ == "PERSON"):
        j += 1
    if j - i < 2:
        return None
    return Attribution(colon, colon.i + 1, (head.start + 1, head.end - 1), (i, j), "speech",
                       "headline_colon")


def _line_end(doc: Doc, i: int) -> int:
    """The index after the last token of token ``i``'s line."""
    j = i
    while j < len(doc) and "\n" not in doc[j].text and "\n" not in doc[j].whitespace_:
        j += 1
    return min(j + 1, len(doc)) if j < len(doc) and "\n" in doc[j].whitespace_ else j


def _label(span: Span, opts: ExtractOptions) -> bool:
    """A capitalised name opening a line, as in a headline or transcript ("SANDERS: ...")."""
    doc = span.doc
    line_start = span.start == 0 or "\n" in doc[span.start - 1].text
    words = [t for t in span if t.is_alpha]
    short = bool(words) and len(words) <= opts.label_words
    return line_start and short and all(t.text[0].isupper() for t in words)


def _passes_on(tok: Token) -> bool:
    """True when a verb reports someone else's words: "quoted Y as saying", "cited Y as
    telling reporters" (an "as" phrase whose verb is itself a cue)."""
    return any(c.dep_ == "prep" and c.lower_ == "as" and any(
        g.dep_ == "pcomp" and is_cue(g) is not None for g in c.children) for c in tok.children)


def _as_saying_object(cue: Token) -> Token | None:
    """Y in "X quoted Y as saying ...": the object of the verb the "as" phrase hangs from."""
    prep = cue.head
    if cue.dep_ != "pcomp" or prep.dep_ != "prep" or prep.lower_ != "as":
        return None
    return next((c for c in prep.head.children if c.dep_ in {"dobj", "dative"}), None)


def source_of(cue: Token, quoted: AbstractSet[int] = frozenset()) -> tuple[int, int] | None:
    """The mention of who speaks: the cue's subject, climbing to a governing verb if needed
    ("X quoted Y as saying": Y, the innermost speaker)."""
    inner = _as_saying_object(cue)
    if inner is not None:
        return _np_span(inner)
    tok: Token = cue
    for _ in range(5):
        subj = _subject_of(tok, quoted)
        if subj is not None:
            return subj
        if tok.dep_ in {"advcl", "ccomp", "parataxis"} and tok.tag_ in FINITE:
            break  # a finite verb has a subject of its own; the parse lost it
        if tok.dep_ == "xcomp":
            obj = next((c for c in tok.head.children if c.dep_ in {"dobj", "dative"}), None)
            if obj is not None:
                return _np_span(obj)
        if tok.dep_ not in CLIMB or tok.head.i == tok.i:
            break
        if tok.dep_ == "ccomp" and tok.head.i > tok.i:
            break
        tok = tok.head
    return _left_np(cue)


def _subject_of(tok: Token, quoted: AbstractSet[int] = frozenset()) -> tuple[int, int] | None:
    subjects = [c for c in tok.children if c.dep_ in SUBJECTS and c.i not in quoted]
    for child in sorted(subjects, key=lambda c: abs(c.i - tok.i)):
        if child.dep_ != "csubj":
            return _np_span(child)  # a relative "who" stays the mention; speakers.py resolves it
    for child in tok.children:
        if child.dep_ == "agent":
            pobj = next((c for c in child.children if c.dep_ == "pobj"), None)
            if pobj is not None:
                return _np_span(pobj)
    return None


def _np_span(head: Token) -> tuple[int, int]:
    """A noun phrase without its trailing appositive, relative clause or parenthetical."""
    start, end = head.left_edge.i, head.i + 1
    for child in head.rights:
        if child.dep_ in {"appos", "relcl", "acl", "punct", "advcl", "cc", "conj"}:
            if child.dep_ == "conj" and not _comma_between(head, child):
                end = child.right_edge.i + 1
                continue
            if child.dep_ == "cc" and not _comma_between(head, child):
                continue
            break
        end = child.right_edge.i + 1
    doc = head.doc
    while start < end and _no_word(doc[start]):
        start += 1
    while end > start and _no_word(doc[end - 1]):
        end -= 1
    if end <= start:
        return head.i, head.i + 1
    return start, end


def _no_word(tok: Token) -> bool:
    """Punctuation, space or a symbol such as a list's bullet ("•"), whatever its tag."""
    return tok.text in EDGE_PUNCT or tok.is_space or not any(ch.isalnum() for ch in tok.text)


def _comma_between(a: Token, b: Token) -> bool:
    return any(t.text == "," for t in a.doc[a.i + 1 : b.i])


def _left_np(cue: Token) -> tuple[int, int] | None:
    """Fallback when the parse gives no subject: the noun phrase right before the cue."""
    doc = cue.doc
    i = cue.i - 1
    while i >= 0 and doc[i].pos_ in {"AUX", "ADV", "PART"} and doc[i].text not in EDGE_PUNCT:
        i -= 1
    if i > 0 and doc[i].text == "," and doc[i - 1].pos_ == "PROPN":
        i -= 1  # "..., the prefect, Hugues Parant, said": the name set off before the cue
    end = i + 1
    while i >= 0 and doc[i].pos_ in NP_POS and doc[i].text not in EDGE_PUNCT:
        i -= 1
    start = i + 1
    if end - start < 1 or not any(doc[j].pos_ in {"PROPN", "NOUN", "PRON"} for j in range(start, end)):
        return None
    return start, end
