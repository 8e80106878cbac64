"""The simulator's public API used wrongly: each mistake is a clear error naming the argument."""

from __future__ import annotations

import inspect
import subprocess
import sys
import textwrap

import pytest

from relay_anyio import InvalidArgument, InvalidArgumentType
from relay_anyio.testing import Caller, RelaySimulator, busy, human, machine
from relay_anyio.testing.__main__ import main
from relay_anyio.testing.simulator import RECEIVER_TIMEOUT

from .rawclient import RawClient

pytestmark = pytest.mark.anyio


async def test_a_caller_where_a_number_belongs_is_refused_before_anything_happens(sim: RelaySimulator) -> None:
    with pytest.raises(TypeError):
        await sim.inbound_call("office", Caller())  # type: ignore[misc]  # keyword-only past the context
    with pytest.raises(InvalidArgumentType) as info:
        await sim.inbound_call("office", from_number=Caller())  # type: ignore[arg-type]
    assert info.value.argument == "from_number" and "caller=" in str(info.value)
    with pytest.raises(InvalidArgumentType, match="caller"):
        await sim.inbound_call("office", caller="+15550000001")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match="timeout"):
        await sim.inbound_call("office", timeout=-1)
    with pytest.raises(InvalidArgumentType, match="context"):
        await sim.inbound_call(42)  # type: ignore[arg-type]
    assert sim.calls == [] and not sim.journal.filter(direction="out", event="calling.call.receive")


async def test_inbound_call_without_a_receiver_times_out_with_a_clear_error(sim: RelaySimulator) -> None:
    defaults = inspect.signature(RelaySimulator.inbound_call).parameters
    assert defaults["timeout"].default == RECEIVER_TIMEOUT == 10.0
    assert inspect.signature(RelaySimulator.wait_for_receiver).parameters["timeout"].default == RECEIVER_TIMEOUT
    with pytest.raises(TimeoutError) as info:
        await sim.inbound_call("nobody-here", timeout=0.05)
    assert "'nobody-here'" in str(info.value) and "client.calling.receive" in str(info.value)
    with pytest.raises(TimeoutError, match="nobody-here"):
        await sim.wait_for_receiver("nobody-here", timeout=0.05)


async def test_phone_burst_and_lookups_check_their_arguments(sim: RelaySimulator, client: RawClient) -> None:
    with pytest.raises(TypeError):
        sim.phone("+15550000001", busy)  # type: ignore[misc]
    with pytest.raises(InvalidArgumentType, match="number"):
        sim.phone(busy)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentType, match="caller"):
        sim.phone("+15550000001", caller="busy")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match="answer_after"):
        sim.phone("+15550000001", answer_after=-1)
    assert sim.phone("+15550000001", caller=busy, answer_after=0).kind == "busy"
    with pytest.raises(InvalidArgumentType, match="call_id"):
        sim.call(None)  # type: ignore[arg-type]
    handle = await sim.inbound_call("office", timeout=5)  # the raw client receives "office"
    with pytest.raises(TypeError):
        await sim.burst(handle.call_id, 5)  # type: ignore[misc]
    with pytest.raises(InvalidArgument, match="count"):
        await sim.burst(handle.call_id, count=-1)
    with pytest.raises(InvalidArgument, match="state"):
        await sim.burst(handle.call_id, count=1, state="dancing")
    with pytest.raises(InvalidArgument, match="chunk"):
        await sim.burst(handle.call_id, count=1, chunk=0)
    with pytest.raises(InvalidArgumentType, match="timeout"):
        await sim.wait_for_receiver("office", timeout="5")  # type: ignore[arg-type]


async def test_faults_and_journal_are_keywords_and_checked(sim: RelaySimulator) -> None:
    with pytest.raises(TypeError):
        sim.faults.delay("calling.play", 1.0)  # type: ignore[misc]
    with pytest.raises(InvalidArgument, match="seconds"):
        sim.faults.delay("calling.play", seconds=-1)
    with pytest.raises(InvalidArgument, match="stage"):
        sim.faults.drop_at("calling.play", stage="later")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match="times"):
        sim.faults.refuse("calling.play", times=0)
    with pytest.raises(InvalidArgumentType, match="method"):
        sim.faults.hold(Caller())  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentType, match="enabled"):
        sim.faults.ignore_pings("yes")  # type: ignore[arg-type]
    assert sim.faults.rules == []
    with pytest.raises(TypeError):
        sim.journal.filter("calling.play", None, "in")  # type: ignore[misc]
    with pytest.raises(InvalidArgument, match="direction"):
        sim.journal.filter(direction="sideways")
    with pytest.raises(InvalidArgument, match="count"):
        await sim.journal.wait_for(method="calling.play", count=0)


def test_caller_scripts_are_keywords_and_checked() -> None:
    with pytest.raises(TypeError):
        Caller("machine")  # type: ignore[misc]
    with pytest.raises(TypeError):
        machine(2.0, False)  # type: ignore[misc]
    with pytest.raises(TypeError):
        human("1#", "yes")  # type: ignore[misc]
    for field, value in (("beep", "yes"), ("confidence", 2), ("fax_pages", 1.5), ("kind", "robot"), ("presses", "xyz")):
        with pytest.raises(ValueError, match=field):
            Caller(**{field: value})
    assert machine(2.0, beep=False).greeting == 2.0 and human("1#", says="yes").says == ("yes",)


@pytest.mark.parametrize(
    ("flags", "named"),
    [
        (["--time-scale", "-1"], "--time-scale"),
        (["--time-scale", "nan"], "--time-scale"),
        (["--restore-grace", "-5"], "--restore-grace"),
        (["--port", "70000"], "--port"),
        (["--inbound", "-2"], "--inbound"),
        (["--journal-limit", "0"], "--journal-limit"),
        (["--presses", "xyz"], "--presses"),
    ],
)
def test_cli_flags_are_checked_with_a_usage_message(flags: list[str], named: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(flags)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "usage: relay-sim" in err and named in err and "Traceback" not in err


def test_without_the_sim_extra_the_error_names_the_extra_to_install() -> None:
    """hypercorn and sniffio hidden, as on an install without the extra."""
    script = textwrap.dedent(
        """
        import sys
        class Hide:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in ("hypercorn", "sniffio"):
                    raise ModuleNotFoundError(f"No module named {name!r}", name=name)
                return None
        sys.meta_path.insert(0, Hide())
        from relay_anyio.testing.__main__ import main
        sys.exit(main(["--port", "0", "--time-scale", "0"]))
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stderr
    assert "pip install 'relay-anyio[sim]'" in done.stderr and "hypercorn" in done.stderr
    assert "Traceback" not in done.stderr
