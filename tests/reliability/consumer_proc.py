"""One consumer process of the scale-out test.

    python consumer_proc.py URL PROJECT TOKEN CONTEXT BACKEND NAME

Prints ``ready <name> <sessionid>`` once receiving, then ``handled <name>
<call_id>`` for every inbound call it answered, played to and hung up.
"""

from __future__ import annotations

import sys

from relay_anyio import Call, Consumer


def main() -> None:
    url, project, token, context, backend, name = sys.argv[1:7]

    class Worker(Consumer):
        contexts = [context]
        client_options = {"reconnect_base": 0.05, "reconnect_cap": 0.5, "timeout": 10}

        async def ready(self) -> None:
            assert self.client is not None
            print(f"ready {name} {self.client.session.sessionid}", flush=True)

        async def on_incoming_call(self, call: Call) -> None:
            if not (await call.answer()).successful:
                return
            await call.play_tts(text=f"served by {name}")
            await call.hangup()
            print(f"handled {name} {call.id}", flush=True)

    Worker(project=project, token=token, host=url).run(backend=backend)


if __name__ == "__main__":
    main()
