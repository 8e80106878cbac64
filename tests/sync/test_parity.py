"""Parity of the blocking face with relay_anyio: no missing twin, no drifting signature."""

from __future__ import annotations

import inspect

import anyio
import attrs
import pytest

import subprocess
import sys
from pathlib import Path

import relay_anyio
import relay_sync
from relay_sync._facade import Facade, blocking

from .parity import ACTIONS, differences, public_members


def _async_actions() -> dict[str, relay_anyio.Action]:
    """One instance of each relay_anyio Action (their __init__ needs a running loop)."""
    call = relay_anyio.Call(None)  # type: ignore[arg-type]

    params = {
        "DetectAction": {"detect": {"type": "digit"}},
        "TapAction": {"tap": {"type": "audio"}, "device": {"type": "rtp"}},
    }

    async def make() -> dict[str, relay_anyio.Action]:
        made: dict[str, relay_anyio.Action] = {}
        for name in ACTIONS:
            cls = getattr(relay_anyio, name)
            if cls is relay_anyio.Action:  # the base: any declared kind stands for it
                cls, name = relay_anyio.PlayAction, "Action"
            extra = {"method": cls.methods[0]} if len(cls.methods) > 1 else {}
            made[name] = cls(call, params.get(cls.__name__, {}), **extra)
        return made

    return anyio.run(make)


def test_call_has_every_method_and_attribute_of_the_async_call() -> None:
    instance = relay_anyio.Call(None)  # type: ignore[arg-type]
    assert differences(relay_anyio.Call, relay_sync.Call, instance) == []
    # and nothing public that the async Call lacks
    extra = set(public_members(relay_sync.Call)) - set(public_members(relay_anyio.Call, instance))
    assert extra == set()


@pytest.mark.parametrize("name", ACTIONS)
def test_actions_match(name: str) -> None:
    instance = _async_actions()[name]
    async_cls, sync_cls = getattr(relay_anyio, name), getattr(relay_sync, name)
    assert differences(async_cls, sync_cls, instance) == []


def test_calling_and_consumer_match() -> None:
    assert differences(relay_anyio.Calling, relay_sync.Calling) == []
    # Consumer's methods are hooks users override (plain functions here), so only the names
    # match; serve() runs inside an event loop, so blocking code has run() only.
    assert set(public_members(relay_anyio.Consumer)) - {"serve"} == set(public_members(relay_sync.Consumer))
    assert inspect.signature(relay_sync.Consumer.run) == inspect.signature(relay_anyio.Consumer.run)


def test_messaging_and_tasking_match() -> None:
    assert differences(relay_anyio.Messaging, relay_sync.Messaging) == []
    assert differences(relay_anyio.Tasking, relay_sync.Tasking) == []
    assert inspect.signature(relay_sync.Task.deliver).parameters.keys() == inspect.signature(relay_anyio.Task.deliver).parameters.keys()
    assert not inspect.iscoroutinefunction(relay_sync.SendResult.wait_for_delivery)


def test_client_accepts_every_keyword_of_the_async_client() -> None:
    ours = inspect.signature(relay_sync.Client).parameters
    for name, param in inspect.signature(relay_anyio.Client).parameters.items():
        assert name in ours and ours[name].default == param.default, name
    assert ours["backend"].default == "asyncio" and ours["max_workers"].default == 64


def test_help_shows_the_real_signature_and_docstring() -> None:
    method = relay_sync.Call.play_tts_async
    assert str(inspect.signature(method)) == (
        "(self, text: str, language: str | None = None, gender: str | None = None, volume: float = 0)"
        " -> relay_sync.actions.PlayAction"
    )
    assert method.__doc__ == relay_anyio.Call.play_tts_async.__doc__
    assert method.__qualname__.endswith(".play_tts_async") and method.__wrapped__ is relay_anyio.Call.play_tts_async
    assert inspect.signature(relay_sync.Call.dial).return_annotation is relay_sync.DialResult
    assert relay_sync.Call.state.__doc__ and relay_sync.Call.answered.__doc__ == relay_anyio.Call.answered.__doc__
    assert "worker thread" in (relay_sync.Call.on.__doc__ or "")


def test_the_generated_blocking_face_is_up_to_date() -> None:
    """relay_sync's Call methods and Actions are generated from relay_anyio's declarations."""
    script = Path(__file__).resolve().parents[2] / "tools" / "generate_sync.py"
    done = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_every_declared_action_has_a_blocking_twin() -> None:
    from relay_anyio.components import ACTIONS as DECLARED

    for name, cls in DECLARED.items():
        twin = getattr(relay_sync, name)
        assert twin._wraps is cls
        assert set(cls.verbs) <= set(dir(twin)), name


def test_every_result_event_and_error_is_relay_anyios_own_but_those_holding_a_call() -> None:
    # DialResult and ConnectResult hold a Call; SendResult's wait_for_delivery blocks.
    holding_a_call = {"DialResult", "ConnectResult", "SendResult"}
    for name in relay_anyio.__all__:
        if name.endswith(("Result", "Error")) or name in ("Event", "ConnectionClosed", "CommandTimeout"):
            if name in holding_a_call:
                twin, original = getattr(relay_sync, name), getattr(relay_anyio, name)
                assert twin is not original and issubclass(twin, relay_anyio.Result)
                assert [f.name for f in attrs.fields(twin)] == [f.name for f in attrs.fields(original)]
            else:
                assert getattr(relay_sync, name) is getattr(relay_anyio, name), name


# -- the checker itself catches drift ---------------------------------------------


class _Async:
    async def go(self, a: int, b: str = "x") -> int:
        """Go."""
        return a

    async def stop(self) -> None:
        """Stop."""

    @property
    def state(self) -> str:
        return "s"


class _Twin(Facade[_Async], wraps=_Async):
    go = blocking(_Async.go)
    stop = blocking(_Async.stop)
    state = property(lambda self: "s")


class _Drifted(Facade[_Async]):
    def go(self, a: int, b: str = "y") -> int:  # default drifted
        """Go."""
        return a

    async def stop(self) -> None:  # not blocking
        """Stop."""


class _Missing(Facade[_Async]):
    go = blocking(_Async.go)


def test_checker_accepts_a_generated_twin_and_flags_drift() -> None:
    assert differences(_Async, _Twin) == []
    drifted = differences(_Async, _Drifted)
    assert any(p.startswith("go: parameters differ") for p in drifted)
    assert "stop: the twin is a coroutine function, it must block" in drifted
    assert "_Async.state: no twin in _Drifted" in drifted
    assert differences(_Async, _Missing) == ["_Async.state: no twin in _Missing", "_Async.stop: no twin in _Missing"]
