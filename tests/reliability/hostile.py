"""A tiny Relay server that behaves until told to send garbage.

wsproto over an anyio TCP listener on 127.0.0.1 (either backend): it
completes the WebSocket upgrade, answers the Blade handshake, pings and
calling commands (enough for ``dial`` and ``play``), and on request writes
whatever the test hands it: odd text frames, binary frames, fragmented or
huge messages, server requests, or nothing at all.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import anyio
import anyio.abc
from anyio.abc import SocketAttribute
from wsproto import ConnectionType, WSConnection
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Ping,
    Request,
    TextMessage,
)

from relay_anyio import protocol as p

PROJECT = "hostile-project"
TOKEN = "hostile-token-5f1e2d3c"
SIGNATURE = "c0ffee" * 10
PROTO = "signalwire_hostile"


class LocalServer:
    """A TCP server on 127.0.0.1:<free port> whose connections run in its own
    task group; subclasses implement ``_serve(stream)``."""

    port = 0
    _tg: anyio.abc.TaskGroup | None = None

    async def _serve(self, stream: anyio.abc.ByteStream) -> None:
        raise NotImplementedError

    async def __aenter__(self) -> Any:
        self._listener = await anyio.create_tcp_listener(local_host="127.0.0.1", local_port=0)
        self.port = self._listener.extra(SocketAttribute.local_port)
        self._tg = anyio.create_task_group()
        await self._tg.__aenter__()
        self._tg.start_soon(self._listener.serve, self._serve_then_close)
        return self

    async def _serve_then_close(self, stream: anyio.abc.ByteStream) -> None:
        # However _serve ends (or never starts, cancelled at shutdown), the accepted socket is closed.
        try:
            await self._serve(stream)
        finally:
            await anyio.aclose_forcefully(stream)

    async def __aexit__(self, *exc: Any) -> None:
        assert self._tg is not None
        self._tg.cancel_scope.cancel()
        await self._tg.__aexit__(None, None, None)
        await self._listener.aclose()


class _Peer:
    def __init__(self, stream: anyio.abc.ByteStream) -> None:
        self.stream = stream
        self.ws = WSConnection(ConnectionType.SERVER)
        self.lock = anyio.Lock()
        self.open = False

    async def write(self, data: bytes) -> None:
        async with self.lock:
            await self.stream.send(data)


class HostileRelay(LocalServer):
    """``async with HostileRelay() as server``: ``server.url``, ``await server.send(...)``."""

    def __init__(self) -> None:
        self.port = 0
        self.peers: list[_Peer] = []
        self.received: list[Any] = []  # every frame the client sent, decoded
        self.connects = 0
        self.connect_result: Callable[[dict[str, Any]], dict[str, Any]] = self._connect_result
        self.silent = False  # stop answering anything (a hung server)
        self._tg: anyio.abc.TaskGroup | None = None
        self._changed = anyio.Event()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"


    # -- what tests use ---------------------------------------------------

    @property
    def peer(self) -> _Peer:
        live = [peer for peer in self.peers if peer.open]
        assert live, "no client connected"
        return live[-1]

    async def send(self, *frames: str | bytes | dict[str, Any]) -> None:
        """Write each frame as one message: str as text, bytes as binary, dict as JSON text."""
        peer = self.peer
        data = b""
        for frame in frames:
            if isinstance(frame, dict):
                frame = json.dumps(frame)
            if isinstance(frame, str):
                data += peer.ws.send(TextMessage(data=frame))
            else:
                data += peer.ws.send(BytesMessage(data=frame))
        await peer.write(data)

    async def send_fragmented(self, text: str, parts: int) -> None:
        peer = self.peer
        size = max(1, len(text) // parts)
        chunks = [text[i:i + size] for i in range(0, len(text), size)]
        data = b""
        for n, chunk in enumerate(chunks):
            data += peer.ws.send(TextMessage(data=chunk, message_finished=n == len(chunks) - 1))
        await peer.write(data)

    def broadcast(self, event_type: str, params: dict[str, Any], *, rpc_id: str | None = None, protocol: str = PROTO) -> dict[str, Any]:
        return {
            "jsonrpc": "2.0",
            "id": rpc_id or str(uuid.uuid4()),
            "method": "blade.broadcast",
            "params": p.broadcast_params(
                protocol=protocol, event_type=event_type, params=params, timestamp=1.0,
                broadcaster="node", project_id=PROJECT, space_id="space",
            ),
        }

    async def wait_received(self, predicate: Callable[[Any], bool], count: int = 1, timeout: float = 5) -> list[Any]:
        with anyio.fail_after(timeout):
            while True:
                found = [f for f in self.received if predicate(f)]
                if len(found) >= count:
                    return found
                await self._changed.wait()

    def acks(self) -> set[str]:
        return {f["id"] for f in self.received if isinstance(f, dict) and "result" in f and "method" not in f}

    # -- serving --------------------------------------------------------------

    def _connect_result(self, params: dict[str, Any]) -> dict[str, Any]:
        # One session, restored when the client asks for it back (as the service does).
        restored = params.get("sessionid") == "sess-1"
        return p.connect_result(sessionid="sess-1", nodeid="node-1", project=PROJECT, signature=SIGNATURE, session_restored=restored)

    async def _serve(self, stream: anyio.abc.ByteStream) -> None:
        peer = _Peer(stream)
        self.peers.append(peer)
        buffer = ""
        try:
            while True:
                try:
                    data = await stream.receive()
                except (anyio.EndOfStream, anyio.BrokenResourceError, anyio.ClosedResourceError):
                    return
                peer.ws.receive_data(data)
                for event in peer.ws.events():
                    if isinstance(event, Request):
                        await peer.write(peer.ws.send(AcceptConnection()))
                        peer.open = True
                        self.connects += 1
                    elif isinstance(event, TextMessage):
                        buffer += event.data
                        if event.message_finished:
                            text, buffer = buffer, ""
                            await self._on_text(peer, text)
                    elif isinstance(event, Ping):
                        await peer.write(peer.ws.send(event.response()))
                    elif isinstance(event, CloseConnection):
                        peer.open = False
                        try:
                            await peer.write(peer.ws.send(event.response()))
                        except Exception:  # noqa: BLE001 - the client may be gone already
                            pass
                        return
        finally:
            peer.open = False
            await anyio.aclose_forcefully(stream)

    async def _on_text(self, peer: _Peer, text: str) -> None:
        frame = json.loads(text)
        self.received.append(frame)
        self._changed.set()
        self._changed = anyio.Event()
        if self.silent or "method" not in frame:
            return
        method, params, rpc_id = frame["method"], frame.get("params", {}), frame["id"]
        out: list[dict[str, Any]] = []

        def result(value: Any) -> None:
            out.append({"jsonrpc": "2.0", "id": rpc_id, "result": value})

        if method == "blade.connect":
            result(self.connect_result(params))
        elif method == "blade.ping":
            result({"timestamp": params.get("timestamp")})
        elif method == "blade.subscription":
            result({"protocol": params.get("protocol"), "command": "add", "subscribe_channels": ["notifications"]})
        elif method == "blade.execute":
            inner, args = params.get("method"), params.get("params", {})
            if inner == "setup":
                result(p.execute_result("node-1", "node-0", {"protocol": PROTO}))
            elif inner == "calling.begin":
                call_id = "call-" + args["tag"]
                result(p.execute_result("node-1", "node-0", {"code": "200", "message": "ok", "call_id": call_id, "node_id": "n"}))
                for state in ("created", "answered"):
                    out.append(self.broadcast("calling.call.state", {
                        "call_state": state, "call_id": call_id, "node_id": "n", "tag": args["tag"],
                        "direction": "outbound", "device": args.get("device", {}),
                    }))
            elif inner == "calling.play":
                result(p.execute_result("node-1", "node-0", {"code": "200", "message": "ok"}))
                out.append(self.broadcast("calling.call.play", {
                    "call_id": args["call_id"], "node_id": "n", "control_id": args["control_id"], "state": "finished",
                }))
            else:
                result(p.execute_result("node-1", "node-0", {"code": "200", "message": "ok"}))
        else:
            out.append({"jsonrpc": "2.0", "id": rpc_id, "error": {"code": -32601, "message": "no such method"}})
        await peer.write(b"".join(peer.ws.send(TextMessage(data=json.dumps(f))) for f in out))
