"""One writer per WebSocket: frames queued by any task go out in order, and
all the frames queued at a moment leave in one socket write.

Under load many calls have a frame ready at once (commands, event acks);
writing each separately costs a lock, a cancel scope and a syscall per
frame. Coalescing them is a large saving on the send path.
"""

from __future__ import annotations

import anyio

from ._socket import RelaySocket

__all__ = ["FrameWriter"]


class FrameWriter:
    """Queue frames with ``send()`` (never blocks); ``run()`` writes them."""

    def __init__(self, socket: RelaySocket) -> None:
        self._socket = socket
        self._frames: list[str] = []
        self._wakeup = anyio.Event()

    def send(self, frame: str) -> None:
        self._frames.append(frame)
        self._wakeup.set()

    async def run(self) -> None:
        """Write queued frames until cancelled; raises when the socket fails."""
        while True:
            await self._wakeup.wait()
            self._wakeup = anyio.Event()
            frames, self._frames = self._frames, []
            if frames:
                await self._socket.send_frames(frames)
