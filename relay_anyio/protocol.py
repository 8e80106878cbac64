"""The Blade/Relay v2 wire protocol, sans-I/O.

Frames in, typed messages out; messages in, frames out. Nothing here reads
a socket, sleeps or looks at a clock, so both the client session and the
simulator build on it, and its tests are plain function calls.

Every frame is one JSON-RPC 2.0 object in a WebSocket text frame. See
``docs/protocol.md`` (section numbers below refer to it).
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from .errors import RemoteProtocolError
from .wire import CALLING_EVENTS, TASKS_EVENTS

__all__ = [
    "BLADE_VERSION",
    "NULL_NODE",
    "Request",
    "Response",
    "ErrorResponse",
    "Message",
    "ConnectResult",
    "CommandResult",
    "RelayEvent",
    "new_id",
    "encode",
    "decode",
    "request",
    "connect_params",
    "execute_params",
    "execute_frame",
    "pack",
    "unpack",
    "parse_json",
    "subscription_params",
    "parse_connect_result",
    "parse_execute_result",
    "parse_broadcast",
    "broadcast_params",
    "task_broadcast_params",
    "connect_result",
    "execute_result",
    "EVENT_CHANNEL",
]

BLADE_VERSION = {"major": 2, "minor": 3, "revision": 0}
NULL_NODE = "00000000-0000-0000-0000-000000000000"
EVENT_CHANNEL = "notifications"
EVENT_NAME = CALLING_EVENTS

# Blade methods (sections 2 and 4)
CONNECT = "blade.connect"
EXECUTE = "blade.execute"
SUBSCRIPTION = "blade.subscription"
PING = "blade.ping"
BROADCAST = "blade.broadcast"
DISCONNECT = "blade.disconnect"


def obj(value: Any) -> dict[str, Any]:
    """``value`` if it is a JSON object, else an empty one (for lenient reads of events)."""
    return value if isinstance(value, dict) else {}


# A generator of our own: a user's random.seed() (or a test tool's) never makes
# two processes' ids alike. Seeded from the OS, and again in a forked child.
_random = random.Random()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_random.seed)
_getrandbits = _random.getrandbits

# Version 4 and the RFC 4122 variant, set in a random 128-bit number.
_UUID4_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
_UUID4_SET = (0x4000 << 64) | (0x8000 << 48)


def new_id() -> str:
    """A fresh JSON-RPC id / control id / tag (a random UUID4 string).

    Ids are made several times per call, so this skips ``uuid.uuid4()``'s
    object and system call: the bits come from a generator of the module's
    own, seeded from the OS. Ids must be unique, not secret; nothing
    authenticates with them.
    """
    x = "%032x" % (_getrandbits(128) & _UUID4_CLEAR | _UUID4_SET)
    return x[:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:]


def empty_result(request_id: str) -> str:
    """The frame of an empty result (the ack of every server request)."""
    return '{"jsonrpc":"2.0","id":' + _dumps(request_id) + ',"result":{}}'


@attrs.frozen
class Request:
    """A JSON-RPC request (either side may send one)."""

    id: str
    method: str
    params: dict[str, Any] = attrs.field(factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"jsonrpc": "2.0", "id": self.id, "method": self.method, "params": self.params}


@attrs.frozen
class Response:
    """A successful JSON-RPC response."""

    id: str
    result: Any

    def to_dict(self) -> dict[str, Any]:
        return {"jsonrpc": "2.0", "id": self.id, "result": self.result}


@attrs.frozen
class ErrorResponse:
    """A JSON-RPC error response (``id`` is None when the request was unreadable)."""

    id: str | None
    code: int
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "jsonrpc": "2.0",
            "id": self.id,
            "error": {"code": self.code, "message": self.message},
        }


Message = Request | Response | ErrorResponse

# JSON-RPC 2.0 standard error codes, used by the simulator for bad frames.
PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
AUTH_ERROR = -32002


def _dumps_stdlib(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


try:  # orjson is several times faster; the stdlib is the fallback (e.g. PyPy)
    import orjson

    def _dumps(value: Any) -> str:
        try:
            return orjson.dumps(value).decode()
        except TypeError:  # e.g. an int beyond 64 bits: the stdlib copes
            return _dumps_stdlib(value)

    def _loads(frame: str | bytes) -> Any:
        try:
            return orjson.loads(frame)
        except orjson.JSONDecodeError:
            # orjson refuses what the stdlib reads (integers beyond 64 bits):
            # only a frame that fails takes this slower path.
            return json.loads(frame)

    def packed_value(data: bytes) -> Any:
        """What encodes as the packed JSON ``data`` inside a frame, without decoding it."""
        return orjson.Fragment(data)

    _JSON_ERRORS: tuple[type[Exception], ...] = (ValueError, UnicodeDecodeError, RecursionError)
except ImportError:  # pragma: no cover - exercised where orjson is absent
    _dumps = _dumps_stdlib
    _loads = json.loads  # type: ignore[assignment]
    _JSON_ERRORS = (ValueError, UnicodeDecodeError, RecursionError)

    def packed_value(data: bytes) -> Any:
        """What encodes as the packed JSON ``data`` inside a frame (decoded here)."""
        return _loads(data)


def pack(value: Any) -> bytes:
    """A JSON value kept for later as compact bytes (a third of a decoded dict's
    memory, and nothing for the collector to visit); ``unpack`` gives it back.
    Copied through ``str``: the bytes ``orjson.dumps`` returns keep its whole
    write buffer (4 KB, measured with tracemalloc), whatever their length."""
    return _dumps(value).encode()


def unpack(data: bytes) -> Any:
    return _loads(data)


def encode(message: Message) -> str:
    """Serialize a message to the text of one WebSocket frame."""
    return _dumps(message.to_dict())


def decode(frame: str | bytes) -> Message:
    """Parse one frame. Raises RemoteProtocolError naming what is wrong."""
    return from_dict(parse_json(frame))


def parse_json(frame: str | bytes) -> Any:
    """The JSON value of one frame (``from_dict`` types it). Raises RemoteProtocolError."""
    try:
        return _loads(frame)
    except _JSON_ERRORS as exc:
        raise RemoteProtocolError(f"frame is not JSON: {exc}") from None


def from_dict(data: Any) -> Message:
    """Turn a decoded JSON value into a typed message (see ``decode``)."""
    if not isinstance(data, dict):
        raise RemoteProtocolError(f"frame is not a JSON object: {type(data).__name__}")
    msg_id = data.get("id")
    if msg_id is not None and not isinstance(msg_id, (str, int)):
        raise RemoteProtocolError(f"frame id has type {type(msg_id).__name__}")
    if msg_id is not None:
        msg_id = str(msg_id)
    if "method" in data:
        method = data["method"]
        params = data.get("params", {})
        if not isinstance(method, str):
            raise RemoteProtocolError("request method is not a string")
        if params is None:
            params = {}
        if not isinstance(params, dict):
            raise RemoteProtocolError(f"params of {method!r} is not an object")
        if msg_id is None:
            raise RemoteProtocolError(f"request {method!r} has no id")
        return Request(msg_id, method, params)
    if "error" in data:
        err = data["error"]
        if not isinstance(err, dict):
            raise RemoteProtocolError("error member is not an object")
        code = err.get("code", 0)
        if not isinstance(code, int) or isinstance(code, bool):
            code = 0
        return ErrorResponse(msg_id, code, str(err.get("message", "")))
    if "result" in data:
        if msg_id is None:
            raise RemoteProtocolError("response has no id")
        return Response(msg_id, data["result"])
    raise RemoteProtocolError("frame is neither a request nor a response")


def request(method: str, params: Mapping[str, Any] | None = None, id: str | None = None) -> Request:
    """Build a request with a fresh id (or the given one, for a re-send)."""
    return Request(id or new_id(), method, dict(params or {}))


# --------------------------------------------------------------------------
# Client -> server builders (sections 2 and 3)


def connect_params(
    project: str, token: str, agent: str, sessionid: str | None = None
) -> dict[str, Any]:
    """Params of ``blade.connect``; ``sessionid`` asks for a session back."""
    params: dict[str, Any] = {
        "version": dict(BLADE_VERSION),
        "authentication": {"project": project, "token": token},
        "agent": agent,
    }
    if sessionid:
        params["sessionid"] = sessionid
    return params


def execute_params(protocol: str, method: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """Params of ``blade.execute`` for one Relay method."""
    return {"protocol": protocol, "method": method, "params": dict(params)}


def execute_frame(request_id: str, protocol: str, method: str, params: Any) -> str:
    """The frame of a ``blade.execute`` request: ``encode(Request(request_id, EXECUTE,
    execute_params(...)))`` without the Request object or a copy of ``params``
    (the frame of every command a call sends). ``params``: a dict, or packed
    (bytes, see ``pack``: spliced in as they are)."""
    if type(params) is bytes:
        params = packed_value(params)
    return _dumps({
        "jsonrpc": "2.0", "id": request_id, "method": EXECUTE,
        "params": {"protocol": protocol, "method": method, "params": params},
    })


def subscription_params(protocol: str, channels: Iterable[str] = (EVENT_CHANNEL,)) -> dict[str, Any]:
    return {"command": "add", "protocol": protocol, "channels": list(channels)}


# --------------------------------------------------------------------------
# Parsing what the server answers


@attrs.frozen
class ConnectResult:
    """What ``blade.connect`` answered. The signature is kept out of repr."""

    sessionid: str
    nodeid: str
    session_restored: bool
    project: str | None = None
    signature: str | None = attrs.field(default=None, repr=False)


def parse_connect_result(result: Any) -> ConnectResult:
    if not isinstance(result, dict) or not isinstance(result.get("sessionid"), str):
        raise RemoteProtocolError("blade.connect result has no sessionid")
    auth = result.get("authorization") or {}
    if not isinstance(auth, dict):
        auth = {}
    return ConnectResult(
        sessionid=result["sessionid"],
        nodeid=str(result.get("nodeid", "")),
        session_restored=bool(result.get("session_restored", False)),
        project=auth["project"] if isinstance(auth.get("project"), str) else None,
        signature=auth["signature"] if isinstance(auth.get("signature"), str) else None,
    )


@attrs.frozen
class CommandResult:
    """The outcome of a Relay command: ``code == "200"`` is success.

    ``data`` is the inner result object (``url`` of record, ``source_device``
    of tap, ``call_id`` of begin ...). A JSON-RPC error becomes a CommandResult
    with the error's code (as a string) and message.
    """

    code: str
    message: str
    data: dict[str, Any] = attrs.field(factory=dict)

    @property
    def successful(self) -> bool:
        return self.code == "200"


def parse_execute_result(message: Response | ErrorResponse) -> CommandResult:
    """Interpret the response to a ``blade.execute`` (section 3)."""
    if isinstance(message, ErrorResponse):
        return CommandResult(str(message.code), message.message)
    outer = message.result
    inner = outer.get("result") if isinstance(outer, dict) else None
    if not isinstance(inner, dict):
        # signalwire.setup answers {"protocol": ...} without a code.
        if isinstance(outer, dict) and isinstance(outer.get("result"), dict):
            inner = outer["result"]
        else:
            return CommandResult("500", "malformed execute result")
    code = inner.get("code", "200")
    return CommandResult(str(code), str(inner.get("message", "")), inner)


@attrs.frozen
class RelayEvent:
    """One event taken out of a ``blade.broadcast`` (section 4).

    A task (``event`` ``queuing.relay.tasks``) has no event_type of its own:
    it is given ``TASKS_EVENTS`` as one, and its params are ``{context, message}``.
    """

    event_type: str
    params: dict[str, Any]
    protocol: str
    timestamp: float | None = None


def parse_broadcast(params: Mapping[str, Any]) -> RelayEvent:
    """Unwrap a broadcast; raises RemoteProtocolError when it is not a relay event."""
    inner = params.get("params")
    if not isinstance(inner, dict):
        raise RemoteProtocolError("broadcast without params")
    if params.get("event") == TASKS_EVENTS:
        return RelayEvent(TASKS_EVENTS, inner, str(params.get("protocol") or ""))
    event_type = inner.get("event_type")
    if not isinstance(event_type, str):
        raise RemoteProtocolError("broadcast without event_type")
    event_params = inner.get("params")
    if not isinstance(event_params, dict):
        raise RemoteProtocolError(f"event {event_type!r} without params")
    protocol = params.get("protocol") or inner.get("event_channel") or ""
    ts = inner.get("timestamp")
    timestamp: float | None = None
    if isinstance(ts, (int, float)) and not isinstance(ts, bool):
        try:
            timestamp = float(ts)
        except OverflowError:
            raise RemoteProtocolError(f"event {event_type!r} has an impossible timestamp") from None
    return RelayEvent(event_type, event_params, str(protocol), timestamp)


# --------------------------------------------------------------------------
# Server -> client builders (used by the simulator)


def connect_result(
    *,
    sessionid: str,
    nodeid: str,
    project: str,
    signature: str,
    session_restored: bool,
) -> dict[str, Any]:
    return {
        "session_restored": session_restored,
        "sessionid": sessionid,
        "nodeid": nodeid,
        "master_nodeid": NULL_NODE,
        "authorization": {
            "project": project,
            "expires_at": None,
            "scopes": ["calling"],
            "signature": signature,
        },
        "routes": [],
        "protocols": [],
        "subscriptions": [],
        "authorities": [],
        "authorizations": [],
        "accesses": [],
        "protocols_uncertified": ["signalwire"],
    }


def execute_result(
    requester: str, responder: str, result: Mapping[str, Any]
) -> dict[str, Any]:
    return {"requester_nodeid": requester, "responder_nodeid": responder, "result": dict(result)}


def broadcast_params(
    *,
    protocol: str,
    event_type: str,
    params: Mapping[str, Any],
    timestamp: float,
    broadcaster: str,
    project_id: str,
    space_id: str,
    event: str = EVENT_NAME,
) -> dict[str, Any]:
    """A calling (or, with ``event=MESSAGING_EVENTS``, messaging) event's broadcast params."""
    return {
        "broadcaster_nodeid": broadcaster,
        "protocol": protocol,
        "channel": EVENT_CHANNEL,
        "event": event,
        "params": {
            "event_type": event_type,
            "event_channel": protocol,
            "timestamp": timestamp,
            "project_id": project_id,
            "space_id": space_id,
            "params": dict(params),
        },
    }


def task_broadcast_params(*, protocol: str, broadcaster: str, context: str, message: Any) -> dict[str, Any]:
    """A task's broadcast params: the task itself is the inner ``params``."""
    return {
        "broadcaster_nodeid": broadcaster,
        "protocol": protocol,
        "channel": EVENT_CHANNEL,
        "event": TASKS_EVENTS,
        "params": {"context": context, "message": message},
    }
