"""A recording node that test_crash kills with SIGKILL: records two participants in real time.

Usage: python -m tests.recording.crash_child HEARING_DIR CLIPS_PICKLE
Prints "started <wall time>" and then "recorded <seconds>" every half second.
"""

from __future__ import annotations

import asyncio
import pickle
import sys
import time
from pathlib import Path

from recording import Recorder
from tests.recording.synthetic import Clip, Publisher, play


async def main(hearing_dir: Path, clips_path: Path) -> None:
    audio, video = pickle.loads(clips_path.read_bytes())
    assert isinstance(audio, Clip) and isinstance(video, Clip)
    recorder = Recorder(hearing_dir, "crash-1")
    began = time.time()
    await recorder.start(at=began)
    print(f"started {began}", flush=True)

    async def progress() -> None:
        while True:
            await asyncio.sleep(0.5)
            print(f"recorded {time.time() - began:.3f}", flush=True)

    ticker = asyncio.create_task(progress())
    publishers = [
        Publisher("witness", began, [audio, video], seed=1),
        Publisher("counsel", began + 0.3, [audio, video], seed=2),
    ]
    try:
        await play(recorder, publishers, speed=1.0)  # real time, until killed
    finally:
        ticker.cancel()
        await recorder.aclose()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), Path(sys.argv[2])))
