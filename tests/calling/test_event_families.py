"""call.on fires for every event family of the reference, and off() stops it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import pytest

from relay_anyio import Call, Event
from relay_anyio.testing import Caller, RelaySimulator, fax, machine

from .conftest import Place

pytestmark = pytest.mark.anyio

Flow = Callable[[Call, RelaySimulator], Awaitable[Any]]


async def _record(call: Call, sim: RelaySimulator) -> Any:
    return await call.record()


async def _fax(call: Call, sim: RelaySimulator) -> Any:
    return await call.fax_receive()


async def _detect(call: Call, sim: RelaySimulator) -> Any:
    return await (await call.amd_async()).wait()


async def _tap(call: Call, sim: RelaySimulator) -> Any:
    action = await call.tap_async(audio_direction="listen", target_type="rtp", target_addr="127.0.0.1", target_port=5000)
    await action.stop()
    return await action.wait()


async def _digits(call: Call, sim: RelaySimulator) -> Any:
    return await call.send_digits("12")


async def _connect(call: Call, sim: RelaySimulator) -> Any:
    result = await call.connect([{"to_number": "+15553334444"}])
    await call.disconnect()
    return result


async def _prompt(call: Call, sim: RelaySimulator) -> Any:
    return await call.prompt_tts("digits", "x", digits_max=1)


async def _play(call: Call, sim: RelaySimulator) -> Any:
    return await call.play_silence(1)


async def _hangup(call: Call, sim: RelaySimulator) -> Any:
    return await call.hangup()


FAMILIES: list[tuple[str, Caller | None, Flow, list[str]]] = [
    ("state", None, _hangup, ["stateChange", "ending", "ended"]),
    ("play", None, _play, ["play.stateChange", "play.playing", "play.finished"]),
    ("prompt", Caller(presses="5"), _prompt, ["prompt"]),
    ("record", Caller(says="hello"), _record, ["record.stateChange", "record.recording", "record.finished"]),
    ("fax", fax, _fax, ["fax.stateChange", "fax.page", "fax.finished"]),
    ("detect", machine(greeting=1.0), _detect, ["detect.update", "detect.finished"]),
    ("tap", None, _tap, ["tap.stateChange", "tap.tapping", "tap.finished"]),
    ("sendDigits", None, _digits, ["sendDigits.stateChange", "sendDigits.finished"]),
    ("connect", None, _connect, ["connect.stateChange", "connect.connecting", "connect.connected", "connect.disconnected"]),
]


@pytest.mark.parametrize("family, caller, flow, names", FAMILIES, ids=[f[0] for f in FAMILIES])
async def test_every_event_family_reaches_on_callbacks(
    sim: RelaySimulator, place: Place, family: str, caller: Caller | None, flow: Flow, names: list[str]
) -> None:
    call, _ = await place(caller)
    fired: dict[str, list[Event]] = {name: [] for name in names}
    for name in names:
        call.on(name, fired[name].append)
    last = names[-1]
    done = anyio.Event()
    call.on(last, lambda: done.set())
    await flow(call, sim)
    with anyio.fail_after(5):
        await done.wait()
    for name in names:
        assert fired[name], f"{name} never fired"
        assert all(isinstance(e, Event) for e in fired[name])
        specific = name.rpartition(".")[2]
        if specific not in ("stateChange", "update", "prompt"):
            # The Event is named for what happened: the state the name stands for.
            assert {e.name for e in fired[name]} == {specific}, name


async def test_on_callbacks_get_what_the_official_sdk_passes(place: Place) -> None:
    """A callback written for the official SDK reads the event's params as a dict; detect.* get the
    detect object, as the official SDK passes it."""
    call, _ = await place(machine(greeting=1.0))
    states: list[Any] = []
    detects: list[Any] = []
    call.on("play.stateChange", lambda params: states.append(params["state"]))
    call.on("detect.update", lambda params: detects.append(params["params"]["event"]))
    await call.play_silence(1)
    await (await call.amd_async()).wait()
    assert states == ["playing", "finished"]
    assert detects[:2] == ["MACHINE", "NOT_READY"]


async def test_sendDigits_and_tap_stateChange_fire(place: Place) -> None:  # noqa: N802 - the event names
    call, _ = await place()
    seen: list[str] = []
    call.on("sendDigits.stateChange", lambda e: seen.append(f"sendDigits:{e.name}"))
    call.on("tap.stateChange", lambda e: seen.append(f"tap:{e.name}"))
    await call.send_digits("1")
    tap = await call.tap_async("listen", "rtp", "127.0.0.1", 5000)
    await tap.stop()
    await tap.wait()
    assert seen == ["sendDigits:finished", "tap:tapping", "tap:finished"]


async def test_off_removes_one_callback_or_all(place: Place) -> None:
    call, _ = await place()
    a: list[str] = []
    b: list[str] = []

    def cb_a() -> None:
        a.append("a")

    def cb_b() -> None:
        b.append("b")

    call.on("play.finished", cb_a).on("play.finished", cb_b)
    await call.play_silence(1)
    call.off("play.finished", cb_a)
    await call.play_silence(1)
    assert (a, b) == (["a"], ["b", "b"])
    call.off("play.finished")
    await call.play_silence(1)
    assert (a, b) == (["a"], ["b", "b"])
