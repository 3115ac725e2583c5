"""The real application served on loopback for a test, plus a REST client for its API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from ipaddress import ip_address
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp.test_utils import TestServer

from hearing.server import build_app
from hearing.settings import Settings, load_secret
from signaling.keys import SERVICE
from signaling.tokens import JoinTokens

from .redis_server import free_port

__all__ = ["RunningServer", "hearing_body", "start_server"]


def hearing_body(**overrides: Any) -> dict[str, Any]:
    """A valid POST /api/v1/hearings body: a judge, a clerk and two parties."""
    body: dict[str, Any] = {
        "case_number": "2026가단12345",
        "title": "Kim v. Park",
        "court": "Seoul Central District Court",
        "language": "ko",
        "scheduled_start": (datetime.now(UTC) + timedelta(hours=1)).isoformat(),
        "participants": [
            {"id": "judge", "display_name": "Judge Han", "role": "judge"},
            {"id": "clerk", "display_name": "Clerk Yoon", "role": "clerk"},
            {"id": "alice", "display_name": "김민지", "role": "party",
             "identity": {"resident_id_last4": "1234"}},
            {"id": "bob", "display_name": "Bob Park", "role": "party"},
        ],
    }  # fmt: skip
    body.update(overrides)
    return body


@dataclass
class RunningServer:
    server: TestServer
    settings: Settings
    http: aiohttp.ClientSession

    @property
    def url(self) -> str:
        return str(self.server.make_url("")).rstrip("/")

    @property
    def admin_token(self) -> str:
        return load_secret(self.settings.admin_token, self.settings.data_dir / "admin.token")

    @property
    def admin(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin_token}"}

    def tokens(self) -> JoinTokens:
        """A token factory with this server's key (for expired or forged-role tests)."""
        return self.server.app[SERVICE].tokens

    async def request(
        self, method: str, path: str, *, json: Any = None, auth: str | None = "admin", **kw: Any
    ) -> tuple[int, Any]:
        headers = dict(kw.pop("headers", {}))
        if auth == "admin":
            headers.update(self.admin)
        elif auth is not None:
            headers["Authorization"] = f"Bearer {auth}"
        async with self.http.request(
            method, self.url + path, json=json, headers=headers, **kw
        ) as response:
            body = await response.json() if response.content_type == "application/json" else None
            return response.status, body

    async def create_hearing(self, **overrides: Any) -> dict[str, Any]:
        status, body = await self.request(
            "POST", "/api/v1/hearings", json=hearing_body(**overrides)
        )
        assert status == 201, body
        return dict(body)

    async def links(self, hearing_id: str) -> dict[str, str]:
        """participant id → join token"""
        status, body = await self.request("POST", f"/api/v1/hearings/{hearing_id}/links")
        assert status == 200, body
        return {link["participant_id"]: link["token"] for link in body["links"]}

    async def transcript(self, hearing_id: str, token: str) -> list[dict[str, Any]]:
        """The transcript's segments, as an officer (`token`) downloads them in JSON."""
        url = f"/api/v1/hearings/{hearing_id}/transcript/json"
        status, body = await self.request("GET", url, auth=token)
        assert status == 200, body
        return list(body["segments"])

    async def close(self) -> None:
        await self.http.close()
        await self.server.close()


async def start_server(
    data_dir: Path, *, redis_url: str | None = None, **overrides: Any
) -> RunningServer:
    port = free_port()
    settings = Settings(
        host="127.0.0.1",
        port=port,
        data_dir=data_dir,
        redis_url=redis_url,
        advertise_ip=(ip_address("127.0.0.1"),),
        **overrides,
    )
    server = TestServer(build_app(settings), host="127.0.0.1", port=port)
    try:
        await server.start_server()
    except BaseException:
        await server.close()  # what did start (the earlier cleanup contexts) is closed
        raise
    return RunningServer(server, settings, aiohttp.ClientSession())
