"""The Relay simulator for blocking code: scripts, notebooks and plain pytest.

    with Simulator() as sim, Client(sim.project, sim.token, sim.url) as client:
        sim.phone("+15551230000", caller=human(presses="42#"))
        result = client.calling.dial(from_number="+15550000000", to_number="+15551230000")

``Simulator`` runs relay_anyio.testing.RelaySimulator in a portal thread of
its own (made with the same blocking facade as the Client), so it never
shares an event loop with the client under test, nor with Jupyter's.
"""

from __future__ import annotations

import functools
from typing import Any, Self

import relay_anyio.testing as _t
from relay_anyio.testing import Caller, busy, decline, fax, human, machine, no_answer

from ._facade import Facade, blocking, in_loop, mirror_of
from ._portal import Core, Opened

__all__ = ["CallHandle", "Caller", "Journal", "Simulator", "busy", "decline", "fax", "human", "machine", "no_answer"]

_handle = mirror_of(_t.CallHandle)


class CallHandle(Facade[_t.CallHandle], wraps=_t.CallHandle):
    """A simulated call seen from the far end (blocking face of relay_anyio.testing.CallHandle)."""

    call_id = _handle(lambda h: h.call_id)
    direction = _handle(lambda h: h.direction)
    context = _handle(lambda h: h.context)
    from_number = _handle(lambda h: h.from_number)
    to_number = _handle(lambda h: h.to_number)
    state = _handle(lambda h: h.state)
    end_reason = _handle(lambda h: h.end_reason)
    heard = _handle(lambda h: list(h.heard))
    digits_received = _handle(lambda h: h.digits_received)
    recordings = _handle(lambda h: list(h.recordings))
    faxes = _handle(lambda h: list(h.faxes))
    wait_for = blocking(_t.CallHandle.wait_for)
    ended = blocking(_t.CallHandle.ended)


class Journal(Facade[_t.Journal], wraps=_t.Journal):
    """Every frame the simulator received and sent; each method runs on the simulator's loop."""

    wait_for = blocking(_t.Journal.wait_for)
    filter = in_loop(_t.Journal.filter)
    commands = in_loop(_t.Journal.commands)
    events = in_loop(_t.Journal.events)
    clear = in_loop(_t.Journal.clear)

    @property
    def entries(self) -> list[_t.JournalEntry]:
        entries: list[_t.JournalEntry] = self._core.run(lambda: self._async.entries)
        return entries


_sim = mirror_of(_t.RelaySimulator)


class Simulator(Facade[_t.RelaySimulator], Opened, wraps=_t.RelaySimulator):
    """``with Simulator(time_scale=0) as sim:``: a RelaySimulator in a thread of its own.

    Keywords are RelaySimulator's (``time_scale``, ``project``, ``token``
    ...), plus ``backend`` (``"asyncio"`` or ``"trio"``) for its loop.
    """

    def __init__(self, *, backend: str = "asyncio", **options: Any) -> None:
        self._backend = backend
        self._make = functools.partial(_t.RelaySimulator, **options)
        self._journal: Journal | None = None

    url = _sim(lambda s: s.url)
    http_url = _sim(lambda s: s.http_url)
    port = _sim(lambda s: s.port)
    project = _sim(lambda s: s.project)
    token = _sim(lambda s: s.token)
    phone = in_loop(_t.RelaySimulator.phone)
    inbound_call = blocking(_t.RelaySimulator.inbound_call, CallHandle)
    wait_for_receiver = blocking(_t.RelaySimulator.wait_for_receiver)
    call = blocking(_t.RelaySimulator.call, CallHandle)
    message_recipient = in_loop(_t.RelaySimulator.message_recipient)
    inbound_message = blocking(_t.RelaySimulator.inbound_message)
    message = in_loop(_t.RelaySimulator.message)
    deliver_task = in_loop(_t.RelaySimulator.deliver_task)

    @property
    def messages(self) -> list[_t.SimMessage]:
        """Every message carried so far (sent by clients, inbound, replies), oldest first."""
        messages: list[_t.SimMessage] = self._core.run(lambda: self._async.messages)
        return messages

    @property
    def calls(self) -> list[CallHandle]:
        """Every call so far (inbound, dialed, connect legs), oldest first."""
        calls: list[CallHandle] = self._core.run(lambda: self._async.calls)
        return calls

    @property
    def journal(self) -> Journal:
        """The frame journal (``wait_for``, ``filter``, ``commands``, ``events``)."""
        assert self._journal is not None, "use `with Simulator() as sim:`"
        return self._journal

    def run(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """Run ``fn(relay_simulator, *args, **kwargs)`` (async or not) on the simulator's loop."""
        return self._core.run(fn, self._async, *args, **kwargs)

    def open(self) -> Self:
        """Start the simulator (what ``with`` does; handy in a notebook); returns it."""
        self._core, self._async = Core.start(self._backend, 1, self._make)
        self._journal = self._core.wrap(self._async.journal)
        return self

    def close(self) -> None:
        """Stop the simulator and join its thread."""
        self._core.close()
