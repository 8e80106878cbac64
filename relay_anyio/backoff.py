"""Reconnect pacing: exponential steps, capped, with jitter; the delays it chose are kept.

Pure (no I/O, no clock): the session sleeps for what ``next_delay()``
returns, and tests read ``history`` instead of timing the sleeps.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable

__all__ = ["Backoff", "reconnect_delay"]

# Delays remembered (a long outage must not grow memory).
HISTORY = 64


def reconnect_delay(attempt: int, *, base: float, cap: float, rand: Callable[[], float] = random.random) -> float:
    """Delay before reconnect ``attempt`` (0-based): exponential, capped, with
    "equal jitter" (between half and all of the exponential step), so a
    crowd of clients does not reconnect in lockstep."""
    step = min(cap, base * 2.0 ** min(attempt, 32))
    return float(step / 2 + rand() * step / 2)


class Backoff:
    """The delays of one outage after another.

    ``next_delay()`` gives the delay before the next attempt of the current
    outage; ``reset()`` (a connection is up again) starts the next outage
    from the first step. ``history`` holds ``(attempt, delay)`` pairs, the
    latest last; ``attempt`` counts from 0 in each outage.
    """

    __slots__ = ("base", "cap", "attempt", "history", "_rand")

    def __init__(self, *, base: float, cap: float, rand: Callable[[], float] = random.random) -> None:
        self.base = base
        self.cap = cap
        self.attempt = 0
        self.history: deque[tuple[int, float]] = deque(maxlen=HISTORY)
        self._rand = rand

    def next_delay(self) -> float:
        delay = reconnect_delay(self.attempt, base=self.base, cap=self.cap, rand=self._rand)
        self.history.append((self.attempt, delay))
        self.attempt += 1
        return delay

    def reset(self) -> None:
        self.attempt = 0
