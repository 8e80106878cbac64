"""Results of Call methods: read-only attrs classes.

Every Result has ``successful`` and ``event`` (the event that settled it:
``event.name`` is the Relay event type, ``event.payload`` its params).
``error`` says why an unsuccessful result failed (the server's message for
a refused command, ``"call ended"``, ``"session lost"`` ...).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from .call import Call

__all__ = [
    "Event",
    "Result",
    "AnswerResult",
    "HangupResult",
    "DialResult",
    "ConnectResult",
    "DisconnectResult",
    "PlayResult",
    "PromptResult",
    "RecordResult",
    "DetectResult",
    "FaxResult",
    "SendDigitsResult",
    "TapResult",
    "StopResult",
    "PlayPauseResult",
    "PlayResumeResult",
    "PlayVolumeResult",
    "PromptVolumeResult",
]


@attrs.frozen
class Event:
    """A Relay event: ``name`` (e.g. ``calling.call.play``) and its ``payload``."""

    name: str
    payload: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.frozen(kw_only=True)
class Result:
    successful: bool = False
    event: Event | None = attrs.field(default=None, repr=False)
    error: str | None = None


@attrs.frozen(kw_only=True)
class AnswerResult(Result):
    """Result of ``answer()``."""


@attrs.frozen(kw_only=True)
class HangupResult(Result):
    """Result of ``hangup()``; ``reason`` is the call's end_reason."""

    reason: str | None = None


@attrs.frozen(kw_only=True)
class DialResult(Result):
    """Result of ``dial()``; ``call`` is the dialed Call."""

    call: Call | None = None


@attrs.frozen(kw_only=True)
class ConnectResult(Result):
    """Result of ``connect()``; ``call`` is the remote (peer) Call when connected."""

    call: Call | None = None


@attrs.frozen(kw_only=True)
class DisconnectResult(Result):
    """Result of ``disconnect()``."""


@attrs.frozen(kw_only=True)
class PlayResult(Result):
    """Result of ``play*()``."""


@attrs.frozen(kw_only=True)
class PromptResult(Result):
    """Result of ``prompt*()``.

    ``prompt_type``: ``digit``, ``speech``, ``no_input``, ``no_match`` or
    ``error``; ``result``: the digits or the recognized text;
    ``terminator`` (digits) or ``confidence`` (speech).
    """

    prompt_type: str | None = None
    result: str | None = None
    terminator: str | None = None
    confidence: float | None = None


@attrs.frozen(kw_only=True)
class RecordResult(Result):
    """Result of ``record()``: ``url``, ``duration`` (s) and ``size`` (bytes) of the file."""

    url: str | None = None
    duration: float | None = None
    size: int | None = None


@attrs.frozen(kw_only=True)
class DetectResult(Result):
    """Result of ``detect*()``: ``detect_type`` and ``result``.

    ``result`` is MACHINE/HUMAN/UNKNOWN, CED/CNG or the digits; for an
    ``*_async`` detector that ran to the end, every event joined by commas.
    """

    detect_type: str | None = None
    result: str | None = None


@attrs.frozen(kw_only=True)
class FaxResult(Result):
    """Result of ``fax_send()`` / ``fax_receive()``."""

    direction: str | None = None
    identity: str | None = None
    remote_identity: str | None = None
    document: str | None = None
    pages: int | None = None


@attrs.frozen(kw_only=True)
class SendDigitsResult(Result):
    """Result of ``send_digits()``."""


@attrs.frozen(kw_only=True)
class TapResult(Result):
    """Result of ``tap()``: the ``tap`` spec, ``source_device`` and ``destination_device``."""

    tap: dict[str, Any] | None = None
    source_device: dict[str, Any] | None = None
    destination_device: dict[str, Any] | None = None


@attrs.frozen(kw_only=True)
class StopResult(Result):
    """Result of ``action.stop()``: whether the server accepted the stop."""


@attrs.frozen(kw_only=True)
class PlayPauseResult(StopResult):
    """Result of ``PlayAction.pause()``."""


@attrs.frozen(kw_only=True)
class PlayResumeResult(StopResult):
    """Result of ``PlayAction.resume()``."""


@attrs.frozen(kw_only=True)
class PlayVolumeResult(StopResult):
    """Result of ``PlayAction.volume()``."""


@attrs.frozen(kw_only=True)
class PromptVolumeResult(StopResult):
    """Result of ``PromptAction.volume()``."""
