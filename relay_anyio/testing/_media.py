"""Media items on the wire: validation and how long each one plays.

Nominal lengths (simulated seconds): TTS 0.06 s per character (at least
0.5 s), audio files 2 s, silence its ``duration``, a ringtone its
``duration`` or one ring cycle (4 s). An audio file on a host under
``.invalid`` cannot be fetched: the play (or prompt) ends with an error.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from ..wire import AUDIO_URL_SCHEMES, MEDIA_KEYS, MEDIA_TYPES, RINGTONES
from ._errors import BAD_REQUEST, CommandError

__all__ = ["RINGTONES", "media_duration", "media_problem", "validate_media"]

TTS_SECONDS_PER_CHAR = 0.06
TTS_MIN_SECONDS = 0.5
AUDIO_SECONDS = 2.0
RINGTONE_CYCLE_SECONDS = 4.0
#: Audio on hosts under this reserved domain (RFC 2606) cannot be fetched: the play fails.
UNREACHABLE_DOMAIN = ".invalid"


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
        if kind not in MEDIA_KEYS:
            raise CommandError(BAD_REQUEST, f"{where}.type must be one of {', '.join(MEDIA_TYPES)}; got {kind!r}")
        params = media.get("params")
        if not isinstance(params, dict):
            raise CommandError(BAD_REQUEST, f"{where}.params must be an object")
        required, _optional = MEDIA_KEYS[kind]
        for key in required:
            if key not in params:
                raise CommandError(BAD_REQUEST, f"{where}: {kind} needs params.{key}")
        for key in ("url", "text", "name", "language", "gender"):
            if key in params and not isinstance(params[key], str):
                raise CommandError(BAD_REQUEST, f"{where}: params.{key} must be a string")
        if "duration" in params and not _number(params["duration"]):
            raise CommandError(BAD_REQUEST, f"{where}: params.duration must be a number >= 0")
    return value


def media_problem(media: dict[str, Any]) -> str | None:
    """Why this (valid) media cannot play, as the service would find out."""
    params = media["params"]
    if media["type"] == "audio":
        url = params["url"]
        if not url.lower().startswith(AUDIO_URL_SCHEMES):
            return f"cannot fetch audio {url!r}: not an http(s) URL"
        if (urlsplit(url).hostname or "").endswith(UNREACHABLE_DOMAIN):
            return f"cannot fetch audio {url!r}: host not found"
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
