"""The HTTP control API: drive a running simulator from another process.

JSON in, JSON out, on the simulator's own port. Errors answer
``{"error": "..."}`` with a 4xx status; nothing a client sends can stop
the server. See README.md ("HTTP control API") for every endpoint.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

import anyio

from ..errors import InvalidArgument, InvalidArgumentType
from ..protocol import new_id
from ..wire import PLAY_STATES
from . import _control_messaging
from ._callers import DEFAULT_INBOUND_CALLER, Caller
from ._faults import STAGES
from .simulator import RECEIVER_TIMEOUT

if TYPE_CHECKING:
    from .simulator import RelaySimulator

__all__ = ["ENDPOINTS", "ControlAPI"]

ENDPOINTS = {
    "GET /control": "this list",
    "GET /control/info": "addresses, credentials, counts",
    "POST /control/inbound": "place inbound calls: {count, context, from_number, to_number, caller, timeout, wait}",
    "GET /control/calls": "calls: ?state=&direction=&context=&limit=&full=",
    "GET /control/calls/<call_id>": "one call in full: ?wait=<state>&timeout=",
    "POST /control/calls/<call_id>/hangup": "the far end hangs up",
    "GET /control/phones": "scripted outbound numbers",
    "POST /control/phones": "script a number: {number, caller, answer_after}",
    "DELETE /control/phones/<number>": "forget a number's script",
    "GET /control/journal": "frames: ?method=&event=&direction=&session=&since=&limit=",
    "DELETE /control/journal": "clear the journal",
    "GET /control/faults": "armed fault rules",
    "POST /control/faults": "inject a fault: {action: drop|drop_at|delay|refuse|disconnect|ignore_pings|forget_sessions|clear, ...}",
    "DELETE /control/faults": "disarm every fault",
    "GET /control/sessions": "Blade sessions",
    "POST /control/burst": "send a call N calling.call.play events: {call_id, count, control_id, state}",
    **_control_messaging.ENDPOINTS,
}


class ControlError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _number(value: Any, name: str, default: float | None = None) -> float | None:
    if value is None:
        return default
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ControlError(400, f"{name} must be a number; got {value!r}") from None
    if number < 0 or math.isnan(number):
        raise ControlError(400, f"{name} must be >= 0; got {value!r}")
    return number


def _flag(data: dict[str, Any], key: str, default: bool) -> bool:
    """A JSON true/false (a string such as "false" would otherwise count as true)."""
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise ControlError(400, f"{key} must be true or false; got {value!r}")
    return value


def _caller(data: Any, default: Caller) -> Caller:
    if data is None:
        return default
    try:
        return Caller.from_dict(data)
    except ValueError as exc:
        raise ControlError(400, str(exc)) from None


class ControlAPI:
    def __init__(self, sim: RelaySimulator) -> None:
        self.sim = sim

    async def handle(
        self, method: str, path: str, query: dict[str, str], body: bytes
    ) -> tuple[int, Any]:
        try:
            data: Any = {}
            if body.strip():
                try:
                    data = json.loads(body)
                except ValueError as exc:
                    raise ControlError(400, f"body is not JSON: {exc}") from None
                if not isinstance(data, dict):
                    raise ControlError(400, "body must be a JSON object")
            return 200, await self.dispatch(method, path.rstrip("/") or "/", query, data)
        except ControlError as exc:
            return exc.status, {"error": str(exc)}
        except (InvalidArgument, InvalidArgumentType) as exc:  # the simulator's own argument checks
            return 400, {"error": str(exc)}

    async def dispatch(self, method: str, path: str, query: dict[str, str], data: dict[str, Any]) -> Any:
        parts = path.split("/")[2:]  # after "", "control"
        route = (method, parts[0] if parts else "")
        sim = self.sim
        if route == ("GET", ""):
            return {"endpoints": ENDPOINTS}
        if route == ("GET", "info"):
            return sim._status()
        if route == ("POST", "inbound"):
            return await self.inbound(data)
        if parts and parts[0] == "calls":
            return await self.calls(method, parts[1:], query)
        if parts and parts[0] == "phones":
            return self.phones(method, parts[1:], data)
        if route == ("GET", "journal"):
            return self.journal(query)
        if route == ("DELETE", "journal"):
            sim.journal.clear()
            return {"cleared": True}
        if route == ("GET", "faults"):
            return {"rules": [r.to_dict() for r in sim.faults.rules]}
        if route == ("POST", "faults"):
            return await self.fault(data)
        if route == ("DELETE", "faults"):
            sim.faults.clear()
            return {"cleared": True}
        if route == ("POST", "burst"):
            return await self.burst(data)
        if parts and parts[0] in _control_messaging.ROOTS:
            try:
                return await _control_messaging.dispatch(sim, method, parts, query, data)
            except (ValueError, TypeError) as exc:
                raise ControlError(400, str(exc)) from None
            except LookupError as exc:
                raise ControlError(404, str(exc).strip("'\"")) from None
            except TimeoutError as exc:
                raise ControlError(504, str(exc)) from None
        if route == ("GET", "sessions"):
            return {
                "sessions": [
                    {
                        "sessionid": s.id,
                        "connected": s.attached,
                        "protocol": s.protocol,
                        "subscribed": s.subscribed,
                        "contexts": sorted(s.contexts),
                        "calls": len(s.call_ids),
                        "unacknowledged_events": len(s.unacked),
                    }
                    for s in sim.sessions
                ]
            }
        raise ControlError(404, f"no endpoint {method} {path}; GET /control lists them")

    async def inbound(self, data: dict[str, Any]) -> Any:
        count = data.get("count", 1)
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ControlError(400, f"count must be a positive integer; got {count!r}")
        context = data.get("context", "office")
        if not isinstance(context, str) or not context:
            raise ControlError(400, "context must be a non-empty string")
        numbers = {}
        for key, default in (("from_number", "+15557654321"), ("to_number", "+15551234567")):
            value = data.get(key, default)
            if not isinstance(value, str) or not value:
                raise ControlError(400, f"{key} must be a non-empty string")
            numbers[key] = value
        caller = _caller(data.get("caller"), DEFAULT_INBOUND_CALLER)
        timeout = _number(data.get("timeout"), "timeout", RECEIVER_TIMEOUT)
        sim = self.sim
        call_ids: list[str] = []

        async def place() -> None:
            handle = await sim.inbound_call(
                context, from_number=numbers["from_number"], to_number=numbers["to_number"], caller=caller, timeout=None
            )
            call_ids.append(handle.call_id)

        if not _flag(data, "wait", True):

            async def place_all() -> None:
                async with anyio.create_task_group() as tg:
                    for _ in range(count):
                        tg.start_soon(place)

            sim._spawn(place_all)
            return {"queued": count, "context": context}
        try:
            with anyio.fail_after(timeout if timeout is not None else math.inf):
                await sim.wait_for_receiver(context, timeout=None)  # bounded by the fail_after above
                for _ in range(count):
                    await place()
        except TimeoutError:
            raise ControlError(
                504, f"placed {len(call_ids)} of {count}: no client receives {context!r} within {timeout} s"
            ) from None
        return {"call_ids": call_ids, "context": context}

    async def burst(self, data: dict[str, Any]) -> Any:
        call_id = data.get("call_id")
        if not isinstance(call_id, str) or call_id not in self.sim._calls:
            raise ControlError(404, f"no call {call_id!r}")
        count = data.get("count", 1)
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 10_000_000:
            raise ControlError(400, f"count must be an integer from 1 to 10000000; got {count!r}")
        control_id = data.get("control_id")
        if control_id is not None and (not isinstance(control_id, str) or not control_id):
            raise ControlError(400, "control_id must be a non-empty string")
        state = data.get("state", "playing")
        if state not in PLAY_STATES:
            raise ControlError(400, f"state must be one of {', '.join(PLAY_STATES)}; got {state!r}")
        control_id = control_id or new_id()
        sent = await self.sim.burst(call_id, count=count, control_id=control_id, state=state)
        return {"sent": sent, "call_id": call_id, "control_id": control_id}

    async def calls(self, method: str, rest: list[str], query: dict[str, str]) -> Any:
        sim = self.sim
        if not rest and method == "GET":
            full = query.get("full") in ("1", "true", "yes")
            limit = query.get("limit")
            selected = []
            for call in sim._calls.values():
                if "state" in query and call.state != query["state"]:
                    continue
                if "direction" in query and call.direction != query["direction"]:
                    continue
                if "context" in query and call.context != query["context"]:
                    continue
                selected.append(call)
            if limit is not None:
                try:
                    selected = selected[-int(limit):] if int(limit) > 0 else []
                except ValueError:
                    raise ControlError(400, f"limit must be an integer; got {limit!r}") from None
            return {"count": len(selected), "calls": [c.to_dict(full) for c in selected]}
        if not rest:
            raise ControlError(405, f"{method} is not allowed on /control/calls")
        found = sim._calls.get(rest[0])
        if found is None:
            raise ControlError(404, f"no call {rest[0]!r}")
        call = found
        if len(rest) == 1 and method == "GET":
            wait = query.get("wait")
            if wait:
                timeout = _number(query.get("timeout"), "timeout", 10.0)
                try:
                    await call.wait_for(wait, timeout=timeout)
                except ValueError as exc:
                    raise ControlError(400, str(exc)) from None
                except TimeoutError:
                    raise ControlError(504, f"call did not reach {wait!r} within {timeout} s") from None
            return call.to_dict()
        if rest[1:] == ["hangup"] and method == "POST":
            call.end("hangup")
            return call.to_dict(full=False)
        raise ControlError(404, f"no endpoint {method} /control/calls/{'/'.join(rest)}")

    def phones(self, method: str, rest: list[str], data: dict[str, Any]) -> Any:
        sim = self.sim
        if method == "GET" and not rest:
            return {"phones": {n: c.to_dict() for n, c in sim._phones.items()}}
        if method == "POST" and not rest:
            number = data.get("number")
            if not isinstance(number, str) or not number:
                raise ControlError(400, "number must be a non-empty string")
            caller = _caller(data.get("caller"), Caller())
            answer_after = _number(data.get("answer_after"), "answer_after")
            caller = sim.phone(number, caller=caller, answer_after=answer_after)
            return {"number": number, "caller": caller.to_dict()}
        if method == "DELETE" and len(rest) == 1:
            removed = sim._phones.pop(rest[0], None)
            return {"removed": removed is not None}
        raise ControlError(404, f"no endpoint {method} /control/phones/{'/'.join(rest)}")

    def journal(self, query: dict[str, str]) -> Any:
        journal = self.sim.journal
        try:
            since = int(query.get("since", 0))
            limit = int(query["limit"]) if "limit" in query else None
        except ValueError:
            raise ControlError(400, "since and limit must be integers") from None
        entries = journal.filter(
            method=query.get("method"),
            event=query.get("event"),
            direction=query.get("direction"),
            session=query.get("session"),
            since=since,
        )
        if limit is not None:
            entries = entries[:limit]
        return {
            "enabled": journal.enabled,
            "count": len(entries),
            "entries": [e.to_dict() for e in entries],
            "last_seq": entries[-1].seq if entries else since,
        }

    async def fault(self, data: dict[str, Any]) -> Any:
        faults = self.sim.faults
        action = data.get("action")
        session = data.get("session")
        if session is not None and not isinstance(session, str):
            raise ControlError(400, "session must be a session id string")
        method = data.get("method")
        if method is not None and not isinstance(method, str):
            raise ControlError(400, "method must be a string")
        times = data.get("times", 1)
        if times is not None and (isinstance(times, bool) or not isinstance(times, int) or times < 1):
            raise ControlError(400, "times must be a positive integer or null")
        try:
            if action == "drop":
                return {"dropped": faults.drop(session)}
            if action == "drop_at":
                stage = data.get("stage", "before_response")
                if stage not in STAGES:
                    raise ControlError(400, f"stage must be one of {', '.join(STAGES)}")
                return {"rule": faults.drop_at(method, stage=stage, times=times, session=session).to_dict()}
            if action == "delay":
                seconds = _number(data.get("seconds"), "seconds")
                if seconds is None:
                    raise ControlError(400, "delay needs seconds")
                rule = faults.delay(method, seconds=seconds, times=data.get("times"), session=session)
                return {"rule": rule.to_dict()}
            if action == "refuse":
                code = data.get("code")
                if code is not None and not isinstance(code, (str, int)):
                    raise ControlError(400, "code must be a string or an integer")
                message = data.get("message", "refused by the simulator (fault injection)")
                if not isinstance(message, str):
                    raise ControlError(400, f"message must be a string; got {message!r}")
                rule = faults.refuse(method, code=code, message=message, times=times, session=session)
                return {"rule": rule.to_dict()}
            if action == "disconnect":
                timeout = _number(data.get("timeout"), "timeout", 5.0)
                return {"disconnected": await faults.disconnect(session, timeout=timeout or 0.0)}
            if action == "ignore_pings":
                enabled = _flag(data, "enabled", True)
                faults.ignore_pings(enabled, session=session)
                return {"ignore_pings": enabled}
            if action == "forget_sessions":
                return {"forgotten": faults.forget_sessions()}
            if action == "clear":
                faults.clear()
                return {"cleared": True}
        except LookupError as exc:
            raise ControlError(404, str(exc)) from None
        except ValueError as exc:
            raise ControlError(400, str(exc)) from None
        raise ControlError(
            400,
            "action must be drop, drop_at, delay, refuse, disconnect, ignore_pings, "
            f"forget_sessions or clear; got {action!r}",
        )
