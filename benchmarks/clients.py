"""Benchmark clients for relay_anyio (asyncio, trio), relay_sync and the floor.

Each run is its own process (clean rusage and RSS), started by the runner
against a simulator it started in another process:

    python -m benchmarks.clients --impl anyio --backend trio --scenario ivr --n 1000 \
        --url ws://127.0.0.1:PORT --sim-pid PID

and prints one ``BENCH-RESULT {json}`` line. Every wait is bounded: a run
that stops making progress for ``--stall`` seconds, or outlives
``--timeout``, reports what it completed.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import anyio

from ._measure import Meter, emit

PROJECT, TOKEN, CONTEXT = "project", "token", "office"
WELCOME = "Welcome to the benchmark line."
PROMPT = "Please enter your four digit code."
FROM, TO = "+15550000001", "+15551230000"


class Progress:
    """Completed / failed units, and when the last one completed."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.done = 0
        self.errors = 0
        self.last = time.monotonic()
        self.lock = threading.Lock()
        self.notes: list[str] = []

    def finish(self, ok: bool) -> None:
        with self.lock:
            self.done += 1
            self.errors += not ok
            self.last = time.monotonic()

    def note(self, text: str) -> None:
        with self.lock:
            if len(self.notes) < 5:
                self.notes.append(text)

    @property
    def complete(self) -> bool:
        return self.done >= self.n

    def outcome(self, deadline: float, stall: float) -> str | None:
        """'ok' once every unit is done, 'timeout' past ``deadline``, 'stalled'
        after ``stall`` s without progress; None while it goes on."""
        if self.complete:
            return "ok"
        now = time.monotonic()
        if now > deadline:
            return "timeout"
        if now - self.last > stall:
            return "stalled"
        return None


async def wait_progress(progress: Progress, timeout: float, stall: float) -> str:
    """Wait until every unit completed; 'ok', 'stalled' or 'timeout'."""
    deadline = time.monotonic() + timeout
    while (outcome := progress.outcome(deadline, stall)) is None:
        await anyio.sleep(0.02)
    return outcome


def wait_progress_blocking(progress: Progress, timeout: float, stall: float) -> str:
    deadline = time.monotonic() + timeout
    while (outcome := progress.outcome(deadline, stall)) is None:
        time.sleep(0.02)
    return outcome


def place_inbound(http: str, count: int) -> None:
    """Ask the simulator to place ``count`` inbound calls at once (called once
    the client's handler is registered, so no client can miss the first ones)."""
    import urllib.request

    body = json.dumps({"count": count, "context": CONTEXT, "wait": False}).encode()
    request = urllib.request.Request(f"{http}/control/inbound", data=body, headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()


# -- relay_anyio -----------------------------------------------------------------


async def ivr_flow(call: Any, progress: Progress | None = None) -> bool:
    """answer, play_tts, prompt_tts (4 digits), record, hangup: written out
    like the official SDK's flow, so neither harness allocates more per call."""
    ok = _step(progress, "answer", await call.answer())
    ok = _step(progress, "play_tts", await call.play_tts(text=WELCOME)) and ok
    prompt = await call.prompt_tts("digits", PROMPT, digits_max=4)
    ok = _step(progress, "prompt_tts", prompt, prompt.result == "1234") and ok
    ok = _step(progress, "record", await call.record(beep=False)) and ok
    ok = _step(progress, "hangup", await call.hangup()) and ok
    return ok


async def ivr_counted(call: Any, progress: Progress) -> None:
    """The IVR flow, its outcome counted in ``progress`` (an exception is a failed call, never fatal)."""
    try:
        ok = await ivr_flow(call, progress)
    except Exception as exc:  # counted, never fatal
        progress.note(repr(exc))
        ok = False
    progress.finish(ok)


def _step(progress: Progress | None, name: str, result: Any, expected: bool = True) -> bool:
    good = bool(result.successful and expected)
    if progress is not None:
        progress.last = time.monotonic()  # a step done is progress, too
        if not good:
            progress.note(f"{name}: {getattr(result, 'error', None) or getattr(result, 'result', None)!r}")
    return good


async def dialer_flow(client: Any) -> bool:
    """dial, detect_answering_machine, play_tts, hangup."""
    dialed = await client.calling.dial(from_number=FROM, to_number=TO)
    if not dialed.successful:
        return False
    call = dialed.call
    detect = await call.detect_answering_machine()
    ok = detect.successful and detect.result == "HUMAN"
    ok = (await call.play_tts(text=WELCOME)).successful and ok
    ok = (await call.hangup()).successful and ok
    return ok


async def message_flow(client: Any) -> bool:
    """messaging.send, then wait for the message's final state (delivered)."""
    sent = await client.messaging.send(context=CONTEXT, from_number=FROM, to_number=TO, body=WELCOME)
    if not sent.successful:
        return False
    return bool((await sent.wait_for_delivery(timeout=300)).successful)


#: The flows a client starts N of at once (the others are driven by the simulator).
OUTBOUND_FLOWS = {"dialer": dialer_flow, "messaging": message_flow}


async def run_anyio(args: argparse.Namespace) -> dict[str, Any]:
    from relay_anyio import Client

    meter = Meter(args.sim_pid)
    progress = Progress(args.n)
    extra: dict[str, Any] = {}
    async with Client(PROJECT, TOKEN, args.url, timeout=max(60.0, args.timeout)) as client:
        if args.scenario == "ivr":

            async def on_call(call: Any) -> None:
                meter.start()
                await ivr_counted(call, progress)

            await client.calling.receive([CONTEXT], on_call)
            place_inbound(args.http, args.n)
            progress.last = time.monotonic()
            outcome = await wait_progress(progress, args.timeout, args.stall)
            meter.stop()
        elif args.scenario in OUTBOUND_FLOWS:
            flow = OUTBOUND_FLOWS[args.scenario]

            async def one() -> None:
                try:
                    ok = await flow(client)
                except Exception as exc:
                    progress.note(repr(exc))
                    ok = False
                progress.finish(ok)

            async with anyio.create_task_group() as tg:
                meter.start()
                for _ in range(args.n):
                    tg.start_soon(one)
                outcome = await wait_progress(progress, args.timeout, args.stall)
                meter.stop()
                tg.cancel_scope.cancel()
        elif args.scenario == "events":
            outcome = await events_anyio(client, args, meter, progress)
        else:
            raise SystemExit(f"scenario {args.scenario} is not for relay_anyio")
        extra["connections"] = client.session.connections
    return meter.result(
        units=progress.done,
        n=args.n,
        errors=progress.errors + (args.n - progress.done),
        outcome=outcome,
        notes=progress.notes,
        **extra,
    )


async def events_anyio(client: Any, args: argparse.Namespace, meter: Meter, progress: Progress) -> str:
    import httpx

    answered: list[Any] = []
    got = anyio.Event()

    async def on_call(call: Any) -> None:
        await call.answer()
        answered.append(call)
        got.set()

    def on_play(event: Any) -> None:
        progress.finish(True)

    await client.calling.receive([CONTEXT], on_call)
    place_inbound(args.http, 1)
    with anyio.fail_after(30):
        await got.wait()
    call = answered[0]
    call.on("play.playing", on_play)
    async with httpx.AsyncClient(timeout=120) as http:
        meter.start()
        progress.last = time.monotonic()
        response = await http.post(f"{args.http}/control/burst", json={"call_id": call.id, "count": args.n})
        response.raise_for_status()
        outcome = await wait_progress(progress, args.timeout, args.stall)
        meter.stop()
    return outcome


# -- relay_sync -------------------------------------------------------------------


def ivr_flow_sync(call: Any) -> bool:
    ok = call.answer().successful
    ok = call.play_tts(text=WELCOME).successful and ok
    prompt = call.prompt_tts("digits", PROMPT, digits_max=4)
    ok = prompt.successful and prompt.result == "1234" and ok
    ok = call.record(beep=False).successful and ok
    ok = call.hangup().successful and ok
    return ok


def run_sync(args: argparse.Namespace) -> dict[str, Any]:
    from relay_sync import Client

    meter = Meter(args.sim_pid)
    progress = Progress(args.n)
    extra: dict[str, Any] = {}
    workers = max(8, args.n + 8) if args.scenario in ("ivr", "dialer") else 8
    extra["max_workers"] = workers
    with Client(PROJECT, TOKEN, args.url, backend=args.backend, max_workers=workers, timeout=max(60.0, args.timeout)) as client:
        if args.scenario == "ivr":

            def on_call(call: Any) -> None:
                meter.start()
                try:
                    ok = ivr_flow_sync(call)
                except Exception as exc:
                    progress.note(repr(exc))
                    ok = False
                progress.finish(ok)

            client.calling.receive([CONTEXT], on_call)
            place_inbound(args.http, args.n)
            progress.last = time.monotonic()
            outcome = wait_progress_blocking(progress, args.timeout, args.stall)
            meter.stop()
        elif args.scenario == "events":
            outcome = events_sync(client, args, meter, progress)
        elif args.scenario == "overhead":
            outcome = overhead_sync(client, args, extra)
            progress.done = progress.n
        else:
            raise SystemExit(f"scenario {args.scenario} is not for relay_sync")
        extra["connections"] = client._async.session.connections if client._async is not None else None
    return meter.result(
        units=progress.done,
        n=args.n,
        errors=progress.errors + (args.n - progress.done),
        outcome=outcome,
        notes=progress.notes,
        **extra,
    )


def _answered_call_sync(client: Any, http: str) -> Any:
    box: list[Any] = []
    ready = threading.Event()

    def on_call(call: Any) -> None:
        call.answer()
        box.append(call)
        ready.set()

    client.calling.receive([CONTEXT], on_call)
    place_inbound(http, 1)
    if not ready.wait(30):
        raise SystemExit("no inbound call within 30 s")
    return box[0]


def events_sync(client: Any, args: argparse.Namespace, meter: Meter, progress: Progress) -> str:
    import httpx

    call = _answered_call_sync(client, args.http)
    call.on("play.playing", lambda event: progress.finish(True))
    with httpx.Client(timeout=120) as http:
        meter.start()
        progress.last = time.monotonic()
        http.post(f"{args.http}/control/burst", json={"call_id": call.id, "count": args.n}).raise_for_status()
        outcome = wait_progress_blocking(progress, args.timeout, args.stall)
        meter.stop()
    return outcome


def overhead_sync(client: Any, args: argparse.Namespace, extra: dict[str, Any]) -> str:
    """Median latency of blocking ``call.play_tts`` vs its async twin awaited
    in the client's own event loop, over one call, interleaved in rounds."""
    call = _answered_call_sync(client, args.http)
    twin = call._async
    portal = call._core.portal

    async def async_round(k: int) -> list[int]:
        out = []
        for _ in range(k):
            t = time.perf_counter_ns()
            await twin.play_tts(text="a")
            out.append(time.perf_counter_ns() - t)
        return out

    # The floor of any blocking face over an event loop in another thread: hand the
    # loop a callback and block until it has run (two thread wake-ups, no SDK).
    if args.backend == "trio":
        import trio

        run_soon = portal.call(trio.lowlevel.current_trio_token).run_sync_soon
    else:
        run_soon = portal.call(asyncio.get_running_loop).call_soon_threadsafe

    def hop() -> int:
        lock = threading.Lock()
        lock.acquire()
        t = time.perf_counter_ns()
        run_soon(lock.release)
        lock.acquire()
        return time.perf_counter_ns() - t

    sync_ns: list[int] = []
    async_ns: list[int] = []
    hop_ns: list[int] = []
    rounds = 10
    per = max(1, args.n // rounds)
    for _ in range(2):  # warm up every path
        call.play_tts(text="a")
        hop()
    portal.call(async_round, 2)
    for _ in range(rounds):
        for _ in range(per):
            t = time.perf_counter_ns()
            call.play_tts(text="a")
            sync_ns.append(time.perf_counter_ns() - t)
        async_ns.extend(portal.call(async_round, per))
        hop_ns.extend(hop() for _ in range(per))
    sync_med = statistics.median(sync_ns) / 1e3
    async_med = statistics.median(async_ns) / 1e3
    extra.update(
        samples=len(sync_ns),
        sync_median_us=sync_med,
        async_median_us=async_med,
        overhead_us=sync_med - async_med,
        hop_median_us=statistics.median(hop_ns) / 1e3,
    )
    return "ok"


# -- the floor: httpx-ws upgrade, wsproto frames, json, no SDK -----------------------


class _RawSession:
    """httpx-ws ``session_class`` hook: keep the upgraded network stream only."""

    def __init__(self, stream: Any, **_options: Any) -> None:
        self.stream = stream

    async def __aenter__(self) -> _RawSession:
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        try:
            await self.stream.aclose()
        except Exception:  # noqa: BLE001 - closing a socket that may be gone
            pass


def _fastest_json() -> tuple[Callable[[Any], Any], Callable[[Any], str], str]:
    """The fastest JSON codec installed: the floor must not be slowed by its codec."""
    try:
        import orjson
    except ImportError:
        return json.loads, json.dumps, "json"

    def dumps(value: Any) -> str:
        return orjson.dumps(value).decode()

    return orjson.loads, dumps, "orjson"


_LOADS, _DUMPS, _CODEC = _fastest_json()


def _req(method: str, params: dict[str, Any]) -> tuple[str, str]:
    request_id = str(uuid.uuid4())
    return request_id, _DUMPS({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})


async def run_floor(args: argparse.Namespace) -> dict[str, Any]:
    """The IVR flow with nothing but the wire work: read what the socket holds,
    let wsproto split it into frames, json-parse each, answer each broadcast,
    write the next command of that call, and send all replies in one write.
    No tasks per call, no results, no validation: a per-call state number."""
    import httpx
    import httpx_ws
    from wsproto.connection import Connection, ConnectionType
    from wsproto.events import CloseConnection, Ping, TextMessage

    meter = Meter(args.sim_pid)
    progress = Progress(args.n)
    loads, dumps, codec = _fastest_json()
    http_url = "http://" + args.url.split("://", 1)[1]
    async with httpx.AsyncClient() as http, httpx_ws.aconnect_ws(
        http_url, http, keepalive_ping_interval_seconds=None, session_class=_RawSession  # type: ignore[arg-type]
    ) as session:
        stream = session.stream
        ws = Connection(ConnectionType.CLIENT)
        texts: list[str] = []

        async def read_texts() -> list[str]:
            while True:
                data = await stream.read(256 * 1024)
                if not data:
                    raise ConnectionError("socket closed")
                ws.receive_data(data)
                out: list[str] = []
                for event in ws.events():
                    if isinstance(event, TextMessage):
                        texts.append(event.data)
                        if event.message_finished:
                            out.append("".join(texts))
                            texts.clear()
                    elif isinstance(event, Ping):
                        await stream.write(ws.send(event.response()))
                    elif isinstance(event, CloseConnection):
                        raise ConnectionError("socket closed")
                if out:
                    return out

        backlog: list[str] = []

        async def write(frames: list[str]) -> None:
            await stream.write(b"".join([ws.send(TextMessage(data=f)) for f in frames]))

        async def request(method: str, params: dict[str, Any]) -> Any:
            request_id, frame = _req(method, params)
            await write([frame])
            with anyio.fail_after(30):
                while True:
                    texts_read = await read_texts()
                    for i, text in enumerate(texts_read):
                        message = loads(text)
                        if message.get("id") == request_id and "method" not in message:
                            # Frames read with the answer (the first inbound
                            # calls) are handled by the main loop.
                            backlog.extend(texts_read[i + 1:])
                            return message.get("result")
                        backlog.append(text)

        auth = {"project": PROJECT, "token": TOKEN}
        await request("blade.connect", {"version": {"major": 2, "minor": 3, "revision": 0}, "authentication": auth, "agent": "floor"})
        setup = await request("blade.execute", {"protocol": "signalwire", "method": "setup", "params": {}})
        proto = setup["result"]["protocol"]
        await request("blade.subscription", {"command": "add", "protocol": proto, "channels": ["notifications"]})
        await request("blade.execute", {"protocol": proto, "method": "signalwire.receive", "params": {"contexts": [CONTEXT]}})
        if args.scenario == "events":
            outcome = await _floor_events(args, meter, progress, http, proto, read_texts, write, backlog)
            return meter.result(units=progress.done, n=args.n, errors=args.n - progress.done,
                                outcome=outcome, notes=progress.notes, connections=1, json_codec=codec)
        place_inbound(args.http, args.n)

        def command(method: str, call_id: str, node_id: str, params: dict[str, Any]) -> str:
            params["call_id"] = call_id
            params["node_id"] = node_id
            return _req("blade.execute", {"protocol": proto, "method": method, "params": params})[1]

        if args.impl == "floor-tasks":
            outcome = await _floor_tasks(args, meter, progress, command, read_texts, write, backlog)
            return meter.result(units=progress.done, n=args.n, errors=progress.errors + (args.n - progress.done),
                                outcome=outcome, notes=progress.notes, connections=1, json_codec=codec)
        calls: dict[str, list[Any]] = {}  # call_id -> [step, node_id]
        deadline = time.monotonic() + args.timeout
        outcome = "ok"
        while not progress.complete:
            batch, outcome = await _next_batch(backlog, read_texts, deadline, args.stall)
            if batch is None:
                break
            out: list[str] = []
            for kind, p in _broadcasts(batch, loads, dumps, out, progress):
                call_id = p.get("call_id")
                if kind == "calling.call.receive":
                    meter.start()
                    calls[call_id] = [0, p["node_id"]]
                    out.append(command("calling.answer", call_id, p["node_id"], {}))
                    continue
                state = calls.get(call_id)
                if state is None:
                    continue
                if kind == "calling.call.state":
                    if p["call_state"] == "answered" and state[0] == 0:
                        state[0] = 1
                        play = [{"type": "tts", "params": {"text": WELCOME}}]
                        out.append(command("calling.play", call_id, state[1], {"control_id": str(uuid.uuid4()), "play": play}))
                    elif p["call_state"] == "ended":
                        del calls[call_id]
                        progress.finish(state[0] == 4)
                elif kind == "calling.call.play" and p["state"] == "finished" and state[0] == 1:
                    state[0] = 2
                    play = [{"type": "tts", "params": {"text": PROMPT}}]
                    collect = {"digits": {"max": 4}}
                    out.append(command("calling.play_and_collect", call_id, state[1], {"control_id": str(uuid.uuid4()), "play": play, "collect": collect}))
                elif kind == "calling.call.collect" and state[0] == 2:
                    state[0] = 3
                    result = p["result"]
                    if result["type"] != "digit" or result["params"].get("digits") != "1234":
                        progress.errors += 1
                    record = {"audio": {"beep": False}}
                    out.append(command("calling.record", call_id, state[1], {"control_id": str(uuid.uuid4()), "record": record}))
                elif kind == "calling.call.record" and p["state"] == "finished" and state[0] == 3:
                    state[0] = 4
                    out.append(command("calling.end", call_id, state[1], {"reason": "hangup"}))
            if out:
                await write(out)
        meter.stop()
    return meter.result(
        units=progress.done,
        n=args.n,
        errors=progress.errors + (args.n - progress.done),
        outcome=outcome,
        notes=progress.notes,
        connections=1,
        json_codec=codec,
    )


def _broadcasts(
    batch: list[str], loads: Callable[[str], Any], dumps: Callable[[Any], str], out: list[str], progress: Progress,
) -> Iterator[tuple[str, Any]]:
    """The floor's reading of one batch: each broadcast acknowledged (into ``out``)
    and given as (event_type, params); a refused command counted as an error."""
    for text in batch:
        message = loads(text)
        if message.get("method") != "blade.broadcast":
            result = message.get("result")
            if isinstance(result, dict):
                inner = result.get("result")
                if isinstance(inner, dict) and inner.get("code", "200") != "200":
                    progress.errors += 1
            continue
        out.append(dumps({"jsonrpc": "2.0", "id": message["id"], "result": {}}))
        relay = message["params"]["params"]
        yield relay["event_type"], relay["params"]


class _TaskCall:
    """A call of the floor-tasks flow: what its task waits for, and the future it waits on."""

    __slots__ = ("id", "node_id", "kind", "state", "waiter")

    def __init__(self, call_id: str, node_id: str) -> None:
        self.id = call_id
        self.node_id = node_id
        self.kind = ""
        self.state: str | None = None
        self.waiter: Any = None


async def _floor_tasks(
    args: argparse.Namespace, meter: Meter, progress: Progress, command: Callable[..., str],
    read_texts: Callable[[], Awaitable[list[str]]], write: Callable[[list[str]], Awaitable[None]], backlog: list[str],
) -> str:
    """The floor's wire work, with the IVR flow written as one asyncio task per
    call that awaits one future per step (``await call.until(kind, state)``):
    the least any SDK that runs a coroutine per call can keep alive per call
    (a task, its context, its coroutine, the future it waits on)."""
    import asyncio

    loop = asyncio.get_running_loop()
    loads, dumps, _codec = _fastest_json()
    outbox: list[str] = []
    calls: dict[str, _TaskCall] = {}

    def until(call: _TaskCall, kind: str, state: str | None, frame: str) -> Any:
        call.kind, call.state, call.waiter = kind, state, loop.create_future()
        outbox.append(frame)
        return call.waiter

    async def flow(call: _TaskCall) -> None:
        cid, node = call.id, call.node_id
        await until(call, "calling.call.state", "answered", command("calling.answer", cid, node, {}))
        play = [{"type": "tts", "params": {"text": WELCOME}}]
        await until(call, "calling.call.play", "finished",
                    command("calling.play", cid, node, {"control_id": str(uuid.uuid4()), "play": play}))
        play = [{"type": "tts", "params": {"text": PROMPT}}]
        collect = {"digits": {"max": 4}}
        p = await until(call, "calling.call.collect", None, command(
            "calling.play_and_collect", cid, node, {"control_id": str(uuid.uuid4()), "play": play, "collect": collect}))
        ok = p["result"]["type"] == "digit" and p["result"]["params"].get("digits") == "1234"
        await until(call, "calling.call.record", "finished", command(
            "calling.record", cid, node, {"control_id": str(uuid.uuid4()), "record": {"audio": {"beep": False}}}))
        await until(call, "calling.call.state", "ended", command("calling.end", cid, node, {"reason": "hangup"}))
        progress.finish(ok)

    tasks: set[asyncio.Task[None]] = set()
    deadline = time.monotonic() + args.timeout
    outcome = "ok"
    while not progress.complete:
        batch, outcome = await _next_batch(backlog, read_texts, deadline, args.stall)
        if batch is None:
            break
        out: list[str] = []
        for kind, p in _broadcasts(batch, loads, dumps, out, progress):
            call_id = p.get("call_id")
            if kind == "calling.call.receive":
                meter.start()
                call = calls[call_id] = _TaskCall(call_id, p["node_id"])
                task = loop.create_task(flow(call))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
                continue
            call = calls.get(call_id)
            if call is None or kind != call.kind or call.waiter.done():
                continue
            if call.state is None or call.state == p.get("call_state" if kind == "calling.call.state" else "state"):
                if call.state == "ended":
                    del calls[call_id]
                call.waiter.set_result(p)
        await asyncio.sleep(0)  # the tasks woken by this batch run (and queue their next command)
        out += outbox
        outbox.clear()
        if out:
            await write(out)
    meter.stop()
    for task in tasks:
        task.cancel()
    return outcome


async def _next_batch(
    backlog: list[str], read_texts: Callable[[], Awaitable[list[str]]], deadline: float, stall: float,
) -> tuple[list[str] | None, str]:
    """The floor's next frames: what an earlier read left over, else one read;
    (None, why) once past ``deadline`` or after ``stall`` seconds of silence."""
    if time.monotonic() > deadline:
        return None, "timeout"
    if backlog:
        batch = backlog[:]
        backlog.clear()
        return batch, "ok"
    try:
        with anyio.fail_after(stall):
            return await read_texts(), "ok"
    except TimeoutError:
        return None, "stalled"


async def _floor_events(
    args: argparse.Namespace, meter: Meter, progress: Progress, http: Any, proto: str,
    read_texts: Callable[[], Awaitable[list[str]]], write: Callable[[list[str]], Awaitable[None]], backlog: list[str],
) -> str:
    """The events scenario with only the wire work: one inbound call answered,
    then a burst of ``calling.call.play`` events, each json-parsed, answered
    (as the protocol asks; not with ``--no-ack``) and counted; all of one
    read's answers in one write."""
    loads, dumps = _LOADS, _DUMPS
    place_inbound(args.http, 1)
    call_id: str | None = None
    answered = False
    deadline = time.monotonic() + args.timeout
    while not progress.complete:
        batch, outcome = await _next_batch(backlog, read_texts, deadline, args.stall)
        if batch is None:
            return outcome
        out: list[str] = []
        for text in batch:
            message = loads(text)
            if message.get("method") != "blade.broadcast":
                continue
            if not args.no_ack:
                out.append(dumps({"jsonrpc": "2.0", "id": message["id"], "result": {}}))
            relay = message["params"]["params"]
            kind = relay["event_type"]
            p = relay["params"]
            if kind == "calling.call.play":
                progress.finish(True)
            elif kind == "calling.call.receive" and call_id is None:
                call_id = p["call_id"]
                out.append(_req("blade.execute", {"protocol": proto, "method": "calling.answer",
                                                   "params": {"call_id": call_id, "node_id": p["node_id"]}})[1])
            elif kind == "calling.call.state" and p.get("call_state") == "answered" and not answered:
                answered = True
                meter.start()
                progress.last = time.monotonic()
                response = await http.post(f"{args.http}/control/burst", json={"call_id": call_id, "count": args.n})
                response.raise_for_status()
        if out:
            await write(out)
    meter.stop()
    return "ok"


# -- entry point ----------------------------------------------------------------------


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.clients")
    parser.add_argument("--impl", choices=("anyio", "sync", "floor", "floor-tasks"), required=True)
    parser.add_argument("--backend", choices=("asyncio", "trio"), default="asyncio")
    parser.add_argument("--scenario", choices=("ivr", "dialer", "messaging", "events", "overhead"), required=True)
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--http", default=None)
    parser.add_argument("--sim-pid", type=int, default=None)
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--stall", type=float, default=20.0)
    parser.add_argument("--no-ack", action="store_true",
                        help="floor, events: acknowledge no broadcast (as the official SDK): the least any client "
                             "on this transport does per event")
    parser.add_argument("--gc-threshold", type=int, default=None,
                        help="CPython's first GC threshold, as Consumer.run() sets it (default: leave it)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.http is None:
        args.http = "http://" + args.url.split("://", 1)[1]
    if args.gc_threshold is not None:
        gc.set_threshold(args.gc_threshold, *gc.get_threshold()[1:])
    runner: Callable[[argparse.Namespace], Awaitable[dict[str, Any]]]
    if args.impl == "sync":
        result = run_sync(args)
    else:
        runner = run_anyio if args.impl == "anyio" else run_floor
        if args.no_ack and (args.impl != "floor" or args.scenario != "events"):
            raise SystemExit("--no-ack is for --impl floor --scenario events")
        if args.impl == "floor-tasks" and args.backend != "asyncio":
            parser_error = "--impl floor-tasks runs on asyncio only"
            raise SystemExit(parser_error)
        result = anyio.run(runner, args, backend=args.backend)
    result.update(impl=args.impl, backend=args.backend, scenario=args.scenario)
    emit(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
