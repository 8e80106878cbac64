"""The Blade layer of one client socket: connect, setup, subscription,
receive, ping, execute (with duplicate detection and fault hooks).

Everything here is synchronous: a frame is handled completely before the
next one is read, and the frames it produces are queued in order. Only a
delayed response (fault injection) runs later, in its own task.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import RemoteProtocolError
from ..protocol import (
    AUTH_ERROR,
    INVALID_PARAMS,
    INVALID_REQUEST,
    METHOD_NOT_FOUND,
    PARSE_ERROR,
    ErrorResponse,
    Message,
    Request,
    Response,
    connect_result,
    execute_result,
    from_dict,
)
from ._commands import run_command
from ._connection import CLOSE_DROPPED, Connection
from ._errors import CommandError
from ._sessions import Session

if TYPE_CHECKING:
    from .simulator import RelaySimulator

__all__ = ["BladeEndpoint"]

logger = logging.getLogger(__name__)

RECEIVE_MESSAGE = "Receiving all inbound related to the requested relay contexts and available scopes"
# Methods whose request ids are remembered: re-sent after a restore, they
# are answered from memory instead of running twice.
_DEDUPLICATED = frozenset({"blade.execute", "blade.subscription"})


class BladeEndpoint:
    """Handles the frames of one WebSocket."""

    def __init__(self, sim: RelaySimulator, connection: Connection) -> None:
        self.sim = sim
        self.connection = connection
        self.session: Session | None = None

    # -- frames in ---------------------------------------------------------

    def handle_text(self, text: str) -> None:
        """Handle one frame; bad input is answered, never raised."""
        sim = self.sim
        session_id = self.session.id if self.session else None
        try:
            data = json.loads(text)
        except ValueError as exc:
            sim.journal.record(session_id, "in", {"unparsable": text[:2000]})
            self.send(ErrorResponse(None, PARSE_ERROR, f"Parse error: frame is not JSON ({exc})"))
            return
        sim.journal.record(session_id, "in", data if isinstance(data, dict) else {"not_an_object": data})
        try:
            message = from_dict(data)
        except RemoteProtocolError as exc:
            raw_id = data.get("id") if isinstance(data, dict) else None
            msg_id = str(raw_id) if isinstance(raw_id, (str, int)) and not isinstance(raw_id, bool) else None
            self.send(ErrorResponse(msg_id, INVALID_REQUEST, f"Invalid request: {exc}"))
            return
        try:
            if isinstance(message, Request):
                self.on_request(message)
            else:
                self.on_response(message)
        except Exception as exc:  # a simulator bug must not end the socket
            # Log the method only: a frame may carry credentials.
            logger.exception(
                "relay simulator: failed to handle %s %s",
                getattr(message, "method", "response"),
                message.id,
            )
            if isinstance(message, Request):
                self.send(ErrorResponse(message.id, -32603, f"Internal simulator error: {exc!r}"))

    def on_response(self, message: Response | ErrorResponse) -> None:
        if message.id is None:
            return
        if self.session is not None and self.session.ack(message.id):
            return
        self.sim._server_request_answered(message.id)

    def on_request(self, request: Request) -> None:
        method = request.method
        if method == "blade.connect":
            if self.session is not None:
                self.send(ErrorResponse(request.id, INVALID_REQUEST, "blade.connect: already connected"))
            else:
                self.with_faults(request, None, method, lambda: self.on_connect(request))
            return
        session = self.session
        if session is None:
            self.send(
                ErrorResponse(request.id, INVALID_REQUEST, f"{method}: send blade.connect first")
            )
            return
        if method == "blade.ping":
            if not session.ignore_pings:
                timestamp = request.params.get("timestamp")
                if not isinstance(timestamp, (int, float)) or isinstance(timestamp, bool):
                    timestamp = time.time()
                pong = Response(request.id, {"timestamp": timestamp})
                self.with_faults(request, session, method, lambda: (pong, None))
            return
        if method in _DEDUPLICATED:
            cached = session.responses.get(request.id)
            if cached is not None:
                inner = request.params.get("method") if method == "blade.execute" else None
                self.send(cached, inner if isinstance(inner, str) else method)
                return
        if method == "blade.execute":
            inner = request.params.get("method")
            fault_method = inner if isinstance(inner, str) else method
            self.with_faults(request, session, fault_method, lambda: self.on_execute(request, session))
        elif method == "blade.subscription":
            self.with_faults(request, session, method, lambda: (self.on_subscription(request, session), None))
        else:
            self.send(ErrorResponse(request.id, METHOD_NOT_FOUND, f"Method not found: {method!r}"))

    def with_faults(
        self,
        request: Request,
        session: Session | None,
        method: str,
        execute: Callable[[], tuple[Message, Callable[[], None] | None]],
    ) -> None:
        """Run a command through the armed fault rules.

        ``session`` is None for blade.connect: rules naming a session do
        not apply to it.
        """
        faults = self.sim.faults
        connection = self.connection
        session_id = session.id if session is not None else None
        if faults.rules:
            refuse = faults.match("refuse", method, session_id)
            if refuse is not None:
                response = self.refusal(request, method, refuse.code, refuse.message)
                if session is not None:
                    session.remember(request.id, response)
                self.send(response, method)
                return
            if faults.match("drop", method, session_id, "on_receive"):
                connection.abort()
                return
        response, then = execute()
        if session is not None and request.method in _DEDUPLICATED:
            session.remember(request.id, response)
        if faults.rules:
            if faults.match("drop", method, session_id, "before_response"):
                connection.abort()
                if then is not None:
                    then()
                return
            delay = faults.match("delay", method, session_id)
            if delay is not None:
                self.sim._spawn_delayed(delay.seconds, connection, response, method, then)
                return
            hold = faults.match("hold", method, session_id)
            if hold is not None:

                def answer(response: Message = response, then: Callable[[], None] | None = then) -> None:
                    connection.send(response, method)
                    if then is not None:
                        then()

                hold.held.append(answer)
                return
            drop_after = faults.match("drop", method, session_id, "after_response")
        else:
            drop_after = None
        self.send(response, method)
        if then is not None:
            then()
        if drop_after is not None:
            connection.close(CLOSE_DROPPED)

    @staticmethod
    def refusal(request: Request, method: str, code: str | int | None, message: str) -> Message:
        if request.method == "blade.execute" and not isinstance(code, int):
            return Response(request.id, {"result": {"code": str(code or "500"), "message": message}})
        if not isinstance(code, int):
            code = -32603
        return ErrorResponse(request.id, code, message)

    # -- blade methods -------------------------------------------------------

    def on_connect(self, request: Request) -> tuple[Message, Callable[[], None] | None]:
        sim = self.sim
        auth = request.params.get("authentication")
        if (
            not isinstance(auth, dict)
            or auth.get("project") != sim.project
            or auth.get("token") != sim.token
        ):
            return ErrorResponse(
                request.id, AUTH_ERROR, "Authentication failed: invalid project or token"
            ), None
        wanted = request.params.get("sessionid")
        session = sim._sessions.get(wanted) if isinstance(wanted, str) else None
        restored = session is not None
        if session is None:
            session = sim._sessions.create()
            if sim._ignore_new_pings:
                session.ignore_pings = True
        connection = self.connection
        session.attach(connection)
        self.session = session
        response = Response(
            request.id,
            connect_result(
                sessionid=session.id,
                nodeid=session.nodeid,
                project=sim.project,
                signature=sim.signature,
                session_restored=restored,
            ),
        )

        def after_response() -> None:
            # A delayed answer (fault injection) may find the socket gone
            # and the session detached or taken over by a newer socket.
            if restored and session.connection is connection:
                session.replay()
            sim._sessions.notify()

        return response, after_response

    def on_subscription(self, request: Request, session: Session) -> Message:
        params = request.params
        command = params.get("command")
        protocol = params.get("protocol")
        channels = params.get("channels")
        if command not in ("add", "remove"):
            return ErrorResponse(request.id, INVALID_PARAMS, "blade.subscription: command must be 'add' or 'remove'")
        if protocol != session.protocol or protocol is None:
            return ErrorResponse(
                request.id,
                INVALID_PARAMS,
                f"blade.subscription: unknown protocol {protocol!r} (run signalwire setup first)",
            )
        if not isinstance(channels, list) or not all(isinstance(c, str) for c in channels):
            return ErrorResponse(request.id, INVALID_PARAMS, "blade.subscription: channels must be a list of strings")
        if "notifications" in channels:
            session.subscribed = command == "add"
            self.sim._sessions.notify()
        key = "subscribe_channels" if command == "add" else "unsubscribe_channels"
        return Response(request.id, {"protocol": protocol, "command": command, key: channels})

    def on_execute(
        self, request: Request, session: Session
    ) -> tuple[Message, Callable[[], None] | None]:
        sim = self.sim
        params = request.params
        protocol = params.get("protocol")
        method = params.get("method")
        inner = params.get("params", {})
        if not isinstance(method, str) or not isinstance(protocol, str):
            return ErrorResponse(request.id, INVALID_PARAMS, "blade.execute needs protocol and method strings"), None
        if not isinstance(inner, dict):
            return ErrorResponse(request.id, INVALID_PARAMS, f"blade.execute {method}: params must be an object"), None

        def result(data: dict[str, Any]) -> Response:
            return Response(request.id, execute_result(session.nodeid, sim.nodeid, data))

        if protocol == "signalwire" and method == "setup":
            return result({"protocol": session.new_protocol()}), None
        if protocol != session.protocol:
            return ErrorResponse(
                request.id,
                INVALID_PARAMS,
                f"blade.execute: unknown protocol {protocol!r} (run signalwire setup first)",
            ), None
        if method == "signalwire.receive":
            contexts = inner.get("contexts")
            if (
                not isinstance(contexts, list)
                or not contexts
                or not all(isinstance(c, str) and c for c in contexts)
            ):
                return result({"code": "400", "message": "params.contexts must be a non-empty list of strings"}), None
            sim._sessions.add_contexts(session, contexts)
            return result({"code": "200", "message": RECEIVE_MESSAGE}), None
        try:
            outcome = run_command(sim, session, method, inner)
        except CommandError as exc:
            return result({"code": exc.code, "message": exc.message}), None
        return result(outcome.result), outcome.then

    # -- frames out ------------------------------------------------------------

    def send(self, message: Message, answers: str | None = None) -> None:
        self.connection.send(message, answers)

    def closed(self) -> None:
        """The socket is gone: the session waits for a restore."""
        session = self.session
        if session is not None and session.detach(self.connection):
            self.sim._schedule_expiry(session)
