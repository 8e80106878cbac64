"""Consumer hooks beyond calls: only overridden hooks subscribe; setup and teardown; both packages."""

from __future__ import annotations

import threading
from typing import Any

import anyio
import pytest

import relay_sync
from relay_anyio import AuthenticationError, Consumer, Message
from relay_anyio.testing import RelaySimulator
from relay_sync.testing import Simulator

from .conftest import OURS, THEIRS


@pytest.mark.anyio
async def test_hooks_not_overridden_subscribe_to_nothing(sim: RelaySimulator) -> None:
    seen: dict[str, list[str]] = {}

    class Tasks(Consumer):
        def setup(self) -> None:
            self.project, self.token, self.host, self.contexts = sim.project, sim.token, sim.url, ["jobs"]

        async def ready(self) -> None:
            assert self.client is not None
            seen["calling"] = self.client.calling.contexts
            seen["tasking"] = self.client.tasking.contexts
            self.stop()

        async def on_task(self, message: Any) -> None:
            """Overridden: the only subscription."""

    with anyio.fail_after(5):
        await Tasks().serve()
    assert seen == {"calling": [], "tasking": ["jobs"]}


@pytest.mark.anyio
async def test_teardown_runs_after_an_error(sim: RelaySimulator) -> None:
    log: list[str] = []

    class Wrong(Consumer):
        project, token, host, contexts = sim.project, "wrong", sim.url, ["office"]

        async def teardown(self) -> None:
            log.append("teardown")

    with anyio.fail_after(10), pytest.raises(AuthenticationError):
        await Wrong(client_options={"max_auth_failures": 1}).serve()
    assert log == ["teardown"]


def test_a_blocking_consumer_gets_messages_in_worker_threads() -> None:
    log: list[str] = []
    with Simulator(time_scale=0) as sim:

        class Texts(relay_sync.Consumer):
            def setup(self) -> None:
                self.project, self.token, self.host, self.contexts = sim.project, sim.token, sim.url, ["sms"]

            def ready(self) -> None:
                threading.Thread(
                    target=sim.inbound_message, args=("sms",), kwargs={"from_number": THEIRS, "to_number": OURS, "body": "hi"}
                ).start()

            def on_incoming_message(self, message: Message) -> None:
                log.append(f"{message.body} in main: {threading.current_thread() is threading.main_thread()}")
                self.stop()

            def teardown(self) -> None:
                log.append("teardown")

        consumer = Texts()
        consumer.run()
    assert log == ["hi in main: False", "teardown"]


def test_a_blocking_consumer_tears_down_when_it_cannot_connect() -> None:
    log: list[str] = []
    with Simulator(time_scale=0) as sim:

        class Wrong(relay_sync.Consumer):
            def setup(self) -> None:
                self.project, self.token, self.host, self.contexts = sim.project, "wrong", sim.url, ["sms"]
                self.client_options = {"max_auth_failures": 1}

            def teardown(self) -> None:
                log.append("teardown")

        with pytest.raises(AuthenticationError):
            Wrong().run()
    assert log == ["teardown"]
