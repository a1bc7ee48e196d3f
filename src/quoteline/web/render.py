"""Pure helpers for pages: safe links, paragraphs, how quotes and dates are shown, paging."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from quoteline.store import QuoteHit

PALETTE = 8  # speaker colour classes spk-0 .. spk-7 in style.css
_CONTROL = re.compile(r"[\x00-\x20\x7f]")


def safe_url(url: str | None) -> str | None:
    """``url`` when it is a plain http(s) URL that is safe to put in href, else None."""
    if not url or len(url) > 2000 or _CONTROL.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def plural(count: int, word: str, many: str | None = None) -> str:
    """"1 quote", "2 quotes", "1,200 quotes" (``many``: an irregular plural)."""
    return f"{count:,} {word if count == 1 else many or word + 's'}"


def query_string(params: Mapping[str, Any], **changes: Any) -> str:
    """``?a=b...`` from params with changes applied; empty values dropped."""
    merged = {**params, **changes}
    kept = {k: str(v) for k, v in merged.items() if v not in (None, "", False)}
    return "?" + urlencode(kept) if kept else ""


# ---------------------------------------------------------------- text pieces
@dataclass(frozen=True, slots=True)
class Segment:
    """A run of article text; ``quote`` set when it is (part of) a quote, or, with ``cue``,
    when it is the cue (the speech verb) that introduces that quote."""

    text: str
    quote: QuoteHit | None = None
    colour: int = 0
    cue: bool = False


def paragraph(text: str, start: int, end: int, limit: int = 1500) -> tuple[str, str, str]:
    """(before, quote, after) within the paragraph around [start, end), trimmed to ``limit``."""
    start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
    lo = text.rfind("\n", 0, start) + 1
    hi = text.find("\n", end)
    hi = len(text) if hi < 0 else hi
    before, after = text[max(lo, start - limit):start], text[end:min(hi, end + limit)]
    return before, text[start:end], after


def speaker_colours(quotes: Iterable[QuoteHit]) -> dict[str, int]:
    """Speaker key -> colour index, in order of first appearance."""
    out: dict[str, int] = {}
    for q in quotes:
        key = speaker_key(q)
        if key not in out:
            out[key] = len(out) % PALETTE
    return out


def speaker_key(q: QuoteHit) -> str:
    """The identity used to colour a quote's speaker."""
    if q.speaker_id is not None:
        return f"id:{q.speaker_id}"
    return "name:" + (q.speaker or "").casefold()


def segments(text: str, quotes: Sequence[QuoteHit], colours: Mapping[str, int],
             cues: Iterable[tuple[int, int, int]] = ()) -> list[Segment]:
    """The text cut into plain runs, quote runs and cue runs (``cues``: (quote id, start,
    end); overlapping spans: the first wins)."""
    by_id = {q.quote_id: q for q in quotes}
    spans = [(q.start, q.end, q, False) for q in quotes]
    spans += [(s, e, by_id[i], True) for i, s, e in cues if i in by_id]
    out: list[Segment] = []
    pos = 0
    for start, end, q, is_cue in sorted(spans, key=lambda t: (t[0], t[1], t[3])):
        if start < pos or end > len(text) or end <= start:
            continue
        if start > pos:
            out.append(Segment(text[pos:start]))
        out.append(Segment(text[start:end], q, colours.get(speaker_key(q), 0), is_cue))
        pos = end
    if pos < len(text):
        out.append(Segment(text[pos:]))
    return out


LABELS = ("reference", "verbatim", "excerpt", "altered", "paraphrase", "misattributed")


def rendering_label(hit: QuoteHit) -> str:
    """The label a rendering is shown with (one of LABELS, or "unlinked"): misattributed when
    the outlet gave the words to someone other than the cluster's speaker."""
    if hit.attributed_to:
        return "misattributed"
    return hit.rendering if hit.rendering in LABELS else "unlinked"


def rendering_key(hit: QuoteHit) -> int:
    """What tells a cluster's renderings apart: the utterance unit (a quote of several
    sentences renders several clusters, one unit each), else the quote."""
    return hit.unit_id if hit.unit_id is not None else hit.quote_id


# ---------------------------------------------------------------- what is what
_QUOTED = re.compile(r"[\u201c\u201e\"]([^\u201c\u201d\u201e\"]+)[\u201d\"]")


def speech(hit: QuoteHit) -> tuple[str, list[tuple[str, str]]]:
    """How to show a quote: (lead-in, [(style, text)]). Direct words are "direct" (shown in
    quotation marks); reported speech is "reported" after "said that" (the outlet's words,
    not the speaker's), with the quoted fragments of a mixed quote "direct" inside it."""
    if hit.kind == "direct":
        return "", [("direct", hit.text)]
    text = hit.text
    lead = "said" if text[:5].casefold() == "that " or hit.kind == "mixed" else "said that"
    if hit.kind != "mixed":
        return lead, [("reported", text)]
    parts: list[tuple[str, str]] = []
    pos = 0
    for m in _QUOTED.finditer(text):
        if m.start() > pos:
            parts.append(("reported", text[pos:m.start()]))
        parts.append(("direct", m.group(1)))
        pos = m.end()
    if pos < len(text):
        parts.append(("reported", text[pos:]))
    return lead, parts


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")  # English, whatever the locale


def long_date(day: dt.date | None) -> str:
    """"19 May 2025" (empty for no date)."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}" if day else ""


@dataclass(frozen=True, slots=True)
class DateLabel:
    """When a quote was said and published, each labelled: "said 19 May 2025 (from 'on
    Monday') · published 22 May 2025"."""

    said: dt.date | None
    basis: str | None  # the words said_on was resolved from
    article_date: bool  # said_on is the article's own date (nothing in the text said when)
    published: dt.date | None

    @property
    def said_text(self) -> str:
        """"19 May 2025" or ""."""
        return long_date(self.said)

    @property
    def published_text(self) -> str:
        """The publication date, without its year when that is the year it was said."""
        if self.published and self.said and self.published.year == self.said.year:
            return f"{self.published.day} {MONTHS[self.published.month - 1]}"
        return long_date(self.published)


def date_label(hit: QuoteHit) -> DateLabel:
    """The labelled dates of a quote."""
    basis = (hit.said_on_basis or "").strip() or None
    return DateLabel(hit.said_on, basis, bool(hit.said_on and not basis
                                              and hit.said_on == hit.published), hit.published)


# ---------------------------------------------------------------- paging
@dataclass(frozen=True, slots=True)
class Paging:
    """Page number and size, and whether there is a next page."""

    page: int
    per_page: int
    has_next: bool
    total: int | None = None  # how many match in all (None: not counted)
    exact: bool = True  # False: at least ``total`` match

    @property
    def offset(self) -> int:
        """Rows to skip."""
        return (self.page - 1) * self.per_page

    def to_dict(self, base: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """JSON paging block with next/prev links and the number of matches."""
        nxt = base + query_string(params, page=self.page + 1) if self.has_next else None
        prev = base + query_string(params, page=self.page - 1) if self.page > 1 else None
        return {"page": self.page, "per_page": self.per_page, "next": nxt, "prev": prev,
                "total": self.total, "total_exact": self.exact}
