"""Simulated calls: life cycle, what the far end experienced, and events.

A :class:`CallHandle` is both the simulator's call record and what tests
inspect (``handle.heard``, ``handle.digits_received``, ``await
handle.ended()``). Its events go to the Blade session that owns the call,
which buffers them while the client is away.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, ClassVar

import anyio
import attrs

from ..protocol import Request, broadcast_params, encode, new_id
from ..wire import CALL_STATES, Defaults
from . import _checks as check
from ._callers import Caller, CallerState

if TYPE_CHECKING:
    from ._components import Component
    from ._sessions import Session
    from .simulator import RelaySimulator

__all__ = ["CALL_STATES", "CallHandle", "FaxInfo", "HeardMedia", "RecordingInfo"]

logger = logging.getLogger(__name__)

_ORDER = {state: i for i, state in enumerate(CALL_STATES)}



class _Record:
    """What the far end kept, as data: ``to_dict()`` gives the JSON form,
    and ``record["field"]`` reads a field as that form does
    (``handle.heard[0]["type"]``)."""

    __slots__ = ()
    # Set by @attrs.frozen on each subclass; declared so that type checkers
    # accept the mixin where attrs wants an attrs instance.
    __attrs_attrs__: ClassVar[tuple[attrs.Attribute[Any], ...]]

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)

    def __getitem__(self, key: str) -> Any:
        if key not in attrs.fields_dict(type(self)):
            raise KeyError(key)
        return getattr(self, key)


@attrs.frozen
class HeardMedia(_Record):
    """One media item the far end heard: ``type`` (audio, tts, silence,
    ringtone, beep), its wire ``params``, and ``source`` (play, prompt,
    ringback, record) with the component's ``control_id``."""

    type: str
    params: dict[str, Any]
    source: str
    control_id: str | None = None


@attrs.frozen
class RecordingInfo(_Record):
    """A finished recording: its URL, the WAV file on disk, seconds and bytes."""

    control_id: str
    url: str
    path: str
    duration: float
    size: int


@attrs.frozen
class FaxInfo(_Record):
    """A fax sent or received on the call."""

    control_id: str
    direction: str
    document: str
    pages: int
    success: bool
    identity: str
    remote_identity: str


class CallHandle:
    """A call in the simulator, seen from the far end.

    Public: ``call_id``, ``node_id``, ``tag``, ``direction``, ``context``,
    ``from_number``, ``to_number``, ``caller``, ``state``, ``end_reason``,
    ``heard``, ``digits_received``, ``recordings``, ``faxes``, ``peer``;
    ``await ended()``, ``await wait_for(state)``.
    """

    def __init__(
        self,
        sim: RelaySimulator,
        session: Session | None,
        *,
        direction: str,
        from_number: str,
        to_number: str,
        caller: Caller,
        context: str | None = None,
        tag: str | None = None,
        dialed_for: CallHandle | None = None,
    ) -> None:
        self._sim = sim
        self._session = session
        self.call_id = new_id()
        self.node_id = sim.nodeid
        self.tag = tag
        self.direction = direction
        self.context = context
        self.from_number = from_number
        self.to_number = to_number
        self.caller = caller
        self.script = CallerState(caller)
        self.state = "created"
        self.end_reason: str | None = None
        self.heard: list[HeardMedia] = []
        self.digits_received = ""
        self.recordings: list[RecordingInfo] = []
        self.faxes: list[FaxInfo] = []
        self.peer: CallHandle | None = None
        # A leg dialed by calling.connect: the call it was dialed for (its events name it as peer).
        self.dialed_for = dialed_for
        self.components: dict[str, Component] = {}
        # On a leg dialed by calling.connect: the Connect component bridging it.
        self.connect_component: Component | None = None
        self._reached: dict[str, anyio.Event] = {}
        self._history: set[str] = {"created"}
        self._hangup_scope: anyio.CancelScope | None = None
        self._scopes: set[anyio.CancelScope] = set()
        if session is not None:
            session.call_ids.add(self.call_id)

    def __repr__(self) -> str:
        reason = f" end_reason={self.end_reason}" if self.end_reason else ""
        return (
            f"<CallHandle {self.call_id} {self.direction} {self.from_number}->{self.to_number} "
            f"{self.state}{reason}>"
        )

    # -- what tests use ---------------------------------------------------

    @property
    def device(self) -> dict[str, Any]:
        return {
            "type": "phone",
            "params": {"from_number": self.from_number, "to_number": self.to_number},
        }

    @property
    def is_ended(self) -> bool:
        return self.state == "ended"

    def reached(self, state: str) -> bool:
        return _ORDER[self.state] >= _ORDER[state]

    async def wait_for(self, state: str, *, timeout: float | None = None) -> bool:
        """Wait until the call reached ``state`` (True) or ended before it (False).

        Raises TimeoutError after ``timeout`` real seconds (None = no limit).
        """
        check.choice("state", state, CALL_STATES)
        limit = check.seconds("timeout", timeout)
        with anyio.fail_after(math.inf if limit is None else limit):
            while not self.reached(state):
                await self._event_for("*").wait()
        return state in self._history

    async def ended(self, *, timeout: float | None = None) -> str | None:
        """Wait for the call to end (TimeoutError after ``timeout`` real seconds,
        None = no limit); returns its ``end_reason``."""
        await self.wait_for("ended", timeout=timeout)
        return self.end_reason

    def to_dict(self, full: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "call_id": self.call_id,
            "node_id": self.node_id,
            "tag": self.tag,
            "direction": self.direction,
            "context": self.context,
            "from_number": self.from_number,
            "to_number": self.to_number,
            "state": self.state,
            "end_reason": self.end_reason,
            "peer": self.peer.call_id if self.peer else None,
            "session": self._session.id if self._session else None,
        }
        if full:
            data["caller"] = self.caller.to_dict()
            data["heard"] = [h.to_dict() for h in self.heard]
            data["digits_received"] = self.digits_received
            data["recordings"] = [r.to_dict() for r in self.recordings]
            data["faxes"] = [f.to_dict() for f in self.faxes]
        return data

    # -- simulator internals -------------------------------------------

    def _event_for(self, key: str) -> anyio.Event:
        event = self._reached.get(key)
        if event is None:
            event = self._reached[key] = anyio.Event()
        return event

    def emit(self, event_type: str, params: dict[str, Any]) -> None:
        """Broadcast a calling event to the session that owns the call."""
        session = self._listening_session()
        if session is not None:
            session.deliver(Request(new_id(), "blade.broadcast", self._broadcast(session, event_type, params)))

    def _listening_session(self) -> Session | None:
        """The session that owns the call, if it is subscribed to events."""
        session = self._session
        if session is None or session.forgotten or not session.subscribed or session.protocol is None:
            return None
        return session

    def _broadcast(self, session: Session, event_type: str, params: dict[str, Any]) -> dict[str, Any]:
        sim = self._sim
        assert session.protocol is not None  # a listening session has set up
        return broadcast_params(
            protocol=session.protocol,
            event_type=event_type,
            params=params,
            timestamp=sim.clock.timestamp(),
            broadcaster=sim.nodeid,
            project_id=sim.project,
            space_id=sim.space_id,
        )

    def emit_many(self, event_type: str, params: dict[str, Any], count: int) -> bool:
        """Broadcast ``count`` copies of one event (fresh ids, one encoding).

        For load generation: the frame is serialized once and only the
        request id differs. False when no subscribed session owns the call.
        """
        session = self._listening_session()
        if session is None:
            return False
        shared = self._broadcast(session, event_type, params)
        placeholder = new_id()
        head, _, tail = encode(Request(placeholder, "blade.broadcast", shared)).partition(placeholder)
        for _ in range(count):
            request_id = new_id()
            session.deliver(Request(request_id, "blade.broadcast", shared), head + request_id + tail)
        return True

    def state_params(self) -> dict[str, Any]:
        params: dict[str, Any] = {
            "call_state": self.state,
            "direction": self.direction,
            "device": self.device,
            "call_id": self.call_id,
            "node_id": self.node_id,
        }
        if self.tag is not None:
            params["tag"] = self.tag
        if self.end_reason is not None:
            params["end_reason"] = self.end_reason
        peer = self.peer or self.dialed_for
        if peer is not None:
            params["peer"] = {"call_id": peer.call_id, "node_id": peer.node_id}
        return params

    def set_state(self, state: str, end_reason: str | None = None) -> None:
        """Move forward to ``state`` and tell the client (never backwards)."""
        if _ORDER[state] <= _ORDER[self.state]:
            return
        if end_reason is not None:
            self.end_reason = end_reason
        self.state = state
        self._history.add(state)
        self.emit("calling.call.state", self.state_params())
        # Wake every waiter; they re-check the state themselves.
        event = self._reached.pop("*", None)
        if event is not None:
            event.set()
        if state == "ended":
            self._finish()

    def end(self, reason: str = "hangup") -> None:
        """ending then ended with ``reason`` (no-op once ending).

        Components still running report their end first (a recording is
        kept, a tap finished), then come ``ending`` and ``ended``.
        """
        if _ORDER[self.state] >= _ORDER["ending"]:
            return
        for component in list(self.components.values()):
            component.call_ending()
        self.set_state("ending", reason)
        self.set_state("ended", reason)

    def vanish(self, reason: str = "error") -> None:
        """End without telling anyone (the session that owned it is gone)."""
        if self.state == "ended":
            return
        self._session = None
        self.end_reason = self.end_reason or reason
        self.state = "ended"
        self._history.add("ended")
        event = self._reached.pop("*", None)
        if event is not None:
            event.set()
        self._finish()

    def _finish(self) -> None:
        # Whatever still runs stops silently (its end was reported before
        # "ending"; a call that vanished with its session reports nothing).
        for component in list(self.components.values()):
            component.kill()
        for scope in list(self._scopes):
            scope.cancel()
        bridge = self.connect_component
        if bridge is not None:
            # We are a dialed leg of a connect: the originating call stays
            # up, its connect is over (connect_state disconnected).
            bridge.peer_ended()  # type: ignore[attr-defined]
        elif self.peer is not None and self.peer.state != "ended":
            # The originating call ended: its bridged leg is hung up too.
            self.peer.end("hangup")
        if self._session is not None:
            self._session.call_ids.discard(self.call_id)

    def spawn(self, fn: Callable[[], Coroutine[Any, Any, None]], name: str = "call task") -> None:
        """Run ``fn`` in the simulator's task group; cancelled when the call ends.

        An exception in the task is logged, never allowed to stop the server.
        """

        async def runner() -> None:
            with anyio.CancelScope() as scope:
                if self.state == "ended":
                    return
                self._scopes.add(scope)
                try:
                    await fn()
                except Exception:
                    logger.exception("relay simulator: %s of call %s failed", name, self.call_id)
                finally:
                    self._scopes.discard(scope)

        self._sim._spawn(runner)

    def start_hangup_timer(self) -> None:
        """The far end hangs up ``hangs_up_after`` seconds from now (the answer)."""
        after = self.caller.hangs_up_after
        if self._hangup_scope is not None:
            self._hangup_scope.cancel()
            self._hangup_scope = None
        if after is None:
            return
        scope = self._hangup_scope = anyio.CancelScope()

        async def hang_up() -> None:
            with scope:
                await self._sim.clock.sleep(after)
                self.end("hangup")

        self.spawn(hang_up, "hang-up timer")

    def answer(self) -> None:
        if self.state in ("created", "ringing"):
            self.set_state("answered")
            self.start_hangup_timer()

    def dial_outcome(self, timeout: float | None) -> tuple[float, bool]:
        """(simulated seconds after ringing, answered?) as the script says."""
        limit = Defaults.DIAL_TIMEOUT if timeout is None else float(timeout)
        caller = self.caller
        if caller.kind in ("busy", "decline"):
            return min(caller.ring_seconds, limit), False
        if caller.kind == "no_answer" or caller.ring_seconds > limit:
            return limit, False
        return caller.ring_seconds, True

    async def dial(self, timeout: float | None, cancel_after: float | None = None) -> bool:
        """Ring the far end as its script says; True once answered.

        ``cancel_after``: simulated seconds after which the dialer gives up
        (a parallel leg that lost the race) unless the outcome came first.
        """
        clock = self._sim.clock
        seconds, answers = self.dial_outcome(timeout)
        self.emit("calling.call.state", self.state_params())  # created, with our tag
        await clock.sleep(0)
        self.set_state("ringing")
        if cancel_after is not None and cancel_after < seconds:
            await clock.sleep(cancel_after)
            self.end("cancel")
            return False
        await clock.sleep(seconds)
        if answers:
            self.answer()
            return True
        self.end({"busy": "busy", "decline": "decline"}.get(self.caller.kind, "noAnswer"))
        return False
