"""Does relay-sim look like the Relay service to a client we did not write?

    python tools/official_flows.py          # prints one line per flow; exit 1 on a miss

Starts the simulator, runs ``tools/official_flows_client.py`` with the
official ``signalwire`` 2.1.1 SDK (in the virtual environment the benchmarks
use, ``benchmarks/.venvs/``, built on first use from PyPI), and checks each
flow against what the Call reference says its result must be. A miss is the
simulator's: it sent something the official SDK does not read as the
service's. ``tests/test_official_flows.py`` runs it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.run import official_python  # noqa: E402
from relay_anyio.testing import Caller, human, machine  # noqa: E402
from relay_sync.testing import Simulator  # noqa: E402

PEER = "+15559000001"
TIME_SCALE = 0.02  # fast, yet a paused play stays paused for the client to see

CALLERS: dict[str, Caller] = {
    "prompt_digits": Caller(presses="12#"),
    "prompt_speech": Caller(says="yes"),
    "record": Caller(says="hello"),
    "record_until_hangup": Caller(says="hello", message_seconds=600, hangs_up_after=3),
    "amd": machine(greeting=2.0),
    "detect_digit": Caller(presses="5"),
    "fax_receive": Caller(kind="fax", fax_pages=2),
    "tap_until_hangup": Caller(hangs_up_after=3),
}

#: What the reference says each flow's results are (the official SDK's view).
EXPECTED: dict[str, dict[str, Any]] = {
    "answer_play": {"answer": True, "play": True, "event": "finished"},
    "prompt_digits": {"successful": True, "result": "12", "terminator": "#", "event_payload_type": "digit"},
    "prompt_speech": {"successful": True, "result": "yes"},
    "record": {"successful": True, "has_url": True, "size": True},
    "record_until_hangup": {"successful": True, "has_url": True, "duration": True},
    "amd": {"successful": True, "result": "MACHINE"},
    "detect_digit": {"successful": True, "result": "5"},
    "fax_receive": {"successful": True, "pages": 2, "has_document": True},
    "send_digits": {"successful": True},
    "tap_and_stop": {"tapping": True, "stopped": True, "completed": True, "successful": True},
    "tap_until_hangup": {"successful": True},
    "connect": {"successful": True, "peer_known": True, "peer_to": PEER, "disconnected": True, "peer_after": True},
    "play_pause": {"paused": True, "not_ended_by_pause": True, "resumed": True},
    "hangup": {"successful": True, "reason": "hangup"},
    "dial": {"successful": True, "hangup": True},
    "messaging_send": {"successful": True, "has_id": True, "states": ["queued", "initiated", "sent", "delivered"]},
    "messaging_receive": {"body": "hello", "from": PEER, "direction": "inbound", "has_id": True},
    "task": {"status": 204, "message": {"n": 1}},
}


def run() -> dict[str, Any]:
    """The official SDK's results per flow (raises RuntimeError when it cannot run)."""
    python, why = official_python(build=True)
    if python is None:
        raise RuntimeError(f"the official SDK is not available: {why}")
    with Simulator(time_scale=TIME_SCALE) as sim:
        sim.phone(PEER, caller=human())
        callers = {name: caller.to_dict() for name, caller in CALLERS.items()}
        done = subprocess.run(
            [str(python), str(ROOT / "tools" / "official_flows_client.py"), "--url", sim.url,
             "--http", sim.http_url, "--callers", json.dumps(callers)],
            capture_output=True, text=True, timeout=120,
        )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"the official client failed ({done.returncode}): {done.stderr[-2000:]}")
    results: dict[str, Any] = json.loads(lines[-1])
    return results


def misses(results: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """flow -> (expected, got) for every flow whose results differ from the reference."""
    return {
        name: (expected, results.get(name))
        for name, expected in EXPECTED.items()
        if {key: (results.get(name) or {}).get(key) for key in expected} != expected
    }


def main() -> int:
    results = run()
    wrong = misses(results)
    for name in EXPECTED:
        verdict = "MISS" if name in wrong else "ok"
        print(f"{verdict:4}  {name:22} {json.dumps(results.get(name))}")
    print(f"{len(EXPECTED) - len(wrong)} of {len(EXPECTED)} flows behave as the reference says")
    return 1 if wrong else 0


if __name__ == "__main__":
    raise SystemExit(main())
