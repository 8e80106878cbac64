"""The simulator's way to refuse a command: a non-200 ``result.code``."""

from __future__ import annotations

__all__ = ["BAD_REQUEST", "CONFLICT", "GONE", "NOT_FOUND", "CommandError", "MissingExtra"]

BAD_REQUEST = "400"  # invalid params
NOT_FOUND = "404"  # unknown call, component, method or protocol
CONFLICT = "409"  # the component or call is not in a state for this command
GONE = "410"  # the call has ended


class CommandError(Exception):
    """Raised by a command handler; answered as ``{"code": code, "message": message}``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class MissingExtra(RuntimeError):
    """The simulator's server needs a package of the ``sim`` extra that is not installed."""

    def __init__(self, module: str | None) -> None:
        super().__init__(
            f"the Relay simulator needs the 'sim' extra ({module or 'one of its packages'} is not installed): "
            "pip install 'relay-anyio[sim]'"
        )
        self.module = module
