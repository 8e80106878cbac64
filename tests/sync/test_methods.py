"""Every blocking Call method and its ``_async`` twin, against the simulator, on both backends.

``CASES`` is checked against the parity list: a new async method without a
row here (or a test elsewhere, ``COVERED_ELSEWHERE``) fails
``test_every_method_is_tested``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import attrs
import pytest

import relay_sync
from relay_sync import Call
from relay_sync.testing import Caller, CallHandle, Simulator, fax, human, machine

from .conftest import Place, last_command, strip_ids

TTS = [{"type": "tts", "params": {"text": "PIN?"}}]
DOC = "/fax/sample.pdf"  # served by the simulator: prefixed with sim.http_url


@attrs.frozen
class Case:
    method: str  # the blocking method; "<method>_async" is tested too
    caller: Caller
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    relay_method: str  # the command it sends
    wire: dict[str, Any] | None  # its params without ids (None: not compared)
    result: type[relay_sync.Result]
    check: Callable[[Any, CallHandle], bool]
    setup: Callable[[Call], object] | None = None  # runs on the Call before the method


PROMPT = {"digits_max": 4, "digits_terminators": "#", "digits_timeout": 3, "initial_timeout": 5, "volume": 2}
PROMPT_WIRE = {"collect": {"initial_timeout": 5, "digits": {"max": 4, "terminators": "#", "digit_timeout": 3}}, "volume": 2}


def _prompted(result: Any, handle: CallHandle) -> bool:
    # (the terminator itself is the async suite's business)
    return bool(result.successful and (result.prompt_type, result.result) == ("digit", "1234"))


def _played(result: Any, handle: CallHandle) -> bool:
    return bool(result.successful and result.event.payload["state"] == "finished" and handle.heard)


CASES = [
    Case("play", Caller(), ([{"type": "tts", "text": "Hi"}, {"type": "silence", "duration": 1}],), {"volume": 6},
         "calling.play", {"play": [{"type": "tts", "params": {"text": "Hi"}},
                                   {"type": "silence", "params": {"duration": 1}}], "volume": 6},
         relay_sync.PlayResult, _played),
    Case("play_audio", Caller(), ("https://cdn.example.test/a.mp3",), {}, "calling.play",
         {"play": [{"type": "audio", "params": {"url": "https://cdn.example.test/a.mp3"}}]}, relay_sync.PlayResult, _played),
    Case("play_silence", Caller(), (2,), {}, "calling.play",
         {"play": [{"type": "silence", "params": {"duration": 2}}]}, relay_sync.PlayResult, _played),
    Case("play_ringtone", Caller(), ("us",), {"duration": 3, "volume": -3}, "calling.play",
         {"play": [{"type": "ringtone", "params": {"name": "us", "duration": 3}}], "volume": -3},
         relay_sync.PlayResult, _played),
    Case("play_tts", Caller(), (), {"text": "Welcome", "language": "en-GB", "gender": "female"}, "calling.play",
         {"play": [{"type": "tts", "params": {"text": "Welcome", "language": "en-GB", "gender": "female"}}]},
         relay_sync.PlayResult, _played),
    Case("prompt", Caller(presses="1234#"), ("digits", [{"type": "tts", "text": "PIN?"}]), PROMPT,
         "calling.play_and_collect", {"play": TTS, **PROMPT_WIRE}, relay_sync.PromptResult, _prompted),
    Case("prompt_audio", Caller(presses="1234#"), ("digits", "https://cdn.example.test/p.mp3"), PROMPT,
         "calling.play_and_collect",
         {"play": [{"type": "audio", "params": {"url": "https://cdn.example.test/p.mp3"}}], **PROMPT_WIRE},
         relay_sync.PromptResult, _prompted),
    Case("prompt_tts", Caller(presses="1234#"), ("digits", "PIN?"), PROMPT,
         "calling.play_and_collect", {"play": TTS, **PROMPT_WIRE}, relay_sync.PromptResult, _prompted),
    Case("prompt_ringtone", Caller(presses="1234#"), ("digits", "uk"), {"duration": 2, **PROMPT},
         "calling.play_and_collect",
         {"play": [{"type": "ringtone", "params": {"name": "uk", "duration": 2}}], **PROMPT_WIRE},
         relay_sync.PromptResult, _prompted),
    Case("record", Caller(says="leave a message"), (),
         {"beep": True, "record_format": "wav", "direction": "speak", "end_silence_timeout": 1, "terminators": "#"},
         "calling.record", {"record": {"audio": {"beep": True, "format": "wav", "direction": "speak",
                                                 "end_silence_timeout": 1, "terminators": "#"}}},
         relay_sync.RecordResult, lambda r, h: bool(r.successful and r.url and r.size and r.url == h.recordings[-1].url)),
    Case("detect", machine(greeting=1.0), ("machine",), {"timeout": 20}, "calling.detect",
         {"detect": {"type": "machine", "params": {}}, "timeout": 20},
         relay_sync.DetectResult, lambda r, h: bool(r.successful and r.result.startswith("MACHINE"))),
    Case("detect_answering_machine", machine(greeting=1.0), (), {"initial_timeout": 3}, "calling.detect",
         {"detect": {"type": "machine", "params": {"initial_timeout": 3}}},
         relay_sync.DetectResult, lambda r, h: bool(r.successful and r.result.startswith("MACHINE"))),
    Case("amd", human(), (), {}, "calling.detect", {"detect": {"type": "machine", "params": {}}},
         relay_sync.DetectResult, lambda r, h: bool(r.successful and r.result.startswith("HUMAN"))),
    Case("detect_digit", Caller(presses="12"), (), {"digits": "123"}, "calling.detect",
         {"detect": {"type": "digit", "params": {"digits": "123"}}},
         relay_sync.DetectResult, lambda r, h: bool(r.successful and r.result.startswith("1"))),
    Case("detect_fax", fax, (), {"tone": "CED", "timeout": 10}, "calling.detect",
         {"detect": {"type": "fax", "params": {"tone": "CED"}}, "timeout": 10},
         relay_sync.DetectResult, lambda r, h: bool(r.successful and "CED" in r.result)),
    Case("fax_receive", fax, (), {}, "calling.receive_fax", {}, relay_sync.FaxResult,
         lambda r, h: bool(r.successful and r.direction == "receive" and r.pages and h.faxes)),
    Case("fax_send", fax, (DOC,), {"identity": "+15550000002", "header": "Demo"}, "calling.send_fax",
         None, relay_sync.FaxResult, lambda r, h: bool(r.successful and r.direction == "send" and h.faxes)),
    Case("send_digits", Caller(), ("1w2W#",), {}, "calling.send_digits", {"digits": "1w2W#"},
         relay_sync.SendDigitsResult, lambda r, h: bool(r.successful and "12#" in h.digits_received)),
    # a tap runs until the call ends: a callback hangs up (a blocking call, in a worker) once it taps
    Case("tap", Caller(), ("listen",), {"target_type": "ws", "target_uri": "wss://tap.example.test/x"},
         "calling.tap", {"tap": {"type": "audio", "params": {"direction": "listen"}},
                         "device": {"type": "ws", "params": {"uri": "wss://tap.example.test/x"}}},
         relay_sync.TapResult, lambda r, h: r.successful and h.end_reason == "hangup",
         setup=lambda call: call.on("tap.tapping", lambda: call.hangup())),
]

#: Methods tested in test_lifecycle.py / test_controls.py rather than in CASES.
COVERED_ELSEWHERE = {
    "answer", "dial", "hangup", "wait_for", "wait_for_ringing", "wait_for_answered", "wait_for_ending",
    "wait_for_ended", "on", "off", "connect", "connect_async", "disconnect",
}


def test_every_method_is_tested() -> None:
    methods = {name for name, member in inspect.getmembers(Call, inspect.isfunction) if not name.startswith("_")}
    tested = {c.method for c in CASES} | {f"{c.method}_async" for c in CASES}
    assert methods - COVERED_ELSEWHERE == tested


def _resolve(sim: Simulator, values: Any) -> Any:
    if isinstance(values, tuple):
        return tuple(_resolve(sim, v) for v in values)
    return f"{sim.http_url}{values}" if values == DOC else values


@pytest.mark.parametrize("mode", ["blocking", "async"])
@pytest.mark.parametrize("case", CASES, ids=[c.method for c in CASES])
def test_method(sim: Simulator, place: Place, case: Case, mode: str) -> None:
    call, handle = place(case.caller)
    if case.setup is not None:
        case.setup(call)
    args = _resolve(sim, case.args)
    if mode == "blocking":
        result = getattr(call, case.method)(*args, **case.kwargs)
    else:
        action = getattr(call, f"{case.method}_async")(*args, **case.kwargs)
        expected_action = inspect.signature(getattr(Call, f"{case.method}_async")).return_annotation
        assert type(action) is expected_action and isinstance(action, relay_sync.Action)
        assert action.call is call
        assert action.control_id == last_command(sim, case.relay_method).get("control_id", action.control_id)
        result = action.wait()
        assert action.completed and action.result == result
    assert type(result) is case.result, result
    assert case.check(result, handle), result
    sent = last_command(sim, case.relay_method)
    assert sent["call_id"] == call.id and sent["node_id"] == call.node_id
    if case.wire is not None:
        assert strip_ids(sent) == case.wire
    else:
        assert sent["document"] == f"{sim.http_url}{DOC}"
