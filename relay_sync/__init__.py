"""relay_sync: the blocking face of relay_anyio (calling, messaging, tasking), for scripts, notebooks and threaded apps.

    with Client(project, token, host) as client:
        result = client.calling.dial(from_number="+1...", to_number="+1...")
        result.call.play_tts(text="Hello")

The one implementation is relay_anyio's: it runs in a portal thread per
Client, and every method here is a thin blocking hop into it (see
``relay_sync._facade``). Results, Events and errors are relay_anyio's own.
"""

from relay_anyio import (
    AuthenticationError,
    Message,
    CommandTimeout,
    ConnectionClosed,
    Event,
    InvalidArgument,
    InvalidArgumentType,
    LocalProtocolError,
    ProtocolError,
    RelayError,
    RemoteProtocolError,
    __version__,
)

from . import _generated
from ._generated import *  # noqa: F403 - the Actions and Results, listed in _generated.__all__
from .call import Call
from .calling import Calling
from .client import Client
from .consumer import Consumer
from .messaging import Messaging, SendResult
from .task import Task
from .tasking import Tasking

__all__ = [
    "AuthenticationError",
    "Call",
    "Calling",
    "Client",
    "CommandTimeout",
    "ConnectionClosed",
    "Consumer",
    "Event",
    "InvalidArgument",
    "InvalidArgumentType",
    "LocalProtocolError",
    "Message",
    "Messaging",
    "ProtocolError",
    "RelayError",
    "RemoteProtocolError",
    "SendResult",
    "Task",
    "Tasking",
    "__version__",
]
__all__ += _generated.__all__
