"""Structured cancellation: a cancelled waiting method stops what it started at the far end.

Each declared kind's waiting method is cancelled at three moments: while
its start command is in flight (the simulator holds the answer until the
test releases it), while it runs, and after it finished. Each time the
component must not be left running in the simulator, and each stop is sent
once. Also: a cancelled dial() ends the call it placed; ``*_async`` Actions
outlive the scope that started them; cancellation from asyncio's own
``timeout`` and TaskGroup is handled the same as anyio's.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import pytest

from relay_anyio import Call
from relay_anyio.components import ACTIONS
from relay_anyio.testing import CallHandle, RelaySimulator, human, no_answer

from ..helpers import eventually
from .conftest import Place
from .kinds import SCENARIOS, Scenario, phones

pytestmark = pytest.mark.anyio

KINDS = sorted(ACTIONS)


def stops(sim: RelaySimulator, scenario: Scenario) -> int:
    return len(sim.journal.commands(scenario.stop_method))


async def nothing_left_running(sim: RelaySimulator, handle: CallHandle, scenario: Scenario) -> None:
    def idle() -> bool:
        legs = [c for c in sim.calls if c.dialed_for is handle and c is not handle.peer]
        return not scenario.running_in(handle) and all(leg.state == "ended" for leg in legs)

    await eventually(idle, what="every component (and unbridged connect leg) of the call over in the simulator")


async def run_cancelled(call: Call, scenario: Scenario, cancel_when: Any) -> bool:
    """Run the waiting method in a scope cancelled once ``cancel_when()`` returns; whether it was cancelled."""
    with anyio.CancelScope() as scope:
        async with anyio.create_task_group() as tg:

            async def cancel() -> None:
                await cancel_when()
                scope.cancel()

            tg.start_soon(cancel)
            await scenario.run(call)
            pytest.fail("the waiting method returned although it runs for minutes")
    return scope.cancelled_caught


async def cancelled_once_sent(
    sim: RelaySimulator, method: str, run: Callable[[], Awaitable[Any]],
    then: Callable[[], Awaitable[None]] | None = None,
) -> bool:
    """Run ``run()`` in a scope cancelled as soon as the simulator has received
    ``method`` (then ``then()``, meanwhile); whether the cancellation was caught."""
    with anyio.CancelScope() as scope:
        async with anyio.create_task_group() as tg:

            async def cancel_in_flight() -> None:
                await sim.journal.wait_for(method=method, direction="in")
                scope.cancel()
                if then is not None:
                    await then()

            tg.start_soon(cancel_in_flight)
            await run()
    return scope.cancelled_caught


@pytest.mark.time_scale(1)
@pytest.mark.parametrize("name", KINDS)
async def test_cancelled_while_the_start_is_in_flight(sim: RelaySimulator, place: Place, name: str) -> None:
    """The stop goes out as soon as the start is answered, before the cancellation propagates."""
    scenario = SCENARIOS[name]
    phones(sim)
    call, handle = await place(scenario.caller)
    held = sim.faults.hold(scenario.start_method)

    async def start_in_flight() -> None:
        await sim.journal.wait_for(method=scenario.start_method, direction="in")

    async def release_later() -> None:
        # The cancelled call is now waiting (shielded) for the start's answer: give it.
        await eventually(lambda: len(held.held) == 1, what="the start held by the simulator")
        sim.faults.release(held)

    with anyio.fail_after(10):
        async with anyio.create_task_group() as tg:
            tg.start_soon(release_later)
            assert await run_cancelled(call, scenario, start_in_flight)
    # By the time the cancellation came out, the stop was sent and answered.
    assert stops(sim, scenario) == 1
    await nothing_left_running(sim, handle, scenario)


@pytest.mark.time_scale(1)
@pytest.mark.parametrize("name", KINDS)
async def test_cancelled_while_running(sim: RelaySimulator, place: Place, client: Any, name: str) -> None:
    scenario = SCENARIOS[name]
    phones(sim)
    call, handle = await place(scenario.caller)

    def waiting_for_the_end() -> bool:
        # The simulator runs it, and the SDK has its start's answer (no command of it is pending):
        # the waiting method waits for the component to end.
        pending = [c for c in client.session.blade.pending if c.method == scenario.start_method]
        return scenario.running_in(handle) and bool(call._actions or call._connect) and not pending

    async def running() -> None:
        await eventually(waiting_for_the_end, what="the component running")
        await anyio.sleep(0)  # the waiting task, woken by the answer, has reached its wait

    with anyio.fail_after(10):
        assert await run_cancelled(call, scenario, running)
    assert stops(sim, scenario) == 1  # sent (and answered) before the cancellation propagated
    await nothing_left_running(sim, handle, scenario)
    assert not call._actions, "the Action is forgotten once stopped"


@pytest.mark.parametrize("name", KINDS)
async def test_cancelled_after_it_finished_sends_nothing(sim: RelaySimulator, place: Place, name: str) -> None:
    scenario = SCENARIOS[name]
    phones(sim)
    call, handle = await place(scenario.caller)
    with anyio.CancelScope() as scope:
        with anyio.fail_after(10):
            result = await scenario.finish(call, handle)
        assert result.successful
        before = stops(sim, scenario)
        scope.cancel()
        await anyio.sleep(0)  # the cancellation lands here
    assert scope.cancelled_caught
    assert stops(sim, scenario) == before  # nothing more was sent
    await nothing_left_running(sim, handle, scenario)


@pytest.mark.time_scale(1)
async def test_x_async_actions_outlive_the_scope_that_started_them(sim: RelaySimulator, place: Place) -> None:
    call, handle = await place()
    with anyio.CancelScope() as scope:
        action = await call.play_silence_async(600)
        scope.cancel()
    assert scope.cancel_called and not action.completed
    assert sim.journal.commands("calling.play.stop") == []
    assert (await action.stop()).successful
    with anyio.fail_after(5):
        assert not (await action.wait()).error


# -- dial ---------------------------------------------------------------------


@pytest.mark.time_scale(1)
async def test_cancelled_dial_while_ringing_ends_the_call(sim: RelaySimulator, client: Any) -> None:
    sim.phone("+15557100001", caller=no_answer)
    call = client.calling.new_call(from_number="+15550000002", to_number="+15557100001", timeout=600)
    with anyio.fail_after(10):
        with anyio.CancelScope() as scope:
            async with anyio.create_task_group() as tg:

                async def cancel_once_ringing() -> None:
                    await call.wait_for_ringing()
                    scope.cancel()

                tg.start_soon(cancel_once_ringing)
                await call.dial()
    assert scope.cancelled_caught
    assert sim.journal.commands("calling.end") == [{"call_id": call.id, "node_id": call.node_id, "reason": "hangup"}]
    placed = sim.call(call.id)
    with anyio.fail_after(5):
        assert await placed.ended() == "hangup"


@pytest.mark.time_scale(1)
async def test_cancelled_dial_before_begin_is_answered_ends_the_call(sim: RelaySimulator, client: Any) -> None:
    sim.phone("+15557100002", caller=human(answer_after=600))
    held = sim.faults.hold("calling.begin")
    call = client.calling.new_call(from_number="+15550000002", to_number="+15557100002")

    async def release() -> None:
        await eventually(lambda: len(held.held) == 1, what="calling.begin held")
        sim.faults.release(held)

    with anyio.fail_after(10):
        assert await cancelled_once_sent(sim, "calling.begin", call.dial, release)
    assert call.id is not None
    assert len(sim.journal.commands("calling.end")) == 1
    with anyio.fail_after(5):
        assert await sim.call(call.id).ended() == "hangup"


async def test_a_state_wait_and_a_plain_command_cancelled_leave_nothing_waiting(
    sim: RelaySimulator, client: Any, place: Place
) -> None:
    """hangup() while calling.end is held: the cancellation comes out at once, the
    command and its deadline are forgotten, and the call still works after."""
    call, handle = await place()
    with anyio.fail_after(10):  # a cancelled state wait leaves no wake-up behind
        async with anyio.create_task_group() as tg:
            tg.start_soon(call.wait_for_ended)
            await eventually(lambda: call._waiters is not None, what="the state wait joined")
            tg.cancel_scope.cancel()
    assert call._waiters is None
    held = sim.faults.hold("calling.end")
    with anyio.fail_after(10):
        assert await cancelled_once_sent(sim, "calling.end", call.hangup)
        assert client.session.table_sizes()["pending"] == 0
        sim.faults.release(held)
        assert await handle.ended(timeout=5) == "hangup"  # the held end was carried out
        await call.wait_for_ended()
    assert call.ended


# -- asyncio's own cancellation -----------------------------------------------


@pytest.mark.time_scale(1)
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_asyncio_timeout_and_taskgroup_stop_the_component(sim: RelaySimulator, place: Place) -> None:
    call, handle = await place()
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.3):
            await call.play_silence(600)
    assert len(sim.journal.commands("calling.play.stop")) == 1

    async def fail_soon() -> None:
        await eventually(lambda: len(sim.journal.commands("calling.record")) == 1, what="record started")
        raise RuntimeError("a sibling failed")

    with pytest.raises(ExceptionGroup):
        async with asyncio.TaskGroup() as group:
            group.create_task(call.record(initial_timeout=600))
            group.create_task(fail_soon())
    assert len(sim.journal.commands("calling.record.stop")) == 1
    await eventually(lambda: all(c.finished for c in handle.components.values()), what="components over")



@pytest.mark.time_scale(1)
async def test_one_of_two_waits_on_an_action_cancelled_the_other_still_gets_its_end(
    sim: RelaySimulator, place: Place
) -> None:
    call, _ = await place()
    action = await call.play_silence_async(duration=600)
    results: list[Any] = []
    cancelled = anyio.CancelScope()

    async def wait(into: list[Any]) -> None:
        into.append(await action.wait())

    async def wait_cancelled() -> None:
        with cancelled:
            await action.wait()

    with anyio.fail_after(5):
        async with anyio.create_task_group() as tg:
            tg.start_soon(wait, results)
            tg.start_soon(wait_cancelled)
            await anyio.wait_all_tasks_blocked()
            cancelled.cancel()
            await anyio.wait_all_tasks_blocked()
            assert cancelled.cancelled_caught and not results and not action.completed
            assert (await action.stop()).successful
    assert len(results) == 1 and action.completed and results[0] is not None
    assert action._done is None  # no wake-up left behind
