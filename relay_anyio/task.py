"""``Task``: deliver a task to the Relay clients receiving a context, from any backend.

A task is a JSON message POSTed to the service's REST API (``https://HOST
/api/relay/rest/tasks``, Basic auth with the project and token); the
service hands it to one client receiving the context, whose
``client.tasking.receive`` handler (or Consumer ``on_task``) gets the
message. No Relay connection is needed to send one.
"""

from __future__ import annotations

import logging
import ssl
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson

from . import addresses
from ._urls import http_url, resolve_url, tls
from .commands import number, text
from .errors import InvalidArgumentType
from .wire import TASKS_PATH

__all__ = ["Task", "TaskConfig", "tasks_url"]

log = logging.getLogger("relay_anyio.task")

_WS_OF_HTTP = {"http://": "ws://", "https://": "wss://"}


def tasks_url(host: str, *, allow_insecure: bool = False) -> str:
    """The REST tasks endpoint for ``host``, given the way a Client's host is.

    ``name[:port]`` means https; a ``ws://``/``wss://`` URL (``sim.url``) or an
    ``http://``/``https://`` one (``sim.http_url``) is taken as given, its
    scheme mapped to http(s). Plain text only to loopback unless
    ``allow_insecure``.
    """
    if isinstance(host, str):
        for http, ws in _WS_OF_HTTP.items():
            if host.strip().startswith(http):
                host = ws + host.strip()[len(http):]
    base = urlsplit(http_url(resolve_url(host, allow_insecure=allow_insecure)))
    return f"{base.scheme}://{base.netloc}{TASKS_PATH}"


class TaskConfig:
    """What a Task sends with; shared by relay_anyio.Task and relay_sync.Task.

    ``host``: as a Client's (``relay.signalwire.com``, ``sim.url``,
    ``sim.http_url``). ``timeout``: seconds for the whole request.
    ``verify``: TLS verification (True, a CA bundle path or an SSLContext).
    """

    def __init__(
        self,
        project: str,
        token: str,
        host: str = "relay.signalwire.com",
        *,
        timeout: float = 10.0,
        verify: ssl.SSLContext | str | bool = True,
        allow_insecure: bool = False,
    ) -> None:
        self.project = text("project", project)
        self._auth = (project, text("token", token))
        self.host = host
        self.url = tasks_url(host, allow_insecure=allow_insecure)
        self.timeout = number("timeout", timeout, minimum=0)
        self._verify = tls(verify)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.url} project={self.project}>"

    _headers = {"content-type": "application/json"}

    def _content(self, context: str, message: Any) -> bytes:
        addresses.context("context", context)
        try:
            return orjson.dumps({"context": context, "message": message})
        except TypeError:
            raise InvalidArgumentType("message", message, "JSON data (dict, list, str, number, bool or None)") from None

    def _delivered(self, context: str, status: int | None, why: str = "") -> bool:
        if status == 204:
            return True
        log.warning("task for context %r not delivered: %s", context, why or f"HTTP {status}")
        return False


class Task(TaskConfig):
    """Deliver tasks over REST: ``await Task(project, token).deliver("office", {...})``."""

    async def deliver(self, context: str, message: Any) -> bool:
        """POST ``{context, message}``; True when the service took it (HTTP 204).

        False (and a warning in the log) for a refusal (401: wrong
        credentials) or a failed request.
        """
        content = self._content(context, message)
        try:
            async with httpx.AsyncClient(verify=self._verify, timeout=self.timeout) as http:
                response = await http.post(self.url, content=content, auth=self._auth, headers=self._headers)
        except httpx.HTTPError as exc:
            return self._delivered(context, None, repr(exc))
        return self._delivered(context, response.status_code)
