"""What every blocking Action has that cannot be generated: its ``result`` and ``call``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import relay_anyio as _a
from relay_anyio.results import Result

from ._facade import Facade

if TYPE_CHECKING:
    from .call import Call

__all__ = ["ActionBase"]


class ActionBase(Facade[_a.Action[Any]]):
    """Base of the generated blocking Actions (``relay_sync/_generated.py``)."""

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
