"""tap: stream the call's media to an RTP or WebSocket endpoint (``calling.tap``).

Declared here: ``calling.tap`` and its verb ``stop``; the tap event family
(``calling.call.tap``: ``tap.stateChange``, ``tap.tapping``,
``tap.finished``); TapResult; TapAction; the ``tap*`` methods.
"""

from __future__ import annotations

from typing import Any

import attrs

from .. import commands
from .._callcore import CallCore
from ..events import EventFamily
from ..protocol import CommandResult
from ..results import Result
from ..wire import TAP_STATES
from ._action import Action, waiting

__all__ = ["TAP", "TapAction", "TapMethods", "TapResult"]

TAP = EventFamily("calling.call.tap", "tap", TAP_STATES)


@attrs.frozen(kw_only=True)
class TapResult(Result):
    """Result of ``tap()``: the ``tap`` spec, ``source_device`` (where the media
    comes from) and ``destination_device`` (where it goes, as the service reports it)."""

    tap: dict[str, Any] | None = None
    source_device: dict[str, Any] | None = None
    destination_device: dict[str, Any] | None = None


class TapAction(Action[TapResult]):
    """A running ``tap``; ``source_device`` is known once it starts."""

    methods = ("calling.tap",)
    family = TAP
    result_class = TapResult
    outcomes = {"finished": None}
    __slots__ = ("source_device", "_tap", "_device")

    def __init__(self, call: CallCore, params: dict[str, Any]) -> None:
        super().__init__(call, params)
        self.source_device: dict[str, Any] | None = None
        self._tap: dict[str, Any] = params["tap"]
        self._device: dict[str, Any] = params["device"]

    def _on_response(self, response: CommandResult) -> None:
        source = response.data.get("source_device")
        if isinstance(source, dict):
            self.source_device = source
        super()._on_response(response)

    def _take(self, params: dict[str, Any]) -> None:
        # What the service reports (codec and ptime filled in) replaces what was asked for.
        if isinstance(params.get("tap"), dict):
            self._tap = params["tap"]
        if isinstance(params.get("device"), dict):
            self._device = params["device"]

    def _fields(self) -> dict[str, Any]:
        return {"tap": self._tap, "source_device": self.source_device, "destination_device": self._device}


class TapMethods(CallCore):
    """tap and tap_async."""

    __slots__ = ()

    async def tap_async(
        self,
        audio_direction: str,
        target_type: str = "rtp",
        target_addr: str | None = None,
        target_port: int | None = None,
        target_ptime: int | None = None,
        target_uri: str | None = None,
        rate: int | None = None,
        codec: str | None = None,
    ) -> TapAction:
        """Stream the call's media to a target; returns a TapAction at once.

        ``audio_direction``: ``listen`` (what the caller hears), ``speak``
        (what the caller says) or ``both``. ``target_type`` ``rtp``
        (``target_addr``, an IPv4 address, and ``target_port``) or ``ws``
        (``target_uri``); ``target_ptime`` (ms), ``codec`` and ``rate`` default
        to the tapped media's. The tap lasts until it is stopped or the call
        ends (then it is successful).
        """
        tap, device = commands.tap(
            audio_direction=audio_direction, target_type=target_type, target_addr=target_addr,
            target_port=target_port, target_ptime=target_ptime, target_uri=target_uri, rate=rate, codec=codec,
        )
        return await self._start(TapAction(self, {"tap": tap, "device": device}))

    tap = waiting(tap_async, "Tap the call's media until the tap (or the call) ends: a TapResult.")
