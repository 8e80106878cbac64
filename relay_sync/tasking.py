"""``client.tasking`` for blocking code: ``receive``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import relay_anyio.tasking as _a

from ._facade import Facade, mirror_of
from ._portal import Callback, require_plain_callable

__all__ = ["Tasking"]

_attr = mirror_of(_a.Tasking)


class Tasking(Facade[_a.Tasking], wraps=_a.Tasking):
    """The tasking API of a relay_sync Client: ``receive``."""

    contexts = _attr(lambda t: t.contexts)

    def receive(self, contexts: str | Iterable[str], handler: Callable[[Any], Any]) -> bool:
        require_plain_callable("handler", handler)
        accepted: bool = self._core.run(self._async.receive, contexts, Callback(handler, self._core))
        return accepted

    receive.__doc__ = f"""{_a.Tasking.receive.__doc__}
        relay_sync runs ``handler`` in a worker thread for each task.
        """

