"""Many threads on one Client; inbound handlers in a bounded worker pool; the blocking Consumer."""

from __future__ import annotations

import _thread
import gc
import threading
from typing import Any, ClassVar

import relay_sync
from relay_sync import Call, Client, Consumer
from relay_sync.testing import Simulator, human

from .conftest import CONTEXT, WAIT, wait_until


def test_threads_drive_calls_of_one_client_at_once(sim: Simulator, client: Client) -> None:
    n = 8
    for i in range(n):
        sim.phone(f"+1555888000{i}", caller=human(presses=f"{i}{i}#"))
    results: dict[int, Any] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(n, timeout=WAIT)

    def drive(i: int) -> None:
        try:
            start.wait()  # all dial at the same moment
            dial = client.calling.dial(from_number="+15550000002", to_number=f"+1555888000{i}")
            call = dial.call
            assert dial.successful and isinstance(call, Call)
            prompt = call.prompt_tts("digits", f"caller {i}, your code?", digits_max=3, digits_terminators="#")
            results[i] = (prompt.result, call.hangup().successful, call.to_number)
        except (AssertionError, relay_sync.RelayError) as exc:
            errors.append(exc)

    threads = [threading.Thread(target=drive, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(WAIT)
    assert not errors, errors
    assert results == {i: (f"{i}{i}", True, f"+1555888000{i}") for i in range(n)}
    assert len(sim.journal.commands("calling.begin")) == n and len(sim.journal.commands("calling.end")) == n


def test_inbound_handlers_queue_when_all_workers_are_busy(sim: Simulator, backend: str) -> None:
    n, workers = 5, 2
    lock = threading.Lock()
    active, peak = 0, 0
    names: set[str] = set()
    gate = threading.Event()

    def handler(call: Call) -> None:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
            names.add(threading.current_thread().name)
        try:
            gate.wait(WAIT)  # hold the workers until every call has arrived
            assert call.answer().successful
            call.play_tts(text=f"hello {call.from_number}")
            call.hangup()
        finally:
            with lock:
                active -= 1

    with Client(sim.project, sim.token, sim.url, backend=backend, max_workers=workers) as client:
        assert client.calling.receive(CONTEXT, handler)
        handles = [sim.inbound_call(context=CONTEXT, from_number=f"+1555999000{i}", timeout=WAIT) for i in range(n)]
        sim.journal.wait_for(event="calling.call.receive", count=n, timeout=WAIT)
        gate.set()
        reasons = [h.ended(timeout=WAIT) for h in handles]
    assert reasons == ["hangup"] * n  # every call was handled: none dropped
    assert peak == workers and len(names) == workers
    heard = sorted(h.heard[-1].params["text"] for h in handles)
    assert heard == sorted(f"hello +1555999000{i}" for i in range(n))


def test_a_failing_handler_is_logged_and_others_go_on(sim: Simulator, client: Client, caplog: Any) -> None:
    answered = threading.Event()

    def broken(call: Call) -> None:
        raise RuntimeError("handler bug")

    def good(call: Call) -> None:
        call.answer()
        answered.set()

    client.calling.receive(CONTEXT, broken)
    client.calling.receive(CONTEXT, good)
    handle = sim.inbound_call(context=CONTEXT, timeout=WAIT)
    wait_until(answered, "the good handler")
    assert handle.wait_for("answered", timeout=WAIT)
    assert any("handler bug" in (r.exc_text or "") for r in caplog.records if r.name == "relay_sync")


class IVR(Consumer):
    contexts: ClassVar[list[str]] = [CONTEXT]

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.log: list[str] = []
        self.is_ready = threading.Event()

    def ready(self) -> None:
        self.log.append("ready")
        self.gc_threshold_seen = gc.get_threshold()[0]
        self.is_ready.set()

    def on_incoming_call(self, call: Call) -> None:
        self.log.append(f"call on {threading.current_thread().name.split('_')[0]}")
        call.answer()
        code = call.prompt_tts("digits", "Your code?", digits_max=4, digits_terminators="#")
        call.play_tts(text=f"You said {code.result}")
        call.hangup()

    def teardown(self) -> None:
        self.log.append("teardown")


def test_consumer_runs_handlers_in_workers_and_stops_from_another_thread(sim: Simulator, backend: str) -> None:
    ivr = IVR(project=sim.project, token=sim.token, host=sim.url, gc_threshold=23_456)
    before = gc.get_threshold()
    done: list[Any] = []

    def far_end() -> None:
        try:
            handle = sim.inbound_call(context=CONTEXT, timeout=WAIT)
            done.append(handle.ended(timeout=WAIT))
            done.append(handle.heard[-1].params["text"])
        finally:
            ivr.stop()

    helper = threading.Thread(target=far_end)
    helper.start()
    ivr.run(backend=backend)  # blocks until stop()
    helper.join(WAIT)
    assert done == ["hangup", "You said 1234"]
    assert ivr.log == ["ready", "call on relay", "teardown"] and ivr.client is None
    # run() owns the process: the collector was tuned for many calls, and is restored
    assert ivr.gc_threshold_seen == 23_456 and gc.get_threshold() == before


def test_consumer_stops_cleanly_on_ctrl_c(sim: Simulator, backend: str) -> None:
    ivr = IVR(project=sim.project, token=sim.token, host=sim.url)

    def press_ctrl_c() -> None:
        if ivr.is_ready.wait(WAIT):  # the consumer is up and receiving
            _thread.interrupt_main()
        else:
            ivr.stop()  # never ready: let run() return so the assertion below fails

    helper = threading.Thread(target=press_ctrl_c)
    helper.start()
    ivr.run(backend=backend)  # returns: Ctrl-C is a clean stop for a Consumer
    helper.join(WAIT)
    assert ivr.log == ["ready", "teardown"]
    assert relay_sync.Consumer.stop is Consumer.stop
