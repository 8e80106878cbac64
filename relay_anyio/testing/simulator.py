"""RelaySimulator: a local Relay v2 service for tests, demos and benchmarks.

It speaks the wire protocol of ``docs/protocol.md`` over a real WebSocket
(hypercorn, in-process, under asyncio or trio), plays the far end of every
call from a script (:class:`Caller`), and serves recordings, fax documents
and an HTTP control API on the same port.
"""

from __future__ import annotations

import logging
import math
import os
import secrets
import socket
from collections.abc import Callable, Coroutine
from types import TracebackType
from typing import Any, Self

import anyio
import anyio.abc
import anyio.lowlevel
import attrs

from ..protocol import Message, Request, new_id
from ..wire import PLAY_STATES
from . import _checks as check
from ._callers import DEFAULT_INBOUND_CALLER, UNKNOWN_NUMBER_CALLER, Caller
from ._calls import CallHandle
from ._clock import SimClock
from ._connection import CLOSE_GOING_AWAY, CLOSE_NORMAL, Connection
from ._errors import MissingExtra
from ._faults import Faults
from ._files import FileStore
from ._journal import Journal
from ._messaging import MessageRecipient, Messages, SimMessage
from ._tasks import deliver_task
from ._sessions import Session, SessionRegistry

__all__ = ["RECEIVER_TIMEOUT", "MissingExtra", "RelaySimulator"]

logger = logging.getLogger(__name__)

#: Real seconds ``inbound_call`` and ``wait_for_receiver`` wait for a client receiving the context.
RECEIVER_TIMEOUT = 10.0

_NOT_STARTED = (
    "RelaySimulator is not running: use it as `async with RelaySimulator() as sim:` "
    "inside an async function (asyncio or trio), then connect a client to sim.url"
)


class RelaySimulator:
    """A Relay v2 calling service on ``ws://host:port``.

    Use it as ``async with RelaySimulator(time_scale=0) as sim:``; the
    server and every simulated call run in the simulator's own task group,
    which leaving the block cancels and joins.

    project, token:
        The credentials ``blade.connect`` must carry.
    time_scale:
        Real seconds per simulated second: 0 = instant (tests), 1 = real
        time (demos).
    restore_grace:
        Real seconds a session whose socket dropped stays restorable.
    journal, journal_limit:
        Record every frame (``sim.journal``); keep only the newest
        ``journal_limit`` entries (None = all).
    recordings_dir:
        Where recordings are written (None = a temporary directory,
        removed when the simulator stops).
    server:
        ``"hypercorn"`` (default) or ``"lean"``: wsproto and h11 directly on
        anyio sockets, writing every queued frame in one send; several times
        cheaper per frame, for load generation (benchmarks).
    recordings_in_memory:
        Keep recordings in memory instead of writing WAV files (their
        ``path`` is then ``""``; HTTP serves the same bytes). For load tests.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        project: str = "project",
        token: str = "token",
        time_scale: float = 0.0,
        restore_grace: float = 60.0,
        journal: bool = True,
        journal_limit: int | None = None,
        recordings_dir: str | None = None,
        recordings_in_memory: bool = False,
        server: str = "hypercorn",
    ) -> None:
        if server not in ("hypercorn", "lean"):
            raise ValueError(f"server must be 'hypercorn' or 'lean'; got {server!r}")
        if not isinstance(port, int) or not 0 <= port < 65536:
            raise ValueError(f"port must be 0..65535; got {port!r}")
        if restore_grace < 0:
            raise ValueError(f"restore_grace must be >= 0; got {restore_grace!r}")
        self.host = host
        self.project = project
        self.token = token
        self.restore_grace = float(restore_grace)
        self.clock = SimClock(time_scale)
        self.journal = Journal(journal, journal_limit)
        self.faults = Faults(self)
        self.nodeid = new_id()
        self.space_id = new_id()
        self.signature = secrets.token_hex(32)
        self._requested_port = port
        self._port: int | None = None
        self._recordings_dir = recordings_dir
        self._recordings_in_memory = recordings_in_memory
        self.server = server
        self._sessions = SessionRegistry()
        self._messages = Messages(self)
        self._calls: dict[str, CallHandle] = {}
        self._phones: dict[str, Caller] = {}
        self._connections: set[Connection] = set()
        self._server_requests: dict[str, anyio.Event] = {}
        self._ignore_new_pings = False
        self._tg: anyio.abc.TaskGroup | None = None
        self._files_store: FileStore | None = None
        self._shutdown = anyio.Event()
        self._served = anyio.Event()

    def __repr__(self) -> str:
        where = self.url if self._tg is not None else "not running"
        return f"<RelaySimulator {where} sessions={len(self._sessions)} calls={len(self._calls)}>"

    # -- addresses -----------------------------------------------------------

    @property
    def time_scale(self) -> float:
        return self.clock.time_scale

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError(_NOT_STARTED)
        return self._port

    @property
    def url(self) -> str:
        """The WebSocket address clients connect to (``ws://127.0.0.1:<port>``)."""
        return f"ws://{self._host_for_url()}:{self.port}"

    @property
    def http_url(self) -> str:
        """The same port over HTTP: recordings, fax documents, control API."""
        return f"http://{self._host_for_url()}:{self.port}"

    def _host_for_url(self) -> str:
        host = self.host
        if host in ("0.0.0.0", ""):
            return "127.0.0.1"
        return f"[{host}]" if ":" in host else host

    # -- life cycle ------------------------------------------------------------

    async def __aenter__(self) -> Self:
        if self._tg is not None:
            raise RuntimeError("this RelaySimulator is already running")
        if self._served.is_set():
            raise RuntimeError("a RelaySimulator cannot be restarted; create a new one")
        if self.server == "lean":
            from ._lean import lean_available, serve_lean

            if not lean_available():
                raise RuntimeError("server='lean' needs anyio >= 4.10, h11 and wsproto")
            serve = serve_lean
        else:
            try:
                from ._server import serve  # the sim extra: hypercorn
            except ImportError as exc:
                raise MissingExtra(exc.name) from exc

        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self._requested_port))
            # Listening now makes sim.url usable at once: early clients wait
            # in the backlog until the server accepts.
            sock.listen(1024)
        except BaseException:
            sock.close()
            raise
        self._port = sock.getsockname()[1]
        self._files_store = FileStore(self._recordings_dir, in_memory=self._recordings_in_memory)
        tg = anyio.create_task_group()
        await tg.__aenter__()
        self._tg = tg
        self._sock = sock

        async def run_server() -> None:
            try:
                await serve(self, sock, self._shutdown.wait)
            finally:
                self._served.set()

        tg.start_soon(run_server)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        tg = self._tg
        assert tg is not None
        try:
            with anyio.CancelScope(shield=True):
                for connection in list(self._connections):
                    connection.close(CLOSE_NORMAL)
                self._shutdown.set()
                with anyio.move_on_after(2):
                    await self._served.wait()
            tg.cancel_scope.cancel()
            return await tg.__aexit__(exc_type, exc, tb)
        finally:
            self._tg = None
            self._served.set()
            self._sock.close()
            if self._files_store is not None:
                self._files_store.close()

    @property
    def _files(self) -> FileStore:
        if self._files_store is None:
            raise RuntimeError(_NOT_STARTED)
        return self._files_store

    def _spawn(self, fn: Callable[[], Coroutine[Any, Any, None]]) -> None:
        if self._tg is None:
            raise RuntimeError(_NOT_STARTED)
        # An explicit name: anyio otherwise derives one from the callable for
        # every task, which measured as 6 % of the simulator's CPU under load.
        self._tg.start_soon(fn, name="relay-sim task")

    # -- scripting the far end ------------------------------------------------

    def phone(
        self, number: str, *, caller: Caller | None = None, answer_after: float | None = None
    ) -> Caller:
        """Script what happens when the SDK dials ``number``.

        ``caller`` is a :class:`Caller` (or ``busy``, ``no_answer``,
        ``fax``, ``machine(...)``, ``human(...)``); ``answer_after``
        overrides its ring time. Unscripted numbers answer after one ring,
        as a human who says nothing. Returns the script in effect.
        """
        check.phone_number("number", number)
        caller = check.caller("caller", caller) or Caller()
        answer_after = check.seconds("answer_after", answer_after)
        if answer_after is not None:
            caller = attrs.evolve(caller, answer_after=answer_after)
        self._phones[number] = caller
        return caller

    def phone_caller(self, number: str) -> Caller:
        """The script of ``number`` (the unknown-number caller if none)."""
        check.phone_number("number", number)
        return self._phones.get(number, UNKNOWN_NUMBER_CALLER)

    @property
    def phones(self) -> dict[str, Caller]:
        return dict(self._phones)

    # -- inbound calls and lookups --------------------------------------------

    async def wait_for_receiver(self, context: str, *, timeout: float | None = RECEIVER_TIMEOUT) -> None:
        """Wait until a client receives ``context``: TimeoutError after ``timeout``
        real seconds (default ``RECEIVER_TIMEOUT``; None = no limit)."""
        check.text("context", context)
        await self._receiver(context, check.seconds("timeout", timeout))

    async def _receiver(self, context: str, timeout: float | None) -> Session:
        try:
            with anyio.fail_after(math.inf if timeout is None else timeout):
                while (session := self._sessions.pick_receiver(context)) is None:
                    await self._sessions.wait_changed()
        except TimeoutError:
            raise TimeoutError(
                f"no client receives context {context!r} after {timeout:g} s: has a client connected to "
                f"{self.url} and called client.calling.receive([{context!r}], handler)? "
                "(timeout=None waits without limit)"
            ) from None
        return session

    async def inbound_call(
        self,
        context: str = "office",
        *,
        from_number: str = "+15557654321",
        to_number: str = "+15551234567",
        caller: Caller | None = None,
        timeout: float | None = RECEIVER_TIMEOUT,
    ) -> CallHandle:
        """Place an inbound call on ``context`` and return its handle.

        The call goes to one of the connected clients receiving the context
        (round-robin); with none yet, this waits for one: TimeoutError after
        ``timeout`` real seconds (default ``RECEIVER_TIMEOUT``, 10; None = no
        limit). The default caller presses ``1234#`` and says "yes".
        """
        check.text("context", context)
        check.phone_number("from_number", from_number)
        check.phone_number("to_number", to_number)
        caller = check.caller("caller", caller) or DEFAULT_INBOUND_CALLER
        limit = check.seconds("timeout", timeout)
        if self._tg is None:
            raise RuntimeError(_NOT_STARTED)
        session = await self._receiver(context, limit)
        call = CallHandle(
            self,
            session,
            direction="inbound",
            from_number=from_number,
            to_number=to_number,
            caller=caller,
            context=context,
        )
        self._register_call(call)
        call.emit(
            "calling.call.receive",
            {
                "call_state": "created",
                "context": context,
                "device": call.device,
                "direction": "inbound",
                "call_id": call.call_id,
                "node_id": call.node_id,
            },
        )
        return call

    async def burst(
        self,
        call_id: str,
        *,
        count: int,
        control_id: str | None = None,
        state: str = "playing",
        chunk: int = 1000,
    ) -> int:
        """Send ``count`` ``calling.call.play`` events (``state``) for a call, as
        fast as the socket takes them (benchmarks of event dispatch).

        The events are queued ``chunk`` at a time with a checkpoint between
        chunks, so the writer starts sending while the rest are built.
        Returns how many were queued (0 if the call has no live session).
        """
        call = self.call(call_id)
        check.count("count", count)
        if control_id is not None:
            check.text("control_id", control_id)
        check.choice("state", state, PLAY_STATES)
        check.count("chunk", chunk, minimum=1)
        control_id = control_id or new_id()
        params = {"control_id": control_id, "state": state, "call_id": call.call_id, "node_id": call.node_id}
        sent = 0
        while sent < count:
            n = min(chunk, count - sent)
            if not call.emit_many("calling.call.play", params, n):
                break
            sent += n
            await anyio.lowlevel.checkpoint()
        return sent

    @property
    def calls(self) -> list[CallHandle]:
        """Every call so far (inbound, dialed, connect legs), oldest first."""
        return list(self._calls.values())

    def call(self, call_id: str) -> CallHandle:
        """The call with this id (KeyError if unknown)."""
        check.text("call_id", call_id)
        try:
            return self._calls[call_id]
        except KeyError:
            raise KeyError(f"no call {call_id!r} in the simulator") from None

    @property
    def sessions(self) -> list[Session]:
        return list(self._sessions)

    # -- messaging and tasks ---------------------------------------------------

    def message_recipient(
        self, number: str, *, outcome: str = "delivered", reason: str | None = None, reply: str | None = None
    ) -> MessageRecipient:
        """Script what ``number`` does with the messages sent to it.

        ``outcome``: the final state of each (delivered, undelivered or
        failed; unscripted numbers: delivered); ``reason``: what the final
        state says (default: the outcome); ``reply``: a text the number
        sends back, as an inbound message, once a message is delivered.
        """
        check.phone_number("number", number)
        recipient = MessageRecipient(outcome=outcome, reason=reason, reply=reply)
        self._messages.recipients[number] = recipient
        return recipient

    async def inbound_message(
        self,
        context: str,
        *,
        from_number: str,
        to_number: str,
        body: str | None = None,
        media: list[str] | None = None,
        timeout: float | None = RECEIVER_TIMEOUT,
    ) -> SimMessage:
        """Send an inbound SMS (``body``) or MMS (``media`` URLs) to one client receiving ``context``.

        With none yet, this waits for one (TimeoutError after ``timeout``
        real seconds, default ``RECEIVER_TIMEOUT``; None = no limit). Returns
        the message as sent.
        """
        if self._tg is None:
            raise RuntimeError(_NOT_STARTED)
        check.text("context", context)
        check.phone_number("from_number", from_number)
        check.phone_number("to_number", to_number)
        if body is not None and not isinstance(body, str):
            raise TypeError(f"body must be a str or None; got {type(body).__name__}")
        if media is not None and (not isinstance(media, list) or not all(isinstance(m, str) and m for m in media)):
            raise TypeError(f"media must be a list of URLs or None; got {media!r}")
        if body is None and not media:
            raise ValueError("an inbound message needs a body or media")
        return await self._messages.inbound(context, from_number, to_number, body, media, check.seconds("timeout", timeout))

    @property
    def messages(self) -> list[SimMessage]:
        """Every message carried so far (sent by clients, inbound, replies), oldest first."""
        return list(self._messages.by_id.values())

    def message(self, message_id: str) -> SimMessage:
        """The message with this id (KeyError if none)."""
        try:
            return self._messages.by_id[message_id]
        except KeyError:
            raise KeyError(f"no message {message_id!r}") from None

    def deliver_task(self, context: str, *, message: Any) -> bool:
        """Hand a task to one client receiving ``context`` (what the REST endpoint does); False if none does."""
        if self._tg is None:
            raise RuntimeError(_NOT_STARTED)
        check.text("context", context)
        return deliver_task(self, context, message)

    def _register_call(self, call: CallHandle) -> None:
        self._calls[call.call_id] = call

    # -- sessions (used by the Blade layer and faults) ------------------------------

    def _schedule_expiry(self, session: Session) -> None:
        stamp = session.detached_at

        async def expire() -> None:
            await anyio.sleep(self.restore_grace)
            if session.connection is None and session.detached_at == stamp:
                self._drop_session(session)

        if self._tg is not None:
            self._spawn(expire)

    def _drop_session(self, session: Session) -> None:
        if session.forgotten:
            return
        self._sessions.remove(session)
        for call_id in list(session.call_ids):
            call = self._calls.get(call_id)
            if call is not None:
                call.vanish("error")

    def _forget_sessions(self) -> int:
        sessions = list(self._sessions)
        for session in sessions:
            connection = session.connection
            self._drop_session(session)
            if connection is not None:
                connection.abort()
        return len(sessions)

    def _server_request_answered(self, request_id: str) -> None:
        event = self._server_requests.pop(request_id, None)
        if event is not None:
            event.set()

    async def _send_disconnect(self, session: Session, timeout: float) -> None:
        connection = session.connection
        if connection is None:
            return
        request = Request(new_id(), "blade.disconnect", {})
        answered = anyio.Event()
        self._server_requests[request.id] = answered
        connection.send(request)
        with anyio.move_on_after(timeout):
            await answered.wait()
        self._server_requests.pop(request.id, None)
        connection.close(CLOSE_GOING_AWAY)

    def _spawn_delayed(
        self,
        seconds: float,
        connection: Connection,
        response: Message,
        answers: str,
        then: Callable[[], None] | None,
    ) -> None:
        async def later() -> None:
            await anyio.sleep(seconds)
            connection.send(response, answers)
            if then is not None:
                then()

        self._spawn(later)

    def _status(self) -> dict[str, Any]:
        states: dict[str, int] = {}
        for call in self._calls.values():
            states[call.state] = states.get(call.state, 0) + 1
        return {
            "url": self.url,
            "http_url": self.http_url,
            "project": self.project,
            "token": self.token,
            "time_scale": self.time_scale,
            "restore_grace": self.restore_grace,
            "sessions": len(self._sessions),
            "connections": len(self._connections),
            "calls": len(self._calls),
            "call_states": states,
            "journal": {"enabled": self.journal.enabled, "entries": len(self.journal)},
            "pid": os.getpid(),
        }
