"""Call event names for ``call.on`` / ``call.off`` (the reference's list).

Pure: maps a Relay event (type + params) to the names a Call emits for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .protocol import obj

__all__ = ["CALL_STATES", "CALL_EVENTS", "names_for"]

# Life cycle order: wait_for() uses it to answer for states already passed.
CALL_STATES = ("created", "ringing", "answered", "ending", "ended")

CALL_EVENTS = frozenset(
    {
        "stateChange",
        *CALL_STATES,
        "connect.stateChange",
        "connect.connecting",
        "connect.connected",
        "connect.failed",
        "connect.disconnected",
        "play.stateChange",
        "play.playing",
        "play.paused",
        "play.error",
        "play.finished",
        "record.stateChange",
        "record.recording",
        "record.no_input",
        "record.finished",
        "prompt",
        "fax.stateChange",
        "fax.error",
        "fax.finished",
        "fax.page",
        "detect.error",
        "detect.finished",
        "detect.update",
        "tap.tapping",
        "tap.finished",
        "sendDigits.finished",
    }
)


def _state_names(family: str, state: Any) -> tuple[str, ...]:
    if not isinstance(state, str):
        return ()
    return (f"{family}.stateChange", f"{family}.{state}")


def names_for(event_type: str, params: Mapping[str, Any]) -> tuple[str, ...]:
    """The ``on()`` names a call emits for one event, most general first."""
    if event_type == "calling.call.state":
        state = params.get("call_state")
        return ("stateChange", state) if isinstance(state, str) else ()
    if event_type == "calling.call.connect":
        return _state_names("connect", params.get("connect_state"))
    if event_type == "calling.call.play":
        return _state_names("play", params.get("state"))
    if event_type == "calling.call.record":
        return _state_names("record", params.get("state"))
    if event_type == "calling.call.collect":
        return ("prompt",)
    if event_type == "calling.call.fax":
        return _state_names("fax", obj(params.get("fax")).get("type"))
    if event_type == "calling.call.detect":
        event = obj(obj(params.get("detect")).get("params")).get("event")
        if event in ("finished", "error"):
            return (f"detect.{event}",)
        return ("detect.update",) if event is not None else ()
    if event_type == "calling.call.tap":
        state = params.get("state")
        return (f"tap.{state}",) if isinstance(state, str) else ()
    if event_type == "calling.call.send_digits":
        return ("sendDigits.finished",) if params.get("state") == "finished" else ()
    return ()
