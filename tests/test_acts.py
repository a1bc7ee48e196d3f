"""Statements by default: every quote carries an act (speech or thought), and the store, the CLI,
the export, the web and ``quoteline eval`` show statements unless asked for ``all``."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

import quoteline
from quoteline.cli import cli
from quoteline.corpus import ingest
from quoteline.corpus.export import QUOTE_COLUMNS, export_rows
from quoteline.evaluate import keep_acts
from quoteline.models import Article
from quoteline.search import Filters, SearchRequest
from quoteline.store import Store, open_store
from quoteline.store.migrate import migrations
from quoteline.web import WebSettings
from test_store_support import pg_server, store_url  # noqa: F401 - fixtures
from test_web_support import LiveServer

STORY = ("“We will reopen the bridge in May,” Mayor Ana Ruiz said on Tuesday.\n\n"
         "Ruiz believes that the council will back the bridge plan.")
SAID = "We will reopen the bridge in May"
BELIEVED = "that the council will back the bridge plan"


def test_quotes_say_whether_they_are_statements() -> None:
    acts = {q.text: q.act for q in quoteline.extract(STORY, published="2024-03-14")}
    assert acts == {SAID: "speech", BELIEVED: "thought"}
    assert all(q.to_dict()["act"] in ("speech", "thought")
               for q in quoteline.extract(STORY, published="2024-03-14"))


@pytest.fixture
def filled(store_url: str) -> Store:  # noqa: F811
    """A store holding the story's statement and its thought, on each backend."""
    s = open_store(store_url)
    ingest([Article(text=STORY, id="bridge", outlet="Daily", published="2024-03-14")], s)
    yield s  # type: ignore[misc]
    s.close()


def test_store_reads_show_statements_unless_asked_for_all(filled: Store) -> None:
    assert [h.text for h in filled.search("bridge")] == [SAID]
    assert sorted(h.text for h in filled.search("bridge", acts="all")) == sorted([SAID, BELIEVED])
    page = filled.search_page(SearchRequest("", Filters(acts="all")))
    assert page.total == 2
    assert [h.text for h in filled.latest_quotes()] == [SAID]
    hit = filled.search("bridge")[0]
    assert (hit.act, hit.rule) == ("speech", "complement")
    speaker = hit.speaker_id
    assert speaker is not None
    assert [h.text for h in filled.timeline(speaker)] == [SAID]
    assert len(filled.timeline(speaker, acts="all")) == 2
    assert filled.speaker_quotes(speaker).total == 1
    assert filled.speaker_quotes(speaker, acts="all").total == 2


def test_export_holds_act_and_rule_columns(filled: Store) -> None:
    assert QUOTE_COLUMNS[-2:] == ["act", "rule"]
    rows, _ = export_rows(filled, "quotes")
    assert [(r["text"], r["act"]) for r in rows] == [(SAID, "speech")]
    rows, _ = export_rows(filled, "quotes", acts="all")
    assert {r["act"] for r in rows} == {"speech", "thought"}
    assert all(r["rule"] for r in export_rows(filled, "quotes", acts="all")[0])


def _schema_before(s: Store, version: int) -> None:
    """Make ``s`` a store at the schema before ``version``, recorded as a real store records
    every step it applied."""
    for step in migrations(s.dialect):
        if step.version < version:
            s.db.script(step.sql)
    s.db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY,"
                 " name TEXT NOT NULL, applied_at TEXT NOT NULL)")
    s.db.executemany("INSERT INTO schema_version VALUES (?, ?, '2024-01-01')",
                     [(m.version, m.name) for m in migrations(s.dialect) if m.version < version])


def test_migration_5_takes_older_quotes_for_statements(store_url: str) -> None:  # noqa: F811
    with Store(store_url, migrate_schema=False) as s, s.transaction():
        _schema_before(s, 5)
        row = s.db.one("INSERT INTO articles (ident, content_hash, minhash, text, ingested_at)"
                       " VALUES ('old', 'h-old', ?, 'an old quote', '2024-01-01') RETURNING id",
                       (b"",))
        assert row is not None
        s.db.execute("INSERT INTO quotes (article_id, start_char, end_char, text, kind)"
                     " VALUES (?, 0, 12, 'an old quote', 'direct')", (row["id"],))
    with open_store(store_url) as s:
        old = s.db.one("SELECT act, rule FROM quotes WHERE text = 'an old quote'")
        assert old is not None and (old["act"], old["rule"]) == ("speech", None)
        assert [h.text for h in s.search("old")] == ["an old quote"]


def test_statements_only_under_facets_and_counts(filled: Store) -> None:
    """The statements-only filter holds with facets (a speaker, a kind, an outlet), with
    words, and when counting by facets alone."""
    speaker = filled.search("bridge")[0].speaker_id
    for f in (Filters(speaker_id=speaker), Filters(outlet="Daily"), Filters(kind="indirect")):
        speech = filled.search_page(SearchRequest("bridge", f))
        every = filled.search_page(SearchRequest("bridge", replace(f, acts="all")))
        assert BELIEVED not in [h.text for h in speech.hits]
        assert speech.total == len(speech.hits)
        assert every.total == len(every.hits) >= speech.total
    by_outlet = filled.search_page(SearchRequest("", Filters(outlet="Daily")))
    assert (by_outlet.total, [h.text for h in by_outlet.hits]) == (1, [SAID])
    assert filled.search_page(SearchRequest("", Filters(outlet="Daily", acts="all"))).total == 2


def test_migration_8_puts_the_act_of_older_thoughts_in_the_search_index(
        store_url: str) -> None:  # noqa: F811
    with Store(store_url, migrate_schema=False) as s, s.transaction():
        _schema_before(s, 8)
        row = s.db.one("INSERT INTO articles (ident, content_hash, minhash, text, ingested_at)"
                       " VALUES ('old', 'h-old', ?, 'x', '2024-01-01') RETURNING id", (b"",))
        assert row is not None
        for at, text, act in ((0, "the ferry will sail", "speech"),
                              (30, "the ferry may sink", "thought")):
            s.db.execute("INSERT INTO quotes (article_id, start_char, end_char, text, kind, act,"
                         " facets) VALUES (?, ?, ?, ?, 'direct', ?, 's0 kdirect onone')",
                         (row["id"], at, at + len(text), text, act))
    with open_store(store_url) as s:
        assert [h.text for h in s.search("ferry")] == ["the ferry will sail"]
        assert [h.text for h in s.search("ferry", kind="direct")] == ["the ferry will sail"]
        assert len(s.search("ferry", kind="direct", acts="all")) == 2


def _cli(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_cli_verbs_take_acts(filled: Store, tmp_path: Path) -> None:
    url = filled.url
    default = _cli("search", "bridge", "--db", url, "--format", "jsonl")
    every = _cli("search", "bridge", "--db", url, "--format", "jsonl", "--acts", "all")
    assert [json.loads(x)["text"] for x in default.stdout.splitlines()] == [SAID]
    assert len(every.stdout.splitlines()) == 2
    exported = _cli("export", "quotes", "--db", url, "--acts", "all")
    assert {json.loads(x)["act"] for x in exported.stdout.splitlines()} == {"speech", "thought"}
    assert _cli("export", "quotes", "--db", url, "--acts", "some").exit_code == 2
    story = tmp_path / "story.txt"
    story.write_text(STORY, encoding="utf-8")
    out = _cli("extract", str(story)).stdout.splitlines()
    assert [json.loads(x)["text"] for x in out] == [SAID]
    assert len(_cli("extract", str(story), "--acts", "all").stdout.splitlines()) == 2
    speaker = _cli("speaker", "Ana Ruiz", "--db", url, "--format", "jsonl", "--acts", "all")
    assert len(speaker.stdout.splitlines()) == 2


def test_web_search_and_json_take_acts(filled: Store) -> None:
    with LiveServer(WebSettings(db_url=filled.url)) as server:
        def texts(**params: str) -> list[str]:
            got = httpx.get(server.url + "/quotes.json", params={"q": "bridge", **params})
            return sorted(item["text"] for item in got.json()["items"])

        assert texts() == [SAID]
        assert texts(acts="all") == sorted([SAID, BELIEVED])
        assert texts(acts="speech") == [SAID]
        browse = httpx.get(server.url + "/quotes.json", params={"acts": "all"}).json()
        assert len(browse["items"]) == 2
        assert httpx.get(server.url + "/quotes.json", params={"acts": "x"}).status_code == 400


def test_a_speakers_statements_leave_thoughts_out_unless_asked(filled: Store) -> None:
    speaker = filled.search("bridge")[0].speaker_id
    assert speaker is not None
    said = filled.speaker_statements(speaker)
    assert ([st.lead.text for st in said.statements], said.total) == ([SAID], 1)
    assert said.counts == (1, 1)
    every = filled.speaker_statements(speaker, acts="all")
    assert sorted(st.lead.text for st in every.statements) == sorted([SAID, BELIEVED])
    assert sum(n for _, n in filled.speaker_statement_days(speaker)) == 1
    assert sum(n for _, n in filled.speaker_statement_days(speaker, acts="all")) == 2
    info = filled.speaker(speaker)
    assert info is not None and (info.quotes, info.statements) == (1, 1)
    with LiveServer(WebSettings(db_url=filled.url)) as server:
        def listed(**params: str) -> list[str]:
            got = httpx.get(f"{server.url}/speakers/{speaker}.json", params=params).json()
            return sorted(item["quote"]["text"] for item in got["items"])

        assert listed() == [SAID]
        assert listed(acts="all") == sorted([SAID, BELIEVED])


def test_eval_scores_the_acts_asked_for() -> None:
    docs = [{"id": "d", "quotes": [{"content": [0, 3], "act": "speech"},
                                   {"content": [4, 8], "act": "thought"}, {"content": [9, 12]}]}]
    assert [len(d["quotes"]) for d in keep_acts(docs, "speech")] == [2]
    assert [len(d["quotes"]) for d in keep_acts(docs, "all")] == [3]
