"""The ``calling.*`` commands: check params, act on the call, answer.

A handler returns the inner result (``{"code": "200", ...}``) and maybe a
``then`` callback that starts the command's activity. The Blade layer runs
``then`` only after the response is queued, so a command's answer always
precedes the events it causes (unless a fault delays the answer).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import attrs

from ..components import (
    ConnectAction,
    DetectAction,
    FaxAction,
    PlayAction,
    PromptAction,
    RecordAction,
    SendDigitsAction,
    TapAction,
)
from ..components.connect import DISCONNECT
from ..components.lifecycle import ANSWER, DIAL, HANGUP
from ..wire import DETECT_TYPES, DIRECTIONS, END_REASONS, RECORD_FORMATS, SEND_DIGITS_CHARS, TAP_TARGETS, VOLUME_RANGE
from ._calls import CallHandle
from ._components import (
    Collect,
    Component,
    Connect,
    Detect,
    Fax,
    Play,
    Record,
    SendDigits,
    Tap,
)
from ._errors import BAD_REQUEST, CONFLICT, GONE, NOT_FOUND, CommandError
from ._media import validate_media

if TYPE_CHECKING:
    from ._sessions import Session
    from .simulator import RelaySimulator

__all__ = ["COMMANDS", "Outcome", "run_command"]


@attrs.frozen
class Outcome:
    result: dict[str, Any]
    then: Callable[[], None] | None = None


def ok(message: str, **extra: Any) -> dict[str, Any]:
    return {"code": "200", "message": message, **extra}


Handler = Callable[["RelaySimulator", "Session", dict[str, Any]], Outcome]
COMMANDS: dict[str, Handler] = {}


def command(name: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        COMMANDS[name] = fn
        return fn

    return register


Check = Callable[[dict[str, Any]], None]


def starts(method: str, make: Callable[[CallHandle, str, dict[str, Any]], Component], message: str) -> Callable[[Check], Check]:
    """Register the command that starts a component: the decorated function
    only checks the params (raising CommandError); the call must be live and
    the control_id new; the answer carries what the component tells at once."""

    def register(check: Check) -> Check:
        def handler(sim: RelaySimulator, session: Session, params: dict[str, Any]) -> Outcome:
            call = _live_call(sim, params)
            control_id = _new_component(call, params)
            check(params)
            component = make(call, control_id, params)
            return Outcome(ok(message, **component.answer_fields()), component.start)

        COMMANDS[method] = handler
        return check

    return register


def run_command(sim: RelaySimulator, session: Session, method: str, params: dict[str, Any]) -> Outcome:
    handler = COMMANDS.get(method)
    if handler is None:
        raise CommandError(NOT_FOUND, f"unknown method {method!r}")
    return handler(sim, session, params)


# -- parameter checks --------------------------------------------------------


def _str(params: dict[str, Any], key: str, where: str = "params") -> str:
    value = params.get(key)
    if not isinstance(value, str) or not value:
        raise CommandError(BAD_REQUEST, f"{where}.{key} must be a non-empty string")
    return value


def _dict(params: dict[str, Any], key: str, where: str = "params") -> dict[str, Any]:
    value = params.get(key)
    if not isinstance(value, dict):
        raise CommandError(BAD_REQUEST, f"{where}.{key} must be an object")
    return value


def _optional_number(params: dict[str, Any], key: str, where: str = "params") -> None:
    value = params.get(key)
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0
    ):
        raise CommandError(BAD_REQUEST, f"{where}.{key} must be a number >= 0")


def _live_call(sim: RelaySimulator, params: dict[str, Any]) -> CallHandle:
    call_id = _str(params, "call_id")
    call = sim._calls.get(call_id)
    if call is None:
        raise CommandError(NOT_FOUND, f"call {call_id!r} not found")
    if call.state in ("ending", "ended"):
        raise CommandError(GONE, f"call {call_id!r} has {call.state}")
    return call


def _new_component(call: CallHandle, params: dict[str, Any]) -> str:
    control_id = _str(params, "control_id")
    if control_id in call.components:
        raise CommandError(CONFLICT, f"control_id {control_id!r} is already in use on this call")
    return control_id


def _component(sim: RelaySimulator, params: dict[str, Any], kind: type[Component]) -> Component:
    call_id = _str(params, "call_id")
    call = sim._calls.get(call_id)
    if call is None:
        raise CommandError(NOT_FOUND, f"call {call_id!r} not found")
    control_id = _str(params, "control_id")
    component = call.components.get(control_id)
    if component is None or not isinstance(component, kind):
        raise CommandError(
            NOT_FOUND, f"no {kind.kind} with control_id {control_id!r} on call {call_id!r}"
        )
    return component


def _device(device: Any, where: str) -> dict[str, Any]:
    if not isinstance(device, dict):
        raise CommandError(BAD_REQUEST, f"{where} must be an object")
    if device.get("type") != "phone":
        raise CommandError(BAD_REQUEST, f"{where}.type must be 'phone'; got {device.get('type')!r}")
    params = _dict(device, "params", where)
    _str(params, "to_number", f"{where}.params")
    if "from_number" in params and not isinstance(params["from_number"], str):
        raise CommandError(BAD_REQUEST, f"{where}.params.from_number must be a string")
    _optional_number(params, "timeout", f"{where}.params")
    return device


def _volume(params: dict[str, Any]) -> None:
    value = params.get("volume")
    low, high = VOLUME_RANGE
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high
    ):
        raise CommandError(BAD_REQUEST, f"params.volume must be a number between {low:g} and {high:g}")


# -- call life cycle --------------------------------------------------------------


@command(DIAL)
def begin(sim: RelaySimulator, session: Session, params: dict[str, Any]) -> Outcome:
    tag = _str(params, "tag")
    device = _device(params.get("device"), "params.device")
    dparams = device["params"]
    from_number = dparams.get("from_number")
    if not isinstance(from_number, str) or not from_number:
        raise CommandError(BAD_REQUEST, "params.device.params.from_number must be a non-empty string")
    call = CallHandle(
        sim,
        session,
        direction="outbound",
        from_number=from_number,
        to_number=dparams["to_number"],
        caller=sim.phone_caller(dparams["to_number"]),
        tag=tag,
    )
    sim._register_call(call)
    timeout = dparams.get("timeout")

    async def dial() -> None:
        await call.dial(timeout)

    return Outcome(
        ok("Sending call", call_id=call.call_id, node_id=call.node_id),
        lambda: call.spawn(dial, "dial"),
    )


@command(ANSWER)
def answer(sim: RelaySimulator, session: Session, params: dict[str, Any]) -> Outcome:
    call = _live_call(sim, params)
    if call.direction != "inbound":
        raise CommandError(CONFLICT, f"call {call.call_id!r} is outbound: only inbound calls are answered")
    if call.state == "answered":
        return Outcome(ok("Call already answered"))
    return Outcome(ok("Answering call"), call.answer)


@command(HANGUP)
def end(sim: RelaySimulator, session: Session, params: dict[str, Any]) -> Outcome:
    call = _live_call(sim, params)
    reason = params.get("reason", "hangup")
    if reason not in END_REASONS:
        raise CommandError(BAD_REQUEST, f"params.reason {reason!r} is not an end reason")
    return Outcome(ok("Ending call"), lambda: call.end(reason))


@command(ConnectAction.methods[0])
def connect(sim: RelaySimulator, session: Session, params: dict[str, Any]) -> Outcome:
    call = _live_call(sim, params)
    devices = params.get("devices")
    if not isinstance(devices, list) or not devices:
        raise CommandError(BAD_REQUEST, "params.devices must be a non-empty list of device lists")
    groups: list[list[dict[str, Any]]] = []
    for i, group in enumerate(devices):
        if isinstance(group, dict):
            group = [group]
        if not isinstance(group, list) or not group:
            raise CommandError(BAD_REQUEST, f"params.devices[{i}] must be a non-empty list")
        groups.append([_device(d, f"params.devices[{i}][{j}]") for j, d in enumerate(group)])
    ringback = params.get("ringback")
    if ringback is not None:
        validate_media(ringback, "ringback")
    existing = _connect_of(call)
    if existing is not None:
        raise CommandError(CONFLICT, f"call {call.call_id!r} is already connecting or connected")
    control_id = params.get("control_id") if isinstance(params.get("control_id"), str) else None
    component = Connect(call, control_id or f"connect-{call.call_id}", {**params, "devices": groups})
    return Outcome(ok("Connecting call"), component.start)


def _connect_of(call: CallHandle) -> Connect | None:
    for component in call.components.values():
        if isinstance(component, Connect) and not component.finished:
            return component
    return None


@command(DISCONNECT)
def disconnect(sim: RelaySimulator, session: Session, params: dict[str, Any]) -> Outcome:
    call = _live_call(sim, params)
    component = _connect_of(call)
    if component is None:
        raise CommandError(CONFLICT, f"call {call.call_id!r} is not connected")
    if not component.connected:  # still dialing the devices: stop connecting
        return Outcome(ok("Stopping connect"), component.stop)
    return Outcome(ok("Disconnecting call"), component.disconnect)


# -- play -----------------------------------------------------------------------


@starts(PlayAction.methods[0], Play, "Playing")
def play(params: dict[str, Any]) -> None:
    validate_media(params.get("play"))
    _volume(params)


# -- control verbs: derived from the SDK's declarations ------------------------


def _stop(kind: type[Component]) -> Handler:
    def handler(sim: RelaySimulator, session: Session, params: dict[str, Any]) -> Outcome:
        component = _component(sim, params, kind)
        if component.finished:
            return Outcome(ok(f"{kind.kind} already finished"))
        return Outcome(ok(f"Stopping {kind.kind}"), component.stop)

    return handler


def _running(sim: RelaySimulator, params: dict[str, Any], kind: type[Component]) -> Component:
    component = _component(sim, params, kind)
    if component.finished:
        raise CommandError(CONFLICT, f"{kind.kind} {component.control_id!r} has finished")
    return component


def _pause(kind: type[Component]) -> Handler:
    def handler(sim: RelaySimulator, session: Session, params: dict[str, Any]) -> Outcome:
        component = _running(sim, params, kind)
        return Outcome(ok("Paused"), component.pause)

    return handler


def _resume(kind: type[Component]) -> Handler:
    def handler(sim: RelaySimulator, session: Session, params: dict[str, Any]) -> Outcome:
        component = _running(sim, params, kind)
        return Outcome(ok("Resumed"), component.resume)

    return handler


def _set_volume(kind: type[Component]) -> Handler:
    def handler(sim: RelaySimulator, session: Session, params: dict[str, Any]) -> Outcome:
        component = _running(sim, params, kind)
        if "volume" not in params:
            raise CommandError(BAD_REQUEST, "params.volume is required")
        _volume(params)
        component.params = {**component.params, "volume": params["volume"]}
        return Outcome(ok("Volume set"))

    return handler


VERBS: dict[str, Callable[[type[Component]], Handler]] = {
    "stop": _stop, "pause": _pause, "resume": _resume, "volume": _set_volume,
}
#: The simulator's component for each kind the SDK declares (connect's stop is calling.disconnect).
KINDS: tuple[type[Component], ...] = (Play, Collect, Record, Detect, Fax, SendDigits, Tap)
for _kind in KINDS:
    for _method in _kind.action.methods:
        for _verb in _kind.action.verbs:
            COMMANDS[f"{_method}.{_verb}"] = VERBS[_verb](_kind)


@starts(PromptAction.methods[0], Collect, "Prompting")
def play_and_collect(params: dict[str, Any]) -> None:
    validate_media(params.get("play"))
    _volume(params)
    collect = _dict(params, "collect")
    _optional_number(collect, "initial_timeout", "params.collect")
    digits = collect.get("digits")
    speech = collect.get("speech")
    if digits is None and speech is None:
        raise CommandError(BAD_REQUEST, "params.collect needs digits, speech or both")
    if digits is not None:
        if not isinstance(digits, dict):
            raise CommandError(BAD_REQUEST, "params.collect.digits must be an object")
        max_digits = digits.get("max")
        if isinstance(max_digits, bool) or not isinstance(max_digits, int) or max_digits < 1:
            raise CommandError(BAD_REQUEST, "params.collect.digits.max must be an integer >= 1")
        if "terminators" in digits and not isinstance(digits["terminators"], str):
            raise CommandError(BAD_REQUEST, "params.collect.digits.terminators must be a string")
        _optional_number(digits, "digit_timeout", "params.collect.digits")
    if speech is not None:
        if not isinstance(speech, dict):
            raise CommandError(BAD_REQUEST, "params.collect.speech must be an object")
        hints = speech.get("hints")
        if hints is not None and (
            not isinstance(hints, list) or not all(isinstance(h, str) for h in hints)
        ):
            raise CommandError(BAD_REQUEST, "params.collect.speech.hints must be a list of strings")
        _optional_number(speech, "end_silence_timeout", "params.collect.speech")
        _optional_number(speech, "speech_timeout", "params.collect.speech")


# -- record, detect, fax, digits, tap ------------------------------------------------


@starts(RecordAction.methods[0], Record, "Recording")
def record(params: dict[str, Any]) -> None:
    rec = _dict(params, "record")
    audio = _dict(rec, "audio", "params.record")
    for key in ("initial_timeout", "end_silence_timeout"):
        _optional_number(audio, key, "params.record.audio")
    if "terminators" in audio and not isinstance(audio["terminators"], str):
        raise CommandError(BAD_REQUEST, "params.record.audio.terminators must be a string")
    if audio.get("format", "mp3") not in RECORD_FORMATS:
        raise CommandError(BAD_REQUEST, "params.record.audio.format must be 'mp3' or 'wav'")
    if audio.get("direction", "speak") not in DIRECTIONS:
        raise CommandError(BAD_REQUEST, "params.record.audio.direction must be listen, speak or both")


@starts(DetectAction.methods[0], Detect, "Detecting")
def detect(params: dict[str, Any]) -> None:
    spec = _dict(params, "detect")
    if spec.get("type") not in DETECT_TYPES:
        raise CommandError(BAD_REQUEST, "params.detect.type must be machine, fax or digit")
    if "params" in spec and not isinstance(spec["params"], dict):
        raise CommandError(BAD_REQUEST, "params.detect.params must be an object")
    _optional_number(params, "timeout")


@starts(FaxAction.methods[0], Fax.sending, "Sending fax")
def send_fax(params: dict[str, Any]) -> None:
    _str(params, "document")


@starts(FaxAction.methods[1], Fax.receiving, "Receiving fax")
def receive_fax(params: dict[str, Any]) -> None:
    pass


@starts(SendDigitsAction.methods[0], SendDigits, "Sending digits")
def send_digits(params: dict[str, Any]) -> None:
    digits = params.get("digits")
    if not isinstance(digits, str) or not digits or not set(digits) <= set(SEND_DIGITS_CHARS):
        raise CommandError(
            BAD_REQUEST, f"params.digits must be made of 0-9 * # A-D w W; got {digits!r}"
        )


@starts(TapAction.methods[0], Tap, "Tapping")
def tap(params: dict[str, Any]) -> None:
    spec = _dict(params, "tap")
    if spec.get("type") != "audio":
        raise CommandError(BAD_REQUEST, "params.tap.type must be 'audio'")
    tparams = spec.get("params", {})
    if not isinstance(tparams, dict) or tparams.get("direction", "speak") not in DIRECTIONS:
        raise CommandError(BAD_REQUEST, "params.tap.params.direction must be listen, speak or both")
    device = _dict(params, "device")
    dparams = _dict(device, "params", "params.device")
    if device.get("type") not in TAP_TARGETS:
        raise CommandError(BAD_REQUEST, "params.device.type must be 'rtp' or 'ws'")
    if device.get("type") == "rtp":
        _str(dparams, "addr", "params.device.params")
        port = dparams.get("port")
        if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
            raise CommandError(BAD_REQUEST, "params.device.params.port must be a port number")
    elif device.get("type") == "ws":
        _str(dparams, "uri", "params.device.params")
    else:
        raise CommandError(BAD_REQUEST, "params.device.type must be 'rtp' or 'ws'")
