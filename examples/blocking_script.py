"""A plain blocking script: dial a number, ask for a code, read it back, hang up.

Runs as is against a local simulator. For the real service, set
SIGNALWIRE_PROJECT, SIGNALWIRE_TOKEN and SIGNALWIRE_SPACE (e.g.
example.signalwire.com), plus FROM_NUMBER and TO_NUMBER.
"""

from __future__ import annotations

import contextlib
import os
import sys

from relay_sync import Client
from relay_sync.testing import Simulator, human


def main(backend: str = "asyncio") -> int:
    with contextlib.ExitStack() as stack:
        if os.environ.get("SIGNALWIRE_PROJECT"):
            project, token = os.environ["SIGNALWIRE_PROJECT"], os.environ["SIGNALWIRE_TOKEN"]
            host = os.environ["SIGNALWIRE_SPACE"]
            from_number, to_number = os.environ["FROM_NUMBER"], os.environ["TO_NUMBER"]
        else:  # a local simulator, whose +15551230000 presses 42#
            sim = stack.enter_context(Simulator(time_scale=0))
            sim.phone("+15551230000", caller=human(presses="42#"))
            project, token, host = sim.project, sim.token, sim.url
            from_number, to_number = "+15550000000", "+15551230000"

        with Client(project, token, host, backend=backend) as client:
            dial = client.calling.dial(from_number=from_number, to_number=to_number, timeout=30)
            if not dial.successful:
                print(f"dial failed: {dial.error}")
                return 1
            call = dial.call
            print(f"answered: {call.id}")
            code = call.prompt_tts("digits", "Please enter your two digit code, then hash.",
                                   digits_max=2, digits_terminators="#")
            print(f"code: {code.result}")
            music = call.play_audio_async("https://cdn.signalwire.com/default-music/welcome.mp3")
            music.stop()  # blocks until the service accepts the stop
            print(f"music stopped: {music.wait().successful}")
            call.play_tts(text=f"You entered {code.result}. Goodbye.")
            print(f"hangup: {call.hangup().reason}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:2]))
