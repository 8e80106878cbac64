"""TLS verified by default, no secret in any log, no clear text to a remote host by accident."""

from __future__ import annotations

import json
import ssl
from collections.abc import AsyncIterator
from typing import Any

import anyio
import pytest
import trustme

from relay_anyio import AuthenticationError, Call, Client, CommandTimeout, ConnectionClosed, InvalidArgument
from relay_anyio.testing import Caller, RelaySimulator

from ..helpers import eventually
from .conftest import FAST, Ledger, Records, TcpProxy, placer
from .hostile import HostileRelay

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


def server_context(ca: trustme.CA, *names: str) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*names).configure_cert(context)
    return context


def client_context(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return context


@pytest.fixture
async def tls_proxy(sim: RelaySimulator, ca: trustme.CA, ledger: Ledger) -> AsyncIterator[TcpProxy]:
    """wss://127.0.0.1:<port> in front of the simulator, with a certificate from our own CA."""
    async with TcpProxy(sim.port, tls=server_context(ca, "127.0.0.1", "localhost"), ledger=ledger) as proxy:
        yield proxy


# --------------------------------------------------------------------------
# TLS


async def test_unknown_ca_is_refused_by_default(sim: RelaySimulator, tls_proxy: TcpProxy, ledger: Ledger) -> None:
    with anyio.fail_after(10):
        with pytest.raises(ConnectionClosed) as info:
            async with Client(project=sim.project, token=sim.token, host=tls_proxy.url):
                pass
    assert "CERTIFICATE_VERIFY_FAILED" in repr(info.value) or "certificate verify failed" in str(info.value).lower()
    assert not sim.journal.filter(method="blade.connect"), "credentials were sent over an unverified connection"
    ledger.add("TLS: untrusted certificate")


async def test_wrong_host_name_is_refused(sim: RelaySimulator, ca: trustme.CA, ledger: Ledger) -> None:
    async with TcpProxy(sim.port, tls=server_context(ca, "relay.example.org")) as proxy:
        with anyio.fail_after(10):
            with pytest.raises(ConnectionClosed) as info:
                async with Client(project=sim.project, token=sim.token, host=proxy.url, verify=client_context(ca)):
                    pass
        assert "certificate" in str(info.value).lower() or "hostname" in str(info.value).lower()
        assert not sim.journal.filter(method="blade.connect")
    ledger.add("TLS: certificate for another host name")


@pytest.mark.parametrize("verify_as", ["context", "path"])
async def test_right_ca_passes_and_reconnects_over_tls(
    sim: RelaySimulator, tls_proxy: TcpProxy, ca: trustme.CA, tmp_path: Any, verify_as: str
) -> None:
    verify: ssl.SSLContext | str = client_context(ca)
    if verify_as == "path":
        path = tmp_path / "ca.pem"
        ca.cert_pem.write_to_path(str(path))
        verify = str(path)
    assert tls_proxy.url.startswith("wss://")
    async with Client(project=sim.project, token=sim.token, host=tls_proxy.url, verify=verify, **FAST) as client:
        place = await placer(sim, client)()
        call, handle = await place()
        assert tls_proxy.cut() == 1
        assert (await call.play_tts(text="encrypted")).successful
        assert client.session.restores == 1
    assert not tls_proxy.tls_errors


# --------------------------------------------------------------------------
# Secrets in logs


TOKEN = 'Tök"en\\9f8e7d6c5b4a3921'  # characters JSON escapes, so the wire form differs from the text


def forms(secret: str) -> set[str]:
    """The secret as text and as it appears inside JSON (escaped, ASCII-escaped)."""
    return {secret, json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]}


async def test_no_secret_in_any_log_of_a_whole_flow(make_sim, all_logs: Records, ca: trustme.CA) -> None:  # type: ignore[no-untyped-def]
    sim: RelaySimulator = await make_sim(token=TOKEN, time_scale=0)
    received: list[Call] = []
    async with TcpProxy(sim.port, tls=server_context(ca, "127.0.0.1")) as proxy:
        async with Client(project=sim.project, token=TOKEN, host=proxy.url, verify=client_context(ca), keepalive=0.1, **FAST) as client:
            assert await client.calling.receive(["logs"], received.append)
            handle = await sim.inbound_call(context="logs", caller=Caller(presses="1#", hangs_up_after=5))
            await eventually(lambda: bool(received))
            call = received[0]
            await call.answer()
            await call.prompt_tts("digits", "PIN?", digits_max=1)
            sim.faults.drop()  # restore
            await eventually(lambda: client.session.restores == 1 and client.connected, what="restore")
            sim.faults.forget_sessions()  # fresh session: full handshake again
            await eventually(lambda: client.session.connections == 3 and client.connected, what="fresh session")
            await sim.journal.wait_for(method="blade.ping", direction="out", count=2)
            sim.faults.delay("calling.play", seconds=6, times=1)
            new_call = (await client.calling.dial(from_number="+15550001000", to_number="+15550002000")).call
            with pytest.raises(CommandTimeout):
                await _timed_out(new_call)
            await handle.ended(timeout=5)
        with pytest.raises(AuthenticationError):
            async with Client(project=sim.project, token=TOKEN + "-revoked", host=proxy.url, verify=client_context(ca)):
                pass
    signatures = {
        e.frame["result"]["authorization"]["signature"]
        for e in sim.journal.filter(method="blade.connect", direction="out")
        if isinstance(e.frame.get("result"), dict)
    }
    assert signatures
    names = {r.name for r in all_logs.records}
    assert {"relay_anyio.frames", "relay_anyio.session"} <= names, names
    assert any(n.startswith(("httpx", "httpcore")) for n in names), names
    text = all_logs.text()
    for secret in [TOKEN, TOKEN + "-revoked", *signatures]:
        for form in forms(secret):
            assert form not in text, f"a secret ({form[:4]}...) appears in the logs"


async def _timed_out(call: Call) -> None:
    # A command timing out must not print its frame with secrets either.
    session = call._calling._session
    await session.execute("calling.play", {"call_id": call.id, "node_id": call.node_id, "control_id": "c",
                                            "play": [{"type": "tts", "params": {"text": "slow"}}]}, timeout=0.2)


async def test_secrets_echoed_by_a_hostile_server_are_not_logged(all_logs: Records) -> None:
    """A server that repeats the token (in an error message, a weird field) must not make us log it."""
    token = "echo-" + "7" * 24
    async with HostileRelay() as server:
        async with Client("hostile-project", token, host=server.url, timeout=2, keepalive=0) as client:
            await server.send(
                {"jsonrpc": "2.0", "id": "nobody", "error": {"code": -1, "message": f"bad token {token}"}},
                server.broadcast("calling.call.play", {"call_id": "x", "note": token}),
                {"jsonrpc": "2.0", "id": "m", "method": "blade.weird", "params": {"token": token}},
                "{not json " + token,
            )
            await server.wait_received(lambda f: isinstance(f, dict) and f.get("id") == "m")
            assert client.connected
    text = all_logs.text()
    for form in forms(token):
        assert form not in text, "an echoed token reached the logs"


# --------------------------------------------------------------------------
# Clear text only to loopback unless asked


@pytest.mark.parametrize(
    "host, allowed",
    [
        ("ws://127.0.0.1:8080", True),
        ("ws://127.3.4.5:8080", True),
        ("ws://localhost:8080", True),
        ("ws://[::1]:8080", True),
        ("ws://relay.signalwire.com", False),
        ("ws://10.0.0.7:8080", False),
        ("ws://localhost.attacker.example:8080", False),
        ("ws://127.0.0.1.attacker.example:8080", False),
        ("ws://127.evil.example:8080", False),
        ("WS://relay.signalwire.com", False),
        ("relay.signalwire.com", True),  # no scheme means wss://
        ("wss://relay.signalwire.com", True),
    ],
)
def test_clear_text_only_to_loopback_unless_allow_insecure(host: str, allowed: bool) -> None:
    if allowed:
        client = Client(project="p", token="t", host=host)
        assert client.url.startswith("wss://") or client.url.lower().startswith("ws://")
        if "://" not in host:
            assert client.url == f"wss://{host}"
    else:
        with pytest.raises(InvalidArgument, match="allow_insecure"):
            Client(project="p", token="t", host=host)
        assert Client(project="p", token="t", host=host, allow_insecure=True).url == host


def test_token_not_in_client_repr_or_errors() -> None:
    client = Client(project="proj", token="sekret-token-123", host="ws://127.0.0.1:9")
    assert "sekret-token-123" not in repr(client)
    assert "sekret-token-123" not in repr(vars(client))
