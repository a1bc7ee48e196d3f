"""Shared test fixtures and the rule for optional services.

Tests that need PostgreSQL, Chromium, Spark or the gold data in ../shared skip with a reason
when those are missing, except under CI (CI=true), where such a skip is a failure.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
IN_CI = os.environ.get("CI", "").lower() == "true"


def cli_in_process(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``quoteline ARGV`` run in this process (the model stays loaded): exit code, stdout, stderr."""
    from quoteline.cli import main

    try:
        rc = main(list(argv)) or 0
    except SystemExit as exc:
        rc = int(exc.code or 0)
    out, err = capsys.readouterr()
    return rc, out, err


def require(condition: bool, reason: str) -> None:
    """Skip the calling test when ``condition`` is false, or fail it under CI."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI but missing: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared (gold data, fixtures, reference scorer); skipped/failed when absent."""
    require(SHARED.is_dir(), f"{SHARED} is not there (gold data and reference scorer)")
    return SHARED


@pytest.fixture(scope="session")
def seed_text(shared_dir: Path) -> str:
    """The seed article's text."""
    return (shared_dir / "fixtures" / "seed-article.txt").read_text(encoding="utf-8")


ARTIFACTS = ROOT / "test-artifacts"  # screenshots of the browser tests (gitignored)
_STARTED = time.time()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say where the browser tests' screenshots are, so a CI log leads to them."""
    shots = sorted(p for p in ARTIFACTS.glob("*.png")
                   if p.stat().st_mtime >= _STARTED) if ARTIFACTS.is_dir() else []
    if shots:
        terminalreporter.write_sep("-", "browser screenshots")
        terminalreporter.write_line(f"{len(shots)} screenshots of this run in {ARTIFACTS}/ "
                                    f"(e.g. {shots[0].name})")
