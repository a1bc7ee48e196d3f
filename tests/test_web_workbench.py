"""The workbench pages over HTTP and their pure parts: the overview and browse pages with
their JSON twins, statements (search ``group=statement``), the analyze downloads, exact
wording (the published text with the diff drawn over it), the spread chart, and how quotes
and dates are labelled."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quoteline.store import QuoteHit
from quoteline.web.charts import MAX_ROWS, spread_chart
from quoteline.web.render import date_label, rendering_label, speech
from quoteline.web.wording import differs, exact_diff
from test_web_support import MISATTRIBUTED, shared_live


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Base URL of the shared read-only server."""
    return shared_live(tmp_path_factory)


def get(base: str, path: str, **params: Any) -> Any:
    """The JSON of a GET."""
    resp = httpx.get(base + path, params=params or None, timeout=30)
    assert resp.status_code == 200, (path, resp.text[:300])
    return resp.json()


# ---------------------------------------------------------------- pages and twins
def test_overview_twin_counts_people_and_spread(live: str) -> None:
    view = get(live, "/overview.json")
    assert view["stats"]["quotes"] > 0 and view["stats"]["clusters"] > 0
    assert view["top_speakers"] and all(s["name"] not in ("Builders", "Critics", "city")
                                        for s in view["top_speakers"])
    sizes = [c["size"] for c in view["clusters"]]
    assert sizes == sorted(sizes, reverse=True) and min(sizes) >= 2
    assert all(1 <= c["outlets"] <= c["size"] for c in view["clusters"])
    assert all(h["rendering"] == "altered" for h in view["altered"])
    assert [h["speaker"] for h in view["misattributed"]] == [MISATTRIBUTED]


def test_browse_twins_page_sort_and_filter(live: str) -> None:
    people = get(live, "/speakers.json", per_page=100)
    names = [s["name"] for s in people["items"]]
    assert "Builders" not in names and all(s["person"] for s in people["items"])
    others = [s["name"] for s in get(live, "/speakers.json", show="others")["items"]]
    assert "Builders" in others
    by_name = [s["name"] for s in get(live, "/speakers.json", sort="name", per_page=100)["items"]]
    assert by_name == sorted(by_name, key=str.casefold)
    assert people["paging"]["total"] == len(names)
    two = get(live, "/speakers.json", per_page=2)
    assert len(two["items"]) == 2 and two["paging"]["next"]
    altered = get(live, "/clusters.json", flag="altered")["items"]
    assert altered and all(c["altered"] > 0 for c in altered)
    dated = [c["first_published"] for c in get(live, "/clusters.json", sort="date")["items"]]
    assert dated == sorted(dated, reverse=True)
    outlet = get(live, "/outlets.json")["items"][1]["outlet"]
    arts = get(live, "/articles.json", outlet=outlet)["items"]
    assert arts and {a["outlet"] for a in arts} == {outlet}
    days = [a["published"] for a in get(live, "/articles.json", per_page=100)["items"]]
    assert days == sorted(days, reverse=True)


@pytest.mark.parametrize(("path", "params"), [
    ("/clusters.json", {"flag": "wrong"}), ("/clusters.json", {"sort": "colour"}),
    ("/speakers.json", {"show": "everyone"}), ("/speakers.json", {"sort": "age"}),
    ("/quotes.json", {"group": "cluster"}), ("/speakers/1.json", {"group": "x"}),
    ("/articles.json", {"page": "0"}), ("/outlets.json", {"per_page": "101"})])
def test_browse_parameters_are_checked(live: str, path: str, params: dict[str, str]) -> None:
    resp = httpx.get(live + path, params=params, timeout=30)
    assert resp.status_code == 400 and resp.json()["status"] == 400, resp.text


def test_misattribution_is_listed_and_named_where_it_happened(live: str) -> None:
    flagged = get(live, "/clusters.json", flag="misattributed")["items"]
    assert len(flagged) == 1 and flagged[0]["misattributed"] and flagged[0]["size"] == 3
    view = get(live, f"/clusters/{flagged[0]['cluster']}.json")
    given = [r["attributed_to"] for r in view["renderings"] if r["attributed_to"]]
    assert given == [MISATTRIBUTED] and view["speaker_name"] != MISATTRIBUTED
    page = httpx.get(live + f"/clusters/{flagged[0]['cluster']}", timeout=30).text
    assert f"Given to <strong>{MISATTRIBUTED}</strong> by this outlet" in page
    assert page.count('class="card rendering misattributed') == 1
    assert page.count("circle class=\"mark mark-misattributed\"") == 1
    latest = get(live, "/overview.json")["misattributed"]
    assert [h["speaker"] for h in latest] == [MISATTRIBUTED]
    assert get(live, "/overview.json")["clusters"]  # and the overview still lists the spread


def test_search_by_statement_folds_reports(live: str) -> None:
    quotes = get(live, "/quotes.json", q="power", per_page=100)
    grouped = get(live, "/quotes.json", q="power", group="statement", per_page=100)
    assert grouped["paging"]["total"] < quotes["paging"]["total"]
    folded = [i for i in grouped["items"] if i["reports"] > 1]
    assert folded and all(len(i["renderings"]) == i["reports"] for i in folded)
    seen = {r["quote_id"] for i in grouped["items"] for r in i["renderings"]}
    assert {i["quote_id"] for i in quotes["items"]} <= seen  # every match under a statement
    assert all(i["links"]["html"] == f"/clusters/{i['statement']}" for i in folded)


# ---------------------------------------------------------------- analyze downloads
def _post(base: str, **fields: str) -> httpx.Response:
    return httpx.post(base + "/analyze", data=fields, timeout=120)


def test_analyze_downloads_are_files_and_csv_is_defused(live: str) -> None:
    text = '"=HYPERLINK(1) is not a formula here," Mayor Ann Lee said on Monday.'
    resp = _post(live, text=text, published="2025-02-05", download="csv")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/csv")
    assert 'filename="analysis.csv"' in resp.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(resp.text)))
    assert rows and rows[0]["text"].startswith("'=HYPERLINK")
    assert rows[0]["said_on"] == "2025-02-03" and rows[0]["cue"] == "said"
    body = _post(live, text=text, download="json")
    assert body.headers["content-type"] == "application/json"
    assert body.json()["quotes"][0]["text"].startswith("=HYPERLINK")
    assert _post(live, text=text, download="pdf").status_code == 400
    page = _post(live, text=text).text
    assert 'name="download" value="csv"' in page and 'name="download" value="json"' in page


# ---------------------------------------------------------------- exact wording
REF = "We will not raise taxes this year, and we will protect pensions."


def _published(runs: list[tuple[str, str]]) -> str:
    return "".join(t for s, t in runs if s in ("text", "ins"))


def test_exact_wording_keeps_the_published_text_and_marks_what_differs() -> None:
    text = "we WILL raise taxes this year - and we won't protect pensions!"
    runs = exact_diff(REF, text)
    assert _published(runs) == text and differs(runs)
    assert ("del", "not") in runs and ("ins", "won't") in runs
    assert not differs(exact_diff(REF, "We will not raise taxes this year, and we will "
                                       "protect pensions!"))  # punctuation and case only
    mixed = 'he said "we will not raise taxes" this time'
    runs = exact_diff("We will not raise taxes this year", mixed, mixed=True)
    assert _published(runs) == mixed
    assert not any(s == "ins" for s, _ in runs)  # the reporter's words are not the quote's
    assert ("del", "this year") in runs


WORDS = st.lists(st.sampled_from(["we", "will", "not", "raise", "taxes", "Pensions", "isn't",
                                  "50%", "—", "...", "“", "”", ",", "don't", "x"]),
                 max_size=14).map(" ".join)


@given(ref=WORDS, text=WORDS)
@settings(max_examples=200, deadline=None)
def test_exact_wording_gives_back_every_character(ref: str, text: str) -> None:
    runs = exact_diff(ref, text)
    assert _published(runs) == text  # never the normalised form, never a character lost
    for style, piece in runs:
        if style == "del":
            assert piece in ref or all(w in ref for w in piece.split())


# ---------------------------------------------------------------- charts and labels
def hit(qid: int, outlet: str | None, day: dt.date | None, rendering: str = "verbatim",
        kind: str = "direct", text: str = "words", said_on: dt.date | None = None,
        basis: str | None = None) -> QuoteHit:
    """A stored-quote record for the pure helpers."""
    return QuoteHit(qid, None, None, outlet, day, 0, len(text), text, kind, "Ann Lee", 1,
                    "Ann Lee", None, "said", said_on, basis, 0.9, 7, rendering)


def test_spread_chart_has_a_mark_per_dated_rendering_first_reporter_on_top() -> None:
    renderings = [hit(1, "Wire", dt.date(2024, 1, 3), "reference"),
                  hit(2, "Daily", dt.date(2024, 1, 1)), hit(3, "Daily", dt.date(2024, 1, 1)),
                  hit(4, "Herald", dt.date(2024, 1, 9), "altered"), hit(5, "Herald", None)]
    chart = spread_chart(renderings, 2, rendering_label)
    assert chart is not None and [name for _, _, name in chart.rows] == ["Daily", "Wire", "Herald"]
    assert len(chart.marks) == 4 and chart.left_out == 1  # the undated one is in the table
    first = [m for m in chart.marks if m.first]
    assert [m.key for m in first] == [2]
    same_day = [m for m in chart.marks if m.key in (2, 3)]
    assert same_day[0].y == same_day[1].y and same_day[0].x != same_day[1].x  # side by side
    xs = {m.key: m.x for m in chart.marks}
    assert xs[2] < xs[1] < xs[4]  # by date
    assert {m.label for m in chart.marks} == {"reference", "verbatim", "altered"}
    many = [hit(i, f"Outlet {i}", dt.date(2024, 1, 1) + dt.timedelta(days=i)) for i in range(40)]
    capped = spread_chart(many, None, rendering_label)
    assert capped is not None and len(capped.rows) == MAX_ROWS and capped.left_out == 40 - MAX_ROWS
    assert spread_chart([hit(1, "Daily", None)], None, rendering_label) is None


def test_direct_words_are_quoted_and_reported_speech_is_not() -> None:
    assert speech(hit(1, "D", None, text="we will win")) == ("", [("direct", "we will win")])
    lead, parts = speech(hit(1, "D", None, kind="indirect", text="crews would finish"))
    assert lead == "said that" and parts == [("reported", "crews would finish")]
    lead, parts = speech(hit(1, "D", None, kind="indirect", text="that crews would finish"))
    assert lead == "said"
    lead, parts = speech(hit(1, "D", None, kind="mixed", text='the plan was "the best yet" overall'))
    assert parts == [("reported", "the plan was "), ("direct", "the best yet"),
                     ("reported", " overall")]


def test_every_date_is_labelled() -> None:
    label = date_label(hit(1, "D", dt.date(2025, 5, 22), said_on=dt.date(2025, 5, 19),
                           basis="on Monday"))
    assert (label.said_text, label.basis, label.published_text) == ("19 May 2025", "on Monday",
                                                                    "22 May")
    same = date_label(hit(1, "D", dt.date(2025, 5, 22), said_on=dt.date(2025, 5, 22)))
    assert same.article_date and same.basis is None
    other_year = date_label(hit(1, "D", dt.date(2026, 1, 2), said_on=dt.date(2025, 12, 30),
                                basis="on Tuesday"))
    assert other_year.published_text == "2 January 2026"
    none = date_label(hit(1, "D", None))
    assert none.said is None and none.published is None
