"""``Consumer`` for blocking code: answer inbound calls, messages and tasks with plain functions.

Subclass it, set ``project``, ``token``, ``contexts`` (and ``host``) as
class attributes or in ``setup()``, and implement the hooks you need
(``on_incoming_call(call)``, ``on_task(message)``,
``on_incoming_message(message)``, ``on_message_state_change(message)``;
one not overridden subscribes to nothing): each runs in a worker thread
per event, so it simply blocks (``call.answer()``, ``call.play_tts(...)``).
``run()`` blocks until Ctrl-C, SIGTERM or ``stop()`` (from any thread).
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from collections.abc import Callable, Iterator
from typing import Any, Unpack

from relay_anyio import Message
from relay_anyio._hooks import overridden
from relay_anyio.consumer import ConsumerConfig, ConsumerOptions

from ._portal import WAIT_SLICE
from .call import Call
from .client import Client

__all__ = ["Consumer"]

log = logging.getLogger("relay_sync.consumer")


class Consumer(ConsumerConfig):
    """Base class for blocking inbound-call consumers.

    Settings as relay_anyio's (``project``, ``token``, ``contexts``, ``host``,
    ``client_options`` — here also e.g. ``max_workers`` — and ``gc_threshold``).
    """

    def __init__(self, **overrides: Unpack[ConsumerOptions]) -> None:
        super().__init__(**overrides)
        self.client: Client | None = None
        self._stop = threading.Event()

    def setup(self) -> None:
        """Called first (in the thread of ``run``): may set ``project``, ``token``, ``contexts``, ``host``."""

    def ready(self) -> None:
        """Called once connected and receiving the contexts (in the thread of ``run``)."""

    def on_incoming_call(self, call: Call) -> None:
        """Called for each inbound call, in a worker thread of its own."""

    def on_task(self, message: Any) -> None:
        """Called for each task delivered to the contexts, in a worker thread."""

    def on_incoming_message(self, message: Message) -> None:
        """Called for each inbound SMS/MMS on the contexts, in a worker thread."""

    def on_message_state_change(self, message: Message) -> None:
        """Called for each state change of a message sent on the contexts, in a worker thread."""

    def teardown(self) -> None:
        """Called when the consumer stops (also after an error)."""

    def stop(self) -> None:
        """Ask a running consumer to stop (from any thread)."""
        self._stop.set()

    def run(self, backend: str = "asyncio") -> None:
        """Run until Ctrl-C, SIGTERM or ``stop()``. ``backend``: asyncio or trio."""
        self.setup()
        project, token = self._credentials()
        self._stop.clear()
        is_ready = threading.Event()

        def when_ready(hook: Callable[[Any], Any]) -> Callable[[Any], None]:
            def handle(arg: Any) -> None:
                is_ready.wait()  # ready() always runs before the first event
                hook(arg)

            return handle

        client = Client(project, token, self.host, backend=backend, **self.client_options)
        with (
            contextlib.suppress(KeyboardInterrupt),
            self._gc_for_many_calls(),
            self._stop_on_sigterm(),
            self._teardown_at_exit(),
            client,
        ):
            self.client = client
            try:
                for hook, subscribe in overridden(self, Consumer, client):
                    if not subscribe(self.contexts, when_ready(hook)):
                        raise RuntimeError(f"the service refused contexts {self.contexts}")
                self.ready()
                is_ready.set()
                while not self._stop.wait(WAIT_SLICE):
                    pass
            finally:
                is_ready.set()  # never leave a worker parked when ready() failed
                self.client = None

    @contextlib.contextmanager
    def _teardown_at_exit(self) -> Iterator[None]:
        """teardown() once the client is closed, also when it never connected (as relay_anyio's)."""
        try:
            yield
        finally:
            try:
                self.teardown()
            except Exception:
                log.exception("teardown raised")

    @contextlib.contextmanager
    def _stop_on_sigterm(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield  # signal handlers can only be set in the main thread
            return
        previous = signal.signal(signal.SIGTERM, lambda signum, frame: self.stop())
        try:
            yield
        finally:
            signal.signal(signal.SIGTERM, previous)
