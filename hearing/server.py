"""The composition root: wires the record, coordination, signaling and pages into one app."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import socketio
from aiohttp import web

from hearing.lifecycle import HearingState
from media import IceConfig, IceServer, MediaNode
from recording import RecordingAlert, RecordingSettings
from recording.service import RecordingService
from signaling.api import add_routes
from signaling.errors import error_middleware
from signaling.hearings import HearingService
from signaling.keys import (
    ADMIN_TOKEN,
    MEDIA,
    RECORDING,
    RECORDING_LINKS,
    SEAL_KEY,
    SEALER,
    SERVICE,
    SETTINGS,
    SIGNALING,
    SOCKETIO,
    TRANSCRIPTION,
)
from signaling.media_bridge import MediaBridge
from signaling.namespace import HearingNamespace
from signaling.pages import add_page_routes
from signaling.quality import QualityWatch
from signaling.recording_links import RecordingLinks
from signaling.redis_rooms import RedisRoomStore
from signaling.socket_server import SocketServer
from signaling.tokens import JoinTokens
from transcription import ModelRegistry
from transcription.service import TranscriptionService

from .audit import Outcome
from .repository import HearingRepository
from .rooms import InMemoryRoomStore, RoomStore
from .seal import SealKey
from .sealer import RecordSealer
from .settings import Settings, load_secret

__all__ = ["build_app"]

log = logging.getLogger(__name__)


def build_app(settings: Settings) -> web.Application:
    """The whole server as one aiohttp application; resources open at startup, close at cleanup."""
    app = web.Application(client_max_size=settings.max_body_bytes, middlewares=[error_middleware])
    app[SETTINGS] = settings
    manager = socketio.AsyncRedisManager(settings.redis_url) if settings.redis_url else None
    sio = SocketServer(
        async_mode="aiohttp",
        client_manager=manager,
        # Each connection's events are handled one at a time, in order; see sequencer.py.
        async_handlers=False,
        transports=["websocket"],
        cors_allowed_origins=[],
        logger=False,
        engineio_logger=False,
    )
    sio.attach(app)
    app[SOCKETIO] = sio
    add_routes(app)
    add_page_routes(app, settings.web_dir)
    app.cleanup_ctx.append(_record_and_rooms)
    app.cleanup_ctx.append(_media)
    app.cleanup_ctx.append(_signaling)
    app.cleanup_ctx.append(_recording)
    app.cleanup_ctx.append(_transcription)
    app.cleanup_ctx.append(_sealing)
    return app


async def _record_and_rooms(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    data_dir = settings.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    app[ADMIN_TOKEN] = load_secret(settings.admin_token, data_dir / "admin.token")
    secret = load_secret(settings.secret_key, data_dir / "secret.key")
    tokens = JoinTokens(secret, ttl_seconds=settings.link_ttl_seconds)
    app[RECORDING_LINKS] = RecordingLinks(secret)
    rooms: RoomStore = (
        RedisRoomStore.from_url(settings.redis_url) if settings.redis_url else InMemoryRoomStore()
    )
    # The court's key seals records and signs every entry of their logs.
    key = app[SEAL_KEY] = await asyncio.to_thread(SealKey.load_or_create, data_dir / "seal.key")
    repository = HearingRepository(data_dir, sign=key.sign)
    app[SERVICE] = HearingService(repository, rooms, tokens, settings.base_url)
    try:
        yield
    finally:
        await rooms.close()


async def _media(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    config = IceConfig(
        advertise_ip=tuple(str(ip) for ip in settings.advertise_ip),
        client_ice_servers=tuple(IceServer((url,)) for url in settings.ice_server),
        turn_secret=settings.turn_secret,
        turn_ttl=settings.turn_ttl_seconds,
    )
    node = MediaNode(config, node_id=settings.node_id)
    await node.start()
    app[MEDIA] = node
    try:
        yield
    finally:
        await node.close()


async def _signaling(app: web.Application) -> AsyncIterator[None]:
    settings, service, sio = app[SETTINGS], app[SERVICE], app[SOCKETIO]
    namespace = HearingNamespace(
        service, settings.node_id, grace_seconds=settings.reconnect_grace_seconds
    )
    bridge = MediaBridge(app[MEDIA], namespace.send_offer)
    namespace.media = bridge
    sio.register_namespace(namespace)
    app[SIGNALING] = namespace
    # A previous run of this node may have died with participants connected.
    await service.rooms.drop_node(settings.node_id)
    quality = QualityWatch(namespace, app[MEDIA])
    quality.start()
    try:
        yield
    finally:
        await quality.close()
        await sio.close()
        await namespace.close()
        await bridge.close()
        await service.rooms.drop_node(settings.node_id)


async def _recording(app: web.Application) -> AsyncIterator[None]:
    settings, service, node, namespace = app[SETTINGS], app[SERVICE], app[MEDIA], app[SIGNALING]

    def alert(alert: RecordingAlert) -> None:
        level = logging.WARNING if alert.severe else logging.INFO
        log.log(level, "recording of %s: %s", alert.hearing_id, alert.message)
        payload = {"kind": alert.kind.value, "message": alert.message,
                   "participant_id": alert.participant_id}  # fmt: skip
        namespace.tell_officers_soon(alert.hearing_id, "recording_alert", payload)

    recording = RecordingService(
        settings.data_dir / "hearings",
        RecordingSettings(min_free_bytes=settings.min_free_bytes),
        on_alert=alert,
        request_keyframe=node.request_keyframe,
        sign=app[SEAL_KEY].sign,
    )
    await recording.recover_all(await service.list())
    node.add_tap(recording)
    namespace.lifecycle_listeners.append(recording.follow)
    app[RECORDING] = recording
    try:
        yield
    finally:
        namespace.lifecycle_listeners.remove(recording.follow)
        node.remove_tap(recording)
        await recording.close()


async def _transcription(app: web.Application) -> AsyncIterator[None]:
    settings, service, node, namespace = app[SETTINGS], app[SERVICE], app[MEDIA], app[SIGNALING]
    registry = ModelRegistry.from_flags(settings.vosk_model)
    for language in registry.languages:
        # A model directory given that is not there is a clear error now, not at the
        # first hearing in its language (a hearing still checks again when it opens).
        registry.check(language)

    async def failed(hearing_id: str, participant_id: str, error: str) -> None:
        # Part of the transcript will be missing: on the record, and the court is told.
        await service.record(
            hearing_id,
            "transcriber",
            "transcription_failed",
            {"error": error},
            target=participant_id,
            outcome=Outcome.FAILED,
        )
        payload = {"participant_id": participant_id, "message": error}
        namespace.tell_officers_soon(hearing_id, "transcription_alert", payload)

    transcription = TranscriptionService(
        registry,
        settings.data_dir / "hearings",
        hearing=service.get,
        on_event=namespace.send_caption,
        on_failure=failed,
    )
    for hearing in await service.list():
        if not hearing.state.final and hearing.state is not HearingState.SCHEDULED:
            await transcription.follow(hearing)
    node.add_tap(transcription)
    namespace.lifecycle_listeners.append(transcription.follow)
    namespace.open_checks.append(transcription.check)
    app[TRANSCRIPTION] = transcription
    try:
        yield
    finally:
        namespace.open_checks.remove(transcription.check)
        namespace.lifecycle_listeners.remove(transcription.follow)
        node.remove_tap(transcription)
        await transcription.close()


async def _sealing(app: web.Application) -> AsyncIterator[None]:
    settings, service, namespace = app[SETTINGS], app[SERVICE], app[SIGNALING]
    key = app[SEAL_KEY]
    # A record is sealed once its recordings (with their index) and its transcript are
    # complete.
    sealer = RecordSealer(
        settings.data_dir / "hearings",
        key,
        after=[app[RECORDING].finished, app[TRANSCRIPTION].finished],
    )
    await sealer.seal_unsealed(await service.list())
    namespace.lifecycle_listeners.append(sealer.follow)
    app[SEALER] = sealer
    try:
        yield
    finally:
        namespace.lifecycle_listeners.remove(sealer.follow)
        await sealer.close()
