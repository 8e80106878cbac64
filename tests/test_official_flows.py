"""The official signalwire SDK (a client we did not write) drives relay-sim through one
flow per method family (and messaging and tasks), and every flow ends as the reference says.

``tools/official_flows.py`` does the work; the official SDK runs in its own
virtual environment under benchmarks/.venvs/ (built from PyPI on first use,
as the benchmarks build it).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.timeout(600)
def test_the_official_sdk_sees_the_simulator_as_the_service() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "official_flows.py")], cwd=ROOT, capture_output=True, text=True, timeout=590
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    assert "18 of 18 flows behave as the reference says" in done.stdout
