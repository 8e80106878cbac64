"""The README's examples run as written."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BLOCKS = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S)


def block(containing: str) -> str:
    found = [b for b in BLOCKS if containing in b]
    assert found, f"no README python block contains {containing!r}"
    return found[0]


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=120)


def test_lead_example_is_first_and_runs(tmp_path: Path) -> None:
    assert "RelaySimulator" in BLOCKS[0], "the README leads with the simulator example"
    script = tmp_path / "lead.py"
    script.write_text(BLOCKS[0])
    done = run([sys.executable, str(script)], tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True 42"


@pytest.mark.parametrize("backend", ["trio"])
def test_lead_example_on_trio(tmp_path: Path, backend: str) -> None:
    script = tmp_path / "lead_trio.py"
    script.write_text(BLOCKS[0].replace("anyio.run(main) ", f"anyio.run(main, backend={backend!r}) "))
    done = run([sys.executable, str(script)], tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True 42"


def test_blocking_quick_start_runs(tmp_path: Path) -> None:
    script = tmp_path / "blocking.py"
    script.write_text(block("from relay_sync import Client") + "\nprint(code.result)\n")
    done = run([sys.executable, str(script)], tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "42"


def test_pytest_plugin_example_passes(tmp_path: Path) -> None:
    (tmp_path / "test_flow.py").write_text(block("relay_simulator: RelaySimulator, relay_client: Client"))
    # With warnings as errors, as a user project may run it: the plugin's simulator leaks nothing.
    done = run([sys.executable, "-m", "pytest", "-q", "-W", "error", "-p", "no:cacheprovider", "test_flow.py"], tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout  # asyncio and trio


def test_messaging_example_runs(tmp_path: Path) -> None:
    script = tmp_path / "messaging.py"
    script.write_text(block("sim.message_recipient"))
    done = run([sys.executable, str(script)], tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["True delivered", "from +15551230000 : YES"]
