"""kill -9 of the server after captions were shown: every final caption anyone was shown is
in transcript.jsonl afterwards (segments are fsynced before they are broadcast)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path

import aiohttp
import pytest

from bench._transcription_speech import SpeechFile, make_speech, opus_silence
from media import advertised_addresses
from tests.harness.redis_server import free_port
from tests.harness.rtc_client import RtcParticipant, sitting
from tests.harness.server import hearing_body
from tests.harness.speech import SpeechTrack


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> SpeechFile:
    folder = tmp_path_factory.mktemp("speech")
    return make_speech("판결을 선고하겠습니다.", folder, "judge", lead=0.2, trail=0.5)


async def test_every_shown_caption_survives_kill_9(tmp_path: Path, speech: SpeechFile) -> None:
    data, port = tmp_path / "data", free_port()
    url = f"http://127.0.0.1:{port}"
    with open(tmp_path / "server.log", "wb") as log:
        server = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "hearing.cli", "serve", "--host", "127.0.0.1",
            "--port", str(port), "--data-dir", str(data), "--advertise-ip", "127.0.0.1",
            stdout=log, stderr=log,
        )  # fmt: skip
    try:
        async with aiohttp.ClientSession() as http:
            async with asyncio.timeout(30):
                while True:
                    try:
                        async with http.get(url + "/healthz") as r:
                            if r.status == 200:
                                break
                    except aiohttp.ClientConnectionError:
                        await asyncio.sleep(0.1)
            admin = {"Authorization": "Bearer " + (data / "admin.token").read_text().strip()}
            body = hearing_body(lobby=False, participants=[
                {"id": "judge", "display_name": "재판장", "role": "judge"},
                {"id": "kim", "display_name": "김민지", "role": "counsel"}])  # fmt: skip
            async with http.post(url + "/api/v1/hearings", json=body, headers=admin) as r:
                hid = (await r.json())["id"]
            async with http.post(url + f"/api/v1/hearings/{hid}/links", headers=admin) as r:
                tokens = {x["participant_id"]: x["token"] for x in (await r.json())["links"]}

        with advertised_addresses(["127.0.0.1"]):  # these clients live on loopback too
            judge = RtcParticipant(url, tokens["judge"])
            track = SpeechTrack(speech.packets, opus_silence(50), at_once=True)
            kim = RtcParticipant(url, tokens["kim"], audio=track)
            try:
                await sitting(judge, kim)
                shown = await judge.sio.wait_for("caption", lambda c: c["final"], timeout=30)
                server.send_signal(signal.SIGKILL)
                await server.wait()
            finally:
                for p in (judge, kim):
                    await asyncio.wait_for(p.close(), 15)
    finally:
        if server.returncode is None:
            server.send_signal(signal.SIGKILL)
            await server.wait()

    entries = [json.loads(line) for line in
               (data / "hearings" / hid / "transcript.jsonl").read_text().splitlines()]  # fmt: skip
    finals = [c for c in judge.sio.received("caption") if c["final"]]
    assert shown in finals
    for caption in finals:
        stored = next(e for e in entries if e["seq"] == caption["seq"])
        assert stored["segment"]["text"] == caption["text"]
        assert stored["segment"]["participant_id"] == "kim"
    assert os.path.getsize(data / "hearings" / hid / "transcript.jsonl") > 0
