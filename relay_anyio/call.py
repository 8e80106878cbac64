"""``Call``: the Relay.Calling.Call API, put together from its components.

Every method of the reference is declared once, in the module of its
component (``relay_anyio/components/``): each ``x_async`` starts a component
and returns its Action at once; each waiting ``x`` is made from it
(``waiting``) and returns the Result. Commands the service refuses give an
unsuccessful Result, never an exception; bad arguments raise
InvalidArgument/InvalidArgumentType before anything is sent.

Cancellation and shutdown: a waiting method that is cancelled stops its
component at the far end before the cancellation propagates (a cancelled
``dial()`` ends the call it placed); ``x_async`` Actions are not tied to the
caller's scope; when the client closes, every wait returns at once,
unsuccessful (``error="client closed"``).
"""

from __future__ import annotations

from ._callcore import Callback, CallCore
from .components.connect import ConnectMethods
from .components.detect import DetectMethods
from .components.fax import FaxMethods
from .components.lifecycle import LifecycleMethods
from .components.play import PlayMethods
from .components.prompt import PromptMethods
from .components.record import RecordMethods
from .components.send_digits import SendDigitsMethods
from .components.tap import TapMethods

__all__ = ["Call", "Callback"]


class Call(
    LifecycleMethods,
    ConnectMethods,
    PlayMethods,
    PromptMethods,
    RecordMethods,
    DetectMethods,
    FaxMethods,
    SendDigitsMethods,
    TapMethods,
    CallCore,
):
    """A call between SignalWire and a device (``phone``).

    Properties: ``id``, ``call_type``, ``from_number``, ``to_number``,
    ``timeout``, ``state``, ``prev_state``, ``context``, ``active``,
    ``ended``, ``answered``, ``failed``, ``busy``, ``device`` (plus
    ``node_id``, ``tag``, ``direction``, ``end_reason``, ``peer``).
    """

    __slots__ = ()
