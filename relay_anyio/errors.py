"""Exceptions raised by relay_anyio.

A command the server refuses is *not* an exception: its Result comes back
with ``successful == False``. Exceptions are for the connection itself
(credentials, a dead socket, a command nobody answered) and for bad
arguments, which are rejected before anything is sent.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "RelayError",
    "AuthenticationError",
    "ConnectionClosed",
    "CommandTimeout",
    "ProtocolError",
    "RemoteProtocolError",
    "LocalProtocolError",
    "InvalidArgument",
    "InvalidArgumentType",
]


class RelayError(Exception):
    """Base class of every error raised by relay_anyio."""


class AuthenticationError(RelayError):
    """The service refused the project/token in ``blade.connect``.

    Not retried in a loop: fix the credentials.
    """

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


class ConnectionClosed(RelayError):
    """The client is closed (or was never opened), so the command cannot run."""


class CommandTimeout(RelayError):
    """No response to a command within the configured time.

    ``method`` is the Relay method (``calling.play`` ...), ``timeout`` the
    seconds waited. ``sent`` tells whether the command went out: False when
    the client had no connection for the whole ``timeout`` (the command
    never reached the service, so it did not run); True when it was sent
    and no answer came (it may have run).
    """

    def __init__(self, method: str, timeout: float, *, sent: bool = True) -> None:
        if sent:
            message = f"no response to {method!r} within {timeout:g} s"
        else:
            message = f"{method!r} was never sent: no connection to Relay within {timeout:g} s"
        super().__init__(message)
        self.method = method
        self.timeout = timeout
        self.sent = sent


class ProtocolError(RelayError):
    """A frame broke the JSON-RPC/Blade protocol."""


class RemoteProtocolError(ProtocolError):
    """The peer sent a frame we cannot understand."""


class LocalProtocolError(ProtocolError):
    """We were asked to build a frame the protocol does not allow."""


class InvalidArgument(RelayError, ValueError):
    """An argument has a value the API does not accept.

    Raised before anything is sent. ``argument`` names it; ``allowed``
    describes what is accepted.
    """

    def __init__(self, argument: str, value: object, allowed: str | Iterable[str]) -> None:
        if not isinstance(allowed, str):
            allowed = ", ".join(repr(a) for a in allowed)
        super().__init__(f"invalid {argument}={value!r}: allowed {allowed}")
        self.argument = argument
        self.value = value
        self.allowed = allowed


class InvalidArgumentType(RelayError, TypeError):
    """An argument has the wrong type (raised before anything is sent)."""

    def __init__(self, argument: str, value: object, expected: str) -> None:
        super().__init__(
            f"invalid {argument}={value!r}: expected {expected}, got {type(value).__name__}"
        )
        self.argument = argument
        self.value = value
        self.expected = expected


#: What a wait raises when the client closed or the session gave up for good
#: (a call's waits turn it into an unsuccessful Result saying why).
CLOSED_ERRORS: tuple[type[RelayError], ...] = (ConnectionClosed, AuthenticationError)
