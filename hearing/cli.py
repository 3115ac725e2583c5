"""The `hearing` command: run the server, create a hearing and print its join links."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .errors import HearingError
from .settings import Settings

__all__ = ["main"]


def _serve_flags() -> list[tuple[str, str, dict[str, Any]]]:
    """One flag per setting, named after it: --data-dir sets Settings.data_dir."""
    flags = []
    for field, info in Settings.model_fields.items():
        extra: dict[str, Any] = {}
        if info.annotation in (int, float):
            extra["type"] = info.annotation
        elif info.annotation is Path:
            extra["type"] = Path
        elif field in ("advertise_ip", "ice_server", "vosk_model"):
            extra["action"] = "append"
        flags.append(("--" + field.replace("_", "-"), field, extra))
    return flags


_DEMO = {
    "case_number": "2026-DEMO-001",
    "title": "Demo v. Example (online hearing)",
    "court": "Demo District Court",
    "language": "ko",
    "participants": [
        {"id": "judge", "display_name": "Judge Kim", "role": "judge"},
        {"id": "clerk", "display_name": "Clerk Lee", "role": "clerk"},
        {"id": "plaintiff", "display_name": "Park Ji-woo", "role": "party"},
        {"id": "defendant", "display_name": "Choi Min-jun", "role": "party"},
    ],
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hearing",
        description="Real-time server for online court hearings and video mediation.",
        epilog="Every flag of 'serve' can also be set as an environment variable: "
        "HEARING_<FLAG> (e.g. HEARING_REDIS_URL).",
    )
    parser.add_argument("--log-level", default="INFO", help="DEBUG, INFO, WARNING or ERROR")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser(
        "serve",
        help="run the server (web pages, REST API, signaling) in one process",
        description="Run the server. Without --redis-url everything runs in this process, "
        "coordinated in memory; with it, several processes share rooms through Redis.",
    )
    for flag, field, extra in _serve_flags():
        description = Settings.model_fields[field].description or ""
        serve.add_argument(flag, dest=field, default=None, help=description, **extra)

    create = commands.add_parser(
        "create",
        help="create a hearing in the data dir and print its join links",
        description="Create a hearing from a JSON or YAML file (the body of POST "
        "/api/v1/hearings) or, with --demo, a demo hearing starting now; print one join link "
        "per participant. Uses the same data dir and keys as 'hearing serve'.",
    )
    source = create.add_mutually_exclusive_group(required=True)
    source.add_argument("file", nargs="?", type=Path, help="hearing definition (.json/.yaml)")
    source.add_argument("--demo", action="store_true", help="create a demo hearing")
    create.add_argument("--data-dir", type=Path, default=None, help="data dir (default ./data)")
    create.add_argument("--public-url", default=None, help="base URL put into the links")
    create.add_argument("--json", action="store_true", help="print the links as JSON")

    verify = commands.add_parser(
        "verify",
        help="check a hearing's sealed record: every byte, every chain link, the signature",
        description="Check the record in a hearing's folder (data/hearings/<id>) against its "
        "signed manifest. Exit status 0 when it is exactly as sealed (log entries chained "
        "after the seal, such as transcript corrections, are listed), 1 otherwise.",
    )
    verify.add_argument("folder", type=Path, help="the hearing's folder")
    trust = verify.add_mutually_exclusive_group()
    trust.add_argument(
        "--key", default=None, help="the court's public key (base64), from GET /api/v1/seal-key"
    )
    trust.add_argument(
        "--data-dir", type=Path, default=None, help="use the key of the server of this data dir"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        if args.command == "serve":
            return _serve(args)
        if args.command == "verify":
            return _verify(args)
        return _create(args)
    except ValidationError as e:
        for error in e.errors(include_url=False):
            where = ".".join(str(p) for p in error["loc"])
            print(f"hearing: {where}: {error['msg']}", file=sys.stderr)
        return 2
    except (HearingError, OSError, ValueError) as e:
        print(f"hearing: {getattr(e, 'message', e)}", file=sys.stderr)
        return 2


def _overrides(args: argparse.Namespace, fields: Sequence[str]) -> dict[str, Any]:
    return {f: getattr(args, f) for f in fields if getattr(args, f, None) is not None}


def _serve(args: argparse.Namespace) -> int:
    from aiohttp import web

    from .server import build_app

    settings = Settings(**_overrides(args, list(Settings.model_fields)))
    app = build_app(settings)
    coordination = f"redis {settings.redis_url}" if settings.redis_url else "in memory"
    print(
        f"hearing server on {settings.base_url} (data in {settings.data_dir.resolve()}, "
        f"coordination {coordination})",
        flush=True,
    )
    if settings.admin_token is None:
        print(f"admin token: in {settings.data_dir / 'admin.token'}", flush=True)
    web.run_app(app, host=settings.host, port=settings.port, print=None)
    return 0


def _create(args: argparse.Namespace) -> int:
    from signaling.hearings import HearingService
    from signaling.schemas import LinkRequest
    from signaling.tokens import JoinTokens

    from .model import NewHearing
    from .repository import HearingRepository
    from .rooms import InMemoryRoomStore
    from .settings import load_secret

    settings = Settings(**_overrides(args, ["data_dir", "public_url"]))
    if args.demo:
        from datetime import UTC, datetime

        data: Any = {**_DEMO, "scheduled_start": datetime.now(UTC).isoformat()}
    else:
        text = args.file.read_text()
        data = yaml.safe_load(text) if args.file.suffix in (".yaml", ".yml") else json.loads(text)
    request = NewHearing.model_validate(data)
    tokens = JoinTokens(
        load_secret(settings.secret_key, settings.data_dir / "secret.key"),
        ttl_seconds=settings.link_ttl_seconds,
    )
    service = HearingService(
        HearingRepository(settings.data_dir), InMemoryRoomStore(), tokens, settings.base_url
    )

    async def create() -> Any:
        hearing = await service.create(request)
        return hearing, await service.issue_links(hearing.id, LinkRequest())

    hearing, links = asyncio.run(create())
    if args.json:
        print(links.model_dump_json(indent=2))
        return 0
    print(f"Created hearing {hearing.id}: {hearing.case_number} {hearing.title}")
    for link in links.links:
        print(f"  {link.display_name} ({link.role.value}): {link.url}")
    return 0


if __name__ == "__main__":
    sys.exit(main())


def _verify(args: argparse.Namespace) -> int:
    from .seal import SealKey, verify_record

    if not args.folder.is_dir():
        raise ValueError(f"{args.folder} is not a folder (give data/hearings/<hearing id>)")
    trusted: str | None = args.key
    if args.data_dir is not None:
        key_file = args.data_dir / "seal.key"
        if not key_file.is_file():
            raise ValueError(f"{key_file} does not exist: no server sealed records there")
        trusted = SealKey.load_or_create(key_file).public_text
    report = verify_record(args.folder, trusted_key=trusted)
    for line in report.lines():
        print(line)
    if trusted is None and report.ok:
        print("(signed by the key named in the manifest; give --key to check it is the court's)")
    return 0 if report.ok else 1
