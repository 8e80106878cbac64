"""Components: what runs on a call for one command (play, prompt, record ...).

Each component lives in its own task, tagged by ``control_id``. It sends
its events through the call, takes simulated time through the clock, and
acts on the far end's script (what the caller presses, says, faxes).
``stop`` sends the terminal event a stop causes; ``kill`` (the call ended)
stops it silently.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any, ClassVar

import anyio

from ..components import (
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
from ..protocol import new_id
from ..wire import FAX_TONES, Defaults
from ._calls import CallHandle, FaxInfo, HeardMedia, RecordingInfo
from ._media import media_duration, media_problem

if TYPE_CHECKING:
    from .simulator import RelaySimulator

__all__ = [
    "Collect",
    "Component",
    "Connect",
    "Detect",
    "Fax",
    "Play",
    "Record",
    "SendDigits",
    "Tap",
]

# Simulated seconds for the far end's actions.
DIGIT_SECONDS = 0.25  # one key press
SPEECH_SECONDS_PER_WORD = 0.35
FAX_HANDSHAKE_SECONDS = 3.0
FAX_PAGE_SECONDS = 4.0
HUMAN_DETECT_SECONDS = 1.0
FAX_TONE_SECONDS = 1.0
SEND_DIGIT_SECONDS = 0.1
SHORT_WAIT, LONG_WAIT = 0.5, 1.0  # w and W in send_digits
# What the media server taps with when the client leaves codec and ptime out.
TAP_CODEC, TAP_PTIME = "PCMU", 20



def _num(value: Any, default: float) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
        return float(value)
    return default


class Component:
    """Base: one command's activity on a call.

    ``action`` names the SDK's declaration of the kind (relay_anyio.components):
    its wire methods, control verbs and event type come from there.
    """

    action: ClassVar[type[Action[Any]]]
    kind: ClassVar[str]
    event_type: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "action" in vars(cls):
            cls.event_type = cls.action.family.event_type
            cls.kind = cls.action.methods[0].removeprefix("calling.")

    def __init__(self, call: CallHandle, control_id: str, params: dict[str, Any]) -> None:
        self.call = call
        self.control_id = control_id
        self.params = params
        self.sim: RelaySimulator = call._sim
        self.clock = self.sim.clock
        self.finished = False
        self.paused = False
        self._resumed = anyio.Event()
        self._sleep_scope: anyio.CancelScope | None = None
        self._scope = anyio.CancelScope()
        self._stop_requested = False
        self._killed = False

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.control_id} finished={self.finished}>"

    def answer_fields(self) -> dict[str, Any]:
        """What the start command's answer tells besides its code (a recording's url ...)."""
        return {}

    def start(self) -> None:
        self.call.components[self.control_id] = self
        self.call.spawn(self._run, self.kind)

    async def _run(self) -> None:
        with self._scope:
            await self.body()
        if self._killed or self.finished:
            self.finished = True
            return
        if self._stop_requested:
            self.on_stop()
            self.finished = True

    async def body(self) -> None:
        raise NotImplementedError

    def on_stop(self) -> None:
        """The terminal event a stop command causes."""

    def stop(self) -> None:
        if not self.finished:
            self._stop_requested = True
            self._scope.cancel()

    def kill(self) -> None:
        self._killed = True
        self.finished = True
        self._scope.cancel()

    def call_ending(self) -> None:
        """The call is ending under the component: it reports its end first,
        as the service does (a recording is kept, a tap is finished)."""
        if self.finished:
            return
        self._killed = True
        self._scope.cancel()
        self.on_stop()
        self.finished = True

    def emit(self, params: dict[str, Any]) -> None:
        self.call.emit(
            self.event_type,
            {
                "control_id": self.control_id,
                "call_id": self.call.call_id,
                "node_id": self.call.node_id,
                **params,
            },
        )

    def finish(self, params: dict[str, Any]) -> None:
        if not self.finished:
            self.finished = True
            self.emit(params)

    # -- time that a pause can hold --------------------------------------

    async def pausable_sleep(self, seconds: float) -> None:
        remaining = seconds
        while True:
            await self.wait_unpaused()
            start = self.clock.real()
            with anyio.CancelScope() as scope:
                self._sleep_scope = scope
                await self.clock.sleep(remaining)
            self._sleep_scope = None
            if not scope.cancel_called:
                return
            remaining -= self.clock.simulated_since(start)
            if remaining <= 0:
                return

    async def wait_unpaused(self) -> None:
        while self.paused:
            await self._resumed.wait()

    # The v2 states know no pause (play's are playing, error, finished): it is not an event.
    def pause(self) -> None:
        self.set_paused(True)

    def resume(self) -> None:
        self.set_paused(False)

    def set_paused(self, paused: bool) -> bool:
        """Pause or resume; False if it already was in that state."""
        if paused == self.paused:
            return False
        self.paused = paused
        if paused:
            self._resumed = anyio.Event()
            if self._sleep_scope is not None:
                self._sleep_scope.cancel()
        else:
            self._resumed.set()
        return True

    async def play_media(self, media: list[dict[str, Any]], source: str) -> None:
        for item in media:
            self.call.heard.append(HeardMedia(item["type"], item["params"], source, self.control_id))
            await self.pausable_sleep(media_duration(item))


class Play(Component):
    action = PlayAction

    async def body(self) -> None:
        media = self.params["play"]
        if any(media_problem(m) for m in media):
            self.finish({"state": "error"})
            return
        self.emit({"state": "playing"})
        await self.play_media(media, "play")
        await self.wait_unpaused()
        self.finish({"state": "finished"})

    def on_stop(self) -> None:
        self.emit({"state": "finished"})



_WORDS = re.compile(r"[\w']+")


def _words(text: str) -> list[str]:
    return _WORDS.findall(text.lower())


def _matches_hint(text: str, hints: list[Any]) -> bool:
    said = " " + " ".join(_words(text)) + " "
    for hint in hints:
        if isinstance(hint, str):
            phrase = " ".join(_words(hint))
            if phrase and f" {phrase} " in said:
                return True
    return False


class Collect(Component):
    action = PromptAction

    async def body(self) -> None:
        media = self.params["play"]
        if any(media_problem(m) for m in media):
            self.finish({"result": {"type": "error", "params": {}}})
            return
        await self.play_media(media, "prompt")
        result = await self.collect()
        self.finish({"result": result})

    async def collect(self) -> dict[str, Any]:
        collect = self.params["collect"]
        digits_cfg = collect.get("digits")
        speech_cfg = collect.get("speech")
        script = self.call.script
        clock = self.clock
        if isinstance(digits_cfg, dict) and script.has_presses():
            max_digits = int(digits_cfg["max"])
            terminators = digits_cfg.get("terminators") or ""
            digits, terminator = script.take_digits(max_digits, terminators)
            await clock.sleep(DIGIT_SECONDS * (len(digits) + (1 if terminator else 0)))
            if not terminator and len(digits) < max_digits:
                # Nothing more came: the digit timeout ends the collection.
                await clock.sleep(_num(digits_cfg.get("digit_timeout"), Defaults.DIGIT_TIMEOUT))
            return {"type": "digit", "params": {"digits": digits, "terminator": terminator}}
        if isinstance(speech_cfg, dict) and script.has_speech():
            text = script.take_utterance() or ""
            await clock.sleep(
                SPEECH_SECONDS_PER_WORD * max(1, len(_words(text)))
                + _num(speech_cfg.get("end_silence_timeout"), Defaults.SPEECH_END_SILENCE_TIMEOUT)
            )
            hints = speech_cfg.get("hints")
            if isinstance(hints, list) and hints and not _matches_hint(text, hints):
                return {"type": "no_match", "params": {}}
            return {
                "type": "speech",
                "params": {"text": text, "confidence": self.call.caller.confidence},
            }
        await clock.sleep(_num(collect.get("initial_timeout"), Defaults.PROMPT_INITIAL_TIMEOUT))
        return {"type": "no_input", "params": {}}

    def on_stop(self) -> None:
        self.emit({"result": {"type": "error", "params": {}}})


class Record(Component):
    action = RecordAction

    def __init__(self, call: CallHandle, control_id: str, params: dict[str, Any]) -> None:
        super().__init__(call, control_id, params)
        self.recording_id = new_id()
        self.url = f"{self.sim.http_url}/recordings/{self.recording_id}.wav"
        self.audio: dict[str, Any] = params["record"]["audio"]
        self._started = 0.0
        self._planned = 0.0

    def _fields(self) -> dict[str, Any]:
        return {"url": self.url, "record": self.params["record"]}

    def answer_fields(self) -> dict[str, Any]:
        return {"url": self.url}

    async def body(self) -> None:
        audio = self.audio
        clock = self.clock
        self._started = clock.real()
        self.emit({"state": "recording", **self._fields()})
        if audio.get("beep"):
            self.call.heard.append(HeardMedia("beep", {}, "record", self.control_id))
        script = self.call.script
        if not script.speaks:
            initial = _num(audio.get("initial_timeout"), Defaults.RECORD_INITIAL_TIMEOUT)
            if initial > 0:
                await clock.sleep(initial)
                self.finish({"state": "no_input", **self._fields(), "duration": 0, "size": 0})
                return
            # initial timeout disabled: the silence is recorded until end_silence_timeout.
            self._planned = _num(audio.get("end_silence_timeout"), Defaults.RECORD_END_SILENCE_TIMEOUT)
            await clock.sleep(self._planned)
            self._save_and_finish(self._planned)
            return
        self._planned = self.call.caller.message_seconds
        await clock.sleep(self._planned)
        terminators = audio.get("terminators")
        if not isinstance(terminators, str):
            terminators = Defaults.RECORD_TERMINATORS
        if not script.take_terminator(terminators):
            silence = _num(audio.get("end_silence_timeout"), Defaults.RECORD_END_SILENCE_TIMEOUT)
            self._planned += silence
            await clock.sleep(silence)
        self._save_and_finish(self._planned)

    def _save_and_finish(self, duration: float) -> None:
        stored = self.sim._files.add_recording(self.recording_id, duration, bool(self.audio.get("beep")))
        self.call.recordings.append(
            RecordingInfo(self.control_id, self.url, stored.path, stored.duration, stored.size)
        )
        self.finish(
            {"state": "finished", **self._fields(), "duration": stored.duration, "size": stored.size}
        )

    def on_stop(self) -> None:
        elapsed = self.clock.simulated_since(self._started)
        self._save_and_finish(min(elapsed, self._planned) if math.isinf(elapsed) else elapsed)


class Detect(Component):
    action = DetectAction

    async def body(self) -> None:
        detect = self.params["detect"]
        dtype = detect["type"]
        dparams = detect.get("params") or {}
        timeout = _num(self.params.get("timeout"), Defaults.DETECT_TIMEOUT)
        used = 0.0

        async def step(seconds: float) -> bool:
            # Advance simulated time; False once the detector's timeout is spent.
            nonlocal used
            seconds = min(seconds, timeout - used)
            await self.clock.sleep(seconds)
            used += seconds
            return used < timeout

        caller = self.call.caller
        if dtype == "machine":
            if caller.kind == "machine":
                threshold = _num(dparams.get("machine_voice_threshold"), Defaults.MACHINE_VOICE_THRESHOLD)
                if await step(threshold):
                    self.event(dtype, "MACHINE")
                    self.event(dtype, "NOT_READY")
                    if await step(max(0.0, caller.greeting - threshold)):
                        self.event(dtype, "READY")
            elif caller.kind == "human":
                if await step(_num(dparams.get("end_silence_timeout"), HUMAN_DETECT_SECONDS)):
                    self.event(dtype, "HUMAN")
            else:
                if await step(_num(dparams.get("initial_timeout"), Defaults.MACHINE_INITIAL_TIMEOUT)):
                    self.event(dtype, "UNKNOWN")
        elif dtype == "fax":
            if caller.kind == "fax":
                if await step(FAX_TONE_SECONDS):
                    tone = dparams.get("tone")
                    self.event(dtype, tone if tone in FAX_TONES else Defaults.FAX_TONE)
            else:
                await step(timeout)
        else:  # digit
            allowed = dparams.get("digits")
            groups = self.call.script.take_groups(allowed if isinstance(allowed, str) else Defaults.DETECT_DIGITS)
            for group in groups:
                if not await step(DIGIT_SECONDS * len(group)):
                    break
                self.event(dtype, group)
            else:
                await step(timeout - used)
        self.finish({"detect": {"type": dtype, "params": {"event": "finished"}}})

    def event(self, dtype: str, event: str) -> None:
        self.emit({"detect": {"type": dtype, "params": {"event": event}}})

    def on_stop(self) -> None:
        dtype = self.params["detect"]["type"]
        self.emit({"detect": {"type": dtype, "params": {"event": "finished"}}})


class Fax(Component):
    """send_fax (``direction`` "send") or receive_fax ("receive")."""

    action = FaxAction

    def __init__(
        self, call: CallHandle, control_id: str, params: dict[str, Any], direction: str
    ) -> None:
        super().__init__(call, control_id, params)
        self.direction = direction
        ours, theirs = (
            (call.to_number, call.from_number)
            if call.direction == "inbound"
            else (call.from_number, call.to_number)
        )
        identity = params.get("identity")
        self.identity = identity if isinstance(identity, str) and identity else ours
        self.remote_identity = theirs
        self.document = params.get("document", "") if direction == "send" else ""
        self.pages = 0

    @classmethod
    def sending(cls, call: CallHandle, control_id: str, params: dict[str, Any]) -> Fax:
        return cls(call, control_id, params, "send")

    @classmethod
    def receiving(cls, call: CallHandle, control_id: str, params: dict[str, Any]) -> Fax:
        return cls(call, control_id, params, "receive")

    def _params(self, success: bool | None = None) -> dict[str, Any]:
        params: dict[str, Any] = {
            "direction": self.direction,
            "identity": self.identity,
            "remote_identity": self.remote_identity,
            "document": self.document,
            "pages": self.pages,
        }
        if success is not None:
            params["success"] = success
        return params

    async def body(self) -> None:
        caller = self.call.caller
        await self.clock.sleep(FAX_HANDSHAKE_SECONDS)
        if caller.kind != "fax":
            self._end(False)
            return
        total = max(1, caller.fax_pages)
        if self.direction == "receive":
            document_id = new_id()
            self.sim._files.add_fax_document(document_id, total)
            self.document = f"{self.sim.http_url}/fax/{document_id}.pdf"
        for page in range(1, total + 1):
            await self.clock.sleep(FAX_PAGE_SECONDS)
            self.pages = page
            self.emit({"fax": {"type": "page", "params": self._params()}})
        self._end(True)

    def _end(self, success: bool) -> None:
        self.call.faxes.append(
            FaxInfo(
                self.control_id,
                self.direction,
                self.document,
                self.pages,
                success,
                self.identity,
                self.remote_identity,
            )
        )
        self.finish({"fax": {"type": "finished", "params": self._params(success)}})

    def on_stop(self) -> None:
        self._end(False)


class SendDigits(Component):
    action = SendDigitsAction

    async def body(self) -> None:
        for ch in self.params["digits"]:
            if ch == "w":
                await self.clock.sleep(SHORT_WAIT)
            elif ch == "W":
                await self.clock.sleep(LONG_WAIT)
            else:
                await self.clock.sleep(SEND_DIGIT_SECONDS)
                self.call.digits_received += ch
        self.finish({"state": "finished"})

    def on_stop(self) -> None:
        self.emit({"state": "finished"})


class Tap(Component):
    action = TapAction

    def answer_fields(self) -> dict[str, Any]:
        # Where the tapped media comes from: the media server's RTP endpoint.
        asked = self.params["device"].get("params", {})
        source = {
            "addr": "127.0.0.1",
            "port": 30000 + (hash(self.control_id) % 10000),
            "codec": asked.get("codec", TAP_CODEC),
            "ptime": asked.get("ptime", TAP_PTIME),
            "rate": asked.get("rate", 8000),
        }
        return {"source_device": {"type": "rtp", "params": source}}

    def _fields(self) -> dict[str, Any]:
        # The device as the media server uses it: codec and ptime filled in.
        device = self.params["device"]
        params = {"codec": TAP_CODEC, "ptime": TAP_PTIME, **device.get("params", {})}
        return {"tap": self.params["tap"], "device": {**device, "params": params}}

    async def body(self) -> None:
        self.emit({"state": "tapping", **self._fields()})
        await anyio.sleep_forever()

    def on_stop(self) -> None:
        self.emit({"state": "finished", **self._fields()})


def _timeout(device: dict[str, Any]) -> float | None:
    value = device["params"].get("timeout")
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _peer_info(call: CallHandle) -> dict[str, Any]:
    return {"call_id": call.call_id, "node_id": call.node_id, "tag": call.tag, "device": call.device}


class Connect(Component):
    """calling.connect: dial device groups in series, the devices of a group
    in parallel; the first to answer is bridged with the call."""

    action = ConnectAction

    def __init__(self, call: CallHandle, control_id: str, params: dict[str, Any]) -> None:
        super().__init__(call, control_id, params)
        self.peer: CallHandle | None = None

    async def body(self) -> None:
        call = self.call
        self.emit({"connect_state": "connecting"})
        ringback = self.params.get("ringback") or []
        bad_ringback = any(media_problem(m) for m in ringback)
        for group in self.params["devices"]:
            if not bad_ringback:
                for media in ringback:
                    call.heard.append(HeardMedia(media["type"], media["params"], "ringback"))
            winner = await self._dial_group(group)
            if winner is not None:
                await anyio.sleep_forever()
        self.finish({"connect_state": "failed"})

    async def _dial_group(self, group: list[dict[str, Any]]) -> CallHandle | None:
        call = self.call
        legs: list[CallHandle] = []
        for device in group:
            params = device["params"]
            to_number = params["to_number"]
            leg = CallHandle(
                self.sim,
                call._session,
                direction="outbound",
                from_number=params.get("from_number") or call.from_number,
                to_number=to_number,
                caller=self.sim.phone_caller(to_number),
                tag=new_id(),
                dialed_for=call,
            )
            self.sim._register_call(leg)
            legs.append(leg)
        # The race is decided by simulated time, computed up front: at
        # time_scale 0 real scheduling order must not pick the winner.
        timeouts = [_timeout(device) for device in group]
        outcomes = [leg.dial_outcome(t) for leg, t in zip(legs, timeouts, strict=True)]
        answering = [(secs, i) for i, (secs, answers) in enumerate(outcomes) if answers]
        winner_index = min(answering)[1] if answering else None
        cancel_after = outcomes[winner_index][0] if winner_index is not None else None
        winner: CallHandle | None = None
        try:
            async with anyio.create_task_group() as tg:

                async def dial(i: int) -> None:
                    nonlocal winner
                    leg = legs[i]
                    if i == winner_index:
                        if await leg.dial(timeouts[i]):
                            winner = leg
                            # Bridge at once, before the peer's script (a quick
                            # hang-up) can run: connected precedes disconnected.
                            self._bridge(leg)
                    else:
                        await leg.dial(timeouts[i], cancel_after)

                for i in range(len(legs)):
                    tg.start_soon(dial, i)
        finally:
            # Legs still ringing stop (also when the connect itself is cancelled).
            for leg in legs:
                if leg is not winner and leg.state != "ended":
                    leg.end("cancel")
        return winner

    def _bridge(self, leg: CallHandle) -> None:
        self.peer = leg
        self.call.peer = leg
        leg.peer = self.call
        leg.connect_component = self
        self.emit({"connect_state": "connected", "peer": _peer_info(leg)})

    def peer_ended(self) -> None:
        """The bridged leg hung up: the call stays, the connect is over."""
        peer = self.peer
        self.call.peer = None
        if peer is not None:
            peer.connect_component = None
        if not self.finished and not self._killed and self.call.state != "ended":
            self.finish(
                {"connect_state": "disconnected", "peer": _peer_info(peer) if peer else None}
            )
            self._scope.cancel()

    def on_stop(self) -> None:
        # calling.disconnect before any device answered: connecting stops
        # (the legs still ringing are cancelled as the dialing task ends).
        self.emit({"connect_state": "disconnected"})

    def disconnect(self) -> None:
        """calling.disconnect: unbridge; both calls stay up."""
        peer = self.peer
        if peer is not None:
            peer.peer = None
        self.peer_ended()

    @property
    def connected(self) -> bool:
        return self.peer is not None and not self.finished
