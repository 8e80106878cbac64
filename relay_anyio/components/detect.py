"""detect: answering-machine, fax-tone and digit detectors (``calling.detect``).

Declared here: ``calling.detect`` and its verb ``stop``; the detect event
family (``calling.call.detect``: ``detect.update`` for every event but
``detect.finished`` and ``detect.error``); DetectResult; DetectAction; the
``detect*`` methods (``amd`` is ``detect_answering_machine``).
"""

from __future__ import annotations

from typing import Any

import attrs

from .. import commands
from .._callcore import CallCore
from ..errors import InvalidArgument
from ..events import EventFamily
from ..protocol import obj
from ..results import Result
from ..wire import DETECT_DECISIONS, DETECT_EVENTS
from ._action import Action, waiting

__all__ = ["DETECT", "DetectAction", "DetectMethods", "DetectResult"]

_FINAL = ("finished", "error")

DETECT = EventFamily(
    "calling.call.detect", "detect", DETECT_EVENTS,
    state=lambda params: obj(obj(params.get("detect")).get("params")).get("event"),
    change=False,
    alias=lambda event: event if event in _FINAL else "update",
    result_payload=lambda params: obj(params.get("detect")),
    listener_payload=lambda params: obj(params.get("detect")),
)


@attrs.frozen(kw_only=True)
class DetectResult(Result):
    """Result of ``detect*()``: ``detect_type`` and ``result``.

    ``result`` is MACHINE/HUMAN/UNKNOWN, CED/CNG or the digits; for an
    ``*_async`` detector that ran to the end, every event joined by commas.
    """

    detect_type: str | None = None
    result: str | None = None


class DetectAction(Action[DetectResult]):
    """A running detector.

    Via ``detect*_async`` it collects every event until the detector
    finishes: ``result.result`` is them joined by commas. The waiting
    ``detect*`` methods settle on the first decisive event instead (with
    ``wait_for_beep``, a MACHINE waits on for READY), then stop the detector.
    """

    methods = ("calling.detect",)
    family = DETECT
    result_class = DetectResult
    _minds_waiting = True
    __slots__ = ("detect_type", "_wait_for_beep", "_events", "_decision", "_decided")

    def __init__(self, call: CallCore, params: dict[str, Any], *, wait_for_beep: bool = False) -> None:
        super().__init__(call, params)
        self.detect_type: str = params["detect"]["type"]
        self._wait_for_beep = wait_for_beep
        self._events: list[str] = []
        self._decision: str | None = None
        self._decided = False  # settled on a decision while the detector still runs

    @property
    def _left_running(self) -> bool:
        return self._decided

    def _on_event(self, params: dict[str, Any]) -> None:
        value = DETECT.state(params)
        if not isinstance(value, str):
            return
        self.state = value
        if value in _FINAL:
            if self._decision is not None:
                self._finish(True, params=params)
            elif self._waited or not self._events:
                self._decision = value
                self._finish(False, params=params, error=f"detector {value}")
            else:
                ok = value == "finished"
                self._finish(ok, params=params, error=None if ok else "detector error")
            return
        self._events.append(value)
        if not self._waited:
            return
        if self._decision == "MACHINE" and self._wait_for_beep:
            if value == "READY":
                self._settle(params)
            return
        if self.detect_type == "digit" or value in DETECT_DECISIONS.get(self.detect_type, ()):
            self._decision = value
            if not (value == "MACHINE" and self._wait_for_beep):
                self._settle(params)

    def _settle(self, params: dict[str, Any]) -> None:
        self._finish(True, params=params)
        self._decided = True

    def _fields(self) -> dict[str, Any]:
        if self._waited:
            return {"detect_type": self.detect_type, "result": self._decision}
        joined = ",".join(self._events) if self._events else self._decision
        return {"detect_type": self.detect_type, "result": joined}

    async def _send_stop(self) -> bool:
        ok = await super()._send_stop()
        self._decided = False
        return ok


class DetectMethods(CallCore):
    """detect, detect_answering_machine (amd), detect_digit, detect_fax (and their ``_async`` twins)."""

    __slots__ = ()

    async def detect_async(
        self,
        detect_type: str,
        wait_for_beep: bool = False,
        timeout: float | None = None,
        initial_timeout: float | None = None,
        end_silence_timeout: float | None = None,
        machine_voice_threshold: float | None = None,
        machine_words_threshold: int | None = None,
        tone: str | None = None,
        digits: str | None = None,
    ) -> DetectAction:
        """Start a detector; returns a DetectAction at once.

        ``detect_type``: ``machine`` (``initial_timeout`` 4.5,
        ``end_silence_timeout`` 1.0, ``machine_voice_threshold`` 1.25,
        ``machine_words_threshold`` 6, ``wait_for_beep`` False), ``fax``
        (``tone`` CED or CNG, default CED) or ``digit`` (``digits``, default
        ``0123456789#*``); ``timeout`` default 30 s. The action collects every
        event until the detector finishes.
        """
        detect, wire_timeout = commands.detect(
            detect_type, timeout=timeout, initial_timeout=initial_timeout, end_silence_timeout=end_silence_timeout,
            machine_voice_threshold=machine_voice_threshold, machine_words_threshold=machine_words_threshold,
            tone=tone, digits=digits,
        )
        if commands.boolean("wait_for_beep", wait_for_beep) and detect_type != "machine":
            raise InvalidArgument("wait_for_beep", wait_for_beep, "False unless detect_type='machine'")
        body: dict[str, Any] = {"detect": detect}
        if wire_timeout is not None:
            body["timeout"] = wire_timeout
        return await self._start(DetectAction(self, body, wait_for_beep=wait_for_beep))

    detect = waiting(
        detect_async, "Run a detector until it decides: ``result.result`` is MACHINE/HUMAN/UNKNOWN, "
        "CED/CNG or the digits (with ``wait_for_beep`` a MACHINE waits until the machine is READY)."
    )

    async def detect_answering_machine_async(
        self,
        wait_for_beep: bool = False,
        timeout: float | None = None,
        initial_timeout: float | None = None,
        end_silence_timeout: float | None = None,
        machine_voice_threshold: float | None = None,
        machine_words_threshold: int | None = None,
    ) -> DetectAction:
        """Start answering-machine detection; returns a DetectAction at once (see ``detect_async``)."""
        return await self.detect_async(
            "machine", wait_for_beep=wait_for_beep, timeout=timeout, initial_timeout=initial_timeout,
            end_silence_timeout=end_silence_timeout, machine_voice_threshold=machine_voice_threshold,
            machine_words_threshold=machine_words_threshold,
        )

    detect_answering_machine = waiting(
        detect_answering_machine_async, "Detect who answered: ``result.result`` is MACHINE, HUMAN or UNKNOWN."
    )
    amd = detect_answering_machine
    amd_async = detect_answering_machine_async

    async def detect_digit_async(self, digits: str | None = None, timeout: float | None = None) -> DetectAction:
        """Start detecting DTMF ``digits`` (default all); returns a DetectAction at once."""
        return await self.detect_async("digit", timeout=timeout, digits=digits)

    detect_digit = waiting(detect_digit_async, "Detect DTMF digits: ``result.result`` is the digits heard first.")

    async def detect_fax_async(self, tone: str | None = None, timeout: float | None = None) -> DetectAction:
        """Start detecting a fax tone (``tone`` CED or CNG); returns a DetectAction at once."""
        return await self.detect_async("fax", timeout=timeout, tone=tone)

    detect_fax = waiting(detect_fax_async, "Detect a fax tone: ``result.result`` is CED or CNG.")
