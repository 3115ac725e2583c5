"""The server's process in the transcription benchmark: the real app, on loopback only.

The whole application (`hearing.server.build_app`: REST API, Socket.IO signaling,
media node, recording, transcription) listens on 127.0.0.1 and its media node
advertises 127.0.0.1. Over the control pipe the orchestrator asks for:

- ``("preload", language)``: load that language's model now (a spare recognizer warms
  in the background), as a server that knows its hearings would, not at the first track;
- ``("transcription", on)``: give the media node's tracks to transcription, or not
  (the service's tap is added or removed; removing it ends every pipeline);
- ``("cpu",)``: this process's wall time and CPU time (every thread);
- ``("stop",)``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from ipaddress import ip_address
from multiprocessing.connection import Connection
from pathlib import Path

from aiohttp import web

from bench._sfu_wire import Control
from hearing.server import build_app
from hearing.settings import Settings
from signaling.keys import MEDIA, SIGNALING
from transcription.service import TranscriptionService

__all__ = ["run"]

log = logging.getLogger(__name__)


def _transcription(app: web.Application) -> TranscriptionService:
    """The app's transcription service: the one that follows the hearings' lifecycle."""
    for listener in app[SIGNALING].lifecycle_listeners:
        owner = getattr(listener, "__self__", None)
        if isinstance(owner, TranscriptionService):
            return owner
    raise RuntimeError("the app has no transcription service")


async def _serve(control: Control, data_dir: Path, port: int, admin_token: str) -> None:
    # Validated from these values alone: no HEARING_* variable reaches the bench's server.
    settings = Settings.model_validate(
        {
            "host": "127.0.0.1",
            "port": port,
            "data_dir": data_dir,
            "admin_token": admin_token,
            "advertise_ip": (ip_address("127.0.0.1"),),
        }
    )
    runner = web.AppRunner(build_app(settings))
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", port).start()
        app = runner.app
        transcription, node = _transcription(app), app[MEDIA]
        control.send("ready")
        while (request := await control.get()) is not None:
            if request[0] == "preload":
                await transcription.registry.recognizers(request[1])
                control.send("preloaded")
            elif request[0] == "transcription":
                if request[1]:
                    node.add_tap(transcription)
                else:
                    node.remove_tap(transcription)
                control.send("transcription", request[1])
            elif request[0] == "cpu":
                control.send("cpu", time.time(), time.process_time())
            elif request[0] == "stop":
                break
    finally:
        await runner.cleanup()


def run(control: Connection, data_dir: str, port: int, admin_token: str) -> None:
    """Process entry point: serve until the orchestrator says stop."""
    logging.basicConfig(level=logging.WARNING, format="node %(levelname)s %(name)s %(message)s")

    async def main() -> None:
        pipe = Control(control)
        try:
            await _serve(pipe, Path(data_dir), port, admin_token)
        finally:
            pipe.close()

    asyncio.run(main())
