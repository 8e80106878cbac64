"""Keeps the benchmark runner working: ``python -m benchmarks --smoke``.

Tiny N, no timing assertion: only that every scenario ran to completion
with zero errors and that the Markdown table was written. The official
SDK's client runs only if its virtual environment already exists.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.timeout(120)
def test_benchmarks_smoke(tmp_path: Path) -> None:
    out = tmp_path / "results.md"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--smoke", "--output", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=110,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    text = out.read_text()
    for heading in ("## Targets", "## IVR", "## Dialer", "## Messaging", "## Events", "## Blocking facade"):
        assert heading in text
    for label in ("relay_anyio (asyncio)", "relay_anyio (trio)", "floor (asyncio)", "relay_sync (asyncio)"):
        assert f"| {label} |" in text
    assert "failed:" not in text, text
    # Every run completed every call with no error.
    progress_lines = [line for line in done.stdout.splitlines() if line.startswith("  ") and " N=" in line]
    assert progress_lines
    for line in progress_lines:
        assert " ok: " in line and " 0 errors" in line, line


@pytest.mark.timeout(120)
def test_soak_smoke() -> None:
    """``python -m benchmarks.soak`` with tiny numbers: it runs, paces, samples and judges."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.soak", "--calls", "400", "--window", "100", "--batch", "50",
         "--samples", "4", "--rss-slack", "1.0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=110,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "400 of 400 completed, 0 errors (ok)" in done.stdout
    assert "Verdict: PASS" in done.stdout
