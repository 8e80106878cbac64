"""What every part of the Call API stands on: identity, state, events, commands.

``CallCore`` holds a call's identity and life-cycle state, routes the call's
events (by their declared family: to a handler of the call, or to the
running component with the event's ``control_id``), runs ``on()``
callbacks, and sends commands. The Call API itself is made of one part per
component (``relay_anyio/components/``), each a subclass of this one;
``relay_anyio.call.Call`` puts them together.

Starting a component is cancellation-safe: if the caller is cancelled
while the start command is in flight, the component is stopped as soon as
the start is answered, before the cancellation propagates. When the client
closes, or the session is lost for good, every wait on the call ends at
once with an unsuccessful Result (``error`` says why).
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

import anyio

from .errors import CLOSED_ERRORS, InvalidArgument, InvalidArgumentType
from .events import Event, EventFamily, event_names
from ._tasks import Label, run_callback
from ._wakeup import Waiters, Wakeup, wait_among, wake_all
from .protocol import CommandResult, new_id, pack, unpack
from .wire import CALL_STATES

if TYPE_CHECKING:
    from .call import Call
    from .calling import Calling
    from .components._action import Action
    from .pending import Command
    from .session import Session

__all__ = ["CallCore", "Callback", "RANK"]

log = logging.getLogger("relay_anyio.call")

A = TypeVar("A", bound="Action[Any]")
Callback = Callable[..., Any]

#: A call state's place in the life cycle.
RANK = {state: i for i, state in enumerate(CALL_STATES)}
#: A call state's bit in ``CallCore._seen`` (the states a call has been in).
_BIT = {state: 1 << i for state, i in RANK.items()}
_ENDING = RANK["ending"]


T = TypeVar("T")


async def _now(value: T) -> T:
    """``value``, awaitable: what a method that is not a coroutine returns when nothing needs waiting."""
    return value


def _takes_argument(callback: Callback) -> bool:
    """Whether ``callback`` accepts one positional argument (the Event)."""
    try:
        sig = inspect.signature(callback)
    except (TypeError, ValueError):
        return True
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.VAR_POSITIONAL)
    return any(param.kind in kinds for param in sig.parameters.values())


class CallCore:
    """A call between SignalWire and a device (``phone``); see ``relay_anyio.call.Call``."""

    __slots__ = (
        "_calling", "id", "node_id", "tag", "call_type", "from_number", "to_number", "timeout",
        "context", "direction", "state", "prev_state", "end_reason", "_seen", "_state_params",
        "_waiters", "_actions", "_connect", "_peer", "_listeners", "_dialed", "_gone", "_answering",
        "_connect_seen", "_peer_id", "_launching",
    )

    def __init__(
        self,
        calling: Calling,
        *,
        from_number: str | None = None,
        to_number: str | None = None,
        timeout: float | None = None,
        call_type: str = "phone",
        call_id: str | None = None,
        node_id: str | None = None,
        context: str | None = None,
        direction: str = "outbound",
        state: str | None = None,
        tag: str | None = None,
    ) -> None:
        self._calling = calling
        self.id = call_id
        self.node_id = node_id
        self.tag = tag or new_id()
        self.call_type = call_type
        self.from_number = from_number
        self.to_number = to_number
        self.timeout = timeout
        self.context = context
        self.direction = direction
        self.state: str | None = state
        self.prev_state: str | None = None
        self.end_reason: str | None = None
        # Per-call containers are made on first use: thousands of calls are in
        # flight at once, and each object less is one the collector skips.
        self._seen = _BIT.get(state, 0) if state else 0
        # Each state's event params, packed (see protocol.pack): a Result's ``event``
        # may need them later, and thousands of calls keep them meanwhile.
        self._state_params: dict[str, bytes] | None = None
        self._waiters: Waiters = None  # the wake-ups of state waits (see _wait_until)
        self._actions: dict[str, Action[Any]] | None = None
        self._connect: Action[Any] | None = None
        self._peer: CallCore | None = None
        self._listeners: dict[str, list[tuple[Callback, bool]]] | None = None
        self._dialed = call_id is not None
        self._gone: str | None = None  # why nothing more can happen here: "client closed", "session lost"
        self._answering: Any = None  # the answer() in flight (components.lifecycle)
        self._connect_seen: dict[str, Any] | None = None  # the latest connect event (components.connect)
        self._peer_id: str | None = None  # the call a state event named as ``peer`` (a connect's leg)
        # True while a waiting method starts its component, then the start command
        # (see _start): the waiting method waits for its answer and its end at once.
        self._launching: Any = None

    def __repr__(self) -> str:
        return (
            f"<Call id={self.id} {self.direction} from={self.from_number} to={self.to_number} "
            f"state={self.state}>"
        )

    # -- properties ---------------------------------------------------------------

    @property
    def answered(self) -> bool:
        """Whether the call has been answered."""
        return bool(self._seen & _BIT["answered"])

    @property
    def active(self) -> bool:
        """Whether the call is up (answered and not ending or ended)."""
        return self.state == "answered"

    @property
    def ended(self) -> bool:
        """Whether the call has ended."""
        return self.state == "ended"

    @property
    def busy(self) -> bool:
        """Whether the call ended because the other side was busy."""
        return self.end_reason == "busy"

    @property
    def failed(self) -> bool:
        """Whether the call failed: it ended without being answered, or with an error."""
        return self.end_reason == "error" or (self.state in ("ending", "ended") and not self.answered)

    @property
    def peer(self) -> Call | None:
        """The call connected with this one by ``connect``, if any."""
        return cast("Call | None", self._peer)

    @property
    def device(self) -> dict[str, Any]:
        """The device called: ``{"type": "phone", "params": {"from_number", "to_number"}}``
        (and ``timeout`` when set)."""
        params: dict[str, Any] = {"from_number": self.from_number, "to_number": self.to_number}
        if self.timeout is not None:
            params["timeout"] = self.timeout
        return {"type": self.call_type, "params": params}

    # -- on / off -------------------------------------------------------------------

    def on(self, event: str, callback: Callback) -> Self:
        """Attach ``callback`` to ``event`` (a name from the reference's event list).

        The callback may be sync or async; it gets the Event (``name``: the
        state, ``payload``: the event's data, readable as a dict like the
        official SDK's params) if it takes an argument. Returns the call.
        """
        names = event_names()
        if event not in names:
            raise InvalidArgument("event", event, sorted(names))
        if not callable(callback):
            raise InvalidArgumentType("callback", callback, "a callable")
        if self._listeners is None:
            self._listeners = {}
        self._listeners.setdefault(event, []).append((callback, _takes_argument(callback)))
        return self

    def off(self, event: str, callback: Callback | None = None) -> Self:
        """Remove ``callback`` from ``event`` (all of the event's callbacks when None)."""
        names = event_names()
        if event not in names:
            raise InvalidArgument("event", event, sorted(names))
        if self._listeners is None:
            return self
        if callback is None:
            self._listeners.pop(event, None)
        else:
            kept = [(cb, arg) for cb, arg in self._listeners.get(event, []) if cb != callback]
            self._listeners[event] = kept
        return self

    def _emit(self, listeners: list[tuple[Callback, bool]], name: str, event: Event) -> None:
        start = self._calling._start
        for callback, wants_arg in tuple(listeners):
            what = Label("call %s: %r callback", self.id, name)
            if wants_arg:
                run_callback(start, what, callback, event)
            else:
                run_callback(start, what, callback)

    # -- events -------------------------------------------------------------------------

    def _dispatch(self, family: EventFamily, params: dict[str, Any]) -> None:
        """An event for this call, routed as its family declares."""
        if family.handler is not None:
            getattr(self, family.handler)(params)
        else:
            control_id = params.get("control_id")
            actions = self._actions
            action = actions.get(control_id) if actions and isinstance(control_id, str) else None
            if action is not None:
                action._on_event(params)
            else:
                log.debug("call %s: %s for no running component (%r) dropped", self.id, family.event_type, control_id)
        listeners = self._listeners
        if listeners:
            event: Event | None = None
            for name in family.names(params):
                wanted = listeners.get(name)
                if wanted:
                    if event is None:
                        event = family.event(params, for_result=False)
                    self._emit(wanted, name, event)

    def _on_state(self, params: dict[str, Any]) -> None:
        state = params.get("call_state")
        if not isinstance(state, str) or state not in RANK:
            log.warning("call %s: unknown call_state %r dropped", self.id, state)
            return
        if self.state == "ended":
            return
        self._update_identity(params)
        if isinstance(params.get("end_reason"), str):
            self.end_reason = params["end_reason"]
        self.prev_state, self.state = self.state, state
        self._seen |= _BIT[state]
        if self._state_params is None:
            self._state_params = {}
        self._state_params[state] = pack(params)
        peer = params.get("peer")
        if isinstance(peer, dict) and isinstance(peer.get("call_id"), str):
            self._peer_id = peer["call_id"]
        if state == "ended":
            self._end_actions("call ended")
            self._calling._call_ended(self)
        self._wake()

    def _update_identity(self, p: dict[str, Any]) -> None:
        if self.id is None and isinstance(p.get("call_id"), str):
            self.id = p["call_id"]
            self._calling._bind(self)
        if isinstance(p.get("node_id"), str):
            self.node_id = p["node_id"]
        device = p.get("device")
        if isinstance(device, dict) and isinstance(device.get("params"), dict):
            dp = device["params"]
            self.from_number = self.from_number or dp.get("from_number")
            self.to_number = self.to_number or dp.get("to_number")
        if isinstance(p.get("direction"), str):
            self.direction = p["direction"]

    def _state_event(self, *states: str) -> Event | None:
        """The Event of the first of ``states`` the call reached (a Result's ``event``)."""
        for state in states:
            packed = self._state_params.get(state) if self._state_params else None
            if packed is not None:
                return Event(state, unpack(packed))
        return None

    # -- waiting for states ---------------------------------------------------------------

    def _wake(self) -> None:
        wake_all(self._waiters)

    def _mark_seen(self, *states: str) -> None:
        for state in states:
            self._seen |= _BIT[state]

    def _passed(self, state: str) -> bool:
        if self._seen & _BIT[state]:
            return True
        # created/ringing/ending are implied by a later state; answered is not.
        current = self.state
        if current is None or state == "answered":
            return False
        return RANK[current] >= RANK[state] and (state != "ending" or current == "ended")

    def _can_reach(self, state: str) -> bool:
        """Whether ``state`` may still come (states only move forward; answered not after ending)."""
        current = self.state
        return current is None or RANK[state] > RANK[current]

    async def _wait_states(self, wanted: frozenset[str]) -> bool:
        """True once the call reaches one of ``wanted`` (at once if it did); False as
        soon as none of them can come any more, or the call is gone. (``_wait_until``
        for states, without its two closures and frame: every call waits so in
        answer() and hangup().)"""
        while True:
            for state in wanted:
                if self._passed(state):
                    return True
            if self._gone is not None or not any(self._can_reach(state) for state in wanted):
                return False
            await wait_among(self, "_waiters", self._new_wakeup())

    async def _wait_until(self, done: Callable[[], bool], possible: Callable[[], bool]) -> bool:
        """Wait, re-checking at each event of the call, until ``done()`` (True) or
        not ``possible()`` / the call is gone (False)."""
        while True:
            if done():
                return True
            if self._gone is not None or not possible():
                return False
            await wait_among(self, "_waiters", self._new_wakeup())

    # -- the end of everything ---------------------------------------------------------------

    def _end_actions(self, reason: str) -> None:
        if self._actions:
            for action in tuple(self._actions.values()):
                action._end(reason)
        if self._connect is not None and not self._connect.completed:
            self._connect._end(reason)

    def _close(self, reason: str) -> None:
        """The client closed: every wait on the call ends now, unsuccessful with ``reason``."""
        if self._gone is None:
            self._gone = reason
        self._end_actions(reason)
        self._wake()

    def _session_lost(self) -> None:
        """The service forgot this call (a fresh session replaced ours, or the session gave up)."""
        self.end_reason = self.end_reason or "error"
        if self.state != "ended":
            self.prev_state, self.state = self.state, "ended"
        self._mark_seen("ended")
        self._close("session lost")

    # -- commands -------------------------------------------------------------------------------

    @property
    def _session(self) -> Session:
        return self._calling._session

    @property
    def _new_wakeup(self) -> Callable[[], Wakeup]:
        """The backend's wake-up constructor (works after the client closed, too)."""
        return self._calling._client.session.new_wakeup

    @property
    def _command_timeout(self) -> float:
        return self._calling._client._session.timeout

    def _unable(self) -> str | None:
        """Why no command can run on the call now (None: it can)."""
        if self._gone is not None:
            return self._gone
        if self.id is None:
            return "call not dialed"
        if self.ended:
            return "call has ended"
        return None

    def _params(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"call_id": self.id, "node_id": self.node_id, **params}

    def _execute(self, method: str, params: dict[str, Any]) -> Awaitable[CommandResult]:
        """Run a command on the call (await it); a refusal, or a call that is gone, is an
        unsuccessful result. Not a coroutine of its own: the session's execute is what
        waits (one frame less per command in flight)."""
        problem = self._unable()
        if problem is not None:
            return _now(CommandResult("410" if problem == "call has ended" else "404", problem))
        return self._session.execute(method, pack(self._params(params)), call_id=self.id, owner=self)

    def _start(self, action: A) -> Awaitable[A]:
        """Send ``action``'s start command; the Action follows its events from now on.

        Await it: it returns the Action once the service answered. Under a
        waiting method (``_launching`` is True, see ``components._action.waiting``)
        it returns at once and leaves the start command in ``_launching``: the
        waiting method waits for the answer (``_answered``) on the wake-up of the
        component's end, so the start keeps no frames and no wake-up of its own
        while thousands of components are in flight. Not a coroutine of its own
        (``_answered`` is what waits)."""
        if action.call is not self:
            raise RuntimeError("action belongs to another call")
        problem = self._unable()
        if problem is not None:
            action._finish(False, error=problem)
            return _now(action)
        launched = self._launching is True
        action._register()
        try:
            command = self._session.submit(
                action.method, action._packed_start(), call_id=self.id,
                waiter=action._end_wakeup() if launched else None,
            )
        except BaseException:
            action._unregister()
            raise
        if launched:
            self._launching = command
            return _now(action)
        return self._answered(action, command)

    async def _answered(self, action: A, command: Command) -> A:
        """Wait for the answer to ``action``'s start ``command`` and apply it (a refusal
        finishes the action). Its waiter may be the action's end wake-up too: a
        component over before its answer came needs the answer no more."""
        session = self._session
        try:
            # Session.outcome()'s common case in this frame (a coroutine less per start in flight)
            entry = session.arm(command)
            if entry is not None:
                try:
                    await command.waiter
                finally:
                    session.disarm(entry)
            if not action.completed:
                response = session.result(command)
                if response is None:
                    response = await session.outcome(command)
                action._on_response(response)
        except BaseException as exc:
            if isinstance(exc, CLOSED_ERRORS) and self._gone is not None:
                action._finish(False, error=self._gone)
                return action
            await self._undo_start(action, session, command)
            raise
        finally:
            session.discard(command)
        return action

    async def _undo_start(self, action: Action[Any], session: Session, command: Any) -> None:
        """The caller left while the start was in flight (cancelled, or it timed
        out): once the service answers, stop what it started. Shielded from the
        cancellation, bounded by the command timeout."""
        with anyio.CancelScope(shield=True), anyio.move_on_after(self._command_timeout):
            started = command.sent
            if started:
                try:
                    started = (await session.outcome(command)).successful
                except Exception:  # noqa: BLE001 - no answer: it may run, so stop it anyway
                    started = self._gone is None
            if started and not action.completed:
                try:
                    await action._send_stop()
                except Exception as exc:  # noqa: BLE001 - best effort: the caller is already leaving
                    log.debug("call %s: stopping %s failed: %r", self.id, action.control_id, exc)
        action._finish(False, error="cancelled")
