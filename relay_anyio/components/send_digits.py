"""send_digits: DTMF to the far end (``calling.send_digits``).

Declared here: ``calling.send_digits`` and its verb ``stop``; the event
family (``calling.call.send_digits``: ``sendDigits.stateChange``,
``sendDigits.finished``); SendDigitsResult; SendDigitsAction; the methods.
"""

from __future__ import annotations

import attrs

from .. import commands
from .._callcore import CallCore
from ..events import EventFamily
from ..results import Result
from ..wire import SEND_DIGITS_STATES
from ._action import Action, waiting

__all__ = ["SEND_DIGITS", "SendDigitsAction", "SendDigitsMethods", "SendDigitsResult"]

SEND_DIGITS = EventFamily("calling.call.send_digits", "sendDigits", SEND_DIGITS_STATES)


@attrs.frozen(kw_only=True)
class SendDigitsResult(Result):
    """Result of ``send_digits()``."""


class SendDigitsAction(Action[SendDigitsResult]):
    """A running ``send_digits``."""

    methods = ("calling.send_digits",)
    family = SEND_DIGITS
    result_class = SendDigitsResult
    outcomes = {"finished": None}
    __slots__ = ()


class SendDigitsMethods(CallCore):
    """send_digits and send_digits_async."""

    __slots__ = ()

    async def send_digits_async(self, digits: str) -> SendDigitsAction:
        """Send DTMF ``digits``; returns a SendDigitsAction at once.

        Allowed: ``0-9 * # A-D`` and ``w``/``W`` (short and long waits); any
        other character rejects the whole string before anything is sent.
        """
        return await self._start(SendDigitsAction(self, {"digits": commands.digits(digits)}))

    send_digits = waiting(send_digits_async, "Send DTMF ``digits`` and wait until they are sent.")
