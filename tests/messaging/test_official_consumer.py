"""A Consumer written the official way (setup, ready, the four hooks, teardown) runs unchanged but for its import."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import anyio
import pytest
from anyio.abc import ByteReceiveStream

from relay_anyio import Task
from relay_anyio.testing import Caller, RelaySimulator

from .conftest import THEIRS

pytestmark = pytest.mark.anyio

SCRIPT = Path(__file__).with_name("official_consumer.py")


class Output:
    """What the consumer process printed, read until a line appears."""

    def __init__(self, stream: ByteReceiveStream) -> None:
        self.stream = stream
        self.text = ""

    async def until(self, line: str) -> None:
        while line not in self.text:
            self.text += (await self.stream.receive()).decode()


async def test_an_official_consumer_handles_calls_messages_and_tasks(sim: RelaySimulator) -> None:
    env = {**os.environ, "RELAY_PROJECT": sim.project, "RELAY_TOKEN": sim.token, "RELAY_HOST": sim.url}
    process = await anyio.open_process([sys.executable, str(SCRIPT)], env=env, stdout=subprocess.PIPE)
    async with process:
        assert process.stdout is not None
        out = Output(process.stdout)
        with anyio.fail_after(20):
            await out.until("ready")
            handle = await sim.inbound_call(context="office", caller=Caller())
            assert await handle.ended() == "hangup"
            await out.until("call answered and ended")
            await sim.inbound_message("office", from_number=THEIRS, to_number="+15551000000", body="Where is it?")
            await out.until(f"message from {THEIRS}: Where is it?")
            assert await Task(sim.project, sim.token, host=sim.http_url).deliver("office", {"number": THEIRS})
            await out.until(f"task for {THEIRS}")
            await out.until(" delivered")
            os.kill(process.pid, signal.SIGTERM)
            await out.until("teardown")
            code = await process.wait()
    assert code == 0
    [sent] = [line for line in out.text.splitlines() if line.startswith("sent ")]
    _, ok, message_id = sent.split()
    assert ok == "True"
    states = [line.split()[2] for line in out.text.splitlines() if line.startswith(f"state {message_id} ")]
    assert states == ["queued", "initiated", "sent", "delivered"]
    assert [m.params for m in handle.heard] == [{"text": "Welcome to the office"}]
    # One signalwire.receive for all four hooks: the contexts are the session's, whatever listens.
    assert sim.journal.commands("signalwire.receive") == [{"contexts": ["office"]}]
