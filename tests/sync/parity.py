"""The parity check: every public member of a relay_anyio class has a relay_sync twin.

Methods must match in name, parameters (names, kinds, defaults,
annotations), docstring and return type (relay_anyio Actions and Calls map
to their relay_sync classes), and must not be coroutine functions.
"""

from __future__ import annotations

import inspect
from typing import Any, TypeVar

import relay_anyio
import relay_sync

#: Hand-written twins whose callback parameters take relay_sync objects:
#: their parameter annotations may differ (names, kinds and defaults may not).
CALLBACK_METHODS = {
    ("Call", "on"), ("Call", "off"), ("Calling", "receive"),
    ("Messaging", "receive"), ("Messaging", "state_change"), ("Tasking", "receive"),
}


def public_members(cls: type, instance: object | None = None) -> dict[str, Any]:
    """Public methods and properties of ``cls``, plus public attributes of ``instance``."""
    members = {name: inspect.getattr_static(cls, name) for name in dir(cls) if not name.startswith("_")}
    if instance is not None:
        attributes = dict(getattr(instance, "__dict__", {}))
        for klass in type(instance).__mro__:  # the attributes held in slots
            attributes.update({slot: getattr(instance, slot, None) for slot in getattr(klass, "__slots__", ())})
        members.update({name: value for name, value in attributes.items() if not name.startswith("_")})
    return members


def _sync_type(annotation: Any) -> Any:
    """The relay_sync type a relay_anyio return annotation maps to (a Call, an
    Action, a Result holding a Call)."""
    if isinstance(annotation, type) and annotation.__module__.startswith("relay_anyio."):
        twin = getattr(relay_sync, annotation.__name__, None)
        if twin is not None and twin is not annotation:
            return twin
    return annotation


ACTIONS = tuple(name for name in relay_anyio.__all__ if name.endswith("Action"))


def _signature(fn: Any) -> inspect.Signature:
    try:
        return inspect.signature(fn, eval_str=True)
    except NameError:
        return inspect.signature(fn)


def differences(async_cls: type, sync_cls: type, instance: object | None = None) -> list[str]:
    """What keeps ``sync_cls`` from being the blocking twin of ``async_cls`` (empty = parity)."""
    problems: list[str] = []
    for name, member in sorted(public_members(async_cls, instance).items()):
        if not hasattr(sync_cls, name):
            problems.append(f"{async_cls.__name__}.{name}: no twin in {sync_cls.__name__}")
            continue
        twin = inspect.getattr_static(sync_cls, name)
        if isinstance(member, (staticmethod, classmethod)) or not inspect.isfunction(member):
            if inspect.isfunction(twin):
                problems.append(f"{name}: an attribute in {async_cls.__name__}, a method in {sync_cls.__name__}")
            continue
        if not inspect.isfunction(twin):
            problems.append(f"{name}: a method in {async_cls.__name__}, not in {sync_cls.__name__}")
            continue
        if inspect.iscoroutinefunction(twin):
            problems.append(f"{name}: the twin is a coroutine function, it must block")
        a, s = _signature(member), _signature(twin)
        loose = (async_cls.__name__, name) in CALLBACK_METHODS
        a_params, s_params = list(a.parameters.values()), list(s.parameters.values())
        shape = [(p.name, p.kind, p.default) for p in a_params]
        if shape != [(p.name, p.kind, p.default) for p in s_params]:
            problems.append(f"{name}: parameters differ: {a} vs {s}")
        elif not loose and [p.annotation for p in a_params] != [p.annotation for p in s_params]:
            problems.append(f"{name}: parameter types differ: {a} vs {s}")
        expected = _sync_type(a.return_annotation)
        generic = isinstance(a.return_annotation, TypeVar)  # Action.wait -> R: each twin names its Result
        if a.return_annotation is not inspect.Signature.empty and not loose and not generic and s.return_annotation != expected:
            problems.append(f"{name}: returns {s.return_annotation!r}, expected {expected!r}")
        if not (twin.__doc__ or "").startswith(member.__doc__ or ""):
            problems.append(f"{name}: docstring differs from the async method's")
    return problems
