"""A Relay v2 simulator for tests, demos and benchmarks.

``async with RelaySimulator(time_scale=0) as sim:`` runs a local service on
``sim.url``; ``sim.phone(...)`` scripts dialed numbers, ``await
sim.inbound_call(...)`` places calls, ``sim.journal`` records every frame,
``sim.faults`` injects failures; ``sim.message_recipient(...)`` and ``await
sim.inbound_message(...)`` script messaging, and tasks POSTed to
``sim.http_url`` + ``/api/relay/rest/tasks`` reach the clients. Also a CLI (``relay-sim``) and a pytest
plugin (fixtures ``relay_simulator`` and ``relay_client``).
"""

from ._callers import Caller, busy, decline, fax, human, machine, no_answer
from ._calls import CallHandle, FaxInfo, HeardMedia, RecordingInfo
from ._faults import FaultRule, Faults
from ._errors import MissingExtra
from ._journal import Journal, JournalEntry
from ._messaging import MessageRecipient, SimMessage
from ._tasks import TASK_REQUEST
from .simulator import RECEIVER_TIMEOUT, RelaySimulator

__all__ = [
    "CallHandle",
    "Caller",
    "FaultRule",
    "Faults",
    "FaxInfo",
    "HeardMedia",
    "Journal",
    "JournalEntry",
    "MessageRecipient",
    "MissingExtra",
    "RECEIVER_TIMEOUT",
    "RecordingInfo",
    "RelaySimulator",
    "SimMessage",
    "TASK_REQUEST",
    "busy",
    "decline",
    "fax",
    "human",
    "machine",
    "no_answer",
]
