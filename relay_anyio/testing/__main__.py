"""``relay-sim``: run the Relay simulator as a standalone process.

    relay-sim --port 8080 --project P --token T --time-scale 1
    relay-sim --inbound 1000 --context office   # 1,000 calls once a client receives "office"
    relay-sim --message-recipient +15550001111=failed --message-reply +15550002222=YES
    relay-sim --inbound-message "Hello" --task '{"number": "+15550003333"}' --context office

Prints ``url:``, ``http:``, ``project:`` and ``token:`` lines, then serves
until Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import json
import math
import signal
import sys
from collections.abc import Callable, Sequence

import anyio

from ._callers import KINDS, Caller
from ._messaging import OUTCOMES
from .simulator import MissingExtra, RelaySimulator


def _phone(value: str) -> tuple[str, Caller]:
    number, sep, kind = value.partition("=")
    if not sep or not number or kind not in KINDS:
        raise argparse.ArgumentTypeError(
            f"--phone takes NUMBER=KIND with KIND one of {', '.join(KINDS)}; got {value!r}"
        )
    return number, Caller(kind=kind)


def _pair(option: str, value: str, allowed: tuple[str, ...] | None = None) -> tuple[str, str]:
    number, sep, what = value.partition("=")
    if not sep or not number or not what or (allowed is not None and what not in allowed):
        wanted = f"one of {', '.join(allowed)}" if allowed else "a text"
        raise argparse.ArgumentTypeError(f"{option} takes NUMBER=VALUE with VALUE {wanted}; got {value!r}")
    return number, what


def _json(value: str) -> object:
    try:
        return json.loads(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"--task takes JSON: {exc}") from None


def _at_least(minimum: float, kind: type[int] | type[float]) -> Callable[[str], float]:
    """An argparse type: a finite ``kind`` >= ``minimum`` (argparse turns the error into a usage message)."""

    def parse(value: str) -> float:
        try:
            number = kind(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {'an integer' if kind is int else 'a number'}; got {value!r}") from None
        if not math.isfinite(number) or number < minimum:
            raise argparse.ArgumentTypeError(f"must be a finite number >= {minimum:g}; got {value!r}")
        return number

    parse.__name__ = kind.__name__  # argparse names the type in some messages
    return parse


def _port(value: str) -> int:
    port = int(_at_least(0, int)(value))
    if port > 65535:
        raise argparse.ArgumentTypeError(f"must be 0..65535; got {value!r}")
    return port


def _presses(value: str) -> str:
    try:
        Caller(presses=value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="relay-sim",
        description="A local SignalWire Relay v2 (calling) service for tests and demos.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=_port, default=8080, help="port (0 = any free port; default 8080)")
    parser.add_argument("--project", default="project", help="project id clients must send")
    parser.add_argument("--token", default="token", help="token clients must send")
    parser.add_argument(
        "--time-scale",
        type=_at_least(0, float),
        default=1.0,
        help="real seconds per simulated second: 1 = real time (default), 0 = instant",
    )
    parser.add_argument(
        "--restore-grace", type=_at_least(0, float), default=60.0, help="seconds a dropped session stays restorable"
    )
    parser.add_argument("--backend", choices=("asyncio", "trio"), default="asyncio")
    parser.add_argument("--no-journal", action="store_true", help="do not record frames (benchmarks)")
    parser.add_argument("--journal-limit", type=_at_least(1, int), default=None, help="keep only the newest N frames")
    parser.add_argument("--recordings-dir", default=None, help="where to write recordings (default: a temp dir)")
    parser.add_argument(
        "--recordings-in-memory", action="store_true",
        help="keep recordings in memory instead of writing WAV files (benchmarks)",
    )
    parser.add_argument(
        "--server", choices=("hypercorn", "lean"), default="hypercorn",
        help="hypercorn (default) or lean: wsproto/h11 on anyio sockets, batched writes (benchmarks)",
    )
    parser.add_argument(
        "--inbound", type=_at_least(0, int), default=0, metavar="N",
        help="place N inbound calls at once as soon as a client receives --context",
    )
    parser.add_argument("--context", default="office", help="context of --inbound calls (default office)")
    parser.add_argument("--from-number", default="+15557654321", help="caller number of --inbound calls")
    parser.add_argument("--to-number", default="+15551234567", help="called number of --inbound calls")
    parser.add_argument("--presses", type=_presses, default="1234#", help="digits the --inbound callers press")
    parser.add_argument("--says", default="yes", help="what the --inbound callers say")
    parser.add_argument(
        "--phone", type=_phone, action="append", default=[], metavar="NUMBER=KIND",
        help="script a dialed number: human, machine, fax, busy, no_answer or decline (repeatable)",
    )
    parser.add_argument(
        "--message-recipient", type=lambda v: _pair("--message-recipient", v, OUTCOMES), action="append",
        default=[], metavar="NUMBER=OUTCOME",
        help="what messages sent to NUMBER end as: delivered, undelivered or failed (repeatable)",
    )
    parser.add_argument(
        "--message-reply", type=lambda v: _pair("--message-reply", v), action="append", default=[],
        metavar="NUMBER=TEXT", help="NUMBER answers each delivered message with TEXT (repeatable)",
    )
    parser.add_argument(
        "--inbound-message", action="append", default=[], metavar="TEXT",
        help="send an SMS with TEXT on --context (from --from-number to --to-number) once a client receives it",
    )
    parser.add_argument(
        "--task", type=_json, action="append", default=[], metavar="JSON",
        help="deliver a task with this JSON message on --context once a client receives it (repeatable)",
    )
    return parser


async def run(args: argparse.Namespace) -> None:
    sim = RelaySimulator(
        host=args.host,
        port=args.port,
        project=args.project,
        token=args.token,
        time_scale=args.time_scale,
        restore_grace=args.restore_grace,
        journal=not args.no_journal,
        journal_limit=args.journal_limit,
        recordings_dir=args.recordings_dir,
        recordings_in_memory=args.recordings_in_memory,
        server=args.server,
    )
    async with sim, anyio.create_task_group() as tg:
        for number, caller in args.phone:
            sim.phone(number, caller=caller)
        replies = dict(args.message_reply)
        for number, outcome in args.message_recipient:
            sim.message_recipient(number, outcome=outcome, reply=replies.pop(number, None))
        for number, reply in replies.items():
            sim.message_recipient(number, reply=reply)
        print(f"url: {sim.url}", flush=True)
        print(f"http: {sim.http_url}", flush=True)
        print(f"project: {sim.project}", flush=True)
        print(f"token: {sim.token}", flush=True)

        async def stop_on_signal() -> None:
            with anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
                async for _ in signals:
                    print("stopping", flush=True)
                    tg.cancel_scope.cancel()
                    return

        tg.start_soon(stop_on_signal)
        if args.inbound > 0:
            caller = Caller(presses=args.presses, says=args.says or None)

            async def place() -> None:
                await sim.wait_for_receiver(args.context, timeout=None)
                print(f"placing {args.inbound} inbound call(s) on {args.context!r}", flush=True)
                async with anyio.create_task_group() as calls:
                    for _ in range(args.inbound):
                        calls.start_soon(
                            lambda: sim.inbound_call(
                                args.context,
                                from_number=args.from_number,
                                to_number=args.to_number,
                                caller=caller,
                                timeout=None,
                            )
                        )

            tg.start_soon(place)
        if args.inbound_message or args.task:

            async def message_and_tasks() -> None:
                await sim.wait_for_receiver(args.context)
                for body in args.inbound_message:
                    await sim.inbound_message(
                        args.context, from_number=args.from_number, to_number=args.to_number, body=body
                    )
                    print(f"sent an inbound message on {args.context!r}", flush=True)
                for task in args.task:
                    delivered = sim.deliver_task(args.context, message=task)
                    print(f"task on {args.context!r} {'delivered' if delivered else 'not delivered'}", flush=True)

            tg.start_soon(message_and_tasks)
        await anyio.sleep_forever()


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        anyio.run(run, args, backend=args.backend)
    except KeyboardInterrupt:  # a second Ctrl-C while stopping
        return 130
    except MissingExtra as exc:
        print(f"relay-sim: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"relay-sim: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
