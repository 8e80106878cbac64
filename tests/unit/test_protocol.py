"""The pure protocol layer: plain function calls, no sockets."""

import json
import uuid

import pytest

from relay_anyio import protocol as p
from relay_anyio.errors import RemoteProtocolError


def test_request_round_trip() -> None:
    req = p.request("blade.execute", {"protocol": "x", "method": "calling.answer", "params": {}})
    frame = json.loads(p.encode(req))
    assert frame == {"jsonrpc": "2.0", "id": req.id, "method": "blade.execute", "params": req.params}
    assert p.decode(p.encode(req)) == req


def test_fresh_ids_are_unique_uuid4_strings() -> None:
    ids = {p.new_id() for _ in range(1000)}
    assert len(ids) == 1000
    for i in ids:
        parsed = uuid.UUID(i)
        assert str(parsed) == i and parsed.version == 4 and parsed.variant == uuid.RFC_4122


def test_empty_result_frame() -> None:
    assert json.loads(p.empty_result('a"b')) == {"jsonrpc": "2.0", "id": 'a"b', "result": {}}


def test_connect_params_match_protocol_md() -> None:
    params = p.connect_params("P", "T", "agent/1")
    assert params == {
        "version": {"major": 2, "minor": 3, "revision": 0},
        "authentication": {"project": "P", "token": "T"},
        "agent": "agent/1",
    }
    assert p.connect_params("P", "T", "a", sessionid="S")["sessionid"] == "S"


def test_execute_and_subscription_params() -> None:
    assert p.execute_params("proto", "calling.answer", {"call_id": "c"}) == {
        "protocol": "proto",
        "method": "calling.answer",
        "params": {"call_id": "c"},
    }
    assert p.subscription_params("proto") == {"command": "add", "protocol": "proto", "channels": ["notifications"]}


@pytest.mark.parametrize(
    "frame, message",
    [
        ("not json", "not JSON"),
        ("[1, 2]", "not a JSON object"),
        ('{"id": "1"}', "neither a request nor a response"),
        ('{"method": 5, "id": "1"}', "method is not a string"),
        ('{"method": "x", "id": "1", "params": []}', "not an object"),
        ('{"method": "x"}', "has no id"),
        ('{"result": {}}', "response has no id"),
        ('{"id": [1], "result": {}}', "frame id has type"),
        ('{"id": "1", "error": "boom"}', "error member is not an object"),
    ],
)
def test_decode_rejects_bad_frames_with_a_reason(frame: str, message: str) -> None:
    with pytest.raises(RemoteProtocolError, match=message):
        p.decode(frame)


def test_error_response_is_parsed() -> None:
    msg = p.decode('{"jsonrpc":"2.0","id":"9","error":{"code":-32002,"message":"bad token"}}')
    assert msg == p.ErrorResponse("9", -32002, "bad token")
    assert p.parse_execute_result(msg) == p.CommandResult("-32002", "bad token")


def test_execute_result_codes() -> None:
    ok = p.Response("1", p.execute_result("a", "b", {"code": "200", "message": "ok", "url": "u"}))
    res = p.parse_execute_result(ok)
    assert res.successful and res.data["url"] == "u"
    refused = p.Response("1", p.execute_result("a", "b", {"code": "404", "message": "no call"}))
    assert not p.parse_execute_result(refused).successful
    setup = p.Response("1", {"requester_nodeid": "a", "responder_nodeid": "b", "result": {"protocol": "signalwire_x"}})
    assert p.parse_execute_result(setup).data["protocol"] == "signalwire_x"
    assert p.parse_execute_result(p.Response("1", "junk")).code == "500"


def test_connect_result_keeps_signature_out_of_repr() -> None:
    raw = p.connect_result(sessionid="S", nodeid="N", project="P", signature="SECRET", session_restored=True)
    parsed = p.parse_connect_result(raw)
    assert parsed.sessionid == "S" and parsed.session_restored and parsed.signature == "SECRET"
    assert "SECRET" not in repr(parsed)
    with pytest.raises(RemoteProtocolError):
        p.parse_connect_result({"nosession": 1})


def test_broadcast_round_trip() -> None:
    params = p.broadcast_params(
        protocol="proto", event_type="calling.call.play", params={"control_id": "c", "state": "playing"},
        timestamp=12.5, broadcaster="n", project_id="P", space_id="S",
    )
    assert params["event"] == "queuing.relay.events" and params["channel"] == "notifications"
    event = p.parse_broadcast(params)
    assert event == p.RelayEvent("calling.call.play", {"control_id": "c", "state": "playing"}, "proto", 12.5)


@pytest.mark.parametrize(
    "params",
    [{}, {"params": "x"}, {"params": {"event_type": 3}}, {"params": {"event_type": "e", "params": None}}],
)
def test_broadcast_rejects_malformed(params: dict) -> None:
    with pytest.raises(RemoteProtocolError):
        p.parse_broadcast(params)
