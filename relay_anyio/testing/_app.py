"""The ASGI app: the Relay WebSocket, recordings, fax documents, control API.

One app on one port: ``ws://host:port`` is the Relay endpoint (any path),
``GET /recordings/<id>.wav`` and ``GET /fax/<id>.pdf`` serve media the
calls produced, ``/control/...`` is the HTTP control API (``_control``),
``POST /api/relay/rest/tasks`` the REST task endpoint (``_tasks``).
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
from collections.abc import Awaitable, Callable, Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

import anyio

from ._blade import BladeEndpoint
from ._connection import Connection
from ._control import ControlAPI
from ._tasks import rest_task
from ..wire import TASKS_PATH

if TYPE_CHECKING:
    from .simulator import RelaySimulator

__all__ = ["SimulatorApp"]

logger = logging.getLogger(__name__)

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

MAX_BODY = 10 * 1024 * 1024
_RECORDING = re.compile(r"^/recordings/([A-Za-z0-9-]+)\.wav$")
_FAX = re.compile(r"^/fax/([A-Za-z0-9-]+)\.pdf$")


class SimulatorApp:
    def __init__(self, sim: RelaySimulator) -> None:
        self.sim = sim
        self.control = ControlAPI(sim)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "websocket":
            await self.websocket(receive, send)
        elif kind == "http":
            await self.http(scope, receive, send)
        elif kind == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return

    # -- the Relay socket ----------------------------------------------------

    async def websocket(self, receive: Receive, send: Send) -> None:
        message = await receive()
        if message["type"] != "websocket.connect":
            return
        await send({"type": "websocket.accept"})
        with self.relay_socket() as (connection, endpoint):
            async with anyio.create_task_group() as tg:

                async def write() -> None:
                    try:
                        await connection.run_writer(send)
                    finally:
                        # The writer ends when the socket is closed or dropped:
                        # stop reading too, so the ASGI call returns.
                        tg.cancel_scope.cancel()

                tg.start_soon(write)
                while True:
                    message = await receive()
                    kind = message["type"]
                    if kind == "websocket.disconnect":
                        break
                    if kind != "websocket.receive":
                        continue
                    text = message.get("text")
                    if text is None:
                        data = message.get("bytes") or b""
                        text = data.decode("utf-8", errors="replace")
                    endpoint.handle_text(text)
                connection.closed = True
                tg.cancel_scope.cancel()

    @contextlib.contextmanager
    def relay_socket(self) -> Iterator[tuple[Connection, BladeEndpoint]]:
        """One accepted Relay socket's simulator side, for either server: its
        Connection and Blade endpoint, registered while the body runs and
        closed after it, whatever way it ends (a handler error is logged)."""
        sim = self.sim
        connection = Connection(sim.journal)
        endpoint = BladeEndpoint(sim, connection)
        sim._connections.add(connection)
        try:
            yield connection, endpoint
        except Exception:
            logger.exception("relay simulator: socket handler failed")
        finally:
            connection.closed = True
            sim._connections.discard(connection)
            endpoint.closed()

    # -- HTTP ------------------------------------------------------------------

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            body = bytearray()
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                body += message.get("body", b"")
                if len(body) > MAX_BODY:
                    await self.respond_json(send, 413, {"error": "request body too large"})
                    return
                if not message.get("more_body"):
                    break
            status, content_type, payload = await self.route(scope, bytes(body))
        except Exception as exc:  # bad input must never stop the server
            logger.exception("relay simulator: HTTP handler failed")
            status, content_type, payload = (
                500,
                "application/json",
                json.dumps({"error": f"internal simulator error: {exc!r}"}).encode(),
            )
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", content_type.encode()),
                    (b"content-length", str(len(payload)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})

    async def route(self, scope: Scope, body: bytes) -> tuple[int, str, bytes]:
        path: str = scope.get("path", "/")
        method: str = scope.get("method", "GET")
        if path.startswith("/control"):
            query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
            status, data = await self.control.handle(method, path, query, body)
            return status, "application/json", json.dumps(data, default=str).encode()
        if path == TASKS_PATH:
            status, answer = rest_task(self.sim, method, scope.get("headers") or [], body)
            return (status, "application/json", b"") if answer is None else _json(status, answer)
        if method not in ("GET", "HEAD"):
            return _json(405, {"error": f"{method} is not allowed on {path}"})
        match = _RECORDING.match(path)
        if match:
            data = self.sim._files.read_recording(match.group(1))
            if data is None:
                return _json(404, {"error": f"no recording {match.group(1)!r}"})
            return 200, "audio/wav", data
        match = _FAX.match(path)
        if match:
            data = self.sim._files.fax_document(match.group(1))
            if data is None:
                return _json(404, {"error": f"no fax document {match.group(1)!r}"})
            return 200, "application/pdf", data
        if path == "/":
            return _json(
                200,
                {
                    "service": "relay-anyio Relay simulator",
                    "websocket": self.sim.url,
                    "control": f"{self.sim.http_url}/control",
                },
            )
        return _json(404, {"error": f"nothing at {path}"})

    @staticmethod
    async def respond_json(send: Send, status: int, data: Any) -> None:
        payload = json.dumps(data).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": payload})


def _json(status: int, data: Any) -> tuple[int, str, bytes]:
    return status, "application/json", json.dumps(data).encode()
