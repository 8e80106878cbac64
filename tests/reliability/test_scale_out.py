"""Several Consumer processes on one context against one simulator.

Every inbound call is handled by exactly one process; a process killed
mid-run (SIGKILL: no goodbye) does not stop the others, and the service's
round-robin skips its dead connection.
"""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest
from anyio.abc import Process

from relay_anyio.testing import Caller, RelaySimulator

from ..helpers import eventually
from .conftest import Ledger

pytestmark = pytest.mark.anyio

SCRIPT = Path(__file__).with_name("consumer_proc.py")
WORKERS = 3
CONTEXT = "scale"
ANSWERED = ("answered", "ending", "ended")


class Worker:
    def __init__(self, name: str, process: Process) -> None:
        self.name = name
        self.process = process
        self.sessionid: str | None = None
        self.handled: list[str] = []
        self.lines: list[str] = []

    async def read(self) -> None:
        assert self.process.stdout is not None
        buffer = b""
        async for chunk in self.process.stdout:
            buffer += chunk
            *lines, rest = buffer.split(b"\n")
            buffer = rest
            for raw in lines:
                line = raw.decode()
                self.lines.append(line)
                parts = line.split()
                if parts[:1] == ["ready"]:
                    self.sessionid = parts[2]
                elif parts[:1] == ["handled"]:
                    self.handled.append(parts[2])


async def test_calls_spread_over_processes_and_survive_a_killed_one(make_sim, ledger: Ledger, anyio_backend: str) -> None:  # type: ignore[no-untyped-def]
    sim: RelaySimulator = await make_sim(time_scale=0)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    workers: list[Worker] = []
    async with anyio.create_task_group() as tg:
        for n in range(WORKERS):
            process = await anyio.open_process(
                [sys.executable, str(SCRIPT), sim.url, sim.project, sim.token, CONTEXT, anyio_backend, f"w{n}"],
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
            )
            worker = Worker(f"w{n}", process)
            workers.append(worker)
            tg.start_soon(worker.read)
        try:
            await eventually(lambda: all(w.sessionid for w in workers), timeout=30, what="every consumer ready")
            sessions = {s.id: s for s in sim.sessions}
            assert all(CONTEXT in sessions[w.sessionid].contexts for w in workers)  # type: ignore[index]

            # Phase 1: 30 calls, spread over the three processes, each handled once.
            first = [await sim.inbound_call(CONTEXT, caller=Caller()) for _ in range(30)]
            await eventually(lambda: sum(len(w.handled) for w in workers) == 30, timeout=20, what="30 calls handled")
            assert all(len(w.handled) == 10 for w in workers), [len(w.handled) for w in workers]

            # Phase 2: calls keep coming; one process is killed in the middle of it.
            victim = workers[0]
            survivors = workers[1:]
            dead = sessions[victim.sessionid]  # type: ignore[index]
            second: list[Any] = []
            noticed_at: list[int] = []

            async def keep_calling() -> None:
                # A steady stream, one call at a time (the next once this one is answered, or is
                # stuck on the killed process), until 20 calls after the server noticed.
                with anyio.fail_after(20):
                    while not noticed_at or len(second) < noticed_at[0] + 20:
                        if dead.connection is None and not noticed_at:
                            noticed_at.append(len(second))
                        handle = await sim.inbound_call(CONTEXT, caller=Caller())
                        second.append(handle)
                        await eventually(lambda: handle.state in ANSWERED or handle._session is dead,  # noqa: B023
                                         timeout=10, what=f"call {len(second)} answered")

            async with anyio.create_task_group() as calls:
                calls.start_soon(keep_calling)
                await eventually(lambda: len(second) >= 15, timeout=10, what="phase 2 under way")
                victim.process.send_signal(signal.SIGKILL)
                killed_at = len(second)
                ledger.add("consumer process killed (SIGKILL) mid-run")
            await eventually(lambda: dead.connection is None, timeout=10, what="the simulator noticing the dead process")

            def session_of(handle: Any) -> str:
                return handle._session.id

            survivor_ids = {w.sessionid for w in survivors}
            # Once the server has seen the socket close, round-robin skips it: nothing more goes there.
            after_notice = second[noticed_at[0]:]
            assert after_notice and all(session_of(h) in survivor_ids for h in after_notice)
            in_window = [h for h in second[killed_at:noticed_at[0]] if session_of(h) == dead.id]
            ledger.add("calls routed to the killed process before the server saw its socket close", len(in_window))
            expected = {h.call_id for h in first} | {h.call_id for h in second if session_of(h) in survivor_ids}
            await eventually(
                lambda: expected <= {c for w in workers for c in w.handled}, timeout=20, what="every call to a live process handled"
            )
            handled = collections.Counter(c for w in workers for c in w.handled)
            assert max(handled.values()) == 1, "a call was handled twice"
            assert all(len(w.handled) > 10 for w in survivors), [len(w.handled) for w in survivors]
            for w in survivors:
                assert w.process.returncode is None, f"{w.name} died too"
        finally:
            for worker in workers:
                if worker.process.returncode is None:
                    worker.process.send_signal(signal.SIGTERM)
            with anyio.move_on_after(10):
                for worker in workers:
                    await worker.process.wait()
            for worker in workers:
                if worker.process.returncode is None:
                    worker.process.kill()
            tg.cancel_scope.cancel()
    assert [w.process.returncode for w in survivors] == [0, 0], "survivors did not stop cleanly on SIGTERM"
