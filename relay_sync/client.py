"""The blocking ``Client``: a relay_anyio Client running in a portal thread of its own."""

from __future__ import annotations

import functools
import inspect
from typing import Self, TypeVar, Unpack

import relay_anyio
from relay_anyio import ConnectionClosed, InvalidArgument, InvalidArgumentType

from ._generated import ClientOptions
from ._portal import Core, Opened
from .calling import Calling
from .messaging import Messaging
from .tasking import Tasking

__all__ = ["Client"]

T = TypeVar("T")

BACKENDS = ("asyncio", "trio")
DEFAULT_MAX_WORKERS = 64


class Client(Opened):
    """A connection to Relay for blocking code: ``with Client(project, token, host) as client:``.

    ``backend``: ``"asyncio"`` (default) or ``"trio"``, the event loop the
    core runs on in its portal thread. ``max_workers``: threads that run
    callbacks (``receive`` handlers, ``call.on`` callbacks; default 64);
    when all are busy, further callbacks wait in a queue, none is dropped.
    Every other keyword goes to relay_anyio.Client (``timeout``,
    ``keepalive``, ``verify``, ``allow_insecure`` ...; ``ClientOptions``
    lists them, so a type checker flags a misspelt one).

    Entering the block (or ``open()``) starts the portal thread and
    connects; leaving it (or ``close()``) closes the session, ends calls
    still blocked in other threads with ConnectionClosed, and joins every
    thread it started, also after an exception or Ctrl-C.
    """

    def __init__(
        self,
        project: str,
        token: str,
        host: str = "relay.signalwire.com",
        *,
        backend: str = "asyncio",
        max_workers: int = DEFAULT_MAX_WORKERS,
        **options: Unpack[ClientOptions],
    ) -> None:
        if backend not in BACKENDS:
            raise InvalidArgument("backend", backend, BACKENDS)
        if not isinstance(max_workers, int) or isinstance(max_workers, bool):
            raise InvalidArgumentType("max_workers", max_workers, "an int")
        if max_workers < 1:
            raise InvalidArgument("max_workers", max_workers, "1 or more")
        self.project = project
        self.host = host
        self.backend = backend
        self.max_workers = max_workers
        self._make = functools.partial(relay_anyio.Client, project, token, host, **options)
        self._core: Core | None = None
        self._async: relay_anyio.Client | None = None
        self._calling: Calling | None = None
        self._messaging: Messaging | None = None
        self._tasking: Tasking | None = None
        self._opened = False

    def __repr__(self) -> str:
        state = "connected" if self.connected else "not connected"
        return f"<relay_sync.Client {self.host} project={self.project} backend={self.backend} {state}>"

    @property
    def calling(self) -> Calling:
        """The calling API (``new_call``, ``dial``, ``receive``, ``calls``)."""
        return self._open_api(self._calling)

    @property
    def messaging(self) -> Messaging:
        """The messaging API (``send``, ``receive``, ``state_change``, ``wait_for_delivery``)."""
        return self._open_api(self._messaging)

    @property
    def tasking(self) -> Tasking:
        """The tasking API (``receive``)."""
        return self._open_api(self._tasking)

    def _open_api(self, api: T | None) -> T:
        if api is None:
            raise ConnectionClosed(
                "the client is closed" if self._opened
                else "the client is not open: use `with Client(project, token, host) as client:`"
            )
        return api

    @property
    def connected(self) -> bool:
        """Whether the session is up."""
        return self._async is not None and self._async.connected

    @property
    def url(self) -> str | None:
        """The websocket URL (known once open)."""
        return None if self._async is None else self._async.url

    def open(self) -> Self:
        """Start the portal thread and connect (what ``with`` does); returns the client."""
        if self._opened:
            raise RuntimeError("a Client can be opened once; make a new one")
        self._opened = True
        self._core, client = Core.start(self.backend, self.max_workers, self._make)
        self._core.clean_up_timeout = client.session.timeout + 1.0  # an interrupted call's stop is bounded by it
        self._async = client
        self._calling = self._core.wrap(client.calling)
        self._messaging = self._core.wrap(client.messaging)
        self._tasking = self._core.wrap(client.tasking)
        return self

    def close(self) -> None:
        """Close the session and join the portal and worker threads (idempotent)."""
        core, self._core = self._core, None
        self._calling = self._messaging = self._tasking = None
        if core is not None:
            try:
                core.close()
            finally:
                self._async = None


def _client_signature() -> inspect.Signature:
    """``Client``'s signature for help(): ours plus every keyword of relay_anyio.Client."""
    ours = inspect.signature(Client.__init__, eval_str=True).parameters
    theirs = inspect.signature(relay_anyio.Client, eval_str=True).parameters
    params = [p for p in ours.values() if p.kind is not p.VAR_KEYWORD and p.name != "self"]
    params += [p for name, p in theirs.items() if p.kind is p.KEYWORD_ONLY and name not in ours]
    return inspect.Signature(params, return_annotation=None)


Client.__signature__ = _client_signature()  # type: ignore[attr-defined]
