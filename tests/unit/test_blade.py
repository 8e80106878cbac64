"""The pure Blade client (relay_anyio.blade) without sockets: states, restore or fresh, re-sends, duplicates.

A stateful hypothesis test interleaves commands, answers, drops (with
answers lost on the way), restores, fresh sessions, handshakes cut short,
timeouts of commands never sent, duplicate answers and re-delivered events,
and checks after every step: each command settles at most once (and every
one exactly once in the end), none runs twice on the service, and events
reach the application once each, in the order raised.
"""

from __future__ import annotations

import collections
import itertools
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from relay_anyio import protocol as p
from relay_anyio.blade import BladeClient, State
from relay_anyio.errors import AuthenticationError, CommandTimeout, ConnectionClosed
from relay_anyio.pending import Command

from .blade_service import PROJECT, TOKEN, BladeService


class Harness:
    """A BladeClient with recording callbacks and a fake clock."""

    def __init__(self) -> None:
        self.now = 0.0
        self.settled: collections.Counter[str] = collections.Counter()
        self.events: list[str] = []
        self.lost: list[str] = []
        self.states: list[State] = []
        self.blade = BladeClient(
            project=PROJECT, token=TOKEN, agent="test",
            on_event=lambda event: self.events.append(event.params["state"]),
            on_session_lost=self.lost.append,
            settled=lambda command: self.settled.update([command.id]),
            on_state=self.states.append,
            clock=lambda: self.now,
        )
        self.service = BladeService(self.blade)

    def submit(self, method: str = "calling.play", call_id: str | None = "c") -> Command:
        command = Command(method, {"call_id": call_id} if call_id else {}, call_id)
        self.blade.submit(command)
        self.service.pump()
        return command


def result(command: Command) -> str:
    if command.error is not None:
        return repr(command.error)
    if command.failure is not None:
        return command.failure
    assert command.response is not None
    return p.parse_execute_result(command.response).code


# --------------------------------------------------------------------------
# Examples


def test_states_of_a_first_connection_and_frames_of_the_handshake() -> None:
    h = Harness()
    assert h.blade.state is State.DISCONNECTED
    queued = h.submit()  # before any connection: kept, not sent
    assert not queued.sent and h.blade.frames_to_send() == []
    h.blade.contexts.append("office")
    h.service.connect()
    assert h.states == [State.CONNECTING, State.SETTING_UP, State.SETTING_UP, State.SETTING_UP, State.READY]
    assert h.blade.sessionid == "s1" and h.blade.protocol == "proto-s1" and h.blade.restores == 0
    assert [f["id"] for f in h.service.inflight] == [queued.id] and queued.gen == 1
    h.service.run(0)
    assert result(queued) == "200" and h.settled[queued.id] == 1


def test_restore_resends_what_was_unanswered_with_the_same_id() -> None:
    h = Harness()
    h.service.connect()
    lost_answer, unsent_reply = h.submit(), h.submit()
    h.service.run(0, deliver=False)  # ran on the service; the answer died with the socket
    assert h.blade.state is State.DISCONNECTED and not lost_answer.settled
    h.service.connect()  # the same session back
    assert h.blade.restores == 1 and h.blade.state is State.READY
    assert sorted(f["id"] for f in h.service.inflight) == sorted([lost_answer.id, unsent_reply.id])
    h.service.run(0)
    h.service.run(0)
    assert result(lost_answer) == result(unsent_reply) == "200"
    assert h.service.runs[lost_answer.id] == 1, "a re-send into the restored session ran it again"


def test_a_fresh_session_fails_what_was_sent_and_what_aims_at_old_calls() -> None:
    h = Harness()
    h.service.connect()
    sent = h.submit()
    h.service.drop()
    for_old_call = h.submit(call_id="old-call")
    not_for_a_call = h.submit("calling.begin", call_id=None)
    h.service.forget_sessions()
    h.service.connect()
    assert h.blade.sessionid == "s2" and h.lost == ["session lost"]
    assert result(sent) == result(for_old_call) == "session lost"
    assert [f["id"] for f in h.service.inflight] == [not_for_a_call.id]


def test_a_handshake_cut_short_is_set_up_again_and_old_calls_end_once() -> None:
    h = Harness()
    h.service.connect()
    h.service.forget_sessions()
    h.service.drop()
    h.service.connect(steps=2)  # blade.connect and signalwire.setup answered, then the socket dies
    h.service.drop()
    assert h.lost == [], "the old calls end only once the new session is set up"
    h.service.connect()  # restored, but its set-up never finished: finish it
    assert h.blade.state is State.READY and h.lost == ["session lost"]
    assert h.blade.protocol == h.service.session.protocol  # type: ignore[union-attr]


def test_duplicate_answers_and_redelivered_events_count_once() -> None:
    h = Harness()
    h.service.connect()
    command = h.submit()
    h.service.run(0)
    h.service.repeat_answer(command.id)
    assert h.settled[command.id] == 1
    first = h.service.raise_event()
    h.service.deliver_event(first)
    h.service.raise_event()
    assert h.events == h.service.events_sent and len(h.events) == 2


def test_refused_connect_is_reported_as_failure_not_raised() -> None:
    h = Harness()
    h.blade.connection_opened()
    (connect,) = h.service.take_frames()
    h.blade.receive(p.encode(p.ErrorResponse(connect["id"], p.AUTH_ERROR, "bad token")))
    assert isinstance(h.blade.failure, AuthenticationError) and h.blade.state is State.CONNECTING
    assert h.states[-1] is State.CONNECTING  # reported, so the I/O layer stops waiting


def test_server_disconnect_queues_commands_until_the_next_connection() -> None:
    h = Harness()
    h.service.connect()
    reply = h.blade.receive(p.encode(p.Request("bye", p.DISCONNECT, {})))
    assert reply is not None and h.blade.state is State.DISCONNECTING
    queued = h.submit()
    assert not queued.sent
    h.service.drop()
    h.service.connect()
    assert [f["id"] for f in h.service.inflight] == [queued.id]


def test_close_raises_in_every_waiting_command_and_is_final() -> None:
    h = Harness()
    waiting = h.submit()
    h.blade.close(ConnectionClosed("closed"))
    assert isinstance(waiting.error, ConnectionClosed) and h.blade.state is State.CLOSED
    with pytest.raises(RuntimeError):
        h.blade.connection_opened()


# --------------------------------------------------------------------------
# Stateful: everything interleaved


class BladeMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.h = Harness()
        self.commands: list[Command] = []
        self.discarded_unsent: set[str] = set()
        self.names = itertools.count()

    @property
    def service(self) -> BladeService:
        return self.h.service

    @property
    def blade(self) -> BladeClient:
        return self.h.blade

    def waiting(self) -> list[Command]:
        return [c for c in self.commands if not c.settled and c.id in self.blade.pending]

    # -- connections ---------------------------------------------------------

    @precondition(lambda self: not self.service.connected and self.blade.state is not State.CLOSED)
    @rule(restart=st.booleans())
    def connect(self, restart: bool) -> None:
        if restart:
            self.service.forget_sessions()
        self.service.connect()
        assert self.blade.state is State.READY

    @precondition(lambda self: not self.service.connected and self.blade.state is not State.CLOSED)
    @rule(steps=st.integers(min_value=0, max_value=3), restart=st.booleans())
    def connect_and_drop_in_handshake(self, steps: int, restart: bool) -> None:
        if restart:
            self.service.forget_sessions()
        self.service.connect(steps=steps)
        self.service.drop()

    @precondition(lambda self: self.service.connected)
    @rule()
    def drop(self) -> None:
        self.service.drop()

    # -- commands --------------------------------------------------------------

    @precondition(lambda self: self.blade.state is not State.CLOSED)
    @rule(for_a_call=st.booleans())
    def submit(self, for_a_call: bool) -> None:
        self.commands.append(self.h.submit(call_id=f"call-{next(self.names)}" if for_a_call else None))

    @precondition(lambda self: self.service.inflight)
    @rule(data=st.data(), deliver=st.booleans())
    def run_one(self, data: st.DataObject, deliver: bool) -> None:
        index = data.draw(st.integers(min_value=0, max_value=len(self.service.inflight) - 1))
        self.service.run(index, deliver=deliver)

    @precondition(lambda self: self.service.session is not None and self.service.session.answers and self.service.connected)
    @rule(data=st.data())
    def duplicate_answer(self, data: st.DataObject) -> None:
        assert self.service.session is not None
        command_id = data.draw(st.sampled_from(list(self.service.session.answers)))
        self.service.repeat_answer(command_id)

    @precondition(lambda self: any(not c.sent for c in self.waiting()))
    @rule(data=st.data(), discard=st.booleans())
    def give_up_on_unsent(self, data: st.DataObject, discard: bool) -> None:
        """What Session does when a command waited ``timeout`` for a connection (or its caller left)."""
        command = data.draw(st.sampled_from([c for c in self.waiting() if not c.sent]))
        if discard:
            self.blade.pending.discard(command)
            self.blade.pending.raise_in(command, CommandTimeout(command.method, 1.0, sent=False))
        else:
            self.blade.pending.raise_in(command, CommandTimeout(command.method, 1.0, sent=False))
        self.discarded_unsent.add(command.id)

    # -- events ---------------------------------------------------------------------

    @precondition(lambda self: self.service.connected and self.blade.state is State.READY)
    @rule()
    def raise_event(self) -> None:
        self.service.raise_event()

    @precondition(lambda self: self.service.connected and self.blade.state is State.READY and self.service.events_sent)
    @rule(data=st.data())
    def redeliver_event(self, data: st.DataObject) -> None:
        self.service.deliver_event(data.draw(st.sampled_from(self.service.events_sent[-SEEN_WINDOW:])))

    # -- checks -------------------------------------------------------------------------

    @invariant()
    def settled_at_most_once(self) -> None:
        assert all(n == 1 for n in self.h.settled.values()), self.h.settled

    @invariant()
    def nothing_ran_twice(self) -> None:
        assert all(n == 1 for n in self.service.runs.values()), self.service.runs
        assert not self.discarded_unsent & set(self.service.runs), "a command given up before sending ran"

    @invariant()
    def events_once_in_order(self) -> None:
        assert self.h.events == self.service.events_sent

    @invariant()
    def answers_are_the_services(self) -> None:
        for command in self.commands:
            if command.response is not None:
                assert self.service.runs[command.id] == 1

    def teardown(self) -> None:
        self.blade.close(ConnectionClosed("the end"))
        for command in self.commands:
            assert self.h.settled[command.id] == 1, f"{command} never settled"


# Event ids re-delivered come from the recent past (the client remembers SEEN_EVENTS of them).
SEEN_WINDOW = 50

TestBladeMachine = BladeMachine.TestCase
TestBladeMachine.settings = settings(
    max_examples=150, stateful_step_count=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

