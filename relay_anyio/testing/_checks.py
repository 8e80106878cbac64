"""Argument checks for the simulator's public API: each error names the argument and what it accepts.

Built on relay_anyio's own checks (InvalidArgument is a ValueError,
InvalidArgumentType a TypeError), so the SDK and its simulator word a
bad argument the same way.
"""

from __future__ import annotations

from typing import Any

from ..commands import boolean, choice, integer, number, text
from ..errors import InvalidArgument, InvalidArgumentType
from ._callers import Caller

__all__ = ["boolean", "caller", "choice", "count", "phone_number", "seconds", "text"]

CALLER_EXAMPLE = "a Caller (Caller(...), human(...), machine(...), busy, no_answer, decline or fax)"


def phone_number(name: str, value: Any) -> str:
    """A non-empty number string such as ``'+15551234567'`` (a Caller here is the classic mix-up)."""
    if not isinstance(value, str):
        hint = " (pass a Caller as caller=...)" if isinstance(value, Caller) else ""
        raise InvalidArgumentType(name, value, f"a number string such as '+15551234567'{hint}")
    return text(name, value)


def caller(name: str, value: Any) -> Caller | None:
    """A Caller, or None for the default."""
    if value is not None and not isinstance(value, Caller):
        raise InvalidArgumentType(name, value, CALLER_EXAMPLE)
    return value


def seconds(name: str, value: Any, *, allow_none: bool = True) -> float | None:
    """Seconds >= 0 (None = no limit, where allowed); a numeric string is not a duration here."""
    if value is None:
        if allow_none:
            return None
        raise InvalidArgumentType(name, value, "a number of seconds >= 0")
    if isinstance(value, str):
        raise InvalidArgumentType(name, value, "a number of seconds >= 0" + (" or None" if allow_none else ""))
    return float(number(name, value, minimum=0))


def count(name: str, value: Any, *, minimum: int = 0, maximum: int | None = None) -> int:
    """A whole number in ``minimum..maximum`` (not a bool, not a string)."""
    if isinstance(value, (bool, str)) or not isinstance(value, int):
        raise InvalidArgumentType(name, value, "an int")
    checked = integer(name, value, minimum=minimum)
    if maximum is not None and checked > maximum:
        raise InvalidArgument(name, value, f"an int from {minimum} to {maximum}")
    return checked
