"""``client.messaging``: send SMS/MMS, receive them, follow their states.

``send`` is a ``messaging.send`` command; the service answers with the
message id, then tells the message's states (``messaging.state`` events
on the sending context: queued, initiated, sent, then delivered,
undelivered or failed). ``receive`` and ``state_change`` run a handler
for each inbound message or state change on contexts. See
``docs/protocol.md`` (messaging).
"""

from __future__ import annotations

import collections
import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import anyio
import attrs

from . import addresses, commands, wire
from ._contexts import ContextHandlers
from ._wakeup import Wakeup, wake
from .errors import InvalidArgument
from .protocol import RelayEvent
from .results import Result

if TYPE_CHECKING:
    from .client import Client

__all__ = ["DeliveryResult", "Message", "Messaging", "SendResult", "not_sent"]

log = logging.getLogger("relay_anyio.messaging")

#: How many messages' latest states are remembered for ``wait_for_delivery``.
REMEMBERED_STATES = 65_536

MessageHandler = Callable[["Message"], Any]


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


@attrs.frozen(kw_only=True)
class Message:
    """An SMS/MMS as an event tells it (inbound, or a state of one we sent).

    ``id``, ``state`` (queued, initiated, sent, delivered, undelivered,
    failed; ``received`` for inbound ones), ``context``, ``from_number``,
    ``to_number``, ``body``, ``direction`` (inbound/outbound), ``media``
    (URLs), ``segments``, ``tags`` and ``reason`` (why it failed).
    """

    id: str | None = None
    state: str | None = None
    context: str | None = None
    from_number: str | None = None
    to_number: str | None = None
    body: str | None = None
    direction: str | None = None
    media: list[str] = attrs.field(factory=list)
    segments: int | None = None
    tags: list[str] = attrs.field(factory=list)
    reason: str | None = None

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> Message:
        """From a messaging event's params (a value of the wrong type is left out)."""
        segments = params.get("segments")
        return cls(
            id=_str(params.get("message_id")),
            state=_str(params.get("message_state")),
            context=_str(params.get("context")),
            from_number=_str(params.get("from_number")),
            to_number=_str(params.get("to_number")),
            body=_str(params.get("body")),
            direction=_str(params.get("direction")),
            media=_strings(params.get("media")),
            segments=segments if isinstance(segments, int) and not isinstance(segments, bool) else None,
            tags=_strings(params.get("tags")),
            reason=_str(params.get("reason")),
        )

    @property
    def final(self) -> bool:
        """Whether no state follows this one (delivered, undelivered, failed)."""
        return self.state in wire.MESSAGE_FINAL_STATES


@attrs.frozen(kw_only=True)
class DeliveryResult(Result):
    """How a sent message ended: ``successful`` when delivered; ``state`` the
    last state known (``undelivered``, ``failed``, or an earlier one when
    the wait timed out or the client closed: ``error`` says which);
    ``message`` the last state event's Message."""

    state: str | None = None
    message: Message | None = None


@attrs.frozen(kw_only=True)
class SendResult(Result):
    """The answer to ``messaging.send``: ``successful``, ``message_id``, ``error``."""

    message_id: str | None = None
    _messaging: Messaging | None = attrs.field(default=None, repr=False, eq=False, alias="_messaging")

    async def wait_for_delivery(self, timeout: float = 60.0) -> DeliveryResult:
        """Wait (at most ``timeout`` seconds) for the message's final state; see DeliveryResult."""
        refused = not_sent(self)
        if refused is not None or self._messaging is None or self.message_id is None:
            return refused or DeliveryResult(error="the message was not sent")
        return await self._messaging.wait_for_delivery(self.message_id, timeout=timeout)


def not_sent(result: Result) -> DeliveryResult | None:
    """What waiting for a message that was never sent gives (None when it was sent)."""
    if result.successful:
        return None
    return DeliveryResult(error=result.error or "the message was not sent")


class _Waiter:
    __slots__ = ("done", "message_id", "reason")

    def __init__(self, message_id: str, reason: str | None, done: Wakeup) -> None:
        self.message_id = message_id
        self.reason = reason  # why the wait ended without a final state
        self.done = done


class Messaging:
    """The messaging API of a Client: ``send``, ``receive``, ``state_change``, ``wait_for_delivery``."""

    def __init__(self, client: Client) -> None:
        self._client = client
        self._inbound = ContextHandlers(client, "inbound message")
        self._states = ContextHandlers(client, "message state")
        # The latest state event's params of each message, newest last.
        self._latest: collections.OrderedDict[str, dict[str, Any]] = collections.OrderedDict()
        self._waiters: dict[str, set[_Waiter]] = {}
        self._closed: str | None = None
        self._receiving: set[str] = set()

    async def send(
        self,
        *,
        context: str,
        from_number: str,
        to_number: str,
        body: str | None = None,
        media: list[str] | None = None,
        tags: list[str] | None = None,
        region: str | None = None,
    ) -> SendResult:
        """Send an SMS (``body``) or MMS (``media``: URLs, with or without a body).

        ``context``: where the message's state events go (``state_change``
        handlers of that context; ``wait_for_delivery`` receives it for you).
        ``tags``: labels the service keeps with the message; ``region``: where
        it is sent from. Numbers are E.164 (``+15551234567``) or SIP
        addresses. Returns a SendResult whose ``wait_for_delivery()`` gives
        the final state.
        """
        params: dict[str, Any] = {
            "context": addresses.context("context", context),
            "from_number": addresses.number("from_number", from_number),
            "to_number": addresses.number("to_number", to_number),
        }
        if body is None and media is None:
            raise InvalidArgument("body", body, "a text, or media URLs in media (one of the two at least)")
        if body is not None:
            params["body"] = commands.text("body", body)
        if media is not None:
            params["media"] = addresses.media_urls("media", media)
            if not params["media"] and body is None:
                raise InvalidArgument("media", media, "one URL or more (or a body)")
        if tags is not None:
            params["tags"] = addresses.tags(tags)
        if region is not None:
            params["region"] = commands.text("region", region)
        session = self._client._require_session()
        if context not in session.contexts and context not in self._receiving:
            # The states of the message are events on its context: receive it
            # once (sends racing this one follow it on the socket, so the
            # service has the context before their messages).
            self._receiving.add(context)
            try:
                await session.receive_contexts([context])
            finally:
                self._receiving.discard(context)
        result = await session.execute(wire.MESSAGING_SEND, params)
        message_id = _str(result.data.get("message_id"))
        if not result.successful or message_id is None:
            return SendResult(error=result.message or "the service did not accept the message")
        return SendResult(successful=True, message_id=message_id, _messaging=self)

    async def receive(self, contexts: str | Iterable[str], handler: MessageHandler) -> bool:
        """Run ``handler(message)`` for each inbound message on ``contexts``.

        Handlers are called in event order: a plain one runs at once on
        the event loop (keep it short), an async one in a task of its own.
        Returns whether the service accepted the contexts.
        """
        return await self._inbound.add(contexts, handler, "the Message")

    async def state_change(self, contexts: str | Iterable[str], handler: MessageHandler) -> bool:
        """Run ``handler(message)`` for each state change of a message sent on ``contexts``."""
        return await self._states.add(contexts, handler, "the Message")

    async def wait_for_delivery(self, message_id: str, *, timeout: float = 60.0) -> DeliveryResult:
        """Wait (at most ``timeout`` seconds) for message ``message_id`` to reach a final state.

        Never raises for a timeout or a closed client: the result is then
        unsuccessful, with the last state known and ``error`` saying why.
        """
        commands.text("message_id", message_id)
        limit = commands.number("timeout", timeout, minimum=0)
        new_wakeup = self._client.session.new_wakeup
        waiter = _Waiter(message_id, self._closed, new_wakeup())
        self._waiters.setdefault(message_id, set()).add(waiter)
        try:
            with anyio.move_on_after(limit):
                while not self._ended(message_id) and waiter.reason is None:
                    if waiter.done.done():
                        waiter.done = new_wakeup()
                    await waiter.done
        finally:
            waiters = self._waiters.get(message_id)
            if waiters is not None:
                waiters.discard(waiter)
                if not waiters:
                    del self._waiters[message_id]
        params = self._latest.get(message_id)
        message = None if params is None else Message.from_params(params)
        if message is not None and message.final:
            return DeliveryResult(
                successful=message.state == "delivered",
                state=message.state,
                message=message,
                error=None if message.state == "delivered" else message.reason or message.state,
            )
        error = waiter.reason or f"no final state within {limit} s"
        return DeliveryResult(state=message.state if message else None, message=message, error=error)

    def _ended(self, message_id: str) -> bool:
        params = self._latest.get(message_id)
        return params is not None and params.get("message_state") in wire.MESSAGE_FINAL_STATES

    # -- driven by the client -----------------------------------------------------

    def _dispatch(self, event: RelayEvent) -> None:
        params = event.params
        context = params.get("context")
        if event.event_type == wire.MESSAGING_RECEIVE:
            if self._inbound.wants(context):
                self._inbound.run(context, Message.from_params(params))
            return
        # A Message is made only for a handler or a waiter: a state event that
        # nobody asked about costs a dict update (benchmarks/README.md).
        message_id = params.get("message_id")
        if isinstance(message_id, str):
            self._latest[message_id] = params
            self._latest.move_to_end(message_id)
            if len(self._latest) > REMEMBERED_STATES:
                self._latest.popitem(last=False)
            if params.get("message_state") in wire.MESSAGE_FINAL_STATES:
                for waiter in self._waiters.get(message_id, ()):
                    wake(waiter.done)
        if self._states.wants(context):
            self._states.run(context, Message.from_params(params))

    def _close(self, reason: str) -> None:
        """The client is closing: every wait for a delivery ends now."""
        self._closed = reason
        self._end_waits(reason)

    def _session_lost(self, reason: str) -> None:
        """A fresh session replaced ours: the states of the messages sent on
        the old one may never come, so the waits end now."""
        self._end_waits("session lost")

    def _end_waits(self, reason: str) -> None:
        for waiters in self._waiters.values():
            for waiter in waiters:
                waiter.reason = reason
                wake(waiter.done)
