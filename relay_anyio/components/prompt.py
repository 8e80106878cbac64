"""prompt: play media while collecting digits or speech (``calling.play_and_collect``).

Declared here: ``calling.play_and_collect`` and its verbs ``stop`` and
``volume``; the collect event family (``calling.call.collect``: the single
``on()`` name ``prompt``); PromptResult, PromptVolumeResult, PromptAction;
the ``prompt*`` methods, whose collect options are written once
(``commands.CollectOptions``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Unpack

import attrs

from .. import commands
from .._callcore import CallCore
from ..commands import CollectOptions
from ..events import EventFamily
from ..protocol import obj
from ..results import Result, StopResult
from ..wire import COLLECT_RESULTS
from ._action import Action, expand_options, verb, waiting

__all__ = ["COLLECT", "PromptAction", "PromptMethods", "PromptResult", "PromptVolumeResult"]

COLLECT = EventFamily(
    "calling.call.collect", None, COLLECT_RESULTS,
    state=lambda params: obj(params.get("result")).get("type"),
    fixed=("prompt",),
    result_payload=lambda params: obj(params.get("result")),
)


@attrs.frozen(kw_only=True)
class PromptResult(Result):
    """Result of ``prompt*()``.

    ``prompt_type``: ``digit``, ``speech``, ``no_input``, ``no_match`` or
    ``error``; ``result``: the digits or the recognized text;
    ``terminator`` (digits) or ``confidence`` (speech).
    """

    prompt_type: str | None = None
    result: str | None = None
    terminator: str | None = None
    confidence: float | None = None


@attrs.frozen(kw_only=True)
class PromptVolumeResult(StopResult):
    """Result of ``PromptAction.volume()``."""


class PromptAction(Action[PromptResult]):
    """A running ``prompt``: ``stop()``, ``volume(db)``."""

    methods = ("calling.play_and_collect",)
    family = COLLECT
    result_class = PromptResult
    __slots__ = ("_outcome",)

    def __init__(self, call: CallCore, params: dict[str, Any]) -> None:
        super().__init__(call, params)
        self._outcome: dict[str, Any] = {}

    def _on_event(self, params: dict[str, Any]) -> None:
        outcome = params.get("result")
        if not isinstance(outcome, dict):
            return
        kind = outcome.get("type")
        found = obj(outcome.get("params"))
        fields: dict[str, Any] = {"prompt_type": kind}
        if kind == "digit":
            fields.update(result=found.get("digits"), terminator=found.get("terminator"))
        elif kind == "speech":
            confidence = found.get("confidence")
            fields.update(
                result=found.get("text"),
                confidence=float(confidence) if isinstance(confidence, (int, float)) else None,
            )
        self._outcome = fields
        successful = kind in ("digit", "speech")
        self.state = "successful" if successful else str(kind)  # the official SDK's states
        self._finish(successful, params=params, error=None if successful else str(kind))

    def _fields(self) -> dict[str, Any]:
        return dict(self._outcome)

    @verb
    async def volume(self, value: float) -> PromptVolumeResult:
        """Set the volume of the prompt's media in dB, -40 to +40."""
        result: PromptVolumeResult = await self._verb("volume", PromptVolumeResult, volume=commands.volume(value))
        return result


class PromptMethods(CallCore):
    """prompt, prompt_audio, prompt_tts, prompt_ringtone (and their ``_async`` twins)."""

    __slots__ = ()

    @expand_options(CollectOptions, "collect")
    async def prompt_async(
        self, prompt_type: str, media_list: Sequence[Any], *, volume: float = 0, **collect: Unpack[CollectOptions]
    ) -> PromptAction:
        """Play media while collecting digits and/or speech; returns a PromptAction at once.

        ``prompt_type``: ``digits``, ``speech`` or ``both``. ``volume``:
        -40..+40 dB. ``initial_timeout``: seconds to wait for input (service
        default 4). Digits: ``digits_max`` (required), ``digits_terminators``,
        ``digits_timeout``. Speech: ``end_silence_timeout`` (default 1),
        ``speech_timeout`` (default 60), ``speech_language`` (default en-US),
        ``speech_hints``. Options of the other type are refused.
        """
        return await self._start(self._prompt(prompt_type, media_list, volume, collect))

    def _prompt(
        self, prompt_type: str, media_list: Sequence[Any], volume: float, collect: CollectOptions
    ) -> PromptAction:
        """The PromptAction of ``prompt_async``, checked, not started (its variants
        start it themselves: one coroutine frame less per call in flight)."""
        params: dict[str, Any] = {
            "play": commands.media_list(media_list),
            "collect": commands.collect(prompt_type, **collect),
        }
        db = commands.volume(volume)
        if db != 0:
            params["volume"] = db
        return PromptAction(self, params)

    prompt = waiting(
        prompt_async, "Play media while collecting input and wait for it: ``result.result`` is the digits "
        "or text, with ``terminator`` or ``confidence``."
    )

    @expand_options(CollectOptions, "collect")
    async def prompt_audio_async(
        self, prompt_type: str, url: str, *, volume: float = 0, **collect: Unpack[CollectOptions]
    ) -> PromptAction:
        """Play an audio file while collecting input; returns a PromptAction at once.

        ``url``: the file (http(s)); the other parameters are ``prompt``'s.
        """
        return await self._start(self._prompt(prompt_type, [{"type": "audio", "url": url}], volume, collect))

    prompt_audio = waiting(prompt_audio_async, "Play an audio file while collecting input, and wait for it.")

    @expand_options(CollectOptions, "collect")
    async def prompt_tts_async(
        self,
        prompt_type: str,
        text: str,
        language: str | None = None,
        gender: str | None = None,
        *,
        volume: float = 0,
        **collect: Unpack[CollectOptions],
    ) -> PromptAction:
        """Speak ``text`` while collecting input; returns a PromptAction at once.

        ``language`` (default en-US), ``gender`` (``male`` or ``female``,
        default female); the other parameters are ``prompt``'s.
        """
        media = commands.tts_media(text, language, gender)
        return await self._start(self._prompt(prompt_type, [media], volume, collect))

    prompt_tts = waiting(prompt_tts_async, "Speak ``text`` while collecting input, and wait for it.")

    @expand_options(CollectOptions, "collect")
    async def prompt_ringtone_async(
        self,
        prompt_type: str,
        name: str,
        duration: float | None = None,
        *,
        volume: float = 0,
        **collect: Unpack[CollectOptions],
    ) -> PromptAction:
        """Play a ringtone while collecting input; returns a PromptAction at once.

        ``name``: a country code; ``duration``: seconds, default one
        iteration; the other parameters are ``prompt``'s.
        """
        media = commands.ringtone_media(name, duration)
        return await self._start(self._prompt(prompt_type, [media], volume, collect))

    prompt_ringtone = waiting(prompt_ringtone_async, "Play a ringtone while collecting input, and wait for it.")
