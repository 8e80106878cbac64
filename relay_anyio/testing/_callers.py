"""Who is on the other end of a simulated call, and what they do.

A :class:`Caller` is a script: for an outbound number (``sim.phone``) it
says how the dialed party answers (or does not); for an inbound call it
describes the person calling in. Either way it decides what the far end
presses, says, records and faxes while the SDK talks to the call.
"""

from __future__ import annotations

import collections
import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import attrs

__all__ = [
    "DEFAULT_INBOUND_CALLER",
    "RING_SECONDS",
    "Caller",
    "CallerKind",
    "busy",
    "decline",
    "fax",
    "human",
    "machine",
    "no_answer",
]

CallerKind = Literal["human", "machine", "fax", "busy", "no_answer", "decline"]
KINDS: tuple[str, ...] = ("human", "machine", "fax", "busy", "no_answer", "decline")

#: Simulated length of one ring: unknown numbers answer after one ring.
RING_SECONDS = 3.0

_DIGITS_RE = re.compile(r"^[0-9*#A-Da-d ,]*$")


def _check_kind(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if value not in KINDS:
        raise ValueError(f"Caller kind must be one of {', '.join(KINDS)}; got {value!r}")


def _check_presses(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not _DIGITS_RE.match(value):
        raise ValueError(
            f"Caller presses must be DTMF digits 0-9 * # A-D, with spaces or commas "
            f"between digit groups; got {value!r}"
        )


def _check_non_negative(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ValueError(f"Caller {attribute.name} must be a number >= 0; got {value!r}")


def _says_converter(value: str | Sequence[str] | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return (value,)
    items = tuple(value)
    if not all(isinstance(v, str) for v in items):
        raise ValueError(f"Caller says must be a string or a list of strings; got {value!r}")
    return items


def _check_bool(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, bool):
        raise ValueError(f"Caller {attribute.name} must be True or False; got {value!r}")


def _check_count(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"Caller {attribute.name} must be an int >= 0; got {value!r}")


def _check_confidence(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ValueError(f"Caller {attribute.name} must be a number from 0 to 1; got {value!r}")


@attrs.frozen(kw_only=True)
class Caller:
    """The script of the far end of a call (every field is a keyword: ``Caller(kind="machine")``).

    kind:
        ``human`` (default), ``machine`` (answering machine: greeting, then
        beep), ``fax`` (a fax machine), ``busy``, ``no_answer`` (rings until
        the dial timeout) or ``decline`` (rejects the call). The last three
        only make sense for numbers the SDK dials.
    answer_after:
        Simulated seconds the dialed number rings before answering; None =
        one ring (``RING_SECONDS``).
    presses:
        DTMF the caller presses, consumed in order by successive prompts and
        digit detectors. A space or comma separates digit groups: a pause
        longer than the digit timeout (a prompt stops collecting there, a
        digit detector reports one event per group).
    says:
        What the caller says: one utterance, or a list consumed one per
        speech prompt. None = the caller is silent (records get no_input).
    confidence:
        Speech recognition confidence reported for what the caller says.
    hangs_up_after:
        Simulated seconds after the answer when the far end hangs up; None
        = never (it waits for the SDK to end the call). An inbound caller
        nobody answers keeps ringing: at time_scale 0 any patience would
        run out before the SDK could answer.
    greeting, beep:
        For a machine: how long its greeting plays, and whether a beep
        follows it (detect reports READY at the end of the greeting).
    message_seconds:
        How long the caller speaks when recorded.
    fax_pages:
        Pages a fax caller sends, or accepts when a fax is sent to it.
    """

    kind: str = attrs.field(default="human", validator=_check_kind)
    answer_after: float | None = attrs.field(default=None, validator=_check_non_negative)
    presses: str = attrs.field(default="", validator=_check_presses)
    says: tuple[str, ...] | None = attrs.field(default=None, converter=_says_converter)
    confidence: float = attrs.field(default=0.9, validator=_check_confidence)
    hangs_up_after: float | None = attrs.field(default=None, validator=_check_non_negative)
    greeting: float = attrs.field(default=3.0, validator=_check_non_negative)
    beep: bool = attrs.field(default=True, validator=_check_bool)
    message_seconds: float = attrs.field(default=2.0, validator=_check_non_negative)
    fax_pages: int = attrs.field(default=1, validator=_check_count)

    @property
    def answers(self) -> bool:
        """Whether a dialed call to this caller is answered at all."""
        return self.kind in ("human", "machine", "fax")

    @property
    def ring_seconds(self) -> float:
        return RING_SECONDS if self.answer_after is None else float(self.answer_after)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form (the control API returns it)."""
        data = attrs.asdict(self)
        data["says"] = list(self.says) if self.says is not None else None
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Caller:
        """Build a Caller from JSON; unknown keys are an error (ValueError)."""
        if not isinstance(data, Mapping):
            # ValueError, as for every other bad caller: the control API answers 400 for it.
            raise ValueError(f"caller must be a JSON object; got {type(data).__name__}")  # noqa: TRY004
        names = {a.name for a in attrs.fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise ValueError(
                f"unknown caller field(s) {', '.join(unknown)}; known: {', '.join(sorted(names))}"
            )
        try:
            return cls(**dict(data))
        except TypeError as exc:
            raise ValueError(f"invalid caller: {exc}") from None


busy = Caller(kind="busy")
no_answer = Caller(kind="no_answer")
decline = Caller(kind="decline")
fax = Caller(kind="fax")

#: A dialed number nobody scripted: a human who answers after one ring and says nothing.
UNKNOWN_NUMBER_CALLER = Caller()

#: The caller of inbound calls when none is given: presses 1234# and says "yes".
DEFAULT_INBOUND_CALLER = Caller(presses="1234#", says="yes")


def machine(
    greeting: float = 3.0,
    *,
    beep: bool = True,
    answer_after: float | None = None,
    message_seconds: float = 2.0,
    hangs_up_after: float | None = None,
) -> Caller:
    """An answering machine: plays a greeting of ``greeting`` seconds, then beeps."""
    return Caller(
        kind="machine",
        greeting=greeting,
        beep=beep,
        answer_after=answer_after,
        message_seconds=message_seconds,
        says=("Please leave a message after the tone",),
        hangs_up_after=hangs_up_after,
    )


def human(
    presses: str = "",
    *,
    says: str | Sequence[str] | None = None,
    answer_after: float | None = None,
    confidence: float = 0.9,
    hangs_up_after: float | None = None,
    message_seconds: float = 2.0,
) -> Caller:
    """A person who presses ``presses`` and says ``says`` when asked."""
    return Caller(
        kind="human",
        presses=presses,
        says=says,
        answer_after=answer_after,
        confidence=confidence,
        hangs_up_after=hangs_up_after,
        message_seconds=message_seconds,
    )


class CallerState:
    """What is left of a caller's script during one call (presses, utterances)."""

    __slots__ = ("_presses", "_says", "caller")

    def __init__(self, caller: Caller) -> None:
        self.caller = caller
        self._presses = caller.presses.replace(",", " ")
        self._says: collections.deque[str] = collections.deque(caller.says or ())

    @property
    def pending_presses(self) -> str:
        return self._presses

    def has_presses(self) -> bool:
        return bool(self._presses.strip())

    def has_speech(self) -> bool:
        return bool(self._says)

    @property
    def speaks(self) -> bool:
        """Whether the caller says anything at all (a record hears something)."""
        return bool(self.caller.says)

    def take_digits(self, max_digits: int, terminators: str) -> tuple[str, str]:
        """Consume presses for one prompt: (digits, terminator).

        Stops at a terminator (consumed, reported), after ``max_digits``
        digits (a terminator pressed right after them is consumed and
        reported too, as typed), or at a group break (the digit timeout).
        """
        presses = self._presses.lstrip(" ")
        digits: list[str] = []
        terminator = ""
        i = 0
        while i < len(presses):
            ch = presses[i]
            if ch == " ":
                break
            i += 1
            if ch in terminators:
                terminator = ch
                break
            digits.append(ch)
            if max_digits and len(digits) >= max_digits:
                if i < len(presses) and presses[i] in terminators:
                    terminator = presses[i]
                    i += 1
                break
        self._presses = presses[i:]
        return "".join(digits), terminator

    def take_groups(self, allowed: str | None) -> list[str]:
        """Consume all presses as digit groups (for a digit detector)."""
        groups = []
        for group in self._presses.split():
            kept = "".join(ch for ch in group if allowed is None or ch in allowed)
            if kept:
                groups.append(kept)
        self._presses = ""
        return groups

    def take_terminator(self, terminators: str) -> str:
        """Consume the next press if it ends a recording; return it or ''."""
        presses = self._presses.lstrip(" ")
        if presses and presses[0] in terminators:
            self._presses = presses[1:]
            return presses[0]
        return ""

    def take_utterance(self) -> str | None:
        return self._says.popleft() if self._says else None
