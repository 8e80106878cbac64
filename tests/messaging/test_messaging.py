"""client.messaging end to end against the simulator, on asyncio and trio."""

from __future__ import annotations

import anyio
import pytest

from relay_anyio import Client, InvalidArgument, InvalidArgumentType, Message
from relay_anyio.testing import RelaySimulator

from .conftest import CONTEXT, OURS, THEIRS

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("outcome", ["delivered", "undelivered", "failed"])
async def test_send_ends_in_each_final_state(sim: RelaySimulator, client: Client, outcome: str) -> None:
    sim.message_recipient(THEIRS, outcome=outcome, reason=None if outcome == "delivered" else "carrier said no")
    result = await client.messaging.send(context=CONTEXT, from_number=OURS, to_number=THEIRS, body="Hi")
    assert result.successful and result.message_id
    delivery = await result.wait_for_delivery(timeout=5)
    assert delivery.state == outcome
    assert delivery.successful is (outcome == "delivered")
    assert delivery.message is not None and delivery.message.id == result.message_id
    if outcome != "delivered":
        assert delivery.message.reason == "carrier said no" and delivery.error == "carrier said no"
    assert sim.message(result.message_id).state == outcome


async def test_only_the_keys_given_are_sent(sim: RelaySimulator, client: Client) -> None:
    await client.messaging.send(context=CONTEXT, from_number=OURS, to_number=THEIRS, body="Hi")
    await client.messaging.send(
        context=CONTEXT, from_number=OURS, to_number="sip:bob@example.com",
        media=["https://example.com/a.png"], tags=["promo"], region="us",
    )
    first, second = sim.journal.commands("messaging.send")
    assert first == {"context": CONTEXT, "from_number": OURS, "to_number": THEIRS, "body": "Hi"}
    assert second == {
        "context": CONTEXT, "from_number": OURS, "to_number": "sip:bob@example.com",
        "media": ["https://example.com/a.png"], "tags": ["promo"], "region": "us",
    }


async def test_state_changes_reach_the_handler_in_order(sim: RelaySimulator, client: Client) -> None:
    send, receive = anyio.create_memory_object_stream[Message](10)
    with send, receive:
        assert await client.messaging.state_change(CONTEXT, send.send)
        result = await client.messaging.send(context=CONTEXT, from_number=OURS, to_number=THEIRS, body="Hi")
        states = []
        with anyio.fail_after(5):
            while not states or states[-1] != "delivered":
                message = await receive.receive()
                assert message.id == result.message_id and message.direction == "outbound"
                states.append(message.state)
    assert states == ["queued", "initiated", "sent", "delivered"]


async def test_inbound_message_reaches_the_handler(sim: RelaySimulator, client: Client) -> None:
    send, receive = anyio.create_memory_object_stream[Message](10)
    with send, receive:
        assert await client.messaging.receive([CONTEXT], send.send)
        sent = await sim.inbound_message(
            CONTEXT, from_number=THEIRS, to_number=OURS, body="Hello?", media=["https://example.com/p.jpg"], timeout=5
        )
        with anyio.fail_after(5):
            message = await receive.receive()
    assert message.id == sent.id and message.context == CONTEXT and message.direction == "inbound"
    assert (message.from_number, message.to_number, message.body) == (THEIRS, OURS, "Hello?")
    assert message.media == ["https://example.com/p.jpg"] and message.segments == 1


async def test_a_scripted_number_replies(sim: RelaySimulator, client: Client) -> None:
    sim.message_recipient(THEIRS, reply="YES")
    send, receive = anyio.create_memory_object_stream[Message](10)
    with send, receive:
        assert await client.messaging.receive(CONTEXT, send.send)
        await client.messaging.send(context=CONTEXT, from_number=OURS, to_number=THEIRS, body="Confirm?")
        with anyio.fail_after(5):
            reply = await receive.receive()
    assert (reply.from_number, reply.to_number, reply.body) == (THEIRS, OURS, "YES")


async def test_closing_the_client_wakes_a_wait_for_delivery() -> None:
    outcome = []
    async with RelaySimulator(time_scale=1) as slow:  # states 0.2 s apart: the wait is still on when we close
        async with anyio.create_task_group() as tg:
            async with Client(slow.project, slow.token, slow.url, timeout=5) as client:
                result = await client.messaging.send(context=CONTEXT, from_number=OURS, to_number=THEIRS, body="Hi")

                async def wait() -> None:
                    outcome.append(await result.wait_for_delivery(timeout=60))

                tg.start_soon(wait)
                await slow.journal.wait_for(event="messaging.state", count=1, timeout=5)
            # leaving the client's block closed it: the wait has ended
    [delivery] = outcome
    assert not delivery.successful and delivery.error == "client closed"
    assert delivery.state in (None, "queued", "initiated")  # the frames may still be on their way


async def test_a_wait_ends_unsuccessful_after_its_timeout(client: Client) -> None:
    delivery = await client.messaging.wait_for_delivery("no-such-message", timeout=0)
    assert not delivery.successful and delivery.state is None and "no final state" in (delivery.error or "")


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"to_number": "5551234"}, "to_number"),
        ({"from_number": "+1 555"}, "from_number"),
        ({"context": "two words"}, "context"),
        ({"context": ""}, "context"),
        ({"body": None}, "body"),
        ({"media": ["ftp://example.com/a.png"]}, "media[]"),
        ({"tags": ["ok", ""]}, "tags[]"),
    ],
)
async def test_bad_arguments_are_refused_before_sending(
    sim: RelaySimulator, client: Client, kwargs: dict[str, object], argument: str
) -> None:
    args: dict[str, object] = {"context": CONTEXT, "from_number": OURS, "to_number": THEIRS, "body": "Hi", **kwargs}
    with pytest.raises(InvalidArgument) as info:
        await client.messaging.send(**args)  # type: ignore[arg-type]
    assert info.value.argument == argument
    assert sim.journal.commands("messaging.send") == []


async def test_tags_must_be_a_list_of_strings(client: Client) -> None:
    with pytest.raises(InvalidArgumentType) as info:
        await client.messaging.send(context=CONTEXT, from_number=OURS, to_number=THEIRS, body="x", tags="promo")  # type: ignore[arg-type]
    assert info.value.argument == "tags"


async def test_concurrent_sends_receive_their_context_once(sim: RelaySimulator, client: Client) -> None:
    results = []

    async def one() -> None:
        sent = await client.messaging.send(context="burst", from_number=OURS, to_number=THEIRS, body="x")
        results.append(await sent.wait_for_delivery(timeout=5))

    async with anyio.create_task_group() as tg:
        for _ in range(20):
            tg.start_soon(one)
    assert [r.state for r in results] == ["delivered"] * 20
    assert sim.journal.commands("signalwire.receive") == [{"contexts": ["burst"]}]


async def test_a_fresh_session_ends_a_wait_for_delivery() -> None:
    async with RelaySimulator(time_scale=1) as slow:  # states 0.2 s apart: the wait is still on
        async with Client(slow.project, slow.token, slow.url, timeout=5) as client:
            result = await client.messaging.send(context=CONTEXT, from_number=OURS, to_number=THEIRS, body="Hi")
            assert slow.faults.forget_sessions() == 1
            with anyio.fail_after(10):
                delivery = await result.wait_for_delivery(timeout=60)
    assert not delivery.successful and delivery.error == "session lost"


async def test_a_cancelled_wait_for_delivery_leaves_nothing_waiting() -> None:
    async with RelaySimulator(time_scale=1) as slow:  # states 0.2 s apart: still waiting when cancelled
        async with Client(slow.project, slow.token, slow.url, timeout=5) as client:
            result = await client.messaging.send(context=CONTEXT, from_number=OURS, to_number=THEIRS, body="Hi")
            with anyio.CancelScope() as scope:
                scope.cancel()  # cancelled at its first checkpoint
                await result.wait_for_delivery(timeout=60)
            assert scope.cancelled_caught
            assert not client.messaging._waiters.get(str(result.message_id))  # the wait left no waiter behind
            # and a later wait still gets the final state
            with anyio.fail_after(10):
                delivery = await result.wait_for_delivery(timeout=60)
    assert delivery.successful and delivery.state == "delivered"
