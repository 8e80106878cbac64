"""How the blocking face is made from the async API, once, at import.

``dial = blocking(_a.Call.dial)`` in a class body makes a real function
(so ``help()``, ``inspect.signature`` and Jupyter's ``?`` show the async
method's name, parameters, defaults and docstring) whose body is a single
hop through the Client's portal. No body and no signature is retyped: the
signature comes from ``inspect.signature`` of the async method, the
docstring and name from ``functools.update_wrapper``.

Type checkers see the same thing without a ``.pyi``: ``blocking`` is typed
with a ``ParamSpec`` taken from the async method and returns a descriptor
protocol whose ``__get__`` gives ``Callable[P, R]``, so ``call.play_tts``
checks exactly like ``await async_call.play_tts`` (``returns=`` names the
sync type where it differs: the Action wrappers and the sync Call).
Attributes are mirrored the same way (``state = _attr(lambda c: c.state)``
is typed from the lambda's body). ``tests/sync/test_parity.py`` fails when
an async method has no twin or the two signatures drift.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
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

if TYPE_CHECKING:
    from typing import Self

    from ._portal import Core

__all__ = ["RESULT_TWINS", "Facade", "blocking", "facade_class", "in_loop", "mirror_of", "result_twin"]

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")
W = TypeVar("W")
R_co = TypeVar("R_co", covariant=True)

# relay_anyio class -> the relay_sync class that wraps its instances.
_FACADES: dict[type, type[Facade[Any]]] = {}
# relay_anyio Result class -> its relay_sync twin (a Result holding the blocking Call).
RESULT_TWINS: dict[type, type] = {}


def result_twin(of: type) -> Callable[[type[T]], type[T]]:
    """Register the decorated class as the relay_sync twin of the Result class ``of``."""

    def register(cls: type[T]) -> type[T]:
        RESULT_TWINS[of] = cls
        return cls

    return register


class Facade(Generic[W]):
    """A blocking wrapper around one relay_anyio object, bound to its Client's portal.

    Made by relay_sync (one wrapper per object, so identity holds:
    ``result.call is call``), never by users.
    """

    _wraps: ClassVar[type]

    def __init_subclass__(cls, wraps: type | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if wraps is not None:
            cls._wraps = wraps
            _FACADES[wraps] = cls
        for name, value in vars(cls).items():
            if getattr(value, "__relay_sync__", False) and value.__name__ == name:
                value.__qualname__ = f"{cls.__qualname__}.{name}"

    def __init__(self, core: Core, wrapped: W) -> None:
        self._core = core
        self._async = wrapped

    def __repr__(self) -> str:
        return repr(self._async)


def facade_class(obj: object) -> type[Facade[Any]] | None:
    """The relay_sync class for ``obj``'s relay_anyio class (nearest in its MRO)."""
    for klass in type(obj).__mro__:
        if klass in _FACADES:
            return _FACADES[klass]
    return None


class _Method(Protocol[P, R_co]):
    """What type checkers see for a blocking method: the async one's parameters, returning R."""

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> Self: ...
    @overload
    def __get__(self, obj: object, owner: type[Any]) -> Callable[P, R_co]: ...


# Two overloads only: with more, an argument type holding Any (``Sequence[Any]``)
# makes several match and mypy answers Any. Plain methods use ``in_loop``.
@overload
def blocking(fn: Callable[Concatenate[Any, P], Awaitable[R]]) -> _Method[P, R]: ...
@overload
def blocking(fn: Callable[Concatenate[Any, P], Any], returns: type[T]) -> _Method[P, T]: ...
def blocking(fn: Callable[..., Any], returns: type | None = None) -> Any:
    """The blocking twin of the relay_anyio method ``fn`` (async or not).

    It runs ``fn(self._async, ...)`` in the portal, waits, and returns the
    result with relay_anyio objects in it swapped for their relay_sync
    wrappers (``returns`` is that wrapper type, for signatures and types).
    """
    try:
        sig = inspect.signature(fn, eval_str=True)
    except NameError:  # an annotation only importable under TYPE_CHECKING
        sig = inspect.signature(fn)
    if returns is not None:
        sig = sig.replace(return_annotation=returns)

    def method(self: Facade[Any], /, *args: Any, **kwargs: Any) -> Any:
        return self._core.run(fn, self._async, *args, **kwargs)

    functools.update_wrapper(method, fn, assigned=("__name__", "__qualname__", "__doc__"))
    method.__signature__ = sig  # type: ignore[attr-defined]
    method.__annotations__ = {
        name: param.annotation for name, param in sig.parameters.items() if param.annotation is not param.empty
    }
    method.__annotations__["return"] = sig.return_annotation
    method.__relay_sync__ = True  # type: ignore[attr-defined]
    return method


def in_loop(fn: Callable[Concatenate[Any, P], R]) -> _Method[P, R]:
    """The blocking twin of a plain (not async) relay_anyio method: it runs in
    the loop's thread, where its object lives (as ``blocking`` does)."""
    method: _Method[P, R] = blocking(fn, returns=None)  # type: ignore[call-overload]
    return method


def mirror_of(cls: type[W]) -> Callable[[Callable[[W], T]], T]:
    """A maker of read-only properties of ``cls`` objects: ``_attr(lambda c: c.state)``.

    Reads do not block (a plain attribute read of the async object); the
    docstring is taken from ``cls``'s property of the same name, if any.
    """

    def mirror(get: Callable[[W], T]) -> T:
        return cast(T, _Mirror(cls, get))

    return mirror


class _Mirror(property):
    def __init__(self, cls: type, get: Callable[[Any], Any]) -> None:
        super().__init__(lambda facade: get(facade._async))
        self._cls = cls

    def __set_name__(self, owner: type, name: str) -> None:
        source = inspect.getattr_static(self._cls, name, None)
        self.__doc__ = source.__doc__ if isinstance(source, property) else f"The async object's ``{name}``."
