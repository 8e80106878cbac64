"""Fault hooks for reliability tests: lost sockets, slow or refused
answers, maintenance disconnects, dead keep-alives, a restarted service.

Rules are matched by method: a Blade method (``blade.ping``) or, for
``blade.execute``, the relay method inside (``calling.play``); None
matches any request. Checking costs nothing while no rule is armed.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

import anyio
import attrs

from ..errors import InvalidArgumentType
from . import _checks as check

if TYPE_CHECKING:
    from .simulator import RelaySimulator

__all__ = ["DropStage", "FaultRule", "Faults"]

DropStage = Literal["on_receive", "before_response", "after_response"]
STAGES: tuple[str, ...] = ("on_receive", "before_response", "after_response")
_ids = itertools.count(1)


@attrs.define
class FaultRule:
    """An armed fault.

    kind: "drop" (close the socket at ``stage``), "delay" (hold the response
    ``seconds`` real seconds), "hold" (hold the response until
    ``sim.faults.release()``) or "refuse" (answer ``code``/``message``
    without executing). ``times``: how many requests it hits (None =
    until cleared). ``session``: only that session (None = any).
    Drop stages: on_receive (nothing executed), before_response (executed,
    response lost), after_response (response written, then dropped).
    """

    kind: Literal["drop", "delay", "hold", "refuse"]
    method: str | None = None
    stage: DropStage = "before_response"
    seconds: float = 0.0
    code: str | int | None = None
    message: str = "refused by the simulator (fault injection)"
    times: int | None = 1
    session: str | None = None
    id: int = attrs.field(factory=lambda: next(_ids))
    hits: int = 0
    # A hold's answers not sent yet (each sends one response and starts what it started).
    held: list[Callable[[], None]] = attrs.field(factory=list, repr=False, eq=False)

    def to_dict(self) -> dict[str, Any]:
        data = attrs.asdict(self, filter=lambda attribute, _: attribute.name != "held")
        data["held"] = len(self.held)
        return data


class Faults:
    """``sim.faults``: arm faults on a running simulator."""

    def __init__(self, sim: RelaySimulator) -> None:
        self._sim = sim
        self.rules: list[FaultRule] = []
        self._holds: list[FaultRule] = []

    # -- rules ------------------------------------------------------------

    def drop_at(
        self,
        method: str | None,
        *,
        stage: DropStage = "before_response",
        times: int | None = 1,
        session: str | None = None,
    ) -> FaultRule:
        """Drop the socket when a request for ``method`` arrives, at ``stage``."""
        check.choice("stage", stage, STAGES)
        return self._arm(FaultRule("drop", method, stage=stage, times=times, session=session))

    def delay(
        self,
        method: str | None,
        *,
        seconds: float,
        times: int | None = None,
        session: str | None = None,
    ) -> FaultRule:
        """Hold the response to ``method`` for ``seconds`` real seconds.

        The command is executed at once; only its answer (and the events it
        starts) wait.
        """
        seconds = check.seconds("seconds", seconds, allow_none=False)  # type: ignore[assignment]
        return self._arm(FaultRule("delay", method, seconds=seconds, times=times, session=session))

    def hold(self, method: str | None, *, times: int | None = 1, session: str | None = None) -> FaultRule:
        """Hold the response to ``method`` until ``release()``.

        The command is executed at once; its answer (and the events it
        starts) wait until the test says so: a deterministic "in flight".
        """
        rule = self._arm(FaultRule("hold", method, times=times, session=session))
        self._holds.append(rule)  # kept after its last hit: its answers wait for release()
        return rule

    def release(self, rule: FaultRule | None = None) -> int:
        """Send the responses held by ``rule`` (by every hold when None); how many were sent."""
        sent = 0
        for armed in [rule] if rule is not None else list(self._holds):
            while armed.held:
                armed.held.pop(0)()
                sent += 1
        return sent

    def refuse(
        self,
        method: str | None,
        *,
        code: str | int | None = None,
        message: str = "refused by the simulator (fault injection)",
        times: int | None = 1,
        session: str | None = None,
    ) -> FaultRule:
        """Answer ``method`` with an error instead of executing it.

        A relay command gets ``result.code`` = ``code`` (default "500"); a
        Blade method (blade.connect ...) gets a JSON-RPC error with an
        integer code (default -32603).
        """
        if code is not None and (isinstance(code, bool) or not isinstance(code, (str, int))):
            raise InvalidArgumentType("code", code, "a str or int code, or None")
        check.text("message", message)
        return self._arm(
            FaultRule("refuse", method, code=code, message=message, times=times, session=session)
        )

    def _arm(self, rule: FaultRule) -> FaultRule:
        """Check what every rule shares (method, times, session), then arm it."""
        if rule.method is not None:
            check.text("method", rule.method)
        if rule.times is not None:
            check.count("times", rule.times, minimum=1)
        if rule.session is not None:
            check.text("session", rule.session)
        self.rules.append(rule)
        return rule

    def remove(self, rule: FaultRule | int) -> bool:
        rule_id = rule if isinstance(rule, int) else rule.id
        for r in self.rules:
            if r.id == rule_id:
                self.rules.remove(r)
                return True
        return False

    def clear(self) -> None:
        """Disarm every rule and answer pings again."""
        self.rules.clear()
        for session in self._sim._sessions:
            session.ignore_pings = False

    def match(
        self, kind: str, method: str, session: str | None, stage: str | None = None
    ) -> FaultRule | None:
        """The first armed rule hitting this request (and count the hit)."""
        if not self.rules:
            return None
        for rule in self.rules:
            if rule.kind != kind or (rule.method is not None and rule.method != method):
                continue
            if rule.session is not None and rule.session != session:
                continue
            if stage is not None and rule.stage != stage:
                continue
            rule.hits += 1
            if rule.times is not None and rule.hits >= rule.times:
                self.rules.remove(rule)
            return rule
        return None

    # -- immediate faults ----------------------------------------------

    def _targets(self, session: str | None) -> list[Any]:
        sessions = list(self._sim._sessions)
        if session is not None:
            check.text("session", session)
            sessions = [s for s in sessions if s.id == session]
            if not sessions:
                raise LookupError(f"no session {session!r}")
        return sessions

    def drop(self, session: str | None = None) -> int:
        """Drop the socket of ``session`` (or of every session) now.

        The sessions stay restorable; returns how many sockets were dropped.
        """
        n = 0
        for s in self._targets(session):
            if s.connection is not None:
                s.connection.abort()
                n += 1
        return n

    def ignore_pings(self, enabled: bool = True, *, session: str | None = None) -> None:
        """Stop (or resume) answering blade.ping, as a half-open socket."""
        check.boolean("enabled", enabled)
        for s in self._targets(session):
            s.ignore_pings = enabled
        if session is None:
            self._sim._ignore_new_pings = enabled

    async def disconnect(self, session: str | None = None, *, timeout: float = 5.0) -> int:
        """Send blade.disconnect, wait for the client's result, close the socket.

        As the service does before maintenance; the sessions stay restorable.
        Returns how many sessions were told.
        """
        timeout = check.seconds("timeout", timeout, allow_none=False)  # type: ignore[assignment]
        targets = [s for s in self._targets(session) if s.connection is not None]
        async with anyio.create_task_group() as tg:
            for s in targets:
                tg.start_soon(self._sim._send_disconnect, s, timeout)
        return len(targets)

    def forget_sessions(self) -> int:
        """Forget every session, as a restarted service: sockets close, calls
        vanish, and the next reconnect gets ``session_restored: false``."""
        return self._sim._forget_sessions()
