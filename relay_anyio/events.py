"""Events: the ``Event`` users get, and the event families calls route by.

An ``EventFamily`` is the declaration of one Relay event type
(``calling.call.play`` ...): which ``call.on()`` names it fires, how its
state is read, what payload a Result and an ``on()`` callback get, and
where it is routed. Each component module declares its family; routing
(``FAMILIES``) and the names ``on()`` accepts (``event_names()``) derive
from the declarations, so a declared family cannot be left unrouted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import attrs

from .wire import CALL_STATES

__all__ = ["Event", "EventFamily", "FAMILIES", "event_names", "CALL_STATES"]

Params = Mapping[str, Any]


@attrs.frozen
class Event(Mapping[str, Any]):
    """What happened (``name``: a state such as ``finished``, ``answered``,
    ``MACHINE``, ``digit``) and its data (``payload``).

    It reads like its payload too (``event["state"]``, ``event.get(...)``),
    so callbacks written for the official SDK, which get the raw params,
    run unchanged.
    """

    name: str
    payload: dict[str, Any] = attrs.field(factory=dict, repr=False)

    def __getitem__(self, key: str) -> Any:
        return self.payload[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.payload)

    def __len__(self) -> int:
        return len(self.payload)

    def __bool__(self) -> bool:  # an Event is there even when its payload is empty
        return True


def _state_field(params: Params) -> Any:
    return params.get("state")


def _same(params: Params) -> dict[str, Any]:
    return dict(params)


class EventFamily:
    """One Relay event type, declared once by the component it belongs to.

    ``prefix``: the ``on()`` names are ``<prefix>.<state>`` (bare states for
    the call's own ``calling.call.state``), plus ``<prefix>.stateChange`` for
    every event when ``change``; ``fixed`` replaces all of them (prompt's
    single ``prompt``). ``alias`` maps a state to its name (detect's
    ``update``). ``states``: those the reference knows (what ``on()``
    accepts); others still fire ``stateChange`` and ``<prefix>.<state>``,
    never finish anything. ``state``: reads the state from the params.
    ``result_payload`` / ``listener_payload``: what a Result's ``event`` and
    an ``on()`` callback's Event carry, as the official SDK gives them.
    ``handler``: the Call method that takes the event (None: the running
    component with the event's ``control_id``).
    """

    __slots__ = (
        "event_type", "prefix", "states", "state", "change", "fixed", "alias",
        "result_payload", "listener_payload", "handler", "_names",
    )

    def __init__(
        self,
        event_type: str,
        prefix: str | None,
        states: Sequence[str] = (),
        *,
        state: Callable[[Params], Any] = _state_field,
        change: bool = True,
        fixed: tuple[str, ...] | None = None,
        alias: Callable[[str], str] | None = None,
        result_payload: Callable[[Params], dict[str, Any]] = _same,
        listener_payload: Callable[[Params], dict[str, Any]] = _same,
        handler: str | None = None,
    ) -> None:
        self.event_type = event_type
        self.prefix = prefix
        self.states = tuple(states)
        self.state = state
        self.change = change
        self.fixed = fixed
        self.alias = alias
        self.result_payload = result_payload
        self.listener_payload = listener_payload
        self.handler = handler
        self._names: dict[str, tuple[str, ...]] = {}
        if event_type in FAMILIES:
            raise ValueError(f"event type {event_type!r} is declared twice")
        FAMILIES[event_type] = self
        _declared.cache = None

    def __repr__(self) -> str:
        return f"<EventFamily {self.event_type}>"

    def _name(self, state: str) -> str:
        suffix = self.alias(state) if self.alias is not None else state
        return suffix if self.prefix is None else f"{self.prefix}.{suffix}"

    @property
    def change_name(self) -> str | None:
        if not self.change:
            return None
        return "stateChange" if self.prefix is None else f"{self.prefix}.stateChange"

    @property
    def declared_names(self) -> frozenset[str]:
        """The names ``on()`` accepts for this family."""
        if self.fixed is not None:
            return frozenset(self.fixed)
        names = {self._name(state) for state in self.states}
        if self.change_name is not None:
            names.add(self.change_name)
        return frozenset(names)

    def names(self, params: Params) -> tuple[str, ...]:
        """The ``on()`` names one event fires, most general first."""
        if self.fixed is not None:
            return self.fixed
        state = self.state(params)
        if not isinstance(state, str):
            return ()
        names = self._names.get(state)
        if names is None:
            specific = self._name(state)
            change = self.change_name
            names = (change, specific) if change is not None else (specific,)
            if len(self._names) < 64:  # states are few; a hostile stream of odd ones is not cached
                self._names[state] = names
        return names

    def event(self, params: Params, *, for_result: bool = True) -> Event:
        """The Event a Result (or an ``on()`` callback) gets for these params."""
        state = self.state(params)
        payload = self.result_payload(params) if for_result else self.listener_payload(params)
        return Event(state if isinstance(state, str) else self.event_type, payload)


#: Relay event type -> its family (filled as component modules are imported).
FAMILIES: dict[str, EventFamily] = {}


class _declared:
    cache: frozenset[str] | None = None


def event_names() -> frozenset[str]:
    """Every name ``call.on()`` / ``call.off()`` accepts: the declared families' names."""
    if _declared.cache is None:
        _declared.cache = frozenset().union(*(family.declared_names for family in FAMILIES.values()))
    return _declared.cache
