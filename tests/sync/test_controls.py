"""Blocking Action controls: stop(), pause(), resume(), volume(), wait(); non-blocking reads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import relay_sync
from relay_sync import Call
from relay_sync.testing import Caller, Simulator

from .conftest import WAIT, Place, last_command

pytestmark = pytest.mark.sim_time_scale(1)  # components run for real seconds: we stop them first


def test_play_pause_resume_volume_stop(sim: Simulator, place: Place) -> None:
    call, _ = place()
    action = call.play_silence_async(600)
    assert type(action) is relay_sync.PlayAction and not action.completed and action.result.successful is False
    sim.journal.wait_for(event="calling.call.play", count=1, timeout=WAIT)
    ids = {"call_id": call.id, "node_id": call.node_id, "control_id": action.control_id}
    pause = action.pause()
    assert type(pause) is relay_sync.PlayPauseResult and pause.successful
    assert last_command(sim, "calling.play.pause") == ids
    assert type(action.resume()) is relay_sync.PlayResumeResult
    assert last_command(sim, "calling.play.resume") == ids
    assert action.volume(-10).successful and last_command(sim, "calling.play.volume") == {**ids, "volume": -10}
    assert not action.completed
    stop = action.stop()
    assert type(stop) is relay_sync.StopResult and stop.successful
    result = action.wait()
    assert type(result) is relay_sync.PlayResult and result.successful and action.state == "finished"
    assert last_command(sim, "calling.play.stop") == ids
    again = action.stop()
    assert not again.successful and "completed" in (again.error or "")
    with pytest.raises(relay_sync.InvalidArgument):
        action.volume(100)


STOPPABLE: list[tuple[str, Callable[[Call], Any], str, type[relay_sync.Action]]] = [
    ("prompt", lambda c: c.prompt_async("digits", [{"type": "silence", "duration": 600}], digits_max=2),
     "calling.play_and_collect", relay_sync.PromptAction),
    ("record", lambda c: c.record_async(end_silence_timeout=0), "calling.record", relay_sync.RecordAction),
    ("detect", lambda c: c.detect_digit_async(timeout=600), "calling.detect", relay_sync.DetectAction),
    ("tap", lambda c: c.tap_async("both", target_addr="127.0.0.1", target_port=4000), "calling.tap",
     relay_sync.TapAction),
    ("send_digits", lambda c: c.send_digits_async("W" * 20 + "1"), "calling.send_digits", relay_sync.SendDigitsAction),
]


@pytest.mark.parametrize("start, method, action_type", [s[1:] for s in STOPPABLE], ids=[s[0] for s in STOPPABLE])
def test_stop(sim: Simulator, place: Place, start: Callable[[Call], Any], method: str,
              action_type: type[relay_sync.Action]) -> None:
    call, _ = place(Caller(says="a very long story " * 50))
    action = start(call)
    assert type(action) is action_type and action.call is call
    assert action.payload["control_id"] == action.control_id == last_command(sim, method)["control_id"]
    if isinstance(action, relay_sync.RecordAction):
        assert action.url and action.url.startswith(sim.http_url)
    if isinstance(action, relay_sync.TapAction):
        assert action.source_device and action.source_device.get("type")
    if isinstance(action, relay_sync.PromptAction):
        assert action.volume(5).successful and last_command(sim, f"{method}.volume")["volume"] == 5
    assert action.stop().successful
    result = action.wait()
    assert action.completed and action.result == result and isinstance(result, action.result_class)
    assert last_command(sim, f"{method}.stop")["control_id"] == action.control_id


def test_reads_never_touch_the_portal(place: Place) -> None:
    call, _ = place()
    action = call.play_silence_async(600)
    # completed/state/result/payload/control_id are plain reads: they work even after close
    call_core = action._core
    call_core.closed = True
    try:
        assert action.completed is False and action.result.successful is False
        assert action.payload["play"] == [{"type": "silence", "params": {"duration": 600}}]
        with pytest.raises(relay_sync.ConnectionClosed):
            action.stop()
    finally:
        call_core.closed = False
    assert action.stop().successful
