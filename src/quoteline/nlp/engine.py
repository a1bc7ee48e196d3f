"""The extraction engine: ``STAGES``, the named stages in the order they run over one Doc.

Each stage takes the document's state, the candidates so far and the ``ExtractOptions``, and
returns the candidates for the next stage. docs/extraction.md describes each stage; a test
keeps its table equal to ``STAGES``.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from spacy.tokens import Doc

from quoteline.models import Quote, QuoteKind, Span
from quoteline.nlp.acts import act_of
from quoteline.nlp.attribution import find_attributions
from quoteline.nlp.candidates import Candidate, DocState, DocView, root
from quoteline.nlp.cued import from_cues
from quoteline.nlp.dates import DateHit
from quoteline.nlp.layouts import layouts
from quoteline.nlp.lexicon import one_word_objects, pronouns
from quoteline.nlp.mentions import label_lines
from quoteline.nlp.nominal import nominal_attributions
from quoteline.nlp.options import ExtractOptions
from quoteline.nlp.quotemarks import find_quote_spans, markup_spans, paragraphs
from quoteline.nlp.scoring import Features
from quoteline.nlp.speakers import Person, SpeakerIndex
from quoteline.nlp.uncued import uncued
from quoteline.nlp.when import said_on

EDGE = " \t\r\n\u00a0,;:—–-"
QUOTE_CHARS = "“”\"‘’«»„"
WORD_RE = re.compile(r"\w+")

StageFn = Callable[[DocState, list[Candidate], ExtractOptions], list[Candidate]]


@dataclass(frozen=True, slots=True)
class Stage:
    """One named step of the engine and the modules that hold its rules."""

    name: str
    run: StageFn
    modules: tuple[str, ...]


def quote_marks(state: DocState, cands: list[Candidate], opts: ExtractOptions) -> list[Candidate]:
    """Pair the quotation marks of each paragraph; find markup tags (no cue lies inside either)."""
    text = state.view.text
    state.view.set_quotes(find_quote_spans(text), markup_spans(text))
    return cands


def cues(state: DocState, cands: list[Candidate], opts: ExtractOptions) -> list[Candidate]:
    """Find every cue outside quotes and markup, with its content and source, in text order."""
    view = state.view
    skip = view.quoted | view.markup
    atts = find_attributions(view.doc, skip, opts) + nominal_attributions(view.doc, skip)
    atts.sort(key=lambda a: a.cue.i)
    state.attributions = atts
    return cands


def cue_content(state: DocState, cands: list[Candidate], opts: ExtractOptions) -> list[Candidate]:
    """A candidate for each cue's content (or the quotes in it), cut around an interrupting cue."""
    return cands + from_cues(state.view, state.attributions, state.used, opts)


def quotes_without_cue(state: DocState, cands: list[Candidate],
                       opts: ExtractOptions) -> list[Candidate]:
    """Quotations no content took: a cue beside them, a colon or dash, a continuation, a neighbour."""
    return cands + uncued(state.view, cands, state.used, opts)


def page_layouts(state: DocState, cands: list[Candidate], opts: ExtractOptions) -> list[Candidate]:
    """Q&A answers, embedded posts with their signature lines, and lone quotation paragraphs."""
    return layouts(state.view, cands, opts)


def dedupe(state: DocState, cands: list[Candidate], opts: ExtractOptions) -> list[Candidate]:
    """Text order; of candidates with the same span, the first found; none on a line that a
    page label opens ("MORE NEWS: Witness heard '15 to 20' shots")."""
    out: list[Candidate] = []
    seen: set[tuple[int, int]] = set()
    chrome = label_lines(state.view.text)
    for c in sorted(cands, key=lambda c: (c.start, c.end)):
        if c.how != "layout" and any(s <= c.start < e for s, e in chrome):
            continue  # (a layout's answer line "A: ..." is no page label)
        if (c.start, c.end) not in seen:
            seen.add((c.start, c.end))
            out.append(c)
    return out


def nested(state: DocState, cands: list[Candidate], opts: ExtractOptions) -> list[Candidate]:
    """Drop a reported statement whose cue lies inside a longer candidate ("praised the plan to
    support X"): it is part of that statement. Quoted words stay: they are someone's own."""
    starts = [c.start for c in cands]  # sorted by the dedupe stage
    reach = max((c.end - c.start for c in cands), default=0)

    def inside_other(c: Candidate) -> bool:
        if c.cue is None or c.how != "cue" or _kind(state.view, c.start, c.end) != "indirect":
            return False
        at, size = c.cue[0], c.end - c.start
        k = bisect.bisect_right(starts, at) - 1
        while k >= 0 and starts[k] > at - reach:  # only those that start close enough can hold it
            o = cands[k]
            if o is not c and at < o.end and o.end - o.start > size:
                return True
            k -= 1
        return False

    return [c for c in cands if not inside_other(c)]


def speakers(state: DocState, cands: list[Candidate], opts: ExtractOptions) -> list[Candidate]:
    """Resolve each source mention to a speaker, in text order (pronouns follow salience)."""
    index = SpeakerIndex(state.view.doc, opts)
    salient: list[Person] = []
    for c in resolution_order(cands):
        _speaker(index, c, salient)
    return cands


def resolution_order(cands: list[Candidate]) -> list[Candidate]:
    """Text order, except that a quote continuing a later one ("“A.⏎⏎“B,” she said.") comes
    right after the one it continues."""
    def key(c: Candidate) -> tuple[int, int]:
        r = root(c)
        return (max(c.start, r.start), 0 if r is c else 1)

    return sorted(cands, key=key)


def _speaker(index: SpeakerIndex, c: Candidate, salient: list[Person]) -> None:
    if c.inherit is not None:
        r = root(c)
        c.speaker, c.title, c.person = r.speaker, r.title, r.person
        if c.how == "continuation":
            c.source = r.source  # “A,” he said. “B.”: B's speaker is mentioned as "he" too
    elif c.source is not None:
        res = index.resolve(c.source[0], c.source[1], salient)
        c.speaker, c.title, c.person = res.speaker, res.title, res.person
        if res.how == "pronoun" and res.person is not None:
            pron = index.doc[c.source[0]]
            res.person.add_subject(pron.idx)  # "she said" keeps her salient
            if res.person.gender is None:
                gender = pronouns().get(pron.lower_)
                res.person.gender = gender if gender == "m" or gender == "f" else None
    if c.person is not None and not _possessor(index.doc, c.source):
        if c.person in salient:
            salient.remove(c.person)
        salient.append(c.person)


def _possessor(doc: Doc, source: tuple[int, int] | None) -> bool:
    """"Danjuma's fear about ...": the owner of a stance noun is no speaker a later "he" means."""
    return source is not None and doc[source[0] : source[1]].root.dep_ == "poss"


def dates(state: DocState, cands: list[Candidate], opts: ExtractOptions) -> list[Candidate]:
    """``said_on`` from the words around each cue, or the previous date ("at the time")."""
    last: DateHit | None = None
    paras = paragraphs(state.view.text)
    for c in resolution_order(cands):
        c.said = said_on(state.view, paras, c, state.published, last)
        if c.said is not None:
            last = c.said
    return cands


def statements(state: DocState, cands: list[Candidate], opts: ExtractOptions) -> list[Candidate]:
    """Trim edge punctuation, tell direct, mixed and indirect apart, and drop fragments that
    state nothing ("who said when")."""
    view = state.view
    out: list[Candidate] = []
    for c in cands:
        c.start, c.end = _strip(view.text, c.start, c.end)
        if c.end <= c.start:
            continue
        c.kind = "direct" if c.verbatim else _kind(view, c.start, c.end)
        if c.kind == "direct" or _statement(view, c.start, c.end):
            out.append(c)
    return out


def acts(state: DocState, cands: list[Candidate], opts: ExtractOptions) -> list[Candidate]:
    """Each candidate's act: a statement (speech) or an ascribed belief, intention or stance
    (thought)."""
    for c in cands:
        c.act = act_of(state.view, c, opts)
    return cands


def score(state: DocState, cands: list[Candidate], opts: ExtractOptions) -> list[Candidate]:
    """Each candidate's confidence, from ``opts.scorer`` over its features."""
    for c in cands:
        c.confidence = round(opts.scorer(features(state.view, c), opts), 3)
    return cands


def features(view: DocView, c: Candidate) -> Features:
    """What the scorer sees of a candidate (after the statements stage set its kind)."""
    assert c.kind is not None, "the statements stage runs before scoring"
    return Features(rule=c.rule, how=c.how, cue_class=c.cue_class, kind=c.kind,
                    has_speaker=c.speaker is not None, has_cue=c.cue is not None,
                    words=len(WORD_RE.findall(view.text[c.start : c.end])))


STAGES: tuple[Stage, ...] = (
    Stage("quote_marks", quote_marks, ("quotemarks.py",)),
    Stage("cues", cues, ("attribution.py", "nominal.py")),
    Stage("cue_content", cue_content, ("cued.py",)),
    Stage("quotes_without_cue", quotes_without_cue, ("uncued.py",)),
    Stage("layouts", page_layouts, ("layouts.py",)),
    Stage("dedupe", dedupe, ("engine.py",)),
    Stage("nested", nested, ("engine.py",)),
    Stage("speakers", speakers, ("speakers.py",)),
    Stage("dates", dates, ("when.py", "dates.py")),
    Stage("statements", statements, ("engine.py",)),
    Stage("acts", acts, ("acts.py",)),
    Stage("score", score, ("scoring.py",)),
)


def quotes_in_doc(doc: Doc, published: dt.date | None, options: ExtractOptions | None = None,
                  stages: tuple[Stage, ...] = STAGES) -> list[Quote]:
    """Every attributed quote in ``doc``, in text order: ``stages`` run in turn."""
    if len(doc) == 0 or not doc.text.strip():
        return []
    opts = options or ExtractOptions()
    state = DocState(DocView(doc), published)
    cands: list[Candidate] = []
    for stage in stages:
        cands = stage.run(state, cands, opts)
    return [to_quote(state.view, c) for c in cands]


def to_quote(view: DocView, c: Candidate) -> Quote:
    """The public record of a candidate that went through every stage."""
    assert c.kind is not None, "the statements stage sets the kind"
    source = None
    if c.source is not None:
        s, e = view.chars_of(*c.source)
        source = Span.of(view.text, s, e)
    return Quote(
        start=c.start, end=c.end, text=view.text[c.start : c.end], kind=c.kind,
        cue=Span.of(view.text, *c.cue) if c.cue else None, source=source,
        speaker=c.speaker, speaker_title=c.title,
        said_on=c.said.day if c.said else None, said_on_basis=c.said.basis if c.said else None,
        confidence=c.confidence, rule=c.rule, act=c.act,
    )


def _kind(view: DocView, start: int, end: int) -> QuoteKind:
    k = bisect.bisect_left(view.opens, start) - 1  # the one quote that could hold the span
    if k >= 0 and end <= view.quotes[k].close:
        return "direct"
    if any(ch in QUOTE_CHARS for ch in view.text[start:end]):
        return "mixed" if view.within(start, end) else "indirect"
    return "indirect"


def _statement(view: DocView, start: int, end: int) -> bool:
    """Two words or more, or one that names someone or something ("endorsed Sanders", "praised
    him", "opposes abortion"); never a date alone."""
    words = WORD_RE.findall(view.text[start:end])
    ts, te = view.tokens_of(start, end)
    toks = view.doc[ts:te]
    if all(t.ent_type_ in {"DATE", "TIME"} or t.is_punct or t.like_num for t in toks):
        return False  # "Posted Dec 22, 2013": a date is no statement
    if len(words) != 1:
        return len(words) > 1
    return any(t.pos_ in {"PROPN", "NOUN"} or t.lower_ in one_word_objects() for t in toks)


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in EDGE:
        start += 1
    while end > start and text[end - 1] in EDGE:
        end -= 1
    return start, end
