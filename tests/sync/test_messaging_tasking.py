"""relay_sync's messaging and tasking: blocking calls, handlers in worker threads."""

from __future__ import annotations

import queue
import threading
from typing import Any

import pytest

from relay_sync import Client, Message, SendResult, Task
from relay_sync.testing import Simulator

from .conftest import WAIT

CONTEXT = "sync-sms"
OURS = "+15550000002"
THEIRS = "+15550000001"


@pytest.mark.parametrize("outcome", ["delivered", "undelivered", "failed"])
def test_send_blocks_and_waits_for_each_final_state(sim: Simulator, client: Client, outcome: str) -> None:
    sim.message_recipient(THEIRS, outcome=outcome)
    result = client.messaging.send(context=CONTEXT, from_number=OURS, to_number=THEIRS, body="Hi")
    assert isinstance(result, SendResult) and result.successful and result.message_id
    delivery = result.wait_for_delivery(timeout=WAIT)
    assert delivery.state == outcome and delivery.successful is (outcome == "delivered")


def test_inbound_messages_and_state_changes_run_in_worker_threads(sim: Simulator, client: Client) -> None:
    inbox: queue.Queue[tuple[Message, bool]] = queue.Queue()
    states: queue.Queue[str | None] = queue.Queue()

    def on_message(message: Message) -> None:
        inbox.put((message, threading.current_thread() is threading.main_thread()))

    assert client.messaging.receive([CONTEXT], on_message)
    assert client.messaging.state_change(CONTEXT, lambda m: states.put(m.state))
    sim.inbound_message(CONTEXT, from_number=THEIRS, to_number=OURS, body="Hello", timeout=WAIT)
    message, in_main = inbox.get(timeout=WAIT)
    assert message.body == "Hello" and message.from_number == THEIRS and not in_main
    client.messaging.send(context=CONTEXT, from_number=OURS, to_number=THEIRS, body="Hi")
    seen = [states.get(timeout=WAIT) for _ in range(4)]
    assert seen == ["queued", "initiated", "sent", "delivered"]


def test_tasks_over_rest_reach_a_blocking_handler(sim: Simulator, client: Client) -> None:
    inbox: queue.Queue[Any] = queue.Queue()
    assert client.tasking.receive(CONTEXT, inbox.put)
    assert Task(sim.project, sim.token, host=sim.url).deliver(CONTEXT, {"n": 1})
    assert inbox.get(timeout=WAIT) == {"n": 1}
    assert not Task(sim.project, "wrong", host=sim.http_url).deliver(CONTEXT, {"n": 2})
    assert sim.deliver_task(CONTEXT, message={"n": 3})
    assert inbox.get(timeout=WAIT) == {"n": 3}
    assert inbox.empty()


@pytest.mark.sim_time_scale(5)  # states 1 s apart: the wait is on when the second comes
def test_closing_the_client_wakes_a_blocked_wait_for_delivery(sim: Simulator, backend: str) -> None:
    outcome: queue.Queue[Any] = queue.Queue()
    with Client(sim.project, sim.token, sim.url, backend=backend, timeout=WAIT) as client:
        result = client.messaging.send(context=CONTEXT, from_number=OURS, to_number=THEIRS, body="Hi")
        waiter = threading.Thread(target=lambda: outcome.put(result.wait_for_delivery(timeout=60)))
        waiter.start()
        sim.journal.wait_for(event="messaging.state", count=2, timeout=WAIT)  # a second after the wait began
    waiter.join(WAIT)
    delivery = outcome.get(timeout=WAIT)
    assert not delivery.successful and delivery.error == "client closed"


@pytest.mark.sim_time_scale(5)  # states 1 s apart: the wait is on when the second comes
def test_a_fresh_session_wakes_a_blocked_wait_for_delivery(sim: Simulator, client: Client) -> None:
    outcome: queue.Queue[Any] = queue.Queue()
    result = client.messaging.send(context=CONTEXT, from_number=OURS, to_number=THEIRS, body="Hi")
    waiter = threading.Thread(target=lambda: outcome.put(result.wait_for_delivery(timeout=60)))
    waiter.start()
    sim.journal.wait_for(event="messaging.state", count=2, timeout=WAIT)  # a second after the wait began
    assert sim.run(lambda relay: relay.faults.forget_sessions()) == 1  # the service lost our session
    waiter.join(WAIT)
    delivery = outcome.get(timeout=WAIT)
    assert not delivery.successful and delivery.error == "session lost"


@pytest.mark.sim_time_scale(5)  # states 1 s apart: the wait is on when the second comes
def test_ctrl_c_in_a_blocking_wait_for_delivery_leaves_nothing_waiting(sim: Simulator, client: Client) -> None:
    import _thread

    result = client.messaging.send(context=CONTEXT, from_number=OURS, to_number=THEIRS, body="Hi")
    def press_once_waiting() -> None:
        # The first state may be out before this thread starts; the second comes
        # a second later, when the main thread is long blocked in the wait.
        sim.journal.wait_for(event="messaging.state", count=2, timeout=WAIT)
        _thread.interrupt_main()

    presser = threading.Thread(target=press_once_waiting)
    presser.start()
    with pytest.raises(KeyboardInterrupt):
        result.wait_for_delivery(timeout=60)
    presser.join(WAIT)
    assert not client._async.messaging._waiters.get(str(result.message_id))  # type: ignore[union-attr]
