"""Call life cycle: dialing scripted numbers, inbound calls, handles, bad commands."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from relay_anyio.errors import InvalidArgument, InvalidArgumentType
from relay_anyio.testing import Caller, RelaySimulator, busy, decline, human, no_answer

from .conftest import answered_call
from .rawclient import RawClient

pytestmark = pytest.mark.anyio


async def begin(client: RawClient, to_number: str, **device: Any) -> tuple[str, dict[str, Any]]:
    tag = str(uuid.uuid4())
    result = await client.execute(
        "calling.begin",
        {
            "tag": tag,
            "device": {
                "type": "phone",
                "params": {"from_number": "+15550001111", "to_number": to_number, **device},
            },
        },
    )
    assert result["code"] == "200", result
    return tag, result


def states(client: RawClient, call_id: str) -> list[str]:
    return [e["call_state"] for e in client.all_events("calling.call.state", call_id=call_id)]


async def test_unknown_number_answers_after_one_ring(sim: RelaySimulator, client: RawClient) -> None:
    tag, result = await begin(client, "+15559990000")
    assert set(result) >= {"code", "message", "call_id", "node_id"}
    created = await client.event("calling.call.state", call_state="created")
    assert created["tag"] == tag and created["call_id"] == result["call_id"]
    assert created["direction"] == "outbound"
    assert created["device"]["params"]["to_number"] == "+15559990000"
    await client.call_state(result["call_id"], "answered")
    assert states(client, result["call_id"]) == ["created", "ringing", "answered"]
    handle = sim.call(result["call_id"])
    assert handle.state == "answered" and handle.tag == tag
    # The response came before the first event.
    kinds = [("event" if f.get("method") else "response") for f in client.frames if f.get("id")]
    assert kinds[-4:] == ["response", "event", "event", "event"]


@pytest.mark.parametrize(
    "caller, reason", [(busy, "busy"), (no_answer, "noAnswer"), (decline, "decline")]
)
async def test_unanswered_numbers_end_with_reason(
    sim: RelaySimulator, client: RawClient, caller: Caller, reason: str
) -> None:
    sim.phone("+15550000002", caller=caller)
    _, result = await begin(client, "+15550000002")
    ended = await client.call_state(result["call_id"], "ended")
    assert ended["end_reason"] == reason
    assert states(client, result["call_id"]) == ["created", "ringing", "ending", "ended"]


async def test_ring_longer_than_timeout_is_no_answer(sim: RelaySimulator, client: RawClient) -> None:
    sim.phone("+15550000003", answer_after=20)
    _, result = await begin(client, "+15550000003", timeout=10)
    ended = await client.call_state(result["call_id"], "ended")
    assert ended["end_reason"] == "noAnswer"


async def test_far_end_hangs_up(sim: RelaySimulator, client: RawClient) -> None:
    sim.phone("+15550000004", caller=human(hangs_up_after=5))
    _, result = await begin(client, "+15550000004")
    ended = await client.call_state(result["call_id"], "ended")
    assert ended["end_reason"] == "hangup"
    assert states(client, result["call_id"]) == ["created", "ringing", "answered", "ending", "ended"]


async def test_real_time_scale_takes_time(anyio_backend: str) -> None:
    from .rawclient import started_client

    async with RelaySimulator(time_scale=0.05) as sim, started_client(sim.url) as client:
        sim.phone("+15550000005", answer_after=20)  # 1 s real
        _, result = await begin(client, "+15550000005")
        # Real time passes: the call rings first (ordering, not a clock reading) ...
        assert sim.call(result["call_id"]).state != "answered"
        # ... and is answered later.
        await client.call_state(result["call_id"], "answered")


async def test_inbound_handle_end_by_client(sim: RelaySimulator, client: RawClient) -> None:
    handle, base = await answered_call(sim, client)
    assert handle.direction == "inbound" and handle.context == "office"
    result = await client.execute("calling.end", {**base, "reason": "hangup"})
    assert result["code"] == "200"
    assert await handle.ended(timeout=5) == "hangup"
    assert handle.state == "ended"
    assert await handle.wait_for("answered") is True
    assert sim.call(handle.call_id) is handle
    assert handle in sim.calls


async def test_handle_wait_for_false_when_never_reached(sim: RelaySimulator, client: RawClient) -> None:
    sim.phone("+15550000006", caller=busy)
    _, result = await begin(client, "+15550000006")
    handle = sim.call(result["call_id"])
    assert await handle.wait_for("answered", timeout=5) is False


async def test_handle_waits_check_their_arguments_before_waiting(sim: RelaySimulator, client: RawClient) -> None:
    handle, _ = await answered_call(sim, client)
    with pytest.raises(InvalidArgument, match="state"):
        await handle.wait_for("hung up")
    with pytest.raises(InvalidArgument, match="timeout"):
        await handle.ended(timeout=-1)
    with pytest.raises(InvalidArgumentType, match="timeout"):
        await handle.wait_for("ended", timeout="5")
    with pytest.raises(TypeError):
        await handle.wait_for("ended", 5)  # type: ignore[misc]  # timeout is keyword-only
    assert handle.state == "answered"


async def test_inbound_caller_hangs_up(sim: RelaySimulator, client: RawClient) -> None:
    handle, _ = await answered_call(sim, client, Caller(hangs_up_after=3))
    ended = await client.call_state(handle.call_id, "ended")
    assert ended["end_reason"] == "hangup"


async def test_bad_commands_get_codes_and_messages(sim: RelaySimulator, client: RawClient) -> None:
    result = await client.execute("calling.answer", {"call_id": "nope", "node_id": "n"})
    assert result["code"] == "404" and "nope" in result["message"]
    result = await client.execute("calling.fly", {})
    assert result["code"] != "200" and "calling.fly" in result["message"]
    handle, base = await answered_call(sim, client)
    result = await client.execute("calling.play", {**base, "control_id": "p", "play": "loud"})
    assert result["code"] == "400" and "play" in result["message"]
    result = await client.execute("calling.play", {**base, "control_id": "p", "play": [{"type": "video", "params": {}}]})
    assert result["code"] == "400" and "type" in result["message"]
    result = await client.execute("calling.send_digits", {**base, "control_id": "d", "digits": "12x"})
    assert result["code"] == "400" and "digits" in result["message"]
    result = await client.execute("calling.begin", {"tag": "t", "device": {"type": "sip"}})
    assert result["code"] == "400"
    await client.execute("calling.end", {**base, "reason": "hangup"})
    await handle.ended(timeout=5)
    result = await client.execute("calling.play", {**base, "control_id": "p2", "play": [{"type": "silence", "params": {"duration": 1}}]})
    assert result["code"] == "410" and "ended" in result["message"]
    # Still serving.
    assert "result" in await client.request("blade.ping", {})
