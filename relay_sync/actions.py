"""Blocking Actions: handles on running components, as returned by ``call.*_async``.

``stop()``, ``pause()``, ``resume()``, ``volume()`` and ``wait()`` block
until the service answers (``wait()`` until the component ends);
``completed``, ``state``, ``result``, ``control_id`` and ``payload`` are
plain reads that never block.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import relay_anyio.actions as _a
from relay_anyio.results import Result

from ._facade import Facade, blocking, mirror_of

if TYPE_CHECKING:
    from .call import Call

__all__ = [
    "Action",
    "ConnectAction",
    "DetectAction",
    "FaxAction",
    "PlayAction",
    "PromptAction",
    "RecordAction",
    "SendDigitsAction",
    "TapAction",
]

_attr = mirror_of(_a.Action)


class Action(Facade[_a.Action], wraps=_a.Action):
    """Base of every Action. Not created by users: Call methods return them."""

    control_id = _attr(lambda a: a.control_id)
    payload = _attr(lambda a: a.payload)
    completed = _attr(lambda a: a.completed)
    state = _attr(lambda a: a.state)
    method = _attr(lambda a: a.method)
    event_type = _attr(lambda a: a.event_type)
    result_class = _attr(lambda a: a.result_class)
    wait = blocking(_a.Action.wait)

    @property
    def result(self) -> Result:
        """The Result as it stands (final once ``completed``)."""
        value: Result = self._core.sync(self._async.result)
        return value

    @property
    def call(self) -> Call:
        """The Call this action runs on."""
        value: Call = self._core.wrap(self._async.call)
        return value


class _Stoppable(Action, wraps=_a._Stoppable):
    stop = blocking(_a._Stoppable.stop)


class PlayAction(_Stoppable, wraps=_a.PlayAction):
    """A running ``play``: ``stop()``, ``pause()``, ``resume()``, ``volume(db)``."""

    pause = blocking(_a.PlayAction.pause)
    resume = blocking(_a.PlayAction.resume)
    volume = blocking(_a.PlayAction.volume)


class PromptAction(_Stoppable, wraps=_a.PromptAction):
    """A running ``prompt``: ``stop()``, ``volume(db)``."""

    volume = blocking(_a.PromptAction.volume)


class RecordAction(_Stoppable, wraps=_a.RecordAction):
    """A running ``record``; ``url`` is known as soon as it starts."""

    url = mirror_of(_a.RecordAction)(lambda a: a.url)


class DetectAction(_Stoppable, wraps=_a.DetectAction):
    """A running detector (see relay_anyio.DetectAction)."""

    detect_type = mirror_of(_a.DetectAction)(lambda a: a.detect_type)


class FaxAction(_Stoppable, wraps=_a.FaxAction):
    """A running fax send or receive."""


class SendDigitsAction(_Stoppable, wraps=_a.SendDigitsAction):
    """A running ``send_digits``."""


class TapAction(_Stoppable, wraps=_a.TapAction):
    """A running ``tap``; ``source_device`` is known once it starts."""

    source_device = mirror_of(_a.TapAction)(lambda a: a.source_device)


class ConnectAction(Action, wraps=_a.ConnectAction):
    """A running ``connect``; ``stop()`` ends it (``calling.disconnect``)."""

    stop = blocking(_a.ConnectAction.stop)
