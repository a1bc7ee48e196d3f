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

WEEKDAYS = {d: i for i, d in enumerate(
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])}
MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4,
    "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11,
    "dec": 12, "december": 12,
}
SAME_DAY = {"today", "tonight"}
DAY_RE = re.compile(r"^(\d{1,2})(st|nd|rd|th)?$")
YEAR_RE = re.compile(r"^(19|20)\d\d$")


@dataclass(frozen=True, slots=True)
class DateHit:
    """A resolved day and the words that justified it."""

    day: dt.date
    basis: str


def weekday_before(published: dt.date, weekday: int, strictly: bool) -> dt.date:
    """The latest ``weekday`` on or before ``published`` (strictly before when asked)."""
    back = (published.weekday() - weekday) % 7
    if back == 0 and strictly:
        back = 7
    return published - dt.timedelta(days=back)


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
            return DateHit(published - dt.timedelta(days=1), tokens[i].text)
        if word in SAME_DAY or (word in {"morning", "afternoon", "evening"} and prev == "this"):
            start = i - 1 if prev == "this" else i
            return DateHit(published, _span_text(tokens, start, i))
        if word in WEEKDAYS:
            return _weekday(tokens, i, published)
    if (word in MONTHS and tokens[i].pos_ == "PROPN") or (word in MONTHS and word != "may"):
        return _month_day(tokens, i, published)
    return None


def _weekday(tokens: Sequence[Token], i: int, published: dt.date) -> DateHit:
    prev = _norm(tokens[i - 1]) if i > 0 else ""
    strictly = prev in {"last", "past"}
    start = i - 1 if prev in {"last", "past", "on", "this"} else i
    day = weekday_before(published, WEEKDAYS[_norm(tokens[i])], strictly)
    return DateHit(day, _span_text(tokens, start, i))


def _month_day(tokens: Sequence[Token], i: int, published: dt.date | None) -> DateHit | None:
    month = MONTHS[_norm(tokens[i])]
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
    except ValueError:
        return None
    if published is not None and day > published and end == i + 1:
        if month == 2 and day_no == 29 and not calendar.isleap(year - 1):
            return None  # "Feb. 29" before a year with no leap day
        day = day.replace(year=year - 1)  # "Dec. 30" in a January article
    start = i - 1 if i > 0 and _norm(tokens[i - 1]) == "on" else i
    return DateHit(day, _span_text(tokens, start, end))


def _span_text(tokens: Sequence[Token], start: int, end: int) -> str:
    first, last = tokens[start], tokens[end]
    return first.doc.text[first.idx : last.idx + len(last.text)]
