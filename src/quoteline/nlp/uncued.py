"""Quotations that no cue's content took: a cue beside them, a colon or dash, a continuation of
the previous speaker, or a person named in the sentence before."""

from __future__ import annotations

import bisect
import re

from spacy.tokens import Span, Token

from quoteline.nlp.attribution import is_cue, source_of
from quoteline.nlp.candidates import Candidate, DocView, EarlierQuotes
from quoteline.nlp.lexicon import person_subjects, work_cues
from quoteline.nlp.options import ExtractOptions
from quoteline.nlp.quotemarks import QuoteSpan
from quoteline.nlp.sents import entities_from, entity_at, sentence

WORD_RE = re.compile(r"\w+")
BESIDE_QUOTES = {"speech", "direct", "belief"}  # cue classes that can attribute an adjacent quote
NAME_LABELS = {"PERSON", "ORG"}
ANCHORS = frozenset({"cue", "colon", "dash"})  # ways a quote is tied to its speaker directly


def uncued(view: DocView, cands: list[Candidate], used: set[int],
           opts: ExtractOptions) -> list[Candidate]:
    """A candidate for each quotation not in ``used`` that something attributes, in text order."""
    out: list[Candidate] = []
    earlier = EarlierQuotes(cands)
    for i, q in enumerate(view.quotes):
        if i in used:
            continue
        cand = _continued(view, i, earlier, opts) if q.paragraph_continued else None
        cand = cand or _attribute(view, q, earlier, opts)
        if cand is not None:
            out.append(cand)
            earlier.add(cand)
    return _share_cue(view, cands, out)


def _chains(view: DocView) -> list[list[int]]:
    """The quote spans of each multi-paragraph quote (two pieces or more), by index."""
    chains: list[list[int]] = []
    for i, q in enumerate(view.quotes):
        if q.paragraph_continued and chains and chains[-1][-1] == i - 1:
            chains[-1].append(i)
        else:
            chains.append([i])
    return [c for c in chains if len(c) > 1]


def _share_cue(view: DocView, cands: list[Candidate], out: list[Candidate]) -> list[Candidate]:
    """Every paragraph of a multi-paragraph quote continues the one whose cue, colon or dash
    names the speaker ("“A.⏎⏎“B,” she said."): the cue may come in a later paragraph."""
    owner: dict[int, Candidate] = {}
    for cand in cands + out:
        for k in view.touching(cand.start, cand.end):
            owner.setdefault(k, cand)
    for chain in _chains(view):
        anchor = next((owner[k] for k in chain if k in owner and owner[k].how in ANCHORS), None)
        if anchor is None:
            continue
        for k in chain:
            c = owner.get(k)
            if c is anchor or (c is not None and c.how in ANCHORS):
                continue
            new = Candidate(*view.quotes[k].inner, None, None, None, "continuation",
                            "continuation", inherit=anchor)
            if c is not None and c in out:
                out[out.index(c)] = new
            elif c is None:
                out.append(new)
    return out


def _attribute(view: DocView, q: QuoteSpan, earlier: EarlierQuotes,
               opts: ExtractOptions) -> Candidate | None:
    if not _speech_like(view, q, opts):
        if _headline_tail(view, q, opts):  # "Mayor Quits: ‘No Fuel Left in the Engine’"
            return _colon_or_dash(view, q)
        if not _closes_clause(view, q):
            return None
        # a short quote right beside its cue is still speech: “Absolutely not,” she said.
        cand = _near_cue(view, q, opts.short_quote_reach)
        if cand is None and _opens_sentence(view, q):
            cand = _continuation(view, q, earlier, opts)  # “A,” she said. “Not yet.”
        return cand
    cand = _colon_or_dash(view, q) or _near_cue(view, q, opts.cue_reach)
    if cand is None:
        cand = (_continuation(view, q, earlier, opts) or _rest_of_report(view, q, earlier)
                or _neighbour(view, q))
    return cand


def _rest_of_report(view: DocView, q: QuoteSpan, earlier: EarlierQuotes) -> Candidate | None:
    """A quotation that goes on from a reported statement's last word, in its sentence ("She
    said she had hoped to stay on, “but I have not been able to do that”."): the reporter
    hands over to the speaker's own words, so the speaker is the report's."""
    prev = next(iter(earlier.latest(q.open, 1)), None)
    if prev is None or prev.how != "cue" or prev.cue_class not in BESIDE_QUOTES:
        return None
    if prev.cue is None or prev.cue[0] > prev.start or WORD_RE.search(view.text[prev.end : q.open]):
        return None  # the cue after the content ("..., she said") leaves nothing to go on from
    if any(ch in ".!?\n" for ch in view.text[prev.end : q.open]):
        return None
    return Candidate(*q.inner, None, None, None, "continuation", "continuation", inherit=prev)


def _speech_like(view: DocView, q: QuoteSpan, opts: ExtractOptions) -> bool:
    """Not a scare quote, a title or a nickname: enough words, and not introduced as a name."""
    s, e = q.inner
    words = WORD_RE.findall(view.text[s:e])
    if len(words) < opts.min_speech_words:
        return False
    if _named_work(view, q, opts):
        return False
    ts, te = view.tokens_of(s, e)
    has_verb = any(t.pos_ in {"VERB", "AUX"} for t in view.doc[ts:te])
    titled = all(w[:1].isupper() for w in words if len(w) > 3)
    return has_verb and not (titled and len(words) < opts.title_words)


def _named_work(view: DocView, q: QuoteSpan, opts: ExtractOptions) -> bool:
    """Whether the words just before the quote introduce it as a name ("the film ‘X’")."""
    before = WORD_RE.findall(view.text[max(0, q.open - opts.work_cue_chars) : q.open].lower())[-2:]
    return any(w in work_cues() for w in before)


def _headline_tail(view: DocView, q: QuoteSpan, opts: ExtractOptions) -> bool:
    """Whether a quote without a verb closes a headline after a colon that follows the person
    it is about ("Tired Mayor Tom Baker Quits: ‘No Fuel Left in the Engine’"): in that layout
    the quoted words are that person's, however short, and whatever case they are set in."""
    text = view.text
    colon = _before_spaces(text, q.open, " ")
    line = text.rfind("\n", 0, q.open) + 1
    rest = text[q.outer[1] : text.find("\n", q.outer[1]) % (len(text) + 1)]
    if colon < line or text[colon] != ":" or rest.strip() or _named_work(view, q, opts):
        return False
    if len(WORD_RE.findall(text[q.inner[0] : q.inner[1]])) < opts.headline_content_tokens:
        return False
    head = text[line:colon]
    if any(ch in ".!?" for ch in head) or any(w in work_cues() for w in WORD_RE.findall(head.lower())):
        return False  # a sentence of the body; a headline presenting a work ("New Film: ‘X’")
    ts, _ = view.tokens_of(colon, colon + 1)
    src = _subject_before(view, view.tokens_of(line, line)[0], ts)
    subject = view.doc[src[1] - 1] if src is not None else None
    return subject is not None and subject.pos_ == "PROPN" and subject.ent_type_ in {"", "PERSON"}


def _opens_sentence(view: DocView, q: QuoteSpan) -> bool:
    """True when the quote starts a sentence: after . ! ? or a line break."""
    i = _before_spaces(view.text, q.open, " ")
    return i < 0 or view.text[i] in ".!?\n"


def _before_spaces(text: str, at: int, spaces: str | None = None) -> int:
    """The index of the last character before ``at`` that is not a space (any whitespace when
    ``spaces`` is None), or -1. A scan, not a copy of the text before ``at``."""
    i = at - 1
    while i >= 0 and (text[i] in spaces if spaces is not None else text[i].isspace()):
        i -= 1
    return i


def _after_spaces(text: str, at: int) -> int:
    """The index of the first character from ``at`` on that is not whitespace, or len(text)."""
    while at < len(text) and text[at].isspace():
        at += 1
    return at


def _sentence_range(view: DocView, q: QuoteSpan) -> tuple[int, int]:
    ts, te = view.tokens_of(*q.outer)
    doc = view.doc
    first = sentence(doc[min(ts, len(doc) - 1)])
    last = sentence(doc[max(0, min(te, len(doc)) - 1)])
    return first.start, last.end


def _closes_clause(view: DocView, q: QuoteSpan) -> bool:
    """True when the quoted words end with , ! ? or . inside the marks (a full utterance)."""
    inner = view.text[q.inner[0] : q.inner[1]].rstrip()
    return len(WORD_RE.findall(inner)) >= 1 and inner[-1:] in {",", "!", "?", "."}


def _near_cue(view: DocView, q: QuoteSpan, max_dist: int) -> Candidate | None:
    """A speech cue in the quote's own sentence(s), outside any quote: “...,” she said."""
    s0, s1 = _sentence_range(view, q)
    gap = view.text[q.outer[1] : view.doc[s1].idx] if s1 < len(view.doc) else "\n"
    if not gap.strip() and "\n" not in gap:
        s1 = sentence(view.doc[s1]).end  # the parser may split off a trailing "Dr. Nwosu said."
    qs, qe = view.tokens_of(*q.outer)
    best: tuple[int, Token] | None = None
    for tok in view.doc[s0:s1]:
        if view.in_quote(tok.idx) or is_cue(tok) not in BESIDE_QUOTES or _sentence_between(view, q, tok):
            continue
        dist = qs - tok.i if tok.i < qs else tok.i - qe
        if best is None or dist < best[0]:
            best = (dist, tok)
    if best is None or best[0] > max_dist:
        return None
    tok = best[1]
    if any(c.dep_ == "nsubj" and c.left_edge.i <= qs and qe <= c.right_edge.i + 1 for c in tok.children):
        return None  # a title inside the speaker's description: "the author of “X,” said"
    return Candidate(*q.inner, view.chars_of(tok.i, tok.i + 1), tok, source_of(tok, view.quoted),
                     "cue", "beside_cue")


def _sentence_between(view: DocView, q: QuoteSpan, tok: Token) -> bool:
    """True when a sentence or paragraph ends between the quote and the cue (outside the marks)."""
    a, b = (q.outer[1], tok.idx) if tok.idx > q.close else (tok.idx + len(tok.text), q.open)
    ts, te = view.tokens_of(a, b)
    return any(t.text in {".", "!", "?"} or "\n" in t.text for t in view.doc[ts:te])  # not "Mr."


def _colon_or_dash(view: DocView, q: QuoteSpan) -> Candidate | None:
    """"X: “...”" and "“...” — X": the name beside the mark is the source."""
    text = view.text
    colon = _before_spaces(text, q.open)
    if colon >= 0 and text[colon] == ":":
        ts, _ = view.tokens_of(colon, colon + 1)
        sent = sentence(view.doc[max(0, ts - 1)])
        src = _subject_before(view, sent.start, ts)
        if src is not None:
            return Candidate(*q.inner, (colon, colon + 1), None, src, "colon", "colon")
    dash = _after_spaces(text, q.outer[1])
    if text[dash : dash + 1] in {"—", "–"} or text.startswith("- ", dash):
        ts, _ = view.tokens_of(dash + 1, dash + 2)
        src = _name_after(view, ts)
        if src is not None:
            return Candidate(*q.inner, (dash, dash + 1), None, src, "dash", "dash")
    return None


def _subject_before(view: DocView, start: int, end: int) -> tuple[int, int] | None:
    """The subject of the clause before a colon ("Trump said:" or "Trump:")."""
    toks = view.doc[start:end]
    # A speech verb's subject ("Asked whether X were ..., he said:", "as X observed, Y was
    # ...:"), else the main clause's, else the first.
    subjects = [t for t in toks if t.dep_ in {"nsubj", "nsubjpass"}]
    speaking = [t for t in subjects if is_cue(t.head) in BESIDE_QUOTES]
    main = [t for t in subjects if t.head.dep_ == "ROOT"]
    for tok in (speaking[-1:] or main[:1] or subjects[:1]):
        poss = next((c for c in tok.children if c.dep_ == "poss" and c.pos_ in {"PRON", "PROPN"}), None)
        if poss is not None:  # "Her advice was blunt:" - she is the speaker
            return poss.left_edge.i, poss.i + 1
        return tok.left_edge.i, tok.i + 1
    people = [t for t in toks if t.ent_type_ == "PERSON"]
    line_start = start == 0 or "\n" in view.doc[start - 1].text
    if people and line_start:  # "Bob Stoops on beating his brother, Mark:": the line's topic
        ent = _entity_at(view, people[0].i)
        return ent.start, ent.end
    names = [t for t in toks if t.ent_type_ in NAME_LABELS]
    if names and names[-1].i >= end - 4:
        ent = _entity_at(view, names[-1].i)
        return ent.start, ent.end
    return None


def _entity_at(view: DocView, i: int) -> Span:
    """The entity holding token ``i`` (one exists: the token carries an entity type)."""
    ent = entity_at(view.doc, i)
    assert ent is not None
    return ent


def _name_after(view: DocView, ts: int) -> tuple[int, int] | None:
    """The name that starts at token ``ts`` or the one after it ("“...” — Maria Lopez")."""
    for ent in entities_from(view.doc, ts):
        if ent.start > ts + 1:
            break
        if ent.label_ in NAME_LABELS:
            return ent.start, ent.end
    return None


def _continuation(view: DocView, q: QuoteSpan, earlier: EarlierQuotes,
                  opts: ExtractOptions) -> Candidate | None:
    """A quote with no cue right after a quote by a known speaker continues that speaker.

    Between the two there may be a few words, or the first quote's own attribution
    ("“A,” said X, referring to Y. “B.”"), but no other quotation and no paragraph break
    beyond the usual one."""
    latest = earlier.latest(q.open, opts.continuation_lookback)
    prev = next((c for c in latest if _is_quoted_cand(view, c)), None)
    if prev is None or view.opens_between(prev.end, q.open):
        return None
    gap = view.text[prev.end : q.open]
    cue = prev.cue
    own_cue = cue is not None and prev.end <= cue[0] and cue[1] <= q.open
    if cue is not None and own_cue:  # “A,” he told the BBC.⏎⏎“B”: after the cue's sentence
        gap = _after_sentence(view.text, cue[1], q.open)
    if not (own_cue and "\n" not in gap):
        gap_words = WORD_RE.findall(gap)
        if len(gap_words) > opts.continuation_gap_words or (
                gap.count("\n") > opts.continuation_breaks and gap_words):
            return None
    return Candidate(*q.inner, None, None, None, "continuation", "continuation", inherit=prev)


def _continued(view: DocView, i: int, earlier: EarlierQuotes,
               opts: ExtractOptions) -> Candidate | None:
    """A later paragraph of a multi-paragraph quote: its own cue beside it ("“...,” he
    added."), else the speaker of the paragraph before."""
    q = view.quotes[i]
    cand = _near_cue(view, q, opts.cue_reach)
    if cand is not None or i == 0:
        return cand
    before = view.quotes[i - 1].inner
    for prev in earlier.latest(q.open, opts.continuation_lookback, loose=False):
        if prev.start < before[1] and before[0] < prev.end:
            return Candidate(*q.inner, None, None, None, "continuation", "continuation",
                             inherit=prev)
    return None


def _after_sentence(text: str, at: int, end: int) -> str:
    """text[at:end] from the end of the sentence that holds ``at`` (all of it when none ends)."""
    for i in range(at, end):
        if text[i] in ".!?":
            return text[i + 1 : end]
    return text[at:end]


def _is_quoted_cand(view: DocView, c: Candidate) -> bool:
    """True when the candidate lies in quotation marks or contains some."""
    if view.in_quote(c.start) is not None:
        return True
    k = bisect.bisect_left(view.opens, c.start)
    return k < len(view.opens) and view.opens[k] < c.end


def _neighbour(view: DocView, q: QuoteSpan) -> Candidate | None:
    """“...” right after a sentence whose subject is a person: that person speaks."""
    s0, _ = _sentence_range(view, q)
    if view.text[view.doc[s0].idx : q.open].strip() or s0 == 0:
        return None
    prev = sentence(view.doc[s0 - 1])
    root = prev.root
    subj = next((c for c in root.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
    if subj is None or not (subj.ent_type_ == "PERSON" or subj.lower_ in person_subjects()):
        return None
    return Candidate(*q.inner, None, None, (subj.left_edge.i, subj.i + 1), "neighbour", "neighbour",
                     neighbour=(prev.start, prev.end))
