"""The call's life cycle: answer, dial, hangup and wait_for.

Declared here: the call-level wire methods (``calling.answer``,
``calling.begin``, ``calling.end``), the call state event family
(``calling.call.state``: the ``on()`` names ``stateChange``, ``created``,
``ringing``, ``answered``, ``ending``, ``ended``) and their Results.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

import anyio
import attrs

from .. import commands
from .._callcore import RANK, CallCore
from .._wakeup import Waiters, wait_among, wake_all
from ..errors import CLOSED_ERRORS, InvalidArgument
from ..events import EventFamily
from ..protocol import CommandResult
from ..results import Result
from ..wire import CALL_STATES, HANGUP_REASONS

if TYPE_CHECKING:
    from ..call import Call
    from ..pending import Command
    from ..session import Session

__all__ = ["ANSWER", "CALL_STATE", "DIAL", "HANGUP", "AnswerResult", "DialResult", "HangupResult", "LifecycleMethods"]

ANSWER = "calling.answer"
DIAL = "calling.begin"
HANGUP = "calling.end"

CALL_STATE = EventFamily(
    "calling.call.state", None, CALL_STATES, state=lambda params: params.get("call_state"), handler="_on_state"
)


@attrs.frozen(kw_only=True)
class AnswerResult(Result):
    """Result of ``answer()``."""


@attrs.frozen(kw_only=True)
class DialResult(Result):
    """Result of ``dial()``; ``call`` is the dialed Call (also when it was not answered)."""

    call: Call


@attrs.frozen(kw_only=True)
class HangupResult(Result):
    """Result of ``hangup()``; ``reason`` is the call's end_reason (the reason asked for when it failed)."""

    reason: str | None = None


# The states answer(), dial() and hangup() wait for.
_ANSWERED = frozenset({"answered"})
_DIAL_OVER = frozenset({"answered", "ending", "ended"})
_ENDED = frozenset({"ended"})


class _Answering:
    """One ``calling.answer`` in flight, shared by concurrent ``answer()`` calls
    (``waiters``: the wake-ups of the calls that wait for the first one's answer)."""

    __slots__ = ("waiters", "response")

    def __init__(self) -> None:
        self.waiters: Waiters = None
        self.response: CommandResult | None = None


def _failure(response: CommandResult) -> str:
    return f"{response.code}: {response.message}"


class LifecycleMethods(CallCore):
    """answer, dial, hangup, wait_for and its helpers."""

    __slots__ = ()

    async def answer(self) -> AnswerResult:
        """Answer an inbound call. Returns an AnswerResult once answered.

        Answering an answered call does nothing; concurrent calls send one
        ``calling.answer`` and get the same outcome.
        """
        if self.answered:
            return AnswerResult(successful=True, event=self._state_event("answered"))
        shared = self._answering
        if shared is None:
            shared = self._answering = _Answering()
            try:
                shared.response = await self._execute(ANSWER, {})
            finally:
                self._answering = None
                wake_all(shared.waiters)
        else:
            await wait_among(shared, "waiters", self._new_wakeup())
            if shared.response is None:  # that answer() was cancelled before it was answered
                return await self.answer()
        response = shared.response
        if not response.successful:
            return AnswerResult(successful=False, error=_failure(response))
        ok = await self._wait_states(_ANSWERED)
        return AnswerResult(
            successful=ok,
            event=self._state_event("answered", "ended", "ending"),
            error=None if ok else self._gone or "call ended",
        )

    async def dial(self) -> DialResult:
        """Start a call made with ``new_call`` and wait until it is answered or hung up.

        Unsuccessful when the call ends first; then ``call.busy`` /
        ``call.failed`` say why. Cancelled (a cancel scope, a timeout,
        Ctrl-C) before the answer, it ends the call it was placing
        (``calling.end``) before the cancellation propagates.
        """
        if self._dialed:
            raise InvalidArgument("call", self, "a call made with new_call() that was not dialed yet")
        self._dialed = True
        session = self._session
        self._calling._track_tag(self)
        try:
            command = session.submit(DIAL, {"tag": self.tag, "device": self.device})
        except BaseException:
            self._calling._untrack_tag(self)
            raise
        try:
            try:
                response = await session.outcome(command)
            except BaseException as exc:
                if isinstance(exc, CLOSED_ERRORS) and self._gone is not None:
                    return DialResult(successful=False, call=self._as_call, error=self._gone)
                await self._abandon_dial(session, command)
                raise
            if not response.successful:
                self._calling._untrack_tag(self)
                return DialResult(successful=False, call=self._as_call, error=_failure(response))
            self._update_identity(response.data)
            try:
                await self._wait_states(_DIAL_OVER)
            except BaseException:
                await self._abandon_dial(session, None)
                raise
        finally:
            session.discard(command)
        ok = self.answered and self._gone is None
        return DialResult(
            successful=ok,
            call=self._as_call,
            event=self._state_event("answered", self.state or ""),
            error=None if ok else self._gone or f"call {self.end_reason or self.state}",
        )

    async def _abandon_dial(self, session: Session, command: Command | None) -> None:
        """A cancelled dial: once ``calling.begin`` is answered, end the call it placed.
        Shielded from the cancellation, bounded by the command timeout."""
        with anyio.CancelScope(shield=True), anyio.move_on_after(self._command_timeout):
            if command is not None and command.sent:
                try:
                    response = await session.outcome(command)
                except Exception:  # noqa: BLE001 - no answer: its call_id may still come with an event
                    response = None
                if response is not None and response.successful:
                    self._update_identity(response.data)
            if self.id is not None and self.state not in ("ending", "ended"):
                await self._execute(HANGUP, {"reason": "hangup"})

    async def hangup(self, reason: str = "hangup") -> HangupResult:
        """Hang up the call and wait until it has ended.

        ``reason`` (sent with ``calling.end``): ``hangup`` (default),
        ``cancel``, ``busy`` or ``decline``. The HangupResult's ``reason`` is
        the call's end reason; when the hangup fails, the reason asked for.
        """
        commands.choice("reason", reason, HANGUP_REASONS)
        if self.ended:
            return HangupResult(successful=False, reason=reason, error="call has already ended")
        response = await self._execute(HANGUP, {"reason": reason})
        if not response.successful:
            return HangupResult(successful=False, reason=reason, error=_failure(response))
        ok = await self._wait_states(_ENDED)
        return HangupResult(
            successful=ok,
            reason=self.end_reason or reason,
            event=self._state_event("ended"),
            error=None if ok else self._gone,
        )

    @property
    def _as_call(self) -> Call:
        return cast("Call", self)

    async def wait_for(self, *states: str | Sequence[str], events: Sequence[str] | None = None) -> bool:
        """Wait for one of the given call states (created, ringing, answered, ending, ended).

        True at once for a state the call already passed; False as soon as
        none of them can come any more (the call is ending or ended without
        them) or the client closed. ``wait_for("ending", "ended")``; a list
        works too, as the official SDK takes it (``wait_for(["ending",
        "ended"])``, ``wait_for(events=[...])``).
        """
        wanted: list[str] = []
        for item in (*states, *([events] if events is not None else [])):
            wanted.extend([item] if isinstance(item, str) else item)
        if not wanted:
            raise InvalidArgument("events", states, CALL_STATES)
        for name in wanted:
            if name not in RANK:
                raise InvalidArgument("events", name, CALL_STATES)
        return await self._wait_states(frozenset(wanted))

    async def wait_for_ringing(self) -> bool:
        """Wait for the ``ringing`` state (False if the call ends first)."""
        return await self.wait_for("ringing")

    async def wait_for_answered(self) -> bool:
        """Wait for the ``answered`` state (False if the call ends first)."""
        return await self.wait_for("answered")

    async def wait_for_ending(self) -> bool:
        """Wait for the ``ending`` state."""
        return await self.wait_for("ending")

    async def wait_for_ended(self) -> bool:
        """Wait for the ``ended`` state."""
        return await self.wait_for("ended")
