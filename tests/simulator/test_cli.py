"""relay-sim as a separate process: start, serve a call flow, stop on SIGINT."""

from __future__ import annotations

import os
import signal
import sys

import anyio
import httpx
import pytest

from relay_anyio.testing.__main__ import build_parser

from .rawclient import started_client

pytestmark = pytest.mark.anyio


def test_parser_defaults() -> None:
    args = build_parser().parse_args(["--inbound", "5", "--phone", "+1=busy"])
    assert args.port == 8080 and args.time_scale == 1.0 and args.inbound == 5
    assert args.phone[0][0] == "+1" and args.phone[0][1].kind == "busy"
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--phone", "+1=robot"])


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT delivery differs on Windows")
async def test_relay_sim_process(anyio_backend: str) -> None:
    process = await anyio.open_process(
        [sys.executable, "-m", "relay_anyio.testing", "--port", "0", "--time-scale", "0",
         "--project", "P", "--token", "T", "--backend", anyio_backend,
         "--inbound", "2", "--context", "office", "--phone", "+1999=busy"],
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    try:
        lines: dict[str, str] = {}
        buffer = b""
        with anyio.fail_after(20):
            while "token" not in lines:
                chunk = await process.stdout.receive()
                buffer += chunk
                *complete, buffer_rest = buffer.split(b"\n")
                buffer = buffer_rest
                for line in complete:
                    key, _, value = line.decode().partition(": ")
                    lines[key] = value.strip()
        assert lines["project"] == "P" and lines["token"] == "T"
        url = lines["url"]
        assert url.startswith("ws://127.0.0.1:")
        async with httpx.AsyncClient() as http:
            assert (await http.get(lines["http"] + "/control/info")).json()["url"] == url
        async with started_client(url, ["office"], project="P", token="T") as client:
            # --inbound 2: both calls arrive once we receive "office".
            calls = [await client.inbound(timeout=10) for _ in range(2)]
            base = {"call_id": calls[0]["call_id"], "node_id": calls[0]["node_id"]}
            assert (await client.execute("calling.answer", base))["code"] == "200"
            await client.execute("calling.play_and_collect", {**base, "control_id": "c",
                "play": [{"type": "tts", "params": {"text": "PIN?"}}],
                "collect": {"digits": {"max": 8, "terminators": "#"}}})
            collected = await client.event("calling.call.collect", control_id="c")
            assert collected["result"]["params"] == {"digits": "1234", "terminator": "#"}
            await client.execute("calling.end", {**base, "reason": "hangup"})
            await client.call_state(base["call_id"], "ended")
    finally:
        process.send_signal(signal.SIGINT)
        with anyio.fail_after(15):
            code = await process.wait()
        await process.aclose()
    assert code == 0
