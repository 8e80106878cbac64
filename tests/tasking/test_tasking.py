"""Tasks over REST (relay_anyio.Task) to client.tasking, end to end, on asyncio and trio."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import anyio
import pytest

from relay_anyio import Client, InvalidArgument, InvalidArgumentType, Task
from relay_anyio.testing import RelaySimulator
from relay_anyio.testing import TASK_REQUEST

pytestmark = pytest.mark.anyio

CONTEXT = "jobs"


@pytest.fixture(params=["hypercorn", "lean"])
async def sim(request: pytest.FixtureRequest) -> AsyncIterator[RelaySimulator]:
    async with RelaySimulator(time_scale=0, server=request.param) as simulator:
        yield simulator


async def test_a_task_reaches_the_receiver_of_its_context(sim: RelaySimulator) -> None:
    send, receive = anyio.create_memory_object_stream[Any](10)
    with send, receive:
        async with Client(sim.project, sim.token, sim.url, timeout=5) as client:
            assert await client.tasking.receive([CONTEXT], send.send)
            assert client.tasking.contexts == [CONTEXT]
            assert await Task(sim.project, sim.token, host=sim.url).deliver(CONTEXT, {"call": "+15551230000"})
            assert await Task(sim.project, sim.token, host=sim.http_url).deliver(CONTEXT, ["second"])
            with anyio.fail_after(5):
                assert await receive.receive() == {"call": "+15551230000"}
                assert await receive.receive() == ["second"]
    [first, second] = sim.journal.filter(method=TASK_REQUEST)
    assert first.frame == {"method": TASK_REQUEST, "status": 204, "params": {"context": CONTEXT, "message": {"call": "+15551230000"}}}
    assert sim.journal.events("queuing.relay.tasks") == [
        {"context": CONTEXT, "message": {"call": "+15551230000"}}, {"context": CONTEXT, "message": ["second"]},
    ]


async def test_wrong_credentials_are_refused(sim: RelaySimulator) -> None:
    async with Client(sim.project, sim.token, sim.url, timeout=5) as client:
        assert await client.tasking.receive(CONTEXT, lambda message: None)
        assert not await Task(sim.project, "wrong", host=sim.url).deliver(CONTEXT, {"x": 1})
        assert not await Task("other", sim.token, host=sim.url).deliver(CONTEXT, {"x": 1})
    assert [e.frame["status"] for e in sim.journal.filter(method=TASK_REQUEST)] == [401, 401]
    assert sim.journal.filter(event="queuing.relay.tasks") == []


async def test_a_context_nobody_receives_is_not_delivered(sim: RelaySimulator) -> None:
    assert not await Task(sim.project, sim.token, host=sim.url).deliver("nobody", {"x": 1})


async def test_one_receiver_gets_each_task(sim: RelaySimulator) -> None:
    got: list[tuple[str, Any]] = []
    both = anyio.Event()

    def handler(name: str) -> Any:
        def handle(message: Any) -> None:
            got.append((name, message))
            if len(got) == 2:
                both.set()
        return handle

    async with Client(sim.project, sim.token, sim.url) as a, Client(sim.project, sim.token, sim.url) as b:
        assert await a.tasking.receive(CONTEXT, handler("a"))
        assert await b.tasking.receive(CONTEXT, handler("b"))
        task = Task(sim.project, sim.token, host=sim.url)
        assert await task.deliver(CONTEXT, 1) and await task.deliver(CONTEXT, 2)
        with anyio.fail_after(5):
            await both.wait()
    assert sorted(m for _, m in got) == [1, 2] and {n for n, _ in got} == {"a", "b"}


def test_task_hosts_take_the_clients_forms() -> None:
    assert Task("p", "t").url == "https://relay.signalwire.com/api/relay/rest/tasks"
    assert Task("p", "t", host="example.com:8443").url == "https://example.com:8443/api/relay/rest/tasks"
    assert Task("p", "t", host="ws://127.0.0.1:9000").url == "http://127.0.0.1:9000/api/relay/rest/tasks"
    assert Task("p", "t", host="wss://example.com").url == "https://example.com/api/relay/rest/tasks"
    assert Task("p", "t", host="http://localhost:80").url == "http://localhost:80/api/relay/rest/tasks"
    with pytest.raises(InvalidArgument) as info:
        Task("p", "t", host="http://example.com")
    assert info.value.argument == "host"
    assert Task("p", "t", host="http://example.com", allow_insecure=True).url.startswith("http://example.com/")


def test_the_token_is_not_in_the_repr() -> None:
    assert "secret" not in repr(Task("p", "secret"))


async def test_bad_tasks_and_handlers_are_refused_before_sending(sim: RelaySimulator) -> None:
    task = Task(sim.project, sim.token, host=sim.url)
    with pytest.raises(InvalidArgument) as info:
        await task.deliver("two words", {})
    assert info.value.argument == "context"
    with pytest.raises(InvalidArgumentType) as type_info:
        await task.deliver("jobs", {"when": object()})
    assert type_info.value.argument == "message"
    async with Client(sim.project, sim.token, sim.url, timeout=5) as client:
        with pytest.raises(InvalidArgumentType) as handler_info:
            await client.tasking.receive("jobs", "not callable")  # type: ignore[arg-type]
        assert handler_info.value.argument == "handler"
        with pytest.raises(InvalidArgument) as contexts_info:
            await client.tasking.receive([], print)
        assert contexts_info.value.argument == "contexts"
    assert sim.journal.filter(method=TASK_REQUEST) == []
    assert sim.journal.commands("signalwire.receive") == []
