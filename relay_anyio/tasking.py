"""``client.tasking``: receive the tasks delivered to contexts (see ``relay_anyio.Task``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from ._contexts import ContextHandlers
from .protocol import RelayEvent

if TYPE_CHECKING:
    from .client import Client

__all__ = ["Tasking"]

TaskHandler = Callable[[Any], Any]


class Tasking:
    """The tasking API of a Client: ``receive``."""

    def __init__(self, client: Client) -> None:
        self._tasks = ContextHandlers(client, "task")

    @property
    def contexts(self) -> list[str]:
        """The contexts this client receives tasks on."""
        return self._tasks.contexts

    async def receive(self, contexts: str | Iterable[str], handler: TaskHandler) -> bool:
        """Run ``handler(message)`` for each task delivered to ``contexts``.

        ``message`` is the task's JSON data as ``Task.deliver`` sent it. A
        plain handler runs at once on the event loop (keep it short), an
        async one in a task of its own. Returns whether the service
        accepted the contexts.
        """
        return await self._tasks.add(contexts, handler, "the task's message")

    def _dispatch(self, event: RelayEvent) -> None:
        self._tasks.run(event.params.get("context"), event.params.get("message"))
