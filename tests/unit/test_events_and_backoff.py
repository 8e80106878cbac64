import pytest

from relay_anyio.events import CALL_EVENTS, names_for
from relay_anyio.session import reconnect_delay, resolve_url
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
        ("calling.call.tap", {"state": "tapping"}, ("tap.tapping",)),
        ("calling.call.send_digits", {"state": "finished"}, ("sendDigits.finished",)),
        ("calling.call.unknown", {}, ()),
        ("calling.call.play", {"state": 5}, ()),
    ],
)
def test_event_names(event_type: str, params: dict, names: tuple) -> None:
    assert names_for(event_type, params) == names
    assert set(names) <= CALL_EVENTS


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
