"""``client.calling`` for blocking code: ``new_call``, ``dial``, ``receive``, ``calls``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import relay_anyio.calling as _a

from ._facade import Facade, blocking, mirror_of
from ._generated import DialResult
from ._portal import Callback, require_plain_callable
from .call import Call

__all__ = ["Calling"]

_attr = mirror_of(_a.Calling)


class Calling(Facade[_a.Calling], wraps=_a.Calling):
    """The calling API of a relay_sync Client: ``new_call``, ``dial``, ``receive``, ``calls``."""

    new_call = blocking(_a.Calling.new_call, Call)
    dial = blocking(_a.Calling.dial, DialResult)
    contexts = _attr(lambda c: c.contexts)

    @property
    def calls(self) -> list[Call]:
        """The live calls (dialing, inbound or connected peers) of this client."""
        # Read in the loop thread: the registry is only consistent there.
        calls: list[Call] = self._core.run(lambda: self._async.calls)
        return calls

    def receive(self, contexts: str | Iterable[str], handler: Callable[[Call], Any]) -> bool:
        require_plain_callable("handler", handler)
        accepted: bool = self._core.run(self._async.receive, contexts, Callback(handler, self._core))
        return accepted

    receive.__doc__ = f"""{_a.Calling.receive.__doc__}
        relay_sync runs ``handler`` in a worker thread of its own for each
        inbound call (``max_workers`` of the Client at once; more calls wait
        in a queue, none is dropped), so it may call blocking methods.
        """
