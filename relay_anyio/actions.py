"""Actions: handles on running components (one class per command family).

A ``*_async`` method returns an Action at once. It follows its component's
events (matched by ``control_id``), exposes ``completed``, ``state`` and
``result`` (the Result as it stands), and ``await action.wait()`` returns
the final Result. The waiting methods are ``(await x_async()).wait()``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import anyio
import attrs

from . import commands
from .protocol import CommandResult, new_id, obj
from .results import (
    ConnectResult,
    DetectResult,
    Event,
    FaxResult,
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

if TYPE_CHECKING:
    from .call import Call

__all__ = [
    "Action",
    "PlayAction",
    "PromptAction",
    "RecordAction",
    "DetectAction",
    "FaxAction",
    "SendDigitsAction",
    "TapAction",
    "ConnectAction",
]


# Actions are mutable handles (their state follows the component's events),
# so they are attrs classes without value equality; slots are off because
# subclasses refine class-level constants such as ``method``.
@attrs.define(eq=False, slots=False)
class Action:
    """Base of every Action. Not created by users: Call methods return them."""

    method: ClassVar[str]
    event_type: ClassVar[str]
    result_class: ClassVar[type[Result]] = Result

    call: Call = attrs.field(repr=False)
    _params: dict[str, Any] = attrs.field(repr=False, alias="params")
    control_id: str = attrs.field(factory=new_id, init=False)
    state: str | None = attrs.field(default=None, init=False)
    completed: bool = attrs.field(default=False, init=False)
    _successful: bool = attrs.field(default=False, init=False, repr=False)
    _event: Event | None = attrs.field(default=None, init=False, repr=False)
    _error: str | None = attrs.field(default=None, init=False, repr=False)
    _done: anyio.Event = attrs.field(factory=anyio.Event, init=False, repr=False)

    @property
    def payload(self) -> dict[str, Any]:
        """The params sent to start the component (as on the wire)."""
        return {
            "call_id": self.call.id,
            "node_id": self.call.node_id,
            "control_id": self.control_id,
            **self._params,
        }

    @property
    def result(self) -> Result:
        """The Result as it stands (final once ``completed``)."""
        return self.result_class(
            successful=self._successful, event=self._event, error=self._error, **self._fields()
        )

    def _fields(self) -> dict[str, Any]:
        return {}

    async def wait(self) -> Any:
        """Wait until the component finishes; return its final Result."""
        await self._done.wait()
        return self.result

    # -- driven by the Call -------------------------------------------------

    def _wire_params(self) -> dict[str, Any]:
        return {"control_id": self.control_id, **self._params}

    def _on_response(self, response: CommandResult) -> None:
        if not response.successful:
            self._finish(False, error=f"{response.code}: {response.message}")

    def _on_event(self, event: Event) -> None:
        raise NotImplementedError

    def _finish(self, successful: bool, *, event: Event | None = None, error: str | None = None) -> None:
        if self.completed:
            return
        self.completed = True
        self._successful = successful
        if event is not None:
            self._event = event
        if error is not None:
            self._error = error
        self._done.set()
        self.call._forget(self)

    def _end(self, reason: str) -> None:
        """The call ended (or the session was lost) under a running component."""
        self._finish(False, error=reason)

    async def _control(self, suffix: str, result_class: type[StopResult], **extra: Any) -> Any:
        if self.completed:
            return result_class(successful=False, error="action already completed")
        response = await self.call._execute(
            f"{self.method}.{suffix}", {"control_id": self.control_id, **extra}
        )
        return result_class(
            successful=response.successful,
            error=None if response.successful else f"{response.code}: {response.message}",
        )


@attrs.define(eq=False, slots=False)
class _Stoppable(Action):
    async def stop(self) -> StopResult:
        """Stop the component. Returns a StopResult (whether the server accepted)."""
        result: StopResult = await self._control("stop", StopResult)
        return result


@attrs.define(eq=False, slots=False)
class PlayAction(_Stoppable):
    """A running ``play``: ``stop()``, ``pause()``, ``resume()``, ``volume(db)``."""

    method = "calling.play"
    event_type = "calling.call.play"
    result_class = PlayResult

    def _on_event(self, event: Event) -> None:
        state = event.payload.get("state")
        self.state = state
        if state == "finished":
            self._finish(True, event=event)
        elif state == "error":
            self._finish(False, event=event, error="play error")

    async def pause(self) -> PlayPauseResult:
        """Pause the playback."""
        result: PlayPauseResult = await self._control("pause", PlayPauseResult)
        return result

    async def resume(self) -> PlayResumeResult:
        """Resume a paused playback."""
        result: PlayResumeResult = await self._control("resume", PlayResumeResult)
        return result

    async def volume(self, value: float) -> PlayVolumeResult:
        """Set the volume in dB, -40 to +40 (0 = unchanged)."""
        db = commands.volume(value)
        result: PlayVolumeResult = await self._control("volume", PlayVolumeResult, volume=db)
        return result


@attrs.define(eq=False, slots=False)
class PromptAction(_Stoppable):
    """A running ``prompt``: ``stop()``, ``volume(db)``."""

    method = "calling.play_and_collect"
    event_type = "calling.call.collect"
    result_class = PromptResult

    _prompt: dict[str, Any] = attrs.field(factory=dict, init=False, repr=False)

    def _on_event(self, event: Event) -> None:
        outcome = event.payload.get("result")
        if not isinstance(outcome, dict):
            return
        kind = outcome.get("type")
        params = obj(outcome.get("params"))
        self._prompt = {"prompt_type": kind}
        if kind == "digit":
            self._prompt.update(result=params.get("digits"), terminator=params.get("terminator"))
        elif kind == "speech":
            conf = params.get("confidence")
            self._prompt.update(
                result=params.get("text"),
                confidence=float(conf) if isinstance(conf, (int, float)) else None,
            )
        self.state = kind
        if kind in ("digit", "speech"):
            self._finish(True, event=event)
        else:
            self._finish(False, event=event, error=str(kind))

    def _fields(self) -> dict[str, Any]:
        return dict(self._prompt)

    async def volume(self, value: float) -> PromptVolumeResult:
        """Set the volume of the prompt's media in dB, -40 to +40."""
        db = commands.volume(value)
        result: PromptVolumeResult = await self._control("volume", PromptVolumeResult, volume=db)
        return result


@attrs.define(eq=False, slots=False)
class RecordAction(_Stoppable):
    """A running ``record``; ``url`` is known as soon as it starts."""

    method = "calling.record"
    event_type = "calling.call.record"
    result_class = RecordResult

    url: str | None = attrs.field(default=None, init=False)
    _duration: float | None = attrs.field(default=None, init=False, repr=False)
    _size: int | None = attrs.field(default=None, init=False, repr=False)

    def _on_response(self, response: CommandResult) -> None:
        url = response.data.get("url")
        if isinstance(url, str):
            self.url = url
        super()._on_response(response)

    def _on_event(self, event: Event) -> None:
        p = event.payload
        self.state = p.get("state")
        if isinstance(p.get("url"), str):
            self.url = p["url"]
        if isinstance(p.get("duration"), (int, float)):
            self._duration = p["duration"]
        if isinstance(p.get("size"), int):
            self._size = p["size"]
        if self.state == "finished":
            self._finish(True, event=event)
        elif self.state == "no_input":
            self._finish(False, event=event, error="no_input")

    def _fields(self) -> dict[str, Any]:
        return {"url": self.url, "duration": self._duration, "size": self._size}


@attrs.define(eq=False, slots=False)
class DetectAction(_Stoppable):
    """A running detector.

    Via ``detect*_async`` it collects every event until the detector
    finishes: ``result.result`` is them joined by commas. The waiting
    ``detect*`` methods settle on the first decisive event instead.
    """

    method = "calling.detect"
    event_type = "calling.call.detect"
    result_class = DetectResult
    _DECISIVE = {"machine": ("MACHINE", "HUMAN", "UNKNOWN"), "fax": ("CED", "CNG")}

    _decisive: bool = attrs.field(default=False, kw_only=True, repr=False, alias="decisive")
    _wait_for_beep: bool = attrs.field(default=False, kw_only=True, repr=False, alias="wait_for_beep")
    detect_type: str = attrs.field(init=False)
    _events: list[str] = attrs.field(factory=list, init=False, repr=False)
    _decision: str | None = attrs.field(default=None, init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        self.detect_type = self._params["detect"]["type"]

    def _on_event(self, event: Event) -> None:
        value = obj(obj(event.payload.get("detect")).get("params")).get("event")
        if not isinstance(value, str):
            return
        self.state = value
        if value in ("finished", "error"):
            if self._decision is not None:
                self._finish(True, event=event)
            elif self._decisive or not self._events:
                self._decision = value
                self._finish(False, event=event, error=f"detector {value}")
            else:
                self._finish(value == "finished", event=event, error=None if value == "finished" else "detector error")
            return
        self._events.append(value)
        if not self._decisive:
            return
        if self._decision == "MACHINE" and self._wait_for_beep:
            if value == "READY":
                self._finish(True, event=event)
            return
        if self.detect_type == "digit" or value in self._DECISIVE.get(self.detect_type, ()):
            self._decision = value
            if not (value == "MACHINE" and self._wait_for_beep):
                self._finish(True, event=event)

    def _fields(self) -> dict[str, Any]:
        if self._decisive:
            return {"detect_type": self.detect_type, "result": self._decision}
        joined = ",".join(self._events) if self._events else self._decision
        return {"detect_type": self.detect_type, "result": joined}


@attrs.define(eq=False, slots=False)
class FaxAction(_Stoppable):
    """A running fax send or receive."""

    event_type = "calling.call.fax"
    result_class = FaxResult

    # calling.send_fax or calling.receive_fax: one Action class for both.
    method: str = attrs.field(kw_only=True, repr=False)  # type: ignore[misc]
    _fax: dict[str, Any] = attrs.field(factory=dict, init=False, repr=False)

    def _on_event(self, event: Event) -> None:
        fax = event.payload.get("fax")
        if not isinstance(fax, dict):
            return
        kind = fax.get("type")
        params = obj(fax.get("params"))
        self.state = kind
        for key in ("direction", "identity", "remote_identity", "document"):
            if isinstance(params.get(key), str):
                self._fax[key] = params[key]
        if isinstance(params.get("pages"), int):
            self._fax["pages"] = params["pages"]
        if kind == "finished":
            ok = params.get("success") is True
            self._finish(ok, event=event, error=None if ok else "fax failed")
        elif kind == "error":
            self._finish(False, event=event, error="fax error")

    def _fields(self) -> dict[str, Any]:
        return dict(self._fax)


@attrs.define(eq=False, slots=False)
class SendDigitsAction(_Stoppable):
    """A running ``send_digits``."""

    method = "calling.send_digits"
    event_type = "calling.call.send_digits"
    result_class = SendDigitsResult

    def _on_event(self, event: Event) -> None:
        self.state = event.payload.get("state")
        if self.state == "finished":
            self._finish(True, event=event)


@attrs.define(eq=False, slots=False)
class TapAction(_Stoppable):
    """A running ``tap``; ``source_device`` is known once it starts."""

    method = "calling.tap"
    event_type = "calling.call.tap"
    result_class = TapResult

    source_device: dict[str, Any] | None = attrs.field(default=None, init=False)

    def _on_response(self, response: CommandResult) -> None:
        source = response.data.get("source_device")
        if isinstance(source, dict):
            self.source_device = source
        super()._on_response(response)

    def _on_event(self, event: Event) -> None:
        self.state = event.payload.get("state")
        if self.state == "finished":
            self._finish(True, event=event)

    def _fields(self) -> dict[str, Any]:
        return {
            "tap": self._params.get("tap"),
            "source_device": self.source_device,
            "destination_device": self._params.get("device"),
        }


@attrs.define(eq=False, slots=False)
class ConnectAction(Action):
    """A running ``connect``; ``stop()`` ends it (``calling.disconnect``)."""

    method = "calling.connect"
    event_type = "calling.call.connect"
    result_class = ConnectResult

    _peer: Call | None = attrs.field(default=None, init=False, repr=False)

    def _wire_params(self) -> dict[str, Any]:
        return dict(self._params)  # connect carries no control_id on the wire

    @property
    def payload(self) -> dict[str, Any]:
        return {"call_id": self.call.id, "node_id": self.call.node_id, **self._params}

    def _on_event(self, event: Event) -> None:
        state = event.payload.get("connect_state")
        self.state = state
        if state == "connected":
            self._peer = self.call._peer
            self._finish(True, event=event)
        elif state in ("failed", "disconnected"):
            self._finish(False, event=event, error=f"connect {state}")

    def _fields(self) -> dict[str, Any]:
        return {"call": self._peer}

    async def stop(self) -> StopResult:
        """Stop connecting / drop the connected peer (``calling.disconnect``)."""
        if self.completed and self.state != "connected":
            return StopResult(successful=False, error="action already completed")
        response = await self.call._execute("calling.disconnect", {})
        return StopResult(
            successful=response.successful,
            error=None if response.successful else f"{response.code}: {response.message}",
        )
