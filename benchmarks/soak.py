"""Soak: many IVR calls through one relay_anyio Client, paced, watching memory.

    python -m benchmarks.soak                      # 200,000 calls, 2,000 in flight at most
    python -m benchmarks.soak --calls 20000 --window 1000 --backend trio

The simulator runs in a process of its own (``relay-sim --time-scale 0
--no-journal --server lean --recordings-in-memory``, as in the benchmarks),
so the RSS sampled is the client's. Calls are placed in batches whenever
the calls in flight drop to ``window - batch``; each runs the benchmark's
IVR flow (answer, play_tts, prompt_tts, record, hangup). Every
``calls / samples`` completed calls it records this process's RSS and the
SDK's table sizes (the session's pending commands, timers and remembered
event ids; the live calls by id and by tag).

Verdict: RSS flat (mean of the last quarter of samples within ``--rss-slack``
of the first quarter's) and no table grows (each table's largest size in
the last quarter no larger than in the first quarter or than its bound:
``window`` (the calls in flight, not the calls done), or the remembered
broadcast ids' own cap; the tables of
commands, timers and calls empty at the end). Prints one JSON line per sample, then a Markdown summary; exits
1 when a check fails.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from typing import Any

import anyio
import httpx

from relay_anyio.blade import SEEN_EVENTS

from ._measure import current_rss_mb, self_cpu
from .clients import CONTEXT, PROJECT, TOKEN, Progress, ivr_counted
from .run import Simulator


def tables(client: Any) -> dict[str, int]:
    sizes = dict(client.session.table_sizes())
    sizes["calls_by_id"] = len(client.calling._by_id)
    sizes["calls_by_tag"] = len(client.calling._by_tag)
    return sizes


async def soak(args: argparse.Namespace, url: str, http_url: str) -> dict[str, Any]:
    from relay_anyio import Client

    progress = Progress(args.calls)
    placed = 0
    samples: list[dict[str, Any]] = []
    every = max(1, args.calls // args.samples)
    room = anyio.Event()

    async def on_call(call: Any) -> None:
        await ivr_counted(call, progress)
        if progress.done % every == 0:
            sample(progress.done)
        if placed - progress.done <= args.window - args.batch:
            room.set()

    def sample(done: int) -> None:
        row = {"done": done, "in_flight": placed - done, "rss_mb": round(current_rss_mb() or 0.0, 2), **tables(client)}
        samples.append(row)
        print(json.dumps(row), flush=True)

    started = time.monotonic()
    cpu0 = self_cpu()
    async with Client(PROJECT, TOKEN, url, timeout=120) as client, httpx.AsyncClient(timeout=120) as http:
        await client.calling.receive([CONTEXT], on_call)
        while placed < args.calls:
            batch = min(args.batch, args.calls - placed, args.window - (placed - progress.done))
            if batch > 0:
                response = await http.post(
                    f"{http_url}/control/inbound", json={"count": batch, "context": CONTEXT, "wait": False}
                )
                response.raise_for_status()
                placed += batch
            room = anyio.Event()
            with anyio.move_on_after(args.stall):
                await room.wait()
            if progress.outcome(started + args.timeout, args.stall) not in (None, "ok"):
                break
        deadline = started + args.timeout
        while (outcome := progress.outcome(deadline, args.stall)) is None:
            await anyio.sleep(0.05)
        await anyio.sleep(0.2)  # the last hang-ups' events
        final = tables(client)
    return {
        "calls": args.calls,
        "window": args.window,
        "done": progress.done,
        "errors": progress.errors + (args.calls - progress.done),
        "outcome": outcome,
        "notes": progress.notes,
        "wall_s": round(time.monotonic() - started, 1),
        "cpu_s": round(self_cpu() - cpu0, 1),
        "samples": samples,
        "final_tables": final,
    }


def verdict(result: dict[str, Any], rss_slack: float) -> tuple[bool, list[str]]:
    samples = result["samples"]
    quarter = max(1, len(samples) // 4)
    first, last = samples[:quarter], samples[-quarter:]
    rss_first = statistics.fmean(s["rss_mb"] for s in first)
    rss_last = statistics.fmean(s["rss_mb"] for s in last)
    ratio = rss_last / rss_first
    lines = [
        f"- calls: {result['done']:,} of {result['calls']:,} completed, {result['errors']} errors ({result['outcome']})",
        f"- wall {result['wall_s']} s, client CPU {result['cpu_s']} s"
        f" ({1000 * result['cpu_s'] / max(1, result['done']):.2f} ms/call)",
        f"- RSS: first quarter mean {rss_first:.1f} MB, last quarter mean {rss_last:.1f} MB (x{ratio:.3f});"
        f" min {min(s['rss_mb'] for s in samples):.1f}, max {max(s['rss_mb'] for s in samples):.1f} MB",
    ]
    ok = result["outcome"] == "ok" and result["errors"] == 0 and abs(ratio - 1) <= rss_slack
    for name in result["final_tables"]:
        # Bounded by the work in flight (at most ``window`` calls), or by the table's own cap.
        bound = SEEN_EVENTS if name == "seen_events" else result["window"]
        grew = max(s[name] for s in last) > max(max(s[name] for s in first), bound)
        lines.append(
            f"- {name}: max {max(s[name] for s in first)} in the first quarter, {max(s[name] for s in last)} in the"
            f" last, {result['final_tables'][name]} at the end{' (GREW)' if grew else ''}"
        )
        ok = ok and not grew
    for name in ("pending", "deadlines", "calls_by_id", "calls_by_tag"):
        ok = ok and result["final_tables"].get(name, 0) == 0
    return ok, lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.soak", description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=200_000)
    parser.add_argument("--window", type=int, default=2_000, help="most calls in flight at once")
    parser.add_argument("--batch", type=int, default=500, help="calls placed per request to the simulator")
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--backend", choices=("asyncio", "trio"), default="asyncio")
    parser.add_argument("--rss-slack", type=float, default=0.10)
    parser.add_argument("--stall", type=float, default=60.0, help="give up after this long without progress")
    parser.add_argument("--timeout", type=float, default=4 * 3600.0)
    args = parser.parse_args(argv)
    if not 0 < args.batch <= args.window or args.calls < 1 or args.samples < 4:
        parser.error("need calls >= 1, 0 < batch <= window, samples >= 4")
    sim = Simulator()
    try:
        result = anyio.run(soak, args, sim.url, sim.http, backend=args.backend)
    finally:
        sim.stop()
    ok, lines = verdict(result, args.rss_slack)
    command = "python -m benchmarks.soak " + " ".join(sys.argv[1:] if argv is None else argv)
    print(f"\n## Soak ({args.backend})\n\nCommand: `{command.strip()}`\n")
    print("\n".join(lines))
    print(f"\nVerdict: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
