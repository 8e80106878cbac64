"""relay_sync: the blocking face of relay_anyio, for scripts, notebooks and threaded apps.

    with Client(project, token, host) as client:
        result = client.calling.dial(from_number="+1...", to_number="+1...")
        result.call.play_tts(text="Hello")

The one implementation is relay_anyio's: it runs in a portal thread per
Client, and every method here is a thin blocking hop into it (see
``relay_sync._facade``). Results, Events and errors are relay_anyio's own.
"""

from relay_anyio import (
    AnswerResult,
    AuthenticationError,
    CommandTimeout,
    ConnectionClosed,
    ConnectResult,
    DetectResult,
    DialResult,
    DisconnectResult,
    Event,
    FaxResult,
    HangupResult,
    InvalidArgument,
    InvalidArgumentType,
    LocalProtocolError,
    PlayPauseResult,
    PlayResult,
    PlayResumeResult,
    PlayVolumeResult,
    PromptResult,
    PromptVolumeResult,
    ProtocolError,
    RecordResult,
    RelayError,
    RemoteProtocolError,
    Result,
    SendDigitsResult,
    StopResult,
    TapResult,
    __version__,
)

from .actions import (
    Action,
    ConnectAction,
    DetectAction,
    FaxAction,
    PlayAction,
    PromptAction,
    RecordAction,
    SendDigitsAction,
    TapAction,
)
from .call import Call
from .calling import Calling
from .client import Client
from .consumer import Consumer

__all__ = [
    "Action",
    "AnswerResult",
    "AuthenticationError",
    "Call",
    "Calling",
    "Client",
    "CommandTimeout",
    "ConnectAction",
    "ConnectResult",
    "ConnectionClosed",
    "Consumer",
    "DetectAction",
    "DetectResult",
    "DialResult",
    "DisconnectResult",
    "Event",
    "FaxAction",
    "FaxResult",
    "HangupResult",
    "InvalidArgument",
    "InvalidArgumentType",
    "LocalProtocolError",
    "PlayAction",
    "PlayPauseResult",
    "PlayResult",
    "PlayResumeResult",
    "PlayVolumeResult",
    "PromptAction",
    "PromptResult",
    "PromptVolumeResult",
    "ProtocolError",
    "RecordAction",
    "RecordResult",
    "RelayError",
    "RemoteProtocolError",
    "Result",
    "SendDigitsAction",
    "SendDigitsResult",
    "StopResult",
    "TapAction",
    "TapResult",
    "__version__",
]
