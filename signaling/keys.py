"""Typed keys of the aiohttp application state."""

from __future__ import annotations

from aiohttp import web

from hearing.seal import SealKey
from hearing.sealer import RecordSealer
from hearing.settings import Settings
from media import MediaNode
from recording.service import RecordingService
from transcription.service import TranscriptionService

from .hearings import HearingService
from .namespace import HearingNamespace
from .recording_links import RecordingLinks
from .socket_server import SocketServer

__all__ = [
    "ADMIN_TOKEN",
    "MEDIA",
    "RECORDING",
    "RECORDING_LINKS",
    "SEALER",
    "SEAL_KEY",
    "SERVICE",
    "SETTINGS",
    "SIGNALING",
    "SOCKETIO",
    "TRANSCRIPTION",
]

SETTINGS = web.AppKey("settings", Settings)
SERVICE = web.AppKey("service", HearingService)
SIGNALING = web.AppKey("signaling", HearingNamespace)
SOCKETIO = web.AppKey("socketio", SocketServer)
ADMIN_TOKEN = web.AppKey("admin_token", str)
MEDIA = web.AppKey("media", MediaNode)
RECORDING = web.AppKey("recording", RecordingService)
RECORDING_LINKS = web.AppKey("recording_links", RecordingLinks)
SEALER = web.AppKey("sealer", RecordSealer)
SEAL_KEY = web.AppKey("seal_key", SealKey)
TRANSCRIPTION = web.AppKey("transcription", TranscriptionService)
