"""Query parameters as the pages check them (declared so, for OpenAPI), their parsers, and
``twin``: one handler for a page and its .json twin."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query

from quoteline.models import ACT_CHOICES, KINDS, ActChoice
from quoteline.web.render import Paging

MAX_ID = 2**62
MAX_OFFSET = 10_000  # most results a page may skip (deeper offsets cost a scan)
MAX_PER_PAGE = 100
MAX_PAGE = MAX_OFFSET // MAX_PER_PAGE + 1  # so every page of every size stays within it
NO_NUL = r"^[^\x00]*$"  # the server refuses NUL anywhere in a URL
DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
FRACTION = r"^(|0(\.[0-9]*)?|1(\.0*)?|\.[0-9]+)$"
Id = Annotated[int, Path(ge=0, le=MAX_ID)]
Text = Annotated[str, Query(max_length=500, json_schema_extra={"pattern": NO_NUL})]
Short = Annotated[str, Query(max_length=200, json_schema_extra={"pattern": NO_NUL})]
Day = Annotated[str, Query(max_length=10, description="a date, YYYY-MM-DD (empty: none)",
                           json_schema_extra={"anyOf": [{"format": "date", "pattern": DATE},
                                                        {"maxLength": 0}]})]
Kind = Annotated[str, Query(max_length=16, description="direct, mixed or indirect (empty: any)",
                            json_schema_extra={"enum": ["", *KINDS]})]
Fraction = Annotated[str, Query(max_length=32, description="a number from 0 to 1 (empty: none)",
                                json_schema_extra={"pattern": FRACTION})]
Acts = Annotated[str, Query(max_length=8, description="speech (statements, the default) or "
                            "all (beliefs, intentions and stances too)",
                            json_schema_extra={"enum": list(ACT_CHOICES)})]
PageNo = Annotated[int, Query(ge=1, le=MAX_PAGE)]
PerPage = Annotated[int, Query(ge=1, le=MAX_PER_PAGE)]
GROUPS = ("quote", "statement")


def choice(values: tuple[str, ...], what: str) -> Any:
    """The declaration of a query parameter that is one of ``values`` (or empty, for the
    page's default): ``Annotated[str, choice(...)]``."""
    return Query(max_length=16, description=f"{what}: one of {', '.join(values)} (empty: the "
                 "default)", json_schema_extra={"enum": ["", *values]})


Group = Annotated[str, choice(GROUPS, "quote: every report; statement: each statement once")]


def twin(router: APIRouter, path: str, *suffixes: str,
         summary: str) -> Callable[[Callable[..., Any]], Any]:
    """Register one handler for ``path`` and its ``path.json`` (and other suffix) twins."""
    def register(fn: Callable[..., Any]) -> Any:
        for suffix in (".json", *suffixes, ""):
            router.add_api_route(path + suffix, fn, methods=["GET"], summary=f"{summary} "
                                 f"({suffix[1:] or 'html'})", name=f"{fn.__name__}{suffix}")
        return fn
    return register


def day(value: str, name: str) -> dt.date | None:
    """A YYYY-MM-DD date (empty: none); HTTP 400 otherwise."""
    if not value:
        return None
    try:
        if not re.fullmatch(DATE, value):
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError:
        raise HTTPException(400, f"{name}: not a date; use YYYY-MM-DD, e.g. 2024-05-01") from None


def fraction(value: str, name: str) -> float | None:
    """A number from 0 to 1 (empty: none); HTTP 400 otherwise."""
    if not re.fullmatch(FRACTION, value):
        raise HTTPException(400, f"{name}: a number from 0 to 1, e.g. 0.7")
    return float(value) if value else None


def kind(value: str) -> str | None:
    """A quote kind (empty: any); HTTP 400 otherwise."""
    if value and value not in KINDS:
        raise HTTPException(400, f"kind: one of {', '.join(KINDS)} (or empty for any)")
    return value or None


def one_of(value: str, values: tuple[str, ...], name: str, default: str) -> str:
    """``value`` when it is one of ``values``, ``default`` when empty; HTTP 400 otherwise."""
    if not value:
        return default
    if value not in values:
        raise HTTPException(400, f"{name}: one of {', '.join(values)} (or empty)")
    return value


def paging(page: int, per_page: int, rows: int, total: int | None,
           exact: bool = True) -> Paging:
    """Paging for a result fetched with one row more than a page (so it knows of a next)."""
    return Paging(page, per_page, rows > per_page, total, exact)


def acts(value: str) -> ActChoice:
    """``speech`` or ``all``; HTTP 400 otherwise."""
    for option in ACT_CHOICES:
        if value == option:
            return option
    raise HTTPException(400, "acts: speech (statements) or all (thoughts too)")
