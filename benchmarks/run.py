"""The benchmark runner: ``python -m benchmarks`` (or ``python benchmarks/run.py``).

For every measurement it starts the Relay simulator in a process of its own
(``relay-sim --time-scale 0 --no-journal --server lean
--recordings-in-memory``), then the client in another process, and collects
the client's JSON result line. Prints Markdown tables and writes them to
``benchmarks/results.md``.

Modes: default (full table, under 10 minutes on 2 cores), ``--quick``
(under 2 minutes), ``--smoke`` (tiny N, for the test suite). The official
``signalwire`` SDK runs in its own virtual environment under
``benchmarks/.venvs/`` (built on first use; ``--no-official`` skips it).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(ROOT))

from benchmarks._measure import RESULT_PREFIX  # noqa: E402

OFFICIAL_VERSION = "2.1.1"
GC_TUNED = 50_000
BIG_N = 50_000  # full mode: one relay_anyio (asyncio) IVR run of this many calls at once  # what Consumer.run() sets (its gc_threshold default)
TUNED = f"relay_anyio (asyncio, gc_threshold={GC_TUNED:,})"
# The floor with the flow as one asyncio task per call, one future per step (clients.py --impl floor-tasks).
FLOOR_TASKS = "floor, a task per call (asyncio)"
# The events floor acknowledging nothing, as the official SDK (clients.py --no-ack): the least per event here.
FLOOR_NO_ACK = "floor, no acknowledgements (asyncio)"
OFFICIAL_PINS = [f"signalwire=={OFFICIAL_VERSION}", "aiohttp==3.9.5", "twilio==6.54.0"]
VENV_DIR = HERE / ".venvs" / f"signalwire-{OFFICIAL_VERSION}"


@dataclass
class Plan:
    ivr_sizes: list[int]
    floor_sizes: list[int]
    official_ivr_sizes: list[int]
    sync_ivr_sizes: list[int]
    dialer_sizes: list[int]
    message_sizes: list[int]
    events: int
    sync_events: int
    overhead_samples: int
    timeout: float
    stall: float
    big_ivr: bool = False  # one relay_anyio (asyncio) IVR run of BIG_N calls
    # Short runs are the noisiest on a shared machine: these are the median of REPEATS runs.
    repeat_ivr_upto: int = 100  # IVR rows with N up to this
    repeat_events: bool = False  # the events rows


PLANS = {
    "full": Plan(
        ivr_sizes=[100, 1000, 5000, 20000],
        floor_sizes=[100, 1000, 5000, 20000],
        official_ivr_sizes=[100, 1000, 5000, 20000],
        sync_ivr_sizes=[100, 1000],
        dialer_sizes=[1000, 5000],
        message_sizes=[1000, 10000],
        events=100_000,
        sync_events=100_000,
        overhead_samples=2000,
        timeout=180.0,
        stall=25.0,
        big_ivr=True,
        repeat_ivr_upto=1000,
        repeat_events=True,
    ),
    "quick": Plan(
        ivr_sizes=[100, 1000],
        floor_sizes=[100, 1000],
        official_ivr_sizes=[100, 1000],
        sync_ivr_sizes=[100],
        dialer_sizes=[500],
        message_sizes=[1000],
        events=20_000,
        sync_events=5_000,
        overhead_samples=500,
        timeout=60.0,
        stall=15.0,
    ),
    "smoke": Plan(
        ivr_sizes=[20],
        floor_sizes=[20],
        official_ivr_sizes=[20],
        sync_ivr_sizes=[20],
        dialer_sizes=[20],
        message_sizes=[20],
        events=500,
        sync_events=200,
        overhead_samples=40,
        timeout=30.0,
        stall=10.0,
        repeat_ivr_upto=0,
    ),
}


@dataclass
class Run:
    scenario: str
    label: str
    n: int
    result: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    sim_total_cpu: float | None = None


# -- processes ---------------------------------------------------------------------


class Simulator:
    """``relay-sim`` in a process of its own, on a free port."""

    def __init__(self, time_scale: float = 0.0) -> None:
        cmd = [
            sys.executable, "-m", "relay_anyio.testing",
            "--port", "0", "--time-scale", str(time_scale), "--no-journal",
            "--server", "lean", "--recordings-in-memory",
        ]
        self.proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=_env()
        )
        lines: queue.Queue[str] = queue.Queue()

        def pump() -> None:
            assert self.proc.stdout is not None
            for line in self.proc.stdout:
                lines.put(line)

        threading.Thread(target=pump, daemon=True).start()
        info: dict[str, str] = {}
        deadline = time.monotonic() + 30
        while len(info) < 2:
            try:
                line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                self.stop()
                raise RuntimeError("the simulator did not start within 30 s") from None
            key, _, value = line.partition(": ")
            if key in ("url", "http"):
                info[key] = value.strip()
        self.url, self.http = info["url"], info["http"]
        self.pid = self.proc.pid

    def stop(self) -> float | None:
        """Stop it; returns its total CPU seconds (user + sys)."""
        proc = self.proc
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            except ChildProcessError:
                return None
            if pid:
                proc.returncode = os.waitstatus_to_exitcode(status)
                return usage.ru_utime + usage.ru_stime
            time.sleep(0.05)
        proc.kill()
        proc.wait()
        return None


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.pop("LOG_LEVEL", None)
    return env


def run_client(cmd: list[str], timeout: float) -> dict[str, Any]:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=_env())
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"client killed after {timeout:.0f} s") from None
    for line in done.stdout.splitlines():
        if line.startswith(RESULT_PREFIX):
            return json.loads(line[len(RESULT_PREFIX):])
    tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
    raise RuntimeError(f"client exited {done.returncode} without a result: {' | '.join(tail)}")


# A run of N=100 calls lasts about 0.1 s, so one scheduler hiccup on a shared
# machine moves its CPU per call by a third: those rows are the median of three.
REPEATS = 3


def repeated(scenario: str, n: int, plan: Plan) -> bool:
    """Whether this row is the median of REPEATS runs (see Plan)."""
    if scenario == "ivr":
        return n <= plan.repeat_ivr_upto
    return scenario == "events" and plan.repeat_events


def measure(scenario: str, label: str, n: int, client_cmd: list[str], plan: Plan, inbound: int) -> Run:
    if not repeated(scenario, n, plan):
        return measure_once(scenario, label, n, client_cmd, plan, inbound)
    runs = [measure_once(scenario, label, n, client_cmd, plan, inbound) for _ in range(REPEATS)]
    good = sorted((r for r in runs if not r.error and r.result.get("cpu_per_unit_ms") is not None),
                  key=lambda r: r.result["cpu_per_unit_ms"])
    return good[len(good) // 2] if good else runs[-1]


def measure_once(scenario: str, label: str, n: int, client_cmd: list[str], plan: Plan, inbound: int) -> Run:
    run = Run(scenario, label, n)
    print(f"  {scenario:8} {label:24} N={n:<7}", end="", flush=True)
    started = time.monotonic()
    try:
        sim = Simulator()
    except Exception as exc:  # noqa: BLE001 - reported in the table
        run.error = str(exc)
        print(f" failed: {exc}")
        return run
    try:
        cmd = client_cmd + ["--url", sim.url, "--http", sim.http, "--sim-pid", str(sim.pid),
                            "--timeout", str(plan.timeout), "--stall", str(plan.stall)]
        run.result = run_client(cmd, plan.timeout + 60)
    except Exception as exc:  # noqa: BLE001
        run.error = str(exc)
    finally:
        run.sim_total_cpu = sim.stop()
    r = run.result
    if run.error:
        print(f" failed: {run.error}")
    else:
        cpu = r.get("cpu_per_unit_ms")
        print(f" {r.get('outcome')}: {r.get('units')} done, {r.get('errors')} errors, "
              f"{cpu if cpu is None else round(cpu, 3)} ms CPU/unit  ({time.monotonic() - started:.1f} s)")
    return run


# -- the official SDK's virtual environment ----------------------------------------------


def official_python(build: bool) -> tuple[Path | None, str]:
    """The venv's python, building the venv if asked; (None, why) if unusable."""
    python = VENV_DIR / "bin" / "python"
    marker = VENV_DIR / ".ready"
    if python.exists() and marker.exists():
        return python, "ready"
    if not build:
        return None, f"no venv at {VENV_DIR.relative_to(ROOT)} (built by a full or --quick run)"
    print(f"building {VENV_DIR.relative_to(ROOT)} with {' '.join(OFFICIAL_PINS)} ...", flush=True)
    shutil.rmtree(VENV_DIR, ignore_errors=True)
    try:
        subprocess.run([sys.executable, "-m", "venv", str(VENV_DIR)], check=True, capture_output=True, timeout=120)
        done = subprocess.run(
            [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q", *OFFICIAL_PINS],
            capture_output=True, text=True, timeout=600,
        )
    except (subprocess.SubprocessError, OSError) as exc:
        return None, f"could not build the venv: {exc}"
    if done.returncode != 0:
        last = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["?"]
        return None, f"pip could not install {OFFICIAL_PINS[0]} (offline?): {last[0]}"
    marker.write_text(" ".join(OFFICIAL_PINS) + "\n")
    return python, "built"


# -- the plan ---------------------------------------------------------------------------


def collect(plan: Plan, official: Path | None, only: set[str] | None) -> list[Run]:
    me = [sys.executable, "-m", "benchmarks.clients"]
    off = [str(official), str(HERE / "official_client.py")] if official else None
    runs: list[Run] = []

    def want(s: str) -> bool:
        return only is None or s in only

    if want("ivr"):
        print("IVR: N inbound calls at once; answer, play_tts, prompt_tts, record, hangup")
        for n in plan.ivr_sizes:
            for backend in ("asyncio", "trio"):
                runs.append(measure("ivr", f"relay_anyio ({backend})", n,
                                    me + ["--impl", "anyio", "--backend", backend, "--scenario", "ivr", "--n", str(n)], plan, n))
            runs.append(measure("ivr", TUNED, n, me + ["--impl", "anyio", "--scenario", "ivr", "--n", str(n),
                                                       "--gc-threshold", str(GC_TUNED)], plan, n))
            if n in plan.floor_sizes:
                for backend in ("asyncio", "trio"):
                    runs.append(measure("ivr", f"floor ({backend})", n,
                                        me + ["--impl", "floor", "--backend", backend, "--scenario", "ivr", "--n", str(n)], plan, n))
                runs.append(measure("ivr", FLOOR_TASKS, n,
                                    me + ["--impl", "floor-tasks", "--scenario", "ivr", "--n", str(n)], plan, n))
            if off and n in plan.official_ivr_sizes:
                runs.append(measure("ivr", f"signalwire {OFFICIAL_VERSION}", n, off + ["--scenario", "ivr", "--n", str(n)], plan, n))
            if n in plan.sync_ivr_sizes:
                runs.append(measure("ivr", "relay_sync (asyncio)", n,
                                    me + ["--impl", "sync", "--scenario", "ivr", "--n", str(n)], plan, n))
        if plan.big_ivr:
            runs.append(measure("ivr", "relay_anyio (asyncio)", BIG_N,
                                me + ["--impl", "anyio", "--scenario", "ivr", "--n", str(BIG_N)], plan, BIG_N))
    outbound = (
        ("dialer", plan.dialer_sizes, "Dialer: N outbound calls at once; dial, detect_answering_machine, play_tts, hangup"),
        ("messaging", plan.message_sizes, "Messaging: N messages sent at once; messaging.send, then its states to delivered"),
    )
    for scenario, sizes, title in outbound:
        if not want(scenario):
            continue
        print(title)
        for n in sizes:
            for backend in ("asyncio", "trio"):
                runs.append(measure(scenario, f"relay_anyio ({backend})", n,
                                    me + ["--impl", "anyio", "--backend", backend, "--scenario", scenario, "--n", str(n)], plan, 0))
            if off:
                runs.append(measure(scenario, f"signalwire {OFFICIAL_VERSION}", n, off + ["--scenario", scenario, "--n", str(n)], plan, 0))
    if want("events"):
        print("Events: one call, a burst of calling.call.play events to an on() handler")
        for backend in ("asyncio", "trio"):
            runs.append(measure("events", f"relay_anyio ({backend})", plan.events,
                                me + ["--impl", "anyio", "--backend", backend, "--scenario", "events", "--n", str(plan.events)], plan, 1))
        if off:
            runs.append(measure("events", f"signalwire {OFFICIAL_VERSION}", plan.events,
                                off + ["--scenario", "events", "--n", str(plan.events)], plan, 1))
        runs.append(measure("events", "relay_sync (asyncio)", plan.sync_events,
                            me + ["--impl", "sync", "--scenario", "events", "--n", str(plan.sync_events)], plan, 1))
        for backend in ("asyncio", "trio"):
            runs.append(measure("events", f"floor ({backend})", plan.events,
                                me + ["--impl", "floor", "--backend", backend, "--scenario", "events", "--n", str(plan.events)], plan, 1))
        runs.append(measure("events", FLOOR_NO_ACK, plan.events,
                            me + ["--impl", "floor", "--scenario", "events", "--no-ack", "--n", str(plan.events)], plan, 1))
    if want("overhead"):
        print("Blocking overhead: call.play_tts through relay_sync vs awaited in its loop")
        runs.append(measure("overhead", "relay_sync (asyncio)", plan.overhead_samples,
                            me + ["--impl", "sync", "--scenario", "overhead", "--n", str(plan.overhead_samples)], plan, 1))
    return runs


# -- report ----------------------------------------------------------------------------------


def _f(value: Any, digits: int = 2) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def machine() -> str:
    model = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (f"{os.cpu_count()} cores, {model}; Python {platform.python_version()} "
            f"({platform.python_implementation()}), {platform.system()} {platform.release()}")


def find(runs: list[Run], scenario: str, label: str, n: int | None = None) -> dict[str, Any] | None:
    for run in runs:
        if run.scenario == scenario and run.label == label and (n is None or run.n == n) and not run.error:
            return run.result
    return None


def _ok(r: dict[str, Any]) -> bool:
    return r.get("outcome") == "ok" and r.get("errors") == 0


def call_table(runs: list[Run], scenario: str, unit: str = "call") -> list[str]:
    rows = [
        f"| client | N | completed / errors | wall s | {unit}s/s | client CPU ms/{unit} | peak RSS MB | RSS KB/{unit} | connections | simulator busy | outcome |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for run in runs:
        if run.scenario != scenario:
            continue
        r = run.result
        if run.error:
            rows.append(f"| {run.label} | {run.n:,} | – | – | – | – | – | – | – | – | failed: {run.error} |")
            continue
        per_call = None
        if r.get("rss_before_mb") is not None and run.n:
            per_call = max(0.0, (r["peak_rss_mb"] - r["rss_before_mb"]) * 1024 / run.n)
        busy = r.get("sim_busy")
        busy_s = "–" if busy is None else f"{busy * 100:.0f} %"
        outcome = r.get("outcome", "?")
        if r.get("notes"):
            outcome += "; " + "; ".join(str(x) for x in r["notes"][:2])
        rows.append(
            f"| {run.label} | {run.n:,} | {r.get('units', 0):,} / {r.get('errors', 0):,} | {_f(r.get('wall_s'))} "
            f"| {_f(r.get('rate_per_s'), 0)} | {_f(r.get('cpu_per_unit_ms'), 3)} | {_f(r.get('peak_rss_mb'), 0)} "
            f"| {_f(per_call, 1)} | {_f(r.get('connections'))} | {busy_s} | {outcome} |"
        )
    return rows


def events_table(runs: list[Run]) -> list[str]:
    rows = [
        "| client | events | received | wall s | events/s | client CPU us/event | peak RSS MB | simulator busy | outcome |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for run in runs:
        if run.scenario != "events":
            continue
        r = run.result
        if run.error:
            rows.append(f"| {run.label} | {run.n:,} | – | – | – | – | – | – | failed: {run.error} |")
            continue
        busy = r.get("sim_busy")
        cpu = r.get("cpu_per_unit_ms")
        rows.append(
            f"| {run.label} | {run.n:,} | {r.get('units', 0):,} | {_f(r.get('wall_s'))} | {_f(r.get('rate_per_s'), 0)} "
            f"| {_f(cpu * 1000 if cpu is not None else None, 1)} | {_f(r.get('peak_rss_mb'), 0)} "
            f"| {'–' if busy is None else f'{busy * 100:.0f} %'} | {r.get('outcome')} |"
        )
    return rows


def targets(runs: list[Run], plan: Plan) -> list[str]:
    rows = ["| target | measured | verdict |", "|---|---|---|"]

    def cpu(label: str, n: int) -> float | None:
        r = find(runs, "ivr", label, n)
        return r.get("cpu_per_unit_ms") if r and r.get("units") else None

    def verdict(ok: bool | None) -> str:
        return "n/a" if ok is None else ("**met**" if ok else "**missed**")

    official = f"signalwire {OFFICIAL_VERSION}"
    for n, limit in ((1000, 0.5), (5000, 0.2)):
        for label in ("relay_anyio (asyncio)", TUNED):
            ours, theirs = cpu(label, n), cpu(official, n)
            r_off = find(runs, "ivr", official, n)
            name = "" if label == "relay_anyio (asyncio)" else f", {label}"
            if ours is not None and theirs is not None:
                ratio = ours / theirs
                extra = "" if r_off is None or _ok(r_off) else f" (official: {r_off.get('outcome')}, {r_off.get('units')}/{n} calls done)"
                rows.append(f"| IVR N={n:,}: CPU/call ≤ {limit:g} × official{name} | {ours:.3f} / {theirs:.3f} ms = {ratio:.2f} ×{extra} | {verdict(ratio <= limit)} |")
            elif not name:
                rows.append(f"| IVR N={n:,}: CPU/call ≤ {limit:g} × official | not measured in this run | n/a |")
    small, big = min(plan.ivr_sizes), max(plan.ivr_sizes)
    for label in ("relay_anyio (asyncio)", "relay_anyio (trio)", TUNED):
        a, b = cpu(label, small), cpu(label, big)
        if a and b and big > small:
            rows.append(f"| linear: CPU/call at N={big:,} ≤ 1.3 × N={small:,} ({label.removeprefix('relay_anyio (').rstrip(')')}) | {b:.3f} / {a:.3f} ms = {b / a:.2f} × | {verdict(b / a <= 1.3)} |")
    r = find(runs, "ivr", "relay_anyio (asyncio)", big)
    if r:
        conns = r.get("connections")
        good = _ok(r) and conns == 1
        rss = r.get("peak_rss_mb")
        per = (rss - r["rss_before_mb"]) * 1024 / big if rss and r.get("rss_before_mb") is not None else None
        rows.append(f"| {big:,} concurrent calls on one connection, zero errors, no reconnect | {r.get('units'):,} done, "
                    f"{r.get('errors')} errors, connections = {conns}; peak RSS {_f(rss, 0)} MB, {_f(per, 1)} KB per live call | {verdict(good)} |")
    for label, backend in (("relay_anyio (asyncio)", "asyncio"), ("relay_anyio (trio)", "trio"), (TUNED, "asyncio")):
        ratios = []
        for n in plan.ivr_sizes:
            ours, floor = cpu(label, n), cpu(f"floor ({backend})", n)
            if ours and floor:
                ratios.append((n, ours / floor))
        if ratios:
            worst = max(x for _, x in ratios)
            text = ", ".join(f"N={n:,}: {x:.2f} ×" for n, x in ratios)
            which = label.removeprefix("relay_anyio (").rstrip(")")
            judged = label != "relay_anyio (trio)"
            rows.append(f"| CPU/call ≤ 1.5 × floor ({which}{'' if judged else ', reported'}) | {text} | {verdict(worst <= 1.5) if judged else f'worst {worst:.2f} ×'} |")
    ratios = [(n, ours / base) for n in plan.ivr_sizes
              if (ours := cpu("relay_anyio (asyncio)", n)) and (base := cpu(FLOOR_TASKS, n))]
    if ratios:
        text = ", ".join(f"N={n:,}: {x:.2f} ×" for n, x in ratios)
        rows.append(f"| CPU/call vs the floor with a task per call (asyncio, reported) | {text} | worst {max(x for _, x in ratios):.2f} × |")
    for n in plan.sync_ivr_sizes:
        ours, theirs = cpu("relay_sync (asyncio)", n), cpu(official, n)
        if ours is not None and theirs is not None and n >= 1000:
            rows.append(f"| relay_sync IVR N={n:,}: CPU/call ≤ official | {ours:.3f} / {theirs:.3f} ms = {ours / theirs:.2f} × | {verdict(ours <= theirs)} |")
    r = find(runs, "overhead", "relay_sync (asyncio)")
    if r and r.get("overhead_us") is not None:
        hop = f"; thread hand-off floor {r['hop_median_us']:.0f} us" if r.get("hop_median_us") is not None else ""
        rows.append(f"| blocking method overhead over its async twin ≤ 100 us (median, `call.play_tts`) | {r['sync_median_us']:.0f} − {r['async_median_us']:.0f} = "
                    f"{r['overhead_us']:.0f} us over {r['samples']:,} samples each{hop} | {verdict(r['overhead_us'] <= 100)} |")

    def per_event(label: str) -> float | None:
        e = find(runs, "events", label)
        return e["cpu_per_unit_ms"] * 1000 if e and e.get("units") and e.get("cpu_per_unit_ms") else None

    theirs_ev, floor_ev, bare_ev = per_event(official), per_event("floor (asyncio)"), per_event(FLOOR_NO_ACK)
    for label, limit in (("relay_anyio (asyncio)", 0.5), ("relay_anyio (trio)", 0.5), ("relay_sync (asyncio)", 0.75)):
        ours_ev = per_event(label)
        if ours_ev is not None and theirs_ev is not None:
            floor_note = f"; wire floor {floor_ev:.1f} us = {floor_ev / theirs_ev:.2f} × official" if floor_ev else ""
            if bare_ev:
                floor_note += f"; without acknowledgements {bare_ev:.1f} us = {bare_ev / theirs_ev:.2f} ×"
            rows.append(f"| events: CPU/event ≤ {limit:g} × official ({label}) | {ours_ev:.1f} / {theirs_ev:.1f} us = {ours_ev / theirs_ev:.2f} ×{floor_note} "
                        f"| {verdict(ours_ev <= limit * theirs_ev)} |")
    for n in plan.ivr_sizes:
        r = find(runs, "ivr", "relay_anyio (asyncio)", n)
        if r and n >= 5000 and r.get("peak_rss_mb") and r.get("rss_before_mb") is not None:
            per = (r["peak_rss_mb"] - r["rss_before_mb"]) * 1024 / n
            rows.append(f"| RSS per live call ≤ 8 KB (asyncio, N={n:,}) | {per:.1f} KB | {verdict(per <= 8)} |")
    r = find(runs, "ivr", "relay_anyio (asyncio)", BIG_N)
    if r:
        rows.append(f"| {BIG_N:,} concurrent calls on one connection, zero errors | {r.get('units', 0):,} done, {r.get('errors')} errors, "
                    f"connections = {r.get('connections')}, simulator busy {_f((r.get('sim_busy') or 0) * 100, 0)} % | {verdict(_ok(r) and r.get('errors') == 0)} |")
    return rows


def _repeated_note(plan: Plan) -> str:
    rows = []
    if plan.repeat_ivr_upto:
        rows.append(f"IVR rows with N ≤ {plan.repeat_ivr_upto:,}")
    if plan.repeat_events:
        rows.append("events rows")
    if not rows:
        return "Every row is one run."
    return f"{' and '.join(rows)}: the median of {REPEATS} runs (short runs are the noisiest); other rows: one run."


def report(runs: list[Run], plan: Plan, mode: str, command: str, official_note: str, elapsed: float) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Command: `{command}` ({mode} mode, {elapsed:.0f} s)  ",
        f"Machine: {machine()}  ",
        f"Date: {time.strftime('%Y-%m-%d %H:%M:%S %Z')}  ",
        "Simulator: `relay-sim --time-scale 0 --no-journal --server lean --recordings-in-memory`, one process per run; "
        "each client in a process of its own. CPU = user + sys of the client process (`getrusage`), from the first "
        "inbound call (IVR), the first dial (dialer) or the burst request (events) to the last completion. "
        "\"simulator busy\" = the simulator's CPU over the same window / wall time (100 % = one core saturated). "
        f"{_repeated_note(plan)}  ",
        f"Official SDK: {official_note}",
        "",
        "## Targets",
        "",
        *targets(runs, plan),
        "",
        "## IVR (N inbound calls delivered at once to one connection)",
        "",
        *call_table(runs, "ivr"),
        "",
        "## Dialer (N outbound calls at once)",
        "",
        *call_table(runs, "dialer"),
        "",
        "## Messaging (N messages sent at once, each followed to `delivered`)",
        "",
        *call_table(runs, "messaging", unit="message"),
        "",
        "## Events (one call, a burst of `calling.call.play` events to an `on()` handler)",
        "",
        *events_table(runs),
        "",
    ]
    r = find(runs, "overhead", "relay_sync (asyncio)")
    if r and r.get("overhead_us") is not None:
        lines += [
            "## Blocking facade",
            "",
            "| measurement | median |",
            "|---|---:|",
            f"| `call.play_tts(text=\"a\")` through relay_sync (worker thread → portal → back) | {r['sync_median_us']:.0f} us |",
            f"| `await call.play_tts(text=\"a\")` in the same client's event loop | {r['async_median_us']:.0f} us |",
            f"| overhead of the blocking method | **{r['overhead_us']:.0f} us** ({r['samples']:,} samples each, interleaved) |",
        ]
        if r.get("hop_median_us") is not None:
            lines.append(
                f"| floor: a callback handed to the portal's loop and waited for, no SDK (two thread wake-ups) | {r['hop_median_us']:.0f} us |"
            )
        lines += [""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="smaller N: under 2 minutes")
    mode.add_argument("--smoke", action="store_true", help="tiny N, for the test suite (official SDK only if its venv exists)")
    parser.add_argument("--no-official", action="store_true", help="skip the official signalwire SDK")
    parser.add_argument("--only", action="append", choices=("ivr", "dialer", "messaging", "events", "overhead"),
                        help="run only these scenarios (repeatable)")
    parser.add_argument("--output", default=str(HERE / "results.md"), help="where to write the Markdown (default benchmarks/results.md)")
    args = parser.parse_args(argv)
    mode_name = "smoke" if args.smoke else "quick" if args.quick else "full"
    plan = PLANS[mode_name]
    started = time.monotonic()
    print(f"relay-anyio benchmarks, {mode_name} mode; {machine()}", flush=True)
    official: Path | None = None
    if args.no_official:
        note = "skipped (--no-official)."
    else:
        official, why = official_python(build=not args.smoke)
        if official is None:
            note = f"**skipped**: {why}."
            print(f"official signalwire SDK skipped: {why}", flush=True)
        else:
            note = f"`signalwire=={OFFICIAL_VERSION}` (aiohttp 3.9.5) from PyPI in `{VENV_DIR.relative_to(ROOT)}`, same simulator, same flows."
    runs = collect(plan, official, set(args.only) if args.only else None)
    command = "python -m benchmarks" + {"full": "", "quick": " --quick", "smoke": " --smoke"}[mode_name]
    if args.no_official:
        command += " --no-official"
    for only in args.only or []:
        command += f" --only {only}"
    text = report(runs, plan, mode_name, command, note, time.monotonic() - started)
    print()
    print(text)
    Path(args.output).write_text(text + "\n")
    print(f"written to {args.output}")
    failed = [r for r in runs if r.error]
    return 1 if failed and len(failed) == len(runs) else 0


if __name__ == "__main__":
    sys.exit(main())
