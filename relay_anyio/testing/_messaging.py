"""Messaging in the simulator: ``messaging.send``, message states, inbound and reply messages.

A sent message is answered with its id, then its states follow as
``messaging.state`` events on its context: queued, initiated, sent, then
the recipient's outcome (delivered unless the number is scripted with
``sim.message_recipient(number, outcome=...)``). A recipient scripted with
a ``reply`` answers a delivered message with an inbound one. Events go to
the sending session while it receives the context, else to one session
receiving it (round-robin), as inbound messages do.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import attrs

from ..protocol import Request, broadcast_params, new_id
from ..wire import MESSAGE_FINAL_STATES, MESSAGING_EVENTS, MESSAGING_RECEIVE, MESSAGING_SEND, MESSAGING_STATE
from ._commands import Outcome, _str, command, ok
from ._errors import BAD_REQUEST, CommandError

if TYPE_CHECKING:
    from ._sessions import Session
    from .simulator import RelaySimulator

__all__ = ["MessageRecipient", "Messages", "SimMessage"]

#: Simulated seconds between a sent message's states.
STATE_STEP = 0.2
#: Characters per SMS segment.
SEGMENT = 160
OUTCOMES = MESSAGE_FINAL_STATES


@attrs.frozen(kw_only=True)
class MessageRecipient:
    """What a number does with the messages sent to it.

    ``outcome``: delivered (default), undelivered or failed; ``reason``:
    the failure reason the last state carries; ``reply``: a text the
    number sends back once a message is delivered (None = no reply).
    """

    outcome: str = "delivered"
    reason: str | None = None
    reply: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}; got {self.outcome!r}")
        for name in ("reason", "reply"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or not value):
                raise ValueError(f"{name} must be a non-empty string or None; got {value!r}")

    @classmethod
    def from_dict(cls, data: Any) -> MessageRecipient:
        if not isinstance(data, dict):
            raise ValueError(f"a recipient is an object {{outcome, reason, reply}}; got {data!r}")
        unknown = set(data) - {"outcome", "reason", "reply"}
        if unknown:
            raise ValueError(f"unknown recipient keys: {', '.join(sorted(unknown))}")
        try:
            return cls(**data)
        except TypeError as exc:
            raise ValueError(str(exc)) from None

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


DEFAULT_RECIPIENT = MessageRecipient()


@attrs.define(kw_only=True)
class SimMessage:
    """A message the simulator carried (sent by a client, or inbound to one)."""

    id: str
    context: str
    direction: str
    from_number: str
    to_number: str
    state: str
    body: str | None = None
    media: list[str] = attrs.field(factory=list)
    tags: list[str] = attrs.field(factory=list)
    region: str | None = None
    reason: str | None = None

    @property
    def segments(self) -> int:
        return max(1, math.ceil(len(self.body or "") / SEGMENT))

    def event_params(self) -> dict[str, Any]:
        params: dict[str, Any] = {
            "message_id": self.id,
            "message_state": self.state,
            "context": self.context,
            "from_number": self.from_number,
            "to_number": self.to_number,
            "body": self.body,
            "direction": self.direction,
            "media": list(self.media),
            "segments": self.segments,
            "tags": list(self.tags),
        }
        if self.reason is not None:
            params["reason"] = self.reason
        return params

    def to_dict(self) -> dict[str, Any]:
        return {**self.event_params(), "region": self.region}


class Messages:
    """The simulator's messages and scripted recipients."""

    def __init__(self, sim: RelaySimulator) -> None:
        self._sim = sim
        self.recipients: dict[str, MessageRecipient] = {}
        self.by_id: dict[str, SimMessage] = {}

    def recipient(self, number: str) -> MessageRecipient:
        return self.recipients.get(number, DEFAULT_RECIPIENT)

    def sent(self, session: Session, params: dict[str, Any]) -> Outcome:
        message = SimMessage(
            id=new_id(),
            context=_str(params, "context"),
            direction="outbound",
            from_number=_str(params, "from_number"),
            to_number=_str(params, "to_number"),
            state="queued",
            body=_optional_text(params, "body"),
            media=_strings(params, "media"),
            tags=_strings(params, "tags"),
            region=_optional_text(params, "region"),
        )
        if message.body is None and not message.media:
            raise CommandError(BAD_REQUEST, "params needs a body or media")
        self.by_id[message.id] = message

        def progress() -> None:
            self._sim._spawn(lambda: self._progress(session, message))

        return Outcome(ok("Message accepted", message_id=message.id), progress)

    async def _progress(self, sender: Session, message: SimMessage) -> None:
        recipient = self.recipient(message.to_number)
        for state in ("queued", "initiated", "sent", recipient.outcome):
            if state != "queued":
                await self._sim.clock.sleep(STATE_STEP)
            message.state = state
            if state == recipient.outcome and state != "delivered":
                message.reason = recipient.reason or state
            self._emit(MESSAGING_STATE, message, sender)
        if recipient.reply is not None and message.state == "delivered":
            await self._sim.clock.sleep(STATE_STEP)
            reply = SimMessage(
                id=new_id(),
                context=message.context,
                direction="inbound",
                from_number=message.to_number,
                to_number=message.from_number,
                state="received",
                body=recipient.reply,
            )
            self.by_id[reply.id] = reply
            self._emit(MESSAGING_RECEIVE, reply, sender)

    async def inbound(
        self, context: str, from_number: str, to_number: str, body: str | None, media: list[str] | None,
        timeout: float | None,
    ) -> SimMessage:
        try:
            await self._sim.wait_for_receiver(context, timeout=timeout)
        except TimeoutError:
            raise TimeoutError(f"no client receives context {context!r} after {timeout} s") from None
        message = SimMessage(
            id=new_id(),
            context=context,
            direction="inbound",
            from_number=from_number,
            to_number=to_number,
            state="received",
            body=body,
            media=list(media or []),
        )
        self.by_id[message.id] = message
        self._emit(MESSAGING_RECEIVE, message, None)
        return message

    def _emit(self, event_type: str, message: SimMessage, sender: Session | None) -> None:
        session = sender
        if session is None or session.forgotten or not session.subscribed or message.context not in session.contexts:
            session = self._sim._sessions.pick_receiver(message.context)
        if session is None or session.protocol is None:
            return
        sim = self._sim
        params = broadcast_params(
            protocol=session.protocol,
            event_type=event_type,
            params=message.event_params(),
            timestamp=sim.clock.timestamp(),
            broadcaster=sim.nodeid,
            project_id=sim.project,
            space_id=sim.space_id,
            event=MESSAGING_EVENTS,
        )
        session.deliver(Request(new_id(), "blade.broadcast", params))


@command(MESSAGING_SEND)
def send(sim: RelaySimulator, session: Session, params: dict[str, Any]) -> Outcome:
    return sim._messages.sent(session, params)


def _optional_text(params: dict[str, Any], key: str) -> str | None:
    return None if params.get(key) is None else _str(params, key)


def _strings(params: dict[str, Any], key: str) -> list[str]:
    value = params.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise CommandError(BAD_REQUEST, f"params.{key} must be a list of non-empty strings")
    return list(value)
