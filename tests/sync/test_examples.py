"""The examples run as written: a plain script, and a notebook in a real Jupyter kernel."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_blocking_script(backend: str) -> None:
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "blocking_script.py"), backend],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("answered: ") and lines[1:] == ["code: 42", "music stopped: True", "hangup: hangup"]


def _text(output: dict[str, object]) -> str:
    data = output.get("data")
    if isinstance(data, dict):
        return str(data.get("text/plain", ""))
    return str(output.get("text", ""))


def test_notebook_runs_in_a_real_kernel() -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    notebook = nbformat.read(EXAMPLES / "notebook.ipynb", as_version=4)
    nbclient.NotebookClient(
        notebook, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(EXAMPLES)}}
    ).execute()
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    errors = [o for cell in code_cells for o in cell.outputs if o.output_type == "error"]
    assert not errors, errors
    out = ["\n".join(_text(o) for o in cell.outputs) for cell in code_cells]
    assert out[0].strip() == "a loop is running here: True"  # Jupyter's own loop is running
    assert out[2].startswith("<relay_sync.Client ws://127.0.0.1:") and out[2].endswith("connected>")
    assert out[3].startswith("DialResult(successful=True, error=None, call=<Call id=")
    assert "state=answered" in out[3]
    assert out[4].startswith("PromptResult(successful=True, error=None, prompt_type='digit', result='42'")
    assert out[5] == "(True, True)"
    assert out[6] == "HangupResult(successful=True, error=None, reason='hangup')"
    assert out[7].strip() == "{'digits': {'max': 2, 'terminators': '#'}}"
    assert out[8] == "False"  # closed
