"""The Result bases. Every Call method that waits returns a Result.

Results are read-only attrs classes: ``successful``; ``event``, the Event
that settled it (``event.name`` the state, ``event.payload`` its data, as
the official SDK gives them); ``error``, why an unsuccessful result failed
(the service's message for a refused command, ``"call ended"``, ``"client
closed"``, ``"session lost"``, ``"cancelled"`` ...). Each component declares
its own Result next to its Action (``relay_anyio/components/``).
"""

from __future__ import annotations

import attrs

from .events import Event

__all__ = ["Event", "Result", "StopResult"]


@attrs.frozen(kw_only=True)
class Result:
    """Base of every Result: ``successful``, ``event``, ``error``."""

    successful: bool = False
    event: Event | None = attrs.field(default=None, repr=False)
    error: str | None = None


@attrs.frozen(kw_only=True)
class StopResult(Result):
    """Result of an Action's control verbs (``stop()`` ...): whether the service accepted it."""
