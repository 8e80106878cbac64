import pytest

import relay_anyio  # noqa: F401 - importing the package declares every event family
from relay_anyio.events import FAMILIES, Event, event_names
from relay_anyio.backoff import reconnect_delay
from relay_anyio._urls import resolve_url
from relay_anyio.errors import InvalidArgument


@pytest.mark.parametrize(
    "event_type, params, names",
    [
        ("calling.call.state", {"call_state": "answered"}, ("stateChange", "answered")),
        ("calling.call.connect", {"connect_state": "failed"}, ("connect.stateChange", "connect.failed")),
        ("calling.call.play", {"state": "playing"}, ("play.stateChange", "play.playing")),
        ("calling.call.record", {"state": "no_input"}, ("record.stateChange", "record.no_input")),
        ("calling.call.collect", {"result": {}}, ("prompt",)),
        ("calling.call.fax", {"fax": {"type": "page"}}, ("fax.stateChange", "fax.page")),
        ("calling.call.detect", {"detect": {"params": {"event": "MACHINE"}}}, ("detect.update",)),
        ("calling.call.detect", {"detect": {"params": {"event": "finished"}}}, ("detect.finished",)),
        ("calling.call.detect", {"detect": {"params": {"event": "error"}}}, ("detect.error",)),
        ("calling.call.detect", {"detect": {"params": {"event": "12"}}}, ("detect.update",)),
        ("calling.call.tap", {"state": "tapping"}, ("tap.stateChange", "tap.tapping")),
        ("calling.call.send_digits", {"state": "finished"}, ("sendDigits.stateChange", "sendDigits.finished")),
        ("calling.call.play", {"state": 5}, ()),
        ("calling.call.receive", {"call_state": "created"}, ()),
    ],
)
def test_event_names(event_type: str, params: dict, names: tuple) -> None:
    assert FAMILIES[event_type].names(params) == names
    assert set(names) <= event_names()


def test_a_state_the_reference_does_not_know_fires_stateChange_but_cannot_be_subscribed() -> None:  # noqa: N802
    assert FAMILIES["calling.call.play"].names({"state": "paused"}) == ("play.stateChange", "play.paused")
    assert "play.paused" not in event_names()


def test_the_names_on_accepts_are_the_references() -> None:
    assert event_names() == {
        "stateChange", "created", "ringing", "answered", "ending", "ended",
        "connect.stateChange", "connect.connecting", "connect.connected", "connect.failed", "connect.disconnected",
        "play.stateChange", "play.playing", "play.error", "play.finished",
        "record.stateChange", "record.recording", "record.no_input", "record.finished",
        "prompt",
        "fax.stateChange", "fax.error", "fax.finished", "fax.page",
        "detect.error", "detect.finished", "detect.update",
        "tap.stateChange", "tap.tapping", "tap.finished",
        "sendDigits.stateChange", "sendDigits.finished",
    }


def test_an_event_reads_like_its_payload() -> None:
    event = Event("finished", {"state": "finished", "control_id": "c"})
    assert event["state"] == "finished" and event.get("missing") is None and "control_id" in event
    assert dict(event) == event.payload and bool(Event("x", {}))


def test_backoff_is_exponential_jittered_and_capped() -> None:
    lows = [reconnect_delay(n, base=0.5, cap=30, rand=lambda: 0.0) for n in range(10)]
    highs = [reconnect_delay(n, base=0.5, cap=30, rand=lambda: 1.0) for n in range(10)]
    assert highs[:6] == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0]
    assert highs[6:] == [30.0] * 4
    assert lows == [h / 2 for h in highs]
    assert reconnect_delay(10_000, base=0.5, cap=30) <= 30


def test_resolve_url() -> None:
    assert resolve_url("relay.signalwire.com") == "wss://relay.signalwire.com"
    assert resolve_url("example.com:8443") == "wss://example.com:8443"
    assert resolve_url("ws://127.0.0.1:8080") == "ws://127.0.0.1:8080"
    assert resolve_url("wss://relay.example.com") == "wss://relay.example.com"
    with pytest.raises(InvalidArgument, match="allow_insecure"):
        resolve_url("ws://relay.example.com")
    assert resolve_url("ws://relay.example.com", allow_insecure=True) == "ws://relay.example.com"
    with pytest.raises(InvalidArgument):
        resolve_url("http://x")
    assert resolve_url("ws://localhost:1") == "ws://localhost:1"
    assert resolve_url("ws://[::1]:1") == "ws://[::1]:1"
    assert resolve_url("ws://127.8.9.10:1") == "ws://127.8.9.10:1"
    for sneaky in ("ws://127.0.0.1.attacker.example:8080", "ws://127.evil.example", "ws://localhost.example"):
        with pytest.raises(InvalidArgument):
            resolve_url(sneaky)
