"""record: record the call (``calling.record``).

Declared here: ``calling.record`` and its verb ``stop``; the record event
family (``calling.call.record``: ``record.stateChange``,
``record.recording``, ``record.no_input``, ``record.finished``);
RecordResult; RecordAction; the ``record*`` methods.
"""

from __future__ import annotations

from typing import Any

import attrs

from .. import commands
from .._callcore import CallCore
from ..events import EventFamily
from ..protocol import CommandResult
from ..results import Result
from ..wire import RECORD_STATES
from ._action import Action, waiting

__all__ = ["RECORD", "RecordAction", "RecordMethods", "RecordResult"]

RECORD = EventFamily("calling.call.record", "record", RECORD_STATES)


@attrs.frozen(kw_only=True)
class RecordResult(Result):
    """Result of ``record()``: ``url``, ``duration`` (s) and ``size`` (bytes) of the file."""

    url: str | None = None
    duration: float | None = None
    size: int | None = None


class RecordAction(Action[RecordResult]):
    """A running ``record``; ``url`` is known as soon as it starts."""

    methods = ("calling.record",)
    family = RECORD
    result_class = RecordResult
    outcomes = {"finished": None, "no_input": "no_input"}
    __slots__ = ("url", "_duration", "_size")

    def __init__(self, call: CallCore, params: dict[str, Any]) -> None:
        super().__init__(call, params)
        self.url: str | None = None
        self._duration: float | None = None
        self._size: int | None = None

    def _on_response(self, response: CommandResult) -> None:
        url = response.data.get("url")
        if isinstance(url, str) and self.url is None:
            self.url = url
        super()._on_response(response)

    def _take(self, params: dict[str, Any]) -> None:
        if isinstance(params.get("url"), str):
            self.url = params["url"]
        if isinstance(params.get("duration"), (int, float)):
            self._duration = params["duration"]
        if isinstance(params.get("size"), int):
            self._size = params["size"]

    def _fields(self) -> dict[str, Any]:
        return {"url": self.url, "duration": self._duration, "size": self._size}


class RecordMethods(CallCore):
    """record and record_async."""

    __slots__ = ()

    async def record_async(
        self,
        record_type: str = "audio",
        beep: bool | None = None,
        record_format: str | None = None,
        stereo: bool | None = None,
        direction: str | None = None,
        initial_timeout: float | None = None,
        end_silence_timeout: float | None = None,
        terminators: str | None = None,
    ) -> RecordAction:
        """Start recording; returns a RecordAction at once (its ``url`` is known).

        ``record_type``: ``audio`` (the only kind). Service defaults:
        ``beep`` False, ``record_format`` mp3 (or wav), ``stereo`` False,
        ``direction`` speak (listen/speak/both), ``initial_timeout`` 5 s,
        ``end_silence_timeout`` 1 s (0 disables either), ``terminators``
        ``#*``. A recording the caller ends by hanging up is kept and
        successful.
        """
        params = {
            "record": commands.record(
                record_type=record_type,
                beep=beep,
                stereo=stereo,
                record_format=record_format,
                direction=direction,
                initial_timeout=initial_timeout,
                end_silence_timeout=end_silence_timeout,
                terminators=terminators,
            )
        }
        return await self._start(RecordAction(self, params))

    record = waiting(
        record_async, "Record the call and wait until the recording ends: ``url``, ``duration``, ``size``."
    )
