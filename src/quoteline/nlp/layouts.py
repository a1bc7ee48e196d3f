"""The layouts stage: statements that the page's layout attributes, not a cue.

- A Q&A: answers after "A:" (with or without quotation marks), and, in a transcript (two or more
  question lines each followed by a paragraph that is one quotation), those quotations. The
  answers are the interviewee's: the speaker of the statement just before the Q&A, else nobody
  named. Whatever stood in the question lines is the interviewer's, never a quote.
- An embedded post closed by its signature line ("... — Ana Ruiz (@aruiz) January 3, 2017"):
  the body is the signer's words, said on the date signed.
- A paragraph that is one quotation and that nothing else attributes: someone's words, speaker
  unknown.

In a Q&A, a date standing on a line of its own above the answers ("DECEMBER 22, 2013",
"Posted Dec 22, 2013") dates them: a transcript is what was said that day.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from quoteline.nlp.candidates import Candidate, DocView
from quoteline.nlp.dates import DateHit
from quoteline.nlp.lexicon import months
from quoteline.nlp.options import ExtractOptions
from quoteline.nlp.quotemarks import QuoteSpan, paragraphs
from quoteline.nlp.when import date_line

ANSWER_LABEL = re.compile(r"(?:A|Answer)\s*[:.]\s*", re.IGNORECASE)
QUESTION_LABEL = re.compile(r"(?:Q|Question)\s*[:.]", re.IGNORECASE)
SIGNATURE = re.compile(
    r"\s[—–-]{1,2}\s*(?P<name>[^\s—–()@][^—–()@\n]{1,60}?)\s*\((?P<handle>@\w{1,40})\)\s*"
    r"(?P<month>[A-Z][a-z]{2,8})\.?\s+(?P<day>\d{1,2}),\s+(?P<year>\d{4})\s*$")
WORD_RE = re.compile(r"\w+")


@dataclass(slots=True)
class _Para:
    start: int
    end: int
    text: str


def layouts(view: DocView, cands: list[Candidate], opts: ExtractOptions) -> list[Candidate]:
    """``cands`` with the answers, posts and lone quotations the layout attributes."""
    spans = paragraphs(view.text)
    paras = [_Para(s, e, view.text[s:e]) for s, e in spans]
    found: list[Candidate] = []
    drop: list[tuple[int, int]] = []  # spans whose candidates the layout replaces
    for post in _posts(view, paras):
        found.append(post)
        drop.append((post.start, post.end))
    qa = _qa(view, paras, cands)
    if qa is not None:
        answers, questions = qa
        found += answers
        drop += [(c.start, c.end) for c in answers] + questions
    kept = [c for c in cands if not any(s <= c.start and c.end <= e for s, e in drop)]
    lone = _standalone(view, paras, kept + found, opts)
    if qa is not None:  # a transcript: its loose quotations are dated like its answers
        for c in lone:
            c.own_date = date_line(view, spans, c.start)
    return kept + found + lone


# ---------------------------------------------------------------- posts
def _posts(view: DocView, paras: list[_Para]) -> list[Candidate]:
    out = []
    for p in paras:
        m = SIGNATURE.search(p.text)
        if m is None or not WORD_RE.search(p.text[: m.start()]):
            continue
        start, end = _trim(view.text, p.start, p.start + m.start())
        name = view.tokens_of(p.start + m.start("name"), p.start + m.end("name"))
        cand = Candidate(start, end, None, None, name, "layout", "post", verbatim=True)
        day = _signed(m)
        if day is not None:
            cand.own_date = DateHit(day, m.group("month") + " " + m.group("day") + ", " + m.group("year"))
        out.append(cand)
    return out


def _signed(m: re.Match[str]) -> dt.date | None:
    month = months().get(m.group("month").lower())
    try:
        return dt.date(int(m.group("year")), month, int(m.group("day"))) if month else None
    except ValueError:
        return None


# ---------------------------------------------------------------- Q&A
def _qa(view: DocView, paras: list[_Para],
        cands: list[Candidate]) -> tuple[list[Candidate], list[tuple[int, int]]] | None:
    """The answers of a Q&A and the spans of its question lines, or None without a Q&A."""
    pairs = []
    for k in range(len(paras) - 1):
        q, a = paras[k], paras[k + 1]
        if _question(q) and (_labelled_answer(a) or _one_quote(view, a) is not None):
            pairs.append((q, a))
    labelled = any(_labelled_answer(a) for _, a in pairs)
    asked = sum(q.text.rstrip().endswith("?") or QUESTION_LABEL.match(q.text) is not None
                for q, _ in pairs)
    if not pairs or not (labelled or (len(pairs) >= 2 and asked)):
        return None
    first = pairs[0][0].start
    who = max((c for c in cands if c.end <= first and c.how == "cue"), key=lambda c: c.end,
              default=None)
    day = date_line(view, [(p.start, p.end) for p in paras], first)
    answers = [_answer(view, a, who, day) for _, a in pairs]
    return [c for c in answers if c is not None], [(q.start, q.end) for q, _ in pairs]


def _question(p: _Para) -> bool:
    """A question line: "Q: ...", or a paragraph ending with "?" or ":" that holds no quote."""
    text = p.text.strip()
    if QUESTION_LABEL.match(text):
        return True
    return text.endswith(("?", ":")) and not any(m in text for m in "“”\"")


def _labelled_answer(p: _Para) -> bool:
    return ANSWER_LABEL.match(p.text.lstrip()) is not None and len(WORD_RE.findall(p.text)) > 2


def _answer(view: DocView, p: _Para, who: Candidate | None,
            day: DateHit | None) -> Candidate | None:
    quote = _one_quote(view, p)
    if quote is not None:
        start, end = quote.inner
    else:
        lead = len(p.text) - len(p.text.lstrip())
        m = ANSWER_LABEL.match(p.text, lead)
        if m is None:
            return None
        start, end = _trim(view.text, p.start + m.end(), p.end)
    if end <= start:
        return None
    cand = Candidate(start, end, None, None, None, "layout", "answer", verbatim=True)
    cand.inherit, cand.own_date = who, day
    return cand


# ---------------------------------------------------------------- lone quotations
def _standalone(view: DocView, paras: list[_Para], cands: list[Candidate],
                opts: ExtractOptions) -> list[Candidate]:
    """A paragraph that is one quotation nothing attributes: the words of someone unnamed."""
    taken = sorted((c.start, c.end) for c in cands)
    out = []
    for p in paras:
        q = _one_quote(view, p)
        if q is None or any(s < q.inner[1] and q.inner[0] < e for s, e in taken):
            continue
        words = WORD_RE.findall(view.text[q.inner[0] : q.inner[1]])
        if len(words) >= opts.min_speech_words * 2:
            out.append(Candidate(*q.inner, None, None, None, "layout", "standalone",
                                 verbatim=True))
    return out


def _one_quote(view: DocView, p: _Para) -> QuoteSpan | None:
    """The quotation that is the whole paragraph (its marks at both ends), if any."""
    text = p.text.strip()
    lead = p.start + len(p.text) - len(p.text.lstrip())
    q = view.in_quote(lead)
    if q is None or q.open != lead or q.paragraph_continued:
        return None
    tail = view.text[q.outer[1] : p.end]
    return q if not WORD_RE.search(tail) and len(text) > 2 else None


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start].isspace() or text[start] in "“\"'‘"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in "”\"'’"):
        end -= 1
    return start, end
