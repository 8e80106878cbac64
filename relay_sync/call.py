"""The blocking ``Call``: every method of relay_anyio's Call, blocking.

The methods and attributes are generated from relay_anyio's declarations
(``CallMethods`` in ``relay_sync/_generated.py``: same names, parameters,
defaults and docstrings; ``x_async`` methods return a relay_sync Action at
once). Here is what takes relay_sync objects: ``on``/``off``, whose
callbacks run in worker threads, in order per call, so they may call
blocking methods; and ``peer``, the connected Call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import relay_anyio.call as _a

from ._generated import CallMethods
from ._portal import Callback, Lane, require_plain_callable

if TYPE_CHECKING:
    from ._portal import Core

__all__ = ["Call"]


class Call(CallMethods, wraps=_a.Call):
    """A call between SignalWire and a device (``phone``); the blocking face of relay_anyio.Call.

    Properties: ``id``, ``call_type``, ``from_number``, ``to_number``,
    ``timeout``, ``state``, ``prev_state``, ``context``, ``active``,
    ``ended``, ``answered``, ``failed``, ``busy``, ``device`` (plus
    ``node_id``, ``tag``, ``direction``, ``end_reason``, ``peer``). Reading
    them never blocks.
    """

    def __init__(self, core: Core, wrapped: _a.Call) -> None:
        super().__init__(core, wrapped)
        self._lane = Lane(core)


    @property
    def peer(self) -> Call | None:
        """The call connected with this one by ``connect``, if any."""
        peer = self._async.peer
        return None if peer is None else self._core.wrap(peer)

    def on(self, event: str, callback: _a.Callback) -> Call:
        require_plain_callable("callback", callback)
        self._core.run(self._async.on, event, Callback(callback, self._core, self._lane))
        return self

    def off(self, event: str, callback: _a.Callback | None = None) -> Call:
        wrapped = None if callback is None else Callback(callback, self._core, self._lane)
        self._core.run(self._async.off, event, wrapped)
        return self

    on.__doc__ = f"{_a.Call.on.__doc__}\n\n        relay_sync runs ``callback`` in a worker thread (never the event loop's), so it may\n        call blocking methods; a call's callbacks run one at a time, in event order.\n        "
    off.__doc__ = _a.Call.off.__doc__
