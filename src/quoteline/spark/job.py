"""The spark-submit application: ``spark-submit [spark options] job.py extract|link ARGS``.

Also ``python -m quoteline.spark.job extract ARGS``. The arguments are those of
``quoteline spark``; give the master to spark-submit (``--master yarn``), not to the job.
"""

from __future__ import annotations

import sys
from typing import Any


def main(argv: list[str] | None = None) -> Any:
    """Run ``quoteline spark ARGV`` (exit codes as the CLI's)."""
    from quoteline.cli import main as cli_main

    return cli_main(["spark", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
