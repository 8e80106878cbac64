"""connect: bridge the call to other devices (``calling.connect``), and disconnect.

Declared here: ``calling.connect`` and ``calling.disconnect`` (its stop),
the connect event family (``calling.call.connect``: ``connect.stateChange``
and ``connect.<state>``), ConnectResult, DisconnectResult, ConnectAction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import attrs

from .. import commands
from .._callcore import CallCore
from ..errors import InvalidArgument
from ..events import Event, EventFamily
from ..results import Result, StopResult
from ..wire import CONNECT_STATES
from ._action import Action, log, verb, waiting

if TYPE_CHECKING:
    from ..call import Call

__all__ = ["CONNECT", "DISCONNECT", "ConnectAction", "ConnectMethods", "ConnectResult", "DisconnectResult"]

DISCONNECT = "calling.disconnect"

CONNECT = EventFamily(
    "calling.call.connect", "connect", CONNECT_STATES,
    state=lambda params: params.get("connect_state"), handler="_on_connect",
)


@attrs.frozen(kw_only=True)
class ConnectResult(Result):
    """Result of ``connect()``; ``call`` is the remote (peer) Call when connected."""

    call: Call | None = None


@attrs.frozen(kw_only=True)
class DisconnectResult(Result):
    """Result of ``disconnect()``."""


class ConnectAction(Action[ConnectResult]):
    """A running ``connect``; ``stop()`` ends it (``calling.disconnect``)."""

    methods = ("calling.connect",)
    family = CONNECT
    result_class = ConnectResult
    sends_control_id = False
    outcomes = {"connected": None, "failed": "connect failed", "disconnected": "connect disconnected"}

    __slots__ = ("_peer",)

    def __init__(self, call: CallCore, params: dict[str, Any]) -> None:
        super().__init__(call, params)
        self._peer: CallCore | None = None

    def _register(self) -> None:
        self.call._connect = self

    def _unregister(self) -> None:
        pass  # it stays the call's connect: stop() drops a connected peer later

    def _take(self, params: dict[str, Any]) -> None:
        if params.get("connect_state") == "connected":
            self._peer = self.call._peer

    def _fields(self) -> dict[str, Any]:
        return {"call": self._peer}

    @verb
    async def stop(self) -> StopResult:
        """Stop connecting, or drop the connected peer (``calling.disconnect``)."""
        if self.completed and self.state != "connected":
            return StopResult(successful=False, error="action already completed")
        response = await self.call._execute(DISCONNECT, {})
        return StopResult(
            successful=response.successful,
            error=None if response.successful else f"{response.code}: {response.message}",
        )

    async def _send_stop(self) -> bool:
        """A connect given up on: ``calling.disconnect`` (the service stops
        connecting, or unbridges), and every leg of it the SDK has seen ring
        is hung up, in case the service does not stop ringing them."""
        accepted = (await self.stop()).successful
        for leg in self.call._calling._legs_of(self.call):
            if leg.state not in ("ending", "ended"):
                ended = await leg._execute("calling.end", {"reason": "cancel"})
                log.debug("connect given up: leg %s ended: %s", leg.id, ended.successful)
        return accepted


class ConnectMethods(CallCore):
    """connect, connect_async and disconnect."""

    __slots__ = ()

    async def connect_async(
        self,
        device_list: Sequence[Any],
        ringback: Sequence[Any] | None = None,
        *,
        ringback_list: Sequence[Any] | None = None,
    ) -> ConnectAction:
        """Start connecting this call to other devices; returns a ConnectAction at once.

        ``device_list``: dicts ``{to_number, from_number?, timeout?, call_type?}``
        (``from_number`` defaults to this call's, ``timeout`` to this call's
        timeout); the outer list is tried in series, a nested list is dialed
        in parallel. ``ringback`` (or ``ringback_list``, the official SDK's
        name): media played to this call meanwhile.

        Cancelled while the devices ring, the waiting ``connect()`` sends
        ``calling.disconnect`` (the service stops connecting, or drops a peer
        that answered meanwhile) and hangs up every leg of it the SDK has seen,
        before the cancellation propagates.
        """
        if ringback is not None and ringback_list is not None:
            raise InvalidArgument("ringback_list", ringback_list, "nothing when ringback is given (they are one option)")
        media = ringback if ringback is not None else ringback_list
        params: dict[str, Any] = {
            "devices": commands.devices(
                device_list, default_from=self.from_number, default_type=self.call_type, default_timeout=self.timeout
            )
        }
        if media is not None and len(media) > 0:
            params["ringback"] = commands.media_list(media, "ringback")
        action = ConnectAction(self, params)
        if self._connect is not None and not self._connect.completed:
            action._finish(False, error="a connect is already running on this call")
            return action
        return await self._start(action)

    connect = waiting(
        connect_async, "Connect this call to other devices and wait until one answers or all fail; "
        "``result.call`` is the remote (peer) Call when successful."
    )

    def _on_connect(self, params: dict[str, Any]) -> None:
        state = params.get("connect_state")
        peer = params.get("peer")
        if state == "connected":
            if isinstance(peer, dict) and isinstance(peer.get("call_id"), str):
                self._peer = self._calling._peer_call(peer, self)
            else:
                log.warning("call %s: connected peer without a call_id: peer unknown", self.id)
        elif isinstance(state, str):
            # No longer bridged (as the official SDK: any other connect state clears the peer).
            former, self._peer = self._peer, None
            if former is not None and former._peer is self:
                former._peer = None
        self._connect_seen = params
        if self._connect is not None:
            self._connect._on_event(params)
        self._wake()

    async def disconnect(self) -> DisconnectResult:
        """Disconnect the peer joined by ``connect`` (``calling.disconnect``) and
        wait until the connect is over; ``call.peer`` is None then."""
        before = self._connect_seen
        response = await self._execute(DISCONNECT, {})
        if not response.successful:
            return DisconnectResult(successful=False, error=f"{response.code}: {response.message}")

        def over() -> bool:
            seen = self._connect_seen
            return seen is not before and seen is not None and seen.get("connect_state") in ("failed", "disconnected")

        await self._wait_until(over, lambda: not self.ended)
        seen = self._connect_seen
        if not over() or seen is None:
            return DisconnectResult(successful=False, error=self._gone or "call ended")
        state = seen["connect_state"]
        return DisconnectResult(
            successful=state == "disconnected", event=Event(state, seen), error=None if state == "disconnected" else "connect failed"
        )
