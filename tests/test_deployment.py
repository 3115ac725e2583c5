"""docker-compose.yml (not run here: no Docker engine) is checked for what it promises."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from hearing.cli import _parser
from hearing.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def compose() -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert isinstance(data, dict)
    return data


def test_services_and_volumes() -> None:
    doc = compose()
    services = doc["services"]
    assert set(services) >= {"redis", "hearing", "proxy", "coturn"}
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if not source.startswith("."):
                assert source in doc["volumes"], (name, source)
            else:
                assert (ROOT / source).exists(), (name, source)
    assert services["hearing"]["deploy"]["replicas"] >= 2


def test_hearing_processes_share_redis_and_keys() -> None:
    hearing = compose()["services"]["hearing"]
    env = hearing["environment"]
    assert env["HEARING_REDIS_URL"].startswith("redis://redis:")
    assert "redis" in hearing["depends_on"]
    # Every variable is a real setting, and the keys every process must share are set.
    fields = {f"HEARING_{name.upper()}" for name in Settings.model_fields}
    assert set(env) <= fields, set(env) - fields
    assert {"HEARING_SECRET_KEY", "HEARING_ADMIN_TOKEN", "HEARING_PUBLIC_URL"} <= set(env)


def test_the_command_is_one_the_cli_accepts() -> None:
    command = compose()["services"]["hearing"]["command"]
    args = _parser().parse_args(command[1:])
    assert args.command == "serve" and args.port == 8080


def test_coturn_uses_the_turn_rest_api_secret() -> None:
    command = " ".join(compose()["services"]["coturn"]["command"])
    assert "--use-auth-secret" in command and "--static-auth-secret=" in command


def test_the_image_builds_what_it_runs() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    for package in ("hearing", "signaling"):
        assert re.search(rf"^COPY {package}/ {package}/$", dockerfile, re.M), package
    assert "npm run build" in dockerfile
