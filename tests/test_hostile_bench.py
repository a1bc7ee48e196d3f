"""bench/hostile_ingest.py, cut down: 50 good articles and the hostile file inputs in one run.

Rows 3, 8 and 11 of issue 13 are fixed in the engine and in speaker matching (their own
branches); add them to ROWS once those have landed. Rows 7 and 9 are web attacks, tested in
tests/test_web_analyze_limits.py.
"""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import ROOT

ROWS = "1,2,4,5,6,10"


def test_hostile_inputs_are_skips_and_good_articles_are_stored() -> None:
    env = {**os.environ, "QUOTELINE_FETCH_TIMEOUT": "2"}
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "hostile_ingest.py"), "--small",
                           "--rows", ROWS, "--no-web"], capture_output=True, text=True,
                          env=env, timeout=600, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    verdicts = [line for line in proc.stdout.splitlines() if line.startswith(("good", "row"))]
    assert verdicts[0] == "good: PASS  50/50 stored"
    assert len(verdicts) == 1 + len(ROWS.split(",")) and all(" PASS " in v for v in verdicts)
