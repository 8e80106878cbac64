"""fax: send and receive faxes (``calling.send_fax``, ``calling.receive_fax``).

Declared here: both wire methods and their verb ``stop``; the fax event
family (``calling.call.fax``: ``fax.stateChange``, ``fax.page``,
``fax.finished``, ``fax.error``); FaxResult; FaxAction; the ``fax_*`` methods.
"""

from __future__ import annotations

from typing import Any

import attrs

from .. import commands
from .._callcore import CallCore
from ..errors import InvalidArgument
from ..events import EventFamily
from ..protocol import obj
from ..results import Result
from ..wire import FAX_EVENTS
from ._action import Action, waiting

__all__ = ["FAX", "FaxAction", "FaxMethods", "FaxResult"]

FAX = EventFamily(
    "calling.call.fax", "fax", FAX_EVENTS,
    state=lambda params: obj(params.get("fax")).get("type"),
    result_payload=lambda params: obj(params.get("fax")),
)
#: The FaxResult fields, taken from the fax event's params as the service sends them.
FAX_FIELDS = ("direction", "identity", "remote_identity", "document", "pages")


@attrs.frozen(kw_only=True)
class FaxResult(Result):
    """Result of ``fax_send()`` / ``fax_receive()``: ``direction``, ``identity``,
    ``remote_identity``, ``document`` and ``pages``, as the service reports them."""

    direction: str | None = None
    identity: str | None = None
    remote_identity: str | None = None
    document: str | None = None
    pages: int | None = None


class FaxAction(Action[FaxResult]):
    """A running fax send or receive."""

    methods = ("calling.send_fax", "calling.receive_fax")
    family = FAX
    result_class = FaxResult
    __slots__ = ("_fax",)

    def __init__(self, call: CallCore, params: dict[str, Any], *, method: str) -> None:
        super().__init__(call, params, method=method)
        self._fax: dict[str, Any] = {}

    def _on_event(self, params: dict[str, Any]) -> None:
        fax = params.get("fax")
        if not isinstance(fax, dict):
            return
        kind = fax.get("type")
        reported = obj(fax.get("params"))
        self.state = kind if isinstance(kind, str) else self.state
        self._fax.update((key, reported[key]) for key in FAX_FIELDS if key in reported)
        if kind == "finished":
            ok = reported.get("success") is True
            self._finish(ok, params=params, error=None if ok else "fax failed")
        elif kind == "error":
            self._finish(False, params=params, error="fax error")

    def _fields(self) -> dict[str, Any]:
        return dict(self._fax)


class FaxMethods(CallCore):
    """fax_receive, fax_send (and their ``_async`` twins)."""

    __slots__ = ()

    async def fax_receive_async(self) -> FaxAction:
        """Start receiving a fax; returns a FaxAction at once."""
        return await self._start(FaxAction(self, {}, method="calling.receive_fax"))

    fax_receive = waiting(fax_receive_async, "Receive a fax and wait until done: ``document`` (URL) and ``pages``.")

    async def fax_send_async(
        self, document: str | None = None, identity: str | None = None, header: str | None = None, *, url: str | None = None
    ) -> FaxAction:
        """Start sending a fax; returns a FaxAction at once.

        ``document``: an http(s) URL of a PDF (``url=`` is accepted too, the
        official SDK's name), ``identity``: the number shown to the far end,
        ``header``: the header line on each page.
        """
        if document is not None and url is not None and document != url:
            raise InvalidArgument("url", url, "the same as document (give one of them)")
        params = commands.fax_send(document if document is not None else url, identity, header)
        return await self._start(FaxAction(self, params, method="calling.send_fax"))

    fax_send = waiting(fax_send_async, "Send a fax and wait until done.")
