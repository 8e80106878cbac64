"""A tiny Relay client that sends exact frames, for the simulator's tests.

It reads the socket in its own task (as httpx-ws needs), answers every
blade.broadcast with an empty result (unless ``auto_ack=False``), and
lets a test await responses and events without sleeping.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx
from httpx_ws import WebSocketDisconnect, aconnect_ws
from httpx_ws._exceptions import HTTPXWSException

PROJECT = "project"
TOKEN = "token"


class RawClient:
    def __init__(self, ws: Any, auto_ack: bool = True) -> None:
        self.ws = ws
        self.auto_ack = auto_ack
        self.frames: list[dict[str, Any]] = []
        self.responses: dict[str, dict[str, Any]] = {}
        self.events: list[dict[str, Any]] = []  # {"event_type", "params", "id"}
        self._consumed: set[int] = set()
        self._changed = anyio.Event()
        self.closed = anyio.Event()
        self.close_code: int | None = None
        self.protocol: str | None = None
        self.sessionid: str | None = None

    # -- plumbing ---------------------------------------------------------

    async def reader(self) -> None:
        try:
            while True:
                text = await self.ws.receive_text()
                frame = json.loads(text)
                self.frames.append(frame)
                method = frame.get("method")
                if method == "blade.broadcast":
                    inner = frame["params"]["params"]
                    self.events.append(
                        {"event_type": inner["event_type"], "params": inner["params"], "id": frame["id"]}
                    )
                    if self.auto_ack:
                        await self.send({"jsonrpc": "2.0", "id": frame["id"], "result": {}})
                elif method == "blade.disconnect":
                    if self.auto_ack:
                        await self.send({"jsonrpc": "2.0", "id": frame["id"], "result": {}})
                elif method is None and frame.get("id") is not None:
                    self.responses[frame["id"]] = frame
                self._notify()
        except WebSocketDisconnect as exc:
            self.close_code = exc.code
        except HTTPXWSException:
            self.close_code = -1
        finally:
            self.closed.set()
            self._notify()

    def _notify(self) -> None:
        self._changed.set()
        self._changed = anyio.Event()

    async def _wait(self, find: Callable[[], Any], timeout: float, what: str) -> Any:
        with anyio.fail_after(timeout):
            while True:
                found = find()
                if found is not None:
                    return found
                if self.closed.is_set():
                    raise ConnectionError(f"socket closed ({self.close_code}) while waiting for {what}")
                await self._changed.wait()

    async def send(self, frame: dict[str, Any]) -> None:
        await self.ws.send_text(json.dumps(frame))

    async def send_text(self, text: str) -> None:
        await self.ws.send_text(text)

    async def request(
        self, method: str, params: dict[str, Any], id: str | None = None, timeout: float = 5
    ) -> dict[str, Any]:
        """Send a request and return the whole response frame."""
        request_id = id or str(uuid.uuid4())
        self.responses.pop(request_id, None)
        await self.send({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})
        return await self.response(request_id, timeout)

    async def response(self, request_id: str | None, timeout: float = 5) -> dict[str, Any]:
        return await self._wait(lambda: self.responses.get(request_id), timeout, f"response {request_id}")

    # -- Blade steps -----------------------------------------------------------

    async def connect(
        self, project: str = PROJECT, token: str = TOKEN, sessionid: str | None = None
    ) -> dict[str, Any]:
        params: dict[str, Any] = {
            "version": {"major": 2, "minor": 3, "revision": 0},
            "authentication": {"project": project, "token": token},
            "agent": "rawclient/0",
        }
        if sessionid:
            params["sessionid"] = sessionid
        frame = await self.request("blade.connect", params)
        if "result" in frame:
            self.sessionid = frame["result"]["sessionid"]
        return frame

    async def setup(self) -> str:
        frame = await self.request(
            "blade.execute", {"protocol": "signalwire", "method": "setup", "params": {}}
        )
        self.protocol = frame["result"]["result"]["protocol"]
        return self.protocol

    async def subscribe(self) -> dict[str, Any]:
        frame = await self.request(
            "blade.subscription",
            {"command": "add", "protocol": self.protocol, "channels": ["notifications"]},
        )
        return frame["result"]

    async def receive(self, contexts: list[str]) -> dict[str, Any]:
        return await self.execute("signalwire.receive", {"contexts": contexts})

    async def start(
        self, contexts: list[str] | None = None, project: str = PROJECT, token: str = TOKEN
    ) -> None:
        """connect, setup, subscribe and (if given) receive."""
        frame = await self.connect(project, token)
        assert "result" in frame, frame
        await self.setup()
        await self.subscribe()
        if contexts:
            result = await self.receive(contexts)
            assert result["code"] == "200", result

    async def execute(
        self, method: str, params: dict[str, Any], id: str | None = None, timeout: float = 5
    ) -> dict[str, Any]:
        """A relay command; returns the inner result (``{"code", "message", ...}``)."""
        frame = await self.request(
            "blade.execute", {"protocol": self.protocol, "method": method, "params": params}, id, timeout
        )
        if "error" in frame:
            return {"code": str(frame["error"]["code"]), "message": frame["error"]["message"]}
        return frame["result"]["result"]

    # -- events -------------------------------------------------------------------

    async def event(self, event_type: str, timeout: float = 5, **match: Any) -> dict[str, Any]:
        """The next not yet returned ``event_type`` event whose params match."""

        def find() -> dict[str, Any] | None:
            for i, event in enumerate(self.events):
                if i in self._consumed or event["event_type"] != event_type:
                    continue
                if all(event["params"].get(k) == v for k, v in match.items()):
                    self._consumed.add(i)
                    return event["params"]
            return None

        return await self._wait(find, timeout, f"{event_type} {match}")

    def all_events(self, event_type: str, **match: Any) -> list[dict[str, Any]]:
        return [
            e["params"]
            for e in self.events
            if e["event_type"] == event_type and all(e["params"].get(k) == v for k, v in match.items())
        ]

    async def inbound(self, timeout: float = 5) -> dict[str, Any]:
        return await self.event("calling.call.receive", timeout)

    async def dial(self, to_number: str, from_number: str = "+15550001111", **device: Any) -> dict[str, Any]:
        """calling.begin and wait for the call to be answered or end; returns the last state."""
        tag = str(uuid.uuid4())
        result = await self.execute(
            "calling.begin",
            {
                "tag": tag,
                "device": {
                    "type": "phone",
                    "params": {"from_number": from_number, "to_number": to_number, **device},
                },
            },
        )
        assert result["code"] == "200", result
        return result

    async def call_state(self, call_id: str, state: str, timeout: float = 5) -> dict[str, Any]:
        return await self.event("calling.call.state", timeout, call_id=call_id, call_state=state)


@asynccontextmanager
async def open_client(url: str, auto_ack: bool = True) -> AsyncIterator[RawClient]:
    async with httpx.AsyncClient() as http:
        async with aconnect_ws(url, http, keepalive_ping_interval_seconds=None) as ws:
            client = RawClient(ws, auto_ack)
            async with anyio.create_task_group() as tg:
                tg.start_soon(client.reader)
                try:
                    yield client
                finally:
                    tg.cancel_scope.cancel()


@asynccontextmanager
async def started_client(
    url: str,
    contexts: list[str] | None = None,
    auto_ack: bool = True,
    project: str = PROJECT,
    token: str = TOKEN,
) -> AsyncIterator[RawClient]:
    async with open_client(url, auto_ack) as client:
        await client.start(contexts, project, token)
        yield client
