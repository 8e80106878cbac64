"""Shared tools of the reliability suite.

- ``ledger``: counts every fault the suite really injected (rule hits, not
  rules armed); printed at the end of the run and, with
  ``RELIABILITY_LEDGER=path``, written as JSON (the README table comes from it).
- ``sim`` / ``make_sim``: simulators whose ``faults`` count their hits.
- ``TcpProxy``: a byte pipe between client and simulator that the test
  controls: ``cut()`` drops every socket, ``block()`` makes the "server"
  accept-and-close (a dead service), ``freeze()`` turns the live sockets
  into black holes (a true half-open link), ``tls=`` terminates TLS.
- ``drop_connect_reply``: drops the socket when the simulator answers
  ``blade.connect`` (the simulator's ``drop_at`` does not cover it).
- journal helpers that prove exactly-once execution.
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import anyio
import anyio.abc
import pytest
from anyio.streams.tls import TLSStream

from relay_anyio import Call, Client
from relay_anyio.testing import Caller, RelaySimulator
from relay_anyio.testing._faults import FaultRule, Faults
from relay_anyio.testing._journal import JournalEntry

from ..helpers import Inbox
from .hostile import LocalServer

pytestmark = pytest.mark.anyio

CONTEXT = "reliability"
CALLER_NUMBER = "+15550001111"
OUR_NUMBER = "+15550002222"

# Fast reconnects for tests: a drop costs tens of milliseconds, not seconds.
FAST = {"reconnect_base": 0.02, "reconnect_cap": 0.1, "timeout": 5.0}


# --------------------------------------------------------------------------
# The ledger of injected faults


class Ledger:
    """How many times each fault was injected over the whole run."""

    def __init__(self) -> None:
        self.counts: collections.Counter[str] = collections.Counter()

    def add(self, fault: str, n: int = 1) -> None:
        if n:
            self.counts[fault] += n


LEDGER = Ledger()


@pytest.fixture(scope="session")
def ledger() -> Ledger:
    return LEDGER


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not LEDGER.counts:
        return
    terminalreporter.section("reliability: faults injected")
    for fault, n in sorted(LEDGER.counts.items()):
        terminalreporter.write_line(f"{n:>8}  {fault}")
    path = os.environ.get("RELIABILITY_LEDGER")
    if path:
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(dict(sorted(LEDGER.counts.items())), fh, indent=1)


class CountingFaults(Faults):
    """``sim.faults`` that remembers its rules and reports their hits to the ledger."""

    def __init__(self, sim: RelaySimulator, ledger: Ledger) -> None:
        super().__init__(sim)
        self._ledger = ledger
        self.armed: list[FaultRule] = []

    def _arm(self, rule: FaultRule) -> FaultRule:
        rule = super()._arm(rule)
        self.armed.append(rule)
        return rule

    def drop(self, session: str | None = None) -> int:
        n = super().drop(session)
        self._ledger.add("drop: socket dropped now (sim.faults.drop)", n)
        return n

    async def disconnect(self, session: str | None = None, *, timeout: float = 5.0) -> int:
        n = await super().disconnect(session, timeout=timeout)
        self._ledger.add("blade.disconnect from the server", n)
        return n

    def forget_sessions(self) -> int:
        n = super().forget_sessions()
        self._ledger.add("forget_sessions: service restarted, session not restorable", n)
        return n

    def ignore_pings(self, enabled: bool = True, *, session: str | None = None) -> None:
        super().ignore_pings(enabled, session=session)
        if enabled:
            self._ledger.add("ignore_pings: server stops answering blade.ping")

    def report(self) -> None:
        for rule in self.armed:
            if rule.kind == "drop":
                name = f"drop_at {rule.method} {rule.stage}"
            elif rule.kind == "delay":
                name = f"delay {rule.method} (slow server)"
            else:
                name = f"refuse {rule.method}"
            self._ledger.add(name, rule.hits)
        self.armed.clear()


def instrument(sim: RelaySimulator, ledger: Ledger) -> CountingFaults:
    faults = CountingFaults(sim, ledger)
    sim.faults = faults
    return faults


@pytest.fixture
async def make_sim(ledger: Ledger) -> AsyncIterator[Callable[..., Awaitable[RelaySimulator]]]:
    """``await make_sim(**options)``: a running, instrumented simulator (closed at teardown)."""
    async with contextlib.AsyncExitStack() as stack:
        made: list[CountingFaults] = []

        async def make(**options: Any) -> RelaySimulator:
            options.setdefault("time_scale", 0)
            sim = await stack.enter_async_context(RelaySimulator(**options))
            made.append(instrument(sim, ledger))
            return sim

        yield make
        for faults in made:
            faults.report()


@pytest.fixture
async def sim(request: pytest.FixtureRequest, ledger: Ledger) -> AsyncIterator[RelaySimulator]:
    """An instrumented simulator; ``@pytest.mark.time_scale(x)`` to slow it down."""
    marker = request.node.get_closest_marker("time_scale")
    async with RelaySimulator(time_scale=marker.args[0] if marker else 0) as simulator:
        faults = instrument(simulator, ledger)
        yield simulator
        faults.report()


@pytest.fixture
async def client(sim: RelaySimulator) -> AsyncIterator[Client]:
    async with Client(project=sim.project, token=sim.token, host=sim.url, **FAST) as c:
        yield c


Place = Callable[..., Awaitable[tuple[Call, Any]]]


def placer(sim: RelaySimulator, client: Client, context: str = CONTEXT) -> Callable[[], Awaitable[Place]]:
    async def setup() -> Place:
        inbox: Inbox[Call] = Inbox()
        assert await client.calling.receive([context], inbox.put)

        async def place(caller: Caller | None = None, *, answer: bool = True) -> tuple[Call, Any]:
            handle = await sim.inbound_call(
                context=context, from_number=CALLER_NUMBER, to_number=OUR_NUMBER, caller=caller or Caller()
            )
            call = await inbox.get(what="the inbound call")
            assert call.id == handle.call_id
            if answer:
                assert (await call.answer()).successful
            return call, handle

        return place

    return setup


@pytest.fixture
async def place(sim: RelaySimulator, client: Client) -> Place:
    """``await place(caller)`` -> (the SDK's Call, the simulator's handle), answered."""
    return await placer(sim, client)()


# --------------------------------------------------------------------------
# Journal helpers: exactly-once proofs


def requests_in(sim: RelaySimulator, method: str) -> list[JournalEntry]:
    """Every ``method`` request the simulator received (re-sends included)."""
    return [e for e in sim.journal.filter(method=method, direction="in") if "method" in e.frame]


def assert_each_id_is_one_command(sim: RelaySimulator, method: str) -> dict[str, int]:
    """Every JSON-RPC id of ``method`` carries one command: a re-send repeats
    the id with identical params. Returns how many frames each id took."""
    frames: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
    for entry in requests_in(sim, method):
        frames[entry.frame["id"]].append(entry.frame["params"])
    for rpc_id, params in frames.items():
        assert all(p == params[0] for p in params), f"{method} id {rpc_id} re-sent with other params: {params}"
    control_ids = [p[0].get("params", {}).get("control_id") for p in frames.values()]
    control_ids = [c for c in control_ids if c is not None]
    assert len(control_ids) == len(set(control_ids)), f"one control_id was sent under two JSON-RPC ids ({method})"
    return {rpc_id: len(p) for rpc_id, p in frames.items()}


def event_ids(sim: RelaySimulator, event: str, **match: Any) -> list[str]:
    """Ids of the ``event`` broadcasts written (replays included), filtered on inner params."""
    out = []
    for entry in sim.journal.filter(event=event, direction="out"):
        params = entry.frame["params"]["params"]["params"]
        if all(params.get(k) == v for k, v in match.items()):
            out.append(entry.frame["id"])
    return out


def connects_in(sim: RelaySimulator) -> list[JournalEntry]:
    return requests_in(sim, "blade.connect")


# --------------------------------------------------------------------------
# Dropping the socket when blade.connect is answered (test-side fault hook)


class ConnectDropper:
    """Drop the socket as the simulator writes its ``blade.connect`` answer.

    An independent hook beside the simulator's ``drop_at("blade.connect")``
    (which it predates): it wraps the journal, which
    records a frame in before handling it and a frame out right before
    writing it. ``before_response``: the socket is closed as the request
    arrives, so the session is made (or restored) on the server but its
    answer is never written. ``after_response``: the socket closes right
    after the answer (and the replayed events queued with it).
    """

    def __init__(self, sim: RelaySimulator, ledger: Ledger, stage: str, times: int) -> None:
        self.sim = sim
        self.ledger = ledger
        self.stage = stage
        self.left = times
        self.hits = 0
        self._record = sim.journal.record
        sim.journal.record = self._spy  # type: ignore[method-assign]

    def _spy(self, session: str | None, direction: Any, frame: dict[str, Any], answers: str | None = None) -> None:
        self._record(session, direction, frame, answers)
        if self.left <= 0:
            return
        if self.stage == "before_response" and direction == "in" and frame.get("method") == "blade.connect":
            # Called before the simulator handles the frame: closing the
            # connection now means the session is made (or restored) but
            # its answer is never written.
            fresh = [c for c in self.sim._connections if c.session_id is None and not c.closed]
            if len(fresh) != 1:
                return
            fresh[0].abort()
        elif self.stage == "after_response" and direction == "out" and answers == "blade.connect" and "result" in frame:
            target = self.sim._sessions.get(frame["result"]["sessionid"])
            if target is None or target.connection is None:
                return
            target.connection.close(1011)  # after the frames already queued (the answer, replays)
        else:
            return
        self.left -= 1
        self.hits += 1
        self.ledger.add(f"drop_at blade.connect {self.stage} (test hook)")


# --------------------------------------------------------------------------
# A TCP proxy the test controls


class _Link:
    def __init__(self) -> None:
        self.scope = anyio.CancelScope()
        # "up": client -> server bytes vanish; "down": server -> client.
        self.frozen = {"up": False, "down": False}


class TcpProxy(LocalServer):
    """127.0.0.1:<port> -> 127.0.0.1:<upstream>, byte for byte (optionally TLS on the front)."""

    def __init__(self, upstream_port: int, *, tls: ssl.SSLContext | None = None, ledger: Ledger | None = None) -> None:
        self.upstream_port = upstream_port
        self.tls = tls
        self.ledger = ledger
        self.blocked = False
        self.attempts: list[float] = []  # anyio.current_time() of each accepted TCP connection
        self.refused = 0
        self.tls_errors: list[BaseException] = []
        self.links: set[_Link] = set()
        self.port = 0
        self._tg: anyio.abc.TaskGroup | None = None

    @property
    def url(self) -> str:
        scheme = "wss" if self.tls else "ws"
        return f"{scheme}://127.0.0.1:{self.port}"

    async def _serve(self, stream: anyio.abc.ByteStream) -> None:
        await self._handle(stream)

    def block(self) -> int:
        """Play a dead service: cut every socket, then accept and close new ones."""
        self.blocked = True
        return self.cut()

    def unblock(self) -> None:
        self.blocked = False

    def cut(self) -> int:
        """Close every live socket (both sides) now."""
        links = list(self.links)
        for link in links:
            link.scope.cancel()
        return len(links)

    def freeze(self, *directions: str) -> int:
        """Half-open: the live sockets stay up but carry nothing ("up": client
        to server only, "down": server to client only; default both)."""
        for link in self.links:
            for direction in directions or ("up", "down"):
                link.frozen[direction] = True
        return len(self.links)

    async def _handle(self, front: anyio.abc.ByteStream) -> None:
        self.attempts.append(anyio.current_time())
        if self.blocked:
            self.refused += 1
            if self.ledger is not None:
                self.ledger.add("dead server: connection accepted and closed")
            await anyio.aclose_forcefully(front)
            return
        stream: anyio.abc.ByteStream = front
        if self.tls is not None:
            try:
                with anyio.fail_after(5):
                    stream = await TLSStream.wrap(front, server_side=True, ssl_context=self.tls, standard_compatible=False)
            except BaseException as exc:  # noqa: BLE001 - a refused handshake is what some tests look for
                self.tls_errors.append(exc)
                await anyio.aclose_forcefully(front)
                if not isinstance(exc, Exception):
                    raise
                return
        try:
            upstream = await anyio.connect_tcp("127.0.0.1", self.upstream_port)
        except OSError:
            await anyio.aclose_forcefully(stream)
            return
        link = _Link()
        self.links.add(link)
        try:
            with link.scope:
                async with anyio.create_task_group() as tg:
                    tg.start_soon(self._pump, stream, upstream, link, "up", tg.cancel_scope)
                    tg.start_soon(self._pump, upstream, stream, link, "down", tg.cancel_scope)
        finally:
            self.links.discard(link)
            await anyio.aclose_forcefully(upstream)
            await anyio.aclose_forcefully(stream)

    @staticmethod
    async def _pump(
        src: anyio.abc.ByteStream, dst: anyio.abc.ByteStream, link: _Link, direction: str, scope: anyio.CancelScope
    ) -> None:
        try:
            while True:
                data = await src.receive()
                if not link.frozen[direction]:
                    await dst.send(data)
        except (anyio.EndOfStream, anyio.BrokenResourceError, anyio.ClosedResourceError, OSError, ssl.SSLError):
            pass
        finally:
            scope.cancel()


@pytest.fixture
async def proxy(sim: RelaySimulator, ledger: Ledger) -> AsyncIterator[TcpProxy]:
    async with TcpProxy(sim.port, ledger=ledger) as p:
        yield p


# --------------------------------------------------------------------------
# Logs


class Records:
    """Log records captured from every logger, at every level."""

    def __init__(self) -> None:
        self.records: list[Any] = []

    def since(self, mark: int) -> list[Any]:
        return self.records[mark:]

    def text(self) -> str:
        import logging

        fmt = logging.Formatter("%(name)s %(levelname)s %(message)s")
        lines = []
        for record in self.records:
            line = fmt.format(record)
            lines.append(line)
            lines.append(repr(record.args))
        return "\n".join(lines)


@pytest.fixture
def all_logs() -> Iterator[Records]:
    """Every record of every logger at DEBUG (root handler; all levels enabled)."""
    import logging

    captured = Records()

    class Handler(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            captured.records.append(record)

    root = logging.getLogger()
    handler = Handler(level=logging.DEBUG)
    old_level = root.level
    touched: dict[str, int] = {}
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    # Loggers that set their own level (libraries do) must not hide anything.
    for name, logger in list(logging.Logger.manager.loggerDict.items()):
        if isinstance(logger, logging.Logger) and logger.level not in (logging.NOTSET, logging.DEBUG):
            touched[name] = logger.level
            logger.setLevel(logging.DEBUG)
    try:
        yield captured
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        for name, level in touched.items():
            logging.getLogger(name).setLevel(level)
