"""The web pages over the Store's reads: paging a speaker who shares a name, match counts,
messages for searches that cannot run, highlighted terms, and the wording of counts and
names; and the web modules import one another without a cycle."""

from __future__ import annotations

import ast
import html
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from quoteline.store import open_store
from quoteline.web import WebSettings
from test_store_reads import namesakes
from test_store_support import pg_server, store_url  # noqa: F401 - fixtures
from test_web_support import LiveServer, script_problems, shared_live

WEB = Path(__file__).resolve().parents[1] / "src" / "quoteline" / "web"


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Base URL of the shared read-only server."""
    return shared_live(tmp_path_factory)


def get(base: str, path: str, **params: Any) -> httpx.Response:
    """GET a path on a live server."""
    return httpx.get(base + path, params=params or None, timeout=30)


def walk(base: str, path: str, **params: Any) -> list[list[int]]:
    """The quote ids of every page of a JSON listing, following its ``next`` links."""
    out: list[list[int]] = []
    url: str | None = path
    while url:
        body = get(base, url, **(params if url == path else {})).json()
        out.append([i["quote_id"] if "quote_id" in i else i["quote"]["quote_id"]
                    for i in body["items"]])  # a quote, or a statement's quote
        url = body["paging"]["next"]
        assert len(out) < 20, "paging never ended"
    return out


def test_a_speaker_page_pages_through_one_of_two_namesakes(store_url: str) -> None:  # noqa: F811
    with open_store(store_url) as store:
        mine, theirs = namesakes(store)
    with LiveServer(WebSettings(db_url=store_url)) as server:
        for params in ({"q": "bridge"}, {}):
            got = walk(server.url, "/speakers/1.json", per_page=2, **params)
            assert [len(p) for p in got] == [2, 2], params  # no page cut short
            assert sorted(i for p in got for i in p) == sorted(mine), params
            first = get(server.url, "/speakers/1.json", per_page=2, **params).json()
            assert first["paging"]["total"] == len(mine), params
        both = walk(server.url, "/quotes.json", q="bridge", speaker="Kim", per_page=3)
        assert sorted(i for p in both for i in p) == sorted(mine + theirs)
        page = get(server.url, "/speakers/1", q="bridge", group="quote").text
        assert f"{len(mine)} matches" in page and page.count('<li class="hit">') == len(mine)
        page = get(server.url, "/speakers/1", q="bridge").text  # each its own statement
        assert f"{len(mine)} statements" in page
        assert page.count('<li class="statement">') == len(mine)


def test_the_count_is_the_number_of_matches(live: str) -> None:
    body = get(live, "/quotes.json", q="power", per_page=2).json()
    every = [i for p in walk(live, "/quotes.json", q="power", per_page=2) for i in p]
    assert body["paging"]["total"] == len(every) > 2 and body["paging"]["total_exact"]
    page = get(live, "/quotes", q="power").text
    assert f'<strong class="count">{len(every)} matches</strong>' in page
    corpus = get(live, "/quotes.json").json()["paging"]["total"]
    assert corpus > len(every)  # browsing counts the store; a search counts its matches


@pytest.mark.parametrize("q", ['"', "AND", "*", "-power"])
def test_a_query_with_nothing_to_find_says_so(live: str, q: str) -> None:
    body = get(live, "/quotes.json", q=q).json()
    assert body["items"] == [] and body["paging"]["total"] == 0
    assert "to look for" in body["problem"] or "only excludes" in body["problem"]
    page = get(live, "/quotes", q=q)
    assert page.status_code == 200 and 'class="problem" role="alert"' in page.text
    assert '<li class="hit">' not in page.text  # not the latest quotes
    assert get(live, "/quotes.csv", q=q).text.count("\n") == 1  # the header alone


def test_from_after_to_says_so(live: str) -> None:
    body = get(live, "/quotes.json", **{"from": "2025-02-01", "to": "2024-01-01"}).json()
    assert body["items"] == [] and "is after to" in body["problem"]
    page = get(live, "/quotes", **{"q": "power", "from": "2025-02-01", "to": "2024-01-01"})
    assert "from (2025-02-01) is after to (2024-01-01)" in html.unescape(page.text)
    sid = next(i["speaker_id"] for i in get(live, "/quotes.json", q="power").json()["items"]
               if i["speaker_id"] is not None)  # a group ("State regulators") is no speaker
    on_speaker = get(live, f"/speakers/{sid}.json", **{"from": "2025-02-01", "to": "2024-01-01"})
    assert "is after to" in on_speaker.json()["problem"]


def test_search_terms_are_highlighted_and_stay_escaped(live: str) -> None:
    page = get(live, "/quotes", q="power").text
    assert re.search(r'<mark class="term">[Pp]ower</mark>', page)
    hostile = get(live, "/quotes", q="script alert").text
    assert '<mark class="term">script</mark>' in hostile
    assert "&lt;" in hostile and script_problems(hostile) == []
    speaker = next(i["speaker_id"] for i in get(live, "/quotes.json", q="power").json()["items"]
                   if i["speaker_id"] is not None and "power" in i["text"].lower())
    within = get(live, f"/speakers/{speaker}", q="power").text
    assert re.search(r'<mark class="term">[Pp]ower</mark>', within)


def test_counts_names_and_titles_read_as_written(live: str) -> None:
    seen: dict[int, dict[str, Any]] = {}
    for item in get(live, "/quotes.json", per_page=100).json()["items"]:
        if item["speaker_id"] is not None and item["speaker_id"] not in seen:
            seen[item["speaker_id"]] = get(live, f"/speakers/{item['speaker_id']}.json").json()
    single = next(s for s in seen.values() if s["speaker"]["quotes"] == 1)["speaker"]
    page = get(live, f"/speakers/{single['speaker_id']}").text
    assert "1 statement<" in page and "1 statements" not in page and "1 statement from" in page
    by_quote = get(live, f"/speakers/{single['speaker_id']}", group="quote").text
    assert "1 quote from" in by_quote and "1 quotes" not in by_quote
    for data in seen.values():
        info = data["speaker"]
        also = get(live, f"/speakers/{info['speaker_id']}").text.split('id="aliases-h"')[1]
        also = also.split("</section>")[0]
        assert f"<li>{html.escape(info['name'])}</li>" not in also  # not "also called" itself
    titles = [t for s in seen.values() for t in s["speaker"]["titles"]]
    assert any(t != t.lower() for t in titles), titles  # "Northline Power" keeps capitals


def _imports(path: Path) -> set[str]:
    """quoteline.web modules that ``path`` imports (at the top or inside functions)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            found.update(n for n in names if n.startswith("quoteline.web."))
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("quoteline.web."))
    modules = {f"quoteline.web.{p.stem}" for p in WEB.glob("*.py")}
    return found & modules


def test_the_web_modules_import_without_a_cycle() -> None:
    graph = {f"quoteline.web.{p.stem}": _imports(p) for p in WEB.glob("*.py")
             if p.stem != "__init__"}
    done: set[str] = set()

    def visit(node: str, path: tuple[str, ...]) -> None:
        assert node not in path, " -> ".join((*path, node))
        if node in done:
            return
        for nxt in graph.get(node, ()):
            visit(nxt, (*path, node))
        done.add(node)

    for module in graph:
        visit(module, ())
    assert "quoteline.web.app" not in graph["quoteline.web.views"] | graph[
        "quoteline.web.analyze"]
