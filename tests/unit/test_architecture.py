"""The folder layout is the architecture: the domain imports no web, media or Redis library."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FRAMEWORKS = {"aiohttp", "socketio", "engineio", "aiortc", "aioice", "av", "redis", "vosk"}
# The composition root wires every package together; it alone may import them all.
COMPOSITION_ROOT = {"server.py", "cli.py"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_domain_imports_no_framework_nor_outer_package() -> None:
    for path in sorted((ROOT / "hearing").glob("*.py")):
        if path.name in COMPOSITION_ROOT:
            continue
        bad = imported_modules(path) & (FRAMEWORKS | {"signaling", "media", "recording",
                                                     "transcription"})  # fmt: skip
        assert not bad, f"hearing/{path.name} imports {sorted(bad)}"


def test_packages_declare_their_public_names() -> None:
    for package in ("hearing", "signaling"):
        tree = ast.parse((ROOT / package / "__init__.py").read_text())
        assert any(
            isinstance(n, ast.Assign) and any(getattr(t, "id", "") == "__all__" for t in n.targets)
            for n in tree.body
        ), package
