"""A lean server for the simulator: wsproto and h11 straight on anyio sockets.

hypercorn (``_server``) is the default and the reference. Under load it
costs the simulator more than the client it serves: every frame is one
ASGI message, one wsproto event and one socket write. This server reads
whatever the socket holds, handles every frame in it, and writes all the
frames queued meanwhile in one ``send``. Used for load generation
(``RelaySimulator(server="lean")``, ``relay-sim --server lean``); it serves
the same Relay socket, control API, recordings and fax documents on one
port, on asyncio and trio alike.
"""

from __future__ import annotations

import contextlib
import logging
import socket
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import anyio
import anyio.abc

from ._app import MAX_BODY, SimulatorApp

if TYPE_CHECKING:
    from .simulator import RelaySimulator

__all__ = ["lean_available", "serve_lean"]

logger = logging.getLogger(__name__)

MAX_HEAD = 64 * 1024
READ_SIZE = 256 * 1024
MAX_MESSAGE = 16 * 1024 * 1024
# After shutdown is asked, sockets get this long to finish before they are cut.
GRACE = 1.0


def lean_available() -> bool:
    """anyio >= 4.10 (``SocketListener.from_socket``), h11 and wsproto."""
    try:
        import h11  # noqa: F401
        import wsproto  # noqa: F401
    except ImportError:
        return False
    return hasattr(anyio.abc.SocketListener, "from_socket")


async def serve_lean(
    sim: RelaySimulator, sock: socket.socket, shutdown_trigger: Callable[[], Awaitable[None]]
) -> None:
    """Serve on (a duplicate of) ``sock`` until ``shutdown_trigger`` returns."""
    app = SimulatorApp(sim)
    listener = await anyio.abc.SocketListener.from_socket(sock.dup())
    async with listener, anyio.create_task_group() as tg:

        async def accept_loop() -> None:
            while True:
                try:
                    stream = await listener.accept()
                except (anyio.ClosedResourceError, anyio.BrokenResourceError):
                    return
                except OSError as exc:  # e.g. too many open files: keep serving
                    logger.warning("relay simulator: accept failed: %r", exc)
                    await anyio.sleep(0.01)
                    continue
                tg.start_soon(_serve_socket, app, stream)

        tg.start_soon(accept_loop)
        await shutdown_trigger()
        with anyio.move_on_after(GRACE):
            while sim._connections:
                await anyio.sleep(0.01)
        tg.cancel_scope.cancel()


async def _serve_socket(app: SimulatorApp, stream: anyio.abc.SocketStream) -> None:
    async with stream:
        try:
            data = bytearray()
            while b"\r\n\r\n" not in data:
                if len(data) > MAX_HEAD:
                    return
                data += await stream.receive(READ_SIZE)
            head = bytes(data[: data.index(b"\r\n\r\n")]).lower()
            if _is_websocket(head):
                await _serve_websocket(app, stream, bytes(data))
            else:
                await _serve_http(app, stream, bytes(data))
        except (anyio.EndOfStream, anyio.BrokenResourceError, anyio.ClosedResourceError, OSError):
            pass
        except Exception:
            logger.exception("relay simulator: lean socket handler failed")


def _is_websocket(head: bytes) -> bool:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip() == b"upgrade" and b"websocket" in value:
            return True
    return False


# -- the Relay socket ------------------------------------------------------------


async def _serve_websocket(app: SimulatorApp, stream: anyio.abc.SocketStream, first: bytes) -> None:
    from wsproto import ConnectionType, WSConnection
    from wsproto.events import (
        AcceptConnection,
        BytesMessage,
        CloseConnection,
        Ping,
        Request,
        TextMessage,
    )

    ws = WSConnection(ConnectionType.SERVER)
    ws.receive_data(first)
    accepted = False
    for event in ws.events():
        if isinstance(event, Request):
            await stream.send(ws.send(AcceptConnection()))
            accepted = True
            break
    if not accepted:
        return
    lock = anyio.Lock()

    async def write(texts: list[str]) -> None:
        out = b"".join([ws.send(TextMessage(data=text)) for text in texts])
        async with lock:
            await stream.send(out)

    async def close(code: int) -> None:
        async with lock:
            await stream.send(ws.send(CloseConnection(code=code)))

    with app.relay_socket() as (connection, endpoint):
        async with anyio.create_task_group() as tg:

            async def writer() -> None:
                try:
                    await connection.run_batched_writer(write, close)
                finally:
                    # The writer ends when the socket is closed or dropped:
                    # stop reading too, so the socket is released.
                    tg.cancel_scope.cancel()

            tg.start_soon(writer)
            parts: list[str] = []
            size = 0
            while True:
                for event in ws.events():
                    if isinstance(event, TextMessage):
                        if event.message_finished and not parts:
                            endpoint.handle_text(event.data)
                            continue
                        parts.append(event.data)
                        size += len(event.data)
                        if size > MAX_MESSAGE:
                            connection.close(1009)
                            return
                        if event.message_finished:
                            text = "".join(parts)
                            parts.clear()
                            size = 0
                            endpoint.handle_text(text)
                    elif isinstance(event, BytesMessage):
                        data = event.data
                        parts.append(bytes(data).decode("utf-8", errors="replace"))
                        if event.message_finished:
                            text = "".join(parts)
                            parts.clear()
                            size = 0
                            endpoint.handle_text(text)
                    elif isinstance(event, Ping):
                        async with lock:
                            await stream.send(ws.send(event.response()))
                    elif isinstance(event, CloseConnection):
                        connection.closed = True
                        with contextlib.suppress(Exception):  # the peer may be gone already
                            async with lock:
                                await stream.send(ws.send(event.response()))
                        tg.cancel_scope.cancel()
                        return
                try:
                    data = await stream.receive(READ_SIZE)
                except (anyio.EndOfStream, anyio.BrokenResourceError, anyio.ClosedResourceError, OSError):
                    break
                ws.receive_data(data)
            connection.closed = True
            tg.cancel_scope.cancel()


# -- HTTP (control API, recordings, fax documents) ----------------------------------


async def _serve_http(app: SimulatorApp, stream: anyio.abc.SocketStream, first: bytes) -> None:
    import h11

    conn = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEAD)
    conn.receive_data(first)
    while True:
        request: Any = None
        body = bytearray()
        too_large = False
        while True:
            event = conn.next_event()
            if event is h11.NEED_DATA:
                data = await stream.receive(READ_SIZE)
                conn.receive_data(data)
                continue
            if isinstance(event, h11.ConnectionClosed):
                return
            if isinstance(event, h11.Request):
                request = event
            elif isinstance(event, h11.Data):
                body += event.data
                if len(body) > MAX_BODY:
                    too_large = True
                    body.clear()
            elif isinstance(event, h11.EndOfMessage):
                break
        target = bytes(request.target)
        path, _, query = target.partition(b"?")
        method = request.method.decode("ascii", errors="replace")
        scope = {
            "type": "http",
            "method": method,
            "path": path.decode("utf-8", errors="replace"),
            "query_string": query,
            "headers": list(request.headers),
        }
        if too_large:
            status, content_type, payload = 413, "application/json", b'{"error": "request body too large"}'
        else:
            try:
                status, content_type, payload = await app.route(scope, bytes(body))
            except Exception as exc:  # bad input must never stop the server
                logger.exception("relay simulator: HTTP handler failed")
                status, content_type = 500, "application/json"
                payload = f'{{"error": {_json_str(f"internal simulator error: {exc!r}")}}}'.encode()
        headers = [("content-type", content_type), ("content-length", str(len(payload)))]
        out = conn.send(h11.Response(status_code=status, headers=headers)) or b""
        if method != "HEAD":
            out += conn.send(h11.Data(data=payload)) or b""
        out += conn.send(h11.EndOfMessage()) or b""
        await stream.send(out)
        if conn.our_state is h11.MUST_CLOSE or conn.their_state is not h11.DONE:
            return
        conn.start_next_cycle()


def _json_str(text: str) -> str:
    import json

    return json.dumps(text)
