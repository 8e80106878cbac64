"""relay-anyio: SignalWire Relay v2 (calling, messaging, tasking) on anyio (asyncio and trio).

    async with Client(project, token, host) as client:
        result = await client.calling.dial(from_number="+1...", to_number="+1...")
        await result.call.play_tts(text="Hello")
"""

from ._version import __version__
from . import components
from .components import *  # noqa: F403 - the Actions and Results, listed in components.__all__
from .call import Call
from .calling import Calling
from .client import Client
from .consumer import Consumer
from .errors import (
    AuthenticationError,
    CommandTimeout,
    ConnectionClosed,
    InvalidArgument,
    InvalidArgumentType,
    LocalProtocolError,
    ProtocolError,
    RelayError,
    RemoteProtocolError,
)
from .events import Event
from .messaging import DeliveryResult, Message, Messaging, SendResult
from .task import Task
from .tasking import Tasking
from .results import Result, StopResult

__all__ = [
    "__version__",
    "AuthenticationError",
    "Call",
    "Calling",
    "Client",
    "CommandTimeout",
    "ConnectionClosed",
    "Consumer",
    "DeliveryResult",
    "Event",
    "InvalidArgument",
    "InvalidArgumentType",
    "LocalProtocolError",
    "Message",
    "Messaging",
    "ProtocolError",
    "RelayError",
    "RemoteProtocolError",
    "Result",
    "SendResult",
    "StopResult",
    "Task",
    "Tasking",
]
__all__ += components.__all__
