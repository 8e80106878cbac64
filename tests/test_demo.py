"""The demo runs as the README says, on both backends."""

import subprocess
import sys

import pytest


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_demo_runs_every_flow(backend: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "relay_anyio.demo", "--time-scale", "0", "--backend", backend],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "PIN prompt -> successful=True digits='1234' terminator='#'" in out
    assert "recorded" in out and ".wav" in out
    assert "confirmation to +15550001111 -> successful=True" in out and "confirmation delivered" in out
    assert "task 'call +15550003333' delivered over REST: True" in out
    assert "task received: {'call': '+15550003333'}" in out
    assert "answering machine detection -> MACHINE (ready for the message: READY)" in out
    assert out.strip().endswith("done")
