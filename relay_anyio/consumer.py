"""``Consumer``: a long-running process that answers inbound calls.

Subclass it, set ``project``, ``token``, ``contexts`` (and ``host``), and
implement ``on_incoming_call``. ``run()`` owns the process (it blocks, and
stops cleanly on Ctrl-C or SIGTERM); ``serve()`` runs inside an event loop
you already have.
"""

from __future__ import annotations

import logging
import signal
from typing import Any, ClassVar

import anyio

from .call import Call
from .client import Client

__all__ = ["Consumer"]

log = logging.getLogger("relay_anyio.consumer")


class Consumer:
    """Base class for inbound-call consumers.

    Class attributes (or constructor keywords): ``project``, ``token``,
    ``contexts``, ``host`` (default ``relay.signalwire.com``), and
    ``client_options`` (extra keywords for Client).
    """

    project: ClassVar[str | None] = None
    token: ClassVar[str | None] = None
    contexts: ClassVar[list[str]] = []
    host: ClassVar[str] = "relay.signalwire.com"
    client_options: ClassVar[dict[str, Any]] = {}

    def __init__(self, **overrides: Any) -> None:
        for key, value in overrides.items():
            if key not in ("project", "token", "contexts", "host", "client_options"):
                raise TypeError(f"unknown Consumer option {key!r}")
            setattr(self, key, value)
        self.client: Client | None = None
        self._stop: anyio.Event | None = None

    async def ready(self) -> None:
        """Called once connected and receiving the contexts."""

    async def on_incoming_call(self, call: Call) -> None:
        """Called for each inbound call, in a task of its own."""

    async def teardown(self) -> None:
        """Called when the consumer stops (also after an error)."""

    def stop(self) -> None:
        """Ask a running consumer to stop (from its own event loop)."""
        if self._stop is not None:
            self._stop.set()

    async def serve(self) -> None:
        """Connect, receive ``contexts``, and handle calls until ``stop()`` or cancellation."""
        if not self.project or not self.token:
            raise ValueError("Consumer needs project and token (class attributes or keywords)")
        if not self.contexts:
            raise ValueError("Consumer needs contexts, e.g. contexts = ['office']")
        self._stop = anyio.Event()
        try:
            async with Client(self.project, self.token, self.host, **self.client_options) as client:
                self.client = client
                if not await client.calling.receive(self.contexts, self.on_incoming_call):
                    raise RuntimeError(f"the service refused contexts {self.contexts}")
                await self.ready()
                await self._stop.wait()
        finally:
            with anyio.CancelScope(shield=True):
                try:
                    await self.teardown()
                except Exception:
                    log.exception("teardown raised")
            self.client = None

    def run(self, backend: str = "asyncio") -> None:
        """Run until Ctrl-C or SIGTERM (this call owns the process). ``backend``: asyncio or trio."""
        anyio.run(self._run_owning_process, backend=backend)

    async def _run_owning_process(self) -> None:
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
