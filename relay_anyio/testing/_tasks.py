"""The REST task endpoint: ``POST /api/relay/rest/tasks`` on the simulator's HTTP port.

Basic auth with the simulator's project and token (anything else: 401),
a JSON body ``{context, message}`` (else 400). The task goes to one
session receiving the context (round-robin, as inbound calls do) as a
``queuing.relay.tasks`` broadcast; 204 when delivered, 404 when no client
receives the context. Every request is in the journal as a ``"in"`` entry
whose frame has method ``TASK_REQUEST`` (``sim.journal.filter(method=TASK_REQUEST)``).
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from typing import TYPE_CHECKING, Any

from ..protocol import Request, new_id, task_broadcast_params
from ..wire import TASKS_PATH

if TYPE_CHECKING:
    from .simulator import RelaySimulator

__all__ = ["TASK_REQUEST", "deliver_task", "rest_task"]

#: The journal's method name for a REST task request.
TASK_REQUEST = f"POST {TASKS_PATH}"


def _authorized(sim: RelaySimulator, headers: list[tuple[bytes, bytes]]) -> bool:
    value = next((v for k, v in headers if k.lower() == b"authorization"), b"")
    scheme, _, encoded = value.decode("latin-1").partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        project, _, token = base64.b64decode(encoded, validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    # Both compared, whatever the first gives: no timing hint of which was wrong.
    right_project = secrets.compare_digest(project.encode(), sim.project.encode())
    right_token = secrets.compare_digest(token.encode(), sim.token.encode())
    return right_project and right_token


def rest_task(sim: RelaySimulator, method: str, headers: list[tuple[bytes, bytes]], body: bytes) -> tuple[int, Any]:
    """Answer one request to the task endpoint: (status, JSON data or None for no body)."""
    status, data, task = _check(sim, method, headers, body)
    if task is not None:
        delivered = deliver_task(sim, task["context"], task["message"])
        status, data = (204, None) if delivered else (404, {"error": f"no client receives context {task['context']!r}"})
    entry: dict[str, Any] = {"method": TASK_REQUEST, "status": status}
    if task is not None:
        entry["params"] = task
    sim.journal.record(None, "in", entry)
    return status, data


def _check(
    sim: RelaySimulator, method: str, headers: list[tuple[bytes, bytes]], body: bytes
) -> tuple[int, Any, dict[str, Any] | None]:
    if method != "POST":
        return 405, {"error": f"{method} is not allowed on {TASKS_PATH}"}, None
    if not _authorized(sim, headers):
        return 401, {"error": "unauthorized: Basic auth with the project and token"}, None
    try:
        task = json.loads(body)
    except ValueError:
        return 400, {"error": "body is not JSON"}, None
    if not isinstance(task, dict) or not isinstance(task.get("context"), str) or not task["context"]:
        return 400, {"error": "body must be {context: string, message: any}"}, None
    return 0, None, {"context": task["context"], "message": task.get("message")}


def deliver_task(sim: RelaySimulator, context: str, message: Any) -> bool:
    """Hand a task to one session receiving ``context``; False when none does."""
    session = sim._sessions.pick_receiver(context)
    if session is None or session.protocol is None:
        return False
    params = task_broadcast_params(protocol=session.protocol, broadcaster=sim.nodeid, context=context, message=message)
    session.deliver(Request(new_id(), "blade.broadcast", params))
    return True
