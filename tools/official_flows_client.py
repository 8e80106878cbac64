"""The official ``signalwire`` 2.1.1 SDK driving relay-sim through one flow per method family.

Runs in the official SDK's own virtual environment (stdlib + signalwire
only; nothing of relay_anyio), started by ``tools/official_flows.py``,
which checks what it prints. Each flow is an inbound call placed on a
context of its own through the simulator's HTTP control API, with the far
end scripted for it; the handler does what a user of the official SDK
writes and reports what that SDK saw, as one JSON object on stdout.
Besides the calls: a dial, a message sent and followed to its final state,
an inbound message, and a task POSTed to the REST endpoint (the official
``Task`` only speaks https, so the flow posts what it posts, over http).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import logging
import sys
import urllib.request
import warnings
from typing import Any

warnings.simplefilter("ignore")

FROM = "+15550000001"
PEER = "+15559000001"  # a number the runner scripted to answer


async def answer_play(call: Any) -> dict[str, Any]:
    answered = await call.answer()
    played = await call.play_tts(text="Welcome")
    return {"answer": answered.successful, "play": played.successful, "event": played.event.name}


async def prompt_digits(call: Any) -> dict[str, Any]:
    await call.answer()
    result = await call.prompt_tts("digits", "Your code?", digits_max=3, digits_terminators="#")
    return {"successful": result.successful, "result": result.result, "terminator": result.terminator,
            "event_payload_type": result.event.payload.get("type")}


async def prompt_speech(call: Any) -> dict[str, Any]:
    await call.answer()
    result = await call.prompt_tts("speech", "Say yes", speech_hints=["yes"])
    return {"successful": result.successful, "result": result.result}


async def record(call: Any) -> dict[str, Any]:
    await call.answer()
    result = await call.record(beep=True)
    return {"successful": result.successful, "has_url": bool(result.url), "size": bool(result.size)}


async def record_until_hangup(call: Any) -> dict[str, Any]:
    await call.answer()
    result = await call.record()
    return {"successful": result.successful, "has_url": bool(result.url), "duration": bool(result.duration)}


async def amd(call: Any) -> dict[str, Any]:
    await call.answer()
    result = await call.detect_answering_machine()
    return {"successful": result.successful, "result": result.result}


async def detect_digit(call: Any) -> dict[str, Any]:
    await call.answer()
    result = await call.detect_digit()
    return {"successful": result.successful, "result": result.result}


async def fax_receive(call: Any) -> dict[str, Any]:
    await call.answer()
    result = await call.fax_receive()
    return {"successful": result.successful, "pages": result.pages, "has_document": bool(result.document)}


async def send_digits(call: Any) -> dict[str, Any]:
    await call.answer()
    result = await call.send_digits("12#")
    return {"successful": result.successful}


async def tap_and_stop(call: Any) -> dict[str, Any]:
    await call.answer()
    action = await call.tap_async(audio_direction="listen", target_type="rtp", target_addr="127.0.0.1", target_port=5000)
    tapping = not action.completed
    stopped = await action.stop()
    await _until(lambda: action.completed)
    return {"tapping": tapping, "stopped": stopped.successful, "completed": action.completed,
            "successful": action.result.successful}


async def tap_until_hangup(call: Any) -> dict[str, Any]:
    await call.answer()
    result = await call.tap(audio_direction="listen", target_type="rtp", target_addr="127.0.0.1", target_port=5000)
    return {"successful": result.successful}


async def connect(call: Any) -> dict[str, Any]:
    await call.answer()
    result = await call.connect(device_list=[{"to_number": PEER}])
    peer = result.call
    out = {"successful": result.successful, "peer_known": peer is not None,
           "peer_to": getattr(peer, "to_number", None)}
    disconnected = await call.disconnect()
    out["disconnected"] = disconnected.successful
    out["peer_after"] = call.peer is None
    return out


async def play_pause(call: Any) -> dict[str, Any]:
    await call.answer()
    action = await call.play_silence_async(60)
    paused = await action.pause()
    await asyncio.sleep(0.3)  # the simulator's clock runs; a pause must not end the play
    still_playing = not action.completed
    resumed = await action.resume()
    await action.stop()
    await _until(lambda: action.completed)
    return {"paused": paused.successful, "not_ended_by_pause": still_playing, "resumed": resumed.successful}


async def hangup(call: Any) -> dict[str, Any]:
    await call.answer()
    result = await call.hangup()
    return {"successful": result.successful, "reason": result.reason}


FLOWS = {
    "answer_play": answer_play,
    "prompt_digits": prompt_digits,
    "prompt_speech": prompt_speech,
    "record": record,
    "record_until_hangup": record_until_hangup,
    "amd": amd,
    "detect_digit": detect_digit,
    "fax_receive": fax_receive,
    "send_digits": send_digits,
    "tap_and_stop": tap_and_stop,
    "tap_until_hangup": tap_until_hangup,
    "connect": connect,
    "play_pause": play_pause,
    "hangup": hangup,
}


async def _until(predicate: Any, timeout: float = 10.0) -> None:
    for _ in range(int(timeout / 0.01)):
        if predicate():
            return
        await asyncio.sleep(0.01)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--http", required=True)
    parser.add_argument("--callers", required=True, help="JSON: flow name -> caller script")
    parser.add_argument("--timeout", type=float, default=60)
    args = parser.parse_args()
    callers = json.loads(args.callers)

    asyncio.set_event_loop(asyncio.new_event_loop())
    from signalwire.relay.client import Client

    client = Client(project="project", token="token", host=args.url)
    logging.getLogger().setLevel(logging.CRITICAL)  # its Client calls basicConfig(INFO)
    results: dict[str, Any] = {}
    done = asyncio.Event()
    others = ("dial", "messaging_send", "messaging_receive", "task")

    def maybe_done() -> None:
        if len(results) == len(FLOWS) + len(others):
            done.set()

    def post(path: str, data: dict[str, Any], headers: dict[str, str] | None = None) -> int:
        request = urllib.request.Request(f"{args.http}{path}", data=json.dumps(data).encode(),
                                         headers={"content-type": "application/json", **(headers or {})})
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            return int(response.status)

    def handler(name: str) -> Any:
        async def run(call: Any) -> None:
            try:
                results[name] = await asyncio.wait_for(FLOWS[name](call), 30)
            except Exception as exc:  # report it: the runner shows it beside the expectation
                results[name] = {"error": repr(exc)}
            maybe_done()

        return run

    async def outbound() -> None:
        try:
            dialed = await client.calling.dial(from_number=FROM, to_number=PEER)
            hung = await dialed.call.hangup() if dialed.successful else None
            results["dial"] = {"successful": dialed.successful, "hangup": bool(hung and hung.successful)}
        except Exception as exc:
            results["dial"] = {"error": repr(exc)}
        maybe_done()

    async def messaging() -> None:
        states: list[str] = []
        final = asyncio.Event()

        async def on_state(message: Any) -> None:
            states.append(message.state)
            if message.state in ("delivered", "undelivered", "failed"):
                final.set()

        async def on_message(message: Any) -> None:
            results["messaging_receive"] = {"body": message.body, "from": message.from_number,
                                            "direction": message.direction, "has_id": bool(message.id)}
            maybe_done()

        try:
            await client.messaging.state_change(["sms"], on_state)
            await client.messaging.receive(["sms"], on_message)
            sent = await client.messaging.send(context="sms", from_number=FROM, to_number=PEER, body="hi")
            await asyncio.wait_for(final.wait(), 10)
            results["messaging_send"] = {"successful": sent.successful, "has_id": bool(sent.message_id), "states": states}
            post("/control/messages", {"context": "sms", "from_number": PEER, "to_number": FROM, "body": "hello"})
        except Exception as exc:
            results["messaging_send"] = {"error": repr(exc)}
        maybe_done()

    async def task() -> None:
        got: dict[str, Any] = {}

        async def on_task(message: Any) -> None:
            got["message"] = message
            results["task"] = got
            maybe_done()

        try:
            await client.tasking.receive(["jobs"], on_task)
            auth = base64.b64encode(b"project:token").decode()
            got["status"] = post("/api/relay/rest/tasks", {"context": "jobs", "message": {"n": 1}},
                                 {"authorization": f"Basic {auth}"})
        except Exception as exc:
            results["task"] = {"error": repr(exc)}
            maybe_done()

    async def ready(client: Any) -> None:
        for name in FLOWS:
            await client.calling.receive([name], handler(name))
        for name in FLOWS:
            body = json.dumps({"context": name, "caller": callers.get(name, {}), "wait": False}).encode()
            request = urllib.request.Request(f"{args.http}/control/inbound", data=body,
                                             headers={"content-type": "application/json"})
            with urllib.request.urlopen(request, timeout=30) as response:
                response.read()
        asyncio.ensure_future(outbound())
        asyncio.ensure_future(messaging())
        asyncio.ensure_future(task())
        try:
            await asyncio.wait_for(done.wait(), args.timeout)
        except TimeoutError:
            pass
        print(json.dumps(results), flush=True)
        await client.disconnect()

    client.on("ready", ready)
    try:
        client.connect()
    except (RuntimeError, asyncio.CancelledError):
        pass  # disconnect() stops the loop under run_until_complete
    return 0


if __name__ == "__main__":
    sys.exit(main())
