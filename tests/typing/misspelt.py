"""Mistakes a type checker must catch (``test_static_types`` expects each error)."""

from __future__ import annotations

import relay_anyio
import relay_sync


def blocking() -> None:
    relay_sync.Client("project", "token", "example.signalwire.com", timout=5)  # E: timout


async def asynchronous(call: relay_anyio.Call) -> None:
    await call.prompt_tts("digits", "PIN?", digits_mx=4)  # E: digits_mx
    relay_sync_call: relay_sync.Call = call  # E: an async Call is not a blocking one
    print(relay_sync_call)


class IVR(relay_sync.Consumer):
    contexts = ["office"]


IVR(projct="p")  # E: projct
