"""A Consumer's event hooks: which API each subscribes with, and only when overridden.

Shared by relay_anyio's Consumer and relay_sync's: a hook a subclass does
not override subscribes to nothing (no handler, no ``signalwire.receive``
for it), as in the official SDK.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["HOOKS", "call_hook", "overridden"]

#: Hook name -> (the client's API, its subscribing method).
HOOKS = {
    "on_incoming_call": ("calling", "receive"),
    "on_task": ("tasking", "receive"),
    "on_incoming_message": ("messaging", "receive"),
    "on_message_state_change": ("messaging", "state_change"),
}


def overridden(consumer: object, base: type, client: object) -> Iterator[tuple[Callable[..., Any], Callable[..., Any]]]:
    """``(consumer's hook, client's subscribing method)`` for each hook ``consumer``'s class overrides."""
    for name, (api, method) in HOOKS.items():
        if getattr(type(consumer), name) is not getattr(base, name):
            yield getattr(consumer, name), getattr(getattr(client, api), method)


async def call_hook(hook: Callable[..., Any], *args: Any) -> Any:
    """Call a hook, awaiting it when it is async (official consumers mix both)."""
    value = hook(*args)
    if inspect.isawaitable(value):
        return await value
    return value
