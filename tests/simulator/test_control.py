"""The HTTP control API, driven with httpx like another process would."""

from __future__ import annotations

import httpx
import pytest

from relay_anyio.testing import RelaySimulator

from .rawclient import RawClient

pytestmark = pytest.mark.anyio


async def test_control_api_flow(sim: RelaySimulator, client: RawClient) -> None:
    async with httpx.AsyncClient(base_url=sim.http_url) as http:
        index = (await http.get("/control")).json()
        assert "POST /control/inbound" in index["endpoints"]
        info = (await http.get("/control/info")).json()
        assert info["url"] == sim.url and info["project"] == "project"

        r = await http.post("/control/phones", json={"number": "+1888", "caller": {"kind": "busy"}})
        assert r.status_code == 200 and r.json()["caller"]["kind"] == "busy"
        assert "+1888" in (await http.get("/control/phones")).json()["phones"]

        r = await http.post("/control/inbound", json={"count": 3, "context": "office", "caller": {"presses": "9#"}})
        assert r.status_code == 200, r.text
        call_ids = r.json()["call_ids"]
        assert len(call_ids) == 3
        received = [(await client.inbound())["call_id"] for _ in range(3)]
        assert sorted(received) == sorted(call_ids)
        await client.execute("calling.answer", {"call_id": call_ids[0], "node_id": "n"})

        calls = (await http.get("/control/calls", params={"state": "answered"})).json()
        assert [c["call_id"] for c in calls["calls"]] == [call_ids[0]]
        r = await http.post(f"/control/calls/{call_ids[0]}/hangup")
        assert r.status_code == 200
        one = (await http.get(f"/control/calls/{call_ids[0]}", params={"wait": "ended", "timeout": 5})).json()
        assert one["state"] == "ended" and one["caller"]["presses"] == "9#" and one["heard"] == []

        journal = (await http.get("/control/journal", params={"method": "calling.answer", "direction": "in"})).json()
        assert journal["count"] == 1 and journal["entries"][0]["direction"] == "in"

        r = await http.post("/control/faults", json={"action": "refuse", "method": "calling.answer", "code": "500"})
        assert r.status_code == 200 and r.json()["rule"]["kind"] == "refuse"
        assert len((await http.get("/control/faults")).json()["rules"]) == 1
        assert (await client.execute("calling.answer", {"call_id": call_ids[1], "node_id": "n"}))["code"] == "500"
        assert (await http.delete("/control/faults")).json() == {"cleared": True}
        sessions = (await http.get("/control/sessions")).json()["sessions"]
        assert sessions[0]["contexts"] == ["office"] and sessions[0]["connected"] is True

        r = await http.post("/control/faults", json={"action": "drop"})
        assert r.json() == {"dropped": 1}


async def test_control_api_rejects_bad_input(sim: RelaySimulator) -> None:
    async with httpx.AsyncClient(base_url=sim.http_url) as http:
        r = await http.post("/control/inbound", content=b"{nope")
        assert r.status_code == 400 and "JSON" in r.json()["error"]
        r = await http.post("/control/inbound", json={"count": 0})
        assert r.status_code == 400
        r = await http.post("/control/inbound", json={"caller": {"kind": "robot"}})
        assert r.status_code == 400 and "kind" in r.json()["error"]
        r = await http.post("/control/inbound", json={"context": "nobody", "timeout": 0.05})
        assert r.status_code == 504
        r = await http.post("/control/faults", json={"action": "explode"})
        assert r.status_code == 400 and "action" in r.json()["error"]
        assert (await http.get("/control/calls/unknown")).status_code == 404
        assert (await http.get("/control/nothing")).status_code == 404
        assert (await http.get("/recordings/missing.wav")).status_code == 404
        assert (await http.get("/fax/missing.pdf")).status_code == 404
        assert (await http.get("/")).status_code == 200


@pytest.mark.parametrize(
    "path, body, named",
    [
        ("/control/faults", {"action": "ignore_pings", "enabled": "false"}, "enabled"),
        ("/control/faults", {"action": "refuse", "method": "calling.play", "message": 5}, "message"),
        ("/control/inbound", {"count": 1, "wait": "false"}, "wait"),
    ],
)
async def test_control_api_takes_json_types_as_the_python_api_does(
    sim: RelaySimulator, path: str, body: dict[str, object], named: str
) -> None:
    """A string where JSON true/false belongs is refused (it would count as true), not guessed at."""
    async with httpx.AsyncClient(base_url=sim.http_url) as http:
        r = await http.post(path, json=body)
    assert r.status_code == 400 and named in r.json()["error"], r.text
    assert not sim.faults.rules and not sim._ignore_new_pings  # nothing was set up
