"""Run a command with its stderr on a pseudo-terminal (as a person at a terminal sees it)."""

from __future__ import annotations

import os
import pty
import select
import subprocess
from typing import IO, Any


def on_a_terminal(argv: list[str], stdout: IO[Any] | int = subprocess.DEVNULL,
                  timeout: float = 180) -> tuple[int, str]:
    """(exit code, what the terminal showed) of ``argv`` with stderr on a pseudo-terminal."""
    master, slave = pty.openpty()
    env = {**os.environ, "TERM": "xterm", "COLUMNS": "120"}
    proc = subprocess.Popen(argv, stdout=stdout, stderr=slave, env=env)
    os.close(slave)
    shown = b""
    while True:
        ready, _, _ = select.select([master], [], [], timeout)
        if not ready:
            proc.kill()
            raise AssertionError(f"{argv[3:5]} hung")
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)
    return proc.wait(60), shown.decode("utf-8", "replace")
