"""Handlers by context for one kind of event (inbound messages, message states, tasks).

``add`` asks the service for the contexts the session does not receive
yet (``signalwire.receive``, one subscription for calls, messages and
tasks alike); ``run`` calls every handler of an event's context at once,
in event order (so relay_sync's queued callbacks keep it), and an async
handler's coroutine runs in a task of its own in the client's task
group, so a slow handler never holds up the others. A handler that
raises is logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from . import addresses
from ._tasks import run_callback
from .errors import InvalidArgumentType

if TYPE_CHECKING:
    from .client import Client

__all__ = ["ContextHandlers"]

log = logging.getLogger("relay_anyio.contexts")


class ContextHandlers:
    """The handlers of one event kind, by context. ``what`` names the kind in logs."""

    def __init__(self, client: Client, what: str) -> None:
        self._client = client
        self._what = what
        self._by_context: dict[str, list[Callable[[Any], Any]]] = {}

    @property
    def contexts(self) -> list[str]:
        return list(self._by_context)

    async def add(self, contexts: str | Iterable[str], handler: Callable[[Any], Any], takes: str) -> bool:
        """Run ``handler`` for each event on ``contexts``; whether the service accepted them."""
        names = addresses.contexts(contexts)
        if not callable(handler):
            raise InvalidArgumentType("handler", handler, f"a callable taking {takes}")
        session = self._client._require_session()
        for name in names:
            self._by_context.setdefault(name, []).append(handler)
        new = [c for c in dict.fromkeys(names) if c not in session.contexts]
        if not new:
            return True
        response = await session.receive_contexts(new)
        if not response.successful:
            for name in new:
                handlers = self._by_context.get(name, [])
                if handler in handlers:
                    handlers.remove(handler)
                if not handlers:
                    self._by_context.pop(name, None)
            log.error("receive %s for %s refused: %s %s", new, self._what, response.code, response.message)
        return response.successful

    def wants(self, context: Any) -> bool:
        """Whether a handler is registered for ``context``."""
        return isinstance(context, str) and context in self._by_context

    def run(self, context: Any, arg: Any) -> None:
        """Call every handler of ``context`` with ``arg`` now, in event order; an
        async one's coroutine then runs in a task of its own (logged when there
        is no handler)."""
        handlers = self._by_context.get(context) if isinstance(context, str) else None
        if not handlers:
            log.debug("%s on context %r with no handler dropped", self._what, context)
            return
        for handler in handlers:
            run_callback(self._client._start, f"{self._what} handler on context {context!r}", handler, arg)

    def handlers(self, context: Any) -> list[Callable[[Any], Any]]:
        """The handlers registered for ``context`` (none: an empty list)."""
        return list(self._by_context.get(context, ())) if isinstance(context, str) else []
