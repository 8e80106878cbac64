"""Consumer: serve() inside a loop, run() owning a process and stopping on signals."""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import anyio
import pytest

from relay_anyio import Call, Consumer, InvalidArgumentType
from relay_anyio.testing import Caller, RelaySimulator

pytestmark = pytest.mark.anyio


async def test_serve_handles_calls_and_tears_down(sim: RelaySimulator) -> None:
    log: list[str] = []
    handled = anyio.Event()

    class IVR(Consumer):
        project, token, host = sim.project, sim.token, sim.url
        contexts = ["office", "sales"]

        async def ready(self) -> None:
            log.append("ready")

        async def on_incoming_call(self, call: Call) -> None:
            await call.answer()
            await call.play_tts(text=f"Welcome to {call.context}")
            await call.hangup()
            log.append(f"handled {call.context}")
            handled.set()

        async def teardown(self) -> None:
            log.append("teardown")

    consumer = IVR()
    async with anyio.create_task_group() as tg:
        tg.start_soon(consumer.serve)
        with anyio.fail_after(5):
            first = await sim.inbound_call(context="sales", caller=Caller())
            assert await first.ended() == "hangup"
            await handled.wait()
        assert [m.params for m in first.heard] == [{"text": "Welcome to sales"}]
        consumer.stop()
    assert log == ["ready", "handled sales", "teardown"]
    assert sim.journal.commands("signalwire.receive") == [{"contexts": ["office", "sales"]}]


async def test_consumer_needs_credentials_and_contexts() -> None:
    with pytest.raises(ValueError, match="project and token"):
        await Consumer().serve()
    with pytest.raises(ValueError, match="contexts"):
        await Consumer(project="p", token="t").serve()
    with pytest.raises(TypeError, match="unknown Consumer option"):
        Consumer(colour="red")
    with pytest.raises(InvalidArgumentType, match="gc_threshold"):
        Consumer(gc_threshold=0)
    with pytest.raises(InvalidArgumentType, match="gc_threshold"):
        Consumer(gc_threshold="many")


async def test_serve_leaves_the_garbage_collector_alone(sim: RelaySimulator) -> None:
    seen: list[int] = []

    class IVR(Consumer):
        project, token, host = sim.project, sim.token, sim.url
        contexts = ["office"]

        async def ready(self) -> None:
            seen.append(gc.get_threshold()[0])
            self.stop()

    before = gc.get_threshold()
    with anyio.fail_after(5):
        await IVR(gc_threshold=12_345).serve()
    assert seen == [before[0]]  # serve() runs in the user's process: not ours to tune


CONSUMER_SCRIPT = textwrap.dedent(
    """
    import gc, sys
    from relay_anyio import Consumer

    class IVR(Consumer):
        contexts = ["office"]

        async def ready(self):
            print("gc while running", gc.get_threshold()[0], flush=True)
            print("ready", flush=True)

        async def on_incoming_call(self, call):
            await call.answer()

        async def teardown(self):
            print("teardown", flush=True)

    before = gc.get_threshold()
    IVR(project=sys.argv[1], token=sys.argv[2], host=sys.argv[3]).run(backend=sys.argv[4])
    print("gc restored" if gc.get_threshold() == before else "gc not restored", flush=True)
    """
)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
@pytest.mark.parametrize("consumer_backend", ["asyncio", "trio"])
async def test_run_stops_cleanly_on_signals(sim: RelaySimulator, tmp_path: Path, consumer_backend: str, signum: int) -> None:
    script = tmp_path / "consumer.py"
    script.write_text(CONSUMER_SCRIPT)
    process = await anyio.open_process(
        [sys.executable, str(script), sim.project, sim.token, sim.url, consumer_backend],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    async with process:
        assert process.stdout is not None
        with anyio.fail_after(20):
            line = b""
            while b"ready" not in line:
                line += await process.stdout.receive()
            assert b"gc while running 50000" in line  # run() owns the process: tuned for many calls
            handle = await sim.inbound_call(context="office", caller=Caller())
            assert await handle.wait_for("answered")
            os.kill(process.pid, signum)
            rest = b""
            async for chunk in process.stdout:
                rest += chunk
            code = await process.wait()
    assert code == 0
    assert b"teardown" in rest
    assert b"gc restored" in rest  # and put back on the way out
