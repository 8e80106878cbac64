"""The runtime behind one relay_sync Client: its portal thread and its workers.

Every blocking method is ``Core.run``: hand the relay_anyio coroutine to
the portal's loop with one non-blocking wake-up, wait on the job's lock (in
short slices on the main thread, so Ctrl-C lands on every platform), cancel
the task if the wait is interrupted, and return the value with relay_anyio
objects swapped for their wrappers. Exceptions come back as the very object
the core raised.

Why not ``BlockingPortal.start_task_soon``: it blocks the caller until the
loop has spawned the task and then again for the result, two thread
hand-offs per call; ``Core.run`` makes one: the loop's own thread-safe
callback starts the task (measured in benchmarks/).

Callbacks never run on the portal thread (a blocking method called there
could never finish): relay_anyio calls a small ``Callback`` object on its
loop, which only queues the user's function on a bounded thread pool.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import contextvars
import functools
import inspect
import logging
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from types import TracebackType
from typing import Any, Self, TypeVar

import anyio
import anyio.abc
import attrs
from anyio.from_thread import BlockingPortal, start_blocking_portal

from relay_anyio import ConnectionClosed, InvalidArgumentType, Result
from relay_anyio._tasks import TaskPool

from ._facade import RESULT_TWINS, Facade, facade_class

__all__ = ["Callback", "Core", "Lane", "Opened"]

log = logging.getLogger("relay_sync")

T = TypeVar("T")

# How long a blocked main thread sleeps between checks: short enough for
# Ctrl-C to land promptly even where lock waits are not interruptible
# (Windows). Other threads never get KeyboardInterrupt and wait in one go.
WAIT_SLICE = 0.1


# How a job ended.
_PENDING, _RETURNED, _RAISED, _CANCELLED = range(4)


class _Job:
    """One blocking call in flight: what runs, how it ended, and the lock its
    thread waits on (held from birth, released once when the job is over,
    its clean-up included). A bare lock is the cheapest hand-off between two
    threads in CPython: a future costs a condition and a lock per wait."""

    __slots__ = ("fn", "done", "outcome", "value", "scope", "abandoned")

    def __init__(self, fn: Callable[[], Any]) -> None:
        self.fn = fn
        self.done = threading.Lock()
        self.done.acquire()
        self.outcome = _PENDING
        self.value: Any = None
        self.scope: anyio.CancelScope | None = None
        self.abandoned = False  # its thread stopped waiting (an interrupt)

    def finish(self, outcome: int, value: Any = None) -> None:
        """Once: record how the job ended and wake its thread (on the loop, or
        at close for a job the loop never ran)."""
        if self.outcome != _PENDING:
            return
        self.outcome, self.value = outcome, value
        with contextlib.suppress(RuntimeError):  # a close racing the loop released it first
            self.done.release()

    def cancel(self) -> None:
        """On the loop: stop the job if it runs (its thread gave up on it)."""
        if self.scope is not None:
            self.scope.cancel()


def _loop_scheduler(backend: str) -> Callable[..., object]:
    """In the portal: the loop's own non-blocking, thread-safe "call this soon".

    Its callbacks run outside any task, where anyio cannot tell which
    library runs the loop; trio says so for its whole thread, and for
    asyncio the callbacks run in a context that names it (sniffio, when
    installed, is what anyio asks).
    """
    if backend == "trio":
        import trio

        return trio.lowlevel.current_trio_token().run_sync_soon
    import asyncio

    context = contextvars.copy_context()
    try:
        import sniffio
    except ImportError:  # anyio then asks asyncio itself, which works in callbacks
        pass
    else:
        context.run(sniffio.current_async_library_cvar.set, "asyncio")
    return functools.partial(asyncio.get_running_loop().call_soon_threadsafe, context=context)


class Core:
    """The portal, worker pool and wrapper registry shared by a Client's objects."""

    def __init__(self, portal: BlockingPortal, max_workers: int, stack: contextlib.ExitStack) -> None:
        self.portal = portal
        self.loop_thread: int = portal.call(threading.get_ident)
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers, thread_name_prefix="relay_sync-worker")
        self.closed = False
        #: How long an interrupted call may take to undo what it started (the
        #: client sets its command timeout plus a margin).
        self.clean_up_timeout = 10.0
        self._stack = stack
        self._lock = threading.Lock()
        self._wrappers: weakref.WeakValueDictionary[int, Facade[Any]] = weakref.WeakValueDictionary()
        self._jobs: set[_Job] = set()
        self._tasks: TaskPool | None = None
        self._schedule: Callable[..., object] = _unstarted
        # Jobs handed over, not yet started: one wake-up of the loop starts all
        # that came meanwhile (a thousand threads need not write a thousand bytes
        # to the loop's self-pipe while it is busy).
        self._inbox: deque[_Job] = deque()
        self._drain_due = False

    @classmethod
    def start(
        cls, backend: str, max_workers: int, make: Callable[[], AbstractAsyncContextManager[T]]
    ) -> tuple[Core, T]:
        """Start a portal thread, make the async object in it (``make()``) and enter it."""
        stack = contextlib.ExitStack()
        try:
            portal = stack.enter_context(start_blocking_portal(backend))
            core = cls(portal, max_workers, stack)
            # Unwound in reverse: the async object, portal tasks, jobs never run, workers, then the thread is joined.
            stack.callback(core.pool.shutdown, wait=True, cancel_futures=True)
            stack.callback(core._cancel_jobs)
            stack.callback(_stop_portal, portal)
            portal.start_task(core._hub, backend)
            obj = portal.call(make)
            entered: T = stack.enter_context(portal.wrap_async_context_manager(obj))
        except BaseException:
            stack.close()
            raise
        return core, entered

    def close(self) -> None:
        """Exit the async object, cancel what still runs in the portal, join every thread."""
        self.closed = True
        self._stack.close()

    async def _hub(self, backend: str, *, task_status: anyio.abc.TaskStatus[None]) -> None:
        """The portal task under which every job runs, as a light task (relay_anyio's TaskPool)."""
        async with TaskPool() as pool:
            self._tasks = pool
            self._schedule = _loop_scheduler(backend)
            task_status.started()
            await anyio.sleep_forever()

    def _hand_over(self, job: _Job) -> None:
        """Any thread: queue ``job`` for the loop, waking it unless a wake-up is due already."""
        self._inbox.append(job)
        if not self._drain_due:
            self._drain_due = True
            try:
                self._schedule(self._drain)
            except BaseException:
                self._drain_due = False
                raise

    def _drain(self) -> None:
        # On the loop: every job handed over since the last wake-up (the flag is
        # cleared first, so a job queued after the loop below wakes it again).
        self._drain_due = False
        inbox = self._inbox
        while inbox:
            self._spawn(inbox.popleft())

    def _spawn(self, job: _Job) -> None:
        # On the loop: start the job in a task of its own.
        if job.abandoned:
            job.finish(_CANCELLED)
            return
        try:
            if self._tasks is None:
                raise RuntimeError("the portal has not started")
            job.scope = self._tasks.spawn(self._execute, job)
        except RuntimeError:  # the pool is closed: the portal is stopping
            job.finish(_CANCELLED)

    @staticmethod
    async def _execute(job: _Job) -> None:
        # Cancelled through job.scope (its thread gave up, or the portal stops): it ends cancelled.
        outcome, value = _CANCELLED, None
        try:
            value = job.fn()
            if inspect.isawaitable(value):
                value = await value
            outcome = _RETURNED
        except anyio.get_cancelled_exc_class():
            raise
        except BaseException as exc:
            outcome, value = _RAISED, exc
            if not isinstance(exc, Exception):
                raise
        finally:
            job.finish(outcome, value)

    def _cancel_jobs(self) -> None:
        # At close, once the portal's tasks are gone: whatever the loop never
        # ran ends as ConnectionClosed in its thread.
        for job in list(self._jobs):
            job.finish(_CANCELLED)

    def run(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        """Run ``fn(*args, **kwargs)`` (async or not) in the portal and wait for it."""
        if threading.get_ident() == self.loop_thread:
            raise RuntimeError(
                f"relay_sync: {getattr(fn, '__name__', fn)}() blocks, and this thread runs the client's "
                "event loop (you are in relay_anyio code, e.g. an async callback): await the relay_anyio "
                "method instead, or call relay_sync from another thread"
            )
        if self.closed:
            raise ConnectionClosed("the client is closed")
        job = _Job(functools.partial(fn, *args, **kwargs) if args or kwargs else fn)
        self._jobs.add(job)
        try:
            try:
                self._hand_over(job)
            except RuntimeError:  # the loop has finished (trio's RunFinishedError is one too)
                job.finish(_CANCELLED)
            else:
                self._block(job)
        except BaseException:
            # KeyboardInterrupt and friends, wherever they land once the job is
            # handed over (even before the wait began): stop the job in the
            # portal too, and let it clean up (a waiting method stops its
            # component at the far end) before the interrupt propagates. A
            # second Ctrl-C cuts it short.
            if job.outcome == _PENDING:
                job.abandoned = True
                with contextlib.suppress(RuntimeError):
                    self._schedule(job.cancel)
                    self._await_clean_up(job)
            raise
        finally:
            self._jobs.discard(job)
        if job.outcome == _RETURNED:
            return self.sync(job.value)
        if job.outcome == _RAISED:
            error, job.value = job.value, None
            raise error
        raise ConnectionClosed("the client was closed while this call was waiting")

    @staticmethod
    def _block(job: _Job) -> None:
        done = job.done
        if threading.current_thread() is not threading.main_thread():
            done.acquire()
        else:
            while not done.acquire(timeout=WAIT_SLICE):
                pass

    def _await_clean_up(self, job: _Job) -> None:
        deadline = time.monotonic() + self.clean_up_timeout
        while not job.done.acquire(timeout=WAIT_SLICE):
            if time.monotonic() > deadline or self.closed:
                log.warning("relay_sync: a cancelled call did not finish its clean-up within %.1f s", self.clean_up_timeout)
                return

    def sync(self, value: Any) -> Any:
        """``value`` with relay_anyio Calls and Actions wrapped; a Result that holds a
        Call becomes its relay_sync twin (which holds the blocking Call)."""
        if value is None or isinstance(value, (bool, str, Facade)):
            return value
        if isinstance(value, Result):
            twin = RESULT_TWINS.get(type(value))
            if twin is None:
                return value
            fields = attrs.fields_dict(type(value))
            return twin(**{name: self.sync(getattr(value, name)) for name in fields})
        if facade_class(value) is not None:
            return self.wrap(value)
        if isinstance(value, list):
            return [self.sync(item) for item in value]
        return value

    def wrap(self, obj: object) -> Any:
        """The one wrapper of ``obj`` (made on first use, kept while someone holds it)."""
        klass = facade_class(obj)
        if klass is None:
            raise TypeError(f"relay_sync has no wrapper for {type(obj).__name__}")
        with self._lock:
            facade = self._wrappers.get(id(obj))
            if facade is None or facade._async is not obj:
                facade = klass(self, obj)
                self._wrappers[id(obj)] = facade
            return facade

    def submit(self, fn: Callable[..., Any], *args: Any) -> None:
        """Run ``fn(*args)`` in a worker of its own (queued while all are busy)."""
        self.pool.submit(invoke, fn, *args)


def _unstarted(*_: Any) -> None:
    raise RuntimeError("the portal is not started")


class Opened:
    """``with`` for the objects that own a Core (Client, Simulator): ``open()``
    on the way in, ``close()`` on the way out, also after an exception."""

    def open(self) -> Self:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self.open()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _stop_portal(portal: BlockingPortal) -> None:
    # Cancel what is still running in the portal (calls other threads are
    # blocked in): a normal portal exit would wait for them forever.
    with contextlib.suppress(RuntimeError):
        portal.call(portal.stop, True)


def invoke(fn: Callable[..., Any], *args: Any) -> None:
    try:
        fn(*args)
    except Exception:
        log.exception("relay_sync callback %r raised", fn)


class Lane:
    """Runs callbacks one at a time and in order, on the shared pool (one lane per Call).

    So a Call's ``on`` callbacks see its events in the order they came;
    different calls still run in parallel.
    """

    def __init__(self, core: Core) -> None:
        self._core = core
        self._lock = threading.Lock()
        self._queue: deque[tuple[Callable[..., Any], tuple[Any, ...]]] = deque()
        self._busy = False

    def submit(self, fn: Callable[..., Any], *args: Any) -> None:
        with self._lock:
            self._queue.append((fn, args))
            if self._busy:
                return
            self._busy = True
        self._core.pool.submit(self._drain)

    def _drain(self) -> None:
        while True:
            with self._lock:
                if not self._queue:
                    self._busy = False
                    return
                fn, args = self._queue.popleft()
            invoke(fn, *args)


def require_plain_callable(name: str, fn: object) -> None:
    """relay_sync runs callbacks in threads: a coroutine function would never be awaited."""
    if not callable(fn):
        raise InvalidArgumentType(name, fn, "a callable")
    if inspect.iscoroutinefunction(fn):
        raise InvalidArgumentType(name, fn, "a plain function (relay_sync runs it in a thread; use relay_anyio for async ones)")


@attrs.frozen(eq=False)
class Callback:
    """A user's callback as relay_anyio sees it: calling it (on the loop) queues the real one.

    Compares equal to another Callback of the same function, so
    ``call.off(event, fn)`` finds what ``call.on(event, fn)`` added. Shows
    the function's own signature, so relay_anyio passes the Event only to
    a callback that takes one.
    """

    fn: Callable[..., Any]
    core: Core = attrs.field(repr=False)
    lane: Lane | None = attrs.field(default=None, repr=False)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Callback) and other.fn == self.fn

    def __hash__(self) -> int:
        return hash(self.fn)

    @property
    def __signature__(self) -> inspect.Signature:
        return inspect.signature(self.fn)

    def __call__(self, *args: Any) -> None:
        if self.core.closed:
            return
        args = tuple(self.core.sync(arg) for arg in args)
        if self.lane is None:
            self.core.submit(self.fn, *args)
        else:
            self.lane.submit(self.fn, *args)
