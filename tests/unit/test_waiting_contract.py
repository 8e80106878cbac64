"""Every waiting method's ``_async`` twin starts its Action without awaiting
anything first: the waiting method marks the call for the one ``_start`` it
runs into (see ``components._action.waiting``), so an await before it could
hand that mark to another coroutine's start."""

from __future__ import annotations

import ast
import inspect
import textwrap

import pytest

from relay_anyio import Call


def _waiting_methods() -> dict[str, object]:
    return {
        name: value.__relay_waiting__
        for klass in Call.__mro__
        for name, value in vars(klass).items()
        if hasattr(value, "__relay_waiting__")
    }


def test_every_component_kind_has_waiting_methods() -> None:
    assert {"play", "prompt", "record", "detect", "connect", "tap", "send_digits", "fax_send"} <= set(_waiting_methods())


@pytest.mark.parametrize("name", sorted(_waiting_methods()))
def test_the_async_twin_awaits_only_its_start_and_last(name: str) -> None:
    start = _waiting_methods()[name]
    tree = ast.parse(textwrap.dedent(inspect.getsource(start)))  # type: ignore[arg-type]
    [fn] = tree.body
    assert isinstance(fn, ast.AsyncFunctionDef)
    awaits = [node for node in ast.walk(fn) if isinstance(node, (ast.Await, ast.AsyncWith, ast.AsyncFor))]
    last = fn.body[-1]
    assert len(awaits) == 1, f"{fn.name} awaits {len(awaits)} times; only its final start may"
    assert isinstance(last, ast.Return) and last.value is awaits[0], f"{fn.name} must end in `return await ...`"
    call = awaits[0].value
    assert isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
    target = call.func.attr
    assert target == "_start" or target.endswith("_async"), f"{fn.name} returns await {target}(), not a start"
