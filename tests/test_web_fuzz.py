"""Fuzzing: the API from its own OpenAPI description (schemathesis), and query text (Hypothesis)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from test_web_support import shared_live

schemathesis = pytest.importorskip("schemathesis")
from schemathesis.checks import not_a_server_error  # noqa: E402

FUZZ = settings(max_examples=30, deadline=None,
                suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Base URL of the shared read-only server."""
    return shared_live(tmp_path_factory)


@pytest.mark.parametrize("mode", ["positive", "negative"])
def test_no_operation_answers_with_a_server_error(live: str, mode: str) -> None:
    schema = schemathesis.openapi.from_url(live + "/openapi.json")
    seen: set[str] = set()

    @given(case=schema.as_strategy(schemathesis.GenerationMode(mode)))
    @settings(FUZZ, max_examples=120)
    def run(case: Any) -> None:
        seen.add(f"{case.method} {case.path}")
        response = case.call(timeout=60)
        assert response.status_code < 500, (case.path, case.query, response.text[:300])
        case.validate_response(response, checks=[not_a_server_error])

    run()
    assert len(seen) >= 6  # the fuzzer reached most operations, not just one


SEARCH_FIELDS = st.fixed_dictionaries({}, optional={
    "q": st.text(max_size=80) | st.sampled_from(['"', "NEAR(", "a OR", "*", "-", "^", ":"]),
    "speaker": st.text(max_size=40), "outlet": st.text(max_size=40),
    "from": st.text(max_size=12), "to": st.text(max_size=12),
    "kind": st.sampled_from(["", "direct", "mixed", "indirect", "x"]) | st.text(max_size=8),
    "page": st.integers(-5, 2000).map(str) | st.text(max_size=5),
    "per_page": st.integers(-5, 200).map(str),
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
