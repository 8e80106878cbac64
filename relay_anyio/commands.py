"""SDK arguments -> wire params of the calling commands, with validation.

Pure functions (no I/O). Each one checks its arguments and raises
InvalidArgument / InvalidArgumentType naming the argument and what is
allowed, so nothing is sent when the input is wrong. Only the keys the user
gave are put on the wire: the service applies the reference's defaults.
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

from . import wire
from .errors import InvalidArgument, InvalidArgumentType
from .wire import DTMF_DIGITS, MEDIA_KEYS, MEDIA_TYPES, RINGTONES, SEND_DIGITS_CHARS, VOLUME_RANGE

__all__ = [
    "audio_url",
    "boolean",
    "choice",
    "collect",
    "COLLECT_OPTIONS",
    "CollectOptions",
    "detect",
    "device",
    "devices",
    "digits",
    "fax_send",
    "integer",
    "ipv4",
    "media",
    "media_list",
    "number",
    "record",
    "ringtone_media",
    "tap",
    "tts_media",
    "text",
    "volume",
]



class DigitsOptions(TypedDict, total=False):
    """Prompt options for ``prompt_type`` ``digits`` (and ``both``)."""

    digits_max: int
    digits_terminators: str
    digits_timeout: float


class SpeechOptions(TypedDict, total=False):
    """Prompt options for ``prompt_type`` ``speech`` (and ``both``)."""

    end_silence_timeout: float
    speech_timeout: float
    speech_language: str
    speech_hints: Sequence[str]


class _Initial(TypedDict, total=False):
    initial_timeout: float


class CollectOptions(_Initial, DigitsOptions, SpeechOptions, total=False):
    """Every prompt option: written once, the keywords of each ``prompt*`` method.

    ``initial_timeout`` (seconds to wait for input; service default 4).
    Digits: ``digits_max`` (required), ``digits_terminators``,
    ``digits_timeout`` (seconds between digits). Speech:
    ``end_silence_timeout`` (default 1), ``speech_timeout`` (default 60),
    ``speech_language`` (default en-US), ``speech_hints``.
    """


# The prompt options of each collect type (the other type's are refused).
DIGITS_OPTIONS = tuple(DigitsOptions.__annotations__)
SPEECH_OPTIONS = tuple(SpeechOptions.__annotations__)
COLLECT_OPTIONS = ("initial_timeout", *DIGITS_OPTIONS, *SPEECH_OPTIONS)


# --------------------------------------------------------------------------
# scalar checks


def number(name: str, value: Any, *, minimum: float | None = None, maximum: float | None = None) -> int | float:
    """A finite number (numeric strings like ``"5"`` are accepted), as int when whole."""
    if isinstance(value, bool):
        raise InvalidArgumentType(name, value, "a number")
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise InvalidArgumentType(name, value, "a number") from None
    if not isinstance(value, (int, float)):
        raise InvalidArgumentType(name, value, "a number")
    if not math.isfinite(value):
        raise InvalidArgument(name, value, "a finite number")
    if minimum is not None and value < minimum:
        raise InvalidArgument(name, value, f"a number >= {minimum:g}")
    if maximum is not None and value > maximum:
        raise InvalidArgument(name, value, f"a number <= {maximum:g}")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def integer(name: str, value: Any, *, minimum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise InvalidArgumentType(name, value, "an integer")
    result = number(name, value, minimum=minimum)
    if not isinstance(result, int):
        raise InvalidArgument(name, value, "a whole number")
    return result


def text(name: str, value: Any, *, allow_empty: bool = False) -> str:
    if not isinstance(value, str):
        raise InvalidArgumentType(name, value, "a string")
    if not allow_empty and not value:
        raise InvalidArgument(name, value, "a non-empty string")
    return value


def ipv4(name: str, value: Any) -> str:
    """A literal IPv4 address (where the service sends RTP)."""
    checked = text(name, value)
    try:
        ipaddress.IPv4Address(checked)
    except ValueError:
        raise InvalidArgument(name, value, "an IPv4 address such as '192.168.1.1'") from None
    return checked


def choice(name: str, value: Any, allowed: Sequence[str]) -> str:
    if value not in allowed:
        raise InvalidArgument(name, value, allowed)
    return str(value)


def boolean(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise InvalidArgumentType(name, value, "True or False")
    return value


def volume(value: Any, name: str = "volume") -> int | float:
    """A volume in dB between -40 and +40 (0 = unchanged)."""
    return number(name, value, minimum=VOLUME_RANGE[0], maximum=VOLUME_RANGE[1])


# --------------------------------------------------------------------------
# media


def media(item: Any, name: str = "media_list") -> dict[str, Any]:
    """One SDK media item -> ``{"type": ..., "params": {...}}``.

    The SDK's flat form (``{"type": "tts", "text": "hi"}``) and the wire
    form (``{"type": "tts", "params": {"text": "hi"}}``) are both accepted,
    but not mixed: a flat key beside ``params`` would be silently lost.
    """
    if not isinstance(item, Mapping):
        raise InvalidArgumentType(name, item, "a dict with a 'type' key")
    kind = item.get("type")
    if kind not in MEDIA_KEYS:
        raise InvalidArgument(f"{name}[].type", kind, MEDIA_TYPES)
    required, optional = MEDIA_KEYS[kind]
    fields: Mapping[str, Any] = item
    if "params" in item:
        if not isinstance(item["params"], Mapping):
            raise InvalidArgumentType(f"{name}[].params", item["params"], "a dict of the media's keys")
        flat = sorted(set(item) - {"type", "params"})
        if flat:
            raise InvalidArgument(
                f"{name}[] key", flat[0], f"either flat keys or a 'params' dict ({', '.join(required + optional)}), not both"
            )
        fields = item["params"]
    unknown = sorted(set(fields) - set(required) - set(optional) - ({"type"} if fields is item else set()))
    if unknown:
        raise InvalidArgument(f"{name}[] key", unknown[0], sorted(("type", *required, *optional)))
    for key in required:
        if fields.get(key) is None:
            raise InvalidArgument(f"{name}[].{key}", None, f"a value: {kind!r} media needs {key!r}")
    params: dict[str, Any] = {}
    if kind == "audio":
        params["url"] = audio_url(fields["url"], f"{name}[].url")
    elif kind == "tts":
        params["text"] = text(f"{name}[].text", fields["text"])
        if fields.get("language") is not None:
            params["language"] = text(f"{name}[].language", fields["language"])
        if fields.get("gender") is not None:
            params["gender"] = choice(f"{name}[].gender", fields["gender"], wire.GENDERS)
    elif kind == "silence":
        params["duration"] = number(f"{name}[].duration", fields["duration"], minimum=0)
    else:
        params["name"] = choice(f"{name}[].name", fields["name"], sorted(RINGTONES))
        if fields.get("duration") is not None:
            params["duration"] = number(f"{name}[].duration", fields["duration"], minimum=0)
    return {"type": kind, "params": params}


def audio_url(value: Any, name: str = "url") -> str:
    """An audio file's URL: the service fetches it, so only http(s) works."""
    url = text(name, value)
    if not url.lower().startswith(wire.AUDIO_URL_SCHEMES):
        raise InvalidArgument(name, value, "an http:// or https:// URL of an audio file")
    return url


def tts_media(text: str, language: str | None = None, gender: str | None = None) -> dict[str, Any]:
    """The media item that speaks ``text`` (play_tts, prompt_tts)."""
    item: dict[str, Any] = {"type": "tts", "text": text}
    if language is not None:
        item["language"] = language
    if gender is not None:
        item["gender"] = gender
    return item


def ringtone_media(name: str, duration: float | None = None) -> dict[str, Any]:
    """The media item that plays ringtone ``name`` (play_ringtone, prompt_ringtone)."""
    item: dict[str, Any] = {"type": "ringtone", "name": name}
    if duration is not None:
        item["duration"] = duration
    return item


def media_list(items: Any, name: str = "media_list") -> list[dict[str, Any]]:
    if isinstance(items, Mapping):
        items = [items]
    if not isinstance(items, Sequence) or isinstance(items, (str, bytes)):
        raise InvalidArgumentType(name, items, "a list of media dicts")
    if not items:
        raise InvalidArgument(name, items, "a non-empty list of media")
    return [media(item, name) for item in items]


# --------------------------------------------------------------------------
# prompt (play_and_collect)


def collect(prompt_type: Any, **options: Any) -> dict[str, Any]:
    """The ``collect`` object of ``calling.play_and_collect``.

    ``options`` are the prompt's (``COLLECT_OPTIONS``); those of the other
    collect type (``digits_max`` with ``prompt_type='speech'``) are refused,
    as is any unknown keyword.
    """
    choice("prompt_type", prompt_type, wire.PROMPT_TYPES)
    for key, value in options.items():
        if key not in COLLECT_OPTIONS:
            raise InvalidArgument(key, value, f"a prompt option: {', '.join(COLLECT_OPTIONS)}")
        if value is None:
            continue
        if (key in DIGITS_OPTIONS and prompt_type == "speech") or (key in SPEECH_OPTIONS and prompt_type == "digits"):
            allowed = DIGITS_OPTIONS if prompt_type == "digits" else SPEECH_OPTIONS
            raise InvalidArgument(
                key, value, f"nothing for prompt_type={prompt_type!r} (it takes initial_timeout, {', '.join(allowed)})"
            )
    get = options.get
    result: dict[str, Any] = {}
    if get("initial_timeout") is not None:
        result["initial_timeout"] = number("initial_timeout", get("initial_timeout"), minimum=0)
    if prompt_type in ("digits", "both"):
        if get("digits_max") is None:
            raise InvalidArgument("digits_max", None, f"an integer >= 1 (required when prompt_type={prompt_type!r})")
        digits: dict[str, Any] = {"max": integer("digits_max", get("digits_max"), minimum=1)}
        if get("digits_terminators") is not None:
            digits["terminators"] = _dtmf("digits_terminators", get("digits_terminators"), allow_empty=True)
        if get("digits_timeout") is not None:
            digits["digit_timeout"] = number("digits_timeout", get("digits_timeout"), minimum=0)
        result["digits"] = digits
    if prompt_type in ("speech", "both"):
        speech: dict[str, Any] = {}
        if get("end_silence_timeout") is not None:
            speech["end_silence_timeout"] = number("end_silence_timeout", get("end_silence_timeout"), minimum=0)
        if get("speech_timeout") is not None:
            speech["speech_timeout"] = number("speech_timeout", get("speech_timeout"), minimum=0)
        if get("speech_language") is not None:
            speech["language"] = text("speech_language", get("speech_language"))
        hints = get("speech_hints")
        if hints is not None:
            if isinstance(hints, str) or not isinstance(hints, Sequence):
                raise InvalidArgumentType("speech_hints", hints, "a list of strings")
            speech["hints"] = [text("speech_hints[]", h) for h in hints]
        result["speech"] = speech
    return result


def _dtmf(name: str, value: Any, *, allow_empty: bool = False, allowed: str = DTMF_DIGITS) -> str:
    checked = text(name, value, allow_empty=allow_empty)
    bad = sorted({c for c in checked if c not in allowed})
    if bad:
        raise InvalidArgument(name, value, f"characters of {allowed!r} (bad: {''.join(bad)!r})")
    return checked


# --------------------------------------------------------------------------
# record


def record(
    *,
    record_type: Any = "audio",
    beep: Any = None,
    stereo: Any = None,
    record_format: Any = None,
    direction: Any = None,
    initial_timeout: Any = None,
    end_silence_timeout: Any = None,
    terminators: Any = None,
) -> dict[str, Any]:
    """The ``record`` object of ``calling.record`` (params under ``record_type``, ``audio``)."""
    kind = choice("record_type", record_type, wire.RECORD_TYPES)
    audio: dict[str, Any] = {}
    if beep is not None:
        audio["beep"] = boolean("beep", beep)
    if record_format is not None:
        audio["format"] = choice("record_format", record_format, wire.RECORD_FORMATS)
    if stereo is not None:
        audio["stereo"] = boolean("stereo", stereo)
    if direction is not None:
        audio["direction"] = choice("direction", direction, wire.DIRECTIONS)
    if initial_timeout is not None:
        audio["initial_timeout"] = number("initial_timeout", initial_timeout, minimum=0)
    if end_silence_timeout is not None:
        audio["end_silence_timeout"] = number("end_silence_timeout", end_silence_timeout, minimum=0)
    if terminators is not None:
        audio["terminators"] = _dtmf("terminators", terminators, allow_empty=True)
    return {kind: audio}


# --------------------------------------------------------------------------
# detect


def detect(
    detect_type: Any,
    *,
    timeout: Any = None,
    initial_timeout: Any = None,
    end_silence_timeout: Any = None,
    machine_voice_threshold: Any = None,
    machine_words_threshold: Any = None,
    tone: Any = None,
    digits: Any = None,
) -> tuple[dict[str, Any], int | float | None]:
    """``(detect, timeout)`` for ``calling.detect``; params must fit the type."""
    choice("detect_type", detect_type, wire.DETECT_TYPES)
    allowed = {
        "machine": ("initial_timeout", "end_silence_timeout", "machine_voice_threshold", "machine_words_threshold"),
        "fax": ("tone",),
        "digit": ("digits",),
    }[detect_type]
    given = {
        "initial_timeout": initial_timeout,
        "end_silence_timeout": end_silence_timeout,
        "machine_voice_threshold": machine_voice_threshold,
        "machine_words_threshold": machine_words_threshold,
        "tone": tone,
        "digits": digits,
    }
    params: dict[str, Any] = {}
    for key, value in given.items():
        if value is None:
            continue
        if key not in allowed:
            raise InvalidArgument(key, value, f"nothing for detect_type={detect_type!r} (it takes {', '.join(allowed)})")
        if key == "tone":
            params[key] = choice("tone", value, wire.FAX_TONES)
        elif key == "digits":
            params[key] = _dtmf("digits", value)
        elif key == "machine_words_threshold":
            params[key] = integer(key, value, minimum=0)
        else:
            params[key] = number(key, value, minimum=0)
    wire_timeout = None if timeout is None else number("timeout", timeout, minimum=0)
    return {"type": detect_type, "params": params}, wire_timeout


# --------------------------------------------------------------------------
# tap


def tap(
    *,
    audio_direction: Any,
    target_type: Any = "rtp",
    target_addr: Any = None,
    target_port: Any = None,
    target_ptime: Any = None,
    target_uri: Any = None,
    rate: Any = None,
    codec: Any = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(tap, device)`` for ``calling.tap``."""
    tap_obj = {"type": "audio", "params": {"direction": choice("audio_direction", audio_direction, wire.DIRECTIONS)}}
    kind = choice("target_type", target_type, wire.TAP_TARGETS)
    params: dict[str, Any] = {}
    if kind == "rtp":
        if target_addr is None or target_port is None:
            missing = "target_addr" if target_addr is None else "target_port"
            raise InvalidArgument(missing, None, "a value (required when target_type='rtp')")
        params["addr"] = ipv4("target_addr", target_addr)
        params["port"] = integer("target_port", target_port, minimum=1)
        if params["port"] > 65535:
            raise InvalidArgument("target_port", target_port, "1..65535")
        if target_uri is not None:
            raise InvalidArgument("target_uri", target_uri, "nothing for target_type='rtp' (use target_addr/target_port)")
    else:
        uri = text("target_uri", target_uri) if target_uri is not None else None
        if uri is None or not re.match(r"^wss?://", uri):
            raise InvalidArgument("target_uri", target_uri, "a ws:// or wss:// URI (required when target_type='ws')")
        params["uri"] = uri
        if target_addr is not None or target_port is not None:
            raise InvalidArgument("target_addr", target_addr, "nothing for target_type='ws' (use target_uri)")
    if target_ptime is not None:
        params["ptime"] = integer("target_ptime", target_ptime, minimum=1)
    if codec is not None:
        params["codec"] = text("codec", codec)
    if rate is not None:
        params["rate"] = integer("rate", rate, minimum=1)
    return tap_obj, {"type": kind, "params": params}


# --------------------------------------------------------------------------
# connect


def device(
    item: Any, *, default_from: str | None, default_type: str = "phone", default_timeout: float | None = None
) -> dict[str, Any]:
    """One connect device ``{to_number, from_number?, timeout?, call_type?}``
    (``from_number`` and ``timeout`` default to the connecting call's)."""
    if not isinstance(item, Mapping):
        raise InvalidArgumentType("device_list[]", item, "a dict with 'to_number'")
    allowed = {"to_number", "from_number", "timeout", "call_type", "type"}
    unknown = sorted(set(item) - allowed)
    if unknown:
        raise InvalidArgument("device_list[] key", unknown[0], sorted(allowed))
    kind = choice("device_list[].call_type", item.get("call_type", item.get("type", default_type)), wire.CALL_TYPES)
    to_number = item.get("to_number")
    if to_number is None:
        raise InvalidArgument("device_list[].to_number", None, "a phone number (required)")
    params: dict[str, Any] = {
        "from_number": text("device_list[].from_number", item.get("from_number") or default_from),
        "to_number": text("device_list[].to_number", to_number),
    }
    timeout = item.get("timeout", default_timeout)
    if timeout is not None:
        # A number of seconds (a float too); the wire takes whole seconds, as the official SDK sends.
        params["timeout"] = int(number("device_list[].timeout", timeout, minimum=1))
    return {"type": kind, "params": params}


def devices(
    device_list: Any, *, default_from: str | None, default_type: str = "phone", default_timeout: float | None = None
) -> list[list[dict[str, Any]]]:
    """Serial/parallel device lists: outer = serial steps, inner = parallel group."""
    if isinstance(device_list, Mapping):
        device_list = [device_list]
    if not isinstance(device_list, Sequence) or isinstance(device_list, (str, bytes)) or not device_list:
        raise InvalidArgument("device_list", device_list, "a non-empty list of device dicts or lists of them")
    steps: list[list[dict[str, Any]]] = []
    for step in device_list:
        group = step if isinstance(step, Sequence) and not isinstance(step, (str, bytes, Mapping)) else [step]
        if not group:
            raise InvalidArgument("device_list[]", step, "a device dict or a non-empty list of them")
        steps.append([
            device(d, default_from=default_from, default_type=default_type, default_timeout=default_timeout)
            for d in group
        ])
    return steps


# --------------------------------------------------------------------------
# send_digits and fax


def digits(value: Any) -> str:
    """Digits for ``send_digits``: only ``0-9 * # A-D w W``; else all rejected."""
    return _dtmf("digits", value, allowed=SEND_DIGITS_CHARS)


def fax_send(document: Any, identity: Any = None, header: Any = None) -> dict[str, Any]:
    doc = text("document", document)
    if not re.match(r"^https?://", doc):
        raise InvalidArgument("document", document, "an http(s) URL of a PDF document")
    params: dict[str, Any] = {"document": doc}
    if identity is not None:
        params["identity"] = text("identity", identity)
    if header is not None:
        params["header_info"] = text("header", header, allow_empty=True)
    return params
