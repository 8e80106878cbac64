"""The Blade client protocol as a state machine: text in, frames and events out.

No sockets, no tasks, no timers, no anyio (the way h11 and websockets keep
protocol apart from I/O): ``Session`` owns the socket and feeds this
class what arrives; it sends what ``frames_to_send()`` returns and keeps
the clocks (the clock reading used to stamp sends is injected).

States (``State``)::

    DISCONNECTED --connection_opened()--> CONNECTING --connect answered--+--> READY (restored)
         ^                                                               '--> SETTING_UP --> READY (fresh)
         '-- connection_lost() from any state but CLOSED; close() --> CLOSED (final)
    READY --blade.disconnect from the server--> DISCONNECTING (commands queue until the next connection)

The restore-or-fresh decision (docs/protocol.md, section 2): a session
we asked for and got back, whose set-up had finished, is READY at once and
every command sent before the loss is re-sent with its original id (the
service runs an id at most once per session). Anything else is set up
again (``signalwire.setup``, ``blade.subscription``, ``signalwire.receive``
for the contexts); if it replaced a session we had, the commands sent into
the old one and those aimed at its calls fail with ``"session lost"`` and
``on_session_lost`` is called. Commands never sent go out once READY.

Broadcasts are acknowledged, filtered for re-deliveries (ids remembered,
``SEEN_EVENTS`` of them) and handed to ``on_event`` in the order received.
"""

from __future__ import annotations

import enum
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from . import protocol as p
from .errors import AuthenticationError, RemoteProtocolError
from .pending import Command, PendingTable

__all__ = ["SEEN_EVENTS", "BladeClient", "State"]

log = logging.getLogger("relay_anyio.session")
frames_log = logging.getLogger("relay_anyio.frames")

# JSON members whose values are secrets, whatever the value is.
_SECRET_FIELDS = re.compile(r'("(?:token|signature|password|secret)"\s*:\s*)"(?:[^"\\]|\\.)*"')

# Broadcast ids remembered to drop re-deliveries after a restore.
SEEN_EVENTS = 4096

SESSION_LOST = "session lost"
SETUP = "signalwire.setup"
RECEIVE = "signalwire.receive"


class State(enum.Enum):
    DISCONNECTED = "disconnected"
    CONNECTING = "connecting"  # socket open, blade.connect sent
    SETTING_UP = "setting up"  # a fresh session (or one restored before its set-up finished)
    READY = "ready"
    DISCONNECTING = "disconnecting"  # the server announced it will close this socket
    CLOSED = "closed"


class BladeClient:
    """One Relay session over any number of connections (see the module doc).

    Callbacks: ``on_event(event)`` for each new broadcast of our protocol;
    ``on_session_lost(reason)`` when a fresh session replaced ours;
    ``settled(command)`` when a command settles; ``on_state(state)`` after
    every change of state, every handshake step answered and a handshake
    that failed (``failure`` then says why).
    """

    __slots__ = (
        "project", "_token", "agent", "clock", "max_frame_size", "on_event", "on_session_lost", "on_state",
        "pending", "state", "gen", "sessionid", "nodeid", "protocol", "contexts", "restores",
        "secrets", "failure", "awaiting", "_outbox", "_seen", "_setup_for", "_lost_due", "_step",
    )

    def __init__(
        self,
        *,
        project: str,
        token: str,
        agent: str,
        on_event: Callable[[p.RelayEvent], None],
        on_session_lost: Callable[[str], None],
        settled: Callable[[Command], None],
        on_state: Callable[[State], None],
        clock: Callable[[], float],
        max_frame_size: int = 4 * 1024 * 1024,
    ) -> None:
        self.project = project
        self.max_frame_size = max_frame_size
        self._token = token
        self.agent = agent
        self.clock = clock
        self.on_event = on_event
        self.on_session_lost = on_session_lost
        self.on_state = on_state
        self.pending = PendingTable(settled)
        self.state = State.DISCONNECTED
        self.gen = 0  # connections opened so far; a command's ``gen`` says which one it went out on
        self.sessionid: str | None = None
        self.nodeid: str | None = None
        self.protocol: str | None = None
        self.contexts: list[str] = []
        self.restores = 0
        self.secrets = [token]  # scrubbed from DEBUG frame logs
        self.failure: BaseException | None = None  # why the last handshake failed
        self.awaiting: str | None = None  # the handshake step waiting for its answer
        self._outbox: list[str] = []
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._setup_for: str | None = None  # the sessionid whose set-up completed
        self._lost_due = False  # a fresh session replaced ours; the old calls are not ended yet
        self._step: Command | None = None

    @property
    def seen_events(self) -> int:
        """How many broadcast ids are remembered (at most ``SEEN_EVENTS``)."""
        return len(self._seen)

    # -- what to send ------------------------------------------------------------

    def frames_to_send(self) -> list[str]:
        """The frames queued since the last call, in order (the caller writes them)."""
        frames = self._outbox
        if frames:
            self._outbox = []
        return frames

    # -- connection life cycle ---------------------------------------------------------

    def connection_opened(self) -> None:
        """A new socket is up: ask for our session back (or a new one)."""
        self._require_open()
        self.gen += 1
        self.failure = None
        self._set_state(State.CONNECTING)
        self._handshake_step(
            p.CONNECT, p.connect_params(self.project, self._token, self.agent, self.sessionid), p.CONNECT
        )

    def connection_lost(self) -> None:
        """The socket is gone: requests tied to it fail; commands wait for the next connection."""
        if self.state is State.CLOSED:
            return
        if self._step is not None:
            self.pending.discard(self._step)
            self._step = None
        self.awaiting = None
        self._outbox.clear()
        for command in self.pending:
            if command.blade:
                self.pending.fail(command, "connection lost")
        if self.state is not State.DISCONNECTED:
            self._set_state(State.DISCONNECTED)

    def close(self, error: BaseException) -> None:
        """Final: every command still waiting raises ``error``."""
        if self.state is State.CLOSED:
            return
        self.state = State.CLOSED
        self._outbox.clear()
        for command in self.pending:
            self.pending.raise_in(command, error)
        self.on_state(State.CLOSED)

    # -- commands --------------------------------------------------------------------

    def submit(self, command: Command) -> None:
        """Track ``command``; it goes out now when READY, else once READY."""
        self._require_open()
        self.pending.add(command)
        if self.state is State.READY:
            self._send(command)

    def ping(self, timestamp: float) -> Command:
        """A ``blade.ping`` on this connection (settles like a command; never re-sent)."""
        self._require_open()
        params = {"timestamp": timestamp}
        command = Command(p.PING, params, blade=True)
        self.pending.add(command)
        self._outbox.append(p.encode(p.Request(command.id, p.PING, params)))
        command.gen = self.gen
        command.sent_at = self.clock()
        return command

    def _send(self, command: Command) -> None:
        assert self.protocol is not None
        command.gen = self.gen
        command.sent_at = self.clock()
        self._outbox.append(p.execute_frame(command.id, self.protocol, command.method, command.params))

    # -- what arrives -------------------------------------------------------------------

    def receive(self, text: str | bytes) -> str | None:
        """Handle one inbound frame; returns the reply to send at once (an ack), if any.

        Never raises for what the peer sent: odd frames are logged and dropped.
        """
        if len(text) > self.max_frame_size:
            log.warning("dropped a frame of %d bytes (max_frame_size=%d)", len(text), self.max_frame_size)
            return None
        if frames_log.isEnabledFor(logging.DEBUG):
            frames_log.debug("<- %s", self.scrub(text if isinstance(text, str) else repr(text)))
        try:
            data = p.parse_json(text)
            if type(data) is dict and data.get("method") == p.BROADCAST:
                # Nearly every frame: read as from_dict would, without a Request object.
                request_id, params = data.get("id"), data.get("params")
                if type(request_id) is str and type(params) is dict:
                    return self._on_broadcast(request_id, params)
            message = p.from_dict(data)
        except RemoteProtocolError as exc:
            log.warning("dropped an unreadable frame: %s", exc)
            return None
        if isinstance(message, p.Request):
            if message.method == p.BROADCAST:
                return self._on_broadcast(message.id, message.params)
            return self._on_server_request(message)
        command = self.pending.get(message.id) if message.id is not None else None
        if command is None:
            log.debug("response to unknown or expired request %s dropped", message.id)
        elif command is self._step:
            self._step_answered(message)
        else:
            self.pending.answer(command, message)
        return None

    def _on_broadcast(self, request_id: str, params: dict[str, Any]) -> str:
        ack = p.empty_result(request_id)
        seen = self._seen
        if request_id in seen:
            log.debug("broadcast %s delivered twice: dropped", request_id)
            return ack
        seen[request_id] = None
        if len(seen) > SEEN_EVENTS:
            seen.popitem(last=False)
        try:
            event = p.parse_broadcast(params)
        except RemoteProtocolError as exc:
            log.warning("dropped a broadcast: %s", exc)
            return ack
        if event.protocol != self.protocol:
            log.debug("event for protocol %r (ours %r) ignored", event.protocol, self.protocol)
            return ack
        try:
            self.on_event(event)
        except Exception:
            log.exception("handling event %s failed", event.event_type)
        return ack

    def _on_server_request(self, request: p.Request) -> str:
        if request.method == p.PING:
            ts = request.params.get("timestamp")
            return p.encode(p.Response(request.id, {"timestamp": ts if ts is not None else time.time()}))
        if request.method == p.DISCONNECT:
            log.info("server asked us to disconnect: queuing commands until reconnected")
            if self.state is State.READY:
                self._set_state(State.DISCONNECTING)
            return p.encode(p.Response(request.id, {}))
        log.warning("server request %r is unknown: answered with an error", request.method)
        return p.encode(p.ErrorResponse(request.id, p.METHOD_NOT_FOUND, f"unknown method {request.method!r}"))

    # -- the handshake ----------------------------------------------------------------------

    def _handshake_step(self, method: str, params: dict[str, Any], name: str) -> None:
        """Send one step; ``name`` is what it is (``awaiting`` until answered)."""
        step = self._step = Command(name, params, blade=True)
        step.gen = self.gen
        step.sent_at = self.clock()
        self.awaiting = name
        self.pending.add(step)
        self._outbox.append(p.encode(p.Request(step.id, method, params)))

    def _step_answered(self, message: p.Response | p.ErrorResponse) -> None:
        step = self._step
        assert step is not None
        self._step = None
        self.awaiting = None
        self.pending.discard(step)
        before = self.state
        try:
            self._advance(step, message)
        except (AuthenticationError, RemoteProtocolError) as exc:
            self.failure = exc
        if self.state is before:  # a step of the same state, or a failure: report it too
            self.on_state(before)

    def _advance(self, step: Command, message: p.Response | p.ErrorResponse) -> None:
        if step.method == p.CONNECT:
            self._connected(message)
        elif step.method == p.SUBSCRIPTION:
            self._after_subscription()
        elif step.method == SETUP:
            proto = p.parse_execute_result(message).data.get("protocol") if isinstance(message, p.Response) else None
            if not isinstance(proto, str):
                raise RemoteProtocolError("signalwire.setup answered no protocol")
            self.protocol = proto
            self._handshake_step(p.SUBSCRIPTION, p.subscription_params(proto), p.SUBSCRIPTION)
        else:  # signalwire.receive for the contexts
            if not p.parse_execute_result(message).successful:
                log.error("receive %s refused after reconnect", self.contexts)
            self._set_up()

    def _connected(self, message: p.Response | p.ErrorResponse) -> None:
        if isinstance(message, p.ErrorResponse):
            raise AuthenticationError(f"blade.connect refused: {message.message}", message.code)
        result = p.parse_connect_result(message.result)
        if result.signature:
            self.secrets.append(result.signature)
        asked = self.sessionid
        self.nodeid = result.nodeid
        self.sessionid = result.sessionid
        restored = bool(asked) and result.session_restored and result.sessionid == asked
        if restored and self._setup_for == self.sessionid:
            self.restores += 1
            log.info("session %s restored", self.sessionid)
            self._ready()
            return
        if restored:
            log.info("session %s restored before its set-up finished: finishing it", self.sessionid)
        elif self.protocol is not None:
            self._lost_due = True
        self._set_state(State.SETTING_UP)
        self._handshake_step(p.EXECUTE, p.execute_params("signalwire", "setup", {}), SETUP)

    def _after_subscription(self) -> None:
        if self.contexts:
            assert self.protocol is not None
            self._handshake_step(
                p.EXECUTE,
                p.execute_params(self.protocol, RECEIVE, {"contexts": self.contexts}),
                RECEIVE,
            )
        else:
            self._set_up()

    def _set_up(self) -> None:
        self._setup_for = self.sessionid
        if self._lost_due:
            self._lost_due = False
            log.warning("session could not be restored: calls of the old session are gone")
            for command in self.pending:
                # Sent before (its outcome unknown) or aimed at a call that is gone.
                if not command.blade and (command.gen is not None or command.call_id is not None):
                    self.pending.fail(command, SESSION_LOST)
            self.on_session_lost(SESSION_LOST)
        self._ready()

    def _ready(self) -> None:
        gen = self.gen
        for command in self.pending:
            if not command.blade and not command.settled and command.gen != gen:
                if command.gen is not None:
                    log.info("re-sending %s (id %s) into the restored session", command.method, command.id)
                self._send(command)
        self._set_state(State.READY)

    # -- helpers ------------------------------------------------------------------------------

    def scrub(self, text: str) -> str:
        """A frame for a DEBUG log: token and signatures blanked out."""
        text = _SECRET_FIELDS.sub(r'\1"***"', text)
        for secret in self.secrets:
            if secret:
                text = text.replace(secret, "***")
        return text

    def _set_state(self, state: State) -> None:
        self.state = state
        self.on_state(state)

    def _require_open(self) -> None:
        if self.state is State.CLOSED:
            raise RuntimeError("the Blade session is closed")
