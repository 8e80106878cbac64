"""relay-anyio: SignalWire Relay v2 calling on anyio (asyncio and trio).

    async with Client(project, token, host) as client:
        result = await client.calling.dial(from_number="+1...", to_number="+1...")
        await result.call.play_tts(text="Hello")
"""

from ._version import __version__
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
from .results import (
    AnswerResult,
    ConnectResult,
    DetectResult,
    DialResult,
    DisconnectResult,
    Event,
    FaxResult,
    HangupResult,
    PlayPauseResult,
    PlayResult,
    PlayResumeResult,
    PlayVolumeResult,
    PromptResult,
    PromptVolumeResult,
    RecordResult,
    Result,
    SendDigitsResult,
    StopResult,
    TapResult,
)

__all__ = [
    "__version__",
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
]
