"""What the record holds: the hearing-clock times of a participant's recorded audio."""

from __future__ import annotations

import asyncio
from pathlib import Path

import av

from .server import RunningServer

__all__ = ["audio_times", "recorded_audio"]


def audio_times(path: Path, offset: float) -> list[float]:
    """Hearing-clock times of the audio packets in one recording file."""
    with av.open(str(path)) as container:
        if not container.streams.audio:
            return []  # a participant recorded without a microphone
        stream = container.streams.audio[0]
        assert stream.time_base is not None
        base = stream.time_base
        return sorted(
            offset + float(p.pts * base)
            for p in container.demux(stream)
            if p.pts is not None and p.size
        )


async def recorded_audio(
    server: RunningServer, hearing_id: str, token: str, participant_id: str
) -> list[float]:
    """Once the adjourned hearing's recordings are indexed: the hearing-clock times of
    every audio packet recorded of `participant_id`, in order."""
    url = f"/api/v1/hearings/{hearing_id}/recordings"
    deadline = asyncio.get_running_loop().time() + 30
    while True:
        status, listing = await server.request("GET", url, auth=token)
        assert status == 200, listing
        if listing["indexed"]:
            break
        assert asyncio.get_running_loop().time() < deadline, "the recordings were never indexed"
        await asyncio.sleep(0.1)
    folder = server.settings.data_dir / "hearings" / hearing_id / "recordings"
    return sorted(
        t
        for f in listing["files"]
        if f["role"] == "segment" and f["participant_id"] == participant_id
        for t in audio_times(folder / f["file"], f["offset"])
    )
