"""The relay-anyio demo: an IVR, an SMS confirmation and a task-driven call, against the embedded Relay simulator.

    python -m relay_anyio.demo                 # asyncio, real-time-like pace
    python -m relay_anyio.demo --backend trio --time-scale 0

No account and no network: the simulator runs in this process on
127.0.0.1 and plays the caller's part. Each step is printed as it happens:
an inbound call goes through an IVR, the caller gets an SMS confirmation,
then a backend delivers a task over REST that makes the client dial out.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

import anyio

from . import Call, Client, Task

INBOUND_FROM = "+15550001111"
OFFICE_NUMBER = "+15550002222"
VOICEMAIL_NUMBER = "+15550003333"


class Printer:
    def __init__(self) -> None:
        self.start = time.monotonic()

    def __call__(self, who: str, text: str) -> None:
        print(f"[{time.monotonic() - self.start:6.2f}s] {who:<9} {text}", flush=True)


async def inbound_ivr(call: Call, say: Printer) -> None:
    """Answer, greet, ask for a PIN, record a message, hang up."""
    say("ivr", f"incoming call from {call.from_number} on context {call.context!r}")
    await call.answer()
    say("ivr", "answered")
    await call.play_tts(text="Welcome to the relay-anyio demo.")
    say("ivr", "played the greeting")
    pin = await call.prompt_tts(
        prompt_type="digits", text="Please enter your 4 digit PIN, then press pound.",
        digits_max=4, digits_terminators="#",
    )
    say("ivr", f"PIN prompt -> successful={pin.successful} digits={pin.result!r} terminator={pin.terminator!r}")
    await call.play_tts(text="Leave a message after the beep.")
    message = await call.record(beep=True, record_format="wav", end_silence_timeout=1.0)
    say("ivr", f"recorded {message.duration} s, {message.size} bytes at {message.url}")
    hangup = await call.hangup()
    say("ivr", f"hung up (reason={hangup.reason})")


async def sms_confirmation(client: Client, to_number: str, say: Printer) -> None:
    """Text the caller that the message was taken, and follow it to its final state."""
    sent = await client.messaging.send(
        context="office", from_number=OFFICE_NUMBER, to_number=to_number,
        body="Thanks for your message: we will call you back.",
    )
    say("sms", f"confirmation to {to_number} -> successful={sent.successful}")
    delivery = await sent.wait_for_delivery(timeout=30)
    say("sms", f"confirmation {delivery.state}")


async def outbound_dialer(client: Client, say: Printer, number: str) -> None:
    """Dial, detect an answering machine, leave a message after the beep, hang up."""
    say("dialer", f"dialing {number}")
    dial = await client.calling.dial(from_number=OFFICE_NUMBER, to_number=number)
    say("dialer", f"dial -> successful={dial.successful}")
    if not dial.successful or dial.call is None:
        return
    call = dial.call
    amd = await call.detect_answering_machine(wait_for_beep=True)
    say("dialer", f"answering machine detection -> {amd.result} (ready for the message: {amd.event and amd.event.name})")
    played = await call.play_tts(text="Hello, this is a reminder from the relay-anyio demo.")
    say("dialer", f"left a message (successful={played.successful})")
    hangup = await call.hangup()
    say("dialer", f"hung up (reason={hangup.reason})")


async def main(time_scale: float = 0.3) -> None:
    from .testing import Caller, RelaySimulator, machine

    say = Printer()
    async with RelaySimulator(time_scale=time_scale) as sim:
        say("simulator", f"listening on {sim.url} (time scale {time_scale:g})")
        sim.phone(VOICEMAIL_NUMBER, caller=machine(greeting=2.0, beep=True))
        async with Client(project=sim.project, token=sim.token, host=sim.url) as client:
            say("client", f"connected, session {client.session.sessionid}")
            ivr_done = anyio.Event()

            async def on_call(call: Call) -> None:
                try:
                    await inbound_ivr(call, say)
                finally:
                    ivr_done.set()

            await client.calling.receive(["office"], on_call)
            say("client", "receiving calls on context 'office'")

            say("caller", f"{INBOUND_FROM} calls the office: will press 1234# and leave a message")
            handle = await sim.inbound_call(
                context="office", from_number=INBOUND_FROM, to_number=OFFICE_NUMBER,
                caller=Caller(presses="1234#", says="Hi, please call me back."),
            )
            await handle.ended()
            await ivr_done.wait()
            heard = ", ".join(m.type for m in handle.heard)
            say("caller", f"call over ({handle.end_reason}); the caller heard: {heard}")
            await sms_confirmation(client, INBOUND_FROM, say)

            dialer_done = anyio.Event()

            async def on_task(message: dict[str, str]) -> None:
                say("tasks", f"task received: {message}")
                try:
                    await outbound_dialer(client, say, message["call"])
                finally:
                    dialer_done.set()

            await client.tasking.receive(["office"], on_task)
            delivered = await Task(sim.project, sim.token, host=sim.url).deliver("office", {"call": VOICEMAIL_NUMBER})
            say("backend", f"task 'call {VOICEMAIL_NUMBER}' delivered over REST: {delivered}")
            await dialer_done.wait()
    say("demo", "done")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="relay-demo", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--backend", choices=["asyncio", "trio"], default="asyncio")
    parser.add_argument("--time-scale", type=float, default=0.3,
                        help="simulated seconds -> real seconds (0 = instant, 1 = real time)")
    return parser.parse_args(argv)


def main_cli(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        anyio.run(main, args.time_scale, backend=args.backend)
    except KeyboardInterrupt:
        return 130
    return 0


def main_entry() -> None:  # console script
    sys.exit(main_cli())


if __name__ == "__main__":
    main_entry()
