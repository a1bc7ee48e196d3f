"""What kind of source an article is: its outlet (from the URL when none is given) and whether
it is a wire agency's copy, whose quotes are the reference after a primary source's."""

from __future__ import annotations

import re
from functools import cache

from tld import get_fld

from quoteline.link.normalize import data_lines
from quoteline.models import Article

WIRE_HEAD_CHARS = 1500  # datelines and bylines sit at the top of a story


def outlet_of_url(url: str | None) -> str | None:
    """The registered domain of ``url`` ("theguardian.com", "thespinoff.co.nz"), or None."""
    if not url:
        return None
    try:
        found = get_fld(url.strip(), fail_silently=True)
    except ValueError:  # tld raises on some malformed URLs even when told not to
        return None
    return str(found).lower() if found else None


def outlet_of(article: Article) -> str | None:
    """The article's outlet as given, else the registered domain of its URL."""
    return article.outlet or outlet_of_url(article.url)


@cache
def _wires() -> tuple[frozenset[str], frozenset[str], re.Pattern[str]]:
    lines = data_lines("wires.txt")
    names = [n for n in lines if "." not in n]
    alt = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    pattern = re.compile(
        rf"\((?:{alt})\)\s*[\u2014\u2013-]"  # dateline: "LOS ANGELES (AP) —"
        rf"|\bBy\s*[\u2014\u2013-]?\s*(?:{alt})\s*$"  # byline line: "By Reuters"
        rf"|^[A-Z][\w.'-]+(?: [A-Z][\w.'-]+){{1,3}}, (?:{alt})\b"  # "Jane Doe, Associated Press"
        rf"|\bBy\s*[\u2014\u2013-]?\s*[A-Z][\w.'-]+(?: [A-Z][\w.'-]+){{1,3}}, (?:{alt})\b",
        re.MULTILINE)
    domains = frozenset(n.lower() for n in lines if "." in n)
    return frozenset(n.casefold() for n in names), domains, pattern


def is_wire(article: Article) -> bool:
    """Whether the article is a wire agency's story (its outlet, domain, dateline or byline)."""
    names, domains, pattern = _wires()
    for value in (article.outlet, article.author):
        if value and value.strip().casefold() in names:
            return True
    if outlet_of_url(article.url) in domains:
        return True
    return pattern.search(article.text[:WIRE_HEAD_CHARS]) is not None
