"""The extraction stages over one parsed Doc, in order.

1. quote marks (quotemarks)      4. uncued quotes: continuation or neighbouring sentence
2. cues and content (attribution) 5. speaker resolution in text order (speakers)
3. direct quotes near a cue       6. when it was said (dates), kind and confidence
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from quoteline.models import Quote, QuoteKind, Span
from quoteline.nlp.attribution import Attribution, find_attributions, is_cue, source_of
from quoteline.nlp.dates import DateHit, find_date
from quoteline.nlp.lexicon import anaphoric_times, work_cues
from quoteline.nlp.nominal import nominal_attributions
from quoteline.nlp.quotemarks import QuoteSpan, find_quote_spans, markup_spans
from quoteline.nlp.sents import entities, sentence
from quoteline.nlp.speakers import Person, Resolution, SpeakerIndex

EDGE = " \t\r\n\u00a0,;:—–-"
QUOTE_CHARS = "“”\"‘’«»„"
WORD_RE = re.compile(r"\w+")
MIN_SPEECH_WORDS = 4
ONE_WORD_OBJECTS = {"him", "her", "them", "me", "us", "it"}
BESIDE_QUOTES = {"speech", "direct", "belief"}  # cue classes that can attribute an adjacent quote


@dataclass(slots=True)
class Candidate:
    """A quote before speaker and date resolution."""

    start: int
    end: int
    cue: tuple[int, int] | None  # char span
    cue_tok: Token | None
    source: tuple[int, int] | None  # token range
    how: str  # cue, colon, dash, continuation, neighbour
    cue_class: str = "speech"
    inherit: Candidate | None = None  # continuation of this earlier quote
    neighbour: tuple[int, int] | None = None  # token range of the sentence naming the speaker
    speaker: str | None = None
    title: str | None = None
    person: Person | None = None
    said: DateHit | None = None


class DocView:
    """Char/token geometry of one Doc, computed once."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.text = doc.text
        self.starts = [t.idx for t in doc]
        self.quotes: list[QuoteSpan] = find_quote_spans(self.text)
        self.quote_tokens = [self.tokens_of(*q.inner) for q in self.quotes]
        self.quoted = frozenset(i for s, e in self.quote_tokens for i in range(s, e))
        self.opens = [q.open for q in self.quotes]  # sorted: quotes come in text order
        tags = [self.tokens_of(s, e) for s, e in markup_spans(self.text)]
        self.markup = frozenset(i for s, e in tags for i in range(s, e))

    def tokens_of(self, start: int, end: int) -> tuple[int, int]:
        """Token range covering chars [start, end)."""
        return bisect.bisect_left(self.starts, start), bisect.bisect_left(self.starts, end)

    def chars_of(self, start: int, end: int) -> tuple[int, int]:
        """Char range of tokens [start, end)."""
        last = self.doc[end - 1]
        return self.doc[start].idx, last.idx + len(last.text)

    def in_quote(self, char: int) -> QuoteSpan | None:
        """The quote span whose marks enclose ``char``."""
        k = bisect.bisect_right(self.opens, char) - 1
        if k >= 0 and self.quotes[k].open <= char <= self.quotes[k].close:
            return self.quotes[k]
        return None


def quotes_in_doc(doc: Doc, published: dt.date | None) -> list[Quote]:
    """Every attributed quote in ``doc``, in text order."""
    if not doc.text.strip() or len(doc) == 0:
        return []
    view = DocView(doc)
    used: set[int] = set()
    skip = view.quoted | view.markup  # no cue inside quotes or markup tags
    atts = find_attributions(doc, skip) + nominal_attributions(doc, skip)
    atts.sort(key=lambda a: a.cue.i)
    cands = _from_cues(view, atts, used)
    cands += _uncued(view, cands, used)
    cands.sort(key=lambda c: (c.start, c.end))
    cands = _dedupe(cands)
    cands = [c for c in cands if not _inside_other(view, c, cands)]
    _resolve(view, cands, published)
    return [q for c in cands if (q := _to_quote(view, c)) is not None]


# ---------------------------------------------------------------- 2: cue content
def _from_cues(view: DocView, atts: list[Attribution], used: set[int]) -> list[Candidate]:
    clauses = [(a.content, a.cue.i) for a in atts if not a.np_object and not a.whole]
    out: list[Candidate] = []
    for att in atts:
        if _nested(att, clauses):
            continue  # a report inside someone's reported clause is part of their statement
        out.extend(_att_candidates(view, att, used))
    return out


def _nested(att: Attribution, clauses: list[tuple[tuple[int, int], int]]) -> bool:
    """True when the cue sits inside another cue's clause (and that cue is not, in turn, inside
    this one's: "X told her that Y, according to Z" hangs each on the other)."""
    s0, e0 = att.content
    return any(
        s <= att.cue.i < e and (s, e) != att.content and not s0 <= cue < e0 for (s, e), cue in clauses
    )


def _core(view: DocView, att: Attribution) -> tuple[int, int]:
    """Token range of "X said" inside an interrupted clause (source through cue, commas too)."""
    start = min(att.cue.i, att.source[0]) if att.source else att.cue.i
    end = max(att.cue_end, att.source[1]) if att.source else att.cue_end
    doc = view.doc
    while start > 0 and doc[start - 1].text in {",", "—", "–"}:
        start -= 1
    while end < len(doc) and doc[end].text in {",", "—", "–"}:
        end += 1
    return start, end


def _att_candidates(view: DocView, att: Attribution, used: set[int]) -> list[Candidate]:
    cs, ce = att.content
    pieces = [(cs, ce)]
    if cs <= att.cue.i < ce and not att.whole:
        ks, ke = _core(view, att)
        pieces = [p for p in ((cs, ks), (ke, ce)) if p[1] > p[0]]
        if not pieces:
            return []
    spans = [view.chars_of(s, e) for s, e in pieces]
    spans = [_widen(view, s, e) for s, e in spans]
    quoted = [i for i, q in enumerate(view.quotes) if any(q.open < e and s <= q.close for s, e in spans)]
    cue_chars = view.chars_of(att.cue.i, att.cue_end)

    def make(s: int, e: int) -> Candidate:
        return Candidate(s, e, cue_chars, att.cue, att.source, "cue", att.cue_class)

    if quoted and all(_only_quotes(view, s, e) for s, e in spans):
        used.update(quoted)
        return [make(*view.quotes[i].inner) for i in quoted]
    used.update(quoted)
    if len(spans) == 2 and all(_substantial(view, *p) for p in pieces):
        return [make(s, e) for s, e in spans]
    if len(spans) == 2 and not _substantial(view, *pieces[0]) and att.cue.dep_ != "parataxis":
        return [make(*spans[1])]
    return [make(min(s for s, _ in spans), max(e for _, e in spans))]


def _widen(view: DocView, start: int, end: int) -> tuple[int, int]:
    """Extend a char range so that no quote span is cut in half."""
    for q in view.quotes:
        if q.open < end and start <= q.close:
            start, end = min(start, q.open), max(end, q.outer[1])
    return start, end


def _only_quotes(view: DocView, start: int, end: int) -> bool:
    """True when [start, end) holds nothing but quote spans (and punctuation or "that")."""
    rest = view.text[start:end]
    for q in view.quotes:
        if q.open >= start and q.close < end:
            a, b = q.open - start, q.outer[1] - start
            rest = rest[:a] + " " * (b - a) + rest[b:]
    words = WORD_RE.findall(rest)
    return not words or words == ["that"]


def _substantial(view: DocView, start: int, end: int) -> bool:
    toks = view.doc[start:end]
    words = [t for t in toks if not t.is_punct and not t.is_space]
    return len(words) >= 3 and any(t.pos_ in {"VERB", "AUX"} for t in toks)


# ---------------------------------------------------------------- 3, 4: uncued quotes
def _uncued(view: DocView, cands: list[Candidate], used: set[int]) -> list[Candidate]:
    out: list[Candidate] = []
    for i, q in enumerate(view.quotes):
        if i in used:
            continue
        if not _speech_like(view, q):
            # a short quote right beside its cue is still speech: “Absolutely not,” she said.
            cand = _near_cue(view, q, max_dist=2) if _closes_clause(view, q) else None
            if cand is None and _closes_clause(view, q) and _opens_sentence(view, q):
                cand = _continuation(view, q, cands + out)  # “A,” she said. “Not yet.”
            if cand is not None:
                out.append(cand)
            continue
        cand = _colon_or_dash(view, q) or _near_cue(view, q)
        if cand is None:
            cand = _continuation(view, q, cands + out) or _neighbour(view, q)
        if cand is not None:
            out.append(cand)
    return out


def _speech_like(view: DocView, q: QuoteSpan) -> bool:
    """Not a scare quote, a title or a nickname: enough words, and not introduced as a name."""
    s, e = q.inner
    words = WORD_RE.findall(view.text[s:e])
    if len(words) < MIN_SPEECH_WORDS:
        return False
    before = WORD_RE.findall(view.text[max(0, q.open - 30) : q.open].lower())[-2:]
    if any(w in work_cues() for w in before):
        return False
    ts, te = view.tokens_of(s, e)
    has_verb = any(t.pos_ in {"VERB", "AUX"} for t in view.doc[ts:te])
    titled = all(w[:1].isupper() for w in words if len(w) > 3)
    return has_verb and not (titled and len(words) < 8)


def _opens_sentence(view: DocView, q: QuoteSpan) -> bool:
    """True when the quote starts a sentence: after . ! ? or a line break."""
    before = view.text[: q.open].rstrip(" ")
    return not before or before[-1] in ".!?\n"


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


def _near_cue(view: DocView, q: QuoteSpan, max_dist: int = 12) -> Candidate | None:
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
    return Candidate(*q.inner, view.chars_of(tok.i, tok.i + 1), tok, source_of(tok, view.quoted), "cue")


def _sentence_between(view: DocView, q: QuoteSpan, tok: Token) -> bool:
    """True when a sentence or paragraph ends between the quote and the cue (outside the marks)."""
    a, b = (q.outer[1], tok.idx) if tok.idx > q.close else (tok.idx + len(tok.text), q.open)
    ts, te = view.tokens_of(a, b)
    return any(t.text in {".", "!", "?"} or "\n" in t.text for t in view.doc[ts:te])  # not "Mr."


def _colon_or_dash(view: DocView, q: QuoteSpan) -> Candidate | None:
    """"X: “...”" and "“...” — X": the name beside the mark is the source."""
    text = view.text
    before = text[: q.open].rstrip()
    if before.endswith(":"):
        colon = len(before) - 1
        ts, _ = view.tokens_of(colon, colon + 1)
        sent = sentence(view.doc[max(0, ts - 1)])
        src = _subject_before(view, sent.start, ts)
        if src is not None:
            return Candidate(*q.inner, (colon, colon + 1), None, src, "colon")
    after = text[q.outer[1] :]
    stripped = after.lstrip()
    if stripped[:1] in {"—", "–"} or stripped.startswith("- "):
        dash = q.outer[1] + (len(after) - len(stripped))
        ts, _ = view.tokens_of(dash + 1, dash + 2)
        src = _name_after(view, ts)
        if src is not None:
            return Candidate(*q.inner, (dash, dash + 1), None, src, "dash")
    return None


def _subject_before(view: DocView, start: int, end: int) -> tuple[int, int] | None:
    """The subject of the clause before a colon ("Trump said:" or "Trump:")."""
    toks = view.doc[start:end]
    for tok in toks:
        if tok.dep_ in {"nsubj", "nsubjpass"}:
            poss = next((c for c in tok.children if c.dep_ == "poss" and c.pos_ in {"PRON", "PROPN"}), None)
            if poss is not None:  # "Her advice was blunt:" - she is the speaker
                return poss.left_edge.i, poss.i + 1
            return tok.left_edge.i, tok.i + 1
    names = [t for t in toks if t.ent_type_ in {"PERSON", "ORG"}]
    if names and names[-1].i >= end - 4:
        ent = next(e for e in entities(view.doc) if e.start <= names[-1].i < e.end)
        return ent.start, ent.end
    return None


def _name_after(view: DocView, ts: int) -> tuple[int, int] | None:
    for ent in entities(view.doc):
        if ent.start >= ts and ent.start <= ts + 1 and ent.label_ in {"PERSON", "ORG"}:
            return ent.start, ent.end
    return None


def _continuation(view: DocView, q: QuoteSpan, prior: list[Candidate]) -> Candidate | None:
    """A quote with no cue right after a quote by a known speaker continues that speaker.

    Between the two there may be a few words, or the first quote's own attribution
    ("“A,” said X, referring to Y. “B.”"), but no other quotation and no paragraph break
    beyond the usual one."""
    before = [c for c in prior if c.end <= q.open and c.how in {"cue", "colon", "dash", "continuation"}]
    before.sort(key=lambda c: c.end, reverse=True)
    prev = next((c for c in before[:8] if _is_quoted_cand(view, c)), None)
    if prev is None:
        return None
    gap = view.text[prev.end : q.open]
    if any(prev.end < other.open < q.open for other in view.quotes):
        return None
    own_cue = prev.cue is not None and prev.end <= prev.cue[0] and prev.cue[1] <= q.open
    if own_cue and "\n" not in gap:
        return Candidate(*q.inner, None, None, None, "continuation", inherit=prev)
    gap_words = WORD_RE.findall(gap)
    if len(gap_words) > 3 or (gap.count("\n") > 2 and gap_words):
        return None
    return Candidate(*q.inner, None, None, None, "continuation", inherit=prev)


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
    if subj is None or not (subj.ent_type_ == "PERSON" or subj.lower_ in {"he", "she"}):
        return None
    return Candidate(*q.inner, None, None, (subj.left_edge.i, subj.i + 1), "neighbour",
                     neighbour=(prev.start, prev.end))


def _inside_other(view: DocView, c: Candidate, cands: list[Candidate]) -> bool:
    """True for a reported statement whose cue lies inside a longer one ("praised the plan to
    support X"): it is part of that statement. Quoted words stay: they are someone's own."""
    if c.cue is None or c.how != "cue" or _kind(view, c.start, c.end) != "indirect":
        return False
    size = c.end - c.start
    return any(o.start <= c.cue[0] < o.end and o.end - o.start > size for o in cands if o is not c)


def _dedupe(cands: list[Candidate]) -> list[Candidate]:
    out: list[Candidate] = []
    seen: set[tuple[int, int]] = set()
    for c in cands:
        key = (c.start, c.end)
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


# ---------------------------------------------------------------- 5, 6: speakers, dates
def _resolve(view: DocView, cands: list[Candidate], published: dt.date | None) -> None:
    index = SpeakerIndex(view.doc)
    salient: list[Person] = []
    last_date: DateHit | None = None
    for c in cands:
        _speaker(index, c, salient)
        c.said = _said_on(view, c, published, last_date)
        if c.said is not None:
            last_date = c.said


def _speaker(index: SpeakerIndex, c: Candidate, salient: list[Person]) -> None:
    if c.inherit is not None:
        c.speaker, c.title, c.person = c.inherit.speaker, c.inherit.title, c.inherit.person
    elif c.source is not None:
        res: Resolution = index.resolve(c.source[0], c.source[1], salient)
        c.speaker, c.title, c.person = res.speaker, res.title, res.person
        if res.how == "pronoun" and res.person is not None:
            pron = index.doc[c.source[0]]
            res.person.subject_mentions.append(pron.idx)  # "she said" keeps her salient
            if res.person.gender is None:
                res.person.gender = {"he": "m", "him": "m", "she": "f", "her": "f"}.get(pron.lower_)
    if c.person is not None:
        if c.person in salient:
            salient.remove(c.person)
        salient.append(c.person)


def _said_on(
    view: DocView, c: Candidate, published: dt.date | None, last: DateHit | None
) -> DateHit | None:
    if c.inherit is not None:
        return c.inherit.said
    toks = _context_tokens(view, c)
    context = " ".join(t.lower_ for t in toks)
    if last is not None and any(p in context for p in anaphoric_times()):
        return DateHit(last.day, next(p for p in anaphoric_times() if p in context))
    return find_date(toks, published)


def _context_tokens(view: DocView, c: Candidate) -> list[Token]:
    """The words around the cue that can date the statement (never the statement itself)."""
    if c.neighbour is not None:
        return list(view.doc[c.neighbour[0] : c.neighbour[1]])
    if c.cue_tok is None:
        return []
    cs, ce = view.tokens_of(c.start, c.end)
    sent = sentence(c.cue_tok)
    sub = {t.i for t in c.cue_tok.subtree} | {t.i for t in c.cue_tok.children}
    head = c.cue_tok.head
    if c.cue_tok.dep_ in {"parataxis", "ccomp"} and head.i != c.cue_tok.i:
        sub |= {t.i for t in head.children if t.dep_ in {"npadvmod", "prep"} and t.i > c.cue_tok.i}
    return [view.doc[i] for i in sorted(sub)
            if not cs <= i < ce and sent.start <= i < sent.end and not view.in_quote(view.doc[i].idx)]


# ---------------------------------------------------------------- output
def _kind(view: DocView, start: int, end: int) -> QuoteKind:
    if any(q.open < start and end <= q.close for q in view.quotes):
        return "direct"
    if any(ch in QUOTE_CHARS for ch in view.text[start:end]):
        inner = [q for q in view.quotes if start <= q.open and q.close < end]
        return "mixed" if inner else "indirect"
    return "indirect"


CONFIDENCE = {"cue": 0.9, "colon": 0.85, "dash": 0.85, "continuation": 0.75, "neighbour": 0.7}
CLASS_FACTOR = {"speech": 1.0, "report": 0.85, "belief": 0.7, "intent": 0.6, "attitude": 0.6}
KIND_FACTOR = {"direct": 1.0, "mixed": 0.95, "indirect": 0.85}


def _to_quote(view: DocView, c: Candidate) -> Quote | None:
    start, end = _strip(view.text, c.start, c.end)
    if end <= start:
        return None
    kind = _kind(view, start, end)
    if kind != "direct" and not _statement(view, start, end):
        return None  # "who said when": a fragment, not a statement
    conf = CONFIDENCE[c.how] * CLASS_FACTOR.get(c.cue_class, 0.6) * KIND_FACTOR[kind]
    if c.speaker is None:
        conf *= 0.6
    source = None
    if c.source is not None:
        s, e = view.chars_of(*c.source)
        source = Span.of(view.text, s, e)
    cue = Span.of(view.text, *c.cue) if c.cue else None
    return Quote(
        start=start, end=end, text=view.text[start:end], kind=kind, cue=cue, source=source,
        speaker=c.speaker, speaker_title=c.title,
        said_on=c.said.day if c.said else None, said_on_basis=c.said.basis if c.said else None,
        confidence=round(conf, 3),
    )


def _statement(view: DocView, start: int, end: int) -> bool:
    """Two words or more, or one that names someone or something ("endorsed Sanders", "praised
    him", "opposes abortion")."""
    words = WORD_RE.findall(view.text[start:end])
    if len(words) != 1:
        return len(words) > 1
    ts, te = view.tokens_of(start, end)
    return any(t.pos_ in {"PROPN", "NOUN"} or t.lower_ in ONE_WORD_OBJECTS for t in view.doc[ts:te])


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in EDGE:
        start += 1
    while end > start and text[end - 1] in EDGE:
        end -= 1
    return start, end
