"""A tiny Relay service for the pure BladeClient's tests: JSON in, JSON out, no sockets.

It keeps what the real service keeps and no more: sessions (restorable
unless forgotten), the ids each session executed (a repeat is answered with
the first answer, not run again), and how many times each command id ran
anywhere (the tests' evidence that nothing ran twice).
"""

from __future__ import annotations

import collections
import itertools
import json
from typing import Any

from relay_anyio import protocol as p
from relay_anyio.blade import BladeClient, State

PROJECT, TOKEN = "project", "token"


class ServiceSession:
    def __init__(self, sessionid: str) -> None:
        self.sessionid = sessionid
        self.protocol = f"proto-{sessionid}"
        self.answers: dict[str, str] = {}  # command id -> the answer frame given the first time


class BladeService:
    """Answers what a BladeClient sends; ``inflight`` holds the requests not answered yet."""

    def __init__(self, client: BladeClient) -> None:
        self.client = client
        self.sessions: dict[str, ServiceSession] = {}
        self.session: ServiceSession | None = None
        self.connected = False
        self.inflight: list[dict[str, Any]] = []  # command requests of this connection, oldest first
        self.runs: collections.Counter[str] = collections.Counter()  # command id -> times executed
        self._ids = itertools.count(1)
        self.events_sent: list[str] = []  # broadcast ids, in the order first raised

    # -- the connection ---------------------------------------------------------

    def connect(self, *, steps: int | None = None) -> None:
        """Open a connection and answer the handshake (only ``steps`` answers, then stop, if given)."""
        self.connected = True
        self.client.connection_opened()
        answered = 0
        while True:
            frames = self.take_frames()
            if self.client.state not in (State.CONNECTING, State.SETTING_UP):
                self.inflight.extend(frames)  # READY: what it sent now are commands
                return
            if not frames or (steps is not None and answered >= steps):
                return
            for frame in frames:
                self.client.receive(self._handshake_answer(frame))
                answered += 1

    def drop(self) -> None:
        self.connected = False
        self.inflight.clear()
        self.client.connection_lost()

    def forget_sessions(self) -> None:
        """The service restarted: no session can be restored."""
        self.sessions.clear()

    def take_frames(self) -> list[dict[str, Any]]:
        return [json.loads(text) for text in self.client.frames_to_send()]

    def pump(self) -> None:
        """Move what the client queued into ``inflight`` (commands sent on this connection)."""
        if self.connected:
            self.inflight.extend(self.take_frames())
        else:
            assert self.client.frames_to_send() == [], "frames queued without a connection"

    # -- commands -----------------------------------------------------------------

    def run(self, index: int, *, deliver: bool = True) -> None:
        """Execute the ``index``-th request in flight; ``deliver=False``: the answer is lost with the socket."""
        request = self.inflight.pop(index)
        assert self.session is not None
        assert request["params"]["protocol"] == self.session.protocol, "a command sent into another session's protocol"
        answer = self.session.answers.get(request["id"])
        if answer is None:
            self.runs[request["id"]] += 1
            answer = p.encode(p.Response(request["id"], p.execute_result("n1", "n2", {"code": "200", "message": "ok"})))
            self.session.answers[request["id"]] = answer
        if deliver:
            assert self.client.receive(answer) is None
        else:
            self.drop()

    def repeat_answer(self, command_id: str) -> None:
        """The same answer again (a duplicate on the wire)."""
        assert self.session is not None
        self.client.receive(self.session.answers[command_id])

    # -- events -----------------------------------------------------------------------

    def raise_event(self) -> str:
        assert self.session is not None
        event_id = f"ev-{next(self._ids)}"
        self.events_sent.append(event_id)
        self.deliver_event(event_id)
        return event_id

    def deliver_event(self, event_id: str) -> None:
        assert self.session is not None
        params = p.broadcast_params(
            protocol=self.session.protocol, event_type="calling.call.play", params={"call_id": "c", "state": event_id},
            timestamp=1.0, broadcaster="n2", project_id=PROJECT, space_id="s",
        )
        ack = self.client.receive(p.encode(p.Request(event_id, p.BROADCAST, params)))
        assert ack is not None and json.loads(ack) == {"jsonrpc": "2.0", "id": event_id, "result": {}}

    # -- the handshake ------------------------------------------------------------------

    def _handshake_answer(self, frame: dict[str, Any]) -> str:
        method, params = frame["method"], frame["params"]
        if method == p.CONNECT:
            asked = params.get("sessionid")
            restored = asked in self.sessions
            if not restored:
                asked = f"s{next(self._ids)}"
                self.sessions[asked] = ServiceSession(asked)
            self.session = self.sessions[asked]
            result = p.connect_result(
                sessionid=asked, nodeid="n1", project=PROJECT, signature="sig", session_restored=restored
            )
            return p.encode(p.Response(frame["id"], result))
        assert self.session is not None
        if method == p.SUBSCRIPTION:
            return p.encode(p.Response(frame["id"], {}))
        if params["method"] == "setup":
            return p.encode(p.Response(frame["id"], p.execute_result("n1", "n2", {"protocol": self.session.protocol})))
        return p.encode(p.Response(frame["id"], p.execute_result("n1", "n2", {"code": "200", "message": "receiving"})))
