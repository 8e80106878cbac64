"""Components: play, prompt, record, detect, fax, send_digits, tap, connect."""

from __future__ import annotations

import io
import wave
from typing import Any

import anyio
import httpx
import pytest

from relay_anyio.testing import Caller, RelaySimulator, busy, fax, human, machine

from .conftest import answered_call
from .rawclient import RawClient, started_client

pytestmark = pytest.mark.anyio

TTS = {"type": "tts", "params": {"text": "Welcome"}}


async def test_play_finishes_and_is_heard(sim: RelaySimulator, client: RawClient) -> None:
    handle, base = await answered_call(sim, client)
    media = [TTS, {"type": "silence", "params": {"duration": 2}}, {"type": "ringtone", "params": {"name": "us"}}]
    result = await client.execute("calling.play", {**base, "control_id": "p1", "play": media})
    assert result["code"] == "200"
    assert (await client.event("calling.call.play", control_id="p1"))["state"] == "playing"
    assert (await client.event("calling.call.play", control_id="p1"))["state"] == "finished"
    assert [h.type for h in handle.heard] == ["tts", "silence", "ringtone"]
    assert handle.heard[0].params == {"text": "Welcome"} and handle.heard[0].source == "play"


async def test_play_unreachable_audio_is_error(sim: RelaySimulator, client: RawClient) -> None:
    _, base = await answered_call(sim, client)
    media = [{"type": "audio", "params": {"url": "file:///etc/passwd"}}]
    assert (await client.execute("calling.play", {**base, "control_id": "p", "play": media}))["code"] == "200"
    assert (await client.event("calling.call.play", control_id="p"))["state"] == "error"


async def test_play_pause_resume_volume_stop(anyio_backend: str) -> None:
    async with RelaySimulator(time_scale=1) as sim, started_client(sim.url, ["office"]) as client:
        handle, base = await answered_call(sim, client)
        media = [{"type": "silence", "params": {"duration": 60}}]
        cid = {**base, "control_id": "p"}
        await client.execute("calling.play", {**cid, "play": media, "volume": 5})
        assert (await client.event("calling.call.play", control_id="p"))["state"] == "playing"
        play = handle.components["p"]
        # The v2 play states are playing, error, finished: pausing and resuming send no event.
        assert (await client.execute("calling.play.pause", cid))["code"] == "200"
        assert play.paused
        assert (await client.execute("calling.play.resume", cid))["code"] == "200"
        assert not play.paused
        assert (await client.execute("calling.play.volume", {**cid, "volume": -3}))["code"] == "200"
        assert play.params["volume"] == -3
        assert (await client.execute("calling.play.stop", cid))["code"] == "200"
        assert (await client.event("calling.call.play", control_id="p"))["state"] == "finished"
        # Stopping again is harmless; pausing a finished play is refused.
        assert (await client.execute("calling.play.stop", cid))["code"] == "200"
        assert (await client.execute("calling.play.pause", cid))["code"] == "409"
        unknown = await client.execute("calling.play.stop", {**base, "control_id": "zzz"})
        assert unknown["code"] == "404"
        await client.execute("calling.end", {**base, "reason": "hangup"})


def collect(base: dict[str, Any], control_id: str, **spec: Any) -> dict[str, Any]:
    return {**base, "control_id": control_id, "play": [TTS], "collect": spec}


async def test_prompt_digits_consumed_across_prompts(sim: RelaySimulator, client: RawClient) -> None:
    handle, base = await answered_call(sim, client, human(presses="12#345 9"))
    await client.execute("calling.play_and_collect", collect(base, "c1", digits={"max": 5, "terminators": "#"}))
    first = await client.event("calling.call.collect", control_id="c1")
    assert first["result"] == {"type": "digit", "params": {"digits": "12", "terminator": "#"}}
    await client.execute("calling.play_and_collect", collect(base, "c2", digits={"max": 2}))
    second = await client.event("calling.call.collect", control_id="c2")
    assert second["result"]["params"] == {"digits": "34", "terminator": ""}
    await client.execute("calling.play_and_collect", collect(base, "c3", digits={"max": 9, "terminators": "#"}))
    third = await client.event("calling.call.collect", control_id="c3")
    assert third["result"]["params"] == {"digits": "5", "terminator": ""}  # the pause ended it
    await client.execute("calling.play_and_collect", collect(base, "c4", digits={"max": 9}))
    assert (await client.event("calling.call.collect", control_id="c4"))["result"]["params"]["digits"] == "9"
    await client.execute("calling.play_and_collect", collect(base, "c5", digits={"max": 9}, initial_timeout=2))
    assert (await client.event("calling.call.collect", control_id="c5"))["result"] == {"type": "no_input", "params": {}}
    assert [h.source for h in handle.heard] == ["prompt"] * 5


async def test_prompt_speech_match_and_no_match(sim: RelaySimulator, client: RawClient) -> None:
    _, base = await answered_call(sim, client, Caller(says=["yes please", "maybe"], confidence=0.8))
    await client.execute("calling.play_and_collect", collect(base, "s1", speech={"hints": ["yes", "no"]}))
    result = (await client.event("calling.call.collect", control_id="s1"))["result"]
    assert result == {"type": "speech", "params": {"text": "yes please", "confidence": 0.8}}
    await client.execute("calling.play_and_collect", collect(base, "s2", speech={"hints": ["yes", "no"]}))
    assert (await client.event("calling.call.collect", control_id="s2"))["result"]["type"] == "no_match"
    await client.execute("calling.play_and_collect", collect(base, "s3", speech={}))
    assert (await client.event("calling.call.collect", control_id="s3"))["result"]["type"] == "no_input"


async def test_prompt_both_prefers_digits(sim: RelaySimulator, client: RawClient) -> None:
    _, base = await answered_call(sim, client)  # default caller: 1234# and "yes"
    await client.execute("calling.play_and_collect", collect(base, "b", digits={"max": 4}, speech={}))
    assert (await client.event("calling.call.collect", control_id="b"))["result"]["params"]["digits"] == "1234"
    await client.execute("calling.play_and_collect", collect(base, "b2", speech={}))
    assert (await client.event("calling.call.collect", control_id="b2"))["result"]["params"]["text"] == "yes"


async def test_prompt_stop(anyio_backend: str) -> None:
    async with RelaySimulator(time_scale=1) as sim, started_client(sim.url, ["office"]) as client:
        _, base = await answered_call(sim, client)
        spec = {**base, "control_id": "c", "play": [{"type": "silence", "params": {"duration": 60}}],
                "collect": {"digits": {"max": 4}}}
        await client.execute("calling.play_and_collect", spec)
        assert (await client.execute("calling.play_and_collect.volume", {**base, "control_id": "c", "volume": 2}))["code"] == "200"
        await client.execute("calling.play_and_collect.stop", {**base, "control_id": "c"})
        assert (await client.event("calling.call.collect", control_id="c"))["result"]["type"] == "error"
        await client.execute("calling.end", {**base, "reason": "hangup"})


async def test_record_writes_real_wav(sim: RelaySimulator, client: RawClient) -> None:
    handle, base = await answered_call(sim, client, Caller(says="hello", message_seconds=2.0))
    spec = {**base, "control_id": "r", "record": {"audio": {"beep": True, "format": "wav", "end_silence_timeout": 1}}}
    result = await client.execute("calling.record", spec)
    assert result["code"] == "200" and result["url"].startswith(sim.http_url + "/recordings/")
    recording = await client.event("calling.call.record", control_id="r")
    assert recording["state"] == "recording" and recording["url"] == result["url"]
    assert recording["record"] == spec["record"]
    finished = await client.event("calling.call.record", control_id="r")
    assert finished["state"] == "finished" and finished["url"] == result["url"]
    assert finished["duration"] == pytest.approx(3.0)
    async with httpx.AsyncClient() as http:
        response = await http.get(finished["url"])
    assert response.status_code == 200 and response.headers["content-type"] == "audio/wav"
    assert len(response.content) == finished["size"]
    with wave.open(io.BytesIO(response.content)) as w:
        assert w.getnframes() / w.getframerate() == pytest.approx(finished["duration"])
    info = handle.recordings[0]
    assert info.url == result["url"] and info.size == finished["size"]
    with open(info.path, "rb") as f:
        assert f.read() == response.content
    assert handle.heard[-1].type == "beep"


async def test_record_terminator_and_no_input(sim: RelaySimulator, client: RawClient) -> None:
    _, base = await answered_call(sim, client, Caller(says="hi", presses="#", message_seconds=1.5))
    await client.execute("calling.record", {**base, "control_id": "r", "record": {"audio": {}}})
    await client.event("calling.call.record", control_id="r", state="recording")
    finished = await client.event("calling.call.record", control_id="r")
    assert finished["state"] == "finished" and finished["duration"] == pytest.approx(1.5)
    silent, base2 = await answered_call(sim, client, Caller())
    await client.execute("calling.record", {**base2, "control_id": "r2", "record": {"audio": {}}})
    await client.event("calling.call.record", control_id="r2", state="recording")
    assert (await client.event("calling.call.record", control_id="r2"))["state"] == "no_input"
    assert silent.recordings == []


async def test_record_stop(anyio_backend: str) -> None:
    async with RelaySimulator(time_scale=1) as sim, started_client(sim.url, ["office"]) as client:
        _, base = await answered_call(sim, client, Caller(says="hello", message_seconds=60))
        await client.execute("calling.record", {**base, "control_id": "r", "record": {"audio": {}}})
        await client.event("calling.call.record", control_id="r", state="recording")
        await client.execute("calling.record.stop", {**base, "control_id": "r"})
        finished = await client.event("calling.call.record", control_id="r")
        assert finished["state"] == "finished" and finished["duration"] < 5 and finished["size"] >= 44
        await client.execute("calling.end", {**base, "reason": "hangup"})


def detect_events(client: RawClient, control_id: str) -> list[str]:
    return [e["detect"]["params"]["event"] for e in client.all_events("calling.call.detect", control_id=control_id)]


async def run_detect(client: RawClient, base: dict[str, Any], control_id: str, dtype: str, **params: Any) -> list[str]:
    await client.execute("calling.detect", {**base, "control_id": control_id, "detect": {"type": dtype, "params": params}})
    with anyio.fail_after(5):
        while "finished" not in detect_events(client, control_id):
            await client.event("calling.call.detect", control_id=control_id)
    return detect_events(client, control_id)


@pytest.mark.parametrize(
    "caller, expected",
    [
        (machine(greeting=3), ["MACHINE", "NOT_READY", "READY", "finished"]),
        (human(), ["HUMAN", "finished"]),
        (fax, ["UNKNOWN", "finished"]),
    ],
)
async def test_detect_machine(sim: RelaySimulator, client: RawClient, caller: Caller, expected: list[str]) -> None:
    sim.phone("+15550000010", caller=caller)
    result = await client.execute("calling.begin", {"tag": "t", "device": {"type": "phone", "params": {"from_number": "+1", "to_number": "+15550000010"}}})
    call_id = result["call_id"]
    await client.call_state(call_id, "answered")
    events = await run_detect(client, {"call_id": call_id, "node_id": "n"}, "d", "machine")
    assert events == expected


async def test_detect_fax_and_digits(sim: RelaySimulator, client: RawClient) -> None:
    _, base = await answered_call(sim, client, fax)
    assert await run_detect(client, base, "f", "fax", tone="CNG") == ["CNG", "finished"]
    _, base = await answered_call(sim, client, human(presses="12 3#4"))
    assert await run_detect(client, base, "g", "digit") == ["12", "3#4", "finished"]
    _, base = await answered_call(sim, client, human())
    assert await run_detect(client, base, "h", "fax") == ["finished"]


async def test_detect_stop(anyio_backend: str) -> None:
    async with RelaySimulator(time_scale=1) as sim, started_client(sim.url, ["office"]) as client:
        _, base = await answered_call(sim, client, human())
        await client.execute("calling.detect", {**base, "control_id": "d", "detect": {"type": "fax", "params": {}}})
        await client.execute("calling.detect.stop", {**base, "control_id": "d"})
        event = await client.event("calling.call.detect", control_id="d")
        assert event["detect"] == {"type": "fax", "params": {"event": "finished"}}
        await client.execute("calling.end", {**base, "reason": "hangup"})


async def test_fax_receive_and_send(sim: RelaySimulator, client: RawClient) -> None:
    handle, base = await answered_call(sim, client, Caller(kind="fax", fax_pages=2))
    await client.execute("calling.receive_fax", {**base, "control_id": "rx"})
    pages = [await client.event("calling.call.fax", control_id="rx") for _ in range(3)]
    assert [p["fax"]["type"] for p in pages] == ["page", "page", "finished"]
    done = pages[-1]["fax"]["params"]
    assert done["success"] is True and done["pages"] == 2 and done["direction"] == "receive"
    assert done["remote_identity"] == handle.from_number and done["identity"] == handle.to_number
    async with httpx.AsyncClient() as http:
        response = await http.get(done["document"])
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    assert response.content.count(b"/Type /Page ") == 2
    document = "https://example.com/doc.pdf"
    await client.execute("calling.send_fax", {**base, "control_id": "tx", "document": document, "identity": "+1999"})
    while True:
        event = await client.event("calling.call.fax", control_id="tx")
        if event["fax"]["type"] == "finished":
            break
    assert event["fax"]["params"]["document"] == document and event["fax"]["params"]["identity"] == "+1999"
    assert [f.direction for f in handle.faxes] == ["receive", "send"]


async def test_fax_to_non_fax_fails(sim: RelaySimulator, client: RawClient) -> None:
    handle, base = await answered_call(sim, client, human())
    await client.execute("calling.send_fax", {**base, "control_id": "tx", "document": "https://x/y.pdf"})
    event = await client.event("calling.call.fax", control_id="tx")
    assert event["fax"]["type"] == "finished" and event["fax"]["params"]["success"] is False
    assert handle.faxes[0].success is False


async def test_send_digits_reach_the_caller(sim: RelaySimulator, client: RawClient) -> None:
    handle, base = await answered_call(sim, client)
    result = await client.execute("calling.send_digits", {**base, "control_id": "sd", "digits": "1w2W#"})
    assert result["code"] == "200"
    assert (await client.event("calling.call.send_digits", control_id="sd"))["state"] == "finished"
    assert handle.digits_received == "12#"


async def test_tap(sim: RelaySimulator, client: RawClient) -> None:
    _, base = await answered_call(sim, client)
    spec = {**base, "control_id": "t", "tap": {"type": "audio", "params": {"direction": "both"}},
            "device": {"type": "rtp", "params": {"addr": "10.0.0.1", "port": 4000}}}
    result = await client.execute("calling.tap", spec)
    assert result["code"] == "200"
    assert result["source_device"]["type"] == "rtp" and isinstance(result["source_device"]["params"]["port"], int)
    tapping = await client.event("calling.call.tap", control_id="t")
    assert tapping["state"] == "tapping" and tapping["tap"] == spec["tap"]
    # The device as the media server uses it: what was asked, codec and ptime filled in.
    assert tapping["device"] == {"type": "rtp", "params": {"addr": "10.0.0.1", "port": 4000, "codec": "PCMU", "ptime": 20}}
    await client.execute("calling.tap.stop", {**base, "control_id": "t"})
    assert (await client.event("calling.call.tap", control_id="t"))["state"] == "finished"
    bad = await client.execute("calling.tap", {**spec, "control_id": "t2", "device": {"type": "rtp", "params": {}}})
    assert bad["code"] == "400"


async def test_connect_serial_parallel_and_disconnect(sim: RelaySimulator, client: RawClient) -> None:
    sim.phone("+1000", caller=busy)
    sim.phone("+2000", caller=human(answer_after=5))
    sim.phone("+3000", caller=human(answer_after=1))
    handle, base = await answered_call(sim, client)
    dev = lambda n: {"type": "phone", "params": {"to_number": n, "from_number": "+1555"}}  # noqa: E731
    ringback = [{"type": "ringtone", "params": {"name": "us"}}]
    result = await client.execute("calling.connect", {**base, "devices": [[dev("+1000")], [dev("+2000"), dev("+3000")]], "ringback": ringback})
    assert result["code"] == "200"
    assert (await client.event("calling.call.connect", call_id=handle.call_id))["connect_state"] == "connecting"
    connected = await client.event("calling.call.connect", call_id=handle.call_id)
    assert connected["connect_state"] == "connected"
    peer = connected["peer"]
    assert set(peer) == {"call_id", "node_id", "tag", "device"} and peer["device"]["params"]["to_number"] == "+3000"
    # The peer leg's own state events; the slower parallel leg was cancelled.
    await client.call_state(peer["call_id"], "answered")
    first_leg = [c for c in sim.calls if c.to_number == "+1000"][0]
    slow_leg = [c for c in sim.calls if c.to_number == "+2000"][0]
    assert first_leg.end_reason == "busy" and slow_leg.end_reason == "cancel"
    assert [h.source for h in handle.heard] == ["ringback", "ringback"]
    assert handle.peer is sim.call(peer["call_id"])
    assert (await client.execute("calling.disconnect", base))["code"] == "200"
    disconnected = await client.event("calling.call.connect", call_id=handle.call_id)
    assert disconnected["connect_state"] == "disconnected"
    assert sim.call(peer["call_id"]).state == "answered"
    assert (await client.execute("calling.disconnect", base))["code"] == "409"


async def test_connect_failed_and_peer_hangup(sim: RelaySimulator, client: RawClient) -> None:
    sim.phone("+1000", caller=busy)
    sim.phone("+4000", caller=human(hangs_up_after=2))
    handle, base = await answered_call(sim, client)
    dev = {"type": "phone", "params": {"to_number": "+1000"}}
    await client.execute("calling.connect", {**base, "devices": [[dev]]})
    await client.event("calling.call.connect", connect_state="connecting")
    assert (await client.event("calling.call.connect"))["connect_state"] == "failed"
    await client.execute("calling.connect", {**base, "devices": [{"type": "phone", "params": {"to_number": "+4000"}}]})
    await client.event("calling.call.connect", connect_state="connected")
    disconnected = await client.event("calling.call.connect", connect_state="disconnected")
    assert disconnected["peer"]["device"]["params"]["to_number"] == "+4000"
    assert handle.state == "answered"


async def test_ending_call_reports_its_components_then_ends_them_and_the_peer(anyio_backend: str) -> None:
    async with RelaySimulator(time_scale=1) as sim, started_client(sim.url, ["office"]) as client:
        sim.phone("+5000", caller=human(answer_after=0))
        handle, base = await answered_call(sim, client)
        await client.execute("calling.play", {**base, "control_id": "p", "play": [{"type": "silence", "params": {"duration": 60}}]})
        await client.execute("calling.connect", {**base, "devices": [[{"type": "phone", "params": {"to_number": "+5000"}}]]})
        connected = await client.event("calling.call.connect", connect_state="connected")
        await client.execute("calling.end", {**base, "reason": "hangup"})
        await client.call_state(handle.call_id, "ended")
        await client.call_state(connected["peer"]["call_id"], "ended")
        assert all(c.finished for c in handle.components.values())
        # As the service does: the running play reports finished, then the call is ending, then ended.
        order = [
            (e["event_type"], e["params"].get("state") or e["params"].get("call_state"))
            for e in client.events
            if e["params"].get("call_id") == handle.call_id and e["event_type"] in ("calling.call.play", "calling.call.state")
        ]
        assert order[-3:] == [("calling.call.play", "finished"), ("calling.call.state", "ending"), ("calling.call.state", "ended")]
