"""When words were said: resolve relative date expressions against the publication date.

Only expressions that pin a day are resolved ("Wednesday", "last Wednesday", "yesterday",
"on Nov. 9", "November 9, 2022"); vague ones ("last week", "recently") leave the date unset,
so consumers fall back to the publication date knowingly rather than by a silent guess.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from spacy.tokens import Token

from quoteline.nlp.lexicon import day_parts, months, past_markers, same_day, weekday_openers, weekdays

DAY_RE = re.compile(r"^(\d{1,2})(st|nd|rd|th)?$")
YEAR_RE = re.compile(r"^(19|20)\d\d$")


@dataclass(frozen=True, slots=True)
class DateHit:
    """A resolved day and the words that justified it."""

    day: dt.date
    basis: str


def weekday_before(published: dt.date, weekday: int, strictly: bool) -> dt.date | None:
    """The latest ``weekday`` on or before ``published`` (strictly before when asked); None
    when that day would fall before the first day of the calendar (0001-01-01)."""
    back = (published.weekday() - weekday) % 7
    if back == 0 and strictly:
        back = 7
    return days_before(published, back)


def days_before(day: dt.date, n: int) -> dt.date | None:
    """``day`` minus ``n`` days, or None before 0001-01-01 (a nonsense publication date)."""
    try:
        return day - dt.timedelta(days=n)
    except OverflowError:
        return None


def _norm(tok: Token) -> str:
    return tok.lower_.rstrip(".")


def find_date(tokens: Sequence[Token], published: dt.date | None) -> DateHit | None:
    """The first day-precise date expression among ``tokens`` (in text order), resolved."""
    for i in range(len(tokens)):
        hit = _date_at(tokens, i, published)
        if hit is not None:
            return hit
    return None


def _date_at(tokens: Sequence[Token], i: int, published: dt.date | None) -> DateHit | None:
    word = _norm(tokens[i])
    prev = _norm(tokens[i - 1]) if i > 0 else ""
    if published is not None:
        if word == "yesterday":
            day = days_before(published, 1)
            return DateHit(day, tokens[i].text) if day is not None else None
        if word in same_day() or (word in day_parts() and prev == "this"):
            start = i - 1 if prev == "this" else i
            return DateHit(published, _span_text(tokens, start, i))
        if word in weekdays():
            return _weekday(tokens, i, published)
    if (word in months() and tokens[i].pos_ == "PROPN") or (word in months() and word != "may"):
        return _month_day(tokens, i, published)
    return None


def _weekday(tokens: Sequence[Token], i: int, published: dt.date) -> DateHit | None:
    prev = _norm(tokens[i - 1]) if i > 0 else ""
    strictly = prev in past_markers()
    start = i - 1 if prev in weekday_openers() else i
    day = weekday_before(published, weekdays()[_norm(tokens[i])], strictly)
    return DateHit(day, _span_text(tokens, start, i)) if day is not None else None


def _month_day(tokens: Sequence[Token], i: int, published: dt.date | None) -> DateHit | None:
    month = months()[_norm(tokens[i])]
    nxt = tokens[i + 1].text if i + 1 < len(tokens) else ""
    m = DAY_RE.match(nxt)
    if not m:
        return None
    day_no = int(m.group(1))
    end = i + 1
    year = None
    for j in (i + 2, i + 3):  # "Nov. 9, 2022" / "Nov. 9 2022"
        if j < len(tokens) and YEAR_RE.match(tokens[j].text):
            year, end = int(tokens[j].text), j
            break
        if j < len(tokens) and tokens[j].text != ",":
            break
    if year is None:
        if published is None:
            return None
        year = published.year
    try:
        day = dt.date(year, month, day_no)
        if published is not None and day > published and end == i + 1:
            if month == 2 and day_no == 29 and not calendar.isleap(year - 1):
                return None  # "Feb. 29" before a year with no leap day
            day = day.replace(year=year - 1)  # "Dec. 30" in a January article
    except ValueError:
        return None  # no such day, or a year before 1 ("Dec. 30" in an article of 0001-01-05)
    start = i - 1 if i > 0 and _norm(tokens[i - 1]) == "on" else i
    return DateHit(day, _span_text(tokens, start, end))


def _span_text(tokens: Sequence[Token], start: int, end: int) -> str:
    """The article's text from ``tokens[start]`` through ``tokens[end]``.

    Read from a span of the Doc, not ``doc.text``: spaCy rebuilds ``doc.text`` from every token
    on each access, which made each date cost time in proportion to the whole article."""
    first, last = tokens[start], tokens[end]
    return first.doc[first.i : last.i + 1].text
