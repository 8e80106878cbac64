"""What one call in flight holds: objects the cyclic GC tracks, and Python memory.

    python -m benchmarks.census                    # 2,000 calls, asyncio
    python -m benchmarks.census --n 5000 --backend trio

N inbound calls are placed at once on one relay_anyio Client (the simulator
in a process of its own, in real time); each handler answers, then waits in
``play_silence(duration=600)``. Once every call waits there, it counts, per
call, the GC-tracked objects that appeared (by type) and the Python memory
``tracemalloc`` traces (now, and at the peak while the calls came in).
These are the figures behind "tracked objects per call in flight" in
benchmarks/README.md; the CPython collector's work grows with the first.
"""

from __future__ import annotations

import argparse
import collections
import gc
import sys
import tracemalloc
from typing import Any

import anyio
import httpx

from .clients import CONTEXT, PROJECT, TOKEN
from .run import Simulator

WAIT = 120.0


def census() -> collections.Counter[str]:
    gc.collect()
    return collections.Counter(f"{type(o).__module__}.{type(o).__qualname__}" for o in gc.get_objects())


async def measure(n: int, url: str, http_url: str) -> dict[str, Any]:
    from relay_anyio import Client

    waiting = 0
    all_waiting = anyio.Event()

    async def on_call(call: Any) -> None:
        nonlocal waiting
        await call.answer()
        waiting += 1
        if waiting == n:
            all_waiting.set()
        await call.play_silence(duration=600)

    async with Client(PROJECT, TOKEN, url, timeout=WAIT) as client:
        await client.calling.receive([CONTEXT], on_call)
        before = census()
        tracemalloc.start()
        async with httpx.AsyncClient() as http:
            response = await http.post(f"{http_url}/control/inbound", json={"count": n, "context": CONTEXT, "wait": False})
            response.raise_for_status()
        with anyio.fail_after(WAIT):
            await all_waiting.wait()
        # Every call's play has started and its start was answered (the wait is on the component's end now).
        with anyio.fail_after(WAIT):
            while (
                sum(len(c._actions or ()) for c in client.calling.calls) < n
                or client.session.table_sizes()["pending"]
            ):
                await anyio.sleep(0.05)
        traced, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        grown = census() - before
    return {"n": n, "grown": grown, "traced": traced, "peak": peak}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.census", description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=2_000)
    parser.add_argument("--backend", choices=("asyncio", "trio"), default="asyncio")
    args = parser.parse_args(argv)
    sim = Simulator(time_scale=1.0)
    try:
        result = anyio.run(measure, args.n, sim.url, sim.http, backend=args.backend)
    finally:
        sim.stop()
    n, grown = result["n"], result["grown"]
    print(f"## Census: {n:,} calls in flight, each waiting in play_silence ({args.backend})\n")
    print(f"GC-tracked objects per call: **{sum(grown.values()) / n:.1f}**  ")
    print(f"Python memory traced per call: {result['traced'] / n / 1024:.2f} KB now, "
          f"{result['peak'] / n / 1024:.2f} KB at the peak\n")
    print("| per call | type |\n|---:|---|")
    for name, count in grown.most_common():
        if count >= n // 10:
            print(f"| {count / n:.2f} | `{name}` |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
