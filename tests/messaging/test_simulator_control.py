"""The simulator's messaging and task endpoints of the HTTP control API, its CLI options, and the REST endpoint's refusals."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import anyio
import httpx
import pytest

from relay_anyio import Client, Message, Task
from relay_anyio.testing import RelaySimulator
from relay_anyio.testing.__main__ import build_parser

from .conftest import CONTEXT, OURS, THEIRS

pytestmark = pytest.mark.anyio


async def test_control_api_scripts_and_sends_messages_and_tasks(sim: RelaySimulator, client: Client) -> None:
    inbox, outbox = anyio.create_memory_object_stream[Message | Any](10)
    with inbox, outbox:
        assert await client.messaging.receive(CONTEXT, inbox.send)
        assert await client.tasking.receive(CONTEXT, inbox.send)
        async with httpx.AsyncClient(base_url=sim.http_url) as http:
            assert "POST /control/messages" in (await http.get("/control")).json()["endpoints"]
            r = await http.post("/control/recipients", json={"number": THEIRS, "outcome": "undelivered", "reason": "off"})
            assert r.status_code == 200 and r.json()["outcome"] == "undelivered"
            assert (await http.get("/control/recipients")).json()["recipients"][THEIRS]["reason"] == "off"
            bad = await http.post("/control/recipients", json={"number": THEIRS, "outcome": "lost"})
            assert bad.status_code == 400 and "outcome" in bad.json()["error"]

            r = await http.post("/control/messages", json={"context": CONTEXT, "from_number": THEIRS, "to_number": OURS, "body": "yo"})
            assert r.status_code == 200, r.text
            with anyio.fail_after(5):
                message = await outbox.receive()
            assert message.id == r.json()["message_id"] and message.body == "yo"

            r = await http.post("/control/tasks", json={"context": CONTEXT, "message": {"n": 1}})
            assert r.json() == {"delivered": True, "context": CONTEXT}
            with anyio.fail_after(5):
                assert await outbox.receive() == {"n": 1}

            result = await client.messaging.send(context=CONTEXT, from_number=OURS, to_number=THEIRS, body="x")
            assert (await result.wait_for_delivery(timeout=5)).state == "undelivered"
            listed = (await http.get("/control/messages", params={"direction": "outbound"})).json()["messages"]
            assert [(m["message_id"], m["message_state"], m["reason"]) for m in listed] == [(result.message_id, "undelivered", "off")]
            missing = await http.post("/control/messages", json={"context": "nobody", "from_number": THEIRS, "to_number": OURS, "body": "?", "timeout": 0})
            assert missing.status_code == 504


async def test_the_task_endpoint_refuses_what_is_not_a_task(sim: RelaySimulator) -> None:
    url = Task(sim.project, sim.token, host=sim.url).url
    async with httpx.AsyncClient() as http:
        assert (await http.get(url, auth=(sim.project, sim.token))).status_code == 405
        assert (await http.post(url, json={"context": "x"})).status_code == 401
        assert (await http.post(url, json={"context": "x"}, headers={"authorization": "Basic !!"})).status_code == 401
        assert (await http.post(url, content=b"{", auth=(sim.project, sim.token))).status_code == 400
        assert (await http.post(url, json={"message": 1}, auth=(sim.project, sim.token))).status_code == 400
        assert (await http.post(url, json={"context": "x"}, auth=(sim.project, sim.token))).status_code == 404


def test_cli_options_for_messages_and_tasks() -> None:
    args = build_parser().parse_args(
        ["--message-recipient", "+1555=failed", "--message-reply", "+1666=YES", "--inbound-message", "hi", "--task", '{"a": 1}']
    )
    assert args.message_recipient == [("+1555", "failed")] and args.message_reply == [("+1666", "YES")]
    assert args.inbound_message == ["hi"] and args.task == [{"a": 1}]
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--message-recipient", "+1555=lost"])
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--task", "{"])


async def test_relay_sim_sends_the_message_and_task_it_was_given() -> None:
    process = await anyio.open_process(
        [sys.executable, "-m", "relay_anyio.testing", "--port", "0", "--time-scale", "0", "--context", CONTEXT,
         "--inbound-message", "hello", "--task", '{"n": 7}', "--message-recipient", f"{THEIRS}=failed"],
        env={**os.environ, "PYTHONUNBUFFERED": "1"}, stdout=subprocess.PIPE,
    )
    got: list[Any] = []
    both = anyio.Event()

    def keep(item: Any) -> None:
        got.append(item)
        if len(got) == 2:
            both.set()

    async with process:
        assert process.stdout is not None
        try:
            with anyio.fail_after(20):
                text = ""
                while "token:" not in text:
                    text += (await process.stdout.receive()).decode()
                fields = dict(line.split(": ", 1) for line in text.splitlines() if ": " in line)
                async with Client(fields["project"], fields["token"], fields["url"], timeout=5) as client:
                    # Both handlers are in place before the first signalwire.receive is answered
                    # (the simulator sends the message and the task as soon as it is).
                    async with anyio.create_task_group() as tg:
                        tg.start_soon(client.tasking.receive, CONTEXT, keep)
                        tg.start_soon(client.messaging.receive, CONTEXT, keep)
                    await both.wait()
                    result = await client.messaging.send(context=CONTEXT, from_number=OURS, to_number=THEIRS, body="x")
                    assert (await result.wait_for_delivery(timeout=5)).state == "failed"
        finally:
            process.terminate()
        await process.wait()
    assert sorted(str(g.body if isinstance(g, Message) else g) for g in got) == ["hello", "{'n': 7}"]


async def test_the_simulators_messaging_methods_check_their_arguments(sim: RelaySimulator) -> None:
    with pytest.raises(ValueError, match="number"):
        sim.message_recipient("")
    with pytest.raises(ValueError, match="outcome"):
        sim.message_recipient(THEIRS, outcome="lost")
    with pytest.raises(ValueError, match="reply"):
        sim.message_recipient(THEIRS, reply="")
    with pytest.raises(TypeError):
        sim.message_recipient(THEIRS, "failed")  # type: ignore[misc]
    with pytest.raises(ValueError, match="body or media"):
        await sim.inbound_message(CONTEXT, from_number=THEIRS, to_number=OURS)
    with pytest.raises(TypeError, match="media"):
        await sim.inbound_message(CONTEXT, from_number=THEIRS, to_number=OURS, media="https://x")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="timeout"):
        await sim.inbound_message(CONTEXT, from_number=THEIRS, to_number=OURS, body="x", timeout=-1)
    with pytest.raises(ValueError, match="context"):
        sim.deliver_task("", message=1)
    with pytest.raises(KeyError):
        sim.message("nope")
    assert sim.messages == []
