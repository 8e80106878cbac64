"""What type checkers see is true: ``mypy --strict`` on scripts written as users write them.

``blocking_user.py`` and ``async_user.py`` assert the type of every object a
flow touches (a Call reached through a Result is the blocking Call in
relay_sync, methods return Results, ``wait()`` the Action's Result);
``misspelt.py`` holds mistakes that must be type errors, one per line
marked ``# E:``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from mypy import api

HERE = Path(__file__).resolve().parent
CONFIG = HERE.parent.parent / "pyproject.toml"


def mypy(*files: Path) -> tuple[int, list[str]]:
    out, err, status = api.run(["--strict", "--config-file", str(CONFIG), *map(str, files)])
    assert not err, err
    return status, [line for line in out.splitlines() if ": error:" in line]


@pytest.mark.timeout(300)
def test_user_scripts_type_check_with_the_types_they_assert() -> None:
    status, errors = mypy(HERE / "blocking_user.py", HERE / "async_user.py")
    assert errors == [] and status == 0


@pytest.mark.timeout(300)
def test_mistakes_are_type_errors() -> None:
    source = (HERE / "misspelt.py").read_text().splitlines()
    expected = {i + 1 for i, line in enumerate(source) if "# E:" in line}
    status, errors = mypy(HERE / "misspelt.py")
    flagged = {int(line.split(":")[1]) for line in errors}
    assert status == 1 and flagged == expected, errors
