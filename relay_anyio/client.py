"""``Client``: an async context manager that owns a Relay session and its tasks."""

from __future__ import annotations

import inspect
import logging
import ssl
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any

import anyio
from anyio.abc import TaskGroup

from ._groups import plain_errors
from ._tasks import TaskPool
from ._urls import resolve_url
from ._version import __version__
from .calling import Calling
from .commands import text
from .errors import ConnectionClosed
from .messaging import Messaging
from .protocol import RelayEvent
from .session import Session
from .tasking import Tasking
from .wire import MESSAGING_RECEIVE, MESSAGING_STATE, TASKS_EVENTS

__all__ = ["Client"]

log = logging.getLogger("relay_anyio.client")


class Client:
    """A connection to Relay. Use it as ``async with Client(...) as client:``.

    ``client.calling`` (calls), ``client.messaging`` (SMS/MMS) and
    ``client.tasking`` (tasks) share its one session.

    ``host``: ``"name[:port]"`` (``wss://``), or a full ``wss://`` /
    ``ws://127.0.0.1:port`` URL (plain ``ws://`` only to loopback unless
    ``allow_insecure=True``). ``timeout``: seconds to wait for each
    command's response (CommandTimeout after). ``keepalive``: seconds between
    pings; a socket silent for a whole ping timeout is replaced.
    ``reconnect_base``/``reconnect_cap``: exponential backoff bounds.
    ``verify``: TLS verification (True, a CA bundle path or an SSLContext).
    ``max_frame_size``: larger inbound frames are dropped and logged.
    ``max_pending``: cap on commands waiting at once.

    The reader, keep-alive, reconnect and inbound-call tasks live in the
    client's own task group; leaving the block cancels and joins them.
    """

    def __init__(
        self,
        project: str,
        token: str,
        host: str = "relay.signalwire.com",
        *,
        timeout: float = 10.0,
        keepalive: float = 10.0,
        reconnect_base: float = 0.5,
        reconnect_cap: float = 30.0,
        max_auth_failures: int = 3,
        verify: ssl.SSLContext | str | bool = True,
        allow_insecure: bool = False,
        max_frame_size: int = 4 * 1024 * 1024,
        max_pending: int = 100_000,
        agent: str | None = None,
    ) -> None:
        text("project", project)
        text("token", token)
        self.project = project
        self.host = host
        self.url = resolve_url(host, allow_insecure=allow_insecure)
        self.calling = Calling(self)
        self.messaging = Messaging(self)
        self.tasking = Tasking(self)
        # Events by type to the API they belong to; the rest are calling's.
        self._routes: dict[str, Callable[[RelayEvent], None]] = {
            MESSAGING_RECEIVE: self.messaging._dispatch,
            MESSAGING_STATE: self.messaging._dispatch,
            TASKS_EVENTS: self.tasking._dispatch,
        }
        self._session = Session(
            url=self.url,
            project=project,
            token=token,
            agent=agent or f"relay-anyio/{__version__}",
            on_event=self._on_event,
            on_session_lost=self._session_lost,
            timeout=timeout,
            keepalive=keepalive,
            reconnect_base=reconnect_base,
            reconnect_cap=reconnect_cap,
            max_auth_failures=max_auth_failures,
            verify=verify,
            max_frame_size=max_frame_size,
            max_pending=max_pending,
        )
        self._tg: TaskGroup | None = None
        self._tasks = TaskPool()  # the light tasks of call handlers and async callbacks
        self._entered = False

    def __repr__(self) -> str:
        state = "connected" if self._tg is not None and self._session.connected else "not connected"
        return f"<Client {self.url} project={self.project} {state}>"

    @property
    def session(self) -> Session:
        """The underlying session (sessionid, protocol, connection counters)."""
        return self._session

    @property
    def connected(self) -> bool:
        return self._tg is not None and self._session.connected

    async def __aenter__(self) -> Client:
        if self._entered:
            raise RuntimeError("a Client can be entered once; make a new one")
        self._entered = True
        tg = anyio.create_task_group()
        await tg.__aenter__()
        try:
            await tg.start(self._session.run)
            await self._tasks.__aenter__()
        except BaseException as exc:
            tg.cancel_scope.cancel()
            with plain_errors():
                await tg.__aexit__(type(exc), exc, exc.__traceback__)
            raise
        self._tg = tg
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> bool | None:
        tg, self._tg = self._tg, None
        # Every wait on our calls ends now, unsuccessful, before anything is torn down.
        self.calling._close("client closed")
        self.messaging._close("client closed")
        self._session.close()
        if tg is None:
            return None
        await self._tasks.__aexit__(None, None, None)  # handlers and callbacks: cancelled, awaited
        tg.cancel_scope.cancel()
        with plain_errors():
            return await tg.__aexit__(exc_type, exc, tb)

    def _session_lost(self, reason: str) -> None:
        self.calling._session_lost(reason)
        self.messaging._session_lost(reason)

    def _on_event(self, event: RelayEvent) -> None:
        self._routes.get(event.event_type, self.calling._dispatch)(event)

    def _require_session(self) -> Session:
        if self._tg is None:
            if self._entered:
                raise ConnectionClosed("the client is closed")
            raise ConnectionClosed(
                "the client is not connected: use `async with Client(project, token, host) as client:`"
            )
        return self._session

    def _start(self, what: object, awaitable: Awaitable[Any]) -> None:
        """Run ``awaitable`` (a handler's, a callback's) in a light task; ``what`` names it in the log."""
        if self._tg is None:
            log.warning("client closed: %s not started", what)
            if inspect.iscoroutine(awaitable):
                awaitable.close()  # nothing will await it
            return
        self._tasks.start(what, awaitable)

