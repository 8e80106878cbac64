"""play: media played to the call (``calling.play``).

Declared here: ``calling.play`` and its verbs ``stop``, ``pause``,
``resume``, ``volume``; the play event family (``calling.call.play``:
``play.stateChange``, ``play.playing``, ``play.error``, ``play.finished``);
PlayResult and the verbs' Results; PlayAction; the ``play*`` methods.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

from .. import commands
from .._callcore import CallCore
from ..events import EventFamily
from ..results import Result, StopResult
from ..wire import PLAY_STATES
from ._action import Action, verb, waiting

__all__ = [
    "PLAY",
    "PlayAction",
    "PlayMethods",
    "PlayPauseResult",
    "PlayResult",
    "PlayResumeResult",
    "PlayVolumeResult",
]

PLAY = EventFamily("calling.call.play", "play", PLAY_STATES)


@attrs.frozen(kw_only=True)
class PlayResult(Result):
    """Result of ``play*()``."""


@attrs.frozen(kw_only=True)
class PlayPauseResult(StopResult):
    """Result of ``PlayAction.pause()``."""


@attrs.frozen(kw_only=True)
class PlayResumeResult(StopResult):
    """Result of ``PlayAction.resume()``."""


@attrs.frozen(kw_only=True)
class PlayVolumeResult(StopResult):
    """Result of ``PlayAction.volume()``."""


class PlayAction(Action[PlayResult]):
    """A running ``play``: ``stop()``, ``pause()``, ``resume()``, ``volume(db)``."""

    methods = ("calling.play",)
    family = PLAY
    result_class = PlayResult
    outcomes = {"finished": None, "error": "play error"}
    __slots__ = ()

    @verb
    async def pause(self) -> PlayPauseResult:
        """Pause the playback."""
        result: PlayPauseResult = await self._verb("pause", PlayPauseResult)
        return result

    @verb
    async def resume(self) -> PlayResumeResult:
        """Resume a paused playback."""
        result: PlayResumeResult = await self._verb("resume", PlayResumeResult)
        return result

    @verb
    async def volume(self, value: float) -> PlayVolumeResult:
        """Set the volume in dB, -40 to +40 (0 = unchanged)."""
        result: PlayVolumeResult = await self._verb("volume", PlayVolumeResult, volume=commands.volume(value))
        return result


class PlayMethods(CallCore):
    """play, play_audio, play_silence, play_ringtone, play_tts (and their ``_async`` twins)."""

    __slots__ = ()

    async def play_async(self, media_list: Sequence[Any], volume: float = 0) -> PlayAction:
        """Play a list of media; returns a PlayAction at once.

        Media items: ``{"type": "audio", "url"}``, ``{"type": "tts", "text",
        "language"?, "gender"?}``, ``{"type": "silence", "duration"}``,
        ``{"type": "ringtone", "name", "duration"?}``. ``volume``: -40..+40 dB,
        0 (default) leaves it unchanged.
        """
        return await self._start(self._play(media_list, volume))

    def _play(self, media_list: Sequence[Any], volume: float) -> PlayAction:
        """The PlayAction of ``play_async``, checked, not started (its variants start it
        themselves: one coroutine frame less per call in flight)."""
        params: dict[str, Any] = {"play": commands.media_list(media_list)}
        db = commands.volume(volume)
        if db != 0:
            params["volume"] = db
        return PlayAction(self, params)

    play = waiting(play_async, "Play a list of media and wait until playing ends: a PlayResult.")

    async def play_audio_async(self, url: str, volume: float = 0) -> PlayAction:
        """Play an audio file (an http(s) URL); returns a PlayAction at once."""
        return await self._start(self._play([{"type": "audio", "url": url}], volume))

    play_audio = waiting(play_audio_async, "Play an audio file (an http(s) URL) and wait until it ends.")

    async def play_silence_async(self, duration: float) -> PlayAction:
        """Play ``duration`` seconds of silence; returns a PlayAction at once."""
        return await self._start(self._play([{"type": "silence", "duration": duration}], 0))

    play_silence = waiting(play_silence_async, "Play ``duration`` seconds of silence and wait until it ends.")

    async def play_ringtone_async(self, name: str, duration: float | None = None, volume: float = 0) -> PlayAction:
        """Play a ringtone; returns a PlayAction at once.

        ``name``: a country code (``us``, ``uk``, ``it`` ...; see the
        reference's ringtones); ``duration``: seconds, default one ringtone
        iteration.
        """
        return await self._start(self._play([commands.ringtone_media(name, duration)], volume))

    play_ringtone = waiting(play_ringtone_async, "Play a ringtone and wait until it ends.")

    async def play_tts_async(
        self, text: str, language: str | None = None, gender: str | None = None, volume: float = 0
    ) -> PlayAction:
        """Speak ``text``; returns a PlayAction at once.

        ``language`` (default en-US), ``gender`` ``male`` or ``female``
        (default female).
        """
        return await self._start(self._play([commands.tts_media(text, language, gender)], volume))

    play_tts = waiting(play_tts_async, "Speak ``text`` and wait until done.")
