"""Server-rendered charts, built from numbers and dates: a speaker's timeline (bars by day,
month or year) and how a quote spread (one mark per rendering, by date and outlet).

Templates draw them as inline SVG; text in them (outlet names, labels) goes through the
templates' escaping like every other text, and each chart has a text summary and a table
fallback on its page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from quoteline.store import QuoteHit
from quoteline.web.render import MONTHS, long_date, plural, rendering_key


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
    noun: str = "statement"


MAX_BAR = 56.0  # widest bar, in SVG units


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
    if unit == "day":
        return day.isoformat()
    return f"{day.year}-{day.month:02d}" if unit == "month" else str(day.year)


def timeline_chart(days: Sequence[tuple[dt.date, int]], width: int = 760,
                   height: int = 220, noun: str = "statement") -> Chart | None:
    """Bars of counts (of ``noun``) by day, month or year (by span), empty buckets included."""
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
        bar_w = min(max(step * 0.8, 1.0), MAX_BAR)  # a few wide buckets: no slabs
        bars.append(Bar(round(left + i * step + (step - bar_w) / 2, 1),
                        round(top + plot_h - h, 1), round(bar_w, 1), round(h, 1), n,
                        _label(b, unit), b, _next(b, unit) - dt.timedelta(days=1)))
    every = max(1, len(bars) // 8)
    x_ticks = tuple((round(bar.x + bar.width / 2, 1), bar.label) for bar in bars[::every])
    y_ticks = tuple((round(top + plot_h - plot_h * v / peak, 1), v)
                    for v in sorted({0, peak // 2, peak}))
    total = sum(counts.values())
    summary = (f"{plural(total, noun)} from {days[0][0].isoformat()} to "
               f"{days[-1][0].isoformat()}, busiest {unit} "
               f"{max(bars, key=lambda b: b.count).label} ({peak})")
    return Chart(width, height, left, bottom, tuple(bars), x_ticks, y_ticks, unit, summary, noun)




# ---------------------------------------------------------------- how a quote spread
@dataclass(frozen=True, slots=True)
class Mark:
    """One rendering on the spread chart."""

    x: float
    y: float
    key: int  # the rendering (see ``rendering_key``)
    label: str  # verbatim, excerpt, altered, misattributed, reference, paraphrase, ...
    first: bool  # the first report
    title: str  # "Outlet · 7 April 2025 · altered" (shown as the mark's tooltip)


@dataclass(frozen=True, slots=True)
class SpreadChart:
    """Renderings by date (x) and outlet (one row each, first reporter on top)."""

    width: int
    height: int
    left: int
    plot_right: int
    axis_y: int
    rows: tuple[tuple[float, str, str], ...]  # (y, outlet as shown, outlet in full)
    marks: tuple[Mark, ...]
    x_ticks: tuple[tuple[float, str], ...]
    summary: str
    left_out: int  # renderings not drawn (undated, or beyond the outlets shown)


MAX_ROWS = 30  # outlets drawn; the table below the chart lists every rendering
ROW = 28


def spread_chart(renderings: Sequence[QuoteHit], first: int | None,
                 label: Callable[[QuoteHit], str], width: int = 760) -> SpreadChart | None:
    """The spread of a cluster's renderings (``first``: the key of the first report), or None
    when none is dated."""
    dated = sorted((r for r in renderings if r.published),
                   key=lambda r: (r.published, rendering_key(r)))
    if not dated:
        return None
    outlets: list[str] = []
    for r in dated:
        name = r.outlet or "unknown outlet"
        if name not in outlets:
            outlets.append(name)
    shown = outlets[:MAX_ROWS]
    left, top, right = 190, 18, width - 24
    axis_y = top + ROW * len(shown)
    lo, hi = dated[0].published, dated[-1].published
    assert lo is not None and hi is not None
    span = max((hi - lo).days, 1)

    def x_of(day: dt.date) -> float:
        if hi == lo:
            return (left + right) / 2
        return left + 12 + (right - left - 24) * (day - lo).days / span

    marks = _marks(dated, shown, first, label, x_of, top)
    rows = tuple((top + ROW * i + ROW / 2, _short(name), name) for i, name in enumerate(shown))
    ticks = _date_ticks(lo, hi, x_of)
    summary = (f"{plural(len(renderings), 'rendering')} in {plural(len(outlets), 'outlet')}, "
               f"from {long_date(lo)} to {long_date(hi)}")
    return SpreadChart(width, axis_y + 34, left, right, axis_y, rows, tuple(marks), ticks,
                       summary, len(renderings) - len(marks))


def _marks(dated: Sequence[QuoteHit], shown: list[str], first: int | None,
           label: Callable[[QuoteHit], str], x_of: Callable[[dt.date], float],
           top: int) -> list[Mark]:
    """One mark per rendering of the outlets shown; several on one day and row sit apart."""
    taken: dict[tuple[int, dt.date], int] = {}
    marks = []
    for r in dated:
        name = r.outlet or "unknown outlet"
        if name not in shown or r.published is None:
            continue
        row = shown.index(name)
        nth = taken.get((row, r.published), 0)
        taken[(row, r.published)] = nth + 1
        kind, key = label(r), rendering_key(r)
        marks.append(Mark(round(x_of(r.published) + 16 * nth, 1), top + ROW * row + ROW / 2,
                          key, kind, key == first, f"{name} · {long_date(r.published)} · {kind}"
                          + (" · first report" if key == first else "")))
    return marks


def _short(name: str, limit: int = 24) -> str:
    return name if len(name) <= limit else name[:limit - 1].rstrip() + "…"


def _date_ticks(lo: dt.date, hi: dt.date,
                x_of: Callable[[dt.date], float]) -> tuple[tuple[float, str], ...]:
    """Up to six dates along the axis, labelled "7 Apr" (within a year) or "Apr 2025"."""
    span = (hi - lo).days
    if span == 0:
        return ((round(x_of(lo), 1), f"{lo.day} {MONTHS[lo.month - 1][:3]} {lo.year}"),)
    count = min(span, 5)
    days = [lo + dt.timedelta(days=round(span * i / count)) for i in range(count + 1)]
    return tuple((round(x_of(d), 1), f"{d.day} {MONTHS[d.month - 1][:3]}" if span <= 366
                  else f"{MONTHS[d.month - 1][:3]} {d.year}") for d in dict.fromkeys(days))
