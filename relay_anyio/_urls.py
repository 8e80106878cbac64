"""Where the client connects: the host a user gives -> a WebSocket URL, the URL httpx
dials, and the TLS verification httpx gets."""

from __future__ import annotations

import ipaddress
import os
import ssl
from urllib.parse import urlsplit

from .errors import InvalidArgument

__all__ = ["http_url", "resolve_url", "tls"]


def resolve_url(host: str, *, allow_insecure: bool = False) -> str:
    """``name[:port]`` means ``wss://``; ``ws://`` and ``wss://`` URLs are taken as given.

    Plain ``ws://`` is refused for a non-loopback host unless
    ``allow_insecure`` is set: credentials would travel in clear text.
    """
    if not isinstance(host, str) or not host.strip():
        raise InvalidArgument("host", host, "'name[:port]', 'wss://...' or 'ws://127.0.0.1:port'")
    host = host.strip()
    if "://" not in host:
        return f"wss://{host}"
    parts = urlsplit(host)
    if parts.scheme not in ("ws", "wss"):
        raise InvalidArgument("host", host, "a ws:// or wss:// URL, or 'name[:port]'")
    hostname = parts.hostname or ""
    is_loopback = _is_loopback(hostname)
    if parts.scheme == "ws" and not is_loopback and not allow_insecure:
        raise InvalidArgument(
            "host", host, "wss:// for a non-loopback host (pass allow_insecure=True to use ws:// anyway)"
        )
    return host


def _is_loopback(hostname: str) -> bool:
    """Only ``localhost`` or a literal loopback address (127.0.0.0/8, ::1) count:
    a name such as ``127.0.0.1.example.com`` resolves anywhere."""
    if hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(hostname.strip("[]")).is_loopback
    except ValueError:
        return False


def http_url(url: str) -> str:
    # httpx speaks http(s); the upgrade makes it a WebSocket.
    if url.startswith("ws://"):
        return "http://" + url[5:]
    if url.startswith("wss://"):
        return "https://" + url[6:]
    return url


def tls(verify: ssl.SSLContext | str | bool) -> ssl.SSLContext | bool:
    """``verify`` for httpx: a CA bundle file or directory becomes an SSLContext."""
    if isinstance(verify, str):
        if os.path.isdir(verify):
            return ssl.create_default_context(capath=verify)
        return ssl.create_default_context(cafile=verify)
    return verify
