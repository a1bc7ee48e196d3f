"""Fuzzing: the API from its own OpenAPI description (schemathesis, every check), and query
text (Hypothesis)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from test_web_support import shared_live

schemathesis = pytest.importorskip("schemathesis")

FUZZ = settings(max_examples=30, deadline=None,
                suppress_health_check=list(HealthCheck))
ST = Path(sys.executable).with_name("st")  # schemathesis' command line, beside this Python
# What a schema cannot say, told to schemathesis per operation (everything else it checks as
# the description says):
# - analyze fetches a URL over the network; that the page cannot be fetched (no such host,
#   refused, a private address) is a 400 for a request the schema must call valid;
# - a body over the server's size limit is refused with 413, a rejection like 400.
CONFIG = """
[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "411", "413", "415",
                     "422", "428", "429", "5xx"]

[[operations]]
include-name = "POST /analyze.json"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "400", "401", "403",
                                                     "404", "409", "429"]

[[operations]]
include-name = "POST /analyze"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "400", "401", "403",
                                                     "404", "409", "429"]
"""


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Base URL of the shared read-only server."""
    return shared_live(tmp_path_factory)


def test_schemathesis_with_every_check_finds_nothing(live: str, tmp_path: Path) -> None:
    """Every phase (examples, coverage, fuzzing, stateful) and every check, both generation
    modes, a fixed seed and a bounded number of examples, so it is the same run in CI."""
    assert ST.exists(), f"schemathesis' command line is not at {ST}"
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG, encoding="utf-8")
    run = subprocess.run(
        [str(ST), "--config-file", str(config), "run", live + "/openapi.json", "--checks", "all",
         "--mode", "all", "--max-examples", "25", "--seed", "7", "--request-timeout", "60",
         "--suppress-health-check", "large_base_example", "--no-color"],
        capture_output=True, text=True, timeout=900, cwd=tmp_path)  # its cache stays there
    tail = run.stdout[-6000:]
    assert run.returncode == 0, tail
    operations = re.search(r"Tested: (\d+)", run.stdout)
    assert operations and int(operations.group(1)) >= 24, tail  # every operation was reached
    assert " passed" in tail, tail


def test_the_described_analyze_body_is_the_one_the_server_accepts(live: str) -> None:
    import jsonschema_rs  # schemathesis' own validator

    schema = httpx.get(live + "/openapi.json", timeout=30).json()
    body = {**schema["components"]["schemas"]["AnalyzeIn"], "components": schema["components"]}
    validator = jsonschema_rs.Draft202012Validator(body, validate_formats=True)
    for refused in ({}, {"text": "   "}, {"text": "", "url": ""},
                    {"text": "Hi.", "published": "yesterday"}):
        assert not validator.is_valid(refused), refused
        resp = httpx.post(live + "/analyze.json", json=refused, timeout=60)
        assert resp.status_code == 400, (refused, resp.text)
    assert validator.is_valid({"text": "Hello."})
    assert httpx.post(live + "/analyze.json", json={"text": "Hello."}, timeout=60).status_code == 200


def test_a_405_names_every_method_the_path_serves(live: str) -> None:
    for path, allowed in (("/analyze", "GET, POST"), ("/quotes.json", "GET"),
                          ("/api/articles", "POST")):
        resp = httpx.request("DELETE", live + path, timeout=30)
        assert resp.status_code == 405 and resp.headers["allow"] == allowed, path


SEARCH_FIELDS = st.fixed_dictionaries({}, optional={
    "q": st.text(max_size=80) | st.sampled_from(['"', "NEAR(", "a OR", "*", "-", "^", ":"]),
    "speaker": st.text(max_size=40), "outlet": st.text(max_size=40),
    "from": st.text(max_size=12), "to": st.text(max_size=12),
    "kind": st.sampled_from(["", "direct", "mixed", "indirect", "x"]) | st.text(max_size=8),
    "page": st.integers(-5, 2000).map(str) | st.text(max_size=5),
    "per_page": st.integers(-5, 200).map(str),
    "group": st.sampled_from(["", "quote", "statement", "x"]),
})


@given(params=SEARCH_FIELDS)
@FUZZ
def test_search_answers_200_or_400_for_any_parameters(live: str, params: dict[str, str]) -> None:
    for path in ("/quotes.json", "/quotes"):
        resp = httpx.get(live + path, params=params, timeout=30)
        assert resp.status_code in (200, 400), (path, params, resp.text[:300])
        if path.endswith(".json"):
            body = resp.json()
            assert ("items" in body) if resp.status_code == 200 else body["status"] == 400


BROWSE_FIELDS = st.fixed_dictionaries({}, optional={
    "q": st.text(max_size=40), "show": st.sampled_from(["", "people", "others", "x"]),
    "sort": st.sampled_from(["", "quotes", "name", "size", "date", "x"]) | st.text(max_size=8),
    "flag": st.sampled_from(["", "altered", "misattributed", "x"]) | st.text(max_size=8),
    "outlet": st.text(max_size=40), "group": st.sampled_from(["", "quote", "statement", "x"]),
    "page": st.integers(-5, 2000).map(str) | st.text(max_size=5),
    "per_page": st.integers(-5, 200).map(str),
})


@given(params=BROWSE_FIELDS)
@FUZZ
def test_browse_pages_answer_200_or_400_for_any_parameters(live: str,
                                                           params: dict[str, str]) -> None:
    for path in ("/speakers.json", "/clusters.json", "/articles.json", "/outlets.json",
                 "/clusters", "/speakers"):
        resp = httpx.get(live + path, params=params, timeout=30)
        assert resp.status_code in (200, 400), (path, params, resp.text[:300])
        if path.endswith(".json"):
            body = resp.json()
            assert ("items" in body) if resp.status_code == 200 else body["status"] == 400
