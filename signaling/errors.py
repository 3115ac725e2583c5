"""One error shape for the whole server: `{"error": {"code", "reason", "message", "details"}}`.

`code` is the kind of error, `reason` the very refusal (a stable code the pages
translate; see hearing.errors.Reason), `message` the English explanation.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from pydantic import ValidationError

from hearing.errors import (
    Conflict,
    HearingError,
    IllegalTransition,
    InvalidInput,
    NotFound,
    NotPermitted,
    Reason,
)

from .tokens import InvalidToken

__all__ = ["ApiError", "error_body", "error_middleware", "status_of", "validation_details"]

log = logging.getLogger(__name__)

_STATUS: list[tuple[type[HearingError], int]] = [
    (InvalidToken, 401),
    (NotPermitted, 403),
    (NotFound, 404),
    (Conflict, 409),
    (IllegalTransition, 409),
    (InvalidInput, 422),
]


class ApiError(HearingError):
    """An error raised at the HTTP edge with its own code and status."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: dict[str, Any] | None = None,
        *,
        reason: Reason | None = None,
    ) -> None:
        super().__init__(message, details=details, reason=reason)
        self.status = status
        self.code = code
        self.reason_code = reason.value if reason is not None else code


def status_of(error: HearingError) -> int:
    if isinstance(error, ApiError):
        return error.status
    for kind, status in _STATUS:
        if isinstance(error, kind):
            return status
    return 500


def error_body(
    code: str, message: str, details: dict[str, Any] | None = None, *, reason: str | None = None
) -> dict[str, Any]:
    return {
        "error": {
            "code": code,
            "reason": reason or code,
            "message": message,
            "details": details or {},
        }
    }


def validation_details(error: ValidationError) -> dict[str, Any]:
    """Pydantic's errors as a list of {field, problem} a person can act on."""
    problems = []
    for e in error.errors(include_url=False, include_input=False):
        field = ".".join(str(part) for part in e["loc"]) or "(body)"
        problems.append({"field": field, "problem": e["msg"]})
    return {"errors": problems}


def _json(status: int, body: dict[str, Any]) -> web.Response:
    return web.json_response(body, status=status, dumps=lambda v: json.dumps(v, ensure_ascii=False))


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer every failure of an /api request in the one error shape."""
    if not request.path.startswith("/api/"):
        return await handler(request)
    try:
        return await handler(request)
    except HearingError as e:
        status = status_of(e)
        if status >= 500:
            log.error("%s %s failed: %s", request.method, request.path, e.message)
        return _json(status, error_body(e.code, e.message, e.details, reason=e.reason_code))
    except ValidationError as e:
        return _json(
            422,
            error_body("validation_failed", "the request body is not valid", validation_details(e)),
        )
    except web.HTTPRequestEntityTooLarge:
        limit = request.client_max_size
        return _json(
            413,
            error_body(
                "body_too_large",
                f"the request body is larger than the {limit} bytes this server accepts",
                {"max_bytes": limit},
            ),
        )
    except web.HTTPException as e:
        if e.status < 400:
            raise
        code = {404: "not_found", 405: "method_not_allowed"}.get(e.status, "http_error")
        message = {
            404: f"no such endpoint: {request.path}",
            405: f"{request.method} is not allowed on {request.path}",
        }.get(e.status, e.reason)
        return _json(e.status, error_body(code, message))
