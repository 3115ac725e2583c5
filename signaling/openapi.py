"""The OpenAPI 3.1 document, generated from the endpoint table and its pydantic models."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from .api import ENDPOINTS, PREFIX, Auth
from .schemas import ErrorBody

__all__ = ["openapi_document"]

_PARAMETERS = {
    "hearing_id": r"^[a-z0-9][a-z0-9_-]{0,63}$",
    "participant_id": r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$",
    "file": r"^[A-Za-z0-9][A-Za-z0-9_./-]*$",
    "format": r"^(txt|json|vtt|srt|docx)$",
    "seq": r"^[0-9]+$",
}
_STATUS_TEXT = {
    400: "The body is not valid JSON",
    401: "Missing, wrong or expired token",
    403: "Not permitted (not an officer of this hearing)",
    404: "No such hearing or participant",
    409: "Conflicts with the hearing's state or an existing id",
    413: "Body too large",
    415: "Body is not application/json",
    422: "Body does not match the schema",
}

_SIGNED_QUERY = {
    "expires": "Signed address: when it stops working (Unix time).",
    "by": "Signed address: the officer it was signed for.",
    "signature": "Signed address: its signature; with it no Authorization header is needed.",
}

Mode = Literal["validation", "serialization"]
_FILE = {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}


def openapi_document(version: str) -> dict[str, Any]:
    """Describe exactly the routes `add_routes` registers and the bodies they accept."""
    wanted: list[tuple[type[BaseModel], Mode]] = [(ErrorBody, "serialization")]
    for e in ENDPOINTS:
        if e.body is not None:
            wanted.append((e.body, "validation"))
        if not e.binary:
            wanted.append((e.response, "serialization"))
    refs, defs = models_json_schema(
        list(dict.fromkeys(wanted)), ref_template="#/components/schemas/{model}"
    )
    error = {"application/json": {"schema": refs[(ErrorBody, "serialization")]}}
    paths: dict[str, dict[str, Any]] = {}
    for e in ENDPOINTS:
        op: dict[str, Any] = {
            "summary": e.summary,
            "operationId": e.handler.__name__,
            "security": [{"adminToken": []}] if e.auth is Auth.ADMIN else [{"joinToken": []}],
            "responses": {
                str(e.status): {
                    "description": "OK",
                    "content": _FILE
                    if e.binary
                    else {"application/json": {"schema": refs[(e.response, "serialization")]}},
                },
                **{str(s): {"description": _STATUS_TEXT[s], "content": error} for s in e.errors},
            },
        }
        names = re.findall(r"{(\w+)}", e.path)
        if names:
            op["parameters"] = [
                {"name": n, "in": "path", "required": True,
                 "schema": {"type": "string", "pattern": _PARAMETERS[n]}}
                for n in names
            ]  # fmt: skip
        if e.signed:
            # The signed address from the list of recordings stands in for a token.
            op["security"].append({})
            op["parameters"] += [
                {"name": n, "in": "query", "required": False, "description": text,
                 "schema": {"type": "string"}}
                for n, text in _SIGNED_QUERY.items()
            ]  # fmt: skip
        if e.body is not None:
            op["requestBody"] = {
                "required": not e.body_optional,
                "content": {"application/json": {"schema": refs[(e.body, "validation")]}},
            }
        paths.setdefault(PREFIX + e.path, {})[e.method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": "Hearing server API", "version": version},
        "paths": paths,
        "components": {
            "schemas": defs.get("$defs", {}),
            "securitySchemes": {
                "adminToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "The court system's admin token.",
                },
                "joinToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A participant's join token.",
                },
            },  # fmt: skip
        },
    }
