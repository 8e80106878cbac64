"""``client.calling``: the call registry, dialing and inbound calls.

Events are routed by dict look-ups (call_id, then the dial tag), never by
scanning live calls, so an event costs the same with 10 or 20,000 calls.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any, cast

from . import commands, wire
from ._contexts import ContextHandlers
from ._tasks import run_callback
from .call import Call
from .components import DialResult
from .events import FAMILIES, EventFamily
from .protocol import RelayEvent, obj

# Inbound calls are announced to the client, not to a call: no on() names.
RECEIVE = EventFamily("calling.call.receive", None, fixed=())

if TYPE_CHECKING:
    from ._callcore import CallCore
    from .client import Client
    from .session import Session

__all__ = ["Calling"]

log = logging.getLogger("relay_anyio.calling")

InboundHandler = Callable[[Call], Any]


class Calling:
    """The calling API of a Client: ``new_call``, ``dial``, ``receive``, ``calls``."""

    def __init__(self, client: Client) -> None:
        self._client = client
        self._by_id: dict[str, Call] = {}
        self._by_tag: dict[str, Call] = {}
        self._handlers = ContextHandlers(client, "inbound call")

    @property
    def _session(self) -> Session:
        return self._client._require_session()

    @property
    def calls(self) -> list[Call]:
        """The live calls (dialing, inbound or connected peers) of this client."""
        seen = dict(self._by_id)
        for call in self._by_tag.values():
            if call.id is None:
                seen[call.tag] = call
        return list(seen.values())

    @property
    def contexts(self) -> list[str]:
        """The contexts this client receives inbound calls on."""
        return self._handlers.contexts

    def new_call(
        self,
        *,
        from_number: str,
        to_number: str,
        timeout: float | None = None,
        call_type: str = "phone",
    ) -> Call:
        """Create an outbound Call (not dialed yet: ``await call.dial()``).

        ``timeout``: seconds the call rings before giving up.
        """
        commands.choice("call_type", call_type, wire.CALL_TYPES)
        commands.text("from_number", from_number)
        commands.text("to_number", to_number)
        if timeout is not None:
            timeout = commands.number("timeout", timeout, minimum=1)
        return Call(self, from_number=from_number, to_number=to_number, timeout=timeout, call_type=call_type)

    async def dial(
        self,
        *,
        from_number: str,
        to_number: str,
        timeout: float | None = None,
        call_type: str = "phone",
    ) -> DialResult:
        """``new_call`` + ``dial``: returns the DialResult (``result.call`` is the Call)."""
        call = self.new_call(from_number=from_number, to_number=to_number, timeout=timeout, call_type=call_type)
        return await call.dial()

    async def receive(self, contexts: str | Iterable[str], handler: InboundHandler) -> bool:
        """Receive inbound calls on ``contexts``; ``handler(call)`` runs for each.

        The handler may be sync or async; each call runs it in a task of its
        own, so a slow handler never holds up other calls. Returns whether
        the service accepted the contexts.
        """
        return await self._handlers.add(contexts, handler, "the Call")

    # -- driven by the session --------------------------------------------------

    def _dispatch(self, event: RelayEvent) -> None:
        """Route one calling event by its declared family. Never raises: a bad event is logged and dropped."""
        family = FAMILIES.get(event.event_type)
        if family is None:
            log.debug("event of unknown type %r dropped", event.event_type)
            return
        params = event.params
        if family is RECEIVE:
            self._on_receive(params)
            return
        call_id = params.get("call_id")
        call = self._by_id.get(call_id) if isinstance(call_id, str) else None
        if call is None:
            tag = params.get("tag")
            call = self._by_tag.get(tag) if isinstance(tag, str) else None
        if call is None:
            if family.handler == "_on_state" and isinstance(call_id, str):
                if params.get("call_state") in ("ending", "ended"):
                    log.debug("call %s we do not know is %s: nothing to do", call_id, params.get("call_state"))
                    return
                call = self._adopt(params)  # a leg of a connect, or a call another client began
            else:
                log.debug("event %s for unknown call %s dropped", event.event_type, call_id)
                return
        call._dispatch(family, params)

    def _session_lost(self, reason: str) -> None:
        """The service forgot our calls (a fresh session), or the session gave up."""
        calls = self.calls
        self._by_id.clear()
        self._by_tag.clear()
        for call in calls:
            call._session_lost()

    def _close(self, reason: str) -> None:
        """The client is closing: every wait on every call ends now with ``reason``."""
        for call in self.calls:
            call._close(reason)

    # -- used by Call --------------------------------------------------------------

    # Only Calls reach here (CallCore is their base, typed so for the parts).
    def _track_tag(self, call: CallCore) -> None:
        self._by_tag[call.tag] = cast(Call, call)

    def _untrack_tag(self, call: CallCore) -> None:
        self._by_tag.pop(call.tag, None)

    def _bind(self, call: CallCore) -> None:
        if call.id is not None:
            self._by_id[call.id] = cast(Call, call)

    def _call_ended(self, call: CallCore) -> None:
        if call.id is not None:
            self._by_id.pop(call.id, None)
        self._by_tag.pop(call.tag, None)

    def _legs_of(self, origin: CallCore) -> list[Call]:
        """The calls the service dialed for ``origin``'s connect (their state events name it as ``peer``)."""
        return [call for call in self._by_id.values() if call._peer_id is not None and call._peer_id == origin.id]

    def _peer_call(self, peer: dict[str, Any], origin: CallCore) -> Call:
        call_id = peer.get("call_id")
        call = self._by_id.get(call_id) if isinstance(call_id, str) else None
        if call is None:
            call = self._adopt({**peer, "call_state": "answered", "direction": "outbound"})
            call.state = "answered"
            call._mark_seen("created", "answered")
        call._peer = origin
        return call

    def _adopt(self, params: dict[str, Any]) -> Call:
        """A Call for an id we were told about (a connect peer)."""
        device = obj(params.get("device"))
        dparams = obj(device.get("params"))
        tag = params.get("tag") if isinstance(params.get("tag"), str) else None
        call = Call(
            self,
            call_id=params.get("call_id"),
            node_id=params.get("node_id"),
            from_number=dparams.get("from_number"),
            to_number=dparams.get("to_number"),
            call_type=device.get("type") or "phone",
            direction=params.get("direction") or "outbound",
            tag=tag,
        )
        self._bind(call)
        return call

    def _start(self, what: object, awaitable: Awaitable[Any]) -> None:
        self._client._start(what, awaitable)

    # -- inbound ----------------------------------------------------------------------

    def _on_receive(self, params: dict[str, Any]) -> None:
        call_id = params.get("call_id")
        context = params.get("context")
        if not isinstance(call_id, str) or not isinstance(context, str):
            log.warning("calling.call.receive without call_id/context dropped")
            return
        if call_id in self._by_id:
            log.debug("inbound call %s announced twice: handled once", call_id)
            return
        state = params.get("call_state", "created")
        if not isinstance(state, str):
            log.warning("calling.call.receive with call_state %r dropped", state)
            return
        device = obj(params.get("device"))
        dparams = obj(device.get("params"))
        call = Call(
            self,
            call_id=call_id,
            node_id=params.get("node_id"),
            from_number=dparams.get("from_number"),
            to_number=dparams.get("to_number"),
            call_type=device.get("type") or "phone",
            context=context,
            direction="inbound",
            state=state or "created",
        )
        self._bind(call)
        handlers = self._handlers.handlers(context)
        if not handlers:
            log.warning("inbound call %s on context %r with no handler", call_id, context)
            return
        for handler in handlers:
            run_callback(self._start, f"inbound handler for call {call_id}", handler, call)
