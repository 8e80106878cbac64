"""Reconnect pacing against a dead service, and bad credentials on reconnect."""

from __future__ import annotations

import math

import anyio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relay_anyio import AuthenticationError, Client, PlayResult
from relay_anyio.backoff import reconnect_delay
from relay_anyio.testing import RelaySimulator

from ..helpers import eventually
from .conftest import FAST, Ledger, TcpProxy, connects_in, placer

pytestmark = pytest.mark.anyio


# --------------------------------------------------------------------------
# The pure function


@settings(max_examples=300, deadline=None)
@given(
    attempt=st.integers(min_value=0, max_value=10**6),
    base=st.floats(min_value=0.001, max_value=10),
    cap=st.floats(min_value=0.001, max_value=600),
    r=st.floats(min_value=0, max_value=1, exclude_max=True),
)
def test_delay_is_equal_jitter_within_exponential_step_and_cap(attempt: int, base: float, cap: float, r: float) -> None:
    delay = reconnect_delay(attempt, base=base, cap=cap, rand=lambda: r)
    step = min(cap, base * 2.0 ** min(attempt, 64))
    assert math.isfinite(delay)
    assert step / 2 - 1e-9 <= delay <= step + 1e-9
    assert delay <= cap + 1e-9


def test_delay_doubles_until_the_cap_and_jitter_spans_half_a_step() -> None:
    low = [reconnect_delay(n, base=0.5, cap=30, rand=lambda: 0.0) for n in range(10)]
    high = [reconnect_delay(n, base=0.5, cap=30, rand=lambda: 1.0) for n in range(10)]
    assert high == [0.5, 1, 2, 4, 8, 16, 30, 30, 30, 30]
    assert low == [h / 2 for h in high]
    mid = reconnect_delay(3, base=0.5, cap=30, rand=lambda: 0.5)
    assert mid == 3.0
    # A real random source gives different delays for the same attempt (no lockstep).
    assert len({reconnect_delay(8, base=0.5, cap=30) for _ in range(20)}) > 1


# --------------------------------------------------------------------------
# Against a dead service


BASE = 0.05
CAP = 0.4


async def test_reconnect_attempts_back_off_exponentially_with_jitter_and_cap(sim: RelaySimulator, proxy: TcpProxy) -> None:
    """The delays the client chose, read from its Backoff: no wall-clock timing."""
    async with Client(project=sim.project, token=sim.token, host=proxy.url, reconnect_base=BASE, reconnect_cap=CAP, timeout=2) as client:
        backoff = client.session.backoff
        first = len(proxy.attempts)
        assert proxy.block() == 1  # the service dies: every connection is accepted and closed
        await eventually(lambda: len(proxy.attempts) >= first + 8, timeout=10, what="8 reconnect attempts")
        outage = list(backoff.history)
        assert [n for n, _ in outage[:8]] == list(range(8)), outage
        # One connection attempt follows each delay.
        assert len(proxy.attempts) - first in (len(outage), len(outage) + 1)
        for n, delay in outage:
            step = min(CAP, BASE * 2**n)
            assert step / 2 <= delay <= step, (n, delay, outage)
        capped = [delay for n, delay in outage if BASE * 2**n >= CAP]
        assert len(capped) >= 4 and max(capped) - min(capped) > 0, f"no jitter at the cap: {capped}"
        assert not client.connected
        # Back online: the client returns, and the next outage starts from the first step again.
        proxy.unblock()
        await eventually(lambda: client.connected, timeout=5, what="back online")
        assert backoff.attempt == 0
        mark = len(proxy.attempts)
        assert proxy.block() == 1
        await eventually(lambda: len(proxy.attempts) >= mark + 2, timeout=5)
        history = list(backoff.history)
        restart = max(i for i, (n, _) in enumerate(history) if n == 0)
        again = history[restart:]
        assert len(again) >= 2 and [n for n, _ in again] == list(range(len(again))), history
        assert BASE / 2 <= again[0][1] <= BASE, again


# --------------------------------------------------------------------------
# Bad credentials


async def test_bad_credentials_on_reconnect_stop_after_max_auth_failures(sim: RelaySimulator) -> None:
    outcome: list[BaseException] = []
    played: list[PlayResult] = []
    with anyio.fail_after(10):
        # The play runs outside the client's block, so the client's failure does not cancel it.
        async with anyio.create_task_group() as outside:
            try:
                async with Client(project=sim.project, token=sim.token, host=sim.url, max_auth_failures=3, **FAST) as client:
                    place = await placer(sim, client)()
                    call, _ = await place()
                    sim.faults.refuse("blade.connect", times=None)  # the token was revoked
                    sim.faults.delay("calling.play", seconds=5, times=1)

                    async def play() -> None:
                        played.append(await call.play_tts(text="in flight"))

                    outside.start_soon(play)
                    try:
                        await sim.journal.wait_for(method="calling.play", direction="in")
                        sim.faults.drop()
                        await anyio.sleep_forever()
                    finally:
                        connects = connects_in(sim)
            except BaseException as exc:  # noqa: BLE001 - inspected below
                outcome.append(exc)
    assert len(connects) == 1 + 3, "exactly max_auth_failures refused reconnects, then stop"
    # The session is lost for good: the wait in flight ends, unsuccessful, saying so ...
    assert [(r.successful, r.error) for r in played] == [(False, "session lost")]
    # ... and the client raises AuthenticationError itself, not a group.
    assert len(outcome) == 1 and isinstance(outcome[0], AuthenticationError), outcome
    assert outcome[0].code is not None and outcome[0].code < 0
    with anyio.fail_after(1):
        after = await call.play_tts(text="after giving up")
    assert not after.successful and after.error == "session lost"


async def test_one_refused_reconnect_is_retried(sim: RelaySimulator, client: Client) -> None:
    place = await placer(sim, client)()
    call, handle = await place()
    sim.faults.refuse("blade.connect", times=1)
    sim.faults.drop()
    await eventually(lambda: client.connected and client.session.connections == 3, timeout=5, what="reconnect")
    assert len(connects_in(sim)) == 3 and client.session.restores == 1
    assert (await call.play_tts(text="still here")).successful


async def test_bad_credentials_at_start_are_tried_once(make_sim, ledger: Ledger) -> None:  # type: ignore[no-untyped-def]
    sim = await make_sim(token="right")
    with anyio.fail_after(5):
        with pytest.raises(AuthenticationError):
            async with Client(project=sim.project, token="wrong", host=sim.url, max_auth_failures=10, **FAST):
                pass
    assert len(connects_in(sim)) == 1
    ledger.add("bad credentials at start")
