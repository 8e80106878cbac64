"""relay-anyio: SignalWire Relay v2 calling on anyio (asyncio and trio)."""

from .errors import (
    AuthenticationError,
    CommandTimeout,
    ConnectionClosed,
    InvalidArgument,
    InvalidArgumentType,
    ProtocolError,
    RelayError,
)

__version__ = "0.1.0"

__all__ = [
    "AuthenticationError",
    "CommandTimeout",
    "ConnectionClosed",
    "InvalidArgument",
    "InvalidArgumentType",
    "ProtocolError",
    "RelayError",
]
