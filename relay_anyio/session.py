"""The Relay session: one WebSocket (httpx-ws upgrade, wsproto frames), kept alive and restored.

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

import ipaddress
import logging
import os
import re
import ssl
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager, contextmanager
from typing import Any
from urllib.parse import urlsplit

import anyio
import httpx
from anyio.abc import TaskGroup, TaskStatus
from httpx_ws import HTTPXWSException, aconnect_ws

from . import protocol as p
from ._groups import first_error, plain_errors
from ._deadlines import Deadlines
from ._socket import RelaySocket, SocketClosed
from ._writer import FrameWriter
from .backoff import Backoff
from .errors import (
    AuthenticationError,
    CommandTimeout,
    ConnectionClosed,
    InvalidArgument,
    RelayError,
    RemoteProtocolError,
)

__all__ = ["Session", "resolve_url"]

log = logging.getLogger("relay_anyio.session")
frames_log = logging.getLogger("relay_anyio.frames")

# JSON members whose values are secrets, whatever the value is.
_SECRET_FIELDS = re.compile(r'("(?:token|signature|password|secret)"\s*:\s*)"(?:[^"\\]|\\.)*"')
# Tries for a first connection whose socket opened but whose handshake failed.
FIRST_CONNECT_TRIES = 3
# Broadcast ids remembered to drop re-deliveries after a restore.
SEEN_EVENTS = 4096


def resolve_url(host: str, *, allow_insecure: bool = False) -> str:
    """``name[:port]`` means ``wss://``; ``ws://`` and ``wss://`` URLs are taken as given.

    Plain ``ws://`` is refused for a non-loopback host unless
    ``allow_insecure`` is set: credentials would travel in clear text.
    """
    if not isinstance(host, str) or not host.strip():
        raise InvalidArgument("host", host, "'name[:port]', 'wss://...' or 'ws://127.0.0.1:port'")
    host = host.strip()
    if "://" not in host:
        return f"wss://{host}"
    parts = urlsplit(host)
    if parts.scheme not in ("ws", "wss"):
        raise InvalidArgument("host", host, "a ws:// or wss:// URL, or 'name[:port]'")
    hostname = parts.hostname or ""
    is_loopback = _is_loopback(hostname)
    if parts.scheme == "ws" and not is_loopback and not allow_insecure:
        raise InvalidArgument(
            "host", host, "wss:// for a non-loopback host (pass allow_insecure=True to use ws:// anyway)"
        )
    return host


def _is_loopback(hostname: str) -> bool:
    """Only ``localhost`` or a literal loopback address (127.0.0.0/8, ::1) count:
    a name such as ``127.0.0.1.example.com`` resolves anywhere."""
    if hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(hostname.strip("[]")).is_loopback
    except ValueError:
        return False


class _Pending:
    """One request waiting for its response."""

    __slots__ = (
        "id", "method", "params", "call_id", "blade", "sent_gen", "sent_at", "queued_at", "silent_retry",
        "response", "failure", "error", "wake", "expired",
    )

    def __init__(self, method: str, params: dict[str, Any], call_id: str | None, blade: bool = False) -> None:
        self.id = p.new_id()
        self.method = method
        self.params = params
        self.call_id = call_id
        self.blade = blade  # a blade-level request tied to one connection
        self.sent_gen: int | None = None
        self.sent_at = 0.0
        self.queued_at = 0.0  # when it was submitted, if no connection was up then
        self.silent_retry = False
        self.response: p.Response | p.ErrorResponse | None = None
        self.failure: str | None = None
        self.error: BaseException | None = None
        self.wake = anyio.Event()
        self.expired = False

    @property
    def sent(self) -> bool:
        """Whether it went out on some connection (the service may have run it)."""
        return self.sent_gen is not None

    def expire(self) -> None:
        """Its deadline passed (called by Deadlines)."""
        self.expired = True
        self.wake.set()


class Session:
    """A Relay session. Owned by a Client; see the module doc."""

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
        self._token = token
        self.agent = agent
        self.timeout = timeout
        self.keepalive = keepalive
        self.backoff = Backoff(base=reconnect_base, cap=reconnect_cap)
        self.max_auth_failures = max_auth_failures
        self.verify = verify
        self.max_frame_size = max_frame_size
        self.max_pending = max_pending
        self._on_event = on_event
        self._on_session_lost = on_session_lost
        self.sessionid: str | None = None
        self.nodeid: str | None = None
        self.protocol: str | None = None
        self.contexts: list[str] = []
        self.connections = 0  # how many sockets were opened (1 = never reconnected)
        self.restores = 0
        self._secrets = [token]
        self._pending: dict[str, _Pending] = {}
        self._deadlines = Deadlines()  # command timeouts, one timer for all
        self._ready = anyio.Event()
        self._gen = 0
        self._writer: FrameWriter | None = None
        self._conn_tg: TaskGroup | None = None
        self._setup_for: str | None = None  # the sessionid whose setup/subscription/receive completed
        self._lost_due = False  # a fresh session replaced ours and the old calls are not ended yet
        self._conn_lost: anyio.Event | None = None
        self._closed = False
        self._fatal: BaseException | None = None
        self._seen_events: OrderedDict[str, None] = OrderedDict()
        self._last_rx = 0.0

    # -- public ----------------------------------------------------------------

    @property
    def fatal(self) -> BaseException | None:
        """The error the session gave up with (None while it runs or retries)."""
        return self._fatal

    @property
    def connected(self) -> bool:
        return self._ready.is_set() and not self._closed

    def table_sizes(self) -> dict[str, int]:
        """How many entries the session's tables hold (commands waiting, timers, event ids remembered)."""
        return {
            "pending": len(self._pending),
            "deadlines": len(self._deadlines),
            "seen_events": len(self._seen_events),
        }

    async def execute(
        self, method: str, params: dict[str, Any], *, call_id: str | None = None, timeout: float | None = None
    ) -> p.CommandResult:
        """Run a Relay command; returns its CommandResult (never raises for a refusal).

        Raises CommandTimeout when no response comes within ``timeout``
        (default: the session's) after sending, ConnectionClosed when the
        client is closed.
        """
        command = self.submit(method, params, call_id=call_id)
        try:
            return await self.outcome(command, timeout)
        finally:
            self.discard(command)

    def submit(self, method: str, params: dict[str, Any], *, call_id: str | None = None) -> _Pending:
        """Register a command (sent now if the session is up); ``outcome()`` waits for it.

        Unlike ``execute()``, the command outlives a cancelled wait: a caller
        cancelled while the command is in flight can wait for its answer again
        (to undo what it started), then must ``discard()`` it.
        """
        if self._closed:
            raise self._fatal or ConnectionClosed("the client is closed")
        if len(self._pending) >= self.max_pending:
            raise RelayError(f"too many commands waiting ({self.max_pending}); raise max_pending or slow down")
        pending = _Pending(method, params, call_id)
        self._pending[pending.id] = pending
        if self._ready.is_set():
            self._send_pending(pending)
        else:
            pending.queued_at = anyio.current_time()
        return pending

    def discard(self, pending: _Pending) -> None:
        """Forget a submitted command: never sent if it was not yet; its answer is dropped."""
        self._pending.pop(pending.id, None)

    async def outcome(self, pending: _Pending, timeout: float | None = None) -> p.CommandResult:
        """Wait for a submitted command's result (see ``execute``); may be awaited again after a cancel."""
        limit = self.timeout if timeout is None else timeout
        method = pending.method
        while True:
            if pending.error is not None:
                raise pending.error
            if pending.response is not None:
                return p.parse_execute_result(pending.response)
            if pending.failure is not None:
                return p.CommandResult("503", pending.failure)
            if not self._ready.is_set():
                if pending.sent_gen is None:
                    await self._wait_to_send(pending, limit)
                else:
                    await self._ready.wait()  # sent before the loss: re-sent if restored
                continue
            if pending.sent_gen != self._gen:
                if pending.sent_gen is not None:
                    log.info("re-sending %s (id %s) into the restored session", method, pending.id)
                self._send_pending(pending)
                continue
            pending.expired = False
            deadline = self._deadlines.call_at(pending.sent_at + limit, pending.expire)
            try:
                await pending.wake.wait()
            finally:
                self._deadlines.cancel(deadline)
            if pending.response is not None or pending.failure is not None or pending.error is not None:
                continue
            pending.wake = anyio.Event()  # woken by a lost connection or the deadline: wait again
            if pending.expired:
                if self._last_rx < pending.sent_at and not pending.silent_retry and self._ready.is_set():
                    # Nothing at all came back since we sent it: a slow server
                    # or a half-open link? A ping tells. Half-open: reconnect
                    # and re-send (once) instead of losing the command.
                    pending.silent_retry = True
                    alive = await self._link_alive()
                    if pending.wake.is_set():
                        continue
                    if not alive:
                        log.warning("no frame received for %.1f s after %s: reconnecting", limit, method)
                        self._mark_lost()
                        continue
                raise CommandTimeout(method, limit)

    async def _wait_to_send(self, pending: _Pending, limit: float) -> None:
        """A command never sent waits at most ``limit`` (from its submission) for a connection."""
        with anyio.CancelScope(deadline=pending.queued_at + limit):
            await self._ready.wait()
            return
        if pending.error is None and pending.sent_gen is None:
            pending.error = CommandTimeout(pending.method, limit, sent=False)

    async def receive_contexts(self, contexts: Sequence[str]) -> p.CommandResult:
        """``signalwire.receive`` for more contexts (remembered for fresh sessions)."""
        result = await self.execute("signalwire.receive", {"contexts": list(contexts)})
        if result.successful:
            self.contexts.extend(c for c in contexts if c not in self.contexts)
        return result

    def close(self) -> None:
        """Stop: every waiting command raises ConnectionClosed."""
        if self._closed:
            return
        self._closed = True
        self._fail_all(ConnectionClosed("the client was closed"))
        if self._conn_lost is not None:
            self._conn_lost.set()

    # -- connection loop ---------------------------------------------------------

    async def run(self, *, task_status: TaskStatus[None] = anyio.TASK_STATUS_IGNORED) -> None:
        """Connect, then keep the session up until cancelled or closed."""
        with plain_errors():
            async with anyio.create_task_group() as tg:
                tg.start_soon(self._deadlines.run)  # command timeouts, also while disconnected
                await self._connect_loop(task_status)
                tg.cancel_scope.cancel()

    async def _connect_loop(self, task_status: TaskStatus[None]) -> None:
        auth_failures = 0
        started = False
        outage = _Outage()

        def on_ready() -> None:
            nonlocal started, auth_failures
            outage.over(self.url, self.backoff.attempt)
            self.backoff.reset()
            auth_failures = 0
            if not started:
                started = True
                task_status.started()

        first_tries = 0
        while not self._closed:
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
                    outage.failed(self.url, _describe(error), self.timeout)
                else:
                    raise
            finally:
                self._connection_lost()
            if self._closed:
                break
            delay = self.backoff.next_delay()
            log.debug("reconnecting to %s in %.2f s (attempt %d)", self.url, delay, self.backoff.attempt)
            await anyio.sleep(delay)

    async def _connect_once(self, on_ready: Callable[[], None]) -> None:
        async with httpx.AsyncClient(verify=_tls(self.verify), timeout=self.timeout) as http:
            connection: AbstractAsyncContextManager[RelaySocket] = aconnect_ws(
                _http_url(self.url),
                http,
                keepalive_ping_interval_seconds=None,  # we ping at the Blade level
                session_class=RelaySocket,  # type: ignore[type-var]
            )
            async with connection as ws:
                ws.max_frame_size = self.max_frame_size
                self.connections += 1
                self._gen += 1
                writer = self._writer = FrameWriter(ws)
                conn_lost = self._conn_lost = anyio.Event()
                self._last_rx = anyio.current_time()
                async with anyio.create_task_group() as tg:
                    self._conn_tg = tg
                    tg.start_soon(self._write_until_lost, writer, conn_lost)
                    tg.start_soon(self._reader, ws, conn_lost)
                    await self._handshake()
                    self._ready.set()
                    on_ready()
                    if self.keepalive:
                        tg.start_soon(self._keepalive, conn_lost)
                    await conn_lost.wait()
                    tg.cancel_scope.cancel()

    async def _handshake(self) -> None:
        asked = self.sessionid
        response = await self._blade(p.CONNECT, p.connect_params(self.project, self._token, self.agent, asked))
        if isinstance(response, p.ErrorResponse):
            raise AuthenticationError(f"blade.connect refused: {response.message}", response.code)
        result = p.parse_connect_result(response.result)
        if result.signature:
            self._secrets.append(result.signature)
        self.nodeid = result.nodeid
        restored = bool(asked) and result.session_restored and result.sessionid == asked
        self.sessionid = result.sessionid
        if restored and self._setup_for == self.sessionid:
            self.restores += 1
            log.info("session %s restored", self.sessionid)
            return
        if restored:
            log.info("session %s restored before its set-up finished: finishing it", self.sessionid)
        elif self.protocol is not None:
            self._lost_due = True
        setup = await self._blade(p.EXECUTE, p.execute_params("signalwire", "setup", {}))
        proto = p.parse_execute_result(setup).data.get("protocol") if isinstance(setup, p.Response) else None
        if not isinstance(proto, str):
            raise RemoteProtocolError("signalwire.setup answered no protocol")
        self.protocol = proto
        await self._blade(p.SUBSCRIPTION, p.subscription_params(proto))
        if self.contexts:
            answer = await self._blade(p.EXECUTE, p.execute_params(proto, "signalwire.receive", {"contexts": self.contexts})
            )
            if not p.parse_execute_result(answer).successful:
                log.error("receive %s refused after reconnect", self.contexts)
        self._setup_for = self.sessionid
        if self._lost_due:
            self._lost_due = False
            log.warning("session could not be restored: calls of the old session are gone")
            for pending in tuple(self._pending.values()):
                # Sent before (outcome unknown) or aimed at a call that is gone.
                if not pending.blade and (pending.sent_gen is not None or pending.call_id is not None):
                    pending.failure = "session lost"
                    pending.wake.set()
            self._on_session_lost("session lost")

    async def _blade(self, method: str, params: dict[str, Any]) -> p.Response | p.ErrorResponse:
        """A request tied to this connection (handshake, ping): no re-send."""
        pending = _Pending(method, params, None, blade=True)
        self._pending[pending.id] = pending
        try:
            self._send_text(p.encode(p.Request(pending.id, method, params)))
            with anyio.move_on_after(self.timeout):
                await pending.wake.wait()
            if pending.response is None:
                if pending.wake.is_set():
                    raise SocketClosed(f"connection lost while waiting for {method}")
                raise CommandTimeout(method, self.timeout)
            return pending.response
        finally:
            self._pending.pop(pending.id, None)

    def _send_pending(self, pending: _Pending) -> None:
        assert self.protocol is not None
        pending.sent_gen = self._gen
        pending.sent_at = anyio.current_time()
        self._send_text(
            p.encode(p.Request(pending.id, p.EXECUTE, p.execute_params(self.protocol, pending.method, pending.params)))
        )

    def _send_text(self, frame: str) -> None:
        """Queue a frame on the current connection's writer (in order, never blocks)."""
        if frames_log.isEnabledFor(logging.DEBUG):
            frames_log.debug("-> %s", self._scrub(frame))
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

    def _scrub(self, text: str) -> str:
        """The frame for a DEBUG log: token and signatures blanked out."""
        text = _SECRET_FIELDS.sub(r'\1"***"', text)
        for secret in self._secrets:
            if secret:
                text = text.replace(secret, "***")
        return text

    def _mark_lost(self) -> None:
        """This connection is gone: stop sending on it right away."""
        if self._ready.is_set() and not self._closed:
            self._ready = anyio.Event()
        if self._conn_lost is not None:
            self._conn_lost.set()
        for pending in tuple(self._pending.values()):
            if pending.blade:
                pending.wake.set()  # handshake steps and pings fail now, not after a timeout

    def _connection_lost(self) -> None:
        self._writer = None
        self._conn_tg = None
        if self._ready.is_set():
            self._ready = anyio.Event()
        for pending in tuple(self._pending.values()):
            if pending.blade:
                pending.wake.set()
            elif pending.sent_gen is not None:
                pending.wake.set()  # wakes execute(), which waits for the session to come back

    def _fail_all(self, error: BaseException) -> None:
        for pending in tuple(self._pending.values()):
            pending.error = error
            pending.wake.set()
        self._ready.set()  # let waiters see the error

    def _give_up(self, error: BaseException) -> None:
        self._fatal = error
        self._closed = True
        # Whatever waits on the calls learns it at once; commands raise ``error``.
        self._on_session_lost("session lost")
        self._fail_all(error)

    # -- reading -------------------------------------------------------------------

    async def _reader(self, ws: RelaySocket, conn_lost: anyio.Event) -> None:
        with self._ends_connection("reader", conn_lost):
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
                    reply = self._on_frame(text)
                    if reply is not None:
                        self._send_text(reply)

    def _on_frame(self, text: str | bytes) -> str | None:
        """Handle one inbound frame; returns the reply to send, if any."""
        if len(text) > self.max_frame_size:
            log.warning("dropped a frame of %d bytes (max_frame_size=%d)", len(text), self.max_frame_size)
            return None
        if frames_log.isEnabledFor(logging.DEBUG):
            frames_log.debug("<- %s", self._scrub(text if isinstance(text, str) else repr(text)))
        try:
            message = p.decode(text)
        except RemoteProtocolError as exc:
            log.warning("dropped an unreadable frame: %s", exc)
            return None
        if isinstance(message, p.Request):
            return self._on_request(message)
        pending = self._pending.get(message.id) if message.id is not None else None
        if pending is None:
            log.debug("response to unknown or expired request %s dropped", message.id)
            return None
        pending.response = message
        pending.wake.set()
        return None

    def _on_request(self, request: p.Request) -> str | None:
        if request.method == p.BROADCAST:
            ack = p.empty_result(request.id)
            if request.id in self._seen_events:
                log.debug("broadcast %s delivered twice: dropped", request.id)
                return ack
            self._seen_events[request.id] = None
            if len(self._seen_events) > SEEN_EVENTS:
                self._seen_events.popitem(last=False)
            try:
                event = p.parse_broadcast(request.params)
            except RemoteProtocolError as exc:
                log.warning("dropped a broadcast: %s", exc)
                return ack
            if event.protocol != self.protocol:
                log.debug("event for protocol %r (ours %r) ignored", event.protocol, self.protocol)
            else:
                try:
                    self._on_event(event)
                except Exception:
                    log.exception("handling event %s failed", event.event_type)
            return ack
        if request.method == p.PING:
            ts = request.params.get("timestamp")
            return p.encode(p.Response(request.id, {"timestamp": ts if ts is not None else time.time()}))
        if request.method == p.DISCONNECT:
            log.info("server asked us to disconnect: queuing commands until reconnected")
            if self._ready.is_set():
                self._ready = anyio.Event()
            if self._conn_tg is not None and self._conn_lost is not None:
                self._conn_tg.start_soon(self._close_if_left_open, self._conn_lost)
            return p.encode(p.Response(request.id, {}))
        log.warning("server request %r is unknown: answered with an error", request.method)
        return p.encode(p.ErrorResponse(request.id, p.METHOD_NOT_FOUND, f"unknown method {request.method!r}"))

    async def _link_alive(self) -> bool:
        """Whether the server answers a ping (or sends anything) within ``timeout``."""
        asked = anyio.current_time()
        try:
            await self._blade(p.PING, {"timestamp": time.time()})
        except (CommandTimeout, SocketClosed, anyio.BrokenResourceError):
            return self._last_rx > asked
        return True

    async def _close_if_left_open(self, conn_lost: anyio.Event) -> None:
        """After blade.disconnect the server should close the socket; if it
        does not within ``timeout``, close it ourselves and reconnect."""
        with anyio.move_on_after(self.timeout):
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
                await self._blade(p.PING, {"timestamp": time.time()})
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


def _http_url(url: str) -> str:
    # httpx speaks http(s); the upgrade makes it a WebSocket.
    if url.startswith("ws://"):
        return "http://" + url[5:]
    if url.startswith("wss://"):
        return "https://" + url[6:]
    return url


def _tls(verify: ssl.SSLContext | str | bool) -> ssl.SSLContext | bool:
    """``verify`` for httpx: a CA bundle file or directory becomes an SSLContext."""
    if isinstance(verify, str):
        if os.path.isdir(verify):
            return ssl.create_default_context(capath=verify)
        return ssl.create_default_context(cafile=verify)
    return verify


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
