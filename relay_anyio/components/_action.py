"""What every component shares: its Action, its control verbs, and the
waiting method made from its ``_async`` twin.

An Action subclass *is* the declaration of a component kind: ``methods``
(the wire method that starts it), ``family`` (the event type it follows,
see ``relay_anyio.events``), ``result_class``, ``_on_event`` (how an event
moves its state), ``_fields`` (what its Result holds beyond ``successful``,
``event`` and ``error``) and its control verbs, the methods marked
``@verb`` (``stop``, ``pause``, ``volume`` ...; each is ``<method>.<verb>``
on the wire). Declaring the class registers it (``ACTIONS``): routing,
``on()`` names, relay_sync and the simulator derive from the registry.

``waiting(x_async)`` makes ``x``: it starts the component, waits for its
Result, and when cancelled (a cancel scope, a timeout, Ctrl-C in
relay_sync) stops the component at the far end before the cancellation
propagates, shielded and bounded by the client's command timeout.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Awaitable, Callable, Coroutine
from contextvars import ContextVar
from typing import (
    TYPE_CHECKING,
    Any,
    ClassVar,
    Concatenate,
    Generic,
    ParamSpec,
    Protocol,
    TypeVar,
    cast,
    overload,
)

import anyio

from .. import _wakeup
from ..events import Event, EventFamily
from ..protocol import CommandResult, new_id, pack, unpack
from ..results import Result, StopResult

if TYPE_CHECKING:
    from .._callcore import CallCore

__all__ = ["ACTIONS", "Action", "verb", "waiting"]

log = logging.getLogger("relay_anyio.call")

R = TypeVar("R", bound=Result)
R_co = TypeVar("R_co", covariant=True)
S = TypeVar("S")
P = ParamSpec("P")
V = TypeVar("V", bound=Callable[..., Any])

#: Set while a waiting method starts its component: the Action knows it is
#: waited for (a detector then settles on its first decisive event).
_WAITING: ContextVar[bool] = ContextVar("relay_anyio_waiting", default=False)

#: Every declared Action class by name (filled as component modules are imported).
ACTIONS: dict[str, type[Action[Any]]] = {}


def verb(fn: V) -> V:
    """Mark an Action method as a control verb (its blocking twin is derived too)."""
    fn.__relay_verb__ = True  # type: ignore[attr-defined]
    return fn


def _failure(response: CommandResult) -> str:
    return f"{response.code}: {response.message}"


class Action(Generic[R]):
    """A running component, returned at once by a Call's ``*_async`` method.

    ``control_id``; ``payload`` (the params that started it); ``completed``;
    ``state`` (the component's latest state, ``"failed"`` when it ended
    without one: refused, call ended, client closed); ``result`` (the Result
    as it stands); ``await action.wait()`` for the final Result;
    ``await action.stop()``. It lives until it finishes, its call ends, or
    it is stopped: it is not tied to the scope that started it.
    """

    methods: ClassVar[tuple[str, ...]]
    family: ClassVar[EventFamily]
    result_class: ClassVar[type[Result]]
    verbs: ClassVar[tuple[str, ...]] = ()
    #: The states that finish the component: state -> None (successful) or the
    #: error of an unsuccessful Result. Other states only move ``state``.
    outcomes: ClassVar[dict[str, str | None]] = {}
    #: The wire names the component by ``control_id`` (connect does not).
    sends_control_id: ClassVar[bool] = True
    #: Whether it behaves differently when a waiting method started it
    #: (``_waited``; a detector settles on its first decisive event). Only
    #: then does the waiting method mark the start (a context variable set
    #: and reset per start, and its objects in the task's context, saved).
    _minds_waiting: ClassVar[bool] = False

    __slots__ = (
        "call", "_params", "control_id", "state", "completed", "_successful",
        "_event", "_error", "_done", "_waited", "_method",
    )

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        marked = {name for klass in cls.__mro__ for name, value in vars(klass).items() if getattr(value, "__relay_verb__", False)}
        cls.verbs = tuple(sorted(marked))
        if "family" in vars(cls):  # a declaration (not an intermediate base)
            ACTIONS[cls.__name__] = cls

    def __init__(self, call: CallCore, params: dict[str, Any], *, method: str | None = None) -> None:
        self.call = call
        self._params: dict[str, Any] | bytes = params  # its own; once sent, the start's packed (_packed_start)
        self._method = method or self.methods[0]
        if self._method not in self.methods:
            raise ValueError(f"{type(self).__name__} starts with {self.methods}, not {self._method!r}")
        self.control_id = new_id()
        self.state: str | None = None
        self.completed = False
        self._successful = False
        self._event: Event | None = None
        self._error: str | None = None
        self._done: _wakeup.Waiters = None  # the wake-ups of whoever waits for its end
        self._waited = _WAITING.get()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.control_id} state={self.state} completed={self.completed}>"

    @property
    def method(self) -> str:
        """The wire method that started the component (``calling.play`` ...)."""
        return self._method

    @property
    def event_type(self) -> str:
        """The Relay event type the component reports with (``calling.call.play`` ...)."""
        return self.family.event_type

    @property
    def payload(self) -> dict[str, Any]:
        """The params sent to start the component (as on the wire)."""
        return self._start_params()

    @property
    def result(self) -> R:
        """The Result as it stands (final once ``completed``)."""
        return cast(R, self.result_class(
            successful=self._successful, event=self._event, error=self._error, **self._fields()
        ))

    async def wait(self) -> R:
        """Wait until the component finishes; return its final Result."""
        await self._until_done()
        return self.result

    @verb
    async def stop(self) -> StopResult:
        """Stop the component. Returns a StopResult (whether the service accepted)."""
        result: StopResult = await self._verb("stop", StopResult)
        return result

    # -- declared by each kind ----------------------------------------------------

    def _on_event(self, params: dict[str, Any]) -> None:
        """One event of this component: move ``state``; finish on a state of ``outcomes``."""
        state = self.family.state(params)
        if not isinstance(state, str):
            return
        self.state = state  # a state the reference does not know never finishes it
        self._take(params)
        if state in self.outcomes:
            error = self.outcomes[state]
            self._finish(error is None, params=params, error=error)

    def _take(self, params: dict[str, Any]) -> None:
        """What an event tells beyond its state (a recording's url ...)."""

    def _fields(self) -> dict[str, Any]:
        """The Result's own fields (besides successful, event, error)."""
        return {}

    def _on_response(self, response: CommandResult) -> None:
        """The start command's answer (events may have come first)."""
        if not response.successful:
            self._finish(False, error=_failure(response))

    @property
    def _left_running(self) -> bool:
        """Finished for the SDK, but still running at the far end (a decided detector)."""
        return False

    # -- driven by the Call ----------------------------------------------------------

    def _start_params(self) -> dict[str, Any]:
        """The start command's params: the call's identity, the control_id, the component's own."""
        params = self._params
        if isinstance(params, bytes):  # sent already: these (see _packed_start)
            return cast(dict[str, Any], unpack(params))
        call = self.call
        if self.sends_control_id:
            return {"call_id": call.id, "node_id": call.node_id, "control_id": self.control_id, **params}
        return {"call_id": call.id, "node_id": call.node_id, **params}

    def _packed_start(self) -> bytes:
        """The start command's params, packed (see protocol.pack): its command sends
        them as they are (and again on a re-send), the Action keeps them for
        ``payload``; no dict of them stays alive while thousands of components run."""
        params = self._params
        if not isinstance(params, bytes):
            params = self._params = pack(self._start_params())
        return params

    async def _until_done(self) -> None:
        if not self.completed:
            await self._end_wakeup()

    def _end_wakeup(self) -> _wakeup.Wakeup:
        """A wake-up woken when the component is over (call only while it is not):
        awaited directly, it saves a coroutine frame per waiting method in flight.
        A cancelled one is dropped when the next joins or the component ends."""
        wakeup = self.call._new_wakeup()
        self._done = _wakeup.join(self._done, wakeup)
        return wakeup

    def _register(self) -> None:
        if self.call._actions is None:
            self.call._actions = {}
        self.call._actions[self.control_id] = self

    def _unregister(self) -> None:
        actions = self.call._actions
        if actions and actions.get(self.control_id) is self:
            del actions[self.control_id]

    def _finish(self, successful: bool, *, params: dict[str, Any] | None = None, error: str | None = None) -> None:
        if self.completed:
            return
        self.completed = True
        self._successful = successful
        if params is not None:
            self._event = self.family.event(params)
        elif not successful:
            self.state = "failed"  # as the official SDK: ended without an event of its own
        if error is not None:
            self._error = error
        _wakeup.wake_all(self._done)
        self._done = None
        self._unregister()

    def _end(self, reason: str) -> None:
        """The call ended (or the client closed, the session was lost) under a running component."""
        self._finish(False, error=reason)

    async def _verb(self, name: str, result_class: type[StopResult], **extra: Any) -> Any:
        if self.completed and not self._left_running:
            return result_class(successful=False, error="action already completed")
        control = {"control_id": self.control_id} if self.sends_control_id else {}
        response = await self.call._execute(f"{self.method}.{name}", {**control, **extra})
        return result_class(successful=response.successful, error=None if response.successful else _failure(response))

    async def _send_stop(self) -> bool:
        """The stop on the wire (connect's differs); whether it was accepted."""
        result: StopResult = await self.stop()
        return result.successful

    async def _release(self, reason: str = "cancelled") -> None:
        """The caller no longer waits for this component: stop it at the far end
        (shielded from the caller's cancellation, bounded by the command
        timeout) unless it is over, then forget it."""
        if not self.completed or self._left_running:
            with anyio.CancelScope(shield=True), anyio.move_on_after(self.call._command_timeout):
                try:
                    await self._send_stop()
                except Exception as exc:  # noqa: BLE001 - best effort: the caller is already leaving
                    log.debug("call %s: stopping %s after %s failed: %r", self.call.id, self.control_id, reason, exc)
        self._finish(False, error=reason)


class _Waiting(Protocol[P, R_co]):
    """What type checkers see for a waiting method: its ``_async`` twin's parameters, returning R."""

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> Callable[Concatenate[Any, P], Coroutine[Any, Any, R_co]]: ...
    @overload
    def __get__(self, obj: object, owner: type[Any]) -> Callable[P, Coroutine[Any, Any, R_co]]: ...


def waiting(start: Callable[Concatenate[S, P], Awaitable[Action[R]]], summary: str) -> _Waiting[P, R]:
    """The waiting method of ``start`` (an ``x_async`` method): same parameters, returns the Result.

    ``summary`` is the first line of its docstring; the rest (the
    parameters) is the ``_async`` twin's. ``start`` must end in ``return
    await self._start(action)`` with no await before it: the waiting method
    marks the call (``_launching``) for exactly the ``_start`` it runs into.
    """

    begin: Callable[..., Awaitable[Action[R]]] = start
    action_class = _action_class(start)
    if action_class is None or action_class._minds_waiting:

        async def begin_waited(self: Any, /, *args: Any, **kwargs: Any) -> Action[R]:
            token = _WAITING.set(True)
            try:
                return await start(self, *args, **kwargs)
            finally:
                _WAITING.reset(token)

        begin = begin_waited

    async def method(self: Any, /, *args: Any, **kwargs: Any) -> Any:
        self._launching = True  # CallCore._start sends the start and returns at once
        try:
            action = await begin(self, *args, **kwargs)
            command = self._launching
        finally:
            self._launching = None
        if command is not True:  # the start's answer and the component's end wake one wait
            await self._answered(action, command)
        # Not kept while the component runs: the command, its answer and wake-up
        # (thousands of components are in flight), nor the arguments.
        del command, args, kwargs
        if not action.completed:  # (no checkpoint for a component over already: refused, call gone)
            try:
                await action._end_wakeup()
            except BaseException:
                await action._release("cancelled")
                raise
        result = action.result
        if action._left_running:
            await action._release("finished")
        return result

    name = start.__name__.removesuffix("_async")
    method.__name__ = name
    method.__qualname__ = start.__qualname__.removesuffix("_async")
    method.__module__ = start.__module__
    body = inspect.cleandoc(start.__doc__ or "").partition("\n\n")[2].strip()
    method.__doc__ = "\n\n".join(part for part in (summary, body, CANCELLED) if part)
    method.__signature__ = _waiting_signature(start)  # type: ignore[attr-defined]
    method.__relay_waiting__ = start  # type: ignore[attr-defined]
    return cast(_Waiting[P, R], method)


CANCELLED = (
    "Cancelled (a cancel scope, a timeout, Ctrl-C in relay_sync), it stops the component at "
    "the far end before the cancellation propagates."
)


def _action_class(start: Callable[..., Any]) -> type[Action[Any]] | None:
    """The Action class ``start`` returns, from its annotation (None when unknown)."""
    action = _evaluated_signature(start).return_annotation
    return action if isinstance(action, type) and issubclass(action, Action) else None


def _evaluated_signature(start: Callable[..., Any]) -> inspect.Signature:
    try:
        return inspect.signature(start, eval_str=True)
    except NameError:  # an annotation only importable under TYPE_CHECKING
        return inspect.signature(start).replace(return_annotation=inspect.Signature.empty)


def _waiting_signature(start: Callable[..., Any]) -> inspect.Signature:
    action = _action_class(start)
    returns = action.result_class if action is not None else inspect.Signature.empty
    return _evaluated_signature(start).replace(return_annotation=returns)


def expand_options(options: type, name: str) -> Callable[[V], V]:
    """Show ``**name: Unpack[options]`` as the TypedDict's keywords in ``help()``.

    Type checkers read the TypedDict (each keyword checked); ``help()``,
    IDE hover and ``inspect.signature`` show them one by one, each
    defaulting to None (the service's default applies).
    """

    def decorate(fn: V) -> V:
        try:
            sig = inspect.signature(fn, eval_str=True)
        except NameError:
            sig = inspect.signature(fn)
        hints = _typed_dict_hints(options)
        params = [p for p in sig.parameters.values() if p.name != name]
        params += [
            inspect.Parameter(key, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=hint | None)
            for key, hint in hints.items()
        ]
        fn.__signature__ = sig.replace(parameters=params)  # type: ignore[attr-defined]
        return fn

    return decorate


@functools.cache
def _typed_dict_hints(options: type) -> dict[str, Any]:
    import typing

    return typing.get_type_hints(options)
