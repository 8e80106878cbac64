"""Every declared component kind, driven end to end: so a new declaration is tested by this code.

The kinds come from ``relay_anyio.components.ACTIONS``; the scenarios that
drive them from ``kinds.SCENARIOS``. For each: the Call methods exist in both
packages, the simulator handles its wire methods and verbs, it starts,
reports events, finishes with its declared Result, and stops on request.
"""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import relay_anyio
import relay_sync
from relay_anyio.components import ACTIONS
from relay_anyio.events import FAMILIES
from relay_anyio.testing import RelaySimulator
from relay_anyio.testing._commands import COMMANDS

from ..helpers import eventually
from .conftest import Place
from .kinds import SCENARIOS, phones

pytestmark = pytest.mark.anyio

KINDS = sorted(ACTIONS)


def test_every_declared_kind_has_a_scenario() -> None:
    assert set(SCENARIOS) == set(ACTIONS), "add a scenario to tests/calling/kinds.py for each new kind"


@pytest.mark.parametrize("name", KINDS)
def test_a_declared_kind_is_routed_exported_and_simulated(name: str) -> None:
    action = ACTIONS[name]
    assert FAMILIES[action.family.event_type] is action.family  # routed
    assert getattr(relay_anyio, name) is action and name in relay_anyio.__all__  # exported
    assert getattr(relay_sync, name)._wraps is action  # has a blocking face
    assert issubclass(action.result_class, relay_anyio.Result) and action.result_class.__name__ in relay_anyio.__all__
    for method in action.methods:  # the simulator runs it and each of its verbs
        assert method in COMMANDS
        for verb in action.verbs:
            assert f"{method}.{verb}" in COMMANDS or (verb == "stop" and "calling.disconnect" in COMMANDS)


@pytest.mark.parametrize("name", KINDS)
async def test_each_kind_starts_reports_and_finishes_with_its_result(sim: RelaySimulator, place: Place, name: str) -> None:
    scenario, action_class = SCENARIOS[name], ACTIONS[name]
    phones(sim)
    call, handle = await place(scenario.caller)
    names = action_class.family.declared_names
    fired: list[str] = []
    for event_name in names:
        call.on(event_name, lambda e, event_name=event_name: fired.append(event_name))
    with anyio.fail_after(10):
        result = await scenario.finish(call, handle)
    assert type(result) is action_class.result_class and result.successful, result
    assert result.event is not None and result.error is None
    assert fired and set(fired) <= names
    assert sim.journal.commands(scenario.start_method), "started with its declared wire method"


@pytest.mark.time_scale(1)
@pytest.mark.parametrize("name", KINDS)
async def test_each_kind_runs_until_stopped(sim: RelaySimulator, place: Place, name: str) -> None:
    scenario, action_class = SCENARIOS[name], ACTIONS[name]
    phones(sim)
    call, handle = await place(scenario.caller)
    with anyio.fail_after(10):
        action: Any = await scenario.start(call)
        assert type(action) is action_class and not action.completed
        assert scenario.running_in(handle)
        stopped = await action.stop()
        assert stopped.successful, stopped
        result = await action.wait()
    assert type(result) is action_class.result_class and action.completed
    assert len(sim.journal.commands(scenario.stop_method)) == 1
    await eventually(lambda: not scenario.running_in(handle), what="the simulator stopping the component")
