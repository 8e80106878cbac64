"""The component kinds of a call, one module each, and the registry they fill.

Each module declares one kind: its wire method(s) and control verbs, its
event family, its Result and Action classes, and the Call methods that
start it (``x_async``) and wait for it (``x``, made by ``waiting``). Importing
a module registers its Action (``ACTIONS``) and event family
(``relay_anyio.events.FAMILIES``); everything else derives from those.
"""

from ._action import ACTIONS as ACTIONS
from ._action import Action
from ._action import verb as verb
from ._action import waiting as waiting
from .connect import ConnectAction, ConnectResult, DisconnectResult
from .detect import DetectAction, DetectResult
from .fax import FaxAction, FaxResult
from .lifecycle import AnswerResult, DialResult, HangupResult
from .play import PlayAction, PlayPauseResult, PlayResult, PlayResumeResult, PlayVolumeResult
from .prompt import PromptAction, PromptResult, PromptVolumeResult
from .record import RecordAction, RecordResult
from .send_digits import SendDigitsAction, SendDigitsResult
from .tap import TapAction, TapResult

# The public names, re-exported by relay_anyio (each module's *Methods part goes into relay_anyio.Call).
__all__ = [
    "Action",
    "AnswerResult",
    "ConnectAction",
    "ConnectResult",
    "DetectAction",
    "DetectResult",
    "DialResult",
    "DisconnectResult",
    "FaxAction",
    "FaxResult",
    "HangupResult",
    "PlayAction",
    "PlayPauseResult",
    "PlayResult",
    "PlayResumeResult",
    "PlayVolumeResult",
    "PromptAction",
    "PromptResult",
    "PromptVolumeResult",
    "RecordAction",
    "RecordResult",
    "SendDigitsAction",
    "SendDigitsResult",
    "TapAction",
    "TapResult",
]
