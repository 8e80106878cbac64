"""``client.messaging`` for blocking code: ``send``, ``receive``, ``state_change``, ``wait_for_delivery``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import attrs

import relay_anyio.messaging as _a
from relay_anyio import DeliveryResult, Message, Result

from ._facade import Facade, blocking, result_twin
from ._portal import Callback, Lane, require_plain_callable

__all__ = ["Messaging", "SendResult"]


@result_twin(_a.SendResult)
@attrs.frozen(kw_only=True)
class SendResult(Result):
    """The answer to ``messaging.send``: ``successful``, ``message_id``, ``error``; its wait blocks."""

    __module__ = "relay_sync"
    message_id: str | None = None
    _messaging: Messaging | None = attrs.field(default=None, repr=False, eq=False, alias="_messaging")

    def wait_for_delivery(self, timeout: float = 60.0) -> DeliveryResult:
        """Block (at most ``timeout`` seconds) until the message's final state; see DeliveryResult."""
        refused = _a.not_sent(self)
        if refused is not None or self._messaging is None or self.message_id is None:
            return refused or DeliveryResult(error="the message was not sent")
        return self._messaging.wait_for_delivery(self.message_id, timeout=timeout)


class Messaging(Facade[_a.Messaging], wraps=_a.Messaging):
    """The messaging API of a relay_sync Client: ``send``, ``receive``, ``state_change``, ``wait_for_delivery``."""

    send = blocking(_a.Messaging.send, SendResult)
    wait_for_delivery = blocking(_a.Messaging.wait_for_delivery)

    def receive(self, contexts: str | Iterable[str], handler: Callable[[Message], Any]) -> bool:
        return self._subscribe(self._async.receive, contexts, handler, None)

    def state_change(self, contexts: str | Iterable[str], handler: Callable[[Message], Any]) -> bool:
        # One lane: the handler sees the states one at a time, in the order they came.
        return self._subscribe(self._async.state_change, contexts, handler, Lane(self._core))

    def _subscribe(
        self, method: Callable[..., Any], contexts: str | Iterable[str], handler: Callable[[Any], Any], lane: Lane | None
    ) -> bool:
        require_plain_callable("handler", handler)
        accepted: bool = self._core.run(method, contexts, Callback(handler, self._core, lane))
        return accepted

    receive.__doc__ = f"""{_a.Messaging.receive.__doc__}
        relay_sync runs ``handler`` in a worker thread for each message.
        """
    state_change.__doc__ = f"""{_a.Messaging.state_change.__doc__}
        relay_sync runs ``handler`` in a worker thread, one state change at a
        time, in the order they came.
        """
