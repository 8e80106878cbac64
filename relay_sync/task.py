"""``Task`` for blocking code: deliver a task over REST (see relay_anyio.task)."""

from __future__ import annotations

from typing import Any

import httpx

from relay_anyio.task import TaskConfig

__all__ = ["Task"]


class Task(TaskConfig):
    """Deliver tasks over REST, blocking: ``Task(project, token).deliver("office", {...})``."""

    def deliver(self, context: str, message: Any) -> bool:
        """POST ``{context, message}``; True when the service took it (HTTP 204).

        False (and a warning in the log) for a refusal (401: wrong
        credentials) or a failed request.
        """
        content = self._content(context, message)
        try:
            with httpx.Client(verify=self._verify, timeout=self.timeout) as http:
                response = http.post(self.url, content=content, auth=self._auth, headers=self._headers)
        except httpx.HTTPError as exc:
            return self._delivered(context, None, repr(exc))
        return self._delivered(context, response.status_code)
