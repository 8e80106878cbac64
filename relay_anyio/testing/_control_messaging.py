"""The HTTP control API's messaging and task endpoints (mounted by ``_control``).

Handlers raise ValueError (400), LookupError (404) or TimeoutError (504);
``_control`` turns them into its error answers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .simulator import RelaySimulator

__all__ = ["ENDPOINTS", "ROOTS", "dispatch"]

ENDPOINTS = {
    "GET /control/messages": "messages carried: ?direction=&state=&context=",
    "POST /control/messages": "an inbound message: {context, from_number, to_number, body, media, timeout}",
    "GET /control/recipients": "scripted message recipients",
    "POST /control/recipients": "script a number's messages: {number, outcome, reason, reply}",
    "POST /control/tasks": "hand a task to one client of a context: {context, message}",
}
ROOTS = ("messages", "recipients", "tasks")


async def dispatch(sim: RelaySimulator, method: str, rest: list[str], query: dict[str, str], data: dict[str, Any]) -> Any:
    route = (method, "/".join(rest))
    if route == ("GET", "messages"):
        found = sim.messages
        for key in ("direction", "state", "context"):
            if key in query:
                found = [m for m in found if getattr(m, key) == query[key]]
        return {"messages": [m.to_dict() for m in found]}
    if route == ("POST", "messages"):
        message = await sim.inbound_message(
            _text(data, "context"),
            from_number=_text(data, "from_number"),
            to_number=_text(data, "to_number"),
            body=data.get("body"),
            media=data.get("media"),
            timeout=_timeout(data.get("timeout", 10.0)),
        )
        return message.to_dict()
    if route == ("GET", "recipients"):
        return {"recipients": {n: r.to_dict() for n, r in sim._messages.recipients.items()}}
    if route == ("POST", "recipients"):
        options = {k: data[k] for k in ("outcome", "reason", "reply") if k in data}
        recipient = sim.message_recipient(_text(data, "number"), **options)
        return {"number": data["number"], **recipient.to_dict()}
    if route == ("POST", "tasks"):
        context = _text(data, "context")
        return {"delivered": sim.deliver_task(context, message=data.get("message")), "context": context}
    raise LookupError(f"no endpoint {method} /control/{'/'.join(rest)}; GET /control lists them")


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise ValueError(f"{key} must be a non-empty string")
    return value


def _timeout(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ValueError(f"timeout must be a number >= 0; got {value!r}")
    return float(value)
