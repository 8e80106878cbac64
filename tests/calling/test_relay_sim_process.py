"""relay-sim as its own process; the SDK client in this one drives a call flow."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys

import anyio
import httpx
import pytest

from relay_anyio import Call, Client

pytestmark = pytest.mark.anyio


def relay_sim_command() -> list[str]:
    script = shutil.which("relay-sim", path=os.path.dirname(sys.executable))
    return [script] if script else [sys.executable, "-m", "relay_anyio.testing"]


async def test_sdk_against_relay_sim_process() -> None:
    process = await anyio.open_process(
        [*relay_sim_command(), "--port", "0", "--time-scale", "0", "--project", "proj-x", "--token", "tok-x"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    async with process:
        assert process.stdout is not None
        info: dict[str, str] = {}
        buffer = b""
        with anyio.fail_after(20):
            while "token" not in info:
                buffer += await process.stdout.receive()
                for line in buffer.decode().splitlines():
                    key, _, value = line.partition(": ")
                    if value:
                        info[key] = value.strip()
        assert info["project"] == "proj-x" and info["token"] == "tok-x"
        flows: list[str] = []
        done = anyio.Event()

        async def ivr(call: Call) -> None:
            await call.answer()
            pin = await call.prompt_tts("digits", "PIN?", digits_max=4, digits_terminators="#")
            flows.append(pin.result or "")
            await call.hangup()
            done.set()

        async with Client("proj-x", "tok-x", host=info["url"]) as client:
            await client.calling.receive(["office"], ivr)
            async with httpx.AsyncClient(base_url=info["http"]) as http:
                placed = await http.post("/control/inbound", json={"count": 1, "context": "office",
                                                                   "caller": {"presses": "2468#"}})
                assert placed.status_code == 200, placed.text
                [call_id] = placed.json()["call_ids"]
                with anyio.fail_after(10):
                    await done.wait()
                    ended = await http.get(f"/control/calls/{call_id}", params={"wait": "ended", "timeout": 5})
                assert ended.json()["state"] == "ended"
                journal = await http.get("/control/journal", params={"method": "calling.play_and_collect", "direction": "in"})
                [entry] = journal.json()["entries"]
                assert entry["frame"]["params"]["params"]["collect"]["digits"] == {"max": 4, "terminators": "#"}
        assert flows == ["2468"]
        process.send_signal(signal.SIGINT)
        with anyio.fail_after(10):
            assert await process.wait() == 0
