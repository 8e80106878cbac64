"""Measurement helpers shared by every benchmark client (stdlib only: the
official SDK's client runs in its own virtual environment and imports this
file by path, without relay_anyio).

A client process measures itself with ``resource.getrusage`` (user + sys
CPU), wall time and RSS, and the simulator process through
``/proc/<pid>/stat`` over the same window, then prints one JSON line.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from typing import Any

RESULT_PREFIX = "BENCH-RESULT "


def self_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def peak_rss_mb() -> float:
    # ru_maxrss is KiB on Linux, bytes on macOS.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def current_rss_mb() -> float | None:
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)
    except (OSError, ValueError, IndexError):
        return None


def process_cpu(pid: int | None) -> float | None:
    """CPU seconds (user + sys) of another process so far (Linux), or None."""
    if not pid:
        return None
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rpartition(")")[2].split()
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / ticks
    except (OSError, ValueError, IndexError):
        return None


class Meter:
    """CPU, wall time and RSS of this process (and the simulator's CPU)
    between ``start()`` and ``stop()``."""

    def __init__(self, sim_pid: int | None = None) -> None:
        self.sim_pid = sim_pid
        self.started = False
        self.t0 = self.cpu0 = 0.0
        self.sim0: float | None = None
        self.rss0: float | None = None
        self.wall = self.cpu = 0.0
        self.sim_cpu: float | None = None

    def start(self) -> None:
        if self.started:
            return
        self.started = True
        self.rss0 = current_rss_mb()
        self.sim0 = process_cpu(self.sim_pid)
        self.cpu0 = self_cpu()
        self.t0 = time.perf_counter()

    def stop(self) -> None:
        self.wall = time.perf_counter() - self.t0
        self.cpu = self_cpu() - self.cpu0
        sim1 = process_cpu(self.sim_pid)
        self.sim_cpu = sim1 - self.sim0 if sim1 is not None and self.sim0 is not None else None

    def result(self, *, units: int, **extra: Any) -> dict[str, Any]:
        """The figures for ``units`` units of work (calls or events)."""
        peak = peak_rss_mb()
        out: dict[str, Any] = {
            "units": units,
            "wall_s": self.wall,
            "cpu_s": self.cpu,
            "cpu_per_unit_ms": self.cpu / units * 1e3 if units else None,
            "rate_per_s": units / self.wall if self.wall > 0 else None,
            "peak_rss_mb": peak,
            "rss_before_mb": self.rss0,
            "sim_cpu_s": self.sim_cpu,
            "sim_busy": self.sim_cpu / self.wall if self.sim_cpu is not None and self.wall > 0 else None,
        }
        out.update(extra)
        return out


def emit(result: dict[str, Any]) -> None:
    """Print the result line the runner looks for."""
    print(RESULT_PREFIX + json.dumps(result), flush=True)
