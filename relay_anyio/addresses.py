"""Checks of what messaging and tasking send: numbers, context names, media URLs, tags.

Each raises InvalidArgument / InvalidArgumentType naming the argument,
before anything goes on the wire.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from .errors import InvalidArgument, InvalidArgumentType

__all__ = ["context", "contexts", "media_urls", "number", "tags"]

_E164 = re.compile(r"\+[1-9][0-9]{1,14}")
_SIP = re.compile(r"sips?:[^@\s]+@[^@\s]+")
# Anything printable without blanks; the service treats a context as an opaque name.
_CONTEXT = re.compile(r"[^\s\x00-\x1f\x7f]{1,128}")


def number(name: str, value: Any) -> str:
    """An E.164 number (``+15551234567``) or a SIP address (``sip:alice@example.com``)."""
    if not isinstance(value, str):
        raise InvalidArgumentType(name, value, "a str")
    if not (_E164.fullmatch(value) or _SIP.fullmatch(value)):
        raise InvalidArgument(name, value, "an E.164 number such as '+15551234567' or a 'sip:user@host' address")
    return value


def context(name: str, value: Any) -> str:
    """One context name: 1-128 characters, no blanks."""
    if not isinstance(value, str):
        raise InvalidArgumentType(name, value, "a str")
    if not _CONTEXT.fullmatch(value):
        raise InvalidArgument(name, value, "a context name of 1-128 characters without blanks")
    return value


def contexts(value: Any) -> list[str]:
    """``contexts``: one name or an iterable of names (at least one)."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, Iterable):
        raise InvalidArgumentType("contexts", value, "a context name or a list of them")
    names = [context("contexts[]", c) for c in value]
    if not names:
        raise InvalidArgument("contexts", value, "one or more context names")
    return names


def media_urls(name: str, value: Any) -> list[str]:
    """A list of http(s) URLs the service fetches (MMS media)."""
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise InvalidArgumentType(name, value, "a list of http(s) URLs")
    for url in value:
        if not isinstance(url, str):
            raise InvalidArgumentType(f"{name}[]", url, "a str")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise InvalidArgument(f"{name}[]", url, "an http:// or https:// URL")
    return list(value)


def tags(value: Any) -> list[str]:
    """``tags``: a list of non-empty strings."""
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise InvalidArgumentType("tags", value, "a list of strings")
    for tag in value:
        if not isinstance(tag, str):
            raise InvalidArgumentType("tags[]", tag, "a str")
        if not tag:
            raise InvalidArgument("tags[]", tag, "a non-empty string")
    return list(value)
