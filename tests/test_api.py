"""The REST API: the court system's flows and every bad input, each leaving nothing changed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.harness.server import RunningServer, hearing_body

H = "/api/v1/hearings"


async def snapshot(server: RunningServer) -> dict[str, bytes]:
    """Every file of the data dir's hearings (a refused request must change none of them)."""
    root = server.settings.data_dir / "hearings"
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != ".lock"
    } if root.exists() else {}  # fmt: skip


def error_of(body: Any) -> tuple[str, str]:
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "reason", "message", "details"}, body
    assert body["error"]["message"], body
    return body["error"]["code"], body["error"]["message"]


async def test_create_get_list_update_cancel(server: RunningServer) -> None:
    status, created = await server.request("POST", H, json=hearing_body(id="seoul-2026-1"))
    assert status == 201
    assert created["id"] == "seoul-2026-1" and created["state"] == "scheduled"
    assert created["participants"][2]["display_name"] == "김민지"
    assert "link_generation" not in created

    status, got = await server.request("GET", f"{H}/seoul-2026-1")
    assert (status, got) == (200, created)
    status, listed = await server.request("GET", H)
    assert status == 200 and [h["id"] for h in listed["hearings"]] == ["seoul-2026-1"]

    status, updated = await server.request(
        "PATCH", f"{H}/seoul-2026-1", json={"title": "Kim v. Park (adjourned date)"}
    )
    assert status == 200 and updated["title"] == "Kim v. Park (adjourned date)"
    assert updated["case_number"] == created["case_number"]

    status, cancelled = await server.request(
        "POST", f"{H}/seoul-2026-1/cancel", json={"reason": "settled out of court"}
    )
    assert status == 200 and cancelled["state"] == "cancelled"
    actions = [e["action"] for e in _audit(server, "seoul-2026-1")]
    assert actions == ["hearing_created", "hearing_updated", "hearing_cancel"]


def _audit(server: RunningServer, hearing_id: str) -> list[dict[str, Any]]:
    path = server.settings.data_dir / "hearings" / hearing_id / "audit.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()]


async def test_links_for_everyone_or_some_and_their_session(server: RunningServer) -> None:
    hearing = await server.create_hearing()
    status, body = await server.request("POST", f"{H}/{hearing['id']}/links")
    assert status == 200
    links = {link["participant_id"]: link for link in body["links"]}
    assert sorted(links) == ["alice", "bob", "clerk", "judge"]
    assert (
        links["judge"]["url"] == f"{server.settings.base_url}/join#token={links['judge']['token']}"
    )

    status, some = await server.request(
        "POST", f"{H}/{hearing['id']}/links", json={"participants": ["bob"], "ttl_seconds": 600}
    )
    assert status == 200 and [link["participant_id"] for link in some["links"]] == ["bob"]

    status, session = await server.request("GET", "/api/v1/session", auth=links["alice"]["token"])
    assert status == 200
    assert session["participant"] == {"id": "alice", "display_name": "김민지", "role": "party"}
    assert session["hearing"]["case_number"] == "2026가단12345"
    assert "identity" not in json.dumps(session)


async def test_revoked_and_reissued_links(server: RunningServer) -> None:
    hearing = await server.create_hearing()
    old = (await server.links(hearing["id"]))["bob"]
    status, body = await server.request("POST", f"{H}/{hearing['id']}/participants/bob/revoke")
    assert status == 200 and body == {
        "hearing_id": hearing["id"], "participant_id": "bob", "disconnected": False}  # fmt: skip
    status, body = await server.request("GET", "/api/v1/session", auth=old)
    assert status == 401 and error_of(body)[0] == "token_revoked"
    new = (await server.links(hearing["id"]))["bob"]
    status, _ = await server.request("GET", "/api/v1/session", auth=new)
    assert status == 200
    # Other participants' links are untouched.
    alice = (await server.links(hearing["id"]))["alice"]
    assert (await server.request("GET", "/api/v1/session", auth=alice))[0] == 200


async def test_expired_and_foreign_tokens(server: RunningServer) -> None:
    hearing = await server.create_hearing()
    from hearing.model import Hearing

    stored = Hearing.model_validate(hearing | {"link_generation": {}})
    expired = server.tokens().issue(stored, "alice", ttl_seconds=-10)
    status, body = await server.request("GET", "/api/v1/session", auth=expired)
    assert status == 401 and error_of(body)[0] == "token_expired"
    for token in ("not-a-jwt", server.admin_token):
        status, body = await server.request("GET", "/api/v1/session", auth=token)
        assert status == 401 and error_of(body)[0] == "invalid_token"


async def test_hearings_survive_a_restart(start: Any, tmp_path: Path) -> None:
    first = await start(tmp_path / "shared")
    created = await first.create_hearing(id="keep-me")
    token = (await first.links("keep-me"))["alice"]
    await first.close()
    second = await start(tmp_path / "shared")
    assert second.admin_token == first.admin_token
    status, got = await second.request("GET", f"{H}/keep-me")
    assert (status, got) == (200, created)
    # Links issued before the restart still work: the signing key is kept in the data dir.
    assert (await second.request("GET", "/api/v1/session", auth=token))[0] == 200


# -- bad input: each case names the expected status and code, and nothing may change --------

BAD_CREATES: list[tuple[str, dict[str, Any], int, str]] = [
    ("missing field", {k: v for k, v in hearing_body().items() if k != "title"}, 422,
     "validation_failed"),
    ("duplicate participant ids", hearing_body(participants=[
        {"id": "judge", "display_name": "J", "role": "judge"},
        {"id": "judge", "display_name": "K", "role": "party"}]), 422, "validation_failed"),
    ("unknown role", hearing_body(participants=[
        {"id": "judge", "display_name": "J", "role": "emperor"}]), 422, "validation_failed"),
    ("no judge", hearing_body(participants=[
        {"id": "p", "display_name": "P", "role": "party"}]), 422, "validation_failed"),
    ("naive date", hearing_body(scheduled_start="2026-12-01T09:00:00"), 422, "validation_failed"),
    ("unknown field", hearing_body(colour="red"), 422, "validation_failed"),
    ("path-like id", hearing_body(id="../../etc"), 422, "validation_failed"),
    ("not an object", [1, 2], 422, "validation_failed"),  # type: ignore[list-item]
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "body", "status", "code"), BAD_CREATES, ids=[c[0] for c in BAD_CREATES]
)
async def test_bad_create_bodies(
    server: RunningServer, case: str, body: Any, status: int, code: str
) -> None:
    await server.create_hearing(id="existing")
    before = await snapshot(server)
    got_status, got = await server.request("POST", H, json=body)
    assert got_status == status and error_of(got)[0] == code
    assert await snapshot(server) == before


async def test_validation_errors_name_the_field(server: RunningServer) -> None:
    body = hearing_body()
    body["participants"][1]["role"] = "emperor"
    _, got = await server.request("POST", H, json=body)
    fields = [e["field"] for e in got["error"]["details"]["errors"]]
    assert "participants.1.role" in fields


async def test_duplicate_hearing_id(server: RunningServer) -> None:
    await server.create_hearing(id="existing")
    before = await snapshot(server)
    status, got = await server.request("POST", H, json=hearing_body(id="existing", title="Other"))
    assert status == 409 and error_of(got)[0] == "conflict"
    assert await snapshot(server) == before


@pytest.mark.parametrize(
    ("raw", "content_type", "status", "code"),
    [
        (b"{not json", "application/json", 400, "invalid_json"),
        (b"\xff\xfe", "application/json", 400, "invalid_json"),
        (b"", "application/json", 400, "invalid_json"),
        (b'{"title": "x"}', "text/plain", 415, "unsupported_media_type"),
    ],
)
async def test_malformed_bodies(
    server: RunningServer, raw: bytes, content_type: str, status: int, code: str
) -> None:
    before = await snapshot(server)
    got_status, got = await server.request(
        "POST", H, data=raw, headers={"Content-Type": content_type}
    )
    assert got_status == status and error_of(got)[0] == code
    assert await snapshot(server) == before


async def test_oversized_body(server: RunningServer) -> None:
    before = await snapshot(server)
    huge = json.dumps(hearing_body(title="x" * (server.settings.max_body_bytes + 1)))
    status, got = await server.request(
        "POST", H, data=huge, headers={"Content-Type": "application/json"}
    )
    assert status == 413 and error_of(got)[0] == "body_too_large"
    assert await snapshot(server) == before


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "Authorization: Bearer"),
        ({"Authorization": "Bearer wrong-token-wrong-token"}, "admin token is not valid"),
        ({"Authorization": "Basic abc"}, "Authorization: Bearer"),
    ],
)
async def test_wrong_admin_token(
    server: RunningServer, headers: dict[str, str], message: str
) -> None:
    before = await snapshot(server)
    status, got = await server.request("POST", H, json=hearing_body(), auth=None, headers=headers)
    assert status == 401
    code, text = error_of(got)
    assert code == "unauthorized" and message in text
    assert await snapshot(server) == before


async def test_a_join_token_is_not_an_admin_token(server: RunningServer) -> None:
    hearing = await server.create_hearing()
    judge = (await server.links(hearing["id"]))["judge"]
    status, got = await server.request("GET", H, auth=judge)
    assert status == 401 and error_of(got)[0] == "unauthorized"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", f"{H}/nope", None),
        ("PATCH", f"{H}/nope", {"title": "x"}),
        ("POST", f"{H}/nope/cancel", {"reason": "x"}),
        ("POST", f"{H}/nope/links", None),
        ("POST", f"{H}/nope/participants/alice/revoke", None),
        ("GET", f"{H}/NOT..valid", None),
    ],
)
async def test_unknown_hearing(server: RunningServer, method: str, path: str, body: Any) -> None:
    before = await snapshot(server)
    status, got = await server.request(method, path, json=body)
    assert status == 404 and error_of(got)[0] == "not_found"
    assert await snapshot(server) == before


async def test_unknown_participant(server: RunningServer) -> None:
    hearing = await server.create_hearing()
    before = await snapshot(server)
    for method, path, body in [
        ("POST", f"{H}/{hearing['id']}/participants/zoe/revoke", None),
        ("POST", f"{H}/{hearing['id']}/links", {"participants": ["alice", "zoe"]}),
    ]:
        status, got = await server.request(method, path, json=body)
        assert status == 404 and error_of(got)[0] == "not_found", got
        assert "zoe" in got["error"]["message"]
    assert await snapshot(server) == before


async def test_update_after_opening_and_illegal_cancel(server: RunningServer) -> None:
    hearing = await server.create_hearing()
    hid = hearing["id"]
    await server.request("POST", f"{H}/{hid}/cancel", json={"reason": "moved"})
    await server.request("GET", f"{H}/{hid}/record/verification")  # once its record is sealed
    before = await snapshot(server)
    status, got = await server.request("PATCH", f"{H}/{hid}", json={"title": "x"})
    assert status == 409 and error_of(got)[0] == "conflict"
    status, got = await server.request("POST", f"{H}/{hid}/cancel", json={"reason": "again"})
    assert status == 409 and error_of(got)[0] == "illegal_transition"
    status, got = await server.request("POST", f"{H}/{hid}/links")
    assert status == 409 and error_of(got)[0] == "conflict"
    assert await snapshot(server) == before


@pytest.mark.parametrize(
    "body", [{}, {"title": None, "participants": []}, {"scheduled_start": "tomorrow"}]
)
async def test_bad_updates(server: RunningServer, body: dict[str, Any]) -> None:
    hearing = await server.create_hearing()
    before = await snapshot(server)
    status, got = await server.request("PATCH", f"{H}/{hearing['id']}", json=body)
    assert status == 422 and error_of(got)[0] in ("validation_failed", "invalid_input")
    assert await snapshot(server) == before


async def test_unknown_endpoint_and_method(server: RunningServer) -> None:
    status, got = await server.request("GET", "/api/v1/nothing-here")
    assert status == 404 and error_of(got)[0] == "not_found"
    status, got = await server.request("DELETE", H)
    assert status == 405 and error_of(got)[0] == "method_not_allowed"


async def test_pages_are_served(server: RunningServer) -> None:
    async with aiohttp.ClientSession() as http:
        for path in ("/", "/join", "/assets/join.js", "/desk", "/assets/desk.js", "/healthz"):
            async with http.get(server.url + path) as response:
                assert response.status == 200, path
