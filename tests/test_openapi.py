"""The OpenAPI document describes exactly what the server does: its routes, what it accepts,
what it answers."""

from __future__ import annotations

import re
from typing import Any

import jsonschema
import pytest

from tests.harness.server import RunningServer, hearing_body

H = "/api/v1/hearings"


async def document(server: RunningServer) -> dict[str, Any]:
    status, doc = await server.request("GET", "/api/v1/openapi.json", auth=None)
    assert status == 200
    jsonschema.Draft202012Validator.check_schema({"$defs": doc["components"]["schemas"]})
    return dict(doc)


def operation(doc: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    for template, ops in doc["paths"].items():
        pattern = "^" + re.sub(r"{\w+}", "[^/]+", template) + "$"
        if re.match(pattern, path) and method.lower() in ops:
            return dict(ops[method.lower()])
    raise AssertionError(f"{method} {path} is not in the OpenAPI document")


def schema_errors(doc: dict[str, Any], schema: dict[str, Any], instance: Any) -> list[str]:
    # The document is the root so that "#/components/schemas/..." references resolve.
    root = {**doc, **schema}
    validator = jsonschema.Draft202012Validator(root, format_checker=jsonschema.FormatChecker())
    return [e.message for e in validator.iter_errors(instance)]


class CheckedClient:
    """Sends requests and checks each request and response against the document."""

    def __init__(self, server: RunningServer, doc: dict[str, Any]) -> None:
        self.server, self.doc = server, doc

    def accepts(self, method: str, path: str, body: Any) -> bool:
        op = operation(self.doc, method, path)
        if body is None:
            return not op.get("requestBody", {}).get("required", False)
        schema = op["requestBody"]["content"]["application/json"]["schema"]
        return not schema_errors(self.doc, schema, body)

    async def send(self, method: str, path: str, body: Any = None, **kw: Any) -> tuple[int, Any]:
        status, answer = await self.server.request(method, path, json=body, **kw)
        op = operation(self.doc, method, path)
        assert str(status) in op["responses"], f"{method} {path} answered undocumented {status}"
        schema = op["responses"][str(status)]["content"]["application/json"]["schema"]
        assert schema_errors(self.doc, schema, answer) == [], (status, answer)
        return status, answer


async def test_documented_routes_are_exactly_the_served_ones(server: RunningServer) -> None:
    doc = await document(server)
    documented = {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops}
    served = {
        (r.method, r.resource.canonical)
        for r in server.server.app.router.routes()
        if r.resource is not None
        and r.resource.canonical.startswith("/api/v1/")
        and r.method != "HEAD"
        and r.resource.canonical != "/api/v1/openapi.json"
    }
    assert documented == served


async def test_a_whole_flow_matches_the_document(server: RunningServer) -> None:
    doc = await document(server)
    api = CheckedClient(server, doc)
    body = hearing_body(id="doc-flow")
    assert api.accepts("POST", H, body)
    assert (await api.send("POST", H, body))[0] == 201
    assert (await api.send("GET", H))[0] == 200
    assert (await api.send("GET", f"{H}/doc-flow"))[0] == 200
    assert (await api.send("PATCH", f"{H}/doc-flow", {"title": "Renamed"}))[0] == 200
    assert api.accepts("POST", f"{H}/doc-flow/links", None)
    status, links = await api.send("POST", f"{H}/doc-flow/links")
    assert status == 200
    token = links["links"][0]["token"]
    assert (await api.send("GET", "/api/v1/session", auth=token))[0] == 200
    assert (await api.send("POST", f"{H}/doc-flow/participants/bob/revoke"))[0] == 200
    assert (await api.send("POST", f"{H}/doc-flow/cancel", {"reason": "moved"}))[0] == 200
    # Errors are documented too, with the one error shape.
    assert (await api.send("GET", f"{H}/missing"))[0] == 404
    assert (await api.send("POST", f"{H}/doc-flow/cancel", {"reason": "again"}))[0] == 409
    assert (await api.send("GET", H, auth="wrong-token-wrong-token"))[0] == 401


INVALID_BODIES = [
    ("POST", H, hearing_body(participants=[])),
    ("POST", H, hearing_body(kind="trial")),
    ("POST", H, hearing_body(id="Bad Id")),
    ("POST", H, hearing_body(language="korean")),
    ("POST", H, hearing_body(extra=True)),
    ("POST", H, {"title": "only a title"}),
    ("PATCH", f"{H}/doc-h", {"participants": []}),
    ("PATCH", f"{H}/doc-h", {"public": "yes please"}),
    ("POST", f"{H}/doc-h/links", {"ttl_seconds": 5}),
    ("POST", f"{H}/doc-h/links", {"participants": []}),
    ("POST", f"{H}/doc-h/cancel", {}),
]


@pytest.mark.parametrize(("method", "path", "body"), INVALID_BODIES)
async def test_what_the_document_rejects_the_server_rejects(
    server: RunningServer, method: str, path: str, body: Any
) -> None:
    doc = await document(server)
    api = CheckedClient(server, doc)
    await server.create_hearing(id="doc-h")
    assert not api.accepts(method, path, body)
    status, answer = await api.send(method, path, body)
    assert status == 422 and answer["error"]["code"] == "validation_failed"
