"""Pure helpers for pages: safe links, paragraphs, highlights, the timeline chart, paging."""

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
    """A run of article text; ``quote`` set when it is (part of) a quote."""

    text: str
    quote: QuoteHit | None = None
    colour: int = 0


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


def segments(text: str, quotes: Sequence[QuoteHit], colours: Mapping[str, int]) -> list[Segment]:
    """The text cut into plain runs and quote runs (overlapping quotes: the first wins)."""
    out: list[Segment] = []
    pos = 0
    for q in sorted(quotes, key=lambda h: (h.start, h.end)):
        if q.start < pos or q.end > len(text) or q.end <= q.start:
            continue
        if q.start > pos:
            out.append(Segment(text[pos:q.start]))
        out.append(Segment(text[q.start:q.end], q, colours.get(speaker_key(q), 0)))
        pos = q.end
    if pos < len(text):
        out.append(Segment(text[pos:]))
    return out


def diff_runs(diff: Sequence[Any] | None) -> list[tuple[str, str]]:
    """A stored word diff as (css class, words): "same", "del" or "ins"."""
    names = {"=": "same", "-": "del", "+": "ins"}
    runs: list[tuple[str, str]] = []
    for op in diff or []:
        if isinstance(op, Sequence) and len(op) == 2 and str(op[0]) in names:
            runs.append((names[str(op[0])], str(op[1])))
    return runs


# ---------------------------------------------------------------- timeline chart
@dataclass(frozen=True, slots=True)
class Bar:
    """One bucket of the timeline chart, in SVG coordinates."""

    x: float
    y: float
    width: float
    height: float
    count: int
    label: str
    date_from: dt.date
    date_to: dt.date


@dataclass(frozen=True, slots=True)
class Chart:
    """Bars, axis ticks and a one-line summary for the inline SVG timeline."""

    width: int
    height: int
    left: int
    bottom: int
    bars: tuple[Bar, ...]
    x_ticks: tuple[tuple[float, str], ...]
    y_ticks: tuple[tuple[float, int], ...]
    unit: str
    summary: str


def _bucket(day: dt.date, unit: str) -> dt.date:
    if unit == "day":
        return day
    if unit == "month":
        return day.replace(day=1)
    return dt.date(day.year, 1, 1)


def _next(day: dt.date, unit: str) -> dt.date:
    if unit == "day":
        return day + dt.timedelta(days=1)
    if unit == "month":
        return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return dt.date(day.year + 1, 1, 1)


def _label(day: dt.date, unit: str) -> str:
    return {"day": day.isoformat(), "month": day.strftime("%Y-%m"), "year": str(day.year)}[unit]


def timeline_chart(days: Sequence[tuple[dt.date, int]], width: int = 760,
                   height: int = 220) -> Chart | None:
    """Bars of quote counts by day, month or year (by span), empty buckets included."""
    if not days:
        return None
    span = (days[-1][0] - days[0][0]).days
    unit = "day" if span <= 62 else "month" if span <= 6 * 366 else "year"
    counts: dict[dt.date, int] = {}
    for day, n in days:
        counts[_bucket(day, unit)] = counts.get(_bucket(day, unit), 0) + n
    buckets = [_bucket(days[0][0], unit)]
    while buckets[-1] < _bucket(days[-1][0], unit) and len(buckets) < 400:
        buckets.append(_next(buckets[-1], unit))
    left, bottom, top = 44, 28, 10
    plot_w, plot_h = width - left - 10, height - bottom - top
    peak = max(counts.values())
    step = plot_w / len(buckets)
    bars = []
    for i, b in enumerate(buckets):
        n = counts.get(b, 0)
        h = plot_h * n / peak if peak else 0.0
        bars.append(Bar(round(left + i * step + step * 0.1, 1), round(top + plot_h - h, 1),
                        round(max(step * 0.8, 1.0), 1), round(h, 1), n, _label(b, unit), b,
                        _next(b, unit) - dt.timedelta(days=1)))
    every = max(1, len(bars) // 8)
    x_ticks = tuple((round(bar.x + bar.width / 2, 1), bar.label) for bar in bars[::every])
    y_ticks = tuple((round(top + plot_h - plot_h * v / peak, 1), v)
                    for v in sorted({0, peak // 2, peak}))
    total = sum(counts.values())
    summary = (f"{plural(total, 'quote')} from {days[0][0].isoformat()} to "
               f"{days[-1][0].isoformat()}, busiest {unit} "
               f"{max(bars, key=lambda b: b.count).label} ({peak})")
    return Chart(width, height, left, bottom, tuple(bars), x_ticks, y_ticks, unit, summary)


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
