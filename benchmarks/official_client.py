"""The same flows written for the official SDK (``signalwire`` 2.1.1, asyncio +
aiohttp), run by the benchmark runner with the python of the virtual
environment it built under ``benchmarks/.venvs/``. Nothing here imports
relay_anyio; the measurement helpers are imported by path (stdlib only).

Pointing it at the simulator needs no patch: its Connection keeps a host
that already starts with ``ws://``. Its connection class is a constructor
argument, so a subclass counts (re)connections without touching its code.
Its keep-alive stays as shipped (a ping every 10 s; an unanswered ping
closes the socket and the client reconnects with a fresh session).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import time
import urllib.request
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _measure import Meter, emit  # noqa: E402

warnings.simplefilter("ignore")

WELCOME = "Welcome to the benchmark line."
PROMPT = "Please enter your four digit code."
FROM, TO = "+15550000001", "+15551230000"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenario", choices=("ivr", "dialer", "messaging", "events"), required=True)
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--http", required=True)
    parser.add_argument("--sim-pid", type=int, default=None)
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--stall", type=float, default=20)
    args = parser.parse_args()

    asyncio.set_event_loop(asyncio.new_event_loop())
    from signalwire.blade.connection import Connection
    from signalwire.relay.client import Client

    connections = [0]

    class CountingConnection(Connection):
        async def connect(self):  # type: ignore[no-untyped-def]
            connections[0] += 1
            await super().connect()

    client = Client(project="project", token="token", host=args.url, connection=CountingConnection)
    logging.getLogger().setLevel(logging.CRITICAL)  # its Client calls basicConfig(INFO)

    meter = Meter(args.sim_pid)
    state = {"done": 0, "errors": 0, "last": time.monotonic(), "outcome": None, "notes": []}
    result: dict = {}

    def finish(ok: bool) -> None:
        state["done"] += 1
        state["errors"] += not ok
        state["last"] = time.monotonic()

    async def ivr(call) -> None:  # type: ignore[no-untyped-def]
        meter.start()
        try:
            ok = (await call.answer()).successful
            state["last"] = time.monotonic()  # a step done is progress, too
            ok = (await call.play_tts(text=WELCOME)).successful and ok
            state["last"] = time.monotonic()
            prompt = await call.prompt_tts("digits", PROMPT, digits_max=4)
            ok = prompt.successful and prompt.result == "1234" and ok
            state["last"] = time.monotonic()
            ok = (await call.record(beep=False)).successful and ok
            state["last"] = time.monotonic()
            ok = (await call.hangup()).successful and ok
        except Exception as exc:
            if len(state["notes"]) < 3:
                state["notes"].append(repr(exc))
            ok = False
        finish(ok)

    async def dial_one() -> None:
        try:
            dialed = await client.calling.dial(from_number=FROM, to_number=TO)
            ok = dialed.successful
            if ok:
                call = dialed.call
                detect = await call.detect_answering_machine()
                ok = detect.successful and detect.result == "HUMAN"
                ok = (await call.play_tts(text=WELCOME)).successful and ok
                ok = (await call.hangup()).successful and ok
        except Exception as exc:
            if len(state["notes"]) < 3:
                state["notes"].append(repr(exc))
            ok = False
        finish(ok)

    async def on_message_state(message) -> None:  # type: ignore[no-untyped-def]
        if message.state in ("delivered", "undelivered", "failed"):
            finish(message.state == "delivered")

    async def send_one() -> None:
        try:
            sent = await client.messaging.send(context="office", from_number=FROM, to_number=TO, body=WELCOME)
            if not sent.successful:
                finish(False)
        except Exception as exc:
            if len(state["notes"]) < 3:
                state["notes"].append(repr(exc))
            finish(False)

    async def events_call(call) -> None:  # type: ignore[no-untyped-def]
        await call.answer()

        def on_play(params) -> None:  # type: ignore[no-untyped-def]
            finish(True)

        call.on("play.playing", on_play)
        loop = asyncio.get_running_loop()
        meter.start()
        state["last"] = time.monotonic()
        body = json.dumps({"call_id": call.id, "count": args.n}).encode()

        def post() -> None:
            request = urllib.request.Request(f"{args.http}/control/burst", data=body,
                                             headers={"content-type": "application/json"})
            with urllib.request.urlopen(request, timeout=120) as response:
                response.read()

        await loop.run_in_executor(None, post)

    async def watchdog() -> None:
        deadline = time.monotonic() + args.timeout
        while state["done"] < args.n:
            now = time.monotonic()
            if now > deadline:
                state["outcome"] = "timeout"
                break
            if now - state["last"] > args.stall:
                state["outcome"] = "stalled"
                break
            await asyncio.sleep(0.02)
        else:
            state["outcome"] = "ok"
        meter.stop()
        if connections[0] > 1 and state["outcome"] != "ok":
            state["outcome"] += f" after reconnecting ({connections[0]} connections)"
        result.update(meter.result(
            units=state["done"], n=args.n, errors=state["errors"] + (args.n - state["done"]),
            outcome=state["outcome"], notes=state["notes"], connections=connections[0],
        ))
        await client.disconnect()

    started = [False]

    async def ready(client) -> None:  # type: ignore[no-untyped-def]
        first = not started[0]
        started[0] = True
        if args.scenario == "ivr":
            await client.calling.receive(["office"], ivr)
        elif args.scenario == "events":
            await client.calling.receive(["office"], events_call)
        elif args.scenario == "messaging":
            await client.messaging.state_change(["office"], on_message_state)
        if first and args.scenario in ("ivr", "events"):
            count = args.n if args.scenario == "ivr" else 1
            body = json.dumps({"count": count, "context": "office", "wait": False}).encode()
            request = urllib.request.Request(f"{args.http}/control/inbound", data=body,
                                             headers={"content-type": "application/json"})
            with urllib.request.urlopen(request, timeout=30) as response:
                response.read()
            state["last"] = time.monotonic()
        if first:
            asyncio.ensure_future(watchdog())
            if args.scenario in ("dialer", "messaging"):
                meter.start()
                state["last"] = time.monotonic()
                one = dial_one if args.scenario == "dialer" else send_one
                for _ in range(args.n):
                    asyncio.ensure_future(one())

    client.on("ready", ready)
    try:
        client.connect()
    except (RuntimeError, asyncio.CancelledError):
        pass  # disconnect() stops the loop under run_until_complete
    if not result:
        print("no result", file=sys.stderr)
        return 1
    result.update(impl="signalwire", backend="asyncio", scenario=args.scenario)
    emit(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
