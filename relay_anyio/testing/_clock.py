"""Simulated time: media and rings take simulated seconds, scaled to real ones.

``time_scale`` 0 makes every wait instant (tests), 1 makes it real time
(demos). Even at 0 each wait is a checkpoint (``anyio.sleep(0)``), so the
tasks of a call still interleave in the order their events were scheduled.
"""

from __future__ import annotations

import math
import time

import anyio
import anyio.lowlevel


class SimClock:
    """Turns simulated seconds into real sleeps."""

    def __init__(self, time_scale: float) -> None:
        if not isinstance(time_scale, (int, float)) or time_scale < 0 or math.isnan(time_scale):
            raise ValueError(f"time_scale must be a number >= 0, got {time_scale!r}")
        self.time_scale = float(time_scale)

    async def sleep(self, seconds: float) -> None:
        """Sleep for ``seconds`` of simulated time (always a checkpoint)."""
        if self.time_scale == 0 or seconds <= 0:
            await anyio.lowlevel.checkpoint()
        else:
            await anyio.sleep(seconds * self.time_scale)

    def real(self) -> float:
        """A monotonic real-time reading, to measure simulated time with."""
        return time.monotonic()

    def simulated_since(self, real_start: float) -> float:
        """Simulated seconds elapsed since ``real_start`` (from ``real()``).

        At time_scale 0 every wait is instant, so any interval counts as
        "all of it" (infinity) and a paused timer has nothing left to wait.
        """
        if self.time_scale == 0:
            return math.inf
        return (time.monotonic() - real_start) / self.time_scale

    @staticmethod
    def timestamp() -> float:
        """Wall-clock seconds for event timestamps."""
        return time.time()
