"""Headless Chromium from Debian's package, driven by Playwright, with fake camera and mic.

The browser runs inside the test session's private network namespace (see netns.py),
so the only network it can reach is loopback.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from playwright.async_api import Browser, Playwright

__all__ = ["CHROMIUM_ARGS", "chromium_path", "launch_chromium"]

# The real binary: Debian's /usr/bin/chromium wrapper adds extension and GPU flags.
_CANDIDATES = ("/usr/lib/chromium/chromium", "/usr/bin/chromium")

CHROMIUM_ARGS = [
    "--no-sandbox",  # the tests run as root
    "--allow-loopback-in-peer-connection",  # WebRTC candidates on 127.0.0.1
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    for candidate in _CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    found = shutil.which("chromium")
    if found is None:
        raise RuntimeError(
            "Chromium is not installed; run ./scripts/setup (Debian package chromium)"
        )
    return found


async def launch_chromium(playwright: Playwright, *, fake_audio: Path | None = None) -> Browser:
    """Launch Chromium; `fake_audio` (a WAV file) becomes the microphone's sound."""
    args = list(CHROMIUM_ARGS)
    if fake_audio is not None:
        if not fake_audio.is_file():  # Chromium would silently capture silence instead
            raise FileNotFoundError(fake_audio)
        args.append(f"--use-file-for-fake-audio-capture={fake_audio}")
    return await playwright.chromium.launch(
        executable_path=chromium_path(), headless=True, args=args
    )
