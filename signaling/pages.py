"""Routes that are not the REST API: the browser pages, their assets, health and OpenAPI."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from importlib.metadata import version
from pathlib import Path

from aiohttp import web

from .openapi import openapi_document

__all__ = ["add_page_routes"]


def add_page_routes(app: web.Application, web_dir: Path) -> None:
    dist = web_dir / "dist"
    for bundle in ("join.js", "desk.js"):
        if not (dist / bundle).is_file():
            raise RuntimeError(
                f"the browser pages are not built ({dist / bundle} is missing); "
                "run ./scripts/setup first"
            )
    document = openapi_document(version("hearing-server"))

    async def openapi(request: web.Request) -> web.Response:
        return web.json_response(document)

    async def health(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    def page(name: str) -> Callable[[web.Request], Awaitable[web.FileResponse]]:
        path = web_dir / "pages" / name

        async def serve(request: web.Request) -> web.FileResponse:
            return web.FileResponse(path, headers={"Cache-Control": "no-store"})

        return serve

    app.router.add_get("/api/v1/openapi.json", openapi)
    app.router.add_get("/healthz", health)
    app.router.add_get("/", page("index.html"))
    app.router.add_get("/join", page("join.html"))
    app.router.add_get("/desk", page("desk.html"))
    app.router.add_static("/assets/", dist)
    app.router.add_static("/static/", web_dir / "static")
