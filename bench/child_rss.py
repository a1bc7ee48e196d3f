"""A child process's own peak RSS, for benchmarks that run the product in a child.

The rusage a parent reads for a child (``os.wait4``) also counts the parent's size at fork, so
a parent that has grown (building a store, writing Parquet) makes every child look as big as
itself. The child reports VmHWM instead: the peak of its own address space since exec.
"""

from __future__ import annotations

from typing import Any

# Code for the end of a child's script: sets ``hwm_kb`` (None where /proc is missing).
HWM_KB = """
try:
    with open("/proc/self/status") as _status:
        hwm_kb = next(int(x.split()[1]) for x in _status if x.startswith("VmHWM:"))
except (OSError, StopIteration):
    hwm_kb = None
"""


def peak_mb(reported: dict[str, Any], usage: Any) -> float:
    """The child's peak RSS in MB: what it reported, else its rusage (see the module)."""
    return float(reported.get("hwm_kb") or usage.ru_maxrss) / 1024
