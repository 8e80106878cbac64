"""The Relay session's I/O: one WebSocket (httpx-ws upgrade, wsproto frames), kept alive and restored.

What to send and what a frame means is ``blade.BladeClient`` (pure); this
module owns the socket, the reader, writer and keep-alive tasks, the
command timers and the reconnect loop.

- ``run()`` owns the connection: blade.connect -> setup -> subscription ->
  receive, then a dedicated reader task (httpx-ws delivers pongs and
  messages from the same loop, so the socket must always be read) and a
  keep-alive task. When the socket dies it reconnects with exponential
  backoff and jitter, asking for the old ``sessionid``.
- ``execute()`` sends a ``blade.execute`` and waits for its response with a
  per-command timeout. A command issued while disconnected waits at most
  that timeout for the session to come back (then CommandTimeout with
  ``sent=False``: it never ran); commands left unanswered by a dropped socket
  are re-sent with their original ids into a *restored* session only (the
  simulator, like the service, executes an id at most once per session).
  When the service hands us a *fresh* session, everything pending on the
  old calls finishes unsuccessfully with ``"session lost"``.
"""

from __future__ import annotations

import logging
import ssl
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager, contextmanager
from typing import Any, Protocol

import anyio
import httpx
from anyio.abc import TaskGroup, TaskStatus
from httpx_ws import HTTPXWSException, aconnect_ws

from . import _wakeup
from . import protocol as p
from ._groups import first_error, plain_errors
from ._deadlines import Deadlines, Entry, native_clock
from ._socket import RelaySocket, SocketClosed
from ._urls import http_url, tls
from ._writer import FrameWriter
from .pending import Command
from .backoff import Backoff
from .blade import BladeClient, State, frames_log
from .errors import (
    CLOSED_ERRORS,
    AuthenticationError,
    CommandTimeout,
    ConnectionClosed,
    RelayError,
    RemoteProtocolError,
)

__all__ = ["Session"]

log = logging.getLogger("relay_anyio.session")

# Tries for a first connection whose socket opened but whose handshake failed.
FIRST_CONNECT_TRIES = 3


class Owner(Protocol):
    """What a command runs for (a call): ``_gone`` says why it can no longer run
    anything (client closed, session lost), None while it can."""

    _gone: str | None


def _wake(command: Command) -> None:
    """A command settled, expired or lost its connection: its waiter (a wake-up, see Session.submit) wakes."""
    _wakeup.wake(command.waiter)


class Session:
    """A Relay session. Owned by a Client; see the module doc.

    The protocol (states, pending commands, restore or fresh session,
    duplicate events) is ``self.blade``, a pure BladeClient; this class
    owns the socket, the tasks, the timers and the reconnect loop.
    """

    def __init__(
        self,
        *,
        url: str,
        project: str,
        token: str,
        agent: str,
        on_event: Callable[[p.RelayEvent], None],
        on_session_lost: Callable[[str], None],
        timeout: float = 10.0,
        keepalive: float = 10.0,
        reconnect_base: float = 0.5,
        reconnect_cap: float = 30.0,
        max_auth_failures: int = 3,
        verify: ssl.SSLContext | str | bool = True,
        max_frame_size: int = 4 * 1024 * 1024,
        max_pending: int = 100_000,
    ) -> None:
        self.url = url
        self.project = project
        self.agent = agent
        self.timeout = timeout
        self.keepalive = keepalive
        self.backoff = Backoff(base=reconnect_base, cap=reconnect_cap)
        self.max_auth_failures = max_auth_failures
        self.verify = verify
        self.max_frame_size = max_frame_size
        self.max_pending = max_pending
        self.blade = BladeClient(
            project=project,
            token=token,
            agent=agent,
            on_event=on_event,
            on_session_lost=on_session_lost,
            settled=_wake,
            on_state=self._on_state,
            clock=anyio.current_time,
            max_frame_size=max_frame_size,
        )
        self.connections = 0  # how many sockets were opened (1 = never reconnected)
        self._deadlines = Deadlines()  # command timeouts, one timer for all
        self.new_wakeup: Callable[[], _wakeup.Wakeup] = _wakeup.new  # the backend's own, once run() starts
        self._ready = anyio.Event()
        self._progress = anyio.Event()  # the handshake moved on
        self._writer: FrameWriter | None = None
        self._conn_tg: TaskGroup | None = None
        self._conn_lost: anyio.Event | None = None
        self._fatal: BaseException | None = None
        self._last_rx = 0.0
        self._outage = _Outage()

    # -- public ----------------------------------------------------------------

    @property
    def fatal(self) -> BaseException | None:
        """The error the session gave up with (None while it runs or retries)."""
        return self._fatal

    @property
    def connected(self) -> bool:
        return self.blade.state is State.READY

    @property
    def closed(self) -> bool:
        return self.blade.state is State.CLOSED

    @property
    def state(self) -> State:
        return self.blade.state

    @property
    def sessionid(self) -> str | None:
        return self.blade.sessionid

    @property
    def nodeid(self) -> str | None:
        return self.blade.nodeid

    @property
    def protocol(self) -> str | None:
        return self.blade.protocol

    @property
    def contexts(self) -> list[str]:
        return self.blade.contexts

    @property
    def restores(self) -> int:
        return self.blade.restores

    def table_sizes(self) -> dict[str, int]:
        """How many entries the session's tables hold (commands waiting, timers, event ids remembered)."""
        return {
            "pending": len(self.blade.pending),
            "deadlines": len(self._deadlines),
            "seen_events": self.blade.seen_events,
        }

    async def execute(
        self, method: str, params: dict[str, Any] | bytes, *, call_id: str | None = None, timeout: float | None = None,
        owner: Owner | None = None,
    ) -> p.CommandResult:
        """Run a Relay command; returns its CommandResult (never raises for a refusal).

        Raises CommandTimeout when no response comes within ``timeout``
        (default: the session's) after sending, or when no connection came
        within ``timeout`` to send it (``sent=False``); ConnectionClosed when
        the client is closed. For an ``owner`` (a call) that is gone by then
        (``owner._gone``: client closed, session lost) that is an unsuccessful
        result (code 503) saying why instead.
        """
        command: Command | None = None
        try:
            command = self.submit(method, params, call_id=call_id)
            # outcome()'s common case in this frame (a coroutine less per command in flight)
            entry = self.arm(command, timeout)
            if entry is not None:
                try:
                    await command.waiter
                finally:
                    self.disarm(entry)
            result = self.result(command)
            return result if result is not None else await self.outcome(command, timeout)
        except CLOSED_ERRORS:
            if owner is None or owner._gone is None:
                raise
            return p.CommandResult("503", owner._gone)
        finally:
            if command is not None:
                self.discard(command)

    def submit(
        self, method: str, params: dict[str, Any] | bytes, *, call_id: str | None = None,
        waiter: _wakeup.Wakeup | None = None,
    ) -> Command:
        """Register a command (sent now if the session is up); ``outcome()`` waits for it.

        Unlike ``execute()``, the command outlives a cancelled wait: a caller
        cancelled while the command is in flight can wait for its answer again
        (to undo what it started), then must ``discard()`` it. ``params``: a
        dict, or packed (``protocol.pack``) when the command is one of
        thousands in flight (kept so for a re-send). ``waiter``: the
        wake-up its answer wakes (default a new one), when the caller's wait
        is for more than the answer (a waiting method: the component's end too).
        """
        blade = self.blade
        if blade.state is State.CLOSED:
            raise self._fatal or ConnectionClosed("the client is closed")
        if len(blade.pending) >= self.max_pending:
            raise RelayError(f"too many commands waiting ({self.max_pending}); raise max_pending or slow down")
        command = Command(method, params, call_id, waiter=waiter or self.new_wakeup())
        blade.submit(command)
        if command.gen is None:
            command.queued_at = anyio.current_time()
        else:
            self._flush()
        return command

    def discard(self, command: Command) -> None:
        """Forget a submitted command: never sent if it was not yet; its answer is dropped."""
        self.blade.pending.discard(command)

    def result(self, command: Command) -> p.CommandResult | None:
        """A settled command's result (None: not settled); raises what ended it (client closed ...)."""
        if command.error is not None:
            raise command.error
        if command.response is not None:
            return p.parse_execute_result(command.response)
        if command.failure is not None:
            return p.CommandResult("503", command.failure)
        return None

    def arm(self, command: Command, timeout: float | None = None) -> Entry | None:
        """The common case of waiting for ``command``: it is unanswered on the
        live connection. Then its deadline is set: await ``command.waiter``,
        ``disarm()`` the entry returned, and read ``result()`` (None: call
        ``outcome()``, which handles what woke it). None when not the common case."""
        blade = self.blade
        if command.settled or blade.state is not State.READY or command.gen != blade.gen:
            return None
        command.expired = False
        if command.waiter.done():  # its last wait was cancelled (or woken)
            command.waiter = self.new_wakeup()
        return self._deadlines.call_at(command.sent_at + (self.timeout if timeout is None else timeout), command)

    def disarm(self, entry: Entry) -> None:
        self._deadlines.cancel(entry)

    async def outcome(self, command: Command, timeout: float | None = None) -> p.CommandResult:
        """Wait for a submitted command's result (see ``execute``); may be awaited again after a cancel."""
        limit = self.timeout if timeout is None else timeout
        blade = self.blade
        while True:
            result = self.result(command)
            if result is not None:
                return result
            if blade.state is not State.READY:
                if command.gen is None:
                    await self._wait_to_send(command, limit)
                else:
                    await self._ready.wait()  # sent before the loss: re-sent if restored, failed if not
                continue
            if command.gen != blade.gen:  # not on this connection (its re-send was missed): send it now
                blade.submit(command)
                self._flush()
                continue
            deadline = self.arm(command, timeout)
            assert deadline is not None
            try:
                await command.waiter
            finally:
                self.disarm(deadline)
            if command.settled:
                continue
            command.waiter = self.new_wakeup()  # woken by a lost connection or the deadline: wait again
            if command.expired:
                if self._last_rx < command.sent_at and not command.silent_retry and self.connected:
                    # Nothing at all came back since we sent it: a slow server
                    # or a half-open link? A ping tells. Half-open: reconnect
                    # and re-send (once) instead of losing the command.
                    command.silent_retry = True
                    alive = await self._link_alive()
                    if command.waiter.done():
                        continue
                    if not alive:
                        log.warning("no frame received for %.1f s after %s: reconnecting", limit, command.method)
                        self._mark_lost()
                        continue
                raise CommandTimeout(command.method, limit)

    async def _wait_to_send(self, command: Command, limit: float) -> None:
        """A command never sent waits at most ``limit`` (from its submission) for a connection."""
        with anyio.CancelScope(deadline=command.queued_at + limit):
            await self._ready.wait()
            return
        if command.gen is None:
            self.blade.pending.raise_in(command, CommandTimeout(command.method, limit, sent=False))

    async def receive_contexts(self, contexts: Sequence[str]) -> p.CommandResult:
        """``signalwire.receive`` for more contexts (remembered for fresh sessions)."""
        result = await self.execute("signalwire.receive", {"contexts": list(contexts)})
        if result.successful:
            self.blade.contexts.extend(c for c in contexts if c not in self.blade.contexts)
        return result

    def close(self) -> None:
        """Stop: every waiting command raises ConnectionClosed."""
        if self.closed:
            return
        self.blade.close(ConnectionClosed("the client was closed"))
        if self._conn_lost is not None:
            self._conn_lost.set()

    # -- the protocol's news -----------------------------------------------------------

    def _on_state(self, state: State) -> None:
        """BladeClient reports a change of state or a handshake step (see its doc)."""
        self._progress.set()
        if state is State.READY:
            self._outage.over(self.url, self.backoff.attempt)
            self.backoff.reset()
            self._ready.set()
            return
        if state is State.CLOSED:
            self._ready.set()  # let waiters see the error
            return
        if state is State.DISCONNECTED or state is State.DISCONNECTING:
            if self._ready.is_set():
                self._ready = anyio.Event()
            for command in self.blade.pending:
                if command.gen is not None:
                    _wakeup.wake(command.waiter)  # sent: its waiter waits for the session to come back
            if state is State.DISCONNECTING and self._conn_tg is not None and self._conn_lost is not None:
                self._conn_tg.start_soon(self._close_if_left_open, self._conn_lost)

    # -- connection loop ---------------------------------------------------------

    async def run(self, *, task_status: TaskStatus[None] = anyio.TASK_STATUS_IGNORED) -> None:
        """Connect, then keep the session up until cancelled or closed."""
        self.new_wakeup = _wakeup.factory()
        self.blade.clock = native_clock()
        with plain_errors():
            async with anyio.create_task_group() as tg:
                tg.start_soon(self._deadlines.run)  # command timeouts, also while disconnected
                await self._connect_loop(task_status)
                tg.cancel_scope.cancel()

    async def _connect_loop(self, task_status: TaskStatus[None]) -> None:
        auth_failures = 0
        started = False
        def on_ready() -> None:
            nonlocal started, auth_failures
            auth_failures = 0
            if not started:
                started = True
                task_status.started()

        first_tries = 0
        while not self.closed:
            opened_before = self.connections
            try:
                await self._connect_once(on_ready)
            except Exception as exc:  # noqa: BLE001 - sorted below, re-raised if unknown
                error = first_error(exc)
                if isinstance(error, AuthenticationError):
                    auth_failures += 1
                    if not started or auth_failures >= self.max_auth_failures:
                        self._give_up(error)
                        raise error from None
                    log.warning("authentication refused on reconnect (%d/%d)", auth_failures, self.max_auth_failures)
                elif _is_connection_error(error):
                    # A first socket that opened and then died during the
                    # handshake is worth a few more tries; an unreachable or
                    # refusing server is reported at once.
                    first_tries += 1
                    if not started and (self.connections == opened_before or first_tries >= FIRST_CONNECT_TRIES):
                        self._give_up(ConnectionClosed(f"cannot connect to {self.url}: {_describe(error)}"))
                        raise self._fatal from error  # type: ignore[misc]
                    self._outage.failed(self.url, _describe(error), self.timeout)
                else:
                    raise
            finally:
                self._connection_lost()
            if self.closed:
                break
            delay = self.backoff.next_delay()
            log.debug("reconnecting to %s in %.2f s (attempt %d)", self.url, delay, self.backoff.attempt)
            await anyio.sleep(delay)

    async def _connect_once(self, on_ready: Callable[[], None]) -> None:
        async with httpx.AsyncClient(verify=tls(self.verify), timeout=self.timeout) as http:
            connection: AbstractAsyncContextManager[RelaySocket] = aconnect_ws(
                http_url(self.url),
                http,
                keepalive_ping_interval_seconds=None,  # we ping at the Blade level
                session_class=RelaySocket,  # type: ignore[type-var]
            )
            async with connection as ws:
                ws.max_frame_size = self.max_frame_size
                self.connections += 1
                writer = self._writer = FrameWriter(ws)
                conn_lost = self._conn_lost = anyio.Event()
                self._last_rx = anyio.current_time()
                async with anyio.create_task_group() as tg:
                    self._conn_tg = tg
                    tg.start_soon(self._write_until_lost, writer, conn_lost)
                    tg.start_soon(self._reader, ws, conn_lost)
                    if not await self._handshake(conn_lost):
                        tg.cancel_scope.cancel()  # the client closed meanwhile
                        return
                    on_ready()
                    if self.keepalive:
                        tg.start_soon(self._keepalive, conn_lost)
                    await conn_lost.wait()
                    tg.cancel_scope.cancel()

    async def _handshake(self, conn_lost: anyio.Event) -> bool:
        """Drive the BladeClient's handshake, each step answered within ``timeout``:
        True once READY, False if the client closed meanwhile (nothing to raise then)."""
        blade = self.blade
        if self.closed:
            return False
        self._progress = anyio.Event()
        blade.connection_opened()
        self._flush()
        while not self.connected:
            if self.closed:  # (state changes in callbacks while this waits)
                return False
            if blade.failure is not None:
                raise blade.failure
            step = blade.awaiting or "the handshake"
            if conn_lost.is_set() or blade.state is State.DISCONNECTED:
                raise SocketClosed(f"connection lost while waiting for {step}")
            with anyio.move_on_after(self.timeout):
                await self._progress.wait()
            if not self._progress.is_set():
                raise CommandTimeout(step, self.timeout)
            self._progress = anyio.Event()
        return True

    def _flush(self) -> None:
        """Send what the BladeClient queued."""
        for frame in self.blade.frames_to_send():
            self._send_text(frame)

    def _send_text(self, frame: str) -> None:
        """Queue a frame on the current connection's writer (in order, never blocks)."""
        if frames_log.isEnabledFor(logging.DEBUG):
            frames_log.debug("-> %s", self.blade.scrub(frame))
        if self._writer is None:
            raise anyio.BrokenResourceError("no connection")
        self._writer.send(frame)

    async def _write_until_lost(self, writer: FrameWriter, conn_lost: anyio.Event) -> None:
        with self._ends_connection("writer", conn_lost):
            await writer.run()

    @contextmanager
    def _ends_connection(self, what: str, conn_lost: anyio.Event) -> Iterator[None]:
        """The reader and the writer: however either stops, the connection is over."""
        try:
            yield
        except Exception as exc:  # noqa: BLE001 - every way a socket dies ends this connection
            log.debug("%s stopped: %r", what, exc)
        finally:
            if self._conn_lost is conn_lost:
                self._mark_lost()
            conn_lost.set()

    def _mark_lost(self) -> None:
        """This connection is gone: stop sending on it right away."""
        self.blade.connection_lost()
        if self._conn_lost is not None:
            self._conn_lost.set()

    def _connection_lost(self) -> None:
        self._writer = None
        self._conn_tg = None
        self.blade.connection_lost()

    def _give_up(self, error: BaseException) -> None:
        self._fatal = error
        # Whatever waits on the calls learns it at once; commands raise ``error``.
        self.blade.on_session_lost("session lost")
        self.blade.close(error)

    # -- reading -------------------------------------------------------------------

    async def _reader(self, ws: RelaySocket, conn_lost: anyio.Event) -> None:
        with self._ends_connection("reader", conn_lost):
            receive = self.blade.receive
            while True:
                texts = await ws.receive_frames()
                self._last_rx = anyio.current_time()
                dropped = ws.take_oversized()
                if dropped:
                    log.warning("dropped %d frame(s) larger than max_frame_size=%d", dropped, self.max_frame_size)
                if ws.binary_dropped:
                    log.warning("dropped %d binary frame(s): Relay speaks text", ws.binary_dropped)
                    ws.binary_dropped = 0
                for text in texts:
                    reply = receive(text)
                    if reply is not None:
                        self._send_text(reply)
                self._flush()

    async def _ping(self) -> None:
        """One ``blade.ping``: returns when answered; CommandTimeout after ``timeout``, SocketClosed if the link goes."""
        command = self.blade.ping(time.time())
        waiter = command.waiter = self.new_wakeup()
        try:
            self._flush()
            with anyio.move_on_after(self.timeout):
                await waiter
            if command.response is None:
                if command.settled:
                    raise SocketClosed("connection lost while waiting for blade.ping")
                raise CommandTimeout(p.PING, self.timeout)
        finally:
            self.blade.pending.discard(command)

    async def _link_alive(self) -> bool:
        """Whether the server answers a ping (or sends anything) within ``timeout``."""
        asked = anyio.current_time()
        try:
            await self._ping()
        except (CommandTimeout, SocketClosed, anyio.BrokenResourceError, RuntimeError):
            return self._last_rx > asked
        return True

    async def _close_if_left_open(self, conn_lost: anyio.Event) -> None:
        """After blade.disconnect the server should close the socket; if it
        does not within half of ``timeout``, close it ourselves and reconnect
        (the other half leaves commands queued meanwhile time to go out:
        they wait at most ``timeout`` for a connection)."""
        with anyio.move_on_after(self.timeout / 2):
            await conn_lost.wait()
        if not conn_lost.is_set():
            log.warning("server announced a disconnect but kept the socket open: reconnecting")
            conn_lost.set()

    async def _keepalive(self, conn_lost: anyio.Event) -> None:
        """Ping every ``keepalive`` s; a socket that stays silent through a
        whole ping timeout is half-open: drop it and reconnect. Any frame
        received meanwhile proves it alive, so a backlog never causes a
        false reconnect."""
        while not conn_lost.is_set():
            await anyio.sleep(self.keepalive)
            asked = anyio.current_time()
            try:
                await self._ping()
            except CommandTimeout:
                if self._last_rx > asked:
                    continue
                log.warning("no answer to blade.ping within %.1f s: reconnecting", self.timeout)
                conn_lost.set()
                return
            except Exception as exc:  # noqa: BLE001 - a failed ping send means the socket died
                log.debug("ping failed: %r", exc)
                conn_lost.set()
                return


class _Outage:
    """Reconnect logging: one warning when an outage starts, one when it ends."""

    __slots__ = ("since",)

    def __init__(self) -> None:
        self.since: float | None = None

    def failed(self, url: str, why: str, timeout: float) -> None:
        if self.since is None:
            self.since = time.monotonic()
            log.warning(
                "cannot reach %s (%s): reconnecting with backoff; commands issued meanwhile wait up to %g s",
                url, why, timeout,
            )
        else:
            log.debug("reconnect to %s failed: %s", url, why)

    def over(self, url: str, attempts: int) -> None:
        if self.since is not None:
            log.warning(
                "reconnected to %s after %d attempt(s) over %.1f s", url, attempts, time.monotonic() - self.since
            )
            self.since = None


def _describe(error: BaseException) -> str:
    """The error with its root cause (trio's httpx errors hide the SSL reason in it)."""
    text = repr(error)
    seen = {id(error)}
    cause = error.__cause__ or error.__context__
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if str(cause) and repr(cause) not in text:
            text += f" (caused by {cause!r})"
        cause = cause.__cause__ or cause.__context__
    return text


def _is_connection_error(exc: BaseException) -> bool:
    return isinstance(
        exc,
        (
            httpx.HTTPError,
            HTTPXWSException,
            SocketClosed,
            OSError,
            ssl.SSLError,
            CommandTimeout,
            RemoteProtocolError,
            anyio.BrokenResourceError,
            anyio.ClosedResourceError,
            anyio.EndOfStream,
        ),
    )
