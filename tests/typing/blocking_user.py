"""A blocking script as a user writes it, with the type each object must have.

``tests/typing/test_static_types.py`` runs ``mypy --strict`` on this file:
every ``assert_type`` must hold, so IDEs and type checkers see the blocking
types (a Call reached through a Result is relay_sync's, its methods return
Results, its ``*_async`` methods relay_sync Actions whose ``wait()`` returns
the Result). It is never executed.
"""

from __future__ import annotations

from typing import assert_type

import relay_sync
from relay_sync import (
    Call,
    Client,
    ConnectAction,
    ConnectResult,
    DetectResult,
    DialResult,
    HangupResult,
    PlayAction,
    PlayResult,
    PromptAction,
    PromptResult,
    RecordAction,
    RecordResult,
    StopResult,
    TapAction,
    TapResult,
)


def flow(client: Client) -> None:
    dial = client.calling.dial(from_number="+15550000000", to_number="+15551230000")
    assert_type(dial, DialResult)
    call = dial.call
    assert_type(call, Call)
    pin = call.prompt_tts("digits", "Your PIN?", digits_max=4, digits_terminators="#")
    assert_type(pin, PromptResult)
    assert_type(pin.result, str | None)
    assert_type(call.amd(), DetectResult)
    music = call.play_audio_async("https://example.com/hold.mp3")
    assert_type(music, PlayAction)
    assert_type(music.pause(), relay_sync.PlayPauseResult)
    assert_type(music.stop(), StopResult)
    assert_type(music.wait(), PlayResult)
    assert_type(music.result, PlayResult)
    prompt = call.prompt_tts_async("speech", "Say something", speech_hints=["yes"])
    assert_type(prompt, PromptAction)
    assert_type(prompt.wait(), PromptResult)
    recording = call.record_async(beep=True)
    assert_type(recording, RecordAction)
    assert_type(recording.url, str | None)
    assert_type(recording.wait(), RecordResult)
    tap = call.tap_async("listen", "rtp", "10.0.0.1", 5004)
    assert_type(tap, TapAction)
    assert_type(tap.wait(), TapResult)
    connected = call.connect([{"to_number": "+15551230001"}])
    assert_type(connected, ConnectResult)
    assert_type(connected.call, Call | None)
    connecting = call.connect_async([{"to_number": "+15551230001"}])
    assert_type(connecting, ConnectAction)
    assert_type(connecting.wait().call, Call | None)
    assert_type(call.peer, Call | None)
    assert_type(call.wait_for("answered"), bool)
    assert_type(call.hangup(), HangupResult)
    assert_type(call.on("play.finished", lambda event: None), Call)


def inbound(call: Call) -> None:
    assert_type(call.answer().successful, bool)


def main() -> None:
    with Client("project", "token", "example.signalwire.com", timeout=5.0, backend="trio") as client:
        assert_type(client.calling.receive(["office"], inbound), bool)
        assert_type(client.calling.new_call(from_number="+1", to_number="+2"), Call)
        flow(client)


class IVR(relay_sync.Consumer):
    contexts = ["office"]

    def on_incoming_call(self, call: Call) -> None:
        inbound(call)


def messages_and_tasks(client: Client) -> None:
    sent = client.messaging.send(context="office", from_number="+15550000000", to_number="+15551230000", body="Hi")
    assert_type(sent, relay_sync.SendResult)
    delivery = sent.wait_for_delivery(timeout=30)
    assert_type(delivery, relay_sync.DeliveryResult)
    assert_type(delivery.state, str | None)
    assert_type(client.messaging.receive(["office"], lambda message: print(message.body)), bool)
    assert_type(client.tasking.receive("office", print), bool)
    assert_type(relay_sync.Task("project", "token").deliver("office", {"n": 1}), bool)
