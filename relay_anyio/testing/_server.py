"""Run the simulator's ASGI app on hypercorn, under asyncio or trio.

hypercorn (not anycorn) because it is the widely used, maintained server;
its two entry points are picked by the running backend. We bind the
socket ourselves and hand hypercorn a duplicate of it (``fd://``) so the
port is known before serving starts, on both backends alike.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from hypercorn.config import Config

from ._app import SimulatorApp

if TYPE_CHECKING:
    from .simulator import RelaySimulator

__all__ = ["serve"]


async def serve(
    sim: RelaySimulator, sock: socket.socket, shutdown_trigger: Callable[[], Awaitable[None]]
) -> None:
    """Serve until ``shutdown_trigger`` returns."""
    config = Config()
    # hypercorn takes ownership of this descriptor and closes it on exit;
    # the simulator closes its own copy.
    config.bind = [f"fd://{os.dup(sock.fileno())}"]
    # A Logger object is used as is: hypercorn installs no handlers on it.
    config.errorlog = logging.getLogger("relay_anyio.testing.server")
    config.accesslog = None
    config.graceful_timeout = 1.0
    config.websocket_max_message_size = 16 * 1024 * 1024
    app = SimulatorApp(sim)
    if _running_trio():
        from hypercorn.trio import serve as trio_serve

        await trio_serve(app, config, shutdown_trigger=shutdown_trigger)  # type: ignore[arg-type]
    else:
        from hypercorn.asyncio import serve as asyncio_serve

        await asyncio_serve(app, config, shutdown_trigger=shutdown_trigger)  # type: ignore[arg-type]


def _running_trio() -> bool:
    """Whether trio runs this task. trio itself needs sniffio, so without sniffio it is asyncio."""
    try:
        import sniffio
    except ImportError:
        return False
    return sniffio.current_async_library() == "trio"
