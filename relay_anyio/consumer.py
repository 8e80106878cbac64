"""``Consumer``: a long-running process that answers inbound calls, messages and tasks.

Subclass it, set ``project``, ``token``, ``contexts`` (and ``host``) as
class attributes or in ``setup()``, and implement the hooks you need:
``on_incoming_call``, ``on_task``, ``on_incoming_message``,
``on_message_state_change`` (a hook not overridden subscribes to nothing).
Hooks, ``setup``, ``ready`` and ``teardown`` may be async or plain, as in
the official SDK. ``run()`` owns the process (it blocks, and
stops cleanly on Ctrl-C or SIGTERM); ``serve()`` runs inside an event loop
you already have.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import signal
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, ClassVar, TypedDict, Unpack

import anyio

from ._groups import plain_errors
from ._hooks import call_hook, overridden
from .call import Call
from .client import Client
from .errors import InvalidArgumentType
from .messaging import Message

__all__ = ["Consumer", "ConsumerConfig", "ConsumerOptions"]

log = logging.getLogger("relay_anyio.consumer")


class ConsumerOptions(TypedDict, total=False):
    """What a Consumer may be given as keywords instead of class attributes."""

    project: str | None
    token: str | None
    contexts: list[str]
    host: str
    client_options: dict[str, Any]
    gc_threshold: int | None


class ConsumerConfig:
    """What a consumer connects with; shared by this Consumer and relay_sync's.

    Class attributes (or constructor keywords): ``project``, ``token``,
    ``contexts``, ``host`` (default ``relay.signalwire.com``),
    ``client_options`` (extra keywords for the Client), and
    ``gc_threshold``: while ``run()`` owns the process it raises CPython's
    first garbage-collector threshold to this many objects (default 50,000;
    None leaves the collector alone), and restores it on the way out. With
    thousands of calls in flight the default threshold (700) makes the
    collector walk every live call again and again: at 20,000 calls at once
    that costs more than a third of the CPU (see benchmarks/README.md).
    ``serve()`` never touches it: inside your own loop, the process is yours.
    """

    # Plain attributes, not ClassVars: setup() may set them on the instance.
    project: str | None = None
    token: str | None = None
    contexts: list[str] = []
    host: str = "relay.signalwire.com"
    client_options: ClassVar[dict[str, Any]] = {}
    gc_threshold: ClassVar[int | None] = 50_000

    def __init__(self, **overrides: Unpack[ConsumerOptions]) -> None:
        for key, value in overrides.items():
            if key not in ConsumerOptions.__annotations__:
                raise TypeError(f"unknown Consumer option {key!r}; known: {', '.join(ConsumerOptions.__annotations__)}")
            setattr(self, key, value)
        threshold = self.gc_threshold
        if threshold is not None and (not isinstance(threshold, int) or isinstance(threshold, bool) or threshold < 1):
            raise InvalidArgumentType("gc_threshold", threshold, "a positive int or None")

    @contextlib.contextmanager
    def _gc_for_many_calls(self) -> Iterator[None]:
        """For run(), which owns the process: the collector threshold from ``gc_threshold``."""
        if self.gc_threshold is None:
            yield
            return
        previous = gc.get_threshold()
        gc.set_threshold(self.gc_threshold, *previous[1:])
        try:
            yield
        finally:
            gc.set_threshold(*previous)

    def _credentials(self) -> tuple[str, str]:
        """``(project, token)``, or ValueError when they or the contexts are missing."""
        if not self.project or not self.token:
            raise ValueError("Consumer needs project and token (class attributes or keywords)")
        if not self.contexts:
            raise ValueError("Consumer needs contexts, e.g. contexts = ['office']")
        return str(self.project), str(self.token)


class Consumer(ConsumerConfig):
    """Base class for inbound-call consumers (see ConsumerConfig for the settings)."""

    def __init__(self, **overrides: Unpack[ConsumerOptions]) -> None:
        super().__init__(**overrides)
        self.client: Client | None = None
        self._stop: anyio.Event | None = None

    # Each hook may be overridden with a plain or an async method (the official
    # SDK's consumers mix both): the declared return type admits either.

    def setup(self) -> Awaitable[None] | None:
        """Called first: may set ``project``, ``token``, ``contexts``, ``host``."""

    def ready(self) -> Awaitable[None] | None:
        """Called once connected and receiving the contexts."""

    def on_incoming_call(self, call: Call) -> Awaitable[None] | None:
        """Called for each inbound call, in a task of its own."""

    def on_task(self, message: Any) -> Awaitable[None] | None:
        """Called for each task delivered to the contexts (``Task.deliver``'s message)."""

    def on_incoming_message(self, message: Message) -> Awaitable[None] | None:
        """Called for each inbound SMS/MMS on the contexts."""

    def on_message_state_change(self, message: Message) -> Awaitable[None] | None:
        """Called for each state change of a message sent on the contexts."""

    def teardown(self) -> Awaitable[None] | None:
        """Called when the consumer stops (also after an error)."""

    def stop(self) -> None:
        """Ask a running consumer to stop (from its own event loop)."""
        if self._stop is not None:
            self._stop.set()

    async def serve(self) -> None:
        """Connect, receive ``contexts``, and handle calls until ``stop()`` or cancellation."""
        await call_hook(self.setup)
        project, token = self._credentials()
        self._stop = anyio.Event()
        is_ready = anyio.Event()

        def when_ready(hook: Callable[[Any], Any]) -> Callable[[Any], Any]:
            async def handle(arg: Any) -> None:
                await is_ready.wait()  # ready() always runs before the first event
                await call_hook(hook, arg)

            return handle

        try:
            async with Client(project, token, self.host, **self.client_options) as client:
                self.client = client
                for hook, subscribe in overridden(self, Consumer, client):
                    if not await subscribe(self.contexts, when_ready(hook)):
                        raise RuntimeError(f"the service refused contexts {self.contexts}")
                await call_hook(self.ready)
                is_ready.set()
                await self._stop.wait()
        finally:
            with anyio.CancelScope(shield=True):
                try:
                    await call_hook(self.teardown)
                except Exception:
                    log.exception("teardown raised")
            self.client = None

    def run(self, backend: str = "asyncio") -> None:
        """Run until Ctrl-C or SIGTERM (this call owns the process). ``backend``: asyncio or trio."""
        with self._gc_for_many_calls():
            anyio.run(self._run_owning_process, backend=backend)

    async def _run_owning_process(self) -> None:
        with plain_errors():
            async with anyio.create_task_group() as tg:
                tg.start_soon(self._watch_signals, tg.cancel_scope)
                await self.serve()
                tg.cancel_scope.cancel()

    async def _watch_signals(self, scope: anyio.CancelScope) -> None:
        with anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
            async for signum in signals:
                log.info("signal %s: stopping", signal.Signals(signum).name)
                self.stop()
                return
