"""Media items on the wire: validation and how long each one plays.

Nominal lengths (simulated seconds): TTS 0.06 s per character (at least
0.5 s), audio files 2 s, silence its ``duration``, a ringtone its
``duration`` or one ring cycle (4 s).
"""

from __future__ import annotations

from typing import Any

from ._errors import BAD_REQUEST, CommandError

__all__ = ["RINGTONES", "media_duration", "media_problem", "validate_media"]

TTS_SECONDS_PER_CHAR = 0.06
TTS_MIN_SECONDS = 0.5
AUDIO_SECONDS = 2.0
RINGTONE_CYCLE_SECONDS = 4.0

RINGTONES = frozenset({
    "at", "au", "bg", "br", "be", "ch", "cl", "cn", "cz", "de", "dk", "ee", "es",
    "fi", "fr", "gr", "hu", "il", "in", "it", "lt", "jp", "mx", "my", "nl", "no",
    "nz", "ph", "pl", "pt", "ru", "se", "sg", "th", "uk", "us", "tw", "ve", "za",
})


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0


def validate_media(value: Any, name: str = "play") -> list[dict[str, Any]]:
    """Check a media list; raise CommandError(400) naming what is wrong."""
    if not isinstance(value, list) or not value:
        raise CommandError(BAD_REQUEST, f"{name} must be a non-empty list of media")
    for i, media in enumerate(value):
        where = f"{name}[{i}]"
        if not isinstance(media, dict):
            raise CommandError(BAD_REQUEST, f"{where} must be an object")
        kind = media.get("type")
        params = media.get("params")
        if not isinstance(params, dict):
            raise CommandError(BAD_REQUEST, f"{where}.params must be an object")
        if kind == "audio":
            if not isinstance(params.get("url"), str) or not params["url"]:
                raise CommandError(BAD_REQUEST, f"{where}: audio needs a params.url string")
        elif kind == "tts":
            if not isinstance(params.get("text"), str):
                raise CommandError(BAD_REQUEST, f"{where}: tts needs a params.text string")
        elif kind == "silence":
            if not _number(params.get("duration")):
                raise CommandError(
                    BAD_REQUEST, f"{where}: silence needs params.duration, a number >= 0"
                )
        elif kind == "ringtone":
            if not isinstance(params.get("name"), str):
                raise CommandError(BAD_REQUEST, f"{where}: ringtone needs a params.name string")
            if "duration" in params and not _number(params["duration"]):
                raise CommandError(BAD_REQUEST, f"{where}: ringtone duration must be a number >= 0")
        else:
            raise CommandError(
                BAD_REQUEST,
                f"{where}.type must be audio, tts, silence or ringtone; got {kind!r}",
            )
    return value


def media_problem(media: dict[str, Any]) -> str | None:
    """Why this (valid) media cannot play, as the service would find out."""
    params = media["params"]
    if media["type"] == "audio":
        url = params["url"]
        if not url.startswith(("http://", "https://")):
            return f"cannot fetch audio {url!r}: not an http(s) URL"
    if media["type"] == "ringtone" and params["name"] not in RINGTONES:
        return f"unknown ringtone {params['name']!r}"
    return None


def media_duration(media: dict[str, Any]) -> float:
    params = media["params"]
    kind = media["type"]
    if kind == "tts":
        return max(TTS_MIN_SECONDS, TTS_SECONDS_PER_CHAR * len(params["text"]))
    if kind == "audio":
        return AUDIO_SECONDS
    if kind == "silence":
        return float(params["duration"])
    duration = params.get("duration")
    return float(duration) if duration is not None else RINGTONE_CYCLE_SECONDS
