"""``quoteline extract`` shows a progress bar (counts, rate, ETA) on a terminal only: with
stderr on a pseudo-terminal the bar is there and stdout still holds only the quotes; on a
pipe, or with --quiet, nothing but the quotes and the skips."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from terminal_support import on_a_terminal
from test_cli_store import QUOTELINE, _articles


def _extract(tmp_path: Path, *extra: str) -> tuple[int, str, str]:
    """``quoteline extract`` with stderr on a pseudo-terminal and stdout in a file; (exit
    code, what the terminal showed, what stdout held)."""
    out = tmp_path / "out.jsonl"
    with out.open("wb") as stdout:
        rc, shown = on_a_terminal([*QUOTELINE, "extract", str(_articles(tmp_path / "a.jsonl")),
                                   *extra], stdout=stdout)
    return rc, shown, out.read_text(encoding="utf-8")


def test_extract_shows_progress_on_a_terminal_and_keeps_stdout_clean(tmp_path: Path) -> None:
    rc, shown, out = _extract(tmp_path)
    assert rc == 0, shown
    assert "extracting" in shown and "3/3" in shown and "ETA" in shown, shown
    assert "articles/s" in shown and "quotes" in shown, shown
    quotes = [json.loads(line) for line in out.splitlines()]  # only quotes: no bar in the data
    assert len(quotes) >= 3 and all("Cole" in (q["speaker"] or "") for q in quotes), out
    quiet_dir = tmp_path / "quiet"
    quiet_dir.mkdir()
    rc, quiet, quiet_out = _extract(quiet_dir, "--quiet")
    assert rc == 0 and "ETA" not in quiet and "extracting" not in quiet, quiet
    assert quiet_out == out
    piped = subprocess.run([*QUOTELINE, "extract", str(_articles(tmp_path / "b.jsonl"))],
                           capture_output=True, text=True, timeout=300)
    assert piped.returncode == 0 and piped.stderr == "", piped.stderr
    assert piped.stdout == out
