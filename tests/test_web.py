"""The web UI and JSON API over a real uvicorn server: pages, twins, facets, CSV, safety."""

from __future__ import annotations

import csv
import html
import io
import re
from typing import Any

import httpx
import markupsafe
import pytest
from click.testing import CliRunner

from quoteline.cli import cli
from quoteline.errors import UsageError
from quoteline.store import open_store
from quoteline.web import WebSettings
from test_store_support import pg_server, store_url  # noqa: F401 - fixtures
from test_web_support import (
    EVIL_OUTLET,
    EVIL_SPEAKER,
    EVIL_TITLE,
    EVIL_URL,
    TOKEN,
    XSS,
    LiveServer,
    build_store,
    script_problems,
    shared_db,
    shared_live,
)


@pytest.fixture(scope="session")
def web_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """URL of the shared test store."""
    return shared_db(tmp_path_factory)


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Base URL of the shared read-only server."""
    return shared_live(tmp_path_factory)


def get(base: str, path: str, **params: Any) -> httpx.Response:
    """GET a path on the live server."""
    return httpx.get(base + path, params=params or None, timeout=30)


def altered_cluster(base: str) -> dict[str, Any]:
    """The JSON of a cluster that has an altered rendering (via search)."""
    for item in get(base, "/quotes.json", per_page=100).json()["items"]:
        if item["altered_elsewhere"] > 0 or item["rendering"] == "altered":
            return dict(get(base, f"/clusters/{item['cluster']}.json").json())
    raise AssertionError("the test corpus has no altered rendering")


def evil_quote(base: str) -> dict[str, Any]:
    """The first hostile quote (found by its speaker facet)."""
    items = get(base, "/quotes.json", speaker=EVIL_SPEAKER).json()["items"]
    assert items, "the hostile article's quote is not searchable by its speaker"
    return dict(items[0])


# ---------------------------------------------------------------- pages and twins
def test_every_page_and_its_json_twin(live: str) -> None:
    hit = get(live, "/quotes.json", per_page=1).json()["items"][0]
    pages = ["/quotes", f"/quotes/{hit['quote_id']}", f"/speakers/{hit['speaker_id']}",
             f"/clusters/{hit['cluster']}", f"/articles/{hit['article_row']}", "/overview",
             "/speakers", "/clusters", "/articles", "/outlets"]
    for page in pages:
        page_resp, twin = get(live, page), get(live, page + ".json")
        assert page_resp.status_code == 200, page
        assert page_resp.headers["content-type"].startswith("text/html")
        assert twin.status_code == 200, page + ".json"
        assert twin.headers["content-type"] == "application/json"
        assert isinstance(twin.json(), dict)
    assert get(live, "/analyze").status_code == 200
    home = get(live, "/")  # the front page is the overview
    assert home.status_code == 200 and "What this store holds" in home.text
    nav = home.text.split('<nav aria-label="Main">')[1].split("</nav>")[0]
    for path in ("/", "/quotes", "/speakers", "/clusters", "/articles", "/outlets", "/analyze"):
        assert f'href="{path}"' in nav, path  # every page is in the navigation


def test_search_finds_words_and_paginates(live: str) -> None:
    words = get(live, "/quotes.json", q="librarian").json()
    assert words["items"] and all("librarian" in i["text"].lower() for i in words["items"])
    first = get(live, "/quotes.json", per_page=2).json()
    second = get(live, first["paging"]["next"])
    ids1 = {i["quote_id"] for i in first["items"]}
    ids2 = {i["quote_id"] for i in second.json()["items"]}
    assert len(ids1) == 2 and len(ids2) == 2 and not ids1 & ids2
    assert second.json()["paging"]["prev"] is not None
    assert get(live, "/quotes.json", q="zzzqqqxx").json()["items"] == []


def test_search_facets_restrict_results(live: str) -> None:
    everything = get(live, "/quotes.json", per_page=100).json()["items"]
    some = next(i for i in everything if i["speaker_id"] and i["said_on"] is None)
    by_outlet = get(live, "/quotes.json", outlet=some["outlet"], per_page=100).json()["items"]
    assert by_outlet and {i["outlet"] for i in by_outlet} == {some["outlet"]}
    name = some["speaker_name"]
    by_speaker = get(live, "/quotes.json", speaker=name, per_page=100).json()["items"]
    assert by_speaker and all(i["speaker_id"] == some["speaker_id"] for i in by_speaker)
    day = some["said_on"] or some["published"]
    dated = get(live, "/quotes.json", **{"from": day, "to": day, "per_page": 100}).json()
    assert dated["items"] and all((i["said_on"] or i["published"]) == day for i in dated["items"])
    direct = get(live, "/quotes.json", kind="direct", per_page=100).json()["items"]
    assert direct and {i["kind"] for i in direct} == {"direct"}
    page = get(live, "/quotes", outlet=some["outlet"]).text
    assert f'<option value="{markupsafe.escape(some["outlet"])}" selected>' in page
    cut = sorted(i["confidence"] for i in everything)[len(everything) // 2]
    sure = get(live, "/quotes.json", min_confidence=cut, per_page=100).json()["items"]
    assert sure and all(i["confidence"] >= cut for i in sure)
    assert len(sure) < len(everything) or cut == min(i["confidence"] for i in everything)


def test_results_badge_altered_renderings_elsewhere(live: str) -> None:
    view = altered_cluster(live)
    verbatim = [r for r in view["renderings"] if r["rendering"] != "altered"]
    hit = get(live, "/quotes.json", q=" ".join(verbatim[0]["text"].split()[:6]),
              per_page=100).json()["items"]
    mine = next(i for i in hit if i["quote_id"] == verbatim[0]["quote_id"])
    assert mine["altered_elsewhere"] == view["altered"]
    page = get(live, "/quotes", q=" ".join(verbatim[0]["text"].split()[:6])).text
    assert "altered rendering" in page and f'href="/clusters/{view["cluster"]}"' in page


def test_csv_export_matches_search_and_defuses_formulas(live: str) -> None:
    resp = get(live, "/quotes.csv", q="librarian")
    assert resp.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(resp.text)))
    ids = [i["quote_id"] for i in get(live, "/quotes.json", q="librarian").json()["items"]]
    assert [int(r["quote_id"]) for r in rows] == ids
    evil = list(csv.DictReader(io.StringIO(get(live, "/quotes.csv", q="HYPERLINK").text)))
    assert evil and all(r["text"].startswith("'=HYPERLINK") for r in evil)


def test_quote_page_shows_paragraph_cue_date_basis_and_renderings(live: str) -> None:
    view = altered_cluster(live)
    ref = view["renderings"][0]
    data = get(live, f"/quotes/{ref['quote_id']}.json").json()
    assert data["paragraph"]["quote"] == ref["text"]
    assert data["quote"]["cue"] and data["cluster"]["cluster"] == view["cluster"]
    page = get(live, f"/quotes/{ref['quote_id']}").text
    assert f'<mark class="this-quote">{html.escape(ref["text"], quote=False)}</mark>' in page
    assert html.escape(data["quote"]["cue"]) in page
    assert f"Other renderings ({len(view['renderings']) - 1})" in page
    assert f'href="/articles/{data["article_row"]}"' in page


def test_speaker_page_has_a_timeline_chart_and_searchable_quotes(live: str) -> None:
    top = get(live, "/quotes.json", per_page=100).json()["items"]
    sid = max({i["speaker_id"] for i in top if i["speaker_id"]},
              key=lambda s: sum(i["speaker_id"] == s for i in top))
    data = get(live, f"/speakers/{sid}.json").json()
    assert data["timeline_counts"] == "statements"
    assert data["speaker"]["statements"] == sum(n for _, n in data["timeline"])
    assert data["speaker"]["statements"] < data["speaker"]["quotes"]  # some said once, reported often
    mine = [r for i in data["items"] for r in i["renderings"] if r["speaker_id"] == sid]
    assert len(mine) == data["speaker"]["quotes"]  # each of their quotes under one statement
    assert sum(i["reports"] for i in data["items"]) >= len(mine)  # others may report it too
    page = get(live, f"/speakers/{sid}").text
    bars = re.findall(r"<title>[^<]*: (\d+) statements?</title>", page)
    assert bars and sum(map(int, bars)) == data["speaker"]["statements"]
    quotes = get(live, f"/speakers/{sid}.json", group="quote").json()
    assert quotes["timeline_counts"] == "quotes"
    assert sum(n for _, n in quotes["timeline"]) == data["speaker"]["quotes"]
    word = quotes["items"][0]["text"].split()[-1].strip(".,!?”\"")
    within = get(live, f"/speakers/{sid}.json", q=word, group="quote").json()["items"]
    assert within and all(i["speaker_id"] == sid for i in within)
    day = data["timeline"][0][0]
    one_day = get(live, f"/speakers/{sid}.json", **{"from": day, "to": day}).json()["items"]
    assert len(one_day) == data["timeline"][0][1]  # a bar opens the statements it counts


def test_cluster_page_flags_altered_and_marks_first_outlet(live: str) -> None:
    view = altered_cluster(live)
    page = get(live, f"/clusters/{view['cluster']}").text
    assert page.count('class="card rendering altered') == view["altered"]
    assert page.count('<span class="badge first-report">') == 1
    assert "<del>" in page or "<ins>" in page
    first = next(r for r in view["renderings"] if r["quote_id"] == view["first_quote_id"])
    assert first["outlet"] == view["first_outlet"]


def test_article_page_highlights_each_quote_by_speaker(live: str) -> None:
    hit = get(live, "/quotes.json", per_page=1).json()["items"][0]
    art = get(live, f"/articles/{hit['article_row']}.json").json()
    page = get(live, f"/articles/{hit['article_row']}").text
    links = re.findall(r'<a class="q spk-(\d)[^"]*" id="q\d+" href="/quotes/(\d+)"', page)
    assert {int(q) for _, q in links} == {q["quote_id"] for q in art["quotes"]}
    by_speaker: dict[Any, set[str]] = {}
    quotes = {q["quote_id"]: q for q in art["quotes"]}
    for colour, qid in links:
        by_speaker.setdefault(quotes[int(qid)]["speaker_id"], set()).add(colour)
    assert all(len(c) == 1 for c in by_speaker.values())  # one colour per speaker


def test_missing_things_are_404_in_both_forms(live: str) -> None:
    for path in ("/quotes/987654", "/speakers/987654", "/clusters/987654", "/articles/987654"):
        assert get(live, path).status_code == 404
        twin = get(live, path + ".json")
        assert twin.status_code == 404 and twin.json()["status"] == 404


# ---------------------------------------------------------------- safety
def test_hostile_article_stays_inert_on_every_page(live: str) -> None:
    evil = evil_quote(live)
    pages = [f"/quotes/{evil['quote_id']}", f"/articles/{evil['article_row']}",
             f"/clusters/{evil['cluster']}", "/quotes?q=HYPERLINK", "/quotes",
             "/quotes?" + httpx.QueryParams({"q": XSS[0], "speaker": EVIL_SPEAKER}).__str__()]
    if evil["speaker_id"] is not None:
        pages.append(f"/speakers/{evil['speaker_id']}")
    pages += ["/", "/overview", "/speakers", "/speakers?show=others", "/speakers?q=Evil",
              "/clusters", "/clusters?flag=altered&sort=date", "/articles", "/outlets",
              "/articles?" + str(httpx.QueryParams({"outlet": EVIL_OUTLET})),
              "/quotes?" + str(httpx.QueryParams({"speaker": EVIL_SPEAKER, "group": "statement"}))]
    for path in pages:
        resp = get(live, path)
        assert resp.status_code == 200, path
        assert script_problems(resp.text) == [], path
    for path, payload in (("/outlets", EVIL_OUTLET), ("/speakers?show=others", EVIL_SPEAKER),
                          (f"/clusters/{evil['cluster']}", EVIL_OUTLET),
                          ("/articles?" + str(httpx.QueryParams({"outlet": EVIL_OUTLET})),
                           EVIL_TITLE)):
        shown = get(live, path).text
        assert payload in html.unescape(shown) and payload not in shown, path  # text, escaped
    article = get(live, f"/articles/{evil['article_row']}").text
    shown = html.unescape(article)
    assert XSS[0] in shown and XSS[1] in shown and "{{7*7}}" in shown  # shown, as text
    assert EVIL_URL in shown and 'class="unsafe-url"' in article  # shown, not linked
    posted = httpx.post(live + "/analyze", content="text=" + httpx.QueryParams(
        {"t": "“" + " ".join(XSS) + ",” said Bob <script>x</script> Smith."})["t"].replace(
            " ", "+"), headers={"content-type": "application/x-www-form-urlencoded"}, timeout=60)
    assert posted.status_code == 200 and script_problems(posted.text) == []


def test_security_headers_on_every_response(live: str) -> None:
    for path in ("/quotes", "/quotes.json", "/quotes/987654", "/static/style.css",
                 "/quotes?from=bad", "/openapi.json"):
        resp = get(live, path)
        csp = resp.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp, path
        assert resp.headers["x-content-type-options"] == "nosniff"
        assert resp.headers["x-frame-options"] == "DENY"


def test_templates_never_mark_text_safe() -> None:
    from quoteline.web.app import HERE

    for template in (HERE / "templates").glob("*.html"):
        text = template.read_text()
        assert not re.search(r"\|\s*safe\b(?!_)", text), template
        assert "autoescape false" not in text and "Markup(" not in text, template


NASTY = ["'; DROP TABLE quotes; --", '"unbalanced', "NEAR(a b)", "a AND OR NOT", "*", "-",
         "text:foo", "quotes_fts MATCH 'x'", "\\", "%", "_", "()", "a" * 500, "ü漢字 🙂",
         "' OR 1=1 --", '" OR ""="', "{1 2}", "^foo", "col:(a OR b)", "NOT", "OR"]


def test_hostile_query_parameters_never_break_the_server(live: str) -> None:
    for q in NASTY:
        for path in ("/quotes", "/quotes.json", "/quotes.csv"):
            assert get(live, path, q=q).status_code == 200, (path, q)
        assert get(live, "/quotes.json", speaker=q[:200], outlet=q[:200]).status_code == 200, q
    bad = [{"q": "a" * 501}, {"from": "2024-13-45"}, {"to": "yesterday"}, {"kind": "x"},
           {"min_confidence": "2"}, {"min_confidence": "nan"}, {"min_confidence": "high"},
           {"page": "0"}, {"page": "abc"}, {"per_page": "100000"}, {"page": "1000",
                                                                     "per_page": "100"}]
    for params in bad:
        assert get(live, "/quotes.json", **params).status_code == 400, params
    assert httpx.get(live + "/quotes.json?q=a%00b").status_code == 400
    assert httpx.get(live + "/quotes.json?q=" + "x" * 9000).status_code == 400
    assert get(live, "/quotes/99999999999999999999999999").status_code == 400
    assert get(live, "/quotes/-1").status_code == 404
    form = {"content-type": "application/x-www-form-urlencoded"}
    many = "&".join(f"f{i}=1" for i in range(50))
    assert httpx.post(live + "/analyze", content=many, headers=form).status_code == 400
    assert httpx.post(live + "/analyze", content="text=", headers=form).status_code == 400
    assert httpx.post(live + "/analyze", content="text=%FF%FE%00", headers=form,
                      timeout=60).status_code in (200, 400)


def test_openapi_describes_pages_and_twins(live: str) -> None:
    paths = get(live, "/openapi.json").json()["paths"]
    for p in ("/quotes.json", "/quotes.csv", "/quotes/{quote_id}.json",
              "/speakers/{speaker_id}.json", "/clusters/{cluster_id}.json",
              "/articles/{article_id}.json", "/analyze.json", "/api/articles"):
        assert p in paths, p


def test_read_only_by_default(live: str, web_db: str) -> None:
    with open_store(web_db) as store:
        before = store.stats()
    resp = httpx.post(live + "/api/articles", headers={"authorization": f"Bearer {TOKEN}"},
                      json={"articles": [{"text": '"Hello there," Ann Lee said.'}]})
    assert resp.status_code == 403
    resp = httpx.post(live + "/analyze.json", json={"text": '"Hi," Ann Lee said.',
                                                    "store": True}, timeout=60)
    assert resp.status_code == 403
    with open_store(web_db) as store:
        assert store.stats() == before


def test_writes_need_the_token(tmp_path: Any) -> None:
    url = build_store(tmp_path / "rw.db")
    settings = WebSettings(db_url=url, allow_writes=True, token=TOKEN, max_body=50_000)
    body = {"articles": [{"id": "w1", "outlet": "Wire", "published": "2025-02-03",
                          "text": '"The ferry will run all winter," Harbour Master Ines Cole '
                                  "said on Monday."}]}
    with LiveServer(settings) as server:
        post = server.url + "/api/articles"
        assert httpx.post(post, json=body).status_code == 401
        wrong = {"authorization": "Bearer nope-nope-nope"}
        assert httpx.post(post, json=body, headers=wrong).status_code == 401
        good = {"authorization": f"Bearer {TOKEN}"}
        resp = httpx.post(post, json=body, headers=good, timeout=60)
        assert resp.status_code == 200 and resp.json()["stored"] == 1
        found = get(server.url, "/quotes.json", q="ferry winter").json()["items"]
        assert found and found[0]["outlet"] == "Wire"
        huge = {"articles": [{"text": "x" * 60_000}]}
        assert httpx.post(post, json=huge, headers=good).status_code == 413


def test_analyze_json_attributes_the_seed_article(live: str, seed_text: str) -> None:
    resp = httpx.post(live + "/analyze.json", json={"text": seed_text,
                                                    "published": "2022-11-16"}, timeout=120)
    assert resp.status_code == 200
    speakers = [q["speaker"] or "" for q in resp.json()["quotes"]]
    assert sum("Milley" in s for s in speakers) >= 3


def test_analyze_refuses_private_and_odd_urls(live: str) -> None:
    for url in ("file:///etc/passwd", "javascript:alert(1)", "http://127.0.0.1:1/x",
                "http://169.254.169.254/latest/meta-data/"):
        resp = httpx.post(live + "/analyze.json", json={"url": url}, timeout=30)
        assert resp.status_code == 400, url


def test_query_time_limit_stops_a_runaway_query(web_db: str) -> None:
    from quoteline.errors import StoreError
    from quoteline.web import context as queries

    runaway = ("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
               "WHERE x < 100000000) SELECT count(*) AS n FROM c")
    with open_store(web_db) as store:
        queries.install_time_limit(store, 0.05)
        queries.start_clock(0.05)
        with pytest.raises(StoreError, match="interrupted"):
            store.db.query(runaway)
        assert queries.stop_clock() is True
        assert store.db.scalar("SELECT count(*) AS n FROM quotes") > 0  # usable afterwards


def test_serve_refuses_a_missing_store_and_tokenless_writes(tmp_path: Any) -> None:
    runner = CliRunner()
    missing = runner.invoke(cli, ["serve", "--db", f"sqlite:///{tmp_path}/nope.db"])
    assert isinstance(missing.exception, UsageError) and "no quoteline store at" in str(
        missing.exception)
    url = f"sqlite:///{tmp_path}/s.db"
    open_store(url).close()
    no_token = runner.invoke(cli, ["serve", "--db", url, "--allow-writes"])
    assert isinstance(no_token.exception, UsageError)


def test_pages_on_both_backends(store_url: str) -> None:  # noqa: F811
    with LiveServer(WebSettings(db_url=build_store(store_url))) as server:
        base = server.url
        hit = get(base, "/quotes.json", q="librarian").json()["items"][0]
        for page in ("/quotes?q=librarian", f"/quotes/{hit['quote_id']}",
                     f"/speakers/{hit['speaker_id']}", f"/clusters/{hit['cluster']}",
                     f"/articles/{hit['article_row']}"):
            assert get(base, page).status_code == 200, page
            assert get(base, page.replace("?", ".json?", 1) if "?" in page
                       else page + ".json").status_code == 200, page
        for q in NASTY:
            assert get(base, "/quotes.json", q=q, speaker=q[:200]).status_code == 200, q
        evil = evil_quote(base)
        assert script_problems(get(base, f"/articles/{evil['article_row']}").text) == []


def test_timeline_chart_buckets_by_span_and_keeps_every_quote() -> None:
    import datetime as dt

    from quoteline.web.charts import timeline_chart

    days = [(dt.date(2021, 1, 5), 2), (dt.date(2021, 1, 20), 1), (dt.date(2022, 6, 1), 4)]
    chart = timeline_chart(days)
    assert chart is not None and chart.unit == "month"
    assert len(chart.bars) == 18 and sum(b.count for b in chart.bars) == 7
    assert chart.bars[0].count == 3 and chart.bars[-1].count == 4
    assert chart.bars[-1].height > chart.bars[0].height > 0 == chart.bars[1].height
    long = timeline_chart([(dt.date(2001, 1, 1), 1), (dt.date(2020, 1, 1), 1)])
    assert long is not None and long.unit == "year" and len(long.bars) == 20
    short = timeline_chart([(dt.date(2024, 3, 1), 1), (dt.date(2024, 3, 3), 5)])
    assert short is not None and short.unit == "day" and len(short.bars) == 3
    assert timeline_chart([]) is None


def test_only_plain_web_urls_become_links() -> None:
    from quoteline.web.render import safe_url

    for good in ("https://example.com/a?b=1", "http://x.example/"):
        assert safe_url(good) == good
    for bad in ("javascript:alert(1)", " javascript:alert(1)", "JaVaScRiPt:x", "data:text/html,x",
                "vbscript:x", "//evil.example", "https://ex ample.com", "http://a\x00b",
                "file:///etc/passwd", "", None, "https://" + "a" * 3000):
        assert safe_url(bad) is None, bad


@pytest.mark.parametrize("workers", ["1", "2"])
def test_serve_command_serves_the_store(web_db: str, workers: str) -> None:
    import socket
    import subprocess
    import sys
    import time

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [sys.executable, "-c", "from quoteline.cli import main; main()", "serve", "--db",
           web_db, "--port", str(port), "--workers", workers]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                resp = httpx.get(f"http://127.0.0.1:{port}/quotes.json", params={"q": "library"})
                break
            except httpx.TransportError:
                assert proc.poll() is None and time.monotonic() < deadline, "serve did not start"
                time.sleep(0.2)
        assert resp.status_code == 200 and resp.json()["items"]
        assert "content-security-policy" in resp.headers
    finally:
        proc.terminate()
        proc.wait(20)
    assert b"read-only" in (proc.stderr.read() if proc.stderr else b"")
