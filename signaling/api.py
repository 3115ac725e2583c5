"""The REST API under /api/v1, declared once as a table that also yields the OpenAPI document."""

from __future__ import annotations

import asyncio
import hmac
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from aiohttp import web
from pydantic import BaseModel

from hearing.errors import Conflict, HearingError, NotFound, NotPermitted, Reason
from hearing.lifecycle import HearingState, LifecycleAction
from hearing.model import Hearing, HearingUpdate, NewHearing, Participant
from hearing.permissions import Action, Grant, authorize, grant
from hearing.seal import MANIFEST
from hearing.sealer import RecordSealer
from transcription import (
    Decision,
    ExportFormat,
    HearingInfo,
    Speaker,
    TranscriptLog,
    export_transcript,
    standings,
)

from .errors import ApiError
from .hearings import ADMIN, HearingService
from .keys import ADMIN_TOKEN, RECORDING_LINKS, SEALER, SERVICE, SIGNALING
from .namespace import HearingNamespace
from .recording_links import RecordingLinks
from .schemas import (
    CancelRequest,
    ConfirmationIn,
    ConfirmationList,
    ConfirmationOut,
    ConfirmationStatus,
    CorrectionIn,
    CorrectionOut,
    HearingList,
    HearingOut,
    JoinLinks,
    LinkRequest,
    MediaReport,
    ParticipantConfirmation,
    RecordingList,
    RecordVerification,
    RevokeResult,
    SealKeyOut,
    SessionHearing,
    SessionInfo,
    SessionParticipant,
    TranscriptForConfirmation,
    TranscriptLine,
    TranscriptVersionOut,
)

__all__ = ["ENDPOINTS", "Auth", "Endpoint", "add_routes"]

PREFIX = "/api/v1"


class Auth(StrEnum):
    ADMIN = "admin"
    JOIN = "join"
    RECORD = "record"
    """The admin token, or the join token of the hearing's judge, mediator or clerk."""


class FileDownload(BaseModel):
    """A handler's answer that is a file, not JSON: on disk (`path`) or made (`data`)."""

    name: str
    media_type: str
    path: Path | None = None
    data: bytes | None = None


@dataclass(frozen=True, slots=True)
class Context:
    """What a handler gets: the service, the path parameters and the validated body."""

    service: HearingService
    signaling: HearingNamespace
    links: RecordingLinks
    sealer: RecordSealer
    params: dict[str, str]
    body: Any


Handler = Callable[[Context], Awaitable[BaseModel]]


@dataclass(frozen=True, slots=True)
class Endpoint:
    method: str
    path: str
    summary: str
    handler: Handler
    response: type[BaseModel]
    auth: Auth = Auth.ADMIN
    body: type[BaseModel] | None = None
    body_optional: bool = False
    status: int = 200
    errors: tuple[int, ...] = ()
    binary: bool = False
    """The answer is a file (application/octet-stream), not JSON."""
    signed: bool = False
    """Also accepts a signed address (`?expires&by&signature`) instead of a token."""


def _bearer(request: web.Request) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(
            401,
            "unauthorized",
            "send 'Authorization: Bearer <token>' with this request",
        )
    return token.strip()


async def _body(request: web.Request, endpoint: Endpoint) -> Any:
    if endpoint.body is None:
        return None
    raw = await request.read()
    if not raw.strip() and endpoint.body_optional:
        return endpoint.body()
    if request.content_type != "application/json":
        raise ApiError(
            415,
            "unsupported_media_type",
            f"send the body as application/json, not {request.content_type or 'nothing'}",
        )
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ApiError(400, "invalid_json", f"the request body is not valid JSON: {e}") from None
    return endpoint.body.model_validate(data)


def _is_admin(request: web.Request, token: str) -> bool:
    return hmac.compare_digest(token.encode(), request.app[ADMIN_TOKEN].encode())


async def _check_record_access(request: web.Request, token: str, action: Action) -> str:
    """The admin, or an officer of this very hearing; anyone else is refused. The actor."""
    if _is_admin(request, token):
        return ADMIN
    caller = await request.app[SERVICE].authenticate(token, purpose=action.value)
    hearing_id = request.match_info["hearing_id"]
    if caller.hearing.id != hearing_id:
        raise NotPermitted(
            "this join link is for another hearing", reason=Reason.LINK_FOR_OTHER_HEARING
        )
    authorize(caller.participant.role, action)
    return caller.participant.id


def _route(endpoint: Endpoint) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handle(request: web.Request) -> web.StreamResponse:
        service = request.app[SERVICE]
        links = request.app[RECORDING_LINKS]
        token, actor = "", ADMIN
        if endpoint.signed and "signature" in request.query:
            match = request.match_info
            actor, generation = links.check(
                match["hearing_id"], match["file"], request.query, now=time.time()
            )
            hearing = await service.get(match["hearing_id"])
            if actor != ADMIN and hearing.generation(actor) != generation:
                raise ApiError(
                    401,
                    "token_revoked",
                    "this recording address was signed for links that have since been revoked",
                    reason=Reason.RECORDING_LINK_REVOKED,
                )
        else:
            token = _bearer(request)
            if endpoint.auth is Auth.ADMIN and not _is_admin(request, token):
                raise ApiError(401, "unauthorized", "the admin token is not valid")
            if endpoint.auth is Auth.RECORD:
                action = Action.CORRECT_TRANSCRIPT if endpoint.method == "POST" else (
                    Action.DOWNLOAD_RECORD)  # fmt: skip
                actor = await _check_record_access(request, token, action)
        context = Context(
            service=service,
            signaling=request.app[SIGNALING],
            links=links,
            sealer=request.app[SEALER],
            params=dict(request.match_info)
            | ({"token": token} if endpoint.auth is Auth.JOIN else {})
            | {"actor": actor},
            body=await _body(request, endpoint),
        )
        result = await endpoint.handler(context)
        if isinstance(result, FileDownload):
            headers = {
                "Content-Type": result.media_type,
                "Content-Disposition": f'attachment; filename="{result.name}"',
            }
            if result.path is not None:
                return web.FileResponse(result.path, headers=headers)
            return web.Response(body=result.data, headers=headers)
        return web.json_response(
            text=result.model_dump_json(), status=endpoint.status, content_type="application/json"
        )

    return handle


# -- handlers -----------------------------------------------------------------------


async def create_hearing(c: Context) -> HearingOut:
    return HearingOut.of(await c.service.create(c.body))


async def list_hearings(c: Context) -> HearingList:
    return HearingList(hearings=[HearingOut.of(h) for h in await c.service.list()])


async def get_hearing(c: Context) -> HearingOut:
    return HearingOut.of(await c.service.get(c.params["hearing_id"]))


async def update_hearing(c: Context) -> HearingOut:
    return HearingOut.of(await c.service.update(c.params["hearing_id"], c.body))


async def cancel_hearing(c: Context) -> HearingOut:
    hearing_id = c.params["hearing_id"]
    hearing = await c.service.transition(
        hearing_id, LifecycleAction.CANCEL, actor=ADMIN, details={"reason": c.body.reason}
    )
    await c.signaling.end_hearing(
        hearing_id, "hearing_cancelled", f"the court cancelled this hearing: {c.body.reason}"
    )
    return HearingOut.of(hearing)


async def issue_links(c: Context) -> JoinLinks:
    return await c.service.issue_links(c.params["hearing_id"], c.body)


async def revoke_links(c: Context) -> RevokeResult:
    hearing_id, participant_id = c.params["hearing_id"], c.params["participant_id"]
    await c.service.revoke_links(hearing_id, participant_id)
    disconnected = await c.signaling.end_participant(
        hearing_id, participant_id, "token_revoked", "the court revoked your join link"
    )
    return RevokeResult(
        hearing_id=hearing_id, participant_id=participant_id, disconnected=disconnected
    )


async def media_report(c: Context) -> MediaReport:
    hearing = await c.service.get(c.params["hearing_id"])
    media = c.signaling.media
    try:
        state = media.node.state(hearing.id) if media is not None else {}
    except NotFound:  # nobody has media in this hearing on this node
        state = {}
    return MediaReport(
        hearing_id=hearing.id,
        participants=list(state.values()),
    )


async def list_recordings(c: Context) -> RecordingList:
    hearing = await c.service.get(c.params["hearing_id"])
    folder = c.service.repository.folder(hearing.id) / "recordings"
    listing = await asyncio.to_thread(RecordingList.of, hearing.id, folder)
    now, actor = time.time(), c.params["actor"]
    generation = 0 if actor == ADMIN else hearing.generation(actor)
    files = [
        f.model_copy(
            update={
                "url": c.links.url(
                    PREFIX, hearing.id, f.file, actor, generation=generation, now=now
                )
            }
        )  # fmt: skip
        for f in listing.files
    ]
    return listing.model_copy(update={"files": files})


async def download_recording(c: Context) -> FileDownload:
    hearing = await c.service.get(c.params["hearing_id"])
    folder = (c.service.repository.folder(hearing.id) / "recordings").resolve()
    name = c.params["file"]
    path = (folder / name).resolve()
    if folder not in path.parents or not path.is_file() or path.suffix not in _MEDIA_TYPES:
        raise NotFound(
            f"hearing {hearing.id} has no recording {name!r}",
            details={"file": name},
            reason=Reason.RECORDING_NOT_FOUND,
        )
    return FileDownload(name=path.name, path=path, media_type=_MEDIA_TYPES[path.suffix])


async def download_manifest(c: Context) -> FileDownload:
    hearing = await c.service.get(c.params["hearing_id"])
    await c.sealer.sealed(hearing.id)  # a seal in progress is finished, not half-read
    path = c.service.repository.folder(hearing.id) / MANIFEST
    if not path.is_file():
        raise Conflict(
            f"the record of hearing {hearing.id} is not sealed: it is sealed once the "
            "hearing is adjourned and its recordings and transcript are complete",
            details={"hearing_id": hearing.id, "state": hearing.state.value},
            reason=Reason.RECORD_NOT_SEALED,
        )
    return FileDownload(name=f"{hearing.id}-{MANIFEST}", path=path, media_type="application/json")


async def verify_seal(c: Context) -> RecordVerification:
    hearing = await c.service.get(c.params["hearing_id"])
    report = await c.sealer.check(hearing.id)
    sealed = (c.service.repository.folder(hearing.id) / MANIFEST).is_file()
    return RecordVerification(
        hearing_id=hearing.id,
        sealed=sealed,
        verified=sealed and report.ok,
        sealed_at=_instant(report.sealed_at),
        files=report.files,
        problems=report.problems,
        notes=report.notes,
        key_fingerprint=c.sealer.key.fingerprint,
        seal_failed=None if sealed else c.sealer.failures.get(hearing.id),
    )


def _instant(text: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


async def seal_key(c: Context) -> SealKeyOut:
    key = c.sealer.key
    return SealKeyOut(algorithm="Ed25519", public_key=key.public_text, fingerprint=key.fingerprint)


async def download_transcript(c: Context) -> FileDownload:
    hearing = await c.service.get(c.params["hearing_id"])
    try:
        fmt = ExportFormat(c.params["format"])
    except ValueError:
        choices = ", ".join(f.value for f in ExportFormat)
        raise NotFound(
            f"no transcript format {c.params['format']!r}; one of {choices}",
            reason=Reason.FORMAT_NOT_FOUND,
        ) from None
    read = await TranscriptLog(c.service.repository.folder(hearing.id)).read()
    confirmed = None
    if hearing.state is HearingState.ADJOURNED:  # the transcript is complete: who confirmed it
        confirmed = tuple(standings(_asked_to_confirm(hearing), read.confirmations, read.version))
    info = HearingInfo(
        case_number=hearing.case_number,
        title=hearing.title,
        court=hearing.court,
        date=hearing.scheduled_start,
        participants=tuple(_speakers(hearing)),
        hearing_id=hearing.id,
        confirmations=confirmed,
    )
    data = await asyncio.to_thread(export_transcript, fmt, info, read.entries)
    return FileDownload(
        name=f"{hearing.id}-transcript.{fmt.extension}", media_type=fmt.media_type, data=data
    )


async def correct_transcript(c: Context) -> CorrectionOut:
    hearing = await c.service.get(c.params["hearing_id"])
    if not c.params["seq"].isdigit():
        raise NotFound(
            f"the transcript of {hearing.id} has no segment {c.params['seq']!r}",
            details={"seq": c.params["seq"]},
            reason=Reason.SEGMENT_NOT_FOUND,
        )
    seq = int(c.params["seq"])
    # Signed: a correction made after the seal is part of the record only so.
    log = TranscriptLog(c.service.repository.folder(hearing.id), sign=c.sealer.key.sign)
    by = c.params.get("actor", ADMIN)
    correction = await log.correct(seq, c.body.text, by)
    await c.service.record(hearing.id, by, "transcript_corrected", {"seq": seq})
    out = CorrectionOut(
        hearing_id=hearing.id,
        seq=seq,
        text=correction.text,
        by=by,
        correction_seq=correction.seq,
        time=correction.time,
    )
    await c.signaling.send_correction(hearing.id, out.model_dump(mode="json"))
    return out


# -- confirming the transcript (parties, after the hearing) ---------------------------


async def _confirming(c: Context, purpose: str) -> tuple[Hearing, Participant, TranscriptLog]:
    """The caller, who may confirm this hearing's transcript (it is adjourned), and its log.

    A refusal is audited against the hearing."""
    caller = await c.service.authenticate(c.params["token"], purpose=purpose)
    hearing, participant = caller.hearing, caller.participant
    try:
        authorize(participant.role, Action.CONFIRM_TRANSCRIPT)
        if hearing.state is not HearingState.ADJOURNED:
            raise Conflict(
                "the transcript can be confirmed once the hearing is adjourned; it is "
                f"{hearing.state.value} now",
                details={"state": hearing.state.value},
                reason=Reason.HEARING_NOT_ADJOURNED,
            )
    except HearingError as e:
        await c.service.refused(hearing.id, participant.id, purpose, e)
        raise
    folder = c.service.repository.folder(hearing.id)
    return hearing, participant, TranscriptLog(folder, sign=c.sealer.key.sign)


def _speaker(p: Participant) -> Speaker:
    return Speaker(participant_id=p.id, name=p.display_name, role=p.role)


def _speakers(hearing: Hearing) -> list[Speaker]:
    return [_speaker(p) for p in hearing.participants]


def _asked_to_confirm(hearing: Hearing) -> list[Speaker]:
    return [
        s
        for s in _speakers(hearing)
        if grant(s.role, Action.CONFIRM_TRANSCRIPT) is not Grant.DENIED
    ]


async def transcript_to_confirm(c: Context) -> TranscriptForConfirmation:
    hearing, participant, log = await _confirming(c, "read_transcript")
    # Its last segments are written before the record is sealed (seconds after the
    # adjournment; longer while a long hearing's playback set is made).
    complete = await c.sealer.settled(hearing.id)
    read = await log.read()
    (mine,) = standings([_speaker(participant)], read.confirmations, read.version)
    return TranscriptForConfirmation(
        hearing_id=hearing.id,
        complete=complete,
        head=TranscriptVersionOut.of(read.version),
        segments=[
            TranscriptLine(
                seq=e.seq,
                participant_id=e.segment.participant_id,
                speaker=e.segment.speaker,
                role=e.segment.role,
                start=e.segment.start,
                end=e.segment.end,
                text=e.text,
                original_text=e.original_text,
                corrected=e.corrected,
            )
            for e in read.entries
        ],
        confirmation=None
        if mine.latest is None
        else ConfirmationOut.of(hearing.id, mine.latest, read.version),
    )


async def confirm_transcript(c: Context) -> ConfirmationOut:
    hearing, participant, log = await _confirming(c, Action.CONFIRM_TRANSCRIPT.value)
    if not await c.sealer.settled(hearing.id):
        # Not a refusal of the person (not audited): the page offers no answer until then.
        raise Conflict(
            "the record of the hearing is still being completed (its last transcript lines "
            "and recordings are being written): read the transcript again in a few seconds",
            details={"retry_after": 5},
            reason=Reason.RECORD_NOT_COMPLETE,
        )
    body: ConfirmationIn = c.body
    speaker = _speaker(participant)
    try:
        confirmation = await log.confirm(speaker, body.decision, body.note, body.head.domain())
    except HearingError as e:
        await c.service.refused(hearing.id, participant.id, Action.CONFIRM_TRANSCRIPT.value, e)
        raise
    action = (
        "transcript_confirmed" if body.decision is Decision.CONFIRMED else "transcript_objected"
    )
    details = {"seq": confirmation.seq, "version": confirmation.version.entries}
    await c.service.record(hearing.id, participant.id, action, details)
    out = ConfirmationOut.of(hearing.id, confirmation, confirmation.version)
    await c.signaling.send_confirmation(hearing.id, out.model_dump(mode="json"))
    return out


async def list_confirmations(c: Context) -> ConfirmationList:
    hearing = await c.service.get(c.params["hearing_id"])
    read = await TranscriptLog(c.service.repository.folder(hearing.id)).read()
    rows = [
        ParticipantConfirmation(
            participant_id=s.speaker.participant_id,
            speaker=s.speaker.name,
            role=s.speaker.role,
            status=ConfirmationStatus(s.status),
            current=s.current,
            note=s.latest.note if s.latest else "",
            time=s.latest.time if s.latest else None,
        )
        for s in standings(_asked_to_confirm(hearing), read.confirmations, read.version)
    ]
    return ConfirmationList(
        hearing_id=hearing.id, head=TranscriptVersionOut.of(read.version), participants=rows
    )


_MEDIA_TYPES = {".webm": "video/webm", ".mkv": "video/x-matroska", ".ogg": "audio/ogg",
                ".opus": "audio/ogg", ".json": "application/json"}  # fmt: skip


async def session_info(c: Context) -> SessionInfo:
    caller = await c.service.authenticate(c.params["token"], purpose="session")
    hearing, participant = caller.hearing, caller.participant
    return SessionInfo(
        hearing=SessionHearing(
            id=hearing.id,
            case_number=hearing.case_number,
            title=hearing.title,
            court=hearing.court,
            language=hearing.language,
            kind=hearing.kind,
            public=hearing.public,
            state=await c.service.live_state(hearing),
            scheduled_start=hearing.scheduled_start,
        ),
        participant=SessionParticipant(
            id=participant.id, display_name=participant.display_name, role=participant.role
        ),
        expires_at=datetime.fromtimestamp(caller.claims.expires_at, UTC),
    )


_H = "/hearings/{hearing_id}"

ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("POST", "/hearings", "Create a hearing with its participants", create_hearing,
             HearingOut, body=NewHearing, status=201, errors=(400, 401, 409, 413, 415, 422)),
    Endpoint("GET", "/hearings", "List hearings", list_hearings, HearingList, errors=(401,)),
    Endpoint("GET", _H, "Get one hearing", get_hearing, HearingOut, errors=(401, 404)),
    Endpoint("PATCH", _H, "Change a hearing that has not opened yet", update_hearing, HearingOut,
             body=HearingUpdate, errors=(400, 401, 404, 409, 413, 415, 422)),
    Endpoint("POST", _H + "/cancel", "Cancel a hearing that has not started", cancel_hearing,
             HearingOut, body=CancelRequest, errors=(400, 401, 404, 409, 413, 415, 422)),
    Endpoint("POST", _H + "/links", "Issue join links (all participants unless named)",
             issue_links, JoinLinks, body=LinkRequest, body_optional=True,
             errors=(400, 401, 404, 409, 413, 415, 422)),
    Endpoint("POST", _H + "/participants/{participant_id}/revoke",
             "Revoke every join link issued to a participant and close their connection",
             revoke_links, RevokeResult, errors=(401, 404)),
    Endpoint("GET", _H + "/media", "Live media of each participant (publishing, bitrate, loss)",
             media_report, MediaReport, errors=(401, 404)),
    Endpoint("GET", _H + "/recordings", "Every recording of the hearing so far (with the "
             "index, hashes and playback files once it is adjourned)", list_recordings,
             RecordingList, auth=Auth.RECORD, errors=(401, 403, 404)),
    Endpoint("GET", _H + "/recordings/{file}", "Download one recording file (HTTP Range "
             "requests answered), with a token or by the signed address the list gives",
             download_recording, FileDownload, auth=Auth.RECORD, errors=(401, 403, 404),
             binary=True, signed=True),
    # Before /transcript/{format}, which would take "confirmations" for a format.
    Endpoint("GET", _H + "/transcript/confirmations", "Who has confirmed the transcript, who "
             "objected (with their note) and who has not yet, after the hearing",
             list_confirmations, ConfirmationList, auth=Auth.RECORD, errors=(401, 403, 404)),
    Endpoint("GET", _H + "/transcript/{format}", "The transcript so far: txt (court layout), "
             "json, vtt, srt or docx", download_transcript, FileDownload, auth=Auth.RECORD,
             errors=(401, 403, 404), binary=True),
    Endpoint("POST", _H + "/transcript/{seq}/corrections", "Correct a segment (the original "
             "is kept; the correction is a new entry of the chain)", correct_transcript,
             CorrectionOut, auth=Auth.RECORD, body=CorrectionIn, status=201,
             errors=(400, 401, 403, 404, 413, 415, 422)),
    Endpoint("GET", _H + "/record/manifest", "The sealed record's signed manifest (every "
             "file's size and SHA-256, the logs' chain heads), once the hearing is over",
             download_manifest, FileDownload, auth=Auth.RECORD, errors=(401, 403, 404, 409),
             binary=True),
    Endpoint("GET", _H + "/record/verification", "Check the record on disk against its "
             "seal now: every byte, every chain link, the signature", verify_seal,
             RecordVerification, auth=Auth.RECORD, errors=(401, 403, 404)),
    Endpoint("GET", "/seal-key", "The public key that signs sealed records (to verify them "
             "elsewhere with `hearing verify --key`)", seal_key, SealKeyOut, errors=(401,)),
    Endpoint("GET", "/session", "Who a join token belongs to (used by the join page)",
             session_info, SessionInfo, auth=Auth.JOIN, errors=(401,)),
    Endpoint("GET", "/session/transcript", "The transcript for its participants to confirm, "
             "once the hearing is adjourned (with the caller's own confirmation, if any)",
             transcript_to_confirm, TranscriptForConfirmation, auth=Auth.JOIN,
             errors=(401, 403, 409)),
    Endpoint("POST", "/session/transcript/confirmation", "Confirm the transcript as read, or "
             "object to it with a note (a new entry of its chain; the latest one counts)",
             confirm_transcript, ConfirmationOut, auth=Auth.JOIN, body=ConfirmationIn,
             status=201, errors=(400, 401, 403, 409, 413, 415, 422)),
)  # fmt: skip


def add_routes(app: web.Application) -> None:
    for endpoint in ENDPOINTS:
        # A file name may include a sub-folder (playback/...).
        path = endpoint.path.replace("{file}", "{file:.+}")
        app.router.add_route(endpoint.method, PREFIX + path, _route(endpoint))
