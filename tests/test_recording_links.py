"""Recordings play in a browser: the list gives each file a signed address that needs no
token (a <video src> cannot send one), that address serves byte ranges (so a player can
seek), and it opens that one file, for a while, and nothing else."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest

from signaling.errors import ApiError
from signaling.recording_links import RecordingLinks
from tests.harness.rtc_client import RtcParticipant
from tests.harness.server import RunningServer

PEOPLE = [{"id": "judge", "display_name": "Judge", "role": "judge"},
          {"id": "clerk", "display_name": "Clerk", "role": "clerk"},
          {"id": "alice", "display_name": "Alice", "role": "party"}]  # fmt: skip


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def test_a_signed_address_opens_one_file_until_it_expires() -> None:
    links = RecordingLinks("s" * 40, ttl_seconds=60)
    url = links.url("/api/v1", "h1", "playback/a b.webm", "clerk", generation=2, now=1000.0)
    assert url.startswith("/api/v1/hearings/h1/recordings/playback/a%20b.webm?")
    query = query_of(url)
    assert links.check("h1", "playback/a b.webm", query, now=1059.0) == ("clerk", 2)
    refusals = {
        "expired": ("h1", "playback/a b.webm", query, 1061.0),
        "other file": ("h1", "playback/c.webm", query, 1000.0),
        "other hearing": ("h2", "playback/a b.webm", query, 1000.0),
        "longer life": ("h1", "playback/a b.webm", {**query, "expires": "99999"}, 1000.0),
        "other officer": ("h1", "playback/a b.webm", {**query, "by": "judge"}, 1000.0),
        "older links": ("h1", "playback/a b.webm", {**query, "gen": "1"}, 1000.0),
        "no signature": ("h1", "playback/a b.webm", {"expires": "1060", "by": "clerk"}, 1000.0),
    }
    for case, (hearing, file, q, now) in refusals.items():
        with pytest.raises(ApiError) as refused:
            links.check(hearing, file, q, now=now)
        assert refused.value.status == 401, case
        expected = "recording_link_expired" if case == "expired" else "recording_link_invalid"
        assert refused.value.reason_code == expected, case
    # Another server secret signs differently.
    with pytest.raises(ApiError):
        RecordingLinks("t" * 40).check("h1", "playback/a b.webm", query, now=1000.0)


async def recorded_hearing(server: RunningServer) -> tuple[str, str, list[dict[str, Any]]]:
    """A hearing with a couple of seconds recorded and adjourned; (id, clerk token, files)."""
    hearing = await server.create_hearing(participants=PEOPLE, lobby=False)
    hid = hearing["id"]
    tokens = await server.links(hid)
    judge, alice = (RtcParticipant(server.url, tokens[p]) for p in ("judge", "alice"))
    try:
        for p in (judge, alice):
            await p.join()
        assert (await alice.publish())["ok"]
        await judge.sio.start_hearing()
        await asyncio.sleep(2.0)  # the hearing sits: a stretch of recorded time
        assert (await judge.sio.call("lifecycle", {"action": "adjourn"}))["ok"]
    finally:
        for p in (judge, alice):
            await p.close()
    clerk = tokens["clerk"]
    path = f"/api/v1/hearings/{hid}/recordings"
    async with asyncio.timeout(60):
        while True:
            status, listing = await server.request("GET", path, auth=clerk)
            assert status == 200, listing
            if listing["indexed"]:
                return hid, clerk, listing["files"]
            await asyncio.sleep(0.2)  # the playback set is made after adjournment


async def test_recordings_play_from_signed_addresses_with_ranges(server: RunningServer) -> None:
    hid, clerk, files = await recorded_hearing(server)
    segment = next(f for f in files if f["role"] == "segment")
    other = next(f for f in files if f["file"] != segment["file"])
    assert all(f["url"] for f in files)
    url = server.url + segment["url"]
    assert clerk not in url and server.admin_token not in url

    async with aiohttp.ClientSession() as http:
        # No Authorization header: the address is enough, and a player can seek.
        async with http.get(url, headers={"Range": "bytes=100-199"}) as r:
            assert r.status == 206
            assert r.headers["Content-Range"] == f"bytes 100-199/{segment['size']}"
            part = await r.read()
        async with http.get(url) as r:
            assert r.status == 200 and r.headers["Content-Type"] == "video/webm"
            whole = await r.read()
        assert len(whole) == segment["size"] and whole[100:200] == part

        # The signature opens this file only, and only as signed.
        query = urlsplit(segment["url"]).query
        elsewhere = f"{server.url}/api/v1/hearings/{hid}/recordings/{other['file']}?{query}"
        tampered = url.replace("by=clerk", "by=judge")
        for refused in (elsewhere, tampered):
            async with http.get(refused) as r:
                assert r.status == 401
                assert (await r.json())["error"]["reason"] == "recording_link_invalid"
        # Without a signature, the download still wants a token.
        async with http.get(url.split("?")[0]) as r:
            assert r.status == 401
        # Revoking the clerk's links revokes the addresses signed for her.
        status, _ = await server.request(
            "POST", f"/api/v1/hearings/{hid}/participants/clerk/revoke"
        )
        assert status == 200
        async with http.get(url) as r:
            assert r.status == 401
            assert (await r.json())["error"]["reason"] == "recording_link_revoked"
