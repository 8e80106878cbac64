"""One scenario per declared component kind, so tests can drive every kind.

``SCENARIOS`` is keyed by the Action class name of each declaration in
``relay_anyio.components.ACTIONS``; ``test_components_declared`` fails when
a declared kind has no scenario here, so a new kind is covered by the
existing end-to-end, stop, cancellation and shutdown tests as soon as it
gets one.

A scenario knows the far end's script (``caller``), a waiting call that
keeps the component running (at time scale 1: minutes of simulated time),
the ``_async`` twin of it, and a waiting call that finishes by itself (at
time scale 0).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import attrs

from relay_anyio import Action, Call, Result
from relay_anyio.testing import Caller, CallHandle, RelaySimulator, human, no_answer

RINGS_FOREVER = "+15557000001"  # a number that rings until the device timeout
ANSWERS = "+15557000002"


def phones(sim: RelaySimulator) -> None:
    sim.phone(RINGS_FOREVER, caller=no_answer)
    sim.phone(ANSWERS, caller=human())


Run = Callable[[Call], Awaitable[Result]]
Start = Callable[[Call], Awaitable[Action[Any]]]
Finish = Callable[[Call, CallHandle], Awaitable[Result]]


@attrs.frozen
class Scenario:
    caller: Caller
    run: Run  # waits; keeps running at time scale 1
    start: Start  # the same, ``_async``
    finish: Finish  # waits, and finishes by itself at time scale 0
    start_method: str  # what goes on the wire to start it
    stop_method: str  # and to stop it

    def running_in(self, handle: CallHandle) -> bool:
        """Whether the simulator runs a component on the call now (a connect that
        bridged the call is over: what remains is the bridge)."""
        return any(not c.finished and not getattr(c, "connected", False) for c in handle.components.values())


async def _tap_until_hangup(call: Call, handle: CallHandle) -> Result:
    call.on("tap.tapping", lambda: handle.end("hangup"))  # the caller hangs up while tapped
    return await call.tap("listen", "rtp", "127.0.0.1", 5000)


TAP = ("listen", "rtp", "127.0.0.1", 5000)
CONNECT_RINGING = [{"to_number": RINGS_FOREVER, "timeout": 600}]

SCENARIOS: dict[str, Scenario] = {
    "PlayAction": Scenario(
        Caller(),
        lambda call: call.play_silence(600),
        lambda call: call.play_silence_async(600),
        lambda call, _: call.play_silence(1),
        "calling.play", "calling.play.stop",
    ),
    "PromptAction": Scenario(
        Caller(presses="1"),
        lambda call: call.prompt_tts("speech", "Say something", initial_timeout=600),  # the caller says nothing
        lambda call: call.prompt_tts_async("speech", "Say something", initial_timeout=600),
        lambda call, _: call.prompt_tts("digits", "Press a key", digits_max=1),
        "calling.play_and_collect", "calling.play_and_collect.stop",
    ),
    "RecordAction": Scenario(
        Caller(says="hello", message_seconds=600),
        lambda call: call.record(beep=True),
        lambda call: call.record_async(beep=True),
        lambda call, _: call.record(beep=True),
        "calling.record", "calling.record.stop",
    ),
    "DetectAction": Scenario(
        Caller(presses="1"),
        lambda call: call.detect_fax(timeout=600),  # a person never sends a fax tone
        lambda call: call.detect_fax_async(timeout=600),
        lambda call, _: call.detect_digit(),
        "calling.detect", "calling.detect.stop",
    ),
    "FaxAction": Scenario(
        Caller(kind="fax", fax_pages=150),
        lambda call: call.fax_receive(),
        lambda call: call.fax_receive_async(),
        lambda call, _: call.fax_receive(),
        "calling.receive_fax", "calling.receive_fax.stop",
    ),
    "SendDigitsAction": Scenario(
        Caller(),
        lambda call: call.send_digits("W" * 600),
        lambda call: call.send_digits_async("W" * 600),
        lambda call, _: call.send_digits("12#"),
        "calling.send_digits", "calling.send_digits.stop",
    ),
    "TapAction": Scenario(
        Caller(),
        lambda call: call.tap(*TAP),
        lambda call: call.tap_async(*TAP),
        _tap_until_hangup,
        "calling.tap", "calling.tap.stop",
    ),
    "ConnectAction": Scenario(
        Caller(),
        lambda call: call.connect(CONNECT_RINGING),
        lambda call: call.connect_async(CONNECT_RINGING),
        lambda call, _: call.connect([{"to_number": ANSWERS}]),
        "calling.connect", "calling.disconnect",
    ),
}
