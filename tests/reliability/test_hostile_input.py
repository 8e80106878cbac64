"""Hostile input: whatever the server sends, the client neither crashes nor hangs.

Three layers: the sans-I/O protocol functions (hypothesis), the session's
frame handler ``BladeClient.receive`` with calls and running components in
place (hypothesis, plus a catalogue of odd frames each of which must be
logged exactly once and dropped), and a real ``Client`` talking to a tiny
hostile WebSocket server (``hostile.py``) that mixes mutated frames, binary
and fragmented messages into a working session.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Iterator
from typing import Any

import anyio
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from relay_anyio import Client
from relay_anyio import protocol as p
from relay_anyio import (
    ConnectAction,
    DetectAction,
    FaxAction,
    PlayAction,
    PromptAction,
    RecordAction,
    SendDigitsAction,
    TapAction,
)
from relay_anyio.errors import RemoteProtocolError
from relay_anyio import _wakeup
from relay_anyio.pending import Command

from ..helpers import eventually
from .conftest import Ledger
from .hostile import PROTO, TOKEN, HostileRelay, PROJECT

HUGE_INT = 10**400  # valid JSON; float() of it overflows

# --------------------------------------------------------------------------
# Strategies

json_leaf = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.just(HUGE_INT)
    | st.floats()
    | st.text(max_size=20)
)
json_value = st.recursive(
    json_leaf,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=15,
)
KNOWN_CALL = "call-known"
CONTROL_IDS = ["ctl-play", "ctl-prompt", "ctl-record", "ctl-detect", "ctl-fax", "ctl-digits", "ctl-tap"]
EVENT_TYPES = [
    "calling.call.receive", "calling.call.state", "calling.call.connect", "calling.call.play",
    "calling.call.collect", "calling.call.record", "calling.call.detect", "calling.call.fax",
    "calling.call.send_digits", "calling.call.tap", "calling.call.unknown",
]


def maybe(good: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly the right shape, sometimes anything at all."""
    return st.one_of(good, good, json_value)


event_params = st.fixed_dictionaries(
    {},
    optional={
        "call_id": maybe(st.sampled_from([KNOWN_CALL, KNOWN_CALL, KNOWN_CALL, "call-unknown"])),
        "node_id": maybe(st.just("node")),
        "control_id": maybe(st.sampled_from(CONTROL_IDS + ["ctl-unknown"])),
        "tag": maybe(st.sampled_from(["tag-known", "tag-unknown"])),
        "context": maybe(st.just("office")),
        "call_state": maybe(st.sampled_from(["created", "ringing", "answered", "ending", "ended", "bogus"])),
        "connect_state": maybe(st.sampled_from(["connecting", "connected", "failed", "disconnected"])),
        "state": maybe(st.sampled_from(["playing", "paused", "finished", "error", "recording", "no_input", "tapping"])),
        "direction": maybe(st.sampled_from(["inbound", "outbound"])),
        "end_reason": maybe(st.just("hangup")),
        "device": maybe(st.fixed_dictionaries({"type": maybe(st.just("phone")), "params": maybe(st.just({"from_number": "+1"}))})),
        "peer": maybe(st.fixed_dictionaries({"call_id": maybe(st.just("call-peer")), "node_id": maybe(st.just("n")), "tag": json_value})),
        "detect": maybe(st.fixed_dictionaries({"type": maybe(st.just("machine")), "params": maybe(st.fixed_dictionaries({"event": maybe(st.sampled_from(["MACHINE", "READY", "finished", "error"]))}))})),
        "fax": maybe(st.fixed_dictionaries({"type": maybe(st.sampled_from(["page", "finished", "error"])), "params": json_value})),
        "result": maybe(st.fixed_dictionaries({"type": maybe(st.sampled_from(["digit", "speech", "no_input"])), "params": json_value})),
        "url": json_value,
        "duration": json_value,
        "size": json_value,
    },
)
rpc_id = st.one_of(st.uuids().map(str), st.sampled_from(["pending-1", "dup"]), json_value)
broadcast_frame = st.fixed_dictionaries(
    {"jsonrpc": st.just("2.0"), "id": rpc_id, "method": st.just("blade.broadcast")},
    optional={
        "params": maybe(
            st.fixed_dictionaries(
                {"protocol": maybe(st.sampled_from([PROTO, "signalwire_other"]))},
                optional={
                    "params": maybe(
                        st.fixed_dictionaries(
                            {"event_type": maybe(st.sampled_from(EVENT_TYPES))},
                            optional={"params": maybe(event_params), "timestamp": json_value, "event_channel": json_value},
                        )
                    )
                },
            )
        )
    },
)
# Well-formed broadcasts for our protocol whose event params are the hostile part.
event_frame = st.builds(
    lambda rpc, event_type, params: {"jsonrpc": "2.0", "id": rpc, "method": "blade.broadcast", "params": {
        "protocol": PROTO, "params": {"event_type": event_type, "timestamp": 1.0, "params": params}}},
    st.uuids().map(str),
    st.sampled_from(EVENT_TYPES + ["calling.call.state", "calling.call.connect", "calling.call.play", "calling.call.receive"]),
    event_params,
)
# Valid events for the call and components in place, with one field replaced by anything.
VALID_EVENTS: list[tuple[str, dict[str, Any]]] = [
    ("calling.call.state", {"call_id": KNOWN_CALL, "node_id": "n", "call_state": "answered", "direction": "inbound"}),
    ("calling.call.state", {"call_id": "call-new", "node_id": "n", "call_state": "created", "tag": "tag-known"}),
    ("calling.call.receive", {"call_id": "call-in", "node_id": "n", "context": "office", "call_state": "created",
                              "device": {"type": "phone", "params": {"from_number": "+1", "to_number": "+2"}}}),
    ("calling.call.connect", {"call_id": KNOWN_CALL, "connect_state": "connected", "peer": {"call_id": "call-peer", "node_id": "n"}}),
    ("calling.call.play", {"call_id": KNOWN_CALL, "control_id": "ctl-play", "state": "finished"}),
    ("calling.call.collect", {"call_id": KNOWN_CALL, "control_id": "ctl-prompt", "result": {"type": "digit", "params": {"digits": "1"}}}),
    ("calling.call.record", {"call_id": KNOWN_CALL, "control_id": "ctl-record", "state": "finished", "url": "u", "duration": 1, "size": 2}),
    ("calling.call.detect", {"call_id": KNOWN_CALL, "control_id": "ctl-detect", "detect": {"type": "machine", "params": {"event": "MACHINE"}}}),
    ("calling.call.fax", {"call_id": KNOWN_CALL, "control_id": "ctl-fax", "fax": {"type": "finished", "params": {"success": True, "pages": 1}}}),
    ("calling.call.send_digits", {"call_id": KNOWN_CALL, "control_id": "ctl-digits", "state": "finished"}),
    ("calling.call.tap", {"call_id": KNOWN_CALL, "control_id": "ctl-tap", "state": "finished"}),
]


def _one_field_off(base: tuple[str, dict[str, Any]], pick: int, value: Any, nested: bool) -> dict[str, Any]:
    event_type, params = base
    params = json.loads(json.dumps(params))
    keys = sorted(params)
    key = keys[pick % len(keys)]
    if nested and isinstance(params[key], dict) and params[key]:
        inner = sorted(params[key])
        params[key][inner[pick % len(inner)]] = value
    else:
        params[key] = value
    return {"jsonrpc": "2.0", "id": f"ev-{pick}", "method": "blade.broadcast", "params": {
        "protocol": PROTO, "params": {"event_type": event_type, "timestamp": 1.0, "params": params}}}


one_field_off = st.builds(
    _one_field_off, st.sampled_from(VALID_EVENTS), st.integers(0, 50), json_value, st.booleans()
).map(json.dumps)
response_frame = st.fixed_dictionaries(
    {"jsonrpc": st.just("2.0"), "id": rpc_id},
    optional={"result": json_value, "error": maybe(st.fixed_dictionaries({"code": json_value, "message": json_value}))},
)
request_frame = st.fixed_dictionaries(
    {"jsonrpc": st.just("2.0"), "id": rpc_id, "method": maybe(st.sampled_from(["blade.ping", "blade.disconnect", "blade.weird"]))},
    optional={"params": json_value},
)
frame_text = st.one_of(
    st.text(max_size=200),
    json_value.map(json.dumps),
    broadcast_frame.map(json.dumps),
    event_frame.map(json.dumps),
    one_field_off,
    one_field_off,
    one_field_off,
    response_frame.map(json.dumps),
    request_frame.map(json.dumps),
    broadcast_frame.map(lambda f: json.dumps(f)[: len(json.dumps(f)) // 2]),  # truncated
)
SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# --------------------------------------------------------------------------
# 1. The protocol layer


@SETTINGS
@given(frame=st.one_of(frame_text, st.binary(max_size=200)))
@example(frame="[" * 100_000 + "]" * 100_000)
@example(frame=b"\xff\xfe\xfd")
@example(frame='{"id": 1e999, "result": {}}')
def test_decode_raises_only_remote_protocol_error(frame: str | bytes) -> None:
    try:
        message = p.decode(frame)
    except RemoteProtocolError:
        return
    assert isinstance(message, (p.Request, p.Response, p.ErrorResponse))
    assert message.id is None or isinstance(message.id, str)
    if isinstance(message, p.Request):
        assert isinstance(message.method, str) and isinstance(message.params, dict)


@SETTINGS
@given(params=st.one_of(broadcast_frame.map(lambda f: f.get("params")), json_value))
@example(params={"protocol": PROTO, "params": {"event_type": "calling.call.play", "params": {}, "timestamp": HUGE_INT}})
def test_parse_broadcast_returns_an_event_or_raises_remote_protocol_error(params: Any) -> None:
    if not isinstance(params, dict):
        params = {"params": params}
    try:
        event = p.parse_broadcast(params)
    except RemoteProtocolError:
        return
    assert isinstance(event.event_type, str) and isinstance(event.params, dict) and isinstance(event.protocol, str)
    assert event.timestamp is None or isinstance(event.timestamp, float)


@SETTINGS
@given(result=json_value, code=json_value, message=json_value)
def test_parse_execute_result_never_raises(result: Any, code: Any, message: Any) -> None:
    outcome = p.parse_execute_result(p.Response("x", result))
    assert isinstance(outcome.code, str) and isinstance(outcome.message, str) and isinstance(outcome.data, dict)
    wrapped = p.parse_execute_result(p.Response("x", {"result": {"code": code, "message": message}}))
    assert isinstance(wrapped.code, str) and isinstance(wrapped.message, str)
    error = p.from_dict({"id": "x", "error": {"code": code, "message": message}})
    assert isinstance(error, p.ErrorResponse)
    assert not p.parse_execute_result(error).successful


@SETTINGS
@given(result=st.one_of(json_value, st.fixed_dictionaries({"sessionid": maybe(st.text())}, optional={
    "nodeid": json_value, "session_restored": json_value, "authorization": maybe(st.fixed_dictionaries({}, optional={
        "project": json_value, "signature": json_value}))})))
@example(result={"sessionid": "s", "authorization": {"signature": 12345}})
def test_parse_connect_result_is_typed_or_raises(result: Any) -> None:
    try:
        connect = p.parse_connect_result(result)
    except RemoteProtocolError:
        return
    assert isinstance(connect.sessionid, str) and isinstance(connect.session_restored, bool)
    # The signature is blanked out of logs by text replacement: it must be text (or absent).
    assert connect.signature is None or isinstance(connect.signature, str)
    assert connect.project is None or isinstance(connect.project, str)


# --------------------------------------------------------------------------
# 2. The session's frame handler, with calls and components in place


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def odd(self) -> list[logging.LogRecord]:
        """Records about frames (the frame trace itself excluded)."""
        return [r for r in self.records if r.name.startswith("relay_anyio") and r.name != "relay_anyio.frames"]

    def crashes(self) -> list[logging.LogRecord]:
        return [r for r in self.records if r.exc_info]


@pytest.fixture
def capture() -> Iterator[_Capture]:
    handler = _Capture()
    logger = logging.getLogger("relay_anyio")
    old = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old)


def session_with_calls(max_frame_size: int = 64 * 1024) -> tuple[Client, Any]:
    """An unconnected Client whose session looks mid-flight: a protocol, a call, every kind of component."""
    client = Client(PROJECT, TOKEN, host="ws://127.0.0.1:9", max_frame_size=max_frame_size)
    session = client.session
    session.blade.protocol = PROTO
    calling = client.calling
    calling._on_receive({"call_id": KNOWN_CALL, "node_id": "n", "context": "office", "call_state": "created",
                         "device": {"type": "phone", "params": {"from_number": "+1", "to_number": "+2"}}})
    call = calling._by_id[KNOWN_CALL]
    dialing = calling.new_call(from_number="+1", to_number="+2")
    dialing.tag = "tag-known"
    calling._track_tag(dialing)
    actions = [
        PlayAction(call, {}), PromptAction(call, {}), RecordAction(call, {}),
        DetectAction(call, {"detect": {"type": "machine"}}),
        FaxAction(call, {}, method="calling.send_fax"), SendDigitsAction(call, {}),
        TapAction(call, {"tap": {"type": "audio"}, "device": {"type": "rtp"}}),
    ]
    actions[3]._waited = True  # as a waiting detect_answering_machine() starts it
    for action, control_id in zip(actions, CONTROL_IDS, strict=True):
        action.control_id = control_id
        action._register()
    call._connect = ConnectAction(call, {})
    for name in ("stateChange", "play.stateChange", "detect.update", "prompt", "connect.stateChange", "fax.stateChange"):
        call.on(name, lambda event: None)
    for handler in logging.getLogger("relay_anyio").handlers:
        if isinstance(handler, _Capture):
            handler.records.clear()  # the set-up's own messages are not about odd frames
    return client, call


def add_pending(session: Any, rpc_id: str = "pending-1") -> Command:
    pending = Command("calling.play", {}, None, waiter=_wakeup.new())
    pending.id = rpc_id
    session.blade.pending.add(pending)
    return pending


def check_reply(frame: str | bytes, reply: str | None) -> None:
    if reply is None:
        return
    answer = p.decode(reply)
    assert isinstance(answer, (p.Response, p.ErrorResponse))
    sent = json.loads(frame)
    assert answer.id == str(sent["id"])


@pytest.mark.anyio
async def test_on_frame_survives_anything(capture: _Capture, ledger: Ledger) -> None:
    fed = 0

    @SETTINGS
    @given(frames=st.lists(st.one_of(frame_text, st.binary(max_size=100)), min_size=1, max_size=5))
    def feed(frames: list[str | bytes]) -> None:
        nonlocal fed
        client, call = session_with_calls()  # a fresh registry for every example
        session = client.session
        capture.records.clear()
        pending = add_pending(session)
        for frame in frames:
            reply = session.blade.receive(frame)  # must not raise
            check_reply(frame, reply)
            fed += 1
        assert not capture.crashes(), [r.getMessage() for r in capture.crashes()]
        # Never a stuck waiter: the real answer still reaches the pending command.
        if pending.response is None:
            session.blade.receive(json.dumps({"jsonrpc": "2.0", "id": "pending-1", "result": {"result": {"code": "200"}}}))
        assert pending.waiter.done() and not pending.waiter.cancelled() and pending.response is not None
        p.parse_execute_result(pending.response)
        session.blade.pending.discard(pending)

    feed()
    assert fed > 0
    ledger.add("hostile frame: hypothesis-generated (BladeClient.receive)", fed)


def _b(event_type: str, params: Any, *, rpc_id: str = "b-1", protocol: str = PROTO, timestamp: Any = 1.0) -> str:
    return json.dumps({"jsonrpc": "2.0", "id": rpc_id, "method": "blade.broadcast", "params": {
        "protocol": protocol, "params": {"event_type": event_type, "timestamp": timestamp, "params": params}}})


KNOWN_PLAY = {"call_id": KNOWN_CALL, "control_id": "ctl-play"}
ODD_FRAMES: dict[str, tuple[str | bytes, str | None]] = {
    # name: (frame, expected reply: None / "ack" / "error")
    "not JSON": ("{oops", None),
    "not UTF-8": (b"\xff\xfe{}", None),
    "JSON array": ("[1, 2]", None),
    "JSON string": ('"hello"', None),
    "nested 100k deep": ("[" * 100_000 + "]" * 100_000, None),
    "request without id": ('{"jsonrpc": "2.0", "method": "blade.broadcast", "params": {}}', None),
    "id of wrong type": ('{"jsonrpc": "2.0", "id": {"a": 1}, "method": "blade.ping", "params": {}}', None),
    "params not an object": ('{"jsonrpc": "2.0", "id": "r1", "method": "blade.broadcast", "params": [1]}', None),
    "response to unknown id": ('{"jsonrpc": "2.0", "id": "nobody", "result": {}}', None),
    "response without id": ('{"jsonrpc": "2.0", "result": {}}', None),
    "error response to unknown id": ('{"jsonrpc": "2.0", "id": "nobody", "error": {"code": -1, "message": "x"}}', None),
    "neither request nor response": ('{"jsonrpc": "2.0", "id": "x"}', None),
    "unknown server method": ('{"jsonrpc": "2.0", "id": "m1", "method": "blade.reboot", "params": {}}', "error"),
    "broadcast without inner params": (f'{{"jsonrpc": "2.0", "id": "b-1", "method": "blade.broadcast", "params": {{"protocol": "{PROTO}"}}}}', "ack"),
    "broadcast event_type not text": (_b(None, {}), "ack"),  # type: ignore[arg-type]
    "broadcast event params not object": (_b("calling.call.play", [1, 2]), "ack"),
    "broadcast timestamp 10**400": (_b("calling.call.play", KNOWN_PLAY, timestamp=HUGE_INT), "ack"),
    "broadcast for another protocol": (_b("calling.call.play", KNOWN_PLAY, protocol="signalwire_other"), "ack"),
    "unknown event type": (_b("calling.call.teleport", {"call_id": KNOWN_CALL}), "ack"),
    "component event for unknown call": (_b("calling.call.play", {"call_id": "nobody", "control_id": "c", "state": "finished"}), "ack"),
    "component event for unknown control_id": (_b("calling.call.play", {"call_id": KNOWN_CALL, "control_id": "nobody", "state": "finished"}), "ack"),
    "ended state for unknown call": (_b("calling.call.state", {"call_id": "nobody", "call_state": "ended"}), "ack"),
    "unknown call_state": (_b("calling.call.state", {"call_id": KNOWN_CALL, "call_state": "levitating"}), "ack"),
    "call_state of wrong type": (_b("calling.call.state", {"call_id": KNOWN_CALL, "call_state": ["answered"]}), "ack"),
    "control_id of wrong type": (_b("calling.call.play", {"call_id": KNOWN_CALL, "control_id": ["ctl-play"], "state": "finished"}), "ack"),
    "receive without call_id": (_b("calling.call.receive", {"context": "office"}), "ack"),
    "receive with call_state of wrong type": (_b("calling.call.receive", {"call_id": "new", "context": "office", "call_state": {}}), "ack"),
    "connect peer with call_id of wrong type": (_b("calling.call.connect", {"call_id": KNOWN_CALL, "connect_state": "connected", "peer": {"call_id": [1]}}), "ack"),
}


@pytest.mark.anyio
@pytest.mark.parametrize("name", list(ODD_FRAMES))
async def test_odd_frame_is_logged_once_and_dropped(name: str, capture: _Capture, ledger: Ledger) -> None:
    client, call = session_with_calls()
    session = client.session
    pending = add_pending(session)
    frame, expected = ODD_FRAMES[name]
    ledger.add("hostile frame: catalogue of odd frames (BladeClient.receive)")
    try:
        reply = session.blade.receive(frame)
    except Exception as exc:  # noqa: BLE001 - reported as the failure
        pytest.fail(f"{name}: BladeClient.receive raised {exc!r} (in the reader task this ends the connection)")
    if expected is None:
        assert reply is None
    else:
        answer = p.decode(reply or "null")
        assert isinstance(answer, p.Response if expected == "ack" else p.ErrorResponse)
        assert answer.id == json.loads(frame)["id"]
    assert not capture.crashes(), f"{name}: handled by a crash: {[r.getMessage() for r in capture.crashes()]}"
    odd = capture.odd()
    assert len(odd) == 1, f"{name}: {len(odd)} log records ({[r.getMessage() for r in odd]})"
    # The session is intact: the running play and the pending command still work.
    assert not call.ended and not call._actions["ctl-play"].completed
    session.blade.receive(_b("calling.call.play", {**KNOWN_PLAY, "state": "finished"}, rpc_id="b-final"))
    assert call._actions.get("ctl-play") is None, "a valid event after the odd frame was not handled"
    session.blade.receive(json.dumps({"jsonrpc": "2.0", "id": "pending-1", "result": {"result": {"code": "200"}}}))
    assert pending.response is not None


@pytest.mark.anyio
@pytest.mark.parametrize("kind", ["broadcast", "response"])
async def test_duplicated_ids_are_dropped_and_logged_once(kind: str, capture: _Capture) -> None:
    client, call = session_with_calls()
    session = client.session
    states: list[str] = []
    call.on("play.stateChange", lambda e: states.append(e.payload["state"]))
    if kind == "broadcast":
        frame = _b("calling.call.play", {**KNOWN_PLAY, "state": "playing"}, rpc_id="dup")
        assert session.blade.receive(frame) is not None
        capture.records.clear()
        assert p.decode(session.blade.receive(frame) or "null") == p.Response("dup", {})
        assert states == ["playing"], "a re-delivered event reached the application twice"
    else:
        pending = add_pending(session, "dup")
        frame = json.dumps({"jsonrpc": "2.0", "id": "dup", "result": {"result": {"code": "200"}}})
        session.blade.receive(frame)
        session.blade.pending.discard(pending)
        assert pending.response is not None
        capture.records.clear()
        assert session.blade.receive(frame) is None
    assert not capture.crashes()
    assert len(capture.odd()) == 1, [r.getMessage() for r in capture.odd()]


# --------------------------------------------------------------------------
# 3. A real Client against a hostile server


def mutate(rng: random.Random, frame: dict[str, Any]) -> str | bytes:
    """One random corruption of a valid frame."""
    odd_values = [None, 0, -1, HUGE_INT, "", "x" * 500, [], {}, True, 1.5, [[[]]], {"a": {"b": None}}]
    data = json.loads(json.dumps(frame))
    kind = rng.randrange(8)
    if kind == 7:
        return json.dumps(data).encode()  # a binary frame
    if kind == 6:
        text = json.dumps(data)
        return text[: rng.randrange(len(text))]  # truncated
    # walk to a random dict inside
    node = data
    for _ in range(rng.randrange(4)):
        children = [v for v in node.values() if isinstance(v, dict)]
        if not children:
            break
        node = rng.choice(children)
    if not node:
        return json.dumps(rng.choice(odd_values))
    key = rng.choice(sorted(node))
    if kind in (0, 1):
        del node[key]
    elif kind in (2, 3, 4):
        node[key] = rng.choice(odd_values)
    else:
        node[key + "_renamed"] = node.pop(key)
    return json.dumps(data)


@pytest.mark.anyio
async def test_client_survives_a_storm_of_mutated_frames(capture: _Capture, ledger: Ledger) -> None:
    rng = random.Random(20240611)
    async with HostileRelay() as server:
        async with Client(PROJECT, TOKEN, host=server.url, timeout=2, keepalive=0.5, reconnect_base=0.02, reconnect_cap=0.1) as client:
            dialed = await client.calling.dial(from_number="+15550001000", to_number="+15550002000")
            assert dialed.successful
            call = dialed.call
            seeds = [
                server.broadcast("calling.call.play", {"call_id": call.id, "node_id": "n", "control_id": "c1", "state": "playing"}),
                server.broadcast("calling.call.state", {"call_id": call.id, "node_id": "n", "call_state": "answered", "tag": call.tag}),
                server.broadcast("calling.call.receive", {"call_id": "in-1", "node_id": "n", "context": "office", "call_state": "created"}),
                server.broadcast("calling.call.connect", {"call_id": call.id, "connect_state": "connected", "peer": {"call_id": "peer", "node_id": "n"}}),
                {"jsonrpc": "2.0", "id": "orphan", "result": {"result": {"code": "200"}}},
                {"jsonrpc": "2.0", "id": "srv-ping", "method": "blade.ping", "params": {"timestamp": 1.0}},
            ]
            storm = [mutate(rng, rng.choice(seeds)) for _ in range(600)]
            capture.records.clear()
            for n in range(0, len(storm), 50):
                await server.send(*storm[n:n + 50])
            ledger.add("hostile frame: mutated frames through a real Client", len(storm))
            # The session still works, on the same socket.
            with anyio.fail_after(5):
                assert (await call.play_tts(text="still alive")).successful
                again = await client.calling.dial(from_number="+15550001000", to_number="+15550002001")
            assert again.successful
            assert server.connects == 1, "an odd frame cost the connection"
            assert not capture.crashes(), [r.getMessage() for r in capture.crashes()][:5]
            # Every request the client could read got an answer: the server is never left waiting.
            readable = []
            for frame in storm:
                try:
                    message = p.decode(frame) if isinstance(frame, str) else None
                except RemoteProtocolError:
                    continue
                if isinstance(message, p.Request) and len(frame) <= client.session.max_frame_size:
                    readable.append(message.id)
            await eventually(lambda: set(readable) <= {str(i) for i in server.acks()}, what="answers to every readable request")


@pytest.mark.anyio
async def test_binary_and_fragmented_messages(capture: _Capture) -> None:
    async with HostileRelay() as server:
        async with Client(PROJECT, TOKEN, host=server.url, timeout=2, keepalive=0) as client:
            dialed = await client.calling.dial(from_number="+15550001000", to_number="+15550002000")
            call = dialed.call
            states: list[str] = []
            call.on("play.stateChange", lambda e: states.append(e.payload["state"]))
            action = await call.play_tts_async(text="x")
            # a valid event split in 7 fragments is one event
            await server.send_fragmented(json.dumps(server.broadcast("calling.call.play", {
                "call_id": call.id, "control_id": "other", "state": "playing"})), parts=7)
            await action.wait()
            capture.records.clear()
            await server.send(b'{"jsonrpc": "2.0", "id": "bin", "method": "blade.ping", "params": {}}')
            with anyio.fail_after(5):
                assert (await call.play_tts(text="after binary")).successful
            assert server.connects == 1
            binary = [r for r in capture.odd() if "binary" in r.getMessage()]
            assert len(binary) == 1, f"a binary frame must be logged once: {[r.getMessage() for r in capture.odd()]}"


@pytest.mark.anyio
async def test_blade_disconnect_without_close_does_not_hang_commands() -> None:
    """The server announces maintenance but never closes the socket: queued
    commands must not wait forever; the client closes and reconnects itself."""
    async with HostileRelay() as server:
        async with Client(PROJECT, TOKEN, host=server.url, timeout=1, keepalive=0.5, reconnect_base=0.02, reconnect_cap=0.1) as client:
            dialed = await client.calling.dial(from_number="+15550001000", to_number="+15550002000")
            await server.send({"jsonrpc": "2.0", "id": "bye", "method": "blade.disconnect", "params": {}})
            await server.wait_received(lambda f: isinstance(f, dict) and f.get("id") == "bye")
            with anyio.fail_after(4):
                result = await dialed.call.play_tts(text="after maintenance")
            assert result.successful
            assert server.connects == 2


@pytest.mark.anyio
async def test_connect_result_with_odd_signature_and_frame_logging(capture: _Capture) -> None:
    """A signature of the wrong type must not break DEBUG frame logging (nor the session)."""
    async with HostileRelay() as server:
        server.connect_result = lambda params: {**p.connect_result(
            sessionid="s", nodeid="n", project=PROJECT, signature="x", session_restored=False),
            "authorization": {"project": PROJECT, "signature": 12345}}
        with anyio.fail_after(5):
            async with Client(PROJECT, TOKEN, host=server.url, timeout=2, keepalive=0) as client:
                dialed = await client.calling.dial(from_number="+15550001000", to_number="+15550002000")
                assert dialed.successful
        assert not capture.crashes()
