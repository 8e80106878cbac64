"""The blocking ``Call``: every method of relay_anyio's Call, blocking.

Each line below names an async method; ``blocking`` builds its twin (same
name, parameters, defaults and docstring; see ``_facade``). ``x_async``
methods return a relay_sync Action at once. ``on`` callbacks run in worker
threads, in order per call, so they may call blocking methods.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import relay_anyio.call as _a

from ._facade import Facade, blocking, mirror_of
from ._portal import Callback, Lane, require_plain_callable
from .actions import (
    ConnectAction,
    DetectAction,
    FaxAction,
    PlayAction,
    PromptAction,
    RecordAction,
    SendDigitsAction,
    TapAction,
)

if TYPE_CHECKING:
    from ._portal import Core

__all__ = ["Call"]

_attr = mirror_of(_a.Call)


class Call(Facade[_a.Call], wraps=_a.Call):
    """A call between SignalWire and a device (``phone``); the blocking face of relay_anyio.Call.

    Properties: ``id``, ``call_type``, ``from_number``, ``to_number``,
    ``timeout``, ``state``, ``prev_state``, ``context``, ``active``,
    ``ended``, ``answered``, ``failed``, ``busy`` (plus ``node_id``, ``tag``,
    ``direction``, ``end_reason``, ``peer``). Reading them never blocks.
    """

    def __init__(self, core: Core, wrapped: _a.Call) -> None:
        super().__init__(core, wrapped)
        self._lane = Lane(core)

    id = _attr(lambda c: c.id)
    node_id = _attr(lambda c: c.node_id)
    tag = _attr(lambda c: c.tag)
    call_type = _attr(lambda c: c.call_type)
    from_number = _attr(lambda c: c.from_number)
    to_number = _attr(lambda c: c.to_number)
    timeout = _attr(lambda c: c.timeout)
    context = _attr(lambda c: c.context)
    direction = _attr(lambda c: c.direction)
    state = _attr(lambda c: c.state)
    prev_state = _attr(lambda c: c.prev_state)
    end_reason = _attr(lambda c: c.end_reason)
    answered = _attr(lambda c: c.answered)
    active = _attr(lambda c: c.active)
    ended = _attr(lambda c: c.ended)
    busy = _attr(lambda c: c.busy)
    failed = _attr(lambda c: c.failed)

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

    answer = blocking(_a.Call.answer)
    dial = blocking(_a.Call.dial)
    hangup = blocking(_a.Call.hangup)
    wait_for = blocking(_a.Call.wait_for)
    wait_for_ringing = blocking(_a.Call.wait_for_ringing)
    wait_for_answered = blocking(_a.Call.wait_for_answered)
    wait_for_ending = blocking(_a.Call.wait_for_ending)
    wait_for_ended = blocking(_a.Call.wait_for_ended)
    connect = blocking(_a.Call.connect)
    connect_async = blocking(_a.Call.connect_async, ConnectAction)
    disconnect = blocking(_a.Call.disconnect)
    play = blocking(_a.Call.play)
    play_async = blocking(_a.Call.play_async, PlayAction)
    play_audio = blocking(_a.Call.play_audio)
    play_audio_async = blocking(_a.Call.play_audio_async, PlayAction)
    play_silence = blocking(_a.Call.play_silence)
    play_silence_async = blocking(_a.Call.play_silence_async, PlayAction)
    play_ringtone = blocking(_a.Call.play_ringtone)
    play_ringtone_async = blocking(_a.Call.play_ringtone_async, PlayAction)
    play_tts = blocking(_a.Call.play_tts)
    play_tts_async = blocking(_a.Call.play_tts_async, PlayAction)
    prompt = blocking(_a.Call.prompt)
    prompt_async = blocking(_a.Call.prompt_async, PromptAction)
    prompt_audio = blocking(_a.Call.prompt_audio)
    prompt_audio_async = blocking(_a.Call.prompt_audio_async, PromptAction)
    prompt_tts = blocking(_a.Call.prompt_tts)
    prompt_tts_async = blocking(_a.Call.prompt_tts_async, PromptAction)
    prompt_ringtone = blocking(_a.Call.prompt_ringtone)
    prompt_ringtone_async = blocking(_a.Call.prompt_ringtone_async, PromptAction)
    record = blocking(_a.Call.record)
    record_async = blocking(_a.Call.record_async, RecordAction)
    detect = blocking(_a.Call.detect)
    detect_async = blocking(_a.Call.detect_async, DetectAction)
    detect_answering_machine = blocking(_a.Call.detect_answering_machine)
    detect_answering_machine_async = blocking(_a.Call.detect_answering_machine_async, DetectAction)
    amd = detect_answering_machine
    amd_async = detect_answering_machine_async
    detect_digit = blocking(_a.Call.detect_digit)
    detect_digit_async = blocking(_a.Call.detect_digit_async, DetectAction)
    detect_fax = blocking(_a.Call.detect_fax)
    detect_fax_async = blocking(_a.Call.detect_fax_async, DetectAction)
    fax_receive = blocking(_a.Call.fax_receive)
    fax_receive_async = blocking(_a.Call.fax_receive_async, FaxAction)
    fax_send = blocking(_a.Call.fax_send)
    fax_send_async = blocking(_a.Call.fax_send_async, FaxAction)
    send_digits = blocking(_a.Call.send_digits)
    send_digits_async = blocking(_a.Call.send_digits_async, SendDigitsAction)
    tap = blocking(_a.Call.tap)
    tap_async = blocking(_a.Call.tap_async, TapAction)
