"""bench/hostile_ingest.py, cut down: 50 good articles and the hostile file inputs in one run.

Every file-borne row of issue 13's table is here (3: unpunctuated megabytes, 8: year-1 dates,
11: a zero-width space in a name among them). Rows 7 and 9 are web attacks, tested in
tests/test_web_analyze_limits.py.
"""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import ROOT

ROWS = "1,2,3,4,5,6,8,10,11"


def test_hostile_inputs_are_skips_and_good_articles_are_stored() -> None:
    env = {**os.environ, "QUOTELINE_FETCH_TIMEOUT": "2"}
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "hostile_ingest.py"), "--small",
                           "--rows", ROWS, "--no-web", "--max-seconds", "0"], capture_output=True, text=True,
                          env=env, timeout=600, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    verdicts = [line for line in proc.stdout.splitlines() if line.startswith(("good", "row"))]
    assert verdicts[0] == "good: PASS  50/50 stored"
    assert len(verdicts) == 1 + len(ROWS.split(",")) and all(" PASS " in v for v in verdicts)
